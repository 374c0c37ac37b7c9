"""Column arithmetic: every accepted step re-checked by arithmetic written here, not the task's."""

from __future__ import annotations

import re

import pytest

from generators.math.column_arithmetic import SLIPS, TASK, Config
from reasoning.task import generate_problem, generate_record

COLUMN = re.compile(r"^(\w[\w-]*): (.+) = (-?\d+), write (\d+)(?: carry 1|, borrow 1)?$")
PROMPT = re.compile(r"^Compute (\d+) ([+-]) (\d+) column by column\.$")


def _true_columns(a: int, b: int, op: str) -> list[tuple[int, int, bool]]:
    """(value, written digit, carry/borrow out) per column, computed independently."""
    cols, carry = [], 0
    for k in range(max(len(str(a)), len(str(b)))):
        x, y = a // 10**k % 10, b // 10**k % 10
        if op == "+":
            v = x + y + carry
            cols.append((v, v % 10, v >= 10))
            carry = v >= 10
        else:
            need = x - carry < y
            v = x - carry + 10 * need - y
            cols.append((v, v, need))
            carry = need
    if op == "+" and carry:
        cols.append((1, 1, False))
    return cols


def _terms(expr: str) -> int:
    total, sign = 0, 1
    for tok in expr.split():
        if tok in "+-":
            sign = 1 if tok == "+" else -1
        else:
            total += sign * int(tok)
    return total


@pytest.mark.parametrize("seed", [0, 1])
def test_every_accepted_step_is_right_and_every_slip_is_wrong(seed):
    cfg = TASK.default_config(slip_rate=0.4)
    slips = 0
    for i in range(500):
        r = generate_record(TASK, "primary", seed, i, cfg)
        a, op, b = PROMPT.match(r.prompt).groups()
        a, b = int(a), int(b)
        truth = iter(_true_columns(a, b, op))
        for step in r.steps[:-1]:
            m = COLUMN.match(step.proposal)
            assert m, step.proposal
            claimed = (int(m[3]), int(m[4]), "carry" in m[0] or "borrow" in m[0])
            right = _terms(m[2]) == claimed[0]
            if step.verdict == "accept":
                assert right and claimed == next(truth), (r.prompt, step.proposal)
            else:
                slips += 1
                assert step.slip in SLIPS
                assert "✗" in step.critic
        assert next(truth, None) is None, "a column is missing"
        expected = a + b if op == "+" else a - b
        assert r.answer == str(expected) and r.steps[-1].verdict == "accept"
        assert r.steps[-1].proposal == f"read the written digits: {expected}"
        if r.error:
            assert r.steps[r.error.first_divergent_step].verdict == "reject"
    assert slips > 100


def test_same_seed_same_record_and_other_seed_differs():
    cfg = TASK.default_config()
    a = generate_record(TASK, "primary", 4, 11, cfg)
    assert a == generate_record(TASK, "primary", 4, 11, cfg)
    assert a.model_dump_json() == generate_record(TASK, "primary", 4, 11, cfg).model_dump_json()
    assert a != generate_record(TASK, "primary", 5, 11, cfg)


@pytest.mark.parametrize(
    ("text", "score"),
    [("{x}", 1.0), (" {x} ", 1.0), ("+{x}", 1.0), ("{x1}", 0.0), ("{x}.5", 0.0), ("", 0.0),
     ("__import__('os')", 0.0), ("{x} apples", 0.0)],
)  # fmt: skip
def test_verifier(text, score):
    p = generate_problem(TASK, "primary", 0, 3, TASK.default_config())
    x = int(p.answer)
    assert TASK.verify(p, text.format(x=x, x1=x + 1)).score == score


def test_verifier_accepts_thousands_separators():
    p = generate_problem(TASK, "primary", 0, 0, Config(min_digits=4, max_digits=4,
                                                       operations=("+",)))  # fmt: skip
    x = int(p.answer)
    assert x >= 1000
    assert TASK.verify(p, f"{x:,}").score == 1.0
    assert TASK.verify(p, f"{x:,}".replace(",", " ")).score == 1.0
    assert TASK.verify(p, f"{x:,}".replace(",", ",,")).score == 0.0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"min_digits": 5, "max_digits": 3}, "min_digits"), ({"operations": ("*",)}, "operations"),
     ({"slip_rate": -0.1}, "slip_rate")],
)  # fmt: skip
def test_bad_config(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Config(**kwargs)
    with pytest.raises(ValueError, match="no config key"):
        TASK.default_config(colour="red")


LEARNER = re.compile(r"^(\w[\w-]*): (?:(.+?): )?(.+) = (-?\d+), write (\d+)((?: carry 1|, borrow 1)?), so far (\d+)$")


@pytest.mark.parametrize("option", ["digits_in_steps", "running_result"])
@pytest.mark.parametrize("seed", [0, 3])
def test_learners_form_names_true_digits_and_the_digits_written_so_far(seed, option):
    """digits_in_steps: every step names the digit each number has in its column and the
    digits written so far, re-derived here from the question alone; running_result: the
    digits written so far alone. The problem, answer, slips and column claims are those of
    the plain form."""
    plain, learner = TASK.default_config(slip_rate=0.4), TASK.default_config(slip_rate=0.4, **{option: True})
    named = option == "digits_in_steps"
    names = ("ones", "tens", "hundreds", "thousands", "ten-thousands")
    for i in range(300):
        p, r = generate_record(TASK, "primary", seed, i, plain), generate_record(TASK, "primary", seed, i, learner)
        assert (r.prompt, r.answer, [s.verdict for s in r.steps]) == (p.prompt, p.answer, [s.verdict for s in p.steps])
        a, _op, b = PROMPT.match(r.prompt).groups()
        a, b = int(a), int(b)
        written = ""
        for step, twin in zip(r.steps[:-1], p.steps[:-1], strict=True):
            m = LEARNER.match(step.proposal)
            assert m, step.proposal
            k = names.index(m[1])
            for pair in (m[2] or "").split(", ") if m[2] else []:
                number, digit = pair.split(" has ")
                assert int(number) in (a, b) and int(digit) == int(number) // 10**k % 10, step.proposal
            if not named:
                assert m[2] is None, step.proposal
            elif k < len(str(a)):  # the top number is always named in its own columns
                assert f"{a} has " in (m[2] or ""), step.proposal
            # Same column claim as the plain form's step.
            assert f"{m[1]}: {m[3]} = {m[4]}, write {m[5]}{m[6]}" == twin.proposal
            if step.verdict == "accept":
                written = m[5] + written
                assert m[7] == written, step.proposal
        assert r.steps[-1].proposal == f"read the written digits: {int(written)}"
