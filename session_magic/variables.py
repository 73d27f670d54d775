"""Variable, variable scopes and get_variable, with TF 1's op layout and names.

A Variable is four ops: `Variable` (VariableV2, its value in each session), `Variable/
initial_value`, `Variable/Assign` (the initializer) and `Variable/read` (what other ops use).
Values live in sessions, so two sessions on one graph hold separate state.
"""
from __future__ import annotations

import contextlib
import threading
import traceback as _traceback
from typing import Any, Callable, Iterable, Iterator, Optional

from . import dtypes as _dtypes
from .defaults import get_default_session
from .graph import (Graph, GraphKeys, Operation, Tensor, add_to_collection, displayed,
                    get_default_graph)
from .ops import state_ops
from .ops.common import bool_arg
from .ops.constant_ops import identity
from .ops.control_flow_ops import group, no_op
from .ops.conversion import convert_to_tensor, to_array
from .ops.registry import apply_op
from .tensor_shape import TensorShape, as_dims, format_dims
from .initializers import default_initializer
from .ops.functional import cond
from .ops.overloads import OPERATORS

__all__ = [
    "Variable", "VariableV1", "global_variables_initializer", "variables_initializer",
    "initialize_all_variables", "initialize_variables", "local_variables_initializer",
    "global_variables", "all_variables", "trainable_variables", "local_variables",
    "model_variables", "moving_average_variables", "report_uninitialized_variables",
    "assert_variables_initialized", "variable_scope", "get_variable", "get_variable_scope",
    "VariableScope", "AUTO_REUSE", "get_local_variable",
]


