"""Grading a bug fix by behaviour: what a run shows, and whether a proposed fix restores it.

A bug-finding answer names a line and what it should read (``line 4: `if i < n:` ``). The
fix is applied to the buggy program and the fixed program runs in the sandbox on the
question's input and on held-out inputs; it is correct when every run's *outcome* equals the
original program's. A bug can often be fixed on more than one line (``i = 1`` on line 3
instead of ``<`` on line 4), and every fix that behaves like the original scores.

An outcome is what a caller of the program can observe: how the run ended (a return or an
uncaught exception), the returned value's repr, CPython's last line for the exception, what
was printed, and, for a whole-module program, the variables the module ends with.

Nothing here runs code in the caller's process: runs go through the per-process sandbox
(`generators.code.program_runs`), bounded by the step budget recorded with the problem.
"""

from __future__ import annotations

import ast
import re
from typing import Any

DERIVED_INPUTS = 5  # inputs derived beside the question's (see derive_inputs)
MAX_FIX_CHARS = 300  # a corrected line longer than this is not a one-line fix
_NAMED = re.compile(r"(?:\bline\b|\bL)\s*(\d{1,6})\b[ \t]*[:.,)\-–—]?[ \t]*([^\n]*)", re.IGNORECASE)
_BARE = re.compile(r"\s*(\d{1,6})\s*\.?\s*")
_QUOTED = re.compile(r"`([^`\n]+)`")


def final_module_state(trace: dict[str, Any]) -> str:
    """The module's variables when it ends (`x = 3, ys = [1, 2]`), its functions and classes
    left out; empty when it has none."""
    steps = trace.get("steps") or []
    final = next((s.get("locals") or {} for s in reversed(steps)
                  if s.get("func") == "<module>" and s.get("depth") == 0), {})
    return ", ".join(f"{k} = {v}" for k, v in final.items()
                     if not v.startswith(("<function ", "<class ", "<module ")))


def outcome(trace: dict[str, Any], module: bool) -> dict[str, Any]:
    """What a finished run shows its caller (see the module docstring), as a plain dict."""
    raised = trace.get("status") == "exception"
    out: dict[str, Any] = {
        "status": trace.get("status"),
        "return_repr": None if raised else trace.get("return_repr"),
        "exception": trace.get("exception") if raised else None,
        "stdout": trace.get("stdout", ""),
    }
    if module:
        out["module_state"] = final_module_state(trace)
    return out


def parse_fix(text: Any) -> tuple[int | None, str | None]:
    """(line number, corrected line) an answer gives; either may be None.

    Accepted forms: ``line 4: `if i < n:` `` (backticks optional), ``L4: if i < n:``, and,
    when several backticked pieces follow the number (``line 4: `i <= n` → `i < n` ``), the
    last one is the correction. A bare ``line 4`` or ``4`` names the line without a fix.
    """
    if not isinstance(text, str) or len(text) > 5000:
        return None, None
    found = _NAMED.search(text)
    if found is None:
        bare = _BARE.fullmatch(text)
        return (int(bare.group(1)) if bare else None), None
    rest = found.group(2).strip()
    quoted = _QUOTED.findall(rest)
    fix = quoted[-1] if quoted else rest.strip("`").strip()
    return int(found.group(1)), (fix or None)


def derive_inputs(args: str, limit: int = DERIVED_INPUTS) -> list[str]:
    """Inputs near the question's (`f(14)` → `f(13)`, `f(15)`; a list one element shorter; a
    string one character shorter), at most `limit`, in a fixed order (no randomness).

    The template's alternative inputs are drawn far apart; a fix that is right only on them
    (e.g. one that hard-codes the branch the question's input takes) is caught by inputs
    just beside the question's, where boundary bugs live. A caller keeps only those on which
    the original returns normally: the rest lie outside the program's domain.
    """
    def parse() -> ast.Call | None:
        try:
            call = ast.parse(f"f({args})", mode="eval").body
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None
        return call if isinstance(call, ast.Call) and not call.keywords else None

    call = parse()
    if call is None:
        return []
    out: list[str] = []
    for k, node in enumerate(ast.walk(call)):
        for change in ("minus", "plus", "shorten"):
            if not _perturb(node, change, dry=True):
                continue  # the edit itself is made on a fresh parse
            tree = parse()
            _perturb(next(n for j, n in enumerate(ast.walk(tree)) if j == k), change)
            text = ", ".join(ast.unparse(a) for a in tree.args)
            if text != args and text not in out:
                out.append(text)
            if len(out) >= limit:
                return out
    return out


