"""Graph, Operation and Tensor: the dataflow graph as append-only data.

A Graph owns its Operations in creation order and names them uniquely as TF 1 did. It computes
nothing, holds no arrays beyond constants' attrs, and imports neither the executor nor IPython:
`eval()`/`run()` reach the default session through defaults.py, which also keeps the default-graph
stack. Only `_repr_mimebundle_` imports the drawing, lazily, when a front end asks for a picture.
"""
from __future__ import annotations

import contextlib
import re
import threading
from typing import Any, Callable, Iterable, Iterator, Optional

from . import defaults
from . import dtypes as _dtypes
from .device_spec import device_for, device_scope_entry, device_string
from .frames import user_traceback
from .tensor_shape import TensorShape, as_dims, dims_compatible, format_dims, merge_dims

__all__ = [
    "Graph", "Operation", "Tensor", "GraphKeys", "get_default_graph", "reset_default_graph",
    "name_scope", "control_dependencies", "add_to_collection", "add_to_collections",
    "get_collection", "get_collection_ref", "get_name_scope", "is_tensor",
    "get_all_collection_keys", "device", "colocate_with", "container", "ancestors", "reachable",
    "producers",
]

_VALID_OP_NAME = re.compile(r"^[A-Za-z0-9.][A-Za-z0-9_.\\/>-]*$")
_VALID_SCOPE_NAME = re.compile(r"^[A-Za-z0-9_.\\/>-]*$")


class GraphKeys:
    """Standard collection names, as TF 1 spelled them."""

    GLOBAL_VARIABLES = "variables"
    VARIABLES = "variables"
    LOCAL_VARIABLES = "local_variables"
    METRIC_VARIABLES = "metric_variables"
    MODEL_VARIABLES = "model_variables"
    TRAINABLE_VARIABLES = "trainable_variables"
    SUMMARIES = "summaries"
    QUEUE_RUNNERS = "queue_runners"
    TABLE_INITIALIZERS = "table_initializer"
    ASSET_FILEPATHS = "asset_filepaths"
    MOVING_AVERAGE_VARIABLES = "moving_average_variables"
    REGULARIZATION_LOSSES = "regularization_losses"
    CONCATENATED_VARIABLES = "concatenated_variables"
    SAVERS = "savers"
    SAVEABLE_OBJECTS = "saveable_objects"
    WEIGHTS = "weights"
    BIASES = "biases"
    ACTIVATIONS = "activations"
    UPDATE_OPS = "update_ops"
    LOSSES = "losses"
    INIT_OP = "init_op"
    LOCAL_INIT_OP = "local_init_op"
    READY_OP = "ready_op"
    READY_FOR_LOCAL_INIT_OP = "ready_for_local_init_op"
    EVAL_STEP = "eval_step"
    SUMMARY_OP = "summary_op"
    GLOBAL_STEP = "global_step"
    TRAIN_OP = "train_op"
    COND_CONTEXT = "cond_context"
    WHILE_CONTEXT = "while_context"


