"""`split_ops` (the `split` form's option): a code step's work does an operation on numbers of
several digits in pieces (``69 - 28 → 69 - 20 - 8 → 49 - 8, so answer = 41``). Checked
from the text alone, with CPython as the arithmetic: every piece of written work has the
value the step claims, the pieces it adds are small operations, the steps are otherwise
the `chain` form's, and the step checker still reads the result after ``so``."""

from __future__ import annotations

import ast
import random
import re

import pytest

from generators.code import TASKS, Config
from generators.code.step_claims import check_code_step
from generators.code.trace_steps import split_chain
from model.curriculum.forms import get_form
from reasoning.task import Dropped, item_rng

SEED = 5
_CHAINED = re.compile(
    r"^(?:step \d+: )?(?:back at )?L\d+ `(?P<src>[^`]*)` → (?P<work>.+), so (?P<said>.+)$"
)
_NUMBERS = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Constant, ast.Add, ast.Sub, ast.Mult,
            ast.Mod, ast.FloorDiv, ast.USub)  # fmt: skip


def _problems(name: str, level: str, n: int, split: bool, slip_rate: float = 0.0):
    task = TASKS[name]
    out = []
    for i in range(n):
        config = Config(chain_first=True, split_ops=split, slip_rate=slip_rate)
        try:
            out.append(
                task.generate(
                    item_rng(task.name, task.version, level, SEED, i), level, config, index=i
                )
            )
        except Dropped:
            continue
    return out


