"""Dataset files: shards of records (JSONL or Parquet), a manifest, atomic writes, reading.

A dataset is a directory::

    out/
      config.json                      the resolved config of the run that wrote it
      train-00000-of-00002.jsonl       textbook records, one JSON object a line
      train-00001-of-00002.jsonl
      test-00000-of-00002.jsonl        exam records of the same items (none: no file)
      test-00001-of-00002.jsonl
      manifest.json                    counts, config, seed, version, per-file sha256
      .state/                          per-shard stats, so an interrupted run resumes

Shard k holds items [k * shard_size, (k + 1) * shard_size) of the run; its textbook records
go to `train-k`, its exam records to `test-k` (the file names Hugging Face `datasets` reads
as the `train` and `test` splits). A part with no record is not written.

Every file is written to a hidden temporary name in the same directory and renamed into
place, so a killed run never leaves a truncated shard. Shard bytes depend only on the
records, so a re-run that skips finished shards produces identical files.

Load with Hugging Face datasets::

    load_dataset("json", data_files={"train": "out/train-*.jsonl", "test": "out/test-*.jsonl"})

(or "parquet" and `*.parquet`): `train` is the textbook, `test` the exam.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import ValidationError

from reasoning.schema import Record

FORMATS = ("jsonl", "parquet")
MANIFEST = "manifest.json"
CONFIG = "config.json"
STATE_DIR = ".state"
TMP_PREFIX = ".tmp-"
# The file-name prefix of each split's shards: the names `datasets` maps to train and test.
SPLIT_FILES = {"train": "train", "exam": "test"}


class DatasetError(ValueError):
    """A dataset file that cannot be read; the message is one line, `FILE:LINE: what`."""


def shard_name(k: int, total: int, fmt: str, split: str = "train") -> str:
    """The file of shard `k`'s records of `split` (`train` or `exam`)."""
    return f"{SPLIT_FILES[split]}-{k:05d}-of-{total:05d}.{fmt}"


def is_shard_file(name: str) -> bool:
    """Whether a file name is a shard of some dataset layout (this one, or an older one)."""
    return name.startswith(("train-", "test-", "shard-"))


