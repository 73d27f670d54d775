"""map_fn, scan, foldl and foldr as TF 1 builds them: a while_loop over the rows of the
elements, read from TensorArrays (and results written to them), so they differentiate like any
loop."""
from __future__ import annotations

from typing import Any, Callable, Optional

from .. import dtypes as d
from .. import nest
from ..graph import Tensor
from .array_ops import shape
from .constant_ops import make_constant
from .conversion import convert_to_tensor
from .functional import while_loop
from .registry import op_scope
from .tensor_array_ops import TensorArray

__all__ = ["map_fn", "scan", "foldl", "foldr"]


def _elements(elems: Any, what: str) -> tuple:
    """The flat elements as tensors, their static and dynamic count (the first dim)."""
    flat = [convert_to_tensor(t, name="elem") for t in nest.flatten(elems)]
    if not flat:
        raise ValueError(f"{what}: elems must be a tensor or a non-empty structure of tensors")
    count = None
    for t in flat:
        if t._dims is not None and not t._dims:
            raise ValueError("Elements in elems must be 1+ dimensional Tensors, not scalars")
        first = None if t._dims is None else t._dims[0]
        if count is not None and first is not None and first != count:
            raise ValueError(f"Dimensions {count} and {first} are not compatible")
        count = first if count is None else count
    dynamic = count if count is not None else shape(flat[0])[0]
    return flat, count, dynamic


def _unstacked(flat: list, n: Any) -> list:
    return [TensorArray(t.dtype, size=n, dynamic_size=False, infer_shape=True).unstack(t)
            for t in flat]


def _stacked(tas: list, count: Optional[int]) -> list:
    results = []
    for ta in tas:
        result = ta.stack()
        if result._dims is not None:
            result.set_shape((count, *result._dims[1:]))
        results.append(result)
    return results


def map_fn(fn: Callable, elems: Any, dtype: Any = None, parallel_iterations: Optional[int] = None,
           back_prop: bool = True, swap_memory: bool = False, infer_shape: bool = True,
           name: Optional[str] = None, fn_output_signature: Any = None) -> Any:
    """`fn` applied to each row of `elems` (a tensor or a structure of them), the results
    stacked; `dtype` gives the results' structure and dtypes when they differ from elems'."""
    if not callable(fn):
        raise TypeError("fn must be callable.")
    signature = dtype if fn_output_signature is None else fn_output_signature
    with op_scope(name, "map", nest.flatten(elems)):
        flat, count, n = _elements(elems, "map_fn")
        dtypes = [t.dtype for t in flat] if signature is None else \
            [d.as_dtype(x) for x in nest.flatten(signature)]
        elems_tas = _unstacked(flat, n)
        i = make_constant(0)
        results = [TensorArray(x, size=n, dynamic_size=False, infer_shape=infer_shape)
                   for x in dtypes]

        def compute(i: Tensor, tas: list) -> tuple:
            value = nest.pack_sequence_as(elems, [ta.read(i) for ta in elems_tas])
            result = fn(value)
            nest.assert_same_structure(signature if signature is not None else elems, result)
            return i + 1, [ta.write(i, v) for ta, v in zip(tas, nest.flatten(result),
                                                             strict=True)]

        _, final = while_loop(lambda i, _: i < n, compute, (i, results),
                              parallel_iterations=parallel_iterations or 10,
                              back_prop=back_prop, swap_memory=swap_memory,
                              maximum_iterations=n)
        stacked = _stacked(final, count)
    return nest.pack_sequence_as(signature if signature is not None else elems, stacked)


