"""Golden traces of small programs through the tracing interpreter."""

from __future__ import annotations

import json
import sys

import pytest

from tracer.interpreter import (
    MAX_STDOUT,
    Trace,
    parse_arguments,
    trace_call,
    trace_job,
    trace_module,
)
from tracer.values import MAX_CHARS, safe_repr

SUM_PROGRAM = """\
def double(n):
    return n * 2

def f(xs):
    total = 0
    for x in xs:
        total = total + double(x)
    if total > 5:
        print("big", total)
    return total
"""


def test_golden_trace_of_a_call_with_a_helper_function():
    trace = trace_call(SUM_PROGRAM, "f", "[1, 2]", check_src="6")
    assert trace.status == "ok" and trace.return_repr == "6" and trace.check_passed is True
    assert [(s.event, s.line, s.func, s.depth) for s in trace.steps] == [
        ("call", 4, "f", 0), ("line", 5, "f", 0), ("line", 6, "f", 0), ("line", 7, "f", 0),
        ("call", 1, "double", 1), ("line", 2, "double", 1), ("return", 2, "double", 1),
        ("line", 6, "f", 0), ("line", 7, "f", 0),
        ("call", 1, "double", 1), ("line", 2, "double", 1), ("return", 2, "double", 1),
        ("line", 6, "f", 0), ("line", 8, "f", 0), ("line", 9, "f", 0), ("line", 10, "f", 0),
        ("return", 10, "f", 0),
    ]
    steps = trace.steps
    # A line step holds the state after the line ran: line 7 already has the new total.
    assert steps[3].source == "total = total + double(x)"
    assert steps[3].locals == {"xs": "[1, 2]", "total": "2", "x": "1"}
    assert steps[3].changed == ["total"]
    assert steps[7].changed == ["x"] and steps[12].changed == []
    assert steps[5].evals == ["n * 2 → 1 * 2 → 2"] and steps[6].value == "2"
    assert steps[13].evals == ["total > 5 → 6 > 5 → True"]
    assert steps[3].evals == []  # calls a user function: not side-effect free
    assert steps[13].stdout_len == 0 and steps[14].stdout_len == len("big 6\n")
    assert trace.stdout == "big 6\n"
    assert [s.index for s in steps] == list(range(len(steps))) and trace.n_steps == 17


def test_check_fails_on_a_wrong_expected_value():
    assert trace_call(SUM_PROGRAM, "f", "[1, 2]", check_src="7").check_passed is False


def test_uncaught_exception_is_recorded_and_ends_the_run():
    code = "def f(d):\n    x = 1\n    return d['missing']\n"
    trace = trace_call(code, "f", "{}", check_src="1")
    assert trace.status == "exception" and trace.exception == "KeyError: 'missing'"
    assert trace.check_passed is False and trace.return_repr is None
    # The line that raises is one step, shown raising (not a normal step, then the raise).
    assert [s.event for s in trace.steps] == ["call", "line", "exception"]
    assert trace.steps[-1].value == "KeyError: 'missing'" and trace.steps[-1].line == 3


def test_caught_exception_is_a_step_and_the_run_goes_on():
    code = ("def f(s):\n    try:\n        n = int(s)\n    except ValueError:\n"
            "        n = -1\n    return n\n")
    trace = trace_call(code, "f", "'x'")
    assert trace.status == "ok" and trace.return_repr == "-1"
    exception = [s for s in trace.steps if s.event == "exception"]
    assert len(exception) == 1
    assert exception[0].value == "ValueError: invalid literal for int() with base 10: 'x'"


def test_recursion_depth_and_return_values():
    code = "def f(n):\n    if n <= 1:\n        return 1\n    return n * f(n - 1)\n"
    trace = trace_call(code, "f", "4", check_src="24")
    calls = [(s.depth, s.locals["n"]) for s in trace.steps if s.event == "call"]
    assert calls == [(0, "4"), (1, "3"), (2, "2"), (3, "1")]
    returns = [(s.depth, s.value) for s in trace.steps if s.event == "return"]
    assert returns == [(3, "1"), (2, "2"), (1, "6"), (0, "24")]
    assert trace.check_passed is True


