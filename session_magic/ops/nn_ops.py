"""Op blocks for `tf.nn`: activations, softmax, bias_add and the cross-entropy losses, plus the
composites TF 1 builds from ops (sigmoid cross entropy, dropout, moments, l2_normalize).

Composites import the math and array builders they need lazily, inside the function, because
those modules are built independently of this one.
"""
from __future__ import annotations

import numbers
from typing import Any, Optional, Sequence

import numpy as np

from .. import dtypes as d
from .. import errors
from ..graph import Tensor
from ..tensor_shape import dims_compatible, merge_dims
from .array_ops import concat, expand_dims, gather, reshape, shape, squeeze, transpose, zeros_like
from .common import (FLOATS, NUMERIC, REAL, axis_arg, check_dtype, check_same_dtype, keepdims_arg,
                     quiet, single)
from .constant_ops import identity, stop_gradient
from .conversion import convert_to_tensor
from .known import constant_value
from .math_ops import abs as absolute
from .math_ops import (add, cast, exp, floor, greater_equal, imag, log1p, matmul, maximum, multiply,
                       negative, real, realdiv, reduce_mean, reduce_sum, rsqrt, sigmoid, square,
                       squared_difference, tanh, where, where_v2)
from .math_ops import complex as make_complex
from .random_ops import random_uniform
from .registry import ShapeError, apply_op, bracketed, op_scope, register, ufunc_into

__all__ = ["relu", "relu6", "elu", "selu", "leaky_relu", "softplus", "softsign", "sigmoid",
           "tanh", "softmax", "log_softmax", "l2_loss", "bias_add", "xw_plus_b",
           "sigmoid_cross_entropy_with_logits", "softmax_cross_entropy_with_logits",
           "softmax_cross_entropy_with_logits_v2", "sparse_softmax_cross_entropy_with_logits",
           "dropout", "moments", "l2_normalize", "embedding_lookup", "log_sigmoid",
           "weighted_cross_entropy_with_logits"]

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _same_dtype_as_input(fn: Any) -> Any:
    """NOTE: NumPy 1 widens 0-d float32 mixed with Python floats; TF keeps the input's type."""
    def kernel(x: Any) -> Any:
        result = fn(x)
        if type(result) is np.ndarray and result.dtype == x.dtype:
            return result  # NOTE: the common case; checked first, as it costs this little
        return np.asarray(result).astype(x.dtype, copy=False)
    return quiet(kernel)


def _activation_infer(allowed: Sequence[d.DType]) -> Any:
    def infer(inputs: list, attrs: dict) -> list:
        return [(check_dtype(inputs[0], allowed, "features"), inputs[0]._dims)]
    return infer


def _activation(op_type: str, fn: Any, allowed: Sequence[d.DType], grad: Any,
                **options: Any) -> Any:
    register(op_type, _activation_infer(allowed), lambda op: _same_dtype_as_input(fn), grad=grad,
             **options)

    def build(features: Any, name: Optional[str] = None) -> Tensor:
        return single(apply_op(op_type, [features], name=name, arg_names=("features",)))
    build.__name__ = op_type.lower()
    build.__doc__ = f"Elementwise `{op_type}` of `features`."
    return build


def _where(condition: Tensor, x: Tensor, y: Optional[Tensor] = None) -> Tensor:
    """`x` where `condition` holds, else `y` (zeros by default). In these gradient rules all
    three have one shape, so the result knows what any of them knows (as TF's *Grad ops)."""
    result = where_v2(condition, x, zeros_like(x) if y is None else y)
    for t in (condition, x, y):
        if t is not None and dims_compatible(result._dims, t._dims):
            result.set_shape(t._dims)
    return result


# NOTE: as TF's ReluGrad, Relu6Grad, EluGrad and SeluGrad, these rules read the op's output.
def _relu_grad(op: Any, g: Tensor) -> list:
    return [_where(op.outputs[0] > 0, g)]


def _relu6_grad(op: Any, g: Tensor) -> list:
    y = op.outputs[0]
    return [_where((y > 0) & (y < 6), g)]


def _elu_grad(op: Any, g: Tensor) -> list:
    y = op.outputs[0]
    return [_where(y < 0, g * (y + 1), g)]


def _selu_grad(op: Any, g: Tensor) -> list:
    y = op.outputs[0]
    return [_where(y < 0, g * (y + _SELU_SCALE * _SELU_ALPHA), g * _SELU_SCALE)]


