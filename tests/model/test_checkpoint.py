"""Checkpoints: bit-for-bit round trips, resuming state, atomic writes, clear errors."""

from __future__ import annotations

import json

import pytest
import torch

from cli.export_hf import main as export_main
from model.checkpoint import CheckpointError, load_checkpoint, save_checkpoint

from .conftest import sharp_model


@pytest.mark.parametrize("kw", [{}, {"n_experts": 4, "qk_norm": True, "tie_embeddings": False}])
def test_a_round_trip_reproduces_logits_bit_for_bit(tokenizer, tmp_path, kw):
    model = sharp_model(**kw)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    x = torch.randint(0, 512, (2, 16))
    model(x).logsumexp(-1).mean().backward()
    opt.step()
    save_checkpoint(tmp_path / "ckpt", model, tokenizer, opt, {"step": 7, "data_position": 1234})
    ckpt = load_checkpoint(tmp_path / "ckpt", with_optimizer=True)
    assert ckpt.model.cfg == model.cfg
    with torch.no_grad():
        assert torch.equal(ckpt.model.eval()(x), model(x))
    assert ckpt.state == {"step": 7, "data_position": 1234}
    resumed = torch.optim.AdamW(ckpt.model.parameters(), lr=1e-3)
    resumed.load_state_dict(ckpt.optimizer_state)
    for a, b in zip(resumed.state.values(), opt.state.values(), strict=True):
        assert torch.equal(a["exp_avg_sq"], b["exp_avg_sq"])
    assert ckpt.tokenizer.get_vocab() == tokenizer.get_vocab()


def test_saving_over_a_checkpoint_replaces_it_and_leaves_no_temp_files(tokenizer, tmp_path):
    save_checkpoint(tmp_path / "ckpt", sharp_model(0), tokenizer, state={"step": 1})
    save_checkpoint(tmp_path / "ckpt", sharp_model(1), tokenizer, state={"step": 2})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ckpt"]
    assert load_checkpoint(tmp_path / "ckpt").state == {"step": 2}
    assert not (tmp_path / "ckpt" / "optimizer.pt").exists()


def _corrupt(path, how):
    if how == "weights":
        (path / "model.safetensors").write_bytes(b"\x00" * 100)
    elif how == "shape":
        raw = json.loads((path / "config.json").read_text())
        raw["model"]["ffn_dim"] += 8
        (path / "config.json").write_text(json.dumps(raw))
    elif how == "config":
        (path / "config.json").write_text('{"format": "something else"}')
    elif how == "unknown-key":
        raw = json.loads((path / "config.json").read_text())
        raw["model"]["dropout"] = 0.1
        (path / "config.json").write_text(json.dumps(raw))
    elif how == "tokenizer":
        (path / "tokenizer.json").write_text("[]")
    elif how == "optimizer":
        (path / "optimizer.pt").write_bytes(b"junk")


@pytest.mark.parametrize("how", ["weights", "shape", "config", "unknown-key", "tokenizer", "optimizer"])
def test_a_corrupt_or_mismatched_checkpoint_is_one_line_and_exit_2(tokenizer, tmp_path, capsys, how):
    model = sharp_model()
    save_checkpoint(tmp_path / "ckpt", model, tokenizer, torch.optim.AdamW(model.parameters()))
    _corrupt(tmp_path / "ckpt", how)
    with pytest.raises(CheckpointError):
        load_checkpoint(tmp_path / "ckpt", with_optimizer=True)
    if how != "optimizer":  # export reads no optimizer state
        assert export_main([str(tmp_path / "ckpt"), str(tmp_path / "out")]) == 2
        err = capsys.readouterr().err
        assert err.startswith("export-hf: ") and err.count("\n") == 1 and "Traceback" not in err
        assert not (tmp_path / "out").exists()


def test_a_missing_checkpoint_directory_is_one_line(tmp_path, capsys):
    assert export_main([str(tmp_path / "nope"), str(tmp_path / "out")]) == 2
    assert "no such checkpoint directory" in capsys.readouterr().err
