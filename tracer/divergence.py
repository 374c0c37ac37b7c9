"""Where two traces of the same call first part ways: the target of a bug-finding critic.

Traces are compared as the plain dicts that cross the sandbox boundary
(`tracer.interpreter.Trace.to_dict()`). Two steps agree when everything that describes
the program's behaviour agrees: event, line, function, depth, variable values, how much
was printed. The line's source text and its spelled-out evaluation are left out: a
mutant's changed line reads differently even when it behaves the same, and that alone
is not an observable difference.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Step fields that describe presentation, not behaviour (see the module docstring).
_IGNORED = frozenset({"index", "source", "evals", "changed"})
_ORDER = ("event", "line", "func", "depth", "calls", "locals", "stdout_len")
MISSING = "<unset>"
# Events recorded for a line of the program (a line that raised or yielded is recorded as
# that event): such a step waits on the calls the line makes.
_LINE_STEPS = frozenset({"line", "exception", "yield", "await"})


def display_order(steps: list[dict[str, Any]]) -> list[tuple[int, str]]:
    """The order in which a reader meets the steps: (trace index, phase) pairs.

    The tracer records a line's state when the line has finished (or what it raised or
    yielded), but places the step where the line began; for a line that calls a function of
    the program
    (``half = f(n // 2)``), the callee's steps come after it in the trace although the
    line's result depends on them. Such a line is met twice: phase "start" where it
    begins (it calls), and phase "done" once the call has returned, with its state.
    Every other step has phase "".
    """
    out: list[tuple[int, str]] = []
    waiting: list[tuple[int, int]] = []  # (depth, trace index) of lines waiting on a call
    for i, step in enumerate(steps):
        depth = step.get("depth", 0)
        while waiting and waiting[-1][0] >= depth:
            out.append((waiting.pop()[1], "done"))
        nested = i + 1 < len(steps) and steps[i + 1].get("depth", 0) > depth
        if step.get("event") in _LINE_STEPS and nested:
            out.append((i, "start"))
            waiting.append((depth, i))
        else:
            out.append((i, ""))
    while waiting:
        out.append((waiting.pop()[1], "done"))
    return out


def _view(steps: list[dict[str, Any]], entry: tuple[int, str]) -> dict[str, Any]:
    """What an entry shows: a line's start shows where control is, not yet its state."""
    i, phase = entry
    step = steps[i]
    if phase == "start":
        return {"event": step.get("event"), "line": step.get("line"), "func": step.get("func"),
                "depth": step.get("depth"), "calls": True}
    return {**step, "calls": False}


@dataclass(frozen=True)
class Divergence:
    """The first difference between an expected (original) and an actual (mutant) trace.

    `position` indexes the actual trace's `display_order` entries and `step`/`phase` name
    that entry (trace index and phase); `position == len(entries)` happens only when the
    actual run stopped first. `variable` is a variable name or one of `<line>` (control
    went elsewhere), `<calls>` (one run calls a function here, the other does not),
    `<event>`, `<func>`, `<depth>`, `<stdout>`, `<end>` (one run stopped earlier),
    `<return>`, `<exception>`, `<status>`.
    """

    position: int
    step: int
    phase: str
    line: int | None
    variable: str
    expected: str
    actual: str

    def describe(self) -> str:
        """One line for people, e.g. ``step 7, line 4, var total: expected 6, got 7``."""
        where = f"line {self.line}" if self.line is not None else "end of run"
        phase = f" ({self.phase})" if self.phase else ""
        return (f"step {self.step}{phase}, {where}, var {self.variable}: "
                f"expected {self.expected}, got {self.actual}")


def _step_difference(exp: dict[str, Any], act: dict[str, Any]) -> tuple[str, str, str] | None:
    for key in _ORDER:
        e, a = exp.get(key), act.get(key)
        if e == a:
            continue
        if key == "locals":
            return _locals_difference(e or {}, a or {}, act.get("changed") or [])
        if key == "line":
            return "<line>", f"L{e}", f"L{a}"
        if key == "stdout_len":
            return "<stdout>", f"{e} chars printed", f"{a} chars printed"
        if key == "calls":
            said = {True: "calls a function", False: "calls nothing"}
            return "<calls>", said[bool(e)], said[bool(a)]
        return f"<{key}>", str(e), str(a)
    for key in sorted((set(exp) | set(act)) - _IGNORED - set(_ORDER)):
        if exp.get(key) != act.get(key):
            # `value` is the returned value of a return step, the exception of an exception step.
            name = {"return": "<return>", "exception": "<exception>"}.get(act.get("event"), f"<{key}>")
            return name if key == "value" else f"<{key}>", str(exp.get(key)), str(act.get(key))
    return None


def _locals_difference(exp: dict[str, str], act: dict[str, str], changed: list[str]) -> tuple[str, str, str]:
    # Prefer a variable the actual step just changed: that is where the critic looks.
    names = [n for n in changed if exp.get(n) != act.get(n)]
    names += sorted(n for n in set(exp) | set(act) if exp.get(n) != act.get(n) and n not in names)
    name = names[0]
    return name, exp.get(name, MISSING), act.get(name, MISSING)


def _ending(trace: dict[str, Any]) -> dict[str, str]:
    return {
        "<status>": str(trace.get("status")),
        "<return>": str(trace.get("return_repr")),
        "<exception>": str(trace.get("exception")),
        "<stdout>": repr(trace.get("stdout", "")),
    }


def first_divergence(expected: dict[str, Any], actual: dict[str, Any]) -> Divergence | None:
    """The first observable difference between two traces, in display order, or None."""
    exp_steps, act_steps = expected.get("steps") or [], actual.get("steps") or []
    exp_order, act_order = display_order(exp_steps), display_order(act_steps)
    for p, (e, a) in enumerate(zip(exp_order, act_order, strict=False)):
        diff = _step_difference(_view(exp_steps, e), _view(act_steps, a))
        if diff is not None:
            return Divergence(p, a[0], a[1], act_steps[a[0]].get("line"), *diff)
    n = min(len(exp_order), len(act_order))
    if len(exp_order) != len(act_order):
        def next_of(order: list[tuple[int, str]], steps: list[dict[str, Any]], trace: dict[str, Any]) -> str:
            return f"L{steps[order[n][0]].get('line')}" if n < len(order) else f"run ends ({trace.get('status')})"

        step, phase, line = len(act_steps), "", None
        if n < len(act_order):
            step, phase = act_order[n]
            line = act_steps[step].get("line")
        return Divergence(n, step, phase, line, "<end>", next_of(exp_order, exp_steps, expected),
                          next_of(act_order, act_steps, actual))
    exp_end, act_end = _ending(expected), _ending(actual)
    for key, value in exp_end.items():
        if act_end[key] != value:
            # Same steps, different ending (e.g. a changed return expression): blame the
            # last step, which is where the run produced its result.
            last = max(n - 1, 0)
            step, phase = act_order[last] if act_order else (0, "")
            line = act_steps[step].get("line") if act_steps else None
            return Divergence(last, step, phase, line, key, value, act_end[key])
    return None
