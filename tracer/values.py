"""Safe, size-capped reprs of the values a traced program holds.

A trace must never blow up on what the program builds: a huge list, a cyclic structure, a
100,000-digit integer or an object whose `__repr__` loops forever. `safe_repr` therefore only
ever spells out builtin types itself (with caps on length and item counts, and `...` for a
container already being printed) and shows every other type as `<TypeName object>`, never
calling user code. For the builtin types it writes exactly what `repr` writes when nothing
is capped, so an uncapped repr of a literal-like value round-trips through `ast.literal_eval`.

Standard library only: this module runs inside the sandbox.
"""

from __future__ import annotations

import types
from itertools import islice

# How much of a value a step shows; a return value gets more room (see RETURN_LIMITS).
MAX_CHARS = 200
MAX_ITEMS = 30
MAX_DEPTH = 6
# Integers beyond this many bits are not converted to decimal: the conversion is quadratic
# and CPython refuses above 4,300 digits anyway.
MAX_INT_BITS = 2000

# Exact types whose builtin repr is safe, short to compute and never calls user code.
_ATOMS = frozenset({int, float, bool, type(None), complex, str, bytes})
_FUNCTION_TYPES = (types.FunctionType, types.BuiltinFunctionType, types.MethodType)


class ReprLimits:
    """Caps for one family of reprs (the defaults are what a step's locals use)."""

    __slots__ = ("max_chars", "max_depth", "max_items")

    def __init__(self, max_chars: int = MAX_CHARS, max_items: int = MAX_ITEMS,
                 max_depth: int = MAX_DEPTH) -> None:
        self.max_chars = max_chars
        self.max_items = max_items
        self.max_depth = max_depth


STEP_LIMITS = ReprLimits()
# The value a call returns is the answer of a code task: give it far more room.
RETURN_LIMITS = ReprLimits(max_chars=20_000, max_items=5_000, max_depth=30)


def safe_repr(value: object, limits: ReprLimits = STEP_LIMITS) -> str:
    """The repr of `value` with caps applied; never raises and never runs user code."""
    return repr_and_immutability(value, limits)[0]


def repr_and_immutability(value: object, limits: ReprLimits = STEP_LIMITS) -> tuple[str, bool]:
    """`(safe repr, deeply immutable?)`: an immutable value's repr can be cached by identity."""
    kind = type(value)
    try:
        if kind in _ATOMS:
            # Fast path for the common case: one C-level repr, no Python recursion.
            if kind is str:
                return _str_repr(value, limits.max_chars), True
            if kind is int and value.bit_length() > MAX_INT_BITS:
                return f"<int of {value.bit_length()} bits>", True
            if kind is bytes and len(value) > limits.max_chars:
                return repr(value[: limits.max_chars]) + "...", True
            return repr(value), True
        if kind in _FLAT_CONTAINERS:
            text = _flat_repr(value, kind, limits)
            if text is not None:
                return text, kind is tuple or kind is frozenset
        writer = _ReprWriter(limits)
        text = writer.write(value, 0)
        return _cap(text, limits.max_chars), writer.immutable
    except Exception as error:  # a repr must never take the trace down
        return f"<{kind.__name__} object (repr failed: {type(error).__name__})>", False


_FLAT_CONTAINERS = frozenset({list, tuple, dict, set, frozenset})


def _flat_repr(value, kind: type, limits: ReprLimits) -> str | None:
    """Builtin repr of a container of atoms (its first `max_items`), or None if not flat.

    The type checks and the repr run at C speed (map(type, ...) into issuperset), which is
    what keeps a step cheap when a frame holds long lists. A huge int inside makes repr
    raise ValueError; the caller's writer then handles it.
    """
    items = limits.max_items
    shown = value
    if len(value) > items:
        if kind is list or kind is tuple:
            shown = value[:items]
        elif kind is dict:
            shown = dict(islice(value.items(), items))
        else:
            shown = list(islice(value, items))
    if kind is dict:
        if not (_ATOMS.issuperset(map(type, shown)) and _ATOMS.issuperset(
                map(type, shown.values()))):
            return None
    elif not _ATOMS.issuperset(map(type, shown)):
        return None
    try:
        text = repr(shown)
    except ValueError:
        return None
    if shown is not value:
        opener, closer, _ = _CONTAINER_SHAPES[kind]
        text = f"{opener}{text[1:-1]}, ...{closer}"  # sets were shown as a list: strip []
    return _cap(text, limits.max_chars)


