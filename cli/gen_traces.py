"""`gen-traces`: generate step-by-step reasoning records into a dataset directory.

    gen-traces --domain math --level primary -n 1000 -o out
    gen-traces --domain code --level middle -n 500 -o out --workers 2 --bug-rate 0.3
    gen-traces --list
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Sequence

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from cli.common import Parser, fail, run
from generators.registry import domain_tasks, tasks_at
from reasoning.dataset import FORMATS
from reasoning.generate import RunConfig, TaskSpec, generate_dataset
from reasoning.levels import DOMAINS, LEVELS

PROG = "gen-traces"
# Flags that set a task config field of the same name, and the domains that have it.
CODE_FLAGS = {"sandbox": "--sandbox", "max_steps": "--max-steps", "programs": "--programs"}
BUG_TASK = "bug_finding"


def build_parser() -> Parser:
    p = Parser(prog=PROG, description="Generate verifiable step-by-step reasoning records.")
    p.add_argument("--domain", choices=(*DOMAINS, "all"), help="data domain (all: every domain)")
    p.add_argument("--level", choices=LEVELS, help="curriculum level")
    p.add_argument("-n", type=int,
                   help="number of items (default 1000; with --programs, one per program)")
    p.add_argument("-o", "--out", help="output dataset directory")
    p.add_argument("--seed", type=int, default=0, help="seed (default 0)")
    p.add_argument("--workers", type=int, default=1, help="worker processes (same bytes for any)")
    p.add_argument("--format", choices=FORMATS, default="jsonl", help="shard format")
    p.add_argument("--shard-size", type=int, default=1000, help="records per shard")
    p.add_argument("--tasks", help="comma-separated task names to use (default: all at the level)")
    p.add_argument("--slip-rate", type=float, help="rate of reasoning slips (task default if unset)")
    p.add_argument("--bug-rate", type=float,
                   help="code: share of items that are bug finding (default: an equal share)")
    p.add_argument("--sandbox", choices=("process", "docker"), help="code: sandbox backend")
    p.add_argument("--max-steps", type=int, help="code: trace step limit (default 1000)")
    p.add_argument("--programs", help="code: trace your own programs (JSONL or dir of .py)")
    p.add_argument("--list", action="store_true", help="list tasks by domain and level, then exit")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    return p


def list_tasks() -> None:
    for domain in DOMAINS:
        print(domain)
        for level in LEVELS:
            names = [t.name for t in tasks_at(domain, level)]
            print(f"  {level:<11} {', '.join(names) if names else '-'}")


def _config_overrides(args, task) -> dict:
    fields = {f.name for f in dataclasses.fields(task.config_cls)}
    overrides = {}
    if args.slip_rate is not None:
        overrides["slip_rate"] = args.slip_rate
    for key in CODE_FLAGS:
        value = getattr(args, key)
        if value is not None and key in fields:
            overrides[key] = value
    return overrides


def build_specs(args) -> list[TaskSpec]:
    """The tasks of the run with their configs and weights, from the flags."""
    domains = DOMAINS if args.domain == "all" else (args.domain,)
    if "code" not in domains:
        for key, flag in {**CODE_FLAGS, "bug_rate": "--bug-rate"}.items():
            if getattr(args, key) is not None:
                raise ValueError(f"{flag} applies to --domain code (or all) only")
    tasks = [t for d in domains for t in tasks_at(d, args.level)]
    if args.tasks:
        wanted = [w.strip() for w in args.tasks.split(",") if w.strip()]
        known = {t.name for d in domains for t in domain_tasks(d).values()}
        unknown = [w for w in wanted if w not in known]
        if unknown:
            raise ValueError(f"unknown task(s) {', '.join(unknown)}; see gen-traces --list")
        tasks = [t for t in tasks if t.name in wanted]
        missing = [w for w in wanted if w not in {t.name for t in tasks}]
        if missing:
            raise ValueError(f"task(s) {', '.join(missing)} have no level {args.level!r}")
    if not tasks:
        raise ValueError(f"no {args.domain} tasks at level {args.level!r}; see gen-traces --list")
    weights = {t.name: 1.0 for t in tasks}
    if args.bug_rate is not None:
        if not 0.0 <= args.bug_rate <= 1.0:
            raise ValueError(f"--bug-rate must lie in [0, 1], got {args.bug_rate}")
        code = [t for t in tasks if t.domain == "code"]
        others = [t for t in code if t.name != BUG_TASK]
        for t in code:
            share = args.bug_rate if t.name == BUG_TASK else (1 - args.bug_rate) / max(1, len(others))
            weights[t.name] = share * len(code)
        tasks = [t for t in tasks if weights[t.name] > 0]
    return [TaskSpec(t, t.default_config(**_config_overrides(args, t)), weights[t.name])
            for t in tasks]  # fmt: skip


def print_summary(summary, out: str) -> None:
    rate = summary.generated / summary.seconds if summary.seconds else 0.0
    resumed = f", {summary.resumed_shards} resumed" if summary.resumed_shards else ""
    if len(summary.per_task) > 1 or summary.events or summary.dropped:
        for task, count in sorted(summary.per_task.items()):
            print(f"  {task:<28} {count:>8} records", file=sys.stderr)
        for key, count in sorted(summary.events.items()):
            print(f"  event   {key:<36} {count:>6}", file=sys.stderr)
        for key, count in sorted(summary.dropped.items()):
            print(f"  dropped {key:<36} {count:>6}", file=sys.stderr)
    dropped = sum(summary.dropped.values())
    print(
        f"wrote {summary.records} records ({dropped} dropped) in {summary.shards} shard(s)"
        f"{resumed} to {out} in {summary.seconds:.2f} s ({rate:,.0f} records/s)",
        file=sys.stderr,
    )


def _count_programs(path: str) -> int:
    from tracer.programs.user_programs import load_user_programs

    return len(load_user_programs(path))


def _main(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)
    if args.list:
        list_tasks()
        return 0
    for flag, value in (("--domain", args.domain), ("--level", args.level), ("-o", args.out)):
        if value is None:
            fail(f"{PROG}: {flag} is required (see {PROG} --help)")
    if args.n is None:
        args.n = _count_programs(args.programs) if args.programs else 1000
    runcfg = RunConfig(level=args.level, n=args.n, seed=args.seed, fmt=args.format,
                       shard_size=args.shard_size, workers=args.workers)  # fmt: skip
    specs = build_specs(args)
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
    print_summary(summary, args.out)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    from tracer.sandbox import SandboxError  # no docker engine, no image: a setup problem

    return run(PROG, lambda: _main(argv), bad_input=(SandboxError,))


if __name__ == "__main__":
    sys.exit(main())
