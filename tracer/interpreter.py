"""The tracing interpreter: run a Python program under `sys.settrace` and record its steps.

`trace_call(code, func, args_src)` runs `code` in a fresh namespace, calls `func` with the
arguments written in `args_src` and records each step of `func` and of the functions `code`
defines (never library internals): line, call, return and exception events with the frame's
variables after the step (safe, size-capped reprs, changed names marked), stdout so far and,
for lines whose expression is side-effect free, the spelled-out evaluation chain.
`trace_module(code)` does the same for a whole program; `trace_job(job)` is the entry point
a sandbox worker calls. A step limit ends a run as 'truncated' and a value over the size caps
(`tracer.recorder.MAX_INT_BITS`, `MAX_LEN`) as 'overflow', both deterministic; the clock limit
('timeout') is a machine-dependent safety net (see `tracer.recorder`). With `run_on`, the
step limit ends the recording only: the program runs on untraced to its end, and the trace
(marked `cut`) has its first steps and its real outcome.

An uncaught exception is an outcome like a return value: status 'exception', and
`Trace.exception` is the last line CPython prints for it (`ZeroDivisionError: division by
zero`). The program gets the recursion depth it has when run directly: the limit is raised
by the frames below its first one and the tracer's own (`TRACER_FRAMES`).

Standard library only: this module runs inside the sandbox.
"""

from __future__ import annotations

import ast
import builtins
import functools
import gc
import io
import re
import sys
import types
from time import perf_counter
from typing import Any

from tracer.line_plans import LinePlans, clear_plan_cache
from tracer.recorder import FILENAME, ClockOnly, Recorder, Stop
from tracer.trace_model import Trace, TraceStep
from tracer.values import RETURN_LIMITS, format_exception, safe_repr, uses_program_repr

__all__ = ["FILENAME", "Trace", "TraceStep", "clear_caches", "parse_arguments", "trace_call",
           "trace_job", "trace_module"]

MAX_STDOUT = 100_000
# Frames the trace functions may stack above the program's deepest frame (a snapshot's
# nested reprs); added to the recursion limit so the program itself gets the usual depth.
TRACER_FRAMES = 40


class CappedOutput(io.TextIOBase):
    """The program's stdout: keeps the first `limit` characters, counts all of them.

    `tell()` is the count written so far (a step's stdout_len), so a program printing in a
    loop cannot grow the trace's memory past the cap.
    """

    def __init__(self, limit: int = MAX_STDOUT) -> None:
        super().__init__()
        self._parts: list[str] = []
        self._kept = 0
        self._written = 0
        self._limit = limit

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        self._written += len(text)
        if self._kept < self._limit:
            kept = text[: self._limit - self._kept]
            self._parts.append(kept)
            self._kept += len(kept)
        return len(text)

    def tell(self) -> int:
        return self._written

    def getvalue(self) -> str:
        return "".join(self._parts)


def _run_on_clock(thunk, deadline: float):
    """`thunk()` with the deadline enforced on the program's lines; returns its value."""
    sys.settrace(ClockOnly(deadline))
    try:
        return thunk()
    finally:
        sys.settrace(None)


def _validate_limits(max_steps: int, timeout_s: float) -> None:
    if not isinstance(max_steps, int) or max_steps < 1:
        raise ValueError(f"max_steps must be a positive int, got {max_steps!r}")
    if not timeout_s > 0:
        raise ValueError(f"timeout_s must be > 0 seconds, got {timeout_s!r}")


