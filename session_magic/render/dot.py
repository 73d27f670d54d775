"""Graph -> DOT source text: what each node and edge looks like and says, the parts set aside,
and the caption and legend that make a drawing explain itself.

Legend:
- placeholder: blue `invhouse`; variable: tan `cylinder`, one node with its initializer, reads
  and slots (`f32[4,16] · 2 slots`); constant: small grey ellipse, or embedded in the label of
  the op it feeds (`mul × 0.5`); operation: white rounded box (name, then its type when the name
  does not say it); op writing a variable: orange border; `If`/`While`: lilac `component`.
- edge: `dtype[shape]` where it informs (out of an input, across a scope, where the shape
  changes; always in its tooltip), wider for bigger tensors; `:1` for an op's second output;
  dashed: control dependency; `×3`: three tensors merged.
- cluster: a name scope; folder: a collapsed scope (`N ops`); stacked box: a collapsed series
  (`add…add_9 (10)`, or `block × 40`); `→ Adam, init`: parts set aside that touch the node,
  drawn apart in the "set aside" cluster; `← x`: an input drawn once, apart, as it feeds many.
- thick magenta border: fetched; grey dashed: an op the runs did not need; white→red fill: run
  time relative to the slowest op; `= value`: a value from the last run; dotted: not evaluated.
Every graph-derived string is escaped; node ids are `n<op index>`, `s<k>`, `a<k>`,
`cluster_<k>`.
"""
from __future__ import annotations

import math
import re
import statistics
import textwrap
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Optional

import numpy as np

from ..device_spec import task_of_device
from ..errors import op_location
from ..graph import Graph, Operation, Tensor, ancestors, producers
from ..ops.registry import OPS
from . import hierarchy
from .hierarchy import Scope, Series
from .parts import Aside, Parts, Unit, classify
from .text import (LABEL_WIDTH, SMALL_VALUE, attributes, dtype_abbrev, duration, heat,
                   name_lines, shorten, spec_text, tensor_spec, value_brief, value_full)

__all__ = ["DrawOptions", "select_ops", "to_dot", "outline", "RANKDIRS", "dtype_abbrev",
           "spec_text"]

RANKDIRS = ("TB", "LR", "BT", "RL")
_SMALL_DRAWING = 25     # NOTE: above this many nodes, control edges are counted, not drawn
_DETACH_DEGREE = 6      # a node linked to more nodes than this (and ...
_DETACH_FACTOR = 3      # ... this many times the median) is drawn apart
_DETACH_GRADIENTS = 3   # a collapsed tf.gradients scope linked to this many nodes: drawn apart
_GRADIENTS_SCOPE = re.compile(r"(^|/)gradients(_\d+)?$")
_CAPTION_WIDTH = 96


@dataclass(frozen=True)
class DrawOptions:
    """What to draw and how; every field has a default that draws a plain graph."""

    rankdir: str = "TB"                  # TB, LR, BT or RL
    depth: Optional[int] = None          # scope levels open; None: as the budget allows
    expand: tuple = ()                   # scope (or op, or set-aside part) names drawn open
    collapse: tuple = ("gradients",)     # top-level scopes kept closed unless expanded
    max_nodes: int = 40                  # node budget above which scopes and series collapse
    values: Optional[dict] = None        # Tensor -> NumPy value, drawn on its op's node
    unevaluated: Optional[dict] = None   # Operation -> why its values are not drawn
    timings: Optional[dict] = None       # Operation -> seconds, colours nodes
    fetched: frozenset = frozenset()     # Tensors/Operations to emphasise
    faded: frozenset = frozenset()       # Operations the runs never needed
    hidden: frozenset = frozenset()      # Operations not drawn at all
    title: Optional[str] = None          # graph label
    legend: bool = True                  # the caption: what was set aside, what marks mean

    def __post_init__(self) -> None:
        rankdir = str(self.rankdir).upper()
        if rankdir not in RANKDIRS:
            raise ValueError(f"rankdir must be one of {', '.join(RANKDIRS)}; got {self.rankdir!r}")
        object.__setattr__(self, "rankdir", rankdir)
        expand = (self.expand,) if isinstance(self.expand, str) else tuple(self.expand)
        object.__setattr__(self, "expand", expand)
        if self.depth is not None and self.depth < 0:
            raise ValueError(f"depth must be 0 or more (or None); got {self.depth}")
        if self.max_nodes < 1:
            raise ValueError(f"max_nodes must be at least 1; got {self.max_nodes}")


# --- what to draw ---------------------------------------------------------------------------

def select_ops(target: Any) -> tuple:
    """(graph, ops in creation order, fetched set) for a Graph, or for what computes a Tensor,
    Operation or Variable (its ancestors through data and control inputs), or a list, tuple or
    dict of those (their union)."""
    if isinstance(target, Graph):
        return target, target.get_operations(), frozenset()
    elements, roots = [], []
    for item in _flatten(target):
        element, item_roots = _element_and_roots(item)
        elements.append(element)
        roots.extend(item_roots)
    if not elements:
        raise ValueError("Nothing to draw: the list of fetches is empty.")
    graph = _common_graph(elements)
    return graph, _ancestors(graph, roots), frozenset(elements)


def _flatten(target: Any) -> Iterable:
    if isinstance(target, dict):
        target = list(target.values())
    if isinstance(target, (list, tuple)):
        for item in target:
            yield from _flatten(item)
    else:
        yield target


