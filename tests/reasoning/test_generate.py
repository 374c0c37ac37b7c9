"""The generation pipeline: task picking, determinism across workers, resume, drops."""

from __future__ import annotations

import json
import random
from collections import Counter
from dataclasses import dataclass

import pytest

from generators.math.column_arithmetic import TASK
from reasoning.dataset import read_records
from reasoning.generate import RunConfig, TaskSpec, generate_dataset, pick_task
from reasoning.schema import Check, Step
from reasoning.task import Dropped, Problem, Task, Verdict


def _tree(path):
    return {p.relative_to(path).as_posix(): p.read_bytes() for p in sorted(path.rglob("*"))
            if p.is_file()}  # fmt: skip


def test_pick_task_follows_weights_for_every_prefix():
    specs = [TaskSpec(TASK, TASK.default_config(), w) for w in (1.0, 1.0, 2.0)]
    def which(i):
        return next(k for k, s in enumerate(specs) if s is pick_task(specs, 5, i))

    picks = [which(i) for i in range(400)]
    counts = Counter(picks)
    assert abs(counts[2] - 200) <= 2 and abs(counts[0] - 100) <= 2
    first = Counter(picks[:8])
    assert all(first[k] >= 1 for k in range(3))
    assert picks == [which(i) for i in range(400)]


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_same_bytes_for_one_and_two_workers(tmp_path, fmt):
    specs = [TaskSpec(TASK, TASK.default_config(slip_rate=0.3))]
    a = generate_dataset(tmp_path / "a", specs, RunConfig("primary", 700, 3, fmt, 200, 1))
    b = generate_dataset(tmp_path / "b", specs, RunConfig("primary", 700, 3, fmt, 200, 2))
    assert a.records == b.records == 700 and a.shards == 4
    assert _tree(tmp_path / "a") == _tree(tmp_path / "b")
    manifest = json.loads((tmp_path / "a" / "manifest.json").read_text())
    by_shard = Counter()
    for entry in manifest["shards"]:
        assert entry["file"].startswith({"train": "train-", "exam": "test-"}[entry["split"]])
        by_shard[entry["file"].split("-")[1]] += entry["records"]
    assert [by_shard[k] for k in sorted(by_shard)] == [200, 200, 200, 100]
    records = list(read_records(tmp_path / "a"))
    assert len(records) == 700 and manifest["splits"] == dict(Counter(r.split for r in records))


def test_rerun_resumes_and_changed_arguments_are_refused(tmp_path):
    specs = [TaskSpec(TASK, TASK.default_config())]
    run = RunConfig("primary", 300, 0, "jsonl", 100, 1)
    generate_dataset(tmp_path, specs, run)
    before = _tree(tmp_path)
    (tmp_path / "train-00001-of-00003.jsonl").unlink()
    again = generate_dataset(tmp_path, specs, run)
    assert again.resumed_shards == 2 and again.generated == 100
    assert _tree(tmp_path) == before
    with pytest.raises(ValueError, match="differs in: seed"):
        generate_dataset(tmp_path, specs, RunConfig("primary", 300, 1, "jsonl", 100, 1))


@dataclass(frozen=True)
class _Cfg:
    slip_rate: float = 0.0


def _flaky_generate(rng: random.Random, level: str, cfg: _Cfg) -> Problem:
    if rng.random() < 0.3:
        raise Dropped("unlucky")
    step = Step(proposal="p", critic="c", verdict="accept", check=Check(checker="x", ok=True))
    return Problem(task="flaky", level=level, prompt="q", steps=[step], answer="a",
                   events=("retried",) if rng.random() < 0.5 else ())  # fmt: skip


_FLAKY = Task(name="flaky", domain="math", levels=("primary",), version="1", config_cls=_Cfg,
              generate=_flaky_generate, verify=lambda p, a: Verdict(1.0, "ok"))  # fmt: skip


def test_drops_and_events_are_counted(tmp_path):
    s = generate_dataset(tmp_path, [TaskSpec(_FLAKY, _Cfg())], RunConfig("primary", 200, 0))
    dropped = s.dropped["flaky: unlucky"]
    assert 30 < dropped < 90 and s.records == 200 - dropped
    assert 0 < s.events["flaky: retried"] < s.records
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["dropped"] == {"flaky: unlucky": dropped}


def test_run_config_errors_say_what_to_fix():
    with pytest.raises(ValueError, match="-n must be at least 1"):
        RunConfig("primary", 0)
    with pytest.raises(ValueError, match="unknown level"):
        RunConfig("kindergarten", 5)
    with pytest.raises(ValueError, match="unknown format"):
        RunConfig("primary", 5, fmt="csv")


class _CountingPool:
    """A stand-in executor that runs at once and records how many results were in flight."""

    def __init__(self):
        self.submitted = self.taken = self.most = 0

    def submit(self, fn, arg):
        from concurrent.futures import Future

        self.submitted += 1
        self.most = max(self.most, self.submitted - self.taken)
        future = Future()
        future.set_result(fn(arg))
        return future


