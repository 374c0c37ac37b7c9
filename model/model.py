"""A decoder-only transformer in one file: RoPE, grouped-query attention, RMSNorm, SwiGLU,
optional QK-norm, tied embeddings and a mixture-of-experts feed-forward, with a KV cache.

The math matches Hugging Face's Llama (dense) and Mixtral / Qwen3 (MoE, QK-norm) exactly,
so `model.hf` can export and import weights; only the storage differs: q/k/v are one fused
projection and so are gate/up, which saves kernel launches on a CPU.

Shapes: B batch, T new positions, L cached + new positions, D model width, H query heads,
K key/value heads, Hd head width, E experts, F feed-forward width, V vocabulary.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn


@dataclass(frozen=True)
class ModelConfig:
    """The shape of a model. `n_experts == 0` is a dense feed-forward."""

    vocab_size: int = 2048
    dim: int = 256
    n_layers: int = 6
    n_heads: int = 8
    n_kv_heads: int = 4
    ffn_dim: int = 640
    max_seq_len: int = 1024
    rope_theta: float = 10000.0
    norm_eps: float = 1e-5
    tie_embeddings: bool = True
    qk_norm: bool = False
    n_experts: int = 0
    top_k: int = 2

    def __post_init__(self) -> None:
        for name in ("vocab_size", "dim", "n_layers", "n_heads", "n_kv_heads", "ffn_dim",
                     "max_seq_len"):  # fmt: skip
            if getattr(self, name) < 1:
                raise ValueError(f"model config: {name} must be at least 1, got {getattr(self, name)}")
        if self.dim % self.n_heads:
            raise ValueError(f"model config: dim {self.dim} must be a multiple of n_heads {self.n_heads}")
        if self.n_heads % self.n_kv_heads:
            raise ValueError(
                f"model config: n_heads {self.n_heads} must be a multiple of n_kv_heads {self.n_kv_heads}"
            )
        if self.head_dim % 2:
            raise ValueError(f"model config: head width {self.head_dim} must be even for RoPE")
        if self.n_experts < 0 or self.n_experts == 1:
            raise ValueError(f"model config: n_experts must be 0 (dense) or at least 2, got {self.n_experts}")
        if self.n_experts and not 1 <= self.top_k <= self.n_experts:
            raise ValueError(f"model config: top_k must lie in [1, n_experts], got {self.top_k}")
        if self.rope_theta <= 0 or self.norm_eps <= 0:
            raise ValueError("model config: rope_theta and norm_eps must be > 0")

    @property
    def head_dim(self) -> int:
        return self.dim // self.n_heads

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> ModelConfig:
        """A config from JSON; unknown keys are an error (a file from another program)."""
        unknown = sorted(set(d) - {f.name for f in dataclasses.fields(cls)})
        if unknown:
            raise ValueError(f"model config: unknown key(s) {unknown}")
        return cls(**d)


# The sizes we use. `small` is the CPU default; all take vocab_size from the tokenizer.
PRESETS: dict[str, ModelConfig] = {
    "tiny": ModelConfig(dim=128, n_layers=4, n_heads=4, n_kv_heads=2, ffn_dim=384, max_seq_len=512),
    "small": ModelConfig(dim=256, n_layers=6, n_heads=8, n_kv_heads=4, ffn_dim=640),
    "base": ModelConfig(dim=512, n_layers=8, n_heads=8, n_kv_heads=4, ffn_dim=1408, max_seq_len=2048),
    "large": ModelConfig(dim=768, n_layers=16, n_heads=12, n_kv_heads=4, ffn_dim=2048, max_seq_len=4096),
}


def preset(name: str, **overrides) -> ModelConfig:
    """A preset with `overrides` applied (e.g. vocab_size from the tokenizer)."""
    if name not in PRESETS:
        raise ValueError(f"unknown model preset {name!r}; choose one of: {', '.join(PRESETS)}")
    return dataclasses.replace(PRESETS[name], **overrides)


def rms_norm(x: torch.Tensor, weight: torch.Tensor, eps: float) -> torch.Tensor:
    """RMSNorm computed in float32 and cast back, as Llama does (bf16 stays stable)."""
    if x.dtype == torch.float32:
        return F.rms_norm(x, weight.shape, weight, eps)
    return (weight * F.rms_norm(x.float(), weight.shape, None, eps).to(x.dtype))


class RMSNorm(nn.Module):
    def __init__(self, dim: int, eps: float) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return rms_norm(x, self.weight, self.eps)


def rope_tables(cfg: ModelConfig, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    """cos and sin of every position < n, each (n, Hd): the half-split layout of Llama."""
    inv_freq = 1.0 / cfg.rope_theta ** (torch.arange(0, cfg.head_dim, 2, dtype=torch.float32) / cfg.head_dim)
    angles = torch.outer(torch.arange(n, dtype=torch.float32), inv_freq)  # (n, Hd/2)
    angles = torch.cat([angles, angles], dim=-1)  # (n, Hd)
    return angles.cos(), angles.sin()


def apply_rope(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    """Rotate x (B, T, heads, Hd) by position; cos/sin broadcast as (B or 1, T, 1, Hd)."""
    half = x.shape[-1] // 2
    rotated = torch.cat([-x[..., half:], x[..., :half]], dim=-1)  # (B, T, heads, Hd)
    return x * cos + rotated * sin


class KVCache:
    """Preallocated keys and values of every layer, (B, K, max_len, Hd) each; `length`
    positions are filled. Generation writes in place, so a step allocates nothing."""

    def __init__(self, cfg: ModelConfig, batch: int, max_len: int, dtype: torch.dtype,
                 device: torch.device | str = "cpu") -> None:  # fmt: skip
        shape = (batch, cfg.n_kv_heads, max_len, cfg.head_dim)
        self.k = [torch.zeros(shape, dtype=dtype, device=device) for _ in range(cfg.n_layers)]
        self.v = [torch.zeros(shape, dtype=dtype, device=device) for _ in range(cfg.n_layers)]
        self.length = 0
        self.max_len = max_len

    def update(self, layer: int, k: torch.Tensor, v: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Store k, v (B, K, T, Hd) at the next positions; return all keys/values so far."""
        start, end = self.length, self.length + k.shape[2]
        if end > self.max_len:
            raise ValueError(f"KV cache holds {self.max_len} positions; {end} needed")
        self.k[layer][:, :, start:end] = k
        self.v[layer][:, :, start:end] = v
        return self.k[layer][:, :, :end], self.v[layer][:, :, :end]  # (B, K, L, Hd)