class Variable:
    """A tensor whose value persists across `run` calls of one session.

    >>> import session_magic as sm
    >>> v = sm.Variable([1.0, 2.0], name="v")
    >>> v.name
    'v:0'
    """

    def __init__(self, initial_value: Any = None, trainable: bool = True,
                 collections: Optional[list] = None, validate_shape: bool = True,
                 caching_device: Any = None, name: Optional[str] = None,
                 variable_def: Any = None, dtype: Any = None, expected_shape: Any = None,
                 import_scope: Any = None, constraint: Any = None, use_resource: Any = None,
                 synchronization: Any = None, aggregation: Any = None, shape: Any = None):
        if initial_value is None:
            raise ValueError("initial_value must be specified.")
        if name is not None and not isinstance(name, str):
            raise TypeError(f"A Variable's name must be a string, got {name!r} of type "
                            f"{type(name).__name__}")
        from_function = callable(initial_value) and not isinstance(initial_value, Tensor)
        if from_function and dtype is None:
            raise ValueError("dtype must also be specified when initial_value is callable.")
        collections = _collections_arg(collections)
        validate_shape = bool_arg(validate_shape, "validate_shape")
        if trainable and GraphKeys.TRAINABLE_VARIABLES not in collections:
            collections.append(GraphKeys.TRAINABLE_VARIABLES)
        self._trainable = trainable
        self._constraint = constraint
        graph = _root_graph(initial_value)
        with graph.as_default(), graph.control_dependencies(None):
            self._build(graph, initial_value, from_function, dtype, name, validate_shape, shape,
                        caching_device)
        for key in collections:
            graph.add_to_collection(key, self)

    def _build(self, graph: Graph, initial_value: Any, from_function: bool, dtype: Any,
               name: Optional[str], validate_shape: bool, shape: Any,
               caching_device: Any) -> None:
        with graph.name_scope(name or "Variable") as scope:
            if from_function:
                # NOTE: TF's stand-in for colocating with the VariableV2 not made yet: its
                # `loc:@` group on every op made until it exists, the initializer unplaced
                with graph._attr_scope({"_class": [f"loc:@{scope[:-1]}".encode()]}):
                    with graph.name_scope("Initializer"), graph.device(None):
                        initial_value = convert_to_tensor(initial_value(), dtype,
                                                          name="initial_value")
                    self._make_variable(initial_value, dtype, scope, validate_shape, shape)
            else:
                self._make_variable(initial_value, dtype, scope, validate_shape, shape)
            self._initializer_op = state_ops.assign(
                self._variable, self._initial_value, validate_shape=validate_shape).op
            if caching_device is not None:
                with graph.device(caching_device):
                    self._snapshot = identity(self._variable, name="read")
            else:
                with graph.colocate_with(self._variable._op):
                    self._snapshot = identity(self._variable, name="read")

    def _make_variable(self, initial_value: Any, dtype: Any, scope: str, validate_shape: bool,
                       shape: Any) -> None:
        self._initial_value = convert_to_tensor(initial_value, dtype, name="initial_value")
        dims = self._initial_value._dims if shape is None else as_dims(shape)
        if validate_shape and (dims is None or None in dims):
            raise ValueError(f"initial_value must have a shape specified: {self._initial_value}")
        attrs = {"dtype": self._initial_value.dtype, "shape": dims if validate_shape else None}
        self._variable = apply_op("VariableV2", [], attrs, scope)._outputs[0]

    # --- identity ------------------------------------------------------------------------

    name = property(lambda self: self._variable.name)
    op = property(lambda self: self._variable.op)
    graph = property(lambda self: self._variable.graph)
    dtype = property(lambda self: self._variable.dtype)
    device = property(lambda self: self._variable._op._device)
    trainable = property(lambda self: self._trainable)
    constraint = property(lambda self: self._constraint)
    initializer = property(lambda self: self._initializer_op)
    initial_value = property(lambda self: self._initial_value)

    @property
    def shape(self) -> TensorShape:
        return self._variable.shape

    def get_shape(self) -> TensorShape:
        return self._variable.shape

    def set_shape(self, shape: Any) -> None:
        self._variable.set_shape(shape)
        self._snapshot.set_shape(shape)

    # --- conversion protocols (used by fetches, feeds and op builders) --------------------

    def _as_graph_element(self) -> Tensor:
        return self._variable

    def _to_tensor(self) -> Tensor:
        """The tensor an op reading this variable takes. Inside a `control_dependencies` block
        it is a new read that carries the block's dependencies, so it sees their updates
        (resource-variable semantics, as TF 2's compat.v1 reads); elsewhere the shared
        `Variable/read`. A cond branch or loop body made inside such a block reads through a
        new read made in the block (the branch captures it), so it too sees the update."""
        home = self._variable._op._graph
        graph = get_default_graph()
        replayed = getattr(graph, "replayed_reads", {}).get(id(self))
        if replayed is not None:
            return replayed
        read = self._read_for(graph, home)
        reads = getattr(graph, "variable_reads", None)
        if reads is not None and read._op._graph is not graph:  # NOTE: reads from outside only
            reads.setdefault(id(self), read)
        return read

    def _read_for(self, graph: Graph, home: Graph) -> Tensor:
        while graph is not None:
            if graph.has_control_dependencies():
                with graph.as_default():
                    return identity(self._variable, name="read")
            if graph is home:
                break
            graph = getattr(graph, "outer_graph", None)
        return self._snapshot

    def _variable_ref(self) -> Tensor:
        return self._variable

    def _graph_of(self) -> Graph:
        return self._variable.graph

    def value(self) -> Tensor:
        """The tensor other ops read (`Variable/read`, or a new read inside a
        `control_dependencies` block: see `_to_tensor`)."""
        return self._to_tensor()

    def read_value(self) -> Tensor:
        """A new read of the variable (placed after any control dependencies in effect)."""
        return identity(self._variable, name="read")

    def initialized_value(self) -> Tensor:
        """The value, or the initial value when not yet initialized (for init-order chains)."""
        with _root_graph(self).as_default():
            return cond(state_ops.is_variable_initialized(self), self.read_value,
                        lambda: self._initial_value)

    # --- updates -----------------------------------------------------------------------

    def assign(self, value: Any, use_locking: bool = False, name: Optional[str] = None,
               read_value: bool = True) -> Any:
        """An op storing `value` when run; returns the new value (or the op)."""
        result = state_ops.assign(self._variable, value, name=name)
        return result if read_value else result.op

    def assign_add(self, delta: Any, use_locking: bool = False, name: Optional[str] = None,
                   read_value: bool = True) -> Any:
        result = state_ops.assign_add(self._variable, delta, name=name)
        return result if read_value else result.op

    def assign_sub(self, delta: Any, use_locking: bool = False, name: Optional[str] = None,
                   read_value: bool = True) -> Any:
        result = state_ops.assign_sub(self._variable, delta, name=name)
        return result if read_value else result.op

    def load(self, value: Any, session: Any = None) -> None:
        """Store `value` in `session` (default: the default session) without adding ops."""
        session = session or get_default_session()
        if session is None:
            raise ValueError("Either session argument should be provided or default session "
                             "should be established")
        session.run(self._initializer_op, {self._initializer_op.inputs[1]: value})

    def eval(self, session: Any = None) -> Any:
        """The variable's value in `session` or the default session."""
        return self._variable.eval(session=session)

    def count_up_to(self, limit: int) -> Tensor:
        """Increment until `limit` (then OutOfRangeError), returning the value before; as
        TF's CountUpTo, the increment is kept even if the rest of the run fails."""
        from .input_pipeline import count_up_to  # NOTE: lazy: input_pipeline imports variables
        return count_up_to(self, limit)

    # --- Python protocols --------------------------------------------------------------

    def __iter__(self) -> Iterator:
        raise TypeError("'Variable' object is not iterable.")

    def __bool__(self) -> bool:
        return bool(self._snapshot)

    def __hash__(self) -> int:
        return id(self)

    def __eq__(self, other: object) -> bool:
        return self is other

    def __ne__(self, other: object) -> bool:
        return self is not other

    __array_priority__ = 100

    def __array__(self, dtype: Any = None, copy: Any = None) -> Any:
        return self._snapshot.__array__(dtype)

    def __repr__(self) -> str:
        return (f"<tf.Variable '{self.name}' shape={format_dims(self._variable._dims)} "
                f"dtype={self.dtype.name}_ref>")

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict:
        return displayed(self, include, exclude)


