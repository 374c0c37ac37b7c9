"""Propositional deduction chains (high): is the queried atom true, false or unknown?

Rules: modus ponens, modus tollens, hypothetical syllogism, disjunctive syllogism. Each
inference step cites its premises and is checked by matching the rule's pattern against
formulas already known (given or derived). The three answers are equally likely and the
premises do not give them away: in every item the queried atom appears in a pair of premises
of one shape with both polarities (one of them may carry the chain's last inference, the
other is a dead end), literals open with either polarity, and every answer is re-decided by
a 2-SAT model search over all premises (premises and q, premises and ¬q). For `unknown` the
last step shows two models of the premises that disagree on the atom. Bait premises invite
the classic slips, affirming the consequent, denying the antecedent and affirming a
disjunct, which the critic names.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from generators.logic import formulas as F
from generators.logic.logic_answers import parse_truth_or_unknown
from reasoning.schema import Check
from reasoning.split import canonical_identity
from reasoning.steps import check_slip_rate, checked_step, first_slip
from reasoning.task import Dropped, Problem, Task, Verdict

NAME = "deduction_chains"
VERSION = "2"
ATOMS = tuple("abcdefghjkmnpqrstuwxyz")  # no v (reads like ∨), no i/l/o (like 1 and 0)
ANSWERS = ("true", "false", "unknown")
RULE_NAME = {"mp": "modus ponens", "mt": "modus tollens", "hs": "hypothetical syllogism",
             "ds": "disjunctive syllogism"}
SLIP_KINDS = ("affirming_the_consequent", "denying_the_antecedent", "affirming_a_disjunct")
# Distinct prompts: at 3 inferences alone, ordered atom choices 22*21*20*19 times 3 answers
# times 2 polarities of the opening literal; the rule and premise-order choices add far more.
PROBLEM_SPACE = 22 * 21 * 20 * 19 * 3 * 2


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


def clauses_of(premises: list[F.Formula]) -> list[list[tuple[str, bool]]]:
    """The premises as 2-CNF clauses of (atom, polarity): literals, implications, disjunctions."""
    def lit(f: F.Formula) -> tuple[str, bool]:
        return (f[1], True) if f[0] == "var" else (f[1][1], False)
    out = []
    for f in premises:
        if f[0] == "imp":
            a, b = lit(f[1]), lit(f[2])
            out.append([(a[0], not a[1]), b])
        elif f[0] == "or":
            out.append([lit(f[1]), lit(f[2])])
        else:
            out.append([lit(f)])
    return out


def two_sat_model(clauses: list[list[tuple[str, bool]]], fixed: dict[str, bool]) -> dict[str, bool] | None:
    """A model of 2-CNF `clauses` extending `fixed`, or None. Trying each open atom true,
    then false, each with unit propagation, is complete for clauses of at most two literals."""
    atoms = sorted({a for c in clauses for a, _ in c})

    def propagate(assign: dict[str, bool]) -> dict[str, bool] | None:
        assign = dict(assign)
        changed = True
        while changed:
            changed = False
            for c in clauses:
                if any(assign.get(a) == p for a, p in c):
                    continue
                open_lits = [(a, p) for a, p in c if a not in assign]
                if not open_lits:
                    return None
                if len(open_lits) == 1:
                    assign[open_lits[0][0]] = open_lits[0][1]
                    changed = True
        return assign

    assign = propagate(fixed)
    for atom in atoms:
        if assign is None:
            return None
        if atom not in assign:
            assign = propagate({**assign, atom: True}) or propagate({**assign, atom: False})
    return assign


def _lit(atom: str, positive: bool) -> F.Formula:
    return F.var(atom) if positive else F.neg(F.var(atom))


def _plan(rng: random.Random, config: Config, fresh, final: F.Formula | None):
    """The chain: opening literal, premises and inferences (rule, cited, conclusion) in
    order. `final`, when given, is the literal the last inference must conclude."""
    current = _lit(next(fresh), rng.random() < 0.5)
    premises, inferences = [current], []
    target = rng.randint(config.min_steps, config.max_steps)
    while len(inferences) < target:
        rule = rng.choice(("mp", "mt", "ds", "hs"))
        last_one = len(inferences) + (2 if rule == "hs" else 1) >= target
        new = final if last_one and final is not None else _lit(next(fresh), rng.random() < 0.5)
        if rule == "mp":
            premise = ("imp", current, new)
            inferences.append(("mp", [premise, current], new))
        elif rule == "mt":
            premise = ("imp", negate(new), negate(current))
            inferences.append(("mt", [premise, current], new))
        elif rule == "ds":
            premise = ("or", negate(current), new) if rng.random() < 0.5 else ("or", new, negate(current))
            inferences.append(("ds", [premise, current], new))
        else:
            mid = _lit(next(fresh), rng.random() < 0.5)
            first, premise = ("imp", current, mid), ("imp", mid, new)
            premises.append(first)
            inferences.append(("hs", [first, premise], ("imp", current, new)))
            inferences.append(("mp", [("imp", current, new), current], new))
        premises.append(premise)
        current = new
    return premises, inferences


def _dead_pair(rng: random.Random, shape: str, q: str, fresh, facts: list[F.Formula]):
    """Two premises of one shape about `q`, one per polarity, that decide nothing about q,
    each with a feeder premise, so that its other literal occurs elsewhere just as the
    chain's literals do: w → q after ¬fact → w; q → ¬x or q ∨ ¬x after x → fact."""
    out = []
    for positive in (True, False):
        lit = _lit(q, positive)
        fact = rng.choice(facts)
        x = _lit(next(fresh), rng.random() < 0.5)
        if shape == "cons":  # w is never derivable: only a refuted fact leads to it
            out += [("imp", negate(fact), x), ("imp", x, lit)]
        else:  # x is free, so ¬x never forces q either way
            feeder, other = ("imp", x, fact), negate(x)
            dead = ("imp", lit, other) if shape == "ante" else (
                ("or", lit, other) if rng.random() < 0.5 else ("or", other, lit))
            out += [feeder, dead]
    return out


