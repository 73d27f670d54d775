"""Op blocks for convolution and pooling (`tf.nn.conv2d`, `max_pool`, ... and their gradient
ops), with TF's op types, attrs and shape rules, and the TF 1 builders on top of them.

Kernels work channels-last (NCHW is transposed in and out). A convolution copies the windows
of a `sliding_window_view` into columns (im2col) for one matmul; its input gradient adds one
matmul per filter tap back where that tap reads; a pooling is a few elementwise ops over one
strided view per window offset. benchmarks/conv_kernels.py measures these choices.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any, Optional, Sequence

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .. import dtypes as d
from .. import errors
from ..graph import Tensor
from .array_ops import concat, expand_dims, shape_n, squeeze, zeros_like
from .common import FLOATS, check_dtype, check_same_dtype, single, static_int_list
from .conversion import convert_to_tensor
from .known import constant_value, known_ints, partial_vector
from .registry import ShapeError, apply_op, op_scope, register

__all__ = ["conv1d", "conv2d", "conv2d_transpose", "conv2d_backprop_input",
           "conv2d_backprop_filter", "conv1d_transpose", "conv3d_transpose",
           "conv3d_backprop_filter_v2", "depthwise_conv2d_native_backprop_input",
           "depthwise_conv2d_native_backprop_filter", "depthwise_conv2d", "depthwise_conv2d_native",
           "separable_conv2d", "convolution", "atrous_conv2d", "max_pool", "avg_pool",
           "max_pool2d", "avg_pool2d", "pool", "conv3d", "max_pool3d", "avg_pool3d"]

_FORMATS = {4: ("NHWC", "NCHW"), 5: ("NDHWC", "NCDHW")}


# --- window geometry ---------------------------------------------------------------------------

@dataclass(frozen=True)
class _Window:
    """Where a sliding window goes over the spatial dims of one op (channels-last order)."""

    sizes: tuple        # window extent per spatial dim (before dilation)
    strides: tuple
    dilations: tuple
    padding: str
    explicit: tuple     # (before, after) per spatial dim, for EXPLICIT

    def extents(self) -> tuple:
        return tuple((k - 1) * r + 1 for k, r in zip(self.sizes, self.dilations, strict=True))

    def plan(self, spatial: Sequence[int]) -> Optional[tuple]:
        """(output sizes, (before, after) pads) for input spatial sizes, as TF computes them;
        None when an output size would be negative."""
        planned = [self.plan_dim(i, n) for i, n in enumerate(spatial)]
        if None in planned:
            return None
        return tuple(out for out, _ in planned), tuple(pad for _, pad in planned)

    def plan_dim(self, i: int, n: int) -> Optional[tuple]:
        """(output size, pads) of spatial dim `i` of size `n`; None if negative."""
        e, s = self.extents()[i], self.strides[i]
        if self.padding == "VALID":
            return ((n - e) // s + 1, (0, 0)) if n >= e else None
        if self.padding == "SAME":
            out = -(-n // s)
            total = max((out - 1) * s + e - n, 0)
            return out, (total // 2, total - total // 2)
        pad = self.explicit[i]
        out = (n + pad[0] + pad[1] - e) // s + 1
        return (out, pad) if out >= 0 else None


def _channels_first(data_format: str) -> bool:
    return data_format.startswith("NC")


def _spatial(values: Sequence[int], data_format: str) -> tuple:
    """The spatial entries of a full-rank attr list (strides, ksize, dilations)."""
    return tuple(values[2:] if _channels_first(data_format) else values[1:-1])


def _window_of(attrs: dict, sizes: Sequence[int]) -> _Window:
    data_format = attrs["data_format"]
    flat = list(attrs.get("explicit_paddings", ()))
    pairs = [tuple(flat[i:i + 2]) for i in range(0, len(flat), 2)]
    return _Window(tuple(sizes), _spatial(attrs["strides"], data_format),
                   _spatial(attrs.get("dilations", [1] * len(attrs["strides"])), data_format),
                   attrs["padding"], _spatial(pairs, data_format) if pairs else ())


def _to_last(x: np.ndarray, data_format: str) -> np.ndarray:
    return np.moveaxis(x, 1, -1) if _channels_first(data_format) else x


def _from_last(x: np.ndarray, data_format: str) -> np.ndarray:
    result = np.moveaxis(x, -1, 1) if _channels_first(data_format) else x
    return np.ascontiguousarray(result)


def _dims_to_last(dims: Sequence, data_format: str) -> tuple:
    dims = tuple(dims)
    return dims[:1] + dims[2:] + dims[1:2] if _channels_first(data_format) else dims


def _dims_from_last(dims: Sequence, data_format: str) -> tuple:
    dims = tuple(dims)
    return dims[:1] + dims[-1:] + dims[1:-1] if _channels_first(data_format) else dims


def _invalid(message: str) -> errors.InvalidArgumentError:
    return errors.InvalidArgumentError(None, None, message)


def _padded(x: np.ndarray, pads: Sequence, fill: float = 0.0) -> np.ndarray:
    if not any(a or b for a, b in pads):
        return x
    return np.pad(x, ((0, 0),) + tuple(pads) + ((0, 0),), constant_values=fill)


def _windows(padded: np.ndarray, window: _Window, outs: Sequence[int]) -> np.ndarray:
    """A strided view [N, *outs, C, *sizes] of every window of a padded channels-last array."""
    rank = len(outs)
    view = sliding_window_view(padded, window.extents(), axis=tuple(range(1, rank + 1)))
    index = ((slice(None),)
             + tuple(slice(0, (o - 1) * s + 1, s) if o else slice(0, 0)
                     for o, s in zip(outs, window.strides, strict=True))
             + (slice(None),) + tuple(slice(None, None, r) for r in window.dilations))
    return view[index]


def _offset_places(window: _Window, outs: Sequence[int]) -> list:
    """Per window offset (row-major), the index of the inputs it reads for every output."""
    places = []
    for offset in itertools.product(*(range(k) for k in window.sizes)):
        places.append((slice(None),) + tuple(
            slice(i * r, i * r + (o - 1) * s + 1, s) if o else slice(0, 0)
            for i, r, o, s in zip(offset, window.dilations, outs, window.strides, strict=True)))
    return places


def _crop(padded: np.ndarray, pads: Sequence) -> np.ndarray:
    return padded[(slice(None),) + tuple(slice(a, padded.shape[i + 1] - b)
                                         for i, (a, b) in enumerate(pads))]


def _add_windows(patches: np.ndarray, window: _Window, padded_shape: Sequence[int],
                 pads: Sequence) -> np.ndarray:
    """col2im: add patches [N, *outs, *sizes, C] back where their windows lie; crop the pads."""
    rank = len(window.sizes)
    total = np.zeros(padded_shape, patches.dtype)
    taps = itertools.product(*(range(k) for k in window.sizes))
    places = _offset_places(window, patches.shape[1:1 + rank])
    for tap, place in zip(taps, places, strict=True):
        total[place] += patches[(slice(None),) * (1 + rank) + tap]
    return _crop(total, pads)


def _plan_or_raise(window: _Window, spatial: Sequence[int]) -> tuple:
    planned = window.plan(spatial)
    if planned is None:
        raise _invalid(f"Computed output size would be negative: input spatial sizes "
                       f"{list(spatial)} with window {list(window.extents())} and padding "
                       f"{window.padding}")
    return planned


def _check_rank(x: np.ndarray, rank: int, what: str) -> None:
    if x.ndim != rank:
        raise _invalid(f"{what} must be {rank}-dimensional: {list(x.shape)}")


# --- shape inference shared by the ops ---------------------------------------------------------

def _rank_of(t: Tensor, rank: int, what: str) -> Optional[tuple]:
    if t._dims is not None and len(t._dims) != rank:
        raise ShapeError(f"Shape must be rank {rank} but is rank {len(t._dims)} ({what})")
    return t._dims


def _out_dims(attrs: dict, x_dims: Optional[tuple], sizes: Sequence, channels: Any,
              rank: int) -> tuple:
    """Static output dims in the op's data_format, from input dims and window sizes."""
    data_format = attrs["data_format"]
    if x_dims is None:
        last = (None,) * (rank - 1) + (channels,)
        return _dims_from_last(last, data_format)
    last = _dims_to_last(x_dims, data_format)
    spatial = last[1:-1]
    if None in tuple(sizes):
        return _dims_from_last((last[0],) + (None,) * len(spatial) + (channels,), data_format)
    window, outs = _window_of(attrs, sizes), []
    for i, n in enumerate(spatial):
        planned = None if n is None else window.plan_dim(i, n)
        if n is not None and planned is None:
            raise ShapeError(f"Computed output size would be negative: input size {n}, window "
                             f"{window.extents()[i]}, padding {attrs['padding']} (spatial "
                             f"dim {i})")
        outs.append(None if planned is None else planned[0])
    return _dims_from_last((last[0],) + tuple(outs) + (channels,), data_format)


