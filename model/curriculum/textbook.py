"""The textbook: a deterministic stream of train-split records, encoded with loss weights.

Candidate `p` of a segment (a stretch of a stage with one level mix) is drawn from
`(seed, segment, p)` alone: its level and its task by the two coordinates of a 2-D
low-discrepancy sequence (R2), over the levels' weights and the level's task mix, then
`generate_problem`. (Version 1 drew both from one 1-D sequence, so the task followed the
level: a replayed level taught only the few tasks its window of the sequence met.) Exam-split
problems are skipped and duplicates (same identity) within a chunk of candidates are
dropped, so a chunk is a pure function of its number: a resumed run regenerates the chunk
it stopped in and continues at the same record. Every rank generates the whole global
batch and trains on its slice (generation is a few percent of a training step), so the
data do not depend on the number of ranks.
"""

from __future__ import annotations

import dataclasses
import hashlib
import inspect
import os
import re
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import torch

from generators.mix import task_mix
from model.curriculum.forms import FORMS, Form, apply_form
from reasoning import tokens as T
from reasoning.dataset import read_records
from reasoning.generate import TaskSpec
from reasoning.render import render
from reasoning.schema import Record
from reasoning.split import split_of
from reasoning.task import Dropped, Problem, build_record, generate_problem

CHUNK = 256  # candidates per dedup chunk
TEXTBOOK_VERSION = 2  # what draws the records; a run's config.json names it (resume checks)
# The R2 sequence (Roberts): p -> (p / g, p / g^2) mod 1 with g the plastic number fills the
# unit square evenly, so the task drawn is spread evenly within every level drawn.
_PLASTIC = 1.324717957244746
_A1, _A2 = 1 / _PLASTIC, 1 / _PLASTIC**2
_SPLIT_TAKES_IDENTITY = "identity" in inspect.signature(split_of).parameters


def problem_split(problem: Problem) -> str:
    """`train` or `exam` for a problem, by its identity (its prompt when it has none): the
    split records use once the identity split is in (`split_of(prompt, identity=...)`);
    before that, the same hash applied to the identity, so twins never straddle it."""
    if _SPLIT_TAKES_IDENTITY:
        return split_of(problem.prompt, identity=problem.identity)
    return split_of(problem.identity or problem.prompt)


def identity_key(problem: Problem | Record) -> str:
    """What makes two problems the same: the identity, else the whitespace-collapsed prompt."""
    ident = getattr(problem, "identity", "") or ""
    return ident or " ".join(problem.prompt.split())


def _pick(u: float, weights: Sequence[float]) -> int:
    total, acc = sum(weights), 0.0
    for i, w in enumerate(weights):
        acc += w / total
        if u < acc:
            return i
    return len(weights) - 1


