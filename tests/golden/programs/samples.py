"""The op registry's samples (tests/samples/), each run in tests/test_op_registry.py's input
modes (inputs as constants, fed to placeholders of known shape, fed to placeholders of unknown
shape), comparing values and static shapes, and differentiated as tests/test_gradient_registry.py
does it (float64 placeholders, a fixed weighted sum of the float outputs, `tf.gradients`).

The samples are written against `sm.<name>`; the recorder imports them with `session_magic` bound
to TF's compat.v1 (see record.py), so the same builders make TF graphs. A sample is keyed by its
op type, label and position among samples of that op type and label.
"""
from __future__ import annotations

import hashlib
from collections import Counter
from typing import Any

import numpy as np

from ..harness import Program, is_variable

MODES = ("constant", "placeholder", "unknown_shape")  # inputs as constants or fed placeholders

# Samples TF cannot run as written, or which differ from TF on purpose: key -> reason. A key
# names a sample ("Op[label]") or one of its programs ("Op[label]:constant", ":placeholder",
# ":unknown_shape", ":gradient").
NOT_RECORDABLE = {
    "SumToShape[]": "session_magic-internal op (the gradient walker's un-broadcast); TF has none",
    "Round[int32 kernel]": "TF 2.21's raw Round kernel returns zeros for int32 (a TF bug; "
                           "tf.round passes ints through, as session_magic's kernel does)",
    "PrintV2[]": "TF's tf.print takes sys.stdout/sys.stderr, a logging function or a 'file://' "
                 "path as output_stream (else ValueError); session_magic also takes any text "
                 "stream, io.StringIO here",
    "AccumulateNV2[as TF 1 graphs hold it]": "the recorder's stand-in for apply_op cannot call "
                                             "TF's raw AccumulateNV2 (a list input and a shape "
                                             "attr); TF 2's accumulate_n builds an AddN, checked "
                                             "by AddN[accumulate_n, an AddN as in TF 2]",
    **{f"{op}[]": "the builder hands session_magic's training op the variables' internal refs "
                  "(`Variable._variable_ref()`), which TF's variables do not have; the optimizers "
                  "topic checks sparse updates through the public API"
       for op in ("SparseApplyMomentum", "SparseApplyAdagrad", "SparseApplyRMSProp",
                  "SparseApplyCenteredRMSProp")},
    "SoftmaxCrossEntropyWithLogits[loss and backprop]":
        "the builder fetches `loss.op.outputs`; in TF 2 the loss comes out of a Reshape, so "
        "TF's list is that Reshape's one output, not the op's loss and backprop",
    "SparseSoftmaxCrossEntropyWithLogits[int64 labels, loss and backprop]:unknown_shape":
        "as above: with logits of unknown rank TF reshapes the loss, so `.op` is a Reshape",
}

# Op types whose samples are recorded with TF1's ref variables, session_magic's layout (TF2's
# resource variables keep a validate_shape=False variable's shape, TF1's lose it).
REF_VARIABLES = ("VariableV2", "Assign", "AssignAdd", "AssignSub", "IsVariableInitialized",
                 "ReportUninitializedVariables", "ScatterUpdate", "ScatterAdd", "ScatterSub",
                 "ScatterMul", "ScatterMax", "ScatterMin")


def programs() -> list[Program]:
    table = []
    for key, sample in keyed_samples().items():
        if key not in NOT_RECORDABLE:
            table.extend(_programs_of(sample, key))
    return [p for p in table if p.name not in NOT_RECORDABLE]


def not_recordable() -> dict:
    """Every sample or sample program left out, with the reason."""
    return dict(NOT_RECORDABLE)


def stale_exclusions() -> list[str]:
    """Keys of NOT_RECORDABLE that name no sample any more."""
    keys = set(keyed_samples())
    programs_of_keys = {f"{k}:{mode}" for k in keys for mode in MODES + ("gradient",)}
    return [k for k in NOT_RECORDABLE if k not in keys | programs_of_keys]


def keyed_samples() -> dict:
    """Every sample by its key: op type, label, and a "#n" for the n-th repeat of both."""
    # NOTE: imported here, not at module level: the recorder first binds session_magic to TF.
    from tests.samples import all_samples

    keyed, seen = {}, Counter()
    for sample in all_samples():
        base = f"{sample.op_type}[{sample.label}]"
        keyed[base if not seen[base] else f"{base}#{seen[base]}"] = sample
        seen[base] += 1
    return keyed


