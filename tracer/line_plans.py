"""Evaluation plans of a program's lines: pure expression trees, built from each line's text.

A plan says which expression of a line can be spelled out and how its final value is
checked against the program: `assign` (the names assigned), `augassign` (`x += e` spelled
as `x + e`), `return` (the value returned) or `test` (an `if`/`elif`/`while` condition,
checked by whether the next line runs inside the body). Only single-statement lines whose
expression uses the pure node types below get a plan (`LinePlans` says which);
`tracer.expression_chains` evaluates and renders them.

A plan is flat data, cheap to build and to free (a program's plans are built the first time
it is traced, so their cost is part of tracing it): `nodes`, the expression tree as tuples
`(kind, precedence, children, text, payload)` in evaluation order (children are indices
into `nodes`), for rendering; and `code`, the same tree as instructions for a small stack
machine, with jumps for what `and`/`or`/`if-else` skip.

Standard library only: this module runs inside the sandbox.
"""

from __future__ import annotations

import ast
import builtins
import keyword
import operator
import re

K_CONST, K_NAME, K_BINARY, K_UNARY, K_BOOLOP, K_COMPARE, K_IFEXP = range(7)
K_TUPLE, K_LIST, K_SET, K_DICT, K_SUBSCRIPT, K_SLICE, K_CALL, K_ATTRCALL = range(7, 15)

# Instructions of `LinePlan.code` (see tracer.expression_chains.evaluate_plan for their effect).
(I_NAME, I_CONST, I_BINARY, I_UNARY, I_COMPARE, I_BUILD, I_SLICE, I_SUBSCRIPT, I_CALL,
 I_METHOD, I_JUMP_IF_DECIDED, I_REDUCE_TOP, I_JUMP_IF_FALSE, I_JUMP) = range(14)

# Python's operator precedence, low to high; a reduced value is an atom (or unary if negative).
ATOM_PREC = 16
POSTFIX, POW, UNARY, _MUL, _ADD, _SHIFT = 15, 13, 12, 11, 10, 9
_BITAND, _BITXOR, _BITOR = 8, 7, 6
COMPARE, NOT, AND, OR, IFEXP = 5, 4, 3, 2, 1

_BINARY = {
    ast.Add: ("+", _ADD, operator.add), ast.Sub: ("-", _ADD, operator.sub),
    ast.Mult: ("*", _MUL, operator.mul), ast.Div: ("/", _MUL, operator.truediv),
    ast.FloorDiv: ("//", _MUL, operator.floordiv), ast.Mod: ("%", _MUL, operator.mod),
    ast.Pow: ("**", POW, operator.pow), ast.LShift: ("<<", _SHIFT, operator.lshift),
    ast.RShift: (">>", _SHIFT, operator.rshift), ast.BitOr: ("|", _BITOR, operator.or_),
    ast.BitXor: ("^", _BITXOR, operator.xor), ast.BitAnd: ("&", _BITAND, operator.and_),
}
_GUARDED = frozenset({"*", "**", "<<"})  # results that could be huge: checked before computing
_UNARY_AST = {ast.USub: ("-", operator.neg), ast.UAdd: ("+", operator.pos),
              ast.Invert: ("~", operator.invert), ast.Not: ("not", operator.not_)}
_COMPARE_AST = {
    ast.Eq: ("==", operator.eq), ast.NotEq: ("!=", operator.ne), ast.Lt: ("<", operator.lt),
    ast.LtE: ("<=", operator.le), ast.Gt: (">", operator.gt), ast.GtE: (">=", operator.ge),
    ast.Is: ("is", operator.is_), ast.IsNot: ("is not", operator.is_not),
    ast.In: ("in", lambda a, b: a in b), ast.NotIn: ("not in", lambda a, b: a not in b),
}
_DISPLAYS = {ast.Tuple: (K_TUPLE, tuple), ast.List: (K_LIST, list), ast.Set: (K_SET, set)}
PURE_BUILTINS = frozenset(
    [
        "len", "abs", "min", "max", "sum", "sorted", "int", "float", "str", "bool", "list",
        "tuple", "set", "frozenset", "range", "round", "divmod", "pow", "ord", "chr", "any",
        "all", "hex", "bin", "oct", "repr"
    ]
)
_REPR_CONSTANTS = frozenset({int, bool, type(None), str, bytes})  # repr() is their source text


