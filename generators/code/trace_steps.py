"""Trace steps written as proposer/critic/judge steps, with reasoning slips.

A line step reads ``L4 `total = total + x` → total: 4 → 7`` and its critic spells out the
tracer's evaluation chain of the line (``total + x → 4 + 3 → 7 ✓``) or, where the line
has none, restates the state the tracer recorded. Every accepted step's check is the
tracer's record of that step, so a step is accepted exactly when it agrees with it.

With `chain_first` (a learner form's option, `model.curriculum.forms`), a line's proposal
works its evaluation out before it states the result: ``L4 `total = total + x` → 4 + 3,
so total: 4 → 7``, where the default states the result and leaves the work to the critic
(a learner would have to compute in its head before it writes); the critic is then only
its mark. The result after ``so`` is the same claim the step checker reads. With `split`
as well, an operation on numbers of several digits is worked out in pieces inside that
work, as column arithmetic splits a sum into digits: ``69 - 28 → 69 - 20 - 8 → 49 - 8, so
answer = 41`` (`split_chain`).

A slip is a proposed step with a typical mistake: a wrong new value (`wrong_state`), a
variable claimed unchanged (`stale_state`), or a condition read the wrong way
(`wrong_condition`). The critic recomputes, the judge rejects, the true step follows.

Steps are written in display order (`tracer.divergence.display_order`): a line that
calls a function of the program is shown where it starts (``→ calls f``) and again,
with its new state, once the call has returned (``back at L4 …``).

Long traces: at most MAX_WRITTEN entries are written per record. A window that starts
later opens with one summary step holding the state reached so far.
"""

from __future__ import annotations

import ast
import itertools
import random
import re
from dataclasses import dataclass, field
from typing import Any

from generators.code.value_answers import has_value, nearby, parse_value
from generators.slips import wrong_value
from reasoning.schema import Check, InjectedError, Step
from tracer.divergence import display_order

MAX_WRITTEN = 40
GLOBAL = "global "  # the prefix of a global variable a function assigns (tracer.recorder)
_ASSIGNED = re.compile(r"^([A-Za-z_]\w*)\s*(?:[-+*/%&|^]|//|\*\*|<<|>>)?=(?!=)")
CHECKER = "tracer"


def accepted(proposal: str, critic: str, detail: str) -> Step:
    return Step(proposal=proposal, critic=critic, verdict="accept",
                check=Check(checker=CHECKER, ok=True, detail=detail))


def _state(locals_: dict[str, str]) -> str:
    return ", ".join(f"{k} = {v}" for k, v in locals_.items()) or "no variables"


@dataclass
class Written:
    """Steps written from a window of display entries, the slip injected (if any), and
    where each entry landed in `steps` (display position → step index)."""

    steps: list[Step] = field(default_factory=list)
    slip: InjectedError | None = None
    at: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class _Claim:
    """What a step claims: the text parts a slip can corrupt."""

    head: str  # e.g. "L4 `total = total + x`"
    changes: tuple[tuple[str, str | None, str], ...]  # (name, old repr or None, new repr)
    outcome: str | None  # a condition's value when nothing changed

    def text(self, work: str = "") -> str:
        """The step as written; `work` (an evaluation chain without its source and result)
        goes before the result: ``head → work, so result``."""
        parts = [f"{n}: {old} → {new}" if old is not None else f"{n} = {new}"
                 for n, old, new in self.changes]
        said = ", ".join(parts) if parts else self.outcome
        if said is None:
            return self.head
        return f"{self.head} → {work}, so {said}" if work else f"{self.head} → {said}"


def work_of(evals: list[str], split: bool = False) -> str:
    """A line's evaluation chains less what the step writes anyway: each chain's first part
    (the source, already in the step's head) and the last chain's result (the step's claim):
    ``2 * (3 + 3) → 2 * 6`` for ``2 * (width + height) → 2 * (3 + 3) → 2 * 6 → 12``. Empty
    when nothing is left (``y → 4``). With `split`, an operation on numbers of several digits
    is worked out in pieces (`split_chain`)."""
    chains = [e.split(" → ")[1:] for e in evals]
    if split:
        chains = [split_chain(c) for c in chains]
    if chains:
        chains[-1] = chains[-1][:-1]
    return "; ".join(" → ".join(parts) for parts in chains if parts)


