"""Safe symbolic answers: a restricted grammar for answer text, exact/numeric comparison,
and the small step-building helpers the sympy math tasks share.

Answer text is never `eval`ed or `sympify`ed. A hand-written tokenizer and recursive-descent
parser accept numbers (integers, decimals, fractions), a task's variables, `+ - * / ^ **`,
parentheses, implicit multiplication (`2x`, `3(x+1)`), postfix `!` and a fixed set of
functions, and build a tiny tuple tree. Every size is capped (text length, nesting depth,
number length, exponents, magnitudes), so parsing and evaluating any text is bounded work.
Trees are compared by exact rational evaluation where possible and by complex floating
evaluation at fixed points otherwise; `to_sympy` builds sympy objects node by node.
LaTeX answers are read by math_verify's LaTeX parser under a deadline, then compared the
same way. Sections: grammar, comparison, LaTeX, step building (`Trace`, `claim`), verdicts.
"""

from __future__ import annotations

import cmath
import logging
import math
import re
import signal
import threading
from collections.abc import Callable
from fractions import Fraction
from functools import lru_cache
from typing import Any

MAX_CHARS = 500
MAX_DEPTH = 40
MAX_NUMBER_DIGITS = 60
MAX_EXPONENT = 100
MAX_MAGNITUDE = 1e300
FUNCTIONS = ("sin", "cos", "tan", "exp", "log", "ln", "sqrt", "abs", "Abs")
CONSTANTS = {"pi": "pi", "e": "E", "E": "E", "oo": "oo", "inf": "oo", "infinity": "oo"}
WORDS = ("or", "and")
# Irrational-looking sample points keep accidental agreement and singularities unlikely.
POINTS = (0.5377, 1.8339, -2.2588, 0.8622, 0.3188, 2.7694, -1.3077)
# Exact points with small denominators keep rational evaluation cheap (x^5 stays small).
RATIONAL_POINTS = tuple(Fraction(n, d) for n, d in ((7, 13), (11, 6), (-9, 4), (6, 7), (4, 13),
                                                     (36, 13), (-17, 13)))  # fmt: skip

_UNICODE = {"−": "-", "–": "-", "×": "*", "·": "*", "÷": "/", "≤": "<=", "≥": ">=",
            "∞": "oo", "π": "pi", "√": "sqrt", "²": "^2", "³": "^3", "λ": "lambda"}  # fmt: skip
_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d*)?|\.\d+)|([A-Za-z]+)|(\*\*|<=|>=|!=|[-+*/^(),=<>\[\]{}!;|]))")

Node = tuple  # ('n', Fraction) ('v', name) ('c', name) ('+', terms) ('*', factors)
#               ('/', a, b) ('-', a) ('^', a, b) ('f', name, a) ('!', a)


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


def free_names(node: Node) -> set[str]:
    """The variable names a tree uses."""
    if node[0] == "v":
        return {node[1]}
    if node[0] in ("n", "c"):
        return set()
    kids = node[1] if node[0] in ("+", "*") else node[2:] if node[0] == "f" else node[1:]
    return set().union(*(free_names(k) for k in kids))


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


def exact_value(node: Node, env: dict[str, Fraction]) -> Fraction | None:
    """The exact rational value of a tree, or None if it is not (known to be) rational."""
    try:
        return _exact(node, env)
    except (ZeroDivisionError, OverflowError, ValueError):
        return None


def _exact(node: Node, env: dict[str, Fraction]) -> Fraction | None:
    op = node[0]
    if op == "n":
        return node[1]
    if op == "v":
        return env.get(node[1])
    if op in ("c", "f"):
        if op == "f" and node[1] in ("sqrt", "abs"):
            v = _exact(node[2], env)
            if v is None:
                return None
            return abs(v) if node[1] == "abs" else _root(v, 2)
        return None
    if op in ("+", "*"):
        vals = []
        for k in node[1]:
            v = _exact(k, env)
            if v is None:
                return None
            vals.append(v)
        return sum(vals, Fraction(0)) if op == "+" else math.prod(vals, start=Fraction(1))
    if op == "-":
        v = _exact(node[1], env)
        return None if v is None else -v
    if op == "!":
        v = _exact(node[1], env)
        return None if v is None else Fraction(math.factorial(int(v)))
    a, b = _exact(node[1], env), _exact(node[2], env)
    if a is None or b is None:
        return None
    if op == "/":
        return a / b
    if b.denominator == 1:  # a ^ integer, refused when the exact result would be huge in digits
        size = a.numerator.bit_length() + a.denominator.bit_length()
        if abs(b) > MAX_EXPONENT or size * abs(b) > 20000:
            return None
        return a ** int(b)
    r = _root(a, b.denominator)
    return None if r is None or abs(b.numerator) > MAX_EXPONENT else r ** b.numerator


