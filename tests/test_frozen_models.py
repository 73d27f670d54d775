"""Frozen TF1 models written by real TensorFlow 2.21 (tests/golden/record_frozen.py) import and
run here with TF's outputs; a graph frozen here is one TF parsed and ran (its outputs recorded)."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest

import session_magic as tf
from session_magic.interop.graph_def import import_graph_def, load_graph_def
from session_magic.ops.registry import OPS

from .golden.record_frozen import exported_model_bytes

FROZEN = Path(__file__).resolve().parent / "golden" / "interop" / "frozen"
SAME_OP_TYPES = ["mlp", "cnn_batch_norm", "mobilenet_block", "lstm_static"]
# NOTE: older op types import as newer ones, and TF1's cond (Switch, Merge) as this project's
RUNNABLE = [*SAME_OP_TYPES, "tf1_op_types", "tf1_cond", "tf1_cond_training"]


@lru_cache(maxsize=None)
def recorded() -> dict:
    return json.loads((FROZEN / "outputs.json").read_text())


def _run(graph_def, case: dict) -> list:
    with tf.Graph().as_default():
        import_graph_def(graph_def, name="")
        with tf.Session() as sess:
            feeds = {name: np.bool_(value) if isinstance(value, bool) else
                     np.array(value, np.float32) for name, value in case["inputs"].items()}
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


def test_a_frozen_tf1_while_loop_names_every_missing_op_type():
    graph_def = load_graph_def(str(FROZEN / "gru_dynamic.pb"))
    missing = sorted({node.op for node in graph_def.node} - set(OPS))
    assert {"Enter", "Exit", "LoopCond", "Merge", "NextIteration", "Switch"} <= set(missing)
    with pytest.raises(ValueError, match=f"{len(missing)} op types are not registered") as error:
        import_graph_def(graph_def)
    assert all(f"{op_type} (e.g. node" in str(error.value) for op_type in missing)


def test_a_graph_frozen_here_runs_as_tf_ran_it():
    case = recorded()["session_magic_export"]
    graph_def = tf.GraphDef.FromString(exported_model_bytes())
    assert [[n.name, n.op, list(n.input)] for n in graph_def.node] == case["nodes"]
    for value, expected in zip(_run(graph_def, case), case["outputs"].values(), strict=True):
        np.testing.assert_allclose(value, np.array(expected), rtol=1e-5, atol=1e-6)
