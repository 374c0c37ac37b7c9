"""Bug finding: a program with one planted bug and its expected result; find and fix the line.

A program is drawn for the level (in its `ast.unparse` form), a few mutants are sampled
(`tracer.mutate`), and the original and the mutants are traced in sandbox batches. A mutant
is kept only when the bug shows: on the question's input, its outcome (return value,
exception, printed output; a module's final variables) differs from the original's
(`generators.code.bug_fixes.outcome`). The program's inputs are tried in turn (the
template's `args`, then its `alt_args`); the first on which a mutant shows is the question's
input, and the others, run on the original, are held inputs for the verifier. Mutants that
hang (step budget, value caps) are labelled `mutant_timeout`, ones that never show
`mutant_unobservable`, and neither is emitted.

Hang detection is deterministic: the step budget, and value caps for runs whose numbers
or strings grow without end (the trace ends as `overflow`). The wall clocks are only a
safety net: a run they cut drops the whole item (`clock_timeout`), so the records emitted
never depend on the machine's speed (see `generators.code.program_runs`).

The steps trace the buggy program from its first step up to the first divergent step
(`tracer.divergence`; a line that raises is shown raising); that step's critic names the
intended value, and a last step names the faulty line and its fix. With the config's
`whole_run` (a learner form's option) the steps trace the buggy run to its end instead
(where it fits MAX_WRITTEN steps and no budget cut it), a step sets its outcome beside the
expected one, and only then a step names the first divergent step and the intended value
there: the learner decides where the run went wrong after it has seen the whole run, not
while tracing it. A mutant whose first
divergence lies beyond MAX_WRITTEN steps is passed over (`mutant_late`), so no step leaps
over steps it does not show. Slips are not injected here: the record's one error is the bug.

Answers: ``line N: `corrected line` `` (ANSWER_FORM). Grading is by behaviour: the fix is
applied and the fixed program runs in the sandbox on the question's input and the held
inputs; it scores 1 when every outcome equals the original's, whichever line it changes
(a bug can often be fixed on more than one line). Naming the planted line without a fix
that works scores PARTIAL; anything else 0.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from generators.code.bug_fixes import (
    apply_fix,
    check_fix,
    derive_inputs,
    describe,
    final_module_state,
    outcome,
    parse_fix,
    same_program,
)
from generators.code.program_runs import (
    LEVELS_ALL,
    MUTANT_HARD_TIMEOUT_S,
    MUTANT_TRACE_TIMEOUT_S,
    OK_TRACE,
    PROGRAM_ATTEMPTS,
    Config,
    Run,
    call_text,
    pick_program,
    run_traces,
    trace_job,
)
from generators.code.trace_steps import MAX_WRITTEN, accepted, write_steps
from reasoning.schema import InjectedError, Step
from reasoning.split import program_identity
from reasoning.task import Dropped, Problem, Task, Verdict
from tracer.divergence import Divergence, display_order, first_divergence
from tracer.mutate import Mutant, sample_mutants
from tracer.programs import Program

NAME = "bug_finding"
VERSION = "2"
MUTANTS_PER_PROGRAM = 4
HANG_FACTOR = 5  # a mutant may run this many times the original's steps before it counts as hanging
HANG_MIN_STEPS = 200
ANSWER_FORM = "line N: <the corrected line>"
# Locating the planted line without a working fix: some credit for the search, far less
# than a fix, since another line may be just as fair a place to fix it.
PARTIAL = 0.25


@dataclass(frozen=True)
class _Found:
    """The bug kept: the mutant, the question's input, the original's and the mutant's
    traces on it, their first divergence, and the held inputs with the original's outcomes."""

    mutant: Mutant
    args: str
    original: dict[str, Any]
    buggy: dict[str, Any]
    divergence: Divergence
    held: list[tuple[str, dict[str, Any]]]


def _finished(run: Run) -> bool:
    return run.kind == "ok" and run.trace is not None and run.trace.get("status") in OK_TRACE