def _unit(*key: object) -> float:
    digest = hashlib.sha256("|".join(map(str, key)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


@dataclass(frozen=True)
class Textbook:
    """The mix of one segment: weight per level and each level's task specs."""

    seed: int
    segment: int
    level_weights: tuple[tuple[str, float], ...]
    specs: Mapping[str, Sequence[TaskSpec]]

    def choose(self, p: int) -> tuple[str, TaskSpec]:
        """The level and task spec of candidate `p`."""
        levels = [lv for lv, _ in self.level_weights]
        # Offset by a hash of (seed, segment) so segments do not all start on one level.
        u = (_unit(self.seed, self.segment, "level") + p * _A1) % 1.0
        level = levels[_pick(u, [w for _, w in self.level_weights])]
        specs = self.specs[level]
        v = (_unit(self.seed, self.segment, "task") + p * _A2) % 1.0
        return level, specs[_pick(v, [s.weight for s in specs])]

    def candidate(self, p: int) -> tuple[Record, str] | None:
        """Candidate `p` as (record, identity key), or None when it is dropped or of the
        exam split."""
        level, spec = self.choose(p)
        index = self.segment * 10_000_000 + p
        try:
            problem = generate_problem(spec.task, level, self.seed, index, spec.config)
        except Dropped:
            return None
        if problem_split(problem) != "train":
            return None
        return build_record(spec.task, level, self.seed, index, problem), identity_key(problem)

    def chunk(self, k: int) -> list[Record]:
        """The kept records of chunk `k`: train split, first of each identity."""
        seen: set[str] = set()
        out = []
        for p in range(k * CHUNK, (k + 1) * CHUNK):
            got = self.candidate(p)
            if got is None:
                continue
            rec, key = got
            if key in seen:
                continue
            seen.add(key)
            out.append(rec)
        return out


class Stream:
    """Records of a textbook in order from a position (chunk, offset), resumable."""

    def __init__(self, book: Textbook, chunk: int = 0, offset: int = 0) -> None:
        self.book, self.chunk_no, self.offset = book, chunk, offset
        self._records: list[Record] | None = None  # made on first use (in a batch maker's process)

    def next(self) -> Record:
        if self._records is None:
            self._records = self.book.chunk(self.chunk_no)
        while self.offset >= len(self._records):
            self.chunk_no, self.offset = self.chunk_no + 1, 0
            self._records = self.book.chunk(self.chunk_no)
        rec = self._records[self.offset]
        self.offset += 1
        return rec

    def position(self) -> tuple[int, int]:
        return self.chunk_no, self.offset


class FileStream:
    """Records of a `gen-traces` directory (train split, levels of the mix), cycled in a
    fixed order; duplicates by prompt dropped. `offset`: records read so far."""

    def __init__(self, records: list[Record], offset: int = 0) -> None:
        if not records:
            raise ValueError("the data directory has no train-split records of these levels")
        self.records, self.offset = records, offset

    def next(self) -> Record:
        rec = self.records[self.offset % len(self.records)]
        self.offset += 1
        return rec

    def position(self) -> int:
        return self.offset


class Prefetcher:
    """Global batches of a stream made one ahead in a background thread, so that generating
    and encoding the next batch (Python, and the code tasks' sandbox) overlaps the training
    step (torch, which releases the GIL). `take()` returns a batch with the stream's
    position after it: what a checkpoint records, so a resumed run regenerates the batch
    that was made ahead but not trained. Only the thread touches the stream; `close()`
    waits for it (before exams, which may use the sandbox too, and before a new stream).

    With `ahead=False` the batch is made in the caller's thread when it is taken (between
    steps). The thread's Python holds the GIL between the step's kernels; with bf16 on two
    cores and rows packed to their longest record that cost the step more than the overlap
    gained (7,559 tokens/s against 8,234), with full-width rows the two are level
    (BENCHMARKS.md, "Where the next batch is made")."""

    def __init__(self, stream: Stream | FileStream, size: int, encode: Callable[[Record], Encoded],
                 ahead: bool = True) -> None:  # fmt: skip
        self.stream, self.size, self.encode = stream, size, encode
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="textbook") if ahead else None
        self._next = self._pool.submit(self._make) if self._pool else None

    def _make(self) -> tuple[list[Encoded], object]:
        batch = [self.encode(self.stream.next()) for _ in range(self.size)]
        return batch, self.stream.position()

    def take(self) -> tuple[list[Encoded], object]:
        """The next batch and the stream position after it."""
        if self._pool is None:
            return self._make()
        batch, where = self._next.result()
        self._next = self._pool.submit(self._make)
        return batch, where

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)


