"""Truth tables of propositional formulas (middle): one row per step, answer the column.

Each row step lists the value of every working subformula, innermost first, e.g.
``p=T, q=F: ¬q = T, p → ¬q = T``; the check re-evaluates each one. Slips are the misreadings
people make, where the row allows one: `F → x is F` (a false antecedent taken to make the
implication false), ∨ read as exclusive, ∧ read as ∨, `F ↔ F is F`, a dropped ¬; else a value
flipped.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from generators.logic import formulas as F
from generators.logic.logic_answers import parse_truth_list
from reasoning.schema import Check
from reasoning.steps import check_slip_rate, checked_step, first_slip
from reasoning.task import Problem, Task, Verdict

NAME = "truth_tables"
VERSION = "2"
LETTERS = (("p", "q", "r", "s"), ("a", "b", "c", "d"), ("x", "y", "z", "w"))
VARIABLES = LETTERS[0]
# Effective number of distinct prompts (a birthday estimate from 4,000 records gives 235,000):
# formulas two or three connectives deep over 2-3 variables, in three letter sets.
PROBLEM_SPACE = 100_000


@dataclass(frozen=True)
class Config:
    min_variables: int = 2
    max_variables: int = 3
    max_depth: int = 3  # binary connectives nested at most this deep (at least 2 when it allows)
    slip_rate: float = 0.1  # chance that a row is first proposed with a slip

    def __post_init__(self) -> None:
        if not (isinstance(self.min_variables, int) and isinstance(self.max_variables, int)
                and 1 <= self.min_variables <= self.max_variables <= 4):
            raise ValueError("need 1 <= min_variables <= max_variables <= 4 (e.g. 2 and 3)")
        if not isinstance(self.max_depth, int) or not 1 <= self.max_depth <= 4:
            raise ValueError(f"max_depth must be an int in 1..4 (e.g. 2), got {self.max_depth!r}")
        check_slip_rate(self.slip_rate)


def row_claims(subs: list[F.Formula], env: dict[str, bool]) -> list[tuple[F.Formula, bool]]:
    return [(g, F.evaluate(g, env)) for g in subs]


def row_text(env: dict[str, bool], claims: list[tuple[F.Formula, bool]]) -> str:
    return F.env_text(env) + ": " + ", ".join(f"{F.to_text(g)} = {F.tf(v)}" for g, v in claims)


def check_row(env: dict[str, bool], claims: list[tuple[F.Formula, bool]]) -> tuple[bool, str]:
    """Re-evaluate every claimed value of a row; the detail names the first wrong one."""
    for g, v in claims:
        truth = F.evaluate(g, env)
        if truth != v:
            return False, f"{F.to_text(g)} at {F.env_text(env)} is {F.tf(truth)}, not {F.tf(v)}"
    return True, "every value re-evaluated"


# The misreadings people make, each with the subformulas of a row it applies to and the
# critic that names it.
MISREADINGS = {
    "false_antecedent": (lambda g, v, env: g[0] == "imp" and not F.evaluate(g[1], env),
                         "the antecedent is F, so the implication is T"),
    "inclusive_or_as_exclusive": (lambda g, v, env: g[0] == "or" and F.evaluate(g[1], env)
                                  and F.evaluate(g[2], env), "∨ is inclusive: T ∨ T is T"),
    "and_as_or": (lambda g, v, env: g[0] == "and" and F.evaluate(g[1], env) != F.evaluate(g[2], env),
                  "∧ needs both sides T"),
    "iff_both_false": (lambda g, v, env: g[0] == "iff" and not F.evaluate(g[1], env)
                       and not F.evaluate(g[2], env), "↔ is T when both sides agree, F ↔ F too"),
    "dropped_not": (lambda g, v, env: g[0] == "not", "the ¬ was dropped"),
}


def _slip(rng: random.Random, env: dict[str, bool], claims: list) -> tuple[str, list, str]:
    """A wrong row: one misreading that applies at this row, else any value flipped."""
    options = [(kind, i) for kind, (applies, _why) in MISREADINGS.items()
               for i, (g, v) in enumerate(claims) if applies(g, v, env)]
    if options:  # a kind first, so that rows full of ¬ do not make every slip a dropped ¬
        kind = rng.choice(sorted({k for k, _i in options}))
        i = rng.choice([i for k, i in options if k == kind])
        g, v = claims[i]
        wrong = [*claims[:i], (g, not v), *claims[i + 1:]]
        return kind, wrong, f"{F.to_text(g)}: {MISREADINGS[kind][1]} ✗"
    i = rng.randrange(len(claims))
    g, v = claims[i]
    wrong = [*claims[:i], (g, not v), *claims[i + 1:]]
    return "wrong_row", wrong, f"{F.to_text(g)} at this row is {F.tf(v)}, not {F.tf(not v)} ✗"


def generate(rng: random.Random, level: str, config: Config) -> Problem:
    letters = rng.choice(LETTERS)
    names = list(letters[:rng.randint(config.min_variables, config.max_variables)])
    for _ in range(20):
        formula = F.random_formula(rng, names, rng.randint(min(2, config.max_depth), config.max_depth))
        if formula[0] != "var" and len(F.variables(formula)) == len(names):
            break
    else:
        formula = ("imp", F.var(names[0]), F.var(names[-1]))
        names = F.variables(formula)
    subs = F.subformulas(formula)
    steps, error = [], None
    column = []
    for env in F.rows(names):
        claims = row_claims(subs, env)
        text = row_text(env, claims)
        if config.slip_rate and rng.random() < config.slip_rate:
            kind, wrong_claims, critic = _slip(rng, env, claims)
            wrong = row_text(env, wrong_claims)
            ok, detail = check_row(env, wrong_claims)
            steps.append(checked_step(wrong, critic, Check(checker="truth_table", ok=ok, detail=detail), slip=kind))
            error = first_slip(error, steps, kind, f"row {F.env_text(env)}", text, wrong)
        ok, detail = check_row(env, claims)
        steps.append(checked_step(text, f"{F.to_text(formula)} = {F.tf(claims[-1][1])} ✓", Check(checker="truth_table", ok=ok, detail=detail)))
        column.append(claims[-1][1])
    answer = ", ".join(F.tf(v) for v in column)
    order = ", ".join("".join(F.tf(v) for v in env.values()) for env in F.rows(names))
    prompt = (f"Write the truth table of {F.to_text(formula)}. Rows for {', '.join(names)} in "
              f"the order {order} (first variable slowest). Answer with the column of values, "
              f"e.g. T, F, ...")
    return Problem(task=NAME, level=level, prompt=prompt, steps=steps, answer=answer,
                   error=error, data={"column": column, "variables": names,
                                      "formula": F.to_json(formula)})


def verify(problem: Problem, answer_text: str) -> Verdict:
    values, why = parse_truth_list(answer_text)
    if values is None:
        return Verdict(0.0, why)
    expected = [bool(v) for v in problem.data["column"]]
    if len(values) != len(expected):
        return Verdict(0.0, f"expected {len(expected)} values, got {len(values)}")
    wrong = [i + 1 for i, (a, b) in enumerate(zip(values, expected, strict=True)) if a != b]
    if not wrong:
        return Verdict(1.0, "correct")
    return Verdict(0.0, f"wrong value in row(s) {wrong[:8]}")


TASK = Task(name=NAME, domain="logic", levels=("middle",), version=VERSION, config_cls=Config,
            generate=generate, verify=verify,
            description="truth tables of 2-3 variable formulas with ¬ ∧ ∨ → ↔, row by row")
