"""Determinants of 2×2 and 3×3 integer matrices (university), by cofactor expansion.

Each 2×2 minor is a step `a·d - b·c = v`; the 3×3 determinant adds the first-row entries
times their minors with alternating signs. Claims are exact integers, re-checkable with
sympy (`Matrix(...).det()`). Slips: a sign error in a cofactor, a·d + b·c for a minor.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from generators.answer_comparison import verdict_values
from generators.math.sympy_steps import Trace, exact_claim
from reasoning.steps import check_slip_rate
from reasoning.task import Problem, Task, Verdict

NAME = "determinants"
VERSION = "1"


@dataclass(frozen=True)
class Config:
    sizes: tuple[int, ...] = (2, 3)
    max_entry: int = 9
    slip_rate: float = 0.1

    def __post_init__(self) -> None:
        if not self.sizes or set(self.sizes) - {2, 3}:
            raise ValueError("sizes must be a non-empty subset of (2, 3)")
        if not 1 <= self.max_entry <= 99:
            raise ValueError("max_entry must lie in 1..99 (e.g. 9)")
        check_slip_rate(self.slip_rate)


def det2(m: list[list[int]]) -> int:
    return m[0][0] * m[1][1] - m[0][1] * m[1][0]


def matrix_text(m: list[list[int]]) -> str:
    return "[" + ", ".join("[" + ", ".join(str(v) for v in row) + "]" for row in m) + "]"


def _minor_step(t: Trace, m: list[list[int]], label: str) -> int:
    (a, b), (c, d) = m
    v = det2(m)
    wrong = a * d + b * c
    t.add(f"{label} = ({a})·({d}) - ({b})·({c}) = {v}", f"{a * d} - ({b * c}) = {v} ✓",
          exact_claim(f"Matrix({matrix_text(m)}).det()", v, v), label,
          slip=(lambda: ("sign_error", f"{label} = ({a})·({d}) + ({b})·({c}) = {wrong}",
                         f"a 2×2 determinant is ad - bc = {v} ✗",
                         exact_claim(f"Matrix({matrix_text(m)}).det()", wrong, v))) if b * c else None)
    return v


def generate(rng: random.Random, level: str, config: Config) -> Problem:
    size = rng.choice(config.sizes)
    e = config.max_entry
    m = [[rng.randint(-e, e) for _ in range(size)] for _ in range(size)]
    t = Trace(rng, config.slip_rate)
    if size == 2:
        value = _minor_step(t, m, "det")
    else:
        minors = []
        for j in range(3):
            sub = [[m[i][k] for k in range(3) if k != j] for i in (1, 2)]
            minors.append(_minor_step(t, sub, f"M1{j + 1}"))
        terms = [m[0][j] * minors[j] for j in range(3)]
        value = terms[0] - terms[1] + terms[2]
        wrong = terms[0] + terms[1] + terms[2]
        expansion = f"{m[0][0]}·({minors[0]}) - ({m[0][1]})·({minors[1]}) + ({m[0][2]})·({minors[2]})"
        t.add(f"det = {expansion} = {value}", "cofactor signs + - + along the first row ✓",
              exact_claim(f"Matrix({matrix_text(m)}).det()", value, value), "expansion",
              slip=(lambda: ("sign_error", f"det = {expansion.replace(' - ', ' + ', 1)} = {wrong}",
                             "the middle cofactor carries a minus sign ✗",
                             exact_claim(f"Matrix({matrix_text(m)}).det()", wrong, value))) if terms[1] else None)
    return Problem(task=NAME, level=level,
                   prompt=f"Compute the determinant of the matrix {matrix_text(m)}.",
                   steps=t.steps, answer=str(value), error=t.error,
                   data={"expected": [str(value)], "matrix": m})


def verify(problem: Problem, answer_text: str) -> Verdict:
    return verdict_values(answer_text, problem.data["expected"], "det")


TASK = Task(name=NAME, domain="math", levels=("university",), version=VERSION, config_cls=Config,
            generate=generate, verify=verify,
            description="2×2 and 3×3 determinants by cofactor expansion, exact")

# Distinct questions the default config can produce, a lower bound: the distinct questions
# seen in 8,000 draws (seed 7).
PROBLEM_SPACE = 7936
SPACE_NOTE = ("fewer than 50,000 distinct questions, under 10x the ~5,000 records a curriculum stage asks of a task: expect repeats at that size")
