"""Long division with remainder (primary): 173 ÷ 4 = 43 R 1.

The first step takes the smallest leading part of the dividend that the divisor goes into;
each step then finds one quotient digit and subtracts (``17: 4 × 4 = 16, 17 - 16 = 1``),
bringing down the next digit. Each step is checked exactly: the product, the difference,
and that the remainder is smaller than the divisor. Slips: a quotient digit one too big
(``quotient_too_big``), one too small (``quotient_too_small``), a subtraction error
(``digit_fact``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from generators.answers import parse_quotient_remainder
from generators.slips import wrong_value
from reasoning.schema import Check
from reasoning.steps import Slip, StepLog, check_slip_rate
from reasoning.task import Problem, Task, Verdict

NAME = "long_division"
VERSION = "2"


@dataclass(frozen=True)
class Config:
    min_digits: int = 3  # of the dividend
    max_digits: int = 4
    max_divisor: int = 9
    slip_rate: float = 0.1  # chance that a step is first proposed with a slip

    def __post_init__(self) -> None:
        if not 2 <= self.min_digits <= self.max_digits <= 8:
            raise ValueError("need 2 <= min_digits <= max_digits <= 8 (e.g. min 3, max 4)")
        if not 2 <= self.max_divisor <= 99:
            raise ValueError(f"max_divisor must lie in [2, 99] (e.g. 9), got {self.max_divisor}")
        check_slip_rate(self.slip_rate)


def step_text(head: str, part: int, q: int, divisor: int, product: int, rest: int) -> str:
    return f"{head}{part}: {q} × {divisor} = {product}, {part} - {product} = {rest}"


def check_division_step(part: int, q: int, divisor: int, product: int, rest: int) -> Check:
    """Recompute one step: q × divisor = product, part - product = rest, 0 <= rest < divisor."""
    if q * divisor != product:
        return Check(
            checker="exact_arithmetic",
            ok=False,
            detail=f"{q} × {divisor} = {q * divisor}, not {product}",
        )
    if part - product != rest:
        return Check(
            checker="exact_arithmetic",
            ok=False,
            detail=f"{part} - {product} = {part - product}, not {rest}",
        )
    ok = 0 <= rest < divisor
    why = (
        ""
        if ok
        else (
            "; the product is larger than the part"
            if rest < 0
            else "; the remainder is not smaller than the divisor"
        )
    )
    return Check(
        checker="exact_arithmetic", ok=ok, detail=f"{part} = {q} × {divisor} + {rest}{why}"
    )


def generate(rng: random.Random, level: str, config: Config) -> Problem:
    divisor = rng.randint(2, config.max_divisor)
    low = max(10 ** (config.min_digits - 1), divisor)
    dividend = rng.randint(low, 10**config.max_digits - 1)
    digits = str(dividend)
    log = StepLog(rng, config.slip_rate)
    k = 1
    while int(digits[:k]) < divisor:
        k += 1
    part, quotient, first = int(digits[:k]), 0, True
    for pos in range(k, len(digits) + 1):
        if not first:
            part = part * 10 + int(digits[pos - 1])
        head = (
            f"take {part} (the first part {divisor} goes into) → "
            if first
            else f"bring down {digits[pos - 1]} → "
        )
        q, product = part // divisor, (part // divisor) * divisor
        rest = part - product
        text = step_text(head, part, q, divisor, product, rest)

        def slip(head=head, part=part, q=q, product=product, rest=rest) -> Slip:
            kinds = (
                ["digit_fact"]
                + (["quotient_too_small"] if q > 0 else [])
                + (["quotient_too_big"] if (q + 1) * divisor - part < divisor else [])
            )
            kind = rng.choice(kinds)
            if kind == "quotient_too_big":
                wq, wp, wr = q + 1, (q + 1) * divisor, part - (q + 1) * divisor
                critic = f"{wq} × {divisor} = {wp} is more than {part}: the digit is {q} ✗"
            elif kind == "quotient_too_small":
                wq, wp, wr = q - 1, (q - 1) * divisor, part - (q - 1) * divisor
                critic = f"{wr} is not smaller than {divisor}: {divisor} goes in once more, {q} ✗"
            else:
                kind, wr = wrong_value(rng, rest)
                wq, wp = q, product
                critic = f"{part} - {product} = {rest}, not {wr} ✗"
            return (kind, step_text(head, part, wq, divisor, wp, wr), critic,
                    check_division_step(part, wq, divisor, wp, wr))

        log.add(text, f"{part} = {q} × {divisor} + {rest} ✓",
                check_division_step(part, q, divisor, product, rest),
                location=f"quotient digit {pos - k + 1}", slip=slip)
        quotient, part, first = quotient * 10 + q, rest, False
    remainder = part
    ok = quotient * divisor + remainder == dividend and 0 <= remainder < divisor
    log.add(
        f"quotient {quotient}, remainder {remainder}: {quotient} × {divisor} + {remainder} = {dividend}",
        f"{quotient} × {divisor} + {remainder} = {dividend} ✓",
        Check(checker="exact_arithmetic", ok=ok,
              detail=f"{dividend} = {quotient} × {divisor} + {remainder}"),
    )
    return Problem(
        task=NAME,
        level=level,
        prompt=f"Divide {dividend} by {divisor} by long division; give the quotient "
        "and the remainder (like 43 R 1).",
        steps=log.steps,
        answer=f"{quotient} R {remainder}",
        error=log.error,
        data={"quotient": quotient, "remainder": remainder},
    )


def verify(problem: Problem, answer_text: str) -> Verdict:
    value, why = parse_quotient_remainder(answer_text)
    if value is None:
        return Verdict(0.0, why)
    q, r = int(problem.data["quotient"]), int(problem.data["remainder"])
    if value == (q, r):
        return Verdict(1.0, "correct")
    return Verdict(0.0, f"wrong: got {value[0]} R {value[1]}, expected {q} R {r}")


TASK = Task(
    name=NAME,
    domain="math",
    levels=("primary",),
    version=VERSION,
    config_cls=Config,
    generate=generate,
    verify=verify,
    description="long division of 3-4 digit numbers by one digit, with remainder",
)

# Distinct questions the default config can produce, a lower bound: the distinct questions
# seen in 8,000 draws (seed 7).
PROBLEM_SPACE = 7634
SPACE_NOTE = ("fewer than 50,000 distinct questions, under 10x the ~5,000 records a curriculum stage asks of a task: expect repeats at that size")
