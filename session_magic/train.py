"""`sm.train`: TF 1's optimizers, global step and learning-rate decay (checkpoints come from
saver.py and are re-exported here, as `tf.train.Saver`; schedules from learning_rate_decay.py and
ExponentialMovingAverage from moving_averages.py).

An optimizer's update of one variable is TF's one training op (ApplyAdam, SparseApplyMomentum...,
see ops/training_ops.py), so a training step is drawn and run like any other op. Slot variables
are real, non-trainable Variables named as TF names them (`w/Adam`, `w/Adam_1`).
"""
from __future__ import annotations

from typing import Any, Callable, Optional, Sequence

from . import dtypes as d
from . import initializers, nest
from .gradients import gradients
from .graph import Graph, GraphKeys, Operation, Tensor, get_default_graph
from .initializers import zeros_initializer
from .learning_rate_decay import (cosine_decay, cosine_decay_restarts,  # noqa: F401
                                  exponential_decay, inverse_time_decay, linear_cosine_decay,
                                  natural_exp_decay, piecewise_constant, polynomial_decay)
from .moving_averages import ExponentialMovingAverage  # noqa: F401
from .ops import array_ops, math_ops, state_ops, training_ops
from .ops.control_flow_ops import group
from .ops.control_flow_ops import tuple as tuple_after_all
from .ops.conversion import convert_to_tensor
from .ops.indexed_slices import IndexedSlices
from .saver import (CheckpointState, Saver, checkpoint_exists, get_checkpoint_state,  # noqa: F401
                    latest_checkpoint, list_variables, load_variable)
from .saver import NewCheckpointReader, load_checkpoint  # noqa: F401
from .tensor_shape import as_dims
from .variables import Variable, get_variable

__all__ = [
    "Optimizer", "GradientDescentOptimizer", "MomentumOptimizer", "AdagradOptimizer",
    "RMSPropOptimizer", "AdamOptimizer", "AdadeltaOptimizer", "FtrlOptimizer",
    "ProximalGradientDescentOptimizer", "ProximalAdagradOptimizer", "create_global_step",
    "get_global_step",
    "get_or_create_global_step", "global_step", "assert_global_step", "exponential_decay",
    "piecewise_constant", "polynomial_decay", "natural_exp_decay", "inverse_time_decay",
    "cosine_decay", "cosine_decay_restarts", "linear_cosine_decay", "ExponentialMovingAverage",
    "Saver", "CheckpointState", "get_checkpoint_state", "latest_checkpoint",
    "checkpoint_exists", "list_variables", "load_variable",
    "load_checkpoint", "NewCheckpointReader", "write_graph", "export_meta_graph",
    "import_meta_graph", "summary_iterator",
]


# --- global step -------------------------------------------------------------------------------

def get_global_step(graph: Optional[Graph] = None) -> Any:
    """The graph's global step variable (GLOBAL_STEP collection, else `global_step:0`), or None."""
    graph = graph or get_default_graph()
    found = graph.get_collection(GraphKeys.GLOBAL_STEP)
    if len(found) > 1:
        return None  # NOTE: TF logs "Multiple tensors in global_step collection." and gives up.
    if not found:
        try:
            found = [graph.get_tensor_by_name("global_step:0")]
        except (KeyError, ValueError):
            return None
    assert_global_step(found[0])
    return found[0]


def assert_global_step(global_step_tensor: Any) -> None:
    """TypeError unless `global_step_tensor` is an integer scalar Variable or Tensor."""
    if not isinstance(global_step_tensor, (Variable, Tensor)):
        raise TypeError('Existing "global_step" must be a Variable or Tensor: '
                        f"{global_step_tensor}.")
    if not global_step_tensor.dtype.is_integer:
        raise TypeError('Existing "global_step" does not have integer type: '
                        f"{global_step_tensor.dtype}")
    if global_step_tensor.shape.ndims not in (0, None):
        raise TypeError(f'Existing "global_step" is not scalar: {global_step_tensor.shape}')


def create_global_step(graph: Optional[Graph] = None) -> Variable:
    """A new int64 scalar variable `global_step` (zero, not trainable) in GLOBAL_STEP."""
    graph = graph or get_default_graph()
    if get_global_step(graph) is not None:
        raise ValueError('"global_step" already exists.')
    with graph.as_default(), graph.name_scope(None):
        return get_variable(GraphKeys.GLOBAL_STEP, shape=[], dtype=d.int64,
                            initializer=zeros_initializer(), trainable=False,
                            collections=[GraphKeys.GLOBAL_VARIABLES, GraphKeys.GLOBAL_STEP])


def get_or_create_global_step(graph: Optional[Graph] = None) -> Any:
    """The graph's global step, created first if it has none."""
    graph = graph or get_default_graph()
    found = get_global_step(graph)
    return found if found is not None else create_global_step(graph)


def global_step(sess: Any, global_step_tensor: Any) -> int:
    """The value of `global_step_tensor` in `sess`, as a Python int."""
    return int(sess.run(global_step_tensor))