class Tensor:
    """A symbolic value: output `value_index` of an Operation. Computes nothing by itself."""

    __slots__ = ("_op", "_value_index", "_dtype", "_dims", "_consumers", "__weakref__")
    # NOTE: above NumPy's priority, so `ndarray + tensor` defers to Tensor.__radd__.
    __array_priority__ = 100

    def __init__(self, op: Operation, value_index: int, dtype: _dtypes.DType, dims: Any):
        self._op = op
        self._value_index = value_index
        self._dtype = dtype
        self._dims = dims
        self._consumers: list[Operation] = []

    op = property(lambda self: self._op, doc="The Operation that produces this tensor.")
    value_index = property(lambda self: self._value_index)
    dtype = property(lambda self: self._dtype)
    graph = property(lambda self: self._op._graph)
    device = property(lambda self: self._op._device)

    @property
    def name(self) -> str:
        return f"{self._op._name}:{self._value_index}"

    @property
    def shape(self) -> TensorShape:
        return TensorShape(self._dims)

    def get_shape(self) -> TensorShape:
        return TensorShape(self._dims)

    def set_shape(self, shape: Any) -> None:
        """Refine the static shape; raises ValueError if `shape` contradicts it."""
        new_dims = as_dims(shape)
        if not dims_compatible(self._dims, new_dims):
            raise ValueError(f"Tensor's shape {format_dims(self._dims)} is not compatible "
                             f"with supplied shape {format_dims(new_dims)}")
        self._dims = merge_dims(self._dims, new_dims)

    def consumers(self) -> list[Operation]:
        return list(self._consumers)

    def eval(self, feed_dict: Optional[dict] = None, session: Any = None) -> Any:
        """Evaluate this tensor with `session` or the default session."""
        return defaults.session_for(self, session, "eval").run(self, feed_dict)

    def _as_graph_element(self) -> Tensor:
        return self

    def __str__(self) -> str:
        shape = "" if self._dims is None else f", shape={format_dims(self._dims)}"
        device = f", device={self._op._device}" if self._op._device else ""
        return f'Tensor("{self.name}"{shape}, dtype={self._dtype.name}{device})'

    def __repr__(self) -> str:
        return f"<tf.Tensor '{self.name}' shape={format_dims(self._dims)} dtype={self._dtype.name}>"

    def __bool__(self) -> bool:
        raise TypeError(
            "Using a `tf.Tensor` as a Python `bool` is not allowed. Use `if t is not None:` "
            "instead of `if t:` to test if a tensor is defined, and use TensorFlow ops such as "
            "tf.cond to execute subgraphs conditioned on the value of a tensor.")

    def __iter__(self) -> Iterator:
        raise TypeError("Tensor objects are only iterable when eager execution is enabled. "
                        "To iterate over this tensor use tf.map_fn.")

    def __len__(self) -> int:
        raise TypeError(f"len is not well defined for symbolic Tensors. ({self.name}) "
                        "Please call `x.shape` rather than `len(x)` for shape information.")

    def __array__(self, dtype: Any = None, copy: Any = None) -> Any:
        raise NotImplementedError(
            f"Cannot convert a symbolic Tensor ({self.name}) to a numpy array. Evaluate it "
            "first: `sess.run(t)` or `t.eval()`.")

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict:
        return displayed(self, include, exclude)


def displayed(element: Any, include: Any = None, exclude: Any = None) -> dict:
    """The display bundle of a graph element (its drawing, and its repr as text)."""
    from .render import mimebundle  # NOTE: lazy: drawing loads only when something is shown
    return mimebundle(element, repr(element), include, exclude)


class Operation:
    """One node of the graph: one use of an op kind, with its inputs, attrs and outputs."""

    __slots__ = ("_graph", "_name", "_type", "_inputs", "_control_inputs", "_attrs",
                 "_outputs", "_traceback", "_id", "_control_outputs", "_device", "__weakref__")

    def __init__(self, graph: Graph, op_type: str, name: str, inputs: tuple,
                 control_inputs: tuple, attrs: dict, output_specs: list, traceback: tuple):
        self._graph = graph
        self._name = name
        self._type = op_type
        self._inputs = inputs
        self._control_inputs = control_inputs
        self._attrs = attrs
        self._traceback = traceback
        self._id = 0
        self._control_outputs: list[Operation] = []
        self._device = ""
        self._outputs = tuple([Tensor(self, i, dtype, dims)
                              for i, (dtype, dims) in enumerate(output_specs)])

    name = property(lambda self: self._name)
    type = property(lambda self: self._type)
    graph = property(lambda self: self._graph)
    outputs = property(lambda self: list(self._outputs))
    control_inputs = property(lambda self: list(self._control_inputs))
    device = property(lambda self: self._device, doc="The device asked for with `tf.device`.")
    traceback = property(lambda self: list(self._traceback),
                         doc="(filename, lineno, function) of the user frames that created it.")

    @property
    def inputs(self) -> tuple:
        return tuple(self._inputs)

    @property
    def attrs(self) -> dict:
        return dict(self._attrs)

    @property
    def defined_at(self) -> Optional[tuple]:
        """(filename, lineno, function) of the innermost user frame that created this op."""
        return self._traceback[-1] if self._traceback else None

    def get_attr(self, name: str) -> Any:
        if name not in self._attrs:
            raise ValueError(f"Operation '{self._name}' has no attr named '{name}'.")
        return self._attrs[name]

    def values(self) -> tuple:
        return self._outputs

    def colocation_groups(self) -> list[bytes]:
        """The `loc:@name` groups this op belongs to: its `_class` attr, else its own name."""
        groups = [g for g in self._attrs.get("_class", ()) if g.startswith(b"loc:@")]
        return groups or [f"loc:@{self._name}".encode()]

    def _set_device(self, device: Any) -> None:
        """TF 1's private setter some programs call: a string (kept as written) or DeviceSpec."""
        self._device = device_string(device)

    def run(self, feed_dict: Optional[dict] = None, session: Any = None) -> None:
        """Run this operation with `session` or the default session."""
        defaults.session_for(self, session, "run").run(self, feed_dict)

    @property
    def node_def(self) -> NodeDef:
        return NodeDef(self)

    def _as_graph_element(self) -> Operation:
        return self

    def __repr__(self) -> str:
        return f"<tf.Operation '{self._name}' type={self._type}>"

    def __str__(self) -> str:
        return _node_def_text(self)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict:
        return displayed(self, include, exclude)


