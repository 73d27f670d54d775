"""Device placement as TF 1 records it: DeviceSpec, nested `tf.device` scopes, `colocate_with`,
a Variable's ops, and a between-graph program under `replica_device_setter`. The oracle is real
TF 2.21 (`tests/golden/data/devices.json`, recorded from tests/golden/programs/devices.py)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import session_magic as tf
from session_magic.device_spec import DeviceSpec, canonical_device
from session_magic.render.dot import _op_tooltip
from tests.golden.programs import devices as programs

GOLDEN = json.loads((Path(__file__).parent / "golden" / "data" / "devices.json").read_text())


def golden_python(program: str) -> dict:
    return GOLDEN["programs"][program]["python"]


def built(build) -> dict:
    """A golden program's Python facts under session_magic, as JSON holds them (keys strings)."""
    with tf.Graph().as_default():
        return json.loads(json.dumps(build(tf)["python"], default=repr))


@pytest.mark.parametrize("spec", programs.SPECS, ids=repr)
def test_device_strings_parse_and_print_as_tf(spec):
    expected = golden_python("DeviceSpec parsing")[str(spec)]
    assert programs._outcome(lambda: DeviceSpec.from_string(spec).to_string()) == expected


def test_canonical_device_spells_short_forms_in_full():
    assert canonical_device("/job:ps/task:0/cpu:0") == "/job:ps/task:0/device:CPU:0"
    assert canonical_device("gpu:*") == "/device:GPU:*"


def test_device_spec_methods_agree_with_tf():
    assert built(programs._spec_methods) == golden_python("DeviceSpec methods")


@pytest.mark.parametrize("case", sorted(golden_python("nested device scopes")))
def test_nested_device_scopes_merge_as_tf(case):
    assert built(programs._nested_scopes)[case] == golden_python("nested device scopes")[case]


def test_inner_scope_overrides_only_the_fields_it_names():
    with tf.Graph().as_default():
        with tf.device("/job:ps/task:0"), tf.device("/cpu:0"):
            a = tf.constant(1.0)
        with tf.device("/job:ps/task:0"), tf.device("/job:worker"):
            b = tf.constant(1.0)
    assert (a.device, b.device) == ("/job:ps/task:0/device:CPU:0", "/job:worker/task:0")


def test_device_function_must_answer_a_string():
    with tf.Graph().as_default(), tf.device(lambda op: None):
        with pytest.raises(TypeError, match="device function must return a device string"):
            tf.constant(1.0)


def test_tf_device_refuses_a_number_naming_it():
    with tf.Graph().as_default(), pytest.raises(TypeError, match="got 3 of type int"):
        with tf.device(3):
            pass


def test_malformed_device_fails_at_the_with_naming_the_part():
    with tf.Graph().as_default(), pytest.raises(ValueError, match="Unknown attribute 'foo'"):
        with tf.device("/job:ps/foo:1"):
            pass


@pytest.mark.parametrize("case", sorted(golden_python("colocate_with")))
def test_colocate_with_places_and_groups_as_tf(case):
    assert built(programs._colocation)[case] == golden_python("colocate_with")[case]


def test_colocated_op_takes_the_device_and_loc_group():
    with tf.Graph().as_default():
        with tf.device("/job:ps/task:1"):
            anchor = tf.constant(1.0, name="anchor")
        with tf.device("/job:worker"), tf.colocate_with(anchor):
            near = tf.identity(anchor, name="near")
    assert near.device == "/job:ps/task:1"
    assert near.op.get_attr("_class") == [b"loc:@anchor"]
    assert near.op.colocation_groups() == [b"loc:@anchor"]
    assert anchor.op.colocation_groups() == [b"loc:@anchor"]


def test_variable_ops_are_placed_as_tf():
    assert built(programs._variables) == golden_python("variable ops placement")


def test_variable_device_is_its_variable_ops_device():
    with tf.Graph().as_default():
        with tf.device("/job:ps/task:3"):
            v = tf.Variable([1.0, 2.0], name="v")
    assert v.device == v.op.device == v.initializer.device == "/job:ps/task:3"
    assert v.initializer.get_attr("_class") == [b"loc:@v"]


def test_between_graph_program_places_every_op_as_tf():
    ours = built(programs._between_graph)
    theirs = golden_python("between-graph replica_device_setter")
    assert ours["gradient devices"] == theirs["gradient devices"] == ["/job:worker/task:1"]
    assert sorted(ours["ops"]) == sorted(theirs["ops"])
    different = {name: (ours["ops"][name], placed) for name, placed in theirs["ops"].items()
                 if ours["ops"][name] != placed}
    assert different == {}
    # NOTE: the facts the golden pins down: slots and Adam's powers on their variable's ps task
    assert theirs["ops"]["w/Adam_1"][0] == theirs["ops"]["w"][0] == "/job:ps/task:1"
    assert theirs["ops"]["beta1_power"] == ["/job:ps/task:0", ["loc:@b"]]


def test_placed_program_still_runs_here_with_the_same_values():
    def program(place: bool) -> list:
        with tf.Graph().as_default():
            setter = tf.train.replica_device_setter(ps_tasks=2) if place else None
            with tf.device(setter):
                w = tf.Variable([[1.0], [2.0]], name="w")
                x = tf.constant([[3.0, 4.0]])
                loss = tf.reduce_sum(tf.square(tf.matmul(x, w)))
                train = tf.train.MomentumOptimizer(0.01, 0.9).minimize(loss)
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                return [sess.run([loss, train])[0] for _ in range(3)]
    placed, plain = program(True), program(False)
    np.testing.assert_allclose(placed, plain)
    assert plain[0] == pytest.approx(121.0)


def test_graph_def_keeps_devices():
    with tf.Graph().as_default() as graph:
        with tf.device(tf.train.replica_device_setter(ps_tasks=2)):
            tf.Variable(1.0, name="v")
        graph_def = graph.as_graph_def()
    assert {node.name: node.device for node in graph_def.node} == {
        "v/initial_value": "/job:worker", "v": "/job:ps/task:0", "v/Assign": "/job:ps/task:0",
        "v/read": "/job:ps/task:0"}
    with tf.Graph().as_default() as imported:
        tf.import_graph_def(graph_def, name="")
    assert imported.get_operation_by_name("v/read").device == "/job:ps/task:0"


def test_drawing_tooltip_names_the_device():
    with tf.Graph().as_default():
        with tf.device("/job:ps/task:1"):
            c = tf.constant(1.0, name="c")
    assert "device: /job:ps/task:1" in _op_tooltip(c.op)
