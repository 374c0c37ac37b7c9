"""Limits (university): removable 0/0 by factoring, rational functions at infinity, and
sin(kx)/(mx) at 0.

Each rewriting is a sympy-checked identity; the value comes from substituting into the
simplified form (exact). The final step's detail is `Limit(f, x, a) == v`, which a test
re-checks with sympy's `limit`. Slips: a sign error in a factor, the ratio of the
constant terms at infinity (wrong rule), dropping the k/m factor of the sine limit.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import sympy

from generators.answer_comparison import verdict_values
from generators.math.sympy_steps import Trace, claim, derivative, fmt
from reasoning.schema import Check
from reasoning.steps import check_slip_rate
from reasoning.task import Problem, Task, Verdict

NAME = "limits"
VERSION = "2"
KINDS = ("removable", "infinity", "sine")
X = sympy.Symbol("x")


@dataclass(frozen=True)
class Config:
    kinds: tuple[str, ...] = KINDS
    max_coefficient: int = 7
    slip_rate: float = 0.1

    def __post_init__(self) -> None:
        if not self.kinds or set(self.kinds) - set(KINDS):
            raise ValueError(f"kinds must be a non-empty subset of {KINDS}")
        if not 2 <= self.max_coefficient <= 20:
            raise ValueError("max_coefficient must lie in 2..20 (e.g. 7)")
        check_slip_rate(self.slip_rate)


def _nonzero(rng: random.Random, m: int) -> int:
    return rng.choice([i for i in range(-m, m + 1) if i])


def _removable(rng: random.Random, t: Trace, m: int):
    a, b, c = rng.sample(range(-m, m + 1), 3)
    num, den = sympy.expand((X - a) * (X - b)), sympy.expand((X - a) * (X - c))
    f = num / den
    t.add(f"at x = {a}: numerator {fmt(num.subs(X, a))}, denominator {fmt(den.subs(X, a))}: 0/0, so simplify",
          "both vanish at the point ✓", claim(num.subs(X, a) ** 2 + den.subs(X, a) ** 2, sympy.Integer(0),
                                              f"Subs({num}, x, {a})**2 + Subs({den}, x, {a})**2"), "0/0")
    wrong = (X + a) * (X - b)
    t.add(f"factor: {fmt(num)} = ({fmt(X - a)})({fmt(X - b)}), {fmt(den)} = ({fmt(X - a)})({fmt(X - c)})",
          "both products expand back ✓", claim((X - a) * (X - b), num), "factor",
          slip=(lambda: ("sign_error", f"factor: {fmt(num)} = ({fmt(X + a)})({fmt(X - b)})",
                         f"({fmt(X + a)})({fmt(X - b)}) expands to {fmt(sympy.expand(wrong))} ✗",
                         claim(wrong, num))) if a else None)
    simple = (X - b) / (X - c)
    t.add(f"cancel {fmt(X - a)} (x ≠ {a} near the limit): {fmt(simple)}", "same function for x ≠ a ✓",
          claim(simple, f, f"({X - b})/({X - c})"), "cancel")
    value = sympy.Rational(a - b, a - c)
    t.add(f"substitute x = {a}: ({a} - ({b}))/({a} - ({c})) = {fmt(value)}", "the simplified form is continuous ✓",
          claim(simple.subs(X, a), value, f"Limit({f}, x, {a})"), "substitute")
    return f"Find the limit of {fmt(f)} as x → {a}.", value


def _infinity(rng: random.Random, t: Trace, m: int):
    deg = rng.randint(1, 3)
    p, q = _nonzero(rng, m), _nonzero(rng, m)
    lo_num = sum(rng.randint(-m, m) * X**k for k in range(deg))
    lo_den = sum(rng.randint(-m, m) * X**k for k in range(deg)) + _nonzero(rng, m)
    num, den = p * X**deg + lo_num, q * X**deg + lo_den
    f = num / den
    scaled = sympy.expand(num / X**deg) / sympy.expand(den / X**deg)
    t.add(f"divide top and bottom by x^{deg}: {fmt(scaled)}", "the same fraction for x ≠ 0 ✓",
          claim(scaled, f), "divide by the top power")
    value = sympy.Rational(p, q)
    const_den = lo_den.subs(X, 0)
    const_ratio = sympy.Rational(lo_num.subs(X, 0), const_den) if const_den else None
    t.add(f"every term with 1/x tends to 0: the limit is {p}/{q if q > 0 else f'({q})'} = {fmt(value)}",
          "leading coefficients decide ✓", claim(sympy.Poly(num, X).LC() / sympy.Poly(den, X).LC(), value,
                                                  f"Limit({f}, x, oo)"), "leading terms",
          slip=(lambda: ("wrong_rule", f"the limit is the ratio of the constant terms: {fmt(const_ratio)}",
                         f"as x → oo the leading terms dominate: {fmt(value)} ✗",
                         claim(value, const_ratio, f"Limit({f}, x, oo)"))) if const_ratio is not None else None)
    return f"Find the limit of {fmt(f)} as x → oo.", value


def _sine(rng: random.Random, t: Trace, m: int):
    k, d = _nonzero(rng, m), rng.randint(1, m)
    f = sympy.sin(k * X) / (d * X)
    value = sympy.Rational(k, d)
    rewritten = value * sympy.sin(k * X) / (k * X)
    t.add(f"rewrite: {fmt(f)} = {fmt(value)}·sin({fmt(k * X)})/({fmt(k * X)})", "same expression ✓",
          claim(rewritten, f, f"{value}*sin({k * X})/({k * X})"), "rewrite")
    t.add(f"sin(u)/u → 1 as u = {fmt(k * X)} → 0, so the limit is {fmt(value)}", "standard limit ✓",
          claim(derivative(sympy.sin(k * X), X).subs(X, 0) / d, value, f"Limit({f}, x, 0)"),
          "standard limit",
          slip=lambda: ("wrong_rule", "sin(u)/u → 1, so the limit is 1",
                        f"the factor {fmt(value)} in front stays: the limit is {fmt(value)} ✗",
                        Check(checker="sympy_equivalence", ok=value == 1, detail=f"Limit({f}, x, 0) == 1")))
    return f"Find the limit of {fmt(f)} as x → 0.", value


def generate(rng: random.Random, level: str, config: Config) -> Problem:
    kind = rng.choice(config.kinds)
    t = Trace(rng, config.slip_rate)
    job = {"removable": _removable, "infinity": _infinity, "sine": _sine}[kind]
    prompt, value = job(rng, t, config.max_coefficient)
    return Problem(task=NAME, level=level, prompt=prompt, steps=t.steps, answer=fmt(value),
                   error=t.error, data={"expected": [fmt(value)], "kind": kind})


def verify(problem: Problem, answer_text: str) -> Verdict:
    return verdict_values(answer_text, problem.data["expected"], "L")


TASK = Task(name=NAME, domain="math", levels=("university",), version=VERSION, config_cls=Config,
            generate=generate, verify=verify,
            description="limits by factoring, leading terms and sin(u)/u, checked by sympy")

# Distinct questions the default config can produce, a lower bound: the distinct questions
# seen in 8,000 draws (seed 7).
PROBLEM_SPACE = 4397
SPACE_NOTE = ("fewer than 50,000 distinct questions, under 10x the ~5,000 records a curriculum stage asks of a task: expect repeats at that size")
