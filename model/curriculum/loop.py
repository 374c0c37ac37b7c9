"""The curriculum loop, top to bottom: textbook stages from preschool up to a level, exams
after each stretch of tokens, promotion, replay of forgotten levels, checkpoints to resume.

Under `torchrun --nproc_per_node=N` it trains with DDP (gloo on CPU, nccl on a GPU): every
rank builds the same global batch and trains on its slice, exams are split across ranks.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.distributed as dist
import torch.nn.functional as F

from model.checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from model.curriculum import exams as ex
from model.curriculum.forms import DEFAULT_FORM, get_form
from model.curriculum.promotion import (
    REPLAY_RULES,
    TASK_MIXES,
    LevelStatus,
    judge,
    level_weights,
    weigh_tasks,
)
from model.curriculum.textbook import (
    TASK_SHARES,
    TEXTBOOK_VERSION,
    FileStream,
    PoolPrefetcher,
    Prefetcher,
    ProcessPrefetcher,
    Stream,
    Textbook,
    collate,
    encode_weighted,
    level_specs,
    load_data_dir,
    pack,
    shared_specs,
)
from model.model import PRECISIONS, Transformer, autocast, preset, resolve_precision
from model.tokenizer import PAD, corpus_records, generator_words, train_tokenizer
from reasoning.levels import LEVELS, check_level
from reasoning.render import render
from reasoning.schema import DEFAULT_SYSTEM

LAST, FINAL, METRICS = "last", "final", "metrics.jsonl"
# Flags that define a run's data and model: a resumed run must use the same ones.
FIXED = ("level", "preset", "seed", "tokens_per_level", "data", "exam_size", "bar", "tasks",
         "batch_size", "seq_len", "lr", "warmup", "lr_decay", "tag_weight", "exam_every", "promote_anyway", "form",
         "from_level", "replay", "task_mix", "task_share")  # fmt: skip
# What a run whose config.json predates a flag did: its lr was constant, and only a level
# that had passed once came back at the forgotten share.
BEFORE_FLAG = {"lr_decay": 0.0, "replay": "forgotten", "task_mix": "fixed", "task_share": "records"}


PREFETCH = ("auto", "thread", "process", "inline", "pool")  # where batches are made (batch_maker)


@dataclass(frozen=True)
class CurriculumConfig:
    """A train-curriculum run; every field is a command-line flag."""

    level: str
    out: str
    # tiny, not small: on a CPU it trains 3.4x the tokens per second and learns more per
    # minute (docs/curriculum.md, "Which model learns in the hour").
    preset: str = "tiny"
    seed: int = 0
    max_minutes: float = 0.0  # 0: no wall-clock limit
    # Token budget of each stage: one for all, or one per stage from --from-level up (the
    # last one also for any stage after it).
    tokens_per_level: int | tuple[int, ...] = 2_000_000
    data: str | None = None
    exam_size: int = 100
    bar: float = 0.9
    promote_anyway: bool = False
    tasks: tuple[str, ...] | None = None
    batch_size: int = 16
    seq_len: int = 0  # tokens per record, longer ones cut; 0: the model's max_seq_len
    lr: float = 1e-3
    warmup: int = 50
    # Share of a stage's budget (tokens or minutes) over which lr decays to a tenth: 0.3 took
    # column arithmetic alone from 79% to 99% at 10M tokens (docs/curriculum.md).
    lr_decay: float = 0.3
    tag_weight: float = 0.0
    exam_every: int = 0  # tokens between exams within a stage; 0: a quarter of the budget
    exam_max_tokens: int = 480  # a tenth of `strike`'s counting records are over 460 tokens long
    checkpoint_every: int = 50  # steps
    log_every: int = 10  # steps
    init: str | None = None
    resume: bool = False
    form: str = DEFAULT_FORM  # how the textbook is written (model.curriculum.forms)
    from_level: str = "preschool"  # the first stage (earlier levels neither taught nor examined)
    exam_batch: int = 128  # exam problems answered at once
    # Which earlier levels come back with more weight (promotion.REPLAY_RULES): `failing`,
    # any below its bar, also one promoted anyway; `forgotten`, only one that passed once.
    replay: str = "failing"
    # How a level's tasks share its tokens (promotion.TASK_MIXES): `fixed`, the mix's own
    # weights; `deficit`, weighted by each task's shortfall at the last exam.
    task_mix: str = "fixed"
    # What a task's weight is a share of (textbook.TASK_SHARES): `records` drawn, or `tokens`
    # (each weight divided by its task's mean record length, textbook.by_tokens). One value
    # for every level, or one per level from --from-level separated by commas, the last
    # repeated ("records,tokens": preschool by records, primary and up by tokens).
    task_share: str = "records"
    # Several records per row with attention kept within each (textbook.pack): the same loss
    # and gradient as one padded row per record, in fewer rows. Not a FIXED flag: a run may
    # resume with or without it.
    pack: bool = True
    # The forward's arithmetic (model.model.autocast): `auto` is bf16 autocast where the
    # device has bf16 kernels (1.5x the tokens per second of fp32 on this project's CPU,
    # BENCHMARKS.md), fp32 elsewhere. Not a FIXED flag either: the weights stay fp32.
    precision: str = "auto"
    # Where the next batch is made (PREFETCH): `auto` picks by device and precision
    # (`batch_maker`); not a FIXED flag, the data are the same whichever makes them.
    prefetch: str = "auto"
    # torch.compile the training step's forward and loss (1.38x the tokens per second of the
    # eager step in bf16 on this project's CPU, BENCHMARKS.md; about 40 s to compile, and a
    # C++ compiler on the CPU). Not a FIXED flag: the same arithmetic, fused.
    compile: bool = False

    def __post_init__(self) -> None:
        check_level(self.level)
        check_level(self.from_level)
        if LEVELS.index(self.from_level) > LEVELS.index(self.level):
            raise ValueError(f"--from-level {self.from_level} comes after --level {self.level}")
        preset(self.preset)  # raises on an unknown preset
        for name in ("batch_size", "checkpoint_every", "log_every", "exam_max_tokens", "exam_batch"):
            if getattr(self, name) < 1:
                raise ValueError(f"--{name.replace('_', '-')} must be at least 1")
        budgets = self.budgets
        stages = LEVELS.index(self.level) - LEVELS.index(self.from_level) + 1
        if not budgets or min(budgets) < 1:
            raise ValueError("--tokens-per-level must be at least 1 (one number, or one per stage)")
        if len(budgets) > stages:
            raise ValueError(f"--tokens-per-level names {len(budgets)} budgets for {stages} stage(s) "
                             f"({self.from_level} to {self.level})")  # fmt: skip
        if self.seq_len < 0:
            raise ValueError("--seq-len must be >= 0 (0: the model's max_seq_len)")
        if self.exam_size < 0 or self.exam_every < 0 or self.warmup < 0 or self.max_minutes < 0:
            raise ValueError("--exam-size, --exam-every, --warmup and --max-minutes must be >= 0")
        if self.precision not in PRECISIONS:
            raise ValueError(f"--precision must be one of {', '.join(PRECISIONS)}, got {self.precision!r}")
        if self.prefetch not in PREFETCH:
            raise ValueError(f"--prefetch must be one of {', '.join(PREFETCH)}, got {self.prefetch!r}")
        if not 0.0 <= self.bar <= 1.0:
            raise ValueError(f"--bar must lie in [0, 1], got {self.bar}")
        if not 0.0 <= self.lr_decay <= 1.0:
            raise ValueError(f"--lr-decay must lie in [0, 1] (a share of the budget), got {self.lr_decay}")
        if not self.lr > 0 or self.tag_weight < 0:
            raise ValueError("--lr must be > 0 and --tag-weight >= 0")
        get_form(self.form)  # raises on an unknown form
        if self.replay not in REPLAY_RULES:
            raise ValueError(f"unknown --replay {self.replay!r}; known: {', '.join(REPLAY_RULES)}")
        if self.task_mix not in TASK_MIXES:
            raise ValueError(f"unknown --task-mix {self.task_mix!r}; known: {', '.join(TASK_MIXES)}")
        shares = self.task_share.split(",")
        if unknown := [v for v in shares if v not in TASK_SHARES]:
            raise ValueError(f"unknown --task-share {unknown[0]!r}; known: {', '.join(TASK_SHARES)} "
                             "(one, or one per level separated by commas)")  # fmt: skip
        if len(shares) > stages:
            raise ValueError(f"--task-share names {len(shares)} shares for {stages} level(s) "
                             f"({self.from_level} to {self.level})")  # fmt: skip
        if "tokens" in shares and self.data:
            raise ValueError("--task-share tokens weighs generated tasks; a --data directory is read in its own order")
        if self.init and self.resume:
            raise ValueError("--init and --resume exclude each other (resume continues DIR/last)")

    @property
    def budgets(self) -> tuple[int, ...]:
        b = self.tokens_per_level
        return (b,) if isinstance(b, int) else tuple(b)

    def task_shares(self) -> dict[str, str]:
        """The task share of every level of the run (the last one named repeats)."""
        shares = self.task_share.split(",")
        levels = LEVELS[LEVELS.index(self.from_level) : LEVELS.index(self.level) + 1]
        return {lv: shares[min(k, len(shares) - 1)] for k, lv in enumerate(levels)}

    def budget(self, stage: int) -> int:
        """The token budget of stage `stage` (0: --from-level)."""
        return self.budgets[min(stage, len(self.budgets) - 1)]

    def exam_interval(self, stage: int) -> int:
        return self.exam_every or max(1, self.budget(stage) // 4)


def lr_at(cfg: CurriculumConfig, step: int, stage_tokens: int, elapsed: float, stage: int = 0) -> float:
    """The learning rate of optimizer step `step` (from 0): linear warm-up over `warmup`
    steps, then `lr`; with `lr_decay` d > 0 it falls linearly to a tenth of `lr` over the
    last share d of stage `stage`'s token budget or of --max-minutes (`elapsed` seconds of
    it spent), whichever ends first."""
    lr = cfg.lr * min(1.0, (step + 1) / max(1, cfg.warmup))
    if cfg.lr_decay:
        left = 1.0 - stage_tokens / cfg.budget(stage)
        if cfg.max_minutes:
            left = min(left, 1.0 - elapsed / (cfg.max_minutes * 60))
        lr *= 0.1 + 0.9 * min(1.0, max(left, 0.0) / cfg.lr_decay)
    return lr


def next_sitting(cfg: CurriculumConfig, stage: int, stage_tokens: int) -> int:
    """The stage's token count at which the exams are next sat: the next multiple of its
    exam interval after `stage_tokens` (after the tokens trained, even when one step held
    more than an interval of them: never twice with nothing trained between), or the end of
    its budget when that comes first, so that a stage ends at its budget. A new stage
    (`stage_tokens` 0) is not examined before it trains."""
    interval = cfg.exam_interval(stage)
    nxt = (stage_tokens // interval + 1) * interval
    budget = cfg.budget(stage)
    return min(nxt, budget) if stage_tokens < budget else nxt


def defer_sitting(cfg: CurriculumConfig, elapsed: float, sitting_s: float) -> bool:
    """True when a scheduled sitting is left to the time-out's: with less than two sittings'
    time before --max-minutes, sitting now would leave a few steps and then the last sitting,
    the same exams twice on nearly the same weights. `sitting_s` is the last sitting's
    length (0 before the first)."""
    return bool(cfg.max_minutes) and sitting_s > 0 and cfg.max_minutes * 60 - elapsed < 2 * sitting_s


def dist_setup() -> tuple[int, int]:
    """(rank, world size); starts the process group under torchrun."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world > 1 and not dist.is_initialized():
        dist.init_process_group("nccl" if torch.cuda.is_available() else "gloo")
    return (dist.get_rank(), world) if world > 1 else (0, 1)


