"""Judging a step someone else wrote (a model, under GRPO) from its text alone.

A step proposal like ``tens: 6 + 4 + 1 = 11, write 1 carry 1`` states claims: relations
between two expressions (``6 + 4 + 1 = 11``). `judge_claims` finds every such relation in
the text, parses both sides with the restricted answer grammar (never `eval`), and checks
it: exactly when both sides are numbers; as an identity in the problem's variables when
they are not (``x^2 - x - 12 = (x + 3)(x - 4)``); and, when the problem's solutions are
known, an equation that is no identity must hold at every solution (``-3x + 2 = 14`` for
x = -4), which is what a correct rewriting of an equation keeps true, and ``x = 3`` must
name one of the solutions.

The result is one of three: `valid` (at least one claim, all true), `invalid` (a claim is
false, and which), `unchecked` (nothing checkable was found). A process reward gives an
unchecked step nothing either way, so words the parser cannot read never cost a model.
Every piece of text is parsed under the grammar's caps, so any input is bounded work.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from generators.answer_comparison import same_function
from generators.answer_grammar import ParseError, parse_expression
from generators.answer_trees import Node, exact_value, free_names
from reasoning.task import Problem, StepJudgement, Task

MAX_STEP_CHARS = 2000
MAX_SIDE_CHARS = 160
RELATIONS = ("<=", ">=", "!=", "=", "<", ">")
# Unicode a step may use, mapped to what the grammar reads; ≠ ≤ ≥ become two characters.
_NORMALISE = {"≠": "!=", "≤": "<=", "≥": ">=", "−": "-", "–": "-"}
_RELATION = re.compile(r"<=|>=|!=|=|<|>")
# A side of a relation starts after, and ends before, one of these (or the text's edge).
_BREAK = " ,;:"


@dataclass(frozen=True)
class Claim:
    """One relation a step states, as written."""

    left: str
    relation: str
    right: str

    def __str__(self) -> str:
        return f"{self.left} {self.relation} {self.right}"


def _parse(text: str, variables: tuple[str, ...]) -> Node | None:
    text = text.strip()
    if not text or len(text) > MAX_SIDE_CHARS or "=" in text or "<" in text or ">" in text:
        return None
    try:
        return parse_expression(text, variables)
    except (ParseError, RecursionError, ValueError, ZeroDivisionError, OverflowError):
        return None


def _longest_suffix(chunk: str, variables: tuple[str, ...]) -> tuple[str, Node] | None:
    starts = [i for i in range(len(chunk)) if i == 0 or chunk[i - 1] in _BREAK]
    for i in starts:  # longest first
        node = _parse(chunk[i:], variables)
        if node is not None:
            return chunk[i:].strip(), node
    return None


def _longest_prefix(chunk: str, variables: tuple[str, ...]) -> tuple[str, Node] | None:
    ends = [j for j in range(len(chunk), 0, -1) if j == len(chunk) or chunk[j] in _BREAK]
    for j in ends:  # longest first
        node = _parse(chunk[:j], variables)
        if node is not None:
            return chunk[:j].strip(), node
    return None


def find_claims(text: str, variables: tuple[str, ...] = ()) -> list[tuple[Claim, Node, Node]]:
    """Every relation in `text` whose two sides parse, with the sides' trees, in order."""
    if not isinstance(text, str) or len(text) > MAX_STEP_CHARS:
        return []
    for a, b in _NORMALISE.items():
        text = text.replace(a, b)
    ops = list(_RELATION.finditer(text))
    found = []
    for k, op in enumerate(ops):
        before = text[ops[k - 1].end() if k else 0 : op.start()]
        after = text[op.end() : ops[k + 1].start() if k + 1 < len(ops) else len(text)]
        left, right = _longest_suffix(before, variables), _longest_prefix(after, variables)
        if left is None or right is None:
            continue
        if re.search(r"\bat\s*$", before[: len(before.rstrip()) - len(left[0])]):
            continue  # "P(n) at 1 = 5": an evaluation written in words, not a relation
        found.append((Claim(left[0], op.group(), right[0]), left[1], right[1]))
    return found


