"""Code records re-checked under CPython: answers, accepted steps, bug observability (kind
1), crashing lines shown as normal (kind 4), leaps (kind 10), and alternative one-token
fixes that the task's verifier must credit (kind 2).

The program, the call and the expected outcome are read from the prompt text only.
"""

from __future__ import annotations

import io
import random
import re
import tokenize

from bench.audit.code_trace import check_steps, display, same_value, state_after
from bench.audit.cpython import run_jobs
from bench.audit.tally import Tally

CODE = re.compile(r"```python\n(.*?)\n```", re.DOTALL)
OUTPUT = re.compile(r"^What does (.+) return\? Trace it")
STATE = re.compile(r"^Run (.+) step by step, numbering .*What is the value of `(\w+)` in `(\w+)` "
                   r"right after step (\d+)\?", re.DOTALL)
BUG = re.compile(r"^One line of this program is wrong\. (.+?) should (return|raise|print) (.*?)\. "
                 r"Trace it, find the first step", re.DOTALL)
FAULTY = re.compile(r"^the faulty line is L(\d+): `(.*)`; it should read `(.*)`$")


def parse(rec: dict) -> dict | None:
    """Program, call and what the question asks, from the prompt alone."""
    code = CODE.search(rec["prompt"])
    if code is None:
        return None
    out = {"code": code.group(1) + "\n"}
    if m := OUTPUT.match(rec["prompt"]):
        out.update(call=m.group(1))
    elif m := STATE.match(rec["prompt"]):
        out.update(call=m.group(1), var=m.group(2), func=m.group(3), step=int(m.group(4)))
    elif m := BUG.match(rec["prompt"]):
        out.update(call=m.group(1), outcome=m.group(2), expected=m.group(3))
    else:
        return None
    return out


def with_line(code: str, line: int, new_text: str) -> str:
    """`code` with line `line` (1-based) replaced by `new_text`, keeping its indentation."""
    lines = code.splitlines()
    old = lines[line - 1]
    lines[line - 1] = old[: len(old) - len(old.lstrip())] + new_text
    return "\n".join(lines) + "\n"


def _expected_matches(result: dict, q: dict) -> bool:
    """Whether a run gives the outcome the bug-finding question expects."""
    if q["outcome"] == "return":
        return result["status"] == "return" and bool(result.get("matches"))
    if q["outcome"] == "raise":
        return result["status"] == "raise" and q["expected"].split(":")[0].strip() == result["value"]
    return result["status"] == "return" and same_value(q["expected"], repr(result["stdout"])) is True


def check_code(records: list[dict], tally: Tally, workers: int) -> None:
    """Answers, steps and kinds 1, 4, 10 for every code record."""
    parsed, jobs = [], []
    for rec in records:
        tally.record(rec)
        q = parse(rec)
        if q is None:
            tally.defect(rec, "A", f"cannot read the prompt: {rec['prompt'][:80]}")
            continue
        expect = q.get("expected") if q.get("outcome") == "return" else rec["answer"] if "var" not in q and "outcome" not in q else None
        parsed.append((rec, q))
        jobs.append({"code": q["code"], "call": q["call"], "trace": True, "expect": expect})
        if rec["task"] == "bug_finding" and rec.get("error"):
            line = int(re.sub(r"\D", "", rec["error"]["location"]) or 0)
            fixed = with_line(q["code"], line, rec["error"]["original"]) if line else q["code"]
            jobs.append({"code": fixed, "call": q["call"], "expect": q.get("expected")})
    results = iter(run_jobs(jobs, workers))
    for rec, q in parsed:
        res = next(results)
        fix = next(results) if rec["task"] == "bug_finding" and rec.get("error") else None
        if res["status"] in ("timeout", "too_long", "error"):
            tally.checked(rec, "unrunnable")
            continue
        entries = display(res.get("events") or [])
        problems, n = check_steps(rec, q["code"], entries)
        tally.checked(rec, "steps", n)
        for kind, msg in problems:
            tally.defect(rec, kind, f"{msg} [{rec['id']}]")
        tally.checked(rec, "answer")
        if rec["task"] == "output_prediction":
            if res["status"] != "return" or not res.get("matches"):
                tally.defect(rec, "A", f"answer {rec['answer']}, CPython {res['status']} {res['value']} [{rec['id']}]")
        elif rec["task"] == "state_after_steps":
            _check_state_answer(rec, q, entries, tally)
        elif rec["task"] == "bug_finding":
            _check_bug(rec, q, res, fix, tally)


