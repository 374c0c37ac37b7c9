"""`work_first` (the `worked` form's option): a step works its numbers
out before it states the fraction. Re-derived with Python's integers and `Fraction` from
the text alone: every ``a op b = c`` in an accepted step holds, the fraction it then states
equals the one before ``=``, the last fraction is the question's exact result in lowest
terms, and every rejected step states something false."""

from __future__ import annotations

import math
import re
from fractions import Fraction

import pytest

from generators.math.simple_fractions import TASK, Config
from generators.step_check import judge_claims
from reasoning.task import generate_problem

_INT = re.compile(r"(\d+) ([÷×+-]) (\d+) = (\d+)")
_GCD = re.compile(r"gcd\((\d+), (\d+)\) = (\d+)")
_SO = re.compile(r", so (.+) = (\d+)/(\d+)$")
_OPS = {"÷": lambda a, b: Fraction(a, b), "×": lambda a, b: a * b, "+": lambda a, b: a + b,
        "-": lambda a, b: a - b}


def _value(text: str) -> Fraction:
    """``14/28 - 8/28`` or ``2/4`` as an exact value."""
    parts = re.findall(r"([+-]?)\s*(\d+)/(\d+)", text)
    return sum((Fraction(int(n), int(d)) * (-1 if s == "-" else 1) for s, n, d in parts), Fraction(0))


def _problem(i: int, **options):
    return generate_problem(TASK, "primary", 9, i, Config(**options))


@pytest.mark.parametrize("i", range(60))
def test_every_worked_step_holds_and_ends_on_the_exact_answer(i):
    p = _problem(i, work_first=True)
    a, b, op, c, d = re.match(r"Compute (\d+)/(\d+) ([+-]) (\d+)/(\d+)\.", p.prompt).groups()
    exact = Fraction(int(a), int(b)) + (1 if op == "+" else -1) * Fraction(int(c), int(d))
    last = None
    for step in p.steps:
        claims = _INT.findall(step.proposal)
        gcds = _GCD.findall(step.proposal)
        so = _SO.search(step.proposal)
        if step.verdict == "reject":
            assert judge_claims(step.proposal, ()).status == "invalid", step.proposal
            continue
        assert all(_OPS[o](int(x), int(y)) == int(z) for x, o, y, z in claims), step.proposal
        assert all(math.gcd(int(x), int(y)) == int(g) for x, y, g in gcds), step.proposal
        if step.proposal.startswith("common denominator"):
            continue
        assert so is not None and claims, step.proposal  # the work, then the fraction
        assert _value(so[1]) == Fraction(int(so[2]), int(so[3])), step.proposal
        last = (int(so[2]), int(so[3]))
    if last is not None and exact != 0:
        assert Fraction(*last) == exact and math.gcd(*last) == 1, (p.prompt, last)
    assert TASK.verify(p, p.answer).score == 1.0


def test_only_the_wording_changes():
    for i in range(60):
        a, b = _problem(i), _problem(i, work_first=True)
        assert (a.prompt, a.answer) == (b.prompt, b.answer)
        assert [s.verdict for s in a.steps] == [s.verdict for s in b.steps]
        assert [s.check for s in a.steps] == [s.check for s in b.steps]


def test_the_option_is_a_bool_and_only_the_worked_form_sets_it():
    from model.curriculum.forms import get_form

    assert get_form("chain+strike+worked").task_options["work_first"] is True
    assert "work_first" not in get_form("chain+strike").task_options
    with pytest.raises(ValueError, match="work_first"):
        Config(work_first="no")