# --- optimizers ----------------------------------------------------------------------------------

def _var_list_arg(var_list: Any) -> list:
    """`var_list` as TF takes it: a variable, or any iterable of them (a list, `dict.values()`,
    a generator), nested lists flattened; anything else is refused, naming `var_list`."""
    if isinstance(var_list, Variable):
        return [var_list]
    if isinstance(var_list, (str, bytes, Tensor)) or not hasattr(var_list, "__iter__"):
        raise TypeError(f"var_list must be a list (or other iterable) of Variables, got "
                        f"{var_list!r}")
    flat = nest.flatten(list(var_list))
    for item in flat:
        if not isinstance(item, Variable):
            raise TypeError(f"var_list must hold only Variables, but it holds {item!r} of type "
                            f"{type(item).__name__}")
    return flat


_TRAINABLE_DTYPES = (d.float16, d.float32, d.float64)


class Optimizer:
    """Base of TF 1's optimizers: `minimize` = `compute_gradients` + `apply_gradients`.

    Subclasses declare their slots in `_create_slots`, turn hyperparameters into tensors in
    `_prepare`, and build one variable's update in `_apply_dense` (and may extend `_finish`).
    """

    GATE_NONE, GATE_OP, GATE_GRAPH = 0, 1, 2

    def __init__(self, use_locking: bool, name: str) -> None:
        if not name:
            raise ValueError("Must specify the optimizer name")
        self._use_locking = use_locking
        self._name = name
        self._slots: dict[str, dict[Variable, Variable]] = {}
        self._non_slots: dict[tuple[str, Graph], Variable] = {}

    def get_name(self) -> str:
        return self._name

    def minimize(self, loss: Any, global_step: Any = None, var_list: Any = None,
                 gate_gradients: int = GATE_OP, aggregation_method: Any = None,
                 colocate_gradients_with_ops: bool = False, name: Optional[str] = None,
                 grad_loss: Any = None) -> Operation:
        """An op that takes one step down the gradient of `loss` (and increments global_step)."""
        grads_and_vars = self.compute_gradients(
            loss, var_list, gate_gradients, aggregation_method, colocate_gradients_with_ops,
            grad_loss)
        if all(grad is None for grad, _ in grads_and_vars):
            raise ValueError(
                "No gradients provided for any variable, check your graph for ops that do not "
                "support gradients, between variables "
                f"{[str(v) for _, v in grads_and_vars]} and loss {loss}.")
        return self.apply_gradients(grads_and_vars, global_step=global_step, name=name)

    def compute_gradients(self, loss: Any, var_list: Any = None, gate_gradients: int = GATE_OP,
                          aggregation_method: Any = None,
                          colocate_gradients_with_ops: bool = False,
                          grad_loss: Any = None) -> list:
        """[(gradient or None, variable)] for `var_list` (default: the trainable variables)."""
        if callable(loss) and not isinstance(loss, (Tensor, Variable)):
            loss = loss()
        loss = convert_to_tensor(loss)
        _check_trainable_dtypes([loss])
        if var_list is None:
            var_list = loss.graph.get_collection(GraphKeys.TRAINABLE_VARIABLES)
        var_list = _var_list_arg(var_list)
        if not var_list:
            raise ValueError("No variables to optimize.")
        grads = gradients(loss, var_list, grad_ys=grad_loss,
                          gate_gradients=gate_gradients == self.GATE_OP,
                          aggregation_method=aggregation_method,
                          colocate_gradients_with_ops=colocate_gradients_with_ops)
        if gate_gradients == self.GATE_GRAPH:
            grads = tuple_after_all(grads)
        grads_and_vars = list(zip(grads, var_list, strict=True))
        _check_trainable_dtypes([v for g, v in grads_and_vars if g is not None])
        return grads_and_vars

    def apply_gradients(self, grads_and_vars: Any, global_step: Any = None,
                        name: Optional[str] = None) -> Operation:
        """An op applying each gradient to its variable, then incrementing `global_step`."""
        pairs = _checked_pairs(grads_and_vars)
        var_list = [v for g, v in pairs if g is not None]
        if not var_list:
            raise ValueError("No gradients provided for any variable: "
                             f"{[str(v) for _, v in pairs]}.")
        graph = var_list[0].graph
        with graph.as_default():
            with graph.control_dependencies(None):
                self._create_slots(var_list)
            with graph.name_scope(name or self._name) as scope:
                self._prepare()
                updates = [self._update(graph, grad, var) for grad, var in pairs
                           if grad is not None]
                train_op = self._step(updates, scope, global_step)
        if train_op not in graph.get_collection(GraphKeys.TRAIN_OP):
            graph.add_to_collection(GraphKeys.TRAIN_OP, train_op)
        return train_op

    def _update(self, graph: Graph, grad: Any, var: Variable) -> Operation:
        # NOTE: TF colocates every op of an update with its variable (its ps task)
        with graph.name_scope("update_" + var.op.name), graph.colocate_with(var):
            if isinstance(grad, IndexedSlices):
                return self._apply_sparse_duplicate_indices(grad, var)
            return self._apply_dense(grad, var)

    def _apply_sparse_duplicate_indices(self, grad: IndexedSlices, var: Variable) -> Operation:
        """TF's step before a sparse update: rows named more than once are summed."""
        unique_indices, positions = array_ops.unique(grad.indices)
        summed = array_ops.unsorted_segment_sum(grad.values, positions,
                                                array_ops.shape(unique_indices)[0])
        return self._apply_sparse(IndexedSlices(summed, unique_indices, grad.dense_shape), var)

    def _apply_sparse(self, grad: IndexedSlices, var: Variable) -> Operation:
        """Rows of a gradient (an IndexedSlices); by default applied as a dense gradient."""
        return self._apply_dense(convert_to_tensor(grad), var)

    def _step(self, updates: list, scope: str, global_step: Any) -> Operation:
        if global_step is None:
            return self._finish(updates, scope)
        graph = get_default_graph()
        with graph.control_dependencies([self._finish(updates, "update")]):
            with graph.colocate_with(global_step):
                return state_ops.assign_add(global_step, 1, name=scope).op

    # --- slots (TF 1's protected names: custom optimizers written for TF call them) -------------

    def get_slot(self, var: Variable, name: str) -> Optional[Variable]:
        """The slot variable `name` (e.g. "m", "momentum") kept for `var`, or None."""
        return self._slots.get(name, {}).get(var)

    def get_slot_names(self) -> list:
        return sorted(self._slots)

    def variables(self) -> list:
        """The optimizer's own variables in the default graph (slots, Adam's beta powers)."""
        graph = get_default_graph()
        found = [v for (_, g), v in self._non_slots.items() if g is graph]
        found += [v for slots in self._slots.values() for v in slots.values() if v.graph is graph]
        return sorted(found, key=lambda v: v.name)

    def _slot_dict(self, slot_name: str) -> dict:
        return self._slots.setdefault(slot_name, {})

    def _get_or_make_slot(self, var: Variable, val: Any, slot_name: str,
                          op_name: str) -> Variable:
        """The slot `slot_name` of `var`, made first (initial value `val`) if it is new."""
        slots = self._slot_dict(slot_name)
        if var not in slots:
            slots[var] = _slot_variable(var, val, op_name)
        return slots[var]

    def _get_or_make_slot_with_initializer(self, var: Variable, initializer: Any, shape: Any,
                                           dtype: Any, slot_name: str, op_name: str) -> Variable:
        dims = list(as_dims(shape))
        return self._get_or_make_slot(var, lambda: initializer(dims, dtype=dtype), slot_name,
                                      op_name)

    def _zeros_slot(self, var: Variable, slot_name: str, op_name: str) -> Variable:
        return self._get_or_make_slot(var, _filled_like(var, 0), slot_name, op_name)

    def _create_non_slot_variable(self, initial_value: Any, name: str,
                                  colocate_with: Variable) -> Variable:
        """A variable of the optimizer itself (one per graph), like Adam's `beta1_power`."""
        graph = colocate_with.graph
        if (name, graph) not in self._non_slots:
            with graph.as_default(), graph.control_dependencies(None), \
                    graph.colocate_with(colocate_with):
                variable = Variable(initial_value, name=name, trainable=False)
            self._non_slots[(name, graph)] = variable
        return self._non_slots[(name, graph)]

    def _get_non_slot_variable(self, name: str, graph: Optional[Graph] = None) -> Any:
        return self._non_slots.get((name, graph or get_default_graph()))

    def _hyper(self, value: Any, name: str) -> Tensor:
        value = value() if callable(value) and not isinstance(value, (Tensor, Variable)) else value
        return convert_to_tensor(value, name=name)

    # --- what subclasses define ------------------------------------------------------------------

    def _create_slots(self, var_list: list) -> None:
        pass

    def _prepare(self) -> None:
        pass

    def _apply_dense(self, grad: Tensor, var: Variable) -> Operation:
        raise NotImplementedError

    def _finish(self, update_ops: list, name_scope: str) -> Operation:
        return group(*update_ops, name=name_scope)


