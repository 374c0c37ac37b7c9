"""Every code task's accepted steps are checked ones (issue 10): no step leaps over steps it
does not show, and a line that raises is shown raising, where CPython says it raises."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

from generators.code import TASKS, Config
from reasoning.levels import LEVELS
from reasoning.task import Dropped, item_rng
from tracer.sandbox import ProcessSandbox

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cpython_outcomes import run_all  # a helper beside this file

PER_TASK = int(os.environ.get("CODE_STEPS_SAMPLE", "40"))
SEED = 7
CONFIG = Config()
_TRACE_STEP = re.compile(r"^trace step (\d+)(?: \((start|done)\))?$")
_LEAP = re.compile(r"^(?:step \d+: )?steps \d+[–-]\d+ run|run on to the end")


def _shown(name: str, data: dict) -> tuple[str, str, str]:
    """(code, func, args) of the program run the record's steps trace."""
    code = data["buggy_code"] if name == "bug_finding" else data["code"]
    return code, data["func"], data["args"]


def _records(name: str, level: str) -> list:
    task = TASKS[name]
    out = []
    for index in range(PER_TASK):
        try:
            out.append(task.generate(item_rng(task.name, task.version, level, SEED, index), level,
                                     CONFIG, index=index))
        except Dropped:
            continue
    return out


@pytest.fixture(scope="module")
def sandbox():
    with ProcessSandbox(workers=2) as sb:
        yield sb


@pytest.mark.parametrize("level", LEVELS)
def test_no_leaps_and_raising_lines_raise(level, sandbox):
    raising_shown = 0
    for name in sorted(TASKS):
        problems = _records(name, level)
        assert len(problems) >= PER_TASK * 0.9
        shown = [_shown(name, p.data) for p in problems]
        jobs = [{"kind": "trace", "code": c, "func": f, "args": a, "max_steps": CONFIG.max_steps,
                 "timeout_s": 5.0, "check": None} for c, f, a in shown]
        traces = [r.value for r in sandbox.run_many(jobs)]
        cpython = run_all([{"code": c, "func": f, "args": a} for c, f, a in shown])
        for problem, trace, real in zip(problems, traces, cpython, strict=True):
            body = problem.steps[:-1]  # the last step states the result
            for step in problem.steps:
                assert not _LEAP.search(step.proposal), (name, step.proposal)
            for step in body:
                if step.verdict != "accept":
                    continue
                # An accepted step is checked against one recorded step of the run, never a span.
                found = _TRACE_STEP.match(step.check.detail)
                assert found, (name, step.check.detail)
                event = trace["steps"][int(found.group(1))]
                if event["event"] == "exception" and found.group(2) != "start":
                    assert " raises " in step.proposal, (name, step.proposal)
                    raising_shown += 1
                elif event["event"] == "line":
                    assert " raises " not in step.proposal, (name, step.proposal)
            if trace["status"] == "exception":
                # The tracer's exception is CPython's, and its innermost raising line is the
                # one CPython reports.
                assert real["status"] == "exception" and real["exception"] == trace["exception"]
                deepest = max((s for s in trace["steps"] if s["event"] == "exception"),
                              key=lambda s: s["depth"], default=None)
                assert deepest is not None and deepest["line"] == real["line"], problem.prompt
                if name == "output_prediction" and problem.end == "terminated":
                    assert any(s.proposal.startswith((f"L{real['line']} ", f"back at L{real['line']} "))
                               and f"raises {real['exception']}" in s.proposal for s in body)
            else:
                assert real["status"] == "ok"
    # Preschool and primary programs are straight-line arithmetic that never raises (none
    # in 200 records per task); from middle on, the check above must have met raising lines.
    if LEVELS.index(level) >= LEVELS.index("middle"):
        assert raising_shown > 0
