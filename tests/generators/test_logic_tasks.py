"""Every logic task: determinism, oracle/perturbed answers, slips, configs, registry."""

from __future__ import annotations

import subprocess
import sys

import pytest

from generators.logic import TASKS
from reasoning.levels import LEVELS
from reasoning.render import parse, render
from reasoning.task import Dropped, generate_problem, generate_record

# (task, level, items): induction uses sympy and is slow, so it gets fewer items.
CASES = [("truth_values", "preschool", 40), ("truth_values", "primary", 40),
         ("truth_tables", "middle", 40), ("syllogisms", "middle", 40),
         ("deduction_chains", "high", 40), ("knights_knaves", "high", 40),
         ("sat_resolution", "university", 30), ("induction_proofs", "university", 8),
         ("sequence_rules", "university", 40)]
IDS = [f"{t}-{lv}" for t, lv, _ in CASES]


def _problems(name, level, count, **overrides):
    task = TASKS[name]
    config = task.default_config(**overrides)
    out = []
    for i in range(count):
        try:
            out.append(generate_problem(task, level, 7, i, config))
        except Dropped:
            continue
    return out


def perturbed(name: str, problem) -> str:
    """A wrong answer of the same shape as the oracle answer."""
    a = problem.answer
    if name == "truth_values":
        return "false" if a == "true" else "true"
    if name == "deduction_chains":
        return {"true": "false", "false": "unknown", "unknown": "true"}[a]
    if name == "truth_tables":
        first, rest = a.split(", ", 1)
        return ("F" if first == "T" else "T") + ", " + rest
    if name == "syllogisms":
        return "invalid" if a == "valid" else "valid"
    if name == "knights_knaves":
        return a.replace("knight", "X").replace("knave", "knight").replace("X", "knave", 1).replace("X", "knave")
    if name == "sat_resolution":
        return "x1=T" if a == "UNSAT" else "UNSAT"
    if name == "induction_proofs" and problem.data["kind"] == "divisibility":
        return str(int(a) + 1)
    return f"({a}) + 1"


def test_registry_covers_every_level():
    assert set(TASKS) == {"truth_values", "truth_tables", "syllogisms", "deduction_chains",
                          "knights_knaves", "sat_resolution", "induction_proofs", "sequence_rules"}
    assert all(t.domain == "logic" and t.name == k for k, t in TASKS.items())
    assert {lv for t in TASKS.values() for lv in t.levels} == set(LEVELS)


@pytest.mark.parametrize(("name", "level", "count"), CASES, ids=IDS)
def test_same_seed_same_record(name, level, count):
    task = TASKS[name]
    config = task.default_config(slip_rate=0.3)
    for i in range(min(count, 5)):
        a = generate_record(task, level, 11, i, config)
        b = generate_record(task, level, 11, i, config)
        assert a.model_dump_json() == b.model_dump_json()
    others = {generate_record(task, level, 11, i, config).prompt for i in range(min(count, 5))}
    assert len(others) > 1  # different indices give different items


@pytest.mark.parametrize(("name", "level", "count"), CASES, ids=IDS)
def test_oracle_scores_one_and_perturbed_below(name, level, count):
    task = TASKS[name]
    problems = _problems(name, level, count)
    assert len(problems) >= count * 0.9
    for p in problems:
        assert task.verify(p, p.answer).score == 1.0, (p.prompt, p.answer)
        assert task.verify(p, perturbed(name, p)).score < 1.0, (p.prompt, p.answer)
        assert task.verify(p, "").score == 0.0


@pytest.mark.parametrize(("name", "level", "count"), CASES, ids=IDS)
def test_slips_are_rejected_named_and_recorded(name, level, count):
    problems = _problems(name, level, count, slip_rate=1.0)
    with_error = [p for p in problems if p.error is not None]
    assert len(with_error) >= len(problems) * 0.5
    for p in problems:
        assert all((s.verdict == "accept") == s.check.ok for s in p.steps)
        assert all(s.verdict == "reject" for s in p.steps if s.slip)
        assert all(s.slip for s in p.steps if s.verdict == "reject")
        if p.error is not None:
            step = p.steps[p.error.first_divergent_step]
            assert step.verdict == "reject" and p.error.kind == f"slip:{step.slip}"
            assert step.proposal == p.error.wrong and "✗" in step.critic
            # the corrected step comes later and is accepted
            assert any(s.verdict == "accept" for s in p.steps[p.error.first_divergent_step + 1:])
    clean = _problems(name, level, min(count, 10), slip_rate=0.0)
    assert all(p.error is None and all(s.verdict == "accept" for s in p.steps) for p in clean)


BAD_CONFIGS = {
    "truth_values": [{"max_atoms": 9}, {"max_number": 2}, {"slip_rate": 1.5}, {"reason_first": "yes"},
                     {"claim_beside": 1}],
    "truth_tables": [{"min_variables": 3, "max_variables": 2}, {"max_depth": 0}, {"slip_rate": -0.1}],
    "syllogisms": [{"valid_share": 2.0}, {"slip_rate": "a lot"}],
    "deduction_chains": [{"min_steps": 0}, {"baits": 7}, {"slip_rate": 2}],
    "knights_knaves": [{"min_people": 1}, {"max_people": 9}],
    "sat_resolution": [{"clause_ratio": 50.0}, {"clause_size": 9}, {"max_variables": 20}],
    "induction_proofs": [{"kinds": ("magic",)}, {"max_degree": 7}],
    "sequence_rules": [{"shown": 2}, {"families": ()}, {"held_out": 0}],
}


@pytest.mark.parametrize("name", sorted(BAD_CONFIGS))
def test_bad_configs_raise_clear_errors(name):
    task = TASKS[name]
    for bad in BAD_CONFIGS[name]:
        with pytest.raises(ValueError) as info:
            task.default_config(**bad)
        assert any(w in str(info.value) for w in ("must", "need"))
    with pytest.raises(ValueError, match="no config key"):
        task.default_config(colour="blue")


@pytest.mark.parametrize(("name", "level", "count"), CASES, ids=IDS)
def test_records_render_and_parse_back(name, level, count):
    task = TASKS[name]
    for i in range(3):
        record = generate_record(task, level, 5, i, task.default_config(slip_rate=0.5))
        parsed = parse(render(record))
        assert parsed.prompt == record.prompt and parsed.answer == record.answer
        assert [(s.proposal, s.critic, s.verdict) for s in parsed.steps] == [
            (s.proposal, s.critic, s.verdict) for s in record.steps]


def test_simple_tasks_never_import_sympy():
    code = ("import sys\nfrom generators.logic import TASKS\nfrom reasoning.task import generate_record\n"
            "for n, l in [('truth_values', 'preschool'), ('truth_values', 'primary'),"
            " ('truth_tables', 'middle'), ('syllogisms', 'middle')]:\n"
            "    t = TASKS[n]\n    [generate_record(t, l, 0, i, t.default_config()) for i in range(50)]\n"
            "print('sympy' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
