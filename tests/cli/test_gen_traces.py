"""`gen-traces` end to end: output, worker-count independence, interruption, bad input."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cli.gen_traces import main
from reasoning.dataset import read_records

ROOT = Path(__file__).resolve().parents[2]
CMD = [sys.executable, "-m", "cli.gen_traces"]


def _tree(path: Path) -> dict[str, bytes]:
    return {p.relative_to(path).as_posix(): p.read_bytes() for p in sorted(path.rglob("*"))
            if p.is_file()}  # fmt: skip


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*CMD, *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_primary_math_thousand_records(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["--domain", "math", "--level", "primary", "-n", "1000", "-o", str(out),
                 "--tasks", "column_arithmetic", "--slip-rate", "0.2"]) == 0  # fmt: skip
    err = capsys.readouterr().err
    assert "wrote 1000 records (0 dropped) in 1 shard(s)" in err and "records/s" in err
    records = list(read_records(out))
    assert len(records) == 1000 and len({r.id for r in records}) == 1000
    assert 0.3 < sum(r.has_slip for r in records) / 1000 < 0.9
    assert (out / "config.json").exists() and (out / "manifest.json").exists()


def test_workers_one_and_two_write_identical_files(tmp_path):
    common = ["--domain", "math", "--level", "primary", "-n", "900", "--shard-size", "250",
              "--tasks", "column_arithmetic", "-q"]  # fmt: skip
    assert main([*common, "-o", str(tmp_path / "w1"), "--workers", "1"]) == 0
    assert main([*common, "-o", str(tmp_path / "w2"), "--workers", "2"]) == 0
    assert _tree(tmp_path / "w1") == _tree(tmp_path / "w2")


@pytest.mark.slow
def test_killed_run_leaves_whole_shards_and_rerun_gives_identical_output(tmp_path):
    args = ["--domain", "math", "--level", "primary", "-n", "40000", "--shard-size", "500",
            "--tasks", "column_arithmetic", "-q"]  # fmt: skip
    assert _run(*args, "-o", str(tmp_path / "clean")).returncode == 0
    out = tmp_path / "killed"
    proc = subprocess.Popen([*CMD, *args, "-o", str(out)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(out.glob("train-*"))) < 3:
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    shards = sorted(out.glob("t*-*.jsonl"))
    assert 3 <= len([s for s in shards if s.name.startswith("train-")]) < 80, \
        "the run should have been killed part-way"
    assert not (out / "manifest.json").exists()
    for shard in shards:  # every shard in place is whole: the same bytes as the clean run's
        assert shard.read_bytes() == (tmp_path / "clean" / shard.name).read_bytes()
        assert 0 < len(list(read_records(shard))) <= 500
    result = _run(*[a for a in args if a != "-q"], "-o", str(out))  # -q hides the summary
    assert result.returncode == 0, result.stderr
    assert "resumed" in result.stderr
    assert _tree(out) == _tree(tmp_path / "clean")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--domain", "poetry", "--level", "primary", "-o", "x"], "invalid choice: 'poetry'"),
        (["--domain", "math", "--level", "phd", "-o", "x"], "invalid choice: 'phd'"),
        (["--domain", "math", "--level", "primary", "-o", "x", "--frobnicate"], "unrecognized"),
        (["--domain", "math", "--level", "primary"], "-o is required"),
        (["--domain", "math", "--level", "primary", "-o", "x", "-n", "0"], "-n must be at least"),
        (["--domain", "math", "--level", "primary", "-o", "x", "--slip-rate", "2"], "slip_rate"),
        (["--domain", "math", "--level", "primary", "-o", "x", "--sandbox", "docker"],
         "--sandbox applies to --domain code"),
        (["--domain", "math", "--level", "primary", "-o", "x", "--tasks", "nope"],
         "unknown task(s) nope"),
        (["--domain", "math", "--level", "primary", "-o", "x", "--workers", "0"], "--workers"),
        (["--domain", "math", "--level", "primary", "-o", "x", "-n", "ten"], "invalid int"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path, args, message):
    result = subprocess.run([*CMD, *args], cwd=tmp_path, capture_output=True, text=True,
                            timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})  # fmt: skip
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "x").exists() or not any((tmp_path / "x").glob("*.jsonl"))


def test_output_directory_holding_another_run_is_refused(tmp_path, capsys):
    base = ["--domain", "math", "--level", "primary", "-n", "20", "-o", str(tmp_path), "-q",
            "--tasks", "column_arithmetic"]  # fmt: skip
    assert main(base) == 0
    assert main([*base, "--seed", "9"]) == 2
    assert "holds a different run (differs in: seed)" in capsys.readouterr().err


def test_list_prints_tasks_by_domain_and_level(capsys):
    assert main(["--list"]) == 0
    out = capsys.readouterr().out
    assert "math" in out and "column_arithmetic" in out
    assert "  primary" in out


@pytest.mark.docker
def test_missing_sandbox_image_is_one_line_and_exit_2(tmp_path, docker_engine):
    env = {**os.environ, "BLUEBERRY_SANDBOX_IMAGE": "blueberry-no-such-image:0", "PYTHONPATH": str(ROOT)}
    result = subprocess.run([*CMD, "--domain", "code", "--level", "primary", "-n", "3", "-o",
                             str(tmp_path / "x"), "--sandbox", "docker"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=120)  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert "blueberry-no-such-image:0 not found" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert not any((tmp_path / "x").glob("shard-*"))


def test_list_shows_each_task_problem_space_and_says_which_cannot_fill_a_stage(capsys):
    from generators.registry import DIVERSITY_FACTOR, STAGE_RECORDS, domain_tasks, problem_space

    assert main(["--list"]) == 0
    out = capsys.readouterr().out
    lines = {line.split()[0]: line for line in out.splitlines() if line.startswith("    ")}
    assert "one_digit_sums" in lines and " 100 !" in lines["one_digit_sums"]
    assert "100 questions by nature" in lines["one_digit_sums"]
    assert "not counted !" in lines["output_prediction"]
    for domain in ("math", "logic", "code"):
        for task in domain_tasks(domain).values():
            size, note = problem_space(task)
            short = size is None or size < STAGE_RECORDS * DIVERSITY_FACTOR
            assert (" !" in lines[task.name]) == short, task.name
            if short:  # a task that cannot give 10x a stage says so, in words
                assert note and note[:40] in lines[task.name], task.name
            else:
                assert f"{size:,}" in lines[task.name]


def test_unique_run_reports_duplicates_and_the_splits(tmp_path, capsys):
    out = tmp_path / "u"
    assert main(["--domain", "math", "--level", "preschool", "-n", "400", "-o", str(out),
                 "--tasks", "one_digit_sums", "--unique"]) == 0  # fmt: skip
    err = capsys.readouterr().err
    records = list(read_records(out))
    assert len({r.problem for r in records}) == len(records) <= 100
    assert f"{400 - len(records)} duplicates dropped" in err
    assert "duplicate one_digit_sums" in err
    train = sum(r.split == "train" for r in records)
    assert f"textbook {train}, exam {len(records) - train}" in err
