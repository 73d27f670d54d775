"""What is known of a tensor's value while building, before any run.

A whole value (`constant_value`: a Const, a fully known shape), or for the integer vectors and
scalars that shape arguments are, an int, `SameAs` (dimension k of some tensor) or None per
entry (`partial_vector`, TF's `constant_value_as_shape`). Each op says what it knows through its
`static_value` and `partial_value` traits; small integer arithmetic on known scalars is computed
by the op's own kernel, as TF's shape inference evaluates small constant subgraphs.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

import numpy as np

from ..graph import Tensor
from .registry import OPS

__all__ = ["SameAs", "constant_value", "scalar_value", "partial_vector", "partial_scalar",
           "known_ints"]


@dataclass(frozen=True)
class SameAs:
    """An entry of a shape vector equal to dimension `axis` of `source`, not known yet."""

    source: Tensor
    axis: int


def constant_value(tensor: Tensor) -> Optional[np.ndarray]:
    """The value of `tensor` when it is known while building (a Const, or a known shape)."""
    rule = OPS[tensor._op._type].static_value
    return None if rule is None else rule(tensor)


def scalar_value(t: Tensor) -> Optional[int]:
    """The int in a constant scalar or one-element integer tensor, else None."""
    value = constant_value(t)
    if value is None or np.size(value) != 1 or np.asarray(value).dtype.kind not in "iu":
        return None
    return int(np.reshape(value, -1)[0])


def partial_vector(t: Tensor) -> Optional[list]:
    """What is known of a 1-D int tensor while building: an int, None or SameAs per entry;
    None when even its length is unknown."""
    value = constant_value(t)
    if value is not None:
        return [int(v) for v in np.reshape(value, -1)]
    rule = OPS[t._op._type].partial_value
    known = rule(t) if rule is not None else None
    if isinstance(known, list):
        return known
    if t._dims is not None and len(t._dims) == 1 and t._dims[0] is not None:
        return [None] * t._dims[0]
    return None


def partial_scalar(t: Tensor) -> Any:
    """What is known of a scalar int tensor while building (an int, SameAs or None)."""
    value = scalar_value(t)
    if value is not None:
        return value
    rule = OPS[t._op._type].partial_value
    known = rule(t) if rule is not None else None
    if known is not None and not isinstance(known, list):
        return known
    return _computed_scalar(t)


def known_ints(vector: Optional[list]) -> Optional[list]:
    """Entries that are not plain ints (unknown or SameAs) become None."""
    if vector is None:
        return None
    return [v if isinstance(v, int) else None for v in vector]


def _computed_scalar(t: Tensor) -> Optional[int]:
    """An integer scalar that a pure op computes from known integer scalars (`tf.shape(x)[1] - 1`
    of a [?, 3] x is 2), by running the op's kernel on them; None when any is unknown."""
    op = t._op
    opdef = OPS[op._type]
    if (t._dims != () or not t._dtype.is_integer or not op._inputs or opdef.multi_output
            or opdef.stateful or opdef.uses_context):
        return None
    values = []
    for source in op._inputs:
        if source._dims != () or not source._dtype.is_integer:
            return None
        value = partial_scalar(source)
        if not isinstance(value, int):
            return None
        values.append(np.asarray(value, source._dtype.as_numpy_dtype))
    try:
        with np.errstate(all="raise"):
            return int(opdef.kernel(op)(*values))
    except Exception:  # noqa: BLE001 - a kernel that fails here (x // 0) fails when run
        return None
