"""train-curriculum end to end on the tiny preset: the run directory, --eval-only, and bad
input (one line, exit 2)."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys

import pytest
import torch

TINY = ["--preset", "tiny", "--tasks", "one_digit_sums,compare_numbers", "--tokens-per-level",
        "3000", "--exam-size", "3", "--batch-size", "4", "--seq-len", "256", "--threads", "1",
        "--exam-max-tokens", "48", "--checkpoint-every", "5", "--log-every", "2"]  # fmt: skip


def cli(*args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cli.train_curriculum", *args], capture_output=True,
                          text=True, timeout=timeout)  # fmt: skip


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "r"
    res = cli("--level", "preschool", "-o", str(out), *TINY)
    assert res.returncode == 0, res.stderr
    assert "budget" in res.stderr or "budget" in res.stdout  # bar 0.9 not reached in 3000 tokens
    return out


def test_run_directory_holds_everything(run_dir):
    for name in ("final", "last", "metrics.jsonl", "loss.png", "exams.png", "report.md", "config.json"):
        assert (run_dir / name).exists(), name
    rows = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    train = [r for r in rows if r["event"] == "train"]
    exams = [r for r in rows if r["event"] == "exam"]
    assert train and [r["tokens"] for r in train] == sorted(r["tokens"] for r in train)
    assert json.loads((run_dir / "final" / "state.json").read_text())["tokens"] >= 3000  # the budget
    assert {r["task"] for r in exams} == {"one_digit_sums", "compare_numbers"}
    # A fresh model sits its first exam after the first stretch of tokens, not at token 0.
    assert min(r["tokens"] for r in exams) > 0 and max(r["tokens"] for r in exams) >= 3000
    report = (run_dir / "report.md").read_text()
    assert "## preschool" in report and "one_digit_sums" in report and "outcome: **budget**" in report
    assert "Stage: not promoted; " in report and "never |" in report  # no task reached the bar
    assert (run_dir / "loss.png").read_bytes()[:4] == b"\x89PNG"


def test_eval_only_prints_the_table(run_dir):
    res = cli("--level", "preschool", "--eval-only", str(run_dir / "final"), "--exam-size", "2",
              "--tasks", "one_digit_sums", "--exam-max-tokens", "16", "--threads", "1")  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert "one_digit_sums" in res.stdout and "95% interval" in res.stdout


def test_resume_with_other_flags_is_refused(run_dir):
    # The log cadence is not part of the run: resuming the finished run with another is fine
    # (and it stays finished: the same steps).
    steps = json.loads((run_dir / "final" / "state.json").read_text())["step"]
    res = cli("--level", "preschool", "-o", str(run_dir), "--resume", *TINY[:-2], "--log-every", "3")
    assert res.returncode == 0, res.stderr
    assert json.loads((run_dir / "final" / "state.json").read_text())["step"] == steps
    res = cli("--level", "preschool", "-o", str(run_dir), "--resume", *[a if a != "tiny" else "small" for a in TINY])
    assert res.returncode == 2 and "--preset differs" in res.stderr


def _older_run(run_dir, tmp_path, key):
    """A copy of the run whose config.json lacks `key`, as a run made before it existed."""
    import shutil

    old = tmp_path / "old"
    shutil.copytree(run_dir, old)
    config = json.loads((old / "config.json").read_text())
    del config[key]
    (old / "config.json").write_text(json.dumps(config))
    return old


@pytest.mark.parametrize(("key", "flag", "then", "value"), [
    ("lr_decay", "--lr-decay", "(0.0)", "0"),  # it ran at a constant lr
    ("replay", "--replay", "('forgotten')", "forgotten"),  # only a level passed once came back
])
def test_a_run_from_before_a_flag_resumes_only_as_it_ran(run_dir, tmp_path, key, flag, then, value):
    old = _older_run(run_dir, tmp_path, key)
    res = cli("--level", "preschool", "-o", str(old), "--resume", *TINY)
    assert res.returncode == 2 and f"{flag} differs" in res.stderr and then in res.stderr
    res = cli("--level", "preschool", "-o", str(old), "--resume", *TINY, flag, value)
    assert res.returncode == 0, res.stderr


@pytest.mark.parametrize(("key", "flag", "other", "then"), [
    ("task_mix", "--task-mix", "deficit", "('fixed')"),  # it ran the fixed mix
    ("task_share", "--task-share", "tokens", "('records')"),  # its weights shared records
])
def test_a_run_from_before_a_flag_with_todays_default_resumes_as_is(run_dir, tmp_path, key, flag, other, then):
    old = _older_run(run_dir, tmp_path, key)
    res = cli("--level", "preschool", "-o", str(old), "--resume", *TINY, flag, other)
    assert res.returncode == 2 and f"{flag} differs" in res.stderr and then in res.stderr
    res = cli("--level", "preschool", "-o", str(old), "--resume", *TINY)
    assert res.returncode == 0, res.stderr


def test_a_run_shared_by_tokens(tmp_path):
    out = tmp_path / "t"
    res = cli("--level", "preschool", "-o", str(out), *TINY, "--task-share", "tokens")
    assert res.returncode == 0, res.stderr
    assert json.loads((out / "config.json").read_text())["task_share"] == "tokens"
    assert (out / "final" / "state.json").exists()


def test_deficit_task_mix_keeps_the_last_scores(tmp_path):
    out = tmp_path / "d"
    res = cli("--level", "preschool", "-o", str(out), *TINY, "--task-mix", "deficit")
    assert res.returncode == 0, res.stderr
    state = json.loads((out / "final" / "state.json").read_text())
    rows = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    last = {r["task"]: r["score"] for r in rows if r["event"] == "exam"}
    assert state["scores"] == {"preschool": last}  # what the next segment's mix is weighed by
    assert json.loads((out / "config.json").read_text())["task_mix"] == "deficit"


def test_a_run_of_the_first_textbook_sampler_is_not_resumed(run_dir, tmp_path):
    assert json.loads((run_dir / "config.json").read_text())["textbook"] == 2
    old = _older_run(run_dir, tmp_path, "textbook")
    res = cli("--level", "preschool", "-o", str(old), "--resume", *TINY)
    assert res.returncode == 2 and "version 1 of the sampler" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


def test_init_from_a_checkpoint_of_another_preset(run_dir, tmp_path):
    res = cli("--level", "preschool", "-o", str(tmp_path / "x"), "--init", str(run_dir / "final"),
              "--preset", "small", "--threads", "1")  # fmt: skip
    assert res.returncode == 2 and "not the small preset" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(("args", "message"), [
    (["--level", "kindergarten", "-o", "X"], "unknown level 'kindergarten'"),
    (["--level", "preschool", "-o", "X", "--data", "/no/such/dir"], "no such data directory"),
    (["--level", "preschool", "-o", "X", "--resume"], "no checkpoint to resume"),
    (["--level", "preschool", "--eval-only", "/no/such/ckpt"], "no such checkpoint directory"),
    (["--level", "preschool", "-o", "X", "--bar", "1.5"], "--bar must lie in [0, 1]"),
    (["--level", "preschool", "-o", "X", "--tasks", "no_such_task"], "none of the tasks no_such_task"),
    (["--level", "preschool", "-o", "X", "--preset", "huge"], "unknown model preset 'huge'"),
    (["--level", "preschool", "-o", "X", "--batch-size", "two"], "invalid int value"),
    (["--level", "preschool", "-o", "X", "--form", "pretty"], "unknown --form 'pretty'"),
    (["--level", "preschool", "-o", "X", "--from-level", "primary"], "--from-level primary comes after"),
    (["--level", "primary", "-o", "X", "--exam-batch", "0"], "--exam-batch must be at least 1"),
    (["--level", "primary", "-o", "X", "--lr-decay", "2"], "--lr-decay must lie in [0, 1]"),
    (["--level", "primary", "-o", "X", "--replay", "always"], "argument --replay: invalid choice"),
    (["--level", "primary", "-o", "X", "--task-mix", "most"], "argument --task-mix: invalid choice"),
    (["--level", "primary", "-o", "X", "--task-share", "words"], "unknown --task-share 'words'"),
    (["--level", "primary", "-o", "X", "--task-share", "records,words"], "unknown --task-share 'words'"),
    (["--level", "primary", "-o", "X", "--task-share", "records,tokens,tokens"],
     "--task-share names 3 shares for 2 level(s) (preschool to primary)"),
    (["--level", "primary", "-o", "X", "--data", "/no/such/dir", "--task-share", "tokens"],
     "--task-share tokens weighs generated tasks"),
    (["--level", "primary", "-o", "X", "--precision", "half"], "argument --precision: invalid choice"),
    (["--level", "primary", "-o", "X", "--prefetch", "gpu"], "argument --prefetch: invalid choice"),
    (["--level", "primary", "-o", "X", "--tokens-per-level", "9000,x"], "expected a whole number or numbers"),
    (["--level", "primary", "-o", "X", "--tokens-per-level", "1,2,3"], "names 3 budgets for 2 stage(s)"),
    (["--level", "primary", "-o", "X", "--tokens-per-level", "10,0"], "--tokens-per-level must be at least 1"),
])  # fmt: skip
def test_bad_input_is_one_line_and_exit_2(tmp_path, args, message):
    args = [str(tmp_path / a) if a == "X" else a for a in args]
    res = cli(*args, timeout=120)
    assert res.returncode == 2, res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], lines
    assert "Traceback" not in res.stderr


def test_a_bf16_run_trains_and_keeps_fp32_weights(tmp_path):
    from safetensors.torch import load_file

    out = tmp_path / "bf"
    res = cli("--level", "preschool", "-o", str(out), *TINY, "--precision", "bf16")
    assert res.returncode == 0, res.stderr
    assert "training in bf16 on cpu (--precision bf16)" in res.stdout + res.stderr
    weights = load_file(str(out / "final" / "model.safetensors"))
    assert weights and all(w.dtype == torch.float32 and torch.isfinite(w).all() for w in weights.values())
    losses = [r["loss"] for r in map(json.loads, (out / "metrics.jsonl").read_text().splitlines())
              if r["event"] == "train"]  # fmt: skip
    assert len(losses) >= 3 and losses[-1] < losses[0]


def test_a_compiled_step_trains_the_eager_steps_weights(tmp_path):
    from safetensors.torch import load_file

    weights = {}
    for name, extra in (("compiled", ["--compile"]), ("eager", [])):
        out = tmp_path / name
        res = cli("--level", "preschool", "-o", str(out), *TINY, "--precision", "fp32", *extra)
        assert res.returncode == 0, res.stderr
        weights[name] = load_file(str(out / "final" / "model.safetensors"))
    assert json.loads((tmp_path / "compiled" / "config.json").read_text())["compile"] is True
    # The same arithmetic fused: equal to rounding, not bit for bit.
    for k, w in weights["eager"].items():
        assert torch.allclose(weights["compiled"][k], w, atol=1e-4, rtol=1e-3), k
    # ... and the compiled steps did train (a step that moved nothing would also match if
    # the eager run had not trained either).
    losses = [r["loss"] for r in map(json.loads, (tmp_path / "compiled" / "metrics.jsonl").read_text().splitlines())
              if r["event"] == "train"]  # fmt: skip
    assert len(losses) >= 3 and losses[-1] < losses[0]


def test_a_compile_that_fails_is_one_line_and_exit_2(tmp_path):
    import os

    # No C++ compiler, and no cached kernels that would spare the run from needing one.
    env = {**os.environ, "CXX": str(tmp_path / "no-such-compiler"), "TORCHINDUCTOR_CACHE_DIR": str(tmp_path / "cache"),
           "TORCHINDUCTOR_FX_GRAPH_CACHE": "0"}  # fmt: skip
    res = subprocess.run([sys.executable, "-m", "cli.train_curriculum", "--level", "preschool",
                          "-o", str(tmp_path / "r"), *TINY, "--precision", "fp32", "--compile"],
                         capture_output=True, text=True, timeout=300, env=env)  # fmt: skip
    assert res.returncode == 2, res.stderr
    # The run's own "training in ..." line comes first; the error is one line, the last.
    lines = [line for line in res.stderr.strip().splitlines() if line and not line.startswith("training in ")]
    assert len(lines) == 1 and "--compile: torch.compile failed" in lines[0], lines
    assert "run without --compile" in lines[0] and "Traceback" not in res.stderr


def test_batches_made_in_a_child_process_or_a_pool_train_the_same_weights(tmp_path):
    from safetensors.torch import load_file

    weights = {}
    for maker in ("process", "pool", "inline"):
        out = tmp_path / maker
        res = cli("--level", "preschool", "-o", str(out), *TINY, "--precision", "fp32", "--prefetch", maker)
        assert res.returncode == 0, res.stderr
        weights[maker] = load_file(str(out / "final" / "model.safetensors"))
    for maker in ("process", "pool"):
        assert weights[maker].keys() == weights["inline"].keys()
        assert all(torch.equal(weights[maker][k], weights["inline"][k]) for k in weights["inline"]), maker


def test_data_directory_train_split_only(tmp_path):
    data = tmp_path / "data"
    gen = subprocess.run([sys.executable, "-m", "cli.gen_traces", "--domain", "math", "--level",
                          "preschool", "--tasks", "one_digit_sums", "-n", "20", "-q", "-o", str(data)],
                         capture_output=True, text=True, timeout=300)  # fmt: skip
    assert gen.returncode == 0, gen.stderr
    from model.curriculum.textbook import load_data_dir
    from reasoning.dataset import read_records

    every = list(read_records(data))
    train = load_data_dir(data, ["preschool"], None)
    assert train and all(r.split == "train" for r in train)
    assert len(train) < len(every) or all(r.split == "train" for r in every)
    assert len({r.prompt for r in train}) == len(train)
    out = tmp_path / "r"
    res = cli("--level", "preschool", "-o", str(out), "--data", str(data), *TINY[:2], "--tasks",
              "one_digit_sums", *TINY[4:])  # fmt: skip
    assert res.returncode == 0, res.stderr
    state = json.loads((out / "final" / "state.json").read_text())
    assert state["file_offset"] > len(train)  # read past the end: cycled, not restarted per segment


def test_max_minutes_ends_with_a_last_exam_and_the_report(tmp_path):
    out = tmp_path / "t"
    args = [a if a != "3000" else "100000000" for a in TINY]  # a budget it cannot spend
    # Exams every few steps, so that the budget runs out during a sitting. Batches made
    # between steps: a child process's fork server takes seconds of these 3 to start.
    res = cli("--level", "preschool", "-o", str(out), *args, "--max-minutes", "0.05", "--exam-every", "300",
              "--prefetch", "inline")  # fmt: skip
    assert res.returncode == 0, res.stderr
    state = json.loads((out / "final" / "state.json").read_text())
    assert state["done"] == "time" and state["step"] > 0 and 3.0 <= state["wall"] < 120
    rows = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert rows[-1]["event"] == "exam" and rows[-1]["step"] == state["step"]  # examined at the end
    sittings = [(r["step"], r["task"]) for r in rows if r["event"] == "exam"]
    assert len(sittings) > 4 and len(sittings) == len(set(sittings))  # never twice without training
    # A scheduled sitting starts only with two sittings' time left (the last one's length);
    # nearer the time-out it is left to the time-out's own sitting.
    starts = sorted({(r["sat_from"], r["sat_s"]) for r in rows if r["event"] == "exam"})
    assert all(3.0 - start >= 2 * before for (_, before), (start, _) in itertools.pairwise(starts[:-1]))
    assert "outcome: **time**" in (out / "report.md").read_text()


def test_a_budget_per_stage(tmp_path):
    """`--tokens-per-level A,B`: preschool is promoted after A tokens, primary runs to B;
    a stage whose budget ends between two exams sits one at its end (not at the next)."""
    out = tmp_path / "b"
    args = [a if a != "3000" else "2500,4000" for a in TINY] + ["--exam-every", "2000"]
    args[args.index("--tasks") + 1] = "one_digit_sums,column_arithmetic"
    res = cli("--level", "primary", "-o", str(out), *args, "--promote-anyway")
    assert res.returncode == 0, res.stderr
    rows = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    promoted = [r for r in rows if r["event"] == "promoted"]
    assert [r["level"] for r in promoted] == ["preschool", "primary"]
    # Its own budget, within one batch (4 records of at most 257 tokens); the sitting after
    # it would have been at 4000.
    assert 2500 <= promoted[0]["stage_tokens"] < 2500 + 4 * 257
    assert promoted[1]["stage_tokens"] >= 4000
    sittings = sorted({r["tokens"] for r in rows if r["event"] == "exam" and r["stage"] == "preschool"})
    assert len(sittings) == 2 and 2000 <= sittings[0] < 2500 <= sittings[1]
    assert json.loads((out / "config.json").read_text())["tokens_per_level"] == [2500, 4000]
    res = cli("--level", "primary", "-o", str(out), "--resume", *args, "--promote-anyway")
    assert res.returncode == 0, res.stderr  # the same budgets resume
    other = [a if a != "2500,4000" else "2500,5000" for a in args]
    res = cli("--level", "primary", "-o", str(out), "--resume", *other, "--promote-anyway")
    assert res.returncode == 2 and "--tokens-per-level differs" in res.stderr
