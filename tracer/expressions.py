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
import operator

from tracer.line_plans import (
    ATOM_PREC,
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
    LinePlan,
    Node,
    compile_line_plans,
)
from tracer.values import safe_repr

__all__ = ["ARROW", "Chain", "LinePlan", "compile_line_plans", "evaluate_plan", "values_agree"]

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
        self.reprs[self.plan.root.index] = final_repr

    def render(self) -> list[str]:
        """The chain as one string per arrow-separated stage, e.g. `["x + 1 → 2 + 1 → 3"]`."""
        reprs = self.reprs
        for index, value in self.values.items():
            if index not in reprs:  # settled or already repr'd values stay as they are
                reprs[index] = safe_repr(value)
        stages = [_render(self.plan.root, set(), reprs)]
        reduced: set[int] = set()
        for entry in self.log:
            if entry == -1:
                reduced.update(self.plan.name_nodes)
            else:
                reduced.add(entry)
            text = _render(self.plan.root, reduced, reprs)
            if text != stages[-1]:
                stages.append(text)
        if len(stages) < 2:
            return []
        return [ARROW.join(stages)]


def evaluate_plan(plan: LinePlan, f_locals: dict, f_globals: dict, f_builtins: dict):
    """Evaluate `plan` in a frame's namespace; a `Chain`, or None when it is not safe/possible."""
    for name in plan.call_names:
        if name in f_locals or name in f_globals or (
            f_builtins.get(name) is not getattr(builtins, name, None)
        ):
            return None  # a builtin shadowed by the program: its call is not pure
    evaluator = plan.evaluator
    if evaluator is None:
        try:
            evaluator = plan.evaluator = _compile(plan.root)
        except Exception:  # a plan this evaluator cannot handle: no chain, never a crash
            return None
    reprs: dict[int, str] = {}
    log: list[int] = []
    values: dict[int, object] = {}
    if plan.name_nodes:
        for index in plan.name_nodes:
            name = plan.nodes[index].text
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
                reprs[index] = safe_repr(value)
        log.append(-1)
    try:
        result = evaluator(values, reprs, log)
    except Exception:  # _Impure, or the expression would raise: no chain
        return None
    return Chain(plan, log, reprs, values, result)


