"""fp32 against bf16 autocast for `train-curriculum`'s training step: the loop's own step
(packed textbook rows of the primary mix, weighted loss, clipping, AdamW) timed with each
precision in turn, interleaved, on a fresh model of the preset. Every repeat trains on
batches not seen before, as the loop does (`--same-batches` repeats one set instead);
`--width fit` packs rows as wide as their longest (the loop before the twelfth session),
`full` pads every row to the full width.

    python bench/curriculum_precision.py --preset tiny --threads 2 --width fit
    python bench/curriculum_precision.py --preset tiny --threads 2 --width full

Whether bf16 also teaches as much per token is a separate question, answered at equal
tokens by `bench/learnability.py --precision fp32` and `--precision bf16` (BENCHMARKS.md).
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch
import torch.nn.functional as F


def batches(preset_name: str, n: int, batch: int, seed: int, full: bool):
    from model.curriculum.forms import DEFAULT_FORM, get_form
    from model.curriculum.textbook import Stream, Textbook, encode_weighted, level_specs, pack
    from model.model import Transformer, preset
    from model.tokenizer import PAD, corpus_records, generator_words, train_tokenizer
    from reasoning.render import render

    levels = ("preschool", "primary")
    form = get_form(DEFAULT_FORM)
    tok = train_tokenizer([render(r) for r in corpus_records(per_task=6, seed=seed, levels=levels)],
                          words=generator_words())  # fmt: skip
    torch.manual_seed(seed)
    model = Transformer(preset(preset_name, vocab_size=tok.get_vocab_size()))
    stream = Stream(Textbook(seed, 0, (("preschool", 0.6), ("primary", 1.0)), level_specs(levels, None, form.task_options)))
    rows = [pack([encode_weighted(tok, stream.next(), 0.0, form) for _ in range(batch)],
                 model.cfg.max_seq_len, tok.token_to_id(PAD), full=full) for _ in range(n)]  # fmt: skip
    return model, rows


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--preset", default="tiny")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--batch-size", type=int, default=16, help="records per step (train-curriculum's default)")
    p.add_argument("--steps", type=int, default=10, help="steps per timing")
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--width", choices=("fit", "full"), default="full",
                   help="rows as wide as their longest record (fit) or the model's full width (full)")
    p.add_argument("--same-batches", action="store_true", help="every repeat on the same batches")
    args = p.parse_args()
    from model.model import autocast, bf16_is_native

    torch.set_num_threads(args.threads)
    sets = 1 if args.same_batches else args.repeats
    model, rows = batches(args.preset, args.steps * sets + 1, args.batch_size, args.seed, args.width == "full")
    warm, rows = rows[0], rows[1:]
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.0, foreach=True)
    model.train()

    def step(r, precision: str) -> None:  # as model.curriculum.loop trains one global batch
        x, w = r.tokens, r.weights
        with autocast("cpu", precision):
            logits = model(x[:, :-1], positions=r.positions[:, :-1], segments=r.segments[:, :-1])
        ce = F.cross_entropy(logits.flatten(0, 1).float(), x[:, 1:].flatten(), reduction="none")
        ((ce.view_as(w) * w).sum() / w.sum()).backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)

    rates: dict[str, list[float]] = {"fp32": [], "bf16": []}
    for precision in rates:  # warm-up
        step(warm, precision)
    for k in range(args.repeats):
        part = rows[(k % sets) * args.steps : (k % sets + 1) * args.steps]
        tokens = sum(int((r.segments[:, :-1] > 0).sum()) for r in part)
        for precision, got in rates.items():
            t = time.perf_counter()
            for r in part:
                step(r, precision)
            got.append(tokens / (time.perf_counter() - t))
    fp32, bf16 = (statistics.median(rates[k]) for k in ("fp32", "bf16"))
    print(f"preset {args.preset}, {args.threads} threads, {args.steps} steps of {args.batch_size} records, "
          f"rows {args.width}, {'the same' if args.same_batches else 'new'} batches each repeat, "
          f"medians of {args.repeats}; bf16 native here: {bf16_is_native('cpu')}")
    print("| precision | training tok/s | ratio |\n|---|---:|---:|")
    print(f"| fp32 | {fp32:,.0f} | 1.00x |\n| bf16 autocast | {bf16:,.0f} | {bf16 / fp32:.2f}x |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
