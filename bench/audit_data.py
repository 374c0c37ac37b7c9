"""Independent data audit (issue 10): generate records per task and level, re-check them.

    .venv/bin/python bench/audit_data.py --records-per-task 1000 --out /tmp/audit --md audit.md

Generates with `gen-traces --domain D --level L --tasks T -n N --seed S` (a directory that
is already complete is reused: gen-traces resumes), reads the shards as JSON and runs the
checkers of `bench/audit/`, which share no code with the generators or the tracer. Only
the task verifiers are called, for kinds 2 and 5, since they are what is under test.
Prints a table of defects per kind and per task/level; exits 0 only when every count is 0.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_ROOT = str(Path(__file__).resolve().parent.parent)
sys.path.insert(0, _ROOT)

from bench.audit.code_checks import check_alternative_fixes, check_code  # noqa: E402
from bench.audit.leakage import check_leakage  # noqa: E402
from bench.audit.logic_checks import check_logic, deduction_shortcut  # noqa: E402
from bench.audit.math_checks import check_math  # noqa: E402
from bench.audit.tally import Tally  # noqa: E402
from bench.audit.verifier import verify  # noqa: E402

# The checkers are ours; the project under test (its verifiers, the split rule) is whatever
# the environment imports, e.g. another checkout on PYTHONPATH, so this root goes last.
sys.path.remove(_ROOT)
sys.path.append(_ROOT)

LEVELS = ("preschool", "primary", "middle", "high", "university")
DOMAINS = ("math", "logic", "code")


def _fail(message: str) -> None:
    print(f"audit_data: {message}", file=sys.stderr)
    raise SystemExit(2)


def task_list(gen: str) -> dict[tuple[str, str], list[str]]:
    """(domain, level) -> task names, from `gen-traces --list`."""
    out = subprocess.run([gen, "--list"], capture_output=True, text=True, check=True).stdout
    tasks: dict[tuple[str, str], list[str]] = {}
    domain = ""
    for line in out.splitlines():
        if line and not line.startswith(" "):
            domain = line.strip()
        elif line.strip():
            level, _, names = line.strip().partition(" ")
            tasks[(domain, level)] = [n.strip() for n in names.split(",")]
    return tasks


def generate(gen: str, domain: str, level: str, task: str, n: int, seed: int, out: Path, workers: int) -> Path:
    target = out / f"{domain}-{level}-{task}"
    cmd = [gen, "--domain", domain, "--level", level, "--tasks", task, "-n", str(n), "--seed", str(seed),
           "--workers", str(workers), "-q", "-o", str(target)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        _fail(f"{' '.join(cmd)} failed: {proc.stderr.strip()[-300:]}")
    return target


def load(directory: Path) -> list[dict]:
    return [json.loads(line) for shard in sorted(directory.glob("*.jsonl"))
            for line in shard.read_text().splitlines() if line.strip()]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records-per-task", type=int, default=1000)
    ap.add_argument("--levels", default=",".join(LEVELS))
    ap.add_argument("--domains", default=",".join(DOMAINS))
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--fix-sample", type=int, default=60,
                    help="bug-finding records per level searched for other one-token fixes (kind 2)")
    ap.add_argument("--out", type=Path, default=None, help="directory for the generated data")
    ap.add_argument("--md", type=Path, default=None, help="write the table as Markdown here")
    args = ap.parse_args(argv)
    levels, domains = args.levels.split(","), args.domains.split(",")
    for level in levels:
        if level not in LEVELS:
            _fail(f"unknown level {level!r}; choose from {', '.join(LEVELS)}")
    for domain in domains:
        if domain not in DOMAINS:
            _fail(f"unknown domain {domain!r}; choose from {', '.join(DOMAINS)}")
    if args.records_per_task < 1 or args.workers < 1 or args.fix_sample < 0:
        _fail("--records-per-task and --workers must be ≥ 1, --fix-sample ≥ 0")
    gen = str(Path(sys.executable).with_name("gen-traces"))
    if not os.path.exists(gen):
        _fail(f"gen-traces not found beside {sys.executable}; install the project first")
    out = args.out or Path(tempfile.mkdtemp(prefix="audit-"))
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    tally, everything = Tally(), []
    for (domain, level), names in task_list(gen).items():
        if domain not in domains or level not in levels:
            continue
        records = []
        for task in names:
            records += load(generate(gen, domain, level, task, args.records_per_task, args.seed, out, args.workers))
        print(f"  {domain:5s} {level:10s} {len(records):6d} records generated", flush=True)
        if domain == "code":
            check_code(records, tally, args.workers)
            check_alternative_fixes(records, tally, verify, args.workers, args.fix_sample, args.seed)
        elif domain == "math":
            for rec in records:
                check_math(rec, tally, verify)
        else:
            for rec in records:
                check_logic(rec, tally)
            deduction_shortcut(records, tally)
        everything += records
    check_leakage(everything, tally)
    elapsed = time.perf_counter() - started
    print(tally.text())
    for line in tally.info:
        print(line)
    verdict = "PASS: no defects" if tally.passed() else "FAIL: defects found"
    print(f"{verdict} ({len(everything)} records, {elapsed:.0f} s; data in {out})")
    if args.md:
        text = tally.markdown() + f"\n{verdict} ({len(everything)} records, {elapsed:.0f} s)\n"
        tmp = args.md.with_suffix(args.md.suffix + ".tmp")
        tmp.write_text(text)
        tmp.replace(args.md)
    return 0 if tally.passed() else 1


if __name__ == "__main__":
    raise SystemExit(main())
