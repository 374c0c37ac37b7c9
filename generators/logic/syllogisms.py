"""Categorical syllogisms (middle): valid or not, decided rule by rule, confirmed by Venn models.

A form is a mood (three of A E I O) and a figure (1-4). One step per classical rule
(distributed middle, illicit major/minor, exclusive premises, negative conclusion,
existential fallacy), each re-decided from the distribution table; the verdict step is
checked by enumerating all 256 Venn diagrams of three terms (modern, Boolean reading).
Slips: a broken rule declared to hold (the fallacy it names), a wrong distribution, or an
illicit conversion (All X are Y read as All Y are X, Some X are not Y likewise).
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from functools import lru_cache

from generators.logic.logic_answers import parse_validity
from reasoning.schema import Check
from reasoning.split import canonical_identity
from reasoning.steps import check_slip_rate, checked_step, first_slip
from reasoning.task import Problem, Task, Verdict

NAME = "syllogisms"
VERSION = "2"
NOUNS = ("artists", "bakers", "chemists", "dancers", "engineers", "farmers", "gardeners",
         "hikers", "inventors", "judges", "knitters", "lawyers", "musicians", "nurses",
         "painters", "poets", "runners", "sailors", "singers", "teachers", "writers")
# Which premise terms each figure puts in subject/predicate position: (major, minor).
FIGURES = {1: (("M", "P"), ("S", "M")), 2: (("P", "M"), ("S", "M")),
           3: (("M", "P"), ("M", "S")), 4: (("P", "M"), ("M", "S"))}
RULES = ("undistributed_middle", "illicit_major", "illicit_minor", "exclusive_premises",
         "negative_conclusion", "existential_fallacy")
# Distinct problems: the 256 forms (15 valid), which is what a learner must tell apart; the
# 21*20*19 ordered noun triples are wording (the split's identity leaves them out). The forms
# are drawn unevenly (valid ones more often): they repeat as often as about 50 equally likely
# ones would, the effective size stated here (pairs of repeats among 2,000 records).
PROBLEM_SPACE = 50
PROBLEM_SPACE_NOTE = ("50 effective problems (256 forms: 4 moods for each of 3 statements, 4 figures; the terms are wording), so a 5,000-record stage repeats each form many times: this task cannot give 10x a stage of distinct problems")


@dataclass(frozen=True)
class Config:
    valid_share: float = 0.5  # share of items whose form is valid
    slip_rate: float = 0.1  # chance that an item carries a slip

    def __post_init__(self) -> None:
        if not isinstance(self.valid_share, int | float) or not 0.0 <= self.valid_share <= 1.0:
            raise ValueError(f"valid_share must lie in [0, 1] (e.g. 0.5), got {self.valid_share!r}")
        check_slip_rate(self.slip_rate)


def sentence(kind: str, x: str, y: str) -> str:
    return {"A": f"All {x} are {y}", "E": f"No {x} are {y}", "I": f"Some {x} are {y}",
            "O": f"Some {x} are not {y}"}[kind]


def distributed(kind: str) -> tuple[bool, bool]:
    """Whether (subject, predicate) of a statement of this kind is distributed."""
    return {"A": (True, False), "E": (True, True), "I": (False, False), "O": (False, True)}[kind]


def statements(mood: str, figure: int) -> list[tuple[str, str, str]]:
    """(kind, subject, predicate) of major premise, minor premise, conclusion in S/M/P."""
    (a, b), (c, d) = FIGURES[figure]
    return [(mood[0], a, b), (mood[1], c, d), (mood[2], "S", "P")]


def _dist_in(stmt: tuple[str, str, str], term: str) -> bool:
    kind, x, y = stmt
    ds, dp = distributed(kind)
    return (x == term and ds) or (y == term and dp)


def broken_rules(mood: str, figure: int) -> list[str]:
    """The classical rules this form breaks, recomputed from the distribution table."""
    major, minor, concl = statements(mood, figure)
    neg = [k in "EO" for k in mood]
    broken = []
    if not (_dist_in(major, "M") or _dist_in(minor, "M")):
        broken.append("undistributed_middle")
    if _dist_in(concl, "P") and not _dist_in(major, "P"):
        broken.append("illicit_major")
    if _dist_in(concl, "S") and not _dist_in(minor, "S"):
        broken.append("illicit_minor")
    if neg[0] and neg[1]:
        broken.append("exclusive_premises")
    if (neg[0] or neg[1]) != neg[2]:
        broken.append("negative_conclusion")
    if mood[0] in "AE" and mood[1] in "AE" and mood[2] in "IO":
        broken.append("existential_fallacy")
    return broken


def _holds(kind: str, x: int, y: int, regions: tuple[tuple[bool, bool, bool], ...]) -> bool:
    if kind == "A":
        return not any(r[x] and not r[y] for r in regions)
    if kind == "E":
        return not any(r[x] and r[y] for r in regions)
    if kind == "I":
        return any(r[x] and r[y] for r in regions)
    return any(r[x] and not r[y] for r in regions)


@lru_cache(maxsize=256)
def venn_valid(mood: str, figure: int) -> tuple[bool, str]:
    """Valid iff every Venn model (set of inhabited regions) of the premises has the conclusion."""
    index = {"S": 0, "M": 1, "P": 2}
    stmts = [(k, index[x], index[y]) for k, x, y in statements(mood, figure)]
    all_regions = list(itertools.product((True, False), repeat=3))
    for mask in range(256):
        regions = tuple(r for i, r in enumerate(all_regions) if mask >> i & 1)
        if all(_holds(*s, regions) for s in stmts[:2]) and not _holds(*stmts[2], regions):
            return False, f"countermodel: inhabited regions {mask:08b}"
    return True, "all 256 Venn models of the premises satisfy the conclusion"


def converts_validly(kind: str) -> bool:
    """Whether `x kind y` gives `y kind x` in every Venn model of two terms (E and I do)."""
    regions = list(itertools.product((True, False), repeat=2))
    for mask in range(16):
        world = tuple(r for i, r in enumerate(regions) if mask >> i & 1)
        if _holds(kind, 0, 1, world) and not _holds(kind, 1, 0, world):
            return False
    return True


RULE_TEXT = {
    "undistributed_middle": "the middle term is distributed in a premise",
    "illicit_major": "the major term is not distributed only in the conclusion",
    "illicit_minor": "the minor term is not distributed only in the conclusion",
    "exclusive_premises": "not both premises are negative",
    "negative_conclusion": "the conclusion is negative exactly when a premise is",
    "existential_fallacy": "no particular conclusion from two universal premises",
}


def _rule_step(rule: str, holds_claim: bool, truly_broken: bool, slip: str | None = None,
               critic: str | None = None):
    ok = holds_claim != truly_broken
    verdict_word = "holds" if holds_claim else f"broken ({rule.replace('_', ' ')})"
    proposal = f"rule: {RULE_TEXT[rule]} — {verdict_word}"
    critic = critic or f"{'holds' if not truly_broken else 'broken'} ✓"
    detail = f"{rule}: {'broken' if truly_broken else 'holds'}"
    return proposal, checked_step(proposal, critic, Check(checker="rule", ok=ok, detail=detail), slip=slip)


def generate(rng: random.Random, level: str, config: Config) -> Problem:
    want_valid = rng.random() < config.valid_share
    while True:
        mood, figure = "".join(rng.choice("AEIO") for _ in range(3)), rng.randint(1, 4)
        if (not broken_rules(mood, figure)) == want_valid:
            break
    s, m, p = rng.sample(NOUNS, 3)
    term = {"S": s, "M": m, "P": p}
    texts = [sentence(k, term[x], term[y]) for k, x, y in statements(mood, figure)]
    broken = broken_rules(mood, figure)
    slip_here = bool(config.slip_rate) and rng.random() < config.slip_rate
    convertible = [i for i in (0, 1) if mood[i] in "AO"]  # premises a reader may convert
    converts = slip_here and bool(convertible) and rng.random() < 0.5
    steps, error = [], None
    dist = [f"{t}: " + ", ".join(term[x] for x, d in zip(stmt[1:], distributed(stmt[0]), strict=True) if d)
            for t, stmt in zip(("major", "minor", "conclusion"), statements(mood, figure), strict=True)]
    form = f"form {mood}-{figure}; distributed terms — " + "; ".join(
        d if not d.endswith(": ") else d + "none" for d in dist)
    if converts:  # illicit conversion: All X are Y read as All Y are X (O likewise)
        i = rng.choice(convertible)
        kind, x, y = statements(mood, figure)[i]
        label = ("major", "minor")[i]
        wrong = f"convert the {label} premise: {sentence(kind, term[y], term[x])}"
        ok = converts_validly(kind)
        steps.append(checked_step(wrong, f"illicit conversion: '{texts[i]}' does not give "
                                  f"'{sentence(kind, term[y], term[x])}' ✗", Check(checker="venn_models", ok=ok, detail=f"{kind} statements do not convert"), slip="illicit_conversion"))
        error = first_slip(error, steps, "illicit_conversion", f"{label} premise", form, wrong)
    steps.append(checked_step(form, "A distributes its subject, E both, I none, O its predicate ✓", Check(checker="distribution", ok=True, detail=f"mood {mood}, figure {figure}")))
    for rule in RULES:
        truly = rule in broken
        if slip_here and not converts and error is None and (truly or (not broken and rule == "undistributed_middle")):
            if truly:  # the fallacy itself: a broken rule declared to hold
                wrong, step = _rule_step(rule, True, True, slip=rule,
                                         critic=f"{rule.replace('_', ' ')}: this rule is broken ✗")
            else:  # a valid form whose middle term is wrongly taken as undistributed
                wrong, step = _rule_step(rule, False, False, slip="wrong_distribution",
                                         critic="the middle term is distributed in a premise ✗")
            steps.append(step)
            right = _rule_step(rule, not truly, truly)[0]
            error = first_slip(error, steps, step.slip or rule, f"rule {rule}", right, wrong)
        steps.append(_rule_step(rule, not truly, truly)[1])
    valid, why = venn_valid(mood, figure)
    claim = not broken
    steps.append(checked_step(f"so the syllogism is {'valid' if claim else 'invalid'}", f"{'no rule broken' if claim else 'broken: ' + ', '.join(broken)} ✓", Check(checker="venn_models", ok=claim == valid, detail=why)))
    answer = "valid" if valid else "invalid"
    prompt = (f"Premises: {texts[0]}. {texts[1]}. Conclusion: {texts[2]}. Is this syllogism "
              "valid (modern reading: universal statements do not imply existence)? "
              "Answer valid or invalid.")
    return Problem(task=NAME, level=level, prompt=prompt, steps=steps, answer=answer,
                   error=error, data={"valid": valid, "mood": mood, "figure": figure,
                                      "terms": [s, m, p]},
                   identity=canonical_identity(NAME, {"mood": mood, "figure": figure}))


def verify(problem: Problem, answer_text: str) -> Verdict:
    value, why = parse_validity(answer_text)
    if value is None:
        return Verdict(0.0, why)
    if value == bool(problem.data["valid"]):
        return Verdict(1.0, "correct")
    return Verdict(0.0, f"wrong: the syllogism is {'valid' if problem.data['valid'] else 'invalid'}")


TASK = Task(name=NAME, domain="logic", levels=("middle",), version=VERSION, config_cls=Config,
            generate=generate, verify=verify,
            description="categorical syllogisms: valid or invalid, by the rules and Venn models")
