"""Traces, metrics and logs for operators: never arguments, never personal data."""