class ProcessPrefetcher:
    """Prefetcher's interface, with the batches made ahead in a child process at the lowest
    priority: the training process's GIL is never held by the batch maker, and where a core
    is free of the step's threads the batch costs the step nothing (a bf16 step on the CPU,
    whose short kernels a thread's Python stalls; BENCHMARKS.md, "Where the next batch is
    made").

    The child gets the stream and `encode` pickled (`encode` must be picklable: a
    module-level function or a `functools.partial` of one) and sends each batch down a pipe
    with the stream's position after it, as `Prefetcher.take` returns them; it makes the
    next one while the pipe holds the last. It dies with the training process (through its
    fork server and PR_SET_PDEATHSIG on Linux; elsewhere when its pipe breaks), and
    `close()` kills it: a stream is deterministic in its position, so nothing made ahead is
    lost that a checkpoint needs. An error in the child is raised by `take()` with the
    child's message: a ValueError where the child's was a ValueError or OSError (bad input,
    as the thread's would be), else a RuntimeError."""

    def __init__(self, stream: Stream | FileStream, size: int, encode: Callable[[Record], Encoded]) -> None:
        import multiprocessing as mp

        # Not fork: the parent holds torch's threads and locks. A fork server (one clean
        # process, started once, that has imported the generators) forks each new child in
        # milliseconds, where spawning one imports everything again (a second or two per
        # stream, and a run starts a stream after every sitting).
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload([__name__, "generators.math", "generators.logic", "generators.code"])
        self._conn, child_end = ctx.Pipe(duplex=False)
        self._proc = ctx.Process(target=_make_batches, args=(stream, size, encode, child_end),
                                 name="blueberry-textbook", daemon=True)  # fmt: skip
        self._proc.start()
        child_end.close()  # the child's end lives in the child only: its death breaks the pipe

    @property
    def pid(self) -> int | None:
        """The child's process id."""
        return self._proc.pid

    def take(self) -> tuple[list[Encoded], object]:
        """The next batch and the stream position after it."""
        payload, where = _receive(self._conn, self._proc)
        return [Encoded(ids, weights) for ids, weights in payload], where

    def close(self) -> None:
        if self._proc.is_alive():
            self._proc.kill()
        self._proc.join()
        self._conn.close()


class PoolPrefetcher:
    """Prefetcher's interface with the batch made when it is taken (between steps, as
    `ahead=False`), but each chunk of the textbook generated and encoded by `workers` child
    processes at once: worker i takes the chunk's candidates i, i + workers, ... (so the
    costly code tasks are spread evenly), and this process merges them in order and drops
    duplicates as `Textbook.chunk` does, so the batches and positions are the Prefetcher's.
    While the step trains, the workers wait; while they make a chunk, the step waits: on a
    machine whose cores all run the step, making the batch on every core is what shortens
    the wait (one core made it before, the others idle). The workers die with the training
    process (as ProcessPrefetcher's child does) and `close()` kills them. An error in a
    worker is raised by `take()`, as ProcessPrefetcher raises its child's."""

    def __init__(self, stream: Stream, size: int, encode: Callable[[Record], Encoded], workers: int) -> None:
        import multiprocessing as mp

        if workers < 1:
            raise ValueError(f"a pool of batch makers needs at least one worker, got {workers}")
        self.book, self.size = stream.book, size
        self.chunk_no, self.offset = stream.chunk_no, stream.offset
        self._items: list[Encoded] | None = None
        ctx = mp.get_context("forkserver")  # not fork: see ProcessPrefetcher
        ctx.set_forkserver_preload([__name__, "generators.math", "generators.logic", "generators.code"])
        self._conns, self._procs = [], []
        for i in range(workers):
            conn, child_end = ctx.Pipe()
            proc = ctx.Process(target=_make_candidates, args=(self.book, encode, i, workers, child_end),
                               name=f"blueberry-textbook-{i}", daemon=True)  # fmt: skip
            proc.start()
            child_end.close()
            self._conns.append(conn)
            self._procs.append(proc)

    @property
    def pids(self) -> list[int | None]:
        """The workers' process ids."""
        return [p.pid for p in self._procs]

    def _chunk(self, k: int) -> list[Encoded]:
        for conn in self._conns:
            conn.send(k)
        parts = [_receive(conn, proc)[0] for conn, proc in zip(self._conns, self._procs, strict=True)]
        seen: set[str] = set()
        out = []
        for j in range(max(len(part) for part in parts)):
            for part in parts:  # candidate order: worker i's j-th is candidate i + j * workers
                if j >= len(part) or part[j] is None:
                    continue
                key, ids, weights = part[j]
                if key not in seen:
                    seen.add(key)
                    out.append(Encoded(ids, weights))
        return out

    def take(self) -> tuple[list[Encoded], object]:
        """The next batch and the stream position after it."""
        batch = []
        for _ in range(self.size):
            if self._items is None:
                self._items = self._chunk(self.chunk_no)
            while self.offset >= len(self._items):
                self.chunk_no, self.offset = self.chunk_no + 1, 0
                self._items = self._chunk(self.chunk_no)
            batch.append(self._items[self.offset])
            self.offset += 1
        return batch, (self.chunk_no, self.offset)

    def close(self) -> None:
        for proc in self._procs:
            if proc.is_alive():
                proc.kill()
        for proc, conn in zip(self._procs, self._conns, strict=True):
            proc.join()
            conn.close()


