"""Judging a model-written code step against the program's real trace.

A step like ``L4 `total = total + x` → total: 4 → 7`` claims that line 4 runs next and
leaves `total` at 7 (from 4). Written with its work first (the `chain` form),
``L4 `total = total + x` → 4 + 3, so total: 4 → 7`` claims the same, and each piece of
work that is integer arithmetic (digits, `+ - *`, brackets) must also come to the integer
the step states (read with the restricted answer grammar, never `eval`). The checker reads those claims from the text (line number,
`name = value` and `name: old → new` pairs, a condition's `True`/`False`, ``raises E``,
``returns v``), finds the line among the next few entries of the real run (in the order
a reader meets them, `tracer.divergence.display_order`), and compares values as Python
literals where they parse (`[1, 2]` equals `[1,2]`), as text otherwise.

The steps the model accepted before place it in the run: each one that names a line moves
a cursor past the entry it matched, so a step is judged where the model's own trace is.
The trace comes from running the problem's program in the sandbox, once per program.
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from reasoning.task import Problem, StepJudgement

WINDOW = 3  # a step may name a line at most this many entries past the cursor
MAX_STEP_CHARS = 2000
_HEAD = re.compile(r"^\s*(?:step \d+:\s*)?(?:back at\s+)?L(\d+)\b\s*(.*)$", re.S)
_ITEM = re.compile(r"^([A-Za-z_][\w.]*)\s*(?::\s*(.+?)\s*→\s*(.+)|=\s*(.+))$", re.S)


@dataclass
class CodeClaim:
    """What one step says about the run."""

    line: int
    values: dict[str, str] = field(default_factory=dict)  # name -> value after the step
    before: dict[str, str] = field(default_factory=dict)  # name -> value before it
    outcome: str | None = None  # a condition's value
    raises: str | None = None  # the exception's type name
    returns: str | None = None
    work: tuple[str, ...] = ()  # the pieces of work before ", so" (``4 + 3``)
    result: str | None = None  # what follows ", so" when it names no variable (``-3``)


def _split_top(text: str) -> list[str]:
    """Split on ", " outside brackets and quotes."""
    parts, depth, quote, start = [], 0, "", 0
    for i, ch in enumerate(text):
        if quote:
            quote = "" if ch == quote and text[i - 1] != "\\" else quote
        elif ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0 and text[i + 1 : i + 2] == " ":
            parts.append(text[start:i])
            start = i + 2
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def parse_code_step(text: str) -> CodeClaim | None:
    """The claims of a line step, or None when the text names no line."""
    if not isinstance(text, str) or len(text) > MAX_STEP_CHARS:
        return None
    m = _HEAD.match(text)
    if m is None:
        return None
    claim, rest = CodeClaim(int(m.group(1))), m.group(2)
    if rest.startswith("`"):  # the line's source, which may hold any character but `
        end = rest.find("`", 1)
        rest = rest[end + 1 :].strip() if end > 0 else ""
    raised = re.match(r"^raises\s+([A-Za-z_][\w.]*)", rest)
    returned = re.match(r"^[A-Za-z_][\w.<>]*\s+returns\s+(.+)$", rest, re.S)
    if raised:
        claim.raises = raised.group(1).rstrip(":")
    elif returned:
        claim.returns = returned.group(1).strip()
    elif rest.startswith("→"):
        body = rest[1:].strip()
        work, so, said = body.rpartition(", so ")
        if so:  # "→ 4 + 3, so total: 4 → 7": the work, then what the step states
            claim.work, body = tuple(p.strip() for p in work.split(" → ")), said.strip()
            claim.result = body
        for item in _split_top(body):
            if item in ("True", "False"):
                claim.outcome = item
                continue
            pair = _ITEM.match(item)
            if pair and pair.group(4) is not None:
                claim.values[pair.group(1)] = pair.group(4).strip()
            elif pair:
                claim.before[pair.group(1)] = pair.group(2).strip()
                claim.values[pair.group(1)] = pair.group(3).strip()
    return claim


_ARITHMETIC = re.compile(r"^[\d\s()*+-]*\d[\d\s()*+-]*$")
_INTEGER = re.compile(r"^-?\d+$")


def _work_error(claim: CodeClaim) -> str | None:
    """Why a piece of the step's integer work does not come to the integer it states, or
    None (also when nothing in it is integer arithmetic)."""
    stated = next(iter(claim.values.values())) if len(claim.values) == 1 else claim.result
    if not claim.work or stated is None or not _INTEGER.match(stated.strip()):
        return None
    from generators.answer_grammar import ParseError, parse_expression
    from generators.answer_trees import exact_value

    for piece in claim.work:
        if "**" in piece or not _ARITHMETIC.match(piece) or len(piece) > 200:
            continue
        try:
            value = exact_value(parse_expression(piece, ()), {})
        except (ParseError, RecursionError, ValueError, ZeroDivisionError, OverflowError):
            continue
        if value is not None and value != int(stated):
            return f"{piece} is {value}, not {stated.strip()}"
    return None


def _same(a: str, b: str) -> bool:
    if a == b:
        return True
    try:
        return ast.literal_eval(a) == ast.literal_eval(b)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return " ".join(a.split()) == " ".join(b.split())


def _entries(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    from tracer.divergence import display_order

    return [dict(steps[i], phase=phase, at=i) for i, phase in display_order(steps)]


def _before(steps: list[dict[str, Any]], i: int) -> dict[str, str]:
    """The variables of step i's frame before it: the last earlier step of that frame."""
    func, depth = steps[i].get("func"), steps[i].get("depth")
    for j in range(i - 1, -1, -1):
        if steps[j].get("func") == func and steps[j].get("depth") == depth:
            return steps[j].get("locals") or {}
        if (steps[j].get("depth") or 0) < (depth or 0):
            break
    return {}