def test_step_limit_truncates_and_unwinds_past_except_exception():
    code = ("def f():\n    i = 0\n    try:\n        while True:\n            i += 1\n"
            "    except Exception:\n        return 'swallowed'\n")
    trace = trace_call(code, "f", "", max_steps=50)
    assert trace.status == "truncated" and trace.n_steps == 50
    assert trace.return_repr is None and trace.check_passed is None
    assert trace.steps[-1].locals  # the pending line got its state on the way out


def test_wall_clock_limit_ends_the_run_as_timeout():
    trace = trace_call("def f():\n    while True:\n        pass\n", "f", "",
                       max_steps=10**9, timeout_s=0.2)
    assert trace.status == "timeout" and trace.n_steps > 10


def test_module_body_loop_is_under_the_clock_too():
    trace = trace_call("while True:\n    pass\ndef f():\n    return 1\n", "f", "", timeout_s=0.2)
    assert trace.status == "timeout"


def test_huge_list_repr_is_capped():
    code = "def f():\n    xs = list(range(10**6))\n    return len(xs)\n"
    trace = trace_call(code, "f", "")
    shown = trace.steps[1].locals["xs"]
    assert shown.startswith("[0, 1, 2,") and shown.endswith("...]") and len(shown) <= MAX_CHARS + 3
    assert trace.return_repr == "1000000"


def test_cyclic_list_and_hostile_repr_are_safe():
    code = ("class Loop:\n    def __repr__(self):\n        while True:\n            pass\n"
            "def f():\n    a = [1]\n    a.append(a)\n    b = [Loop()]\n    return a\n")
    trace = trace_call(code, "f", "", timeout_s=5)
    assert trace.status == "ok" and trace.return_repr == "[1, [...]]"
    # An object of the program's class shows its fields (none here), never its __repr__.
    assert trace.steps[-2].locals == {"a": "[1, [...]]", "b": "[Loop()]"}


def test_json_round_trip_of_a_trace():
    trace = trace_call(SUM_PROGRAM, "f", "[3, 4]", check_src="14")
    data = json.loads(json.dumps(trace.to_dict()))
    again = Trace.from_dict(data)
    assert again.to_dict() == data and again.steps == trace.steps
    assert data["n_steps"] == trace.n_steps and data["steps"][5]["evals"] == [
        "n * 2 → 3 * 2 → 6"]


def test_trace_module_records_module_frame_without_dunders():
    code = "x = 2\ny = x ** 3\nprint(y)\n"
    trace = trace_module(code)
    assert trace.status == "ok" and trace.stdout == "8\n"
    assert [(s.event, s.line, s.func) for s in trace.steps] == [
        ("call", 0, "<module>"), ("line", 1, "<module>"), ("line", 2, "<module>"),
        ("line", 3, "<module>"), ("return", 3, "<module>")]
    assert trace.steps[2].locals == {"x": "2", "y": "8"} and trace.steps[2].changed == ["y"]
    assert trace.steps[2].evals == ["x ** 3 → 2 ** 3 → 8"]


def test_generator_frames_are_resumed_not_restarted():
    code = ("def gen(n):\n    for i in range(n):\n        yield i * i\n"
            "def f():\n    return list(gen(3))\n")
    trace = trace_call(code, "f", "", check_src="[0, 1, 4]")
    assert trace.check_passed is True
    events = [(s.event, s.value) for s in trace.steps if s.func == "gen"]
    # A yield is a yield (not a return), a resumption is not a fresh call.
    assert [v for e, v in events if e == "yield"] == ["0", "1", "4"]
    assert [e for e, _ in events].count("call") == 1
    assert [e for e, _ in events].count("resume") == 3
    assert [v for e, v in events if e == "return"] == ["None"]
    assert {s.depth for s in trace.steps if s.func == "gen"} == {1}


