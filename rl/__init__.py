"""GRPO with rule-based rewards: loss, rewards, rollouts and the training loop."""
