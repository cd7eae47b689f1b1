"""Benchmarks: API calls against their lower bounds and peer models, wall time against the latency bound."""
