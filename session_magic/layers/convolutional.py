"""`tf.layers` convolutions: `Conv1D`, `Conv2D`, `Conv3D`, their transposes, `SeparableConv1D`
and `SeparableConv2D`, and the functional forms. Variables `kernel` (kernel_size + [in,
filters]; transposed: kernel_size + [filters, in]) and `bias`; the ops are `tf.nn.conv2d`,
`conv3d`, `conv2d_transpose` ..., looked up when a layer is called.
"""
from __future__ import annotations

from typing import Any, Optional

from .. import nn
from ..graph import Tensor
from ..ops.array_ops import expand_dims, reshape, shape as _shape, squeeze, stack
from ..ops.nn_ops import bias_add
from .base import ZEROS, Layer, check_constraint, static_dims, tuple_arg

__all__ = ["Conv1D", "Conv2D", "Conv2DTranspose", "Conv3D", "Conv3DTranspose",
           "SeparableConv1D", "SeparableConv2D", "conv1d", "conv2d", "conv2d_transpose", "conv3d",
           "conv3d_transpose", "separable_conv1d", "separable_conv2d"]


def padding_arg(padding: str) -> str:
    if not isinstance(padding, str) or padding.lower() not in ("valid", "same"):
        raise ValueError(f"The `padding` argument must be one of \"valid\", \"same\". "
                         f"Received: {padding}")
    return padding.upper()


def data_format_arg(data_format: str) -> str:
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError("The `data_format` argument must be one of \"channels_first\", "
                         f"\"channels_last\". Received: {data_format}")
    return data_format


def nn_function(name: str) -> Any:
    """`tf.nn.<name>`, looked up at call time (the convolution ops live in their own module)."""
    function = getattr(nn, name, None)
    if function is None:
        raise NotImplementedError(f"tf.nn.{name} is not supported by session_magic yet")
    return function


