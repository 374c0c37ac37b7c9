"""The textbook stream: train split only, never an exam problem, deduplicated, resumable;
the loss weights: completion only, rejected proposals masked, tags weighted."""

from __future__ import annotations

import functools
from collections import Counter
from pathlib import Path

import pytest

from model.curriculum.exams import build_exam
from model.curriculum.textbook import (
    CHUNK,
    PoolPrefetcher,
    Prefetcher,
    ProcessPrefetcher,
    Stream,
    Textbook,
    collate,
    encode_weighted,
    level_specs,
    problem_split,
)
from model.tokenizer import encode_prompt, encode_record
from reasoning import tokens as T
from reasoning.task import generate_record

LEVELS = ("preschool", "primary")
TASKS = ("one_digit_sums", "compare_numbers", "column_arithmetic", "truth_values")


@pytest.fixture(scope="module")
def specs():
    return level_specs(LEVELS, TASKS)


@pytest.fixture(scope="module")
def book(specs):
    return Textbook(seed=3, segment=1, level_weights=(("preschool", 0.5), ("primary", 1.0)), specs=specs)


def test_textbook_never_holds_an_exam_problem(book, specs):
    exam_keys = set()
    for level in LEVELS:
        items = build_exam(level, specs[level], 30)
        assert items and all(problem_split(it.problem) == "exam" for it in items)
        exam_keys |= {it.problem.identity or " ".join(it.problem.prompt.split()) for it in items}
    book_keys, exam_skipped = set(), 0
    for p in range(3 * CHUNK):
        got = book.candidate(p)
        if got is None:
            exam_skipped += 1
            continue
        book_keys.add(got[1])
    assert len(book_keys) > 50
    assert exam_skipped > 0  # the exam split was met, and skipped
    assert not book_keys & exam_keys


def test_chunk_drops_duplicates_and_mixes_levels(book):
    records = book.chunk(0)
    prompts = [" ".join(r.prompt.split()) for r in records]
    assert len(prompts) == len(set(prompts))
    levels = [r.level for r in records]
    # weights 0.5 : 1.0 -> about a third preschool (the tiny preschool spaces repeat more)
    assert 0.15 < levels.count("preschool") / len(levels) < 0.45
    assert {r.task for r in records} == set(TASKS)


@pytest.mark.parametrize("replay", [0.15, 0.6])
def test_every_task_of_a_replayed_level_gets_its_share(specs, replay):
    # Each (level, task) is drawn in proportion to level weight x task weight. (Version 1
    # drew the task from the same sequence as the level, so a level replayed at 0.15 taught
    # only the one or two tasks its window met: compare_numbers got no replay at all.)
    weights = {"preschool": replay, "primary": 1.0}
    book = Textbook(seed=0, segment=2, level_weights=tuple(weights.items()), specs=specs)
    n = 4000
    got = Counter((lv, sp.task.name) for lv, sp in map(book.choose, range(n)))
    total = sum(weights.values())
    for level, level_specs_ in specs.items():
        task_total = sum(sp.weight for sp in level_specs_)
        for sp in level_specs_:
            want = n * weights[level] / total * sp.weight / task_total
            assert abs(got[(level, sp.task.name)] - want) < 0.1 * want + 3, (level, sp.task.name, got)


def test_stream_resumes_at_the_same_record(book):
    s = Stream(book)
    first = [s.next().id for _ in range(CHUNK + 7)]  # crosses a chunk boundary
    chunk, offset = s.position()
    later = [s.next().id for _ in range(20)]
    resumed = Stream(book, chunk, offset)
    assert [resumed.next().id for _ in range(20)] == later
    assert Stream(book).next().id == first[0]


def test_another_segment_draws_other_records(specs, book):
    other = Textbook(seed=3, segment=2, level_weights=book.level_weights, specs=specs)
    assert [r.id for r in other.chunk(0)[:20]] != [r.id for r in book.chunk(0)[:20]]


def _record_with_slip():
    from generators.registry import domain_tasks

    task = domain_tasks("math")["column_arithmetic"]
    for i in range(200):
        rec = generate_record(task, "primary", 0, i, task.default_config())
        if rec.has_slip:
            return rec
    raise AssertionError("no column arithmetic record with a slip in 200")


