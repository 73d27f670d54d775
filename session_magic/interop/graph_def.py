"""GraphDef protobufs, both ways: `graph_to_graph_def` writes a graph's ops as TF writes them
(op names, inputs `name:1` and `^ctrl`, devices, attrs as AttrValues, dtype attrs such as `T`
and `Tidx` read off the tensors), and `import_graph_def` builds the ops of a GraphDef, ours or
one real TensorFlow wrote (a frozen model), into the default graph with TF's name prefixing;
TF1's Switch/Merge conds become this project's `cond` (tf1_cond.py finds them), its while loops
this project's `while_loop` and its TensorArrayV3 ops TensorList ops (tf1_while.py).

Attrs are Python values in `op._attrs` under TF's names; the type attrs TF requires are derived
from TF's op signatures (tf_op_signatures.json), so no op type needs a table of its own here.
"""
from __future__ import annotations

import json
import os
from contextlib import nullcontext
from typing import Any, Optional, Sequence

import numpy as np

from .. import dtypes as _dtypes
from .. import proto
from ..graph import Graph, Operation, Tensor, get_default_graph, name_scope
from ..ops.registry import OPS, ShapeError
from .tf1_cond import find_conds
from .tf1_while import (LOOP_OPS, TENSOR_ARRAY_OPS, build_tensor_array_op, find_loops,
                        in_order, ordering_nodes)

__all__ = ["graph_to_graph_def", "node_def", "import_graph_def", "load_graph_def", "write_graph",
           "attr_value", "python_value", "tensor_proto", "tensor_value", "PRODUCER"]

# NOTE: the GraphDef version TF 2.21 writes (as_graph_def().versions); TF 1.x readers accept it
# too, since no min_consumer is set
PRODUCER = 2474

# NOTE: attrs that hold a TensorShape (a tuple of dims, None for unknown rank), not a list of
# ints, and those holding a list of them
SHAPE_ATTRS = frozenset({"shape", "element_shape"})
SHAPE_LIST_ATTRS = frozenset({"_output_shapes", "output_shapes", "shapes", "dense_shapes"})

# NOTE: TF1 op types that older frozen graphs hold, run by a registered op of the same meaning
# (their outputs are a prefix of its outputs); the imported op has the registered type
ALIASES = {"FusedBatchNorm": "FusedBatchNormV3", "FusedBatchNormV2": "FusedBatchNormV3",
           "BatchMatMul": "BatchMatMulV2", "Snapshot": "Identity"}


def _signatures() -> dict:
    """TF's op signatures, recorded from TF 2.21 by tests/golden/record_frozen.py --signatures:
    per op type, (inputs, outputs, its other attrs' defaults or None for none); an input or
    output is 'T' (its dtype is attr T), 'N*T' (attr N of them, of dtype T), '[T]' (a list of
    dtypes T) or '' (a fixed dtype)."""
    path = os.path.join(os.path.dirname(__file__), "tf_op_signatures.json")
    with open(path, encoding="utf-8") as handle:
        table = json.load(handle)
    return {name: (tuple(inputs), tuple(outputs), defaults)
            for name, (inputs, outputs, defaults) in table.items()}


SIGNATURES = _signatures()

# NOTE: TF1's cond ops, imported as this project's cond when they form one (tf1_cond.py)
COND_OPS = frozenset({"Switch", "Merge"})

_ENUM_OF = {d: proto.DATA_TYPES["DT_" + d._proto_name.upper()]
            for d in (*_dtypes.ALL_DTYPES, _dtypes.variant)}
_DTYPE_OF = {number: d for d, number in _ENUM_OF.items()}
_DTYPE_OF.update({number + 100: d for d, number in _ENUM_OF.items()})  # reference types

# NOTE: which TensorProto field TF writes values of a dtype into when not as tensor_content
_VALUE_FIELD = {"float16": "half_val", "float32": "float_val", "float64": "double_val",
                "int8": "int_val", "int16": "int_val", "int32": "int_val", "uint8": "int_val",
                "uint16": "int_val", "int64": "int64_val", "uint32": "uint32_val",
                "uint64": "uint64_val", "bool": "bool_val", "complex64": "scomplex_val",
                "complex128": "dcomplex_val", "string": "string_val"}


