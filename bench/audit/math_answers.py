"""Math answers re-derived from the prompt text alone (own regexes, Fractions, sympy).

`derive(task, prompt)` returns a checker `(answer_text) -> bool`, or None when this audit
has no parser for the prompt (counted as not re-derived, never as a defect).
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable
from fractions import Fraction

import sympy

from bench.audit.arith import evaluate

X = sympy.Symbol("x")
Check = Callable[[str], bool]


def _num(text: str) -> Fraction:
    return Fraction(text.replace("−", "-").strip())


def _is(value) -> Check:
    return lambda ans: _same_number(ans, value)


def _same_number(ans: str, value) -> bool:
    try:
        return _num(ans.replace(",", "")) == Fraction(value)
    except (ValueError, ZeroDivisionError):
        return False


def _sym(text: str):
    text = text.replace("^", "**").replace("−", "-").replace("√", "sqrt")
    text = re.sub(r"(\d)([a-zA-Z(])", r"\1*\2", text)
    return sympy.sympify(text, locals={"x": X, "e": sympy.E, "pi": sympy.pi, "E": sympy.E})


def _roots_check(roots: list) -> Check:
    def check(ans: str) -> bool:
        parts = [p.split("=", 1)[-1] for p in ans.split(" or ")]
        try:
            got = sorted(sympy.nsimplify(_sym(p)) for p in parts)
        except (sympy.SympifyError, TypeError, SyntaxError):
            return False
        want = sorted(roots, key=lambda r: float(sympy.re(r)))
        return len(got) == len(want) and all(sympy.simplify(a - b) == 0 for a, b in
                                              zip(sorted(got, key=lambda r: float(sympy.re(r))), want, strict=True))
    return check


def _long_division(a: int, b: int) -> Check:
    return lambda ans: ans.replace(" ", "") == f"{a // b}R{a % b}" or (a % b == 0 and ans.strip() == str(a // b))


def _primes(n: int) -> Check:
    def check(ans: str) -> bool:
        total = 1
        for part in re.split(r"\s*[×·*]\s*", ans.strip()):
            base, _, exp = part.partition("^")
            if not base.isdigit() or not sympy.isprime(int(base)):
                return False
            total *= int(base) ** int(exp or 1)
        return total == n
    return check


def _ratio(a: int, b: int) -> Check:
    g = math.gcd(a, b)
    return lambda ans: ans.replace(" ", "") == f"{a // g}:{b // g}"


def _share(total: int, parts: list[int]) -> Check:
    want = [Fraction(total * p, sum(parts)) for p in parts]
    return lambda ans: [_num(x) for x in ans.split(",")] == want


def _linear(equation: str, var: str) -> Check:
    left, right = equation.split("=")
    v = sympy.Symbol(var)
    sol = sympy.solve(_sym(left.replace(var, "x")) - _sym(right.replace(var, "x")), X)

    def check(ans: str) -> bool:
        name, _, value = ans.partition("=")
        return name.strip() == var and len(sol) == 1 and sympy.simplify(_sym(value) - sol[0]) == 0
    del v
    return check


def _system(eq1: str, eq2: str) -> Check:
    y = sympy.Symbol("y")

    def side(t):
        return sympy.sympify(re.sub(r"(\d)([xy])", r"\1*\2", t).replace("−", "-"), locals={"x": X, "y": y})
    eqs = [side(e.split("=")[0]) - side(e.split("=")[1]) for e in (eq1, eq2)]
    sol = sympy.solve(eqs, [X, y], dict=True)

    def check(ans: str) -> bool:
        got = dict(p.split(" = ") for p in ans.split(", "))
        return len(sol) == 1 and _same_number(got.get("x", "?"), sol[0][X]) and _same_number(got.get("y", "?"), sol[0][y])
    return check


def _fraction(ans: str, value: Fraction) -> bool:
    try:
        got = _num(ans)
    except (ValueError, ZeroDivisionError):
        return False
    if got != value:
        return False
    # lowest terms as written: a fraction written with a common factor is not the answer
    m = re.fullmatch(r"-?(\d+)/(\d+)", ans.strip())
    return m is None or math.gcd(int(m[1]), int(m[2])) == 1


def _singulars(plural: str) -> set[str]:
    irregular = {"leaves": "leaf", "wolves": "wolf", "knives": "knife", "mice": "mouse", "geese": "goose", "children": "child", "people": "person",
                 "feet": "foot", "teeth": "tooth", "men": "man", "women": "woman"}
    return {plural, irregular.get(plural, plural), plural + "s", plural[:-1], plural[:-2] if plural.endswith("es") else plural,
            plural[:-3] + "y" if plural.endswith("ies") else plural}


def _next_term(terms: list[int]) -> Check | None:
    diffs = {b - a for a, b in itertools.pairwise(terms)}
    if len(diffs) == 1:
        return _is(terms[-1] + diffs.pop())
    if all(a != 0 for a in terms) and len({Fraction(b, a) for a, b in itertools.pairwise(terms)}) == 1:
        return _is(terms[-1] * Fraction(terms[1], terms[0]))
    return None


RULES: list[tuple[str, re.Pattern, Callable[[re.Match], Check | None]]] = [
    ("counting", re.compile(r"How many (\w+) are there\? (.*)"),
     lambda m: _is(sum(w in _singulars(m[1]) for w in m[2].split()))),
    ("compare_numbers", re.compile(r"Which number is (smaller|greater): (\d+) or (\d+)\?"),
     lambda m: _is((min if m[1] == "smaller" else max)(int(m[2]), int(m[3])))),
    ("next_in_sequence", re.compile(r"What number comes next\? (.*), \?"),
     lambda m: _next_term([int(t) for t in m[1].split(", ")])),
    ("one_digit_sums", re.compile(r"What is (.*)\?"), lambda m: _is(evaluate(m[1]))),
    ("column_arithmetic", re.compile(r"Compute (.*) column by column\."), lambda m: _is(evaluate(m[1]))),
    ("long_multiplication", re.compile(r"Compute (.*) by long multiplication\."), lambda m: _is(evaluate(m[1]))),
    ("long_division", re.compile(r"Divide (\d+) by (\d+) by long division"),
     lambda m: _long_division(int(m[1]), int(m[2]))),
    ("order_of_operations", re.compile(r"Compute (.*)\.$"), lambda m: _is(evaluate(m[1]))),
    ("simple_fractions", re.compile(r"Compute (.*)\. Give the answer in lowest terms\."),
     lambda m: (lambda v: (lambda a: _fraction(a, v)))(evaluate(m[1]))),
    ("fractions_decimals_percentages", re.compile(r"Write (-?[\d.]+) as a fraction in lowest terms\."),
     lambda m: (lambda v: (lambda a: _fraction(a, v)))(_num(m[1]))),
    ("fractions_decimals_percentages", re.compile(r"Write (-?\d+/\d+) as a decimal\."), lambda m: _is(_num(m[1]))),
    ("gcd_lcm", re.compile(r"Find the greatest common divisor of (\d+) and (\d+)\."),
     lambda m: _is(math.gcd(int(m[1]), int(m[2])))),
    ("gcd_lcm", re.compile(r"Find the least common multiple of (\d+) and (\d+)\."),
     lambda m: _is(math.lcm(int(m[1]), int(m[2])))),
    ("powers", re.compile(r"Compute (.*)\.$"), lambda m: _is(evaluate(m[1]))),
    ("prime_factorisation", re.compile(r"Write (\d+) as a product of primes\."), lambda m: _primes(int(m[1]))),
    ("ratios", re.compile(r"Simplify the ratio (\d+) : (\d+)\."), lambda m: _ratio(int(m[1]), int(m[2]))),
    ("ratios", re.compile(r"Share (\d+) in the ratio ([\d : ]+)\. Give the shares"),
     lambda m: _share(int(m[1]), [int(p) for p in m[2].split(" : ")])),
    ("linear_equations", re.compile(r"Solve for (\w): (.*)$"), lambda m: _linear(m[2], m[1])),
    ("linear_systems", re.compile(r"Solve the system: \(1\) (.*), \(2\) (.*)\.$"), lambda m: _system(m[1], m[2])),
    ("quadratics", re.compile(r"Solve (.*) = (.*) for x "),
     lambda m: _roots_check(sympy.solve(_sym(m[1]) - _sym(m[2]), X))),
]


def _equal_expr(want) -> Check:
    def check(ans: str) -> bool:
        try:
            return sympy.simplify(_sym(ans.replace("+ C", "")) - want) == 0
        except (sympy.SympifyError, TypeError, SyntaxError):
            return False
    return check


def _antiderivative(integrand: str) -> Check:
    f = _sym(integrand)

    def check(ans: str) -> bool:
        if not ans.rstrip().endswith("+ C"):
            return False
        got = _sym(ans.rsplit("+ C", 1)[0])
        # the answer differentiates back to the integrand (checked at sample points too)
        diff = sympy.diff(got, X) - f
        return sympy.simplify(diff) == 0 or all(abs(complex(diff.subs(X, v)).real) < 1e-9
                                                 for v in (1.3, 2.7, 4.1))
    return check


def _matrix(text: str) -> sympy.Matrix:
    return sympy.Matrix(sympy.sympify(text))


def _interval(lhs: str, op: str, rhs: str) -> Check:
    rel = {"<": sympy.Lt, ">": sympy.Gt, "≤": sympy.Le, "≥": sympy.Ge}[op]
    want = sympy.solve_univariate_inequality(rel(_sym(lhs), _sym(rhs)), X, relational=False)

    def check(ans: str) -> bool:
        m = re.fullmatch(r"([(\[])(.*), (.*)([)\]])", ans.strip())
        if m is None:
            return False
        lo, hi = _sym(m[2]), _sym(m[3])
        return sympy.Interval(lo, hi, m[1] == "(", m[4] == ")") == want
    return check


def _geometric_or_arithmetic(terms: list[str], count: int, what: str) -> Check:
    t = [_sym(x) for x in terms]
    ratio = t[1] / t[0]
    if sympy.simplify(t[2] / t[1] - ratio) == 0 and "geometric" in what:
        seq = [t[0] * ratio ** i for i in range(count)]
    else:
        d = t[1] - t[0]
        seq = [t[0] + d * i for i in range(count)]
    want = sum(seq) if "sum" in what else seq[-1]
    return _is(sympy.nsimplify(want)) if want.is_Rational else _equal_expr(want)


def _mixed_colours(red: int, blue: int, same: bool) -> Check:
    total = red + blue
    diff = Fraction(2 * red * blue, total * (total - 1))
    return _is(1 - diff if same else diff)


MORE_RULES: list[tuple[str, re.Pattern, Callable[[re.Match], Check | None]]] = [
    ("polynomials", re.compile(r"Expand (.*)\.$"), lambda m: _equal_expr(_sym(m[1].replace(")(", ")*(")))),
    ("derivatives", re.compile(r"Differentiate f\(x\) = (.*) with respect to x\."),
     lambda m: _equal_expr(sympy.diff(_sym(m[1]), X))),
    ("integrals", re.compile(r"Find ∫ (.*) dx"), lambda m: _antiderivative(m[1])),
    ("limits", re.compile(r"Find the limit of (.*) as x → (.*)\.$"),
     lambda m: _equal_expr(sympy.limit(_sym(m[1]), X, sympy.oo if m[2] == "oo" else _sym(m[2])))),
    ("determinants", re.compile(r"determinant of the matrix (.*)\.$"), lambda m: _is(_matrix(m[1]).det())),
    ("matrix_inverse", re.compile(r"inverse of the matrix A = (.*)\.$"),
     lambda m: (lambda inv: lambda ans: _matrix(ans) == inv)(_matrix(m[1]).inv())),
    ("eigenvalues", re.compile(r"eigenvalues of the matrix (.*)\.$"),
     lambda m: _roots_check([r for r, k in _matrix(m[1]).eigenvals().items() for _ in range(1)])),
    ("taylor", re.compile(r"degree (\d+) of f\(x\) = (.*) about x = 0\."),
     lambda m: _equal_expr(sympy.series(_sym(m[2]), X, 0, int(m[1]) + 1).removeO())),
    ("logarithms", re.compile(r"Evaluate (.*)\.$"),
     lambda m: _is(sympy.nsimplify(sympy.simplify(_sym(re.sub(r"log_(\d+)\(", r"log_b(\1, ", m[1]))
                                                     .replace(sympy.Function("log_b"), lambda b, a: sympy.log(a, b)))))),
    ("logarithms", re.compile(r"Solve log_(\d+)\((.*)\) = (-?\d+) for x\."),
     lambda m: _roots_check(sympy.solve(_sym(m[2]) - int(m[1]) ** int(m[3]), X))),
    ("linear_inequalities", re.compile(r"Solve (.*) ([<>≤≥]) (.*) for x\."), lambda m: _interval(m[1], m[2], m[3])),
    ("sequences", re.compile(r"The \w+ sequence (.*), \.\.\. continues\. Find the (sum of the first (\d+) terms|(\d+)\w\w term)"),
     lambda m: _geometric_or_arithmetic(m[1].split(", "), int(m[3] or m[4]),
                                        ("sum " if m[3] else "") + m[0])),
    ("counting_probability", re.compile(r"How many committees of (\d+) can be chosen from (\d+)"),
     lambda m: _is(math.comb(int(m[2]), int(m[1])))),
    ("counting_probability", re.compile(r"first (\d+) places of a race with (\d+) runners"),
     lambda m: _is(math.perm(int(m[2]), int(m[1])))),
    ("counting_probability", re.compile(r"holds (\d+) red and (\d+) blue balls\. Two are drawn without replacement\. "
                                        r"What is the probability that they have (different|the same) colours?"),
     lambda m: _mixed_colours(int(m[1]), int(m[2]), m[3] == "the same")),
    ("counting_probability", re.compile(r"holds (\d+) red and (\d+) blue balls\. Two are drawn without "
                                        r"replacement\. What is the probability that both are red\?"),
     lambda m: _is(Fraction(int(m[1]) * (int(m[1]) - 1), (int(m[1]) + int(m[2])) * (int(m[1]) + int(m[2]) - 1)))),
    ("polynomials", re.compile(r"Factor (.*) completely over the integers\."), lambda m: _equal_expr(_sym(m[1]))),
    ("fractions_decimals_percentages", re.compile(r"Write (\d+/\d+) as a percentage\."),
     lambda m: lambda ans: ans.endswith("%") and _same_number(ans[:-1], _num(m[1]) * 100)),
    ("fractions_decimals_percentages", re.compile(r"What is (\d+)% of (\d+)\?"),
     lambda m: _is(Fraction(int(m[1]) * int(m[2]), 100))),
]
RULES += MORE_RULES


def derive(task: str, prompt: str) -> Check | None:
    """A checker of the answer to `prompt`, or None when no rule here reads it."""
    for name, pattern, build in RULES:
        if name != task:
            continue
        m = pattern.search(prompt)
        if m is None:
            continue
        try:
            return build(m)
        except (ValueError, TypeError, ZeroDivisionError, sympy.SympifyError, SyntaxError, AttributeError,
                NotImplementedError):
            return None
    return None
