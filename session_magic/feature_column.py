"""`tf.feature_column` basics: numeric, bucketized and categorical columns (vocabulary list or
file, identity), shown to a model through indicator or embedding columns by `input_layer`.
With no SparseTensor, a categorical column gives dense int64 ids [batch, values] with -1 where
TF drops an input ('' or -1) or finds an unknown word; one_hot and the embedding's combiner
skip -1, so the results are TF's."""
from __future__ import annotations

import math
import os
from typing import Any, Callable, NamedTuple, Optional, Sequence

import numpy as np

from . import dtypes as d
from .graph import GraphKeys, Tensor
from .initializers import truncated_normal_initializer
from .lookup import index_table_from_file, index_table_from_tensor
from .ops.array_ops import concat, expand_dims, gather, one_hot, reshape, shape
from .ops.constant_ops import constant
from .ops.control_flow_ops import with_dependencies
from .ops.conversion import convert_to_tensor
from .ops.math_ops import (cast, greater_equal, less, logical_and, maximum, not_equal,
                           reduce_all, reduce_sum, sqrt, where_v2)
from .ops.parsing_ops import FixedLenFeature, VarLenFeature
from .ops.script_ops import Assert
from .variables import get_variable, global_variables, variable_scope

__all__ = ["numeric_column", "bucketized_column", "categorical_column_with_vocabulary_list",
           "categorical_column_with_vocabulary_file", "categorical_column_with_identity",
           "indicator_column", "embedding_column", "input_layer", "make_parse_example_spec"]


class _Builder:
    """One input_layer's features, each column transformed once (TF's _LazyBuilder): a rank-1
    input becomes [batch, 1]."""

    def __init__(self, features: dict) -> None:
        self._features = features
        self._done: dict = {}

    def input(self, key: str) -> Tensor:
        if key not in self._features:
            raise ValueError(f"Feature {key} is not in features dictionary.")
        tensor = convert_to_tensor(self._features[key])
        return expand_dims(tensor, -1) if tensor.shape.ndims == 1 else tensor

    def get(self, column: Any) -> Any:
        if column not in self._done:
            self._done[column] = column._transform(self)
        return self._done[column]


def _elements(dims: tuple) -> int:
    return int(np.prod(dims, dtype=np.int64))


class NumericColumn(NamedTuple):
    """Real values of `shape` per example, cast to float32 (after `normalizer_fn`)."""

    key: str
    shape: tuple = (1,)
    default_value: Any = None
    dtype: d.DType = d.float32
    normalizer_fn: Optional[Callable] = None

    @property
    def name(self) -> str:
        return self.key

    @property
    def width(self) -> int:
        return _elements(self.shape)

    def _transform(self, builder: _Builder) -> Tensor:
        tensor = builder.input(self.key)
        if not (tensor.dtype.is_integer or tensor.dtype.is_floating):
            raise ValueError(f"Column {self.key}: a numeric column needs numbers, got a "
                             f"{tensor.dtype.name} tensor")
        if self.normalizer_fn is not None:
            tensor = self.normalizer_fn(tensor)
        return cast(tensor, d.float32)

    def _dense(self, builder: _Builder, collections: list, trainable: bool) -> Tensor:
        return builder.get(self)

    def _parse_spec(self) -> dict:
        return {self.key: FixedLenFeature(self.shape, self.dtype, self.default_value)}


def numeric_column(key: str, shape: Any = (1,), default_value: Any = None,
                   dtype: Any = d.float32, normalizer_fn: Optional[Callable] = None
                   ) -> NumericColumn:
    """A column of real values (`shape` of them per example)."""
    _check_key(key)
    shape = (shape,) if isinstance(shape, int) else tuple(int(n) for n in shape)
    if any(n < 1 for n in shape):
        raise ValueError(f"shape dimensions must be greater than 0. shape: {shape}, key: {key}")
    dtype = d.as_dtype(dtype)
    if not (dtype.is_integer or dtype.is_floating):
        raise ValueError(f"dtype must be convertible to float. dtype: {dtype}, key: {key}")
    if normalizer_fn is not None and not callable(normalizer_fn):
        raise TypeError(f"normalizer_fn must be a callable. Given: {normalizer_fn}")
    if default_value is not None:
        default_value = tuple(np.broadcast_to(default_value, shape).ravel().tolist())
    return NumericColumn(key, shape, default_value, dtype, normalizer_fn)


