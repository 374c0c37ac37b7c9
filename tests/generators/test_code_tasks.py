"""The code-domain tasks end to end through the real process sandbox."""

from __future__ import annotations

import json

import pytest

from generators.code import TASKS, Config
from generators.code.bug_finding import parse_line_number
from generators.code.value_answers import compare_repr, parse_value, perturb_repr, same_value
from reasoning.levels import LEVELS
from reasoning.render import parse, render
from reasoning.task import Dropped, generate_record, item_rng
from tracer.divergence import first_divergence
from tracer.interpreter import trace_call
from tracer.mutate import OPERATORS
from tracer.sandbox import ProcessSandbox

SEED = 11
PER_LEVEL = 10
CONFIG = Config(slip_rate=0.2)


@pytest.fixture(scope="module")
def sandbox():
    # An independent sandbox for re-checks (the tasks use their own per-process one).
    with ProcessSandbox(workers=2) as sb:
        yield sb


def _problem(task, level, index, config=CONFIG):
    rng = item_rng(task.name, task.version, level, SEED, index)
    return task.generate(rng, level, config, index=index)


def _perturbed(name, problem):
    if name == "bug_finding":
        return f"line {problem.data['faulty_line'] + 1}"
    if name == "state_after_steps":
        return perturb_repr(problem.data["value_repr"])
    wrong = perturb_repr(problem.data["return_repr"])
    if problem.data["stdout"]:
        wrong += "\nprinted: " + repr(problem.data["stdout"])
    return wrong


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("name", sorted(TASKS))
def test_records_validate_and_verify(name, level):
    task = TASKS[name]
    made = 0
    for index in range(PER_LEVEL):
        try:
            record = generate_record(task, level, SEED, index, CONFIG)
        except Dropped:
            continue
        made += 1
        problem = _problem(task, level, index)  # regenerated: determinism
        assert (problem.prompt, problem.answer, problem.steps) == (record.prompt, record.answer, record.steps)
        back = parse(render(record))
        assert (back.prompt, back.answer, len(back.steps), back.end) == (
            record.prompt, record.answer, len(record.steps), record.end)
        assert all((s.verdict == "accept") == s.check.ok for s in record.steps)
        assert record.steps[-1].verdict == "accept"
        assert task.verify(problem, record.answer).score == 1.0, record.answer
        wrong = _perturbed(name, problem)
        assert wrong is not None and task.verify(problem, wrong).score < 1.0, wrong
    assert made >= PER_LEVEL - 2


@pytest.mark.parametrize("name", sorted(TASKS))
def test_verify_never_raises_on_hostile_text(name):
    task = TASKS[name]
    problem = _problem(task, "middle", 0)
    for text in ("", "   ", "x" * 100_000, "[" * 5000, "__import__('os').system('true')",
                 "1e999999", "{1: 2", "line", "L", "printed:", "\x00", "9" * 5000):
        verdict = task.verify(problem, text)
        assert verdict.score < 1.0, text[:20]


def _check_bug(problem, sandbox):
    """Re-run original and mutant through the sandbox; the bug must show where the record says."""
    data, error = problem.data, problem.error
    assert error.kind == f"bug:{data['operator']}"
    # The mutant differs from the original on exactly the faulty line.
    orig_lines, bug_lines = data["original_code"].splitlines(), data["buggy_code"].splitlines()
    assert [k + 1 for k, (a, b) in enumerate(zip(orig_lines, bug_lines, strict=True)) if a != b] == [
        data["faulty_line"]]
    assert orig_lines[data["faulty_line"] - 1].strip() == error.original
    assert bug_lines[data["faulty_line"] - 1].strip() == error.wrong
    # Re-run both on the recorded input and find where they first differ, independently.
    jobs = [{"kind": "trace", "code": code, "func": data["func"], "args": data["args"],
             "max_steps": CONFIG.max_steps, "timeout_s": 2.0, "check": None}
            for code in (data["original_code"], data["buggy_code"])]
    original, buggy = (r.value for r in sandbox.run_many(jobs))
    assert original["status"] == "ok"
    assert buggy["status"] in ("ok", "exception")  # hanging mutants are never emitted
    assert _first_difference(original, buggy) == data["divergent_position"]
    div = first_divergence(original, buggy)
    assert div is not None and div.describe() == error.detail
    step = problem.steps[error.first_divergent_step]
    order = _reader_order(buggy["steps"])
    shown = buggy["steps"][order[min(div.position, len(order) - 1)][0]]
    assert (step.proposal.startswith((f"L{shown['line']} ", f"back at L{shown['line']} "))
            or step.proposal.startswith("call "))
    assert "first divergent step" in step.critic
    assert problem.steps[-1].proposal.startswith(f"the faulty line is L{data['faulty_line']}:")


