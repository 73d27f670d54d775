"""TensorArray on TF 2's TensorList ops: a list of tensors that flows as a value.

A TensorArray is a Python object around its `flow`, a float32 scalar tensor (as TF 1's flow)
whose value at run time is a `TensorListValue`. Every op returns a new list and never changes
its input, so a while loop carries a TensorArray as one loop variable, its history keeps each
iteration's list, and gradients are lists too: a gradient of zeros (a plain 0) is the empty list.
"""
from __future__ import annotations

from typing import Any, Callable, Optional

import numpy as np

from .. import dtypes as d
from .. import errors
from ..graph import Operation, Tensor
from ..tensor_shape import TensorShape, as_dims, dims_compatible, merge_dims
from .array_ops import shape as shape_of
from .array_ops import zeros_like
from .constant_ops import identity
from .control_flow_ops import no_op
from .conversion import convert_to_tensor
from .math_ops import add_n, cast
from .registry import NOT_DIFFERENTIABLE, apply_op, op_scope, register

__all__ = ["TensorArray", "TensorListValue"]

_FLOW = (d.float32, ())  # NOTE: the spec of every list-valued output (TF 1's flow: a float32)


class TensorListValue:
    """The run-time value of a TensorArray: element `i` is `items[i]` (absent: zeros); `length`
    is None for a gradient of zeros, whose length nobody knew."""

    __slots__ = ("items", "length")
    dtype = np.dtype(np.float32)  # NOTE: what the flow's static spec promises a checker
    shape = ()

    def __init__(self, items: dict, length: Optional[int]) -> None:
        self.items, self.length = items, length

    def __add__(self, other: Any) -> TensorListValue:
        other = as_list(other)
        items = dict(self.items)
        for i, value in other.items.items():
            items[i] = items[i] + value if i in items else value
        lengths = [n for n in (self.length, other.length) if n is not None]
        return TensorListValue(items, max(lengths) if lengths else None)

    __radd__ = __add__

    # NOTE: gradient sums (AddN's np.add, a loop's running totals) add lists, elementwise
    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        if ufunc is not np.add or method != "__call__" or kwargs:
            return NotImplemented
        return as_list(inputs[0]) + inputs[1]

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        # NOTE: to NumPy (np.asarray, np.shape) a flow is what TF 1's flow is: a float32 0.0
        return np.zeros((), dtype or np.float32)

    def __repr__(self) -> str:
        return f"<TensorList of {self.length} elements, {len(self.items)} written>"


def as_list(value: Any) -> TensorListValue:
    """A list value, or the empty list for a gradient of zeros (a number)."""
    if isinstance(value, TensorListValue):
        return value
    return TensorListValue({}, None)


def _flow_spec(inputs: list, attrs: dict) -> list:
    return [_FLOW]


def _element_spec(inputs: list, attrs: dict) -> list:
    return [(attrs["element_dtype"], attrs.get("element_dims"))]


def _stacked_spec(inputs: list, attrs: dict) -> list:
    dims = attrs.get("element_dims")
    return [(attrs["element_dtype"], None if dims is None else (None, *dims))]


def _zeros(element_shape: Any, dtype: Any, what: str) -> np.ndarray:
    dims = np.atleast_1d(np.asarray(element_shape))
    if np.ndim(element_shape) == 0 or (dims < 0).any():
        raise errors.InvalidArgumentError(
            None, None, f"Trying to {what} an element that was never written, but the element "
            f"shape is not fully defined: {np.asarray(element_shape).tolist()}")
    return np.zeros(dims, dtype)


def _element(items: TensorListValue, i: int, element_shape: Any, dtype: Any, what: str) -> Any:
    if items.length is not None and not 0 <= i < items.length:
        raise errors.InvalidArgumentError(
            None, None, f"Trying to {what} element {i} in a list with {items.length} elements.")
    if i in items.items:
        return items.items[i]
    return _zeros(element_shape, dtype, what)


def _numpy_dtype(op: Operation) -> Any:
    return op._attrs["element_dtype"].as_numpy_dtype


# --- making lists ------------------------------------------------------------------------------

