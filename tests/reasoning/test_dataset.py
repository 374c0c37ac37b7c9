"""Dataset files: shard encoding, reading with FILE:LINE errors, Hugging Face loading."""

from __future__ import annotations

import json

import pytest

from generators.math.column_arithmetic import TASK
from reasoning.dataset import (
    DatasetError,
    atomic_write,
    dataset_files,
    read_records,
    remove_stale_temporaries,
    write_records,
)
from reasoning.task import generate_record


def _records(n: int, slip_rate: float = 0.5):
    cfg = TASK.default_config(slip_rate=slip_rate)
    return [generate_record(TASK, "primary", 7, i, cfg) for i in range(n)]


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_write_then_read_gives_the_same_records(tmp_path, fmt):
    records = _records(40)
    assert any(r.error is not None for r in records) and any(r.error is None for r in records)
    path = tmp_path / f"data.{fmt}"
    write_records(path, records)
    assert list(read_records(path)) == records
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_parquet_shards_without_any_error_keep_the_schema(tmp_path):
    # A shard whose records carry no injected error must still concatenate with others.
    import pyarrow.parquet as pq

    clean = _records(5, slip_rate=0.0)
    write_records(tmp_path / "a.parquet", clean)
    write_records(tmp_path / "b.parquet", _records(20))
    assert pq.read_schema(tmp_path / "a.parquet") == pq.read_schema(tmp_path / "b.parquet")


def test_bad_json_line_names_file_and_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    good = _records(2)
    path.write_text(good[0].model_dump_json() + "\n{not json\n")
    with pytest.raises(DatasetError, match=r"bad\.jsonl:2: not JSON"):
        list(read_records(path))


def test_invalid_record_names_file_line_and_field(tmp_path):
    row = json.loads(_records(1)[0].model_dump_json())
    row["steps"][0]["verdict"] = "maybe"
    path = tmp_path / "bad.jsonl"
    path.write_text("\n" + json.dumps(row) + "\n")
    with pytest.raises(DatasetError, match=r"bad\.jsonl:2: invalid record: steps\.0\.verdict"):
        list(read_records(path))


def test_unknown_key_is_an_error(tmp_path):
    row = json.loads(_records(1)[0].model_dump_json())
    row["extra"] = 1
    path = tmp_path / "x.jsonl"
    path.write_text(json.dumps(row) + "\n")
    with pytest.raises(DatasetError, match="extra"):
        list(read_records(path))


def test_not_utf8_and_not_parquet_are_dataset_errors(tmp_path):
    (tmp_path / "a.jsonl").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(DatasetError, match="not UTF-8"):
        list(read_records(tmp_path / "a.jsonl"))
    (tmp_path / "b.parquet").write_bytes(b"nope")
    with pytest.raises(DatasetError, match="not a readable parquet"):
        list(read_records(tmp_path / "b.parquet"))


def test_paths_that_are_not_datasets(tmp_path):
    with pytest.raises(DatasetError, match="no such file"):
        dataset_files(tmp_path / "missing")
    with pytest.raises(DatasetError, match=r"no \.jsonl or \.parquet"):
        dataset_files(tmp_path)
    (tmp_path / "notes.txt").write_text("hi")
    with pytest.raises(DatasetError, match="not a dataset file"):
        dataset_files(tmp_path / "notes.txt")


def test_atomic_write_leaves_nothing_on_failure(tmp_path):
    target = tmp_path / "x.jsonl"
    with pytest.raises(TypeError):
        atomic_write(target, "not bytes")  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


def test_stale_temporaries_are_removed(tmp_path):
    (tmp_path / ".tmp-123-shard-00000-of-00001.jsonl").write_text("half")
    (tmp_path / "keep.jsonl").write_text("")
    assert remove_stale_temporaries(tmp_path) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["keep.jsonl"]


def _generated(out, fmt: str):
    """A two-task dataset of 4 shards written by the pipeline; its manifest."""
    from generators.math.long_multiplication import TASK as SUMS
    from reasoning.generate import RunConfig, TaskSpec, generate_dataset

    specs = [TaskSpec(TASK, TASK.default_config()), TaskSpec(SUMS, SUMS.default_config())]
    generate_dataset(out, specs, RunConfig("primary", 400, 0, fmt, 100))
    return json.loads((out / "manifest.json").read_text())


def _offline(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_hugging_face_datasets_loads_the_textbook_and_the_exam_as_two_splits(
        tmp_path, monkeypatch, fmt):
    _offline(monkeypatch, tmp_path)
    import datasets

    out = tmp_path / "out"
    manifest = _generated(out, fmt)
    records = list(read_records(out))
    assert {r.split for r in records} == {"train", "exam"}
    builder = "parquet" if fmt == "parquet" else "json"
    explicit = datasets.load_dataset(builder, cache_dir=str(tmp_path / "c1"), data_files={
        "train": str(out / f"train-*.{fmt}"), "test": str(out / f"test-*.{fmt}")})
    inferred = datasets.load_dataset(builder, data_dir=str(out), cache_dir=str(tmp_path / "c2"))
    for loaded in (explicit, inferred):
        assert sorted(loaded) == ["test", "train"]
        assert loaded["train"].num_rows == manifest["splits"]["train"]
        assert loaded["test"].num_rows == manifest["splits"]["exam"] > 0
        assert set(loaded["train"]["split"]) == {"train"} and set(loaded["test"]["split"]) == {"exam"}
    by_id = {r.id: r for r in records}
    row = explicit["test"][0]
    assert json.loads(row["data"]) == by_id[row["id"]].problem_data()
    assert row["steps"][0]["proposal"] == by_id[row["id"]].steps[0].proposal


@pytest.mark.slow
def test_the_readme_load_dataset_example_runs_as_written(tmp_path, monkeypatch):
    import re
    from pathlib import Path

    _offline(monkeypatch, tmp_path)
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    blocks = [b for b in re.findall(r"```python\n(.*?)```", readme, re.S) if "load_dataset" in b]
    assert len(blocks) == 1, "the README shows one load_dataset example"
    manifest = _generated(tmp_path / "out", "jsonl")
    monkeypatch.chdir(tmp_path)
    scope: dict = {}
    exec(blocks[0], scope)
    assert scope["textbook"].num_rows == manifest["splits"]["train"]
    assert scope["exam"].num_rows == manifest["splits"]["exam"]


def test_files_are_read_textbook_first_and_the_exam_shards_are_named_test(tmp_path):
    manifest = _generated(tmp_path, "jsonl")
    names = [p.name for p in dataset_files(tmp_path)]
    assert names == sorted(names, key=lambda n: (n.startswith("test-"), n))
    assert names[0].startswith("train-") and names[-1].startswith("test-")
    assert sorted(e["file"] for e in manifest["shards"]) == sorted(names)
    for entry in manifest["shards"]:
        splits = {r.split for r in read_records(tmp_path / entry["file"])}
        assert splits == {entry["split"]}
