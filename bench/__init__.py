"""Benchmarks (not tests): zhongtai against a peer on the same data, results as JSON under bench/results/."""