def _reserve_kernel(op: Operation) -> Callable:
    def reserve(element_shape: Any, num_elements: Any) -> TensorListValue:
        return TensorListValue({}, max(int(num_elements), 0))
    return reserve


register("TensorListReserve", _flow_spec, _reserve_kernel, grad=NOT_DIFFERENTIABLE)


def _from_tensor_kernel(op: Operation) -> Callable:
    def from_tensor(tensor: Any, element_shape: Any) -> TensorListValue:
        tensor = np.asarray(tensor)
        if tensor.ndim == 0:
            raise errors.InvalidArgumentError(None, None, "Tensor must be at least a vector, "
                                              "but saw shape: []")
        return TensorListValue(dict(enumerate(tensor)), len(tensor))
    return from_tensor


def _from_tensor_grad(op: Operation, dlist: Tensor) -> list:
    tensor = op._inputs[0]
    # NOTE: the zeros list fills the elements no gradient reached (and gives the length)
    full = add_n([dlist, _from_tensor(zeros_like(tensor), op._inputs[1])])
    return [_stack(full, tensor.dtype, _rest(tensor._dims)), None]


register("TensorListFromTensor", _flow_spec, _from_tensor_kernel, grad=_from_tensor_grad)


def _from_tensor(tensor: Tensor, element_shape: Any, name: Optional[str] = None) -> Tensor:
    return apply_op("TensorListFromTensor", [tensor, element_shape], {}, name,
                    arg_names=("tensor", "element_shape"))._outputs[0]


def _rest(dims: Any) -> Any:
    return None if dims is None else tuple(dims[1:])


# --- one element -------------------------------------------------------------------------------

def _set_item_kernel(op: Operation) -> Callable:
    resize = op._attrs.get("resize_if_index_out_of_bounds", False)

    def set_item(handle: Any, index: Any, item: Any) -> TensorListValue:
        old, i = as_list(handle), int(index)
        length = old.length
        if length is not None and not 0 <= i < length:
            if not resize or i < 0:
                raise errors.InvalidArgumentError(
                    None, None, f"Trying to modify element {i} in a list with {length} elements.")
            length = i + 1
        items = dict(old.items)
        items[i] = np.asarray(item)
        return TensorListValue(items, length)
    return set_item


def _set_item_grad(op: Operation, dlist: Tensor) -> list:
    handle, index, item = op._inputs
    list_grad = _set_item(dlist, index, zeros_like(item), False)
    return [list_grad, None, _get_item(dlist, index, shape_of(item), item.dtype, item._dims)]


register("TensorListSetItem", _flow_spec, _set_item_kernel, grad=_set_item_grad)


def _set_item(handle: Tensor, index: Any, item: Tensor, resize: bool,
              name: Optional[str] = None) -> Tensor:
    attrs = {"element_dtype": item.dtype, "resize_if_index_out_of_bounds": resize}
    return apply_op("TensorListSetItem", [handle, index, item], attrs, name,
                    arg_names=("input_handle", "index", "item"))._outputs[0]


def _get_item_kernel(op: Operation) -> Callable:
    dtype = _numpy_dtype(op)

    def get_item(handle: Any, index: Any, element_shape: Any) -> Any:
        return _element(as_list(handle), int(index), element_shape, dtype, "read")
    return get_item


def _get_item_grad(op: Operation, grad: Tensor) -> list:
    handle, index, _ = op._inputs
    zeros = _reserve(shape_of(op._outputs[0]), _length(handle), op._outputs[0].dtype)
    return [_set_item(zeros, index, grad, False), None, None]


register("TensorListGetItem", _element_spec, _get_item_kernel, grad=_get_item_grad)


def _get_item(handle: Tensor, index: Any, element_shape: Any, dtype: Any, dims: Any,
              name: Optional[str] = None) -> Tensor:
    attrs = {"element_dtype": dtype, "element_dims": dims}
    return apply_op("TensorListGetItem", [handle, index, element_shape], attrs, name,
                    arg_names=("input_handle", "index", "element_shape"))._outputs[0]


def _length_kernel(op: Operation) -> Callable:
    def length(handle: Any) -> Any:
        items = as_list(handle)
        if items.length is None:
            raise errors.InvalidArgumentError(None, None, "The list's length is not known.")
        return np.int32(items.length)
    return length


