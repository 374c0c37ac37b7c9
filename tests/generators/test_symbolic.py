"""The restricted answer grammar: golden parses, fair comparisons, round trips from sympy,
and a fuzz of garbage and hostile text through the parser and every sympy task's verifier."""

from __future__ import annotations

import contextlib
import random
import time
from fractions import Fraction

import pytest
import sympy

from generators.answer_comparison import from_sympy, same_function, same_value, to_sympy
from generators.answer_grammar import (
    ParseError,
    parse_expression,
    parse_interval,
    parse_matrix,
    parse_values,
)
from generators.math import TASKS
from reasoning.task import Verdict, item_rng

X = sympy.Symbol("x")
SYMPY_TASKS = ("quadratics", "polynomials", "linear_inequalities", "sequences", "logarithms",
               "counting_probability", "derivatives", "integrals", "limits", "determinants",
               "matrix_inverse", "eigenvalues", "taylor")  # fmt: skip
HOSTILE = [
    "__import__('os').system('x')", "9**9**9**9", "x^(10^10)", "(" * 10_000 + "x" + ")" * 10_000,
    "(" * 45 + "1" + ")" * 45, "-" * 300 + "1", "1e999999", "\\frac{1}{0}", "\x00", "", " ",
    "x" * 600, "x" * 120, "2^2^2^2^2^2", "e^e^e^e", "pi^pi^pi", "((x^99)^99)^99", "(x+1)^100",
    "exp(exp(exp(10)))", "exp(1000)", "171!", "170!", "3.5!", "(-8)^(1/3)", "0^0", "0^-1", "1/0",
    "log(0)", "sqrt(-1)", "tan(pi/2)", "10^300*10^300", "9" * 61, "0." + "1" * 70,
    "sin(" * 30 + "x" + ")" * 30, "[[1, 2], [3]]", "[[" * 200, "{" + ",".join("1" * 11) + "}",
    "x = 1 or or", "(-oo, oo)", "x < 3 < x", "|x|", "||x||", "abs(", "λ = 1", "∞", "−1", "½",
    "\\boxed{x^{9^{9^{9}}}}", "$\\int_0^1 x dx$", "\\sqrt{-1}", "$" * 100, "\\frac{" * 100,
    "$x^{2}+\\frac{1}{2}$", "\\boxed{\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}}", "lambda: 0",
    "().__class__.__bases__[0].__subclasses__()", "Matrix([[1]])", "Integral(x, x)", "oo - oo",
]  # fmt: skip
VOCAB = ["x", "y", "C", "1", "2", "0", "9", "99", ".", "/", "*", "^", "**", "+", "-", "(", ")", "[",
         "]", "{", "}", ",", "=", "<", ">", "<=", "!", "|", " ", "sin", "log", "sqrt", "exp", "pi",
         "oo", "e", "or", "and", "λ", "±", "∞", "÷", "__", "import", "'", '"', ";", "@", "#"]  # fmt: skip


VALID = [v for v in VOCAB if v not in ("__", "import", "'", '"', "@", "#", ";")]
LATEX = ["\\frac{", "}", "{", "x", "^", "2", "9", "\\sqrt{", "\\boxed{", "$", "\\pi", "\\cdot",
         "\\left(", "\\right)", "+", "-", "e", "\\infty", "\\ln", "_", "\\int", "\\\\", "&"]  # fmt: skip


def garbage(rng: random.Random, vocab: list[str] = VOCAB) -> str:
    return "".join(rng.choice(vocab) for _ in range(rng.randint(1, 40)))


@pytest.mark.parametrize(("text", "expected"), [
    ("2x^2 - 3x + 1", 2 * X**2 - 3 * X + 1),
    ("(x+1)(x-2)", (X + 1) * (X - 2)),
    ("x = 3", sympy.Integer(3)),
    ("-x^2", -X**2),
    ("2/3x", sympy.Rational(2, 3) * X),
    ("x**2 * 3", 3 * X**2),
    ("sin x^2", sympy.sin(X**2)),
    ("ln(x) + e^x", sympy.log(X) + sympy.exp(X)),
    ("3·x − 1", 3 * X - 1),
    ("√(x+1)", sympy.sqrt(X + 1)),
    ("f'(x) = 0.25x", X / 4),
    ("4!", sympy.Integer(24)),
    ("sin^2(x) + cos^2 x", sympy.Integer(1)),
    ("e^{2x}", sympy.exp(2 * X)),
])  # fmt: skip
def test_golden_parses(text, expected):
    assert sympy.simplify(to_sympy(parse_expression(text)) - expected) == 0


def test_values_intervals_and_matrices():
    values = [to_sympy(v) for v in parse_values("x = 1 or x = -2")]
    assert values == [1, -2]
    assert [to_sympy(v) for v in parse_values("{1/2, 0.5}")] == [sympy.Rational(1, 2)] * 2
    pm = [to_sympy(v) for v in parse_values("x = (3 ± sqrt(17))/4")]
    assert pm == [(3 + sympy.sqrt(17)) / 4, (3 - sympy.sqrt(17)) / 4]
    assert parse_interval("(-oo, 3]") == (None, False, Fraction(3), True)
    assert parse_interval("x >= 5/2") == (Fraction(5, 2), True, None, False)
    assert parse_interval("3 > x") == (None, False, Fraction(3), False)
    assert parse_interval("2 < x <= 5") == (Fraction(2), False, Fraction(5), True)
    rows = parse_matrix("[[1, 2], [3, -4/5]]")
    assert [[to_sympy(v) for v in r] for r in rows] == [[1, 2], [3, sympy.Rational(-4, 5)]]


