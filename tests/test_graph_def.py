"""GraphDef protobufs: export as TF writes them, import with TF's naming, write_graph,
tf.graph_util (freeze, prune) and meta graphs. Oracles: TF's documented encodings (DataType
numbers, little-endian tensor_content, `name:1` / `^ctrl` inputs) and values run before export."""
from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import session_magic as tf
from session_magic import graph_util, proto
from session_magic.interop.graph_def import (attr_value, import_graph_def,
                                             load_graph_def, python_value, tensor_proto,
                                             tensor_value)
from session_magic.interop.meta_graph import export_meta_graph, import_meta_graph
from session_magic.ops.registry import OPS

X = np.random.default_rng(3).normal(size=(2, 5, 5, 3)).astype(np.float32)


def _model() -> tuple:
    """A small CNN with variables: (input placeholder, output tensor)."""
    rng = np.random.default_rng(0)
    x = tf.placeholder(tf.float32, [None, 5, 5, 3], name="x")
    w = tf.Variable(rng.normal(size=(3, 3, 3, 4)).astype(np.float32), name="w")
    h = tf.nn.relu6(tf.nn.bias_add(tf.nn.conv2d(x, w, [1, 1, 1, 1], "SAME"), [0.1] * 4))
    h = tf.nn.max_pool(h, [1, 2, 2, 1], [1, 2, 2, 1], "VALID")
    h = tf.reduce_mean(h, [1, 2], keepdims=False)
    dense = tf.Variable(rng.normal(size=(4, 2)).astype(np.float32), name="dense")
    return x, tf.nn.softmax(tf.matmul(h, dense), name="out")


def _nodes(graph_def: proto.GraphDef) -> dict:
    return {node.name: node for node in graph_def.node}


# --- export ----------------------------------------------------------------------------------

def test_as_graph_def_writes_tf_attrs_dtypes_and_tensors():
    _model()
    nodes = _nodes(tf.get_default_graph().as_graph_def())
    assert isinstance(tf.get_default_graph().as_graph_def(), proto.GraphDef)
    assert nodes["Conv2D"].attr["T"].type == 1  # NOTE: DT_FLOAT in types.proto
    assert nodes["Conv2D"].attr["padding"].s == b"SAME"
    assert list(nodes["Conv2D"].attr["strides"].list.i) == [1, 1, 1, 1]
    assert nodes["MatMul"].attr["transpose_a"].b is False
    assert nodes["Mean"].attr["keep_dims"].b is False and nodes["Mean"].attr["Tidx"].type == 3
    shape = nodes["x"].attr["shape"].shape
    assert [d.size for d in shape.dim] == [-1, 5, 5, 3] and nodes["x"].attr["dtype"].type == 1
    weights = nodes["w/initial_value"].attr["value"].tensor
    assert weights.tensor_content == tf.get_default_graph().get_operation_by_name(
        "w/initial_value").get_attr("value").astype("<f4").tobytes()


def test_scalar_constants_use_typed_values_as_tf_writes_them():
    message = tensor_proto(np.float32(2.5))
    assert list(message.float_val) == [2.5] and message.tensor_content == b""
    assert list(tensor_proto(np.int64(7)).int64_val) == [7]
    assert list(tensor_proto(np.array(b"hi", dtype=object), tf.string).string_val) == [b"hi"]


@pytest.mark.parametrize("value", [
    np.arange(6, dtype=np.float32).reshape(2, 3), np.array([1, -2], np.int64),
    np.array([True, False]), np.array([1.5, -2], np.float16), np.array([1 + 2j], np.complex64),
    np.array(3, np.int32), np.zeros((0, 2), np.float32), np.array([b"a", b"bc"], dtype=object)])
def test_tensor_protos_read_back_the_same_array(value):
    dtype = tf.string if value.dtype == object else None
    back = tensor_value(proto.TensorProto.FromString(tensor_proto(value, dtype)
                                                     .SerializeToString()))
    assert back.shape == value.shape and back.tolist() == value.tolist()


