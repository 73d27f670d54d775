"""tf.data's Dataset: a description of an input pipeline, iterated by an iterator's ops.

A dataset holds the graph tensors it needs (`_inputs`: sliced arrays, file names, tensors its
functions capture) and the static type and shape of its elements. An iterator's initializer
evaluates those tensors in the run and the dataset turns their values into a Python generator
of elements (flat tuples of arrays, `_elements`). Functions (`map`, `filter`, ...) are traced
once into function graphs, as cond branches are, and run per element.
"""
from __future__ import annotations

import glob
import itertools
import os
import zlib
from typing import Any, Callable, Iterator, Optional

import numpy as np

from .. import dtypes as d
from .. import errors, nest
from ..graph import Tensor, get_default_graph
from ..ops.constant_ops import placeholder
from ..ops.conversion import convert_to_tensor
from ..ops.functional import FuncGraph
from ..ops.known import constant_value
from ..ops.random_ops import get_seed
from ..ops.registry import OPS
from ..tensor_shape import TensorShape, as_dims

__all__ = ["Dataset", "DatasetV1", "TextLineDataset", "TFRecordDataset"]


_STEPS = {"_TensorSlices": "from_tensor_slices", "_Tensors": "from_tensors", "_Range": "range",
          "_Zip": "zip", "_Generator": "from_generator", "_Map": "map", "_Filter": "filter",
          "_Batch": "batch", "_Unbatch": "unbatch", "_Shuffle": "shuffle", "_Repeat": "repeat",
          "_Cache": "cache", "_ListFiles": "list_files", "_Interleave": "interleave"}


class Structured:
    """What a dataset or iterator yields: `_structure` (nested) of `_flat_types`/`_flat_dims`."""

    @property
    def output_types(self) -> Any:
        return nest.pack_sequence_as(self._structure, self._flat_types)

    @property
    def output_shapes(self) -> Any:
        return nest.pack_sequence_as(self._structure, [TensorShape(x) for x in self._flat_dims])

    @property
    def output_classes(self) -> Any:
        return nest.pack_sequence_as(self._structure, [Tensor] * len(self._flat_types))


