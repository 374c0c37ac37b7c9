"""Proof by induction (university): closed forms of sums and divisibility claims.

Sums: sum_{k=1}^{n} f(k) = F(n) for a small polynomial f, F from Faulhaber's formulas and
shown as sympy's `factor` writes it (built from rational roots). The base case is checked
by sympy at n = 1 and the inductive step by sympy Poly arithmetic: F(n+1) - F(n) - f(n+1)
is the zero polynomial. Both depend only on f, so each summand is proved once. Divisibility: d | a^n - b^n (step: P(n+1) - a*P(n) equals
(a-b)*b^n) and p | n^p + (p-1)*n (step: (P(n+1) - P(n))/p is a polynomial with integer
coefficients). Claims are true by construction. Slips are the mistakes people make: a base
value off by one, with a lost sign, before the division, at n = 2 or n = 0, with a term
forgotten or 1^p read as p; in the step, f(n) added where f(n+1) belongs or the constant of
f(n+1) forgotten. sympy is imported lazily: only this task needs it.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

from generators.answers import parse_integer
from generators.logic.expressions import matches_terms
from generators.logic.polynomial_text import poly_text
from reasoning.schema import Check
from reasoning.steps import check_slip_rate, checked_step, first_slip
from reasoning.task import Dropped, Problem, Task, Verdict

NAME = "induction_proofs"
VERSION = "2"
KINDS = ("sum", "divisibility")
CHECK_TERMS = 30  # a closed-form answer must agree with the sum at n = 1..30
# Effective number of distinct prompts (a birthday estimate from 2,000 records gives about
# 1,800): 19^3 summands, 9*171 multiples of a^n - b^n and three n^p + (p-1)*n.
PROBLEM_SPACE = 1_000
PROBLEM_SPACE_NOTE = ("cannot give 50,000 distinct problems (10x a 5,000-record stage): "
                      "expect repeats past about 1,000 records")


@dataclass(frozen=True)
class Config:
    kinds: tuple[str, ...] = KINDS
    max_degree: int = 2  # degree of the summand
    slip_rate: float = 0.1  # chance that the base case / the step is first proposed wrong

    def __post_init__(self) -> None:
        if not self.kinds or set(self.kinds) - set(KINDS):
            raise ValueError(f"kinds must be a non-empty subset of {KINDS}")
        if not isinstance(self.max_degree, int) or not 0 <= self.max_degree <= 3:
            raise ValueError(f"max_degree must be an int in 0..3 (e.g. 2), got {self.max_degree!r}")
        check_slip_rate(self.slip_rate)


@lru_cache(maxsize=1)
def _sympy():
    import sympy

    return sympy


def _text(expr) -> str:
    from generators.sympy_printing import sstr

    return sstr(expr).replace("**", "^")


# sum_{k=1}^{n} k^d as coefficients of n^0, n^1, ... (Faulhaber's formulas, d <= 3)
_POWER_SUMS = {0: (0, 1), 1: (0, Fraction(1, 2), Fraction(1, 2)),
               2: (0, Fraction(1, 6), Fraction(1, 2), Fraction(1, 3)),
               3: (0, 0, Fraction(1, 4), Fraction(1, 2), Fraction(1, 4))}  # fmt: skip


def _rational_root(ints: list[int]) -> Fraction | None:
    """A rational root of the integer polynomial `ints` (coefficients of n^0, n^1, ...)."""
    if ints[0] == 0:
        return Fraction(0)
    lead, const = abs(ints[-1]), abs(ints[0])
    for q in (d for d in range(1, lead + 1) if lead % d == 0):
        for p in (d for d in range(1, const + 1) if const % d == 0):
            for r in (Fraction(p, q), Fraction(-p, q)):
                if sum(c * r**i for i, c in enumerate(ints)) == 0:
                    return r
    return None


def _factored(coeffs: list[Fraction]):
    """sympy's `factor` of a polynomial with rational coefficients (of n^0, n^1, ...), built
    from its rational roots: content times primitive factors with positive leading terms,
    as sympy writes it. None past degree 3 without rational roots (sympy factors those)."""
    sp = _sympy()
    from sympy.core.mul import _keep_coeff

    n = _N()
    den = math.lcm(*(c.denominator for c in coeffs))
    ints = [int(c * den) for c in coeffs]
    while ints and ints[-1] == 0:
        ints.pop()
    content = math.gcd(*ints) * (1 if ints[-1] > 0 else -1)
    ints = [c // content for c in ints]
    factors: dict[tuple[int, int], int] = {}
    while len(ints) > 2 and (r := _rational_root(ints)) is not None:
        q, p = r.denominator, r.numerator
        factors[(-p, q)] = factors.get((-p, q), 0) + 1  # q*n - p
        out = [0] * (len(ints) - 1)  # ints / (q*n - p): a_i = q*b_(i-1) - p*b_i, top down
        for i in range(len(ints) - 1, 0, -1):
            out[i - 1] = (ints[i] + (p * out[i] if i < len(out) else 0)) // q
        ints = out
    if len(ints) > 4:
        return None
    parts = [sp.Add(*(sp.Integer(b) * n**i for i, b in enumerate(lin)))**e
             for lin, e in factors.items()]
    if len(ints) > 1:
        parts.append(sp.Add(*(sp.Integer(c) * n**i for i, c in enumerate(ints))))
    return _keep_coeff(sp.Rational(content * ints[0] if len(ints) == 1 else content, den),
                       sp.Mul(*parts))


@lru_cache(maxsize=1)
def _N():
    return _sympy().Symbol("n", integer=True, positive=True)


@lru_cache(maxsize=8192)
def _sum_proof(coeffs: tuple[tuple[int, int], ...]) -> dict:
    """The texts and sympy checks of one sum, which depend only on the summand: F from
    Faulhaber's formulas, the base case and the inductive step by sympy Poly arithmetic."""
    sp = _sympy()
    n = _N()
    degree = max(d for d, _ in coeffs)
    closed = [Fraction(0)] * (degree + 2)
    for d, c in coeffs:
        for i, v in enumerate(_POWER_SUMS[d]):
            closed[i] += c * v
    f = sp.Poly.from_list([c for _, c in sorted(coeffs, reverse=True)], n, domain=sp.ZZ)
    big_f = sp.Poly.from_list([sp.QQ(c.numerator, c.denominator) for c in reversed(closed)], n,
                              domain=sp.QQ)
    big_f1, nxt = big_f.shift(1), f.shift(1)  # F(n+1), f(n+1)
    shown = []
    for poly in (big_f, big_f1):
        form = _factored([Fraction(int(c.p), int(c.q)) for c in reversed(poly.all_coeffs())])
        shown.append(form if form is not None else sp.factor(poly.as_expr()))
    f1, c1 = f.eval(1), big_f.eval(1)
    num, den = sp.fraction(shown[0])
    const = nxt.eval(0)  # the constant term of f(n+1), which a hurried step may drop
    dropped = nxt - const
    return {"zero": big_f.is_zero, "closed": _text(shown[0]), "next_closed": _text(shown[1]),
            "nxt": _text(nxt.as_expr()), "cur": _text(f.as_expr()), "f1": f1, "c1": c1,
            "base_ok": f1 - c1 == 0, "step_ok": (big_f1 - big_f - nxt).is_zero,
            "next_differs": not (f - nxt).is_zero, "wrong_step_ok": (big_f1 - big_f - f).is_zero,
            "c2": big_f.eval(2), "num1": int(num.subs(n, 1)) if den != 1 else None,
            "dropped": _text(dropped.as_expr()) if const != 0 and not dropped.is_zero else None,
            "dropped_ok": (big_f1 - big_f - dropped).is_zero}