def _holds(relation: str, a: Fraction, b: Fraction) -> bool:
    return {"=": a == b, "!=": a != b, "<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[relation]


def _check(claim: Claim, left: Node, right: Node, variables: tuple[str, ...],
           solutions: tuple[dict[str, Fraction], ...], identities: bool,
           disjunction: bool = False) -> bool | None:  # fmt: skip
    """True or False when the claim could be decided, None when it could not."""
    names = free_names(left) | free_names(right)
    if not names:
        a, b = exact_value(left, {}), exact_value(right, {})
        if a is None or b is None:
            return None
        return _holds(claim.relation, a, b)
    if claim.relation != "=" or not names <= set(variables):
        return None
    if same_function(left, right, tuple(sorted(names))):
        return True
    for var, value in ((left, right), (right, left)):
        if var[0] == "v" and not free_names(value):
            # `x = 3` names a root, or binds a name ("base n = 1"): no identity is meant
            constant = exact_value(value, {})
            if not solutions or constant is None:
                return None
            return any(env.get(var[1]) == constant for env in solutions)
    if identities:
        return False
    if not solutions:
        return None  # an equation, not an identity: only its solutions can judge it
    holds = []
    for env in solutions:
        a, b = exact_value(left, env), exact_value(right, env)
        if a is None or b is None:
            return None
        holds.append(a == b)
    # "x + 2 = 0 or x - 1 = 0": each equation of a disjunction holds at some root
    return any(holds) if disjunction else all(holds)


def judge_claims(text: str, variables: tuple[str, ...] = ("x",),
                 solutions: tuple[dict[str, Fraction], ...] = (),
                 identities: bool = False) -> StepJudgement:  # fmt: skip
    """Judge the relations a step states (see the module docstring).

    `variables` are the problem's variable names; `solutions` (when the problem is an
    equation or system with known solutions) are assignments every equation the step
    writes must satisfy. With `identities` (factoring, differentiating: tasks whose every
    equality is meant for all values), an equality in the variables that is no identity
    is false.
    """
    decided = 0
    for claim, left, right in find_claims(text, variables):
        verdict = _check(claim, left, right, variables, solutions, identities,
                         disjunction=" or " in text)
        if verdict is False:
            return StepJudgement("invalid", f"{claim} is false")
        decided += verdict is True
    if not decided:
        return StepJudgement("unchecked", "no claim that can be checked")
    return StepJudgement("valid", f"{decided} claim(s) check out")


def _leaves(node: Node) -> list[Fraction]:
    if node[0] == "n":
        return [node[1]]
    if node[0] in ("v", "c"):
        return []
    kids = node[1] if node[0] in ("+", "*") else node[2:] if node[0] == "f" else node[1:]
    return [leaf for kid in kids for leaf in _leaves(kid)]


def _signature(claim: Claim, left: Node, right: Node) -> tuple:
    """A numeric claim up to the order of its operands: `8 + 6 = 14` is `6 + 8 = 14`."""
    return (claim.relation, tuple(sorted(_leaves(left))), tuple(sorted(_leaves(right))))


def judge_on_path(problem: Problem, proposal: str, variables: tuple[str, ...] = ("x",)) -> StepJudgement:
    """`judge_claims`, and each numeric claim must be one the problem's own solution makes
    (in any step): right arithmetic on the wrong numbers (the tens digits of another
    column, the wrong divisor) is no step of this problem. For tasks whose solution is one
    fixed procedure (columns, long division, order of operations, ...)."""
    verdict = judge_claims(proposal, variables)
    if verdict.status != "valid":
        return verdict
    path = {_signature(*found) for step in problem.steps if step.verdict == "accept"
            for found in find_claims(step.proposal, variables)}
    for claim, left, right in find_claims(proposal, variables):
        if not (free_names(left) | free_names(right)) and _signature(claim, left, right) not in path:
            return StepJudgement("invalid", f"{claim} is true but no step of this problem")
    return verdict


def math_step(problem: Problem, previous: Sequence[str], proposal: str) -> StepJudgement:
    """The math domain's default: the step's relations in `x` (equations unchecked), each
    numeric one on this problem's path (`judge_on_path`)."""
    return judge_on_path(problem, proposal)


def logic_step(problem: Problem, previous: Sequence[str], proposal: str) -> StepJudgement:
    """The logic domain's default: a valuation or inference checked by truth tables, else
    the step's arithmetic relations (in `n`, as identities: induction and sequences)."""
    from generators.logic_claims import check_logic_step

    verdict, why = check_logic_step(proposal)
    if verdict is not None:
        return StepJudgement("valid" if verdict else "invalid", why)
    return judge_claims(proposal, ("n",), identities=True)


def code_step(problem: Problem, previous: Sequence[str], proposal: str) -> StepJudgement:
    """The code domain's default: the step's claims against the program's real trace."""
    from generators.code.step_claims import check_code_step

    return check_code_step(problem, previous, proposal)


DEFAULTS = {"math": math_step, "logic": logic_step, "code": code_step}


def check_step(task: Task, problem: Problem, previous: Sequence[str], proposal: str) -> StepJudgement:
    """Judge one model-written step of `task`'s `problem`, given the proposals accepted
    before it: the task's own checker, or its domain's default. Never raises: a checker
    that fails leaves the step unchecked (a reward then neither pays nor charges it)."""
    checker = task.check_step or DEFAULTS[task.domain]
    try:
        return checker(problem, previous, proposal)
    except Exception as exc:
        return StepJudgement("unchecked", f"the checker failed ({type(exc).__name__})")
