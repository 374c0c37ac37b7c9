"""`grpo --init CKPT --reward rules -o DIR`: improve a policy (a checkpoint of ours or a local
transformers model) by GRPO on rule rewards, with held-out exams before, during and after.

Under `torchrun --nproc_per_node=N` the same command shards each step's prompts over the ranks."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from cli.common import Parser, run_torch

PROG = "grpo"


def build_parser() -> Parser:
    p = Parser(prog=PROG, description="GRPO on rule rewards: G completions per train-split prompt, "
               "rewarded by the tasks' verifiers and step checkers, group advantages, the clipped "
               "loss; exams on held-out problems; checkpoints DIR/last (resumable) and DIR/final.")  # fmt: skip
    a = p.add_argument
    a("-o", "--out", required=True, help="run directory: checkpoints, metrics.jsonl, grpo.png, report.md")
    a("--init", help="the policy: a checkpoint of ours or a local transformers model directory")
    a("--resume", action="store_true", help="continue the run in -o DIR from DIR/last")
    a("--level", default="primary", help="level of the prompts and the exam (default primary)")
    a("--tasks", help="comma-separated task names (default: the level's whole mix)")
    a("--data", help="a gen-traces directory: prompts from its train split, exams from its exam split")
    a("--reward", default="rules", help="rules (correctness,format,steps) or names joined by commas")
    a("--reward-weights", help="weights by name, e.g. correctness=1,steps=0.3 (default: rl.rewards')")
    a("--group-size", type=int, default=8, help="completions per prompt (G, default 8)")
    a("--prompts-per-step", type=int, default=8, help="prompts per step over all ranks (default 8)")
    a("--steps", type=int, default=100, help="optimizer steps (default 100)")
    a("--max-minutes", type=float, default=0.0, help="wall-clock budget (0: none)")
    a("--lr", type=float, default=1e-5, help="AdamW learning rate (default 1e-5)")
    a("--max-grad-norm", type=float, default=1.0)
    a("--temperature", type=float, default=1.0, help="sampling temperature (default 1)")
    a("--top-p", type=float, default=1.0, help="nucleus sampling (default 1: off)")
    a("--max-new-tokens", type=int, default=256, help="completion length limit (default 256)")
    a("--seed", type=int, default=0)
    a("--loss-type", default="dapo", help="grpo, bnpo, dr_grpo or dapo (default; TRL's definitions)")
    a("--epsilon-low", type=float, default=0.2, help="lower clip of the ratio (default 0.2)")
    a("--epsilon-high", type=float, default=0.28, help="upper clip of the ratio (default 0.28)")
    a("--beta", type=float, default=0.0, help="KL weight to the initial policy (default 0: no reference)")
    a("--scale-rewards", default="group", help="group, batch or none (default group)")
    a("--num-iterations", type=int, default=1, help="updates per sampled batch (default 1)")
    a("--dynamic-sampling", action="store_true", help="drop groups whose rewards all agree (DAPO)")
    a("--overlong-cache", type=int, default=0,
      help="DAPO's soft overlong penalty over the last N tokens of the budget (default 0: off)")
    a("--mask-truncated", action="store_true", help="truncated completions get no loss")
    a("--micro-batch", type=int, default=0, help="completions per forward/backward (0: all at once)")
    a("--exam-every", type=int, default=20, help="steps between exams (0: start and end only)")
    a("--exam-size", type=int, default=50, help="exam problems per task (default 50)")
    a("--exam-max-tokens", type=int, default=0, help="answer length in exams (0: --max-new-tokens)")
    a("--checkpoint-every", type=int, default=10, help="steps between checkpoints (default 10)")
    a("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    a("--precision", default="auto", choices=("auto", "fp32", "bf16"),
      help="the loss's forward and backward: bf16 autocast or fp32 (default auto: bf16 where the "
           "device has bf16 kernels); sampling and exams run in fp32")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `grpo`; returns the exit code (2 on bad input)."""
    args = build_parser().parse_args(argv)

    def body() -> int:
        import shlex

        from rl.grpo import GRPOConfig
        tasks = tuple(t for t in args.tasks.split(",") if t) if args.tasks else None
        cfg = GRPOConfig(
            out=args.out, init=args.init, level=args.level, tasks=tasks, data=args.data,
            reward=args.reward, reward_weights=args.reward_weights, group_size=args.group_size,
            prompts_per_step=args.prompts_per_step, steps=args.steps, max_minutes=args.max_minutes,
            lr=args.lr, max_grad_norm=args.max_grad_norm, temperature=args.temperature,
            top_p=args.top_p, max_new_tokens=args.max_new_tokens, seed=args.seed,
            loss_type=args.loss_type, epsilon_low=args.epsilon_low, epsilon_high=args.epsilon_high,
            beta=args.beta, scale_rewards=args.scale_rewards, num_iterations=args.num_iterations,
            dynamic_sampling=args.dynamic_sampling, overlong_cache=args.overlong_cache,
            mask_truncated=args.mask_truncated, micro_batch=args.micro_batch,
            exam_every=args.exam_every, exam_size=args.exam_size,
            exam_max_tokens=args.exam_max_tokens, checkpoint_every=args.checkpoint_every,
            resume=args.resume, precision=args.precision,
        )  # fmt: skip
        command = shlex.join([PROG, *(sys.argv[1:] if argv is None else argv)])
        return _train(cfg, command)

    return run_torch(PROG, body, args.threads)


def _train(cfg, command: str) -> int:
    """The run with a progress bar on rank 0 (exam lines print above it)."""
    import os
    from pathlib import Path

    from rich.console import Console
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from rl.grpo import train

    lead = int(os.environ.get("RANK", "0")) == 0
    console = Console(stderr=True)
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                  console=console, disable=not lead, transient=True) as bar:  # fmt: skip
        job = bar.add_task("starting (first exam)", total=cfg.steps)

        def progress(text: str, step: int) -> None:
            bar.update(job, description=text, completed=step)  # a resumed run starts part-way

        out = train(cfg, say=(lambda line: bar.console.print(line, highlight=False, soft_wrap=True))
                    if lead else (lambda _: None), progress=progress, command=command)  # fmt: skip
    if lead:
        state = Path(out) / "final"
        print(f"done: report {Path(out) / 'report.md'}, final policy {state}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
