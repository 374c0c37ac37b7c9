"""What the code tasks share: their config, the per-process sandbox, and program runs.

Programs never run in the generator's process: every run is a "trace" job sent to a
sandbox (`tracer.sandbox`), one sandbox per process, created on first use and closed at
exit. A pipeline worker is a process of its own, so it gets its own sandbox; a sandbox
inherited through fork is not reused (its pipes belong to the parent).

A program's whole story is data: a run that ends in an uncaught exception is an outcome
(trace status 'exception', the answer CPython's last line, `ZeroDivisionError: division by
zero`), and output prediction runs its program on past the step budget (`run_on`: the
recording stops, the program goes on untraced to its end), so a long run gives a record with
its first steps and its real result.

Determinism: the same seed must give the same records on a fast or a loaded machine, so a
run's outcome is decided by deterministic budgets only: the tracer's step limit
('truncated') and its value-size caps ('overflow': a number squared in a loop, a string
doubled in a loop). Both count as a run that does not finish in budget (`Run.kind`
'timeout'; the item's Dropped reason says which: `program_step_budget`,
`program_value_cap`; a mutant's is `mutant_timeout`), and a task may then try its next
candidate, because the same candidate fails the same way everywhere.

The wall clocks (the tracer's TRACE_TIMEOUT_S, the sandbox's HARD_TIMEOUT_S and its CPU
limit) are a safety net only, set far above what any budgeted run takes (1,000 steps take
tens of milliseconds). A run cut by a clock may have finished on a faster machine, so it
must never steer a choice: `run_traces` drops the whole item (`Dropped("clock_timeout")`)
instead of returning it, and no task falls through to another program or mutant after one.
At worst a loaded machine emits fewer records, never different ones.
"""

from __future__ import annotations

import atexit
import os
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reasoning.levels import LEVELS
from reasoning.steps import check_slip_rate
from reasoning.task import Dropped
from tracer.programs import Program, generate_program

LEVELS_ALL = LEVELS  # every code task has programs for every level
SANDBOX_BACKENDS = ("process", "docker")
SANDBOX_WORKERS = 2
# Safety nets, not budgets (see the module docstring): generated programs and their mutants
# end within the step limit and the value caps in tens of milliseconds, so these clocks only
# fire on a run stuck in one C-level call, which drops the item. They stay 10x above need
# even when scaled down 10x (tests/generators/test_code_tasks.py checks that records match).
TRACE_TIMEOUT_S = 5.0  # the tracer's own wall-clock limit per run
HARD_TIMEOUT_S = 10.0  # the sandbox kills a worker that overruns this
# Mutants hang far more often than programs, but their hangs are caught by the step budget
# (bug_finding's HANG_FACTOR) and the value caps: their clocks are the same safety net.
MUTANT_TRACE_TIMEOUT_S = TRACE_TIMEOUT_S
MUTANT_HARD_TIMEOUT_S = HARD_TIMEOUT_S
PROGRAM_ATTEMPTS = 4  # programs tried per item before it is dropped
OK_TRACE = ("ok", "exception")  # trace statuses that describe a finished run
BUDGET_TRACE = ("truncated", "overflow")  # deterministic budgets ended the run
CLOCK_DROP = "clock_timeout"  # the Dropped reason of an item one of whose runs hit a clock
# The Dropped reason of a program a deterministic budget ended, by trace status.
BUDGET_DROP = {"truncated": "program_step_budget", "overflow": "program_value_cap"}


@dataclass(frozen=True)
class Config:
    """Config of every code task (the CLI's --slip-rate, --max-steps, --sandbox, --programs)."""

    slip_rate: float = 0.1
    max_steps: int = 1000
    sandbox: str = "process"
    programs: str | None = None
    # A learner form's option (model.curriculum.forms): a line step works its evaluation
    # out before it states the result ("→ 4 + 3, so total: 4 → 7"); generators.code.trace_steps.
    chain_first: bool = False
    # A learner form's option: bug finding traces the buggy run to its end, compares its
    # outcome with the expected one, and only then names the first divergent step
    # (generators.code.bug_finding), where by default the trace stops at that step.
    whole_run: bool = False
    # A learner form's option, with chain_first: that work does an operation on numbers of
    # several digits in pieces ("69 - 28 → 69 - 20 - 8 → 49 - 8"); trace_steps.split_chain.
    split_ops: bool = False

    def __post_init__(self) -> None:
        check_slip_rate(self.slip_rate)
        for name in ("chain_first", "whole_run", "split_ops"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"{name} must be true or false, got {getattr(self, name)!r}")
        if not isinstance(self.max_steps, int) or not 10 <= self.max_steps <= 100_000:
            raise ValueError(f"max_steps must be an integer in [10, 100000], got {self.max_steps!r}")
        if self.sandbox not in SANDBOX_BACKENDS:
            raise ValueError(f"sandbox must be one of {SANDBOX_BACKENDS}, got {self.sandbox!r}")
        if self.programs is not None:
            if not Path(self.programs).exists():
                raise ValueError(
                    f"programs path {self.programs!r} does not exist; give a .jsonl file, a .py "
                    "file or a directory of them"
                )
            from tracer.programs.user_programs import load_user_programs

            load_user_programs(self.programs)  # a bad file fails here, in one clear line


_SANDBOXES: dict[str, tuple[int, Any]] = {}


def sandbox_for(backend: str) -> Any:
    """This process's sandbox for `backend`, started on first use and closed at exit."""
    entry = _SANDBOXES.get(backend)
    if entry is None or entry[0] != os.getpid():
        from tracer.sandbox import get_sandbox

        sandbox = get_sandbox(backend, workers=SANDBOX_WORKERS)
        atexit.register(sandbox.close)
        _SANDBOXES[backend] = (os.getpid(), sandbox)
        entry = _SANDBOXES[backend]
    return entry[1]


