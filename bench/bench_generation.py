"""Records/s per core of each math and logic task, beside reasoning-gym's nearest task.

    python bench/bench_generation.py                      # every math and logic task
    python bench/bench_generation.py --tasks column_arithmetic -n 5000

Ours: `generate_record` + `model_dump_json` in one process (what a pipeline worker does
per record), every step checked while generated. Theirs: reasoning-gym's
`create_dataset(name)` then reading items, in the same process; reasoning-gym writes a
question and an answer, no steps and no checks. Figures are medians of `--repeats` runs.
Needs the bench extra: `pip install -e '.[bench]'`.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from generators.registry import domain_tasks
from reasoning.task import generate_record

# Our task -> reasoning-gym's nearest dataset.
PEERS = {
    "column_arithmetic": "basic_arithmetic",
    "order_of_operations": "basic_arithmetic",
    "linear_equations": "simple_equations",
    "quadratics": "polynomial_equations",
    "polynomials": "polynomial_equations",
    "integrals": "simple_integration",
    "knights_knaves": "knights_knaves",
    "syllogisms": "syllogism",
    "truth_values": "propositional_logic",
    "truth_tables": "propositional_logic",
    "deduction_chains": "propositional_logic",
}


def ours(task, level: str, n: int, seed: int) -> tuple[float, float]:
    """(records/s, mean steps per record) for one pass of n records."""
    cfg = task.default_config()
    steps = 0
    start = time.perf_counter()
    for i in range(n):
        record = generate_record(task, level, seed, i, cfg)
        record.model_dump_json()
        steps += len(record.steps)
    return n / (time.perf_counter() - start), steps / n


def theirs(name: str, n: int, seed: int) -> float:
    import reasoning_gym

    start = time.perf_counter()
    data = reasoning_gym.create_dataset(name, size=n, seed=seed)
    for i in range(n):
        data[i]
    return n / (time.perf_counter() - start)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("-n", type=int, default=1000, help="records per pass (sympy tasks: n/5)")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--tasks", help="comma-separated task names (default: all math and logic)")
    p.add_argument("--no-peers", action="store_true", help="skip reasoning-gym")
    args = p.parse_args()
    tasks = {**domain_tasks("math"), **domain_tasks("logic")}
    if args.tasks:
        tasks = {k: v for k, v in tasks.items() if k in args.tasks.split(",")}
    print(f"{'task':<32}{'level':<11}{'ours rec/s':>11}{'steps':>7}   "
          f"{'reasoning-gym peer':<22}{'peer rec/s':>11}{'ours/peer':>10}")  # fmt: skip
    for name, task in tasks.items():
        for level in task.levels:
            warm = ours(task, level, 20, 99)[0]  # imports, caches
            n = args.n if warm > 1000 else max(50, args.n // 5)
            runs = [ours(task, level, n, seed) for seed in range(args.repeats)]
            rate = statistics.median(r for r, _ in runs)
            steps = statistics.mean(s for _, s in runs)
            peer = PEERS.get(name)
            peer_rate = None
            if peer and not args.no_peers:
                theirs(peer, 20, 99)
                peer_rate = statistics.median(theirs(peer, n, s) for s in range(args.repeats))
            peer_txt = f"{peer:<22}{peer_rate:>11,.0f}{rate / peer_rate:>9.2f}x" if peer_rate else ""
            print(f"{name:<32}{level:<11}{rate:>11,.0f}{steps:>7.1f}   {peer_txt}", flush=True)
    print("\nreasoning-gym writes question + answer only; ours writes checked steps.",
          file=sys.stderr)  # fmt: skip


if __name__ == "__main__":
    main()
