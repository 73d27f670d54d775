"""Graph: the thread-local default-graph stack, TF 1's op naming, name scopes, control
dependencies, collections and lookup by name, with TF 1's error texts as the oracle."""
import threading

import pytest

import session_magic as tf


def _names(graph=None):
    return [op.name for op in (graph or tf.get_default_graph()).get_operations()]


# --- the default-graph stack ---------------------------------------------------------------------

def test_a_new_thread_gets_its_own_default_graph():
    main_graph = tf.get_default_graph()
    seen = []
    worker = threading.Thread(target=lambda: seen.append(tf.get_default_graph()))
    worker.start()
    worker.join()
    assert isinstance(seen[0], tf.Graph) and seen[0] is not main_graph
    assert tf.get_default_graph() is main_graph


def test_as_default_nests_and_yields_the_graph():
    outer_graph, inner_graph = tf.Graph(), tf.Graph()
    with outer_graph.as_default() as entered:
        assert entered is outer_graph and tf.get_default_graph() is outer_graph
        with inner_graph.as_default():
            assert tf.constant(1).graph is inner_graph
        assert tf.get_default_graph() is outer_graph
    assert tf.get_default_graph() not in (outer_graph, inner_graph)


def test_as_default_exited_out_of_order_violates_nesting():
    first, second = tf.Graph().as_default(), tf.Graph().as_default()
    first.__enter__()
    second.__enter__()
    with pytest.raises(AssertionError, match="Nesting violated for default stack of"):
        first.__exit__(None, None, None)


def test_reset_default_graph_gives_a_fresh_empty_graph():
    old = tf.get_default_graph()
    tf.constant(1)
    tf.reset_default_graph()
    assert tf.get_default_graph() is not old and tf.get_default_graph().version == 0
    assert tf.constant(1).name == "Const:0"


def test_reset_default_graph_inside_as_default_raises():
    with tf.Graph().as_default():
        with pytest.raises(AssertionError, match=r"Do not use tf.reset_default_graph\(\) to clear "
                                                 "nested graphs. If you need a cleared graph, exit "
                                                 "the nesting and create a new graph."):
            tf.reset_default_graph()


def test_reset_default_graph_inside_a_session_block_raises():
    tf.constant(1)
    with tf.Session():
        with pytest.raises(AssertionError, match="to clear nested graphs"):
            tf.reset_default_graph()


# --- finalize, version, lookup -------------------------------------------------------------------

def test_finalized_graph_rejects_ops_and_collection_changes():
    a = tf.constant(1)
    graph = tf.get_default_graph()
    graph.finalize()
    assert graph.finalized
    for modify in (lambda: tf.constant(2), lambda: a + 1,
                   lambda: tf.add_to_collection("c", a), lambda: graph.clear_collection("c")):
        with pytest.raises(RuntimeError, match="Graph is finalized and cannot be modified."):
            modify()
    assert graph.version == 1


def test_version_counts_the_ops_added():
    graph = tf.get_default_graph()
    assert graph.version == 0
    tf.constant(1.0) + 2.0
    assert graph.version == 3  # Const, add/y, add


def test_get_operations_lists_ops_in_creation_order():
    a = tf.placeholder(tf.float32, name="a")
    b = tf.constant(2.0, name="b")
    tf.multiply(a, b, name="c")
    assert _names() == ["a", "b", "c"]


def test_get_operation_and_tensor_by_name():
    c = tf.constant([1, 2], name="c")
    graph = tf.get_default_graph()
    assert graph.get_operation_by_name("c") is c.op
    assert graph.get_tensor_by_name("c:0") is c
    with pytest.raises(TypeError, match="Operation names are strings \\(or similar\\), not int."):
        graph.get_operation_by_name(3)
    with pytest.raises(TypeError, match="Tensor names are strings \\(or similar\\), not Tensor."):
        graph.get_tensor_by_name(c)


def test_as_graph_element_resolves_names_and_objects():
    c = tf.constant(1, name="c")
    graph = tf.get_default_graph()
    assert graph.as_graph_element("c:0") is c
    assert graph.as_graph_element("c") is c.op
    assert graph.as_graph_element(b"c:0") is c
    assert graph.as_graph_element(c) is c and graph.as_graph_element(c.op) is c.op