def _check_trainable_dtypes(items: Sequence[Any]) -> None:
    for item in items:
        if item.dtype not in _TRAINABLE_DTYPES:
            raise ValueError(f"Invalid type {item.dtype!r} for {item.name}, expected: "
                             f"{list(_TRAINABLE_DTYPES)}.")


def _checked_pairs(grads_and_vars: Any) -> list:
    pairs = list(grads_and_vars)
    if not pairs:
        raise ValueError("No variables provided.")
    checked = []
    for grad, var in pairs:
        if not isinstance(var, Variable):
            raise NotImplementedError(f"Trying to optimize unsupported type {var!r}")
        if grad is not None and not isinstance(grad, IndexedSlices):
            try:
                grad = convert_to_tensor(grad)
            except (TypeError, ValueError):
                raise TypeError("Gradient must be convertible to a Tensor or IndexedSlices, or "
                                f"None: {grad}") from None
        checked.append((grad, var))
    return checked


def _filled_like(var: Variable, value: float) -> Callable[[], Tensor]:
    """A deferred initial value: `value` in the shape of `var` (TF's zeros/ones op names)."""
    dims, dtype = var._variable._dims, var.dtype
    if dims is None or None in dims:
        return lambda: array_ops.fill(array_ops.shape(var.initial_value),
                                      convert_to_tensor(value, dtype))
    kind = {0: initializers.zeros_initializer, 1: initializers.ones_initializer}.get(value)
    initializer = kind() if kind else initializers.constant_initializer(value)
    return lambda: initializer(list(dims), dtype=dtype)


