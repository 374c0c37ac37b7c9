"""Proof by induction (university): closed forms of sums and divisibility claims.

Sums: sum_{k=1}^{n} f(k) = F(n) for a small polynomial f, F from sympy's summation. The
base case is checked by sympy at n = 1 and the inductive step by simplifying
F(n+1) - F(n) - f(n+1) to 0. Divisibility: d | a^n - b^n (step: P(n+1) - a*P(n) equals
(a-b)*b^n) and p | n^p + (p-1)*n (step: (P(n+1) - P(n))/p is a polynomial with integer
coefficients). Claims are true by construction. Slips: a wrong base case value, or adding
the n-th term instead of the (n+1)-th. sympy is imported lazily: only this task needs it.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from functools import lru_cache

from generators.answers import parse_integer
from generators.logic.expressions import matches_terms
from generators.logic.polynomial_text import poly_text
from generators.logic.steps import check_slip_rate, make_step, record_slip
from reasoning.task import Dropped, Problem, Task, Verdict

NAME = "induction_proofs"
VERSION = "1"
KINDS = ("sum", "divisibility")
CHECK_TERMS = 30  # a closed-form answer must agree with the sum at n = 1..30


@dataclass(frozen=True)
class Config:
    kinds: tuple[str, ...] = KINDS
    max_degree: int = 2  # degree of the summand
    slip_rate: float = 0.1  # chance that the base case / the step is first proposed wrong

    def __post_init__(self) -> None:
        if not self.kinds or set(self.kinds) - set(KINDS):
            raise ValueError(f"kinds must be a non-empty subset of {KINDS}")
        if not isinstance(self.max_degree, int) or not 0 <= self.max_degree <= 3:
            raise ValueError(f"max_degree must be an int in 0..3 (e.g. 2), got {self.max_degree!r}")
        check_slip_rate(self.slip_rate)


@lru_cache(maxsize=1)
def _sympy():
    import sympy

    return sympy


def _text(expr) -> str:
    return str(expr).replace("**", "^")


def _sum_problem(rng: random.Random, config: Config):
    sp = _sympy()
    n, k = sp.symbols("n k", integer=True, positive=True)
    coeffs = {d: rng.randint(-3, 5) for d in range(config.max_degree + 1)}
    if all(c == 0 for d, c in coeffs.items() if d > 0):
        coeffs[min(1, config.max_degree)] = rng.randint(1, 4)
    f = sum(c * k**d for d, c in coeffs.items())
    # The sum of a degree-d polynomial is one of degree d + 1: interpolate it through
    # d + 2 exact partial sums (much faster than sympy's symbolic summation).
    degree = max(coeffs)
    partial = [0]
    for i in range(1, max(degree + 2, CHECK_TERMS + 1)):
        partial.append(partial[-1] + sum(c * i**d for d, c in coeffs.items()))
    points = [(i, partial[i]) for i in range(degree + 2)]
    closed = sp.factor(sp.interpolate(points, n))
    if closed == 0:
        raise Dropped("the sum is identically zero")
    steps, error = [], None
    fk = poly_text(coeffs, "k")
    claim = f"sum of {fk} for k = 1..n equals {_text(closed)}"
    f1, c1 = f.subs(k, 1), closed.subs(n, 1)
    base = f"base n = 1: left {f1}, right {_text(closed)} at 1 = {c1}"
    if config.slip_rate and rng.random() < config.slip_rate:
        wrong_value = c1 + rng.choice((-1, 1))
        wrong = f"base n = 1: left {f1}, right {_text(closed)} at 1 = {wrong_value}"
        steps.append(make_step(wrong, f"{_text(closed)} at n = 1 is {c1}, not {wrong_value} ✗",
                               "sympy", sp.expand(closed.subs(n, 1) - wrong_value) == 0,
                               f"F(1) = {c1}", slip="wrong_base_case"))
        error = record_slip(error, steps, "wrong_base_case", "base case", base, wrong)
    steps.append(make_step(base, f"{f1} = {c1} ✓", "sympy", sp.expand(f1 - c1) == 0,
                           f"f(1) = {f1}, F(1) = {c1}"))
    steps.append(make_step(f"hypothesis: the sum up to n is {_text(closed)}",
                           "assumed for this n ✓", "induction", True, "inductive hypothesis"))
    nxt = f.subs(k, n + 1)
    step = (f"step: {_text(closed)} + ({_text(sp.expand(nxt))}) = "
            f"{_text(sp.factor(closed + nxt))} = F(n+1)")
    if config.slip_rate and rng.random() < config.slip_rate and sp.expand(f.subs(k, n) - nxt) != 0:
        cur = f.subs(k, n)
        wrong = f"step: {_text(closed)} + ({_text(sp.expand(cur))}) = F(n+1)"
        ok = sp.expand(closed.subs(n, n + 1) - closed - cur) == 0
        steps.append(make_step(wrong, f"the next term is f(n+1) = {_text(sp.expand(nxt))}, "
                               f"not f(n) ✗", "sympy", ok, "F(n+1) - F(n) - f(n) ≠ 0",
                               slip="wrong_next_term"))
        error = record_slip(error, steps, "wrong_next_term", "inductive step", step, wrong)
    ok = sp.expand(closed.subs(n, n + 1) - closed - nxt) == 0
    steps.append(make_step(step, "F(n+1) - F(n) - f(n+1) simplifies to 0 ✓", "sympy", ok,
                           "F(n+1) - F(n) - f(n+1) = 0"))
    terms = partial[1 : CHECK_TERMS + 1]
    prompt = (f"Find a closed form for the sum of {fk} for k = 1 to n, as an expression in n, "
              "and prove it by induction.")
    return prompt, steps, error, _text(closed), claim, {"kind": "sum", "terms": terms, "summand": fk}


def _divisibility_problem(rng: random.Random, config: Config):
    sp = _sympy()
    n = sp.symbols("n", integer=True, positive=True)
    if rng.random() < 0.5:
        a = rng.randint(3, 9)
        b = rng.randint(1, a - 2)
        d = a - b
        p_expr = a**n - b**n
        text = f"{a}^n - {b}^n"
        rest = (a - b) * b**n
        step = f"step: P(n+1) = {a}*P(n) + {d}*{b}^n, both divisible by {d}"
        ok = sp.expand(p_expr.subs(n, n + 1) - a * p_expr - rest) == 0
    else:
        p = rng.choice((3, 5, 7))
        d = p
        p_expr = n**p + (p - 1) * n
        text = poly_text({p: 1, 1: p - 1})
        quotient = sp.Poly(sp.expand((p_expr.subs(n, n + 1) - p_expr) / p), n)
        step = (f"step: P(n+1) - P(n) = {p}*({_text(quotient.as_expr())}), "
                f"so P(n+1) is divisible by {p}")
        ok = all(c.is_integer for c in quotient.all_coeffs())
    values = [int(p_expr.subs(n, i)) for i in range(1, 12)]
    if math.gcd(*values) != d:
        raise Dropped("the largest common divisor differs from the proved one")
    steps = []
    v1 = int(p_expr.subs(n, 1))
    base = f"base n = 1: P(1) = {v1} = {d}*{v1 // d}"
    error = None
    if config.slip_rate and rng.random() < config.slip_rate:
        wrong = f"base n = 1: P(1) = {v1 + d} = {d}*{v1 // d + 1}"
        steps.append(make_step(wrong, f"P(1) = {v1}, not {v1 + d} ✗", "sympy",
                               int(p_expr.subs(n, 1)) == v1 + d, f"P(1) = {v1}",
                               slip="wrong_base_case"))
        error = record_slip(error, steps, "wrong_base_case", "base case", base, wrong)
    steps.append(make_step(base, f"{v1} = {d}*{v1 // d} ✓", "sympy", sp.Integer(v1) % d == 0,
                           f"P(1) = {v1}"))
    steps.append(make_step(f"hypothesis: {d} divides P(n) = {text}", "assumed for this n ✓",
                           "induction", True, "inductive hypothesis"))
    steps.append(make_step(step, "the identity simplifies exactly ✓", "sympy", ok, step))
    prompt = (f"Find the largest integer d that divides P(n) = {text} for every n ≥ 1, and "
              "prove by induction that it does.")
    return prompt, steps, error, str(d), f"{d} divides {text}", {"kind": "divisibility", "d": d, "p": text}


def generate(rng: random.Random, level: str, config: Config) -> Problem:
    kind = rng.choice(config.kinds)
    if kind == "sum":
        prompt, steps, error, answer, claim, data = _sum_problem(rng, config)
    else:
        prompt, steps, error, answer, claim, data = _divisibility_problem(rng, config)
    ok = all(s.check.ok for s in steps if s.slip is None)
    steps.append(make_step(f"by induction: {claim} for all n ≥ 1",
                           "base case and inductive step both hold ✓", "induction", ok,
                           "base and step checked"))
    return Problem(task=NAME, level=level, prompt=prompt, steps=steps, answer=answer,
                   error=error, data=data)


def verify(problem: Problem, answer_text: str) -> Verdict:
    if problem.data["kind"] == "divisibility":
        value, why = parse_integer(answer_text.strip().rstrip(".") if isinstance(answer_text, str) else answer_text)
        if value is None:
            return Verdict(0.0, why)
        d = int(problem.data["d"])
        return Verdict(1.0, "correct") if value == d else Verdict(0.0, f"wrong: d = {d}")
    terms = dict(enumerate(problem.data["terms"], start=1))
    ok, why = matches_terms(answer_text, terms)
    return Verdict(1.0, "correct: " + why) if ok else Verdict(0.0, why)


TASK = Task(name=NAME, domain="logic", levels=("university",), version=VERSION,
            config_cls=Config, generate=generate, verify=verify,
            description="induction proofs of sum formulas and divisibility, checked with sympy")
