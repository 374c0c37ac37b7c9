"""Which textbook form teaches: the same model, seed and token budget on one task, once per
form (`model.curriculum.forms`), each run sitting the same held-out exam.

    python bench/learnability.py --task column_arithmetic --level primary \
        --tokens 600000 --out runs/learnability

Each form is one `train-curriculum --from-level L --level L --tasks TASK --form F` run (in
its own process, one after another unless --jobs says otherwise); the table compares their
exam accuracy at equal tokens, with the 95% interval, wall time and tokens/s.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from model.curriculum.forms import FORMS


def exams(run: Path) -> list[dict]:
    """The exam rows of a run's metrics.jsonl, in order."""
    rows = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    return [r for r in rows if r.get("event") == "exam"]


def command(args, form: str, out: Path) -> list[str]:
    exe = Path(sys.executable).with_name("train-curriculum")
    return [str(exe), "--from-level", args.level, "--level", args.level, "--tasks", args.task,
            "--form", form, "--preset", args.preset, "--seed", str(args.seed),
            "--tokens-per-level", str(args.tokens), "--exam-every", str(args.exam_every or args.tokens),
            "--exam-size", str(args.exam_size), "--bar", "1.0", "--threads", str(args.threads),
            "--batch-size", str(args.batch_size), "-o", str(out)]  # fmt: skip


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--task", default="column_arithmetic")
    p.add_argument("--level", default="primary")
    p.add_argument("--forms", default=",".join(FORMS), help=f"comma-separated, of {', '.join(FORMS)}")
    p.add_argument("--preset", default="small")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--tokens", type=int, default=600_000, help="training tokens per form")
    p.add_argument("--exam-every", type=int, default=0, help="tokens between exams (0: at the end only)")
    p.add_argument("--exam-size", type=int, default=100)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--threads", type=int, default=1, help="torch threads per run")
    p.add_argument("--jobs", type=int, default=1, help="runs at once")
    p.add_argument("--out", required=True, help="a directory for the runs (one folder per form)")
    args = p.parse_args()
    forms = [f for f in args.forms.split(",") if f]
    unknown = [f for f in forms if f not in FORMS]
    if unknown:
        print(f"learnability: unknown form(s) {', '.join(unknown)}; known: {', '.join(FORMS)}", file=sys.stderr)
        return 2
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    pending, running, wall = list(forms), {}, {}
    while pending or running:
        while pending and len(running) < args.jobs:
            form = pending.pop(0)
            log = open(out / f"{form}.log", "w")  # noqa: SIM115 (closed when the run ends)
            running[form] = (subprocess.Popen(command(args, form, out / form), stdout=log, stderr=log),
                             time.monotonic(), log)  # fmt: skip
        time.sleep(2)
        for form, (proc, start, log) in list(running.items()):
            if proc.poll() is not None:
                log.close()
                wall[form] = time.monotonic() - start
                del running[form]
                if proc.returncode:
                    print(f"learnability: the {form} run failed (see {out / form}.log)", file=sys.stderr)
                    return 1
    lines = [f"{'form':<9} {'tokens':>9} {'exam':>6}  {'95% interval':<13} {'wall s':>7} {'tok/s':>6}  what it is",
             "-" * 100]  # fmt: skip
    for form in forms:
        last = exams(out / form)[-1]
        train = [json.loads(x) for x in (out / form / "metrics.jsonl").read_text().splitlines()]
        speeds = sorted(r["tok_s"] for r in train if r.get("event") == "train")
        lines.append(f"{form:<9} {last['tokens']:>9,} {last['score']:>6.1%}  [{last['low']:.2f}, {last['high']:.2f}]  "
                     f"{wall[form]:>7.0f} {speeds[len(speeds) // 2]:>6.0f}  {FORMS[form].description}")  # fmt: skip
    table = "\n".join(lines)
    (out / "table.txt").write_text(table + "\n")
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
