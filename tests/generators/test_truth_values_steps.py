"""Truth values' own step checker: a step is judged by the truth of the statement it decides,
recomputed from the problem's numbers, not only by the arithmetic it shows on the way (a
model wrote ``... make 9 pink balloons: 3 + 7 = 10 vs 9: true`` and the logic default,
which reads only ``3 + 7 = 10``, called it valid)."""

from __future__ import annotations

import pytest

from generators.logic import TASKS
from generators.step_check import check_step
from reasoning.task import Dropped, generate_problem

TASK = TASKS["truth_values"]
FORMS = [{}, {"claim_beside": True}, {"reason_first": True}]


def _problems(level: str, options: dict, n: int, slip_rate: float = 0.5):
    config = TASK.default_config(slip_rate=slip_rate, **options)
    for index in range(n):
        try:
            yield generate_problem(TASK, level, 5, index, config)
        except Dropped:
            continue


@pytest.mark.parametrize("level", TASK.levels)
@pytest.mark.parametrize("options", FORMS)
def test_every_accepted_step_is_valid_and_every_slip_invalid(level, options):
    seen = 0
    for problem in _problems(level, options, 80):
        previous: list[str] = []
        for step in problem.steps:
            judged = check_step(TASK, problem, previous, step.proposal)
            assert judged.status == ("valid" if step.verdict == "accept" else "invalid"), (step.proposal, judged)
            if step.verdict == "accept":
                previous.append(step.proposal)
            seen += 1
    assert seen > 80


def _flip(text: str) -> str:
    return text[: -len("true")] + "false" if text.endswith("true") else text[: -len("false")] + "true"


@pytest.mark.parametrize("options", FORMS)
def test_a_fact_decided_wrong_is_invalid_whatever_its_arithmetic(options):
    flipped = 0
    for problem in _problems("preschool", options, 40, slip_rate=0.0):
        fact = problem.steps[0].proposal
        assert check_step(TASK, problem, [], fact).status == "valid"
        judged = check_step(TASK, problem, [], _flip(fact))
        assert judged.status == "invalid" and "not" in judged.reason, (fact, judged)
        flipped += 1
    assert flipped >= 30


def test_the_exam_answer_that_passed_before_is_invalid_now():
    for problem in _problems("preschool", {"claim_beside": True}, 200, slip_rate=0.0):
        atom = problem.data["atoms"]["a0"]
        if atom[0] == "add" and atom[1] + atom[2] != atom[3]:
            break
    else:
        pytest.fail("no false sum among 200 preschool problems")
    fact = problem.steps[0].proposal  # "... make 9 ...: 3 + 7 = 10 vs 9: false"
    assert fact.endswith(": false") and f"{atom[1]} + {atom[2]} = {atom[1] + atom[2]} vs {atom[3]}" in fact
    assert check_step(TASK, problem, [], _flip(fact)).status == "invalid"
    # The statement changed (a claim the problem does not make) is no step of it either.
    other = fact.replace(f"make {atom[3]} ", f"make {atom[3] + 5} ", 1)
    assert other != fact and check_step(TASK, problem, [], other).status == "invalid"


def test_a_connective_is_judged_by_its_parts_its_join_and_its_value():
    for problem in _problems("primary", {"claim_beside": True}, 40, slip_rate=0.0):
        joins = [s.proposal for s in problem.steps if " — " in s.proposal and " and " in s.proposal.split(" — ")[1]]
        if joins:
            break
    else:
        pytest.fail("no 'and' step among 40 primary problems")
    step = joins[0]  # "<part> — a and b = c"
    part, _, work = step.partition(" — ")
    assert check_step(TASK, problem, [], step).status == "valid"
    assert check_step(TASK, problem, [], _flip(step)).status == "invalid"
    assert check_step(TASK, problem, [], f"{part} — {work.replace(' and ', ' or ', 1)}").status == "invalid"
    a, _, rest = work.partition(" and ")
    swapped = {"true": "false", "false": "true"}[a]
    assert check_step(TASK, problem, [], f"{part} — {swapped} and {rest}").status == "invalid"
    assert check_step(TASK, problem, [], f"(a cow has 9 legs) — {work}").status == "invalid"


def test_text_of_no_known_shape_falls_back_to_the_logic_default():
    problem = next(_problems("preschool", {}, 5))
    assert check_step(TASK, problem, [], "1 + 1 = 3").status == "invalid"
    assert check_step(TASK, problem, [], "2 + 2 = 4").status == "valid"
    assert check_step(TASK, problem, [], "I am not sure").status == "unchecked"