register("TensorListLength", lambda inputs, attrs: [(d.int32, ())], _length_kernel,
         grad=NOT_DIFFERENTIABLE)


def _length(handle: Tensor, name: Optional[str] = None) -> Tensor:
    return apply_op("TensorListLength", [handle], {}, name)._outputs[0]


def _reserve(element_shape: Any, size: Any, dtype: Any, name: Optional[str] = None) -> Tensor:
    return apply_op("TensorListReserve", [element_shape, size], {"element_dtype": dtype},
                    name, arg_names=("element_shape", "num_elements"))._outputs[0]


# --- many elements -----------------------------------------------------------------------------

def _stack_kernel(op: Operation) -> Callable:
    dtype = _numpy_dtype(op)

    def stack(handle: Any, element_shape: Any) -> Any:
        items = as_list(handle)
        if items.length is None:
            raise errors.InvalidArgumentError(None, None, "Cannot stack a list of unknown "
                                              "length.")
        return _gathered(items, range(items.length), element_shape, dtype, "stack")
    return stack


def _gathered(items: TensorListValue, indices: Any, element_shape: Any, dtype: Any,
              what: str) -> np.ndarray:
    present = next(iter(items.items.values()), None)
    if present is not None and (np.asarray(element_shape) < 0).any():
        element_shape = np.shape(present)  # NOTE: unwritten elements: zeros shaped as written
    elements = [_element(items, int(i), element_shape, dtype, what) for i in indices]
    if not elements:
        if np.ndim(element_shape) == 0 or (np.asarray(element_shape) < 0).any():
            known = "?" if np.ndim(element_shape) == 0 else \
                "[" + ",".join("?" if n < 0 else str(n) for n in element_shape) + "]"
            raise errors.InvalidArgumentError(
                None, None, f"Tried to {what} elements of an empty list with "
                f"non-fully-defined element_shape: {known}")
        return np.zeros([0, *np.asarray(element_shape)], dtype)
    shapes = {np.shape(e) for e in elements}
    if len(shapes) > 1:
        raise errors.InvalidArgumentError(
            None, None, f"Cannot {what} a TensorArray whose elements have different shapes: "
            f"{sorted(list(s) for s in shapes)}")
    return np.stack(elements).astype(dtype, copy=False)


def _stack_grad(op: Operation, grad: Tensor) -> list:
    return [_from_tensor(grad, op._inputs[1]), None]


register("TensorListStack", _stacked_spec, _stack_kernel, grad=_stack_grad)


def _stack(handle: Tensor, dtype: Any, dims: Any, name: Optional[str] = None) -> Tensor:
    attrs = {"element_dtype": dtype, "element_dims": dims}
    return apply_op("TensorListStack", [handle, _element_shape(dims)], attrs, name,
                    arg_names=("input_handle", "element_shape"))._outputs[0]


def _gather_kernel(op: Operation) -> Callable:
    dtype = _numpy_dtype(op)

    def gather(handle: Any, indices: Any, element_shape: Any) -> Any:
        return _gathered(as_list(handle), np.ravel(indices), element_shape, dtype, "gather")
    return gather


def _gather_grad(op: Operation, grad: Tensor) -> list:
    handle, indices, element_shape = op._inputs
    zeros = _reserve(element_shape, _length(handle), grad.dtype)
    # NOTE: an index gathered twice gets both rows' gradients (TF's rule keeps the last one)
    return [_scatter(zeros, grad, indices, accumulate=True), None, None]


register("TensorListGather", _stacked_spec, _gather_kernel, grad=_gather_grad)


def _scatter_kernel(op: Operation) -> Callable:
    accumulate = op._attrs.get("accumulate", False)

    def scatter(handle: Any, tensor: Any, indices: Any) -> TensorListValue:
        old, tensor, indices = as_list(handle), np.asarray(tensor), np.ravel(indices)
        if len(indices) != len(tensor):
            raise errors.InvalidArgumentError(
                None, None, f"Invalid number of rows in input tensor. Expected: {len(indices)} "
                f"Actual: {len(tensor)}")
        items, length = dict(old.items), old.length
        for i, row in zip(indices.tolist(), tensor, strict=True):
            if i < 0:
                raise errors.InvalidArgumentError(None, None, f"Index {i} must be >= 0")
            items[i] = items[i] + row if accumulate and i in items else row
            length = None if length is None else max(length, i + 1)
        return TensorListValue(items, length)
    return scatter


