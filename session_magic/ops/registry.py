"""The op registry: one OpDef per kind of op, and `apply_op`, the one door into the graph.

An OpDef holds everything known about one op type: `infer` (static dtype and shape, no data),
`kernel` (binds an Operation's attrs once and returns the NumPy function the executor calls),
`grad` (the gradient rule) and the traits the executor, the session and the drawing read. Graph
construction reads `infer`, the executor `kernel`, the gradient walker `grad`; no module keeps a
list of op types of its own. Python values become tensors in conversion.py.
"""
from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Any, Callable, Final, Iterator, Optional, Sequence

import numpy as np

from ..graph import Graph, Operation, Tensor, get_default_graph, validate_op_name
from .conversion import convert_to_tensor

__all__ = ["OpDef", "OPS", "ROLES", "register", "apply_op", "op_scope", "no_gradient",
           "never_widened", "ufunc_into", "ShapeError", "NOT_DIFFERENTIABLE",
           "NO_GRADIENT_REGISTERED"]

NOT_DIFFERENTIABLE: Final = "not differentiable"


def no_gradient(message: str) -> Callable:
    """A gradient rule that refuses, as TF does for ops without one: LookupError with `message`
    (formatted with the op's `name` and `type`) when the op lies between the ys and the xs."""
    def refuse(op: Any, *output_grads: Any) -> list:
        raise LookupError(message.format(name=op.name, type=op.type))
    refuse.declines = True
    return refuse


# NOTE: TF's LookupError for an op with no gradient registered (TruncateMod, UniqueWithCounts)
NO_GRADIENT_REGISTERED: Final = no_gradient(
    "No gradient defined for operation '{name}' (op type: {type})")


def never_widened(op: Any, t: Tensor) -> bool:
    """Is input `t` of the elementwise `op` provably of the output's shape? Yes when no other
    input can broadcast it wider: each other input's dims, aligned from the right, are 1 or
    equal to t's known dims, and its rank is no higher (`x @ w + b` with b of shape [1] or [n]:
    the `x @ w` input)."""
    dims = t._dims
    if not OPS[op._type].elementwise or dims is None:
        return False
    for other in op._inputs:
        if other is t:
            continue
        if other._dims is None or len(other._dims) > len(dims):
            return False
        for mine, theirs in zip(reversed(dims), reversed(other._dims), strict=False):
            if theirs != 1 and (theirs is None or theirs != mine):
                return False
    return True


def ufunc_into(ufunc: np.ufunc, *constants: Any) -> Callable:
    """`ufunc(x, *inputs, *constants)` written into `x` when `x` is an array (a NumPy scalar
    cannot be written into). The executor passes `x` only when it is a dead intermediate that
    nothing else holds, of the result's dtype and shape: TF's forwarding of an input buffer."""
    def into(x: Any, *inputs: Any) -> Any:
        if type(x) is np.ndarray:
            return ufunc(x, *inputs, *constants, out=x)
        return ufunc(x, *inputs, *constants)
    return into


class ShapeError(ValueError):
    """Raised by `infer`; `apply_op` adds the op's name and input shapes, as TF does."""


# NOTE: what the executor, the session and the drawing treat an op as; everything else is "op".
ROLES: Final = ("op", "const", "variable", "placeholder", "no_op", "control_flow")


@dataclass(frozen=True, slots=True)
class OpDef:
    """Everything session_magic knows about one kind of operation.

    Beside the rules (`infer`, `kernel`, `grad`) it declares the traits that the executor, the
    session and the drawing read, so no other module keeps a list of op types.
    """

    type: str
    infer: Callable[[list, dict], list]     # (input tensors, attrs) -> [(dtype, dims), ...]
    kernel: Callable[[Operation], Callable]  # op -> f(*arrays) or f(ctx, *arrays)
    grad: Any = None                         # gradient rule, or NOT_DIFFERENTIABLE
    stateful: bool = False                   # never folded, deduplicated or skipped
    uses_context: bool = False               # the kernel takes the run context first
    ref_inputs: Any = ()                     # input positions naming a variable, or "all"
    multi_output: bool = False               # the kernel returns a sequence of outputs
    broadcasts: bool = False                 # inputs broadcast: gradients are summed back
    elementwise: bool = False                # the output's shape: all inputs' broadcast
    fresh: bool = False                      # the kernel's result is a new array, unshared
    in_place: Any = None                     # op -> f(x, ...) writing into array x, or None
    passes_slices: bool = False              # its gradient rule takes IndexedSlices as they are
    role: str = "op"                         # one of ROLES: a leaf, a no-op, control flow
    writes_state: bool = False               # it writes a variable (its ref input)
    pass_through: bool = False               # its one output is its one input's value
    reads_shape_only: bool = False           # its value follows from its inputs' shapes alone
    runs_user_code: bool = False             # it calls the user's Python: failures are theirs
    stateless_in_tf: bool = False            # `stateful` here, but TF's op def says stateless
    static_value: Any = None                 # tensor -> its value while building, or None
    partial_value: Any = None                # int tensor -> what is known of it while building
    infix: Optional[str] = None              # its operator (`×`): drawn as `mul × 0.5`
    holds_functions: bool = False            # its attrs are Python functions or graphs, which
                                             # no GraphDef carries
    caption: Any = None                      # op -> a line its drawing adds, or None
    scalar: Any = None                       # its elementwise rule as a scalar expression for
                                             # fused kernels ("({0} + {1})"; {t}: the output
                                             # dtype), or op -> that or None
    attrs_doc: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"op {self.type!r}: role {self.role!r} is not one of {ROLES}")
        if self.writes_state and not (self.ref_inputs and self.uses_context and self.stateful):
            raise ValueError(f"op {self.type!r} writes state, so it must name its variable "
                             "(ref_inputs), take the run context and be stateful")

    def is_ref_input(self, index: int) -> bool:
        """Does input `index` name a variable (not read) rather than carry a value?"""
        return self.ref_inputs == "all" or index in self.ref_inputs


