"""Systems of two linear equations (middle): 2x + 3y = 1, x - 4y = 6.

Elimination of y, one step each: scale both equations so the y terms match
(``multiply (1) by -4: -8x - 12y = -4``), subtract (``-8 - 3 = -11, -4 - 18 = -22 →
-11x = -22``), divide, substitute x back into (1) and divide again. Every new equation is
checked exactly: its coefficients are recomputed and the true solution must satisfy it.
A critic recomputes only its own step's arithmetic, so x and y first appear in the text
where the steps that derive them stand.
Slips: adding instead of subtracting the constants (``sign_error``) and a sign error when
moving the x term in the substitution (``substitution_sign``).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from generators.answers import parse_assignments
from generators.step_check import judge_claims
from reasoning.schema import Check
from reasoning.steps import StepLog, check_slip_rate
from reasoning.task import Problem, StepJudgement, Task, Verdict

NAME = "linear_systems"
VERSION = "2"


@dataclass(frozen=True)
class Config:
    max_coefficient: int = 6
    max_solution: int = 8
    slip_rate: float = 0.1  # chance that a step is first proposed with a slip

    def __post_init__(self) -> None:
        if not 2 <= self.max_coefficient <= 50:
            raise ValueError(
                f"max_coefficient must lie in [2, 50] (e.g. 6), got {self.max_coefficient}"
            )
        if not 1 <= self.max_solution <= 1000:
            raise ValueError(
                f"max_solution must lie in [1, 1000] (e.g. 8), got {self.max_solution}"
            )
        check_slip_rate(self.slip_rate)


def pn(v: int) -> str:
    """A number after an operator: negatives in brackets."""
    return f"({v})" if v < 0 else str(v)


def term(coef: int, var: str) -> str:
    return {1: var, -1: f"-{var}"}.get(coef, f"{coef}{var}")


def eq(a: int, b: int, c: int) -> str:
    """The equation a·x + b·y = c, written the usual way."""
    left = term(a, "x") if a else ""
    if b:
        left = f"{left} {'+' if b > 0 else '-'} {term(abs(b), 'y')}" if left else term(b, "y")
    return f"{left or 0} = {c}"


def check_claim(claim: tuple[int, int, int], truth: tuple[int, int, int], x: int, y: int) -> Check:
    """The claimed equation must be the expected one, and (x, y) must satisfy it."""
    a, b, c = claim
    holds = a * x + b * y == c
    ok = holds and claim == truth
    detail = f"the system's solution {'satisfies' if holds else 'does not satisfy'} {eq(*claim)}"
    return Check(
        checker="exact_integer",
        ok=ok,
        detail=detail + ("" if ok or not holds else "; not the expected step"),
    )


def generate(rng: random.Random, level: str, config: Config) -> Problem:
    mc, ms = config.max_coefficient, config.max_solution
    coefs = [k for k in range(-mc, mc + 1) if k]
    while True:  # terminates quickly: most draws have a nonzero determinant
        a1, b1, a2, b2 = (rng.choice(coefs) for _ in range(4))
        if a1 * b2 - a2 * b1:
            break
    x, y = rng.randint(-ms, ms), rng.randint(-ms, ms)
    c1, c2 = a1 * x + b1 * y, a2 * x + b2 * y
    log = StepLog(rng, config.slip_rate)

    def emit(text: str, claim: tuple, critic: str, slip: tuple | None = None) -> None:
        wrong = None if slip is None else (slip[0], slip[1], slip[3], check_claim(slip[2], claim, x, y))
        log.add(text, critic, check_claim(claim, claim, x, y), slip=wrong)

    def scaled(k: int, a: int, b: int, c: int) -> str:
        return f"{pn(a)}·{pn(k)} = {a * k}, {pn(b)}·{pn(k)} = {b * k}, {pn(c)}·{pn(k)} = {c * k} ✓"

    # the scaled equations: (1) × b2 and (2) × b1 have the same y coefficient b1·b2
    sa1, sb, sc1 = a1 * b2, b1 * b2, c1 * b2
    sa2, sc2 = a2 * b1, c2 * b1
    if b1 != b2:
        if b2 != 1:
            emit(f"multiply (1) by {b2}: {eq(sa1, sb, sc1)}", (sa1, sb, sc1), scaled(b2, a1, b1, c1))
        if b1 != 1:
            emit(f"multiply (2) by {b1}: {eq(sa2, sb, sc2)}", (sa2, sb, sc2), scaled(b1, a2, b2, c2))
    dx, ex = sa1 - sa2, sc1 - sc2
    text = f"subtract to remove y: {sa1} - {pn(sa2)} = {dx}, {sc1} - {pn(sc2)} = {ex} → {eq(dx, 0, ex)}"
    wrong = f"subtract to remove y: {sa1} - {pn(sa2)} = {dx}, {sc1} + {pn(sc2)} = {sc1 + sc2} → {eq(dx, 0, sc1 + sc2)}"
    emit(
        text,
        (dx, 0, ex),
        f"{sa1} - {pn(sa2)} = {dx}, the y terms cancel, {sc1} - {pn(sc2)} = {ex} ✓",
        (
            "sign_error",
            wrong,
            (dx, 0, sc1 + sc2),
            f"subtract the constants too: {sc1} - {pn(sc2)} = {ex} ✗",
        )
        if sc2
        else None,
    )
    if dx != 1:
        emit(f"divide by {dx}: x = {ex} ÷ {pn(dx)} = {x}", (1, 0, x), f"{ex} ÷ {pn(dx)} = {x} ✓")
    rest = c1 - a1 * x
    text = f"put x = {x} into (1): {term(b1, 'y')} = {c1} - {pn(a1 * x)} = {rest}"
    wrong = f"put x = {x} into (1): {term(b1, 'y')} = {c1} + {pn(a1 * x)} = {c1 + a1 * x}"
    emit(
        text,
        (0, b1, rest),
        f"{pn(a1)}·{pn(x)} = {a1 * x}, {c1} - {pn(a1 * x)} = {rest} ✓",
        (
            "substitution_sign",
            wrong,
            (0, b1, c1 + a1 * x),
            f"{term(a1, 'x')} changes sign when it moves: {c1} - {pn(a1 * x)} = {rest} ✗",
        )
        if a1 * x
        else None,
    )
    if b1 != 1:
        emit(f"divide by {b1}: y = {rest} ÷ {pn(b1)} = {y}", (0, 1, y), f"{rest} ÷ {pn(b1)} = {y} ✓")
    return Problem(
        task=NAME,
        level=level,
        prompt=f"Solve the system: (1) {eq(a1, b1, c1)}, (2) {eq(a2, b2, c2)}.",
        steps=log.steps,
        answer=f"x = {x}, y = {y}",
        error=log.error,
        data={"x": x, "y": y},
    )


def verify(problem: Problem, answer_text: str) -> Verdict:
    values, why = parse_assignments(answer_text, ("x", "y"))
    if values is None:
        return Verdict(0.0, why)
    want = {"x": Fraction(problem.data["x"]), "y": Fraction(problem.data["y"])}
    wrong = [k for k in ("x", "y") if values[k] != want[k]]
    if not wrong:
        return Verdict(1.0, "correct")
    return Verdict(0.0, f"wrong value for {' and '.join(wrong)}")


def check_step(problem: Problem, previous: Sequence[str], proposal: str) -> StepJudgement:
    """Every equation a step writes must hold at the system's solution."""
    solution = {"x": Fraction(problem.data["x"]), "y": Fraction(problem.data["y"])}
    return judge_claims(proposal, ("x", "y"), solutions=(solution,))

TASK = Task(
    name=NAME,
    domain="math",
    levels=("middle",),
    version=VERSION,
    config_cls=Config,
    generate=generate,
    verify=verify, check_step=check_step,
    description="two linear equations in x and y, by elimination and substitution",
)

# Distinct questions the default config can produce, a lower bound: the distinct questions
# seen in 8,000 draws (seed 7).
PROBLEM_SPACE = 7997
SPACE_NOTE = ("fewer than 50,000 distinct questions, under 10x the ~5,000 records a curriculum stage asks of a task: expect repeats at that size")
