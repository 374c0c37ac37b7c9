"""Output prediction: what does the call return (and print), or what does the program print?

The steps are the program's trace, one checked step per recorded event; the answer is the
outcome, as CPython shows it: the return value's repr, or, when the run ends in an uncaught
exception, the last line CPython prints for it (``ZeroDivisionError: division by zero``);
followed by ``printed: '<stdout>'`` when the program printed (a module program's answer is
what it prints). Steps follow `generators.code.trace_steps` (display order).

Long runs: the program runs on past the step budget (`run_on`), so the answer is always the
run's real result. A trace of at most MAX_WRITTEN display entries is written whole and ends
with a step stating the result (``terminated``); a longer one is written up to MAX_WRITTEN
entries and the chain ends there (``truncated``): no step leaps to the end unchecked, and the
answer is still the real one.
"""

from __future__ import annotations

import random

from generators.code.program_runs import LEVELS_ALL, Config, call_text, pick_program
from generators.code.trace_steps import MAX_WRITTEN, accepted, write_steps
from generators.code.value_answers import compare_repr
from reasoning.split import program_identity
from reasoning.task import Problem, Task, Verdict
from tracer.divergence import display_order

NAME = "output_prediction"
VERSION = "2"
PRINTED = "printed: "
RAISES = "raises "  # an answer may say "raises ValueError: ..." or just "ValueError: ..."


def _answer(return_repr: str | None, exception: str | None, stdout: str) -> str:
    outcome = exception if exception is not None else return_repr
    parts = [] if outcome is None else [outcome]
    if stdout or outcome is None:
        parts.append(PRINTED + repr(stdout))
    return "\n".join(parts)


def generate(rng: random.Random, level: str, config: Config, index: int = 0) -> Problem:
    program, trace, events = pick_program(rng, level, config, index=index, run_on=True)
    n = len(display_order(trace["steps"]))
    stdout = trace.get("stdout", "")
    exception = trace.get("exception") if trace["status"] == "exception" else None
    ret = trace.get("return_repr") if exception is None else None
    call = call_text(program)
    if n <= MAX_WRITTEN and not trace.get("cut"):
        written = write_steps(trace, 0, n, rng, config.slip_rate, chain_first=config.chain_first,
                              split=config.split_ops)
        if exception is not None:
            said = f"{call} raises {exception}"
        else:
            said = f"{call} returns {ret}" if ret is not None else f"{call} finishes"
        if stdout:
            said += f" and prints {stdout!r}"
        written.steps.append(accepted(said, "the tracer recorded the same result ✓",
                                      f"trace status {trace['status']}"))
        end = "terminated"
    else:  # the chain stops here; the answer is the run's real result (see the docstring)
        written = write_steps(trace, 0, MAX_WRITTEN, rng, config.slip_rate,
                              chain_first=config.chain_first, split=config.split_ops)
        end = "truncated"
    ask = f"What does {call} return?" if program.func else "What does this program print?"
    if program.func and stdout:
        ask = f"What does {call} return, and what does it print?"
    prompt = f"{ask} Trace it step by step.\n\n```python\n{program.code.rstrip()}\n```"
    return Problem(
        task=NAME, level=level, prompt=prompt, steps=written.steps,
        answer=_answer(ret, exception, stdout), error=written.slip, end=end,
        events=tuple(events), identity=program_identity(program.code),
        data={"return_repr": ret, "exception": exception, "stdout": stdout,
              "code": program.code, "func": program.func, "args": program.args,
              "family": program.family, "source": program.source,
              "steps_traced": trace.get("n_steps", len(trace["steps"])),
              "cut": bool(trace.get("cut"))},
    )


def _same_exception(answer: str, expected: str) -> tuple[bool, str]:
    said = " ".join(answer.split())
    said = said[len(RAISES):] if said.startswith(RAISES) else said
    if said == " ".join(expected.split()):
        return True, "correct"
    return False, f"expected the exception {expected[:60]}"


def verify(problem: Problem, answer_text: str) -> Verdict:
    """1 when the outcome (return value or exception) and the printed text, if any, match;
    0.5 for one of two."""
    if not isinstance(answer_text, str):
        return Verdict(0.0, "answer is not text")
    expected_ret = problem.data.get("return_repr")
    expected_exc = problem.data.get("exception")
    expected_out = problem.data.get("stdout", "")
    ret_text, _, printed = answer_text.partition(PRINTED)
    checks: list[tuple[bool, str]] = []
    if expected_exc is not None:
        checks.append(_same_exception(ret_text, expected_exc))
    elif expected_ret is not None:
        checks.append(compare_repr(ret_text, expected_ret))
    elif ret_text.strip():
        checks.append((False, "the program returns nothing: say what it prints"))
    if expected_out or (expected_ret is None and expected_exc is None):
        if not printed.strip():
            checks.append((False, "the printed output is missing"))
        else:
            checks.append(compare_repr(printed.strip(), repr(expected_out)))
    elif printed.strip() and printed.strip() not in ("''", '""'):
        checks.append((False, "the program prints nothing"))
    score = sum(ok for ok, _ in checks) / len(checks)
    return Verdict(score, "; ".join(why for _, why in checks))


TASK = Task(name=NAME, domain="code", levels=LEVELS_ALL, version=VERSION, config_cls=Config,
            generate=generate, verify=verify, indexed=True,
            description="predict a traced Python call's return value or exception (and output), "
                        "step by step")