def _slot_variable(var: Variable, initial_value: Any, op_name: str) -> Variable:
    """A non-trainable variable next to `var`, named `<var>/<op_name>` (then `_1`, `_2`...),
    outside any name scope or control dependencies in effect."""
    graph, dims = var.graph, var._variable._dims
    dtype = var.dtype if callable(initial_value) else None
    with graph.as_default(), graph.name_scope(None), graph.control_dependencies(None), \
            graph.colocate_with(var):
        return Variable(initial_value, trainable=False, name=f"{var.op.name}/{op_name}",
                        dtype=dtype, validate_shape=dims is not None and None not in dims)


def _as(value: Tensor, var: Variable) -> Tensor:
    """A hyperparameter in the variable's dtype (TF casts each one per update)."""
    return math_ops.cast(value, var.dtype)


class GradientDescentOptimizer(Optimizer):
    """`var -= learning_rate * grad` (TF's ApplyGradientDescent)."""

    def __init__(self, learning_rate: Any, use_locking: bool = False,
                 name: str = "GradientDescent") -> None:
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate

    def _prepare(self) -> None:
        self._learning_rate_tensor = self._hyper(self._learning_rate, "learning_rate")

    def _apply_dense(self, grad: Tensor, var: Variable) -> Operation:
        lr = _as(self._learning_rate_tensor, var)
        return training_ops.apply_gradient_descent(var, lr, grad).op

    def _apply_sparse_duplicate_indices(self, grad: IndexedSlices, var: Variable) -> Operation:
        # NOTE: as TF: a scatter_sub sums repeated rows itself, so no deduplication first
        lr = _as(self._learning_rate_tensor, var)
        return state_ops.scatter_sub(var, grad.indices, grad.values * lr).op


class MomentumOptimizer(Optimizer):
    """`accum = momentum * accum + grad; var -= lr * accum` (Nesterov: `lr * (grad + momentum *
    accum)`), TF's ApplyMomentum."""

    def __init__(self, learning_rate: Any, momentum: Any, use_locking: bool = False,
                 name: str = "Momentum", use_nesterov: bool = False) -> None:
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._momentum = momentum
        self._use_nesterov = use_nesterov

    def _create_slots(self, var_list: list) -> None:
        for var in var_list:
            self._zeros_slot(var, "momentum", self._name)

    def _prepare(self) -> None:
        self._learning_rate_tensor = self._hyper(self._learning_rate, "learning_rate")
        self._momentum_tensor = self._hyper(self._momentum, "momentum")

    def _apply_dense(self, grad: Tensor, var: Variable) -> Operation:
        return training_ops.apply_momentum(
            var, self.get_slot(var, "momentum"), _as(self._learning_rate_tensor, var), grad,
            _as(self._momentum_tensor, var), use_nesterov=self._use_nesterov).op

    def _apply_sparse(self, grad: IndexedSlices, var: Variable) -> Operation:
        return training_ops.sparse_apply_momentum(
            var, self.get_slot(var, "momentum"), _as(self._learning_rate_tensor, var),
            grad.values, grad.indices, _as(self._momentum_tensor, var),
            use_nesterov=self._use_nesterov).op


class AdagradOptimizer(Optimizer):
    """`accum += grad**2; var -= lr * grad / sqrt(accum)`, TF's ApplyAdagrad."""

    def __init__(self, learning_rate: Any, initial_accumulator_value: float = 0.1,
                 use_locking: bool = False, name: str = "Adagrad") -> None:
        if initial_accumulator_value <= 0.0:
            raise ValueError("initial_accumulator_value must be positive: "
                             f"{initial_accumulator_value}")
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._initial_accumulator_value = initial_accumulator_value

    def _create_slots(self, var_list: list) -> None:
        for var in var_list:
            accumulator = _filled_like(var, self._initial_accumulator_value)
            self._get_or_make_slot(var, accumulator, "accumulator", self._name)

    def _prepare(self) -> None:
        self._learning_rate_tensor = self._hyper(self._learning_rate, "learning_rate")

    def _apply_dense(self, grad: Tensor, var: Variable) -> Operation:
        return training_ops.apply_adagrad(var, self.get_slot(var, "accumulator"),
                                          _as(self._learning_rate_tensor, var), grad).op

    def _apply_sparse(self, grad: IndexedSlices, var: Variable) -> Operation:
        return training_ops.sparse_apply_adagrad(
            var, self.get_slot(var, "accumulator"), _as(self._learning_rate_tensor, var),
            grad.values, grad.indices).op


