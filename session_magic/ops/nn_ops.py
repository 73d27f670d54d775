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
from . import array_ops
from .array_ops import (concat, expand_dims, gather, ones_like, reshape, shape, squeeze, stack,
                        transpose, zeros_like)
from .common import (FLOATS, NUMERIC, REAL, axis_arg, check_dtype, check_same_dtype, int_arg,
                     keepdims_arg, quiet, single)
from .constant_ops import identity, make_constant, stop_gradient
from .conversion import convert_to_tensor
from .known import constant_value
from .math_ops import abs as absolute
from .math_ops import (add, cast, div_no_nan, exp, floor, greater_equal, imag, log, log1p,
                       logical_and, matmul, maximum, multiply, negative, real, realdiv,
                       reciprocal, reduce_mean, reduce_prod, reduce_sum, rsqrt, sigmoid, sqrt,
                       square, squared_difference, subtract, tanh, where, where_v2)
from .math_ops import complex as make_complex
from .random_ops import get_seed, random_uniform
from .registry import (NO_GRADIENT_REGISTERED, NOT_DIFFERENTIABLE, ShapeError, apply_op,
                       bracketed, op_scope, register, ufunc_into)

__all__ = ["relu", "relu6", "elu", "selu", "leaky_relu", "softplus", "softsign", "sigmoid",
           "tanh", "softmax", "log_softmax", "l2_loss", "bias_add", "xw_plus_b",
           "sigmoid_cross_entropy_with_logits", "softmax_cross_entropy_with_logits",
           "softmax_cross_entropy_with_logits_v2", "sparse_softmax_cross_entropy_with_logits",
           "dropout", "moments", "l2_normalize", "embedding_lookup", "log_sigmoid",
           "weighted_cross_entropy_with_logits", "weighted_moments", "normalize_moments",
           "batch_normalization", "fused_batch_norm", "local_response_normalization", "lrn",
           "swish", "silu", "crelu", "relu_layer", "log_poisson_loss",
           "log_uniform_candidate_sampler", "uniform_candidate_sampler",
           "fixed_unigram_candidate_sampler",
           "compute_accidental_hits", "nce_loss", "sampled_softmax_loss"]

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
                   in_place=lambda op: _RELU_INTO,
                   scalar="({0} if {0} > {t}(0) or {0} != {0} else {t}(0))")
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
        original, x = x.dtype, _float16_as_float32(x)
        mean = reduce_mean(x, axes, keepdims=True, name="mean")
        variance = reduce_mean(squared_difference(x, stop_gradient(mean)), axes, keepdims=True,
                               name="variance")
        if not keep:
            mean, variance = squeeze(mean, axes), squeeze(variance, axes)
        return cast(mean, original), cast(variance, original)


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


# --- embeddings: DynamicPartition and ParallelDynamicStitch shard the lookup ----------------------

def _dynamic_partition_infer(inputs: list, attrs: dict) -> list:
    data, partitions = inputs
    check_dtype(partitions, (d.int32,), "partitions")
    inner = None
    if data._dims is not None and partitions._dims is not None:
        if not dims_compatible(data._dims[:len(partitions._dims)], partitions._dims):
            raise ShapeError(f"data.shape must start with partitions.shape, got data.shape = "
                             f"{_dims_list(data._dims)}, partitions.shape = "
                             f"{_dims_list(partitions._dims)}")
        inner = (None,) + data._dims[len(partitions._dims):]
    return [(data._dtype, inner)] * attrs["num_partitions"]


def _dynamic_partition_kernel(op: Any) -> Any:
    count = op._attrs["num_partitions"]

    def dynamic_partition(data: Any, partitions: Any) -> list:
        data, partitions = np.asarray(data), np.asarray(partitions)
        flat = partitions.reshape(-1)
        bad = (flat < 0) | (flat >= count)
        if np.any(bad):
            where_bad = int(np.argmax(bad))
            raise errors.InvalidArgumentError(
                None, None, f"partitions[{where_bad}] = {flat[where_bad]} is not in [0, {count})")
        rows = data.reshape((flat.size,) + data.shape[partitions.ndim:])
        return [rows[flat == p] for p in range(count)]
    return dynamic_partition


def _dynamic_partition_grad(op: Any, *grads: Tensor) -> list:
    """As TF: the positions of the data's rows, partitioned alike, stitch the gradients back."""
    data, partitions = op.inputs
    prefix = shape(partitions)
    positions = reshape(array_ops.range(reduce_prod(prefix)), prefix)
    parts = dynamic_partition(positions, partitions, op.get_attr("num_partitions"))
    return [reshape(parallel_dynamic_stitch(parts, list(grads)), shape(data)), None]


register("DynamicPartition", _dynamic_partition_infer, _dynamic_partition_kernel,
         grad=_dynamic_partition_grad, multi_output=True)


def dynamic_partition(data: Any, partitions: Any, num_partitions: int,
                      name: Optional[str] = None) -> list:
    """`num_partitions` tensors: the rows of `data` whose `partitions` entry is 0, 1, ..."""
    count = int_arg(num_partitions, "num_partitions")
    if count < 1:
        raise ValueError(f"num_partitions must be at least 1, got {count}")
    op = apply_op("DynamicPartition", [data, partitions], {"num_partitions": count}, name,
                  arg_names=("data", "partitions"))
    return list(op._outputs)


def _stitch_infer(inputs: list, attrs: dict) -> list:
    count = attrs["N"]
    indices, data = inputs[:count], inputs[count:]
    for t in indices:
        check_dtype(t, (d.int32,), "indices")
    inner = None
    for index, value in zip(indices, data, strict=True):
        if index._dims is not None and value._dims is not None:
            inner = merge_dims(inner, value._dims[len(index._dims):])
    dtype = check_same_dtype("ParallelDynamicStitch", data, ["data"] * count)
    known = [constant_value(t) for t in indices]
    rows = None
    if all(k is not None for k in known):  # NOTE: as TF, constant indices fix the row count
        rows = 1 + max((int(np.max(k)) for k in known if np.size(k)), default=-1)
    return [(dtype, None if inner is None else (rows,) + tuple(inner))]


