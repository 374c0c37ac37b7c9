"""Which textbook form teaches: the same model, seed and token budget on one task, once per
form (`model.curriculum.forms`), each run sitting the same held-out exam.

    python bench/learnability.py --task column_arithmetic --level primary \
        --tokens 600000 --out runs/learnability

Each form is one `train-curriculum --from-level L --level L --tasks TASK --form F` run (in
its own process, one after another unless --jobs says otherwise); the table compares their
exam accuracy at equal tokens, with the 95% interval, wall time and tokens/s. With
`--lrs 1e-3,3e-3` each form runs once per peak learning rate (folders `FORM-lrX`); with
`--init CKPT` every run starts from that checkpoint (a model that has had preschool, say)
rather than from scratch; `--precision fp32` or `bf16` sets the forward's arithmetic.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from model.curriculum.forms import FORMS, get_form


def exams(run: Path) -> list[dict]:
    """The exam rows of a run's metrics.jsonl, in order."""
    rows = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    return [r for r in rows if r.get("event") == "exam"]


def digit_share(answer: str | None, expected: str) -> float:
    """Share of the expected answer's digits the answer has in the same place (aligned on
    the ones digit; a missing or extra digit counts wrong): partial credit that shows
    progress before whole answers come out right."""
    got = "".join(ch for ch in (answer or "") if ch.isdigit())
    want = "".join(ch for ch in expected if ch.isdigit())
    if not want:
        return 0.0
    width = max(len(got), len(want))
    got, want = got.rjust(width), want.rjust(width)
    return sum(a == b for a, b in zip(got, want, strict=True)) / width


def grade(run: Path, form: str, level: str, task: str, size: int, max_new: int) -> dict:
    """The run's final model on the exam again, with finer measures than the exam's score:
    answer digits in place, and the share of the model's accepted steps whose claims the
    step checker confirms (among those it could check)."""
    import torch

    from generators.step_check import check_step
    from model.checkpoint import load_checkpoint
    from model.curriculum.exams import build_exam, output_of
    from model.curriculum.textbook import level_specs
    from model.sampling import SamplingConfig, generate
    from model.tokenizer import EOS, PAD, encode_prompt
    from reasoning.lenient import parse_lenient

    ck = load_checkpoint(run / "final")
    tok, model = ck.tokenizer, ck.model.eval()
    specs = level_specs([level], [task], get_form(form).task_options)[level]
    items = build_exam(level, specs, size)
    prompts = [encode_prompt(tok, it.problem.prompt, get_form(form).system) for it in items]
    room = model.cfg.max_seq_len - max(len(p) for p in prompts)  # as the exams: within the context
    cfg = SamplingConfig(max_new_tokens=max(1, min(max_new, room)), temperature=0,
                         stop_ids=(tok.token_to_id(EOS),), pad_id=tok.token_to_id(PAD))  # fmt: skip
    with torch.no_grad():
        out = generate(model, prompts, cfg)
    digits, valid, checked = [], 0, 0
    for b, it in enumerate(items):
        text = tok.decode(out.tokens[b, : int(out.lengths[b])].tolist(), skip_special_tokens=False)
        digits.append(digit_share(output_of(text), it.problem.answer))
        accepted: list[str] = []
        for step in parse_lenient(text).steps:
            if step.verdict != "accept":
                continue
            status = check_step(it.spec.task, it.problem, accepted, step.proposal).status
            valid += status == "valid"
            checked += status != "unchecked"
            accepted.append(step.proposal)
    return {"digits": sum(digits) / len(digits), "valid_steps": valid / checked if checked else 0.0,
            "checked_steps": checked}  # fmt: skip


def runs(forms: list[str], lrs: list[float]) -> list[tuple[str, str, float | None]]:
    """(folder name, form, lr or None for train-curriculum's default) of every run."""
    if not lrs:
        return [(form, form, None) for form in forms]
    return [(f"{form}-lr{lr:g}", form, lr) for form in forms for lr in lrs]


