"""Which lines get an evaluation plan, built from the lines' own text (no program AST)."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from tracer import line_plans
from tracer.interpreter import clear_caches, trace_call
from tracer.line_plans import LinePlans, _plan_for_line, _statement_plan

DATA = Path(__file__).resolve().parents[3] / "shared" / "conformance" / "cruxeval.jsonl"


@pytest.fixture(autouse=True)
def _fresh_plan_cache():
    line_plans.clear_plan_cache()
    yield
    line_plans.clear_plan_cache()


def planned(source: str) -> dict[int, tuple[str, tuple]]:
    """Line -> (check, extra) of every planned line of `source`."""
    table = LinePlans(source.split("\n")).table()
    return {line: (plan.check, plan.body_lines if plan.check == "test" else plan.targets)
            for line, plan in table.items()}


def test_single_statement_lines_and_headers_get_plans():
    source = "\n".join([
        "def f(xs, n):",                  # 1
        "    total = n + 1",              # 2  assign
        "    if total > 3:  # big",       # 3  test, body 4 (a comment does not hide it)
        "        total -= 1",             # 4  augmented assign
        "",                               # 5
        "        # a comment line",       # 6
        "    elif total < 0:",            # 7  test (elif), body 8
        "        total = -total",         # 8
        "    else: total += 2",           # 9  the statement after `else:`
        "    while total > 0:",           # 10 test, body 11
        "        total = total // 2",     # 11
        "    a, b = b, a",                # 12 tuple targets
        "    return total * 2",           # 13 return
    ])
    assert planned(source) == {
        2: ("assign", ("total",)), 3: ("test", (4, 4)), 4: ("assign", ("total",)),
        7: ("test", (8, 8)), 8: ("assign", ("total",)), 9: ("assign", ("total",)),
        10: ("test", (11, 11)), 11: ("assign", ("total",)), 12: ("assign", ("a", "b")),
        13: ("return", ()),
    }


@pytest.mark.parametrize("source", [
    "x = 0",                              # a constant: nothing to spell out
    "x = 1; y = x + 1",                   # two statements on one line
    "if x > 1: y = x + 1",                # a body on the header's line
    "x = [i for i in xs]",                # not a pure expression
    "x = f(y)",                           # a call of the program's own function
    "é = a + 1",                          # a non-ASCII name (see _MAY_ASSIGN)
    "print(a + 1)",                       # not an assignment, return or test
    "for i in range(n + 1):",             # not a test
])
def test_lines_without_a_plan(source):
    assert planned(source) == {}


def test_lines_of_multi_line_statements_get_no_plan():
    source = "\n".join([
        "def f(xs, a, b):",
        "    y = max(",                   # 2: starts a statement over three lines
        "        xs,",                    # 3
        "        key=len)",               # 4: parses alone (`key = len)` does not) ...
        "    r = g(",                     # 5
        "        key=a + b,",             # 6: a call's argument: trailing comma
        "    )",                          # 7
        "    z = min(",                   # 8: spills into the next candidate line:
        "        default=a * b)",         # 9: `z = min(\ndefault=a * b)` parses as one
        "    return a + b",               # 10
    ])
    assert planned(source) == {10: ("return", ())}


def test_a_line_that_fails_the_joint_parse_does_not_cost_the_others_their_plans():
    source = "\n".join([
        "def f(a):",
        "    s = '''",                    # 2: opens a string over lines: the joint parse fails
        "    x = a + 1",                  # 3: inside the string; never runs
        "    '''",
        "    y = a * 2",                  # 5
        "    return y - a",               # 6
    ])
    table = planned(source)
    assert table[5] == ("assign", ("y",)) and table[6] == ("return", ())
    assert 2 not in table


@pytest.mark.parametrize("text", ["return x", "x = y", "x=y", "x += 1", "x -= y", "x *= 3",
                                  "return 7", "x = 5", "return True", "x = None"])
def test_quick_plans_equal_parsed_plans(text):
    quick = LinePlans([text]).table().get(1)
    parsed = _plan_for_line(ast.parse(text).body[0])
    if parsed is None:
        assert quick is None
    else:
        assert (quick.nodes, quick.code, quick.check, quick.targets, quick.names) == (
            parsed.nodes, parsed.code, parsed.check, parsed.targets, parsed.names)


def test_a_header_text_shared_by_programs_gets_each_programs_body():
    first = LinePlans(["while i < n:", "    i += 1"]).table()[1]
    second = LinePlans(["while i < n:", "    i += 1", "    j = i", "k = 0"]).table()[1]
    assert (first.body_lines, second.body_lines) == ((2, 2), (2, 3))
    assert first.code is second.code  # parsed once, kept by text


def test_the_plan_cache_is_bounded_and_cleared_with_the_tracer_caches(monkeypatch):
    monkeypatch.setattr(line_plans, "PLAN_CACHE_SIZE", 3)
    LinePlans([f"x{i} = a + {i}" for i in range(10)]).table()
    assert len(line_plans._BY_TEXT) == 3
    clear_caches()
    assert not line_plans._BY_TEXT


def test_every_candidate_line_of_cruxeval_gets_the_plan_its_own_parse_gives():
    """The joint parse (with its statement-to-line mapping) against one parse per line."""
    programs = [json.loads(line) for line in DATA.read_text().splitlines() if line.strip()]
    compared = 0
    for program in programs:
        lines = program["code"].split("\n")
        table = LinePlans(lines).table()
        for number, raw in enumerate(lines, 1):
            text = raw.strip()
            try:
                body = ast.parse(text).body
            except SyntaxError:
                continue
            if len(body) != 1 or isinstance(body[0], ast.If | ast.While):
                continue
            alone = _statement_plan(body[0], False)
            if alone is None or text.endswith(","):
                assert number not in table, (program["id"], text)
                continue
            assert table[number].nodes == alone.nodes, (program["id"], text)
            compared += 1
    assert compared > 1500


def test_traces_do_not_depend_on_which_program_parsed_a_line_first():
    code = "def f(n):\n    while n > 3:\n        n = n - 2\n    return n\n"
    other = "def g(n):\n    while n > 3:\n        n = n - 2\n        n = n + 1\n    return n\n"
    clear_caches()
    cold = trace_call(code, "f", "9").to_dict()
    clear_caches()
    trace_call(other, "g", "4")  # the same lines, another body: kept by text
    assert trace_call(code, "f", "9").to_dict() == cold
