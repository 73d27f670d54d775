"""Which part of a drawing each op belongs to, read from the graph's structure alone.

- A variable is one node (a `Unit`): its VariableV2 op with its reads, its initializer (the
  Assign under its name and the ops only that Assign uses: a `random_normal`, a `zeros`) and its
  slots (the optimizer's variables under its name, `W/Adam`).
- Auxiliary parts are set aside (`Aside`): drawn apart, with no edges into the model, and noted
  on the nodes they touch, as TensorBoard's default view does. They are each optimizer (a train
  op of the `train_op` collection and its name scope, with the variables only it reads and
  writes: `beta1_power`, `global_step`), each initializer (a NoOp that runs initializers:
  `init`) and the summaries. A part named in `expand` stays in the model.
- Constants are embedded in the label of the op they feed (`mul × 0.5`), unless the model is
  tiny (the seed's `1 + 2` still shows both constants).
"""
from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from typing import Iterable, Optional

from ..graph import GraphKeys, Operation
from ..ops.registry import OPS

__all__ = ["Unit", "Aside", "Parts", "classify", "TINY_GRAPH"]

TINY_GRAPH = 10  # NOTE: up to this many ops in the model, constants are drawn as nodes


class Unit:
    """Ops drawn as one node, `head` standing for all `members`: a variable (kind "variable")
    with its reads, initializer and slots, or an op (kind "op") with the constants only it
    reads, shown in its label."""

    __slots__ = ("head", "kind", "members", "slots", "initializer", "initializers", "_name",
                 "_id")

    def __init__(self, head: Operation, kind: str = "variable") -> None:
        self.head = head
        self.kind = kind
        self.members: list[Operation] = [head]
        self.slots: list[Operation] = []           # slot variables folded in (`W/Adam`)
        self.initializer: Optional[Operation] = None
        self.initializers: list[Operation] = []    # its own and its slots' initializers
        self._name, self._id = head._name, head._id  # NOTE: placed in the tree as its head is

    def __repr__(self) -> str:
        return f"<{self.kind} unit {self._name!r} of {len(self.members)} ops>"


@dataclass
class Aside:
    """An auxiliary part drawn apart: an optimizer, an initializer, the summaries."""

    name: str
    kind: str                                     # "optimizer", "initializer" or "summaries"
    ops: list = field(default_factory=list)
    variables: list = field(default_factory=list)  # Units that belong to it (beta1_power)


@dataclass
class Parts:
    """The classification of a drawing's ops."""

    items: list                                   # what the model draws: ops and Units
    unit_of: dict                                 # member op -> its Unit
    aside: list                                   # Aside parts, in creation order
    aside_of: dict                                # op -> its Aside part
    embedded: dict                                # consumer op -> the Consts in its label


def classify(graph: object, ops: list, expand: Iterable[str] = ()) -> Parts:
    """Sort `ops` (in creation order) into the model, variable units and parts set aside."""
    present = set(ops)
    units = _variable_units(graph, ops, present)
    unit_of = {op: unit for unit in units for op in unit.members}
    expanded = {name.strip("/") for name in expand}
    aside = [part for part in _aside_parts(graph, ops, present, unit_of)
             if not _is_expanded(part.name, expanded)]
    aside_of = {op: part for part in aside for op in part.ops}
    for part in aside:
        for unit in part.variables:
            aside_of.update((op, part) for op in unit.members)
    model = [op for op in ops if op not in aside_of]
    embedded = {} if len(model) - _folded_count(model, unit_of) <= TINY_GRAPH \
        else _embedded_constants(model, unit_of)
    shared = _op_units(embedded, unit_of)
    items: list = []
    for op in model:
        unit = unit_of.get(op)
        if unit is not None:
            if op is unit.head:
                items.append(unit)
        elif op not in shared:
            items.append(op)
    return Parts(items, unit_of, aside, aside_of, embedded)


def _op_units(embedded: dict, unit_of: dict) -> set:
    """Make each op with embedded constants a Unit holding the constants only it reads; return
    the constants several ops read (shown in each label, drawn nowhere)."""
    readers: dict = {}
    for consts in embedded.values():
        for const in consts:
            readers[const] = readers.get(const, 0) + 1
    for consumer, consts in embedded.items():
        own = [const for const in consts if readers[const] == 1]
        if own:
            unit = Unit(consumer, "op")
            unit.members += own
            unit_of.update((op, unit) for op in unit.members)
    return {const for const, count in readers.items() if count > 1}


