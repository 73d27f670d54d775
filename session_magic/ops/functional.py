"""cond and while_loop: branches and loop bodies are built once, as function graphs.

A FuncGraph is a graph whose ops may use tensors of enclosing graphs: each such tensor is
captured (a placeholder inside, an input of the If/While op outside), so only the taken branch,
or each loop iteration, runs its ops. Variables are read where they are used, never captured, so
a branch sees the session's current value.
"""
from __future__ import annotations

import operator
from typing import Any, Callable, Optional, Sequence

from .. import dtypes as d
from .. import nest
from ..graph import Graph, Operation, Tensor, get_default_graph
from ..tensor_shape import as_dims, dims_compatible, format_dims
from .constant_ops import placeholder
from .registry import (apply_op, constant_value, convert_to_tensor, no_gradient, op_scope,
                       register)

__all__ = ["cond", "while_loop", "FuncGraph"]


class FuncGraph(Graph):
    """The graph of a branch or loop body; outer tensors it uses become captured inputs."""

    def __init__(self, name: str, outer_graph: Graph) -> None:
        super().__init__()
        self.name = name
        self.outer_graph = outer_graph
        self.captures: dict[Tensor, Tensor] = {}  # outer tensor -> placeholder inside
        self.inputs: list[Tensor] = []
        self.outputs: list[Tensor] = []

    @property
    def building_function(self) -> bool:
        return True

    @property
    def seed(self) -> Optional[int]:
        return self.outer_graph.seed

    @seed.setter
    def seed(self, value: Optional[int]) -> None:
        self.outer_graph.seed = value

    def _capture(self, t: Tensor) -> Tensor:
        if t._op._graph is self or _is_variable_of_ancestor(self, t):
            return t
        if t in self.captures:
            return self.captures[t]
        # NOTE: a tensor of a graph further out is captured by the enclosing graph too, when
        # the If/While op that runs this graph is built there. The placeholder is fed, so a
        # control dependency on it would never run: TF makes it outside every such block.
        with self.as_default(), self.name_scope(None), self.control_dependencies(None):
            inside = placeholder(t.dtype, t._dims, name="captured")
        self.captures[t] = inside
        return inside

    def _reject_foreign_input(self, t: Tensor) -> None:
        if not _is_variable_of_ancestor(self, t):
            super()._reject_foreign_input(t)

    def __repr__(self) -> str:
        return f"<FuncGraph {self.name!r} with {self.version} ops>"


def _is_variable_of_ancestor(graph: Any, t: Tensor) -> bool:
    if t._op._type != "VariableV2":
        return False
    outer = getattr(graph, "outer_graph", None)
    while outer is not None:
        if t._op._graph is outer:
            return True
        outer = getattr(outer, "outer_graph", None)
    return False


def _build_function(name: str, outer: Graph, function: Callable, arguments: Sequence[Any]) -> tuple:
    """Call `function` inside a new FuncGraph; returns (graph, its raw return value)."""
    graph = FuncGraph(name, outer)
    with graph.as_default(), graph.name_scope(name + "/"):
        result = function(*arguments)
    return graph, result


def _outputs_as_tensors(graph: FuncGraph, values: list, what: str) -> list:
    tensors = []
    with graph.as_default():
        for value in values:
            if isinstance(value, Operation):
                raise TypeError(f"{what} returned the Operation {value.name!r}; return tensors "
                                "(use tf.control_dependencies to order operations).")
            tensor = convert_to_tensor(value)
            if tensor._op._graph is not graph:
                tensor = graph._capture(tensor)
            tensors.append(tensor)
    return tensors


def _plans(op: Operation, names: Sequence[str]) -> list:
    from ..plan import Plan
    return [Plan(op._attrs[n].outputs, op._attrs[n].inputs) for n in names]


def _function_ops(*graphs: FuncGraph) -> tuple:
    return tuple(list(g._operations) for g in graphs)


# --- cond --------------------------------------------------------------------------------------

def _if_infer(inputs: list, attrs: dict) -> list:
    return list(attrs["output_specs"])


def _if_kernel(op: Operation) -> Callable:
    then_plan, else_plan = _plans(op, ("then_graph", "else_graph"))
    then_positions, else_positions = op._attrs["then_inputs"], op._attrs["else_inputs"]

    def run_if(ctx: Any, pred: Any, *captured: Any) -> list:
        if pred:
            return then_plan.run([captured[i] for i in then_positions], ctx)
        return else_plan.run([captured[i] for i in else_positions], ctx)
    return run_if


