"""The TF-recorded programs of tests/golden/ again, on a local dask cluster: each graph's
variables placed on `/job:ps/task:0` and every other op on `/job:worker/task:0` (as
replica_device_setter would), run through a session on the cluster, must agree with what
TensorFlow recorded, as they do in-process (issue 17: same results on the cluster as locally)."""
from __future__ import annotations

import types

import pytest

import session_magic as tf
from session_magic.ops.registry import OPS

from .golden import deliberate, harness
from .golden.programs import programs
from .test_tf_golden import _golden

pytest.importorskip("distributed")
from session_magic.distributed import local_cluster  # noqa: E402

TOPICS = ("optimizers", "gradients", "control_deps", "dynamic", "control_flow")
_CLUSTER: list = []


def _cluster():
    if not _CLUSTER:
        _CLUSTER.append(local_cluster({"ps": 1, "worker": 1}, dashboard=False))
    return _CLUSTER[0]


@pytest.fixture(scope="module", autouse=True)
def _closed_after():
    yield
    while _CLUSTER:
        _CLUSTER.pop().close()


def _placed(graph):
    """Variables on the ps task, the rest on the worker; ops writing a variable left to run
    where it lives."""
    for op in graph.get_operations():
        opdef = OPS[op._type]
        if opdef.role == "variable":
            op._set_device("/job:ps/task:0")
        elif any(opdef.is_ref_input(i) for i in range(len(op._inputs))):
            op._set_device("")
        else:
            op._set_device("/job:worker/task:0")


def _on_cluster():
    """session_magic as a module whose Session places the graph and opens it on the cluster."""
    def session(target="", graph=None, config=None):
        graph = graph if graph is not None else tf.get_default_graph()
        _placed(graph)
        return tf.Session(_cluster().target, graph=graph, config=config)
    module = types.ModuleType("session_magic_on_a_cluster")
    module.__dict__.update({name: getattr(tf, name) for name in dir(tf)
                            if not name.startswith("__")})
    module.Session = session
    return module


def _params() -> list:
    found = []
    for topic in TOPICS:
        recorded = _golden(topic)["programs"]
        for program in programs(topic):
            test_id = f"{topic}/{program.name}"
            if program.name in recorded and not deliberate.section_for(test_id):
                found.append(pytest.param(program, recorded[program.name], id=test_id))
    return found


@pytest.mark.parametrize("program, expected", _params())
def test_a_recorded_program_agrees_with_tensorflow_on_a_cluster(program, expected):
    actual = harness.run(_on_cluster(), program)
    differences = harness.compare_records(actual, expected, program)
    assert not differences, f"{program.name} on a cluster differs from TF:\n  " + \
        "\n  ".join(differences)
