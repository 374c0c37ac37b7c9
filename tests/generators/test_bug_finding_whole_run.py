"""`whole_run` (the `diagnose` form's option): bug finding traces the buggy run to its end,
sets its outcome beside the expected one, and only then names the first divergent step.

The claims of the two new steps are re-derived under CPython run directly
(`cpython_outcomes`, no tracer or sandbox code): the outcome the step states is the buggy
program's, the one it says the call should have is the original's, the named line runs in
the buggy program, and the intended value is one the original run gives that variable
while the buggy run's is one the buggy run gives it (or it is never set there)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from generators.code import TASKS, Config
from generators.code import bug_finding as bf
from model.curriculum.forms import get_form
from reasoning.task import Dropped, item_rng

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cpython_outcomes import run_all  # a helper beside this file

TASK = TASKS["bug_finding"]
SEED = 5
_OUTCOME = re.compile(r"^(?P<call>\w+\(.*\)) (?P<got>.+), but it should (?P<want>.+)$")
_WRONG = re.compile(r"^the run first goes wrong at L(?P<line>\d+): (?P<intended>.+)$")
_HAS = re.compile(r"^the intended run has (?P<var>\w+) = (?P<e>.+) here, not (?P<a>.+)$")


def _pair(level: str, n: int) -> list[tuple]:
    """(default problem, whole-run problem) for the same items."""
    out = []
    for i in range(n):
        try:
            a = TASK.generate(item_rng(TASK.name, TASK.version, level, SEED, i), level, Config(), index=i)
            b = TASK.generate(item_rng(TASK.name, TASK.version, level, SEED, i), level,
                              Config(whole_run=True), index=i)
        except Dropped:
            continue
        out.append((a, b))
    return out


def _said(outcome: dict, should: bool) -> str:
    """An outcome as the steps word it, from CPython's own report."""
    s = "" if should else "s"
    if outcome["status"] == "exception":
        return f"raise{s} {outcome['exception']}"
    return f"return{s} {outcome['return_repr']}"


@pytest.mark.parametrize("level", ["preschool", "primary"])
def test_the_two_new_steps_hold_under_cpython(level):
    pairs = _pair(level, 40)
    assert len(pairs) >= 30
    jobs = []
    for _, p in pairs:
        d = p.data
        jobs.append({"code": d["buggy_code"], "func": d["func"], "args": d["args"], "seen": True})
        jobs.append({"code": d["original_code"], "func": d["func"], "args": d["args"], "seen": True})
    ran = run_all(jobs)
    valued = 0
    for (_, p), buggy, original in zip(pairs, ran[0::2], ran[1::2], strict=True):
        outcome, wrong, fix = (s.proposal for s in p.steps[-3:])
        assert fix.startswith("the faulty line is ")
        m = _OUTCOME.match(outcome)
        assert m is not None, outcome
        assert m["call"] == f"{p.data['func']}({p.data['args']})"
        assert m["got"] == _said(buggy, should=False), (outcome, buggy)
        assert m["want"] == _said(original, should=True), (outcome, original)
        w = _WRONG.match(wrong)
        assert w is not None, wrong
        assert int(w["line"]) in buggy["lines"], (wrong, buggy["lines"])
        h = _HAS.match(w["intended"])
        if h is None:
            continue  # a return, an exception, control flow: the outcome step covers those
        valued += 1
        assert h["e"] in original["seen"].get(h["var"], []), (wrong, original["seen"])
        if h["a"] == "<unset>":
            assert h["var"] not in buggy["seen"], (wrong, buggy["seen"])
        else:
            assert h["a"] in buggy["seen"].get(h["var"], []), (wrong, buggy["seen"])
    assert valued >= len(pairs) // 3, valued


@pytest.mark.parametrize("level", ["preschool", "primary"])
def test_the_whole_run_is_traced_before_the_divergence_is_named(level):
    """Prompt, answer and data are the default record's; the trace steps are the default's
    up to its divergent step and go on to the end of the run; no trace step's critic names
    the intended run (the default's divergent critic does)."""
    for a, b in _pair(level, 30):
        assert (a.prompt, a.answer, a.data) == (b.prompt, b.answer, b.data)
        at = a.data["divergent_record_step"]
        assert "the intended run" in a.steps[at].critic
        assert [s.proposal for s in b.steps[: at + 1]] == [s.proposal for s in a.steps[: at + 1]]
        trace = b.steps[:-3]
        assert len(trace) >= len(a.steps) - 1
        assert not any("intended run" in s.critic for s in trace)
        assert all(s.verdict == "accept" for s in b.steps)
        assert b.steps[-1] == a.steps[-1]
        assert TASK.verify(b, b.answer).score == 1.0


def test_a_run_longer_than_the_written_steps_keeps_the_default_steps(monkeypatch):
    """Where the buggy run has more display entries than MAX_WRITTEN, the record is the
    default one (a bug is then named while tracing, as without the option)."""
    monkeypatch.setattr(bf, "MAX_WRITTEN", 5)
    whole = default = 0
    for a, b in _pair("primary", 30):
        if b.steps[-2].proposal.startswith("the run first goes wrong"):
            whole += 1
            assert len(b.steps) - 3 <= 5
        else:
            default += 1
            assert [s.proposal for s in b.steps] == [s.proposal for s in a.steps]
    assert whole and default, (whole, default)


def test_only_bug_finding_changes():
    for name in ("output_prediction", "state_after_steps"):
        task = TASKS[name]
        for i in range(5):
            try:
                a = task.generate(item_rng(task.name, task.version, "primary", SEED, i), "primary",
                                  Config(), index=i)
            except Dropped:
                continue
            assert a == task.generate(item_rng(task.name, task.version, "primary", SEED, i), "primary",
                                      Config(whole_run=True), index=i)


def test_the_option_is_a_bool_and_the_diagnose_form_sets_it():
    with pytest.raises(ValueError, match="whole_run"):
        Config(whole_run="yes")
    assert get_form("chain+strike+diagnose").task_options["whole_run"] is True
    assert "whole_run" not in get_form("chain+strike").task_options