def test_comprehension_frames_are_not_steps_of_their_own():
    trace = trace_call("def f(xs):\n    ys = [x + 1 for x in xs]\n    return ys\n", "f", "[1, 2]")
    assert trace.return_repr == "[2, 3]"
    assert {s.func for s in trace.steps} == {"f"}
    assert trace.steps[1].locals == {"xs": "[1, 2]", "ys": "[2, 3]"}
    # A function of the program called from a comprehension is traced under its line.
    code = "def g(x):\n    return x * 10\ndef f(xs):\n    return sum(g(x) for x in xs)\n"
    trace = trace_call(code, "f", "[1, 2]")
    assert trace.return_repr == "30"
    assert [(s.event, s.func, s.depth) for s in trace.steps if s.func == "g"][:1] == [
        ("call", "g", 1)]


@pytest.mark.parametrize(("args_src", "expected"), [
    ("", ([], {})),
    ("1, 2", ([1, 2], {})),
    ("(1, ), (1, 2)", ([(1,), (1, 2)], {})),
    ("[1],", ([[1]], {})),
    ("'a', k=3", (["a"], {"k": 3})),
    ("float('inf')", ([float("inf")], {})),
])
def test_argument_sources_in_cruxeval_shapes(args_src, expected):
    assert parse_arguments(args_src, {}) == expected


def test_bad_programs_end_as_exceptions_not_errors():
    assert trace_call("def f(:\n", "f", "").exception.startswith("SyntaxError")
    missing = trace_call("def g():\n    pass\n", "f", "")
    assert missing.status == "exception"
    assert missing.exception == "NameError: name 'f' is not defined"


def test_input_and_stderr_do_not_escape():
    code = "import sys\ndef f():\n    print('e', file=sys.stderr)\n    return input()\n"
    trace = trace_call(code, "f", "")
    assert trace.status == "exception" and trace.exception.startswith("EOFError")
    assert trace.stdout == ""


def test_trace_job_dispatches_call_and_module():
    call = trace_job({"kind": "trace", "code": SUM_PROGRAM, "func": "f", "args": "[1]",
                      "max_steps": 1000, "timeout_s": 2.0, "check": "2"})
    assert call["status"] == "ok" and call["check_passed"] is True and call["return_repr"] == "2"
    module = trace_job({"kind": "trace", "code": "a = 1\n", "func": None})
    assert module["status"] == "ok" and module["n_steps"] == 3
    with pytest.raises(ValueError, match="job kind"):
        trace_job({"kind": "exec", "code": ""})


def test_limits_are_validated():
    with pytest.raises(ValueError, match="max_steps"):
        trace_call("def f():\n    pass\n", "f", "", max_steps=0)
    with pytest.raises(ValueError, match="timeout_s"):
        trace_module("", timeout_s=0)


def test_evals_agree_with_recorded_values():
    code = ("def f(s, k):\n    n = len(s) - k\n    head = s[:k].upper()\n"
            "    ok = n > 0 and s[k] == 'c'\n    m = head if ok else s\n    return m + s[-1] * 2\n")
    trace = trace_call(code, "f", "'abcd', 2", check_src="'ABdd'")
    assert trace.check_passed is True
    chains = {s.line: s.evals[0] for s in trace.steps if s.event == "line" and s.evals}
    assert set(chains) == {2, 3, 4, 5, 6}
    for step in trace.steps:
        if step.event == "line" and step.evals and step.line < 6:
            target = step.source.split(" = ")[0]
            assert step.evals[0].rsplit(" → ", 1)[1] == step.locals[target]
    assert chains[6] == ("m + s[-1] * 2 → 'AB' + 'abcd'[-1] * 2 → 'AB' + 'd' * 2 → 'AB' + 'dd'"
                         " → 'ABdd'")
    assert trace.eval_stats == {"kept": 5, "disagreed": 0, "failed": 0}


def test_safe_repr_caps_huge_ints_and_user_objects():
    assert safe_repr(10**5000) == "10000000...00000000 (5001 digits)"
    assert safe_repr(-(2**10000)) == "-19950631...96709376 (3011 digits)"
    from collections import Counter, deque

    # Library containers show their items, never `<Counter object>`.
    assert safe_repr([Counter("abca"), deque([1, 2])]) == "[Counter({'a': 2, 'b': 1, 'c': 1}), deque([1, 2])]"
    assert safe_repr({1: object()}) == "{1: <object object>}"