def _sum_problem(rng: random.Random, config: Config):
    coeffs = {d: rng.randint(-9, 9) for d in range(config.max_degree + 1)}
    if all(c == 0 for d, c in coeffs.items() if d > 0):
        coeffs[min(1, config.max_degree)] = rng.randint(1, 4)
    degree = max(coeffs)
    partial = [0]
    for i in range(1, max(degree + 2, CHECK_TERMS + 1)):
        partial.append(partial[-1] + sum(c * i**d for d, c in coeffs.items()))
    proof = _sum_proof(tuple(sorted(coeffs.items())))
    if proof["zero"]:
        raise Dropped("the sum is identically zero")
    closed, f1, c1 = proof["closed"], proof["f1"], proof["c1"]
    steps, error = [], None
    fk = poly_text(coeffs, "k")
    claim = f"sum of {fk} for k = 1..n equals {closed}"
    base = f"base n = 1: left {f1}, right {closed} at 1 = {c1}"
    if config.slip_rate and rng.random() < config.slip_rate:
        # the wrong values people write: a slip of one, a lost minus sign, the numerator
        # before dividing, the closed form at n = 2 (n + 1 plugged in for n)
        wrongs = {"arithmetic_slip": c1 + rng.choice((-1, 1)), "sign_error": -c1,
                  "dropped_denominator": proof["num1"], "base_at_n_plus_1": proof["c2"]}
        kinds = [k for k, w in wrongs.items() if w is not None and w != c1]
        kind = rng.choice(kinds)
        wrong_value = wrongs[kind]
        wrong = f"base n = 1: left {f1}, right {closed} at 1 = {wrong_value}"
        critic = {"arithmetic_slip": f"{closed} at n = 1 is {c1}, not {wrong_value} ✗",
                  "sign_error": f"the sign is lost: {closed} at n = 1 is {c1} ✗",
                  "dropped_denominator": f"the division is forgotten: {closed} at n = 1 is {c1} ✗",
                  "base_at_n_plus_1": f"{wrong_value} is the value at n = 2; at n = 1 it is {c1} ✗"}[kind]
        steps.append(checked_step(wrong, critic, Check(checker="sympy", ok=c1 - wrong_value == 0, detail=f"F(1) = {c1}"), slip=kind))
        error = first_slip(error, steps, kind, "base case", base, wrong)
    steps.append(checked_step(base, f"{f1} = {c1} ✓", Check(checker="sympy", ok=proof["base_ok"], detail=f"f(1) = {f1}, F(1) = {c1}")))
    steps.append(checked_step(f"hypothesis: the sum up to n is {closed}", "assumed for this n ✓", Check(checker="induction", ok=True, detail="inductive hypothesis")))
    step = f"step: {closed} + ({proof['nxt']}) = {proof['next_closed']} = F(n+1)"
    step_slips = [k for k, can in (("wrong_next_term", proof["next_differs"]),
                                   ("dropped_term", proof["dropped"] is not None)) if can]
    if config.slip_rate and rng.random() < config.slip_rate and step_slips:
        kind = rng.choice(step_slips)
        if kind == "wrong_next_term":  # f(n) plugged in where f(n+1) belongs
            wrong = f"step: {closed} + ({proof['cur']}) = F(n+1)"
            critic = f"the next term is f(n+1) = {proof['nxt']}, not f(n) ✗"
            ok, detail = proof["wrong_step_ok"], "F(n+1) - F(n) - f(n) ≠ 0"
        else:  # the constant term of f(n+1) forgotten
            wrong = f"step: {closed} + ({proof['dropped']}) = F(n+1)"
            critic = f"a term is forgotten: f(n+1) = {proof['nxt']} ✗"
            ok, detail = proof["dropped_ok"], "F(n+1) - F(n) - (f(n+1) less its constant) ≠ 0"
        steps.append(checked_step(wrong, critic, Check(checker="sympy", ok=ok, detail=detail), slip=kind))
        error = first_slip(error, steps, kind, "inductive step", step, wrong)
    steps.append(checked_step(step, "F(n+1) - F(n) - f(n+1) simplifies to 0 ✓", Check(checker="sympy", ok=proof["step_ok"], detail="F(n+1) - F(n) - f(n+1) = 0")))
    terms = partial[1 : CHECK_TERMS + 1]
    prompt = (f"Find a closed form for the sum of {fk} for k = 1 to n, as an expression in n, "
              "and prove it by induction.")
    return prompt, steps, error, closed, claim, {"kind": "sum", "terms": terms, "summand": fk}


