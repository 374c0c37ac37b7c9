"""Propositional deduction chains (high): derive a goal literal with named rules.

Rules: modus ponens, modus tollens, hypothetical syllogism, disjunctive syllogism. Each
inference step cites its premises and is checked by matching the rule's pattern against
formulas already known (given or derived). Bait premises invite the classic slips,
affirming the consequent and denying the antecedent, which the critic names.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from generators.logic import formulas as F
from generators.logic.answers import parse_truth
from reasoning.schema import Check
from reasoning.steps import check_slip_rate, checked_step, first_slip
from reasoning.task import Problem, Task, Verdict

NAME = "deduction_chains"
VERSION = "1"
ATOMS = tuple("pqrstuvwabcdeghjkmnxyz")  # enough for 7 inferences, 7 baits, 3 extras
RULE_NAME = {"mp": "modus ponens", "mt": "modus tollens", "hs": "hypothetical syllogism",
             "ds": "disjunctive syllogism"}


@dataclass(frozen=True)
class Config:
    min_steps: int = 3
    max_steps: int = 5
    baits: int = 2  # extra premises that only a fallacy could use
    slip_rate: float = 0.1  # chance that an inference is first proposed with a fallacy

    def __post_init__(self) -> None:
        if not (isinstance(self.min_steps, int) and isinstance(self.max_steps, int)
                and 1 <= self.min_steps <= self.max_steps <= 6):
            raise ValueError("need 1 <= min_steps <= max_steps <= 6 (e.g. 3 and 5)")
        if not isinstance(self.baits, int) or not 0 <= self.baits <= 3:
            raise ValueError(f"baits must be an int in 0..3 (e.g. 2), got {self.baits!r}")
        check_slip_rate(self.slip_rate)


def negate(f: F.Formula) -> F.Formula:
    return f[1] if f[0] == "not" else F.neg(f)


def check_inference(rule: str, cited: list[F.Formula], conclusion: F.Formula,
                    known: list[F.Formula]) -> tuple[bool, str]:
    """Does `rule` really take the cited, already known formulas to `conclusion`?"""
    missing = [F.to_text(c) for c in cited if c not in known]
    if missing:
        return False, f"not known yet: {', '.join(missing)}"
    if len(cited) != 2:
        return False, "a rule cites two formulas"
    a, b = cited
    if rule == "mp" and a[0] == "imp" and b == a[1] and conclusion == a[2]:
        return True, f"{F.to_text(b)} is the antecedent of {F.to_text(a)}"
    if rule == "mt" and a[0] == "imp" and b == negate(a[2]) and conclusion == negate(a[1]):
        return True, f"{F.to_text(b)} denies the consequent of {F.to_text(a)}"
    if rule == "hs" and a[0] == b[0] == "imp" and a[2] == b[1] and conclusion == ("imp", a[1], b[2]):
        return True, f"the middle {F.to_text(a[2])} matches"
    if rule == "ds" and a[0] == "or" and (
            (b == negate(a[1]) and conclusion == a[2]) or (b == negate(a[2]) and conclusion == a[1])):
        return True, f"{F.to_text(b)} rules out one disjunct"
    return False, f"{RULE_NAME.get(rule, rule)} does not give {F.to_text(conclusion)} from these"


def _paren(f: F.Formula) -> str:
    return F.to_text(f) if f[0] in ("var", "not") else f"({F.to_text(f)})"


def inference_text(rule: str, cited: list[F.Formula], conclusion: F.Formula) -> str:
    return (f"from {_paren(cited[0])} and {_paren(cited[1])}: {F.to_text(conclusion)} "
            f"({RULE_NAME[rule]})")


def _plan(rng: random.Random, config: Config, atoms: list[str]):
    """The chain: given premises, and inferences (rule, cited, conclusion) in order."""
    fresh = iter(atoms)
    current = F.var(next(fresh))
    if rng.random() < 0.4:
        current = F.neg(current)
    premises, inferences = [current], []
    target = rng.randint(config.min_steps, config.max_steps)
    while len(inferences) < target:
        choices = ["mp", "hs"] + (["mt", "ds"] if current[0] == "not" else [])
        rule = rng.choice(choices)
        new = F.var(next(fresh))
        if rule in ("mp", "ds") and rng.random() < 0.4:
            new = F.neg(new)
        if rule == "mp":
            imp = ("imp", current, new)
            premises.append(imp)
            inferences.append(("mp", [imp, current], new))
        elif rule == "mt":
            imp = ("imp", new, current[1])
            premises.append(imp)
            new = F.neg(new)
            inferences.append(("mt", [imp, current], new))
        elif rule == "ds":
            dis = ("or", current[1], new) if rng.random() < 0.5 else ("or", new, current[1])
            premises.append(dis)
            inferences.append(("ds", [dis, current], new))
        else:
            last = F.var(next(fresh))
            first, second = ("imp", current, new), ("imp", new, last)
            premises += [first, second]
            inferences.append(("hs", [first, second], ("imp", current, last)))
            inferences.append(("mp", [("imp", current, last), current], last))
            new = last
        current = new
    return premises, inferences, fresh


def generate(rng: random.Random, level: str, config: Config) -> Problem:
    atoms = rng.sample(ATOMS, len(ATOMS))
    premises, inferences, fresh = _plan(rng, config, atoms)
    slips = [bool(config.slip_rate) and rng.random() < config.slip_rate for _ in inferences]
    baits: dict[int, tuple[str, F.Formula, F.Formula]] = {}  # step -> (kind, bait, wrong)
    for i, (_rule, cited, _concl) in enumerate(inferences):
        known_lit = cited[1] if cited[1][0] in ("var", "not") else None
        if not slips[i] or known_lit is None:
            continue
        x = F.var(next(fresh))
        if known_lit[0] == "not" and rng.random() < 0.5:
            baits[i] = ("denying_the_antecedent", ("imp", known_lit[1], x), F.neg(x))
        else:
            baits[i] = ("affirming_the_consequent", ("imp", x, known_lit), x)
    extra = []
    for _ in range(config.baits):  # baits no slip uses, so a bait never gives a slip away
        lit = rng.choice([c for _r, c, _k in inferences if c[0] in ("var", "not")] or [premises[0]])
        extra.append(("imp", F.var(next(fresh)), lit))
    given = premises + [b[1] for b in baits.values()] + extra
    shown = given[1:]
    rng.shuffle(shown)
    known = [premises[0], *shown]
    steps, error, derivations = [], None, []
    for i, (rule, cited, concl) in enumerate(inferences):
        if i in baits:
            kind, bait, wrong_concl = baits[i]
            lit = cited[1]
            wrong_rule = "mp" if kind == "affirming_the_consequent" else "mt"
            wrong = inference_text(wrong_rule, [bait, lit], wrong_concl)
            critic = (f"affirming the consequent: {F.to_text(lit)} is the consequent of "
                      f"{F.to_text(bait)}, so {F.to_text(wrong_concl)} does not follow ✗"
                      if kind == "affirming_the_consequent" else
                      f"denying the antecedent: {F.to_text(lit)} does not make "
                      f"{F.to_text(bait[2])} false ✗")
            ok, detail = check_inference(wrong_rule, [bait, lit], wrong_concl, known)
            steps.append(checked_step(wrong, critic, Check(checker="rule", ok=ok, detail=detail), slip=kind))
            derivations.append([wrong_rule, [F.to_json(c) for c in (bait, lit)], F.to_json(wrong_concl)])
            error = first_slip(error, steps, kind, f"inference {i + 1}",
                                inference_text(rule, cited, concl), wrong)
        ok, detail = check_inference(rule, cited, concl, known)
        critic = {"mp": f"rule applies: {F.to_text(cited[1])} holds ✓",
                  "mt": f"rule applies: {F.to_text(cited[1])} denies the consequent ✓",
                  "hs": f"rule applies: the middle {F.to_text(cited[0][2])} matches ✓",
                  "ds": f"rule applies: {F.to_text(cited[1])} rules out a disjunct ✓"}[rule]
        steps.append(checked_step(inference_text(rule, cited, concl), critic, Check(checker="rule", ok=ok, detail=detail)))
        derivations.append([rule, [F.to_json(c) for c in cited], F.to_json(concl)])
        known.append(concl)
    goal = inferences[-1][2]
    atom = goal[1] if goal[0] == "var" else goal[1][1]
    value = goal[0] == "var"
    steps.append(checked_step(f"so {atom} is {'true' if value else 'false'}", f"{F.to_text(goal)} was derived ✓", Check(checker="rule", ok=goal in known, detail=f"{F.to_text(goal)} derived in the last inference")))
    prompt = (f"Given {F.to_text(premises[0])} and the premises "
              + "; ".join(F.to_text(f) for f in shown)
              + f". Using modus ponens, modus tollens, hypothetical and disjunctive syllogism, "
              f"decide whether {atom} is true or false.")
    return Problem(task=NAME, level=level, prompt=prompt, steps=steps,
                   answer="true" if value else "false", error=error,
                   data={"expected": value, "atom": atom, "given": [F.to_json(f) for f in known[:len(given)]],
                         "derivations": derivations})


def verify(problem: Problem, answer_text: str) -> Verdict:
    value, why = parse_truth(answer_text)
    if value is None:
        return Verdict(0.0, why)
    if value == bool(problem.data["expected"]):
        return Verdict(1.0, "correct")
    return Verdict(0.0, f"wrong: {problem.data['atom']} is {'true' if problem.data['expected'] else 'false'}")


TASK = Task(name=NAME, domain="logic", levels=("high",), version=VERSION, config_cls=Config,
            generate=generate, verify=verify,
            description="chains of modus ponens/tollens, hypothetical and disjunctive syllogism")