class NodeDef:
    """TF's NodeDef of one op, as a read-only view: `name`, `op`, `input`, `device`, `attr`."""

    __slots__ = ("_op",)

    def __init__(self, op: Operation) -> None:
        self._op = op

    name = property(lambda self: self._op._name)
    op = property(lambda self: self._op._type)
    device = property(lambda self: self._op._device)
    attr = property(lambda self: dict(self._op._attrs))

    @property
    def input(self) -> list[str]:
        """Data inputs as "op" or "op:index", then control inputs as "^op"."""
        data = [t._op._name + (f":{t._value_index}" if t._value_index else "")
                for t in self._op._inputs]
        return data + [f"^{c._name}" for c in self._op._control_inputs]

    def __str__(self) -> str:
        return _node_def_text(self._op)


class GraphDef:
    """TF's GraphDef as a snapshot of a graph: `node` holds a NodeDef per op, in creation order."""

    __slots__ = ("node",)

    def __init__(self, ops: list) -> None:
        self.node = [NodeDef(op) for op in ops]

    def __str__(self) -> str:
        return "\n".join("node {\n  " + str(n).replace("\n", "\n  ") + "\n}" for n in self.node)


def _node_def_text(op: Operation) -> str:
    lines = [f'name: "{op._name}"', f'op: "{op._type}"']
    lines.extend(f'input: "{name}"' for name in NodeDef(op).input)
    if op._device:
        lines.append(f'device: "{op._device}"')
    for key, value in sorted(op._attrs.items()):
        if isinstance(value, (_dtypes.DType, bool, int, float, str)) or value is None:
            shown = repr(value) if not isinstance(value, _dtypes.DType) else value.name
            lines.append(f'attr {{ key: "{key}" value: {shown} }}')
    return "\n".join(lines)


class _ControlFrame:
    __slots__ = ("control_ops", "created")

    def __init__(self, control_ops: Optional[list]):
        self.control_ops = control_ops  # None clears every enclosing frame
        self.created: set[int] = set()


class _ThreadState(threading.local):
    def __init__(self) -> None:
        self.name_stack = ""
        self.control_frames: list[_ControlFrame] = []
        self.device_stack: list = []
        self.colocation_stack: list[Operation] = []
        self.attr_scope: dict = {}