def _check_state_answer(rec: dict, q: dict, entries: list[dict], tally: Tally) -> None:
    if q["step"] > len(entries):
        tally.defect(rec, "A", f"step {q['step']} is past the run's {len(entries)} steps [{rec['id']}]")
        return
    entry = entries[q["step"] - 1]
    value = state_after(entry).get(q["var"])
    if same_value(rec["answer"], value) is False:
        tally.defect(rec, "A", f"{q['var']} after step {q['step']}: answer {rec['answer']}, CPython {value} [{rec['id']}]")


def _check_bug(rec: dict, q: dict, res: dict, fix: dict | None, tally: Tally) -> None:
    if _expected_matches(res, q):
        tally.defect(rec, "1", f"the buggy program already {q['outcome']}s {q['expected']} [{rec['id']}]")
    if fix is not None and not _expected_matches(fix, q):
        tally.defect(rec, "A", f"the recorded fix `{rec['error']['original']}` gives {fix['status']} {fix['value']} [{rec['id']}]")
    last = rec["steps"][-1]["proposal"] if rec["steps"] else ""
    m = FAULTY.match(last)
    lines = q["code"].splitlines()
    if m is None or not 0 < int(m.group(1)) <= len(lines) or lines[int(m.group(1)) - 1].strip() != m.group(2):
        tally.defect(rec, "S", f"faulty-line step `{last[:100]}` does not quote the program [{rec['id']}]")
    # the answer names the faulty line, and (where it gives one) the recorded fix
    named = re.fullmatch(r"line (\d+)(?:: `(.*)`)?", rec["answer"])
    if (named is None or m is None or named.group(1) != m.group(1)
            or (named.group(2) is not None and named.group(2) != rec["error"]["original"])):
        tally.defect(rec, "A", f"answer {rec['answer']} but the last step names {last[:60]} [{rec['id']}]")


# --- kind 2: other one-token fixes ---------------------------------------------------------

SWAPS = [("<", "<=", ">", ">=", "==", "!="), ("+", "-", "*", "//", "%"), ("and", "or"),
         ("True", "False"), ("+=", "-=", "*=")]


def one_token_variants(code: str, skip_line: int, rng: random.Random, cap: int) -> list[tuple[int, str]]:
    """(line, new line text) for one-token changes of lines other than `skip_line`: an
    operator swapped, a number moved by one or set to 0/1/2, a name swapped for another."""
    names = sorted({t.string for t in _tokens(code) if t.type == tokenize.NAME and t.string.isidentifier()})
    out: list[tuple[int, str]] = []
    lines = code.splitlines()
    for tok in _tokens(code):
        row = tok.start[0]
        if row == skip_line or row > len(lines):
            continue
        text = lines[row - 1]
        alts: list[str] = []
        if tok.type == tokenize.NUMBER and tok.string.isdigit():
            v = int(tok.string)
            alts = [str(x) for x in {v - 1, v + 1, 0, 1, 2} if x >= 0 and x != v]
        elif tok.type == tokenize.OP or tok.string in ("and", "or", "True", "False"):
            alts = [a for group in SWAPS if tok.string in group for a in group if a != tok.string]
        elif tok.type == tokenize.NAME and tok.string in names:
            alts = [n for n in names if n != tok.string]
        for alt in alts:
            new = text[: tok.start[1]] + alt + text[tok.end[1]:]
            out.append((row, new.strip()))
    rng.shuffle(out)
    return out[:cap]


