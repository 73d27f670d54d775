"""TF 1's variable initializers: objects called as `init(shape, dtype=None, partition_info=None)`
that build the ops giving a new variable its first value (`get_variable(..., initializer=...)`).
"""
from __future__ import annotations

import math
from typing import Any, Final, Optional

import numpy as np

from . import dtypes as d
from .graph import Tensor
from .ops import random_ops
from .ops.array_ops import fill, reshape, transpose
from .ops.constant_ops import make_constant
from .ops.registry import op_scope
from .ops.script_ops import numpy_function
from .tensor_shape import as_dims

__all__ = ["zeros_initializer", "ones_initializer", "constant_initializer",
           "random_normal_initializer", "random_uniform_initializer",
           "truncated_normal_initializer", "variance_scaling_initializer",
           "glorot_uniform_initializer", "glorot_normal_initializer", "he_normal", "he_uniform",
           "lecun_normal", "lecun_uniform", "orthogonal_initializer"]

_SMALL: Final = 1000  # NOTE: TF 1 stores smaller filled tensors as a Const, larger ones as Fill.
# scipy.stats.truncnorm.std(a=-2, b=2, loc=0., scale=1.): the spread truncation leaves.
_TRUNCATED_STD: Final = .87962566103423978


def _float_dtype(dtype: Any) -> d.DType:
    dtype = d.as_dtype(dtype)
    if not dtype.is_floating:
        raise ValueError(f"Expected floating point type, got {dtype}.")
    return dtype


def _static_shape(shape: Any) -> list:
    dims = as_dims(shape)
    if dims is None or None in dims:
        raise ValueError(f"An initializer needs a fully defined shape, got {shape!r}")
    return list(dims)


def _filled(value: Any, shape: Any, dtype: d.DType, default_name: str) -> Tensor:
    """TF 1's `zeros`/`ones`: a Const when small, else a Fill that keeps the graph small."""
    dims = _static_shape(shape)
    with op_scope(None, default_name, []) as scope:
        if int(np.prod(dims)) < _SMALL:
            return make_constant(value, dtype, dims, name=scope)
        return fill(make_constant(dims, d.int32, name="shape_as_tensor"),
                    make_constant(value, dtype, name="Const"), name=scope)


class Initializer:
    """Base of the initializer classes: callable, with `get_config` / `from_config`."""

    dtype: d.DType

    def __call__(self, shape: Any, dtype: Any = None, partition_info: Any = None) -> Tensor:
        raise NotImplementedError

    def get_config(self) -> dict:
        return {}

    def _dtype_for(self, dtype: Any) -> d.DType:
        return d.as_dtype(self.dtype if dtype is None else dtype)

    @classmethod
    def from_config(cls, config: dict) -> Initializer:
        config = dict(config)
        config.pop("dtype", None)
        return cls(**config)


class Zeros(Initializer):
    """Initializer of zeros."""

    def __init__(self, dtype: Any = d.float32) -> None:
        self.dtype = d.as_dtype(dtype)

    def __call__(self, shape: Any, dtype: Any = None, partition_info: Any = None) -> Tensor:
        dtype = self._dtype_for(dtype)
        zero = False if dtype.is_bool else "" if dtype is d.string else 0
        return _filled(zero, shape, dtype, "zeros")

    def get_config(self) -> dict:
        return {"dtype": self.dtype.name}


class Ones(Initializer):
    """Initializer of ones."""

    def __init__(self, dtype: Any = d.float32) -> None:
        self.dtype = d.as_dtype(dtype)

    def __call__(self, shape: Any, dtype: Any = None, partition_info: Any = None) -> Tensor:
        dtype = self._dtype_for(dtype)
        return _filled(True if dtype.is_bool else 1, shape, dtype, "ones")

    def get_config(self) -> dict:
        return {"dtype": self.dtype.name}


class Constant(Initializer):
    """Initializer to `value`: a scalar fills the shape; a list or array gives the elements."""

    def __init__(self, value: Any = 0, dtype: Any = d.float32, verify_shape: bool = False):
        if not (np.isscalar(value) or isinstance(value, (list, tuple, np.ndarray))):
            raise TypeError(f"Invalid type for initial value: {type(value)} (expected Python "
                            "scalar, list or tuple of values, or numpy.ndarray).")
        self.value = value
        self.dtype = d.as_dtype(dtype)
        self._verify_shape = verify_shape

    def __call__(self, shape: Any, dtype: Any = None, partition_info: Any = None,
                 verify_shape: Optional[bool] = None) -> Tensor:
        dtype = self._dtype_for(dtype)
        verify = self._verify_shape if verify_shape is None else verify_shape
        return make_constant(self.value, dtype, _static_shape(shape), verify_shape=verify)

    def get_config(self) -> dict:
        return {"value": self.value, "dtype": self.dtype.name}


