"""Measure how readable session_magic's drawings are: size, nodes, edges, crossings, label size.

    python benchmarks/drawings.py                   # every model; writes benchmarks/DRAWINGS.md
    python benchmarks/drawings.py --png /tmp/shots  # also a PNG of each drawing (headless Chromium)
    python benchmarks/drawings.py --only mlp_adam --option depth=0   # prints, writes no file

Each reference model is built in a fresh graph and drawn with `session_magic.render.draw(graph)`
and no options (what `%graph` shows); every figure is read from the SVG that Graphviz produced.
The measuring functions (`measure`, `count_crossings`, ...) need only NumPy and are imported by
tests/test_drawing_metrics.py.
"""
from __future__ import annotations

import argparse
import ast
import datetime
import math
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

import numpy as np

HERE = Path(__file__).resolve().parent
DRAWINGS = HERE / "DRAWINGS.md"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync")
# NOTE: headless Chromium paints only part of a window smaller than about 150 px high, so small
# drawings get a larger white canvas; very large ones are cut to keep the screenshot possible.
SMALLEST_WINDOW, LARGEST_WINDOW = 200, 16000

PX_PER_UNIT = {"pt": 4 / 3, "px": 1.0, "in": 96.0, "cm": 96 / 2.54, "mm": 96 / 25.4, "": 1.0}
CROSSING_ANGLE_DEGREES = 15.0
ENDPOINT_MARGIN_PX = 5.0
SAMPLE_STEP_PX = 2.0


# --- reference models: each builder takes the tf module, fills the default graph, returns its
# --- fetches (the same code builds on session_magic or on tensorflow.compat.v1)

def build_seed(tf: Any) -> list:
    """The seed graph: 1 + 2."""
    x = tf.constant(1)
    y = tf.constant(2)
    return [x + y]


def build_mlp(tf: Any, optimizer: Any) -> list:
    """drawing/M2_mlp_adam.py of the drawing comparison, with `optimizer` as its OPTIMIZER."""
    x = tf.placeholder(tf.float32, [None, 4], name="x")
    y = tf.placeholder(tf.float32, [None, 3], name="y")
    with tf.name_scope("layer1"):
        W1 = tf.Variable(tf.random_normal([4, 16], stddev=0.1), name="W")
        b1 = tf.Variable(tf.zeros([16]), name="b")
        h1 = tf.nn.relu(tf.matmul(x, W1) + b1)
    with tf.name_scope("layer2"):
        W2 = tf.Variable(tf.random_normal([16, 3], stddev=0.1), name="W")
        b2 = tf.Variable(tf.zeros([3]), name="b")
        logits = tf.matmul(h1, W2) + b2
    with tf.name_scope("loss"):
        loss = tf.reduce_mean(tf.square(logits - y))
    train_op = optimizer.minimize(loss)
    tf.global_variables_initializer()
    with tf.name_scope("accuracy"):
        correct = tf.equal(tf.argmax(logits, 1), tf.argmax(y, 1))
        accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))
    return [train_op, loss, accuracy]


def build_mlp_adam(tf: Any) -> list:
    """The comparison's M2 as it stands: Adam(0.01)."""
    return build_mlp(tf, tf.train.AdamOptimizer(0.01))


def build_mlp_gd_saver(tf: Any) -> list:
    """M2 with plain gradient descent, and a Saver created after the model."""
    fetches = build_mlp(tf, tf.train.GradientDescentOptimizer(0.1))
    tf.train.Saver()
    return fetches


def cnn_available(tf: Any) -> bool:
    """Whether `tf` has what build_cnn uses beyond the MLP's ops."""
    return all(hasattr(tf.nn, name) for name in ("conv2d", "max_pool")) and \
        hasattr(tf, "layers") and hasattr(tf.layers, "dense")


