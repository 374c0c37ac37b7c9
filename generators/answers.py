"""Safe parsing of answer text. Never `eval`s or `sympify`s what it is given."""

from __future__ import annotations

import re

_PLAIN = re.compile(r"[+-]?\d+")
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:([, ])\d{3})(?:\1\d{3})*")
MAX_DIGITS = 4000


def parse_integer(text: str) -> tuple[int | None, str]:
    """Parse an integer answer: surrounding spaces, a leading sign and thousands separators
    (`,` or a space, in groups of three) are allowed; anything else is refused with a reason.
    """
    if not isinstance(text, str):
        return None, "answer is not text"
    s = text.strip()
    if not s:
        return None, "empty answer"
    if len(s) > MAX_DIGITS:
        return None, "answer too long"
    if _PLAIN.fullmatch(s):
        return int(s), "integer"
    if _GROUPED.fullmatch(s):
        return int(s.replace(",", "").replace(" ", "")), "integer with thousands separators"
    return None, f"not an integer: {s[:40]!r}"