def _known_sizes(sizes_tensor: Tensor, rank: int) -> Optional[tuple]:
    """The dims a `*_sizes` input gives while building (None for each unknown entry)."""
    values = known_ints(partial_vector(sizes_tensor))
    if values is None:
        return (None,) * rank
    if len(values) != rank:
        raise ShapeError(f"Shape must have {rank} elements but has {len(values)} "
                         f"(input or filter sizes {values})")
    return tuple(values)


def _filter_channels(x_dims: Any, w_dims: Any, data_format: str, w_axis: int) -> None:
    if x_dims is None or w_dims is None:
        return
    channels = _dims_to_last(x_dims, data_format)[-1]
    depth = w_dims[w_axis]
    if channels is not None and depth is not None and channels != depth:
        raise ShapeError(f"input depth ({channels}) must equal the filter's input depth "
                         f"({depth}): filter dimension {w_axis}")


# --- Conv2D / Conv3D and their backprops -------------------------------------------------------

def _conv_infer(op_type: str, rank: int) -> Any:
    def infer(inputs: list, attrs: dict) -> list:
        x, w = inputs
        dtype = check_same_dtype(op_type, inputs, ("input", "filter"))
        check_dtype(x, FLOATS, "input")
        x_dims, w_dims = _rank_of(x, rank, "input"), _rank_of(w, rank, "filter")
        _filter_channels(x_dims, w_dims, attrs["data_format"], rank - 2)
        sizes = (None,) * (rank - 2) if w_dims is None else w_dims[:-2]
        channels = None if w_dims is None else w_dims[-1]
        return [(dtype, _out_dims(attrs, x_dims, sizes, channels, rank))]
    return infer


def _conv_forward(x: np.ndarray, w: np.ndarray, window: _Window) -> np.ndarray:
    """Channels-last convolution: the windows copied with C innermost (im2col, the filter's
    order) and one matmul; faster than a tensordot or einsum of the view on LeNet's layers
    (benchmarks/conv_kernels.py)."""
    outs, pads = _plan_or_raise(window, x.shape[1:-1])
    patches = _windows(_padded(x, pads), window, outs)     # [N, *outs, C, *sizes]
    columns = np.moveaxis(patches, len(outs) + 1, -1).reshape(-1, w[..., 0].size)
    out = columns @ w.reshape(-1, w.shape[-1])
    return out.reshape((x.shape[0],) + tuple(outs) + w.shape[-1:]).astype(x.dtype, copy=False)


def _check_conv_inputs(x: np.ndarray, w: np.ndarray, rank: int, channels: int) -> None:
    _check_rank(x, rank, "input")
    _check_rank(w, rank, "filter")
    if channels != w.shape[-2]:
        raise _invalid(f"input depth must be evenly divisible by filter depth: {channels} vs "
                       f"{w.shape[-2]}")


def _conv_kernel(op: Any) -> Any:
    data_format, rank = op._attrs["data_format"], len(op._attrs["strides"])

    def conv(x: Any, w: Any) -> np.ndarray:
        x, w = np.asarray(x), np.asarray(w)
        _check_rank(x, rank, "input")
        x = _to_last(x, data_format)
        _check_conv_inputs(x, w, rank, x.shape[-1])
        return _from_last(_conv_forward(x, w, _window_of(op._attrs, w.shape[:-2])), data_format)
    return conv


def _conv_input_grad(dy: np.ndarray, w: np.ndarray, x_shape: Sequence[int],
                     window: _Window) -> np.ndarray:
    """Channels-last d(conv)/d(input): per filter offset, dy times that tap of the filter,
    added where the offset reads (no [N, *outs, *sizes, C] intermediate)."""
    outs, pads = _plan_or_raise(window, x_shape[1:-1])
    if tuple(dy.shape[1:-1]) != tuple(outs):
        raise _invalid(f"out_backprop spatial sizes {list(dy.shape[1:-1])} do not match the "
                       f"computed output sizes {list(outs)}")
    padded = (x_shape[0],) + tuple(n + a + b for n, (a, b) in zip(x_shape[1:-1], pads,
                                                                  strict=True)) + (x_shape[-1],)
    total = np.zeros(padded, dy.dtype)
    rows = dy.reshape(-1, dy.shape[-1])
    taps = itertools.product(*(range(k) for k in window.sizes))
    for tap, place in zip(taps, _offset_places(window, outs), strict=True):
        total[place] += (rows @ w[tap].T).reshape(dy.shape[:-1] + (x_shape[-1],))
    return _crop(total, pads)


def _conv_filter_grad(x: np.ndarray, dy: np.ndarray, w_shape: Sequence[int],
                      window: _Window) -> np.ndarray:
    """Channels-last d(conv)/d(filter): every window against dy, summed over batch and place."""
    outs, pads = _plan_or_raise(window, x.shape[1:-1])
    patches = _windows(_padded(x, pads), window, outs)     # [N, *outs, C, *sizes]
    # NOTE: copied with C innermost (im2col, the filter's order), then one matmul: faster than
    # a tensordot of the view, which copies it with C outermost (benchmarks/conv_kernels.py)
    columns = np.moveaxis(patches, len(outs) + 1, -1).reshape(-1, int(np.prod(w_shape[:-1])))
    grad = columns.T @ dy.reshape(-1, w_shape[-1])
    return grad.astype(x.dtype, copy=False).reshape(w_shape)


def _sizes(value: Any, rank: int, what: str) -> tuple:
    value = np.asarray(value)
    if value.ndim != 1 or value.size != rank:
        raise _invalid(f"{what} must be a 1-D tensor of {rank} elements, got {value.tolist()}")
    return tuple(int(v) for v in value)


def _conv_input_kernel(op: Any) -> Any:
    data_format, rank = op._attrs["data_format"], len(op._attrs["strides"])

    def backprop_input(sizes: Any, w: Any, dy: Any) -> np.ndarray:
        x_shape = _dims_to_last(_sizes(sizes, rank, "input_sizes"), data_format)
        w, dy = np.asarray(w), _to_last(np.asarray(dy), data_format)
        _check_rank(w, rank, "filter")
        if x_shape[-1] != w.shape[-2] or dy.shape[-1] != w.shape[-1]:
            raise _invalid(f"Conv backprop input: input depth {x_shape[-1]} and out_backprop "
                           f"depth {dy.shape[-1]} must match the filter's {list(w.shape[-2:])}")
        window = _window_of(op._attrs, w.shape[:-2])
        return _from_last(_conv_input_grad(dy, w, x_shape, window), data_format)
    return backprop_input


