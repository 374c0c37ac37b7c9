"""The `sys.settrace` functions of the tracing interpreter and the steps they record.

Hot path: every event of the traced program runs through `local_trace`, so the trace
functions are closures over local variables (no attribute lookups per event), a value's repr
is recomputed only when it may have changed (same immutable object → cached repr), a frame's
locals dict is shared between steps until something changes, after a line whose checked
chain agrees only the names it assigned are looked at (see `finish_line`), steps are stored
as plain tuples (`tracer.trace_model.Trace.from_records`; `TraceStep` objects are made
when read) and evaluation chains are rendered to text only when read.

A 'line' step's slot is reserved when the line starts (so steps read in program order) and
its record is written at the next event of the same frame, i.e. after the line ran.

Budgets: how a run ends must not depend on the machine's speed, so the run is ended by
deterministic budgets first: the step limit ('truncated') and the size of what a traced frame
holds ('overflow': an int above MAX_INT_BITS bits, or a str/bytes/list/tuple/dict/set above
MAX_LEN items, checked when a step's state is taken, on the values that changed). A number
squared in a loop is thus stopped after a few steps of microseconds, long before one
multiplication could take a noticeable time. The wall clock ('timeout') is only a safety net
for what no budget sees (one C-level call that runs long); callers set it far above what any
budgeted run takes and must treat a clock-cut run as machine-dependent.

Standard library only: this module runs inside the sandbox.
"""

from __future__ import annotations

import signal
import sys
import threading
from time import perf_counter

from tracer.expression_chains import evaluate_plan
from tracer.frames import (
    CLASS_MACHINERY,
    CO_COROUTINE,
    CO_OPTIMIZED,
    ENDINGS,
    FILENAME,
    GENERATOR_FLAGS,
    HIDDEN_FRAMES,
    MISSING,
    SEND,
    ClockOnly,
    FrameState,
    Stop,
    agrees,
    global_stores,
    settle,
)
from tracer.values import MAX_CHARS, format_exception, repr_and_immutability, safe_repr
from tracer.values import MAX_INT_BITS as MAX_REPR_INT_BITS

# Deterministic size budget of a traced frame's values (see the module docstring). The caps
# sit far above what a finished program holds (CRUXEval: a few hundred bits, a few thousand
# items) and far below sizes whose arithmetic takes milliseconds.
MAX_INT_BITS = 1 << 17
MAX_LEN = 2_000_000
_SIZED = frozenset({str, bytes, bytearray, list, tuple, dict, set, frozenset})
# After a line whose chain agrees, look only at the names it assigned (see finish_line);
# False takes a full snapshot after every line (the tests compare the two).
TARGETED_SNAPSHOTS = True


