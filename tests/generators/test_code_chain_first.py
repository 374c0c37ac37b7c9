"""`chain_first` (the `chain` form's option): a code step works its line out before it states
the result. Checked from the text alone: every written piece of work, evaluated by CPython,
is the result the step then claims; the steps are otherwise the default ones; and the step
checker reads the result after ``so`` (accepted steps valid, slips invalid)."""

from __future__ import annotations

import ast
import re

import pytest

from generators.code import TASKS, Config
from generators.code.step_claims import check_code_step
from reasoning.task import Dropped, item_rng

SEED = 11
# "L4 `src` → work, so result" with an optional "step N: " and "back at " in front
_CHAINED = re.compile(r"^(?:step \d+: )?(?:back at )?L\d+ `(?P<src>[^`]*)` → (?P<work>.+), so (?P<said>.+)$")
_SAFE = {"min": min, "max": max, "len": len, "abs": abs, "sum": sum, "sorted": sorted,
         "round": round, "str": str, "int": int, "list": list, "tuple": tuple}


def _problems(name: str, level: str, n: int, chain_first: bool, slip_rate: float = 0.1):
    task = TASKS[name]
    out = []
    for i in range(n):
        try:
            out.append(task.generate(item_rng(task.name, task.version, level, SEED, i), level,
                                     Config(chain_first=chain_first, slip_rate=slip_rate), index=i))
        except Dropped:
            continue
    return out


def _value(text: str):
    """A piece of work or a result as CPython evaluates it: literals and a few builtins, no
    names (None when it holds anything else)."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError:
        return None
    if any(isinstance(n, ast.Name) and n.id not in _SAFE for n in ast.walk(tree)):
        return None
    if any(isinstance(n, ast.Attribute | ast.Lambda | ast.NamedExpr) for n in ast.walk(tree)):
        return None
    try:
        return eval(compile(tree, "<work>", "eval"), {"__builtins__": {}}, dict(_SAFE))
    except Exception:
        return None


def _result(said: str):
    """The value a step's result claims: `name = v`, `name: old → v` or a bare value."""
    one = re.match(r"^[A-Za-z_]\w*(?:: .+ → | = )(.+)$", said)
    return _value(one.group(1) if one else said)


@pytest.mark.parametrize("level", ["preschool", "primary"])
def test_every_piece_of_written_work_evaluates_to_the_claimed_result(level):
    checked = chained = 0
    for name in sorted(TASKS):
        for p in _problems(name, level, 25, chain_first=True, slip_rate=0.0):
            for step in p.steps:
                m = _CHAINED.match(step.proposal)
                if m is None:
                    continue
                chained += 1
                if ", " in m["said"] and not m["said"].startswith(("(", "[", "{")):
                    continue  # a line that sets two names at once
                want = _result(m["said"])
                pieces = [_value(w) for w in m["work"].split(" → ")]
                if want is None or any(v is None for v in pieces):
                    continue
                checked += 1
                assert all(v == want for v in pieces), (name, step.proposal)
    assert chained >= 60, chained
    assert checked >= 0.8 * chained, (checked, chained)


@pytest.mark.parametrize("name", sorted(TASKS))
def test_only_a_worked_lines_proposal_and_critic_change(name):
    plain = _problems(name, "primary", 20, chain_first=False)
    worked = _problems(name, "primary", 20, chain_first=True)
    moved = 0
    assert [p.answer for p in plain] == [p.answer for p in worked]
    for a, b in zip(plain, worked, strict=True):
        assert [s.verdict for s in a.steps] == [s.verdict for s in b.steps]
        for s, t in zip(a.steps, b.steps, strict=True):
            m = _CHAINED.match(t.proposal)
            if m is None:
                assert t.proposal == s.proposal
                continue
            moved += 1
            # the default states the result where the chained step has "work, so"; the
            # work is the default critic's chain without its source and its result
            assert s.proposal == t.proposal.replace(f" → {m['work']}, so ", " → ", 1)
            if s.verdict == "accept":
                chain = s.critic.removesuffix(" ✓").split("; but ")[0].split(" → ")
                assert " → ".join(chain[1:-1]) == m["work"]
                # the critic keeps only what the proposal does not say (bug finding's "but ...")
                assert t.critic == "✓" or (t.critic.startswith("but ") and s.critic.endswith("; " + t.critic))
            else:
                assert t.critic == s.critic  # a slip's critic recomputes either way
    assert moved >= 10


def test_the_step_checker_reads_the_result_after_so():
    seen = {"accept": 0, "reject": 0}
    for name in ("output_prediction", "state_after_steps"):
        for p in _problems(name, "primary", 12, chain_first=True, slip_rate=0.4):
            previous: list[str] = []
            for step in p.steps:
                judged = check_code_step(p, previous, step.proposal)
                if _CHAINED.match(step.proposal):
                    seen[step.verdict] += 1
                    want = "valid" if step.verdict == "accept" else "invalid"
                    assert judged.status == want, (step.proposal, judged)
                if step.verdict == "accept":
                    previous.append(step.proposal)
    assert seen["accept"] >= 20 and seen["reject"] >= 5, seen


def test_chain_first_must_be_a_bool():
    with pytest.raises(ValueError, match="chain_first must be true or false"):
        Config(chain_first="yes")


def test_integer_work_that_does_not_come_to_the_stated_result_is_invalid():
    checked = 0
    for p in _problems("output_prediction", "primary", 12, chain_first=True, slip_rate=0.0):
        previous: list[str] = []
        for step in p.steps:
            m = _CHAINED.match(step.proposal)
            last = m["work"].split(" → ")[-1] if m else ""
            if m and re.fullmatch(r"[\d ()*+-]+", last) and re.search(r"\d", last):
                # the stated result and the trace stay right; only the work is off by one
                wrong = step.proposal.replace(f"{last}, so ", f"{last} + 1, so ", 1)
                judged = check_code_step(p, previous, wrong)
                assert judged.status == "invalid" and "not" in judged.reason, (wrong, judged)
                assert check_code_step(p, previous, step.proposal).status == "valid"
                checked += 1
            previous.append(step.proposal)
    assert checked >= 10, checked
