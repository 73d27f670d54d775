"""tf.data.experimental in TF1 graph mode: saving an iterator's position with a Saver.

`make_saveable_from_iterator(iterator)` gives an object that a `tf.train.Saver` saves beside
the variables (pass it in `var_list`, or add it to the SAVEABLE_OBJECTS collection). The
position is saved as how the iterator began (its dataset's input values and seed) and how
many elements it has read; restoring begins it again and reads that many elements unseen, so
the next element is the one that would have come. That is exact for pipelines whose elements
depend only on their inputs and seeds; a pipeline with external state (a Python generator, a
function with stateful ops) is refused, as TF's default `external_state_policy='fail'` does.
"""
from __future__ import annotations

import warnings
from typing import Any, Optional

from .. import errors
from ..ops.dataset_ops import deserialize_position, serialize_position
from .iterator import Iterator

__all__ = ["make_saveable_from_iterator", "AUTOTUNE", "IteratorSaveable"]

AUTOTUNE = -1
_POLICIES = ("fail", "warn", "ignore")


class IteratorSaveable:
    """What a Saver saves for an iterator: its position in the session, under `name`_STATE."""

    def __init__(self, iterator: Iterator, policy: str) -> None:
        self.op = iterator._resource
        self.name = self.op.name
        self.key = self.name + "_STATE"
        self._policy = policy

    @property
    def graph(self) -> Any:
        return self.op._op._graph

    def state(self, sess: Any) -> bytes:
        """The iterator's committed position in `sess`, serialized."""
        iterator = self.op._op
        cursor = sess._variable_store.get(iterator)
        if cursor is None:
            raise errors.FailedPreconditionError(
                None, iterator, f"Save() failed because the iterator {iterator.name} has not "
                "been initialized. Ensure that you have run the initializer operation for this "
                "iterator before saving it (a one-shot iterator starts on its first get_next).")
        self._check_state(cursor)
        return serialize_position(cursor)

    def _check_state(self, cursor: Any) -> None:
        starter = self.graph._nodes_by_name.get(cursor.stream.origin.starter)
        dataset = starter._attrs["dataset" if starter._type == "MakeIterator" else "one_shot"]
        external = dataset._external_state()
        if external is None or self._policy == "ignore":
            return
        message = (f"The iterator {self.name} depends on external state: {external}; its "
                   "saved position would not replay the same elements")
        if self._policy == "fail":
            raise errors.FailedPreconditionError(
                None, self.op._op, message + " (make_saveable_from_iterator(iterator, "
                "external_state_policy='ignore') saves it anyway)")
        warnings.warn(message, stacklevel=4)

    def restored(self, state: bytes) -> tuple:
        """(the IteratorV2 op, the cursor) that `state` describes in this graph."""
        return self.op._op, deserialize_position(self.graph, state, f"for {self.name}")


def make_saveable_from_iterator(iterator: Iterator,
                                external_state_policy: Optional[str] = None) -> IteratorSaveable:
    """A saveable for `iterator`'s position, for `tf.train.Saver` (var_list, or the
    SAVEABLE_OBJECTS collection)."""
    if not isinstance(iterator, Iterator):
        raise TypeError(f"make_saveable_from_iterator needs a tf.data Iterator, got "
                        f"{type(iterator).__name__}")
    if iterator._string_handle is not None:
        raise ValueError("An iterator from a string handle has no state of its own: save the "
                         "iterators whose handles it reads")
    policy = "fail" if external_state_policy is None else external_state_policy
    if policy not in _POLICIES:
        raise ValueError(f"Invalid `external_state_policy` {external_state_policy!r}: "
                         f"expected one of {', '.join(map(repr, _POLICIES))}")
    return IteratorSaveable(iterator, policy)
