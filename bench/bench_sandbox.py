"""Benchmark: CRUXEval's 800 programs traced through the process sandbox vs unsandboxed.

Each program becomes a "trace" job (trace `f(<input>)`, check against `<output>`). The
unsandboxed side runs `tracer.jobs.run_job` in this process, one job after another; the
sandboxed side runs the same jobs through `ProcessSandbox(workers=2)` (and, like for like
per core, `workers=1`). Pool start-up is timed on its own; steady state is the time for
all 800 once the pool is up. Target from the issue: sandboxed steady state at most 2x the
unsandboxed time. Medians over --repeats rounds, alternating sides (the machine is noisy).

    .venv/bin/python bench/bench_sandbox.py [--repeats 3] [--limit 800]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from tracer.jobs import run_job
from tracer.sandbox import ProcessSandbox

DATA = Path(__file__).resolve().parents[2] / "shared" / "conformance" / "cruxeval.jsonl"


def load_jobs(limit: int) -> list[dict]:
    """The CRUXEval programs as trace jobs, in file order."""
    jobs = []
    with open(DATA) as handle:
        for line in handle:
            item = json.loads(line)
            jobs.append({"kind": "trace", "code": item["code"], "func": "f",
                         "args": item["input"], "check": item["output"]})
    return jobs[:limit]


def run_unsandboxed(jobs: list[dict]) -> tuple[float, list[dict]]:
    started = time.perf_counter()
    results = [run_job(job) for job in jobs]
    return time.perf_counter() - started, results


def run_sandboxed(jobs: list[dict], workers: int) -> tuple[float, float, list, str]:
    with ProcessSandbox(workers=workers, timeout_s=10.0) as pool:
        startup = pool.startup_s
        started = time.perf_counter()
        results = pool.run_many(jobs)
        steady = time.perf_counter() - started
        isolation = pool.isolation
    return startup, steady, results, isolation


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--limit", type=int, default=800)
    args = parser.parse_args()
    jobs = load_jobs(args.limit)
    plain, pooled2, pooled1, startups = [], [], [], []
    for _ in range(args.repeats):
        seconds, reference = run_unsandboxed(jobs)
        plain.append(seconds)
        startup, steady, results, isolation = run_sandboxed(jobs, workers=2)
        startups.append(startup)
        pooled2.append(steady)
        _, steady1, _, _ = run_sandboxed(jobs, workers=1)
        pooled1.append(steady1)
    statuses = {}
    for result in results:
        statuses[result.status] = statuses.get(result.status, 0) + 1
    passed_plain = sum(bool(r.get("check_passed")) for r in reference)
    passed_box = sum(bool(r.value and r.value.get("check_passed")) for r in results)
    same = sum(r.value == ref for r, ref in zip(results, reference, strict=True))
    base = statistics.median(plain)
    print(f"programs: {len(jobs)}, repeats: {args.repeats} (medians below)")
    print(f"isolation: {isolation}")
    print(f"sandbox statuses: {statuses}; check passed: sandboxed {passed_box}, "
          f"unsandboxed {passed_plain}; identical trace dicts: {same}/{len(jobs)}")
    print(f"pool start-up (2 workers): {statistics.median(startups) * 1000:.0f} ms")
    print(f"unsandboxed in-process:     {base:.2f} s")
    for name, times in (("sandbox, 2 workers", pooled2), ("sandbox, 1 worker ", pooled1)):
        steady = statistics.median(times)
        print(f"{name} steady:  {steady:.2f} s  ratio {steady / base:.2f}x (target <= 2x)")


if __name__ == "__main__":
    main()
