"""Order of operations (primary): 2 + 3 × (8 - 4) ÷ 6 one operation at a time.

Each step does the one operation that comes next (innermost brackets first, then × and ÷
left to right, then + and - left to right) and rewrites the expression:
``brackets first: 8 - 4 = 4 → 2 + 3 × 4 ÷ 6``. It is checked by recomputing the operation
and comparing the rewritten expression with the true one. Slips: working strictly left to
right, + before × (``left_to_right``), and a number-fact error (``digit_fact``).

With `mark_operation` (a learner form's option, `mark` in model.curriculum.forms) a step
first copies the whole expression with the operation it does in square brackets, then
does it, then rewrites: ``brackets first: 2 + 3 × ([8 - 4]) ÷ 6, 8 - 4 = 4 → 2 + 3 × 4 ÷ 6``.
Every copy then reads the text just before it in order, where the plain step's rewrite
must find the operation's place in the expression a step back (a model trained on it
wrote ``3 + 4 × 6 + 10`` as ``24 + 24 + 10`` after ``4 × 6 = 24``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from generators.answers import verify_number
from generators.slips import wrong_value
from reasoning.schema import Check
from reasoning.steps import Slip, StepLog, check_slip_rate
from reasoning.task import Dropped, Problem, Task, Verdict

NAME = "order_of_operations"
VERSION = "2"
OPS = ("+", "-", "×", "÷")
MAX_VALUE = 1000  # keeps every intermediate result within primary-school sizes


@dataclass(frozen=True)
class Config:
    min_ops: int = 2
    max_ops: int = 3
    max_number: int = 12
    brackets: bool = True
    slip_rate: float = 0.1  # chance that a step is first proposed with a slip
    # A learner form's option: a step first writes the expression with its operation in
    # square brackets (see the module docstring).
    mark_operation: bool = False

    def __post_init__(self) -> None:
        if not 1 <= self.min_ops <= self.max_ops <= 6:
            raise ValueError("need 1 <= min_ops <= max_ops <= 6 (e.g. min 2, max 3)")
        if not 2 <= self.max_number <= 100:
            raise ValueError(f"max_number must lie in [2, 100] (e.g. 12), got {self.max_number}")
        check_slip_rate(self.slip_rate)
        if not isinstance(self.mark_operation, bool):
            raise ValueError(f"mark_operation must be true or false, got {self.mark_operation!r}")


def apply(x: int, op: str, y: int) -> int | None:
    """`x op y` when it stays a whole number >= 0 (what primary pupils work with), else None."""
    if op == "+":
        return x + y
    if op == "-":
        return x - y if x >= y else None
    if op == "×":
        return x * y
    return x // y if y and x % y == 0 else None


def show(tokens: list) -> str:
    return " ".join(str(t) for t in tokens).replace("( ", "(").replace(" )", ")")


def marked(tokens: list, i: int) -> str:
    """`tokens` shown with the operation at operator index `i` in square brackets."""
    return show([*tokens[: i - 1], "[", *tokens[i - 1 : i + 2], "]", *tokens[i + 2 :]]).replace(
        "[ ", "[").replace(" ]", "]")


def operation_text(rule: str, tokens: list, i: int, value: int, after: list, mark: bool) -> str:
    """A step's proposal: the rule, the expression with the operation marked (`mark`), the
    operation with `value`, and the rewritten expression `after`."""
    x, op, y = tokens[i - 1], tokens[i], tokens[i + 1]
    where = f"{marked(tokens, i)}, " if mark else ""
    return f"{rule}: {where}{x} {op} {y} = {value} → {show(after)}"


def next_operation(tokens: list, strict_left: bool = False) -> tuple[int, str]:
    """Index of the operator to apply next, and the rule; `strict_left` is the slip's rule."""
    lo, hi = 0, len(tokens)
    for i, t in enumerate(tokens):  # innermost group: the last "(" before the first ")"
        if t == "(":
            lo = i + 1
        elif t == ")":
            hi = i
            break
    inner = range(lo + 1, hi, 2)
    rule = "brackets first" if lo else ""
    mixed = any(tokens[i] in ("+", "-") for i in inner)
    if not strict_left:
        for i in inner:
            if tokens[i] in ("×", "÷"):
                return i, rule or ("× and ÷ before + and -" if mixed else "left to right")
    return lo + 1, rule or "left to right"


def reduce_at(tokens: list, i: int) -> list | None:
    """`tokens` with the operation at `i` done, or None if it leaves the whole numbers."""
    value = apply(tokens[i - 1], tokens[i], tokens[i + 1])
    return None if value is None else replace_value(tokens, i, value)