class _Proximal(Optimizer):
    """The learning rate and the l1 and l2 strengths both proximal optimizers pass their op."""

    def _prepare(self) -> None:
        self._learning_rate_tensor = self._hyper(self._learning_rate, "learning_rate")
        self._l1_tensor = self._hyper(self._l1, "l1_regularization_strength")
        self._l2_tensor = self._hyper(self._l2, "l2_regularization_strength")

    def _hyperparameters(self, var: Variable) -> list:
        return [_as(t, var) for t in (self._learning_rate_tensor, self._l1_tensor,
                                      self._l2_tensor)]


class ProximalAdagradOptimizer(_Proximal):
    """Adagrad's step, then the proximal step of l1 and l2 penalties (TF's ApplyProximalAdagrad):
    weights the l1 penalty pulls past zero stay at zero."""

    def __init__(self, learning_rate: Any, initial_accumulator_value: float = 0.1,
                 l1_regularization_strength: float = 0.0,
                 l2_regularization_strength: float = 0.0, use_locking: bool = False,
                 name: str = "ProximalAdagrad") -> None:
        if initial_accumulator_value <= 0.0:
            raise ValueError("initial_accumulator_value must be positive: "
                             f"{initial_accumulator_value}")
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._initial_accumulator_value = initial_accumulator_value
        self._l1, self._l2 = l1_regularization_strength, l2_regularization_strength

    def _create_slots(self, var_list: list) -> None:
        for var in var_list:
            accumulator = _filled_like(var, self._initial_accumulator_value)
            self._get_or_make_slot(var, accumulator, "accumulator", self._name)

    def _apply_dense(self, grad: Tensor, var: Variable) -> Operation:
        return training_ops.apply_proximal_adagrad(
            var, self.get_slot(var, "accumulator"), *self._hyperparameters(var), grad).op

    def _apply_sparse(self, grad: IndexedSlices, var: Variable) -> Operation:
        return training_ops.sparse_apply_proximal_adagrad(
            var, self.get_slot(var, "accumulator"), *self._hyperparameters(var), grad.values,
            grad.indices).op


class ProximalGradientDescentOptimizer(_Proximal):
    """A gradient step, then the proximal step of l1 and l2 penalties (TF's
    ApplyProximalGradientDescent)."""

    def __init__(self, learning_rate: Any, l1_regularization_strength: float = 0.0,
                 l2_regularization_strength: float = 0.0, use_locking: bool = False,
                 name: str = "ProximalGradientDescent") -> None:
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._l1, self._l2 = l1_regularization_strength, l2_regularization_strength

    def _apply_dense(self, grad: Tensor, var: Variable) -> Operation:
        return training_ops.apply_proximal_gradient_descent(
            var, *self._hyperparameters(var), grad).op

    def _apply_sparse(self, grad: IndexedSlices, var: Variable) -> Operation:
        return training_ops.sparse_apply_proximal_gradient_descent(
            var, *self._hyperparameters(var), grad.values, grad.indices).op


class AdadeltaOptimizer(Optimizer):
    """Adadelta (TF's ApplyAdadelta): running averages of squared gradients (`accum`) and of
    squared updates (`accum_update`) scale each step."""

    def __init__(self, learning_rate: Any = 0.001, rho: Any = 0.95, epsilon: Any = 1e-8,
                 use_locking: bool = False, name: str = "Adadelta") -> None:
        super().__init__(use_locking, name)
        self._lr, self._rho, self._epsilon = learning_rate, rho, epsilon

    def _create_slots(self, var_list: list) -> None:
        for var in var_list:
            self._zeros_slot(var, "accum", self._name)
            self._zeros_slot(var, "accum_update", self._name)

    def _prepare(self) -> None:
        self._lr_t = self._hyper(self._lr, "lr")
        self._rho_t = self._hyper(self._rho, "rho")
        self._epsilon_t = self._hyper(self._epsilon, "epsilon")

    def _arguments(self, var: Variable) -> list:
        slots = [self.get_slot(var, "accum"), self.get_slot(var, "accum_update")]
        return [var, *slots, *[_as(t, var) for t in (self._lr_t, self._rho_t, self._epsilon_t)]]

    def _apply_dense(self, grad: Tensor, var: Variable) -> Operation:
        return training_ops.apply_adadelta(*self._arguments(var), grad).op

    def _apply_sparse(self, grad: IndexedSlices, var: Variable) -> Operation:
        return training_ops.sparse_apply_adadelta(*self._arguments(var), grad.values,
                                                  grad.indices).op