def _softplus_grad(op: Any, g: Tensor) -> list:
    return [g * sigmoid(op.inputs[0])]


def _softsign_grad(op: Any, g: Tensor) -> list:
    return [g / square(1 + absolute(op.inputs[0]))]


_RELU_INTO = ufunc_into(np.maximum, 0)
relu = _activation("Relu", lambda x: np.maximum(x, 0), REAL, _relu_grad, fresh=True,
                   in_place=lambda op: _RELU_INTO)
relu6 = _activation("Relu6", lambda x: np.minimum(np.maximum(x, 0), 6), REAL, _relu6_grad)
elu = _activation("Elu", lambda x: np.where(x > 0, x, np.expm1(x)), FLOATS, _elu_grad)
selu = _activation("Selu", lambda x: _SELU_SCALE * np.where(x > 0, x, _SELU_ALPHA * np.expm1(x)),
                   FLOATS, _selu_grad)
softplus = _activation("Softplus", lambda x: np.logaddexp(0, x), FLOATS, _softplus_grad)
softsign = _activation("Softsign", lambda x: x / (1 + np.abs(x)), FLOATS, _softsign_grad)


def _leaky_relu_kernel(op: Any) -> Any:
    alpha = op._attrs["alpha"]
    return _same_dtype_as_input(lambda x: np.where(x > 0, x, x * alpha))


def _leaky_relu_grad(op: Any, g: Tensor) -> list:
    return [_where(op.inputs[0] > 0, g, g * op.get_attr("alpha"))]


register("LeakyRelu", _activation_infer(FLOATS), _leaky_relu_kernel, grad=_leaky_relu_grad)


def leaky_relu(features: Any, alpha: float = 0.2, name: Optional[str] = None) -> Tensor:
    """`features` where positive, else `alpha * features` (integers are cast to float32)."""
    with op_scope(name, "LeakyRelu", [features]) as scope:
        features = convert_to_tensor(features, name="features")
        if features.dtype.is_integer:
            features = cast(features, d.float32)
        # NOTE: TF's alpha is a float32 attr: 0.2 is 0.20000000298 even for float64 features
        alpha = float(np.float32(np.asarray(alpha).item()))
        return single(apply_op("LeakyRelu", [features], {"alpha": alpha}, scope))


# NOTE: tf.nn.sigmoid and tf.nn.tanh are tf.sigmoid and tf.tanh (imported above)


# --- Softmax and LogSoftmax (over the last axis) -------------------------------------------------

def _log_softmax(x: np.ndarray) -> np.ndarray:
    x = _logits_of_rank_one_or_more(x)
    if x.size == 0:
        return x.copy()
    shifted = x - np.max(x, axis=-1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))


def _logits_of_rank_one_or_more(x: Any) -> np.ndarray:
    """TF's kernels check at run time what a fed tensor of unknown rank could not show."""
    x = np.asarray(x)
    if x.ndim < 1:
        raise errors.InvalidArgumentError(None, None, "logits must have >= 1 dimension, got "
                                          f"{bracketed(x.shape)}")
    return x


def _softmax(x: np.ndarray) -> np.ndarray:
    x = _logits_of_rank_one_or_more(x)
    if x.size == 0:
        return x.copy()
    exps = np.exp(x - np.max(x, axis=-1, keepdims=True))
    return exps / np.sum(exps, axis=-1, keepdims=True)


def _at_least_rank_one(inputs: list, attrs: dict) -> list:
    dims, dtype = inputs[0]._dims, check_dtype(inputs[0], FLOATS, "logits")  # NOTE: TF's order
    if dims is not None and len(dims) < 1:
        raise ShapeError("Shape must be at least rank 1 but is rank 0")
    return [(dtype, dims)]


def _softmax_grad(op: Any, g: Tensor) -> list:
    y = op.outputs[0]
    return [(g - reduce_sum(g * y, -1, keepdims=True)) * y]


def _log_softmax_grad(op: Any, g: Tensor) -> list:
    return [g - reduce_sum(g, -1, keepdims=True) * exp(op.outputs[0])]


register("Softmax", _at_least_rank_one, lambda op: quiet(_softmax), grad=_softmax_grad)
register("LogSoftmax", _at_least_rank_one, lambda op: quiet(_log_softmax),
         grad=_log_softmax_grad)