MAX_SPLIT = 10**6  # operands up to this size are split; larger ones are left in one go
MAX_ROUNDS = 40  # a guard: an operation worked out in more parts than this is left whole
_OPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Mod: "%"}


def place_values(n: int) -> list[int]:
    """The nonzero place values of n >= 0, largest first: 136 → [100, 30, 6]."""
    digits = str(n)
    return [int(d) * 10 ** (len(digits) - 1 - i) for i, d in enumerate(digits) if d != "0"]


def pieces(x: int, op: str, y: int) -> str | None:
    """``x op y`` rewritten as smaller operations with the same value, or None when it is
    one small operation already: the second number of a sum or difference by its place
    values (``69 - 28`` → ``69 - 20 - 8``), a product by the place values of a factor with
    several (``23 * 3`` → ``20 * 3 + 3 * 3``), a remainder by a number other than 10, 100,
    ... through the multiple below it (``48 % 5`` → ``48 - 5 * 9``); ``//`` stays whole."""
    if not (abs(x) < MAX_SPLIT and 0 <= y < MAX_SPLIT):
        return None
    if op in ("+", "-"):
        terms = place_values(y)
        return f" {op} ".join([str(x), *map(str, terms)]) if len(terms) >= 2 else None
    if x < 0:
        return None
    if op == "*":
        if len(place_values(y)) >= 2:
            return " + ".join(f"{x} * {t}" for t in place_values(y))
        if len(place_values(x)) >= 2 and y < 10:
            return " + ".join(f"{t} * {y}" for t in place_values(x))
        return None
    if op == "%" and x >= 10 and y >= 2 and place_values(y) != [10 ** (len(str(y)) - 1)]:
        return f"{x} - {y} * {x // y}"
    return None


