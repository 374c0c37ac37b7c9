"""Safe, size-capped reprs of the values a traced program holds.

A trace must never blow up on what the program builds: a huge list, a cyclic structure, a
100,000-digit integer or an object whose `__repr__` loops forever. `safe_repr` therefore only
ever spells out values itself, never calling user code: builtin types (with caps on length
and item counts, and `...` for a container already being printed), an instance of a class
the program defined by its fields (`Stack(items=[1, 2], size=2)`, the dataclass style, read
from its `__dict__` or slots), a library container by its items (`Counter({'a': 2})`,
`deque([1, 2])`), and every other type as `<TypeName object>`. For the builtin types it writes exactly what `repr` writes when nothing is capped, so an uncapped repr of a
literal-like value round-trips through `ast.literal_eval`. An integer too long for the caps
keeps its first and last digits and says how many it has (`19950631...29109376 (3011
digits)`); the digit count is exact, computed without converting the whole number.

Standard library only: this module runs inside the sandbox.
"""

from __future__ import annotations

import enum
import math
import types
from collections import deque
from itertools import islice

# How much of a value a step shows; a return value gets more room (see RETURN_LIMITS).
MAX_CHARS = 200
MAX_ITEMS = 30
MAX_DEPTH = 6
# Integers up to this many bits (at most 181 digits) are written in full with one C-level
# repr; longer ones are written in full only when they fit the caps (a return value), else
# elided with their digit count (`_long_int`). The decimal conversion is quadratic, and
# CPython itself refuses to convert more than `sys.get_int_max_str_digits()` digits.
MAX_INT_BITS = 600
_ELIDED_DIGITS = 8  # digits kept at each end of an elided integer
_LOG10_2 = math.log10(2)
# Classes the program defines live in its namespace, whose __name__ is "__main__".
PROGRAM_MODULE = "__main__"

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
                return _long_int(value, limits.max_chars), True
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


def _long_int(value: int, max_chars: int) -> str:
    """A long integer: in full when it fits `max_chars` (and CPython's own conversion
    limit), else its first and last digits and its exact digit count."""
    bits = value.bit_length()
    if (bits - 1) * _LOG10_2 < max_chars:  # it may fit: try the real conversion
        try:
            text = repr(value)
        except ValueError:  # over sys.get_int_max_str_digits()
            text = ""
        if text and len(text) <= max_chars:
            return text
    magnitude = -value if value < 0 else value
    digits = int((bits - 1) * _LOG10_2) + 1  # 10**(digits-1) <= magnitude, or one more
    if magnitude >= 10 ** digits:
        digits += 1
    elif magnitude < 10 ** (digits - 1):
        digits -= 1
    head = magnitude // 10 ** (digits - _ELIDED_DIGITS)  # a short quotient: linear time
    tail = magnitude % 10 ** _ELIDED_DIGITS
    sign = "-" if value < 0 else ""
    return f"{sign}{head}...{tail:0{_ELIDED_DIGITS}d} ({digits} digits)"


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
        if isinstance(value, BaseException) and kind.__module__ in ("builtins", PROGRAM_MODULE):
            return f"{kind.__name__}({', '.join(self.write(a, depth + 1) for a in value.args)})"
        if kind.__module__ == PROGRAM_MODULE:
            return self._instance(value, kind, depth)
        base = next((b for b in kind.__mro__ if b in _CONTAINER_SHAPES), None)
        if base is not None:  # Counter, defaultdict, OrderedDict, ...: their items
            return f"{kind.__name__}({self._container(_PLAIN_COPY[base](value), base, depth)})"
        if kind is deque:
            return f"deque({self._container(list(value), list, depth)})"
        return f"<{kind.__name__} object>"

    def _instance(self, value, kind: type, depth: int) -> str:
        """An instance of a class the program defined, by its fields: `Stack(items=[1])`.

        Fields are read without running the program's code: the instance `__dict__` (through
        object's own attribute lookup, not the class's) and its slots' C-level descriptors.
        """
        name = kind.__name__
        if isinstance(value, enum.Enum):
            return f"{name}.{vars(value).get('_name_', '?')}"
        fields = getattr(kind, "_fields", None)
        if isinstance(value, tuple) and type(fields) is tuple:  # a namedtuple
            pairs = list(zip(fields, tuple.__iter__(value), strict=False))
        else:
            pairs = _fields_of(value, kind)
            if pairs is None:
                return f"<{name} object>"
        base = next((b for b in kind.__mro__ if b in _CONTAINER_SHAPES), None)
        if id(value) in self.active or depth >= self.limits.max_depth or self.budget <= 0:
            return f"{name}(...)"
        self.active.add(id(value))
        parts = []
        try:
            if base is not None and not (base is tuple and fields):
                # The builtin base's own copy: a subclass's __iter__ is program code.
                parts.append(self._container(_PLAIN_COPY[base](value), base, depth))
            for count, (field, item) in enumerate(pairs):
                if count >= self.limits.max_items or self.budget <= 0:
                    parts.append("...")
                    break
                parts.append(f"{field}={self.write(item, depth + 1)}")
                self.budget -= len(field) + 3
        finally:
            self.active.discard(id(value))
        return f"{name}({', '.join(parts)})"

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


