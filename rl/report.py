"""What a GRPO run leaves for people: a plot of rewards (overall and per function), KL and
exam scores over steps, and report.md (the command, the settings, each task's exam before and
after, the reward at the start and the end). Built from metrics.jsonl and config.json alone,
so they can be redrawn any time."""

from __future__ import annotations

import json
import os
from pathlib import Path

from model.curriculum.report import read_metrics


def _save_fig(fig, path: Path) -> None:
    tmp = path.with_name(f".{path.stem}.tmp.png")
    fig.savefig(tmp, dpi=110, bbox_inches="tight")
    os.replace(tmp, path)


def plot(rows: list[dict], out: Path) -> Path:
    """grpo.png in `out`: rewards, KL and entropy, exam scores, each over steps."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    train = [r for r in rows if r["event"] == "train"]
    steps = [r["step"] for r in train]
    fig, (ax_r, ax_k, ax_e) = plt.subplots(3, 1, figsize=(8, 10), sharex=True)
    ax_r.plot(steps, [r["reward"] for r in train], lw=1.5, color="black", label="reward (weighted sum)")
    names = sorted({k.split("/")[1] for r in train for k in r if k.startswith("rewards/")})
    for name in names:
        pts = [(r["step"], r[f"rewards/{name}/mean"]) for r in train if r.get(f"rewards/{name}/mean") is not None]
        ax_r.plot([s for s, _ in pts], [v for _, v in pts], lw=1, label=name)
    ax_r.set(ylabel="mean reward", title="rewards")
    ax_r.legend(fontsize=7)
    if any("kl" in r for r in train):  # only runs with --beta > 0 have a reference
        ax_k.plot(steps, [r.get("kl") for r in train], lw=1, label="kl (k3, to the reference)")
    ax_k.plot(steps, [r["entropy"] for r in train], lw=1, label="entropy (nats/token)")
    ax_k.plot(steps, [r["completions/clipped_ratio"] for r in train], lw=1, label="truncated share")
    ax_k.set(title="kl, entropy, truncation")
    ax_k.legend(fontsize=7)
    series: dict[str, list[tuple[int, float]]] = {}
    for r in rows:
        if r["event"] == "exam":
            series.setdefault(f"{r['level']}/{r['task']}", []).append((r["step"], r["score"]))
    for name, pts in series.items():
        ax_e.plot([s for s, _ in pts], [v for _, v in pts], marker="o", ms=3, lw=1, label=name)
    ax_e.set(xlabel="step", ylabel="exam score", ylim=(-0.02, 1.02), title="held-out exam")
    if series:
        ax_e.legend(fontsize=6, ncol=2)
    path = out / "grpo.png"
    _save_fig(fig, path)
    plt.close(fig)
    return path


def _mean(rows: list[dict], key: str) -> str:
    vals = [r[key] for r in rows if r.get(key) is not None]
    return f"{sum(vals) / len(vals):.3f}" if vals else "-"


def report_markdown(rows: list[dict], state: dict, config: dict) -> str:
    """report.md: the command and outcome, each task's exam before and after, reward trend."""
    exams = [r for r in rows if r["event"] == "exam"]
    train = [r for r in rows if r["event"] == "train"]
    lines = ["# GRPO run", "", "```", config.get("command") or "(command not recorded)", "```", "",
             f"Policy `{config.get('init')}`, level {config.get('level')}, tasks "
             f"{', '.join(config.get('tasks') or ['all'])}, rewards `{config.get('reward')}` "
             f"(weights {config.get('reward_weights') or 'default'}), loss {config.get('loss_type')}, "
             f"beta {config.get('beta')}, group size {config.get('group_size')}, "
             f"{config.get('prompts_per_step')} prompts per step, {config.get('world', 1)} rank(s), "
             f"textbook form {config.get('form') or 'none'}, system prompt {config.get('system')!r}. "
             f"Outcome: **{state.get('done')}** after {state.get('step', 0)} steps and "
             f"{state.get('wall', 0.0) / 60:.1f} min.", "", "![grpo](grpo.png)", "",
             "## Exam (held-out problems, greedy)", "",
             "| level | task | n | before | after | change | 95% interval after |",
             "|---|---|---|---|---|---|---|"]  # fmt: skip
    tasks = list(dict.fromkeys((r["level"], r["task"]) for r in exams))
    for level, task in tasks:
        pts = [r for r in exams if r["level"] == level and r["task"] == task]
        first, last = pts[0], pts[-1]
        lines.append(f"| {level} | {task} | {last['n']} | {first['score']:.1%} (step {first['step']}) | "
                     f"{last['score']:.1%} (step {last['step']}) | "
                     f"{100 * (last['score'] - first['score']):+.1f} pts | "
                     f"[{last['low']:.2f}, {last['high']:.2f}] |")  # fmt: skip
    head, tail = train[:10], train[-10:]
    keys = ["reward", *sorted({k for r in train for k in r if k.startswith("rewards/") and k.endswith("/mean")}),
            "kl", "entropy", "completions/mean_length", "completions/clipped_ratio", "step_time"]
    lines += ["", f"## Training (mean of the first and the last {len(tail)} steps)", "",
              "| metric | start | end |", "|---|---|---|"]
    lines += [f"| {k} | {_mean(head, k)} | {_mean(tail, k)} |" for k in keys]
    return "\n".join(lines) + "\n"


def write_report(out: Path, state: dict) -> Path:
    """grpo.png and report.md in `out`, from its metrics.jsonl and config.json (atomic)."""
    rows = read_metrics(out / "metrics.jsonl")
    config = json.loads((out / "config.json").read_text())
    plot(rows, out)
    path = out / "report.md"
    tmp = path.with_name(".report.md.tmp")
    tmp.write_text(report_markdown(rows, state, config))
    os.replace(tmp, path)
    return path
