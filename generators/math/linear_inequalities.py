"""Linear inequalities in one variable (high): a·x + b REL c·x + d, answered as an interval.

Steps move the x terms to the left and the constants to the right, then divide by the
coefficient of x, flipping the relation when it is negative. Each step's claim is an
equivalence of inequalities (`A <=> B`), checked exactly with fractions. Slips: a
sign error moving a term across, dividing by a negative number without flipping.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from fractions import Fraction

from generators.answer_grammar import parse_interval
from generators.math.sympy_steps import Trace
from reasoning.schema import Check
from reasoning.steps import check_slip_rate
from reasoning.task import Problem, Task, Verdict

NAME = "linear_inequalities"
VERSION = "2"
FLIP = {"<": ">", ">": "<", "<=": ">=", ">=": "<="}
SHOW = {"<": "<", ">": ">", "<=": "≤", ">=": "≥"}


@dataclass(frozen=True)
class Config:
    max_coefficient: int = 9
    slip_rate: float = 0.1

    def __post_init__(self) -> None:
        if not 2 <= self.max_coefficient <= 50:
            raise ValueError("max_coefficient must lie in 2..50 (e.g. 9)")
        check_slip_rate(self.slip_rate)


def _lin(a: Fraction | int, b: Fraction | int) -> str:
    """`a*x + b` in sympy syntax with exact fractions."""
    return f"({a})*x + ({b})"


def _solution(k: Fraction, rel: str, rhs: Fraction) -> tuple[str, Fraction]:
    """k·x REL rhs solved for x: (relation, bound)."""
    return (rel if k > 0 else FLIP[rel]), rhs / k


def _same_set(a: tuple[Fraction, Fraction, str, Fraction, Fraction],
              b: tuple[Fraction, Fraction, str, Fraction, Fraction]) -> bool:
    """Whether p·x + q REL r·x + s describe the same set of x (each side normalised)."""
    def norm(t):
        p, q, rel, r, s = t
        k, rhs = p - r, s - q
        if k == 0:
            return ("all" if _holds(0, rel, rhs) else "none",)
        return _solution(k, rel, rhs)
    return norm(a) == norm(b)


def _holds(lhs: Fraction | int, rel: str, rhs: Fraction | int) -> bool:
    return {"<": lhs < rhs, ">": lhs > rhs, "<=": lhs <= rhs, ">=": lhs >= rhs}[rel]


def _step_check(before, after) -> Check:
    p, q, rel, r, s = before
    p2, q2, rel2, r2, s2 = after
    return Check(checker="exact_inequality", ok=_same_set(before, after),
                 detail=f"{_lin(p, q)} {rel} {_lin(r, s)} <=> {_lin(p2, q2)} {rel2} {_lin(r2, s2)}")


def _text(p, q, rel, r, s) -> str:
    def side(a, b):
        if a == 0:
            return str(b)
        xs = "x" if a == 1 else "-x" if a == -1 else f"{a}x"
        return xs if b == 0 else f"{xs} + {b}" if b > 0 else f"{xs} - {-b}"
    return f"{side(p, q)} {SHOW[rel]} {side(r, s)}"


def _xs(c: int) -> str:
    """The term c·x with coefficient 1 left out: x, 3x."""
    return "x" if c == 1 else f"{c}x"


def generate(rng: random.Random, level: str, config: Config) -> Problem:
    m = config.max_coefficient
    while True:
        a, c = rng.randint(-m, m), rng.randint(-m, m)
        if a != c:
            break
    b, d = rng.randint(-m * 2, m * 2), rng.randint(-m * 2, m * 2)
    rel = rng.choice(tuple(FLIP))
    t = Trace(rng, config.slip_rate)
    start = (Fraction(a), Fraction(b), rel, Fraction(c), Fraction(d))
    k, rhs = Fraction(a - c), Fraction(d - b)
    moved = (k, Fraction(0), rel, Fraction(0), rhs)
    wrong_moved = (k, Fraction(0), rel, Fraction(0), Fraction(d + b))
    ops = ([f"subtract {_xs(c)}" if c > 0 else f"add {_xs(-c)}"] if c else []) + (
        [f"subtract {b}" if b > 0 else f"add {-b}"] if b else [])
    t.add(f"move x terms left and constants right: {_text(*moved)}",
          f"{' and '.join(ops) or 'nothing to move'} on both sides ✓", _step_check(start, moved), "collect terms",
          slip=(lambda: ("sign_error", f"move x terms left and constants right: {_text(*wrong_moved)}",
                         f"{b} moves across as {-b}, so the right side is {d - b} ✗",
                         _step_check(start, wrong_moved))) if b else None)
    final_rel, bound = _solution(k, rel, rhs)
    solved = (Fraction(1), Fraction(0), final_rel, Fraction(0), bound)
    kept = (Fraction(1), Fraction(0), rel, Fraction(0), bound)
    flip_note = f"; {k} < 0 flips the relation" if k < 0 else ""
    t.add(f"divide by {k}{flip_note}: x {SHOW[final_rel]} {bound}", f"x {SHOW[final_rel]} {bound} ✓",
          _step_check(moved, solved), "divide",
          slip=(lambda: ("sign_error", f"divide by {k}: x {SHOW[rel]} {bound}",
                         f"dividing by the negative {k} must flip {SHOW[rel]} ✗",
                         _step_check(moved, kept))) if k < 0 else None)
    closed = final_rel in ("<=", ">=")
    if final_rel in ("<", "<="):
        interval = f"(-oo, {bound}{']' if closed else ')'}"
        expected = [None, False, str(bound), closed]
    else:
        interval = f"{'[' if closed else '('}{bound}, oo)"
        expected = [str(bound), closed, None, False]
    return Problem(task=NAME, level=level,
                   prompt=f"Solve {_text(*start)} for x. Give the solution set as an interval.",
                   steps=t.steps, answer=interval, error=t.error, data={"expected": expected})


def verify(problem: Problem, answer_text: str) -> Verdict:
    """1 when the interval (or relation such as `x <= 3`) is exactly the solution set."""
    try:
        lo, lo_closed, hi, hi_closed = parse_interval(answer_text, "x")
    except (ValueError, RecursionError, ArithmeticError, TypeError) as e:
        return Verdict(0.0, f"unreadable interval: {str(e)[:80]}")
    e_lo, e_lo_closed, e_hi, e_hi_closed = problem.data["expected"]
    want = (None if e_lo is None else Fraction(e_lo), e_lo_closed,
            None if e_hi is None else Fraction(e_hi), e_hi_closed)
    if (lo, lo_closed, hi, hi_closed) == want:
        return Verdict(1.0, "correct interval")
    if (lo, hi) == want[0::2]:
        return Verdict(0.0, "right endpoint, wrong open/closed end")
    return Verdict(0.0, "wrong interval")


TASK = Task(name=NAME, domain="math", levels=("high",), version=VERSION, config_cls=Config,
            generate=generate, verify=verify,
            description="linear inequalities solved to an interval, each step checked exactly")

# Distinct questions the default config can produce, a lower bound: the distinct questions
# seen in 8,000 draws (seed 7).
PROBLEM_SPACE = 7980
SPACE_NOTE = ("fewer than 50,000 distinct questions, under 10x the ~5,000 records a curriculum stage asks of a task: expect repeats at that size")