def _programs_of(sample: Any, key: str) -> list[Program]:
    tolerances = {"rtol": max(sample.rtol, 1e-5), "atol": max(sample.atol, 1e-6)}
    shapes_only = sample.expect is None  # NOTE: random ops: their streams differ from TF's
    tags = {"op_type": sample.op_type}
    tolerances["ref_variables"] = sample.op_type in REF_VARIABLES
    found = [Program(f"{key}:{mode}", _values(sample, mode), shapes_only=shapes_only,
                     tags=tags, **tolerances) for mode in _value_modes(sample)]
    if sample.grad_check and any(np.asarray(a).dtype.kind == "f" for a in sample.inputs):
        # NOTE: float64 gradients of float32 kernels' samples: 1e-6 is float64's checking slack.
        found.append(Program(f"{key}:gradient", _gradient(sample), rtol=1e-6, atol=1e-9,
                             tags=tags, ref_variables=tolerances["ref_variables"]))
    return found


def _value_modes(sample: Any) -> list[str]:
    """tests/test_op_registry.py's input modes for this sample."""
    if not sample.inputs:
        return ["constant"]
    if sample.modes:
        return list(sample.modes)
    return list(MODES if sample.unknown_shapes else MODES[:2])


def _fingerprint(arrays: list) -> str:
    """Which inputs were recorded: a changed sample must be re-recorded, not half-compared."""
    digest = hashlib.sha256()
    for a in arrays:
        digest.update(f"{a.dtype.str}{a.shape}".encode())
        data = repr(a.tolist()) if a.dtype.kind == "O" else np.ascontiguousarray(a).tobytes()
        digest.update(data if isinstance(data, bytes) else data.encode())
    return digest.hexdigest()[:16]


def _values(sample: Any, mode: str):
    def build(tf: Any) -> dict:
        arrays = [np.asarray(a) for a in sample.inputs]
        tensors, feed = [], {}
        for i, array in enumerate(arrays):
            if mode == "constant":
                tensors.append(tf.constant(array, name=f"in{i}"))
                continue
            shape = None if mode == "unknown_shape" else array.shape
            t = tf.placeholder(_dtype(tf, array), shape=shape, name=f"in{i}")
            tensors.append(t)
            feed[t] = array
        return {"fetch": sample.build(*tensors), "feed": feed, "initialize": False,
                "python": {"inputs": _fingerprint(arrays)}}
    return build


def _dtype(tf: Any, array: np.ndarray) -> Any:
    return tf.string if array.dtype.kind in "OSU" else tf.as_dtype(array.dtype)


def _gradient(sample: Any):
    def build(tf: Any) -> dict:
        arrays = [np.asarray(a) for a in sample.inputs]
        tensors, feed = [], {}
        for i, array in enumerate(arrays):
            if array.dtype.kind == "f":
                t = tf.placeholder(tf.float64, array.shape, name=f"x{i}")
                feed[t] = array.astype(np.float64)
            else:
                t = tf.constant(array, name=f"c{i}")
            tensors.append(t)
        output = sample.build(*tensors)
        items = output if isinstance(output, (list, tuple)) else [output]
        # NOTE: TF2's tf.assign gives a variable-like value where TF1 gave a tensor.
        items = [tf.convert_to_tensor(t) if is_variable(t) else t for t in items]
        outputs = [t for t in items if isinstance(t, tf.Tensor) and t.dtype.is_floating]
        python = {"inputs": _fingerprint(arrays)}
        if not outputs:
            return {"python": {**python, "float_outputs": 0}}
        loss = tf.add_n([tf.reduce_sum(o * _weights(tf, o)) for o in outputs])
        xs = list(feed)
        grads = tf.gradients(loss, xs)
        python["unconnected"] = [i for i, g in enumerate(grads) if g is None]
        dense = [tf.zeros_like(x) if g is None else tf.convert_to_tensor(g)
                 for g, x in zip(grads, xs, strict=True)]
        static = {f"grad{i}": g for i, g in enumerate(grads) if g is not None}
        return {"fetch": {"loss": loss, "grads": dense}, "feed": feed, "static": static,
                "initialize": False, "python": python}
    return build


def _weights(tf: Any, output: Any) -> Any:
    """Fixed, unequal weights of `output`'s shape, made in the graph (known or not)."""
    count = tf.cast(tf.range(tf.size(output)), output.dtype)
    return tf.reshape(tf.cos(count * 1.3 + 0.5), tf.shape(output))
