"""TF1's while loops in GraphDefs (Enter, Merge, Switch, LoopCond, NextIteration and Exit, as
`tf.while_loop` wrote graphs before TF 2), found frame by frame so the importer can build each
as this project's `while_loop`; and TF1's TensorArrayV3 ops, built as the TensorList ops this
project's TensorArray runs on (the list flows in TF1's flow tensor; the resource handle only
says which array). A cond inside a loop is left to tf1_cond.py (the importer builds it inside
the loop's function); a loop within another loop is not recognized: its import fails naming
the op types."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Optional, Sequence

from .. import proto
from ..ops.registry import apply_op

__all__ = ["Loop", "LoopVariable", "find_loops", "ordering_nodes", "in_order", "LOOP_OPS",
           "TENSOR_ARRAY_OPS", "build_tensor_array_op"]

LOOP_OPS = frozenset({"Enter", "Exit", "NextIteration", "LoopCond", "Switch", "Merge"})
# NOTE: op types a loop's condition or body never holds (a nested loop's, or those of TF1's
# reference variables); its Switches and Merges other than the loop's own are a cond's
_NOT_IN_FUNCTIONS = frozenset({"Enter", "Exit", "NextIteration", "LoopCond", "RefEnter",
                               "RefExit", "RefMerge", "RefSwitch", "RefNextIteration"})


@dataclass
class LoopVariable:
    enter: proto.NodeDef      # its initial value is the Enter's input
    merge: str                # the condition reads it here ...
    switch: str               # ... the body at the Switch's true output (port 1)
    next_iteration: str
    next_value: str           # the tensor NextIteration takes: the body's result
    exits: list               # the Exits of the Switch's false output (pruned ones are absent)


@dataclass
class Loop:
    frame: str
    key: str                  # the loop's name in the importer's dependency order
    variables: list
    pred: str                 # the tensor LoopCond takes
    cond_nodes: list          # names, each after its inputs
    body_nodes: list
    members: set              # every node of the frame, Exits included
    structure: set            # its Enters, Merges, Switches, NextIterations, Exits, LoopCond
    outer_inputs: list        # the nodes outside the frame that it reads
    pivots: set               # the Identities of the Switches' true outputs
    parallel_iterations: int = 10


class _Unsupported(Exception):
    """Why a frame is not converted (said in the import's error)."""


def _source(input_name: str) -> tuple:
    name, _, index = input_name.lstrip("^").partition(":")
    return name, int(index or 0)


def _attr(node: proto.NodeDef, name: str, kind: str, default: Any) -> Any:
    return getattr(node.attr[name], kind) if name in node.attr else default


def find_loops(nodes: Sequence[proto.NodeDef]) -> tuple:
    """({key: Loop} for every frame, [why a frame is not converted, for each that is not])."""
    by_name = {node.name: node for node in nodes}
    consumers: dict = defaultdict(list)
    for node in nodes:
        for input_name in node.input:
            consumers[_source(input_name)[0]].append(node)
    frames: dict = {}
    for node in nodes:
        if node.op in ("Enter", "RefEnter"):
            frames.setdefault(_attr(node, "frame_name", "s", b"").decode(), []).append(node)
    loops, problems = {}, []
    for frame, enters in frames.items():
        try:
            loop = _loop_of(frame, enters, by_name, consumers)
        except _Unsupported as reason:
            problems.append(f"the TF1 while loop '{frame}' {reason}")
        else:
            loops[loop.key] = loop
    return loops, problems


def _members(enters: list, consumers: dict) -> set:
    """The frame's nodes: all downstream of its Enters, up to and including its Exits."""
    members = {enter.name for enter in enters}
    pending = list(members)
    while pending:
        for node in consumers[pending.pop()]:
            if node.name in members:
                continue
            if node.op in ("Enter", "RefEnter"):
                inner = _attr(node, "frame_name", "s", b"").decode()
                raise _Unsupported(f"holds another while loop ('{inner}')")
            members.add(node.name)
            if node.op not in ("Exit", "RefExit"):
                pending.append(node.name)
    return members


def _loop_of(frame: str, enters: list, by_name: dict, consumers: dict) -> Loop:
    members = _members(enters, consumers)
    loop_conds = sorted(name for name in members if by_name[name].op == "LoopCond")
    if len(loop_conds) != 1:
        raise _Unsupported(f"has {len(loop_conds)} LoopCond nodes, not one")
    loop_cond = by_name[loop_conds[0]]
    variables = [_variable(enter, loop_cond.name, by_name, consumers)
                 for enter in enters if not _attr(enter, "is_constant", "b", False)]
    structure = {loop_cond.name, *(e.name for e in enters)}
    for v in variables:
        structure |= {v.merge, v.switch, v.next_iteration, *v.exits}
    unexpected = sorted(name for name in members - structure
                        if by_name[name].op in _NOT_IN_FUNCTIONS)
    if unexpected:
        raise _Unsupported(f"has a node '{unexpected[0]}' ({by_name[unexpected[0]].op}) "
                           "that is no part of its loop variables")
    merges, switches = {v.merge for v in variables}, {v.switch for v in variables}
    cond = _function_nodes([loop_cond.input[0]], members, merges, switches, by_name, "condition")
    body = _function_nodes([v.next_value for v in variables], members, switches, merges,
                           by_name, "body")
    outer = {_source(name)[0] for member in members for name in by_name[member].input}
    pivots = {name for name in body if by_name[name].op == "Identity"
              and _source(by_name[name].input[0])[0] in switches}
    return Loop(frame, f"<while loop {frame}>", variables, loop_cond.input[0],
                in_order(cond, by_name), in_order(body, by_name), members, structure,
                sorted(outer - members), pivots,
                _attr(enters[0], "parallel_iterations", "i", 10) or 10)


def _variable(enter: proto.NodeDef, loop_cond: str, by_name: dict,
              consumers: dict) -> LoopVariable:
    """One loop variable: Enter -> Merge (its second input from NextIteration) -> Switch on
    the LoopCond (true: the body's, false: the Exits')."""
    merges = [n for n in consumers[enter.name] if n.op == "Merge"]
    if len(merges) != 1 or len(consumers[enter.name]) != 1:
        raise _Unsupported(f"has a loop variable entering at '{enter.name}' that feeds no "
                           "single Merge")
    merge = merges[0]
    data = [name for name in merge.input if not name.startswith("^")]
    following = [by_name[_source(name)[0]] for name in data if _source(name)[0] != enter.name]
    if len(data) != 2 or len(following) != 1 or following[0].op != "NextIteration":
        raise _Unsupported(f"has a Merge '{merge.name}' that is not Enter and NextIteration")
    switches = [n for n in consumers[merge.name] if n.op == "Switch"]
    if len(switches) != 1 or _source(switches[0].input[1])[0] != loop_cond:
        raise _Unsupported(f"has a Merge '{merge.name}' not switched once on its LoopCond")
    switch = switches[0]
    exits = [n.name for n in consumers[switch.name] if n.op == "Exit"]
    for name in exits:
        if _source(by_name[name].input[0]) != (switch.name, 0):
            raise _Unsupported(f"has an Exit '{name}' of the Switch's true output")
    return LoopVariable(enter, merge.name, switch.name, following[0].name,
                        following[0].input[0], exits)


def _function_nodes(starts: list, members: set, arguments: set, foreign: set, by_name: dict,
                    what: str) -> set:
    """The frame's nodes computing `starts`, back to the loop variables (`arguments`), the
    loop invariants (constant Enters) and nodes outside the frame."""
    found: set = set()
    pending = list(starts)
    while pending:
        source, index = _source(pending.pop())
        node = by_name[source]
        if source in arguments:
            if index != (1 if node.op == "Switch" else 0):
                raise _Unsupported(f"has a {what} reading '{source}:{index}'")
            continue
        if source in foreign:
            raise _Unsupported(f"has a {what} reading '{source}' ({node.op})")
        if source not in members or source in found:
            continue
        if node.op in ("Enter", "RefEnter"):
            if not _attr(node, "is_constant", "b", False):
                raise _Unsupported(f"has a {what} reading the loop variable's Enter '{source}'")
            continue
        if node.op in _NOT_IN_FUNCTIONS:
            raise _Unsupported(f"has a {what} reading '{source}' ({node.op})")
        found.add(source)
        pending.extend(node.input)
    return found


def in_order(names: set, by_name: dict) -> list:
    """`names`, each after those of its inputs among them (the GraphDef's order otherwise)."""
    ordered, seen = [], set()
    for start in (name for name in by_name if name in names):
        stack = [(start, False)]
        while stack:
            name, done = stack.pop()
            if done:
                ordered.append(name)
                continue
            if name in seen:
                continue
            seen.add(name)
            stack.append((name, True))
            stack.extend((source, False) for source in
                         (_source(i)[0] for i in reversed(by_name[name].input))
                         if source in names and source not in seen)
    return ordered


def ordering_nodes(nodes: Sequence[proto.NodeDef], loops: dict) -> list:
    """The nodes outside every loop, each loop as one node (named by its key, reading what
    the loop reads from outside) and its Exits as nodes reading it: no cycles left."""
    inside = {name for loop in loops.values() for name in loop.members}
    result = [node for node in nodes if node.name not in inside]
    for loop in loops.values():
        result.append(proto.NodeDef(name=loop.key, op="While", input=loop.outer_inputs))
        result.extend(proto.NodeDef(name=name, op="Exit", input=[loop.key])
                      for v in loop.variables for name in v.exits)
    return result


# --- TF1's TensorArray ---------------------------------------------------------------------------

# NOTE: every op reads its array in its last input, the flow (the list's value); the handle,
# input 0, only leads to the TensorArrayV3 that gives the dtype, element shape and dynamic_size
TENSOR_ARRAY_OPS = frozenset({"TensorArrayV3", "TensorArrayScatterV3", "TensorArrayReadV3",
                              "TensorArrayWriteV3", "TensorArrayGatherV3", "TensorArraySizeV3",
                              "TensorArrayCloseV3"})


def _tensor_array_node(handle: str, by_name: dict) -> Optional[proto.NodeDef]:
    """The TensorArrayV3 a handle comes from, through Enters and Identities."""
    node = by_name.get(_source(handle)[0])
    while node is not None and node.op in ("Enter", "Identity", "Switch", "Exit") and node.input:
        node = by_name.get(_source(node.input[0])[0])
    return node if node is not None and node.op == "TensorArrayV3" else None


def build_tensor_array_op(importer: Any, node: proto.NodeDef, name: str) -> tuple:
    """Build a TF1 TensorArray op as TensorList ops named `name` (ending '/'); returns (the op,
    the tensor of each of TF's outputs). `importer` gives `tensor(input name)`, `attrs(node)`
    and `by_name`."""
    from ..ops import tensor_array_ops as lists  # NOTE: lazy, as ops/ modules load
    attrs = importer.attrs(node)
    if node.op == "TensorArrayV3":
        dims = attrs.get("element_shape")
        flow = lists._reserve(lists._element_shape(dims), importer.tensor(node.input[0]),
                              attrs["dtype"], name=name)
        return flow._op, [flow, flow]  # NOTE: the handle and the flow are the list
    if node.op == "TensorArrayCloseV3":
        return apply_op("NoOp", [], {}, name), []
    array = _tensor_array_node(node.input[0], importer.by_name)
    array_attrs = importer.attrs(array) if array is not None else {}
    dims = array_attrs.get("element_shape")
    inputs = [importer.tensor(i) for i in node.input[1:] if not i.startswith("^")]
    if node.op == "TensorArrayReadV3":
        index, flow = inputs
        result = lists._get_item(flow, index, lists._element_shape(dims), attrs["dtype"], dims,
                                 name=name)
    elif node.op == "TensorArrayWriteV3":
        index, value, flow = inputs
        result = lists._set_item(flow, index, value, array_attrs.get("dynamic_size", False),
                                 name=name)
    elif node.op == "TensorArrayScatterV3":
        indices, value, flow = inputs
        result = lists._scatter(flow, value, indices, name=name)
    elif node.op == "TensorArrayGatherV3":
        indices, flow = inputs
        dims = attrs.get("element_shape") if attrs.get("element_shape") is not None else dims
        result = lists._gather(flow, indices, lists._element_shape(dims), attrs["dtype"], dims,
                               name=name)
    else:  # TensorArraySizeV3
        result = lists._length(inputs[0], name=name)
    return result._op, [result]
