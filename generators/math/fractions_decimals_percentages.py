"""Fractions, decimals and percentages (middle): convert between them, take a percentage.

Four kinds of question, each a few exact steps:
- fraction → decimal: ``3/8 = 375/1000, scaling by 125`` then ``375/1000 = 0.375``
- decimal → fraction: ``0.45 = 45/100`` then ``simplify: 45/100 = 9/20, dividing by 5``
- percentage of an amount: ``35% = 35/100``, ``35 × 80 = 2800``, ``2800 ÷ 100 = 28``
- fraction → percentage: ``3/5 = 60/100, scaling by 20`` then ``60/100 = 60%``
Every step is checked with exact rationals. Slips: a misplaced decimal point
(``misplaced_point``), a wrong place value (``wrong_place_value``), dividing by 10
instead of 100 (``divided_by_ten``).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from fractions import Fraction

from generators.answers import fraction_text, parse_number
from reasoning.schema import Check
from reasoning.steps import StepLog, check_slip_rate
from reasoning.task import Problem, Task, Verdict

NAME = "fractions_decimals_percentages"
VERSION = "2"
KINDS = ("to_decimal", "to_fraction", "percent_of", "to_percent")
TERMINATING = (2, 4, 5, 8, 10, 20, 25, 40, 50)  # denominators with a short decimal


@dataclass(frozen=True)
class Config:
    kinds: tuple[str, ...] = KINDS
    max_amount: int = 400
    slip_rate: float = 0.1  # chance that a step is first proposed with a slip

    def __post_init__(self) -> None:
        if not self.kinds or set(self.kinds) - set(KINDS):
            raise ValueError(f"kinds must be a non-empty subset of {KINDS}")
        if not 20 <= self.max_amount <= 10**6:
            raise ValueError(
                f"max_amount must lie in [20, 1000000] (e.g. 400), got {self.max_amount}"
            )
        check_slip_rate(self.slip_rate)


def decimal_text(v: Fraction) -> str:
    """Exact decimal text of a terminating fraction: 3/8 -> '0.375'."""
    places = 0
    while (v * 10**places).denominator != 1:
        places += 1
    digits = str(abs(v.numerator * 10**places // v.denominator)).rjust(places + 1, "0")
    text = digits if not places else f"{digits[:-places]}.{digits[-places:]}"
    return ("-" if v < 0 else "") + text


def check_value(claim: Fraction, truth: Fraction) -> Check:
    ok = claim == truth
    return Check(
        checker="exact_rational",
        ok=ok,
        detail=f"{fraction_text(truth)}" + ("" if ok else f"; claimed {fraction_text(claim)}"),
    )


def generate(rng: random.Random, level: str, config: Config) -> Problem:
    kind = rng.choice(config.kinds)
    log = StepLog(rng, config.slip_rate)

    def emit(
        text: str,
        critic: str,
        claim: Fraction,
        truth: Fraction,
        slip: tuple | None = None,
    ) -> None:
        wrong = None if slip is None else (slip[0], slip[1], slip[3], check_value(slip[2], truth))
        log.add(text, critic, check_value(claim, truth), slip=wrong)

    percent = False
    if kind in ("to_decimal", "to_percent"):
        den = rng.choice([d for d in TERMINATING if kind == "to_decimal" or 100 % d == 0])
        num = rng.choice([k for k in range(1, den) if math.gcd(k, den) == 1])  # lowest terms
        v = Fraction(num, den)
        target = (
            100 if kind == "to_percent" else 10 ** next(m for m in range(1, 4) if 10**m % den == 0)
        )
        k = target // den
        emit(
            f"{num}/{den} = {num * k}/{target}, scaling by {k}",
            f"{num} × {k} = {num * k} ✓",
            Fraction(num * k, target),
            v,
        )
        if kind == "to_decimal":
            answer = decimal_text(v)
            shifted = v / 10 if v >= Fraction(1, 10) else v * 10
            emit(
                f"{num * k}/{target} = {answer}",
                f"{target} has {len(str(target)) - 1} zeros ✓",
                v,
                v,
                (
                    "misplaced_point",
                    f"{num * k}/{target} = {decimal_text(shifted)}",
                    shifted,
                    f"{target} has {len(str(target)) - 1} zeros: {answer} ✗",
                ),
            )
            prompt = f"Write {num}/{den} as a decimal."
        else:
            answer, percent = f"{num * k}%", True
            emit(f"{num * k}/100 = {num * k}%", "per cent means out of 100 ✓", v, v)
            prompt = f"Write {num}/{den} as a percentage."
    elif kind == "to_fraction":
        places = rng.randint(1, 3)
        n = rng.randint(1, 10**places - 1)
        while n % 10 == 0:
            n = rng.randint(1, 10**places - 1)
        v, target = Fraction(n, 10**places), 10**places
        dec = decimal_text(v)
        emit(
            f"{dec} = {n}/{target}",
            f"{places} decimal place{'s' * (places != 1)}: out of {target} ✓",
            Fraction(n, target),
            v,
            (
                "wrong_place_value",
                f"{dec} = {n}/{target * 10}",
                Fraction(n, target * 10),
                f"{places} decimal place{'s' * (places != 1)} means out of {target} ✗",
            ),
        )
        g = math.gcd(n, target)
        if g > 1:
            emit(
                f"simplify: {n}/{target} = {fraction_text(v)}, dividing by {g}",
                f"gcd({n}, {target}) = {g} ✓",
                v,
                v,
            )
        answer, prompt = fraction_text(v), f"Write {dec} as a fraction in lowest terms."
    else:
        p = rng.randrange(5, 100, 5) if rng.random() < 0.7 else rng.randint(1, 99)  # mostly round
        unit = 100 // math.gcd(p, 100)
        amount = unit * rng.randint(1, max(1, config.max_amount // unit))
        v = Fraction(p * amount, 100)
        emit(f"{p}% = {p}/100", "per cent means out of 100 ✓", Fraction(p, 100), Fraction(p, 100))
        emit(
            f"{p} × {amount} = {p * amount}",
            f"{p} × {amount} = {p * amount} ✓",
            Fraction(p * amount),
            Fraction(p * amount),
        )
        emit(
            f"{p * amount} ÷ 100 = {fraction_text(v)}",
            f"{p * amount} ÷ 100 = {fraction_text(v)} ✓",
            v,
            v,
            (
                "divided_by_ten",
                f"{p * amount} ÷ 10 = {fraction_text(v * 10)}",
                v * 10,
                f"per cent divides by 100, not 10: {fraction_text(v)} ✗",
            ),
        )
        answer, prompt = fraction_text(v), f"What is {p}% of {amount}?"
    return Problem(
        task=NAME,
        level=level,
        prompt=prompt,
        steps=log.steps,
        answer=answer,
        error=log.error,
        data={"expected": fraction_text(v), "percent": percent},
    )


def verify(problem: Problem, answer_text: str) -> Verdict:
    """By value: 0.375, 3/8 and 37.5% all match 3/8; for a percentage, a bare 60 matches 60%."""
    value, why = parse_number(answer_text)
    if value is None:
        return Verdict(0.0, why)
    expected = Fraction(problem.data["expected"])
    if value == expected:
        return Verdict(1.0, "correct")
    if problem.data.get("percent") and "%" not in answer_text and value == expected * 100:
        return Verdict(1.0, "correct (percentage without the % sign)")
    return Verdict(
        0.0, f"wrong value: got {fraction_text(value)}, expected {fraction_text(expected)}"
    )


TASK = Task(
    name=NAME,
    domain="math",
    levels=("middle",),
    version=VERSION,
    config_cls=Config,
    generate=generate,
    verify=verify,
    description="convert fractions, decimals and percentages; percentages of amounts",
)

# Distinct questions the default config can produce, a lower bound: the distinct questions
# seen in 8,000 draws (seed 7).
PROBLEM_SPACE = 1692
SPACE_NOTE = ("fewer than 50,000 distinct questions, under 10x the ~5,000 records a curriculum stage asks of a task: expect repeats at that size")
