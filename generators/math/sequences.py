"""Arithmetic and geometric sequences and their sums (high), computed exactly.

Steps find the common difference or ratio from two given terms, apply the n-th term or
partial-sum formula, and evaluate it; each claim is exact arithmetic (fractions) with the
formula written out so it can be re-checked. Slips: the off-by-one `a + n·d` for
`a + (n - 1)·d`, a sign error in the difference.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from fractions import Fraction

from generators.answer_comparison import verdict_values
from generators.math.sympy_steps import Trace, exact_claim
from reasoning.steps import check_slip_rate
from reasoning.task import Problem, Task, Verdict

NAME = "sequences"
VERSION = "2"
KINDS = ("arithmetic", "geometric")
ASKS = ("term", "sum")


@dataclass(frozen=True)
class Config:
    kinds: tuple[str, ...] = KINDS
    asks: tuple[str, ...] = ASKS
    max_n: int = 12
    slip_rate: float = 0.1

    def __post_init__(self) -> None:
        if not self.kinds or set(self.kinds) - set(KINDS):
            raise ValueError(f"kinds must be a non-empty subset of {KINDS}")
        if not self.asks or set(self.asks) - set(ASKS):
            raise ValueError(f"asks must be a non-empty subset of {ASKS}")
        if not 4 <= self.max_n <= 40:
            raise ValueError("max_n must lie in 4..40 (e.g. 12)")
        check_slip_rate(self.slip_rate)


def pn(v: int) -> str:
    """A number after an operator: negatives in brackets."""
    return f"({v})" if v < 0 else str(v)


def generate(rng: random.Random, level: str, config: Config) -> Problem:
    kind, ask = rng.choice(config.kinds), rng.choice(config.asks)
    n = rng.randint(5, config.max_n)
    t = Trace(rng, config.slip_rate)
    a = rng.choice([i for i in range(-9, 10) if i])
    if kind == "arithmetic":
        d = rng.choice([i for i in range(-7, 8) if i])
        a2 = a + d
        t.add(f"d = a2 - a1 = {a2} - ({a}) = {d}", f"{a2} - ({a}) = {d} ✓",
              exact_claim(f"{a2} - ({a})", d, a2 - a), "common difference",
              slip=lambda: ("sign_error", f"d = a1 - a2 = {a - a2}", f"d = a2 - a1 = {d}, not {a - a2} ✗",
                            exact_claim(f"{a2} - ({a})", a - a2, a2 - a)))
        an = a + (n - 1) * d
        t.add(f"a{n} = a1 + ({n} - 1)·d = {a} + {n - 1}·({d}) = {an}", f"{a} + {n - 1}·({d}) = {an} ✓",
              exact_claim(f"{a} + ({n} - 1)*({d})", an, an), "n-th term",
              slip=lambda: ("off_by_one", f"a{n} = a1 + {n}·d = {a + n * d}",
                            f"the n-th term adds (n - 1)·d, not n·d: {an} ✗",
                            exact_claim(f"{a} + ({n} - 1)*({d})", a + n * d, an)))
        value = an
        if ask == "sum":
            value = Fraction(n * (a + an), 2)
            t.add(f"S{n} = n·(a1 + a{n})/2 = {n}·({a} + {pn(an)})/2 = {value}", f"{n}·{pn(a + an)}/2 = {value} ✓",
                  exact_claim(f"{n}*({a} + ({an}))/2", value, value), "partial sum")
        shown = f"{a}, {a2}, {a2 + d}, ..."
    else:
        r = Fraction(rng.choice(("2", "3", "-2", "-3", "1/2", "-1/2", "3/2", "2/3")))
        n = min(n, 8)
        a2 = a * r
        t.add(f"r = a2 / a1 = {a2} / ({a}) = {r}", f"{a2} / ({a}) = {r} ✓",
              exact_claim(f"({a2}) / ({a})", r, a2 / a), "common ratio",
              slip=lambda: ("wrong_rule", f"r = a2 - a1 = {a2 - a}", f"a geometric sequence has a ratio: {r} ✗",
                            exact_claim(f"({a2}) / ({a})", a2 - a, r)))
        an = a * r ** (n - 1)
        t.add(f"a{n} = a1·r^({n} - 1) = {a}·({r})^{n - 1} = {an}", f"{a}·({r})^{n - 1} = {an} ✓",
              exact_claim(f"{a}*({r})**({n} - 1)", an, an), "n-th term",
              slip=lambda: ("off_by_one", f"a{n} = a1·r^{n} = {a * r**n}",
                            f"the n-th term uses r^(n - 1): {an} ✗",
                            exact_claim(f"{a}*({r})**({n} - 1)", a * r**n, an)))
        value = an
        if ask == "sum":
            value = a * (1 - r**n) / (1 - r)
            t.add(f"S{n} = a1·(1 - r^{n})/(1 - r) = {a}·(1 - ({r})^{n})/(1 - ({r})) = {value}",
                  f"= {value} ✓", exact_claim(f"{a}*(1 - ({r})**{n})/(1 - ({r}))", value, value), "partial sum")
        shown = f"{a}, {a2}, {a2 * r}, ..."
    what = f"the {n}th term" if ask == "term" else f"the sum of the first {n} terms"
    return Problem(task=NAME, level=level,
                   prompt=f"The {kind} sequence {shown} continues. Find {what}.",
                   steps=t.steps, answer=str(value), error=t.error, data={"expected": [str(value)]})


def verify(problem: Problem, answer_text: str) -> Verdict:
    return verdict_values(answer_text, problem.data["expected"], "S")


TASK = Task(name=NAME, domain="math", levels=("high",), version=VERSION, config_cls=Config,
            generate=generate, verify=verify,
            description="arithmetic and geometric sequences: n-th terms and partial sums, exact")

# Distinct questions the default config can produce, a lower bound: the distinct questions
# seen in 8,000 draws (seed 7).
PROBLEM_SPACE = 3503
SPACE_NOTE = ("fewer than 50,000 distinct questions, under 10x the ~5,000 records a curriculum stage asks of a task: expect repeats at that size")
