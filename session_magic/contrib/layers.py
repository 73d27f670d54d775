"""`tf.contrib.layers`: `fully_connected` (variables `fully_connected/weights|biases`, also in
MODEL_VARIABLES), `conv2d` (`Conv/weights|biases`), `batch_norm`, `max_pool2d`, `avg_pool2d`,
`flatten`, the Xavier and contrib variance-scaling initializers, and the regularizers."""
from __future__ import annotations

import math
import sys
from typing import Any, Optional

from .. import dtypes as d
from ..graph import GraphKeys, Tensor, add_to_collections, name_scope
from ..initializers import Initializer, Ones, Zeros
from ..layers.base import static_dims, tuple_arg
from ..layers.convolutional import nn_function, padding_arg
from ..layers.core import Flatten
from ..layers.normalization import BatchNormalization
from ..ops import random_ops
from ..ops.conversion import convert_to_tensor
from ..ops.math_ops import matmul, tensordot
from ..ops.nn_ops import bias_add, relu
from ..regularizers import (apply_regularization, l1_l2_regularizer, l1_regularizer,
                            l2_regularizer, sum_regularizer)
from ..unsupported import NotSupportedYet
from ..variables import get_variable, variable_scope

__all__ = ["fully_connected", "flatten", "batch_norm", "conv2d", "convolution2d", "max_pool2d",
           "avg_pool2d",
           "xavier_initializer", "xavier_initializer_conv2d", "variance_scaling_initializer",
           "l1_regularizer", "l2_regularizer", "l1_l2_regularizer", "sum_regularizer",
           "apply_regularization"]


class _ContribVarianceScaling(Initializer):
    """contrib's rule: stddev `sqrt(1.3 * factor / n)` truncated, or limit `sqrt(3 factor / n)`."""

    def __init__(self, factor: float, mode: str, uniform: bool, seed: Optional[int],
                 dtype: Any) -> None:
        self.dtype = d.as_dtype(dtype)
        if not self.dtype.is_floating:
            raise TypeError("Cannot create initializer for non-floating point type.")
        if mode not in ("FAN_IN", "FAN_OUT", "FAN_AVG"):
            raise TypeError(f"Unknown mode {mode} [FAN_IN, FAN_OUT, FAN_AVG]")
        self.factor, self.mode, self.uniform, self.seed = factor, mode, uniform, seed

    def _fan(self, shape: list) -> float:
        fan_in = float(shape[-2]) if len(shape) > 1 else float(shape[-1]) if shape else 1.0
        fan_out = float(shape[-1]) if shape else 1.0
        for dim in shape[:-2]:
            fan_in, fan_out = fan_in * dim, fan_out * dim
        return {"FAN_IN": fan_in, "FAN_OUT": fan_out, "FAN_AVG": (fan_in + fan_out) / 2.0}[
            self.mode]

    def __call__(self, shape: Any, dtype: Any = None, partition_info: Any = None) -> Tensor:
        dtype = self._dtype_for(dtype)
        n = self._fan(list(shape))
        if self.uniform:
            limit = math.sqrt(3.0 * self.factor / n)
            return random_ops.random_uniform(shape, -limit, limit, dtype, seed=self.seed)
        return random_ops.truncated_normal(shape, 0.0, math.sqrt(1.3 * self.factor / n), dtype,
                                           seed=self.seed)


def variance_scaling_initializer(factor: float = 2.0, mode: str = "FAN_IN",
                                 uniform: bool = False, seed: Optional[int] = None,
                                 dtype: Any = d.float32) -> Initializer:
    return _ContribVarianceScaling(factor, mode, uniform, seed, dtype)


def xavier_initializer(uniform: bool = True, seed: Optional[int] = None,
                       dtype: Any = d.float32) -> Initializer:
    """Glorot's initializer: variance 1 / fan_avg."""
    return _ContribVarianceScaling(1.0, "FAN_AVG", uniform, seed, dtype)


xavier_initializer_conv2d = xavier_initializer
_XAVIER, _ZEROS = xavier_initializer(), Zeros()


