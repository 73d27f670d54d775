"""Which parts of a drawing show open and which as one node: name scopes and numbered series.

TensorBoard's rules: an op lives in the scope its name's prefix names (`a/b/c` in `a/b`; an op
named like a scope, `w` beside `w/read`, lives inside it); five or more siblings of one kind named
`base`, `base_1`, ... (or `block0`, `block1`, ...) with consecutive numbers form a series, scopes
of one structure as ops of one type. Leaves are ops and variable units (parts.py), placed where
their op is. Groups open breadth-first, largest first and alike siblings together, while the
visible node count stays within the budget. The top level shows whole up to five times the
budget; beyond that (a flat graph of thousands of unrelated names) its earliest items fold into
one overflow group, so no drawing is unbounded.
"""
from __future__ import annotations

from typing import Iterator, Optional, Union

from ..graph import Operation
from ..ops.registry import OPS
from .parts import Unit

__all__ = ["Scope", "Series", "SERIES_MIN_SIZE", "TOP_LEVEL_FACTOR", "MAX_CLUSTER_DEPTH", "build",
           "choose_open", "assign_nodes", "walk", "group_ops", "type_counts"]

SERIES_MIN_SIZE = 5
# NOTE: the budget collapses scopes and series; the top level has nothing to collapse into, so
# it may exceed the budget (a small unscoped graph stays whole) up to this many times.
TOP_LEVEL_FACTOR = 5
# NOTE: scopes a single op deep cost no node to open, so a name nested a thousand scopes deep
# would open as a thousand clusters, which Graphviz cannot lay out (its stack runs out).
MAX_CLUSTER_DEPTH = 16
LEAVES = (Operation, Unit)  # what the tree holds besides groups: drawn as one node each


class Scope:
    """One name scope: its direct items (ops, child scopes, series) in creation order."""

    __slots__ = ("path", "leaf", "parent", "level", "items", "own", "size", "first", "open",
                 "series", "overflow", "_types")

    def __init__(self, path: str, parent: Optional[Scope], first: int) -> None:
        self.path = path
        self.leaf = path.rpartition("/")[2]
        self.parent = parent
        self.level = -1 if parent is None else parent.level + 1
        self.items: list = []
        self.own: Optional[Operation] = None   # the op named exactly like the scope
        self.size = 0                           # ops in the whole subtree
        self.first = first                      # creation index of its first op
        self.open = parent is None
        self.series: Optional[Series] = None    # the series this scope is a member of
        self.overflow = False                   # not a name scope: top-level items over budget
        self._types: Optional[dict] = None

    @property
    def foldable(self) -> bool:
        """Collapsed, is it drawn as its own op? (its other items are constants, reads, assigns)"""
        return self.own is not None and all(
            isinstance(item, LEAVES) and (item is self.own or _attaches(item))
            for item in self.items)

    @property
    def clustered(self) -> bool:
        """Open, is it drawn as a cluster? (an op with only its constants is drawn inline)"""
        return not (self.own is not None and all(
            isinstance(item, LEAVES) and (item is self.own or _is_const(item))
            for item in self.items))


def _is_const(item: Union[Operation, Unit]) -> bool:
    return isinstance(item, Operation) and OPS[item._type].role == "const"


def _attaches(item: Union[Operation, Unit]) -> bool:
    """Does `item` fold silently into the op its scope is named for when the scope is
    collapsed? Constants, reads and writes do (`add/y`, `w/read`, `w/Assign`): a collapsed `add`
    then still looks like the Add it is."""
    if not isinstance(item, Operation):
        return False
    opdef = OPS[item._type]
    return opdef.role == "const" or opdef.pass_through or opdef.writes_state


