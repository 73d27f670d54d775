"""Every differentiable op's gradient rule, checked against central finite differences (float64)
on its registry samples. An op with a rule but no checkable sample fails the suite."""
from collections import defaultdict

import numpy as np
import pytest

import session_magic as tf
from session_magic.ops.registry import NOT_DIFFERENTIABLE, OPS

from .samples import Sample, all_samples

DIFFERENTIABLE = sorted(t for t, opdef in OPS.items()
                        if opdef.grad is not NOT_DIFFERENTIABLE and opdef.grad is not None
                        and not getattr(opdef.grad, "declines", False))
SAMPLES: dict[str, list[Sample]] = defaultdict(list)
for _sample in all_samples():
    SAMPLES[_sample.op_type].append(_sample)

EPSILON = 1e-6
MAX_ELEMENTS = 24


def _is_float(array) -> bool:
    return np.asarray(array).dtype.kind == "f"


def _checkable(sample: Sample) -> bool:
    return sample.grad_check and any(_is_float(a) for a in sample.inputs)


def _float_outputs(output) -> list:
    items = output if isinstance(output, (list, tuple)) else [output]
    return [t for t in items if isinstance(t, tf.Tensor) and t.dtype.is_floating]


def _build(sample: Sample):
    """Graph, float64 placeholders, the feed, and a scalar loss weighting every float output."""
    graph = tf.Graph()
    with graph.as_default():
        tensors, feeds = [], {}
        for i, array in enumerate(sample.inputs):
            array = np.asarray(array)
            if _is_float(array):
                array = array.astype(np.float64)
                t = tf.placeholder(tf.float64, array.shape, name=f"x{i}")
                feeds[t] = array
            else:
                t = tf.constant(array, name=f"c{i}")
            tensors.append(t)
        outputs = _float_outputs(sample.build(*tensors))
        if not outputs:
            return None
        with tf.Session(graph=graph) as sess:
            shapes = [np.shape(v) for v in sess.run(outputs, feeds)]
        rng = np.random.default_rng(7)
        loss = tf.add_n([tf.reduce_sum(o * tf.constant(rng.normal(size=s), o.dtype))
                         for o, s in zip(outputs, shapes, strict=True)])
    return graph, feeds, loss


def _numeric(sess, loss, feeds, x, index) -> float:
    changed = {k: v.copy() for k, v in feeds.items()}
    changed[x][index] += EPSILON
    up = sess.run(loss, changed)
    changed[x][index] -= 2 * EPSILON
    return (up - sess.run(loss, changed)) / (2 * EPSILON)


def check_gradient(sample: Sample) -> bool:
    """Compare with finite differences; False when the sample has no floating output."""
    built = _build(sample)
    if built is None:
        return False
    graph, feeds, loss = built
    xs = list(feeds)
    with graph.as_default():
        grads = tf.gradients(loss, xs)
    with tf.Session(graph=graph) as sess:
        # NOTE: a gather's gradient is an IndexedSlices; compared as the dense tensor it means
        analytic = sess.run([tf.convert_to_tensor(g) if g is not None else tf.zeros_like(x)
                             for g, x in zip(grads, xs, strict=True)], feeds)
        rng = np.random.default_rng(3)
        for x, grad in zip(xs, analytic, strict=True):
            indices = list(np.ndindex(feeds[x].shape))
            if len(indices) > MAX_ELEMENTS:
                indices = [indices[i] for i in rng.choice(len(indices), MAX_ELEMENTS, False)]
            for index in indices:
                expected = _numeric(sess, loss, feeds, x, index)
                np.testing.assert_allclose(np.asarray(grad)[index], expected, rtol=1e-4,
                                           atol=1e-6, err_msg=f"{sample.op_type} {sample.label}"
                                           f" d/d{x.op.name}{list(index)}")
    return True


@pytest.mark.parametrize("op_type", DIFFERENTIABLE)
def test_gradient_matches_finite_differences(op_type: str) -> None:
    checked = [check_gradient(s) for s in SAMPLES.get(op_type, []) if _checkable(s)]
    assert any(checked), (f"op {op_type!r} has a gradient rule but no sample with a floating "
                          "input and output to check it against finite differences")


def test_no_registered_op_leaves_its_gradient_undeclared() -> None:
    undeclared = sorted(t for t, opdef in OPS.items() if opdef.grad is None)
    assert not undeclared, ("ops with grad=None (neither a rule nor NOT_DIFFERENTIABLE): "
                            f"{undeclared}")
