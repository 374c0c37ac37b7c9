"""Compile a program's lines into evaluation plans (pure expression trees), once per program.

A plan says which expression of a line can be spelled out and how its final value is
checked against the program: `assign` (the names assigned), `augassign` (`x += e` spelled
as `x + e`), `return` (the value returned) or `test` (an `if`/`elif`/`while` condition,
checked by whether the next line runs inside the body). Only single-statement lines whose
expression uses the pure node types below get a plan; `tracer.expressions` evaluates them.

Standard library only: this module runs inside the sandbox.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

K_CONST, K_NAME, K_BINARY, K_UNARY, K_BOOLOP, K_COMPARE, K_IFEXP = range(7)
K_TUPLE, K_LIST, K_SET, K_DICT, K_SUBSCRIPT, K_SLICE, K_CALL, K_ATTRCALL = range(7, 15)

# Python's operator precedence, low to high; a reduced value is an atom (or unary if negative).
ATOM_PREC = 16
_POSTFIX, _POW, _UNARY, _MUL, _ADD, _SHIFT = 15, 13, 12, 11, 10, 9
_BITAND, _BITXOR, _BITOR = 8, 7, 6
_COMPARE, _NOT, _AND, _OR, _IFEXP = 5, 4, 3, 2, 1

_BINARY = {
    ast.Add: ("+", _ADD), ast.Sub: ("-", _ADD), ast.Mult: ("*", _MUL), ast.Div: ("/", _MUL),
    ast.FloorDiv: ("//", _MUL), ast.Mod: ("%", _MUL), ast.Pow: ("**", _POW),
    ast.LShift: ("<<", _SHIFT), ast.RShift: (">>", _SHIFT), ast.BitOr: ("|", _BITOR),
    ast.BitXor: ("^", _BITXOR), ast.BitAnd: ("&", _BITAND),
}
_UNARY_AST = {ast.USub: "-", ast.UAdd: "+", ast.Invert: "~", ast.Not: "not"}
_COMPARE_AST = {
    ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=",
    ast.Is: "is", ast.IsNot: "is not", ast.In: "in", ast.NotIn: "not in",
}
PURE_BUILTINS = frozenset(
    [
        "len", "abs", "min", "max", "sum", "sorted", "int", "float", "str", "bool", "list",
        "tuple", "set", "frozenset", "range", "round", "divmod", "pow", "ord", "chr", "any",
        "all", "hex", "bin", "oct", "repr"
    ]
)


_REPR_CONSTANTS = frozenset({int, bool, type(None)})


class NotPure(Exception):
    """The expression has a node that could have side effects (or that we do not spell)."""


class Node:
    """One node of a plan's expression tree; `template` renders it from its children."""

    __slots__ = ("children", "index", "keywords", "kind", "op", "prec", "template", "text",
                 "value")

    def __init__(self, kind: int, prec: int, children: list[Node] = (), op=None, text="",
                 value=None, keywords: tuple[str, ...] = (),
                 template: Callable[[list[tuple[str, int]]], str] | None = None) -> None:
        self.kind = kind
        self.prec = prec
        self.children = list(children)
        self.op = op
        self.text = text
        self.value = value
        self.keywords = keywords
        self.template = template
        self.index = -1


class LinePlan:
    """How to spell out and check one line: see the module docstring for `check`."""

    __slots__ = ("body_lines", "call_names", "check", "evaluator", "name_nodes", "nodes", "root",
                 "targets")

    def __init__(self, root: Node, check: str, targets: tuple[str, ...] = (),
                 body_lines: tuple[int, int] = (0, 0)) -> None:
        self.root = root
        self.check = check
        self.targets = targets
        self.body_lines = body_lines
        self.nodes: list[Node] = []
        _number(root, self.nodes)
        self.name_nodes = tuple(n.index for n in self.nodes if n.kind == K_NAME)
        self.call_names = frozenset(n.text for n in self.nodes if n.kind == K_CALL)
        self.evaluator = None  # compiled by tracer.expressions on first use


def _number(node: Node, nodes: list[Node]) -> None:
    for child in node.children:
        _number(child, nodes)
    node.index = len(nodes)
    nodes.append(node)


def _wrap(part: tuple[str, int], needed: int) -> str:
    text, prec = part
    return text if prec >= needed else f"({text})"


def _binary_template(symbol: str, prec: int):
    left_needs, right_needs = (prec + 1, _UNARY) if symbol == "**" else (prec, prec + 1)
    return lambda p: f"{_wrap(p[0], left_needs)} {symbol} {_wrap(p[1], right_needs)}"


def _sequence_template(opener: str, closer: str, single_comma: bool = False):
    def render(parts):
        body = ", ".join(text for text, _ in parts)
        if single_comma and len(parts) == 1:
            body += ","
        return opener + body + closer
    return render