def fully_connected(inputs: Any, num_outputs: int, activation_fn: Any = relu,
                    normalizer_fn: Any = None, normalizer_params: Any = None,
                    weights_initializer: Any = _XAVIER, weights_regularizer: Any = None,
                    biases_initializer: Any = _ZEROS, biases_regularizer: Any = None,
                    reuse: Any = None, variables_collections: Any = None,
                    outputs_collections: Any = None, trainable: bool = True,
                    scope: Optional[str] = None) -> Tensor:
    """`activation_fn(inputs @ weights + biases)`; ReLU unless told otherwise."""
    if not isinstance(num_outputs, int):
        raise ValueError(f"num_outputs type should be one of (int, long), got {num_outputs!r}")
    with variable_scope(scope, "fully_connected", [inputs], reuse=reuse) as sc:
        inputs = convert_to_tensor(inputs)
        dims = static_dims(inputs.shape)
        if dims[-1] is None:
            raise ValueError("The last dimension of the inputs to `Dense` should be defined. "
                             "Found `None`.")
        weights = _model_variable("weights", [dims[-1], num_outputs], inputs.dtype,
                                  weights_initializer, weights_regularizer, trainable,
                                  variables_collections, sc)
        outputs = (tensordot(inputs, weights, [[len(dims) - 1], [0]]) if len(dims) > 2
                   else matmul(inputs, weights))
        if normalizer_fn is not None:
            outputs = normalizer_fn(outputs, **(normalizer_params or {}))
        elif biases_initializer is not None:
            biases = _model_variable("biases", [num_outputs], inputs.dtype, biases_initializer,
                                     biases_regularizer, trainable, variables_collections, sc)
            outputs = bias_add(outputs, biases)
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        if outputs_collections:
            add_to_collections(outputs_collections, outputs)
        return outputs


def _model_variable(name: str, shape: list, dtype: Any, initializer: Any, regularizer: Any,
                    trainable: bool, collections: Any, scope: Any) -> Any:
    """A model variable (GLOBAL_VARIABLES and MODEL_VARIABLES) with its regularization loss."""
    own = collections.get(name) if isinstance(collections, dict) else collections
    variable = get_variable(name, shape, dtype, initializer, trainable=trainable,
                            collections=[GraphKeys.GLOBAL_VARIABLES, GraphKeys.MODEL_VARIABLES]
                            + list(own or []))
    if regularizer is not None and not scope.reuse:
        with name_scope(f"{scope.original_name_scope}{name}/Regularizer/"):
            loss = regularizer(variable)
        if loss is not None:
            add_to_collections([GraphKeys.REGULARIZATION_LOSSES], loss)
    return variable


def _pair(value: Any, what: str) -> list:
    return list(tuple_arg(value, 2, what))


def convolution2d(inputs: Any, num_outputs: int, kernel_size: Any, stride: Any = 1,
                  padding: str = "SAME", data_format: Optional[str] = None, rate: Any = 1,
                  activation_fn: Any = relu, normalizer_fn: Any = None,
                  normalizer_params: Any = None, weights_initializer: Any = _XAVIER,
                  weights_regularizer: Any = None, biases_initializer: Any = _ZEROS,
                  biases_regularizer: Any = None, reuse: Any = None,
                  variables_collections: Any = None, outputs_collections: Any = None,
                  trainable: bool = True, scope: Optional[str] = None) -> Tensor:
    """A 2-D convolution with variables `Conv/weights` [kh, kw, in, out] and `Conv/biases`;
    ReLU and SAME padding unless told otherwise."""
    if data_format not in (None, "NHWC", "NCHW"):
        raise ValueError(f"Invalid data_format: {data_format!r}")
    data_format = data_format or "NHWC"
    with variable_scope(scope, "Conv", [inputs], reuse=reuse) as sc:
        inputs = convert_to_tensor(inputs)
        dims = static_dims(inputs.shape)
        if len(dims) != 4:
            raise ValueError(f"contrib.layers.conv2d needs a rank-4 input, got {inputs.shape}")
        channels = dims[1] if data_format == "NCHW" else dims[3]
        if channels is None:
            raise ValueError("The channel dimension of the inputs should be defined. "
                             "Found `None`.")
        weights = _model_variable("weights", _pair(kernel_size, "kernel_size") +
                                  [channels, num_outputs], inputs.dtype, weights_initializer,
                                  weights_regularizer, trainable, variables_collections, sc)
        spread = [1, 1] + _pair(stride, "stride") if data_format == "NCHW" else \
            [1] + _pair(stride, "stride") + [1]
        dilations = [1, 1] + _pair(rate, "rate") if data_format == "NCHW" else \
            [1] + _pair(rate, "rate") + [1]
        outputs = nn_function("conv2d")(inputs, weights, strides=spread,
                                        padding=padding_arg(padding), data_format=data_format,
                                        dilations=dilations)
        if normalizer_fn is not None:
            outputs = normalizer_fn(outputs, **(normalizer_params or {}))
        elif biases_initializer is not None:
            biases = _model_variable("biases", [num_outputs], inputs.dtype, biases_initializer,
                                     biases_regularizer, trainable, variables_collections, sc)
            outputs = bias_add(outputs, biases, data_format=data_format)
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        if outputs_collections:
            add_to_collections(outputs_collections, outputs)
        return outputs


