"""cond and while_loop: branches and loop bodies are built once, as function graphs.

A FuncGraph is a graph whose ops may use tensors of enclosing graphs: each such tensor is
captured (a placeholder inside, an input of the If/While op outside), so only the taken branch,
or each loop iteration, runs its ops. Variables are read where they are used, never captured, so
a branch sees the session's current value. A loop's gradient (WhileGrad) runs the body's
vector-Jacobian product backwards over what the forward run recorded, so no op runs twice.
"""
from __future__ import annotations

from typing import Any, Callable, Optional, Sequence

import numpy as np

from .. import dtypes as d
from .. import nest
from ..gradients import gradients
from ..graph import Graph, Operation, Tensor, get_default_graph
from ..tensor_shape import TensorShape, as_dims, dims_compatible, format_dims
from .array_ops import squeeze, zeros_like
from .constant_ops import identity, placeholder, stop_gradient
from .conversion import convert_to_tensor
from .registry import OPS, apply_op, no_gradient, op_scope, register
from .tensor_array_ops import TensorArray, flows, with_flows

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
        # NOTE: the read each variable gave this graph (Variable._to_tensor records it), and the
        # reads a rebuilt copy of another graph must give again (a cond's gradient rebuilds its
        # branches, perhaps outside the control_dependencies block the forward reads carried)
        self.variable_reads: dict[int, Tensor] = {}
        self.replayed_reads: dict[int, Tensor] = {}

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
            if isinstance(value, TensorArray):
                value = value.flow  # NOTE: a TensorArray crosses a function as its flow
            tensor = convert_to_tensor(value)
            if tensor._op._graph is not graph:
                tensor = graph._capture(tensor)
            tensors.append(tensor)
    return tensors


class _Function:
    """What a kernel runs of a function graph: its `fetches` given its `feeds`, compiled by the
    run context the first time it runs and kept (so the op table never imports the executor)."""

    __slots__ = ("fetches", "feeds", "_plan")

    def __init__(self, fetches: Sequence[Tensor], feeds: Sequence[Tensor]) -> None:
        self.fetches, self.feeds = tuple(fetches), tuple(feeds)
        self._plan: Any = None

    def plan(self, ctx: Any) -> Any:
        plan = self._plan
        if plan is None:
            # NOTE: two threads may both compile it once; either plan does the same
            plan = self._plan = ctx.compile(self.fetches, self.feeds)
        return plan


def _functions(op: Operation, names: Sequence[str]) -> list:
    return [_Function(op._attrs[n].outputs, op._attrs[n].inputs) for n in names]


def _function_ops(*graphs: FuncGraph) -> tuple:
    return tuple(list(g._operations) for g in graphs)


def _control_flow_type(stateful: str, *graphs: FuncGraph) -> str:
    """`stateful` ("If", "While") when a function runs an op TF calls stateful, else its
    Stateless twin, as TF names the op by its op defs' statefulness (ours, `stateful`: never
    folded, deduplicated or skipped, covers more)."""
    for graph in graphs:
        for op in graph._operations:
            opdef = OPS[op._type]
            if opdef.stateful and not opdef.stateless_in_tf:
                return stateful
    return "Stateless" + stateful


def _scalar_predicate(pred: Tensor, what: str) -> Tensor:
    """A bool predicate as TF takes it: squeezed unless its rank is known to be 0 (so shape [1]
    is fine), then checked to be a scalar."""
    if pred.dtype is d.bool and (pred._dims is None or pred._dims):
        pred = squeeze(pred)
    if pred.dtype is not d.bool or not dims_compatible(pred._dims, ()):
        raise ValueError(f"{what} a scalar bool tensor, got {pred!r}")
    return pred


# --- cond --------------------------------------------------------------------------------------

def _declared_outputs(inputs: list, attrs: dict) -> list:
    """If, While and WhileGrad: the builder worked out the outputs' specs from the functions."""
    return list(attrs["output_specs"])


def _if_kernel(op: Operation) -> Callable:
    then_branch, else_branch = _functions(op, ("then_graph", "else_graph"))
    then_positions, else_positions = op._attrs["then_inputs"], op._attrs["else_inputs"]

    def run_if(ctx: Any, pred: Any, *captured: Any) -> list:
        if pred:
            return then_branch.plan(ctx).run([captured[i] for i in then_positions], ctx)
        return else_branch.plan(ctx).run([captured[i] for i in else_positions], ctx)
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
    connected: set = set()  # NOTE: the wanted tensors either branch's gradient reaches
    branch_grads = cond(op._inputs[0],
                        _branch_gradient(op, "then", wanted, output_grads, connected),
                        _branch_gradient(op, "else", wanted, output_grads, connected),
                        strict=True, name="cond_grad")
    # NOTE: as TF, None (not zeros) for a tensor neither branch's gradient reaches
    by_tensor = {t: g for t, g in zip(wanted, branch_grads, strict=True) if t in connected}
    return [None] + [by_tensor.get(t) for t in captured]


