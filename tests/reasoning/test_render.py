"""The token text of a record: golden layout, escaping, and the exact render -> parse round trip."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generators.math.column_arithmetic import TASK
from reasoning import tokens as T
from reasoning.lenient import parse_lenient
from reasoning.render import FormatError, escape, parse, render, render_prompt, unescape
from reasoning.schema import Check, Provenance, Record, Step, record_id
from reasoning.split import problem_id, split_of_id
from reasoning.task import generate_record

PROV = Provenance(generator="math.test", version="1", level="primary", seed=0, index=0)


def make_record(system="S", prompt="Q", steps=(), answer="A", end="terminated") -> Record:
    built = [
        Step(proposal=p, critic=c, verdict=v, check=Check(checker="t", ok=v == "accept"))
        for p, c, v in steps
    ]
    pid = problem_id("", prompt)
    return Record(id=record_id(PROV), domain="math", level="primary", task="test", system=system,
                  split=split_of_id(pid), problem=pid, prompt=prompt, steps=built, answer=answer, end=end, provenance=PROV)  # fmt: skip


def test_render_golden_layout():
    rec = make_record(steps=[("p1", "c1", "reject"), ("p2", "c2", "accept")], answer="42")
    assert render(rec) == (
        "<system>S</system><user>Q</user>\n<think>\n"
        "<step_proposal>p1</step_proposal><step_critic>c1</step_critic><judge>reject</judge>\n"
        "<step_proposal>p2</step_proposal><step_critic>c2</step_critic><judge>accept</judge>\n"
        "<terminated/>\n</think>\n<output>42</output>"
    )


def test_render_truncated_and_no_steps():
    assert render(make_record(end="truncated")) == (
        "<system>S</system><user>Q</user>\n<think>\n<truncated/>\n</think>\n<output>A</output>"
    )


def test_render_prompt_is_prefix_of_render():
    rec = make_record(system="sys <think>", prompt="q </user>", steps=[("p", "c", "accept")])
    assert render(rec).startswith(render_prompt(rec.system, rec.prompt))
    assert render_prompt("s", "q").endswith("\n<think>\n")


def test_escape_golden_values():
    assert escape("a <think> b") == "a <\\think> b"
    assert escape("<\\think>") == "<\\\\think>"
    assert escape("</output>") == "<\\/output>"
    assert escape("<terminated/>") == "<\\terminated/>"
    # Not a token: left alone, so ordinary text (x < y, html) stays readable.
    assert escape("x < y <thinking> <think") == "x < y <thinking> <think"
    for tok in T.SPECIAL_TOKENS:
        assert tok not in escape(tok + tok[:-1] + "\\" + tok)


def test_generated_record_round_trips():
    for index in range(20):
        rec = generate_record(TASK, "primary", 3, index, TASK.default_config(slip_rate=0.5))
        got = parse(render(rec))
        assert got.system == rec.system and got.prompt == rec.prompt
        assert [(s.proposal, s.critic, s.verdict) for s in got.steps] == [
            (s.proposal, s.critic, s.verdict) for s in rec.steps
        ]
        assert (got.end, got.answer) == (rec.end, rec.answer)


def test_special_tokens_are_distinct_tags_and_cover_the_layout():
    assert len(set(T.SPECIAL_TOKENS)) == len(T.SPECIAL_TOKENS) == 16
    assert all(t.startswith("<") and t.endswith(">") for t in T.SPECIAL_TOKENS)
    # No token contains another: a tokenizer can split text on them without ambiguity.
    for a in T.SPECIAL_TOKENS:
        assert not any(a != b and a in b for b in T.SPECIAL_TOKENS)
    text = render(make_record(steps=[("p", "c", "accept")]))
    used = {t for t in T.SPECIAL_TOKENS if t in text} | {T.TRUNCATED}
    assert used == set(T.SPECIAL_TOKENS)
    assert set(T.END_MARKERS.values()) <= set(T.SPECIAL_TOKENS)


GOOD = render(make_record(steps=[("p", "c", "accept")]))


@pytest.mark.parametrize(
    "text",
    [
        "",
        GOOD + " ",
        GOOD.replace("<judge>accept</judge>", "<judge>maybe</judge>"),
        GOOD.replace("<terminated/>", ""),
        GOOD.replace("</output>", ""),
        GOOD.replace("<step_critic>c</step_critic>", ""),
        GOOD.replace("<step_proposal>p", "<step_proposal>p<think>"),
        GOOD.replace("<system>S", "<system>S<user>"),
        GOOD[1:],
        "junk" + GOOD,
    ],
)
def test_parse_rejects_deviations(text):
    with pytest.raises(FormatError):
        parse(text)


# Text biased towards what breaks escaping: tokens, their bodies, backslashes, partial tags.
_TRICKY = st.sampled_from(
    [*T.SPECIAL_TOKENS, "<", ">", "\\", "\\\\", "<\\", "</", "/>", "\n", "\r\n", " ", "think>",
     "<think", "step_proposal>", "accept", "<\\\\think>", "\x00", "é", "🫐"]
)  # fmt: skip
FIELD = st.one_of(
    st.text(),
    st.lists(st.one_of(_TRICKY, st.text(max_size=3)), max_size=12).map("".join),
)


@st.composite
def records(draw) -> Record:
    steps = draw(st.lists(st.tuples(FIELD, FIELD, st.sampled_from(T.VERDICTS)), max_size=4))
    return make_record(
        system=draw(FIELD), prompt=draw(FIELD), steps=steps, answer=draw(FIELD),
        end=draw(st.sampled_from(["terminated", "truncated"])),
    )  # fmt: skip


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(records())
def test_round_trip_exact_for_arbitrary_field_text(rec):
    text = render(rec)
    got = parse(text)
    assert got.system == rec.system
    assert got.prompt == rec.prompt
    assert [(s.proposal, s.critic, s.verdict) for s in got.steps] == [
        (s.proposal, s.critic, s.verdict) for s in rec.steps
    ]
    assert got.end == rec.end
    assert got.answer == rec.answer
    lenient = parse_lenient(text)
    assert lenient.ok, lenient.errors
    assert (lenient.system, lenient.prompt, lenient.answer, lenient.end) == (
        rec.system, rec.prompt, rec.answer, rec.end,
    )  # fmt: skip
    assert [(s.proposal, s.critic, s.verdict) for s in lenient.steps] == [
        (s.proposal, s.critic, s.verdict) for s in rec.steps
    ]


@settings(max_examples=300)
@given(FIELD)
def test_escaped_field_holds_no_token_and_unescapes_exactly(text):
    escaped = escape(text)
    assert not any(tok in escaped for tok in T.SPECIAL_TOKENS)
    assert unescape(escaped) == text
