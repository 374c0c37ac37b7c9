"""Expanding and factoring polynomials (high).

Expand: a product of two or three binomials/trinomials is distributed one factor term at a
time, then like terms are collected; every partial product is checked by sympy expansion.
Factor: a common factor is taken out, then the quadratic left is factored; each rewriting
is checked by expanding both sides. Slips: a dropped term in a partial product, a sign
error in a factor.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import sympy

from generators.answer_comparison import verdict_expression
from generators.answer_trees import Node
from generators.math.sympy_steps import Trace, claim, fmt
from reasoning.steps import check_slip_rate
from reasoning.task import Problem, Task, Verdict

NAME = "polynomials"
VERSION = "1"
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


def _factor(rng: random.Random, t: Trace, m: int) -> tuple[str, str, str]:
    r, s = rng.randint(-m, m), rng.choice([i for i in range(-m, m + 1) if i])  # never k·x^2 alone
    k = rng.choice((1, 2, 3, -1, -2))
    common = k * X if rng.random() < 0.5 else sympy.Integer(k)
    quad = sympy.expand((X - r) * (X - s))
    poly = sympy.expand(common * quad)
    if common != 1:
        t.add(f"take out the common factor {fmt(common)}: {fmt(poly)} = {fmt(common)}·({fmt(quad)})",
              f"{fmt(common)}·({fmt(quad)}) expands back ✓", claim(common * quad, poly, f"({common})*({quad})"),
              "common factor")
    factored = common * (X - r) * (X - s)
    wrong = common * (X + r) * (X - s) if r else common * (X - r) * (X + s)
    t.add(f"{fmt(quad)} = ({fmt(X - r)})({fmt(X - s)}): the roots multiply to {r * s} and add to {r + s}",
          f"({fmt(X - r)})({fmt(X - s)}) expands to {fmt(quad)} ✓",
          claim((X - r) * (X - s), quad, f"({X - r})*({X - s})"), "factor quadratic",
          slip=(lambda: ("sign_error", f"{fmt(quad)} = {fmt(wrong / common)}",
                         f"{fmt(wrong / common)} expands to {fmt(sympy.expand(wrong / common))}, a sign is wrong ✗",
                         claim(wrong / common, quad))) if r or s else None)
    t.add(f"so {fmt(poly)} = {fmt(factored)}", "the factors multiply back to the polynomial ✓",
          claim(factored, poly), "result")
    return f"Factor {fmt(poly)} completely over the integers.", fmt(factored), "factor"


def _is_product(node: Node) -> bool:
    """Written as a product or power (possibly negated), not a sum: the form a factoring
    asks for. (Whether every factor is irreducible is not judged.)"""
    if node[0] == "-":
        return _is_product(node[1])
    return node[0] != "+"


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
    """1 when equivalent and in the asked form (expanded, or a product of factors)."""
    if problem.data["mode"] == "factor":
        return verdict_expression(answer_text, problem.data["expected"], ("x",), _is_product,
                                  "factored")
    return verdict_expression(answer_text, problem.data["expected"], ("x",), _is_expanded,
                              "expanded")


TASK = Task(name=NAME, domain="math", levels=("high",), version=VERSION, config_cls=Config,
            generate=generate, verify=verify,
            description="expanding products and factoring polynomials, checked by sympy")