def test_values_compare_fairly():
    p = parse_expression
    assert same_value(p("1/2"), p("0.5")) and same_value(p("2/4"), p("0.5"))
    assert same_value(p("sqrt(8)"), p("2sqrt(2)"))
    assert not same_value(p("0.333"), p("1/3"))
    assert not same_value(p("0.3333333333333333"), p("1/3"))  # exact: a decimal is not 1/3
    assert not same_value(p("1.618033988749895"), p("(1 + sqrt(5))/2"))
    assert same_function(p("(x+1)^2"), p("x^2 + 2x + 1"))
    assert not same_function(p("(x+1)^2"), p("x^2 + 2x"))
    assert same_function(p("sin(x)^2"), p("-cos(x)^2"), up_to_constant=True)
    assert not same_function(p("sin(x)^2"), p("cos(x)^2"), up_to_constant=True)


def test_round_trip_from_sympy():
    """Printing a sympy expression and parsing it back gives the same expression."""
    rng = random.Random(5)
    atoms = [X, X**2, sympy.sin(2 * X), sympy.exp(-X), sympy.log(X + 3), sympy.sqrt(X + 1),
             sympy.Rational(3, 7), sympy.pi, 1 / (X - 2)]  # fmt: skip
    for _ in range(200):
        expr = sympy.Add(*(rng.randint(-5, 5) * rng.choice(atoms) * rng.choice(atoms) for _ in range(3)))
        text = str(expr).replace("**", "^")
        back = to_sympy(parse_expression(text))
        assert sympy.expand(back - expr) == 0, text
        assert from_sympy(expr) is not None


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_is_refused_or_bounded(text):
    start = time.perf_counter()
    for parse in (parse_expression, parse_values, parse_matrix, parse_interval):
        # ParseError is the one way the grammar refuses: no other exception may escape
        with contextlib.suppress(ParseError):
            parse(text)
    assert time.perf_counter() - start < 1.0


def test_parser_fuzz_raises_only_parse_errors():
    rng = random.Random(11)
    for _ in range(3000):
        text = garbage(rng, VALID if rng.random() < 0.7 else VOCAB)
        try:
            node = parse_expression(text, ("x", "y", "C"))
        except ParseError:
            continue
        same_function(node, node, ("x", "y", "C"))  # evaluation of anything parsed is safe too


@pytest.mark.slow
@pytest.mark.parametrize("name", SYMPY_TASKS)
def test_verifier_fuzz_never_raises_and_stays_fast(name):
    task = TASKS[name]
    level = task.levels[0]
    problem = task.generate(item_rng(name, task.version, level, 0, 0), level, task.default_config())
    rng = random.Random(name)
    texts = (HOSTILE + [garbage(rng) for _ in range(1000)] + [garbage(rng, VALID) for _ in range(1000)]
             + [garbage(rng, LATEX) for _ in range(40)] + [problem.answer + g for g in HOSTILE[:20]])
    worst = 0.0
    for text in texts:
        start = time.perf_counter()
        verdict = task.verify(problem, text)
        worst = max(worst, time.perf_counter() - start)
        assert isinstance(verdict, Verdict)
    assert worst < 1.0, f"{name}: slowest verify call took {worst:.2f}s"
    assert task.verify(problem, problem.answer).score == 1.0


def test_latex_answers_go_through_math_verify():
    task = TASKS["derivatives"]
    problem = task.generate(random.Random(2), "university", task.default_config(rules=("chain",)))
    latex = sympy.latex(to_sympy(parse_expression(problem.answer)))
    assert task.verify(problem, f"${latex}$").score == 1.0
    assert task.verify(problem, f"${latex} + 1$").score == 0.0
    integrals = TASKS["integrals"]
    p = integrals.generate(random.Random(3), "university", integrals.default_config(techniques=("partial_fractions",)))
    tex = sympy.latex(to_sympy(parse_expression(p.data["expected"])))
    assert integrals.verify(p, f"${tex} + C$").score == 1.0  # math_verify reads C as c
    assert integrals.verify(p, f"${tex}$").score == 0.5
    assert integrals.verify(p, f"${tex} + x + C$").score == 0.0
    quad = TASKS["quadratics"]
    p = quad.generate(random.Random(1), "high", quad.default_config(methods=("factoring",)))
    roots = [to_sympy(parse_expression(v, ())) for v in p.data["expected"]]
    assert quad.verify(p, "$\\boxed{" + ", ".join(sympy.latex(r) for r in reversed(roots)) + "}$").score == 1.0
    assert quad.verify(p, "$\\boxed{" + sympy.latex(roots[0] + 1) + "}$").score == 0.0
