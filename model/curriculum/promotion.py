"""Promotion and forgetting, as pure functions of exam results (tested on fake exams)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

REPLAY_WEIGHT = 0.15  # an earlier level that still passes keeps this share beside 1.0
FORGOTTEN_WEIGHT = 0.6  # a level below its bar comes back with this, until it passes again
# Which earlier levels come back at FORGOTTEN_WEIGHT:
#   failing:   every earlier level below its bar at its last exam, also one that was promoted
#              without ever passing (--promote-anyway);
#   forgotten: only a level that passed once and fails now (a level waved on keeps the
#              replay share). Measured against each other in docs/curriculum.md.
REPLAY_RULES = ("failing", "forgotten")
# How the tasks of a level share its tokens (--task-mix):
#   fixed:   the task mix's own weights;
#   deficit: each task's weight times task_factor of its score at the last exam, so the
#            tokens of a task at its bar go to the tasks still below it.
TASK_MIXES = ("fixed", "deficit")
AT_BAR_FACTOR = 0.5  # a task at or above its bar keeps half its share (it is not dropped)


@dataclass
class LevelStatus:
    """What the run knows of one level: passed once (learned), and forgotten now."""

    learned: bool = False
    forgotten: bool = False
    failing: bool = False  # below its bar at its last exam
    events: list[str] = field(default_factory=list)  # "learned@TOKENS", "forgotten@...", ...


def passes(task_scores: Mapping[str, float], bar: float) -> bool:
    """A level passes when every one of its tasks scores at least `bar`."""
    return bool(task_scores) and all(s >= bar for s in task_scores.values())


def judge(status: dict[str, LevelStatus], current: str, results: Mapping[str, Mapping[str, float]],
          bar: float, tokens: int) -> bool:  # fmt: skip
    """Update `status` from one sitting of the exams (level -> task -> score) and return
    whether `current` passed (promotion). An earlier level that was learned and now fails
    is forgotten; a forgotten level that passes again is relearned."""
    for level, scores in results.items():
        st = status.setdefault(level, LevelStatus())
        ok = passes(scores, bar)
        st.failing = not ok
        if ok and not st.learned:
            st.learned = True
            st.events.append(f"learned@{tokens}")
        elif ok and st.forgotten:
            st.forgotten = False
            st.events.append(f"relearned@{tokens}")
        elif not ok and st.learned and not st.forgotten and level != current:
            st.forgotten = True
            st.events.append(f"forgotten@{tokens}")
    return passes(results.get(current, {}), bar)


def level_weights(levels: Sequence[str], current: str, status: Mapping[str, LevelStatus],
                  rule: str = "failing") -> tuple[tuple[str, float], ...]:  # fmt: skip
    """The textbook's level mix: the current level 1.0, earlier levels replayed at
    REPLAY_WEIGHT, or at FORGOTTEN_WEIGHT while `rule` (REPLAY_RULES) says they need it."""
    if rule not in REPLAY_RULES:
        raise ValueError(f"unknown --replay {rule!r}; known: {', '.join(REPLAY_RULES)}")
    out = []
    for level in levels[: levels.index(current) + 1]:
        if level == current:
            out.append((level, 1.0))
        else:
            st = status.get(level, LevelStatus())
            back = st.failing if rule == "failing" else st.forgotten
            out.append((level, FORGOTTEN_WEIGHT if back else REPLAY_WEIGHT))
    return tuple(out)


def task_factor(score: float, bar: float) -> float:
    """What a task's weight is multiplied by under --task-mix deficit: AT_BAR_FACTOR at or
    above `bar`, else 1 + its shortfall as a share of the bar (from 1 up to 2 at score 0)."""
    if score >= bar:
        return AT_BAR_FACTOR
    return 1.0 + (bar - score) / bar


def weigh_tasks(specs: Mapping[str, Sequence], scores: Mapping[str, Mapping[str, float]], bar: float,
                rule: str = "fixed") -> dict[str, list]:  # fmt: skip
    """Each level's task specs with their weights for the next segment: as given under
    `fixed`; under `deficit`, times `task_factor` of the task's last exam score (level ->
    task -> score; a task not yet examined keeps its weight)."""
    if rule not in TASK_MIXES:
        raise ValueError(f"unknown --task-mix {rule!r}; known: {', '.join(TASK_MIXES)}")
    if rule == "fixed":
        return {level: list(level_specs) for level, level_specs in specs.items()}
    out = {}
    for level, level_specs in specs.items():
        seen = scores.get(level, {})
        out[level] = [dataclasses.replace(s, weight=s.weight * task_factor(seen[s.task.name], bar))
                      if s.task.name in seen else s for s in level_specs]  # fmt: skip
    return out