def _conv_filter_kernel(op: Any) -> Any:
    data_format, rank = op._attrs["data_format"], len(op._attrs["strides"])

    def backprop_filter(x: Any, sizes: Any, dy: Any) -> np.ndarray:
        w_shape = _sizes(sizes, rank, "filter_sizes")
        x, dy = _to_last(np.asarray(x), data_format), _to_last(np.asarray(dy), data_format)
        _check_rank(x, rank, "input")
        if x.shape[-1] != w_shape[-2] or dy.shape[-1] != w_shape[-1]:
            raise _invalid(f"Conv backprop filter: input depth {x.shape[-1]} and out_backprop "
                           f"depth {dy.shape[-1]} must match filter_sizes {list(w_shape)}")
        window = _window_of(op._attrs, w_shape[:-2])
        return _conv_filter_grad(x, dy, w_shape, window)
    return backprop_filter


def _backprop_infer(op_type: str, rank: int) -> Any:
    """Infer for a backprop op (`*BackpropInput*`: sizes, filter, dy; `*BackpropFilter*`:
    input, sizes, dy): its output has the shape its sizes input names."""
    of_input = "Input" in op_type
    value_name, sizes_name = ("filter", "input_sizes") if of_input else ("input", "filter_sizes")

    def infer(inputs: list, attrs: dict) -> list:
        sizes, value = (inputs[0], inputs[1]) if of_input else (inputs[1], inputs[0])
        dy = inputs[2]
        dtype = check_same_dtype(op_type, [value, dy], (value_name, "out_backprop"))
        check_dtype(value, FLOATS, value_name)
        _rank_of(value, rank, value_name)
        _rank_of(dy, rank, "out_backprop")
        if sizes._dims is not None and len(sizes._dims) != 1:
            raise ShapeError(f"Shape must be rank 1 but is rank {len(sizes._dims)} "
                             f"({sizes_name})")
        dims = _known_sizes(sizes, rank)
        if op_type == "Conv2DBackpropInput":  # NOTE: TF's shape function takes N from dy
            dims = (None if dy._dims is None else dy._dims[0],) + dims[1:]
        return [(dtype, dims)]
    return infer


def _conv_attrs(op: Any) -> dict:
    return {k: op.get_attr(k) for k in ("strides", "padding", "explicit_paddings",
                                        "data_format", "dilations", "use_cudnn_on_gpu")
            if k in op._attrs}


def _conv_grad(op: Any, g: Tensor) -> list:
    x, w = op.inputs
    x_shape, w_shape = shape_n([x, w])
    input_op, filter_op = _BACKPROPS[op.type]
    attrs = _conv_attrs(op)
    return [single(apply_op(input_op, [x_shape, w, g], attrs)),
            single(apply_op(filter_op, [x, w_shape, g], attrs))]


def _conv_input_op_grad(op: Any, g: Tensor) -> list:
    """d/d(filter) and d/d(out_backprop) of a backprop-input op (TF's rule)."""
    _, w, dy = op.inputs
    forward, filter_op = _FORWARD[op.type], _BACKPROPS[_FORWARD[op.type]][1]
    attrs = _conv_attrs(op)
    return [None, single(apply_op(filter_op, [g, shape_n([w])[0], dy], attrs)),
            single(apply_op(forward, [g, w], attrs))]


def _conv_filter_op_grad(op: Any, g: Tensor) -> list:
    """d/d(input) and d/d(out_backprop) of a backprop-filter op (TF's rule)."""
    x, _, dy = op.inputs
    forward, input_op = _FORWARD[op.type], _BACKPROPS[_FORWARD[op.type]][0]
    attrs = _conv_attrs(op)
    return [single(apply_op(input_op, [shape_n([x])[0], g, dy], attrs)), None,
            single(apply_op(forward, [x, g], attrs))]


_BACKPROPS = {"Conv2D": ("Conv2DBackpropInput", "Conv2DBackpropFilter"),
              "Conv3D": ("Conv3DBackpropInputV2", "Conv3DBackpropFilterV2"),
              "DepthwiseConv2dNative": ("DepthwiseConv2dNativeBackpropInput",
                                        "DepthwiseConv2dNativeBackpropFilter")}
_FORWARD = {grad: forward for forward, pair in _BACKPROPS.items() for grad in pair}

for _forward, _rank in (("Conv2D", 4), ("Conv3D", 5)):
    # NOTE: `fresh`: a new array each run, so a relu after it may write into it
    register(_forward, _conv_infer(_forward, _rank), _conv_kernel, grad=_conv_grad, fresh=True)
    _input_op, _filter_op = _BACKPROPS[_forward]
    register(_input_op, _backprop_infer(_input_op, _rank), _conv_input_kernel,
             grad=_conv_input_op_grad)
    register(_filter_op, _backprop_infer(_filter_op, _rank), _conv_filter_kernel,
             grad=_conv_filter_op_grad)


# --- DepthwiseConv2dNative and its backprops ---------------------------------------------------

def _depthwise_infer(inputs: list, attrs: dict) -> list:
    x, w = inputs
    dtype = check_same_dtype("DepthwiseConv2dNative", inputs, ("input", "filter"))
    check_dtype(x, FLOATS, "input")
    x_dims, w_dims = _rank_of(x, 4, "input"), _rank_of(w, 4, "filter")
    _filter_channels(x_dims, w_dims, attrs["data_format"], 2)
    sizes = (None, None) if w_dims is None else w_dims[:2]
    channels = None
    if w_dims is not None and None not in w_dims[2:]:
        channels = w_dims[2] * w_dims[3]
    return [(dtype, _out_dims(attrs, x_dims, sizes, channels, 4))]


def _depthwise_kernel(op: Any) -> Any:
    data_format = op._attrs["data_format"]

    def depthwise(x: Any, w: Any) -> np.ndarray:
        x, w = np.asarray(x), np.asarray(w)
        _check_rank(x, 4, "input")
        x = _to_last(x, data_format)
        _check_conv_inputs(x, w, 4, x.shape[-1])
        window = _window_of(op._attrs, w.shape[:2])
        outs, pads = _plan_or_raise(window, x.shape[1:-1])
        patches = _windows(_padded(x, pads), window, outs)  # [N, H, W, C, kh, kw]
        out = np.einsum("nhwcij,ijcm->nhwcm", patches, w, optimize=True)
        return _from_last(out.reshape(out.shape[:3] + (-1,)).astype(x.dtype, copy=False),
                          data_format)
    return depthwise


def _depthwise_input_kernel(op: Any) -> Any:
    data_format = op._attrs["data_format"]

    def backprop_input(sizes: Any, w: Any, dy: Any) -> np.ndarray:
        x_shape = _dims_to_last(_sizes(sizes, 4, "input_sizes"), data_format)
        w, dy = np.asarray(w), _to_last(np.asarray(dy), data_format)
        window = _window_of(op._attrs, w.shape[:2])
        outs, pads = _plan_or_raise(window, x_shape[1:-1])
        per_channel = dy.reshape(dy.shape[:3] + w.shape[2:])
        patches = np.einsum("nhwcm,ijcm->nhwijc", per_channel, w, optimize=True)
        padded = (x_shape[0], x_shape[1] + sum(pads[0]), x_shape[2] + sum(pads[1]), x_shape[3])
        grad = _add_windows(patches.astype(dy.dtype, copy=False), window, padded, pads)
        return _from_last(grad, data_format)
    return backprop_input


def _depthwise_filter_kernel(op: Any) -> Any:
    data_format = op._attrs["data_format"]

    def backprop_filter(x: Any, sizes: Any, dy: Any) -> np.ndarray:
        w_shape = _sizes(sizes, 4, "filter_sizes")
        x, dy = _to_last(np.asarray(x), data_format), _to_last(np.asarray(dy), data_format)
        window = _window_of(op._attrs, w_shape[:2])
        outs, pads = _plan_or_raise(window, x.shape[1:-1])
        patches = _windows(_padded(x, pads), window, outs)
        per_channel = dy.reshape(dy.shape[:3] + tuple(w_shape[2:]))
        grad = np.einsum("nhwcij,nhwcm->ijcm", patches, per_channel, optimize=True)
        return grad.astype(x.dtype, copy=False)
    return backprop_filter


register("DepthwiseConv2dNative", _depthwise_infer, _depthwise_kernel, grad=_conv_grad,
         fresh=True)
