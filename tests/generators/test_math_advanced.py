"""High-school and university math tasks: determinism, oracle/perturbed answers, an
independent re-check of every step's claim with sympy, and config validation."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest
import sympy

from generators.math import TASKS
from reasoning.task import Problem, generate_record, item_rng

# task name -> (level, a perturbation of the oracle answer that must score below 1)
N_ITEMS = 25


def flip_finite_end(interval: str) -> str:
    """`(-oo, 3]` -> `(-oo, 3)` and `[2, oo)` -> `(2, oo)`: open/closed swapped."""
    swap = {"(": "[", "[": "(", ")": "]", "]": ")"}
    if interval.startswith("(-oo"):
        return interval[:-1] + swap[interval[-1]]
    return swap[interval[0]] + interval[1:]

SPECS: dict[str, tuple[str, Callable[[Problem], str]]] = {
    "derivatives": ("university", lambda p: p.answer + " + 1"),
    "integrals": ("university", lambda p: p.answer.replace(" + C", " + x + C")),
    "quadratics": ("high", lambda p: p.answer + " or x = 1234"),
    "polynomials": ("high", lambda p: p.answer + " + 1" if p.data["mode"] == "expand" else p.answer + "*x"),
    "linear_inequalities": ("high", lambda p: flip_finite_end(p.answer)),
    "sequences": ("high", lambda p: p.answer + " + 1"),
    "logarithms": ("high", lambda p: p.answer + " - 1"),
    "counting_probability": ("high", lambda p: f"2*({p.answer})"),
    "limits": ("university", lambda p: f"{p.answer} + 1/2"),
    "determinants": ("university", lambda p: f"{p.answer} + 1"),
    "matrix_inverse": ("university", lambda p: p.answer.replace("[[", "[[1 + ", 1)),
    "eigenvalues": ("university", lambda p: p.answer.replace("λ = ", "λ = 1 + ", 1)),
    "taylor": ("university", lambda p: p.answer + " + x^7"),
}
X, U, C = sympy.symbols("x u C")
LOCALS = {"x": X, "u": U, "C": C, "lam": sympy.Symbol("lam"), "ff": sympy.ff}


def problems(name: str, slip_rate: float = 0.5) -> list[Problem]:
    task = TASKS[name]
    level = SPECS[name][0]
    cfg = task.default_config(slip_rate=slip_rate)
    return [task.generate(item_rng(name, task.version, level, 7, i), level, cfg) for i in range(N_ITEMS)]


def claim_holds(detail: str) -> bool:
    """Re-check a step's claim `A == B` (or `A <=> B` for inequalities) with sympy, without
    the generator's code: evaluate both sides symbolically, then compare at random points."""
    if " <=> " in detail:
        left, right = (sympy.sympify(s, locals=LOCALS) for s in detail.split(" <=> "))
        return (sympy.solveset(left, X, sympy.S.Reals) == sympy.solveset(right, X, sympy.S.Reals))
    lhs, rhs = detail.split(" == ", 1)
    a = sympy.sympify(lhs, locals=LOCALS).doit()
    b = sympy.sympify(rhs, locals=LOCALS).doit()
    if isinstance(a, (sympy.Set, sympy.MatrixBase)) or isinstance(b, (sympy.Set, sympy.MatrixBase)):
        return a == b
    d = a - b
    if sympy.expand(d) == 0:
        return True
    rng = random.Random(detail)
    for _ in range(4):
        env = {s: sympy.Rational(rng.randint(101, 499), 97) for s in d.free_symbols}
        if abs(complex(d.subs(env).evalf(30))) > 1e-15:
            return False
    return True


@pytest.mark.parametrize("name", sorted(SPECS))
def test_same_seed_same_record(name):
    task, level = TASKS[name], SPECS[name][0]
    cfg = task.default_config(slip_rate=0.3)
    for index in range(5):
        a = generate_record(task, level, 3, index, cfg)
        b = generate_record(task, level, 3, index, cfg)
        assert a.model_dump_json() == b.model_dump_json()
    assert generate_record(task, level, 3, 0, cfg) != generate_record(task, level, 4, 0, cfg)


@pytest.mark.parametrize("name", sorted(SPECS))
def test_oracle_scores_one_and_perturbed_below_one(name):
    task, perturb = TASKS[name], SPECS[name][1]
    for p in problems(name):
        assert task.verify(p, p.answer).score == 1.0, (p.prompt, p.answer)
        wrong = perturb(p)
        assert task.verify(p, wrong).score < 1.0, (p.prompt, wrong)


