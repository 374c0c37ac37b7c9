"""Math records re-checked: answers (A), shown arithmetic as written and slips that blame
what is not there (6), rejected slips that are right after all (R), complete factorings
and a verifier that wants them (5), critics that give the answer away early (7)."""

from __future__ import annotations

import re

import sympy

from bench.audit.arith import shown_equalities
from bench.audit.math_answers import derive
from bench.audit.tally import Tally

X = sympy.Symbol("x")


def check_math(rec: dict, tally: Tally, verify) -> None:
    """Every math check on one record."""
    tally.record(rec)
    check = derive(rec["task"], rec["prompt"])
    if check is None:
        tally.checked(rec, "answer not re-derived (no parser)")
    else:
        tally.checked(rec, "answer")
        try:
            ok = check(rec["answer"])
        except (ValueError, TypeError, ZeroDivisionError, sympy.SympifyError, SyntaxError):
            ok = False
        if not ok:
            tally.defect(rec, "A", f"{rec['prompt'][:90]} => {rec['answer']} [{rec['id']}]")
    steps = rec["steps"]
    for i, s in enumerate(steps):
        texts = (s["proposal"], s["critic"])
        if s["verdict"] == "accept":
            for text in texts:
                for lhs, rhs, holds in shown_equalities(text):
                    tally.checked(rec, "shown arithmetic")
                    if not holds:
                        tally.defect(rec, "6", f"`{text[:100]}`: {lhs} is not {rhs} [{rec['id']}]")
        elif s.get("slip"):
            # a slip must say something else than the accepted step that replaces it (its
            # arithmetic may hold while it reads a wrong digit, so no more is asked here)
            fix = next((t for t in steps[i + 1:] if t["verdict"] == "accept"), None)
            tally.checked(rec, "slip")
            if fix is not None and _squeezed(fix["proposal"]) == _squeezed(s["proposal"]):
                tally.defect(rec, "R", f"slip `{s['proposal'][:100]}` says what its correction says [{rec['id']}]")
            if s["slip"] == "dropped_carry":
                before = [t for t in steps[:i] if t["verdict"] == "accept"]
                tally.checked(rec, "dropped_carry")
                if not before or not re.search(r"carry [1-9]", before[-1]["proposal"]):
                    tally.defect(rec, "6", f"dropped_carry slip with no carry before it: `{s['proposal']}` [{rec['id']}]")
            if s["slip"] == "forgot_constant":
                _forgot_constant(rec, s, tally)
    if rec["task"] == "polynomials" and rec["prompt"].startswith("Factor"):
        _factoring(rec, tally, verify)
    if rec["task"] in ("linear_equations", "linear_systems"):
        _early_answer(rec, tally)


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _forgot_constant(rec: dict, step: dict, tally: Tally) -> None:
    """A forgot_constant slip must reject an antiderivative that is wrong, not one that
    only lacks `+ C` where the answer has no `+ C` either."""
    tally.checked(rec, "forgot_constant")
    m = re.search(r"∫\s*(.*?)\s*dx\s*=\s*(.*)", step["proposal"])
    if m is None:
        return
    try:
        integrand = _sympy(m.group(1))
        shown = _sympy(m.group(2).replace("+ C", "").strip())
    except (sympy.SympifyError, SyntaxError, TypeError):
        return
    if sympy.simplify(sympy.diff(shown, X) - integrand) == 0 and "+ C" not in rec["answer"]:
        tally.defect(rec, "6", f"forgot_constant slip rejects a right antiderivative `{step['proposal'][:80]}` [{rec['id']}]")


def _sympy(text: str):
    text = text.replace("^", "**").replace("−", "-")
    text = re.sub(r"(\d)([a-zA-Z(])", r"\1*\2", text)
    return sympy.sympify(text, locals={"x": X})


def _top_factors(text: str) -> list[str]:
    depth, cur, parts = 0, "", []
    for ch in text:
        depth += (ch == "(") - (ch == ")")
        if ch == "*" and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    return [*parts, cur]


def factoring_defects(prompt: str, answer: str) -> list[str]:
    """What is wrong with `answer` as the complete integer factoring asked in `prompt`."""
    poly = _sympy(prompt.removeprefix("Factor ").split(" completely")[0])
    try:
        got = _sympy(answer)
    except (sympy.SympifyError, SyntaxError, TypeError):
        return [f"answer {answer!r} does not parse"]
    out = []
    if sympy.expand(got - poly) != 0:
        out.append(f"{answer} is not {poly}")
    constants = 0
    for factor in _top_factors(answer.strip().lstrip("-")):
        base = re.sub(r"\^\d+$", "", factor.strip())
        e = _sympy(base)
        if e.is_Integer:
            constants += 1
            if abs(e) == 1:
                out.append(f"factor {factor} is a unit")
            continue
        p = sympy.Poly(e, X)
        if p.content() != 1 or not p.is_irreducible:
            out.append(f"factor {factor} factors further over the integers")
    if constants > 1:
        out.append("more than one constant factor")
    return out


def _factoring(rec: dict, tally: Tally, verify) -> None:
    tally.checked(rec, "factoring")
    for problem in factoring_defects(rec["prompt"], rec["answer"]):
        tally.defect(rec, "5", f"{rec['prompt']} => {rec['answer']}: {problem} [{rec['id']}]")
    if verify is None:
        return
    poly = rec["prompt"].removeprefix("Factor ").split(" completely")[0]
    for hack in (poly, f"1*({poly})"):
        if _sympy(hack) == _sympy(rec["answer"]) and not factoring_defects(rec["prompt"], hack):
            continue  # the polynomial is itself fully factored: writing it is right
        score = verify(rec, hack)
        tally.checked(rec, "factor verifier")
        if score is not None and score > 0:
            tally.defect(rec, "5", f"verifier gives {score} to `{hack}` [{rec['id']}]")


def _early_answer(rec: dict, tally: Tally) -> None:
    """Before the accepted step that derives a value, no accepted critic quotes it unless
    its own proposal or the question has that number (0 and 1 are too common to tell),
    and no critic says the answer `solves` or `satisfies` the equation."""
    asked = {n.lstrip("-") for n in re.findall(r"-?\d+", rec["prompt"])}
    for value in re.findall(r"-?\d+(?:/\d+)?", rec["answer"]):
        derive_at = next((i for i, s in enumerate(rec["steps"])
                          if s["verdict"] == "accept" and s["proposal"].endswith(f"= {value}")), None)
        tally.checked(rec, "early answer")
        if derive_at is None:
            continue
        for s in rec["steps"][:derive_at]:
            if s["verdict"] != "accept":
                continue
            own = {n.lstrip("-") for n in re.findall(r"-?\d+(?:/\d+)?", s["proposal"])} | asked | {"0", "1"}
            quoted = [n for n in re.findall(r"-?\d+(?:/\d+)?", s["critic"]) if n == value and n.lstrip("-") not in own]
            if quoted or re.search(r"solves it|satisfies", s["critic"]):
                tally.defect(rec, "7", f"critic `{s['critic'][:90]}` before {value} is derived [{rec['id']}]")
                return
