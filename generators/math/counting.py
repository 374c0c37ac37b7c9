"""Counting objects (preschool): count one kind of object in a row that mixes in others.

Each step points at one object of the kind asked for and says the count so far, e.g.
``position 4 is a cat: count 2``; it is checked by recounting the row up to that position.
Slips: counting an object twice (``double_count``) or forgetting to count on
(``skipped_count``).

With ``walk`` (a learner's form) there is a step for every object of the row, in order, the
others too (``position 3 is a dog, not a cat: count 1``): each step copies the next word of
the row instead of finding the next object of the kind asked for, which a model has to do
by counting words. With ``strike`` (another learner's form) there is also a step for every
object, and each step crosses its object off the row and writes what is left
(``a dog, not a cat: 1 cat so far, left cat dog``): the next step's object is the first word
after ``left``, found by reading, not by counting positions. The two are exclusive.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from math import comb

from generators.answers import verify_number
from reasoning.schema import Check
from reasoning.split import canonical_identity
from reasoning.steps import Slip, StepLog, check_slip_rate
from reasoning.task import Problem, Task, Verdict

NAME = "counting"
VERSION = "2"
# object -> its plural (English plurals are not all "+s": fish, mice, foxes)
PLURALS = {"apple": "apples", "pear": "pears", "star": "stars", "cat": "cats", "dog": "dogs",
           "ball": "balls", "duck": "ducks", "car": "cars", "fish": "fish", "bird": "birds",
           "egg": "eggs", "owl": "owls", "bus": "buses", "fox": "foxes", "sheep": "sheep",
           "mouse": "mice", "leaf": "leaves", "orange": "oranges", "kite": "kites",
           "hat": "hats"}  # fmt: skip
OBJECTS = tuple(PLURALS)
SLIPS = ("double_count", "skipped_count")


@dataclass(frozen=True)
class Config:
    max_count: int = 10
    max_distractors: int = 5
    slip_rate: float = 0.1  # chance that a counting step is first proposed with a slip
    walk: bool = False  # a step for every object of the row, not only the ones counted
    strike: bool = False  # a step for every object, each with the rest of the row after it

    def __post_init__(self) -> None:
        if not 1 <= self.max_count <= 30:
            raise ValueError(f"max_count must lie in [1, 30] (e.g. 10), got {self.max_count}")
        if not 0 <= self.max_distractors <= 30:
            raise ValueError(
                f"max_distractors must lie in [0, 30] (e.g. 5), got {self.max_distractors}"
            )
        check_slip_rate(self.slip_rate)
        if not isinstance(self.walk, bool):
            raise ValueError(f"walk must be true or false, got {self.walk!r}")
        if not isinstance(self.strike, bool):
            raise ValueError(f"strike must be true or false, got {self.strike!r}")
        if self.walk and self.strike:
            raise ValueError("walk and strike are two ways to step through the row: choose one")


def check_count(row: list[str], target: str, position: int, claimed: int, named: str | None = None) -> Check:
    """Recount `target` in `row` up to `position` (1-based) and compare with the claim; the
    object at `position` must be the one the step names (`target` unless `named`)."""
    truth = row[:position].count(target)
    ok = row[position - 1] == (named or target) and truth == claimed
    detail = f"{many(truth, target)} up to position {position}" + (
        "" if ok else f"; claimed {claimed}"
    )
    return Check(checker="recount", ok=ok, detail=detail)


def check_strike(row: list[str], target: str, position: int, claimed: int, named: str,
                 left: list[str]) -> Check:
    """`check_count`, and the words the step says are left are the row after `position`."""
    count = check_count(row, target, position, claimed, named)
    ok = count.ok and left == row[position:]
    detail = count.detail + ("" if left == row[position:] else "; the words left are not the row's")
    return Check(checker="recount", ok=ok, detail=detail)


def strike_step(thing: str, target: str, count: int, left: list[str]) -> str:
    """`a cat: 2 cats so far, left dog cat`, `a dog, not a cat: 2 cats so far, left none`
    (the critic's `2 cats so far ✓` repeats it, so learner forms cut the critic to its
    mark). The article keeps the object's word as the row writes it, after a space."""
    named = article(thing) if thing == target else f"{article(thing)}, not {article(target)}"
    return f"{named}: {many(count, target)} so far, left {' '.join(left) or 'none'}"