register("DepthwiseConv2dNativeBackpropInput",
         _backprop_infer("DepthwiseConv2dNativeBackpropInput", 4), _depthwise_input_kernel,
         grad=_conv_input_op_grad)
register("DepthwiseConv2dNativeBackpropFilter",
         _backprop_infer("DepthwiseConv2dNativeBackpropFilter", 4), _depthwise_filter_kernel,
         grad=_conv_filter_op_grad)


# --- MaxPool, AvgPool (2-D and 3-D) and their gradients ----------------------------------------

def _pool_infer(rank: int) -> Any:
    def infer(inputs: list, attrs: dict) -> list:
        x = inputs[0]
        dtype = check_dtype(x, FLOATS, "input")
        x_dims = _rank_of(x, rank, "input")
        sizes = _spatial(attrs["ksize"], attrs["data_format"])
        channels = None if x_dims is None else _dims_to_last(x_dims, attrs["data_format"])[-1]
        return [(dtype, _out_dims(attrs, x_dims, sizes, channels, rank))]
    return infer


def _pool_slices(x: np.ndarray, op: Any, fill: float) -> tuple:
    """For channels-last x padded with `fill`: one strided view [N, *outs, C] per window
    offset (row-major order), the window and the pads.

    NOTE: a pool is a few elementwise ops over these views; reducing an im2col copy of the
    windows is 10-20 times slower (benchmarks/conv_kernels.py).
    """
    attrs = op._attrs
    window = _window_of(attrs, _spatial(attrs["ksize"], attrs["data_format"]))
    outs, pads = _plan_or_raise(window, x.shape[1:-1])
    padded = _padded(x, pads, fill)
    places = _offset_places(window, outs)
    return [padded[place] for place in places], window, pads


def _reduce(views: list, ufunc: np.ufunc) -> np.ndarray:
    result = views[0].copy()
    for view in views[1:]:
        ufunc(result, view, out=result)
    return result


def _first_max(x: np.ndarray, op: Any) -> tuple:
    """Per window offset (row-major), its place and where it holds its window's first maximum
    (TF's tie rule: the first wins), with the padded shape and pads. Masks of elementwise
    compares, not an argmax over copied windows: several times faster."""
    views, window, pads = _pool_slices(x, op, -np.inf)
    best = _reduce(views, np.maximum)
    unclaimed = np.ones(best.shape, bool)
    hits = []
    for view in views:
        hit = np.equal(view, best)
        hit &= unclaimed
        unclaimed &= ~hit
        hits.append(hit)
    padded = (x.shape[0],) + tuple(n + a + b for n, (a, b) in
                                   zip(x.shape[1:-1], pads, strict=True)) + (x.shape[-1],)
    return zip(_offset_places(window, best.shape[1:-1]), hits, strict=True), best.shape, \
        padded, pads


def _max_pool_kernel(op: Any) -> Any:
    data_format, rank = op._attrs["data_format"], len(op._attrs["ksize"])

    def max_pool(x: Any) -> np.ndarray:
        x = np.asarray(x)
        _check_rank(x, rank, "input")
        views = _pool_slices(_to_last(x, data_format), op, -np.inf)[0]
        return _from_last(_reduce(views, np.maximum), data_format)
    return max_pool


def _avg_pool_forward(x: np.ndarray, op: Any) -> np.ndarray:
    """Channels-last average over each window's real (unpadded) elements, as TF's AvgPool."""
    return _reduce(_pool_slices(x, op, 0.0)[0], np.add) / _counts(x.shape, op)


def _counts(x_shape: Sequence[int], op: Any) -> np.ndarray:
    """How many real input elements each output's window holds, shaped [1, *outs, 1]."""
    ones = np.ones((1,) + tuple(x_shape[1:-1]) + (1,))
    return _reduce(_pool_slices(ones, op, 0.0)[0], np.add)


def _avg_pool_kernel(op: Any) -> Any:
    data_format, rank = op._attrs["data_format"], len(op._attrs["ksize"])

    def avg_pool(x: Any) -> np.ndarray:
        x = np.asarray(x)
        _check_rank(x, rank, "input")
        result = _avg_pool_forward(_to_last(x, data_format), op)
        return _from_last(result.astype(x.dtype, copy=False), data_format)
    return avg_pool


def _max_pool_grad_kernel(op: Any) -> Any:
    data_format = op._attrs["data_format"]

    def max_pool_grad(x: Any, y: Any, dy: Any) -> np.ndarray:
        x, dy = _to_last(np.asarray(x), data_format), _to_last(np.asarray(dy), data_format)
        hits, out_shape, padded, pads = _first_max(x, op)
        if out_shape != dy.shape:
            raise _invalid(f"Expected grad shape to be {list(out_shape)}, but got "
                           f"{list(dy.shape)}")
        total = np.zeros(padded, dy.dtype)
        for place, hit in hits:  # NOTE: overlapping windows add up, as in TF
            total[place] += dy * hit
        return _from_last(_crop(total, pads).astype(x.dtype, copy=False), data_format)
    return max_pool_grad


def _max_pool_grad_grad_kernel(op: Any) -> Any:
    data_format = op._attrs["data_format"]

    def max_pool_grad_grad(x: Any, y: Any, g: Any) -> np.ndarray:
        x, g = _to_last(np.asarray(x), data_format), _to_last(np.asarray(g), data_format)
        hits, out_shape, padded, pads = _first_max(x, op)
        g = _padded(g, pads)
        result = np.zeros(out_shape, g.dtype)
        for place, hit in hits:
            np.copyto(result, g[place], where=hit)
        return _from_last(result.astype(x.dtype, copy=False), data_format)
    return max_pool_grad_grad


def _avg_pool_grad_kernel(op: Any) -> Any:
    data_format, rank = op._attrs["data_format"], len(op._attrs["ksize"])

    def avg_pool_grad(sizes: Any, dy: Any) -> np.ndarray:
        x_shape = _dims_to_last(_sizes(sizes, rank, "orig_input_shape"), data_format)
        dy = _to_last(np.asarray(dy), data_format)
        attrs = op._attrs
        window = _window_of(attrs, _spatial(attrs["ksize"], data_format))
        outs, pads = _plan_or_raise(window, x_shape[1:-1])
        share = dy / _counts(x_shape, op)
        patches = _spread(share, window.sizes)
        padded = (x_shape[0],) + tuple(n + a + b for n, (a, b) in
                                       zip(x_shape[1:-1], pads, strict=True)) + (x_shape[-1],)
        grad = _add_windows(patches, window, padded, pads).astype(dy.dtype, copy=False)
        return _from_last(grad, data_format)
    return avg_pool_grad


def _spread(share: np.ndarray, sizes: Sequence[int]) -> np.ndarray:
    """[N, *outs, C] -> a broadcast view [N, *outs, *sizes, C]: each window gets its share."""
    rank = len(sizes)
    expanded = share.reshape(share.shape[:rank + 1] + (1,) * rank + share.shape[-1:])
    return np.broadcast_to(expanded, share.shape[:rank + 1] + tuple(sizes) + share.shape[-1:])


def _pool_attrs(op: Any) -> dict:
    return {k: op.get_attr(k) for k in ("ksize", "strides", "padding", "explicit_paddings",
                                        "data_format") if k in op._attrs}


_POOL_GRADS = {"MaxPool": "MaxPoolGrad", "MaxPool3D": "MaxPool3DGrad", "AvgPool": "AvgPoolGrad",
               "AvgPool3D": "AvgPool3DGrad"}


def _max_pool_grad(op: Any, g: Tensor) -> list:
    return [single(apply_op(_POOL_GRADS[op.type], [op.inputs[0], op.outputs[0], g],
                            _pool_attrs(op)))]


def _max_pool_grad_grad(op: Any, g: Tensor) -> list:
    """TF's rule for MaxPoolGrad: only its `grad` input matters, through the same argmax."""
    x, y, _ = op.inputs
    return [zeros_like(x), zeros_like(y),
            single(apply_op(op.type + "Grad", [x, y, g], _pool_attrs(op)))]


