"""`gen-traces`: generate step-by-step reasoning records into a dataset directory.

    gen-traces --domain math --level primary -n 1000 -o out
    gen-traces --domain code --level middle -n 500 -o out --workers 2 --bug-rate 0.3
    gen-traces --domain code --programs my_programs/ -o out
    gen-traces --domain logic --level high -n 50000 -o out --unique
    gen-traces --list

The textbook goes to `train-*` shards, the exam to `test-*` shards (split by the problem's
identity: the program for code, the canonical problem for math and logic).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from cli.common import EXIT_BAD_INPUT, Parser, fail, run
from generators.mix import task_mix
from generators.registry import (
    DIVERSITY_FACTOR,
    STAGE_RECORDS,
    domain_tasks,
    problem_space,
    tasks_at,
)
from reasoning.dataset import FORMATS
from reasoning.generate import RunConfig, Summary, TaskSpec, generate_dataset
from reasoning.levels import DOMAINS, LEVELS

PROG = "gen-traces"
# Flags that set a task config field of the same name, and the domains that have it.
CODE_FLAGS = {"sandbox": "--sandbox", "max_steps": "--max-steps", "programs": "--programs"}
PROGRAMS_LEVEL = "university"  # the label of --programs records when --level is not given
USAGE = (f"{PROG} --domain DOMAIN --level LEVEL -o OUT [options]\n"
         f"       {PROG} --domain code --programs FILE_OR_DIR -o OUT [--level LEVEL] [options]\n"
         f"       {PROG} --list")
NAMES = """\
The summary counts records per task, then events and drops as `TASK: NAME`, then (with
--unique) `duplicate TASK`, and ends with the textbook and exam counts. Events are things
met while making a record that was still written; a drop is an item that gave no record.
With --programs, every drop also names its program: `dropped PROGRAM: REASON (what
happened) in TASK`. Names of the code tasks:
  program_error        the program raised an exception (shown) or could not be run
  program_step_budget  the program still ran after --max-steps steps, where a task
                       needs the whole run
  program_value_cap    a value grew past the tracer's size caps (e.g. squared in a loop)
  program_invalid      bug finding could not rewrite the program in canonical form
  program_silent       bug finding: the program shows nothing a bug could change
  output_mismatch      --programs JSONL: the "output" differs from what CPython gives
  clock_timeout        a run hit a wall clock (a safety net; never decides a record)
  no_state_change      state after steps: no step changes a variable
  no_mutation_site     bug finding: no place in the program to plant a bug
  mutant_timeout       bug finding: a planted bug made the program hang (step budget
                       or value caps), so that mutant was not used
  mutant_error         bug finding: a mutant could not be run
  mutant_unobservable  bug finding: a mutant that behaves like the original on every input
  mutant_late          bug finding: a mutant whose first divergence lies past the 40 steps
                       a record shows; not used, so no step leaps
  no_observable_mutant bug finding: no planted bug showed; the item was dropped
