"""Convolution and pooling as TF 1 programs write them: every `tf.nn` conv and pool builder's
values, static shapes and float32 gradients (dilated convolutions and 3-D pools included, whose
float64 gradients TF's CPU kernels lack), the op lists of the composite builders, build-time
errors for bad arguments, and a LeNet-style network's loss, gradients and training steps."""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..harness import Program


def _values(*shape: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.uniform(-1.0, 1.0, size=shape).astype(np.float32)


def _with_gradients(shapes: list, build: Callable, gradients: bool = True,
                    names: bool = True) -> Callable:
    """build(tf, *placeholders), and the gradient of a fixed weighted sum of it for each input."""
    def program(tf: Any) -> dict:
        arrays = [_values(*s, seed=i) for i, s in enumerate(shapes)]
        places = [tf.placeholder(tf.float32, a.shape, name=f"x{i}")
                  for i, a in enumerate(arrays)]
        out = build(tf, *places)
        fetch = {"out": out}
        if gradients:
            weights = tf.constant(_values(*out.shape.as_list(), seed=99))
            grads = tf.gradients(tf.reduce_sum(out * weights), places)
            fetch.update({f"d/dx{i}": g for i, g in enumerate(grads)})
        spec = {"fetch": fetch, "feed": dict(zip(places, arrays, strict=True)),
                "static": {"out": out}}
        return {**spec, "names": {"out": out}} if names else spec
    return program


def _op_list(shapes: list, build: Callable) -> Callable:
    def program(tf: Any) -> dict:
        places = [tf.placeholder(tf.float32, s, name=f"x{i}") for i, s in enumerate(shapes)]
        out = build(tf, *places)
        return {"fetch": out, "feed": {p: _values(*s, seed=i) for i, (p, s) in
                                       enumerate(zip(places, shapes, strict=True))}, "ops": True}
    return program


_IMAGE, _FILTER = [2, 7, 6, 3], [3, 2, 3, 4]

_GRADIENTS = {
    "conv2d SAME strides 2": ([_IMAGE, _FILTER],
                              lambda tf, x, w: tf.nn.conv2d(x, w, [1, 2, 2, 1], "SAME")),
    "conv2d VALID": ([_IMAGE, _FILTER], lambda tf, x, w: tf.nn.conv2d(x, w, 1, "VALID")),
    "conv2d explicit padding": ([_IMAGE, _FILTER], lambda tf, x, w: tf.nn.conv2d(
        x, w, [1, 1, 2, 1], [[0, 0], [2, 1], [0, 3], [0, 0]])),
    "conv2d dilations": ([_IMAGE, _FILTER], lambda tf, x, w: tf.nn.conv2d(
        x, w, 1, "SAME", dilations=[1, 2, 3, 1])),
    "conv2d filters keyword": ([_IMAGE, _FILTER],
                               lambda tf, x, w: tf.nn.conv2d(x, filters=w, strides=1,
                                                             padding="SAME")),
    "conv1d": ([[2, 9, 3], [3, 3, 5]], lambda tf, x, w: tf.nn.conv1d(x, w, 2, "SAME")),
    "conv1d value keyword, dilated": ([[2, 9, 3], [2, 3, 5]], lambda tf, x, w: tf.nn.conv1d(
        value=x, filters=w, stride=1, padding="VALID", dilations=2)),
    "conv2d_transpose": ([[2, 4, 3, 5], [3, 3, 2, 5]], lambda tf, x, w: tf.nn.conv2d_transpose(
        x, w, [2, 8, 6, 2], [1, 2, 2, 1], "SAME")),
    "conv2d_transpose VALID": ([[2, 4, 3, 5], [3, 3, 2, 5]],
                               lambda tf, x, w: tf.nn.conv2d_transpose(
                                   x, w, [2, 9, 7, 2], [1, 2, 2, 1], "VALID")),
    "conv1d_transpose": ([[2, 4, 5], [3, 3, 5]], lambda tf, x, w: tf.nn.conv1d_transpose(
        x, w, [2, 8, 3], 2, "SAME")),
    "conv3d_transpose": ([[1, 2, 3, 2, 3], [2, 3, 2, 2, 3]],
                         lambda tf, x, w: tf.nn.conv3d_transpose(
                             x, w, [1, 4, 5, 4, 2], [1, 2, 2, 2, 1], "SAME")),
    "depthwise_conv2d_native_backprop_input": (
        [[2, 7, 6, 6], [3, 3, 3, 2]],
        lambda tf, dy, w: tf.nn.depthwise_conv2d_native_backprop_input(
            [2, 7, 6, 3], w, dy, [1, 1, 1, 1], "SAME")),
    "depthwise_conv2d": ([_IMAGE, [3, 3, 3, 2]], lambda tf, x, w: tf.nn.depthwise_conv2d(
        x, w, [1, 1, 1, 1], "SAME")),
    "depthwise_conv2d strides 2 VALID": ([_IMAGE, [2, 2, 3, 2]],
                                         lambda tf, x, w: tf.nn.depthwise_conv2d(
                                             x, w, [1, 2, 2, 1], "VALID")),
    "depthwise_conv2d rate 2": ([[2, 8, 8, 3], [3, 3, 3, 2]],
                                lambda tf, x, w: tf.nn.depthwise_conv2d(
                                    x, w, [1, 1, 1, 1], "VALID", rate=[2, 2])),
    "separable_conv2d": ([_IMAGE, [3, 3, 3, 2], [1, 1, 6, 4]],
                         lambda tf, x, dw, pw: tf.nn.separable_conv2d(
                             x, dw, pw, [1, 1, 1, 1], "SAME")),
    "convolution": ([_IMAGE, _FILTER], lambda tf, x, w: tf.nn.convolution(x, w, "SAME")),
    "convolution dilation_rate": ([[2, 9, 9, 3], _FILTER], lambda tf, x, w: tf.nn.convolution(
        x, w, "VALID", dilation_rate=[2, 2])),
    "atrous_conv2d": ([[2, 8, 8, 3], _FILTER],
                      lambda tf, x, w: tf.nn.atrous_conv2d(x, w, 2, "SAME")),
    "max_pool SAME": ([_IMAGE], lambda tf, x: tf.nn.max_pool(x, 2, 2, "SAME")),
    "max_pool overlapping": ([_IMAGE], lambda tf, x: tf.nn.max_pool(
        x, [1, 3, 3, 1], [1, 1, 2, 1], "VALID")),
    "max_pool explicit padding": ([_IMAGE], lambda tf, x: tf.nn.max_pool(
        x, 3, 2, [[0, 0], [1, 1], [2, 0], [0, 0]])),
    "max_pool2d": ([_IMAGE], lambda tf, x: tf.nn.max_pool2d(x, 3, 2, "SAME")),
    "avg_pool SAME": ([_IMAGE], lambda tf, x: tf.nn.avg_pool(x, 3, 2, "SAME")),
    "avg_pool VALID": ([_IMAGE], lambda tf, x: tf.nn.avg_pool(x, [1, 2, 3, 1], [1, 2, 1, 1],
                                                              "VALID")),
    "avg_pool2d": ([_IMAGE], lambda tf, x: tf.nn.avg_pool2d(x, 2, 2, "SAME")),
    "pool MAX": ([_IMAGE], lambda tf, x: tf.nn.pool(x, [2, 2], "MAX", "SAME", strides=[2, 2])),
    "pool AVG 1-D": ([[2, 9, 3]], lambda tf, x: tf.nn.pool(x, [3], "AVG", "SAME", strides=[2])),
    "conv3d": ([[1, 4, 5, 4, 2], [2, 3, 2, 2, 3]], lambda tf, x, w: tf.nn.conv3d(
        x, w, [1, 2, 1, 2, 1], "SAME")),
    "max_pool3d": ([[1, 4, 5, 4, 2]], lambda tf, x: tf.nn.max_pool3d(
        x, [1, 2, 2, 2, 1], [1, 2, 1, 2, 1], "SAME")),
    "avg_pool3d": ([[1, 4, 5, 4, 2]], lambda tf, x: tf.nn.avg_pool3d(
        x, [1, 2, 3, 2, 1], [1, 1, 2, 2, 1], "SAME")),
}

# NOTE: without oneDNN (as recorded) TF's CPU kernels have no dilated Conv2D backprop: values only
_VALUES_ONLY = ("conv2d dilations", "conv1d value keyword, dilated")
# NOTE: TF wraps these in SpaceToBatchND (docs/differences.md): values and gradients compared,
# not the result's name; TF's gradients through its SpaceToBatchND check the dilated backprops
_SPACE_TO_BATCH = ("depthwise_conv2d rate 2", "convolution dilation_rate", "atrous_conv2d")
# NOTE: TF's depthwise, separable and pool add unused Shape and dilation_rate Consts
_OP_LISTS = ("conv2d SAME strides 2", "conv2d explicit padding", "conv1d", "conv2d_transpose",
             "conv1d_transpose", "conv3d_transpose",
             "max_pool SAME", "max_pool2d", "avg_pool SAME", "conv3d", "max_pool3d")


def _max_pool_ties(tf: Any) -> dict:
    """Ties inside a window: the gradient goes to the first maximum in row-major order."""
    x = tf.placeholder(tf.float32, [1, 4, 4, 1], name="x")
    out = tf.nn.max_pool(x, 2, 2, "VALID")
    values = np.array([[1, 3, 3, 0], [3, 2, 1, 1], [0, 0, 5, 5], [0, 0, 5, 5]], np.float32)
    return {"fetch": {"out": out, "grad": tf.gradients(out, x)[0]},
            "feed": {x: values.reshape(1, 4, 4, 1)}}


def _partly_known(tf: Any) -> dict:
    """Static shapes through conv and pool when some spatial sizes are known only when fed."""
    x = tf.placeholder(tf.float32, [None, 28, None, 1], name="x")
    conv = tf.nn.conv2d(x, np.ones([5, 5, 1, 4], np.float32), [1, 2, 1, 1], "VALID")
    pool = tf.nn.max_pool(conv, 2, 2, "SAME")
    back = tf.gradients(tf.reduce_sum(pool), x)[0]
    return {"fetch": [conv, pool, back], "feed": {x: np.ones([2, 28, 9, 1], np.float32)},
            "static": {"conv": conv, "pool": pool, "back": back}}


def _bad(build: Callable) -> Callable:
    def program(tf: Any) -> dict:
        x = tf.placeholder(tf.float32, [2, 8, 8, 3], name="x")
        return {"fetch": build(tf, x)}
    return program


_W = np.ones([3, 3, 3, 4], np.float32)

_BAD = {
    "bad: conv2d input of rank 3": lambda tf, x: tf.nn.conv2d(x[0], _W, 1, "SAME"),
    "bad: conv2d channels differ": lambda tf, x: tf.nn.conv2d(
        x, np.ones([3, 3, 5, 4], np.float32), 1, "SAME"),
    "bad: conv2d padding FULL": lambda tf, x: tf.nn.conv2d(x, _W, 1, "FULL"),
    "bad: conv2d data_format NWHC": lambda tf, x: tf.nn.conv2d(x, _W, 1, "SAME",
                                                               data_format="NWHC"),
    "bad: conv2d strides of length 3": lambda tf, x: tf.nn.conv2d(x, _W, [1, 1, 1], "SAME"),
    "bad: conv2d padding EXPLICIT string": lambda tf, x: tf.nn.conv2d(x, _W, 1, "EXPLICIT"),
    "bad: conv2d VALID window larger than input": lambda tf, x: tf.nn.conv2d(
        x, np.ones([9, 9, 3, 1], np.float32), 1, "VALID"),
    "bad: conv1d data_format NHW": lambda tf, x: tf.nn.conv1d(x[0], _W[0], 1, "SAME",
                                                              data_format="NHW"),
    "bad: max_pool padding lowercase": lambda tf, x: tf.nn.max_pool(x, 2, 2, "same"),
    "bad: avg_pool explicit padding": lambda tf, x: tf.nn.avg_pool(
        x, 2, 2, [[0, 0], [1, 1], [1, 1], [0, 0]]),
    "bad: conv2d_transpose channels differ": lambda tf, x: tf.nn.conv2d_transpose(
        x, np.ones([3, 3, 5, 4], np.float32), [2, 8, 8, 5], [1, 1, 1, 1]),
}


def _fed(shape: list, build: Callable) -> Callable:
    """A placeholder of unknown shape fed an array of `shape` that the op cannot take."""
    def program(tf: Any) -> dict:
        x = tf.placeholder(tf.float32, name="x")
        return {"fetch": build(tf, x), "feed": {x: np.ones(shape, np.float32)}}
    return program


_FED = {
    "fed: conv2d input of rank 3": ([8, 8, 3], lambda tf, x: tf.nn.conv2d(x, _W, 1, "SAME")),
    "fed: conv2d channels differ": ([1, 8, 8, 2], lambda tf, x: tf.nn.conv2d(x, _W, 1, "SAME")),
    # NOTE: TF's kernels give garbage for a fed input just below the window ([1, 2, 2, 3] here
    # comes back as is); one that leaves a negative size is TF's InvalidArgumentError
    "fed: conv2d VALID input smaller than the filter": (
        [1, 1, 1, 3], lambda tf, x: tf.nn.conv2d(x, _W, 1, "VALID")),
    "fed: max_pool input of rank 2": ([4, 4], lambda tf, x: tf.nn.max_pool(x, 2, 2, "SAME")),
}


def _lenet_weights() -> list:
    return [_values(5, 5, 1, 4, seed=1) * 0.5, _values(3, 3, 4, 6, seed=2) * 0.5,
            _values(24, 3, seed=3) * 0.5]


def _lenet_loss(tf: Any, x: Any, w1: Any, w2: Any, w3: Any) -> tuple:
    h = tf.nn.max_pool(tf.nn.relu(tf.nn.conv2d(x, w1, [1, 1, 1, 1], "SAME")), [1, 2, 2, 1],
                       [1, 2, 2, 1], "SAME")
    h = tf.nn.max_pool(tf.nn.conv2d(h, w2, [1, 1, 1, 1], "VALID"), 2, 2, "VALID")
    logits = tf.matmul(tf.reshape(h, [-1, 2 * 2 * 6]), w3)
    labels = tf.constant(np.eye(3, dtype=np.float32)[[0, 2, 1]])
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels,
                                                                     logits=logits))
    return logits, loss