class Attention(nn.Module):
    def __init__(self, cfg: ModelConfig, layer: int) -> None:
        super().__init__()
        self.cfg, self.layer = cfg, layer
        hd = cfg.head_dim
        self.wqkv = nn.Linear(cfg.dim, (cfg.n_heads + 2 * cfg.n_kv_heads) * hd, bias=False)
        self.wo = nn.Linear(cfg.n_heads * hd, cfg.dim, bias=False)
        if cfg.qk_norm:
            self.q_norm = RMSNorm(hd, cfg.norm_eps)
            self.k_norm = RMSNorm(hd, cfg.norm_eps)

    def forward(self, x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor,
                mask: torch.Tensor | None, cache: KVCache | None) -> torch.Tensor:  # fmt: skip
        cfg = self.cfg
        B, T, _ = x.shape
        H, K, hd = cfg.n_heads, cfg.n_kv_heads, cfg.head_dim
        qkv = self.wqkv(x).view(B, T, H + 2 * K, hd)  # (B, T, H + 2K, Hd)
        qk, v = qkv.split([H + K, K], dim=2)  # (B, T, H + K, Hd), (B, T, K, Hd)
        if cfg.qk_norm:
            q, k = qk.split([H, K], dim=2)
            qk = torch.cat([self.q_norm(q), self.k_norm(k)], dim=2)  # (B, T, H + K, Hd)
        # One rotation for queries and keys together: half the elementwise kernels.
        qk = apply_rope(qk, cos, sin).transpose(1, 2)  # (B, H + K, T, Hd)
        q, k = qk.split([H, K], dim=1)  # (B, H, T, Hd), (B, K, T, Hd)
        v = v.transpose(1, 2)  # (B, K, T, Hd)
        if cache is not None:
            k, v = cache.update(self.layer, k, v)  # (B, K, L, Hd)
        if T == 1:
            # One new token (a decoding step): the G = H/K query heads that share a key head
            # become G queries of it, which is a quarter faster on a CPU than enable_gqa.
            q = q.reshape(B, K, H // K, hd)  # (B, K, G, Hd)
            y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)  # (B, K, G, Hd)
            y = y.reshape(B, H, 1, hd)  # (B, H, 1, Hd)
        else:
            # Causal without a mask only when queries and keys are the same positions.
            causal = mask is None and k.shape[2] == T
            y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, is_causal=causal,
                                               enable_gqa=H != K)  # (B, H, T, Hd)
        return self.wo(y.transpose(1, 2).reshape(B, T, H * hd))  # (B, T, D)


