"""The rule rewards: honest records score top marks, the known hacks score less, any text
is scored quickly without raising, and the reward spec and weighted sum behave."""

from __future__ import annotations

import itertools
import re
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rl.rewards as R
from generators.registry import domain_tasks, problem_of
from generators.step_check import check_step
from model.curriculum.exams import output_of
from reasoning import tokens as T
from reasoning.render import render, render_prompt
from reasoning.schema import Record
from reasoning.task import Problem, StepJudgement, generate_record

# Tasks whose checkers read their accepted steps and catch all their slips (docs/step_checks.md).
HONEST = [("math", "column_arithmetic", "primary"), ("math", "long_division", "primary"),
          ("math", "linear_equations", "middle"), ("math", "polynomials", "high"),
          ("logic", "truth_tables", "middle"), ("logic", "deduction_chains", "high"),
          ("code", "output_prediction", "primary")]  # fmt: skip


def _record(domain: str, task: str, level: str, index: int = 0, slip_rate: float = 0.5) -> Record:
    t = domain_tasks(domain)[task]
    return generate_record(t, level, 1, index, t.default_config(slip_rate=slip_rate))


def _completion(record: Record) -> str:
    """What a policy that wrote the record would have written after the prompt."""
    return render(record)[len(render_prompt(record.system, record.prompt)):]


def _score(name: str, completion: str, problem: Problem) -> float | None:
    return R.REWARDS[name]([completion], [problem])[0]


def _with_answer(completion: str, answer: str) -> str:
    return completion[: completion.index(T.OUTPUT)] + f"{T.OUTPUT}{answer}{T.OUTPUT_END}"


@pytest.mark.parametrize(("domain", "task", "level"), HONEST)
def test_the_honest_record_scores_top_marks(domain: str, task: str, level: str) -> None:
    slips = 0
    for index in range(3):
        record = _record(domain, task, level, index)
        completion, problem = _completion(record), problem_of(record)
        slips += sum(s.verdict == "reject" for s in record.steps)
        assert _score("correctness", completion, problem) == 1.0
        assert _score("format", completion, problem) == 1.0
        caught = sum(s.verdict == "reject" for s in record.steps)
        if caught:  # each caught slip earns CAUGHT_SLIP where a right step earns 1
            assert 0.5 < _score("steps", completion, problem) < 1.0, record.id
        else:
            assert _score("steps", completion, problem) == 1.0, record.id
        assert _score("length", completion, problem) == 0.0
    assert slips  # rejected slips were scored too


def test_an_answer_with_no_reasoning_earns_no_correctness() -> None:
    record = _record("math", "column_arithmetic", "primary")
    problem, honest = problem_of(record), _completion(record)
    bare = f"{T.TERMINATED}\n{T.THINK_END}\n{T.OUTPUT}{record.answer}{T.OUTPUT_END}"
    empty_step = f"{T.PROPOSAL} {T.PROPOSAL_END}{T.CRITIC}ok{T.CRITIC_END}{T.JUDGE}accept{T.JUDGE_END}\n" + bare
    rejected_only = honest.replace(">accept<", ">reject<")
    answer_first = f"{T.OUTPUT}{record.answer}{T.OUTPUT_END}" + honest
    for hack in (bare, empty_step, rejected_only, answer_first, record.answer):
        assert _score("correctness", hack, problem) == 0.0, hack
        assert output_of(hack) is None or problem.answer in output_of(hack)  # the answer is right
    assert _score("format", bare, problem) < _score("format", honest, problem)
    assert _score("steps", bare, problem) is None  # nothing to judge: abstains


def test_correctness_grades_the_answer_exams_read_with_the_tasks_verifier() -> None:
    record = _record("math", "linear_equations", "middle")
    problem, honest = problem_of(record), _completion(record)
    task = domain_tasks("math")["linear_equations"]
    for answer in (f"  {record.answer} ", "x = 1234", "", "<\\output>"):
        text = _with_answer(honest, answer)
        assert _score("correctness", text, problem) == task.verify(problem, output_of(text)).score
    # the first <output> counts, as in exams: a second try earns nothing
    second_try = _with_answer(honest, "x = 1234") + f"{T.OUTPUT}{record.answer}{T.OUTPUT_END}"
    assert _score("correctness", second_try, problem) == 0.0
    assert _score("correctness", honest[: honest.index(T.OUTPUT)], problem) == 0.0