def _str_repr(text: str, max_chars: int) -> str:
    if len(text) > max_chars:
        return repr(text[:max_chars]) + "..."
    return repr(text)


def _cap(text: str, max_chars: int) -> str:
    return text if len(text) <= max_chars else text[:max_chars] + "..."


class _ReprWriter:
    """Recursive repr of builtin containers with item, depth and cycle caps."""

    def __init__(self, limits: ReprLimits) -> None:
        self.limits = limits
        self.active: set[int] = set()  # ids of containers being written: a cycle prints ...
        self.immutable = True
        self.budget = limits.max_chars  # stop walking once this much text exists

    def write(self, value: object, depth: int) -> str:
        kind = type(value)
        if kind in _ATOMS:
            text, _ = repr_and_immutability(value, self.limits)
            self.budget -= len(text)
            return text
        if kind in _CONTAINER_SHAPES:
            return self._container(value, kind, depth)
        self.immutable = False
        if kind is range:
            self.immutable = True
            return repr(value)  # range's repr is two or three ints
        if kind is slice:
            return f"slice({self.write(value.start, depth)}, {self.write(value.stop, depth)}, " \
                   f"{self.write(value.step, depth)})"
        if isinstance(value, _FUNCTION_TYPES):
            return f"<function {getattr(value, '__qualname__', '?')}>"
        if isinstance(value, type):
            return f"<class {value.__qualname__!r}>"
        if isinstance(value, BaseException) and type(value).__module__ == "builtins":
            return f"{kind.__name__}({', '.join(self.write(a, depth + 1) for a in value.args)})"
        return f"<{kind.__name__} object>"

    def _container(self, value, kind: type, depth: int) -> str:
        opener, closer, empty = _CONTAINER_SHAPES[kind]
        if kind is not tuple and kind is not frozenset:
            self.immutable = False
        if not value:
            return empty
        if id(value) in self.active:
            return opener + "..." + closer
        if depth >= self.limits.max_depth or self.budget <= 0:
            return opener + "..." + closer
        self.active.add(id(value))
        parts = []
        try:
            for count, item in enumerate(value.items() if kind is dict else value):
                if count >= self.limits.max_items or self.budget <= 0:
                    parts.append("...")
                    break
                if kind is dict:
                    key, val = item
                    parts.append(f"{self.write(key, depth + 1)}: {self.write(val, depth + 1)}")
                else:
                    parts.append(self.write(item, depth + 1))
                self.budget -= 2
        finally:
            self.active.discard(id(value))
        body = ", ".join(parts)
        if kind is tuple and len(value) == 1 and parts[0] != "...":
            body += ","
        return opener + body + closer


_CONTAINER_SHAPES = {
    list: ("[", "]", "[]"),
    tuple: ("(", ")", "()"),
    dict: ("{", "}", "{}"),
    set: ("{", "}", "set()"),
    frozenset: ("frozenset({", "})", "frozenset()"),
}


def format_exception(error: BaseException) -> str:
    """`"ValueError: message"` for a builtin exception, safely; the message is capped."""
    kind = type(error)
    if kind.__module__ == "builtins":
        parts = [safe_repr(a) if type(a) is not str else _cap(a, MAX_CHARS) for a in error.args]
        message = parts[0] if len(parts) == 1 else ("(" + ", ".join(parts) + ")" if parts else "")
        if kind is KeyError and error.args:
            message = safe_repr(error.args[0])
    else:
        # A user exception's __str__ is user code: show only its type and builtin args.
        message = ", ".join(safe_repr(a) for a in error.args)
    return f"{kind.__name__}: {message}" if message else kind.__name__