def test_as_graph_element_op_name_where_a_tensor_is_wanted():
    tf.constant(1, name="c")
    graph = tf.get_default_graph()
    with pytest.raises(ValueError, match="The name 'c' refers to an Operation, not a Tensor. "
                                         'Tensor names must be of the form "<op_name>:'):
        graph.as_graph_element("c", allow_operation=False)
    with pytest.raises(ValueError, match="The name 'nope' looks like an \\(invalid\\) Operation "
                                         "name, not a Tensor."):
        graph.as_graph_element("nope", allow_operation=False)


def test_as_graph_element_tensor_name_where_an_operation_is_wanted():
    tf.constant(1, name="c")
    with pytest.raises(ValueError, match="Name 'c:0' appears to refer to a Tensor, not a "
                                         "Operation."):
        tf.get_default_graph().as_graph_element("c:0", allow_tensor=False)


def test_as_graph_element_missing_op_and_output_index():
    tf.constant(1, name="c")
    graph = tf.get_default_graph()
    with pytest.raises(KeyError, match="The name 'nope:0' refers to a Tensor which does not "
                                       "exist. The operation, 'nope', does not exist in the "
                                       "graph."):
        graph.as_graph_element("nope:0")
    with pytest.raises(KeyError, match="The name 'c:1' refers to a Tensor which does not exist. "
                                       "The operation, 'c', exists but only has 1 outputs."):
        graph.as_graph_element("c:1")
    with pytest.raises(KeyError, match="The name 'nope' refers to an Operation not in the graph."):
        graph.as_graph_element("nope")


def test_as_graph_element_malformed_tensor_name():
    tf.constant(1, name="c")
    with pytest.raises(ValueError, match="The name 'c:x' looks a like a Tensor name, but is not "
                                         "a valid one."):
        tf.get_default_graph().as_graph_element("c:x")


def test_as_graph_element_wrong_types():
    graph = tf.get_default_graph()
    with pytest.raises(TypeError, match="Can not convert a int into a Tensor or Operation."):
        graph.as_graph_element(1)
    with pytest.raises(TypeError, match="Can not convert a float into a Tensor."):
        graph.as_graph_element(1.0, allow_operation=False)
    with pytest.raises(ValueError, match="allow_tensor and allow_operation can't both be False."):
        graph.as_graph_element("c", allow_tensor=False, allow_operation=False)


def test_as_graph_element_rejects_elements_of_another_graph():
    with tf.Graph().as_default():
        foreign = tf.constant(1, name="foreign")
    graph = tf.get_default_graph()
    with pytest.raises(ValueError, match=r'Tensor Tensor\("foreign:0", shape=\(\), '
                                         r'dtype=int32\) is not an element of this graph.'):
        graph.as_graph_element(foreign)
    with pytest.raises(ValueError, match="is not an element of this graph"):
        graph.as_graph_element(foreign.op)


def test_ops_from_two_graphs_cannot_be_combined():
    with tf.Graph().as_default():
        foreign = tf.constant(1.0, name="foreign")
    local = tf.constant(2.0, name="local")
    with pytest.raises(ValueError, match="must be from the same graph as"):
        tf.add(local, foreign)


# --- naming --------------------------------------------------------------------------------------

def test_default_names_are_the_op_type_uniquified():
    assert [tf.constant(0).name, tf.constant(0).name, tf.constant(0).name] == [
        "Const:0", "Const_1:0", "Const_2:0"]
    assert tf.placeholder(tf.float32).name == "Placeholder:0"


def test_uniquification_is_case_insensitive():
    a, b = tf.constant(1.0, name="a"), tf.constant(2.0, name="b")
    assert [tf.add(a, b).op.name, (a + b).op.name, (a + b).op.name, tf.add(a, b).op.name] == [
        "Add", "add_1", "add_2", "Add_3"]