def build_cnn(tf: Any) -> list:
    """A small CNN like the comparison's M4: conv, pool, dense, softmax cross entropy, Adam."""
    x = tf.placeholder(tf.float32, [None, 28, 28, 1], name="x")
    y = tf.placeholder(tf.float32, [None, 10], name="y")
    with tf.name_scope("conv1"):
        W = tf.Variable(tf.truncated_normal([5, 5, 1, 8], stddev=0.1), name="W")
        b = tf.Variable(tf.zeros([8]), name="b")
        h = tf.nn.relu(tf.nn.conv2d(x, W, strides=[1, 1, 1, 1], padding="SAME") + b)
    with tf.name_scope("pool1"):
        pooled = tf.nn.max_pool(h, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME")
    flat = tf.reshape(pooled, [-1, 14 * 14 * 8])
    logits = tf.layers.dense(flat, 10, name="dense")
    with tf.name_scope("loss"):
        loss = tf.reduce_mean(
            tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=logits))
    train_op = tf.train.AdamOptimizer(0.001).minimize(loss)
    tf.global_variables_initializer()
    with tf.name_scope("accuracy"):
        correct = tf.equal(tf.argmax(logits, 1), tf.argmax(y, 1))
        accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))
    return [train_op, loss, accuracy]


BLOCKS, OPS_PER_BLOCK = 40, 250


def build_blocks40(tf: Any) -> list:
    """40 name scopes block0…block39 of 250 unary elementwise ops each, chained."""
    unary = (tf.tanh, tf.square, tf.negative, tf.abs, tf.sigmoid)
    value = tf.placeholder(tf.float32, [16], name="x")
    for block in range(BLOCKS):
        with tf.name_scope(f"block{block}"):
            for index in range(OPS_PER_BLOCK):
                value = unary[index % len(unary)](value)
    return [value]


def build_frozen(tf: Any) -> list:
    """M2's forward pass with its weights as constant arrays: a frozen inference graph."""
    weights = np.random.default_rng(0)
    x = tf.placeholder(tf.float32, [None, 4], name="x")
    with tf.name_scope("layer1"):
        W1 = tf.constant(weights.normal(0, 0.1, [4, 16]).astype(np.float32), name="W")
        b1 = tf.constant(np.zeros(16, np.float32), name="b")
        h1 = tf.nn.relu(tf.matmul(x, W1) + b1)
    with tf.name_scope("layer2"):
        W2 = tf.constant(weights.normal(0, 0.1, [16, 3]).astype(np.float32), name="W")
        b2 = tf.constant(np.zeros(3, np.float32), name="b")
        logits = tf.matmul(h1, W2) + b2
    return [logits]


def always(tf: Any) -> bool:
    """Any tf module can build the model."""
    return True


@dataclass(frozen=True)
class Model:
    """A reference model: its name in the tables, what it is, its builder, and whether the
    tf module at hand has the ops it needs."""

    name: str
    description: str
    build: Callable[[Any], list]
    available: Callable[[Any], bool] = always


MODELS = (
    Model("seed", "`constant(1) + constant(2)`", build_seed),
    Model("mlp_adam", "the comparison's M2: 2-layer MLP in name scopes, MSE, Adam(0.01), "
          "initializer, accuracy", build_mlp_adam),
    Model("mlp_gd_saver", "M2 with GradientDescent(0.1) and a `tf.train.Saver()`",
          build_mlp_gd_saver),
    Model("cnn", "conv2d + max_pool + dense + softmax cross entropy + Adam (like the "
          "comparison's M4)", build_cnn, cnn_available),
    Model("blocks40", f"{BLOCKS} name scopes `block0…block{BLOCKS - 1}` of {OPS_PER_BLOCK} "
          "chained unary ops each", build_blocks40),
    Model("frozen", "M2's forward pass with `tf.constant` weights (a frozen inference graph)",
          build_frozen),
)


# --- reading an SVG: geometry in CSS pixels ---------------------------------------------------

def local_name(tag: str) -> str:
    """An element's tag without its XML namespace."""
    return tag.rsplit("}", 1)[-1]