class Dataset(Structured):
    """A pipeline of elements (nested tuples/dicts of tensors), as TF1's `tf.data.Dataset`."""

    def __init__(self, inputs: list, structure: Any, flat_types: list, flat_dims: list) -> None:
        self._inputs = list(inputs)
        self._structure = structure  # nested structure of anything: the shape of an element
        self._flat_types = list(flat_types)
        self._flat_dims = [as_dims(dims) for dims in flat_dims]

    def _elements(self, values: tuple, env: Any) -> Iterator[tuple]:
        raise NotImplementedError

    def _chain(self) -> list:
        """The pipeline's steps from its source, as a drawing names them: ["range", "map"]."""
        parent = getattr(self, "_parent", None)
        step = _STEPS.get(type(self).__name__, type(self).__name__)
        return ([] if parent is None else parent._chain()) + [getattr(self, "_kind", step)]

    def _external_state(self) -> Optional[str]:
        """What makes this pipeline's elements depend on more than its inputs and seeds (a
        Python generator, a function with stateful ops), or None: a saved iterator position is
        replayed on restore, so only pipelines without external state restore exactly."""
        for value in vars(self).values():
            for part in value if isinstance(value, (list, tuple)) else [value]:
                found = part._external_state() if isinstance(part, (Dataset, _Traced)) else None
                if found:
                    return found
        return None

    def _entropy(self, seeds: tuple, env: Any) -> Any:
        """A shuffle's seed: its op-level seeds, or else one drawn per iteration (`env`) and
        keyed by this dataset's first input's name, so a replayed iterator draws the same."""
        if seeds[0] is not None:
            return list(seeds)
        return [env.entropy, zlib.crc32(self._inputs[0]._op.name.encode())]

    # --- structure -----------------------------------------------------------------------


    def __iter__(self) -> Any:
        raise RuntimeError("dataset.__iter__() is only supported when eager execution is "
                           "enabled; in graph mode make an iterator: "
                           "tf.compat.v1.data.make_one_shot_iterator(dataset).get_next()")

    # --- iterators -------------------------------------------------------------------------

    def make_one_shot_iterator(self) -> Any:
        from .iterator import Iterator  # NOTE: iterator.py imports this module
        return Iterator._one_shot(self)

    def make_initializable_iterator(self, shared_name: Optional[str] = None) -> Any:
        from .iterator import Iterator  # NOTE: iterator.py imports this module
        return Iterator._initializable(self)

    # --- sources ---------------------------------------------------------------------------

    @staticmethod
    def from_tensor_slices(tensors: Any) -> Dataset:
        return _TensorSlices(tensors)

    @staticmethod
    def from_tensors(tensors: Any) -> Dataset:
        return _Tensors(tensors)

    @staticmethod
    def range(*args: Any, output_type: Any = d.int64) -> Dataset:
        return _Range(args, d.as_dtype(output_type))

    @staticmethod
    def zip(datasets: Any) -> Dataset:
        return _Zip(datasets)

    @staticmethod
    def list_files(file_pattern: Any, shuffle: Optional[bool] = None,
                   seed: Optional[int] = None) -> Dataset:
        return _ListFiles(file_pattern, shuffle is not False, seed)

    @staticmethod
    def from_generator(generator: Callable, output_types: Any, output_shapes: Any = None,
                       args: Any = None) -> Dataset:
        return _Generator(generator, output_types, output_shapes, args)

    # --- transformations ---------------------------------------------------------------------

    def map(self, map_func: Callable, num_parallel_calls: Any = None,
            deterministic: Any = None) -> Dataset:
        return _Map(self, map_func)

    def filter(self, predicate: Callable) -> Dataset:
        return _Filter(self, predicate)

    def batch(self, batch_size: Any, drop_remainder: bool = False) -> Dataset:
        return _Batch(self, batch_size, drop_remainder)

    def padded_batch(self, batch_size: Any, padded_shapes: Any = None, padding_values: Any = None,
                     drop_remainder: bool = False) -> Dataset:
        return _Batch(self, batch_size, drop_remainder,
                      _Padding(self, padded_shapes, padding_values))

    def flat_map(self, map_func: Callable) -> Dataset:
        return _Interleave(self, map_func, 1, 1)

    def interleave(self, map_func: Callable, cycle_length: Any = None, block_length: Any = None,
                   num_parallel_calls: Any = None, deterministic: Any = None) -> Dataset:
        cycle = (os.cpu_count() or 1) if cycle_length in (None, -1) else cycle_length
        return _Interleave(self, map_func, cycle, 1 if block_length is None else block_length)

    def shuffle(self, buffer_size: Any, seed: Optional[int] = None,
                reshuffle_each_iteration: Optional[bool] = None) -> Dataset:
        return _Shuffle(self, buffer_size, seed, reshuffle_each_iteration is not False)

    def repeat(self, count: Any = None) -> Dataset:
        return _Repeat(self, count)

    def take(self, count: Any) -> Dataset:
        return _Slice(self, count, "take")

    def skip(self, count: Any) -> Dataset:
        return _Slice(self, count, "skip")

    def prefetch(self, buffer_size: Any) -> Dataset:
        return self  # NOTE: elements are computed when pulled; nothing runs ahead to prefetch

    def cache(self, filename: str = "") -> Dataset:
        return _Cache(self)

    def unbatch(self) -> Dataset:
        return _Unbatch(self)

    def apply(self, transformation_func: Callable) -> Dataset:
        result = transformation_func(self)
        if not isinstance(result, Dataset):
            raise TypeError("`transformation_func` must return a Dataset, got "
                            f"{type(result).__name__}")
        return result


DatasetV1 = Dataset


# --- helpers -------------------------------------------------------------------------------

def _own_values(dataset: Dataset, values: tuple) -> tuple:
    """Split the input values of a one-parent dataset: (the parent's, its own)."""
    count = len(dataset._parent._inputs)
    return values[:count], values[count:]