def _stitch_kernel(op: Any) -> Any:
    count = op._attrs["N"]

    def stitch(*arrays: Any) -> np.ndarray:
        indices = [np.asarray(a).reshape(-1) for a in arrays[:count]]
        data = [np.asarray(a) for a in arrays[count:]]
        for index in indices:
            if index.size and index.min() < 0:  # NOTE: NumPy would count it from the end
                raise errors.InvalidArgumentError(
                    None, None, f"{op._type}: index {int(index.min())} is out of range (indices "
                    "must be non-negative)")
        rows = 1 + max((int(i.max()) for i in indices if i.size), default=-1)
        inner = data[0].shape[np.asarray(arrays[0]).ndim:]
        merged = np.zeros((rows,) + inner, data[0].dtype)
        for index, value in zip(indices, data, strict=True):
            merged[index] = value.reshape((index.size,) + inner)
        return merged
    return stitch


def _stitch_grad(op: Any, g: Tensor) -> list:
    count = op.get_attr("N")
    return [None] * count + [gather(g, index) for index in op.inputs[:count]]


register("ParallelDynamicStitch", _stitch_infer, _stitch_kernel, grad=_stitch_grad)
# NOTE: the kernel writes the inputs in order, so where indices repeat the last one wins:
# DynamicStitch's promise (ParallelDynamicStitch leaves it unspecified). TF's gradient, as here,
# still gathers for every index, overwritten or not.
register("DynamicStitch", _stitch_infer, _stitch_kernel, grad=_stitch_grad)


def dynamic_stitch(indices: Sequence[Any], data: Sequence[Any],
                   name: Optional[str] = None) -> Tensor:
    """One tensor whose rows `indices[i]` are the rows of `data[i]`; a repeated index takes
    the value that comes last."""
    indices = [convert_to_tensor(t, name="indices") for t in indices]
    data = [convert_to_tensor(t, name="data") for t in data]
    return single(apply_op("DynamicStitch", [*indices, *data], {"N": len(indices)}, name))


def parallel_dynamic_stitch(indices: Sequence[Any], data: Sequence[Any],
                            name: Optional[str] = None) -> Tensor:
    """One tensor whose rows `indices[i]` are the rows of `data[i]`."""
    indices = [convert_to_tensor(t, name="indices") for t in indices]
    data = [convert_to_tensor(t, name="data") for t in data]
    return single(apply_op("ParallelDynamicStitch", [*indices, *data], {"N": len(indices)},
                           name))


def _clipped_rows(rows: Tensor, ids: Tensor, max_norm: Any) -> Tensor:
    """TF's `clip_by_norm` of each embedding (the axes after the ids' own)."""
    if max_norm is None:
        return rows
    if ids._dims is not None and rows._dims is not None:
        axes: Any = list(range(len(ids._dims), len(rows._dims)))
    else:
        axes = array_ops.range(array_ops.rank(ids), array_ops.rank(rows))
    with op_scope(None, "clip_by_norm", [rows, max_norm]) as scope:
        clip_norm = convert_to_tensor(max_norm, dtype=rows.dtype, name="clip_norm")
        l2sum = reduce_sum(rows * rows, axes, keepdims=True)
        positive = l2sum > 0
        l2norm = where(positive, sqrt(where(positive, l2sum, ones_like(l2sum))), l2sum)
        return identity(rows * clip_norm / maximum(l2norm, clip_norm), name=scope)


def embedding_lookup(params: Any, ids: Any, partition_strategy: str = "mod",
                     name: Optional[str] = None, validate_indices: bool = True,
                     max_norm: Any = None) -> Tensor:
    """Rows `ids` of `params`: a tensor or variable, or a list of shards of one table, row r
    in shard `r % n` ('mod') or in contiguous blocks ('div'), as TF builds it. Gradients into
    params are IndexedSlices; `max_norm` clips each embedding's l2 norm."""
    shards = list(params) if isinstance(params, (list, tuple)) else [params]
    if not shards:
        raise ValueError("Need at least one param")
    if partition_strategy not in ("mod", "div"):
        raise ValueError(f"Unrecognized partition strategy: {partition_strategy}")
    with op_scope(name, "embedding_lookup", shards + [ids]) as scope:
        ids = convert_to_tensor(ids, name="ids")
        if len(shards) == 1:
            return identity(_clipped_rows(gather(shards[0], ids, name=scope), ids, max_norm))
        shards = [convert_to_tensor(p, name="params") for p in shards]
        return _sharded_lookup(shards, ids, partition_strategy, max_norm, scope)