def length_px(text: Optional[str]) -> float:
    """An SVG length (`138pt`, `200px`, `3in`, `120`) in CSS pixels."""
    match = re.fullmatch(r"\s*([-+\d.eE]+)\s*([a-z]*)\s*", text or "")
    if match is None or match.group(2) not in PX_PER_UNIT:
        raise ValueError(f"cannot read the SVG length {text!r}")
    return float(match.group(1)) * PX_PER_UNIT[match.group(2)]


def transform_matrix(text: Optional[str]) -> np.ndarray:
    """The 3×3 affine matrix of an SVG `transform` list (translate, scale, rotate, matrix)."""
    result = np.eye(3)
    for name, arguments in re.findall(r"(\w+)\s*\(([^)]*)\)", text or ""):
        values = [float(value) for value in re.split(r"[\s,]+", arguments.strip()) if value]
        result = result @ _one_transform(name, values)
    return result


def _one_transform(name: str, values: list) -> np.ndarray:
    if name == "translate":
        tx, ty = values[0], values[1] if len(values) > 1 else 0.0
        return np.array([[1, 0, tx], [0, 1, ty], [0, 0, 1]], float)
    if name == "scale":
        sx, sy = values[0], values[1] if len(values) > 1 else values[0]
        return np.diag([sx, sy, 1.0])
    if name == "rotate" and len(values) == 1:
        c, s = math.cos(math.radians(values[0])), math.sin(math.radians(values[0]))
        return np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]], float)
    if name == "matrix" and len(values) == 6:
        a, b, c, d, e, f = values
        return np.array([[a, c, e], [b, d, f], [0, 0, 1]], float)
    raise ValueError(f"unsupported SVG transform {name}({values})")


def viewport_matrix(svg: ElementTree.Element) -> np.ndarray:
    """User units of the <svg> element to CSS pixels: its width/height over its viewBox."""
    width, height = length_px(svg.get("width")), length_px(svg.get("height"))
    box = svg.get("viewBox")
    if not box:
        return np.eye(3)
    x, y, box_width, box_height = (float(value) for value in re.split(r"[\s,]+", box.strip()))
    return np.array([[width / box_width, 0, -x * width / box_width],
                     [0, height / box_height, -y * height / box_height], [0, 0, 1]])


def drawing_matrix(svg: ElementTree.Element) -> np.ndarray:
    """Graphviz coordinates (inside the root <g>, with its scale and translate) to CSS pixels."""
    root_group = next((child for child in svg if local_name(child.tag) == "g"), None)
    inner = transform_matrix(root_group.get("transform")) if root_group is not None else np.eye(3)
    return viewport_matrix(svg) @ inner


# --- edge curves ------------------------------------------------------------------------------

def path_cubics(d: str) -> list:
    """The cubic Bézier segments of a path `d` made of M, C and L commands (absolute), each a
    (4, 2) array of control points; a line becomes a straight cubic."""
    tokens = re.findall(r"[A-Za-z]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?", d)
    cubics, current, command, numbers = [], None, None, []
    for token in tokens + ["M"]:
        if not token[0].isalpha():
            numbers.append(float(token))
            continue
        current = _apply_command(command, numbers, current, cubics)
        command, numbers = token, []
    return cubics


def _apply_command(command: Optional[str], numbers: list, current: Any, cubics: list) -> Any:
    points = np.array(numbers, float).reshape(-1, 2) if numbers else np.empty((0, 2))
    if command is None:
        return current
    if command in ("M", "L"):
        if command == "M":  # pairs after the first are implicit line-tos
            current, points = points[0], points[1:]
        for point in points:
            cubics.append(np.array([current, current, point, point]))
            current = point
        return current
    if command == "C" and len(points) % 3 == 0:
        for index in range(0, len(points), 3):
            cubics.append(np.vstack([current, points[index:index + 3]]))
            current = points[index + 2]
        return current
    raise ValueError(f"unsupported path command {command!r} (absolute M, C, L only)")


