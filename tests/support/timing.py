"""Growth checks: how a cost scales with input size, read off the time robustly.

These tests tell linear (10x input: ~10x time) from quadratic (~100x), so their bounds sit
between the two. The time is the calling thread's CPU time (``clock``), not wall time: on a
host loaded as CI's is (load 7 on 2 cores), a run of tens of milliseconds is preempted every
time while a run of one millisecond often is not, so the wall-time ratio of a linear split
read 150-340x where its CPU-time ratio read 22-27x, and failed the bound. What remains (cache
warm-up, a garbage collection) only ever adds time, so the fastest of a few runs is the one
to compare.
"""

import time
from collections.abc import Callable

clock = time.thread_time  # every cost measured here runs in the calling thread


def fastest(call: Callable[[], object], runs: int = 3) -> float:
    """The least CPU time of ``runs`` calls (the first also warms caches)."""
    best = float("inf")
    for _ in range(runs):
        start = clock()
        call()
        best = min(best, clock() - start)
    return best