def _receive(conn, proc) -> tuple[object, object]:
    """A batch maker child's next message, (payload, position), from `conn`; its error raised
    here: a ValueError where the child's was bad input (one line, exit 2, as in a thread),
    else a RuntimeError, and a RuntimeError when the child died."""
    try:
        kind, payload, where = conn.recv()
    except (EOFError, OSError):
        proc.join(timeout=5)
        raise RuntimeError(f"the textbook's batch maker died (exit code {proc.exitcode})") from None
    if kind == "error":
        raise (ValueError if where == "bad input" else RuntimeError)(f"the textbook's batch maker failed: {payload}")
    return payload, where


def _orphaned() -> bool:
    """In a batch maker's child: ask the kernel to SIGKILL this process when its parent, the
    fork server, dies (Linux; the fork server ends when the training process does). True
    when the parent is already gone."""
    import contextlib
    import ctypes
    import signal

    parent = os.getppid()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG
    return os.getppid() != parent  # the parent died before the prctl


def _make_candidates(book: Textbook, encode: Callable[[Record], Encoded], first: int, step: int, conn) -> None:
    """A worker of PoolPrefetcher: for each chunk number received, candidates `first`,
    `first + step`, ... of that chunk as (identity key, ids, weights), None where dropped,
    sent back until killed (or the pipe breaks)."""
    if _orphaned():
        return
    try:
        while True:
            k = conn.recv()
            got = []
            for p in range(k * CHUNK + first, (k + 1) * CHUNK, step):
                cand = book.candidate(p)
                if cand is None:
                    got.append(None)
                else:
                    e = encode(cand[0])
                    got.append((cand[1], e.ids, e.weights))
            conn.send(("ok", got, None))
    except (EOFError, BrokenPipeError, ConnectionResetError):
        return
    except Exception as exc:  # sent to the parent, which raises it
        conn.send(("error", f"{type(exc).__name__}: {exc}", "bad input" if isinstance(exc, ValueError | OSError) else None))


def _make_batches(stream: Stream | FileStream, size: int, encode: Callable[[Record], Encoded],
                  out) -> None:  # fmt: skip
    """The child of ProcessPrefetcher: batches of `stream` down the pipe `out` until killed
    (or the pipe breaks: the training process is gone)."""
    if _orphaned():
        return
    os.nice(19)
    try:
        while True:
            batch = [encode(stream.next()) for _ in range(size)]
            out.send(("batch", [(e.ids, e.weights) for e in batch], stream.position()))
    except (BrokenPipeError, ConnectionResetError):
        return
    except Exception as exc:  # sent to the parent, which raises it
        out.send(("error", f"{type(exc).__name__}: {exc}", "bad input" if isinstance(exc, ValueError | OSError) else None))


def load_data_dir(path: str | Path, levels: Sequence[str], tasks: Sequence[str] | None) -> list[Record]:
    """The train-split records of `path` at `levels` (and `tasks`), duplicates dropped."""
    p = Path(path)
    if not p.is_dir():
        raise ValueError(f"{p}: no such data directory (expected gen-traces output)")
    seen, out = set(), []
    for rec in read_records(p):
        if rec.split != "train" or rec.level not in levels or (tasks and rec.task not in tasks):
            continue
        key = " ".join(rec.prompt.split())
        if key not in seen:
            seen.add(key)
            out.append(rec)
    return out


def level_specs(levels: Sequence[str], tasks: Sequence[str] | None,
                options: Mapping[str, object] | None = None) -> dict[str, list[TaskSpec]]:  # fmt: skip
    """Each level's task mix over every domain (only `tasks`, where they exist at a level),
    with the config `options` of the tasks that have them (a form's task options)."""
    from generators.registry import tasks_at
    from reasoning.levels import DOMAINS

    out = {}
    for level in levels:
        present = {t.name for d in DOMAINS for t in tasks_at(d, level)}
        wanted = [t for t in tasks if t in present] if tasks else None
        if tasks and not wanted:
            raise ValueError(f"none of the tasks {', '.join(tasks)} has level {level!r}")
        out[level] = task_mix(level, tasks=wanted, overrides=options)
    return out


