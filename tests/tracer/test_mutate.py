"""Mutation operators (source only, nothing runs) and trace divergence on hand-made traces."""

from __future__ import annotations

import ast
import functools
import random

import pytest

from tracer.divergence import first_divergence
from tracer.mutate import OPERATORS, all_mutants, canonical, sample_mutants

# One program that gives every operator somewhere to apply.
PROGRAM = """\
def helper(a, b):
    return a - b

def f(xs, n):
    total = 0
    for i in range(n):
        if xs[i] > 2 and i != 1:
            total += xs[i] * 2
        elif xs[i] == 0 or i < 1:
            continue
        else:
            break
    diff = helper(total, n)
    return diff
"""


@functools.cache
def _mutants() -> list:
    return all_mutants(PROGRAM)


def test_every_operator_applies():
    assert {m.operator for m in _mutants()} == set(OPERATORS)


@pytest.mark.parametrize(
    ("operator", "line", "mutated"),
    [
        ("arith_swap", 2, "return a + b"),
        ("arith_swap", 8, "total -= xs[i] * 2"),
        ("comparison_boundary", 7, "if xs[i] >= 2 and i != 1:"),
        ("comparison_boundary", 7, "if xs[i] > 2 and i == 1:"),
        ("constant_off_by_one", 5, "total = 1"),
        ("range_off_by_one", 6, "for i in range(n + 1):"),
        ("range_off_by_one", 6, "for i in range(n - 1):"),
        ("negate_condition", 7, "if not (xs[i] > 2 and i != 1):"),
        ("and_or_swap", 9, "elif xs[i] == 0 and i < 1:"),
        ("wrong_variable", 13, "diff = helper(n, n)"),
        ("delete_statement", 8, "pass"),
        ("swap_arguments", 13, "diff = helper(n, total)"),
        ("wrong_return", 14, "return total"),
        ("index_shift", 8, "total += xs[i + 1] * 2"),
        ("index_shift", 9, "elif xs[i - 1] == 0 or i < 1:"),
        ("break_continue", 10, "break"),
        ("break_continue", 12, "continue"),
    ],
)
def test_golden_mutants(operator, line, mutated):
    found = {(m.operator, m.line, m.mutated_line) for m in _mutants()}
    assert (operator, line, mutated) in found


def test_each_mutant_changes_exactly_its_line():
    original = canonical(PROGRAM).splitlines()
    for m in _mutants():
        lines = m.code.splitlines()
        assert len(lines) == len(original)
        diff = [k + 1 for k, (a, b) in enumerate(zip(original, lines, strict=True)) if a != b]
        assert diff == [m.line], m
        assert original[m.line - 1].strip() == m.original_line
        assert lines[m.line - 1].strip() == m.mutated_line
        ast.parse(m.code)  # every mutant is valid Python


def test_mutants_are_distinct_and_never_the_original():
    codes = [m.code for m in _mutants()]
    assert len(codes) == len(set(codes))
    assert canonical(PROGRAM) not in codes


def test_wrong_variable_only_uses_names_bound_earlier():
    for m in _mutants():
        if m.operator == "wrong_variable" and m.line == 5:
            pytest.fail(f"line 5 binds the first local; nothing earlier to swap in: {m}")
    # `xs[...]` as a subscript base is never swapped (that makes a TypeError, not a bug).
    assert not any(m.operator == "wrong_variable" and m.mutated_line.startswith("total += n[")
                   for m in _mutants())


def test_range_shift_folds_constants():
    code = "def f(n):\n    for i in range(1, n - 1):\n        pass\n"
    lines = {m.mutated_line for m in all_mutants(code, ("range_off_by_one",))}
    assert lines == {"for i in range(1, n):", "for i in range(1, n - 2):", "for i in range(2, n - 1):"}


def test_sample_is_deterministic_and_spread_over_operators():
    a = sample_mutants(PROGRAM, random.Random(7), 6)
    b = sample_mutants(PROGRAM, random.Random(7), 6)
    assert a == b
    assert len(a) == 6 and len({m.code for m in a}) == 6
    many = [sample_mutants(PROGRAM, random.Random(s), 1)[0].operator for s in range(200)]
    # wrong_variable has by far the most sites; drawing operators first keeps it from dominating.
    assert len(set(many)) == len(OPERATORS)
    assert max(many.count(op) for op in OPERATORS) < 50