VariableV1 = Variable


def _collections_arg(collections: Any) -> list:
    """The collections a new Variable joins, TF's ValueError for anything but a list, tuple or
    set (a string is iterable too: `collections="abc"` would mean a, b and c)."""
    if collections is None:
        return [GraphKeys.GLOBAL_VARIABLES]
    if not isinstance(collections, (list, tuple, set)):
        raise ValueError("collections argument to Variable constructor must be a list, tuple, "
                         f"or set. Got {collections} of type {type(collections)}")
    return list(collections)


def _variable_operator(dunder: str) -> Callable:
    def operator(self: Variable, *args: Any) -> Any:
        return getattr(self._to_tensor(), dunder)(*args)
    operator.__name__ = dunder
    return operator


def _attach_operators() -> None:
    for dunder in OPERATORS:
        setattr(Variable, dunder, _variable_operator(dunder))


_attach_operators()


def _root_graph(value: Any) -> Graph:
    """Variables are made in the outermost graph, even from inside cond or while bodies."""
    graph = value.graph if isinstance(value, (Tensor, Variable)) else get_default_graph()
    while getattr(graph, "outer_graph", None) is not None:
        graph = graph.outer_graph
    return graph


# --- initialization and collections ------------------------------------------------------------

def variables_initializer(var_list: list, name: str = "init") -> Operation:
    """An op that runs the initializers of `var_list` (a NoOp when it is empty)."""
    var_list = _variables_arg(var_list, "variables_initializer")
    if var_list:
        return group(*[v.initializer for v in var_list], name=name)
    return no_op(name=name)


def _variables_arg(var_list: Any, what: str) -> list:
    """`var_list` checked before any op is built: a list (any iterable) of Variables."""
    if isinstance(var_list, (str, bytes, Variable, Tensor)) or not isinstance(var_list, Iterable):
        raise TypeError(f"{what} needs a list of Variables as var_list, got {var_list!r}")
    var_list = list(var_list)
    for item in var_list:
        if not isinstance(item, Variable):
            raise TypeError(f"{what} needs a list of Variables as var_list, but it holds "
                            f"{item!r} of type {type(item).__name__}")
    return var_list


def global_variables_initializer() -> Operation:
    """An op initializing every global variable that exists now (not ones made later)."""
    return variables_initializer(global_variables())


