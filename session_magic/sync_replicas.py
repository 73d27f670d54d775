"""TF1's `tf.train.SyncReplicasOptimizer`: synchronous data-parallel training.

Each replica's train op applies its gradients to one ConditionalAccumulator per variable (tagged
with the replica's local step, so stale ones are dropped) and then takes a token from the token
queue. The chief's queue runner takes the mean of `replicas_to_aggregate` gradients from each
accumulator, applies them with the wrapped optimizer (advancing the global step) and puts
`max(total_num_replicas, replicas_to_aggregate)` tokens holding the new global step back, which
start the replicas' next step. `make_session_run_hook` does the session set-up: the local step,
the accumulators' time step, the first tokens and the chief's queue-runner thread.
"""
from __future__ import annotations

from typing import Any, Optional

from .aliases import logging
from .graph import GraphKeys, Tensor, device, get_default_graph
from .hooks import SessionRunHook
from .input_pipeline import QueueRunner
from .ops.accumulator_ops import ConditionalAccumulator, sync_replicas_local_step_assign
from .ops.array_ops import fill
from .ops.control_flow_ops import group, no_op
from .ops.indexed_slices import IndexedSlices
from .ops.state_ops import assign
from .queues import FIFOQueue
from .train import Optimizer
from .variables import Variable, global_variables, report_uninitialized_variables

__all__ = ["SyncReplicasOptimizer"]

# NOTE: TF's token queue is unbounded (capacity -1), which queues.py refuses: this never fills
_TOKEN_QUEUE_CAPACITY = 2**31 - 1


class SyncReplicasOptimizer(Optimizer):
    """Wraps `opt` so that each update is the mean of `replicas_to_aggregate` replicas'
    gradients, applied once by the chief."""

    def __init__(self, opt: Optimizer, replicas_to_aggregate: int,
                 total_num_replicas: Optional[int] = None, variable_averages: Any = None,
                 variables_to_average: Any = None, use_locking: bool = False,
                 name: str = "sync_replicas") -> None:
        if total_num_replicas is None:
            total_num_replicas = replicas_to_aggregate
        super().__init__(use_locking, name)
        logging.info("SyncReplicasV2: replicas_to_aggregate=%s; total_num_replicas=%s",
                     replicas_to_aggregate, total_num_replicas)
        self._opt = opt
        self._replicas_to_aggregate = replicas_to_aggregate
        self._total_num_replicas = total_num_replicas
        self._tokens_per_step = max(total_num_replicas, replicas_to_aggregate)
        self._variable_averages = variable_averages
        self._variables_to_average = variables_to_average
        self._gradients_applied = False
        self._global_step: Any = None
        self._sync_token_queue: Optional[FIFOQueue] = None
        self._chief_queue_runner: Optional[QueueRunner] = None
        self._accumulator_list: list = []

    def compute_gradients(self, *args: Any, **kwargs: Any) -> list:
        """The wrapped optimizer's gradients."""
        return self._opt.compute_gradients(*args, **kwargs)

    def apply_gradients(self, grads_and_vars: Any, global_step: Any = None,
                        name: Optional[str] = None) -> Tensor:
        """The replica's train op: accumulate the gradients, then wait for a token. Also
        builds the chief's update (`get_chief_queue_runner`) and init ops."""
        grads_and_vars = list(grads_and_vars)
        if not grads_and_vars:
            raise ValueError("Must supply at least one variable")
        if global_step is None:
            raise ValueError("Global step is required to check staleness")
        self._global_step = global_step
        no_op()  # NOTE: TF's local anchor, which its local step is colocated with
        self._local_step = Variable(0, trainable=False, collections=[GraphKeys.LOCAL_VARIABLES],
                                    dtype=global_step.dtype.base_dtype,
                                    name="sync_rep_local_step")
        self.local_step_init_op = assign(self._local_step, global_step)
        self.ready_for_local_init_op = report_uninitialized_variables(global_variables())
        graph = get_default_graph()
        with graph.name_scope(self._name + "/"):
            train_ops, aggregated = self._accumulate(grads_and_vars)
            train_op = self._token_ops(graph, grads_and_vars, train_ops, aggregated)
            chief_init_ops = [self.local_step_init_op]
            for accumulator, where in self._accumulator_list:
                with device(where):
                    chief_init_ops.append(accumulator.set_global_step(global_step,
                                                                      name="SetGlobalStep"))
            self.chief_init_op = group(*chief_init_ops)
        self._gradients_applied = True
        return train_op

    def _accumulate(self, grads_and_vars: list) -> tuple:
        """Per variable: an op applying its gradient to its accumulator, and the mean taken."""
        train_ops, aggregated = [], []
        for grad, var in grads_and_vars:
            where = getattr(var, "device", "") or ""
            with device(where):
                if grad is None:
                    aggregated.append(None)
                    continue
                if isinstance(grad, IndexedSlices):
                    raise NotImplementedError(
                        "SyncReplicasOptimizer with IndexedSlices gradients (TF's "
                        "SparseConditionalAccumulator) is not supported by session_magic yet")
                accumulator = ConditionalAccumulator(grad.dtype, shape=var.get_shape(),
                                                     shared_name=var.name + "/grad_accum")
                train_ops.append(accumulator.apply_grad(grad, local_step=self._local_step))
                aggregated.append(accumulator.take_grad(self._replicas_to_aggregate))
                self._accumulator_list.append((accumulator, where))
        return train_ops, aggregated

    def _token_ops(self, graph: Any, grads_and_vars: list, train_ops: list,
                   aggregated: list) -> Tensor:
        """The chief's update and token queue runner; returns the replica's train op."""
        step = self._global_step
        where = getattr(step, "device", "") or ""
        with device(where), graph.name_scope(None):
            update_op = self._opt.apply_gradients(
                zip(aggregated, [var for _, var in grads_and_vars], strict=True), step)
            queue = FIFOQueue(_TOKEN_QUEUE_CAPACITY, step.dtype.base_dtype, shapes=(),
                              name="sync_token_q", shared_name="sync_token_q")
            self._sync_token_queue = queue
            with graph.control_dependencies(train_ops):
                token = queue.dequeue()
            train_op = sync_replicas_local_step_assign(self._local_step, token)
            with graph.control_dependencies([update_op]):
                sync_op = queue.enqueue_many((fill([self._tokens_per_step], step),))
            if self._variable_averages is not None:
                with graph.control_dependencies([sync_op]):
                    sync_op = self._variable_averages.apply(self._variables_to_average)
            self._chief_queue_runner = QueueRunner(queue, [sync_op])
        return train_op

    def get_chief_queue_runner(self) -> QueueRunner:
        """The chief's runner of the aggregate-apply-and-release-tokens op."""
        if not self._gradients_applied:
            raise ValueError("Should be called after apply_gradients().")
        return self._chief_queue_runner

    def get_slot(self, *args: Any, **kwargs: Any) -> Any:
        return self._opt.get_slot(*args, **kwargs)

    def variables(self) -> list:
        return self._opt.variables()

    def get_slot_names(self, *args: Any, **kwargs: Any) -> list:
        return self._opt.get_slot_names(*args, **kwargs)

    def get_init_tokens_op(self, num_tokens: int = -1) -> Any:
        """An op putting the first tokens (`replicas_to_aggregate` by default) in the queue."""
        if not self._gradients_applied:
            raise ValueError("get_init_tokens_op() should be called after apply_gradients().")
        tokens_needed = self._replicas_to_aggregate - self._total_num_replicas
        if num_tokens == -1:
            num_tokens = self._replicas_to_aggregate
        elif num_tokens < tokens_needed:
            raise ValueError(f"Too few tokens to finish the first step: {num_tokens} (given) vs "
                             f"{tokens_needed} (needed)")
        if num_tokens <= 0:
            return no_op(name="no_init_tokens")
        graph = get_default_graph()
        with device(getattr(self._global_step, "device", "") or ""), graph.name_scope(None):
            tokens = fill([num_tokens], self._global_step)
            return self._sync_token_queue.enqueue_many((tokens,))

    def make_session_run_hook(self, is_chief: bool, num_tokens: int = -1) -> SessionRunHook:
        """The hook a MonitoredSession needs to set up this optimizer's session."""
        return _SyncReplicasOptimizerHook(self, is_chief, num_tokens)