def _check_key(key: Any) -> None:
    if not isinstance(key, str):
        raise ValueError(f"key must be a string. Given: {key}")


class BucketizedColumn(NamedTuple):
    """A numeric column's values cut at `boundaries`: as input_layer input, each value a one-hot
    of its bucket; as a categorical column, value i's bucket b is id i * (buckets) + b."""

    source_column: NumericColumn
    boundaries: tuple

    @property
    def name(self) -> str:
        return f"{self.source_column.name}_bucketized"

    @property
    def num_buckets(self) -> int:
        return (len(self.boundaries) + 1) * self.source_column.width

    @property
    def width(self) -> int:
        return self.num_buckets

    def _transform(self, builder: _Builder) -> Tensor:
        # NOTE: TF's Bucketize: a value's bucket is the number of boundaries <= it
        values = expand_dims(builder.get(self.source_column), -1)
        return reduce_sum(cast(greater_equal(values, list(self.boundaries)), d.int64), -1)

    def _dense(self, builder: _Builder, collections: list, trainable: bool) -> Tensor:
        return one_hot(builder.get(self), len(self.boundaries) + 1, dtype=d.float32)

    def _ids(self, builder: _Builder) -> Tensor:
        buckets = builder.get(self)
        offsets = np.arange(self.source_column.width, dtype=np.int64) * (
            len(self.boundaries) + 1)
        return buckets + constant(offsets.reshape(self.source_column.shape), d.int64)

    def _parse_spec(self) -> dict:
        return self.source_column._parse_spec()


def bucketized_column(source_column: Any, boundaries: Sequence[float]) -> BucketizedColumn:
    """`source_column` (a numeric column) split into buckets at the sorted `boundaries`."""
    if not isinstance(source_column, NumericColumn):
        raise ValueError(f"source_column must be a column generated with numeric_column(). "
                         f"Given: {source_column}")
    if len(source_column.shape) > 1:
        raise ValueError(f"source_column must be one-dimensional column. Given: "
                         f"{source_column}")
    boundaries = tuple(float(b) for b in boundaries)
    if not boundaries or any(a >= b for a, b in zip(boundaries, boundaries[1:], strict=False)):
        raise ValueError(f"boundaries must be a sorted list. Given: {boundaries}")
    return BucketizedColumn(source_column, boundaries)


def _categorical_input(builder: _Builder, key: str, dtype: d.DType) -> Tensor:
    tensor = builder.input(key)
    if tensor.dtype.is_integer != dtype.is_integer or (
            dtype == d.string) != (tensor.dtype == d.string):
        raise ValueError(f"Column dtype and SparseTensors dtype must be compatible. key: {key}, "
                         f"column dtype: {dtype!r}, tensor dtype: {tensor.dtype!r}")
    return tensor


def _present(tensor: Tensor) -> Tensor:
    """Where TF keeps an input value: it drops '' and -1."""
    return not_equal(tensor, "" if tensor.dtype == d.string else constant(-1, tensor.dtype))


def _absent_as_minus_one(ids: Tensor, present: Tensor) -> Tensor:
    return where_v2(present, ids, constant(-1, d.int64))


class VocabularyListColumn(NamedTuple):
    """Words (or integers) of `vocabulary_list` -> their positions; others -> default_value."""

    key: str
    vocabulary_list: tuple
    dtype: d.DType
    default_value: int = -1
    num_oov_buckets: int = 0

    @property
    def name(self) -> str:
        return self.key

    @property
    def num_buckets(self) -> int:
        return len(self.vocabulary_list) + self.num_oov_buckets

    def _transform(self, builder: _Builder) -> Tensor:
        tensor = _categorical_input(builder, self.key, self.dtype)
        table = index_table_from_tensor(list(self.vocabulary_list), self.num_oov_buckets,
                                        self.default_value, dtype=self.dtype,
                                        name=f"{self.key}_lookup")
        keys = tensor if tensor.dtype == d.string else cast(tensor, d.int64)
        return _absent_as_minus_one(table.lookup(keys), _present(tensor))

    def _ids(self, builder: _Builder) -> Tensor:
        return builder.get(self)

    def _parse_spec(self) -> dict:
        return {self.key: VarLenFeature(self.dtype)}


