"""The math findings of the data audit (issue 10), checked on generated text: complete
factorings and their verifier, shown arithmetic that holds as written, critics that do not
give the answer away, slips that look like people's mistakes, and the wording."""

from __future__ import annotations

import ast
import collections
import contextlib
import operator
import random
import re
from fractions import Fraction

import pytest

from generators.math import TASKS
from generators.math.polynomials import TASK as POLYNOMIALS
from generators.slips import wrong_value
from reasoning.task import Dropped, Problem, generate_problem


def _problems(name: str, n: int, slip_rate: float | None = None) -> list[Problem]:
    task = TASKS[name]
    config = task.default_config() if slip_rate is None else task.default_config(slip_rate=slip_rate)
    out = []
    for level in task.levels:
        for i in range(n):
            with contextlib.suppress(Dropped):
                out.append(generate_problem(task, level, 7, i, config))
    return out


def _factor_problem(expected: str) -> Problem:
    return Problem(task="polynomials", level="high", prompt="", steps=[], answer=expected,
                   data={"expected": expected, "mode": "factor"})


def test_factorings_are_complete_and_the_verifier_wants_them_complete():
    factor = [p for p in _problems("polynomials", 300) if p.data["mode"] == "factor"]
    assert len(factor) > 100
    for p in factor:
        assert POLYNOMIALS.verify(p, p.answer).score == 1.0, p.answer
        poly = p.prompt.removeprefix("Factor ").removesuffix(" completely over the integers.")
        assert POLYNOMIALS.verify(p, poly).score == 0.0
        assert POLYNOMIALS.verify(p, f"1*({poly})").score == 0.0
    p = _factor_problem("3*(x - 1)*(x - 3)")
    for bad in ("(x - 3)*(3*x - 3)", "1*(3*x^2 - 12*x + 9)", "3*x^2 - 12*x + 9",
                "(3x - 3)(x - 3)", "3*(x^2 - 4x + 3)", "3*1*(x - 1)*(x - 3)"):
        assert POLYNOMIALS.verify(p, bad).score == 0.0, bad
    for good in ("3*(x - 1)*(x - 3)", "3(x-3)(x-1)", "-3*(1 - x)*(x - 3)"):
        assert POLYNOMIALS.verify(p, good).score == 1.0, good


_OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
        ast.Div: operator.truediv, ast.Pow: operator.pow}


def _evaluate(text: str) -> Fraction | None:
    """The value of shown integer arithmetic, parsed as written (-7^2 is -49), else None."""
    if not re.fullmatch(r"[\d\s+\-−×·÷*/^()]+", text) or not re.search(r"\d", text):
        return None
    src = text.replace("−", "-").replace("×", "*").replace("·", "*").replace("÷", "/")
    try:
        tree = ast.parse(src.replace("^", "**"), mode="eval")
    except SyntaxError:
        return None

    def ev(node: ast.AST) -> Fraction:
        if isinstance(node, ast.Constant) and isinstance(node.value, int):
            return Fraction(node.value)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            v = ev(node.operand)
            return -v if isinstance(node.op, ast.USub) else v
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            left, right = ev(node.left), ev(node.right)
            if isinstance(node.op, ast.Pow):
                if right.denominator != 1 or abs(right) > 12:
                    raise ValueError
                return left ** int(right)
            return _OPS[type(node.op)](left, right)
        raise ValueError

    try:
        return ev(tree.body)
    except (ValueError, ZeroDivisionError):
        return None


# `arithmetic = number` standing alone: at the start or after `: `, `→ `, `, ` or `; `
_SHOWN = re.compile(r"(?:^|(?<=[:→,;] ))([\d\s+\-−×·÷*/^()]+?) = (-?\d+(?:/\d+)?)(?= ✓|,|$|;| →| ✗)")


@pytest.mark.parametrize("name", sorted(TASKS))
def test_shown_arithmetic_holds_as_written(name):
    """Every `arithmetic = number` in an accepted step, parsed independently of the
    generator (ordinary precedence, so -7^2 is -49), has the value it claims."""
    checked = 0
    for p in _problems(name, 60):
        for step in p.steps:
            if step.verdict != "accept":
                continue
            for text in (step.proposal, step.critic):
                for lhs, rhs in _SHOWN.findall(text):
                    value = _evaluate(lhs.strip())
                    if value is None or not re.search(r"[+\-×·÷*/^]", lhs.strip().lstrip("-")):
                        continue
                    checked += 1
                    assert value == Fraction(rhs), (name, text)
    if name == "quadratics":
        assert checked > 50  # the discriminants, (-7)^2 - 4·2·4 = 17


def test_a_carry_is_dropped_only_where_there_was_one():
    for p in _problems("column_arithmetic", 600, slip_rate=0.5):
        for i, step in enumerate(p.steps):
            if step.slip == "dropped_carry":
                right = p.steps[i + 1].proposal
                assert right.split(": ")[1].split(" = ")[0].endswith("+ 1"), right
                before = [s for s in p.steps[:i] if s.verdict == "accept"]
                assert before and "carry 1" in before[-1].proposal, (p.prompt, step.proposal)


def test_no_forgotten_constant_slip():
    assert not any(s.slip == "forgot_constant" for p in _problems("integrals", 200, 0.5)
                   for s in p.steps)