def test_a_one_times_factoring_is_refused_by_the_factoring_verifier() -> None:
    record = next(r for r in (_record("math", "polynomials", "high", i) for i in range(20))
                  if r.prompt.startswith("Factor"))  # fmt: skip
    problem, honest = problem_of(record), _completion(record)
    polynomial = re.fullmatch(r"Factor (.+) completely over the integers\.", record.prompt).group(1)
    assert _score("correctness", honest, problem) == 1.0
    for hack in (f"1*({polynomial})", f"1*(1*({polynomial}))", polynomial):
        assert _score("correctness", _with_answer(honest, hack), problem) == 0.0, hack


def _column_addition() -> Record:
    return next(r for r in (_record("math", "column_arithmetic", "primary", i) for i in range(40))
                if " + " in r.prompt and sum(s.verdict == "accept" for s in r.steps) >= 3)  # fmt: skip


def test_an_accepted_false_step_costs_steps() -> None:
    record = _column_addition()
    problem, honest = problem_of(record), _completion(record)
    step = next(s for s in record.steps if s.verdict == "accept" and re.search(r"= \d+", s.proposal))
    total = re.search(r"= (\d+)", step.proposal).group(1)
    wrong = step.proposal.replace(f"= {total}", f"= {int(total) + 1}", 1)
    hacked = honest.replace(step.proposal, wrong, 1)
    has_slip = any(s.verdict == "reject" for s in record.steps)
    assert _score("steps", honest, problem) > 0.5
    if not has_slip:
        assert _score("steps", honest, problem) == 1.0
    assert _score("steps", hacked, problem) < _score("steps", honest, problem)
    # accepting the generator's own slip costs too, and so does rejecting a right step
    slip_accepted = honest.replace(">reject<", ">accept<")
    right_rejected = honest.replace(">accept<", ">reject<")
    assert _score("steps", slip_accepted, problem) < 1.0
    assert _score("steps", right_rejected, problem) < 1.0


def test_steps_follows_its_formula_and_passes_the_accepted_proposals_as_previous(monkeypatch) -> None:
    problem = problem_of(_column_addition())
    status = {"good": "valid", "bad": "invalid", "words": "unchecked"}
    seen: list[tuple[str, tuple[str, ...]]] = []

    def fake(task, problem, previous, proposal):
        seen.append((proposal, tuple(previous)))
        return StepJudgement(status[proposal.split()[0]], "fake")

    monkeypatch.setattr(R, "check_step", fake)

    def step(text: str, verdict: str | None) -> str:
        judge = "" if verdict is None else f"{T.JUDGE}{verdict}{T.JUDGE_END}"
        return f"{T.PROPOSAL}{text}{T.PROPOSAL_END}{T.CRITIC}c{T.CRITIC_END}{judge}\n"

    text = (step("good 1", "accept") + step("bad 2", "accept") + step("bad 3", "reject")
            + step("good 4", "reject") + step("words 5", "accept") + step("good 6", None))
    # good 1 +1, bad 2 accepted -1, bad 3 caught +0.5 (one right step to pay it), good 4
    # thrown away -1, words 5 nothing, good 6 (no verdict: stands) +1, over five judged
    assert _score("steps", text, problem) == pytest.approx(0.5 / 5)
    assert [prev for _, prev in seen] == [(), ("good 1",), ("good 1", "bad 2"), ("good 1", "bad 2"),
                                          ("good 1", "bad 2"), ("good 1", "bad 2", "words 5")]  # fmt: skip
    assert _score("steps", step("words 1", "accept") * 3, problem) is None


def test_writing_slips_to_reject_them_never_pays_more_than_right_steps(monkeypatch) -> None:
    """The hack a policy found: a wrong step, rejected, then the answer; or a wrong step
    rejected before every right one."""
    problem = problem_of(_column_addition())
    monkeypatch.setattr(R, "check_step", lambda task, problem, previous, proposal: StepJudgement(
        "valid" if proposal.startswith("good") else "invalid", "fake"))

    def step(text: str, verdict: str) -> str:
        return f"{T.PROPOSAL}{text}{T.PROPOSAL_END}{T.CRITIC}c{T.CRITIC_END}{T.JUDGE}{verdict}{T.JUDGE_END}\n"

    honest = "".join(step(f"good {i}", "accept") for i in range(4))
    only_caught = step("bad 1", "reject") * 3
    padded = "".join(step(f"bad {i}", "reject") + step(f"good {i}", "accept") for i in range(4))
    assert _score("steps", honest, problem) == 1.0
    assert _score("steps", only_caught, problem) == 0.0  # no right step: the catches earn nothing
    assert _score("steps", padded, problem) == pytest.approx((4 + 0.5 * 4) / 8)
    assert _score("steps", padded, problem) < _score("steps", honest, problem)
    # Catching a slip still beats letting it through.
    let_through = step("bad 0", "accept") + step("good 0", "accept")
    assert _score("steps", step("bad 0", "reject") + step("good 0", "accept"), problem) > \
        _score("steps", let_through, problem)