class NotPure(Exception):
    """The expression has a node that could have side effects (or that we do not spell)."""


def _dict_of(operands: list) -> dict:
    return dict(zip(operands[::2], operands[1::2], strict=True))


class LinePlan:
    """How to spell out and check one line: see the module docstring."""

    __slots__ = ("body_lines", "call_names", "check", "code", "names", "nodes", "root",
                 "targets")

    def __init__(self, nodes: list[tuple], code: list[tuple], check: str,
                 targets: tuple[str, ...] = (), body_lines: tuple[int, int] = (0, 0),
                 names: tuple[tuple[int, str], ...] = (),
                 call_names: frozenset[str] = frozenset()) -> None:
        self.nodes = nodes
        self.code = code
        self.root = len(nodes) - 1  # the index of the whole expression's node
        self.check = check
        self.targets = targets
        self.body_lines = body_lines
        self.names = names  # (node index, name) of each name read from the frame
        self.call_names = call_names  # the builtins it calls (checked for shadowing)

    def with_body(self, body_lines: tuple[int, int]) -> LinePlan:
        """This test's plan for a header whose body spans `body_lines` (shares the rest)."""
        plan = LinePlan.__new__(LinePlan)
        for name in LinePlan.__slots__:
            setattr(plan, name, getattr(self, name))
        plan.body_lines = body_lines
        return plan


