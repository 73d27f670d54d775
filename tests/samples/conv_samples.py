"""Samples for the op blocks of ops/conv_ops.py: convolutions, pooling and their gradient ops,
each against a loop-per-output NumPy reference written here (no windows views, no im2col)."""
from __future__ import annotations

import itertools

import numpy as np

import session_magic as sm
from session_magic.ops.registry import apply_op

from . import Sample, f32, f64

SAMPLES: list[Sample] = []


def _add(*samples: Sample) -> None:
    SAMPLES.extend(samples)


# --- loop references, channels-last, any number of spatial dims --------------------------------

def same_pads(sizes: tuple, extents: tuple, strides: tuple) -> list:
    """TF's SAME padding: output ceil(n / s), the odd pad after."""
    pads = []
    for n, e, s in zip(sizes, extents, strides, strict=True):
        total = max((-(-n // s) - 1) * s + e - n, 0)
        pads.append((total // 2, total - total // 2))
    return pads


def _geometry(x_shape: tuple, window: tuple, strides: tuple, padding, dilations: tuple):
    extents = tuple((k - 1) * r + 1 for k, r in zip(window, dilations, strict=True))
    spatial = x_shape[1:-1]
    if padding == "SAME":
        pads = same_pads(spatial, extents, strides)
    elif padding == "VALID":
        pads = [(0, 0)] * len(spatial)
    else:
        pads = padding
    outs = tuple((n + a + b - e) // s + 1
                 for n, (a, b), e, s in zip(spatial, pads, extents, strides, strict=True))
    return pads, outs


def _window_slices(position: tuple, strides: tuple, window: tuple, dilations: tuple) -> tuple:
    return tuple(slice(p * s, p * s + (k - 1) * r + 1, r)
                 for p, s, k, r in zip(position, strides, window, dilations, strict=True))


def conv_reference(x, w, strides, padding, dilations=None):
    """Channels-last convolution, one output position at a time."""
    rank = x.ndim - 2
    dilations = dilations or (1,) * rank
    pads, outs = _geometry(x.shape, w.shape[:-2], strides, padding, dilations)
    padded = np.pad(x, [(0, 0)] + list(pads) + [(0, 0)])
    out = np.zeros((x.shape[0],) + outs + (w.shape[-1],), x.dtype)
    for position in itertools.product(*(range(o) for o in outs)):
        where = _window_slices(position, strides, w.shape[:-2], dilations)
        patch = padded[(slice(None),) + where]
        out[(slice(None),) + position] = np.tensordot(patch, w, axes=rank + 1)
    return out


def conv_input_grad_reference(x_shape, w, dy, strides, padding, dilations=None):
    """The transpose of conv_reference: each output's dy spread back through the filter."""
    rank = len(x_shape) - 2
    dilations = dilations or (1,) * rank
    pads, outs = _geometry(tuple(x_shape), w.shape[:-2], strides, padding, dilations)
    padded = np.zeros([x_shape[0]] + [n + a + b for n, (a, b) in zip(x_shape[1:-1], pads,
                                                                      strict=True)]
                      + [x_shape[-1]], dy.dtype)
    for position in itertools.product(*(range(o) for o in outs)):
        where = _window_slices(position, strides, w.shape[:-2], dilations)
        contribution = np.tensordot(dy[(slice(None),) + position], w, axes=([1], [rank + 1]))
        padded[(slice(None),) + where] += contribution
    crop = tuple(slice(a, a + n) for (a, _), n in zip(pads, x_shape[1:-1], strict=True))
    return padded[(slice(None),) + crop]


def conv_filter_grad_reference(x, w_shape, dy, strides, padding, dilations=None):
    rank = x.ndim - 2
    dilations = dilations or (1,) * rank
    pads, outs = _geometry(x.shape, tuple(w_shape[:-2]), strides, padding, dilations)
    padded = np.pad(x, [(0, 0)] + list(pads) + [(0, 0)])
    grad = np.zeros(w_shape, x.dtype)
    for position in itertools.product(*(range(o) for o in outs)):
        where = _window_slices(position, strides, tuple(w_shape[:-2]), dilations)
        patch = padded[(slice(None),) + where]
        grad += np.tensordot(patch, dy[(slice(None),) + position], axes=([0], [0]))
    return grad


def depthwise_reference(x, w, strides, padding, dilations=(1, 1)):
    """Input channel c against its own filters w[..., c, :]; outputs c * multiplier + m."""
    outputs = [conv_reference(x[..., c:c + 1], w[:, :, c:c + 1, :], strides, padding, dilations)
               for c in range(x.shape[-1])]
    return np.concatenate(outputs, axis=-1)


def pool_reference(x, window, strides, padding, kind):
    """Max or mean of each window's real elements (pads never count)."""
    pads, outs = _geometry(x.shape, window, strides, padding, (1,) * len(window))
    padded = np.pad(x.astype(np.float64), [(0, 0)] + list(pads) + [(0, 0)],
                    constant_values=np.nan)
    out = np.zeros((x.shape[0],) + outs + (x.shape[-1],), x.dtype)
    for position in itertools.product(*(range(o) for o in outs)):
        where = _window_slices(position, strides, window, (1,) * len(window))
        patch = padded[(slice(None),) + where]
        axes = tuple(range(1, len(window) + 1))
        out[(slice(None),) + position] = (np.nanmax(patch, axis=axes) if kind == "MAX"
                                          else np.nanmean(patch, axis=axes))
    return out


def max_pool_grad_reference(x, dy, window, strides, padding):
    """Each output's gradient to its window's first maximum (row-major order), as TF."""
    pads, outs = _geometry(x.shape, window, strides, padding, (1,) * len(window))
    padded = np.pad(x.astype(np.float64), [(0, 0)] + list(pads) + [(0, 0)],
                    constant_values=-np.inf)
    grad = np.zeros(padded.shape, dy.dtype)
    for n, c in itertools.product(range(x.shape[0]), range(x.shape[-1])):
        for position in itertools.product(*(range(o) for o in outs)):
            where = _window_slices(position, strides, window, (1,) * len(window))
            patch = padded[(n,) + where + (c,)]
            offset = np.unravel_index(np.argmax(patch), patch.shape)
            at = tuple(p * s + o for p, s, o in zip(position, strides, offset, strict=True))
            grad[(n,) + at + (c,)] += dy[(n,) + position + (c,)]
    crop = tuple(slice(a, a + m) for (a, _), m in zip(pads, x.shape[1:-1], strict=True))
    return grad[(slice(None),) + crop]


def avg_pool_grad_reference(x_shape, dy, window, strides, padding):
    """Each output's gradient shared evenly among its window's real elements."""
    pads, outs = _geometry(tuple(x_shape), window, strides, padding, (1,) * len(window))
    real = np.pad(np.ones(x_shape[1:-1]), list(pads))
    grad = np.zeros((x_shape[0],) + real.shape + (x_shape[-1],), dy.dtype)
    for position in itertools.product(*(range(o) for o in outs)):
        where = _window_slices(position, strides, window, (1,) * len(window))
        share = dy[(slice(None),) + position] / real[where].sum()
        grad[(slice(None),) + where] += share.reshape(
            (share.shape[0],) + (1,) * len(window) + (share.shape[-1],))
    crop = tuple(slice(a, a + m) for (a, _), m in zip(pads, x_shape[1:-1], strict=True))
    return grad[(slice(None),) + crop]


def _nchw(x):
    return np.moveaxis(x, -1, 1)


def _nhwc(x):
    return np.moveaxis(x, 1, -1)


# --- Conv2D and its backprops --------------------------------------------------------------------

_X = f32(2, 5, 6, 3)
_W = f32(3, 2, 3, 4, seed=1)
_EXPLICIT = [[0, 0], [1, 2], [0, 1], [0, 0]]

_add(
    Sample("Conv2D", lambda x, w: sm.nn.conv2d(x, w, [1, 1, 1, 1], "VALID"), [_X, _W],
           lambda x, w: conv_reference(x, w, (1, 1), "VALID"), rtol=1e-5, atol=1e-5,
           label="VALID"),
    Sample("Conv2D", lambda x, w: sm.nn.conv2d(x, w, [1, 2, 1, 1], "SAME"), [_X, _W],
           lambda x, w: conv_reference(x, w, (2, 1), "SAME"), rtol=1e-5, atol=1e-5,
           label="SAME, stride 2 on height"),
    Sample("Conv2D", lambda x, w: sm.nn.conv2d(x, w, 2, "SAME"), [f32(1, 6, 6, 3), _W],
           lambda x, w: conv_reference(x, w, (2, 2), "SAME"), rtol=1e-5, atol=1e-5,
           label="SAME, even sizes, int strides"),
    Sample("Conv2D", lambda x, w: sm.nn.conv2d(x, w, 1, _EXPLICIT), [_X, _W],
           lambda x, w: conv_reference(x, w, (1, 1), [(1, 2), (0, 1)]), rtol=1e-5, atol=1e-5,
           label="explicit padding"),
    Sample("Conv2D", lambda x, w: sm.nn.conv2d(x, w, 1, "SAME", dilations=[1, 2, 2, 1]),
           [_X, _W], lambda x, w: conv_reference(x, w, (1, 1), "SAME", (2, 2)), rtol=1e-5,
           atol=1e-5, label="dilations 2"),
    Sample("Conv2D", lambda x, w: sm.nn.conv2d(x, w, [1, 1, 2, 1], "SAME", data_format="NCHW"),
           [_nchw(_X), _W],
           lambda x, w: _nchw(conv_reference(_nhwc(x), w, (2, 1), "SAME")), rtol=1e-5,
           atol=1e-5, label="NCHW", modes=("constants",)),
    Sample("Conv2D", lambda x, w: sm.nn.conv2d(x, w, 1, "VALID"), [f64(1, 4, 4, 2),
                                                                  f64(2, 2, 2, 1, seed=2)],
           lambda x, w: conv_reference(x, w, (1, 1), "VALID"), label="float64"),
)

_DY_SAME = f32(2, 3, 6, 4, seed=3)      # conv of _X with _W, SAME, strides (2, 1)
_DY_VALID = f32(2, 3, 5, 4, seed=4)     # VALID, strides 1
_X_SIZES = np.array(_X.shape, np.int32)
_W_SIZES = np.array(_W.shape, np.int32)

_add(
    Sample("Conv2DBackpropInput",
           lambda s, w, dy: sm.nn.conv2d_backprop_input(s, w, dy, [1, 2, 1, 1], "SAME"),
           [_X_SIZES, _W, _DY_SAME],
           lambda s, w, dy: conv_input_grad_reference(s, w, dy, (2, 1), "SAME"), rtol=1e-5,
           atol=1e-5, label="SAME, stride 2"),
    Sample("Conv2DBackpropInput",
           lambda s, w, dy: sm.nn.conv2d_backprop_input(s, w, dy, [1, 1, 1, 1], "VALID"),
           [_X_SIZES, _W, _DY_VALID],
           lambda s, w, dy: conv_input_grad_reference(s, w, dy, (1, 1), "VALID"), rtol=1e-5,
           atol=1e-5, label="VALID"),
    Sample("Conv2DBackpropFilter",
           lambda x, s, dy: sm.nn.conv2d_backprop_filter(x, s, dy, [1, 2, 1, 1], "SAME"),
           [_X, _W_SIZES, _DY_SAME],
           lambda x, s, dy: conv_filter_grad_reference(x, s, dy, (2, 1), "SAME"), rtol=1e-5,
           atol=1e-5, label="SAME, stride 2"),
    Sample("Conv2DBackpropFilter",
           lambda x, s, dy: sm.nn.conv2d_backprop_filter(x, s, dy, [1, 1, 1, 1], "VALID"),
           [_X, _W_SIZES, _DY_VALID],
           lambda x, s, dy: conv_filter_grad_reference(x, s, dy, (1, 1), "VALID"), rtol=1e-5,
           atol=1e-5, label="VALID"),
)

# --- conv1d, conv2d_transpose, convolution (Conv2D and its input backprop underneath) ----------

_add(
    Sample("Conv2D", lambda x, w: sm.nn.conv1d(x, w, 2, "SAME"), [f32(2, 7, 3), f32(3, 3, 2)],
           lambda x, w: conv_reference(x[:, None], w[None], (1, 2), "SAME")[:, 0], rtol=1e-5,
           atol=1e-5, label="conv1d"),
    Sample("Conv2DBackpropInput",
           lambda x, w: sm.nn.conv2d_transpose(x, w, [2, 6, 10, 5], [1, 2, 2, 1], "SAME"),
           [f32(2, 3, 5, 4), f32(3, 3, 5, 4, seed=1)],
           lambda x, w: conv_input_grad_reference((2, 6, 10, 5), w, x, (2, 2), "SAME"),
           rtol=1e-5, atol=1e-5, label="conv2d_transpose"),
    Sample("Conv2DBackpropInput",
           lambda x, w: sm.nn.conv1d_transpose(x, w, [2, 8, 3], 2, "SAME"),
           [f32(2, 4, 5), f32(3, 3, 5, seed=1)],
           lambda x, w: conv_input_grad_reference((2, 1, 8, 3), w[None], x[:, None], (1, 2),
                                                  "SAME")[:, 0],
           rtol=1e-5, atol=1e-5, label="conv1d_transpose"),
    Sample("Conv2D", lambda x, w: sm.nn.convolution(x, w, "VALID"), [_X, _W],
           lambda x, w: conv_reference(x, w, (1, 1), "VALID"), rtol=1e-5, atol=1e-5,
           label="convolution", unknown_shapes=False),
)

# --- DepthwiseConv2dNative and its backprops -----------------------------------------------------

_DW = f32(3, 3, 3, 2, seed=5)
_DDY = f32(2, 5, 6, 6, seed=6)          # depthwise of _X with _DW, SAME, strides 1

_add(
    Sample("DepthwiseConv2dNative",
           lambda x, w: sm.nn.depthwise_conv2d(x, w, [1, 1, 1, 1], "SAME"), [_X, _DW],
           lambda x, w: depthwise_reference(x, w, (1, 1), "SAME"), rtol=1e-5, atol=1e-5),
    Sample("DepthwiseConv2dNative",
           lambda x, w: sm.nn.depthwise_conv2d_native(x, w, [1, 2, 2, 1], "VALID"), [_X, _DW],
           lambda x, w: depthwise_reference(x, w, (2, 2), "VALID"), rtol=1e-5, atol=1e-5,
           label="VALID, strides 2"),
    Sample("DepthwiseConv2dNativeBackpropInput",
           lambda s, w, dy: sm.nn.depthwise_conv2d_native_backprop_input(
               s, w, dy, [1, 1, 1, 1], "SAME"), [_X_SIZES, _DW, _DDY],
           lambda s, w, dy: _depthwise_input_grad(s, w, dy), rtol=1e-5, atol=1e-5),
    Sample("DepthwiseConv2dNativeBackpropFilter",
           lambda x, s, dy: sm.nn.depthwise_conv2d_native_backprop_filter(
               x, s, dy, [1, 1, 1, 1], "SAME"), [_X, np.array(_DW.shape, np.int32), _DDY],
           lambda x, s, dy: _depthwise_filter_grad(x, s, dy), rtol=1e-5, atol=1e-5),
)


def _depthwise_input_grad(sizes, w, dy):
    multiplier = w.shape[-1]
    return np.concatenate(
        [conv_input_grad_reference(tuple(sizes[:3]) + (1,), w[:, :, c:c + 1, :],
                                   dy[..., c * multiplier:(c + 1) * multiplier], (1, 1), "SAME")
         for c in range(sizes[3])], axis=-1)


def _depthwise_filter_grad(x, sizes, dy):
    multiplier = sizes[-1]
    return np.concatenate(
        [conv_filter_grad_reference(x[..., c:c + 1], (sizes[0], sizes[1], 1, multiplier),
                                    dy[..., c * multiplier:(c + 1) * multiplier], (1, 1), "SAME")
         for c in range(sizes[2])], axis=2)


# --- MaxPool, AvgPool and their gradients ------------------------------------------------------

_P = f32(2, 5, 6, 3, seed=7)
_TIES = np.array([[1, 3, 3, 0], [3, 2, 1, 1], [0, 0, 5, 5], [0, 0, 5, 5]],
                 np.float32).reshape(1, 4, 4, 1)

_add(
    Sample("MaxPool", lambda x: sm.nn.max_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], "SAME"), [_P],
           lambda x: pool_reference(x, (2, 2), (2, 2), "SAME", "MAX"), label="SAME"),
    Sample("MaxPool", lambda x: sm.nn.max_pool(x, 3, 1, "VALID"), [_P],
           lambda x: pool_reference(x, (3, 3), (1, 1), "VALID", "MAX"),
           label="VALID, overlapping, int ksize"),
    Sample("MaxPool", lambda x: sm.nn.max_pool2d(x, 2, 2, "VALID", data_format="NCHW"),
           [_nchw(_P)], lambda x: _nchw(pool_reference(_nhwc(x), (2, 2), (2, 2), "VALID",
                                                       "MAX")),
           label="max_pool2d NCHW", modes=("constants",)),
    Sample("MaxPool", lambda x: sm.nn.pool(x, [2, 2], "MAX", "SAME", strides=[2, 2]), [_P],
           lambda x: pool_reference(x, (2, 2), (2, 2), "SAME", "MAX"), label="pool MAX"),
    Sample("MaxPool", lambda x: sm.nn.max_pool(x, 2, 2, "VALID"), [_TIES],
           lambda x: pool_reference(x, (2, 2), (2, 2), "VALID", "MAX"), label="ties",
           grad_check=False),
    Sample("AvgPool", lambda x: sm.nn.avg_pool(x, [1, 3, 3, 1], [1, 2, 2, 1], "SAME"), [_P],
           lambda x: pool_reference(x, (3, 3), (2, 2), "SAME", "AVG"), rtol=1e-5,
           label="SAME: pads not counted"),
    Sample("AvgPool", lambda x: sm.nn.avg_pool2d(x, 2, 1, "VALID"), [_P],
           lambda x: pool_reference(x, (2, 2), (1, 1), "VALID", "AVG"), rtol=1e-5,
           label="avg_pool2d VALID"),
    Sample("AvgPool", lambda x: sm.nn.pool(x, [2], "AVG", "VALID"), [f32(2, 5, 3)],
           lambda x: pool_reference(x, (2,), (1,), "VALID", "AVG"), rtol=1e-5,
           label="pool AVG 1-D"),
)

_POOL_ATTRS = {"ksize": [1, 2, 2, 1], "strides": [1, 2, 2, 1], "padding": "SAME",
               "data_format": "NHWC"}
_P_OUT = pool_reference(_P, (2, 2), (2, 2), "SAME", "MAX")
_P_DY = f32(2, 3, 3, 3, seed=8)
_TIES_OUT = pool_reference(_TIES, (2, 2), (2, 2), "VALID", "MAX")
_TIES_ATTRS = dict(_POOL_ATTRS, padding="VALID")

_add(
    Sample("MaxPoolGrad", lambda x, y, g: apply_op("MaxPoolGrad", [x, y, g], _POOL_ATTRS)
           .outputs[0], [_P, _P_OUT, _P_DY],
           lambda x, y, g: max_pool_grad_reference(x, g, (2, 2), (2, 2), "SAME")),
    Sample("MaxPoolGrad", lambda x, y, g: apply_op("MaxPoolGrad", [x, y, g], _TIES_ATTRS)
           .outputs[0], [_TIES, _TIES_OUT, np.array([1, 2, 3, 4], np.float32)
                         .reshape(1, 2, 2, 1)],
           lambda x, y, g: max_pool_grad_reference(x, g, (2, 2), (2, 2), "VALID"),
           label="ties: the first maximum gets it", grad_check=False),
    Sample("MaxPoolGradGrad", lambda x, y, g: apply_op("MaxPoolGradGrad", [x, y, g],
                                                       _POOL_ATTRS).outputs[0],
           [_P, _P_OUT, f32(2, 5, 6, 3, seed=9)],
           lambda x, y, g: _max_pool_grad_grad_reference(x, g)),
    Sample("AvgPoolGrad", lambda s, g: apply_op("AvgPoolGrad", [s, g], _AVG_ATTRS).outputs[0],
           [np.array(_P.shape, np.int32), f32(2, 3, 3, 3, seed=10)],
           lambda s, g: avg_pool_grad_reference(tuple(s), g, (3, 3), (2, 2), "SAME"),
           rtol=1e-5),
)

_AVG_ATTRS = dict(_POOL_ATTRS, ksize=[1, 3, 3, 1])


def _max_pool_grad_grad_reference(x, g):
    """Each output reads g at its window's first maximum: the Jacobian of max_pool applied."""
    out = np.zeros(_P_OUT.shape, g.dtype)
    for index in np.ndindex(*out.shape):
        dy = np.zeros(out.shape)
        dy[index] = 1
        out[index] = np.sum(max_pool_grad_reference(x, dy, (2, 2), (2, 2), "SAME") * g)
    return out


# --- Conv3D, MaxPool3D, AvgPool3D and their gradient ops -----------------------------------------

_X3 = f32(1, 4, 3, 4, 2, seed=11)
_W3 = f32(2, 2, 3, 2, 3, seed=12)
_DY3 = f32(1, 2, 3, 2, 3, seed=13)      # Conv3D of _X3 with _W3, SAME, strides (2, 1, 2)
_CONV3 = {"strides": [1, 2, 1, 2, 1], "padding": "SAME", "data_format": "NDHWC",
          "dilations": [1, 1, 1, 1, 1]}
_POOL3 = {"ksize": [1, 2, 2, 2, 1], "strides": [1, 2, 1, 2, 1], "padding": "SAME",
          "data_format": "NDHWC"}
_P3_OUT = pool_reference(_X3, (2, 2, 2), (2, 1, 2), "SAME", "MAX")
_P3_DY = f32(*_P3_OUT.shape, seed=14)

_add(
    Sample("Conv3D", lambda x, w: sm.nn.conv3d(x, w, [1, 2, 1, 2, 1], "SAME"), [_X3, _W3],
           lambda x, w: conv_reference(x, w, (2, 1, 2), "SAME"), rtol=1e-5, atol=1e-5),
    Sample("Conv3DBackpropInputV2",
           lambda s, w, dy: apply_op("Conv3DBackpropInputV2", [s, w, dy], _CONV3).outputs[0],
           [np.array(_X3.shape, np.int32), _W3, _DY3],
           lambda s, w, dy: conv_input_grad_reference(tuple(s), w, dy, (2, 1, 2), "SAME"),
           rtol=1e-5, atol=1e-5),
    Sample("Conv3DBackpropFilterV2",
           lambda x, s, dy: sm.nn.conv3d_backprop_filter_v2(x, s, dy, [1, 2, 1, 2, 1], "SAME"),
           [_X3, np.array(_W3.shape, np.int32), _DY3],
           lambda x, s, dy: conv_filter_grad_reference(x, tuple(s), dy, (2, 1, 2), "SAME"),
           rtol=1e-5, atol=1e-5),
    Sample("Conv3DBackpropInputV2",
           lambda x, w: sm.nn.conv3d_transpose(x, w, [1, 4, 3, 4, 2], [1, 2, 1, 2, 1], "SAME"),
           [_DY3, _W3],
           lambda x, w: conv_input_grad_reference((1, 4, 3, 4, 2), w, x, (2, 1, 2), "SAME"),
           rtol=1e-5, atol=1e-5, label="conv3d_transpose"),
    Sample("MaxPool3D", lambda x: sm.nn.max_pool3d(x, 2, [1, 2, 1, 2, 1], "SAME"), [_X3],
           lambda x: pool_reference(x, (2, 2, 2), (2, 1, 2), "SAME", "MAX")),
    Sample("AvgPool3D", lambda x: sm.nn.avg_pool3d(x, 2, [1, 2, 1, 2, 1], "SAME"), [_X3],
           lambda x: pool_reference(x, (2, 2, 2), (2, 1, 2), "SAME", "AVG"), rtol=1e-5),
    Sample("MaxPool3DGrad", lambda x, y, g: apply_op("MaxPool3DGrad", [x, y, g], _POOL3)
           .outputs[0], [_X3, _P3_OUT, _P3_DY],
           lambda x, y, g: max_pool_grad_reference(x, g, (2, 2, 2), (2, 1, 2), "SAME")),
    Sample("MaxPool3DGradGrad", lambda x, y, g: apply_op("MaxPool3DGradGrad", [x, y, g], _POOL3)
           .outputs[0], [_X3, _P3_OUT, f32(*_X3.shape, seed=15)],
           lambda x, y, g: _grad_grad_3d(x, g)),
    Sample("AvgPool3DGrad", lambda s, g: apply_op("AvgPool3DGrad", [s, g], _POOL3).outputs[0],
           [np.array(_X3.shape, np.int32), _P3_DY],
           lambda s, g: avg_pool_grad_reference(tuple(s), g, (2, 2, 2), (2, 1, 2), "SAME"),
           rtol=1e-5),
)


def _grad_grad_3d(x, g):
    out = np.zeros(_P3_OUT.shape, g.dtype)
    for index in np.ndindex(*out.shape):
        dy = np.zeros(out.shape)
        dy[index] = 1
        out[index] = np.sum(max_pool_grad_reference(x, dy, (2, 2, 2), (2, 1, 2), "SAME") * g)
    return out
