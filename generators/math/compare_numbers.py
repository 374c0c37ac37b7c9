"""Comparing numbers (preschool): which of two numbers is greater (or smaller)?

Steps compare the number of digits, then the digits place by place from the left, e.g.
``tens: 4 = 4, look at the next place`` then ``ones: 7 < 9, so 47 < 49``; each is checked
by comparing the digits (and the numbers) again. Slips: a reversed comparison
(``reversed_comparison``) and comparing the ones before the tens (``ones_first``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from generators.answers import verify_number
from reasoning.schema import Check
from reasoning.steps import StepLog, check_slip_rate
from reasoning.task import Problem, Task, Verdict

NAME = "compare_numbers"
VERSION = "2"
PLACES = ("ones", "tens", "hundreds", "thousands", "ten-thousands", "hundred-thousands")


@dataclass(frozen=True)
class Config:
    max_value: int = 100
    slip_rate: float = 0.1  # chance that the deciding step is first proposed with a slip

    def __post_init__(self) -> None:
        if not 1 <= self.max_value < 10**6:
            raise ValueError(f"max_value must lie in [1, 999999] (e.g. 100), got {self.max_value}")
        check_slip_rate(self.slip_rate)


def _sym(x: int, y: int) -> str:
    return "<" if x < y else ">" if x > y else "="


def check_digits(x: int, y: int, sym: str, a: int, b: int, decides: bool) -> Check:
    """Recheck a claim `x sym y` on two digits (or digit counts); a deciding claim must also
    give the true order of `a` and `b`."""
    ok = _sym(x, y) == sym and (not decides or _sym(a, b) == sym)
    return Check(checker="compare", ok=ok, detail=f"{x} {_sym(x, y)} {y}; {a} {_sym(a, b)} {b}")


def generate(rng: random.Random, level: str, config: Config) -> Problem:
    a, b = rng.sample(range(config.max_value + 1), 2)
    ask = rng.choice(("greater", "smaller"))
    log = StepLog(rng, config.slip_rate)
    sa, sb = str(a), str(b)
    final = _sym(a, b)
    if len(sa) != len(sb):
        decide = ("digits", len(sa), len(sb))
        proposal = f"{a} has {len(sa)} digit{'s' * (len(sa) != 1)}, {b} has {len(sb)}: {len(sa)} {final} {len(sb)}, so {a} {final} {b}"
    else:
        width = len(sa)
        for k in range(width):
            if sa[k] != sb[k]:
                break
            place = PLACES[width - 1 - k]
            log.add(
                f"{place}: {sa[k]} = {sb[k]}, look at the next place",
                f"{sa[k]} = {sb[k]} ✓",
                check_digits(int(sa[k]), int(sb[k]), "=", a, b, False),
            )
        place = PLACES[width - 1 - k]
        decide = (place, int(sa[k]), int(sb[k]))
        proposal = f"{place}: {sa[k]} {final} {sb[k]}, so {a} {final} {b}"
    name, x, y = decide
    flip = {"<": ">", ">": "<"}[final]
    if name not in ("digits", "ones") and _sym(a % 10, b % 10) == flip:
        slip = (
            "ones_first",
            f"ones: {a % 10} {flip} {b % 10}, so {a} {flip} {b}",
            f"compare the {name} first: {x} {final} {y}, so {a} {final} {b} ✗",
            check_digits(a % 10, b % 10, flip, a, b, True),
        )
    else:
        slip = (
            "reversed_comparison",
            f"{proposal.split(':')[0]}: {x} {flip} {y}, so {a} {flip} {b}",
            f"{x} {final} {y}, not {x} {flip} {y} ✗",
            check_digits(x, y, flip, a, b, True),
        )
    log.add(proposal, f"{x} {final} {y} ✓", check_digits(x, y, final, a, b, True),
            location=f"{name} comparison", slip=slip)
    answer = max(a, b) if ask == "greater" else min(a, b)
    ok = answer == (max(a, b) if ask == "greater" else min(a, b)) and answer in (a, b)
    log.add(
        f"the {ask} number is {answer}",
        f"{a} {final} {b} ✓",
        Check(checker="compare", ok=ok, detail=f"{a} {final} {b}"),
    )
    return Problem(
        task=NAME,
        level=level,
        prompt=f"Which number is {ask}: {a} or {b}?",
        steps=log.steps,
        answer=str(answer),
        error=log.error,
        data={"expected": str(answer), "a": a, "b": b, "ask": ask},
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
    description="which of two numbers is greater or smaller, place by place",
)

# Distinct questions the default config can produce, a lower bound: the distinct questions
# seen in 8,000 draws (seed 7).
PROBLEM_SPACE = 6610
SPACE_NOTE = ("fewer than 50,000 distinct questions, under 10x the ~5,000 records a curriculum stage asks of a task: expect repeats at that size")
