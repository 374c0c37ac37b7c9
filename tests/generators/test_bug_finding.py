"""Bug finding graded by behaviour, and bugs that show on the question's input (issue 10)."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from generators.code import TASKS, Config
from generators.code.bug_finding import PARTIAL
from generators.code.bug_fixes import apply_fix, derive_inputs, parse_fix
from reasoning.levels import LEVELS
from reasoning.task import Dropped, Problem, item_rng

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cpython_outcomes import run_all  # a helper beside this file

TASK = TASKS["bug_finding"]
# Records per level for the CPython check; the full figure is 1,000 (set
# BUG_FINDING_SAMPLE=1000 to run it; the default keeps the suite quick).
SAMPLE = int(os.environ.get("BUG_FINDING_SAMPLE", "60"))

# The audit's case: `<=` on line 4 is the planted bug, and `i = 1` on line 3 fixes it too.
ORIGINAL = """def f(n):
    count = 0
    i = 0
    while i < n:
        count = count + 1
        i = i + 1
    return count
"""
BUGGY = ORIGINAL.replace("while i < n:", "while i <= n:")


def _returns(value: str) -> dict:
    return {"status": "ok", "return_repr": value, "exception": None, "stdout": ""}


def _hand_problem() -> Problem:
    held = ["2", "7", "0", "3", "5"]
    data = {"faulty_line": 4, "fix": "while i < n:", "original_code": ORIGINAL, "buggy_code": BUGGY,
            "func": "f", "args": "4", "expected": _returns("4"), "held_args": held,
            "held_expected": [_returns(h) for h in held], "max_steps": 1000}
    return Problem(task="bug_finding", level="middle", prompt="", steps=[],
                   answer="line 4: `while i < n:`", data=data)


@pytest.mark.parametrize(("answer", "score"), [
    ("line 4: `while i < n:`", 1.0),  # the planted fix (no sandbox run)
    ("line 3: `i = 1`", 1.0),  # another line, same behaviour: the audit's case
    ("L4: while i + 1 <= n:", 1.0),  # same line, other words
    ("line 4: `while i <= n:` should read `while i < n - 0:`", 1.0),  # the last quoted piece
    ("line 3: `i = 2`", 0.0),  # a wrong fix elsewhere
    ("line 5: `count = 4`", 0.0),  # right on the question's input only: held inputs catch it
    ("line 4: `while i < n - 1:`", PARTIAL),  # the right line, a wrong fix
    ("line 4", PARTIAL),  # located, not fixed
    ("line 4: `while i <= n:`", PARTIAL),  # unchanged
    ("line 4: `while i <<< n:`", PARTIAL),  # does not parse
    ("the bug is somewhere", 0.0),
])
def test_graded_by_behaviour(answer, score):
    assert TASK.verify(_hand_problem(), answer).score == score


def test_verifier_is_bounded_and_never_raises():
    problem = _hand_problem()
    start = time.monotonic()
    hostile = ["line 6: `i = i`",  # hangs: the step budget ends it
               "line 5: `count = __import__('os').system('true')`",  # refused by the sandbox
               "line 2: `count = 10 ** 10 ** 10`",  # a value past the caps
               None, 42, "line 4: " + "x" * 10_000, "line 999999: `x = 1`", "line 0: `x`"]
    for answer in hostile:
        assert TASK.verify(problem, answer).score in (0.0, PARTIAL)
    broken = Problem(task="bug_finding", level="middle", prompt="", steps=[], answer="", data={})
    assert TASK.verify(broken, "line 3: `i = 1`").score == 0.0
    assert time.monotonic() - start < 60


def test_parse_and_apply_fix():
    assert parse_fix("The faulty line is line 4: `while i < n:`") == (4, "while i < n:")
    assert parse_fix("L12") == (12, None) and parse_fix(" 7 ") == (7, None)
    assert parse_fix("no idea") == (None, None)
    fixed = apply_fix(BUGGY, 3, "i = 1")
    assert fixed is not None and fixed.splitlines()[2] == "    i = 1"
    assert apply_fix(BUGGY, 3, "i = (") is None and apply_fix(BUGGY, 9, "x = 1") is None
    assert derive_inputs("[4, 8], 14") == ["[4], 14", "[4, 8], 13", "[4, 8], 15", "[3, 8], 14",
                                           "[5, 8], 14"]


def _generated(level: str, n: int) -> list[Problem]:
    config = Config()
    out = []
    for index in range(n):
        try:
            out.append(TASK.generate(item_rng(TASK.name, TASK.version, level, 7, index), level,
                                     config, index=index))
        except Dropped:
            continue
    return out


def _view(out: dict) -> tuple:
    return out["status"], out["return_repr"], out["exception"], out["stdout"]


@pytest.mark.parametrize("level", LEVELS)
def test_the_bug_shows_under_cpython(level):
    """On the question's input, the buggy program shown does not do what the question says
    it should, and the original does, both under CPython run directly."""
    problems = _generated(level, SAMPLE)
    assert len(problems) >= SAMPLE * 0.9
    jobs = []
    for p in problems:
        d = p.data
        assert d["func"] is not None  # generated programs are calls (modules come from users)
        jobs.append({"code": d["buggy_code"], "func": d["func"], "args": d["args"]})
        jobs.append({"code": d["original_code"], "func": d["func"], "args": d["args"]})
    ran = run_all(jobs)
    assert len(ran) == len(jobs)
    for p, buggy, original in zip(problems, ran[0::2], ran[1::2], strict=True):
        expected = _view(p.data["expected"])
        assert _view(buggy) != expected, p.prompt
        assert _view(original) == expected, p.prompt
        assert TASK.verify(p, p.answer).score == 1.0
        assert len(p.data["held_args"]) >= 2
