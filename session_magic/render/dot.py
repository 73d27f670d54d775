"""Graph -> DOT source text: the drawing's visual grammar, scope collapsing, and escaping.

Legend:
- placeholder: blue `invhouse`; variable: tan `cylinder`; constant: small grey ellipse showing
  its value; operation: white rounded box (name, then its type when the name does not say it);
  op writing a variable (Assign…): orange border; `If`/`While`: lilac `component`.
- edge: `dtype[shape]` of the tensor (`f32[?,3]`, `i32[]` scalar, `f32[*]` unknown rank), `:1`
  for an op's second output; dashed: control dependency; `×3`: three tensors merged.
- cluster: a name scope; folder: a collapsed scope (`N ops`), or the top-level items beyond the
  node budget (`N earlier ops`); stacked box: a collapsed series (`add…add_9 (10)`, five or more
  numbered ops or scopes of one kind).
- thick magenta border: fetched; grey dashed: an op the runs did not need; white→red fill: run
  time relative to the slowest op; `= value`: a value from the last run.
Every graph-derived string is escaped; node ids are `n<op index>`, `s<k>`, `cluster_<k>`.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Optional

import numpy as np

from ..graph import Graph, Operation, Tensor, ancestors, producers
from ..ops.registry import OPS
from . import hierarchy
from .hierarchy import Scope, Series

__all__ = ["DrawOptions", "select_ops", "to_dot", "RANKDIRS", "dtype_abbrev", "spec_text"]

RANKDIRS = ("TB", "LR", "BT", "RL")
_LABEL_WIDTH = 32
_TOOLTIP_LIMIT = 3000
_VALUE_LIMIT = 2000
_SMALL_VALUE = 6


@dataclass(frozen=True)
class DrawOptions:
    """What to draw and how; every field has a default that draws a plain graph."""

    rankdir: str = "TB"                  # TB, LR, BT or RL
    depth: Optional[int] = None          # scope levels open; None: as the budget allows
    expand: tuple = ()                   # scope (or op) names forced open, with their parents
    collapse: tuple = ("gradients",)     # top-level scopes kept closed unless expanded
    max_nodes: int = 40                  # node budget above which scopes and series collapse
    values: Optional[dict] = None        # Tensor -> NumPy value, drawn on its op's node
    timings: Optional[dict] = None       # Operation -> seconds, colours nodes
    fetched: frozenset = frozenset()     # Tensors/Operations to emphasise
    faded: frozenset = frozenset()       # Operations the runs never needed
    hidden: frozenset = frozenset()      # Operations not drawn at all
    title: Optional[str] = None          # graph label

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


# --- escaping -------------------------------------------------------------------------------

def _escape_table(backslash: str) -> dict:
    table = {code: " " for code in range(32)}
    table.update({ord("\n"): "\\n", ord("\r"): "", 127: " ", 0xFFFE: "\ufffd", 0xFFFF: "\ufffd"})
    table.update({code: "\ufffd" for code in range(0xD800, 0xE000)})
    # NOTE: Graphviz reads `&lt;`-style entities in every string, and in tooltips undoes one more
    # level of backslashes (so `\N`, `\G` would become names there); these make text verbatim.
    table.update({ord("&"): "&amp;", ord('"'): '\\"', ord("\\"): backslash})
    return table


_LABEL_ESCAPES = _escape_table("\\\\")
_TOOLTIP_ESCAPES = _escape_table("\\\\\\\\")


def quote_label(text: str) -> str:
    """`text` as a DOT double-quoted label that Graphviz shows verbatim."""
    return '"' + text.translate(_LABEL_ESCAPES) + '"'


def quote_tooltip(text: str) -> str:
    """`text` as a DOT double-quoted tooltip that Graphviz shows verbatim."""
    return '"' + _shorten(text, _TOOLTIP_LIMIT).translate(_TOOLTIP_ESCAPES) + '"'


def _shorten(text: str, limit: int, keep_end: bool = False) -> str:
    if len(text) <= limit:
        return text
    return "…" + text[-(limit - 1):] if keep_end else text[:limit - 1] + "…"


def _attributes(attrs: dict) -> str:
    parts = []
    for key, value in attrs.items():
        if key == "label":
            parts.append(f"label={quote_label(value)}")
        elif key == "tooltip":
            parts.append(f"tooltip={quote_tooltip(value)}")
        else:
            parts.append(f'{key}="{value}"')  # our own constants and numbers, never graph text
    return ", ".join(parts)


# --- text for tensors and values ------------------------------------------------------------

_DTYPE_ABBREVIATIONS = {
    "float16": "f16", "bfloat16": "bf16", "float32": "f32", "float64": "f64", "int8": "i8",
    "int16": "i16", "int32": "i32", "int64": "i64", "uint8": "u8", "uint16": "u16",
    "uint32": "u32", "uint64": "u64", "bool": "b", "string": "str", "complex64": "c64",
    "complex128": "c128"}


def dtype_abbrev(name: str) -> str:
    """TF-style short dtype: float32 -> f32, bool -> b, string -> str."""
    return _DTYPE_ABBREVIATIONS.get(name, name)


def spec_text(dtype_name: str, dims: Any) -> str:
    """`f32[?,3]`, `i32[]` for a scalar, `f32[*]` for unknown rank."""
    if dims is None:
        return dtype_abbrev(dtype_name) + "[*]"
    return f"{dtype_abbrev(dtype_name)}[{','.join('?' if d is None else str(d) for d in dims)}]"


def _tensor_spec(tensor: Tensor) -> str:
    index = f":{tensor._value_index} " if tensor._value_index else ""
    return index + spec_text(tensor._dtype.name, tensor._dims)


def _array_dtype_name(array: np.ndarray) -> str:
    if array.dtype.kind in "OSU":
        return "string"
    return array.dtype.name


def _value_brief(value: Any) -> str:
    """A short label line: the value itself when small, else its spec and mean."""
    try:
        array = np.asarray(value)
        if array.size <= _SMALL_VALUE:
            return _shorten(_array_text(array, threshold=_SMALL_VALUE), _LABEL_WIDTH)
        spec = spec_text(_array_dtype_name(array), array.shape)
        if array.dtype.kind in "iuf":
            with np.errstate(all="ignore"):
                return f"{spec} mean={float(np.mean(array)):.3g}"
        return spec
    except Exception:  # noqa: BLE001 - a value we cannot summarise must not cost the picture
        return _shorten(repr(value), _LABEL_WIDTH)


def _value_full(value: Any) -> str:
    try:
        text = _array_text(np.asarray(value), threshold=200)
    except Exception:  # noqa: BLE001 - as above
        text = repr(value)
    return _shorten(text, _VALUE_LIMIT)


def _array_text(array: np.ndarray, threshold: int) -> str:
    if array.ndim == 0:
        item = array.item()
        return _float_text(item) if isinstance(item, float) else repr(item)
    return np.array2string(array, separator=", ", precision=4, threshold=threshold,
                           max_line_width=80)


def _float_text(number: float) -> str:
    text = f"{number:.4g}"
    return text if any(c in text for c in ".eni") else text + ".0"  # 1.0, not 1 (an int)


def _duration(seconds: float) -> str:
    for scale, unit in ((1.0, "s"), (1e-3, "ms"), (1e-6, "µs")):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds * 1e9:.3g} ns"


def _heat(fraction: float) -> str:
    """White (0) to red (1)."""
    level = round(255 - 185 * min(max(fraction, 0.0), 1.0))
    return f"#ff{level:02x}{level:02x}"


# --- node styles ----------------------------------------------------------------------------

# NOTE: newrank ranks the whole graph at once; without it dot fails to route some edges
# between clusters ("triangulation failed") and silently leaves them out of the picture.
_GRAPH_ATTRIBUTES = {"bgcolor": "white", "fontname": "Helvetica", "fontsize": "12",
                     "nodesep": "0.25", "ranksep": "0.35", "labelloc": "t", "newrank": "true"}
_NODE_DEFAULTS = {"fontname": "Helvetica", "fontsize": "10", "shape": "box",
                  "style": "rounded,filled", "fillcolor": "white", "color": "#4d4d4d",
                  "height": "0.3", "margin": "0.08,0.03"}
_EDGE_DEFAULTS = {"fontname": "Helvetica", "fontsize": "8", "color": "#4d4d4d",
                  "fontcolor": "#4d4d4d", "arrowsize": "0.6"}
_STYLES = {
    "placeholder": {"shape": "invhouse", "style": "filled", "fillcolor": "#d4e6f9",
                    "color": "#3b73b9"},
    "variable": {"shape": "cylinder", "style": "filled", "fillcolor": "#f8d9a8",
                 "color": "#a8661a"},
    "const": {"shape": "ellipse", "style": "filled", "fillcolor": "#ececec", "color": "#9a9a9a",
              "fontsize": "8", "height": "0.2"},
    "control": {"shape": "component", "style": "filled", "fillcolor": "#e6dcf3",
                "color": "#6c4a9e"},
    "state": {"fillcolor": "#fdf0e0", "color": "#d0701c"},
    "op": {},
    "scope": {"shape": "folder", "style": "filled", "fillcolor": "#e1e9f4", "color": "#5d7ea8"},
    "series": {"shape": "box3d", "style": "filled", "fillcolor": "#eef2f7", "color": "#5d7ea8"},
}
_FETCHED = {"penwidth": "2.8", "color": "#c2185b"}
_FADED = {"fontcolor": "#a0a0a0", "color": "#c4c4c4", "fillcolor": "#f7f7f7"}
_FADED_EDGE = {"color": "#c4c4c4", "fontcolor": "#b0b0b0"}
_CLUSTER_FILLS = ("#f3f6fa", "#e8eef6")
_STYLE_OF_ROLE = {"placeholder": "placeholder", "variable": "variable", "const": "const",
                  "control_flow": "control", "no_op": "op", "op": "op"}


def _kind(op: Operation) -> str:
    """The node style of `op`, from the traits its op block declares."""
    opdef = OPS[op._type]
    return "state" if opdef.writes_state else _STYLE_OF_ROLE[opdef.role]


# --- the drawing ----------------------------------------------------------------------------

class _Drawing:
    """One to_dot call: the options digested into per-op lookups, and the node ids handed out."""

    def __init__(self, options: DrawOptions) -> None:
        self.options = options
        self.fetched = {_op_of(item) for item in options.fetched}
        self.faded = options.faded
        self.timings = options.timings or {}
        self.values: dict = {}
        for tensor, value in (options.values or {}).items():
            tensor = _tensor_of(tensor)
            self.values.setdefault(tensor._op, []).append((tensor._value_index, value))
        self.ids: dict = {}
        self.slowest = 0.0

    def node_id(self, node: Any) -> str:
        return f"n{node._id}" if isinstance(node, Operation) else self.ids[id(node)]

    def seconds(self, ops: Iterable) -> Optional[float]:
        times = [self.timings[op] for op in ops if op in self.timings]
        return sum(times) if times else None


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
    """DOT source for `ops` of `graph`, collapsing scopes and series above the node budget."""
    if options.hidden:
        ops = [op for op in ops if op not in options.hidden]
    root = hierarchy.build(ops)
    hierarchy.choose_open(root, options.max_nodes, options.depth, options.expand,
                          options.collapse)
    node_of = hierarchy.assign_nodes(root)
    drawing = _Drawing(options)
    events = list(hierarchy.walk(root))
    _number_groups(drawing, events)
    lines = ["digraph G {", _header(options)]
    lines += _node_lines(drawing, events)
    lines += _edge_lines(drawing, ops, node_of)
    lines.append("}")
    return "\n".join(lines) + "\n"


def _header(options: DrawOptions) -> str:
    graph_attributes = dict(_GRAPH_ATTRIBUTES, rankdir=options.rankdir)
    if options.title:
        graph_attributes["label"] = options.title
    return (f"graph [{_attributes(graph_attributes)}];\n"
            f"node [{_attributes(_NODE_DEFAULTS)}];\n"
            f"edge [{_attributes(_EDGE_DEFAULTS)}];")


def _number_groups(drawing: _Drawing, events: list) -> None:
    """Hand out `s<k>` ids and find the slowest node, which sets the timing colour scale."""
    slowest = 0.0
    for kind, node in events:
        if kind == "group":
            drawing.ids[id(node)] = f"s{len(drawing.ids)}"
            seconds = drawing.seconds(hierarchy.group_ops(node)) if drawing.timings else None
        elif kind == "op":
            seconds = drawing.timings.get(node)
        else:
            continue
        slowest = max(slowest, seconds or 0.0)
    drawing.slowest = slowest


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
            lines.append(indent + _op_node(drawing, node, _relative(node._name, clusters[-1])))
        else:
            lines.append(indent + _group_node(drawing, node, clusters[-1]))
    return lines


def _relative(name: str, cluster_path: str) -> str:
    if not cluster_path:
        return name
    return name[len(cluster_path) + 1:] if name != cluster_path else name.rpartition("/")[2]


def _cluster_start(scope: Scope, serial: int, level: int, indent: str) -> list:
    attrs = {"label": _shorten(scope.leaf, _LABEL_WIDTH),
             "tooltip": f"{_shorten(scope.path, 300, keep_end=True)}\nname scope, {scope.size} ops",
             "style": "rounded,filled", "fillcolor": _CLUSTER_FILLS[level % 2],
             "color": "#9fb3cc", "fontcolor": "#34495e", "fontsize": "10", "labeljust": "l"}
    return [f"{indent}subgraph cluster_{serial} {{", f"{indent}  graph [{_attributes(attrs)}];"]


# --- op nodes -------------------------------------------------------------------------------

def _op_node(drawing: _Drawing, op: Operation, name: str) -> str:
    attrs, lines, tooltip = _op_parts(drawing, op, name)
    _decorate(drawing, attrs, lines, tooltip, [op], drawing.timings.get(op))
    attrs["label"] = "\n".join(lines)
    attrs["tooltip"] = "\n".join(tooltip)
    return f"n{op._id} [{_attributes(attrs)}];"


def _op_parts(drawing: _Drawing, op: Operation, name: str) -> tuple:
    """(style attributes, label lines, tooltip lines) of an op drawn as `name`."""
    attrs = dict(_STYLES[_kind(op)])
    lines = [_shorten(name, _LABEL_WIDTH, keep_end=True)]
    second = _second_line(op, name)
    if second:
        lines.append(second)
    tooltip = _op_tooltip(op)
    for index, value in drawing.values.get(op, ()):
        prefix = f":{index} = " if index else "= "
        lines.append(prefix + _value_brief(value))
        tooltip.append(f"value{f' :{index}' if index else ''}: {_value_full(value)}")
    return attrs, lines, tooltip


_VERSION_SUFFIX = re.compile(r"V\d+$")


def _second_line(op: Operation, name: str) -> str:
    kind = _kind(op)
    if kind in ("placeholder", "variable") and op._outputs:
        return _tensor_spec(op._outputs[0])
    if kind == "const":
        value = op._attrs.get("value")
        if isinstance(value, np.ndarray) and value.size <= _SMALL_VALUE:
            return _value_brief(value)
        return _tensor_spec(op._outputs[0]) if op._outputs else ""
    base = hierarchy._numbered(name.rpartition("/")[2])[0].lower()
    # NOTE: `Add` of type AddV2 (a newer version of an op keeps the old name) says its type.
    same = base in (op._type.lower(), _VERSION_SUFFIX.sub("", op._type).lower())
    return "" if same else _shorten(op._type, _LABEL_WIDTH)


def _op_tooltip(op: Operation) -> list:
    lines = [op._name, f"type: {op._type}"]
    lines += [f"output {tensor.name}: {spec_text(tensor._dtype.name, tensor._dims)}"
              for tensor in op._outputs[:8]]
    if op._inputs:
        lines.append("inputs: " + _shorten(", ".join(t.name for t in op._inputs), 300))
    if op._control_inputs:
        lines.append("control inputs: " +
                     _shorten(", ".join(c._name for c in op._control_inputs), 300))
    lines += _branch_lines(op)
    if _kind(op) == "const" and "value" in op._attrs:
        lines.append("value: " + _value_full(op._attrs["value"]))
    if op.defined_at:
        filename, line, function = op.defined_at
        lines.append(f"defined at {filename}:{line} ({function})")
    return lines


def _branch_lines(op: Operation) -> list:
    lines = []
    for attr in ("then_graph", "else_graph", "cond_graph", "body_graph"):
        branch = op._attrs.get(attr)
        if branch is not None and hasattr(branch, "get_operations"):
            branch_ops = branch.get_operations()
            counts = _type_summary(_count_types(branch_ops))
            lines.append(f"{attr[:-6]}: {len(branch_ops)} ops ({counts})")
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


def _decorate(drawing: _Drawing, attrs: dict, lines: list, tooltip: list, ops: list,
              seconds: Optional[float]) -> None:
    """Timing colour, fetched emphasis and faded style, shared by op and group nodes."""
    if seconds is not None:
        attrs["fillcolor"] = _heat(seconds / drawing.slowest if drawing.slowest else 0.0)
        lines.append(_duration(seconds))
        tooltip.append(f"time: {_duration(seconds)}")
    if drawing.fetched and any(op in drawing.fetched for op in ops):
        attrs.update(_FETCHED)
        tooltip.append("fetched")
    if drawing.faded and all(op in drawing.faded for op in ops):
        attrs.update(_FADED)
        attrs["style"] = attrs.get("style", _NODE_DEFAULTS["style"]) + ",dashed"
        tooltip.append("not needed by the runs")


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
        lines = [_shorten(group.leaf, _LABEL_WIDTH, keep_end=True), f"{group.size} ops"]
        tooltip = [group.path, f"name scope, {group.size} ops: {_type_summary(counts)}"]
    else:
        attrs, lines, tooltip = _series_parts(group, counts)
    seconds = drawing.seconds(ops) if drawing.timings else None
    _decorate(drawing, attrs, lines, tooltip, ops, seconds)
    attrs["label"] = "\n".join(lines)
    attrs["tooltip"] = "\n".join(tooltip)
    return f"{drawing.ids[id(group)]} [{_attributes(attrs)}];"


def _folded_parts(drawing: _Drawing, scope: Scope, cluster_path: str) -> tuple:
    """A collapsed scope that is one op with its constants, reads and assigns: drawn as the op."""
    own = scope.own
    attrs, lines, tooltip = _op_parts(drawing, own, _relative(own._name, cluster_path))
    folded = [f"{_relative(op._name, scope.path)} ({op._type})" for op in scope.items
              if op is not own]
    tooltip.append("with " + _shorten(", ".join(folded), 300))
    return attrs, lines, tooltip


def _overflow_parts(drawing: _Drawing, group: Scope, counts: dict) -> tuple:
    """The top-level items beyond the node budget, drawn as one node."""
    lines = [f"{group.size} earlier ops", f"in {len(group.items)} nodes"]
    limit = drawing.options.max_nodes * hierarchy.TOP_LEVEL_FACTOR
    tooltip = [f"{group.size} earlier ops in {len(group.items)} nodes, folded to keep the drawing "
               f"within {limit} nodes; draw a part of the graph or raise max_nodes to see them",
               _type_summary(counts)]
    return dict(_STYLES["scope"]), lines, tooltip


def _series_parts(series: Series, counts: dict) -> tuple:
    first = series.members[0]
    count = len(series.members)
    lines = [_shorten(f"{series.leaf} ({count})", _LABEL_WIDTH, keep_end=True)]
    if isinstance(first, Operation):
        lines.append(_shorten(first._type, _LABEL_WIDTH))
        described = f"{count} {first._type} ops"
    elif first.foldable:
        lines.append(_shorten(first.own._type, _LABEL_WIDTH))
        described = f"{count} {first.own._type} ops with their constants"
    else:
        lines.append(f"{first.size} ops each")
        described = f"{count} name scopes of {first.size} ops"
    where = series.parent.path or "the top level"
    tooltip = [f"series {series.leaf} in {where}", described,
               f"{series.size} ops: {_type_summary(counts)}"]
    return dict(_STYLES["series"]), lines, tooltip


# --- edges ----------------------------------------------------------------------------------

def _edge_lines(drawing: _Drawing, ops: list, node_of: dict) -> list:
    lines: list = []
    merged: dict = {}  # (source node, destination node, is_control) -> {tensor or op: faded}
    faded = drawing.faded
    for op in ops:
        destination = node_of[op]
        for producer, carried, is_control in _links(op):
            source = node_of.get(producer)
            if source is None or source is destination:
                continue  # not drawn, or inside one collapsed node
            dim = bool(faded) and (producer in faded or op in faded)
            if source is not producer or destination is not op:
                _merge(merged, (source, destination, is_control), carried, dim)
            elif is_control:
                lines.append(_control_edge(drawing, producer, op, 1, dim))
            else:
                lines.append(_data_edge(carried, op, dim))
    for (source, destination, is_control), carried in merged.items():
        dim = all(carried.values())
        if is_control:
            lines.append(_control_edge(drawing, source, destination, len(carried), dim))
        else:
            lines.append(_merged_edge(drawing, source, destination, list(carried), dim))
    return lines


def _links(op: Operation) -> Iterator[tuple]:
    """(producing op, what flows, is it a control dependency) for each input of `op`."""
    for tensor in op._inputs:
        yield tensor._op, tensor, False
    for control in op._control_inputs:
        yield control, control, True


def _merge(merged: dict, key: tuple, carried: Any, dim: bool) -> None:
    entry = merged.setdefault(key, {})
    entry[carried] = entry.get(carried, True) and dim


def _data_edge(tensor: Tensor, op: Operation, dim: bool) -> str:
    attrs = {"label": _tensor_spec(tensor), "tooltip": f"{tensor.name} → {op._name}"}
    if dim:
        attrs.update(_FADED_EDGE)
    return f"  n{tensor._op._id} -> n{op._id} [{_attributes(attrs)}];"


def _control_edge(drawing: _Drawing, source: Any, destination: Any, count: int,
                  dim: bool) -> str:
    attrs = {"style": "dashed", "tooltip": _edge_tooltip("control dependency", source,
                                                         destination, count)}
    if dim:
        attrs.update(_FADED_EDGE)
    return (f"  {drawing.node_id(source)} -> {drawing.node_id(destination)} "
            f"[{_attributes(attrs)}];")


def _merged_edge(drawing: _Drawing, source: Any, destination: Any, tensors: list,
                 dim: bool) -> str:
    specs = {_tensor_spec(tensor) for tensor in tensors}
    common = specs.pop() if len(specs) == 1 else ""
    count = len(tensors)
    label = common if count == 1 else f"×{count} {common}".rstrip()
    names = _shorten(", ".join(tensor.name for tensor in tensors[:20]), 600)
    attrs = {"label": label, "tooltip": _edge_tooltip(names, source, destination, count)}
    if count > 1:
        attrs["penwidth"] = f"{min(1.0 + 0.5 * math.log2(count), 4.0):.2g}"
    if dim:
        attrs.update(_FADED_EDGE)
    return (f"  {drawing.node_id(source)} -> {drawing.node_id(destination)} "
            f"[{_attributes(attrs)}];")


def _edge_tooltip(what: str, source: Any, destination: Any, count: int) -> str:
    many = f"{count} × " if count > 1 else ""
    return f"{many}{what}\n{_node_name(source)} → {_node_name(destination)}"


def _node_name(node: Any) -> str:
    if isinstance(node, Operation):
        return node._name
    if isinstance(node, Scope):
        return node.path
    parent = node.parent.path
    return f"{parent}/{node.leaf}" if parent else node.leaf
