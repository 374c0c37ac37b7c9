"""Rollouts: G completions per prompt, sampled with the policy's KV cache, with the log-prob
of every sampled token under the distribution it was drawn from.

Every row draws its noise from its own generator, seeded by the caller (GRPO seeds it by
(seed, step, prompt index, completion index)), and picks its token by the Gumbel-max rule:
so a row's completion does not depend on which other rows share its batch, and the same
prompt samples the same completions on one process or on any rank of several.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch

from model.sampling import left_pad
from rl.policy import Policy

NOISE_CHUNK = 32  # decoding steps of noise drawn at once per row (one call per row per chunk)


@dataclass(frozen=True)
class SamplingConfig:
    """How completions are drawn. temperature 0 is greedy (exams)."""

    max_new_tokens: int = 256
    temperature: float = 1.0
    top_p: float = 1.0

    def __post_init__(self) -> None:
        if self.max_new_tokens < 1:
            raise ValueError(f"--max-new-tokens must be at least 1, got {self.max_new_tokens}")
        if self.temperature < 0:
            raise ValueError(f"--temperature must be >= 0, got {self.temperature}")
        if not 0 < self.top_p <= 1:
            raise ValueError(f"--top-p must lie in (0, 1], got {self.top_p}")


@dataclass
class Rollouts:
    """A batch of B = prompts x G completions; rows of one prompt are consecutive."""

    tokens: torch.Tensor  # (B, P+C) left-padded prompt, then the completion right-padded
    attention_mask: torch.Tensor  # (B, P+C) 1 on real tokens (the completion's EOS included)
    completion_mask: torch.Tensor  # (B, C) float, 1 on completion tokens incl. the EOS
    old_logps: torch.Tensor  # (B, C) the sampler's log-probs (0 past a completion's end)
    lengths: torch.Tensor  # (B,) completion tokens, the EOS included
    truncated: torch.Tensor  # (B,) bool: the token budget ended it, not an EOS
    texts: list[str]  # decoded completions, special tokens kept, EOS/PAD dropped
    prompt_width: int  # P

    @property
    def completion_ids(self) -> torch.Tensor:
        return self.tokens[:, self.prompt_width:]  # (B, C)


def sampling_logps(logits: torch.Tensor, temperature: float, top_p: float) -> torch.Tensor:
    """Log-probs (B, V) of the distribution tokens are drawn from: logits / temperature, the
    nucleus cut at top_p (tokens outside it at -inf). Temperature 0 means the plain softmax."""
    logits = logits.float()
    if temperature > 0:
        logits = logits / temperature
    if top_p < 1:
        sorted_logits, idx = logits.sort(dim=-1, descending=True)  # (B, V) each
        probs = sorted_logits.softmax(-1)
        # Drop a token when the ones before it already hold top_p; the first always stays.
        drop = (probs.cumsum(-1) - probs) >= top_p
        logits = logits.masked_fill(drop.scatter(1, idx, drop), float("-inf"))
    return logits.log_softmax(-1)


@torch.no_grad()
def sample(policy: Policy, prompt_ids: Sequence[Sequence[int]], sampling: SamplingConfig,
           seeds: Sequence[int] | None = None) -> Rollouts:  # fmt: skip
    """Continue each prompt once (one row each); `seeds` (one per row) make each row's draw
    independent of the batch. Stops a row at EOS; all rows at the budget or when all stopped."""
    device = policy.device
    tokens, mask = left_pad(prompt_ids, None, policy.pad_id)
    tokens, mask = tokens.to(device), mask.to(device)
    B, P = tokens.shape
    N = min(sampling.max_new_tokens, policy.max_len - P)
    if N < 1:
        raise ValueError(f"a prompt of {P} tokens leaves no room in the model's {policy.max_len} positions")
    greedy = sampling.temperature == 0
    if not greedy and (seeds is None or len(seeds) != B):
        raise ValueError("sampling needs one seed per row")
    gens = [] if greedy else [torch.Generator().manual_seed(int(s)) for s in seeds]
    out = torch.full((B, N), policy.pad_id, dtype=torch.long, device=device)
    out_logp = torch.zeros(B, N, device=device)
    done = torch.zeros(B, dtype=torch.bool, device=device)
    lengths = torch.zeros(B, dtype=torch.long, device=device)
    rows = torch.arange(B, device=device)  # the original row of each row still decoding
    logits, state = policy.prefill(tokens, mask, N)
    noise = None
    for t in range(N):
        logp = sampling_logps(logits, sampling.temperature, sampling.top_p)  # (b, V)
        if greedy:
            token = logp.argmax(-1)
        else:
            if t % NOISE_CHUNK == 0:  # Gumbel noise for the next steps, from each row's generator
                steps = min(NOISE_CHUNK, N - t)
                u = torch.stack([torch.rand(steps, logp.shape[-1], generator=gens[r]) for r in rows.tolist()])
                noise = -(-u.clamp(min=1e-12).log()).log().to(device)  # (b, steps, V)
            token = (logp + noise[:, t % NOISE_CHUNK]).argmax(-1)  # Gumbel-max: a draw from exp(logp)
        token_logp = logp.gather(1, token[:, None]).squeeze(1)
        idle = done[rows]  # rows that stopped before this step and still sit in the batch
        token = token.masked_fill(idle, policy.pad_id)
        writing = rows[~idle]
        out[writing, t] = token[~idle]
        out_logp[writing, t] = token_logp[~idle]
        lengths[writing] += 1
        done[rows] |= token == policy.eos_id
        if t == N - 1 or bool(done.all()):
            break
        # Stopped rows leave the batch (their cache too) once they are a quarter of it: a step
        # then costs what the rows still writing need, not what the longest one needs.
        finished = done[rows]
        if int(finished.sum()) * 4 >= len(rows):
            live = (~finished).nonzero().flatten()
            policy.select_rows(state, live)
            rows, token = rows[live], token[live]
            if noise is not None:
                noise = noise[live]
        logits = policy.decode_step(token, state)
    width = max(1, int(lengths.max()))
    comp = out[:, :width]
    comp_mask = (torch.arange(width, device=device)[None] < lengths[:, None]).float()  # (B, C)
    texts = [policy.decode(comp[b, : int(lengths[b])].tolist()) for b in range(B)]
    return Rollouts(
        tokens=torch.cat([tokens, comp], dim=1),
        attention_mask=torch.cat([mask, comp_mask.long()], dim=1),
        completion_mask=comp_mask, old_logps=out_logp[:, :width], lengths=lengths,
        truncated=~done, texts=texts, prompt_width=P,
    )  # fmt: skip


def rollout(policy: Policy, prompts: Sequence[str], group_size: int, sampling: SamplingConfig,
            seeds: Sequence[int] | None = None) -> Rollouts:  # fmt: skip
    """G = `group_size` completions of every prompt (rows of a prompt consecutive); `seeds`
    one per row (len(prompts) * G), default 0, 1, 2, ..."""
    ids = [policy.encode_prompt(p) for p in prompts]
    rows = [i for i in ids for _ in range(group_size)]
    return sample(policy, rows, sampling, list(seeds) if seeds is not None else list(range(len(rows))))


def greedy_texts(policy: Policy, prompts: Sequence[str], max_new_tokens: int,
                 batch_size: int = 32) -> list[str]:  # fmt: skip
    """Each prompt's greedy completion (exams)."""
    texts: list[str] = []
    cfg = SamplingConfig(max_new_tokens=max_new_tokens, temperature=0)
    for start in range(0, len(prompts), batch_size):
        ids = [policy.encode_prompt(p) for p in prompts[start:start + batch_size]]
        texts += sample(policy, ids, cfg).texts
    return texts