def _scatter_grad(op: Operation, dlist: Tensor) -> list:
    handle, tensor, indices = op._inputs
    list_grad = _scatter(dlist, zeros_like(tensor), indices)
    element_shape = shape_of(tensor)[1:]
    return [list_grad, _gather(dlist, indices, element_shape, tensor.dtype, _rest(tensor._dims)),
            None]


register("TensorListScatterIntoExistingList", _flow_spec, _scatter_kernel, grad=_scatter_grad)


def _scatter(handle: Tensor, tensor: Tensor, indices: Any, name: Optional[str] = None,
             accumulate: bool = False) -> Tensor:
    attrs = {"element_dtype": tensor.dtype, "accumulate": accumulate}
    return apply_op("TensorListScatterIntoExistingList", [handle, tensor, indices], attrs,
                    name, arg_names=("input_handle", "tensor", "indices"))._outputs[0]


def _gather(handle: Tensor, indices: Any, element_shape: Any, dtype: Any, dims: Any,
            name: Optional[str] = None) -> Tensor:
    attrs = {"element_dtype": dtype, "element_dims": dims}
    return apply_op("TensorListGather", [handle, indices, element_shape], attrs, name,
                    arg_names=("input_handle", "indices", "element_shape"))._outputs[0]


# --- concat and split: elements of different lengths along their first axis --------------------

def _concat_spec(inputs: list, attrs: dict) -> list:
    dims = attrs.get("element_dims")
    return [(attrs["element_dtype"], None if dims is None else (None, *dims[1:])),
            (d.int64, (None,))]


def _concat_kernel(op: Operation) -> Callable:
    dtype = _numpy_dtype(op)

    def concat(handle: Any, element_shape: Any) -> list:
        items = as_list(handle)
        if items.length is None:
            raise errors.InvalidArgumentError(None, None, "Cannot concat a list of unknown "
                                              "length.")
        elements = [_element(items, i, element_shape, dtype, "concat")
                    for i in range(items.length)]
        if any(np.ndim(e) == 0 for e in elements):
            raise errors.InvalidArgumentError(None, None, "Concat saw a scalar shape at index "
                                              "0 but requires at least vectors.")
        lengths = np.array([len(e) for e in elements], np.int64)
        if not elements:
            return [_zeros([0, *np.atleast_1d(element_shape)[1:]], dtype, "concat"), lengths]
        return [np.concatenate(elements).astype(dtype, copy=False), lengths]
    return concat


def _concat_grad(op: Operation, grad: Tensor, _lengths_grad: Any) -> list:
    return [_split(grad, op._inputs[1], op._outputs[1]), None]


register("TensorListConcatV2", _concat_spec, _concat_kernel, grad=_concat_grad,
         multi_output=True)


def _concat(handle: Tensor, dtype: Any, dims: Any, name: Optional[str] = None) -> list:
    attrs = {"element_dtype": dtype, "element_dims": dims}
    op = apply_op("TensorListConcatV2", [handle, _element_shape(dims)], attrs, name,
                  arg_names=("input_handle", "element_shape"))
    return list(op._outputs)


def _split_kernel(op: Operation) -> Callable:
    def split(tensor: Any, element_shape: Any, lengths: Any) -> TensorListValue:
        tensor, lengths = np.asarray(tensor), np.asarray(lengths, np.int64)
        if tensor.ndim == 0 or lengths.sum() != len(tensor):
            raise errors.InvalidArgumentError(
                None, None, f"Unaligned lengths: the lengths sum to {int(lengths.sum())} but "
                f"the tensor has shape {list(tensor.shape)}")
        ends = np.cumsum(lengths)
        pieces = [tensor[end - n:end] for n, end in zip(lengths, ends, strict=True)]
        return TensorListValue(dict(enumerate(pieces)), len(pieces))
    return split


