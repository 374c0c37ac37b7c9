"""The task's own verifier, called on a record: the thing under test for kinds 2 and 5.

Uses `verify_record(record, answer_text)` where the project has one; otherwise rebuilds
the record's problem from its provenance (`reasoning.task.generate_problem`) and calls
the task's `verify`. Only verdicts come from the project; no checker of ours uses it.
"""

from __future__ import annotations

import importlib
from functools import lru_cache


def _verify_record():
    for module in ("reasoning.verify", "reasoning.task", "generators.registry", "generators.verify"):
        try:
            found = getattr(importlib.import_module(module), "verify_record", None)
        except ImportError:
            continue
        if found is not None:
            return found
    return None


@lru_cache(maxsize=4096)
def _problem(domain: str, task: str, level: str, seed: int, index: int, prompt: str):
    from generators.registry import domain_tasks
    from reasoning.task import Dropped, generate_problem

    spec = domain_tasks(domain)[task]
    try:
        problem = generate_problem(spec, level, seed, index, spec.default_config())
    except Dropped:
        return None, None
    return (spec, problem) if problem.prompt == prompt else (None, None)


def verify(record: dict, answer_text: str) -> float | None:
    """The task verifier's score for `answer_text` on `record` (None: it cannot be asked)."""
    direct = _verify_record()
    if direct is not None:
        from reasoning.schema import Record

        verdict = direct(Record.model_validate(record), answer_text)
        return float(getattr(verdict, "score", verdict))
    prov = record["provenance"]
    spec, problem = _problem(record["domain"], record["task"], record["level"], prov["seed"],
                             prov["index"], record["prompt"])
    if problem is None:
        return None
    return float(spec.verify(problem, answer_text).score)
