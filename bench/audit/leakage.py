"""Kind 3: one problem in both the textbook and the exam split; duplicate rates (info).

A problem's identity is ours, not the generator's: for code the program (the fixed
program for bug finding), compared as an `ast.dump`, across tasks and levels; for math
and logic the task, the answer and the prompt's numbers, symbols and content words in their
order, its template words dropped (a word in over 20% of the task's prompts is template,
unless it stands inside quotes),
so that two wordings of one problem share a key (2^4 and 4^2 stay apart; `7 + 1` and
`1 + 7` do too, a conservative reading of "the same problem").
"""

from __future__ import annotations

import ast
import collections
import re

from bench.audit.code_checks import CODE, with_line
from bench.audit.tally import Tally

_PIECES = re.compile(r"-?\d+(?:[./]\d+)?|[¬∧∨→↔=<>+\-*/^×÷·()%]|\b[A-Za-z]\w*\b")
TEMPLATE_SHARE = 0.2


def split_of(rec: dict) -> str:
    """The split a record is in: its own field when it carries one, else the project's rule."""
    if "split" in rec:
        return rec["split"]
    from reasoning.split import split_of as project_split

    return str(project_split(rec["prompt"]))


def template_words(records: list[dict]) -> dict[str, set[str]]:
    """Per task, the words found in over TEMPLATE_SHARE of its prompts."""
    seen: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    counts: collections.Counter = collections.Counter()
    for rec in records:
        counts[rec["task"]] += 1
        seen[rec["task"]].update({w.lower() for w in re.findall(r"[A-Za-z]\w+", rec["prompt"])})
    return {t: {w for w, n in c.items() if n > TEMPLATE_SHARE * counts[t]} for t, c in seen.items()}


def identity(rec: dict, template: set[str] = frozenset()) -> str:
    """What makes two records the same problem, whatever the wording (`template`: the
    words of the task's wording, dropped from the key)."""
    if rec["domain"] == "code":
        m = CODE.search(rec["prompt"])
        code = m.group(1) + "\n" if m else rec["prompt"]
        if rec["task"] == "bug_finding" and rec.get("error"):
            line = int(re.sub(r"\D", "", rec["error"]["location"]) or 0)
            if line:
                code = with_line(code, line, rec["error"]["original"])
        try:
            return "code|" + ast.dump(ast.parse(code))
        except SyntaxError:
            return "code|" + code
    # words inside quotes are what someone says (knights and knaves): always content
    parts = re.split(r'(".*?")', rec["prompt"])
    pieces = [p for part in parts for p in _PIECES.findall(part)
              if part.startswith('"') or p.lower() not in template]
    return f"{rec['task']}|{rec['answer']}|{' '.join(pieces)}"


def check_leakage(records: list[dict], tally: Tally) -> None:
    """Every identity with records in both splits is one kind-3 defect (counted on the
    task/level of its first record); duplicate prompt rates go to the info lines."""
    splits: dict[str, set[str]] = collections.defaultdict(set)
    first: dict[str, dict] = {}
    template = template_words(records)
    for rec in records:
        key = identity(rec, template.get(rec["task"], set()))
        splits[key].add(split_of(rec))
        first.setdefault(key, rec)
    for key, seen in splits.items():
        tally.checked(first[key], "split identity")
        if len(seen) > 1:
            rec = first[key]
            tally.defect(rec, "3", f"in both splits: {rec['prompt'][:100]!r} [{rec['id']}]")
    by_task: dict[tuple, list[str]] = collections.defaultdict(list)
    for rec in records:
        by_task[(rec["domain"], rec["level"], rec["task"])].append(rec["prompt"])
    rates = sorted(((1 - len(set(v)) / len(v), k) for k, v in by_task.items()), reverse=True)
    tally.info.append("duplicate prompt rates (share of records repeating an earlier prompt): " +
                      ", ".join(f"{k[2]}/{k[1]} {r:.1%}" for r, k in rates if r > 0) + "; all others 0%")
