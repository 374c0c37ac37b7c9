"""Output prediction: what does the call return (and print)?

The steps are the program's trace, one checked step per recorded event; the answer is
the return value's repr, followed by ``printed: '<stdout>'`` when the program printed.
Steps follow `tracer.tasks.steps` (display order). A trace longer than MAX_WRITTEN steps is written up to that budget, then one step jumps
to the end of the run (checked against the tracer's final record) and the record ends
`truncated`: the chain of thought stopped early, the answer is still the real one.
"""

from __future__ import annotations

import random

from reasoning.task import Problem, Task, Verdict
from tracer.divergence import display_order
from tracer.tasks.answers import compare_repr
from tracer.tasks.common import LEVELS_ALL, Config, call_text, pick_program
from tracer.tasks.steps import MAX_WRITTEN, accepted, write_steps

NAME = "output_prediction"
VERSION = "1"
PRINTED = "printed: "


def _answer(return_repr: str | None, stdout: str) -> str:
    parts = [] if return_repr is None else [return_repr]
    if stdout or return_repr is None:
        parts.append(PRINTED + repr(stdout))
    return "\n".join(parts)


def generate(rng: random.Random, level: str, config: Config, index: int = 0) -> Problem:
    program, trace, events = pick_program(rng, level, config, index=index)
    n = len(display_order(trace["steps"]))
    ret, stdout = trace.get("return_repr"), trace.get("stdout", "")
    end = "terminated"
    if n <= MAX_WRITTEN:
        written = write_steps(trace, 0, n, rng, config.slip_rate)
    else:
        written = write_steps(trace, 0, MAX_WRITTEN - 1, rng, config.slip_rate)
        written.steps.append(accepted(f"… steps {MAX_WRITTEN}–{n} run on to the end of the run",
                                 f"the run ends after {n} steps ✓", f"display entries {MAX_WRITTEN - 1}..{n - 1}"))
        end = "truncated"
    call = call_text(program)
    said = f"{call} returns {ret}" if ret is not None else f"{call} finishes"
    if stdout:
        said += f" and prints {stdout!r}"
    written.steps.append(accepted(said, "the tracer recorded the same result ✓", f"trace status {trace['status']}"))
    ask = f"What does {call} return?" if program.func else "What does this program print?"
    if program.func and stdout:
        ask = f"What does {call} return, and what does it print?"
    prompt = f"{ask} Trace it step by step.\n\n```python\n{program.code.rstrip()}\n```"
    return Problem(
        task=NAME, level=level, prompt=prompt, steps=written.steps, answer=_answer(ret, stdout),
        error=written.slip, end=end, events=tuple(events),
        data={"return_repr": ret, "stdout": stdout, "code": program.code, "func": program.func,
              "args": program.args, "family": program.family, "source": program.source},
    )


def verify(problem: Problem, answer_text: str) -> Verdict:
    """1 when the return value (and the printed text, if any) match; 0.5 for one of two."""
    if not isinstance(answer_text, str):
        return Verdict(0.0, "answer is not text")
    expected_ret = problem.data.get("return_repr")
    expected_out = problem.data.get("stdout", "")
    ret_text, _, printed = answer_text.partition(PRINTED)
    checks: list[tuple[bool, str]] = []
    if expected_ret is not None:
        checks.append(compare_repr(ret_text, expected_ret))
    if expected_out or expected_ret is None:
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
            description="predict a traced Python call's return value (and output), step by step")