class Series:
    """Five or more numbered siblings of one kind, drawn as one node while collapsed."""

    __slots__ = ("parent", "members", "size", "first", "open", "series", "_types")

    def __init__(self, parent: Scope, members: list) -> None:
        self.parent = parent
        self.members = members
        self.size = sum(_size(member) for member in members)
        self.first = _first(members[0])
        self.open = False
        self.series = None
        self._types: Optional[dict] = None

    @property
    def items(self) -> list:
        return self.members

    @property
    def leaf(self) -> str:
        return f"{_leaf(self.members[0])}…{_leaf(self.members[-1])}"


Group = Union[Scope, Series]


def _leaf(item: Union[Operation, Scope]) -> str:
    return item._name.rpartition("/")[2] if isinstance(item, LEAVES) else item.leaf


def _size(item: Union[Operation, Unit, Group]) -> int:
    """How many ops an item stands for."""
    if isinstance(item, Operation):
        return 1
    return len(item.members) if isinstance(item, Unit) else item.size


def _first(item: Union[Operation, Group]) -> int:
    return item._id if isinstance(item, LEAVES) else item.first


# --- building the tree ----------------------------------------------------------------------

def build(ops: list) -> Scope:
    """The scope tree of `ops` (in their order), with numbered series grouped."""
    scope_paths = _scope_paths(ops)
    root = Scope("", None, 0)
    scopes = {"": root}
    for op in ops:
        name = op._name
        if name in scope_paths:
            home = _scope(scopes, name, op._id)
            home.own = op
        else:
            home = _scope(scopes, name.rpartition("/")[0], op._id)
        home.items.append(op)
    for scope in reversed(scopes.values()):  # children were created after their parents
        scope.size += sum(_size(item) for item in scope.items if isinstance(item, LEAVES))
        if scope.parent is not None:
            scope.parent.size += scope.size
    for scope in scopes.values():
        _group_series(scope)
    return root


def _scope_paths(ops: list) -> set:
    paths: set = set()
    for op in ops:
        path = op._name.rpartition("/")[0]
        while path and path not in paths:
            paths.add(path)
            path = path.rpartition("/")[0]
    return paths


def _scope(scopes: dict, path: str, first: int) -> Scope:
    """The scope at `path`, creating it and its missing parents (iteratively: names nest deep)."""
    missing = []
    while path not in scopes:
        missing.append(path)
        path = path.rpartition("/")[0]
    parent = scopes[path]
    for path in reversed(missing):
        scope = scopes[path] = Scope(path, parent, first)
        parent.items.append(scope)
        parent = scope
    return parent


def _group_series(scope: Scope) -> None:
    """Replace runs of numbered siblings of one kind in `scope.items` by Series."""
    by_base: dict = {}
    for position, item in enumerate(scope.items):
        base, number = _series_key(_leaf(item))
        by_base.setdefault(base, []).append((number, position, item))
    replaced: dict = {}
    for entries in by_base.values():
        if len(entries) < SERIES_MIN_SIZE:
            continue
        by_kind: dict = {}
        for entry in entries:
            by_kind.setdefault(_kind(entry[2]), []).append(entry)
        for same_kind in by_kind.values():
            for run in _consecutive_runs(same_kind):
                series = Series(scope, [item for _, _, item in run])
                for member in series.members:
                    if isinstance(member, Scope):
                        member.series = series
                replaced.update((position, None) for _, position, _ in run)
                replaced[min(position for _, position, _ in run)] = series
    if replaced:
        scope.items = [replaced.get(position, item) for position, item in enumerate(scope.items)
                       if replaced.get(position, item) is not None]


def _numbered(leaf: str) -> tuple:
    """(`add`, 3) for TF's uniquified `add_3`; (leaf, 0) for a name without such a number."""
    base, underscore, digits = leaf.rpartition("_")
    if underscore and base and digits.isdigit() and digits.isascii() and len(digits) < 19:
        return base, int(digits)
    return leaf, 0