def atomic_write(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file and a rename (never half-written)."""
    tmp = path.with_name(f"{TMP_PREFIX}{os.getpid()}-{path.name}")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def remove_stale_temporaries(directory: Path) -> int:
    """Delete temporary files a killed run left behind; return how many."""
    stale = [p for p in directory.glob(f"{TMP_PREFIX}*") if p.is_file()]
    stale += [p for p in directory.glob(f"{STATE_DIR}/{TMP_PREFIX}*") if p.is_file()]
    for p in stale:
        p.unlink()
    return len(stale)


def json_bytes(obj: Any) -> bytes:
    """Stable JSON for config, manifest and state files."""
    return (json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


# ---- encoding ---------------------------------------------------------------------------

_CHECK = pa.struct([("checker", pa.string()), ("ok", pa.bool_()), ("detail", pa.string())])
_STEP = pa.struct(
    [
        ("proposal", pa.string()),
        ("critic", pa.string()),
        ("verdict", pa.string()),
        ("check", _CHECK),
        ("slip", pa.string()),
    ]
)
_ERROR = pa.struct(
    [
        ("kind", pa.string()),
        ("location", pa.string()),
        ("original", pa.string()),
        ("wrong", pa.string()),
        ("first_divergent_step", pa.int64()),
        ("detail", pa.string()),
    ]
)
_PROVENANCE = pa.struct(
    [
        ("generator", pa.string()),
        ("version", pa.string()),
        ("level", pa.string()),
        ("seed", pa.int64()),
        ("index", pa.int64()),
        ("program", pa.string()),  # null unless built on a user's program (--programs)
        ("program_sha256", pa.string()),
        ("config_sha256", pa.string()),
    ]
)
# Explicit, so every shard has the same schema whatever its rows (a shard with no injected
# error would otherwise infer a null column and no longer concatenate with the others).
PARQUET_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("domain", pa.string()),
        ("level", pa.string()),
        ("task", pa.string()),
        ("split", pa.string()),
        ("problem", pa.string()),
        ("system", pa.string()),
        ("prompt", pa.string()),
        ("steps", pa.list_(_STEP)),
        ("answer", pa.string()),
        ("end", pa.string()),
        ("error", _ERROR),
        ("data", pa.string()),
        ("provenance", _PROVENANCE),
    ]
)
assert PARQUET_SCHEMA.names == list(Record.model_fields), "parquet schema out of step with Record"


def encode_shard(lines: list[str], fmt: str) -> bytes:
    """Encode records given as JSON lines (`Record.model_dump_json()`) into shard bytes."""
    if fmt == "jsonl":
        return "".join(line + "\n" for line in lines).encode()
    if fmt == "parquet":
        table = pa.Table.from_pylist([json.loads(line) for line in lines], schema=PARQUET_SCHEMA)
        buf = io.BytesIO()
        pq.write_table(table, buf, compression="zstd")
        return buf.getvalue()
    raise ValueError(f"unknown format {fmt!r}; choose one of: {', '.join(FORMATS)}")


# ---- reading ----------------------------------------------------------------------------


def _validate(row: Any, where: str) -> Record:
    try:
        return Record.model_validate(row)
    except ValidationError as e:
        first = e.errors()[0]
        loc = ".".join(str(x) for x in first["loc"]) or "record"
        raise DatasetError(f"{where}: invalid record: {loc}: {first['msg']}") from None


def _read_jsonl(path: Path) -> Iterator[Record]:
    lineno = 0
    try:
        with open(path, encoding="utf-8") as f:
            for lineno, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as e:
                    raise DatasetError(f"{path}:{lineno}: not JSON: {e.msg}") from None
                yield _validate(row, f"{path}:{lineno}")
    except UnicodeDecodeError:
        raise DatasetError(f"{path}:{lineno + 1}: not UTF-8 text") from None
    except OSError as e:
        raise DatasetError(f"{path}: cannot read: {e.strerror}") from None


def _read_parquet(path: Path) -> Iterator[Record]:
    try:
        rows = pq.read_table(path).to_pylist()
    except (OSError, pa.ArrowException) as e:
        raise DatasetError(f"{path}: not a readable parquet file: {str(e).splitlines()[0]}") from None
    for i, row in enumerate(rows, 1):
        yield _validate(row, f"{path}:row {i}")


def dataset_files(path: str | Path) -> list[Path]:
    """The shard files of a dataset directory (sorted), or the one file given."""
    p = Path(path)
    if p.is_dir():
        # The textbook before the exam, each in shard order.
        files = sorted((q for q in p.iterdir() if q.suffix in (".jsonl", ".parquet")
                        and not q.name.startswith(".")),
                       key=lambda q: (q.name.startswith(SPLIT_FILES["exam"] + "-"), q.name))
        if not files:
            raise DatasetError(f"{p}: no .jsonl or .parquet shards in this directory")
        return files
    if not p.exists():
        raise DatasetError(f"{p}: no such file or directory")
    if p.suffix not in (".jsonl", ".parquet"):
        raise DatasetError(f"{p}: not a dataset file (expected .jsonl or .parquet)")
    return [p]


def read_records(path: str | Path) -> Iterator[Record]:
    """Every record of a dataset directory or file, validated; DatasetError names FILE:LINE."""
    for f in dataset_files(path):
        yield from (_read_jsonl(f) if f.suffix == ".jsonl" else _read_parquet(f))


def write_records(path: str | Path, records: Iterable[Record]) -> None:
    """Write records to one .jsonl or .parquet file atomically (format from the suffix)."""
    p = Path(path)
    fmt = p.suffix.lstrip(".")
    atomic_write(p, encode_shard([r.model_dump_json() for r in records], fmt))


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
