"""Spell out the evaluation of a line's side-effect-free expression, one operation per arrow.

`total + x * 2 → 4 + 3 * 2 → 4 + 6 → 10`: the first arrow substitutes the names, each later
arrow performs one operation, innermost first and left to right (Python's own order, with
`and`/`or`/`if-else` short-circuiting as Python does). The tracer evaluates a line's plan in
the frame's namespace *before* the line runs and keeps the chain only if its final value
agrees with what the program then really produced; so a chain is never wrong, at worst
missing.

Only pure expressions are planned: names, constants, arithmetic, comparisons, boolean ops,
conditional expressions, tuple/list/set/dict displays, subscripts and slices, a whitelist of
pure builtins (`len`, `abs`, `min`, ...) and of non-mutating methods of builtin types.
Every operand must be a value of a builtin type (checked at run time, deeply, with a size
budget) so no user `__eq__`/`__add__`/`__hash__` ever runs; operations whose result could
be huge (`'a' * 10**9`, `2 ** 10**7`) are refused.

Standard library only: this module runs inside the sandbox.
"""

from __future__ import annotations

import builtins

from tracer.line_plans import (
    ATOM_PREC,
    COMPARE,
    I_BINARY,
    I_BUILD,
    I_CALL,
    I_COMPARE,
    I_CONST,
    I_JUMP,
    I_JUMP_IF_DECIDED,
    I_JUMP_IF_FALSE,
    I_METHOD,
    I_NAME,
    I_REDUCE_TOP,
    I_SUBSCRIPT,
    I_UNARY,
    IFEXP,
    K_ATTRCALL,
    K_BINARY,
    K_BOOLOP,
    K_CALL,
    K_COMPARE,
    K_CONST,
    K_DICT,
    K_IFEXP,
    K_LIST,
    K_NAME,
    K_SET,
    K_SLICE,
    K_SUBSCRIPT,
    K_TUPLE,
    K_UNARY,
    NOT,
    POSTFIX,
    UNARY,
    LinePlan,
)
from tracer.values import safe_repr

__all__ = ["ARROW", "Chain", "LinePlan", "evaluate_plan", "values_agree"]

ARROW = " → "
_MISSING = object()
MAX_RESULT_ITEMS = 100_000  # refuse an operation whose result would be bigger than this
PURE_BUDGET = 5_000  # items walked when checking that a value holds only builtin types
MAX_INT_BITS = 20_000

_PURE_ATOMS = frozenset({int, float, bool, type(None), complex, str, bytes, range, slice})
_PURE_CONTAINERS = frozenset({list, tuple, dict, set, frozenset})
_FLAT_SEQUENCES = frozenset({list, tuple, set, frozenset})
_UNSIZED_ATOMS = frozenset({float, bool, type(None), complex})  # no size check needed
_INTS, _STRS = {int}, {str}
# Immutable atoms: a chain keeps them as values and repr's them only when rendered.
_DEFERRABLE = frozenset({int, float, bool, type(None), complex, str, bytes, range})


class _Impure(Exception):
    """The expression cannot be evaluated without risk: no chain for this line."""


def is_pure_value(value: object, budget: int = PURE_BUDGET) -> bool:
    """Whether `value` holds only builtin atoms and containers (so no user code can run)."""
    kind = type(value)
    if kind in _FLAT_SEQUENCES and len(value) <= budget:
        # Fast path at C speed for the common flat container of small atoms; anything else
        # (nested containers, ints or strings that need a size check) takes the full walk.
        kinds = set(map(type, value))
        if kinds <= _UNSIZED_ATOMS:
            return True
        if kinds == _INTS:
            return max(map(int.bit_length, value)) <= MAX_INT_BITS
        if kinds == _STRS:
            return max(map(len, value)) <= MAX_RESULT_ITEMS
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind in _PURE_ATOMS:
            if (kind is int and item.bit_length() > MAX_INT_BITS) or (
                (kind is str or kind is bytes) and len(item) > MAX_RESULT_ITEMS
            ):
                return False
            continue
        if kind not in _PURE_CONTAINERS:
            return False
        budget -= len(item)
        if budget < 0:
            return False
        if kind is dict:
            stack.extend(item.keys())
            stack.extend(item.values())
        else:
            stack.extend(item)
    return True


def values_agree(expected: object, actual: object) -> bool:
    """Whether the program's `actual` value equals the chain's `expected` one, safely."""
    if expected is actual:
        return True
    if type(expected) is not type(actual) or not is_pure_value(actual):
        return False
    try:
        return bool(expected == actual)
    except Exception:
        return False


