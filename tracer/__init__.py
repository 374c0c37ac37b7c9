"""Tracing interpreter, sandboxes, bug injection and the code-domain tasks."""
