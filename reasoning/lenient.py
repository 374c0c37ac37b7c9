"""A lenient parser for model-written text: never raises, reports what it found and what was wrong.

Rewards use it to score format and step validity on whatever a model produced, however
broken. It accepts a full rendering (system and user included) or only the completion
that follows the prompt (`<think>` onwards, or even the steps alone).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from reasoning import tokens as T
from reasoning.render import unescape

_TAG = re.compile("(" + "|".join(re.escape(t) for t in T.SPECIAL_TOKENS) + ")")
_SPECIAL = frozenset(T.SPECIAL_TOKENS)
_NAME = {t: t.strip("</>") for t in T.SPECIAL_TOKENS}


@dataclass(frozen=True)
class StructureError:
    """One way the text departs from the format. `code` is stable; `detail` is for people."""

    code: str
    detail: str
    offset: int


@dataclass
class LenientStep:
    proposal: str
    critic: str | None = None
    verdict: str | None = None  # "accept", "reject", or None when missing or invalid


@dataclass
class LenientParse:
    system: str | None = None
    prompt: str | None = None
    steps: list[LenientStep] = field(default_factory=list)
    end: str | None = None
    answer: str | None = None
    errors: list[StructureError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def codes(self) -> list[str]:
        return [e.code for e in self.errors]


def parse_lenient(text: str) -> LenientParse:
    """Parse model-written text in the step format; never raises (bytes are decoded as UTF-8).

    Error codes (in text order, then the missing parts):
    missing_close (a field or <think> never closed), unexpected_tag (a tag out of place: a
    closing tag without its opening, a second <think> or end marker, a step after the end
    marker, <output> inside <think>, <system>/<user> again or after <think>),
    text_outside_tags, step_outside_think, step_without_critic, step_without_judge,
    bad_verdict (judge text other than accept/reject, surrounding blanks tolerated),
    think_missing, end_missing, output_missing, duplicate_output (the first answer counts).
    """
    if isinstance(text, bytes | bytearray):
        text = bytes(text).decode("utf-8", errors="replace")
    elif not isinstance(text, str):
        text = "" if text is None else str(text)
    items: list[tuple[bool, str, int]] = []  # (is_tag, value, offset)
    offset = 0
    for piece in _TAG.split(text):
        if piece:
            items.append((piece in _SPECIAL, piece, offset))
        offset += len(piece)
    out = LenientParse()
    i = 0
    in_think = seen_think = False

    def err(code: str, detail: str, at: int) -> None:
        out.errors.append(StructureError(code, detail, at))

    def skip_blank(j: int) -> int:
        while j < len(items) and not items[j][0] and not items[j][1].strip():
            j += 1
        return j

    def take_field(j: int, close: str) -> tuple[str, int]:
        """Read the text after an open tag at j-1; return it and the index after the close."""
        value = ""
        if j < len(items) and not items[j][0]:
            value = unescape(items[j][1])
            j += 1
        if j < len(items) and items[j][1] == close:
            return value, j + 1
        at = items[j][2] if j < len(items) else len(text)
        err("missing_close", f"{close} missing", at)
        return value, j

    while i < len(items):
        is_tag, val, at = items[i]
        if not is_tag:
            if val.strip():
                err("text_outside_tags", f"text outside tags: {val.strip()[:40]!r}", at)
            i += 1
        elif val in (T.SYSTEM, T.USER):
            value, i = take_field(i + 1, T.SYSTEM_END if val == T.SYSTEM else T.USER_END)
            seen = out.system if val == T.SYSTEM else out.prompt
            # A model that writes a new turn after thinking has left the format; the
            # first system/user text stays the one reported.
            if seen_think or seen is not None:
                err("unexpected_tag", f"{val} after the prompt", at)
            elif val == T.SYSTEM:
                out.system = value
            else:
                out.prompt = value
        elif val == T.THINK:
            if seen_think:
                err("unexpected_tag", "second <think>", at)
            in_think = seen_think = True
            i += 1
        elif val == T.THINK_END:
            if not in_think:
                err("unexpected_tag", "</think> without <think>", at)
            in_think = False
            i += 1
        elif val == T.PROPOSAL:
            if not in_think:
                err("step_outside_think", "step outside <think>", at)
            elif out.end is not None:
                err("unexpected_tag", f"step after <{out.end}/>", at)
            step = LenientStep(proposal="")
            step.proposal, i = take_field(i + 1, T.PROPOSAL_END)
            j = skip_blank(i)
            if j < len(items) and items[j][1] == T.CRITIC:
                step.critic, i = take_field(j + 1, T.CRITIC_END)
                j = skip_blank(i)
            else:
                err("step_without_critic", f"step {len(out.steps)} has no critic", at)
            if j < len(items) and items[j][1] == T.JUDGE:
                verdict, i = take_field(j + 1, T.JUDGE_END)
                if verdict.strip() in T.VERDICTS:
                    step.verdict = verdict.strip()
                else:
                    err("bad_verdict", f"judge said {verdict[:20]!r}", items[j][2])
            else:
                err("step_without_judge", f"step {len(out.steps)} has no judge", at)
            out.steps.append(step)
        elif val in (T.TERMINATED, T.TRUNCATED):
            if not in_think:
                err("unexpected_tag", f"{val} outside <think>", at)
            if out.end is not None:
                err("unexpected_tag", f"second end marker {val}", at)
            else:
                out.end = _NAME[val]
            i += 1
        elif val == T.OUTPUT:
            if in_think:
                err("unexpected_tag", "<output> inside <think>", at)
            answer, i = take_field(i + 1, T.OUTPUT_END)
            # The first answer counts: a second one must not give the model another try.
            if out.answer is None:
                out.answer = answer
            else:
                err("duplicate_output", "second <output>", at)
        else:
            err("unexpected_tag", f"{val} out of place", at)
            i += 1

    if not seen_think:
        err("think_missing", "no <think>", len(text))
    elif in_think:
        err("missing_close", "</think> missing", len(text))
    if out.end is None:
        err("end_missing", "no <terminated/> or <truncated/>", len(text))
    if out.answer is None:
        err("output_missing", "no <output>", len(text))
    return out
