"""Record validation: unknown keys, ground-truth steps, id/provenance, levels and domains."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from generators.math.column_arithmetic import TASK
from reasoning.schema import Check, InjectedError, Provenance, Record, Step, record_id
from reasoning.task import generate_record


def record_dict() -> dict:
    rec = generate_record(TASK, "primary", 11, 0, TASK.default_config(slip_rate=1.0))
    return json.loads(rec.model_dump_json())


def test_json_round_trip_is_exact():
    rec = generate_record(TASK, "primary", 11, 0, TASK.default_config(slip_rate=1.0))
    line = rec.model_dump_json()
    again = Record.model_validate_json(line)
    assert again == rec and again.model_dump_json() == line
    assert rec.has_slip and rec.error is not None and rec.error.kind.startswith("slip:")


def test_record_id_is_stable_golden_value():
    prov = Provenance(generator="math.column_arithmetic", version="1", level="primary", seed=0, index=0)
    assert record_id(prov) == "6eef99a14dbb6275"
    assert record_id(prov.model_copy(update={"index": 1})) != record_id(prov)


@pytest.mark.parametrize(
    "path",
    [(), ("provenance",), ("steps", 0), ("steps", 0, "check"), ("error",)],
)
def test_unknown_keys_are_rejected(path):
    data = record_dict()
    target = data
    for key in path:
        target = target[key]
    target["surprise"] = 1
    with pytest.raises(ValidationError, match="surprise"):
        Record.model_validate(data)


def test_missing_required_key_is_rejected():
    data = record_dict()
    del data["answer"]
    with pytest.raises(ValidationError, match="answer"):
        Record.model_validate(data)


def test_accepted_step_with_failed_check_is_rejected():
    with pytest.raises(ValidationError, match="disagrees with its check"):
        Step(proposal="1 + 1 = 3", critic="ok", verdict="accept", check=Check(checker="x", ok=False))
    with pytest.raises(ValidationError, match="disagrees with its check"):
        Step(proposal="1 + 1 = 2", critic="no", verdict="reject", check=Check(checker="x", ok=True))
    data = record_dict()
    data["steps"][0]["check"]["ok"] = not data["steps"][0]["check"]["ok"]
    with pytest.raises(ValidationError, match="disagrees with its check"):
        Record.model_validate(data)


def test_verdict_must_be_accept_or_reject():
    with pytest.raises(ValidationError):
        Step(proposal="p", critic="c", verdict="maybe", check=Check(checker="x", ok=True))


def test_id_must_match_provenance():
    data = record_dict()
    data["id"] = "0" * 16
    with pytest.raises(ValidationError, match="id does not match provenance"):
        Record.model_validate(data)
    data = record_dict()
    data["provenance"]["seed"] += 1  # the id now names another item
    with pytest.raises(ValidationError, match="id does not match provenance"):
        Record.model_validate(data)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("level", "kindergarten", "unknown level"),
        ("domain", "poetry", "unknown domain"),
        ("end", "stopped", "end"),
    ],
)
def test_level_domain_and_end_are_validated(key, value, message):
    data = record_dict()
    data[key] = value
    with pytest.raises(ValidationError, match=message):
        Record.model_validate(data)


def test_provenance_level_must_equal_record_level():
    data = record_dict()
    data["level"] = "middle"
    with pytest.raises(ValidationError, match="provenance level differs"):
        Record.model_validate(data)


def test_negative_index_is_rejected():
    with pytest.raises(ValidationError, match="index"):
        Provenance(generator="g", version="1", level="primary", seed=0, index=-1)


def test_records_are_frozen():
    rec = Record.model_validate(record_dict())
    with pytest.raises(ValidationError):
        rec.answer = "0"  # type: ignore[misc]


def test_injected_error_round_trips():
    err = InjectedError(kind="slip:digit_fact", location="ones column", original="a", wrong="b",
                        first_divergent_step=0)  # fmt: skip
    assert InjectedError.model_validate_json(err.model_dump_json()) == err


def test_split_is_stored_and_must_agree_with_the_problem_hash():
    data = record_dict()
    assert data["split"] in ("train", "exam") and len(data["problem"]) == 16
    flipped = {**data, "split": "exam" if data["split"] == "train" else "train"}
    with pytest.raises(ValidationError, match="disagrees with the problem's hash"):
        Record.model_validate(flipped)
    with pytest.raises(ValidationError, match="split"):
        Record.model_validate({**data, "split": "dev"})
    with pytest.raises(ValidationError, match="16 lowercase hex"):
        Record.model_validate({**data, "problem": "XYZ"})
    del data["split"]
    with pytest.raises(ValidationError, match="split"):
        Record.model_validate(data)


def test_data_is_a_json_object_the_verifier_reads():
    data = record_dict()
    assert json.loads(data["data"]) == Record.model_validate(data).problem_data() != {}
    for bad, message in (("{not json", "not JSON text"), ("[1, 2]", "must be a JSON object")):
        with pytest.raises(ValidationError, match=message):
            Record.model_validate({**data, "data": bad})