def _is_expanded(name: str, expanded: set) -> bool:
    return any(wanted == name or wanted.startswith(name + "/") for wanted in expanded)


def _folded_count(model: list, unit_of: dict) -> int:
    """How many of the model's ops disappear into variable units (all members but the head)."""
    return sum(1 for op in model if op in unit_of and unit_of[op].head is not op)


# --- variables ------------------------------------------------------------------------------

def _variable_units(graph: object, ops: list, present: set) -> list:
    """One Unit per variable; a variable named under another's name (not trainable: a slot)
    folds into that one."""
    trainable = _trainable_ops(graph)
    by_name: dict = {}
    units: list = []
    for op in sorted((op for op in ops if OPS[op._type].role == "variable"),
                     key=lambda op: op._name):
        owner = _owner_of(op._name, by_name)
        unit = Unit(op)
        _fold_initializer(unit, present)
        if owner is not None and op not in trainable:
            owner.members.extend(unit.members)
            owner.slots.append(op)
            owner.initializers.extend(unit.initializers)
            continue
        by_name[op._name] = unit
        units.append(unit)
    units.sort(key=lambda unit: unit._id)
    return units


def _trainable_ops(graph: object) -> set:
    """The VariableV2 ops of the graph's trainable variables (its collection; none if it has no
    such collection, so every variable under another's name counts as a slot)."""
    found = set()
    for variable in graph.get_collection(GraphKeys.TRAINABLE_VARIABLES):
        op = getattr(variable, "op", None)
        if isinstance(op, Operation):
            found.add(op)
    return found


def _owner_of(name: str, by_name: dict) -> Optional[Unit]:
    """The variable whose name scope holds `name` (`layer1/W` for `layer1/W/Adam`)."""
    path = name.rpartition("/")[0]
    while path:
        if path in by_name:
            return by_name[path]
        path = path.rpartition("/")[0]
    return None


def _fold_initializer(unit: Unit, present: set) -> None:
    """Add the variable's reads, its initializer (a write named under it) and the ops that
    only that initializer uses."""
    head = unit.head
    output = head._outputs[0]
    for consumer in output._consumers:
        if consumer not in present:
            continue
        opdef = OPS[consumer._type]
        if opdef.pass_through and not consumer._control_inputs:
            unit.members.append(consumer)
        elif (opdef.writes_state and unit.initializer is None
              and consumer._name.startswith(head._name + "/")):
            unit.initializer = consumer
            unit.members.append(consumer)
    if unit.initializer is not None:
        unit.initializers.append(unit.initializer)
        unit.members += _exclusive_ancestors(unit.initializer, set(unit.members), present)


def _exclusive_ancestors(op: Operation, owned: set, present: set) -> list:
    """The ops upstream of `op` that nothing but `owned` ops (and each other) use, latest
    first: a consumer always comes after its inputs, so each is decided before its inputs."""
    found: list = []
    queue: list = []
    seen: set = set()

    def push_inputs(consumer: Operation) -> None:
        opdef = OPS[consumer._type]
        for i, t in enumerate(consumer._inputs):
            producer = t._op
            if not opdef.is_ref_input(i) and producer in present and producer not in seen:
                seen.add(producer)
                heapq.heappush(queue, (-producer._id, id(producer), producer))
    push_inputs(op)
    while queue:
        _, _, candidate = heapq.heappop(queue)
        if OPS[candidate._type].role in ("variable", "placeholder") or \
                candidate._control_outputs:
            continue
        users = [c for t in candidate._outputs for c in t._consumers if c in present]
        if users and all(user in owned for user in users):
            owned.add(candidate)
            found.append(candidate)
            push_inputs(candidate)
    return found


# --- parts set aside ------------------------------------------------------------------------

