"""`train-curriculum --level L -o DIR`: train a model level by level, from preschool up to L,
on textbooks of machine-checked records, with exams, promotion and replay.

Under `torchrun --nproc_per_node=N` the same command trains with DDP."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from cli.common import Parser, run_torch
from model.curriculum.forms import DEFAULT_FORM, FORMS

PROG = "train-curriculum"


def build_parser() -> Parser:
    p = Parser(prog=PROG, description="Train by curriculum: per level a textbook (train-split "
               "records of every domain, replay of earlier levels) and an exam (held-out problems "
               "graded by the tasks' verifiers); promoted when every task passes the bar.")  # fmt: skip
    p.add_argument("--level", required=True, help="the last level to learn (preschool .. university)")
    p.add_argument("-o", "--out", help="run directory: checkpoints, metrics.jsonl, plots, report.md")
    p.add_argument("--preset", default="tiny", help="model size (tiny, small, base, large; default tiny, "
                   "which learns the most per minute on a CPU)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--max-minutes", type=float, default=0.0, help="wall-clock budget (0: none)")
    p.add_argument("--tokens-per-level", type=_budgets, default=2_000_000, metavar="N[,N...]",
                   help="token budget of each stage (default 2000000), or one per stage from "
                        "--from-level up, comma-separated (the last also for later stages)")
    p.add_argument("--data", help="gen-traces output to read the textbook from (its train split only)")
    p.add_argument("--exam-size", type=int, default=100, help="exam problems per task (default 100)")
    p.add_argument("--bar", type=float, default=0.9, help="score every task must reach (default 0.9)")
    p.add_argument("--promote-anyway", action="store_true",
                   help="move on when a stage's budget is spent without passing (default: stop)")
    p.add_argument("--tasks", help="comma-separated task names to train and examine (default: all)")
    p.add_argument("--batch-size", type=int, default=16, help="global batch (records per step)")
    p.add_argument("--seq-len", type=int, default=0,
                   help="tokens per record, longer ones cut (default 0: the model's max_seq_len)")
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--warmup", type=int, default=50, help="steps of linear learning-rate warm-up")
    p.add_argument("--lr-decay", type=float, default=0.3,
                   help="share of each stage's budget (tokens, or --max-minutes) over which the lr "
                        "falls linearly to a tenth (default 0.3; 0: constant)")
    p.add_argument("--form", default=DEFAULT_FORM,
                   help=f"how the textbook is written: {', '.join(FORMS)}, or learner forms joined "
                        f"by + (default {DEFAULT_FORM}); see README and docs/curriculum.md")
    p.add_argument("--replay", default="failing", choices=("failing", "forgotten"),
                   help="which earlier levels come back at more weight: failing (default: any "
                        "below its bar at its last exam, also one promoted anyway) or forgotten "
                        "(only one that passed once and fails now)")
    p.add_argument("--task-mix", default="fixed", choices=("fixed", "deficit"),
                   help="how a level's tasks share its tokens: fixed (default: the task mix's "
                        "weights) or deficit (each weighted by its shortfall at the last exam; "
                        "a task at its bar keeps half its share)")
    p.add_argument("--task-share", default="records", metavar="SHARE[,SHARE...]",
                   help="what a task's weight in the mix is a share of: records (default) or "
                        "tokens (each weight divided by its task's mean record length, so a task "
                        "of short records is not starved); one for every level, or one per level "
                        "from --from-level (records,tokens: preschool by records, then tokens)")
    p.add_argument("--tag-weight", type=float, default=0.0, help="extra loss weight on format tags")
    p.add_argument("--exam-every", type=int, default=0,
                   help="tokens between exams within a stage (default: a quarter of its budget)")
    p.add_argument("--exam-batch", type=int, default=128, help="exam problems answered at once")
    p.add_argument("--from-level", default="preschool",
                   help="the first stage (default preschool; earlier levels are not taught)")
    p.add_argument("--exam-max-tokens", type=int, default=480,
                   help="answer length limit in exams (at most the model's context less the prompt)")
    p.add_argument("--checkpoint-every", type=int, default=50, help="steps between checkpoints")
    p.add_argument("--log-every", type=int, default=10, help="steps between metrics lines")
    p.add_argument("--init", help="start from this checkpoint instead of a fresh model")
    p.add_argument("--resume", action="store_true", help="continue the run in -o DIR from DIR/last")
    p.add_argument("--eval-only", metavar="CKPT", help="sit the exams of CKPT and print the table")
    p.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    p.add_argument("--no-pack", dest="pack", action="store_false",
                   help="one padded row per record instead of several records per row (the same "
                        "loss and gradient; packing trains about 1.4x the tokens per second)")
    p.add_argument("--precision", default="auto", choices=("auto", "fp32", "bf16"),
                   help="the forward's arithmetic: auto (default: bf16 autocast where the device "
                        "has bf16 kernels, e.g. a GPU or a CPU with AVX512-BF16/AMX; fp32 elsewhere), "
                        "fp32 or bf16; weights and optimizer stay fp32")
    p.add_argument("--prefetch", default="auto", choices=("auto", "thread", "process", "inline", "pool"),
                   help="where the next batch is made: auto (default: a thread during the step in "
                        "fp32 or on a GPU; for bf16 on the CPU a child process where a core is free "
                        "of --threads, else a pool), thread, process, inline (between steps), or pool "
                        "(between steps, the textbook made by one process per core)")
    p.add_argument("--compile", action="store_true",
                   help="torch.compile the training step's forward and loss (about 40 s to compile, "
                        "needs a C++ compiler on the CPU; 1.38x the step's tokens/s in bf16 on the project's CPU)")
    return p


def _budgets(text: str) -> int | tuple[int, ...]:
    """`--tokens-per-level`: one whole number, or several separated by commas."""
    try:
        values = tuple(int(v.replace("_", "")) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number or numbers separated by commas "
                                         f"(e.g. 9000000,21000000), got {text!r}") from None  # fmt: skip
    return values[0] if len(values) == 1 else values


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `train-curriculum`; returns the exit code (2 on bad input)."""
    args = build_parser().parse_args(argv)

    def body() -> int:
        import os

        from model.curriculum.loop import CurriculumConfig, eval_only
        tasks = tuple(t for t in args.tasks.split(",") if t) if args.tasks else None
        if args.eval_only:
            table = eval_only(args.eval_only, args.level, args.exam_size, tasks, args.exam_max_tokens,
                              args.bar)  # fmt: skip
            if int(os.environ.get("RANK", "0")) == 0:  # under torchrun every rank has the table
                print(table)
            return 0
        if not args.out:
            raise ValueError("-o DIR is required (the run directory)")
        cfg = CurriculumConfig(
            level=args.level, out=args.out, preset=args.preset, seed=args.seed,
            max_minutes=args.max_minutes, tokens_per_level=args.tokens_per_level, data=args.data,
            exam_size=args.exam_size, bar=args.bar, promote_anyway=args.promote_anyway, tasks=tasks,
            batch_size=args.batch_size, seq_len=args.seq_len, lr=args.lr, warmup=args.warmup,
            lr_decay=args.lr_decay,
            tag_weight=args.tag_weight, exam_every=args.exam_every,
            exam_max_tokens=args.exam_max_tokens, checkpoint_every=args.checkpoint_every,
            log_every=args.log_every, init=args.init, resume=args.resume, form=args.form,
            from_level=args.from_level, exam_batch=args.exam_batch, replay=args.replay,
            pack=args.pack, task_mix=args.task_mix, task_share=args.task_share, precision=args.precision,
            prefetch=args.prefetch, compile=args.compile,
        )  # fmt: skip
        return _train(cfg)

    return run_torch(PROG, body, args.threads)


def _train(cfg) -> int:
    """The run with a progress bar on rank 0 (exam lines print above it), then the report."""
    import os
    from pathlib import Path

    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from model.curriculum.loop import run_curriculum
    from model.curriculum.report import write_report

    lead = int(os.environ.get("RANK", "0")) == 0
    console = Console(stderr=True)
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=console, disable=not lead, transient=True) as bar:  # fmt: skip
        job = bar.add_task("starting", total=None)
        state = run_curriculum(
            cfg,
            say=(lambda line: bar.console.print(line, highlight=False, soft_wrap=True)) if lead else (lambda _: None),
            progress=lambda text: bar.update(job, description=text),
        )
    if lead:
        report = write_report(Path(cfg.out), state)
        print(f"{state['done']}: {state['tokens']:,} tokens in {state['step']} steps; "
              f"report {report}, final checkpoint {Path(cfg.out) / 'final'}")  # fmt: skip
    return 0  # a run that ends (passed, budget spent, out of time) succeeded; report.md says how


if __name__ == "__main__":
    sys.exit(main())
