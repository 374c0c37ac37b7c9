"""Answer trees: the tiny tuple tree that parsed answers become, and its bounded exact
(rational) and numeric (complex float) evaluation.

A tree is a nested tuple: ('n', Fraction) ('v', name) ('c', name) ('+', terms) ('*', factors)
('/', a, b) ('-', a) ('^', a, b) ('f', name, a) ('!', a). Evaluation refuses what could
blow up (huge exponents, huge exact results) by returning None instead of computing it.
"""

from __future__ import annotations

import cmath
import math
from fractions import Fraction

MAX_EXPONENT = 100
MAX_MAGNITUDE = 1e300

Node = tuple  # ('n', Fraction) ('v', name) ('c', name) ('+', terms) ('*', factors)
#               ('/', a, b) ('-', a) ('^', a, b) ('f', name, a) ('!', a)


def free_names(node: Node) -> set[str]:
    """The variable names a tree uses."""
    if node[0] == "v":
        return {node[1]}
    if node[0] in ("n", "c"):
        return set()
    kids = node[1] if node[0] in ("+", "*") else node[2:] if node[0] == "f" else node[1:]
    return set().union(*(free_names(k) for k in kids))


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


def values_close(a: complex, b: complex) -> bool:
    """Whether two complex values agree to 1e-9 relative (infinities only with themselves)."""
    if cmath.isinf(a) or cmath.isinf(b):
        return a == b
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))
