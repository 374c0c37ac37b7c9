"""`rows_by_columns` (the `rows` form's option): long multiplication adds its rows column by
column. Re-derived from the text alone with Python's integers: the two numbers added are
the rows the record stated, every column step adds that column's digits and the carry in,
the digits written read back are the rows' sum, and the answer is the question's product."""

from __future__ import annotations

import re

import pytest

from generators.math.long_multiplication import TASK, Config
from reasoning.task import generate_problem

_ROW = re.compile(r"^row for the \w+ digit: \d+ × \d+ = (\d+)$")
_HEAD = re.compile(r"^add the rows column by column: (\d+) \+ (\d+)$")
_COLUMN = re.compile(r"^[\w-]+: ([\d +]+) = (\d+), write (\d)( carry 1)?$")
_READ = re.compile(r"^read the written digits: (\d+)$")


def _problem(i: int, **options):
    return generate_problem(TASK, "primary", 3, i, Config(**options))


def _columns_hold(steps: list[str], rows: list[int]) -> int:
    """Check one column-by-column sum from its heading on; the number of steps it took."""
    head = _HEAD.match(steps[0])
    assert head is not None, steps[0]
    x, y = int(head[1]), int(head[2])
    assert sorted((x, y)) == sorted(rows[-2:]) or x + y == sum(rows), (steps[0], rows)
    carry, written, k = 0, "", 1
    while not _READ.match(steps[k]):
        col = _COLUMN.match(steps[k])
        assert col is not None, steps[k]
        place = k - 1
        want_terms = [d for d in ((x // 10**place) % 10, (y // 10**place) % 10)]
        terms = [int(t) for t in col[1].split(" + ")]
        value = sum(want_terms) + carry
        assert sum(terms) == int(col[2]) == value, (steps[k], x, y, carry)
        assert int(col[3]) == value % 10 and bool(col[4]) == (value >= 10), steps[k]
        written, carry, k = col[3] + written, value // 10, k + 1
    assert int(_READ.match(steps[k])[1]) == int(written) == x + y, (steps[k], written, x, y)
    return k + 1


@pytest.mark.parametrize("i", range(40))
def test_the_rows_are_added_column_by_column_and_the_sums_hold(i):
    p = _problem(i, rows_by_columns=True, slip_rate=0.0)
    a, b = (int(n) for n in re.findall(r"\d+", p.prompt))
    proposals = [s.proposal for s in p.steps]
    rows, k, sums = [], 0, 0
    while k < len(proposals):
        if m := _ROW.match(proposals[k]):
            rows.append(int(m[1]))
        if proposals[k].startswith("add the rows"):
            k += _columns_hold(proposals[k:], [sum(rows[:-1]), rows[-1]])
            sums += 1
            continue
        k += 1
    assert sums == len(rows) - 1
    assert sum(rows) == a * b == int(p.answer)
    assert TASK.verify(p, p.answer).score == 1.0


def test_only_the_sum_of_the_rows_changes():
    for i in range(40):
        a, b = _problem(i), _problem(i, rows_by_columns=True)
        assert (a.prompt, a.answer, a.error) == (b.prompt, b.answer, b.error)
        plain = [s.proposal for s in a.steps if not s.proposal.startswith("add the rows")]
        ours = [s.proposal for s in b.steps
                if not (s.proposal.startswith("add the rows") or _COLUMN.match(s.proposal) or _READ.match(s.proposal))]
        assert plain == ours
        assert any(s.proposal.startswith("add the rows:") for s in a.steps) == \
            any(s.proposal.startswith("add the rows column") for s in b.steps)


def test_the_option_is_a_bool_and_the_rows_form_sets_it():
    from model.curriculum.forms import get_form

    with pytest.raises(ValueError, match="rows_by_columns"):
        Config(rows_by_columns=1)
    assert get_form("chain+strike+rows").task_options["rows_by_columns"] is True
