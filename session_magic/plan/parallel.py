"""Inter-op parallelism: a plan's independent steps run concurrently on the session's thread
pool (NumPy kernels release the GIL), each step released when the steps it waits for are done.
"""
from __future__ import annotations

import threading
from concurrent.futures import Executor
from typing import Any, Optional, Sequence

import numpy as np

from ..graph import Operation, Tensor
from ..ops.registry import OPS
from .analysis import Analysis, is_variable
from .codegen import fetch_value
from .failures import locate_interrupt, raise_translated

__all__ = ["ParallelRunner"]

# NOTE: how often a threaded run's caller looks up from waiting: a Ctrl-C that Python handles
# on another thread (or `_thread.interrupt_main()`) does not wake a wait without a timeout.
_WAIT_SECONDS = 0.05


class ParallelRunner:
    """Runs independent steps concurrently on the session's thread pool (NumPy kernels release
    the GIL).

    Fixed: each step's input sources and dependents. Changing per run: a value table and the
    count of inputs each step still waits for.
    """

    def __init__(self, plan: Any, analysis: Analysis, pool: Executor) -> None:
        self.plan = plan
        self.analysis = analysis
        self.pool = pool
        self.kernels = [OPS[op._type].kernel(op) for op in analysis.steps]
        position = {op: i for i, op in enumerate(analysis.steps)}
        needed = set(plan.ops)
        self.waits_for = [self._producers(op, position, needed) for op in analysis.steps]
        self.dependents: list[list[int]] = [[] for _ in analysis.steps]
        for i, producers in enumerate(self.waits_for):
            for p in producers:
                self.dependents[p].append(i)

    def _producers(self, op: Operation, position: dict, needed: set) -> set:
        """The steps `op` waits for: those making its inputs, and those that an op it depends
        on but that is no step (a NoOp, a pass-through, a merged repeat) stands for."""
        canonical = self.analysis.canonical
        found, seen = set(), set()
        pending = [op]
        while pending:
            source = pending.pop()
            for t in source._inputs:
                for maker in (canonical(t)._op, t._op):
                    if maker in position:
                        found.add(position[maker])
                    elif maker in needed and maker not in seen:
                        seen.add(maker)
                        pending.append(maker)
            for control in source._control_inputs:
                if control in position:
                    found.add(position[control])
                elif control in needed and control not in seen:
                    seen.add(control)
                    pending.append(control)
        return found

    def run(self, feed_values: Sequence[Any], ctx: Any) -> list:
        run = _ParallelRun(self, dict(zip(self.plan.feeds, feed_values, strict=True)), ctx)
        return run.execute()


class _ParallelRun:
    """One execution of a ParallelRunner."""

    def __init__(self, runner: ParallelRunner, fed: dict, ctx: Any) -> None:
        self.runner = runner
        self.fed = fed
        self.ctx = ctx
        self.values: dict[Tensor, Any] = {}
        self.remaining = [len(w) for w in runner.waits_for]
        self.lock = threading.Lock()
        self.done = threading.Event()
        self.pending = len(runner.kernels)
        self.failure: Optional[tuple] = None

    def execute(self) -> list:
        if self.pending:
            # NOTE: list the ready steps before submitting any: workers change `remaining`.
            ready = [i for i, count in enumerate(self.remaining) if count == 0]
            for i in ready:
                self.runner.pool.submit(self._step, i)
            self._wait()
        if self.failure is not None:
            failure, op = self.failure
            if not isinstance(failure, Exception):
                if isinstance(failure, KeyboardInterrupt):
                    locate_interrupt(failure, op)
                raise failure  # NOTE: a KeyboardInterrupt in a py_func stays one, as serially
            raise_translated(failure, self.runner.plan.fetches, op)
        results = []
        for fetch in self.runner.plan.fetches:
            try:
                results.append(None if isinstance(fetch, Operation)
                               else fetch_value(self._value(fetch)))
            except MemoryError as failure:  # NOTE: a broadcast view too big to copy
                raise_translated(failure, self.runner.plan.fetches, fetch._op)
        return results

    def _wait(self) -> None:
        """Wait for the last step; if interrupted, the steps not yet started never start."""
        try:
            while not self.done.wait(_WAIT_SECONDS):
                pass
        except BaseException as interrupt:
            self._finish_with(interrupt, None)
            if isinstance(interrupt, KeyboardInterrupt):
                locate_interrupt(interrupt, None)
            raise

    def _value(self, t: Tensor) -> Any:
        t = self.runner.analysis.canonical(t)
        if t in self.fed:
            return self.fed[t]
        if t in self.runner.analysis.known:
            return self.runner.analysis.known[t]
        if is_variable(t):
            return self.ctx.read(t._op)
        return self.values[t]

    def _step(self, i: int) -> None:
        if self.failure is not None:
            return
        op = self.runner.analysis.steps[i]
        opdef = OPS[op._type]
        try:
            args = [self._value(t) for k, t in enumerate(op._inputs) if not opdef.is_ref_input(k)]
            with np.errstate(all="ignore"):
                result = self.runner.kernels[i](*([self.ctx] if opdef.uses_context else []),
                                                *args)
            outputs = list(result) if opdef.multi_output else [result] if op._outputs else []
            produced = list(zip(op._outputs, outputs, strict=True))
        except BaseException as failure:  # noqa: BLE001 - reported on the calling thread
            self._finish_with(failure, op)
            return
        self._release(i, produced)

    def _release(self, i: int, produced: list) -> None:
        ready = []
        with self.lock:
            if self.failure is not None:
                return
            self.values.update(produced)
            self.pending -= 1
            for j in self.runner.dependents[i]:
                self.remaining[j] -= 1
                if self.remaining[j] == 0:
                    ready.append(j)
            finished = self.pending == 0
        for j in ready:
            self.runner.pool.submit(self._step, j)
        if finished:
            self.done.set()

    def _finish_with(self, failure: BaseException, op: Optional[Operation]) -> None:
        with self.lock:
            if self.failure is None:
                self.failure = (failure, op)
            # NOTE: the failure's traceback holds this run: it must not hold the run's arrays.
            self.values.clear()
        self.done.set()
