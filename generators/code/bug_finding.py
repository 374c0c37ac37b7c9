"""Bug finding: a program with one planted bug and its expected result; find the faulty line.

A program is drawn for the level (in its `ast.unparse` form), a few mutants are sampled
(`tracer.mutate`), and the original and the mutants are traced in one sandbox batch.
A mutant is kept only if it is observable: its trace differs from the original's on the
recorded input (`tracer.divergence`); when none differs, the program's alternative
inputs are tried in turn. Mutants that hang (time or step limit) are labelled
`mutant_timeout`, ones that never differ `mutant_unobservable`, and neither is emitted.

Hang detection is deterministic: the step budget, and value caps for runs whose numbers
or strings grow without end (the trace ends as `overflow`). The wall clocks are only a
safety net: a run they cut drops the whole item (`clock_timeout`), so the records emitted
never depend on the machine's speed (see `generators.code.program_runs`).

The steps trace the buggy program up to the first divergent step; that step's critic
names the intended value, and a last step names the faulty line and its fix. Slips are
not injected here: the record's one error is the bug.
"""

from __future__ import annotations

import random
import re
from typing import Any

from generators.code.program_runs import (
    LEVELS_ALL,
    MUTANT_HARD_TIMEOUT_S,
    MUTANT_TRACE_TIMEOUT_S,
    PROGRAM_ATTEMPTS,
    Config,
    call_text,
    pick_program,
    run_traces,
    trace_job,
)
from generators.code.trace_steps import MAX_WRITTEN, accepted, write_steps
from reasoning.schema import InjectedError, Step
from reasoning.task import Dropped, Problem, Task, Verdict
from tracer.divergence import Divergence, display_order, first_divergence
from tracer.mutate import Mutant, sample_mutants
from tracer.programs import Program

NAME = "bug_finding"
VERSION = "1"
MUTANTS_PER_PROGRAM = 4
HANG_FACTOR = 5  # a mutant may run this many times the original's steps before it counts as hanging
HANG_MIN_STEPS = 200
_LINE = re.compile(r"(?:\bline\b|\bL)\s*(\d{1,6})", re.IGNORECASE)
_BARE = re.compile(r"\s*(\d{1,6})\s*\.?\s*")


def _find_bug(
    rng: random.Random, program: Program, trace: dict[str, Any], config: Config, events: list[str]
) -> tuple[Mutant, str, dict[str, Any], dict[str, Any], Divergence] | None:
    """The first sampled mutant that observably differs, on the first input that shows it:
    (mutant, args, original trace, mutant trace, divergence), or None."""
    pending = sample_mutants(program.code, rng, MUTANTS_PER_PROGRAM)
    if not pending:
        events.append("no_mutation_site")
        return None
    # A mutant that runs far longer than the original is treated as hanging: this caps
    # the cost of the many infinite-loop mutants (e.g. a deleted `i += 1`).
    budget = min(config.max_steps, max(HANG_MIN_STEPS, HANG_FACTOR * len(trace["steps"])))
    for k, args in enumerate((program.args, *program.alt_args)):
        jobs = [] if k == 0 else [trace_job(program.code, program.func, args, config)]
        jobs += [trace_job(m.code, program.func, args, config, max_steps=budget,
                           timeout_s=MUTANT_TRACE_TIMEOUT_S) for m in pending]
        runs = run_traces(jobs, config, hard_timeout_s=MUTANT_HARD_TIMEOUT_S)
        if k > 0:
            first = runs.pop(0)
            if first.kind != "ok" or first.trace is None or first.trace.get("status") != "ok":
                continue  # this input does not run cleanly on the original: try the next
            original = first.trace
        else:
            original = trace
        still: list[Mutant] = []
        found = None
        for mutant, run in zip(pending, runs, strict=True):
            if run.kind == "timeout":
                events.append("mutant_timeout")
            elif run.kind != "ok" or run.trace is None:
                events.append("mutant_error")
            elif (div := first_divergence(original, run.trace)) is None:
                still.append(mutant)
            elif found is None:  # the first observable one in sampled order is the bug
                found = (mutant, args, original, run.trace, div)
        if found is not None:
            return found
        pending = still
        if not pending:
            return None
    events.extend("mutant_unobservable" for _ in pending)
    return None


def _intended(div: Divergence) -> str:
    """What the intended run does at the divergent step, in words."""
    e, a = div.expected, div.actual
    if div.variable == "<return>":
        return f"the intended run returns {e} here, not {a}"
    if div.variable in ("<line>", "<end>"):
        return f"the intended run goes on at {e} here, not {a}"
    if div.variable == "<exception>":
        return f"the intended run ends with {e} here, not {a}"
    if div.variable.startswith("<"):
        return f"the intended run differs here ({div.variable[1:-1]}: {e}, not {a})"
    return f"the intended run has {div.variable} = {e} here, not {a}"