def replace_value(tokens: list, i: int, value: int) -> list:
    """`tokens` with the operation at `i` replaced by `value` (brackets around one number go)."""
    out = [*tokens[: i - 1], value, *tokens[i + 2 :]]
    j = i - 1
    if 0 < j < len(out) - 1 and out[j - 1] == "(" and out[j + 1] == ")":
        out = [*out[: j - 1], value, *out[j + 2 :]]
    return out


def _random_expression(rng: random.Random, config: Config) -> list:
    n = rng.randint(config.min_ops, config.max_ops)
    tokens: list = [rng.randint(1, config.max_number)]
    for _ in range(n):
        tokens += [rng.choice(OPS), rng.randint(1, config.max_number)]
    if config.brackets and n >= 2 and rng.random() < 0.5:
        a = rng.randrange(n)  # wrap numbers a..b (operand indices), not the whole expression
        b = rng.randint(a + 1, n) if a else rng.randint(1, n - 1)
        tokens = [*tokens[: 2 * a], "(", *tokens[2 * a : 2 * b + 1], ")", *tokens[2 * b + 1 :]]
    return tokens


def _solve(tokens: list) -> list[tuple[list, int, str, list]] | None:
    """The true reduction path as (before, operator index, rule, after), or None if some
    operation leaves the whole numbers or goes above MAX_VALUE."""
    path = []
    while len(tokens) > 1:
        i, rule = next_operation(tokens)
        after = reduce_at(tokens, i)
        if after is None or max(t for t in after if isinstance(t, int)) > MAX_VALUE:
            return None
        path.append((tokens, i, rule, after))
        tokens = after
    return path


def check_rewrite(before: list, i: int, claimed: list, truth: list) -> Check:
    """Recompute the operation at `i` of `before` and compare the rewrite with the truth."""
    x, op, y = before[i - 1], before[i], before[i + 1]
    value = apply(x, op, y)
    ok = claimed == truth and reduce_at(before, i) == claimed
    detail = f"{x} {op} {y} = {value} → {show(truth)}" + (
        "" if ok else f"; claimed {show(claimed)}"
    )
    return Check(checker="exact_arithmetic", ok=ok, detail=detail)


def generate(rng: random.Random, level: str, config: Config) -> Problem:
    for _ in range(50):
        tokens = _random_expression(rng, config)
        path = _solve(tokens)
        if path is not None:
            break
    else:
        raise Dropped("no expression with whole-number steps in 50 tries")
    log = StepLog(rng, config.slip_rate)
    mark = config.mark_operation
    for before, i, rule, after in path:
        x, op, y = before[i - 1], before[i], before[i + 1]
        value = apply(x, op, y)

        def slip(before=before, i=i, rule=rule, after=after, x=x, op=op, y=y, value=value) -> Slip:
            li, _ = next_operation(before, strict_left=True)
            wrong_after = reduce_at(before, li) if li != i else None
            if wrong_after is not None:
                wx, wop, wy = before[li - 1], before[li], before[li + 1]
                return (
                    "left_to_right",
                    operation_text("left to right", before, li, apply(wx, wop, wy), wrong_after, mark),
                    f"{op} comes before {wop}: do {x} {op} {y} first ✗",
                    check_rewrite(before, li, wrong_after, after),
                )
            kind, w = wrong_value(rng, value, operation=(x, op, y) if op in "+-×" else None,
                                  allow_negative=value < 0)
            wrong_after = replace_value(before, i, w)
            return (
                kind,
                operation_text(rule, before, i, w, wrong_after, mark),
                f"{x} {op} {y} = {value}, not {w} ✗",
                check_rewrite(before, i, wrong_after, after),
            )

        log.add(operation_text(rule, before, i, value, after, mark), f"{x} {op} {y} = {value} ✓",
                check_rewrite(before, i, after, after), location=show(before), slip=slip)
    result = path[-1][3][0]
    expr = show(tokens)
    return Problem(
        task=NAME,
        level=level,
        prompt=f"Compute {expr}.",
        steps=log.steps,
        answer=str(result),
        error=log.error,
        data={"expected": str(result)},
    )


def verify(problem: Problem, answer_text: str) -> Verdict:
    return verify_number(answer_text, problem.data["expected"])


TASK = Task(
    name=NAME,
    domain="math",
    levels=("primary",),
    version=VERSION,
    config_cls=Config,
    generate=generate,
    verify=verify,
    description="evaluate + - × ÷ with brackets one operation at a time",
)

# Distinct questions the default config can produce, a lower bound: the distinct questions
# seen in 8,000 draws (seed 7).
PROBLEM_SPACE = 7695
SPACE_NOTE = ("fewer than 50,000 distinct questions, under 10x the ~5,000 records a curriculum stage asks of a task: expect repeats at that size")
