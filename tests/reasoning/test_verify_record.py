"""Records grade themselves: read back from disk, every task's record carries what its
verifier needs, so `verify_record` grades an answer with no regeneration."""

from __future__ import annotations

import json

import pytest

from generators.registry import domain_tasks, find_task, problem_of, verify_record
from reasoning.dataset import read_records
from reasoning.generate import RunConfig, TaskSpec, generate_dataset
from reasoning.levels import DOMAINS
from reasoning.schema import Record

ALL = [(d, name) for d in DOMAINS for name in domain_tasks(d)]


def _records(tmp_path, domain: str, name: str, fmt: str, n: int = 3) -> list[Record]:
    task = find_task(domain, name)
    level = task.levels[-1]
    generate_dataset(tmp_path, [TaskSpec(task, task.default_config())],
                     RunConfig(level, n, seed=1, fmt=fmt, shard_size=2))
    return list(read_records(tmp_path))


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
@pytest.mark.parametrize(("domain", "name"), ALL)
def test_every_task_grades_its_records_read_back_from_disk(tmp_path, domain, name, fmt):
    records = _records(tmp_path, domain, name, fmt)
    assert records, f"{name}: no record generated"
    for rec in records:
        assert rec.problem_data(), f"{name}: the record carries no verifier data"
        assert verify_record(rec, rec.answer).score == 1.0, (name, rec.answer)
        assert verify_record(rec, "I do not know").score < 1.0
    # What the verifier reads is what generation gave it, not a re-generated copy.
    rec = records[0]
    assert problem_of(rec).data == json.loads(rec.data)


def test_a_record_of_another_task_version_or_an_unknown_task_is_refused(tmp_path):
    rec = _records(tmp_path, "math", "column_arithmetic", "jsonl", n=1)[0]
    old = Record.model_validate({**rec.model_dump(), "task": "nope"})
    with pytest.raises(ValueError, match="has no task 'nope'"):
        verify_record(old, rec.answer)
    prov = rec.provenance.model_copy(update={"version": "0"})
    from reasoning.schema import record_id

    older = Record.model_validate({**rec.model_dump(), "provenance": prov.model_dump(),
                                   "id": record_id(prov)})
    with pytest.raises(ValueError, match="made by column_arithmetic v0"):
        verify_record(older, rec.answer)