class _Conv(Layer):
    """An N-D convolution layer (N = 1 or 2) over `channels_last` or `channels_first` data."""

    rank = 2

    def __init__(self, filters: int, kernel_size: Any, strides: Any = 1, padding: str = "valid",
                 data_format: str = "channels_last", dilation_rate: Any = 1,
                 activation: Any = None, use_bias: bool = True, kernel_initializer: Any = None,
                 bias_initializer: Any = ZEROS, kernel_regularizer: Any = None,
                 bias_regularizer: Any = None, activity_regularizer: Any = None,
                 kernel_constraint: Any = None, bias_constraint: Any = None,
                 trainable: bool = True, name: Optional[str] = None, **kwargs: Any) -> None:
        super().__init__(trainable=trainable, name=name,
                         activity_regularizer=activity_regularizer, **kwargs)
        if not isinstance(filters, int) or filters <= 0:
            raise ValueError(f"The `filters` argument must be a positive integer, got {filters!r}")
        check_constraint(kernel_constraint, "kernel_constraint")
        check_constraint(bias_constraint, "bias_constraint")
        self.filters = filters
        self.kernel_size = tuple_arg(kernel_size, self.rank, "kernel_size")
        self.strides = tuple_arg(strides, self.rank, "strides")
        self.dilation_rate = tuple_arg(dilation_rate, self.rank, "dilation_rate")
        self.padding = padding_arg(padding)
        self.data_format = data_format_arg(data_format)
        self.activation, self.use_bias = activation, use_bias
        self.kernel_initializer, self.bias_initializer = kernel_initializer, bias_initializer
        self.kernel_regularizer, self.bias_regularizer = kernel_regularizer, bias_regularizer

    @property
    def _channel_axis(self) -> int:
        return 1 if self.data_format == "channels_first" else -1

    def _kernel_shape(self, channels: int) -> list:
        return list(self.kernel_size) + [channels, self.filters]

    def _check_rank(self, input_shape: Any) -> None:
        if input_shape.ndims != self.rank + 2:
            raise ValueError(f"Input 0 of layer {self._base_name} is incompatible with the "
                             f"layer: expected ndim={self.rank + 2}, found ndim="
                             f"{input_shape.ndims}. Full shape received: {input_shape}")
        if static_dims(input_shape)[self._channel_axis] is None:
            raise ValueError("The channel dimension of the inputs should be defined. "
                             "Found `None`.")

    def build(self, input_shape: Any) -> None:
        self._check_rank(input_shape)
        channels = static_dims(input_shape)[self._channel_axis]
        self.kernel = self.add_weight("kernel", self._kernel_shape(int(channels)),
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight("bias", [self.filters], initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer)
        self.built = True

    def _nchw(self) -> bool:
        return self.data_format == "channels_first"

    def _format(self) -> str:
        """TF's data_format for the op: NHWC / NCHW, or NDHWC / NCDHW in 3-D."""
        formats = ("NCDHW", "NDHWC") if self.rank == 3 else ("NCHW", "NHWC")
        return formats[0] if self._nchw() else formats[1]

    def _convolve(self, inputs: Tensor) -> Tensor:
        if self.rank == 1:
            axis = 2 if self._nchw() else 1  # NOTE: TF's conv1d: a height-1 Conv2D
            outputs = nn_function("conv2d")(expand_dims(inputs, axis), expand_dims(self.kernel, 0),
                                            strides=self._spatial((1,) + self.strides),
                                            padding=self.padding, data_format=self._format(),
                                            dilations=self._spatial((1,) + self.dilation_rate))
            return squeeze(outputs, [axis])
        return nn_function(f"conv{self.rank}d")(
            inputs, self.kernel, strides=self._spatial(self.strides), padding=self.padding,
            data_format=self._format(), dilations=self._spatial(self.dilation_rate))

    def _spatial(self, values: tuple) -> list:
        return [1, 1, *values] if self._nchw() else [1, *values, 1]

    def call(self, inputs: Tensor) -> Tensor:
        outputs = self._convolve(inputs)
        if self.use_bias:
            if self._nchw() and self.rank != 2:
                outputs = outputs + reshape(self.bias, [1, -1] + [1] * self.rank)
            else:
                outputs = bias_add(outputs, self.bias,
                                   data_format="NCHW" if self._nchw() else "NHWC")
        return self.activation(outputs) if self.activation is not None else outputs


class Conv1D(_Conv):
    """1-D convolution over [batch, steps, channels] (TF's conv1d: a Conv2D of height 1)."""

    rank = 1


class Conv2D(_Conv):
    """2-D convolution over [batch, height, width, channels]."""

    rank = 2


def _deconv_length(size: Optional[int], kernel: int, padding: str, stride: int) -> Any:
    if size is None:
        return None
    return size * stride if padding == "SAME" else size * stride + max(kernel - stride, 0)


class _ConvTranspose(_Conv):
    """The gradient of a convolution taken as a layer: kernel kernel_size + [filters, in]."""

    def __init__(self, filters: int, kernel_size: Any, strides: Any = 1,
                 padding: str = "valid", data_format: str = "channels_last",
                 activation: Any = None, use_bias: bool = True, kernel_initializer: Any = None,
                 bias_initializer: Any = ZEROS, kernel_regularizer: Any = None,
                 bias_regularizer: Any = None, activity_regularizer: Any = None,
                 kernel_constraint: Any = None, bias_constraint: Any = None,
                 trainable: bool = True, name: Optional[str] = None, **kwargs: Any) -> None:
        super().__init__(filters, kernel_size, strides, padding, data_format, 1, activation,
                         use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
                         bias_regularizer, activity_regularizer, kernel_constraint,
                         bias_constraint, trainable, name, **kwargs)

    def _kernel_shape(self, channels: int) -> list:
        return list(self.kernel_size) + [self.filters, channels]

    def _output_dims(self, dims: list) -> list:
        """Batch, the grown spatial sizes and the filters, in the layer's data format."""
        axes = range(2, 2 + self.rank) if self._nchw() else range(1, 1 + self.rank)
        sizes = [_deconv_length(dims[axis], k, self.padding, s) for axis, k, s in
                 zip(axes, self.kernel_size, self.strides, strict=True)]
        return [dims[0], self.filters, *sizes] if self._nchw() else \
            [dims[0], *sizes, self.filters]

    def _convolve(self, inputs: Tensor) -> Tensor:
        dynamic = _shape(inputs)
        output_shape = stack(self._output_dims([dynamic[i] for i in range(self.rank + 2)]))
        outputs = nn_function(f"conv{self.rank}d_transpose")(
            inputs, self.kernel, output_shape, strides=self._spatial(self.strides),
            padding=self.padding, data_format=self._format())
        outputs.set_shape(self._output_dims(static_dims(inputs.shape)))
        return outputs


class Conv2DTranspose(_ConvTranspose):
    """A transposed 2-D convolution: kernel [kh, kw, filters, in_channels]."""

    rank = 2


class Conv3D(_Conv):
    """3-D convolution over [batch, depth, height, width, channels]."""

    rank = 3


class Conv3DTranspose(_ConvTranspose):
    """A transposed 3-D convolution: kernel [kd, kh, kw, filters, in_channels]."""

    rank = 3


class _SeparableConv(_Conv):
    """A depthwise convolution (`depth_multiplier` filters per channel) then a 1x1 one:
    variables `depthwise_kernel` kernel_size + [in, multiplier], `pointwise_kernel`
    [1, ..., in * multiplier, filters] and `bias`."""

    def __init__(self, filters: int, kernel_size: Any, strides: Any = 1,
                 padding: str = "valid", data_format: str = "channels_last",
                 dilation_rate: Any = 1, depth_multiplier: int = 1, activation: Any = None,
                 use_bias: bool = True, depthwise_initializer: Any = None,
                 pointwise_initializer: Any = None, bias_initializer: Any = ZEROS,
                 depthwise_regularizer: Any = None, pointwise_regularizer: Any = None,
                 bias_regularizer: Any = None, activity_regularizer: Any = None,
                 depthwise_constraint: Any = None, pointwise_constraint: Any = None,
                 bias_constraint: Any = None, trainable: bool = True,
                 name: Optional[str] = None, **kwargs: Any) -> None:
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate,
                         activation, use_bias, None, bias_initializer, None, bias_regularizer,
                         activity_regularizer, None, bias_constraint, trainable, name, **kwargs)
        check_constraint(depthwise_constraint, "depthwise_constraint")
        check_constraint(pointwise_constraint, "pointwise_constraint")
        self.depth_multiplier = depth_multiplier
        self.depthwise_initializer = depthwise_initializer
        self.pointwise_initializer = pointwise_initializer
        self.depthwise_regularizer = depthwise_regularizer
        self.pointwise_regularizer = pointwise_regularizer

    def build(self, input_shape: Any) -> None:
        self._check_rank(input_shape)
        channels = int(static_dims(input_shape)[self._channel_axis])
        self.depthwise_kernel = self.add_weight(
            "depthwise_kernel", list(self.kernel_size) + [channels, self.depth_multiplier],
            initializer=self.depthwise_initializer, regularizer=self.depthwise_regularizer)
        self.pointwise_kernel = self.add_weight(
            "pointwise_kernel", [1] * self.rank + [channels * self.depth_multiplier,
                                                   self.filters],
            initializer=self.pointwise_initializer, regularizer=self.pointwise_regularizer)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight("bias", [self.filters], initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer)
        self.built = True

    def _convolve(self, inputs: Tensor) -> Tensor:
        return nn_function("separable_conv2d")(
            inputs, self.depthwise_kernel, self.pointwise_kernel,
            strides=self._spatial(self.strides), padding=self.padding,
            rate=list(self.dilation_rate), data_format=self._format())

    def call(self, inputs: Tensor) -> Tensor:
        if self.rank == 2:
            return super().call(inputs)
        axis = 2 if self._nchw() else 1  # NOTE: as TF, 1-D is 2-D over a height-1 image,
        outputs = nn_function("separable_conv2d")(  # squeezed after the bias
            expand_dims(inputs, axis), expand_dims(self.depthwise_kernel, 0),
            expand_dims(self.pointwise_kernel, 0), strides=self._spatial((1,) + self.strides),
            padding=self.padding, rate=[1, *self.dilation_rate], data_format=self._format())
        if self.use_bias:
            outputs = bias_add(outputs, self.bias, data_format=self._format())
        outputs = squeeze(outputs, [axis])
        return self.activation(outputs) if self.activation is not None else outputs