def _find_bug(rng: random.Random, program: Program, trace: dict[str, Any], config: Config,
              events: list[str]) -> _Found | None:
    """The first sampled mutant whose outcome differs from the original's on some input (the
    question's input is the first that shows it), or None. The originals on the other inputs
    run in the first batch: they are the held inputs the verifier re-runs a fix on."""
    pending = sample_mutants(program.code, rng, MUTANTS_PER_PROGRAM)
    if not pending:
        events.append("no_mutation_site")
        return None
    module = program.func is None
    # A mutant that runs far longer than the original is treated as hanging: this caps
    # the cost of the many infinite-loop mutants (e.g. a deleted `i += 1`).
    budget = min(config.max_steps, max(HANG_MIN_STEPS, HANG_FACTOR * len(trace["steps"])))
    inputs = (program.args, *dict.fromkeys(a for a in program.alt_args if a != program.args))
    derived = [a for a in derive_inputs(program.args) if a not in inputs] if not module else []
    originals: list[dict[str, Any] | None] = [trace]
    near: list[tuple[str, dict[str, Any]]] = []
    for k, args in enumerate(inputs):
        # The first batch also runs the original on the other inputs (one round trip).
        extra = [*inputs[1:], *derived] if k == 0 else []
        jobs = [trace_job(program.code, program.func, a, config) for a in extra]
        jobs += [trace_job(m.code, program.func, args, config, max_steps=budget,
                           timeout_s=MUTANT_TRACE_TIMEOUT_S) for m in pending]
        runs = run_traces(jobs, config, hard_timeout_s=MUTANT_HARD_TIMEOUT_S)
        if k == 0:
            originals += [r.trace if _finished(r) else None for r in runs[:len(inputs) - 1]]
            # A derived input counts only where the original returns: it is in the domain.
            near = [(a, outcome(r.trace, module)) for a, r in zip(derived, runs[len(inputs) - 1:len(extra)],
                                                                 strict=True)
                    if _finished(r) and r.trace.get("status") == "ok"]
            runs = runs[len(extra):]
        original = originals[k]
        if original is None:
            continue  # this input does not run cleanly on the original: try the next
        want = outcome(original, module)
        still: list[Mutant] = []
        found = None
        for mutant, run in zip(pending, runs, strict=True):
            if run.kind == "timeout":
                events.append("mutant_timeout")
            elif not _finished(run):
                events.append("mutant_error")
            elif outcome(run.trace, module) == want:
                still.append(mutant)  # the bug does not show on this input
            elif (div := first_divergence(original, run.trace)) is None or div.position >= MAX_WRITTEN - 1:
                # Shown only from step 1 and within MAX_WRITTEN steps: no step may leap.
                events.append("mutant_late")
                still.append(mutant)
            elif found is None:  # the first observable one in sampled order is the bug
                held = [(a, outcome(t, module)) for j, (a, t) in enumerate(zip(inputs, originals, strict=True))
                        if j != k and t is not None]
                found = _Found(mutant, args, original, run.trace, div, held + near)
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