class Chain:
    """A planned line evaluated once: the reprs of its reduced nodes in reduction order.

    Rendering into strings is deferred to `render()` (most chains are never read in a hot
    loop). A mutable value may change after the line, so its repr is taken at evaluation
    time; immutable atoms are kept as values and repr'd when rendered.
    """

    __slots__ = ("log", "plan", "reprs", "value", "values")

    def __init__(self, plan: LinePlan, log: list[int], reprs: dict[int, str], values: dict,
                 value: object) -> None:
        self.plan = plan
        self.log = log  # node indices in the order they were reduced; -1 = all names at once
        self.reprs = reprs
        self.values = values
        self.value = value

    def settle(self, final_repr: str) -> None:
        """Show `final_repr` (the program's own, equal value) as the chain's last stage."""
        self.reprs[self.plan.root] = final_repr

    def render(self) -> list[str]:
        """The chain as one string per arrow-separated stage, e.g. `["x + 1 → 2 + 1 → 3"]`."""
        reprs = self.reprs
        for index, value in self.values.items():
            if index not in reprs:  # settled or already repr'd values stay as they are
                reprs[index] = safe_repr(value)
        nodes, root = self.plan.nodes, self.plan.root
        stages = [_render(nodes, root, set(), reprs)]
        reduced: set[int] = set()
        for entry in self.log:
            if entry == -1:
                reduced.update(index for index, _ in self.plan.names)
            else:
                reduced.add(entry)
            text = _render(nodes, root, reduced, reprs)
            if text != stages[-1]:
                stages.append(text)
        if len(stages) < 2:
            return []
        return [ARROW.join(stages)]


def evaluate_plan(plan: LinePlan, f_locals: dict, f_globals: dict, f_builtins: dict,
                  known: dict | None = None):
    """Evaluate `plan` in a frame's namespace; a `Chain`, or None when it is not safe/possible.

    `known` (the recorder's cache of the frame, `name -> (value, repr, ...)`, current when
    the line starts) saves re-repring a mutable value the frame's state already shows.
    """
    for name in plan.call_names:
        if name in f_locals or name in f_globals or (
            f_builtins.get(name) is not getattr(builtins, name, None)
        ):
            return None  # a builtin shadowed by the program: its call is not pure
    reprs: dict[int, str] = {}
    log: list[int] = []
    values: dict[int, object] = {}
    if plan.names:
        for index, name in plan.names:
            value = f_locals.get(name, _MISSING)
            if value is _MISSING:
                value = f_globals.get(name, _MISSING)
                if value is _MISSING:
                    value = f_builtins.get(name, _MISSING)
                    if value is _MISSING:
                        return None
            values[index] = value
            if type(value) not in _DEFERRABLE:
                if not is_pure_value(value):
                    return None
                entry = known.get(name) if known is not None else None
                reprs[index] = entry[1] if entry is not None and entry[0] is value else \
                    safe_repr(value)
        log.append(-1)
    if len(plan.code) == 1 and plan.names:  # `return x`: the name's value is the result
        return Chain(plan, log, reprs, values, values[plan.root])
    try:
        result = _run(plan.code, values, reprs, log)
    except Exception:  # _Impure, or the expression would raise: no chain
        return None
    return Chain(plan, log, reprs, values, result)