class Graph:
    """A TensorFlow-style computation graph: ops in creation order, named uniquely."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._operations: list[Operation] = []
        self._nodes_by_name: dict[str, Operation] = {}
        self._names_in_use: dict[str, int] = {}
        self._collections: dict[str, list] = {}
        self._thread = _ThreadState()
        self._finalized = False
        self._seed: Optional[int] = None
        self._unfeedable: set[Tensor] = set()
        self._unfetchable: set[Any] = set()
        self._creation_listeners: list[Callable[[Operation], None]] = []
        self._variable_scope_store: Any = None  # owned by variables.py

    # --- identity, defaults, lifecycle -------------------------------------------------------

    @property
    def version(self) -> int:
        return len(self._operations)

    @property
    def finalized(self) -> bool:
        return self._finalized

    def finalize(self) -> None:
        """Make the graph read-only: any later op creation raises RuntimeError."""
        self._finalized = True

    def _unsafe_unfinalize(self) -> None:
        self._finalized = False

    def _check_not_finalized(self) -> None:
        if self._finalized:
            raise RuntimeError("Graph is finalized and cannot be modified.")

    @property
    def seed(self) -> Optional[int]:
        return self._seed

    @seed.setter
    def seed(self, value: Optional[int]) -> None:
        self._seed = value

    @contextlib.contextmanager
    def as_default(self) -> Iterator[Graph]:
        """Make this graph the default graph of the current thread inside the `with` block."""
        with defaults.graph_stack.entered(self):
            yield self

    @property
    def building_function(self) -> bool:
        return False

    # --- naming ----------------------------------------------------------------------------

    def unique_name(self, name: str, mark_as_used: bool = True) -> str:
        """Prefix `name` with the current name scope and make it unique, as TF 1 did."""
        name_stack = self._thread.name_stack
        if name_stack:
            name = f"{name_stack}/{name}"
        key = name.lower()
        with self._lock:  # NOTE: threads building in one graph must never get the same name
            count = self._names_in_use.get(key, 0)
            if mark_as_used:
                self._names_in_use[key] = count + 1
            if count > 0:
                base_key = key
                while key in self._names_in_use:
                    key = f"{base_key}_{count}"
                    count += 1
                if mark_as_used:
                    self._names_in_use[key] = 1
                name = f"{name}_{count - 1}"
        return name

    def get_name_scope(self) -> str:
        return self._thread.name_stack

    @contextlib.contextmanager
    def name_scope(self, name: Optional[str]) -> Iterator[str]:
        """Open a name scope; yields the scope's full name with a trailing '/'."""
        thread = self._thread
        if name:
            pattern = _VALID_SCOPE_NAME if thread.name_stack else _VALID_OP_NAME
            if not pattern.match(name):
                raise ValueError(f"'{name}' is not a valid scope name")
        old_stack = thread.name_stack
        if not name:
            new_stack, scope = "", ""
        elif name.endswith("/"):
            new_stack, scope = name[:-1], name
        else:
            new_stack = self.unique_name(name)
            scope = new_stack + "/"
        thread.name_stack = new_stack
        try:
            yield scope
        finally:
            thread.name_stack = old_stack

    # --- control dependencies ----------------------------------------------------------------

    @contextlib.contextmanager
    def control_dependencies(self, control_inputs: Optional[list]) -> Iterator[None]:
        """Ops created inside depend on `control_inputs` (and enclosing lists); None clears."""
        frame = _ControlFrame(None if control_inputs is None else
                              [self._as_control_op(c) for c in control_inputs])
        frames = self._thread.control_frames
        frames.append(frame)
        try:
            yield
        finally:
            frames.remove(frame)

    def _as_control_op(self, item: Any) -> Operation:
        if isinstance(item, (str, bytes)):
            item = self.as_graph_element(item)
        element = getattr(item, "_as_graph_element", None)
        element = element() if element is not None else item
        if isinstance(element, Tensor):
            element = element._op
        if not isinstance(element, Operation):
            raise TypeError(f"Control input must be Operation or Tensor: {item}")
        if element._graph is not self:
            raise ValueError(f"Control input {element!r} must be from the same graph as the "
                             "ops created inside control_dependencies. Build both under the "
                             "same `with graph.as_default():` block.")
        return element

    def _active_control_frames(self) -> list:
        """The frames in effect, outermost first: those opened after the innermost `None`."""
        frames = self._thread.control_frames
        for i in range(len(frames) - 1, -1, -1):
            if frames[i].control_ops is None:
                return frames[i + 1:]
        return frames

    def has_control_dependencies(self) -> bool:
        """Would an op created now on this thread get control inputs?"""
        if not self._thread.control_frames:
            return False
        return any(frame.control_ops for frame in self._active_control_frames())

    def _control_inputs_for(self, input_ops: set) -> tuple:
        result: list[Operation] = []
        for frame in self._active_control_frames():
            if any(id(op) in frame.created for op in input_ops):
                continue  # NOTE: an input made inside this block already carries its deps.
            for op in frame.control_ops:
                if op not in input_ops and op not in result:
                    result.append(op)
        return tuple(result)

    # --- devices and colocation ------------------------------------------------------------

    @contextlib.contextmanager
    def device(self, device_name_or_function: Any) -> Iterator[None]:
        """Ops created inside record this device: a string or DeviceSpec merged under inner
        scopes (an inner "/cpu:0" inside "/job:ps" gives "/job:ps/device:CPU:0"), a function
        of the op, or None to ignore the scopes around. Every op still runs here, in NumPy."""
        stack = self._thread.device_stack
        stack.append(device_scope_entry(device_name_or_function))
        try:
            yield
        finally:
            stack.pop()

    def _place(self, op: Operation, ref_inputs: list) -> None:
        """Set a new op's device and `_class` as TF 1 does: the attr scope, then the device
        scopes, then colocation (explicit, and with the variables it takes by reference,
        which, like `colocate_with`, sets aside the device scopes)."""
        thread = self._thread
        if thread.attr_scope:
            op._attrs = {**thread.attr_scope, **op._attrs}
        colocation = thread.colocation_stack + ref_inputs
        if thread.device_stack and not ref_inputs:
            device_for(thread.device_stack, op, lambda device: setattr(op, "_device", device))
        if colocation:
            _colocate(op, colocation)

    @contextlib.contextmanager
    def colocate_with(self, op: Any, ignore_existing: bool = False) -> Iterator[None]:
        """Ops created inside take `op`'s device and its `loc:@` group (`_class` attr); the
        device scopes around are set aside, as in TF 1. `ignore_existing` drops the enclosing
        colocations; `colocate_with(None, ignore_existing=True)` only drops them."""
        if op is None and not ignore_existing:
            raise ValueError("Trying to reset colocation (op is None) but ignore_existing is "
                             "not True")
        thread = self._thread
        saved_devices, saved_colocation = thread.device_stack, thread.colocation_stack
        thread.device_stack = []
        thread.colocation_stack = [] if ignore_existing else list(saved_colocation)
        if op is not None:
            thread.colocation_stack.append(_op_to_colocate_with(op))
        try:
            yield
        finally:
            thread.device_stack, thread.colocation_stack = saved_devices, saved_colocation

    @contextlib.contextmanager
    def _attr_scope(self, attrs: dict) -> Iterator[None]:
        """Ops created inside get these attrs unless they set them (TF's private attr scope,
        which Variable uses for `_class` before its VariableV2 op exists)."""
        thread = self._thread
        saved = thread.attr_scope
        thread.attr_scope = {**saved, **attrs}
        try:
            yield
        finally:
            thread.attr_scope = saved

    @contextlib.contextmanager
    def container(self, container_name: str) -> Iterator[str]:
        """Accepted for TF 1 programs; variable values already live in each session."""
        yield container_name

    # --- op creation -------------------------------------------------------------------------

    def _create_op(self, op_type: str, inputs: tuple, attrs: dict, output_specs: list,
                   name: str) -> Operation:
        """Add one operation. `name` is final when it ends with '/', else it is uniquified."""
        for t in inputs:
            if t._op._graph is not self:
                self._reject_foreign_input(t)
        thread = self._thread
        frames = self._active_control_frames() if thread.control_frames else ()
        control = self._control_inputs_for({t._op for t in inputs}) if frames else ()
        traceback = user_traceback(skip=2)  # NOTE: from apply_op's _create, ours
        with self._lock:
            self._check_not_finalized()
            final_name = name[:-1] if name.endswith("/") else self.unique_name(name)
            if final_name in self._nodes_by_name:
                raise ValueError(f"Duplicate node name in graph: '{final_name}'")
            op = Operation(self, op_type, final_name, inputs, control, attrs, output_specs,
                           traceback)
            op._id = len(self._operations)
            ref_inputs = _ref_input_ops(op_type, inputs)
            if thread.device_stack or thread.colocation_stack or ref_inputs or thread.attr_scope:
                self._place(op, ref_inputs)
            self._operations.append(op)
            self._nodes_by_name[final_name] = op
        for t in inputs:
            t._consumers.append(op)
        for c in control:
            c._control_outputs.append(op)
        for frame in frames:
            frame.created.add(id(op))
        for listener in self._creation_listeners:
            listener(op)
        return op

    def _reject_foreign_input(self, t: Tensor) -> None:
        raise ValueError(f"{t} must be from the same graph as the other inputs of the op being "
                         f"created (graphs are {t.graph} and {self}). Build every op of one "
                         "computation under the same `with graph.as_default():` block.")

    def _capture(self, t: Tensor) -> Tensor:
        """Hook for function graphs: map an outer tensor into this graph (plain graphs refuse)."""
        self._reject_foreign_input(t)
        return t

    # --- lookup ----------------------------------------------------------------------------

    def get_operations(self) -> list[Operation]:
        return list(self._operations)

    def as_graph_def(self, from_version: Optional[int] = None, add_shapes: bool = False) -> Any:
        """TF's GraphDef protobuf of the ops (only those added since `from_version`, if given)."""
        # NOTE: lazy: the protobuf codec loads only when a GraphDef is asked for
        from .interop.graph_def import graph_to_graph_def
        return graph_to_graph_def(self, from_version, add_shapes)

    @property
    def graph_def_versions(self) -> Any:
        """The VersionDef this graph's GraphDefs carry (TF 2.21's producer)."""
        return self.as_graph_def(from_version=len(self._operations)).versions

    def get_operation_by_name(self, name: str) -> Operation:
        if not isinstance(name, str):
            raise TypeError(f"Operation names are strings (or similar), not {type(name).__name__}.")
        return self.as_graph_element(name, allow_tensor=False, allow_operation=True)

    def get_tensor_by_name(self, name: str) -> Tensor:
        if not isinstance(name, str):
            raise TypeError(f"Tensor names are strings (or similar), not {type(name).__name__}.")
        return self.as_graph_element(name, allow_tensor=True, allow_operation=False)

    def as_graph_element(self, obj: Any, allow_tensor: bool = True,
                         allow_operation: bool = True) -> Any:
        """Resolve a Tensor, Operation, Variable or name to an element of this graph."""
        with self._lock:
            return _as_graph_element(self, obj, allow_tensor, allow_operation)

    def is_feedable(self, tensor: Tensor) -> bool:
        return tensor not in self._unfeedable

    def prevent_feeding(self, tensor: Tensor) -> None:
        self._unfeedable.add(tensor)

    def is_fetchable(self, element: Any) -> bool:
        op = element._op if isinstance(element, Tensor) else element
        return op not in self._unfetchable

    def prevent_fetching(self, op: Operation) -> None:
        """Mark `op` (and so its outputs) as not fetchable."""
        self._unfetchable.add(op._op if isinstance(op, Tensor) else op)

    # --- collections -------------------------------------------------------------------------

    def add_to_collection(self, name: str, value: Any) -> None:
        self._check_not_finalized()
        with self._lock:
            self._collections.setdefault(name, []).append(value)

    def add_to_collections(self, names: Any, value: Any) -> None:
        names = (names,) if isinstance(names, str) else set(names)
        for name in names:
            self.add_to_collection(name, value)

    def get_collection_ref(self, name: str) -> list:
        with self._lock:
            return self._collections.setdefault(name, [])

    def get_collection(self, name: str, scope: Optional[str] = None) -> list:
        with self._lock:
            items = list(self._collections.get(name, []))
        if scope is None:
            return items
        pattern = re.compile(scope)
        return [i for i in items if hasattr(i, "name") and pattern.match(i.name)]

    def get_all_collection_keys(self) -> list[str]:
        """The names of the collections in this graph (including empty ones made by `_ref`)."""
        with self._lock:
            return [k for k in self._collections if isinstance(k, str)]

    @property
    def collections(self) -> list[str]:
        return self.get_all_collection_keys()

    def clear_collection(self, name: str) -> None:
        self._check_not_finalized()
        with self._lock:
            self._collections.pop(name, None)

    def __repr__(self) -> str:
        return f"<tf.Graph at {id(self):#x} with {len(self._operations)} ops>"

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict:
        return displayed(self, include, exclude)


