"""Rule rewards for GRPO: each a pure function of the completions and their problems.

A reward is `(completions, problems) -> list[float | None]`, one value per completion; None
is an abstention (the reward had nothing to judge), which `combine` adds as nothing, like
TRL's nansum. A completion is the text the policy wrote after the prompt, which ends with
`<think>` and its newline (see `reasoning.render.render_prompt`). No reward raises or hangs
on any text: every parser used here is linear or capped, and step checks never raise.

- `correctness`: the task's own verifier on the answer in the first `<output>` (read by
  `model.curriculum.exams.output_of`, as exams read it), in [0, 1]; 0 when there is no
  answer, and 0 when the completion has no reasoning before its answer (no accepted step:
  a proposal with a critic and the judge's `accept`), so answering straight away never pays.
- `format`: 1 when prompt + completion parses strictly (`reasoning.render.parse`) with at
  least one step; otherwise `FORMAT_PARTIAL / (1 + n)` with n the lenient parser's error
  count (plus one when there is no step), in (0, 0.5]: more breakage, less credit, and
  extra or repeated tags only add errors, so nothing scores above a clean record.
- `steps`: a process reward in [-1, 1], or None when no step could be checked. Over the
  steps in order (at most `MAX_JUDGED_STEPS`), each is judged by
  `generators.step_check.check_step` given the proposals accepted before it. A step the
  model accepted (or left without a valid verdict) earns +1 when judged valid and costs -1
  when invalid; a step the model rejected costs -1 when valid (a right step thrown away)
  and earns `CAUGHT_SLIP` (0.5) when invalid (a slip caught), but only as many caught
  slips earn as there are valid accepted steps: a catch pays when a right step follows,
  and writing wrong steps to reject them never pays more than writing right ones (a
  policy learned exactly that hack when a catch earned a full +1 on its own). An
  unchecked step counts for nothing. The value is (earned - cost) / (steps judged valid
  or invalid): 1 only for a chain of right steps with nothing to catch.
- `length`: 0 up to `LENGTH_BUDGET_CHARS` characters of completion, then
  -(excess / budget), down to `LENGTH_FLOOR` (at twice the budget with the defaults).

With `DEFAULT_WEIGHTS` a right answer always outscores a wrong one: the other rewards'
weighted ranges (format 0.1, steps 0.3 x 2, length 0.1) add up to 0.8 < 1. See docs/rewards.md.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from generators.registry import domain_tasks
from generators.step_check import check_step
from model.curriculum.exams import output_of
from reasoning import tokens as T
from reasoning.lenient import parse_lenient
from reasoning.levels import DOMAINS
from reasoning.render import FormatError, parse, render_prompt
from reasoning.schema import DEFAULT_SYSTEM
from reasoning.task import Problem, Task

Reward = Callable[[list[str], list[Problem]], list[float | None]]

RULES = ("correctness", "format", "steps")  # what --reward rules means
# steps is 0.3, not the 0.5: its range is [-1, 1], and at 0.5 perfect steps to a
# wrong answer would tie a right answer reached by false steps; at 0.3 correctness dominates.
DEFAULT_WEIGHTS = {"correctness": 1.0, "format": 0.1, "steps": 0.3, "length": 0.1}
# The range of values each reward takes (None aside): what the weights multiply.
RANGES = {"correctness": (0.0, 1.0), "format": (0.0, 1.0), "steps": (-1.0, 1.0),
          "length": (-1.0, 0.0)}  # fmt: skip

CAUGHT_SLIP = 0.5  # what a rejected wrong step earns (a right accepted step earns 1)
FORMAT_PARTIAL = 0.5  # the most a completion that does not parse strictly can earn
MAX_JUDGED_STEPS = 64  # steps judged per completion: bounds the work on runaway text
LENGTH_BUDGET_CHARS = 4096  # above 99% of honest records at the default configs (docs/rewards.md)
LENGTH_FLOOR = -1.0

_TASKS: dict[str, Task] = {}


def task_of(problem: Problem) -> Task:
    """The Task that made `problem`, by its name across every domain; ValueError if none."""
    name = problem.task
    if name not in _TASKS:
        for domain in DOMAINS:  # the code domain is imported only when a name is not found
            tasks = domain_tasks(domain)
            if name in tasks:
                _TASKS[name] = tasks[name]
                break
        else:
            raise ValueError(f"problem of unknown task {name!r}: no domain has it")
    return _TASKS[name]


def _pairs(completions: Sequence[str], problems: Sequence[Problem]) -> list[tuple[str, Problem]]:
    if len(completions) != len(problems):
        raise ValueError(f"{len(completions)} completions for {len(problems)} problems; "
                         "give one problem per completion")  # fmt: skip
    # A model's text is always a str; anything else is read as its text, never refused.
    return [(c if isinstance(c, str) else "" if c is None else str(c), p)
            for c, p in zip(completions, problems, strict=True)]  # fmt: skip


def prompt_text(problem: Problem) -> str:
    """The prompt a completion continues (ends with `<think>` and its newline)."""
    return render_prompt(DEFAULT_SYSTEM, problem.prompt)


def has_reasoning(completion: str) -> bool:
    """True when an accepted step (a non-empty proposal, a critic and the judge's `accept`)
    comes before the first `<output>`: what correctness asks before it grades an answer."""
    cut = completion.find(T.OUTPUT)
    head = completion if cut < 0 else completion[:cut]
    return any(s.verdict == "accept" and s.critic is not None and s.proposal.strip()
               for s in parse_lenient(T.THINK + "\n" + head).steps)  # fmt: skip


def correctness(completions: list[str], problems: list[Problem]) -> list[float | None]:
    """The task's verifier score of each completion's answer (see the module docstring)."""
    out: list[float | None] = []
    for text, problem in _pairs(completions, problems):
        task = task_of(problem)
        answer = output_of(text)
        if answer is None or not has_reasoning(text):
            out.append(0.0)
            continue
        try:
            score = float(task.verify(problem, answer).score)
        except Exception:  # a verifier bug must not stop training; the text earns nothing
            score = 0.0
        out.append(score if math.isfinite(score) else 0.0)
    return out


def format_score(problem: Problem, completion: str) -> float:
    """1 for a strictly parsed record with a step; else FORMAT_PARTIAL / (1 + errors)."""
    text = prompt_text(problem) + completion
    try:
        if parse(text).steps:
            return 1.0
    except FormatError:
        pass
    lenient = parse_lenient(text)
    errors = len(lenient.errors) + (0 if lenient.steps else 1)
    return FORMAT_PARTIAL / (1 + errors)


def format_reward(completions: list[str], problems: list[Problem]) -> list[float | None]:
    """How well each completion keeps the step format (see the module docstring)."""
    return [format_score(p, c) for c, p in _pairs(completions, problems)]


def step_score(problem: Problem, completion: str, task: Task | None = None) -> float | None:
    """(earned - cost) / judged over the completion's steps; None when none was judged."""
    task = task or task_of(problem)
    previous: list[str] = []
    right = wrong = caught = judged = 0  # accepted valid, misjudged, rejected invalid
    for step in parse_lenient(T.THINK + "\n" + completion).steps[:MAX_JUDGED_STEPS]:
        # A step without a valid verdict was not rejected: the model stands by it.
        accepted = step.verdict != "reject"
        status = check_step(task, problem, tuple(previous), step.proposal).status
        if status != "unchecked":
            judged += 1
            valid = status == "valid"
            right += accepted and valid
            caught += not accepted and not valid
            wrong += accepted != valid
        if accepted:
            previous.append(step.proposal)
    if not judged:
        return None
    return (right - wrong + CAUGHT_SLIP * min(caught, right)) / judged


def steps_reward(completions: list[str], problems: list[Problem]) -> list[float | None]:
    """The process reward of each completion's steps (see the module docstring)."""
    return [step_score(p, c) for c, p in _pairs(completions, problems)]


def length_reward(completions: list[str], problems: list[Problem], budget: int | None = None,
                  floor: float | None = None) -> list[float | None]:  # fmt: skip
    """0 up to `budget` characters (default LENGTH_BUDGET_CHARS, read at call time), then
    -(excess / budget), never below `floor` (default LENGTH_FLOOR)."""
    budget = LENGTH_BUDGET_CHARS if budget is None else budget
    floor = LENGTH_FLOOR if floor is None else floor
    if not isinstance(budget, int) or budget < 1:
        raise ValueError(f"length budget must be a positive number of characters, got {budget!r}")
    if not (isinstance(floor, int | float) and -1e9 < floor <= 0):
        raise ValueError(f"length floor must be a number <= 0, got {floor!r}")
    return [max(floor, -max(0, len(c) - budget) / budget) for c, _ in _pairs(completions, problems)]


REWARDS: dict[str, Reward] = {
    "correctness": correctness,
    "format": format_reward,
    "steps": steps_reward,
    "length": length_reward,
}


def parse_reward_spec(spec: str, weights: str | None = None) -> dict[str, float]:
    """The rewards `spec` picks ("rules", or names joined by commas, "rules" allowed among
    them), each with its weight: DEFAULT_WEIGHTS, overridden by `weights`
    ("correctness=1,steps=0.3"). ValueError with one line on any bad name or number."""
    known = ", ".join(["rules", *REWARDS])
    names: list[str] = []
    for raw in (spec or "").split(","):
        name = raw.strip()
        if not name:
            raise ValueError(f"empty reward name in {spec!r}; give names joined by commas: {known}")
        for one in RULES if name == "rules" else (name,):
            if one not in REWARDS:
                raise ValueError(f"unknown reward {one!r}; choose from {known}")
            if one not in names:
                names.append(one)
    chosen = {name: DEFAULT_WEIGHTS[name] for name in names}
    for raw in weights.split(",") if weights and weights.strip() else ():  # "" = no overrides
        name, eq, value = raw.partition("=")
        name, value = name.strip(), value.strip()
        if not eq or not name:
            raise ValueError(f"bad reward weight {raw.strip()!r}; write name=number, e.g. steps=0.3")
        if name not in chosen:
            raise ValueError(f"weight for {name!r}, which the rewards {', '.join(names)} do not include")
        try:
            number = float(value)
        except ValueError:
            raise ValueError(f"weight of {name!r} is not a number: {value!r}") from None
        if not math.isfinite(number) or number < 0:
            raise ValueError(f"weight of {name!r} must be a finite number >= 0, got {value!r}")
        chosen[name] = number
    return chosen


def combine(per_fn: dict[str, list[float | None]], weights: dict[str, float]) -> list[float]:
    """The weighted sum per completion of the rewards named in `weights` (extra entries of
    `per_fn` are ignored); an abstention (None or NaN) adds nothing, like TRL's nansum."""
    if not weights:
        raise ValueError("no rewards to combine; pick at least one")
    missing = [name for name in weights if name not in per_fn]
    if missing:
        raise ValueError(f"no values for reward(s) {', '.join(missing)}")
    sizes = {len(per_fn[name]) for name in weights}
    if len(sizes) != 1:
        raise ValueError(f"rewards give different numbers of values: {sorted(sizes)}")
    total = [0.0] * sizes.pop()
    for name, weight in weights.items():
        for i, value in enumerate(per_fn[name]):
            if value is not None and not math.isnan(value):
                total[i] += weight * value
    return total
