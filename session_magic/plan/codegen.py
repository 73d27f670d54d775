"""A plan as code: one generated Python function per plan, a line per step, with each large
intermediate freed after its last use, steps written into a dead input's buffer (TF's buffer
forwarding) and shape blocks that run once per distinct input shape; and a map from its lines
back to ops.
"""
from __future__ import annotations

import collections
import functools
import itertools
import time
from typing import Any, Callable, Optional

import numpy as np

from ..frames import PLAN_FILE_PREFIX
from ..graph import Operation, Tensor
from ..ops.registry import OPS, never_widened
from .analysis import Analysis, frozen, is_variable, shape_determined

__all__ = ["CodeBuilder", "FusedGroup", "fetch_value"]

_SMALL_ELEMENTS = 4096      # NOTE: freeing a tiny array early costs more than it saves.
_SHAPE_CACHE_ENTRIES = 8        # distinct input shapes remembered per shape block
_SHAPE_CACHE_ELEMENTS = 1 << 16  # NOTE: larger shape-derived values are recomputed, not kept.
_plan_ids = itertools.count()
_ERRSTATE_PER_CALL = np.lib.NumpyVersion(np.__version__) >= "2.0.0"


def fetch_value(value: Any) -> Any:
    """What `run` hands back: 0-d arrays become NumPy scalars, borrowed arrays are copied."""
    if type(value) is np.ndarray:
        if value.ndim == 0:
            return value[()]
        if not value.flags.writeable:
            return value.copy()
    return value