# How a level's tasks share it (--task-share): `records`, each task's weight a share of the
# records drawn; `tokens`, a share of the tokens, each weight divided by the mean length of
# its task's records (`by_tokens`). A level's tasks write records of 40 to 400 tokens, so by
# records a task of short records gets a small share of the training (order of operations,
# 116 tokens a record, 3.7% of primary's tokens in the hour where the mix gives it 11%).
TASK_SHARES = ("records", "tokens")
SHARE_SAMPLE = 32  # records per task whose mean length sets its weight under `tokens`
SHARE_INDEX = 1 << 40  # the problem indices of that sample: apart from every segment's


def by_tokens(specs: Mapping[str, Sequence[TaskSpec]], seed: int, length: Callable[[Record], int],
              per_task: int = SHARE_SAMPLE) -> dict[str, list[TaskSpec]]:  # fmt: skip
    """Each level's task specs with every weight divided by its task's mean record length
    (`length(record)`, in tokens, over `per_task` records of `seed` that no segment draws),
    then scaled by the level's mean of those lengths: drawn by these weights, the tasks
    share the level's tokens as the given weights share its records. Deterministic in
    `seed`, so a resumed run weighs as it did. ValueError when a task yields no record."""
    out = {}
    for level, level_specs in specs.items():
        means = []
        for spec in level_specs:
            lengths = []
            for k in range(4 * per_task):  # a dropped problem is passed over
                if len(lengths) == per_task:
                    break
                try:
                    problem = generate_problem(spec.task, level, seed, SHARE_INDEX + k, spec.config)
                except Dropped:
                    continue
                lengths.append(length(build_record(spec.task, level, seed, SHARE_INDEX + k, problem)))
            if not lengths:
                raise ValueError(f"--task-share tokens: {spec.task.name} yields no record at {level} to measure")
            means.append(sum(lengths) / len(lengths))
        mean = sum(means) / len(means)
        out[level] = [dataclasses.replace(s, weight=s.weight * mean / m) for s, m in zip(level_specs, means, strict=True)]
    return out


def shared_specs(specs: Mapping[str, Sequence[TaskSpec]], shares: Mapping[str, str], seed: int,
                 length: Callable[[Record], int]) -> dict[str, list[TaskSpec]]:  # fmt: skip
    """Each level's task specs as its share says (`shares`: level -> TASK_SHARES): as given
    under `records`, through `by_tokens` under `tokens`."""
    weighed = by_tokens({lv: specs[lv] for lv in specs if shares[lv] == "tokens"}, seed, length)
    return {lv: weighed.get(lv, list(level_specs)) for lv, level_specs in specs.items()}


_TAGS = re.compile("(" + "|".join(re.escape(t) for t in T.SPECIAL_TOKENS) + ")")
_TAG_SET = set(T.SPECIAL_TOKENS)


@dataclass(frozen=True)
class Encoded:
    """One training sequence: token ids and the loss weight of predicting each of them."""

    ids: list[int]
    weights: list[float]


