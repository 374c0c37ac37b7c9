"""The step-check API over every task: judged against the generators' own ground truth.

A checker judges a step from its text and its problem only; the generators know which
steps are right (accepted) and which are slips (rejected). So on generated problems an
accepted step must never be judged invalid, and the slips must mostly be caught.
"""

from __future__ import annotations

from collections import Counter

import pytest

from generators.registry import domain_tasks
from generators.step_check import check_step
from reasoning.task import Dropped, StepJudgement, generate_problem

PER_LEVEL = 12


def _judge_all(domain: str, per_level: int) -> tuple[Counter, list[str]]:
    counts: Counter = Counter()
    wrong: list[str] = []
    for task in domain_tasks(domain).values():
        for level in task.levels:
            config = task.default_config(slip_rate=0.5)
            for index in range(per_level):
                try:
                    problem = generate_problem(task, level, 3, index, config)
                except Dropped:
                    continue
                previous: list[str] = []
                for step in problem.steps:
                    judged = check_step(task, problem, previous, step.proposal)
                    assert isinstance(judged, StepJudgement)
                    counts[(step.verdict, judged.status)] += 1
                    if step.verdict == "accept" and judged.status == "invalid":
                        wrong.append(f"{task.name}/{level}/{index}: {step.proposal!r}: {judged.reason}")
                    if step.verdict == "accept":
                        previous.append(step.proposal)
    return counts, wrong


@pytest.mark.slow
# Shares pinned a little under what was measured (math 67% of accepted steps read and 67%
# of slips caught; logic 21% and 34%, measured before truth values had their own checker:
# knights, SAT and syllogisms are not read yet; code 77% and 100%: call lines and summaries
# are not).
@pytest.mark.parametrize(("domain", "per_level", "read", "caught"), [
    ("math", PER_LEVEL, 0.6, 0.6), ("logic", PER_LEVEL, 0.15, 0.3), ("code", 4, 0.65, 0.9)])
def test_no_accepted_step_is_judged_invalid_and_slips_are_caught(
        domain: str, per_level: int, read: float, caught: float) -> None:  # fmt: skip
    counts, wrong = _judge_all(domain, per_level)
    assert not wrong, "\n".join(wrong[:10])
    accepted = sum(v for (verdict, _), v in counts.items() if verdict == "accept")
    assert counts[("accept", "valid")] >= read * accepted, counts
    slips = sum(v for (verdict, _), v in counts.items() if verdict == "reject")
    assert slips and counts[("reject", "invalid")] >= caught * slips, counts


def test_a_checker_that_fails_leaves_the_step_unchecked() -> None:
    import dataclasses

    task = domain_tasks("math")["column_arithmetic"]
    broken = dataclasses.replace(task, check_step=lambda *a: 1 / 0)
    problem = generate_problem(task, "primary", 0, 0, task.default_config())
    assert check_step(broken, problem, [], "ones: 1 + 1 = 2").status == "unchecked"
