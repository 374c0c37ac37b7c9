"""Taylor (Maclaurin) polynomials (university) of exp, sin, cos, sinh, cosh, log(1 + kx) and
1/(1 - kx), for k = ±1..±5.

Steps give the derivatives at 0 from the function's known pattern, each checked against
sympy's derivative; then the coefficients f^(j)(0)/j! and the polynomial, whose claim
`series(f, x, 0, n + 1).removeO() == T` a test re-checks with sympy's `series`. Slips:
forgetting to divide by j! (wrong rule), a sign error in a trig derivative.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

import sympy

from generators.answer_comparison import verdict_expression
from generators.math.sympy_steps import Trace, claim, derivative, fmt
from reasoning.schema import Check
from reasoning.steps import check_slip_rate
from reasoning.task import Problem, Task, Verdict

NAME = "taylor"
VERSION = "2"
FUNCS = ("exp", "sin", "cos", "sinh", "cosh", "log", "geometric")
RATES = (1, 2, 3, 4, 5, -1, -2, -3, -4, -5)  # k in f(k·x)
X = sympy.Symbol("x")


@dataclass(frozen=True)
class Config:
    functions: tuple[str, ...] = FUNCS
    max_order: int = 6
    slip_rate: float = 0.1

    def __post_init__(self) -> None:
        if not self.functions or set(self.functions) - set(FUNCS):
            raise ValueError(f"functions must be a non-empty subset of {FUNCS}")
        if not 2 <= self.max_order <= 8:
            raise ValueError("max_order must lie in 2..8 (e.g. 5)")
        check_slip_rate(self.slip_rate)


def _pattern(kind: str, k: int, j: int) -> int:
    """f^(j)(0) from the known derivative pattern (independent of sympy)."""
    if kind == "exp":
        return k**j
    if kind == "sin":
        return (0, 1, 0, -1)[j % 4] * k**j
    if kind == "cos":
        return (1, 0, -1, 0)[j % 4] * k**j
    if kind == "sinh":
        return (j % 2) * k**j
    if kind == "cosh":
        return (1 - j % 2) * k**j
    if kind == "log":
        return 0 if j == 0 else (-1) ** (j - 1) * math.factorial(j - 1) * k**j
    return math.factorial(j) * k**j  # 1/(1 - kx)


def function(kind: str, k: int) -> sympy.Expr:
    """f(x) of a kind and rate k."""
    return {"exp": sympy.exp, "sin": sympy.sin, "cos": sympy.cos, "sinh": sympy.sinh,
            "cosh": sympy.cosh, "log": lambda u: sympy.log(1 + u),
            "geometric": lambda u: 1 / (1 - u)}[kind](k * X)  # fmt: skip


def generate(rng: random.Random, level: str, config: Config) -> Problem:
    kind = rng.choice(config.functions)
    k = rng.choice(RATES)
    n = rng.randint(2, config.max_order)
    f = function(kind, k)
    t = Trace(rng, config.slip_rate)
    values, current = [], f
    for j in range(n + 1):
        v = _pattern(kind, k, j)
        values.append(v)
        at0 = current.subs(X, 0)
        detail = f"Subs(Derivative({f}, (x, {j})), x, 0)" if j else f"Subs({f}, x, 0)"

        def sign_slip(j=j, v=v, at0=at0, detail=detail):
            return ("sign_error", f"f^({j})(0) = {-v}",
                    f"the derivatives of sin and cos cycle with signs: {v} ✗",
                    claim(at0, sympy.Integer(-v), detail))

        t.add(f"f^({j})(0) = {v}", f"derivative {j} of {fmt(f)} at 0 is {v} ✓",
              claim(at0, sympy.Integer(v), detail), f"derivative {j}",
              slip=sign_slip if kind in ("sin", "cos") and v else None)
        current = derivative(current, X)
    poly = sum(sympy.Rational(v, math.factorial(j)) * X**j for j, v in enumerate(values))
    bad = sum(sympy.Integer(v) * X**j for j, v in enumerate(values))
    terms = " + ".join(f"({v}/{j}!)x^{j}" for j, v in enumerate(values) if v)
    series_text = f"series({f}, x, 0, {n + 1}).removeO()"
    t.add(f"T{n}(x) = Σ f^(j)(0)/j!·x^j = {terms} = {fmt(poly)}", "each coefficient is f^(j)(0)/j! ✓",
          _poly_claim(poly, values, series_text), "assemble",
          slip=(lambda: ("wrong_rule", f"T{n}(x) = Σ f^(j)(0)·x^j = {fmt(bad)}",
                         "the coefficients must be divided by j! ✗",
                         _poly_claim(bad, values, series_text))) if bad != poly else None)
    return Problem(task=NAME, level=level,
                   prompt=f"Find the Taylor polynomial of degree {n} of f(x) = {fmt(f)} about x = 0.",
                   steps=t.steps, answer=fmt(poly), error=t.error, data={"expected": fmt(poly)})


def _poly_claim(poly: sympy.Expr, values: list[int], detail_lhs: str) -> Check:
    """Check that the polynomial's j-th coefficient times j! is f^(j)(0) for every j."""
    ok = sympy.degree(poly, X) <= len(values) - 1 and all(
        poly.coeff(X, j) * math.factorial(j) == v for j, v in enumerate(values))
    return Check(checker="sympy_equivalence", ok=bool(ok), detail=f"{detail_lhs} == {poly}")


def verify(problem: Problem, answer_text: str) -> Verdict:
    return verdict_expression(answer_text, problem.data["expected"], ("x",))


TASK = Task(name=NAME, domain="math", levels=("university",), version=VERSION, config_cls=Config,
            generate=generate, verify=verify,
            description="Maclaurin polynomials of exp, sin, cos, sinh, cosh, log(1 + kx), 1/(1 - kx)")


def problem_space(config: Config) -> int:
    """Distinct questions of `config`: distinct f(kx) (cos(-kx) is cos(kx)) times degrees."""
    functions = {str(function(kind, k)) for kind in config.functions for k in RATES}
    return len(functions) * (config.max_order - 1)


# Distinct questions of the default config, exact (`problem_space`; a test recounts it).
PROBLEM_SPACE = 300
SPACE_NOTE = ("300 questions by nature: seven standard functions f(kx), k = ±1..±5, degrees "
              "2..6; a curriculum stage that asks for more records repeats them")