def test_weights_mask_prompt_and_rejected_proposals(tokenizer):
    rec = _record_with_slip()
    enc = encode_weighted(tokenizer, rec, tag_weight=0.5)
    assert enc.ids == encode_record(tokenizer, rec)  # same tokens as plain encoding
    n_prompt = len(encode_prompt(tokenizer, rec.prompt, rec.system))
    assert enc.ids[:n_prompt] == encode_prompt(tokenizer, rec.prompt, rec.system)
    assert all(w == 0.0 for w in enc.weights[:n_prompt])
    assert all(w > 0 for w in enc.weights[n_prompt:n_prompt + 2])
    # Walk the tokens: every token inside a rejected step's proposal (and its closing tag)
    # weighs 0; its critic and judge are targets; tags weigh 1.5, other tokens 1.
    tag_ids = {tokenizer.token_to_id(t): t for t in T.SPECIAL_TOKENS}
    verdicts = [s.verdict for s in rec.steps]
    step, inside_bad, masked, critic_of_bad = -1, False, 0, 0
    for tid, w in zip(enc.ids[n_prompt:-1], enc.weights[n_prompt:-1], strict=True):
        tag = tag_ids.get(tid)
        if tag == T.PROPOSAL:
            step += 1
            assert w == 1.5
            inside_bad = verdicts[step] == "reject"
            continue
        if inside_bad:
            assert w == 0.0
            masked += 1
            if tag == T.PROPOSAL_END:
                inside_bad = False
            continue
        if tag == T.CRITIC and verdicts[step] == "reject":
            critic_of_bad += 1
        assert w == (1.5 if tag else 1.0)
    assert masked > 1 and critic_of_bad >= 1
    assert enc.weights[-1] == 1.0  # EOS is a target: the model learns to stop


def test_collate_shifts_weights_and_cuts(tokenizer):
    recs = [_record_with_slip()]
    enc = encode_weighted(tokenizer, recs[0])
    x, w = collate([enc], seq_len=40, pad_id=0)
    assert x.shape == (1, 41) and w.shape == (1, 40)
    assert x[0].tolist() == enc.ids[:41]
    assert w[0].tolist() == enc.weights[1:41]


def _loss_and_grads(model, logits, x, w):
    import torch.nn.functional as F

    ce = F.cross_entropy(logits.flatten(0, 1), x[:, 1:].flatten(), reduction="none")
    loss = (ce.view_as(w) * w).sum() / w.sum()
    model.zero_grad(set_to_none=True)
    loss.backward()
    return loss.item(), {n: p.grad.clone() for n, p in model.named_parameters()}


