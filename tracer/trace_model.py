"""The result of a traced run: `Trace` and its `TraceStep`s, with JSON round trips.

Standard library only: this module runs inside the sandbox, and traces cross the process
boundary as `Trace.to_dict()` (plain JSON-able values; every value is a repr string).
"""

from __future__ import annotations

from typing import Any

STATUSES = ("ok", "exception", "truncated", "overflow", "timeout")
# What a step is (see tracer.recorder.Recorder): a line ran, a function was called, returned,
# a line raised (or an exception reached the frame), a generator yielded / a coroutine
# paused at an await and was resumed, a class body started / the class was made.
EVENTS = ("line", "call", "return", "exception", "yield", "await", "resume", "class",
          "class_end")


class TraceStep:
    """One recorded step of a traced run.

    `locals` are safe reprs of the frame's variables *after* the step, `changed` the names
    whose repr changed or appeared, `stdout_len` how much the program had printed by then,
    `evals` the spelled-out evaluation chain of the line (empty when there is none) and
    `value` the returned or yielded value's repr ('return', 'yield', 'await'), the exception
    ('exception') or the names a class body made ('class_end').
    """

    __slots__ = ("_chain", "_evals", "changed", "depth", "event", "func", "index", "line",
                 "locals", "source", "stdout_len", "value")

    def __init__(self, index: int, event: str, line: int, source: str, func: str, depth: int,
                 locals: dict[str, str] | None = None, changed: list[str] | None = None,
                 stdout_len: int = 0, evals: list[str] | None = None,
                 value: str | None = None, chain=None) -> None:
        self.index = index
        self.event = event
        self.line = line
        self.source = source
        self.func = func
        self.depth = depth
        self.locals = locals if locals is not None else {}
        self.changed = changed if changed is not None else []
        self.stdout_len = stdout_len
        self.value = value
        self._evals = evals
        self._chain = chain  # a tracer.expression_chains.Chain, rendered on first read of evals

    @property
    def evals(self) -> list[str]:
        """The evaluation chain(s) of this line, e.g. `["x + 1 → 2 + 1 → 3"]`."""
        if self._evals is None:
            self._evals = _render_chain(self._chain)
            self._chain = None
        return self._evals

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able fields (the inverse of `from_dict`)."""
        return {
            "index": self.index, "event": self.event, "line": self.line, "source": self.source,
            "func": self.func, "depth": self.depth, "locals": dict(self.locals),
            "changed": list(self.changed), "stdout_len": self.stdout_len,
            "evals": list(self.evals), "value": self.value,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TraceStep:
        """A step from `to_dict()` output."""
        return cls(data["index"], data["event"], data["line"], data["source"], data["func"],
                   data["depth"], dict(data["locals"]), list(data["changed"]),
                   data["stdout_len"], list(data["evals"]), data.get("value"))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TraceStep) and self.to_dict() == other.to_dict()

    def __repr__(self) -> str:
        return (f"TraceStep({self.index}, {self.event!r}, L{self.line} {self.source!r}, "
                f"{self.func}@{self.depth}, changed={self.changed})")


def _render_chain(chain) -> list[str]:
    return chain.render() if chain is not None else []


class Trace:
    """A traced run: status ('ok' | 'exception' | 'truncated' | 'overflow' | 'timeout') and its
    steps. 'truncated' (step limit) and 'overflow' (a frame held a value over the size caps of
    `tracer.recorder`) are deterministic; 'timeout' (wall clock) depends on the machine.

    `return_repr` is the repr of the value the call returned (with far larger caps than a
    step's locals), `exception` "ValueError: ..." when the run ended in one, `check_passed`
    whether `result == <check_src>` held (None when no check was asked or the run did not
    finish). `cut`: the step budget ended the recording but not the run, which went on
    untraced to its end (status, return value, exception and stdout are the whole run's; the
    steps are its beginning). `eval_stats` counts chains: kept (agreed with the program), disagreed (dropped
    because the program produced another value) and failed (not evaluable).
    """

    __slots__ = ("_records", "_sources", "_steps", "check_passed", "cut", "eval_stats",
                 "exception", "return_repr", "status", "stdout")

    def __init__(self, status: str, steps: list[TraceStep], return_repr: str | None = None,
                 exception: str | None = None, stdout: str = "",
                 check_passed: bool | None = None,
                 eval_stats: dict[str, int] | None = None, cut: bool = False) -> None:
        if status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, got {status!r}")
        self.status = status
        self._steps: list[TraceStep] | None = steps
        self._records: list[tuple] = []
        self._sources: list[str] = []
        self.return_repr = return_repr
        self.exception = exception
        self.stdout = stdout
        self.check_passed = check_passed
        self.eval_stats = eval_stats if eval_stats is not None else {}
        self.cut = cut

    @classmethod
    def from_records(cls, status: str, records: list[tuple], sources: list[str],
                     **fields: Any) -> Trace:
        """A trace over the recorder's compact step records (see `tracer.recorder`):
        `(event, line, func, depth, locals, changed, stdout_len, chain, value)` per step,
        `sources[line]` the line's text. `TraceStep` objects are made only when `steps` is
        read; `to_dict()` reads the records directly."""
        trace = cls(status, [], **fields)
        trace._steps = None
        trace._records = records
        trace._sources = sources
        return trace

    @property
    def steps(self) -> list[TraceStep]:
        """The recorded steps, in order."""
        if self._steps is None:
            self._steps = [
                TraceStep(index, event, line, self._source(line), func, depth, locals,
                          list(changed), stdout_len, None if chain is not None else [], value,
                          chain=chain)
                for index, (event, line, func, depth, locals, changed, stdout_len, chain,
                            value) in enumerate(self._records)]
            self._records = []
        return self._steps

    def _source(self, line: int) -> str:
        return self._sources[line] if 0 < line < len(self._sources) else ""

    @property
    def n_steps(self) -> int:
        """How many steps were recorded."""
        return len(self._steps) if self._steps is not None else len(self._records)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able fields (the inverse of `from_dict`)."""
        if self._steps is not None:
            steps = [s.to_dict() for s in self.steps]
        else:
            source = self._source
            steps = [
                {"index": index, "event": event, "line": line, "source": source(line),
                 "func": func, "depth": depth, "locals": dict(locals), "changed": list(changed),
                 "stdout_len": stdout_len, "evals": _render_chain(chain), "value": value}
                for index, (event, line, func, depth, locals, changed, stdout_len, chain,
                            value) in enumerate(self._records)]
        return {
            "status": self.status, "steps": steps,
            "return_repr": self.return_repr, "exception": self.exception,
            "stdout": self.stdout, "check_passed": self.check_passed,
            "n_steps": self.n_steps, "eval_stats": dict(self.eval_stats), "cut": self.cut,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Trace:
        """A trace from `to_dict()` output."""
        return cls(data["status"], [TraceStep.from_dict(s) for s in data["steps"]],
                   data.get("return_repr"), data.get("exception"), data.get("stdout", ""),
                   data.get("check_passed"), dict(data.get("eval_stats", {})),
                   bool(data.get("cut", False)))

    def __repr__(self) -> str:
        return (f"Trace(status={self.status!r}, n_steps={self.n_steps}, "
                f"return_repr={self.return_repr!r}, exception={self.exception!r}, "
                f"cut={self.cut})")