class CodeBuilder:
    """Writes the plan as Python source: one line per step, then compiles it."""

    def __init__(self, fetches: tuple, feeds: tuple, analysis: Analysis) -> None:
        self.fetches = fetches
        self.analysis = analysis
        self.feed_names = {t: f"f{i}" for i, t in enumerate(feeds)}
        self.fetched = {analysis.canonical(t) for t in fetches if isinstance(t, Tensor)}
        self.shape_determined = shape_determined(analysis)
        self.in_place: frozenset = frozenset()  # set by build: steps writing into an input

    def build(self, traced: bool, fused: tuple = ()) -> tuple:
        """(function, its code object, {line: op}) of the plan; `fused` groups (not with
        `traced`) each run as one call of their kernel in place of their ops."""
        namespace: dict[str, Any] = {"_fetch": fetch_value, "_clock": time.perf_counter,
                                     "_nbytes": _output_bytes, "_shape": np.shape,
                                     "_remember": _remember}
        steps = self.analysis.steps
        namespace["_ops"] = steps
        position_of = {op: i for i, op in enumerate(steps)}
        lines: list[str] = []
        line_ops: dict[int, Operation] = {}
        # NOTE: a traced run reports every op, so it runs every step in place.
        items = list(steps) if traced else _with_fused(self._items(), fused)
        last_read, readers = self._reads(items)
        last_use = self._last_uses(last_read)
        in_place = self._in_place(items, last_read, readers)
        if not traced:
            self.in_place = frozenset(in_place)
        for index, item in enumerate(items):
            if isinstance(item, ShapeBlock):
                self._block_lines(item, len(items) + index, namespace, lines, line_ops)
            elif isinstance(item, FusedGroup):
                line_ops[len(lines) + 2] = item.ops[-1]
                lines.append("    " + self._fused_statement(item, index, namespace))
            else:
                if traced:
                    lines.append("    _t0 = _clock()")
                line_ops[len(lines) + 2] = item
                lines.append("    " + self._statement(item, namespace, item in in_place))
                if traced:
                    lines.append(f"    _stats.append((_ops[{position_of[item]}], _t0, "
                                 f"_clock() - _t0, _nbytes({self._result_names(item)})))")
            lines.extend(f"    del {name}" for name in last_use.get(index, ()))
        for fetch in self._fetched_variables():
            line_ops[len(lines) + 2] = fetch._op
            lines.append(f"    {self._name(fetch)} = {self._input_expression(fetch, namespace)}")
        # NOTE: a line per fetch, so a failure to hand a value back (a fetched broadcast view
        # too big to copy) names the op that made it
        lines.append("    return [")
        for fetch in self.fetches:
            if isinstance(fetch, Tensor):
                line_ops[len(lines) + 2] = fetch._op
            lines.append(f"        {self._fetch_expression(fetch, namespace)},")
        lines.append("    ]")
        feed_args = "".join(f", {name}" for name in self.feed_names.values())
        stats_arg = ", _stats" if traced else ""
        filename = f"{PLAN_FILE_PREFIX} {next(_plan_ids)}>"
        source = f"def _plan(ctx{stats_arg}{feed_args}):\n" + "\n".join(lines) + "\n"
        if not traced:
            self.source = source  # NOTE: kept for reading: `Plan.source`
        code = compile(source, filename, "exec")
        exec(code, namespace)
        function = namespace["_plan"]
        return _silenced(function), function.__code__, line_ops

    def _items(self) -> list:
        """The steps in order, the shape-determined ones gathered into blocks, each block placed
        just before the first step that reads one of its values (or depends on one of its ops);
        what nothing reads runs in a last block."""
        determined, canonical = self.shape_determined, self.analysis.canonical
        producer = {t: op for op in determined for t in op._outputs}
        done: set = set()

        def block_for(ops: list) -> Optional[ShapeBlock]:
            needed: set = set()
            while ops:
                op = ops.pop()
                if op in needed or op in done:
                    continue
                needed.add(op)
                ops.extend(producer[t] for t in map(canonical, op._inputs) if t in producer)
            if not needed:
                return None
            done.update(needed)
            return self._block([op for op in self.analysis.steps if op in needed])

        items: list = []
        for op in self.analysis.steps:
            if op in determined:
                continue
            wanted = [producer[t] for t in map(canonical, op._inputs) if t in producer]
            wanted += [c for c in op._control_inputs if c in determined]
            block = block_for(wanted)
            if block is not None:
                items.append(block)
            items.append(op)
        block = block_for([op for op in determined if op not in done])
        if block is not None:
            items.append(block)
        return items

    def _block(self, ops: list) -> ShapeBlock:
        canonical, members = self.analysis.canonical, set(ops)
        inside = {t for op in ops for t in op._outputs}
        reads = {t for op in ops for t in map(canonical, op._inputs)
                 if t not in inside and t not in self.analysis.known}
        roots: set = set()
        for op in ops:
            roots.update(self.shape_determined[op])
        read_outside = {canonical(t) for op in self.analysis.steps if op not in members
                        for t in op._inputs}
        exports = [t for op in ops for t in op._outputs
                   if t in read_outside or t in self.fetched]
        return ShapeBlock(ops, _in_order(roots), _in_order(reads), exports)

    def _block_lines(self, block: ShapeBlock, number: int, namespace: dict, lines: list,
                     line_ops: dict) -> None:
        """A block as code: look its inputs' shapes up in its cache, run its steps on a miss."""
        cache, key, found = f"S{number}", f"_k{number}", f"_v{number}"
        namespace[cache] = {}
        shapes = "".join(f"_shape({self._input_expression(t, namespace)})," for t in block.roots)
        exported = ", ".join(self._name(t) for t in block.exports) + ","
        line_ops[len(lines) + 2] = block.ops[0]
        lines.append(f"    {key} = ({shapes})")
        lines.append(f"    {found} = {cache}.get({key})")
        lines.append(f"    if {found} is None:")
        dead = self._dead_inside(block)
        for op in block.ops:
            line_ops[len(lines) + 2] = op
            lines.append("        " + self._statement(op, namespace))
            lines.extend(f"        del {name}" for name in dead.get(op, ()))
        lines.append(f"        _remember({cache}, {key}, ({exported if block.exports else ''}))")
        if block.exports:
            lines.append("    else:")
            lines.append(f"        {exported} = {found}")

    def _statement(self, op: Operation, namespace: dict, in_place: bool = False) -> str:
        if OPS[op._type].pass_through:  # NOTE: a variable read kept in order: no kernel call
            return f"{self._name(op._outputs[0])} = " \
                   f"{self._input_expression(op._inputs[0], namespace)}"
        opdef = OPS[op._type]
        kernel_name = f"K{op._id}"
        args = [self._input_expression(t, namespace) for i, t in enumerate(op._inputs)
                if not opdef.is_ref_input(i)]
        direct = in_place and _direct_out(op)
        if direct:
            namespace[kernel_name] = direct
            args.append(args[0])  # NOTE: the ufunc's positional `out`: its first input
        else:
            namespace[kernel_name] = opdef.in_place(op) if in_place else opdef.kernel(op)
        if opdef.uses_context:
            args.insert(0, "ctx")
        call = f"{kernel_name}({', '.join(args)})"
        return f"{self._result_names(op)} = {call}" if op._outputs else call

    def _fused_statement(self, group: FusedGroup, index: int, namespace: dict) -> str:
        kernel_name = f"F{index}"
        namespace[kernel_name] = group.kernel
        args = ", ".join(self._input_expression(t, namespace) for t in group.inputs)
        return f"{self._name(group.output)} = {kernel_name}({args})"

    def _fetched_variables(self) -> list:
        return [t for t in self.fetched if is_variable(t) and t not in self.feed_names]

    def _result_names(self, op: Operation) -> str:
        if OPS[op._type].multi_output:
            names = [self._name(t) for t in op._outputs]
            return "(" + ", ".join(names) + ",)" if len(names) == 1 else ", ".join(names)
        return self._name(op._outputs[0]) if op._outputs else "None"

    def _name(self, t: Tensor) -> str:
        return f"t{t._op._id}_{t._value_index}"

    def _input_expression(self, t: Tensor, namespace: dict) -> str:
        t = self.analysis.canonical(t)
        if t in self.feed_names:
            return self.feed_names[t]
        if t in self.analysis.known:
            name = f"C{t._op._id}_{t._value_index}"
            namespace[name] = self.analysis.known[t]
            return name
        if is_variable(t):
            name = f"V{t._op._id}"
            namespace[name] = t._op
            return f"ctx.read({name})"
        return self._name(t)

    def _fetch_expression(self, fetch: Any, namespace: dict) -> str:
        if isinstance(fetch, Operation):
            return "None"
        canonical = self.analysis.canonical(fetch)
        if canonical in self._fetched_variables():
            return f"_fetch({self._name(canonical)})"
        return f"_fetch({self._input_expression(fetch, namespace)})"

    def _reads(self, items: list) -> tuple[dict[Tensor, int], collections.Counter]:
        """For each value an item makes (outside shape blocks' insides), the last item reading
        it, and how many items read it."""
        canonical = self.analysis.canonical
        bound: set = set()
        last: dict[Tensor, int] = {}
        readers: collections.Counter = collections.Counter()
        for i, item in enumerate(items):
            if isinstance(item, ShapeBlock):
                # NOTE: a block reads its roots too: their shapes key its cache.
                reads, made = set(item.reads) | set(item.roots), item.exports
            elif isinstance(item, FusedGroup):
                reads, made = set(map(canonical, item.inputs)), [item.output]
            else:
                reads, made = set(map(canonical, item._inputs)), item._outputs
            for t in reads:
                if t in bound:
                    last[t] = i
                    readers[t] += 1
            bound.update(made)
        return last, readers

    def _last_uses(self, last: dict[Tensor, int]) -> dict[int, list[str]]:
        """For each item, the large intermediate values that no later item reads."""
        result: dict[int, list[str]] = {}
        for t, position in last.items():
            if t in self.fetched or not _is_large(t._dims) or OPS[t._op._type].multi_output:
                continue
            result.setdefault(position, []).append(self._name(t))
        return result

    def _in_place(self, items: list, last: dict[Tensor, int],
                  readers: collections.Counter) -> set:
        """The steps that write their result into their first input: a large intermediate of the
        result's dtype and shape, fresh from a kernel that keeps no reference, that no other
        step reads (another reader may hold it or a view of it: a reshape, an assign, a
        py_func), not fetched and not read twice by this step."""
        canonical, result = self.analysis.canonical, set()
        for i, op in enumerate(items):
            if isinstance(op, (ShapeBlock, FusedGroup)) or OPS[op._type].in_place is None \
                    or not op._inputs:
                continue
            opdef = OPS[op._type]
            first = op._inputs[0]
            t = canonical(first)
            maker = OPS.get(t._op._type)
            if (last.get(t) == i and readers[t] == 1 and maker is not None
                    and maker.fresh and not maker.multi_output
                    and t._op not in self.shape_determined and t not in self.fetched
                    and t not in self.feed_names and t not in self.analysis.known
                    and t._dtype is op._outputs[0]._dtype
                    and (_is_large(t._dims) or _direct_out(op))
                    and np.dtype(t._dtype.as_numpy_dtype).kind in "biufc"
                    and all(canonical(u) is not t for u in op._inputs[1:])
                    and (not opdef.elementwise or never_widened(op, first))):
                result.add(op)
        return result

    def _dead_inside(self, block: ShapeBlock) -> dict[Operation, list[str]]:
        """The large values a block makes and reads itself only, by the op that reads them
        last."""
        canonical, made = self.analysis.canonical, {t for op in block.ops for t in op._outputs}
        last: dict[Tensor, Operation] = {}
        for op in block.ops:
            for t in map(canonical, op._inputs):
                if t in made:
                    last[t] = op
        result: dict[Operation, list[str]] = {}
        for t, op in last.items():
            if t not in block.exports and _is_large(t._dims) and \
                    not OPS[t._op._type].multi_output:
                result.setdefault(op, []).append(self._name(t))
        return result