def test_repeated_tags_never_earn_more_format_than_a_clean_record() -> None:
    record = _record("math", "column_arithmetic", "primary")
    problem, honest = problem_of(record), _completion(record)
    first_step = honest[: honest.index("\n") + 1]
    tail = f"{T.OUTPUT}{record.answer}{T.OUTPUT_END}"
    spam = [
        honest + tail * 5,
        T.THINK * 20 + honest,
        honest.replace(T.TERMINATED, T.TERMINATED * 10),
        honest.replace(T.JUDGE_END, T.JUDGE_END + T.JUDGE_END),
        "".join(T.SPECIAL_TOKENS) * 10 + honest,
        honest.replace(first_step, first_step.replace(T.CRITIC, T.CRITIC * 3)),
        honest + T.THINK_END * 30,
    ]
    clean = _score("format", honest, problem)
    assert clean == 1.0
    scores = [_score("format", text, problem) for text in spam]
    assert all(s < clean for s in scores), scores


def test_format_credit_falls_with_the_lenient_error_count() -> None:
    record = _record("math", "column_arithmetic", "primary")
    problem, honest = problem_of(record), _completion(record)
    loose = honest.replace(f"{T.JUDGE_END}\n", f"{T.JUDGE_END}\n\n")  # layout off, structure fine
    no_output = honest[: honest.index(T.OUTPUT)]
    no_end = no_output.replace(T.TERMINATED, "")
    neither_end_nor_close = no_end.replace(T.THINK_END, "")
    chain = [honest, loose, no_output, no_end, neither_end_nor_close]
    scores = [_score("format", t, problem) for t in chain]
    assert scores[0] == 1.0 and scores[1] == R.FORMAT_PARTIAL
    assert all(a > b for a, b in itertools.pairwise(scores)), scores
    assert 0 < _score("format", "no tags at all", problem) < scores[-1]


def test_with_the_default_weights_a_right_answer_always_beats_a_wrong_one() -> None:
    w = R.DEFAULT_WEIGHTS
    assert set(w) == set(R.REWARDS) == set(R.RANGES) and set(R.RULES) <= set(w)
    best_format = R.RANGES["format"][1]
    gap = w["correctness"] * (R.RANGES["correctness"][1] - R.RANGES["correctness"][0])
    assert w["format"] * best_format < gap
    others = sum(w[n] * (hi - lo) for n, (lo, hi) in R.RANGES.items() if n != "correctness")
    assert others < gap


def test_length_is_zero_within_the_budget_then_falls_gently_to_the_floor(monkeypatch) -> None:
    problem = problem_of(_record("math", "column_arithmetic", "primary"))
    texts = ["a" * n for n in (0, 100, 101, 150, 200, 250, 10_000)]
    values = R.length_reward(texts, [problem] * len(texts), budget=100, floor=-0.8)
    assert values == [0.0, 0.0, pytest.approx(-0.01), pytest.approx(-0.5), pytest.approx(-0.8),
                      pytest.approx(-0.8), pytest.approx(-0.8)]  # fmt: skip
    monkeypatch.setattr(R, "LENGTH_BUDGET_CHARS", 10)
    assert R.REWARDS["length"](["a" * 15], [problem]) == [pytest.approx(-0.5)]
    for bad in ({"budget": 0}, {"floor": 0.5}, {"budget": 1.5}):
        with pytest.raises(ValueError):
            R.length_reward(["a"], [problem], **bad)


def test_rewards_refuse_mismatched_lists_and_unknown_tasks() -> None:
    problem = problem_of(_record("math", "column_arithmetic", "primary"))
    for reward in R.REWARDS.values():
        with pytest.raises(ValueError, match="completions for"):
            reward(["a", "b"], [problem])
    stranger = Problem(task="no_such_task", level="primary", prompt="?", steps=[], answer="1")
    with pytest.raises(ValueError, match="unknown task"):
        R.correctness(["x"], [stranger])