def parse_arguments(args_src: str, namespace: dict, run=None) -> tuple[list, dict]:
    """The call arguments written in `args_src` ("1, 2", "(1, ), [2]", "", "x=3", ...).

    Literals are read directly; other arguments are evaluated in the program's namespace,
    through `run(thunk)` when given (the tracer runs them under its clock).
    """
    call = _CALLS.get(args_src)
    if call is None:  # the parsed tree is only read: each call still builds fresh values
        call = ast.parse(f"f({args_src})", mode="eval").body
        if not isinstance(call, ast.Call):
            raise SyntaxError(f"not an argument list: {args_src!r}")
        _remember(_CALLS, args_src, call)

    def value_of(node: ast.expr):
        try:
            return ast.literal_eval(node)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            # Not a literal (e.g. `float('inf')`): evaluate it in the program's namespace.
            expression = compile(ast.Expression(body=node), FILENAME, "eval")
            return eval(expression, namespace) if run is None else run(
                lambda: eval(expression, namespace))

    args: list = []
    for node in call.args:
        if isinstance(node, ast.Starred):
            args.extend(value_of(node.value))
        else:
            args.append(value_of(node))
    kwargs = {}
    for keyword in call.keywords:
        if keyword.arg is None:
            kwargs.update(value_of(keyword.value))
        else:
            kwargs[keyword.arg] = value_of(keyword.value)
    return args, kwargs


# Parsing, compiling and indexing a program cost about as much as tracing a short one, and
# the same program is traced many times (a task's original on several inputs, its mutants'
# siblings, a sandbox worker's many jobs, benchmarks). What is cached never changes during a
# run: code objects are immutable and a line's plan is a pure function of the source.
_PREPARED: dict[str, tuple] = {}
_LINE_BREAKS = re.compile(r"\r\n|\r|\n")
_CALLS: dict[str, ast.Call] = {}
# Small on purpose: a cached program's code and plans are GC-tracked objects that every full
# collection walks (when the AST was kept too, 1,024 entries made a run of 800 distinct
# programs ~35% slower in GC alone); 64 still cover an item's repeated runs.
CACHE_SIZE = 64  # programs (and argument lists) kept per process, oldest out first


def clear_caches() -> None:
    """Forget every prepared program, argument list and line plan (benchmarks: time
    first-time tracing)."""
    _PREPARED.clear()
    _CALLS.clear()
    clear_plan_cache()


def _remember(cache: dict, key: str, value):
    if len(cache) >= CACHE_SIZE:
        del cache[next(iter(cache))]
    cache[key] = value
    return value


def _collector_paused(function):
    """Run `function` (a whole traced run: preparing, loading, tracing, packing the trace)
    with the cyclic garbage collector paused.

    A run allocates many objects that live until it ends (syntax trees of its lines, plans,
    one record per step) and frees them by reference counting: the recorder leaves no
    reference cycle (see `tracer.recorder.Recorder.finish`). Collections during the run
    would walk that growing heap again and again for nothing (2% to 5% of the time of
    tracing the CRUXEval programs). What the program itself leaves in cycles (its functions
    and its namespace) is reclaimed by the first collection after the run. Acceptable because
    tracing runs in a sandbox worker process dedicated to it (no other work shares the
    pause) and a run is bounded by its step budget, its clock and the sandbox's memory
    limit; the collector is switched back on (if it was on) when the run returns.
    """

    @functools.wraps(function)
    def paused(*args, **kwargs):
        collecting = gc.isenabled()
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            if collecting:
                gc.enable()

    return paused


def _prepare(code: str):
    """`(line texts by number, compiled code, plans)`; raises SyntaxError/ValueError for bad
    code.

    Compiled straight from the source (no syntax tree objects); the line plans are built
    from the lines' own text when the program is first traced (`tracer.line_plans`).
    """
    prepared = _PREPARED.get(code)
    if prepared is None:
        source_lines = _LINE_BREAKS.split(code)  # Python's own line breaks, not splitlines()'s
        sources = ["", *(line.strip() for line in source_lines)]  # a step's text, by line
        prepared = (sources, compile(code, FILENAME, "exec"), LinePlans(source_lines))
        _remember(_PREPARED, code, prepared)
    return prepared


def _failed(status: str, error: BaseException | None, stdout: CappedOutput,
            recorder: Recorder | None = None, deadline: float = 0.0) -> Trace:
    fields = {"exception": exception_line(error, deadline) if error else None,
              "stdout": stdout.getvalue()}
    if recorder is None:
        return Trace(status, [], **fields)
    return Trace.from_records(status, recorder.steps, recorder.sources,
                              eval_stats=recorder.stats, cut=recorder.cut, **fields)


