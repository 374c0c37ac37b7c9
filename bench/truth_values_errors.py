"""Where a model goes wrong on truth values: the exam of one level answered greedily, tallied
by the kinds of fact its statement holds (sums, take-aways, comparisons, ...) and by the
expected verdict, with how often the model said `true`; beside it, the share of each kind
in the textbook the run trained on (the first `--textbook` records of seed 0).

    python bench/truth_values_errors.py runs/hour13/final --level preschool
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter


def kinds(data: dict) -> str:
    """The kinds of a statement's facts, e.g. `cmp` or `cmp+even` (its data's atoms)."""
    atoms = data.get("atoms", {})
    return "+".join(sorted({atom[0] for atom in atoms.values()})) or "?"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("checkpoint")
    p.add_argument("--level", default="preschool")
    p.add_argument("--exam-size", type=int, default=100)
    p.add_argument("--textbook", type=int, default=3000, help="textbook records to tally (0: none)")
    p.add_argument("--max-new-tokens", type=int, default=160)
    p.add_argument("--threads", type=int, default=1)
    args = p.parse_args()
    import json

    import torch

    torch.set_num_threads(args.threads)
    from model.checkpoint import CheckpointError, load_checkpoint
    from model.curriculum.exams import build_exam, output_of
    from model.curriculum.forms import get_form
    from model.curriculum.textbook import Stream, Textbook, level_specs
    from model.sampling import SamplingConfig, generate
    from model.tokenizer import EOS, PAD, encode_prompt

    try:
        ck = load_checkpoint(args.checkpoint)
        form = get_form(ck.state.get("form", "short"))
        specs = level_specs([args.level], ["truth_values"], form.task_options)
    except (CheckpointError, ValueError) as e:
        print(f"truth_values_errors: {e}", file=sys.stderr)
        raise SystemExit(2) from None
    items = build_exam(args.level, specs[args.level], args.exam_size)
    tok, model = ck.tokenizer, ck.model.eval()
    cfg = SamplingConfig(max_new_tokens=args.max_new_tokens, temperature=0, stop_ids=(tok.token_to_id(EOS),),
                         pad_id=tok.token_to_id(PAD))  # fmt: skip
    with torch.no_grad():
        out = generate(model, [encode_prompt(tok, it.problem.prompt, form.system) for it in items], cfg)
    right, total, said_true = Counter(), Counter(), Counter()
    for b, it in enumerate(items):
        text = tok.decode(out.tokens[b, : int(out.lengths[b])].tolist(), skip_special_tokens=False)
        answer = output_of(text)
        key = (kinds(it.problem.data), it.problem.answer)
        total[key] += 1
        right[key] += it.spec.task.verify(it.problem, answer or "").score == 1
        said_true[key] += (answer or "").strip() == "true"
    book = Counter()
    if args.textbook:
        stream = Stream(Textbook(0, 0, ((args.level, 1.0),), specs))
        for _ in range(args.textbook):
            book[kinds(json.loads(stream.next().data))] += 1
    exam_kinds = Counter(k for k, _ in total.elements())
    print(f"{args.level} truth values, {len(items)} exam problems: {sum(right.values())} right")
    print("| kinds | expected | right | said true | share of exam | share of textbook |")
    print("|---|---|---:|---:|---:|---:|")
    for key in sorted(total):
        k = key[0]
        share_book = f"{book[k] / args.textbook:.0%}" if args.textbook else ""
        print(f"| {k} | {key[1]} | {right[key]} of {total[key]} | {said_true[key]} | "
              f"{exam_kinds[k] / len(items):.0%} | {share_book} |")  # fmt: skip


if __name__ == "__main__":
    main()