def test_packed_rows_give_the_padded_batch_loss_and_gradient(tokenizer, book):
    """Several records per row, attention kept within each, positions restarting: the loss
    and every gradient equal those of one padded row per record, in fewer rows (a record
    longer than the row is cut as collate cuts it)."""
    import torch

    from model.curriculum.textbook import pack
    from model.model import ModelConfig, Transformer

    stream = Stream(book)
    items = [encode_weighted(tokenizer, stream.next()) for _ in range(12)]
    seq = max(len(e.ids) for e in items) - 5  # the longest record is cut in both layouts
    torch.manual_seed(0)
    model = Transformer(ModelConfig(vocab_size=tokenizer.get_vocab_size(), dim=32, n_layers=2, n_heads=4,
                                    n_kv_heads=2, ffn_dim=64, max_seq_len=seq + 41))  # fmt: skip
    x, w = collate(items, seq, 0)
    padded = _loss_and_grads(model, model(x[:, :-1]), x, w)
    rows = pack(items, seq, 0)
    assert rows.tokens.shape[0] < len(items) and rows.tokens.shape[1] <= seq + 1
    logits = model(rows.tokens[:, :-1], positions=rows.positions[:, :-1], segments=rows.segments[:, :-1])
    packed = _loss_and_grads(model, logits, rows.tokens, rows.weights)
    assert packed[0] == pytest.approx(padded[0], rel=1e-5)
    for name, g in padded[1].items():
        assert torch.allclose(packed[1][name], g, atol=1e-6, rtol=1e-4), name
    # Rows padded to the full width (`full`, what the loop trains on), here 40 tokens wider
    # than the longest record: the loss and gradient of the uncut padded batch again.
    long = seq + 40
    x, w = collate(items, long, 0)
    uncut = _loss_and_grads(model, model(x[:, :-1]), x, w)
    fit, wide = pack(items, long, 0), pack(items, long, 0, full=True)
    assert fit.tokens.shape[1] < long + 1 and wide.tokens.shape == (fit.tokens.shape[0], long + 1)
    logits = model(wide.tokens[:, :-1], positions=wide.positions[:, :-1], segments=wide.segments[:, :-1])
    full = _loss_and_grads(model, logits, wide.tokens, wide.weights)
    assert full[0] == pytest.approx(uncut[0], rel=1e-5)
    for name, g in uncut[1].items():
        assert torch.allclose(full[1][name], g, atol=1e-6, rtol=1e-4), name
    # Without the segments a record would see the one packed before it: the gradient changes.
    leaky = _loss_and_grads(model, model(rows.tokens[:, :-1], positions=rows.positions[:, :-1]),
                            rows.tokens, rows.weights)  # fmt: skip
    assert not all(torch.allclose(leaky[1][n], g, atol=1e-6, rtol=1e-4) for n, g in padded[1].items())


def test_pack_places_every_record_once_and_weighs_no_boundary(tokenizer, book):
    from model.curriculum.textbook import pack

    stream = Stream(book)
    items = [encode_weighted(tokenizer, stream.next()) for _ in range(16)]
    seq = 300
    rows = pack(items, seq, pad_id=0)
    found = []
    for r in range(rows.tokens.shape[0]):
        seg = rows.segments[r].tolist()
        for s in sorted(set(seg) - {0}):
            at = [i for i, v in enumerate(seg) if v == s]
            assert at == list(range(at[0], at[-1] + 1))  # one contiguous stretch
            assert rows.positions[r, at[0] : at[-1] + 1].tolist() == list(range(len(at)))
            found.append(rows.tokens[r, at[0] : at[-1] + 1].tolist())
            # The last token of a sequence predicts nothing (the next one's BOS follows).
            if at[-1] < rows.weights.shape[1]:
                assert rows.weights[r, at[-1]] == 0
        assert sum(v > 0 for v in seg) <= seq + 1
    assert sorted(found) == sorted(e.ids[: seq + 1] for e in items)
    assert rows.weights.sum().item() == pytest.approx(sum(sum(e.weights[1 : seq + 1]) for e in items))


def _batches(prefetcher, n):
    try:
        return [prefetcher.take() for _ in range(n)]
    finally:
        prefetcher.close()