def _as_graph_element(graph: Graph, obj: Any, allow_tensor: bool, allow_operation: bool) -> Any:
    if allow_tensor and allow_operation:
        types_str = "Tensor or Operation"
    elif allow_tensor:
        types_str = "Tensor"
    elif allow_operation:
        types_str = "Operation"
    else:
        raise ValueError("allow_tensor and allow_operation can't both be False.")
    convert = getattr(obj, "_as_graph_element", None)
    if convert is not None and not isinstance(obj, type):
        obj = convert()
    if isinstance(obj, bytes):
        obj = obj.decode()
    if isinstance(obj, str):
        return _element_by_name(graph, obj, allow_tensor, allow_operation, types_str)
    if isinstance(obj, Tensor) and allow_tensor:
        if obj.graph is not graph:
            raise ValueError(f"Tensor {obj} is not an element of this graph.")
        return obj
    if isinstance(obj, Operation) and allow_operation:
        if obj.graph is not graph:
            raise ValueError(f"Operation {obj!r} is not an element of this graph.")
        return obj
    raise TypeError(f"Can not convert a {type(obj).__name__} into a {types_str}.")


def _element_by_name(graph: Graph, name: str, allow_tensor: bool, allow_operation: bool,
                     types_str: str) -> Any:
    nodes = graph._nodes_by_name
    if ":" in name and allow_tensor:
        try:
            op_name, index_text = name.split(":")
            index = int(index_text)
        except ValueError:
            raise ValueError(f"The name {name!r} looks a like a Tensor name, but is not a valid "
                             "one. Tensor names must be of the form "
                             '"<op_name>:<output_index>".') from None
        if op_name not in nodes:
            raise KeyError(f"The name {name!r} refers to a Tensor which does not exist. The "
                           f"operation, {op_name!r}, does not exist in the graph.")
        outputs = nodes[op_name]._outputs
        if not 0 <= index < len(outputs):
            raise KeyError(f"The name {name!r} refers to a Tensor which does not exist. The "
                           f"operation, {op_name!r}, exists but only has {len(outputs)} outputs.")
        return outputs[index]
    if ":" in name:
        raise ValueError(f"Name {name!r} appears to refer to a Tensor, not a {types_str}.")
    if allow_operation:
        if name not in nodes:
            raise KeyError(f"The name {name!r} refers to an Operation not in the graph.")
        return nodes[name]
    if name in nodes:
        message = f"The name {name!r} refers to an Operation, not a {types_str}."
    else:
        message = f"The name {name!r} looks like an (invalid) Operation name, not a {types_str}."
    raise ValueError(message + ' Tensor names must be of the form "<op_name>:<output_index>".')