class _Builder:
    """Turns one pure expression into `nodes` and `code`; raises NotPure for anything else."""

    __slots__ = ("calls", "code", "names", "nodes")

    def __init__(self) -> None:
        self.nodes: list[tuple] = []
        self.code: list[tuple] = []
        self.names: list[tuple[int, str]] = []
        self.calls: list[str] = []

    def node(self, kind: int, prec: int, children: tuple = (), text: str = "",
             payload=None) -> int:
        self.nodes.append((kind, prec, children, text, payload))
        return len(self.nodes) - 1

    def build(self, expr: ast.expr) -> int:
        """Emit `expr` (children first); its node index."""
        kind = type(expr)
        code = self.code
        if kind is ast.Name:
            nodes = self.nodes
            index = len(nodes)
            nodes.append((K_NAME, ATOM_PREC, (), expr.id, None))
            code.append((I_NAME, index))
            self.names.append((index, expr.id))
            return index
        if kind is ast.Constant:
            value = expr.value
            if value is Ellipsis:
                raise NotPure
            # ast.unparse writes repr() for these types; it is slow (a visitor per call).
            text = repr(value) if type(value) in _REPR_CONSTANTS else ast.unparse(expr)
            code.append((I_CONST, value))
            return self.node(K_CONST, ATOM_PREC, text=text, payload=value)
        if kind is ast.BinOp and type(expr.op) in _BINARY:
            symbol, prec, function = _BINARY[type(expr.op)]
            children = (self.build(expr.left), self.build(expr.right))
            index = self.node(K_BINARY, prec, children, payload=symbol)
            code.append((I_BINARY, index, function, symbol if symbol in _GUARDED else None))
            return index
        if kind is ast.UnaryOp:
            symbol, function = _UNARY_AST[type(expr.op)]
            children = (self.build(expr.operand),)
            index = self.node(K_UNARY, NOT if symbol == "not" else UNARY, children,
                              payload=symbol)
            code.append((I_UNARY, index, function))
            return index
        if kind is ast.BoolOp:
            return self._boolean(expr)
        if kind is ast.Compare:
            ops = [_COMPARE_AST[type(op)] for op in expr.ops]
            children = tuple([self.build(e) for e in [expr.left, *expr.comparators]])
            index = self.node(K_COMPARE, COMPARE, children,
                              payload=tuple([symbol for symbol, _ in ops]))
            code.append((I_COMPARE, index, tuple([f for _, f in ops]), len(children)))
            return index
        if kind is ast.IfExp:
            return self._conditional(expr)
        if kind in _DISPLAYS:
            if any(type(e) is ast.Starred for e in expr.elts):
                raise NotPure
            node_kind, builder = _DISPLAYS[kind]
            return self._display(node_kind, builder, expr.elts)
        if kind is ast.Dict:
            if any(k is None for k in expr.keys):
                raise NotPure
            items = [e for pair in zip(expr.keys, expr.values, strict=True) for e in pair]
            return self._display(K_DICT, _dict_of, items)
        if kind is ast.Subscript:
            children = (self.build(expr.value), self.build(expr.slice))
            index = self.node(K_SUBSCRIPT, POSTFIX, children)
            code.append((I_SUBSCRIPT, index))
            return index
        if kind is ast.Slice:
            return self._slice(expr)
        if kind is ast.Call:
            return self._call(expr)
        raise NotPure

    def _display(self, kind: int, builder, elements: list) -> int:
        children = tuple([self.build(e) for e in elements])
        index = self.node(kind, ATOM_PREC, children)
        self.code.append((I_BUILD, index, builder, len(children)))
        return index

    def _boolean(self, expr: ast.BoolOp) -> int:
        is_and = type(expr.op) is ast.And
        jumps = []
        children = []
        for position, value in enumerate(expr.values):
            children.append(self.build(value))
            if position < len(expr.values) - 1:
                jumps.append(len(self.code))
                self.code.append(None)  # patched below: where a deciding operand jumps
        index = self.node(K_BOOLOP, AND if is_and else OR, tuple(children),
                          payload="and" if is_and else "or")
        end = len(self.code)
        for at in jumps:
            self.code[at] = (I_JUMP_IF_DECIDED, end, is_and)
        self.code.append((I_REDUCE_TOP, index))
        return index

    def _conditional(self, expr: ast.IfExp) -> int:
        code = self.code
        test = self.build(expr.test)
        skip_body = len(code)
        code.append(None)
        body = self.build(expr.body)
        skip_orelse = len(code)
        code.append(None)
        code[skip_body] = (I_JUMP_IF_FALSE, len(code))
        orelse = self.build(expr.orelse)
        code[skip_orelse] = (I_JUMP, len(code))
        index = self.node(K_IFEXP, IFEXP, (test, body, orelse))
        code.append((I_REDUCE_TOP, index))
        return index

    def _slice(self, expr: ast.Slice) -> int:
        parts = []
        for part in (expr.lower, expr.upper, expr.step):
            if part is None:  # slice(*operands) needs all three positions; not shown
                self.code.append((I_CONST, None))
                parts.append(self.node(K_CONST, ATOM_PREC, payload=None))
            else:
                parts.append(self.build(part))
        present = (expr.lower is not None, expr.upper is not None, expr.step is not None)
        self.code.append((I_SLICE,))
        return self.node(K_SLICE, ATOM_PREC, tuple(parts), payload=present)

    def _call(self, expr: ast.Call) -> int:
        func, args, keyword_nodes = expr.func, expr.args, expr.keywords
        kind = type(func)
        if kind is ast.Name:
            if func.id not in PURE_BUILTINS:
                raise NotPure
        elif kind is not ast.Attribute or func.attr.startswith("_"):
            raise NotPure
        for argument in args:
            if type(argument) is ast.Starred:
                raise NotPure
        keywords: tuple[str, ...] = ()
        if keyword_nodes:
            keywords = tuple([k.arg for k in keyword_nodes])
            if None in keywords:  # `**kwargs`
                raise NotPure
        build = self.build
        children = [] if kind is ast.Name else [build(func.value)]
        for argument in args:
            children.append(build(argument))
        for keyword_node in keyword_nodes:
            children.append(build(keyword_node.value))
        if kind is ast.Name:
            index = self.node(K_CALL, POSTFIX, tuple(children), func.id, keywords)
            self.calls.append(func.id)
            self.code.append((I_CALL, index, getattr(builtins, func.id), func.id,
                              len(children), keywords))
        else:
            index = self.node(K_ATTRCALL, POSTFIX, tuple(children), func.attr, keywords)
            self.code.append((I_METHOD, index, func.attr, len(children), keywords))
        return index


