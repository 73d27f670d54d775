"""Compile (fetches, feeds) into a Plan once; `Plan.run` executes it as one generated function.

Fixed per plan: the ops the fetches need (pruned at fed tensors), in creation order, which is a
topological order because the graph is append-only; each op's kernel with its attrs bound; the
name of every value and the line after which a large one is dead; and a map from generated
lines back to ops, so a failure names the op that failed and where the user defined it.
Changing per run: the feed values and a RunContext holding variable writes until commit.
"""
from __future__ import annotations

import itertools
import time
from typing import Any, Optional, Sequence

import numpy as np

from . import errors
from .graph import Operation, Tensor
from .ops.registry import OPS

__all__ = ["Plan", "RunContext", "fetch_value"]

_SMALL_ELEMENTS = 4096  # NOTE: freeing a tiny array early costs more than it saves.
_plan_ids = itertools.count()


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

    def __init__(self, fetches: Sequence[Any], feeds: Sequence[Tensor],
                 graph: Any = None) -> None:
        self.fetches = tuple(fetches)
        self.feeds = tuple(feeds)
        self.ops = _needed_ops(self.fetches, self.feeds)
        self.writes_state = any(op._type in _WRITERS for op in _all_kernels(self.ops))
        self.uses_context = any(OPS[op._type].uses_context for op in _all_kernels(self.ops)) or \
            any(_reads_variable(op, self.feeds) for op in self.fetches)
        builder = _CodeBuilder(self.fetches, self.feeds, self.ops)
        self._function, self._code, self._line_ops = builder.build(traced=False)
        self._builder = builder
        self._traced: Optional[Any] = None

    def run(self, feed_values: Sequence[Any], ctx: Optional[RunContext]) -> list:
        """Execute once; raises an OpError naming the failing op (and commits nothing)."""
        try:
            return self._function(ctx, *feed_values)
        except Exception as failure:
            self._raise_translated(failure, self._code, self._line_ops)

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

    def _raise_translated(self, failure: Exception, code: Any, line_ops: dict) -> None:
        op = _failing_op(failure, code, line_ops)
        if op is None or _already_located(failure):
            raise failure  # NOTE: a control-flow body already named its own failing op.
        if isinstance(failure, errors.OpError):
            message = failure.message
        else:
            message = f"{op.type} failed: {type(failure).__name__}: {failure}"
        cause = failure if op._type in _USER_CODE_OPS else None
        errors.raise_op_error(errors.error_class_for(failure), op, message, cause)


_WRITERS = frozenset({"Assign", "AssignAdd", "AssignSub"})
_NOT_STEPS = frozenset({"Const", "NoOp", "VariableV2"})
_USER_CODE_OPS = frozenset({"PyFunc"})


def _already_located(failure: Exception) -> bool:
    return isinstance(failure, errors.OpError) and "\n\t [[node " in failure.message


def _reads_variable(element: Any, feeds: Sequence[Tensor]) -> bool:
    return isinstance(element, Tensor) and element._op._type == "VariableV2" and \
        element not in feeds


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


# --- code generation -----------------------------------------------------------------------------

