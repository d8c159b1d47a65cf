"""Growth checks: how a cost scales with input size, read off wall time robustly.

These tests tell linear (10x input: ~10x time) from quadratic (~100x), so their bounds sit
between the two. Other processes on a shared machine only ever add time, so the fastest of a
few runs is the one to compare.
"""

import time
from collections.abc import Callable


def fastest(call: Callable[[], object], runs: int = 3) -> float:
    """The least wall time of ``runs`` calls (the first also warms caches)."""
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - start)
    return best