def test_a_short_typed_field_fills_the_shape_with_its_last_value_as_tf_reads_it():
    message = proto.TensorProto(dtype=1, float_val=[0.5], tensor_shape=proto.TensorShapeProto(
        dim=[proto.TensorShapeProto.Dim(size=3)]))
    assert tensor_value(message).tolist() == [0.5, 0.5, 0.5]


@pytest.mark.parametrize("name, value", [
    ("T", tf.float32), ("keep_dims", True), ("N", 3), ("epsilon", 0.25), ("padding", "SAME"),
    ("strides", [1, 2, 2, 1]), ("shape", (None, 4)), ("shape", None), ("Tout", [tf.int32])])
def test_attr_values_read_back_as_the_python_value(name, value):
    encoded = proto.AttrValue.FromString(attr_value(name, value).SerializeToString())
    assert python_value(encoded) == value


def test_inputs_name_output_indices_and_control_inputs():
    parts = tf.split(tf.constant([1.0, 2.0]), 2, name="split")
    with tf.control_dependencies([tf.no_op(name="first")]):
        tf.identity(parts[1], name="second")
    node = _nodes(tf.get_default_graph().as_graph_def())["second"]
    assert list(node.input) == ["split:1", "^first"]


def test_devices_and_output_shapes_are_written():
    with tf.device("/cpu:0"):
        tf.placeholder(tf.float32, [2, None], name="p")
    node = tf.get_default_graph().as_graph_def(add_shapes=True).node[0]
    assert node.device == "/device:CPU:0"
    assert [d.size for d in node.attr["_output_shapes"].list.shape[0].dim] == [2, -1]


def test_graph_def_survives_binary_and_text_format():
    _model()
    graph_def = tf.get_default_graph().as_graph_def()
    assert proto.GraphDef.FromString(graph_def.SerializeToString()) == graph_def
    assert proto.parse_text(proto.text_format(graph_def), proto.GraphDef()) == graph_def
    assert graph_def.versions.producer == tf.get_default_graph().graph_def_versions.producer > 0


# --- import ----------------------------------------------------------------------------------

def _run_model_and_export() -> tuple:
    x, out = _model()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        expected = sess.run(out, {x: X})
    return expected, tf.get_default_graph().as_graph_def()


def test_export_then_import_gives_the_same_values():
    expected, graph_def = _run_model_and_export()
    with tf.Graph().as_default():
        out, x = import_graph_def(graph_def, return_elements=["out:0", "x:0"])
        with tf.Session() as sess:
            sess.run(["import/w/Assign", "import/dense/Assign"])
            np.testing.assert_allclose(sess.run(out, {x: X}), expected, rtol=1e-6)


def test_import_prefixes_names_as_tf_does():
    graph_def = _run_model_and_export()[1]
    with tf.Graph().as_default() as graph:
        import_graph_def(graph_def)
        import_graph_def(graph_def)
        import_graph_def(graph_def, name="net")
        import_graph_def(graph_def, name="")
        names = {op.name for op in graph.get_operations()}
    assert {"import/out", "import_1/out", "net/out", "out", "import/w/read"} <= names


def test_input_map_replaces_a_tensor_and_unknown_keys_are_refused():
    expected, graph_def = _run_model_and_export()
    with tf.Graph().as_default():
        (out,) = import_graph_def(graph_def, input_map={"x:0": tf.constant(X)},
                                  return_elements=["out:0"])
        with tf.Session() as sess:
            sess.run(["import/w/Assign", "import/dense/Assign"])
            np.testing.assert_allclose(sess.run(out), expected, rtol=1e-6)
        with pytest.raises(ValueError, match=r"not found in graph_def: \[nope:0\]"):
            import_graph_def(graph_def, input_map={"nope": tf.constant(1.0)})


def test_return_elements_give_ops_and_tensors_and_name_the_missing_one():
    graph_def = _run_model_and_export()[1]
    with tf.Graph().as_default():
        op, tensor = import_graph_def(graph_def, return_elements=["w", "out:0"])
        assert (op.type, tensor.name) == ("VariableV2", "import/out:0")
        with pytest.raises(ValueError, match="'missing:0' not found"):
            import_graph_def(graph_def, return_elements=["missing:0"])


