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
import json
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


def canonical_identity(task: str, **fields: Any) -> str:
    """A canonical problem as text: the task and the fields that make the problem (its
    numbers, its structure; never names or wording choices), as sorted compact JSON."""
    return json.dumps({"task": task, **fields}, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False)
