"""Export to, and import from, Hugging Face transformers with no custom code.

Our layers map one to one onto existing transformers classes (only the storage of fused
q/k/v and gate/up differs, split on the way out and joined on the way in):

    dense               -> LlamaForCausalLM        dense + QK-norm -> Qwen3ForCausalLM
    mixture of experts  -> MixtralForCausalLM      MoE + QK-norm   -> Qwen3MoeForCausalLM

The HF model is built from its config, filled by a strict `load_state_dict`, and written
with `save_pretrained`, so the files are whatever that version of transformers reads.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import torch

from model.model import ModelConfig, Transformer
from model.tokenizer import BOS, EOS, PAD, to_hf


def _hf_class(cfg: ModelConfig):
    import transformers as tf

    if cfg.n_experts:
        return (tf.Qwen3MoeConfig, tf.Qwen3MoeForCausalLM) if cfg.qk_norm else (
            tf.MixtralConfig, tf.MixtralForCausalLM)
    return (tf.Qwen3Config, tf.Qwen3ForCausalLM) if cfg.qk_norm else (tf.LlamaConfig, tf.LlamaForCausalLM)


def hf_class_name(cfg: ModelConfig) -> str:
    """The transformers class a model of this shape exports as."""
    return _hf_class(cfg)[1].__name__


def hf_config(cfg: ModelConfig, special_ids: dict[str, int] | None = None):
    """The transformers config of the same shape as `cfg`."""
    config_cls, _ = _hf_class(cfg)
    ids = special_ids or {}
    kw = dict(
        vocab_size=cfg.vocab_size, hidden_size=cfg.dim, intermediate_size=cfg.ffn_dim,
        num_hidden_layers=cfg.n_layers, num_attention_heads=cfg.n_heads,
        num_key_value_heads=cfg.n_kv_heads, head_dim=cfg.head_dim, hidden_act="silu",
        max_position_embeddings=cfg.max_seq_len, rms_norm_eps=cfg.norm_eps,
        rope_parameters={"rope_type": "default", "rope_theta": cfg.rope_theta},
        tie_word_embeddings=cfg.tie_embeddings, attention_bias=False,
        bos_token_id=ids.get(BOS), eos_token_id=ids.get(EOS), pad_token_id=ids.get(PAD),
    )  # fmt: skip
    if cfg.n_experts:
        kw.update(num_local_experts=cfg.n_experts, num_experts=cfg.n_experts,
                  num_experts_per_tok=cfg.top_k, router_jitter_noise=0.0,
                  moe_intermediate_size=cfg.ffn_dim, norm_topk_prob=True,
                  decoder_sparse_step=1, mlp_only_layers=[], output_router_logits=False)  # fmt: skip
    if not cfg.n_experts:
        kw["mlp_bias"] = False
    if cfg.qk_norm:
        kw["use_sliding_window"] = False
    known = set(config_cls().to_dict()) | {"rope_parameters", "tie_word_embeddings"}
    return config_cls(**{k: v for k, v in kw.items() if k in known})


def to_hf_state(model: Transformer) -> dict[str, torch.Tensor]:
    """Our weights under transformers' names, fused projections split."""
    cfg, out = model.cfg, {}
    H, K, hd = cfg.n_heads, cfg.n_kv_heads, cfg.head_dim
    sd = {k: v.detach() for k, v in model.state_dict().items()}
    out["model.embed_tokens.weight"] = sd["embed.weight"]
    out["model.norm.weight"] = sd["norm.weight"]
    out["lm_head.weight"] = sd["lm_head.weight"]
    for i in range(cfg.n_layers):
        ours, theirs = f"layers.{i}.", f"model.layers.{i}."
        q, k, v = sd[ours + "attn.wqkv.weight"].split([H * hd, K * hd, K * hd])
        out[theirs + "self_attn.q_proj.weight"] = q
        out[theirs + "self_attn.k_proj.weight"] = k
        out[theirs + "self_attn.v_proj.weight"] = v
        out[theirs + "self_attn.o_proj.weight"] = sd[ours + "attn.wo.weight"]
        if cfg.qk_norm:
            out[theirs + "self_attn.q_norm.weight"] = sd[ours + "attn.q_norm.weight"]
            out[theirs + "self_attn.k_norm.weight"] = sd[ours + "attn.k_norm.weight"]
        out[theirs + "input_layernorm.weight"] = sd[ours + "attn_norm.weight"]
        out[theirs + "post_attention_layernorm.weight"] = sd[ours + "ffn_norm.weight"]
        if cfg.n_experts:
            out[theirs + "mlp.gate.weight"] = sd[ours + "ffn.router.weight"]
            out[theirs + "mlp.experts.gate_up_proj"] = sd[ours + "ffn.w_gate_up"]
            out[theirs + "mlp.experts.down_proj"] = sd[ours + "ffn.w_down"]
        else:
            gate, up = sd[ours + "ffn.w_gate_up.weight"].chunk(2)
            out[theirs + "mlp.gate_proj.weight"] = gate
            out[theirs + "mlp.up_proj.weight"] = up
            out[theirs + "mlp.down_proj.weight"] = sd[ours + "ffn.w_down.weight"]
    return {k: v.contiguous() for k, v in out.items()}