def sample_cubics(cubics: list, step: float = SAMPLE_STEP_PX) -> np.ndarray:
    """Points along the curves, at most about `step` apart (measured on the control polygon)."""
    pieces = [cubics[0][:1]] if cubics else [np.empty((0, 2))]
    for p0, p1, p2, p3 in cubics:
        polygon = np.linalg.norm(np.diff(np.array([p0, p1, p2, p3]), axis=0), axis=1).sum()
        t = np.linspace(0, 1, int(min(max(math.ceil(polygon / step), 4), 400)) + 1)[1:, None]
        pieces.append((1 - t) ** 3 * p0 + 3 * (1 - t) ** 2 * t * p1
                      + 3 * (1 - t) * t ** 2 * p2 + t ** 3 * p3)
    return np.vstack(pieces)


@dataclass
class Curve:
    """One drawn edge: its end nodes' names and its path as a polyline in CSS pixels."""

    tail: str
    head: str
    points: np.ndarray


def segment_crossings(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Points where segments of polyline `first` cross those of `second` at
    CROSSING_ANGLE_DEGREES or more, as an (n, 2) array."""
    start, direction = first[:-1, None, :], np.diff(first, axis=0)[:, None, :]
    other, other_direction = second[None, :-1, :], np.diff(second, axis=0)[None, :, :]
    cross = _cross(direction, other_direction)
    lengths = np.linalg.norm(direction, axis=2) * np.linalg.norm(other_direction, axis=2)
    steep = np.abs(cross) >= math.sin(math.radians(CROSSING_ANGLE_DEGREES)) * lengths
    safe = np.where(steep & (lengths > 0), cross, 1.0)
    along = _cross(other - start, other_direction) / safe
    along_other = _cross(other - start, direction) / safe
    hits = steep & (lengths > 0) & (along >= 0) & (along < 1) & (along_other >= 0) & \
        (along_other < 1)
    return (start + along[..., None] * direction)[hits]


def _cross(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]


def curves_cross(first: Curve, second: Curve, margin: float = ENDPOINT_MARGIN_PX) -> bool:
    """Whether two edges cross steeply somewhere farther than `margin` from all four ends.
    Edges that share an end node never count: they meet there by construction."""
    if {first.tail, first.head} & {second.tail, second.head}:
        return False
    if len(first.points) < 2 or len(second.points) < 2 or not _boxes_overlap(first, second):
        return False
    points = segment_crossings(first.points, second.points)
    ends = np.array([first.points[0], first.points[-1], second.points[0], second.points[-1]])
    distances = np.linalg.norm(points[:, None, :] - ends[None, :, :], axis=2)
    return bool((distances > margin).all(axis=1).any())


def _boxes_overlap(first: Curve, second: Curve) -> bool:
    low = np.maximum(first.points.min(axis=0), second.points.min(axis=0))
    high = np.minimum(first.points.max(axis=0), second.points.max(axis=0))
    return bool((low <= high).all())


def count_crossings(curves: list) -> int:
    """How many pairs of edge curves cross (steeply, away from their ends)."""
    return sum(curves_cross(curves[i], curves[j])
               for i in range(len(curves)) for j in range(i + 1, len(curves)))


# --- reading an SVG: the figures --------------------------------------------------------------

def groups(svg: ElementTree.Element, kind: str) -> list:
    """The <g class="kind"> elements (node, edge, cluster) of a Graphviz SVG."""
    return [element for element in svg.iter()
            if local_name(element.tag) == "g" and kind in element.get("class", "").split()]


def edge_curves(svg: ElementTree.Element, matrix: np.ndarray) -> list:
    """Each drawn edge's Curve, in CSS pixels."""
    node_names = {_title(node) for node in groups(svg, "node")}
    curves = []
    for edge in groups(svg, "edge"):
        path = next((el for el in edge.iter() if local_name(el.tag) == "path"), None)
        if path is None:
            continue
        cubics = [_apply_matrix(cubic, matrix) for cubic in path_cubics(path.get("d", ""))]
        tail, head = _edge_ends(_title(edge), node_names)
        curves.append(Curve(tail, head, sample_cubics(cubics)))
    return curves


def _title(group: ElementTree.Element) -> str:
    title = next((el for el in group if local_name(el.tag) == "title"), None)
    return (title.text or "") if title is not None else ""


def _edge_ends(title: str, node_names: set) -> tuple:
    """The end nodes named in an edge's title `a->b` (`a:port->b`: the port is dropped)."""
    ends = re.split(r"->|--", title, maxsplit=1) + [""]
    return tuple(end if end in node_names else end.split(":")[0] for end in ends[:2])


def _apply_matrix(points: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    return points @ matrix[:2, :2].T + matrix[:2, 2]


def smallest_font_px(elements: list, font_scale: float) -> Optional[float]:
    """The smallest font size of the <text> elements inside `elements`, in CSS pixels."""
    sizes = [length_px(text.get("font-size")) * font_scale for element in elements
             for text in element.iter() if local_name(text.tag) == "text" and text.get("font-size")]
    return min(sizes) if sizes else None


def measure(svg_text: str) -> dict:
    """The readability figures of a Graphviz SVG, lengths in CSS pixels."""
    svg = ElementTree.fromstring(svg_text.encode("utf-8"))
    matrix = drawing_matrix(svg)
    font_scale = math.sqrt(abs(np.linalg.det(matrix[:2, :2])))  # pt→px and root scale
    nodes, edges = groups(svg, "node"), groups(svg, "edge")
    return {"width_px": length_px(svg.get("width")), "height_px": length_px(svg.get("height")),
            "nodes": len(nodes), "edges": len(edges), "clusters": len(groups(svg, "cluster")),
            "crossings": count_crossings(edge_curves(svg, matrix)),
            "min_font_px": smallest_font_px([svg], font_scale),
            "min_node_font_px": smallest_font_px(nodes, font_scale),
            "min_edge_font_px": smallest_font_px(edges, font_scale)}


def graphviz_version(svg_text: str) -> str:
    """The version Graphviz writes in its SVG's opening comment."""
    match = re.search(r"Generated by graphviz version ([^\n]*?)\s*-->", svg_text, re.DOTALL)
    return match.group(1).strip() if match else "unknown"


# --- drawing and timing the models ------------------------------------------------------------

@dataclass
class Drawing:
    """One model's drawing and what was measured of it."""

    model: Model
    ops: int = 0
    svg: str = ""
    figures: dict = field(default_factory=dict)
    skipped: str = ""


def draw_model(tf: Any, model: Model, options: dict, fetches_only: bool,
               repeats: int) -> Drawing:
    """Build `model` in a fresh graph, draw it (timed) and measure the SVG."""
    from session_magic.render import draw
    if not model.available(tf):
        return Drawing(model, skipped="session_magic lacks tf.nn.conv2d, tf.nn.max_pool or "
                                      "tf.layers.dense, so this model cannot be built yet")
    graph = tf.Graph()
    with graph.as_default():
        fetches = model.build(tf)
    started = time.perf_counter()
    view = draw(fetches if fetches_only else graph, **options)
    draw_seconds = time.perf_counter() - started
    svg = view.svg()
    figures = measure(svg)
    figures.update(draw_ms=draw_seconds * 1e3, render_ms=render_seconds(view, repeats) * 1e3,
                   dot_kib=len(view.source.encode("utf-8")) / 1024,
                   graphviz=graphviz_version(svg))
    return Drawing(model, len(graph.get_operations()), svg, figures)


def render_seconds(view: Any, repeats: int) -> float:
    """Median seconds of `view.svg()` laying the drawing out afresh.

    NOTE: the renderer caches SVG by DOT text, so each timed view gets the same DOT behind a
    different leading comment (Graphviz ignores it): every call pays for a full layout.
    """
    times = []
    for run in range(repeats + 1):  # the first, untimed, warms the renderer up to this size
        fresh = type(view)(f"/* timing run {run} {time.time_ns()} */\n{view.source}")
        started = time.perf_counter()
        fresh.svg()
        times.append(time.perf_counter() - started)
    return statistics.median(times[1:])


def warm_up_renderer() -> None:
    """Draw something once, so the renderer's one-off start (compiling Graphviz's wasm module)
    is not charged to the first model."""
    from session_magic.render import GraphView
    GraphView(f"/* warm-up {time.time_ns()} */ digraph {{ a -> b }}").svg()


# --- pictures ---------------------------------------------------------------------------------

def write_png(drawing: Drawing, directory: Path) -> Path:
    """The drawing as DIR/name.svg and, screenshot by headless Chromium at natural size (as
    JupyterLab shows it, an <img>), DIR/name.png."""
    directory.mkdir(parents=True, exist_ok=True)
    name = drawing.model.name
    (directory / f"{name}.svg").write_text(drawing.svg, encoding="utf-8")
    page = directory / f"{name}.html"
    page.write_text("<!DOCTYPE html><html><head><style>html,body{margin:0;background:white}"
                    f"img{{display:block}}</style></head><body><img src=\"{name}.svg\"></body>"
                    "</html>", encoding="utf-8")
    width, height = (min(max(math.ceil(drawing.figures[key]), SMALLEST_WINDOW), LARGEST_WINDOW)
                     for key in ("width_px", "height_px"))
    png = directory / f"{name}.png"
    with tempfile.TemporaryDirectory(prefix="drawings-chromium-") as profile:
        subprocess.run([CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                        f"--screenshot={png}", f"--window-size={width},{height}",
                        page.resolve().as_uri()], capture_output=True, timeout=120, check=True)
    return png


# --- the report -------------------------------------------------------------------------------

# The drawing comparison's measurements (shared/reference/drawing-anchor.md, 2026-12-06):
# TensorBoard 2.21's default Graphs view, and session_magic's %graph at commit cc40300.
ANCHOR_ROWS = (
    ("TensorBoard M2, default view", "fits 1400×900", "11 (7 main + 4 set aside), 18 stubs",
     "11", "10.8–16.2 / 6.3", "3"),
    ("session_magic M2, `%graph` (cc40300)", "2239×1459", "40 (7 clusters)", "91",
     "13.3 / 10.7", "243"),
    ("session_magic M2, `%graph --depth 0` (cc40300)", "767×531", "11", "19", "13.3 / 10.7",
     "1"),
    ("TensorBoard, 40 scopes × 250 ops, fit", "1400×900", "41", "40",
     "1.5–2.3 (unreadable)", "0"),
    ("session_magic, the same (cc40300)", "128×3485 (one column)", "41", "40", "13.3 / 10.7",
     "0"),
)


@dataclass(frozen=True)
class Target:
    """A figure of one model's drawing held to a limit (an upper one when `at_most`)."""

    model: str
    label: str
    figure: str
    limit: float
    at_most: bool = True
    digits: int = 0

    def met(self, figures: dict) -> bool:
        value = figures[self.figure]
        return value <= self.limit if self.at_most else value >= self.limit


TARGETS = (
    Target("mlp_adam", "width ≤ 1000 px", "width_px", 1000),
    Target("mlp_adam", "edges ≤ 30", "edges", 30),
    Target("mlp_adam", "edge crossings ≤ 5", "crossings", 5),
    Target("mlp_adam", "labels ≥ 10 px", "min_font_px", 10, at_most=False, digits=1),
)


def number(value: Optional[float], digits: int = 1) -> str:
    """A figure for the tables, or a dash."""
    return "—" if value is None else f"{value:,.{digits}f}"


def drawing_row(drawing: Drawing) -> str:
    """One model's row of the drawings table."""
    name = drawing.model.name
    if drawing.skipped:
        return f"| {name} | — | skipped | | | | | | | | |"
    f = drawing.figures
    labels = (f"{number(f['min_font_px'])} ({number(f['min_node_font_px'])} / "
              f"{number(f['min_edge_font_px'])})")
    return (f"| {name} | {drawing.ops:,} | {f['width_px']:,.0f}×{f['height_px']:,.0f} | "
            f"{f['nodes']} | {f['edges']} | {f['clusters']} | {f['crossings']} | {labels} | "
            f"{f['render_ms']:,.1f} | {f['draw_ms']:,.1f} | {f['dot_kib']:,.1f} |")


def drawings_table(drawings: list) -> list:
    """The main table: one row per model."""
    return ["| model | ops | size (px) | nodes | edges | clusters | crossings | "
            "smallest label px (node / edge) | render ms | draw ms | DOT KiB |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
            *(drawing_row(drawing) for drawing in drawings)]


def targets_table(drawings: list) -> list:
    """Each target with today's figure and whether it is met."""
    measured = {drawing.model.name: drawing.figures for drawing in drawings
                if not drawing.skipped}
    lines = ["| model | target | today | status |", "|---|---|---|---|"]
    for target in TARGETS:
        figures = measured.get(target.model)
        if figures is None:
            continue
        status = "**met**" if target.met(figures) else "NOT MET"
        lines.append(f"| {target.model} | {target.label} | "
                     f"{number(figures[target.figure], target.digits)} | "
                     f"{status} |")
    return lines


def anchor_table() -> list:
    """TensorBoard's figures (and session_magic's then) from the drawing comparison."""
    return ["| drawing | size (px) | nodes | edges | label px (node / edge) | edge crossings |",
            "|---|---|---|---|---|---|",
            *("| " + " | ".join(row) + " |" for row in ANCHOR_ROWS)]


def machine_rows(drawings: list) -> list:
    """(label, value) pairs: this machine, the software and the renderer."""
    sys.path.insert(0, str(HERE))
    from report import cpu_model, git_revision, package_version
    from session_magic.render.backends import available_renderers, config
    versions = {drawing.figures.get("graphviz") for drawing in drawings if not drawing.skipped}
    return [("platform", platform.platform()), ("CPU", cpu_model()),
            ("cores", str(os.cpu_count())),
            ("Python", f"{platform.python_version()} ({sys.executable})"),
            ("session_magic", f"{package_version('session_magic')} at {git_revision()}"),
            ("renderer", f"{config.renderer} (available here: "
                         f"{', '.join(available_renderers()) or 'none'})"),
            ("Graphviz", ", ".join(sorted(version for version in versions if version)))]


def report(drawings: list, command: str, options: dict, fetches_only: bool) -> str:
    """DRAWINGS.md's text."""
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    arguments = ", ".join(["fetches" if fetches_only else "graph",
                           *(f"{key}={value!r}" for key, value in options.items())])
    lines = ["# How readable session_magic's drawings are", "",
             f"Written by `{command}` on {now}. Each model is built in a fresh graph and drawn "
             f"with `session_magic.render.draw({arguments})`; every figure is read from "
             "the SVG Graphviz produced. See the end of this file for how each is measured.", "",
             "| machine | |", "|---|---|",
             *(f"| {label} | {value} |" for label, value in machine_rows(drawings)), "",
             "## Drawings", "", *drawings_table(drawings), "",
             *(f"- {d.model.name}: {d.model.description}." + (f" Skipped: {d.skipped}."
               if d.skipped else "") for d in drawings), "",
             "## Targets", "", *targets_table(drawings), "",
             "## TensorBoard, for comparison", "",
             "From `shared/reference/drawing-anchor.md` (measured 2026-12-06 in headless Chromium "
             "at 1400 px; TensorBoard 2.21, default view):", "", *anchor_table(), "",
             "## How each figure is measured", "", *METHOD]
    return "\n".join(lines) + "\n"


METHOD = (
    "- **size**: the `<svg>` width and height, which Graphviz writes in pt (1 pt = 4/3 CSS px); "
    "that is the natural size JupyterLab shows the `<img>` at (its output area is about 1,220 px "
    "wide).",
    "- **nodes, edges, clusters**: the `<g class=\"node\">`, `<g class=\"edge\">` and "
    "`<g class=\"cluster\">` groups (Graphviz writes none for invisible ones).",
    f"- **crossings**: pairs of edges whose paths (each edge's first `<path>`, its cubic Béziers "
    f"sampled at most {SAMPLE_STEP_PX:g} px apart) cross at {CROSSING_ANGLE_DEGREES:g}° or "
    f"more, farther than {ENDPOINT_MARGIN_PX:g} px from the four end points; edges that share "
    "an end node are never counted. A pair crossing twice counts once.",
    "- **smallest label px**: the smallest `font-size` of any `<text>` (node, edge and cluster "
    "labels), times the root group's `scale(...)` and the pt→px factor; in brackets the "
    "smallest among node labels and among edge labels.",
    "- **render ms**: median of `view.svg()` over fresh layouts of the same DOT (the renderer's "
    "cache is bypassed); the renderer was started once before. **draw ms**: one "
    "`draw(...)` call (selecting ops, grouping, writing DOT). **DOT KiB**: `view.source` in "
    "UTF-8.",
)


# --- the command line -------------------------------------------------------------------------

def parse(argv: list) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--png", type=Path, metavar="DIR",
                        help="also write each drawing there as .svg and .png (headless Chromium)")
    parser.add_argument("--only", default="", help="comma-separated model names: "
                        + ", ".join(model.name for model in MODELS))
    parser.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                        help="pass KEY=VALUE to draw() (repeatable; VALUE as a Python literal)")
    parser.add_argument("--fetches", action="store_true",
                        help="draw each model's fetches instead of its whole graph")
    parser.add_argument("--repeats", type=int, default=5, help="timed renders per model")
    parser.add_argument("--output", type=Path, help="where to write the report (default: "
                        "benchmarks/DRAWINGS.md for a default run, nowhere otherwise)")
    return parser.parse_args(argv)


