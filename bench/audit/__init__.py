"""The independent data audit (issue 10): checkers that share no code with the generators.

Entry point: `bench/audit_data.py`. Each module reads records as JSON and re-derives what
they claim with the standard library and sympy only.
"""