def _plan(expr: ast.expr, check: str, targets: tuple[str, ...] = (),
          body_lines: tuple[int, int] = (0, 0), augmented: tuple | None = None):
    """The plan of `expr` (or of `target <op> expr` for `x op= expr`); None when it is a
    constant (`x = 0`: nothing to spell out). Raises NotPure."""
    builder = _Builder()
    if augmented is None:
        builder.build(expr)
    else:
        name, (symbol, prec, function) = augmented
        left = builder.build(ast.Name(name))
        right = builder.build(expr)
        index = builder.node(K_BINARY, prec, (left, right), payload=symbol)
        builder.code.append((I_BINARY, index, function,
                             symbol if symbol in _GUARDED else None))
    if builder.nodes[-1][0] == K_CONST:
        return None
    return LinePlan(builder.nodes, builder.code, check, targets, body_lines,
                    tuple(builder.names), frozenset(builder.calls))


def _plan_for_statement(stmt: ast.stmt) -> LinePlan | None:
    """The plan of a one-line assignment or return; raises NotPure."""
    kind = type(stmt)
    if kind is ast.Assign and len(stmt.targets) == 1:
        return _plan(stmt.value, "assign", _target_names(stmt.targets[0]))
    if kind is ast.AnnAssign and stmt.value is not None and type(stmt.target) is ast.Name:
        return _plan(stmt.value, "assign", (stmt.target.id,))
    if kind is ast.AugAssign and type(stmt.target) is ast.Name and type(stmt.op) in _BINARY:
        return _plan(stmt.value, "assign", (stmt.target.id,),
                     augmented=(stmt.target.id, _BINARY[type(stmt.op)]))
    if kind is ast.Return and stmt.value is not None:
        return _plan(stmt.value, "return")
    return None


def _target_names(target: ast.expr) -> tuple[str, ...]:
    if type(target) is ast.Name:
        return (target.id,)
    if type(target) in (ast.Tuple, ast.List) and all(type(e) is ast.Name for e in target.elts):
        return tuple(e.id for e in target.elts)
    raise NotPure


def _plan_for_line(statement: ast.stmt) -> LinePlan | None:
    try:
        return _plan_for_statement(statement)
    except (NotPure, KeyError):
        return None


_HEADERS = ("if ", "if(", "elif ", "elif(", "while ", "while(")
_BARE_HEADERS = ("else:", "try:", "finally:")
# A line that may hold a planned statement: names (or a tuple of names) assigned, plainly,
# with an annotation or an augmented operator; or a return. The parser has the last word.
# ASCII names only (a Unicode class costs a lookup per character): a line assigning to a
# non-ASCII name gets no chain.
_MAY_ASSIGN = re.compile(r"[(\[]?\s*[A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*\s*,?\s*[)\]]?\s*"
                         r"(?::[^=]+)?(?:[-+*/%&|^@]|//|\*\*|<<|>>)?=(?!=)|return\b", re.ASCII)
_PARSE_ERRORS = (SyntaxError, ValueError, MemoryError, RecursionError)
# `return x`, `x = y`, `x += 1`: a third of the statements that may have a plan; their plan
# is built from the match, exactly as from a parse (a keyword among the names: parsed).
_QUICK = re.compile(r"(?:return |([A-Za-z_]\w*) ?([-+*]?)= ?)([A-Za-z_]\w*|\d+)")
_QUICK_OPS = {"+": ast.Add, "-": ast.Sub, "*": ast.Mult}
_CONSTANTS = {"True": True, "False": False, "None": None}