def _axis_alias(axis: Any, dim: Any) -> int:
    if axis is not None and dim is not None:
        raise ValueError("Cannot specify both 'axis' and 'dim'")
    if axis is None:
        return -1 if dim is None else axis_arg(dim, "dim")
    return axis_arg(axis)


def _swap_to_last(axis: int, rank: int) -> list:
    perm = list(range(rank))
    perm[axis], perm[-1] = perm[-1], perm[axis]
    return perm


def _along_axis(op_type: str, logits: Any, axis: int, name: Optional[str]) -> Tensor:
    """TF 1's `_softmax`: ops work on the last axis, so another axis is swapped there and back."""
    logits = convert_to_tensor(logits)
    rank = None if logits._dims is None else len(logits._dims)
    if axis == -1 or (rank is not None and axis == rank - 1):
        return single(apply_op(op_type, [logits], name=name))
    if rank is None:
        raise ValueError(f"{op_type} along axis {axis} needs a tensor of known rank")
    if not -rank <= axis < rank:
        raise errors.InvalidArgumentError(
            None, None, f"Dimension ({axis}) must be in the range [{-rank}, {rank}) where {rank} "
            "is the number of dimensions in the input.")
    perm = _swap_to_last(axis % rank, rank)
    result = single(apply_op(op_type, [transpose(logits, perm)]))
    return transpose(result, perm, name=name)


def softmax(logits: Any, axis: Any = None, name: Optional[str] = None, dim: Any = None) -> Tensor:
    """`exp(logits) / reduce_sum(exp(logits), axis)`, computed stably (axis -1 by default)."""
    return _along_axis("Softmax", logits, _axis_alias(axis, dim), name)


def log_softmax(logits: Any, axis: Any = None, name: Optional[str] = None,
                dim: Any = None) -> Tensor:
    """`logits - log(reduce_sum(exp(logits), axis))`, computed stably (axis -1 by default)."""
    return _along_axis("LogSoftmax", logits, _axis_alias(axis, dim), name)


# --- L2Loss --------------------------------------------------------------------------------------

def _l2_loss_kernel(op: Any) -> Any:
    def l2_loss(t: Any) -> Any:
        t = np.asarray(t)
        return np.asarray(np.sum(np.square(t)) / 2).astype(t.dtype)
    return quiet(l2_loss)


def _l2_loss_grad(op: Any, g: Tensor) -> list:
    return [op.inputs[0] * g]


register("L2Loss", lambda inputs, attrs: [(check_dtype(inputs[0], FLOATS, "t"), ())],
         _l2_loss_kernel, grad=_l2_loss_grad)


def l2_loss(t: Any, name: Optional[str] = None) -> Tensor:
    """`sum(t ** 2) / 2`, a scalar."""
    return single(apply_op("L2Loss", [t], name=name, arg_names=("t",)))


# --- BiasAdd -------------------------------------------------------------------------------------

def _merge_dim(a: Optional[int], b: Optional[int]) -> Optional[int]:
    if a is not None and b is not None and a != b:
        raise ShapeError(f"Dimensions must be equal, but are {a} and {b}")
    return a if a is not None else b


def _channel_axis(data_format: str, rank: int) -> int:
    return 1 if data_format == "NCHW" and rank > 2 else rank - 1


def _bias_add_infer(inputs: list, attrs: dict) -> list:
    value, bias = inputs
    dtype = check_same_dtype("BiasAdd", inputs, ("value", "bias"))
    check_dtype(value, NUMERIC, "value")
    if bias._dims is not None and len(bias._dims) != 1:
        raise ShapeError(f"Shape must be rank 1 but is rank {len(bias._dims)}")
    dims = value._dims
    if dims is None:
        return [(dtype, None)]
    if len(dims) < 2:
        raise ShapeError(f"Shape must be at least rank 2 but is rank {len(dims)}")
    channel = _channel_axis(attrs["data_format"], len(dims))
    size = None if bias._dims is None else bias._dims[0]
    merged = _merge_dim(dims[channel], size)
    return [(dtype, dims[:channel] + (merged,) + dims[channel + 1:])]


def _shape_text(array: Any) -> str:
    return "[" + ",".join(str(n) for n in np.shape(array)) + "]"


