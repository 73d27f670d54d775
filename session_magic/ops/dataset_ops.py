"""Op blocks for tf.data iterators: IteratorV2 (the iterator), MakeIterator, IteratorGetNext.

An iterator's position is session state, like a variable's value: the session's store maps the
IteratorV2 op to a Cursor (a stream of elements and an index into it). GetNext writes the next
cursor to the run's pending state, so a failed run commits nothing and the element it pulled
stays buffered in the stream for the next run: the iterator does not advance.
"""
from __future__ import annotations

import itertools
import json
import uuid
from typing import Any, Callable, Iterator, NamedTuple, Optional

import numpy as np

from .. import dtypes as d
from .. import errors
from ..graph import Operation
from ..tensor_shape import TensorShape
from .registry import NOT_DIFFERENTIABLE, register

__all__ = ["Cursor", "Stream", "RunEnv", "Origin", "serialize_position",
           "deserialize_position"]


class RunEnv:
    """What a pipeline's generators read while pulling an element: the current run's context
    (for function graphs, random ops, variables) and per-stream state (shuffle generators, caches)
    keyed by dataset."""

    __slots__ = ("ctx", "state", "entropy")

    def __init__(self, entropy: Optional[int] = None) -> None:
        self.ctx: Any = None
        self.state: dict = {}
        # NOTE: the seed of unseeded shuffles, drawn per initialization and saved with it
        self.entropy = int(np.random.SeedSequence().entropy) if entropy is None else entropy


class Stream:
    """The elements one initialization of an iterator yields, pulled lazily and buffered from
    the oldest position a committed cursor may still read."""

    def __init__(self, elements: Callable[[RunEnv], Iterator], env: RunEnv,
                 origin: Optional[Origin] = None) -> None:
        self._env = env
        self.origin = origin
        self._source: Optional[Iterator] = None
        self._make = elements
        self._buffer: list = []
        self._base = 0
        self._ended = False

    def element(self, index: int, ctx: Any) -> Optional[tuple]:
        """Element `index` (a flat tuple of arrays), or None past the end."""
        while index - self._base >= len(self._buffer):
            if self._ended:
                return None
            self._env.ctx = ctx
            if self._source is None:
                self._source = self._make(self._env)
            pulled = next(self._source, None)
            if pulled is None:
                self._ended = True
                return None
            self._buffer.append(pulled)
        return self._buffer[index - self._base]

    def forget_before(self, index: int) -> None:
        """No cursor will read before `index` again (it is the committed position)."""
        if index > self._base:
            del self._buffer[:index - self._base]
            self._base = index


class Origin(NamedTuple):
    """How a stream began, enough to begin it again: the op that started it (a MakeIterator,
    or the first op of a one-shot iterator to run), the dataset's input values, the seed."""

    starter: str
    values: tuple
    entropy: int


class Cursor(NamedTuple):
    stream: Stream
    index: int


def _iterator_infer(inputs: list, attrs: dict) -> list:
    return [(d.variant, ())]


class IteratorHandle(NamedTuple):
    """What fetching an iterator gives: its name (its state stays in the session)."""

    name: str

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        handle = np.empty((), dtype=object)
        handle[()] = self
        return handle


def _iterator_kernel(op: Operation) -> Callable:
    handle = IteratorHandle(op.name)
    return lambda: handle

# NOTE: IteratorV2's attrs output_types and output_dims are its elements' types and shapes, which
# an iterator from a string handle checks before reading it


register("IteratorV2", _iterator_infer, _iterator_kernel, grad=NOT_DIFFERENTIABLE, stateful=True)


def _iterator_op(t: Any) -> Operation:
    if t._op._type not in ("IteratorV2", "IteratorFromStringHandleV2"):
        raise TypeError(f"expected an iterator (an IteratorV2 op's output), got {t!r}")
    return t._op


def _make_iterator_infer(inputs: list, attrs: dict) -> list:
    _iterator_op(inputs[0])
    return []


def start(ctx: Any, iterator: Operation, starter: Operation, values: tuple) -> Cursor:
    """A cursor at the start of the dataset of `starter` (a MakeIterator op's, or a one-shot
    iterator's) run with its input `values`, written as pending."""
    return ctx.write(iterator, Cursor(_stream(starter, values, RunEnv()), 0))


def _dataset_of(starter: Operation) -> Any:
    return starter._attrs["dataset" if starter._type == "MakeIterator" else "one_shot"]