def local_variables_initializer() -> Operation:
    return variables_initializer(local_variables())


def global_variables(scope: Optional[str] = None) -> list:
    return get_default_graph().get_collection(GraphKeys.GLOBAL_VARIABLES, scope)


def trainable_variables(scope: Optional[str] = None) -> list:
    return get_default_graph().get_collection(GraphKeys.TRAINABLE_VARIABLES, scope)


def local_variables(scope: Optional[str] = None) -> list:
    return get_default_graph().get_collection(GraphKeys.LOCAL_VARIABLES, scope)


def model_variables(scope: Optional[str] = None) -> list:
    return get_default_graph().get_collection(GraphKeys.MODEL_VARIABLES, scope)


def moving_average_variables(scope: Optional[str] = None) -> list:
    return get_default_graph().get_collection(GraphKeys.MOVING_AVERAGE_VARIABLES, scope)


initialize_all_variables = global_variables_initializer
all_variables = global_variables


def initialize_variables(var_list: list, name: str = "init") -> Operation:
    return variables_initializer(var_list, name)


def report_uninitialized_variables(var_list: Optional[list] = None,
                                   name: str = "report_uninitialized_variables") -> Tensor:
    """A 1-D string tensor naming the variables not yet initialized in the running session."""
    var_list = (global_variables() + local_variables() if var_list is None else
                _variables_arg(var_list, "report_uninitialized_variables"))
    refs = [v._variable_ref() for v in var_list]
    return apply_op("ReportUninitializedVariables", refs, {}, name)._outputs[0]


def assert_variables_initialized(var_list: Optional[list] = None) -> Operation:
    raise NotImplementedError("Use report_uninitialized_variables() and check it is empty.")


# --- variable scopes and get_variable ----------------------------------------------------------

class _ReuseMode:
    def __repr__(self) -> str:
        return "AUTO_REUSE"


AUTO_REUSE = _ReuseMode()


class VariableScope:
    """Defaults for `get_variable` in a scope: name prefix, reuse, initializer, dtype."""

    def __init__(self, reuse: Any, name: str = "", initializer: Any = None,
                 regularizer: Any = None, dtype: Any = _dtypes.float32,
                 name_scope: str = "") -> None:
        self._name = name
        self._reuse = reuse
        self._initializer = initializer
        self._regularizer = regularizer
        self._dtype = _dtypes.as_dtype(dtype)
        self._name_scope = name_scope

    name = property(lambda self: self._name)
    reuse = property(lambda self: self._reuse)
    initializer = property(lambda self: self._initializer)
    regularizer = property(lambda self: self._regularizer)
    dtype = property(lambda self: self._dtype)
    original_name_scope = property(lambda self: self._name_scope)

    def reuse_variables(self) -> None:
        self._reuse = True

    def set_initializer(self, initializer: Any) -> None:
        self._initializer = initializer

    def set_dtype(self, dtype: Any) -> None:
        self._dtype = _dtypes.as_dtype(dtype)

    def get_variable(self, name: str, *args: Any, **kwargs: Any) -> Variable:
        with variable_scope(self):
            return get_variable(name, *args, **kwargs)


class _ScopeStack(threading.local):
    def __init__(self) -> None:
        self.scopes: list[VariableScope] = [VariableScope(False)]


class _VariableStore:
    """Per graph: the variables get_variable made, default-name counts, and the scope stacks."""

    def __init__(self) -> None:
        self.variables: dict[str, Variable] = {}
        self.scope_counts: dict[str, int] = {}
        self.thread = _ScopeStack()


def _store(graph: Graph) -> _VariableStore:
    while getattr(graph, "outer_graph", None) is not None:
        graph = graph.outer_graph  # NOTE: a loop body or branch shares its root's scopes
    store = getattr(graph, "_variable_scope_store", None)
    if store is None:
        store = graph._variable_scope_store = _VariableStore()
    return store


def get_variable_scope() -> VariableScope:
    return _store(get_default_graph()).thread.scopes[-1]