def to_hf_model(model: Transformer, special_ids: dict[str, int] | None = None):
    """A transformers model with our weights, loaded strictly (every tensor accounted for)."""
    _, model_cls = _hf_class(model.cfg)
    hf = model_cls(hf_config(model.cfg, special_ids))
    state = to_hf_state(model)
    if model.cfg.tie_embeddings:
        state.pop("lm_head.weight")
    missing, unexpected = hf.load_state_dict(state, strict=False)
    missing = [k for k in missing if not (model.cfg.tie_embeddings and k == "lm_head.weight")]
    if missing or unexpected:
        raise ValueError(f"weights do not map onto {model_cls.__name__}: missing {missing[:3]}, "
                         f"unexpected {unexpected[:3]}")  # fmt: skip
    return hf.eval()


def export_hf(model: Transformer, tokenizer, out: str | Path) -> Path:
    """Write `out` (atomically): a directory that AutoModelForCausalLM and AutoTokenizer
    load with no custom code."""
    out = Path(out)
    if out.exists():
        raise ValueError(f"{out} already exists; choose a new output directory")
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # a command prints its own one line
    hf_tok = to_hf(tokenizer)
    ids = {s: hf_tok.convert_tokens_to_ids(s) for s in (BOS, EOS, PAD)}
    hf = to_hf_model(model, ids)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        hf.save_pretrained(tmp)
        hf_tok.save_pretrained(tmp)
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def config_from_hf(hf_cfg) -> ModelConfig:
    """Our config of a transformers Llama-family config; what we cannot match is an error."""
    kind = hf_cfg.model_type
    if kind not in ("llama", "qwen3", "mixtral", "qwen3_moe"):
        raise ValueError(f"cannot import model type {kind!r}; supported: llama, qwen3, mixtral, qwen3_moe")
    rope = getattr(hf_cfg, "rope_parameters", None) or {}
    if rope.get("rope_type", "default") != "default":
        raise ValueError(f"cannot import rope_type {rope.get('rope_type')!r} (only default RoPE)")
    if getattr(hf_cfg, "hidden_act", "silu") != "silu" or getattr(hf_cfg, "attention_bias", False) \
            or getattr(hf_cfg, "mlp_bias", False):
        raise ValueError("cannot import: only silu activations and projections without bias match")
    heads = hf_cfg.num_attention_heads
    head_dim = getattr(hf_cfg, "head_dim", None) or hf_cfg.hidden_size // heads
    if head_dim * heads != hf_cfg.hidden_size:
        raise ValueError("cannot import: head_dim * heads must equal hidden_size")
    moe = kind in ("mixtral", "qwen3_moe")
    if kind == "qwen3_moe" and (not hf_cfg.norm_topk_prob or hf_cfg.mlp_only_layers
                                or hf_cfg.decoder_sparse_step != 1):  # fmt: skip
        raise ValueError("cannot import qwen3_moe: only norm_topk_prob with MoE in every layer")
    return ModelConfig(
        vocab_size=hf_cfg.vocab_size, dim=hf_cfg.hidden_size, n_layers=hf_cfg.num_hidden_layers,
        n_heads=heads, n_kv_heads=hf_cfg.num_key_value_heads or heads,
        ffn_dim=hf_cfg.moe_intermediate_size if kind == "qwen3_moe" else hf_cfg.intermediate_size,
        max_seq_len=hf_cfg.max_position_embeddings, rope_theta=float(rope.get("rope_theta", 10000.0)),
        norm_eps=hf_cfg.rms_norm_eps, tie_embeddings=bool(hf_cfg.tie_word_embeddings),
        qk_norm=kind.startswith("qwen3"),
        n_experts=(getattr(hf_cfg, "num_local_experts", None) or hf_cfg.num_experts) if moe else 0,
        top_k=hf_cfg.num_experts_per_tok if moe else 2,
    )  # fmt: skip