class RandomNormal(Initializer):
    """Initializer drawing from a normal distribution."""

    def __init__(self, mean: float = 0.0, stddev: float = 1.0, seed: Optional[int] = None,
                 dtype: Any = d.float32) -> None:
        self.mean, self.stddev, self.seed = mean, stddev, seed
        self.dtype = _float_dtype(dtype)

    def __call__(self, shape: Any, dtype: Any = None, partition_info: Any = None) -> Tensor:
        return random_ops.random_normal(shape, self.mean, self.stddev,
                                        _float_dtype(self._dtype_for(dtype)), seed=self.seed)

    def get_config(self) -> dict:
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed,
                "dtype": self.dtype.name}


class RandomUniform(Initializer):
    """Initializer drawing uniformly from [minval, maxval)."""

    def __init__(self, minval: Any = 0, maxval: Any = None, seed: Optional[int] = None,
                 dtype: Any = d.float32) -> None:
        self.minval, self.maxval, self.seed = minval, maxval, seed
        self.dtype = d.as_dtype(dtype)

    def __call__(self, shape: Any, dtype: Any = None, partition_info: Any = None) -> Tensor:
        return random_ops.random_uniform(shape, self.minval, self.maxval, self._dtype_for(dtype),
                                         seed=self.seed)

    def get_config(self) -> dict:
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed,
                "dtype": self.dtype.name}


class TruncatedNormal(Initializer):
    """Initializer drawing from a normal distribution cut at two standard deviations."""

    def __init__(self, mean: float = 0.0, stddev: float = 1.0, seed: Optional[int] = None,
                 dtype: Any = d.float32) -> None:
        self.mean, self.stddev, self.seed = mean, stddev, seed
        self.dtype = _float_dtype(dtype)

    def __call__(self, shape: Any, dtype: Any = None, partition_info: Any = None) -> Tensor:
        return random_ops.truncated_normal(shape, self.mean, self.stddev,
                                           _float_dtype(self._dtype_for(dtype)), seed=self.seed)

    def get_config(self) -> dict:
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed,
                "dtype": self.dtype.name}


def _compute_fans(shape: list) -> tuple:
    """(fan_in, fan_out): a dense [in, out] kernel, or a conv kernel [..., in, out]."""
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive_field = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
    return shape[-2] * receptive_field, shape[-1] * receptive_field


class VarianceScaling(Initializer):
    """Initializer whose spread is `sqrt(scale / n)`, n being fan_in, fan_out or their mean."""

    def __init__(self, scale: float = 1.0, mode: str = "fan_in",
                 distribution: str = "truncated_normal", seed: Optional[int] = None,
                 dtype: Any = d.float32) -> None:
        if scale <= 0.:
            raise ValueError("`scale` must be positive float.")
        if mode not in {"fan_in", "fan_out", "fan_avg"}:
            raise ValueError(f"Invalid `mode` argument: {mode}")
        distribution = distribution.lower()
        if distribution not in {"normal", "uniform", "truncated_normal", "untruncated_normal"}:
            raise ValueError(f"Invalid `distribution` argument: {distribution}")
        self.scale, self.mode, self.distribution = scale, mode, distribution
        self.seed = seed
        self.dtype = _float_dtype(dtype)

    def _scale_for(self, shape: list) -> float:
        fan_in, fan_out = _compute_fans(shape)
        fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.}
        return self.scale / max(1., fan[self.mode])

    def __call__(self, shape: Any, dtype: Any = None, partition_info: Any = None) -> Tensor:
        dtype = _float_dtype(self._dtype_for(dtype))  # NOTE: an int variable is TF's ValueError
        full_shape = partition_info.full_shape if partition_info is not None else shape
        scale = self._scale_for(_static_shape(full_shape))
        if self.distribution in ("normal", "truncated_normal"):
            stddev = math.sqrt(scale) / _TRUNCATED_STD
            return random_ops.truncated_normal(shape, 0.0, stddev, dtype, seed=self.seed)
        if self.distribution == "untruncated_normal":
            return random_ops.random_normal(shape, 0.0, math.sqrt(scale), dtype, seed=self.seed)
        limit = math.sqrt(3.0 * scale)
        return random_ops.random_uniform(shape, -limit, limit, dtype, seed=self.seed)

    def get_config(self) -> dict:
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution,
                "seed": self.seed, "dtype": self.dtype.name}


class GlorotUniform(VarianceScaling):
    """Glorot (Xavier) uniform: limit `sqrt(6 / (fan_in + fan_out))`."""

    def __init__(self, seed: Optional[int] = None, dtype: Any = d.float32) -> None:
        super().__init__(1.0, "fan_avg", "uniform", seed, dtype)

    def get_config(self) -> dict:
        return {"seed": self.seed, "dtype": self.dtype.name}