class _CodeBuilder:
    """Writes the plan as Python source: one line per step, then compiles it."""

    def __init__(self, fetches: tuple, feeds: tuple, ops: list) -> None:
        self.fetches = fetches
        self.feeds = feeds
        self.ops = ops
        self.feed_names = {t: f"f{i}" for i, t in enumerate(feeds)}
        self.fetched = {t for t in fetches if isinstance(t, Tensor)}

    def build(self, traced: bool) -> tuple:
        namespace: dict[str, Any] = {"_fetch": fetch_value, "_clock": time.perf_counter,
                                     "_nbytes": _output_bytes, "_ops": self.ops}
        lines: list[str] = []
        line_ops: dict[int, Operation] = {}
        last_use = self._last_uses()
        for position, op in enumerate(self.ops):
            statement = self._statement(op, namespace)
            if statement is None:
                continue
            if traced:
                lines.append("    _t0 = _clock()")
            line_ops[len(lines) + 2] = op
            lines.append("    " + statement)
            if traced:
                lines.append(f"    _stats.append((_ops[{position}], _t0, _clock() - _t0, "
                             f"_nbytes({self._result_names(op)})))")
            lines.extend(f"    del {name}" for name in last_use.get(position, ()))
        for fetch in self._fetched_variables():
            line_ops[len(lines) + 2] = fetch._op
            lines.append(f"    {self._name(fetch)} = {self._input_expression(fetch, namespace)}")
        results = ", ".join(self._fetch_expression(f, namespace) for f in self.fetches)
        lines.append(f"    return [{results}]")
        feed_args = "".join(f", {name}" for name in self.feed_names.values())
        stats_arg = ", _stats" if traced else ""
        filename = f"<session_magic plan {next(_plan_ids)}>"
        source = f"def _plan(ctx{stats_arg}{feed_args}):\n" + "\n".join(lines) + "\n"
        code = compile(source, filename, "exec")
        exec(code, namespace)
        function = namespace["_plan"]
        return function, function.__code__, line_ops

    def _statement(self, op: Operation, namespace: dict) -> Optional[str]:
        opdef = OPS[op._type]
        if op._type in _NOT_STEPS:
            return None  # NOTE: consts are inlined, reads happen at each use, NoOps only order.
        kernel_name = f"K{op._id}"
        namespace[kernel_name] = opdef.kernel(op)
        args = [self._input_expression(t, namespace) for i, t in enumerate(op._inputs)
                if not opdef.is_ref_input(i)]
        if opdef.uses_context:
            args.insert(0, "ctx")
        call = f"{kernel_name}({', '.join(args)})"
        return f"{self._result_names(op)} = {call}" if op._outputs else call

    def _fetched_variables(self) -> list:
        return [t for t in self.fetched
                if t._op._type == "VariableV2" and t not in self.feed_names]

    def _result_names(self, op: Operation) -> str:
        if OPS[op._type].multi_output:
            names = [self._name(t) for t in op._outputs]
            return "(" + ", ".join(names) + ",)" if len(names) == 1 else ", ".join(names)
        return self._name(op._outputs[0]) if op._outputs else "None"

    def _name(self, t: Tensor) -> str:
        return f"t{t._op._id}_{t._value_index}"

    def _input_expression(self, t: Tensor, namespace: dict) -> str:
        if t in self.feed_names:
            return self.feed_names[t]
        producer = t._op
        if producer._type == "Const":
            name = f"C{producer._id}"
            namespace[name] = producer._attrs["value"]
            return name
        if producer._type == "VariableV2":
            name = f"V{producer._id}"
            namespace[name] = producer
            return f"ctx.read({name})"
        return self._name(t)

    def _fetch_expression(self, fetch: Any, namespace: dict) -> str:
        if isinstance(fetch, Operation):
            return "None"
        if fetch in self._fetched_variables():
            return f"_fetch({self._name(fetch)})"
        return f"_fetch({self._input_expression(fetch, namespace)})"

    def _last_uses(self) -> dict[int, list[str]]:
        """For each step, the large intermediate values that no later step reads."""
        position_of = {id(op): i for i, op in enumerate(self.ops)}
        last: dict[Tensor, int] = {}
        for i, op in enumerate(self.ops):
            for t in op._inputs:
                if id(t._op) in position_of and t not in self.feed_names:
                    last[t] = i
        result: dict[int, list[str]] = {}
        for t, position in last.items():
            if t in self.fetched or t._op._type in _NOT_STEPS:
                continue
            if not _is_large(t._dims) or OPS[t._op._type].multi_output:
                continue
            result.setdefault(position, []).append(self._name(t))
        return result


def _is_large(dims: Any) -> bool:
    if dims is None or None in dims:
        return True
    count = 1
    for d in dims:
        count *= d
    return count > _SMALL_ELEMENTS


def _output_bytes(*values: Any) -> int:
    return sum(getattr(v, "nbytes", 0) for v in values)