def exception_line(error: BaseException, deadline: float = 0.0) -> str:
    """The last line CPython prints for the uncaught `error` (`KeyError: 'x'`), with the
    caps of a return value. An exception class of the program's own whose `__str__` is
    overridden has that `__str__` run under the clock (until `deadline`); if it fails or
    overruns, its args stand in for the message."""
    message = None
    if isinstance(type(error).__str__, types.FunctionType):  # the program's own __str__
        try:
            text = _run_on_clock(lambda: str(error), deadline)
            message = text if type(text) is str else None
        except (Exception, SystemExit, Stop):
            message = None
    return format_exception(error, RETURN_LIMITS, message)


def _depth() -> int:
    """How many frames are live below (and including) the caller's."""
    frame, depth = sys._getframe(1), 0
    while frame is not None:
        frame, depth = frame.f_back, depth + 1
    return depth


class _DepthAsRun:
    """Raise the recursion limit by the frames below the program's first frame and the
    tracer's own, so the program recurses as deep as when CPython runs it directly."""

    __slots__ = ("limit",)

    def __enter__(self) -> None:
        self.limit = sys.getrecursionlimit()
        sys.setrecursionlimit(self.limit + _depth() + TRACER_FRAMES)

    def __exit__(self, *exc_info) -> None:
        sys.setrecursionlimit(self.limit)


class _Discard(io.TextIOBase):
    """The program's stderr: accepts text and keeps none (one shared instance)."""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        return len(text)


_STDERR = _Discard()


class _SandboxedIO:
    """Redirect stdout into the trace, discard stderr and give the program an empty stdin.

    Swaps the three streams directly (cheaper per call than contextlib's redirectors) and
    restores the previous ones on exit, also when the program replaced them itself.
    """

    __slots__ = ("saved", "stdout")

    def __init__(self, stdout: CappedOutput) -> None:
        self.stdout = stdout
        self.saved = None

    def __enter__(self) -> None:
        self.saved = (sys.stdin, sys.stdout, sys.stderr)
        sys.stdin, sys.stdout, sys.stderr = io.StringIO(""), self.stdout, _STDERR

    def __exit__(self, *exc_info) -> None:
        sys.stdin, sys.stdout, sys.stderr = self.saved


@_collector_paused
def trace_call(code: str, func: str, args_src: str, *, max_steps: int = 1000,
               timeout_s: float = 2.0, check_src: str | None = None,
               run_on: bool = False) -> Trace:
    """Trace the call `func(<args_src>)` of the program `code`.

    The module body, the arguments and the check run untraced but under the same clock.
    `run_on`: past `max_steps` the call runs on untraced to its end (see the module doc).
    `check_src` (the source of the expected value) sets `Trace.check_passed` to whether
    `result == <check_src>` held; False when the call raised, None when it did not finish.
    """
    _validate_limits(max_steps, timeout_s)
    deadline = perf_counter() + timeout_s
    stdout = CappedOutput()
    try:
        sources, compiled, plans = _prepare(code)
    except (SyntaxError, ValueError) as error:
        return _failed("exception", error, stdout)
    namespace: dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins}

    def load():  # the module body, under the clock
        exec(compiled, namespace)
        function = namespace.get(func)
        if not callable(function):
            raise NameError(f"name {func!r} is not defined")
        return function

    def on_clock(thunk):
        return _run_on_clock(thunk, deadline)

    with _SandboxedIO(stdout):
        try:
            function = on_clock(load)
            # Literal arguments are read untraced; computed ones run under the clock too.
            args, kwargs = parse_arguments(args_src, namespace, on_clock)
        except Stop as stop:
            return _failed(stop.status, None, stdout)
        except (Exception, SystemExit) as error:
            return _failed("exception", error, stdout, deadline=deadline)
        recorder = Recorder(sources, plans, max_steps, deadline, stdout, run_on,
                            "global" in code)
        status, error, result = "ok", None, None
        try:
            with _DepthAsRun():
                sys.settrace(recorder.global_trace)
                try:
                    result = function(*args, **kwargs)
                finally:
                    recorder.finish()
        except Stop as stop:
            status = stop.status
        except (Exception, SystemExit) as raised:
            status, error = "exception", raised
        if recorder.stopped:  # also when the program swallowed our Stop
            status, error = recorder.stopped, None
        trace = _failed(status, error, stdout, recorder, deadline)
        if status == "ok":
            trace.return_repr = _answer_repr(result, deadline)
        if check_src is not None and status in ("ok", "exception"):
            trace.check_passed = status == "ok" and _check(result, check_src, namespace,
                                                           deadline)
        return trace


