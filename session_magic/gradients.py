"""Reverse-mode differentiation that builds gradient ops into the graph (TF's `tf.gradients`).

The walker visits the ops between `xs` and `ys` in reverse creation order (creation order is
topological). Each op's rule, declared in its own registry block, builds its inputs' gradients
under `gradients/<op>_grad/`. Contributions to one tensor are summed with AddN, and a gradient of
a broadcasting op is summed back to its input's shape here, once (SumToShape), not in each rule.
Gradients are ops like any other: they are drawn, run and cached like the rest of the graph.
"""
from __future__ import annotations

from typing import Any, Optional, Sequence

from .dtypes import variant
from .graph import Graph, Operation, Tensor, reachable
from .ops.array_ops import concat, ones_like, reshape, shape, stack, zeros_like
from .ops.conversion import convert_to_tensor
from .ops.gradient_ops import sum_to_shape
from .ops.indexed_slices import IndexedSlices
from .ops.math_ops import add_n
from .ops.registry import NOT_DIFFERENTIABLE, OPS, foreign_graph_error, never_widened
from .tensor_shape import dims_compatible

__all__ = ["gradients", "hessians"]

_HESSIAN_LIMIT = 1024  # NOTE: rows built one gradient each; larger xs need a loop (TensorArray)


def gradients(ys: Any, xs: Any, grad_ys: Any = None, name: str = "gradients",
              colocate_gradients_with_ops: bool = False, gate_gradients: bool = False,
              aggregation_method: Any = None, stop_gradients: Any = None,
              unconnected_gradients: str = "none") -> list:
    """d(sum of ys)/dx for each x in xs: a list aligned with xs, None where x does not matter.

    `grad_ys` weights each y (default ones); `stop_gradients` tensors are held constant.
    """
    if unconnected_gradients not in ("none", "zero"):
        raise ValueError(f"Unknown value for unconnected_gradients: {unconnected_gradients!r}")
    ys = [_as_y(y) for y in _as_list(ys)]
    xs = [_as_x(x) for x in _as_list(xs)]
    grad_ys = _as_list(grad_ys) if grad_ys is not None else [None] * len(ys)
    if len(grad_ys) != len(ys):
        raise ValueError(f"Passed {len(grad_ys)} grad_ys for {len(ys)} ys")
    stops = [_as_y(t) for t in _as_list(stop_gradients or [])]
    graph = _common_graph(ys + xs + stops)
    held = {t.op for t in stops}
    with graph.as_default(), graph.name_scope(name):
        walker = _Walker(graph, xs, ys, held)
        walker.seed(ys, grad_ys)
        walker.run()
        return [walker.result(x, unconnected_gradients == "zero") for x in xs]


def _as_list(value: Any) -> list:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _as_y(value: Any) -> Tensor:
    if isinstance(value, Operation):
        raise TypeError(f"Cannot differentiate the Operation {value.name!r}; pass a tensor.")
    return convert_to_tensor(value)


def _as_x(value: Any) -> Tensor:
    ref = getattr(value, "_variable_ref", None)  # NOTE: a Variable's gradient is its ref's
    return ref() if ref is not None else _as_y(value)


def _common_graph(tensors: Sequence[Tensor]) -> Graph:
    graph = tensors[0].graph
    for t in tensors[1:]:
        if t.graph is not graph:
            raise foreign_graph_error(t, tensors[0], graph)
    return graph


class _Walker:
    """One differentiation: the ops between xs and ys, and each tensor's gradient parts."""

    def __init__(self, graph: Graph, xs: list, ys: list, held: set) -> None:
        self.xs = set(xs)
        self.between = _ops_between(xs, ys, held)
        self.held = held
        self.parts: dict[Tensor, list] = {}

    def seed(self, ys: list, grad_ys: list) -> None:
        for index, (y, grad_y) in enumerate(zip(ys, grad_ys, strict=True)):
            grad_y = ones_like(y) if grad_y is None else _grad_y(grad_y, y, index)
            self.parts.setdefault(y, []).append(((-1, index), grad_y))

    def run(self) -> None:
        for op in sorted(self.between, key=lambda o: o._id, reverse=True):
            if op not in self.held:
                self._backprop(op)

    def _backprop(self, op: Operation) -> None:
        output_grads = [self._total(t) for t in op._outputs]
        if all(g is None for g in output_grads):
            return
        rule = OPS[op._type].grad
        if rule is NOT_DIFFERENTIABLE:
            return
        if rule is None:
            raise LookupError(f"No gradient defined for operation '{op.name}' (op type: "
                              f"{op.type})")
        # NOTE: a `variant` output (a while loop's recorded history) has no zeros: it stays None;
        # a rule gets IndexedSlices made dense, as TF's ops convert them, unless it passes them
        output_grads = [g if g is not None or t.dtype is variant else _zeros_like(t)
                        for g, t in zip(output_grads, op._outputs, strict=True)]
        if not OPS[op._type].passes_slices:
            output_grads = [convert_to_tensor(g) if isinstance(g, IndexedSlices) else g
                            for g in output_grads]
        with op.graph.name_scope(op.name + "_grad"):
            input_grads = list(rule(op, *output_grads))
            if len(input_grads) != len(op._inputs):
                raise ValueError(f"The gradient rule of {op.type} returned {len(input_grads)} "
                                 f"gradients for {len(op._inputs)} inputs")
            for position, (t, g) in enumerate(zip(op._inputs, input_grads, strict=True)):
                self._add(op, t, g, (op._id, position))

    def _add(self, op: Operation, t: Tensor, g: Optional[Tensor], order: tuple) -> None:
        """Keep `g` as a part of t's gradient; `order` is where TF would add it: consumers in
        the order they were made, then their inputs in order."""
        if g is None or not (t.dtype.is_floating or t.dtype.is_complex):
            return
        if t.op not in self.between and t not in self.xs:
            return
        if isinstance(g, IndexedSlices):  # NOTE: rows of t's own shape: never broadcast
            self.parts.setdefault(t, []).append((order, g))
            return
        if OPS[op._type].broadcasts:
            if (t._dims is None or None in t._dims or t._dims != g._dims) and \
                    not never_widened(op, t):
                g = sum_to_shape(g, t)
        elif not dims_compatible(t._dims, g._dims):
            g = sum_to_shape(g, t)
        else:
            g.set_shape(t._dims)  # NOTE: as TF, the gradient also knows what its input knows
        self.parts.setdefault(t, []).append((order, g))

    def _total(self, t: Tensor) -> Optional[Tensor]:
        parts = self.parts.get(t)
        if not parts:
            return None
        if len(parts) > 1:
            parts[:] = [((-1, 0), _aggregated([g for _, g in sorted(parts, key=_first)]))]
        return parts[0][1]

    def result(self, x: Tensor, zero_if_unconnected: bool) -> Optional[Tensor]:
        total = self._total(x)
        if total is None and zero_if_unconnected:
            return _zeros_like(x)
        return total