def _tokens(code: str) -> list[tokenize.TokenInfo]:
    try:
        return list(tokenize.generate_tokens(io.StringIO(code).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return []


def held_calls(call: str, limit: int = 24) -> list[str]:
    """Other inputs of our own for `call`: all integer arguments moved at once (by unequal
    amounts), each integer argument (also inside a list) moved or set to another integer of
    the call (so that a search finds what it looks for), strings with vowels added,
    shortened or reversed, lists shortened, reversed or grown; the first `limit` of them."""
    import ast

    try:
        tree = ast.parse(call, mode="eval")
    except SyntaxError:
        return []
    args = tree.body.args if isinstance(tree.body, ast.Call) else []
    top = [a for a in args[::-1] if isinstance(a, ast.Constant) and type(a.value) is int]
    spots = top + [n for n in ast.walk(tree) if isinstance(n, ast.Constant) and type(n.value) is int
                   and n not in top]
    others = sorted({n.value for n in spots})
    out = []
    if len(spots) > 1:  # all integers moved at once, by different amounts: changing one at a
        olds = [n.value for n in spots]  # time never tells c * d from c + d at c = 0 or d = 1
        for k in (2, 5, 11):
            for i, node in enumerate(spots):
                node.value = olds[i] + k + 3 * i
            out.append(ast.unparse(tree))
        for node, value in zip(spots, olds, strict=True):
            node.value = value
    for node in spots:  # plain arguments first, the last first: a target or a limit, typically
        old = node.value
        for value in [old + 1, *others, old + 2, old - 1, 0, 2 * old + 3, old + 10, -old]:
            node.value = value
            out.append(ast.unparse(tree))
        node.value = old
    for node in ast.walk(tree):  # strings and lists: vowels added, shortened, reversed
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            old = node.value
            for value in (old + "a", "eio" + old, old[1:], old[::-1]):
                node.value = value
                out.append(ast.unparse(tree))
            node.value = old
        elif isinstance(node, ast.List) and node.elts:
            old = list(node.elts)
            for value in (old[1:], old[::-1], [*old, old[0]]):
                node.elts = value
                out.append(ast.unparse(tree))
            node.elts = old
    return list(dict.fromkeys(c for c in out if c != call))[:limit]


def check_alternative_fixes(records: list[dict], tally: Tally, verify, workers: int,
                            sample: int, seed: int) -> None:
    """Kind 2: for up to `sample` bug-finding records per level, every one-token change on
    another line that is a correct fix must score 1 with the task's verifier
    (`verify(record, answer_text) -> float | None`). Correct: CPython gives the expected
    outcome on the question's input, and on our own held inputs the same values as the
    intended program (the shown one with the recorded fix)."""
    rng = random.Random(seed)
    by_level: dict[str, list[dict]] = {}
    for rec in records:
        if rec["task"] == "bug_finding" and rec.get("error"):
            by_level.setdefault(rec["level"], []).append(rec)
    for recs in by_level.values():
        chosen = rng.sample(recs, min(sample, len(recs)))
        jobs, meta = [], []
        for rec in chosen:
            q = parse(rec)
            if q is None:
                continue
            line = int(re.sub(r"\D", "", rec["error"]["location"]) or 0)
            for row, new in one_token_variants(q["code"], line, random.Random(rec["id"]), 120):
                jobs.append({"code": with_line(q["code"], row, new), "call": q["call"],
                             "expect": q.get("expected")})
                meta.append((rec, q, line, row, new))
        results = run_jobs(jobs, workers, timeout_s=1.0)
        passing = {}
        for (rec, q, line, row, new), res in zip(meta, results, strict=True):
            if _expected_matches(res, q):
                passing.setdefault((rec["id"], row, new), (rec, q, line, row, new))
        _judge_fixes(list(passing.values()), tally, verify, workers)


def _judge_fixes(candidates: list[tuple], tally: Tally, verify, workers: int) -> None:
    """Run each candidate and the intended program on held inputs; ask the verifier about
    the candidates that agree with the intended program everywhere."""
    jobs, spans = [], []
    for rec, q, line, row, new in candidates:
        intended = with_line(q["code"], line, rec["error"]["original"])
        calls = held_calls(q["call"])
        spans.append((len(jobs), len(calls)))
        jobs += [{"code": intended, "call": c} for c in calls]
        jobs += [{"code": with_line(q["code"], row, new), "call": c} for c in calls]
    results = run_jobs(jobs, workers, timeout_s=1.0)
    only_question = 0  # also those with no held input the intended program runs on
    for (rec, q, _line, row, new), (at, n) in zip(candidates, spans, strict=True):
        want, got = results[at:at + n], results[at + n:at + 2 * n]
        if not any(w["status"] == "return" for w in want) or any(w["status"] == "return" and (g["status"], g["value"]) != ("return", w["value"])
               for w, g in zip(want, got, strict=True)):
            only_question += 1
            continue
        old = q["code"].splitlines()[row - 1].strip()
        answer = f"line {row}: `{new}`"  # the answer form the records teach
        score = verify(rec, answer)
        tally.checked(rec, "alternative fix")
        if score is None:
            tally.info.append(f"kind 2: verifier unavailable for {rec['id']}")
        elif score < 1:
            tally.defect(rec, "2", f"`{old}` → `{new}` (line {row}) is a correct fix but scores {score} [{rec['id']}]")
    if candidates:
        tally.info.append(f"kind 2: {only_question} of {len(candidates)} other one-token changes that pass "
                          f"the question's input differ from the intended program on held inputs (not defects)")
