"""What CPython itself does with many (program, call) pairs: the independent side of the
bug-finding tests.

Shares no code with the tracer, the sandbox or the code tasks. One fresh `python`
subprocess (PYTHONHASHSEED=0, as the sandbox uses) runs every program in its own namespace
and reports how the call or the module ended: the returned value's repr or CPython's last
line for an uncaught exception (and the program line that raised it), what was printed, and a module's final variables. Only
programs this repository generated are run here (they are known to end within a step budget).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

_RUNNER = r"""
import contextlib, io, json, sys, traceback, types
for line in sys.stdin:
    job = json.loads(line)
    namespace = {"__name__": "__main__", "__builtins__": __builtins__}
    printed = io.StringIO()
    out = {"status": "ok", "return_repr": None, "exception": None}
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
    out["stdout"] = printed.getvalue()
    if not job["func"]:
        skip = (types.FunctionType, type, types.ModuleType)
        out["module_state"] = sorted(f"{k} = {v!r}" for k, v in namespace.items()
                                     if not k.startswith("__") and not isinstance(v, skip))
    print(json.dumps(out), flush=True)
"""


def run_all(jobs: list[dict], timeout_s: float = 600.0) -> list[dict]:
    """CPython's outcome for each {"code", "func", "args"} job, in order (see the module
    docstring); a module's `module_state` is its sorted `name = repr` pairs."""
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    feed = "".join(json.dumps({k: j[k] for k in ("code", "func", "args")}) + "\n" for j in jobs)
    done = subprocess.run([sys.executable, "-c", _RUNNER], input=feed, capture_output=True,
                          text=True, timeout=timeout_s, env=env, check=True)
    return [json.loads(line) for line in done.stdout.splitlines()]
