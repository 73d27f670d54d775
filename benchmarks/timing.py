"""Round-robin timing: every implementation of a workload timed in turn, batch by batch.

Each round times one batch of N calls of every step (A, B, C, A, B, C, ...), so drifts in the
machine's speed touch all implementations alike; the result is the median per-call time over
rounds, with the quartiles to show the spread.
"""
from __future__ import annotations

import gc
import math
import statistics
import time
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Sample:
    """Per-call seconds of one implementation: median and quartiles over rounds."""

    median: float
    low: float
    high: float
    calls: int
    rounds: int


@dataclass(frozen=True)
class Plan:
    """How long batches should take and how many rounds to run."""

    batch_seconds: float
    max_rounds: int
    min_rounds: int
    budget_seconds: float


def time_batch(step: Callable[[], object], calls: int) -> float:
    """Seconds per call over one batch of `calls` calls, on a freshly collected heap."""
    gc.collect()
    start = time.perf_counter()
    for _ in range(calls):
        step()
    return (time.perf_counter() - start) / calls


def calls_per_batch(step: Callable[[], object], batch_seconds: float) -> int:
    """How many calls make a batch of about `batch_seconds` (at least one)."""
    calls, elapsed = 1, time_batch(step, 1)
    while elapsed * calls < batch_seconds / 10 and calls < 1_000_000:
        calls *= 10
        elapsed = time_batch(step, calls)
    return max(1, math.ceil(batch_seconds / max(elapsed, 1e-9)))


def round_count(seconds_per_round: float, plan: Plan) -> int:
    """As many rounds as fit the budget, within the plan's bounds."""
    fitting = int(plan.budget_seconds / max(seconds_per_round, 1e-9))
    return max(plan.min_rounds, min(plan.max_rounds, fitting))


def measure(steps: dict, plan: Plan) -> dict:
    """Time every step of `steps` round-robin; a Sample per name.

    Objects alive before timing are frozen out of the collector while it runs: the collection
    before each batch then costs microseconds, not the 0.1 s that scanning TensorFlow's and the
    other peers' module objects takes, and no implementation pays for another's imports."""
    gc.collect()
    gc.freeze()
    try:
        return measure_round_robin(steps, plan)
    finally:
        gc.unfreeze()


def measure_round_robin(steps: dict, plan: Plan) -> dict:
    """Calibrate every step's batch, then time batches in turn for as many rounds as fit."""
    calls = {name: calls_per_batch(step, plan.batch_seconds) for name, step in steps.items()}
    first = {name: time_batch(step, calls[name]) for name, step in steps.items()}
    rounds = round_count(sum(first[name] * calls[name] for name in steps), plan)
    times = {name: [first[name]] for name in steps}
    for _ in range(rounds - 1):
        for name, step in steps.items():
            times[name].append(time_batch(step, calls[name]))
    return {name: summarize(values, calls[name]) for name, values in times.items()}


def summarize(values: list, calls: int) -> Sample:
    """The median and quartiles of per-call times."""
    if len(values) < 2:
        return Sample(values[0], values[0], values[0], calls, len(values))
    low, _, high = statistics.quantiles(values, n=4)
    return Sample(statistics.median(values), low, high, calls, len(values))