def _result_text(trace: dict[str, Any], should: bool = False) -> str:
    """How a run ended, e.g. "returns 18" (or "return 18" after "should"); a module that
    prints nothing is told by the variables it ends with."""
    s = "" if should else "s"
    if trace.get("status") == "exception":
        return f"raise{s} {trace.get('exception')}"
    if trace.get("return_repr") is None:  # a whole module: its output tells, or its state
        if trace.get("stdout") or not _final_module_state(trace):
            return f"print{s} {trace.get('stdout', '')!r}"
        return f"end{'' if should else 's'} with {_final_module_state(trace)}"
    said = f"return{s} {trace.get('return_repr')}"
    return said + (f" and print{s} {trace.get('stdout')!r}" if trace.get("stdout") else "")


def _final_module_state(trace: dict[str, Any]) -> str:
    """The module's variables when it ends (`x = 3, ys = [1, 2]`), its functions and classes
    left out; empty when it has none."""
    steps = trace.get("steps") or []
    final = next((s.get("locals") or {} for s in reversed(steps)
                  if s.get("func") == "<module>" and s.get("depth") == 0), {})
    return ", ".join(f"{k} = {v}" for k, v in final.items()
                     if not v.startswith(("<function ", "<class ", "<module ")))


def generate(rng: random.Random, level: str, config: Config, index: int = 0) -> Problem:
    events: list[str] = []
    for _ in range(PROGRAM_ATTEMPTS):
        program, trace, met = pick_program(rng, level, config, index=index, canonical=True)
        events.extend(met)
        if program.func is None and not trace.get("stdout") and not _final_module_state(trace):
            raise Dropped("program_silent")  # nothing a bug could change is observable
        found = _find_bug(rng, program, trace, config, events)
        if found is not None:
            break
    else:
        raise Dropped("no_observable_mutant")
    mutant, args, original, buggy, div = found
    last = min(div.position, len(display_order(buggy["steps"])) - 1)
    lo = max(0, last + 1 - (MAX_WRITTEN - 1))
    written = write_steps(buggy, lo, last + 1)
    at = written.at[last]
    shown = written.steps[at]
    written.steps[at] = Step(
        proposal=shown.proposal,
        critic=f"{shown.critic.removesuffix(' ✓')}; but {_intended(div)}: the first divergent step ✓",
        verdict="accept", check=shown.check,
    )
    call = f"{program.func}({args})" if program.func else "the module"
    written.steps.append(accepted(
        f"the faulty line is L{mutant.line}: `{mutant.mutated_line}`; it should read "
        f"`{mutant.original_line}`",
        f"with `{mutant.original_line}`, {call} {_result_text(original)} as expected ✓",
        f"bug:{mutant.operator}; {div.describe()}",
    ))
    error = InjectedError(kind=f"bug:{mutant.operator}", location=f"line {mutant.line}",
                          original=mutant.original_line, wrong=mutant.mutated_line,
                          first_divergent_step=at, detail=div.describe())
    prompt = (f"One line of this program is wrong. {call} should {_result_text(original, should=True)}. "
              f"Trace it, find the first step where the run goes wrong, and name the faulty line."
              f"\n\n```python\n{mutant.code.rstrip()}\n```")
    return Problem(
        task=NAME, level=level, prompt=prompt, steps=written.steps, answer=f"line {mutant.line}",
        error=error, events=tuple(events),
        data={"faulty_line": mutant.line, "operator": mutant.operator,
              "original_code": program.code, "buggy_code": mutant.code, "func": program.func,
              "args": args, "divergent_position": div.position, "divergent_record_step": at,
              "divergence": {"position": div.position, "step": div.step, "phase": div.phase,
                             "line": div.line, "variable": div.variable,
                             "expected": div.expected, "actual": div.actual},
              "family": program.family, "call": call_text(program)},
    )


def parse_line_number(text: str) -> int | None:
    """The line number an answer names: "line 4", "L4", or a bare "4"."""
    if not isinstance(text, str) or len(text) > 2000:
        return None
    found = _LINE.search(text)
    if found:
        return int(found.group(1))
    bare = _BARE.fullmatch(text)
    return int(bare.group(1)) if bare else None


def verify(problem: Problem, answer_text: str) -> Verdict:
    """1 when the answer names the faulty line, else 0."""
    line = parse_line_number(answer_text)
    if line is None:
        return Verdict(0.0, "no line number found (write e.g. `line 4`)")
    expected = int(problem.data["faulty_line"])
    if line == expected:
        return Verdict(1.0, "correct")
    return Verdict(0.0, f"wrong line: got {line}, expected {expected}")


TASK = Task(name=NAME, domain="code", levels=LEVELS_ALL, version=VERSION, config_cls=Config,
            generate=generate, verify=verify, indexed=True,
            description="find the faulty line of a program with one planted, observable bug")
