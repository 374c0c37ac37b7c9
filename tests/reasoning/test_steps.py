"""The shared step writer: verdicts follow checks, slips are labelled once, rates are checked."""

import random

import pytest

from reasoning.schema import Check
from reasoning.steps import StepLog, check_slip_rate, checked_step

OK = Check(checker="exact", ok=True, detail="2 + 2 = 4")
BAD = Check(checker="exact", ok=False, detail="2 + 2 = 4; claimed 5")


def test_verdict_follows_check():
    assert checked_step("2 + 2 = 4", "✓", OK).verdict == "accept"
    rejected = checked_step("2 + 2 = 5", "✗", BAD, slip="digit_fact")
    assert (rejected.verdict, rejected.slip) == ("reject", "digit_fact")


def test_first_slip_recorded_once_with_its_index():
    log = StepLog(random.Random(0), 1.0)
    log.add("a", "✓", OK)  # no slip offered: one step
    log.add("b", "✓", OK, slip=("digit_fact", "b'", "wrong ✗", BAD))
    log.add("c", "✓", OK, location="row 3", slip=lambda: ("sign_error", "c'", "wrong ✗", BAD))
    assert [s.proposal for s in log.steps] == ["a", "b'", "b", "c'", "c"]
    assert [s.verdict for s in log.steps] == ["accept", "reject", "accept", "reject", "accept"]
    assert log.steps[3].slip == "sign_error"
    e = log.error
    assert (e.kind, e.location, e.original, e.wrong, e.first_divergent_step) == (
        "slip:digit_fact", "step 2", "b", "b'", 1)


def test_slip_whose_check_holds_is_skipped():
    log = StepLog(random.Random(0), 1.0)
    log.add("a", "✓", OK, slip=lambda: ("digit_fact", "a", "same ✗", OK))
    log.add("b", "✓", OK, slip=lambda: None)
    assert [s.proposal for s in log.steps] == ["a", "b"]
    assert log.error is None


def test_rng_drawn_once_per_offered_slip_and_never_at_rate_zero():
    rng, twin = random.Random(7), random.Random(7)
    log = StepLog(rng, 0.5)
    log.add("a", "✓", OK)
    log.add("b", "✓", OK, slip=("k", "b'", "✗", BAD))
    twin.random()
    assert rng.random() == twin.random()
    quiet = StepLog(random.Random(7), 0.0)
    quiet.add("b", "✓", OK, slip=("k", "b'", "✗", BAD))
    assert quiet.rng.random() == random.Random(7).random() and len(quiet.steps) == 1


@pytest.mark.parametrize("rate", [-0.1, 1.5, "0.1", None])
def test_bad_slip_rate_raises(rate):
    with pytest.raises(ValueError, match=r"slip_rate must lie in \[0, 1\]"):
        check_slip_rate(rate)
    check_slip_rate(0.0)
    check_slip_rate(1)
