"""SAT by DPLL with unit propagation (university): a satisfying assignment or UNSAT.

Steps follow the search: unit propagations (checked: the clause is in the formula, all its
other literals are false, the forced variable is open), decisions, conflicts (checked: every
literal of the clause is false) and backtracks. The last step is checked independently: the
assignment satisfies every clause, or brute force over all assignments finds none.
Slip: a wrong unit propagation (wrong polarity, or a clause that is not unit yet).
"""

from __future__ import annotations

import itertools
import math
import random
from dataclasses import dataclass

from generators.logic.logic_answers import clean, parse_assignment
from reasoning.schema import Check
from reasoning.steps import check_slip_rate, checked_step, first_slip
from reasoning.task import Dropped, Problem, Task, Verdict

NAME = "sat_resolution"
VERSION = "1"
VALUE_WORDS = {"t": True, "true": True, "1": True, "f": False, "false": False, "0": False}
UNSAT_WORDS = frozenset({"unsat", "unsatisfiable", "no", "none", "no satisfying assignment"})
MAX_STEPS = 200
# Distinct prompts, a lower bound: 4 random 3-clauses over 4 variables alone have
# (C(4, 3) * 2^3)^4 = 32^4 orderings; no two of 2,000 sampled records coincide.
PROBLEM_SPACE = 100_000


@dataclass(frozen=True)
class Config:
    min_variables: int = 4
    max_variables: int = 6
    clause_ratio: float = 4.3  # clauses per variable (near 4.26 about half are satisfiable)
    clause_size: int = 3
    slip_rate: float = 0.1  # chance that a unit propagation is first proposed wrong

    def __post_init__(self) -> None:
        if not (isinstance(self.min_variables, int) and isinstance(self.max_variables, int)
                and 2 <= self.min_variables <= self.max_variables <= 8):
            raise ValueError("need 2 <= min_variables <= max_variables <= 8 (e.g. 4 and 6)")
        if not isinstance(self.clause_ratio, int | float) or not 0.5 <= self.clause_ratio <= 10:
            raise ValueError(f"clause_ratio must lie in [0.5, 10] (e.g. 4.3), got {self.clause_ratio!r}")
        if not isinstance(self.clause_size, int) or not 1 <= self.clause_size <= self.min_variables:
            raise ValueError("clause_size must be an int from 1 to min_variables (e.g. 3)")
        check_slip_rate(self.slip_rate)


def lit_text(lit: int) -> str:
    return f"x{lit}" if lit > 0 else f"¬x{-lit}"


def clause_text(clause: list[int]) -> str:
    return "(" + " ∨ ".join(lit_text(x) for x in clause) + ")"


def _value(lit: int, assign: dict[int, bool]) -> bool | None:
    v = assign.get(abs(lit))
    return None if v is None else (v if lit > 0 else not v)


def check_unit(clause: list[int], lit: int, clauses: list[list[int]],
               assign: dict[int, bool]) -> tuple[bool, str]:
    """Unit propagation really applies: known clause, other literals false, `lit` open."""
    if clause not in clauses:
        return False, "no such clause"
    if lit not in clause:
        return False, f"{lit_text(lit)} is not in {clause_text(clause)}"
    if abs(lit) in assign:
        return False, f"x{abs(lit)} is already assigned"
    others = [x for x in clause if x != lit and _value(x, assign) is not False]
    if others:
        return False, f"{', '.join(lit_text(x) for x in others)} not false yet: not a unit clause"
    return True, f"all other literals of {clause_text(clause)} are false"


def _assign_text(assign: dict[int, bool]) -> str:
    return ", ".join(f"x{v}={'T' if assign[v] else 'F'}" for v in sorted(assign)) or "nothing"


