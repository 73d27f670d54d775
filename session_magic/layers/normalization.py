"""`tf.layers.BatchNormalization` / `batch_normalization`: batch statistics when training, moving
averages (`moving_mean`, `moving_variance`, non-trainable) otherwise; their updates go to
`UPDATE_OPS`, to be run with the train op as TF 1 programs do.
"""
from __future__ import annotations

from typing import Any, Optional

from .. import dtypes as d
from ..graph import Tensor, name_scope
from ..ops.array_ops import reshape, size
from ..ops.math_ops import cast, rsqrt
from ..ops.nn_ops import moments
from ..variables import Variable
from .base import ONES, ZEROS, Layer, check_constraint, smart_cond, static_dims

__all__ = ["BatchNormalization", "batch_normalization"]


def _batch_norm(x: Tensor, mean: Tensor, variance: Tensor, offset: Any, scale: Any,
                epsilon: float) -> Tensor:
    """TF's `nn.batch_normalization` arithmetic, in its `batchnorm` name scope."""
    with name_scope("batchnorm"):
        inv = rsqrt(variance + epsilon)
        if scale is not None:
            inv *= scale
        return x * inv + (offset - mean * inv if offset is not None else -mean * inv)


def _assign_moving_average(variable: Variable, value: Tensor, momentum: float) -> Tensor:
    with name_scope("AssignMovingAvg") as scope:
        update_delta = (variable - cast(value, variable.dtype)) * (1.0 - momentum)
        return variable.assign_sub(update_delta, name=scope)


