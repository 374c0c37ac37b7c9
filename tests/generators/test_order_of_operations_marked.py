"""`mark_operation` (the `mark` form's option): an order-of-operations step first copies the
expression with the operation it does in square brackets. Re-derived from the text alone
with Python's `ast` (nothing of the generator): the marked copy without its brackets is
the expression before the step (the question's, then the last accepted rewrite), the
bracket holds the operation the step then does, that operation is the one the rules pick
(innermost parentheses, × and ÷ before + and -, left to right), its value is right, the
rewrite is the marked copy with the bracket replaced by the value (a number left alone in
parentheses loses them), and the last rewrite is the answer; a rejected step is wrong in
its value or in the operation it picked."""

from __future__ import annotations

import ast
import re

import pytest

from generators.math.order_of_operations import TASK, Config
from reasoning.task import generate_problem

_STEP = re.compile(r"^(brackets first|× and ÷ before \+ and -|left to right): (.+), "
                   r"(\d+) ([-+×÷]) (\d+) = (\d+) → (.+)$")


def _ast(expr: str) -> ast.expr:
    return ast.parse(expr.replace("×", "*").replace("÷", "/"), mode="eval").body


def _value(node: ast.expr):
    return eval(compile(ast.Expression(node), "<expr>", "eval"))  # numbers and + - * / only


def _next_by_rules(expr: str) -> str:
    """`a op b` the rules do next in `expr` (text): the first innermost parenthesised group
    (or the whole expression), its first × or ÷, else its first + or -."""
    group = expr
    m = re.search(r"\(([^()]*)\)", expr)
    if m:
        group = m[1]
    parts = group.split(" ")
    ops = [k for k in range(1, len(parts), 2) if parts[k] in "×÷"] or list(range(1, len(parts), 2))
    k = ops[0]
    return " ".join(parts[k - 1 : k + 2])


def _rewrite(marked: str, value: int) -> str:
    out = re.sub(r"\[[^\]]*\]", str(value), marked)
    return re.sub(r"\((\d+)\)", r"\1", out)


@pytest.mark.parametrize("i", range(80))
def test_every_marked_step_copies_marks_and_rewrites_what_it_should(i):
    p = generate_problem(TASK, "primary", 4, i, Config(mark_operation=True))
    expr = re.fullmatch(r"Compute (.+)\.", p.prompt)[1]
    for step in p.steps:
        m = _STEP.match(step.proposal)
        assert m is not None, step.proposal
        _, marked, x, op, y, value, after = m.groups()
        assert marked.count("[") == marked.count("]") == 1, step.proposal
        assert marked.replace("[", "").replace("]", "") == expr, (expr, step.proposal)
        inside = re.search(r"\[([^\]]*)\]", marked)[1]
        assert inside == f"{x} {op} {y}", step.proposal
        true = _value(_ast(inside))
        if step.verdict == "reject":
            assert int(value) != true or inside != _next_by_rules(expr), step.proposal
            continue
        assert inside == _next_by_rules(expr), (expr, step.proposal)
        assert int(value) == true, step.proposal
        assert after == _rewrite(marked, int(value)), step.proposal
        assert _value(_ast(after)) == _value(_ast(expr)), step.proposal  # the rewrite keeps the value
        expr = after
    assert expr == p.answer
    assert TASK.verify(p, p.answer).score == 1.0


def test_only_the_wording_changes():
    for i in range(60):
        a = generate_problem(TASK, "primary", 4, i, Config())
        b = generate_problem(TASK, "primary", 4, i, Config(mark_operation=True))
        assert (a.prompt, a.answer) == (b.prompt, b.answer)
        assert [s.verdict for s in a.steps] == [s.verdict for s in b.steps]
        assert [s.critic for s in a.steps] == [s.critic for s in b.steps]
        assert not any("[" in s.proposal for s in a.steps)
        # the plain step is the marked one without its copy of the expression
        for s, t in zip(a.steps, b.steps, strict=True):
            rule, rest = t.proposal.split(": ", 1)
            assert s.proposal == f"{rule}: {rest.split(', ', 1)[1]}"


def test_the_option_is_a_bool_and_only_the_mark_form_sets_it():
    from model.curriculum.forms import get_form

    assert get_form("split+strike+mark").task_options["mark_operation"] is True
    assert "mark_operation" not in get_form("split+strike").task_options
    with pytest.raises(ValueError, match="mark_operation"):
        Config(mark_operation="yes")


def test_the_step_checker_reads_a_marked_step():
    """A model that writes this form is judged as one that writes the plain steps: a right
    step is valid, a wrong value invalid (the bracket is not read as part of a claim)."""
    from generators.step_check import check_step

    seen = {"valid": 0, "invalid": 0}
    for i in range(60):
        p = generate_problem(TASK, "primary", 4, i, Config(mark_operation=True))
        for k, step in enumerate(p.steps):
            verdict = check_step(TASK, p, [s.proposal for s in p.steps[:k]], step.proposal).status
            if step.verdict == "accept":
                assert verdict == "valid", step.proposal
                seen["valid"] += 1
            elif step.critic.startswith(tuple("0123456789")):  # a wrong value, not a wrong rule
                assert verdict == "invalid", step.proposal
                seen["invalid"] += 1
    assert seen["valid"] > 100 and seen["invalid"] > 3, seen
