"""Benchmark: code-domain programs generated, traced and mutated per second, end to end.

Runs the generation pipeline (`reasoning.generate.generate_dataset`, the engine behind
`gen-traces --domain code`) on every level, with 2 workers and, as the peer, 1 worker in
the same run, and prints records/s for each, their ratio and what was dropped. Two mixes:
the default one (the three code tasks in equal shares) and bug finding only (every item
traces an original and its candidate mutants: the costly case). Every figure includes
the workers' sandbox start-up, as a real run does.

    .venv/bin/python bench/bench_code_gen.py [-n 500] [--levels preschool,university]

Target (from the issue): at least 100 programs/s with 2 workers.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generators.code import TASKS
from reasoning.generate import RunConfig, TaskSpec, generate_dataset
from reasoning.levels import LEVELS


def _specs(mix: str) -> list[TaskSpec]:
    names = ["bug_finding"] if mix == "bug_finding" else sorted(TASKS)
    return [TaskSpec(TASKS[n], TASKS[n].default_config()) for n in names]


def _rate(mix: str, level: str, n: int, workers: int, seed: int) -> tuple[float, int, int]:
    with tempfile.TemporaryDirectory() as out:
        summary = generate_dataset(out, _specs(mix), RunConfig(level=level, n=n, seed=seed, workers=workers))
    dropped = sum(summary.dropped.values())
    timeouts = sum(c for k, c in summary.events.items() if k.endswith("timeout"))
    return summary.records / summary.seconds, dropped, timeouts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=500, help="items per level and run")
    parser.add_argument("--levels", default=",".join(LEVELS))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    levels = [lv.strip() for lv in args.levels.split(",") if lv.strip()]
    print(f"{'mix':<12} {'level':<11} {'2 workers/s':>12} {'1 worker/s':>11} {'ratio':>6} "
          f"{'dropped':>8} {'timeouts':>9}")
    for mix in ("all_tasks", "bug_finding"):
        two_rates = []
        for level in levels:
            two, dropped, timeouts = _rate(mix, level, args.n, 2, args.seed)
            one, _, _ = _rate(mix, level, args.n, 1, args.seed)
            two_rates.append(two)
            print(f"{mix:<12} {level:<11} {two:>12.0f} {one:>11.0f} {two / one:>6.2f} "
                  f"{dropped:>8} {timeouts:>9}")
        print(f"{mix:<12} {'median':<11} {statistics.median(two_rates):>12.0f}  (target >= 100/s)")


if __name__ == "__main__":
    main()
