"""State after N steps: the value of a named variable right after the N-th trace step.

Steps are counted in display order (`tracer.divergence.display_order`: each executed
line, call, return and exception is one step, and a line that calls a function is met
again when the call returns), numbered from 1, and the written steps carry their numbers
(``step 3: L4 `…` → total: 4 → 7``) so the count is never in doubt. The asked step is
one that changes the variable (or binds it in a call), within the first MAX_WRITTEN steps.
"""

from __future__ import annotations

import random

from generators.code.program_runs import LEVELS_ALL, Config, call_text, pick_program
from generators.code.trace_steps import MAX_WRITTEN, accepted, write_steps
from generators.code.value_answers import compare_repr
from reasoning.split import program_identity
from reasoning.task import Dropped, Problem, Task, Verdict
from tracer.divergence import display_order

NAME = "state_after_steps"
VERSION = "2"


def generate(rng: random.Random, level: str, config: Config, index: int = 0) -> Problem:
    # Only the first MAX_WRITTEN steps are asked about: a run the step budget ends still
    # has them (its steps are the run's own).
    program, trace, events = pick_program(rng, level, config, index=index,
                                          accept=("ok", "exception", "truncated"))
    steps = trace["steps"]
    order = display_order(steps)
    # A step that shows a variable's new value: a line that changes one (when it is done,
    # for a line that calls a function), or a call that binds arguments (deep recursions
    # such as factorial change nothing but their arguments).
    candidates = [p for p, (i, phase) in enumerate(order[:MAX_WRITTEN])
                  if phase != "start" and steps[i].get("event") in ("line", "call")
                  and steps[i].get("changed")]
    if not candidates:
        raise Dropped("no_state_change")
    # Later steps make longer, harder questions; draw uniformly so both kinds appear.
    p = rng.choice(candidates)
    step = steps[order[p][0]]
    var = rng.choice(step["changed"])
    value = step["locals"][var]
    func = step.get("func")
    written = write_steps(trace, 0, p + 1, rng, config.slip_rate, numbered=True,
                          chain_first=config.chain_first, split=config.split_ops)
    written.steps.append(accepted(f"after step {p + 1}: {var} = {value}",
                                  f"the tracer recorded {var} = {value} in {func} at step {p + 1} ✓",
                                  f"trace step {order[p][0]}"))
    call = call_text(program)
    prompt = (f"Run {call} step by step, numbering the steps: each executed line, call and "
              f"return is one step, and a line that calls a function counts once more when "
              f"the call has returned. What is the value of `{var}` in `{func}` right after "
              f"step {p + 1}?\n\n```python\n{program.code.rstrip()}\n```")
    return Problem(
        task=NAME, level=level, prompt=prompt, steps=written.steps, answer=value,
        error=written.slip, events=tuple(events), identity=program_identity(program.code),
        data={"value_repr": value, "variable": var, "step": p + 1, "func": program.func,
              "code": program.code, "args": program.args, "family": program.family},
    )


def verify(problem: Problem, answer_text: str) -> Verdict:
    """1 when the answer spells the recorded value (compared as a Python value), else 0."""
    if not isinstance(answer_text, str):
        return Verdict(0.0, "answer is not text")
    ok, why = compare_repr(answer_text, problem.data["value_repr"])
    return Verdict(1.0 if ok else 0.0, why)


TASK = Task(name=NAME, domain="code", levels=LEVELS_ALL, version=VERSION, config_cls=Config,
            generate=generate, verify=verify, indexed=True,
            description="the value of a named variable after N steps of a traced run")