class SeparableConv1D(_SeparableConv):
    """Separable 1-D convolution over [batch, steps, channels]."""

    rank = 1


class SeparableConv2D(_SeparableConv):
    """Separable 2-D convolution over [batch, height, width, channels]."""

    rank = 2


def separable_conv1d(inputs: Any, filters: int, kernel_size: Any, strides: Any = 1,
                     padding: str = "valid", data_format: str = "channels_last",
                     dilation_rate: Any = 1, depth_multiplier: int = 1,
                     activation: Any = None, use_bias: bool = True,
                     depthwise_initializer: Any = None, pointwise_initializer: Any = None,
                     bias_initializer: Any = ZEROS, depthwise_regularizer: Any = None,
                     pointwise_regularizer: Any = None, bias_regularizer: Any = None,
                     activity_regularizer: Any = None, depthwise_constraint: Any = None,
                     pointwise_constraint: Any = None, bias_constraint: Any = None,
                     trainable: bool = True, name: Optional[str] = None,
                     reuse: Any = None) -> Tensor:
    layer = SeparableConv1D(filters, kernel_size, strides, padding, data_format, dilation_rate,
                            depth_multiplier, activation, use_bias, depthwise_initializer,
                            pointwise_initializer, bias_initializer, depthwise_regularizer,
                            pointwise_regularizer, bias_regularizer, activity_regularizer,
                            depthwise_constraint, pointwise_constraint, bias_constraint,
                            trainable, name, _reuse=reuse)
    return layer.apply(inputs)