@contextlib.contextmanager
def variable_scope(name_or_scope: Any, default_name: Optional[str] = None, values: Any = None,
                   initializer: Any = None, regularizer: Any = None, caching_device: Any = None,
                   partitioner: Any = None, custom_getter: Any = None, reuse: Any = None,
                   dtype: Any = None, use_resource: Any = None, constraint: Any = None,
                   auxiliary_name_scope: bool = True) -> Iterator[VariableScope]:
    """A scope for `get_variable` names and defaults; also opens a name scope."""
    _refuse_unsupported("variable_scope", partitioner=partitioner, custom_getter=custom_getter,
                        constraint=constraint)
    if name_or_scope is None and default_name is None:
        raise TypeError("If default_name is None then name_or_scope is required")
    if name_or_scope is not None and not isinstance(name_or_scope, (str, VariableScope)):
        raise TypeError("VariableScope: name_or_scope must be a string or VariableScope. Got "
                        f"{name_or_scope!r} of type {type(name_or_scope).__name__}.")
    graph = get_default_graph()
    scopes = _store(graph).thread.scopes
    parent = scopes[-1]
    scope_name, name_scope_name = _scope_names(graph, parent, name_or_scope, default_name)
    inherited = reuse if reuse is not None else (parent.reuse or None)
    if isinstance(name_or_scope, VariableScope) and reuse is None:
        inherited = name_or_scope.reuse or parent.reuse
    source = name_or_scope if isinstance(name_or_scope, VariableScope) else parent
    with graph.name_scope(name_scope_name) as opened:
        scope = VariableScope(inherited or False, scope_name,
                              initializer if initializer is not None else source.initializer,
                              regularizer or source.regularizer,
                              dtype if dtype is not None else source.dtype, opened)
        scopes.append(scope)
        try:
            yield scope
        finally:
            scopes.remove(scope)
            if isinstance(name_or_scope, str):  # NOTE: as TF, leaving a named scope resets the
                _forget_subscope_counts(graph, scope_name)  # default-name counts inside it


def _forget_subscope_counts(graph: Graph, scope_name: str) -> None:
    """Re-entering `model` later numbers `model/dense` from zero again (TF's layer reuse idiom)."""
    counts = _store(graph).scope_counts
    for key in [k for k in counts if k.startswith(scope_name + "/")]:
        del counts[key]


def _scope_names(graph: Graph, parent: VariableScope, name_or_scope: Any,
                 default_name: Optional[str]) -> tuple[str, str]:
    if isinstance(name_or_scope, VariableScope):
        return name_or_scope.name, name_or_scope.original_name_scope or name_or_scope.name
    if name_or_scope is None:
        prefix = f"{parent.name}/" if parent.name else ""
        counts = _store(graph).scope_counts
        base = prefix + default_name
        count = counts.get(base, 0)
        counts[base] = count + 1
        local = default_name if count == 0 else f"{default_name}_{count}"
        return prefix + local, local
    prefix = f"{parent.name}/" if parent.name else ""
    return prefix + name_or_scope, name_or_scope


def get_variable(name: str, shape: Any = None, dtype: Any = None, initializer: Any = None,
                 regularizer: Any = None, trainable: Optional[bool] = None,
                 collections: Optional[list] = None, caching_device: Any = None,
                 partitioner: Any = None, validate_shape: bool = True,
                 use_resource: Any = None, custom_getter: Any = None, constraint: Any = None,
                 synchronization: Any = None, aggregation: Any = None) -> Variable:
    """Get the variable `scope/name`, or create it (reuse rules as in TF 1)."""
    _refuse_unsupported(partitioner=partitioner, custom_getter=custom_getter,
                        constraint=constraint)
    graph = get_default_graph()
    store = _store(graph)
    variables, scope = store.variables, store.thread.scopes[-1]
    full_name = f"{scope.name}/{name}" if scope.name else name
    dtype = _dtypes.as_dtype(dtype) if dtype is not None else None
    if full_name in variables:
        if _rebuilding(graph):  # NOTE: a cond's gradient calls its branch function again
            return variables[full_name]
        return _reuse(variables[full_name], scope.reuse, full_name, shape, dtype)
    if scope.reuse is True:
        raise ValueError(f"Variable {full_name} does not exist, or was not created with "
                         "tf.get_variable(). Did you mean to set reuse=tf.AUTO_REUSE in "
                         "VarScope?")
    initializer = initializer if initializer is not None else scope.initializer
    from_value = initializer is not None and not callable(initializer)
    # NOTE: as TF, a value initializer gives its own dtype unless one is asked for
    dtype = dtype or (None if from_value else scope.dtype)
    initial_value = _initial_value(full_name, shape, dtype, initializer)
    with _root_graph(None).name_scope(None):
        variable = Variable(initial_value, trainable=trainable is not False,
                            collections=collections, validate_shape=validate_shape,
                            name=full_name, dtype=None if isinstance(initializer, Tensor)
                            else dtype)
    variable._defined_at = _traceback.format_list(_traceback.extract_stack()[-8:-1])
    variables[full_name] = variable
    _regularize(variable, full_name, regularizer or scope.regularizer)
    return variable