def _bias_add_kernel(op: Any) -> Any:
    data_format = op._attrs["data_format"]
    which = "channel" if data_format == "NCHW" else "last"

    def bias_add(value: Any, bias: Any) -> Any:
        value, bias = np.asarray(value), np.asarray(bias)
        if value.ndim < 2:
            raise errors.InvalidArgumentError(
                None, None, f"Input tensor must be at least 2D: {_shape_text(value)}")
        channel = _channel_axis(data_format, value.ndim)
        if bias.ndim != 1 or bias.shape[0] != value.shape[channel]:
            raise errors.InvalidArgumentError(
                None, None, f"Must provide as many biases as the {which} dimension of the input "
                f"tensor: {_shape_text(bias)} vs. {_shape_text(value)}")
        return value + bias.reshape((-1,) + (1,) * (value.ndim - 1 - channel))
    return bias_add


def _bias_add_grad(op: Any, g: Tensor) -> list:
    """The bias gets `g` summed over every axis but the channel axis (TF's BiasAddGrad)."""
    data_format, dims = op.get_attr("data_format"), g._dims
    if dims is not None:
        channel = _channel_axis(data_format, len(dims))
        return [g, reduce_sum(g, [i for i in range(len(dims)) if i != channel])]
    if data_format == "NHWC":  # NOTE: unknown rank: fold the other axes together, then sum.
        return [g, reduce_sum(reshape(g, [-1, shape(g)[-1]]), 0)]
    return [g, reduce_sum(reshape(g, [shape(g)[0], shape(g)[1], -1]), [0, 2])]


register("BiasAdd", _bias_add_infer, _bias_add_kernel, grad=_bias_add_grad)


def _data_format(data_format: Optional[str]) -> str:
    if data_format is not None and not isinstance(data_format, str):
        raise TypeError("data_format must be a string of the form `N...C` or `NC...`, got "
                        f"{data_format!r}")
    if data_format is None or data_format.startswith("N") and data_format.endswith("C"):
        return "NHWC"
    if data_format.startswith("NC"):
        return "NCHW"
    raise ValueError("data_format must be of the form `N...C` or `NC...`")


def bias_add(value: Any, bias: Any, data_format: Optional[str] = None,
             name: Optional[str] = None) -> Tensor:
    """`value + bias`, with the 1-D `bias` added along the channel (by default the last) axis."""
    data_format = _data_format(data_format)
    with op_scope(name, "BiasAdd", [value, bias]) as scope:
        value = convert_to_tensor(value, name="input")
        bias = convert_to_tensor(bias, dtype=value.dtype, name="bias")
        return single(apply_op("BiasAdd", [value, bias], {"data_format": data_format}, scope))


def xw_plus_b(x: Any, weights: Any, biases: Any, name: Optional[str] = None) -> Tensor:
    """`matmul(x, weights) + biases`."""
    with op_scope(name, "xw_plus_b", [x, weights, biases]) as scope:
        return bias_add(matmul(x, weights), biases, name=scope)


# --- cross entropies -----------------------------------------------------------------------------

def _ensure_xent_args(name: str, sentinel: Any, labels: Any, logits: Any) -> None:
    if sentinel is not None:
        raise ValueError(f"Only call `{name}` with named arguments (labels=..., logits=..., ...)")
    if labels is None or logits is None:
        raise ValueError("Both labels and logits must be provided.")


def _same_shaped(logits: Any, labels: Any) -> tuple:
    """Logits and labels as tensors of compatible shapes (TF's ValueError otherwise)."""
    logits = convert_to_tensor(logits, name="logits")
    labels = convert_to_tensor(labels, name="labels")
    if not dims_compatible(logits._dims, labels._dims):
        raise ValueError(f"logits and labels must have the same shape ({logits.shape} vs "
                         f"{labels.shape})")
    return logits, labels


def sigmoid_cross_entropy_with_logits(_sentinel: Any = None, labels: Any = None,
                                      logits: Any = None, name: Optional[str] = None) -> Tensor:
    """Elementwise `max(x, 0) - x * z + log(1 + exp(-|x|))` for logits x and labels z.

    Built as TF builds it, from `where(x >= 0, ...)` selections rather than relu and abs, so the
    gradient at x == 0 is TF's `sigmoid(0) - z`, not a subgradient of the rewritten formula.
    """
    _ensure_xent_args("sigmoid_cross_entropy_with_logits", _sentinel, labels, logits)
    with op_scope(name, "logistic_loss", [logits, labels]) as scope:
        logits, labels = _same_shaped(logits, labels)
        zeros = zeros_like(logits)
        positive = greater_equal(logits, zeros)
        relu_logits = where(positive, logits, zeros)
        negative_abs_logits = where(positive, -logits, logits)
        # NOTE: log(1 + exp(-|x|)) cannot overflow.
        return add(relu_logits - logits * labels, log1p(exp(negative_abs_logits)), name=scope)