def _literal(node: ast.AST) -> int | None:
    """The int a node writes (``7``, ``-12``), or None."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _literal(node.operand)
        return None if inner is None or inner < 0 else -inner
    return node.value if isinstance(node, ast.Constant) and type(node.value) is int else None


def _ready(node: ast.AST) -> tuple[int, str, int] | None:
    """(x, op, y) of an operation on two written ints, or None."""
    if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
        x, y = _literal(node.left), _literal(node.right)
        if x is not None and y is not None:
            return x, _OPS[type(node.op)], y
    return None


def _span(text: str, node: ast.AST) -> tuple[int, int]:
    """The character span of `node` in the one-line `text` it was parsed from (ast counts
    UTF-8 bytes)."""
    raw = text.encode()
    lo = len(raw[: node.col_offset].decode())
    return lo, lo + len(raw[node.col_offset : node.end_col_offset].decode())


def _put(text: str, lo: int, hi: int, new: str, whole: bool) -> str:
    """`text` with [lo, hi) replaced by `new`, bracketed when it is a part of the
    expression and not bracketed already."""
    if not whole and not (text[lo - 1 : lo] == "(" and text[hi : hi + 1] == ")"):
        new = f"({new})"
    return text[:lo] + new + text[hi:]


def worked_out(x: int, op: str, y: int) -> list[str]:
    """The parts that work ``x op y`` out in pieces, its value excluded: each round either
    rewrites the first operation that has pieces (`pieces`) or does every operation on two
    written ints at once. ``69 - 28`` → ``69 - 20 - 8``, ``49 - 8``; [] when there are no
    pieces."""
    first = pieces(x, op, y)
    if first is None:
        return []
    out = [first]
    while len(out) <= MAX_ROUNDS:
        text = out[-1]
        tree = ast.parse(text, mode="eval")
        if _literal(tree.body) is not None:
            return out[:-1]
        ready = [(n, r) for n in ast.walk(tree) if (r := _ready(n)) is not None]
        split = next(((n, p) for n, r in ready if (p := pieces(*r)) is not None), None)
        if split is not None:
            node, rewritten = split
            out.append(_put(text, *_span(text, node), rewritten, node is tree.body))
            continue
        for node, (a, o, b) in sorted(ready, key=lambda nr: -_span(text, nr[0])[0]):
            value = a + b if o == "+" else a - b if o == "-" else a * b if o == "*" else a % b
            lo, hi = _span(text, node)
            if text[lo - 1 : lo] == "(" and text[hi : hi + 1] == ")":  # (64) → 64
                lo, hi = lo - 1, hi + 1
            text = _put(text, lo, hi, str(value), True)
        out.append(text)
    return []


def _between(before: str, after: str) -> list[str]:
    """The parts to write between two parts of an evaluation chain: when `after` is
    `before` with one operation on two ints done (``28 * 4 - 4 → 112 - 4``), that operation
    worked out in place (``(20 * 4 + 8 * 4) - 4``, ``(80 + 32) - 4``, ...); else []."""
    try:
        tree, done = ast.parse(before, mode="eval"), ast.dump(ast.parse(after, mode="eval"))
    except SyntaxError:
        return []
    for node in ast.walk(tree):
        found = _ready(node)
        if found is None or (found[1] == "%" and found[2] == 0):
            continue
        x, op, y = found
        value = x + y if op == "+" else x - y if op == "-" else x * y if op == "*" else x % y
        lo, hi = _span(before, node)
        try:
            reduced = ast.dump(ast.parse(_put(before, lo, hi, str(value), True), mode="eval"))
        except SyntaxError:
            continue
        if reduced == done:
            whole = node is tree.body
            return [_put(before, lo, hi, p, whole) for p in worked_out(x, op, y)]
    return []


def split_chain(parts: list[str]) -> list[str]:
    """An evaluation chain with every operation on numbers of several digits worked out in
    pieces (`worked_out`) between the two parts it joins."""
    out = parts[:1]
    for before, after in itertools.pairwise(parts):
        out += _between(before, after)
        out.append(after)
    return out


def _claim(step: dict[str, Any], before: dict[str, str], done: bool = False) -> _Claim:
    locals_ = step.get("locals") or {}
    changes = tuple((n, before.get(n), locals_.get(n, "<unset>")) for n in step.get("changed") or [])
    outcome = None
    evals = step.get("evals") or []
    target = _ASSIGNED.match(step.get("source", ""))
    if not changes and target and target.group(1) in locals_:
        # Reassigned to the same value: say so rather than leave a bare outcome.
        name = target.group(1)
        changes = ((name, before.get(name), locals_[name]),)
    if not changes and evals:
        outcome = evals[-1].rsplit(" → ", 1)[-1]
    back = "back at " if done else ""
    return _Claim(f"{back}L{step.get('line')} `{step.get('source', '')}`", changes, outcome)


def _critic(step: dict[str, Any], claim: _Claim) -> str:
    evals = step.get("evals") or []
    if evals:
        return "; ".join(evals) + " ✓"
    if claim.changes:
        return "recorded: " + ", ".join(f"{n} = {new}" for n, _, new in claim.changes) + " ✓"
    return "no variable changes ✓"


def _starts(callee: dict[str, Any] | None) -> str:
    """What a line that waits on nested steps does first: calls, resumes, runs a class body."""
    if callee is None:
        return "calls a function"
    event, func = callee.get("event"), callee.get("func")
    if event == "resume":
        return f"resumes {func}"
    if event == "class":
        return f"runs the body of class {func}"
    return f"calls {func}"


def describe(step: dict[str, Any], before: dict[str, str], phase: str = "",
             callee: dict[str, Any] | None = None, chain_first: bool = False,
             split: bool = False) -> tuple[str, str]:
    """(proposal, critic) of one display entry (a trace step and its phase, see
    `tracer.divergence.display_order`), given its frame's variables before it; `callee` is
    the first nested step of a line's "start" phase; `chain_first` and `split` see the
    module doc."""
    event = step.get("event")
    line, source, value = step.get("line"), step.get("source", ""), step.get("value")
    if phase == "start":
        first = _starts(callee)
        if first.startswith("calls "):
            return (f"L{line} `{source}` → {first}",
                    f"the line needs the result of {first[len('calls '):]} first ✓")
        return f"L{line} `{source}` → {first}", f"the line {first} first ✓"
    func = step.get("func")
    if event == "call":
        args = ", ".join(f"{k}={v}" for k, v in (step.get("locals") or {}).items()
                         if not k.startswith(GLOBAL))
        return f"call {func}({args})", f"arguments bound: {args or 'none'} ✓"
    if event == "return":
        return f"L{line} {func} returns {value}", f"return value {value} ✓"
    back = "back at " if phase == "done" else ""
    if event in ("yield", "await"):
        did = f"yields {value}" if event == "yield" else "pauses at await"
        return f"{back}L{line} `{source}` → {func} {did}", f"{func} is suspended here ✓"
    if event == "resume":
        return f"{func} resumes at L{line}", f"{func} goes on where it paused ✓"
    if event == "class":
        return f"class {func}: its body starts at L{line}", "a class body runs once ✓"
    if event == "class_end":
        names = value or "no names"
        return f"class {func} is defined with {names}", f"the class body made {names} ✓"
    if event == "reraise":
        return (f"L{line} {func} ends its `finally`/`with` block: {value} goes on up",
                f"the exception leaves {func} ✓")
    if event == "exception":
        claim = _claim(step, before, done=phase == "done")
        changes = f" after {claim.text().split(' → ', 1)[1]}" if claim.changes else ""
        return (f"{back}L{line} `{source}` raises {value}{changes}",
                f"the tracer saw {value} ✓")
    claim = _claim(step, before, done=phase == "done")
    work = work_of(step.get("evals") or [], split) if chain_first else ""
    if work and (claim.changes or claim.outcome is not None):
        return claim.text(work), "✓"
    return claim.text(), _critic(step, claim)


def _holds_set(value: Any) -> bool:
    """Whether a set hides inside `value`: its repr here (the generator's process, whose
    string hashing is not the sandbox's) could list it in another order than the run's."""
    if isinstance(value, set | frozenset):
        return True
    if isinstance(value, dict):
        return any(_holds_set(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_holds_set(v) for v in value)
    return False


def _set_missing_one(shown: str) -> str | None:
    """A set's repr as the run wrote it, less its first element (order kept: the text is
    cut, never rebuilt from a set), or None when it has fewer than two elements."""
    try:
        node = ast.parse(shown, mode="eval").body
    except SyntaxError:
        return None
    if not isinstance(node, ast.Set) or len(node.elts) < 2:
        return None
    return "{" + ", ".join(ast.get_source_segment(shown, e) or "" for e in node.elts[1:]) + "}"


_LAST_OPERATION = re.compile(r"(-?\d+) ([-+*]) (-?\d+)$")


def _operation(evals: list[str]) -> tuple[int, str, int] | None:
    """The last integer operation of a line's evaluation chain (`4 + 3` in
    `total + x → 4 + 3 → 7`), as (x, op, y) with × for *, or None."""
    if not evals:
        return None
    parts = evals[-1].split(" → ")
    found = _LAST_OPERATION.search(parts[-2]) if len(parts) >= 2 else None
    if found is None:
        return None
    x, op, y = found.groups()
    return int(x), "×" if op == "*" else op, int(y)


def _slip(rng: random.Random, step: dict[str, Any], before: dict[str, str], done: bool,
          chain_first: bool = False, split: bool = False) -> tuple[str, str, str] | None:  # fmt: skip
    """(kind, wrong proposal, critic) for a typical mistake on this step, or None; with
    `chain_first` the wrong result follows the line's (right) work."""
    if step.get("event") != "line":
        return None
    claim = _claim(step, before, done)
    evals = step.get("evals") or []
    options = []
    for i, (_name, old, new) in enumerate(claim.changes):
        value, _ = parse_value(new)
        if type(value) is int:
            # the mistakes people make with numbers: digits swapped, a carry in the wrong
            # column, a neighbouring table fact, the other operation, a lost sign
            operation = _operation(evals)
            negative = value < 0 or (operation is not None and min(operation[0], operation[2]) < 0)
            _, wrong_int = wrong_value(rng, value, operation=operation, allow_negative=negative)
            options.append(("wrong_state", i, repr(wrong_int)))
        elif isinstance(value, set | frozenset):
            shown = _set_missing_one(new)
            if shown is not None:
                options.append(("wrong_state", i, shown))
        elif has_value(value) and not _holds_set(value):
            wrong = nearby(value, rng.choice((-1, 1, 2)))
            if has_value(wrong) and repr(wrong) != new:
                options.append(("wrong_state", i, repr(wrong)))
        if old is not None and old != new:
            options.append(("stale_state", i, old))
    if claim.outcome in ("True", "False"):
        options.append(("wrong_condition", -1, "False" if claim.outcome == "True" else "True"))
    if not options:
        return None
    kind, i, wrong = options[rng.randrange(len(options))]
    recompute = f"recompute: {'; '.join(evals)}; " if evals else ""
    work = work_of(evals, split) if chain_first else ""
    if kind == "wrong_condition":
        bad = _Claim(claim.head, claim.changes, wrong)
        return kind, bad.text(work), f"{recompute}the condition is {claim.outcome}, not {wrong} ✗"
    name, old, new = claim.changes[i]
    changes = list(claim.changes)
    changes[i] = (name, old, wrong)
    bad = _Claim(claim.head, tuple(changes), claim.outcome)
    if kind == "stale_state":
        return kind, bad.text(work), f"{recompute}the line changes {name}: {old} → {new}, it does not stay {old} ✗"
    return kind, bad.text(work), f"{recompute}{name} is {new}, not {wrong} ✗"