def test_operators_name_ops_after_the_operator():
    a, b = tf.constant(1.0, name="a"), tf.constant(2.0, name="b")
    names = [(a + b).op.name, (a - b).op.name, (a * b).op.name, (a / b).op.name]
    assert names == ["add", "sub", "mul", "truediv"]
    assert (a + b).op.type == "AddV2" and (a / b).op.type == "RealDiv"


def test_python_scalar_operand_becomes_a_const_in_the_operator_scope():
    a = tf.constant(1.0, name="a")
    right = a + 2.0
    left = 3.0 - a
    assert right.op.inputs[1].name == "add/y:0" and right.op.inputs[1].op.type == "Const"
    assert left.op.name == "sub" and left.op.inputs[0].name == "sub/x:0"


def test_explicit_names_are_uniquified_including_composed_ones():
    names = [tf.constant(0, name="x").op.name, tf.constant(0, name="x").op.name,
             tf.constant(0, name="x_1").op.name]
    assert names == ["x", "x_1", "x_1_1"]


def test_a_name_ending_in_slash_is_used_verbatim():
    assert tf.constant(0, name="exact/").op.name == "exact"


@pytest.mark.parametrize("bad", ["a b", "-x", "x:0", "_x"])
def test_invalid_node_names_raise(bad):
    with pytest.raises(ValueError, match="is not a valid node name"):
        tf.constant(0, name=bad)


def test_names_may_start_with_underscore_inside_a_scope():
    with tf.name_scope("scope"):
        assert tf.constant(0, name="_private").op.name == "scope/_private"


def test_unique_name_can_peek_without_marking():
    graph = tf.get_default_graph()
    tf.constant(0, name="foo")
    assert graph.unique_name("foo", mark_as_used=False) == "foo_1"
    assert graph.unique_name("foo", mark_as_used=False) == "foo_1"
    assert graph.unique_name("foo") == "foo_1"
    assert graph.unique_name("foo") == "foo_2"


# --- name scopes ---------------------------------------------------------------------------------

def test_name_scopes_nest_and_prefix_op_names():
    with tf.name_scope("outer") as outer:
        with tf.name_scope("inner") as inner:
            c = tf.constant(0)
            assert tf.get_name_scope() == "outer/inner"
    assert (outer, inner, c.op.name) == ("outer/", "outer/inner/", "outer/inner/Const")
    assert tf.get_name_scope() == ""


def test_name_scopes_are_uniquified():
    with tf.name_scope("outer"):
        with tf.name_scope("inner") as first:
            pass
        with tf.name_scope("inner") as second:
            pass
    with tf.name_scope("outer") as outer_again:
        pass
    assert (first, second, outer_again) == ("outer/inner/", "outer/inner_1/", "outer_1/")


def test_a_captured_scope_with_slash_is_re_entered():
    with tf.name_scope("layer") as scope:
        tf.constant(0, name="w")
    with tf.name_scope(scope) as again:
        b = tf.constant(0, name="b")
        w = tf.constant(0, name="w")
    assert again == "layer/" and b.op.name == "layer/b" and w.op.name == "layer/w_1"


@pytest.mark.parametrize("reset", [None, ""])
def test_none_or_empty_scope_resets_to_the_root(reset):
    with tf.name_scope("outer"):
        with tf.name_scope(reset) as scope:
            c = tf.constant(0, name="top")
    assert scope == "" and c.op.name == "top"


def test_name_scope_default_name_and_missing_names():
    with tf.name_scope(None, "fallback") as first:
        pass
    with tf.name_scope(None, "fallback") as second:
        pass
    assert (first, second) == ("fallback/", "fallback_1/")
    with pytest.raises(ValueError, match=r"At least one of name \(None\) and default_name "
                                         r"\(None\) must be provided."):
        with tf.name_scope(None, None, [tf.constant(1)]):
            pass


def test_invalid_scope_name_raises():
    with pytest.raises(ValueError, match="'bad name' is not a valid scope name"):
        with tf.name_scope("bad name"):
            pass


