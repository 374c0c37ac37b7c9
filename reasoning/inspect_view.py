"""Show records to people: a coloured view of each record, the raw token text, a stats table.

Library side of `inspect-traces`. Field text is always wrapped in `rich.text.Text`, never
interpolated into markup, so a prompt that contains `[red]` is shown as written. Colour
is rich's decision: a terminal gets styles, a pipe or a file gets plain text.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TextIO

from rich import box
from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from reasoning.render import render
from reasoning.schema import Record, Step

ACCEPT_STYLE = "green"
REJECT_STYLE = "bold red"
ROLE_STYLES = {"proposer": "cyan", "critic": "magenta", "judge": "bold"}
# Control characters other than newline and tab, shown escaped: a record holding "\x1b[31m"
# must not colour the terminal, nor put escape codes into piped output.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def visible(text: str) -> str:
    """Field text as shown to people: control characters written as `\\xNN`."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


@dataclass(frozen=True)
class RecordFilter:
    """Which records to show; a field left None matches every record.

    `id` matches a record id or a prefix of one (ids are long to type).
    `rejected` keeps only records with at least one rejected step.
    """

    domain: str | None = None
    level: str | None = None
    task: str | None = None
    id: str | None = None
    rejected: bool = False
    split: str | None = None  # "train" (textbook) or "exam"

    def matches(self, rec: Record) -> bool:
        return (
            (self.domain is None or rec.domain == self.domain)
            and (self.level is None or rec.level == self.level)
            and (self.task is None or rec.task == self.task)
            and (self.id is None or rec.id.startswith(self.id))
            and (not self.rejected or rec.has_slip)
            and (self.split is None or rec.split == self.split)
        )


def select(records: Iterable[Record], flt: RecordFilter, limit: int | None) -> Iterator[Record]:
    """The records that match `flt`, at most `limit` of them (None: all), read lazily."""
    if limit is not None and limit < 1:
        raise ValueError(f"limit must be a positive number of records, got {limit}")
    shown = 0
    for rec in records:
        if flt.matches(rec):
            yield rec
            shown += 1
            # Stop before reading further: a bad line after the last shown record is not read.
            if limit is not None and shown >= limit:
                return


# ---- one record ---------------------------------------------------------------------------


def _add_step_rows(grid: Table, k: int, step: Step, injected: bool) -> None:
    """Four rows of the steps grid: proposer, critic, judge, and the machine check (dim)."""
    rejected = step.verdict == "reject"
    verdict_style = REJECT_STYLE if rejected else ACCEPT_STYLE
    proposal = Text(visible(step.proposal), style=REJECT_STYLE if rejected else "")
    if step.slip:
        proposal.append(f"  [slip: {visible(step.slip)}]", style=REJECT_STYLE)
    if injected:
        proposal.append("  ◀ injected error", style="bold red reverse")
    number = Text(str(k), style=verdict_style if rejected or injected else "dim")
    grid.add_row(number, Text("proposer", style=ROLE_STYLES["proposer"]), proposal)
    grid.add_row("", Text("critic", style=ROLE_STYLES["critic"]), Text(visible(step.critic)))
    grid.add_row("", Text("judge", style=ROLE_STYLES["judge"]), Text(step.verdict, style=verdict_style))
    ok = "ok" if step.check.ok else "failed"
    detail = f": {step.check.detail}" if step.check.detail else ""
    check = Text(visible(f"{step.check.checker} {ok}{detail}"), style="dim")
    grid.add_row("", Text("check", style="dim"), check)


def _section(title: str, body: str | Text, style: str = "") -> Text:
    text = Text()
    text.append(f"{title}\n", style="bold underline")  # a base style would leak into the body
    text.append_text(body if isinstance(body, Text) else Text(visible(body), style=style))
    return text


