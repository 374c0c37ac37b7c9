"""The policy GRPO trains: a Blueberry checkpoint (our Transformer and tokenizer) or any local
directory that `transformers.AutoModelForCausalLM` and `AutoTokenizer` load.

Both kinds offer the same few operations, so the rollouts and the loop never ask which one
they hold: encode a prompt, decode a completion, the logits of a padded batch, and a KV-cache
decoding step (`prefill` then `decode`). Saving writes the policy in its own format (ours:
`model.checkpoint`; HF: `save_pretrained`) into a temp directory renamed into place, with the
optimizer state and the loop's state beside it, so `load_policy` resumes either kind.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import torch

from model.checkpoint import (
    FORMAT,
    OPTIMIZER,
    STATE,
    CheckpointError,
    atomic_dir,
    load_checkpoint,
    save_checkpoint,
)
from reasoning.render import render_prompt
from reasoning.schema import DEFAULT_SYSTEM

KINDS = ("blueberry", "hf")


class Policy:
    """A causal LM and its tokenizer behind one interface; `kind` says which format."""

    def __init__(self, model: torch.nn.Module, tokenizer: Any, kind: str, eos_id: int, pad_id: int,
                 bos_id: int | None, max_len: int, system: str = DEFAULT_SYSTEM,
                 form: str | None = None) -> None:  # fmt: skip
        if kind not in KINDS:
            raise ValueError(f"unknown policy kind {kind!r}; choose one of: {', '.join(KINDS)}")
        self.model, self.tokenizer, self.kind = model, tokenizer, kind
        self.eos_id, self.pad_id, self.bos_id, self.max_len = eos_id, pad_id, bos_id, max_len
        # The system prompt the model was trained with, and the curriculum's textbook form
        # (None: not trained by a form): prompts, exams and saved checkpoints keep both.
        self.system, self.form = system, form
        # No dropout, ever: sampling, scoring and the update must see one function.
        self.model.eval()

    @property
    def device(self) -> torch.device:
        return next(self.model.parameters()).device

    def encode_prompt(self, prompt: str) -> list[int]:
        """BOS (when the tokenizer has one) + the rendered prompt (after the policy's system
        prompt) up to `<think>` and its newline; for our tokenizer exactly
        `model.tokenizer.encode_prompt(tok, prompt, system)`."""
        text = render_prompt(self.system, prompt)
        if self.kind == "blueberry":
            ids = self.tokenizer.encode(text, add_special_tokens=False).ids
        else:
            ids = self.tokenizer.encode(text, add_special_tokens=False)
        return ([self.bos_id] if self.bos_id is not None else []) + list(ids)

    def decode(self, ids: list[int]) -> str:
        """The text of `ids`, special tokens kept, EOS and padding dropped."""
        ids = [i for i in ids if i not in (self.eos_id, self.pad_id)]
        return self.tokenizer.decode(ids, skip_special_tokens=False)

    def forward_logits(self, tokens: torch.Tensor, attention_mask: torch.Tensor,
                       module: torch.nn.Module | None = None) -> torch.Tensor:  # fmt: skip
        """Logits (B, T, V) of a batch padded on either side; positions count real tokens only,
        so a left-padded prompt reads as it would alone. `module`: the model wrapped (DDP)."""
        module = module if module is not None else self.model
        positions = (attention_mask.cumsum(-1) - 1).clamp(min=0)  # (B, T)
        if self.kind == "blueberry":
            return module(tokens, positions, attention_mask)
        return module(input_ids=tokens, attention_mask=attention_mask, position_ids=positions,
                          use_cache=False).logits  # fmt: skip

    def prefill(self, tokens: torch.Tensor, mask: torch.Tensor, max_new: int) -> tuple[torch.Tensor, dict]:
        """Run left-padded prompts (B, P) through the model; the last position's logits (B, V)
        and the decoding state (cache, mask, next positions) for `decode`."""
        B, P = tokens.shape
        positions = (mask.cumsum(-1) - 1).clamp(min=0)  # (B, P)
        state = {"pos": positions[:, -1:] + 1}  # (B, 1)
        if self.kind == "blueberry":
            from model.model import KVCache

            cache = KVCache(self.model.cfg, B, P + max_new, self.model.embed.weight.dtype, tokens.device)
            state["mask"] = torch.cat([mask, mask.new_ones(B, max_new)], dim=1)  # (B, P+N)
            state["cache"] = cache
            logits = self.model(tokens, positions, state["mask"], cache, last_only=True)
        else:
            out = self.model(input_ids=tokens, attention_mask=mask, position_ids=positions,
                             use_cache=True, logits_to_keep=1)  # fmt: skip
            state["mask"], state["cache"] = mask, out.cache
            logits = out.logits
        return logits[:, -1], state

    def decode_step(self, token: torch.Tensor, state: dict) -> torch.Tensor:
        """Feed one token per row (B,) after `prefill`/`decode_step`; the next logits (B, V)."""
        step = token[:, None]  # (B, 1)
        if self.kind == "blueberry":
            logits = self.model(step, state["pos"], state["mask"], state["cache"])
        else:
            state["mask"] = torch.cat([state["mask"], state["mask"].new_ones(len(token), 1)], dim=1)
            out = self.model(input_ids=step, attention_mask=state["mask"], position_ids=state["pos"],
                             cache=state["cache"], use_cache=True)  # fmt: skip
            state["cache"] = out.cache
            logits = out.logits
        state["pos"] = state["pos"] + 1
        return logits[:, -1]

    def select_rows(self, state: dict, rows: torch.Tensor) -> None:
        """Keep only `rows` (indices into the current batch) in a decoding state."""
        state["pos"], state["mask"] = state["pos"][rows], state["mask"][rows]
        cache = state["cache"]
        if self.kind == "blueberry":
            cache.k = [k[rows] for k in cache.k]
            cache.v = [v[rows] for v in cache.v]
        else:
            cache.batch_select_indices(rows)

    def frozen_copy(self) -> Policy:
        """A copy whose weights never train: the KL reference."""
        ref = copy.copy(self)
        ref.model = copy.deepcopy(self.model).eval()
        for p in ref.model.parameters():
            p.requires_grad_(False)
        return ref

    def save(self, directory: str | Path, optimizer: torch.optim.Optimizer | None = None,
             state: dict | None = None) -> Path:  # fmt: skip
        """Write the policy (in its own format), the optimizer and `state` atomically; the
        state carries the system prompt and form, so the saved policy prompts as this one."""
        state = {**(state or {}), "system": self.system, "form": self.form}
        if self.kind == "blueberry":
            return save_checkpoint(directory, self.model, self.tokenizer, optimizer, state)

        def write(tmp: Path) -> None:
            self.model.save_pretrained(tmp)
            self.tokenizer.save_pretrained(tmp)
            if optimizer is not None:
                torch.save(optimizer.state_dict(), tmp / OPTIMIZER)
            (tmp / STATE).write_text(json.dumps(state, indent=2))

        return atomic_dir(directory, write)


def _is_ours(path: Path) -> bool:
    try:
        return json.loads((path / "config.json").read_text()).get("format") == FORMAT
    except (OSError, ValueError, AttributeError):
        return False


def load_policy(path: str | Path, device: str | torch.device = "cpu") -> Policy:
    """Our checkpoint or a local transformers directory, in eval mode on `device`; anything
    else (no such directory, neither format, a tokenizer the model cannot embed) raises
    CheckpointError with one line."""
    path = Path(path)
    if not path.is_dir():
        raise CheckpointError(f"{path}: no such checkpoint directory")
    if _is_ours(path):
        from model.tokenizer import BOS, EOS, PAD

        ck = load_checkpoint(path)
        tok = ck.tokenizer
        return Policy(ck.model.to(device), tok, "blueberry", tok.token_to_id(EOS), tok.token_to_id(PAD),
                      tok.token_to_id(BOS), ck.model.cfg.max_seq_len, *_prompting(ck.state))  # fmt: skip
    if not (path / "config.json").is_file():
        raise CheckpointError(f"{path}: neither a Blueberry checkpoint nor a transformers model "
                              f"directory (no config.json)")  # fmt: skip
    return _load_hf(path, device)


def _load_hf(path: Path, device) -> Policy:
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    try:
        tok = AutoTokenizer.from_pretrained(path, local_files_only=True)
        model = AutoModelForCausalLM.from_pretrained(path, local_files_only=True, dtype=torch.float32)
    except Exception as e:  # transformers raises many kinds (OSError, ValueError, KeyError, ...)
        msg = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise CheckpointError(f"{path}: not loadable by transformers ({msg})") from None
    n_embed = model.get_input_embeddings().num_embeddings
    if len(tok) > n_embed:
        raise CheckpointError(f"{path}: the tokenizer has {len(tok)} tokens but the model embeds "
                              f"only {n_embed}; they do not belong together")  # fmt: skip
    eos = tok.eos_token_id if tok.eos_token_id is not None else model.config.eos_token_id
    if isinstance(eos, list):
        eos = eos[0]
    if eos is None:
        raise CheckpointError(f"{path}: the tokenizer has no EOS token to end a completion")
    pad = tok.pad_token_id if tok.pad_token_id is not None else eos
    max_len = getattr(model.config, "max_position_embeddings", None) or 1 << 30
    state = _read_state(path)  # a GRPO checkpoint of an HF policy says how it prompts
    return Policy(model.to(device), tok, "hf", int(eos), int(pad), tok.bos_token_id, int(max_len),
                  *_prompting(state))  # fmt: skip


def _prompting(state: dict) -> tuple[str, str | None]:
    """(system prompt, form) a checkpoint's state records (train-curriculum writes both);
    the default system prompt and no form when it records neither."""
    system = state.get("system")
    form = state.get("form")
    if not isinstance(system, str | None) or not isinstance(form, str | None):
        raise CheckpointError("state.json: 'system' and 'form' must be strings")
    return (DEFAULT_SYSTEM if system is None else system), form


def _read_state(path: Path) -> dict:
    """state.json beside a policy ({} when there is none)."""
    try:
        state = json.loads((path / STATE).read_text()) if (path / STATE).exists() else {}
    except (OSError, UnicodeDecodeError, ValueError) as e:
        raise CheckpointError(f"{path / STATE}: unreadable ({e})") from None
    if not isinstance(state, dict):
        raise CheckpointError(f"{path / STATE}: not a JSON object")
    return state


def read_training_state(path: str | Path) -> tuple[dict | None, dict]:
    """(optimizer state or None, loop state) saved beside a policy by `Policy.save`."""
    path = Path(path)
    state = _read_state(path)
    try:
        opt = torch.load(path / OPTIMIZER, weights_only=True) if (path / OPTIMIZER).exists() else None
    except Exception as e:  # a damaged file: json, pickle, zip errors alike
        raise CheckpointError(f"{path}: unreadable training state ({str(e).splitlines()[0]})") from None
    return opt, state