def _call_args(parts, keywords: tuple[str, ...]) -> str:
    positional = parts[: len(parts) - len(keywords)]
    texts = [_wrap(p, _IFEXP) for p in positional]
    texts += [f"{k}={_wrap(p, _IFEXP)}" for k, p in zip(keywords, parts[len(positional):],
                                                        strict=True)]
    return ", ".join(texts)


def build_node(expr: ast.expr) -> Node:
    """The plan tree of a pure expression; raises NotPure for anything else."""
    kind = type(expr)
    if kind is ast.Constant:
        if expr.value is Ellipsis:
            raise NotPure
        value = expr.value
        # ast.unparse writes repr() for these types; it is slow (a visitor per call).
        text = repr(value) if type(value) in _REPR_CONSTANTS else ast.unparse(expr)
        return Node(K_CONST, ATOM_PREC, text=text, value=value)
    if kind is ast.Name:
        return Node(K_NAME, ATOM_PREC, text=expr.id)
    if kind is ast.BinOp and type(expr.op) in _BINARY:
        symbol, prec = _BINARY[type(expr.op)]
        return Node(K_BINARY, prec, [build_node(expr.left), build_node(expr.right)], op=symbol,
                    template=_binary_template(symbol, prec))
    if kind is ast.UnaryOp:
        symbol = _UNARY_AST[type(expr.op)]
        if symbol == "not":
            return Node(K_UNARY, _NOT, [build_node(expr.operand)], op=symbol,
                        template=lambda p: f"not {_wrap(p[0], _NOT)}")
        return Node(K_UNARY, _UNARY, [build_node(expr.operand)], op=symbol,
                    template=lambda p, s=symbol: f"{s}{_wrap(p[0], _UNARY + 1)}")
    if kind is ast.BoolOp:
        symbol, prec = ("and", _AND) if type(expr.op) is ast.And else ("or", _OR)
        return Node(K_BOOLOP, prec, [build_node(v) for v in expr.values], op=symbol,
                    template=lambda p, s=symbol, r=prec: f" {s} ".join(_wrap(x, r + 1) for x in p))
    if kind is ast.Compare:
        ops = tuple(_COMPARE_AST[type(o)] for o in expr.ops)

        def render_compare(parts, ops=ops):
            pieces = [_wrap(parts[0], _COMPARE + 1)]
            for op, part in zip(ops, parts[1:], strict=True):
                pieces.append(f"{op} {_wrap(part, _COMPARE + 1)}")
            return " ".join(pieces)
        children = [build_node(expr.left)] + [build_node(c) for c in expr.comparators]
        return Node(K_COMPARE, _COMPARE, children, op=ops, template=render_compare)
    if kind is ast.IfExp:
        children = [build_node(expr.test), build_node(expr.body), build_node(expr.orelse)]
        return Node(K_IFEXP, _IFEXP, children, template=lambda p: (
            f"{_wrap(p[1], _IFEXP + 1)} if {_wrap(p[0], _IFEXP + 1)} else {_wrap(p[2], _IFEXP)}"))
    if kind in (ast.Tuple, ast.List, ast.Set):
        if any(type(e) is ast.Starred for e in expr.elts):
            raise NotPure
        node_kind, opener, closer = {ast.Tuple: (K_TUPLE, "(", ")"), ast.List: (K_LIST, "[", "]"),
                                     ast.Set: (K_SET, "{", "}")}[kind]
        return Node(node_kind, ATOM_PREC, [build_node(e) for e in expr.elts],
                    template=_sequence_template(opener, closer, kind is ast.Tuple))
    if kind is ast.Dict:
        if any(k is None for k in expr.keys):
            raise NotPure
        children = []
        for key, value in zip(expr.keys, expr.values, strict=True):
            children += [build_node(key), build_node(value)]
        return Node(K_DICT, ATOM_PREC, children, template=lambda p: "{" + ", ".join(
            f"{k[0]}: {v[0]}" for k, v in zip(p[::2], p[1::2], strict=True)) + "}")
    if kind is ast.Subscript:
        children = [build_node(expr.value), build_node(expr.slice)]
        return Node(K_SUBSCRIPT, _POSTFIX, children,
                    template=lambda p: f"{_wrap(p[0], _POSTFIX)}[{p[1][0]}]")
    if kind is ast.Slice:
        return _slice_node(expr)
    if kind is ast.Call:
        return _call_node(expr)
    raise NotPure


def _slice_node(expr: ast.Slice) -> Node:
    present = (expr.lower is not None, expr.upper is not None, expr.step is not None)
    # slice(*operands) needs all three positions: absent ones are None constants, not shown.
    parts = [build_node(e) if e is not None else Node(K_CONST, ATOM_PREC, text="", value=None)
             for e in (expr.lower, expr.upper, expr.step)]

    def render(p, present=present):
        lower, upper, step = (text if shown else "" for (text, _), shown in zip(p, present,
                                                                                  strict=True))
        return f"{lower}:{upper}:{step}" if present[2] else f"{lower}:{upper}"
    return Node(K_SLICE, ATOM_PREC, parts, template=render)


