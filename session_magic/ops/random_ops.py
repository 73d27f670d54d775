"""Op blocks for random tensors, with TF 1's seed rules: RandomStandardNormal, RandomUniform,
RandomUniformInt, TruncatedNormal, RandomShuffle and Multinomial.

Kernels draw from `ctx.random_generator(op)`, one generator per session and op seeded from the
op's ("seed", "seed2") attrs: re-running an op draws new numbers, and with a graph or op seed
every new session replays the same sequence, as in TF 1.
"""
from __future__ import annotations

from typing import Any, Final, Optional, Sequence

import numpy as np

from .. import dtypes as d
from .. import errors
from ..graph import Tensor, get_default_graph
from ..tensor_shape import TensorShape
from .common import FLOATS, REAL, check_dtype, check_same_dtype, int_arg, scalar_input, single
from .constant_ops import make_constant
from .conversion import convert_to_tensor
from .known import constant_value
from .math_ops import add
from .registry import NOT_DIFFERENTIABLE, ShapeError, apply_op, op_scope, register

__all__ = ["random_normal", "random_uniform", "truncated_normal", "random_shuffle",
           "multinomial", "set_random_seed", "get_seed"]

DEFAULT_GRAPH_SEED: Final = 87654321
_MAXINT32: Final = 2**31 - 1
_RANDOM: Final = dict(grad=NOT_DIFFERENTIABLE, stateful=True, uses_context=True)


# --- seeds ---------------------------------------------------------------------------------------

def set_random_seed(seed: Optional[int]) -> None:
    """Set the default graph's seed, which makes every random op built after it reproducible."""
    get_default_graph().seed = seed_arg(seed)


def seed_arg(seed: Any) -> Optional[int]:
    """The one check of a seed, graph or op: None or an int (1.5, inf, nan and 'abc' are TF's
    TypeError naming `seed`, where `int()` would truncate or fail naming nothing)."""
    return None if seed is None else int_arg(seed, "seed")


def get_seed(op_seed: Optional[int]) -> tuple:
    """The (seed, seed2) pair a random op stores, from the graph seed and `op_seed` (TF 1 rules)."""
    graph = get_default_graph()
    graph_seed, op_seed = seed_arg(graph.seed), seed_arg(op_seed)
    if graph_seed is not None:
        if op_seed is None:
            op_seed = graph.version  # NOTE: TF uses the last op id, which counts ops as this does.
        seeds = (graph_seed % _MAXINT32, op_seed % _MAXINT32)
    elif op_seed is not None:
        seeds = (DEFAULT_GRAPH_SEED, op_seed % _MAXINT32)
    else:
        seeds = (None, None)
    # NOTE: (0, 0) means "nondeterministic" to TF's kernels, so TF avoids it.
    return (0, _MAXINT32) if seeds == (0, 0) else seeds


def _seed_attrs(seed: Optional[int]) -> dict:
    seed1, seed2 = get_seed(seed)
    return {"seed": seed1, "seed2": seed2}


# --- shapes --------------------------------------------------------------------------------------

def _shape_tensor(shape: Any) -> Tensor:
    """A 1-D integer tensor for `shape` (a list, tuple, TensorShape or integer tensor)."""
    if isinstance(shape, Tensor) or hasattr(shape, "_to_tensor"):
        return convert_to_tensor(shape, name="shape")
    if isinstance(shape, TensorShape):
        shape = shape.as_list()
    return make_constant(shape, d.int32 if _fits_int32(shape) else d.int64, name="shape")


def _fits_int32(shape: Any) -> bool:
    values = np.asarray(shape, dtype=object).reshape(-1)
    return all(-2**31 <= int(v) < 2**31 for v in values) if values.size else True


