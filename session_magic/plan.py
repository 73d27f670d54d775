"""Compile (fetches, feeds) into a Plan once; `Plan.run` executes it as one generated function.

Fixed per plan: the ops the fetches need (pruned at fed tensors), in creation order, which is a
topological order because the graph is append-only; constant subgraphs folded to values,
pass-through ops and repeated subexpressions reduced to one value; each remaining op's kernel
with its attrs bound; the line after which a large intermediate is dead, and the steps that
write their result into such an input (TF's buffer forwarding); and a map from generated lines
back to ops, so a failure names the op that failed and where it was defined.
Changing per run: the feed values and a RunContext holding variable writes until commit.

Values that follow from the shapes of runtime tensors alone (the `Shape`, `Size`, `BroadcastTo`
and count arithmetic of a gradient graph, say) are gathered into shape blocks: a block runs once
per distinct shape of its inputs and its results are remembered, so a training step with a
dynamic batch size pays for that arithmetic only when the batch size changes.
"""
from __future__ import annotations

import collections
import functools
import itertools
import threading
import time
from concurrent.futures import Executor
from typing import Any, Callable, Optional, Sequence

import numpy as np

from . import errors
from .graph import Operation, Tensor
from .ops.registry import OPS, never_widened

__all__ = ["Plan", "RunContext", "fetch_value"]

_SMALL_ELEMENTS = 4096      # NOTE: freeing a tiny array early costs more than it saves.
_FOLD_LIMIT = 1 << 20       # NOTE: larger constant results stay steps, not values in the plan.
_SHAPE_CACHE_ENTRIES = 8        # distinct input shapes remembered per shape block
_SHAPE_CACHE_ELEMENTS = 1 << 16  # NOTE: larger shape-derived values are recomputed, not kept.
# NOTE: how often a threaded run's caller looks up from waiting: a Ctrl-C that Python handles
# on another thread (or `_thread.interrupt_main()`) does not wake a wait without a timeout.
_WAIT_SECONDS = 0.05
_plan_ids = itertools.count()
_ERRSTATE_PER_CALL = np.lib.NumpyVersion(np.__version__) >= "2.0.0"


class RunContext:
    """Per-run executor state: the session's variable store and this run's pending writes."""

    __slots__ = ("store", "pending", "session")

    def __init__(self, session: Any) -> None:
        self.session = session
        self.store = session._variable_store
        self.pending: dict = {}

    def read(self, variable: Operation) -> Any:
        pending = self.pending
        if variable in pending:
            return pending[variable]
        value = self.store.get(variable)
        if value is None:
            raise errors.FailedPreconditionError(
                None, variable, f"Attempting to use uninitialized value {variable.name}")
        return value

    def write(self, variable: Operation, value: Any) -> Any:
        self.pending[variable] = value
        return value

    def is_initialized(self, variable: Operation) -> bool:
        return variable in self.pending or variable in self.store

    def random_generator(self, op: Operation) -> np.random.Generator:
        return self.session._random_generator(op)

    def compile(self, fetches: Sequence[Tensor], feeds: Sequence[Tensor]) -> Plan:
        """A plan for a function graph that a kernel runs (a cond branch, a loop body)."""
        return Plan(fetches, feeds)


def fetch_value(value: Any) -> Any:
    """What `run` hands back: 0-d arrays become NumPy scalars, borrowed arrays are copied."""
    if type(value) is np.ndarray:
        if value.ndim == 0:
            return value[()]
        if not value.flags.writeable:
            return value.copy()
    return value


