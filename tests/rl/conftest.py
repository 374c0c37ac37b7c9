"""Fixtures of the GRPO tests: a tokenizer trained on a few records, a tiny checkpoint of ours
and the same weights exported as a transformers directory (nothing is downloaded)."""

from __future__ import annotations

import pytest
import torch

from model.checkpoint import save_checkpoint
from model.hf import export_hf
from model.model import Transformer, preset
from model.tokenizer import corpus_records, train_tokenizer
from reasoning.render import render

torch.set_num_threads(1)  # tiny models: a second thread only waits on a shared machine


@pytest.fixture(scope="session")
def tokenizer():
    records = corpus_records(per_task=3, seed=0, levels=("preschool",))
    return train_tokenizer([render(r) for r in records], vocab_size=400)


def tiny_model(vocab_size: int, seed: int = 0, scale: float = 0.0) -> Transformer:
    """A tiny model; `scale` > 0 draws larger weights, so that distributions are peaked and
    outputs differ clearly between inputs."""
    torch.manual_seed(seed)
    model = Transformer(preset("tiny", vocab_size=vocab_size, dim=64, n_layers=2, n_heads=4,
                               n_kv_heads=2, ffn_dim=128, max_seq_len=256))  # fmt: skip
    if scale:
        with torch.no_grad():
            for p in model.parameters():
                if p.dim() > 1:
                    p.normal_(0.0, scale)
    return model.eval()


@pytest.fixture(scope="session")
def ours_dir(tmp_path_factory, tokenizer):
    """A checkpoint of ours (tiny, peaked weights)."""
    path = tmp_path_factory.mktemp("ours") / "ckpt"
    save_checkpoint(path, tiny_model(tokenizer.get_vocab_size(), scale=0.1), tokenizer)
    return path


@pytest.fixture(scope="session")
def hf_dir(tmp_path_factory, tokenizer):
    """The same weights as `ours_dir`, as a LlamaForCausalLM directory with its tokenizer."""
    path = tmp_path_factory.mktemp("hf") / "llama"
    export_hf(tiny_model(tokenizer.get_vocab_size(), scale=0.1), tokenizer, path)
    return path