def _as_tensors(structure: Any, name: str) -> tuple:
    """(structure, flat tensors) of a nested structure of tensor-like values: tuples and dicts
    nest, a list is one tensor (as tf.data reads `[1, 2]`: one component, not two)."""
    structure = _tensors_in(structure, name)
    return structure, nest.flatten(structure)


def _tensors_in(value: Any, name: str) -> Any:
    if isinstance(value, dict):
        return type(value)((k, _tensors_in(v, name)) for k, v in value.items())
    if isinstance(value, tuple):
        parts = [_tensors_in(v, name) for v in value]
        return type(value)(*parts) if hasattr(value, "_fields") else tuple(parts)
    return convert_to_tensor(value, name=name)


def _int_scalar(value: Any, name: str) -> Tensor:
    tensor = convert_to_tensor(value, d.int64, name=name)
    if tensor._dims not in (None, ()):
        raise ValueError(f"`{name}` must be a scalar, got shape {TensorShape(tensor._dims)}")
    return tensor


class _Unary(Dataset):
    """A dataset of one parent with tensors of its own (`own`) appended to the parent's."""

    def __init__(self, parent: Dataset, own: list, structure: Any = None, flat_types: Any = None,
                 flat_dims: Any = None) -> None:
        self._parent = parent
        super().__init__(parent._inputs + own,
                         parent._structure if structure is None else structure,
                         parent._flat_types if flat_types is None else flat_types,
                         parent._flat_dims if flat_dims is None else flat_dims)


class _Traced:
    """A Python function traced once into a function graph; runs it on one element."""

    def __init__(self, function: Callable, dataset: Dataset, what: str) -> None:
        graph = FuncGraph(what, get_default_graph())
        with graph.as_default(), graph.name_scope(what + "/"):
            arguments = [placeholder(t, dims) for t, dims in
                         zip(dataset._flat_types, dataset._flat_dims, strict=True)]
            element = nest.pack_sequence_as(dataset._structure, arguments)
            # NOTE: as TF, a plain tuple is spread over the arguments; a namedtuple or a dict
            # is passed whole
            result = function(*element) if type(element) is tuple else function(element)
            if isinstance(result, list):
                result = tuple(result)
            self.result = result
            self.outputs = self._tensors(graph, nest.flatten(result))
        self.captured = list(graph.captures)  # outer tensors: inputs of the dataset
        self.feeds = arguments + list(graph.captures.values())
        self._plan: Any = None
        self._graph = graph

    def _external_state(self) -> Optional[str]:
        stateful = [op for op in self._graph.get_operations()
                    if OPS[op._type].stateful and OPS[op._type].role == "op"]
        if stateful:
            return f"the function holds the stateful op {stateful[0].name!r} ({stateful[0]._type})"
        return None

    @staticmethod
    def _tensors(graph: FuncGraph, values: list) -> list:
        tensors = []
        for value in values:
            found = value._inputs if isinstance(value, Dataset) else [convert_to_tensor(value)]
            tensors.extend(t if t._op._graph is graph else graph._capture(t) for t in found)
        return tensors

    def __call__(self, env: Any, element: tuple, captured: tuple) -> list:
        if self._plan is None:
            # NOTE: compiled by the first run's context and kept (two threads may both compile)
            self._plan = env.ctx.compile(self.outputs, self.feeds)
        return self._plan.run([*element, *captured], env.ctx)


# --- sources -------------------------------------------------------------------------------