class _Search:
    def __init__(self, rng: random.Random, clauses: list[list[int]], n: int, slip_rate: float):
        self.rng, self.clauses, self.n, self.slip_rate = rng, clauses, n, slip_rate
        self.steps: list = []
        self.error = None

    def step(self, proposal: str, critic: str, checker: str, ok: bool, detail: str = "",
             slip: str | None = None) -> None:
        if len(self.steps) > MAX_STEPS:
            raise Dropped(f"search longer than {MAX_STEPS} steps")
        self.steps.append(checked_step(proposal, critic, Check(checker=checker, ok=ok, detail=detail),
                                       slip=slip))

    def propagate(self, assign: dict[int, bool]) -> list[int] | None:
        """Unit-propagate in place; return a conflicting clause, or None."""
        while True:
            for c in self.clauses:
                if all(_value(x, assign) is False for x in c):
                    self.step(f"conflict: {clause_text(c)} is false under {_assign_text(assign)}",
                              "every literal is false ✓", "conflict",
                              all(_value(x, assign) is False for x in c), "clause false")
                    return c
            unit = None
            for c in self.clauses:
                if any(_value(x, assign) for x in c):
                    continue
                open_lits = [x for x in c if _value(x, assign) is None]
                if len(open_lits) == 1:
                    unit = (c, open_lits[0])
                    break
            if unit is None:
                return None
            c, lit = unit
            text = f"unit: {clause_text(c)} leaves {lit_text(lit)} → x{abs(lit)}={'T' if lit > 0 else 'F'}"
            if self.slip_rate and self.rng.random() < self.slip_rate:
                self._slip(c, lit, assign, text)
            ok, detail = check_unit(c, lit, self.clauses, assign)
            self.step(text, f"rule applies: {detail} ✓", "unit_propagation", ok, detail)
            assign[abs(lit)] = lit > 0

    def _slip(self, c: list[int], lit: int, assign: dict[int, bool], original: str) -> None:
        not_unit = [d for d in self.clauses
                    if not any(_value(x, assign) for x in d)
                    and sum(_value(x, assign) is None for x in d) >= 2]
        if not_unit and self.rng.random() < 0.5:
            d = self.rng.choice(not_unit)
            wrong_lit = next(x for x in d if _value(x, assign) is None)
            wrong = (f"unit: {clause_text(d)} leaves {lit_text(wrong_lit)} → "
                     f"x{abs(wrong_lit)}={'T' if wrong_lit > 0 else 'F'}")
            critic = f"{clause_text(d)} still has two open literals: not a unit clause ✗"
            ok, detail = check_unit(d, wrong_lit, self.clauses, assign)
        else:
            wrong_lit = -lit
            wrong = f"unit: {clause_text(c)} leaves {lit_text(lit)} → x{abs(lit)}={'F' if lit > 0 else 'T'}"
            critic = f"the open literal is {lit_text(lit)}, so x{abs(lit)} must be {'T' if lit > 0 else 'F'} ✗"
            ok, detail = check_unit(c, wrong_lit, self.clauses, assign)
        self.step(wrong, critic, "unit_propagation", ok, detail, slip="wrong_unit_propagation")
        self.error = first_slip(self.error, self.steps, "wrong_unit_propagation",
                                 f"propagation after {_assign_text(assign)}", original, wrong)

    def solve(self, assign: dict[int, bool]) -> dict[int, bool] | None:
        """DPLL: propagate, then branch on the lowest open variable, True first."""
        if self.propagate(assign) is not None:
            return None
        open_vars = [v for v in range(1, self.n + 1) if v not in assign]
        if all(any(_value(x, assign) for x in c) for c in self.clauses) or not open_vars:
            return assign
        v = open_vars[0]
        for value in (True, False):
            self.step(f"decide x{v}={'T' if value else 'F'}" if value else
                      f"backtrack: try x{v}=F", f"x{v} is open ✓", "decision",
                      v not in assign, f"x{v} unassigned")
            found = self.solve({**assign, v: value})
            if found is not None:
                return found
        return None


def satisfies(clauses: list[list[int]], assign: dict[int, bool]) -> bool:
    return all(any(_value(x, assign) for x in c) for c in clauses)


def generate(rng: random.Random, level: str, config: Config) -> Problem:
    n = rng.randint(config.min_variables, config.max_variables)
    # Never ask for more distinct clauses than exist (C(n, k) * 2^k).
    m = min(max(1, round(config.clause_ratio * n)), math.comb(n, config.clause_size) * 2 ** config.clause_size)
    clauses: list[list[int]] = []
    while len(clauses) < m:
        chosen = sorted(rng.sample(range(1, n + 1), config.clause_size))
        c = [v if rng.random() < 0.5 else -v for v in chosen]
        if c not in clauses:
            clauses.append(c)
    search = _Search(rng, clauses, n, config.slip_rate)
    found = search.solve({})
    if found is not None:
        full = {v: found.get(v, True) for v in range(1, n + 1)}
        answer = _assign_text(full)
        ok = satisfies(clauses, full)
        search.step(f"every clause satisfied by {answer}", "each clause has a true literal ✓",
                    "evaluation", ok, "all clauses re-evaluated")
    else:
        answer = "UNSAT"
        none = not any(satisfies(clauses, dict(enumerate(bits, start=1)))
                       for bits in itertools.product((True, False), repeat=n))
        search.step("every branch ends in a conflict: UNSAT", f"all {2 ** n} assignments fail ✓",
                    "exhaustive", none, f"brute force over {2 ** n} assignments")
    prompt = (f"Is this CNF formula satisfiable? {' ∧ '.join(clause_text(c) for c in clauses)}. "
              "Use unit propagation and case splits. Answer with a satisfying assignment like "
              "`x1=T, x2=F` or with UNSAT.")
    return Problem(task=NAME, level=level, prompt=prompt, steps=search.steps, answer=answer,
                   error=search.error, data={"clauses": clauses, "variables": n,
                                             "satisfiable": found is not None})


def verify(problem: Problem, answer_text: str) -> Verdict:
    s, why = clean(answer_text)
    if s is None:
        return Verdict(0.0, why)
    sat = bool(problem.data["satisfiable"])
    if s.lower() in UNSAT_WORDS:
        return Verdict(1.0, "correct: unsatisfiable") if not sat else Verdict(
            0.0, "wrong: the formula is satisfiable")
    names = [f"x{v}" for v in range(1, int(problem.data["variables"]) + 1)]
    got, why = parse_assignment(s, names, VALUE_WORDS, bare_literals=True)
    if got is None:
        return Verdict(0.0, why)
    if not sat:
        return Verdict(0.0, "wrong: the formula is unsatisfiable")
    assign = {int(k[1:]): v for k, v in got.items()}
    unsatisfied = [c for c in problem.data["clauses"] if not any(_value(x, assign) for x in c)]
    if unsatisfied:
        return Verdict(0.0, f"clause {clause_text(unsatisfied[0])} is not satisfied")
    return Verdict(1.0, "correct: every clause satisfied")


TASK = Task(name=NAME, domain="logic", levels=("university",), version=VERSION,
            config_cls=Config, generate=generate, verify=verify,
            description="CNF satisfiability by DPLL with unit propagation: assignment or UNSAT")
