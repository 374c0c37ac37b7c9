"""Tokens per record: our tokenizer at several vocabulary sizes beside a character-level
tokenizer and a plain GPT-2-style byte-level BPE trained on the same text.

Training and measuring texts are disjoint (different seeds) and cover every domain and
level. The character-level count is one token per character (tags included), the most a
tokenizer without merges spends. BPE stops early when no pair is left to merge, so an
asked size above what the corpus supports gives the smaller vocabulary it reached.

    python bench/bench_tokenizer.py --train-per-task 20 --test-per-task 5 --sizes 1024 2048 4096
"""

from __future__ import annotations

import argparse
import statistics
import time

from model.tokenizer import corpus_records, train_tokenizer
from reasoning.render import render


def per_record(tok, texts: list[str]) -> tuple[float, float]:
    """Mean and median tokens per record (BOS/EOS not counted)."""
    counts = [len(tok.encode(t, add_special_tokens=False).ids) for t in texts]
    return statistics.mean(counts), statistics.median(counts)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--train-per-task", type=int, default=20)
    p.add_argument("--test-per-task", type=int, default=5)
    p.add_argument("--sizes", type=int, nargs="+", default=[1024, 2048, 4096])
    args = p.parse_args()
    start = time.perf_counter()
    train = [render(r) for r in corpus_records(args.train_per_task, seed=0)]
    test = [render(r) for r in corpus_records(args.test_per_task, seed=1)]
    print(f"{len(train)} training records ({sum(map(len, train)):,} characters), "
          f"{len(test)} measured records, generated in {time.perf_counter() - start:.1f} s")
    chars = [len(t) for t in test]
    print(f"{'tokenizer':<28}{'asked':>7}{'vocab':>7}{'mean tok/rec':>14}{'median':>9}{'chars/tok':>11}{'train s':>9}")
    print(f"{'character-level':<28}{'':>7}{len({c for t in train for c in t}):>7}"
          f"{statistics.mean(chars):>14.1f}{statistics.median(chars):>9.0f}{1.0:>11.2f}{0:>9.1f}")
    for kind in ("gpt2", "blueberry"):
        for size in args.sizes:
            t0 = time.perf_counter()
            tok = train_tokenizer(train, vocab_size=size, kind=kind)
            secs = time.perf_counter() - t0
            mean, median = per_record(tok, test)
            name = "GPT-2-style byte-level BPE" if kind == "gpt2" else "ours (digits, tags special)"
            print(f"{name:<28}{size:>7}{tok.get_vocab_size():>7}{mean:>14.1f}{median:>9.0f}"
                  f"{statistics.mean(chars) / mean:>11.2f}{secs:>9.1f}")


if __name__ == "__main__":
    main()
