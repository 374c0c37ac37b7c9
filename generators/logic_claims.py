"""Propositional claims in a step's text, checked by truth tables.

Two shapes of claim are read, written the way the logic tasks write them:
- a valuation: ``p=T, q=F: ¬p = F, ¬p → q = T`` (after the assignment, each
  ``formula = T|F`` must hold under it);
- an inference: ``from (d → t) and (t → v): d → v`` (the premises must entail the
  conclusion: no row of the truth table makes every premise true and the conclusion false).

Formulas use atoms (letters, optionally followed by digits), ``¬ ∧ ∨ → ↔`` (also ``~ & |
-> <->``), ``T``/``F`` and parentheses; precedence ¬ > ∧ > ∨ > → > ↔, → to the right.
Parsing is a small recursive descent under size caps; nothing is `eval`ed.
"""

from __future__ import annotations

import itertools
import re

MAX_FORMULA_CHARS = 300
MAX_ATOMS = 10
_ASCII = (("<->", "↔"), ("->", "→"), ("~", "¬"), ("&", "∧"), ("|", "∨"))
_TOKEN = re.compile(r"\s*(?:([a-z]\d*|[TF])\b|([¬∧∨→↔()]))")
Formula = tuple  # ('atom', name) ('const', bool) ('not', f) (op, a, b) for op in and/or/imp/iff
_BINARY = (("↔", "iff"), ("→", "imp"), ("∨", "or"), ("∧", "and"))


class FormulaError(ValueError):
    """Text that is not a formula of the grammar above."""


def _tokens(text: str) -> list[str]:
    if len(text) > MAX_FORMULA_CHARS:
        raise FormulaError("formula too long")
    for a, b in _ASCII:
        text = text.replace(a, b)
    out, pos, end = [], 0, len(text.rstrip())
    while pos < end:
        m = _TOKEN.match(text, pos)
        if not m:
            raise FormulaError(f"unexpected {text[pos:pos + 1]!r}")
        out.append(m.group(1) or m.group(2))
        pos = m.end()
    return out


def parse_formula(text: str) -> Formula:
    """Parse one formula (see the module docstring); FormulaError when it is not one."""
    tokens = _tokens(text)
    pos = 0

    def peek() -> str | None:
        return tokens[pos] if pos < len(tokens) else None

    def level(k: int, depth: int) -> Formula:
        nonlocal pos
        if depth > 60:
            raise FormulaError("formula nested too deeply")
        if k == len(_BINARY):
            return unary(depth)
        symbol, name = _BINARY[k]
        left = level(k + 1, depth + 1)
        if symbol == "→":  # right-associative
            if peek() == symbol:
                pos += 1
                return (name, left, level(k, depth + 1))
            return left
        while peek() == symbol:
            pos += 1
            left = (name, left, level(k + 1, depth + 1))
        return left

    def unary(depth: int) -> Formula:
        nonlocal pos
        tok = peek()
        if tok is None:
            raise FormulaError("formula ends too early")
        pos += 1
        if tok == "¬":
            return ("not", unary(depth + 1))
        if tok == "(":
            inner = level(0, depth + 1)
            if peek() != ")":
                raise FormulaError("missing )")
            pos += 1
            return inner
        if tok in ("T", "F"):
            return ("const", tok == "T")
        if tok[0].isalpha():
            return ("atom", tok)
        raise FormulaError(f"unexpected {tok!r}")

    formula = level(0, 0)
    if pos != len(tokens):
        raise FormulaError(f"unexpected {tokens[pos]!r} after the formula")
    return formula


def atoms(f: Formula) -> set[str]:
    """The atom names a formula uses."""
    if f[0] == "atom":
        return {f[1]}
    if f[0] == "const":
        return set()
    return set().union(*(atoms(k) for k in f[1:]))


def evaluate(f: Formula, env: dict[str, bool]) -> bool:
    """The formula's truth value under `env` (KeyError for an atom it does not give)."""
    op = f[0]
    if op == "atom":
        return env[f[1]]
    if op == "const":
        return f[1]
    if op == "not":
        return not evaluate(f[1], env)
    a, b = evaluate(f[1], env), evaluate(f[2], env)
    return {"and": a and b, "or": a or b, "imp": (not a) or b, "iff": a == b}[op]


def entails(premises: list[Formula], conclusion: Formula) -> bool:
    """Whether every row that makes all premises true makes the conclusion true."""
    names = sorted(set().union(atoms(conclusion), *(atoms(p) for p in premises)))
    if len(names) > MAX_ATOMS:
        raise FormulaError(f"more than {MAX_ATOMS} atoms")
    for row in itertools.product((True, False), repeat=len(names)):
        env = dict(zip(names, row, strict=True))
        if all(evaluate(p, env) for p in premises) and not evaluate(conclusion, env):
            return False
    return True


_ASSIGNMENT = re.compile(r"^\s*((?:[a-z]\d*\s*=\s*[TF]\s*,\s*)*[a-z]\d*\s*=\s*[TF])\s*:(.*)$", re.S)
_INFERENCE = re.compile(r"^\s*from\s+(.+?):\s*(.+?)\s*(?:\([^()]*\))?\s*$", re.S)


def _split_top(text: str, separator: str) -> list[str]:
    """Split on `separator` outside parentheses."""
    parts, depth, start = [], 0, 0
    i = 0
    while i < len(text):
        ch = text[i]
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0 and text.startswith(separator, i):
            parts.append(text[start:i])
            i += len(separator)
            start = i
            continue
        i += 1
    parts.append(text[start:])
    return parts


def check_logic_step(text: str) -> tuple[bool | None, str]:
    """(True, why) / (False, why) for a valuation or inference step; (None, why) when the
    text holds no claim of either shape that parses."""
    if not isinstance(text, str) or len(text) > 4 * MAX_FORMULA_CHARS:
        return None, "not a step of a known shape"
    try:
        return _check(text)
    except (FormulaError, KeyError, RecursionError) as exc:
        return None, f"not checkable: {exc}"


def _check(text: str) -> tuple[bool | None, str]:
    m = _ASSIGNMENT.match(text)
    if m:
        env = {}
        for part in m.group(1).split(","):
            name, value = (s.strip() for s in part.split("="))
            env[name] = value == "T"
        decided = 0
        for claim in _split_top(m.group(2), ","):
            formula_text, eq, value = claim.rpartition("=")
            if not eq or value.strip() not in ("T", "F"):
                continue
            actual = "T" if evaluate(parse_formula(formula_text), env) else "F"
            if actual != value.strip():
                return False, f"{formula_text.strip()} is {actual} here, not {value.strip()}"
            decided += 1
        return (True, f"{decided} value(s) check out") if decided else (None, "no value claimed")
    m = _INFERENCE.match(text)
    if m:
        premises = [parse_formula(p) for p in _split_top(m.group(1), " and ")]
        conclusion = parse_formula(m.group(2))
        if entails(premises, conclusion):
            return True, "the premises entail the conclusion"
        return False, "the premises do not entail the conclusion"
    return None, "not a step of a known shape"


def describe(f: Formula) -> str:
    """The formula written back with full parentheses."""
    if f[0] == "atom":
        return f[1]
    if f[0] == "const":
        return "T" if f[1] else "F"
    if f[0] == "not":
        return f"¬{describe(f[1])}"
    symbol = {name: s for s, name in _BINARY}[f[0]]
    return f"({describe(f[1])} {symbol} {describe(f[2])})"
