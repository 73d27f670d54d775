"""tf.train.ClusterSpec, tf.train.replica_device_setter, tf.contrib.training's load balancing and
ConfigProto(device_filters=...). The oracle is real TF 2.21 (`tests/golden/data/devices.json`)
and, for the contrib strategy TF 2 no longer ships, TF 1.15's documented rule."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

import session_magic as tf
from session_magic.cluster import STANDARD_PS_OPS
from tests.golden.programs import devices as programs

GOLDEN = json.loads((Path(__file__).parent / "golden" / "data" / "devices.json").read_text())


def golden_python(program: str) -> dict:
    return GOLDEN["programs"][program]["python"]


def built(build) -> dict:
    """A golden program's Python facts under session_magic, as JSON holds them (keys strings)."""
    with tf.Graph().as_default():
        return json.loads(json.dumps(build(tf)["python"], default=repr))


@pytest.mark.parametrize("aspect", sorted(golden_python("ClusterSpec")))
def test_cluster_spec_agrees_with_tf(aspect):
    assert built(programs._cluster_spec)[aspect] == golden_python("ClusterSpec")[aspect]


def test_cluster_spec_reads_lists_and_sparse_dicts():
    cluster = tf.train.ClusterSpec({"ps": ["ps0:2222", "ps1:2222"], "worker": {2: "w2:2222"}})
    assert cluster.jobs == ["ps", "worker"]
    assert cluster.num_tasks("ps") == 2 and cluster.task_indices("worker") == [2]
    assert cluster.job_tasks("worker") == [None, None, "w2:2222"]
    assert cluster.as_dict() == {"ps": ["ps0:2222", "ps1:2222"], "worker": {2: "w2:2222"}}
    assert tf.train.ClusterSpec(cluster) == cluster


def test_cluster_spec_errors_name_the_job_and_task():
    cluster = tf.train.ClusterSpec({"ps": ["a:1"]})
    with pytest.raises(ValueError, match="No such job in cluster: 'worker'"):
        cluster.task_address("worker", 0)
    with pytest.raises(ValueError, match="No task with index 4 in job 'ps'"):
        cluster.task_address("ps", 4)
    with pytest.raises(TypeError, match="The tasks for job 'ps' must be a list"):
        tf.train.ClusterSpec({"ps": "a:1"})


def test_replica_device_setter_options_agree_with_tf():
    assert built(programs._setter_options) == golden_python("replica_device_setter options")


def test_replica_device_setter_none_and_errors_agree_with_tf():
    assert (built(programs._setter_none)
            == golden_python("replica_device_setter None and errors"))


def test_variables_go_round_robin_over_ps_tasks_and_the_rest_to_the_worker():
    with tf.Graph().as_default():
        with tf.device(tf.train.replica_device_setter(ps_tasks=3, worker_device="/job:w/task:4")):
            variables = [tf.Variable(float(i), name=f"v{i}") for i in range(4)]
            total = tf.add_n(variables)
    assert [v.device for v in variables] == ["/job:ps/task:0", "/job:ps/task:1",
                                            "/job:ps/task:2", "/job:ps/task:0"]
    assert total.device == "/job:w/task:4"
    assert "VariableV2" in STANDARD_PS_OPS and "VarHandleOp" in STANDARD_PS_OPS


def test_greedy_strategy_puts_each_variable_on_the_least_loaded_ps_task():
    # NOTE: TF 1.15's rule: the task of least load so far (lowest index on ties), then its load
    # grows by byte_size_load_fn: 40 B -> task 0; 4 B -> 1; 4 B -> 1 (4 < 40); 20 B -> 1 (8 < 40)
    strategy = tf.contrib.training.GreedyLoadBalancingStrategy(
        2, tf.contrib.training.byte_size_load_fn)
    with tf.Graph().as_default():
        with tf.device(tf.train.replica_device_setter(ps_tasks=2, ps_strategy=strategy)):
            sizes = [10, 1, 1, 5]
            variables = [tf.Variable(tf.zeros([n]), name=f"v{i}") for i, n in enumerate(sizes)]
    assert [v.device for v in variables] == ["/job:ps/task:0", "/job:ps/task:1",
                                            "/job:ps/task:1", "/job:ps/task:1"]


def test_byte_size_load_fn_needs_one_output_of_known_shape():
    with tf.Graph().as_default():
        v = tf.Variable(tf.zeros([3, 2], dtype=tf.float64))
        assert tf.contrib.training.byte_size_load_fn(v.op) == 48
        pair = tf.unstack(tf.zeros([2]))[0].op
        with pytest.raises(ValueError, match="must have a single output"):
            tf.contrib.training.byte_size_load_fn(pair)


def test_device_filters_agree_with_tf():
    assert built(programs._device_filters) == golden_python("ConfigProto device_filters")


def test_device_filters_refuse_what_tf_refuses():
    with pytest.raises(tf.errors.InvalidArgumentError, match="Invalid device filter: /job:a/b:1"):
        tf.ConfigProto(device_filters=["/job:a/b:1"])
    with pytest.raises(TypeError, match="device_filters holds 3 of type int"):
        tf.ConfigProto(device_filters=[3])
    with pytest.raises(TypeError, match="list of device strings"):
        tf.ConfigProto(device_filters="/job:ps")
    assert tf.ConfigProto().device_filters == []