def _quick_plan(target: str | None, symbol: str, value: str) -> LinePlan | None:
    if value.isdigit():
        expr: ast.expr = ast.Constant(int(value))
    elif value in _CONSTANTS:
        expr = ast.Constant(_CONSTANTS[value])
    elif keyword.iskeyword(value):
        return None  # not an expression (the statement does not compile)
    else:
        expr = ast.Name(value)
    if target is None:
        return _plan(expr, "return")
    if keyword.iskeyword(target):
        return None
    if not symbol:
        return _plan(expr, "assign", (target,))
    return _plan(expr, "assign", (target,), augmented=(target, _BINARY[_QUICK_OPS[symbol]]))


class LinePlans:
    """The plans of one program by line, built from the text of the lines that may have one.

    A line gets a plan when its text alone parses as exactly one statement of a planned
    kind (so a line holding two statements, the first or a middle line of a multi-line
    statement and a header with its body on the same line get none); an `if`/`elif`/`while`
    header's body is the block indented below it. No syntax tree of the whole program is
    built (an AST object for every node was the costliest part of preparing a program): a
    cheap filter picks the candidate lines (assignments to ASCII names, returns, tests), the
    commonest shapes (`return x`, `x = y`, `x += 1`) are planned from the match, and the
    rest are parsed together, one line per statement, or one by one when that fails (a line
    of a multi-line statement among them). Plans are kept by line text across programs.
    A continuation line that parses on its own, such as a keyword argument `key=value`
    alone on a line of a call written over several lines, gets a plan too; its chain is
    kept only if a local of that name then holds the chain's value (and it then spells out
    exactly that line's expression, the only code the line runs).

    `table()` maps each line that has a plan to it, built on first use.
    """

    __slots__ = ("_table", "lines")

    def __init__(self, source_lines: list[str]) -> None:
        self.lines = source_lines
        self._table: dict[int, LinePlan] | None = None

    def get(self, line: int) -> LinePlan | None:
        return self.table().get(line)

    def table(self) -> dict[int, LinePlan]:
        if self._table is None:
            self._table = self._build()
        return self._table

    def _build(self) -> dict[int, LinePlan]:
        table: dict[int, LinePlan] = {}
        candidates: list[tuple[int, str, bool]] = []  # (line, text, is a header): to parse
        for number, raw in enumerate(self.lines, 1):
            text = raw.strip()
            if not text:
                continue
            if text.startswith(_BARE_HEADERS):  # `else: x += 1`: the statement after the colon
                text = text.partition(":")[2].strip()
            if text.startswith(_HEADERS):
                if not (text.endswith(":") or "#" in text):
                    continue  # a body on the header's line: the branches cannot be told apart
                header = True
                text = "if" + text[4:] if text[0] == "e" else text  # `elif c:` as `if c:`
            elif ("=" in text or text.startswith("return")) and _MAY_ASSIGN.match(text) \
                    and not text.endswith(","):  # `key=value,`: a call's argument
                header = False
            else:
                continue
            plan = _BY_TEXT.get((text, header), _UNSET)
            if plan is _UNSET:
                quick = None if header else _QUICK.fullmatch(text)
                if quick is None:
                    candidates.append((number, text, header))
                    continue
                plan = _remember_plan(text, header, _quick_plan(*quick.groups()))
            if plan is not None:
                self._place(table, number, plan)
        if not candidates:
            return table
        statements = _parse_together(candidates)
        if statements is None:
            statements = [_parse_alone(text, header) for _, text, header in candidates]
        for (number, text, header), statement in zip(candidates, statements, strict=True):
            plan = _remember_plan(text, header, _statement_plan(statement, header))
            if plan is not None:
                self._place(table, number, plan)
        return table

    def _place(self, table: dict[int, LinePlan], line: int, plan: LinePlan) -> None:
        if plan.check == "test":  # the shared plan of the text, with this header's body
            last = _block_end(self.lines, line)
            if last is None:
                return
            plan = plan.with_body((line + 1, last))
        table[line] = plan


