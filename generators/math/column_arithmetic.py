"""Column addition and subtraction (primary), written digit column by digit column.

Each column step states its arithmetic, e.g. ``tens: 3 + 4 + 1 = 8, write 8`` or
``ones: 3 + 10 - 7 = 6, write 6, borrow 1``, and is checked by recomputing the column
exactly. Reasoning slips (dropped carry, wrong borrow, digit fact error) are proposed,
caught by the critic, rejected, and followed by the corrected step.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from generators.answers import parse_integer
from generators.slips import wrong_value
from reasoning.schema import Check
from reasoning.steps import Slip, StepLog, check_slip_rate
from reasoning.task import Problem, Task, Verdict

NAME = "column_arithmetic"
VERSION = "2"
COLUMNS = ("ones", "tens", "hundreds", "thousands", "ten-thousands", "hundred-thousands",
           "millions", "ten-millions", "hundred-millions", "billions")  # fmt: skip
SLIPS = ("dropped_carry", "wrong_borrow", "off_by_one", "carry_column", "wrong_operation",
         "transposed_digits")


@dataclass(frozen=True)
class Config:
    min_digits: int = 2
    max_digits: int = 4
    operations: tuple[str, ...] = ("+", "-")
    slip_rate: float = 0.1  # chance that a column step is first proposed with a slip
    # A form written for learners: each column step first names the digit it takes from
    # each number ("tens: 1003 has 0, 610 has 1: ...") and ends with the digits written so
    # far ("so far 93"), so that no step copies a digit from far away.
    digits_in_steps: bool = False
    # Only the second half of that: each column step ends with the digits written so far,
    # so the answer is read from the last step, not re-reversed from every step.
    running_result: bool = False

    def __post_init__(self) -> None:
        if not 1 <= self.min_digits <= self.max_digits <= 9:
            raise ValueError("need 1 <= min_digits <= max_digits <= 9 (e.g. min 2, max 4)")
        if not self.operations or set(self.operations) - {"+", "-"}:
            raise ValueError("operations must be a non-empty subset of ('+', '-')")
        check_slip_rate(self.slip_rate)


@dataclass(frozen=True)
class Column:
    """One column's claim: signed terms summing to `value`, the digit written, and whether
    a carry (addition) or borrow (subtraction) goes to the next column.

    Terms are (sign, digit) pairs so that ``9 - 0`` keeps its minus sign."""

    name: str
    terms: tuple[tuple[str, int], ...]
    value: int
    write: int
    carry: bool

    def total(self) -> int:
        return sum(d if sign == "+" else -d for sign, d in self.terms)

    def expr(self) -> str:
        """The column's arithmetic without its result, e.g. ``3 + 4 + 1``."""
        first_sign, first = self.terms[0]
        out = str(first) if first_sign == "+" else f"-{first}"
        return out + "".join(f" {sign} {d}" for sign, d in self.terms[1:])

    def text(self, op: str, digits: str = "", so_far: str = "") -> str:
        """The step, e.g. ``tens: 3 + 4 + 1 = 8, write 8``; `digits` (``1003 has 0, 610 has 1``)
        and `so_far` (the written digits, ``93``) make the learners' form."""
        tail = (" carry 1" if op == "+" else ", borrow 1") if self.carry else ""
        head = f"{self.name}: {digits}: " if digits else f"{self.name}: "
        end = f", so far {so_far}" if so_far else ""
        return f"{head}{self.expr()} = {self.value}, write {self.write}{tail}{end}"


def digits_named(a: int, b: int, k: int, op: str) -> str:
    """What column `k` takes from each number: ``1003 has 0, 610 has 1`` (addition names only
    the numbers that reach column `k`; an extra carry column names none)."""
    named = [n for n in (a, b) if k < len(str(n)) or (op == "-" and n == b and k < len(str(a)))]
    return ", ".join(f"{n} has {(n // 10**k) % 10}" for n in named)


