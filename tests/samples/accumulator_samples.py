"""Samples for the ConditionalAccumulator ops: each run applies gradients for a time step far
ahead (so none is stale however often the registry tests run the graph) and takes what it applied,
leaving the accumulator empty. Nothing runs at import: the golden recorder imports this module with
TF standing in for session_magic."""
from __future__ import annotations

import numpy as np

import session_magic as sm
from session_magic.ops.accumulator_ops import sync_replicas_local_step_assign

from . import Sample, f32

FAR_AHEAD = 1000


def _mean_of_two(x):
    accumulator = sm.ConditionalAccumulator(x.dtype, shape=x.shape)
    with sm.control_dependencies([accumulator.apply_grad(x, local_step=FAR_AHEAD)]):
        with sm.control_dependencies([accumulator.apply_grad(x * 3.0, local_step=FAR_AHEAD)]):
            return accumulator.take_grad(2)


def _sum_of_two(x):
    accumulator = sm.ConditionalAccumulator(x.dtype, reduction_type="SUM")
    with sm.control_dependencies([accumulator.apply_grad(x, local_step=FAR_AHEAD)]):
        with sm.control_dependencies([accumulator.apply_grad(x, local_step=FAR_AHEAD)]):
            return accumulator.take_grad(2)


def _counted_then_taken(x):
    accumulator = sm.ConditionalAccumulator(x.dtype, shape=x.shape)
    with sm.control_dependencies([accumulator.apply_grad(x, local_step=FAR_AHEAD)]):
        count = accumulator.num_accumulated()
    with sm.control_dependencies([count]):
        return [count, accumulator.take_grad(1)]


def _stale_is_dropped(x):
    accumulator = sm.ConditionalAccumulator(x.dtype, shape=x.shape)
    with sm.control_dependencies([accumulator.set_global_step(5)]):
        with sm.control_dependencies([accumulator.apply_grad(x, local_step=4)]):
            return accumulator.num_accumulated()


def _local_step(x):
    variable = sm.Variable(np.int64(0), name="local_step", use_resource=False)
    with sm.control_dependencies([variable.initializer]):
        return sync_replicas_local_step_assign(variable, x)


SAMPLES = [
    Sample("ResourceAccumulatorTakeGradient", _mean_of_two, [f32(2, 3)],
           lambda x: 2.0 * x, grad_check=False, label="mean of x and 3x"),
    Sample("ResourceAccumulatorApplyGradient", _sum_of_two, [f32(4)], lambda x: 2.0 * x,
           grad_check=False, label="SUM of x twice, unknown accumulator shape"),
    Sample("ResourceAccumulatorNumAccumulated", _counted_then_taken, [f32(3)],
           lambda x: [np.int32(1), x], grad_check=False, label="one applied, then taken"),
    Sample("ResourceAccumulatorSetGlobalStep", _stale_is_dropped, [f32(2)],
           lambda x: np.int32(0), grad_check=False, label="a stale gradient is dropped"),
    Sample("ResourceConditionalAccumulator", _mean_of_two, [f32(3)], lambda x: 2.0 * x,
           grad_check=False),
    Sample("SyncReplicasLocalStepAssign", _local_step, [np.int64(7)], lambda x: x,
           grad_check=False, unknown_shapes=False),
]
