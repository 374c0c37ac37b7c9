"""A restricted grammar for answers that are expressions in n (sequence rules, closed forms).

Integers, `n`, `+ - * / ^` (`**` too), parentheses and implicit products (`2n`, `n(n+1)`).
Caps keep every call short whatever the text: at most 300 characters, 40 levels of
nesting, exponents of at most 64 in size, and numbers of at most 2,000 bits; a deadline
(default 0.2 s) stops evaluation that still runs long. Values are exact fractions.
"""

from __future__ import annotations

import re
import time
from fractions import Fraction

MAX_CHARS = 300
MAX_DEPTH = 40
MAX_EXPONENT = 64
MAX_BITS = 2000
_TOKEN = re.compile(r"\s*(?:(\d+)|(n)|(\*\*|[-+*/^()]))")
_LHS = re.compile(r"^\s*[A-Za-z]\w*\s*(?:_\s*\{?n\}?|\(n\)|\[n\])?\s*=\s*")
Expr = tuple


class _Refused(Exception):
    pass


def _tokens(s: str) -> list[str]:
    out, i = [], 0
    while i < len(s):
        m = _TOKEN.match(s, i)
        if not m or m.end() == i:
            if s[i:].strip() == "":
                break
            raise _Refused(f"unexpected character {s[i]!r}")
        out.append(m.group(m.lastindex))
        i = m.end()
    return ["^" if t == "**" else t for t in out]


class _Parser:
    def __init__(self, tokens: list[str]) -> None:
        self.toks, self.i, self.depth = tokens, 0, 0

    def peek(self) -> str | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> str:
        tok = self.peek()
        if tok is None:
            raise _Refused("expression ends early")
        self.i += 1
        return tok

    def expr(self) -> Expr:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _Refused("expression nested too deeply")
        node = self.term()
        while self.peek() in ("+", "-"):
            node = (self.take(), node, self.term())
        self.depth -= 1
        return node

    def term(self) -> Expr:
        node = self.unary()
        while True:
            tok = self.peek()
            if tok in ("*", "/"):
                node = (self.take(), node, self.unary())
            elif tok == "n" or tok == "(" or (tok is not None and tok.isdigit() and node[0] == ")"):
                node = ("*", node, self.unary())  # implicit product: 2n, n(n+1), (n+1)(n+2)
            else:
                return node

    def unary(self) -> Expr:
        if self.peek() in ("-", "+"):
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise _Refused("expression nested too deeply")
            sign = self.take()
            inner = self.unary()
            self.depth -= 1
            return ("neg", inner) if sign == "-" else inner
        return self.power()

    def power(self) -> Expr:
        base = self.atom()
        if self.peek() == "^":
            self.take()
            return ("^", base, self.unary())  # right-associative: 2^3^2 = 2^9
        return base

    def atom(self) -> Expr:
        tok = self.take()
        if tok.isdigit():
            if len(tok) > 30:
                raise _Refused("number too long")
            return ("int", int(tok))
        if tok == "n":
            return ("n",)
        if tok == "(":
            node = self.expr()
            if self.take() != ")":
                raise _Refused("missing ')'")
            return (")", node)  # kept as a marker so `(a)2` reads as a product
        raise _Refused(f"unexpected {tok!r}")


def parse_expression(text: object) -> tuple[Expr | None, str]:
    """Parse an expression in n (an `a_n =` style left side is allowed); never raises."""
    if not isinstance(text, str):
        return None, "answer is not text"
    s = text.strip().strip("`$*\"'").strip().rstrip(".")
    if len(s) > MAX_CHARS:
        return None, f"expression too long (over {MAX_CHARS} characters)"
    s = _LHS.sub("", s).replace("·", "*").replace("×", "*").replace("−", "-")
    if not s.strip():
        return None, "empty answer"
    try:
        tokens = _tokens(s)
        if not tokens:
            return None, "empty answer"
        parser = _Parser(tokens)
        node = parser.expr()
        if parser.i != len(tokens):
            return None, f"unexpected {tokens[parser.i]!r} after the expression"
        return node, "expression"
    except _Refused as exc:
        return None, str(exc)
    except RecursionError:
        return None, "expression nested too deeply"


def _checked(x: Fraction) -> Fraction:
    if x.numerator.bit_length() > MAX_BITS or x.denominator.bit_length() > MAX_BITS:
        raise _Refused("number too large")
    return x


def _eval(node: Expr, n: int, deadline: float) -> Fraction:
    if time.monotonic() > deadline:
        raise _Refused("evaluation took too long")
    kind = node[0]
    if kind == "int":
        return Fraction(node[1])
    if kind == "n":
        return Fraction(n)
    if kind == ")":
        return _eval(node[1], n, deadline)
    if kind == "neg":
        return -_eval(node[1], n, deadline)
    a, b = _eval(node[1], n, deadline), _eval(node[2], n, deadline)
    if kind == "+":
        return _checked(a + b)
    if kind == "-":
        return _checked(a - b)
    if kind == "*":
        return _checked(a * b)
    if kind == "/":
        if b == 0:
            raise _Refused("division by zero")
        return _checked(a / b)
    if b.denominator != 1 or abs(b) > MAX_EXPONENT:
        raise _Refused(f"exponent must be a whole number of size at most {MAX_EXPONENT}")
    if a == 0 and b < 0:
        raise _Refused("division by zero")
    if abs(a.numerator).bit_length() * abs(int(b)) > MAX_BITS:
        raise _Refused("number too large")
    return _checked(a ** int(b))


def evaluate_expression(node: Expr, n: int, time_limit: float = 0.2) -> tuple[Fraction | None, str]:
    """The exact value of a parsed expression at n; (None, reason) when a cap is hit."""
    try:
        return _eval(node, n, time.monotonic() + time_limit), "value"
    except _Refused as exc:
        return None, str(exc)
    except RecursionError:
        return None, "expression nested too deeply"


def matches_terms(text: object, terms: dict[int, int], time_limit: float = 0.5) -> tuple[bool, str]:
    """Whether the expression `text` gives `terms[n]` at every n; the reason names a miss."""
    node, why = parse_expression(text)
    if node is None:
        return False, why
    deadline = time.monotonic() + time_limit
    for n, expected in terms.items():
        value, why = evaluate_expression(node, n, max(0.0, deadline - time.monotonic()))
        if value is None:
            return False, why
        if value != expected:
            return False, f"at n = {n} the expression gives {value}, expected {expected}"
    return True, "matches every term"
