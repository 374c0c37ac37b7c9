"""Logic tasks. `TASKS` maps a task name to its `Task` (see reasoning.task)."""

TASKS: dict = {}