def test_parse_reward_spec_picks_rewards_and_weights() -> None:
    d = R.DEFAULT_WEIGHTS
    assert R.parse_reward_spec("rules") == {n: d[n] for n in R.RULES}
    assert list(R.parse_reward_spec("rules")) == list(R.RULES)
    assert R.parse_reward_spec(" correctness , format ") == {"correctness": 1.0, "format": d["format"]}
    assert R.parse_reward_spec("rules,length", "steps=0.25, correctness=2") == {
        "correctness": 2.0, "format": d["format"], "steps": 0.25, "length": d["length"]}
    assert R.parse_reward_spec("correctness", "") == {"correctness": 1.0}


@pytest.mark.parametrize(("spec", "weights", "message"), [
    ("correctnes", None, "unknown reward 'correctnes'"),
    ("rules,,length", None, "empty reward name"),
    ("", None, "empty reward name"),
    ("rules", "steps", "write name=number"),
    ("rules", "steps=abc", "not a number"),
    ("rules", "steps=nan", "finite number >= 0"),
    ("rules", "format=-1", "finite number >= 0"),
    ("correctness", "length=0.2", "do not include"),
])  # fmt: skip
def test_parse_reward_spec_refuses_bad_input_in_one_line(spec, weights, message) -> None:
    with pytest.raises(ValueError, match=message) as info:
        R.parse_reward_spec(spec, weights)
    assert "\n" not in str(info.value)


def test_combine_weights_each_reward_and_lets_abstentions_add_nothing() -> None:
    per_fn = {"correctness": [1.0, 0.0, 1.0], "steps": [None, -1.0, float("nan")], "format": [0.5, 1, 0]}
    assert R.combine(per_fn, {"correctness": 1.0, "steps": 0.5}) == [1.0, -0.5, 1.0]
    assert R.combine(per_fn, {"format": 0.1}) == [pytest.approx(0.05), pytest.approx(0.1), 0.0]
    for bad, message in (({"length": 1.0}, "no values"), ({}, "no rewards")):
        with pytest.raises(ValueError, match=message):
            R.combine(per_fn, bad)
    with pytest.raises(ValueError, match="different numbers"):
        R.combine({"correctness": [1.0], "steps": [None, None]}, {"correctness": 1, "steps": 1})


# --- fuzz: any text, scored quickly, never raising ---------------------------------------

def _fuzz_problems() -> list[Problem]:
    problems = [problem_of(_record(d, t, lv)) for d, t, lv in HONEST]
    code = next(p for p in problems if p.task == "output_prediction")
    check_step(domain_tasks("code")["output_prediction"], code, (), "L1")  # trace it once
    return problems


PROBLEMS = _fuzz_problems()
PIECES = st.one_of(
    st.sampled_from([*T.SPECIAL_TOKENS, "\n", " ", "accept", "reject", "<\\think>"]),
    st.sampled_from(["ones: 3 + 8 = 11", "x = 4", "x^2 - 9 = (x + 3)(x - 3)", "L2 `a = 1` → a = 1",
                     "p=T, q=F: ¬p = F", "1*(x^2 - 9)", "9^9^9^9 = 1", "(" * 50 + "1" + ")" * 50]),
    st.text(max_size=40),
)  # fmt: skip
TAG_SOUP = st.lists(PIECES, max_size=120).map("".join)


def _score_all_quickly(text: str) -> None:
    text = text[:2000]
    for name, reward in R.REWARDS.items():
        lo, hi = R.RANGES[name]
        for problem in PROBLEMS:
            start = time.perf_counter()
            values = reward([text], [problem])
            elapsed = time.perf_counter() - start
            assert elapsed < 1.0, (name, problem.task, elapsed, text)
            assert len(values) == 1
            assert values[0] is None or lo <= values[0] <= hi, (name, values)
            assert values[0] is not None or name == "steps"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=2000))
def test_every_reward_scores_any_text_quickly(text: str) -> None:
    _score_all_quickly(text)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TAG_SOUP)
def test_every_reward_scores_any_tag_sequence_quickly(text: str) -> None:
    _score_all_quickly(text)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(PIECES, st.sampled_from(["accept", "reject", "maybe"])), max_size=25))
def test_every_reward_scores_well_formed_steps_of_any_content_quickly(steps) -> None:
    body = "".join(f"{T.PROPOSAL}{p}{T.PROPOSAL_END}{T.CRITIC}c{T.CRITIC_END}{T.JUDGE}{v}{T.JUDGE_END}\n"
                   for p, v in steps)  # fmt: skip
    _score_all_quickly(body + f"{T.TERMINATED}\n{T.THINK_END}\n{T.OUTPUT}1{T.OUTPUT_END}")