def weighted_cross_entropy_with_logits(labels: Any = None, logits: Any = None,
                                       pos_weight: Any = None, name: Optional[str] = None,
                                       targets: Any = None) -> Tensor:
    """The sigmoid cross entropy with positive examples weighted by `pos_weight`, built as TF:
    `(1 - z) * x + (1 + (pos_weight - 1) * z) * (log(1 + exp(-|x|)) + max(-x, 0))`."""
    if targets is not None:
        if labels is not None:
            raise ValueError("Cannot specify both 'labels' and 'targets'")
        labels = targets
    if labels is None or logits is None or pos_weight is None:
        raise ValueError("labels, logits and pos_weight must all be given")
    with op_scope(name, "logistic_loss", [logits, labels]) as scope:
        logits, labels = _same_shaped(logits, labels)
        log_weight = 1 + (pos_weight - 1) * labels
        return add((1 - labels) * logits,
                   log_weight * (log1p(exp(-absolute(logits))) + relu(-logits)), name=scope)


def log_sigmoid(x: Any, name: Optional[str] = None) -> Tensor:
    """log(sigmoid(x)), computed as -softplus(-x), which cannot overflow."""
    with op_scope(name, "LogSigmoid", [x]) as scope:
        x = convert_to_tensor(x, name="x")
        return negative(softplus(-x), name=scope)


def _xent_infer(inputs: list, attrs: dict) -> list:
    logits, labels = inputs
    dtype = check_same_dtype("SoftmaxCrossEntropyWithLogits", inputs, ("features", "labels"))
    check_dtype(logits, FLOATS, "features")
    if not dims_compatible(logits._dims, labels._dims):
        raise ShapeError(f"logits and labels must be same size: logits_size="
                         f"{_dims_list(logits._dims)} labels_size={_dims_list(labels._dims)}")
    dims = merge_dims(logits._dims, labels._dims)
    if dims is not None and len(dims) < 1:
        raise ShapeError("Shape must be at least rank 1 but is rank 0")
    return [(dtype, None if dims is None else dims[:-1]), (dtype, dims)]


def _dims_list(dims: Any) -> str:
    return "?" if dims is None else "[" + ",".join("?" if n is None else str(n) for n in dims) + "]"


def _xent(logits: Any, labels: Any) -> tuple:
    logits, labels = np.asarray(logits), np.asarray(labels)
    if logits.shape != labels.shape:
        raise errors.InvalidArgumentError(
            None, None, f"logits and labels must be same size: logits_size={_shape_text(logits)} "
            f"labels_size={_shape_text(labels)}")
    log_probs = _log_softmax(logits)
    loss = -np.sum(labels * log_probs, axis=-1)
    return np.asarray(loss).astype(logits.dtype, copy=False), np.exp(log_probs) - labels


# NOTE: TF's kernel takes rank-2 inputs and its Python wrapper reshapes around it; this kernel
# works over the last axis of any rank, so the builder needs no reshapes.
def _known_zero(t: Tensor) -> bool:
    """Is `t` a zeros tensor the gradient walker filled in for an output nobody used?"""
    op = t.op
    if op.type == "ZerosLike":
        return True
    value = constant_value(op.inputs[1] if op.type == "Fill" else t)
    return value is not None and not np.any(value)


def _backprop_grad(logits: Tensor, g: Tensor) -> Tensor:
    """The gradient through the second output, softmax(logits) - labels, into the logits."""
    probabilities = softmax(logits)
    return (g - reduce_sum(g * probabilities, -1, keepdims=True)) * probabilities


def _xent_grad(op: Any, grad_loss: Tensor, grad_backprop: Tensor) -> list:
    """As TF's v2 rule (labels get -g * log_softmax); the v1 builder stops the labels' part."""
    logits, weight = op.inputs[0], expand_dims(grad_loss, -1)
    logits_grad, labels_grad = weight * op.outputs[1], weight * -log_softmax(logits)
    if not _known_zero(grad_backprop):
        logits_grad += _backprop_grad(logits, grad_backprop)
        labels_grad -= grad_backprop
    return [logits_grad, labels_grad]