def _output_dims(shape: Tensor) -> Any:
    check_dtype(shape, (d.int32, d.int64), "shape")
    if shape._dims is not None and len(shape._dims) != 1:
        raise ShapeError(f"Shape must be rank 1 but is rank {len(shape._dims)}")
    known = constant_value(shape)
    if known is not None:
        if np.any(known < 0):
            raise ShapeError(f"Shape {known.tolist()} has negative dimensions")
        return tuple(int(n) for n in known)
    if shape._dims is None or shape._dims[0] is None:
        return None
    return (None,) * shape._dims[0]


def _size(shape: Any) -> tuple:
    return tuple(int(n) for n in np.asarray(shape).reshape(-1))


def _check_attr_dtype(dtype: d.DType, allowed: Sequence[d.DType], arg: str = "dtype") -> d.DType:
    if dtype not in allowed:
        names = ", ".join(a.name for a in allowed)
        raise TypeError(f"Value passed to parameter '{arg}' has DataType {dtype.name} not in list "
                        f"of allowed values: {names}")
    return dtype


def _float_draw(draw: Any, size: tuple, numpy_type: Any) -> np.ndarray:
    """NOTE: NumPy draws float32 or float64 directly; float16 is drawn in float32 and rounded."""
    if numpy_type in (np.float32, np.float64):
        return draw(size, dtype=numpy_type)
    return draw(size, dtype=np.float32).astype(numpy_type)


def _float_op_infer(inputs: list, attrs: dict) -> list:
    return [(_check_attr_dtype(attrs["dtype"], FLOATS), _output_dims(inputs[0]))]


# --- RandomStandardNormal, RandomUniform, TruncatedNormal -----------------------------------------

def _standard_normal_kernel(op: Any) -> Any:
    numpy_type = op._attrs["dtype"].as_numpy_dtype

    def draw(ctx: Any, shape: Any) -> np.ndarray:
        return _float_draw(ctx.random_generator(op).standard_normal, _size(shape), numpy_type)
    return draw


def _uniform_kernel(op: Any) -> Any:
    numpy_type = op._attrs["dtype"].as_numpy_dtype

    def draw(ctx: Any, shape: Any) -> np.ndarray:
        values = _float_draw(ctx.random_generator(op).random, _size(shape), numpy_type)
        if numpy_type is np.float16:  # NOTE: rounding to float16 may reach 1.0, outside [0, 1).
            values = np.minimum(values, np.nextafter(np.float16(1), np.float16(0)))
        return values
    return draw


def _truncated_normal_kernel(op: Any) -> Any:
    numpy_type = op._attrs["dtype"].as_numpy_dtype

    def draw(ctx: Any, shape: Any) -> np.ndarray:
        generator = ctx.random_generator(op)
        values = generator.standard_normal(_size(shape))
        outside = np.abs(values) > 2
        while outside.any():  # NOTE: TF redraws values beyond two standard deviations.
            values[outside] = generator.standard_normal(int(outside.sum()))
            outside = np.abs(values) > 2
        return values.astype(numpy_type)
    return draw


register("RandomStandardNormal", _float_op_infer, _standard_normal_kernel, **_RANDOM)
register("RandomUniform", _float_op_infer, _uniform_kernel, **_RANDOM)
register("TruncatedNormal", _float_op_infer, _truncated_normal_kernel, **_RANDOM)


def _scaled(op_type: str, default_name: str, shape: Any, mean: Any, stddev: Any, dtype: Any,
            seed: Optional[int], name: Optional[str]) -> Tensor:
    """TF 1's `random_normal` / `truncated_normal`: a standard draw, times stddev, plus mean."""
    dtype, seed = d.as_dtype(dtype), seed_arg(seed)
    with op_scope(name, default_name, [shape, mean, stddev]) as scope:
        shape_tensor = _shape_tensor(shape)
        mean_tensor = convert_to_tensor(mean, dtype, name="mean")
        stddev_tensor = convert_to_tensor(stddev, dtype, name="stddev")
        attrs = {"dtype": dtype, **_seed_attrs(seed)}
        draw = single(apply_op(op_type, [shape_tensor], attrs))
        return add(draw * stddev_tensor, mean_tensor, name=scope)


