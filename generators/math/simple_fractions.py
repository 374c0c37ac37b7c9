"""Simple fractions (primary): add or subtract two proper fractions, answer in lowest terms.

Steps: same denominators add the numerators (``1/5 + 2/5 = 3/5``); otherwise find the
common denominator (``lcm(4, 6) = 12``), rewrite each fraction (``1/4 = 3/12``), add or
subtract, and simplify (``6/12 = 1/2``). Each step is checked with exact rationals and
integer scaling. Slips: adding the denominators too (``added_denominators``) and scaling
only the denominator (``wrong_scaling``).

With the config's `work_first` (the `worked` form's option) a step
works its numbers out before it states the fraction: ``28 ÷ 4 = 7, 2 × 7 = 14, so 2/4 =
14/28`` and ``gcd(6, 28) = 2, 6 ÷ 2 = 3, 28 ÷ 2 = 14, so 6/28 = 3/14``, where by default
the fraction comes first and the critic holds the arithmetic.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from fractions import Fraction

from generators.answers import fraction_text, verify_number
from reasoning.schema import Check
from reasoning.steps import StepLog, check_slip_rate, checked_step
from reasoning.task import Problem, Task, Verdict

NAME = "simple_fractions"
VERSION = "1"


@dataclass(frozen=True)
class Config:
    max_denominator: int = 10
    operations: tuple[str, ...] = ("+", "-")
    slip_rate: float = 0.1  # chance that a step is first proposed with a slip
    # A learner form's option (model.curriculum.forms): the work before the fraction.
    work_first: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.work_first, bool):
            raise ValueError(f"work_first must be true or false, got {self.work_first!r}")
        if not 2 <= self.max_denominator <= 30:
            raise ValueError(
                f"max_denominator must lie in [2, 30] (e.g. 10), got {self.max_denominator}"
            )
        if not self.operations or set(self.operations) - {"+", "-"}:
            raise ValueError("operations must be a non-empty subset of ('+', '-')")
        check_slip_rate(self.slip_rate)


def frac(n: int, d: int) -> str:
    """A fraction as written, not reduced: frac(6, 12) == '6/12'."""
    return f"{n}/{d}"


def check_equal(claim: tuple[int, int], truth: tuple[int, int], value: Fraction) -> Check:
    """A rewritten or computed fraction must be exactly the expected n/d and equal `value`."""
    ok = claim == truth and Fraction(*claim) == value
    detail = f"{frac(*truth)} = {fraction_text(value)}" + (
        "" if ok else f"; claimed {frac(*claim)}"
    )
    return Check(checker="exact_rational", ok=ok, detail=detail)


def generate(rng: random.Random, level: str, config: Config) -> Problem:
    op = rng.choice(config.operations)
    b, d = rng.randint(2, config.max_denominator), rng.randint(2, config.max_denominator)
    a, c = rng.randint(1, b - 1), rng.randint(1, d - 1)
    if op == "-" and Fraction(a, b) < Fraction(c, d):
        a, b, c, d = c, d, a, b
    x, y = Fraction(a, b), Fraction(c, d)
    result = x + y if op == "+" else x - y
    log = StepLog(rng, config.slip_rate)
    steps = log.steps

    den = math.lcm(b, d)
    if b != d:
        steps.append(
            checked_step(
                f"common denominator: lcm({b}, {d}) = {den}",
                f"lcm({b}, {d}) = {den} ✓",
                Check(
                    checker="exact_integer",
                    ok=den == math.lcm(b, d),
                    detail=f"lcm({b}, {d}) = {math.lcm(b, d)}",
                ),
            )
        )
        for n, m in ((a, b), (c, d)):
            k = den // m
            if config.work_first:
                text = f"{den} ÷ {m} = {k}, {n} × {k} = {n * k}, so {frac(n, m)} = {frac(n * k, den)}"
            else:
                text = f"{frac(n, m)} = {frac(n * k, den)}, scaling by {k}"
            if k > 1 and log.coin():
                wrong = (f"{den} ÷ {m} = {k}, so {frac(n, m)} = {frac(n, den)}" if config.work_first
                         else f"{frac(n, m)} = {frac(n, den)}, scaling by {k}")
                log.reject("wrong_scaling", wrong, f"the numerator must be scaled too: {n} × {k} = {n * k} ✗", check_equal((n, den), (n * k, den), Fraction(n, m)), original=text, location=f"rewriting {frac(n, m)}")
            steps.append(
                checked_step(
                    text,
                    "✓" if config.work_first else f"{n} × {k} = {n * k} ✓",
                    check_equal((n * k, den), (n * k, den), Fraction(n, m)),
                )
            )
    na, nc = a * den // b, c * den // d
    top = na + nc if op == "+" else na - nc
    text = f"{frac(na, den)} {op} {frac(nc, den)} = {frac(top, den)}"
    if config.work_first:
        text = f"{na} {op} {nc} = {top}, so {text}"
    if b != d and op == "+" and log.coin():
        wrong = f"{frac(a, b)} + {frac(c, d)} = {frac(a + c, b + d)}"
        log.reject("added_denominators", wrong, f"denominators are not added: use the common denominator {den} ✗", check_equal((a + c, b + d), (top, den), result), original=text, location="adding")
    steps.append(checked_step(text, "✓" if config.work_first else f"{na} {op} {nc} = {top} ✓",
                              check_equal((top, den), (top, den), result)))
    g = math.gcd(top, den)
    if g > 1 and top:
        low = (top // g, den // g)
        if config.work_first:
            text = (f"simplify: gcd({top}, {den}) = {g}, {top} ÷ {g} = {low[0]}, {den} ÷ {g} = {low[1]}, "
                    f"so {frac(top, den)} = {frac(*low)}")
        else:
            text = f"simplify: {frac(top, den)} = {frac(*low)}, dividing by {g}"
        steps.append(checked_step(text, "✓" if config.work_first else f"gcd({top}, {den}) = {g} ✓",
                                  check_equal(low, low, result)))
    answer = fraction_text(result)
    return Problem(
        task=NAME,
        level=level,
        prompt=f"Compute {frac(a, b)} {op} {frac(c, d)}. Give the answer in lowest terms.",
        steps=steps,
        answer=answer,
        error=log.error,
        data={"expected": answer},
    )


def verify(problem: Problem, answer_text: str) -> Verdict:
    return verify_number(answer_text, problem.data["expected"])


TASK = Task(
    name=NAME,
    domain="math",
    levels=("primary",),
    version=VERSION,
    config_cls=Config,
    generate=generate,
    verify=verify,
    description="add/subtract proper fractions via a common denominator, then simplify",
)

# Distinct questions the default config can produce, a lower bound: the distinct questions
# seen in 8,000 draws (seed 7).
PROBLEM_SPACE = 2410
SPACE_NOTE = ("fewer than 50,000 distinct questions, under 10x the ~5,000 records a curriculum stage asks of a task: expect repeats at that size")
