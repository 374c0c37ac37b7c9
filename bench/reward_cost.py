"""What each rule reward costs per completion, on honest records of a few tasks.

    python bench/reward_cost.py --per-task 20

For each task: generate problems (slip rate 0.5, so rejected steps are scored too), render
their records, cut the prompt off, and time each reward of `rl.rewards.REWARDS` over the
batch, divided by its size. For code tasks the step reward's first call traces each program
in the sandbox (once per program, then cached): timed apart as `steps (cold)`. Prints a
Markdown table (docs/rewards.md holds its output).
"""

from __future__ import annotations

import argparse
import time

from generators.code import step_claims
from generators.registry import domain_tasks, problem_of
from reasoning.render import render, render_prompt
from reasoning.task import Dropped, generate_record
from rl.rewards import REWARDS

TASKS = (("math", "column_arithmetic", "primary"), ("math", "linear_equations", "middle"),
         ("math", "polynomials", "high"), ("math", "derivatives", "university"),
         ("logic", "truth_tables", "middle"), ("logic", "sat_resolution", "university"),
         ("code", "output_prediction", "primary"), ("code", "output_prediction", "university"))  # fmt: skip


def _timed(fn, *args) -> float:
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def _batch(task, level: str, seed: int, size: int) -> tuple[list[str], list]:
    """`size` honest completions of `task` at `level` and their problems."""
    completions, problems = [], []
    for index in range(size * 3):
        if len(problems) == size:
            break
        try:
            record = generate_record(task, level, seed, index, task.default_config(slip_rate=0.5))
        except Dropped:
            continue
        completions.append(render(record)[len(render_prompt(record.system, record.prompt)):])
        problems.append(problem_of(record))
    return completions, problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-task", type=int, default=20, help="completions per task")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    names = list(REWARDS)
    print("| task | level | chars | " + " | ".join(f"{n} (ms)" for n in names) + " | steps (cold, ms) |")
    print("|---|---|---:|" + "---:|" * (len(names) + 1))
    for domain, name, level in TASKS:
        task = domain_tasks(domain)[name]
        warm_c, warm_p = _batch(task, level, args.seed + 1, 2)
        for reward in REWARDS.values():  # imports, sandbox start: paid once per run, not per completion
            reward(warm_c, warm_p)
        completions, problems = _batch(task, level, args.seed, args.per_task)
        n = len(problems)
        cold = "–"
        if domain == "code":
            step_claims._trace_steps.cache_clear()
            cold = f"{1000 * _timed(REWARDS['steps'], completions, problems) / n:.2f}"
        # one pass each: a verifier's own caches must not make repeats look cheaper
        costs = [1000 * _timed(REWARDS[r], completions, problems) / n for r in names]
        chars = sum(map(len, completions)) // n
        print(f"| {name} | {level} | {chars} | " + " | ".join(f"{c:.2f}" for c in costs) + f" | {cold} |")


if __name__ == "__main__":
    main()
