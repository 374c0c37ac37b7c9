"""Next in a sequence (preschool): what comes after 2, 4, 6, 8?

Steps find the difference between neighbours (``from 4 to 6: 6 - 4 = 2, up 2``), state the
rule, and apply it once more (``next: 8 + 2 = 10``); each is checked by exact arithmetic on
the terms. Slips: a wrong difference (``digit_fact``) and applying the rule the wrong way
(``wrong_direction``).
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass

from generators.answers import verify_number
from generators.slips import wrong_value
from reasoning.schema import Check
from reasoning.steps import StepLog, check_slip_rate, checked_step
from reasoning.task import Problem, Task, Verdict

NAME = "next_in_sequence"
VERSION = "2"


@dataclass(frozen=True)
class Config:
    max_start: int = 100  # counting to 100 is a preschool goal
    max_step: int = 10  # counting on by 1s to 10s
    shown: int = 4  # how many terms the question shows
    slip_rate: float = 0.1  # chance that a step is first proposed with a slip

    def __post_init__(self) -> None:
        if not 0 <= self.max_start <= 1000:
            raise ValueError(f"max_start must lie in [0, 1000] (e.g. 20), got {self.max_start}")
        if not 1 <= self.max_step <= 100:
            raise ValueError(f"max_step must lie in [1, 100] (e.g. 5), got {self.max_step}")
        if not 3 <= self.shown <= 8:
            raise ValueError(f"shown must lie in [3, 8] (e.g. 4), got {self.shown}")
        check_slip_rate(self.slip_rate)


def check_sub(x: int, y: int, claimed: int, truth: int) -> Check:
    """Recompute `x - y` (or the sum when `y` is negative) and compare with the claim and truth."""
    value = x - y
    ok = value == claimed == truth
    return Check(
        checker="exact_arithmetic",
        ok=ok,
        detail=f"{x} - {y} = {value}" + ("" if ok else f"; claimed {claimed}"),
    )


def generate(rng: random.Random, level: str, config: Config) -> Problem:
    d = rng.randint(1, config.max_step)
    down = rng.random() < 0.3 and config.max_start >= d * config.shown
    if down:
        start = rng.randint(d * config.shown, max(d * config.shown, config.max_start))
        terms = [start - d * i for i in range(config.shown + 1)]
    else:
        start = rng.randint(0, config.max_start)
        terms = [start + d * i for i in range(config.shown + 1)]
    shown, nxt = terms[:-1], terms[-1]
    word, sign = ("down", "-") if down else ("up", "+")
    log = StepLog(rng, config.slip_rate)
    steps = log.steps

    for prev, cur in itertools.pairwise(shown):
        hi, lo = max(prev, cur), min(prev, cur)
        text = f"from {prev} to {cur}: {hi} - {lo} = {d}, {word} {d}"
        if log.coin():
            kind, w = wrong_value(rng, d, operation=(hi, "-", lo))
            wrong = f"from {prev} to {cur}: {hi} - {lo} = {w}, {word} {w}"
            log.reject(kind, wrong, f"{hi} - {lo} = {d}, not {w} ✗", check_sub(hi, lo, w, d),
                       original=text, location=f"{prev} → {cur}")
        steps.append(checked_step(text, f"{hi} - {lo} = {d} ✓", check_sub(hi, lo, d, d)))
    last = shown[-1]
    rule = f"each term goes {word} by {d}"
    steps.append(
        checked_step(
            rule,
            f"every difference is {d} ✓",
            Check(
                checker="exact_arithmetic",
                ok=all(abs(y - x) == d for x, y in itertools.pairwise(shown)),
                detail=f"differences all {d}",
            ),
        )
    )
    text = f"next: {last} {sign} {d} = {nxt}"
    if log.coin():
        w = last - d if not down else last + d
        flip = "+" if down else "-"
        wrong = f"next: {last} {flip} {d} = {w}"
        log.reject(
            "wrong_direction",
            wrong,
            f"the terms go {word}: {last} {sign} {d} = {nxt} ✗",
            Check(checker="exact_arithmetic", ok=False, detail=f"{last} {sign} {d} = {nxt}; claimed {w}"),
            original=text,
            location="next term",
        )
    value = last - d if down else last + d
    steps.append(
        checked_step(
            text,
            f"{last} {sign} {d} = {value} ✓",
            Check(
                checker="exact_arithmetic", ok=value == nxt, detail=f"{last} {sign} {d} = {value}"
            ),
        )
    )
    prompt = "What number comes next? " + ", ".join(map(str, shown)) + ", ?"
    return Problem(
        task=NAME,
        level=level,
        prompt=prompt,
        steps=steps,
        answer=str(nxt),
        error=log.error,
        data={"expected": str(nxt)},
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
    description="next term of a counting-on or counting-back sequence",
)


def problem_space(config: Config) -> int:
    """Distinct questions of `config`: a start and a step, counting up or (when the terms
    stay at or above 0) down."""
    up = (config.max_start + 1) * config.max_step
    down = sum(config.max_start - d * config.shown + 1 for d in range(1, config.max_step + 1)
               if config.max_start >= d * config.shown)
    return up + down


# Distinct questions of the default config, exact (`problem_space`; a test recounts it).
PROBLEM_SPACE = 1800
SPACE_NOTE = ("1,800 questions by nature: counting on or back by 1..10 from 0..100; a "
              "curriculum stage that asks for more records repeats them")
