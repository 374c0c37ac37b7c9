"""Truth values of simple statements (preschool) and of and/or/not combinations (primary).

Atoms are facts a child can check: number comparisons, parity, the sides of a shape, the
legs of an animal. Each atom is decided in one step (checked by recomputing the fact),
then each connective in one step, innermost first (checked against its truth table).
Slips: a misread comparison or wrong fact, `and` read as `or` (and back), a dropped `not`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from generators.logic import formulas as F
from generators.logic.answers import parse_truth
from reasoning.schema import Check
from reasoning.steps import check_slip_rate, checked_step, first_slip
from reasoning.task import Problem, Task, Verdict

NAME = "truth_values"
VERSION = "1"
SIDES = {"triangle": 3, "square": 4, "pentagon": 5, "hexagon": 6, "octagon": 8}
LEGS = {"bird": 2, "chicken": 2, "dog": 4, "cat": 4, "horse": 4, "ant": 6, "bee": 6, "spider": 8}
WORD = {"and": "and", "or": "or"}


@dataclass(frozen=True)
class Config:
    max_number: int = 0  # 0: the level decides (10 at preschool, 100 at primary)
    max_atoms: int = 3  # atoms in a primary statement (preschool always has one)
    slip_rate: float = 0.1  # chance that a step is first proposed with a slip

    def __post_init__(self) -> None:
        if not isinstance(self.max_number, int) or not (self.max_number == 0 or self.max_number >= 5):
            raise ValueError(f"max_number must be 0 (level default) or at least 5, got {self.max_number!r}")
        if not isinstance(self.max_atoms, int) or not 2 <= self.max_atoms <= 4:
            raise ValueError(f"max_atoms must be an int in 2..4 (e.g. 3), got {self.max_atoms!r}")
        check_slip_rate(self.slip_rate)


def atom_value(atom: list) -> bool:
    """Decide an atom from scratch: the recomputation behind every fact step."""
    kind = atom[0]
    if kind == "cmp":
        a, rel, b = atom[1:]
        return a > b if rel == ">" else a < b if rel == "<" else a == b
    if kind == "even":
        return atom[1] % 2 == 0
    if kind == "sides":
        return SIDES[atom[1]] == atom[2]
    return LEGS[atom[1]] == atom[2]


def atom_text(atom: list) -> str:
    kind = atom[0]
    if kind == "cmp":
        rel = {">": "is greater than", "<": "is less than", "=": "is equal to"}[atom[2]]
        return f"{atom[1]} {rel} {atom[3]}"
    if kind == "even":
        return f"{atom[1]} is even"
    noun = ("side" if kind == "sides" else "leg") + ("" if atom[2] == 1 else "s")
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
    return f"{_a(atom[1])} has {LEGS[atom[1]]} legs"


def random_atom(rng: random.Random, top: int, with_parity: bool) -> list:
    kind = rng.choice(("cmp", "cmp", "sides", "legs") + (("even",) if with_parity else ()))
    if kind == "cmp":
        a, b = rng.randint(0, top), rng.randint(0, top)
        return ["cmp", a, rng.choice((">", "<", "=") if abs(a - b) < 3 else (">", "<")), b]
    if kind == "even":
        return ["even", rng.randint(0, top)]
    table = SIDES if kind == "sides" else LEGS
    thing = rng.choice(sorted(table))
    count = table[thing] if rng.random() < 0.5 else table[thing] + rng.choice((-2, -1, 1, 2))
    return [kind, thing, max(count, 1)]


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
    atoms = {n: random_atom(rng, top, level != "preschool") for n in F.variables(formula)}
    env = {n: atom_value(a) for n, a in atoms.items()}
    steps, error = [], None
    for n in F.variables(formula):
        atom, truth = atoms[n], env[n]
        text = f"{atom_text(atom)}: {_tv(truth)}"
        if config.slip_rate and rng.random() < config.slip_rate:
            kind = "misread_comparison" if atom[0] == "cmp" else "wrong_fact"
            wrong = f"{atom_text(atom)}: {_tv(not truth)}"
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
    prompt = f"Is this statement true or false? {statement[0].upper()}{statement[1:]}."
    return Problem(task=NAME, level=level, prompt=prompt, steps=steps, answer=answer, error=error,
                   data={"expected": answer == "true", "formula": F.to_json(formula),
                         "atoms": atoms})


def verify(problem: Problem, answer_text: str) -> Verdict:
    value, why = parse_truth(answer_text)
    if value is None:
        return Verdict(0.0, why)
    if value == bool(problem.data["expected"]):
        return Verdict(1.0, "correct")
    return Verdict(0.0, f"wrong truth value: expected {_tv(bool(problem.data['expected']))}")


TASK = Task(name=NAME, domain="logic", levels=("preschool", "primary"), version=VERSION,
            config_cls=Config, generate=generate, verify=verify,
            description="truth of simple facts (preschool) and of and/or/not statements (primary)")