@pytest.mark.parametrize("level", LEVELS)
def test_every_bug_is_observable_at_its_first_divergent_step(level, sandbox):
    checked = 0
    for index in range(PER_LEVEL):
        try:
            problem = _problem(TASKS["bug_finding"], level, index)
        except Dropped:
            continue
        _check_bug(problem, sandbox)
        checked += 1
    assert checked >= PER_LEVEL - 2


@pytest.mark.slow
def test_many_bugs_are_observable(sandbox):
    task = TASKS["bug_finding"]
    operators = set()
    for level in LEVELS:
        for index in range(100):
            problem = task.generate(item_rng(task.name, task.version, level, 99, index), level, CONFIG)
            _check_bug(problem, sandbox)
            operators.add(problem.data["operator"])
    # Every operator makes it into some record (break/continue is rare in generated
    # programs: see test_break_continue_bugs).
    assert operators >= set(OPERATORS) - {"break_continue"}


def test_break_continue_bugs(tmp_path, sandbox):
    path = tmp_path / "loops.jsonl"
    code = ("def f(xs):\n    t = 0\n    for x in xs:\n        if x < 0:\n            continue\n"
            "        if x > 5:\n            break\n        t = t + x\n    return t")
    path.write_text(json.dumps({"code": code, "input": "[1, -2, 3, 9, 4]"}) + "\n")
    config = Config(slip_rate=0.0, programs=str(path))
    lines = set()
    for index in range(60):
        problem = _problem(TASKS["bug_finding"], "middle", index, config)
        if problem.data["operator"] == "break_continue":
            _check_bug(problem, sandbox)
            lines.add(problem.error.wrong)
    assert lines == {"break", "continue"}


def _reader_order(steps):
    """Display order recomputed another way: a line whose next step is deeper is shown at
    its start, then the nested steps, then again when done."""
    out = []

    def walk(lo, hi):
        i = lo
        while i < hi:
            depth = steps[i]["depth"]
            if steps[i]["event"] in ("line", "exception", "yield", "await") and i + 1 < len(
                    steps) and steps[i + 1]["depth"] > depth:
                j = i + 1
                while j < len(steps) and steps[j]["depth"] > depth:
                    j += 1
                out.append((i, "start"))
                walk(i + 1, j)
                out.append((i, "done"))
                i = j
            else:
                out.append((i, ""))
                i += 1

    walk(0, len(steps))
    return out


def _first_difference(a, b):
    """Where two traces first differ in display order, recomputed without tracer.divergence."""
    def shown(steps, entry):
        i, phase = entry
        if phase == "start":
            return ("start", steps[i]["event"], steps[i]["line"], steps[i]["func"], steps[i]["depth"])
        return ("shown", {k: v for k, v in steps[i].items() if k not in ("index", "source", "evals", "changed")})

    oa, ob = _reader_order(a["steps"]), _reader_order(b["steps"])
    for p, (x, y) in enumerate(zip(oa, ob, strict=False)):
        if shown(a["steps"], x) != shown(b["steps"], y):
            return p
    if len(oa) != len(ob):
        return min(len(oa), len(ob))
    assert (a["return_repr"], a["exception"], a["stdout"]) != (b["return_repr"], b["exception"], b["stdout"])
    return len(oa) - 1


def test_slips_are_rejected_then_corrected():
    task = TASKS["output_prediction"]
    config = Config(slip_rate=1.0)
    kinds = set()
    for index in range(8):
        problem = _problem(task, "middle", index, config)
        steps = problem.steps
        assert problem.error is not None and problem.error.kind.startswith("slip:")
        assert steps[problem.error.first_divergent_step].verdict == "reject"
        for k, step in enumerate(steps):
            if step.verdict == "reject":
                kinds.add(step.slip)
                assert step.slip and "✗" in step.critic
                fix = steps[k + 1]
                assert fix.verdict == "accept"
                # The correction is the same line with the right state.
                assert fix.proposal.split("→")[0] == step.proposal.split("→")[0]
                assert fix.proposal != step.proposal
    assert kinds == {"wrong_state", "stale_state", "wrong_condition"}


def test_no_slips_at_rate_zero():
    task = TASKS["output_prediction"]
    for index in range(5):
        problem = _problem(task, "high", index, Config(slip_rate=0.0))
        assert problem.error is None and all(s.verdict == "accept" for s in problem.steps)