def _run(code: list[tuple], values: dict, reprs: dict, log: list):
    """Run a plan's instructions; each operation's result is recorded under its node index
    (`values`, `reprs` for mutable results, `log` in order). No purity check on results:
    builtin operations on pure (builtin-only) operands give builtin results, and the names
    were checked on the way in."""
    stack: list = []
    push, pop = stack.append, stack.pop
    deferrable = _DEFERRABLE
    pc, end = 0, len(code)
    while pc < end:
        instruction = code[pc]
        pc += 1
        op = instruction[0]
        if op == I_NAME:
            push(values[instruction[1]])
            continue
        if op == I_CONST:
            push(instruction[1])
            continue
        if op == I_BINARY:
            right = pop()
            left = pop()
            if instruction[3] is not None:
                _guard_binary(instruction[3], left, right)
            value = instruction[2](left, right)
        elif op == I_COMPARE:
            count = instruction[3]
            operands = stack[-count:]
            del stack[-count:]
            value = True
            for compare, a, b in zip(instruction[2], operands, operands[1:], strict=False):
                value = compare(a, b)
                if not value:
                    break
        elif op == I_SUBSCRIPT:
            key = pop()
            container = pop()
            if type(container) not in _SUBSCRIPTABLE:
                raise _Impure
            value = container[key]
        elif op == I_METHOD:
            count = instruction[3]
            receiver, *arguments = stack[-count:]
            del stack[-count:]
            name = instruction[2]
            allowed = _PURE_METHODS.get(type(receiver))
            if allowed is None or name not in allowed:
                raise _Impure
            _guard_method(name, receiver, arguments)
            value = _apply(getattr(receiver, name), arguments, instruction[4])
        elif op == I_CALL:
            count = instruction[4]
            operands = stack[-count:] if count else []
            del stack[len(stack) - count:]
            _guard_call(instruction[3], operands)
            value = _apply(instruction[2], operands, instruction[5])
        elif op == I_UNARY:
            value = instruction[2](pop())
        elif op == I_BUILD:
            count = instruction[3]
            operands = stack[-count:] if count else []
            del stack[len(stack) - count:]
            value = instruction[2](operands)
        elif op == I_JUMP_IF_DECIDED:  # `and` stops at a falsy operand, `or` at a truthy one
            if bool(stack[-1]) != instruction[2]:
                pc = instruction[1]
            else:
                pop()
            continue
        elif op == I_REDUCE_TOP:  # an `and`/`or`/`if-else` is the value left on the stack
            value = pop()
        elif op == I_JUMP_IF_FALSE:
            if not pop():
                pc = instruction[1]
            continue
        elif op == I_JUMP:
            pc = instruction[1]
            continue
        else:  # the slice (I_SLICE): shown inside its subscript, never alone: not reduced
            step = pop()
            upper = pop()
            push(slice(pop(), upper, step))
            continue
        index = instruction[1]
        values[index] = value
        if type(value) not in deferrable:
            reprs[index] = safe_repr(value)
        log.append(index)
        push(value)
    return stack[-1]


def _apply(function, operands: list, keywords: tuple[str, ...]):
    if not keywords:
        return function(*operands)
    positional = operands[: len(operands) - len(keywords)]
    return function(*positional, **dict(zip(keywords, operands[len(positional):],
                                            strict=True)))


def _size(value: object) -> int:
    if type(value) is int:
        return abs(value)
    try:
        return len(value)
    except TypeError:
        return 1


def _guard_binary(op: str, left: object, right: object) -> None:
    """Refuse operations whose result could be too big to compute twice."""
    if op == "*":
        for count, sequence in ((left, right), (right, left)):
            if type(count) is int and type(sequence) is not int and (
                count * _size(sequence) > MAX_RESULT_ITEMS
            ):
                raise _Impure
    elif op == "**":
        if type(left) is int and type(right) is int and right > 0 and (
            max(left.bit_length(), 1) * right > MAX_INT_BITS
        ):
            raise _Impure
    elif op == "<<" and type(right) is int and right > MAX_INT_BITS:
        raise _Impure


_LENGTH_TAKING = frozenset({"list", "tuple", "set", "frozenset", "sorted", "sum", "min", "max",
                            "any", "all", "dict", "str"})


def _guard_call(name: str, operands: list) -> None:
    if name in _LENGTH_TAKING and any(
        type(value) is range and len(value) > MAX_RESULT_ITEMS for value in operands
    ):
        raise _Impure
    if name == "pow" and len(operands) == 2:
        _guard_binary("**", *operands)


_WIDTH_METHODS = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs"})


def _guard_method(name: str, receiver: object, arguments: list) -> None:
    if name in _WIDTH_METHODS and any(
        type(a) is int and a > MAX_RESULT_ITEMS for a in arguments
    ):
        raise _Impure
    if name == "replace" and len(arguments) >= 2:
        old, new = arguments[0], arguments[1]
        if type(old) is not str or type(new) is not str:
            raise _Impure
        count = receiver.count(old) if old else len(receiver) + 1
        if len(receiver) + count * len(new) > MAX_RESULT_ITEMS:
            raise _Impure
    if name == "join" and arguments and _size(arguments[0]) > MAX_RESULT_ITEMS:
        raise _Impure


_SUBSCRIPTABLE = frozenset({list, tuple, str, bytes, dict, range})

