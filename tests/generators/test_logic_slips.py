"""Slips look like people's mistakes, in a distribution pinned for a fixed seed: induction base
cases go wrong in several human ways (never mostly 2*P(1)), syllogisms convert illicitly,
deduction chains commit the three classic fallacies, truth tables misread connectives."""

from __future__ import annotations

import collections
import re
from functools import cache

import pytest

from generators.logic import TASKS
from reasoning.task import Dropped, generate_problem

# slip kinds over items 0..199 (induction 0..119) at seed 7 with slip_rate 1.0
PINNED = {
    ("truth_values", "preschool"): {"miscounted": 164, "misread_comparison": 16, "wrong_fact": 20},
    ("truth_values", "primary"): {"and_as_or": 79, "dropped_not": 129, "misread_comparison": 207,
                                  "or_as_and": 75, "wrong_fact": 297},
    ("truth_tables", "middle"): {"and_as_or": 189, "dropped_not": 515, "false_antecedent": 219,
                                 "iff_both_false": 98, "inclusive_or_as_exclusive": 113, "wrong_row": 62},
    ("syllogisms", "middle"): {"exclusive_premises": 11, "existential_fallacy": 2, "illicit_conversion": 70,
                               "illicit_major": 4, "illicit_minor": 9, "negative_conclusion": 16,
                               "undistributed_middle": 23, "wrong_distribution": 65},
    ("deduction_chains", "high"): {"affirming_a_disjunct": 296, "affirming_the_consequent": 276,
                                   "denying_the_antecedent": 117},
    ("knights_knaves", "high"): {"wrong_case": 1184},
    ("sat_resolution", "university"): {"wrong_unit_propagation": 1383},
    ("induction_proofs", "university"): {"arithmetic_slip": 34, "base_at_n_0": 23, "base_at_n_plus_1": 9,
                                         "dropped_denominator": 14, "dropped_term": 24, "forgot_a_term": 1,
                                         "power_as_product": 1, "sign_error": 38, "wrong_next_term": 24},
    ("sequence_rules", "university"): {"overgeneralisation": 150, "reversed_subtraction": 167,
                                       "wrong_difference": 183},
}


@cache
def slipped(name, level, count):
    task = TASKS[name]
    out = []
    for i in range(count):
        try:
            out.append(generate_problem(task, level, 7, i, task.default_config(slip_rate=1.0)))
        except Dropped:
            continue
    return out


@pytest.mark.parametrize(("name", "level"), sorted(PINNED), ids=[f"{n}-{lv}" for n, lv in sorted(PINNED)])
def test_slip_distribution_is_pinned(name, level):
    count = 120 if name == "induction_proofs" else 200
    kinds = collections.Counter(s.slip for p in slipped(name, level, count) for s in p.steps if s.slip)
    assert dict(sorted(kinds.items())) == PINNED[(name, level)]


def test_induction_base_slips_are_varied_and_not_twice_p1():
    problems = slipped("induction_proofs", "university", 120)
    kinds = collections.Counter(s.slip for p in problems for s in p.steps if s.slip)
    assert len(kinds) >= 7 and max(kinds.values()) <= 0.3 * sum(kinds.values())
    doubled = total = 0
    for p in problems:
        if p.data["kind"] != "divisibility":
            continue
        p1 = int(re.search(r"= (-?\d+), divisible", next(s.proposal for s in p.steps if s.verdict == "accept")).group(1))
        for s in p.steps:
            if s.slip and s.proposal.startswith("base"):
                total += 1
                doubled += int(s.proposal.rsplit("= ", 1)[1]) == 2 * p1
    assert total >= 20 and doubled <= 0.2 * total  # every base slip was 2*P(1) before version 2


def test_fallacies_are_named_after_the_rule_misapplied():
    kinds = collections.Counter(s.slip for p in slipped("deduction_chains", "high", 200) for s in p.steps if s.slip)
    assert set(kinds) == {"affirming_the_consequent", "denying_the_antecedent", "affirming_a_disjunct"}
    assert min(kinds.values()) >= 0.1 * sum(kinds.values())
    for p in slipped("syllogisms", "middle", 200):
        for s in p.steps:
            if s.slip == "illicit_conversion":
                assert s.proposal.startswith("convert the ") and s.critic.startswith("illicit conversion")
    named = collections.Counter(s.slip for p in slipped("truth_tables", "middle", 200) for s in p.steps if s.slip)
    assert named["wrong_row"] <= 0.1 * sum(named.values())
