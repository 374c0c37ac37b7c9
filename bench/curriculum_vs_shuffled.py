"""The project's bet, measured: the same model trained on the same records for the same
tokens, once in curriculum order (preschool, then primary with a replay share of
preschool) and once shuffled across levels; both sit the same held-out exams.

    python bench/curriculum_vs_shuffled.py --records-per-level 2000 --out runs/ablation

The two arms run as two processes side by side (one torch thread each) and the script
prints their exam tables next to each other (also written to OUT/table.md).
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

ARMS = ("curriculum", "shuffled")


def records(levels, per_level: int, seed: int, form, tasks=None):
    """`per_level` train-split textbook records of each level (the command's own stream)."""
    from model.curriculum.textbook import Stream, Textbook, level_specs

    specs = level_specs(levels, tasks, form.task_options)
    out = {}
    for i, lv in enumerate(levels):
        stream = Stream(Textbook(seed, i, ((lv, 1.0),), {lv: specs[lv]}))
        out[lv] = [stream.next() for _ in range(per_level)]
    return out, specs


def order(arm: str, by_level: dict, replay: float, seed: int) -> list:
    """The same records in the arm's order: levels in turn, each later stage with `replay` of
    the earlier levels' records shuffled into it; or everything shuffled."""
    rng = random.Random(seed)
    if arm == "shuffled":
        every = [r for recs in by_level.values() for r in recs]
        rng.shuffle(every)
        return every
    out, held = [], []
    for recs in by_level.values():
        stage = list(recs)
        cut = int(len(stage) * replay)
        rng.shuffle(stage)
        mine, kept_back = stage[cut:], stage[:cut]
        stage = mine + held
        rng.shuffle(stage)
        out += stage
        held = kept_back
    return out + held


def train_arm(args, arm: str) -> dict:
    from model.curriculum import exams as ex
    from model.curriculum.forms import get_form
    from model.curriculum.textbook import collate, encode_weighted
    from model.model import Transformer, preset
    from model.tokenizer import PAD, corpus_records, generator_words, train_tokenizer
    from reasoning.levels import LEVELS
    from reasoning.render import render

    torch.set_num_threads(args.threads)
    form = get_form(args.form)
    levels = LEVELS[: LEVELS.index(args.level) + 1]
    tasks = [t for t in args.tasks.split(",") if t] if args.tasks else None
    by_level, specs = records(levels, args.records_per_level, args.seed, form, tasks)
    data = order(arm, by_level, args.replay, args.seed)
    tok = train_tokenizer([render(r) for r in corpus_records(per_task=6, seed=args.seed, levels=levels)],
                          words=generator_words())
    torch.manual_seed(args.seed)
    model = Transformer(preset(args.preset, vocab_size=tok.get_vocab_size()))
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.0)
    pad, seq, tokens, start = tok.token_to_id(PAD), model.cfg.max_seq_len, 0, time.monotonic()
    model.train()
    for step, i in enumerate(range(0, len(data), args.batch_size)):
        batch = [encode_weighted(tok, r, 0.0, form) for r in data[i:i + args.batch_size]]
        x, w = collate(batch, seq, pad)
        for g in opt.param_groups:
            g["lr"] = args.lr * min(1.0, (step + 1) / 50)
        logits = model(x[:, :-1])
        ce = F.cross_entropy(logits.flatten(0, 1).float(), x[:, 1:].flatten(), reduction="none")
        loss = (ce.view_as(w) * w).sum() / w.sum().clamp(min=1e-9)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        tokens += int(sum(min(len(e.ids), seq + 1) for e in batch))
    wall = time.monotonic() - start
    exam = [it for lv in levels for it in ex.build_exam(lv, specs[lv], args.exam_size)]
    scores = ex.answer(model, tok, exam, args.exam_max_tokens, 128, form.system)
    rows = [vars(s) for s in ex.tally(exam, scores)]
    return {"arm": arm, "tokens": tokens, "records": len(data), "train_seconds": wall, "exam": rows}


def table(results: dict) -> str:
    a, b = (results[arm] for arm in ARMS)
    lines = ["| level | task | curriculum | shuffled |", "|---|---|---:|---:|"]
    for ra, rb in zip(a["exam"], b["exam"], strict=True):
        lines.append(f"| {ra['level']} | {ra['task']} | {ra['score']:.0%} [{ra['low']:.2f}, {ra['high']:.2f}] "
                     f"| {rb['score']:.0%} [{rb['low']:.2f}, {rb['high']:.2f}] |")  # fmt: skip
    for lv in dict.fromkeys(r["level"] for r in a["exam"]):
        ma = [r["score"] for r in a["exam"] if r["level"] == lv]
        mb = [r["score"] for r in b["exam"] if r["level"] == lv]
        lines.append(f"| {lv} | **mean** | **{sum(ma) / len(ma):.1%}** | **{sum(mb) / len(mb):.1%}** |")
    lines.append(f"| | tokens (records) | {a['tokens']:,} ({a['records']}) | {b['tokens']:,} ({b['records']}) |")
    lines.append(f"| | training seconds | {a['train_seconds']:.0f} | {b['train_seconds']:.0f} |")
    return "\n".join(lines)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--level", default="primary", help="the last level (from preschool)")
    p.add_argument("--records-per-level", type=int, default=2000)
    p.add_argument("--tasks", help="comma-separated task names (default: every task of each level)")
    p.add_argument("--replay", type=float, default=0.2, help="share of a level replayed in the next stage")
    p.add_argument("--form", default="short")
    p.add_argument("--preset", default="tiny")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--exam-size", type=int, default=100)
    p.add_argument("--exam-max-tokens", type=int, default=384)
    p.add_argument("--threads", type=int, default=1, help="torch threads per arm")
    p.add_argument("--arm", choices=ARMS, help=argparse.SUPPRESS)  # one arm, in a child process
    p.add_argument("--out", required=True)
    args = p.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.arm:
        result = train_arm(args, args.arm)
        (out / f"{args.arm}.json").write_text(json.dumps(result, indent=2))
        return 0
    children = [subprocess.Popen([sys.executable, __file__, *sys.argv[1:], "--arm", arm]) for arm in ARMS]
    if any(c.wait() for c in children):
        print("curriculum_vs_shuffled: an arm failed", file=sys.stderr)
        return 1
    results = {arm: json.loads((out / f"{arm}.json").read_text()) for arm in ARMS}
    text = table(results)
    (out / "table.md").write_text(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