def _first(part: tuple) -> tuple:
    return part[0]


def _aggregated(parts: list) -> Any:
    """The sum of one tensor's gradient parts, as TF aggregates them: IndexedSlices alone stay
    IndexedSlices (their values and indices concatenated); with a dense part, all are dense."""
    if all(isinstance(g, IndexedSlices) for g in parts):
        return IndexedSlices(concat([g.values for g in parts], 0),
                             concat([g.indices for g in parts], 0), parts[0].dense_shape)
    return add_n([convert_to_tensor(g) for g in parts])


def _grad_y(value: Any, y: Tensor, index: int) -> Tensor:
    """A given `grad_ys` entry, converted by itself as TF converts it (a Python float is
    float32), so it must match its y's dtype: TF's TypeError, naming both, rather than a
    silent cast."""
    grad_y = convert_to_tensor(value, name="grad_ys_" + str(index))
    if grad_y.dtype is not y.dtype:
        raise TypeError(f"grad_ys[{index}] has dtype {grad_y.dtype.name} but the y it weights, "
                        f"{y.name}, has dtype {y.dtype.name}; pass grad_ys of that dtype.")
    return grad_y


def _zeros_like(t: Tensor) -> Tensor:
    return zeros_like(t)


def _ops_between(xs: list, ys: list, held: set) -> set:
    """Ops on a path from some x to some y (forward from xs, backward from ys)."""
    def downstream(op: Operation) -> list:
        return [c for t in op._outputs for c in _value_consumers(t) if c not in held]
    after_xs = reachable([op for x in xs for op in _value_consumers(x) if op not in held],
                         downstream)

    def upstream(op: Operation) -> list:
        return [t._op for t in op._inputs if t._op in after_xs]
    return reachable([y.op for y in ys if y.op in after_xs], upstream)


def _value_consumers(t: Tensor) -> list:
    """Consumers that read `t`'s value (an assign naming a variable does not)."""
    return [op for op in t._consumers
            if any(inp is t and not OPS[op._type].is_ref_input(i)
                   for i, inp in enumerate(op._inputs))]


def hessians(ys: Any, xs: Any, name: str = "hessians", colocate_gradients_with_ops: bool = False,
             gate_gradients: bool = False, aggregation_method: Any = None) -> list:
    """The matrix of second derivatives of sum(ys) for each x in xs, of shape x.shape + x.shape
    (as TF's `hessians`), built as one gradient per element of x: x's size must be known while
    building and at most 1024."""
    xs = [_as_x(x) for x in _as_list(xs)]
    graph = _common_graph([_as_y(y) for y in _as_list(ys)] + xs)
    result = []
    with graph.as_default(), graph.name_scope(name):
        for x, grad in zip(xs, gradients(ys, xs), strict=True):
            if grad is None:
                result.append(None)
                continue
            count = _static_size(x)
            flat = reshape(convert_to_tensor(grad), [-1])
            rows = [gradients(flat[j], x)[0] for j in range(count)]
            rows = [zeros_like(x) if r is None else convert_to_tensor(r) for r in rows]
            result.append(reshape(stack(rows), concat([shape(x), shape(x)], 0)))
    return result


def _static_size(x: Tensor) -> int:
    dims = x._dims
    if dims is None or None in dims:
        raise ValueError(f"hessians needs the shape of {x.name} while building the graph; it is "
                         f"{x.shape}.")
    count = 1
    for n in dims:
        count *= n
    if count > _HESSIAN_LIMIT:
        raise ValueError(f"hessians of {x.name} would build {count} gradients; session_magic "
                         f"builds at most {_HESSIAN_LIMIT} (one per element).")
    return count
