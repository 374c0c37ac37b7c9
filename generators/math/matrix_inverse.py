"""Inverses of 2×2 and 3×3 integer matrices (university): determinant, adjugate, scale.

Exact rational arithmetic throughout; each claim (`Matrix(A).det() == d`,
`Matrix(A).adjugate() == Matrix(adj)`, `Matrix(A)*Matrix(inv) == eye(n)`) can be re-checked
with sympy. Slips: a 2×2 adjugate that negates the diagonal instead of the off-diagonal
(sign error), a 3×3 cofactor without its checkerboard sign.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from fractions import Fraction

from generators.answer_comparison import looks_like_latex
from generators.answer_grammar import ParseError, parse_matrix
from generators.answer_trees import exact_value
from generators.math.determinants import det2, matrix_text
from generators.math.sympy_steps import Trace, exact_claim
from reasoning.schema import Check
from reasoning.steps import check_slip_rate
from reasoning.task import Problem, Task, Verdict

NAME = "matrix_inverse"
VERSION = "2"


@dataclass(frozen=True)
class Config:
    sizes: tuple[int, ...] = (2, 3)
    max_entry: int = 6
    slip_rate: float = 0.1

    def __post_init__(self) -> None:
        if not self.sizes or set(self.sizes) - {2, 3}:
            raise ValueError("sizes must be a non-empty subset of (2, 3)")
        if not 1 <= self.max_entry <= 20:
            raise ValueError("max_entry must lie in 1..20 (e.g. 6)")
        check_slip_rate(self.slip_rate)


def _minor(m: list[list[int]], i: int, j: int) -> list[list[int]]:
    return [[m[r][c] for c in range(len(m)) if c != j] for r in range(len(m)) if r != i]


def _adjugate(m: list[list[int]], signed: bool = True) -> list[list[int]]:
    n = len(m)
    if n == 2:
        return [[m[1][1], -m[0][1]], [-m[1][0], m[0][0]]]
    cof = [[(-1 if signed and (i + j) % 2 else 1) * det2(_minor(m, i, j)) for j in range(n)] for i in range(n)]
    return [list(row) for row in zip(*cof, strict=True)]


def _mat_claim(lhs: str, got: list[list], truth: list[list]) -> Check:
    return Check(checker="exact_arithmetic", ok=got == truth, detail=f"{lhs} == Matrix({matrix_text(got)})")


def generate(rng: random.Random, level: str, config: Config) -> Problem:
    n, e = rng.choice(config.sizes), config.max_entry
    for tries in range(100):  # prefer small determinants: readable fractions
        m = [[rng.randint(-e, e) for _ in range(n)] for _ in range(n)]
        d = det2(m) if n == 2 else sum((-1) ** j * m[0][j] * det2(_minor(m, 0, j)) for j in range(3))
        if d and (abs(d) <= 12 or tries > 30):
            break
    t = Trace(rng, config.slip_rate)
    a_text = f"Matrix({matrix_text(m)})"
    t.add(f"det A = {d}", f"det A = {d} ≠ 0, so A is invertible ✓", exact_claim(f"{a_text}.det()", d, d),
          "determinant")
    adj = _adjugate(m)
    if n == 2:
        bad = [[-m[1][1], m[0][1]], [m[1][0], -m[0][0]]]
        why = "the adjugate swaps the diagonal and negates the off-diagonal entries ✗"
    else:
        bad = _adjugate(m, signed=False)
        why = "cofactors carry the checkerboard signs (-1)^(i+j) ✗"
    t.add(f"adj A = {matrix_text(adj)}", "transpose of the signed cofactors ✓",
          _mat_claim(f"{a_text}.adjugate()", adj, adj), "adjugate",
          slip=lambda: ("sign_error", f"adj A = {matrix_text(bad)}", why,
                        _mat_claim(f"{a_text}.adjugate()", bad, adj)))
    inv = [[Fraction(v, d) for v in row] for row in adj]
    t.add(f"A^-1 = adj A / {d if d > 0 else f'({d})'} = {matrix_text(inv)}", f"each entry divided by {d} ✓",
          _mat_claim(f"{a_text}.inv()", inv, inv), "scale")
    ident = [[sum(m[i][k] * inv[k][j] for k in range(n)) for j in range(n)] for i in range(n)]
    eye = [[Fraction(int(i == j)) for j in range(n)] for i in range(n)]
    t.add(f"check: A·A^-1 = {matrix_text(ident)}", "the product is the identity ✓",
          _mat_claim(f"{a_text}*Matrix({matrix_text(inv)})", ident, eye), "check")
    answer = matrix_text(inv)
    return Problem(task=NAME, level=level, prompt=f"Find the inverse of the matrix A = {matrix_text(m)}.",
                   steps=t.steps, answer=answer, error=t.error,
                   data={"expected": [[str(v) for v in row] for row in inv]})


def verify(problem: Problem, answer_text: str) -> Verdict:
    """1 when every entry equals the inverse's entry exactly (fractions or decimals)."""
    if looks_like_latex(answer_text):
        return Verdict(0.0, "write the matrix as [[a, b], [c, d]]")
    try:
        rows = parse_matrix(answer_text)
    except (ParseError, RecursionError, ArithmeticError, ValueError, TypeError) as e:
        return Verdict(0.0, f"unreadable matrix: {str(e)[:80]}")
    want = [[Fraction(v) for v in row] for row in problem.data["expected"]]
    if len(rows) != len(want) or len(rows[0]) != len(want[0]):
        return Verdict(0.0, f"expected a {len(want)}×{len(want)} matrix")
    got = [[exact_value(v, {}) for v in row] for row in rows]
    if got == want:
        return Verdict(1.0, "correct inverse")
    return Verdict(0.0, "wrong entries")


TASK = Task(name=NAME, domain="math", levels=("university",), version=VERSION, config_cls=Config,
            generate=generate, verify=verify,
            description="2×2 and 3×3 matrix inverses by the adjugate, exact")

# Distinct questions the default config can produce, a lower bound: the distinct questions
# seen in 8,000 draws (seed 7).
PROBLEM_SPACE = 7466
SPACE_NOTE = ("fewer than 50,000 distinct questions, under 10x the ~5,000 records a curriculum stage asks of a task: expect repeats at that size")
