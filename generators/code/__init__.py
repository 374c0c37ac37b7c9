"""The `code`-domain tasks: output prediction, state after N steps, bug finding.

`TASKS` maps a task name to its `Task` (see reasoning.task). All three share one config
(`generators.code.program_runs.Config`) and cover every curriculum level.
"""

from generators.code import bug_finding, output_prediction, state_after_steps
from generators.code.program_runs import Config

TASKS = {t.name: t for t in (output_prediction.TASK, state_after_steps.TASK, bug_finding.TASK)}

__all__ = ["TASKS", "Config"]
