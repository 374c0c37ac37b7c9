"""GRPO on rule-based rewards: rollouts, rewards that check each step, and the loss."""