Generated programs are replaced on program_* events (up to 4 tries); a user's program
never is. Math and logic drops say their reason in words.
Exit codes: 0 when records were written, 2 on bad input or when no record at all was."""


def build_parser() -> Parser:
    p = Parser(prog=PROG, usage=USAGE, epilog=NAMES, formatter_class=argparse.RawDescriptionHelpFormatter,
               description="Generate verifiable step-by-step reasoning records.")
    need = p.add_argument_group("required (except with --list)")
    need.add_argument("--domain", choices=(*DOMAINS, "all"), help="data domain (all: every domain)")
    need.add_argument("--level", choices=LEVELS,
                      help=f"curriculum level; optional with --programs, where it only labels "
                           f"the records (default {PROGRAMS_LEVEL})")
    need.add_argument("-o", "--out", help="output dataset directory (new, or one to resume)")
    p.add_argument("-n", type=int,
                   help="number of items (default 1000; with --programs, one per program and task)")
    p.add_argument("--seed", type=int, default=0, help="seed (default 0)")
    p.add_argument("--workers", type=int, default=1, help="worker processes (same bytes for any)")
    p.add_argument("--format", choices=FORMATS, default="jsonl", help="shard format")
    p.add_argument("--shard-size", type=int, default=1000, help="records per shard")
    p.add_argument("--tasks", help="comma-separated task names to use (default: all at the level)")
    p.add_argument("--slip-rate", type=float, help="rate of reasoning slips (task default if unset)")
    p.add_argument("--unique", action="store_true",
                   help="drop a record whose problem (task and identity) an earlier item of "
                        "the run already gave; the summary counts them")
    code = p.add_argument_group("code domain")
    code.add_argument("--bug-rate", type=float,
                      help="share of items that are bug finding (default: an equal share)")
    code.add_argument("--sandbox", choices=("process", "docker"), help="sandbox backend")
    code.add_argument("--max-steps", type=int, help="trace step limit (default 1000)")
    code.add_argument("--programs", metavar="FILE_OR_DIR",
                      help="trace your own programs (CRUXEval-style JSONL, .py files, or a "
                           "directory of them): each gets an output-prediction record, then "
                           "one per other task")
    p.add_argument("--list", action="store_true",
                   help="list tasks by domain and level, and each task's problem space, then exit")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar and no summary")
    return p


def list_tasks() -> None:
    """Tasks by domain and level, then each task's problem space (how many distinct problems
    it can make), marked `!` with its note where that is under 10x a curriculum stage."""
    want = STAGE_RECORDS * DIVERSITY_FACTOR
    for domain in DOMAINS:
        print(domain)
        for level in LEVELS:
            names = [t.name for t in tasks_at(domain, level)]
            print(f"  {level:<11} {', '.join(names) if names else '-'}")
        print(f"  problem space (distinct problems; a stage asks {STAGE_RECORDS:,} records "
              f"of a task, so {want:,} is 10x):")
        for task in domain_tasks(domain).values():
            size, note = problem_space(task)
            short = size is None or size < want
            shown = f"{size:,}" if size is not None else "not counted"
            line = f"    {task.name:<30} {shown:>12}{' !' if short else ''}"
            print(line + (f"  {note}" if note and short else ""))


def build_specs(args) -> list[TaskSpec]:
    """The tasks of the run with their configs and weights, from the flags."""
    domains = DOMAINS if args.domain == "all" else (args.domain,)
    if "code" not in domains:
        for key, flag in {**CODE_FLAGS, "bug_rate": "--bug-rate"}.items():
            if getattr(args, key) is not None:
                raise ValueError(f"{flag} applies to --domain code (or all) only")
    overrides = {key: getattr(args, key) for key in ("slip_rate", *CODE_FLAGS)
                 if getattr(args, key) is not None}
    wanted = [w.strip() for w in args.tasks.split(",")] if args.tasks else None
    if args.bug_rate is not None and not 0.0 <= args.bug_rate <= 1.0:
        raise ValueError(f"--bug-rate must lie in [0, 1], got {args.bug_rate}")
    return task_mix(args.level, domains, wanted, overrides=overrides, bug_rate=args.bug_rate,
                    programs_first=args.programs is not None)


def _named_drops(summary: Summary) -> list[str]:
    """One line per dropped program and reason, e.g. `a.py: program_error (TypeError: x)
    in bug_finding, output_prediction`, with a count when a program came up several times."""
    tasks: dict[tuple[str, str, str], list[str]] = {}
    for (program, task, reason, detail), count in sorted(summary.dropped_programs.items()):
        tasks.setdefault((program, reason, detail), []).append(task + (f" x{count}" if count > 1 else ""))
    lines = []
    for (program, reason, detail), names in tasks.items():
        detail = detail.splitlines()[0][:160] if detail else ""
        lines.append(f"{program}: {reason}" + (f" ({detail})" if detail else "") + f" in {', '.join(names)}")
    return lines


def print_summary(summary: Summary, out: str) -> None:
    """Counts per task, events and drops (each dropped program by name), then one total."""
    rate = summary.generated / summary.seconds if summary.seconds else 0.0
    resumed = f", {summary.resumed_shards} resumed" if summary.resumed_shards else ""
    if len(summary.per_task) > 1 or summary.events or summary.dropped or summary.duplicates:
        for task, count in sorted(summary.per_task.items()):
            print(f"  {task:<28} {count:>8} records", file=sys.stderr)
        for key, count in sorted(summary.events.items()):
            print(f"  event   {key:<36} {count:>6}", file=sys.stderr)
        for key, count in sorted(summary.dropped.items()):
            print(f"  dropped {key:<36} {count:>6}", file=sys.stderr)
        for key, count in sorted(summary.duplicates.items()):
            print(f"  duplicate {key:<34} {count:>6}", file=sys.stderr)
    for line in _named_drops(summary):
        print(f"  dropped {line}", file=sys.stderr)
    dropped = sum(summary.dropped.values())
    duplicates = sum(summary.duplicates.values())
    dups = f", {duplicates} duplicates dropped" if duplicates else ""
    print(
        f"wrote {summary.records} records ({dropped} dropped{dups}) in {summary.shards} shard(s)"
        f"{resumed} to {out} in {summary.seconds:.2f} s ({rate:,.0f} records/s); "
        f"textbook {summary.per_split['train']}, exam {summary.per_split['exam']}",
        file=sys.stderr,
    )


def _nothing_written(summary: Summary) -> str:
    """The one-line error of a run that wrote no record, naming what was dropped."""
    named = _named_drops(summary)
    if named:
        what = named[0] + (f"; and {len(named) - 1} more (see the summary)" if len(named) > 1 else "")
    else:
        what = ", ".join(f"{k} x{n}" for k, n in sorted(summary.dropped.items()))
    return f"{PROG}: no record written, every item was dropped: {what}"


def _load_programs(args) -> tuple[tuple[str, str], ...]:
    """The user programs of --programs as (label, content hash), checked before anything
    is written; the cache is cleared so an edited file is read afresh."""
    from tracer.programs.user_programs import load_user_programs

    if args.domain != "code":
        raise ValueError("--programs applies to --domain code only")
    load_user_programs.cache_clear()
    return tuple((u.label, u.sha256) for u in load_user_programs(args.programs))


def _main(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)
    if args.list:
        list_tasks()
        return 0
    for flag, value in (("--domain", args.domain), ("-o", args.out)):
        if value is None:
            fail(f"{PROG}: {flag} is required (see {PROG} --help)")
    if args.level is None:
        if args.programs is None:
            fail(f"{PROG}: --level is required, except with --programs (see {PROG} --help)")
        args.level = PROGRAMS_LEVEL
    programs = _load_programs(args) if args.programs is not None else ()
    if programs and args.bug_rate is not None:
        raise ValueError("--bug-rate does not apply with --programs (every program gets one "
                         "item per task); choose the tasks with --tasks")
    specs = build_specs(args)
    if args.n is None:
        args.n = len(programs) * len(specs) if programs else 1000
    runcfg = RunConfig(level=args.level, n=args.n, seed=args.seed, fmt=args.format,
                       shard_size=args.shard_size, workers=args.workers, programs=programs,
                       unique=args.unique)  # fmt: skip
    console = Console(stderr=True)
    extra = {"domain": args.domain}
    with Progress(
        TextColumn(f"[bold]{args.domain}/{args.level}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=args.quiet or not console.is_terminal,
        transient=True,
    ) as bar:
        job = bar.add_task("items", total=args.n)
        summary = generate_dataset(args.out, specs, runcfg, extra_config=extra,
                                   progress=lambda k: bar.advance(job, k))  # fmt: skip
    if not args.quiet:
        print_summary(summary, args.out)
    if summary.records == 0:
        print(_nothing_written(summary), file=sys.stderr)
        return EXIT_BAD_INPUT
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    from tracer.sandbox import SandboxError  # no docker engine, no image: a setup problem

    return run(PROG, lambda: _main(argv), bad_input=(SandboxError,))


if __name__ == "__main__":
    sys.exit(main())