def _compile(node: Node):
    """A closure `evaluate(values, reprs, log) -> value` for `node`, built once per plan.

    Closures instead of one recursive interpreter: no per-node kind dispatch at run time,
    which is what a line's evaluation costs in the tracer's hot path.
    """
    kind = node.kind
    index = node.index
    if kind == K_CONST:
        constant = node.value
        return lambda values, reprs, log: constant
    if kind == K_NAME:
        return lambda values, reprs, log: values[index]
    children = [_compile(child) for child in node.children]

    def reduced(value, values, reprs, log):
        # No purity check: builtin operations on pure (builtin-only) operands give builtin
        # results, and the names were checked on the way in.
        values[index] = value
        if type(value) not in _DEFERRABLE:
            reprs[index] = safe_repr(value)
        log.append(index)
        return value

    if kind == K_BINARY:
        left, right = children
        operation, symbol = _BINARY_OPS[node.op], node.op
        guarded = symbol in ("*", "**", "<<")

        def binary(values, reprs, log):
            a = left(values, reprs, log)
            b = right(values, reprs, log)
            if guarded:
                _guard_binary(symbol, a, b)
            return reduced(operation(a, b), values, reprs, log)
        return binary
    if kind == K_UNARY:
        (operand,), operation = children, _UNARY_OPS[node.op]
        return lambda values, reprs, log: reduced(operation(operand(values, reprs, log)),
                                                  values, reprs, log)
    if kind == K_COMPARE:
        operations = [_COMPARE_OPS[op] for op in node.op]

        def compare(values, reprs, log):
            operands = [child(values, reprs, log) for child in children]
            result = True
            for operation, a, b in zip(operations, operands, operands[1:], strict=False):
                result = operation(a, b)
                if not result:
                    break
            return reduced(result, values, reprs, log)
        return compare
    if kind == K_BOOLOP:
        is_and = node.op == "and"

        def boolean(values, reprs, log):
            for child in children:
                value = child(values, reprs, log)
                if bool(value) != is_and:  # `and` stops at a falsy value, `or` at a truthy one
                    break
            return reduced(value, values, reprs, log)
        return boolean
    if kind == K_IFEXP:
        test, body, orelse = children

        def conditional(values, reprs, log):
            chosen = body if test(values, reprs, log) else orelse
            return reduced(chosen(values, reprs, log), values, reprs, log)
        return conditional
    build = _BUILDERS.get(kind)
    if build is not None:
        return lambda values, reprs, log: reduced(
            build([child(values, reprs, log) for child in children]), values, reprs, log)
    if kind == K_SLICE:  # shown inside its subscript, never alone: not reduced
        return lambda values, reprs, log: slice(*[c(values, reprs, log) for c in children])
    if kind == K_SUBSCRIPT:
        container_of, key_of = children

        def subscript(values, reprs, log):
            container = container_of(values, reprs, log)
            key = key_of(values, reprs, log)
            if type(container) not in _SUBSCRIPTABLE:
                raise _Impure
            return reduced(container[key], values, reprs, log)
        return subscript
    name, n_keywords = node.text, len(node.keywords)
    keyword_names = node.keywords
    if kind == K_CALL:
        function = getattr(builtins, name)

        def call(values, reprs, log):
            operands = [child(values, reprs, log) for child in children]
            _guard_call(name, operands)
            positional = operands[: len(operands) - n_keywords]
            keywords = dict(zip(keyword_names, operands[len(positional):], strict=True))
            return reduced(function(*positional, **keywords), values, reprs, log)
        return call

    def method_call(values, reprs, log):  # K_ATTRCALL
        receiver, *arguments = [child(values, reprs, log) for child in children]
        allowed = _PURE_METHODS.get(type(receiver))
        if allowed is None or name not in allowed:
            raise _Impure
        _guard_method(name, receiver, arguments)
        positional = arguments[: len(arguments) - n_keywords]
        keywords = dict(zip(keyword_names, arguments[len(positional):], strict=True))
        return reduced(getattr(receiver, name)(*positional, **keywords), values, reprs, log)
    return method_call


_BUILDERS = {
    K_TUPLE: tuple,
    K_LIST: list,
    K_SET: set,
    K_DICT: lambda operands: dict(zip(operands[::2], operands[1::2], strict=True)),
}


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

_BINARY_OPS = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
    "//": operator.floordiv, "%": operator.mod, "**": operator.pow, "<<": operator.lshift,
    ">>": operator.rshift, "|": operator.or_, "^": operator.xor, "&": operator.and_,
}
_UNARY_OPS = {"-": operator.neg, "+": operator.pos, "~": operator.invert, "not": operator.not_}
_COMPARE_OPS = {
    "==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
    ">": operator.gt, ">=": operator.ge, "is": operator.is_, "is not": operator.is_not,
    "in": lambda a, b: a in b, "not in": lambda a, b: a not in b,
}

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


def _render(node: Node, reduced: set[int], reprs: dict[int, str]) -> str:
    return _render_prec(node, reduced, reprs)[0]


def _render_prec(node: Node, reduced: set[int], reprs: dict[int, str]) -> tuple[str, int]:
    """`(text, precedence)` of `node` with the nodes in `reduced` shown as their values."""
    if node.index in reduced:
        text = reprs[node.index]
        return text, (ATOM_PREC - 4 if text.startswith("-") else ATOM_PREC)
    kind = node.kind
    if kind in (K_CONST, K_NAME):
        return node.text, node.prec
    parts = [_render_prec(child, reduced, reprs) for child in node.children]
    return node.template(parts), node.prec

