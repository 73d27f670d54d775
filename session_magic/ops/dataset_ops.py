"""Op blocks for tf.data iterators: IteratorV2 (the iterator), MakeIterator, IteratorGetNext.

An iterator's position is session state, like a variable's value: the session's store maps the
IteratorV2 op to a Cursor (a stream of elements and an index into it). GetNext writes the next
cursor to the run's pending state, so a failed run commits nothing and the element it pulled
stays buffered in the stream for the next run: the iterator does not advance.
"""
from __future__ import annotations

from typing import Any, Callable, Iterator, NamedTuple, Optional

import numpy as np

from .. import dtypes as d
from .. import errors
from ..graph import Operation
from .registry import NOT_DIFFERENTIABLE, register

__all__ = ["Cursor", "Stream", "RunEnv"]


class RunEnv:
    """What a pipeline's generators read while pulling an element: the current run's context
    (for function graphs, random ops, variables) and per-stream state (shuffle generators, caches)
    keyed by dataset."""

    __slots__ = ("ctx", "state")

    def __init__(self) -> None:
        self.ctx: Any = None
        self.state: dict = {}


class Stream:
    """The elements one initialization of an iterator yields, pulled lazily and buffered from
    the oldest position a committed cursor may still read."""

    def __init__(self, elements: Callable[[RunEnv], Iterator], env: RunEnv) -> None:
        self._env = env
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


register("IteratorV2", _iterator_infer, _iterator_kernel, grad=NOT_DIFFERENTIABLE, stateful=True)


def _iterator_op(t: Any) -> Operation:
    if t._op._type != "IteratorV2":
        raise TypeError(f"expected an iterator (an IteratorV2 op's output), got {t!r}")
    return t._op


def _make_iterator_infer(inputs: list, attrs: dict) -> list:
    _iterator_op(inputs[0])
    return []


def start(ctx: Any, iterator: Operation, dataset: Any, values: tuple) -> Cursor:
    """A cursor at the start of `dataset` run with its input `values`, written as pending."""
    env = RunEnv()
    stream = Stream(lambda run_env: dataset._elements(values, run_env), env)
    return ctx.write(iterator, Cursor(stream, 0))


def _make_iterator_kernel(op: Operation) -> Callable:
    iterator, dataset = op._inputs[0]._op, op._attrs["dataset"]

    def make_iterator(ctx: Any, *values: Any) -> None:
        start(ctx, iterator, dataset, values)
    return make_iterator


_STATE = dict(grad=NOT_DIFFERENTIABLE, stateful=True, uses_context=True, ref_inputs=(0,),
              writes_state=True, holds_functions=True)
register("MakeIterator", _make_iterator_infer, _make_iterator_kernel, **_STATE)


def _get_next_infer(inputs: list, attrs: dict) -> list:
    _iterator_op(inputs[0])
    return list(zip(attrs["output_types"], attrs["output_dims"], strict=True))


_NOT_INITIALIZED = ("GetNext() failed because the iterator has not been initialized. Ensure "
                    "that you have run the initializer operation for this iterator before "
                    "getting the next element.")


def _get_next_kernel(op: Operation) -> Callable:
    iterator, one_shot = op._inputs[0]._op, op._attrs["one_shot"]

    def get_next(ctx: Any, *values: Any) -> list:
        if not ctx.is_initialized(iterator):
            if one_shot is None:
                raise errors.FailedPreconditionError(None, op, _NOT_INITIALIZED)
            start(ctx, iterator, one_shot, values)
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
