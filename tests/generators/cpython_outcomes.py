"""What CPython itself does with many (program, call) pairs: the independent side of the
bug-finding tests.

Shares no code with the tracer, the sandbox or the code tasks. One fresh `python`
subprocess (PYTHONHASHSEED=0, as the sandbox uses) runs every program in its own namespace
and reports how the call or the module ended: the returned value's repr or CPython's last
line for an uncaught exception (and the program line that raised it), what was printed, and a module's final variables;
with `seen`, also every value each local variable of the program's functions held during
the run and the lines run (`sys.settrace`, at each line and return event). Only
programs this repository generated are run here (they are known to end within a step budget).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

_RUNNER = r"""
import contextlib, io, json, sys, traceback, types
def watcher(seen, lines):
    def local(frame, event, arg):
        if event == "line":
            lines.add(frame.f_lineno)
        if event in ("line", "return"):
            for k, v in frame.f_locals.items():
                try:
                    seen.setdefault(k, set()).add(repr(v))
                except Exception:
                    pass
        return local
    return lambda frame, event, arg: local if frame.f_code.co_filename == "<program>" else None

for line in sys.stdin:
    job = json.loads(line)
    namespace = {"__name__": "__main__", "__builtins__": __builtins__}
    printed = io.StringIO()
    out = {"status": "ok", "return_repr": None, "exception": None}
    seen, lines = {}, set()
    if job.get("seen"):
        sys.settrace(watcher(seen, lines))
    with contextlib.redirect_stdout(printed):
        try:
            exec(compile(job["code"], "<program>", "exec"), namespace)
            if job["func"]:
                out["return_repr"] = repr(eval(f"{job['func']}({job['args']})", namespace))
        except Exception as exc:
            out["status"] = "exception"
            out["exception"] = traceback.format_exception_only(exc)[-1].strip()
            frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == "<program>"]
            out["line"] = frames[-1].lineno if frames else None
    sys.settrace(None)
    if job.get("seen"):
        out["seen"] = {k: sorted(v) for k, v in seen.items()}
        out["lines"] = sorted(lines)
    out["stdout"] = printed.getvalue()
    if not job["func"]:
        skip = (types.FunctionType, type, types.ModuleType)
        out["module_state"] = sorted(f"{k} = {v!r}" for k, v in namespace.items()
                                     if not k.startswith("__") and not isinstance(v, skip))
    print(json.dumps(out), flush=True)
"""


def run_all(jobs: list[dict], timeout_s: float = 600.0) -> list[dict]:
    """CPython's outcome for each {"code", "func", "args"} job (and optional "seen": true),
    in order (see the module docstring); a module's `module_state` is its sorted `name =
    repr` pairs."""
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    feed = "".join(json.dumps({k: j[k] for k in ("code", "func", "args", "seen") if k in j}) + "\n"
                   for j in jobs)
    done = subprocess.run([sys.executable, "-c", _RUNNER], input=feed, capture_output=True,
                          text=True, timeout=timeout_s, env=env, check=True)
    return [json.loads(line) for line in done.stdout.splitlines()]
