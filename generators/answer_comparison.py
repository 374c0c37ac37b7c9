"""Comparing answers: trees compared by exact rational evaluation where possible and by
complex floating evaluation at fixed points otherwise; trees to and from sympy (built node by
node, never from text); LaTeX answers read by math_verify's LaTeX parser under a deadline and
compared the same way; and the verdicts the sympy tasks' verifiers share.
"""

from __future__ import annotations

import cmath
import logging
import re
import signal
import threading
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from generators.answer_grammar import MAX_CHARS, ParseError, parse_expression, parse_values
from generators.answer_trees import (
    MAX_EXPONENT,
    Node,
    exact_value,
    free_names,
    numeric_value,
    values_close,
)

# Irrational-looking sample points keep accidental agreement and singularities unlikely.
POINTS = (0.5377, 1.8339, -2.2588, 0.8622, 0.3188, 2.7694, -1.3077)
# Exact points with small denominators keep rational evaluation cheap (x^5 stays small).
RATIONAL_POINTS = tuple(Fraction(n, d) for n, d in ((7, 13), (11, 6), (-9, 4), (6, 7), (4, 13),
                                                     (36, 13), (-17, 13)))  # fmt: skip


def same_value(got: Node, want: Node) -> bool:
    """Whether two constant trees are equal: exactly when both are rational; otherwise to
    1e-9 relative, confirmed by sympy when only one side is rational (so a decimal never
    matches an irrational value)."""
    a, b = exact_value(got, {}), exact_value(want, {})
    if a is not None and b is not None:
        return a == b
    va, vb = numeric_value(got, {}), numeric_value(want, {})
    if va is None or vb is None or not values_close(va, vb):
        return False
    if a is None and b is None:
        return True
    return bool(with_deadline(lambda: _sympy_zero(to_sympy(got) - to_sympy(want)), 0.5, False))


def _sympy_zero(expr: Any) -> bool:
    import sympy

    return sympy.nsimplify(sympy.simplify(expr)) == 0


def same_function(got: Node, want: Node, variables: tuple[str, ...] = ("x",),
                  up_to_constant: bool = False, above: float | None = None,
                  n_points: int = len(POINTS)) -> bool:
    """Whether two trees agree as functions of `variables` at every sample point (exactly at
    rational points when both are rational functions). With `up_to_constant`, their
    difference must be the same constant at every point. With `above`, the points lie
    above that value (a domain such as x > 3 where `log(x - 3)` is real)."""
    diffs: list[tuple[complex, float]] = []
    for k in range(min(n_points, len(POINTS))):
        env = {v: POINTS[(k + 3 * i) % len(POINTS)] for i, v in enumerate(variables)}
        if above is not None:
            env = {v: above + abs(p) for v, p in env.items()}
        if not up_to_constant and above is None:
            exact_env = {v: RATIONAL_POINTS[(k + 3 * i) % len(POINTS)] for i, v in enumerate(variables)}
            ea, eb = exact_value(got, exact_env), exact_value(want, exact_env)
            if ea is not None and eb is not None:
                if ea != eb:
                    return False
                continue
        a, b = numeric_value(got, env), numeric_value(want, env)
        if (a is None) != (b is None):
            return False
        if a is not None and b is not None:
            if cmath.isinf(a) or cmath.isinf(b):
                return False
            if not up_to_constant and not values_close(a, b):
                return False
            diffs.append((a - b, max(1.0, abs(a), abs(b))))
    if up_to_constant:  # tolerance relative to the values, not to their (cancelled) difference
        return bool(diffs) and all(abs(d - diffs[0][0]) <= 1e-9 * max(m, diffs[0][1])
                                   for d, m in diffs)
    return True


def to_sympy(node: Node) -> Any:
    """Build the sympy object of a parsed tree node by node (never from text)."""
    import sympy

    op = node[0]
    if op == "n":
        return sympy.Rational(node[1].numerator, node[1].denominator)
    if op == "v":
        return sympy.Symbol(node[1])
    if op == "c":
        return {"pi": sympy.pi, "E": sympy.E, "oo": sympy.oo}[node[1]]
    if op == "+":
        return sympy.Add(*(to_sympy(k) for k in node[1]))
    if op == "*":
        return sympy.Mul(*(to_sympy(k) for k in node[1]))
    if op == "-":
        return -to_sympy(node[1])
    if op == "/":
        return to_sympy(node[1]) / to_sympy(node[2])
    if op == "!":
        return sympy.factorial(to_sympy(node[1]))
    if op == "f":
        return getattr(sympy, "Abs" if node[1] == "abs" else node[1])(to_sympy(node[2]))
    return sympy.Pow(to_sympy(node[1]), to_sympy(node[2]))


def from_sympy(expr: Any) -> Node:
    """The tree of a sympy expression (the inverse of `to_sympy` on what it supports)."""
    if expr.is_Rational:
        return ("n", Fraction(int(expr.p), int(expr.q)))
    if expr.is_Float:
        return ("n", Fraction(str(expr)))
    if expr.is_Symbol:
        return ("v", expr.name)
    if expr.is_Add or expr.is_Mul:
        return ("+" if expr.is_Add else "*", tuple(from_sympy(a) for a in expr.args))
    if expr.is_Pow:
        return ("^", from_sympy(expr.base), from_sympy(expr.exp))
    name = type(expr).__name__
    if name in ("Pi", "Exp1"):
        return ("c", "pi" if name == "Pi" else "E")
    if name == "log" and len(expr.args) == 2:  # log(a, b), as math_verify writes ln
        inner = ("f", "log", from_sympy(expr.args[0]))
        return inner if type(expr.args[1]).__name__ == "Exp1" else ("/", inner, ("f", "log", from_sympy(expr.args[1])))
    if name in ("sin", "cos", "tan", "exp", "log", "Abs") and len(expr.args) == 1:
        return ("f", name.lower(), from_sympy(expr.args[0]))
    raise ParseError(f"no tree for sympy {name}")