def test_a_swallowed_step_limit_is_raised_again_outside_the_try():
    code = ("def f():\n    i = 0\n    try:\n        while True:\n            i += 1\n"
            "    except:\n        pass\n    while True:\n        i += 1\n")
    trace = trace_call(code, "f", "", max_steps=100, timeout_s=30)
    assert trace.status == "truncated" and trace.n_steps == 100
    assert sys.gettrace() is None


def test_printed_output_is_capped_but_counted():
    code = "def f():\n    for i in range(30):\n        print('x' * 10**4)\n"
    trace = trace_call(code, "f", "")
    assert trace.stdout == (("x" * 10**4 + "\n") * 30)[:MAX_STDOUT]
    assert trace.steps[-1].stdout_len == 30 * 10_001


def test_numbers_squared_in_a_loop_end_as_overflow_not_by_the_clock():
    # Ended by the size budget after 17 squarings, whatever the machine: the clock (60 s)
    # is nowhere near, and the same program always gives the same steps. Big numbers are
    # shown by their ends and their exact digit count.
    code = "def f(n):\n    while True:\n        n = n * n\n"
    trace = trace_call(code, "f", "3", max_steps=10**6, timeout_s=60)
    assert trace.status == "overflow" and trace.n_steps == 35
    assert trace.steps[-1].locals == {"n": "17262298...93392641 (62538 digits)"}
    assert trace.steps[-2].locals == {"n": "41547922...83109121 (31269 digits)"}
    assert trace.return_repr is None and trace.exception is None
    assert trace_call(code, "f", "3", max_steps=10**6, timeout_s=60).to_dict() == trace.to_dict()


def test_strings_doubled_in_a_loop_and_huge_arguments_end_as_overflow():
    trace = trace_call("def f(s):\n    while True:\n        s = s + s\n", "f", "'ab'",
                       max_steps=10**6, timeout_s=60)
    assert trace.status == "overflow" and trace.n_steps == 41
    code = "def g(x):\n    return x\ndef f(n):\n    return g(n ** 100000)\n"
    trace = trace_call(code, "f", "3", timeout_s=60)
    assert trace.status == "overflow" and [s.event for s in trace.steps] == ["call", "line", "call"]
    assert trace.steps[-1].locals == {"x": "13349714...22000001 (47713 digits)"}
    # A big value that is only returned, never held by a frame, finishes normally.
    assert trace_call("def f():\n    return 3 ** 100000\n", "f", "").status == "ok"


ALIASING_PROGRAM = """\
LIMIT = 3

def bump(xs):
    xs.append(len(xs))
    return xs

def f(items):
    alias = items
    first = alias[0]
    _, second, _ = first, first + 1, first + 2
    alias = bump(alias)
    count = len(items)
    for value in alias:
        first = first + value
        if first > LIMIT:
            fresh = first * 2
    items = items + [first]
    return count + second
"""


def test_targeted_snapshots_record_what_full_snapshots_record(monkeypatch):
    """After a line whose pure chain agrees the recorder re-reads only its targets; the
    trace must be the one a full snapshot after every line gives, on every CRUXEval
    program and on a program with aliases, mutation through a call, globals, repeated
    and first-time targets."""
    from tests.tracer.test_cruxeval import load_programs
    from tracer import recorder

    cases = [(p["code"], p["input"]) for p in load_programs()]
    cases.append((ALIASING_PROGRAM, "[1, 2]"))
    targeted = [trace_call(code, "f", args).to_dict() for code, args in cases]
    monkeypatch.setattr(recorder, "TARGETED_SNAPSHOTS", False)
    full = [trace_call(code, "f", args).to_dict() for code, args in cases]
    assert targeted == full
    last = targeted[-1]
    assert last["status"] == "ok" and last["return_repr"] == "5"
    assert sum(bool(step["evals"]) for step in last["steps"]) >= 8


def test_a_program_that_switches_tracing_off_keeps_its_started_line():
    code = "import sys\ndef f(n):\n    m = n + 1\n    sys.settrace(None)\n    k = m * 2\n    return k\n"
    trace = trace_call(code, "f", "3")
    assert trace.status == "ok" and trace.return_repr == "8"
    assert [(s.event, s.line) for s in trace.steps] == [("call", 2), ("line", 3), ("line", 4)]
    assert trace.steps[-1].locals == {"n": "3", "m": "4"} and trace.steps[-1].changed == []


