"""`sstr` must print exactly what sympy's own `str` prints (it is a faster copy of it)."""

from __future__ import annotations

import random

import sympy as sp

from generators.sympy_printing import sstr

x, y = sp.symbols("x y")
ATOMS = [x, y, sp.Integer(0), sp.Integer(1), sp.Integer(-3), sp.Rational(2, 7), sp.pi, sp.E,
         sp.Rational(-5, 2), sp.Float(0.5)]  # fmt: skip
UNARY = [sp.sin, sp.cos, sp.exp, sp.log, sp.sqrt, sp.Abs, lambda e: -e]
BINARY = [lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a * b, lambda a, b: a / b,
          lambda a, b: a ** 2 + b, lambda a, b: a ** sp.Rational(1, 3) * b]  # fmt: skip


def _expr(rng: random.Random, depth: int) -> sp.Expr:
    if depth == 0 or rng.random() < 0.2:
        return rng.choice(ATOMS)
    if rng.random() < 0.3:
        return rng.choice(UNARY)(_expr(rng, depth - 1))
    return rng.choice(BINARY)(_expr(rng, depth - 1), _expr(rng, depth - 1))


def test_sstr_matches_str_on_random_expressions():
    rng = random.Random(2026)
    checked = 0
    for _ in range(600):
        e = _expr(rng, 3)
        if e.has(sp.zoo, sp.nan):
            continue
        assert sstr(e) == str(e), e
        checked += 1
    assert checked > 400


def test_sstr_matches_str_on_polynomials_and_their_factors():
    rng = random.Random(7)
    for _ in range(300):
        coeffs = [rng.randint(-5, 5) for _ in range(rng.randint(1, 5))]
        p = sum(c * x**k for k, c in enumerate(coeffs))
        for e in (p, sp.factor(p), sp.expand(p * (x - rng.randint(-3, 3)))):
            assert sstr(e) == str(e)
