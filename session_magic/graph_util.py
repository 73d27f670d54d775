"""`tf.graph_util`: freezing and pruning GraphDefs as TF1 does (convert_variables_to_constants,
extract_sub_graph, remove_training_nodes). They take and return GraphDef protobufs, so what they
produce can be written with `tf.train.write_graph` and read by TF or by `tf.import_graph_def`."""
from __future__ import annotations

import re
from typing import Any, Optional, Sequence

from . import proto
from .interop.graph_def import dtype_of_enum, import_graph_def, node_def, tensor_proto

__all__ = ["convert_variables_to_constants", "extract_sub_graph", "remove_training_nodes",
           "tensor_shape_from_node_def_name", "must_run_on_cpu", "import_graph_def"]

_VARIABLE_OPS = ("VariableV2", "Variable")
# NOTE: TF1's list of ops `must_run_on_cpu(..., pin_variables_on_cpu=True)` pins
_VARIABLE_PINNED_OPS = frozenset({"Assign", "AssignAdd", "AssignSub", "Queue", "ScatterAdd",
                                  "ScatterSub", "ScatterUpdate", "TruncatedNormal", "Variable",
                                  "VariableV2"})
_DT_INT32, _DT_STRING = proto.DATA_TYPES["DT_INT32"], proto.DATA_TYPES["DT_STRING"]


def _node_name(input_name: str) -> str:
    return input_name.lstrip("^").split(":")[0]


def _copy_of(graph_def: proto.GraphDef, nodes: Sequence[proto.NodeDef]) -> proto.GraphDef:
    result = proto.GraphDef(node=[proto.NodeDef.FromString(n.SerializeToString()) for n in nodes])
    if graph_def.HasField("versions"):
        result.versions = proto.VersionDef.FromString(graph_def.versions.SerializeToString())
    return result


def extract_sub_graph(graph_def: proto.GraphDef, dest_nodes: Sequence[str]) -> proto.GraphDef:
    """The nodes `dest_nodes` need (through data and control inputs), in their original order."""
    if not isinstance(graph_def, proto.GraphDef):
        raise TypeError("graph_def must be a graph_pb2.GraphDef proto.")
    if isinstance(dest_nodes, str):
        raise TypeError("dest_nodes must be a list.")
    by_name = {node.name: node for node in graph_def.node}
    for name in dest_nodes:
        if name not in by_name:
            raise AssertionError(f"{name} is not in graph")
    kept, pending = set(), list(dest_nodes)
    while pending:
        name = pending.pop()
        if name not in kept:
            kept.add(name)
            pending.extend(_node_name(i) for i in by_name[name].input)
    return _copy_of(graph_def, [node for node in graph_def.node if node.name in kept])


def convert_variables_to_constants(sess: Any, input_graph_def: proto.GraphDef,
                                   output_node_names: Sequence[str],
                                   variable_names_whitelist: Optional[Sequence[str]] = None,
                                   variable_names_blacklist: Optional[Sequence[str]] = None
                                   ) -> proto.GraphDef:
    """Freeze: the subgraph `output_node_names` need, with each variable a Const holding the
    value it has in `sess` (its `read` Identity stays, as TF leaves it)."""
    graph_def = extract_sub_graph(input_graph_def, output_node_names)
    names = [node.name for node in graph_def.node if node.op in _VARIABLE_OPS
             and (variable_names_whitelist is None or node.name in variable_names_whitelist)
             and (variable_names_blacklist is None or node.name not in variable_names_blacklist)]
    values = dict(zip(names, sess.run([name + ":0" for name in names]), strict=True))
    for node in graph_def.node:
        if node.name in values:
            dtype = node.attr["dtype"]
            value = tensor_proto(values[node.name], dtype_of_enum(dtype.type))
            node.op = "Const"
            node.attr = {"dtype": dtype, "value": proto.AttrValue(tensor=value)}
    return graph_def


def remove_training_nodes(input_graph: proto.GraphDef,
                          protected_nodes: Optional[Sequence[str]] = None) -> proto.GraphDef:
    """TF's pruning for inference: drop CheckNumerics, and splice out Identity nodes that
    neither have nor are control inputs (unless protected)."""
    protected = set(protected_nodes or ())
    removed = {n.name for n in input_graph.node if n.op == "CheckNumerics"} - protected
    nodes = []
    for node in input_graph.node:
        if node.name not in removed:
            copy = proto.NodeDef.FromString(node.SerializeToString())
            copy.input = [i for i in node.input if _node_name(i) not in removed]
            nodes.append(copy)
    control_sources = {i[1:] for n in nodes for i in n.input if i.startswith("^")}
    with_controls = {n.name for n in nodes if any(i.startswith("^") for i in n.input)}
    spliced = {n.name: n.input[0] for n in nodes if n.op == "Identity"
               and n.name not in protected | with_controls | control_sources}
    kept = []
    for node in nodes:
        if node.name in spliced:
            continue
        inputs = []
        for full_name in node.input:
            while re.sub(r"^\^", "", full_name) in spliced:
                full_name = spliced[re.sub(r"^\^", "", full_name)]
            inputs.append(full_name)
        node.input = inputs
        kept.append(node)
    return _copy_of(input_graph, kept)


def tensor_shape_from_node_def_name(graph: Any, input_name: str) -> Any:
    """The static shape of tensor `input_name` ("op" meaning "op:0") of `graph`."""
    name = input_name if ":" in input_name else input_name + ":0"
    return graph.get_tensor_by_name(name).get_shape()



def must_run_on_cpu(node: Any, pin_variables_on_cpu: bool = False) -> bool:
    """TF1's device rule for an Operation or NodeDef: string and int32 Consts, int32
    DynamicStitch and Cast from int32 (and variable ops, if asked) run on the CPU."""
    node = node if isinstance(node, proto.NodeDef) else node_def(node)
    if pin_variables_on_cpu and node.op in _VARIABLE_PINNED_OPS:
        return True
    if node.op == "Const":
        attr, allowed = "dtype", (_DT_INT32, _DT_STRING)
    elif node.op.endswith("DynamicStitch") or node.op == "Cast":  # and ParallelDynamicStitch
        attr, allowed = ("SrcT" if node.op == "Cast" else "T"), (_DT_INT32,)
    else:
        return False
    return attr in node.attr and node.attr[attr].type in allowed
