"""A graph run across tasks, cut into regions: the ops one task runs in one call per step.

Each op runs on the task its device names (`/job:ps/replica:0/task:0`); an op that writes a
variable runs where the variable lives; an op with no device runs on the session's own task.
An op's level is the number of task changes on its longest path of inputs, so a region — the
ops of one task at one level — reads only values made at lower levels or inside itself: regions
run level by level, those of one level at once, each as one compiled plan (never one call per
op: a call to a task costs about a millisecond). Plain data, no dask: the runner sends regions.
"""
from __future__ import annotations

from typing import Any, Optional, Sequence

from .. import errors
from ..device_spec import task_of_device
from ..graph import Operation, Tensor
from ..ops.registry import OPS
from ..plan.analysis import needed_ops

__all__ = ["Region", "partition", "task_of_device"]

class Region:
    """Ops of one task at one level: `inputs` come from earlier regions or feeds, `outputs` are
    read by later regions or fetched. `key` names it for the task that caches its plan."""

    __slots__ = ("index", "task", "level", "ops", "inputs", "outputs", "key", "payload")

    def __init__(self, index: int, task: str, level: int, ops: list) -> None:
        self.index, self.task, self.level, self.ops = index, task, level, ops
        self.inputs: list[Tensor] = []
        self.outputs: list[Tensor] = []
        self.key = ""
        self.payload: Optional[bytes] = None  # NOTE: its GraphDef, when sent to another process

    def __repr__(self) -> str:
        where = self.task or "local"
        return f"<Region {self.index} {where} level {self.level}: {len(self.ops)} ops>"


def partition(fetches: Sequence[Any], feeds: Sequence[Tensor], own_task: str = "") -> list:
    """The regions that compute `fetches` from `feeds`, in the order they run."""
    ops = needed_ops(fetches, feeds)
    fed = set(feeds)
    task = {op: _task_of(op, own_task) for op in ops}
    _stateless_where_used(ops, task, fed, own_task)
    level: dict[Operation, int] = {}
    for op in ops:
        here = 0
        for producer in _producers(op, fed):
            if producer in level:
                here = max(here, level[producer] + (task[producer] != task[op]))
        level[op] = here
    _as_late_as_possible(ops, task, level, fed, {t._op for t in fetches if isinstance(t, Tensor)}
                         | {op for op in fetches if isinstance(op, Operation)})
    groups: dict[tuple, list] = {}
    for op in ops:
        if not _is_variable(op):  # NOTE: variables join the regions that read them, below
            groups.setdefault((level[op], task[op]), []).append(op)
    sources = _read_variables(groups, task, fetches, fed)
    regions = [Region(i, key[1], key[0], members)
               for i, (key, members) in enumerate(sorted(groups.items(), key=lambda kv: kv[0]))]
    _connect(regions, fetches, fed, sources)
    return regions


def _is_variable(op: Operation) -> bool:
    return OPS[op._type].role == "variable"


def _read_variables(groups: dict, task: dict, fetches: Sequence[Any], fed: set) -> dict:
    """Place each variable where it is read: in a region of its own task that reads it, inline
    (at that point of the region's order); for a region of another task, in its task's region
    one level before (made if there is none), as late as the reader allows, so a read after a
    control dependency on an update sees the update, as TF's ref reads do. A fetched variable
    is read at the last level. Returns {(reader level, reader task, tensor): source key}."""
    sources: dict = {}
    last = max((key[0] for key in groups), default=0)
    wanted = [(last + 1, None, t) for t in fetches if isinstance(t, Tensor) and t not in fed
              and _is_variable(t._op)]
    readers = [(key[0], key[1], t) for key, members in list(groups.items()) for op in members
               for i, t in enumerate(op._inputs)
               if t not in fed and not OPS[op._type].is_ref_input(i) and _is_variable(t._op)]
    for reader_level, reader_task, t in readers + wanted:
        home = task[t._op]
        key = (reader_level, home) if home == reader_task else (reader_level - 1, home)
        members = groups.setdefault(key, [])
        if t._op not in members:
            members.insert(0, t._op)
        sources[(reader_level, reader_task, t)] = key
    return sources


def _stateless_where_used(ops: list, task: dict, fed: set, own_task: str) -> None:
    """Run an op without state or effect where it costs no call of its own: a constant on the
    task of its readers (when they share one), a no-op (a `group`) on the session's own task.
    Their devices name no state, so moving them changes no result."""
    readers: dict[Operation, set] = {}
    for op in ops:
        for producer in _producers(op, fed):
            readers.setdefault(producer, set()).add(task[op])
    for op in ops:
        role = OPS[op._type].role
        if role == "no_op":
            task[op] = own_task
        elif role == "const" and len(readers.get(op, ())) == 1:
            task[op] = next(iter(readers[op]))