class _TensorSlices(Dataset):
    def __init__(self, tensors: Any) -> None:
        structure, flat = _as_tensors(tensors, "component")
        if not flat:
            raise ValueError("from_tensor_slices needs at least one tensor")
        firsts = {t._dims[0] for t in flat if t._dims and t._dims[0] is not None}
        if any(t._dims == () for t in flat):
            raise ValueError("from_tensor_slices: every component must have rank 1 or more, "
                             f"got {[TensorShape(t._dims) for t in flat]}")
        if len(firsts) > 1:
            raise ValueError("Dimensions 0 of the components of from_tensor_slices differ: "
                             f"{[TensorShape(t._dims) for t in flat]}")
        super().__init__(flat, structure, [t.dtype for t in flat],
                         [None if t._dims is None else t._dims[1:] for t in flat])

    def _elements(self, values: tuple, env: Any) -> Iterator[tuple]:
        sizes = {np.shape(v)[0] for v in values}
        if len(sizes) > 1:
            raise errors.InvalidArgumentError(
                None, None, "All components must have the same size in the 0th dimension, got "
                f"{[np.shape(v)[0] for v in values]}")
        for i in range(sizes.pop()):
            yield tuple(v[i] for v in values)


class _Tensors(Dataset):
    def __init__(self, tensors: Any) -> None:
        structure, flat = _as_tensors(tensors, "component")
        super().__init__(flat, structure, [t.dtype for t in flat], [t._dims for t in flat])

    def _elements(self, values: tuple, env: Any) -> Iterator[tuple]:
        yield tuple(values)


class _Range(Dataset):
    def __init__(self, args: tuple, dtype: d.DType) -> None:
        if not 1 <= len(args) <= 3:
            raise ValueError(f"Dataset.range takes 1 to 3 arguments, got {len(args)}")
        names = ("stop",) if len(args) == 1 else ("start", "stop", "step")
        self._dtype = dtype
        super().__init__([_int_scalar(a, n) for a, n in zip(args, names, strict=False)], None,
                         [dtype], [()])

    def _elements(self, values: tuple, env: Any) -> Iterator[tuple]:
        bounds = [int(v) for v in values]
        if len(bounds) == 3 and bounds[2] == 0:
            raise errors.InvalidArgumentError(None, None, "step must be a non-zero integer.")
        for i in range(*bounds):
            yield (np.asarray(i, self._dtype.as_numpy_dtype),)


class _Zip(Dataset):
    def __init__(self, datasets: Any) -> None:
        parts = nest.flatten(datasets)
        if not parts or not all(isinstance(p, Dataset) for p in parts):
            raise TypeError("Dataset.zip takes a (nested) tuple of datasets, got "
                            f"{datasets!r}")
        self._parts = parts
        structure = nest.pack_sequence_as(datasets, [p._structure for p in parts])
        super().__init__([t for p in parts for t in p._inputs], structure,
                         [t for p in parts for t in p._flat_types],
                         [x for p in parts for x in p._flat_dims])

    def _elements(self, values: tuple, env: Any) -> Iterator[tuple]:
        streams, start = [], 0
        for part in self._parts:
            streams.append(part._elements(values[start:start + len(part._inputs)], env))
            start += len(part._inputs)
        for elements in zip(*streams, strict=False):
            yield tuple(x for element in elements for x in element)


class _Generator(Dataset):
    def __init__(self, generator: Callable, output_types: Any, output_shapes: Any,
                 args: Any) -> None:
        if not callable(generator):
            raise TypeError("`generator` must be callable.")
        types = [d.as_dtype(t) for t in nest.flatten(output_types)]
        if output_shapes is None:
            dims = [None] * len(types)
        else:
            nest.assert_same_structure(output_types, output_shapes)
            dims = [as_dims(s) for s in _shape_leaves(output_types, output_shapes)]
        self._generator, self._args = generator, () if args is None else tuple(args)
        inputs = [convert_to_tensor(a, name="args") for a in self._args]
        super().__init__(inputs, output_types, types, dims)

    def _external_state(self) -> Optional[str]:
        return "the dataset reads a Python generator (Dataset.from_generator)"

    def _elements(self, values: tuple, env: Any) -> Iterator[tuple]:
        for item in self._generator(*values):
            flat = _flatten_up_to(self._structure, item)
            if len(flat) != len(self._flat_types):
                raise errors.InvalidArgumentError(
                    None, None, f"`generator` yielded an element of {len(flat)} components "
                    f"where the output_types have {len(self._flat_types)}")
            yield tuple(_checked(v, t, dims, i) for i, (v, t, dims) in
                        enumerate(zip(flat, self._flat_types, self._flat_dims, strict=True)))


