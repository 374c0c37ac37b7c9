"""Expanding and factoring polynomials (high).

Expand: a product of two or three binomials/trinomials is distributed one factor term at a
time, then like terms are collected; every partial product is checked by sympy expansion.
Factor: a common factor is taken out, then the quadratic left is factored; each rewriting
is checked by expanding both sides. Slips: a dropped term in a partial product, a sign
error in a factor.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import sympy

from generators.answer_comparison import to_sympy, verdict_expression
from generators.answer_trees import Node
from generators.math.sympy_steps import Trace, claim, fmt
from generators.step_check import judge_claims
from reasoning.steps import check_slip_rate
from reasoning.task import Problem, StepJudgement, Task, Verdict

NAME = "polynomials"
VERSION = "2"
MODES = ("expand", "factor")
X = sympy.Symbol("x")


@dataclass(frozen=True)
class Config:
    modes: tuple[str, ...] = MODES
    max_coefficient: int = 6
    slip_rate: float = 0.1

    def __post_init__(self) -> None:
        if not self.modes or set(self.modes) - set(MODES):
            raise ValueError(f"modes must be a non-empty subset of {MODES}")
        if not 2 <= self.max_coefficient <= 20:
            raise ValueError("max_coefficient must lie in 2..20 (e.g. 6)")
        check_slip_rate(self.slip_rate)


def _nonzero(rng: random.Random, m: int) -> int:
    return rng.choice([i for i in range(-m, m + 1) if i])


def _expand(rng: random.Random, t: Trace, m: int) -> tuple[str, str, str]:
    first = _nonzero(rng, 3) * X + _nonzero(rng, m)
    if rng.random() < 0.5:
        second = _nonzero(rng, 3) * X**2 + rng.randint(-m, m) * X + _nonzero(rng, m)
    else:
        second = _nonzero(rng, 3) * X + _nonzero(rng, m)
    product = sympy.expand(first * second)
    partials = []
    for term in first.as_ordered_terms():
        part = sympy.expand(term * second)
        partials.append(part)
        terms = part.as_ordered_terms()

        def dropped(term=term, part=part, terms=terms):
            short = part - terms[-1]
            return ("dropped_term", f"{fmt(term)}·({fmt(second)}) = {fmt(short)}",
                    f"the term {fmt(terms[-1])} was dropped: {fmt(part)} ✗", claim(term * second, short,
                                                                                  f"({term})*({second})"))

        t.add(f"{fmt(term)}·({fmt(second)}) = {fmt(part)}", f"each term of ({fmt(second)}) times {fmt(term)} ✓",
              claim(term * second, part, f"({term})*({second})"), f"distribute {fmt(term)}",
              slip=dropped if len(terms) > 1 else None)
    summed = " + ".join(f"({fmt(p)})" for p in partials)
    t.add(f"collect like terms: {summed} = {fmt(product)}", "coefficients add term by term ✓",
          claim(sympy.Add(*partials), product, " + ".join(f"({p})" for p in partials)), "collect")
    question = f"Expand ({fmt(first)})({fmt(second)})."
    return question, fmt(product), "expand"


def _linear(root: int) -> str:
    """The factor x - root as written: x, x - 3, x + 2."""
    return "x" if root == 0 else fmt(X - root)


def factored_text(content: int, roots: list[int]) -> str:
    """The complete factoring content·Π(x - root) as answer text, the integer content first
    and never distributed into a factor (sympy prints 3·(x - 1) as 3*x - 3): 3*(x - 1)*(x - 3),
    -2*x*(x + 4), (x - 5)^2. A content of 1 is left out, -1 is a leading minus."""
    counts: dict[int, int] = {}
    for r in sorted(roots, key=lambda r: (r != 0, r)):  # x first, then ascending roots
        counts[r] = counts.get(r, 0) + 1
    parts = []
    for r, e in counts.items():
        base = "x" if r == 0 else f"({_linear(r)})"
        parts.append(base if e == 1 else f"{base}^{e}")
    body = "*".join(parts)
    if not body:
        return str(content)
    if content == 1:
        return body
    return f"-{body}" if content == -1 else f"{content}*{body}"


def _factor(rng: random.Random, t: Trace, m: int) -> tuple[str, str, str]:
    r, s = rng.randint(-m, m), rng.choice([i for i in range(-m, m + 1) if i])  # never k·x^2 alone
    k = rng.choice((1, 2, 3, -1, -2))
    with_x = rng.random() < 0.5
    common = k * X if with_x else sympy.Integer(k)
    quad = sympy.expand((X - r) * (X - s))
    poly = sympy.expand(common * quad)
    if common != 1:
        shown = factored_text(k, [0] if with_x else [])
        t.add(f"take out the common factor {shown}: {fmt(poly)} = {shown}·({fmt(quad)})",
              f"{shown}·({fmt(quad)}) expands back ✓", claim(common * quad, poly, f"({common})*({quad})"),
              "common factor")
    answer = factored_text(k, [r, s] + ([0] if with_x else []))
    wrong = (X + r) * (X - s) if r else (X - r) * (X + s)
    t.add(f"{fmt(quad)} = ({_linear(r)})({_linear(s)}): the roots multiply to {r * s} and add to {r + s}",
          f"({_linear(r)})({_linear(s)}) expands to {fmt(quad)} ✓",
          claim((X - r) * (X - s), quad, f"({X - r})*({X - s})"), "factor quadratic",
          slip=(lambda: ("sign_error", f"{fmt(quad)} = {fmt(wrong)}",
                         f"{fmt(wrong)} expands to {fmt(sympy.expand(wrong))}, a sign is wrong ✗",
                         claim(wrong, quad))) if r or s else None)
    t.add(f"so {fmt(poly)} = {answer}", "the factors multiply back to the polynomial ✓",
          claim(common * (X - r) * (X - s), poly, answer.replace("^", "**")), "result")
    return f"Factor {fmt(poly)} completely over the integers.", answer, "factor"


def _factors(node: Node) -> list[Node]:
    """The factors of a product tree (a leading minus as the factor -1)."""
    if node[0] == "-":
        return [("n", Fraction(-1)), *_factors(node[1])]
    if node[0] == "*":
        out: list[Node] = []
        for kid in node[1]:
            out += _factors(kid)
        return out
    return [node]


def is_complete_factoring(node: Node) -> bool:
    """Written as a complete factoring over the integers: powers of primitive polynomials
    irreducible over the integers, times at most one integer (the content) and a leading
    minus. `1*(3x^2 - 12x + 9)`, `(x - 3)(3x - 3)` and the expanded polynomial fail."""
    factors = _factors(node)
    if factors == [node] and node[0] == "+":  # a sum, not a product
        return False
    contents = []
    for f in factors:
        base = f
        if f[0] == "^":
            base, exponent = f[1], f[2]
            if exponent[0] != "n" or exponent[1].denominator != 1 or exponent[1] < 1:
                return False
        expr = to_sympy(base)
        if not expr.free_symbols:
            if not expr.is_Integer or expr == 1:  # a bare 1 factor hides an unfactored form
                return False
            if expr != -1:
                contents.append(expr)
            continue
        try:
            poly = sympy.Poly(expr, X)
        except sympy.PolynomialError:
            return False
        if poly.degree() < 1 or poly.content() != 1 or not poly.is_irreducible:
            return False
    return len(contents) <= 1


def _is_expanded(node: Node) -> bool:
    """No sum inside a product or a power: the form an expansion asks for."""
    if node[0] in ("n", "v", "c"):
        return True
    if node[0] in ("+",):
        return all(_is_expanded(k) for k in node[1])
    if node[0] == "-":
        return _is_expanded(node[1])
    kids = node[1] if node[0] == "*" else node[1:]
    return all(k[0] != "+" and _is_expanded(k) for k in kids)


def generate(rng: random.Random, level: str, config: Config) -> Problem:
    mode = rng.choice(config.modes)
    t = Trace(rng, config.slip_rate)
    job = _expand if mode == "expand" else _factor
    prompt, answer, mode = job(rng, t, config.max_coefficient)
    return Problem(task=NAME, level=level, prompt=prompt, steps=t.steps, answer=answer,
                   error=t.error, data={"expected": answer, "mode": mode})


def verify(problem: Problem, answer_text: str) -> Verdict:
    """1 when equivalent and in the asked form (expanded, or a complete factoring)."""
    if problem.data["mode"] == "factor":
        return verdict_expression(answer_text, problem.data["expected"], ("x",),
                                  is_complete_factoring, "factored completely over the integers")
    return verdict_expression(answer_text, problem.data["expected"], ("x",), _is_expanded,
                              "expanded")


def check_step(problem: Problem, previous: Sequence[str], proposal: str) -> StepJudgement:
    """Every equality between polynomials a step writes is meant for all x."""
    return judge_claims(proposal, ("x",), identities=True)

TASK = Task(name=NAME, domain="math", levels=("high",), version=VERSION, config_cls=Config,
            generate=generate, verify=verify, check_step=check_step,
            description="expanding products and factoring polynomials, checked by sympy")

# Distinct questions the default config can produce, a lower bound: the distinct questions
# seen in 8,000 draws (seed 7).
PROBLEM_SPACE = 4436
SPACE_NOTE = ("fewer than 50,000 distinct questions, under 10x the ~5,000 records a curriculum stage asks of a task: expect repeats at that size")