def test_golden_output_prediction_record():
    # Pinned after a fixed seed: a change here changes every dataset made with it.
    problem = _problem(TASKS["output_prediction"], "primary", 0, Config(slip_rate=0.0))
    assert problem.prompt.startswith("What does f(777) return?")
    assert [s.proposal for s in problem.steps] == [
        "call f(x=777)", "L2 `low = x % 10` → low = 7", "L3 `tens = x // 10 % 10` → tens = 7",
        "L4 `count = low + tens` → count = 14", "L5 `return count` → 14", "L5 f returns 14",
        "f(777) returns 14"]
    assert problem.answer == "14" and problem.end == "terminated"


def test_golden_bug_finding_record():
    problem = _problem(TASKS["bug_finding"], "middle", 1, Config(slip_rate=0.0))
    assert problem.prompt.startswith("One line of this program is wrong. f(10, 3) should return 30.")
    assert problem.answer == "line 3: `k = 0`"
    assert (problem.error.kind, problem.error.original, problem.error.wrong) == (
        "bug:delete_statement", "k = 0", "pass")
    assert problem.error.first_divergent_step == 2
    assert problem.error.detail == "step 2, line 3, var k: expected 0, got <unset>"
    assert problem.data["held_args"] == ["4, 4", "9, 3", "8, 2", "11, 3", "10, 2", "10, 4"]
    assert problem.data["buggy_outcome"]["exception"].startswith("UnboundLocalError")
    assert problem.steps[-1].critic.startswith("as written, f(10, 3) raises UnboundLocalError")


def test_state_question_counts_the_written_steps():
    task = TASKS["state_after_steps"]
    for level in ("high", "university"):
        for index in range(8):
            problem = _problem(task, level, index, Config(slip_rate=0.0))
            asked = problem.data["step"]
            assert f"right after step {asked}?" in problem.prompt
            numbered = [s.proposal for s in problem.steps[:-1]]
            assert [int(p.split(":")[0].removeprefix("step ")) for p in numbered] == list(range(1, asked + 1))
            assert problem.steps[-1].proposal == f"after step {asked}: {problem.data['variable']} = {problem.answer}"


def test_long_traces_are_cut_and_marked_truncated(tmp_path):
    path = tmp_path / "long.jsonl"
    code = "def f(n):\n    t = 0\n    for i in range(n):\n        t = t + i\n    return t"
    path.write_text(json.dumps({"code": code, "input": "30", "output": "435"}) + "\n")
    problem = _problem(TASKS["output_prediction"], "high", 0, Config(slip_rate=0.0, programs=str(path)))
    # The chain stops after MAX_WRITTEN checked steps, with no unchecked leap to the end.
    assert problem.end == "truncated" and len(problem.steps) == 40
    assert all(s.proposal.startswith(("call ", "L")) for s in problem.steps)
    assert problem.answer == "435"


def test_a_run_past_the_step_budget_is_a_truncated_record_with_its_real_answer(tmp_path):
    # A million iterations: far past the step budget, recorded up to it, run on to the end.
    code = "def f(n):\n    t = 0\n    for i in range(n):\n        t += i\n    return t"
    path = tmp_path / "million.jsonl"
    path.write_text(json.dumps({"code": code, "input": "1000000"}) + "\n")
    problem = _problem(TASKS["output_prediction"], "high", 0, Config(slip_rate=0.0, programs=str(path)))
    assert problem.end == "truncated" and problem.answer == "499999500000"
    assert problem.data["cut"] is True and problem.data["steps_traced"] == CONFIG.max_steps
    assert TASKS["output_prediction"].verify(problem, "499999500000").score == 1.0


