"""Benchmarks: load generators and the report writer (`make bench`)."""