def _answer_repr(result: object, deadline: float) -> str:
    """The returned value as the answer: CPython's own repr when the program's classes write
    theirs (run under the clock), else the safe form. A repr that shows a memory address
    (`<X object at 0x...>`) differs from run to run, so the safe form stands in for it."""
    shown = safe_repr(result, RETURN_LIMITS)
    if not uses_program_repr(result):
        return shown
    try:
        own = _run_on_clock(lambda: repr(result), deadline)
    except (Exception, SystemExit, Stop):
        return shown
    if type(own) is not str or len(own) > RETURN_LIMITS.max_chars or " at 0x" in own:
        return shown
    return own


def _check(result: object, check_src: str, namespace: dict, deadline: float) -> bool:
    """Whether `result == <check_src>`; the program's code (a computed expected value, an
    `__eq__` of its own) runs under the clock."""
    try:
        expected = ast.literal_eval(check_src)
        computed = False
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        computed = True

    def compare() -> bool:
        value = eval(compile(check_src, FILENAME, "eval"), namespace) if computed else expected
        return bool(result == value)

    try:
        return _run_on_clock(compare, deadline)
    except (Exception, SystemExit, Stop):
        return False


@_collector_paused
def trace_module(code: str, *, max_steps: int = 1000, timeout_s: float = 2.0,
                 run_on: bool = False) -> Trace:
    """Trace a whole program, module body and the functions it calls (`run_on`: as in
    `trace_call`)."""
    _validate_limits(max_steps, timeout_s)
    deadline = perf_counter() + timeout_s
    stdout = CappedOutput()
    try:
        sources, compiled, plans = _prepare(code)
    except (SyntaxError, ValueError) as error:
        return _failed("exception", error, stdout)
    namespace: dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins}
    recorder = Recorder(sources, plans, max_steps, deadline, stdout, run_on, "global" in code)
    status, error = "ok", None
    with _SandboxedIO(stdout):
        try:
            with _DepthAsRun():
                sys.settrace(recorder.global_trace)
                try:
                    exec(compiled, namespace)
                finally:
                    recorder.finish()
        except Stop as stop:
            status = stop.status
        except (Exception, SystemExit) as raised:
            status, error = "exception", raised
        if recorder.stopped:
            status, error = recorder.stopped, None
        return _failed(status, error, stdout, recorder, deadline)


def trace_job(job: dict) -> dict:
    """The sandbox worker's entry point for job kind "trace"; returns `Trace.to_dict()`.

    job = {"kind": "trace", "code", "func" (None: trace the module), "args", "max_steps",
    "timeout_s", "check", "run_on"}; missing limits take the defaults.
    """
    if job.get("kind", "trace") != "trace":
        raise ValueError(f"trace_job handles job kind 'trace', got {job.get('kind')!r}")
    limits = {"max_steps": job.get("max_steps") or 1000, "timeout_s": job.get("timeout_s") or 2.0,
              "run_on": bool(job.get("run_on", False))}
    if job.get("func") is None:
        return trace_module(job["code"], **limits).to_dict()
    return trace_call(job["code"], job["func"], job.get("args") or "", check_src=job.get("check"),
                      **limits).to_dict()