def _shard_assignments(shards: list, flat_ids: Tensor, strategy: str) -> tuple:
    """(shard of each id, its row within the shard), by TF's formulas."""
    count = len(shards)
    if strategy == "mod":
        return flat_ids % count, flat_ids // count
    sizes = [None if p._dims is None else p._dims[0] for p in shards]
    if None not in sizes:
        total = make_constant(sum(sizes), flat_ids.dtype)
    else:
        parts = [n if n is not None else shape(p)[0] for n, p in zip(sizes, shards, strict=True)]
        total = reduce_sum(cast(stack(parts), flat_ids.dtype))
    per_shard, extras = total // count, total % count
    assignments = maximum(flat_ids // (per_shard + 1), (flat_ids - extras) // per_shard)
    rows = where(assignments < extras, flat_ids % (per_shard + 1),
                 (flat_ids - extras) % per_shard)
    return assignments, rows


def _sharded_lookup(shards: list, ids: Tensor, strategy: str, max_norm: Any,
                    scope: str) -> Tensor:
    flat_ids = reshape(ids, [-1])
    original_indices = array_ops.range(array_ops.size(flat_ids))
    assignments, rows = _shard_assignments(shards, flat_ids, strategy)
    assignments = cast(assignments, d.int32)
    shard_rows = dynamic_partition(rows, assignments, len(shards))
    positions = dynamic_partition(original_indices, assignments, len(shards))
    found = [_clipped_rows(gather(p, r), r, max_norm)
             for p, r in zip(shards, shard_rows, strict=True)]
    result = parallel_dynamic_stitch(positions, found, name=scope)
    element_dims: Any = None if shards[0]._dims is None else shards[0]._dims[1:]
    for p in shards[1:]:
        element_dims = merge_dims(element_dims, None if p._dims is None else p._dims[1:])
    if element_dims is not None and None not in element_dims:
        element_shape: Any = list(element_dims)
    else:
        element_shape = shape(shards[0])[1:]
    result = reshape(result, concat([shape(ids), element_shape], 0))
    if ids._dims is not None and element_dims is not None:
        result.set_shape(ids._dims + tuple(element_dims))
    return result


def _float16_as_float32(x: Tensor) -> Tensor:
    """NOTE: TF takes the moments of float16 in float32, whose range holds the sums."""
    return cast(x, d.float32) if x.dtype is d.float16 else x


def weighted_moments(x: Any, axes: Any, frequency_weights: Any, name: Optional[str] = None,
                     keep_dims: Optional[bool] = None, keepdims: Optional[bool] = None) -> tuple:
    """(mean, variance) of `x` over `axes`, each element counted `frequency_weights` times
    (broadcast against x); a zero total weight gives 0, as TF's div_no_nan."""
    keep = keepdims_arg(keepdims, keep_dims)
    with op_scope(name, "weighted_moments", [x, frequency_weights, axes]):
        x = convert_to_tensor(x, name="x")
        weights = convert_to_tensor(frequency_weights, name="frequency_weights")
        original, x = x.dtype, _float16_as_float32(x)
        weights = cast(weights, x.dtype)
        weighted_sum = reduce_sum(weights * x, axes, name="weighted_input_sum", keepdims=True)
        # NOTE: adding zeros_like(x) gives every element its weight, whatever the broadcast.
        sum_of_weights = reduce_sum(weights + zeros_like(x), axes, name="sum_of_weights",
                                    keepdims=True)
        mean = div_no_nan(weighted_sum, sum_of_weights)
        distances = reduce_sum(weights * squared_difference(x, mean), axes,
                               name="weighted_distsq", keepdims=True)
        variance = div_no_nan(distances, sum_of_weights)
        if not keep:
            mean, variance = squeeze(mean, axes), squeeze(variance, axes)
        return cast(mean, original), cast(variance, original)


def normalize_moments(counts: Any, mean_ss: Any, variance_ss: Any, shift: Any,
                      name: Optional[str] = None) -> tuple:
    """(mean, variance) from sufficient statistics: a count, a (shifted) sum and sum of
    squares, as `sufficient_statistics` returns them."""
    with op_scope(name, "normalize", [counts, mean_ss, variance_ss, shift]):
        divisor = reciprocal(counts, name="divisor")
        if shift is not None:
            shifted_mean = multiply(mean_ss, divisor, name="shifted_mean")
            mean = add(shifted_mean, shift, name="mean")
        else:
            shifted_mean = mean = multiply(mean_ss, divisor, name="mean")
        variance = subtract(multiply(variance_ss, divisor), square(shifted_mean),
                            name="variance")
        return mean, variance


# --- normalisation: batch_normalization, FusedBatchNormV3, LRN -----------------------------------

def batch_normalization(x: Any, mean: Any, variance: Any, offset: Any, scale: Any,
                        variance_epsilon: Any, name: Optional[str] = None) -> Tensor:
    """`(x - mean) * scale / sqrt(variance + variance_epsilon) + offset`, built as TF builds it
    (rsqrt, then `x * inv + (offset - mean * inv)`), so the ops and gradients are TF's."""
    with op_scope(name, "batchnorm", [x, mean, variance, scale, offset]):
        x = convert_to_tensor(x, name="x")
        inv = rsqrt(variance + variance_epsilon)
        if scale is not None:
            inv *= scale
        scaled = x * cast(inv, x.dtype)
        shifted = offset - mean * inv if offset is not None else -mean * inv
        return scaled + cast(shifted, x.dtype)


_BATCH_NORM_FORMATS = ("NHWC", "NCHW")
# NOTE: TF raises epsilon to cuDNN's minimum on every device, CPU included.
_MIN_BATCH_NORM_EPSILON = 1.001e-5


def _reduction_axes(data_format: str) -> tuple:
    return (0, 1, 2) if data_format == "NHWC" else (0, 2, 3)


def _per_channel(vector: np.ndarray, data_format: str) -> np.ndarray:
    """A [C] vector shaped to broadcast against a 4-D tensor of `data_format`."""
    return vector.reshape((1, 1, 1, -1) if data_format == "NHWC" else (1, -1, 1, 1))


def _check_vector(t: Tensor, channels: Optional[int], what: str) -> Optional[int]:
    if t._dims is None:
        return channels
    if len(t._dims) != 1:
        raise ShapeError(f"{what} must be 1-dimensional, got shape {_dims_list(t._dims)}")
    try:
        return _merge_dim(channels, t._dims[0])
    except ShapeError:
        raise ShapeError(f"{what} must have {channels} elements (the channels of x), got "
                         f"{t._dims[0]}") from None


def _rank_four(dims: Any) -> tuple:
    """The dims of a 4-D input (four unknown ones for an unknown rank), as TF's shape functions."""
    if dims is None:
        return (None,) * 4
    if len(dims) != 4:
        raise ShapeError(f"Shape must be rank 4 but is rank {len(dims)}")
    return dims


def _fused_batch_norm_infer(inputs: list, attrs: dict) -> list:
    x, scale, offset, mean, variance = inputs
    dtype = check_dtype(x, FLOATS, "x")
    vector_dtype = check_same_dtype("FusedBatchNormV3", inputs[1:], ("scale", "offset", "mean",
                                                                     "variance"))
    dims = _rank_four(x._dims)
    axis = _channel_axis(attrs["data_format"], 4)
    channels = dims[axis]
    vectors = (scale, offset) if attrs["is_training"] else (scale, offset, mean, variance)
    for t, what in zip(vectors, ("scale", "offset", "mean", "variance"), strict=False):
        channels = _check_vector(t, channels, what)
    dims = dims[:axis] + (channels,) + dims[axis + 1:]
    vector = (vector_dtype, (channels,))
    return [(dtype, dims), vector, vector, vector, vector, (vector_dtype, None)]


def _check_fused_batch_norm(x: np.ndarray, vectors: dict, data_format: str) -> int:
    """TF's run-time checks, for inputs of shapes unknown while building."""
    if x.ndim != 4:
        raise errors.InvalidArgumentError(
            None, None, f"input must be 4-dimensional{_shape_text(x)}")
    channels = x.shape[_channel_axis(data_format, 4)]
    for what, vector in vectors.items():
        if vector.shape != (channels,):
            raise errors.InvalidArgumentError(
                None, None, f"{what} must have the same number of elements as the channels of "
                f"x, got {vector.size} and {channels}")
    return channels


def _fused_batch_norm_kernel(op: Any) -> Any:
    epsilon, data_format = op._attrs["epsilon"], op._attrs["data_format"]
    training, axes = op._attrs["is_training"], _reduction_axes(op._attrs["data_format"])

    def fused_batch_norm(x: Any, scale: Any, offset: Any, mean: Any, variance: Any) -> tuple:
        x, scale, offset = np.asarray(x), np.asarray(scale), np.asarray(offset)
        checked = {"scale": scale, "offset": offset}
        if not training:
            checked.update(mean=np.asarray(mean), variance=np.asarray(variance))
        _check_fused_batch_norm(x, checked, data_format)
        wide = x.astype(scale.dtype)
        if training:
            mean, variance = wide.mean(axis=axes), wide.var(axis=axes)
            count = x.size // max(scale.size, 1)
            # NOTE: the running estimate is Bessel-corrected, as TF's (n / (n - 1), n >= 2).
            running = variance * (count / max(count - 1, 1)) if count else variance
        else:
            mean, variance = checked["mean"], checked["variance"]
            running = variance
        inverse = 1 / np.sqrt(variance + epsilon)
        y = (wide - _per_channel(mean, data_format)) * _per_channel(inverse * scale, data_format) \
            + _per_channel(offset, data_format)
        vector_type = scale.dtype.type
        return (y.astype(x.dtype), np.asarray(mean, scale.dtype), running.astype(vector_type),
                np.asarray(mean, scale.dtype), np.asarray(variance, scale.dtype),
                np.zeros(0, scale.dtype))
    return quiet(fused_batch_norm)


def _fused_batch_norm_grad(op: Any, grad_y: Tensor, *unused: Tensor) -> list:
    """As TF: FusedBatchNormGradV3 from the batch's saved moments (training) or the given
    population moments (inference); none for mean and variance."""
    x, scale = op.inputs[0], op.inputs[1]
    if op.get_attr("is_training"):
        moments_ = [op.outputs[3], op.outputs[4]]
    else:
        moments_ = [op.inputs[3], op.inputs[4]]
    attrs = {k: op.get_attr(k) for k in ("epsilon", "data_format", "is_training")}
    grad_op = apply_op("FusedBatchNormGradV3", [grad_y, x, scale, *moments_, op.outputs[5]],
                       attrs)
    return [grad_op._outputs[0], grad_op._outputs[1], grad_op._outputs[2], None, None]


register("FusedBatchNormV3", _fused_batch_norm_infer, _fused_batch_norm_kernel,
         grad=_fused_batch_norm_grad, multi_output=True)


def _fused_batch_norm_grad_infer(inputs: list, attrs: dict) -> list:
    grad_y, x, scale = inputs[:3]
    dtype = check_same_dtype("FusedBatchNormGradV3", [grad_y, x], ("y_backprop", "x"))
    channels = None if scale._dims is None else scale._dims[0]
    vector = (scale._dtype, (channels,))
    return [(dtype, _rank_four(merge_dims(grad_y._dims, x._dims))), vector, vector,
            (scale._dtype, (0,)), (scale._dtype, (0,))]


def _fused_batch_norm_backprop(op: Any) -> Any:
    epsilon, data_format = op._attrs["epsilon"], op._attrs["data_format"]
    training, axes = op._attrs["is_training"], _reduction_axes(op._attrs["data_format"])

    def backprop(grad_y: Any, x: Any, scale: Any, mean: Any, variance: Any,
                 unused: Any) -> tuple:
        grad_y, x, scale = np.asarray(grad_y), np.asarray(x), np.asarray(scale)
        wide, grad = x.astype(scale.dtype), grad_y.astype(scale.dtype)
        inverse = 1 / np.sqrt(np.asarray(variance) + epsilon)
        normalized = (wide - _per_channel(np.asarray(mean), data_format)) * \
            _per_channel(inverse, data_format)
        grad_offset, grad_scale = grad.sum(axis=axes), (grad * normalized).sum(axis=axes)
        factor = _per_channel(scale * inverse, data_format)
        if training:
            count = x.size // max(scale.size, 1)
            grad_x = factor * (grad - _per_channel(grad_offset / count, data_format)
                               - normalized * _per_channel(grad_scale / count, data_format))
        else:
            grad_x = factor * grad
        empty = np.zeros(0, scale.dtype)
        return grad_x.astype(x.dtype), grad_scale, grad_offset, empty, empty.copy()
    return quiet(backprop)


# NOTE: TF has a second-order rule here; session_magic refuses one, naming the op.
register("FusedBatchNormGradV3", _fused_batch_norm_grad_infer, _fused_batch_norm_backprop,
         grad=NO_GRADIENT_REGISTERED, multi_output=True)


def fused_batch_norm(x: Any, scale: Any, offset: Any, mean: Any = None, variance: Any = None,
                     epsilon: float = 0.001, data_format: str = "NHWC", is_training: bool = True,
                     name: Optional[str] = None) -> tuple:
    """(y, batch_mean, batch_variance) of one FusedBatchNormV3 op on a 4-D `x`: normalised by
    the batch's moments when training (the variance returned Bessel-corrected, for running
    averages), else by the given `mean` and `variance`."""
    if not is_training and (mean is None or variance is None):
        raise ValueError("Both 'mean' and 'variance' must be a 1D tensor when is_training is "
                         f"False, got mean={mean!r} and variance={variance!r}.")
    if data_format not in _BATCH_NORM_FORMATS:
        raise ValueError(f"data_format must be one of {_BATCH_NORM_FORMATS}, got "
                         f"{data_format!r}")
    x = convert_to_tensor(x, name="input")
    scale = convert_to_tensor(scale, name="scale")
    offset = convert_to_tensor(offset, name="offset")
    mean = convert_to_tensor([] if mean is None else mean, dtype=scale.dtype)
    variance = convert_to_tensor([] if variance is None else variance, dtype=scale.dtype)
    attrs = {"epsilon": max(float(epsilon), _MIN_BATCH_NORM_EPSILON), "data_format": data_format,
             "is_training": bool(is_training), "exponential_avg_factor": 1.0}
    op = apply_op("FusedBatchNormV3", [x, scale, offset, mean, variance], attrs, name)
    return op._outputs[0], op._outputs[1], op._outputs[2]


def _lrn_infer(inputs: list, attrs: dict) -> list:
    return [(check_dtype(inputs[0], FLOATS, "input"), _rank_four(inputs[0]._dims))]


def _window_sums(values: np.ndarray, radius: int) -> np.ndarray:
    """Sums over the last axis of the windows [d - radius, d + radius], clipped at the edges."""
    padded = np.cumsum(np.pad(values, [(0, 0)] * 3 + [(radius + 1, radius)]), axis=-1)
    depth = values.shape[-1]
    return padded[..., 2 * radius + 1:2 * radius + 1 + depth] - padded[..., :depth]


def _lrn_denominator(x: np.ndarray, attrs: dict) -> np.ndarray:
    """bias + alpha * (the window's sum of squares): raised to beta, it divides x."""
    if x.ndim != 4:
        raise errors.InvalidArgumentError(None, None, f"in must be 4-dimensional{_shape_text(x)}")
    wide = x.astype(np.promote_types(x.dtype, np.float32))  # NOTE: as TF, float16 in float32
    return attrs["bias"] + attrs["alpha"] * _window_sums(wide * wide, attrs["depth_radius"])


def _lrn_kernel(op: Any) -> Any:
    attrs = op._attrs

    def lrn(x: Any) -> np.ndarray:
        x = np.asarray(x)
        return (x / _lrn_denominator(x, attrs) ** attrs["beta"]).astype(x.dtype)
    return quiet(lrn)


def _lrn_grad(op: Any, g: Tensor) -> list:
    attrs = {k: op.get_attr(k) for k in ("depth_radius", "bias", "alpha", "beta")}
    return [single(apply_op("LRNGrad", [g, op.inputs[0], op.outputs[0]], attrs))]


register("LRN", _lrn_infer, _lrn_kernel, grad=_lrn_grad)


def _lrn_backprop(op: Any) -> Any:
    attrs = op._attrs
    radius, alpha, beta = attrs["depth_radius"], attrs["alpha"], attrs["beta"]

    def lrn_grad(grads: Any, x: Any, y: Any) -> np.ndarray:
        grads, x = np.asarray(grads), np.asarray(x)
        denominator = _lrn_denominator(x, attrs)
        # NOTE: y_i = x_i * N_i^-beta, and x_j is in N_i's window exactly when x_i is in N_j's.
        spread = _window_sums(grads * x * denominator ** (-beta - 1), radius)
        result = grads * denominator ** -beta - 2 * alpha * beta * x * spread
        return result.astype(x.dtype)
    return quiet(lrn_grad)


register("LRNGrad", lambda inputs, attrs: [(inputs[1]._dtype, _rank_four(inputs[1]._dims))],
         _lrn_backprop,
         grad=NO_GRADIENT_REGISTERED)


def local_response_normalization(input: Any, depth_radius: int = 5, bias: float = 1,  # noqa: A002
                                 alpha: float = 1, beta: float = 0.5,
                                 name: Optional[str] = None) -> Tensor:
    """`input / (bias + alpha * sum(input ** 2 over depth_radius neighbours)) ** beta`, along
    the last axis of a 4-D tensor."""
    attrs = {"depth_radius": int_arg(depth_radius, "depth_radius"),
             "bias": float(np.float32(bias)), "alpha": float(np.float32(alpha)),
             "beta": float(np.float32(beta))}
    return single(apply_op("LRN", [input], attrs, name, arg_names=("input",)))


lrn = local_response_normalization


# --- activations and losses built from ops -------------------------------------------------------

def swish(features: Any, beta: Any = 1.0) -> Tensor:
    """`features * sigmoid(beta * features)` (TF 2's signature; TF 1's had no beta)."""
    features = convert_to_tensor(features, name="features")
    beta = cast(convert_to_tensor(beta, name="beta"), features.dtype)
    return features * sigmoid(beta * features)


silu = swish


def crelu(features: Any, name: Optional[str] = None, axis: int = -1) -> Tensor:
    """`relu` of `features` and of `-features`, concatenated along `axis` (twice as deep)."""
    with op_scope(name, "CRelu", [features]) as scope:
        features = convert_to_tensor(features, name="features")
        return relu(concat([features, -features], axis, name=scope))


def relu_layer(x: Any, weights: Any, biases: Any, name: Optional[str] = None) -> Tensor:
    """`relu(matmul(x, weights) + biases)`."""
    with op_scope(name, "relu_layer", [x, weights, biases]) as scope:
        x = convert_to_tensor(x, name="x")
        weights = convert_to_tensor(weights, name="weights")
        biases = convert_to_tensor(biases, name="biases")
        return relu(bias_add(matmul(x, weights), biases), name=scope)


def log_poisson_loss(targets: Any, log_input: Any, compute_full_loss: bool = False,
                     name: Optional[str] = None) -> Tensor:
    """`exp(log_input) - log_input * targets`, plus with `compute_full_loss` Stirling's
    approximation of log(targets!) where targets > 1 (as TF: 0 for targets in [0, 1])."""
    with op_scope(name, "log_poisson_loss", [log_input, targets]):
        log_input = convert_to_tensor(log_input, name="log_input")
        targets = convert_to_tensor(targets, name="targets")
        if not dims_compatible(targets._dims, log_input._dims):
            raise ValueError("`log_input` and `targets` must have the same shape, received "
                             f"({log_input.shape} vs {targets.shape}).")
        result = exp(log_input) - log_input * targets
        if compute_full_loss:
            point_five = make_constant(0.5, targets.dtype)
            two_pi = make_constant(2 * np.pi, targets.dtype)
            stirling = targets * log(targets) - targets + point_five * log(two_pi * targets)
            zeros, ones = zeros_like(targets), ones_like(targets)
            small = logical_and(targets >= zeros, targets <= ones)
            result += where(small, zeros, stirling)
        return result


# --- candidate samplers and the sampled losses ---------------------------------------------------

def _sampler_infer(inputs: list, attrs: dict) -> list:
    true_classes = inputs[0]
    check_dtype(true_classes, (d.int64,), "true_classes")
    dims = true_classes._dims
    if dims is not None and len(dims) != 2:
        raise ShapeError(f"Shape must be rank 2 but is rank {len(dims)}")
    if dims is not None and dims[1] not in (None, attrs["num_true"]):
        raise ShapeError(f"true_classes must have num_true columns, expected: "
                         f"{attrs['num_true']} was: {dims[1]}")
    sampled = (attrs["num_sampled"],)
    true_dims = (None, attrs["num_true"]) if dims is None else dims
    return [(d.int64, sampled), (d.float32, true_dims), (d.float32, sampled)]


def _check_true_classes(true_classes: np.ndarray, num_true: int) -> None:
    if true_classes.ndim != 2:
        raise errors.InvalidArgumentError(None, None, "true_classes must be a matrix")
    if true_classes.shape[1] != num_true:
        raise errors.InvalidArgumentError(
            None, None, f"true_classes must have num_true columns, expected: {num_true} was: "
            f"{true_classes.shape[1]}")


def _draw_candidates(draw: Any, count: int, unique: bool) -> tuple:
    """(candidates, tries): `count` draws, or with `unique` the first `count` distinct values
    of a stream of draws and how many draws that took (TF's rejection of repeats)."""
    if not unique:
        return draw(count), count
    picked: list = []
    seen: set = set()
    tries = 0
    while len(picked) < count:
        for value in draw(max(count, 16)).tolist():
            tries += 1
            if value not in seen:
                seen.add(value)
                picked.append(value)
                if len(picked) == count:
                    break
    return np.array(picked, np.int64), tries


def _expected_count(probability: np.ndarray, count: int, tries: int) -> np.ndarray:
    """TF's expected count of a class in the sample: p * count for draws with replacement, else
    the chance that `tries` draws hit it at least once."""
    if tries == count:
        return (probability * count).astype(np.float32)
    return (-np.expm1(tries * np.log1p(-probability))).astype(np.float32)


def _log_uniform(range_max: int) -> tuple:
    """Zipf-like P(k) = log((k + 2) / (k + 1)) / log(range_max + 1), drawn as TF draws it."""
    log_range = np.log(range_max + 1)

    def draw(generator: np.random.Generator, size: int) -> np.ndarray:
        values = np.exp(generator.random(size) * log_range).astype(np.int64) - 1
        return values % range_max

    def probability(k: np.ndarray) -> np.ndarray:
        return np.log((k + 2.0) / (k + 1.0)) / log_range
    return draw, probability


def _uniform(range_max: int) -> tuple:
    def draw(generator: np.random.Generator, size: int) -> np.ndarray:
        return generator.integers(0, range_max, size, dtype=np.int64)
    return draw, lambda k: np.full(np.shape(k), 1.0 / range_max)


def _sampler_kernel(distribution: Any) -> Any:
    def kernel(op: Any) -> Any:
        attrs = op._attrs
        count, unique, range_max = attrs["num_sampled"], attrs["unique"], attrs["range_max"]
        draw, probability = distribution(range_max)

        def sample(ctx: Any, true_classes: Any) -> tuple:
            true_classes = np.asarray(true_classes)
            _check_true_classes(true_classes, attrs["num_true"])
            if unique and count > range_max:
                raise errors.InvalidArgumentError(None, None, "Sampler's range is too small.")
            generator = ctx.random_generator(op)
            candidates, tries = _draw_candidates(lambda n: draw(generator, n), count, unique)
            return (candidates, _expected_count(probability(true_classes), count, tries),
                    _expected_count(probability(candidates), count, tries))
        return sample
    return kernel


for _op_type, _distribution in (("LogUniformCandidateSampler", _log_uniform),
                                ("UniformCandidateSampler", _uniform)):
    register(_op_type, _sampler_infer, _sampler_kernel(_distribution), grad=NOT_DIFFERENTIABLE,
             multi_output=True, stateful=True, uses_context=True)


def _candidate_sampler(op_type: str, true_classes: Any, num_true: int, num_sampled: int,
                       unique: bool, range_max: int, seed: Optional[int],
                       name: Optional[str], extra: Optional[dict] = None) -> tuple:
    seed1, seed2 = get_seed(seed)
    attrs = {"num_true": int_arg(num_true, "num_true"),
             "num_sampled": int_arg(num_sampled, "num_sampled"), "unique": bool(unique),
             "range_max": int_arg(range_max, "range_max"), "seed": seed1, "seed2": seed2,
             **(extra or {})}
    for what in ("num_true", "num_sampled", "range_max"):
        if attrs[what] < 1:
            raise ValueError(f"{what} must be at least 1, got {attrs[what]}")
    op = apply_op(op_type, [true_classes], attrs, name, arg_names=("true_classes",),
                  dtype=d.int64)
    return tuple(op._outputs)


def log_uniform_candidate_sampler(true_classes: Any, num_true: int, num_sampled: int,
                                  unique: bool, range_max: int, seed: Optional[int] = None,
                                  name: Optional[str] = None) -> tuple:
    """(sampled_candidates, true_expected_count, sampled_expected_count): `num_sampled` classes
    of [0, range_max) drawn with P(k) ∝ log((k + 2) / (k + 1)), without repeats if `unique`."""
    return _candidate_sampler("LogUniformCandidateSampler", true_classes, num_true, num_sampled,
                              unique, range_max, seed, name)


def uniform_candidate_sampler(true_classes: Any, num_true: int, num_sampled: int, unique: bool,
                              range_max: int, seed: Optional[int] = None,
                              name: Optional[str] = None) -> tuple:
    """As `log_uniform_candidate_sampler`, with every class of [0, range_max) equally likely."""
    return _candidate_sampler("UniformCandidateSampler", true_classes, num_true, num_sampled,
                              unique, range_max, seed, name)


def _unigram_weights(attrs: dict) -> np.ndarray:
    """TF's FixedUnigramSampler table: a zero weight per reserved id, then count ** distortion
    per word (from `unigrams` or the last field of each line of `vocab_file`), this shard's
    ids only (id % num_shards == shard)."""
    counts = list(attrs["unigrams"])
    if attrs["vocab_file"]:
        with open(attrs["vocab_file"], encoding="utf-8") as lines:
            counts = [float(line.rsplit(",", 1)[-1]) for line in lines if line.strip()]
    weights = np.concatenate([np.zeros(attrs["num_reserved_ids"]),
                              np.asarray(counts, np.float64) ** attrs["distortion"]])
    return weights[np.arange(weights.size) % attrs["num_shards"] == attrs["shard"]]


def _refuse(message: str) -> Any:
    def refuse(ctx: Any, true_classes: Any) -> None:
        raise errors.InvalidArgumentError(None, None, message)
    return refuse


def _fixed_unigram_kernel(op: Any) -> Any:
    weights, attrs = _unigram_weights(op._attrs), op._attrs
    if weights.size != attrs["range_max"]:
        return _refuse(f"range_max must be equal to the number of unigrams of this shard "
                       f"({weights.size}), got {attrs['range_max']}")
    if attrs["unique"] and attrs["num_sampled"] > np.count_nonzero(weights):
        return _refuse("Sampler's range is too small.")
    probabilities = weights / weights.sum()

    def distribution(range_max: int) -> tuple:
        def draw(generator: np.random.Generator, size: int) -> np.ndarray:
            return generator.choice(range_max, size, p=probabilities).astype(np.int64)
        return draw, lambda k: probabilities[np.asarray(k)]
    return _sampler_kernel(distribution)(op)


register("FixedUnigramCandidateSampler", _sampler_infer, _fixed_unigram_kernel,
         grad=NOT_DIFFERENTIABLE, multi_output=True, stateful=True, uses_context=True)


def fixed_unigram_candidate_sampler(true_classes: Any, num_true: int, num_sampled: int,
                                    unique: bool, range_max: int, vocab_file: str = "",
                                    distortion: float = 1.0, num_reserved_ids: int = 0,
                                    num_shards: int = 1, shard: int = 0,
                                    unigrams: Sequence[float] = (), seed: Optional[int] = None,
                                    name: Optional[str] = None) -> tuple:
    """As `log_uniform_candidate_sampler`, with P(k) ∝ unigrams[k] ** distortion: counts given
    as `unigrams` or in `vocab_file` (one `word,count` a line)."""
    if bool(vocab_file) == bool(len(unigrams)):
        raise ValueError("fixed_unigram_candidate_sampler needs exactly one of vocab_file and "
                         "unigrams")
    if not 0 <= shard < num_shards:
        raise ValueError(f"shard must be in [0, num_shards), got shard={shard} and "
                         f"num_shards={num_shards}")
    extra = {"vocab_file": vocab_file, "distortion": float(distortion),
             "num_reserved_ids": int_arg(num_reserved_ids, "num_reserved_ids"),
             "num_shards": int_arg(num_shards, "num_shards"), "shard": int_arg(shard, "shard"),
             "unigrams": [float(u) for u in unigrams]}
    return _candidate_sampler("FixedUnigramCandidateSampler", true_classes, num_true,
                              num_sampled, unique, range_max, seed, name, extra)


def _accidental_hits_infer(inputs: list, attrs: dict) -> list:
    check_dtype(inputs[0], (d.int64,), "true_classes")
    check_dtype(inputs[1], (d.int64,), "sampled_candidates")
    return [(d.int32, (None,)), (d.int64, (None,)), (d.float32, (None,))]


def _accidental_hits_kernel(op: Any) -> Any:
    num_true = op._attrs["num_true"]

    def accidental_hits(true_classes: Any, sampled: Any) -> tuple:
        true_classes, sampled = np.asarray(true_classes), np.asarray(sampled)
        _check_true_classes(true_classes, num_true)
        # NOTE: a class sampled twice is found at its last position, as TF's map keeps it.
        position = {int(c): j for j, c in enumerate(sampled.reshape(-1))}
        hits = [(i, position[int(c)]) for i, row in enumerate(true_classes)
                for c in row if int(c) in position]
        rows = np.array([i for i, _ in hits], np.int32)
        ids = np.array([j for _, j in hits], np.int64)
        return rows, ids, np.full(len(hits), -np.finfo(np.float32).max, np.float32)
    return accidental_hits


register("ComputeAccidentalHits", _accidental_hits_infer, _accidental_hits_kernel,
         grad=NOT_DIFFERENTIABLE, multi_output=True)


def compute_accidental_hits(true_classes: Any, sampled_candidates: Any, num_true: int,
                            seed: Optional[int] = None, name: Optional[str] = None) -> tuple:
    """(indices, ids, weights): for each true class of row `indices[k]` that was also sampled,
    at position `ids[k]` of `sampled_candidates`, a weight of -FLT_MAX to add to its logit."""
    seed1, seed2 = get_seed(seed)
    attrs = {"num_true": int_arg(num_true, "num_true"), "seed": seed1, "seed2": seed2}
    op = apply_op("ComputeAccidentalHits", [true_classes, sampled_candidates], attrs, name,
                  arg_names=("true_classes", "sampled_candidates"), dtype=d.int64)
    return tuple(op._outputs)


def _sum_rows(x: Tensor) -> Tensor:
    """TF's row sums for these losses: a matmul with a column of ones (faster on GPUs)."""
    ones = array_ops.ones(stack([shape(x)[1], 1]), x.dtype)
    return reshape(matmul(x, ones), [-1])


def _compute_sampled_logits(weights: Any, biases: Any, labels: Any, inputs: Any,
                            num_sampled: int, num_classes: int, num_true: int,
                            sampled_values: Any, subtract_log_q: bool,
                            remove_accidental_hits: bool, partition_strategy: str,
                            name: Optional[str], seed: Optional[int]) -> tuple:
    """(logits, labels) over [true classes, sampled classes], as TF's helper builds them."""
    weights = list(weights) if isinstance(weights, (list, tuple)) else [weights]
    with op_scope(name, "compute_sampled_logits", weights + [biases, inputs, labels]):
        labels = convert_to_tensor(labels, name="labels")
        inputs = convert_to_tensor(inputs, name="inputs")
        labels = cast(labels, d.int64)
        labels_flat = reshape(labels, [-1])
        if sampled_values is None:
            sampled_values = log_uniform_candidate_sampler(
                labels, num_true, num_sampled, True, num_classes, seed=seed)
        sampled, true_expected, sampled_expected = (stop_gradient(s) for s in sampled_values)
        sampled = cast(sampled, d.int64)
        all_ids = concat([labels_flat, sampled], 0)
        true_count = shape(labels_flat)[0]
        all_w = cast(embedding_lookup(weights, all_ids, partition_strategy), inputs.dtype)
        true_w = array_ops.slice(all_w, [0, 0], stack([true_count, -1]))
        sampled_w = array_ops.slice(all_w, stack([true_count, 0]), [-1, -1])
        sampled_logits = matmul(inputs, sampled_w, transpose_b=True)
        all_b = cast(embedding_lookup(biases, all_ids, partition_strategy), inputs.dtype)
        true_b = array_ops.slice(all_b, [0], shape(labels_flat))
        sampled_b = array_ops.slice(all_b, shape(labels_flat), [-1])
        dim = shape(true_w)[1:2]
        row_wise_dots = multiply(expand_dims(inputs, 1),
                                 reshape(true_w, concat([[-1, num_true], dim], 0)))
        dots_as_matrix = reshape(row_wise_dots, concat([[-1], dim], 0))
        true_logits = reshape(_sum_rows(dots_as_matrix), [-1, num_true])
        true_logits += reshape(true_b, [-1, num_true])
        sampled_logits += sampled_b
        if remove_accidental_hits:
            sampled_logits += _accidental_hit_mask(labels, sampled, num_true, num_sampled,
                                                   sampled_logits.dtype)
        if subtract_log_q:
            true_logits -= log(true_expected)
            sampled_logits -= log(sampled_expected)
        out_logits = concat([true_logits, sampled_logits], 1)
        out_labels = concat([ones_like(true_logits) / num_true, zeros_like(sampled_logits)], 1)
        return out_logits, out_labels


def _accidental_hit_mask(labels: Tensor, sampled: Tensor, num_true: int, num_sampled: int,
                         dtype: d.DType) -> Tensor:
    """-FLT_MAX where a row's sampled class is one of its true classes, else 0.

    NOTE: TF scatters these with SparseToDense, which session_magic lacks; ScatterNd gives the
    same matrix unless a row names one true class twice (then -inf where TF has -FLT_MAX)."""
    rows, ids, hit_weights = compute_accidental_hits(labels, sampled, num_true=num_true)
    indices = concat([reshape(rows, [-1, 1]), reshape(cast(ids, d.int32), [-1, 1])], 1,
                     name="sparse_indices")
    logits_shape = concat([shape(labels)[:1], expand_dims(num_sampled, 0)], 0)
    return array_ops.scatter_nd(indices, cast(hit_weights, dtype), logits_shape)


def nce_loss(weights: Any, biases: Any, labels: Any, inputs: Any, num_sampled: int,
             num_classes: int, num_true: int = 1, sampled_values: Any = None,
             remove_accidental_hits: bool = False, partition_strategy: str = "mod",
             name: str = "nce_loss") -> Tensor:
    """Noise-contrastive estimation loss per example ([batch]): logistic losses of the true
    classes and of `num_sampled` classes drawn log-uniformly (or `sampled_values`)."""
    logits, labels = _compute_sampled_logits(
        weights, biases, labels, inputs, num_sampled, num_classes, num_true, sampled_values,
        True, remove_accidental_hits, partition_strategy, name, None)
    losses = sigmoid_cross_entropy_with_logits(labels=labels, logits=logits,
                                               name="sampled_losses")
    return _sum_rows(losses)


def sampled_softmax_loss(weights: Any, biases: Any, labels: Any, inputs: Any, num_sampled: int,
                         num_classes: int, num_true: int = 1, sampled_values: Any = None,
                         remove_accidental_hits: bool = True, partition_strategy: str = "mod",
                         name: str = "sampled_softmax_loss",
                         seed: Optional[int] = None) -> Tensor:
    """Softmax cross entropy per example ([batch]) over the true classes and `num_sampled`
    sampled ones, each logit corrected by the log of its expected count."""
    logits, labels = _compute_sampled_logits(
        weights, biases, labels, inputs, num_sampled, num_classes, num_true, sampled_values,
        True, remove_accidental_hits, partition_strategy, name, seed)
    labels = stop_gradient(labels, name="labels_stop_gradient")
    return softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits)