def _aside_parts(graph: object, ops: list, present: set, unit_of: dict) -> list:
    initializers = _initializers(ops, unit_of)
    neutral = {op for part in initializers for op in part.ops}  # NOTE: they touch every variable
    parts = _optimizers(graph, ops, present, unit_of, neutral) + initializers
    summaries = _summaries(graph, present)
    if summaries is not None:
        parts.append(summaries)
    taken: set = set()
    kept = []
    for part in sorted(parts, key=lambda part: min(op._id for op in part.ops)):
        part.ops = [op for op in part.ops if op not in taken]
        if part.ops:
            taken.update(part.ops)
            kept.append(part)
    return kept


def _optimizers(graph: object, ops: list, present: set, unit_of: dict, neutral: set) -> list:
    """Each train op of the `train_op` collection with its name scope, and the variables that
    only it (and the initializers, `neutral`) reads and writes: its own, `beta1_power`,
    `global_step`."""
    parts = []
    for train_op in graph.get_collection(GraphKeys.TRAIN_OP):
        if not isinstance(train_op, Operation) or train_op not in present:
            continue
        prefix = train_op._name + "/"
        members = [op for op in ops if (op is train_op or op._name.startswith(prefix))
                   and op not in unit_of]
        part = Aside(train_op._name, "optimizer", members)
        inside = set(members) | neutral
        for unit in {unit_of[op] for op in _neighbours(members) if op in unit_of}:
            if _only_used_by(unit, inside, present):
                part.variables.append(unit)
        part.variables.sort(key=lambda unit: unit._id)
        parts.append(part)
    return parts


def _only_used_by(unit: Unit, inside: set, present: set) -> bool:
    """Does nothing outside `inside` (and the unit itself) read or write the variable?"""
    own = set(unit.members)
    for op in unit.members:
        for t in op._outputs:
            if any(c in present and c not in own and c not in inside for c in t._consumers):
                return False
        if any(c in present and c not in own and c not in inside for c in op._control_outputs):
            return False
    return True


def _neighbours(ops: list) -> set:
    found: set = set()
    for op in ops:
        found.update(t._op for t in op._inputs)
        found.update(op._control_inputs)
    return found


def _initializers(ops: list, unit_of: dict) -> list:
    """Each NoOp whose control inputs are only variables' initializers (or other such NoOps):
    `init` of `global_variables_initializer()`."""
    parts: list = []
    initializers = {op for unit in set(unit_of.values()) for op in unit.initializers}
    for op in ops:
        if OPS[op._type].role != "no_op" or not op._control_inputs or op._inputs:
            continue
        if all(c in initializers for c in op._control_inputs):
            initializers.add(op)  # NOTE: an init of inits (local and global) is one too
            parts.append(Aside(op._name, "initializer", [op]))
    return parts


def _summaries(graph: object, present: set) -> Optional[Aside]:
    """The ops of the `summaries` collection (with what only they use)."""
    heads = [getattr(item, "op", item) for item in graph.get_collection(GraphKeys.SUMMARIES)]
    heads = [op for op in heads if isinstance(op, Operation) and op in present]
    if not heads:
        return None
    owned = set(heads)
    members = set(heads)
    for op in heads:
        # NOTE: only their constants (tags): what a summary watches, a loss say, is the model's
        members.update(ancestor for ancestor in _exclusive_ancestors(op, owned, present)
                       if OPS[ancestor._type].role == "const")
    for op in sorted(present, key=lambda op: op._id):  # NOTE: merge_all's op, and what merges
        if op._inputs and all(t._op in members for t in op._inputs):  # merged summaries
            members.add(op)
    return Aside("summaries", "summaries", sorted(members, key=lambda op: op._id))


# --- constants ------------------------------------------------------------------------------

def _embedded_constants(model: list, unit_of: dict) -> dict:
    """Consumer op -> the Const ops it reads that are drawn in its label, not as nodes: those
    read by drawn ops only (not by a variable's initializer, not by nothing)."""
    in_model = set(model)
    embedded: dict = {}
    for op in model:
        if OPS[op._type].role != "const" or op in unit_of or op._control_outputs:
            continue
        users = [c for c in op._outputs[0]._consumers if c in in_model]
        if users and all(user not in unit_of for user in users):
            for user in dict.fromkeys(users):
                embedded.setdefault(user, []).append(op)
    return embedded
