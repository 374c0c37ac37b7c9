"""`grpo` under torchrun with 2 CPU processes (DDP, gloo) samples the same completions and
trains the same weights as one process with the same global batch and seed."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import torch

from rl.policy import load_policy

RUN = ["--level", "preschool", "--tasks", "one_digit_sums", "--group-size", "4", "--prompts-per-step", "4",
       "--max-new-tokens", "16", "--exam-size", "3", "--threads", "1", "--lr", "1e-3", "--steps", "2",
       "--exam-every", "0", "--beta", "0.05", "--micro-batch", "3"]  # fmt: skip


def _train_rows(out):
    return [r for r in map(json.loads, (out / "metrics.jsonl").read_text().splitlines()) if r["event"] == "train"]


@pytest.mark.slow
def test_two_ranks_equal_one_process(tmp_path, ours_dir):
    one, two = tmp_path / "one", tmp_path / "two"
    subprocess.run([sys.executable, "-m", "cli.grpo", "--init", str(ours_dir), "-o", str(one), *RUN],
                   check=True, capture_output=True, timeout=600)  # fmt: skip
    res = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
                          "-m", "cli.grpo", "--init", str(ours_dir), "-o", str(two), *RUN],
                         capture_output=True, text=True, timeout=600)  # fmt: skip
    assert res.returncode == 0, res.stderr[-3000:]
    a, b = load_policy(one / "final").model.state_dict(), load_policy(two / "final").model.state_dict()
    start = load_policy(ours_dir).model.state_dict()
    moved = max(float((a[k] - start[k]).abs().max()) for k in a)
    diff = max(float((a[k] - b[k]).abs().max()) for k in a)
    # The weights moved, and the two runs agree to float rounding (Adam magnifies it where a
    # gradient is near zero), far below the move.
    assert moved > 1e-3 and diff < 1e-5, (moved, diff)
    ra, rb = _train_rows(one), _train_rows(two)
    assert len(ra) == len(rb) == 2
    for x, y in zip(ra, rb, strict=True):
        # Rewards are gathered over ranks: the logged batch statistics are the whole batch's.
        for k in ("reward", "reward_std", "rewards/format/mean", "completions/mean_length",
                  "completions/max_length", "kl", "entropy", "clip_ratio/region_mean"):  # fmt: skip
            assert x[k] == pytest.approx(y[k], rel=1e-4, abs=1e-6), k
    assert torch.tensor([r["completions/mean_length"] for r in ra]).min() > 1
    exams = lambda d: [(r["task"], r["n"], r["score"]) for r in map(json.loads, (d / "metrics.jsonl").read_text().splitlines())  # noqa: E731
                       if r["event"] == "exam"]  # fmt: skip
    assert exams(one) == exams(two)