def _as_late_as_possible(ops: list, task: dict, level: dict, fed: set, wanted: set) -> None:
    """Move an op read only by later ops of its own task to the level of its first reader
    (the constants of a gradient would otherwise be a region, and a call, of their own)."""
    readers: dict[Operation, list] = {}
    for op in ops:
        for producer in _producers(op, fed):
            readers.setdefault(producer, []).append(op)
    for op in reversed(ops):
        found = readers.get(op)
        if found and op not in wanted and all(task[r] == task[op] for r in found):
            level[op] = max(level[op], min(level[r] for r in found))


def _task_of(op: Operation, own_task: str) -> str:
    """Where `op` runs: its device's task, its variable's for an op writing one, and for a
    cond or while_loop whose branches use variables, theirs (its branches run where it runs)."""
    named = task_of_device(op._device)
    opdef = OPS[op._type]
    if opdef.holds_functions:
        homes = {task_of_device(v._device) or own_task for v in _variables_inside(op)}
        if len(homes) > 1:
            raise errors.InvalidArgumentError(
                None, op, f"{op.name} ({op._type}) uses variables of several tasks "
                f"({', '.join(sorted(homes))}) inside its functions; on a cluster a cond or "
                "while_loop runs on one task: read them outside it and pass the values in")
        if homes:
            return homes.pop()
    for i, t in enumerate(op._inputs):
        if not opdef.is_ref_input(i):
            continue
        home = task_of_device(t._op._device) or own_task
        if named and named != home:
            raise errors.InvalidArgumentError(
                None, op, f"Cannot place {op.name} ({op._type}) on {named}: it writes the "
                f"variable {t._op.name}, which lives on {home or 'the session’s own task'}; "
                "an op writing a variable runs where the variable lives")
        named = home
    return named or own_task


def _variables_inside(op: Operation) -> set:
    """The variables of other graphs that the ops inside `op`'s functions use."""
    found = set()
    for sub_ops in op._attrs.get("_function_ops", ()):
        for inner in sub_ops:
            found.update(t._op for t in inner._inputs
                         if _is_variable(t._op) and t._op._graph is not inner._graph)
            if OPS[inner._type].holds_functions:
                found.update(_variables_inside(inner))
    return found


def _producers(op: Operation, fed: set) -> list:
    opdef = OPS[op._type]
    found = [t._op for i, t in enumerate(op._inputs)
             if t not in fed and not opdef.is_ref_input(i)]
    return found + list(op._control_inputs)


def _connect(regions: list, fetches: Sequence[Any], fed: set, sources: dict) -> None:
    """Each region's inputs and outputs, and a key naming its contents. A variable's value
    comes from the region `sources` names for its reader (or its reader reads it inline)."""
    by_key = {(region.level, region.task): region for region in regions}
    home = {op: region for region in regions for op in region.ops if not _is_variable(op)}
    outputs: dict[Region, dict] = {region: {} for region in regions}
    for region in regions:
        inputs: dict[Tensor, None] = {}
        for op in region.ops:
            opdef = OPS[op._type]
            for i, t in enumerate(op._inputs):
                if opdef.is_ref_input(i):
                    continue
                if t in fed:
                    inputs[t] = None
                    continue
                maker = by_key[sources[(region.level, region.task, t)]] \
                    if _is_variable(t._op) else home.get(t._op)
                if maker is not region and maker is not None:
                    inputs[t] = None
                    outputs[maker][t] = None
        region.inputs = list(inputs)
    last = max((region.level for region in regions), default=0)
    for t in fetches:
        if not isinstance(t, Tensor) or t in fed:
            continue
        maker = by_key[sources[(last + 1, None, t)]] if _is_variable(t._op) else home.get(t._op)
        if maker is not None:
            outputs[maker][t] = None
    for region in regions:
        region.outputs = sorted(outputs[region], key=lambda t: (t._op._id, t._value_index))
        region.key = _region_key(region)


def _region_key(region: Region) -> str:
    """A key naming the region within its graph (the runner replaces it with a digest of the
    region's GraphDef, so regions equal in content share a task's compiled plan)."""
    names = ",".join(op.name for op in region.ops)
    return f"{region.task}|{id(region.ops[0]._graph)}|{names}"


def own_region_fetches(region: Region) -> tuple:
    """What a region's plan fetches: its outputs, then every op of it (so each runs, its side
    effects included)."""
    return (*region.outputs, *region.ops)


def check_tasks(regions: list, known: Sequence[str], own_task: str) -> Optional[str]:
    """A task the regions need that the cluster does not have, or None."""
    for region in regions:
        if region.task and region.task != own_task and region.task not in known:
            return region.task
    return None
