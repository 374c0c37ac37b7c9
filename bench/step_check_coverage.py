"""How well the step-check API reads the generators' own records.

    python bench/step_check_coverage.py --per-level 20

For every task and level: generate problems with slips (slip rate 0.5), judge every step
with `generators.step_check.check_step` given the accepted steps before it, and count how
the generators' accepted steps and slips were judged. Prints a Markdown table
(docs/step_checks.md holds its output).
"""

from __future__ import annotations

import argparse
from collections import Counter

from generators.registry import domain_tasks
from generators.step_check import check_step
from reasoning.task import Dropped, generate_problem


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-level", type=int, default=20, help="problems per task and level")
    parser.add_argument("--domains", default="math,logic,code")
    parser.add_argument("--slip-rate", type=float, default=0.5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print("| task | accepted steps | read as valid | judged invalid | slips | slips caught | slips judged valid |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for domain in args.domains.split(","):
        for task in domain_tasks(domain).values():
            counts: Counter = Counter()
            for level in task.levels:
                config = task.default_config(slip_rate=args.slip_rate)
                for index in range(args.per_level):
                    try:
                        problem = generate_problem(task, level, args.seed, index, config)
                    except Dropped:
                        continue
                    previous: list[str] = []
                    for step in problem.steps:
                        counts[(step.verdict, check_step(task, problem, previous, step.proposal).status)] += 1
                        if step.verdict == "accept":
                            previous.append(step.proposal)
            acc = sum(v for (verdict, _), v in counts.items() if verdict == "accept")
            rej = sum(v for (verdict, _), v in counts.items() if verdict == "reject")
            caught = f"{counts[('reject', 'invalid')] / rej:.0%}" if rej else "–"
            print(f"| {task.name} | {acc} | {counts[('accept', 'valid')] / max(acc, 1):.0%} | "
                  f"{counts[('accept', 'invalid')]} | {rej} | {caught} | {counts[('reject', 'valid')]} |")


if __name__ == "__main__":
    main()