def _find(entries: list[dict[str, Any]], claim: CodeClaim, cursor: int) -> int | None:
    for j in range(cursor, min(cursor + WINDOW, len(entries))):
        if entries[j].get("line") == claim.line:
            return j
    return None


def _compare(entry: dict[str, Any], before: dict[str, str], claim: CodeClaim) -> str | None:
    """Why the claim disagrees with the entry, or None when it agrees."""
    event, value = entry.get("event"), entry.get("value") or ""
    if entry.get("phase") == "start":  # the line only starts (it calls): no outcome yet
        event = "line" if claim.raises is None else event
    if claim.raises is not None or event == "exception":
        if event != "exception":
            return f"L{claim.line} does not raise here"
        if claim.raises is None:
            return f"L{claim.line} raises {value.split(':')[0]}"
        if not value.split(":")[0].endswith(claim.raises.split(".")[-1]):
            return f"L{claim.line} raises {value.split(':')[0]}, not {claim.raises}"
    if claim.returns is not None and event != "return":
        return f"nothing returns at L{claim.line} here"
    if claim.returns is not None and not _same(claim.returns, value):
        return f"the call returns {value}, not {claim.returns}"
    locals_ = entry.get("locals") or {}
    for name, claimed in claim.values.items():
        if name not in locals_:
            return f"{name} is not set after L{claim.line}"
        if not _same(claimed, locals_[name]):
            return f"{name} is {locals_[name]} after L{claim.line}, not {claimed}"
    for name, claimed in claim.before.items():
        if name in before and not _same(claimed, before[name]):
            return f"{name} was {before[name]} before L{claim.line}, not {claimed}"
    if claim.outcome is not None:
        evals = entry.get("evals") or []
        actual = evals[-1].rsplit(" → ", 1)[-1] if evals else None
        if actual in ("True", "False") and actual != claim.outcome:
            return f"the condition on L{claim.line} is {actual}, not {claim.outcome}"
    return None


def judge_code_step(steps: list[dict[str, Any]], previous: Sequence[str],
                    proposal: str) -> StepJudgement:  # fmt: skip
    """Judge `proposal` against the trace `steps`, placed after the `previous` steps."""
    entries = _entries(steps)
    cursor = 0
    for text in previous:
        earlier = parse_code_step(text)
        if earlier is not None:
            j = _find(entries, earlier, cursor)
            cursor = j + 1 if j is not None else cursor
    claim = parse_code_step(proposal)
    if claim is None:
        return StepJudgement("unchecked", "the step names no line")
    j = _find(entries, claim, cursor)
    if j is None:
        return StepJudgement("invalid", f"L{claim.line} is not what runs next")
    wrong_work = _work_error(claim)
    if wrong_work is not None:
        return StepJudgement("invalid", wrong_work)
    why = _compare(entries[j], _before(steps, entries[j]["at"]), claim)
    if why is not None:
        return StepJudgement("invalid", why)
    return StepJudgement("valid", f"L{claim.line} runs next and its claims check out")


@functools.lru_cache(maxsize=256)
def _trace_steps(code: str, func: str | None, args: str) -> tuple[dict[str, Any], ...] | None:
    from generators.code.program_runs import Config, run_traces, trace_job

    config = Config()
    (run,) = run_traces([trace_job(code, func, args, config)], config)
    return tuple(run.trace["steps"]) if run.trace is not None else None


def check_code_step(problem: Problem, previous: Sequence[str], proposal: str) -> StepJudgement:
    """The code domain's step checker: the problem's program traced in the sandbox (once
    per program), then `judge_code_step`."""
    data = problem.data
    code = data.get("buggy_code") or data.get("code")  # bug finding shows the buggy program
    if not isinstance(code, str):
        return StepJudgement("unchecked", "the problem carries no program")
    try:
        steps = _trace_steps(code, data.get("func"), data.get("args") or "")
    except Exception as exc:  # the sandbox refused or failed: nothing to judge against
        return StepJudgement("unchecked", f"no trace: {type(exc).__name__}")
    if steps is None:
        return StepJudgement("unchecked", "no trace")
    return judge_code_step(list(steps), previous, proposal)