def write_steps(
    trace: dict[str, Any],
    lo: int,
    hi: int,
    rng: random.Random | None = None,
    slip_rate: float = 0.0,
    numbered: bool = False,
    chain_first: bool = False,
    split: bool = False,
) -> Written:
    """Steps for the display entries [lo, hi) of the trace (`display_order`); slips drawn
    from `rng` at `slip_rate` per line whose state is shown.

    With `numbered`, each proposal starts with its 1-based display position (``step 3:``),
    for tasks whose question counts steps; `chain_first` and `split` see the module
    docstring.
    """
    steps_in = trace.get("steps") or []
    out = Written()
    frames: dict[int, dict[str, str]] = {}  # depth → that frame's variables so far
    for p, (i, phase) in enumerate(display_order(steps_in)[:hi]):
        step = steps_in[i]
        depth = step.get("depth", 0)
        before = {} if step.get("event") == "call" else frames.get(depth, {})
        if p == lo and lo > 0:
            out.steps.append(accepted(f"steps 1–{lo} run; {step.get('func')} has {_state(before)}",
                                      "state recorded by the tracer ✓", f"display entries 0..{lo - 1}"))
        if p >= lo:
            prefix = f"step {p + 1}: " if numbered else ""
            if phase != "start" and rng is not None and slip_rate and rng.random() < slip_rate:
                slip = _slip(rng, step, before, phase == "done", chain_first, split)
                if slip is not None:
                    kind, wrong, critic = slip
                    out.steps.append(Step(
                        proposal=prefix + wrong, critic=critic, verdict="reject", slip=kind,
                        check=Check(checker=CHECKER, ok=False, detail=f"trace step {i} disagrees"),
                    ))
                    if out.slip is None:
                        right, _ = describe(step, before, phase, chain_first=chain_first, split=split)
                        out.slip = InjectedError(
                            kind=f"slip:{kind}", location=f"line {step.get('line')}",
                            original=prefix + right, wrong=prefix + wrong,
                            first_divergent_step=len(out.steps) - 1,
                        )
            callee = steps_in[i + 1] if phase == "start" else None
            proposal, critic = describe(step, before, phase, callee, chain_first, split)
            out.at[p] = len(out.steps)
            detail = f"trace step {i}" + (f" ({phase})" if phase else "")
            out.steps.append(accepted(prefix + proposal, critic, detail))
        if phase != "start":  # a line that waits on a call shows its state when done
            frames[depth] = dict(step.get("locals") or {})
            if step.get("event") in ("return", "yield", "await", "class_end", "reraise"):
                frames.pop(depth, None)
    return out
