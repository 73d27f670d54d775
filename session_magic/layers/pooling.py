"""`tf.layers` pooling: max and average, 1-D to 3-D, on `tf.nn.max_pool` / `avg_pool` (and their
3-D forms; a 1-D pooling is a 2-D one over a height-1 image, as TF builds it)."""
from __future__ import annotations

from typing import Any, Optional

from ..graph import Tensor
from ..ops.array_ops import expand_dims, squeeze
from .base import Layer, tuple_arg
from .convolutional import data_format_arg, nn_function, padding_arg

__all__ = ["MaxPooling1D", "MaxPooling2D", "AveragePooling1D", "AveragePooling2D",
           "MaxPooling3D", "AveragePooling3D", "max_pooling1d", "max_pooling2d", "max_pooling3d",
           "average_pooling1d", "average_pooling2d", "average_pooling3d"]


class _Pooling(Layer):
    rank = 2
    function = "max_pool"

    def __init__(self, pool_size: Any, strides: Any, padding: str = "valid",
                 data_format: str = "channels_last", name: Optional[str] = None,
                 **kwargs: Any) -> None:
        super().__init__(name=name, **kwargs)
        self.pool_size = tuple_arg(pool_size, self.rank, "pool_size")
        self.strides = tuple_arg(strides, self.rank, "strides")
        self.padding = padding_arg(padding)
        self.data_format = data_format_arg(data_format)

    def _format(self) -> str:
        formats = ("NCDHW", "NDHWC") if self.rank == 3 else ("NCHW", "NHWC")
        return formats[0] if self.data_format == "channels_first" else formats[1]

    def _window(self, values: tuple) -> list:
        return [1, 1, *values] if self.data_format == "channels_first" else [1, *values, 1]

    def build(self, input_shape: Any) -> None:
        if input_shape.ndims is not None and input_shape.ndims != self.rank + 2:
            raise ValueError(f"Input 0 of layer {self._base_name} is incompatible with the "
                             f"layer: expected ndim={self.rank + 2}, found ndim="
                             f"{input_shape.ndims}. Full shape received: {input_shape}")
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        fmt = self._format()
        pool = nn_function(self.function)
        if self.rank > 1:
            return pool(inputs, ksize=self._window(self.pool_size),
                        strides=self._window(self.strides), padding=self.padding,
                        data_format=fmt)
        axis = 3 if self.data_format == "channels_first" else 2
        outputs = pool(expand_dims(inputs, axis), ksize=self._window(self.pool_size + (1,)),
                       strides=self._window(self.strides + (1,)), padding=self.padding,
                       data_format=fmt)
        return squeeze(outputs, [axis])


class MaxPooling1D(_Pooling):
    rank, function = 1, "max_pool"


class AveragePooling1D(_Pooling):
    rank, function = 1, "avg_pool"


class MaxPooling2D(_Pooling):
    rank, function = 2, "max_pool"


class AveragePooling2D(_Pooling):
    rank, function = 2, "avg_pool"


class MaxPooling3D(_Pooling):
    rank, function = 3, "max_pool3d"


class AveragePooling3D(_Pooling):
    rank, function = 3, "avg_pool3d"


def max_pooling1d(inputs: Any, pool_size: Any, strides: Any, padding: str = "valid",
                  data_format: str = "channels_last", name: Optional[str] = None) -> Tensor:
    return MaxPooling1D(pool_size, strides, padding, data_format, name).apply(inputs)


def average_pooling1d(inputs: Any, pool_size: Any, strides: Any, padding: str = "valid",
                      data_format: str = "channels_last", name: Optional[str] = None) -> Tensor:
    return AveragePooling1D(pool_size, strides, padding, data_format, name).apply(inputs)


def max_pooling2d(inputs: Any, pool_size: Any, strides: Any, padding: str = "valid",
                  data_format: str = "channels_last", name: Optional[str] = None) -> Tensor:
    return MaxPooling2D(pool_size, strides, padding, data_format, name).apply(inputs)


def average_pooling2d(inputs: Any, pool_size: Any, strides: Any, padding: str = "valid",
                      data_format: str = "channels_last", name: Optional[str] = None) -> Tensor:
    return AveragePooling2D(pool_size, strides, padding, data_format, name).apply(inputs)



def max_pooling3d(inputs: Any, pool_size: Any, strides: Any, padding: str = "valid",
                  data_format: str = "channels_last", name: Optional[str] = None) -> Tensor:
    return MaxPooling3D(pool_size, strides, padding, data_format, name).apply(inputs)


def average_pooling3d(inputs: Any, pool_size: Any, strides: Any, padding: str = "valid",
                      data_format: str = "channels_last", name: Optional[str] = None) -> Tensor:
    return AveragePooling3D(pool_size, strides, padding, data_format, name).apply(inputs)