def record_view(rec: Record) -> RenderableType:
    """A panel with the question, every step, the end, the injected error, answer, provenance."""
    err = rec.error
    divergent = err.first_divergent_step if err is not None else None
    parts: list[RenderableType] = [_section("question", rec.prompt)]
    if rec.steps:
        # A grid keeps wrapped step text in its column, under the text it continues.
        grid = Table.grid(padding=(0, 1))
        grid.add_column(justify="right")
        grid.add_column()
        grid.add_column(overflow="fold")
        for k, step in enumerate(rec.steps):
            _add_step_rows(grid, k, step, injected=k == divergent)
        parts.append(Text(f"steps ({len(rec.steps)})", style="bold underline"))
        parts.append(grid)
    parts.append(Text(f"<{rec.end}/>", style="yellow" if rec.end == "truncated" else "dim"))
    if err is not None:
        body = Text()
        body.append(visible(f"{err.kind} at {err.location}"), style=REJECT_STYLE)
        if divergent is not None:
            body.append(f" (first divergent step {divergent})", style=REJECT_STYLE)
        body.append("\n  original ", style="dim")
        body.append(visible(err.original), style=ACCEPT_STYLE)
        body.append("\n  wrong    ", style="dim")
        body.append(visible(err.wrong), style=REJECT_STYLE)
        if err.detail:
            body.append(visible(f"\n  {err.detail}"), style="dim")
        parts.append(_section("injected error", body))
    parts.append(_section("answer", rec.answer, style="bold"))
    p = rec.provenance
    parts.append(
        Text(
            visible(f"provenance: {p.generator} v{p.version} level={p.level} "
                    f"seed={p.seed} index={p.index} split={rec.split} problem={rec.problem}"),
            style="dim",
        )
    )
    title = Text(visible(f"{rec.id}  {rec.domain} / {rec.level} / {rec.task}"), style="bold")
    return Panel(Group(*parts), title=title, title_align="left",
                 border_style="red" if rec.has_slip or err is not None else "blue")  # fmt: skip


def show_records(console: Console, records: Iterable[Record]) -> int:
    """Print each record's view; return how many were shown."""
    n = 0
    for rec in records:
        console.print(record_view(rec))
        n += 1
    return n


def show_raw(out: TextIO, records: Iterable[Record]) -> int:
    """Write the exact token text of each record (what a model sees), a blank line between.

    Written straight to the stream, not through rich, which would wrap lines and read
    `[...]` as markup.
    """
    n = 0
    for rec in records:
        if n:
            out.write("\n")
        out.write(render(rec))
        out.write("\n")
        n += 1
    return n


# ---- stats ----------------------------------------------------------------------------------


@dataclass
class GroupStats:
    """Counts for one (domain, level, task) group, or for all records together."""

    steps: list[int] = field(default_factory=list)  # steps per record
    with_slip: int = 0  # records with a rejected step
    with_error: int = 0  # records carrying an injected error
    truncated: int = 0

    def add(self, rec: Record) -> None:
        self.steps.append(len(rec.steps))
        self.with_slip += rec.has_slip
        self.with_error += rec.error is not None
        self.truncated += rec.end == "truncated"

    @property
    def records(self) -> int:
        return len(self.steps)


@dataclass
class Stats:
    groups: dict[tuple[str, str, str], GroupStats] = field(default_factory=dict)
    total: GroupStats = field(default_factory=GroupStats)


def compute_stats(records: Iterable[Record]) -> Stats:
    """Per (domain, level, task) and overall: records, steps per record, slips, errors."""
    stats = Stats()
    for rec in records:
        stats.groups.setdefault((rec.domain, rec.level, rec.task), GroupStats()).add(rec)
        stats.total.add(rec)
    return stats


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "-"


def _median(values: list[int]) -> str:
    m = statistics.median(values)
    return f"{m:g}"


def stats_table(stats: Stats) -> Table:
    """The stats as a table, one row per (domain, level, task) in sorted order, then a total."""
    table = Table(title="records by domain / level / task", title_justify="left",
                  box=box.SIMPLE_HEAD, pad_edge=False, padding=0,
                  caption="steps: per record; slips: records with a rejected step; "
                          "errors: records with an injected error",
                  caption_justify="left")  # fmt: skip
    # Names may fold onto a second line on a narrow terminal; numbers never get cut.
    for name in ("domain", "level", "task"):
        table.add_column(name, overflow="fold", min_width=6)
    for name in ("records", "steps min", "med", "max", "slips", "errors", "trunc."):
        table.add_column(name, justify="right", no_wrap=True)

    def row(g: GroupStats) -> list[str]:
        if not g.records:
            return ["0", "-", "-", "-", "-", "-", "-"]
        return [str(g.records), str(min(g.steps)), _median(g.steps), str(max(g.steps)),
                _share(g.with_slip, g.records), _share(g.with_error, g.records),
                _share(g.truncated, g.records)]  # fmt: skip

    for key in sorted(stats.groups):
        # Text, not str: a table cell given a str is read as markup.
        table.add_row(*(Text(visible(name)) for name in key), *row(stats.groups[key]))
    table.add_section()
    table.add_row("all", "", "", *row(stats.total), style="bold")
    return table