class Recorder:
    """Records the steps of the program's frames; install `global_trace` with sys.settrace.

    Events recorded (see `tracer.trace_model.EVENTS`): a function's `call`, each `line`
    (a line that raises is recorded as the `exception` it raises, with the state it left),
    `return`, a generator's or coroutine's `yield` and `resume`, a class body's `class`
    (its start) and `class_end` (the class is made), and `exception` when an exception
    reaches a frame other than at a line of its own. An exception leaving a frame ends
    that frame's steps (no `return`). Comprehension and generator-expression frames are not
    steps of their own: the line that holds them shows their result, and the program's
    functions they call are traced under that line.
    """

    def __init__(self, sources: list[str], plans, max_steps: int, deadline: float,
                 stdout, run_on: bool = False, watch_globals: bool = False) -> None:
        """`sources[n]`: the stripped text of line n (`sources[0]` empty); `plans`: the
        program's `tracer.line_plans.LinePlans`. With `run_on`, reaching `max_steps` stops
        the recording, not the program: it runs on untraced to its end (see `detach`), and
        `cut` says so. `watch_globals`: the program has `global` statements (their names
        are then shown in the frames that assign them, as `global NAME`)."""
        # One record per step, `(event, line, func, depth, locals, changed, stdout_len, chain,
        # value)` (see `Trace.from_records`); a line's slot is reserved when the line starts.
        self.steps: list[tuple | None] = []
        self.sources = sources
        self.stopped: str | None = None  # 'truncated' | 'overflow' | 'timeout' once ended
        self.cut = False  # the recording stopped at max_steps and the program ran on
        self.stats = {"kept": 0, "disagreed": 0, "failed": 0}
        self.active = True  # False once the traced call is over: nothing to re-arm then
        self._stack: list[FrameState] = []  # the live frames' states (see _build)
        self._suspended: dict = {}  # generator frames between resumptions
        self._alarm = None  # the SIGALRM handler replaced while running on (see detach)
        self._deadline = deadline
        self.global_trace = self._build(plans, max_steps, deadline, stdout, run_on,
                                        watch_globals)

    def finish(self) -> None:
        """Switch tracing off; call when the traced code returned or raised.

        No reference cycle is left holding the run (only the cyclic collector could free
        it): the trace functions never refer back to one another or to themselves
        (`local_trace` returns `frame.f_trace`), and the references that would close a
        cycle (this recorder's `global_trace`, the frame states that hold frames whose
        `f_trace` holds the trace functions) are dropped here. The run is then freed by
        reference counting as soon as its `Trace` is dropped.
        """
        self.active = False
        sys.settrace(None)
        if self._alarm is not None:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self._alarm)
            self._alarm = None
        self.global_trace = None
        self._fill_reserved()
        self._stack.clear()
        self._suspended.clear()

    def _fill_reserved(self) -> None:
        """A line whose frame got no further event (the program switched tracing off itself)
        keeps the state it started with."""
        for state in self._stack:
            if state.pending >= 0:
                self.steps[state.pending] = ("line", state.line, state.func, state.depth,
                                             state.reprs, (), 0, None, None)
                state.pending = -1

    def _rearm(self, status: str) -> None:
        """Trace the program's frames again with a function that ends the run at once."""
        if not self.active:
            return

        def raise_again(frame, event, arg):
            if frame.f_code.co_filename != FILENAME:
                return None  # library frames (and this finalizer's callers) run on
            raise Stop(status, self._rearm)

        frame = sys._getframe(1)
        while frame is not None:
            if frame.f_code.co_filename == FILENAME:
                frame.f_trace = raise_again
            frame = frame.f_back
        sys.settrace(raise_again)

    def _detach(self) -> None:
        """Stop recording and let the program run on at full speed to its end.

        Tracing is switched off; the deadline is then kept by SIGALRM (a handler runs
        between bytecodes, so no per-line cost), raising Stop('timeout') every 50 ms past it
        so a program that swallows one is stopped by the next. Off the main thread (no
        signals there) a trace function that only checks the clock keeps it instead.
        """
        self.cut = True
        sys.settrace(None)
        for state in self._stack:
            state.frame.f_trace = None
        deadline = self._deadline
        if threading.current_thread() is not threading.main_thread():
            sys.settrace(ClockOnly(deadline))
            return

        def ring(signum, frame):
            self.stopped = "timeout"
            raise Stop("timeout")

        self._alarm = signal.signal(signal.SIGALRM, ring)
        signal.setitimer(signal.ITIMER_REAL, max(deadline - perf_counter(), 1e-3), 0.05)

    def _build(self, plans, max_steps, deadline, stdout, run_on, watch_globals):
        steps = self.steps
        sources = self.sources
        stats = self.stats
        stack: list[FrameState] = []
        suspended = self._suspended
        tell = stdout.tell
        plan_of = plans.table().get
        clock = perf_counter  # hot names as closure cells, not global lookups
        evaluate = evaluate_plan
        missing = MISSING
        sized = _SIZED
        no_change = ()
        targeted = TARGETED_SNAPSHOTS
        hidden = HIDDEN_FRAMES
        clock_only = ClockOnly(deadline)
        watched_of: dict = {}  # code -> the global names it assigns (with watch_globals)
        overflowed = []  # non-empty once a snapshot saw a value over the size caps (its
        # caller then stops the run; stop()'s own snapshots do not stop it again)
        detached = []  # non-empty once the recording stopped and the program runs on
        self._stack = stack

        def fill_pending() -> None:
            for state in stack:
                if state.pending >= 0:
                    changed = snapshot(state, view_of(state, state.frame.f_locals))
                    steps[state.pending] = ("line", state.line, state.func, state.depth,
                                            state.reprs, changed, tell(), None, None)
                    state.pending = -1

        def stop(status: str) -> bool:
            """Fill in the pending steps of live frames, then unwind the program; or, past
            the step budget of a run that runs on, stop recording (returns True)."""
            if status == "truncated" and run_on:
                fill_pending()
                detached.append(True)
                self._detach()
                return True
            self.stopped = status
            fill_pending()
            raise Stop(status, self._rearm)

        def view_of(state: FrameState, f_locals: dict) -> dict:
            """The frame's variables, with the globals it assigns (`global NAME`) added."""
            if not state.watched:
                return f_locals
            f_globals = state.frame.f_globals
            view = dict(f_locals)
            for name in state.watched:
                value = f_globals.get(name, missing)
                if value is not missing:
                    view["global " + name] = value
            return view

        def snapshot(state: FrameState, f_locals: dict):
            """Update the frame's reprs (re-repring only what may differ); the changed names.

            `f_locals` is the frame's `f_locals`, read once per event by the caller (each read
            copies the frame's variables into it again)."""
            cache = state.cache
            changed = None
            oversized = False
            items = f_locals.items() if not state.is_module else [
                (n, v) for n, v in f_locals.items()
                if n[:2] != "__" or (state.func != "<module>" and n not in CLASS_MACHINERY)]
            for name, value in items:
                entry = cache.get(name)
                if entry is not None and entry[0] is value and entry[2]:
                    continue  # the same immutable object: its repr cannot have changed
                kind = type(value)
                if (kind is int and value.bit_length() <= MAX_REPR_INT_BITS) or (
                        kind is str and len(value) <= MAX_CHARS):
                    text, immutable = repr(value), True  # repr_and_immutability's fast path
                else:
                    text, immutable = repr_and_immutability(value)
                if entry is None or entry[1] != text:
                    if changed is None:
                        changed = [name]
                    else:
                        changed.append(name)
                cache[name] = (value, text, immutable)
                if kind is int:
                    if value.bit_length() > MAX_INT_BITS:
                        oversized = True
                elif kind in sized and len(value) > MAX_LEN:
                    oversized = True
            if len(cache) != len(items):  # a name was deleted
                for name in [n for n in cache if n not in f_locals]:
                    del cache[name]
                state.reprs = {}  # rebuilt below
            if len(state.reprs) != len(cache):  # names came or went: in the frame's order
                state.reprs = {name: cache[name][1] for name, _ in items}
            elif changed is not None:  # the same names: a copy (steps share the old one)
                reprs = state.reprs = dict(state.reprs)
                for name in changed:
                    reprs[name] = cache[name][1]
            if oversized:
                overflowed.append(True)
            return changed if changed is not None else no_change

        def rebound(state: FrameState, f_locals: dict, targets: tuple[str, ...]):
            """The changed names after a line that only bound `targets` (see finish_line);
            None when a full snapshot is needed (a name new to the frame, or not local)."""
            cache = state.cache
            changed = None
            for name in targets:
                entry = cache.get(name)
                value = f_locals.get(name, missing)
                if entry is None or value is missing:
                    return None
                if entry[0] is value and entry[2]:
                    continue
                text, immutable = repr_and_immutability(value)
                if entry[1] != text:
                    if changed is None:
                        changed = [name]
                    elif name not in changed:
                        changed.append(name)
                cache[name] = (value, text, immutable)
                kind = type(value)
                if (kind is int and value.bit_length() > MAX_INT_BITS) or (
                        kind in sized and len(value) > MAX_LEN):
                    overflowed.append(True)
            if changed is None:
                return no_change
            reprs = dict(state.reprs)  # steps share the old one; same order, names updated
            for name in changed:
                reprs[name] = cache[name][1]
            state.reprs = reprs
            return changed

        def finish_line(state: FrameState, frame, f_locals: dict, next_line, returned,
                        returned_repr: str = "", raised: str | None = None,
                        event: str = "exception") -> None:
            """Record the after-state of the pending line and keep its chain if it agrees;
            a line that raised (`raised`: the exception) is recorded as that exception (or a
            line that yielded as that `event`, `raised` then the value).

            A line whose chain was evaluated is a pure expression (builtin values and
            operations only) plus, for an assignment, the binding of its targets: when no
            other traced code ran during it and its value agrees, only the targets can have
            changed, so only they are looked at (the rest of the frame is as before).
            """
            index = state.pending
            state.pending = -1
            chain = state.chain
            state.chain = None
            changed = None
            agreed = None
            if raised is not None:
                chain = None
            elif targeted and chain is not None and index == len(steps) - 1:
                agreed = agrees(chain, frame, f_locals, next_line, returned)
                if agreed:
                    plan = chain.plan
                    changed = rebound(state, f_locals, plan.targets) \
                        if plan.check == "assign" else no_change
            if changed is None:
                changed = snapshot(state, view_of(state, f_locals) if state.watched else f_locals)
            if raised is not None:
                steps[index] = (event, state.line, state.func, state.depth, state.reprs,
                                changed, tell(), None, raised)
                if overflowed:
                    stop("overflow")
                return
            if overflowed:  # the line's record is kept, unchecked; then the run ends
                steps[index] = ("line", state.line, state.func, state.depth, state.reprs,
                                changed, tell(), None, None)
                stop("overflow")
            if chain is not None:
                if agreed is None:
                    agreed = agrees(chain, frame, f_locals, next_line, returned)
                if agreed:
                    settle(chain, returned_repr, state.reprs)
                    stats["kept"] += 1
                else:
                    stats["disagreed"] += 1
                    chain = None
            steps[index] = ("line", state.line, state.func, state.depth, state.reprs, changed,
                            tell(), chain, None)

        def record_event(state: FrameState, event: str, line: int, value) -> bool:
            """Append one step; False when the budget stopped the recording instead."""
            if len(steps) >= max_steps and stop("truncated"):
                return False
            steps.append((event, line, state.func, state.depth, state.reprs, no_change, tell(),
                          None, value))
            return True

        def state_of(frame) -> FrameState:
            for state in reversed(stack):
                if state.frame is frame:
                    return state
            state = FrameState(frame, len(stack))
            stack.append(state)
            return state

        def local_trace(frame, event, arg):
            """Line, return and exception events of a traced frame."""
            if detached:
                return None
            if clock() > deadline:
                stop("timeout")
            state = stack[-1]
            if state.frame is not frame:
                state = state_of(frame)
            f_locals = frame.f_locals  # once per event (see snapshot)
            if event == "line":
                line = frame.f_lineno
                if state.pending >= 0:
                    finish_line(state, frame, f_locals, line, missing)
                elif state.is_module and line == frame.f_code.co_firstlineno and \
                        state.func != "<module>":
                    return frame.f_trace  # a class body at its `class` line: its 'class' step
                if len(steps) >= max_steps and stop("truncated"):
                    return None
                state.pending = len(steps)
                state.line = line
                steps.append(None)  # filled in by finish_line() once the line ran
                plan = plan_of(line)
                if plan is not None:
                    chain = state.chain = evaluate(plan, f_locals, frame.f_globals,
                                                   frame.f_builtins, state.cache)
                    if chain is None:
                        stats["failed"] += 1
            elif event == "return":
                code = frame.f_code
                how = ENDINGS.get(code.co_code[frame.f_lasti], "raise") \
                    if frame.f_lasti >= 0 else "return"
                if how == "raise" or how == "reraise":  # an exception leaves the frame
                    if state.pending >= 0:
                        if how == "raise":  # the line raised it (a bare `raise`)
                            finish_line(state, frame, f_locals, None, missing,
                                        raised=state.raised)
                        else:  # the end of a `finally` or `with` passes it on
                            finish_line(state, frame, f_locals, None, missing)
                            record_event(state, "reraise", frame.f_lineno, state.raised)
                    stack.pop()
                    return None
                shown = safe_repr(arg)
                if how == "yield":
                    if state.pending >= 0:  # the line that yields is that step
                        finish_line(state, frame, f_locals, None, missing, raised=shown,
                                    event="await" if code.co_flags & CO_COROUTINE else "yield")
                        stack.pop()
                        suspended[frame] = state
                    else:
                        stack.pop()
                        suspended[frame] = state
                        record_event(state, "await" if code.co_flags & CO_COROUTINE
                                     else "yield", frame.f_lineno, shown)
                    return None if detached else frame.f_trace
                if state.pending >= 0:
                    finish_line(state, frame, f_locals, None, arg, shown)
                stack.pop()
                if not state.is_module or state.func == "<module>":
                    record_event(state, "return", frame.f_lineno, shown)
                else:  # a class body ends: the class is made from its names
                    record_event(state, "class_end", frame.f_lineno,
                                 ", ".join(n for n in state.reprs))
            elif event == "exception":
                if arg[0] is StopIteration and frame.f_code.co_code[frame.f_lasti] == SEND:
                    return frame.f_trace  # `await`/`yield from` receiving a finished result
                raised = state.raised = format_exception(arg[1])
                if state.pending >= 0 and frame.f_lineno == state.line:
                    finish_line(state, frame, f_locals, None, missing, raised=raised)
                else:
                    if state.pending >= 0:
                        finish_line(state, frame, f_locals, None, missing)
                    record_event(state, "exception", frame.f_lineno, raised)
            if detached:
                return None
            return frame.f_trace  # itself, without a reference to itself (see finish)

        def global_trace(frame, event, arg):
            """Called for each new frame: trace only the program's own code."""
            code = frame.f_code
            if code.co_filename != FILENAME:
                return None
            if code.co_name in hidden:
                return clock_only  # a comprehension: its line shows the result
            if clock() > deadline:
                stop("timeout")
            if len(steps) >= max_steps and stop("truncated"):
                return None
            state = suspended.pop(frame, None) if code.co_flags & GENERATOR_FLAGS else None
            if state is None:
                watched = ()
                if watch_globals and code.co_flags & CO_OPTIMIZED:
                    watched = watched_of.get(code)
                    if watched is None:
                        watched = watched_of[code] = global_stores(code)
                state = FrameState(frame, len(stack), watched)
                event = "call" if not state.is_module or state.func == "<module>" else "class"
            else:
                state.depth = len(stack)
                event = "resume"
            stack.append(state)
            index = len(steps)
            steps.append(None)  # snapshot() may stop the run: the slot must exist first
            f_locals = frame.f_locals
            changed = snapshot(state, view_of(state, f_locals) if state.watched else f_locals) \
                if event != "resume" else no_change
            steps[index] = (event, frame.f_lineno, state.func, state.depth, state.reprs,
                            changed, tell(), None, None)
            if overflowed:
                stop("overflow")
            if event == "resume" and len(steps) < max_steps and not sources[
                    frame.f_lineno].startswith("yield"):
                # The line it resumes at finishes now (`got = yield n` binds the sent value):
                # its step is written at the frame's next event, like any line's.
                state.pending = len(steps)
                state.line = frame.f_lineno
                steps.append(None)
            return local_trace

        return global_trace