def _branch_gradient(op: Operation, branch: str, wanted: list, output_grads: Sequence[Tensor],
                     connected: set) -> Callable:
    function, forward = op._attrs[f"{branch}_fn"], op._attrs[f"{branch}_graph"]

    def build() -> list:
        inner = get_default_graph()
        inner.replayed_reads = forward.variable_reads
        inner.rebuilding = True  # NOTE: get_variable gives the branch's variables back again
        outputs = _outputs_as_tensors(inner, nest.flatten(function()), "branch")
        inside = [_captured_as(inner, t) for t in wanted]
        present = [x for x in inside if x is not None]
        found = dict(zip(present, gradients(outputs, present, grad_ys=list(output_grads)),
                         strict=True)) if present else {}
        connected.update(t for t, x in zip(wanted, inside, strict=True)
                         if found.get(x) is not None)
        return [found.get(x) if found.get(x) is not None else zeros_like(t)
                for t, x in zip(wanted, inside, strict=True)]
    return build


def _captured_as(branch: FuncGraph, t: Tensor) -> Optional[Tensor]:
    """The placeholder standing for `t` in a rebuilt branch. When the If op runs inside another
    function, `t` may be that function's capture of an outer tensor, which the branch function
    (a Python closure) uses directly, so the rebuilt branch captured that outer tensor."""
    if t in branch.captures:
        return branch.captures[t]
    enclosing = getattr(branch.outer_graph, "captures", {})
    for outside, inside in enclosing.items():
        if inside is t:
            return branch.captures.get(outside)
    return None


for _if_type in ("StatelessIf", "If"):
    register(_if_type, _declared_outputs, _if_kernel, grad=_if_grad, uses_context=True,
             multi_output=True, stateful=True, role="control_flow", holds_functions=True,
             stateless_in_tf=_if_type.startswith("Stateless"))


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
        pred = _scalar_predicate(convert_to_tensor(pred), "pred must be")
        outer = get_default_graph()
        then_graph, then_result = _build_function("true", outer, true_fn, ())
        else_graph, else_result = _build_function("false", outer, false_fn, ())
        structure = _check_branches(then_result, else_result)
        then_graph.outputs = _outputs_as_tensors(then_graph, nest.flatten(then_result), "true_fn")
        else_graph.outputs = _outputs_as_tensors(else_graph, nest.flatten(else_result),
                                                 "false_fn")
        op = _make_if(pred, then_graph, else_graph, scope, (true_fn, false_fn))
        # NOTE: TF's results are `cond/Identity:0`, `cond/Identity_1:0`, ... (cond_v2 adds them
        # so fetching a result prunes to its branch); names looked up later depend on them.
        results = [identity(t) for t in op._outputs]
    outputs = nest.pack_sequence_as(structure, with_flows(nest.flatten(structure), results))
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
            raise TypeError("Outputs of true_fn and false_fn must have the same type: "
                             f"{a.dtype.name}, {b.dtype.name}")
        specs.append((a.dtype, _most_specific_common(a._dims, b._dims)))
    attrs = {"then_graph": then_graph, "else_graph": else_graph, "output_specs": specs,
             "then_inputs": [position[t] for t in then_graph.captures],
             "else_inputs": [position[t] for t in else_graph.captures],
             "_function_ops": _function_ops(then_graph, else_graph),
             "then_fn": functions[0], "else_fn": functions[1]}
    op_type = _control_flow_type("If", then_graph, else_graph)
    return apply_op(op_type, [pred, *captured], attrs, scope)


def _most_specific_common(a: Any, b: Any) -> Any:
    if a is None or b is None or len(a) != len(b):
        return None
    return tuple(x if x == y else None for x, y in zip(a, b, strict=True))


# --- while_loop --------------------------------------------------------------------------------
#
# TF's layout: inputs (loop_counter, maximum_iterations, *loop_vars, *captured); outputs the
# same values after the last iteration, then one hidden `variant` output, the loop's history.

