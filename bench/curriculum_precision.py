"""fp32 against bf16 autocast for `train-curriculum`'s training step: the loop's own step
(packed textbook rows of the primary mix, weighted loss, clipping, AdamW) timed with each
precision in turn, interleaved, on a fresh model of the preset. Every repeat trains on
batches not seen before, as the loop does (`--same-batches` repeats one set instead);
`--width fit` packs rows as wide as their longest (the loop before the twelfth session),
`full` pads every row to the full width.

    python bench/curriculum_precision.py --preset tiny --threads 2 --width fit
    python bench/curriculum_precision.py --preset tiny --threads 2 --width full
    python bench/curriculum_precision.py --preset tiny --threads 2 --compile   # + torch.compile
    python bench/curriculum_precision.py --threads 2 --compile --init runs/hour18/last  # a trained model

`--init` starts from a checkpoint (its weights, tokenizer and, in a run's `last`, its AdamW
state) instead of a fresh model: whether a trained model's small values slow the step.

Whether bf16 also teaches as much per token is a separate question, answered at equal
tokens by `bench/learnability.py --precision fp32` and `--precision bf16` (BENCHMARKS.md).
"""

from __future__ import annotations

import argparse
import functools
import statistics
import time

import torch
import torch.nn.functional as F


def batches(preset_name: str, n: int, batch: int, seed: int, full: bool, init: str | None = None):
    from model.curriculum.forms import DEFAULT_FORM, get_form
    from model.curriculum.textbook import Stream, Textbook, encode_weighted, level_specs, pack
    from model.model import Transformer, preset
    from model.tokenizer import PAD, corpus_records, generator_words, train_tokenizer
    from reasoning.render import render

    levels = ("preschool", "primary")
    form = get_form(DEFAULT_FORM)
    opt_state = None
    if init:
        from model.checkpoint import load_checkpoint

        ck = load_checkpoint(init, with_optimizer=True)
        model, tok, opt_state = ck.model, ck.tokenizer, ck.optimizer_state
    else:
        tok = train_tokenizer([render(r) for r in corpus_records(per_task=6, seed=seed, levels=levels)],
                              words=generator_words())  # fmt: skip
        torch.manual_seed(seed)
        model = Transformer(preset(preset_name, vocab_size=tok.get_vocab_size()))
    stream = Stream(Textbook(seed, 0, (("preschool", 0.6), ("primary", 1.0)), level_specs(levels, None, form.task_options)))
    rows = [pack([encode_weighted(tok, stream.next(), 0.0, form) for _ in range(batch)],
                 model.cfg.max_seq_len, tok.token_to_id(PAD), full=full) for _ in range(n)]  # fmt: skip
    return model, rows, opt_state


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
    p.add_argument("--init", metavar="CKPT", help="start from this checkpoint (weights, tokenizer, and AdamW "
                                                  "state where it has one) instead of a fresh model of --preset")
    p.add_argument("--compile", action="store_true",
                   help="also time each precision with the forward and loss under torch.compile, "
                        "as `train-curriculum --compile` runs them (compilation in the warm-up)")
    args = p.parse_args()
    from model.model import autocast, bf16_is_native

    torch.set_num_threads(args.threads)
    sets = 1 if args.same_batches else args.repeats
    model, rows, opt_state = batches(args.preset, args.steps * sets + 1, args.batch_size, args.seed,
                                     args.width == "full", args.init)  # fmt: skip
    warm, rows = rows[0], rows[1:]
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.0, foreach=True)
    if opt_state:
        opt.load_state_dict(opt_state)
        for group in opt.param_groups:
            group["lr"] = 1e-4  # a trained run's lr near its end: small updates, as there
    model.train()

    def weighted_ce(x, w, positions, segments, precision: str):  # as model.curriculum.loop's
        with autocast("cpu", precision):
            logits = model(x[:, :-1], positions=positions, segments=segments)
        ce = F.cross_entropy(logits.flatten(0, 1).float(), x[:, 1:].flatten(), reduction="none")
        return (ce.view_as(w) * w).sum()

    compiled = {prec: torch.compile(functools.partial(weighted_ce, precision=prec)) for prec in ("fp32", "bf16")}

    def step(r, variant: str) -> None:  # as model.curriculum.loop trains one global batch
        precision, _, how = variant.partition(" ")
        loss_of = compiled[precision] if how else functools.partial(weighted_ce, precision=precision)
        summed = loss_of(r.tokens, r.weights, r.positions[:, :-1], r.segments[:, :-1])
        (summed / r.weights.sum()).backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)

    variants = ["fp32", "bf16"] + (["fp32 compiled", "bf16 compiled"] if args.compile else [])
    rates: dict[str, list[float]] = {v: [] for v in variants}
    # Warm-up. A compiled step also sees a second number of rows (packed batches vary in it),
    # after which torch.compile makes that dimension dynamic: the timed steps recompile nothing.
    other = next((r for r in rows if r.tokens.shape[0] != warm.tokens.shape[0]), warm)
    for variant in rates:
        for r in (warm, other) if "compiled" in variant else (warm,):
            step(r, variant)
    for k in range(args.repeats):
        part = rows[(k % sets) * args.steps : (k % sets + 1) * args.steps]
        tokens = sum(int((r.segments[:, :-1] > 0).sum()) for r in part)
        for variant, got in rates.items():
            t = time.perf_counter()
            for r in part:
                step(r, variant)
            got.append(tokens / (time.perf_counter() - t))
    base = statistics.median(rates["fp32"])
    print(f"{'from ' + args.init if args.init else 'preset ' + args.preset}, {args.threads} threads, {args.steps} steps of {args.batch_size} records, "
          f"rows {args.width}, {'the same' if args.same_batches else 'new'} batches each repeat, "
          f"medians of {args.repeats}; bf16 native here: {bf16_is_native('cpu')}")
    print("| step | training tok/s | ratio to fp32 eager |\n|---|---:|---:|")
    for variant, got in rates.items():
        name = variant.replace("bf16", "bf16 autocast") + ("" if "compiled" in variant else " eager")
        print(f"| {name} | {statistics.median(got):,.0f} | {statistics.median(got) / base:.2f}x |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
