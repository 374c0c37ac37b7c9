"""Fixtures of the training tests: a tokenizer trained on a few records in about a second."""

from __future__ import annotations

import pytest
import torch

from model.tokenizer import corpus_records, train_tokenizer
from reasoning.render import render

torch.set_num_threads(1)  # tiny models: a second thread only waits on a shared machine


@pytest.fixture(scope="session")
def tokenizer():
    records = corpus_records(per_task=3, seed=0, levels=("preschool", "primary"))
    return train_tokenizer([render(r) for r in records], vocab_size=600)