# A line's plan depends on its text only (a test's body lines are added per program), and
# the same lines come back across programs (a mutant is its original but for one line, the
# generators reuse shapes): parsed plans are kept per process, oldest out first.
_BY_TEXT: dict[tuple[str, bool], LinePlan | None] = {}
PLAN_CACHE_SIZE = 4096
_UNSET = object()


def clear_plan_cache() -> None:
    """Forget the plans kept by line text (benchmarks: time first-time tracing)."""
    _BY_TEXT.clear()


def _remember_plan(text: str, header: bool, plan: LinePlan | None) -> LinePlan | None:
    if len(_BY_TEXT) >= PLAN_CACHE_SIZE:
        del _BY_TEXT[next(iter(_BY_TEXT))]
    _BY_TEXT[text, header] = plan
    return plan


def _statement_plan(statement: ast.stmt | None, header: bool) -> LinePlan | None:
    if statement is None:
        return None
    if not header:
        return _plan_for_line(statement)
    if type(statement) not in (ast.If, ast.While):
        return None
    try:
        return _plan(statement.test, "test")
    except (NotPure, KeyError):
        return None


def _source_of(text: str, header: bool) -> str:
    # A header gets a stand-in body on the next line: one written on the header's line
    # then fails to parse, as it should (the branches could not be told apart).
    return text + "\n pass" if header else text


def _parse_together(candidates: list[tuple[int, str, bool]]) -> list[ast.stmt | None] | None:
    """Each candidate's statement from one parse of them all; None if that parse fails."""
    starts: dict[int, int] = {}  # line in the joined source -> candidate index
    lines = []
    for index, (_, text, header) in enumerate(candidates):
        starts[len(lines) + 1] = index
        lines.append(text)
        if header:  # a stand-in body (see _source_of)
            lines.append(" pass")
    try:
        body = ast.parse("\n".join(lines)).body
    except _PARSE_ERRORS:
        return None
    found: list[ast.stmt | None] = [None] * len(candidates)
    seen: set[int] = set()
    for statement in body:
        index = starts.get(statement.lineno)
        if index is None:
            continue  # no top-level statement starts elsewhere; kept for safety
        if statement.lineno not in seen and _on_one_line(statement, candidates[index][2]):
            found[index] = statement
        else:  # `a = 1; b = 2`, or a line spilling into the next (`x = max(`, `key=f)`)
            found[index] = None
        seen.add(statement.lineno)
    return found


def _on_one_line(statement: ast.stmt, header: bool) -> bool:
    if header:
        test = getattr(statement, "test", None)
        return test is not None and test.end_lineno == statement.lineno
    return statement.end_lineno == statement.lineno


def _parse_alone(text: str, header: bool) -> ast.stmt | None:
    try:
        body = ast.parse(_source_of(text, header)).body
    except _PARSE_ERRORS:
        return None
    return body[0] if len(body) == 1 else None


def _indent(raw: str) -> int:
    return len(raw) - len(raw.lstrip()) if "\t" not in raw else len(
        raw.expandtabs(8)) - len(raw.expandtabs(8).lstrip())


def _block_end(lines: list[str], header: int) -> int | None:
    """The last line of the block under the header at line `header` (1-based), by indentation.

    The block ends before the next line that is indented no deeper than the header (blank
    and comment lines do not count). A continuation line written further left than the
    header would end it early; that only narrows the range, so a test whose body ran could
    at worst lose its chain, never gain a wrong one: after a true test the next line is the
    first of the body, right below the header.
    """
    depth = _indent(lines[header - 1])
    last = None
    for number in range(header + 1, len(lines) + 1):
        raw = lines[number - 1]
        stripped = raw.lstrip()
        if not stripped or stripped[0] == "#":
            continue
        if _indent(raw) <= depth:
            break
        last = number
    return last
