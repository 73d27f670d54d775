"""Every op declares its traits in its own registry block, and what it declares is true.

The executor, the session and the drawing read traits (`role`, `writes_state`, `pass_through`,
`reads_shape_only`, `runs_user_code`, `stateless_in_tf`, `static_value`, `partial_value`) and
keep no list of op types of their own. Here each op's declaration is checked against what its
kernel does on its samples, and `stateless_in_tf` against TF's own op registry.
"""
from __future__ import annotations

import ast
import json
import pathlib
import sys
from collections import defaultdict

import numpy as np
import pytest

import session_magic as sm
from session_magic.ops.known import constant_value, known_ints, partial_scalar, partial_vector
from session_magic.ops.registry import OPS, ROLES
from session_magic.plan import RunContext

from .samples import all_samples

PACKAGE = pathlib.Path(sm.__file__).parent
OP_DEFS = pathlib.Path(__file__).parent / "golden" / "data" / "op_defs.json"
SAMPLES_BY_TYPE: dict = defaultdict(list)
for _sample in all_samples():
    SAMPLES_BY_TYPE[_sample.op_type].append(_sample)
FLAGS = ("stateful", "uses_context", "multi_output", "writes_state", "pass_through",
         "reads_shape_only", "runs_user_code", "stateless_in_tf")


@pytest.mark.parametrize("op_type", sorted(OPS))
def test_every_op_declares_its_traits(op_type: str) -> None:
    opdef = OPS[op_type]
    assert opdef.type == op_type
    assert opdef.role in ROLES
    for flag in FLAGS:
        assert isinstance(getattr(opdef, flag), bool), f"{op_type}.{flag}"
    # NOTE: an infix operator is how a drawing writes a binary elementwise op's constant
    assert opdef.infix is None or (isinstance(opdef.infix, str) and 1 <= len(opdef.infix) <= 2
                                   and opdef.elementwise and opdef.broadcasts)
    for rule in ("static_value", "partial_value"):
        assert getattr(opdef, rule) is None or callable(getattr(opdef, rule)), f"{op_type}.{rule}"
    if opdef.writes_state:
        assert opdef.ref_inputs and opdef.uses_context and opdef.stateful
    if opdef.pass_through:
        assert not opdef.multi_output and not opdef.stateful
    if opdef.role in ("const", "variable", "placeholder"):
        assert not opdef.multi_output


def test_a_writer_must_name_its_variable() -> None:
    with pytest.raises(ValueError, match="writes state"):
        sm.ops.registry.OpDef("Writer", lambda inputs, attrs: [], lambda op: None,
                              writes_state=True)
    with pytest.raises(ValueError, match="role"):
        sm.ops.registry.OpDef("Odd", lambda inputs, attrs: [], lambda op: None, role="leaf")


def test_stateless_in_tf_is_what_tf_op_registry_says() -> None:
    recorded = json.loads(OP_DEFS.read_text())["is_stateful"]
    wrong = {op_type: recorded[op_type] for op_type, opdef in OPS.items() if op_type in recorded
             and (opdef.stateful and not opdef.stateless_in_tf) != recorded[op_type]}
    assert not wrong, f"TF's op defs say is_stateful={wrong}"


# --- declarations against behaviour, on every sample ---------------------------------------------

def _sample_graphs() -> list:
    return [pytest.param(sample, id=f"{op_type}-{sample.label or 'basic'}-{i}")
            for op_type in sorted(SAMPLES_BY_TYPE)
            for i, sample in enumerate(SAMPLES_BY_TYPE[op_type])]


def _built(sample):
    """The sample's graph, its output and its feeds: inputs as constants, or as fed
    placeholders for a sample that is only ever fed."""
    graph, feeds = sm.Graph(), {}
    fed = sample.modes is not None and "constant" not in sample.modes
    with graph.as_default():
        tensors = []
        for i, array in enumerate(np.asarray(a) for a in sample.inputs):
            if fed:
                tensors.append(sm.placeholder(sm.as_dtype(array.dtype), array.shape, f"in{i}"))
                feeds[tensors[-1]] = array
            else:
                tensors.append(sm.constant(array, name=f"in{i}"))
        output = sample.build(*tensors)
    return graph, output, feeds


def _recording_writers(monkeypatch) -> set:
    """The code objects of the kernels that write a variable while the test runs."""
    callers: set = set()
    write = RunContext.write

    def recorded(self, variable, value):
        callers.add(sys._getframe(1).f_code)
        return write(self, variable, value)
    monkeypatch.setattr(RunContext, "write", recorded)
    return callers


