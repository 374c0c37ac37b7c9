"""A program's whole story: output prediction records on teaching programs match CPython.

Each program below is written as a teacher would (recursion, closures, classes, generators,
exceptions, `with`, `try/finally`, globals, big integers, long loops) and run twice: by
CPython directly, in a subprocess, and through `gen-traces`' output prediction (the process
sandbox, the tracer). The record's answer must be what CPython printed, and its last line
when the run ended in an uncaught exception.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from generators.code import TASKS, Config
from reasoning.task import item_rng
from tracer.interpreter import trace_call, trace_module

PROGRAMS = {
    "recursion_200.py": (
        "def depth(n):\n    if n == 0:\n        return 0\n    return 1 + depth(n - 1)\n\n"
        "print(depth(200))\n"),
    "recursion_990.py": (
        "def depth(n):\n    return 0 if n == 0 else 1 + depth(n - 1)\n\nprint(depth(990))\n"),
    "recursion_forever.py": (
        "def down(n):\n    return down(n + 1)\n\nprint('start')\ndown(0)\n"),
    "generator_send.py": (
        "def running_total():\n    total = 0\n    while True:\n        x = yield total\n"
        "        total += x\n\nacc = running_total()\nnext(acc)\nfor v in (3, 4, 5):\n"
        "    print(acc.send(v))\n"),
    "countdown.py": (
        "def countdown(n):\n    while n > 0:\n        yield n\n        n -= 1\n    return 'done'\n\n"
        "print(list(countdown(3)))\nprint(sum(x * x for x in countdown(4)))\n"),
    "coroutine.py": (
        "class Pause:\n    def __await__(self):\n        yield 'paused'\n\n"
        "async def job(n):\n    await Pause()\n    return n * 2\n\n"
        "c = job(4)\nprint(c.send(None))\ntry:\n    c.send(None)\nexcept StopIteration as done:\n"
        "    print('result', done.value)\n"),
    "stack_class.py": (
        "class Stack:\n    made = 0\n\n    def __init__(self):\n        self.items = []\n"
        "        Stack.made += 1\n\n    def push(self, x):\n        self.items.append(x)\n\n"
        "    def pop(self):\n        return self.items.pop()\n\n    def __str__(self):\n"
        "        return f'Stack{self.items}'\n\ns = Stack()\nfor i in range(3):\n    s.push(i * i)\n"
        "print(s.pop(), s, Stack.made)\n"),
    "zero_division.py": (
        "def mean(xs):\n    return sum(xs) / len(xs)\n\nprint(mean([1, 2, 3]))\nprint(mean([]))\n"),
    "key_error.py": "ages = {'ann': 3}\nprint(ages['ann'])\nprint(ages['bob'])\n",
    "own_exception.py": (
        "class InsufficientFunds(Exception):\n    pass\n\n"
        "def withdraw(balance, amount):\n    if amount > balance:\n"
        "        raise InsufficientFunds(f'need {amount - balance} more')\n"
        "    return balance - amount\n\nprint(withdraw(10, 3))\nprint(withdraw(10, 15))\n"),
    "own_str_exception.py": (
        "class Oops(Exception):\n    def __str__(self):\n        return 'custom ' + str(self.args[0])\n\n"
        "raise Oops(7)\n"),
    "reraise.py": (
        "def parse(s):\n    try:\n        return int(s)\n    except ValueError:\n"
        "        print('bad', s)\n        raise\n\nprint(parse('12'))\nparse('x1')\n"),
    "finally_runs.py": (
        "def risky(n):\n    try:\n        return 10 // n\n    finally:\n        print('cleanup', n)\n\n"
        "print(risky(2))\nprint(risky(0))\n"),
    "with_block.py": (
        "class Tag:\n    def __init__(self, name):\n        self.name = name\n"
        "    def __enter__(self):\n        print('<' + self.name + '>')\n        return self\n"
        "    def __exit__(self, *exc):\n        print('</' + self.name + '>')\n        return False\n\n"
        "with Tag('b') as t:\n    print('bold', t.name)\n"),
    "closures.py": (
        "def counter():\n    count = 0\n    def bump():\n        nonlocal count\n        count += 1\n"
        "        return count\n    return bump\n\nc = counter()\nc()\nc()\nprint(c())\n"),
    "global_total.py": (
        "total = 0\n\ndef add(x):\n    global total\n    total += x\n\nfor v in [5, 7]:\n"
        "    add(v)\nprint(total)\n"),
    "sets_dicts.py": (
        "words = 'the cat and the hat and the bat'.split()\ncounts = {}\nfor w in words:\n"
        "    counts[w] = counts.get(w, 0) + 1\nprint(sorted(counts.items()))\n"
        "print(sorted({len(w) for w in words}), {3, 1, 2} & {2, 3, 4})\n"),
    "strings.py": (
        "s = 'Hello, World'\nprint(s.lower().replace('o', '0'), s[::-1], s.split(', '))\n"
        "print('-'.join(ch for ch in s if ch.isupper()))\n"),
    "big_integers.py": "x = 2 ** 10000\nprint(len(str(x)), x % 1000)\nprint(x)\n",
    "long_loop.py": (
        "total = 0\nfor i in range(1_000_000):\n    total += i % 7\nprint(total)\n"),
    "factorial_func.py": (
        "# input: 30\ndef f(n):\n    out = 1\n    for k in range(2, n + 1):\n        out *= k\n"
        "    return out\n"),
    "power_func.py": "# input: 10000\ndef f(n):\n    return 2 ** n\n",
    "raising_func.py": "# input: [4, 0]\ndef f(xs):\n    a, b = xs\n    print('dividing')\n    return a // b\n",
}
CALL_INPUTS = {"factorial_func.py": "30", "power_func.py": "10000", "raising_func.py": "[4, 0]"}


def _cpython(path) -> str:
    """The answer CPython gives: the last line of an uncaught exception, then what it printed;
    for a function, the repr of what it returns."""
    code = path.read_text()
    if path.name in CALL_INPUTS:
        code += f"\nprint(repr(f({CALL_INPUTS[path.name]})), end='')\n"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, env={**os.environ, "PYTHONHASHSEED": "0"})
    outcome = run.stderr.strip().splitlines()[-1] if run.returncode else None
    if path.name in CALL_INPUTS:
        printed, _, returned = run.stdout.rpartition("\n") if "\n" in run.stdout else ("", "", run.stdout)
        printed = printed + "\n" if printed else ""
        if outcome is not None:
            printed, returned = run.stdout, None
        first = outcome if outcome is not None else returned
        return first + (f"\nprinted: {printed!r}" if printed else "")
    printed = f"printed: {run.stdout!r}"
    if outcome is None:
        return printed
    return f"{outcome}\n{printed}" if run.stdout else outcome


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("teaching")
    for name, code in PROGRAMS.items():
        (root / name).write_text(code)
    return root


def test_output_prediction_answers_match_cpython_run_directly(corpus):
    task = TASKS["output_prediction"]
    config = Config(slip_rate=0.0, programs=str(corpus))
    names = sorted(PROGRAMS)
    for index, name in enumerate(names):
        problem = task.generate(item_rng(task.name, task.version, "high", 5, index), "high",
                                config, index=index)
        assert problem.data["source"] == name
        assert problem.answer == _cpython(corpus / name), name
        assert task.verify(problem, problem.answer).score == 1.0
        assert all(step.check.ok for step in problem.steps), name
        # Every run's recorded steps are its own: no step claims what the run did not do.
        assert problem.end == ("truncated" if problem.data["cut"] or len(problem.steps) >= 40
                               else "terminated"), name


def test_an_uncaught_exception_is_the_answer_and_a_wrong_one_is_not():
    task = TASKS["output_prediction"]
    problem = task.generate(item_rng(task.name, task.version, "high", 5, 0), "high",
                            Config(slip_rate=0.0, programs=_write_one("def f(x):\n    return 1 / x\n",
                                                                      "0")), index=0)
    assert problem.answer == "ZeroDivisionError: division by zero"
    assert task.verify(problem, "raises ZeroDivisionError: division by zero").score == 1.0
    assert task.verify(problem, "ValueError: division by zero").score == 0.0
    assert task.verify(problem, "None").score == 0.0
    assert problem.steps[-1].proposal == "f(0) raises ZeroDivisionError: division by zero"


def _write_one(code: str, args: str) -> str:
    import json
    import tempfile

    folder = tempfile.mkdtemp()
    path = os.path.join(folder, "one.jsonl")
    with open(path, "w") as out:
        out.write(json.dumps({"code": code, "input": args}) + "\n")
    return path


def test_steps_read_as_a_person_would_describe_them():
    from generators.code.trace_steps import write_steps
    from tracer.divergence import display_order

    code = PROGRAMS["generator_send.py"] + PROGRAMS["stack_class.py"] + PROGRAMS["global_total.py"]
    trace = trace_module(code, max_steps=10_000).to_dict()
    assert trace["status"] == "ok"
    n = len(display_order(trace["steps"]))
    text = [s.proposal for s in write_steps(trace, 0, n).steps]
    joined = "\n".join(text)
    assert "L4 `x = yield total` → running_total yields 0" in text
    assert "running_total resumes at L4" in text
    assert "L4 `x = yield total` → x = 3" in text  # the sent value, on its own line
    assert "running_total returns" not in joined  # a yield is not a return
    assert "L11 `class Stack:` → runs the body of class Stack" in text
    assert "class Stack: its body starts at L11" in text
    assert "class Stack is defined with made, __init__, push, pop, __str__" in text
    assert "Stack returns None" not in joined
    assert "L19 `self.items.append(x)` → self: Stack(items=[]) → Stack(items=[0])" in text
    assert "back at L29 `s.push(i * i)` → s: Stack(items=[]) → Stack(items=[0])" in text
    assert "<Stack object>" not in joined and "<listcomp>" not in joined
    assert "L35 `total += x` → global total: 0 → 5" in text
    assert "call add(x=5)" in text


def test_a_coroutine_pauses_and_resumes_and_a_raising_call_is_read_in_order():
    from generators.code.trace_steps import write_steps
    from tracer.divergence import display_order

    trace = trace_module(PROGRAMS["coroutine.py"]).to_dict()
    text = [s.proposal for s in write_steps(trace, 0, len(display_order(trace["steps"]))).steps]
    assert "back at L6 `await Pause()` → job pauses at await" in text
    assert "job resumes at L6" in text and "L7 job returns 8" in text
    assert not any("StopIteration" in t and "L6" in t for t in text)  # await's own machinery
    trace = trace_call(PROGRAMS["finally_runs.py"].split("\nprint")[0] +
                       "\ndef f():\n    return risky(0) + 1\n", "f", "").to_dict()
    text = [s.proposal for s in write_steps(trace, 0, len(display_order(trace["steps"]))).steps]
    # The caller's line calls first and raises when the call has ended, not before it.
    assert text[1] == "L8 `return risky(0) + 1` → calls risky"
    assert text[-1] == "back at L8 `return risky(0) + 1` raises ZeroDivisionError: " \
                       "integer division or modulo by zero"


def test_an_exception_leaving_a_function_is_not_a_return():
    trace = trace_call(PROGRAMS["reraise.py"].split("\nprint")[0], "parse", "'x1'")
    assert trace.status == "exception" and trace.exception == (
        "ValueError: invalid literal for int() with base 10: 'x1'")
    events = [(s.event, s.line) for s in trace.steps]
    assert events[-1] == ("exception", 6) and "return" not in {e for e, _ in events}
    trace = trace_call(PROGRAMS["finally_runs.py"].split("\nprint")[0], "risky", "0")
    assert [s.event for s in trace.steps][-2:] == ["line", "reraise"]
    assert trace.steps[-1].value == "ZeroDivisionError: integer division or modulo by zero"


def test_a_big_value_is_shown_capped_and_answered_exactly():
    trace = trace_call("def f(n):\n    x = 2 ** n\n    return x\n", "f", "10000")
    assert trace.status == "ok" and trace.return_repr == str(2**10000)
    assert trace.steps[1].locals["x"] == "19950631...96709376 (3011 digits)"