def separable_conv2d(inputs: Any, filters: int, kernel_size: Any, strides: Any = (1, 1),
                     padding: str = "valid", data_format: str = "channels_last",
                     dilation_rate: Any = (1, 1), depth_multiplier: int = 1,
                     activation: Any = None, use_bias: bool = True,
                     depthwise_initializer: Any = None, pointwise_initializer: Any = None,
                     bias_initializer: Any = ZEROS, depthwise_regularizer: Any = None,
                     pointwise_regularizer: Any = None, bias_regularizer: Any = None,
                     activity_regularizer: Any = None, depthwise_constraint: Any = None,
                     pointwise_constraint: Any = None, bias_constraint: Any = None,
                     trainable: bool = True, name: Optional[str] = None,
                     reuse: Any = None) -> Tensor:
    layer = SeparableConv2D(filters, kernel_size, strides, padding, data_format, dilation_rate,
                            depth_multiplier, activation, use_bias, depthwise_initializer,
                            pointwise_initializer, bias_initializer, depthwise_regularizer,
                            pointwise_regularizer, bias_regularizer, activity_regularizer,
                            depthwise_constraint, pointwise_constraint, bias_constraint,
                            trainable, name, _reuse=reuse)
    return layer.apply(inputs)


def conv1d(inputs: Any, filters: int, kernel_size: Any, strides: Any = 1, padding: str = "valid",
           data_format: str = "channels_last", dilation_rate: Any = 1, activation: Any = None,
           use_bias: bool = True, kernel_initializer: Any = None, bias_initializer: Any = ZEROS,
           kernel_regularizer: Any = None, bias_regularizer: Any = None,
           activity_regularizer: Any = None, kernel_constraint: Any = None,
           bias_constraint: Any = None, trainable: bool = True, name: Optional[str] = None,
           reuse: Any = None) -> Tensor:
    layer = Conv1D(filters, kernel_size, strides, padding, data_format, dilation_rate,
                   activation, use_bias, kernel_initializer, bias_initializer,
                   kernel_regularizer, bias_regularizer, activity_regularizer, kernel_constraint,
                   bias_constraint, trainable, name, _reuse=reuse)
    return layer.apply(inputs)


