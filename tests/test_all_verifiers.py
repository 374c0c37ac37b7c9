"""Every registered verifier, of every domain: the oracle answer scores 1, and garbage or
hostile text never raises, never scores 1 by accident, and never takes a second."""

from __future__ import annotations

import random
import string
import time

import pytest

from generators.registry import domain_tasks
from reasoning.levels import DOMAINS
from reasoning.task import Dropped, generate_problem

HOSTILE = [
    "__import__('os').system('echo pwned')",
    "exec('import os')",
    "9**9**9**9",
    "x^(10^10)",
    "n^(10^10)",
    "2**99999999",
    "1e999999",
    "(" * 10_000 + "1" + ")" * 10_000,
    "[" * 5_000 + "]" * 5_000,
    "-" * 100_000 + "1",
    "9" * 100_000,
    "\x00",
    "\\frac{1}{0}",
    "$\\boxed{\\infty}$",
    "lambda: 0",
    "{'a': " * 2_000 + "1" + "}" * 2_000,
    "0/0",
    "nan",
    "inf",
    "",
    " ",
    "١٢٣",
    "<output>1</output>",
]


def _garbage(rng: random.Random) -> str:
    alphabet = string.printable + "√π∞≤≥×÷−→¬∧∨"
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 60)))


def _cases():
    for domain in DOMAINS:
        for name in domain_tasks(domain):
            yield pytest.param(domain, name, id=f"{domain}.{name}")


@pytest.mark.slow
@pytest.mark.parametrize(("domain", "name"), list(_cases()))
def test_verifier_is_safe_and_fair(domain, name):
    task = domain_tasks(domain)[name]
    rng = random.Random(name)
    texts = HOSTILE + [_garbage(rng) for _ in range(200)]
    problems = []
    for level in task.levels[:2]:
        for index in range(3):
            try:
                problems.append(generate_problem(task, level, 11, index, task.default_config()))
            except Dropped:
                continue
    assert problems, f"{name} produced no problem"
    slowest = 0.0
    for problem in problems:
        assert task.verify(problem, problem.answer).score == 1.0, (name, problem.answer)
        for text in texts:
            start = time.perf_counter()
            verdict = task.verify(problem, text)
            slowest = max(slowest, time.perf_counter() - start)
            assert 0.0 <= verdict.score <= 1.0 and isinstance(verdict.reason, str)
            if text in HOSTILE[:7]:
                assert verdict.score < 1.0, (name, text)
    assert slowest < 1.0, f"{name}: slowest verify took {slowest:.2f} s"
