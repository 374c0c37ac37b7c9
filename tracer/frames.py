"""What the recorder knows about the program's frames, and how a traced run is stopped.

How a frame's events read (a return, a yield, an exception leaving it: see `ENDINGS`), which
frames are not steps of their own, the state kept per live frame (`FrameState`), whether a
line's evaluation chain agrees with what the frame then holds (`agrees`), and the exception
and trace function that end a run (`Stop`, `ClockOnly`).

Standard library only: this module runs inside the sandbox.
"""

from __future__ import annotations

import dis
from time import perf_counter

from tracer.expression_chains import values_agree
from tracer.values import safe_repr

FILENAME = "<traced>"  # the code object filename that marks the program's own frames
GENERATOR_FLAGS = 0x20 | 0x80 | 0x200  # CO_GENERATOR | CO_COROUTINE | CO_ASYNC_GENERATOR
CO_OPTIMIZED = 0x1  # a function's frame (not the module body or a class body)
CO_COROUTINE = 0x80
MISSING = object()
# How a frame's 'return' event ended it, by the instruction it stopped at; any other
# instruction means an exception is leaving the frame (a re-raise, the end of a `finally`).
ENDINGS = {dis.opmap[name]: how for name, how in (
    ("RETURN_VALUE", "return"), ("RETURN_CONST", "return"), ("YIELD_VALUE", "yield"),
    ("RERAISE", "reraise"))
    if name in dis.opmap}
SEND = dis.opmap.get("SEND", -1)
GLOBAL_STORES = frozenset({"STORE_GLOBAL", "DELETE_GLOBAL"})
# Names Python itself puts in a class body's namespace (its own methods, __init__ included,
# are shown).
CLASS_MACHINERY = frozenset({"__module__", "__qualname__", "__doc__", "__annotations__",
                              "__classcell__", "__firstlineno__", "__static_attributes__"})
# Frames that are not steps of their own (see Recorder).
HIDDEN_FRAMES = frozenset({"<listcomp>", "<setcomp>", "<dictcomp>", "<genexpr>"})


class Stop(BaseException):
    """Raised from the trace function to end a run; a BaseException so that the program's
    `except Exception` does not swallow it.

    CPython switches tracing off when a trace function raises, so a program that swallows
    the Stop (`except:`) would run on untraced. When a swallowed Stop is freed, `__del__`
    re-arms tracing on the program's frames with a function that raises again at the next
    event; a loop *inside* a bare `try/except` that never leaves it is only ended by the
    sandbox's hard timeout.
    """

    def __init__(self, status: str, rearm=None) -> None:
        super().__init__(status)
        self.status = status
        self._rearm = rearm

    def __del__(self) -> None:
        rearm, self._rearm = self._rearm, None
        if rearm is not None:
            try:  # not contextlib.suppress: its __exit__ would be a traced frame
                rearm(self.status)
            except Exception:  # a finalizer must never raise
                return


class FrameState:
    """What the recorder remembers about one live frame of the program."""

    __slots__ = ("cache", "chain", "depth", "frame", "func", "is_module", "line", "pending",
                 "raised", "reprs", "watched")

    def __init__(self, frame, depth: int, watched: tuple[str, ...] = ()) -> None:
        self.frame = frame
        self.depth = depth
        self.func = frame.f_code.co_name
        # The module body and class bodies: their dunder names are not the program's.
        self.is_module = not frame.f_code.co_flags & CO_OPTIMIZED
        self.cache: dict[str, tuple[object, str, bool]] = {}  # name -> (value, repr, immutable)
        self.reprs: dict[str, str] = {}  # replaced, never mutated: steps share it
        self.pending = -1  # index of the line step waiting for its after-state (-1: none)
        self.line = 0  # that step's line
        self.chain = None  # the pending line's evaluation chain, checked when it finishes
        self.raised = ""  # the last exception seen in this frame (what a re-raise carries)
        self.watched = watched  # names the function declares `global` and assigns


def global_stores(code) -> tuple[str, ...]:
    """The names a function's code assigns or deletes as globals (`global` statements)."""
    found = []
    for instruction in dis.get_instructions(code):
        if instruction.opname in GLOBAL_STORES and instruction.argval not in found:
            found.append(instruction.argval)
    return tuple(found)


class ClockOnly:
    """A trace function that only enforces the deadline on the program's own frames (library
    code runs untraced): for what runs outside the recording (a module body, arguments, a
    check, a comprehension's own lines, a run gone on past the step budget)."""

    __slots__ = ("deadline",)

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline

    def __call__(self, frame, event, arg):
        if frame.f_code.co_filename != FILENAME:
            return None
        if perf_counter() > self.deadline:
            raise Stop("timeout")
        return self


def agrees(chain, frame, f_locals: dict, next_line: int | None, returned: object) -> bool:
    """Whether a line's chain ends at the value the program produced."""
    plan = chain.plan
    if plan.check == "assign":
        return assigned_agree(plan.targets, chain.value, f_locals, frame.f_globals)
    if plan.check == "return":
        return returned is not MISSING and values_agree(chain.value, returned)
    if next_line is not None:  # an if/while test: did the body run?
        low, high = plan.body_lines
        return bool(chain.value) == (low <= next_line <= high)
    # the frame returned right after the test: the body did not run
    return returned is not MISSING and not chain.value


def settle(chain, returned_repr: str, reprs: dict) -> None:
    """Show the program's own value at the end of an agreeing chain: equal sets/dicts may
    iterate in another order than the chain's copy, and the step's locals show the
    program's."""
    plan = chain.plan
    if plan.check == "assign" and len(plan.targets) == 1:
        shown = reprs.get(plan.targets[0])
        chain.settle(shown if shown is not None else safe_repr(chain.value))
    elif plan.check == "return":
        chain.settle(returned_repr)


def assigned_agree(targets: tuple[str, ...], value: object, f_locals: dict,
                    f_globals: dict) -> bool:
    if len(targets) == 1:
        name = targets[0]
        actual = f_locals.get(name, MISSING)
        if actual is MISSING:  # a name declared `global`
            actual = f_globals.get(name, MISSING)
        return values_agree(value, actual)
    if type(value) in (tuple, list) and len(value) == len(targets):
        assigned = dict(zip(targets, value, strict=True))  # `_, x, _ = ...`: the last wins
    else:
        return False
    for name, expected in assigned.items():
        actual = f_locals.get(name, MISSING)
        if actual is MISSING:  # a name declared `global`
            actual = f_globals.get(name, MISSING)
        if not values_agree(expected, actual):
            return False
    return True