def _check_oov(num_oov_buckets: int, default_value: Any) -> None:
    if num_oov_buckets < 0:
        raise ValueError(f"Invalid num_oov_buckets {num_oov_buckets}.")
    if num_oov_buckets > 0:
        if default_value is not None and default_value != -1:
            raise ValueError(f"Can't specify both num_oov_buckets and default_value. "
                             f"num_oov_buckets: {num_oov_buckets}")
        # NOTE: TF hashes an unknown word into a bucket with Fingerprint64, which we do not
        # reproduce: refusing is better than giving other ids than TF
        raise NotImplementedError(
            f"num_oov_buckets={num_oov_buckets}: out-of-vocabulary buckets (TF's Fingerprint64 "
            "hashing) are not supported by session_magic yet; use num_oov_buckets=0")


def _column_dtype(dtype: Any, example: Any) -> d.DType:
    if dtype is not None:
        dtype = d.as_dtype(dtype)
    elif isinstance(example, (str, bytes)):
        dtype = d.string
    else:
        dtype = d.int64
    if not (dtype.is_integer or dtype == d.string):
        raise ValueError(f"dtype {dtype} is not supported: use a string or an integer dtype")
    return dtype


def categorical_column_with_vocabulary_list(key: str, vocabulary_list: Sequence[Any],
                                            dtype: Any = None, default_value: int = -1,
                                            num_oov_buckets: int = 0) -> VocabularyListColumn:
    """A categorical column of the words (or integers) in `vocabulary_list`."""
    _check_key(key)
    vocabulary = tuple(vocabulary_list or ())
    if not vocabulary:
        raise ValueError(f"vocabulary_list {vocabulary_list} must be non-empty, column_name: "
                         f"{key}")
    if len(set(vocabulary)) != len(vocabulary):
        raise ValueError(f"Duplicate keys in vocabulary_list {vocabulary_list}, column_name: "
                         f"{key}")
    _check_oov(num_oov_buckets, default_value)
    dtype = _column_dtype(dtype, vocabulary[0])
    if dtype == d.string and not all(isinstance(w, (str, bytes)) for w in vocabulary):
        raise ValueError(f"dtype string is not compatible with vocabulary {vocabulary_list}, "
                         f"column_name: {key}")
    return VocabularyListColumn(key, vocabulary, dtype, default_value, num_oov_buckets)


class VocabularyFileColumn(NamedTuple):
    """Words of a vocabulary file (one a line) -> their line numbers; others -> default_value.
    The file is read when the table initializer runs."""

    key: str
    vocabulary_file: str
    vocabulary_size: int
    dtype: d.DType
    default_value: int = -1
    num_oov_buckets: int = 0

    @property
    def name(self) -> str:
        return self.key

    @property
    def num_buckets(self) -> int:
        return self.vocabulary_size + self.num_oov_buckets

    def _transform(self, builder: _Builder) -> Tensor:
        tensor = _categorical_input(builder, self.key, self.dtype)
        table = index_table_from_file(self.vocabulary_file, self.num_oov_buckets,
                                      self.vocabulary_size, self.default_value,
                                      key_dtype=self.dtype, name=f"{self.key}_lookup")
        keys = tensor if tensor.dtype == d.string else cast(tensor, d.int64)
        return _absent_as_minus_one(table.lookup(keys), _present(tensor))

    def _ids(self, builder: _Builder) -> Tensor:
        return builder.get(self)

    def _parse_spec(self) -> dict:
        return {self.key: VarLenFeature(self.dtype)}


def categorical_column_with_vocabulary_file(key: str, vocabulary_file: str,
                                            vocabulary_size: Optional[int] = None,
                                            num_oov_buckets: int = 0,
                                            default_value: Optional[int] = None,
                                            dtype: Any = d.string) -> VocabularyFileColumn:
    """A categorical column of the words of `vocabulary_file`; without `vocabulary_size` the
    file is read now to count its lines."""
    _check_key(key)
    if not vocabulary_file:
        raise ValueError(f"Missing vocabulary_file in {key}.")
    if vocabulary_size is None:
        if not os.path.exists(vocabulary_file):
            raise ValueError(f"vocabulary_file in {key} does not exist: {vocabulary_file}")
        with open(vocabulary_file, encoding="utf-8") as file:
            vocabulary_size = len(file.read().splitlines())
    if vocabulary_size < 1:
        raise ValueError(f"Invalid vocabulary_size in {key}.")
    _check_oov(num_oov_buckets, default_value)
    dtype = d.as_dtype(dtype)
    if not (dtype.is_integer or dtype == d.string):
        raise ValueError(f"Invalid dtype {dtype} in {key}.")
    default = -1 if default_value is None else default_value
    return VocabularyFileColumn(key, vocabulary_file, vocabulary_size, dtype, default,
                                num_oov_buckets)