def _element_and_roots(item: Any) -> tuple:
    """The element to emphasise and the ops whose ancestors draw it."""
    if isinstance(item, Tensor):
        return item, [item._op]
    if isinstance(item, Operation):
        return item, [item]
    if isinstance(item, Graph):
        raise TypeError("Draw a Graph on its own, not inside a list of fetches.")
    as_element = getattr(item, "_as_graph_element", None)
    if as_element is None:
        raise TypeError(f"Cannot draw {type(item).__name__} {item!r}: expected a Graph, Tensor, "
                        "Operation or Variable, or a list, tuple or dict of them.")
    element = as_element()
    read = getattr(item, "value", None)
    roots = [element.op if isinstance(element, Tensor) else element]
    if callable(read):
        roots.append(read().op)  # a Variable: also its `read` op
    return element, roots


def _common_graph(elements: list) -> Graph:
    graph = elements[0].graph
    for element in elements[1:]:
        if element.graph is not graph:
            raise ValueError(f"Cannot draw elements of different graphs together: "
                             f"{elements[0].name!r} is in {graph!r} and {element.name!r} is in "
                             f"{element.graph!r}.")
    return graph


def _ancestors(graph: Graph, roots: list) -> list:
    """The ops of `graph` that compute `roots` (a loop body's variables of an outer graph are
    drawn where they live)."""
    def upstream(op: Operation) -> list:
        return [producer for producer in producers(op) if producer._graph is graph]
    return ancestors([op for op in roots if op._graph is graph], upstream)


# --- node styles ----------------------------------------------------------------------------

# NOTE: newrank ranks the whole graph at once; without it dot fails to route some edges
# between clusters ("triangulation failed") and silently leaves them out of the picture.
_GRAPH_ATTRIBUTES = {"bgcolor": "white", "fontname": "Helvetica", "fontsize": "10",
                     "nodesep": "0.25", "ranksep": "0.35", "labelloc": "t", "newrank": "true",
                     "class": "sm-graph"}
_NODE_DEFAULTS = {"fontname": "Helvetica", "fontsize": "10", "shape": "box",
                  "style": "rounded,filled", "fillcolor": "white", "color": "#4d4d4d",
                  "height": "0.3", "margin": "0.08,0.03"}
_EDGE_DEFAULTS = {"fontname": "Helvetica", "fontsize": "8", "color": "#4d4d4d",
                  "fontcolor": "#4d4d4d", "arrowsize": "0.6"}
_STYLES = {
    "placeholder": {"class": "sm-placeholder", "shape": "invhouse", "style": "filled",
                    "fillcolor": "#d4e6f9", "color": "#3b73b9"},
    "variable": {"class": "sm-variable", "shape": "cylinder", "style": "filled",
                 "fillcolor": "#f8d9a8", "color": "#a8661a"},
    "const": {"class": "sm-const", "shape": "ellipse", "style": "filled", "fillcolor": "#ececec",
              "color": "#9a9a9a", "fontsize": "8", "height": "0.2"},
    "control": {"class": "sm-control", "shape": "component", "style": "filled",
                "fillcolor": "#e6dcf3", "color": "#6c4a9e"},
    "state": {"class": "sm-state", "fillcolor": "#fdf0e0", "color": "#d0701c"},
    "op": {"class": "sm-op"},
    "scope": {"class": "sm-scope", "shape": "folder", "style": "filled", "fillcolor": "#e1e9f4",
              "color": "#5d7ea8"},
    "series": {"class": "sm-series", "shape": "box3d", "style": "filled", "fillcolor": "#eef2f7",
               "color": "#5d7ea8"},
    "aside": {"class": "sm-aside", "shape": "folder", "style": "filled,dashed",
              "fillcolor": "#f4f4f4", "color": "#8a8a8a", "fontcolor": "#444444"},
}
_FETCHED = {"penwidth": "2.8", "color": "#c2185b"}
_FADED = {"fontcolor": "#a0a0a0", "color": "#c4c4c4", "fillcolor": "#f7f7f7"}
_FADED_EDGE = {"color": "#c4c4c4", "fontcolor": "#b0b0b0"}
_UNEVALUATED = {"style": "dotted", "penwidth": "1.4"}
_CLUSTER_FILLS = ("#f3f6fa", "#e8eef6")
_STYLE_OF_ROLE = {"placeholder": "placeholder", "variable": "variable", "const": "const",
                  "control_flow": "control", "no_op": "op", "op": "op"}
_INPUT_STYLES = ("placeholder", "variable", "const")
_GENERIC_NAME = re.compile(r"^(Const|const)(_\d+)?$")
_VERSION_SUFFIX = re.compile(r"V\d+$")


def _kind(node: Any) -> str:
    """The node style of an op or a variable unit, from the traits its op block declares."""
    if isinstance(node, Unit):
        if node.kind == "variable":
            return "variable"
        node = node.head
    opdef = OPS[node._type]
    return "state" if opdef.writes_state else _STYLE_OF_ROLE[opdef.role]


# --- the drawing ----------------------------------------------------------------------------

