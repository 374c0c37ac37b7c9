"""Policies: a checkpoint of ours and a local transformers directory behave as one model
(same prompt ids, same logits); anything else is refused with one line."""

from __future__ import annotations

import json

import pytest
import torch

from model.checkpoint import CheckpointError
from model.tokenizer import encode_prompt
from rl.policy import load_policy, read_training_state

PROMPT = "What is 3 + 4?"


def test_ours_and_hf_agree_on_prompt_ids_and_logits(ours_dir, hf_dir, tokenizer):
    ours, hf = load_policy(ours_dir), load_policy(hf_dir)
    assert (ours.kind, hf.kind) == ("blueberry", "hf")
    assert ours.encode_prompt(PROMPT) == hf.encode_prompt(PROMPT) == encode_prompt(tokenizer, PROMPT)
    assert (ours.eos_id, ours.pad_id, ours.bos_id) == (hf.eos_id, hf.pad_id, hf.bos_id)
    assert not ours.model.training and not hf.model.training  # dropout off
    # A left-padded batch: positions count real tokens, so padding changes nothing.
    ids = ours.encode_prompt(PROMPT)
    tokens = torch.tensor([[0, 0, *ids[:-2]], ids])
    mask = torch.tensor([[0, 0] + [1] * (len(ids) - 2), [1] * len(ids)])
    with torch.no_grad():
        a, b = ours.forward_logits(tokens, mask), hf.forward_logits(tokens, mask)
    assert (a - b)[mask.bool()].abs().max() < 1e-4
    assert (a[0, -1] - a[1, -3]).abs().max() < 1e-4  # the padded row reads as the short one alone
    text = "<step_proposal>3 + 4 = 7</step_proposal>"
    assert ours.decode([*tokenizer.encode(text).ids, ours.eos_id]) == text
    assert hf.decode([*tokenizer.encode(text).ids, hf.eos_id, hf.pad_id]) == text


def test_save_and_load_round_trips_both_kinds(ours_dir, hf_dir, tmp_path):
    for src in (ours_dir, hf_dir):
        policy = load_policy(src)
        opt = torch.optim.AdamW(policy.model.parameters(), lr=1e-3)
        loss = policy.forward_logits(torch.tensor([[1, 5, 6]]), torch.ones(1, 3, dtype=torch.long)).sum()
        loss.backward()
        opt.step()
        out = tmp_path / f"saved-{policy.kind}"
        policy.save(out, opt, {"step": 3})
        policy.save(out, opt, {"step": 4})  # replacing one that is there
        again = load_policy(out)
        assert again.kind == policy.kind
        for p, q in zip(policy.model.state_dict().values(), again.model.state_dict().values(), strict=True):
            assert torch.equal(p, q)
        opt_state, state = read_training_state(out)
        assert state["step"] == 4 and state["form"] is None and opt_state["state"]
        assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp left


def test_what_is_not_a_policy_is_one_line(tmp_path, hf_dir):
    with pytest.raises(CheckpointError, match="no such checkpoint directory"):
        load_policy(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(CheckpointError, match="neither a Blueberry checkpoint nor a transformers"):
        load_policy(tmp_path / "empty")
    junk = tmp_path / "junk"
    junk.mkdir()
    (junk / "config.json").write_text('{"model_type": "no-such-model"}')
    with pytest.raises(CheckpointError, match="not loadable by transformers") as e:
        load_policy(junk)
    assert "\n" not in str(e.value)


def test_a_model_too_small_for_its_tokenizer_is_refused(tmp_path, hf_dir):
    import shutil

    from transformers import LlamaConfig, LlamaForCausalLM

    bad = tmp_path / "small-vocab"
    shutil.copytree(hf_dir, bad)
    cfg = json.loads((hf_dir / "config.json").read_text())
    small = LlamaForCausalLM(LlamaConfig(vocab_size=100, hidden_size=32, intermediate_size=64,
                                         num_hidden_layers=1, num_attention_heads=2,
                                         num_key_value_heads=2))  # fmt: skip
    small.save_pretrained(bad)
    assert cfg["vocab_size"] > 100
    with pytest.raises(CheckpointError, match=r"tokenizer has .* tokens but the model embeds only 100"):
        load_policy(bad)


def test_frozen_copy_does_not_train(ours_dir):
    policy = load_policy(ours_dir)
    ref = policy.frozen_copy()
    assert not any(p.requires_grad for p in ref.model.parameters())
    assert all(p.requires_grad for p in policy.model.parameters())
    with torch.no_grad():
        next(policy.model.parameters()).add_(1.0)
    assert not torch.equal(next(policy.model.parameters()), next(ref.model.parameters()))


def test_the_system_prompt_a_checkpoint_records_is_kept(tmp_path, tokenizer, hf_dir):
    """train-curriculum records its form's system prompt; prompts use it and saves keep it."""
    from model.checkpoint import save_checkpoint

    from .conftest import tiny_model

    path = tmp_path / "short"
    save_checkpoint(path, tiny_model(tokenizer.get_vocab_size()), tokenizer, state={"system": "", "form": "short"})
    policy = load_policy(path)
    assert (policy.system, policy.form) == ("", "short")
    assert policy.encode_prompt(PROMPT) == encode_prompt(tokenizer, PROMPT, system="")
    assert policy.encode_prompt(PROMPT) != encode_prompt(tokenizer, PROMPT)
    policy.save(tmp_path / "again", state={"step": 1})
    assert (load_policy(tmp_path / "again").system, read_training_state(tmp_path / "again")[1]["step"]) == ("", 1)
    hf = load_policy(hf_dir)
    assert hf.form is None and hf.encode_prompt(PROMPT) == encode_prompt(tokenizer, PROMPT)  # the default
    hf.system = "Be brief."
    hf.save(tmp_path / "hf-again")
    assert load_policy(tmp_path / "hf-again").encode_prompt(PROMPT) == encode_prompt(tokenizer, PROMPT, "Be brief.")
    (path / "state.json").write_text('{"system": 3}')
    with pytest.raises(CheckpointError, match="must be strings"):
        load_policy(path)