def _root(v: Fraction, n: int) -> Fraction | None:
    if v < 0 or n > 8:
        return None
    num, den = round(v.numerator ** (1 / n)), round(v.denominator ** (1 / n))
    return Fraction(num, den) if num**n == v.numerator and den**n == v.denominator else None


_CMATH = {"sin": cmath.sin, "cos": cmath.cos, "tan": cmath.tan, "exp": cmath.exp,
          "log": cmath.log, "sqrt": cmath.sqrt, "abs": abs}  # fmt: skip
_CONST = {"pi": math.pi, "E": math.e, "oo": math.inf}


def numeric_value(node: Node, env: dict[str, float]) -> complex | None:
    """The complex value of a tree at `env`, or None where undefined or out of range."""
    try:
        v = _num(node, env)
    except (ZeroDivisionError, OverflowError, ValueError, TypeError):
        return None
    return None if v is None or cmath.isnan(v) else v


def _num(node: Node, env: dict[str, float]) -> complex:
    op = node[0]
    if op == "n":
        return complex(node[1])
    if op == "v":
        return complex(env[node[1]]) if node[1] in env else complex("nan")
    if op == "c":
        return complex(_CONST[node[1]])
    if op == "+":
        return sum((_num(k, env) for k in node[1]), 0j)
    if op == "*":
        out = 1 + 0j
        for k in node[1]:
            out *= _num(k, env)
        return out
    if op == "-":
        return -_num(node[1], env)
    if op == "/":
        return _num(node[1], env) / _num(node[2], env)
    if op == "f":
        arg = _num(node[2], env)
        if node[1] == "exp" and arg.real > 700:
            raise OverflowError
        return complex(_CMATH[node[1]](arg))
    if op == "!":
        return complex(math.factorial(int(_num(node[1], env).real)))
    base, exponent = _num(node[1], env), _num(node[2], env)
    if abs(exponent) > MAX_EXPONENT or (base == 0 and exponent.real <= 0):
        raise ValueError
    if exponent.imag == 0 and exponent.real == int(exponent.real):
        return base ** int(exponent.real)
    return base**exponent


def _close(a: complex, b: complex) -> bool:
    if cmath.isinf(a) or cmath.isinf(b):
        return a == b
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def same_value(got: Node, want: Node) -> bool:
    """Whether two constant trees are equal: exactly when both are rational; otherwise to
    1e-9 relative, confirmed by sympy when only one side is rational (so a decimal never
    matches an irrational value)."""
    a, b = exact_value(got, {}), exact_value(want, {})
    if a is not None and b is not None:
        return a == b
    va, vb = numeric_value(got, {}), numeric_value(want, {})
    if va is None or vb is None or not _close(va, vb):
        return False
    if a is None and b is None:
        return True
    return bool(with_deadline(lambda: _sympy_zero(to_sympy(got) - to_sympy(want)), 0.5, False))


def _sympy_zero(expr: Any) -> bool:
    import sympy

    return sympy.nsimplify(sympy.simplify(expr)) == 0


def same_function(got: Node, want: Node, variables: tuple[str, ...] = ("x",),
                  up_to_constant: bool = False, above: float | None = None,
                  n_points: int = len(POINTS)) -> bool:
    """Whether two trees agree as functions of `variables` at every sample point (exactly at
    rational points when both are rational functions). With `up_to_constant`, their
    difference must be the same constant at every point. With `above`, the points lie
    above that value (a domain such as x > 3 where `log(x - 3)` is real)."""
    diffs: list[tuple[complex, float]] = []
    for k in range(min(n_points, len(POINTS))):
        env = {v: POINTS[(k + 3 * i) % len(POINTS)] for i, v in enumerate(variables)}
        if above is not None:
            env = {v: above + abs(p) for v, p in env.items()}
        if not up_to_constant and above is None:
            exact_env = {v: RATIONAL_POINTS[(k + 3 * i) % len(POINTS)] for i, v in enumerate(variables)}
            ea, eb = exact_value(got, exact_env), exact_value(want, exact_env)
            if ea is not None and eb is not None:
                if ea != eb:
                    return False
                continue
        a, b = numeric_value(got, env), numeric_value(want, env)
        if (a is None) != (b is None):
            return False
        if a is not None and b is not None:
            if cmath.isinf(a) or cmath.isinf(b):
                return False
            if not up_to_constant and not _close(a, b):
                return False
            diffs.append((a - b, max(1.0, abs(a), abs(b))))
    if up_to_constant:  # tolerance relative to the values, not to their (cancelled) difference
        return bool(diffs) and all(abs(d - diffs[0][0]) <= 1e-9 * max(m, diffs[0][1])
                                   for d, m in diffs)
    return True