def test_nodes_in_any_order_import_after_their_inputs():
    graph_def = proto.parse_text(
        'node { name: "sum" op: "AddV2" input: "a" input: "b" attr { key: "T" value { type: '
        'DT_FLOAT } } } node { name: "b" op: "Const" attr { key: "dtype" value { type: DT_FLOAT'
        ' } } attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape {} float_val: '
        '2 } } } } node { name: "a" op: "Const" input: "^b" attr { key: "dtype" value { type: '
        'DT_FLOAT } } attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape {} '
        'float_val: 3 } } } }', proto.GraphDef())
    (total,) = import_graph_def(graph_def, return_elements=["sum:0"])
    assert total.op.inputs[0].op.control_inputs[0].name == "import/b"
    assert tf.Session().run(total) == 5.0


def test_every_missing_op_type_is_named_in_one_error():
    graph_def = proto.GraphDef(node=[
        proto.NodeDef(name="p", op="Placeholder", attr={"dtype": proto.AttrValue(type=1)}),
        proto.NodeDef(name="s", op="Switch", input=["p", "p"]),
        proto.NodeDef(name="m", op="Merge", input=["s", "s"]),  # NOTE: no cond: one side
        proto.NodeDef(name="f", op="MadeUpOp", input=["m"])])
    with pytest.raises(ValueError) as error:
        import_graph_def(graph_def)
    assert "3 op types" in str(error.value)
    assert all(name in str(error.value) for name in ("MadeUpOp", "Merge", "Switch", "'s'"))


def test_import_refuses_what_is_not_a_graph_def():
    with pytest.raises(TypeError, match="GraphDef"):
        import_graph_def(b"bytes")


# --- files -----------------------------------------------------------------------------------

@pytest.mark.parametrize("as_text, name", [(True, "graph.pbtxt"), (False, "graph.pb")])
def test_write_graph_writes_a_file_load_graph_def_reads(tmp_path, as_text, name):
    _model()
    path = tf.train.write_graph(tf.get_default_graph(), str(tmp_path / "logs"), name, as_text)
    assert path == str(tmp_path / "logs" / name)
    assert load_graph_def(path) == tf.get_default_graph().as_graph_def()


# --- graph_util ------------------------------------------------------------------------------

def test_freezing_turns_variables_into_constants_with_the_session_values():
    x, out = _model()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        expected = sess.run(out, {x: X})
        frozen = graph_util.convert_variables_to_constants(
            sess, sess.graph.as_graph_def(), ["out"])
    nodes = _nodes(frozen)
    assert nodes["w"].op == "Const" and nodes["w/read"].op == "Identity"
    assert "w/Assign" not in nodes and "init" not in nodes
    with tf.Graph().as_default():
        (result,) = import_graph_def(frozen, return_elements=["out:0"], name="")
        np.testing.assert_allclose(tf.Session().run(result, {"x:0": X}), expected, rtol=1e-6)


def test_freezing_keeps_blacklisted_variables():
    x, out = _model()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        frozen = graph_util.convert_variables_to_constants(
            sess, sess.graph.as_graph_def(), ["out"], variable_names_blacklist=["dense"])
    assert (_nodes(frozen)["w"].op, _nodes(frozen)["dense"].op) == ("Const", "VariableV2")


def test_extract_sub_graph_keeps_what_the_destinations_need_in_order():
    a = tf.constant(1.0, name="a")
    tf.constant(2.0, name="unused")
    with tf.control_dependencies([a]):
        tf.identity(tf.constant(3.0, name="c"), name="d")
    graph_def = tf.get_default_graph().as_graph_def()
    assert [n.name for n in graph_util.extract_sub_graph(graph_def, ["d"]).node] == [
        "a", "c", "d"]
    with pytest.raises(TypeError, match="must be a list"):
        graph_util.extract_sub_graph(graph_def, "d")
    with pytest.raises(AssertionError, match="missing is not in graph"):
        graph_util.extract_sub_graph(graph_def, ["missing"])