# --- values <-> protos -------------------------------------------------------------------------

def dtype_enum(dtype: Any) -> int:
    return _ENUM_OF[_dtypes.as_dtype(dtype)]


def dtype_of_enum(number: int) -> _dtypes.DType:
    if number not in _DTYPE_OF:
        name = next((k for k, v in proto.DATA_TYPES.items() if v == number), str(number))
        raise ValueError(f"DataType {name} has no dtype in session_magic")
    return _DTYPE_OF[number]


def shape_proto(dims: Any) -> proto.TensorShapeProto:
    """TF's TensorShapeProto of dims: unknown_rank for None, size -1 for an unknown dim."""
    if dims is None:
        return proto.TensorShapeProto(unknown_rank=True)
    return proto.TensorShapeProto(dim=[proto.TensorShapeProto.Dim(size=-1 if d is None else d)
                                       for d in dims])


def shape_dims(shape: proto.TensorShapeProto) -> Optional[tuple]:
    if shape.unknown_rank:
        return None
    return tuple(None if d.size < 0 else d.size for d in shape.dim)


def tensor_proto(value: Any, dtype: Any = None) -> proto.TensorProto:
    """A TensorProto as TF's make_tensor_proto writes it: raw little-endian bytes in
    tensor_content for more than one number, the typed `*_val` field for one (and for strings)."""
    dtype = _dtypes.as_dtype(dtype if dtype is not None else np.asarray(value).dtype)
    array = np.asarray(value, dtype=None if dtype is _dtypes.string else dtype.as_numpy_dtype)
    message = proto.TensorProto(dtype=_ENUM_OF[dtype], tensor_shape=shape_proto(array.shape))
    field = _VALUE_FIELD[dtype.name]
    if dtype is _dtypes.string:
        setattr(message, field, [v if isinstance(v, bytes) else str(v).encode()
                                 for v in array.ravel()])
    elif array.size > 1:
        message.tensor_content = array.astype(array.dtype.newbyteorder("<")).tobytes()
    elif array.size == 1:
        setattr(message, field, _typed_values(array))
    return message


def _typed_values(array: np.ndarray) -> list:
    if array.dtype == np.float16:
        return [int(v) for v in array.view(np.uint16).ravel()]
    if array.dtype.kind == "c":
        return [float(p) for v in array.ravel() for p in (v.real, v.imag)]
    return array.ravel().tolist()


def tensor_value(message: proto.TensorProto) -> np.ndarray:
    """The NumPy array of a TensorProto; a short typed field repeats its last value, as TF's."""
    dtype = dtype_of_enum(message.dtype)
    dims = shape_dims(message.tensor_shape) or ()
    size = int(np.prod(dims, dtype=np.int64))
    if message.tensor_content:
        numpy_dtype = dtype.numpy_dtype.newbyteorder("<")
        return np.frombuffer(message.tensor_content, numpy_dtype).astype(
            dtype.numpy_dtype).reshape(dims)
    values = list(getattr(message, _VALUE_FIELD[dtype.name]))
    if dtype is _dtypes.string:
        return np.array(values + [b""] * (size - len(values)), dtype=object).reshape(dims)
    if dtype.name == "float16":
        array = np.array(values, np.uint16).view(np.float16)
    elif dtype.is_complex:
        array = np.array(values, dtype.real_dtype.numpy_dtype).view(dtype.numpy_dtype)
    else:
        array = np.array(values, dtype.numpy_dtype)
    if array.size < size:
        fill = array[-1] if array.size else np.zeros((), dtype.numpy_dtype)
        array = np.concatenate([array, np.full(size - array.size, fill, dtype.numpy_dtype)])
    return array.reshape(dims)


def attr_value(name: str, value: Any) -> Optional[proto.AttrValue]:
    """The AttrValue of one of our attrs, or None for one TF cannot hold (a Python function)."""
    if name in SHAPE_LIST_ATTRS and isinstance(value, (tuple, list)):
        return proto.AttrValue(list=proto.AttrValue.ListValue(
            shape=[shape_proto(v) for v in value]))
    if name in SHAPE_ATTRS and (value is None or isinstance(value, (tuple, list))):
        return proto.AttrValue(shape=shape_proto(value))
    if isinstance(value, (list, tuple)):
        listed = _list_value(list(value))
        return None if listed is None else proto.AttrValue(list=listed)
    if isinstance(value, np.ndarray):
        return proto.AttrValue(tensor=tensor_proto(value))
    scalar = _scalar_field(value)
    return None if scalar is None else proto.AttrValue(**{scalar[0]: scalar[1]})


