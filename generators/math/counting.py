"""Counting objects (preschool): count one kind of object in a row that mixes in others.

Each step points at one object of the kind asked for and says the count so far, e.g.
``position 4 is a cat: count 2``; it is checked by recounting the row up to that position.
Slips: counting an object twice (``double_count``) or forgetting to count on
(``skipped_count``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from generators.answers import verify_number
from reasoning.schema import Check
from reasoning.steps import Slip, StepLog, check_slip_rate
from reasoning.task import Problem, Task, Verdict

NAME = "counting"
VERSION = "1"
OBJECTS = ("apple", "pear", "star", "cat", "dog", "ball", "duck", "car", "fish", "bird")
SLIPS = ("double_count", "skipped_count")


@dataclass(frozen=True)
class Config:
    max_count: int = 10
    max_distractors: int = 5
    slip_rate: float = 0.1  # chance that a counting step is first proposed with a slip

    def __post_init__(self) -> None:
        if not 1 <= self.max_count <= 30:
            raise ValueError(f"max_count must lie in [1, 30] (e.g. 10), got {self.max_count}")
        if not 0 <= self.max_distractors <= 30:
            raise ValueError(
                f"max_distractors must lie in [0, 30] (e.g. 5), got {self.max_distractors}"
            )
        check_slip_rate(self.slip_rate)


def check_count(row: list[str], target: str, position: int, claimed: int) -> Check:
    """Recount `target` in `row` up to `position` (1-based) and compare with the claim."""
    truth = row[:position].count(target)
    ok = row[position - 1] == target and truth == claimed
    detail = f"{truth} {target}(s) up to position {position}" + (
        "" if ok else f"; claimed {claimed}"
    )
    return Check(checker="recount", ok=ok, detail=detail)


def generate(rng: random.Random, level: str, config: Config) -> Problem:
    target, other = rng.sample(OBJECTS, 2)
    n = rng.randint(1, config.max_count)
    row = [target] * n + [other] * rng.randint(0, config.max_distractors)
    rng.shuffle(row)
    log = StepLog(rng, config.slip_rate)
    count = 0
    for pos, thing in enumerate(row, start=1):
        if thing != target:
            continue
        count += 1
        def slip(pos=pos, count=count) -> Slip:
            kind = rng.choice(SLIPS) if count > 1 else "double_count"
            wrong_count = count + 1 if kind == "double_count" else count - 1
            why = (
                "a {t} was counted twice"
                if kind == "double_count"
                else "the count did not go up for this {t}"
            ).format(t=target)
            return (
                kind,
                f"position {pos} is a {target}: count {wrong_count}",
                f"{why}: the count is {count}, not {wrong_count} ✗",
                check_count(row, target, pos, wrong_count),
            )

        log.add(f"position {pos} is a {target}: count {count}", f"{count} {target}(s) so far ✓",
                check_count(row, target, pos, count), location=f"position {pos}", slip=slip)
    total = row.count(target)
    ok = total == count
    log.add(
        f"no more {target}s: there are {count}",
        f"{count} {target}(s) in all ✓",
        Check(checker="recount", ok=ok, detail=f"{total} {target}(s) in the row"),
    )
    prompt = f"How many {target}s are there? " + " ".join(row)
    return Problem(
        task=NAME,
        level=level,
        prompt=prompt,
        steps=log.steps,
        answer=str(count),
        error=log.error,
        data={"expected": str(count)},
    )


def verify(problem: Problem, answer_text: str) -> Verdict:
    return verify_number(answer_text, problem.data["expected"])


TASK = Task(
    name=NAME,
    domain="math",
    levels=("preschool",),
    version=VERSION,
    config_cls=Config,
    generate=generate,
    verify=verify,
    description="count one kind of object among others, one step per object",
)
