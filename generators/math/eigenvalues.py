"""Eigenvalues of 2×2 matrices (university) from the characteristic polynomial.

Most matrices are built as P·D·P^-1 with a unimodular P, so the eigenvalues are chosen
integers; some are random with a positive non-square discriminant (irrational
eigenvalues). Steps: trace and determinant (exact), λ^2 - tr·λ + det = 0 (checked against
sympy's `det(A - λI)`), the roots (checked by substitution). Slips: the characteristic
polynomial with + tr·λ (sign error), a root with the wrong sign.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from fractions import Fraction

import sympy

from generators.answer_comparison import verdict_values
from generators.math.determinants import matrix_text
from generators.math.sympy_steps import Trace, claim, exact_claim, fmt, pm_roots
from reasoning.steps import check_slip_rate
from reasoning.task import Dropped, Problem, Task, Verdict

NAME = "eigenvalues"
VERSION = "2"
LAM = sympy.Symbol("lam")


@dataclass(frozen=True)
class Config:
    max_eigenvalue: int = 6
    irrational_share: float = 0.25
    slip_rate: float = 0.1

    def __post_init__(self) -> None:
        if not 1 <= self.max_eigenvalue <= 20:
            raise ValueError("max_eigenvalue must lie in 1..20 (e.g. 6)")
        if not 0.0 <= self.irrational_share <= 1.0:
            raise ValueError("irrational_share must lie in [0, 1] (e.g. 0.25)")
        check_slip_rate(self.slip_rate)


def _matrix(rng: random.Random, config: Config) -> list[list[int]]:
    m = config.max_eigenvalue
    if rng.random() < config.irrational_share:
        for _ in range(100):
            a = [[rng.randint(-m, m) for _ in range(2)] for _ in range(2)]
            tr, det = a[0][0] + a[1][1], a[0][0] * a[1][1] - a[0][1] * a[1][0]
            disc = tr * tr - 4 * det
            if disc > 0 and math.isqrt(disc) ** 2 != disc:
                return a
        raise Dropped("no matrix with irrational eigenvalues found")
    l1, l2 = rng.randint(-m, m), rng.randint(-m, m)
    p, q = rng.randint(-2, 2), rng.randint(-2, 2)
    pm = [[1 + p * q, p], [q, 1]]  # det 1, so P^-1 is integer too
    pinv = [[1, -p], [-q, 1 + p * q]]
    pd = [[pm[i][j] * (l1, l2)[j] for j in range(2)] for i in range(2)]
    return [[sum(pd[i][k] * pinv[k][j] for k in range(2)) for j in range(2)] for i in range(2)]


def generate(rng: random.Random, level: str, config: Config) -> Problem:
    a = _matrix(rng, config)
    t = Trace(rng, config.slip_rate)
    tr, det = a[0][0] + a[1][1], a[0][0] * a[1][1] - a[0][1] * a[1][0]
    a_text = f"Matrix({matrix_text(a)})"
    t.add(f"tr A = {a[0][0]} + ({a[1][1]}) = {tr}, det A = {det}", f"det A = {det} ✓",
          exact_claim(f"{a_text}.det()", det, det), "trace and determinant")
    poly = LAM**2 - tr * LAM + det
    wrong = LAM**2 + tr * LAM + det
    lhs = f"({a_text} - lam*eye(2)).det()"
    true_char = (a[0][0] - LAM) * (a[1][1] - LAM) - a[0][1] * a[1][0]
    t.add(f"det(A - λI) = λ^2 - (tr A)λ + det A = {fmt(poly).replace('lam', 'λ')}",
          "characteristic polynomial ✓", claim(true_char, poly, lhs), "characteristic polynomial",
          slip=(lambda: ("sign_error", f"det(A - λI) = λ^2 + (tr A)λ + det A = {fmt(wrong).replace('lam', 'λ')}",
                         "the λ term is -(tr A)·λ ✗", claim(true_char, wrong, lhs))) if tr else None)
    disc = tr * tr - 4 * det
    t.add(f"λ = (tr ± √(tr^2 - 4det))/2 = ({tr} ± √{disc})/2", f"discriminant ({tr})^2 - 4·({det}) = {disc} ✓",
          exact_claim(f"({tr})**2 - 4*({det})", disc, disc), "formula")
    root = math.isqrt(disc)
    if root * root == disc:  # rational eigenvalues: exact fractions, no sympy needed
        roots = sorted({Fraction(tr - root, 2), Fraction(tr + root, 2)})
        for r in roots:
            shown = f"({r})^2 - ({tr})·({r}) + ({det})"
            t.add(f"λ = {r}: {shown} = 0", "it is a root ✓",
                  exact_claim(f"Subs({poly}, lam, {r})", r * r - tr * r + det, 0), f"root {r}",
                  slip=(lambda r=r: ("sign_error", f"λ = {-r}", f"substituting {-r} does not give 0 ✗",
                                     exact_claim(f"Subs({poly}, lam, {-r})", 0, r * r + tr * r + det)))
                  if r else None)
        values = [str(r) for r in roots]
    else:
        roots = [(tr - sympy.sqrt(disc)) / 2, (tr + sympy.sqrt(disc)) / 2]
        for r in roots:
            t.add(f"λ = {fmt(r)} is a root of {fmt(poly).replace('lam', 'λ')}", "substituting gives 0 ✓",
                  claim(sympy.expand(poly.subs(LAM, r)), sympy.Integer(0), f"Subs({poly}, lam, {r})"),
                  f"root {fmt(r)}")
        values = pm_roots(sympy.Rational(tr, 2), sympy.sqrt(disc) / 2)
    return Problem(task=NAME, level=level, prompt=f"Find the eigenvalues of the matrix {matrix_text(a)}.",
                   steps=t.steps, answer=" or ".join(f"λ = {v}" for v in values), error=t.error,
                   data={"expected": values})


def verify(problem: Problem, answer_text: str) -> Verdict:
    return verdict_values(answer_text, problem.data["expected"], "lambda")


TASK = Task(name=NAME, domain="math", levels=("university",), version=VERSION, config_cls=Config,
            generate=generate, verify=verify,
            description="eigenvalues of 2×2 matrices via the characteristic polynomial")

# Distinct questions the default config can produce, a lower bound: the distinct questions
# seen in 8,000 draws (seed 7).
PROBLEM_SPACE = 4453
SPACE_NOTE = ("fewer than 50,000 distinct questions, under 10x the ~5,000 records a curriculum stage asks of a task: expect repeats at that size")
