"""`inspect-traces`: show reasoning records in the terminal.

    inspect-traces out                       the first 5 records, coloured
    inspect-traces out --rejected --task column_arithmetic --limit 2
    inspect-traces out/shard-00000-of-00001.jsonl --id 6eef99a1 --raw
    inspect-traces out --stats --level primary
    inspect-traces out --split exam --stats      the exam only (test-* shards)
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from cli.common import Parser, PipeConsole, run
from reasoning.dataset import read_records
from reasoning.inspect_view import (
    RecordFilter,
    compute_stats,
    select,
    show_raw,
    show_records,
    stats_table,
)
from reasoning.levels import DOMAINS, LEVELS
from reasoning.split import SPLITS

PROG = "inspect-traces"
DEFAULT_LIMIT = 5


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def build_parser() -> Parser:
    p = Parser(prog=PROG, description="Show reasoning records: steps, verdicts, errors, stats.")
    p.add_argument("path", help="a dataset directory or one .jsonl/.parquet file")
    p.add_argument("--domain", choices=DOMAINS, help="only records of this domain")
    p.add_argument("--level", choices=LEVELS, help="only records of this level")
    p.add_argument("--task", help="only records of this task")
    p.add_argument("--split", choices=SPLITS, help="only textbook (train) or exam records")
    p.add_argument("--id", help="only the record with this id (or id prefix)")
    p.add_argument("--rejected", action="store_true", help="only records with a rejected step")
    p.add_argument("--limit", type=positive_int,
                   help=f"show at most this many records (default {DEFAULT_LIMIT}; "
                        "--stats: all unless given)")  # fmt: skip
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--raw", action="store_true", help="print the exact token text a model sees")
    mode.add_argument("--stats", action="store_true", help="print a table of counts instead")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `inspect-traces`; returns the exit code (2 on bad input)."""
    args = build_parser().parse_args(argv)

    def body() -> int:
        flt = RecordFilter(domain=args.domain, level=args.level, task=args.task, id=args.id,
                           rejected=args.rejected, split=args.split)  # fmt: skip
        console = PipeConsole()
        if args.stats:
            if not console.is_terminal:  # a file has no edge: do not squeeze the table to 80
                console.width = max(console.width, 160)
            stats = compute_stats(select(read_records(args.path), flt, args.limit))
            console.print(stats_table(stats))
            return 0
        chosen = select(read_records(args.path), flt, args.limit or DEFAULT_LIMIT)
        shown = show_raw(sys.stdout, chosen) if args.raw else show_records(console, chosen)
        if not shown:
            print(f"{PROG}: no records match the filters", file=sys.stderr)
        return 0

    return run(PROG, body)


if __name__ == "__main__":
    sys.exit(main())
