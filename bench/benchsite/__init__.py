"""Benchmark-only project settings: newsroom's, plus a trivial view as the speed ceiling."""