def _if_grad(op: Operation, *output_grads: Tensor) -> list:
    """A cond over the branches' gradients: only the taken branch's gradient is computed.

    Each gradient branch calls its branch function again (both were pure builders, called once
    while building) and differentiates that copy w.r.t. the tensors the branches captured.
    """
    captured = list(op._inputs[1:])
    wanted = [t for t in captured if t.dtype.is_floating]
    if not wanted:
        return [None] * len(op._inputs)
    branch_grads = cond(op._inputs[0],
                        _branch_gradient(op._attrs["then_fn"], wanted, output_grads),
                        _branch_gradient(op._attrs["else_fn"], wanted, output_grads),
                        strict=True, name="cond_grad")
    by_tensor = dict(zip(wanted, branch_grads, strict=True))
    return [None] + [by_tensor.get(t) for t in captured]


def _branch_gradient(function: Callable, wanted: list, output_grads: Sequence[Tensor]) -> Callable:
    def build() -> list:
        from ..gradients import gradients
        from .array_ops import zeros_like
        outputs = [convert_to_tensor(v) for v in nest.flatten(function())]
        inner = get_default_graph()
        inside = [inner.captures.get(t) for t in wanted]
        present = [x for x in inside if x is not None]
        found = dict(zip(present, gradients(outputs, present, grad_ys=list(output_grads)),
                         strict=True)) if present else {}
        return [found.get(x) if found.get(x) is not None else zeros_like(t)
                for t, x in zip(wanted, inside, strict=True)]
    return build


register("If", _if_infer, _if_kernel, grad=_if_grad, uses_context=True, multi_output=True,
         stateful=True)


def cond(pred: Any, true_fn: Optional[Callable] = None, false_fn: Optional[Callable] = None,
         strict: bool = False, name: Optional[str] = None, fn1: Optional[Callable] = None,
         fn2: Optional[Callable] = None) -> Any:
    """`true_fn()` if `pred` else `false_fn()`; only the taken branch runs.

    Both functions are called once, while building. A single-element list or tuple result is
    unpacked unless `strict`.
    """
    true_fn, false_fn = true_fn or fn1, false_fn or fn2
    if not callable(true_fn):
        raise TypeError("true_fn must be callable.")
    if not callable(false_fn):
        raise TypeError("false_fn must be callable.")
    if isinstance(pred, bool):
        raise TypeError("pred must not be a Python bool")
    with op_scope(name, "cond", [pred]) as scope:
        pred = convert_to_tensor(pred, name="pred")
        if pred.dtype is not d.bool or not dims_compatible(pred._dims, ()):
            raise ValueError(f"pred must be a scalar bool tensor, got {pred!r}")
        outer = get_default_graph()
        then_graph, then_result = _build_function("true", outer, true_fn, ())
        else_graph, else_result = _build_function("false", outer, false_fn, ())
        structure = _check_branches(then_result, else_result)
        then_graph.outputs = _outputs_as_tensors(then_graph, nest.flatten(then_result), "true_fn")
        else_graph.outputs = _outputs_as_tensors(else_graph, nest.flatten(else_result),
                                                 "false_fn")
        op = _make_if(pred, then_graph, else_graph, scope, (true_fn, false_fn))
    outputs = nest.pack_sequence_as(structure, list(op._outputs))
    if not strict and isinstance(outputs, (list, tuple)) and len(outputs) == 1:
        return outputs[0]
    return outputs


def _check_branches(then_result: Any, else_result: Any) -> Any:
    if then_result is None:
        raise ValueError("true_fn must have a return value.")
    if else_result is None:
        raise ValueError("false_fn must have a return value.")
    try:
        nest.assert_same_structure(then_result, else_result)
    except ValueError as error:
        raise ValueError(f"Incompatible return values of true_fn and false_fn: {error}") from None
    return then_result