class ShapeBlock:
    """Steps whose values follow from the shapes of `roots` alone, run once per distinct shape.
    `reads`: the values from outside it that the steps read; `exports`: the values read after
    it (or fetched), which its cache holds."""

    __slots__ = ("ops", "roots", "reads", "exports")

    def __init__(self, ops: list, roots: list, reads: list, exports: list) -> None:
        self.ops, self.roots, self.reads, self.exports = ops, roots, reads, exports


class FusedGroup:
    """Elementwise steps run as one kernel: `kernel(*inputs)` returns the value of `output`,
    the output of the last of `ops` (in plan order), the only value of theirs read after them.
    A tier of execution (the jit) makes these; the plan's other steps are unchanged."""

    __slots__ = ("ops", "inputs", "output", "kernel")

    def __init__(self, ops: list, inputs: list, output: Tensor, kernel: Callable) -> None:
        self.ops, self.inputs, self.output, self.kernel = ops, inputs, output, kernel


def _with_fused(items: list, fused: tuple) -> list:
    """`items` with each group's ops replaced by the group, placed where its last op was."""
    if not fused:
        return items
    member = {op: group for group in fused for op in group.ops}
    result = []
    for item in items:
        group = member.get(item) if isinstance(item, Operation) else None
        if group is None:
            result.append(item)
        elif item is group.ops[-1]:
            result.append(group)
    return result