_STR_METHODS = frozenset(
    [
        "capitalize", "casefold", "center", "count", "endswith", "expandtabs", "find", "index",
        "isalnum", "isalpha", "isascii", "isdecimal", "isdigit", "isidentifier", "islower",
        "isnumeric", "isprintable", "isspace", "istitle", "isupper", "join", "ljust", "lower",
        "lstrip", "partition", "removeprefix", "removesuffix", "replace", "rfind", "rindex",
        "rjust", "rpartition", "rsplit", "rstrip", "split", "splitlines", "startswith", "strip",
        "swapcase", "title", "upper", "zfill"
    ]
)
_PURE_METHODS = {
    str: _STR_METHODS,
    list: frozenset({"count", "index", "copy"}),
    tuple: frozenset({"count", "index"}),
    dict: frozenset({"get", "copy"}),
    set: frozenset({"issubset", "issuperset", "isdisjoint", "union", "intersection",
                    "difference", "symmetric_difference", "copy"}),
    frozenset: frozenset({"issubset", "issuperset", "isdisjoint", "union", "intersection",
                          "difference", "symmetric_difference"}),
}


def _render(nodes: list[tuple], index: int, reduced: set[int], reprs: dict[int, str]) -> str:
    return _render_prec(nodes, index, reduced, reprs)[0]


def _wrap(part: tuple[str, int], needed: int) -> str:
    text, prec = part
    return text if prec >= needed else f"({text})"


def _call_args(parts: list, keywords: tuple[str, ...]) -> str:
    positional = parts[: len(parts) - len(keywords)]
    texts = [_wrap(p, IFEXP) for p in positional]
    texts += [f"{k}={_wrap(p, IFEXP)}" for k, p in zip(keywords, parts[len(positional):],
                                                       strict=True)]
    return ", ".join(texts)


def _render_prec(nodes: list[tuple], index: int, reduced: set[int],
                 reprs: dict[int, str]) -> tuple[str, int]:
    """`(text, precedence)` of node `index` with the nodes in `reduced` shown as values."""
    if index in reduced:
        text = reprs[index]
        return text, (ATOM_PREC - 4 if text.startswith("-") else ATOM_PREC)
    kind, prec, children, text, payload = nodes[index]
    if kind in (K_CONST, K_NAME):
        return text, prec
    p = [_render_prec(nodes, child, reduced, reprs) for child in children]
    if kind == K_BINARY:
        left, right = (prec + 1, UNARY) if payload == "**" else (prec, prec + 1)
        return f"{_wrap(p[0], left)} {payload} {_wrap(p[1], right)}", prec
    if kind == K_UNARY:
        if payload == "not":
            return f"not {_wrap(p[0], NOT)}", prec
        return f"{payload}{_wrap(p[0], UNARY + 1)}", prec
    if kind == K_BOOLOP:
        return f" {payload} ".join(_wrap(x, prec + 1) for x in p), prec
    if kind == K_COMPARE:
        pieces = [_wrap(p[0], COMPARE + 1)]
        pieces += [f"{op} {_wrap(part, COMPARE + 1)}" for op, part in zip(payload, p[1:],
                                                                        strict=True)]
        return " ".join(pieces), prec
    if kind == K_IFEXP:
        return (f"{_wrap(p[1], IFEXP + 1)} if {_wrap(p[0], IFEXP + 1)} else "
                f"{_wrap(p[2], IFEXP)}"), prec
    if kind == K_TUPLE:
        return "(" + ", ".join(t for t, _ in p) + ("," if len(p) == 1 else "") + ")", prec
    if kind == K_LIST:
        return "[" + ", ".join(t for t, _ in p) + "]", prec
    if kind == K_SET:
        return "{" + ", ".join(t for t, _ in p) + "}", prec
    if kind == K_DICT:
        return "{" + ", ".join(f"{k[0]}: {v[0]}" for k, v in zip(p[::2], p[1::2],
                                                                  strict=True)) + "}", prec
    if kind == K_SUBSCRIPT:
        return f"{_wrap(p[0], POSTFIX)}[{p[1][0]}]", prec
    if kind == K_SLICE:
        lower, upper, step = (t if shown else "" for (t, _), shown in zip(p, payload,
                                                                          strict=True))
        return (f"{lower}:{upper}:{step}" if payload[2] else f"{lower}:{upper}"), prec
    if kind == K_CALL:
        return f"{text}({_call_args(p, payload)})", prec
    if kind == K_ATTRCALL:
        return f"{_wrap(p[0], POSTFIX)}.{text}({_call_args(p[1:], payload)})", prec
    raise ValueError(f"unknown plan node kind {kind}")