class _Drawing:
    """One to_dot call: the options and parts digested into per-node lookups, the node ids
    handed out, the links between drawn nodes and what each node is noted with."""

    def __init__(self, options: DrawOptions, parts: Parts, node_of: dict) -> None:
        self.options = options
        self.parts = parts
        self.node_of = node_of
        self.fetched = {_op_of(item) for item in options.fetched}
        self.faded = options.faded
        self.timings = options.timings or {}
        self.unevaluated = options.unevaluated or {}
        self.values: dict = {}
        for tensor, value in (options.values or {}).items():
            tensor = _tensor_of(tensor)
            self.values.setdefault(tensor._op, []).append((tensor._value_index, value))
        self.ids: dict = {}
        self.cluster_of: dict = {}   # drawn node -> path of the cluster it is drawn in
        self.slowest = 0.0
        self.notes: dict = {}        # drawn node -> {name of a part or node drawn apart: arrow}
        self.detached: dict = {}     # drawn node -> the nodes it is linked to
        self.counted_controls: dict = {}  # drawn node -> control inputs not drawn
        self.marks: set = set()      # what the legend must explain
        self.labelled: set = set()   # tensors whose spec is already on an edge
        self.task_colors: dict = {}  # task -> border colour, when the ops span two or more

    def node_id(self, node: Any) -> str:
        if isinstance(node, Operation):
            return f"n{node._id}"
        if isinstance(node, Unit):
            return f"n{node.head._id}"
        return self.ids[id(node)]

    def seconds(self, ops: Iterable) -> Optional[float]:
        times = [self.timings[op] for op in ops if op in self.timings]
        return sum(times) if times else None

    def note(self, node: Any, arrow: str, name: str) -> None:
        """Say on `node` that it is linked to `name`, drawn apart (`→ Adam`, `← x`)."""
        self.notes.setdefault(node, {}).setdefault(arrow, {})[name] = None


def _op_of(item: Any) -> Any:
    if isinstance(item, Tensor):
        return item._op
    if isinstance(item, Operation):
        return item
    element = item._as_graph_element()
    return element._op if isinstance(element, Tensor) else element


def _tensor_of(item: Any) -> Tensor:
    return item if isinstance(item, Tensor) else item._as_graph_element()


def to_dot(graph: Graph, ops: list, options: DrawOptions = DrawOptions()) -> str:
    """DOT source for `ops` of `graph`: the model with parts set aside, scopes and series
    collapsed above the node budget, a caption and a legend."""
    if options.hidden:
        ops = [op for op in ops if op not in options.hidden]
    parts = classify(graph, ops, options.expand)
    root = hierarchy.build(parts.items)
    hierarchy.choose_open(root, options.max_nodes, options.depth, options.expand,
                          options.collapse)
    drawing = _Drawing(options, parts, hierarchy.assign_nodes(root))
    drawing.task_colors = _task_colors(ops)
    events = list(hierarchy.walk(root))
    _number_groups(drawing, events)
    links = _links(drawing, [op for op in ops if op in drawing.node_of])
    _detach_hubs(drawing, links)
    _note_parts_aside(drawing)
    drawn_controls = len(drawing.cluster_of) <= _SMALL_DRAWING
    if not drawn_controls:
        _count_controls(drawing, links)
    body = _node_lines(drawing, events)
    body += _aside_lines(drawing, links)
    body += _edge_lines(drawing, links, drawn_controls)
    return "\n".join(["digraph G {", _header(drawing), *body, "}"]) + "\n"


def _header(drawing: _Drawing) -> str:
    """The graph's attributes (with its caption, written after the nodes chose their marks)
    and the node and edge defaults."""
    options = drawing.options
    graph_attributes = dict(_GRAPH_ATTRIBUTES, rankdir=options.rankdir)
    caption = _caption(drawing) if options.legend else []
    if caption:
        title = [options.title] if options.title else []
        graph_attributes.update(caption="\n".join(title + caption), labelloc="b",
                                labeljust="l")
    elif options.title:
        graph_attributes["label"] = options.title
    return (f"graph [{attributes(graph_attributes)}];\n"
            f"node [{attributes(_NODE_DEFAULTS)}];\n"
            f"edge [{attributes(_EDGE_DEFAULTS)}];")


def _number_groups(drawing: _Drawing, events: list) -> None:
    """Hand out `s<k>` ids, note each node's cluster, and find the slowest node, which sets
    the timing colour scale."""
    slowest = 0.0
    clusters = [""]
    for kind, node in events:
        if kind == "enter":
            clusters.append(node.path)
            continue
        if kind == "leave":
            clusters.pop()
            continue
        drawing.cluster_of[node] = clusters[-1]
        if kind == "group":
            drawing.ids[id(node)] = f"s{len(drawing.ids)}"
            seconds = drawing.seconds(hierarchy.group_ops(node)) if drawing.timings else None
        else:
            seconds = drawing.seconds(_members(node)) if drawing.timings else None
        slowest = max(slowest, seconds or 0.0)
    drawing.slowest = slowest


def _members(node: Any) -> list:
    if isinstance(node, Operation):
        return [node]
    if isinstance(node, Unit):
        return node.members
    return list(hierarchy.group_ops(node))


def _node_lines(drawing: _Drawing, events: list) -> list:
    lines: list = []
    clusters: list = [""]  # path of each enclosing cluster, innermost last
    serial = 0
    for kind, node in events:
        indent = "  " * min(len(clusters), 8)
        if kind == "enter":
            lines += _cluster_start(node, serial, len(clusters), indent)
            clusters.append(node.path)
            serial += 1
        elif kind == "leave":
            clusters.pop()
            lines.append("  " * min(len(clusters), 8) + "}")
        elif kind == "op":
            lines.append(indent + _leaf_node(drawing, node, _relative(node._name, clusters[-1])))
        else:
            lines.append(indent + _group_node(drawing, node, clusters[-1]))
    return lines


def _relative(name: str, cluster_path: str) -> str:
    if not cluster_path:
        return name
    return name[len(cluster_path) + 1:] if name != cluster_path else name.rpartition("/")[2]


