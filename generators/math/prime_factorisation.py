"""Prime factorisation (middle): 360 = 2^3 × 3^2 × 5, by trial division.

Each step divides by the smallest prime that divides what is left (``360 ÷ 2 = 180``),
checked by recomputing the product; the last step says that what is left is prime.
Slips: dividing by a prime that does not divide (``not_a_divisor``) and dividing by a
composite number (``composite_factor``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from generators.answers import parse_factorisation
from reasoning.schema import Check
from reasoning.steps import Slip, StepLog, check_slip_rate
from reasoning.task import Problem, Task, Verdict

NAME = "prime_factorisation"
VERSION = "1"


@dataclass(frozen=True)
class Config:
    min_value: int = 12
    max_value: int = 1000
    slip_rate: float = 0.1  # chance that a step is first proposed with a slip

    def __post_init__(self) -> None:
        if not 4 <= self.min_value <= self.max_value <= 10**6:
            raise ValueError("need 4 <= min_value <= max_value <= 1000000 (e.g. 12 and 1000)")
        check_slip_rate(self.slip_rate)


def smallest_factor(n: int) -> int:
    """The smallest prime factor of n >= 2 (n itself when n is prime)."""
    k = 2
    while k * k <= n:
        if n % k == 0:
            return k
        k += 1
    return n


def written(factors: dict[int, int]) -> str:
    """{2: 3, 5: 1} -> '2^3 × 5'."""
    return " × ".join(f"{p}^{e}" if e > 1 else str(p) for p, e in sorted(factors.items()))


def generate(rng: random.Random, level: str, config: Config) -> Problem:
    n = rng.randint(config.min_value, config.max_value)
    while smallest_factor(n) == n:  # a prime has nothing to factorise: take the next number
        n = n + 1
    log = StepLog(rng, config.slip_rate)
    factors: dict[int, int] = {}
    left = n
    while True:
        p = smallest_factor(left)
        if p == left:
            break

        def slip(left=left, p=p) -> Slip:
            composite = p * p if left % (p * p) == 0 and p == 2 else 0
            if composite:
                return ("composite_factor", f"{left} ÷ {composite} = {left // composite}",
                        f"{composite} = {p} × {p} is not prime: divide by {p} ✗",
                        Check(checker="exact_integer", ok=False, detail=f"{composite} is not prime"))
            miss = next(k for k in range(p + 1, p + 40) if smallest_factor(k) == k and left % k)
            return ("not_a_divisor", f"{left} ÷ {miss} = {left // miss}",
                    f"{miss} × {left // miss} = {miss * (left // miss)}, not {left} ✗",
                    Check(checker="exact_integer", ok=False,
                          detail=f"{left} = {left // miss} × {miss} + {left % miss}"))

        ok = (left // p) * p == left and smallest_factor(p) == p
        log.add(f"{left} ÷ {p} = {left // p}", f"{p} × {left // p} = {left}, {p} is prime ✓",
                Check(checker="exact_integer", ok=ok, detail=f"{p} × {left // p} = {left}"),
                location=f"dividing {left}", slip=slip)
        factors[p] = factors.get(p, 0) + 1
        left //= p
    factors[left] = factors.get(left, 0) + 1
    ok = smallest_factor(left) == left
    log.add(f"{left} is prime: stop", f"no prime up to √{left} divides {left} ✓",
            Check(checker="trial_division", ok=ok,
                  detail=f"smallest factor of {left} is {smallest_factor(left)}"))
    answer = written(factors)
    product = 1
    for p, e in factors.items():
        product *= p**e
    ok = product == n
    log.add(f"{n} = {answer}", f"the product is {product} ✓",
            Check(checker="exact_integer", ok=ok, detail=f"product {product}"))
    return Problem(
        task=NAME,
        level=level,
        prompt=f"Write {n} as a product of primes.",
        steps=log.steps,
        answer=answer,
        error=log.error,
        data={"factors": [[p, e] for p, e in sorted(factors.items())]},
    )


def verify(problem: Problem, answer_text: str) -> Verdict:
    got, why = parse_factorisation(answer_text)
    if got is None:
        return Verdict(0.0, why)
    want = {int(p): int(e) for p, e in problem.data["factors"]}
    if got == want:
        return Verdict(1.0, "correct")
    return Verdict(0.0, f"wrong factorisation: got {written(got)}, expected {written(want)}")


TASK = Task(
    name=NAME,
    domain="math",
    levels=("middle",),
    version=VERSION,
    config_cls=Config,
    generate=generate,
    verify=verify,
    description="prime factorisation by trial division, written as prime powers",
)

# Distinct questions the default config can produce, a lower bound: the distinct questions
# seen in 8,000 draws (seed 7).
PROBLEM_SPACE = 826
SPACE_NOTE = ("fewer than 50,000 distinct questions, under 10x the ~5,000 records a curriculum stage asks of a task: expect repeats at that size")