def _in_order(tensors: set) -> list:
    return sorted(tensors, key=lambda t: (t._op._id, t._value_index))


def _remember(cache: dict, key: tuple, values: tuple) -> None:
    """Keep a shape block's results for `key` (read-only, as they are shared by later runs),
    unless one is large; a full cache starts over."""
    if any(np.size(v) > _SHAPE_CACHE_ELEMENTS for v in values):
        return
    if len(cache) >= _SHAPE_CACHE_ENTRIES:
        cache.clear()
    cache[key] = tuple(frozen(v) for v in values)


def _silenced(function: Callable) -> Callable:
    """`function` run with NumPy's floating-point warnings off: TF is silent about inf and nan.
    NumPy 2 keeps that state in a context variable, set here to one prepared value per call
    (thread-safe, and a fifth of what errstate's decorator costs, which builds the value anew
    each call); other NumPy versions use errstate itself."""
    quiet = _quiet_state()
    if quiet is not None:
        variable, state = quiet

        @functools.wraps(function)
        def silenced_run(*args: Any) -> Any:
            token = variable.set(state)
            try:
                return function(*args)
            finally:
                variable.reset(token)
        return silenced_run
    if _ERRSTATE_PER_CALL:
        return np.errstate(all="ignore")(function)

    @functools.wraps(function)
    def silenced(*args: Any) -> Any:
        with np.errstate(all="ignore"):
            return function(*args)
    return silenced


@functools.cache
def _quiet_state() -> Optional[tuple]:
    """(NumPy's error-state context variable, its value with every warning off), or None
    where NumPy keeps it otherwise."""
    try:
        # NOTE: NumPy internals (2.0 and later); any change falls back to np.errstate
        from numpy._core import _ufunc_config
        variable = _ufunc_config._extobj_contextvar
        state = _ufunc_config._make_extobj(all="ignore")
    except (ImportError, AttributeError, TypeError):
        return None
    return variable, state


# NOTE: NumPy 2.4 deprecates a third positional argument of these two (and takes its slow path)
_NO_POSITIONAL_OUT = (np.maximum, np.minimum)


def _direct_out(op: Operation) -> Any:
    """The ufunc `op`'s kernel is, when it can be called with its first input as positional
    `out` (cheaper than a wrapper or `out=`, and than a new array even for small ones): its
    result has a known rank of 1 or more, so its first input is an array, not a NumPy scalar;
    else None."""
    kernel = OPS[op._type].kernel(op)
    dims = op._outputs[0]._dims
    # NOTE: NumPy 2 writes a one-element array into its own input at twice the cost of a new one
    if (not isinstance(kernel, np.ufunc) or kernel.nout != 1 or kernel in _NO_POSITIONAL_OUT
            or dims is None or not dims or all(n == 1 for n in dims)
            or kernel.nin != sum(1 for i in range(len(op._inputs))
                                 if not OPS[op._type].is_ref_input(i))):
        return None
    return kernel


def _is_large(dims: Any) -> bool:
    if dims is None or None in dims:
        return True
    count = 1
    for d in dims:
        count *= d
    return count > _SMALL_ELEMENTS


def _output_bytes(*values: Any) -> int:
    return sum(getattr(v, "nbytes", 0) for v in values)
