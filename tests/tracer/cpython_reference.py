"""What CPython itself does with a teaching program: the independent side of the
teaching-corpus test.

This file shares no code with the tracer, the sandbox or the code tasks. It reads a
program's `# input:` / `# func:` comments with its own regular expressions, runs the
program in a fresh `python` subprocess (PYTHONHASHSEED=0, the seed the sandbox uses, so
that a set of strings iterates in one order) and reports how the call or the module
ended: the repr of the returned value, or the last line CPython prints for an uncaught
exception, and everything printed on the way.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

INPUT = re.compile(r"^#\s*input:(.*)$", re.MULTILINE)
FUNC = re.compile(r"^#\s*func:\s*(\w+)\s*$", re.MULTILINE)
TOP_DEF = re.compile(r"^def\s+(\w+)\s*\(", re.MULTILINE)

# Runs inside the child: exec the program as __main__, then the call (if any), with
# stdout captured; prints one JSON line on the real stdout.
_RUNNER = r"""
import contextlib, io, json, sys, traceback
path, func, args = sys.argv[1], sys.argv[2], sys.argv[3]
source = open(path, encoding="utf-8-sig").read()
namespace = {"__name__": "__main__", "__builtins__": __builtins__}
printed = io.StringIO()
outcome = {}
with contextlib.redirect_stdout(printed):
    try:
        exec(compile(source, path, "exec"), namespace)
        if func:
            value = eval(f"{func}({args})", namespace)
            outcome = {"kind": "return", "value": repr(value)}
        else:
            outcome = {"kind": "module"}
    except BaseException as exc:
        last = traceback.format_exception_only(type(exc), exc)[-1].strip()
        outcome = {"kind": "raise", "value": last}
outcome["stdout"] = printed.getvalue()
sys.__stdout__.write(json.dumps(outcome) + "\n")
"""


@dataclass(frozen=True)
class Outcome:
    """How a program ended under CPython: kind is 'return', 'raise' or 'module'."""

    kind: str
    value: str | None  # the return value's repr, or the exception's last line
    stdout: str


def call_of(path: Path) -> tuple[str | None, str]:
    """(function to call or None for a module program, argument source text)."""
    text = path.read_text(encoding="utf-8-sig")
    found = INPUT.search(text)
    if found is None:
        return None, ""
    named = FUNC.search(text)
    if named:
        return named.group(1), found.group(1).strip()
    names = TOP_DEF.findall(text)
    return ("f" if "f" in names else names[-1]), found.group(1).strip()


def run_cpython(path: Path, timeout_s: float = 60.0) -> Outcome:
    """Run `path` under CPython in a fresh process and say how it ended."""
    func, args = call_of(path)
    env = {"PYTHONHASHSEED": "0", "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
    proc = subprocess.run(
        [sys.executable, "-s", "-B", "-c", _RUNNER, str(path.resolve()), func or "", args],
        capture_output=True, text=True, env=env, timeout=timeout_s, cwd=path.parent,
    )
    if proc.returncode != 0 or not proc.stdout.strip():
        raise RuntimeError(f"{path.name}: reference run failed: {proc.stderr.strip()[-300:]}")
    row = json.loads(proc.stdout.strip().splitlines()[-1])
    return Outcome(row["kind"], row.get("value"), row["stdout"])
