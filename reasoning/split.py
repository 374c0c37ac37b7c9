"""The textbook/exam split: a hash of a problem's content decides, so no exam problem ever
appears in a textbook, whatever the seed, index or generator that produced it."""

from __future__ import annotations

import hashlib
from typing import Literal

Split = Literal["train", "exam"]
EXAM_SHARE = 0.1


def content_key(prompt: str) -> str:
    """What identifies a problem's content: its prompt, with runs of whitespace collapsed."""
    return " ".join(prompt.split())


def split_of(prompt: str, exam_share: float = EXAM_SHARE) -> Split:
    """`exam` for about `exam_share` of all problems, chosen by content alone."""
    if not 0.0 <= exam_share <= 1.0:
        raise ValueError(f"exam_share must lie in [0, 1], got {exam_share}")
    digest = hashlib.sha256(content_key(prompt).encode()).digest()
    return "exam" if int.from_bytes(digest[:8], "big") < exam_share * 2**64 else "train"