class RMSPropOptimizer(Optimizer):
    """TF's ApplyRMSProp: `ms += (grad**2 - ms) * (1 - decay); mom = momentum * mom + lr * grad
    / sqrt(ms + epsilon); var -= mom` (centered, ApplyCenteredRMSProp: `ms - mg**2` under the
    root). `ms` starts at 1."""

    def __init__(self, learning_rate: Any, decay: float = 0.9, momentum: float = 0.0,
                 epsilon: float = 1e-10, use_locking: bool = False, centered: bool = False,
                 name: str = "RMSProp") -> None:
        super().__init__(use_locking, name)
        self._learning_rate, self._decay = learning_rate, decay
        self._momentum, self._epsilon = momentum, epsilon
        self._centered = centered

    def _create_slots(self, var_list: list) -> None:
        for var in var_list:
            self._get_or_make_slot(var, _filled_like(var, 1), "rms", self._name)
            if self._centered:
                self._zeros_slot(var, "mg", self._name)
            self._zeros_slot(var, "momentum", self._name)

    def _prepare(self) -> None:
        self._learning_rate_tensor = self._hyper(self._learning_rate, "learning_rate")
        self._decay_tensor = self._hyper(self._decay, "decay")
        self._momentum_tensor = self._hyper(self._momentum, "momentum")
        self._epsilon_tensor = self._hyper(self._epsilon, "epsilon")

    def _arguments(self, var: Variable) -> list:
        names = ("mg", "rms", "momentum") if self._centered else ("rms", "momentum")
        hyper = [_as(t, var) for t in (self._learning_rate_tensor, self._decay_tensor,
                                       self._momentum_tensor, self._epsilon_tensor)]
        return [var, *[self.get_slot(var, name) for name in names], *hyper]

    def _apply_dense(self, grad: Tensor, var: Variable) -> Operation:
        apply = training_ops.apply_centered_rms_prop if self._centered else \
            training_ops.apply_rms_prop
        return apply(*self._arguments(var), grad).op

    def _apply_sparse(self, grad: IndexedSlices, var: Variable) -> Operation:
        apply = training_ops.sparse_apply_centered_rms_prop if self._centered else \
            training_ops.sparse_apply_rms_prop
        return apply(*self._arguments(var), grad.values, grad.indices).op


class AdamOptimizer(Optimizer):
    """TF 1's Adam (ApplyAdam): `lr_t = lr * sqrt(1 - beta2**t) / (1 - beta1**t)`, `m` and `v`
    moving averages, `var -= lr_t * m / (sqrt(v) + epsilon)`; `beta1_power`/`beta2_power` hold
    `beta**t` and advance after every step."""

    def __init__(self, learning_rate: Any = 0.001, beta1: float = 0.9, beta2: float = 0.999,
                 epsilon: float = 1e-08, use_locking: bool = False, name: str = "Adam") -> None:
        super().__init__(use_locking, name)
        self._lr, self._beta1, self._beta2, self._epsilon = learning_rate, beta1, beta2, epsilon

    def _get_beta_accumulators(self) -> tuple[Variable, Variable]:
        return self._get_non_slot_variable("beta1_power"), \
            self._get_non_slot_variable("beta2_power")

    def _create_slots(self, var_list: list) -> None:
        first = min(var_list, key=lambda v: v.name)
        self._create_non_slot_variable(self._beta1, "beta1_power", first)
        self._create_non_slot_variable(self._beta2, "beta2_power", first)
        for var in var_list:
            self._zeros_slot(var, "m", self._name)
            self._zeros_slot(var, "v", self._name)

    def _prepare(self) -> None:
        self._lr_t = self._hyper(self._lr, "learning_rate")
        self._beta1_t = self._hyper(self._beta1, "beta1")
        self._beta2_t = self._hyper(self._beta2, "beta2")
        self._epsilon_t = self._hyper(self._epsilon, "epsilon")

    def _apply_dense(self, grad: Tensor, var: Variable) -> Operation:
        beta1_power, beta2_power = (_as(p, var) for p in self._get_beta_accumulators())
        return training_ops.apply_adam(
            var, self.get_slot(var, "m"), self.get_slot(var, "v"), beta1_power, beta2_power,
            *[_as(t, var) for t in (self._lr_t, self._beta1_t, self._beta2_t, self._epsilon_t)],
            grad).op

    def _apply_sparse(self, grad: IndexedSlices, var: Variable) -> Operation:
        """TF 1's sparse Adam (TF has no SparseApplyAdam): both moments decay on every row, the
        batch's rows are added to them, and every row whose moment is not zero moves."""
        beta1_power, beta2_power = (_as(p, var) for p in self._get_beta_accumulators())
        beta1, beta2 = _as(self._beta1_t, var), _as(self._beta2_t, var)
        alpha = _as(self._lr_t, var) * math_ops.sqrt(1.0 - beta2_power) / (1.0 - beta1_power)
        m, v = self.get_slot(var, "m"), self.get_slot(var, "v")
        m_t = state_ops.assign(m, m * beta1)
        with get_default_graph().control_dependencies([m_t]):
            m_t = state_ops.scatter_add(m, grad.indices, grad.values * (1.0 - beta1))
        v_t = state_ops.assign(v, v * beta2)
        with get_default_graph().control_dependencies([v_t]):
            v_t = state_ops.scatter_add(v, grad.indices,
                                        math_ops.square(grad.values) * (1.0 - beta2))
        step = m_t * alpha / (math_ops.sqrt(v_t) + _as(self._epsilon_t, var))
        return group(state_ops.assign_sub(var, step), m_t, v_t)

    def _finish(self, update_ops: list, name_scope: str) -> Operation:
        beta1_power, beta2_power = self._get_beta_accumulators()
        graph = get_default_graph()
        with graph.control_dependencies(update_ops), graph.colocate_with(beta1_power):
            update_beta1 = state_ops.assign(beta1_power, beta1_power * self._beta1_t)
            update_beta2 = state_ops.assign(beta2_power, beta2_power * self._beta2_t)
        return group(*update_ops, update_beta1, update_beta2, name=name_scope)


