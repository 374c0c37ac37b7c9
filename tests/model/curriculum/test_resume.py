"""SIGKILL a real train-curriculum run, --resume it: the same data order, the same final
weights and metrics as a run that was never interrupted; no half-written checkpoint."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import pytest
from safetensors.torch import load_file

RUN = ["--level", "primary", "--preset", "tiny", "--tasks", "one_digit_sums,column_arithmetic",
       "--tokens-per-level", "8000", "--exam-size", "2", "--batch-size", "4", "--seq-len", "192",
       "--threads", "1", "--exam-max-tokens", "24", "--checkpoint-every", "3", "--log-every", "1",
       "--promote-anyway", "--exam-every", "4000"]  # fmt: skip


def cmd(out, *extra):
    return [sys.executable, "-m", "cli.train_curriculum", "-o", str(out), *RUN, *extra]


def rows(out):
    keep = ("event", "step", "tokens", "loss", "level", "task", "score")
    return [{k: r[k] for k in keep if k in r}
            for r in map(json.loads, (out / "metrics.jsonl").read_text().splitlines())]


def last_state(out) -> dict:
    try:
        return json.loads((out / "last" / "state.json").read_text())
    except (OSError, ValueError):  # between the two renames of a checkpoint swap
        return {"step": -1, "offset": 0}


@pytest.mark.slow
def test_resume_after_sigkill_equals_an_uninterrupted_run(tmp_path):
    whole, broken = tmp_path / "whole", tmp_path / "broken"
    subprocess.run(cmd(whole), check=True, capture_output=True, timeout=600)
    proc = subprocess.Popen(cmd(broken), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    # Kill mid-stage, right after a periodic checkpoint (one inside a chunk of the textbook,
    # so resuming has to find its place in the data), while the next steps run.
    while (last_state(broken)["step"] < 6 or last_state(broken)["offset"] == 0) \
            and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    assert proc.wait() == -signal.SIGKILL  # killed mid-run, not finished
    assert not (broken / "final").exists()
    killed = last_state(broken)
    assert killed["offset"] > 0
    assert 6 <= killed["step"] < json.loads((whole / "final" / "state.json").read_text())["step"]
    # Every checkpoint directory left behind is whole (it loads).
    from model.checkpoint import load_checkpoint

    for d in broken.iterdir():
        if d.is_dir() and not d.name.startswith("."):
            load_checkpoint(d, with_optimizer=True)
    subprocess.run(cmd(broken, "--resume"), check=True, capture_output=True, timeout=600)
    a = load_file(str(whole / "final" / "model.safetensors"))
    b = load_file(str(broken / "final" / "model.safetensors"))
    assert a.keys() == b.keys()
    for k in a:
        assert (a[k] == b[k]).all(), k
    assert rows(whole) == rows(broken)
    assert any(r["event"] == "exam" and r["level"] == "primary" for r in rows(broken))