class SwiGLU(nn.Module):
    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        self.w_gate_up = nn.Linear(cfg.dim, 2 * cfg.ffn_dim, bias=False)
        self.w_down = nn.Linear(cfg.ffn_dim, cfg.dim, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        gate, up = self.w_gate_up(x).chunk(2, dim=-1)  # (..., F) each
        return self.w_down(F.silu(gate) * up)


class MoE(nn.Module):
    """Top-k routed SwiGLU experts (Mixtral's math: softmax over all experts, keep the top
    k, renormalise). Tokens are sorted by expert so each expert runs one matmul over its
    tokens: the Python loop is over experts, never over tokens."""

    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        self.cfg = cfg
        E, D, Fd = cfg.n_experts, cfg.dim, cfg.ffn_dim
        self.router = nn.Linear(D, E, bias=False)
        self.w_gate_up = nn.Parameter(torch.empty(E, 2 * Fd, D))
        self.w_down = nn.Parameter(torch.empty(E, D, Fd))
        for w in (self.w_gate_up, self.w_down):
            nn.init.normal_(w, std=0.02)
        self.aux_loss = torch.zeros(())  # set by forward: the load-balancing loss
        self.load = torch.zeros(E)  # set by forward: share of routed slots per expert

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        E, k = self.cfg.n_experts, self.cfg.top_k
        shape = x.shape
        x = x.reshape(-1, shape[-1])  # (N, D), N = B * T
        probs = self.router(x).float().softmax(dim=-1)  # (N, E)
        weights, experts = probs.topk(k, dim=-1)  # (N, k) each
        weights = (weights / weights.sum(dim=-1, keepdim=True)).to(x.dtype)
        # Switch-style balance: E * sum_e (share of slots routed to e) * (mean prob of e).
        counts = torch.bincount(experts.flatten(), minlength=E)  # (E,)
        self.load = counts.float() / experts.numel()
        self.aux_loss = E * (self.load * probs.mean(dim=0)).sum()
        flat = experts.flatten()  # (N*k,) expert of each slot
        order = flat.argsort(stable=True)  # slots grouped by expert
        token_of_slot = order // k  # (N*k,) token each sorted slot reads
        xs = x[token_of_slot]  # (N*k, D)
        out = torch.empty_like(xs)
        start = 0
        for e, n in enumerate(counts.tolist()):
            if n:
                h = xs[start:start + n] @ self.w_gate_up[e].t()  # (n, 2F)
                gate, up = h.chunk(2, dim=-1)  # (n, F) each
                out[start:start + n] = (F.silu(gate) * up) @ self.w_down[e].t()  # (n, D)
            start += n
        out = out * weights.flatten()[order].unsqueeze(-1)  # (N*k, D)
        y = torch.zeros_like(x).index_add_(0, token_of_slot, out)  # (N, D)
        return y.view(shape)  # (B, T, D)


class Block(nn.Module):
    def __init__(self, cfg: ModelConfig, layer: int) -> None:
        super().__init__()
        self.attn_norm = RMSNorm(cfg.dim, cfg.norm_eps)
        self.attn = Attention(cfg, layer)
        self.ffn_norm = RMSNorm(cfg.dim, cfg.norm_eps)
        self.ffn = MoE(cfg) if cfg.n_experts else SwiGLU(cfg)

    def forward(self, x, cos, sin, mask, cache):
        x = x + self.attn(self.attn_norm(x), cos, sin, mask, cache)
        return x + self.ffn(self.ffn_norm(x))


class Transformer(nn.Module):
    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.embed = nn.Embedding(cfg.vocab_size, cfg.dim)
        self.layers = nn.ModuleList(Block(cfg, i) for i in range(cfg.n_layers))
        self.norm = RMSNorm(cfg.dim, cfg.norm_eps)
        self.lm_head = nn.Linear(cfg.dim, cfg.vocab_size, bias=False)
        cos, sin = rope_tables(cfg, cfg.max_seq_len)
        self.register_buffer("rope_cos", cos, persistent=False)  # (max_seq_len, Hd)
        self.register_buffer("rope_sin", sin, persistent=False)
        self.apply(self._init)
        # GPT-2's scaled init of the projections that write into the residual stream.
        for name, p in self.named_parameters():
            if name.endswith(("wo.weight", "w_down.weight", "ffn.w_down")):
                nn.init.normal_(p, std=0.02 / math.sqrt(2 * cfg.n_layers))
        if cfg.tie_embeddings:
            self.lm_head.weight = self.embed.weight

    @staticmethod
    def _init(m: nn.Module) -> None:
        if isinstance(m, nn.Linear | nn.Embedding):
            nn.init.normal_(m.weight, std=0.02)

    def num_params(self) -> int:
        """Parameters, counting tied embeddings once."""
        return sum(p.numel() for p in self.parameters())

    def forward(self, tokens: torch.Tensor, positions: torch.Tensor | None = None,
                attention_mask: torch.Tensor | None = None,
                cache: KVCache | None = None, last_only: bool = False,
                segments: torch.Tensor | None = None) -> torch.Tensor:  # fmt: skip
        """Logits (B, T, V) of tokens (B, T); with last_only, of the last position (B, 1, V).

        positions (B, T): each token's RoPE position (default: after the cache's length).
        attention_mask (B, L): 1 for real tokens, 0 for padding, over cached + new keys;
        without it every key is real and attention is plain causal.
        segments (B, T): which packed sequence each token belongs to (training rows that
        hold several sequences, no cache): a token attends only within its own segment.
        """
        T = tokens.shape[1]
        past = cache.length if cache is not None else 0
        if past + T > self.cfg.max_seq_len:
            raise ValueError(f"sequence of {past + T} tokens exceeds max_seq_len {self.cfg.max_seq_len}")
        if positions is None:
            cos = self.rope_cos[past:past + T][None, :, None]  # (1, T, 1, Hd)
            sin = self.rope_sin[past:past + T][None, :, None]
        else:
            cos = self.rope_cos[positions].unsqueeze(2)  # (B, T, 1, Hd)
            sin = self.rope_sin[positions].unsqueeze(2)
        mask = None
        if attention_mask is not None or (past and T > 1):
            L = past + T
            q_pos = torch.arange(past, L, device=tokens.device)[:, None]  # (T, 1)
            k_pos = torch.arange(L, device=tokens.device)[None, :]  # (1, L)
            mask = (k_pos <= q_pos)[None, None]  # (1, 1, T, L)
            if attention_mask is not None:
                mask = mask & attention_mask[:, None, None, :L].bool()  # (B, 1, T, L)
                # A padding query would see no key at all; let it see itself (its output is
                # ignored) so that softmax never divides by zero.
                mask = mask | (k_pos == q_pos)[None, None]
        if segments is not None:
            if cache is not None or attention_mask is not None:
                raise ValueError("segments are for packed training rows: no cache, no attention_mask")
            pos = torch.arange(T, device=tokens.device)
            causal = pos[None, :] <= pos[:, None]  # (T, T)
            mask = (causal[None] & (segments[:, :, None] == segments[:, None, :]))[:, None]  # (B, 1, T, T)
        x = self.embed(tokens)  # (B, T, D)
        cos, sin = cos.to(x.dtype), sin.to(x.dtype)
        for layer in self.layers:
            x = layer(x, cos, sin, mask, cache)
        if cache is not None:
            cache.length += T
        if last_only:
            x = x[:, -1:]  # (B, 1, D): a prompt's other positions need no logits
        return self.lm_head(self.norm(x))  # (B, T or 1, V)

    def aux_loss(self) -> torch.Tensor:
        """The load-balancing loss of the last forward, summed over MoE layers (0 if dense)."""
        losses = [layer.ffn.aux_loss for layer in self.layers if isinstance(layer.ffn, MoE)]
        return torch.stack(losses).sum() if losses else torch.zeros(())


PRECISIONS = ("auto", "fp32", "bf16")


def bf16_is_native(device: torch.device | str) -> bool:
    """Whether `device` does bf16 matmuls in hardware: a GPU that supports bf16, or an x86
    CPU with AVX512-BF16 or AMX (read from /proc/cpuinfo, so Linux only). Elsewhere bf16 is
    emulated (oneDNN converts on AVX512 without bf16), and fp32 is the fast choice."""
    device = torch.device(device)
    if device.type == "cuda":
        return torch.cuda.is_bf16_supported()
    if device.type != "cpu":
        return False
    try:
        with open("/proc/cpuinfo") as f:
            flags = next((line for line in f if line.startswith("flags")), "").split()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def resolve_precision(precision: str, device: torch.device | str) -> str:
    """`fp32` or `bf16`: `auto` is bf16 where `bf16_is_native`, fp32 elsewhere."""
    if precision not in PRECISIONS:
        raise ValueError(f"unknown precision {precision!r}; choose one of: {', '.join(PRECISIONS)}")
    if precision == "auto":
        return "bf16" if bf16_is_native(device) else "fp32"
    return precision


def autocast(device: torch.device | str, precision: str = "auto"):
    """The forward's context: bf16 autocast (weights, optimizer and losses stay fp32) or
    nothing. On a CPU with bf16 kernels the tiny preset trains about 1.5x the tokens per
    second under it (BENCHMARKS.md, "bf16 autocast")."""
    device = torch.device(device)
    if resolve_precision(precision, device) == "bf16":
        return torch.autocast(device.type, dtype=torch.bfloat16)
    return contextlib.nullcontext()