class FtrlOptimizer(Optimizer):
    """FTRL-Proximal (TF's ApplyFtrl; ApplyFtrlV2 with an l2 shrinkage): slots `accum` (squared
    gradients, from `initial_accumulator_value`) and `linear`."""

    def __init__(self, learning_rate: Any, learning_rate_power: float = -0.5,
                 initial_accumulator_value: float = 0.1,
                 l1_regularization_strength: float = 0.0,
                 l2_regularization_strength: float = 0.0, use_locking: bool = False,
                 name: str = "Ftrl", accum_name: Optional[str] = None,
                 linear_name: Optional[str] = None,
                 l2_shrinkage_regularization_strength: float = 0.0,
                 beta: Optional[float] = None) -> None:
        super().__init__(use_locking, name)
        _check_ftrl_arguments(learning_rate_power, initial_accumulator_value,
                              l1_regularization_strength, l2_regularization_strength,
                              l2_shrinkage_regularization_strength)
        self._learning_rate, self._learning_rate_power = learning_rate, learning_rate_power
        self._initial_accumulator_value = initial_accumulator_value
        self._l1, self._l2 = l1_regularization_strength, l2_regularization_strength
        self._l2_shrinkage = l2_shrinkage_regularization_strength
        self._beta = 0.0 if beta is None else beta
        self._accum_name, self._linear_name = accum_name, linear_name

    def _create_slots(self, var_list: list) -> None:
        for var in var_list:
            accumulator = _filled_like(var, self._initial_accumulator_value)
            self._get_or_make_slot(var, accumulator, "accum", self._accum_name or self._name)
            self._zeros_slot(var, "linear", self._linear_name or self._name)

    def _prepare(self) -> None:
        self._learning_rate_tensor = self._hyper(self._learning_rate, "learning_rate")
        self._l1_tensor = self._hyper(self._l1, "l1_regularization_strength")
        adjusted: Any = self._l2
        if self._beta:  # NOTE: as TF: beta enters as an l2 strength of beta / (2 * lr)
            lowest = math_ops.maximum(self._learning_rate_tensor, 1e-36)
            adjusted = self._l2 + self._beta / (2.0 * lowest)
        self._l2_tensor = self._hyper(adjusted, "adjusted_l2_regularization_strength")
        self._l2_shrinkage_tensor = self._hyper(self._l2_shrinkage,
                                                "l2_shrinkage_regularization_strength")
        self._learning_rate_power_tensor = self._hyper(self._learning_rate_power,
                                                       "learning_rate_power")

    def _hyperparameters(self, var: Variable) -> list:
        tensors = [self._learning_rate_tensor, self._l1_tensor, self._l2_tensor]
        if self._l2_shrinkage > 0:
            tensors.append(self._l2_shrinkage_tensor)
        return [_as(t, var) for t in (*tensors, self._learning_rate_power_tensor)]

    def _apply_dense(self, grad: Tensor, var: Variable) -> Operation:
        apply = training_ops.apply_ftrl_v2 if self._l2_shrinkage > 0 else training_ops.apply_ftrl
        return apply(var, self.get_slot(var, "accum"), self.get_slot(var, "linear"), grad,
                     *self._hyperparameters(var)).op

    def _apply_sparse(self, grad: IndexedSlices, var: Variable) -> Operation:
        apply = training_ops.sparse_apply_ftrl_v2 if self._l2_shrinkage > 0 else \
            training_ops.sparse_apply_ftrl
        return apply(var, self.get_slot(var, "accum"), self.get_slot(var, "linear"),
                     grad.values, grad.indices, *self._hyperparameters(var)).op