def _series_key(leaf: str) -> tuple:
    """As `_numbered`, and also (`block`, 7) for a user's numbered name `block7`."""
    base, number = _numbered(leaf)
    if base != leaf:
        return base, number
    stem = leaf.rstrip("0123456789")
    digits = leaf[len(stem):]
    if stem and digits and digits.isascii() and len(digits) < 19 and \
            (digits == "0" or digits[:1] != "0"):
        return stem, int(digits)
    return leaf, 0


def _kind(item: Union[Operation, Unit, Scope]) -> tuple:
    if isinstance(item, Operation):
        return ("op", item._type)
    if isinstance(item, Unit):
        return (item.kind, item.head._type)
    return ("scope", tuple(sorted(type_counts(item).items())))


def _consecutive_runs(entries: list) -> Iterator[list]:
    entries.sort(key=lambda entry: entry[0])
    run = [entries[0]]
    for entry in entries[1:]:
        if entry[0] == run[-1][0] + 1:
            run.append(entry)
            continue
        if len(run) >= SERIES_MIN_SIZE:
            yield run
        run = [entry]
    if len(run) >= SERIES_MIN_SIZE:
        yield run


def type_counts(group: Group) -> dict:
    """Op type -> number of ops of that type in the group's subtree (cached on the group)."""
    if group._types is None:
        counts: dict = {}
        for op in group_ops(group):
            counts[op._type] = counts.get(op._type, 0) + 1
        group._types = counts
    return group._types


# --- choosing what is open ------------------------------------------------------------------

def choose_open(root: Scope, max_nodes: int, depth: Optional[int] = None,
                expand: tuple = (), collapse: tuple = ()) -> None:
    """Mark groups open: forced ones (by `depth` and `expand`), then breadth-first by budget.

    With `depth`, scopes open by level alone and only series follow the budget. Top-level
    scopes named in `collapse` (or numbered copies: `gradients_1`) stay closed unless expanded.
    """
    forced = _forced(root, depth, expand)
    named = forced if depth is None else _forced(root, None, expand)  # NOTE: never folded
    closed = {id(item) for item in root.items
              if isinstance(item, Scope) and _base_name(item.path) in collapse}
    overflow = _fold_overflow(root, max_nodes * TOP_LEVEL_FACTOR, named)
    if overflow is not None:
        closed.add(id(overflow))
    visible = len(root.items)
    frontier: list = [root]
    while frontier:
        candidates = [item for group in frontier for item in group.items
                      if not isinstance(item, LEAVES)]
        frontier = []
        for group in candidates:
            if id(group) in forced:
                # NOTE: opened whatever its size, so a huge scope keeps its latest items only
                inner = _fold_overflow(group, max_nodes * TOP_LEVEL_FACTOR, named)
                if inner is not None:
                    closed.add(id(inner))
                visible += _open(group, frontier)
        budgeted = [group for group in candidates if id(group) not in forced
                    and id(group) not in closed and (depth is None or isinstance(group, Series))]
        for twins in _twin_sets(budgeted):
            if visible + sum(len(group.items) - 1 for group in twins) <= max_nodes:
                visible += sum(_open(group, frontier) for group in twins)


def _fold_overflow(scope: Group, limit: int, kept: set) -> Optional[Scope]:
    """Keep an open scope (the top level, or one forced open) within `limit` nodes: the earliest
    items beyond it (never one in `kept`, the expanded ones) become one closed group, so the
    latest ops (what was just built or fetched) stay visible."""
    surplus = len(scope.items) - limit + 1
    if surplus < 2 or not isinstance(scope, Scope):
        return None
    folded = [item for item in scope.items if id(item) not in kept][:surplus]
    if len(folded) < 2:
        return None
    # NOTE: a space: no scope's name
    path = f"{scope.path}/earlier ops" if scope.path else "earlier ops"
    overflow = Scope(path, scope, _first(folded[0]))
    overflow.overflow = True
    overflow.items = folded
    overflow.size = sum(_size(item) for item in folded)
    chosen = {id(item) for item in folded}
    scope.items = [overflow] + [item for item in scope.items if id(item) not in chosen]
    return overflow


