"""Jobs that a sandbox worker runs: plain JSON-able dicts in, plain JSON-able dicts out.

`run_job(job)` dispatches on `job["kind"]` through the `JOBS` registry. This module is
imported inside sandbox workers (the process pool and the minimal Docker image), so it
uses the standard library only; the "trace" job is imported lazily from
`tracer.interpreter` so that this module works before or without it.
"""

from __future__ import annotations

import builtins
import contextlib
import io
from collections.abc import Callable
from typing import Any

OUTPUT_LIMIT_CHARS = 1_000_000
RESULT_REPR_LIMIT_CHARS = 100_000


class OutputLimitExceeded(BaseException):
    """A program printed more than its output budget.

    A BaseException so that a program's own `except Exception:` cannot swallow it and keep
    flooding; the worker reports it as status "error".
    """


class BoundedWriter(io.TextIOBase):
    """A text sink that keeps at most `limit` characters and raises past it."""

    def __init__(self, limit: int = OUTPUT_LIMIT_CHARS) -> None:
        self._parts: list[str] = []
        self._size = 0
        self._limit = limit
        self.exceeded = False

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        if self._size + len(text) > self._limit:
            self.exceeded = True
            raise OutputLimitExceeded(f"output over {self._limit} characters")
        self._parts.append(text)
        self._size += len(text)
        return len(text)

    def getvalue(self) -> str:
        return "".join(self._parts)


def run_exec(job: dict[str, Any]) -> dict[str, Any]:
    """Run `job["code"]` as a module; return its printed output and `repr(result)` if set.

    Returns {"stdout": str, "result": str | None}. Exceptions from the program propagate
    (the sandbox worker turns them into a status).
    """
    code = job.get("code")
    if not isinstance(code, str):
        raise ValueError('an "exec" job needs "code": a string of Python source')
    namespace: dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins}
    sink = BoundedWriter(int(job.get("output_limit", OUTPUT_LIMIT_CHARS)))
    compiled = compile(code, "<program>", "exec")
    with contextlib.redirect_stdout(sink):
        exec(compiled, namespace)
    result = None
    if "result" in namespace:
        result = repr(namespace["result"])[:RESULT_REPR_LIMIT_CHARS]
    return {"stdout": sink.getvalue(), "result": result}


def _run_trace(job: dict[str, Any]) -> dict[str, Any]:
    # Imported here: tracer.interpreter is written separately and may be absent.
    from tracer.interpreter import trace_job

    return trace_job(job)


JOBS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "exec": run_exec,
    "trace": _run_trace,
}


def run_job(job: dict[str, Any]) -> dict[str, Any]:
    """Run one job dict through the `JOBS` registry; unknown kinds raise ValueError."""
    if not isinstance(job, dict):
        raise ValueError(f"a job must be a dict, got {type(job).__name__}")
    kind = job.get("kind")
    if kind not in JOBS:
        raise ValueError(f"unknown job kind {kind!r}; known kinds: {', '.join(sorted(JOBS))}")
    return JOBS[kind](job)