def _scalar_field(value: Any) -> Optional[tuple]:
    if isinstance(value, _dtypes.DType):
        return "type", _ENUM_OF[value]
    if isinstance(value, (bool, np.bool_)):
        return "b", bool(value)
    if isinstance(value, (int, np.integer)):
        return "i", int(value)
    if isinstance(value, (float, np.floating)):
        return "f", float(value)
    if isinstance(value, str):
        return "s", value.encode()
    if isinstance(value, bytes):
        return "s", value
    return None


def _list_value(values: list) -> Optional[proto.AttrValue.ListValue]:
    fields = [_scalar_field(v) for v in values]
    if any(f is None for f in fields):
        return None
    kinds = {f[0] for f in fields}
    if kinds == {"i", "f"}:
        kinds, fields = {"f"}, [("f", float(v)) for _, v in fields]
    if len(kinds) > 1:
        return None
    listed = proto.AttrValue.ListValue()
    if fields:
        setattr(listed, kinds.pop(), [v for _, v in fields])
    return listed


def python_value(value: proto.AttrValue) -> Any:
    """Our Python value of an AttrValue (DType, tuple of dims, NumPy array, str, list...)."""
    kind = value.WhichOneof("value")
    if kind is None:
        return None
    if kind == "list":
        listed = value.list
        for field in ("s", "i", "f", "b", "type", "shape", "tensor"):
            items = getattr(listed, field)
            if items:
                return [_one(field, item) for item in items]
        return []
    return _one(kind, getattr(value, kind))


def _one(kind: str, item: Any) -> Any:
    if kind == "type":
        return dtype_of_enum(item)
    if kind == "shape":
        return shape_dims(item)
    if kind == "tensor":
        return tensor_value(item)
    if kind == "s":
        try:
            return item.decode()
        except UnicodeDecodeError:
            return item
    return item


# --- export ------------------------------------------------------------------------------------

def graph_to_graph_def(graph: Graph, from_version: Optional[int] = None,
                       add_shapes: bool = False) -> proto.GraphDef:
    """TF's GraphDef of `graph` (the ops added since `from_version`, if given); with
    `add_shapes`, each node's `_output_shapes`."""
    with graph._lock:
        ops = list(graph._operations[from_version or 0:])
    graph_def = proto.GraphDef(versions=proto.VersionDef(producer=PRODUCER))
    graph_def.node.extend(node_def(op, add_shapes) for op in ops)
    return graph_def


def node_def(op: Operation, add_shapes: bool = False) -> proto.NodeDef:
    """One op as TF's NodeDef."""
    inputs = [t._op._name + (f":{t._value_index}" if t._value_index else "") for t in op._inputs]
    inputs += [f"^{c._name}" for c in op._control_inputs]
    node = proto.NodeDef(name=op._name, op=op._type, input=inputs, device=op._device)
    attrs = {}
    for name, value in _tf_attrs(op).items():
        encoded = attr_value(name, value)
        if encoded is not None:
            attrs[name] = encoded
    if add_shapes:
        attrs["_output_shapes"] = attr_value("_output_shapes", [t._dims for t in op._outputs])
    node.attr = attrs
    return node


def _tf_attrs(op: Operation) -> dict:
    """Our attrs under TF's names, TF's defaults for those we leave out, and the type attrs."""
    signature = SIGNATURES.get(op._type)
    if signature is None:
        return dict(op._attrs)
    inputs, outputs, defaults = signature
    attrs = {}
    for name, default in defaults.items():
        if name in op._attrs:
            attrs[name] = op._attrs[name]
        elif default is not None:
            attrs[name] = default
    type_attrs = _type_attrs(outputs, op._outputs)
    type_attrs.update(_type_attrs(inputs, op._inputs))
    return {**type_attrs, **attrs}


