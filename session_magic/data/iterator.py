"""tf.data's Iterator in TF1 graph mode: an IteratorV2 op whose position lives in the session.

`initializer`/`make_initializer` are MakeIterator ops that start the iterator on a dataset (its
input tensors evaluated in that run, so a fed placeholder re-initialises it on new data);
`get_next()` is an IteratorGetNext op, advancing once per run that runs it.
"""
from __future__ import annotations

from typing import Any, Optional

from .. import dtypes as d
from .. import nest
from ..graph import Operation, Tensor, ancestors
from ..ops import dataset_ops  # noqa: F401  (registers the iterator ops)
from ..ops.registry import OPS, apply_op
from ..tensor_shape import TensorShape, as_dims
from ..ops.conversion import convert_to_tensor
from .dataset import Dataset, Structured, _shape_leaves

__all__ = ["Iterator", "make_one_shot_iterator", "make_initializable_iterator",
           "get_output_types", "get_output_shapes", "get_output_classes"]


class Iterator(Structured):
    """An iterator over the elements of datasets of one structure (TF1's `tf.data.Iterator`)."""

    def __init__(self, resource: Tensor, initializer: Optional[Operation], structure: Any,
                 flat_types: list, flat_dims: list, one_shot: Optional[Dataset] = None,
                 string_handle: Optional[Tensor] = None) -> None:
        self._resource = resource
        self._initializer = initializer
        self._structure = structure
        self._flat_types, self._flat_dims = list(flat_types), list(flat_dims)
        self._one_shot = one_shot
        self._string_handle = string_handle  # NOTE: set for an iterator from a string handle

    @classmethod
    def _initializable(cls, dataset: Dataset) -> Iterator:
        iterator = cls(_iterator_resource("Iterator", dataset._flat_types, dataset._flat_dims),
                       None, dataset._structure, dataset._flat_types, dataset._flat_dims)
        iterator._initializer = iterator.make_initializer(dataset)
        return iterator

    @classmethod
    def _one_shot(cls, dataset: Dataset) -> Iterator:
        _check_capturable(dataset)
        resource = _iterator_resource("OneShotIterator", dataset._flat_types, dataset._flat_dims)
        return cls(resource, None, dataset._structure, dataset._flat_types, dataset._flat_dims,
                   one_shot=dataset)

    @staticmethod
    def from_structure(output_types: Any, output_shapes: Any = None, shared_name: Any = None,
                       output_classes: Any = None) -> Iterator:
        """An iterator of no dataset yet: `make_initializer(dataset)` starts it on one."""
        flat_types, flat_dims, structure = _flat_structure(output_types, output_shapes)
        return Iterator(_iterator_resource("Iterator", flat_types, flat_dims), None, structure,
                        flat_types, flat_dims)

    @staticmethod
    def from_string_handle(string_handle: Any, output_types: Any, output_shapes: Any = None,
                           output_classes: Any = None) -> Iterator:
        """An iterator reading whichever iterator the fed `string_handle` names (a value of
        another iterator's `string_handle()` run in this session): one `get_next()` switches
        between, say, a training and a validation iterator without re-initializing either."""
        flat_types, flat_dims, structure = _flat_structure(output_types, output_shapes)
        handle = convert_to_tensor(string_handle, d.string, name="string_handle")
        resource = apply_op("IteratorFromStringHandleV2", [handle],
                            {"output_types": flat_types, "output_dims": flat_dims},
                            default_name="IteratorFromStringHandleV2")._outputs[0]
        return Iterator(resource, None, structure, flat_types, flat_dims,
                        string_handle=handle)

    # --- properties ----------------------------------------------------------------------

    @property
    def initializer(self) -> Operation:
        if self._initializer is None:
            raise ValueError("Iterator does not have an initializer: a one-shot iterator "
                             "initializes itself, and one from `Iterator.from_structure` is "
                             "started by `make_initializer(dataset)`.")
        return self._initializer


    # --- ops -------------------------------------------------------------------------------

    def make_initializer(self, dataset: Dataset, name: Optional[str] = None) -> Operation:
        """A MakeIterator op that (re)starts this iterator on `dataset` when run."""
        if not isinstance(dataset, Dataset):
            raise TypeError(f"make_initializer needs a Dataset, got {type(dataset).__name__}")
        if self._string_handle is not None:
            raise TypeError("An iterator from a string handle reads the iterator the handle "
                            "names: initialize that iterator instead")
        _check_compatible(self, dataset)
        return apply_op("MakeIterator", [self._resource, *dataset._inputs],
                        {"dataset": dataset}, name, default_name="MakeIterator")

    def get_next(self, name: Optional[str] = None) -> Any:
        """The next element, a structure of tensors that advance once per run."""
        op = apply_op("IteratorGetNext", [self._resource, *self._extra_inputs()],
                      {"output_types": self._flat_types, "output_dims": self._flat_dims,
                       "one_shot": self._one_shot}, name, default_name="IteratorGetNext")
        return nest.pack_sequence_as(self._structure, list(op._outputs))

    def string_handle(self, name: Optional[str] = None) -> Tensor:
        """A string naming this iterator in the session that runs it, to feed to an iterator
        made by `Iterator.from_string_handle`. Running it starts a one-shot iterator."""
        if self._string_handle is not None:
            return self._string_handle
        return apply_op("IteratorToStringHandle", [self._resource, *self._extra_inputs()],
                        {"one_shot": self._one_shot}, name,
                        default_name="IteratorToStringHandle")._outputs[0]

    def _extra_inputs(self) -> list:
        """What an op reading this iterator also evaluates: a one-shot iterator's dataset
        inputs (it may start it), or the fed string handle."""
        if self._string_handle is not None:
            return [self._string_handle]
        return [] if self._one_shot is None else list(self._one_shot._inputs)


