"""Greatest common divisor and least common multiple (middle), by Euclid's algorithm.

Each step divides with remainder (``84 ÷ 36: 2 × 36 + 12 = 84``), checked by recomputing
the product, the sum and that the remainder is smaller than the divisor; the gcd is the
last nonzero remainder and lcm = a × b ÷ gcd. Slips: a wrong remainder (``digit_fact``)
and taking a × b for the lcm (``lcm_as_product``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from generators.answers import verify_number
from generators.slips import wrong_value
from reasoning.schema import Check, Step
from reasoning.steps import StepLog, check_slip_rate
from reasoning.task import Problem, Task, Verdict

NAME = "gcd_lcm"
VERSION = "2"


@dataclass(frozen=True)
class Config:
    max_factor: int = 12  # the shared factor
    max_cofactor: int = 20
    slip_rate: float = 0.1  # chance that a step is first proposed with a slip

    def __post_init__(self) -> None:
        if not 1 <= self.max_factor <= 1000:
            raise ValueError(f"max_factor must lie in [1, 1000] (e.g. 12), got {self.max_factor}")
        if not 2 <= self.max_cofactor <= 1000:
            raise ValueError(
                f"max_cofactor must lie in [2, 1000] (e.g. 20), got {self.max_cofactor}"
            )
        check_slip_rate(self.slip_rate)


def check_division(a: int, b: int, q: int, r: int) -> Check:
    """Recheck a = q × b + r with 0 <= r < b."""
    ok = q * b + r == a and 0 <= r < b
    return Check(
        checker="exact_integer",
        ok=ok,
        detail=f"{a} = {a // b} × {b} + {a % b}" + ("" if ok else f"; claimed remainder {r}"),
    )


def generate(rng: random.Random, level: str, config: Config) -> Problem:
    g = rng.randint(1, config.max_factor)
    m, n = rng.sample(range(2, config.max_cofactor + 1), 2)
    a, b = g * max(m, n), g * min(m, n)
    ask = rng.choice(("gcd", "lcm"))
    log = StepLog(rng, config.slip_rate)
    steps = log.steps

    x, y = a, b
    while y:
        q, r = divmod(x, y)
        text = f"{x} ÷ {y}: {q} × {y} + {r} = {x}, remainder {r}"
        if log.coin():
            # the product q × y misremembered, so the remainder x - q·y comes out wrong
            kind, wp = wrong_value(rng, q * y, operation=(q, "×", y))
            wr = x - wp
            if 0 <= wr != r:
                wrong = f"{x} ÷ {y}: {q} × {y} + {wr} = {x}, remainder {wr}"
                log.reject(kind, wrong, f"{q} × {y} = {q * y}, {x} - {q * y} = {r} ✗", check_division(x, y, q, wr), original=text)
        check = check_division(x, y, q, r)
        steps.append(
            Step(
                proposal=text,
                critic=f"{q} × {y} + {r} = {x} ✓",
                verdict="accept" if check.ok else "reject",
                check=check,
            )
        )
        x, y = y, r
    gcd = x
    ok = a % gcd == 0 == b % gcd
    steps.append(
        Step(
            proposal=f"remainder 0, so gcd({a}, {b}) = {gcd}",
            critic=f"{gcd} divides {a} and {b} ✓",
            verdict="accept" if ok else "reject",
            check=Check(checker="exact_integer", ok=ok, detail=f"{a} % {gcd} = 0, {b} % {gcd} = 0"),
        )
    )
    answer = gcd
    if ask == "lcm":
        lcm = a * b // gcd
        text = f"lcm({a}, {b}) = {a} × {b} ÷ {gcd} = {lcm}"
        if gcd > 1 and log.coin():
            wrong = f"lcm({a}, {b}) = {a} × {b} = {a * b}"
            log.reject("lcm_as_product", wrong, f"{a} and {b} share {gcd}: divide the product by the gcd ✗", Check(checker="exact_integer", ok=False, detail=f"lcm is {lcm}, claimed {a * b}"), original=text)
        ok = lcm % a == 0 == lcm % b and lcm * gcd == a * b
        steps.append(
            Step(
                proposal=text,
                critic=f"{lcm} is a multiple of {a} and {b} ✓",
                verdict="accept" if ok else "reject",
                check=Check(checker="exact_integer", ok=ok, detail=f"{lcm} × {gcd} = {a * b}"),
            )
        )
        answer = lcm
    return Problem(
        task=NAME,
        level=level,
        prompt=f"Find the {'greatest common divisor' if ask == 'gcd' else 'least common multiple'}"
        f" of {a} and {b}.",
        steps=steps,
        answer=str(answer),
        error=log.error,
        data={"expected": str(answer)},
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
    description="gcd by Euclid's algorithm and lcm = a × b ÷ gcd",
)

# Distinct questions the default config can produce, a lower bound: the distinct questions
# seen in 8,000 draws (seed 7).
PROBLEM_SPACE = 2999
SPACE_NOTE = ("fewer than 50,000 distinct questions, under 10x the ~5,000 records a curriculum stage asks of a task: expect repeats at that size")