class _History:
    """The value of a While op's variant output: per iteration, the values of the body tensors
    that its WhileGrad ops read. (Not a sequence, so NumPy sees one object, as TF one variant.)"""

    __slots__ = ("tensors", "iterations")

    def __init__(self, tensors: tuple) -> None:
        self.tensors = tensors
        self.iterations: list[list] = []

    def positions(self, wanted: Sequence[Tensor]) -> list:
        index = {t: i for i, t in enumerate(self.tensors)}
        return [index[t] for t in wanted]

    def __repr__(self) -> str:
        return f"<while_loop history of {len(self.iterations)} iterations>"


def _recorded_tensors(op: Operation) -> Optional[tuple]:
    """The body tensors that the WhileGrad ops of `op` read (maybe none: they still need the
    count of iterations), or None without a WhileGrad. Looked up at run time, not when the
    kernel is bound: a gradient built after a plan was compiled is recorded for from then on."""
    found: Optional[dict] = None
    for consumer in op._outputs[-1]._consumers:
        if consumer._type == "WhileGrad":
            found = found if found is not None else {}
            found.update(dict.fromkeys(consumer._attrs["recorded"]))
    return None if found is None else tuple(found)


def _recording_step(plan: Any, history: _History, count: int) -> Callable:
    """One iteration that also keeps the values the gradient will read (references: the plan
    never writes into a value it fetches)."""
    def step(feeds: list, ctx: Any) -> list:
        results = plan.run(feeds, ctx)
        history.iterations.append(results[count:])
        return results[:count]
    return step


def _while_kernel(op: Operation) -> Callable:
    cond_function, body_function = _functions(op, ("cond_graph", "body_graph"))
    body = op._attrs["body_graph"]
    count, bounded = op._attrs["loop_var_count"], op._attrs["bounded"]
    cond_positions, body_positions = op._attrs["cond_inputs"], op._attrs["body_inputs"]
    recording: dict = {}  # recorded tensors -> the body, also fetching them

    def run_while(ctx: Any, counter: Any, limit: Any, *inputs: Any) -> list:
        values, captured = list(inputs[:count]), inputs[count:]
        cond_extra = [captured[i] for i in cond_positions]
        body_extra = [captured[i] for i in body_positions]
        recorded = _recorded_tensors(op)
        history = None if recorded is None else _History(recorded)
        step, condition = body_function.plan(ctx).run, cond_function.plan(ctx).run
        if history is not None:
            if recorded not in recording:
                recording[recorded] = _Function([*body.outputs, *recorded], body.inputs)
            step = _recording_step(recording[recorded].plan(ctx), history, count)
        iterations = int(counter)
        while (not bounded or iterations < limit) and condition(values + cond_extra, ctx)[0]:
            values = step(values + body_extra, ctx)
            iterations += 1
        return [np.array(iterations, np.int32), limit, *values, *captured, history]
    return run_while


def _differentiable(t: Tensor) -> bool:
    return t.dtype.is_floating or t.dtype.is_complex


def _while_grad(op: Operation, *output_grads: Tensor) -> list:
    """d/d(initial loop values) and d/d(tensors the body captures), from one WhileGrad op that
    runs the body's vector-Jacobian product over the recorded iterations, last first.

    A captured tensor's pass-through output (TF's `while/Identity_4` of a capture) passes its
    gradient straight back; for a tensor the body reads it starts the WhileGrad's sum."""
    count = op._attrs["loop_var_count"]
    first_capture = 2 + count
    grads: list = [None] * first_capture + list(output_grads[first_capture:-1])
    for i in range(first_capture, len(op._inputs)):
        if not _differentiable(op._inputs[i]):
            grads[i] = None
    loop = [k for k in range(count) if _differentiable(op._inputs[2 + k])]
    if not loop:
        return grads  # NOTE: no float value crosses an iteration: nothing flows back through it
    captures = [j for j, i in enumerate(op._attrs["body_inputs"])
                if _differentiable(op._inputs[first_capture + i])]
    capture_inputs = [first_capture + op._attrs["body_inputs"][j] for j in captures]
    attrs, outer = _body_gradient(op, loop, captures)
    grad_op = apply_op("WhileGrad", [op._outputs[-1], *(output_grads[2 + k] for k in loop),
                                     *(output_grads[i] for i in capture_inputs), *outer], attrs)
    for i, g in zip([2 + k for k in loop] + capture_inputs, grad_op._outputs, strict=True):
        grads[i] = g
    return grads


