"""The step format: records, token text, dataset files. Imports no other Blueberry package."""

from reasoning.levels import DOMAINS, LEVELS
from reasoning.render import FormatError, parse, render
from reasoning.schema import Check, InjectedError, Provenance, Record, Step, record_id

__all__ = [
    "DOMAINS",
    "LEVELS",
    "Check",
    "FormatError",
    "InjectedError",
    "Provenance",
    "Record",
    "Step",
    "parse",
    "record_id",
    "render",
]