def test_name_scope_with_values_enters_their_graph():
    other = tf.Graph()
    with other.as_default():
        value = tf.constant(1)
    with tf.name_scope("s", values=[value]) as scope:
        made = tf.constant(2)
    assert scope == "s/" and made.graph is other and made.op.name == "s/Const"


# --- control dependencies ------------------------------------------------------------------------

def test_ops_created_inside_control_dependencies_depend_on_them():
    a = tf.constant(1.0, name="a")
    before = tf.constant(2.0, name="before")
    with tf.control_dependencies([a]):
        inside = tf.identity(before)
        used = before  # merely using an existing tensor adds nothing
    assert inside.op.control_inputs == [a.op]
    assert used.op.control_inputs == []


def test_nested_control_dependencies_take_the_union_outer_first():
    a, b = tf.constant(1.0, name="a"), tf.constant(2.0, name="b")
    with tf.control_dependencies([a]):
        with tf.control_dependencies([b, a]):
            c = tf.constant(3.0, name="c")
    assert c.op.control_inputs == [a.op, b.op]


def test_control_dependencies_none_clears_the_enclosing_lists():
    a = tf.constant(1.0, name="a")
    with tf.control_dependencies([a]):
        with tf.control_dependencies(None):
            cleared = tf.constant(2.0, name="cleared")
        after = tf.identity(cleared)
    assert cleared.op.control_inputs == []
    assert after.op.control_inputs == [a.op]


def test_control_dependencies_accept_tensors_ops_and_names():
    a, b, c = (tf.constant(float(i), name=n) for i, n in enumerate("abc"))
    with tf.control_dependencies([a, b.op, "c:0"]):
        d = tf.constant(0.0, name="d")
    assert d.op.control_inputs == [a.op, b.op, c.op]


def test_control_dependencies_prune_data_inputs_and_dominated_ones():
    a = tf.constant(1.0, name="a")
    with tf.control_dependencies([a]):
        data_dependent = tf.identity(a)
        made_inside = tf.constant(2.0)
        dominated = tf.identity(made_inside)
    assert data_dependent.op.control_inputs == []
    assert made_inside.op.control_inputs == [a.op] and dominated.op.control_inputs == []


def test_variables_ignore_enclosing_control_dependencies_but_their_uses_do_not():
    a = tf.constant(1.0, name="a")
    with tf.control_dependencies([a]):
        v = tf.Variable(1.0)
        read = tf.identity(v)
    variable_ops = [op for op in tf.get_default_graph().get_operations()
                    if op.name.startswith("Variable")]
    assert all(op.control_inputs == [] for op in variable_ops)
    # NOTE: as in TF 2's compat.v1 (recorded): the new read carries the dependency, not its user
    new_read = read.op.inputs[0].op
    assert new_read.type == "Identity" and new_read.inputs[0].op.type == "VariableV2"
    assert new_read.control_inputs == [a.op] and read.op.control_inputs == []


def test_control_dependencies_reject_non_graph_items():
    with pytest.raises(TypeError, match="Control input must be Operation or Tensor: 1"):
        with tf.control_dependencies([1]):
            pass


def test_control_dependency_runs_before_the_dependent_op():
    counter = tf.Variable(0)
    increment = counter.assign_add(1)
    with tf.control_dependencies([increment]):
        after = tf.identity(counter.read_value())
    with tf.Session() as sess:
        sess.run(counter.initializer)
        assert sess.run(after) == 1 and sess.run(after) == 2


# --- collections ---------------------------------------------------------------------------------

def test_graph_keys_have_tf_spellings():
    keys = tf.GraphKeys
    assert (keys.GLOBAL_VARIABLES, keys.TRAINABLE_VARIABLES, keys.LOCAL_VARIABLES) == (
        "variables", "trainable_variables", "local_variables")
    assert (keys.UPDATE_OPS, keys.SUMMARIES, keys.LOSSES, keys.TRAIN_OP, keys.GLOBAL_STEP,
            keys.SAVERS) == ("update_ops", "summaries", "losses", "train_op", "global_step",
                             "savers")