class IdentityColumn(NamedTuple):
    """Integer inputs used as ids directly, in [0, num_buckets)."""

    key: str
    num_buckets: int
    default_value: Optional[int] = None

    @property
    def name(self) -> str:
        return self.key

    def _transform(self, builder: _Builder) -> Tensor:
        tensor = _categorical_input(builder, self.key, d.int64)
        ids, present = cast(tensor, d.int64), _present(tensor)
        in_range = logical_and(greater_equal(ids, 0), less(ids, self.num_buckets))
        if self.default_value is not None:
            ids = where_v2(in_range, ids, constant(self.default_value, d.int64))
            return _absent_as_minus_one(ids, present)
        valid = reduce_all(where_v2(present, in_range, True))
        check = Assert(valid, ["Bucket index for categorical column should be in [0, "
                               f"{self.num_buckets}), column {self.key}:", tensor],
                       name="assert_bucket_index")
        return with_dependencies([check], _absent_as_minus_one(ids, present))

    def _ids(self, builder: _Builder) -> Tensor:
        return builder.get(self)

    def _parse_spec(self) -> dict:
        return {self.key: VarLenFeature(d.int64)}


def categorical_column_with_identity(key: str, num_buckets: int,
                                     default_value: Optional[int] = None) -> IdentityColumn:
    """A categorical column whose integer inputs are the ids."""
    _check_key(key)
    if num_buckets < 1:
        raise ValueError(f"num_buckets {num_buckets} < 1, column_name {key}")
    if default_value is not None and not 0 <= default_value < num_buckets:
        raise ValueError(f"default_value {default_value} not in range [0, {num_buckets}), "
                         f"column_name {key}")
    return IdentityColumn(key, num_buckets, default_value)


_CATEGORICAL = (BucketizedColumn, VocabularyListColumn, VocabularyFileColumn, IdentityColumn)


def _check_categorical(column: Any) -> None:
    if not isinstance(column, _CATEGORICAL):
        raise ValueError(f"categorical_column must be of type _CategoricalColumn. Given "
                         f"(type {type(column)}): {column}")


class IndicatorColumn(NamedTuple):
    """A categorical column as a multi-hot float32 vector [batch, num_buckets] (counts)."""

    categorical_column: Any

    @property
    def name(self) -> str:
        return f"{self.categorical_column.name}_indicator"

    @property
    def width(self) -> int:
        return self.categorical_column.num_buckets

    def _dense(self, builder: _Builder, collections: list, trainable: bool) -> Tensor:
        ids = self.categorical_column._ids(builder)
        # NOTE: one_hot of an absent id (-1) is all zeros, as TF's dropped ids
        return reduce_sum(one_hot(ids, self.width, dtype=d.float32), -2)

    def _parse_spec(self) -> dict:
        return self.categorical_column._parse_spec()


def indicator_column(categorical_column: Any) -> IndicatorColumn:
    """A multi-hot representation of `categorical_column` for input_layer."""
    _check_categorical(categorical_column)
    return IndicatorColumn(categorical_column)


class EmbeddingColumn(NamedTuple):
    """A categorical column's ids as rows of a learned [num_buckets, dimension] matrix, combined
    per example by `combiner` ('mean', 'sum' or 'sqrtn'); an example with no id gives zeros."""

    categorical_column: Any
    dimension: int
    combiner: str
    initializer: Any
    trainable: bool

    @property
    def name(self) -> str:
        return f"{self.categorical_column.name}_embedding"

    @property
    def width(self) -> int:
        return self.dimension

    def _dense(self, builder: _Builder, collections: list, trainable: bool) -> Tensor:
        weights = get_variable("embedding_weights",
                               [self.categorical_column.num_buckets, self.dimension],
                               d.float32, self.initializer,
                               trainable=self.trainable and trainable, collections=collections)
        ids = self.categorical_column._ids(builder)
        kept = cast(greater_equal(ids, 0), d.float32)
        rows = gather(weights, maximum(ids, 0)) * expand_dims(kept, -1)
        total, count = reduce_sum(rows, -2), reduce_sum(kept, -1, keepdims=True)
        if self.combiner == "sum":
            return total
        scale = count if self.combiner == "mean" else sqrt(count)
        return total / maximum(scale, 1.0)

    def _parse_spec(self) -> dict:
        return self.categorical_column._parse_spec()