def _shape(premise: F.Formula, q: str) -> tuple[str, bool]:
    """(shape, polarity of q) of a premise that carries q."""
    if premise[0] == "or":
        side = premise[1] if q in F.variables(premise[1]) else premise[2]
        return "disj", side[0] == "var"
    if q in F.variables(premise[2]):
        return "cons", premise[2][0] == "var"
    return "ante", premise[1][0] == "var"


def _build(rng: random.Random, config: Config, want: str):
    """Premises, inferences, the query atom and slip baits for one answer class."""
    fresh = iter(rng.sample(ATOMS, len(ATOMS)))
    q = next(fresh)
    final = None if want == "unknown" else _lit(q, want == "true")
    premises, inferences = _plan(rng, config, fresh, final)
    # derived facts other than q (the opening literal only when there is none: a bare
    # premise negated in a dead end would be a surface cue)
    facts = [k for _r, _c, k in inferences if k[0] != "imp" and F.variables(k) != [q]] or [premises[0]]
    if want == "unknown":
        shape = rng.choice(("cons", "cons", "ante", "disj"))
        dead = _dead_pair(rng, shape, q, fresh, facts)
    else:  # the chain's last premise carries q; its mirror, of the other polarity, is dead
        shape, polarity = _shape(premises[-1], q)
        pair = _dead_pair(rng, shape, q, fresh, facts)
        dead = pair[:2] if _shape(pair[1], q)[1] != polarity else pair[2:]
    slips = [bool(config.slip_rate) and rng.random() < config.slip_rate for _ in inferences]
    baits: dict[int, tuple[str, F.Formula, F.Formula]] = {}  # step -> (kind, bait, wrong)
    for i, (rule, cited, _concl) in enumerate(inferences):
        known_lit = cited[1] if cited[1][0] in ("var", "not") else None
        if not slips[i] or known_lit is None or rule == "hs":
            continue
        x = F.var(next(fresh))
        kind = rng.choice(SLIP_KINDS if known_lit[0] == "not" else SLIP_KINDS[::2])
        if kind == "denying_the_antecedent":
            baits[i] = (kind, ("imp", known_lit[1], x), F.neg(x))
        elif kind == "affirming_a_disjunct":
            baits[i] = (kind, ("or", known_lit, x), F.neg(x))
        else:
            baits[i] = (kind, ("imp", x, known_lit), x)
    extra = []
    for _ in range(config.baits):  # baits no slip uses, so a bait never gives a slip away
        extra.append(("imp", F.var(next(fresh)), rng.choice(facts)))
    return q, premises, inferences, dead, baits, extra


