"""Frozen TF1 models written by real TensorFlow 2.21 (tests/golden/record_frozen.py) import and
run here with TF's outputs (TF1 conds and while loops included); a graph frozen here is one TF
parsed and ran (its outputs recorded)."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest

import session_magic as tf
from session_magic.interop.graph_def import import_graph_def, load_graph_def

from .golden.record_frozen import exported_model_bytes

FROZEN = Path(__file__).resolve().parent / "golden" / "interop" / "frozen"
SAME_OP_TYPES = ["mlp", "cnn_batch_norm", "mobilenet_block", "lstm_static"]
# NOTE: older op types import as newer ones, TF1's cond (Switch, Merge) as this project's, and
# TF1's while loop (Enter, Merge, Switch, LoopCond, NextIteration, Exit) and TensorArrayV3 ops as
# this project's while_loop and TensorList ops (a cond inside a loop: a cond in its body)
LOOPS = ["gru_dynamic", "lstm_dynamic", "while_counter", "while_cond"]
RUNNABLE = [*SAME_OP_TYPES, "tf1_op_types", "tf1_cond", "tf1_cond_training", *LOOPS]
LOOP_OP_TYPES = ["Enter", "Exit", "LoopCond", "Merge", "NextIteration", "Switch"]


@lru_cache(maxsize=None)
def recorded() -> dict:
    return json.loads((FROZEN / "outputs.json").read_text())


def _load(name: str):
    return load_graph_def(str(FROZEN / f"{name}.pb"))


def _run(graph_def, case: dict) -> list:
    with tf.Graph().as_default() as graph:
        import_graph_def(graph_def, name="")
        with tf.Session() as sess:
            feeds = {name: np.array(value, graph.get_tensor_by_name(name).dtype.as_numpy_dtype)
                     for name, value in case["inputs"].items()}
            return sess.run(list(case["outputs"]), feeds)


@pytest.mark.parametrize("name", RUNNABLE)
def test_a_frozen_tf_model_gives_tf_outputs(name):
    case = recorded()["models"][name]
    for value, expected in zip(_run(load_graph_def(str(FROZEN / f"{name}.pb")), case),
                               case["outputs"].values(), strict=True):
        np.testing.assert_allclose(value, np.array(expected), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", SAME_OP_TYPES)
def test_a_tf_graph_def_keeps_names_ops_inputs_and_attrs_through_import_and_export(name):
    graph_def = load_graph_def(str(FROZEN / f"{name}.pb"))
    with tf.Graph().as_default() as graph:
        import_graph_def(graph_def, name="")
    exported = graph.as_graph_def()
    assert [(n.name, n.op, list(n.input)) for n in exported.node] == [
        (n.name, n.op, list(n.input)) for n in graph_def.node]
    for theirs, ours in zip(graph_def.node, exported.node, strict=True):
        assert {k: v for k, v in theirs.attr.items() if not k.startswith("_")} == ours.attr


def test_older_tf1_op_types_import_as_the_registered_ones():
    with tf.Graph().as_default() as graph:
        import_graph_def(load_graph_def(str(FROZEN / "tf1_op_types.pb")), name="")
    types = {op.name: op.type for op in graph.get_operations()}
    assert (types["FusedBatchNorm"], types["BatchMatMul"], types["Snapshot"]) == (
        "FusedBatchNormV3", "BatchMatMulV2", "Identity")


def test_a_frozen_tf1_while_loop_imports_as_one_while_op_its_exits_named_as_tf():
    with tf.Graph().as_default() as graph:
        exit_op, = import_graph_def(_load("gru_dynamic"), return_elements=["rnn/while/Exit_2"])
    types = [op.type for op in graph.get_operations()]
    assert types.count("StatelessWhile") == 1 and not set(LOOP_OP_TYPES) & set(types)
    assert (exit_op.name, exit_op.type) == ("import/rnn/while/Exit_2", "Identity")
    loop_result = exit_op.inputs[0].op  # NOTE: while_loop's Identity of the While's output
    assert loop_result.inputs[0].op.type == "StatelessWhile"
    assert graph.get_operation_by_name("import/rnn/TensorArray").type == "TensorListReserve"


def test_a_tf1_cond_inside_a_while_loop_becomes_a_cond_in_the_loop_body():
    with tf.Graph().as_default() as graph:
        import_graph_def(_load("while_cond"), name="")
    loop, = [op for op in graph.get_operations() if op.type.endswith("While")]
    body_types = {op.type for op in loop._attrs["body_graph"].get_operations()}
    assert "StatelessIf" in body_types and not set(LOOP_OP_TYPES) & body_types
    assert graph.get_operation_by_name("cond/Merge").type == "Identity"  # the outer cond


def test_a_frozen_tf1_tensor_array_becomes_tensor_list_ops():
    with tf.Graph().as_default() as graph:
        import_graph_def(_load("while_counter"), name="")
    types = {op.name: op.type for op in graph.get_operations()}
    assert types["TensorArrayStack/TensorArrayGatherV3"] == "TensorListGather"
    assert types["TensorArraySizeV3"] == "TensorListLength"
    assert types["TensorArrayReadV3"] == "TensorListGetItem"
    assert not any(t.startswith("TensorArray") for t in types.values())


@pytest.mark.parametrize("name", ["gru_dynamic", "lstm_dynamic"])
def test_a_frozen_dynamic_rnn_differentiates_through_its_loop(name):
    x0 = np.array(recorded()["models"][name]["inputs"]["input:0"], np.float64)
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, *x0.shape[1:]])
        output, = import_graph_def(_load(name), input_map={"input:0": x},
                                   return_elements=["output:0"])
        loss = tf.reduce_sum(output * output)
        grad, = tf.gradients(loss, [x])
        with tf.Session() as sess:
            numeric = np.zeros_like(x0)
            for index in np.ndindex(x0.shape):
                step = np.zeros_like(x0)
                step[index] = 1e-2
                numeric[index] = (sess.run(loss, {x: x0 + step}) -
                                  sess.run(loss, {x: x0 - step})) / 2e-2
            np.testing.assert_allclose(sess.run(grad, {x: x0}), numeric, atol=1e-4)


def test_a_nested_tf1_while_loop_is_refused_naming_what_is_missing():
    graph_def = _load("while_nested")
    with pytest.raises(ValueError, match="6 op types are not registered") as error:
        import_graph_def(graph_def)
    message = str(error.value)
    assert all(f"{op_type} (e.g. node" in message for op_type in LOOP_OP_TYPES)
    assert ("Not converted: the TF1 while loop 'while/while_context' holds another while loop "
            "('while/while/while_context')") in message


def test_a_tf1_while_loop_with_an_unknown_op_names_it_and_a_malformed_one_says_why():
    graph_def = _load("while_counter")
    tanh = next(node for node in graph_def.node if node.op == "Tanh")
    tanh.op = "NotAnOp"
    with pytest.raises(ValueError, match=r"1 op type is not registered in session_magic: "
                       r"NotAnOp \(e.g. node 'while/Tanh', 1 node\)\.$"):
        import_graph_def(graph_def)
    graph_def = _load("while_counter")
    body = next(node for node in graph_def.node if node.name == "while/Tanh")
    body.input[0] = "while/Switch_3"  # NOTE: the Switch's false output: the value after the loop
    with pytest.raises(ValueError, match="op types are not registered") as error:
        import_graph_def(graph_def)
    assert "Enter (e.g. node" in str(error.value) and "LoopCond (e.g. node" in str(error.value)
    assert "Not converted: the TF1 while loop 'while/while_context' has a body reading " \
           "'while/Switch_3:0'" in str(error.value)


def test_a_graph_frozen_here_runs_as_tf_ran_it():
    case = recorded()["session_magic_export"]
    graph_def = tf.GraphDef.FromString(exported_model_bytes())
    assert [[n.name, n.op, list(n.input)] for n in graph_def.node] == case["nodes"]
    for value, expected in zip(_run(graph_def, case), case["outputs"].values(), strict=True):
        np.testing.assert_allclose(value, np.array(expected), rtol=1e-5, atol=1e-6)
