"""The task/verifier API every data source implements (math, logic and code alike).

A task module defines a frozen config dataclass, `generate(rng, level, config) -> Problem`
and a pure `verify(problem, answer_text) -> Verdict`, and exposes them as one `Task`.
Domains keep plain dict registries of tasks (`TASKS = {task.name: task, ...}`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from reasoning.levels import check_level
from reasoning.schema import (
    InjectedError,
    Provenance,
    Record,
    Step,
    config_sha256,
    data_json,
    record_id,
)
from reasoning.split import problem_id, split_of_id


@dataclass(frozen=True)
class Verdict:
    """A verifier's judgement of an answer: score in [0, 1] and a reason for people."""

    score: float
    reason: str

    def __post_init__(self) -> None:
        if not 0.0 <= self.score <= 1.0:
            raise ValueError(f"score must lie in [0, 1], got {self.score}")


STEP_STATUSES = ("valid", "invalid", "unchecked")


@dataclass(frozen=True)
class StepJudgement:
    """A step checker's judgement of one model-written step: `valid` (its claims check
    out), `invalid` (one does not; the reason says which) or `unchecked` (nothing in it
    could be checked)."""

    status: str
    reason: str

    def __post_init__(self) -> None:
        if self.status not in STEP_STATUSES:
            raise ValueError(f"status must be one of {STEP_STATUSES}, got {self.status!r}")


@dataclass(frozen=True)
class Problem:
    """One generated problem with its checked steps.

    `data` holds what the verifier needs beyond the answer text (expected value, variable
    names, ...); it must be plain JSON-able values.
    """

    task: str
    level: str
    prompt: str
    steps: list[Step]
    answer: str
    error: InjectedError | None = None
    end: str = "terminated"
    data: dict[str, Any] = field(default_factory=dict)
    # Names of things that happened while generating (a mutant that never diverged, a
    # program that timed out and was replaced, ...); the pipeline counts them per task.
    events: tuple[str, ...] = ()
    # What makes two problems the same problem, whatever their wording: the program for
    # code (every task built on one program shares it), the canonical problem for math and
    # logic. The textbook/exam split hashes it; empty means the prompt itself.
    identity: str = ""


class Dropped(Exception):
    """Raised by `generate` when an item cannot be produced; `reason` is counted and shown.

    `detail` says what happened to this one item (an exception, the values that differ);
    the pipeline shows it beside the program a drop is about, never in the counts.
    """

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Task:
    name: str
    domain: str
    levels: tuple[str, ...]
    version: str
    config_cls: type
    generate: Callable[[random.Random, str, Any], Problem]
    verify: Callable[[Problem, str], Verdict]
    description: str = ""
    # True for a task that walks a fixed list (a user's programs): its `generate` also takes
    # `index=`, the item's index, so that a run covers the list in order.
    indexed: bool = False
    # The task's own step checker, `check_step(problem, previous, proposal) ->
    # StepJudgement` (`previous`: the proposals accepted before); None: its domain's
    # default (see generators.step_check.check_step).
    check_step: Callable[[Problem, Sequence[str], str], StepJudgement] | None = None

    def default_config(self, **overrides: Any) -> Any:
        """The task's config with `overrides` applied; unknown keys raise a ValueError."""
        known = set(getattr(self.config_cls, "__dataclass_fields__", {}))
        unknown = sorted(set(overrides) - known)
        if unknown:
            raise ValueError(
                f"task {self.name!r} has no config key(s) {unknown}; known: {sorted(known)}"
            )
        return self.config_cls(**overrides)


def item_rng(task: str, version: str, level: str, seed: int, index: int) -> random.Random:
    """The one RNG of one item, derived from its identity (never the global RNG)."""
    key = f"{task}|{version}|{level}|{seed}|{index}".encode()
    return random.Random(int.from_bytes(hashlib.sha256(key).digest()[:8], "big"))


def generate_problem(task: Task, level: str, seed: int, index: int, config: Any) -> Problem:
    """Generate item `index` of `task` at `level` (deterministic in its arguments).

    Raises `Dropped` when the task could not produce the item.
    """
    check_level(level)
    if level not in task.levels:
        raise ValueError(f"task {task.name!r} has no level {level!r}; it has {task.levels}")
    rng = item_rng(task.name, task.version, level, seed, index)
    if task.indexed:
        problem = task.generate(rng, level, config, index=index)
    else:
        problem = task.generate(rng, level, config)
    for i, step in enumerate(problem.steps):
        # Ground truth by construction: refuse to emit an accepted step whose check failed.
        if step.verdict == "accept" and not step.check.ok:
            raise AssertionError(f"{task.name}: accepted step {i} failed its check")
    return problem


def config_dict(config: Any) -> dict[str, Any]:
    """A task config as the plain dict config.json shows and provenance hashes."""
    return dataclasses.asdict(config) if dataclasses.is_dataclass(config) else dict(config or {})


def build_record(task: Task, level: str, seed: int, index: int, problem: Problem,
                 program: tuple[str, str] | None = None, config: Any = None) -> Record:
    """The record of a generated problem, with its provenance, stable id, split (by the
    problem's identity) and the verifier's data; `program` is (label, content hash) of the
    user program it was built on, if any; `config` the task config it was made with."""
    prov = Provenance(
        generator=f"{task.domain}.{task.name}",
        version=task.version,
        level=level,
        seed=seed,
        index=index,
        program=program[0] if program else None,
        program_sha256=program[1] if program else None,
        config_sha256=config_sha256(config_dict(config)) if config is not None else None,
    )
    pid = problem_id(problem.identity, problem.prompt)
    try:
        data = data_json(problem.data)
    except (TypeError, ValueError) as e:  # a task bug: its data must be plain JSON values
        raise AssertionError(f"{task.name}: Problem.data is not plain JSON: {e}") from None
    return Record(
        id=record_id(prov),
        domain=task.domain,
        level=level,
        task=task.name,
        split=split_of_id(pid),
        problem=pid,
        prompt=problem.prompt,
        steps=problem.steps,
        answer=problem.answer,
        end=problem.end,
        error=problem.error,
        data=data,
        provenance=prov,
    )


def generate_record(task: Task, level: str, seed: int, index: int, config: Any) -> Record:
    """Generate item `index` of `task` at `level` as a record: deterministic in its arguments."""
    problem = generate_problem(task, level, seed, index, config)
    return build_record(task, level, seed, index, problem, config=config)
