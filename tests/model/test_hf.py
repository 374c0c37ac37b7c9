"""Export to and import from transformers: no custom code, strict loads, equal logits."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer, LlamaConfig, LlamaForCausalLM

from cli.export_hf import main as export_main
from model.checkpoint import save_checkpoint
from model.hf import import_hf
from model.tokenizer import BOS, encode_prompt

from .conftest import sharp_model

CASES = [
    ({}, "LlamaForCausalLM"),
    ({"tie_embeddings": False}, "LlamaForCausalLM"),
    ({"qk_norm": True}, "Qwen3ForCausalLM"),
    ({"n_experts": 4, "top_k": 2}, "MixtralForCausalLM"),
    ({"n_experts": 4, "top_k": 2, "qk_norm": True}, "Qwen3MoeForCausalLM"),
]


@pytest.mark.parametrize(("kw", "cls"), CASES)
def test_export_loads_in_transformers_strictly_with_equal_logits(tokenizer, tmp_path, kw, cls):
    model = sharp_model(**kw)
    save_checkpoint(tmp_path / "ckpt", model, tokenizer)
    assert export_main([str(tmp_path / "ckpt"), str(tmp_path / "hf")]) == 0
    hf, info = AutoModelForCausalLM.from_pretrained(tmp_path / "hf", output_loading_info=True)
    assert type(hf).__name__ == cls
    assert not any(info[k] for k in ("missing_keys", "unexpected_keys", "mismatched_keys"))
    x = torch.randint(0, 512, (3, 24))
    with torch.no_grad():
        torch.testing.assert_close(hf.eval()(x).logits, model(x), atol=1e-4, rtol=0)
    tok = AutoTokenizer.from_pretrained(tmp_path / "hf")
    assert tok.bos_token == BOS and hf.config.bos_token_id == tok.bos_token_id
    ids = tok.apply_chat_template([{"role": "user", "content": "Compute 12 + 7."}], return_dict=False)
    assert ids == encode_prompt(tokenizer, "Compute 12 + 7.")


def test_export_refuses_an_existing_output(tokenizer, tmp_path, capsys):
    save_checkpoint(tmp_path / "ckpt", sharp_model(), tokenizer)
    (tmp_path / "hf").mkdir()
    assert export_main([str(tmp_path / "ckpt"), str(tmp_path / "hf")]) == 2
    assert "already exists" in capsys.readouterr().err


def test_the_console_script_runs(tokenizer, tmp_path):
    save_checkpoint(tmp_path / "ckpt", sharp_model(), tokenizer)
    script = Path(sys.executable).parent / "export-hf"  # installed by pip install -e .
    proc = subprocess.run([str(script), str(tmp_path / "ckpt"), str(tmp_path / "hf")],
                          capture_output=True, text=True)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "LlamaForCausalLM" in proc.stdout and (tmp_path / "hf" / "config.json").exists()


@pytest.mark.parametrize("tie", [False, True])
def test_any_local_llama_directory_imports_with_equal_logits(tmp_path, tie):
    torch.manual_seed(0)
    cfg = LlamaConfig(vocab_size=300, hidden_size=96, intermediate_size=200, num_hidden_layers=2,
                      num_attention_heads=6, num_key_value_heads=2, max_position_embeddings=128,
                      rope_parameters={"rope_type": "default", "rope_theta": 5000.0},
                      rms_norm_eps=1e-6, tie_word_embeddings=tie)  # fmt: skip
    hf = LlamaForCausalLM(cfg).eval()
    with torch.no_grad():
        for p in hf.parameters():
            p.normal_(0, 0.1)
    hf.save_pretrained(tmp_path)
    ours = import_hf(tmp_path).eval()
    assert ours.cfg.rope_theta == 5000.0 and ours.cfg.n_kv_heads == 2
    x = torch.randint(0, 300, (2, 30))
    with torch.no_grad():
        torch.testing.assert_close(ours(x), hf(x).logits, atol=1e-5, rtol=0)


def test_import_refuses_what_it_cannot_match(tmp_path):
    cfg = LlamaConfig(vocab_size=100, hidden_size=32, intermediate_size=64, num_hidden_layers=1,
                      num_attention_heads=4, hidden_act="gelu")  # fmt: skip
    LlamaForCausalLM(cfg).save_pretrained(tmp_path)
    with pytest.raises(ValueError, match="silu"):
        import_hf(tmp_path)
    with pytest.raises(ValueError, match=r"config\.json"):
        import_hf(tmp_path / "missing")
