"""Each math task states its problem-space size (`PROBLEM_SPACE`: distinct problems by
identity, the split's key, so a renamed problem is the same one), says plainly when it is
under 10x a curriculum stage's ~5,000 records (`SPACE_NOTE`), and does not overstate it."""

from __future__ import annotations

import contextlib
import importlib

import pytest

from generators.math import TASKS
from reasoning.task import Dropped, generate_problem

STAGE = 5_000  # records a default curriculum stage asks of one task


def _module(name: str):
    return importlib.import_module(f"generators.math.{name}")


def _prompts(name: str, n: int) -> set[str]:
    task = TASKS[name]
    config = task.default_config()
    seen = set()
    for i in range(n):
        with contextlib.suppress(Dropped):
            problem = generate_problem(task, task.levels[0], 7, i, config)
            seen.add(problem.identity or problem.prompt)
    return seen


@pytest.mark.parametrize("name", sorted(TASKS))
def test_space_is_stated_and_small_spaces_say_so(name):
    module = _module(name)
    space = module.PROBLEM_SPACE
    assert isinstance(space, int) and space > 0
    if space < 10 * STAGE:
        assert "repeat" in module.SPACE_NOTE
    else:
        assert not hasattr(module, "SPACE_NOTE")


@pytest.mark.parametrize("name", sorted(n for n in TASKS if hasattr(_module(n), "problem_space")))
def test_counted_spaces_match_their_count(name):
    module = _module(name)
    assert module.problem_space(TASKS[name].default_config()) == module.PROBLEM_SPACE


@pytest.mark.parametrize("name", sorted(n for n in TASKS if _module(n).PROBLEM_SPACE <= 250))
def test_small_spaces_are_exact(name):
    """Small spaces are enumerated: 60x as many draws as the claim find exactly the claim."""
    space = _module(name).PROBLEM_SPACE
    assert len(_prompts(name, 60 * space)) == space


@pytest.mark.parametrize("name", sorted(n for n in TASKS if _module(n).PROBLEM_SPACE > 300))
def test_large_spaces_are_not_overstated(name):
    """400 draws from a space of at least S distinct questions repeat rarely when S is
    large; a claim far above the truth would show as many repeats."""
    space = _module(name).PROBLEM_SPACE
    distinct = len(_prompts(name, 400))
    expected = space * (1 - (1 - 1 / space) ** 400)  # if the draws were uniform over S
    assert distinct >= 0.5 * expected, (distinct, expected)
