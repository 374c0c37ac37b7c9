"""Counting and simple probability (high), exact.

Kinds: arrangements (permutations of k out of n), committees (combinations), and drawing
two balls without replacement (probability both have one colour). Every count is a claim
like `binomial(7, 3) == 35` re-checkable with sympy. Slips: counting ordered selections
for a committee (wrong rule), drawing with replacement (wrong rule), an off-by-one in the
second draw.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from fractions import Fraction
from math import comb, perm

from generators.answer_comparison import verdict_values
from generators.math.sympy_steps import Trace, exact_claim
from reasoning.steps import check_slip_rate
from reasoning.task import Problem, Task, Verdict

NAME = "counting_probability"
VERSION = "2"
KINDS = ("arrangements", "committees", "draws")


@dataclass(frozen=True)
class Config:
    kinds: tuple[str, ...] = KINDS
    max_n: int = 20
    slip_rate: float = 0.1

    def __post_init__(self) -> None:
        if not self.kinds or set(self.kinds) - set(KINDS):
            raise ValueError(f"kinds must be a non-empty subset of {KINDS}")
        if not 5 <= self.max_n <= 30:
            raise ValueError("max_n must lie in 5..30 (e.g. 12)")
        check_slip_rate(self.slip_rate)


def _one_of_each(t: Trace, red: int, blue: int) -> Fraction:
    """P(one red and one blue) in two draws without replacement: both orders count."""
    total = red + blue
    rb = Fraction(red, total) * Fraction(blue, total - 1)
    br = Fraction(blue, total) * Fraction(red, total - 1)
    value = rb + br
    t.add(f"P(red, then blue) = {red}/{total}·{blue}/{total - 1} = {rb}", "first red, then blue ✓",
          exact_claim(f"Rational({red}, {total})*Rational({blue}, {total - 1})", rb, rb), "red first")
    t.add(f"P(blue, then red) = {blue}/{total}·{red}/{total - 1} = {br}", "first blue, then red ✓",
          exact_claim(f"Rational({blue}, {total})*Rational({red}, {total - 1})", br, br), "blue first")
    t.add(f"P(different colours) = {rb} + {br} = {value}", f"{rb} + {br} = {value} ✓",
          exact_claim(f"2*Rational({red * blue}, {total * (total - 1)})", value, value), "add the orders",
          slip=lambda: ("wrong_rule", f"P(different colours) = {rb}",
                        f"blue first, then red also gives different colours: {rb} + {br} = {value} ✗",
                        exact_claim(f"2*Rational({red * blue}, {total * (total - 1)})", rb, value)))
    return value


def generate(rng: random.Random, level: str, config: Config) -> Problem:
    kind = rng.choice(config.kinds)
    t = Trace(rng, config.slip_rate)
    n = rng.randint(5, config.max_n)
    k = rng.randint(2, min(5, n - 1))
    if kind == "arrangements":
        value = Fraction(perm(n, k))
        factors = "·".join(str(n - i) for i in range(k))
        t.add(f"ordered choices: {factors} = {value}", f"ff({n}, {k}) = {value} ✓",
              exact_claim(f"ff({n}, {k})", value, perm(n, k)), "count",
              slip=lambda: ("off_by_one", f"ordered choices: {n}^{k} = {n**k}",
                            f"a runner cannot finish twice: {factors} = {value} ✗",
                            exact_claim(f"ff({n}, {k})", n**k, perm(n, k))))
        prompt = f"In how many ways can the first {k} places of a race with {n} runners be filled?"
    elif kind == "committees":
        value = Fraction(comb(n, k))
        t.add(f"ordered choices: {perm(n, k)}; each committee is counted {k}! = {perm(k, k)} times",
              f"ff({n}, {k}) = {perm(n, k)} ✓", exact_claim(f"ff({n}, {k})", perm(n, k), perm(n, k)),
              "ordered count")
        t.add(f"C({n}, {k}) = {perm(n, k)}/{perm(k, k)} = {value}", f"binomial({n}, {k}) = {value} ✓",
              exact_claim(f"binomial({n}, {k})", value, comb(n, k)), "unordered count",
              slip=lambda: ("wrong_rule", f"C({n}, {k}) = {perm(n, k)}",
                            f"order does not matter in a committee: divide by {k}! ✗",
                            exact_claim(f"binomial({n}, {k})", perm(n, k), comb(n, k))))
        prompt = f"How many committees of {k} can be chosen from {n} people?"
    else:
        red, blue = rng.randint(2, 12), rng.randint(2, 12)
        total = red + blue
    if kind == "draws" and rng.random() < 0.4:
        value = _one_of_each(t, red, blue)
        prompt = (f"A bag holds {red} red and {blue} blue balls. Two are drawn without replacement. "
                  "What is the probability that they have different colours?")
    elif kind == "draws":
        first = Fraction(red, total)
        second = Fraction(red - 1, total - 1)
        value = first * second
        t.add(f"P(first red) = {red}/{total}", "red balls over all balls ✓",
              exact_claim(f"Rational({red}, {total})", first, first), "first draw")
        t.add(f"P(second red | first red) = {red - 1}/{total - 1}", "one red ball fewer, one ball fewer ✓",
              exact_claim(f"Rational({red - 1}, {total - 1})", second, second), "second draw",
              slip=lambda: ("wrong_rule", f"P(second red | first red) = {red}/{total}",
                            f"the first ball is not put back: {red - 1}/{total - 1} ✗",
                            exact_claim(f"Rational({red - 1}, {total - 1})", Fraction(red, total), second)))
        t.add(f"P(both red) = {first}·{second} = {value}", f"{first}·{second} = {value} ✓",
              exact_claim(f"Rational({red}, {total})*Rational({red - 1}, {total - 1})", value, value),
              "multiply")
        t.add(f"check: binomial({red}, 2)/binomial({total}, 2) = {comb(red, 2)}/{comb(total, 2)} = {value}",
              "counting pairs agrees ✓",
              exact_claim(f"binomial({red}, 2)/binomial({total}, 2)", Fraction(comb(red, 2), comb(total, 2)),
                          value), "count check")
        prompt = (f"A bag holds {red} red and {blue} blue balls. Two are drawn without replacement. "
                  "What is the probability that both are red?")
    return Problem(task=NAME, level=level, prompt=prompt, steps=t.steps, answer=str(value),
                   error=t.error, data={"expected": [str(value)], "kind": kind})


def verify(problem: Problem, answer_text: str) -> Verdict:
    return verdict_values(answer_text, problem.data["expected"], "P")


TASK = Task(name=NAME, domain="math", levels=("high",), version=VERSION, config_cls=Config,
            generate=generate, verify=verify,
            description="permutations, combinations and drawing without replacement, exact")


def problem_space(config: Config) -> int:
    """Distinct questions of `config`: (n, k) for races and committees, (red, blue) for the
    two kinds of draw."""
    pairs = sum(min(5, n - 1) - 1 for n in range(5, config.max_n + 1))
    per_kind = {"arrangements": pairs, "committees": pairs, "draws": 2 * 11 * 11}
    return sum(per_kind[k] for k in config.kinds)


# Distinct questions of the default config, exact (`problem_space`; a test recounts it).
PROBLEM_SPACE = 368
SPACE_NOTE = ("368 questions: races and committees of n = 5..20, k = 2..5, and two-ball "
              "draws from bags of 2..12 red and blue; a curriculum stage that asks for more "
              "records repeats them")
