"""Does data generation starve training? `train-curriculum`'s inner loop against the bare
training step of `bench/bench_model.py`, same preset, batch, sequence length and threads.

The loop runs for `--minutes` as a subprocess on a task whose records are longer than
`--seq` tokens (so every record is cut to the same width and no step is padded); its
median tokens/s over the metrics rows (after the first `--skip` rows) is set beside the
median of `--repeats` timings of forward + backward + AdamW on a random batch of that shape.
Both in fp32 (the bare step has no autocast); the bf16 loop against its own step is in
BENCHMARKS.md ("bf16 autocast").

    python bench/curriculum_throughput.py --preset tiny --out runs/throughput
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

import torch


def loop_rates(args) -> dict[str, float]:
    run = Path(args.out) / "loop"
    shutil.rmtree(run, ignore_errors=True)
    cmd = [sys.executable, "-m", "cli.train_curriculum", "--level", args.level, "--tasks", args.tasks,
           "--preset", args.preset, "-o", str(run), "--batch-size", str(args.batch), "--seq-len", str(args.seq),
           "--threads", str(args.threads), "--max-minutes", str(args.minutes), "--log-every", "10",
           "--tokens-per-level", str(10**9), "--exam-every", str(10**9), "--exam-size", "1",
           "--exam-max-tokens", "8", "--precision", "fp32"]  # fmt: skip (bench_model's step is fp32)
    done = subprocess.run(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parents[1]
    )
    if done.returncode:
        print(f"curriculum_throughput: train-curriculum failed: {done.stderr.strip()}", file=sys.stderr)
        raise SystemExit(2)
    rows = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    rows = [r for r in rows if r["event"] == "train"][args.skip :]
    if not rows:
        print(f"curriculum_throughput: the loop logged no train rows after the first {args.skip}; "
              "raise --minutes", file=sys.stderr)  # fmt: skip
        raise SystemExit(2)
    return {
        key: statistics.median(r[key] for r in rows)
        for key in ("tok_s", "train_tok_s", "data_share", "cut")
    }


def step_rate(args, vocab: int) -> float:
    from model.model import Transformer, preset

    spec = importlib.util.spec_from_file_location(
        "bench_model", Path(__file__).with_name("bench_model.py")
    )
    bench_model = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench_model)
    timed, train_step_fn = bench_model.timed, bench_model.train_step_fn

    torch.manual_seed(0)
    model = Transformer(preset(args.preset, vocab_size=vocab)).train()
    batch = torch.randint(
        0, vocab, (args.batch, args.seq + 1), generator=torch.Generator().manual_seed(0)
    )
    step = train_step_fn(model, False, batch)
    for _ in range(3):
        step()
    times = [timed(step, args.steps) for _ in range(args.repeats)]
    return args.batch * args.seq * args.steps / statistics.median(times)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--preset", default="tiny")
    p.add_argument("--level", default="preschool")
    p.add_argument("--tasks", default="counting", help="a task whose records are longer than --seq")
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--seq", type=int, default=256)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--minutes", type=float, default=1.5)
    p.add_argument("--skip", type=int, default=3, help="metrics rows left out at the start")
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--out", required=True)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    loop = loop_rates(args)
    from model.checkpoint import read_config

    vocab = read_config(Path(args.out) / "loop" / "final").vocab_size
    bare = step_rate(args, vocab)
    print(
        f"preset {args.preset}, batch {args.batch} x {args.seq}, {args.threads} thread(s), task {args.tasks}"
    )
    print(
        f"train-curriculum loop: {loop['tok_s']:,.0f} tok/s (step alone {loop['train_tok_s']:,.0f}; "
        f"data {loop['data_share']:.1%} of the time; records cut to --seq: {loop['cut']:.0%})"
    )
    print(f"bench_model step:      {bare:,.0f} tok/s")
    print(f"loop / bare step:      {loop['tok_s'] / bare:.2f}")


if __name__ == "__main__":
    main()