def _device() -> torch.device:
    """This rank's GPU under torchrun (LOCAL_RANK), the GPU alone, or the CPU."""
    if torch.cuda.is_available():
        dev = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
        torch.cuda.set_device(dev)
        return dev
    return torch.device("cpu")


def sit_exams(model, tok, exam: list[ex.ExamItem], max_new: int, rank: int, world: int,
              system: str = DEFAULT_SYSTEM, batch_size: int = 128) -> list[ex.TaskScore]:  # fmt: skip
    """Every item answered (this rank's share), scores gathered on all ranks, tallied."""
    mine = ex.answer(model, tok, exam[rank::world], max_new, batch_size, system)
    scores = ex.gather_strided(mine, len(exam), world)
    return ex.tally(exam, scores)


def _fresh_state() -> dict:
    return {"level_index": 0, "segment": 0, "chunk": 0, "offset": 0, "step": 0, "tokens": 0,
            "stage_tokens": 0, "next_exam": 0, "status": {}, "wall": 0.0, "metrics_lines": 0, "file_offset": 0,
            "done": None, "stage_started": {}, "examined_step": -1, "scores": {}}  # fmt: skip


def _model_and_tokenizer(cfg: CurriculumConfig, levels):
    """(model, tokenizer, state, optimizer state) for a fresh, --init or --resume run."""
    out = Path(cfg.out)
    if cfg.resume:
        if not (out / LAST).is_dir():
            raise ValueError(f"{out}: no checkpoint to resume ({out / LAST} is missing)")
        saved = json.loads((out / "config.json").read_text())
        if saved.get("textbook", 1) != TEXTBOOK_VERSION:
            raise ValueError(f"--resume: the run in {out} drew its textbook with version "
                             f"{saved.get('textbook', 1)} of the sampler, which this one cannot redraw "
                             f"(version 1 taught a replayed level only some of its tasks); start a new run")  # fmt: skip
        # A run written before a flag existed ran as the flag's value in BEFORE_FLAG says.
        diff = [k for k in FIXED if saved.get(k, BEFORE_FLAG.get(k)) != _jsonable(cfg).get(k)]
        if diff:
            raise ValueError(f"--resume: --{diff[0].replace('_', '-')} differs from the run in {out} "
                             f"({saved.get(diff[0], BEFORE_FLAG.get(diff[0]))!r}); pass the same flags")  # fmt: skip
        ck = load_checkpoint(out / LAST, with_optimizer=True)
        return ck.model, ck.tokenizer, ck.state, ck.optimizer_state
    if (out / LAST).exists():
        raise ValueError(f"{out} already holds a run; pass --resume to continue it or pick another -o")
    if cfg.init:
        ck = load_checkpoint(cfg.init)
        want = preset(cfg.preset, vocab_size=ck.model.cfg.vocab_size)
        if dataclasses.replace(want, max_seq_len=ck.model.cfg.max_seq_len) != ck.model.cfg:
            raise CheckpointError(f"{cfg.init}: the checkpoint's model is not the {cfg.preset} preset "
                                  f"(pass the --preset it was trained with)")  # fmt: skip
        model, tok = ck.model, ck.tokenizer
    else:
        texts = [render(r) for r in corpus_records(per_task=6, seed=cfg.seed, levels=levels)]
        tok = train_tokenizer(texts, words=generator_words())
        torch.manual_seed(cfg.seed)
        model = Transformer(preset(cfg.preset, vocab_size=tok.get_vocab_size()))
    if cfg.seq_len > model.cfg.max_seq_len:
        raise ValueError(f"--seq-len {cfg.seq_len} exceeds the model's max_seq_len {model.cfg.max_seq_len}")
    return model, tok, _fresh_state(), None


