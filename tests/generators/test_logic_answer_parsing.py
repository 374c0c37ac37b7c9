"""Logic answer parsing: accepted phrasings, refused text, and a fuzz test of every verifier."""

from __future__ import annotations

import random
import time
from fractions import Fraction

import pytest

from generators.logic import TASKS
from generators.logic.expressions import evaluate_expression, matches_terms, parse_expression
from generators.logic.knights_knaves import ROLE_WORDS
from generators.logic.logic_answers import (
    parse_assignment,
    parse_truth,
    parse_truth_list,
    parse_truth_or_unknown,
    parse_validity,
)
from reasoning.task import Dropped, generate_problem


@pytest.mark.parametrize(("text", "value"), [
    ("True", True), ("true", True), ("yes", True), ("T", True), ("**true**", True),
    ("Answer: false.", False), ("F", False), ("no", False), ("0", False), ("It is true", True)])
def test_truth_phrasings(text, value):
    assert parse_truth(text)[0] is value


@pytest.mark.parametrize("text", ["maybe", "truee", "", "true false", "1 == 1"])
def test_truth_refuses(text):
    assert parse_truth(text)[0] is None


def test_truth_lists_and_validity():
    want = [True, False, True, True]
    for text in ("T, F, T, T", "[true, false, true, true]", "1 0 1 1", "TFTT", "(T; F; T; T)"):
        assert parse_truth_list(text)[0] == want
    assert parse_truth_list("T, F, maybe")[0] is None
    assert parse_validity("Valid")[0] is True and parse_validity("invalid")[0] is False
    assert parse_validity("The syllogism is not valid.")[0] is False
    assert parse_validity("perhaps")[0] is None


def test_assignments_in_any_order_and_phrasing():
    want = {"A": True, "B": False}
    for text in ("A: knight, B: knave", "B: knave, A: knight", "A is a knight, B is a knave",
                 "A is a knight and B is a knave", "a = knight; b = liar"):
        assert parse_assignment(text, ["A", "B"], ROLE_WORDS)[0] == want
    assert parse_assignment("A: knight, A: knave", ["A", "B"], ROLE_WORDS)[0] is None
    assert parse_assignment("Z: knight", ["A", "B"], ROLE_WORDS)[0] is None
    words = {"t": True, "f": False, "true": True, "false": False}
    assert parse_assignment("x1=T, ¬x2, x3", ["x1", "x2", "x3"], words, bare_literals=True)[0] == {
        "x1": True, "x2": False, "x3": True}


@pytest.mark.parametrize(("text", "n", "value"), [
    ("n^2 + 2", 3, 11), ("2n+1", 4, 9), ("n(n+1)/2", 4, 10), ("a_n = 3*2^(n-1)", 3, 12),
    ("(n+1)(n+2)", 1, 6), ("-n^2", 3, -9), ("2^3^2", 0, 512), ("4*(-2)^n + 3", 3, -29),
    ("n**2", 5, 25), ("2^-1", 0, Fraction(1, 2))])
def test_expression_golden_values(text, n, value):
    node, why = parse_expression(text)
    assert node is not None, why
    assert evaluate_expression(node, n)[0] == value


@pytest.mark.parametrize("text", ["9**9**9**9", "n^(10^10)", "2^65", "1/0", "n/(n-n)",
                                  "__import__('os')", "n +", "(n", "n)", "x^2", "1e9", "n!"])
def test_expression_refusals(text):
    node, _ = parse_expression(text)
    assert node is None or evaluate_expression(node, 3)[0] is None


def test_matches_terms_names_the_miss():
    assert matches_terms("n^2", {1: 1, 2: 4, 3: 9})[0]
    ok, why = matches_terms("n^2 + 1", {1: 1, 2: 4})
    assert not ok and "n = 1" in why


HOSTILE = ["__import__('os').system('x')", "9**9**9**9", "n^(10^10)", "(" * 10_000 + ")" * 10_000,
           "(" * 10_000 + "n" + ")" * 10_000, "\x00", "x" * 1_000_000, "T, " * 100_000,
           "A: knight, " * 5000, "-" * 5000 + "1", "2^" * 150 + "2", "((((n))))" * 30,
           "exec('1')", "lambda: 0", "{}", "[[[[]]]]", "A is a knight\x00", "UNSAT" * 1000,
           "x1=T, " * 3000, "¬" * 10_000 + "x1", "n" * 299, "9" * 299, "(9^9)^(9^9)", None, 5]


def _garbage(rng: random.Random) -> str:
    alphabet = "TFtf01 ,;:=()[]^*+-/n¬~!xAB knightavevalidUNSAT\n\t\\\"'`" + "".join(
        chr(rng.randrange(32, 0x2FFF)) for _ in range(8))
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 80)))


@pytest.mark.slow
def test_fuzz_every_verifier_never_raises_and_stays_fast():
    rng = random.Random(2024)
    cases, by_task = [], {}
    for name, task in TASKS.items():
        for level in task.levels:
            for i in range(3 if name == "induction_proofs" else 6):
                try:
                    cases.append((task, generate_problem(task, level, 5, i, task.default_config())))
                    by_task.setdefault(name, []).append(cases[-1])
                except Dropped:
                    pass
    texts = HOSTILE + [_garbage(rng) for _ in range(3000)]
    worst, calls = 0.0, 0
    for k, text in enumerate(texts):
        # hostile strings go to every problem; each garbage string to one problem per task
        targets = cases if k < len(HOSTILE) else [ps[k % len(ps)] for ps in by_task.values()]
        for task, problem in targets:
            start = time.perf_counter()
            verdict = task.verify(problem, text)
            worst = max(worst, time.perf_counter() - start)
            calls += 1
            assert 0.0 <= verdict.score <= 1.0 and isinstance(verdict.reason, str)
            if k < len(HOSTILE):
                assert verdict.score == 0.0
    assert calls > 3000 * len(TASKS)
    assert worst < 1.0, f"slowest verifier call took {worst:.3f} s"


@pytest.mark.parametrize(("text", "value"), [
    ("unknown", "unknown"), ("Cannot be determined.", "unknown"), ("it is undetermined", "unknown"),
    ("**Unknown**", "unknown"), ("true", "true"), ("Answer: F", "false"), ("no", "false")])
def test_truth_or_unknown_reads_three_answers(text, value):
    assert parse_truth_or_unknown(text)[0] == value


@pytest.mark.parametrize("text", ["maybe", "unknown-ish", "", None, "x" * 3000, "true or unknown"])
def test_truth_or_unknown_refuses_other_text(text):
    assert parse_truth_or_unknown(text)[0] is None
