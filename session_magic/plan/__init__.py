"""Compile (fetches, feeds) into a Plan once; `Plan.run` executes it as one generated function.

Fixed per plan: the ops the fetches need (pruned at fed tensors), in creation order, which is a
topological order because the graph is append-only; constant subgraphs folded to values,
pass-through ops and repeated subexpressions reduced to one value (analysis.py); each remaining
op's kernel with its attrs bound; the line after which a large intermediate is dead, and the
steps that write their result into such an input (TF's buffer forwarding) (codegen.py); and a
map from generated lines back to ops, so a failure names the op that failed and where it was
defined (failures.py). With a thread pool, independent steps run concurrently (parallel.py).
Changing per run: the feed values and a RunContext holding variable writes until commit.

Values that follow from the shapes of runtime tensors alone (the `Shape`, `Size`, `BroadcastTo`
and count arithmetic of a gradient graph, say) are gathered into shape blocks: a block runs once
per distinct shape of its inputs and its results are remembered, so a training step with a
dynamic batch size pays for that arithmetic only when the batch size changes.
"""
from __future__ import annotations

from concurrent.futures import Executor
from typing import Any, Optional, Sequence

import numpy as np

from .. import errors
from ..graph import Operation, Tensor
from ..ops.registry import OPS
from .analysis import Analysis, is_variable, needed_ops
from .codegen import CodeBuilder, fetch_value
from .failures import failing_op, locate_interrupt, raise_translated
from .parallel import ParallelRunner

__all__ = ["Plan", "RunContext", "fetch_value"]


class RunContext:
    """Per-run executor state: the session's variable store and this run's pending writes."""

    __slots__ = ("store", "pending", "session", "deadline")

    def __init__(self, session: Any, deadline: Optional[float] = None) -> None:
        self.session = session
        self.deadline = deadline  # NOTE: a time.monotonic value blocking kernels wait until
        self.store = session._variable_store
        self.pending: dict = {}

    def read(self, variable: Operation) -> Any:
        pending = self.pending
        if variable in pending:
            return pending[variable]
        value = self.store.get(variable)
        if value is None:
            raise errors.FailedPreconditionError(
                None, variable, f"Attempting to use uninitialized value {variable.name}")
        return value

    def write(self, variable: Operation, value: Any) -> Any:
        self.pending[variable] = value
        return value

    def is_initialized(self, variable: Operation) -> bool:
        return variable in self.pending or variable in self.store

    def random_generator(self, op: Operation) -> np.random.Generator:
        return self.session._random_generator(op)

    def compile(self, fetches: Sequence[Tensor], feeds: Sequence[Tensor]) -> Plan:
        """A plan for a function graph that a kernel runs (a cond branch, a loop body)."""
        return Plan(fetches, feeds)


class Plan:
    """The compiled form of one (fetches, feeds) signature on one graph."""

    def __init__(self, fetches: Sequence[Any], feeds: Sequence[Tensor],
                 pool: Optional[Executor] = None, within: Optional[frozenset] = None) -> None:
        self.fetches = tuple(fetches)
        self.feeds = tuple(feeds)
        self.ops = needed_ops(self.fetches, self.feeds, within)
        every = _all_kernels(self.ops)
        self.writes_state = any(OPS[op._type].writes_state for op in every)
        self.uses_context = any(OPS[op._type].uses_context for op in every) or \
            any(_reads_variable(op, self.feeds) for op in self.fetches)
        analysis = Analysis(self.ops, self.feeds)
        self.steps = analysis.steps
        self._builder = CodeBuilder(self.fetches, self.feeds, analysis)
        self._compiled = self._builder.build(traced=False)  # (function, code, line -> op)
        self.in_place = self._builder.in_place  # the steps writing into their first input
        self.guarded_feeds = _guarded_feeds(analysis, self.feeds, self.fetches)
        self._traced: Optional[tuple] = None
        self._parallel = ParallelRunner(self, analysis, pool) if pool is not None else None
        self.hot: Optional[Any] = None  # NOTE: a jit.HotPlan once a session attaches one

    def run(self, feed_values: Sequence[Any], ctx: Optional[RunContext]) -> list:
        """Execute once; raises an OpError naming the failing op (and commits nothing)."""
        if self._parallel is not None:
            return self._parallel.run(feed_values, ctx)
        function, code, line_ops = self._compiled
        hot = self.hot
        if hot is not None and hot.count():  # NOTE: one run in 32 is timed, for the jit tier
            function = hot.timed(function)
        try:
            return function(ctx, *feed_values)
        except Exception as failure:
            raise_translated(failure, self.fetches, failing_op(failure, code, line_ops))
        except KeyboardInterrupt as interrupt:
            locate_interrupt(interrupt, failing_op(interrupt, code, line_ops))
            raise

    @property
    def source(self) -> str:
        """The generated Python of this plan's untraced runs (for reading, and tests)."""
        return self._builder.source

    def use_fused(self, fused: tuple) -> None:
        """From the next run on, run each FusedGroup of `fused` as one kernel call (a tier of
        execution swapping in faster code; runs already started finish on the old code)."""
        self._compiled = self._builder.build(traced=False, fused=tuple(fused))

    def run_traced(self, feed_values: Sequence[Any], ctx: Optional[RunContext],
                   stats: list) -> list:
        """As `run`, appending (op, start_seconds, duration_seconds, output_bytes) per step."""
        if self._traced is None:
            self._traced = self._builder.build(traced=True)
        function, code, line_ops = self._traced
        try:
            return function(ctx, stats, *feed_values)
        except Exception as failure:
            raise_translated(failure, self.fetches, failing_op(failure, code, line_ops))
        except KeyboardInterrupt as interrupt:
            locate_interrupt(interrupt, failing_op(interrupt, code, line_ops))
            raise


def _guarded_feeds(analysis: Analysis, feeds: Sequence[Tensor],
                   fetches: Sequence[Any]) -> tuple:
    """For each feed, may the run hand back or keep a view of the fed array? Not when only
    kernels that make new arrays read it and it is not fetched: then the caller's array is
    passed as it is, without a read-only view (a fifth of a small run's cost)."""
    exposed = {analysis.canonical(t) for t in fetches if isinstance(t, Tensor)}
    fed = set(feeds)
    for op in analysis.steps:
        opdef = OPS[op._type]
        safe = opdef.fresh and not opdef.uses_context
        for i, t in enumerate(op._inputs):
            t = analysis.canonical(t)
            if t in fed and (not safe or opdef.is_ref_input(i)):
                exposed.add(t)
    return tuple(t in exposed or analysis.canonical(t) is not t for t in feeds)


def _reads_variable(element: Any, feeds: Sequence[Tensor]) -> bool:
    return isinstance(element, Tensor) and is_variable(element) and element not in feeds


def _all_kernels(ops: Sequence[Operation]) -> list:
    """The plan's ops plus those inside control-flow functions they run."""
    result = list(ops)
    for op in ops:
        for sub_ops in op._attrs.get("_function_ops", ()):
            result.extend(_all_kernels(sub_ops))
    return result