def test_user_programs(tmp_path):
    rows = [{"code": "def f(xs):\n    return sorted(xs)[::-1]", "input": "[3, 1, 2]", "output": "[3, 2, 1]", "id": "rev"},
            {"code": "def f(s, k):\n    out = ''\n    for ch in s:\n        out += ch * k\n    return out",
             "input": "'ab', 2", "output": "'aabb'", "id": "dup"}]
    (tmp_path / "p.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    (tmp_path / "show.py").write_text("# input: 4\ndef f(n):\n    print('n is', n)\n    return n * n\n")
    expected = {"rev": "[3, 2, 1]", "dup": "'aabb'", "show.py": "16\nprinted: 'n is 4\\n'"}
    config = Config(slip_rate=0.0, programs=str(tmp_path))
    task = TASKS["output_prediction"]
    sources = []
    for index in range(6):
        problem = _problem(task, "high", index, config)
        assert problem.answer == expected[problem.data["source"]]
        assert task.verify(problem, problem.answer).score == 1.0
        sources.append(problem.data["source"])
    # Item i traces user program i % count: every program once per round, in order.
    assert set(sources[:3]) == set(expected) and sources[3:] == sources[:3]
    printed = next(_problem(task, "high", i, config) for i in range(12)
                   if _problem(task, "high", i, config).data["source"] == "show.py")
    assert task.verify(printed, "16").score == 0.5  # the return value alone: half
    problem = _problem(TASKS["bug_finding"], "high", 0, config)
    assert problem.data["faulty_line"] >= 1


def test_hanging_mutants_are_labelled_not_emitted(tmp_path):
    path = tmp_path / "loop.jsonl"
    code = "def f(n):\n    i = 0\n    t = 0\n    while i < n:\n        t = t + i\n        i = i + 1\n    return t"
    path.write_text(json.dumps({"code": code, "input": "6"}) + "\n")
    config = Config(slip_rate=0.0, programs=str(path), max_steps=300)
    events = []
    for index in range(25):
        try:
            problem = _problem(TASKS["bug_finding"], "middle", index, config)
        except Dropped:
            continue
        events.extend(problem.events)
        assert problem.data["operator"] in problem.error.kind
    assert "mutant_timeout" in events


def test_config_is_validated(tmp_path):
    for bad in ({"slip_rate": 1.5}, {"max_steps": 0}, {"sandbox": "vm"}, {"programs": "/no/such/path"}):
        with pytest.raises(ValueError):
            Config(**bad)
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\n")
    with pytest.raises(ValueError, match="not JSON"):
        Config(programs=str(bad))
    with pytest.raises(ValueError, match="no config key"):
        TASKS["bug_finding"].default_config(bug_rate=0.5)


def test_answer_values():
    assert same_value(parse_value("{'a': 1, 'b': 2}")[0], parse_value("{'b': 2, 'a': 1}")[0])
    assert not same_value(parse_value("1")[0], parse_value("True")[0])
    assert not same_value(parse_value("1")[0], parse_value("1.0")[0])
    assert compare_repr(" [1,2] ", "[1, 2]")[0]
    assert compare_repr("<Foo object>", "<Foo object>")[0]
    assert not compare_repr("(1, 2)", "[1, 2]")[0]
    assert parse_line_number("The faulty line is line 4.") == 4
    assert parse_line_number("L12") == 12 and parse_line_number(" 7 ") == 7
    assert parse_line_number("no idea") is None


def test_unobservable_mutants_are_counted_and_never_emitted(tmp_path, sandbox):
    # Most sites sit in a branch the input never takes, so most mutants cannot show.
    path = tmp_path / "dead.jsonl"
    code = "def f(x):\n    if x > 100:\n        x = x + 1\n        x = x * 2\n        x = x - 3\n    return x"
    path.write_text(json.dumps({"code": code, "input": "0"}) + "\n")
    config = Config(slip_rate=0.0, programs=str(path))
    events, dropped, emitted = [], [], []
    for index in range(20):
        try:
            problem = _problem(TASKS["bug_finding"], "high", index, config)
        except Dropped as exc:
            dropped.append(exc.reason)
            continue
        events.extend(problem.events)
        emitted.append(problem)
    assert "mutant_unobservable" in events
    assert emitted and {p.data["operator"] for p in emitted} <= {"negate_condition", "wrong_return"}
    for problem in emitted:
        jobs = [{"kind": "trace", "code": c, "func": "f", "args": "0", "max_steps": 1000,
                 "timeout_s": 2.0, "check": None}
                for c in (problem.data["original_code"], problem.data["buggy_code"])]
        original, buggy = (r.value for r in sandbox.run_many(jobs))
        assert first_divergence(original, buggy) is not None


def test_user_programs_that_hang_are_dropped_not_replaced(tmp_path, monkeypatch):
    from generators.code import program_runs as common

    hang = {"code": "def f(n):\n    while n > 0:\n        n = n + 1\n    return n", "input": "1", "id": "hang"}
    fine = {"code": "def f(n):\n    return n * 2", "input": "21", "id": "fine"}
    path = tmp_path / "mixed.jsonl"
    path.write_text(json.dumps(hang) + "\n" + json.dumps(fine) + "\n")
    config = Config(slip_rate=0.0, programs=str(path), max_steps=100)
    # Bug finding needs the original to finish in budget: the step budget names the drop.
    for index in range(0, 4, 2):
        with pytest.raises(Dropped, match="program_step_budget"):
            _problem(TASKS["bug_finding"], "middle", index, config)
    # Output prediction runs on past the budget: a program that never ends meets the clock.
    monkeypatch.setattr(common, "TRACE_TIMEOUT_S", 0.3)
    task = TASKS["output_prediction"]
    for index in range(4):
        if index % 2 == 0:  # user program 0 hangs: its items are dropped, never swapped
            with pytest.raises(Dropped, match="clock_timeout"):
                _problem(task, "middle", index, config)
        else:
            problem = _problem(task, "middle", index, config)
            assert problem.data["source"] == "fine" and problem.answer == "42"


def test_mutants_that_square_numbers_are_labelled_not_emitted(tmp_path):
    # `x * x // (2 * x)` halves x; its `//` -> `*` mutant multiplies the bits each round and
    # ends as 'overflow' (a deterministic budget), counted as mutant_timeout.
    code = "def f(x):\n    n = 0\n    while x > 1:\n        x = x * x // (2 * x)\n        n = n + 1\n    return n"
    squaring = "x = x * x * (2 * x)"
    assert trace_call(code.replace("x * x // (2 * x)", squaring[4:]), "f", "1000",
                      timeout_s=60).status == "overflow"
    path = tmp_path / "halve.jsonl"
    path.write_text(json.dumps({"code": code, "input": "1000"}) + "\n")
    config = Config(slip_rate=0.0, programs=str(path))
    events, emitted = [], 0
    for index in range(12):
        try:
            problem = _problem(TASKS["bug_finding"], "middle", index, config)
        except Dropped as exc:
            assert exc.reason != "clock_timeout"
            continue
        emitted += 1
        events.extend(problem.events)
        assert problem.error.wrong != squaring
    assert emitted and "mutant_timeout" in events


@pytest.mark.parametrize("scale", [0.1, 10.0])
def test_records_do_not_depend_on_the_clock_limits(monkeypatch, scale):
    from generators.code import bug_finding
    from generators.code import program_runs as common

    def records():
        made = {}
        for name in sorted(TASKS):
            for level in LEVELS:
                for index in range(2):
                    try:
                        made[name, level, index] = generate_record(
                            TASKS[name], level, SEED, index, CONFIG).model_dump_json()
                    except Dropped as exc:
                        made[name, level, index] = exc.reason
        return made

    baseline = records()
    for module, names in ((common, ("TRACE_TIMEOUT_S", "HARD_TIMEOUT_S")),
                          (bug_finding, ("MUTANT_TRACE_TIMEOUT_S", "MUTANT_HARD_TIMEOUT_S"))):
        for name in names:
            monkeypatch.setattr(module, name, getattr(module, name) * scale)
    assert records() == baseline
    assert sum(isinstance(r, str) and r.startswith("{") for r in baseline.values()) >= 20


def test_a_run_cut_by_the_clock_drops_the_item_instead_of_choosing_another(monkeypatch):
    from generators.code import bug_finding

    # Clocks far too short for any run: nothing may be chosen by them, every item is dropped.
    monkeypatch.setattr(bug_finding, "MUTANT_TRACE_TIMEOUT_S", 1e-6)
    for index in range(3):
        with pytest.raises(Dropped, match="clock_timeout"):
            _problem(TASKS["bug_finding"], "middle", index)


def test_state_questions_are_asked_on_runs_past_the_step_budget(tmp_path):
    code = "def f(n):\n    t = 0\n    while True:\n        t = t + n\n"  # never returns
    path = tmp_path / "forever.jsonl"
    path.write_text(json.dumps({"code": code, "input": "3"}) + "\n")
    problem = _problem(TASKS["state_after_steps"], "middle", 0,
                       Config(slip_rate=0.0, programs=str(path), max_steps=100))
    assert problem.data["variable"] in ("n", "t")
    assert TASKS["state_after_steps"].verify(problem, problem.answer).score == 1.0


def test_a_module_that_prints_nothing_gets_a_bug_question_it_can_answer(tmp_path):
    (tmp_path / "quiet.py").write_text(
        "xs = [3, 1, 2]\ntotal = 0\nfor x in xs:\n    total = total + x\nbiggest = max(xs)\n")
    config = Config(slip_rate=0.0, programs=str(tmp_path))
    problem = _problem(TASKS["bug_finding"], "middle", 0, config)
    assert "the module should end with xs = [3, 1, 2], total = 6, " in problem.prompt
    assert "should print ''" not in problem.prompt
    (tmp_path / "quiet.py").write_text("def f():\n    return 1\n")  # no state, no output
    from tracer.programs.user_programs import load_user_programs

    load_user_programs.cache_clear()
    with pytest.raises(Dropped, match="program_silent"):
        _problem(TASKS["bug_finding"], "middle", 0, Config(slip_rate=0.0, programs=str(tmp_path)))