def encode_weighted(tok, record: Record, tag_weight: float = 0.0, form: Form | None = None) -> Encoded:
    """BOS + the record's text as `form` writes it (default: the masked form) + EOS with a
    weight per token: 0 on the prompt (up to the think tag's newline) and, when the form
    masks slips, on the proposal of a rejected step (its text and closing tag: a slip is
    never a target), 1 + `tag_weight` on format tags, 1 elsewhere."""
    from model.tokenizer import BOS, EOS

    form = form or FORMS["masked"]
    record = apply_form(record, form)
    text = render(record)
    ids = [tok.token_to_id(BOS)]
    weights = [0.0]
    step = -1
    in_bad_proposal = False
    prompt_done = False
    for piece in _TAGS.split(text):
        if not piece:
            continue
        if piece in _TAG_SET:
            if piece == T.PROPOSAL:
                step += 1
            w = 1.0 + tag_weight
            if piece == T.PROPOSAL_END and in_bad_proposal:
                w = 0.0
            ids.append(tok.token_to_id(piece))
            weights.append(w if prompt_done else 0.0)
            in_bad_proposal = (form.mask_slips and piece == T.PROPOSAL
                               and record.steps[step].verdict == "reject")  # fmt: skip
            continue
        piece_ids = tok.encode(piece, add_special_tokens=False).ids
        if not prompt_done and ids[-1] == tok.token_to_id(T.THINK):
            # The think tag's newline closes the prompt (render_prompt ends with it).
            head, rest = piece[:1], piece[1:]
            head_ids = tok.encode(head, add_special_tokens=False).ids
            ids += head_ids
            weights += [0.0] * len(head_ids)
            prompt_done = True
            piece_ids = tok.encode(rest, add_special_tokens=False).ids if rest else []
        ids += piece_ids
        w = 0.0 if (in_bad_proposal or not prompt_done) else 1.0
        weights += [w] * len(piece_ids)
    ids.append(tok.token_to_id(EOS))
    weights.append(1.0)
    return Encoded(ids, weights)


def collate(items: Sequence[Encoded], seq_len: int, pad_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Inputs+targets (B, T+1) right-padded and the weight of each target (B, T); a record
    longer than seq_len + 1 tokens is cut."""
    width = min(seq_len + 1, max(len(e.ids) for e in items))
    x = torch.full((len(items), width), pad_id, dtype=torch.long)
    w = torch.zeros(len(items), width - 1)
    for b, e in enumerate(items):
        n = min(width, len(e.ids))
        x[b, :n] = torch.tensor(e.ids[:n])
        w[b, : n - 1] = torch.tensor(e.weights[1:n])  # weight of predicting token t+1
    return x, w


@dataclass(frozen=True)
class Packed:
    """Training rows that each hold several sequences back to back (see `pack`).

    tokens (R, W+1): inputs and targets; weights (R, W): the loss weight of predicting
    token t+1; segments and positions (R, W+1): each token's sequence (1, 2, ...; 0 on
    padding) and its position within it, for the model's block-diagonal attention."""

    tokens: torch.Tensor
    weights: torch.Tensor
    segments: torch.Tensor
    positions: torch.Tensor


def pack(items: Sequence[Encoded], seq_len: int, pad_id: int, full: bool = False) -> Packed:
    """The sequences of `items` (each cut to seq_len + 1 tokens, as `collate` does) placed
    first-fit, longest first, into as few rows of seq_len + 1 tokens as that finds. With
    attention kept within each sequence and positions restarting at each one, the loss and
    its gradient are those of `collate`'s padded batch, at the cost of fewer rows: on the
    curriculum's mixes about half of a padded batch is padding. No weight crosses from one
    sequence into the next (a sequence's last token predicts nothing). With `full`, every
    row is seq_len + 1 wide, padding included, so that a step's shape changes only with its
    number of rows (bf16 kernels are built per shape, see the loop)."""
    cap = seq_len + 1
    cut = [(e.ids[:cap], e.weights[:cap]) for e in items]
    rows: list[list[int]] = []  # indices of `cut` per row
    room: list[int] = []
    for i in sorted(range(len(cut)), key=lambda i: -len(cut[i][0])):
        n = len(cut[i][0])
        for r, free in enumerate(room):
            if n <= free:
                rows[r].append(i)
                room[r] -= n
                break
        else:
            rows.append([i])
            room.append(cap - n)
    width = cap if full else max(cap - free for free in room)
    x = torch.full((len(rows), width), pad_id, dtype=torch.long)
    w = torch.zeros(len(rows), width - 1)
    seg = torch.zeros(len(rows), width, dtype=torch.long)
    pos = torch.zeros(len(rows), width, dtype=torch.long)
    for r, members in enumerate(rows):
        at = 0
        for s, i in enumerate(sorted(members), start=1):
            ids, weights = cut[i]
            n = len(ids)
            x[r, at : at + n] = torch.tensor(ids)
            w[r, at : at + n - 1] = torch.tensor(weights[1:n])
            seg[r, at : at + n] = s
            pos[r, at : at + n] = torch.arange(n)
            at += n
    return Packed(x, w, seg, pos)
