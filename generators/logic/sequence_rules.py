"""Inductive generalisation (university): find the rule a_n of a sequence from its first terms.

Families: arithmetic, quadratic, geometric, geometric plus a constant. Steps take
differences (or ratios), state the rule, check it on every shown term and then on held-out
terms the prompt does not show (checked exactly against the hidden sequence). Slips: an arithmetic
slip in a difference, a difference taken the wrong way round (a sign error), or
over-generalising a line through the first two terms.
The verifier accepts any expression in n that matches every shown and held-out term.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from fractions import Fraction

from generators.logic.expressions import matches_terms
from generators.logic.polynomial_text import poly_text
from reasoning.schema import Check
from reasoning.steps import check_slip_rate, checked_step, first_slip
from reasoning.task import Problem, Task, Verdict

NAME = "sequence_rules"
VERSION = "2"
FAMILIES = ("arithmetic", "quadratic", "geometric", "geometric_shift")
# Effective number of distinct prompts (a birthday estimate from 4,000 records gives about
# 1,200): the geometric family, a quarter of the items, has only 18*6 members.
PROBLEM_SPACE = 800
PROBLEM_SPACE_NOTE = ("cannot give 50,000 distinct problems (10x a 5,000-record stage): "
                      "expect repeats past about 800 records")


@dataclass(frozen=True)
class Config:
    shown: int = 5  # terms in the prompt
    held_out: int = 4  # further terms the rule must also give (not shown)
    families: tuple[str, ...] = FAMILIES
    slip_rate: float = 0.1  # chance that a step is first proposed with a slip

    def __post_init__(self) -> None:
        if not isinstance(self.shown, int) or not 4 <= self.shown <= 10:
            raise ValueError(f"shown must be an int in 4..10 (e.g. 5), got {self.shown!r}")
        if not isinstance(self.held_out, int) or not 1 <= self.held_out <= 10:
            raise ValueError(f"held_out must be an int in 1..10 (e.g. 4), got {self.held_out!r}")
        if not self.families or set(self.families) - set(FAMILIES):
            raise ValueError(f"families must be a non-empty subset of {FAMILIES}")
        check_slip_rate(self.slip_rate)


def _rule(rng: random.Random, family: str):
    """(text of a_n, function of n) for a random member of `family`."""
    if family == "arithmetic":
        a, d = rng.randint(-20, 30), rng.choice([x for x in range(-9, 13) if x])
        return poly_text({1: d, 0: a - d}), lambda n: a + d * (n - 1)
    if family == "quadratic":
        p, q, r = rng.choice((1, 1, 2, 3, -1, -2)), rng.randint(-9, 9), rng.randint(-12, 12)
        return poly_text({2: p, 1: q, 0: r}), lambda n: p * n * n + q * n + r
    c, base = rng.choice([x for x in range(-9, 10) if x]), rng.choice((2, 2, 3, 4, 5, -2, -3))
    b = f"({base})" if base < 0 else str(base)
    factor = {1: "", -1: "-"}.get(c, f"{c}*")  # never `1*` or `-1*`
    if family == "geometric":
        return f"{factor}{b}^(n-1)", lambda n: c * base ** (n - 1)
    e = rng.choice([x for x in range(-12, 13) if x])
    head = f"{factor}{b}^n"
    return f"{head} {'+' if e > 0 else '-'} {abs(e)}", lambda n: c * base**n + e


def diffs(xs: list[int]) -> list[int]:
    return [b - a for a, b in itertools.pairwise(xs)]


def _signed(x: int) -> str:
    """A subtrahend as people write it: `5 - (-3)`, never `5 - -3`."""
    return f"({x})" if x < 0 else str(x)


def _join(xs: list) -> str:
    return ", ".join(str(x) for x in xs)


def generate(rng: random.Random, level: str, config: Config) -> Problem:
    family = rng.choice(config.families)
    text, rule = _rule(rng, family)
    total = config.shown + config.held_out
    terms = [rule(n) for n in range(1, total + 1)]
    shown = terms[:config.shown]
    steps, error = [], None
    d1 = diffs(shown)
    work = [("first differences", shown, d1)]
    if family != "arithmetic":
        work.append(("second differences", d1, diffs(d1)))
    for label, source, claim in work:
        line = f"{label}: {_join(claim)}"
        if config.slip_rate and rng.random() < config.slip_rate:
            i = rng.randrange(len(claim))
            # a slip of one, or the subtraction done the wrong way round (a sign error)
            kind = rng.choice(("wrong_difference", "reversed_subtraction") if claim[i] else ("wrong_difference",))
            value = claim[i] + rng.choice((-1, 1)) if kind == "wrong_difference" else -claim[i]
            bad = [*claim[:i], value, *claim[i + 1:]]
            wrong = f"{label}: {_join(bad)}"
            ok = bad == diffs(source)
            critic = (f"{source[i + 1]} - {_signed(source[i])} = {claim[i]}, not {bad[i]} ✗"
                      if kind == "wrong_difference" else
                      f"subtracted the wrong way round: {source[i + 1]} - {_signed(source[i])} = {claim[i]} ✗")
            steps.append(checked_step(wrong, critic, Check(checker="exact_arithmetic", ok=ok, detail="differences recomputed"), slip=kind))
            error = first_slip(error, steps, kind, label, line, wrong)
        steps.append(checked_step(line, "differences recomputed ✓", Check(checker="exact_arithmetic", ok=claim == diffs(source), detail="differences recomputed")))
    if family.startswith("geometric"):
        src = d1 if family == "geometric_shift" else shown
        ratios = [Fraction(b, a) for a, b in itertools.pairwise(src) if a]
        what = "differences" if family == "geometric_shift" else "terms"
        ok = len(ratios) == len(src) - 1 and len(set(ratios)) == 1
        steps.append(checked_step(f"ratio of consecutive {what}: {ratios[0] if ratios else '?'} each time", "ratios recomputed ✓", Check(checker="exact_arithmetic", ok=ok, detail=f"ratios {_join(ratios)}")))
    if family != "arithmetic" and config.slip_rate and rng.random() < config.slip_rate:
        d = shown[1] - shown[0]
        line_text = poly_text({1: d, 0: shown[0] - d})
        miss = next(n for n in range(3, config.shown + 1) if shown[0] + d * (n - 1) != shown[n - 1])
        wrong = f"rule: a_n = {line_text}"
        steps.append(checked_step(wrong, f"a_{miss} = {shown[miss - 1]} but the rule gives "
                               f"{shown[0] + d * (miss - 1)} ✗", Check(checker="rule_fit", ok=False, detail=f"fails at n = {miss}"), slip="overgeneralisation"))
        error = first_slip(error, steps, "overgeneralisation", "rule", f"rule: a_n = {text}", wrong)
    fits, why = matches_terms(text, dict(enumerate(shown, start=1)))
    steps.append(checked_step(f"rule: a_n = {text}", f"gives {_join(shown)} ✓", Check(checker="rule_fit", ok=fits, detail=why)))
    held = dict(enumerate(terms, start=1))
    held = {n: v for n, v in held.items() if n > config.shown}
    ok, why = matches_terms(text, held)
    steps.append(checked_step("held-out: " + ", ".join(f"a_{n} = {v}" for n, v in held.items()), "the hidden terms agree ✓", Check(checker="held_out", ok=ok, detail=why)))
    prompt = (f"A sequence starts {_join(shown)}, ... (a_1 = {shown[0]}). Find a general rule "
              "a_n as an expression in n (integers, n, + - * / ^ and parentheses).")
    return Problem(task=NAME, level=level, prompt=prompt, steps=steps, answer=text, error=error,
                   data={"terms": terms, "shown": config.shown, "family": family})


def verify(problem: Problem, answer_text: str) -> Verdict:
    terms = dict(enumerate(problem.data["terms"], start=1))
    ok, why = matches_terms(answer_text, terms)
    return Verdict(1.0, "correct: " + why) if ok else Verdict(0.0, why)


TASK = Task(name=NAME, domain="logic", levels=("university",), version=VERSION,
            config_cls=Config, generate=generate, verify=verify,
            description="general rule of a sequence from its first terms, checked on held-out terms")
