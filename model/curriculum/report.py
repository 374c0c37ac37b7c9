"""What a run leaves for people: plots of loss and exam scores over tokens, and report.md
(per level and task: scores over time, learned when, forgotten and relearned, tokens and
wall time). Both are built from metrics.jsonl alone, so they can be redrawn any time."""

from __future__ import annotations

import json
import os
from pathlib import Path


def read_metrics(path: Path) -> list[dict]:
    """The rows of a metrics.jsonl (a torn last line from a kill is skipped)."""
    rows = []
    for line in path.read_text().splitlines() if path.exists() else []:
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return rows


def _save_fig(fig, path: Path) -> None:
    tmp = path.with_name(f".{path.stem}.tmp.png")
    fig.savefig(tmp, dpi=110, bbox_inches="tight")
    os.replace(tmp, path)


def plot(rows: list[dict], out: Path, bar: float) -> list[Path]:
    """loss.png and exams.png (one line per level/task) in `out`; returns their paths."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written = []
    train = [r for r in rows if r["event"] == "train"]
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.plot([r["tokens"] for r in train], [r["loss"] for r in train], lw=1)
    for r in rows:
        if r["event"] == "promoted":
            ax.axvline(r["tokens"], color="grey", ls=":", lw=1)
    ax.set(xlabel="training tokens", ylabel="loss (completion, weighted)", title="training loss")
    _save_fig(fig, out / "loss.png")
    plt.close(fig)
    written.append(out / "loss.png")
    fig, ax = plt.subplots(figsize=(8, 5))
    series: dict[str, list[tuple[int, float]]] = {}
    for r in rows:
        if r["event"] == "exam":
            series.setdefault(f"{r['level']}/{r['task']}", []).append((r["tokens"], r["score"]))
    # A colour per series (20 before one repeats) and a line style per level, so that a
    # task's line is told apart from the same task at another level.
    colours = plt.get_cmap("tab20").colors
    styles: dict[str, str] = {}
    for i, (name, pts) in enumerate(series.items()):
        style = styles.setdefault(name.split("/")[0], ("-", "--", ":", "-.")[len(styles) % 4])
        ax.plot([t for t, _ in pts], [s for _, s in pts], marker="o", ms=3, lw=1, ls=style,
                color=colours[i % len(colours)], label=name)  # fmt: skip
    ax.axhline(bar, color="black", ls="--", lw=0.8)
    ax.set(xlabel="training tokens", ylabel="exam score", ylim=(-0.02, 1.02), title="exam scores")
    if series:
        ax.legend(fontsize=6, ncol=2, loc="upper left")
    _save_fig(fig, out / "exams.png")
    plt.close(fig)
    written.append(out / "exams.png")
    return written


def report_markdown(rows: list[dict], state: dict, config: dict) -> str:
    """report.md: the run's outcome, then per level and task the exam scores over time."""
    exams = [r for r in rows if r["event"] == "exam"]
    bar = config.get("bar", 0.9)
    lines = ["# Curriculum run", "", f"Target level: **{config.get('level')}**, preset "
             f"`{config.get('preset')}`, seed {config.get('seed')}; outcome: **{state.get('done')}** "
             f"after {state.get('tokens', 0):,} tokens, {state.get('step', 0)} steps, "
             f"{state.get('wall', 0.0) / 60:.1f} min of wall time.", "",
             "![loss](loss.png) ![exams](exams.png)", ""]  # fmt: skip
    promos = {r["level"]: r for r in rows if r["event"] == "promoted"}
    levels = list(dict.fromkeys(r["level"] for r in exams))
    wall_before = 0.0  # stages run in order: each starts where the one before ended
    for level in levels:
        st = state.get("status", {}).get(level, {})
        started = state.get("stage_started", {}).get(level)
        p = promos.get(level)
        lines += [f"## {level}", ""]
        if p:
            how = "passed" if p["passed"] else "budget spent, promoted anyway"
            wall = p.get("wall", 0.0) - wall_before
            wall_before = p.get("wall", 0.0)
            lines.append(f"Stage: {how} after {p['stage_tokens']:,} tokens of its own and "
                         f"{wall / 60:.1f} min (started at {started or 0:,} tokens, promoted at "
                         f"{p['tokens']:,}).")  # fmt: skip
        elif started is not None:
            spent = state.get("tokens", 0) - started
            wall = state.get("wall", 0.0) - wall_before
            lines.append(f"Stage: not promoted; {spent:,} tokens and {wall / 60:.1f} min spent.")
        else:
            lines.append("Stage: not reached (exams only).")
        events = ", ".join(e.replace("@", " at ") + " tokens" for e in st.get("events", []))
        lines += [f"Events: {events or 'none'}.", "",
                  "| task | n | scores over time (tokens: score) | last | 95% interval | first ≥ bar (wall) |",
                  "|---|---|---|---|---|---|"]  # fmt: skip
        tasks = list(dict.fromkeys(r["task"] for r in exams if r["level"] == level))
        for task in tasks:
            pts = [r for r in exams if r["level"] == level and r["task"] == task]
            shown = pts if len(pts) <= 8 else [pts[0], *pts[-7:]]  # the start and the latest
            hist = ", ".join(f"{r['tokens']:,}: {r['score']:.0%}" for r in shown)
            first = next((f"{r['tokens']:,} ({r.get('wall', 0.0) / 60:.1f} min)" for r in pts
                          if r["score"] >= bar), "never")  # fmt: skip
            last = pts[-1]
            lines.append(f"| {task} | {last['n']} | {hist} | {last['score']:.1%} | "
                         f"[{last['low']:.2f}, {last['high']:.2f}] | {first} |")  # fmt: skip
        lines.append("")
    return "\n".join(lines)


def write_report(out: Path, state: dict) -> Path:
    """Plots and report.md in `out`, from its metrics.jsonl and config.json (atomic)."""
    rows = read_metrics(out / "metrics.jsonl")
    config = json.loads((out / "config.json").read_text())
    plot(rows, out, config.get("bar", 0.9))
    path = out / "report.md"
    tmp = path.with_name(".report.md.tmp")
    tmp.write_text(report_markdown(rows, state, config))
    os.replace(tmp, path)
    return path