def _lenet_gradients(tf: Any) -> dict:
    """A LeNet-style forward pass and the gradient of its loss for the input and each weight."""
    arrays = [_values(3, 12, 12, 1, seed=0)] + _lenet_weights()
    places = [tf.placeholder(tf.float32, a.shape, name=f"p{i}") for i, a in enumerate(arrays)]
    logits, loss = _lenet_loss(tf, *places)
    grads = tf.gradients(loss, places)
    return {"fetch": {"logits": logits, "loss": loss, "grads": grads},
            "feed": dict(zip(places, arrays, strict=True)), "static": {"logits": logits}}


def _lenet_training(tf: Any) -> dict:
    """Five gradient-descent steps on the same network with variables; the loss each step."""
    x = tf.placeholder(tf.float32, [3, 12, 12, 1], name="x")
    weights = [tf.Variable(w, name=f"w{i}") for i, w in enumerate(_lenet_weights())]
    _, loss = _lenet_loss(tf, x, *weights)
    step = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
    return {"fetch": [loss, weights[0]], "step": step, "runs": 5,
            "feed": {x: _values(3, 12, 12, 1, seed=0)}}


def programs() -> list[Program]:
    table = [Program(f"gradients: {name}", _with_gradients(
        shapes, build, name not in _VALUES_ONLY, name not in _SPACE_TO_BATCH), rtol=1e-4,
        atol=1e-5) for name, (shapes, build) in _GRADIENTS.items()]
    table.extend(Program(f"ops: {name}", _op_list(*_GRADIENTS[name])) for name in _OP_LISTS)
    table.append(Program("max_pool ties: first maximum gets the gradient", _max_pool_ties))
    table.append(Program("static shapes of partly known spatial sizes", _partly_known))
    table.extend(Program(name, _bad(build)) for name, build in _BAD.items())
    table.extend(Program(name, _fed(shape, build)) for name, (shape, build) in _FED.items())
    table.append(Program("lenet: logits, loss and gradients", _lenet_gradients, rtol=1e-4,
                         atol=1e-5))
    table.append(Program("lenet: five training steps", _lenet_training, rtol=1e-4, atol=1e-5,
                         ignore=("ops",), note="variables: TF 2 records resource variables"))
    return table
