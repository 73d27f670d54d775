"""Fusion analysis (no compiler needed): which steps of a plan form convex elementwise groups."""
import sys
from pathlib import Path

import numpy as np

import session_magic as tf
from session_magic.ops.registry import OPS
from session_magic.plan import Plan
from session_magic.plan import fusion
from session_magic.plan.fusion import fusable_groups, read_mode, scalar_rule

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import workloads  # noqa: E402


def _plan(fetches: list, feeds: list) -> Plan:
    return Plan(fetches, feeds)


def test_the_w2_chain_is_one_group_of_its_100_ops():
    x = tf.placeholder(tf.float32, [16])
    y = workloads.build_chain(tf, x)
    plan = _plan([y], [x])
    (group,) = fusable_groups(plan)
    assert len(group.ops) == workloads.CHAIN_LENGTH == len(plan.steps)
    assert group.output is y and group.ops[-1] is y.op
    assert group.inputs[0] is x and group.reads == ["whole"] + ["one"] * 4  # shared constants


def test_a_group_never_swallows_a_value_an_outside_op_reads():
    x = tf.placeholder(tf.float32, [4])
    a = x + 1.0
    total = tf.reduce_sum(a)       # reads `a` outside any group
    c = a * total
    d = tf.exp(c)
    plan = _plan([d], [x])
    (group,) = fusable_groups(plan, 2)
    assert group.ops == [c.op, d.op]
    assert a.op not in group.ops and a in group.inputs and total in group.inputs


def test_a_fetched_intermediate_ends_its_own_group():
    x = tf.placeholder(tf.float32, [4])
    a = tf.exp(x * 2.0)
    b = tf.tanh(a - 1.0)
    plan = _plan([b, a], [x])
    groups = fusable_groups(plan, 2)
    assert [[op.type for op in g.ops] for g in groups] == [["Mul", "Exp"], ["Sub", "Tanh"]]
    assert [g.output for g in groups] == [a, b]


def test_a_diamond_is_one_group_reading_its_shared_value_once():
    x = tf.placeholder(tf.float64, [3, 2])
    a = x + 1.0
    b = tf.exp(a) * a          # `a` read twice, both times inside the group
    plan = _plan([b], [x])
    (group,) = fusable_groups(plan)
    assert {op.type for op in group.ops} == {"AddV2", "Exp", "Mul"}
    assert group.inputs[0] is x


def test_unknown_ranks_outer_broadcasts_and_other_dtypes_are_not_fused():
    unknown = tf.placeholder(tf.float32, None)
    row = tf.placeholder(tf.float32, [1, 3])
    column = tf.placeholder(tf.float32, [2, 1])
    halves = tf.placeholder(tf.float16, [3])
    fetches = [tf.exp(unknown + 1.0), tf.exp(row + column), tf.exp(halves * 2.0)]
    plan = _plan(fetches, [unknown, row, column, halves])
    assert fusable_groups(plan) == []


def test_unknown_dims_and_a_trailing_bias_are_fused():
    x = tf.placeholder(tf.float32, [None, 3])
    bias = tf.placeholder(tf.float32, [3])
    y = tf.nn.relu(x + bias) * 2.0
    (group,) = fusable_groups(_plan([y], [x, bias]))
    assert group.dims == (None, 3) and len(group.ops) == 3
    assert group.reads == ["whole", 3, "one"]


def test_read_modes():
    assert read_mode((4, 3), (4, 3)) == "whole"
    assert read_mode((None, 3), (None, 3)) == "whole"
    assert read_mode((), (4, 3)) == "one" and read_mode((1, 1), (4, 3)) == "one"
    assert read_mode((3,), (None, 3)) == 3 and read_mode((1, 2, 3), (5, 2, 3)) == 6
    assert read_mode((4, 1), (4, 3)) is None and read_mode((1, 1, 3), (4, 3)) is None
    assert read_mode((None,), (None, 3)) is None and read_mode(None, (3,)) is None


def test_variables_and_state_writes_stay_out_of_groups():
    v = tf.Variable(np.ones(3, np.float32))
    x = tf.placeholder(tf.float32, [3])
    update = tf.assign_add(v, tf.exp(x * 2.0))
    plan = _plan([update], [x])
    groups = fusable_groups(plan, 2)
    assert [[op.type for op in g.ops] for g in groups] == [["Mul", "Exp"]]


def test_a_cast_between_floats_has_a_rule_and_a_float_to_int_cast_does_not():
    x = tf.placeholder(tf.float64, [2])
    assert scalar_rule(tf.cast(x, tf.float32).op) == "{0}"
    assert scalar_rule(tf.cast(x, tf.int32).op) is None


def test_the_common_elementwise_ops_have_scalar_rules():
    for op_type in ("AddV2", "Add", "Sub", "Mul", "RealDiv", "Maximum", "Minimum", "Neg", "Abs",
                    "Square", "Sqrt", "Rsqrt", "Exp", "Log", "Tanh", "Sigmoid", "Relu", "Sin",
                    "Cos", "SquaredDifference", "Cast", "Select", "SelectV2", "Less",
                    "Greater", "AddN"):
        assert OPS[op_type].scalar is not None, op_type


def test_the_w5_branches_and_their_add_n_are_one_group():
    x = tf.placeholder(tf.float32, [16])
    total = tf.add_n([tf.tanh(x * scale) for scale in workloads.branch_scales()])
    plan = _plan([total], [x])
    (group,) = fusable_groups(plan)
    assert len(group.ops) == len(plan.steps) == 401 and group.output is total


def test_groups_are_in_plan_order_and_within_the_size_limit(monkeypatch):
    monkeypatch.setattr(fusion, "MAX_GROUP_OPS", 50)
    x = tf.placeholder(tf.float32, [16])
    total = tf.add_n([tf.tanh(x * scale) for scale in workloads.branch_scales()])
    plan = _plan([total], [x])
    groups = fusable_groups(plan)
    position = {op: i for i, op in enumerate(plan.steps)}
    members = [op for g in groups for op in g.ops]
    assert len(members) == len(set(members)) and all(len(g.ops) <= 50 for g in groups)
    assert [position[g.ops[-1]] for g in groups] == sorted(position[g.ops[-1]] for g in groups)
    assert groups[-1].output is total


def test_two_ops_are_fused_by_default_only_on_large_arrays():
    small = tf.placeholder(tf.float32, [256, 1])
    large = tf.placeholder(tf.float32, [64, 64])
    unknown = tf.placeholder(tf.float32, [None, 64])
    fetches = [tf.square(small - 1.0), tf.square(large - 1.0), tf.square(unknown - 1.0)]
    plan = _plan(fetches, [small, large, unknown])
    assert [g.output for g in fusable_groups(plan)] == [fetches[1]]
    assert len(fusable_groups(plan, 2)) == 3


def test_a_vector_condition_of_select_picks_rows_so_it_is_not_fused():
    condition = tf.placeholder(tf.bool, [3])
    x = tf.placeholder(tf.float32, [3, 3])
    picked = tf.compat.v1.where(condition, x * 2.0, x)
    assert scalar_rule(picked.op) is None
    same = tf.compat.v1.where(tf.ones([3, 3], tf.bool), x, x)
    assert scalar_rule(same.op) is not None
