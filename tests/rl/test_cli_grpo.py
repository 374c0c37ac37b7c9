"""The `grpo` command: bad input ends in one line and exit 2 with nothing written; a short run
of a transformers policy leaves DIR/last, DIR/final (transformers format), metrics, the plot
and report.md; a killed run resumes to the same weights and log as one never interrupted."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time

import pytest
import torch

from cli.grpo import main
from rl.policy import load_policy

TINY = ["--level", "preschool", "--tasks", "one_digit_sums", "--group-size", "2", "--prompts-per-step", "2",
        "--max-new-tokens", "8", "--exam-size", "2", "--threads", "1", "--lr", "1e-3"]  # fmt: skip


def fails(capsys, argv, expected: str, out) -> None:
    try:
        code = main(argv)
    except SystemExit as e:  # argparse's errors exit from inside the parser
        code = e.code
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("grpo: ") and expected in err, err
    assert len(err.splitlines()) == 1, err
    assert not out.exists()  # nothing half-written


@pytest.mark.parametrize(("flags", "expected"), [
    (["--group-size", "1"], "--group-size must be at least 2"),
    (["--loss-type", "ppo"], "loss_type must be one of"),
    (["--scale-rewards", "sometimes"], "scale_rewards must be one of"),
    (["--reward", "correctness,niceness"], "unknown reward 'niceness'"),
    (["--reward-weights", "format=lots"], "not a number"),
    (["--temperature", "-1"], "--temperature must be >= 0"),
    (["--top-p", "0"], "--top-p must lie in (0, 1]"),
    (["--overlong-cache", "99"], "exceeds --max-new-tokens"),
    (["--level", "kindergarten"], "kindergarten"),
    (["--tasks", "no_such_task"], "none of the tasks no_such_task"),
    (["--steps", "x"], "invalid int value"),
    (["--precision", "half"], "argument --precision: invalid choice"),
])  # fmt: skip
def test_bad_flags_are_one_line(capsys, tmp_path, ours_dir, flags, expected):
    fails(capsys, ["--init", str(ours_dir), "-o", str(tmp_path / "run"), *TINY, *flags], expected, tmp_path / "run")


def test_bad_policies_are_one_line(capsys, tmp_path, hf_dir):
    out = tmp_path / "run"
    fails(capsys, ["-o", str(out), *TINY], "--init CHECKPOINT is required", out)
    fails(capsys, ["--init", str(tmp_path / "nowhere"), "-o", str(out), *TINY], "no such checkpoint", out)
    (tmp_path / "notes").mkdir()
    fails(capsys, ["--init", str(tmp_path / "notes"), "-o", str(out), *TINY], "neither a Blueberry", out)
    unfit = tmp_path / "unfit"
    shutil.copytree(hf_dir, unfit)
    cfg = json.loads((unfit / "config.json").read_text())
    (unfit / "config.json").write_text(json.dumps({**cfg, "vocab_size": 50}))
    fails(capsys, ["--init", str(unfit), "-o", str(out), *TINY], "not loadable by transformers", out)
    fails(capsys, ["--resume", "-o", str(out), *TINY], "no checkpoint to resume", out)


def test_a_transformers_policy_runs_end_to_end(capsys, tmp_path, hf_dir):
    out = tmp_path / "run"
    argv = ["--init", str(hf_dir), "-o", str(out), *TINY, "--steps", "2", "--exam-every", "1",
            "--checkpoint-every", "1", "--beta", "0.05", "--precision", "bf16"]  # fmt: skip
    assert main(argv) == 0
    assert "training in bf16 on cpu (--precision bf16)" in capsys.readouterr().err
    rows = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in rows if r["event"] == "exam"] == [0, 1, 2]
    train = [r for r in rows if r["event"] == "train"]
    assert [r["step"] for r in train] == [1, 2]
    assert {"reward", "rewards/correctness/mean", "rewards/format/std", "kl", "entropy",
            "completions/clipped_ratio"} <= set(train[0])  # fmt: skip
    assert (out / "grpo.png").stat().st_size > 1000
    report = (out / "report.md").read_text()
    assert "| preschool | one_digit_sums | 2 |" in report and "grpo --init" in report
    final, start = load_policy(out / "final"), load_policy(hf_dir)
    assert final.kind == "hf" and (out / "final" / "config.json").exists()
    moved = max(float((p - q).abs().max()) for p, q in zip(final.model.state_dict().values(),
                                                          start.model.state_dict().values(), strict=True))  # fmt: skip
    assert moved > 0
    # The run is there: a second start without --resume is refused, a resume with other run
    # flags too; a resume with more --steps continues the transformers policy from DIR/last.
    assert main(argv) == 2
    assert "already holds a run" in capsys.readouterr().err
    more = ["--resume", "-o", str(out), *TINY, "--steps", "3", "--exam-every", "1",
            "--checkpoint-every", "1", "--beta", "0.05"]  # fmt: skip
    assert main([*more, "--lr", "1e-2"]) == 2
    assert "--lr differs from the run" in capsys.readouterr().err
    assert main(more) == 0
    rows = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in rows if r["event"] == "train"] == [1, 2, 3]
    assert json.loads((out / "final" / "state.json").read_text())["step"] == 3
    again = load_policy(out / "final")
    assert any(not torch.equal(p, q) for p, q in zip(again.model.state_dict().values(),
                                                     final.model.state_dict().values(), strict=True))  # fmt: skip


RUN = [*TINY, "--steps", "8", "--checkpoint-every", "2", "--exam-every", "4", "--max-new-tokens", "24"]
KEEP = ("event", "step", "reward", "rewards/format/mean", "entropy", "loss", "task", "score",
        "completions/mean_length")  # fmt: skip


def _rows(out):
    return [{k: r[k] for k in KEEP if k in r} for r in map(json.loads, (out / "metrics.jsonl").read_text().splitlines())]


def _last_step(out) -> int:
    try:
        return json.loads((out / "last" / "state.json").read_text())["step"]
    except (OSError, ValueError, KeyError):  # between the two renames of a checkpoint swap
        return -1


@pytest.mark.slow
def test_resume_after_sigkill_equals_an_uninterrupted_run(tmp_path, ours_dir):
    whole, broken = tmp_path / "whole", tmp_path / "broken"
    cmd = lambda out, *extra: [sys.executable, "-m", "cli.grpo", "--init", str(ours_dir), "-o", str(out),  # noqa: E731
                               *RUN, *extra]  # fmt: skip
    subprocess.run(cmd(whole), check=True, capture_output=True, timeout=600)
    proc = subprocess.Popen(cmd(broken), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while _last_step(broken) < 4 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    assert proc.wait() == -signal.SIGKILL  # killed mid-run, not finished
    assert not (broken / "final").exists() and 4 <= _last_step(broken) < 8
    load_policy(broken / "last")  # what a kill leaves is whole
    subprocess.run(cmd(broken, "--resume"), check=True, capture_output=True, timeout=600)
    a, b = load_policy(whole / "final").model.state_dict(), load_policy(broken / "final").model.state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert _rows(whole) == _rows(broken)
    assert [r["step"] for r in _rows(broken) if r["event"] == "exam"] == [0, 4, 8]
