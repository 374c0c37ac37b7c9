"""What the code tasks share: their config, the per-process sandbox, and program runs.

Programs never run in the generator's process: every run is a "trace" job sent to a
sandbox (`tracer.sandbox`), one sandbox per process, created on first use and closed at
exit. A pipeline worker is a process of its own, so it gets its own sandbox; a sandbox
inherited through fork is not reused (its pipes belong to the parent).
"""

from __future__ import annotations

import atexit
import os
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reasoning.levels import LEVELS
from reasoning.task import Dropped
from tracer.programs import Program, generate_program

LEVELS_ALL = LEVELS  # every code task has programs for every level
SANDBOX_BACKENDS = ("process", "docker")
SANDBOX_WORKERS = 2
# Generated programs finish in milliseconds; the limits only bound the rare mutant that
# hangs or grows numbers without end (one such run stalls a pipeline worker this long).
TRACE_TIMEOUT_S = 0.5  # the tracer's own wall-clock limit per run
HARD_TIMEOUT_S = 2.0  # the sandbox kills a worker that overruns this
# Mutants get less: one that has not finished in this long is a hang, not a bug to show.
MUTANT_TRACE_TIMEOUT_S = 0.2
MUTANT_HARD_TIMEOUT_S = 1.0
PROGRAM_ATTEMPTS = 4  # programs tried per item before it is dropped
OK_TRACE = ("ok", "exception")  # trace statuses that describe a finished run


@dataclass(frozen=True)
class Config:
    """Config of every code task (the CLI's --slip-rate, --max-steps, --sandbox, --programs)."""

    slip_rate: float = 0.1
    max_steps: int = 1000
    sandbox: str = "process"
    programs: str | None = None

    def __post_init__(self) -> None:
        if not 0.0 <= self.slip_rate <= 1.0:
            raise ValueError(f"slip_rate must lie in [0, 1], got {self.slip_rate}")
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
    may end in an exception), 'timeout' (the tracer's clock, its step limit or the
    sandbox's hard limit) or 'error' (the sandbox refused or failed the job)."""

    kind: str
    trace: dict[str, Any] | None
    message: str = ""


def trace_job(
    code: str, func: str | None, args: str, config: Config, check: str | None = None,
    max_steps: int | None = None, timeout_s: float = TRACE_TIMEOUT_S,
) -> dict[str, Any]:
    """The sandbox job that traces `func(args)` in `code` (or the module when func is None)."""
    return {"kind": "trace", "code": code, "func": func, "args": args,
            "max_steps": max_steps or config.max_steps, "timeout_s": timeout_s, "check": check}


def run_traces(
    jobs: list[dict[str, Any]], config: Config, hard_timeout_s: float = HARD_TIMEOUT_S
) -> list[Run]:
    """Run trace jobs through this process's sandbox in one batch, in order."""
    if not jobs:
        return []
    results = sandbox_for(config.sandbox).run_many(jobs, timeout_s=hard_timeout_s)
    runs = []
    for result in results:
        if result.status == "timeout":
            runs.append(Run("timeout", None, result.message))
        elif result.status != "ok" or not isinstance(result.value, dict):
            runs.append(Run("error", None, f"{result.status}: {result.message}"))
        elif result.value.get("status") in OK_TRACE:
            runs.append(Run("ok", result.value))
        else:  # the tracer's own clock or step limit: the program does not finish in budget
            runs.append(Run("timeout", result.value, str(result.value.get("status"))))
    return runs


def pick_program(
    rng: random.Random, level: str, config: Config, *, index: int = 0, canonical: bool = False
) -> tuple[Program, dict[str, Any], list[str]]:
    """A program of `level` (or user program `index % count`) that runs to a normal return
    within budget, its trace, and the events met on the way. A generated program that times
    out or fails is replaced by the next candidate from the same rng; after
    PROGRAM_ATTEMPTS, Dropped. A user program is never replaced: it is traced or dropped.

    `canonical` rewrites the program as `ast.unparse` does first (bug finding compares
    mutants line by line against that form).
    """
    from tracer.mutate import canonical as canonical_form

    events: list[str] = []
    last = "program_error"
    attempts = PROGRAM_ATTEMPTS if config.programs is None else 1
    for _ in range(attempts):
        program = _next_program(rng, level, config, index)
        if canonical:
            try:
                program = _replace_code(program, canonical_form(program.code))
            except (SyntaxError, ValueError, RecursionError):
                events.append(last := "program_invalid")
                continue
        (run,) = run_traces([trace_job(program.code, program.func, program.args, config)], config)
        if run.kind == "ok" and run.trace is not None and run.trace.get("status") == "ok":
            return program, run.trace, events
        last = "program_timeout" if run.kind == "timeout" else "program_error"
        events.append(last)
    raise Dropped(last)


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