def _alive(pid: int) -> bool:
    """Whether `pid` is a live process (a zombie, dead but not yet reaped, counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_a_child_process_makes_the_batches_a_thread_makes(tokenizer, book):
    encode = functools.partial(encode_weighted, tokenizer, tag_weight=0.5)
    child = ProcessPrefetcher(Stream(book, 1, 3), 6, encode)
    pid = child.pid
    got = _batches(child, 4)
    want = _batches(Prefetcher(Stream(book, 1, 3), 6, encode), 4)
    assert [where for _, where in got] == [where for _, where in want]
    assert [(e.ids, e.weights) for batch, _ in got for e in batch] == \
        [(e.ids, e.weights) for batch, _ in want for e in batch]  # fmt: skip
    assert not _alive(pid)  # close() leaves no process behind


def test_a_pool_of_workers_makes_the_batches_one_process_makes(tokenizer, book):
    encode = functools.partial(encode_weighted, tokenizer, tag_weight=0.5)
    # Duplicates within a chunk are met, so the pool's merge must drop them as chunk() does.
    keys = [got[1] for p in range(CHUNK) if (got := book.candidate(p)) is not None]
    assert len(set(keys)) < len(keys)
    pool = PoolPrefetcher(Stream(book, 1, 3), 7, encode, workers=3)  # an uneven split of a chunk
    pids = pool.pids
    got = _batches(pool, 80)  # 560 records: over two chunk boundaries
    want = _batches(Prefetcher(Stream(book, 1, 3), 7, encode, ahead=False), 80)
    assert want[-1][1][0] >= 3  # the stream did cross into later chunks
    assert [where for _, where in got] == [where for _, where in want]
    assert [(e.ids, e.weights) for batch, _ in got for e in batch] == \
        [(e.ids, e.weights) for batch, _ in want for e in batch]  # fmt: skip
    assert not any(_alive(pid) for pid in pids)  # close() leaves no process behind
    with pytest.raises(ValueError, match="at least one worker"):
        PoolPrefetcher(Stream(book), 2, encode, workers=0)


def test_an_error_in_a_pool_worker_is_raised_by_take(tokenizer, book):
    import ipaddress
    import os
    import signal

    pool = PoolPrefetcher(Stream(book), 2, functools.partial(encode_weighted, "not a tokenizer"), workers=2)
    with pytest.raises(RuntimeError, match="batch maker failed: AttributeError"):
        _batches(pool, 1)
    pool = PoolPrefetcher(Stream(book), 2, ipaddress.ip_address, workers=2)
    with pytest.raises(ValueError, match=r"batch maker failed: ValueError: .* does not appear to be an IPv4"):
        _batches(pool, 1)
    pool = PoolPrefetcher(Stream(book), 2, functools.partial(encode_weighted, tokenizer), workers=2)
    os.kill(pool.pids[1], signal.SIGKILL)
    with pytest.raises(RuntimeError, match="batch maker died"):
        _batches(pool, 3)


def test_an_error_in_the_batch_maker_is_raised_by_take(book):
    import ipaddress

    child = ProcessPrefetcher(Stream(book), 2, functools.partial(encode_weighted, "not a tokenizer"))
    with pytest.raises(RuntimeError, match="batch maker failed: AttributeError"):
        _batches(child, 1)
    # A ValueError (bad input: one line and exit 2 from a command) stays one.
    child = ProcessPrefetcher(Stream(book), 2, ipaddress.ip_address)
    with pytest.raises(ValueError, match=r"batch maker failed: ValueError: .* does not appear to be an IPv4"):
        _batches(child, 1)


def test_a_batch_maker_killed_from_outside_is_an_error_not_a_hang(tokenizer, book):
    import os
    import signal

    child = ProcessPrefetcher(Stream(book), 2, functools.partial(encode_weighted, tokenizer))
    os.kill(child.pid, signal.SIGKILL)
    with pytest.raises(RuntimeError, match="batch maker died"):
        _batches(child, 3)


_ORPHAN = """
import functools, sys, time
from model.curriculum.textbook import PoolPrefetcher, ProcessPrefetcher, Stream, Textbook, encode_weighted, level_specs
from model.tokenizer import train_tokenizer
if __name__ == "__main__":
    specs = level_specs(["preschool"], ["one_digit_sums"])
    tok = train_tokenizer(["1 + 2 = 3"], vocab_size=300)
    stream, encode = Stream(Textbook(0, 0, (("preschool", 1.0),), specs)), functools.partial(encode_weighted, tok)
    if sys.argv[1] == "pool":
        maker = PoolPrefetcher(stream, 2, encode, workers=2)
        pids = maker.pids
    else:
        maker = ProcessPrefetcher(stream, 2, encode)
        pids = [maker.pid]
    maker.take()
    print(*pids, flush=True)
    time.sleep(600)
