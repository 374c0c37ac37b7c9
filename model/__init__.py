"""The model: a Llama-style transformer, its tokenizer, sampling, checkpoints and the
transformers export/import (see README, "Model")."""
