"""Evaluation chains: golden spellings, purity refusals and an independent re-check by eval."""

from __future__ import annotations

import ast
import builtins
import random

import pytest

from tracer.expression_chains import ARROW, evaluate_plan
from tracer.line_plans import LinePlans

BUILTINS = vars(builtins)


def chain_of(statement: str, names: dict):
    """The evaluation chain of a one-line statement with `names` as the frame's locals."""
    plan = LinePlans(statement.splitlines()).get(1)
    if plan is None:
        return None
    return evaluate_plan(plan, names, {}, BUILTINS)


@pytest.mark.parametrize(("statement", "names", "expected"), [
    ("total = total + x * 2", {"total": 4, "x": 3}, "total + x * 2 → 4 + 3 * 2 → 4 + 6 → 10"),
    ("y = (-a) ** 2 - -a ** 2", {"a": 3},
     "(-a) ** 2 - -a ** 2 → (-3) ** 2 - -3 ** 2 → 9 - -3 ** 2 → 9 - -9 → 18"),
    ("r = s[1:3].upper() + s[::-1]", {"s": "hey"},
     "s[1:3].upper() + s[::-1] → 'hey'[1:3].upper() + 'hey'[::-1] → 'ey'.upper() + 'hey'[::-1]"
     " → 'EY' + 'hey'[::-1] → 'EY' + 'yeh' → 'EYyeh'"),
    ("ok = i < len(s) and s[i] == 'a'", {"i": 3, "s": "abc"},
     "i < len(s) and s[i] == 'a' → 3 < len('abc') and 'abc'[3] == 'a'"
     " → 3 < 3 and 'abc'[3] == 'a'"
     " → False and 'abc'[3] == 'a' → False"),
    ("v = a if a > b else b", {"a": 1, "b": 5}, "a if a > b else b → 1 if 1 > 5 else 5 → "
     "1 if False else 5 → 5"),
    ("t = max(d.get('k', 0), len(xs))", {"d": {"k": 7}, "xs": [1]},
     "max(d.get('k', 0), len(xs)) → max({'k': 7}.get('k', 0), len([1])) → max(7, len([1]))"
     " → max(7, 1) → 7"),
    ("n += 1", {"n": 41}, "n + 1 → 41 + 1 → 42"),
    ("return not (a == b)", {"a": 1, "b": 1}, "not a == b → not 1 == 1 → not True → False"),
    ("a, b = b, a + b", {"a": 1, "b": 2}, "(b, a + b) → (2, 1 + 2) → (2, 3)"),
])
def test_golden_chains(statement, names, expected):
    chain = chain_of(statement, names)
    assert chain is not None and chain.render() == [expected]


def test_short_circuit_never_evaluates_the_skipped_operand():
    chain = chain_of("q = n > 0 and total / n", {"n": 0, "total": 5})
    assert chain.value is False
    assert chain.render() == [
        "n > 0 and total / n → 0 > 0 and 5 / 0 → False and 5 / 0 → False"]


@pytest.mark.parametrize(("statement", "names"), [
    ("x = lst.append(1)", {"lst": []}),              # mutating method
    ("x = g(1)", {"g": len}),                         # not a whitelisted builtin name
    ("x = [i for i in xs]", {"xs": [1]}),              # comprehension
    ("x = (y := 3)", {}),                             # walrus assigns
    ("x = len(xs)", {"xs": [1], "len": lambda v: 0}),  # shadowed builtin
    ("x = a + 1", {"a": object()}),                   # user-type operand
    ("x = [a] == [b]", {"a": 1, "b": type("T", (), {})()}),
    ("x = s * n", {"s": "ab", "n": 10**9}),            # result too big to compute twice
    ("x = 2 ** n", {"n": 10**7}),
    ("x = 1 / z", {"z": 0}),                          # raises: no chain
    ("x = missing + 1", {}),                          # unbound name
    ("print(x + 1)", {"x": 1}),                       # not a checkable statement
])
def test_impure_or_failing_expressions_have_no_chain(statement, names):
    assert chain_of(statement, names) is None


def test_constants_only_statement_has_no_plan():
    assert LinePlans(["x = 0"]).get(1) is None
    assert LinePlans(["x = 1; y = x + 1"]).get(1) is None  # two statements


def _random_expression(rng: random.Random, depth: int) -> str:
    if depth == 0 or rng.random() < 0.25:
        return rng.choice(["a", "b", "c", str(rng.randint(-3, 9))])
    form = rng.randrange(6)
    left = _random_expression(rng, depth - 1)
    right = _random_expression(rng, depth - 1)
    if form == 0:
        return f"({left} {rng.choice(['+', '-', '*', '//', '%', '&', '|', '^'])} {right})"
    if form == 1:
        return f"({left} ** {rng.randint(0, 3)})"
    if form == 2:
        return f"({rng.choice(['-', '+', '~', 'not '])}{left})"
    if form == 3:
        return f"({left} {rng.choice(['<', '<=', '==', '!=', '>'])} {right})"
    if form == 4:
        return f"({left} {rng.choice(['and', 'or'])} {right})"
    return f"({left} if {_random_expression(rng, depth - 1)} else {right})"


def test_every_stage_of_random_chains_evaluates_to_the_final_value():
    """Independent re-check: each stage is valid Python giving the same value (precedence,
    short-circuit and reduction order are all exercised)."""
    rng = random.Random(20240601)
    names = {"a": 3, "b": -2, "c": 0}
    checked = 0
    for _ in range(400):
        source = _random_expression(rng, 4)
        if isinstance(ast.parse(source, mode="eval").body, ast.Constant):
            continue  # nothing to spell out
        try:
            expected = eval(source, {}, dict(names))
        except ArithmeticError:
            assert chain_of(f"x = {source}", names) is None
            continue
        chain = chain_of(f"x = {source}", names)
        assert chain is not None, source
        assert chain.value == expected and type(chain.value) is type(expected), source
        rendered = chain.render()
        if not rendered:
            continue
        stages = rendered[0].split(ARROW)
        assert ast.dump(ast.parse(stages[0], mode="eval")) == ast.dump(
            ast.parse(source, mode="eval")), source
        for stage in stages:
            assert eval(stage, {}, dict(names)) == expected, (source, stage)
        checked += 1
    assert checked > 300
