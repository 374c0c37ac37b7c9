"""Run a batch of programs under plain CPython and report what happened, line by line.

This file is executed as a script in a child process (`python cpython_batch.py`) with
PYTHONHASHSEED=0; it reads a JSON list of jobs on stdin and writes a JSON list of results
on stdout. It imports nothing of the project: it is the independent side of the audit.

A job is {"code": source, "call": "f(3)" or "" for a module, "trace": bool}. A result is
{"status": "return"|"raise"|"timeout"|"error", "value": repr of the returned value or the
exception's type name, "stdout": printed text, "events": [...] when traced}. Each event is
[kind, lineno, func, frame_id, {local: repr}] with kind in call/line/return/exception,
the locals as seen when the event fires (a line event sees the state *before* its line).
"""

from __future__ import annotations

import contextlib
import io
import json
import signal
import sys

FILENAME = "<audited>"
MAX_EVENTS = 20000
REPR_CAP = 400


class _Timeout(BaseException):
    pass


class _TooLong(BaseException):
    pass


def _alarm(signum, frame):
    raise _Timeout


def _reprs(local_vars: dict) -> dict:
    out = {}
    for k, v in local_vars.items():
        if k.startswith("__") or (callable(v) and not isinstance(v, type)):
            continue
        try:
            text = repr(v)
        except Exception:
            text = "<unrepresentable>"
        out[k] = text[:REPR_CAP]
    return out


def run_one(job: dict, timeout_s: float) -> dict:
    """Run one job; never raises."""
    events: list = []
    frames: dict[int, int] = {}

    def tracer(frame, kind, arg):
        # the program's own functions only: not the module body, comprehensions or lambdas
        if frame.f_code.co_filename != FILENAME or frame.f_code.co_name.startswith("<"):
            return None
        if len(events) >= MAX_EVENTS:
            raise _TooLong
        fid = frames.setdefault(id(frame), len(frames))
        row = [kind, frame.f_lineno, frame.f_code.co_name, fid, _reprs(frame.f_locals)]
        if kind == "return":
            try:
                row.append(repr(arg)[:REPR_CAP])
            except Exception:
                row.append("<unrepresentable>")
        elif kind == "exception":
            row.append(arg[0].__name__)
        events.append(row)
        return tracer

    namespace: dict = {"__name__": "__main__"}
    printed = io.StringIO()
    result: dict = {}
    signal.setitimer(signal.ITIMER_REAL, timeout_s)
    try:
        with contextlib.redirect_stdout(printed):
            code = compile(job["code"], FILENAME, "exec")
            if job.get("trace"):
                sys.settrace(tracer)
            try:
                exec(code, namespace)
                value = eval(compile(job["call"], FILENAME + "-call", "eval"), namespace) if job.get("call") else None
            finally:
                sys.settrace(None)
        result = {"status": "return", "value": repr(value)[:4000] if job.get("call") else None}
        if job.get("expect") is not None:
            result["matches"] = _matches(value, job["expect"])
    except _Timeout:
        result = {"status": "timeout", "value": None}
    except _TooLong:
        result = {"status": "too_long", "value": None}
    except SyntaxError:
        result = {"status": "error", "value": "SyntaxError"}
    except Exception as exc:
        result = {"status": "raise", "value": type(exc).__name__}
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        sys.settrace(None)
    result["stdout"] = printed.getvalue()[:4000]
    if job.get("trace"):
        result["events"] = events
    return result


def _matches(value, expect: str) -> bool:
    """Whether a returned value is the expected one, given as a repr (as written)."""
    import ast

    if repr(value) == expect:
        return True
    try:
        other = ast.literal_eval(expect)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return False
    return type(other) is type(value) and other == value


def main() -> None:
    signal.signal(signal.SIGALRM, _alarm)
    sys.setrecursionlimit(3000)
    jobs = json.load(sys.stdin)
    timeout_s = float(sys.argv[1]) if len(sys.argv) > 1 else 2.0
    out = [run_one(job, timeout_s) for job in jobs]
    sys.stdout = sys.__stdout__
    sys.stdout.write(json.dumps(out))


if __name__ == "__main__":
    main()
