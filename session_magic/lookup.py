"""`tf.lookup` (and `tf.contrib.lookup`): static hash tables, their initializers from tensors or
vocabulary files, `index_table_from_*` and `tables_initializer`, over the ops of lookup_ops."""
from __future__ import annotations

from typing import Any, Optional

from . import dtypes as d
from .graph import GraphKeys, Operation, Tensor, add_to_collection, get_collection, name_scope
from .ops import lookup_ops
from .ops.array_ops import range as range_op
from .ops.array_ops import size
from .ops.control_flow_ops import group, no_op
from .ops.conversion import convert_to_tensor
from .ops.math_ops import cast
from .ops.registry import apply_op

__all__ = ["StaticHashTable", "HashTable", "KeyValueTensorInitializer", "TextFileInitializer",
           "TextFileIndex", "TextFileIdTableInitializer", "TextFileStringTableInitializer",
           "StaticVocabularyTable", "index_table_from_tensor", "index_table_from_file",
           "index_to_string_table_from_tensor", "index_to_string_table_from_file",
           "tables_initializer", "initialize_all_tables"]


class TextFileIndex:
    """Which part of a vocabulary line a key or value is: the whole line or its number."""

    WHOLE_LINE = lookup_ops.WHOLE_LINE
    LINE_NUMBER = lookup_ops.LINE_NUMBER


class KeyValueTensorInitializer:
    """Fills a table with `keys[i] -> values[i]` (a LookupTableImportV2 op)."""

    def __init__(self, keys: Any, values: Any, key_dtype: Any = None, value_dtype: Any = None,
                 name: Optional[str] = None) -> None:
        self._keys = convert_to_tensor(keys, key_dtype, name="keys")
        self._values = convert_to_tensor(values, value_dtype, name="values")
        self._name = name if name is not None else "key_value_init"
        self.key_dtype, self.value_dtype = self._keys.dtype, self._values.dtype

    def initialize(self, table: "StaticHashTable") -> Operation:
        _check_table_dtypes(table, self.key_dtype, self.value_dtype)
        with name_scope(self._name):
            init = apply_op("LookupTableImportV2",
                            [table.resource_handle, self._keys, self._values],
                            name="LookupTableImportV2")
        add_to_collection(GraphKeys.TABLE_INITIALIZERS, init)
        return init


def _check_table_dtypes(table: Any, key_dtype: d.DType, value_dtype: d.DType) -> None:
    if key_dtype.base_dtype != table.key_dtype:
        raise TypeError(f"Invalid key dtype for table, expected {table.key_dtype} but got "
                        f"{key_dtype}.")
    if value_dtype.base_dtype != table.value_dtype:
        raise TypeError(f"Invalid value dtype for table, expected {table.value_dtype} but got "
                        f"{value_dtype}.")


def _check_index(index: int, dtype: d.DType, what: str) -> None:
    if index < TextFileIndex.WHOLE_LINE:
        raise ValueError(f"`{what}_index` should be >= -2, received: {index}.")
    if index == TextFileIndex.LINE_NUMBER and dtype != d.int64:
        raise ValueError(f"`{what}_dtype` must be int64 for `{what}_index` -1, received: "
                         f"{dtype}")
    if index == TextFileIndex.WHOLE_LINE and not dtype.is_integer and dtype != d.string:
        raise ValueError(f"`{what}_dtype` should be either integer or string for "
                         f"`{what}_index` -2, received: {dtype}")


class TextFileInitializer:
    """Fills a table from a vocabulary file, one entry a line (InitializeTableFromTextFileV2);
    the file is read when the initializer runs."""

    def __init__(self, filename: Any, key_dtype: Any, key_index: int, value_dtype: Any,
                 value_index: int, vocab_size: Optional[int] = None, delimiter: str = "\t",
                 name: Optional[str] = None, value_index_offset: int = 0) -> None:
        if not isinstance(filename, Tensor) and not filename:
            raise ValueError("`filename` argument required for tf.lookup.TextFileInitializer")
        self.key_dtype, self.value_dtype = d.as_dtype(key_dtype), d.as_dtype(value_dtype)
        _check_index(key_index, self.key_dtype, "key")
        _check_index(value_index, self.value_dtype, "value")
        if vocab_size is not None and vocab_size <= 0:
            raise ValueError(f"`vocab_size` should be > 0, received: {vocab_size}")
        self._filename, self._name = filename, name
        self._attrs = {"key_index": key_index, "value_index": value_index,
                       "vocab_size": -1 if vocab_size is None else vocab_size,
                       "delimiter": delimiter, "offset": value_index_offset}

    def initialize(self, table: "StaticHashTable") -> Operation:
        _check_table_dtypes(table, self.key_dtype, self.value_dtype)
        with name_scope(self._name or "text_file_init"):
            filename = convert_to_tensor(self._filename, d.string, name="asset_filepath")
            init = apply_op("InitializeTableFromTextFileV2", [table.resource_handle, filename],
                            dict(self._attrs), name="InitializeTableFromTextFileV2")
        add_to_collection(GraphKeys.TABLE_INITIALIZERS, init)
        return init


