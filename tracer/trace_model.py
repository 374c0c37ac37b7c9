"""The result of a traced run: `Trace` and its `TraceStep`s, with JSON round trips.

Standard library only: this module runs inside the sandbox, and traces cross the process
boundary as `Trace.to_dict()` (plain JSON-able values; every value is a repr string).
"""

from __future__ import annotations

from typing import Any

STATUSES = ("ok", "exception", "truncated", "overflow", "timeout")
EVENTS = ("line", "call", "return", "exception")


class TraceStep:
    """One recorded step of a traced run.

    `locals` are safe reprs of the frame's variables *after* the step, `changed` the names
    whose repr changed or appeared, `stdout_len` how much the program had printed by then,
    `evals` the spelled-out evaluation chain of the line (empty when there is none) and
    `value` the returned value's repr ('return') or the exception ('exception').
    """

    __slots__ = ("_chain", "_evals", "changed", "depth", "event", "func", "index", "line",
                 "locals", "source", "stdout_len", "value")

    def __init__(self, index: int, event: str, line: int, source: str, func: str, depth: int,
                 locals: dict[str, str] | None = None, changed: list[str] | None = None,
                 stdout_len: int = 0, evals: list[str] | None = None,
                 value: str | None = None) -> None:
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
        self._chain = None  # a tracer.expressions.Chain, rendered on first read

    @property
    def evals(self) -> list[str]:
        """The evaluation chain(s) of this line, e.g. `["x + 1 → 2 + 1 → 3"]`."""
        if self._evals is None:
            self._evals = self._chain.render() if self._chain is not None else []
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


class Trace:
    """A traced run: status ('ok' | 'exception' | 'truncated' | 'overflow' | 'timeout') and its
    steps. 'truncated' (step limit) and 'overflow' (a frame held a value over the size caps of
    `tracer.recorder`) are deterministic; 'timeout' (wall clock) depends on the machine.

    `return_repr` is the repr of the value the call returned (with far larger caps than a
    step's locals), `exception` "ValueError: ..." when the run ended in one, `check_passed`
    whether `result == <check_src>` held (None when no check was asked or the run did not
    finish). `eval_stats` counts chains: kept (agreed with the program), disagreed (dropped
    because the program produced another value) and failed (not evaluable).
    """

    __slots__ = ("check_passed", "eval_stats", "exception", "return_repr", "status", "stdout",
                 "steps")

    def __init__(self, status: str, steps: list[TraceStep], return_repr: str | None = None,
                 exception: str | None = None, stdout: str = "",
                 check_passed: bool | None = None,
                 eval_stats: dict[str, int] | None = None) -> None:
        if status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, got {status!r}")
        self.status = status
        self.steps = steps
        self.return_repr = return_repr
        self.exception = exception
        self.stdout = stdout
        self.check_passed = check_passed
        self.eval_stats = eval_stats if eval_stats is not None else {}

    @property
    def n_steps(self) -> int:
        """How many steps were recorded."""
        return len(self.steps)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able fields (the inverse of `from_dict`)."""
        return {
            "status": self.status, "steps": [s.to_dict() for s in self.steps],
            "return_repr": self.return_repr, "exception": self.exception,
            "stdout": self.stdout, "check_passed": self.check_passed,
            "n_steps": self.n_steps, "eval_stats": dict(self.eval_stats),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Trace:
        """A trace from `to_dict()` output."""
        return cls(data["status"], [TraceStep.from_dict(s) for s in data["steps"]],
                   data.get("return_repr"), data.get("exception"), data.get("stdout", ""),
                   data.get("check_passed"), dict(data.get("eval_stats", {})))

    def __repr__(self) -> str:
        return (f"Trace(status={self.status!r}, n_steps={self.n_steps}, "
                f"return_repr={self.return_repr!r}, exception={self.exception!r})")
