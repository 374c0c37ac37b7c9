"""Every logic task states its problem space (`PROBLEM_SPACE`, an effective lower bound on
distinct problems: identities, the key of the textbook/exam split, so a reworded problem is
the same problem) and the claim holds up: sampled records repeat no more often than a space
of that size would make them. A task below 10x a 5,000-record stage says so plainly."""

from __future__ import annotations

import collections
import importlib

import pytest

from generators.logic import TASKS
from reasoning.task import Dropped, generate_problem

STAGE = 5_000  # records a default curriculum stage asks of one task
# (task, level, records sampled): sympy tasks get fewer.
CASES = [("truth_values", "preschool", 3000), ("truth_values", "primary", 1500),
         ("truth_tables", "middle", 2000), ("syllogisms", "middle", 2000),
         ("deduction_chains", "high", 2000), ("knights_knaves", "high", 2000),
         ("sat_resolution", "university", 600), ("induction_proofs", "university", 600),
         ("sequence_rules", "university", 2000)]


def module(name):
    return importlib.import_module(f"generators.logic.{name}")


def test_every_task_states_its_space():
    for name in TASKS:
        space = module(name).PROBLEM_SPACE
        assert isinstance(space, int) and space > 0, name
        note = getattr(module(name), "PROBLEM_SPACE_NOTE", "")
        # enough for 10x a stage, or a plain statement that it is not
        assert space >= 10 * STAGE or ("cannot" in note and str(f"{space:,}") in note), name


@pytest.mark.parametrize(("name", "level", "count"), CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_space_is_not_overstated(name, level, count):
    """Repeated pairs among `count` records: a space of PROBLEM_SPACE equally likely prompts
    gives count^2 / (2 * space) on average; many more means the claim is too big."""
    task = TASKS[name]
    prompts = collections.Counter()
    for i in range(count):
        try:
            problem = generate_problem(task, level, 7, i, task.default_config())
            prompts[problem.identity or problem.prompt] += 1
        except Dropped:
            continue
    n = sum(prompts.values())
    pairs = sum(c * (c - 1) // 2 for c in prompts.values())
    expected = n * (n - 1) / (2 * module(name).PROBLEM_SPACE)
    assert pairs <= 1.5 * expected + 10, (name, level, pairs, expected)


def test_preschool_truth_values_vary_their_wording_over_few_problems():
    task = TASKS["truth_values"]
    problems = [generate_problem(task, "preschool", 7, i, task.default_config())
                for i in range(STAGE)]
    assert len({p.prompt for p in problems}) >= 0.9 * STAGE  # 354 distinct prompts before v2
    assert len({p.identity for p in problems}) <= 700  # 685 facts and sums, drawn unevenly
