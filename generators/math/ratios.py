"""Ratios (middle): share an amount in a given ratio, or simplify a ratio.

Sharing: ``total parts: 2 + 3 = 5``, ``one part: 45 ÷ 5 = 9``, ``2 × 9 = 18``,
``3 × 9 = 27``. Simplifying: ``gcd(12, 18) = 6``, ``12 ÷ 6 = 2, 18 ÷ 6 = 3``. Every step is
checked exactly. Slips: dividing by one part of the ratio instead of the total
(``divided_by_one_part``), dividing by a common factor that is not the greatest
(``partial_simplify``), a times-table error (``digit_fact``).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from fractions import Fraction

from generators.answers import fraction_text, verify_numbers
from generators.slips import wrong_value
from reasoning.schema import Check
from reasoning.steps import StepLog, check_slip_rate
from reasoning.task import Problem, Task, Verdict

NAME = "ratios"
VERSION = "2"
KINDS = ("share", "simplify")


@dataclass(frozen=True)
class Config:
    kinds: tuple[str, ...] = KINDS
    max_part: int = 9
    max_unit: int = 20
    slip_rate: float = 0.1  # chance that a step is first proposed with a slip

    def __post_init__(self) -> None:
        if not self.kinds or set(self.kinds) - set(KINDS):
            raise ValueError(f"kinds must be a non-empty subset of {KINDS}")
        if not 2 <= self.max_part <= 100:
            raise ValueError(f"max_part must lie in [2, 100] (e.g. 9), got {self.max_part}")
        if not 2 <= self.max_unit <= 1000:
            raise ValueError(f"max_unit must lie in [2, 1000] (e.g. 20), got {self.max_unit}")
        check_slip_rate(self.slip_rate)


def check_claim(claim: tuple, truth: tuple) -> Check:
    """The claimed numbers of a step, recomputed, against the true ones."""
    ok = tuple(map(Fraction, claim)) == tuple(map(Fraction, truth))
    shown = ", ".join(fraction_text(Fraction(v)) for v in truth)
    return Check(
        checker="exact_rational", ok=ok, detail=shown + ("" if ok else " (claimed otherwise)")
    )


def generate(rng: random.Random, level: str, config: Config) -> Problem:
    kind = rng.choice(config.kinds)
    log = StepLog(rng, config.slip_rate)

    def emit(text: str, critic: str, claim: tuple, truth: tuple, slip: tuple | None = None) -> None:
        wrong = None if slip is None else (slip[0], slip[1], slip[3], check_claim(slip[2], truth))
        log.add(text, critic, check_claim(claim, truth), slip=wrong)

    if kind == "share":
        parts = [rng.randint(1, config.max_part) for _ in range(rng.choice((2, 2, 3)))]
        unit = rng.randint(2, config.max_unit)
        total_parts = sum(parts)
        amount = total_parts * unit
        emit(
            f"total parts: {' + '.join(map(str, parts))} = {total_parts}",
            f"{total_parts} parts ✓",
            (total_parts,),
            (total_parts,),
        )
        wrong_unit = Fraction(amount, parts[0])
        emit(
            f"one part: {amount} ÷ {total_parts} = {unit}",
            f"{unit} × {total_parts} = {amount} ✓",
            (unit,),
            (unit,),
            (
                "divided_by_one_part",
                f"one part: {amount} ÷ {parts[0]} = {fraction_text(wrong_unit)}",
                (wrong_unit,),
                f"divide by all {total_parts} parts, not {parts[0]} ✗",
            )
            if parts[0] != total_parts
            else None,
        )
        shares = [p * unit for p in parts]
        for p, share in zip(parts, shares, strict=True):
            kind, w = wrong_value(rng, share, operation=(p, "×", unit))
            emit(
                f"{p} × {unit} = {share}",
                f"{p} × {unit} = {share} ✓",
                (share,),
                (share,),
                (kind, f"{p} × {unit} = {w}", (w,), f"{p} × {unit} = {share}, not {w} ✗"),
            )
        emit(
            f"check: {' + '.join(map(str, shares))} = {amount}",
            f"the shares add up to {amount} ✓",
            (sum(shares),),
            (amount,),
        )
        ratio = " : ".join(map(str, parts))
        answer = ", ".join(map(str, shares))
        prompt = (
            f"Share {amount} in the ratio {ratio}. Give the shares in order, separated by commas."
        )
        expected = shares
    else:
        m, n = rng.sample(range(1, config.max_part + 1), 2)
        while math.gcd(m, n) != 1:
            m, n = rng.sample(range(1, config.max_part + 1), 2)
        g = rng.randint(2, config.max_unit)
        a, b = g * m, g * n
        emit(
            f"gcd({a}, {b}) = {g}",
            f"{g} divides both, and {m} and {n} share no factor ✓",
            (math.gcd(a, b),),
            (g,),
        )
        small = [k for k in range(2, g) if g % k == 0]
        slip = None
        if small:
            k = rng.choice(small)
            slip = (
                "partial_simplify",
                f"{a} ÷ {k} = {a // k}, {b} ÷ {k} = {b // k} → {a // k} : {b // k}",
                (a // k, b // k),
                f"{a // k} and {b // k} still share {g // k}: divide by {g} ✗",
            )
        emit(
            f"{a} ÷ {g} = {m}, {b} ÷ {g} = {n} → {m} : {n}",
            f"{m} and {n} share no factor ✓",
            (m, n),
            (m, n),
            slip,
        )
        answer, expected = f"{m} : {n}", [m, n]
        prompt = f"Simplify the ratio {a} : {b}."
    return Problem(
        task=NAME,
        level=level,
        prompt=prompt,
        steps=log.steps,
        answer=answer,
        error=log.error,
        data={"expected": expected},
    )


def verify(problem: Problem, answer_text: str) -> Verdict:
    """The numbers in order (`18, 27`, `18 : 27`, `[18, 27]`); simplified ratios must be lowest."""
    return verify_numbers(answer_text, [str(v) for v in problem.data["expected"]], ratio=True)


TASK = Task(
    name=NAME,
    domain="math",
    levels=("middle",),
    version=VERSION,
    config_cls=Config,
    generate=generate,
    verify=verify,
    description="share an amount in a ratio; simplify a ratio by the gcd",
)

# Distinct questions the default config can produce, a lower bound: the distinct questions
# seen in 8,000 draws (seed 7).
PROBLEM_SPACE = 3579
SPACE_NOTE = ("fewer than 50,000 distinct questions, under 10x the ~5,000 records a curriculum stage asks of a task: expect repeats at that size")
