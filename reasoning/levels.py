"""The curriculum levels and data domains, shared by every part of the engine."""

LEVELS: tuple[str, ...] = ("preschool", "primary", "middle", "high", "university")
DOMAINS: tuple[str, ...] = ("math", "logic", "code")


def check_level(level: str) -> str:
    """Return `level` if it is a curriculum level, else raise a ValueError that lists them."""
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}; choose one of: {', '.join(LEVELS)}")
    return level
