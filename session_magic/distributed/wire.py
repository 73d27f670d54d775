"""A region sent to a task in another process: its ops as a GraphDef, rebuilt there.

The ops of a region (and the variables its ops write) travel as TF's NodeDefs; each input from
another region becomes a Placeholder `_region_input_<k>`, control inputs from outside are
dropped (the levels already order them). The task imports the GraphDef into a graph of its own
and keeps the compiled plan; variables are matched by name, so every replica's region writes the
same variables. An op that holds Python functions (a py_func, a tf.data pipeline, a TF2 cond)
cannot travel and is refused by name.
"""
from __future__ import annotations

import json
from typing import Any

from ..graph import Graph
from ..ops.registry import OPS
from .regions import Region

__all__ = ["region_payload", "region_from_payload"]

_INPUT = "_region_input_"


def region_payload(region: Region) -> bytes:
    """The region as GraphDef bytes, with the names of its ops, inputs and outputs."""
    # NOTE: lazy: the protobuf codec loads only for a cluster in other processes
    from ..interop.graph_def import attr_value, node_def
    from ..proto import GraphDef, NodeDef
    members = {op._name for op in region.ops}
    carried = [op for op in region.ops if OPS[op._type].holds_functions]
    if carried:
        raise ValueError(f"Cannot send {carried[0].name} ({carried[0]._type}) to task "
                         f"{region.task}, in another process: it holds Python functions, "
                         "which a GraphDef does not carry. Place it on the session's own task.")
    variables = {t._op for op in region.ops for i, t in enumerate(op._inputs)
                 if OPS[op._type].is_ref_input(i) and t._op._name not in members}
    renamed = {t.name: f"{_INPUT}{k}" for k, t in enumerate(region.inputs)}
    nodes = []
    for k, t in enumerate(region.inputs):
        nodes.append(NodeDef(name=f"{_INPUT}{k}", op="Placeholder", attr={
            "dtype": attr_value("dtype", t._dtype), "shape": attr_value("shape", t._dims)}))
    for op in [*sorted(variables, key=lambda v: v._id), *region.ops]:
        node = node_def(op)
        inputs = []
        for name in node.input:
            if name.startswith("^"):
                if name[1:] in members:
                    inputs.append(name)
                continue
            full = name if ":" in name else name + ":0"
            inputs.append(renamed.get(full, name))
        node.input = inputs
        nodes.append(node)
    header = json.dumps([[op._name for op in region.ops], [t.name for t in region.outputs]])
    return header.encode() + b"\n" + GraphDef(node=nodes).SerializeToString()


def region_from_payload(payload: bytes, key: str) -> Any:
    """The region `region_payload` wrote, built in a graph of its own."""
    # NOTE: lazy: the protobuf codec loads only for a cluster in other processes
    from ..interop.graph_def import import_graph_def
    from ..proto import GraphDef
    header, _, data = payload.partition(b"\n")  # NOTE: JSON written on one line
    op_names, output_names = json.loads(header)
    graph_def = GraphDef.FromString(data)
    graph = Graph()
    with graph.as_default():
        import_graph_def(graph_def, name="")
    count = sum(1 for node in graph_def.node if node.name.startswith(_INPUT))
    region = Region(0, "", 0, [graph.get_operation_by_name(n) for n in op_names])
    region.inputs = [graph.get_tensor_by_name(f"{_INPUT}{k}:0") for k in range(count)]
    region.outputs = [graph.get_tensor_by_name(n) for n in output_names]
    region.key = key
    return region
