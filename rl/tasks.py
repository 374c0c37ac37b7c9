"""Where GRPO's problems come from: prompts from the train split (the task mix at a level, or a
`gen-traces` directory), exams from the exam split, graded by each task's own verifier.

The prompt source is a position in a deterministic stream (a textbook chunk and offset, or a
record offset), so a resumed run reads the problems it would have read."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from generators.registry import find_task, problem_of
from model.curriculum import exams as ex
from model.curriculum.textbook import FileStream, Stream, Textbook, level_specs, load_data_dir
from reasoning.dataset import read_records
from reasoning.generate import TaskSpec
from reasoning.task import Problem
from rl.policy import Policy
from rl.rollout import greedy_texts


def form_options(form: str | None) -> dict:
    """The task options of the textbook form a policy was trained with ({} for none), so that
    GRPO's problems are made as its textbook's were."""
    if not form:
        return {}
    from model.curriculum.forms import get_form  # there wherever a checkpoint can name a form

    return dict(get_form(form).task_options)


def _specs(level: str, tasks: Sequence[str] | None, options: dict | None):
    return (level_specs([level], tasks, options) if options else level_specs([level], tasks))[level]


class PromptSource:
    """Train-split problems in a fixed order: the textbook of `level` (only `tasks`, made with
    the task `options` of the policy's form) or the records of a data directory.
    `position()` and the `position` argument save and restore the place."""

    def __init__(self, level: str, tasks: Sequence[str] | None, seed: int, data: str | None,
                 position: dict | None = None, options: dict | None = None) -> None:  # fmt: skip
        position = position or {}
        if data:
            self.stream = FileStream(load_data_dir(data, [level], tasks), position.get("offset", 0))
        else:
            book = Textbook(seed, 0, ((level, 1.0),), {level: _specs(level, tasks, options)})
            self.stream = Stream(book, position.get("chunk", 0), position.get("offset", 0))

    def take(self, n: int) -> list[Problem]:
        """The next `n` problems."""
        return [problem_of(self.stream.next()) for _ in range(n)]

    def position(self) -> dict:
        if isinstance(self.stream, FileStream):
            return {"offset": self.stream.offset}
        chunk, offset = self.stream.position()
        return {"chunk": chunk, "offset": offset}


def exam_items(level: str, tasks: Sequence[str] | None, size: int, data: str | None,
               options: dict | None = None) -> list[ex.ExamItem]:  # fmt: skip
    """`size` held-out problems per task: the exam split of the task mix (as train-curriculum
    builds it, with the task `options` of the policy's form), or the exam-split records of a
    data directory."""
    if not data:
        return ex.build_exam(level, _specs(level, tasks, options), size)
    per_task: dict[str, int] = {}
    items, seen = [], set()
    for rec in read_records(Path(data)):
        if rec.split != "exam" or rec.level != level or (tasks and rec.task not in tasks):
            continue
        key = " ".join(rec.prompt.split())
        if key in seen or per_task.get(rec.task, 0) >= size:
            continue
        seen.add(key)
        per_task[rec.task] = per_task.get(rec.task, 0) + 1
        spec = TaskSpec(find_task(rec.domain, rec.task), None)
        items.append(ex.ExamItem(level, rec.task, spec, problem_of(rec)))
    if not items:
        raise ValueError(f"{data}: no exam-split records at level {level!r} to examine")
    return items


def grade(items: Sequence[ex.ExamItem], texts: Sequence[str]) -> list[float]:
    """Each completion's score in [0, 1] by its task's verifier on the `<output>` (0 without one)."""
    scores = []
    for it, text in zip(items, texts, strict=True):
        ans = ex.output_of(text)
        scores.append(0.0 if ans is None else float(it.spec.task.verify(it.problem, ans).score))
    return scores


def sit_exam(policy: Policy, items: Sequence[ex.ExamItem], max_new: int, rank: int = 0,
             world: int = 1) -> list[ex.TaskScore]:  # fmt: skip
    """Greedy answers to every item (this rank's share), graded, gathered, tallied per task."""
    mine = items[rank::world]
    scores = grade(mine, greedy_texts(policy, [it.problem.prompt for it in mine], max_new))
    return ex.tally(items, ex.gather_strided(scores, len(items), world))