def _body_gradient(op: Operation, loop: list, captures: list) -> tuple:
    """Append the body's vector-Jacobian product to the body graph (seeds: placeholders for the
    gradients of the loop variables `loop` after an iteration; results: those before it, and
    the captured inputs `captures`' share). Returns the WhileGrad's attrs and the outer tensors
    the new ops captured."""
    body, count = op._attrs["body_graph"], op._attrs["loop_var_count"]
    forward, captured_before = len(body._operations), len(body.captures)
    xs = [body.inputs[k] for k in loop] + [body.inputs[count + j] for j in captures]
    with body.as_default(), body.name_scope(None), body.control_dependencies(None):
        seeds = [placeholder(body.inputs[k].dtype, body.inputs[k]._dims, name="output_grad")
                 for k in loop]
        grads = _vjp(op, [body.outputs[k] for k in loop], xs, seeds)
    new_ops = body._operations[forward:]
    new_captures = list(body.captures.items())[captured_before:]
    specs = [(op._inputs[2 + k].dtype, op._inputs[2 + k]._dims) for k in loop]
    specs += [(x.dtype, op._inputs[2 + count + op._attrs["body_inputs"][j]]._dims)
              for x, j in zip(xs[len(loop):], captures, strict=True)]
    attrs = {"body_graph": body, "seeds": seeds, "gradients": grads,
             "recorded": _forward_reads(op, body, new_ops, forward),
             "captured": [inside for _, inside in new_captures], "output_specs": specs,
             "loop_grad_count": len(loop), "_function_ops": (new_ops,)}
    return attrs, [outside for outside, _ in new_captures]


def _vjp(op: Operation, ys: list, xs: list, seeds: list) -> list:
    try:
        grads = gradients(ys, xs, grad_ys=seeds)
    except LookupError as error:
        raise LookupError(f"{error}. It is in the body of the while loop '{op.name}', which "
                          "cannot be differentiated without it.") from None
    return [zeros_like(x) if g is None else convert_to_tensor(g)
            for g, x in zip(grads, xs, strict=True)]


def _forward_reads(op: Operation, body: FuncGraph, new_ops: list, forward: int) -> list:
    """The body tensors the gradient ops read that each forward iteration computes (constants
    are folded into the gradient's plan instead). Gradient ops never run forward ops again."""
    found: dict = {}
    for grad_op in new_ops:
        if any(c._graph is body and c._id < forward for c in grad_op._control_inputs):
            raise LookupError(f"Cannot differentiate the while loop '{op.name}': the gradient "
                              f"op '{grad_op.name}' would have to run an op of its body again.")
        for t in grad_op._inputs:
            if t._op._graph is body and t._op._id < forward and t._op._type != "Const":
                found[t] = None
    return list(found)


for _while_type in ("StatelessWhile", "While"):
    register(_while_type, _declared_outputs, _while_kernel, grad=_while_grad, uses_context=True,
             multi_output=True, stateful=True, role="control_flow", holds_functions=True,
             stateless_in_tf=_while_type.startswith("Stateless"))


def _while_grad_kernel(op: Operation) -> Callable:
    attrs = op._attrs
    gradient = _Function(attrs["gradients"],
                         [*attrs["seeds"], *attrs["recorded"], *attrs["captured"]])
    recorded, loop_count = attrs["recorded"], attrs["loop_grad_count"]
    capture_end = len(attrs["output_specs"])

    def run_while_grad(ctx: Any, history: Any, *inputs: Any) -> list:
        if history is None:
            raise RuntimeError("the while loop recorded no history for its gradient")
        loop_grads, capture_grads = list(inputs[:loop_count]), list(inputs[loop_count:capture_end])
        outer = list(inputs[capture_end:])
        positions = history.positions(recorded)
        run = gradient.plan(ctx).run
        for values in reversed(history.iterations):
            results = run([*loop_grads, *[values[i] for i in positions], *outer], ctx)
            loop_grads = results[:loop_count]
            capture_grads = [total + part for total, part in
                             zip(capture_grads, results[loop_count:], strict=True)]
        return [*loop_grads, *capture_grads]
    return run_while_grad


