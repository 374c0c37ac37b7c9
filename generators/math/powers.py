"""Powers (middle): 3^4, (-2)^5, 5^0, 2^(-3) by repeated multiplication.

Each step multiplies by the base once more (``3^3 = 9 × 3 = 27``), checked exactly; a
negative exponent takes the reciprocal at the end (``2^(-3) = 1 ÷ 8 = 1/8``) and exponent 0
gives 1. Slips: multiplying base by exponent (``multiplied_by_exponent``), losing the sign
of a negative base (``sign_error``), a times-table error (``digit_fact``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from fractions import Fraction

from generators.answers import fraction_text, verify_number
from generators.slips import wrong_value
from reasoning.schema import Check, Step
from reasoning.steps import StepLog, check_slip_rate
from reasoning.task import Problem, Task, Verdict

NAME = "powers"
VERSION = "2"


@dataclass(frozen=True)
class Config:
    max_base: int = 12
    max_exponent: int = 5
    negative_bases: bool = True
    negative_exponents: bool = True
    slip_rate: float = 0.1  # chance that a step is first proposed with a slip

    def __post_init__(self) -> None:
        if not 2 <= self.max_base <= 100:
            raise ValueError(f"max_base must lie in [2, 100] (e.g. 12), got {self.max_base}")
        if not 1 <= self.max_exponent <= 12:
            raise ValueError(f"max_exponent must lie in [1, 12] (e.g. 5), got {self.max_exponent}")
        check_slip_rate(self.slip_rate)


def pn(v: int) -> str:
    return f"({v})" if v < 0 else str(v)


def power_text(base: int, exp: int) -> str:
    return f"{pn(base)}^{pn(exp)}"


def check_product(x: int, base: int, claimed: int) -> Check:
    """Recompute x × base exactly."""
    ok = x * base == claimed
    return Check(
        checker="exact_integer",
        ok=ok,
        detail=f"{x} × {pn(base)} = {x * base}" + ("" if ok else f"; claimed {claimed}"),
    )


def generate(rng: random.Random, level: str, config: Config) -> Problem:
    low = -config.max_base if config.negative_bases else 2
    base = rng.choice([b for b in range(low, config.max_base + 1) if b not in (-1, 0, 1)])
    # mostly exponents >= 2; 0 and 1 now and then, since they are rules rather than work
    exp = (
        rng.randint(2, config.max_exponent)
        if config.max_exponent >= 2 and rng.random() < 0.85
        else rng.randint(0, 1)
    )
    if config.negative_exponents and exp > 0 and rng.random() < 0.2:
        exp = -exp
    log = StepLog(rng, config.slip_rate)
    steps = log.steps

    n = abs(exp)
    if n == 0:
        text = f"{power_text(base, 0)} = 1: any nonzero number to the power 0 is 1"
        steps.append(
            Step(
                proposal=text,
                critic="the empty product is 1 ✓",
                verdict="accept",
                check=Check(checker="exact_integer", ok=base != 0, detail="base is nonzero"),
            )
        )
    else:
        steps.append(
            Step(
                proposal=f"{power_text(base, 1)} = {base}",
                critic=f"{base} ✓",
                verdict="accept",
                check=Check(checker="exact_integer", ok=base**1 == base, detail=f"{base}"),
            )
        )
    value = base if n else 1
    for k in range(2, n + 1):
        new = value * base
        text = f"{power_text(base, k)} = {value} × {pn(base)} = {new}"
        if log.coin():
            if k == 2 and n > 2:
                wv = base * n
                wrong = f"{power_text(base, n)} = {pn(base)} × {n} = {wv}"
                log.reject("multiplied_by_exponent", wrong, f"a power multiplies {base} by itself {n} times, not by {n} ✗", Check(
                        checker="exact_integer",
                        ok=False,
                        detail=f"{power_text(base, n)} = {base**n}",
                    ), original=text)
            elif base < 0:
                wrong = f"{power_text(base, k)} = {value} × {pn(base)} = {-new}"
                log.reject("sign_error", wrong, f"the sign is wrong: {value} × {pn(base)} = {new} ✗", check_product(value, base, -new), original=text)
            else:
                kind, wv = wrong_value(rng, new, operation=(value, "×", base))
                wrong = f"{power_text(base, k)} = {value} × {pn(base)} = {wv}"
                log.reject(kind, wrong, f"{value} × {base} = {new}, not {wv} ✗", check_product(value, base, wv), original=text)
        check = check_product(value, base, new)
        steps.append(
            Step(
                proposal=text,
                critic=f"{value} × {pn(base)} = {new} ✓",
                verdict="accept" if check.ok else "reject",
                check=check,
            )
        )
        value = new
    result = Fraction(value)
    if exp < 0:
        result = 1 / Fraction(value)
        ok = result * value == 1
        steps.append(
            Step(
                proposal=f"{power_text(base, exp)} = 1 ÷ {pn(value)} = {fraction_text(result)}",
                critic=f"a negative exponent takes the reciprocal of {value} ✓",
                verdict="accept" if ok else "reject",
                check=Check(
                    checker="exact_rational", ok=ok, detail=f"{fraction_text(result)} × {value} = 1"
                ),
            )
        )
    answer = fraction_text(result)
    return Problem(
        task=NAME,
        level=level,
        prompt=f"Compute {power_text(base, exp)}.",
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
    levels=("middle",),
    version=VERSION,
    config_cls=Config,
    generate=generate,
    verify=verify,
    description="integer powers by repeated multiplication, exponent 0 and negative exponents",
)

# Distinct questions the default config can produce: exact (enumerated by the tests).
PROBLEM_SPACE = 242
SPACE_NOTE = ("fewer than 50,000 distinct questions, under 10x the ~5,000 records a curriculum stage asks of a task: expect repeats at that size")