class _Timeout(Exception):
    pass


def with_deadline(fn: Callable[[], Any], seconds: float, default: Any) -> Any:
    """Run `fn()`; return `default` if it raises or runs past `seconds`. The bound uses
    SIGALRM in the main thread; elsewhere callers must keep `fn` bounded by construction."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        try:
            return fn()
        except Exception:
            return default

    def _alarm(signum: int, frame: Any) -> None:
        raise _Timeout

    old = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return fn()
    except Exception:  # includes _Timeout and sympy's own errors
        return default
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def looks_like_latex(text: str) -> bool:
    return isinstance(text, str) and ("\\" in text or "$" in text)


_NESTED_EXPONENT = re.compile(r"\^\s*\{[^{}]*\^|\^\s*\{?\s*-?\d{4,}|\d{61,}")


def _latex_text_safe(text: str) -> bool:
    """Refuse LaTeX whose evaluation could block inside one C-level operation (a SIGALRM
    deadline cannot interrupt `9^(9^9)`): nested or huge exponents, huge literals."""
    return text.count("^") <= 10 and text.count("!") <= 3 and not _NESTED_EXPONENT.search(text)


def _sympy_small(expr: Any) -> bool:
    """Whether a parsed sympy object is small enough to compare: few nodes, bounded powers."""
    import sympy

    try:
        for count, node in enumerate(sympy.preorder_traversal(expr)):
            if count > 300:
                return False
            if isinstance(node, sympy.Pow) and node.exp.is_Number and abs(node.exp) > MAX_EXPONENT:
                return False
            if isinstance(node, sympy.Integer) and abs(int(node)) > 10**60:
                return False
            if isinstance(node, sympy.factorial):
                return False
    except Exception:
        return False
    return True


def parse_latex(text: str, seconds: float = 0.8) -> list[Node]:
    """Trees of a LaTeX answer (one per listed value), read by `math_verify`'s LaTeX parser
    under `with_deadline` (its own signal timeouts off; LaTeX extraction only, since its
    plain-expression extractor would hand the text to sympy's parser). Comparison then
    goes through the same code as plain answers. Raises ParseError when unreadable."""
    if len(text) > MAX_CHARS or not _latex_text_safe(text):
        raise ParseError("LaTeX answer too long or with nested/huge exponents")

    def run() -> list[Node] | None:
        import sympy
        from math_verify import LatexExtractionConfig, parse

        logging.getLogger("math_verify").setLevel(logging.ERROR)
        # a bare \log is the natural log (sympy's printer and calculus usage); math_verify
        # would read it as base 10
        natural = re.sub(r"\\log(?!_)", r"\\ln", text)
        pred = parse(natural, extraction_config=[LatexExtractionConfig()], parsing_timeout=None)
        found = [p for p in pred if not isinstance(p, str)][:1]
        if not found or not _sympy_small(found[0]):
            return None
        obj = found[0]
        items = list(obj.args) if isinstance(obj, (sympy.FiniteSet, sympy.Tuple)) else [obj]
        return [from_sympy(it.rhs if isinstance(it, sympy.Eq) else it) for it in items]

    nodes = with_deadline(run, seconds, None)
    if not nodes:
        raise ParseError("unreadable LaTeX answer")
    return nodes


def _safely(judge: Callable[[], Any]) -> Any:
    from reasoning.task import Verdict

    try:
        return judge()
    except ParseError as e:
        return Verdict(0.0, f"unreadable answer: {e}")
    except (RecursionError, MemoryError, ArithmeticError, ValueError, TypeError, KeyError):
        return Verdict(0.0, "answer could not be checked")


def verdict_expression(answer: str, expected: str, variables: tuple[str, ...] = ("x",),
                       form: Callable[[Node], bool] | None = None, form_name: str = "") -> Any:
    """Verdict on an expression answer: 1 when equivalent to `expected` (and, if `form` is
    given, written in that form), else 0. LaTeX text goes through math_verify."""
    from reasoning.task import Verdict

    def judge() -> Verdict:
        want = parse_expression(expected, variables)
        if looks_like_latex(answer):
            nodes = parse_latex(answer)
            if len(nodes) != 1 or not free_names(nodes[0]) <= set(variables):
                return Verdict(0.0, "LaTeX answer is not one expression in the allowed variables")
            got = nodes[0]
        else:
            got = parse_expression(answer, variables)
        if not same_function(got, want, variables):
            return Verdict(0.0, "not equivalent to the expected answer")
        if form is not None and not form(got):
            return Verdict(0.0, f"equivalent but not {form_name}")
        return Verdict(1.0, "equivalent")

    return _safely(judge)


def verdict_values(answer: str, expected: list[str], name: str = "x") -> Any:
    """Verdict on a number or a set of numbers (any order, repeats ignored): 1 when the
    answer's values are exactly the expected ones."""
    from reasoning.task import Verdict

    def judge() -> Verdict:
        want = [parse_expression(e, ()) for e in expected]
        got: list[Node] = []
        for g in parse_latex(answer) if looks_like_latex(answer) else parse_values(answer, name):
            if not any(same_value(g, h) for h in got):
                got.append(g)
        if len(got) != len(want):
            return Verdict(0.0, f"expected {len(want)} value(s), got {len(got)}")
        if all(any(same_value(g, w) for g in got) for w in want):
            return Verdict(1.0, "equal")
        return Verdict(0.0, "wrong value(s)")

    return _safely(judge)
