"""The step-check API's claim checker: each relation a step states, judged from its text."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generators.step_check import find_claims, judge_claims

ROOT = ({"x": Fraction(-4)},)


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("ones: 8 + 6 = 14, write 4 carry 1", "valid"),
        ("ones: 8 + 6 = 15, write 5 carry 1", "invalid"),
        ("bring down 5 → 25: 6 × 4 = 24, 25 - 24 = 1", "valid"),
        ("bring down 5 → 25: 6 × 4 = 24, 25 - 24 = 2", "invalid"),
        ("P(both red) = 1/3·1/5 = 1/15", "valid"),
        ("tens: 5 > 1, so 58 > 18", "valid"),
        ("tens: 5 > 1, so 58 < 18", "invalid"),
        ("8 ≠ 9 and 3 ≤ 3", "valid"),
        # as written, -7^2 is -(7^2): the audit's false-as-written step is caught
        ("-7^2 - 4·2·4 = 17", "invalid"),
        ("(-7)^2 - 4·2·4 = 17", "valid"),
        ("6 × 4 = 24 = 25", "invalid"),
        ("the greater number is 58", "unchecked"),
        ("", "unchecked"),
    ],
)
def test_numeric_claims_are_checked_exactly(text: str, status: str) -> None:
    assert judge_claims(text, ("x",)).status == status


def test_an_identity_in_the_variables_is_valid_and_a_false_one_invalid_when_meant_as_one() -> None:
    good = "x^2 - x - 12 = (x + 3)(x - 4): the roots multiply to -12 and add to 1"
    bad = "x^2 - x - 12 = (x + 3)(x - 5)"
    assert judge_claims(good).status == "valid"
    assert judge_claims(bad).status == "unchecked"  # could be an equation: nothing to say
    assert judge_claims(bad, identities=True).status == "invalid"


def test_equations_must_hold_at_the_known_solutions() -> None:
    assert judge_claims("add 2x to both sides: -3x + 2 = 14", solutions=ROOT).status == "valid"
    assert judge_claims("add 2x to both sides: -3x + 2 = 10", solutions=ROOT).status == "invalid"
    # dividing by x loses the root x = 0
    roots = ({"x": Fraction(0)}, {"x": Fraction(3)})
    verdict = judge_claims("divide both sides by x: 2*x = 6, so x = 3", solutions=roots)
    assert verdict.status == "invalid" and "2*x = 6" in verdict.reason


def test_claims_are_read_from_the_words_around_them() -> None:
    claims = [str(c) for c, _, _ in find_claims("lcm(42, 36) = 42 × 36 ÷ 6 = 252, so done")]
    assert claims == ["42 × 36 ÷ 6 = 252"]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("0123456789 +-*/^()=<>,:;x·×÷≠≤≥ab.")), max_size=120))
def test_any_text_gives_a_judgement_and_never_raises(text: str) -> None:
    assert judge_claims(text).status in ("valid", "invalid", "unchecked")


def test_huge_text_is_refused_cheaply() -> None:
    assert judge_claims("1 + 1 = 2, " * 1000).status == "unchecked"


def test_a_named_root_must_be_one_of_the_solutions_and_a_binding_is_no_claim() -> None:
    roots = ({"x": Fraction(0)}, {"x": Fraction(3)})
    assert judge_claims("check x = 3: 2*(3)^2 - 6*(3) = 0", solutions=roots).status == "valid"
    assert judge_claims("so x = 4", solutions=roots).status == "invalid"
    assert judge_claims("base n = 1: 1 + 1 = 2", ("n",), identities=True).status == "valid"