def _flatten_up_to(structure: Any, value: Any) -> list:
    """The parts of `value` at the leaves of `structure` (a leaf may be a list: one array)."""
    if not nest.is_sequence(structure):
        return [value]
    if isinstance(structure, dict):
        return [x for k in sorted(structure) for x in _flatten_up_to(structure[k], value[k])]
    if not isinstance(value, (tuple, list)) or len(value) != len(structure):
        raise errors.InvalidArgumentError(
            None, None, f"`generator` yielded {value!r}, which does not match the structure "
            f"of output_types {structure!r}")
    return [x for s, v in zip(structure, value, strict=True) for x in _flatten_up_to(s, v)]


def _shape_leaves(types: Any, shapes: Any) -> list:
    """The shapes aligned with `types`' leaves: a shape is a leaf even when given as a list."""
    if not nest.is_sequence(types):
        return [shapes]
    if isinstance(types, dict):
        return [s for k in sorted(types) for s in _shape_leaves(types[k], shapes[k])]
    return [s for t, s in zip(types, shapes, strict=True) for s in _shape_leaves(t, s)]


def _checked(value: Any, dtype: d.DType, dims: Any, index: int) -> np.ndarray:
    try:
        array = np.asarray(value, dtype=dtype.as_numpy_dtype)
    except (TypeError, ValueError) as error:
        raise errors.InvalidArgumentError(
            None, None, f"TypeError: `generator` yielded an element that could not be converted "
            f"to the expected type {dtype.name} (component {index}): {error}") from error
    if dims is not None and (len(dims) != array.ndim or any(
            want is not None and want != got for want, got in zip(dims, array.shape,
                                                                   strict=True))):
        raise errors.InvalidArgumentError(
            None, None, f"`generator` yielded an element of shape {list(array.shape)} where an "
            f"element of shape {TensorShape(dims)} was expected (component {index}).")
    return array


class _Files(Dataset):
    """A dataset of records of files: lines (TextLineDataset) or TFRecords."""

    def __init__(self, filenames: Any, compression_type: Any, read: Callable) -> None:
        files = convert_to_tensor(filenames, d.string, name="filenames")
        if files._dims is not None and len(files._dims) > 1:
            raise ValueError(f"`filenames` must be a scalar or a vector, got shape "
                             f"{TensorShape(files._dims)}")
        compression = convert_to_tensor("" if compression_type is None else compression_type,
                                        d.string, name="compression_type")
        self._read = read
        super().__init__([files, compression], None, [d.string], [()])

    def _elements(self, values: tuple, env: Any) -> Iterator[tuple]:
        files, compression = values
        for name in np.reshape(files, -1):
            for record in self._read(_text(name), _text(compression)):
                yield (np.asarray(record, dtype=object),)


def _text(value: Any) -> str:
    value = value.item() if isinstance(value, np.ndarray) else value
    return value.decode() if isinstance(value, bytes) else str(value)


def _lines(path: str, compression: str) -> Iterator[bytes]:
    from ..python_io import _file_bytes  # NOTE: loaded only when a text file is read
    lines = _file_bytes(path, compression).split(b"\n")
    if lines[-1] == b"":  # NOTE: a final line ending ends the last line, it starts none
        lines.pop()
    for line in lines:
        yield line.rstrip(b"\r")


def _records(path: str, compression: str) -> Iterator[bytes]:
    from ..python_io import tf_record_iterator  # NOTE: loaded only when a TFRecord is read
    return tf_record_iterator(path, compression or None)


class TextLineDataset(_Files):
    """The lines of text files (without their line endings), file after file."""

    def __init__(self, filenames: Any, compression_type: Any = None, buffer_size: Any = None,
                 num_parallel_reads: Any = None) -> None:
        super().__init__(filenames, compression_type, _lines)


