"""MetaGraphDefs for graphs this project wrote: `export_meta_graph` stores the GraphDef and the
collections (ops and tensors by name, variables as TF's VariableDef, numbers and strings), and
`import_meta_graph` builds them back into the default graph, Variables included, so a Saver
restores their values."""
from __future__ import annotations

import os
from typing import Any, Optional, Sequence

from .. import proto
from ..graph import Operation, Tensor, get_default_graph
from ..proto.wire import Field as F
from ..proto.wire import Message
from ..variables import Variable
from .graph_def import import_graph_def, write_message

__all__ = ["VariableDef", "export_meta_graph", "import_meta_graph", "read_meta_graph_file"]


class VariableDef(Message):
    """variable.proto's VariableDef: how TF names a variable's ops in a collection."""

    FIELDS = (F(1, "variable_name", "string"), F(2, "initializer_name", "string"),
              F(3, "snapshot_name", "string"), F(5, "is_resource", "bool"),
              F(6, "initial_value_name", "string"), F(7, "trainable", "bool"))


def export_meta_graph(filename: Optional[str] = None, meta_info_def: Any = None,
                      graph_def: Any = None, saver_def: Any = None,
                      collection_list: Optional[Sequence[str]] = None, as_text: bool = False,
                      graph: Any = None, export_scope: Optional[str] = None,
                      clear_devices: bool = False, clear_extraneous_savers: bool = False,
                      strip_default_attrs: bool = False, save_debug_info: bool = False,
                      **kwargs: Any) -> proto.MetaGraphDef:
    """`tf.train.export_meta_graph`: the graph's MetaGraphDef, written to `filename` if given."""
    if export_scope:
        raise ValueError("export_meta_graph: export_scope is not supported by session_magic; "
                         "export the whole graph")
    graph = graph or get_default_graph()
    meta = proto.MetaGraphDef(
        meta_info_def=meta_info_def or proto.MetaInfoDef(meta_graph_version="v1"),
        graph_def=graph_def or graph.as_graph_def(add_shapes=True))
    if saver_def is not None:
        meta.saver_def = saver_def
    if clear_devices:
        for node in meta.graph_def.node:
            node.device = ""
    keys = graph.get_all_collection_keys() if collection_list is None else collection_list
    collections = {}
    for key in keys:
        collection = _collection_def(graph.get_collection(key))
        if collection is not None:
            collections[key] = collection
    meta.collection_def = collections
    if filename:
        _write(meta, filename, as_text)
    return meta


def _collection_def(items: list) -> Optional[proto.CollectionDef]:
    """A collection as TF stores it, or None for one holding values TF cannot store."""
    if not items:
        return None
    if all(isinstance(v, Variable) for v in items):
        defs = [_variable_def(v).SerializeToString() for v in items]
        return proto.CollectionDef(bytes_list=proto.BytesList(value=defs))
    if all(isinstance(v, (Tensor, Operation)) for v in items):
        return proto.CollectionDef(node_list=proto.CollectionDef.NodeList(
            value=[v.name for v in items]))
    if all(isinstance(v, int) and not isinstance(v, bool) for v in items):
        return proto.CollectionDef(int64_list=proto.Int64List(value=items))
    if all(isinstance(v, float) for v in items):
        return proto.CollectionDef(float_list=proto.FloatList(value=items))
    if all(isinstance(v, (str, bytes)) for v in items):
        values = [v.encode() if isinstance(v, str) else v for v in items]
        return proto.CollectionDef(bytes_list=proto.BytesList(value=values))
    return None


def _variable_def(variable: Variable) -> VariableDef:
    return VariableDef(variable_name=variable.name, initializer_name=variable.initializer.name,
                       snapshot_name=variable._snapshot.name,
                       initial_value_name=variable.initial_value.name,
                       trainable=variable.trainable)


def _write(meta: proto.MetaGraphDef, filename: str, as_text: bool) -> None:
    directory = os.path.dirname(filename)
    if directory:
        os.makedirs(directory, exist_ok=True)
    write_message(filename, meta, as_text)


def read_meta_graph_file(filename: str) -> proto.MetaGraphDef:
    """The MetaGraphDef in a file, binary or text."""
    with open(filename, "rb") as file:
        data = file.read()
    try:
        meta = proto.MetaGraphDef.FromString(data)
        if meta.HasField("graph_def") or not data:
            return meta
    except (proto.DecodeError, ValueError, IndexError):
        pass
    return proto.parse_text(data.decode(), proto.MetaGraphDef())


def import_meta_graph(meta_graph_or_file: Any, clear_devices: bool = False,
                      import_scope: Optional[str] = None, **kwargs: Any) -> Any:
    """`tf.train.import_meta_graph`: build the graph and its collections into the default
    graph (names prefixed `import_scope/`); returns a Saver of its variables, or None."""
    meta = meta_graph_or_file
    if not isinstance(meta, proto.MetaGraphDef):
        meta = read_meta_graph_file(os.fspath(meta_graph_or_file))
    graph_def = meta.graph_def
    if clear_devices:
        graph_def = proto.GraphDef.FromString(graph_def.SerializeToString())
        for node in graph_def.node:
            node.device = ""
    if not graph_def.node:
        return None
    first = graph_def.node[0].name
    imported = import_graph_def(graph_def, name=import_scope or "", return_elements=[first])
    prefix = imported[0].name[:-len(first)]
    graph = imported[0].graph
    variables: dict = {}
    for key, collection in meta.collection_def.items():
        for value in _collection_values(graph, collection, prefix, variables):
            graph.add_to_collection(key, value)
    if not variables:
        return None
    from ..saver import Saver  # NOTE: lazy, as TF builds the Saver only when there are variables
    return Saver()


def _collection_values(graph: Any, collection: proto.CollectionDef, prefix: str,
                       variables: dict) -> list:
    kind = collection.WhichOneof("kind")
    if kind == "node_list":
        return [graph.as_graph_element(prefix + name) for name in collection.node_list.value]
    if kind == "int64_list":
        return list(collection.int64_list.value)
    if kind == "float_list":
        return list(collection.float_list.value)
    if kind != "bytes_list":
        return []
    values = list(collection.bytes_list.value)
    try:
        defs = [VariableDef.FromString(v) for v in values]
    except (proto.DecodeError, ValueError, IndexError):
        defs = []
    if defs and all(d.variable_name and d.snapshot_name for d in defs):
        return [_variable(graph, d, prefix, variables) for d in defs]
    return [v.decode() if isinstance(v, bytes) else v for v in values]


def _variable(graph: Any, definition: VariableDef, prefix: str, variables: dict) -> Variable:
    """The Variable of the imported ops a VariableDef names (one per variable, however many
    collections hold it)."""
    name = prefix + definition.variable_name
    if name not in variables:
        variable = Variable.__new__(Variable)  # NOTE: its ops exist already; only wrap them
        variable._trainable = definition.trainable
        variable._constraint = None
        variable._variable = graph.get_tensor_by_name(name)
        variable._initializer_op = graph.get_operation_by_name(prefix + definition.initializer_name)
        variable._snapshot = graph.get_tensor_by_name(prefix + definition.snapshot_name)
        initial = definition.initial_value_name
        variable._initial_value = graph.get_tensor_by_name(prefix + initial) if initial else None
        variables[name] = variable
    return variables[name]
