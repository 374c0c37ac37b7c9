"""Math tasks. `TASKS` maps a task name to its `Task` (see reasoning.task)."""

from generators.math import column_arithmetic

TASKS = {t.name: t for t in (column_arithmetic.TASK,)}