def _split_grad(op: Operation, dlist: Tensor) -> list:
    tensor, element_shape, lengths = op._inputs
    full = add_n([dlist, _split(zeros_like(tensor), element_shape, lengths)])
    return [_concat(full, tensor.dtype, tensor._dims)[0], None, None]


register("TensorListSplit", _flow_spec, _split_kernel, grad=_split_grad)


def _split(tensor: Tensor, element_shape: Any, lengths: Tensor,
           name: Optional[str] = None) -> Tensor:
    return apply_op("TensorListSplit", [tensor, element_shape, lengths], {}, name,
                    arg_names=("tensor", "element_shape", "lengths"))._outputs[0]


def _element_shape(dims: Any) -> np.ndarray:
    """TF's element_shape input: -1 for an unknown rank, -1 for each unknown dim."""
    if dims is None:
        return np.array(-1, np.int32)
    return np.array([-1 if n is None else n for n in dims], np.int32)


# --- the Python object -------------------------------------------------------------------------

class TensorArray:
    """TF 1's `tf.TensorArray`: a list of `size` tensors of one dtype, written and read by
    index inside a while loop (each write returns the TensorArray to use next)."""

    def __init__(self, dtype: Any, size: Any = None, dynamic_size: Optional[bool] = None,
                 clear_after_read: Optional[bool] = None, tensor_array_name: Optional[str] = None,
                 handle: Any = None, flow: Any = None, infer_shape: bool = True,
                 element_shape: Any = None, colocate_with_first_write_call: bool = True,
                 name: Optional[str] = None) -> None:
        if handle is not None and tensor_array_name:
            raise ValueError("Cannot construct with both handle and tensor_array_name")
        if flow is None and size is None:
            raise ValueError("Size must be provided if handle is not provided")
        if flow is not None and size is not None and handle is not None:
            raise ValueError("Cannot provide both a handle and size at the same time")
        self._dtype = d.as_dtype(dtype)
        self._dynamic_size = bool(dynamic_size)
        self._infer_shape = infer_shape
        self._element_dims = None if element_shape is None else as_dims(element_shape)
        self._size = size
        if flow is not None:
            self._flow = convert_to_tensor(flow)
            return
        with op_scope(name, "TensorArrayV2", [size]) as scope:
            self._flow = _reserve(_element_shape(self._element_dims), size, self._dtype,
                                  name=scope)

    @classmethod
    def _with_flow(cls, old: TensorArray, flow: Tensor, element_dims: Any = "same") -> TensorArray:
        new = cls.__new__(cls)
        new.__dict__.update(old.__dict__)
        new._flow = flow
        if element_dims != "same":
            new._element_dims = element_dims
        return new

    flow = property(lambda self: self._flow)
    dtype = property(lambda self: self._dtype)
    handle = property(lambda self: self._flow)  # NOTE: as TF 2's TensorArray: the list itself
    dynamic_size = property(lambda self: self._dynamic_size)

    @property
    def element_shape(self) -> TensorShape:
        return TensorShape(self._element_dims)

    def _merged_shape(self, dims: Any) -> Any:
        if not self._infer_shape:
            return self._element_dims
        if not dims_compatible(self._element_dims, dims):
            raise ValueError(f"Inconsistent shapes: saw {TensorShape(dims)} but expected "
                             f"{self.element_shape} (and infer_shape=True)")
        return merge_dims(self._element_dims, dims)

    def _value(self, value: Any, what: str) -> Tensor:
        value = convert_to_tensor(value, name="value")
        if value.dtype is not self._dtype:
            raise errors.InvalidArgumentError(
                None, None, f"TensorArray dtype is {self._dtype.name} but Op is trying to "
                f"{what} dtype {value.dtype.name}.")
        return value

    def read(self, index: Any, name: Optional[str] = None) -> Tensor:
        """The element at `index` (zeros when never written and its shape is known)."""
        with op_scope(name, "TensorArrayV2Read", [self._flow, index]):
            return _get_item(self._flow, index, _element_shape(self._element_dims),
                             self._dtype, self._element_dims, name=name)

    def write(self, index: Any, value: Any, name: Optional[str] = None) -> TensorArray:
        """A TensorArray with `value` at `index`."""
        with op_scope(name, "TensorArrayV2Write", [self._flow, index, value]):
            value = self._value(value, "write")
            dims = self._merged_shape(value._dims)
            flow = _set_item(self._flow, index, value, self._dynamic_size, name=name)
            return TensorArray._with_flow(self, flow, dims)

    def stack(self, name: Optional[str] = None) -> Tensor:
        """All elements stacked along a new first axis."""
        with op_scope(name, "TensorArrayV2Stack", [self._flow]):
            result = _stack(self._flow, self._dtype, self._element_dims, name=name)
            self._set_leading(result)
            return result

    def _set_leading(self, result: Tensor) -> None:
        size = self._size
        if not self._dynamic_size and isinstance(size, int) and result._dims is not None:
            result.set_shape((size, *result._dims[1:]))

    def gather(self, indices: Any, name: Optional[str] = None) -> Tensor:
        """The elements at `indices`, stacked."""
        result = _gather(self._flow, indices, _element_shape(self._element_dims), self._dtype,
                         self._element_dims, name=name)
        count = np.shape(indices) if not isinstance(indices, Tensor) else indices._dims
        if count is not None and result._dims is not None:
            result.set_shape((*count, *result._dims[1:]))
        return result

    def concat(self, name: Optional[str] = None) -> Tensor:
        """All elements concatenated along their first axis."""
        return _concat(self._flow, self._dtype, self._element_dims, name=name)[0]

    def unstack(self, value: Any, name: Optional[str] = None) -> TensorArray:
        """A TensorArray of the rows of `value`."""
        with op_scope(name, "TensorArrayUnstack", [self._flow, value]):
            value = self._value(value, "unstack")
            if value._dims == ():
                raise ValueError(f"Shape must be at least rank 1 but is rank 0: unstack of "
                                 f"the scalar {value.name}")
            dims = self._merged_shape(_rest(value._dims))
            flow = _from_tensor(value, _element_shape(_rest(value._dims)), name=name)
            return TensorArray._with_flow(self, flow, dims)

    def scatter(self, indices: Any, value: Any, name: Optional[str] = None) -> TensorArray:
        """A TensorArray with the rows of `value` at `indices`."""
        with op_scope(name, "TensorArrayScatter", [self._flow, value, indices]):
            value = self._value(value, "scatter")
            dims = self._merged_shape(_rest(value._dims))
            flow = _scatter(self._flow, value, indices, name=name)
            return TensorArray._with_flow(self, flow, dims)

    def split(self, value: Any, lengths: Any, name: Optional[str] = None) -> TensorArray:
        """A TensorArray of consecutive pieces of `value`, `lengths[i]` rows each."""
        with op_scope(name, "TensorArraySplit", [self._flow, value, lengths]):
            value = self._value(value, "split")
            lengths = cast(lengths, d.int64)
            rest = _rest(value._dims)
            dims = self._merged_shape(None if rest is None else (None, *rest))
            flow = _split(value, _element_shape(None if rest is None else (None, *rest)),
                          lengths, name=name)
            return TensorArray._with_flow(self, flow, dims)

    def size(self, name: Optional[str] = None) -> Tensor:
        """The number of elements (int32)."""
        if not self._dynamic_size and self._size is not None:
            return convert_to_tensor(self._size, d.int32, name=name or "Const")
        return _length(self._flow, name=name)

    def identity(self) -> TensorArray:
        """A TensorArray whose flow is an identity of this one's (to order reads)."""
        return TensorArray._with_flow(self, identity(self._flow))

    def close(self, name: Optional[str] = None) -> Operation:
        """Nothing to free: the list is a value."""
        return no_op(name=name)

    def __repr__(self) -> str:
        return f"<TensorArray {self._dtype.name} element_shape={self.element_shape}>"


def flows(leaves: list) -> list:
    """Loop variables and branch results as tensors: a TensorArray is its flow."""
    return [leaf.flow if isinstance(leaf, TensorArray) else leaf for leaf in leaves]


def with_flows(templates: list, tensors: list) -> list:
    """`tensors` with a TensorArray, like its template, around each flow."""
    return [TensorArray._with_flow(old, t) if isinstance(old, TensorArray) else t
            for old, t in zip(templates, tensors, strict=True)]