def _call_node(expr: ast.Call) -> Node:
    if any(type(a) is ast.Starred for a in expr.args) or any(k.arg is None for k in expr.keywords):
        raise NotPure
    keywords = tuple(k.arg for k in expr.keywords)
    arguments = [build_node(a) for a in expr.args] + [build_node(k.value) for k in expr.keywords]
    func = expr.func
    if type(func) is ast.Name and func.id in PURE_BUILTINS:
        return Node(K_CALL, _POSTFIX, arguments, text=func.id, keywords=keywords,
                    template=lambda p, n=func.id, k=keywords: f"{n}({_call_args(p, k)})")
    if type(func) is ast.Attribute and not func.attr.startswith("_"):
        receiver = build_node(func.value)
        return Node(K_ATTRCALL, _POSTFIX, [receiver, *arguments], text=func.attr,
                    keywords=keywords,
                    template=lambda p, a=func.attr, k=keywords: (
                        f"{_wrap(p[0], _POSTFIX)}.{a}({_call_args(p[1:], k)})"))
    raise NotPure


def _plan_for_statement(stmt: ast.stmt) -> LinePlan | None:
    kind = type(stmt)
    if kind in (ast.If, ast.While):
        test = stmt.test
        if test.lineno != stmt.lineno or test.end_lineno != stmt.lineno:
            return None
        first, last = stmt.body[0].lineno, stmt.body[-1].end_lineno
        if first <= stmt.lineno:
            return None  # body on the header line: cannot tell the branches apart
        return LinePlan(build_node(test), "test", body_lines=(first, last))
    if stmt.lineno != stmt.end_lineno:
        return None
    if kind is ast.Assign and len(stmt.targets) == 1:
        return LinePlan(build_node(stmt.value), "assign", _target_names(stmt.targets[0]))
    if kind is ast.AnnAssign and stmt.value is not None and type(stmt.target) is ast.Name:
        return LinePlan(build_node(stmt.value), "assign", (stmt.target.id,))
    if kind is ast.AugAssign and type(stmt.target) is ast.Name and type(stmt.op) in _BINARY:
        symbol, prec = _BINARY[type(stmt.op)]
        target = ast.Name(id=stmt.target.id, ctx=ast.Load())
        root = Node(K_BINARY, prec, [build_node(target), build_node(stmt.value)], op=symbol,
                    template=_binary_template(symbol, prec))
        return LinePlan(root, "assign", (stmt.target.id,))
    if kind is ast.Return and stmt.value is not None:
        return LinePlan(build_node(stmt.value), "return")
    return None


def _target_names(target: ast.expr) -> tuple[str, ...]:
    if type(target) is ast.Name:
        return (target.id,)
    if type(target) in (ast.Tuple, ast.List) and all(type(e) is ast.Name for e in target.elts):
        return tuple(e.id for e in target.elts)
    raise NotPure


class LinePlans(dict):
    """The plans of one program by line (`get(line)`: a plan, or None), built all at once so
    that no AST node outlives the preparation (a cached tree slows every GC pass)."""

    __slots__ = ()


def _plan_for_line(statement: ast.stmt) -> LinePlan | None:
    try:
        plan = _plan_for_statement(statement)
    except (NotPure, KeyError):
        return None
    if plan is not None and plan.root.kind == K_CONST:
        return None  # `x = 0`: nothing to spell out
    return plan


_BODY_FIELDS = ("body", "orelse", "finalbody", "handlers", "cases")
_FIELDS_OF: dict[type, tuple[str, ...]] = {}  # node type -> which of _BODY_FIELDS it has


def _collect_statements(statements: list, starts: dict[int, list[ast.stmt]]) -> None:
    # Walks statement bodies only (expressions hold no statements), much cheaper than ast.walk.
    for statement in statements:
        kind = type(statement)
        if kind is not ast.match_case:  # a case clause has no line of its own
            starts.setdefault(statement.lineno, []).append(statement)
        fields = _FIELDS_OF.get(kind)
        if fields is None:
            fields = _FIELDS_OF[kind] = tuple(f for f in _BODY_FIELDS if f in kind._fields)
        for field in fields:
            children = getattr(statement, field)
            if children:
                _collect_statements(children, starts)


def compile_line_plans(tree: ast.Module) -> LinePlans:
    """Plans for the lines of a parsed program where exactly one statement starts."""
    starts: dict[int, list[ast.stmt]] = {}
    _collect_statements(tree.body, starts)
    plans = LinePlans()
    for line, group in starts.items():
        if len(group) == 1:
            plan = _plan_for_line(group[0])
            if plan is not None:
                plans[line] = plan
    return plans