def _type_attrs(args: Sequence[str], tensors: Sequence[Tensor]) -> dict:
    """The type (and number) attrs of an op's inputs or outputs, read off its tensors."""
    found: dict = {}
    for arg, group in zip(args, _grouped(args, list(tensors)), strict=True):
        if "*" in arg:
            number, type_attr = arg.split("*")
            found[number] = len(group)
            if type_attr and group:
                found[type_attr] = group[0]._dtype
        elif arg.startswith("["):
            found[arg[1:-1]] = [t._dtype for t in group]
        elif arg and group:
            found[arg] = group[0]._dtype
    return found


def _grouped(args: Sequence[str], tensors: list) -> list:
    """The tensors split among `args`: one each, the rest shared by the list args."""
    lists = [a for a in args if "*" in a or a.startswith("[")]
    rest = len(tensors) - (len(args) - len(lists))
    groups, position = [], 0
    for arg in args:
        count = max(rest, 0) // len(lists) if arg in lists else 1
        groups.append(tensors[position:position + count])
        position += count
    return groups


# --- import ------------------------------------------------------------------------------------

def import_graph_def(graph_def: Any, input_map: Optional[dict] = None,
                     return_elements: Optional[Sequence[str]] = None, name: Optional[str] = None,
                     op_dict: Any = None, producer_op_list: Any = None) -> Optional[list]:
    """`tf.import_graph_def`: build the nodes of `graph_def` into the default graph, named
    `import/<node>` (or `<name>/<node>`; no prefix for name=""), with `input_map` replacing
    tensors (`{"x:0": t}`) and returning the `return_elements` (`"op"` or `"op:0"`)."""
    if not isinstance(graph_def, proto.GraphDef):
        raise TypeError(f"graph_def must be a GraphDef proto, got {type(graph_def).__name__}.")
    input_map = _checked_input_map(input_map)
    loops, problems = find_loops(graph_def.node)
    in_loops = {name for loop in loops.values() for name in loop.structure}
    conds = find_conds(graph_def.node, in_loops) if _has_switches(graph_def) else {}
    understood = TENSOR_ARRAY_OPS | (COND_OPS if conds is not None else set())
    _check_op_types(graph_def.node, understood, () if problems else in_loops, problems)
    nodes = _in_dependency_order(ordering_nodes(graph_def.node, loops))
    with name_scope(name, "import", list(input_map.values())) as scope:
        built = _Importer(scope if name != "" else "", input_map, graph_def.node, nodes, conds,
                          loops)
        built.add_all()
    unused = sorted(set(input_map) - built.mapped)
    if unused:
        raise ValueError(f"Attempted to map inputs that were not found in graph_def: "
                         f"[{', '.join(unused)}]")
    if return_elements is None:
        return None
    return [built.element(element) for element in return_elements]


def load_graph_def(path: str) -> proto.GraphDef:
    """The GraphDef in a file `tf.train.write_graph` wrote: binary (.pb) or text (.pbtxt)."""
    with open(path, "rb") as file:
        data = file.read()
    graph_def = proto.GraphDef()
    try:
        graph_def.ParseFromString(data)
        if graph_def.node or not data:
            return graph_def
    except (proto.DecodeError, ValueError, IndexError):
        pass
    return proto.parse_text(data.decode(), proto.GraphDef())


def _checked_input_map(input_map: Optional[dict]) -> dict:
    result = {}
    for key, value in (input_map or {}).items():
        if not isinstance(key, str):
            raise TypeError(f"input_map keys are tensor names (str), got {key!r}")
        if not key.startswith("^") and ":" not in key:
            key += ":0"
        if not isinstance(value, (Tensor, Operation)):
            raise TypeError(f"input_map values must be Tensors, got {value!r} for {key!r}")
        result[key] = value
    return result


def _source(input_name: str) -> str:
    return input_name.lstrip("^").split(":")[0]


