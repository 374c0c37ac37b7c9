"""GRPO's loss, its advantages and DAPO's sample shaping, as plain functions on tensors.

The definitions are TRL's `GRPOTrainer` ones, so a run here and a run there mean the same
thing by `loss_type`, `scale_rewards`, `epsilon_low`/`epsilon_high`, `beta` and the logged
`kl` and `clip_ratio/*`:

- advantage of a completion: its reward minus its group's mean, divided (`scale_rewards`)
  by the group's std, the whole batch's std, or nothing; std with Bessel's correction,
  plus 1e-4 so a group whose rewards all agree gets advantage 0, not NaN;
- per token: ratio r = exp(logp - old_logp), loss -min(r*A, clip(r, 1-eps_low, 1+eps_high)*A)
  plus beta times the k3 estimate of KL(policy || reference), exp(d) - d - 1 with
  d = ref_logp - logp;
- the token losses are reduced by `loss_type`: `grpo` averages each sequence over its own
  tokens and then the sequences (long completions weigh less per token), `bnpo` divides
  the sum by this batch's token count, `dr_grpo` by batch size times the maximum completion
  length (a constant, so no length bias), `dapo` by the token count of the whole
  generation batch across ranks and accumulation steps (`num_items_in_batch`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor

LOSS_TYPES = ("grpo", "bnpo", "dr_grpo", "dapo")
SCALE_REWARDS = ("group", "batch", "none")


@dataclass(frozen=True)
class LossConfig:
    """The loss options of a GRPO run (TRL's names and defaults where TRL has them)."""

    loss_type: str = "dapo"
    epsilon_low: float = 0.2
    epsilon_high: float = 0.28
    beta: float = 0.0  # KL weight (k3 estimator); 0 = no reference model needed
    scale_rewards: str = "group"
    max_completion_length: int = 256  # dr_grpo's constant normaliser
    mask_truncated: bool = False  # truncated completions get no loss

    def __post_init__(self) -> None:
        if self.loss_type not in LOSS_TYPES:
            raise ValueError(f"loss_type must be one of {', '.join(LOSS_TYPES)}; got {self.loss_type!r}")
        if self.scale_rewards not in SCALE_REWARDS:
            raise ValueError(
                f"scale_rewards must be one of {', '.join(SCALE_REWARDS)}; got {self.scale_rewards!r}"
            )
        if not (math.isfinite(self.epsilon_low) and 0 <= self.epsilon_low < 1):
            raise ValueError(f"epsilon_low must lie in [0, 1) so 1 - epsilon_low stays positive; got {self.epsilon_low}")
        if not (math.isfinite(self.epsilon_high) and self.epsilon_high >= 0):
            raise ValueError(f"epsilon_high must be a finite number >= 0; got {self.epsilon_high}")
        if not (math.isfinite(self.beta) and self.beta >= 0):
            raise ValueError(f"beta must be a finite number >= 0 (0 turns the KL term off); got {self.beta}")
        if isinstance(self.max_completion_length, bool) or not isinstance(self.max_completion_length, int) \
                or self.max_completion_length < 1:
            raise ValueError(
                f"max_completion_length must be a whole number >= 1; got {self.max_completion_length!r}"
            )
        if not isinstance(self.mask_truncated, bool):
            raise ValueError(f"mask_truncated must be True or False; got {self.mask_truncated!r}")


def _grouped(rewards: Tensor, group_size: int) -> Tensor:
    """(B,) -> (n_groups, group_size), checking the shapes agree."""
    if rewards.dim() != 1:
        raise ValueError(f"rewards must be 1-D (one per completion); got shape {tuple(rewards.shape)}")
    if group_size < 1 or rewards.numel() % group_size:
        raise ValueError(f"{rewards.numel()} rewards do not split into groups of {group_size}")
    return rewards.view(-1, group_size)


def group_advantages(rewards: Tensor, group_size: int, scale_rewards: str, eps: float = 1e-4) -> Tensor:
    """Advantages (B,) of rewards (B,) whose consecutive runs of `group_size` are one prompt's group.

    The baseline is always the group mean. `scale_rewards` "group" divides by the group's
    std, "batch" by the std of all B rewards (TRL's choice: group means still subtracted),
    "none" does not divide (Dr. GRPO). A group whose rewards all agree gets exactly 0.
    """
    if scale_rewards not in SCALE_REWARDS:
        raise ValueError(f"scale_rewards must be one of {', '.join(SCALE_REWARDS)}; got {scale_rewards!r}")
    grouped = _grouped(rewards, group_size)
    if not torch.isfinite(grouped).all():
        raise ValueError("rewards must be finite numbers (an abstaining reward contributes 0, not NaN)")
    centred = grouped - grouped.mean(dim=1, keepdim=True)
    if scale_rewards == "group":
        std = grouped.std(dim=1, keepdim=True, correction=1) if group_size > 1 else torch.zeros_like(centred)
        centred = centred / (std + eps)
    elif scale_rewards == "batch":
        std = rewards.std(correction=1) if rewards.numel() > 1 else torch.zeros((), dtype=rewards.dtype)
        centred = centred / (std + eps)
    # Rounding in the mean can leave ~1e-17 on a group that agrees; that group has no signal.
    agree = grouped.amax(dim=1, keepdim=True) == grouped.amin(dim=1, keepdim=True)
    return centred.masked_fill(agree, 0.0).reshape(-1)


def dynamic_sampling_keep(rewards: Tensor, group_size: int) -> Tensor:
    """DAPO's dynamic sampling: bool (B,), False on every row of a group whose rewards all agree.

    Such a group has zero advantage everywhere, so it only dilutes the token average.
    """
    grouped = _grouped(rewards, group_size)
    varied = grouped.amax(dim=1) != grouped.amin(dim=1)
    return varied.repeat_interleave(group_size)


def overlong_penalty(lengths: Tensor, max_completion_length: int, cache: int) -> Tensor:
    """DAPO's soft overlong penalty (B,) in [-1, 0] for completion lengths (B,) in tokens.

    0 up to `max_completion_length - cache`, then falling linearly to -1 at
    `max_completion_length`, and -1 beyond it.
    """
    if max_completion_length < 1:
        raise ValueError(f"max_completion_length must be >= 1; got {max_completion_length}")
    if not 1 <= cache <= max_completion_length:
        raise ValueError(f"the overlong cache must lie in [1, max_completion_length={max_completion_length}]; got {cache}")
    start = max_completion_length - cache
    over = (lengths.to(torch.float32) - start) / cache
    return -over.clamp(min=0.0, max=1.0)


def truncation_mask(mask: Tensor, truncated: Tensor) -> Tensor:
    """The completion mask (B,T) with the rows of truncated completions (bool (B,)) zeroed."""
    if truncated.shape != mask.shape[:1]:
        raise ValueError(f"truncated must have shape ({mask.shape[0]},); got {tuple(truncated.shape)}")
    return mask * (~truncated.bool()).unsqueeze(1).to(mask.dtype)


# Elements of logits handled at once: bounds the float32 temporaries to about 64 MiB.
_CHUNK_ELEMENTS = 1 << 24


def _chunks(logits: Tensor):
    """Slices over (batch, time) whose logits hold at most about _CHUNK_ELEMENTS values."""
    batch, time, vocab = logits.shape
    per_step = max(1, _CHUNK_ELEMENTS // vocab)
    if time <= per_step:
        rows = max(1, per_step // max(time, 1))
        for b in range(0, batch, rows):
            yield slice(b, b + rows), slice(0, time)
    else:
        for b in range(batch):
            for t in range(0, time, per_step):
                yield slice(b, b + 1), slice(t, t + per_step)


def _scaled(chunk: Tensor, wide: torch.dtype, temperature: float) -> Tensor:
    """A chunk of logits in the math dtype, divided by the temperature (no copy when neither applies)."""
    chunk = chunk.to(wide)
    return chunk if temperature == 1.0 else chunk / temperature


class _TokenLogProb(torch.autograd.Function):
    """log softmax(logits / temperature)[target], chunk by chunk in float32 (or float64).

    Saves only the logits (already alive), so neither pass keeps a second (B,T,V) tensor
    beyond one chunk's temporaries (the gradient itself excepted); the backward pass
    recomputes each chunk's softmax instead.
    """

    @staticmethod
    def forward(ctx, logits: Tensor, targets: Tensor, temperature: float) -> Tensor:
        wide = torch.promote_types(logits.dtype, torch.float32)  # bf16/fp16 math in float32
        out = torch.empty(logits.shape[:2], dtype=wide, device=logits.device)
        for rows, steps in _chunks(logits):
            log_probs = torch.log_softmax(_scaled(logits[rows, steps], wide, temperature), dim=-1)
            out[rows, steps] = log_probs.gather(-1, targets[rows, steps].unsqueeze(-1)).squeeze(-1)
        ctx.save_for_backward(logits, targets)
        ctx.temperature = temperature
        return out

    @staticmethod
    def backward(ctx, grad: Tensor):
        logits, targets = ctx.saved_tensors
        temperature = ctx.temperature
        wide = torch.promote_types(logits.dtype, torch.float32)
        grad_logits = torch.empty_like(logits)
        for rows, steps in _chunks(logits):
            g = grad[rows, steps].to(wide).unsqueeze(-1) / temperature  # (b,t,1)
            part = torch.softmax(_scaled(logits[rows, steps], wide, temperature), dim=-1)
            part.mul_(-g)  # d(-log normaliser)/d logit = -softmax
            part.scatter_add_(-1, targets[rows, steps].unsqueeze(-1), g)  # d(target logit)/d logit
            grad_logits[rows, steps] = part
        return grad_logits, None, None


def per_token_logps(logits: Tensor, targets: Tensor, temperature: float = 1.0) -> Tensor:
    """Log-probability (B,T) of each target token (B,T) under logits (B,T,V), in float32
    (float64 for float64 logits).

    Memory-lean: no log_softmax copy of the logits is made or kept for backward. Pass the
    sampler's temperature so the ratio to the sampler's log-probs starts at 1.
    """
    if logits.dim() != 3 or targets.shape != logits.shape[:2]:
        raise ValueError(
            f"logits must be (B,T,V) and targets (B,T); got {tuple(logits.shape)} and {tuple(targets.shape)}"
        )
    if not temperature > 0:
        raise ValueError(f"temperature must be > 0; got {temperature}")
    return _TokenLogProb.apply(logits, targets.long(), float(temperature))


def policy_loss(
    logps: Tensor,
    old_logps: Tensor,
    ref_logps: Tensor | None,
    advantages: Tensor,
    mask: Tensor,
    cfg: LossConfig,
    num_items_in_batch: float | Tensor | None = None,
) -> tuple[Tensor, dict[str, float]]:
    """The clipped GRPO loss (a scalar to minimise) and its metrics under TRL's names.

    logps, old_logps, ref_logps and mask are (B,T) over completion tokens (ref_logps only
    when cfg.beta > 0; mask 1 on tokens that count), advantages (B,). For `dapo`,
    `num_items_in_batch` is the completion-token count of the whole generation batch
    (all ranks, all accumulation steps); None means this batch's mask.sum(). Metrics are
    means over this batch's counted tokens: "clip_ratio/low_mean" (ratio below the band
    with A < 0), "clip_ratio/high_mean" (above it with A > 0), "clip_ratio/region_mean"
    (either), and "kl" (only when beta > 0).
    """
    if logps.dim() != 2 or old_logps.shape != logps.shape or mask.shape != logps.shape:
        raise ValueError(
            f"logps, old_logps and mask must share one (B,T) shape; got {tuple(logps.shape)}, "
            f"{tuple(old_logps.shape)}, {tuple(mask.shape)}"
        )
    if advantages.shape != logps.shape[:1]:
        raise ValueError(f"advantages must have shape ({logps.shape[0]},); got {tuple(advantages.shape)}")
    if cfg.beta > 0 and (ref_logps is None or ref_logps.shape != logps.shape):
        raise ValueError("beta > 0 needs ref_logps of the same (B,T) shape as logps (or set beta to 0)")

    mask = mask.to(logps.dtype)
    adv = advantages.to(logps.dtype).unsqueeze(1)  # (B,1), broadcast over tokens
    ratio = torch.exp(logps - old_logps)
    clipped = ratio.clamp(1 - cfg.epsilon_low, 1 + cfg.epsilon_high)
    per_token = -torch.minimum(ratio * adv, clipped * adv)
    if cfg.beta > 0:
        d = ref_logps - logps
        kl = torch.exp(d) - d - 1  # k3: unbiased for KL(policy || ref) and never negative
        per_token = per_token + cfg.beta * kl

    summed = per_token * mask
    if cfg.loss_type == "grpo":
        loss = (summed.sum(dim=1) / mask.sum(dim=1).clamp(min=1.0)).mean()
    elif cfg.loss_type == "bnpo":
        loss = summed.sum() / mask.sum().clamp(min=1.0)
    elif cfg.loss_type == "dr_grpo":
        loss = summed.sum() / (logps.shape[0] * cfg.max_completion_length)
    else:  # dapo
        tokens = mask.sum() if num_items_in_batch is None else torch.as_tensor(num_items_in_batch)
        loss = summed.sum() / tokens.to(summed.dtype).clamp(min=1.0)

    with torch.no_grad():
        count = mask.sum().clamp(min=1.0)
        low = (ratio < 1 - cfg.epsilon_low) & (adv < 0)
        high = (ratio > 1 + cfg.epsilon_high) & (adv > 0)
        values = [(low * mask).sum(), (high * mask).sum(), ((low | high) * mask).sum()]
        if cfg.beta > 0:
            values.append((kl * mask).sum())
        means = (torch.stack(values) / count).tolist()  # one device sync for all metrics
    metrics = {
        "clip_ratio/low_mean": means[0],
        "clip_ratio/high_mean": means[1],
        "clip_ratio/region_mean": means[2],
    }
    if cfg.beta > 0:
        metrics["kl"] = means[3]
    return loss, metrics
