"""Logic tasks. `TASKS` maps a task name to its `Task` (see reasoning.task)."""

from generators.logic import (
    deduction_chains,
    induction_proofs,
    knights_knaves,
    sat_resolution,
    sequence_rules,
    syllogisms,
    truth_tables,
    truth_values,
)

TASKS = {t.name: t for t in (truth_values.TASK, truth_tables.TASK, syllogisms.TASK,
                             deduction_chains.TASK, knights_knaves.TASK, sat_resolution.TASK,
                             induction_proofs.TASK, sequence_rules.TASK)}
