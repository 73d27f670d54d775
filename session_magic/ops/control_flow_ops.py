"""Op blocks for control: NoOp, group, tuple, with_dependencies; cond and while_loop live in
ops/functional.py, which builds their branches and bodies as function graphs.
"""
from __future__ import annotations

from typing import Any, Optional, Sequence

from ..graph import Operation, Tensor, get_default_graph
from .constant_ops import identity
from .registry import NOT_DIFFERENTIABLE, apply_op, op_scope, register

__all__ = ["no_op", "group", "tuple", "with_dependencies"]

register("NoOp", lambda inputs, attrs: [], lambda op: (lambda: None), grad=NOT_DIFFERENTIABLE,
         stateful=True, role="no_op", stateless_in_tf=True)


def no_op(name: Optional[str] = None) -> Operation:
    """An op that does nothing; with control dependencies it groups other ops."""
    return apply_op("NoOp", [], {}, name)


def _as_operation(item: Any) -> Operation:
    if isinstance(item, Operation):
        return item
    if isinstance(item, Tensor):
        return item.op
    element = getattr(item, "_as_graph_element", None)
    if element is not None:
        return _as_operation(element())
    raise TypeError(f"Expected an Operation or Tensor to group, got {item!r} "
                    f"({type(item).__name__})")


def group(*inputs: Any, name: Optional[str] = None) -> Operation:
    """An op that runs all `inputs` (ops or tensors) and outputs nothing."""
    flat = []
    for item in inputs:
        flat.extend(item if isinstance(item, (list, set)) else [item])
    ops = [_as_operation(item) for item in flat if item is not None]
    graph = ops[0].graph if ops else get_default_graph()
    with graph.as_default(), graph.control_dependencies(ops):
        return no_op(name=name or "group_deps")


def tuple(tensors: Sequence[Any], name: Optional[str] = None,  # noqa: A001 - TF's name
          control_inputs: Optional[Sequence[Any]] = None) -> list:
    """Identities of `tensors` that are only available after all of them have been computed."""
    with op_scope(name, "tuple", list(tensors)):
        gate = group(*[t for t in tensors if t is not None], *(control_inputs or []))
        with get_default_graph().control_dependencies([gate]):
            return [None if t is None else identity(t) for t in tensors]


def with_dependencies(dependencies: Sequence[Any], output_tensor: Any,
                      name: Optional[str] = None) -> Tensor:
    """`output_tensor`, available only after `dependencies` have run."""
    with op_scope(name, "control_dependency", [output_tensor]) as scope:
        with get_default_graph().control_dependencies(list(dependencies)):
            return identity(output_tensor, name=scope)