def test_trace_dicts_from_records_equal_those_from_step_objects():
    trace = trace_call(SUM_PROGRAM, "f", "[1, 2, 3]")
    from_records = trace.to_dict()
    assert trace.n_steps == len(from_records["steps"])
    steps = trace.steps  # made from the records on first read
    assert [s.to_dict() for s in steps] == from_records["steps"]
    assert trace.to_dict() == from_records


def test_arguments_computed_by_the_program_are_under_the_clock():
    code = "def spin():\n    while True:\n        pass\ndef f(x):\n    return x\n"
    trace = trace_call(code, "f", "spin()", timeout_s=0.2)
    assert trace.status == "timeout"


def test_a_list_growing_past_the_size_cap_ends_as_overflow(monkeypatch):
    from tracer import recorder

    monkeypatch.setattr(recorder, "MAX_LEN", 100)
    code = "def f():\n    xs = list(range(50))\n    while True:\n        xs.append(0)\n"
    trace = trace_call(code, "f", "", max_steps=10**6, timeout_s=30)
    assert trace.status == "overflow" and trace.n_steps < 200


def test_a_finished_run_is_freed_without_the_cyclic_collector():
    """Nothing of a run is kept by a reference cycle: dropping its Trace frees it at once
    (the cyclic collector is off here), also when it left a generator suspended."""
    import gc
    import weakref

    from tracer import interpreter

    code = ("def gen(n):\n    for i in range(n):\n        yield i\n"
            "def f(n):\n    g = gen(n)\n    first = next(g)\n    return first + n\n")
    recorders = []
    real = interpreter.Recorder

    def keep(*args, **kwargs):
        recorder = real(*args, **kwargs)
        recorders.append(weakref.ref(recorder))
        return recorder

    collecting = gc.isenabled()
    gc.disable()
    try:
        interpreter.Recorder = keep
        trace = trace_call(code, "f", "3")
        assert trace.status == "ok" and trace.return_repr == "3"
        del trace
        assert recorders and recorders[0]() is None
    finally:
        interpreter.Recorder = real
        if collecting:
            gc.enable()


@pytest.mark.parametrize("code, args, status", [
    ("def f(n):\n    return n + 1\n", "1", "ok"),
    ("def f(n):\n    return 1 // n\n", "0", "exception"),
    ("def f(n):\n    while True:\n        n += 1\n", "0", "truncated"),
    ("def f(n) return n\n", "0", "exception"),  # does not compile
])
def test_the_collector_is_paused_during_a_run_and_restored_after(code, args, status,
                                                                 monkeypatch):
    import gc

    seen = []
    real = gc.disable

    def disable():
        seen.append(gc.isenabled())
        real()

    collecting = gc.isenabled()
    monkeypatch.setattr(gc, "disable", disable)
    try:
        gc.enable()
        assert trace_call(code, "f", args, max_steps=50).status == status
        assert seen[0] and not any(seen[1:])  # paused at the start, off until the end
        assert gc.isenabled()  # then on again
        real()
        assert trace_module("x = 1\n").status == "ok"
        assert not gc.isenabled()  # left off when it was off
    finally:
        if collecting:
            gc.enable()


def test_the_answer_uses_the_programs_own_repr_but_never_a_memory_address() -> None:
    own = "class V:\n    def __init__(self, x):\n        self.x = x\n    def __repr__(self):\n        return f'V<{self.x}>'\ndef f(n):\n    return [V(n)], {'k': V(n + 1)}\n"
    assert trace_call(own, "f", "1").return_repr == "([V<1>], {'k': V<2>})"
    plain = "class P:\n    def __init__(self, x):\n        self.x = x\ndef f(n):\n    return P(n)\n"
    assert trace_call(plain, "f", "3").return_repr == "P(x=3)"
    looping = "class L:\n    def __repr__(self):\n        while True:\n            pass\ndef f():\n    return L()\n"
    trace = trace_call(looping, "f", "", timeout_s=0.5)
    assert (trace.status, trace.return_repr) == ("ok", "L()")  # the clock cut the repr
