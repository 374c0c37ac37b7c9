"""Shown arithmetic read as written: `-7^2 - 4·2·4 = 17` is -49 - 32, not 49 - 32.

Our own evaluator over Python's `ast` with exact Fractions; nothing of the generators.
"""

from __future__ import annotations

import ast
import operator
import re
from fractions import Fraction

_OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
        ast.Div: operator.truediv, ast.Pow: operator.pow, ast.FloorDiv: operator.floordiv,
        ast.Mod: operator.mod}
_ALLOWED = re.compile(r"[\d\s+\-−×·÷*/^().]+")
# `arithmetic = number` standing alone: at the start or after `: `, `→ `, `, ` or `; `
SHOWN = re.compile(r"(?:^|(?<=[:→,;] ))([\d\s+\-−×·÷*/^().]+?) = (-?\d+(?:\.\d+)?(?:/\d+)?)(?= ✓|,|$|;| →| ✗|\.$)")


def evaluate(text: str) -> Fraction | None:
    """The exact value of integer/decimal arithmetic as written (ordinary precedence, so
    -7^2 is -49), or None when the text is not plain arithmetic."""
    text = text.strip()
    if not _ALLOWED.fullmatch(text) or not re.search(r"\d", text):
        return None
    src = text.replace("−", "-").replace("×", "*").replace("·", "*").replace("÷", "/").replace("^", "**")
    try:
        return _ev(ast.parse(src, mode="eval").body)
    except (SyntaxError, ValueError, ZeroDivisionError, TypeError, OverflowError):
        return None


def _ev(node: ast.AST) -> Fraction:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float) and not isinstance(node.value, bool):
        return Fraction(str(node.value))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        v = _ev(node.operand)
        return -v if isinstance(node.op, ast.USub) else v
    if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
        left, right = _ev(node.left), _ev(node.right)
        if isinstance(node.op, ast.Pow):
            if right.denominator != 1 or abs(right) > 64:
                raise ValueError("power too large to check")
            return left ** int(right)
        return _OPS[type(node.op)](left, right)
    raise ValueError("not arithmetic")


def shown_equalities(text: str) -> list[tuple[str, str, bool]]:
    """Every `arithmetic = number` in `text` that has an operator: (lhs, rhs, holds)."""
    out = []
    for lhs, rhs in SHOWN.findall(text):
        lhs = lhs.strip()
        if not re.search(r"\d\s*[+\-−×·÷*/^]\s*\(?-?\d", lhs):
            continue
        value = evaluate(lhs)
        if value is None:
            continue
        out.append((lhs, rhs, value == Fraction(rhs)))
    return out