def _max_pool_grad_of_grad_grad(op: Any, g: Tensor) -> list:
    x, y, _ = op.inputs
    return [zeros_like(x), zeros_like(y),
            single(apply_op(op.type[:-len("Grad")], [x, y, g], _pool_attrs(op)))]


def _avg_pool_grad(op: Any, g: Tensor) -> list:
    sizes = shape_n([op.inputs[0]])[0]
    return [single(apply_op(_POOL_GRADS[op.type], [sizes, g], _pool_attrs(op)))]


def _avg_pool_grad_grad(op: Any, g: Tensor) -> list:
    return [None, single(apply_op(op.type[:-len("Grad")], [g], _pool_attrs(op)))]


def _max_pool_grad_infer(of_output: bool) -> Any:
    """MaxPoolGrad has orig_input's shape, MaxPoolGradGrad orig_output's; the rank is the
    ksize's even when those shapes are unknown."""
    def infer(inputs: list, attrs: dict) -> list:
        dtype = check_same_dtype("MaxPoolGrad", inputs, ("orig_input", "orig_output", "grad"))
        check_dtype(inputs[0], FLOATS, "orig_input")
        rank = len(attrs["ksize"])
        dims = _rank_of(inputs[1 if of_output else 0], rank, "orig_output" if of_output
                        else "orig_input")
        return [(dtype, (None,) * rank if dims is None else dims)]
    return infer


def _avg_pool_grad_infer(rank: int) -> Any:
    def infer(inputs: list, attrs: dict) -> list:
        sizes, dy = inputs
        dtype = check_dtype(dy, FLOATS, "grad")
        _rank_of(dy, rank, "grad")
        return [(dtype, _known_sizes(sizes, rank))]
    return infer


for _suffix, _rank in (("", 4), ("3D", 5)):
    register("MaxPool" + _suffix, _pool_infer(_rank), _max_pool_kernel, grad=_max_pool_grad,
             fresh=True)
    register("AvgPool" + _suffix, _pool_infer(_rank), _avg_pool_kernel, grad=_avg_pool_grad,
             fresh=True)
    register("MaxPool" + _suffix + "Grad", _max_pool_grad_infer(False), _max_pool_grad_kernel,
             grad=_max_pool_grad_grad)
    register("MaxPool" + _suffix + "GradGrad", _max_pool_grad_infer(True),
             _max_pool_grad_grad_kernel, grad=_max_pool_grad_of_grad_grad)
    register("AvgPool" + _suffix + "Grad", _avg_pool_grad_infer(_rank), _avg_pool_grad_kernel,
             grad=_avg_pool_grad_grad)


# --- the builders' argument checks (TF's texts, before any op is built) ------------------------

def _sequence(value: Any, n: int, channel_index: int, name: str) -> list:
    """TF's `_get_sequence`: an int or a list of 1, n or n + 2 ints, as a full-rank list."""
    if value is None:
        return [1] * (n + 2)
    values = static_int_list(value, name)
    if len(values) == n + 2:
        return values
    if len(values) == 1:
        values = values * n
    elif len(values) != n:
        raise ValueError(f"{name} should be of length 1, {n} or {n + 2}. Received: "
                         f"{name}={value} of length {len(values)}")
    return [1, 1] + values if channel_index == 1 else [1] + values + [1]


def _check_format(data_format: Any, rank: int, op_type: str) -> str:
    allowed = _FORMATS[rank]
    if data_format not in allowed:
        names = ", ".join(f'"{f}"' for f in allowed)
        raise ValueError(f"Attr 'data_format' of '{op_type}' Op passed string '{data_format}' "
                         f"not in: {names}.")
    return data_format


def _padding_attrs(padding: Any, rank: int, op_type: str, data_format: str) -> tuple:
    """TF's `convert_padding`: a padding string, or a list of (before, after) per dim."""
    if isinstance(padding, (list, tuple)):
        flat = []
        for pair in padding:
            if not isinstance(pair, (list, tuple)) or len(pair) != 2:
                raise ValueError("When `padding` is a list, each element of `padding` must be a "
                                 f"list/tuple of size 2. Received: padding={padding}")
            flat.extend(int(v) for v in pair)
        if len(padding) != rank:
            raise ValueError(f"When padding is a list, it must be of size {rank}. Received: "
                             f"padding={padding} of size {len(padding)}")
        outer = flat[:2] + (flat[2:4] if _channels_first(data_format) else flat[-2:])
        if any(outer) or min(flat) < 0:
            raise ValueError(f"padding: the batch and channel dimensions must not be padded "
                             f"and no padding may be negative, got {padding}")
        return "EXPLICIT", flat
    if not isinstance(padding, str):
        raise TypeError(f"Expected string for argument 'padding' not {padding!r}.")
    if padding == "EXPLICIT":
        raise ValueError('"EXPLICIT" is not a valid value for `padding`. To use explicit '
                         "padding, `padding` must be a list.")
    if padding not in ("SAME", "VALID"):
        raise ValueError(f"Attr 'padding' of '{op_type}' Op passed string '{padding}' not in: "
                         '"SAME", "VALID", "EXPLICIT".')
    return padding, []


def _check_window_attr(values: list, data_format: str, name: str, op_type: str) -> list:
    """Strides, dilations or ksize: positive, and 1 on the batch and channel dims."""
    outer = [values[0], values[1] if _channels_first(data_format) else values[-1]]
    if outer != [1, 1]:
        raise ValueError(f"{op_type}: {name} on the batch and channel dimensions must be 1 "
                         f"(session_magic does not pool or stride over them), got {values}")
    if min(values) < 1:
        raise ValueError(f"{op_type}: every entry of {name} must be at least 1, got {values}")
    return values


def _conv_attrs_of(op_type: str, rank: int, strides: Any, padding: Any, data_format: Any,
                   dilations: Any) -> dict:
    data_format = _check_format(data_format, rank, op_type)
    channel_index = 1 if _channels_first(data_format) else rank - 1
    padding, explicit = _padding_attrs(padding, rank, op_type, data_format)
    return {"strides": _check_window_attr(_sequence(strides, rank - 2, channel_index,
                                                    "strides"), data_format, "strides", op_type),
            "padding": padding, "explicit_paddings": explicit, "data_format": data_format,
            "dilations": _check_window_attr(_sequence(dilations, rank - 2, channel_index,
                                                      "dilations"), data_format, "dilations",
                                            op_type)}


def _one_of(first: Any, second: Any, names: str) -> Any:
    if first is not None and second is not None:
        raise ValueError(f"Cannot specify both {names}")
    return first if first is not None else second


# --- convolution builders ----------------------------------------------------------------------

def conv2d(input: Any, filter: Any = None, strides: Any = None,  # noqa: A002 - TF's names
           padding: Any = None, use_cudnn_on_gpu: bool = True, data_format: str = "NHWC",
           dilations: Any = (1, 1, 1, 1), name: Optional[str] = None,
           filters: Any = None) -> Tensor:
    """2-D convolution of a 4-D `input` with a `[height, width, in, out]` filter (TF1's
    signature; `padding` "SAME", "VALID" or a list of (before, after) per dim)."""
    filter = _one_of(filter, filters, "'filters' and 'filter'")  # noqa: A001
    attrs = _conv_attrs_of("Conv2D", 4, strides, padding, data_format, dilations)
    attrs["use_cudnn_on_gpu"] = bool(use_cudnn_on_gpu)
    return single(apply_op("Conv2D", [input, filter], attrs, name, arg_names=("input", "filter"),
                           same_dtype=True))