class _SyncReplicasOptimizerHook(SessionRunHook):
    """Runs the local init (and, on the chief, the first tokens and the queue runner)."""

    def __init__(self, sync_optimizer: SyncReplicasOptimizer, is_chief: bool,
                 num_tokens: int) -> None:
        self._sync_optimizer, self._is_chief, self._num_tokens = sync_optimizer, is_chief, \
            num_tokens

    def begin(self) -> None:
        optimizer = self._sync_optimizer
        if not optimizer._gradients_applied:
            raise ValueError("SyncReplicasOptimizer.apply_gradient should be called before using "
                             "the hook.")
        self._ready_for_local_init_op = optimizer.ready_for_local_init_op
        if self._is_chief:
            self._local_init_op = optimizer.chief_init_op
            self._q_runner = optimizer.get_chief_queue_runner()
            self._init_tokens_op = optimizer.get_init_tokens_op(self._num_tokens)
        else:
            self._local_init_op = optimizer.local_step_init_op
            self._q_runner = self._init_tokens_op = None

    def after_create_session(self, session: Any, coord: Any) -> None:
        from .monitored_session import _ready  # NOTE: lazy: monitored_session imports hooks
        ready, message = _ready(self._ready_for_local_init_op, session)
        if not ready:
            raise RuntimeError("Init operations did not make model ready for "
                               "SyncReplicasOptimizer local_init. Init op: "
                               f"{self._local_init_op.name}, error: {message}")
        session.run(self._local_init_op)
        if self._init_tokens_op is not None:
            session.run(self._init_tokens_op)
        if self._q_runner is not None:
            self._q_runner.create_threads(session, coord=coord, daemon=True, start=True)