def conv2d(inputs: Any, filters: int, kernel_size: Any, strides: Any = (1, 1),
           padding: str = "valid", data_format: str = "channels_last",
           dilation_rate: Any = (1, 1), activation: Any = None, use_bias: bool = True,
           kernel_initializer: Any = None, bias_initializer: Any = ZEROS,
           kernel_regularizer: Any = None, bias_regularizer: Any = None,
           activity_regularizer: Any = None, kernel_constraint: Any = None,
           bias_constraint: Any = None, trainable: bool = True, name: Optional[str] = None,
           reuse: Any = None) -> Tensor:
    layer = Conv2D(filters, kernel_size, strides, padding, data_format, dilation_rate,
                   activation, use_bias, kernel_initializer, bias_initializer,
                   kernel_regularizer, bias_regularizer, activity_regularizer, kernel_constraint,
                   bias_constraint, trainable, name, _reuse=reuse)
    return layer.apply(inputs)


def conv2d_transpose(inputs: Any, filters: int, kernel_size: Any, strides: Any = (1, 1),
                     padding: str = "valid", data_format: str = "channels_last",
                     activation: Any = None, use_bias: bool = True,
                     kernel_initializer: Any = None, bias_initializer: Any = ZEROS,
                     kernel_regularizer: Any = None, bias_regularizer: Any = None,
                     activity_regularizer: Any = None, kernel_constraint: Any = None,
                     bias_constraint: Any = None, trainable: bool = True,
                     name: Optional[str] = None, reuse: Any = None) -> Tensor:
    layer = Conv2DTranspose(filters, kernel_size, strides, padding, data_format, activation,
                            use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
                            bias_regularizer, activity_regularizer, kernel_constraint,
                            bias_constraint, trainable, name, _reuse=reuse)
    return layer.apply(inputs)


def conv3d(inputs: Any, filters: int, kernel_size: Any, strides: Any = (1, 1, 1),
           padding: str = "valid", data_format: str = "channels_last",
           dilation_rate: Any = (1, 1, 1), activation: Any = None, use_bias: bool = True,
           kernel_initializer: Any = None, bias_initializer: Any = ZEROS,
           kernel_regularizer: Any = None, bias_regularizer: Any = None,
           activity_regularizer: Any = None, kernel_constraint: Any = None,
           bias_constraint: Any = None, trainable: bool = True, name: Optional[str] = None,
           reuse: Any = None) -> Tensor:
    layer = Conv3D(filters, kernel_size, strides, padding, data_format, dilation_rate,
                   activation, use_bias, kernel_initializer, bias_initializer,
                   kernel_regularizer, bias_regularizer, activity_regularizer, kernel_constraint,
                   bias_constraint, trainable, name, _reuse=reuse)
    return layer.apply(inputs)


def conv3d_transpose(inputs: Any, filters: int, kernel_size: Any, strides: Any = (1, 1, 1),
                     padding: str = "valid", data_format: str = "channels_last",
                     activation: Any = None, use_bias: bool = True,
                     kernel_initializer: Any = None, bias_initializer: Any = ZEROS,
                     kernel_regularizer: Any = None, bias_regularizer: Any = None,
                     activity_regularizer: Any = None, kernel_constraint: Any = None,
                     bias_constraint: Any = None, trainable: bool = True,
                     name: Optional[str] = None, reuse: Any = None) -> Tensor:
    layer = Conv3DTranspose(filters, kernel_size, strides, padding, data_format, activation,
                            use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
                            bias_regularizer, activity_regularizer, kernel_constraint,
                            bias_constraint, trainable, name, _reuse=reuse)
    return layer.apply(inputs)