OPS: Final[dict[str, OpDef]] = {}


def register(op_type: str, infer: Callable, kernel: Callable, **options: Any) -> OpDef:
    """Add one op kind to the registry; each type may be registered once."""
    if op_type in OPS:
        raise ValueError(f"op {op_type!r} is already registered")
    opdef = OpDef(op_type, infer, kernel, **options)
    OPS[op_type] = opdef
    return opdef


# --- building ops ------------------------------------------------------------------------------

def apply_op(op_type: str, inputs: Sequence[Any], attrs: Optional[dict] = None,
             name: Optional[str] = None, *, default_name: Optional[str] = None,
             arg_names: Sequence[str] = ("x", "y", "z"), dtype: Any = None,
             same_dtype: bool = False) -> Operation:
    """Add an op of `op_type` to the inputs' graph and return it.

    Non-tensor inputs become Consts named after their argument (`add/y`), with `dtype`; with
    `same_dtype` (inputs sharing a type attr), with the dtype of the first input before them, as
    TF's op functions convert in order: `tf.add(x_int64, 1)` is int64, `tf.add(1, x_int64)` adds
    an int32 to an int64 and is refused. Python operators pass `dtype`, the tensor's.
    """
    opdef = OPS[op_type]
    attrs = {} if attrs is None else attrs
    graph = _graph_for(inputs)
    scope_name = name if name else (default_name or op_type)
    if name:
        _check_name_type(name)
        validate_op_name(name)
    for t in inputs:
        if type(t) is not Tensor:
            break
    else:
        return _create(graph, opdef, _bring_into(graph, inputs), attrs, scope_name)
    with graph.as_default(), graph.name_scope(scope_name) as scope:
        tensors, target = [], dtype
        for i, value in enumerate(inputs):
            if not isinstance(value, Tensor):
                value = convert_to_tensor(value, target, name=arg_names[i])
            if same_dtype and target is None:
                target = value._dtype  # NOTE: TF's order: a later Python value takes this dtype
            tensors.append(value)
        return _create(graph, opdef, _bring_into(graph, tensors), attrs, scope)


@contextlib.contextmanager
def op_scope(name: Optional[str], default_name: str, values: Sequence[Any] = ()) -> Iterator[str]:
    """For composite builders: enter the values' graph and a name scope; yields 'scope/'.

    Pass the yielded scope as the `name` of the op that gives the result, so it is named after
    the scope itself (`truediv` with `truediv/Cast` inside), as TF names composites.
    """
    if name:
        _check_name_type(name)
    graph = _graph_for(values)
    with graph.as_default(), graph.name_scope(name or default_name) as scope:
        yield scope


def _check_name_type(name: Any) -> None:
    if not isinstance(name, str):
        raise TypeError(f"An op's name must be a string, got {name!r} of type "
                        f"{type(name).__name__}")


def _create(graph: Graph, opdef: OpDef, tensors: list, attrs: dict, name: str) -> Operation:
    try:
        specs = opdef.infer(tensors, attrs)
    except ShapeError as error:
        op_name = name[:-1] if name.endswith("/") else graph.unique_name(name, mark_as_used=False)
        shapes = ", ".join(bracketed(t._dims) for t in tensors)
        raise ShapeError(f"{error} for '{op_name}' (op: '{opdef.type}') with input shapes: "
                         f"{shapes}.") from None
    return graph._create_op(opdef.type, tuple(tensors), attrs, specs, name)


def bracketed(dims: Any) -> str:
    """TF's compact text for dims in messages: `[2,?,3]`, or `?` for unknown rank."""
    if dims is None:
        return "?"
    return "[" + ",".join("?" if d is None else str(d) for d in dims) + "]"


def _graph_for(inputs: Sequence[Any]) -> Graph:
    default = get_default_graph()
    if default.building_function:
        return default
    for value in inputs:
        if isinstance(value, Tensor):
            return value._op._graph
        to_tensor = getattr(value, "_graph_of", None)
        if to_tensor is not None:
            return to_tensor()
    return default


def _bring_into(graph: Graph, tensors: Sequence[Tensor]) -> list:
    result = []
    for t in tensors:
        if t._op._graph is not graph:
            if not graph.building_function:
                other = next((x for x in tensors if x._op._graph is graph), "the graph's ops")
                raise foreign_graph_error(t, other, graph)
            t = graph._capture(t)
        result.append(t)
    return result


_GRAPH_HINT = (" Build every input in one graph: a tensor made before `reset_default_graph()` or "
               "inside another graph's `with graph.as_default():` block must be made again.")


def foreign_graph_error(t: Tensor, other: Any, graph: Graph) -> ValueError:
    """TF's error for a tensor `t` used with `other`, of `graph`, and how to fix it."""
    return ValueError(f"{t} must be from the same graph as {other} (graphs are {t._op._graph} "
                      f"and {graph}).{_GRAPH_HINT}")
