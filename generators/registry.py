"""Every task of every domain, by name: the one place commands and training look tasks up.

Plain dict registries live beside their tasks (`generators.math.TASKS`, ...); this module
only gathers them. The code domain is imported on first use, since it brings the tracer.
"""

from __future__ import annotations

from reasoning.levels import DOMAINS
from reasoning.task import Task


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
