"""Curriculum pretraining: textbooks and exams per level, promotion, replay (train-curriculum)."""