def _jsonable(cfg: CurriculumConfig) -> dict:
    d = dataclasses.asdict(cfg)
    d["tasks"] = list(cfg.tasks) if cfg.tasks else None
    if not isinstance(cfg.tokens_per_level, int):
        d["tokens_per_level"] = list(cfg.tokens_per_level)
    return d


class Metrics:
    """metrics.jsonl, appended line by line (rank 0 only); a resume cuts it back to the
    lines its checkpoint had seen, so no step is counted twice."""

    def __init__(self, path: Path, keep_lines: int, active: bool) -> None:
        self.path, self.active, self.lines = path, active, keep_lines
        if active:
            old = path.read_text().splitlines(keepends=True)[:keep_lines] if path.exists() else []
            tmp = path.with_name(f".{path.name}.tmp")
            tmp.write_text("".join(old))
            os.replace(tmp, path)
            self.f = open(path, "a")  # noqa: SIM115 (open for the run's life)

    def write(self, **row) -> None:
        self.lines += 1
        if self.active:
            self.f.write(json.dumps(row) + "\n")
            self.f.flush()


def batch_maker(prefetch: str, device: torch.device, precision: str) -> str:
    """Where the next batch is made: `thread` (during the step, in a thread of this process),
    `process` (during the step, in a child process at the lowest priority), `inline`
    (between steps) or `pool` (between steps, each chunk of the textbook made by one child
    process per core). `auto`: a thread where the step leaves the CPU free (a GPU) or in
    fp32; for a bf16 step on the CPU, whose short kernels a thread's Python can stall, a
    child process where a core is free of the step's threads (1.08x), else a pool (on cores
    that all train, the batch's time comes out of the step whoever makes it during the step;
    made between steps on every core, it takes less of it; BENCHMARKS.md, "Where the next
    batch is made")."""
    if prefetch != "auto":
        return prefetch
    if device.type == "cuda" or precision == "fp32":
        return "thread"
    cores = _cores()
    if cores > torch.get_num_threads():
        return "process"
    return "pool" if cores > 1 else "inline"