def test_no_sites_gives_no_mutants():
    assert all_mutants("def f():\n    pass\n") == []
    assert sample_mutants("def f():\n    pass\n", random.Random(0), 3) == []


# Divergence on hand-made traces (the shape of tracer.interpreter's Trace.to_dict()).


def _step(i, line, locals_, event="line", changed=(), value=None, source="x"):
    return {"index": i, "event": event, "line": line, "source": source, "func": "f", "depth": 0,
            "locals": dict(locals_), "changed": list(changed), "stdout_len": 0, "evals": [],
            "value": value}


def _trace(steps, ret="3", status="ok"):
    return {"status": status, "steps": steps, "return_repr": ret, "exception": None, "stdout": ""}


BASE = [_step(0, 1, {"n": "2"}, "call"), _step(1, 2, {"n": "2", "t": "0"}, changed=["t"]),
        _step(2, 3, {"n": "2", "t": "3"}, changed=["t"]), _step(3, 3, {"n": "2", "t": "3"}, "return", value="3")]


def test_identical_traces_do_not_diverge():
    assert first_divergence(_trace(BASE), _trace([dict(s) for s in BASE])) is None


def test_source_and_evals_alone_are_not_divergence():
    other = [dict(s) for s in BASE]
    other[1] = {**other[1], "source": "t = 0 * 1", "evals": ["0 * 1 → 0"]}
    assert first_divergence(_trace(BASE), _trace(other)) is None


def test_value_divergence_names_variable():
    other = [dict(s) for s in BASE]
    other[2] = _step(2, 3, {"n": "2", "t": "4"}, changed=["t"])
    d = first_divergence(_trace(BASE), _trace(other))
    assert (d.position, d.step, d.phase, d.line, d.variable, d.expected, d.actual) == (
        2, 2, "", 3, "t", "3", "4")
    assert d.describe() == "step 2, line 3, var t: expected 3, got 4"


def test_control_flow_and_length_divergence():
    other = [dict(s) for s in BASE]
    other[2] = _step(2, 5, {"n": "2", "t": "0"})
    d = first_divergence(_trace(BASE), _trace(other))
    assert (d.step, d.variable, d.expected, d.actual) == (2, "<line>", "L3", "L5")
    d = first_divergence(_trace(BASE), _trace(BASE[:2], status="truncated"))
    assert (d.position, d.step, d.variable) == (2, 2, "<end>")


def test_return_value_divergence_is_at_the_return_step():
    other = [dict(s) for s in BASE]
    other[3] = {**other[3], "value": "4"}
    d = first_divergence(_trace(BASE), _trace(other, ret="4"))
    assert (d.step, d.variable, d.expected, d.actual) == (3, "<return>", "3", "4")


def _nested_trace(inner_value):
    # L2 `h = g(n)` calls g (depth 1), which returns; L2 is then done with h set.
    steps = [_step(0, 1, {"n": "2"}, "call", changed=["n"]),
             _step(1, 2, {"n": "2", "h": inner_value}, changed=["h"]),
             {**_step(2, 5, {"v": "2"}, "call", changed=["v"]), "func": "g", "depth": 1},
             {**_step(3, 6, {"v": "2"}), "func": "g", "depth": 1},
             {**_step(4, 6, {"v": "2"}, "return", value=inner_value), "func": "g", "depth": 1},
             _step(5, 3, {"n": "2", "h": inner_value}),
             _step(6, 3, {"n": "2", "h": inner_value}, "return", value=inner_value)]
    return _trace(steps, ret=inner_value)


def test_display_order_shows_a_calling_line_when_its_call_returns():
    from tracer.divergence import display_order

    order = display_order(_nested_trace("4")["steps"])
    assert order == [(0, ""), (1, "start"), (2, ""), (3, ""), (4, ""), (1, "done"), (5, ""), (6, "")]


def test_divergence_inside_a_call_comes_before_the_calling_line_is_done():
    d = first_divergence(_nested_trace("4"), _nested_trace("5"))
    # The callee's return (position 4) differs before the caller's `h` (position 5) is shown.
    assert (d.position, d.step, d.phase, d.variable, d.expected, d.actual) == (4, 4, "", "<return>", "4", "5")