def _regularize(variable: Variable, full_name: str, regularizer: Any) -> None:
    """As TF: the regularizer's loss, built under `name/Regularizer/`, joins
    REGULARIZATION_LOSSES (a regularizer may return None: no loss)."""
    if regularizer is None:
        return
    with _root_graph(None).name_scope(f"{full_name}/Regularizer/"):
        loss = regularizer(variable)
    if loss is not None:
        add_to_collection(GraphKeys.REGULARIZATION_LOSSES, loss)


def _refuse_unsupported(where: str = "get_variable", **arguments: Any) -> None:
    for name, value in arguments.items():
        if value is not None:
            raise NotImplementedError(f"{where}({name}=...) is not supported by "
                                      f"session_magic yet")


def _rebuilding(graph: Any) -> bool:
    while graph is not None:
        if getattr(graph, "rebuilding", False):
            return True
        graph = getattr(graph, "outer_graph", None)
    return False


def _reuse(variable: Variable, reuse: Any, full_name: str, shape: Any, dtype: Any) -> Variable:
    if not reuse:
        origin = "".join(getattr(variable, "_defined_at", []))
        raise ValueError(f"Variable {full_name} already exists, disallowed. Did you mean to set "
                         f"reuse=True or reuse=tf.AUTO_REUSE in VarScope? Originally defined "
                         f"at:\n\n{origin}")
    if shape is not None and not variable.shape.is_compatible_with(shape):
        raise ValueError(f"Trying to share variable {full_name}, but specified shape "
                         f"{TensorShape(shape)} and found shape {variable.shape}.")
    if dtype is not None and dtype is not variable.dtype:
        raise ValueError(f"Trying to share variable {full_name}, but specified dtype "
                         f"{dtype.name} and found dtype {variable.dtype.name}.")
    return variable


def _initial_value(full_name: str, shape: Any, dtype: _dtypes.DType, initializer: Any) -> Any:
    if initializer is not None and not callable(initializer):
        if shape is not None:  # NOTE: TF's rule: a value gives the shape itself
            raise ValueError(f"If initializer is a constant, do not specify shape (the "
                             f"initializer of get_variable {full_name!r} is a value).")
        own = initializer.dtype if isinstance(initializer, Tensor) else \
            _dtypes.as_dtype(to_array(initializer).dtype)
        if dtype is not None and own is not dtype:  # NOTE: as TF: the value is not cast
            raise ValueError(f"Initializer type '<dtype: {own.name!r}>' and explicit dtype "
                             f"'<dtype: {dtype.name!r}>' don't match (get_variable "
                             f"{full_name!r}).")
        return initializer
    dims = as_dims(shape)
    if dims is None or None in dims:
        raise ValueError(f"Shape of a new variable ({full_name}) must be fully defined, but "
                         f"instead was {format_dims(dims)}.")
    if initializer is None:
        initializer = default_initializer(dtype)
    if isinstance(initializer, type):
        initializer = initializer()
    return lambda: initializer(list(dims), dtype=dtype)


def get_local_variable(name: str, *args: Any, **kwargs: Any) -> Variable:
    kwargs["collections"] = [GraphKeys.LOCAL_VARIABLES]
    kwargs.setdefault("trainable", False)
    return get_variable(name, *args, **kwargs)