def _pool2d(function: str, default_name: str) -> Any:
    def pool(inputs: Any, kernel_size: Any, stride: Any = 2, padding: str = "VALID",
             data_format: str = "NHWC", outputs_collections: Any = None,
             scope: Optional[str] = None) -> Tensor:
        if data_format not in ("NHWC", "NCHW"):
            raise ValueError("data_format has to be either NCHW or NHWC.")
        with name_scope(scope, default_name, [inputs]):
            window, strides = _pair(kernel_size, "kernel_size"), _pair(stride, "stride")
            ksize, steps = ([1, 1] + window, [1, 1] + strides) if data_format == "NCHW" else \
                ([1] + window + [1], [1] + strides + [1])
            outputs = nn_function(function)(inputs, ksize, steps, padding_arg(padding),
                                            data_format=data_format)
        if outputs_collections:
            add_to_collections(outputs_collections, outputs)
        return outputs
    pool.__name__ = default_name.lower()
    pool.__doc__ = f"`tf.nn.{function}` over kernel_size windows (stride 2, VALID by default)."
    return pool


max_pool2d = _pool2d("max_pool", "MaxPool2D")
avg_pool2d = _pool2d("avg_pool", "AvgPool2D")
conv2d = convolution2d


def batch_norm(inputs: Any, decay: float = 0.999, center: bool = True, scale: bool = False,
               epsilon: float = 0.001, activation_fn: Any = None, param_initializers: Any = None,
               param_regularizers: Any = None, updates_collections: Any = GraphKeys.UPDATE_OPS,
               is_training: Any = True, reuse: Any = None, variables_collections: Any = None,
               outputs_collections: Any = None, trainable: bool = True,
               batch_weights: Any = None, fused: Any = None, data_format: str = "NHWC",
               zero_debias_moving_mean: bool = False, scope: Optional[str] = None,
               renorm: bool = False, renorm_clipping: Any = None, renorm_decay: float = 0.99,
               adjustment: Any = None) -> Tensor:
    """contrib's batch norm: variables `BatchNorm/beta` (and `gamma` when `scale`),
    `moving_mean`, `moving_variance`; updates into UPDATE_OPS; no scale by default."""
    if updates_collections != GraphKeys.UPDATE_OPS or batch_weights is not None or \
            zero_debias_moving_mean or renorm or adjustment is not None:
        raise NotImplementedError("contrib.layers.batch_norm with updates_collections other "
                                  "than UPDATE_OPS, batch_weights, zero_debias_moving_mean, "
                                  "renorm or adjustment is not supported by session_magic yet")
    if data_format not in ("NHWC", "NCHW"):
        raise ValueError("data_format has to be either NCHW or NHWC.")
    initializers, regularizers = param_initializers or {}, param_regularizers or {}
    with variable_scope(scope, "BatchNorm", [inputs], reuse=reuse) as sc:
        inputs = convert_to_tensor(inputs)
        layer = BatchNormalization(
            axis=1 if data_format == "NCHW" else -1, momentum=decay, epsilon=epsilon,
            center=center, scale=scale,
            beta_initializer=initializers.get("beta", _ZEROS),
            gamma_initializer=initializers.get("gamma", Ones()),
            moving_mean_initializer=initializers.get("moving_mean", _ZEROS),
            moving_variance_initializer=initializers.get("moving_variance", Ones()),
            beta_regularizer=regularizers.get("beta"),
            gamma_regularizer=regularizers.get("gamma"), trainable=trainable,
            fused=False if fused is False else None, _scope=sc, _reuse=reuse)
        # NOTE: TF 1 takes its fused kernel for rank 2 too: the update's variance is unbiased
        layer._unbiased_update = inputs.shape.ndims == 2 and fused is not False
        outputs = layer.apply(inputs, training=is_training)
        for name in ("beta", "gamma", "moving_mean", "moving_variance"):
            variable = getattr(layer, name)
            own = variables_collections.get(name) if isinstance(variables_collections, dict) \
                else variables_collections
            if variable is not None:
                add_to_collections([GraphKeys.MODEL_VARIABLES] + list(own or []), variable)
        if activation_fn is not None:
            outputs = activation_fn(outputs)
    if outputs_collections:
        add_to_collections(outputs_collections, outputs)
    return outputs


def flatten(inputs: Any, outputs_collections: Any = None, scope: Optional[str] = None) -> Tensor:
    """[batch, ...] -> [batch, k], in a `Flatten` name scope."""
    with name_scope(scope, "Flatten", [inputs]):
        outputs = Flatten()(convert_to_tensor(inputs))
    if outputs_collections:
        add_to_collections(outputs_collections, outputs)
    return outputs


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    raise NotSupportedYet(f"tf.contrib.layers.{name} is not supported by session_magic yet",
                          name=name, obj=sys.modules[__name__])