def _check_ftrl_arguments(learning_rate_power: float, initial_accumulator_value: float,
                          l1: float, l2: float, l2_shrinkage: float) -> None:
    """TF's ValueErrors for FtrlOptimizer's arguments, each naming the argument."""
    if initial_accumulator_value < 0.0:
        raise ValueError(f"initial_accumulator_value {initial_accumulator_value} needs to be "
                         "positive or zero")
    if learning_rate_power > 0.0:
        raise ValueError(f"learning_rate_power {learning_rate_power} needs to be negative or "
                         "zero")
    if l1 < 0.0:
        raise ValueError(f"l1_regularization_strength {l1} needs to be positive or zero")
    if l2 < 0.0:
        raise ValueError(f"l2_regularization_strength {l2} needs to be positive or zero")
    if l2_shrinkage < 0.0:
        raise ValueError(f"l2_shrinkage_regularization_strength {l2_shrinkage} needs to be "
                         "positive or zero")


# --- GraphDef and meta graph files (interop/, loaded on first use) -----------------------------

def write_graph(graph_or_graph_def: Any, logdir: str, name: str, as_text: bool = True) -> str:
    """`tf.train.write_graph`: a GraphDef file, text (`.pbtxt`) or binary (`.pb`)."""
    from .interop.graph_def import write_graph as write  # NOTE: lazy: loads the protobuf codec
    return write(graph_or_graph_def, logdir, name, as_text)


def export_meta_graph(filename: Optional[str] = None, **kwargs: Any) -> Any:
    """`tf.train.export_meta_graph`: the graph's MetaGraphDef (GraphDef and collections)."""
    from .interop.meta_graph import export_meta_graph as export  # NOTE: lazy, as above
    return export(filename, **kwargs)


def import_meta_graph(meta_graph_or_file: Any, clear_devices: bool = False,
                      import_scope: Optional[str] = None, **kwargs: Any) -> Any:
    """`tf.train.import_meta_graph`: rebuild a MetaGraphDef's graph; a Saver of its variables."""
    from .interop.meta_graph import import_meta_graph as load  # NOTE: lazy, as above
    return load(meta_graph_or_file, clear_devices, import_scope, **kwargs)


def summary_iterator(path: str) -> Any:
    """`tf.train.summary_iterator`: the Event protos of a TensorBoard event file, in order
    (every record's CRC checked: a damaged file raises DataLossError)."""
    from . import errors, proto  # NOTE: lazy: loads the protobuf codec
    from .interop.event_writer import read_tfrecords  # NOTE: lazy, as above
    try:
        payloads = read_tfrecords(path)
    except ValueError as problem:
        raise errors.DataLossError(None, None, str(problem)) from None
    return iter([proto.Event.FromString(payload) for payload in payloads])


_EXAMPLE_PROTOS = ("Example", "Features", "Feature", "BytesList", "FloatList", "Int64List",
                   "SequenceExample", "FeatureList", "FeatureLists")


# NOTE: issue 17's managed sessions, hooks, Supervisor and SyncReplicasOptimizer: name -> module
_MANAGED = {
    **{name: "hooks" for name in (
        "SessionRunHook", "SessionRunArgs", "SessionRunContext", "SessionRunValues",
        "SecondOrStepTimer", "StopAtStepHook", "CheckpointSaverListener", "CheckpointSaverHook",
        "StepCounterHook", "NanLossDuringTrainingError", "NanTensorHook", "SummarySaverHook",
        "LoggingTensorHook", "GlobalStepWaiterHook", "FinalOpsHook", "FeedFnHook")},
    **{name: "monitored_session" for name in (
        "Scaffold", "SessionManager", "SessionCreator", "ChiefSessionCreator",
        "WorkerSessionCreator", "MonitoredSession", "SingularMonitoredSession",
        "MonitoredTrainingSession")},
    "Supervisor": "supervisor",
    "SyncReplicasOptimizer": "sync_replicas",
    "Server": "distributed.server",  # NOTE: dask itself loads when a server starts
}


def __getattr__(name: str) -> Any:
    """`tf.train.Example` and its parts: the protobuf codec's classes, loaded on first use; the
    managed-session names of `_MANAGED`, likewise."""
    if name in _EXAMPLE_PROTOS:
        from . import proto  # NOTE: lazy: the codec loads only when an Example is built
        return getattr(proto, name)
    if name in _MANAGED:
        import importlib  # NOTE: lazy, as above
        return getattr(importlib.import_module(f"{__package__}.{_MANAGED[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
from .input_pipeline import Coordinator, LooperThread, QueueRunner, add_queue_runner, batch, batch_join, input_producer, limit_epochs, range_input_producer, shuffle_batch, shuffle_batch_join, slice_input_producer, start_queue_runners, string_input_producer  # noqa: E402,F401,E501  (issue 15's queue pipeline)
from .cluster import ClusterSpec, replica_device_setter  # noqa: E402,F401  (issue 17's placement)
