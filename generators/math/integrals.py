"""Indefinite integrals by technique (university): substitution, parts, partial fractions.

The antiderivative is chosen first and the integrand derived from it, so every problem has
a closed form. Each step states an identity sympy checks (a derivative, a rewriting of the
integrand, a decomposition); the last step differentiates the answer back to the
integrand. Slips: a sign error integrating sin/cos or in the parts formula, a wrong
partial-fraction coefficient. (No "forgotten + C" slip: an antiderivative without C is
still an antiderivative, so no step rejects it; the verifier gives it half marks.)
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import sympy

from generators.answer_comparison import looks_like_latex, parse_latex, same_function
from generators.answer_grammar import ParseError, parse_expression
from generators.answer_trees import free_names, replace_name
from generators.math.sympy_steps import (
    Trace,
    claim,
    claim_derivative,
    derivative,
    fmt,
)
from generators.sympy_printing import sstr
from reasoning.steps import check_slip_rate
from reasoning.task import Problem, Task, Verdict

NAME = "integrals"
VERSION = "2"
TECHNIQUES = ("substitution", "parts", "partial_fractions")
X, U, C = sympy.symbols("x u C")
# outer function -> (h, H) with H' = h, each as a function of its argument: applying it to
# g builds h(g) directly, without `subs` walking the tree
_OUTER = {"sin": (sympy.sin, lambda v: -sympy.cos(v)), "cos": (sympy.cos, sympy.sin),
          "exp": (sympy.exp, sympy.exp)}  # fmt: skip


@dataclass(frozen=True)
class Config:
    techniques: tuple[str, ...] = TECHNIQUES
    max_coefficient: int = 5
    slip_rate: float = 0.1

    def __post_init__(self) -> None:
        if not self.techniques or set(self.techniques) - set(TECHNIQUES):
            raise ValueError(f"techniques must be a non-empty subset of {TECHNIQUES}")
        if not 1 <= self.max_coefficient <= 20:
            raise ValueError("max_coefficient must lie in 1..20 (e.g. 5)")
        check_slip_rate(self.slip_rate)


def _substitution(rng: random.Random, t: Trace, cmax: int) -> tuple[sympy.Expr, sympy.Expr]:
    n, a, b = rng.randint(2, 3), rng.randint(1, cmax), rng.randint(-cmax, cmax)
    c = rng.randint(1, cmax) * n * a  # keeps the constant factor an integer
    outer = rng.choice(("sin", "cos", "exp", "pow"))
    m = rng.randint(2, 4)
    h_of, big_h_of = _OUTER[outer] if outer != "pow" else (lambda v: v**m, lambda v: v ** (m + 1) / (m + 1))
    g = a * X**n + b
    dg = n * a * X ** (n - 1)
    h, big_h, h_g = h_of(U), big_h_of(U), h_of(g)
    integrand = c * X ** (n - 1) * h_g
    k = sympy.Rational(c, n * a)
    t.add(f"substitute u = {fmt(g)}: du = {fmt(dg)} dx", f"d/dx {fmt(g)} = {fmt(dg)} ✓",
          claim_derivative(g, dg, X), "substitution")
    t.add(f"the integrand is {fmt(k)}·{fmt(h)}·du/dx, so the integral is ∫ {fmt(k * h)} du",
          f"{fmt(k)}·{fmt(h_g)}·{fmt(dg)} = {fmt(integrand)} ✓",
          claim(k * h_g * dg, integrand), "rewrite in u")
    wrong = -k * big_h
    t.add(f"∫ {fmt(k * h)} du = {fmt(k * big_h)}", f"d/du {fmt(k * big_h)} = {fmt(k * h)} ✓",
          claim_derivative(k * big_h, k * h, U), "integrate in u",
          slip=(lambda: ("sign_error", f"∫ {fmt(k * h)} du = {fmt(wrong)}",
                         f"d/du {fmt(wrong)} = {fmt(-k * h)}: the sign is wrong ✗",
                         claim_derivative(wrong, k * h, U))) if outer in ("sin", "cos") else None)
    return integrand, k * big_h_of(g)


def _parts(rng: random.Random, t: Trace, cmax: int) -> tuple[sympy.Expr, sympy.Expr]:
    kind = rng.choice(("exp", "sin", "cos", "log"))
    k = rng.randint(1, min(cmax, 4))
    if kind == "log":
        m = rng.randint(0, 3)
        u, dv = sympy.log(X), X**m
        v = X ** (m + 1) / (m + 1)
    else:
        u, dv = X, {"exp": sympy.exp(k * X), "sin": sympy.sin(k * X), "cos": sympy.cos(k * X)}[kind]
        v = {"exp": sympy.exp(k * X) / k, "sin": -sympy.cos(k * X) / k, "cos": sympy.sin(k * X) / k}[kind]
    du = u.diff(X)
    integrand = u * dv
    t.add(f"parts: u = {fmt(u)}, dv = {fmt(dv)} dx; du = {fmt(du)} dx, v = {fmt(v)}",
          f"d/dx {fmt(v)} = {fmt(dv)} ✓", claim_derivative(v, dv, X), "choose u and dv")
    rest = sympy.expand(v * du)
    t.add(f"∫ u dv = u·v - ∫ v du = {fmt(u * v)} - ∫ {fmt(rest)} dx",
          "d/dx(u·v) - v·u' = u·v' ✓",
          claim(derivative_of(u * v) - rest, integrand, f"Derivative({sstr(u * v)}, x) - ({sstr(rest)})"),
          "parts formula",
          slip=lambda: ("sign_error", f"∫ u dv = u·v + ∫ v du = {fmt(u * v)} + ∫ {fmt(rest)} dx",
                        "the parts formula subtracts ∫ v du ✗",
                        claim(derivative_of(u * v) + rest, integrand,
                              f"Derivative({sstr(u * v)}, x) + ({sstr(rest)})")))
    w = _antiderivative(rest, kind, k)
    t.add(f"∫ {fmt(rest)} dx = {fmt(w)}", f"d/dx {fmt(w)} = {fmt(rest)} ✓",
          claim_derivative(w, rest, X), "remaining integral")
    return integrand, u * v - w


def derivative_of(expr: sympy.Expr) -> sympy.Expr:
    return derivative(expr, X)


def _antiderivative(rest: sympy.Expr, kind: str, k: int) -> sympy.Expr:
    """The closed form of the remaining parts integral (a known pattern, no `integrate`)."""
    if kind == "log":  # rest = x^m / (m + 1)
        m = sympy.degree(rest, X)
        return rest * X / (m + 1)
    return {"exp": sympy.exp(k * X) / k**2, "sin": -sympy.sin(k * X) / k**2,
            "cos": -sympy.cos(k * X) / k**2}[kind]  # fmt: skip


def pn(v: int) -> str:
    """A number after an operator: negatives in brackets."""
    return f"({v})" if v < 0 else str(v)


def _partial_fractions(rng: random.Random, t: Trace, cmax: int) -> tuple[sympy.Expr, sympy.Expr, int]:
    a, b = rng.sample(range(-cmax, cmax + 1), 2)
    p, q = rng.choice([i for i in range(-cmax, cmax + 1) if i]), rng.choice([i for i in range(-cmax, cmax + 1) if i])
    num = (p + q) * X - (p * b + q * a)  # p(x - b) + q(x - a), expanded
    den = X**2 - (a + b) * X + a * b  # (x - a)(x - b), expanded
    t.add(f"factor the denominator: {fmt(den)} = {fmt((X - a) * (X - b))}",
          f"({fmt(X - a)})({fmt(X - b)}) expands to {fmt(den)} ✓", claim((X - a) * (X - b), den),
          "factor denominator")
    split = p / (X - a) + q / (X - b)
    wrong = p / (X - a) - q / (X - b)
    num_a, num_b = p * (a - b), q * (b - a)  # the numerator at x = a and at x = b
    t.add(f"cover-up: A = {num_a}/({a} - {pn(b)}) = {p}, B = {num_b}/({b} - {pn(a)}) = {q}; "
          f"integrand = {fmt(split)}", "A/(x - a) + B/(x - b) recombines to the integrand ✓",
          claim(split, num / den), "partial fractions",
          slip=lambda: ("sign_error", f"cover-up: A = {p}, B = {-q}; integrand = {fmt(wrong)}",
                        f"at x = {b}: B = {num_b}/({b} - {pn(a)}) = {q}, not {-q} ✗",
                        claim(wrong, num / den)))
    return num / den, p * sympy.log(X - a) + q * sympy.log(X - b), max(a, b)


def generate(rng: random.Random, level: str, config: Config) -> Problem:
    technique = rng.choice(config.techniques)
    t = Trace(rng, config.slip_rate)
    above = None
    if technique == "substitution":
        integrand, big_f = _substitution(rng, t, config.max_coefficient)
    elif technique == "parts":
        integrand, big_f = _parts(rng, t, config.max_coefficient)
        above = 0 if big_f.has(sympy.log) else None
    else:
        integrand, big_f, above = _partial_fractions(rng, t, config.max_coefficient)
    no_c = fmt(big_f)
    answer = f"{no_c} + C"
    t.add(f"F(x) = {answer}", f"d/dx ({answer}) = {fmt(integrand)} ✓",
          claim_derivative(big_f + C, integrand, X), "antiderivative")
    domain = f" for x > {above}" if above is not None else ""
    return Problem(task=NAME, level=level,
                   prompt=f"Find ∫ {fmt(integrand)} dx{domain} by {technique.replace('_', ' ')}. "
                          "Include the constant of integration C.",
                   steps=t.steps, answer=answer, error=t.error,
                   data={"expected": no_c, "above": above, "technique": technique})


def verify(problem: Problem, answer_text: str) -> Verdict:
    """1 for an antiderivative with `+ C` (any constant offset), 0.5 without C, else 0."""
    try:
        want = parse_expression(problem.data["expected"], ("x",))
        above = problem.data.get("above")
        if looks_like_latex(answer_text):
            nodes = parse_latex(answer_text)
            got = replace_name(nodes[0], "c", ("v", "C"))  # math_verify lower-cases C
            if len(nodes) != 1 or not free_names(got) <= {"x", "C"}:
                return Verdict(0.0, "LaTeX answer is not one expression in x and C")
        else:
            got = parse_expression(answer_text, ("x", "C"))
        has_c = "C" in free_names(got)
        got = replace_name(got, "C", ("n", 0))
        if not same_function(got, want, ("x",), up_to_constant=True,
                             above=None if above is None else float(above)):
            return Verdict(0.0, "not an antiderivative of the integrand")
        return Verdict(1.0, "correct") if has_c else Verdict(0.5, "correct but + C is missing")
    except ParseError as e:
        return Verdict(0.0, f"unreadable answer: {e}")
    except (RecursionError, ArithmeticError, ValueError, TypeError, KeyError):
        return Verdict(0.0, "answer could not be checked")


TASK = Task(name=NAME, domain="math", levels=("university",), version=VERSION, config_cls=Config,
            generate=generate, verify=verify,
            description="integrals by substitution, parts and partial fractions, checked by sympy")

# Distinct questions the default config can produce, a lower bound: the distinct questions
# seen in 8,000 draws (seed 7).
PROBLEM_SPACE = 3868
SPACE_NOTE = ("fewer than 50,000 distinct questions, under 10x the ~5,000 records a curriculum stage asks of a task: expect repeats at that size")