def test_add_to_collection_and_get_collection_returns_a_copy():
    tf.add_to_collection("things", 1)
    tf.add_to_collection("things", 1)
    got = tf.get_collection("things")
    got.append(2)
    assert tf.get_collection("things") == [1, 1]
    assert tf.get_collection("missing") == []


def test_add_to_collections_adds_once_per_name():
    tf.add_to_collections(["a", "b", "a"], "x")
    tf.add_to_collections("c", "y")
    assert (tf.get_collection("a"), tf.get_collection("b"), tf.get_collection("c")) == (
        ["x"], ["x"], ["y"])


def test_get_collection_scope_filters_by_name_regex():
    with tf.name_scope("layer1"):
        w1 = tf.constant(1.0, name="w")
    with tf.name_scope("layer2"):
        w2 = tf.constant(2.0, name="w")
    for item in (w1, w2, "no name"):
        tf.add_to_collection("weights", item)
    assert tf.get_collection("weights", scope="layer1") == [w1]
    assert tf.get_collection("weights", scope="layer.") == [w1, w2]


def test_get_collection_ref_is_the_live_list():
    ref = tf.get_collection_ref("live")
    tf.add_to_collection("live", 1)
    ref.append(2)
    assert tf.get_collection("live") == [1, 2] and ref == [1, 2]


def test_clear_collection_and_collection_keys():
    graph = tf.get_default_graph()
    graph.add_to_collection("gone", 1)
    graph.add_to_collection("kept", 2)
    graph.get_collection_ref("empty")
    graph.clear_collection("gone")
    assert graph.get_collection("gone") == []
    assert graph.get_all_collection_keys() == ["kept", "empty"] == tf.get_all_collection_keys()


def test_variables_join_the_variable_collections():
    trained = tf.Variable(1.0, name="trained")
    frozen = tf.Variable(1.0, name="frozen", trainable=False)
    assert tf.get_collection(tf.GraphKeys.GLOBAL_VARIABLES) == [trained, frozen]
    assert tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES) == [trained]


# --- devices -------------------------------------------------------------------------------------

def test_device_is_recorded_on_ops_in_tf_spelling():
    with tf.device("/cpu:0"):
        placed = tf.constant(1.0, name="placed")
        with tf.device(None):
            cleared = tf.constant(2.0)
    assert placed.op.device == placed.device == "/device:CPU:0"
    assert cleared.device == "" and tf.constant(3.0).device == ""
    assert str(placed) == 'Tensor("placed:0", shape=(), dtype=float32, device=/device:CPU:0)'


def test_device_function_chooses_per_op():
    with tf.get_default_graph().device(lambda op: "/gpu:1" if op.type == "Const" else ""):
        c = tf.constant(1.0)
        doubled = tf.identity(c)
    assert (c.device, doubled.device) == ("/gpu:1", "")  # NOTE: TF keeps it as written
    with tf.Session() as sess:
        assert sess.run(doubled) == 1.0


def test_colocate_with_and_container_are_accepted():
    a = tf.constant(1.0)
    with tf.colocate_with(a), tf.container("experiment") as name:
        b = a + 1.0
    assert name == "experiment" and b.op.name == "add"


# --- graph defs ----------------------------------------------------------------------------------

def test_as_graph_def_lists_a_node_per_op_with_inputs():
    a = tf.constant(1.0, name="a")
    with tf.control_dependencies([a]):
        b = tf.identity(tf.constant(2.0, name="c"), name="b")
    graph_def = tf.get_default_graph().as_graph_def()
    assert [(n.name, n.op, n.input) for n in graph_def.node] == [
        ("a", "Const", []), ("c", "Const", ["^a"]), ("b", "Identity", ["c"])]
    assert b.op.node_def.name == "b" and 'node {\n  name: "a"' in str(graph_def)


def test_graph_def_shows_growth_and_sessions_see_new_nodes():
    tf.constant(1)
    session = tf.Session()
    assert len(session.graph_def.node) == 1
    tf.constant(2)
    assert len(session.graph_def.node) == 2
    assert [n.name for n in tf.get_default_graph().as_graph_def(from_version=1).node] == [
        "Const_1"]