def conv3d(input: Any, filter: Any = None, strides: Any = None,  # noqa: A002 - TF's names
           padding: Any = None, data_format: str = "NDHWC", dilations: Any = (1, 1, 1, 1, 1),
           name: Optional[str] = None, filters: Any = None) -> Tensor:
    """3-D convolution of a 5-D `input` with a `[depth, height, width, in, out]` filter."""
    filter = _one_of(filter, filters, "'filters' and 'filter'")  # noqa: A001
    attrs = _conv_attrs_of("Conv3D", 5, strides, padding, data_format, dilations)
    if attrs["padding"] == "EXPLICIT":
        raise ValueError("Conv3D: padding must be 'SAME' or 'VALID', not a list")
    del attrs["explicit_paddings"]
    return single(apply_op("Conv3D", [input, filter], attrs, name, arg_names=("input", "filter"),
                           same_dtype=True))


def conv2d_backprop_input(input_sizes: Any, filter: Any = None,  # noqa: A002 - TF's names
                          out_backprop: Any = None, strides: Any = None, padding: Any = None,
                          use_cudnn_on_gpu: bool = True, data_format: str = "NHWC",
                          dilations: Any = (1, 1, 1, 1), name: Optional[str] = None,
                          filters: Any = None) -> Tensor:
    """The gradient of conv2d with respect to its input, of shape `input_sizes`."""
    filter = _one_of(filter, filters, "'filters' and 'filter'")  # noqa: A001
    attrs = _conv_attrs_of("Conv2DBackpropInput", 4, strides, padding, data_format, dilations)
    attrs["use_cudnn_on_gpu"] = bool(use_cudnn_on_gpu)
    with op_scope(name, "Conv2DBackpropInput", [filter, out_backprop]) as scope:
        sizes = convert_to_tensor(input_sizes, d.int32, name="input_sizes")
        out_backprop = convert_to_tensor(out_backprop, name="out_backprop")
        filter = convert_to_tensor(filter, out_backprop.dtype, name="filter")  # noqa: A001
        return single(apply_op("Conv2DBackpropInput", [sizes, filter, out_backprop], attrs,
                               scope))


def conv2d_backprop_filter(input: Any, filter_sizes: Any,  # noqa: A002 - TF's names
                           out_backprop: Any, strides: Any, padding: Any,
                           use_cudnn_on_gpu: bool = True, data_format: str = "NHWC",
                           dilations: Any = (1, 1, 1, 1), name: Optional[str] = None) -> Tensor:
    """The gradient of conv2d with respect to its filter, of shape `filter_sizes`."""
    attrs = _conv_attrs_of("Conv2DBackpropFilter", 4, strides, padding, data_format, dilations)
    attrs["use_cudnn_on_gpu"] = bool(use_cudnn_on_gpu)
    with op_scope(name, "Conv2DBackpropFilter", [input, out_backprop]) as scope:
        input = convert_to_tensor(input, name="input")  # noqa: A001
        sizes = convert_to_tensor(filter_sizes, d.int32, name="filter_sizes")
        out_backprop = convert_to_tensor(out_backprop, input.dtype, name="out_backprop")
        return single(apply_op("Conv2DBackpropFilter", [input, sizes, out_backprop], attrs,
                               scope))


def conv2d_transpose(value: Any = None, filter: Any = None,  # noqa: A002 - TF's names
                     output_shape: Any = None, strides: Any = None, padding: str = "SAME",
                     data_format: str = "NHWC", name: Optional[str] = None, input: Any = None,
                     filters: Any = None, dilations: Any = None) -> Tensor:
    """The transpose of conv2d (its input gradient): `filter` is `[h, w, out, in]` and the
    result has `output_shape`."""
    value = _one_of(value, input, "'input' and 'value'")
    filter = _one_of(filter, filters, "'filters' and 'filter'")  # noqa: A001
    attrs = _conv_attrs_of("Conv2DBackpropInput", 4, strides, padding, data_format, dilations)
    attrs["use_cudnn_on_gpu"] = True
    with op_scope(name, "conv2d_transpose", [value, filter, output_shape]) as scope:
        value = convert_to_tensor(value, name="value")
        sizes = convert_to_tensor(output_shape, d.int32, name="input_sizes")
        filter = convert_to_tensor(filter, value.dtype, name="filter")  # noqa: A001
        _check_transpose_shapes(value, filter, sizes, attrs["data_format"])
        return single(apply_op("Conv2DBackpropInput", [sizes, filter, value], attrs, scope))


def _check_transpose_shapes(value: Tensor, filter: Tensor, sizes: Tensor,  # noqa: A002
                            data_format: str) -> None:
    channel = 1 if _channels_first(data_format) else 3
    if sizes._dims is not None and sizes._dims != (4,):
        raise ValueError(f"output_shape must have shape (4,), got {list(sizes._dims)}")
    w_dims = filter._dims
    if w_dims is None:
        return
    if value._dims is not None and None not in (value._dims[channel], w_dims[3]) \
            and value._dims[channel] != w_dims[3]:
        raise ValueError(f"input channels does not match filter's input channels, "
                         f"{value._dims[channel]} != {w_dims[3]}")
    known = constant_value(sizes)
    if known is not None and w_dims[2] is not None and int(known[channel]) != w_dims[2]:
        raise ValueError(f"output_shape does not match filter's output channels, "
                         f"{int(known[channel])} != {w_dims[2]}")


def conv3d_transpose(value: Any = None, filter: Any = None,  # noqa: A002 - TF's names
                     output_shape: Any = None, strides: Any = None, padding: str = "SAME",
                     data_format: str = "NDHWC", name: Optional[str] = None, input: Any = None,
                     filters: Any = None, dilations: Any = None) -> Tensor:
    """The transpose of conv3d: `filter` is `[d, h, w, out, in]`, the result `output_shape`."""
    value = _one_of(value, input, "'input' and 'value'")
    filter = _one_of(filter, filters, "'filters' and 'filter'")  # noqa: A001
    attrs = _conv_attrs_of("Conv3DBackpropInputV2", 5, strides, padding, data_format, dilations)
    if attrs.pop("explicit_paddings"):
        raise ValueError("conv3d_transpose: padding must be 'SAME' or 'VALID', not a list")
    with op_scope(name, "conv3d_transpose", [value, filter, output_shape]) as scope:
        value = convert_to_tensor(value, name="value")
        sizes = convert_to_tensor(output_shape, d.int32, name="input_sizes")
        filter = convert_to_tensor(filter, value.dtype, name="filter")  # noqa: A001
        return single(apply_op("Conv3DBackpropInputV2", [sizes, filter, value], attrs, scope))


def conv3d_backprop_filter_v2(input: Any, filter_sizes: Any,  # noqa: A002 - TF's names
                              out_backprop: Any, strides: Any, padding: str,
                              data_format: str = "NDHWC",
                              dilations: Any = (1, 1, 1, 1, 1),
                              name: Optional[str] = None) -> Tensor:
    """The gradient of conv3d with respect to its filter, of shape `filter_sizes`."""
    attrs = _conv_attrs_of("Conv3DBackpropFilterV2", 5, strides, padding, data_format,
                           dilations)
    del attrs["explicit_paddings"]
    with op_scope(name, "Conv3DBackpropFilterV2", [input, out_backprop]) as scope:
        input = convert_to_tensor(input, name="input")  # noqa: A001
        sizes = convert_to_tensor(filter_sizes, d.int32, name="filter_sizes")
        out_backprop = convert_to_tensor(out_backprop, input.dtype, name="out_backprop")
        return single(apply_op("Conv3DBackpropFilterV2", [input, sizes, out_backprop], attrs,
                               scope))