# --- walking the graph -----------------------------------------------------------------------

def producers(op: Operation) -> list[Operation]:
    """The ops `op` depends on directly: those making its inputs, then its control inputs."""
    return [t._op for t in op._inputs] + list(op._control_inputs)


def reachable(roots: Iterable[Operation],
              neighbours: Callable[[Operation], Iterable[Operation]]) -> set[Operation]:
    """`roots` and every op reached from them through `neighbours`, once each."""
    seen: set[Operation] = set()
    pending = list(roots)
    while pending:
        op = pending.pop()
        if op not in seen:
            seen.add(op)
            pending.extend(neighbours(op))
    return seen


def ancestors(roots: Iterable[Operation],
              upstream: Callable[[Operation], Iterable[Operation]] = producers) -> list[Operation]:
    """`roots` and every op they depend on through `upstream` (by default data and control
    inputs), in creation order, which is a topological order: the graph is append-only."""
    return sorted(reachable(roots, upstream), key=_creation_index)


def _creation_index(op: Operation) -> int:
    return op._id


# --- the default graph (its stack is in defaults.py) ----------------------------------------

def get_default_graph() -> Graph:
    """The innermost graph entered with `as_default()` on this thread, else the global one."""
    state = defaults.graph_stack
    if state.stack:
        return state.stack[-1]
    if state.global_default is None:
        state.global_default = Graph()
    return state.global_default


