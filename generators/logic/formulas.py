"""Propositional formulas as nested tuples: representation, evaluation, text and truth tables.

A formula is ``("var", name)``, ``("not", f)`` or ``(op, a, b)`` with op one of
``and``, ``or``, ``imp``, ``iff``. Tuples are JSON-able as nested lists (see `to_json`)
and fast to evaluate, which keeps the simple tasks far from sympy.
"""

from __future__ import annotations

import itertools
import random
from typing import Any

SYMBOL = {"and": "∧", "or": "∨", "imp": "→", "iff": "↔"}
BINARY = tuple(SYMBOL)
Formula = tuple


def var(name: str) -> Formula:
    return ("var", name)


def neg(f: Formula) -> Formula:
    return ("not", f)


def evaluate(f: Formula, env: dict[str, bool]) -> bool:
    """The truth value of `f` under the assignment `env` (every variable must be in it)."""
    op = f[0]
    if op == "var":
        return env[f[1]]
    if op == "not":
        return not evaluate(f[1], env)
    a, b = evaluate(f[1], env), evaluate(f[2], env)
    if op == "and":
        return a and b
    if op == "or":
        return a or b
    if op == "imp":
        return (not a) or b
    if op == "iff":
        return a == b
    raise ValueError(f"unknown connective {op!r}")


def variables(f: Formula) -> list[str]:
    """The variable names of `f`, sorted (a stable row order for truth tables)."""
    names: set[str] = set()
    stack = [f]
    while stack:
        g = stack.pop()
        if g[0] == "var":
            names.add(g[1])
        else:
            stack.extend(g[1:])
    return sorted(names)


def to_text(f: Formula) -> str:
    """Text with ¬ ∧ ∨ → ↔; every binary subformula is parenthesised, the top one is not."""
    op = f[0]
    if op == "var":
        return f[1]
    if op == "not":
        inner = to_text(f[1])
        return "¬" + (inner if f[1][0] in ("var", "not") else f"({inner})")
    return f"{_wrapped(f[1])} {SYMBOL[op]} {_wrapped(f[2])}"


def _wrapped(f: Formula) -> str:
    return to_text(f) if f[0] in ("var", "not") else f"({to_text(f)})"


def rows(names: list[str]) -> list[dict[str, bool]]:
    """All assignments in textbook order: first variable slowest, T before F."""
    return [dict(zip(names, vals, strict=True))
            for vals in itertools.product((True, False), repeat=len(names))]


def truth_table(f: Formula, names: list[str] | None = None) -> list[bool]:
    """The column of `f` over `rows(names)` (names default to the formula's variables)."""
    return [evaluate(f, env) for env in rows(names if names is not None else variables(f))]


def tf(value: bool) -> str:
    return "T" if value else "F"


def env_text(env: dict[str, bool]) -> str:
    return ", ".join(f"{k}={tf(v)}" for k, v in env.items())


def random_formula(rng: random.Random, names: list[str], depth: int,
                   ops: tuple[str, ...] = BINARY, p_not: float = 0.25) -> Formula:
    """A random formula of at most `depth` binary connectives deep over `names`."""
    if depth <= 0:
        leaf = var(rng.choice(names))
        return neg(leaf) if rng.random() < p_not else leaf
    f = (rng.choice(ops), random_formula(rng, names, depth - 1 - (rng.random() < 0.3), ops, p_not),
         random_formula(rng, names, depth - 1 - (rng.random() < 0.3), ops, p_not))
    return neg(f) if rng.random() < p_not / 2 else f


def subformulas(f: Formula) -> list[Formula]:
    """Non-variable subformulas, innermost first, without repeats (the working columns)."""
    out: list[Formula] = []

    def walk(g: Formula) -> None:
        if g[0] == "var":
            return
        for child in g[1:]:
            walk(child)
        if g not in out:
            out.append(g)

    walk(f)
    return out


def to_json(f: Formula) -> list[Any]:
    return [f[0], f[1]] if f[0] == "var" else [f[0], *(to_json(g) for g in f[1:])]


def from_json(data: list[Any]) -> Formula:
    return ("var", data[1]) if data[0] == "var" else (data[0], *(from_json(g) for g in data[1:]))
