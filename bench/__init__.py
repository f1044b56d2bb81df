"""Benchmarks: ratios measured in one run (with vs without a feature). Not part of the tests."""
