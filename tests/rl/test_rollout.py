"""Rollouts: the sampler's log-probs are the policy's own, masks hold the EOS, truncation is
flagged, a completion depends on its seed and not on its batch, and our model and its HF
export sample the same completions."""

from __future__ import annotations

import pytest
import torch

from model.sampling import SamplingConfig as GenConfig
from model.sampling import generate, score
from rl.policy import load_policy
from rl.rollout import SamplingConfig, rollout, sample, sampling_logps

PROMPTS = ["What is 3 + 4?", "Count the apples: 2 apples and 5 apples. How many?"]


def _score(policy, ro):
    """Teacher-forced log-probs of the completion tokens (B, C)."""
    if policy.kind == "blueberry":
        lp = score(policy.model, ro.tokens, ro.attention_mask)
    else:
        logits = policy.forward_logits(ro.tokens, ro.attention_mask)
        lp = logits[:, :-1].log_softmax(-1).gather(-1, ro.tokens[:, 1:, None]).squeeze(-1)
    return lp[:, ro.prompt_width - 1:] * ro.completion_mask


def test_sampler_logps_equal_a_fresh_forward_pass(ours_dir, hf_dir):
    for path in (ours_dir, hf_dir):
        policy = load_policy(path)
        ro = rollout(policy, PROMPTS, 3, SamplingConfig(max_new_tokens=24))
        with torch.no_grad():
            fresh = _score(policy, ro)
        assert ro.completion_mask.sum() > 20
        assert (fresh - ro.old_logps).abs().max() < 1e-4


@pytest.mark.parametrize("kind", ["ours", "hf"])
def test_masks_lengths_and_truncation(ours_dir, hf_dir, kind):
    policy = load_policy(ours_dir if kind == "ours" else hf_dir)
    # Make EOS likely (about one step in six), so some rows stop early and some run to the budget.
    prefill, decode_step = policy.prefill, policy.decode_step

    def boost(logits):
        logits[..., policy.eos_id] = logits.logsumexp(-1) - 1.6  # p(EOS) about 1/6
        return logits

    policy.prefill = lambda *a: (boost(prefill(*a)[0]), prefill(*a)[1])
    policy.decode_step = lambda *a: boost(decode_step(*a))
    ro = rollout(policy, PROMPTS, 8, SamplingConfig(max_new_tokens=12))
    comp = ro.completion_ids
    finished = ~ro.truncated
    assert finished.any() and ro.truncated.any()
    for b in range(len(ro.texts)):
        n = int(ro.lengths[b])
        assert ro.completion_mask[b].sum() == n and ro.completion_mask[b, :n].all()
        if finished[b]:
            assert comp[b, n - 1] == policy.eos_id  # the EOS is inside the mask
            assert (comp[b, n:] == policy.pad_id).all() and (ro.old_logps[b, n:] == 0).all()
        else:
            assert n == 12 and policy.eos_id not in comp[b].tolist()
        assert ro.attention_mask[b, ro.prompt_width:].sum() == n
        assert ro.texts[b] == policy.decode(comp[b, :n].tolist())
    assert ro.tokens.shape[1] == ro.prompt_width + comp.shape[1]
    # Stopped rows left the batch on the way (cache and all): every row's log-probs are still
    # those of a fresh pass over its own tokens.
    with torch.no_grad():
        logits = boost(policy.forward_logits(ro.tokens, ro.attention_mask))
    lp = logits[:, :-1].log_softmax(-1).gather(-1, ro.tokens[:, 1:, None]).squeeze(-1)
    assert (lp[:, ro.prompt_width - 1:] * ro.completion_mask - ro.old_logps).abs().max() < 1e-4


def test_a_completion_depends_on_its_seed_not_its_batch(ours_dir):
    policy = load_policy(ours_dir)
    cfg = SamplingConfig(max_new_tokens=16)
    ids = [policy.encode_prompt(p) for p in PROMPTS]
    both = sample(policy, [ids[0], ids[0], ids[1]], cfg, seeds=[11, 12, 13])
    alone = sample(policy, [ids[1]], cfg, seeds=[13])
    n = int(alone.lengths[0])
    assert both.completion_ids[2, :n].tolist() == alone.completion_ids[0, :n].tolist()
    assert both.completion_ids[0].tolist() != both.completion_ids[1].tolist()  # seeds differ
    again = sample(policy, [ids[0]], cfg, seeds=[11])
    assert again.texts[0] == both.texts[0]


def test_ours_and_hf_sample_the_same_completions(ours_dir, hf_dir):
    cfg = SamplingConfig(max_new_tokens=16, temperature=0.7, top_p=0.9)
    a = rollout(load_policy(ours_dir), PROMPTS, 2, cfg, seeds=[1, 2, 3, 4])
    b = rollout(load_policy(hf_dir), PROMPTS, 2, cfg, seeds=[1, 2, 3, 4])
    assert a.texts == b.texts and torch.equal(a.tokens, b.tokens)
    assert (a.old_logps - b.old_logps).abs().max() < 1e-4


def test_temperature_and_top_p_shape_the_distribution():
    logits = torch.tensor([[2.0, 1.0, 0.0, -1.0]])
    plain = sampling_logps(logits, 1.0, 1.0)
    assert torch.allclose(plain, logits.log_softmax(-1))
    assert torch.allclose(sampling_logps(logits, 0.5, 1.0), (logits / 0.5).log_softmax(-1))
    cut = sampling_logps(logits, 1.0, 0.8)  # p = .64 .24 .09 .03: the first two hold 0.8
    assert torch.isinf(cut[0, 2:]).all() and torch.isfinite(cut[0, :2]).all()
    assert torch.allclose(cut[0, :2].exp().sum(), torch.tensor(1.0))


def test_greedy_equals_the_models_own_generate(ours_dir):
    policy = load_policy(ours_dir)
    ids = [policy.encode_prompt(p) for p in PROMPTS]
    ro = sample(policy, ids, SamplingConfig(max_new_tokens=10, temperature=0))
    gen = generate(policy.model, ids, GenConfig(max_new_tokens=10, temperature=0,
                                                stop_ids=(policy.eos_id,), pad_id=policy.pad_id))  # fmt: skip
    assert ro.lengths.tolist() == gen.lengths.tolist()
    for b in range(len(ids)):
        n = int(gen.lengths[b])
        assert ro.completion_ids[b, :n].tolist() == gen.tokens[b, :n].tolist()


def test_sampled_tokens_follow_the_distribution(ours_dir):
    """The sampler's first tokens over many seeded rows have the frequencies of
    softmax(logits / T) cut at top-p, the distribution it reports log-probs of."""
    policy = load_policy(ours_dir)
    ids = policy.encode_prompt(PROMPTS[0])
    cfg = SamplingConfig(max_new_tokens=1, temperature=0.3, top_p=0.7)
    n = 3000
    ro = sample(policy, [ids] * n, cfg, seeds=range(n))
    with torch.no_grad():
        logits, _ = policy.prefill(torch.tensor([ids]), torch.ones(1, len(ids), dtype=torch.long), 1)
    p = sampling_logps(logits, 0.3, 0.7)[0].exp()
    freq = torch.bincount(ro.completion_ids[:, 0], minlength=len(p)).float() / n
    assert (p > 0).sum() >= 3 and freq[p == 0].sum() == 0  # never outside the nucleus
    assert (freq - p).abs().sum() < 0.1  # total variation; sampling noise at n = 3000 is ~0.05
    assert torch.allclose(ro.old_logps[:, 0], p.log()[ro.completion_ids[:, 0]])