class Plan:
    """The compiled form of one (fetches, feeds) signature on one graph."""

    def __init__(self, fetches: Sequence[Any], feeds: Sequence[Tensor], graph: Any = None,
                 pool: Optional[Executor] = None) -> None:
        self.fetches = tuple(fetches)
        self.feeds = tuple(feeds)
        self.ops = _needed_ops(self.fetches, self.feeds)
        every = _all_kernels(self.ops)
        self.writes_state = any(OPS[op._type].writes_state for op in every)
        self.uses_context = any(OPS[op._type].uses_context for op in every) or \
            any(_reads_variable(op, self.feeds) for op in self.fetches)
        analysis = _Analysis(self.ops, self.feeds)
        self.steps = analysis.steps
        self._builder = _CodeBuilder(self.fetches, self.feeds, analysis)
        self._function, self._code, self._line_ops = self._builder.build(traced=False)
        self.in_place = self._builder.in_place  # the steps writing into their first input
        self._traced: Optional[tuple] = None
        self._parallel = _ParallelRunner(self, analysis, pool) if pool is not None else None

    def run(self, feed_values: Sequence[Any], ctx: Optional[RunContext]) -> list:
        """Execute once; raises an OpError naming the failing op (and commits nothing)."""
        if self._parallel is not None:
            return self._parallel.run(feed_values, ctx)
        try:
            return self._function(ctx, *feed_values)
        except Exception as failure:
            self._raise_translated(failure, self._code, self._line_ops)
        except KeyboardInterrupt as interrupt:
            _locate_interrupt(interrupt, _failing_op(interrupt, self._code, self._line_ops))
            raise

    def run_traced(self, feed_values: Sequence[Any], ctx: Optional[RunContext],
                   stats: list) -> list:
        """As `run`, appending (op, start_seconds, duration_seconds, output_bytes) per step."""
        if self._traced is None:
            self._traced = self._builder.build(traced=True)
        function, code, line_ops = self._traced
        try:
            return function(ctx, stats, *feed_values)
        except Exception as failure:
            self._raise_translated(failure, code, line_ops)
        except KeyboardInterrupt as interrupt:
            _locate_interrupt(interrupt, _failing_op(interrupt, code, line_ops))
            raise

    def _raise_translated(self, failure: Exception, code: Any, line_ops: dict,
                          op: Optional[Operation] = None) -> None:
        op = op or _failing_op(failure, code, line_ops)
        if _already_located(failure):
            raise failure  # NOTE: a control-flow body already named its own failing op.
        if op is None:
            if isinstance(failure, errors.OpError):
                raise failure
            raise errors.InternalError(
                None, None, f"session_magic failed inside the compiled plan for "
                f"{_described(self.fetches)}: {type(failure).__name__}: {failure}. This is a "
                "bug in session_magic; please report it with the graph.") from failure
        if isinstance(failure, errors.OpError):
            message = failure.message
        else:
            message = f"{op.type} failed: {type(failure).__name__}: {failure}"
        user_code = OPS[op._type].runs_user_code
        errors.raise_op_error(errors.error_class_for(failure, user_code), op, message,
                              failure if user_code else None)


def _described(fetches: Sequence[Any]) -> str:
    names = [f"'{fetch.name}'" for fetch in fetches[:3]]
    return ", ".join(names) + (f" and {len(fetches) - 3} more" if len(fetches) > 3 else "")


def _locate_interrupt(interrupt: KeyboardInterrupt, op: Optional[Operation]) -> None:
    """Say in a Ctrl-C where the run was and that it changed nothing. The innermost plan that
    knows the op it stopped in (a control-flow body's) says it first."""
    if getattr(interrupt, "_op", None) is not None:
        return
    if not hasattr(interrupt, "_op"):
        interrupt._said = f": {interrupt}" if interrupt.args else ""
    interrupt._op = op
    where = f" in {op.type} op '{op.name}' (defined at {errors.op_location(op)})" if op else ""
    interrupt.args = (f"run interrupted{where}; no variable was changed{interrupt._said}",)


def _already_located(failure: Exception) -> bool:
    return isinstance(failure, errors.OpError) and "\n\t [[node " in failure.message


def _reads_variable(element: Any, feeds: Sequence[Tensor]) -> bool:
    return isinstance(element, Tensor) and is_variable(element) and element not in feeds


def is_variable(t: Tensor) -> bool:
    """Is `t` a variable itself (its value read from the run context), not a computed value?"""
    return OPS[t._op._type].role == "variable"


def _all_kernels(ops: Sequence[Operation]) -> list:
    """The plan's ops plus those inside control-flow functions they run."""
    result = list(ops)
    for op in ops:
        for sub_ops in op._attrs.get("_function_ops", ()):
            result.extend(_all_kernels(sub_ops))
    return result


