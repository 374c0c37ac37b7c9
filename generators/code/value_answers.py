"""Safe parsing and comparison of Python values written as text (answers and reprs).

Never `eval`s: `ast.literal_eval` on text capped in size and nesting, and values are
compared strictly by type and value (`1`, `1.0` and `True` are different answers), with
dicts compared as mappings (key order does not matter, as in Python).
"""

from __future__ import annotations

import ast
import math
import re
from typing import Any

MAX_ANSWER_CHARS = 20_000
MAX_NESTING = 50
_NO_VALUE = object()


def parse_value(text: str) -> tuple[Any, str]:
    """(value, why): the literal value `text` spells, or `_NO_VALUE` with the reason."""
    if not isinstance(text, str):
        return _NO_VALUE, "answer is not text"
    s = text.strip()
    if not s:
        return _NO_VALUE, "empty answer"
    if len(s) > MAX_ANSWER_CHARS:
        return _NO_VALUE, "answer too long"
    depth = 0
    for ch in s:  # refuse deep nesting before the parser's recursion can
        depth += ch in "([{"
        depth -= ch in ")]}"
        if depth > MAX_NESTING:
            return _NO_VALUE, "answer nested too deeply"
    try:
        return ast.literal_eval(s), "literal"
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError) as exc:
        return _NO_VALUE, f"not a Python literal ({type(exc).__name__})"


def has_value(value: Any) -> bool:
    return value is not _NO_VALUE


def same_value(a: Any, b: Any) -> bool:
    """Strict equality: same types all the way down, dicts as mappings, NaN equals NaN."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        if len(a) != len(b):
            return False
        for key, value in a.items():
            match = [k for k in b if same_value(k, key)]
            if not match or not same_value(b[match[0]], value):
                return False
        return True
    if isinstance(a, set | frozenset):
        return len(a) == len(b) and all(any(same_value(x, y) for y in b) for x in a)
    return a == b


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def compare_repr(answer_text: str, expected_repr: str) -> tuple[bool, str]:
    """Does the answer spell the same value as the recorded repr? Non-literal reprs (such
    as `<Node object>`, or a capped repr) are compared as text with spaces ignored."""
    expected, _ = parse_value(expected_repr)
    if not has_value(expected):
        ok = _squash(answer_text or "") == _squash(expected_repr)
        return ok, "matches the recorded text" if ok else f"expected {expected_repr[:60]}"
    got, why = parse_value(answer_text)
    if not has_value(got):
        return False, why
    if same_value(got, expected):
        return True, "correct"
    return False, f"wrong value: expected {expected_repr[:60]}, got {answer_text.strip()[:60]}"


def perturb_repr(value_repr: str) -> str | None:
    """A nearby but different value, as a repr (for perturbed-answer tests and slips)."""
    value, _ = parse_value(value_repr)
    if not has_value(value):
        return None
    wrong = nearby(value, 1)
    return None if wrong is _NO_VALUE else repr(wrong)


def nearby(value: Any, delta: int) -> Any:
    """A value of the same type that differs from `value` (delta ±1, ±2 picks how)."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + delta
    if isinstance(value, float):
        return value + float(delta)
    if isinstance(value, str):
        return value[:-1] if value and delta < 0 else value + "a"
    if isinstance(value, list | tuple):
        items = list(value)
        if not items:
            items = [0]
        elif isinstance(items[-1], int | float) and not isinstance(items[-1], bool):
            items[-1] = items[-1] + delta
        else:
            items = items[:-1]
        return type(value)(items)
    if value is None:
        return 0
    if isinstance(value, dict):
        if not value:
            return {0: 0}
        key = next(iter(value))
        changed = nearby(value[key], delta)
        return {k: v for k, v in value.items() if k != key} if changed is _NO_VALUE else {**value, key: changed}
    if isinstance(value, set | frozenset):
        return type(value)(sorted(value, key=repr)[1:]) if value else type(value)({0})
    return _NO_VALUE
