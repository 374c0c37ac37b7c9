"""Checkpoints: one directory with the weights (safetensors), the model config (JSON), the
tokenizer, and optionally the optimizer state and the data position for resuming.

A checkpoint is written into a temp directory beside the target and renamed into place,
so a reader never sees half of one. Anything wrong on load (a missing or corrupt file, a
config from elsewhere, weights of another shape) raises `CheckpointError` with one line.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from model.model import ModelConfig, Transformer
from model.tokenizer import load_tokenizer, save_tokenizer

FORMAT = "blueberry-checkpoint-1"
WEIGHTS, CONFIG, OPTIMIZER, STATE = "model.safetensors", "config.json", "optimizer.pt", "state.json"


class CheckpointError(ValueError):
    """A checkpoint that cannot be loaded; the message is one line for people."""


@dataclass
class Checkpoint:
    """What `load_checkpoint` returns."""

    model: Transformer
    tokenizer: Any  # tokenizers.Tokenizer
    optimizer_state: dict | None = None
    state: dict = field(default_factory=dict)  # step, data position, ... (JSON)


def atomic_dir(directory: str | Path, write: Callable[[Path], None]) -> Path:
    """Fill a temp directory beside `directory` with `write(tmp)` and swap it in: a reader
    sees the old directory or the new one, never half of either; a failed write leaves
    nothing behind."""
    directory = Path(directory)
    directory.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent))
    try:
        write(tmp)
        if directory.exists():
            old = directory.with_name(f".{directory.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(directory, old)
            os.replace(tmp, directory)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, directory)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return directory


def save_checkpoint(directory: str | Path, model: Transformer, tokenizer,
                    optimizer: torch.optim.Optimizer | None = None,
                    state: dict | None = None) -> Path:  # fmt: skip
    """Write a checkpoint to `directory` atomically, replacing one that is there."""

    def write(tmp: Path) -> None:
        # Tied weights are stored once; clone so safetensors sees no shared storage.
        tensors = {k: v.detach().cpu().contiguous().clone() for k, v in model.state_dict().items()
                   if not (model.cfg.tie_embeddings and k == "lm_head.weight")}  # fmt: skip
        save_file(tensors, str(tmp / WEIGHTS), metadata={"format": FORMAT})
        (tmp / CONFIG).write_text(json.dumps({"format": FORMAT, "model": model.cfg.to_dict()}, indent=2))
        save_tokenizer(tokenizer, tmp)
        if optimizer is not None:
            torch.save(optimizer.state_dict(), tmp / OPTIMIZER)
        (tmp / STATE).write_text(json.dumps(state or {}, indent=2))

    return atomic_dir(directory, write)


def read_config(directory: str | Path) -> ModelConfig:
    """The model config of a checkpoint directory."""
    path = Path(directory) / CONFIG
    if not Path(directory).is_dir():
        raise CheckpointError(f"{directory}: no such checkpoint directory")
    try:
        raw = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise CheckpointError(f"{path}: unreadable config ({e})") from None
    if not isinstance(raw, dict) or raw.get("format") != FORMAT or not isinstance(raw.get("model"), dict):
        raise CheckpointError(f"{path}: not a Blueberry checkpoint config (expected format {FORMAT})")
    try:
        return ModelConfig.from_dict(raw["model"])
    except (TypeError, ValueError) as e:
        raise CheckpointError(f"{path}: {e}") from None


def load_checkpoint(directory: str | Path, map_location: str = "cpu",
                    with_optimizer: bool = False) -> Checkpoint:  # fmt: skip
    """Read a checkpoint; its weights must match its config exactly (strict)."""
    directory = Path(directory)
    cfg = read_config(directory)
    try:
        tokenizer = load_tokenizer(directory)
    except ValueError as e:
        raise CheckpointError(str(e)) from None
    if tokenizer.get_vocab_size() != cfg.vocab_size:
        raise CheckpointError(
            f"{directory}: tokenizer has {tokenizer.get_vocab_size()} tokens, model {cfg.vocab_size}"
        )
    try:
        tensors = load_file(str(directory / WEIGHTS), device=map_location)
    except (OSError, SafetensorError) as e:
        raise CheckpointError(f"{directory / WEIGHTS}: unreadable weights ({e})") from None
    model = Transformer(cfg)
    expected = {k: v.shape for k, v in model.state_dict().items()
                if not (cfg.tie_embeddings and k == "lm_head.weight")}  # fmt: skip
    missing, extra = sorted(set(expected) - set(tensors)), sorted(set(tensors) - set(expected))
    if missing or extra:
        raise CheckpointError(f"{directory}: weights do not match the config "
                              f"(missing {missing[:3]}, unexpected {extra[:3]})")  # fmt: skip
    for k, shape in expected.items():
        if tensors[k].shape != shape:
            raise CheckpointError(f"{directory}: {k} has shape {tuple(tensors[k].shape)}, "
                                  f"the config needs {tuple(shape)}")  # fmt: skip
    model.load_state_dict(tensors, strict=False)  # lm_head is tied or present: checked above
    model.to(map_location)
    ckpt = Checkpoint(model, tokenizer)
    try:
        ckpt.state = json.loads((directory / STATE).read_text()) if (directory / STATE).exists() else {}
        if with_optimizer and (directory / OPTIMIZER).exists():
            ckpt.optimizer_state = torch.load(directory / OPTIMIZER, map_location=map_location,
                                              weights_only=True)  # fmt: skip
    except Exception as e:  # torch.load of a damaged file raises many kinds (struct, pickle, ...)
        raise CheckpointError(f"{directory}: unreadable training state ({str(e).splitlines()[0]})") from None
    return ckpt
