"""Derivatives rule by rule (university): product, quotient and chain rule.

The function is built from known parts (u, v or outer/inner), each part's derivative is a
step, and the rule's assembly is a step; every step states an identity that sympy checks
(`Derivative(u, x) == u'`). Slips: a sign error in a trig derivative, a power rule that
forgets to lower the exponent, the wrong rule (u'v' for a product, no inner derivative in
the chain rule, a swapped quotient numerator).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import sympy

from generators.answer_comparison import verdict_expression
from generators.math.sympy_steps import Trace, claim, claim_derivative, fmt
from reasoning.steps import check_slip_rate
from reasoning.task import Problem, Task, Verdict

NAME = "derivatives"
VERSION = "2"
RULES = ("product", "quotient", "chain")
X = sympy.Symbol("x")


@dataclass(frozen=True)
class Config:
    rules: tuple[str, ...] = RULES
    max_coefficient: int = 5
    slip_rate: float = 0.1

    def __post_init__(self) -> None:
        if not self.rules or set(self.rules) - set(RULES):
            raise ValueError(f"rules must be a non-empty subset of {RULES}")
        if not 1 <= self.max_coefficient <= 20:
            raise ValueError("max_coefficient must lie in 1..20 (e.g. 5)")
        check_slip_rate(self.slip_rate)


def _part(rng: random.Random, cmax: int, kinds: tuple[str, ...]) -> tuple[sympy.Expr, sympy.Expr, str]:
    """A building block with its derivative and the kind of slip typical for it."""
    k = rng.randint(1, min(cmax, 4))
    a = rng.randint(1, cmax) * rng.choice((1, -1))
    kind = rng.choice(kinds)
    if kind == "poly":
        n, b = rng.randint(2, 4), rng.randint(-cmax, cmax)
        return a * X**n + b, a * n * X ** (n - 1), "poly"
    if kind == "sin":
        return sympy.sin(k * X), k * sympy.cos(k * X), "sin"
    if kind == "cos":
        return sympy.cos(k * X), -k * sympy.sin(k * X), "cos"
    if kind == "exp":
        return sympy.exp(k * X), k * sympy.exp(k * X), "exp"
    return sympy.log(X), 1 / X, "log"


def _part_slip(u: sympy.Expr, du: sympy.Expr, kind: str, label: str):
    """A typical wrong derivative of a part, as a Trace slip."""
    if kind in ("sin", "cos"):
        wrong, name, why = -du, "sign_error", f"d/dx {fmt(u)} has the other sign: {fmt(du)} ✗"
    elif kind == "poly":
        wrong = sum(t.diff(X) * X for t in u.as_ordered_terms() if t.has(X))
        name, why = "wrong_rule", f"power rule lowers the exponent: {fmt(du)} ✗"
    elif kind == "exp":
        wrong, name = u, "wrong_rule"
        why = f"chain rule: the inner derivative multiplies, {fmt(du)} ✗"
    else:
        return None
    return lambda: (name, f"{label}' = {fmt(wrong)}", why, claim_derivative(u, wrong, X))


def _rate(part: sympy.Expr) -> sympy.Expr | None:
    """k for a part exp(k·x), else None."""
    return part.args[0].coeff(X) if isinstance(part, sympy.exp) else None


def tidy(rule: str, u: sympy.Expr, du: sympy.Expr, v: sympy.Expr, dv: sympy.Expr) -> sympy.Expr | None:
    """The rule's result in simplified form, built from the parts (cheap: no `simplify`):
    an exponential factor pulled out once and never left to cancel against a quotient's
    denominator, and sin² + cos² = 1 in a quotient of sin and cos of one argument. None when
    the plain rule result is already as simple."""
    ku, kv = _rate(u), _rate(v)
    if rule == "product":
        if kv is not None:
            return sympy.expand(du + kv * u) * v
        if ku is not None:
            return sympy.expand(dv + ku * v) * u
        return None
    if kv is not None:  # u/exp(kx) = u·exp(-kx)
        return sympy.expand(du - kv * u) * sympy.exp(-kv * X)
    if ku is not None:
        return sympy.expand(ku * v - dv) * u / v**2
    if {type(u), type(v)} == {sympy.sin, sympy.cos} and u.args == v.args:
        k = u.args[0].coeff(X)
        return k / v**2 if isinstance(u, sympy.sin) else -k / v**2
    return None


def generate(rng: random.Random, level: str, config: Config) -> Problem:
    rule = rng.choice(config.rules)
    cmax = config.max_coefficient
    t = Trace(rng, config.slip_rate)
    if rule == "chain":
        inner = rng.randint(1, cmax) * X**2 + rng.randint(-cmax, cmax) * X + rng.randint(1, cmax)
        outer = rng.choice(("sin", "cos", "exp", "pow"))
        u = sympy.Symbol("u")
        n = rng.randint(2, 5)
        g = {"sin": sympy.sin(u), "cos": sympy.cos(u), "exp": sympy.exp(u), "pow": u**n}[outer]
        f = g.subs(u, inner)
        dinner = inner.diff(X)
        dg = g.diff(u)
        t.add(f"inner: u = {fmt(inner)}, u' = {fmt(dinner)}", f"d/dx ({fmt(inner)}) = {fmt(dinner)} ✓",
              claim_derivative(inner, dinner, X), "inner derivative")
        t.add(f"outer: g(u) = {fmt(g)}, g'(u) = {fmt(dg)}", f"d/du {fmt(g)} = {fmt(dg)} ✓",
              claim_derivative(g, dg, u), "outer derivative",
              slip=(lambda: ("sign_error", f"outer: g(u) = {fmt(g)}, g'(u) = {fmt(-dg)}",
                             f"d/du {fmt(g)} is {fmt(dg)}, the sign is wrong ✗",
                             claim_derivative(g, -dg, u))) if outer in ("sin", "cos") else None)
        df = dg.subs(u, inner) * dinner
        forgot = dg.subs(u, inner)
        t.add(f"chain rule: f' = g'(u)·u' = {fmt(df)}", "g'(u(x)) times u'(x) ✓",
              claim_derivative(f, df, X), "chain rule",
              slip=lambda: ("wrong_rule", f"chain rule: f' = g'(u) = {fmt(forgot)}",
                            f"the inner derivative u' = {fmt(dinner)} is missing ✗",
                            claim_derivative(f, forgot, X)))
    else:
        kinds = ("poly", "sin", "cos", "exp") + (("log",) if rule == "product" else ())
        u, du, ku = _part(rng, cmax, kinds)
        v, dv, kv = _part(rng, cmax, tuple(k for k in kinds if k != ku))
        f = u * v if rule == "product" else u / v
        t.add(f"f = u{'·' if rule == 'product' else '/'}v with u = {fmt(u)}, v = {fmt(v)}",
              "the parts give back f ✓", claim(u * v if rule == "product" else u / v, f), "split")
        t.add(f"u' = {fmt(du)}", f"d/dx ({fmt(u)}) = {fmt(du)} ✓", claim_derivative(u, du, X),
              "derivative of u", slip=_part_slip(u, du, ku, "u"))
        t.add(f"v' = {fmt(dv)}", f"d/dx ({fmt(v)}) = {fmt(dv)} ✓", claim_derivative(v, dv, X),
              "derivative of v", slip=_part_slip(v, dv, kv, "v"))
        if rule == "product":
            df, bad = du * v + u * dv, du * dv
            text, bad_text = "product rule: f' = u'v + uv'", "product rule: f' = u'v'"
            why = "the derivative of a product is not the product of derivatives: u'v + uv' ✗"
            name = "wrong_rule"
        else:
            df, bad = (du * v - u * dv) / v**2, (u * dv - du * v) / v**2
            text, bad_text = "quotient rule: f' = (u'v - uv')/v^2", "quotient rule: f' = (uv' - u'v)/v^2"
            why, name = "the numerator is u'v - uv', not uv' - u'v: sign error ✗", "sign_error"
        t.add(f"{text} = {fmt(df)}", f"{text.split(': ')[1]} ✓", claim_derivative(f, df, X),
              f"{rule} rule", slip=lambda: (name, f"{bad_text} = {fmt(bad)}", why,
                                             claim_derivative(f, bad, X)))
        simple = tidy(rule, u, du, v, dv)
        if simple is not None and fmt(simple) != fmt(df):
            how = ("sin² + cos² = 1" if not simple.has(sympy.exp)
                   else "the exponential factor taken out once")
            t.add(f"simplify: f' = {fmt(simple)}", f"{how}; same function ✓",
                  claim(simple, df), "simplify")
            df = simple
    answer = fmt(df)
    return Problem(task=NAME, level=level, prompt=f"Differentiate f(x) = {fmt(f)} with respect to x.",
                   steps=t.steps, answer=answer, error=t.error,
                   data={"expected": answer, "rule": rule})


def verify(problem: Problem, answer_text: str) -> Verdict:
    return verdict_expression(answer_text, problem.data["expected"], ("x",))


TASK = Task(name=NAME, domain="math", levels=("university",), version=VERSION, config_cls=Config,
            generate=generate, verify=verify,
            description="derivatives by the product, quotient and chain rules, checked by sympy")

# Distinct questions the default config can produce, a lower bound: the distinct questions
# seen in 8,000 draws (seed 7).
PROBLEM_SPACE = 3600
SPACE_NOTE = ("fewer than 50,000 distinct questions, under 10x the ~5,000 records a curriculum stage asks of a task: expect repeats at that size")
