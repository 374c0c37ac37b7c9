"""Command-line layer: one module per command; library code never imports it."""
