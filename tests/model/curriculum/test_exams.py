"""Exams: exam-split problems, distinct, deterministic; Wilson intervals; the answer read
from <output>; and a tiny model that overfits a handful of records passes their exam."""

from __future__ import annotations

import pytest
import torch

from model.curriculum.exams import (
    ExamItem,
    answer,
    build_exam,
    format_table,
    output_of,
    tally,
    wilson,
)
from model.curriculum.textbook import collate, encode_weighted, level_specs, problem_split
from model.model import Transformer, preset
from model.tokenizer import PAD
from reasoning.task import build_record


def test_wilson_matches_known_values():
    lo, hi = wilson(81, 100)
    assert (round(lo, 4), round(hi, 4)) == (0.7222, 0.8749)
    assert wilson(0, 10)[0] == 0.0 and wilson(10, 10)[1] == 1.0
    assert wilson(0, 0) == (0.0, 1.0)


def test_output_of_reads_the_answer():
    assert output_of("<step_proposal>x</step_proposal>\n</think>\n<output>42</output><|eos|>") == "42"
    assert output_of("no answer here") is None
    assert output_of("<output> 7") == "7"  # cut off by the length limit: what is there


def test_exam_is_exam_split_distinct_and_deterministic():
    specs = level_specs(["primary"], ["column_arithmetic"])["primary"]
    a = build_exam("primary", specs, 12)
    assert len(a) == 12
    assert all(problem_split(it.problem) == "exam" for it in a)
    assert len({it.problem.prompt for it in a}) == 12
    assert [it.problem.prompt for it in build_exam("primary", specs, 12)] == [it.problem.prompt for it in a]


def test_tally_and_table():
    specs = level_specs(["preschool"], ["one_digit_sums"])["preschool"]
    items = build_exam("preschool", specs, 4)
    scores = tally(items, [1.0, 1.0, 0.0, 1.0])
    assert len(scores) == 1 and scores[0].n == 4 and scores[0].score == 0.75
    table = format_table(scores, 0.9)
    assert "one_digit_sums" in table and "75.0%" in table and "FAIL" in table


@pytest.mark.slow
def test_tiny_model_overfits_a_handful_and_passes_their_exam(tokenizer):
    from reasoning.task import generate_problem

    spec = level_specs(["preschool"], ["one_digit_sums"])["preschool"][0]
    problems = [generate_problem(spec.task, "preschool", 0, i, spec.config) for i in range(4)]
    records = [build_record(spec.task, "preschool", 0, i, p) for i, p in enumerate(problems)]
    items = [ExamItem("preschool", spec.task.name, spec, p) for p in problems]
    torch.manual_seed(0)
    model = Transformer(preset("tiny", vocab_size=tokenizer.get_vocab_size()))
    assert answer(model, tokenizer, items, 200) == [0.0] * 4  # untrained: nothing right
    x, w = collate([encode_weighted(tokenizer, r) for r in records], 512, tokenizer.token_to_id(PAD))
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3)
    for _ in range(150):
        logits = model(x[:, :-1])
        ce = torch.nn.functional.cross_entropy(logits.flatten(0, 1), x[:, 1:].flatten(), reduction="none")
        loss = (ce.view_as(w) * w).sum() / w.sum()
        loss.backward()
        opt.step()
        opt.zero_grad()
    assert loss.item() < 0.05
    assert answer(model, tokenizer, items, 200) == [1.0] * 4