def _cluster_start(scope: Scope, serial: int, level: int, indent: str) -> list:
    attrs = {"label": shorten(scope.leaf, LABEL_WIDTH),
             "tooltip": f"{shorten(scope.path, 300, keep_end=True)}\nname scope, "
                        f"{_count(scope.size, 'op')}",
             "style": "rounded,filled", "fillcolor": _CLUSTER_FILLS[level % 2],
             "color": "#9fb3cc", "fontcolor": "#34495e", "fontsize": "10", "labeljust": "l",
             "labelloc": "t", "class": "sm-cluster"}
    return [f"{indent}subgraph cluster_{serial} {{", f"{indent}  graph [{attributes(attrs)}];"]


def _under(name: str, path: str) -> str:
    """`name` relative to `path` when it lies under it, else whole."""
    return name[len(path) + 1:] if name.startswith(path + "/") else name


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


# --- leaf nodes: ops and variables -----------------------------------------------------------

def _leaf_node(drawing: _Drawing, node: Any, name: str) -> str:
    attrs, lines, tooltip = _leaf_parts(drawing, node, name)
    _decorate(drawing, attrs, lines, tooltip, node, _members(node))
    _mark_task(drawing, attrs, node.head if isinstance(node, Unit) else node)
    attrs["label"] = "\n".join(lines)
    attrs["tooltip"] = "\n".join(tooltip)
    return f"{drawing.node_id(node)} [{attributes(attrs)}];"


def _leaf_parts(drawing: _Drawing, node: Any, name: str) -> tuple:
    """(style attributes, label lines, tooltip lines) of an op or variable drawn as `name`."""
    kind = _kind(node)
    drawing.marks.add(kind)
    attrs = dict(_STYLES[kind])
    head = node.head if isinstance(node, Unit) else node
    if isinstance(node, Unit) and node.kind == "variable":
        lines, tooltip = _variable_text(node, name)
    else:
        lines, tooltip = _op_text(drawing, head, name)
    for index, value in drawing.values.get(head, ()):
        prefix = f":{index} = " if index else "= "
        lines.append(prefix + value_brief(value))
        tooltip.append(f"value{f' :{index}' if index else ''}: {value_full(value)}")
    return attrs, lines, tooltip


def _variable_text(unit: Unit, name: str) -> tuple:
    head = unit.head
    spec = tensor_spec(head._outputs[0])
    slots = f" · {_count(len(unit.slots), 'slot')}" if unit.slots else ""
    lines = [*name_lines(name, LABEL_WIDTH), spec + slots]
    tooltip = [head._name, f"variable {spec}"]
    folded = [op for op in unit.members if op is not head]
    if unit.initializer is not None:
        tooltip.append(f"initialized by {unit.initializer._name}")
    if folded:
        tooltip.append("with " + shorten(", ".join(f"{_under(op._name, head._name)} "
                                                   f"({op._type})" for op in folded), 400))
    if unit.slots:
        tooltip.append("slots: " + shorten(", ".join(s._name for s in unit.slots), 300))
    if head.defined_at:
        tooltip.append(f"defined at {op_location(head)} ({head.defined_at[2]})")
    return lines, tooltip


def _op_text(drawing: _Drawing, op: Operation, name: str) -> tuple:
    lines = name_lines(name, LABEL_WIDTH)
    second = _second_line(op, name)
    constants = drawing.parts.embedded.get(op, ())
    inline, own_line = _constant_text(op, constants)
    if inline and not second and len(lines) == 1 and len(lines[0]) + len(inline) < LABEL_WIDTH:
        lines[0] += " " + inline
    elif inline:
        second = f"{second} {inline}".strip()
    if second:
        lines.append(second)
    caption = OPS[op._type].caption
    text = caption(op) if caption is not None else None
    if text:
        lines += textwrap.wrap(text, LABEL_WIDTH, break_long_words=False)
    lines += own_line
    tooltip = _op_tooltip(op)
    if text:
        tooltip.append(text)
    tooltip += [f"constant {c._name} = {value_full(c._attrs['value'])}" for c in constants]
    return lines, tooltip


def _second_line(op: Operation, name: str) -> str:
    kind = _kind(op)
    if kind == "placeholder" and op._outputs:
        return tensor_spec(op._outputs[0])
    if kind == "const":
        value = op._attrs.get("value")
        if isinstance(value, np.ndarray) and value.size <= SMALL_VALUE:
            return value_brief(value)
        return tensor_spec(op._outputs[0]) if op._outputs else ""
    base = hierarchy._numbered(name.rpartition("/")[2])[0].lower()
    # NOTE: `Add` of type AddV2 (a newer version of an op keeps the old name) says its type.
    same = base in (op._type.lower(), _VERSION_SUFFIX.sub("", op._type).lower())
    return "" if same else op._type


def _constant_text(op: Operation, constants: Iterable) -> tuple:
    """How the constants `op` reads show in its label: (text after an infix operator, as
    `× 0.5`, or "" ; lines of `name = value` for the others)."""
    chosen = set(constants)
    infix = OPS[op._type].infix
    inline, own_line = "", []
    for position, t in enumerate(op._inputs):
        const = t._op
        if const not in chosen:
            continue
        value = value_brief(const._attrs["value"])
        if infix and len(op._inputs) == 2:
            inline = f"{infix} {value}" if position == 1 else f"{value} {infix}"
            continue
        leaf = const._name.rpartition("/")[2]
        label = value if _GENERIC_NAME.match(leaf) else f"{leaf} = {value}"
        own_line.append(shorten(label, LABEL_WIDTH))
    return inline, own_line