def command(args, form: str, out: Path, lr: float | None = None) -> list[str]:
    exe = Path(sys.executable).with_name("train-curriculum")
    init = ["--init", str(args.init)] if getattr(args, "init", None) else []
    init += ["--precision", args.precision] if getattr(args, "precision", None) else []
    return [str(exe), *(["--lr", repr(lr)] if lr is not None else []), *init, "--from-level", args.level, "--level", args.level, "--tasks", args.task,
            "--form", form, "--preset", args.preset, "--seed", str(args.seed),
            "--tokens-per-level", str(args.tokens), "--exam-every", str(args.exam_every or args.tokens),
            "--exam-size", str(args.exam_size), "--exam-max-tokens", str(args.exam_max_tokens), "--bar", "1.0", "--threads", str(args.threads),
            "--batch-size", str(args.batch_size), "--lr-decay", str(args.lr_decay), "-o", str(out)]  # fmt: skip


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--task", default="column_arithmetic")
    p.add_argument("--level", default="primary")
    p.add_argument("--forms", default=",".join(FORMS), help=f"comma-separated, of {', '.join(FORMS)} or forms joined by +")
    p.add_argument("--preset", default="tiny")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--lrs", default="", help="comma-separated peak learning rates, one run per form and "
                   "lr (default: train-curriculum's)")
    p.add_argument("--init", default=None, help="start every run from this checkpoint (e.g. a "
                   "curriculum run's level-preschool) instead of a fresh model")
    p.add_argument("--lr-decay", type=float, default=0.3, help="as train-curriculum's (0: constant lr)")
    p.add_argument("--tokens", type=int, default=600_000, help="training tokens per form")
    p.add_argument("--exam-every", type=int, default=0, help="tokens between exams (0: at the end only)")
    p.add_argument("--exam-size", type=int, default=100)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--threads", type=int, default=1, help="torch threads per run")
    p.add_argument("--jobs", type=int, default=1, help="runs at once")
    p.add_argument("--exam-max-tokens", type=int, default=384)
    p.add_argument("--precision", choices=("auto", "fp32", "bf16"), default=None,
                   help="train-curriculum's --precision for every run (default: its own, auto)")
    p.add_argument("--grade-only", action="store_true", help="only grade the runs already in --out")
    p.add_argument("--out", required=True, help="a directory for the runs (one folder per form)")
    args = p.parse_args()
    forms = [f for f in args.forms.split(",") if f]
    for form in forms:
        try:
            get_form(form)
        except ValueError as e:
            print(f"learnability: {e}", file=sys.stderr)
            return 2
    try:
        lrs = [float(x) for x in args.lrs.split(",") if x]
    except ValueError:
        lrs = []
    if args.lrs and (not lrs or min(lrs) <= 0):
        print(f"learnability: --lrs must be positive numbers, got {args.lrs!r}", file=sys.stderr)
        return 2
    plan = runs(forms, lrs)
    if args.init is not None and not Path(args.init).is_dir():
        print(f"learnability: --init {args.init!r} is not a checkpoint directory", file=sys.stderr)
        return 2
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    pending, running = ([] if args.grade_only else list(plan)), {}
    while pending or running:
        while pending and len(running) < args.jobs:
            name, form, lr = pending.pop(0)
            log = open(out / f"{name}.log", "w")  # noqa: SIM115 (closed when the run ends)
            running[name] = (subprocess.Popen(command(args, form, out / name, lr), stdout=log, stderr=log), log)
        time.sleep(2)
        for name, (proc, log) in list(running.items()):
            if proc.poll() is not None:
                log.close()
                del running[name]
                if proc.returncode:
                    print(f"learnability: the {name} run failed (see {out / name}.log)", file=sys.stderr)
                    return 1
    lines = ["| run | tokens | exam | 95% interval | answer digits in place | valid accepted steps "
             "(checked) | run s | tok/s |", "|---|---:|---:|---|---:|---:|---:|---:|"]  # fmt: skip
    for name, form, _ in plan:
        last = exams(out / name)[-1]
        train = [json.loads(x) for x in (out / name / "metrics.jsonl").read_text().splitlines()]
        speeds = sorted(r["tok_s"] for r in train if r.get("event") == "train")
        g = grade(out / name, form, args.level, args.task, args.exam_size, args.exam_max_tokens)
        lines.append(f"| {name} | {last['tokens']:,} | {last['score']:.1%} | [{last['low']:.2f}, {last['high']:.2f}] "
                     f"| {g['digits']:.1%} | {g['valid_steps']:.1%} ({g['checked_steps']}) "
                     f"| {last['wall']:.0f} | {speeds[len(speeds) // 2]:.0f} |")  # fmt: skip
    table = "\n".join(lines)
    (out / "table.txt").write_text(table + "\n")
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