register("SoftmaxCrossEntropyWithLogits", _xent_infer, lambda op: quiet(_xent), grad=_xent_grad,
         multi_output=True)


def softmax_cross_entropy_with_logits_v2(labels: Any = None, logits: Any = None,
                                         axis: Any = None, name: Optional[str] = None,
                                         dim: Any = None) -> Tensor:
    """`-reduce_sum(labels * log_softmax(logits), axis)`; gradients also flow into `labels`."""
    _ensure_xent_args("softmax_cross_entropy_with_logits_v2", None, labels, logits)
    axis = _axis_alias(axis, dim)
    with op_scope(name, "softmax_cross_entropy_with_logits", [logits, labels]) as scope:
        logits = convert_to_tensor(logits, name="logits")
        labels = convert_to_tensor(labels, name="labels")
        if labels.dtype is not logits.dtype:
            labels = cast(labels, logits.dtype)
        rank = None if logits._dims is None else len(logits._dims)
        if axis != -1 and not (rank is not None and axis == rank - 1):
            logits, labels = _move_axis_to_end([logits, labels], axis, rank)
        if logits._dims is None or labels._dims is None or \
                len(logits._dims) != len(labels._dims):  # NOTE: as TF's wrapper would
            return _flattened_xent(logits, labels, scope)
        return apply_op("SoftmaxCrossEntropyWithLogits", [logits, labels], {}, scope)._outputs[0]


def _flattened_xent(logits: Tensor, labels: Tensor, scope: str) -> Tensor:
    """TF's wrapper: both made [-1, classes] (so labels [1, ?, 7] go with logits [?, 7]), the
    loss reshaped to the logits' leading shape."""
    classes = shape(logits)[-1:]
    flat = [reshape(t, concat([[-1], classes], 0)) for t in (logits, labels)]
    loss = apply_op("SoftmaxCrossEntropyWithLogits", flat, {})._outputs[0]
    result = reshape(loss, shape(logits)[:-1], name=scope)
    if logits._dims is not None:
        result.set_shape(logits._dims[:-1])
    return result


def _move_axis_to_end(tensors: list, axis: int, rank: Optional[int]) -> list:
    if rank is None:
        raise ValueError(f"softmax_cross_entropy_with_logits along axis {axis} needs a known rank")
    perm = list(range(rank))
    perm.append(perm.pop(axis % rank))
    return [transpose(t, perm) for t in tensors]


def softmax_cross_entropy_with_logits(_sentinel: Any = None, labels: Any = None,
                                      logits: Any = None, dim: Any = -1,
                                      name: Optional[str] = None, axis: Any = None) -> Tensor:
    """As `softmax_cross_entropy_with_logits_v2`, with no gradient into `labels` (TF 1's v1)."""
    _ensure_xent_args("softmax_cross_entropy_with_logits", _sentinel, labels, logits)
    axis = _axis_alias(axis, None if dim == -1 else dim)
    with op_scope(name, "softmax_cross_entropy_with_logits_sg", [logits, labels]) as scope:
        labels = stop_gradient(labels, name="labels_stop_gradient")
    return softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits, axis=axis,
                                                name=scope)


def _sparse_xent_infer(inputs: list, attrs: dict) -> list:
    logits, labels = inputs
    dtype = check_dtype(logits, FLOATS, "features")
    check_dtype(labels, (d.int32, d.int64), "labels")
    dims = logits._dims
    if dims is not None and len(dims) < 1:
        raise ShapeError("Shape must be at least rank 1 but is rank 0")
    outer = None if dims is None else dims[:-1]
    if not dims_compatible(outer, labels._dims):
        raise ShapeError(f"Shapes {_dims_list(outer)} and {_dims_list(labels._dims)} must be "
                         "equal")
    return [(dtype, merge_dims(outer, labels._dims)), (dtype, dims)]


def _check_labels(logits: np.ndarray, labels: np.ndarray) -> None:
    if labels.shape != logits.shape[:-1]:
        raise errors.InvalidArgumentError(
            None, None, "logits and labels must have the same first dimension, got logits shape "
            f"{_shape_text(logits)} and labels shape {_shape_text(labels)}")
    classes = logits.shape[-1]
    bad = (labels < 0) | (labels >= classes)
    if np.any(bad):
        value = labels.reshape(-1)[np.argmax(bad.reshape(-1))]
        shown = " ".join(str(v) for v in labels.reshape(-1))
        raise errors.InvalidArgumentError(
            None, None, f"Received a label value of {value} which is outside the valid range of "
            f"[0, {classes}).  Label values: {shown}")