def conv1d_transpose(input: Any, filters: Any, output_shape: Any,  # noqa: A002 - TF's names
                     strides: Any, padding: str = "SAME", data_format: str = "NWC",
                     dilations: Any = None, name: Optional[str] = None) -> Tensor:
    """The transpose of conv1d, built as TF builds it: ExpandDims, Conv2DBackpropInput (named
    after the scope) and Squeeze. `output_shape` is a list of three ints."""
    if data_format in (None, "NWC"):
        data_format, spatial_start, channel_index = "NHWC", 1, 2
    elif data_format == "NCW":
        data_format, spatial_start, channel_index = "NCHW", 2, 1
    else:
        raise ValueError(f"`data_format` must be 'NWC' or 'NCW'. Received: "
                         f"data_format={data_format}")
    sizes = static_int_list(output_shape, "output_shape")
    if len(sizes) != 3:
        raise ValueError(f"output_shape must have 3 elements, got {output_shape}")
    strides = [1] + _sequence(strides, 1, channel_index, "stride")
    dilations = [1] + _sequence(dilations, 1, channel_index, "dilations")
    attrs = _conv_attrs_of("Conv2DBackpropInput", 4, strides, padding, data_format, dilations)
    attrs["use_cudnn_on_gpu"] = True
    with op_scope(name, "conv1d_transpose", [input, filters, output_shape]) as scope:
        input = expand_dims(input, spatial_start)  # noqa: A001
        filters = expand_dims(filters, 0)
        sizes = concat([sizes[:spatial_start], [1], sizes[spatial_start:]], 0)
        result = single(apply_op("Conv2DBackpropInput", [sizes, filters, input], attrs, scope))
        return squeeze(result, [spatial_start])


def conv1d(value: Any = None, filters: Any = None, stride: Any = None, padding: Any = None,
           use_cudnn_on_gpu: Any = None, data_format: Optional[str] = None,
           name: Optional[str] = None, input: Any = None,  # noqa: A002 - TF's name
           dilations: Any = None) -> Tensor:
    """1-D convolution, built as TF builds it: ExpandDims, Conv2D (named after the scope) and
    Squeeze. `data_format` is "NWC" (default) or "NCW"."""
    value = _one_of(value, input, "'input' and 'value'")
    if data_format in (None, "NHWC", "NWC"):
        data_format, spatial_start, channel_index = "NHWC", -3, 2
    elif data_format in ("NCHW", "NCW"):
        data_format, spatial_start, channel_index = "NCHW", -2, 1
    else:
        raise ValueError(f"`data_format` must be 'NWC' or 'NCW'. Received: "
                         f"data_format={data_format}")
    if not isinstance(padding, str):
        raise TypeError(f"conv1d: padding must be 'SAME' or 'VALID', got {padding!r}")
    strides = [1] + _sequence(stride, 1, channel_index, "stride")
    dilations = [1] + _sequence(dilations, 1, channel_index, "dilations")
    with op_scope(name, "conv1d", [value, filters]) as scope:
        value = expand_dims(value, spatial_start)
        filters = expand_dims(filters, 0)
        result = conv2d(value, filters, strides, padding,
                        True if use_cudnn_on_gpu is None else use_cudnn_on_gpu,
                        data_format, dilations, name=scope)
        return squeeze(result, [spatial_start])


def depthwise_conv2d_native(input: Any, filter: Any, strides: Any,  # noqa: A002 - TF's names
                            padding: Any, data_format: str = "NHWC",
                            dilations: Any = (1, 1, 1, 1), name: Optional[str] = None) -> Tensor:
    """Each input channel convolved with its own `channel_multiplier` filters."""
    attrs = _conv_attrs_of("DepthwiseConv2dNative", 4, strides, padding, data_format, dilations)
    return single(apply_op("DepthwiseConv2dNative", [input, filter], attrs, name,
                           arg_names=("input", "filter"), same_dtype=True))


def depthwise_conv2d_native_backprop_input(input_sizes: Any, filter: Any,  # noqa: A002
                                           out_backprop: Any, strides: Any, padding: Any,
                                           data_format: str = "NHWC",
                                           dilations: Any = (1, 1, 1, 1),
                                           name: Optional[str] = None) -> Tensor:
    """The gradient of depthwise_conv2d_native with respect to its input."""
    attrs = _conv_attrs_of("DepthwiseConv2dNativeBackpropInput", 4, strides, padding,
                           data_format, dilations)
    with op_scope(name, "DepthwiseConv2dNativeBackpropInput", [filter, out_backprop]) as scope:
        sizes = convert_to_tensor(input_sizes, d.int32, name="input_sizes")
        out_backprop = convert_to_tensor(out_backprop, name="out_backprop")
        filter = convert_to_tensor(filter, out_backprop.dtype, name="filter")  # noqa: A001
        return single(apply_op("DepthwiseConv2dNativeBackpropInput",
                               [sizes, filter, out_backprop], attrs, scope))


def depthwise_conv2d_native_backprop_filter(input: Any, filter_sizes: Any,  # noqa: A002
                                            out_backprop: Any, strides: Any, padding: Any,
                                            data_format: str = "NHWC",
                                            dilations: Any = (1, 1, 1, 1),
                                            name: Optional[str] = None) -> Tensor:
    """The gradient of depthwise_conv2d_native with respect to its filter."""
    attrs = _conv_attrs_of("DepthwiseConv2dNativeBackpropFilter", 4, strides, padding,
                           data_format, dilations)
    with op_scope(name, "DepthwiseConv2dNativeBackpropFilter", [input, out_backprop]) as scope:
        input = convert_to_tensor(input, name="input")  # noqa: A001
        sizes = convert_to_tensor(filter_sizes, d.int32, name="filter_sizes")
        out_backprop = convert_to_tensor(out_backprop, input.dtype, name="out_backprop")
        return single(apply_op("DepthwiseConv2dNativeBackpropFilter",
                               [input, sizes, out_backprop], attrs, scope))


def _rate(rate: Any, dilations: Any) -> list:
    rate = _one_of(rate, dilations, "'rate' and 'dilations'")
    values = [1, 1] if rate is None else static_int_list(rate, "rate")
    values = values * 2 if len(values) == 1 else values
    if len(values) != 2 or min(values) < 1:
        raise ValueError(f"rate must be one or two positive ints, got {rate}")
    return values


def _depthwise(x: Tensor, w: Tensor, strides: Any, padding: Any, rate: list,
               data_format: Optional[str], name: str) -> Tensor:
    """NOTE: TF builds a rate above 1 with SpaceToBatchND around the op; the op's own
    `dilations` gives the same values with one op (docs/differences.md)."""
    data_format = data_format or "NHWC"
    strides = static_int_list(strides, "strides")
    if max(rate) > 1 and max(strides) > 1:
        raise ValueError(f"rate {rate} and strides {strides} cannot both be above 1")
    dilations = [1, 1] + rate if _channels_first(data_format) else [1] + rate + [1]
    return depthwise_conv2d_native(x, w, strides, padding, data_format, dilations, name)


def depthwise_conv2d(input: Any, filter: Any, strides: Any,  # noqa: A002 - TF's names
                     padding: Any, rate: Any = None, name: Optional[str] = None,
                     data_format: Optional[str] = None, dilations: Any = None) -> Tensor:
    """Depthwise 2-D convolution; `filter` is `[h, w, in_channels, channel_multiplier]`."""
    rate = _rate(rate, dilations)
    with op_scope(name, "depthwise", [input, filter]) as scope:
        input = convert_to_tensor(input, name="tensor_in")  # noqa: A001
        filter = convert_to_tensor(filter, input.dtype, name="filter_in")  # noqa: A001
        return _depthwise(input, filter, strides, padding, rate, data_format, scope)


def separable_conv2d(input: Any, depthwise_filter: Any,  # noqa: A002 - TF's names
                     pointwise_filter: Any, strides: Any, padding: Any, rate: Any = None,
                     name: Optional[str] = None, data_format: Optional[str] = None,
                     dilations: Any = None) -> Tensor:
    """A depthwise convolution (named `depthwise`) then a 1x1 conv2d mixing channels."""
    rate = _rate(rate, dilations)
    with op_scope(name, "separable_conv2d", [input, depthwise_filter, pointwise_filter]) as scope:
        input = convert_to_tensor(input, name="tensor_in")  # noqa: A001
        depthwise_filter = convert_to_tensor(depthwise_filter, input.dtype,
                                             name="depthwise_filter")
        pointwise_filter = convert_to_tensor(pointwise_filter, input.dtype,
                                             name="pointwise_filter")
        dims = pointwise_filter._dims
        if dims is not None and (len(dims) != 4 or dims[0] not in (1, None)
                                 or dims[1] not in (1, None)):
            raise ValueError(f"pointwise_filter must have shape [1, 1, in, out], got "
                             f"{pointwise_filter.shape}")
        depthwise = _depthwise(input, depthwise_filter, strides, padding, rate, data_format,
                               "depthwise")
        return conv2d(depthwise, pointwise_filter, [1, 1, 1, 1], "VALID",
                      data_format=data_format or "NHWC", name=scope)


