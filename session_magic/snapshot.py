"""Values and run times to draw on a graph: one uncommitted run of every tensor that can be
computed now, through the session's public `dry_run`.

A tensor is left out when it needs a feed it has not got, a variable the session holds no value
for, or a write (which a look must not make); when an op fails, the tensors it reaches are left
out and the rest run again, so one bad op costs one more run, not a run per tensor.
"""
from __future__ import annotations

from typing import Any, Optional

from . import errors
from .graph import Graph, Operation, ancestors, reachable
from .ops.registry import OPS

__all__ = ["evaluate"]


def evaluate(session: Any, tensors: list, feed_dict: Optional[dict] = None,
             trace: bool = False) -> tuple[dict, dict]:
    """{tensor: value} for the computable `tensors` and, with `trace`, {op: seconds}."""
    fed = _fed_tensors(session.graph, feed_dict)
    wanted = _computable(session, tensors, fed)
    while wanted:
        try:
            return _evaluate(session, wanted, feed_dict, trace)
        except errors.OpError as error:
            downstream = _downstream(error.op, fed)
            rest = [t for t in wanted if t.op not in downstream]
            if len(rest) == len(wanted):  # NOTE: it failed inside a cond or while body
                return _evaluate_each(session, wanted, feed_dict, trace)
            wanted = rest
    return {}, {}


def _evaluate(session: Any, tensors: list, feed_dict: Optional[dict],
              trace: bool) -> tuple[dict, dict]:
    values, seconds = session.dry_run(tensors, feed_dict, trace=trace)
    return dict(zip(tensors, values, strict=True)), seconds


def _evaluate_each(session: Any, tensors: list, feed_dict: Optional[dict],
                   trace: bool) -> tuple[dict, dict]:
    values: dict = {}
    timings: dict = {}
    for tensor in tensors:
        try:
            one_value, one_timing = _evaluate(session, [tensor], feed_dict, trace)
        except errors.OpError:
            continue
        values.update(one_value)
        timings.update(one_timing)
    return values, timings


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


def _computable(session: Any, tensors: list, fed: set) -> list:
    """The tensors whose inputs need no missing feed, no variable without a value, no write."""
    blocked: set = set()
    roots = [t.op for t in tensors if t not in fed]
    for op in ancestors(roots, lambda op: _upstream(op, fed)):
        opdef = OPS[op._type]
        # NOTE: a placeholder with a default computes unfed; a write or a NoOp shows no value
        missing = ((opdef.role == "placeholder" and not op._inputs) or opdef.writes_state
                   or (opdef.role == "variable" and not session.has_value(op))
                   or opdef.role == "no_op")
        upstream = any(t.op in blocked and t not in fed for t in op.inputs)
        if missing or upstream or any(c in blocked for c in op.control_inputs):
            blocked.add(op)
    return [t for t in tensors if t in fed or t.op not in blocked]


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

