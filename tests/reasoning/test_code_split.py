"""The code exam does not leak: one program never lands in both splits, whatever the task
built on it (the split hashes the program, not the prompt's wording)."""

from __future__ import annotations

from generators.code import TASKS
from reasoning.dataset import read_records
from reasoning.generate import RunConfig, TaskSpec, generate_dataset
from reasoning.split import program_identity, split_of

# The tasks that set the program as their identity here. Bug finding sets its original
# program (`program_identity(program.code)`) in generators/code/bug_finding.py, on its own
# branch: add "bug_finding" here once that is merged.
BUILT_ON_PROGRAMS = ("output_prediction", "state_after_steps", "bug_finding")


def test_one_program_lands_in_one_split_across_the_code_tasks(tmp_path):
    specs = [TaskSpec(TASKS[name], TASKS[name].default_config()) for name in BUILT_ON_PROGRAMS]
    # University programs come from few templates, so programs repeat across tasks.
    generate_dataset(tmp_path, specs, RunConfig("university", 240, seed=2, shard_size=80))
    by_program: dict[str, set[tuple[str, str]]] = {}
    prompts: dict[str, set[str]] = {}
    for rec in read_records(tmp_path):
        data = rec.problem_data()  # bug finding: the original program, not the mutant
        code = program_identity(data["code"] if "code" in data else data["original_code"])
        by_program.setdefault(code, set()).add((rec.task, rec.split))
        prompts.setdefault(code, set()).add(rec.prompt)
    shared = [v for v in by_program.values() if len({task for task, _ in v}) > 1]
    assert len(shared) >= 10, "programs should recur across the tasks"
    assert all(len({split for _, split in v}) == 1 for v in by_program.values())
    # The old key, the whole prompt, put some of these programs on both sides.
    assert any(len({split_of(q) for q in qs}) > 1 for qs in prompts.values())