def convolution(input: Any, filter: Any = None, padding: Any = None,  # noqa: A002 - TF's names
                strides: Any = None, dilation_rate: Any = None, name: Optional[str] = None,
                data_format: Optional[str] = None, filters: Any = None,
                dilations: Any = None) -> Tensor:
    """N-D convolution (N = 1, 2 or 3, from the input's rank), as conv1d, conv2d or conv3d.

    NOTE: TF builds a dilation rate above 1 with SpaceToBatchND; here it is the op's
    `dilations` (docs/differences.md)."""
    filter = _one_of(filter, filters, "'filters' and 'filter'")  # noqa: A001
    dilation_rate = _one_of(dilation_rate, dilations, "'dilations' and 'dilation_rate'")
    with op_scope(name, "convolution", [input, filter]) as scope:
        input = convert_to_tensor(input, name="input")  # noqa: A001
        rank = None if input._dims is None else len(input._dims)
        if rank not in (3, 4, 5):
            raise ValueError(f"convolution: input must be of rank 3, 4 or 5 (known while "
                             f"building), got shape {input.shape}")
        if rank == 3:
            fmt = "NCW" if data_format and data_format.startswith("NC") else "NWC"
            return conv1d(input, filter, strides, padding, data_format=fmt,
                          dilations=dilation_rate, name=scope)
        build = conv2d if rank == 4 else conv3d
        fmt = _FORMATS[rank][1 if data_format and data_format.startswith("NC") else 0]
        return build(input, filter, strides, padding, data_format=fmt,
                     dilations=dilation_rate, name=scope)


def atrous_conv2d(value: Any, filters: Any, rate: Any, padding: Any,
                  name: Optional[str] = None) -> Tensor:
    """conv2d with holes: the filter dilated by `rate` in both spatial dims."""
    if int(rate) < 1:
        raise ValueError(f"rate {rate} cannot be less than one")
    return convolution(value, filters, padding, dilation_rate=[int(rate)] * 2, name=name)


# --- pooling builders --------------------------------------------------------------------------

def _pool(op_type: str, rank: int, value: Any, ksize: Any, strides: Any, padding: Any,
          data_format: Any, name: Optional[str], default_name: str) -> Tensor:
    data_format = _check_format("NHWC" if data_format is None else data_format, rank, op_type)
    channel_index = 1 if _channels_first(data_format) else rank - 1
    ksize = _check_window_attr(_sequence(ksize, rank - 2, channel_index, "ksize"),
                               data_format, "ksize", op_type)
    strides = _check_window_attr(_sequence(strides, rank - 2, channel_index, "strides"),
                                 data_format, "strides", op_type)
    if isinstance(padding, (list, tuple)) and op_type != "MaxPool":
        raise TypeError(f"Expected string for argument 'padding' not {padding!r}.")
    padding, explicit = _padding_attrs(padding, rank, op_type, data_format)
    attrs = {"ksize": ksize, "strides": strides, "padding": padding,
             "data_format": data_format}
    if op_type == "MaxPool":
        attrs["explicit_paddings"] = explicit
    with op_scope(name, default_name, [value]) as scope:
        value = convert_to_tensor(value, name="input")
        return single(apply_op(op_type, [value], attrs, scope))


def max_pool(value: Any, ksize: Any, strides: Any, padding: Any,
             data_format: str = "NHWC", name: Optional[str] = None,
             input: Any = None) -> Tensor:  # noqa: A002 - TF's name
    """The maximum over each `ksize` window (ints or lists; SAME padding never wins a max)."""
    value = _one_of(value, input, "'input' and 'value'")
    return _pool("MaxPool", 4, value, ksize, strides, padding, data_format, name, "MaxPool")


def avg_pool(value: Any, ksize: Any, strides: Any, padding: Any,
             data_format: str = "NHWC", name: Optional[str] = None,
             input: Any = None) -> Tensor:  # noqa: A002 - TF's name
    """The mean over each `ksize` window, of its real elements only (SAME pads are not
    counted)."""
    value = _one_of(value, input, "'input' and 'value'")
    return _pool("AvgPool", 4, value, ksize, strides, padding, data_format, name, "AvgPool")


avg_pool2d = avg_pool


def max_pool2d(input: Any, ksize: Any, strides: Any, padding: Any,  # noqa: A002 - TF's name
               data_format: str = "NHWC", name: Optional[str] = None) -> Tensor:
    """max_pool, by its TF 2 name (ops named `MaxPool2d`)."""
    return _pool("MaxPool", 4, input, ksize, strides, padding, data_format, name, "MaxPool2d")


def max_pool3d(input: Any, ksize: Any, strides: Any, padding: Any,  # noqa: A002 - TF's name
               data_format: str = "NDHWC", name: Optional[str] = None) -> Tensor:
    """The maximum over each 3-D `ksize` window of a 5-D input."""
    return _pool("MaxPool3D", 5, input, ksize, strides, padding, data_format, name, "MaxPool3D")


def avg_pool3d(input: Any, ksize: Any, strides: Any, padding: Any,  # noqa: A002 - TF's name
               data_format: str = "NDHWC", name: Optional[str] = None) -> Tensor:
    """The mean over each 3-D `ksize` window of a 5-D input (pads not counted)."""
    return _pool("AvgPool3D", 5, input, ksize, strides, padding, data_format, name, "AvgPool3D")


def pool(input: Any, window_shape: Any, pooling_type: str,  # noqa: A002 - TF's names
         padding: Any, dilation_rate: Any = None, strides: Any = None,
         name: Optional[str] = None, data_format: Optional[str] = None,
         dilations: Any = None) -> Tensor:
    """N-D max or average pooling (N = 1, 2 or 3 from `window_shape`); a 1-D pool is a 2-D
    one between ExpandDims and Squeeze, as TF builds it."""
    if pooling_type not in ("MAX", "AVG"):
        raise ValueError(f"Invalid pooling_type: {pooling_type!r} (use 'MAX' or 'AVG')")
    window_shape = static_int_list(window_shape, "window_shape")
    n = len(window_shape)
    if n not in (1, 2, 3):
        raise ValueError(f"window_shape must have 1, 2 or 3 entries, got {window_shape}")
    rate = _one_of(dilation_rate, dilations, "'dilations' and 'dilation_rate'")
    if rate is not None and any(r != 1 for r in static_int_list(rate, "dilation_rate")):
        raise ValueError("pool: a dilation_rate above 1 is not supported by session_magic yet")
    strides = [1] * n if strides is None else static_int_list(strides, "strides")
    channels_first = bool(data_format) and data_format.startswith("NC")
    with op_scope(name, f"{pooling_type.lower()}_pool", [input]) as scope:
        input = convert_to_tensor(input, name="input")  # noqa: A001
        if n == 1:
            axis = 2 if channels_first else 1
            input = expand_dims(input, axis)  # noqa: A001
            window_shape, strides = [1] + window_shape, [1] + strides
        rank = max(n, 2) + 2
        op_type = ("MaxPool" if pooling_type == "MAX" else "AvgPool") + ("3D" if n == 3 else "")
        fmt = _FORMATS[rank][1 if channels_first else 0]
        result = _pool(op_type, rank, input, window_shape, strides, padding, fmt, scope, "")
        return squeeze(result, [axis]) if n == 1 else result