"""


@pytest.mark.parametrize("maker", ["process", "pool"])
def test_the_batch_maker_dies_with_its_parent(tmp_path, maker):
    import os
    import signal
    import subprocess
    import sys
    import time

    script = tmp_path / "parent.py"
    script.write_text(_ORPHAN)
    root = str(Path(__file__).resolve().parents[3])
    parent = subprocess.Popen([sys.executable, str(script), maker], stdout=subprocess.PIPE, text=True, cwd=root,
                              env={**os.environ, "PYTHONPATH": root})  # fmt: skip
    try:
        pids = [int(pid) for pid in parent.stdout.readline().split()]
        assert pids and all(_alive(pid) for pid in pids)
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + 10
        while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(_alive(pid) for pid in pids)
    finally:
        parent.kill()


def test_auto_makes_bf16_batches_in_a_child_where_a_core_is_free_else_in_a_pool(monkeypatch):
    import os

    import torch

    from model.curriculum.loop import batch_maker

    cpu, gpu = torch.device("cpu"), torch.device("cuda")
    assert batch_maker("inline", gpu, "bf16") == "inline"  # an explicit choice stands
    assert batch_maker("auto", gpu, "bf16") == "thread"
    assert batch_maker("auto", cpu, "fp32") == "thread"
    threads = torch.get_num_threads()
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(threads + 1)), raising=False)
    assert batch_maker("auto", cpu, "bf16") == "process"
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(threads)), raising=False)
    assert batch_maker("auto", cpu, "bf16") == ("pool" if threads > 1 else "inline")
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0}, raising=False)
    monkeypatch.setattr(torch, "get_num_threads", lambda: 1)
    assert batch_maker("auto", cpu, "bf16") == "inline"  # one core: nothing to spread over
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    monkeypatch.setattr(torch, "get_num_threads", lambda: 2)
    assert batch_maker("auto", cpu, "bf16") == "pool"  # every core trains: a pool between steps


def test_a_share_by_tokens_gives_short_records_their_tokens(tokenizer):
    """By records, a task of short records gets few tokens (order of operations' records are
    a fraction of long multiplication's length); `by_tokens` divides each weight by its
    task's mean record length, so drawn by the new weights the two get equal tokens. The
    weights are a function of the seed (a resumed run weighs as it did)."""
    from model.curriculum.textbook import by_tokens

    specs = level_specs(["primary"], ["order_of_operations", "long_multiplication"])

    def length(rec):
        return len(encode_weighted(tokenizer, rec).ids)

    def ratio(mix):  # tokens drawn of order of operations per token of long multiplication
        stream, tokens = Stream(Textbook(0, 0, (("primary", 1.0),), mix)), Counter()
        for _ in range(400):
            rec = stream.next()
            tokens[rec.task] += length(rec)
        return tokens["order_of_operations"] / tokens["long_multiplication"]

    weighed = by_tokens(specs, 0, length)
    assert [s.weight for s in specs["primary"]] == [1.0, 1.0]  # the given specs are left alone
    assert ratio(specs) < 0.7
    assert 0.8 < ratio(weighed) < 1.25
    again = by_tokens(specs, 0, length)
    assert [s.weight for s in again["primary"]] == [s.weight for s in weighed["primary"]]


def test_a_share_per_level_weighs_only_the_levels_that_name_tokens(tokenizer):
    """`--task-share records,tokens`: preschool's weights as the mix gives them, primary's
    through `by_tokens`; the config names a share for every level, the last repeated."""
    from model.curriculum.loop import CurriculumConfig
    from model.curriculum.textbook import by_tokens, shared_specs

    cfg = CurriculumConfig(level="primary", out="x", task_share="records,tokens")
    assert cfg.task_shares() == {"preschool": "records", "primary": "tokens"}
    assert CurriculumConfig(level="high", out="x", task_share="records,tokens").task_shares() == {
        "preschool": "records", "primary": "tokens", "middle": "tokens", "high": "tokens"}
    assert CurriculumConfig(level="primary", out="x").task_shares() == {"preschool": "records", "primary": "records"}

    specs = level_specs(["preschool", "primary"], ["counting", "compare_numbers", "order_of_operations",
                                                   "long_multiplication"])  # fmt: skip

    def length(rec):
        return len(encode_weighted(tokenizer, rec).ids)

    got = shared_specs(specs, cfg.task_shares(), 0, length)
    assert got["preschool"] == specs["preschool"]
    assert got["primary"] == by_tokens({"primary": specs["primary"]}, 0, length)["primary"]
    assert got["primary"] != specs["primary"]  # long multiplication's long records weigh less
    assert shared_specs(specs, {"preschool": "records", "primary": "records"}, 0, length) == specs