def _op_tooltip(op: Operation) -> list:
    lines = [op._name, f"type: {op._type}"]
    lines += [f"output {tensor.name}: {spec_text(tensor._dtype.name, tensor._dims)}"
              for tensor in op._outputs[:8]]
    if op._inputs:
        lines.append("inputs: " + shorten(", ".join(t.name for t in op._inputs), 300))
    if op._control_inputs:
        lines.append("control inputs: " +
                     shorten(", ".join(c._name for c in op._control_inputs), 300))
    lines += _branch_lines(op)
    if _kind(op) == "const" and "value" in op._attrs:
        lines.append("value: " + value_full(op._attrs["value"]))
    if op._device:
        lines.append(f"device: {op._device}")
    if op.defined_at:
        # NOTE: errors' location names a notebook cell (`cell [3], line 2`), not its temp file
        lines.append(f"defined at {op_location(op)} ({op.defined_at[2]})")
    return lines


def _branch_lines(op: Operation) -> list:
    lines = []
    for attr in ("then_graph", "else_graph", "cond_graph", "body_graph"):
        branch = op._attrs.get(attr)
        if branch is not None and hasattr(branch, "get_operations"):
            branch_ops = branch.get_operations()
            counts = _type_summary(_count_types(branch_ops))
            lines.append(f"{attr[:-6]}: {_count(len(branch_ops), 'op')} ({counts})")
    return lines


def _count_types(ops: Iterable) -> dict:
    counts: dict = {}
    for op in ops:
        counts[op._type] = counts.get(op._type, 0) + 1
    return counts


def _type_summary(counts: dict, limit: int = 8) -> str:
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    text = ", ".join(f"{count} {op_type}" for op_type, count in ranked[:limit])
    return text + (", …" if len(ranked) > limit else "")


def _decorate(drawing: _Drawing, attrs: dict, lines: list, tooltip: list, node: Any,
              ops: list) -> None:
    """Notes, timing colour, fetched emphasis, faded and unevaluated styles, shared by every
    node of the model."""
    notes = drawing.notes.get(node)
    if notes:
        text = "  ".join(f"{arrow} {', '.join(names)}" for arrow, names in notes.items())
        lines.append(shorten(text, LABEL_WIDTH + 8))
        tooltip.append("linked to what is drawn apart: " + text)
    linked = drawing.detached.get(node)
    if linked is not None:
        lines.append(f"{_count(len(linked), 'link')}, drawn apart")
        tooltip.append("linked to: " + shorten(", ".join(sorted(linked)), 600))
    hidden_controls = drawing.counted_controls.get(node)
    if hidden_controls:
        tooltip.append(f"{_count(hidden_controls, 'control input')} not drawn")
    seconds = drawing.seconds(ops) if drawing.timings else None
    if seconds is not None:
        attrs["fillcolor"] = heat(seconds / drawing.slowest if drawing.slowest else 0.0)
        attrs["class"] += " sm-timed"  # NOTE: its own fill in every theme
        lines.append(duration(seconds))
        tooltip.append(f"time: {duration(seconds)}")
    if drawing.fetched and any(op in drawing.fetched for op in ops):
        attrs.update(_FETCHED)
        attrs["class"] += " sm-fetched"
        tooltip.append("fetched")
    if drawing.faded and all(op in drawing.faded for op in ops):
        attrs.update(_FADED)
        attrs["class"] += " sm-faded"
        attrs["style"] = attrs.get("style", _NODE_DEFAULTS["style"]) + ",dashed"
        tooltip.append("not needed by the runs")
    reasons = {drawing.unevaluated[op] for op in ops if op in drawing.unevaluated}
    if reasons and drawing.options.values is not None:
        attrs["style"] = attrs.get("style", _NODE_DEFAULTS["style"]).replace("dashed", "") \
            + "," + _UNEVALUATED["style"]
        attrs["penwidth"] = _UNEVALUATED["penwidth"]
        tooltip.append("not evaluated: " + "; ".join(sorted(reasons)))
        drawing.marks.add("unevaluated")


# NOTE: borders, so a node's fill keeps saying what it is; distinct from the kinds' fills
_TASK_COLORS = ("#1b9e77", "#7570b3", "#e7298a", "#66a61e", "#a6761d", "#d95f02")


def _task_colors(ops: Iterable) -> dict:
    """{task: border colour} for the tasks the ops' devices name, when there are two or more
    (a program placed on a cluster); {} otherwise."""
    tasks = sorted({task_of_device(op._device) for op in ops} - {""})
    if len(tasks) < 2:
        return {}
    return {task: _TASK_COLORS[i % len(_TASK_COLORS)] for i, task in enumerate(tasks)}


def _mark_task(drawing: _Drawing, attrs: dict, op: Any) -> None:
    """Colour an op's border by the task its device names (`%graph` of a cluster program)."""
    color = drawing.task_colors.get(task_of_device(getattr(op, "_device", "")))
    if color is not None and "sm-fetched" not in attrs.get("class", ""):
        attrs["color"] = color
        attrs["penwidth"] = "2"
        drawing.marks.add("tasks")


# --- group nodes ----------------------------------------------------------------------------

def _group_node(drawing: _Drawing, group: Any, cluster_path: str) -> str:
    ops = list(hierarchy.group_ops(group))
    counts = hierarchy.type_counts(group)
    if isinstance(group, Scope) and group.foldable:
        attrs, lines, tooltip = _folded_parts(drawing, group, cluster_path)
    elif isinstance(group, Scope) and group.overflow:
        attrs, lines, tooltip = _overflow_parts(drawing, group, counts)
    elif isinstance(group, Scope):
        attrs = dict(_STYLES["scope"])
        drawing.marks.add("scope")
        lines = [*name_lines(group.leaf, LABEL_WIDTH), _count(group.size, "op")]
        tooltip = [group.path, f"name scope, {_count(group.size, 'op')}: {_type_summary(counts)}"]
    else:
        attrs, lines, tooltip = _series_parts(group, counts)
        drawing.marks.add("series")
    _decorate(drawing, attrs, lines, tooltip, group, ops)
    attrs["label"] = "\n".join(lines)
    attrs["tooltip"] = "\n".join(tooltip)
    return f"{drawing.ids[id(group)]} [{attributes(attrs)}];"