def _sparse_xent(logits: Any, labels: Any) -> tuple:
    logits, labels = np.asarray(logits), np.asarray(labels)
    _check_labels(logits, labels)
    log_probs = _log_softmax(logits)
    index = labels[..., np.newaxis].astype(np.intp)
    picked = np.take_along_axis(log_probs, index, axis=-1)
    backprop = np.exp(log_probs)
    np.put_along_axis(backprop, index, np.exp(picked) - 1, axis=-1)
    return -picked[..., 0], backprop


def _sparse_xent_grad(op: Any, grad_loss: Tensor, grad_backprop: Tensor) -> list:
    """NOTE: TF 1 refuses a second derivative here; the backprop output's rule gives one."""
    logits_grad = expand_dims(grad_loss, -1) * op.outputs[1]
    if not _known_zero(grad_backprop):
        logits_grad += _backprop_grad(op.inputs[0], grad_backprop)
    return [logits_grad, None]


register("SparseSoftmaxCrossEntropyWithLogits", _sparse_xent_infer,
         lambda op: quiet(_sparse_xent), grad=_sparse_xent_grad, multi_output=True)


def _check_sparse_shapes(labels: Tensor, logits: Tensor) -> None:
    """TF 1's build-time checks, with its texts (the op itself would say less)."""
    if logits._dims is not None and len(logits._dims) == 0:
        raise ValueError(f"Logits cannot be scalars - received shape {logits.shape}.")
    if logits._dims is None or labels._dims is None:
        return
    if len(labels._dims) != len(logits._dims) - 1:
        raise ValueError(f"Rank mismatch: Rank of labels (received {len(labels._dims)}) should "
                         f"equal rank of logits minus 1 (received {len(logits._dims)}).")
    outer = logits._dims[:-1]
    if None not in outer and None not in labels._dims and labels._dims != outer:
        raise ValueError(f"Shape mismatch: The shape of labels (received {labels.shape}) should "
                         "equal the shape of logits except for the last dimension (received "
                         f"{logits.shape}).")


def sparse_softmax_cross_entropy_with_logits(_sentinel: Any = None, labels: Any = None,
                                             logits: Any = None,
                                             name: Optional[str] = None) -> Tensor:
    """Softmax cross entropy against integer class `labels` (one fewer dimension than logits)."""
    _ensure_xent_args("sparse_softmax_cross_entropy_with_logits", _sentinel, labels, logits)
    with op_scope(name, "SparseSoftmaxCrossEntropyWithLogits", [labels, logits]):
        labels = convert_to_tensor(labels)
        logits = convert_to_tensor(logits)
        shape(labels)  # NOTE: TF's wrapper keeps the labels' shape for its reshapes; kept so
        # that the graph holds TF's ops (it is pruned from every run)
        _check_sparse_shapes(labels, logits)
        op = apply_op("SparseSoftmaxCrossEntropyWithLogits", [logits, labels], {}, name)
        return op._outputs[0]


# --- composites: dropout, moments, l2_normalize --------------------------------------------------

def _keep_probability(keep_prob: Any, rate: Any) -> Any:
    if keep_prob is not None and rate is not None:
        raise ValueError("Cannot specify both 'rate' and 'keep_prob'")
    if rate is None:
        if keep_prob is None:
            raise ValueError("You must provide a rate to dropout.")
        return keep_prob
    if isinstance(rate, numbers.Real):
        if not 0 <= rate < 1:
            raise ValueError(f"rate must be a scalar tensor or a float in the range [0, 1), "
                             f"got {rate:g}")
        return 1.0 - rate
    return 1 - rate


def _noise_shape(x: Tensor, noise_shape: Any) -> Any:
    if noise_shape is None:
        if x._dims is not None and None not in x._dims:
            return list(x._dims)
        return shape(x)
    if isinstance(noise_shape, (list, tuple)) and x._dims is not None and \
            len(noise_shape) == len(x._dims):
        return [x._dims[i] if n is None else n for i, n in enumerate(noise_shape)]
    return noise_shape