# NOTE: not a TF op; it runs the gradient of a loop that was named by what its body runs
register("WhileGrad", _declared_outputs, _while_grad_kernel, uses_context=True, multi_output=True,
         stateful=True, stateless_in_tf=True, holds_functions=True, grad=no_gradient(
             "Gradients of the gradient of a tf.while_loop are not supported (op '{name}'): "
             "session_magic differentiates through a loop once. For second derivatives, unroll "
             "the loop in Python."))


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
    flat_vars = [convert_to_tensor(v) for v in flows(nest.flatten(loop_vars))]
    if shape_invariants is not None:  # NOTE: as TF, a TensorArray's invariant is not checked
        shape_invariants = [TensorShape([]) if isinstance(v, TensorArray) else dims for v, dims in
                            zip(nest.flatten(loop_vars), nest.flatten(shape_invariants),
                                strict=False)]
    with op_scope(name, "while", flat_vars) as scope:
        invariants = _invariants(flat_vars, shape_invariants)
        limit = _iteration_limit(maximum_iterations)
        counter = convert_to_tensor(0, d.int32, name="loop_counter")
        outer = get_default_graph()
        cond_graph = _loop_function("cond", outer, cond, loop_vars, flat_vars, invariants)
        body_graph = _loop_function("body", outer, body, loop_vars, flat_vars, invariants)
        _check_condition(cond_graph, cond_graph._result)
        _check_body(body_graph, loop_vars, flat_vars, invariants)
        op = _make_while([counter, limit, *flat_vars], invariants, cond_graph, body_graph,
                         maximum_iterations is not None, scope)
        results = list(op._outputs[:-1])
        if not outer.building_function:  # NOTE: TF's `while/Identity`, `while/Identity_1`, ...
            results = [identity(t) for t in results]
    results = results[2:2 + len(flat_vars)]
    if not back_prop:
        results = [stop_gradient(t) for t in results]
    outputs = nest.pack_sequence_as(loop_vars, with_flows(body_graph._result_leaves, results))
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
        arguments = nest.pack_sequence_as(
            loop_vars, with_flows(nest.flatten(loop_vars), list(graph.inputs)))
        if not isinstance(loop_vars, (list, tuple)):
            arguments = [arguments]
        graph._result = function(*arguments)
    return graph


def _check_condition(graph: FuncGraph, result: Any) -> None:
    outputs = _outputs_as_tensors(graph, [result], "cond")
    with graph.as_default():
        graph.outputs = [_scalar_predicate(outputs[0], "cond must return")]


def _check_body(graph: FuncGraph, loop_vars: Any, flat_vars: list, invariants: list) -> None:
    result = graph._result
    if len(flat_vars) == 1 and not nest.is_sequence(result) and nest.is_sequence(loop_vars):
        result = type(loop_vars)([result]) if not hasattr(loop_vars, "_fields") else result
    nest.assert_same_structure(loop_vars, result)
    graph._result_leaves = nest.flatten(result)
    graph.outputs = _outputs_as_tensors(graph, graph._result_leaves, "body")
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


def _iteration_limit(maximum_iterations: Any) -> Tensor:
    """TF's second loop variable: the limit as an int32 scalar tensor (fed or computed, too),
    -1 when there is none."""
    value = -1 if maximum_iterations is None else maximum_iterations
    try:
        limit = convert_to_tensor(value, d.int32, name="maximum_iterations")
    except TypeError:
        raise TypeError("maximum_iterations must be an integer scalar (int32), got "
                        f"{maximum_iterations!r}") from None
    except ValueError as error:
        raise ValueError(f"maximum_iterations: {error}") from None
    if not dims_compatible(limit._dims, ()):
        raise ValueError("maximum_iterations must be a scalar, got shape "
                         f"{format_dims(limit._dims)}")
    return limit


def _less_or_equally_specific(output: Any, invariant: Any) -> bool:
    if invariant is None:
        return True
    if output is None or len(output) != len(invariant):
        return False
    return all(b is None or a == b for a, b in zip(output, invariant, strict=True))


def _make_while(inputs: list, invariants: list, cond_graph: FuncGraph, body_graph: FuncGraph,
                bounded: bool, scope: str) -> Operation:
    extra = list(dict.fromkeys([*cond_graph.captures, *body_graph.captures]))
    position = {t: i for i, t in enumerate(extra)}
    cond_graph.inputs = cond_graph.inputs + list(cond_graph.captures.values())
    body_graph.inputs = body_graph.inputs + list(body_graph.captures.values())
    loop_vars = inputs[2:]
    specs = [(d.int32, ()), (d.int32, ()),
             *((t.dtype, dims) for t, dims in zip(loop_vars, invariants, strict=True)),
             *((t.dtype, t._dims) for t in extra), (d.variant, ())]
    attrs = {"cond_graph": cond_graph, "body_graph": body_graph,
             "loop_var_count": len(loop_vars), "output_specs": specs,
             "cond_inputs": [position[t] for t in cond_graph.captures],
             "body_inputs": [position[t] for t in body_graph.captures],
             "bounded": bounded, "_function_ops": _function_ops(cond_graph, body_graph)}
    op_type = _control_flow_type("While", cond_graph, body_graph)
    return apply_op(op_type, [*inputs, *extra], attrs, scope)
