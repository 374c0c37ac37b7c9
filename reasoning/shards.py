"""A run's shards on disk: one shard's items written as its textbook and exam files and its
state, repeated problems dropped across shards (`unique`), and the shards a run finished.

Shard k's state (`.state/shard-0000k-of-N.FMT.json`) is written last, after its files:
it marks the shard finished, so a rerun skips it (see `ShardWriter.finished`).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from reasoning import dataset as ds
from reasoning.split import SPLITS

# One generated record as a chunk hands it over: (task, problem id, split, JSON line).
Item = tuple[str, str, str, str]


def named_drops(counts: Counter) -> list[list]:
    """Named drops as sorted JSON rows [program, task, reason, detail, count]."""
    return [[*key, n] for key, n in sorted(counts.items())]


class ShardWriter:
    """Writes the shards of one run in item order and keeps their states.

    With `unique`, a record whose (task, problem) an earlier item gave is dropped and
    counted; shards must be written in increasing k (finished ones may be skipped), so the
    record kept is always the first, whatever the workers.
    """

    def __init__(self, out: Path, total: int, fmt: str, unique: bool) -> None:
        self.out, self.total, self.fmt, self.unique = out, total, fmt, unique
        self.states: dict[int, dict[str, Any]] = {}
        self._seen: set[tuple[str, str]] = set()  # (task, problem) of the records kept
        self._seen_upto = 0  # the problems of every shard below this are in _seen

    def state_path(self, k: int) -> Path:
        return self.out / ds.STATE_DIR / f"shard-{k:05d}-of-{self.total:05d}.{self.fmt}.json"

    def finished(self, k: int) -> dict[str, Any] | None:
        """Shard k's state when it is finished (its state and every file it lists are
        there), else None: the shard is generated again."""
        path = self.state_path(k)
        if not path.exists():
            return None
        state = json.loads(path.read_text())
        files = state.get("files")
        if not (isinstance(files, list) and all((self.out / e["file"]).exists() for e in files)):
            return None
        self.states[k] = state
        return state

    def write(self, k: int, chunks: list[tuple[list[Item], dict[str, Any]]]) -> dict[str, Any]:
        """Write shard k from its chunks (in item order); return its state."""
        if self.unique:  # the problems of the finished shards before k come first
            for j in range(self._seen_upto, k):
                self._seen.update(tuple(key) for key in self.states.get(j, {}).get("problems", []))
            self._seen_upto = k
        parts: dict[str, list[str]] = {split: [] for split in SPLITS}
        kept: list[list[str]] = []
        merged = {key: Counter() for key in ("per_task", "per_split", "duplicates", "events",
                                             "dropped")}
        named: Counter = Counter()
        for items, stats in chunks:
            for key in ("events", "dropped"):
                merged[key].update(stats[key])
            named.update({tuple(e[:4]): e[4] for e in stats["dropped_programs"]})
            for task, problem, split, line in items:
                if self.unique:
                    if (task, problem) in self._seen:
                        merged["duplicates"][task] += 1
                        continue
                    self._seen.add((task, problem))
                    kept.append([task, problem])
                parts[split].append(line)
                merged["per_task"][task] += 1
                merged["per_split"][split] += 1
        state: dict[str, Any] = {key: dict(sorted(c.items())) for key, c in merged.items()}
        state["dropped_programs"] = named_drops(named)
        state["files"] = []
        for split, lines in parts.items():
            if lines:  # a part with no record gets no file
                name = ds.shard_name(k, self.total, self.fmt, split)
                ds.atomic_write(self.out / name, ds.encode_shard(lines, self.fmt))
                state["files"].append({"file": name, "split": split, "records": len(lines)})
        if self.unique:
            state["problems"] = kept
        ds.atomic_write(self.state_path(k), ds.json_bytes(state))  # last: the shard is done
        self.states[k] = state
        return state

    def files(self) -> list[dict[str, Any]]:
        """Every file of the run, in shard order, with its split, records and sha256."""
        return [{**entry, "sha256": ds.sha256_file(self.out / entry["file"])}
                for k in range(self.total) for entry in self.states[k]["files"]]