def _digits(n: int, width: int) -> list[int]:
    return [(n // 10**k) % 10 for k in range(width)]


def true_columns(a: int, b: int, op: str) -> list[Column]:
    """The columns of `a op b` (a >= b for subtraction), ones first, each as a step claims it."""
    width = max(len(str(a)), len(str(b)))
    da, db = _digits(a, width), _digits(b, width)
    cols, carry = [], 0
    for k in range(width):
        if op == "+":
            terms = [("+", da[k])] + ([("+", db[k])] if k < len(str(b)) else [])
            terms += [("+", 1)] if carry else []
            value = sum(d for _, d in terms)
            cols.append(Column(COLUMNS[k], tuple(terms), value, value % 10, value >= 10))
            carry = int(value >= 10)
        else:
            need = da[k] - carry < db[k]
            terms = [("+", da[k])] + ([("-", 1)] if carry else []) + ([("+", 10)] if need else [])
            terms += [("-", db[k])]
            value = da[k] - carry + 10 * need - db[k]
            cols.append(Column(COLUMNS[k], tuple(terms), value, value, need))
            carry = int(need)
    if op == "+" and carry:
        cols.append(Column(COLUMNS[width], (("+", 1),), 1, 1, False))
    return cols


def check_column(claim: Column, truth: Column) -> Check:
    """Recompute a column claim exactly against the true column."""
    if claim.total() != claim.value:
        return Check(checker="exact_arithmetic", ok=False,
                     detail=f"{claim.expr()} is {claim.total()}, not {claim.value}")
    ok = claim == truth
    detail = f"{truth.expr()} = {truth.value}"
    if not ok:
        detail += f"; claimed {claim.text('+' if truth.terms[-1][0] == '+' else '-')}"
    return Check(checker="exact_arithmetic", ok=ok, detail=detail)


def _slip(rng: random.Random, col: Column, prev: str | None, op: str,
          carried_in: bool) -> tuple[str, Column, str]:
    """A typical wrong version of `col` with the critic's words. `carried_in`: the previous
    column carried 1 into this one (only then can a carry be dropped)."""
    kinds = ["digit_fact"]
    carried = op == "+" and carried_in and len(col.terms) > 1
    if carried:
        kinds.append("dropped_carry")
    lent = len(col.terms) >= 3 and col.terms[1] == ("-", 1)  # not the subtrahend digit 1
    borrowed = ("+", 10) in col.terms
    if op == "-" and (lent or borrowed) and col.terms[0][1] - lent >= 0:  # 0 lent on: no slip
        kinds.append("wrong_borrow")
    kind = rng.choice(kinds)
    if kind == "dropped_carry":
        terms = col.terms[:-1]
        v = sum(d for _, d in terms)
        wrong = Column(col.name, terms, v, v % 10, v >= 10)
        critic = f"the carry 1 from the {prev} was dropped: {col.expr()} = {col.value} ✗"
    elif kind == "wrong_borrow":
        top, bottom = col.terms[0][1] - (1 if lent else 0), col.terms[-1][1]
        if borrowed:  # needed a borrow, but took the smaller digit from the larger instead
            big, small = max(top, bottom), min(top, bottom)
            wrong = Column(col.name, (("+", big), ("-", small)), big - small, big - small, False)
            critic = f"{top} < {bottom}: must borrow, {col.expr()} = {col.value} ✗"
        else:  # forgot the 1 lent to the previous column
            v = col.terms[0][1] - bottom
            wrong = Column(col.name, (("+", col.terms[0][1]), ("-", bottom)), v, v, False)
            critic = f"1 was lent to the {prev}: {col.expr()} = {col.value} ✗"
    else:
        digits = [d for _, d in col.terms if d != 10]
        operation = (digits[0], op, digits[1]) if len(digits) == 2 else None
        kind, v = wrong_value(rng, col.value, operation=operation, upper=19 if op == "+" else 9)
        wrong = Column(col.name, col.terms, v, v % 10 if op == "+" else v,
                       v >= 10 if op == "+" else col.carry)
        critic = f"{col.expr()} = {col.value}, not {v} ✗"
    return kind, wrong, critic


def generate(rng: random.Random, level: str, config: Config) -> Problem:
    op = rng.choice(config.operations)
    a = rng.randint(10 ** (config.min_digits - 1), 10**config.max_digits - 1)
    b = rng.randint(10 ** (config.min_digits - 1), 10**config.max_digits - 1)
    if op == "-" and b > a:
        a, b = b, a
    result = a + b if op == "+" else a - b
    log = StepLog(rng, config.slip_rate)
    prev, carried_in, written = None, False, ""
    for k, col in enumerate(true_columns(a, b, op)):
        named = digits_named(a, b, k, op) if config.digits_in_steps else ""

        def form(c: Column, named=named, written=written) -> str:
            so_far = f"{c.write}{written}" if config.digits_in_steps or config.running_result else ""
            return c.text(op, named, so_far)

        def slip(col=col, prev=prev, carried_in=carried_in, form=form) -> Slip:
            kind, wrong, critic = _slip(rng, col, prev, op, carried_in)
            check = check_column(wrong, col)
            assert not check.ok, "a slip must be wrong"
            return kind, form(wrong), critic, check

        log.add(form(col), f"{col.expr()} = {col.value} ✓", check_column(col, col),
                location=f"{col.name} column", slip=slip)
        prev, carried_in, written = col.name, col.carry, f"{col.write}{written}"
    ok = (a + b if op == "+" else a - b) == result
    log.add(f"read the written digits: {result}", f"{a} {op} {b} = {result} ✓",
            Check(checker="exact_arithmetic", ok=ok, detail=f"{a} {op} {b} = {result}"))
    return Problem(task=NAME, level=level, prompt=f"Compute {a} {op} {b} column by column.",
                   steps=log.steps, answer=str(result), error=log.error, data={"expected": result})


def verify(problem: Problem, answer_text: str) -> Verdict:
    value, why = parse_integer(answer_text)
    if value is None:
        return Verdict(0.0, why)
    expected = int(problem.data["expected"])
    if value == expected:
        return Verdict(1.0, "correct")
    return Verdict(0.0, f"wrong value: got {value}, expected {expected}")


TASK = Task(name=NAME, domain="math", levels=("primary",), version=VERSION, config_cls=Config,
            generate=generate, verify=verify,
            description="column addition/subtraction, 2-4 digits, carries and borrows")

# Distinct questions the default config can produce, a lower bound: the distinct questions
# seen in 8,000 draws (seed 7).
PROBLEM_SPACE = 8000
SPACE_NOTE = ("fewer than 50,000 distinct questions, under 10x the ~5,000 records a curriculum stage asks of a task: expect repeats at that size")