def generate(rng: random.Random, level: str, config: Config, index: int = 0) -> Problem:
    events: list[str] = []
    for _ in range(PROGRAM_ATTEMPTS):
        program, trace, met = pick_program(rng, level, config, index=index, canonical=True)
        events.extend(met)
        if program.func is None and not trace.get("stdout") and not final_module_state(trace):
            raise Dropped("program_silent")  # nothing a bug could change is observable
        found = _find_bug(rng, program, trace, config, events)
        if found is not None:
            break
    else:
        raise Dropped("no_observable_mutant")
    mutant, args, original, div = found.mutant, found.args, found.original, found.divergence
    module = program.func is None
    want, got = outcome(original, module), outcome(found.buggy, module)
    # The actual run may stop first (position == its length): show its last step then.
    entries = len(display_order(found.buggy["steps"]))
    last = min(div.position, entries - 1)
    call = f"{program.func}({args})" if program.func else "the module"
    whole = config.whole_run and entries <= MAX_WRITTEN and not found.buggy.get("cut")
    written = write_steps(found.buggy, 0, entries if whole else last + 1, chain_first=config.chain_first,
                          split=config.split_ops)
    at = written.at[last]
    if whole:
        written.steps.append(accepted(
            f"{call} {describe(got)}, but it should {describe(want, should=True)}",
            "as traced above, and as the question asks ✓", "outcomes of the buggy run and the original"))
        where = f"L{div.line}" if div.line is not None else "the end of the run"
        written.steps.append(accepted(
            f"the run first goes wrong at {where}: {_intended(div)}",
            "the first step where the two runs differ ✓", f"divergence: {div.describe()}"))
    else:
        shown = written.steps[at]
        checked = shown.critic.removesuffix("✓").strip()  # "" when the proposal holds the work
        written.steps[at] = Step(
            proposal=shown.proposal,
            critic=f"{checked + '; ' if checked else ''}but {_intended(div)}: the first divergent step ✓",
            verdict="accept", check=shown.check,
        )
    written.steps.append(accepted(
        f"the faulty line is L{mutant.line}: `{mutant.mutated_line}`; it should read "
        f"`{mutant.original_line}`",
        f"as written, {call} {describe(got)}; with `{mutant.original_line}`, it {describe(want)} "
        f"as expected ✓",
        f"bug:{mutant.operator}; {div.describe()}",
    ))
    error = InjectedError(kind=f"bug:{mutant.operator}", location=f"line {mutant.line}",
                          original=mutant.original_line, wrong=mutant.mutated_line,
                          first_divergent_step=at, detail=div.describe())
    prompt = (f"One line of this program is wrong. {call} should {describe(want, should=True)}. "
              f"Trace it, find the first step where the run goes wrong, name the faulty line and "
              f"fix it. Answer as `{ANSWER_FORM}`.\n\n```python\n{mutant.code.rstrip()}\n```")
    return Problem(
        task=NAME, level=level, prompt=prompt, steps=written.steps,
        answer=f"line {mutant.line}: `{mutant.original_line}`", error=error, events=tuple(events),
        data={"faulty_line": mutant.line, "fix": mutant.original_line, "operator": mutant.operator,
              "original_code": program.code, "buggy_code": mutant.code, "func": program.func,
              "args": args, "expected": want, "buggy_outcome": got,
              "held_args": [a for a, _ in found.held], "held_expected": [o for _, o in found.held],
              "max_steps": config.max_steps,
              "divergent_position": div.position, "divergent_record_step": at,
              "divergence": {"position": div.position, "step": div.step, "phase": div.phase,
                             "line": div.line, "variable": div.variable,
                             "expected": div.expected, "actual": div.actual},
              "family": program.family, "call": call_text(program)},
        identity=program_identity(program.code),  # the original: one program, one split
    )


def parse_line_number(text: str) -> int | None:
    """The line number an answer names: "line 4", "L4", or a bare "4"."""
    return parse_fix(text)[0]


def verify(problem: Problem, answer_text: str) -> Verdict:
    """Graded by behaviour (see the module docstring): 1 when the named line, rewritten as the
    answer says, makes the program behave as the original on the question's input and on
    the held inputs; PARTIAL when the answer names the planted line without a fix that works;
    else 0. Never raises; runs only in the sandbox, within the recorded step budget."""
    try:
        return _verify(problem.data, answer_text)
    except Exception as exc:  # a malformed record or answer is a 0, not a crash
        return Verdict(0.0, f"could not grade the answer ({type(exc).__name__})")


def _verify(data: dict[str, Any], answer_text: str) -> Verdict:
    line, fix = parse_fix(answer_text)
    if line is None:
        return Verdict(0.0, f"no line number found (answer as `{ANSWER_FORM}`)")
    planted = int(data["faulty_line"])
    located = line == planted
    partial = PARTIAL if located else 0.0
    if fix is None:
        return Verdict(partial, f"line {line} named but no corrected line given (answer as `{ANSWER_FORM}`)")
    fixed = apply_fix(data["buggy_code"], line, fix)
    if fixed is None:
        return Verdict(partial, f"`{fix[:80]}` on line {line} does not make a valid program")
    if same_program(fixed, data["original_code"]):
        return Verdict(1.0, "correct")  # the planted bug undone: no need to run it
    if same_program(fixed, data["buggy_code"]):
        return Verdict(partial, f"line {line} is unchanged: that is not a fix")
    ok, why = check_fix(fixed, data)
    if ok:
        return Verdict(1.0, f"correct: {why}")
    return Verdict(partial, why)


TASK = Task(name=NAME, domain="code", levels=LEVELS_ALL, version=VERSION, config_cls=Config,
            generate=generate, verify=verify, indexed=True,
            description="find the faulty line of a program with one planted, observable bug")
