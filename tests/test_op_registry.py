"""Every registered op, checked against NumPy on its samples, with inference checked against
what the kernel produced for every op the sample built."""
from __future__ import annotations

from collections import defaultdict

import numpy as np
import pytest

import session_magic as sm
from session_magic.ops.registry import OPS

from .samples import Sample, all_samples

SAMPLES_BY_TYPE: dict[str, list[Sample]] = defaultdict(list)
for _sample in all_samples():
    SAMPLES_BY_TYPE[_sample.op_type].append(_sample)

MODES = ("constant", "placeholder", "unknown_shape")


def _inputs(arrays: list, mode: str) -> tuple[list, dict]:
    tensors, feeds = [], {}
    for i, array in enumerate(arrays):
        if mode == "constant":
            tensors.append(sm.constant(array, name=f"in{i}"))
            continue
        shape = None if mode == "unknown_shape" else array.shape
        t = sm.placeholder(sm.as_dtype(array.dtype), shape=shape, name=f"in{i}")
        tensors.append(t)
        feeds[t] = array
    return tensors, feeds


def _fetchable_outputs(graph: sm.Graph) -> list:
    return [t for op in graph.get_operations() for t in op.outputs
            if op.type not in ("Placeholder",)]


def _assert_matches(result, expected, sample: Sample, where: str) -> None:
    if isinstance(expected, (list, tuple)):
        assert isinstance(result, (list, tuple)) and len(result) == len(expected), where
        for r, e in zip(result, expected, strict=True):
            _assert_matches(r, e, sample, where)
        return
    expected = np.asarray(expected)
    result = np.asarray(result)
    assert result.shape == expected.shape, f"{where}: shape {result.shape} != {expected.shape}"
    if expected.dtype.kind in "fc":
        np.testing.assert_allclose(result, expected, rtol=sample.rtol, atol=sample.atol,
                                   err_msg=where)
    else:
        np.testing.assert_array_equal(result, expected, err_msg=where)


def _assert_inference_agrees(tensors: list, values: list, where: str) -> None:
    for t, value in zip(tensors, values, strict=True):
        value = np.asarray(value)
        assert value.dtype == np.dtype(t.dtype.as_numpy_dtype) or t.dtype == sm.string, (
            f"{where}: {t.name} inferred {t.dtype.name}, kernel gave {value.dtype}")
        assert t.shape.is_compatible_with(value.shape), (
            f"{where}: {t.name} inferred {t.shape}, kernel gave {value.shape}")


def run_sample(sample: Sample, mode: str) -> None:
    graph = sm.Graph()
    arrays = [np.asarray(a) for a in sample.inputs]
    where = f"{sample.op_type} {sample.label} ({mode})"
    with graph.as_default():
        tensors, feeds = _inputs(arrays, mode)
        output = sample.build(*tensors)
        assert any(op.type == sample.op_type for op in graph.get_operations()), (
            f"{where}: the sample built no {sample.op_type} op")
        with sm.Session(graph=graph) as sess:
            result = sess.run(output, feeds)
            everything = _fetchable_outputs(graph)
            _assert_inference_agrees(everything, sess.run(everything, feeds), where)
    if sample.expect is not None:
        _assert_matches(result, sample.expect(*arrays), sample, where)
    if sample.check is not None:
        sample.check(result)


@pytest.mark.parametrize("op_type", sorted(OPS))
def test_op_matches_numpy_and_its_inference(op_type: str) -> None:
    samples = SAMPLES_BY_TYPE.get(op_type)
    assert samples, f"op {op_type!r} is registered but has no sample in tests/samples/"
    for sample in samples:
        modes = MODES if sample.unknown_shapes else MODES[:2]
        modes = modes if sample.inputs else MODES[:1]
        for mode in sample.modes or modes:
            run_sample(sample, mode)


def test_every_sample_names_a_registered_op() -> None:
    unknown = sorted(set(SAMPLES_BY_TYPE) - set(OPS))
    assert not unknown, f"samples for unregistered op types: {unknown}"
