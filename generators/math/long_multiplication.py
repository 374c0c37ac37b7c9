"""Long multiplication (primary): a 2-4 digit number times a 1-2 digit number.

For each digit of the multiplier, one step per digit of the multiplicand
(``6 × 7 + 4 = 46, write 6 carry 4``), then the row (``346 × 20 = 6920``), then the sum
of the rows. With the config's `rows_by_columns` (a learner form's option) the rows are
added column by column in column arithmetic's own steps (``tens: 2 + 7 = 9, write 9``,
then ``read the written digits: 19598``), where by default one step states their sum.
Every step is recomputed exactly. Slips: a times-table error
(``digit_fact``), a dropped carry (``dropped_carry``), a row not shifted for the tens
digit (``forgot_shift``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from generators.answers import verify_number
from generators.math.column_arithmetic import check_column, true_columns
from generators.slips import wrong_value
from reasoning.schema import Check
from reasoning.steps import StepLog, check_slip_rate, checked_step
from reasoning.task import Problem, Task, Verdict

NAME = "long_multiplication"
VERSION = "2"
PLACES = ("ones", "tens", "hundreds", "thousands")


@dataclass(frozen=True)
class Config:
    min_digits: int = 2  # of the multiplicand
    max_digits: int = 3
    multiplier_digits: tuple[int, ...] = (1, 2)
    slip_rate: float = 0.1  # chance that a step is first proposed with a slip
    # A learner form's option (model.curriculum.forms): the rows are added column by column.
    rows_by_columns: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.rows_by_columns, bool):
            raise ValueError(f"rows_by_columns must be true or false, got {self.rows_by_columns!r}")
        if not 1 <= self.min_digits <= self.max_digits <= 6:
            raise ValueError("need 1 <= min_digits <= max_digits <= 6 (e.g. min 2, max 3)")
        if not self.multiplier_digits or set(self.multiplier_digits) - {1, 2, 3}:
            raise ValueError("multiplier_digits must be a non-empty subset of (1, 2, 3)")
        check_slip_rate(self.slip_rate)


@dataclass(frozen=True)
class DigitProduct:
    """One digit step: top digit × multiplier digit + carry in = value; write and carry out."""

    top: int
    digit: int
    carry_in: int
    value: int
    last: bool  # the leftmost digit writes the whole value

    def text(self) -> str:
        lhs = f"{self.top} × {self.digit}" + (f" + {self.carry_in}" if self.carry_in else "")
        if self.last or self.value < 10:
            return f"{lhs} = {self.value}, write {self.value}"
        return f"{lhs} = {self.value}, write {self.value % 10} carry {self.value // 10}"


def check_digit(claim: DigitProduct, truth: DigitProduct) -> Check:
    """Recompute one digit product exactly and compare the claim with the true step."""
    value = claim.top * claim.digit + claim.carry_in
    ok = value == claim.value and claim == truth
    return Check(
        checker="exact_arithmetic",
        ok=ok,
        detail=f"{truth.text().split(',')[0]}" + ("" if ok else f"; claimed {claim.value}"),
    )


def check_product(x: int, y: int, claimed: int, truth: int, op: str = "×") -> Check:
    """Recompute `x × y` (or `x + y`) exactly and compare with the claim and the truth."""
    value = x * y if op == "×" else x + y
    ok = value == claimed == truth
    return Check(
        checker="exact_arithmetic",
        ok=ok,
        detail=f"{x} {op} {y} = {value}" + ("" if ok else f"; claimed {claimed}"),
    )


def generate(rng: random.Random, level: str, config: Config) -> Problem:
    a = rng.randint(10 ** (config.min_digits - 1), 10**config.max_digits - 1)
    nb = rng.choice(config.multiplier_digits)
    b = rng.randint(2 if nb == 1 else 10 ** (nb - 1), 10**nb - 1)
    log = StepLog(rng, config.slip_rate)
    steps = log.steps

    rows = []
    top_digits = [int(c) for c in reversed(str(a))]
    for j, digit in enumerate(int(c) for c in reversed(str(b))):
        carry = 0
        for i, top in enumerate(top_digits if digit else ()):  # a 0 digit gives a 0 row at once
            last = i == len(top_digits) - 1
            truth = DigitProduct(top, digit, carry, top * digit + carry, last)
            if log.coin():
                if carry and rng.random() < 0.5:
                    kind, wrong = "dropped_carry", DigitProduct(top, digit, 0, top * digit, last)
                    critic = f"the carry {carry} was dropped: {truth.text().split(',')[0]} ✗"
                else:
                    # a misremembered table fact (7 × 8 taken as 54 or 63), digits swapped, ...
                    kind, wp = wrong_value(rng, top * digit, operation=(top, "×", digit))
                    w = wp + carry
                    wrong = DigitProduct(top, digit, carry, w, last)
                    critic = f"{truth.text().split(',')[0]}, not {w} ✗"
                log.reject(kind, wrong.text(), critic, check_digit(wrong, truth), original=truth.text(), location=f"{PLACES[i]} digit × {PLACES[j]} digit")
            steps.append(
                checked_step(truth.text(), f"{truth.text().split(',')[0]} ✓", check_digit(truth, truth))
            )
            carry = truth.value // 10
        factor = digit * 10**j
        row = a * factor
        text = f"row for the {PLACES[j]} digit: {a} × {factor} = {row}"
        if j > 0 and digit and log.coin():
            wrong = f"row for the {PLACES[j]} digit: {a} × {factor} = {a * digit}"
            log.reject("forgot_shift", wrong, f"the {PLACES[j]} row must be shifted: {a} × {factor} = {row} ✗", check_product(a, factor, a * digit, row), original=text, location=f"{PLACES[j]} row")
        steps.append(checked_step(text, f"{a} × {factor} = {row} ✓", check_product(a, factor, row, row)))
        rows.append(row)
    total = rows[0]
    for row in rows[1:]:
        s = total + row
        if config.rows_by_columns:
            big, small = max(total, row), min(total, row)
            steps.append(checked_step(f"add the rows column by column: {big} + {small}", "the rows above ✓",
                                      Check(checker="exact_arithmetic", ok=True, detail=f"rows {total}, {row}")))
            for col in true_columns(big, small, "+"):
                steps.append(checked_step(col.text("+"), f"{col.expr()} = {col.value} ✓", check_column(col, col)))
            steps.append(checked_step(f"read the written digits: {s}", f"{big} + {small} = {s} ✓",
                                      check_product(big, small, s, s, "+")))
        else:
            steps.append(checked_step(f"add the rows: {total} + {row} = {s}", f"{total} + {row} = {s} ✓",
                                      check_product(total, row, s, s, "+")))
        total = s
    check = check_product(a, b, total, a * b)
    steps.append(checked_step(f"so {a} × {b} = {total}", f"{a} × {b} = {a * b} ✓", check))
    return Problem(
        task=NAME,
        level=level,
        prompt=f"Compute {a} × {b} by long multiplication.",
        steps=steps,
        answer=str(total),
        error=log.error,
        data={"expected": str(a * b)},
    )


def verify(problem: Problem, answer_text: str) -> Verdict:
    return verify_number(answer_text, problem.data["expected"])


TASK = Task(
    name=NAME,
    domain="math",
    levels=("primary",),
    version=VERSION,
    config_cls=Config,
    generate=generate,
    verify=verify,
    description="long multiplication digit by digit with carries and shifted rows",
)

# Distinct questions the default config can produce, a lower bound: the distinct questions
# seen in 8,000 draws (seed 7).
PROBLEM_SPACE = 7048
SPACE_NOTE = ("fewer than 50,000 distinct questions, under 10x the ~5,000 records a curriculum stage asks of a task: expect repeats at that size")
