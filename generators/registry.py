"""Every task of every domain, by name: the one place commands and training look tasks up.

Plain dict registries live beside their tasks (`generators.math.TASKS`, ...); this module
only gathers them. The code domain is imported on first use, since it brings the tracer.
"""

from __future__ import annotations

import sys

from reasoning.levels import DOMAINS
from reasoning.schema import Record
from reasoning.task import Problem, Task, Verdict


def domain_tasks(domain: str) -> dict[str, Task]:
    """The tasks of one domain (`math`, `logic` or `code`), by name."""
    if domain == "math":
        from generators.math import TASKS
    elif domain == "logic":
        from generators.logic import TASKS
    elif domain == "code":
        from generators.code import TASKS
    else:
        raise ValueError(f"unknown domain {domain!r}; choose one of: {', '.join(DOMAINS)}")
    return TASKS


def tasks_at(domain: str, level: str) -> list[Task]:
    """The tasks of `domain` that have `level`, in registry order."""
    return [t for t in domain_tasks(domain).values() if level in t.levels]


def find_task(domain: str, name: str) -> Task:
    """The task `name` of `domain`; a ValueError names the known ones."""
    tasks = domain_tasks(domain)
    if name not in tasks:
        raise ValueError(f"domain {domain!r} has no task {name!r}; known: {', '.join(tasks)}")
    return tasks[name]


def problem_of(record: Record) -> Problem:
    """The Problem a record was made from, rebuilt from the record alone (its `data` holds
    what the verifier needs): no regeneration."""
    return Problem(task=record.task, level=record.level, prompt=record.prompt,
                   steps=list(record.steps), answer=record.answer, error=record.error,
                   end=record.end, data=record.problem_data())


def verify_record(record: Record, answer_text: str) -> Verdict:
    """Grade `answer_text` as an answer to `record`'s problem with its task's verifier.

    Raises ValueError when the record's task is unknown or was made by another version of
    the task (its data may not be what today's verifier reads).
    """
    task = find_task(record.domain, record.task)
    if record.provenance.version != task.version:
        raise ValueError(f"record {record.id} was made by {record.task} v"
                         f"{record.provenance.version}; this checkout's verifier is v{task.version}")
    return task.verify(problem_of(record), answer_text)


# Records a default curriculum stage asks of one task; a task should offer 10x as many
# distinct problems, or say plainly that it cannot.
STAGE_RECORDS = 5_000
DIVERSITY_FACTOR = 10
CODE_SPACE_NOTE = (
    "not counted: programs come from a few templates per level with random names and "
    "inputs, and the split and --unique count one program as one problem; at high and "
    "university a template gives only tens of distinct program texts, so these levels "
    "cannot give 50,000 distinct programs (see the README)")


def problem_space(task: Task) -> tuple[int | None, str]:
    """(how many distinct problems the task can make, or None if not counted; a note).

    Math and logic task modules define PROBLEM_SPACE, and SPACE_NOTE (or PROBLEM_SPACE_NOTE)
    where it is under 10x a curriculum stage's records; the code tasks have no count.
    """
    module = sys.modules[task.generate.__module__]
    size = getattr(module, "PROBLEM_SPACE", None)
    note = getattr(module, "SPACE_NOTE", None) or getattr(module, "PROBLEM_SPACE_NOTE", "")
    if size is None and task.domain == "code":
        note = note or CODE_SPACE_NOTE
    return size, note
