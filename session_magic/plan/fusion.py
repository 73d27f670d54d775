"""Which steps of a plan can run as one fused elementwise loop: convex groups of ops with a
`scalar` rule (PyTensor's FusionOptimizer rule), each group with one value read after it, all
of one static shape (unknown dims allowed: the kernel checks its inputs' shapes each call).
Pure analysis: the jit (jit.py) compiles what this finds.
"""
from __future__ import annotations

import collections
import heapq
import math
from typing import Any, Optional

from ..graph import Operation, Tensor
from ..ops.registry import OPS
from .analysis import is_variable

__all__ = ["Group", "fusable_groups", "scalar_rule", "read_mode", "FUSABLE_DTYPES"]

# NOTE: the dtypes a compiled loop computes exactly as NumPy does (float16 and the unsigned
# ints are left out: numba widens them, and uint64 mixed with int64 becomes float64).
FUSABLE_DTYPES = frozenset({"float32", "float64", "int32", "int64", "bool"})
LARGE_ELEMENTS = 4096  # NOTE: from here, one pass over memory saved pays for a fused call
MAX_GROUP_OPS = 512  # NOTE: numba's compile time grows faster than linearly (401 ops: 1.9 s,
                     # 600: 15 s)


class Group:
    """Ops fused into one loop: `ops` in plan order, the last making `output` (of `dims`, the
    static shape of every member, the only value of theirs read after them); `inputs`: the
    values they read from outside, in order of first use, each read as `reads` says (see
    `read_mode`); `operands`: per op, the canonical tensors it reads."""

    __slots__ = ("ops", "inputs", "reads", "operands", "output", "dims")

    def __init__(self, ops: list, inputs: list, reads: list, operands: list, output: Tensor,
                 dims: tuple) -> None:
        self.ops, self.inputs, self.reads, self.operands = ops, inputs, reads, operands
        self.output, self.dims = output, dims

    def __repr__(self) -> str:
        return f"Group({len(self.ops)} ops -> {self.output.name}, {len(self.inputs)} inputs)"


def scalar_rule(op: Operation) -> Optional[str]:
    """The op's elementwise rule as a scalar expression, or None."""
    rule = OPS[op._type].scalar
    return rule(op) if callable(rule) else rule


def fusable_groups(plan: Any, smallest: Optional[int] = None) -> list[Group]:
    """The plan's groups of fusable steps worth a kernel, in plan order of their outputs: of at
    least `smallest` steps, or by default of three, or of two on large arrays."""
    builder = plan._builder
    analysis = builder.analysis
    steps = analysis.steps
    position = {op: i for i, op in enumerate(steps)}
    fusable = {op for op in steps if _fusable(op, analysis, builder.shape_determined)}
    readers: dict[Tensor, set] = collections.defaultdict(set)
    for op in steps:
        for t in op._inputs:
            readers[analysis.canonical(t)].add(op)
    taken: set = set()
    groups = []
    for root in reversed(steps):
        if root in fusable and root not in taken:
            members = _grow(root, fusable, taken, readers, builder.fetched, analysis, position)
            if _worth_fusing(len(members), root._outputs[0]._dims, smallest):
                taken.update(members)
                groups.append(_group(sorted(members, key=position.get), analysis))
    return groups[::-1]


def _worth_fusing(count: int, dims: tuple, smallest: Optional[int]) -> bool:
    # NOTE: a fused call checks and flattens its inputs (~1.5 us): more than two NumPy calls on
    # small arrays cost (W4's sub and square on [256, 1] got slower).
    if smallest is not None:
        return count >= smallest
    return count >= 3 or (count == 2 and _known(dims) and math.prod(dims) >= LARGE_ELEMENTS)


def _grow(root: Operation, fusable: set, taken: set, readers: dict, fetched: set,
          analysis: Any, position: dict) -> set:
    """`root` and the producers it can absorb, latest first, so that each candidate's readers
    are all decided when it is: one whose every reader is a member joins (then no path leaves
    the group and comes back, and only the root's value is read outside)."""
    dims = root._outputs[0]._dims
    members = {root}
    waiting: list = []

    def push_producers(op: Operation) -> None:
        for t in op._inputs:
            producer = analysis.canonical(t)._op
            if producer in fusable and producer not in taken and producer not in members:
                heapq.heappush(waiting, (-position[producer], producer._id, producer))

    push_producers(root)
    while waiting and len(members) < MAX_GROUP_OPS:
        _, _, op = heapq.heappop(waiting)
        value = op._outputs[0]
        if op in members or value in fetched or value._dims != dims:
            continue
        if all(reader in members for reader in readers[value]):
            members.add(op)
            push_producers(op)
    return members


def _group(ops: list, analysis: Any) -> Group:
    output = ops[-1]._outputs[0]
    dims = tuple(output._dims)
    made = {op._outputs[0] for op in ops}
    inputs: dict[Tensor, Any] = {}
    for op in ops:
        for t in op._inputs:
            source = analysis.canonical(t)
            if source not in made and source not in inputs:
                inputs[source] = read_mode(t._dims, dims)
    operands = [[analysis.canonical(t) for t in op._inputs] for op in ops]
    return Group(ops, list(inputs), list(inputs.values()), operands, output, dims)


def _fusable(op: Operation, analysis: Any, shape_determined: dict) -> bool:
    """Can `op` be a member: a pure single-output step with a scalar rule, of a known rank and
    a fusable dtype, whose inputs a loop over its flat output can read (`read_mode`), none a
    variable read directly (which must read at its own place in the run)."""
    opdef = OPS[op._type]
    if opdef.scalar is None or op in shape_determined or opdef.writes_state or opdef.stateful \
            or opdef.uses_context or op._control_inputs or len(op._outputs) != 1:
        return False
    output = op._outputs[0]
    dims = output._dims
    if output in analysis.fed or dims is None or output._dtype.name not in FUSABLE_DTYPES:
        return False
    for t in op._inputs:
        source = analysis.canonical(t)
        if source._dtype.name not in FUSABLE_DTYPES or read_mode(t._dims, dims) is None or \
                (is_variable(source) and source not in analysis.fed):
            return False
    return scalar_rule(op) is not None


def read_mode(input_dims: Any, dims: tuple) -> Any:
    """How a loop over a flat output of `dims` reads an input of `input_dims`: "one" (a single
    element: [0]), "whole" (the output's shape: [i]), an int m (the output's trailing dims,
    repeated over its leading ones, as a bias: [i % m]), or None (it cannot)."""
    if input_dims is None or len(input_dims) > len(dims):
        return None
    input_dims, dims = tuple(input_dims), tuple(dims)
    if _known(input_dims) and math.prod(input_dims) == 1:
        return "one"
    if input_dims == dims:
        return "whole"
    trailing = input_dims
    while trailing and trailing[0] == 1:
        trailing = trailing[1:]
    if _known(trailing) and trailing == dims[len(dims) - len(trailing):]:
        return math.prod(trailing)
    return None


def _known(dims: Any) -> bool:
    return dims is not None and None not in dims