def scan(fn: Callable, elems: Any, initializer: Any = None,
         parallel_iterations: int = 10, back_prop: bool = True, swap_memory: bool = False,
         infer_shape: bool = True, reverse: bool = False, name: Optional[str] = None) -> Any:
    """The successive values of `a = fn(a, row)` over the rows of `elems` (last first with
    `reverse`), stacked; `a` starts as `initializer`, or as the first row (which is then the
    first result)."""
    if not callable(fn):
        raise TypeError("fn must be callable.")
    with op_scope(name, "scan", nest.flatten(elems)):
        flat, count, n = _elements(elems, "scan")
        elems_tas = _unstacked(flat, n)
        first = n - 1 if reverse else 0
        if initializer is None:
            start, accumulator = [ta.read(first) for ta in elems_tas], elems
            i = 1
        else:
            start = [convert_to_tensor(a) for a in nest.flatten(initializer)]
            accumulator, i = initializer, 0
        results = [TensorArray(a.dtype, size=n, dynamic_size=False, infer_shape=infer_shape,
                               element_shape=a.shape if infer_shape else None) for a in start]
        if initializer is None:
            results = [ta.write(first, a) for ta, a in zip(results, start, strict=True)]

        def compute(i: Tensor, a_flat: list, tas: list) -> tuple:
            row = nest.pack_sequence_as(elems, [ta.read(i) for ta in elems_tas])
            out = fn(nest.pack_sequence_as(accumulator, a_flat), row)
            nest.assert_same_structure(accumulator, out)
            out_flat = [convert_to_tensor(o) for o in nest.flatten(out)]
            tas = [ta.write(i, v) for ta, v in zip(tas, out_flat, strict=True)]
            return (i - 1 if reverse else i + 1), out_flat, tas

        start_i = (n - 1 - i) if reverse else i
        condition = (lambda j, _a, _t: j >= 0) if reverse else (lambda j, _a, _t: j < n)
        _, _, final = while_loop(condition, compute, (convert_to_tensor(start_i), start, results),
                                 parallel_iterations=parallel_iterations, back_prop=back_prop,
                                 swap_memory=swap_memory, maximum_iterations=n)
        stacked = _stacked(final, count)
    return nest.pack_sequence_as(accumulator, stacked)


def _fold(fn: Callable, elems: Any, initializer: Any, parallel_iterations: int,
          back_prop: bool, swap_memory: bool, name: Optional[str], kind: str) -> Any:
    if not callable(fn):
        raise TypeError("fn must be callable.")
    backwards = kind == "foldr"
    with op_scope(name, kind, nest.flatten(elems)):
        flat, _, n = _elements(elems, kind)
        elems_tas = _unstacked(flat, n)
        if initializer is None:
            first = n - 1 if backwards else 0
            a = nest.pack_sequence_as(elems, [ta.read(first) for ta in elems_tas])
            i = (n - 2) if backwards else 1
        else:
            a, i = initializer, (n - 1) if backwards else 0

        def compute(i: Tensor, a: Any) -> list:
            row = nest.pack_sequence_as(elems, [ta.read(i) for ta in elems_tas])
            return [i - 1 if backwards else i + 1, fn(a, row)]

        condition = (lambda j, _: j >= 0) if backwards else (lambda j, _: j < n)
        _, result = while_loop(condition, compute, [convert_to_tensor(i), a],
                               parallel_iterations=parallel_iterations, back_prop=back_prop,
                               swap_memory=swap_memory, maximum_iterations=n)
    return result


def foldl(fn: Callable, elems: Any, initializer: Any = None, parallel_iterations: int = 10,
          back_prop: bool = True, swap_memory: bool = False, name: Optional[str] = None) -> Any:
    """`a = fn(a, row)` over the rows of `elems`, first to last; `a` starts as `initializer`
    or the first row. Returns the last `a`."""
    return _fold(fn, elems, initializer, parallel_iterations, back_prop, swap_memory, name,
                 "foldl")


def foldr(fn: Callable, elems: Any, initializer: Any = None, parallel_iterations: int = 10,
          back_prop: bool = True, swap_memory: bool = False, name: Optional[str] = None) -> Any:
    """As foldl, from the last row to the first."""
    return _fold(fn, elems, initializer, parallel_iterations, back_prop, swap_memory, name,
                 "foldr")