def test_items_are_handed_out_lazily_with_a_bounded_window():
    from reasoning.generate import _bounded_map

    pool = _CountingPool()
    items = ((k, k) for k in range(10_000))  # a generator: never listed up front
    out = []
    for (k, _), value in _bounded_map(pool, lambda x: x * x, items, window=8):
        pool.taken += 1
        out.append((k, value))
    assert out == [(k, k * k) for k in range(10_000)]
    assert pool.most == 8


def test_a_program_list_gives_each_program_every_task_in_turn(tmp_path):
    from reasoning.generate import task_of

    specs = [TaskSpec(TASK, TASK.default_config()), TaskSpec(_FLAKY, _Cfg())]
    run = RunConfig("primary", 10, programs=(("a", "1"), ("b", "2"), ("c", "3")))
    assert [task_of(specs, run, i).task.name for i in range(8)] == [
        "column_arithmetic"] * 3 + ["flaky"] * 3 + ["column_arithmetic"] * 2
    summary = generate_dataset(tmp_path, specs, run)
    records = list(read_records(tmp_path))
    assert [r.provenance.program for r in records] == [
        ("a", "b", "c")[r.provenance.index % 3] for r in records]
    dropped = {row[0] for row in json.loads((tmp_path / "manifest.json").read_text())["dropped_programs"]}
    assert dropped == {p for (p, _t, _r, _d) in summary.dropped_programs} and dropped
    assert json.loads((tmp_path / "config.json").read_text())["programs"]["count"] == 3


def test_run_config_bounds_n_and_the_shard_count():
    with pytest.raises(ValueError, match="at most 1,000,000,000"):
        RunConfig("primary", 10**20)
    with pytest.raises(ValueError, match="raise --shard-size to at least 1001"):
        RunConfig("primary", 100_000_000, shard_size=1000)
    assert RunConfig("primary", 100_000_000, shard_size=1001).n == 10**8


def test_a_refused_directory_is_left_as_it_was(tmp_path):
    (tmp_path / "shard-00000-of-00001.jsonl").write_text("someone else's\n")
    with pytest.raises(ValueError, match=r"holds shards but no config\.json"):
        generate_dataset(tmp_path, [TaskSpec(TASK, TASK.default_config())], RunConfig("primary", 5))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shard-00000-of-00001.jsonl"]


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_unique_keeps_one_record_per_problem_whatever_the_workers_and_resumes(tmp_path, fmt):
    from generators.math.one_digit_sums import TASK as SUMS

    specs = [TaskSpec(SUMS, SUMS.default_config())]  # 100 questions: 600 items repeat them
    summaries = [generate_dataset(tmp_path / f"w{w}", specs,
                                  RunConfig("preschool", 600, 0, fmt, 100, w, unique=True))
                 for w in (1, 2)]
    assert _tree(tmp_path / "w1") == _tree(tmp_path / "w2")
    records = list(read_records(tmp_path / "w1"))
    keys = [(r.task, r.problem) for r in records]
    assert len(keys) == len(set(keys)) == summaries[0].records
    assert summaries[0].duplicates["one_digit_sums"] == 600 - len(records) > 300
    # The first item of each problem is the one kept (item order, not worker order).
    first: dict[str, int] = {}
    plain = generate_dataset(tmp_path / "plain", specs, RunConfig("preschool", 600, 0, fmt, 100))
    for r in read_records(tmp_path / "plain"):
        first.setdefault(r.problem, r.provenance.index)
    assert sorted(r.provenance.index for r in records) == sorted(first.values())
    assert plain.records == 600 and not plain.duplicates
    manifest = json.loads((tmp_path / "w1" / "manifest.json").read_text())
    assert manifest["duplicates"] == {"one_digit_sums": 600 - len(records)}
    # Resume: the middle shard's files go; the rerun must not keep its problems twice.
    before = _tree(tmp_path / "w1")
    for entry in manifest["shards"]:
        if "-00002-" in entry["file"]:
            (tmp_path / "w1" / entry["file"]).unlink()
    again = generate_dataset(tmp_path / "w1", specs, RunConfig("preschool", 600, 0, fmt, 100, 1,
                                                               unique=True))
    assert again.resumed_shards == 5 and _tree(tmp_path / "w1") == before


def test_provenance_names_the_config_and_config_json_holds_it(tmp_path):
    a_cfg, b_cfg = TASK.default_config(slip_rate=0.0), TASK.default_config(slip_rate=0.5)
    generate_dataset(tmp_path / "a", [TaskSpec(TASK, a_cfg)], RunConfig("primary", 5))
    generate_dataset(tmp_path / "b", [TaskSpec(TASK, b_cfg)], RunConfig("primary", 5))
    a, b = (list(read_records(tmp_path / x)) for x in "ab")
    config = json.loads((tmp_path / "a" / "config.json").read_text())["tasks"][0]
    assert {r.provenance.config_sha256 for r in a} == {config["config_sha256"]}
    from reasoning.schema import config_sha256

    assert config["config_sha256"] == config_sha256(config["config"])
    assert config["config"]["slip_rate"] == 0.0
    # Two configs never share an id, even for the same seed and index.
    assert a[0].provenance.config_sha256 != b[0].provenance.config_sha256 and a[0].id != b[0].id
