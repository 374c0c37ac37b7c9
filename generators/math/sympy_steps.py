"""Step building shared by the sympy math tasks: printing sympy objects in the answer
notation, checked claims (`claim`, `claim_derivative`, `exact_claim`), a fast `derivative`,
and `Trace`, which collects checked steps and injects labelled slips.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from functools import lru_cache
from typing import Any

from generators.answer_comparison import from_sympy, same_function, same_value
from generators.answer_grammar import ParseError
from generators.sympy_printing import sstr
from reasoning.steps import Slip, StepLog
from reasoning.task import Dropped


def fmt(expr: Any) -> str:
    """Answer/step text of a sympy object, in the notation `parse_expression` reads."""
    return sstr(expr).replace("**", "^")


def sympy_same(a: Any, b: Any) -> bool:
    """Whether sympy objects `a` and `b` are equal. Identical forms cancel in `a - b`;
    polynomial differences are expanded exactly; anything else (quotients, trig, exp) is
    evaluated at sample points, exactly where rational and in complex floats to 1e-9
    otherwise (sympy's `expand` or `evalf` on such forms cost milliseconds each). Answers
    are remembered: a task often checks one identity twice (a decomposition, then the
    derivative of its antiderivative), and records share identities."""
    try:
        return _sympy_same_cached(a, b)
    except TypeError:  # unhashable (mutable matrices): not remembered
        return _sympy_same(a, b)


def _sympy_same(a: Any, b: Any) -> bool:
    import sympy

    if a == b:
        return True
    d = a - b
    if d == 0:
        return True
    syms = tuple(sorted(s.name for s in d.free_symbols))
    if syms and d.is_polynomial():
        return sympy.expand(d) == 0
    try:
        ta, tb = from_sympy(a), from_sympy(b)
    except ParseError:  # zoo, nan, unsupported functions: no claim about them holds
        return False
    # four points suffice for claims built from known parts (tests re-check them with sympy)
    return same_function(ta, tb, syms, n_points=4) if syms else same_value(ta, tb)


_sympy_same_cached = lru_cache(maxsize=8192)(_sympy_same)


def claim(a: Any, b: Any, lhs: str | None = None, checker: str = "sympy_equivalence") -> Any:
    """The Check of the identity `a == b`. Its detail is that identity in sympy syntax (with
    `lhs` as the left side's text when given, e.g. `Derivative(u, x)`), so anyone can
    re-check it independently."""
    from reasoning.schema import Check

    return Check(checker=checker, ok=sympy_same(a, b), detail=f"{lhs or sstr(a)} == {sstr(b)}")


@lru_cache(maxsize=4096)
def derivative(expr: Any, var: Any) -> Any:
    """sympy's derivative of `expr`, applying sympy's own rules (`fdiff`, sums, products,
    constant powers) directly: the public `diff` first builds a `Derivative`, whose
    assumption queries cost ~4 ms on a fresh expression, 5-20 times the work itself."""
    import sympy

    if not expr.has(var):
        return sympy.Integer(0)
    if expr == var:
        return sympy.Integer(1)
    if expr.is_Add:
        return sympy.Add(*(derivative(a, var) for a in expr.args))
    if expr.is_Mul:
        args = expr.args
        return sympy.Add(*(sympy.Mul(*args[:k], derivative(a, var), *args[k + 1:])
                           for k, a in enumerate(args) if a.has(var)))
    if expr.is_Pow and not expr.exp.has(var):
        return expr.exp * expr.base ** (expr.exp - 1) * derivative(expr.base, var)
    if isinstance(expr, sympy.Function) and len(expr.args) == 1:
        return expr.fdiff(1) * derivative(expr.args[0], var)
    return expr.diff(var)


def claim_derivative(f: Any, df: Any, var: Any) -> Any:
    """The Check of `d/dvar f == df` (detail `Derivative(f, var) == df`)."""
    return claim(derivative(f, var), df, f"Derivative({sstr(f)}, {sstr(var)})")


def exact_claim(lhs: str, value: Fraction | int, truth: Fraction | int) -> Any:
    """The Check of an exact arithmetic claim `lhs == value` whose true value is `truth`."""
    from reasoning.schema import Check

    return Check(checker="exact_arithmetic", ok=value == truth, detail=f"{lhs} == {value}")


class Trace(StepLog):
    """A `StepLog` for the sympy tasks, whose correct steps must hold: a sampled sympy check
    can misfire on a generated form, and such an item is dropped rather than written."""

    def add(self, proposal: str, critic: str, check: Any, location: str | None = None,
            slip: Callable[[], Slip | None] | Slip | None = None) -> None:
        """Append one step (see `StepLog.add`); raise `Dropped` when its check failed."""
        if not check.ok:
            raise Dropped(f"a correct step failed its check: {check.detail[:80]}")
        super().add(proposal, critic, check, location=location, slip=slip)


def pm_roots(centre: Any, half: Any) -> list[str]:
    """The two roots centre ∓ half as text, ascending (half > 0) and both written the same
    way: `3/2 - sqrt(3)/2`, `3/2 + sqrt(3)/2` (sympy would print the second
    `sqrt(3)/2 + 3/2`); `-sqrt(2)`, `sqrt(2)` when the centre is 0."""
    if centre == 0:
        return [f"-{fmt(half)}", fmt(half)]
    return [f"{fmt(centre)} - {fmt(half)}", f"{fmt(centre)} + {fmt(half)}"]
