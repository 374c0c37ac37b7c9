"""Logarithms (high): evaluate with the log laws, and solve log_b(a·x + c) = n.

Evaluate: log_b(m) + log_b(k) - log_b(q) is combined into one logarithm of an exact power
of b. Solve: the equation is rewritten in exponential form and solved for x, with a
domain check. Claims are exact (powers and fractions) and re-checkable with sympy's
`log(v, b)`. Slips: log_b(m) + log_b(k) = log_b(m + k) (wrong rule), log_b(y) = n read as
y = n·b (wrong rule), a sign error isolating x.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from fractions import Fraction

from generators.answer_comparison import verdict_values
from generators.math.sympy_steps import Trace, exact_claim
from reasoning.schema import Check
from reasoning.steps import check_slip_rate
from reasoning.task import Problem, Task, Verdict

NAME = "logarithms"
VERSION = "2"
KINDS = ("evaluate", "solve")


@dataclass(frozen=True)
class Config:
    kinds: tuple[str, ...] = KINDS
    bases: tuple[int, ...] = (2, 3, 5, 10)
    slip_rate: float = 0.1

    def __post_init__(self) -> None:
        if not self.kinds or set(self.kinds) - set(KINDS):
            raise ValueError(f"kinds must be a non-empty subset of {KINDS}")
        if not self.bases or any(not 2 <= b <= 10 for b in self.bases):
            raise ValueError("bases must be whole numbers from 2 to 10, e.g. (2, 3, 10)")
        check_slip_rate(self.slip_rate)


def _evaluate(rng: random.Random, t: Trace, b: int) -> tuple[str, Fraction]:
    p, q, s = rng.randint(1, 4), rng.randint(1, 4), rng.randint(0, 3)
    m, k, d = b**p * rng.choice((1, 2, 3)), b**q, b**s
    m_extra = m // b**p  # a factor that cancels against the divisor below
    d *= m_extra
    inside = Fraction(m * k, d)
    total = p + q - s
    t.add(f"log_{b}({m}) + log_{b}({k}) = log_{b}({m}·{k}) = log_{b}({m * k})",
          "the log of a product is the sum of the logs ✓",
          Check(checker="exact_arithmetic", ok=True, detail=f"log({m}, {b}) + log({k}, {b}) == log({m * k}, {b})"),
          "product law",
          slip=lambda: ("wrong_rule", f"log_{b}({m}) + log_{b}({k}) = log_{b}({m + k})",
                        f"logs of a sum do not add: the product law gives log_{b}({m * k}) ✗",
                        Check(checker="exact_arithmetic", ok=False,
                              detail=f"log({m}, {b}) + log({k}, {b}) == log({m + k}, {b})"))
          if m + k != m * k else None)  # 2 + 2 = 2·2: adding the insides is no mistake there
    t.add(f"log_{b}({m * k}) - log_{b}({d}) = log_{b}({m * k}/{d}) = log_{b}({inside})",
          "the log of a quotient is the difference of the logs ✓",
          Check(checker="exact_arithmetic", ok=Fraction(m * k, d) == inside,
                detail=f"log({m * k}, {b}) - log({d}, {b}) == log({inside}, {b})"), "quotient law")
    t.add(f"{inside} = {b}^{pn(Fraction(total))}, so log_{b}({inside}) = {total}", f"{b}^{pn(Fraction(total))} = {inside} ✓",
          exact_claim(f"Rational({b})**({total})", Fraction(b) ** total, inside), "evaluate")
    return f"Evaluate log_{b}({m}) + log_{b}({k}) - log_{b}({d}).", Fraction(total)


def pn(v: Fraction) -> str:
    """A number after an operator: negatives (and fractions) in brackets."""
    return f"({v})" if v < 0 or v.denominator != 1 else str(v)


def _solve(rng: random.Random, t: Trace, b: int) -> tuple[str, Fraction]:
    n = rng.randint(1, 4 if b < 5 else 2)
    a, c = rng.choice((1, 2, 3, 4, 5)), rng.randint(-9, 9)
    power = b**n
    x = Fraction(power - c, a)
    lin = ("x" if a == 1 else f"{a}x") + (f" {'+' if c > 0 else '-'} {abs(c)}" if c else "")
    t.add(f"exponential form: {lin} = {b}^{n} = {power}", f"log_{b}(y) = {n} means y = {b}^{n} = {power} ✓",
          exact_claim(f"{b}**{n}", power, power), "exponential form",
          slip=lambda: ("wrong_rule", f"exponential form: {lin} = {n}·{b} = {n * b}",
                        f"log_{b}(y) = {n} means y = {b}^{n}, not {n}·{b} ✗",
                        exact_claim(f"{b}**{n}", n * b, power)))
    wrong = Fraction(power + c, a)
    t.add(f"x = ({power} - ({c}))/{a} = {x}", f"{a}·{pn(x)} + ({c}) = {power} ✓",
          exact_claim(f"({power} - ({c}))/Rational({a})", x, x), "isolate x",
          slip=(lambda: ("sign_error", f"x = ({power} + ({c}))/{a} = {wrong}",
                         f"{c} moves across as {-c}: x = {x} ✗",
                         exact_claim(f"({power} - ({c}))/Rational({a})", wrong, x))) if c else None)
    t.add(f"domain: {a}·{pn(x)} + ({c}) = {power} > 0, so x = {x} is allowed", "the log's argument is positive ✓",
          exact_claim(f"{a}*Rational({x.numerator}, {x.denominator}) + ({c})", a * x + c, power), "domain")
    return f"Solve log_{b}({lin}) = {n} for x.", x


def generate(rng: random.Random, level: str, config: Config) -> Problem:
    kind, b = rng.choice(config.kinds), rng.choice(config.bases)
    t = Trace(rng, config.slip_rate)
    prompt, value = (_evaluate if kind == "evaluate" else _solve)(rng, t, b)
    answer = str(value) if kind == "evaluate" else f"x = {value}"  # a solution names x
    return Problem(task=NAME, level=level, prompt=prompt, steps=t.steps, answer=answer,
                   error=t.error, data={"expected": [str(value)]})


def verify(problem: Problem, answer_text: str) -> Verdict:
    return verdict_values(answer_text, problem.data["expected"], "x")


TASK = Task(name=NAME, domain="math", levels=("high",), version=VERSION, config_cls=Config,
            generate=generate, verify=verify,
            description="logarithm laws and log equations, exact")

# Distinct questions the default config can produce, a lower bound: the distinct questions
# seen in 8,000 draws (seed 7).
PROBLEM_SPACE = 1769
SPACE_NOTE = ("fewer than 50,000 distinct questions, under 10x the ~5,000 records a curriculum stage asks of a task: expect repeats at that size")
