"""The lenient parser: one case per structure error, what it still recovers, and never raising."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reasoning import tokens as T
from reasoning.lenient import LenientParse, parse_lenient

STEP = "<step_proposal>p</step_proposal><step_critic>c</step_critic><judge>accept</judge>\n"
PROMPT = "<system>S</system><user>Q</user>\n"
GOOD = PROMPT + "<think>\n" + STEP + "<terminated/>\n</think>\n<output>42</output>"


def test_good_text_parses_without_errors():
    got = parse_lenient(GOOD)
    assert got.ok and got.codes() == []
    assert (got.system, got.prompt, got.end, got.answer) == ("S", "Q", "terminated", "42")
    assert [(s.proposal, s.critic, s.verdict) for s in got.steps] == [("p", "c", "accept")]


def test_completion_without_prompt_is_ok():
    # Rewards see only what the model wrote after the prompt.
    got = parse_lenient("<think>\n" + STEP + "<truncated/>\n</think>\n<output>7</output>")
    assert got.ok and got.system is None and got.prompt is None
    assert (got.end, got.answer) == ("truncated", "7")


def test_escaped_tags_in_fields_are_unescaped_and_not_errors():
    text = GOOD.replace("<output>42", "<output>a <\\think> b")
    got = parse_lenient(text)
    assert got.ok and got.answer == "a <think> b"


# Each case: the text, the exact error codes, and what must still be recovered.
CASES = {
    "missing_close": (
        GOOD.replace("p</step_proposal>", "p"),
        ["missing_close"],
        lambda r: r.steps[0].proposal == "p" and r.steps[0].verdict == "accept",
    ),
    "unexpected_tag": (
        GOOD.replace("<terminated/>", "<terminated/></user>"),
        ["unexpected_tag"],
        lambda r: r.end == "terminated" and r.answer == "42",
    ),
    "text_outside_tags": (
        GOOD.replace("</think>\n", "</think>\nso the answer is\n"),
        ["text_outside_tags"],
        lambda r: r.answer == "42",
    ),
    "step_outside_think": (
        PROMPT + STEP + "<think>\n<terminated/>\n</think>\n<output>42</output>",
        ["step_outside_think"],
        lambda r: len(r.steps) == 1,
    ),
    "step_without_critic": (
        GOOD.replace("<step_critic>c</step_critic>", ""),
        ["step_without_critic"],
        lambda r: r.steps[0].critic is None and r.steps[0].verdict == "accept",
    ),
    "step_without_judge": (
        GOOD.replace("<judge>accept</judge>", ""),
        ["step_without_judge"],
        lambda r: r.steps[0].verdict is None and r.steps[0].critic == "c",
    ),
    "bad_verdict": (
        GOOD.replace("<judge>accept</judge>", "<judge>probably</judge>"),
        ["bad_verdict"],
        lambda r: r.steps[0].verdict is None,
    ),
    "think_missing": (
        PROMPT + "<terminated/>\n<output>42</output>",
        ["unexpected_tag", "think_missing"],
        lambda r: r.answer == "42",
    ),
    "end_missing": (
        GOOD.replace("<terminated/>\n", ""),
        ["end_missing"],
        lambda r: r.end is None and len(r.steps) == 1,
    ),
    "output_missing": (
        GOOD.replace("<output>42</output>", ""),
        ["output_missing"],
        lambda r: r.answer is None,
    ),
    "duplicate_output": (
        GOOD + "<output>43</output>",
        ["duplicate_output"],
        lambda r: r.answer == "42",
    ),
}


@pytest.mark.parametrize("code", sorted(CASES))
def test_each_error_code(code):
    text, codes, recovered = CASES[code]
    got = parse_lenient(text)
    assert got.codes() == codes
    assert not got.ok
    assert recovered(got)
    for e in got.errors:
        assert 0 <= e.offset <= len(text) and e.detail


def test_error_codes_documented_are_the_ones_tested():
    doc = parse_lenient.__doc__ or ""
    for code in CASES:
        assert code in doc


def test_missing_think_close_is_missing_close():
    got = parse_lenient(GOOD[: GOOD.index("</think>")])
    assert got.codes() == ["missing_close", "output_missing"]
    # Without </think> the output lands inside the think block.
    got = parse_lenient(GOOD.replace("</think>\n", ""))
    assert got.codes() == ["unexpected_tag", "missing_close"] and got.answer == "42"


def test_steps_after_the_end_marker_and_a_second_marker_are_out_of_place():
    got = parse_lenient(GOOD.replace("<terminated/>\n", "<terminated/>\n" + STEP))
    assert got.codes() == ["unexpected_tag"] and len(got.steps) == 2
    got = parse_lenient(GOOD.replace("<terminated/>", "<terminated/><truncated/>"))
    assert got.codes() == ["unexpected_tag"] and got.end == "terminated"


def test_output_inside_think_and_a_second_prompt_are_out_of_place():
    got = parse_lenient(GOOD.replace("</think>\n<output>42</output>", "<output>42</output></think>"))
    assert got.codes() == ["unexpected_tag"] and got.answer == "42"
    got = parse_lenient(GOOD + "<user>next question</user>")
    assert got.codes() == ["unexpected_tag"] and got.prompt == "Q"
    got = parse_lenient("<system>A</system><system>B</system><user>Q</user>\n" + GOOD[len(PROMPT) :])
    assert got.codes() == ["unexpected_tag"] and got.system == "A"


def test_empty_text_reports_every_missing_part():
    assert parse_lenient("").codes() == ["think_missing", "end_missing", "output_missing"]


def test_judge_with_whitespace_is_tolerated_but_junk_is_not():
    assert parse_lenient(GOOD.replace(">accept<", "> accept\n<")).steps[0].verdict == "accept"
    assert parse_lenient(GOOD.replace(">accept<", ">acceptable<")).codes() == ["bad_verdict"]


def test_truncated_text_keeps_the_steps_so_far():
    got = parse_lenient(GOOD[: GOOD.index("<judge>") + len("<judge>acc")])
    assert got.steps[0].proposal == "p" and got.steps[0].critic == "c"
    assert got.steps[0].verdict is None
    assert set(got.codes()) >= {"missing_close", "bad_verdict", "end_missing", "output_missing"}


TAG_OR_JUNK = st.one_of(
    st.sampled_from(T.SPECIAL_TOKENS),
    st.sampled_from(["accept", "reject", "\n", " ", "x", "<", "\\", "<\\think>", "</"]),
    st.text(max_size=5),
)


@settings(max_examples=400)
@given(st.lists(TAG_OR_JUNK, max_size=40).map("".join))
def test_never_raises_on_sequences_of_tags_and_junk(text):
    got = parse_lenient(text)
    assert isinstance(got, LenientParse)
    assert got.ok == (got.errors == [])
    assert all(s.verdict in (None, *T.VERDICTS) for s in got.steps)
    assert all(0 <= e.offset <= len(text) for e in got.errors)


@settings(max_examples=200)
@given(st.text())
def test_never_raises_on_arbitrary_text(text):
    got = parse_lenient(text)
    if T.THINK not in text:
        assert "think_missing" in got.codes()


def test_non_string_input_does_not_raise():
    assert "think_missing" in parse_lenient(None).codes()  # type: ignore[arg-type]
    got = parse_lenient(b"<think>\n<terminated/>\n</think><output>1</output>")  # type: ignore[arg-type]
    assert got.ok and got.answer == "1"