def test_remove_training_nodes_splices_identities_and_drops_check_numerics():
    x = tf.placeholder(tf.float32, name="x")
    checked = tf.check_numerics(tf.identity(x, name="copy"), "bad", name="check")
    tf.multiply(tf.identity(checked, name="copy2"), 2.0, name="out")
    pruned = graph_util.remove_training_nodes(tf.get_default_graph().as_graph_def(),
                                              protected_nodes=["copy2"])
    nodes = _nodes(pruned)
    assert set(nodes) == {"x", "copy2", "out/y", "out"}
    assert list(nodes["copy2"].input) == [] and list(nodes["out"].input) == ["copy2", "out/y"]


def test_tensor_shape_from_node_def_name_reads_output_zero():
    tf.placeholder(tf.float32, [None, 3], name="x")
    shape = graph_util.tensor_shape_from_node_def_name(tf.get_default_graph(), "x")
    assert shape.as_list() == [None, 3]


# --- meta graphs -----------------------------------------------------------------------------

@pytest.mark.parametrize("as_text", [False, True])
def test_meta_graph_round_trip_restores_variables_and_collections(tmp_path, as_text):
    expected, _ = _run_model_and_export()
    tf.add_to_collection("outputs", tf.get_default_graph().get_tensor_by_name("out:0"))
    tf.add_to_collection("rate", 0.5)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        prefix = tf.train.Saver().save(sess, str(tmp_path / "model"))
    tf.train.export_meta_graph(str(tmp_path / "model.meta"), as_text=as_text)
    with tf.Graph().as_default():
        saver = tf.train.import_meta_graph(str(tmp_path / "model.meta"))
        assert [v.op.name for v in tf.global_variables()] == ["w", "dense"]
        assert tf.get_collection("rate") == [0.5]
        (out,) = tf.get_collection("outputs")
        with tf.Session() as sess:
            saver.restore(sess, prefix)
            np.testing.assert_allclose(sess.run(out, {"x:0": X}), expected, rtol=1e-6)


def test_meta_graph_keeps_collections_of_ops_by_name_under_an_import_scope():
    tf.add_to_collection("train_op", tf.no_op(name="step"))
    meta = export_meta_graph()
    assert list(meta.collection_def["train_op"].node_list.value) == ["step"]
    with tf.Graph().as_default():
        assert import_meta_graph(meta, import_scope="scope") is None
        assert tf.get_collection("train_op")[0].name == "scope/step"


# --- every registered op ---------------------------------------------------------------------

def _first_sample_of_each_op() -> list:
    from .samples import all_samples
    firsts: dict = {}
    for sample in all_samples():
        if not OPS[sample.op_type].holds_functions:
            firsts.setdefault(sample.op_type, sample)
    return [firsts[op_type] for op_type in sorted(firsts)]


def _same(ours: Any, theirs: Any) -> bool:
    ours, theirs = np.asarray(ours), np.asarray(theirs)
    if ours.dtype.kind in "fc":
        return ours.shape == theirs.shape and np.array_equal(ours, theirs, equal_nan=True)
    return ours.tolist() == theirs.tolist()


@pytest.mark.parametrize("sample", _first_sample_of_each_op(), ids=lambda s: s.op_type)
def test_every_op_type_survives_export_and_import_with_its_values(sample):
    with tf.Graph().as_default() as graph:
        sample.build(*[tf.constant(value) for value in sample.inputs])
    holding = sorted({op.type for op in graph.get_operations() if OPS[op.type].holds_functions})
    if holding:  # NOTE: a dataset or a branch is Python, not GraphDef: the import says so
        with tf.Graph().as_default(), pytest.raises(ValueError, match="call functions"):
            import_graph_def(graph.as_graph_def(), name="")
        return
    with tf.Graph().as_default() as imported:
        import_graph_def(graph.as_graph_def(), name="")
    assert [(op.name, op.type) for op in imported.get_operations()] == [
        (op.name, op.type) for op in graph.get_operations()]
    last = graph.get_operations()[-1]
    fetches = [t.name for t in last.outputs if t.dtype.name != "variant"]
    if OPS[sample.op_type].stateful or not fetches:
        return  # NOTE: random and stateful ops: the same graph, but not the same values
    with tf.Session(graph=graph) as ours, tf.Session(graph=imported) as theirs:
        assert all(map(_same, ours.run(fetches), theirs.run(fetches)))