def draw_options(pairs: list) -> dict:
    """`--option KEY=VALUE` pairs as keyword arguments (VALUE a literal, else a string)."""
    options = {}
    for pair in pairs:
        key, _, text = pair.partition("=")
        try:
            options[key.strip()] = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            options[key.strip()] = text
    return options


def selected_models(only: str) -> list:
    """The models `--only` names (all by default); an unknown name is an error."""
    names = [name.strip() for name in only.split(",") if name.strip()]
    unknown = set(names) - {model.name for model in MODELS}
    if unknown:
        raise SystemExit(f"unknown model(s): {', '.join(sorted(unknown))}")
    return [model for model in MODELS if not names or model.name in names]


def main(argv: Optional[list] = None) -> int:
    arguments = parse(sys.argv[1:] if argv is None else argv)
    options, models = draw_options(arguments.option), selected_models(arguments.only)
    import session_magic as tf
    warm_up_renderer()
    drawings = []
    for model in models:
        drawing = draw_model(tf, model, options, arguments.fetches, arguments.repeats)
        print(f"{model.name}: {drawing.skipped or 'measured'}", file=sys.stderr)
        if arguments.png and not drawing.skipped:
            print(f"  picture: {write_png(drawing, arguments.png)}", file=sys.stderr)
        drawings.append(drawing)
    print("\n".join(drawings_table(drawings) + [""] + targets_table(drawings)))
    default_run = not (arguments.only or options or arguments.fetches)
    output = arguments.output or (DRAWINGS if default_run else None)
    if output is not None:
        command = "python benchmarks/drawings.py " + " ".join(sys.argv[1:] if argv is None
                                                              else argv)
        output.write_text(report(drawings, command.strip(), options, arguments.fetches),
                          encoding="utf-8")
        print(f"wrote {output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