def _stream(starter: Operation, values: tuple, env: RunEnv, skip: int = 0) -> Stream:
    """The stream of `starter`'s dataset; `skip` elements already read (pulled again, unseen)."""
    dataset = _dataset_of(starter)
    stream = Stream(lambda run_env: itertools.islice(dataset._elements(values, run_env), skip,
                                                     None),
                    env, Origin(starter.name, values, env.entropy))
    stream._base = skip
    return stream


def _make_iterator_kernel(op: Operation) -> Callable:
    iterator = op._inputs[0]._op

    def make_iterator(ctx: Any, *values: Any) -> None:
        start(ctx, iterator, op, values)
    return make_iterator


def _pipeline_caption(op: Operation) -> Optional[str]:
    """The dataset an op starts, drawn as its chain of steps: "range → shuffle → batch"."""
    dataset = op._attrs.get("dataset" if op._type == "MakeIterator" else "one_shot")
    return None if dataset is None else " → ".join(dataset._chain())


_STATE = dict(grad=NOT_DIFFERENTIABLE, stateful=True, uses_context=True, ref_inputs=(0,),
              writes_state=True, holds_functions=True, caption=_pipeline_caption)
register("MakeIterator", _make_iterator_infer, _make_iterator_kernel, **_STATE)


def _get_next_infer(inputs: list, attrs: dict) -> list:
    _iterator_op(inputs[0])
    return list(zip(attrs["output_types"], attrs["output_dims"], strict=True))


_NOT_INITIALIZED = ("GetNext() failed because the iterator has not been initialized. Ensure "
                    "that you have run the initializer operation for this iterator before "
                    "getting the next element.")


def _started(ctx: Any, op: Operation, iterator: Operation, values: tuple) -> None:
    """Start a one-shot iterator on its first run in a session (`op` holds its dataset); an
    initializable one must have run its initializer."""
    if not ctx.is_initialized(iterator):
        if op._attrs["one_shot"] is None:
            raise errors.FailedPreconditionError(None, op, _NOT_INITIALIZED)
        start(ctx, iterator, op, values)


def _get_next_kernel(op: Operation) -> Callable:
    static = op._inputs[0]._op
    from_handle = static if static._type == "IteratorFromStringHandleV2" else None

    def get_next(ctx: Any, *values: Any) -> list:
        iterator = static if from_handle is None else _resolve(ctx, from_handle, values[0])
        _started(ctx, op, iterator, values)
        cursor = ctx.read(iterator)
        if iterator not in ctx.pending:
            cursor.stream.forget_before(cursor.index)
        element = cursor.stream.element(cursor.index, ctx)
        if element is None:
            raise errors.OutOfRangeError(None, op, "End of sequence")
        ctx.write(iterator, Cursor(cursor.stream, cursor.index + 1))
        return list(element)
    return get_next


register("IteratorGetNext", _get_next_infer, _get_next_kernel, multi_output=True, **_STATE)


# --- string handles ----------------------------------------------------------------------------
# A handle names an iterator and the session holding its state: b"session_magic iterator",
# the session's token and the IteratorV2 op's name, NUL-separated. An iterator from a string
# handle is an IteratorFromStringHandleV2 op; its GetNext takes the handle string as input 1
# (input 0 names no state of its own) and reads the state of the iterator the handle names.

_HANDLE_TAG = b"session_magic iterator"


def _session_token(ctx: Any) -> bytes:
    # NOTE: a session's resources end with it, so a handle from a closed session finds nothing
    return ctx.session._resources.setdefault("iterator handle token", uuid.uuid4().hex.encode())


def _to_handle_kernel(op: Operation) -> Callable:
    iterator = op._inputs[0]._op

    def to_string_handle(ctx: Any, *values: Any) -> np.ndarray:
        if op._attrs["one_shot"] is not None:
            _started(ctx, op, iterator, values)
        handle = np.empty((), dtype=object)
        handle[()] = b"\0".join([_HANDLE_TAG, _session_token(ctx), iterator.name.encode()])
        return handle
    return to_string_handle


register("IteratorToStringHandle", lambda inputs, attrs: [(d.string, ())], _to_handle_kernel,
         **_STATE)


def _from_handle_infer(inputs: list, attrs: dict) -> list:
    if inputs[0]._dtype is not d.string:
        raise TypeError(f"string_handle must be a string tensor, got {inputs[0]._dtype.name}")
    return [(d.variant, ())]