def _base_name(path: str) -> str:
    """`gradients_3` -> `gradients`: a uniquified scope's original name."""
    base, _, suffix = path.rpartition("_")
    return base if base and suffix.isdigit() else path


def _twin_sets(groups: list) -> list:
    """Groups that look alike (kind, size, item count), largest first: they open together,
    so a drawing never shows one of fifty identical layers open and the rest closed."""
    sets: dict = {}
    for group in groups:
        sets.setdefault((isinstance(group, Series), group.size, len(group.items)), []).append(group)
    return sorted(sets.values(), key=lambda twins: (-twins[0].size, twins[0].first))


def _open(group: Group, frontier: list) -> int:
    group.open = True
    frontier.append(group)
    return len(group.items) - 1


def _forced(root: Scope, depth: Optional[int], expand: tuple) -> set:
    """ids of the groups that must be open: scopes above `depth`, `expand`ed ones, their parents."""
    if depth is None and not expand:
        return set()
    scopes: dict = {}
    homes: dict = {}  # op name -> the group holding it directly
    stack: list = [root]
    while stack:
        group = stack.pop()
        for item in group.items:
            if isinstance(item, LEAVES):
                homes[item._name] = group
                continue
            stack.append(item)
            if isinstance(item, Scope):
                scopes[item.path] = item
    chosen = [scope for scope in scopes.values() if depth is not None and scope.level < depth]
    chosen += [_expanded(name, scopes, homes) for name in expand]
    forced: set = set()
    for group in chosen:
        while group is not root and id(group) not in forced:
            forced.add(id(group))
            group = group.series if group.series is not None else group.parent
    return forced


def _expanded(name: str, scopes: dict, homes: dict) -> Group:
    """The scope to open for `expand=name`: that scope, or the one holding an op of that name."""
    path = name.strip("/")
    group = scopes.get(path) or homes.get(path)
    if group is None:
        known = ", ".join(sorted(scopes)[:12]) or "(none)"
        raise ValueError(f"Cannot expand {name!r}: no name scope or op of that name is drawn "
                         f"(scopes: {known}).")
    return group


# --- reading the result ---------------------------------------------------------------------

def assign_nodes(root: Scope) -> dict:
    """Operation -> what draws it: the op itself, its variable unit, or the collapsed group that
    contains it."""
    node_of: dict = {}
    stack: list = [root]
    while stack:
        group = stack.pop()
        for item in group.items:
            if isinstance(item, Operation):
                node_of[item] = item
            elif isinstance(item, Unit):
                node_of.update((op, item) for op in item.members)
            elif item.open:
                stack.append(item)
            else:
                node_of.update((op, item) for op in group_ops(item))
    return node_of


def group_ops(group: Group) -> Iterator[Operation]:
    """Every op in the group's subtree (a variable unit's members included)."""
    stack = [group]
    while stack:
        for item in stack.pop().items:
            if isinstance(item, Operation):
                yield item
            elif isinstance(item, Unit):
                yield from item.members
            else:
                stack.append(item)


def walk(root: Scope) -> Iterator[tuple]:
    """Drawing events in creation order: ("op", op), ("group", collapsed group),
    ("enter", scope) and ("leave", scope) around the contents of a clustered open scope.
    Scopes nested deeper than MAX_CLUSTER_DEPTH clusters are drawn inside the deepest one."""
    stack: list = [(None, iter(root.items))]
    depth = 0
    while stack:
        cluster, items = stack[-1]
        item = next(items, None)
        if item is None:
            stack.pop()
            if cluster is not None:
                depth -= 1
                yield ("leave", cluster)
        elif isinstance(item, LEAVES):
            yield ("op", item)
        elif not item.open:
            yield ("group", item)
        elif isinstance(item, Scope) and item.clustered and depth < MAX_CLUSTER_DEPTH:
            depth += 1
            yield ("enter", item)
            stack.append((item, iter(item.items)))
        else:
            stack.append((None, iter(item.items)))