def _make_if(pred: Tensor, then_graph: FuncGraph, else_graph: FuncGraph, scope: str,
             functions: tuple) -> Operation:
    captured = list(dict.fromkeys([*then_graph.captures, *else_graph.captures]))
    position = {t: i for i, t in enumerate(captured)}
    then_graph.inputs = list(then_graph.captures.values())
    else_graph.inputs = list(else_graph.captures.values())
    specs = []
    for a, b in zip(then_graph.outputs, else_graph.outputs, strict=True):
        if a.dtype is not b.dtype:
            raise ValueError("Outputs of true_fn and false_fn must have the same type: "
                             f"{a.dtype.name}, {b.dtype.name}")
        specs.append((a.dtype, _most_specific_common(a._dims, b._dims)))
    attrs = {"then_graph": then_graph, "else_graph": else_graph, "output_specs": specs,
             "then_inputs": [position[t] for t in then_graph.captures],
             "else_inputs": [position[t] for t in else_graph.captures],
             "_function_ops": _function_ops(then_graph, else_graph),
             "then_fn": functions[0], "else_fn": functions[1]}
    return apply_op("If", [pred, *captured], attrs, scope)


def _most_specific_common(a: Any, b: Any) -> Any:
    if a is None or b is None or len(a) != len(b):
        return None
    return tuple(x if x == y else None for x, y in zip(a, b, strict=True))


# --- while_loop --------------------------------------------------------------------------------

def _while_kernel(op: Operation) -> Callable:
    cond_plan, body_plan = _plans(op, ("cond_graph", "body_graph"))
    count = op._attrs["loop_var_count"]
    cond_positions, body_positions = op._attrs["cond_inputs"], op._attrs["body_inputs"]
    limit = op._attrs["maximum_iterations"]

    def run_while(ctx: Any, *inputs: Any) -> list:
        values = list(inputs[:count])
        cond_extra = [inputs[i] for i in cond_positions]
        body_extra = [inputs[i] for i in body_positions]
        iterations = 0
        while (limit is None or iterations < limit) and cond_plan.run(values + cond_extra,
                                                                      ctx)[0]:
            values = body_plan.run(values + body_extra, ctx)
            iterations += 1
        return values
    return run_while


_WHILE_GRADIENT = no_gradient(
    "Gradients through tf.while_loop are not supported (op '{name}'): unroll the loop in "
    "Python, or keep the loop out of the path from the loss to the variables (wrap its result "
    "in tf.stop_gradient).")
register("While", _if_infer, _while_kernel, grad=_WHILE_GRADIENT, uses_context=True,
         multi_output=True, stateful=True)


def while_loop(cond: Callable, body: Callable, loop_vars: Any, shape_invariants: Any = None,
               parallel_iterations: int = 10, back_prop: bool = True, swap_memory: bool = False,
               name: Optional[str] = None, maximum_iterations: Any = None,
               return_same_structure: bool = False) -> Any:
    """Repeat `loop_vars = body(*loop_vars)` while `cond(*loop_vars)`; returns the final values.

    A single loop variable given in a list comes back bare unless `return_same_structure`.
    """
    if not callable(cond):
        raise TypeError("cond must be callable.")
    if not callable(body):
        raise TypeError("body must be callable.")
    if parallel_iterations < 1:
        raise TypeError("parallel_iterations must be a positive integer.")
    if loop_vars is None or (nest.is_sequence(loop_vars) and not nest.flatten(loop_vars)):
        raise ValueError("No loop variables provided")
    flat_vars = nest.flatten(loop_vars)
    with op_scope(name, "while", flat_vars) as scope:
        flat_vars = [convert_to_tensor(v) for v in flat_vars]
        invariants = _invariants(flat_vars, shape_invariants)
        outer = get_default_graph()
        cond_graph = _loop_function("cond", outer, cond, loop_vars, flat_vars, invariants)
        body_graph = _loop_function("body", outer, body, loop_vars, flat_vars, invariants)
        _check_condition(cond_graph, cond_graph._result)
        _check_body(body_graph, loop_vars, flat_vars, invariants)
        op = _make_while(flat_vars, invariants, cond_graph, body_graph, maximum_iterations, scope)
    outputs = nest.pack_sequence_as(loop_vars, list(op._outputs))
    single = isinstance(loop_vars, (list, tuple)) and len(flat_vars) == 1 and len(loop_vars) == 1
    return outputs[0] if single and not return_same_structure else outputs


def _invariants(flat_vars: list, shape_invariants: Any) -> list:
    if shape_invariants is None:
        return [t._dims for t in flat_vars]
    flat = nest.flatten(shape_invariants)
    if len(flat) != len(flat_vars):
        raise ValueError("shape_invariants must have the same structure as loop_vars.")
    for t, dims in zip(flat_vars, flat, strict=True):
        if not dims_compatible(t._dims, as_dims(dims)):
            raise ValueError(f"The shape invariant specified for {t.name} is not compatible "
                             f"with the initial shape of the loop variable. It enters the loop "
                             f"with shape {format_dims(t._dims)}, but the specified shape "
                             f"invariant is {format_dims(as_dims(dims))}.")
    return [as_dims(dims) for dims in flat]


