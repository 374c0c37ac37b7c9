"""Findings of the data audit, counted per kind and per task/level, printed as a table.

Kinds 1-8 and 10 are the issue's defect kinds; A, S and R are the re-derivations the audit
adds (a record's answer, an accepted step's claims, a rejected slip that is not wrong).
Every kind here is a defect: the audit passes only when all counts are zero.
"""

from __future__ import annotations

import collections
from dataclasses import dataclass, field

KINDS = {
    "1": "bug does not show on the question's input",
    "2": "a correct one-token fix on another line scores < 1",
    "3": "one problem in both textbook and exam",
    "4": "accepted step claims a crashing line ran normally",
    "5": "incomplete factoring or hackable factor verifier",
    "6": "accepted text false as written / slip blaming what is not there",
    "7": "critic gives the answer away before it is derived",
    "8": "shortcut: a premises-only rule scores far above chance",
    "10": "leap: a multi-step accepted step no critic checked",
    "A": "answer differs from an independent re-derivation",
    "S": "accepted step's claim differs from an independent re-check",
    "R": "rejected slip step is not wrong",
}


@dataclass
class Tally:
    """Counts of defects, of records audited and of checks made, by (domain, level, task)."""

    defects: collections.Counter = field(default_factory=collections.Counter)
    records: collections.Counter = field(default_factory=collections.Counter)
    checks: collections.Counter = field(default_factory=collections.Counter)
    examples: dict = field(default_factory=dict)
    info: list = field(default_factory=list)

    def record(self, rec: dict) -> None:
        self.records[_key(rec)] += 1

    def checked(self, rec: dict | tuple, what: str, n: int = 1) -> None:
        self.checks[(_key(rec) if isinstance(rec, dict) else rec, what)] += n

    def defect(self, rec: dict | tuple, kind: str, message: str) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown defect kind {kind!r}")
        key = _key(rec) if isinstance(rec, dict) else rec
        self.defects[(key, kind)] += 1
        self.examples.setdefault((key, kind), message[:300])

    def merge(self, other: Tally) -> None:
        self.defects.update(other.defects)
        self.records.update(other.records)
        self.checks.update(other.checks)
        for k, v in other.examples.items():
            self.examples.setdefault(k, v)
        self.info.extend(other.info)

    def total(self, kind: str) -> int:
        return sum(n for (_, k), n in self.defects.items() if k == kind)

    def passed(self) -> bool:
        return not any(self.defects.values())

    def rows(self) -> list[list[str]]:
        """One row per task and level: records, then the defect count of each kind."""
        out = []
        for key in sorted(self.records):
            checks = sum(n for (k, _), n in self.checks.items() if k == key)
            out.append([*key, str(self.records[key]), str(checks),
                        *(str(self.defects[(key, k)]) for k in KINDS)])
        totals = [str(sum(self.records.values())), str(sum(self.checks.values())),
                  *(str(self.total(k)) for k in KINDS)]
        out.append(["all", "", "", *totals])
        return out

    def markdown(self, header: str = "") -> str:
        cols = ["domain", "level", "task", "records", "checks", *KINDS]
        lines = [header] if header else []
        lines.append("| " + " | ".join(cols) + " |")
        lines.append("|" + "---|" * 3 + "---:|" * (len(cols) - 3))
        lines += ["| " + " | ".join(r) + " |" for r in self.rows()]
        lines.append("")
        lines += [f"- kind {k}: {v} — **{self.total(k)}**" for k, v in KINDS.items()]
        if self.examples:
            lines.append("")
            lines.append("First example of each defect (task/level, kind):")
            lines.append("")
            for (key, kind), msg in sorted(self.examples.items(), key=lambda x: (x[0][1], x[0][0])):
                lines.append(f"- `{key[2]}`/{key[1]} kind {kind}: {msg}".replace("\n", " "))
        if self.info:
            lines.append("")
            lines += [f"- {line}" for line in self.info]
        return "\n".join(lines) + "\n"

    def text(self) -> str:
        cols = ["domain", "level", "task", "records", "checks", *KINDS]
        rows = [cols, *self.rows()]
        widths = [max(len(r[i]) for r in rows) for i in range(len(cols))]
        return "\n".join("  ".join(c.rjust(w) if i >= 3 else c.ljust(w)
                                   for i, (c, w) in enumerate(zip(r, widths, strict=True)))
                         for r in rows)


def _key(rec: dict) -> tuple[str, str, str]:
    return (rec["domain"], rec["level"], rec["task"])
