"""The restricted answer grammar: answer text to answer trees (see `answer_trees`).

Answer text is never `eval`ed or `sympify`ed. A hand-written tokenizer and recursive-descent
parser accept numbers (integers, decimals, fractions), a task's variables, `+ - * / ^ **`,
parentheses, implicit multiplication (`2x`, `3(x+1)`), postfix `!` and a fixed set of
functions, and build a tiny tuple tree. Every size is capped (text length, nesting depth,
number length, exponents, magnitudes), so parsing any text is bounded work. Besides single
expressions: lists of values, intervals and matrices.
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any

from generators.answer_trees import (
    MAX_EXPONENT,
    MAX_MAGNITUDE,
    Node,
    exact_value,
    free_names,
    numeric_value,
)

MAX_CHARS = 500
MAX_DEPTH = 40
MAX_NUMBER_DIGITS = 60
FUNCTIONS = ("sin", "cos", "tan", "exp", "log", "ln", "sqrt", "abs", "Abs")
CONSTANTS = {"pi": "pi", "e": "E", "E": "E", "oo": "oo", "inf": "oo", "infinity": "oo"}
WORDS = ("or", "and")

_UNICODE = {"−": "-", "–": "-", "×": "*", "·": "*", "÷": "/", "≤": "<=", "≥": ">=",
            "∞": "oo", "π": "pi", "√": "sqrt", "²": "^2", "³": "^3", "λ": "lambda"}  # fmt: skip
_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d*)?|\.\d+)|([A-Za-z]+)|(\*\*|<=|>=|!=|[-+*/^(),=<>\[\]{}!;|]))")


class ParseError(ValueError):
    """Answer text outside the restricted grammar (the message says why, for the verdict)."""


def tokenize(text: str, names: tuple[str, ...]) -> list[tuple[str, Any]]:
    """Split `text` into ('num', Fraction) / ('name', str) / ('op', str) tokens."""
    if not isinstance(text, str):
        raise ParseError("answer is not text")
    if len(text) > MAX_CHARS:
        raise ParseError(f"answer longer than {MAX_CHARS} characters")
    for a, b in _UNICODE.items():
        text = text.replace(a, b)
    known = sorted(set(names) | set(FUNCTIONS) | set(CONSTANTS) | set(WORDS), key=len, reverse=True)
    tokens: list[tuple[str, Any]] = []
    pos, end = 0, len(text.rstrip())
    while pos < end:
        m = _TOKEN.match(text, pos)
        if not m:
            raise ParseError(f"unexpected character {text[pos:pos + 1]!r}")
        num, name, op = m.groups()
        pos = m.end()
        if num is not None:
            if len(num) > MAX_NUMBER_DIGITS:
                raise ParseError("number too long")
            tokens.append(("num", Fraction(num + "0" if num.endswith(".") else num)))
        elif op is not None:
            tokens.append(("op", op))
        else:  # split runs like `xy` or `sinx` into known names, longest first
            while name:
                piece = next((k for k in known if name.startswith(k)), None)
                if piece is None:
                    raise ParseError(f"unknown name {name[:20]!r}")
                tokens.append(("name", piece))
                name = name[len(piece):]
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, Any]], variables: tuple[str, ...]) -> None:
        self.toks, self.i, self.depth, self.vars = tokens, 0, 0, variables

    def peek(self) -> tuple[str, Any] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self, op: str | None = None) -> tuple[str, Any]:
        tok = self.peek()
        if tok is None or (op is not None and tok != ("op", op)):
            raise ParseError(f"expected {op or 'more'} at token {self.i}")
        self.i += 1
        return tok

    def at(self, op: str) -> bool:
        return self.peek() == ("op", op)

    def expr(self) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ParseError(f"nested deeper than {MAX_DEPTH}")
        terms = [self.term()]
        while self.at("+") or self.at("-"):
            neg = self.take()[1] == "-"
            t = self.term()
            terms.append(("-", t) if neg else t)
        self.depth -= 1
        return terms[0] if len(terms) == 1 else ("+", tuple(terms))

    def term(self) -> Node:
        node = self.unary()
        while True:
            tok = self.peek()
            if tok in (("op", "*"), ("op", "/")):
                self.take()
                rhs = self.unary()
                node = _mul(node, rhs) if tok[1] == "*" else ("/", node, rhs)
            elif tok and ((tok[0] in ("num", "name") and tok[1] not in WORDS) or tok == ("op", "(")):
                node = _mul(node, self.power())  # implicit multiplication: 2x, (x+1)(x-1)
            else:
                return node

    def unary(self) -> Node:
        if self.at("-") or self.at("+"):
            neg = self.take()[1] == "-"
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise ParseError(f"nested deeper than {MAX_DEPTH}")
            inner = self.unary()
            self.depth -= 1
            return ("-", inner) if neg else inner
        return self.power()

    def power(self) -> Node:
        base = self.postfix()
        if self.at("^") or self.at("**"):
            self.take()
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise ParseError(f"nested deeper than {MAX_DEPTH}")
            exponent = self.unary()
            self.depth -= 1
            return _checked_pow(base, exponent)
        return base

    def postfix(self) -> Node:
        node = self.atom()
        while self.at("!"):
            self.take()
            v = exact_value(node, {})
            if v is None or v.denominator != 1 or not 0 <= v <= 170:
                raise ParseError("factorial needs a whole number from 0 to 170")
            node = ("!", node)
        return node

    def atom(self) -> Node:
        kind, val = self.take()
        if kind == "num":
            return ("n", val)
        if kind == "name":
            if val in FUNCTIONS:
                power = None
                if self.at("^") or self.at("**"):  # sin^2(x) means (sin x)^2
                    self.take()
                    power = self.atom()
                arg = self.paren() if self.at("(") else self.unary()
                node = ("f", {"ln": "log", "Abs": "abs"}.get(val, val), arg)
                return node if power is None else _checked_pow(node, power)
            if val in self.vars:
                return ("v", val)
            if val in CONSTANTS:
                return ("c", CONSTANTS[val])
            raise ParseError(f"{val!r} is not allowed here")
        if val == "(":
            self.i -= 1
            return self.paren()
        if val == "{":  # e^{2x}: braces group like parentheses
            inner = self.expr()
            self.take("}")
            return inner
        if val == "|":
            inner = self.expr()
            self.take("|")
            return ("f", "abs", inner)
        raise ParseError(f"unexpected {val!r}")

    def paren(self) -> Node:
        self.take("(")
        inner = self.expr()
        self.take(")")
        return inner


def _mul(a: Node, b: Node) -> Node:
    return ("*", (a[1] if a[0] == "*" else (a,)) + (b,))


def _checked_pow(base: Node, exponent: Node) -> Node:
    """Refuse powers whose size could blow up evaluation (`9^9^9`, `x^(10^10)`)."""
    e = numeric_value(exponent, {}) if not free_names(exponent) else None
    if e is not None and abs(e) > MAX_EXPONENT:
        raise ParseError(f"exponent larger than {MAX_EXPONENT}")
    node = ("^", base, exponent)
    if not free_names(node):
        v = numeric_value(node, {})
        if v is not None and abs(v) > MAX_MAGNITUDE:
            raise ParseError("number too large")
    return node


def _check_length(text: str) -> None:
    # before any regular expression runs on the text
    if not isinstance(text, str) or len(text) > MAX_CHARS:
        raise ParseError(f"answer is not text of at most {MAX_CHARS} characters")


def parse_expression(text: str, variables: tuple[str, ...] = ("x",)) -> Node:
    """Parse one expression; a leading `x =`, `y =` or `f'(x) =` is dropped."""
    text = text.strip().rstrip(".")
    if text.count("=") == 1 and "<" not in text and ">" not in text:
        left, right = text.split("=")
        if len(left) < 24 and re.fullmatch(r"[\w'\s()/]*", left):
            text = right
    tokens = tokenize(text, variables)
    p = _Parser(tokens, variables)
    node = p.expr()
    if p.peek() is not None:
        raise ParseError(f"unexpected {p.peek()[1]!r} after the expression")
    return node


def parse_values(text: str, name: str = "x") -> list[Node]:
    """Parse a list/set of constants: `{1, 2}`, `1, 2`, `x = 1 or x = 2`, `x = 1 ± 2`."""
    _check_length(text)
    text = text.strip().rstrip(".").replace("+-", "±").replace("+/-", "±")
    if text[:1] in "{[(" and text[-1:] in "}])":
        text = text[1:-1]
    parts = [p for p in re.split(r",|;|\bor\b|\band\b", text) if p.strip()]
    if not parts or len(parts) > 10:
        raise ParseError("expected 1 to 10 values")
    values = []
    for part in parts:
        part = part.strip()
        if part.startswith(name) and part[len(name):].lstrip().startswith("="):
            part = part.split("=", 1)[1]
        halves = [part.replace("±", "+", 1), part.replace("±", "-", 1)] if "±" in part else [part]
        for half in halves:
            node = parse_expression(half, ())
            values.append(node)
    return values


def parse_interval(text: str, var: str = "x") -> tuple[Fraction | None, bool, Fraction | None, bool]:
    """Parse `(-oo, 3]`, `x < 3`, `3 >= x` or `2 < x <= 5` into (lo, lo_closed, hi, hi_closed);
    None stands for an infinite end. Endpoints must be rational."""
    _check_length(text)
    text = text.strip().rstrip(".").replace("≤", "<=").replace("≥", ">=")
    text = re.sub(rf"^{re.escape(var)}\s*(∈|in)\s*", "", text)
    m = re.fullmatch(r"([\[(])(.*),(.*)([\])])", text)
    if m:
        lo, hi = _endpoint(m.group(2)), _endpoint(m.group(3))
        return lo, m.group(1) == "[" and lo is not None, hi, m.group(4) == "]" and hi is not None
    pieces = re.split(r"(<=|>=|<|>)", text)
    if len(pieces) not in (3, 5) or [p.strip() for p in pieces[::2]].count(var) != 1:
        raise ParseError(f"expected an interval like (-oo, 3] or {var} < 3")
    lo, lo_closed, hi, hi_closed = None, False, None, False
    for left, op, right in zip(pieces[0:-1:2], pieces[1::2], pieces[2::2], strict=True):
        left, right = left.strip(), right.strip()
        if op.startswith(">"):  # a > b is b < a
            left, right, op = right, left, "<" + op[1:]
        if left == var:
            hi, hi_closed = _endpoint(right), op == "<="
        elif right == var:
            lo, lo_closed = _endpoint(left), op == "<="
        else:
            raise ParseError("each comparison must involve the variable")
    return lo, lo_closed and lo is not None, hi, hi_closed and hi is not None


def _endpoint(text: str) -> Fraction | None:
    node = parse_expression(text, ())
    if node in (("c", "oo"), ("-", ("c", "oo"))):
        return None
    v = exact_value(node, {})
    if v is None:
        raise ParseError("interval ends must be rational numbers or oo")
    return v


def parse_matrix(text: str) -> list[list[Node]]:
    """Parse `[[1, 2], [3, 4]]` (also `Matrix([[...]])` or round brackets) into rows."""
    _check_length(text)
    text = re.sub(r"^\s*Matrix\s*\((.*)\)\s*$", r"\1", text.strip(), flags=re.S)
    rows = re.findall(r"[\[(]([^\[\]()]*(?:\([^()]*\)[^\[\]()]*)*)[\])]", text.strip()[1:-1])
    if text.strip()[:1] not in "[(" or not rows or len(rows) > 6:
        raise ParseError("expected a matrix like [[1, 2], [3, 4]]")
    out = [[parse_expression(c, ()) for c in row.split(",")] for row in rows]
    if len({len(r) for r in out}) != 1:
        raise ParseError("matrix rows have different lengths")
    return out