class TFRecordDataset(_Files):
    """The records of TFRecord files (CRC-checked), file after file."""

    def __init__(self, filenames: Any, compression_type: Any = None, buffer_size: Any = None,
                 num_parallel_reads: Any = None) -> None:
        super().__init__(filenames, compression_type, _records)


# --- transformations -------------------------------------------------------------------------

class _Map(_Unary):
    def __init__(self, parent: Dataset, function: Callable) -> None:
        self._function = _Traced(function, parent, "map")
        outputs = self._function.outputs
        super().__init__(parent, self._function.captured, self._function.result,
                         [t.dtype for t in outputs], [t._dims for t in outputs])
        if not nest.is_sequence(self._structure):
            self._structure = None

    def _elements(self, values: tuple, env: Any) -> Iterator[tuple]:
        parent_values, captured = _own_values(self, values)
        for element in self._parent._elements(parent_values, env):
            yield tuple(self._function(env, element, captured))


class _Filter(_Unary):
    def __init__(self, parent: Dataset, predicate: Callable) -> None:
        self._predicate = _Traced(predicate, parent, "filter")
        outputs = self._predicate.outputs
        scalar_bool = len(outputs) == 1 and outputs[0].dtype is d.bool
        if not scalar_bool or outputs[0]._dims not in (None, ()):
            raise ValueError("`predicate` must return a scalar boolean tensor, got "
                             f"{self._predicate.result!r}")
        super().__init__(parent, self._predicate.captured)

    def _elements(self, values: tuple, env: Any) -> Iterator[tuple]:
        parent_values, captured = _own_values(self, values)
        for element in self._parent._elements(parent_values, env):
            if self._predicate(env, element, captured)[0]:
                yield element


class _Batch(_Unary):
    def __init__(self, parent: Dataset, batch_size: Any, drop_remainder: bool,
                 padding: Optional[_Padding] = None) -> None:
        size = _int_scalar(batch_size, "batch_size")
        static = constant_value(size)
        first = int(static) if drop_remainder and static is not None else None
        self._drop_remainder = bool(drop_remainder)
        self._padding = padding
        dims = parent._flat_dims if padding is None else padding.dims
        super().__init__(parent, [size], flat_dims=[
            None if x is None else (first, *x) for x in dims])

    def _elements(self, values: tuple, env: Any) -> Iterator[tuple]:
        parent_values, (size,) = _own_values(self, values)
        if int(size) <= 0:
            raise errors.InvalidArgumentError(None, None, "Batch size must be greater than zero.")
        parent = self._parent._elements(parent_values, env)
        combine = _stacked if self._padding is None else self._padding.batch
        while True:
            batch = list(itertools.islice(parent, int(size)))
            if not batch or (self._drop_remainder and len(batch) < int(size)):
                return
            yield tuple(combine([element[i] for element in batch], i)
                        for i in range(len(batch[0])))


def _stacked(parts: list, component: int) -> np.ndarray:
    first = np.shape(parts[0])
    for index, part in enumerate(parts):
        if np.shape(part) != first:
            raise errors.InvalidArgumentError(
                None, None, f"Cannot batch tensors with different shapes in component "
                f"{component}. First element had shape {list(first)} and element {index} had "
                f"shape {list(np.shape(part))}.")
    return np.stack(parts)


class _Unbatch(_Unary):
    def __init__(self, parent: Dataset) -> None:
        if any(dims == () for dims in parent._flat_dims):
            raise ValueError("Cannot unbatch an input with scalar components.")
        super().__init__(parent, [], flat_dims=[None if dims is None else dims[1:]
                                                for dims in parent._flat_dims])

    def _elements(self, values: tuple, env: Any) -> Iterator[tuple]:
        for element in self._parent._elements(values, env):
            for i in range(np.shape(element[0])[0]):
                yield tuple(component[i] for component in element)


