"""report.md from metrics rows: scores over time and when each task first reached the bar."""

from __future__ import annotations

from model.curriculum.report import report_markdown


def _exam(tokens, wall, task, score):
    return {"event": "exam", "tokens": tokens, "wall": wall, "level": "preschool", "task": task,
            "n": 100, "score": score, "low": score - 0.05, "high": min(1.0, score + 0.05)}  # fmt: skip


def test_report_says_when_each_task_first_reached_the_bar_in_tokens_and_minutes():
    rows = [_exam(1000, 60.0, "one_digit_sums", 0.5), _exam(1000, 60.0, "counting", 0.1),
            _exam(2000, 150.0, "one_digit_sums", 0.93), _exam(2000, 150.0, "counting", 0.2),
            _exam(3000, 240.0, "one_digit_sums", 0.85), _exam(3000, 240.0, "counting", 0.4)]  # fmt: skip
    state = {"done": "time", "tokens": 3000, "step": 30, "wall": 250.0, "stage_started": {"preschool": 0}}
    text = report_markdown(rows, state, {"level": "preschool", "preset": "tiny", "seed": 0, "bar": 0.9})
    lines = {line.split(" | ")[0].strip("| "): line for line in text.splitlines() if line.startswith("| ")}
    assert "2,000 (2.5 min)" in lines["one_digit_sums"]  # first at the bar, not the last exam
    assert "85.0%" in lines["one_digit_sums"]  # the last score, fallen below the bar
    assert lines["counting"].endswith("| never |")
    assert "outcome: **time** after 3,000 tokens" in text