def _folded_parts(drawing: _Drawing, scope: Scope, cluster_path: str) -> tuple:
    """A collapsed scope that is one op with its constants, reads and assigns: drawn as the op."""
    own = scope.own
    attrs, lines, tooltip = _leaf_parts(drawing, own, _relative(own._name, cluster_path))
    folded = [f"{_relative(op._name, scope.path)} ({op._type})" for op in scope.items
              if op is not own and isinstance(op, Operation)]
    if folded:
        tooltip.append("with " + shorten(", ".join(folded), 300))
    return attrs, lines, tooltip


def _overflow_parts(drawing: _Drawing, group: Scope, counts: dict) -> tuple:
    """The top-level items beyond the node budget, drawn as one node."""
    lines = [f"{group.size} earlier ops", f"in {len(group.items)} nodes"]
    limit = drawing.options.max_nodes * hierarchy.TOP_LEVEL_FACTOR
    tooltip = [f"{group.size} earlier ops in {len(group.items)} nodes, folded to keep the drawing "
               f"within {limit} nodes; draw a part of the graph or raise max_nodes to see them",
               _type_summary(counts)]
    drawing.marks.add("scope")
    return dict(_STYLES["scope"]), lines, tooltip


def _series_type(first: Any) -> str:
    if isinstance(first, Unit):
        return "variable" if first.kind == "variable" else first.head._type
    return first._type


def _series_parts(series: Series, counts: dict) -> tuple:
    first = series.members[0]
    count = len(series.members)
    if isinstance(first, Scope):
        base = hierarchy._series_key(first.leaf)[0]
        lines = [shorten(f"{base} × {count}", LABEL_WIDTH, keep_end=True)]
        if first.foldable:
            lines.append(first.own._type)
            described = f"{count} {first.own._type} ops with their constants"
        else:
            lines.append(f"{_count(first.size, 'op')} each")
            described = f"{count} name scopes of {_count(first.size, 'op')}"
    else:
        lines = [shorten(f"{series.leaf} ({count})", LABEL_WIDTH, keep_end=True)]
        kind = _series_type(first)
        lines.append(kind)
        described = f"{count} {kind} ops"
    where = series.parent.path or "the top level"
    tooltip = [f"series {series.leaf} in {where}", described,
               f"{_count(series.size, 'op')}: {_type_summary(counts)}"]
    return dict(_STYLES["series"]), lines, tooltip


# --- parts set aside ------------------------------------------------------------------------

def _note_parts_aside(drawing: _Drawing) -> None:
    """Write the name of each part set aside on the model's nodes it touches (reads, writes,
    or runs after)."""
    node_of = drawing.node_of
    for part in drawing.parts.aside:
        for op in _aside_ops(part):
            for neighbour in _neighbours(op):
                node = node_of.get(neighbour)
                if node is not None:
                    drawing.note(node, "→", part.name)


def _aside_ops(part: Aside) -> list:
    return part.ops + [op for unit in part.variables for op in unit.members]


def _neighbours(op: Operation) -> Iterator[Operation]:
    for t in op._inputs:
        yield t._op
    yield from op._control_inputs
    for t in op._outputs:
        yield from t._consumers
    yield from op._control_outputs


def _aside_lines(drawing: _Drawing, links: dict) -> list:
    """The parts set aside, one dashed node each with no edge into the model, and the nodes
    drawn apart, in a row at the foot of the drawing (a column beside it would widen it)."""
    parts = drawing.parts.aside
    lines: list = []
    for k, part in enumerate(parts):
        ops = _aside_ops(part)
        text = [part.name, f"{part.kind}, {_count(len(ops), 'op')}"]
        if part.variables:
            text.append(shorten(", ".join(u._name for u in part.variables), LABEL_WIDTH))
        tooltip = [f"{part.name}: {part.kind}, {_count(len(ops), 'op')}, drawn apart",
                   f"%graph --expand {part.name} draws it in the model",
                   f"ops: {_type_summary(_count_types(ops))}"]
        node = dict(_STYLES["aside"], label="\n".join(text), tooltip="\n".join(tooltip))
        lines.append(f"  a{k} [{attributes(node)}];")
    apart = [f"a{k}" for k in range(len(parts))]
    apart += [drawing.node_id(node) for node in drawing.detached
              if drawing.cluster_of.get(node) == ""]
    deepest = _deepest(drawing, links)
    if deepest is not None:
        # NOTE: an invisible edge from the deepest node ranks them below it (rank=max does
        # not move nodes that have no edges)
        source = drawing.node_id(deepest)
        lines += [f'  {source} -> {node} [style="invis", weight="0"];' for node in apart]
    return lines