class _Shuffle(_Unary):
    def __init__(self, parent: Dataset, buffer_size: Any, seed: Optional[int],
                 reshuffle: bool) -> None:
        self._seeds = get_seed(seed)
        self._reshuffle = reshuffle
        super().__init__(parent, [_int_scalar(buffer_size, "buffer_size")])

    def _generator(self, env: Any) -> np.random.Generator:
        """One generator per stream, kept across epochs so each epoch's order differs; without
        reshuffling, each epoch starts from the same seed."""
        entropy = self._entropy(self._seeds, env)
        if not self._reshuffle:
            return np.random.default_rng(entropy)
        return env.state.setdefault(self, np.random.default_rng(entropy))

    def _elements(self, values: tuple, env: Any) -> Iterator[tuple]:
        parent_values, (size,) = _own_values(self, values)
        if int(size) <= 0:
            raise errors.InvalidArgumentError(
                None, None, "buffer_size must be greater than zero.")
        rng, buffer = self._generator(env), []
        for element in self._parent._elements(parent_values, env):
            buffer.append(element)
            if len(buffer) >= int(size):
                index = int(rng.integers(len(buffer)))
                buffer[index], buffer[-1] = buffer[-1], buffer[index]
                yield buffer.pop()
        while buffer:
            index = int(rng.integers(len(buffer)))
            buffer[index], buffer[-1] = buffer[-1], buffer[index]
            yield buffer.pop()


class _Repeat(_Unary):
    def __init__(self, parent: Dataset, count: Any) -> None:
        super().__init__(parent, [_int_scalar(-1 if count is None else count, "count")])

    def _elements(self, values: tuple, env: Any) -> Iterator[tuple]:
        parent_values, (count,) = _own_values(self, values)
        epochs = itertools.count() if int(count) < 0 else range(int(count))
        for _ in epochs:
            empty = True
            for element in self._parent._elements(parent_values, env):
                empty = False
                yield element
            if empty:  # NOTE: an empty epoch would repeat forever; TF ends there too
                return


class _Slice(_Unary):
    def __init__(self, parent: Dataset, count: Any, kind: str) -> None:
        self._kind = kind
        super().__init__(parent, [_int_scalar(count, "count")])

    def _elements(self, values: tuple, env: Any) -> Iterator[tuple]:
        parent_values, (count,) = _own_values(self, values)
        elements = self._parent._elements(parent_values, env)
        count = int(count)
        if self._kind == "take":
            return elements if count < 0 else itertools.islice(elements, count)
        return iter(()) if count < 0 else itertools.islice(elements, count, None)


class _Cache(_Unary):
    """Elements of the first full pass, replayed on later passes of the same iterator."""

    def __init__(self, parent: Dataset) -> None:
        super().__init__(parent, [])

    def _elements(self, values: tuple, env: Any) -> Iterator[tuple]:
        cached = env.state.get(self)
        if cached is not None:
            yield from cached
            return
        seen = []
        for element in self._parent._elements(values, env):
            seen.append(element)
            yield element
        env.state[self] = seen


class _ListFiles(Dataset):
    """The files matching glob patterns, sorted; shuffled anew each epoch unless `shuffle` is
    False."""

    def __init__(self, pattern: Any, shuffle: bool, seed: Optional[int]) -> None:
        self._seeds = get_seed(seed) if shuffle else None
        super().__init__([convert_to_tensor(pattern, d.string, name="file_pattern")], None,
                         [d.string], [()])

    def _elements(self, values: tuple, env: Any) -> Iterator[tuple]:
        patterns = [_text(p) for p in np.reshape(values[0], -1)]
        names = sorted({name for p in patterns for name in glob.glob(p)})
        if not names:
            raise errors.InvalidArgumentError(
                None, None, f"No files matched pattern: {', '.join(patterns)}")
        if self._seeds is not None:
            entropy = self._entropy(self._seeds, env)
            rng = env.state.setdefault(self, np.random.default_rng(entropy))
            names = [names[i] for i in rng.permutation(len(names))]
        for name in names:
            yield (np.asarray(name.encode(), dtype=object),)


