"""GRPO, top to bottom: sample G completions per prompt, score them with rule rewards, turn
the rewards into group advantages, and update the policy with the clipped loss of `rl.loss`.

`grpo_step` is one step (what `bench/bench_grpo.py` times); `train` is the whole run: prompts
from the train split, exams on held-out problems at the start, every `exam_every` steps and at
the end, checkpoints `DIR/last` to resume after a kill, `DIR/final`, metrics.jsonl under TRL's
names, plots and report.md.

Under `torchrun --nproc_per_node=N` the global batch of `prompts_per_step` prompts is split
into N contiguous blocks; each rank samples its prompts' groups, rewards are gathered so the
advantages and the logged statistics are the batch's, and DDP averages the gradients. A
completion's noise is seeded by (seed, step, prompt index, completion index), so one process
and N ranks sample the same completions and train the same weights.

Old log-probs (the ratio's denominator): with `num_iterations` 1 the policy has not moved
since sampling, so the ratio is exp(logp - logp.detach()) = 1 with the right gradient (TRL's
choice too). With more iterations: the sampler's log-probs when temperature is 1 and top-p
is 1 (then they are the policy's own, as a test checks), else one forward pass before the
updates, since the sampler's log-probs are of the top-p-cut distribution the loss never sees.
The loss scores tokens under logits / temperature (as TRL does), so the ratio starts at 1.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.distributed as dist

from model.curriculum.loop import Metrics, _device, dist_setup
from model.model import PRECISIONS, autocast, resolve_precision
from reasoning.task import Problem
from rl import loss as L
from rl.policy import Policy, load_policy, read_training_state
from rl.report import write_report
from rl.rollout import Rollouts, SamplingConfig, rollout
from rl.tasks import PromptSource, exam_items, form_options, sit_exam


@dataclass(frozen=True)
class GRPOConfig:
    """A `grpo` run; every field is a command-line flag."""

    out: str
    init: str | None = None
    level: str = "primary"
    tasks: tuple[str, ...] | None = None
    data: str | None = None
    reward: str = "rules"
    reward_weights: str | None = None
    group_size: int = 8
    prompts_per_step: int = 8
    steps: int = 100
    max_minutes: float = 0.0  # 0: no wall-clock limit
    lr: float = 1e-5
    max_grad_norm: float = 1.0
    temperature: float = 1.0
    top_p: float = 1.0
    max_new_tokens: int = 256
    seed: int = 0
    loss_type: str = "dapo"
    epsilon_low: float = 0.2
    epsilon_high: float = 0.28
    beta: float = 0.0
    scale_rewards: str = "group"
    num_iterations: int = 1
    dynamic_sampling: bool = False
    overlong_cache: int = 0  # DAPO's soft overlong penalty over the last N tokens; 0: off
    mask_truncated: bool = False
    micro_batch: int = 0  # completions per forward/backward; 0: this rank's whole batch
    exam_every: int = 20  # steps; 0: only at the start and the end
    exam_size: int = 50  # problems per task
    exam_max_tokens: int = 0  # 0: max_new_tokens
    checkpoint_every: int = 10  # steps
    resume: bool = False
    # The loss's forward and backward (model.model.autocast): `auto` is bf16 autocast where the
    # device has bf16 kernels, fp32 elsewhere; sampling and exams stay in fp32.
    precision: str = "auto"

    def __post_init__(self) -> None:
        from reasoning.levels import check_level
        from rl.rewards import parse_reward_spec

        check_level(self.level)
        for name in ("group_size", "prompts_per_step", "steps", "num_iterations", "exam_size",
                     "checkpoint_every"):  # fmt: skip
            if getattr(self, name) < 1:
                raise ValueError(f"--{name.replace('_', '-')} must be at least 1, got {getattr(self, name)}")
        if self.group_size < 2:
            raise ValueError("--group-size must be at least 2 (advantages compare completions of a prompt)")
        for name in ("max_minutes", "micro_batch", "exam_every", "exam_max_tokens", "overlong_cache"):
            if getattr(self, name) < 0:
                raise ValueError(f"--{name.replace('_', '-')} must be >= 0, got {getattr(self, name)}")
        if not self.lr > 0 or not self.max_grad_norm > 0:
            raise ValueError("--lr and --max-grad-norm must be > 0")
        if self.overlong_cache > self.max_new_tokens:
            raise ValueError(f"--overlong-cache {self.overlong_cache} exceeds --max-new-tokens {self.max_new_tokens}")
        if self.precision not in PRECISIONS:
            raise ValueError(f"--precision must be one of {', '.join(PRECISIONS)}, got {self.precision!r}")
        if not self.init and not self.resume:
            raise ValueError("--init CHECKPOINT is required (or --resume to continue -o DIR)")
        self.sampling  # noqa: B018 (validates temperature, top-p, max-new-tokens)
        self.loss_config  # noqa: B018 (validates the loss options)
        parse_reward_spec(self.reward, self.reward_weights)

    @property
    def sampling(self) -> SamplingConfig:
        return SamplingConfig(self.max_new_tokens, self.temperature, self.top_p)

    @property
    def loss_config(self) -> L.LossConfig:
        return L.LossConfig(loss_type=self.loss_type, epsilon_low=self.epsilon_low,
                            epsilon_high=self.epsilon_high, beta=self.beta,
                            scale_rewards=self.scale_rewards, max_completion_length=self.max_new_tokens,
                            mask_truncated=self.mask_truncated)  # fmt: skip


def row_seed(seed: int, step: int, prompt: int, completion: int) -> int:
    """The noise seed of one completion: a function of where it sits in the run alone."""
    digest = hashlib.sha256(f"grpo|{seed}|{step}|{prompt}|{completion}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def _gather(values: list, world: int) -> list:
    """Concatenate every rank's list, in rank order (the batch's rows in order)."""
    if world == 1:
        return values
    parts: list = [None] * world
    dist.all_gather_object(parts, values)
    return [v for part in parts for v in part]


def _completion_logps(policy: Policy, module, ro: Rollouts, rows: torch.Tensor, temperature: float,
                      with_entropy: bool = False):  # fmt: skip
    """Log-probs (b, C) of the completion tokens of `rows` under `module` (the policy, its DDP
    wrapper or the reference), logits / temperature; and the mean entropy when asked."""
    P, C = ro.prompt_width, ro.completion_ids.shape[1]
    mask = ro.attention_mask[rows]
    # Columns that are padding in every row of this chunk (prompt padding on the left, after
    # the longest completion on the right) are cut: exact, since positions come from the mask.
    lo = int(mask[:, :P].argmax(-1).min())  # the first column where some prompt starts
    c = max(1, int(ro.lengths[rows].max()))
    logits = policy.forward_logits(ro.tokens[rows, lo:P + c], mask[:, lo:P + c], module=module)
    logits = logits[:, P - 1 - lo:-1]  # (b, c, V): position t predicts completion token t
    logps = L.per_token_logps(logits, ro.completion_ids[rows, :c], max(temperature, 1e-6))
    logps = torch.nn.functional.pad(logps, (0, C - c))  # (b, C); zeros lie outside the mask
    if not with_entropy:
        return logps, None
    with torch.no_grad():
        lp = (logits.detach().float() / max(temperature, 1e-6)).log_softmax(-1)
        ent = -(lp.exp() * lp).sum(-1)  # (b, c)
        entropy_sum = float((ent * ro.completion_mask[rows, :c]).sum())
    return logps, entropy_sum


def grpo_step(policy: Policy, ref: Policy | None, optimizer: torch.optim.Optimizer,
              problems: list[Problem], cfg: GRPOConfig, *, step: int = 0, first_prompt: int = 0,
              net: torch.nn.Module | None = None, world: int = 1) -> dict[str, float | None]:  # fmt: skip
    """One GRPO step on this rank's `problems` (global indices `first_prompt`..): sample, reward,
    advantages, `num_iterations` updates. Returns the step's metrics under TRL's names (batch
    statistics over all ranks). `net` is the DDP wrapper of policy.model under torchrun."""
    from rl.rewards import REWARDS, combine, parse_reward_spec

    t0 = time.monotonic()
    G, lcfg = cfg.group_size, cfg.loss_config
    module = net if net is not None else policy.model
    amp = functools.partial(autocast, policy.device, cfg.precision)  # the loss's forwards run under it
    # 1. Rollouts: G completions per prompt, each with its own noise.
    seeds = [row_seed(cfg.seed, step, first_prompt + i, g) for i in range(len(problems)) for g in range(G)]
    ro = rollout(policy, [p.prompt for p in problems], G, cfg.sampling, seeds)
    t_sample = time.monotonic() - t0
    # 2. Rewards of every function (None: abstains), their weighted sum, DAPO's length shaping.
    weights = parse_reward_spec(cfg.reward, cfg.reward_weights)
    row_problems = [p for p in problems for _ in range(G)]
    per_fn = {name: REWARDS[name](ro.texts, row_problems) for name in weights}
    local = combine(per_fn, weights)
    if cfg.overlong_cache:
        penalty = L.overlong_penalty(ro.lengths, cfg.max_new_tokens, cfg.overlong_cache).tolist()
        per_fn["overlong"] = penalty
        local = [r + p for r, p in zip(local, penalty, strict=True)]
    # 3. The batch's rewards from every rank; group advantages; groups kept.
    rewards = torch.tensor(_gather(local, world), dtype=torch.float32)  # (B_global,)
    stats = _gather([ro.lengths.tolist(), ro.truncated.tolist(), per_fn], world)
    lengths = torch.tensor([n for part in stats[0::3] for n in part], dtype=torch.float32)
    truncated = torch.tensor([t for part in stats[1::3] for t in part], dtype=torch.float32)
    advantages = L.group_advantages(rewards, G, cfg.scale_rewards)
    keep = L.dynamic_sampling_keep(rewards, G) if cfg.dynamic_sampling else torch.ones_like(rewards, dtype=torch.bool)
    b = len(ro.texts)
    rank = dist.get_rank() if world > 1 else 0
    mine = slice(rank * b, (rank + 1) * b)
    device = policy.device
    adv_local, keep_local = advantages[mine].to(device), keep[mine]
    mask = ro.completion_mask
    if cfg.mask_truncated:
        mask = L.truncation_mask(mask, ro.truncated)
    kept_rows = keep_local.nonzero().flatten()
    # Token and row counts of the whole batch normalise the loss (dapo; the others by rows).
    counts = torch.tensor([float(mask[kept_rows].sum()), float(len(kept_rows))], device=device)
    if world > 1:
        dist.all_reduce(counts)
    n_tokens, n_rows = float(counts[0]), float(counts[1])
    sums = {"clip_ratio/low_mean": 0.0, "clip_ratio/high_mean": 0.0, "clip_ratio/region_mean": 0.0,
            "kl": 0.0, "entropy": 0.0, "tokens": 0.0, "loss": 0.0}  # fmt: skip
    if n_rows > 0:  # a batch whose groups all agree teaches nothing: no update
        # A rank with no kept rows still runs a zero-weight pass: DDP needs every rank's backward.
        rows_all = kept_rows if len(kept_rows) else torch.tensor([0])
        weight = 1.0 if len(kept_rows) else 0.0
        mb = cfg.micro_batch or len(rows_all)
        chunks = [rows_all[i:i + mb] for i in range(0, len(rows_all), mb)]
        ref_lp, old_lp = {}, {}
        # The sampler's log-probs are the policy's own at temperature 1 without top-p, but in
        # fp32: under bf16 the old log-probs come from the same forward as the loss's.
        sampler_is_policy = cfg.temperature == 1 and cfg.top_p == 1 and \
            resolve_precision(cfg.precision, device) == "fp32"
        with torch.no_grad(), amp():
            for k, rows in enumerate(chunks):
                if ref is not None:
                    ref_lp[k] = _completion_logps(ref, ref.model, ro, rows, cfg.temperature)[0]
                if cfg.num_iterations > 1:
                    if sampler_is_policy:
                        old_lp[k] = ro.old_logps[rows]
                    else:
                        old_lp[k] = _completion_logps(policy, policy.model, ro, rows, cfg.temperature)[0]
        for it in range(cfg.num_iterations):
            for k, rows in enumerate(chunks):
                last = k == len(chunks) - 1
                sync = contextlib.nullcontext() if last or net is None else net.no_sync()
                with sync:
                    with amp():
                        logps, ent = _completion_logps(policy, module, ro, rows, cfg.temperature, it == 0)
                    old = old_lp[k] if cfg.num_iterations > 1 else logps.detach()
                    m = mask[rows]
                    loss, met = L.policy_loss(logps, old, ref_lp.get(k), adv_local[rows], m, lcfg,
                                              num_items_in_batch=n_tokens)  # fmt: skip
                    if cfg.loss_type != "dapo":  # a mean over this chunk's rows -> over the batch's
                        loss = loss * (len(rows) / n_rows)
                    # DDP averages gradients over ranks; the loss is already the batch's share.
                    (loss * weight * world).backward()
                tok = float(m.sum()) * weight
                for name, v in met.items():
                    sums[name] += v * tok / cfg.num_iterations
                sums["loss"] += loss.item() * weight / cfg.num_iterations
                if it == 0:
                    sums["entropy"] += ent * weight
                    sums["tokens"] += tok
            torch.nn.utils.clip_grad_norm_(policy.model.parameters(), cfg.max_grad_norm)
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
    totals = torch.tensor([sums[k] for k in sums], dtype=torch.float64, device=device)
    if world > 1:
        dist.all_reduce(totals)
    tot = dict(zip(sums, totals.tolist(), strict=True))
    denom = max(tot["tokens"], 1.0)
    grouped = rewards.view(-1, G)
    group_std = grouped.std(dim=1) if G > 1 else torch.zeros(len(grouped))
    out = {
        "reward": float(rewards.mean()),
        "reward_std": float(group_std.mean()),
        "frac_reward_zero_std": float((group_std < 1e-6).float().mean()),
        "clip_ratio/low_mean": tot["clip_ratio/low_mean"] / denom,
        "clip_ratio/high_mean": tot["clip_ratio/high_mean"] / denom,
        "clip_ratio/region_mean": tot["clip_ratio/region_mean"] / denom,
        "entropy": tot["entropy"] / denom,
        "loss": tot["loss"],
        "completions/mean_length": float(lengths.mean()),
        "completions/min_length": float(lengths.min()),
        "completions/max_length": float(lengths.max()),
        "completions/clipped_ratio": float(truncated.mean()),
        "groups_kept": float(keep.view(-1, G)[:, 0].float().mean()),
        "sample_time": t_sample,
    }
    if cfg.beta > 0:  # as TRL: no reference, no KL to log
        out["kl"] = tot["kl"] / denom
    names = list(per_fn)
    for name in names:
        vals = [v for part in stats[2::3] for v in part[name]]
        real = torch.tensor([float(v) for v in vals if v is not None and v == v])  # v == v: not NaN
        # A function that abstained on every completion has no mean: None (null in the log).
        out[f"rewards/{name}/mean"] = float(real.mean()) if len(real) else None
        out[f"rewards/{name}/std"] = float(real.std()) if len(real) > 1 else 0.0
    out["step_time"] = time.monotonic() - t0
    return out


LAST, FINAL, METRICS = "last", "final", "metrics.jsonl"
# Flags that define a run's data, rewards and updates: a resumed run must use the same ones.
FIXED = ("init", "level", "tasks", "data", "reward", "reward_weights", "group_size", "prompts_per_step",
         "lr", "max_grad_norm", "temperature", "top_p", "max_new_tokens", "seed", "loss_type",
         "epsilon_low", "epsilon_high", "beta", "scale_rewards", "num_iterations", "dynamic_sampling",
         "overlong_cache", "mask_truncated", "micro_batch", "exam_every", "exam_size",
         "exam_max_tokens")  # fmt: skip


def _jsonable(cfg: GRPOConfig) -> dict:
    d = dataclasses.asdict(cfg)
    d["tasks"] = list(cfg.tasks) if cfg.tasks else None
    return d


def _start(cfg: GRPOConfig, device) -> tuple[GRPOConfig, Policy, dict | None, dict]:
    """(config, policy, optimizer state, loop state) of a fresh run (--init) or a resumed one
    (DIR/last; --init defaults to the run's own)."""
    out = Path(cfg.out)
    if not cfg.resume:
        if (out / LAST).exists():
            raise ValueError(f"{out} already holds a run; pass --resume to continue it or pick another -o")
        fresh = {"step": 0, "data": {}, "wall": 0.0, "metrics_lines": 0, "exam_steps": [], "done": None}
        return cfg, load_policy(cfg.init, device), None, fresh
    if not (out / LAST).is_dir():
        raise ValueError(f"{out}: no checkpoint to resume ({out / LAST} is missing)")
    saved = json.loads((out / "config.json").read_text())
    if cfg.init is None:
        cfg = dataclasses.replace(cfg, init=saved.get("init"))
    diff = [k for k in FIXED if saved.get(k) != _jsonable(cfg).get(k)]
    if diff:
        raise ValueError(f"--resume: --{diff[0].replace('_', '-')} differs from the run in {out} "
                         f"({saved.get(diff[0])!r}); pass the same flags")  # fmt: skip
    opt_state, state = read_training_state(out / LAST)
    return cfg, load_policy(out / LAST, device), opt_state, state


def train(cfg: GRPOConfig, say=print, progress=None, command: str = "") -> Path:
    """Run GRPO as `cfg` says; returns the run directory. `say` prints a line (exams),
    `progress(text, step)` updates a progress display; `command` is recorded in the report."""
    rank, world = dist_setup()
    lead = rank == 0
    if cfg.prompts_per_step % world:
        raise ValueError(f"--prompts-per-step {cfg.prompts_per_step} must be a multiple of the {world} ranks")
    device = _device()
    # 1. Everything that can fail on bad input, before anything is written.
    cfg, policy, opt_state, state = _start(cfg, device)
    state["done"] = None  # a resumed run ends for its own reason (more steps, more minutes)
    ref = load_policy(cfg.init, device).frozen_copy() if cfg.beta > 0 else None
    options = form_options(policy.form)  # problems made as the policy's textbook made them
    source = PromptSource(cfg.level, cfg.tasks, cfg.seed, cfg.data, state["data"], options)
    exam = exam_items(cfg.level, cfg.tasks, cfg.exam_size, cfg.data, options)
    exam_tokens = cfg.exam_max_tokens or cfg.max_new_tokens
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    if lead:
        say(f"training in {resolve_precision(cfg.precision, device)} on {device.type} (--precision {cfg.precision})")
    if lead and not cfg.resume:
        tmp = out / ".config.json.tmp"
        tmp.write_text(json.dumps({**_jsonable(cfg), "command": command, "world": world, "form": policy.form,
                                   "system": policy.system}, indent=2))  # fmt: skip
        os.replace(tmp, out / "config.json")
    # 2. The optimizer (its saved state on resume) and DDP.
    optimizer = torch.optim.AdamW(policy.model.parameters(), lr=cfg.lr, weight_decay=0.0)
    if opt_state:
        optimizer.load_state_dict(opt_state)
    net = torch.nn.parallel.DistributedDataParallel(
        policy.model, device_ids=[device] if device.type == "cuda" else None) if world > 1 else None
    metrics = Metrics(out / METRICS, state["metrics_lines"], lead)
    t0 = time.monotonic() - state["wall"]

    def sit() -> None:
        for s in sit_exam(policy, exam, exam_tokens, rank, world):
            metrics.write(event="exam", step=state["step"], wall=time.monotonic() - t0, level=s.level,
                          task=s.task, n=s.n, score=s.score, low=s.low, high=s.high)  # fmt: skip
            say(f"exam step {state['step']:>5} {s.level:<9} {s.task:<26} {s.score:6.1%} "
                f"[{s.low:.2f}, {s.high:.2f}] n={s.n}")  # fmt: skip
        state["exam_steps"].append(state["step"])

    def save(name: str) -> None:
        state["wall"], state["metrics_lines"] = time.monotonic() - t0, metrics.lines
        if lead:
            policy.save(out / name, optimizer if name == LAST else None, dict(state))

    # 3. The exam before any update, then steps until --steps or --max-minutes.
    if not state["exam_steps"]:
        sit()
        save(LAST)
    per_rank = cfg.prompts_per_step // world
    while state["step"] < cfg.steps:
        out_of_time = bool(cfg.max_minutes) and time.monotonic() - t0 > cfg.max_minutes * 60
        if world > 1 and cfg.max_minutes:  # rank 0's clock decides, so no rank steps alone
            flag = torch.tensor([float(out_of_time)], device=device)
            dist.broadcast(flag, 0)
            out_of_time = bool(flag.item())
        if out_of_time:
            state["done"] = "time"
            break
        problems = source.take(cfg.prompts_per_step)[rank * per_rank:(rank + 1) * per_rank]
        row = grpo_step(policy, ref, optimizer, problems, cfg, step=state["step"],
                        first_prompt=rank * per_rank, net=net, world=world)  # fmt: skip
        state["step"] += 1
        state["data"] = source.position()
        metrics.write(event="train", step=state["step"], wall=time.monotonic() - t0, **row)
        if progress:
            progress(f"step {state['step']}/{cfg.steps} reward {row['reward']:.3f} "
                     f"len {row['completions/mean_length']:.0f} {row['step_time']:.1f} s/step", state["step"])  # fmt: skip
        if cfg.exam_every and state["step"] % cfg.exam_every == 0 and state["step"] < cfg.steps:
            sit()
        if state["step"] % cfg.checkpoint_every == 0:
            save(LAST)
    # 4. The exam after the last update, the final policy and the report.
    if state["exam_steps"][-1] != state["step"]:
        sit()
    state["done"] = state["done"] or "steps"
    save(LAST)
    if lead:
        save(FINAL)
        metrics.f.close()
        write_report(out, state)
    return out