def article(noun: str) -> str:
    """`a cat`, `an apple`."""
    return f"{'an' if noun[0] in 'aeiou' else 'a'} {noun}"


def many(count: int, noun: str) -> str:
    """`1 cat`, `3 cats`, `2 fish`."""
    return f"{count} {noun if count == 1 else PLURALS[noun]}"


def problem_space(config: Config) -> int:
    """How many distinct problems `config` can produce: a row of n asked objects mixed with
    m others in any order. Which two objects they are is wording (the identity leaves the
    names out), so a renamed row is the same problem."""
    rows = sum(comb(n + m, n) for n in range(1, config.max_count + 1)
               for m in range(1, config.max_distractors + 1))
    return rows + config.max_count  # rows with no other object: n asked objects alone


def generate(rng: random.Random, level: str, config: Config) -> Problem:
    target, other = rng.sample(OBJECTS, 2)
    n = rng.randint(1, config.max_count)
    row = [target] * n + [other] * rng.randint(0, config.max_distractors)
    rng.shuffle(row)
    log = StepLog(rng, config.slip_rate)
    count = 0
    for pos, thing in enumerate(row, start=1):
        if config.strike:
            count += thing == target
            _strike(log, row, target, pos, count)
            continue
        if thing != target:
            if config.walk:
                log.add(f"position {pos} is {article(thing)}, not {article(target)}: count {count}",
                        f"{many(count, target)} so far ✓", check_count(row, target, pos, count, thing),
                        location=f"position {pos}")
            continue
        count += 1
        def slip(pos=pos, count=count) -> Slip:
            kind = rng.choice(SLIPS) if count > 1 else "double_count"
            wrong_count = count + 1 if kind == "double_count" else count - 1
            why = (
                "{t} was counted twice"
                if kind == "double_count"
                else "the count did not go up for {t}"
            ).format(t=article(target))
            return (
                kind,
                f"position {pos} is {article(target)}: count {wrong_count}",
                f"{why}: the count is {count}, not {wrong_count} ✗",
                check_count(row, target, pos, wrong_count),
            )

        log.add(f"position {pos} is {article(target)}: count {count}", f"{many(count, target)} so far ✓",
                check_count(row, target, pos, count), location=f"position {pos}", slip=slip)
    total = row.count(target)
    ok = total == count
    log.add(
        f"no more {PLURALS[target]}: there {'is' if count == 1 else 'are'} {count}",
        f"{many(count, target)} in all ✓",
        Check(checker="recount", ok=ok, detail=f"{many(total, target)} in the row"),
    )
    prompt = f"How many {PLURALS[target]} are there? " + " ".join(row)
    return Problem(
        task=NAME,
        level=level,
        prompt=prompt,
        steps=log.steps,
        answer=str(count),
        error=log.error,
        data={"expected": str(count)},
        identity=canonical_identity(NAME, {"asked": target, "row": row}, names=(target, other)),
    )


def _strike(log: StepLog, row: list[str], target: str, pos: int, count: int) -> None:
    """The `strike` step for position `pos`, with a slip's chance on an object counted."""
    thing, left = row[pos - 1], row[pos:]

    def slip() -> Slip:
        kind = log.rng.choice(SLIPS) if count > 1 else "double_count"
        wrong = count + 1 if kind == "double_count" else count - 1
        why = ("{t} was counted twice" if kind == "double_count"
               else "the count did not go up for {t}").format(t=article(target))
        return (kind, strike_step(thing, target, wrong, left),
                f"{why}: the count is {count}, not {wrong} ✗",
                check_strike(row, target, pos, wrong, thing, left))

    log.add(strike_step(thing, target, count, left), f"{many(count, target)} so far ✓",
            check_strike(row, target, pos, count, thing, left), location=f"position {pos}",
            slip=slip if thing == target else None)


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
# Distinct problems of the default config, exact (`problem_space`; a test recounts it).
PROBLEM_SPACE = 12_369
SPACE_NOTE = ("12,369 distinct rows (the objects' names are wording), under 10x the ~5,000 "
              "records a curriculum stage asks of a task: expect repeats past that")