def _in_dependency_order(nodes: Sequence[proto.NodeDef]) -> list:
    """Nodes with each after its inputs (TF allows GraphDefs in any order); ValueError names
    the nodes of a cycle or an input that is no node of the GraphDef."""
    by_name = {node.name: node for node in nodes}
    for node in nodes:
        for input_name in node.input:
            if _source(input_name) not in by_name:
                raise ValueError(f"Node '{node.name}': Unknown input node '{input_name}'")
    ordered, state = [], {}
    for node in nodes:
        stack = [(node, iter(node.input))]
        if state.get(node.name):
            continue
        state[node.name] = "visiting"
        while stack:
            current, pending = stack[-1]
            following = next(pending, None)
            if following is None:
                stack.pop()
                state[current.name] = "done"
                ordered.append(current)
                continue
            source = by_name[_source(following)]
            if state.get(source.name) == "visiting":
                raise ValueError(f"GraphDef has a cycle through node '{source.name}' "
                                 f"({source.op}) that is no TF1 while loop")
            if source.name not in state:
                state[source.name] = "visiting"
                stack.append((source, iter(source.input)))
    return ordered


def _has_switches(graph_def: proto.GraphDef) -> bool:
    return any(node.op in COND_OPS for node in graph_def.node)


def _check_op_types(nodes: Sequence[proto.NodeDef], understood: Any, in_loops: Any = (),
                    problems: Sequence[str] = ()) -> None:
    """One error naming every op type of the GraphDef that has no kernel here (`understood`:
    TF1's TensorArray ops, and TF1 cond's when every Switch and Merge outside loops forms a
    cond imported as `cond`; the loop ops of nodes `in_loops`, imported as `while_loop`), and
    the `problems` of loops that are not imported."""
    missing: dict = {}
    functional: dict = {}
    for node in nodes:
        op_type = ALIASES.get(node.op, node.op)
        if op_type in understood or op_type in LOOP_OPS and node.name in in_loops:
            continue
        # NOTE: an op holding functions cannot come from a GraphDef: TF's keep FunctionDefs in
        # the library, which this importer does not read
        if op_type not in OPS:
            missing.setdefault(node.op, []).append(node.name)
        elif OPS[op_type].holds_functions:
            functional.setdefault(node.op, []).append(node.name)
    if missing or functional:
        text = "Cannot import the GraphDef:"
        if missing:
            text += (f" {len(missing)} op type{'s are' if len(missing) > 1 else ' is'} not "
                     f"registered in session_magic: {_listed(missing)}.")
        if functional:
            text += (f" {_listed(functional)} call functions or hold Python objects (a TF2 "
                     "cond or while_loop; one built here is exported without its branches, a "
                     "tf.data pipeline without its dataset), which the importer cannot "
                     "rebuild from a GraphDef; TF1's Switch/Merge and Enter/Exit forms "
                     "import.")
        raise ValueError(text + "".join(f" Not converted: {p}." for p in problems))


def _listed(nodes_by_type: dict) -> str:
    return "; ".join(f"{op_type} (e.g. node '{names[0]}', {len(names)} node"
                     f"{'s' if len(names) > 1 else ''})"
                     for op_type, names in sorted(nodes_by_type.items()))


class _Scope:
    """The ops built for GraphDef nodes in one graph (the imported one, or a function's), and
    tensors standing for node outputs (a loop's arguments, TF1 TensorArray flows, Exits)."""

    def __init__(self, tensors: Optional[dict] = None, pivots: Any = ()) -> None:
        self.ops: dict = {}
        self.tensors: dict = dict(tensors or {})
        # NOTE: TF1 gives a loop body's input-less nodes (constants) a control input from a
        # loop variable's Identity only to place them in the loop's frame; a function graph
        # needs none, and a gradient folds such constants only when they have none
        self.pivots = frozenset(pivots)

    def get(self, key: str) -> Optional[Tensor]:
        if key in self.tensors:
            return self.tensors[key]
        source, _, index = key.rpartition(":")
        op = self.ops.get(source)
        return None if op is None else op._outputs[int(index)]


