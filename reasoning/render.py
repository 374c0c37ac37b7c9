"""Render a record to the token text a model sees, and parse that text back exactly.

Layout (see DESIGN.md)::

    <system>S</system><user>Q</user>
    <think>
    <step_proposal>P</step_proposal><step_critic>C</step_critic><judge>accept</judge>
    <terminated/>
    </think>
    <output>A</output>

Escaping: inside a field, any `<` that starts one of the special tokens gets one extra
backslash after it (`<think>` becomes `<\\think>`, `<\\think>` becomes `<\\\\think>`), so no
field ever contains a raw token, and removing one backslash undoes it exactly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from reasoning import tokens as T
from reasoning.schema import Record

_BODIES = "|".join(re.escape(tok[1:]) for tok in sorted(T.SPECIAL_TOKENS, key=len, reverse=True))
_ESCAPE = re.compile(r"<(\\*)(?=(?:" + _BODIES + "))")
_UNESCAPE = re.compile(r"<\\(\\*)(?=(?:" + _BODIES + "))")


def escape(text: str) -> str:
    """Make field text safe to place between tags (reversible by `unescape`)."""
    if "<" not in text:
        return text
    return _ESCAPE.sub(lambda m: "<\\" + m.group(1), text)


def unescape(text: str) -> str:
    """Undo `escape`: remove one backslash after each `<` that starts an escaped token."""
    if "<" not in text:
        return text
    return _UNESCAPE.sub(lambda m: "<" + m.group(1), text)


class FormatError(ValueError):
    """Token text that does not follow the step format exactly."""


@dataclass
class ParsedStep:
    proposal: str
    critic: str
    verdict: str


@dataclass
class Parsed:
    """What the token text holds (the record's visible fields)."""

    system: str = ""
    prompt: str = ""
    steps: list[ParsedStep] = field(default_factory=list)
    end: str | None = None
    answer: str | None = None


def render_step(proposal: str, critic: str, verdict: str) -> str:
    """One proposer/critic/judge line of the think block (with its newline)."""
    return (
        f"{T.PROPOSAL}{escape(proposal)}{T.PROPOSAL_END}"
        f"{T.CRITIC}{escape(critic)}{T.CRITIC_END}"
        f"{T.JUDGE}{verdict}{T.JUDGE_END}\n"
    )


def render_prompt(system: str, prompt: str) -> str:
    """The part a model is given before it starts thinking (ends with the think tag)."""
    return f"{T.SYSTEM}{escape(system)}{T.SYSTEM_END}{T.USER}{escape(prompt)}{T.USER_END}\n{T.THINK}\n"


def render(record: Record) -> str:
    """The exact token text of a record."""
    parts = [render_prompt(record.system, record.prompt)]
    parts.extend(render_step(s.proposal, s.critic, s.verdict) for s in record.steps)
    parts.append(f"{T.END_MARKERS[record.end]}\n{T.THINK_END}\n")
    parts.append(f"{T.OUTPUT}{escape(record.answer)}{T.OUTPUT_END}")
    return "".join(parts)


class _Reader:
    def __init__(self, text: str) -> None:
        self.text, self.pos = text, 0

    def expect(self, literal: str) -> None:
        if not self.text.startswith(literal, self.pos):
            found = self.text[self.pos : self.pos + 20]
            raise FormatError(f"expected {literal!r} at offset {self.pos}, found {found!r}")
        self.pos += len(literal)

    def field(self, close: str) -> str:
        end = self.text.find(close, self.pos)
        if end < 0:
            raise FormatError(f"missing {close!r} after offset {self.pos}")
        raw = self.text[self.pos : end]
        if any(tok in raw for tok in T.SPECIAL_TOKENS):
            raise FormatError(f"unexpected tag inside field before {close!r} at offset {self.pos}")
        self.pos = end + len(close)
        return unescape(raw)

    def peek(self, literal: str) -> bool:
        return self.text.startswith(literal, self.pos)


def parse(text: str) -> Parsed:
    """Parse token text written by `render`; raise FormatError on any deviation."""
    r = _Reader(text)
    out = Parsed()
    r.expect(T.SYSTEM)
    out.system = r.field(T.SYSTEM_END)
    r.expect(T.USER)
    out.prompt = r.field(T.USER_END)
    r.expect("\n" + T.THINK + "\n")
    while r.peek(T.PROPOSAL):
        r.expect(T.PROPOSAL)
        proposal = r.field(T.PROPOSAL_END)
        r.expect(T.CRITIC)
        critic = r.field(T.CRITIC_END)
        r.expect(T.JUDGE)
        verdict = r.field(T.JUDGE_END)
        if verdict not in T.VERDICTS:
            raise FormatError(f"judge must say accept or reject, not {verdict!r}")
        r.expect("\n")
        out.steps.append(ParsedStep(proposal, critic, verdict))
    for name, marker in T.END_MARKERS.items():
        if r.peek(marker):
            r.expect(marker)
            out.end = name
            break
    else:
        raise FormatError(f"expected a step or an end marker at offset {r.pos}")
    r.expect("\n" + T.THINK_END + "\n" + T.OUTPUT)
    out.answer = r.field(T.OUTPUT_END)
    if r.pos != len(text):
        raise FormatError(f"trailing text after {T.OUTPUT_END!r} at offset {r.pos}")
    return out
