"""Exams: held-out (exam-split) problems per task, answered greedily by the model from the
prompt alone and graded by the task's own verifier on the model's `<output>`."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import torch

from model.curriculum.textbook import identity_key, problem_split
from reasoning import tokens as T
from reasoning.generate import TaskSpec
from reasoning.render import unescape
from reasoning.schema import DEFAULT_SYSTEM
from reasoning.task import Dropped, Problem, generate_problem

EXAM_SEED = 7919  # one exam for every run, whatever its training seed
TRIES_PER_ITEM = 60  # ~10% of problems are exam-split; small problem spaces run out


@dataclass(frozen=True)
class ExamItem:
    level: str
    task: str
    spec: TaskSpec
    problem: Problem


def build_exam(level: str, specs: Sequence[TaskSpec], size: int) -> list[ExamItem]:
    """`size` distinct exam-split problems per task (fewer where the task's problem space
    has no more), deterministic."""
    items = []
    for spec in specs:
        seen: set[str] = set()
        for i in range(size * TRIES_PER_ITEM):
            if len(seen) >= size:
                break
            try:
                problem = generate_problem(spec.task, level, EXAM_SEED, i, spec.config)
            except Dropped:
                continue
            key = identity_key(problem)
            if problem_split(problem) != "exam" or key in seen:
                continue
            seen.add(key)
            items.append(ExamItem(level, spec.task.name, spec, problem))
    return items


def wilson(k: float, n: int, z: float = 1.96) -> tuple[float, float]:
    """The 95% Wilson score interval of k successes in n trials ((0, 1) for n = 0)."""
    if n == 0:
        return 0.0, 1.0
    p = k / n
    den = 1 + z * z / n
    mid = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return max(0.0, mid - half), min(1.0, mid + half)


def output_of(text: str) -> str | None:
    """The answer between the first `<output>` and its closing tag, or None."""
    start = text.find(T.OUTPUT)
    if start < 0:
        return None
    end = text.find(T.OUTPUT_END, start)
    body = text[start + len(T.OUTPUT):] if end < 0 else text[start + len(T.OUTPUT):end]
    return unescape(body.strip())


@torch.no_grad()
def answer(model, tok, items: Sequence[ExamItem], max_new_tokens: int,
           batch_size: int = 32, system: str = DEFAULT_SYSTEM) -> list[float]:  # fmt: skip
    """Each item's score in [0, 1]: greedy answer from the prompt (after `system`, the
    system prompt the model was trained with), graded by its verifier."""
    from model.sampling import SamplingConfig, generate
    from model.tokenizer import EOS, PAD, encode_prompt

    eos, pad = tok.token_to_id(EOS), tok.token_to_id(PAD)
    scores = []
    was_training = model.training
    model.eval()
    for start in range(0, len(items), batch_size):
        batch = items[start:start + batch_size]
        prompts = [encode_prompt(tok, it.problem.prompt, system) for it in batch]
        room = model.cfg.max_seq_len - max(len(p) for p in prompts)
        cfg = SamplingConfig(max_new_tokens=max(1, min(max_new_tokens, room)), temperature=0,
                             stop_ids=(eos,), pad_id=pad)  # fmt: skip
        out = generate(model, prompts, cfg)
        for b, it in enumerate(batch):
            n = int(out.lengths[b])
            text = tok.decode(out.tokens[b, :n].tolist(), skip_special_tokens=False)
            ans = output_of(text)
            scores.append(0.0 if ans is None else float(it.spec.task.verify(it.problem, ans).score))
    model.train(was_training)
    return scores


def gather_strided(mine: list[float], total: int, world: int) -> list[float]:
    """Under torchrun rank r scored items r, r + world, ...: every rank gets all `total`
    scores back in item order (`mine` itself with one rank)."""
    if world == 1:
        return mine
    import torch.distributed as dist

    parts: list = [None] * world
    dist.all_gather_object(parts, mine)
    scores = [0.0] * total
    for r, part in enumerate(parts):
        scores[r::world] = part
    return scores


@dataclass(frozen=True)
class TaskScore:
    level: str
    task: str
    n: int
    score: float  # mean verifier score
    low: float
    high: float


def tally(items: Sequence[ExamItem], scores: Sequence[float]) -> list[TaskScore]:
    """Per (level, task): mean score and its 95% Wilson interval, in exam order."""
    groups: dict[tuple[str, str], list[float]] = {}
    for it, s in zip(items, scores, strict=True):
        groups.setdefault((it.level, it.task), []).append(s)
    out = []
    for (level, task), ss in groups.items():
        lo, hi = wilson(sum(ss), len(ss))
        out.append(TaskScore(level, task, len(ss), sum(ss) / len(ss), lo, hi))
    return out


def format_table(scores: Sequence[TaskScore], bar: float) -> str:
    """The exam table people read: level, task, n, score, 95% interval, pass/fail."""
    lines = [f"{'level':<10} {'task':<28} {'n':>4} {'score':>6}  {'95% interval':<13} bar"]
    for s in scores:
        mark = "pass" if s.score >= bar else "FAIL"
        lines.append(f"{s.level:<10} {s.task:<28} {s.n:>4} {s.score:>6.1%}  "
                     f"[{s.low:.2f}, {s.high:.2f}]  {mark}")  # fmt: skip
    return "\n".join(lines)
