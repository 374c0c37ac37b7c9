"""Fixtures of the model tests: a small corpus of generated records and a tokenizer
trained on it in well under a second (nothing is downloaded)."""

from __future__ import annotations

import pytest
import torch

from model.model import Transformer, preset
from model.tokenizer import corpus_records, train_tokenizer
from reasoning.render import render

# Tiny models: on a shared CI machine a second thread costs more in waiting than it gains.
torch.set_num_threads(1)


@pytest.fixture(scope="session")
def records():
    return list(corpus_records(per_task=2, seed=0))


@pytest.fixture(scope="session")
def tokenizer(records):
    return train_tokenizer([render(r) for r in records], vocab_size=512)


def sharp_model(seed: int = 0, **overrides) -> Transformer:
    """A tiny model with large random weights, so that its next-token distributions are
    peaked (greedy choices are far from ties) and outputs differ clearly between inputs."""
    torch.manual_seed(seed)
    model = Transformer(preset("tiny", vocab_size=overrides.pop("vocab_size", 512), **overrides))
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.dim() > 1:
                p.normal_(0.0, 0.15)
            elif "norm" in name:
                p.uniform_(0.5, 1.5)
    return model.eval()
