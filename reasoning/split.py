"""The textbook/exam split: a hash of a problem's identity decides, so no exam problem ever
appears in a textbook, in any wording, whatever the seed, index or task that produced it.

A problem's identity is what makes two problems the same problem (`Problem.identity`): the
program for code, so every task built on one program lands in one split; the canonical
problem for math and logic, so a renamed or reworded problem lands with its twin. A task
that sets none is identified by its prompt, whitespace collapsed.
"""

from __future__ import annotations

import ast
import hashlib
import itertools
import json
from collections.abc import Callable, Sequence
from typing import Any, Literal

Split = Literal["train", "exam"]
SPLITS: tuple[Split, ...] = ("train", "exam")
EXAM_SHARE = 0.1


def content_key(prompt: str) -> str:
    """What identifies a problem by its wording: its prompt, with runs of whitespace collapsed."""
    return " ".join(prompt.split())


def identity_key(identity: str, prompt: str) -> str:
    """The text the split hashes: the problem's identity, or its prompt when it has none."""
    return identity if identity else content_key(prompt)


def problem_id(identity: str, prompt: str) -> str:
    """A short, stable hash of a problem's identity (16 hex digits): records of the same
    problem share it, whatever their task or wording."""
    return hashlib.sha256(identity_key(identity, prompt).encode()).hexdigest()[:16]


def split_of_id(pid: str, exam_share: float = EXAM_SHARE) -> Split:
    """`exam` for about `exam_share` of all problem ids (the 64-bit number they spell)."""
    if not 0.0 <= exam_share <= 1.0:
        raise ValueError(f"exam_share must lie in [0, 1], got {exam_share}")
    return "exam" if int(pid, 16) < exam_share * 2**64 else "train"


def split_of(prompt: str, exam_share: float = EXAM_SHARE, identity: str = "") -> Split:
    """`exam` for about `exam_share` of all problems, chosen by identity alone (the prompt
    when `identity` is empty)."""
    return split_of_id(problem_id(identity, prompt), exam_share)


def program_identity(code: str) -> str:
    """A program's identity: its text as `ast.unparse` writes it, so the raw program and the
    canonical form a task rewrites it to (bug finding) are one program. Text that does not
    parse is its own identity, whitespace collapsed."""
    try:
        return ast.unparse(ast.parse(code))
    except (SyntaxError, ValueError, RecursionError):
        return content_key(code)


def canonical_identity(task: str, fields: dict[str, Any], names: Sequence[str] = (),
                       by_first_use: bool = False,
                       normalize: Callable[[Any], Any] | None = None) -> str:
    """A canonical problem as text: the task and the fields that make the problem (its
    numbers, its structure; never wording choices) as sorted compact JSON, with every string
    in `names` (people, objects, terms, variable letters) replaced by a placeholder, so a
    renamed problem has the same identity.

    Placeholders follow the order of first use in `fields` (`by_first_use`, for many names
    in a fixed presentation order), or else the least text over every assignment (for a
    handful of names whose order the names themselves decide, e.g. sorted people).
    `normalize` rewrites the renamed fields before they are written (e.g. sorts the
    operands of `and`, `or`, `iff`, which one problem may hold in either order).
    """
    def text(mapping: dict[str, str]) -> str:
        renamed = _renamed(fields, mapping)
        if normalize is not None:
            renamed = normalize(renamed)
        return json.dumps({"task": task, **renamed}, sort_keys=True,
                          separators=(",", ":"), ensure_ascii=False)

    names = list(dict.fromkeys(names))
    if by_first_use:
        order: list[str] = []
        _first_uses(fields, set(names), order)
        order += [n for n in names if n not in order]
        return text({n: f"#{i}" for i, n in enumerate(order)})
    if len(names) > 6:
        raise ValueError(f"{len(names)} names are too many to try every order; use by_first_use")
    return min(text({n: f"#{i}" for n, i in zip(names, perm, strict=True)})
               for perm in itertools.permutations(range(len(names))))


def _renamed(value: Any, mapping: dict[str, str]) -> Any:
    if isinstance(value, str):
        return mapping.get(value, value)
    if isinstance(value, dict):
        return {mapping.get(k, k): _renamed(v, mapping) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_renamed(v, mapping) for v in value]
    return value


def _first_uses(value: Any, names: set[str], order: list[str]) -> None:
    if isinstance(value, str):
        if value in names and value not in order:
            order.append(value)
    elif isinstance(value, dict):
        for k, v in value.items():
            _first_uses(k, names, order)
            _first_uses(v, names, order)
    elif isinstance(value, list | tuple):
        for v in value:
            _first_uses(v, names, order)