def _arithmetic(text: str) -> int | None:
    """The value of integer arithmetic (ints, + - * // %, brackets) as CPython computes it;
    None for anything else."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError:
        return None
    nodes = list(ast.walk(tree))
    if not all(isinstance(n, _NUMBERS) for n in nodes):
        return None
    if any(isinstance(n, ast.Constant) and type(n.value) is not int for n in nodes):
        return None
    try:
        return eval(compile(tree, "<work>", "eval"), {"__builtins__": {}})
    except ZeroDivisionError:
        return None


def _claimed(said: str) -> int | None:
    one = re.match(r"^[A-Za-z_]\w*(?:: .+ → | = )(.+)$", said)
    return _arithmetic(one.group(1) if one else said)


def _nonzero_digits(n: int) -> int:
    return sum(ch not in "0-" for ch in str(n))


def _split_steps(level: str, n: int):
    for name in sorted(TASKS):
        for p in _problems(name, level, n, split=True):
            for step in p.steps:
                m = _CHAINED.match(step.proposal)
                if m is not None and step.verdict == "accept":
                    yield name, step, m


@pytest.mark.parametrize("level", ["primary", "middle"])
def test_every_piece_of_split_work_has_the_claimed_value(level):
    checked = 0
    for name, step, m in _split_steps(level, 25):
        if "; " in m["work"] or (", " in m["said"] and not m["said"].startswith(("(", "[", "{"))):
            continue  # two chains in one line, or a line that sets two names at once
        want = _claimed(m["said"])
        values = [_arithmetic(w) for w in m["work"].split(" → ")]
        if want is None or any(v is None for v in values):
            continue
        checked += 1
        assert all(v == want for v in values), (name, step.proposal)
    assert checked >= 40, checked


def test_the_written_operations_are_small():
    """A piece that is one operation on two numbers and is followed by its value (done in
    one go) is small: a sum or difference adds a number with one nonzero digit, a product
    has a factor with one, a remainder of a number from 10 up is by 10, 100, ... (every
    other one is written as a subtraction)."""
    whole = 0
    for name, step, m in _split_steps("primary", 25):
        if "; " in m["work"]:
            continue
        parts = m["work"].split(" → ")
        result = re.match(r"^(?:[A-Za-z_]\w*(?:: .+ → | = ))?(-?\d+)$", m["said"])
        for piece, then in zip(parts, [*parts[1:], result[1] if result else ""], strict=True):
            found = re.fullmatch(r"(-?\d+) ([-+*%]) (\d+)", piece.strip())
            if found is None or not re.fullmatch(r"-?\d+", then):
                continue
            x, op, y = int(found[1]), found[2], int(found[3])
            whole += 1
            if op in "+-":
                assert _nonzero_digits(y) <= 1, (name, piece, step.proposal)
            elif op == "*":
                assert min(_nonzero_digits(x), _nonzero_digits(y)) <= 1, (
                    name,
                    piece,
                    step.proposal,
                )
            else:
                assert x < 10 or str(y).rstrip("0") == "1", (name, piece, step.proposal)
    assert whole >= 40, whole


@pytest.mark.parametrize("name", sorted(TASKS))
def test_split_only_adds_pieces_to_the_chain_forms_work(name):
    chained = _problems(name, "primary", 20, split=False, slip_rate=0.1)
    split = _problems(name, "primary", 20, split=True, slip_rate=0.1)
    assert [p.answer for p in chained] == [p.answer for p in split]
    longer = 0
    for a, b in zip(chained, split, strict=True):
        assert [s.verdict for s in a.steps] == [s.verdict for s in b.steps]
        for s, t in zip(a.steps, b.steps, strict=True):
            ms, mt = _CHAINED.match(s.proposal), _CHAINED.match(t.proposal)
            if ms is None:
                assert t.proposal == s.proposal
                continue
            assert mt is not None and (ms["src"], ms["said"]) == (mt["src"], mt["said"])
            old, new = ms["work"].split(" → "), mt["work"].split(" → ")
            rest = iter(new)
            assert all(part in rest for part in old), (s.proposal, t.proposal)  # in order
            longer += len(new) > len(old)
    if name in ("output_prediction", "state_after_steps", "bug_finding"):
        assert longer >= 3, longer


def test_split_chain_against_cpython():
    rng = random.Random(0)
    grew = 0
    for _ in range(3000):
        x, y = rng.randrange(0, 2000), rng.randrange(0, 2000)
        op = rng.choice(["+", "-", "*", "%"])
        if op == "%" and y == 0:
            continue
        expr = f"{x} {op} {y}"
        value = eval(expr)
        parts = split_chain([expr, str(value)])
        assert parts[0] == expr and parts[-1] == str(value)
        assert [_arithmetic(p) for p in parts] == [value] * len(parts), parts
        assert len(set(parts)) == len(parts), parts
        grew += len(parts) > 2
    assert grew > 1500, grew


@pytest.mark.parametrize(("chain", "want"), [
    (["69 - 28", "41"], "69 - 28 → 69 - 20 - 8 → 49 - 8 → 41"),
    (["23 * 3 - 28", "69 - 28", "41"],
     "23 * 3 - 28 → (20 * 3 + 3 * 3) - 28 → (60 + 9) - 28 → 69 - 28 → 69 - 20 - 8 → 49 - 8 → 41"),
    (["48 % 5", "3"], "48 % 5 → 48 - 5 * 9 → 48 - 45 → 48 - 40 - 5 → 8 - 5 → 3"),
    (["2 * (9 + 12)", "2 * 21", "42"], "2 * (9 + 12) → 2 * (9 + 10 + 2) → 2 * (19 + 2) → 2 * 21 → "
     "2 * 20 + 2 * 1 → 40 + 2 → 42"),
    (["98 % 10", "8"], "98 % 10 → 8"),  # a digit read off, not worked out
    (["84 + 7", "91"], "84 + 7 → 91"),
    (["7 - -13", "20"], "7 - -13 → 20"),
    (["abs(3 - 26)", "abs(-23)", "23"], "abs(3 - 26) → abs(3 - 20 - 6) → abs(-17 - 6) → abs(-23) → 23"),
    (["x + 1", "4"], "x + 1 → 4"),
    (["[1, 2] + [3]", "[1, 2, 3]"], "[1, 2] + [3] → [1, 2, 3]"),
])  # fmt: skip
def test_split_chain_examples(chain, want):
    assert " → ".join(split_chain(chain)) == want


def test_the_step_checker_reads_the_result_after_so():
    seen = {"accept": 0, "reject": 0}
    for name in ("output_prediction", "state_after_steps"):
        for p in _problems(name, "primary", 12, split=True, slip_rate=0.4):
            previous: list[str] = []
            for step in p.steps:
                judged = check_code_step(p, previous, step.proposal)
                if _CHAINED.match(step.proposal):
                    seen[step.verdict] += 1
                    assert judged.status == ("valid" if step.verdict == "accept" else "invalid"), (
                        step.proposal,
                        judged,
                    )
                if step.verdict == "accept":
                    previous.append(step.proposal)
    assert seen["accept"] >= 20 and seen["reject"] >= 5, seen


def test_the_split_form():
    options = get_form("split+strike").task_options
    assert (
        options["split_ops"] is True
        and options["chain_first"] is True
        and options["strike"] is True
    )
    assert "split_ops" not in get_form("chain").task_options
    with pytest.raises(ValueError, match="split_ops must be true or false"):
        Config(split_ops=1)