class _Padding:
    """padded_batch's rule: each component padded to its padded shape (unknown dims: the
    longest in the batch) with its padding value."""

    def __init__(self, dataset: Dataset, padded_shapes: Any, padding_values: Any) -> None:
        count = len(dataset._flat_types)
        if padded_shapes is None:
            self.dims = [None if dims is None else (None,) * len(dims)
                         for dims in dataset._flat_dims]
        else:
            structure = dataset._structure if nest.is_sequence(dataset._structure) else 0
            leaves = _shape_leaves(structure, padded_shapes)
            self.dims = [as_dims([None if x == -1 else x for x in as_dims(s)]) for s in leaves]
        for padded, dims in zip(self.dims, dataset._flat_dims, strict=True):
            if dims is not None and not TensorShape(padded).is_compatible_with(
                    TensorShape([None] * len(dims))):
                raise ValueError(f"The padded shape {TensorShape(padded)} is not compatible "
                                 f"with the component's shape {TensorShape(dims)}.")
        values = [None] * count if padding_values is None else nest.flatten(padding_values)
        self.values = [_default_padding(t) if v is None else v
                       for v, t in zip(values, dataset._flat_types, strict=True)]

    def batch(self, element_parts: list, component: int) -> np.ndarray:
        padded, value = self.dims[component], self.values[component]
        shapes = [np.shape(p) for p in element_parts]
        target = [max(s[axis] for s in shapes) if want is None else want
                  for axis, want in enumerate(padded)]
        result = np.full((len(shapes), *target), value, dtype=np.asarray(element_parts[0]).dtype)
        for index, part in enumerate(element_parts):
            if any(got > want for got, want in zip(np.shape(part), target, strict=True)):
                raise errors.InvalidArgumentError(
                    None, None, f"Attempted to pad to a smaller size than the input element: "
                    f"component {component} has shape {list(np.shape(part))}, padded shape "
                    f"{target}.")
            result[(index, *[slice(0, n) for n in np.shape(part)])] = part
        return result


def _default_padding(dtype: d.DType) -> Any:
    return b"" if dtype is d.string else np.zeros((), dtype.as_numpy_dtype)


class _Interleave(_Unary):
    """interleave (and flat_map: one cycle of blocks of one): elements of the datasets
    `function` makes of `cycle` parent elements at a time, `block` at a time from each, as TF's
    InterleaveDataset cycles."""

    def __init__(self, parent: Dataset, function: Callable, cycle: Any, block: Any) -> None:
        self._function = _Traced(function, parent, "flat_map")
        inner = self._function.result
        if not isinstance(inner, Dataset):
            raise TypeError(f"`map_func` must return a Dataset object, got {type(inner).__name__}")
        self._inner = inner
        super().__init__(parent, [*self._function.captured, _int_scalar(cycle, "cycle_length"),
                                  _int_scalar(block, "block_length")],
                         inner._structure, inner._flat_types, inner._flat_dims)

    def _elements(self, values: tuple, env: Any) -> Iterator[tuple]:
        parent_values, own = _own_values(self, values)
        captured, (cycle, block) = own[:-2], (int(own[-2]), int(own[-1]))
        if cycle <= 0 or block <= 0:
            raise errors.InvalidArgumentError(
                None, None, "cycle_length and block_length must be greater than zero.")
        parent = self._parent._elements(parent_values, env)
        slots: list = [None] * cycle
        index, taken, open_count, input_ended = 0, 0, 0, False
        while not input_ended or open_count:
            if slots[index] is not None:
                element = next(slots[index], None)
                if element is not None:
                    yield element
                    taken += 1
                    if taken == block:
                        index, taken = (index + 1) % cycle, 0
                    continue
                slots[index], open_count = None, open_count - 1
                index, taken = (index + 1) % cycle, 0
            elif not input_ended:
                source = next(parent, None)
                if source is None:
                    input_ended = True
                    continue
                inner_values = tuple(self._function(env, source, captured))
                slots[index], open_count = self._inner._elements(inner_values, env), open_count + 1
            else:
                index, taken = (index + 1) % cycle, 0