def _failing_op(failure: BaseException, code: Any, line_ops: dict) -> Optional[Operation]:
    traceback = failure.__traceback__
    op = None
    while traceback is not None:
        if traceback.tb_frame.f_code is code:
            op = line_ops.get(traceback.tb_lineno)
        traceback = traceback.tb_next
    return op


# --- pruning -------------------------------------------------------------------------------------

def _needed_ops(fetches: Sequence[Any], feeds: Sequence[Tensor]) -> list[Operation]:
    """Ops the fetches need, stopping at fed tensors, in creation (= topological) order."""
    fed = set(feeds)
    needed: dict[int, Operation] = {}
    pending: list[Operation] = []
    for element in fetches:
        if isinstance(element, Operation):
            pending.append(element)
        elif element not in fed:
            pending.append(element._op)
    while pending:
        op = pending.pop()
        if id(op) in needed:
            continue
        needed[id(op)] = op
        opdef = OPS[op._type]
        for i, t in enumerate(op._inputs):
            if t not in fed and not opdef.is_ref_input(i):
                pending.append(t._op)
        pending.extend(op._control_inputs)
    return sorted(needed.values(), key=lambda op: op._id)


# --- analysis: folding, pass-throughs, common subexpressions ------------------------------------

class _Analysis:
    """What each needed op becomes: a folded value, an alias of another tensor, or a step."""

    def __init__(self, ops: list, feeds: Sequence[Tensor]) -> None:
        self.fed = set(feeds)
        self.known: dict[Tensor, Any] = {}   # tensor -> value known at compile time
        self.alias: dict[Tensor, Tensor] = {}  # tensor -> the tensor computing the same value
        self.steps: list[Operation] = []
        seen: dict[tuple, Operation] = {}
        for op in ops:
            self._visit(op, seen)

    def canonical(self, t: Tensor) -> Tensor:
        return self.alias.get(t, t)

    def _visit(self, op: Operation, seen: dict) -> None:
        role = OPS[op._type].role
        if role == "const":
            if op._outputs[0] not in self.fed:
                self.known[op._outputs[0]] = op._attrs["value"]
            return
        if role in ("no_op", "variable"):  # NOTE: a variable is read where it is used
            return
        if any(t in self.fed for t in op._outputs):
            # NOTE: a fed output is the feed wherever it is read, so its op (run only as a
            # target) can neither be an alias nor a common subexpression others alias.
            self.steps.append(op)
            return
        if self._passes_through(op):
            self.alias[op._outputs[0]] = self.canonical(op._inputs[0])
            return
        opdef = OPS[op._type]
        pure = not (opdef.stateful or opdef.uses_context or op._control_inputs)
        if pure and self._fold(op):
            return
        key = _expression_key(op, [self.canonical(t) for t in op._inputs]) if pure else None
        if key is not None and key in seen:
            for mine, theirs in zip(op._outputs, seen[key]._outputs, strict=True):
                self.alias[mine] = theirs
            return
        if key is not None:
            seen[key] = op
        self.steps.append(op)

    def _passes_through(self, op: Operation) -> bool:
        if not OPS[op._type].pass_through or op._control_inputs:
            return False
        source = self.canonical(op._inputs[0])
        # NOTE: a read of a variable stays a step: it must read at its own place in the order.
        return not is_variable(source) or source in self.fed

    def _fold(self, op: Operation) -> bool:
        inputs = [self.canonical(t) for t in op._inputs]
        if any(t in self.fed or t not in self.known for t in inputs) or not op._outputs:
            return False
        try:
            with np.errstate(all="ignore"):
                result = OPS[op._type].kernel(op)(*[self.known[t] for t in inputs])
        except Exception:  # noqa: BLE001 - a failing op fails at run time, naming itself
            return False
        values = list(result) if OPS[op._type].multi_output else [result]
        if any(np.size(v) > _FOLD_LIMIT for v in values):
            return False
        for t, value in zip(op._outputs, values, strict=True):
            self.known[t] = _frozen(value)
        return True