def test_must_run_on_cpu_follows_tf1s_rule():
    int_const = tf.constant(1, name="i")
    float_const = tf.constant(1.0, name="f")
    cast = tf.cast(int_const, tf.float32)
    variable = tf.Variable(1.0, name="v")
    assert graph_util.must_run_on_cpu(int_const.op) and graph_util.must_run_on_cpu(cast.op)
    assert not graph_util.must_run_on_cpu(float_const.op)
    assert not graph_util.must_run_on_cpu(variable.op)
    assert graph_util.must_run_on_cpu(variable.op, pin_variables_on_cpu=True)


def test_an_op_made_after_import_does_not_take_an_imported_name():
    graph_def = _run_model_and_export()[1]
    with tf.Graph().as_default():
        import_graph_def(graph_def, name="")
        assert tf.constant(1.0, name="out").op.name == "out_1"


# --- TF1's cond (Switch and Merge) -----------------------------------------------------------

def _node(name: str, op: str, *inputs: str, **attrs: Any) -> proto.NodeDef:
    return proto.NodeDef(name=name, op=op, input=list(inputs),
                         attr={k: attr_value(k, v) for k, v in attrs.items()})


def _tf1_cond_graph_def(outside_use: bool = False) -> proto.GraphDef:
    """`tf.cond(p, lambda: x * 2, lambda: x - 1)` as TF1 wrote it."""
    f32, boolean = tf.float32, tf.bool
    three, two, one = (np.array(v, np.float32) for v in (3.0, 2.0, 1.0))
    nodes = [
        _node("p", "Placeholder", dtype=boolean, shape=()),
        _node("x", "Const", dtype=f32, value=three),
        _node("cond/Switch", "Switch", "p", "p", T=boolean),
        _node("cond/switch_t", "Identity", "cond/Switch:1", T=boolean),
        _node("cond/switch_f", "Identity", "cond/Switch", T=boolean),
        _node("cond/pred_id", "Identity", "p", T=boolean),
        _node("cond/Switch_1", "Switch", "x", "cond/pred_id", T=f32),
        _node("cond/mul/y", "Const", "^cond/switch_t", dtype=f32, value=two),
        _node("cond/mul", "Mul", "cond/Switch_1:1", "cond/mul/y", T=f32),
        _node("cond/sub/y", "Const", "^cond/switch_f", dtype=f32, value=one),
        _node("cond/sub", "Sub", "cond/Switch_1", "cond/sub/y", T=f32),
        _node("cond/Merge", "Merge", "cond/sub", "cond/mul", T=f32, N=2)]
    if outside_use:
        nodes.append(_node("leak", "Identity", "cond/mul", T=f32))
    return proto.GraphDef(node=nodes)


def test_a_tf1_cond_imports_as_a_cond_taking_the_branch_of_its_predicate():
    (result,) = import_graph_def(_tf1_cond_graph_def(), return_elements=["cond/Merge:0"])
    with tf.Session() as sess:
        assert sess.run(result, {"import/p:0": True}) == 6.0
        assert sess.run(result, {"import/p:0": False}) == 2.0


def test_a_branch_value_used_outside_its_cond_is_refused_naming_switch_and_merge():
    with pytest.raises(ValueError, match="2 op types.*Merge.*Switch"):
        import_graph_def(_tf1_cond_graph_def(outside_use=True))


def test_a_cond_built_here_is_exported_for_tensorboard_but_its_import_says_why_not():
    with tf.Graph().as_default() as graph:
        x = tf.placeholder(tf.float32, [2], name="x")
        tf.identity(tf.cond(tf.reduce_sum(x) > 0, lambda: x * 2, lambda: x * 3), name="z")
    graph_def = graph.as_graph_def()
    assert "StatelessIf" in {node.op for node in graph_def.node}
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match=r"StatelessIf \(e.g. node 'cond', 1 node\) call "
                           r"functions .* exported without its branches"):
            import_graph_def(graph_def)