def _resolve(ctx: Any, from_handle: Operation, handle: Any) -> Operation:
    """The IteratorV2 op `handle` names in this session, checked against what `from_handle`
    (an IteratorFromStringHandleV2 op) promises its readers."""
    raw = handle.item() if isinstance(handle, np.ndarray) else handle
    parts = raw.split(b"\0") if isinstance(raw, bytes) else []
    if len(parts) != 3 or parts[0] != _HANDLE_TAG:
        raise errors.InvalidArgumentError(
            None, from_handle, "Could not parse string_handle as a valid ResourceHandle")
    name = parts[2].decode()
    graph = from_handle._graph
    iterator = graph._nodes_by_name.get(name) if parts[1] == _session_token(ctx) else None
    if iterator is None or iterator._type != "IteratorV2":
        raise errors.NotFoundError(
            None, from_handle, f"Resource {name} does not exist in this session (a string "
            "handle is valid in the session that made it, until the session closes)")
    _check_elements(from_handle, iterator)
    return iterator


def _check_elements(from_handle: Operation, iterator: Operation) -> None:
    wanted, found = from_handle._attrs, iterator._attrs
    if len(wanted["output_types"]) != len(found["output_types"]):
        raise errors.InvalidArgumentError(
            None, from_handle, f"Number of components does not match: expected "
            f"{len(wanted['output_types'])} types but got {len(found['output_types'])}.")
    pairs = zip(wanted["output_types"], found["output_types"], wanted["output_dims"],
                found["output_dims"], strict=True)
    for i, (want_type, got_type, want_dims, got_dims) in enumerate(pairs):
        if want_type is not got_type:
            raise errors.InvalidArgumentError(
                None, from_handle, f"Data type mismatch at component {i}: expected "
                f"{want_type.name} but got {got_type.name}.")
        if not TensorShape(want_dims).is_compatible_with(TensorShape(got_dims)):
            raise errors.InvalidArgumentError(
                None, from_handle, f"Incompatible shapes at component {i}: expected "
                f"{TensorShape(want_dims)} but got {TensorShape(got_dims)}.")


def _from_handle_kernel(op: Operation) -> Callable:
    def from_string_handle(ctx: Any, handle: Any) -> IteratorHandle:
        return IteratorHandle(_resolve(ctx, op, handle).name)
    return from_string_handle


register("IteratorFromStringHandleV2", _from_handle_infer, _from_handle_kernel,
         grad=NOT_DIFFERENTIABLE, stateful=True, uses_context=True)


# --- saving an iterator's position -------------------------------------------------------------
# A position saves as how its stream began (Origin) and how many elements were read; restoring
# begins the stream again and pulls that many elements unseen. That replays exactly when the
# pipeline's elements depend only on its inputs and seeds (checked by the saveable).

_STATE_FORMAT = "session_magic iterator state 1"


def serialize_position(cursor: Cursor) -> bytes:
    """A saved iterator position: a JSON header line, then the input values as TensorProtos."""
    # NOTE: the protobuf codec loads only when an iterator is saved
    from ..interop.graph_def import tensor_proto
    origin = cursor.stream.origin
    payloads = [tensor_proto(v).SerializeToString() for v in origin.values]
    header = {"format": _STATE_FORMAT, "starter": origin.starter, "index": cursor.index,
              "entropy": str(origin.entropy), "sizes": [len(p) for p in payloads]}
    return json.dumps(header).encode() + b"\n" + b"".join(payloads)


def deserialize_position(graph: Any, state: bytes, where: str) -> Cursor:
    """The cursor a saved position describes, on `graph`'s ops; ValueError naming `where`."""
    # NOTE: the protobuf codec loads only when an iterator is restored
    from ..interop.graph_def import tensor_value
    from ..proto import TensorProto
    try:
        line, _, rest = state.partition(b"\n")
        header = json.loads(line)
        if header.get("format") != _STATE_FORMAT:
            raise ValueError(f"not an iterator state of this format: {header.get('format')!r}")
        values, start = [], 0
        for size in header["sizes"]:
            values.append(tensor_value(TensorProto.FromString(rest[start:start + size])))
            start += size
        starter = graph._nodes_by_name.get(header["starter"])
        if starter is None:
            raise ValueError(f"the graph has no op {header['starter']!r}, which started the "
                             "saved iterator")
        env = RunEnv(int(header["entropy"]))
        return Cursor(_stream(starter, tuple(values), env, header["index"]), header["index"])
    except (ValueError, KeyError, TypeError) as problem:
        raise ValueError(f"Cannot restore the iterator state {where}: {problem}") from None