def _frozen(value: Any) -> Any:
    if type(value) is np.ndarray:
        value.flags.writeable = False
    return value


def _expression_key(op: Operation, inputs: list) -> Optional[tuple]:
    try:
        attrs = tuple(sorted((k, _hashable(v)) for k, v in op._attrs.items()))
    except TypeError:
        return None
    return op._type, tuple(id(t) for t in inputs), attrs


def _hashable(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return tuple(_hashable(v) for v in value)
    hash(value)
    return value


# --- code generation -----------------------------------------------------------------------------

class _CodeBuilder:
    """Writes the plan as Python source: one line per step, then compiles it."""

    def __init__(self, fetches: tuple, feeds: tuple, analysis: _Analysis) -> None:
        self.fetches = fetches
        self.analysis = analysis
        self.feed_names = {t: f"f{i}" for i, t in enumerate(feeds)}
        self.fetched = {analysis.canonical(t) for t in fetches if isinstance(t, Tensor)}
        self.shape_determined = _shape_determined(analysis)
        self.in_place: frozenset = frozenset()  # set by build: steps writing into an input

    def build(self, traced: bool) -> tuple:
        namespace: dict[str, Any] = {"_fetch": fetch_value, "_clock": time.perf_counter,
                                     "_nbytes": _output_bytes, "_shape": np.shape,
                                     "_remember": _remember}
        steps = self.analysis.steps
        namespace["_ops"] = steps
        position_of = {op: i for i, op in enumerate(steps)}
        lines: list[str] = []
        line_ops: dict[int, Operation] = {}
        # NOTE: a traced run reports every op, so it runs every step in place.
        items = list(steps) if traced else self._items()
        last_read, readers = self._reads(items)
        last_use = self._last_uses(last_read)
        in_place = self._in_place(items, last_read, readers)
        if not traced:
            self.in_place = frozenset(in_place)
        for index, item in enumerate(items):
            if isinstance(item, _ShapeBlock):
                self._block_lines(item, len(items) + index, namespace, lines, line_ops)
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
        filename = f"<session_magic plan {next(_plan_ids)}>"
        source = f"def _plan(ctx{stats_arg}{feed_args}):\n" + "\n".join(lines) + "\n"
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

        def block_for(ops: list) -> Optional[_ShapeBlock]:
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

    def _block(self, ops: list) -> _ShapeBlock:
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
        return _ShapeBlock(ops, _in_order(roots), _in_order(reads), exports)

    def _block_lines(self, block: _ShapeBlock, number: int, namespace: dict, lines: list,
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
        namespace[kernel_name] = opdef.in_place(op) if in_place else opdef.kernel(op)
        args = [self._input_expression(t, namespace) for i, t in enumerate(op._inputs)
                if not opdef.is_ref_input(i)]
        if opdef.uses_context:
            args.insert(0, "ctx")
        call = f"{kernel_name}({', '.join(args)})"
        return f"{self._result_names(op)} = {call}" if op._outputs else call

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
            if isinstance(item, _ShapeBlock):
                # NOTE: a block reads its roots too: their shapes key its cache.
                reads, made = set(item.reads) | set(item.roots), item.exports
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
            if isinstance(op, _ShapeBlock) or OPS[op._type].in_place is None or not op._inputs:
                continue
            opdef = OPS[op._type]
            first = op._inputs[0]
            t = canonical(first)
            maker = OPS.get(t._op._type)
            if (last.get(t) == i and readers[t] == 1 and maker is not None
                    and maker.fresh and not maker.multi_output
                    and t._op not in self.shape_determined and t not in self.fetched
                    and t not in self.feed_names and t not in self.analysis.known
                    and t._dtype is op._outputs[0]._dtype and _is_large(t._dims)
                    and np.dtype(t._dtype.as_numpy_dtype).kind in "biufc"
                    and all(canonical(u) is not t for u in op._inputs[1:])
                    and (not opdef.elementwise or never_widened(op, first))):
                result.add(op)
        return result

    def _dead_inside(self, block: _ShapeBlock) -> dict[Operation, list[str]]:
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


class _ShapeBlock:
    """Steps whose values follow from the shapes of `roots` alone, run once per distinct shape.
    `reads`: the values from outside it that the steps read; `exports`: the values read after
    it (or fetched), which its cache holds."""

    __slots__ = ("ops", "roots", "reads", "exports")

    def __init__(self, ops: list, roots: list, reads: list, exports: list) -> None:
        self.ops, self.roots, self.reads, self.exports = ops, roots, reads, exports


def _shape_determined(analysis: _Analysis) -> dict[Operation, frozenset]:
    """The steps whose values depend only on the shapes of some runtime tensors (their roots):
    a pure shape reader (Shape, Size, Rank) of a computed or fed value, and any pure step all of
    whose inputs are known constants or shape-determined."""
    roots_of: dict[Tensor, frozenset] = {}
    result: dict[Operation, frozenset] = {}
    for op in analysis.steps:
        opdef = OPS[op._type]
        if opdef.stateful or opdef.uses_context or op._control_inputs or not op._outputs \
                or any(t in analysis.fed for t in op._outputs):
            continue
        inputs = [analysis.canonical(t) for t in op._inputs]
        if opdef.reads_shape_only:
            # NOTE: the shape of a shape-determined value is itself shape-determined.
            roots = frozenset().union(*(roots_of.get(t, {t}) for t in inputs
                                        if t not in analysis.known))
            # NOTE: a variable's shape can change within a run (validate_shape=False).
            if not roots or any(is_variable(t) for t in roots):
                continue
        elif inputs and all(t in analysis.known or t in roots_of for t in inputs) and \
                any(t in roots_of for t in inputs):
            roots = frozenset().union(*(roots_of[t] for t in inputs if t in roots_of))
        else:
            continue
        result[op] = roots
        for t in op._outputs:
            roots_of[t] = roots
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
    cache[key] = tuple(_frozen(v) for v in values)


def _silenced(function: Callable) -> Callable:
    """`function` run with NumPy's floating-point warnings off: TF is silent about inf and nan.
    (NumPy 2's errstate as a decorator keeps its state per call, so it is thread-safe and
    costs half of a `with` block; NumPy 1's keeps it on the instance.)"""
    if _ERRSTATE_PER_CALL:
        return np.errstate(all="ignore")(function)

    @functools.wraps(function)
    def silenced(*args: Any) -> Any:
        with np.errstate(all="ignore"):
            return function(*args)
    return silenced


def _is_large(dims: Any) -> bool:
    if dims is None or None in dims:
        return True
    count = 1
    for d in dims:
        count *= d
    return count > _SMALL_ELEMENTS


def _output_bytes(*values: Any) -> int:
    return sum(getattr(v, "nbytes", 0) for v in values)


# --- inter-op parallelism ------------------------------------------------------------------------

class _ParallelRunner:
    """Runs independent steps concurrently on the session's thread pool (NumPy kernels release
    the GIL).

    Fixed: each step's input sources and dependents. Changing per run: a value table and the
    count of inputs each step still waits for.
    """

    def __init__(self, plan: Plan, analysis: _Analysis, pool: Executor) -> None:
        self.plan = plan
        self.analysis = analysis
        self.pool = pool
        self.kernels = [OPS[op._type].kernel(op) for op in analysis.steps]
        position = {op: i for i, op in enumerate(analysis.steps)}
        needed = set(plan.ops)
        self.waits_for = [self._producers(op, position, needed) for op in analysis.steps]
        self.dependents: list[list[int]] = [[] for _ in analysis.steps]
        for i, producers in enumerate(self.waits_for):
            for p in producers:
                self.dependents[p].append(i)

    def _producers(self, op: Operation, position: dict, needed: set) -> set:
        """The steps `op` waits for: those making its inputs, and those that an op it depends
        on but that is no step (a NoOp, a pass-through, a merged repeat) stands for."""
        canonical = self.analysis.canonical
        found, seen = set(), set()
        pending = [op]
        while pending:
            source = pending.pop()
            for t in source._inputs:
                for maker in (canonical(t)._op, t._op):
                    if maker in position:
                        found.add(position[maker])
                    elif maker in needed and maker not in seen:
                        seen.add(maker)
                        pending.append(maker)
            for control in source._control_inputs:
                if control in position:
                    found.add(position[control])
                elif control in needed and control not in seen:
                    seen.add(control)
                    pending.append(control)
        return found

    def run(self, feed_values: Sequence[Any], ctx: Optional[RunContext]) -> list:
        run = _ParallelRun(self, dict(zip(self.plan.feeds, feed_values, strict=True)), ctx)
        return run.execute()


class _ParallelRun:
    """One execution of a _ParallelRunner."""

    def __init__(self, runner: _ParallelRunner, fed: dict, ctx: Optional[RunContext]) -> None:
        self.runner = runner
        self.fed = fed
        self.ctx = ctx
        self.values: dict[Tensor, Any] = {}
        self.remaining = [len(w) for w in runner.waits_for]
        self.lock = threading.Lock()
        self.done = threading.Event()
        self.pending = len(runner.kernels)
        self.failure: Optional[tuple] = None

    def execute(self) -> list:
        if self.pending:
            # NOTE: list the ready steps before submitting any: workers change `remaining`.
            ready = [i for i, count in enumerate(self.remaining) if count == 0]
            for i in ready:
                self.runner.pool.submit(self._step, i)
            self._wait()
        if self.failure is not None:
            failure, op = self.failure
            if not isinstance(failure, Exception):
                if isinstance(failure, KeyboardInterrupt):
                    _locate_interrupt(failure, op)
                raise failure  # NOTE: a KeyboardInterrupt in a py_func stays one, as serially
            self.runner.plan._raise_translated(failure, None, {}, op)
        results = []
        for fetch in self.runner.plan.fetches:
            try:
                results.append(None if isinstance(fetch, Operation)
                               else fetch_value(self._value(fetch)))
            except MemoryError as failure:  # NOTE: a broadcast view too big to copy
                self.runner.plan._raise_translated(failure, None, {}, fetch._op)
        return results

    def _wait(self) -> None:
        """Wait for the last step; if interrupted, the steps not yet started never start."""
        try:
            while not self.done.wait(_WAIT_SECONDS):
                pass
        except BaseException as interrupt:
            self._finish_with(interrupt, None)
            if isinstance(interrupt, KeyboardInterrupt):
                _locate_interrupt(interrupt, None)
            raise

    def _value(self, t: Tensor) -> Any:
        t = self.runner.analysis.canonical(t)
        if t in self.fed:
            return self.fed[t]
        if t in self.runner.analysis.known:
            return self.runner.analysis.known[t]
        if is_variable(t):
            return self.ctx.read(t._op)
        return self.values[t]

    def _step(self, i: int) -> None:
        if self.failure is not None:
            return
        op = self.runner.analysis.steps[i]
        opdef = OPS[op._type]
        try:
            args = [self._value(t) for k, t in enumerate(op._inputs) if not opdef.is_ref_input(k)]
            with np.errstate(all="ignore"):
                result = self.runner.kernels[i](*([self.ctx] if opdef.uses_context else []),
                                                *args)
            outputs = list(result) if opdef.multi_output else [result] if op._outputs else []
            produced = list(zip(op._outputs, outputs, strict=True))
        except BaseException as failure:  # noqa: BLE001 - reported on the calling thread
            self._finish_with(failure, op)
            return
        self._release(i, produced)

    def _release(self, i: int, produced: list) -> None:
        ready = []
        with self.lock:
            if self.failure is not None:
                return
            self.values.update(produced)
            self.pending -= 1
            for j in self.runner.dependents[i]:
                self.remaining[j] -= 1
                if self.remaining[j] == 0:
                    ready.append(j)
            finished = self.pending == 0
        for j in ready:
            self.runner.pool.submit(self._step, j)
        if finished:
            self.done.set()

    def _finish_with(self, failure: BaseException, op: Optional[Operation]) -> None:
        with self.lock:
            if self.failure is None:
                self.failure = (failure, op)
            # NOTE: the failure's traceback holds this run: it must not hold the run's arrays.
            self.values.clear()
        self.done.set()
