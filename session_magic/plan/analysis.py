"""What a plan's ops become: pruned to what the fetches need, then each a folded constant, an
alias of another tensor (a pass-through, a repeated subexpression) or a step to run; and which
steps follow from the shapes of runtime values alone (shape blocks).
"""
from __future__ import annotations

from typing import Any, Optional, Sequence

import numpy as np

from ..graph import Operation, Tensor, ancestors
from ..ops.registry import OPS

__all__ = ["needed_ops", "Analysis", "shape_determined", "is_variable", "frozen"]

_FOLD_LIMIT = 1 << 20       # NOTE: larger constant results stay steps, not values in the plan.


def is_variable(t: Tensor) -> bool:
    """Is `t` a variable itself (its value read from the run context), not a computed value?"""
    return OPS[t._op._type].role == "variable"


# --- pruning -------------------------------------------------------------------------------------

def needed_ops(fetches: Sequence[Any], feeds: Sequence[Tensor],
               within: Optional[frozenset] = None) -> list[Operation]:
    """Ops the fetches need, stopping at fed tensors and at the variables state ops name, in
    creation (= topological) order; with `within`, only those ops (a region of a graph run
    across tasks: what lies outside ran before, elsewhere, and reaches it through feeds)."""
    fed = set(feeds)
    roots = [fetch if isinstance(fetch, Operation) else fetch._op
             for fetch in fetches if isinstance(fetch, Operation) or fetch not in fed]

    def upstream(op: Operation) -> list:
        opdef = OPS[op._type]
        found = [t._op for i, t in enumerate(op._inputs)
                 if t not in fed and not opdef.is_ref_input(i)] + list(op._control_inputs)
        return found if within is None else [p for p in found if p in within]
    return ancestors(roots, upstream)


# --- folding, pass-throughs, common subexpressions ----------------------------------------------

class Analysis:
    """What each needed op becomes: a folded value, an alias of another tensor, or a step."""

    def __init__(self, ops: list, feeds: Sequence[Tensor]) -> None:
        self.fed = set(feeds)
        self.known: dict[Tensor, Any] = {}   # tensor -> value known at compile time
        self.alias: dict[Tensor, Tensor] = {}  # tensor -> the tensor computing the same value
        self.steps: list[Operation] = []
        seen: dict[tuple, Operation] = {}
        for op in ops:
            self._visit(op, seen)

    def canonical(self, t: Tensor) -> Tensor:
        return self.alias.get(t, t)

    def _visit(self, op: Operation, seen: dict) -> None:
        role = OPS[op._type].role
        if role == "const":
            if op._outputs[0] not in self.fed:
                self.known[op._outputs[0]] = op._attrs["value"]
            return
        if role in ("no_op", "variable"):  # NOTE: a variable is read where it is used
            return
        if any(t in self.fed for t in op._outputs):
            # NOTE: a fed output is the feed wherever it is read, so its op (run only as a
            # target) can neither be an alias nor a common subexpression others alias.
            self.steps.append(op)
            return
        if self._passes_through(op):
            self.alias[op._outputs[0]] = self.canonical(op._inputs[0])
            return
        opdef = OPS[op._type]
        pure = not (opdef.stateful or opdef.uses_context or op._control_inputs)
        if pure and self._fold(op):
            return
        key = _expression_key(op, [self.canonical(t) for t in op._inputs]) if pure else None
        if key is not None and key in seen:
            for mine, theirs in zip(op._outputs, seen[key]._outputs, strict=True):
                self.alias[mine] = theirs
            return
        if key is not None:
            seen[key] = op
        self.steps.append(op)

    def _passes_through(self, op: Operation) -> bool:
        if not OPS[op._type].pass_through or op._control_inputs:
            return False
        source = self.canonical(op._inputs[0])
        # NOTE: a read of a variable stays a step: it must read at its own place in the order.
        return not is_variable(source) or source in self.fed

    def _fold(self, op: Operation) -> bool:
        inputs = [self.canonical(t) for t in op._inputs]
        if any(t in self.fed or t not in self.known for t in inputs) or not op._outputs:
            return False
        try:
            with np.errstate(all="ignore"):
                result = OPS[op._type].kernel(op)(*[self.known[t] for t in inputs])
        except Exception:  # noqa: BLE001 - a failing op fails at run time, naming itself
            return False
        values = list(result) if OPS[op._type].multi_output else [result]
        if any(np.size(v) > _FOLD_LIMIT for v in values):
            return False
        for t, value in zip(op._outputs, values, strict=True):
            self.known[t] = frozen(value)
        return True


def frozen(value: Any) -> Any:
    if type(value) is np.ndarray:
        value.flags.writeable = False
    return value


def _expression_key(op: Operation, inputs: list) -> Optional[tuple]:
    try:
        attrs = tuple(sorted((k, _hashable(v)) for k, v in op._attrs.items()))
    except TypeError:
        return None
    return op._type, tuple(id(t) for t in inputs), attrs


def _hashable(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return tuple(_hashable(v) for v in value)
    hash(value)
    return value


# --- shape-determined steps ----------------------------------------------------------------------

def shape_determined(analysis: Analysis) -> dict[Operation, frozenset]:
    """The steps whose values depend only on the shapes of some runtime tensors (their roots):
    a pure shape reader (Shape, Size, Rank) of a computed or fed value, and any pure step all of
    whose inputs are known constants or shape-determined."""
    roots_of: dict[Tensor, frozenset] = {}
    result: dict[Operation, frozenset] = {}
    for op in analysis.steps:
        opdef = OPS[op._type]
        if opdef.stateful or opdef.uses_context or op._control_inputs or not op._outputs \
                or any(t in analysis.fed for t in op._outputs):
            continue
        inputs = [analysis.canonical(t) for t in op._inputs]
        if opdef.reads_shape_only:
            # NOTE: the shape of a shape-determined value is itself shape-determined.
            roots = frozenset().union(*(roots_of.get(t, {t}) for t in inputs
                                        if t not in analysis.known))
            # NOTE: a variable's shape can change within a run (validate_shape=False).
            if not roots or any(is_variable(t) for t in roots):
                continue
        elif inputs and all(t in analysis.known or t in roots_of for t in inputs) and \
                any(t in roots_of for t in inputs):
            roots = frozenset().union(*(roots_of[t] for t in inputs if t in roots_of))
        else:
            continue
        result[op] = roots
        for t in op._outputs:
            roots_of[t] = roots
    return result