def _deepest(drawing: _Drawing, links: dict) -> Any:
    """The drawn node at the end of the longest path of drawn edges (None if none)."""
    successors: dict = {}
    waiting: dict = {}
    for source, destination, _ in links:
        if source in drawing.detached or destination in drawing.detached:
            continue
        if destination not in successors.setdefault(source, set()):
            successors[source].add(destination)
            waiting[destination] = waiting.get(destination, 0) + 1
    depth = {node: 0 for node in successors if not waiting.get(node)}
    ready = list(depth)
    while ready:  # NOTE: Kahn's order; nodes on a cycle of collapsed groups are left out
        node = ready.pop()
        for successor in successors.get(node, ()):
            depth[successor] = max(depth.get(successor, 0), depth[node] + 1)
            waiting[successor] -= 1
            if not waiting[successor]:
                ready.append(successor)
    return max(depth, key=depth.get) if depth else None


# --- edges ----------------------------------------------------------------------------------

def _links(drawing: _Drawing, ops: list) -> dict:
    """(source node, destination node, is control) -> {tensor or op carried: faded}, for the
    inputs of the drawn `ops` that come from another drawn node."""
    links: dict = {}
    node_of, faded = drawing.node_of, drawing.faded
    for op in ops:
        destination = node_of[op]
        for producer, carried, is_control in _inputs(op):
            source = node_of.get(producer)
            if source is None or source is destination:
                continue  # not drawn (set aside, embedded), or inside one node
            dim = bool(faded) and (producer in faded or op in faded)
            entry = links.setdefault((source, destination, is_control), {})
            entry[carried] = entry.get(carried, True) and dim
    return links


def _inputs(op: Operation) -> Iterator[tuple]:
    """(producing op, what flows, is it a control dependency) for each input of `op`."""
    for tensor in op._inputs:
        yield tensor._op, tensor, False
    for control in op._control_inputs:
        yield control, control, True


def _detach_hubs(drawing: _Drawing, links: dict) -> None:
    """Nodes linked to far more nodes than is usual here are drawn once, apart from their
    edges (as TensorBoard extracts high-degree nodes): the node says how many it links, and an
    input drawn apart is noted on the nodes it feeds (`← x`)."""
    neighbours: dict = {}
    for source, destination, _ in links:
        neighbours.setdefault(source, set()).add(destination)
        neighbours.setdefault(destination, set()).add(source)
    if not neighbours:
        return
    median = statistics.median(len(linked) for linked in neighbours.values())
    limit = max(_DETACH_DEGREE, _DETACH_FACTOR * median)
    large = len(neighbours) >= 2 * _DETACH_DEGREE
    for node, linked in neighbours.items():
        # NOTE: a gradients scope reads activations all along the forward path: its edges
        # cross the model and say nothing, however small the graph (TensorBoard extracts it too)
        gradients = isinstance(node, Scope) and _GRADIENTS_SCOPE.search(node.path) is not None
        if (large and len(linked) > limit) or (gradients and len(linked) >= _DETACH_GRADIENTS):
            drawing.detached[node] = {_node_name(other) for other in linked}
    for source, destination, _ in links:
        if source in drawing.detached and destination not in drawing.detached:
            drawing.note(destination, "←", _short_name(source))


def _short_name(node: Any) -> str:
    return _node_name(node).rpartition("/")[2]


def _count_controls(drawing: _Drawing, links: dict) -> None:
    """In a large drawing control edges are not drawn: each node's tooltip counts them."""
    counted = drawing.counted_controls
    for (_, destination, is_control), carried in links.items():
        if is_control:
            counted[destination] = counted.get(destination, 0) + len(carried)


def _edge_lines(drawing: _Drawing, links: dict, drawn_controls: bool) -> list:
    lines: list = []
    for (source, destination, is_control), carried in links.items():
        if source in drawing.detached or destination in drawing.detached:
            continue
        dim = all(carried.values())
        if not is_control:
            lines.append(_data_edge(drawing, source, destination, list(carried), dim))
        elif drawn_controls:
            lines.append(_control_edge(drawing, source, destination, len(carried), dim))
            drawing.marks.add("control_edges")
    return lines


def _data_edge(drawing: _Drawing, source: Any, destination: Any, tensors: list,
               dim: bool) -> str:
    specs = {tensor_spec(tensor) for tensor in tensors}
    common = specs.pop() if len(specs) == 1 else ""
    count = len(tensors)
    names = shorten(", ".join(tensor.name for tensor in tensors[:20]), 600)
    attrs: dict = {"tooltip": _edge_tooltip(f"{names}: {common}" if common else names, source,
                                            destination, count)}
    if count > 1:
        attrs["label"] = f"×{count} {common}".rstrip()
        drawing.marks.add("merged")
    elif tensors[0] not in drawing.labelled and _informs(drawing, source, destination,
                                                          tensors[0]):
        attrs["label"] = common
        drawing.labelled.add(tensors[0])
    attrs["penwidth"] = _width(tensors)
    if dim:
        attrs.update(_FADED_EDGE)
    return (f"  {drawing.node_id(source)} -> {drawing.node_id(destination)} "
            f"[{attributes(attrs)}];")


def _informs(drawing: _Drawing, source: Any, destination: Any, tensor: Tensor) -> bool:
    """Is the edge's `dtype[shape]` worth its place on the picture? Out of an input, across a
    scope's border, or where an op changed the shape (it is always in the tooltip)."""
    if isinstance(source, (Operation, Unit)) and _kind(source) in _INPUT_STYLES:
        # NOTE: a placeholder or variable shows its spec itself: the edge does not repeat it
        return tensor_spec(tensor) != tensor_spec(_head(source)._outputs[0])
    if not isinstance(source, (Operation, Unit)):
        return True
    if drawing.cluster_of.get(source) != drawing.cluster_of.get(destination):
        return True
    if not isinstance(destination, (Operation, Unit)):
        return True
    producer = tensor._op
    before = [t._dims for t in producer._inputs if t._dtype is tensor._dtype]
    return tensor._value_index > 0 or not before or tensor._dims not in before


