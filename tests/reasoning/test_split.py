"""The textbook/exam split depends on content only."""

from __future__ import annotations

import pytest

from generators.math.column_arithmetic import TASK
from reasoning.split import split_of
from reasoning.task import generate_record


def test_split_is_by_content_and_near_its_share():
    cfg = TASK.default_config(min_digits=2, max_digits=2)
    records = [generate_record(TASK, "primary", seed, i, cfg) for seed in (0, 1) for i in range(1500)]
    by_prompt: dict[str, set[str]] = {}
    for r in records:
        by_prompt.setdefault(r.prompt, set()).add(split_of(r.prompt))
    assert any(len({r.provenance.seed for r in records if r.prompt == p}) > 1 for p in
               list(by_prompt)[:200]), "two seeds should repeat some 2-digit problems"  # fmt: skip
    assert all(len(s) == 1 for s in by_prompt.values())
    exam = sum(split_of(p) == "exam" for p in by_prompt) / len(by_prompt)
    assert 0.06 < exam < 0.14


def test_whitespace_does_not_move_a_problem_and_share_is_validated():
    assert split_of("Compute 12 + 30") == split_of("Compute  12 +\n30")
    assert split_of("anything", exam_share=1.0) == "exam"
    assert split_of("anything", exam_share=0.0) == "train"
    with pytest.raises(ValueError, match="exam_share"):
        split_of("x", exam_share=1.5)
