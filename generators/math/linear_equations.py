"""Linear equations in one unknown (middle): 5x + 3 = 2x + 9.

One step per move: bring the unknown to the left (``subtract 2x from both sides: 5x - 2x =
3x → 3x + 3 = 9``), the number to the right (``subtract 3 from both sides: 3x = 9 - 3 = 6``),
then divide (``divide both sides by 3: x = 6 ÷ 3 = 2``). Each new equation is checked
exactly: its coefficients are recomputed and it must be equivalent to the equation before
it (same root), judged from the coefficients, never by substituting the final answer; a
critic names only the arithmetic of its own step, so the answer first appears where the
last step derives it.
Slips: moving a term without changing its sign (``sign_error``) and dividing the wrong way
round (``inverted_division``).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from generators.answers import fraction_text, verify_number
from generators.step_check import judge_claims
from reasoning.schema import Check
from reasoning.split import canonical_identity
from reasoning.steps import StepLog
from reasoning.task import Problem, StepJudgement, Task, Verdict

NAME = "linear_equations"
VERSION = "2"
VARIABLES = ("x", "y", "n")


@dataclass(frozen=True)
class Config:
    max_coefficient: int = 9
    max_constant: int = 20
    both_sides: float = 0.5  # share of equations with the unknown on both sides
    integer_solutions: float = 0.8  # share of equations whose solution is a whole number
    slip_rate: float = 0.1  # chance that a step is first proposed with a slip

    def __post_init__(self) -> None:
        if not 2 <= self.max_coefficient <= 100:
            raise ValueError(
                f"max_coefficient must lie in [2, 100] (e.g. 9), got {self.max_coefficient}"
            )
        if not 1 <= self.max_constant <= 1000:
            raise ValueError(
                f"max_constant must lie in [1, 1000] (e.g. 20), got {self.max_constant}"
            )
        for key in ("both_sides", "integer_solutions", "slip_rate"):
            if not 0.0 <= getattr(self, key) <= 1.0:
                raise ValueError(f"{key} must lie in [0, 1], got {getattr(self, key)}")


def num(v: Fraction | int) -> str:
    """A number as written in steps: `3`, `-7/2`."""
    return fraction_text(v) if isinstance(v, Fraction) else str(v)


def term(coef: int | Fraction, var: str) -> str:
    return {1: var, -1: f"-{var}"}.get(coef, f"{num(coef)}{var}")  # type: ignore[arg-type]


def side(coef: int | Fraction, const: int | Fraction, var: str) -> str:
    """`coef·var + const` written the usual way: 3x + 2, -x - 4, 5, 2x."""
    if coef == 0:
        return num(const)
    if const == 0:
        return term(coef, var)
    return f"{term(coef, var)} {'+' if const > 0 else '-'} {num(abs(const))}"


def equation(
    a: int | Fraction, b: int | Fraction, c: int | Fraction, d: int | Fraction, var: str
) -> str:
    """The equation a·var + b = c·var + d."""
    return f"{side(a, b, var)} = {side(c, d, var)}"


def equivalent(before: tuple, after: tuple) -> bool:
    """Whether a·v + b = c·v + d (before) and after have the same single root: both reduce
    to (a - c)·v = d - b, and the two reductions must be proportional."""
    a, b, c, d = before
    e, f, g, h = after
    return e - g != 0 and (a - c) * (h - f) == (e - g) * (d - b)


def check_equation(claim: tuple, truth: tuple, before: tuple) -> Check:
    """A claimed equation (a, b, c, d) must be the expected one and equivalent to `before`."""
    same_root = equivalent(before, claim)
    ok = same_root and tuple(claim) == tuple(truth)  # Fraction == int compares by value
    detail = f"{'equivalent' if same_root else 'not equivalent'} to the equation before it"
    if not ok and same_root:
        detail += "; but it is not the expected step"
    return Check(checker="exact_rational", ok=ok, detail=detail)


def generate(rng: random.Random, level: str, config: Config) -> Problem:
    var = rng.choice(VARIABLES)
    mc, mk = config.max_coefficient, config.max_constant
    if rng.random() < config.both_sides:
        a = rng.choice([k for k in range(-mc, mc + 1) if k != 0])
        c = rng.choice([k for k in range(-mc, mc + 1) if k not in (0, a)])
    else:  # a·x + b = d with a != 1, so that there is something to divide
        a, c = rng.choice([k for k in range(-mc, mc + 1) if k not in (0, 1)]), 0
    b = rng.randint(-mk, mk)
    if rng.random() < config.integer_solutions:
        solution = Fraction(rng.randint(-10, 10))
        d = (a - c) * solution + b  # whole number, since a, b, c and the solution are
    else:
        d = Fraction(rng.randint(-mk, mk))
        solution = (d - b) / (a - c)
    a, b, c, d = (Fraction(v) for v in (a, b, c, d))
    question = equation(a, b, c, d, var)
    log = StepLog(rng, config.slip_rate)

    state = [(a, b, c, d)]  # the equation before the next step

    def emit(text: str, critic: str, claim: tuple, truth: tuple, slip: tuple | None) -> None:
        before = state[0]
        wrong = None if slip is None else (slip[0], slip[1], slip[3], check_equation(slip[2], truth, before))
        log.add(text, critic, check_equation(claim, truth, before), slip=wrong)
        state[0] = truth

    if c != 0:  # move the unknown to the left
        verb, amount = ("subtract", c) if c > 0 else ("add", -c)
        na = a - c
        lhs = f"{term(a, var)} {'-' if c > 0 else '+'} {term(amount, var)} = {term(na, var)}"
        truth = (na, b, 0, d)
        text = f"{verb} {term(amount, var)} {'from' if c > 0 else 'to'} both sides: {lhs} → {equation(*truth, var)}"
        wa, slip = a + c, None
        if wa:
            wrong = (
                f"bring {term(c, var)} to the left: {term(a, var)} {'+' if c > 0 else '-'} "
                f"{term(amount, var)} = {term(wa, var)} → {equation(wa, b, 0, d, var)}"
            )
            slip = (
                "sign_error",
                wrong,
                (wa, b, 0, d),
                f"{term(c, var)} changes sign when it moves: {lhs}, not {term(wa, var)} ✗",
            )
        emit(text, f"the same {term(amount, var)} on both sides keeps them equal: {lhs} ✓", truth, truth, slip)
        a = na
    if b != 0:  # move the number to the right
        verb, prep = ("subtract", "from") if b > 0 else ("add", "to")
        nd = d - b
        op, wop = ("-", "+") if b > 0 else ("+", "-")
        text = f"{verb} {num(abs(b))} {prep} both sides: {term(a, var)} = {num(d)} {op} {num(abs(b))} = {num(nd)}"
        wd = d + b
        wrong = f"bring {num(abs(b))} to the right: {term(a, var)} = {num(d)} {wop} {num(abs(b))} = {num(wd)}"
        slip = (
            "sign_error",
            wrong,
            (a, 0, 0, wd),
            f"{num(abs(b))} changes sign when it moves: {num(d)} {op} {num(abs(b))} = {num(nd)} ✗",
        )
        emit(text, f"the same {num(abs(b))} on both sides: {num(d)} {op} {num(abs(b))} = {num(nd)} ✓",
             (a, 0, 0, nd), (a, 0, 0, nd), slip)
        d = nd
    if a != 1:
        div = f"({num(a)})" if a < 0 else num(a)
        text = f"divide both sides by {num(a)}: {var} = {num(d)} ÷ {div} = {num(solution)}"
        slip = None
        if d != 0 and abs(d) != abs(a):
            wv = a / d
            wdiv = f"({num(d)})" if d < 0 else num(d)
            wrong = f"divide: {var} = {num(a)} ÷ {wdiv} = {num(wv)}"
            slip = (
                "inverted_division",
                wrong,
                (1, 0, 0, wv),
                f"divide {num(d)} by {num(a)}, not {num(a)} by {num(d)} ✗",
            )
        emit(text, f"{num(d)} ÷ {div} = {num(solution)} ✓", (1, 0, 0, solution), (1, 0, 0, solution), slip)
    answer = f"{var} = {num(solution)}"
    return Problem(
        task=NAME,
        level=level,
        prompt=f"Solve for {var}: {question}",
        steps=log.steps,
        answer=answer,
        error=log.error,
        data={"expected": num(solution), "variable": var},
        identity=canonical_identity(NAME, {"equation": [str(v) for v in (a, b, c, d)]}),
    )


def verify(problem: Problem, answer_text: str) -> Verdict:
    return verify_number(answer_text, problem.data["expected"], (problem.data["variable"],))


def check_step(problem: Problem, previous: Sequence[str], proposal: str) -> StepJudgement:
    """A rewritten equation must keep the solution; arithmetic must be exact."""
    var = problem.data["variable"]
    root = {var: Fraction(problem.data["expected"])}
    return judge_claims(proposal, (var,), solutions=(root,))

TASK = Task(
    name=NAME,
    domain="math",
    levels=("middle",),
    version=VERSION,
    config_cls=Config,
    generate=generate,
    verify=verify, check_step=check_step,
    description="solve a·x + b = c·x + d: move the unknown, move the number, divide",
)

# Distinct questions the default config can produce, a lower bound: the distinct questions
# seen in 8,000 draws (seed 7).
PROBLEM_SPACE = 7851
SPACE_NOTE = ("fewer than 50,000 distinct questions, under 10x the ~5,000 records a curriculum stage asks of a task: expect repeats at that size")
