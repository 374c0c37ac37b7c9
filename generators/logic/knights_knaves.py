"""Knights and knaves (high): knights always tell the truth, knaves always lie.

Solved by case analysis: one step per assignment of roles, in order, stating each claim's
truth in that case and whether every speaker is consistent with it (re-evaluated by the
check). Puzzles are kept only when exactly one case is consistent. Slip: a wrong case,
a claim misjudged so a contradiction is missed or invented; the critic names the claim.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass

from generators.logic import formulas as F
from generators.logic.logic_answers import parse_assignment
from reasoning.schema import Check
from reasoning.split import canonical_identity
from reasoning.steps import check_slip_rate, checked_step, first_slip
from reasoning.task import Dropped, Problem, Task, Verdict

NAME = "knights_knaves"
VERSION = "2"
PEOPLE = ("Ada", "Ben", "Cal", "Dee", "Eve", "Finn", "Gus", "Hana", "Ivo", "Jo", "Kai", "Lena",
          "Max", "Nia", "Omar", "Pia", "Raj", "Sue", "Tom", "Uma")
# Distinct problems: the claim patterns (1,497 distinct identities in 6,000 records); who
# says them (20 names) and the order of an `and`/`or`/`same kind` are wording, which the
# split's identity leaves out. Drawn unevenly, they repeat as often as about 120 equally
# likely ones would (pairs of repeats among 6,000 records): the effective size stated here.
PROBLEM_SPACE = 120
PROBLEM_SPACE_NOTE = ("120 effective problems (about 1,500 claim patterns; the names are "
                      "wording): this task cannot give 10x a 5,000-record stage of distinct problems")
ROLE_WORDS = {"knight": True, "knights": True, "truthteller": True, "truth-teller": True,
              "knave": False, "knaves": False, "liar": False, "liars": False}


@dataclass(frozen=True)
class Config:
    min_people: int = 2
    max_people: int = 3
    slip_rate: float = 0.1  # chance that a case is first proposed with a slip

    def __post_init__(self) -> None:
        if not (isinstance(self.min_people, int) and isinstance(self.max_people, int)
                and 2 <= self.min_people <= self.max_people <= 4):
            raise ValueError("need 2 <= min_people <= max_people <= 4 (e.g. 2 and 3)")
        check_slip_rate(self.slip_rate)


def role(value: bool) -> str:
    return "knight" if value else "knave"


def claim_words(f: F.Formula, speaker: str) -> str:
    """A statement in words; literals read `B is a knave`, iff reads `same kind`."""
    def lit(g: F.Formula) -> str:
        name, value = (g[1], True) if g[0] == "var" else (g[1][1], False)
        return f"{'I am' if name == speaker else name + ' is'} a {role(value)}"
    if f[0] in ("var", "not") and f[1][0] != "iff":
        return lit(f)
    if f[0] == "iff" or (f[0] == "not" and f[1][0] == "iff"):
        g = f if f[0] == "iff" else f[1]
        kind = "the same kind" if f[0] == "iff" else "different kinds"
        x, y = g[1][1], g[2][1]
        who = f"{y} and I" if x == speaker else f"{x} and I" if y == speaker else f"{x} and {y}"
        return f"{who} are {kind}"
    return f"{lit(f[1])} {'and' if f[0] == 'and' else 'or'} {lit(f[2])}"


def random_claim(rng: random.Random, names: list[str]) -> F.Formula:
    def lit() -> F.Formula:
        v = F.var(rng.choice(names))
        return v if rng.random() < 0.5 else F.neg(v)
    kind = rng.choice(("lit", "lit", "and", "or", "same"))
    if kind == "lit":
        return lit()
    if kind == "same":
        x, y = rng.sample(names, 2)
        g = ("iff", F.var(x), F.var(y))
        return g if rng.random() < 0.5 else F.neg(g)
    a, b = lit(), lit()
    while b[-1] == a[-1] or F.variables(b) == F.variables(a):
        a, b = lit(), lit()
    return (kind, a, b)


def consistent(claims: dict[str, F.Formula], env: dict[str, bool]) -> bool:
    """Each speaker is a knight exactly when their claim is true."""
    return all(env[s] == F.evaluate(c, env) for s, c in claims.items())


def case_text(env: dict[str, bool], values: dict[str, bool], claims: dict[str, F.Formula]) -> str:
    parts = [f"{s}'s claim is {'true' if values[s] else 'false'}" for s in claims]
    bad = [s for s in claims if values[s] != env[s]]
    verdict = "consistent" if not bad else f"contradiction ({', '.join(bad)})"
    roles = ", ".join(f"{n}={role(v)}" for n, v in env.items())
    return f"case {roles}: {'; '.join(parts)} → {verdict}"


def check_case(env: dict[str, bool], values: dict[str, bool],
               claims: dict[str, F.Formula]) -> tuple[bool, str]:
    for s, c in claims.items():
        truth = F.evaluate(c, env)
        if values[s] != truth:
            return False, f"{s}'s claim is {'true' if truth else 'false'} in this case"
    return True, "every claim re-evaluated"


def generate(rng: random.Random, level: str, config: Config) -> Problem:
    names = sorted(rng.sample(PEOPLE, rng.randint(config.min_people, config.max_people)))
    for _ in range(200):
        claims = {s: random_claim(rng, names) for s in names}
        solutions = [env for env in F.rows(names) if consistent(claims, env)]
        if len(solutions) == 1:
            break
    else:
        raise Dropped("no puzzle with a unique solution in 200 tries")
    steps, error = [], None
    for env in F.rows(names):
        values = {s: F.evaluate(c, env) for s, c in claims.items()}
        text = case_text(env, values, claims)
        if config.slip_rate and rng.random() < config.slip_rate:
            who = rng.choice(names)
            wrong_values = {**values, who: not values[who]}
            wrong = case_text(env, wrong_values, claims)
            ok, detail = check_case(env, wrong_values, claims)
            critic = (f"{who} says '{claim_words(claims[who], who)}', which is "
                      f"{'true' if values[who] else 'false'} in this case ✗")
            steps.append(checked_step(wrong, critic, Check(checker="case_analysis", ok=ok, detail=detail), slip="wrong_case"))
            error = first_slip(error, steps, "wrong_case", f"case {F.env_text(env)}", text, wrong)
        ok, detail = check_case(env, values, claims)
        steps.append(checked_step(text, "claims re-evaluated ✓", Check(checker="case_analysis", ok=ok, detail=detail)))
    solution = solutions[0]
    answer = ", ".join(f"{n}: {role(v)}" for n, v in solution.items())
    unique = [env for env in F.rows(names) if consistent(claims, env)] == [solution]
    steps.append(checked_step(f"only consistent case: {answer}", "exactly one case survives ✓", Check(checker="case_analysis", ok=unique, detail=f"{len(F.rows(names))} cases checked")))
    said = " ".join(f"{s} says: \"{claim_words(c, s)[0].upper()}{claim_words(c, s)[1:]}.\""
                    for s, c in claims.items())
    prompt = (f"On an island, knights always tell the truth and knaves always lie. {said} "
              "Who is a knight and who is a knave? Answer with a role for each person, in the form "
              "`Pat: knight, Sam: knave`.")
    return Problem(task=NAME, level=level, prompt=prompt, steps=steps, answer=answer,
                   error=error, data={"solution": solution,
                                      "claims": {s: F.to_json(c) for s, c in claims.items()}},
                   identity=canonical_identity(NAME, {"claims": {s: F.to_json(c) for s, c in claims.items()}},
                                               names=names, normalize=_commuted))


def _commuted(value):
    """Claims with the operands of `and`, `or` and `iff` in one order: "Cal and I are the
    same kind" is one claim whichever way the formula holds it."""
    if isinstance(value, dict):
        return {k: _commuted(v) for k, v in value.items()}
    if not isinstance(value, list):
        return value
    items = [_commuted(v) for v in value]
    if items and items[0] in ("and", "or", "iff"):
        return [items[0], *sorted(items[1:], key=lambda v: json.dumps(v, sort_keys=True))]
    return items


def verify(problem: Problem, answer_text: str) -> Verdict:
    solution = {k: bool(v) for k, v in problem.data["solution"].items()}
    got, why = parse_assignment(answer_text, list(solution), ROLE_WORDS)
    if got is None:
        return Verdict(0.0, why)
    missing = [n for n in solution if n not in got]
    if missing:
        return Verdict(0.0, f"no role given for {', '.join(missing)}")
    wrong = [n for n in solution if got[n] != solution[n]]
    if wrong:
        return Verdict(0.0, f"wrong role for {', '.join(wrong)}")
    return Verdict(1.0, "correct")


TASK = Task(name=NAME, domain="logic", levels=("high",), version=VERSION, config_cls=Config,
            generate=generate, verify=verify,
            description="knights and knaves puzzles with a unique solution, by case analysis")