def random_normal(shape: Any, mean: Any = 0.0, stddev: Any = 1.0, dtype: Any = d.float32,
                  seed: Optional[int] = None, name: Optional[str] = None) -> Tensor:
    """Values drawn from a normal distribution with `mean` and `stddev`."""
    return _scaled("RandomStandardNormal", "random_normal", shape, mean, stddev, dtype, seed,
                   name)


def truncated_normal(shape: Any, mean: Any = 0.0, stddev: Any = 1.0, dtype: Any = d.float32,
                     seed: Optional[int] = None, name: Optional[str] = None) -> Tensor:
    """Normal values, with those more than two standard deviations from `mean` redrawn."""
    return _scaled("TruncatedNormal", "truncated_normal", shape, mean, stddev, dtype, seed, name)


# --- RandomUniformInt ----------------------------------------------------------------------------

def _uniform_int_infer(inputs: list, attrs: dict) -> list:
    shape, minval, maxval = inputs
    dtype = check_same_dtype("RandomUniformInt", [minval, maxval], ("minval", "maxval"))
    check_dtype(minval, (d.int32, d.int64), "minval")
    for bound in (minval, maxval):
        if bound._dims is not None and len(bound._dims) != 0:
            raise ShapeError(f"Shape must be rank 0 but is rank {len(bound._dims)}")
    return [(dtype, _output_dims(shape))]


def _uniform_int_kernel(op: Any) -> Any:
    numpy_type = op._attrs["Tout"].as_numpy_dtype

    def draw(ctx: Any, shape: Any, minval: Any, maxval: Any) -> np.ndarray:
        low, high = int(minval), int(maxval)
        if low >= high:
            raise errors.InvalidArgumentError(None, None,
                                              f"Need minval < maxval: {low} >= {high}")
        return ctx.random_generator(op).integers(low, high, _size(shape), dtype=numpy_type)
    return draw


register("RandomUniformInt", _uniform_int_infer, _uniform_int_kernel, **_RANDOM)

_UNIFORM_DTYPES: Final = (d.float16, d.float32, d.float64, d.int32, d.int64)


def random_uniform(shape: Any, minval: Any = 0, maxval: Any = None, dtype: Any = d.float32,
                   seed: Optional[int] = None, name: Optional[str] = None) -> Tensor:
    """Values drawn uniformly from [minval, maxval); integer dtypes need `maxval`."""
    dtype, seed = d.as_dtype(dtype), seed_arg(seed)
    if dtype not in _UNIFORM_DTYPES:
        raise ValueError(f"Invalid dtype {dtype!r}")
    if maxval is None:
        if dtype.is_integer:
            raise ValueError(f"Must specify maxval for integer dtype {dtype!r}")
        maxval = 1
    with op_scope(name, "random_uniform", [shape, minval, maxval]) as scope:
        shape = _shape_tensor(shape)
        minval = convert_to_tensor(minval, dtype, name="min")
        maxval = convert_to_tensor(maxval, dtype, name="max")
        if dtype.is_integer:
            attrs = {"Tout": dtype, **_seed_attrs(seed)}
            return single(apply_op("RandomUniformInt", [shape, minval, maxval], attrs, scope))
        attrs = {"dtype": dtype, **_seed_attrs(seed)}
        draw = single(apply_op("RandomUniform", [shape], attrs))
        return add(draw * (maxval - minval), minval, name=scope)


# --- RandomShuffle -------------------------------------------------------------------------------

def _shuffle_kernel(op: Any) -> Any:
    def shuffle(ctx: Any, value: Any) -> Any:
        value = np.asarray(value)
        if value.ndim == 0 or len(value) <= 1:
            return value
        return ctx.random_generator(op).permutation(value)
    return shuffle


register("RandomShuffle", lambda inputs, attrs: [(inputs[0]._dtype, inputs[0]._dims)],
         _shuffle_kernel, **_RANDOM)


