"""`tf.layers.Dense`, `Dropout`, `Flatten` and their functional forms, as TF 1 builds them."""
from __future__ import annotations

from typing import Any, Optional

import numpy as np

from ..graph import Tensor
from ..ops.array_ops import reshape, shape as _shape, stack, transpose
from ..ops.constant_ops import identity
from ..ops.conversion import convert_to_tensor
from ..ops.math_ops import matmul, tensordot
from ..ops.nn_ops import bias_add, dropout as _nn_dropout
from .base import ZEROS, Layer, check_constraint, smart_cond, static_dims

__all__ = ["Dense", "dense", "Dropout", "dropout", "Flatten", "flatten"]


class Dense(Layer):
    """`outputs = activation(inputs @ kernel + bias)`; variables `kernel` [in, units], `bias`."""

    def __init__(self, units: int, activation: Any = None, use_bias: bool = True,
                 kernel_initializer: Any = None, bias_initializer: Any = ZEROS,
                 kernel_regularizer: Any = None, bias_regularizer: Any = None,
                 activity_regularizer: Any = None, kernel_constraint: Any = None,
                 bias_constraint: Any = None, trainable: bool = True,
                 name: Optional[str] = None, **kwargs: Any) -> None:
        super().__init__(trainable=trainable, name=name,
                         activity_regularizer=activity_regularizer, **kwargs)
        if not isinstance(units, (int, np.integer)) or units <= 0:
            raise ValueError(f"Dense needs a positive integer `units`, got {units!r}")
        check_constraint(kernel_constraint, "kernel_constraint")
        check_constraint(bias_constraint, "bias_constraint")
        self.units, self.activation, self.use_bias = int(units), activation, use_bias
        self.kernel_initializer, self.bias_initializer = kernel_initializer, bias_initializer
        self.kernel_regularizer, self.bias_regularizer = kernel_regularizer, bias_regularizer

    def build(self, input_shape: Any) -> None:
        last = static_dims(input_shape)[-1]
        if last is None:
            raise ValueError("The last dimension of the inputs to `Dense` should be defined. "
                             "Found `None`.")
        self.kernel = self.add_weight("kernel", [int(last), self.units],
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight("bias", [self.units], initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer)
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        rank = inputs.shape.ndims
        if rank is not None and rank > 2:
            outputs = tensordot(inputs, self.kernel, [[rank - 1], [0]])
        else:
            outputs = matmul(inputs, self.kernel)
        if self.use_bias:
            outputs = bias_add(outputs, self.bias)
        return self.activation(outputs) if self.activation is not None else outputs


def dense(inputs: Any, units: int, activation: Any = None, use_bias: bool = True,
          kernel_initializer: Any = None, bias_initializer: Any = ZEROS,
          kernel_regularizer: Any = None, bias_regularizer: Any = None,
          activity_regularizer: Any = None, kernel_constraint: Any = None,
          bias_constraint: Any = None, trainable: bool = True, name: Optional[str] = None,
          reuse: Any = None) -> Tensor:
    """Functional `Dense`: a new layer object, `reuse=` and `name=` share variables."""
    layer = Dense(units, activation, use_bias, kernel_initializer, bias_initializer,
                  kernel_regularizer, bias_regularizer, activity_regularizer, kernel_constraint,
                  bias_constraint, trainable, name, _reuse=reuse)
    return layer.apply(inputs)


class Dropout(Layer):
    """Zero each input with probability `rate` and scale the rest by 1/(1-rate), when training."""

    def __init__(self, rate: float = 0.5, noise_shape: Any = None, seed: Optional[int] = None,
                 name: Optional[str] = None, **kwargs: Any) -> None:
        super().__init__(name=name, **kwargs)
        self.rate, self.noise_shape, self.seed = rate, noise_shape, seed

    def _noise_shape_for(self, inputs: Tensor) -> Any:
        if self.noise_shape is None:
            return None
        dynamic = _shape(inputs)
        return stack([dynamic[i] if size is None else size
                      for i, size in enumerate(self.noise_shape)])

    def call(self, inputs: Tensor, training: Any = False) -> Tensor:
        def dropped() -> Tensor:
            return _nn_dropout(inputs, noise_shape=self._noise_shape_for(inputs),
                               seed=self.seed, rate=self.rate)
        return smart_cond(training, dropped, lambda: identity(inputs))


def dropout(inputs: Any, rate: float = 0.5, noise_shape: Any = None, seed: Optional[int] = None,
            training: Any = False, name: Optional[str] = None) -> Tensor:
    """Functional `Dropout`: `training` a Python bool, or a bool tensor (then a `tf.cond`)."""
    return Dropout(rate, noise_shape, seed, name).apply(inputs, training=training)


class Flatten(Layer):
    """[batch, d1, d2, ...] -> [batch, d1 * d2 * ...]."""

    def __init__(self, data_format: str = "channels_last", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if data_format not in ("channels_last", "channels_first"):
            raise ValueError("The `data_format` argument must be one of \"channels_first\", "
                             f"\"channels_last\". Received: {data_format}")
        self.data_format = data_format

    def call(self, inputs: Tensor) -> Tensor:
        rank = inputs.shape.ndims
        if self.data_format == "channels_first" and rank is not None and rank > 2:
            inputs = transpose(inputs, [0] + list(range(2, rank)) + [1])
        batch = static_dims(inputs.shape)[0]
        target = [batch, -1] if batch is not None else stack([_shape(inputs)[0], -1])
        outputs = reshape(inputs, target)
        rest = static_dims(inputs.shape)[1:] or [None]
        if None not in rest:
            outputs.set_shape([batch, int(np.prod(rest))])
        return outputs


def flatten(inputs: Any, name: Optional[str] = None, data_format: str = "channels_last"
            ) -> Tensor:
    return Flatten(data_format=data_format, name=name).apply(convert_to_tensor(inputs))
