"""Values and run times to draw on a graph: one uncommitted run of every tensor that can be
computed now, through the session's public `dry_run`, and why each other op was not evaluated.

An op is left out when it needs a feed it has not got, a variable the session holds no value
for, or a write (which a look must not make); when an op fails, the tensors it reaches are left
out and the rest run again, so one bad op costs one more run, not a run per tensor.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from . import errors
from .graph import Graph, Operation, ancestors, reachable
from .ops.registry import OPS

__all__ = ["Snapshot", "evaluate"]


@dataclass
class Snapshot:
    """What one look at a graph found: values, each op's seconds, and why ops were skipped."""

    values: dict = field(default_factory=dict)    # Tensor -> value
    seconds: dict = field(default_factory=dict)   # Operation -> seconds (when traced)
    skipped: dict = field(default_factory=dict)   # Operation -> why it was not evaluated


def evaluate(session: Any, tensors: list, feed_dict: Optional[dict] = None,
             trace: bool = False) -> Snapshot:
    """The values of the computable `tensors` (and with `trace` each op's seconds)."""
    fed = _fed_tensors(session.graph, feed_dict)
    snapshot = Snapshot()
    wanted = _computable(session, tensors, fed, snapshot.skipped)
    while wanted:
        try:
            _evaluate(session, wanted, feed_dict, trace, snapshot)
            return snapshot
        except errors.OpError as error:
            downstream = _downstream(error.op, fed)
            rest = [t for t in wanted if t.op not in downstream]
            if len(rest) == len(wanted):  # NOTE: it failed inside a cond or while body
                _evaluate_each(session, wanted, feed_dict, trace, snapshot)
                return snapshot
            reason = f"{error.op.name} failed ({type(error).__name__})"
            snapshot.skipped.update((t.op, reason) for t in wanted if t.op in downstream)
            wanted = rest
    return snapshot


def _evaluate(session: Any, tensors: list, feed_dict: Optional[dict], trace: bool,
              snapshot: Snapshot) -> None:
    values, seconds = session.dry_run(tensors, feed_dict, trace=trace)
    snapshot.values.update(zip(tensors, values, strict=True))
    snapshot.seconds.update(seconds)


def _evaluate_each(session: Any, tensors: list, feed_dict: Optional[dict], trace: bool,
                   snapshot: Snapshot) -> None:
    for tensor in tensors:
        try:
            _evaluate(session, [tensor], feed_dict, trace, snapshot)
        except errors.OpError as error:
            snapshot.skipped.setdefault(tensor.op, f"failed ({type(error).__name__})")


def _fed_tensors(graph: Graph, feed_dict: Optional[dict]) -> set:
    """The tensors `feed_dict` feeds (a key that names none is the run's error to report)."""
    fed: set = set()
    for key in feed_dict or ():
        for part in key if isinstance(key, tuple) else (key,):
            try:
                fed.add(graph.as_graph_element(part, allow_tensor=True, allow_operation=False))
            except (TypeError, ValueError, KeyError):
                continue
    return fed


def _computable(session: Any, tensors: list, fed: set, skipped: dict) -> list:
    """The tensors whose inputs need no missing feed, no variable without a value, no write;
    the ops left out go into `skipped` with the cause they inherit."""
    roots = [t.op for t in tensors if t not in fed]
    for op in ancestors(roots, lambda op: _upstream(op, fed)):
        reason = _own_reason(session, op)
        if reason is None:
            upstream = [t.op for t in op.inputs if t not in fed] + op.control_inputs
            reason = next((skipped[u] for u in upstream if u in skipped), None)
        if reason is not None:
            skipped[op] = reason
    return [t for t in tensors if t in fed or t.op not in skipped]


def _own_reason(session: Any, op: Operation) -> Optional[str]:
    opdef = OPS[op._type]
    if opdef.role == "placeholder" and not op._inputs:  # NOTE: one with a default computes
        return f"placeholder {op.name} not fed"
    if opdef.role == "variable" and not session.has_value(op):
        return f"variable {op.name} not initialized"
    if opdef.writes_state:
        return "it writes a variable, which a look never does"
    if opdef.role == "no_op":
        return "a group of ops: it has no value"
    return None


def _upstream(op: Operation, fed: set) -> list:
    return [t._op for t in op._inputs if t not in fed] + list(op._control_inputs)


def _downstream(op: Optional[Operation], fed: set) -> set:
    """`op` and every op of its graph that reads it, directly or not (not through a feed)."""
    if op is None:
        return set()
    return reachable([op], lambda current: _readers(current, fed))


def _readers(op: Operation, fed: set) -> list:
    readers = [c for t in op._outputs if t not in fed for c in t._consumers]
    return readers + list(op._control_outputs)