def _head(node: Any) -> Operation:
    return node.head if isinstance(node, Unit) else node


def _width(tensors: list) -> str:
    """Wider for bigger tensors: 1 for a scalar, about 2.6 for a million elements."""
    largest = max(_elements(t._dims) for t in tensors)
    return f"{min(1.0 + 0.27 * math.log10(max(largest, 1)), 3.2):.2g}"


def _elements(dims: Any) -> int:
    if dims is None:
        return 1
    count = 1
    for d in dims:
        count *= d if d is not None else 1
    return count


def _control_edge(drawing: _Drawing, source: Any, destination: Any, count: int,
                  dim: bool) -> str:
    attrs = {"style": "dashed", "tooltip": _edge_tooltip("control dependency", source,
                                                         destination, count)}
    if count > 1:
        attrs["label"] = f"×{count}"
    if dim:
        attrs.update(_FADED_EDGE)
    return (f"  {drawing.node_id(source)} -> {drawing.node_id(destination)} "
            f"[{attributes(attrs)}];")


def _edge_tooltip(what: str, source: Any, destination: Any, count: int) -> str:
    many = f"{count} × " if count > 1 else ""
    return f"{many}{what}\n{_node_name(source)} → {_node_name(destination)}"


def _node_name(node: Any) -> str:
    if isinstance(node, (Operation, Unit)):
        return node._name
    if isinstance(node, Scope):
        return node.path
    parent = node.parent.path
    return f"{parent}/{node.leaf}" if parent else node.leaf


# --- caption and legend ---------------------------------------------------------------------

_COLOR_NAMES = dict(zip(_TASK_COLORS, ("green", "purple", "pink", "olive", "brown", "orange"),
                        strict=True))
_LEGEND = {
    "placeholder": "blue: placeholder", "variable": "tan cylinder: variable",
    "const": "grey: constant", "state": "orange: writes a variable",
    "control": "lilac: cond/while", "scope": "folder: a name scope, collapsed",
    "series": "stack: a numbered series", "merged": "×N: N tensors",
    "control_edges": "dashed: control dependency", "unevaluated": "dotted: not evaluated",
}


def _caption(drawing: _Drawing) -> list:
    lines: list = []
    aside = drawing.parts.aside
    if aside:
        names = ", ".join(part.name for part in aside)
        lines += _wrapped(f"Set aside: {names} (noted as → on the nodes they touch). "
                          f"%graph --expand {aside[0].name} draws it in.")
    if drawing.timings and drawing.slowest:
        lines.append(f"time: white 0 → red {duration(drawing.slowest)} (slowest node)")
    if drawing.options.values is not None and drawing.unevaluated:
        lines += _wrapped(_unevaluated_summary(drawing.unevaluated))
    marks = [text for key, text in _LEGEND.items() if key in drawing.marks]
    if marks and len(drawing.cluster_of) > 3:
        lines += _wrapped("   ".join(marks))
    if "tasks" in drawing.marks:
        lines += _wrapped("border = task: " + ", ".join(
            f"{_COLOR_NAMES[color]} {task}" for task, color in drawing.task_colors.items()))
    return lines


def _unevaluated_summary(unevaluated: dict) -> str:
    reasons: dict = {}
    for reason in unevaluated.values():
        reasons[reason] = reasons.get(reason, 0) + 1
    listed = "; ".join(f"{reason} ({count})" for reason, count in
                       sorted(reasons.items(), key=lambda item: -item[1])[:3])
    return f"{_count(len(unevaluated), 'op')} not evaluated: {listed}"


def _wrapped(text: str) -> list:
    lines, line = [], ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > _CAPTION_WIDTH:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return lines + [line] if line else lines


# --- the outline, for a terminal ------------------------------------------------------------

def outline(graph: Graph, ops: list, options: DrawOptions = DrawOptions()) -> str:
    """A few lines of text standing for the drawing where no picture can be shown: the
    top-level scopes and ops with their sizes, and the parts set aside."""
    if options.hidden:
        ops = [op for op in ops if op not in options.hidden]
    parts = classify(graph, ops, options.expand)
    root = hierarchy.build(parts.items)
    entries = [_outline_entry(item) for item in root.items[:_OUTLINE_ITEMS]]
    if len(root.items) > _OUTLINE_ITEMS:
        entries.append(f"… and {len(root.items) - _OUTLINE_ITEMS} more")
    lines = [f"{graph!r}" if len(ops) == graph.version else
             f"{_count(len(ops), 'op')} of {graph!r}"]
    lines += ["  " + line for line in _wrapped(", ".join(entries))]
    if parts.aside:
        aside = ", ".join(f"{part.name} ({part.kind}, {_count(len(_aside_ops(part)), 'op')})"
                          for part in parts.aside)
        lines += ["  " + line for line in _wrapped(f"set aside: {aside}")]
    lines.append("  (no picture here: %graph -o graph.svg saves one to open elsewhere)")
    return "\n".join(lines)


_OUTLINE_ITEMS = 24


def _outline_entry(item: Any) -> str:
    if isinstance(item, Unit) and item.kind == "variable":
        return f"{item._name} (variable {tensor_spec(item.head._outputs[0])})"
    if isinstance(item, (Operation, Unit)):
        head = _head(item)
        return f"{head._name} ({head._type})"
    if isinstance(item, Series):
        each = _count(item.size // len(item.members), "op")
        return f"{_node_name(item)} ({len(item.members)} × {each})"
    return f"{item.path} ({_count(item.size, 'op')})"