def _cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def run_curriculum(cfg: CurriculumConfig, say=print, progress=None) -> dict:
    """Train by curriculum as `cfg` says; returns the final state. `say` prints a line
    (exam lines, promotions), `progress(text)` updates a progress display."""
    rank, world = dist_setup()
    lead = rank == 0
    levels = LEVELS[LEVELS.index(cfg.from_level): LEVELS.index(cfg.level) + 1]
    form = get_form(cfg.form)
    specs = level_specs(levels, cfg.tasks, form.task_options)
    files = load_data_dir(cfg.data, levels, cfg.tasks) if cfg.data else None
    if cfg.batch_size % world:
        raise ValueError(f"--batch-size {cfg.batch_size} must be a multiple of the {world} ranks")
    out = Path(cfg.out)
    model, tok, state, opt_state = _model_and_tokenizer(cfg, levels)
    state["system"], state["form"] = form.system, form.name  # what exams and GRPO prompt with
    out.mkdir(parents=True, exist_ok=True)
    if lead and not cfg.resume:
        tmp = out / ".config.json.tmp"
        tmp.write_text(json.dumps({**_jsonable(cfg), "textbook": TEXTBOOK_VERSION}, indent=2))
        os.replace(tmp, out / "config.json")
    pad = tok.token_to_id(PAD)
    seq = cfg.seq_len or model.cfg.max_seq_len
    device = _device()
    precision = resolve_precision(cfg.precision, device)
    maker = batch_maker(cfg.prefetch, device, precision)
    if lead:
        say(f"training in {precision} on {device.type} (--precision {cfg.precision})")
    model.to(device)  # before the optimizer, so that a loaded state lands on the device too
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=0.0, foreach=True)
    if opt_state:
        opt.load_state_dict(opt_state)
    net = torch.nn.parallel.DistributedDataParallel(model, device_ids=[device] if device.type == "cuda"
                                                    else None) if world > 1 else model  # fmt: skip
    model.train()

    def weighted_ce(x: torch.Tensor, w: torch.Tensor, extra: dict) -> torch.Tensor:
        """The batch's loss summed over its completion tokens, each at its weight."""
        with autocast(device, precision):
            logits = net(x[:, :-1], **extra)  # (rows, T, V)
        ce = F.cross_entropy(logits.flatten(0, 1).float(), x[:, 1:].flatten(), reduction="none")
        return (ce.view_as(w) * w).sum()

    step_loss = torch.compile(weighted_ce) if cfg.compile else weighted_ce
    compiled_once = False
    exam_sets = {lv: ex.build_exam(lv, specs[lv], cfg.exam_size) for lv in levels}
    train_specs = specs
    if files is None:
        train_specs = shared_specs(specs, cfg.task_shares(), cfg.seed,
                                   lambda r: len(encode_weighted(tok, r, form=form).ids))  # fmt: skip
    metrics = Metrics(out / METRICS, state["metrics_lines"], lead)
    status = {lv: LevelStatus(**st) for lv, st in state["status"].items()}
    t0 = time.monotonic() - state["wall"]
    state["metrics_lines"] = metrics.lines

    def save(name: str) -> None:
        state["status"] = {lv: dataclasses.asdict(st) for lv, st in status.items()}
        state["wall"] = time.monotonic() - t0
        state["metrics_lines"] = metrics.lines
        if lead:
            save_checkpoint(out / name, model, tok, opt if name == LAST else None, dict(state))

    def stream() -> Prefetcher:
        current = levels[state["level_index"]]
        if files is not None:
            # A data directory is read in its own order, the levels so far, from where the
            # run left it (never from the top again at a new segment).
            upto = set(levels[: state["level_index"] + 1])
            source = FileStream([r for r in files if r.level in upto], state["file_offset"])
        else:
            weights_now = level_weights(levels, current, status, cfg.replay)
            mix = weigh_tasks(train_specs, state.get("scores", {}), cfg.bar, cfg.task_mix)
            book = Textbook(cfg.seed, state["segment"], weights_now, mix)
            source = Stream(book, state["chunk"], state["offset"])
        encode = functools.partial(encode_weighted, tok, tag_weight=cfg.tag_weight, form=form)
        if maker == "process":
            return ProcessPrefetcher(source, cfg.batch_size, encode)
        if maker == "pool" and files is None:  # a data directory is only read: nothing to spread
            return PoolPrefetcher(source, cfg.batch_size, encode, _cores())
        return Prefetcher(source, cfg.batch_size, encode, ahead=maker == "thread")

    if state["step"] == 0 and not cfg.init:
        # A freshly initialised model scores chance and, never stopping, answers at full
        # length: its first exam comes after the first stretch of tokens. (--init sits one
        # first, as the baseline of what the stage changes.)
        state["next_exam"] = max(state["next_exam"], next_sitting(cfg, 0, 0))
    data = stream() if state["done"] is None else None
    window_tokens, window_start, train_time = 0, time.monotonic(), 0.0
    window_cut = window_records = 0

    def clock() -> float:
        """Seconds of the run so far; under DDP rank 0's, so that no rank trains alone or at
        another lr."""
        elapsed = time.monotonic() - t0
        if world > 1 and cfg.max_minutes:
            t = torch.tensor([elapsed], dtype=torch.float64, device=device)
            dist.broadcast(t, 0)
            elapsed = float(t.item())
        return elapsed

    while state["done"] is None:
        current = levels[state["level_index"]]
        state["stage_started"].setdefault(current, state["tokens"])
        elapsed = clock()
        out_of_time = bool(cfg.max_minutes) and elapsed > cfg.max_minutes * 60
        if out_of_time and state.get("examined_step") == state["step"]:
            # Time ran out during (or right after) a sitting: sitting again with nothing
            # trained since would only repeat it.
            state["done"] = "time"
            save(LAST)
            break
        due = state["stage_tokens"] >= state["next_exam"]
        if due and not out_of_time and defer_sitting(cfg, elapsed, state.get("sitting_s", 0.0)):
            due = False  # the time-out's sitting, soon, is this one
        if due or out_of_time:
            # The exams of every level so far; promotion, forgetting and the next mix.
            data.close()  # the batch made ahead is of the old mix (and exams may use the sandbox)
            results = sit_exams(model, tok, [it for lv in levels[: state["level_index"] + 1]
                                             for it in exam_sets[lv]], cfg.exam_max_tokens, rank, world, form.system,
                                cfg.exam_batch)  # fmt: skip
            state["sitting_s"] = clock() - elapsed  # rank 0's clock: every rank decides alike
            by_level: dict[str, dict[str, float]] = {}
            for s in results:
                by_level.setdefault(s.level, {})[s.task] = s.score
                metrics.write(event="exam", step=state["step"], tokens=state["tokens"], stage=current,
                              wall=time.monotonic() - t0, sat_from=elapsed, sat_s=state["sitting_s"],
                              level=s.level, task=s.task, n=s.n, score=s.score, low=s.low, high=s.high)  # fmt: skip
                say(f"exam step {state['step']:>6} tokens {state['tokens']:>10,} {s.level:<9} "
                    f"{s.task:<26} {s.score:6.1%} [{s.low:.2f}, {s.high:.2f}] n={s.n}")  # fmt: skip
            passed = judge(status, current, by_level, cfg.bar, state["tokens"])
            state["scores"] = {**state.get("scores", {}), **by_level}  # the last score of every task
            state["examined_step"] = state["step"]
            budget = cfg.budget(state["level_index"])
            over = state["stage_tokens"] >= budget
            moved = passed or (over and cfg.promote_anyway)
            if moved:
                metrics.write(event="promoted", step=state["step"], tokens=state["tokens"], level=current,
                              wall=time.monotonic() - t0,
                              passed=passed, stage_tokens=state["stage_tokens"])  # fmt: skip
                say(f"{current}: {'passed' if passed else 'budget spent, promoted anyway'} "
                    f"after {state['stage_tokens']:,} tokens")  # fmt: skip
                save(f"level-{current}")
                state["level_index"] += 1
                state["stage_tokens"], state["next_exam"] = 0, 0
            state["next_exam"] = next_sitting(cfg, state["level_index"], state["stage_tokens"])
            if state["level_index"] == len(levels):
                # "passed" only when every stage passed its exam; else some were waved on.
                waved = any(not st.learned for st in status.values())
                state["done"] = "promoted_anyway" if waved else "passed"
            elif over and not moved:
                state["done"] = "budget"
                say(f"{current}: the exam was not passed within {budget:,} tokens; stopping")
            elif out_of_time:
                state["done"] = "time"
            state["segment"] += 1
            state["chunk"], state["offset"] = 0, 0
            save(LAST)
            if state["done"] is None:
                data = stream()
            # Throughput windows measure training, not the exams.
            window_tokens, window_start, train_time = 0, time.monotonic(), 0.0
            continue
        # One optimizer step on one global batch; this rank trains on its slice.
        batch, where = data.take()
        if files is not None:
            state["file_offset"] = where
        else:
            state["chunk"], state["offset"] = where
        if cfg.pack:
            # Full-width rows: a step's shape changes only with its number of rows, and bf16's
            # kernels, built per shape, are reused (1.44x over fp32 in the step, 1.30x with
            # rows as wide as their longest record; BENCHMARKS.md).
            rows = pack(batch[rank::world], seq, pad, full=True)
            x, w = rows.tokens.to(device), rows.weights.to(device)
            extra = {"positions": rows.positions[:, :-1].to(device), "segments": rows.segments[:, :-1].to(device)}
        else:
            x, w = collate(batch[rank::world], seq, pad)
            x, w, extra = x.to(device), w.to(device), {}
        total_w = sum(sum(e.weights[1 : seq + 1]) for e in batch)
        lr = lr_at(cfg, state["step"], state["stage_tokens"], elapsed, state["level_index"])
        for g in opt.param_groups:
            g["lr"] = lr
        compute_start = time.monotonic()
        if cfg.compile and not compiled_once:
            try:  # the first call compiles: a missing C++ compiler fails here
                summed = step_loss(x, w, extra)
            except Exception as e:  # any backend error: one line, not a traceback
                first = (str(e).strip().splitlines() or [type(e).__name__])[0]
                raise ValueError(f"--compile: torch.compile failed ({type(e).__name__}: {first}); "
                                 "run without --compile") from e  # fmt: skip
            compiled_once = True
        else:
            summed = step_loss(x, w, extra)
        # DDP averages gradients over ranks, so each rank's share is scaled by the world size.
        loss = summed / max(total_w, 1e-9) * world
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        train_time += time.monotonic() - compute_start
        n_tok = sum(min(len(e.ids), seq + 1) for e in batch)
        window_cut += sum(len(e.ids) > seq + 1 for e in batch)
        window_records += len(batch)
        state["step"] += 1
        state["tokens"] += n_tok
        state["stage_tokens"] += n_tok
        window_tokens += n_tok
        if state["step"] % cfg.log_every == 0:
            shown = loss.detach() / world  # this rank's share of the global batch's loss
            if world > 1:
                dist.all_reduce(shown)
            elapsed = time.monotonic() - window_start
            row = {"event": "train", "step": state["step"], "tokens": state["tokens"], "stage": current,
                   "loss": shown.item(), "lr": lr, "tok_s": window_tokens / elapsed,
                   "train_tok_s": window_tokens / max(train_time, 1e-9),
                   "data_share": 1 - train_time / elapsed, "wall": time.monotonic() - t0,
                   "cut": window_cut / window_records}  # share of records longer than --seq-len  # fmt: skip
            metrics.write(**row)
            if progress:
                progress(f"{current} step {state['step']} loss {row['loss']:.3f} "
                         f"{row['tok_s']:,.0f} tok/s (train only {row['train_tok_s']:,.0f})")  # fmt: skip
            window_tokens, window_start, train_time = 0, time.monotonic(), 0.0
            window_cut = window_records = 0
        if state["step"] % cfg.checkpoint_every == 0:
            save(LAST)
    if data is not None:
        data.close()
    if lead:
        save_checkpoint(out / FINAL, model, tok, None, dict(state))
        metrics.f.close()
    return state


def eval_only(ckpt: str, level: str, exam_size: int, tasks, max_new: int, bar: float) -> str:
    """The exam table of a checkpoint over the levels up to `level`."""
    rank, world = dist_setup()
    ck = load_checkpoint(ckpt)
    ck.model.to(_device())
    levels = LEVELS[: LEVELS.index(check_level(level)) + 1]
    specs = level_specs(levels, tasks)
    exam = [it for lv in levels for it in ex.build_exam(lv, specs[lv], exam_size)]
    system = ck.state.get("system", DEFAULT_SYSTEM)  # the prompt the model was trained with
    return ex.format_table(sit_exams(ck.model, ck.tokenizer, exam, max_new, rank, world, system), bar)
