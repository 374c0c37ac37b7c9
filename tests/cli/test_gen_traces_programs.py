"""`gen-traces --programs`: users' own programs end to end, and the command's edges
(required flags, -n range, -o that is a file, -q, exit 2 when nothing is written)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cli.gen_traces import main
from reasoning.dataset import read_records
from reasoning.schema import record_id

ROOT = Path(__file__).resolve().parents[2]
CMD = [sys.executable, "-m", "cli.gen_traces"]
DOUBLE = "def f(x):\n    return x * 2\n"


def _cli(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*CMD, *args], cwd=cwd, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})  # fmt: skip


def _tree(path: Path) -> dict[str, bytes]:
    return {p.relative_to(path).as_posix(): p.read_bytes() for p in sorted(path.rglob("*"))
            if p.is_file()}  # fmt: skip


def _jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def _programs(tmp_path: Path, count: int) -> Path:
    rows = [{"code": f"def f(x):\n    y = x + {k}\n    return y * 2", "input": str(k), "id": f"p{k}"}
            for k in range(count)]  # fmt: skip
    return _jsonl(tmp_path / "progs.jsonl", rows)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("# input: 1, (\n" + DOUBLE, "input '1, (' is not a valid argument list"),
        ("# input: 1), g(2\n" + DOUBLE, "is not a valid argument list"),
        ("# func: nosuch\n# input: 1\n" + DOUBLE, "no function 'nosuch' defined at the top level"),
        ("# input: 1, 2\n" + DOUBLE, "input '1, 2' does not fit f(x): too many positional"),
        ("# input:\n" + DOUBLE, "missing a required argument: 'x'"),
        ("", "holds no code to trace"),
        ("# just a comment\n", "holds no code to trace"),
    ],
)
def test_a_bad_program_file_is_one_line_naming_it_and_exit_2(tmp_path, source, message):
    (tmp_path / "prog.py").write_text(source)
    result = _cli(tmp_path, "--domain", "code", "--programs", "prog.py", "-o", "out")
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert lines[0].startswith("gen-traces: prog.py: ") and message in lines[0], lines[0]
    assert not (tmp_path / "out").exists()  # nothing written before the inputs are checked


def test_wrong_output_drops_the_program_by_name_and_no_record_is_exit_2(tmp_path):
    _jsonl(tmp_path / "p.jsonl", [{"code": DOUBLE, "input": "3", "output": "7", "id": "wrong"}])
    result = _cli(tmp_path, "--domain", "code", "--programs", "p.jsonl", "-o", "out", "-q")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("gen-traces: no record written"), result.stderr
    assert "wrong: output_mismatch (expected 7, CPython returns 6)" in lines[0]


def test_each_dropped_program_is_named_with_its_reason(tmp_path, capsys):
    _jsonl(tmp_path / "p.jsonl", [
        {"code": DOUBLE, "input": "3", "output": "6", "id": "right"},
        {"code": DOUBLE, "input": "3", "output": "[6]", "id": "wrong"},
    ])  # fmt: skip
    args = ["--domain", "code", "--programs", str(tmp_path / "p.jsonl"), "-o", str(tmp_path / "o"),
            "--tasks", "output_prediction"]  # fmt: skip
    assert main(args) == 0
    err = capsys.readouterr().err
    assert "dropped wrong: output_mismatch (expected [6], CPython returns 6) in output_prediction" in err
    assert "wrote 1 records (1 dropped)" in err
    manifest = json.loads((tmp_path / "o" / "manifest.json").read_text())
    assert manifest["dropped_programs"] == [
        ["wrong", "output_prediction", "output_mismatch", "expected [6], CPython returns 6", 1]]


def test_a_step_budget_drop_is_named_as_such_never_as_a_timeout(tmp_path, capsys):
    hang = "def f(n):\n    while n > 0:\n        n = n + 1\n    return n"
    _jsonl(tmp_path / "p.jsonl", [{"code": hang, "input": "1", "id": "hangs"}])
    args = ["--domain", "code", "--programs", str(tmp_path / "p.jsonl"), "-o", str(tmp_path / "o"),
            "--tasks", "bug_finding", "--max-steps", "50"]  # bug finding needs the whole run
    assert main(args) == 2  # nothing written
    err = capsys.readouterr().err
    assert "dropped hangs: program_step_budget (still running after 50 steps" in err
    assert "program_timeout" not in err and "no record written" in err.splitlines()[-1]


def test_every_program_gets_output_prediction_then_the_other_tasks(tmp_path, capsys):
    path = _programs(tmp_path, 40)
    out = tmp_path / "out"
    assert main(["--domain", "code", "--programs", str(path), "-o", str(out)]) == 0  # no --level
    # Item order (the files hold the textbook, then the exam).
    records = sorted(read_records(out), key=lambda r: r.provenance.index)
    prediction = [r for r in records if r.task == "output_prediction"]
    assert sorted(r.provenance.program for r in prediction) == sorted(f"p{k}" for k in range(40))
    assert records[:40] == prediction  # output prediction first, in program order
    assert {r.task for r in records} == {"output_prediction", "state_after_steps", "bug_finding"}
    assert {r.level for r in records} == {"university"}  # --level only labels: its default
    assert json.loads((out / "config.json").read_text())["n"] == 120  # one item per program and task
    assert "wrote" in capsys.readouterr().err


def test_records_name_their_program_and_ids_differ_between_program_files(tmp_path):
    a = _jsonl(tmp_path / "a.jsonl", [{"code": DOUBLE, "input": "3", "id": "same"}])
    b = _jsonl(tmp_path / "b.jsonl", [{"code": DOUBLE.replace("2", "3"), "input": "3", "id": "same"}])
    common = ["--domain", "code", "--tasks", "output_prediction", "-q"]
    assert main([*common, "--programs", str(a), "-o", str(tmp_path / "oa")]) == 0
    assert main([*common, "--programs", str(b), "-o", str(tmp_path / "ob")]) == 0
    (ra,), (rb,) = list(read_records(tmp_path / "oa")), list(read_records(tmp_path / "ob"))
    assert ra.provenance.index == rb.provenance.index == 0
    assert ra.provenance.program == rb.provenance.program == "same"
    assert ra.provenance.program_sha256 != rb.provenance.program_sha256
    assert ra.id != rb.id and ra.id == record_id(ra.provenance)


def test_an_edited_program_file_is_a_different_run_not_a_resume(tmp_path):
    prog = tmp_path / "prog.py"
    prog.write_text("# input: 4\n" + DOUBLE)
    args = ["--domain", "code", "--programs", "prog.py", "-o", "out", "--tasks", "output_prediction"]
    assert _cli(tmp_path, *args).returncode == 0
    prog.write_text("# input: 4\n" + DOUBLE.replace("x * 2", "x * 3"))
    result = _cli(tmp_path, *args)
    assert result.returncode == 2
    assert "holds a different run (differs in: programs)" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    (record,) = read_records(tmp_path / "out")
    assert record.answer == "8"  # the old run's answer, left as it was


def test_programs_give_the_same_bytes_for_any_worker_count(tmp_path):
    path = _programs(tmp_path, 6)
    common = ["--domain", "code", "--programs", str(path), "--shard-size", "5", "-q"]
    assert main([*common, "-o", str(tmp_path / "w1")]) == 0
    assert main([*common, "-o", str(tmp_path / "w2"), "--workers", "2"]) == 0
    assert _tree(tmp_path / "w1") == _tree(tmp_path / "w2")


def test_a_bom_py_file_is_read_as_python_reads_it(tmp_path):
    (tmp_path / "bom.py").write_bytes(b"\xef\xbb\xbf# input: 21\n" + DOUBLE.encode())
    out = tmp_path / "out"
    assert main(["--domain", "code", "--programs", str(tmp_path / "bom.py"), "-o", str(out), "-q",
                 "--tasks", "output_prediction"]) == 0  # fmt: skip
    (record,) = read_records(out)
    assert record.answer == "42" and record.provenance.program == "bom.py"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--domain", "math", "--level", "primary", "-o", "x", "-n", "99999999999999999999"],
         "-n must be at least 1 and at most 1,000,000,000, got 99999999999999999999"),
        (["--domain", "math", "--level", "primary", "-o", "x", "-n", "1000000000"],
         "raise --shard-size to at least 10001"),
        (["--domain", "math", "-o", "x"], "--level is required, except with --programs"),
        (["--domain", "math", "--level", "primary", "-o", "afile"], "afile is a file; -o takes"),
        (["--domain", "math", "--level", "primary", "-o", "afile/x"], "afile is a file, so"),
        (["--domain", "all", "--programs", "p.py", "-o", "x"], "--programs applies to --domain code"),
        (["--domain", "code", "--programs", "p.py", "-o", "x", "--bug-rate", "0.5"],
         "--bug-rate does not apply with --programs"),
    ],
)
def test_bad_flags_are_one_line_and_exit_2_before_anything_is_written(tmp_path, args, message):
    (tmp_path / "afile").write_text("not a directory")
    (tmp_path / "p.py").write_text("# input: 1\n" + DOUBLE)
    result = _cli(tmp_path, *args)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr and "Errno" not in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert not (tmp_path / "x").exists() and (tmp_path / "afile").read_text() == "not a directory"


def test_quiet_prints_nothing_on_success(tmp_path):
    result = _cli(tmp_path, "--domain", "math", "--level", "primary", "-n", "5", "-o", "out", "-q",
                  "--tasks", "column_arithmetic")  # fmt: skip
    assert result.returncode == 0 and result.stderr == "" and result.stdout == ""


def test_help_shows_required_flags_and_explains_event_and_drop_names(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "gen-traces --domain DOMAIN --level LEVEL -o OUT" in out
    assert "gen-traces --domain code --programs FILE_OR_DIR -o OUT" in out
    for name in ("mutant_timeout", "program_step_budget", "output_mismatch", "clock_timeout",
                 "mutant_unobservable", "no_observable_mutant"):  # fmt: skip
        assert f"  {name} " in out, name