@lru_cache(maxsize=4096)
def _divisibility_proof(a: int, b: int, p: int, k: int = 1) -> tuple[str, str, bool, int]:
    """(P(n) text, inductive step text, the step's sympy check, P(1) by sympy) for
    k*(a^n - b^n) (p = 0) or n^p + (p-1)*n (a = b = 0): they depend only on these numbers."""
    sp = _sympy()
    n = _N()
    if p == 0:
        d = k * (a - b)
        p_expr = k * a**n - k * b**n
        times = f"{k}*" if k != 1 else ""
        text = f"{times}{a}^n - {times}{b}^n" if b != 1 else f"{times}{a}^n - {k}"
        step = f"step: P(n+1) = {a}*P(n) + {d}{f'*{b}^n' if b != 1 else ''}, both divisible by {d}"
        ok = sp.expand(p_expr.subs(n, n + 1) - a * p_expr - d * b**n) == 0
    else:
        p_expr = n**p + (p - 1) * n
        text = poly_text({p: 1, 1: p - 1})
        poly = sp.Poly(p_expr, n)
        quotient = (poly.shift(1) - poly) * sp.Rational(1, p)  # (P(n+1) - P(n))/p
        step = (f"step: P(n+1) - P(n) = {p}*({_text(quotient.as_expr())}), "
                f"so P(n+1) is divisible by {p}")
        ok = all(c.is_integer for c in quotient.all_coeffs())
    return text, step, bool(ok), int(p_expr.subs(n, 1))