def _loop_function(name: str, outer: Graph, function: Callable, loop_vars: Any, flat_vars: list,
                   invariants: list) -> FuncGraph:
    graph = FuncGraph(name, outer)
    with graph.as_default(), graph.name_scope(name + "/"):
        graph.inputs = [placeholder(t.dtype, dims, name="loop_var")
                        for t, dims in zip(flat_vars, invariants, strict=True)]
        arguments = nest.pack_sequence_as(loop_vars, list(graph.inputs))
        if not isinstance(loop_vars, (list, tuple)):
            arguments = [arguments]
        graph._result = function(*arguments)
    return graph


def _check_condition(graph: FuncGraph, result: Any) -> None:
    outputs = _outputs_as_tensors(graph, [result], "cond")
    if outputs[0].dtype is not d.bool or not dims_compatible(outputs[0]._dims, ()):
        raise ValueError(f"cond must return a scalar bool tensor, got {outputs[0]!r}")
    graph.outputs = outputs


def _check_body(graph: FuncGraph, loop_vars: Any, flat_vars: list, invariants: list) -> None:
    result = graph._result
    if len(flat_vars) == 1 and not nest.is_sequence(result) and nest.is_sequence(loop_vars):
        result = type(loop_vars)([result]) if not hasattr(loop_vars, "_fields") else result
    nest.assert_same_structure(loop_vars, result)
    graph.outputs = _outputs_as_tensors(graph, nest.flatten(result), "body")
    for var, out, dims in zip(flat_vars, graph.outputs, invariants, strict=True):
        if out.dtype is not var.dtype:
            raise TypeError(f"Loop variable {var.name} enters the loop with dtype "
                            f"{var.dtype.name}, but body returns dtype {out.dtype.name}.")
        if not _less_or_equally_specific(out._dims, dims):
            raise ValueError(f"Input tensor '{var.name}' enters the loop with shape "
                             f"{format_dims(dims)}, but has shape {format_dims(out._dims)} after "
                             "one iteration. To allow the shape to vary across iterations, use "
                             "the `shape_invariants` argument of tf.while_loop to specify a "
                             "less-specific shape.")


def _static_limit(maximum_iterations: Any) -> Optional[int]:
    if maximum_iterations is None:
        return None
    if isinstance(maximum_iterations, Tensor):
        known = constant_value(maximum_iterations)
        if known is None:
            raise ValueError("maximum_iterations must be known while building the graph (a "
                             "Python int or a constant).")
        maximum_iterations = known
    try:
        return operator.index(maximum_iterations)
    except TypeError:
        raise TypeError("maximum_iterations must be an integer scalar (int32 or int64), got "
                        f"{maximum_iterations!r}") from None


def _less_or_equally_specific(output: Any, invariant: Any) -> bool:
    if invariant is None:
        return True
    if output is None or len(output) != len(invariant):
        return False
    return all(b is None or a == b for a, b in zip(output, invariant, strict=True))


def _make_while(flat_vars: list, invariants: list, cond_graph: FuncGraph, body_graph: FuncGraph,
                maximum_iterations: Any, scope: str) -> Operation:
    extra = list(dict.fromkeys([*cond_graph.captures, *body_graph.captures]))
    count = len(flat_vars)
    position = {t: count + i for i, t in enumerate(extra)}
    cond_graph.inputs = cond_graph.inputs + list(cond_graph.captures.values())
    body_graph.inputs = body_graph.inputs + list(body_graph.captures.values())
    attrs = {"cond_graph": cond_graph, "body_graph": body_graph, "loop_var_count": count,
             "output_specs": [(t.dtype, dims)
                              for t, dims in zip(flat_vars, invariants, strict=True)],
             "cond_inputs": [position[t] for t in cond_graph.captures],
             "body_inputs": [position[t] for t in body_graph.captures],
             "maximum_iterations": _static_limit(maximum_iterations),
             "_function_ops": _function_ops(cond_graph, body_graph)}
    return apply_op("While", [*flat_vars, *extra], attrs, scope)
