"""`tf.layers.Layer`: TF 1's layer base. A layer owns a variable scope (`dense`, `dense_1`, ...)
opened on its first call; later calls re-enter it, so one layer object shares its variables.
Regularization losses go to `REGULARIZATION_LOSSES`, update ops to `UPDATE_OPS`.
"""
from __future__ import annotations

import re
from typing import Any, Callable, Optional

from .. import dtypes as d
from ..graph import GraphKeys, Tensor, add_to_collection, name_scope
from ..initializers import Ones, Zeros
from ..ops.array_ops import shape as _shape
from ..ops.conversion import convert_to_tensor
from ..ops.functional import cond
from ..ops.math_ops import cast
from ..variables import Variable, get_variable, global_variables, variable_scope

__all__ = ["Layer", "InputSpec"]

ZEROS, ONES = Zeros(), Ones()  # NOTE: TF's default initializer arguments (stateless objects)


def _snake_case(name: str) -> str:
    """Keras's rule: `Conv2DTranspose` -> `conv2d_transpose`, `MaxPooling2D` -> `max_pooling2d`."""
    name = re.sub("(.)([A-Z][a-z0-9]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def tuple_arg(value: Any, rank: int, what: str) -> tuple:
    """An int or a sequence of `rank` ints (kernel_size, strides, pool_size...) as a tuple."""
    if isinstance(value, int):
        return (value,) * rank
    value = tuple(value)
    if len(value) != rank or not all(isinstance(v, int) for v in value):
        raise ValueError(f"The `{what}` argument must be a tuple of {rank} integers. "
                         f"Received: {value}")
    return value


def static_dims(shape: Any) -> list:
    """A TensorShape as a list of ints and None ([None] when even the rank is unknown)."""
    return shape.as_list() if shape.ndims is not None else [None]


def check_constraint(constraint: Any, what: str) -> None:
    if constraint is not None:  # NOTE: TF applies constraints in the optimizer; ours does not
        raise NotImplementedError(f"{what} is not supported by session_magic yet")


def smart_cond(training: Any, true_fn: Callable, false_fn: Callable) -> Any:
    """TF's `smart_cond`: a Python bool picks a branch now, a tensor builds a `tf.cond`."""
    if isinstance(training, (Tensor, Variable)):
        return cond(cast(training, d.bool), true_fn, false_fn)
    return true_fn() if training else false_fn()


class InputSpec:
    """What a layer accepts: stored for code that sets `input_spec`, not enforced."""

    def __init__(self, dtype: Any = None, shape: Any = None, ndim: Optional[int] = None,
                 max_ndim: Optional[int] = None, min_ndim: Optional[int] = None,
                 axes: Optional[dict] = None) -> None:
        self.dtype, self.shape, self.ndim = dtype, shape, ndim
        self.max_ndim, self.min_ndim, self.axes = max_ndim, min_ndim, axes or {}


class Layer:
    """Base of the `tf.layers` classes: `build(input_shape)` makes variables, `call` the ops."""

    def __init__(self, trainable: bool = True, name: Optional[str] = None, dtype: Any = None,
                 activity_regularizer: Any = None, _reuse: Any = None, **kwargs: Any) -> None:
        unknown = set(kwargs) - {"_scope", "input_shape", "batch_input_shape"}
        if unknown:
            raise TypeError(f"Keyword argument not understood: {sorted(unknown)[0]}")
        self.trainable = trainable
        self.built = False
        self._name_arg = name
        self._base_name = name or _snake_case(type(self).__name__)
        self.dtype = d.as_dtype(dtype) if dtype is not None else None
        self.activity_regularizer = activity_regularizer
        self._reuse = _reuse
        self._scope = kwargs.get("_scope")  # NOTE: TF's private hook: contrib passes its scope
        self._trainable_weights: list = []
        self._non_trainable_weights: list = []
        self._losses: list = []
        self._updates: list = []
        self.input_spec = None

    @property
    def name(self) -> str:
        return self._scope.name.rpartition("/")[2] if self._scope else self._base_name

    @property
    def scope_name(self) -> str:
        if self._scope is None:
            raise ValueError("No name available for layer scope because the layer "
                             f"\"{self._base_name}\" has not been used yet.")
        return self._scope.name

    trainable_weights = property(lambda self: list(self._trainable_weights) if self.trainable
                                 else [])
    trainable_variables = trainable_weights

    @property
    def non_trainable_weights(self) -> list:
        if self.trainable:
            return list(self._non_trainable_weights)
        return self._trainable_weights + self._non_trainable_weights

    non_trainable_variables = non_trainable_weights
    weights = property(lambda self: self.trainable_weights + self.non_trainable_weights)
    variables = weights
    losses = property(lambda self: list(self._losses))
    updates = property(lambda self: list(self._updates))

    def get_weights(self) -> list:
        """The weights' values in the default session (as `variable.eval()`)."""
        return [variable.eval() for variable in self.weights]

    def set_weights(self, weights: list) -> None:
        """Load NumPy values into the weights, in the default session."""
        if len(weights) != len(self.weights):
            raise ValueError(f"You called `set_weights(weights)` on layer \"{self.name}\" with "
                             f"a weight list of length {len(weights)}, but the layer was "
                             f"expecting {len(self.weights)} weights.")
        for variable, value in zip(self.weights, weights, strict=True):
            variable.load(value)

    def build(self, input_shape: Any) -> None:
        self.built = True

    def call(self, inputs: Any, **kwargs: Any) -> Any:
        return inputs

    def compute_output_shape(self, input_shape: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__}.compute_output_shape")

    def add_weight(self, name: str, shape: Any, dtype: Any = None, initializer: Any = None,
                   regularizer: Any = None, trainable: bool = True, constraint: Any = None,
                   **kwargs: Any) -> Variable:
        """A variable `<layer scope>/<name>` through `get_variable` (so `reuse` shares it)."""
        check_constraint(constraint, "add_weight(constraint=...)")
        dtype = d.as_dtype(dtype or self.dtype or d.float32)
        if initializer is None:
            initializer = None if dtype.is_floating else Zeros()
        trainable = trainable and self.trainable
        existed = {v.name for v in global_variables()}
        variable = get_variable(name, shape, dtype, initializer, trainable=trainable)
        if variable.name in existed:
            return self._remember(variable, trainable)
        if regularizer is not None and trainable:
            with name_scope(f"{self._scope.original_name_scope}{name}/Regularizer/"):
                self.add_loss(regularizer(variable))
        return self._remember(variable, trainable)

    def _remember(self, variable: Variable, trainable: bool) -> Variable:
        if variable not in self.weights:
            (self._trainable_weights if trainable else self._non_trainable_weights).append(
                variable)
        return variable

    def add_loss(self, losses: Any, inputs: Any = None) -> None:
        for loss in losses if isinstance(losses, (list, tuple)) else [losses]:
            if loss is None:
                continue
            self._losses.append(loss)
            add_to_collection(GraphKeys.REGULARIZATION_LOSSES, loss)

    def add_update(self, updates: Any, inputs: Any = None) -> None:
        for update in updates if isinstance(updates, (list, tuple)) else [updates]:
            self._updates.append(update)
            add_to_collection(GraphKeys.UPDATE_OPS, update)

    def __call__(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        # NOTE: as TF 1's layers, `scope=` on the first call names the variable scope
        scope_arg = kwargs.pop("scope", None)
        if self._scope is None:
            with variable_scope(scope_arg or self._name_arg, default_name=self._base_name,
                                reuse=self._reuse) as scope:
                self._scope = scope
                return self._build_and_call(inputs, args, kwargs)
        with variable_scope(self._scope, reuse=True if self.built else self._reuse):
            return self._build_and_call(inputs, args, kwargs)

    def _build_and_call(self, inputs: Any, args: tuple, kwargs: dict) -> Any:
        inputs = _to_tensors(inputs)
        if not self.built:
            first = inputs[0] if isinstance(inputs, (list, tuple)) else inputs
            if self.dtype is None and hasattr(first, "dtype") and first.dtype.is_floating:
                self.dtype = first.dtype.base_dtype
            self.build(_shapes(inputs))
            self.built = True
        outputs = self.call(inputs, *args, **kwargs)
        if self.activity_regularizer is not None:
            self._regularize_activity(outputs)
        return outputs

    def _regularize_activity(self, outputs: Any) -> None:
        """As Keras: the activity loss divided by the batch size, so it does not grow with it."""
        with name_scope("ActivityRegularizer"):
            for output in outputs if isinstance(outputs, (list, tuple)) else [outputs]:
                loss = self.activity_regularizer(output)
                self.add_loss(loss / cast(_shape(output)[0], loss.dtype))

    def apply(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        return self.__call__(inputs, *args, **kwargs)


def _to_tensors(inputs: Any) -> Any:
    if isinstance(inputs, (list, tuple)):
        return type(inputs)(convert_to_tensor(i) for i in inputs)
    return convert_to_tensor(inputs)


def _shapes(inputs: Any) -> Any:
    if isinstance(inputs, (list, tuple)):
        return [i.shape for i in inputs]
    return inputs.shape