@pytest.mark.parametrize("name", ["linear_equations", "linear_systems"])
def test_critics_do_not_quote_the_answer_before_it_is_derived(name):
    """Before the step that derives a value, the value appears in no critic unless it is a
    number of the critic's own step or the question (0 and 1 are too common to tell)."""
    for p in _problems(name, 400):
        asked = set(re.findall(r"-?\d+", p.prompt))
        values = [v for v in re.findall(r"-?\d+(?:/\d+)?", p.answer)]
        for value in values:
            derive = next(i for i, s in enumerate(p.steps)
                          if s.verdict == "accept" and s.proposal.endswith(f"= {value}"))
            for step in p.steps[:derive]:
                if step.verdict != "accept":  # a rejected slip's critic corrects that step
                    continue
                nums = set(re.findall(r"-?\d+(?:/\d+)?", step.proposal))
                for n in re.findall(r"-?\d+(?:/\d+)?", step.critic):
                    known = {k.lstrip("-") for k in nums | asked} | {"0", "1"}
                    assert n != value or n.lstrip("-") in known, (p.prompt, step.critic)


def test_wrong_values_look_like_mistakes():
    rng = random.Random(11)
    kinds = collections.Counter()
    for _ in range(1000):
        x, y = rng.randint(2, 12), rng.randint(2, 99)
        op = rng.choice("+-×")
        right = {"+": x + y, "-": abs(x - y), "×": x * y}[op]
        kind, wrong = wrong_value(rng, right, operation=(x, op, y))
        assert wrong != right and wrong >= 0
        kinds[kind] += 1
    assert kinds["off_by_one"] < 350
    assert {"transposed_digits", "carry_column", "table_neighbour", "wrong_operation"} <= set(kinds)
    assert kinds == collections.Counter(
        {"carry_column": 339, "transposed_digits": 266, "wrong_operation": 141,
         "off_by_one": 132, "table_neighbour": 122}), kinds


def test_task_slips_are_not_mostly_off_by_one():
    """Across the arithmetic tasks' value slips, ±1 is a minority."""
    off, total = 0, 0
    for name in ("column_arithmetic", "one_digit_sums", "gcd_lcm", "powers", "long_multiplication",
                 "order_of_operations", "ratios", "long_division", "next_in_sequence"):
        for p in _problems(name, 200, slip_rate=0.5):
            for s in p.steps:
                if s.slip in ("off_by_one", "carry_column", "transposed_digits",
                              "table_neighbour", "wrong_operation", "sign_error"):
                    total += 1
                    off += s.slip == "off_by_one"
    assert total > 300 and off / total < 0.35, (off, total)


_TEXT_FAULTS = {
    "plural placeholder": re.compile(r"\(s\)|fishs|sheeps|mouses"),
    "a before a vowel": re.compile(r"\ba [aeiou]"),
    "coefficient 1": re.compile(r"(?<![\w.^/])1[a-z]\b"),
    "term 0": re.compile(r"[a-z)] [+-] 0\b(?![.\d/])"),
    "two signs": re.compile(r"(?<![\w)])[-+] -\d"),
    "negative after an operator": re.compile(r"(?<![A-Za-z])[·×÷*/^]\s?-\d"),
}


@pytest.mark.parametrize("name", sorted(TASKS))
def test_text_reads_right(name):
    for p in _problems(name, 80, slip_rate=0.3):
        texts = [p.prompt, p.answer] + [t for s in p.steps for t in (s.proposal, s.critic)]
        for text in texts:
            for fault, pattern in _TEXT_FAULTS.items():
                assert not pattern.search(text), (fault, text)


@pytest.mark.parametrize("name", ["quadratics", "eigenvalues", "logarithms"])
def test_roots_ascending_in_one_shape(name):
    """A set of roots reads `x = a or x = b`: ascending, every root written the same way
    (3/2 - sqrt(3)/2 or 3/2 + sqrt(3)/2, never sqrt(3)/2 + 3/2), and a solved equation
    names its unknown as linear equations do."""
    for p in _problems(name, 200):
        if p.prompt.startswith("Solve") or " or " in p.answer:
            parts = p.answer.split(" or ")
            assert all(re.fullmatch(r"[xλ] = \S.*", v) for v in parts), p.answer
            values = [eval_root(v.split(" = ")[1]) for v in parts]
            assert values == sorted(values), p.answer
            shapes = {re.sub(r"\d+", "N", v.split(" = ")[1].lstrip("-")).replace("+", "±")
                      .replace("- ", "± ") for v in parts}
            assert len(shapes) == 1, p.answer


def eval_root(text: str) -> float:
    """A root like `-1/2 + sqrt(5)/2` as a float (tests only; our own answer text)."""
    import sympy

    return float(sympy.sympify(text))


def test_derivative_answers_are_simplified():
    """No exponential left to cancel, no sin² + cos² left standing."""
    tidied = 0
    for p in _problems("derivatives", 300):
        assert p.answer.count("exp(") <= 1, p.answer
        assert not re.search(r"\d*\*?sin\((.+?)\)\^2 \+ \d*\*?cos\(\1\)\^2\)/", p.answer), p.answer
        tidied += any(s.proposal.startswith("simplify") for s in p.steps)
    assert tidied > 30
