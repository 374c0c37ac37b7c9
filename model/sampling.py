"""Batched generation with the KV cache, and per-token log-probs of given sequences.

`generate` returns each sampled token with its log-prob under the distribution it was
drawn from (after temperature, top-k and top-p): what GRPO's ratio needs. `score` is the
stateless teacher-forced pass (the reference and old-policy log-probs of GRPO).
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from model.model import KVCache, Transformer


@dataclass(frozen=True)
class SamplingConfig:
    """How to pick tokens. temperature 0 is greedy. A sequence finishes at a token of
    `stop_ids` or when its text ends with one of `stop_strings` (needs a tokenizer)."""

    max_new_tokens: int = 256
    temperature: float = 1.0
    top_k: int = 0  # 0: no top-k cut
    top_p: float = 1.0  # 1: no nucleus cut
    stop_ids: tuple[int, ...] = ()
    stop_strings: tuple[str, ...] = ()
    pad_id: int = 0
    compile: bool = False  # torch.compile the decoding step (once per model; ~30 s on a CPU)

    def __post_init__(self) -> None:
        if self.max_new_tokens < 1:
            raise ValueError(f"max_new_tokens must be at least 1, got {self.max_new_tokens}")
        if self.temperature < 0:
            raise ValueError(f"temperature must be >= 0 (0 is greedy), got {self.temperature}")
        if self.top_k < 0:
            raise ValueError(f"top_k must be >= 0 (0 turns it off), got {self.top_k}")
        if not 0 < self.top_p <= 1:
            raise ValueError(f"top_p must lie in (0, 1], got {self.top_p}")


# One compiled decoding step per model, kept while the model lives.
_COMPILED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _decoder(model: Transformer, compile: bool):
    """The callable that runs a decoding step: the model, or its compiled form. Shapes
    change with the cache length at every step, hence dynamic shapes."""
    if not compile:
        return model
    if model not in _COMPILED:
        _COMPILED[model] = torch.compile(model, dynamic=True)
    return _COMPILED[model]


@dataclass
class Generation:
    """What `generate` returns. Positions after a sequence finished hold pad_id and log-prob 0."""

    tokens: torch.Tensor  # (B, N) generated tokens, the stop token included
    logprobs: torch.Tensor  # (B, N) float32 log-prob of each token where it was sampled
    lengths: torch.Tensor  # (B,) tokens generated per sequence
    finished: torch.Tensor  # (B,) True if a stop token/string ended it (not the budget)


def left_pad(prompts: Sequence[Sequence[int]] | torch.Tensor, attention_mask: torch.Tensor | None,
             pad_id: int) -> tuple[torch.Tensor, torch.Tensor]:  # fmt: skip
    """Prompts as one left-padded batch (B, P) and its mask. A tensor batch may be padded on
    either side: its mask says which tokens are real."""
    if isinstance(prompts, torch.Tensor):
        mask = torch.ones_like(prompts) if attention_mask is None else attention_mask
        rows = [p[m.bool()].tolist() for p, m in zip(prompts, mask, strict=True)]
    else:
        rows = [list(p) for p in prompts]
    if not rows or any(len(r) == 0 for r in rows):
        raise ValueError("every prompt needs at least one token")
    width = max(len(r) for r in rows)
    tokens = torch.tensor([[pad_id] * (width - len(r)) + r for r in rows], dtype=torch.long)
    mask = torch.tensor([[0] * (width - len(r)) + [1] * len(r) for r in rows], dtype=torch.long)
    return tokens, mask


def sample_logits(logits: torch.Tensor, cfg: SamplingConfig,
                  generator: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor]:  # fmt: skip
    """One token per row of logits (B, V) and its log-prob under the distribution it was
    drawn from; greedy reports the log-prob under the plain (temperature 1) distribution."""
    logits = logits.float()
    if cfg.temperature == 0:
        token = logits.argmax(dim=-1, keepdim=True)  # (B, 1)
        return token.squeeze(1), logits.log_softmax(-1).gather(1, token).squeeze(1)
    logits = logits / cfg.temperature
    if cfg.top_k and cfg.top_k < logits.shape[-1]:
        kth = logits.topk(cfg.top_k, dim=-1).values[:, -1:]  # (B, 1)
        logits = logits.masked_fill(logits < kth, float("-inf"))
    if cfg.top_p < 1:
        sorted_logits, idx = logits.sort(dim=-1, descending=True)  # (B, V) each
        cum = sorted_logits.softmax(-1).cumsum(-1)
        # Drop a token when the tokens before it already hold top_p; the first always stays.
        drop = (cum - sorted_logits.softmax(-1)) >= cfg.top_p
        logits = logits.masked_fill(drop.scatter(1, idx, drop), float("-inf"))
    logp = logits.log_softmax(-1)  # (B, V)
    token = torch.multinomial(logp.exp(), 1, generator=generator)  # (B, 1)
    return token.squeeze(1), logp.gather(1, token).squeeze(1)


def _stop_setup(cfg: SamplingConfig, tokenizer) -> tuple[torch.Tensor, tuple[str, ...]]:
    """Stop ids, with each stop string that is a single token turned into its id; the
    strings left over are checked on decoded text."""
    ids, strings = list(cfg.stop_ids), []
    for s in cfg.stop_strings:
        if tokenizer is None:
            raise ValueError("stop_strings need a tokenizer to decode with")
        enc = tokenizer.encode(s, add_special_tokens=False)
        if len(enc) == 1 and tokenizer.decode(enc) == s:
            ids.append(enc[0])
        else:
            strings.append(s)
    return torch.tensor(sorted(set(ids)), dtype=torch.long), tuple(strings)


@torch.inference_mode()
def generate(model: Transformer, prompts: Sequence[Sequence[int]] | torch.Tensor,
             cfg: SamplingConfig, attention_mask: torch.Tensor | None = None,
             generator: torch.Generator | None = None, tokenizer=None) -> Generation:  # fmt: skip
    """Continue every prompt by up to `cfg.max_new_tokens` tokens, all in one batch.

    Prompts of unequal length are left-padded inside (a padded tensor may come padded on
    either side, with its attention_mask); positions count from each prompt's first real
    token, so a padded prompt continues exactly as it would alone. The model's train/eval
    mode is left as it is: nothing in the model depends on it.
    """
    device = model.embed.weight.device
    tokens, mask = left_pad(prompts, attention_mask, cfg.pad_id)
    tokens, mask = tokens.to(device), mask.to(device)
    B, P = tokens.shape
    N = cfg.max_new_tokens
    padded = bool((mask == 0).any())
    stop_ids, stop_strings = _stop_setup(cfg, tokenizer)
    stop_ids = stop_ids.to(device)
    can_stop = bool(len(stop_ids) or stop_strings)
    # Keys leave RoPE in the residual stream's dtype (the parameters'), autocast or not.
    cache = KVCache(model.cfg, B, P + N, model.embed.weight.dtype, device)
    full_mask = torch.cat([mask, torch.ones(B, N, dtype=mask.dtype, device=device)], dim=1)  # (B, P+N)
    positions = (mask.cumsum(-1) - 1).clamp(min=0)  # (B, P)
    next_pos = positions[:, -1:] + 1  # (B, 1)

    out = torch.full((B, N), cfg.pad_id, dtype=torch.long, device=device)
    out_logp = torch.zeros(B, N, dtype=torch.float32, device=device)
    done = torch.zeros(B, dtype=torch.bool, device=device)
    lengths = torch.zeros(B, dtype=torch.long, device=device)
    logits = model(tokens, positions if padded else None, full_mask if padded else None, cache,
                   last_only=True)  # fmt: skip
    step_model = _decoder(model, cfg.compile)
    for t in range(N):
        token, logp = sample_logits(logits[:, -1], cfg, generator)  # (B,), (B,)
        if can_stop:  # without stops nothing finishes early: skip the bookkeeping
            token = token.masked_fill(done, cfg.pad_id)
            logp = logp.masked_fill(done, 0.0)
            lengths += ~done
        out[:, t] = token
        out_logp[:, t] = logp
        if len(stop_ids):
            done |= torch.isin(token, stop_ids)
        if stop_strings:
            for b in (~done).nonzero().flatten().tolist():
                text = tokenizer.decode(out[b, : t + 1].tolist(), skip_special_tokens=False)
                if text.endswith(stop_strings):
                    done[b] = True
        if t == N - 1 or (can_stop and bool(done.all())):
            break
        step = token[:, None]  # (B, 1)
        if padded:
            logits = step_model(step, next_pos, full_mask, cache)
            next_pos = next_pos + 1
        else:
            logits = step_model(step, None, None, cache)
    if not can_stop:
        lengths.fill_(t + 1)
    width = int(lengths.max())
    return Generation(out[:, :width], out_logp[:, :width], lengths, done)


def score(model: Transformer, tokens: torch.Tensor,
          attention_mask: torch.Tensor | None = None) -> torch.Tensor:  # fmt: skip
    """Log-prob (B, T-1) of each token given the ones before it, for a batch (B, T). Entries
    whose target is padding, or which predict a sequence's first token from padding, are 0
    (padding may be on either side). Runs under the caller's grad mode."""
    if attention_mask is None:
        logits = model(tokens)  # (B, T, V)
    else:
        positions = (attention_mask.cumsum(-1) - 1).clamp(min=0)  # (B, T)
        logits = model(tokens, positions, attention_mask)
    logp = F.log_softmax(logits[:, :-1].float(), dim=-1)  # (B, T-1, V)
    out = logp.gather(-1, tokens[:, 1:, None]).squeeze(-1)  # (B, T-1)
    if attention_mask is not None:
        out = out * (attention_mask[:, 1:] * attention_mask[:, :-1])
    return out
