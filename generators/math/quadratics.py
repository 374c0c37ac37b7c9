"""Quadratic equations (high): by factoring, by the formula, and x·(ax + b) = 0 forms.

The roots are chosen first and the equation built from them. Steps: factor (checked by
expanding), the discriminant (exact), each root (checked by substituting it back). Slips:
a sign error in the factors or the discriminant, and dividing both sides by x (a term
that can be zero), which loses the root x = 0.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import sympy

from generators.answer_comparison import verdict_values
from generators.math.sympy_steps import Trace, claim, exact_claim, fmt, pm_roots
from generators.step_check import judge_claims
from reasoning.schema import Check
from reasoning.steps import check_slip_rate
from reasoning.task import Problem, StepJudgement, Task, Verdict

NAME = "quadratics"
VERSION = "2"
METHODS = ("factoring", "formula", "common_factor")
X = sympy.Symbol("x")


@dataclass(frozen=True)
class Config:
    methods: tuple[str, ...] = METHODS
    max_root: int = 9
    slip_rate: float = 0.1

    def __post_init__(self) -> None:
        if not self.methods or set(self.methods) - set(METHODS):
            raise ValueError(f"methods must be a non-empty subset of {METHODS}")
        if not 2 <= self.max_root <= 50:
            raise ValueError("max_root must lie in 2..50 (e.g. 9)")
        check_slip_rate(self.slip_rate)


def pn(v: int) -> str:
    """A number after an operator or under a power: negatives in brackets, (-7)^2."""
    return f"({v})" if v < 0 else str(v)


def _root_step(t: Trace, poly: sympy.Expr, root: sympy.Expr) -> None:
    shown = fmt(poly).replace("x", f"({fmt(root)})")
    t.add(f"check x = {fmt(root)}: {shown} = 0",
          f"substituting x = {fmt(root)} gives 0 ✓",
          claim(sympy.expand(poly.subs(X, root)), sympy.Integer(0), f"Subs({poly}, x, {root})"),
          f"root {fmt(root)}")


def generate(rng: random.Random, level: str, config: Config) -> Problem:
    method = rng.choice(config.methods)
    m = config.max_root
    t = Trace(rng, config.slip_rate)
    if method == "factoring":
        r, s = rng.randint(-m, m), rng.randint(-m, m)
        a = rng.choice((1, 1, 2, 3))
        poly = sympy.expand(a * (X - r) * (X - s))
        factored = a * (X - r) * (X - s)
        wrong = a * (X + r) * (X + s)
        t.add(f"factor: {fmt(poly)} = {fmt(factored)}", f"expanding gives {fmt(poly)} ✓",
              claim(factored, poly), "factoring",
              slip=lambda: ("sign_error", f"factor: {fmt(poly)} = {fmt(wrong)}",
                            f"{fmt(wrong)} expands to {fmt(sympy.expand(wrong))}: the signs are wrong ✗",
                            claim(wrong, poly)))
        t.add(f"a product is zero when a factor is: {fmt(X - r)} = 0 or {fmt(X - s)} = 0",
              "zero-product property ✓", claim(factored.subs(X, r) + factored.subs(X, s), sympy.Integer(0),
                                               f"Subs({factored}, x, {r}) + Subs({factored}, x, {s})"),
              "zero product")
        roots = sorted({sympy.Integer(r), sympy.Integer(s)})
    elif method == "common_factor":
        a, r = rng.randint(1, 4), rng.choice([i for i in range(-m, m + 1) if i])
        poly = sympy.expand(a * X * (X - r))
        lhs, rhs = a * X**2, a * r * X
        t.add(f"{fmt(lhs)} = {fmt(rhs)} becomes {fmt(poly)} = 0, x·({fmt(a * (X - r))}) = 0",
              "x is a common factor; moving every term to one side keeps the roots ✓",
              claim(X * a * (X - r), poly), "common factor",
              slip=lambda: ("divide_by_zero_term", f"divide both sides by x: {fmt(a * X)} = {a * r}, so x = {r}",
                            "x can be 0: dividing by x loses the root x = 0 ✗",
                            Check(checker="sympy_equivalence", ok=False,
                                  detail=f"FiniteSet({r}) == FiniteSet(0, {r})")))
        roots = sorted({sympy.Integer(0), sympy.Integer(r)})
        problem_eq = f"{fmt(lhs)} = {fmt(rhs)}"
    else:
        a, b = rng.randint(1, 3), rng.randint(-m, m)
        c = rng.randint(-m, m)
        d = b * b - 4 * a * c
        while d < 0 or sympy.sqrt(d).is_Integer:
            c -= 1
            d = b * b - 4 * a * c
        poly = a * X**2 + b * X + c
        t.add(f"a = {a}, b = {b}, c = {c}: D = b^2 - 4ac = {b * b} - {pn(4 * a * c)} = {d}",
              f"{pn(b)}^2 - 4·{a}·{pn(c)} = {d} ✓", exact_claim(f"({b})**2 - 4*{a}*({c})", d, d), "discriminant",
              slip=lambda: ("sign_error", f"D = b^2 + 4ac = {b * b} + {pn(4 * a * c)} = {b * b + 4 * a * c}",
                            f"the discriminant is b^2 - 4ac = {d} ✗",
                            exact_claim(f"({b})**2 - 4*{a}*({c})", b * b + 4 * a * c, d)))
        roots = [(-b - sympy.sqrt(d)) / (2 * a), (-b + sympy.sqrt(d)) / (2 * a)]
        shown = pm_roots(sympy.Rational(-b, 2 * a), sympy.sqrt(d) / (2 * a))
        t.add(f"x = (-b ± √D)/(2a) = ({-b} ± √{d})/{2 * a}: x = {shown[0]} or x = {shown[1]}",
              f"the roots sum to -b/a = {fmt(sympy.Rational(-b, a))} ✓",
              claim(roots[0] + roots[1], sympy.Rational(-b, a)), "formula")
    for root in roots:
        _root_step(t, poly, root)
    if method == "formula":  # p ∓ q, the same term order in both roots
        values = pm_roots(sympy.Rational(-b, 2 * a), sympy.sqrt(d) / (2 * a))
    else:
        values = [fmt(r) for r in roots]
    answer = " or ".join(f"x = {v}" for v in values)
    equation = problem_eq if method == "common_factor" else f"{fmt(poly)} = 0"
    how = {"factoring": "by factoring", "formula": "with the quadratic formula",
           "common_factor": "by factoring"}[method]  # fmt: skip
    return Problem(task=NAME, level=level, prompt=f"Solve {equation} for x {how}. Give every root.",
                   steps=t.steps, answer=answer, error=t.error,
                   data={"expected": values, "method": method})


def verify(problem: Problem, answer_text: str) -> Verdict:
    return verdict_values(answer_text, problem.data["expected"], "x")


def exact_roots(problem: Problem) -> list[Fraction]:
    """The rational roots of a problem (for tests and benchmarks)."""
    return [Fraction(v) for v in problem.data["expected"] if "sqrt" not in v]


def check_step(problem: Problem, previous: Sequence[str], proposal: str) -> StepJudgement:
    """An equation a step writes must keep every rational root (dividing by x loses one);
    a named root must be a root."""
    roots = tuple({"x": r} for r in exact_roots(problem))
    return judge_claims(proposal, ("x",), solutions=roots if len(roots) == len(problem.data["expected"]) else ())

TASK = Task(name=NAME, domain="math", levels=("high",), version=VERSION, config_cls=Config,
            generate=generate, verify=verify, check_step=check_step,
            description="quadratic equations by factoring and by the formula, roots checked by sympy")

# Distinct questions the default config can produce, a lower bound: the distinct questions
# seen in 8,000 draws (seed 7).
PROBLEM_SPACE = 1183
SPACE_NOTE = ("fewer than 50,000 distinct questions, under 10x the ~5,000 records a curriculum stage asks of a task: expect repeats at that size")
