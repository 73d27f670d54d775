"""TF1's low-level cond in GraphDefs (Switch and Merge, as `tf.cond` wrote graphs before TF 2),
found so the importer can build each one as this project's `cond`: a Merge whose two inputs
lead back, every path, to Switch outputs of one side each (port 1: true, 0: false), all
switched on one predicate. A while loop's own Switches and Merges are left to tf1_while.py;
nested conds and conds holding loops are not recognized, and their import fails naming the op
types."""
from __future__ import annotations

from dataclasses import dataclass
from typing import AbstractSet as Set
from typing import Optional, Sequence

from .. import proto

__all__ = ["Cond", "find_conds"]

# NOTE: a branch reaching one of these is part of a loop or a nested cond: not recognized
_NOT_IN_BRANCHES = frozenset({"Merge", "Enter", "Exit", "NextIteration", "LoopCond",
                              "RefEnter", "RefExit", "RefMerge", "RefSwitch"})


@dataclass
class Cond:
    merge: proto.NodeDef
    pred: str                 # the predicate's tensor name (past Identity nodes)
    outputs: dict             # port (1: true, 0: false) -> the Merge input it gives
    members: dict             # port -> names of the nodes of that branch


def _source(input_name: str) -> tuple:
    name, _, index = input_name.lstrip("^").partition(":")
    return name, int(index or 0)


def _predicate(name: str, by_name: dict) -> str:
    """The predicate a Switch reads, past the Identity nodes (`cond/pred_id`) TF1 adds."""
    while by_name[_source(name)[0]].op == "Identity":
        name = by_name[_source(name)[0]].input[0]
    return name


def _branch(input_name: str, by_name: dict) -> Optional[tuple]:
    """(port, member names, predicates) of the branch computing `input_name`, or None when a
    path back does not end at a Switch output, or ends at Switch outputs of both ports."""
    ports, predicates, members = set(), set(), set()
    pending = [input_name]
    while pending:
        name = pending.pop()
        source, index = _source(name)
        node = by_name[source]
        if node.op == "Switch":
            if name.startswith("^"):
                return None
            ports.add(index)
            predicates.add(_predicate(node.input[1], by_name))
        elif node.op in _NOT_IN_BRANCHES or not node.input:
            return None
        elif source not in members:
            members.add(source)
            pending.extend(node.input)
    if len(ports) != 1:
        return None
    return ports.pop(), members, predicates


def _cond_of(merge: proto.NodeDef, by_name: dict) -> Optional[Cond]:
    data = [name for name in merge.input if not name.startswith("^")]
    if len(data) != 2:
        return None
    members, outputs, predicates = {}, {}, set()
    for input_name in data:
        branch = _branch(input_name, by_name)
        if branch is None or branch[0] in members:
            return None
        members[branch[0]], outputs[branch[0]] = branch[1], input_name
        predicates |= branch[2]
    if len(predicates) != 1:
        return None
    return Cond(merge, predicates.pop(), outputs, members)


def find_conds(nodes: Sequence[proto.NodeDef], in_loops: Set[str] = frozenset()) -> Optional[dict]:
    """{Merge name: Cond} for every Merge of the nodes (but those `in_loops`, TF1 while loops'
    nodes), or None if some Switch or Merge is not part of a cond recognized here, or a
    branch's node is used outside its cond."""
    by_name = {node.name: node for node in nodes}
    conds = {}
    for node in nodes:
        if node.op == "Merge" and node.name not in in_loops:
            found = _cond_of(node, by_name)
            if found is None:
                return None
            conds[node.name] = found
    inside = {name for cond in conds.values() for names in cond.members.values()
              for name in names}
    inside |= {node.name for node in nodes if node.op == "Switch" and node.name not in in_loops}
    for node in nodes:
        if node.name in inside or node.name in in_loops:
            continue
        for input_name in node.input:
            source, index = _source(input_name)
            if node.op != "Merge" and source in inside or source in conds and index != 0:
                return None  # NOTE: a branch value used outside, or Merge's value_index
    return conds
