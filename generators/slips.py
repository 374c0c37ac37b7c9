"""Wrong values that look like people's arithmetic mistakes, shared by the math tasks.

`wrong_value(rng, right)` returns a plausible wrong result for a step whose right result is
`right`: two digits swapped (``transposed_digits``), a carry or borrow in the wrong column,
i.e. off by a power of ten (``carry_column``), a neighbouring times-table fact such as
7 × 8 = 54 or 63 when the step is a product (``table_neighbour``), a lost minus sign
(``sign_error``) where negatives make sense, and off by one (``off_by_one``) as one option
among several rather than the only one. The kinds are weighted so that off-by-one stays a
minority (a test pins the mix); every returned value differs from `right`.
"""

from __future__ import annotations

import random

# Relative weights of the kinds that apply to a value; off-by-one is one kind of several.
WEIGHTS = {
    "transposed_digits": 3,
    "carry_column": 3,
    "table_neighbour": 4,
    "wrong_operation": 3,
    "sign_error": 2,
    "off_by_one": 1,
}
KINDS = tuple(WEIGHTS)
Operation = tuple[int, str, int]  # (x, op, y) with op one of + - ×


def _transposed(value: int, rng: random.Random) -> int | None:
    """`value` with two neighbouring, different digits swapped (54 → 45), or None."""
    digits = list(str(abs(value)))
    spots = [i for i in range(len(digits) - 1) if digits[i] != digits[i + 1]
             and not (i == 0 and digits[1] == "0")]  # no leading zero: 50 → 05 is no slip
    if not spots:
        return None
    i = rng.choice(spots)
    digits[i], digits[i + 1] = digits[i + 1], digits[i]
    swapped = int("".join(digits))
    return -swapped if value < 0 else swapped


def _carry_column(value: int, rng: random.Random) -> int:
    """`value` off by a power of ten: a carry dropped, or added in the wrong column."""
    width = len(str(abs(value)))
    return value + 10 ** rng.randint(1, max(1, width - 1)) * rng.choice((-1, 1))


def _table_neighbour(operation: Operation, rng: random.Random) -> int | None:
    """A neighbouring fact of x × y: x × (y ± 1) or (x ± 1) × y (7 × 8 → 49, 63, 48, 64)."""
    x, _, y = operation
    if x == 0 or y == 0:
        return None
    if rng.random() < 0.5:
        return x * (y + rng.choice((-1, 1)))
    return (x + rng.choice((-1, 1))) * y


def _wrong_operation(operation: Operation) -> int:
    """The other operation's result: x - y for x + y and back, x + y for x × y."""
    x, op, y = operation
    return {"+": x - y, "-": x + y}.get(op, x + y)


def _draw(kind: str, right: int, rng: random.Random, operation: Operation | None) -> int | None:
    if kind == "transposed_digits":
        return _transposed(right, rng)
    if kind == "carry_column":
        return _carry_column(right, rng)
    if kind == "table_neighbour":
        return _table_neighbour(operation, rng) if operation else None
    if kind == "wrong_operation":
        return _wrong_operation(operation) if operation else None
    if kind == "sign_error":
        return -right
    return right + rng.choice((-1, 1))


def options(right: int, *, operation: Operation | None = None,
            allow_negative: bool = False) -> list[str]:
    """The kinds of slip that may apply to `right`, before a draw."""
    kinds = ["off_by_one", "carry_column"]
    if abs(right) >= 10 and len(set(str(abs(right)))) > 1:
        kinds.append("transposed_digits")
    if operation is not None:
        kinds.append("table_neighbour" if operation[1] == "×" else "wrong_operation")
    if allow_negative and right != 0:
        kinds.append("sign_error")
    return kinds


def wrong_value(rng: random.Random, right: int, *, operation: Operation | None = None,
                allow_negative: bool = False, upper: int | None = None) -> tuple[str, int]:
    """A (kind, wrong value) slip for a step whose right result is `right`.

    `operation` (x, op, y) names the step's arithmetic, enabling a neighbouring table fact
    for × and the other operation for + and -; `allow_negative` says a negative result is a
    plausible mistake here (else every wrong value is >= 0); `upper` bounds the wrong value
    where larger ones cannot be written (a column's digit). The value always differs from
    `right`; the kinds are drawn by `WEIGHTS` among those that give a usable value.
    """
    kinds = options(right, operation=operation, allow_negative=allow_negative)
    # a weighted order without replacement (one key per kind); the first usable value wins
    ordered = sorted(kinds, key=lambda k: rng.random() ** (1.0 / WEIGHTS[k]), reverse=True)
    for kind in ordered:
        wrong = _draw(kind, right, rng, operation)
        if (wrong is not None and wrong != right and (allow_negative or wrong >= 0)
                and (upper is None or wrong <= upper)):
            return kind, wrong
    return "off_by_one", right + 1 if upper is None or right + 1 <= upper else right - 1