def to_sympy(node: Node) -> Any:
    """Build the sympy object of a parsed tree node by node (never from text)."""
    import sympy

    op = node[0]
    if op == "n":
        return sympy.Rational(node[1].numerator, node[1].denominator)
    if op == "v":
        return sympy.Symbol(node[1])
    if op == "c":
        return {"pi": sympy.pi, "E": sympy.E, "oo": sympy.oo}[node[1]]
    if op == "+":
        return sympy.Add(*(to_sympy(k) for k in node[1]))
    if op == "*":
        return sympy.Mul(*(to_sympy(k) for k in node[1]))
    if op == "-":
        return -to_sympy(node[1])
    if op == "/":
        return to_sympy(node[1]) / to_sympy(node[2])
    if op == "!":
        return sympy.factorial(to_sympy(node[1]))
    if op == "f":
        return getattr(sympy, "Abs" if node[1] == "abs" else node[1])(to_sympy(node[2]))
    return sympy.Pow(to_sympy(node[1]), to_sympy(node[2]))


class _Timeout(Exception):
    pass


def with_deadline(fn: Callable[[], Any], seconds: float, default: Any) -> Any:
    """Run `fn()`; return `default` if it raises or runs past `seconds`. The bound uses
    SIGALRM in the main thread; elsewhere callers must keep `fn` bounded by construction."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        try:
            return fn()
        except Exception:
            return default

    def _alarm(signum: int, frame: Any) -> None:
        raise _Timeout

    old = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return fn()
    except Exception:  # includes _Timeout and sympy's own errors
        return default
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def looks_like_latex(text: str) -> bool:
    return isinstance(text, str) and ("\\" in text or "$" in text)


_NESTED_EXPONENT = re.compile(r"\^\s*\{[^{}]*\^|\^\s*\{?\s*-?\d{4,}|\d{61,}")


def _latex_text_safe(text: str) -> bool:
    """Refuse LaTeX whose evaluation could block inside one C-level operation (a SIGALRM
    deadline cannot interrupt `9^(9^9)`): nested or huge exponents, huge literals."""
    return text.count("^") <= 10 and text.count("!") <= 3 and not _NESTED_EXPONENT.search(text)


def _sympy_small(expr: Any) -> bool:
    """Whether a parsed sympy object is small enough to compare: few nodes, bounded powers."""
    import sympy

    try:
        for count, node in enumerate(sympy.preorder_traversal(expr)):
            if count > 300:
                return False
            if isinstance(node, sympy.Pow) and node.exp.is_Number and abs(node.exp) > MAX_EXPONENT:
                return False
            if isinstance(node, sympy.Integer) and abs(int(node)) > 10**60:
                return False
            if isinstance(node, sympy.factorial):
                return False
    except Exception:
        return False
    return True


def parse_latex(text: str, seconds: float = 0.8) -> list[Node]:
    """Trees of a LaTeX answer (one per listed value), read by `math_verify`'s LaTeX parser
    under `with_deadline` (its own signal timeouts off; LaTeX extraction only, since its
    plain-expression extractor would hand the text to sympy's parser). Comparison then
    goes through the same code as plain answers. Raises ParseError when unreadable."""
    if len(text) > MAX_CHARS or not _latex_text_safe(text):
        raise ParseError("LaTeX answer too long or with nested/huge exponents")

    def run() -> list[Node] | None:
        import sympy
        from math_verify import LatexExtractionConfig, parse

        logging.getLogger("math_verify").setLevel(logging.ERROR)
        # a bare \log is the natural log (sympy's printer and calculus usage); math_verify
        # would read it as base 10
        natural = re.sub(r"\\log(?!_)", r"\\ln", text)
        pred = parse(natural, extraction_config=[LatexExtractionConfig()], parsing_timeout=None)
        found = [p for p in pred if not isinstance(p, str)][:1]
        if not found or not _sympy_small(found[0]):
            return None
        obj = found[0]
        items = list(obj.args) if isinstance(obj, (sympy.FiniteSet, sympy.Tuple)) else [obj]
        return [from_sympy(it.rhs if isinstance(it, sympy.Eq) else it) for it in items]

    nodes = with_deadline(run, seconds, None)
    if not nodes:
        raise ParseError("unreadable LaTeX answer")
    return nodes


# ---- step building shared by the sympy tasks -------------------------------------------


@lru_cache(maxsize=8192)
def _sstr(expr: Any) -> str:
    return str(expr)


def fmt(expr: Any) -> str:
    """Answer/step text of a sympy object, in the notation `parse_expression` reads."""
    return _sstr(expr).replace("**", "^")


def from_sympy(expr: Any) -> Node:
    """The tree of a sympy expression (the inverse of `to_sympy` on what it supports)."""
    if expr.is_Rational:
        return ("n", Fraction(int(expr.p), int(expr.q)))
    if expr.is_Float:
        return ("n", Fraction(str(expr)))
    if expr.is_Symbol:
        return ("v", expr.name)
    if expr.is_Add or expr.is_Mul:
        return ("+" if expr.is_Add else "*", tuple(from_sympy(a) for a in expr.args))
    if expr.is_Pow:
        return ("^", from_sympy(expr.base), from_sympy(expr.exp))
    name = type(expr).__name__
    if name in ("Pi", "Exp1"):
        return ("c", "pi" if name == "Pi" else "E")
    if name == "log" and len(expr.args) == 2:  # log(a, b), as math_verify writes ln
        inner = ("f", "log", from_sympy(expr.args[0]))
        return inner if type(expr.args[1]).__name__ == "Exp1" else ("/", inner, ("f", "log", from_sympy(expr.args[1])))
    if name in ("sin", "cos", "tan", "exp", "log", "Abs") and len(expr.args) == 1:
        return ("f", name.lower(), from_sympy(expr.args[0]))
    raise ParseError(f"no tree for sympy {name}")


def sympy_same(a: Any, b: Any) -> bool:
    """Whether sympy objects `a` and `b` are equal. Identical forms cancel in `a - b`;
    polynomial differences are expanded exactly; anything else (quotients, trig, exp) is
    evaluated at sample points, exactly where rational and in complex floats to 1e-9
    otherwise (sympy's `expand` or `evalf` on such forms cost milliseconds each)."""
    import sympy

    if a == b:
        return True
    d = a - b
    if d == 0:
        return True
    syms = tuple(sorted(s.name for s in d.free_symbols))
    if syms and d.is_polynomial():
        return sympy.expand(d) == 0
    try:
        ta, tb = from_sympy(a), from_sympy(b)
    except ParseError:  # zoo, nan, unsupported functions: no claim about them holds
        return False
    # four points suffice for claims built from known parts (tests re-check them with sympy)
    return same_function(ta, tb, syms, n_points=4) if syms else same_value(ta, tb)


def claim(a: Any, b: Any, lhs: str | None = None, checker: str = "sympy_equivalence") -> Any:
    """The Check of the identity `a == b`. Its detail is that identity in sympy syntax (with
    `lhs` as the left side's text when given, e.g. `Derivative(u, x)`), so anyone can
    re-check it independently."""
    from reasoning.schema import Check

    return Check(checker=checker, ok=sympy_same(a, b), detail=f"{lhs or _sstr(a)} == {_sstr(b)}")


@lru_cache(maxsize=4096)
def derivative(expr: Any, var: Any) -> Any:
    """sympy's derivative of `expr`, applying sympy's own rules (`fdiff`, sums, products,
    constant powers) directly: the public `diff` first builds a `Derivative`, whose
    assumption queries cost ~4 ms on a fresh expression, 5-20 times the work itself."""
    import sympy

    if not expr.has(var):
        return sympy.Integer(0)
    if expr == var:
        return sympy.Integer(1)
    if expr.is_Add:
        return sympy.Add(*(derivative(a, var) for a in expr.args))
    if expr.is_Mul:
        args = expr.args
        return sympy.Add(*(sympy.Mul(*args[:k], derivative(a, var), *args[k + 1:])
                           for k, a in enumerate(args) if a.has(var)))
    if expr.is_Pow and not expr.exp.has(var):
        return expr.exp * expr.base ** (expr.exp - 1) * derivative(expr.base, var)
    if isinstance(expr, sympy.Function) and len(expr.args) == 1:
        return expr.fdiff(1) * derivative(expr.args[0], var)
    return expr.diff(var)


def claim_derivative(f: Any, df: Any, var: Any) -> Any:
    """The Check of `d/dvar f == df` (detail `Derivative(f, var) == df`)."""
    return claim(derivative(f, var), df, f"Derivative({_sstr(f)}, {var})")


def exact_claim(lhs: str, value: Fraction | int, truth: Fraction | int) -> Any:
    """The Check of an exact arithmetic claim `lhs == value` whose true value is `truth`."""
    from reasoning.schema import Check

    return Check(checker="exact_arithmetic", ok=value == truth, detail=f"{lhs} == {value}")


class Trace:
    """Collects checked steps; with probability `slip_rate` a step is first proposed with a
    typical slip, which its critic names and the judge rejects before the correct step."""

    def __init__(self, rng: Any, slip_rate: float) -> None:
        self.rng, self.slip_rate = rng, slip_rate
        self.steps: list[Any] = []
        self.error: Any = None

    def add(self, proposal: str, critic: str, check: Any, location: str,
            slip: Callable[[], tuple[str, str, str, Any] | None] | None = None) -> None:
        """Append one step. `slip()` returns (kind, wrong proposal, critic, its check)."""
        from reasoning.schema import InjectedError, Step
        from reasoning.task import Dropped

        if slip is not None and self.slip_rate and self.rng.random() < self.slip_rate:
            wrong = slip()
            if wrong is not None and not wrong[3].ok:  # a "slip" that happens to hold is none
                kind, text, why, check_wrong = wrong
                self.steps.append(Step(proposal=text, critic=why, verdict="reject",
                                       check=check_wrong, slip=kind))
                if self.error is None:
                    self.error = InjectedError(kind=f"slip:{kind}", location=location,
                                               original=proposal, wrong=text,
                                               first_divergent_step=len(self.steps) - 1)
        if not check.ok:
            raise Dropped(f"a correct step failed its check: {check.detail[:80]}")
        self.steps.append(Step(proposal=proposal, critic=critic, verdict="accept", check=check))


def slip_rate_error(rate: float) -> None:
    """Raise the shared ValueError for a bad `slip_rate`."""
    if not 0.0 <= rate <= 1.0:
        raise ValueError(f"slip_rate must lie in [0, 1], got {rate} (e.g. 0.1)")


# ---- verdicts shared by the sympy tasks' verifiers --------------------------------------


def replace_name(node: Node, name: str, by: Node) -> Node:
    """`node` with every variable `name` replaced by the tree `by`."""
    if node == ("v", name):
        return by
    if node[0] in ("n", "v", "c"):
        return node
    if node[0] in ("+", "*"):
        return (node[0], tuple(replace_name(k, name, by) for k in node[1]))
    if node[0] == "f":
        return ("f", node[1], replace_name(node[2], name, by))
    return (node[0], *(replace_name(k, name, by) for k in node[1:]))


def _safely(judge: Callable[[], Any]) -> Any:
    from reasoning.task import Verdict

    try:
        return judge()
    except ParseError as e:
        return Verdict(0.0, f"unreadable answer: {e}")
    except (RecursionError, MemoryError, ArithmeticError, ValueError, TypeError, KeyError):
        return Verdict(0.0, "answer could not be checked")


def verdict_expression(answer: str, expected: str, variables: tuple[str, ...] = ("x",),
                       form: Callable[[Node], bool] | None = None, form_name: str = "") -> Any:
    """Verdict on an expression answer: 1 when equivalent to `expected` (and, if `form` is
    given, written in that form), else 0. LaTeX text goes through math_verify."""
    from reasoning.task import Verdict

    def judge() -> Verdict:
        want = parse_expression(expected, variables)
        if looks_like_latex(answer):
            nodes = parse_latex(answer)
            if len(nodes) != 1 or not free_names(nodes[0]) <= set(variables):
                return Verdict(0.0, "LaTeX answer is not one expression in the allowed variables")
            got = nodes[0]
        else:
            got = parse_expression(answer, variables)
        if not same_function(got, want, variables):
            return Verdict(0.0, "not equivalent to the expected answer")
        if form is not None and not form(got):
            return Verdict(0.0, f"equivalent but not {form_name}")
        return Verdict(1.0, "equivalent")

    return _safely(judge)


def verdict_values(answer: str, expected: list[str], name: str = "x") -> Any:
    """Verdict on a number or a set of numbers (any order, repeats ignored): 1 when the
    answer's values are exactly the expected ones."""
    from reasoning.task import Verdict

    def judge() -> Verdict:
        want = [parse_expression(e, ()) for e in expected]
        got: list[Node] = []
        for g in parse_latex(answer) if looks_like_latex(answer) else parse_values(answer, name):
            if not any(same_value(g, h) for h in got):
                got.append(g)
        if len(got) != len(want):
            return Verdict(0.0, f"expected {len(want)} value(s), got {len(got)}")
        if all(any(same_value(g, w) for g in got) for w in want):
            return Verdict(1.0, "equal")
        return Verdict(0.0, "wrong value(s)")

    return _safely(judge)
