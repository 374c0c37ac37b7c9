"""Where a column-arithmetic model goes wrong. Each of the exam's held-out problems is
answered greedily; for every wrong answer the first accepted step that differs from the
generator's own step is classed: a column with the right terms and a wrong sum (a digit
fact), a column with wrong terms (a digit or a carry/borrow taken wrongly), the read-back
of the written digits, or an output that differs from the last step.

    python bench/column_errors.py runs/learn-long/short/final
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter

import torch

PROMPT = re.compile(r"Compute (\d+) ([+-]) (\d+) column by column\.")
STEP = re.compile(r"<step_proposal>(.*?)</step_proposal><step_critic>.*?</step_critic><judge>accept</judge>", re.S)


def classify(got: list[str], true: list[str]) -> str:
    """The kind of the first difference between the model's accepted steps and the true ones."""
    i = next((i for i, (g, t) in enumerate(zip(got, true, strict=False)) if g != t), None)
    if i is None:
        return "output differs from the last step" if len(got) == len(true) else "steps missing or extra"
    if i == len(true) - 1:
        return "read-back of the written digits"
    same_terms = got[i].split(" = ")[0] == true[i].split(" = ")[0]
    return "column: right terms, wrong sum" if same_terms else "column: wrong terms (digit or carry/borrow)"


def recomputed(prompt: str, answer: str | None) -> bool:
    """The answer checked without the task's code: the prompt's numbers, added or
    subtracted here, against the answer's digits."""
    a, op, b = PROMPT.fullmatch(prompt).groups()
    want = int(a) + int(b) if op == "+" else int(a) - int(b)
    return answer is not None and answer.strip() == str(want)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("checkpoint")
    p.add_argument("--exam-size", type=int, default=100)
    p.add_argument("--threads", type=int, default=1)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    from model.checkpoint import CheckpointError, load_checkpoint
    from model.curriculum.exams import build_exam, output_of
    from model.curriculum.forms import get_form
    from model.curriculum.textbook import level_specs
    from model.sampling import SamplingConfig, generate
    from model.tokenizer import EOS, PAD, encode_prompt

    try:
        ck = load_checkpoint(args.checkpoint)
    except CheckpointError as e:
        print(f"column_errors: {e}", file=sys.stderr)
        raise SystemExit(2) from None
    form = get_form(ck.state.get("form", "short"))
    specs = level_specs(["primary"], ["column_arithmetic"], form.task_options)["primary"]
    items = build_exam("primary", specs, args.exam_size)
    tok, model = ck.tokenizer, ck.model.eval()
    cfg = SamplingConfig(max_new_tokens=384, temperature=0, stop_ids=(tok.token_to_id(EOS),),
                         pad_id=tok.token_to_id(PAD))  # fmt: skip
    out = generate(model, [encode_prompt(tok, it.problem.prompt, form.system) for it in items], cfg)
    kinds, ops, direct = Counter(), Counter(), 0
    for b, it in enumerate(items):
        text = tok.decode(out.tokens[b, : int(out.lengths[b])].tolist(), skip_special_tokens=False)
        op = "addition" if "+" in it.problem.prompt else "subtraction"
        answer = output_of(text)
        ok = it.spec.task.verify(it.problem, answer or "").score == 1
        direct += recomputed(it.problem.prompt, answer)
        ops[op, ok] += 1
        if not ok:
            kinds[classify(STEP.findall(text), [s.proposal for s in it.problem.steps if s.verdict == "accept"])] += 1
    for op in ("addition", "subtraction"):
        print(f"{op}: {ops[op, True]} of {ops[op, True] + ops[op, False]} right")
    print(f"right by recomputing each prompt's sum or difference here: {direct} of {len(items)}")
    for kind, n in kinds.most_common():
        print(f"{n:>4}  {kind}")


if __name__ == "__main__":
    main()