class GlorotNormal(VarianceScaling):
    """Glorot (Xavier) normal: truncated, stddev `sqrt(2 / (fan_in + fan_out))` before cutting."""

    def __init__(self, seed: Optional[int] = None, dtype: Any = d.float32) -> None:
        super().__init__(1.0, "fan_avg", "truncated_normal", seed, dtype)

    def get_config(self) -> dict:
        return {"seed": self.seed, "dtype": self.dtype.name}


def he_normal(seed: Optional[int] = None) -> VarianceScaling:
    """He normal: truncated normal with variance `2 / fan_in`."""
    return VarianceScaling(2.0, "fan_in", "truncated_normal", seed)


def he_uniform(seed: Optional[int] = None) -> VarianceScaling:
    """He uniform: limit `sqrt(6 / fan_in)`."""
    return VarianceScaling(2.0, "fan_in", "uniform", seed)


def lecun_normal(seed: Optional[int] = None) -> VarianceScaling:
    """LeCun normal: truncated normal with variance `1 / fan_in`."""
    return VarianceScaling(1.0, "fan_in", "truncated_normal", seed)


def lecun_uniform(seed: Optional[int] = None) -> VarianceScaling:
    """LeCun uniform: limit `sqrt(3 / fan_in)`."""
    return VarianceScaling(1.0, "fan_in", "uniform", seed)


def _orthonormal(a: np.ndarray) -> np.ndarray:
    """Q of a's QR, its columns' signs fixed by R's diagonal (so Q is uniformly distributed)."""
    q, r = np.linalg.qr(a)
    return (q * np.sign(np.diag(r))).astype(a.dtype)


class Orthogonal(Initializer):
    """A random (semi-)orthogonal matrix, reshaped to the variable, times `gain`."""

    def __init__(self, gain: float = 1.0, seed: Optional[int] = None,
                 dtype: Any = d.float32) -> None:
        self.gain, self.seed = gain, seed
        self.dtype = _float_dtype(dtype)

    def __call__(self, shape: Any, dtype: Any = None, partition_info: Any = None) -> Tensor:
        dtype = _float_dtype(self._dtype_for(dtype))
        dims = _static_shape(shape)
        if len(dims) < 2:
            raise ValueError("The tensor to initialize must be at least two-dimensional")
        rows, cols = int(np.prod(dims[:-1])), dims[-1]
        flat = (cols, rows) if rows < cols else (rows, cols)
        a = random_ops.random_normal(flat, dtype=dtype, seed=self.seed)
        q = numpy_function(_orthonormal, [a], dtype)
        q.set_shape(flat)
        if rows < cols:
            q = transpose(q)
        return self.gain * reshape(q, dims)

    def get_config(self) -> dict:
        return {"gain": self.gain, "seed": self.seed, "dtype": self.dtype.name}


zeros_initializer = Zeros
ones_initializer = Ones
constant_initializer = Constant
random_normal_initializer = RandomNormal
random_uniform_initializer = RandomUniform
truncated_normal_initializer = TruncatedNormal
variance_scaling_initializer = VarianceScaling
orthogonal_initializer = Orthogonal
glorot_uniform_initializer = GlorotUniform
glorot_normal_initializer = GlorotNormal


def default_initializer(dtype: Any, name: str = "") -> Initializer:
    """What `get_variable` uses without an initializer: Glorot uniform for floats, else zeros."""
    dtype = d.as_dtype(dtype)
    if dtype.is_floating:
        return GlorotUniform()
    if dtype.is_integer or dtype.is_bool or dtype is d.string:
        return Zeros()
    raise ValueError(f"An initializer for variable {name} of {dtype.name} is required")

# `tf.initializers.*` spellings (TF 1.13+): the same classes under short names.
zeros, ones, constant = Zeros, Ones, Constant
random_normal, random_uniform, truncated_normal = RandomNormal, RandomUniform, TruncatedNormal
variance_scaling, glorot_uniform, glorot_normal = VarianceScaling, GlorotUniform, GlorotNormal
orthogonal = Orthogonal


# --- tf.initializers' op makers (TF1 names for the *_initializer functions) --------------------

def global_variables() -> Any:
    """tf.initializers.global_variables: `tf.global_variables_initializer()`."""
    from .variables import global_variables_initializer  # NOTE: variables.py imports this
    return global_variables_initializer()


def local_variables() -> Any:
    """tf.initializers.local_variables: `tf.local_variables_initializer()`."""
    from .variables import local_variables_initializer  # NOTE: variables.py imports this
    return local_variables_initializer()


def variables(var_list: list, name: str = "init") -> Any:
    """tf.initializers.variables: `tf.variables_initializer(var_list, name)`."""
    from .variables import variables_initializer  # NOTE: variables.py imports this
    return variables_initializer(var_list, name)


def tables_initializer(name: str = "init_all_tables") -> Any:
    """tf.initializers.tables_initializer: `tf.tables_initializer()`."""
    from .lookup import tables_initializer as make  # NOTE: lookup tables load on first use
    return make(name)
