"""Propositional claims of logic steps, checked by truth tables."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generators.logic_claims import FormulaError, check_logic_step, describe, entails, parse_formula


def test_precedence_and_associativity() -> None:
    assert describe(parse_formula("p → q → r")) == "(p → (q → r))"
    assert describe(parse_formula("¬p ∧ q ∨ r ↔ s")) == "(((¬p ∧ q) ∨ r) ↔ s)"
    assert describe(parse_formula("~p & q -> x1")) == "((¬p ∧ q) → x1)"


@pytest.mark.parametrize("text", ["p ∧", "(p", "p q", "p + q", "", "P"])
def test_bad_formulas_are_refused(text: str) -> None:
    with pytest.raises(FormulaError):
        parse_formula(text)


def test_entailment() -> None:
    f = parse_formula
    assert entails([f("p → q"), f("p")], f("q"))  # modus ponens
    assert entails([f("p → q"), f("¬q")], f("¬p"))  # modus tollens
    assert not entails([f("p → q"), f("q")], f("p"))  # affirming the consequent
    assert not entails([f("p → q"), f("¬p")], f("¬q"))  # denying the antecedent


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        ("p=T, q=T: ¬p = F, ¬p → q = T, (¬p → q) → q = T", True),
        ("p=F, q=F: ¬p = T, ¬p → q = F, (¬p → q) → q = T", True),
        ("p=T, q=F, r=T: q ∨ p = T, r ↔ (q ∨ p) = F", False),
        ("from (d → t) and (t → v): d → v (hypothetical syllogism)", True),
        ("from (d → v) and d: v (modus ponens)", True),
        ("from (v → k) and k: v (modus ponens)", False),
        ("from (p ∨ q) and ¬p: q (disjunctive syllogism)", True),
        ("an ant has 7 legs: false", None),
        ("from nowhere: 3 + 4", None),
    ],
)
def test_steps_are_judged_as_written(text: str, verdict: bool | None) -> None:
    assert check_logic_step(text)[0] is verdict


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("pqr12TF¬∧∨→↔()=:, fromand~&|->")), max_size=150))
def test_any_text_is_judged_without_raising(text: str) -> None:
    assert check_logic_step(text)[0] in (True, False, None)