def random_shuffle(value: Any, seed: Optional[int] = None, name: Optional[str] = None) -> Tensor:
    """`value` with its first dimension randomly permuted."""
    return single(apply_op("RandomShuffle", [value], _seed_attrs(seed), name,
                           arg_names=("value",)))


# --- Multinomial ---------------------------------------------------------------------------------

def _multinomial_infer(inputs: list, attrs: dict) -> list:
    logits, num_samples = inputs
    check_dtype(logits, REAL, "logits")
    check_dtype(num_samples, (d.int32,), "num_samples")
    if logits._dims is not None and len(logits._dims) != 2:
        raise ShapeError(f"Shape must be rank 2 but is rank {len(logits._dims)}")
    if num_samples._dims is not None and len(num_samples._dims) != 0:
        raise ShapeError(f"Shape must be rank 0 but is rank {len(num_samples._dims)}")
    known = constant_value(num_samples)
    batch = None if logits._dims is None else logits._dims[0]
    dtype = _check_attr_dtype(attrs["output_dtype"], (d.int32, d.int64), "output_dtype")
    return [(dtype, (batch, None if known is None else _sample_count(int(known))))]


def _sample_count(count: int) -> int:
    if count < 0:
        raise ValueError(f"num_samples should be nonnegative, got {count}")
    return count


def _cumulative_probabilities(logits: np.ndarray) -> np.ndarray:
    probabilities = np.exp(logits - np.max(logits, axis=1, keepdims=True))
    cumulative = np.cumsum(probabilities, axis=1)
    return cumulative / cumulative[:, -1:]


def _multinomial_kernel(op: Any) -> Any:
    numpy_type = op._attrs["output_dtype"].as_numpy_dtype

    def draw(ctx: Any, logits: Any, num_samples: Any) -> np.ndarray:
        logits = np.asarray(logits, dtype=np.float64)
        if logits.ndim != 2:
            raise ValueError(f"logits should be a matrix, got shape {list(logits.shape)}")
        if logits.shape[1] == 0:
            raise errors.InvalidArgumentError(None, None, "num_classes should be positive, got 0")
        count = _sample_count(int(scalar_input(num_samples, "num_samples")))
        uniform = ctx.random_generator(op).random((logits.shape[0], count))
        cumulative = _cumulative_probabilities(logits)
        rows = [np.searchsorted(cumulative[i], uniform[i], side="right")
                for i in range(logits.shape[0])]
        samples = np.array(rows, dtype=numpy_type).reshape(logits.shape[0], count)
        return np.minimum(samples, numpy_type(logits.shape[1] - 1))
    return draw


register("Multinomial", _multinomial_infer, _multinomial_kernel, **_RANDOM)


def _sample_classes(logits: Any, num_samples: Any, dtype: Any, seed: Optional[int],
                    scope_name: Optional[str], default_name: str) -> Tensor:
    seed = seed_arg(seed)
    if not (isinstance(num_samples, Tensor) or hasattr(num_samples, "_to_tensor")):
        _sample_count(int_arg(num_samples, "num_samples"))  # NOTE: before any op is built
    with op_scope(scope_name, default_name, [logits]):
        logits = convert_to_tensor(logits, name="logits")
        num_samples = convert_to_tensor(num_samples, d.int32, name="num_samples")
        attrs = {"output_dtype": d.as_dtype(dtype or d.int64), **_seed_attrs(seed)}
        return single(apply_op("Multinomial", [logits, num_samples], attrs))


def multinomial(logits: Any, num_samples: Any, seed: Optional[int] = None,
                name: Optional[str] = None, output_dtype: Any = None) -> Tensor:
    """[batch, num_samples] class indices drawn from the softmax of each row of `logits`."""
    return _sample_classes(logits, num_samples, output_dtype, seed, name, "multinomial")


def categorical(logits: Any, num_samples: Any, dtype: Any = None, seed: Optional[int] = None,
                name: Optional[str] = None) -> Tensor:
    """`tf.random.categorical`: the same draw as `multinomial`."""
    return _sample_classes(logits, num_samples, dtype, seed, name, "categorical")
