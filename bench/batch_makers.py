"""Where `train-curriculum` makes its next batch (`--prefetch`): the command's loop run for
`--minutes` once per maker, the makers in turn, `--rounds` times, each alone on the machine.

Every run trains the same data (the makers are interchangeable, tested), so what differs is
the time the loop spends making batches. Its figures are totals over the run's metrics
rows after the first `--skip`, not medians of rows: the textbook is made a chunk of 256
candidates at a time, so one row in two or three holds a chunk's whole wait and the others
none, and a median of rows would hide it.

    python bench/batch_makers.py --makers inline,pool --rounds 3 --out runs/makers
    python bench/batch_makers.py --makers inline,pool --rounds 2 --minutes 2.5 --compile
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_once(args, maker: str, k: int) -> dict[str, float]:
    out = Path(args.out) / f"{maker}-{k}"
    shutil.rmtree(out, ignore_errors=True)
    cmd = [sys.executable, "-m", "cli.train_curriculum", "--level", "primary", "-o", str(out),
           "--max-minutes", str(args.minutes), "--threads", str(args.threads), "--preset", args.preset,
           "--tokens-per-level", str(10**9), "--exam-every", str(10**9), "--exam-size", "1",
           "--exam-max-tokens", "8", "--precision", args.precision, "--prefetch", maker,
           *(["--compile"] if args.compile else [])]  # fmt: skip
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    if done.returncode:
        raise SystemExit(f"batch_makers: train-curriculum --prefetch {maker} failed: {done.stderr.strip()}")
    rows = [json.loads(line) for line in (out / "metrics.jsonl").open() if '"train"' in line][args.skip :]
    if len(rows) < 2:
        raise SystemExit(f"batch_makers: {maker}: too few metrics rows in {args.minutes} minutes")
    tokens, prev = 0, rows[0]["tokens"]
    wall = train = 0.0
    for r in rows[1:]:  # each row covers the tokens since the one before it
        n = r["tokens"] - prev
        prev = r["tokens"]
        tokens += n
        wall += n / r["tok_s"]
        train += n / r["train_tok_s"]
    return {"tok_s": tokens / wall, "train_tok_s": tokens / train, "wait": 1 - train / wall}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--makers", default="inline,pool", help="comma-separated --prefetch values")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--minutes", type=float, default=1.25)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--preset", default="tiny")
    p.add_argument("--precision", default="bf16")
    p.add_argument("--compile", action="store_true", help="train-curriculum --compile (about 40 s of each run)")
    p.add_argument("--skip", type=int, default=3, help="metrics rows left out at the start")
    p.add_argument("--out", default="runs/makers")
    args = p.parse_args()
    makers = args.makers.split(",")
    got: dict[str, list[dict[str, float]]] = {m: [] for m in makers}
    for k in range(args.rounds):
        for m in makers:
            got[m].append(run_once(args, m, k))
            r = got[m][-1]
            print(f"round {k + 1} {m:8} {r['tok_s']:8,.0f} tok/s, step alone {r['train_tok_s']:8,.0f}, "
                  f"waiting {r['wait']:.1%}", flush=True)
    base = statistics.median(r["tok_s"] for r in got[makers[0]])
    print(f"\n{args.preset}, {args.threads} threads, {args.precision}{' compiled' if args.compile else ''}, "
          f"{args.minutes} min per run, "
          f"medians of {args.rounds} runs")
    print(f"| maker | loop tok/s | the step alone | waiting for data | loop / step | ratio to {makers[0]} |")
    print("|---|---:|---:|---:|---:|---:|")
    for m, rs in got.items():
        loop, step = statistics.median(r["tok_s"] for r in rs), statistics.median(r["train_tok_s"] for r in rs)
        wait = statistics.median(r["wait"] for r in rs)
        print(f"| {m} | {loop:,.0f} | {step:,.0f} | {wait:.1%} | {loop / step:.2f} | {loop / base:.2f}x |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