_COMBINERS = ("mean", "sqrtn", "sum")


def embedding_column(categorical_column: Any, dimension: int, combiner: str = "mean",
                     initializer: Any = None, ckpt_to_load_from: Any = None,
                     tensor_name_in_ckpt: Any = None, max_norm: Any = None,
                     trainable: bool = True) -> EmbeddingColumn:
    """A dense, learned `dimension`-long representation of `categorical_column`."""
    if dimension is None or dimension < 1:
        raise ValueError(f"Invalid dimension {dimension}.")
    if (ckpt_to_load_from is None) != (tensor_name_in_ckpt is None):
        raise ValueError("Must specify both `ckpt_to_load_from` and `tensor_name_in_ckpt` or "
                         "none of them.")
    if ckpt_to_load_from is not None or max_norm is not None:
        raise NotImplementedError("embedding_column: ckpt_to_load_from and max_norm are not "
                                  "supported by session_magic yet")
    if initializer is not None and not callable(initializer):
        raise ValueError(f"initializer must be callable if specified. Embedding of column_name: "
                         f"{categorical_column.name}")
    if combiner not in _COMBINERS:
        raise ValueError(f"combiner must be one of {_COMBINERS}, got {combiner!r}")
    _check_categorical(categorical_column)
    if initializer is None:
        initializer = truncated_normal_initializer(mean=0.0, stddev=1 / math.sqrt(dimension))
    return EmbeddingColumn(categorical_column, dimension, combiner, initializer, trainable)


_DENSE = (NumericColumn, BucketizedColumn, IndicatorColumn, EmbeddingColumn)


def _checked_columns(feature_columns: Any) -> list:
    if isinstance(feature_columns, _DENSE + _CATEGORICAL):
        feature_columns = [feature_columns]
    if isinstance(feature_columns, dict):
        raise ValueError("Expected feature_columns to be iterable, found dict.")
    columns = list(feature_columns)
    if not columns:
        raise ValueError("feature_columns must not be empty.")
    for column in columns:
        if not isinstance(column, _DENSE):
            raise ValueError(f"Items of feature_columns must be a _DenseColumn. You can wrap a "
                             f"categorical column with an embedding_column or indicator_column. "
                             f"Given: {column}")
    names = [column.name for column in columns]
    if len(set(names)) != len(names):
        raise ValueError(f"Duplicate feature column name found: {sorted(names)}")
    return sorted(columns, key=lambda column: column.name)


def input_layer(features: dict, feature_columns: Sequence[Any],
                weight_collections: Optional[list] = None, trainable: bool = True,
                cols_to_vars: Optional[dict] = None) -> Tensor:
    """The features the columns name, as one float32 [batch, width] tensor: each column's dense
    value flattened per example, concatenated in the order of the columns' names."""
    columns = _checked_columns(feature_columns)
    collections = list(weight_collections or [])
    for key in (GraphKeys.GLOBAL_VARIABLES, GraphKeys.MODEL_VARIABLES):
        if key not in collections:
            collections.append(key)
    builder, outputs = _Builder(dict(features)), []
    with variable_scope(None, default_name="input_layer", values=list(features.values())):
        for column in columns:
            with variable_scope(None, default_name=column.name) as scope:
                tensor = column._dense(builder, collections, trainable)
                batch = shape(tensor)[0]
                outputs.append(reshape(tensor, [batch, column.width]))
            if cols_to_vars is not None:
                cols_to_vars[column] = _variables_of(scope)
        return concat(outputs, 1)


def _variables_of(scope: Any) -> list:
    return [v for v in global_variables() if v.op.name.startswith(scope.name + "/")]


def make_parse_example_spec(feature_columns: Sequence[Any]) -> dict:
    """The tf.parse_example features dict the columns read (keys -> FixedLen/VarLenFeature)."""
    spec: dict = {}
    for column in feature_columns:
        if not isinstance(column, _DENSE + _CATEGORICAL):
            raise ValueError(f"All feature_columns must be _FeatureColumn instances. Given: "
                             f"{column}")
        for key, feature in column._parse_spec().items():
            if key in spec and spec[key] != feature:
                raise ValueError(f"Conflicting parsing spec for key {key}: {spec[key]} and "
                                 f"{feature}")
            spec[key] = feature
    return spec
