"""The display sequence of a CPython run, and an accepted code step checked against it.

The record's steps are numbered as its prompt says: each call, executed line and return is
one step, and a line that called a function of the program is shown once more when the call
has returned (`back at L4 ...`). We rebuild that sequence from `sys.settrace` events of the
program's own functions (cpython_batch.py), then read each accepted step's text: its line,
its claimed values and branch, whether it claims the line ran normally.
"""

from __future__ import annotations

import ast
import re

STEP_PREFIX = re.compile(r"^step (\d+): ")
LINE_STEP = re.compile(r"^(back at )?L(\d+) `(.*)`(?: → (.*))?$")
RETURN_STEP = re.compile(r"^L(\d+) (\w+) returns (.*)$")
CALL_STEP = re.compile(r"^call (\w+)\((.*)\)$")
SUMMARY_STEP = re.compile(r"^steps (\d+)\s*[–-]\s*(\d+) run; (\w+) has (.*)$")
LEAP = re.compile(r"\bsteps? \d+\s*(?:[–-]|to)\s*\d+")
RECOMPUTED = re.compile(r"→|\d+ [-+*/<>=] ")
ASSIGN = re.compile(r"(?:^|, )(?:global )?([A-Za-z_]\w*)(: | = )")
RAISES = re.compile(r"rais|error|exception", re.IGNORECASE)


def display(events: list) -> list[dict]:
    """Display entries (call, line, return, back) from traced events, in order."""
    out: list[dict] = []
    open_line: dict[int, dict] = {}  # frame id -> its latest line entry
    stack: list[int] = []
    for ev in events:
        kind, lineno, func, fid, local = ev[:5]
        if kind == "call":
            stack.append(fid)
            out.append({"kind": "call", "func": func, "fid": fid, "state": local})
            continue
        prev = open_line.get(fid)
        if kind == "exception":
            if prev is not None and prev["line"] == lineno:
                prev["raised"] = ev[5]
            continue
        if prev is not None and prev["post"] is None:
            prev["post"] = local
            prev["next_line"] = lineno if kind == "line" else None
        if kind == "line":
            entry = {"kind": "line", "line": lineno, "func": func, "fid": fid, "before": local,
                     "post": None, "raised": None, "next_line": None}
            open_line[fid] = entry
            out.append(entry)
        elif kind == "return":
            if prev is not None:
                prev["returned"] = ev[5] if not prev.get("raised") else None
            out.append({"kind": "return", "line": lineno, "func": func, "fid": fid,
                        "value": ev[5], "state": local, "raised": prev.get("raised") if prev else None})
            if stack:
                stack.pop()
            if stack and stack[-1] in open_line:
                caller = open_line[stack[-1]]
                out.append({"kind": "back", "line": caller["line"], "fid": caller["fid"], "of": caller})
    return out


def state_after(entry: dict) -> dict:
    """The locals right after a display entry."""
    if entry["kind"] == "back":
        entry = entry["of"]
    if entry["kind"] == "line":
        return entry["post"] if entry["post"] is not None else entry["before"]
    return entry["state"]


def same_value(claimed: str, actual: str | None) -> bool | None:
    """Whether a value written in a step is the value CPython had (None: cannot tell)."""
    if actual is None:
        return False
    claimed = claimed.strip()
    if "…" in claimed or "..." in claimed or actual.startswith("<"):
        return None
    if claimed == actual:
        return True
    try:
        return ast.literal_eval(claimed) == ast.literal_eval(actual)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None if re.search(r"<|object at", actual) else False


def branch_taken(code: str, line: int, next_line: int | None) -> bool | None:
    """For an `if`/`elif`/`while` header at `line`: True when its body ran next."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.If | ast.While) and node.lineno == line:
            return next_line == node.body[0].lineno
    return None


def check_claims(claim: str, entry: dict, code: str) -> list[str]:
    """What is false in a line step's claim (`x: 1 → 2`, `x = 3`, `True`, a return value)."""
    src = code.splitlines()[entry["line"] - 1].strip() if entry["line"] <= len(code.splitlines()) else ""
    post, before = state_after(entry), entry.get("before") or (entry.get("of") or {}).get("before") or {}
    errors = []
    if claim in ("True", "False"):
        taken = branch_taken(code, entry["line"], (entry.get("of") or entry).get("next_line"))
        if taken is not None and taken != (claim == "True"):
            errors.append(f"branch is {taken}, step says {claim}")
        return errors
    if claim.startswith("calls ") or not claim:
        return errors
    spots = [m for m in ASSIGN.finditer(claim) if m.group(1) in post or m.group(1) in before]
    if not spots:
        if src.startswith("return"):
            ok = same_value(claim, (entry.get("of") or entry).get("returned"))
            if ok is False:
                errors.append(f"returns {(entry.get('of') or entry).get('returned')}, step says {claim}")
        return errors
    for i, m in enumerate(spots):
        end = spots[i + 1].start() if i + 1 < len(spots) else len(claim)
        name, text = m.group(1), claim[m.end():end]
        if m.group(2) == ": " and " → " in text:
            old, new = text.split(" → ", 1)
            if same_value(old, before.get(name)) is False:
                errors.append(f"{name} was {before.get(name)}, step says {old}")
        else:
            new = text
        if same_value(new, post.get(name)) is False:
            errors.append(f"{name} is {post.get(name)}, step says {new}")
    return errors