def from_hf_model(hf) -> Transformer:
    """Our model with the weights of a transformers model (equal logits)."""
    cfg = config_from_hf(hf.config)
    model = Transformer(cfg)
    theirs = {k: v.detach().float() for k, v in hf.state_dict().items()}
    mine = {}
    for i in range(cfg.n_layers):
        p, q = f"model.layers.{i}.", f"layers.{i}."
        mine[q + "attn.wqkv.weight"] = torch.cat([theirs[p + f"self_attn.{n}_proj.weight"] for n in "qkv"])
        mine[q + "attn.wo.weight"] = theirs[p + "self_attn.o_proj.weight"]
        if cfg.qk_norm:
            mine[q + "attn.q_norm.weight"] = theirs[p + "self_attn.q_norm.weight"]
            mine[q + "attn.k_norm.weight"] = theirs[p + "self_attn.k_norm.weight"]
        mine[q + "attn_norm.weight"] = theirs[p + "input_layernorm.weight"]
        mine[q + "ffn_norm.weight"] = theirs[p + "post_attention_layernorm.weight"]
        if cfg.n_experts:
            mine[q + "ffn.router.weight"] = theirs[p + "mlp.gate.weight"]
            mine[q + "ffn.w_gate_up"] = theirs[p + "mlp.experts.gate_up_proj"]
            mine[q + "ffn.w_down"] = theirs[p + "mlp.experts.down_proj"]
        else:
            mine[q + "ffn.w_gate_up.weight"] = torch.cat(
                [theirs[p + "mlp.gate_proj.weight"], theirs[p + "mlp.up_proj.weight"]])
            mine[q + "ffn.w_down.weight"] = theirs[p + "mlp.down_proj.weight"]
    mine["embed.weight"] = theirs["model.embed_tokens.weight"]
    mine["norm.weight"] = theirs["model.norm.weight"]
    mine["lm_head.weight"] = theirs.get("lm_head.weight", mine["embed.weight"])
    model.load_state_dict(mine, strict=True)
    return model


def import_hf(directory: str | Path) -> Transformer:
    """Load a local transformers checkpoint directory (Llama, Qwen3, Mixtral, Qwen3-MoE)."""
    from transformers import AutoConfig, AutoModelForCausalLM

    directory = Path(directory)
    if not (directory / "config.json").is_file():
        raise ValueError(f"{directory}: no config.json (not a transformers model directory)")
    config_from_hf(AutoConfig.from_pretrained(directory, local_files_only=True))  # fail early
    hf = AutoModelForCausalLM.from_pretrained(directory, local_files_only=True, dtype=torch.float32)
    return from_hf_model(hf)