class TextFileIdTableInitializer(TextFileInitializer):
    """Vocabulary words (a column, the whole line by default) -> their line numbers."""

    def __init__(self, filename: Any, key_column_index: int = TextFileIndex.WHOLE_LINE,
                 value_column_index: int = TextFileIndex.LINE_NUMBER,
                 vocab_size: Optional[int] = None, delimiter: str = "\t",
                 name: str = "text_file_id_table_init", key_dtype: Any = d.string) -> None:
        super().__init__(filename, key_dtype, key_column_index, d.int64, value_column_index,
                         vocab_size, delimiter, name)


class TextFileStringTableInitializer(TextFileInitializer):
    """Line numbers -> vocabulary words (a column, the whole line by default)."""

    def __init__(self, filename: Any, key_column_index: int = TextFileIndex.LINE_NUMBER,
                 value_column_index: int = TextFileIndex.WHOLE_LINE,
                 vocab_size: Optional[int] = None, delimiter: str = "\t",
                 name: str = "text_file_string_table_init") -> None:
        super().__init__(filename, d.int64, key_column_index, d.string, value_column_index,
                         vocab_size, delimiter, name)


class StaticHashTable:
    """An immutable table filled once by its initializer; keys it lacks give `default_value`.
    The initializer op joins tf.GraphKeys.TABLE_INITIALIZERS (run by tf.tables_initializer())."""

    def __init__(self, initializer: Any, default_value: Any, name: Optional[str] = None) -> None:
        self._initializer = initializer
        self.key_dtype, self.value_dtype = initializer.key_dtype, initializer.value_dtype
        self._name = name or "hash_table"
        self._default_value = convert_to_tensor(default_value, self.value_dtype)
        if self._default_value.shape.ndims not in (None, 0):
            raise ValueError(f"default_value must be a scalar, got shape "
                             f"{self._default_value.shape}")
        self.resource_handle = apply_op(
            "HashTableV2", [], {"key_dtype": self.key_dtype, "value_dtype": self.value_dtype,
                                "shared_name": "", "container": "",
                                "use_node_name_sharing": False},
            name=self._name).outputs[0]
        self._init_op = initializer.initialize(self)

    @property
    def name(self) -> str:
        return self._name

    @property
    def initializer(self) -> Operation:
        return self._init_op

    @property
    def default_value(self) -> Tensor:
        return self._default_value

    def lookup(self, keys: Any, name: Optional[str] = None) -> Tensor:
        """The values of `keys` (any shape), `default_value` where a key is missing."""
        keys = convert_to_tensor(keys, self.key_dtype if not isinstance(keys, Tensor) else None)
        if keys.dtype.base_dtype != self.key_dtype:
            raise TypeError(f"Dtype of argument `keys` must be {self.key_dtype}, received: "
                            f"{keys.dtype}")
        with name_scope(name or f"{self._name}_Lookup"):
            return apply_op("LookupTableFindV2", [self.resource_handle, keys,
                                                  self._default_value],
                            name="LookupTableFindV2").outputs[0]

    def size(self, name: Optional[str] = None) -> Tensor:
        """The number of entries (an int64 scalar)."""
        with name_scope(name or f"{self._name}_Size"):
            return apply_op("LookupTableSizeV2", [self.resource_handle],
                            name="LookupTableSizeV2").outputs[0]


HashTable = StaticHashTable


def _refuse_oov_buckets(num_oov_buckets: int) -> None:
    if num_oov_buckets < 0:
        raise ValueError(f"`num_oov_buckets` must be greater or equal than 0, got "
                         f"{num_oov_buckets}.")
    if num_oov_buckets > 0:
        # NOTE: TF puts an unknown key in bucket Fingerprint64(key) % num_oov_buckets; without
        # TF's exact Fingerprint64 our ids would differ, so we refuse rather than disagree
        raise NotImplementedError(
            f"num_oov_buckets={num_oov_buckets}: out-of-vocabulary buckets (TF's Fingerprint64 "
            "hashing) are not supported by session_magic yet; use num_oov_buckets=0 and a "
            "default_value")


class StaticVocabularyTable:
    """TF's vocabulary table with out-of-vocabulary buckets: always refused, as TF needs at
    least one bucket and we cannot hash into buckets as TF does (see _refuse_oov_buckets)."""

    def __init__(self, initializer: Any, num_oov_buckets: int, lookup_key_dtype: Any = None,
                 name: Optional[str] = None, experimental_is_anonymous: bool = False) -> None:
        _refuse_oov_buckets(num_oov_buckets)
        raise ValueError(f"`num_oov_buckets` must be greater than 0, got {num_oov_buckets}; "
                         "use tf.lookup.StaticHashTable for a table without buckets.")


