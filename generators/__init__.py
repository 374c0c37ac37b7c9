"""Math and logic tasks per curriculum level, with step checks and answer verifiers."""
