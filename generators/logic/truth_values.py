"""Truth values of simple statements (preschool) and of and/or/not combinations (primary).

Atoms are facts a child can check: number comparisons, the sides of a shape, the legs of an
animal, and at preschool sums and take-aways of coloured things and which number comes next
(parity at primary). Each atom is decided in one step (checked by recomputing the fact),
then each connective in one step, innermost first (checked against its truth table).
Slips: a misread comparison, a miscounted sum or next number, a wrong fact, `and` read as
`or` (and back), a dropped `not`.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass

from generators.logic import formulas as F
from generators.logic.logic_answers import parse_truth
from reasoning.schema import Check
from reasoning.split import canonical_identity
from reasoning.steps import check_slip_rate, checked_step, first_slip
from reasoning.task import Problem, StepJudgement, Task, Verdict

NAME = "truth_values"
VERSION = "2"
SIDES = {"triangle": 3, "square": 4, "rectangle": 4, "pentagon": 5, "hexagon": 6, "octagon": 8}
LEGS = {"bird": 2, "chicken": 2, "duck": 2, "owl": 2, "penguin": 2, "dog": 4, "cat": 4,
        "horse": 4, "cow": 4, "pig": 4, "sheep": 4, "goat": 4, "lion": 4, "elephant": 4,
        "frog": 4, "mouse": 4, "rabbit": 4, "ant": 6, "bee": 6, "beetle": 6, "ladybug": 6,
        "butterfly": 6, "spider": 8, "crab": 10}
# Things a child counts, (one, many); any colour suits them.
THINGS = (("ball", "balls"), ("car", "cars"), ("block", "blocks"), ("balloon", "balloons"),
          ("crayon", "crayons"), ("button", "buttons"), ("cup", "cups"), ("hat", "hats"),
          ("sock", "socks"), ("kite", "kites"), ("boat", "boats"), ("bead", "beads"),
          ("star", "stars"), ("brush", "brushes"), ("box", "boxes"), ("toy bus", "toy buses"))
COLOURS = ("red", "blue", "green", "yellow", "orange", "purple", "pink", "white")
ANIMAL_WORDS = ("little", "big", "baby", "brown", "black", "white", "grey", "young")
AFTER_WORDS = ("{a} comes right after {b}", "{b} comes right before {a}", "the number after {b} is {a}")
REL_WORDS = {">": ("is greater than", "is bigger than", "is more than"),
             "<": ("is less than", "is smaller than"), "=": ("is equal to", "is the same as")}
QUESTIONS = ("Is this statement true or false? {S}.", "True or false: {S}.",
             "Is it true that {s}?", "Tell me if this is true or false: {S}.")
WORD = {"and": "and", "or": "or"}
# Distinct problems at preschool, the smaller level: 685 identities in 6,000 records (none
# new by 20,000), drawn unevenly, so they repeat as often as about 350 equally likely ones
# would (the effective size stated here); the facts and sums are the problem, wordings,
# things and colours are wording, which the split's identity leaves out. Primary statements
# (2-4 atoms, numbers up to 100) are far more numerous (5,997 distinct in 6,000).
PROBLEM_SPACE = 350
PROBLEM_SPACE_NOTE = ("350 effective (685 distinct) problems at preschool: facts and small sums, "
                      "the wording varies; this task cannot give 10x a 5,000-record stage there")


@dataclass(frozen=True)
class Config:
    max_number: int = 0  # 0: the level decides (10 at preschool, 100 at primary)
    max_atoms: int = 3  # atoms in a primary statement (preschool always has one)
    slip_rate: float = 0.1  # chance that a step is first proposed with a slip
    # A fact step recomputes the fact before it decides the statement: "1 + 6 = 7, so 1 red
    # bead and 6 red beads make 8 red beads: false", where the default decides first and
    # leaves the recomputation to the critic (a learner must guess before it computes).
    reason_first: bool = False
    # A fact step restates the statement, recomputes the fact and sets the statement's claim
    # beside it before it decides: "1 red bead and 6 red beads make 8 red beads: 1 + 6 = 7
    # vs 8: false", so the verdict compares two numbers written next to each other.
    claim_beside: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.max_number, int) or not (self.max_number == 0 or self.max_number >= 5):
            raise ValueError(f"max_number must be 0 (level default) or at least 5, got {self.max_number!r}")
        if not isinstance(self.max_atoms, int) or not 2 <= self.max_atoms <= 4:
            raise ValueError(f"max_atoms must be an int in 2..4 (e.g. 3), got {self.max_atoms!r}")
        check_slip_rate(self.slip_rate)
        if not isinstance(self.reason_first, bool):
            raise ValueError(f"reason_first must be true or false, got {self.reason_first!r}")
        if not isinstance(self.claim_beside, bool):
            raise ValueError(f"claim_beside must be true or false, got {self.claim_beside!r}")
        if self.reason_first and self.claim_beside:
            raise ValueError("reason_first and claim_beside are two ways to write a fact step: choose one")


def atom_value(atom: list) -> bool:
    """Decide an atom from scratch: the recomputation behind every fact step."""
    kind = atom[0]
    if kind == "cmp":
        a, rel, b = atom[1:4]
        return a > b if rel == ">" else a < b if rel == "<" else a == b
    if kind == "even":
        return atom[1] % 2 == 0
    if kind == "sides":
        return SIDES[atom[1]] == atom[2]
    if kind == "add":
        return atom[1] + atom[2] == atom[3]
    if kind == "take":
        return atom[1] - atom[2] == atom[3]
    if kind == "after":
        return atom[1] == atom[2] + 1
    return LEGS[atom[1]] == atom[2]


def _things(count: int, atom: list) -> str:
    one, many = THINGS[atom[4]]
    return f"{count} {COLOURS[atom[5]]} {one if count == 1 else many}"


def atom_text(atom: list) -> str:
    kind = atom[0]
    if kind == "cmp":
        rel = REL_WORDS[atom[2]][atom[4] if len(atom) > 4 else 0]
        return f"{atom[1]} {rel} {atom[3]}"
    if kind == "even":
        return f"{atom[1]} is even"
    if kind == "add":
        return f"{_things(atom[1], atom)} and {_things(atom[2], atom)} make {_things(atom[3], atom)}"
    if kind == "take":
        return f"{_things(atom[1], atom)} take away {atom[2]} leaves {_things(atom[3], atom)}"
    if kind == "after":
        return AFTER_WORDS[atom[3]].format(a=atom[1], b=atom[2])
    noun = ("side" if kind == "sides" else "leg") + ("" if atom[2] == 1 else "s")
    if len(atom) > 3:  # preschool: a colour for a shape, a word for an animal
        word = COLOURS[atom[3]] if kind == "sides" else ANIMAL_WORDS[atom[3]]
        return f"{_a(word)} {atom[1]} has {atom[2]} {noun}"
    return f"{_a(atom[1])} has {atom[2]} {noun}"


def _a(thing: str) -> str:
    return ("an " if thing[0] in "aeiou" else "a ") + thing


def atom_reason(atom: list) -> str:
    """What the critic recomputes for an atom (the true fact, not the claim)."""
    kind = atom[0]
    if kind == "cmp":
        a, b = atom[1], atom[3]
        return f"{a} {'>' if a > b else '<' if a < b else '='} {b}"
    if kind == "even":
        return f"{atom[1]} = 2 × {atom[1] // 2}" + (" + 1" if atom[1] % 2 else "")
    if kind == "sides":
        return f"{_a(atom[1])} has {SIDES[atom[1]]} sides"
    if kind == "add":
        return f"{atom[1]} + {atom[2]} = {atom[1] + atom[2]}"
    if kind == "take":
        return f"{atom[1]} - {atom[2]} = {atom[1] - atom[2]}"
    if kind == "after":
        return f"{atom[2]} + 1 = {atom[2] + 1}"
    return f"{_a(atom[1])} has {LEGS[atom[1]]} legs"


def atom_claim(atom: list) -> str:
    """What the statement claims, in the terms of `atom_reason`: the number it names as the
    result, the relation it states, or `even`."""
    kind = atom[0]
    if kind == "cmp":
        return atom[2]
    if kind == "even":
        return "even"
    if kind in ("add", "take"):
        return str(atom[3])
    return str(atom[1] if kind == "after" else atom[2])


def random_atom(rng: random.Random, top: int, with_parity: bool) -> list:
    """A checkable fact; preschool (no parity) also counts things and says what comes next."""
    if with_parity:
        kind = rng.choice(("cmp", "cmp", "sides", "legs", "even"))
    else:  # weighted towards the big families, so that a stage of records rarely repeats one
        kind = rng.choices(("add", "take", "cmp", "legs", "sides", "after"),
                           weights=(38, 38, 10, 7, 4, 3))[0]
    if kind == "cmp":
        a, b = rng.randint(0, top), rng.randint(0, top)
        rel = rng.choice((">", "<", "=") if abs(a - b) < 3 else (">", "<"))
        return ["cmp", a, rel, b] + ([rng.randrange(len(REL_WORDS[rel]))] if not with_parity else [])
    if kind == "even":
        return ["even", rng.randint(0, top)]
    if kind in ("add", "take"):
        a, b = rng.randint(1, top - 1), rng.randint(1, top - 1)
        a, b = (a, b) if a + b <= top else (top - b, top - a)  # keep the total within `top`
        total, part = (a + b, a) if kind == "add" else (a + b, b)  # take: total - part
        right = total if kind == "add" else total - part
        claim = right if rng.random() < 0.5 else right + rng.choice((-1, 1))
        first = (a, b) if kind == "add" else (total, part)
        return [kind, *first, claim, rng.randrange(len(THINGS)), rng.randrange(len(COLOURS))]
    if kind == "after":
        b = rng.randint(0, top - 1)
        return ["after", b + 1 if rng.random() < 0.5 else b + rng.choice((-1, 2)), b,
                rng.randrange(len(AFTER_WORDS))]
    table = SIDES if kind == "sides" else LEGS
    thing = rng.choice(sorted(table))
    count = table[thing] if rng.random() < 0.5 else table[thing] + rng.choice((-2, -1, 1, 2))
    extra = [] if with_parity else [rng.randrange(len(COLOURS if kind == "sides" else ANIMAL_WORDS))]
    return [kind, thing, max(count, 1), *extra]


def words(f: F.Formula, atoms: dict[str, list]) -> str:
    """The statement in words; compound parts are bracketed so the reading is unique."""
    if f[0] == "var":
        return atom_text(atoms[f[1]])
    if f[0] == "not":
        return f"it is not true that {_part(f[1], atoms)}"
    return f"{_part(f[1], atoms)} {WORD[f[0]]} {_part(f[2], atoms)}"


def _part(f: F.Formula, atoms: dict[str, list]) -> str:
    return words(f, atoms) if f[0] == "var" else f"({words(f, atoms)})"


def compound(rng: random.Random, n_atoms: int) -> F.Formula:
    """An and/or statement over atoms a0..a{n-1}, each used once, some negated."""
    leaves = [F.var(f"a{i}") for i in range(n_atoms)]
    leaves = [F.neg(x) if rng.random() < 0.2 else x for x in leaves]
    ops = ("and", "or")
    if n_atoms == 2:
        f = (rng.choice(ops), *leaves)
    elif n_atoms == 3:
        inner = (rng.choice(ops), *leaves[:2]) if rng.random() < 0.5 else (rng.choice(ops), *leaves[1:])
        f = (rng.choice(ops), inner, leaves[2]) if inner[1] is leaves[0] else (rng.choice(ops), leaves[0], inner)
    else:
        f = (rng.choice(ops), (rng.choice(ops), *leaves[:2]), (rng.choice(ops), *leaves[2:]))
    return F.neg(f) if rng.random() < 0.1 else f


def _tv(v: bool) -> str:
    return "true" if v else "false"


def _combine(op: str, vals: list[bool]) -> bool:
    if op == "not":
        return not vals[0]
    return (vals[0] and vals[1]) if op == "and" else (vals[0] or vals[1])


SLIP_WORDS = {"and_as_or": "'and' needs both parts true",
              "or_as_and": "'or' needs only one part true",
              "dropped_not": "the 'not' was dropped"}


def generate(rng: random.Random, level: str, config: Config) -> Problem:
    top = config.max_number or (10 if level == "preschool" else 100)
    if level == "preschool":
        formula: F.Formula = F.var("a0")
    else:
        formula = compound(rng, rng.randint(2, config.max_atoms))
    atoms: dict[str, list] = {}
    for n in F.variables(formula):  # no statement twice in one item
        atom = random_atom(rng, top, level != "preschool")
        while any(atom_text(atom) == atom_text(a) for a in atoms.values()):
            atom = random_atom(rng, top, level != "preschool")
        atoms[n] = atom
    env = {n: atom_value(a) for n, a in atoms.items()}
    steps, error = [], None
    for n in F.variables(formula):
        atom, truth = atoms[n], env[n]
        said = (f"{atom_reason(atom)}, so {atom_text(atom)}" if config.reason_first
                else f"{atom_text(atom)}: {atom_reason(atom)} vs {atom_claim(atom)}" if config.claim_beside
                else atom_text(atom))
        text = f"{said}: {_tv(truth)}"
        if config.slip_rate and rng.random() < config.slip_rate:
            kind = {"cmp": "misread_comparison", "add": "miscounted", "take": "miscounted",
                    "after": "miscounted"}.get(atom[0], "wrong_fact")
            if config.reason_first or config.claim_beside:  # the fact is recomputed right; the slip is the verdict
                kind = "wrong_verdict"
            wrong = f"{said}: {_tv(not truth)}"
            steps.append(checked_step(wrong, f"{atom_reason(atom)}, so it is {_tv(truth)} ✗", Check(checker="fact", ok=(not truth) == atom_value(atom), detail=atom_reason(atom)), slip=kind))
            error = first_slip(error, steps, kind, f"statement {atom_text(atom)!r}", text, wrong)
        steps.append(checked_step(text, f"{atom_reason(atom)} ✓", Check(checker="fact", ok=truth == atom_value(atom), detail=atom_reason(atom))))
    for sub in F.subformulas(formula):
        vals = [F.evaluate(g, env) for g in sub[1:]]
        value = F.evaluate(sub, env)
        shown = f" {sub[0]} ".join(_tv(v) for v in vals) if sub[0] != "not" else _tv(vals[0])
        label = "not " if sub[0] == "not" else ""
        text = f"{words(sub, atoms)} — {label}{shown} = {_tv(value)}"
        kinds = {"and": ["and_as_or"], "or": ["or_as_and"], "not": ["dropped_not"]}[sub[0]]
        wrong_value = (vals[0] if sub[0] == "not" else
                       (vals[0] or vals[1]) if sub[0] == "and" else (vals[0] and vals[1]))
        if config.slip_rate and wrong_value != value and rng.random() < config.slip_rate:
            kind = kinds[0]
            wrong = f"{words(sub, atoms)} — {label}{shown} = {_tv(wrong_value)}"
            steps.append(checked_step(wrong, f"{SLIP_WORDS[kind]}: {label}{shown} = {_tv(value)} ✗", Check(checker="truth_table", ok=_combine(sub[0], vals) == wrong_value, detail=f"{label}{shown} = {_tv(value)}"), slip=kind))
            error = first_slip(error, steps, kind, f"connective {sub[0]!r}", text, wrong)
        steps.append(checked_step(text, f"{label}{shown} = {_tv(value)} ✓", Check(checker="truth_table", ok=_combine(sub[0], vals) == value, detail=f"{label}{shown} = {_tv(value)}")))
    answer = _tv(F.evaluate(formula, env))
    statement = words(formula, atoms)
    prompt = rng.choice(QUESTIONS).format(S=statement[0].upper() + statement[1:], s=statement)
    return Problem(task=NAME, level=level, prompt=prompt, steps=steps, answer=answer, error=error,
                   data={"expected": answer == "true", "formula": F.to_json(formula),
                         "atoms": atoms},
                   identity=canonical_identity(NAME, {"formula": F.to_json(formula), "atoms": {n: a[:{"even": 2, "cmp": 4, "add": 4, "take": 4}.get(a[0], 3)] for n, a in atoms.items()}}))


def verify(problem: Problem, answer_text: str) -> Verdict:
    value, why = parse_truth(answer_text)
    if value is None:
        return Verdict(0.0, why)
    if value == bool(problem.data["expected"]):
        return Verdict(1.0, "correct")
    return Verdict(0.0, f"wrong truth value: expected {_tv(bool(problem.data['expected']))}")


_VERDICT = re.compile(r"(.*?)\s*[:=]\s*(true|false)\s*", re.S)
_WORK = re.compile(r"(?:not (true|false)|(true|false) (and|or) (true|false))")


def _fact(atom: list) -> bool:
    """An atom's truth from its numbers, written apart from `atom_value` so that a step is
    judged by a second derivation, not by the code that wrote the record."""
    kind, *rest = atom
    if kind == "cmp":
        return {">": rest[0] > rest[2], "<": rest[0] < rest[2], "=": rest[0] == rest[2]}[rest[1]]
    if kind == "even":
        return rest[0] % 2 == 0
    if kind in ("add", "take"):
        return (rest[0] + rest[1] if kind == "add" else rest[0] - rest[1]) == rest[2]
    if kind == "after":
        return rest[0] - rest[1] == 1
    return {"sides": SIDES, "legs": LEGS}[kind][rest[0]] == rest[1]


def _truth(f: F.Formula, env: dict[str, bool]) -> bool:
    if f[0] == "var":
        return env[f[1]]
    parts = [_truth(g, env) for g in f[1:]]
    return not parts[0] if f[0] == "not" else all(parts) if f[0] == "and" else any(parts)


def check_step(problem: Problem, previous: Sequence[str], proposal: str) -> StepJudgement:
    """A step that decides a statement of this problem (``3 pink balloons and 7 pink
    balloons make 9 pink balloons: 3 + 7 = 10 vs 9: false``) or a part of it (``(a) or (b)
    — false or true = true``) is judged by the statement's truth, recomputed from its
    numbers: a verdict that is wrong as written, a connective worked wrong, or a statement
    the problem does not make is invalid, whatever arithmetic the step gets right on the
    way. Other text falls back to the logic domain's default."""
    from generators.step_check import logic_step

    fallback = logic_step(problem, previous, proposal)
    m = _VERDICT.fullmatch(proposal)
    if not m:
        return fallback
    head, said = m.group(1), m.group(2) == "true"
    atoms, formula = problem.data["atoms"], F.from_json(problem.data["formula"])
    env = {name: _fact(atom) for name, atom in atoms.items()}
    if " — " in head:  # a connective: "<words of a part> — <its work> = <value>"
        part, _, work = head.partition(" — ")
        parts = {words(sub, atoms): sub for sub in F.subformulas(formula)}
        if part.strip() not in parts:
            return StepJudgement("invalid", f"{part.strip()!r} is no part of this statement")
        sub = parts[part.strip()]
        truth = _truth(sub, env)
        w = _WORK.fullmatch(work.strip())
        if w is None:
            return StepJudgement("invalid", f"cannot read {work.strip()!r} as the work of {sub[0]!r}")
        shown = [w.group(1) == "true"] if w.group(1) else [w.group(2) == "true", w.group(4) == "true"]
        if (w.group(3) or "not") != sub[0]:
            return StepJudgement("invalid", f"the part is joined by {sub[0]!r}, not {w.group(3) or 'not'!r}")
        if shown != [_truth(g, env) for g in sub[1:]]:
            return StepJudgement("invalid", f"the values shown for the parts of {part.strip()!r} are not theirs")
        if said != truth:
            return StepJudgement("invalid", f"{work.strip()} is {_tv(truth)}, not {_tv(said)}")
        return StepJudgement("valid", f"{part.strip()} is {_tv(truth)}")
    # A fact: the statement first (or after ", so " when the fact is worked out before it).
    named = [n for n, atom in atoms.items()
             if head.startswith(atom_text(atom) + ":") or head == atom_text(atom)
             or head.endswith(", so " + atom_text(atom))]  # fmt: skip
    if not named:
        return StepJudgement("invalid", "the step decides no statement of this problem")
    truth = env[named[0]]
    if said != truth:
        return StepJudgement("invalid", f"{atom_text(atoms[named[0]])!r} is {_tv(truth)}, not {_tv(said)}")
    if fallback.status == "invalid":  # the arithmetic on the way is wrong
        return fallback
    return StepJudgement("valid", f"{atom_text(atoms[named[0]])!r} is {_tv(truth)}")


TASK = Task(name=NAME, domain="logic", levels=("preschool", "primary"), version=VERSION,
            config_cls=Config, generate=generate, verify=verify, check_step=check_step,
            description="truth of simple facts (preschool) and of and/or/not statements (primary)")