@dataclass(frozen=True)
class Run:
    """One finished sandbox run of a trace job: `kind` is 'ok' (a finished trace, which
    may end in an exception), 'timeout' (a deterministic budget ended it: the step limit or
    the value caps) or 'error' (the sandbox refused or failed the job). A run cut by a
    clock is never a Run: `run_traces` drops the item."""

    kind: str
    trace: dict[str, Any] | None
    message: str = ""


def trace_job(
    code: str, func: str | None, args: str, config: Config, check: str | None = None,
    max_steps: int | None = None, timeout_s: float | None = None, run_on: bool = False,
) -> dict[str, Any]:
    """The sandbox job that traces `func(args)` in `code` (or the module when func is None);
    `timeout_s` defaults to TRACE_TIMEOUT_S as it is when called. `run_on`: past the step
    budget the program runs on untraced to its end (the trace is then marked `cut`)."""
    return {"kind": "trace", "code": code, "func": func, "args": args,
            "max_steps": max_steps or config.max_steps,
            "timeout_s": TRACE_TIMEOUT_S if timeout_s is None else timeout_s, "check": check,
            "run_on": run_on}


def run_traces(
    jobs: list[dict[str, Any]], config: Config, hard_timeout_s: float | None = None
) -> list[Run]:
    """Run trace jobs through this process's sandbox in one batch, in order.

    Raises Dropped(CLOCK_DROP) when any run was cut by a clock (the tracer's, or the
    sandbox's wall-clock or CPU limit): its outcome depends on the machine, so it must not
    decide which program or mutant an item keeps (see the module docstring).
    """
    if not jobs:
        return []
    timeout = HARD_TIMEOUT_S if hard_timeout_s is None else hard_timeout_s
    results = sandbox_for(config.sandbox).run_many(jobs, timeout_s=timeout)
    runs = []
    for result in results:
        if result.status == "timeout":
            raise Dropped(CLOCK_DROP)
        if result.status != "ok" or not isinstance(result.value, dict):
            runs.append(Run("error", None, f"{result.status}: {result.message}"))
        elif result.value.get("status") in OK_TRACE:
            runs.append(Run("ok", result.value))
        elif result.value.get("status") in BUDGET_TRACE:  # does not finish in budget
            runs.append(Run("timeout", result.value, str(result.value.get("status"))))
        else:  # 'timeout': the tracer's own clock
            raise Dropped(CLOCK_DROP)
    return runs


def pick_program(
    rng: random.Random, level: str, config: Config, *, index: int = 0, canonical: bool = False,
    accept: tuple[str, ...] = OK_TRACE, run_on: bool = False,
) -> tuple[Program, dict[str, Any], list[str]]:
    """A program of `level` (or user program `index % count`) whose trace status is one of
    `accept` (by default a finished run: a return or an uncaught exception), its trace, and
    the events met on the way. A generated program that does not is replaced by the next
    candidate from the same rng; after PROGRAM_ATTEMPTS, Dropped (the last reason: a budget's
    name, see BUDGET_DROP, or `program_error`). A user program is never replaced: it is
    traced or dropped.

    `canonical` rewrites the program as `ast.unparse` does first (bug finding compares
    mutants line by line against that form); `run_on` runs it on past the step budget.
    """
    from tracer.mutate import canonical as canonical_form

    events: list[str] = []
    last, detail = "program_error", ""
    attempts = PROGRAM_ATTEMPTS if config.programs is None else 1
    for _ in range(attempts):
        program = _next_program(rng, level, config, index)
        if canonical:
            try:
                program = _replace_code(program, canonical_form(program.code))
            except (SyntaxError, ValueError, RecursionError) as exc:
                events.append(last := "program_invalid")
                detail = f"{type(exc).__name__}: {exc}"
                continue
        (run,) = run_traces([trace_job(program.code, program.func, program.args, config,
                                       run_on=run_on)], config)
        status = run.trace.get("status") if run.trace is not None else None
        if run.kind in ("ok", "timeout") and status in accept:
            if config.programs is not None:  # a user's "output" that CPython contradicts
                from tracer.programs.user_programs import check_output, load_user_programs

                programs = load_user_programs(config.programs)
                check_output(programs[index % len(programs)], run.trace)
            return program, run.trace, events
        last, detail = _failure(run, config)
        events.append(last)
    raise Dropped(last, detail)


def _failure(run: Run, config: Config) -> tuple[str, str]:
    """The drop reason of a run that did not return normally, and what happened."""
    trace = run.trace or {}
    if run.kind == "timeout":
        status = str(trace.get("status"))
        detail = (f"still running after {config.max_steps} steps (--max-steps)" if status == "truncated"
                  else "a value grew past the tracer's size caps")
        return BUDGET_DROP.get(status, "program_error"), detail
    return "program_error", str(trace.get("exception") or run.message)


def _replace_code(program: Program, code: str) -> Program:
    return Program(code=code, func=program.func, args=program.args, alt_args=program.alt_args,
                   family=program.family, source=program.source)


def _next_program(rng: random.Random, level: str, config: Config, index: int) -> Program:
    if config.programs is None:
        return generate_program(rng, level)
    from tracer.programs.user_programs import load_user_programs

    programs = load_user_programs(config.programs)
    return programs[index % len(programs)].program


def call_text(program: Program) -> str:
    """How the call reads in prompts, e.g. ``f(3, [1, 2])`` (or ``the module``)."""
    return f"{program.func}({program.args})" if program.func else "the module"
