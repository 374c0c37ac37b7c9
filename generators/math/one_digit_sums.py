"""One-digit sums (preschool): 3 + 5, 7 + 6, ...

Small sums count on from the larger number one at a time (``5 + 1 = 6``); sums over ten
make a ten first (``7 + 3 = 10``, ``6 - 3 = 3``, ``10 + 3 = 13``). Every step is one exact
addition or subtraction, checked by recomputing it. Slip: a number-fact error off by one
(``digit_fact``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from generators.answers import verify_number
from generators.slips import wrong_value
from reasoning.schema import Check
from reasoning.steps import Slip, StepLog, check_slip_rate
from reasoning.task import Problem, Task, Verdict

NAME = "one_digit_sums"
VERSION = "2"


@dataclass(frozen=True)
class Config:
    max_addend: int = 9
    slip_rate: float = 0.1  # chance that a step is first proposed with a slip

    def __post_init__(self) -> None:
        if not 1 <= self.max_addend <= 9:
            raise ValueError(f"max_addend must lie in [1, 9] (one digit), got {self.max_addend}")
        check_slip_rate(self.slip_rate)


def check_op(x: int, op: str, y: int, claimed: int) -> Check:
    """Recompute `x op y` exactly and compare it with the claimed result."""
    value = x + y if op == "+" else x - y
    ok = value == claimed
    return Check(
        checker="exact_arithmetic",
        ok=ok,
        detail=f"{x} {op} {y} = {value}" + ("" if ok else f"; claimed {claimed}"),
    )


def _plan(a: int, b: int) -> list[tuple[int, str, int, str]]:
    """The true steps as (x, op, y, note): count on, or make a ten."""
    big, small = max(a, b), min(a, b)
    if big + small > 10 and small > 1:
        need = 10 - big
        return [
            (big, "+", need, "make a ten"),
            (small, "-", need, "what is left"),
            (10, "+", small - need, "ten and the rest"),
        ]
    return [(big + i, "+", 1, "count on") for i in range(small)]


def generate(rng: random.Random, level: str, config: Config) -> Problem:
    a, b = rng.randint(0, config.max_addend), rng.randint(0, config.max_addend)
    log = StepLog(rng, config.slip_rate)
    for x, op, y, note in _plan(a, b):
        value = x + y if op == "+" else x - y

        def slip(x=x, op=op, y=y, note=note, value=value) -> Slip:
            kind, w = wrong_value(rng, value, operation=(x, op, y), upper=18)
            return (kind, f"{note}: {x} {op} {y} = {w}",
                    f"{x} {op} {y} = {value}, not {w} ✗", check_op(x, op, y, w))

        log.add(f"{note}: {x} {op} {y} = {value}", f"{x} {op} {y} = {value} ✓",
                check_op(x, op, y, value), location=note, slip=slip)
    log.add(f"so {a} + {b} = {a + b}", f"{a} + {b} = {a + b} ✓", check_op(a, "+", b, a + b))
    return Problem(
        task=NAME,
        level=level,
        prompt=f"What is {a} + {b}?",
        steps=log.steps,
        answer=str(a + b),
        error=log.error,
        data={"expected": str(a + b)},
    )


def verify(problem: Problem, answer_text: str) -> Verdict:
    return verify_number(answer_text, problem.data["expected"])


TASK = Task(
    name=NAME,
    domain="math",
    levels=("preschool",),
    version=VERSION,
    config_cls=Config,
    generate=generate,
    verify=verify,
    description="sums of two one-digit numbers by counting on or making a ten",
)

# Distinct questions the default config can produce: exact (enumerated by the tests).
PROBLEM_SPACE = 100
SPACE_NOTE = ("100 questions by nature: every pair of one-digit addends 0..9; a curriculum "
              "stage that asks for more records repeats them")