def _check_capturable(dataset: Dataset) -> None:
    """A one-shot iterator starts on its own, so its dataset may not depend on a placeholder or
    a variable (TF captures the dataset by value; a fed or changing input has no such value)."""
    for op in ancestors(t._op for t in dataset._inputs):
        role = OPS[op._type].role
        if role == "placeholder":
            raise ValueError(f"Cannot capture a placeholder (name:{op.name}, type:{op._type}) "
                             "by value. A one-shot iterator's dataset cannot read a fed "
                             "placeholder: use make_initializable_iterator() and feed it to "
                             "the initializer.")
        if role == "variable":
            raise ValueError(f"Cannot capture a stateful node (name:{op.name}, type:{op._type})"
                             " by value.: A likely cause of this error is that the dataset for "
                             "which you are calling `make_one_shot_iterator()` captures a "
                             "stateful object, such as a `tf.Variable`, which is not supported. "
                             "Use `make_initializable_iterator()` instead.")


def _iterator_resource(name: str, flat_types: list, flat_dims: list) -> Tensor:
    return apply_op("IteratorV2", [], {"output_types": list(flat_types),
                                       "output_dims": list(flat_dims)},
                    default_name=name)._outputs[0]


def _flat_structure(output_types: Any, output_shapes: Any) -> tuple:
    """(flat types, flat dims, structure) of an iterator's elements."""
    flat_types = [d.as_dtype(t) for t in nest.flatten(output_types)]
    if output_shapes is None:
        flat_dims = [None] * len(flat_types)
    else:
        flat_dims = [as_dims(s) for s in _shape_leaves(output_types, output_shapes)]
    structure = output_types if nest.is_sequence(output_types) else None
    return flat_types, flat_dims, structure


def _check_compatible(iterator: Iterator, dataset: Dataset) -> None:
    if iterator._flat_types != dataset._flat_types or \
            _structure_of(iterator._structure) != _structure_of(dataset._structure):
        raise TypeError(f"Expected output types {iterator.output_types!r} but got dataset with "
                        f"output types {dataset.output_types!r}.")
    for mine, theirs in zip(iterator._flat_dims, dataset._flat_dims, strict=True):
        if not TensorShape(mine).is_compatible_with(TensorShape(theirs)):
            raise TypeError(f"Expected output shapes compatible with "
                            f"{iterator.output_shapes!r} but got dataset with output shapes "
                            f"{dataset.output_shapes!r}.")


def _structure_of(structure: Any) -> Any:
    return nest.pack_sequence_as(structure, [0] * len(nest.flatten(structure)))


def make_one_shot_iterator(dataset: Dataset) -> Iterator:
    """An iterator that starts itself on `dataset` the first time it is run in a session."""
    return dataset.make_one_shot_iterator()


def make_initializable_iterator(dataset: Dataset, shared_name: Optional[str] = None) -> Iterator:
    """An iterator started (and restarted) on `dataset` by running its `initializer`."""
    return dataset.make_initializable_iterator(shared_name)


def get_output_types(dataset_or_iterator: Any) -> Any:
    return dataset_or_iterator.output_types


def get_output_shapes(dataset_or_iterator: Any) -> Any:
    return dataset_or_iterator.output_shapes


def get_output_classes(dataset_or_iterator: Any) -> Any:
    return dataset_or_iterator.output_classes