def _perturb(node: ast.AST, change: str, dry: bool = False) -> bool:
    """Change one literal in place (with `dry`, only say whether `change` applies); False
    when it does not apply."""
    if isinstance(node, ast.Constant) and type(node.value) is int and change != "shorten":
        value = node.value + (1 if change == "plus" else -1)
        if node.value >= 0 > value:  # keep a count or a size non-negative
            return False
        if not dry:
            node.value = value
        return True
    if change == "shorten" and isinstance(node, ast.List | ast.Tuple) and len(node.elts) > 1:
        if not dry:
            node.elts.pop()
        return True
    if change == "shorten" and isinstance(node, ast.Constant) and type(node.value) is str and len(node.value) > 1:
        if not dry:
            node.value = node.value[:-1]
        return True
    return False


def apply_fix(buggy: str, line: int, fix: str) -> str | None:
    """The buggy program with line `line` replaced by `fix` (indented as that line was), or
    None when that is not a one-line edit that parses."""
    lines = buggy.splitlines()
    fix = fix.strip()
    if not 1 <= line <= len(lines) or not fix or len(fix) > MAX_FIX_CHARS or "\n" in fix:
        return None
    old = lines[line - 1]
    lines[line - 1] = old[: len(old) - len(old.lstrip())] + fix
    fixed = "\n".join(lines) + "\n"
    try:
        ast.parse(fixed)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    return fixed


def same_program(a: str, b: str) -> bool:
    """Whether two sources are the same program as `ast.unparse` writes them."""
    try:
        return ast.unparse(ast.parse(a)) == ast.unparse(ast.parse(b))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False


def check_fix(fixed: str, data: dict[str, Any]) -> tuple[bool, str]:
    """Run the fixed program in this process's `process` sandbox (never in this process) on
    the question's input and the held inputs, each within the recorded step budget, and
    compare each outcome with the original's: (all equal, why not). Never raises."""
    from generators.code.program_runs import Config, run_traces, trace_job
    from reasoning.task import Dropped

    func = data.get("func")
    cases = [(data["args"], data["expected"])] + [
        (args, want) for args, want in zip(data.get("held_args") or [], data.get("held_expected") or [],
                                            strict=False)]
    try:
        config = Config(max_steps=int(data.get("max_steps", 1000)))
        runs = run_traces([trace_job(fixed, func, args, config) for args, _ in cases], config)
    except Dropped:
        return False, "the fixed program ran out of time"
    except Exception as exc:  # a verifier reports, it never raises
        return False, f"the fixed program could not be run ({type(exc).__name__})"
    for (args, want), run in zip(cases, runs, strict=True):
        call = f"{func}({args})" if func else "the module"
        if run.kind != "ok" or run.trace is None:
            return False, f"with the fix, {call} does not finish in the step budget"
        got = outcome(run.trace, module=func is None)
        if got != want:
            return False, f"with the fix, {call} {describe(got)}; the intended program {describe(want)}"
    return True, "the fixed program behaves as intended on every input tried"


def describe(out: dict[str, Any], should: bool = False) -> str:
    """An outcome in words: "returns 18", "raises ZeroDivisionError: …" ("return 18" …
    after "should"); a module that prints nothing is told by its final variables."""
    s = "" if should else "s"
    if out.get("status") == "exception":
        return f"raise{s} {out.get('exception')}"
    if out.get("return_repr") is None:
        state = out.get("module_state")
        if out.get("stdout") or not state:
            return f"print{s} {out.get('stdout', '')!r}"
        return f"end{s} with {state}"
    said = f"return{s} {out.get('return_repr')}"
    return said + (f" and print{s} {out.get('stdout')!r}" if out.get("stdout") else "")