def _fields_of(value, kind: type) -> list[tuple[str, object]] | None:
    """The instance's fields as (name, value), or None when they cannot be read safely."""
    try:
        own = object.__getattribute__(value, "__dict__")
    except AttributeError:
        own = {}
    except Exception:
        return None
    if type(own) is not dict:
        return None
    pairs = [(k, v) for k, v in own.items() if type(k) is str]
    for klass in kind.__mro__:
        slots = klass.__dict__.get("__slots__")
        for slot in (slots,) if type(slots) is str else (slots or ()):
            descriptor = klass.__dict__.get(slot)
            if type(descriptor) is types.MemberDescriptorType:
                try:
                    pairs.append((slot, descriptor.__get__(value, kind)))
                except AttributeError:  # an unset slot
                    continue
    return pairs


_CONTAINER_SHAPES = {
    list: ("[", "]", "[]"),
    tuple: ("(", ")", "()"),
    dict: ("{", "}", "{}"),
    set: ("{", "}", "set()"),
    frozenset: ("frozenset({", "})", "frozenset()"),
}


_PLAIN_COPY = {list: list.copy, dict: dict.copy, set: set.copy, frozenset: frozenset.copy,
               tuple: lambda value: tuple.__getitem__(value, slice(None))}


def format_exception(error: BaseException, limits: ReprLimits = STEP_LIMITS,
                     message: str | None = None) -> str:
    """The last line CPython prints for an uncaught exception, e.g. `"ZeroDivisionError:
    division by zero"` or `"KeyError: 'x'"`, capped, never running the program's code.

    The message is what `str(error)` gives when the exception's `__str__` is the default
    one (from its args); `message` is the text of an overriding `__str__` when the caller
    could run it safely (see `tracer.interpreter`), else the args stand in for it.
    """
    kind = type(error)
    name = kind.__qualname__
    if kind.__module__ not in ("builtins", PROGRAM_MODULE):
        name = f"{kind.__module__}.{name}"
    if message is None:
        message = _default_message(error, kind, limits)
    else:
        message = _cap(message, limits.max_chars)
    return f"{name}: {message}" if message else name


def _default_message(error: BaseException, kind: type, limits: ReprLimits) -> str:
    args = error.args if type(error.args) is tuple else ()
    if kind.__str__ is KeyError.__str__ and len(args) == 1:
        return safe_repr(args[0], limits)  # KeyError shows its key's repr
    if kind.__module__ == "builtins" and kind.__str__ is not BaseException.__str__ and all(
            type(a) in _ATOMS for a in args):
        try:  # C-level message (OSError, UnicodeDecodeError, ...) of builtin values only
            return _cap(str(error), limits.max_chars)
        except Exception:
            pass
    if not args:
        return ""
    if len(args) == 1:
        only = args[0]
        return _cap(only, limits.max_chars) if type(only) is str else safe_repr(only, limits)
    return safe_repr(args, limits)


_PLAIN_CONTAINERS = (list, tuple, set, frozenset)


def uses_program_repr(value: object, budget: int = 10_000) -> bool:
    """Whether `repr(value)` would run a `__repr__` the program wrote (its own method, or
    one a decorator such as `dataclass` generated for it) on some value inside builtin
    containers; looks at most `budget` values, never calling user code."""
    stack, seen = [value], 0
    while stack and seen < budget:
        item = stack.pop()
        seen += 1
        kind = type(item)
        if kind in _ATOMS:
            continue
        if kind in _PLAIN_CONTAINERS:
            stack.extend(islice(item, budget))
        elif kind is dict:
            stack.extend(islice(item.keys(), budget))
            stack.extend(islice(item.values(), budget))
        elif any(getattr(cls, "__module__", None) == PROGRAM_MODULE and "__repr__" in vars(cls)
                 for cls in kind.__mro__):
            return True
    return False