def check_steps(rec: dict, code: str, entries: list[dict]) -> tuple[list[tuple[str, str]], int]:
    """Defects ((kind, message)) of the accepted trace steps of a record, and how many
    steps were checked. Steps map one to one onto display entries, from the first (or
    from the one after a `steps 1–K run` summary)."""
    out: list[tuple[str, str]] = []
    pos, checked = 0, 0
    for step in rec["steps"]:
        if step["verdict"] != "accept":
            continue
        text = step["proposal"]
        numbered = STEP_PREFIX.match(text)
        if numbered:
            text = text[numbered.end():]
        if LEAP.search(text) and not RECOMPUTED.search(step["critic"]):
            # one accepted step standing for a run of steps, with a critic that recomputes nothing
            out.append(("10", f"`{step['proposal'][:120]}` / critic `{step['critic']}`"))
        if m := SUMMARY_STEP.match(text):
            pos = int(m.group(2))
            if 0 < pos <= len(entries):
                state = state_after(entries[pos - 1])
                for part in ASSIGN.finditer(m.group(4)):
                    name = part.group(1)
                    value = re.split(r", (?=[A-Za-z_]\w* = )", m.group(4)[part.end():])[0]
                    if name in state and same_value(value, state[name]) is False:
                        out.append(("S", f"summary says {name} = {value}, CPython {state[name]}"))
            continue
        line_m, ret_m, call_m = LINE_STEP.match(text), RETURN_STEP.match(text), CALL_STEP.match(text)
        if not (line_m or ret_m or call_m):
            continue  # answer and faulty-line steps are checked by the task checks
        if pos >= len(entries):
            out.append(("S", f"step `{text[:80]}` lies past the end of the CPython run"))
            break
        entry = entries[pos]
        if numbered and int(numbered.group(1)) != pos + 1:
            out.append(("S", f"`{step['proposal'][:60]}` is step {pos + 1} of the CPython run"))
        pos += 1
        checked += 1
        want = "back" if line_m and line_m.group(1) else "line" if line_m else "return" if ret_m else "call"
        if entry["kind"] != want or (want != "call" and entry["line"] != int((line_m or ret_m).group(2 if line_m else 1))):
            out.append(("S", f"`{text[:80]}` but CPython's step {pos} is {entry['kind']} L{entry.get('line')}"))
            break
        if want in ("line", "back"):
            claim = line_m.group(4) or ""
            raised = (entry.get("of") or entry).get("raised")
            if raised and not claim.startswith("calls ") and not RAISES.search(claim):
                out.append(("4", f"L{entry['line']} raises {raised} under CPython; step `{text[:100]}`"))
                continue
            out += [("S", f"`{text[:80]}`: {e}") for e in check_claims(claim, entry, code)]
        elif want == "return" and not entry.get("raised"):
            if same_value(ret_m.group(3), entry["value"]) is False:
                out.append(("S", f"`{text[:80]}` but CPython returns {entry['value']}"))
        elif want == "call":
            for name, value in _bindings(call_m.group(2)):
                if same_value(value, entry["state"].get(name)) is False:
                    out.append(("S", f"`{text[:80]}` binds {name} = {entry['state'].get(name)}"))
    return out, checked


def _bindings(text: str) -> list[tuple[str, str]]:
    """`a=[1, 2], b=3` as [(name, value source)]; [] when it does not parse."""
    try:
        call = ast.parse(f"g({text})", mode="eval").body
    except SyntaxError:
        return []
    return [(k.arg, ast.unparse(k.value)) for k in call.keywords if k.arg]