def dropout(x: Any, keep_prob: Any = None, noise_shape: Any = None, seed: Optional[int] = None,
            name: Optional[str] = None, rate: Any = None) -> Tensor:
    """`x / keep_prob` where a uniform draw keeps the unit (probability `keep_prob`), else 0."""
    keep_prob = _keep_probability(keep_prob, rate)
    with op_scope(name, "dropout", [x]):
        x = convert_to_tensor(x, name="x")
        if not x.dtype.is_floating:
            raise ValueError("x has to be a floating point tensor since it's going to be scaled. "
                             f"Got a {x.dtype.name} tensor instead.")
        if isinstance(keep_prob, numbers.Real) and not 0 < keep_prob <= 1:
            raise ValueError("keep_prob must be a scalar tensor or a float in the range (0, 1], "
                             f"got {keep_prob:g}")
        if isinstance(keep_prob, numbers.Real) and keep_prob == 1:
            return x
        return _dropped(x, keep_prob, noise_shape, seed)


def _dropped(x: Tensor, keep_prob: Any, noise_shape: Any, seed: Optional[int]) -> Tensor:
    keep_prob = convert_to_tensor(keep_prob, dtype=x.dtype, name="keep_prob")
    if keep_prob._dims not in (None, ()):
        raise ValueError(f"Shapes {keep_prob.shape} and () are incompatible")
    known = constant_value(keep_prob)
    if known is not None and known == 1:
        return x
    uniform = random_uniform(_noise_shape(x, noise_shape), seed=seed, dtype=x.dtype)
    binary = floor(keep_prob + uniform)  # NOTE: 1 with probability keep_prob, else 0.
    result = realdiv(x, keep_prob, name="div") * binary
    result.set_shape(x.shape)
    return result


def moments(x: Any, axes: Any, shift: Any = None, name: Optional[str] = None,
            keep_dims: Optional[bool] = None, keepdims: Optional[bool] = None) -> tuple:
    """(mean, variance) of `x` over `axes` (the population variance)."""
    keep = keepdims_arg(keepdims, keep_dims)
    with op_scope(name, "moments", [x, axes]):
        x = convert_to_tensor(x, name="x")
        mean = reduce_mean(x, axes, keepdims=True, name="mean")
        variance = reduce_mean(squared_difference(x, stop_gradient(mean)), axes, keepdims=True,
                               name="variance")
        if not keep:
            mean, variance = squeeze(mean, axes), squeeze(variance, axes)
        return mean, variance


def l2_normalize(x: Any, axis: Any = None, epsilon: float = 1e-12, name: Optional[str] = None,
                 dim: Any = None) -> Tensor:
    """`x / sqrt(max(reduce_sum(x ** 2, axis), epsilon))`; a complex x is normalized by its
    modulus, its real and imaginary parts scaled alike (as TF)."""
    if axis is not None and dim is not None:
        raise ValueError("Cannot specify both 'axis' and 'dim'")
    axis = axis if axis is not None else dim
    with op_scope(name, "l2_normalize", [x]) as scope:
        x = convert_to_tensor(x, name="x")
        if x.dtype.is_complex:
            parts = [real(x), imag(x)]
            square_sum = reduce_sum(square(parts[0]) + square(parts[1]), axis, keepdims=True)
            inverse_norm = rsqrt(maximum(square_sum, epsilon))
            return make_complex(*[multiply(p, inverse_norm) for p in parts], name=scope)
        square_sum = reduce_sum(square(x), axis, keepdims=True)
        inverse_norm = rsqrt(maximum(square_sum, epsilon))
        return multiply(x, inverse_norm, name=scope)


# --- embeddings --------------------------------------------------------------------------------

def embedding_lookup(params: Any, ids: Any, partition_strategy: str = "mod",
                     name: Optional[str] = None, validate_indices: bool = True,
                     max_norm: Any = None) -> Tensor:
    """Rows `ids` of `params` (a tensor or variable, or a list of one), as TF builds it: a
    gather named `embedding_lookup` and an Identity; its gradient is an IndexedSlices."""
    if isinstance(params, (list, tuple)):
        if len(params) != 1:
            raise NotImplementedError(
                "embedding_lookup over a list of several partitioned params is not supported by "
                "session_magic yet; pass one tensor or variable (concatenate the partitions).")
        params = params[0]
    if max_norm is not None:
        raise NotImplementedError("embedding_lookup(max_norm=...) is not supported by "
                                  "session_magic yet.")
    with op_scope(name, "embedding_lookup", [params, ids]) as scope:
        return identity(gather(params, ids, name=scope))
