"""The task mix: which tasks a run or a curriculum stage draws from, with their configs and
shares. `gen-traces` builds its run from it, and so can training code, with no CLI involved.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

from generators.registry import domain_tasks, tasks_at
from reasoning.generate import TaskSpec
from reasoning.levels import DOMAINS, check_level

BUG_TASK = "bug_finding"
FIRST_PROGRAM_TASK = "output_prediction"


def task_mix(level: str, domains: Iterable[str] = DOMAINS, tasks: Iterable[str] | None = None, *,
             overrides: Mapping[str, Any] | None = None, bug_rate: float | None = None,
             programs_first: bool = False) -> list[TaskSpec]:  # fmt: skip
    """The tasks of `domains` at `level` (only those named in `tasks`, when given), each with
    its default config updated by the `overrides` its config has a field for, in equal
    shares; `bug_rate` gives bug finding that share of the code items; `programs_first`
    puts output prediction first (every user program gets that record before the others).

    Raises ValueError, saying how to fix it, for an unknown task or level, a task without
    `level`, a mix with no task, or a bug rate outside [0, 1].
    """
    check_level(level)
    domains = tuple(domains)
    chosen = [t for d in domains for t in tasks_at(d, level)]
    if tasks is not None:
        wanted = [w for w in tasks if w]
        known = {t.name for d in domains for t in domain_tasks(d).values()}
        unknown = [w for w in wanted if w not in known]
        if unknown:
            raise ValueError(f"unknown task(s) {', '.join(unknown)}; see gen-traces --list")
        chosen = [t for t in chosen if t.name in wanted]
        missing = [w for w in wanted if w not in {t.name for t in chosen}]
        if missing:
            raise ValueError(f"task(s) {', '.join(missing)} have no level {level!r}")
    if not chosen:
        raise ValueError(f"no {'/'.join(domains)} tasks at level {level!r}; see gen-traces --list")
    if programs_first:
        chosen.sort(key=lambda t: t.name != FIRST_PROGRAM_TASK)
    weights = {t.name: 1.0 for t in chosen}
    if bug_rate is not None:
        if not 0.0 <= bug_rate <= 1.0:
            raise ValueError(f"the bug rate must lie in [0, 1], got {bug_rate}")
        code = [t for t in chosen if t.domain == "code"]
        others = [t for t in code if t.name != BUG_TASK]
        for t in code:
            share = bug_rate if t.name == BUG_TASK else (1 - bug_rate) / max(1, len(others))
            weights[t.name] = share * len(code)
        chosen = [t for t in chosen if weights[t.name] > 0]
    overrides = dict(overrides or {})
    specs = []
    for t in chosen:
        fields = {f.name for f in dataclasses.fields(t.config_cls)}
        config = t.default_config(**{k: v for k, v in overrides.items() if k in fields})
        specs.append(TaskSpec(t, config, weights[t.name]))
    return specs
