"""Pydantic models of a record: one problem with its step-by-step reasoning.

A record carries what the token text shows (prompt, steps, answer, end) and what it does
not (domain, level, task, each step's machine check, an injected error, provenance).
Unknown keys are errors, so a file written by a newer or broken generator is caught
on read rather than silently losing fields.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    model_serializer,
    model_validator,
)

from reasoning.levels import DOMAINS, LEVELS
from reasoning.split import Split, split_of_id

DEFAULT_SYSTEM = (
    "You are a careful reasoner. Propose one step at a time, check it as a critic, "
    "and judge it before going on."
)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Check(_Model):
    """The machine check behind a step: which checker ran, whether it held, and what it saw."""

    checker: str
    ok: bool
    detail: str = ""


class Step(_Model):
    """One proposer/critic/judge triple.

    `slip` names the typical mistake of a deliberately wrong proposal (None otherwise).
    """

    proposal: str
    critic: str
    verdict: Literal["accept", "reject"]
    check: Check
    slip: str | None = None

    @model_validator(mode="after")
    def _verdict_follows_check(self) -> Step:
        # Ground truth by construction: a step is accepted exactly when its check held.
        if (self.verdict == "accept") != self.check.ok:
            raise ValueError(
                f"step verdict {self.verdict!r} disagrees with its check (ok={self.check.ok})"
            )
        return self


class InjectedError(_Model):
    """A deliberate error in the record: a reasoning slip or a program bug.

    `first_divergent_step` is the index (into `Record.steps`) of the first step where the
    error shows; for program bugs it may also carry the variable and values in `detail`.
    """

    kind: str
    location: str
    original: str
    wrong: str
    first_divergent_step: int | None = None
    detail: str = ""


class Provenance(_Model):
    """Everything needed to regenerate the record byte for byte.

    `config_sha256` is the hash of the task's resolved config (`config_sha256(config)`);
    the config itself is in the dataset's config.json, beside that hash.

    A record built on a user's program (`gen-traces --programs`) names it: `program` is
    its id (or file) and `program_sha256` the hash of its content, so two runs over
    different programs never share ids and an edited program never passes for the old one.
    """

    generator: str
    version: str
    level: str
    seed: int
    index: int = Field(ge=0)
    program: str | None = None
    program_sha256: str | None = None
    config_sha256: str | None = None

    @model_validator(mode="after")
    def _program_has_hash(self) -> Provenance:
        if (self.program is None) != (self.program_sha256 is None):
            raise ValueError("provenance names a program without its hash, or a hash without a program")
        return self

    @model_serializer(mode="wrap")
    def _omit_no_program(self, handler: SerializerFunctionWrapHandler) -> dict:
        # Generated records keep the exact bytes they had before programs were named.
        data = handler(self)
        if self.program is None:
            data.pop("program", None)
            data.pop("program_sha256", None)
        if self.config_sha256 is None:
            data.pop("config_sha256", None)
        return data


def record_id(p: Provenance) -> str:
    """A stable id: the same provenance always gives the same id."""
    key = f"{p.generator}|{p.version}|{p.level}|{p.seed}|{p.index}"
    if p.program is not None:  # generated records keep the ids they always had
        key += f"|{p.program}|{p.program_sha256}"
    if p.config_sha256 is not None:  # two configs never share an id
        key += f"|config={p.config_sha256}"
    return hashlib.sha256(key.encode()).hexdigest()[:16]


# Config keys that choose how records are made, not what they hold: the code tasks give the
# same bytes on either sandbox backend (tests/tracer/test_teaching_corpus.py), so a record's
# config hash, and with it its id, leaves the backend out.
HOW_NOT_WHAT = ("sandbox",)


def config_sha256(config: dict[str, Any]) -> str:
    """The hash of a task's resolved config (a JSON-able dict), as provenance names it;
    keys in HOW_NOT_WHAT are left out."""
    kept = {k: v for k, v in config.items() if k not in HOW_NOT_WHAT}
    text = json.dumps(kept, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def data_json(data: dict[str, Any]) -> str:
    """A problem's verifier data as a record stores it: compact JSON, keys sorted."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)


_PROBLEM_ID = re.compile(r"[0-9a-f]{16}")


class Record(_Model):
    """One problem with its reasoning, its split and what its verifier needs.

    `problem` is the hash of the problem's identity (`reasoning.split.problem_id`): records
    of one problem share it, in any wording and any task built on one program; `split`
    follows from it (checked). `data` is the verifier's data (`Problem.data`) as JSON text,
    so a record read from disk grades an answer with no regeneration
    (`generators.registry.verify_record`); text, not a nested object, because its keys
    differ from task to task and one column type must hold them all.
    """

    id: str
    domain: str
    level: str
    task: str
    split: Split
    problem: str
    system: str = DEFAULT_SYSTEM
    prompt: str
    steps: list[Step]
    answer: str
    end: Literal["terminated", "truncated"] = "terminated"
    error: InjectedError | None = None
    data: str = "{}"
    provenance: Provenance

    @model_validator(mode="after")
    def _consistent(self) -> Record:
        if self.domain not in DOMAINS:
            raise ValueError(f"unknown domain {self.domain!r}; expected one of {DOMAINS}")
        if self.level not in LEVELS:
            raise ValueError(f"unknown level {self.level!r}; expected one of {LEVELS}")
        if self.provenance.level != self.level:
            raise ValueError("provenance level differs from record level")
        if self.id != record_id(self.provenance):
            raise ValueError("id does not match provenance (expected record_id(provenance))")
        if not _PROBLEM_ID.fullmatch(self.problem):
            raise ValueError(f"problem must be 16 lowercase hex digits, got {self.problem!r}")
        if self.split != split_of_id(self.problem):
            raise ValueError(f"split {self.split!r} disagrees with the problem's hash "
                             f"(expected {split_of_id(self.problem)!r})")
        try:
            data = json.loads(self.data)
        except ValueError:
            raise ValueError("data is not JSON text") from None
        if not isinstance(data, dict):
            raise ValueError("data must be a JSON object")
        return self

    @property
    def has_slip(self) -> bool:
        return any(s.verdict == "reject" for s in self.steps)

    def problem_data(self) -> dict[str, Any]:
        """The verifier's data (`Problem.data`) as a dict."""
        return json.loads(self.data)