class _Importer:
    """Builds imported nodes one by one, remembering each node's op by its GraphDef name; a
    TF1 cond's branch nodes are built inside the branch functions of this project's `cond`, a
    TF1 while loop's inside the functions of its `while_loop`."""

    def __init__(self, prefix: str, input_map: dict, all_nodes: Sequence[proto.NodeDef],
                 nodes: list, conds: dict, loops: dict) -> None:
        self.prefix, self.input_map, self.nodes = prefix, input_map, nodes
        self.conds, self.loops = conds, loops
        self.by_name = {node.name: node for node in all_nodes}
        self.scopes = [_Scope()]  # NOTE: the last is the graph being built
        self.mapped: set = set()
        self.skipped = {name for cond in conds.values() for names in cond.members.values()
                        for name in names}
        self.skipped |= {node.name for node in all_nodes if node.op == "Switch"}
        self.skipped |= {node.name for node in nodes if node.op == "Exit"}

    @property
    def ops(self) -> dict:
        return self.scopes[0].ops

    def add_all(self) -> None:
        for node in self.nodes:
            if node.name in self.loops:
                self.add_loop(self.loops[node.name])
            else:
                self.add_node(node)

    def add_node(self, node: proto.NodeDef) -> None:
        """A node, or the cond its Merge ends; nothing for a cond's Switch or branch node."""
        if node.name in self.conds:
            self.add_cond(self.conds[node.name])
        elif node.name not in self.skipped:
            self.add(node)

    def attrs(self, node: proto.NodeDef) -> dict:
        """A node's attrs as Python values, with the defaults of TF's signature it left out."""
        attrs = {key: python_value(value) for key, value in node.attr.items()
                 if not key.startswith("_")}
        signature = SIGNATURES.get(ALIASES.get(node.op, node.op))
        for key, default in (signature[2] if signature else {}).items():
            if key not in attrs and default is not None:
                attrs[key] = default
        return attrs

    def add(self, node: proto.NodeDef) -> Operation:
        graph = get_default_graph()
        controls = [c for c in (self.control(name[1:]) for name in node.input
                                if name.startswith("^")) if c is not None]
        scope = self.scopes[-1]
        name = ("" if len(self.scopes) > 1 else self.prefix) + node.name + "/"
        with graph.control_dependencies(controls) if controls else nullcontext():
            if node.op in TENSOR_ARRAY_OPS:
                op, outputs = build_tensor_array_op(self, node, name)
                scope.tensors.update({f"{node.name}:{i}": t for i, t in enumerate(outputs)})
            else:
                op = self._create(node, graph, name)
        op._device = node.device
        with graph._lock:  # NOTE: as TF: a later op named like an imported one is renamed
            graph._names_in_use.setdefault(op._name.lower(), 1)
        scope.ops[node.name] = op
        return op

    def _create(self, node: proto.NodeDef, graph: Graph, name: str) -> Operation:
        op_type = ALIASES.get(node.op, node.op)
        inputs = [self.tensor(name) for name in node.input if not name.startswith("^")]
        attrs = self.attrs(node)
        try:
            specs = OPS[op_type].infer(inputs, attrs)
        except (ShapeError, ValueError, KeyError, TypeError, AttributeError) as error:
            raise ValueError(f"Cannot import node '{node.name}' ({node.op}): {error}") from None
        return graph._create_op(op_type, tuple(inputs), attrs, specs, name)

    def add_cond(self, cond: Any) -> None:
        """A TF1 cond as `cond(pred, true branch, false branch)`, its result an Identity
        named as the Merge was."""
        from ..ops.functional import cond as build_cond  # NOTE: lazy, as ops/ modules load
        result = build_cond(self.tensor(cond.pred), self._branch(cond, 1),
                            self._branch(cond, 0), name=cond.merge.name + "_cond")
        self._named_identity(cond.merge.name, result)

    def _named_identity(self, name: str, value: Tensor) -> None:
        graph = get_default_graph()
        prefix = "" if len(self.scopes) > 1 else self.prefix
        self.scopes[-1].ops[name] = graph._create_op(
            "Identity", (value,), {}, [(value._dtype, value._dims)], prefix + name + "/")

    def _branch(self, cond: Any, port: int) -> Any:
        def build() -> Tensor:
            self.scopes.append(_Scope())
            try:
                for name in in_order(cond.members[port], self.by_name):
                    self.add(self.by_name[name])
                return self.tensor(cond.outputs[port])
            finally:
                self.scopes.pop()
        return build

    def add_loop(self, loop: Any) -> None:
        """A TF1 while loop as `while_loop(condition, body, initial values)`, each Exit an
        Identity of its variable's result, named as the Exit was."""
        from ..ops.functional import while_loop  # NOTE: lazy, as ops/ modules load
        initial = [self.tensor(v.enter.input[0]) for v in loop.variables]
        functions = (self._loop_function(loop, "cond"), self._loop_function(loop, "body"))
        try:
            results = while_loop(*functions, initial, parallel_iterations=loop.parallel_iterations,
                                 name=loop.frame, return_same_structure=True)
        except ValueError as error:
            if "enters the loop with shape" not in str(error):
                raise
            # NOTE: TF's shape inference knew a loop variable's shape better than ours: build
            # again with shapes left unknown, as a shape invariant TF checked would allow
            results = while_loop(*functions, initial, shape_invariants=[None] * len(initial),
                                 parallel_iterations=loop.parallel_iterations,
                                 name=loop.frame, return_same_structure=True)
        for variable, result in zip(loop.variables, results, strict=True):
            for name in variable.exits:
                self._named_identity(name, result)

    def _loop_function(self, loop: Any, which: str) -> Any:
        """The loop's condition or body: its nodes built with the loop variables as the
        Merges' outputs (the condition's) or the Switches' true outputs (the body's)."""
        def build(*values: Tensor) -> Any:
            keys = [f"{v.merge}:0" if which == "cond" else f"{v.switch}:1"
                    for v in loop.variables]
            self.scopes.append(_Scope(dict(zip(keys, values, strict=True)), loop.pivots))
            try:
                for name in loop.cond_nodes if which == "cond" else loop.body_nodes:
                    self.add_node(self.by_name[name])
                if which == "cond":
                    return self.tensor(loop.pred)
                return [self.tensor(v.next_value) for v in loop.variables]
            finally:
                self.scopes.pop()
        return build

    def tensor(self, input_name: str) -> Tensor:
        source, _, index = input_name.partition(":")
        key = f"{source}:{index or 0}"
        if key in self.input_map:
            self.mapped.add(key)
            return self._here(self.input_map[key])
        for scope in reversed(self.scopes[1:]):
            found = scope.get(key)
            if found is not None:
                return self._here(found)
        # NOTE: in a function, a branch's side of its data (Switch), a loop invariant (Enter)
        if len(self.scopes) > 1 and self.by_name[source].op in ("Switch", "Enter"):
            return self.tensor(self.by_name[source].input[0])
        found = self.scopes[0].get(key)
        if found is None:
            raise ValueError(f"Cannot import: node '{source}' is read before it is built "
                             f"(as '{input_name}')")
        return self._here(found)

    def control(self, source: str) -> Optional[Operation]:
        """The op a control input names; None for one outside the function being built."""
        key = "^" + source
        if key in self.input_map:
            self.mapped.add(key)
            value = self.input_map[key]
            return value if isinstance(value, Operation) else value._op
        if len(self.scopes) == 1:
            return self.ops[source]
        return None if source in self.scopes[-1].pivots else self.scopes[-1].ops.get(source)

    def element(self, name: str) -> Any:
        source, colon, index = name.partition(":")
        if source not in self.ops:
            raise ValueError(f"Requested return_element {name!r} not found in graph_def.")
        op = self.ops[source]
        return self.scopes[0].get(f"{source}:{index}") if colon else op

    @staticmethod
    def _here(t: Tensor) -> Tensor:
        """`t` as the graph being built sees it: captured by a branch function."""
        graph = get_default_graph()
        return graph._capture(t) if t._op._graph is not graph else t


def write_graph(graph_or_graph_def: Any, logdir: str, name: str, as_text: bool = True) -> str:
    """`tf.train.write_graph`: the GraphDef (of a Graph, or as given) in `logdir/name`, as text
    format or binary; creates `logdir`; returns the file's path."""
    graph_def = graph_or_graph_def
    if isinstance(graph_def, Graph):
        graph_def = graph_def.as_graph_def()
    if not isinstance(graph_def, proto.GraphDef):
        raise TypeError(f"graph_or_graph_def must be a Graph or GraphDef, got "
                        f"{type(graph_or_graph_def).__name__}")
    os.makedirs(logdir, exist_ok=True)
    return write_message(os.path.join(logdir, name), graph_def, as_text)


def write_message(path: str, message: Any, as_text: bool) -> str:
    """`message` into `path`: protobuf text format, or its binary encoding. Returns `path`."""
    if as_text:
        with open(path, "w", encoding="utf-8") as file:
            file.write(proto.text_format(message))
    else:
        with open(path, "wb") as file:
            file.write(message.SerializeToString())
    return path