def generate(rng: random.Random, level: str, config: Config) -> Problem:
    want = rng.choice(ANSWERS)
    for _ in range(20):
        try:
            q, premises, inferences, dead, baits, extra = _build(rng, config, want)
        except StopIteration:  # ran out of atom letters: draw a smaller item
            continue
        given = premises + dead + [b[1] for b in baits.values()] + extra
        clauses = clauses_of(given)
        yes, no = two_sat_model(clauses, {q: True}), two_sat_model(clauses, {q: False})
        decided = "unknown" if yes and no else "true" if yes else "false" if no else None
        if decided == want:
            break
    else:
        raise Dropped(f"no consistent {want} chain in 20 tries")
    shown = list(given)
    rng.shuffle(shown)
    known = list(shown)
    steps, error, derivations = [], None, []
    for i, (rule, cited, concl) in enumerate(inferences):
        if i in baits:
            kind, bait, wrong_concl = baits[i]
            lit = cited[1]
            wrong_rule = {"affirming_the_consequent": "mp", "denying_the_antecedent": "mt",
                          "affirming_a_disjunct": "ds"}[kind]
            wrong = inference_text(wrong_rule, [bait, lit], wrong_concl)
            critic = {"affirming_the_consequent": f"affirming the consequent: {F.to_text(lit)} is "
                      f"the consequent of {F.to_text(bait)}, so {F.to_text(wrong_concl)} does not follow ✗",
                      "denying_the_antecedent": f"denying the antecedent: {F.to_text(lit)} does not "
                      f"make {F.to_text(bait[2])} false ✗",
                      "affirming_a_disjunct": f"affirming a disjunct: {F.to_text(lit)} makes "
                      f"{F.to_text(bait)} true whatever {F.to_text(bait[2])} is ✗"}[kind]
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
    if want == "unknown":
        ok = bool(yes and no) and all(F.evaluate(f, m) for m in (yes, no) for f in given)
        about = " nor ".join(F.to_text(f) for f in dead if q in F.variables(f))
        steps.append(checked_step(f"so {q} is unknown: neither {about} settles it, and the "
                                  f"premises allow {q} true and {q} false",
                                  f"a model with {q}=T and one with {q}=F satisfy every premise ✓",
                                  Check(checker="models", ok=ok, detail=f"{F.env_text(yes)} | {F.env_text(no)}")))
    else:
        goal = _lit(q, want == "true")
        steps.append(checked_step(f"so {q} is {want}", f"{F.to_text(goal)} was derived ✓", Check(checker="rule", ok=goal in known, detail=f"{F.to_text(goal)} derived in the last inference")))
    prompt = ("Premises: " + "; ".join(F.to_text(f) for f in shown)
              + f". Using modus ponens, modus tollens, hypothetical and disjunctive syllogism, "
              f"decide whether {q} is true, false or unknown (not settled by the premises).")
    return Problem(task=NAME, level=level, prompt=prompt, steps=steps, answer=want, error=error,
                   data={"expected": want, "atom": q, "given": [F.to_json(f) for f in shown],
                         "derivations": derivations},
                   identity=canonical_identity(NAME, {"given": [F.to_json(f) for f in shown], "atom": q}, names=sorted({v for f in shown for v in F.variables(f)} | {q}), by_first_use=True))


def verify(problem: Problem, answer_text: str) -> Verdict:
    value, why = parse_truth_or_unknown(answer_text)
    if value is None:
        return Verdict(0.0, why)
    expected = problem.data["expected"]
    if expected in (True, False):  # records of version 1 stored a bool
        expected = "true" if expected else "false"
    if value == expected:
        return Verdict(1.0, "correct")
    return Verdict(0.0, f"wrong: {problem.data['atom']} is {expected}")


TASK = Task(name=NAME, domain="logic", levels=("high",), version=VERSION, config_cls=Config,
            generate=generate, verify=verify,
            description="true, false or unknown by modus ponens/tollens, hypothetical and "
                        "disjunctive syllogism")
