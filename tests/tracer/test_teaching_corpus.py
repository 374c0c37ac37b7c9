"""The teaching corpus end to end: `gen-traces --programs` on 75 programs written for
teaching gives, for every program, an output-prediction record whose answer is what
CPython run directly gives (`cpython_reference`, which shares no code with the tracer),
with identical bytes across two runs and across both sandbox backends."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cpython_reference import Outcome, run_cpython

CORPUS = Path(__file__).resolve().parent / "teaching_programs"
PROGRAMS = sorted(CORPUS.glob("*.py"))


def _expected_answer(outcome: Outcome) -> str:
    """The answer as the output-prediction format writes it: the returned value's repr or
    the exception's last line, then `printed: '<stdout>'` when the program printed (a
    module program's answer is what it printed)."""
    parts = [outcome.value] if outcome.kind in ("return", "raise") else []
    if outcome.stdout or outcome.kind == "module":
        parts.append("printed: " + repr(outcome.stdout))
    return "\n".join(parts)


def _generate(out: Path, *extra: str) -> dict[int, dict]:
    cmd = [sys.executable, "-m", "cli.gen_traces", "--domain", "code", "--programs", str(CORPUS),
           "--level", "middle", "--tasks", "output_prediction", "-o", str(out), "-q", *extra]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    records = {}
    for shard in sorted(out.glob("*.jsonl")):
        for line in shard.read_text().splitlines():
            record = json.loads(line)
            records[record["provenance"]["index"]] = record
    return records


def _shard_bytes(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.glob("*.jsonl"))}


@pytest.fixture(scope="module")
def reference() -> dict[int, Outcome]:
    return {i: run_cpython(path) for i, path in enumerate(PROGRAMS)}


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("teach") / "a"
    _generate(out)
    return out


def test_the_corpus_covers_what_a_course_teaches() -> None:
    assert len(PROGRAMS) >= 60
    names = " ".join(p.stem for p in PROGRAMS)
    for topic in ("rec_", "closure_", "class_", "gen_", "exc_", "set_", "dict_", "str_", "big_",
                  "loop_", "module_"):
        assert topic in names, topic


def test_every_program_gets_a_record_that_answers_as_cpython(
        first_run: Path, reference: dict[int, Outcome]) -> None:  # fmt: skip
    records = {}
    for shard in sorted(first_run.glob("*.jsonl")):
        for line in shard.read_text().splitlines():
            record = json.loads(line)
            records[record["provenance"]["index"]] = record
    wrong = []
    for i, path in enumerate(PROGRAMS):
        record = records.get(i)
        want = _expected_answer(reference[i])
        if record is None or record["answer"] != want:
            got = None if record is None else record["answer"]
            wrong.append(f"{path.name}: got {got!r:.120}, CPython {want!r:.120}")
    assert not wrong, "\n".join(wrong)


def test_a_second_run_gives_identical_bytes(first_run: Path, tmp_path: Path) -> None:
    _generate(tmp_path / "b")
    assert _shard_bytes(tmp_path / "b") == _shard_bytes(first_run)


@pytest.mark.docker
@pytest.mark.usefixtures("docker_engine")
def test_the_docker_backend_gives_identical_bytes(first_run: Path, tmp_path: Path) -> None:
    _generate(tmp_path / "d", "--sandbox", "docker")
    assert _shard_bytes(tmp_path / "d") == _shard_bytes(first_run)