def reset_default_graph() -> None:
    """Replace this thread's global default graph with a new, empty one."""
    if defaults.graph_stack.stack:
        raise AssertionError("Do not use tf.reset_default_graph() to clear nested graphs. If you "
                             "need a cleared graph, exit the nesting and create a new graph.")
    defaults.graph_stack.global_default = None


@contextlib.contextmanager
def name_scope(name: Optional[str], default_name: Optional[str] = None,
               values: Any = None) -> Iterator[str]:
    """`tf.name_scope(name, default_name=None, values=None)`: in the graph of `values`, if any
    are graph elements, else in the default graph; yields the scope's name with a '/'."""
    if name is None and default_name is None and values is not None:
        raise ValueError(f"At least one of name ({name}) and default_name ({default_name}) "
                         "must be provided.")
    default = get_default_graph()
    graph = default
    if values and not default.building_function:
        graph = _graph_of_values(values) or default
    with contextlib.ExitStack() as stack:
        if graph is not default:
            stack.enter_context(graph.as_default())
        yield stack.enter_context(graph.name_scope(name if name is not None else default_name))


def _graph_of_values(values: Any) -> Optional[Graph]:
    for value in values:
        graph_of = getattr(value, "_graph_of", None)
        graph = graph_of() if graph_of is not None else getattr(value, "graph", None)
        if isinstance(graph, Graph):
            return graph
    return None