@pytest.mark.parametrize("name", sorted(SPECS))
def test_every_step_rechecks_independently(name):
    slips = 0
    for p in problems(name):
        for step in p.steps:
            if step.check.checker == "antiderivative_form":  # a `+ C` slip: no identity
                assert step.verdict == "reject" and "+ C" not in step.proposal
                continue
            assert claim_holds(step.check.detail) == (step.verdict == "accept"), step
        if p.error is not None:
            slips += 1
            wrong = p.steps[p.error.first_divergent_step]
            assert wrong.verdict == "reject" and wrong.slip == p.error.kind.removeprefix("slip:")
            assert p.steps[p.error.first_divergent_step + 1].verdict == "accept"
    assert slips > 0  # slip_rate 0.5 must inject some


@pytest.mark.parametrize("name", sorted(SPECS))
def test_no_slips_at_rate_zero(name):
    for p in problems(name, slip_rate=0.0):
        assert p.error is None and all(s.verdict == "accept" for s in p.steps)


# one task-specific bad setting per task, and the words its error must contain
BAD_SETTINGS = {
    "derivatives": ({"rules": ("power",)}, "rules"),
    "integrals": ({"techniques": ()}, "techniques"),
    "quadratics": ({"max_root": 1}, "max_root"),
    "polynomials": ({"modes": ("divide",)}, "modes"),
    "linear_inequalities": ({"max_coefficient": 1}, "max_coefficient"),
    "sequences": ({"max_n": 100}, "max_n"),
    "logarithms": ({"bases": (1,)}, "bases"),
    "counting_probability": ({"kinds": ("dice",)}, "kinds"),
    "limits": ({"kinds": ()}, "kinds"),
    "determinants": ({"sizes": (4,)}, "sizes"),
    "matrix_inverse": ({"max_entry": 0}, "max_entry"),
    "eigenvalues": ({"irrational_share": 2.0}, "irrational_share"),
    "taylor": ({"max_order": 20}, "max_order"),
}


@pytest.mark.parametrize("name", sorted(SPECS))
def test_bad_config_raises_clear_error(name):
    task = TASKS[name]
    with pytest.raises(ValueError, match="slip_rate"):
        task.default_config(slip_rate=1.5)
    with pytest.raises(ValueError, match="no config key"):
        task.default_config(nonsense=1)
    settings, words = BAD_SETTINGS[name]
    with pytest.raises(ValueError, match=words):
        task.default_config(**settings)


def test_derivatives_accepts_equivalent_forms():
    task = TASKS["derivatives"]
    p = task.generate(random.Random(0), "university", task.default_config(rules=("product",)))
    expanded = str(sympy.expand(sympy.sympify(p.data["expected"].replace("^", "**")))).replace("**", "^")
    assert task.verify(p, expanded).score == 1.0
    assert task.verify(p, "f'(x) = " + p.answer).score == 1.0
    assert task.verify(p, "__import__('os')").score == 0.0


def test_integrals_constant_offset_and_missing_c():
    task = TASKS["integrals"]
    for p in problems("integrals")[:8]:
        base = p.answer.removesuffix(" + C")
        assert task.verify(p, f"{base} + 7 + C").score == 1.0
        assert task.verify(p, base).score == 0.5


def test_quadratics_any_order_and_forms():
    task = TASKS["quadratics"]
    for p in problems("quadratics"):
        values = p.data["expected"]
        assert task.verify(p, "{" + ", ".join(reversed(values)) + "}").score == 1.0
        if len(values) == 2 and "sqrt" not in values[0]:
            assert task.verify(p, f"x = {values[0]}").score == 0.0


GOLDEN = {  # seed 0, index 0, default config: pinned so a change in generation is noticed
    "quadratics": ("Solve 2*x^2 = -16*x for x by factoring. Give every root.", "x = -8 or x = 0"),
    "integrals": ("Find ∫ x*cos(x) dx by parts. Include the constant of integration C.",
                  "x*sin(x) + cos(x) + C"),
    "matrix_inverse": ("Find the inverse of the matrix A = [[5, 0], [-3, -1]].",
                       "[[1/5, 0], [-3/5, -1]]"),
    "taylor": ("Find the Taylor polynomial of degree 6 of f(x) = -sin(4*x) about x = 0.",
               "-128*x^5/15 + 32*x^3/3 - 4*x"),
}


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_golden_records(name):
    task = TASKS[name]
    record = generate_record(task, task.levels[0], 0, 0, task.default_config())
    assert (record.prompt, record.answer) == GOLDEN[name]