def _index_dtype_check(keys: Tensor, dtype: d.DType) -> None:
    if not dtype.is_integer and dtype != d.string:
        raise TypeError("`dtype` must either be integer or string.")
    if keys.dtype.is_integer != dtype.is_integer or (
            not dtype.is_integer and keys.dtype != dtype):
        kind = "integer" if dtype.is_integer else "non-integer"
        raise ValueError(f"Invalid `dtype`: Expected {kind}, got {keys.dtype}.")


def index_table_from_tensor(vocabulary_list: Any, num_oov_buckets: int = 0,
                            default_value: int = -1, hasher_spec: Any = None,
                            dtype: Any = d.string, name: Optional[str] = None) -> StaticHashTable:
    """A table of each word of `vocabulary_list` to its position (int64)."""
    if vocabulary_list is None:
        raise ValueError("`vocabulary_list` must be specified.")
    _refuse_oov_buckets(num_oov_buckets)
    dtype = d.as_dtype(dtype)
    with name_scope(name or "string_to_index"):
        keys = convert_to_tensor(vocabulary_list)
        _index_dtype_check(keys, dtype)
        values = cast(_range_of(keys), d.int64)
        with name_scope("hash_table"):
            table_keys = cast(keys, d.int64) if keys.dtype.is_integer else keys
            init = KeyValueTensorInitializer(table_keys, values, table_keys.dtype, d.int64,
                                             name="table_init")
            return StaticHashTable(init, default_value)


def _range_of(values: Tensor) -> Tensor:
    """0 .. size(values) - 1, as TF builds it (Size, then Range)."""
    return range_op(size(values))


def index_table_from_file(vocabulary_file: Any = None, num_oov_buckets: int = 0,
                          vocab_size: Optional[int] = None, default_value: int = -1,
                          hasher_spec: Any = None, key_dtype: Any = d.string,
                          name: Optional[str] = None, key_column_index: int = -2,
                          value_column_index: int = -1, delimiter: str = "\t"
                          ) -> StaticHashTable:
    """A table of each word of a vocabulary file (one a line) to its line number (int64)."""
    if vocabulary_file is None or (isinstance(vocabulary_file, str) and not vocabulary_file):
        raise ValueError("`vocabulary_file` must be specified and must not be empty.")
    _refuse_oov_buckets(num_oov_buckets)
    if vocab_size is not None and vocab_size < 1:
        raise ValueError(f"`vocab_size` must be greater than 0, got {vocab_size} for "
                         f"vocabulary_file: {vocabulary_file}.")
    key_dtype = d.as_dtype(key_dtype)
    if not key_dtype.is_integer and key_dtype != d.string:
        raise TypeError("Dtype for `keys` should be either integer or string.")
    with name_scope(name or "string_to_index"), name_scope("hash_table"):
        init = TextFileIdTableInitializer(
            vocabulary_file, key_column_index, value_column_index, vocab_size, delimiter,
            name="table_init", key_dtype=d.int64 if key_dtype.is_integer else key_dtype)
        return StaticHashTable(init, default_value)


def index_to_string_table_from_tensor(vocabulary_list: Any, default_value: str = "UNK",
                                      name: Optional[str] = None) -> StaticHashTable:
    """A table of positions (int64) to the words of `vocabulary_list`."""
    if vocabulary_list is None:
        raise ValueError("`vocabulary_list` argument must be specified.")
    with name_scope(name or "index_to_string"):
        words = convert_to_tensor(vocabulary_list, d.string)
        keys = cast(_range_of(words), d.int64)
        init = KeyValueTensorInitializer(keys, words, d.int64, d.string, name="table_init")
        return StaticHashTable(init, default_value)


def index_to_string_table_from_file(vocabulary_file: Any, vocab_size: Optional[int] = None,
                                    default_value: str = "UNK", name: Optional[str] = None,
                                    key_column_index: int = -1, value_column_index: int = -2,
                                    delimiter: str = "\t") -> StaticHashTable:
    """A table of line numbers (int64) to the words of a vocabulary file."""
    if vocabulary_file is None or (isinstance(vocabulary_file, str) and not vocabulary_file):
        raise ValueError("`vocabulary_file` must be specified and must not be empty.")
    with name_scope(name or "index_to_string"):
        init = TextFileStringTableInitializer(vocabulary_file, key_column_index,
                                              value_column_index, vocab_size, delimiter,
                                              name="table_init")
        return StaticHashTable(init, default_value)


def tables_initializer(name: str = "init_all_tables") -> Operation:
    """One op running every initializer in tf.GraphKeys.TABLE_INITIALIZERS (a NoOp if none)."""
    initializers = get_collection(GraphKeys.TABLE_INITIALIZERS)
    return group(*initializers, name=name) if initializers else no_op(name=name)


initialize_all_tables = tables_initializer