def get_name_scope() -> str:
    return get_default_graph().get_name_scope()


def control_dependencies(control_inputs: Optional[list]) -> Any:
    return get_default_graph().control_dependencies(control_inputs)


def add_to_collection(name: str, value: Any) -> None:
    get_default_graph().add_to_collection(name, value)


def add_to_collections(names: Any, value: Any) -> None:
    get_default_graph().add_to_collections(names, value)


def get_collection(key: str, scope: Optional[str] = None) -> list:
    return get_default_graph().get_collection(key, scope)


def get_collection_ref(key: str) -> list:
    return get_default_graph().get_collection_ref(key)


def get_all_collection_keys() -> list[str]:
    return get_default_graph().get_all_collection_keys()


def device(device_name_or_function: Any) -> Any:
    """`with tf.device("/cpu:0"):` on the default graph."""
    return get_default_graph().device(device_name_or_function)


def colocate_with(op: Any, ignore_existing: bool = False) -> Any:
    return get_default_graph().colocate_with(op, ignore_existing)


def container(container_name: str) -> Any:
    return get_default_graph().container(container_name)


def _op_to_colocate_with(value: Any) -> Operation:
    """The op a `colocate_with` argument names: an op, a tensor's or variable's op, or the op
    of what the value converts to (as TF, which builds a Const for a Python value)."""
    if isinstance(value, Operation):
        return value
    op = getattr(value, "op", None)
    if isinstance(op, Operation):
        return op
    from .ops.conversion import convert_to_tensor  # NOTE: lazy: the ops layer imports graph
    return convert_to_tensor(value).op


def _colocate(op: Operation, targets: list) -> None:
    """TF's rule: the groups of every target, sorted; the device of the innermost target that
    has one (else the op keeps its own)."""
    groups: set = set()
    device = None
    for target in reversed(targets):
        groups.update(target.colocation_groups())
        if device is None and target._device:
            device = target._device
    if device is not None:
        op._device = device
    op._attrs = {**op._attrs, "_class": sorted(groups)}


_VARIABLE_OPS = frozenset({"VariableV2", "Variable", "TemporaryVariable"})


def _ref_input_ops(op_type: str, inputs: tuple) -> list:
    """The ops of the variables an op takes by reference (an Assign's variable, an Apply*'s
    variable and slots): TF colocates the op with each, in order."""
    if not inputs or inputs[0]._op._type not in _VARIABLE_OPS:
        return []  # NOTE: a ref input is a variable, and every op taking one takes it first
    from .ops.registry import OPS  # NOTE: lazy: the registry imports graph
    opdef = OPS.get(op_type)
    positions = opdef.ref_inputs if opdef is not None else ()
    if not positions or positions == "all":
        return []
    return [inputs[i]._op for i in positions if i < len(inputs)]


def is_tensor(x: Any) -> bool:
    return isinstance(x, Tensor)


def validate_op_name(name: str, graph: Optional[Graph] = None) -> None:
    """Raise TF's ValueError for a name that cannot name a node (checked with its scope, so
    `_x` is fine inside a scope, as in TF)."""
    scope = (graph or get_default_graph())._thread.name_stack
    full_name = f"{scope}/{name}" if scope and not name.endswith("/") else name
    if not _VALID_OP_NAME.match(full_name.rstrip("/") or "?"):
        raise ValueError(f"'{name}' is not a valid node name")