class BatchNormalization(Layer):
    """Normalize over every axis but `axis`, then scale by `gamma` and shift by `beta`."""

    def __init__(self, axis: int = -1, momentum: float = 0.99, epsilon: float = 1e-3,
                 center: bool = True, scale: bool = True, beta_initializer: Any = ZEROS,
                 gamma_initializer: Any = ONES, moving_mean_initializer: Any = ZEROS,
                 moving_variance_initializer: Any = ONES, beta_regularizer: Any = None,
                 gamma_regularizer: Any = None, beta_constraint: Any = None,
                 gamma_constraint: Any = None, renorm: bool = False, renorm_clipping: Any = None,
                 renorm_momentum: float = 0.99, fused: Any = None, trainable: bool = True,
                 virtual_batch_size: Any = None, adjustment: Any = None,
                 name: Optional[str] = None, **kwargs: Any) -> None:
        super().__init__(trainable=trainable, name=name, **kwargs)
        if renorm or virtual_batch_size is not None or adjustment is not None:
            raise NotImplementedError("BatchNormalization with renorm, virtual_batch_size or "
                                      "adjustment is not supported by session_magic yet")
        if not isinstance(axis, int):
            raise TypeError(f"BatchNormalization needs an int `axis`, got {axis!r}")
        check_constraint(beta_constraint, "beta_constraint")
        check_constraint(gamma_constraint, "gamma_constraint")
        self.axis, self.momentum, self.epsilon = axis, momentum, epsilon
        self.center, self.scale, self.fused = center, scale, fused
        self.beta_initializer, self.gamma_initializer = beta_initializer, gamma_initializer
        self.moving_mean_initializer = moving_mean_initializer
        self.moving_variance_initializer = moving_variance_initializer
        self.beta_regularizer, self.gamma_regularizer = beta_regularizer, gamma_regularizer

    def build(self, input_shape: Any) -> None:
        ndims = input_shape.ndims
        if ndims is None:
            raise ValueError(f"Input has undefined rank: {input_shape}")
        axis = self.axis + ndims if self.axis < 0 else self.axis
        if not 0 <= axis < ndims:
            raise ValueError(f"Invalid axis: {self.axis}")
        if static_dims(input_shape)[axis] is None:
            raise ValueError(f"Input has undefined `axis` dimension. Input shape: {input_shape}")
        self._axis, self._ndims = axis, ndims
        # NOTE: TF 1 takes the fused kernel for 4-D inputs normalized on axis 1 or 3; it updates
        # moving_variance with the Bessel-corrected batch variance (the plain path does not)
        self._fused = (self.fused is not False and ndims == 4 and axis in (1, 3)) or \
            getattr(self, "_unbiased_update", False)
        params = [static_dims(input_shape)[axis]]
        dtype = d.float32 if self.dtype in (None, d.float16) else self.dtype
        self.gamma = self.add_weight("gamma", params, dtype, self.gamma_initializer,
                                     self.gamma_regularizer) if self.scale else None
        self.beta = self.add_weight("beta", params, dtype, self.beta_initializer,
                                    self.beta_regularizer) if self.center else None
        self.moving_mean = self.add_weight("moving_mean", params, dtype,
                                           self.moving_mean_initializer, trainable=False)
        self.moving_variance = self.add_weight("moving_variance", params, dtype,
                                               self.moving_variance_initializer,
                                               trainable=False)
        self.built = True

    def _broadcast(self, value: Any) -> Any:
        if value is None or self._axis == self._ndims - 1:
            return value
        shape = [1] * self._ndims
        shape[self._axis] = -1
        return reshape(value, shape)

    def call(self, inputs: Tensor, training: Any = False) -> Tensor:
        # NOTE: as TF 1, float16 inputs are normalized in float32 (the parameters' dtype) and
        # the result cast back
        if inputs.dtype is d.float16:
            return cast(self.call(cast(inputs, d.float32), training), d.float16)
        scale, offset = self._broadcast(self.gamma), self._broadcast(self.beta)
        if training is False:
            mean, variance = self.moving_mean, self.moving_variance
        else:
            axes = [i for i in range(self._ndims) if i != self._axis]
            batch_mean, batch_variance = moments(inputs, axes)
            mean = smart_cond(training, lambda: batch_mean, lambda: self.moving_mean.value())
            variance = smart_cond(training, lambda: batch_variance,
                                  lambda: self.moving_variance.value())
            self._add_moving_updates(inputs, training, batch_mean, batch_variance)
        return _batch_norm(inputs, self._broadcast(mean), self._broadcast(variance), offset,
                           scale, self.epsilon)

    def _add_moving_updates(self, inputs: Tensor, training: Any, mean: Tensor,
                            variance: Tensor) -> None:
        if self._fused:
            channels = float(static_dims(self.moving_mean.shape)[0])
            count = cast(size(inputs), variance.dtype) / channels
            variance = variance * count / (count - 1.0)

        def update(variable: Variable, value: Tensor) -> Any:
            return smart_cond(training,
                              lambda: _assign_moving_average(variable, value, self.momentum),
                              lambda: variable.value())
        self.add_update(update(self.moving_mean, mean))
        self.add_update(update(self.moving_variance, variance))


def batch_normalization(inputs: Any, axis: int = -1, momentum: float = 0.99,
                        epsilon: float = 1e-3, center: bool = True, scale: bool = True,
                        beta_initializer: Any = ZEROS, gamma_initializer: Any = ONES,
                        moving_mean_initializer: Any = ZEROS,
                        moving_variance_initializer: Any = ONES, beta_regularizer: Any = None,
                        gamma_regularizer: Any = None, beta_constraint: Any = None,
                        gamma_constraint: Any = None, training: Any = False,
                        trainable: bool = True, name: Optional[str] = None, reuse: Any = None,
                        renorm: bool = False, renorm_clipping: Any = None,
                        renorm_momentum: float = 0.99, fused: Any = None,
                        virtual_batch_size: Any = None, adjustment: Any = None) -> Tensor:
    """Functional `BatchNormalization`; remember to run `UPDATE_OPS` with the train op."""
    layer = BatchNormalization(axis, momentum, epsilon, center, scale, beta_initializer,
                               gamma_initializer, moving_mean_initializer,
                               moving_variance_initializer, beta_regularizer, gamma_regularizer,
                               beta_constraint, gamma_constraint, renorm, renorm_clipping,
                               renorm_momentum, fused, trainable, virtual_batch_size, adjustment,
                               name, _reuse=reuse)
    return layer.apply(inputs, training=training)