@pytest.mark.parametrize("sample", _sample_graphs())
def test_declared_traits_hold_on_the_samples(sample, monkeypatch) -> None:
    graph, output, feeds = _built(sample)
    writers = _recording_writers(monkeypatch)
    with sm.Session(graph=graph) as sess:
        sess.run(output, feeds)
        ops = graph.get_operations()
        tensors = [t for op in ops for t in op.outputs]
        values = dict(zip(tensors, sess.run(tensors, feeds), strict=True))
    for op in ops:
        opdef = OPS[op.type]
        kernel_code = getattr(opdef.kernel(op), "__code__", None) if opdef.uses_context else None
        assert (kernel_code in writers) <= opdef.writes_state, \
            f"{op.type} writes a variable but does not declare writes_state"
        # NOTE: a read of a variable gives its value at the read's place in the run, the
        # variable fetched itself its value at the end
        if opdef.pass_through and OPS[op.inputs[0].op.type].role != "variable":
            assert values[op.outputs[0]] is values[op.inputs[0]] or np.array_equal(
                values[op.outputs[0]], values[op.inputs[0]])
        if opdef.reads_shape_only:
            _assert_reads_shapes_only(op, [values[t] for t in op.inputs])
        for t in op.outputs:
            _assert_known_values_hold(t, values[t])
    declared = [op.type for op in ops if OPS[op.type].writes_state]
    if declared:
        assert writers, f"{declared} declare writes_state, but nothing was written"


def _assert_reads_shapes_only(op, arrays: list) -> None:
    kernel = OPS[op.type].kernel(op)
    other = [np.ones_like(a) if np.asarray(a).dtype.kind != "O" else a for a in arrays]
    first, second = kernel(*arrays), kernel(*other)
    if not OPS[op.type].multi_output:
        first, second = [first], [second]
    for mine, theirs in zip(first, second, strict=True):
        np.testing.assert_array_equal(mine, theirs,
                                      err_msg=f"{op.type} reads more than its inputs' shapes")


def _assert_known_values_hold(t, value) -> None:
    known = constant_value(t)
    if known is not None:
        np.testing.assert_array_equal(known, value, err_msg=f"static value of {t.name}")
    if not t.dtype.is_integer or t.shape.ndims not in (0, 1):
        return
    partial = known_ints(partial_vector(t)) if t.shape.ndims == 1 else [partial_scalar(t)]
    for entry, actual in zip(partial or (), np.reshape(value, -1), strict=False):
        assert not isinstance(entry, int) or entry == actual, f"partial value of {t.name}"


# --- no module keeps its own list of op types ----------------------------------------------------

def _registered_in(module: str) -> set:
    """The op types whose blocks are in `module` (their rules are defined there)."""
    return {op_type for op_type, opdef in OPS.items()
            if module in (opdef.kernel.__module__, opdef.infer.__module__)}


def _literal_op_type_lists(path: pathlib.Path) -> list:
    """(line, names) of each set, list, tuple or dict literal holding two or more strings that
    are all registered op types, some of them in another module's blocks (a module registering
    its own ops in a loop lists them; nobody else may)."""
    module = "session_magic." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts)
    own = _registered_in(module)
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        items = node.keys if isinstance(node, ast.Dict) else \
            node.elts if isinstance(node, (ast.Set, ast.List, ast.Tuple)) else None
        if not items:
            continue
        names = [item.value for item in items
                 if isinstance(item, ast.Constant) and isinstance(item.value, str)]
        if len(names) == len(items) >= 2 and all(name in OPS for name in names) and \
                not all(name in own for name in names):
            found.append((node.lineno, names))
    return found


def test_no_module_keeps_a_list_of_op_types() -> None:
    offenders = {str(path.relative_to(PACKAGE)): found for path in sorted(PACKAGE.rglob("*.py"))
                 for found in [_literal_op_type_lists(path)] if found}
    assert not offenders, f"op-type lists outside the op blocks (declare a trait): {offenders}"


def test_the_drawing_styles_writers_by_trait_not_by_name() -> None:
    from session_magic.render.dot import _kind
    graph = sm.Graph()
    with graph.as_default():
        v = sm.Variable(np.zeros((4, 2), np.float32), name="v")
        scattered = sm.scatter_nd([[1]], [[1.0, 2.0]], [4, 2], name="scatter_nd")
        update = sm.scatter_update(v, [1], [[1.0, 2.0]], name="update")
        sm.while_loop(lambda i: i < 3, lambda i: i + 1, [0], name="loop")
    loop = next(op for op in graph.get_operations() if op.type.endswith("While"))
    assert _kind(scattered.op) == "op"  # NOTE: pure, though its name starts with "Scatter"
    assert _kind(update.op) == "state"
    assert _kind(v.op) == "variable"
    assert _kind(loop) == "control"
