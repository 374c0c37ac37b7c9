"""Promotion and forgetting, as pure functions of exam results (tested on fake exams)."""

from __future__ import annotations

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