def _divisibility_problem(rng: random.Random, config: Config):
    sp = _sympy()
    k = 1
    if rng.random() < 0.95:  # the n^p + (p-1)*n family has only three members: kept rare
        a = rng.randint(3, 20)
        b = rng.randint(1, a - 2)
        k = rng.choice((1, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9))
        d, p = k * (a - b), 0
        values = [k * (a**i - b**i) for i in range(1, 12)]
    else:
        p = rng.choice((3, 5, 7))
        a = b = 0
        d = p
        values = [i**p + (p - 1) * i for i in range(1, 12)]
    text, step, ok, p1 = _divisibility_proof(a, b, p, k)
    if math.gcd(*values) != d:
        raise Dropped("the largest common divisor differs from the proved one")
    steps = []
    v1 = values[0]
    times = f"{k}*" if k != 1 else ""
    b_term = f"{times}{b}" if b != 1 else str(k)  # k*1 is written k
    sub = f"{times}{a} - {b_term}" if p == 0 else f"1 + {p - 1}"  # P(1) written out
    base = f"base n = 1: P(1) = {sub} = {v1}, divisible by {d}"
    error = None
    if config.slip_rate and rng.random() < config.slip_rate:
        # the wrong values people write at n = 1: (written-out P(1), value, what went wrong)
        wrongs = ({"sign_error": (f"{times}{a} + {b_term}", k * (a + b), f"the minus sign is lost: {sub} = {v1}"),
                   "arithmetic_slip": (sub, v1 + rng.choice((-1, 1)), f"{sub} = {v1}")}
                  if p == 0 else
                  {"forgot_a_term": (f"1^{p}", 1, f"the term {p - 1}*n is forgotten: 1 + {p - 1} = {v1}"),
                   "power_as_product": (f"{p} + {p - 1}", 2 * p - 1, f"1^{p} is 1, not {p}")})
        wrongs["base_at_n_0"] = (f"{times}{a}^0 - {b_term}{'^0' if b != 1 else ''}" if p == 0 else f"0^{p} + {p - 1}*0", 0,
                                 f"that is P(0); P(1) = {sub} = {v1}")
        kind = rng.choice(sorted(wrongs))
        wsub, w, why = wrongs[kind]
        wrong = f"base n = 1: P(1) = {wsub} = {w}"
        steps.append(checked_step(wrong, f"{why} ✗", Check(checker="sympy", ok=p1 == w, detail=f"P(1) = {p1}"), slip=kind))
        error = first_slip(error, steps, kind, "base case", base, wrong)
    steps.append(checked_step(base, f"{v1} = {d}*{v1 // d} ✓" if v1 != d else f"{v1} is divisible by {d} ✓", Check(checker="sympy", ok=p1 == v1 and sp.Integer(v1) % d == 0, detail=f"P(1) = {p1}")))
    steps.append(checked_step(f"hypothesis: {d} divides P(n) = {text}", "assumed for this n ✓", Check(checker="induction", ok=True, detail="inductive hypothesis")))
    steps.append(checked_step(step, "the identity simplifies exactly ✓", Check(checker="sympy", ok=ok, detail=step)))
    prompt = (f"Find the largest integer d that divides P(n) = {text} for every n ≥ 1, and "
              "prove by induction that it does.")
    return prompt, steps, error, str(d), f"{d} divides {text}", {"kind": "divisibility", "d": d, "p": text}


def generate(rng: random.Random, level: str, config: Config) -> Problem:
    kind = rng.choice(config.kinds)
    if kind == "sum":
        prompt, steps, error, answer, claim, data = _sum_problem(rng, config)
    else:
        prompt, steps, error, answer, claim, data = _divisibility_problem(rng, config)
    ok = all(s.check.ok for s in steps if s.slip is None)
    steps.append(checked_step(f"by induction: {claim} for all n ≥ 1", "base case and inductive step both hold ✓", Check(checker="induction", ok=ok, detail="base and step checked")))
    return Problem(task=NAME, level=level, prompt=prompt, steps=steps, answer=answer,
                   error=error, data=data)


def verify(problem: Problem, answer_text: str) -> Verdict:
    if problem.data["kind"] == "divisibility":
        value, why = parse_integer(answer_text.strip().rstrip(".") if isinstance(answer_text, str) else answer_text)
        if value is None:
            return Verdict(0.0, why)
        d = int(problem.data["d"])
        return Verdict(1.0, "correct") if value == d else Verdict(0.0, f"wrong: d = {d}")
    terms = dict(enumerate(problem.data["terms"], start=1))
    ok, why = matches_terms(answer_text, terms)
    return Verdict(1.0, "correct: " + why) if ok else Verdict(0.0, why)


TASK = Task(name=NAME, domain="logic", levels=("university",), version=VERSION,
            config_cls=Config, generate=generate, verify=verify,
            description="induction proofs of sum formulas and divisibility, checked with sympy")
