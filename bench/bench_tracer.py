"""Benchmark: the tracing interpreter vs bare `sys.settrace` recorders on CRUXEval.

All run the 800 CRUXEval programs in this process, one core: compile the program, exec it,
read the arguments and call `f` under a trace function. The bare recorders keep one record
per line event of the program's own frames: `(line, copy of f_locals)`, the cheapest
possible (a reference copy: a list mutated later shows its final state in every record),
and `(line, {name: repr(value)})`, the cheapest that records each local's value at that
step. The tracer records full steps (call/line/return/exception events, safe capped reprs,
changed names, stdout, checked evaluation chains). Then the same on one long loop, the
steady state where per-program setup (parsing and compiling) no longer counts. The tracer's
caches (prepared programs, line plans) are cleared before every pass, so the figures are
those of first-time tracing. Prints records/s of each (each counts its own records) and the
wall-time ratio to each bare recorder, also for the tracer including `to_dict()` (what a
sandbox ships back), as medians of `--repeats` runs, timed in CPU seconds of this process
(robust to other load).

    .venv/bin/python bench/bench_tracer.py [--repeats 5] [--data PATH] [--decompose]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from tracer.interpreter import FILENAME, clear_caches, parse_arguments, trace_call

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "conformance" / "cruxeval.jsonl"


def bare_record(code: str, args_src: str) -> int:
    """Run `f(<args_src>)` recording (line, dict(f_locals)) per line event; the record count."""
    namespace: dict = {}
    exec(compile(code, FILENAME, "exec"), namespace)
    args, kwargs = parse_arguments(args_src, namespace)
    records: list = []

    def local_trace(frame, event, arg):
        if event == "line":
            records.append((frame.f_lineno, dict(frame.f_locals)))
        return local_trace

    def global_trace(frame, event, arg):
        return local_trace if frame.f_code.co_filename == FILENAME else None

    sys.settrace(global_trace)
    try:
        namespace["f"](*args, **kwargs)
    finally:
        sys.settrace(None)
    return len(records)


def bare_repr_record(code: str, args_src: str) -> int:
    """As `bare_record`, keeping `{name: repr(value)}` of the locals per line event.

    Written out rather than sharing `bare_record` behind an option: each bare recorder stays
    the plainest code for what it records (a shared version measured 1-2% slower for the
    reference-copy recorder, which would flatter the tracer's ratio)."""
    namespace: dict = {}
    exec(compile(code, FILENAME, "exec"), namespace)
    args, kwargs = parse_arguments(args_src, namespace)
    records: list = []

    def local_trace(frame, event, arg):
        if event == "line":
            records.append((frame.f_lineno, {name: repr(value)
                                             for name, value in frame.f_locals.items()}))
        return local_trace

    def global_trace(frame, event, arg):
        return local_trace if frame.f_code.co_filename == FILENAME else None

    sys.settrace(global_trace)
    try:
        namespace["f"](*args, **kwargs)
    finally:
        sys.settrace(None)
    return len(records)


def time_all(rows: list[dict], run) -> tuple[float, int]:
    """(seconds, records) for one pass of `run(row)` over all rows."""
    # Every pass traces each program for the first time: no prepared program is reused.
    clear_caches()
    # CPU time of this process: the machine is shared, and one core is what we quote.
    start = time.process_time()
    records = sum(run(row) for row in rows)
    return time.process_time() - start, records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--decompose", action="store_true",
                        help="also time the tracer with no evaluation chains (no line plans), "
                             "to show what the chains cost")
    options = parser.parse_args()
    rows = [json.loads(line) for line in options.data.read_text().splitlines() if line.strip()]
    contenders = {
        BARE: lambda r: bare_record(r["code"], r["input"]),
        BARE_REPR: lambda r: bare_repr_record(r["code"], r["input"]),
        "tracer trace_call": lambda r: trace_call(r["code"], "f", r["input"],
                                                  max_steps=10**6).n_steps,
        "tracer trace_call + to_dict": lambda r: len(
            trace_call(r["code"], "f", r["input"], max_steps=10**6).to_dict()["steps"]),
    }
    if options.decompose:
        contenders["tracer, no chains (diagnostic)"] = without_chains(contenders[
            "tracer trace_call"])
    results = {}
    for _ in range(options.repeats):  # interleave contenders so machine noise hits all alike
        for name, run in contenders.items():
            seconds, records = time_all(rows, run)
            results.setdefault(name, []).append((seconds, records))
    report(f"{len(rows)} CRUXEval programs, median of {options.repeats} passes, one core",
           results)
    # Steady state: one long loop, where per-program setup (parsing, compiling) vanishes.
    loop = [{"code": LOOP_PROGRAM, "input": "list(range(3000))"}]
    results = {}
    for _ in range(options.repeats):
        for name, run in contenders.items():
            seconds, records = time_all(loop, run)
            results.setdefault(name, []).append((seconds, records))
    report("one loop of 3,000 iterations (steady state), one core", results)


def without_chains(run):
    """`run` with every program's line plans empty: no evaluation chain is built or checked
    (a diagnostic of what the chains cost; the tracer itself always builds them)."""
    from tracer.line_plans import LinePlans

    def run_without(row):
        build = LinePlans._build
        LinePlans._build = lambda self: {}
        try:
            return run(row)
        finally:
            LinePlans._build = build
    return run_without


LOOP_PROGRAM = """\
def f(xs):
    total = 0
    out = []
    for x in xs:
        total = total + x * 2
        if total % 3 == 0:
            out.append(x)
    return total
"""


BARE = "bare settrace (line + f_locals copy)"
BARE_REPR = "bare settrace (line + repr of locals)"


def report(title: str, results: dict) -> None:
    """Print records/s and the time ratios to the bare recorders, medians over the passes."""
    bare = statistics.median(s for s, _ in results[BARE])
    bare_repr = statistics.median(s for s, _ in results[BARE_REPR])
    print(title)
    for name, runs in results.items():
        seconds = statistics.median(s for s, _ in runs)
        records = runs[0][1]
        print(f"  {name:40s} {records:6d} records  {seconds * 1000:8.1f} ms  "
              f"{records / seconds:9,.0f} records/s  time ratio vs bare {seconds / bare:5.2f}x"
              f"  vs bare repr {seconds / bare_repr:5.2f}x")


if __name__ == "__main__":
    main()
