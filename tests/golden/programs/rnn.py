"""Recurrent networks: TensorArray programs, map_fn/scan/foldl/foldr, the rnn_cell cells under
dynamic_rnn, static_rnn and bidirectional_dynamic_rnn: values, final states, gradients with
respect to every variable and the inputs, and the variables' names and shapes. Weights come
from a deterministic initializer, so TF and session_magic start from the same values."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..harness import Program

BATCH, TIME, DEPTH = 2, 4, 3
INPUTS = (np.sin(np.arange(BATCH * TIME * DEPTH, dtype=np.float32) * 0.7)
          .reshape(BATCH, TIME, DEPTH))


def _initializer(tf: Any) -> Any:
    """Weights as a fixed function of their position: same values in TF and session_magic."""
    def initialize(shape: Any, dtype: Any = None, partition_info: Any = None) -> Any:
        count = int(np.prod(shape))
        values = np.cos(np.arange(count, dtype=np.float32) * 1.3) * 0.4
        return tf.constant(values.reshape(shape), dtype=tf.float32)
    return initialize


def _cells(tf: Any) -> Any:
    """`tf.nn.rnn_cell`; under TF 2.21 with Keras 3 that name fails, and TF 1's cells live on in
    tf_keras (the same classes TF 2.15 exported there)."""
    try:
        tf.nn.rnn_cell.BasicLSTMCell  # noqa: B018 - the lookup is the test
        return tf.nn.rnn_cell
    except AttributeError:
        import types

        from tf_keras.src.layers.rnn import legacy_cell_wrappers, legacy_cells
        return types.SimpleNamespace(**vars(legacy_cells), **{
            name: getattr(legacy_cell_wrappers, name)
            for name in ("DropoutWrapper", "ResidualWrapper")})


def _variables(tf: Any) -> list:
    return [[v.name, list(v.shape.as_list())] for v in tf.global_variables()]


def _run_rnn(tf: Any, make: Any, **extra: Any) -> dict:
    """`make(tf, x)` -> (outputs, state) under a scope with the fixed initializer; fetches them
    and the gradients of a weighted sum w.r.t. every variable and x."""
    x = tf.placeholder(tf.float32, [BATCH, TIME, DEPTH], name="x")
    with tf.variable_scope("model", initializer=_initializer(tf)):
        outputs, state = make(tf, x)
    flat = _flatten([outputs, state])
    loss = tf.add_n([tf.reduce_sum(t * (i + 1.0)) for i, t in enumerate(flat)])
    grads = tf.gradients(loss, tf.trainable_variables() + [x])
    return {"fetch": {"outputs": outputs, "state": state, "grads": grads},
            "feed": {x: INPUTS}, "python": {"variables": _variables(tf)}, **extra}


def _flatten(value: Any) -> list:
    if isinstance(value, (list, tuple)):
        return [leaf for child in value for leaf in _flatten(child)]
    return [value]


def _basic_lstm(tf: Any) -> dict:
    return _run_rnn(tf, lambda tf, x: tf.nn.dynamic_rnn(_cells(tf).BasicLSTMCell(5), x,
                                                        dtype=tf.float32))


def _basic_lstm_concatenated_state(tf: Any) -> dict:
    cell = _cells(tf).BasicLSTMCell(4, forget_bias=0.5, state_is_tuple=False)
    return _run_rnn(tf, lambda tf, x: tf.nn.dynamic_rnn(cell, x, dtype=tf.float32))


def _lstm_peepholes_projection(tf: Any) -> dict:
    cell = _cells(tf).LSTMCell(5, use_peepholes=True, num_proj=3, cell_clip=0.6,
                                   proj_clip=0.25)
    return _run_rnn(tf, lambda tf, x: tf.nn.dynamic_rnn(cell, x, sequence_length=[4, 2],
                                                        dtype=tf.float32))


def _gru_time_major(tf: Any) -> dict:
    def make(tf: Any, x: Any) -> tuple:
        cell = _cells(tf).GRUCell(4)
        start = tf.constant(np.full([BATCH, 4], 0.1, np.float32))
        return tf.nn.dynamic_rnn(cell, tf.transpose(x, [1, 0, 2]), initial_state=start,
                                 time_major=True)
    return _run_rnn(tf, make)


def _multi_rnn_sequence_length(tf: Any) -> dict:
    def make(tf: Any, x: Any) -> tuple:
        cell = _cells(tf).MultiRNNCell([_cells(tf).BasicLSTMCell(3),
                                            _cells(tf).GRUCell(2)])
        lengths = tf.placeholder(tf.int32, [BATCH], name="lengths")
        make.lengths = lengths
        return tf.nn.dynamic_rnn(cell, x, sequence_length=lengths, dtype=tf.float32)
    spec = _run_rnn(tf, make)
    feed = spec.pop("feed")
    spec["feeds"] = [{**feed, make.lengths: lengths} for lengths in ([3, 1], [4, 4])]
    return spec


def _basic_rnn_static(tf: Any) -> dict:
    def make(tf: Any, x: Any) -> tuple:
        cell = _cells(tf).BasicRNNCell(3)
        return tf.nn.static_rnn(cell, tf.unstack(x, axis=1), dtype=tf.float32,
                                sequence_length=[3, 4])
    return _run_rnn(tf, make)


def _residual_gru(tf: Any) -> dict:
    cell = _cells(tf).ResidualWrapper(_cells(tf).GRUCell(DEPTH))
    return _run_rnn(tf, lambda tf, x: tf.nn.dynamic_rnn(cell, x, dtype=tf.float32))


def _dropout_keep_all(tf: Any) -> dict:
    cell = _cells(tf).DropoutWrapper(_cells(tf).BasicLSTMCell(3), input_keep_prob=1.0,
                                         output_keep_prob=1.0, seed=3)
    return _run_rnn(tf, lambda tf, x: tf.nn.dynamic_rnn(cell, x, dtype=tf.float32))


def _bidirectional(tf: Any) -> dict:
    def make(tf: Any, x: Any) -> tuple:
        fw, bw = _cells(tf).BasicLSTMCell(3), _cells(tf).GRUCell(2)
        return tf.nn.bidirectional_dynamic_rnn(fw, bw, x, sequence_length=[4, 3],
                                               dtype=tf.float32)
    return _run_rnn(tf, make)


def _static_bidirectional(tf: Any) -> dict:
    def make(tf: Any, x: Any) -> tuple:
        fw, bw = _cells(tf).GRUCell(2), _cells(tf).BasicRNNCell(3)
        outputs, state_fw, state_bw = tf.nn.static_bidirectional_rnn(
            fw, bw, tf.unstack(x, axis=1), sequence_length=[2, 4], dtype=tf.float32)
        return outputs, (state_fw, state_bw)
    return _run_rnn(tf, make)


def _custom_cell(tf: Any) -> dict:
    class Cell(_cells(tf).RNNCell):
        state_size = output_size = 2

        def __call__(self, inputs: Any, state: Any, scope: Any = None) -> tuple:
            with tf.variable_scope(scope or "my_cell"):
                w = tf.get_variable("w", [DEPTH + 2, 2])
                out = tf.tanh(tf.matmul(tf.concat([inputs, state], 1), w))
            return out, out
    return _run_rnn(tf, lambda tf, x: tf.nn.dynamic_rnn(Cell(), x, dtype=tf.float32))


def _get_variable_in_cond(tf: Any) -> dict:
    p = tf.placeholder(tf.bool, [], name="p")
    x = tf.placeholder(tf.float32, [3], name="x")

    def branch() -> Any:
        w = tf.get_variable("w", [3], initializer=tf.constant_initializer(2.0))
        return x * w
    y = tf.cond(p, branch, lambda: x * 3.0)
    grads = tf.gradients(tf.reduce_sum(y * y), [x] + tf.global_variables())
    feed = {x: np.array([1.0, -2.0, 0.5], np.float32)}
    return {"fetch": [y, grads], "feeds": [{**feed, p: True}, {**feed, p: False}],
            "python": {"variables": _variables(tf)}}


def _names_of_cells(tf: Any) -> dict:
    x = tf.placeholder(tf.float32, [BATCH, TIME, DEPTH], name="x")
    first = _cells(tf).BasicLSTMCell(2)
    tf.nn.dynamic_rnn(first, x, dtype=tf.float32)
    tf.nn.dynamic_rnn(_cells(tf).BasicLSTMCell(2), x, dtype=tf.float32, scope="second")
    with tf.variable_scope("outer"):
        _cells(tf).GRUCell(2)(x[:, 0], tf.zeros([BATCH, 2]))
        _cells(tf).GRUCell(2)(x[:, 0], tf.zeros([BATCH, 2]))
    with tf.variable_scope("again", reuse=tf.AUTO_REUSE):
        tf.nn.dynamic_rnn(first, x, dtype=tf.float32)  # NOTE: a built cell reuses its variables
    tf.nn.dynamic_rnn(_cells(tf).LSTMCell(2, use_peepholes=True, num_proj=1), x,
                      dtype=tf.float32, scope="lstm")
    zero = _cells(tf).MultiRNNCell([_cells(tf).GRUCell(2),
                                        _cells(tf).BasicLSTMCell(3)]).zero_state(5,
                                                                                    tf.float32)
    return {"python": {"variables": _variables(tf),
                       "zero_state": [t.shape.as_list() for t in _flatten(zero)]},
            "fetch": zero}


def _cell_made_with_reuse(tf: Any) -> dict:
    x = tf.placeholder(tf.float32, [BATCH, TIME, DEPTH], name="x")
    with tf.variable_scope("model", initializer=_initializer(tf)):
        trained, _ = tf.nn.dynamic_rnn(_cells(tf).BasicLSTMCell(3), x, dtype=tf.float32)
    with tf.variable_scope("model", reuse=True):
        sampled, _ = tf.nn.dynamic_rnn(_cells(tf).BasicLSTMCell(3, reuse=True), x * 2.0,
                                       dtype=tf.float32)
    return {"fetch": [trained, sampled], "feed": {x: INPUTS},
            "python": {"variables": _variables(tf)}}


def _new_cell_in_a_used_scope(tf: Any) -> dict:
    """A second new cell under `rnn` is named `basic_lstm_cell` again (TF resets default names
    when a named scope is left), so its variables clash."""
    x = tf.placeholder(tf.float32, [BATCH, TIME, DEPTH], name="x")
    tf.nn.dynamic_rnn(_cells(tf).BasicLSTMCell(2), x, dtype=tf.float32)
    tf.nn.dynamic_rnn(_cells(tf).BasicLSTMCell(2), x, dtype=tf.float32)
    return {}


# --- map_fn, scan, foldl, foldr ----------------------------------------------------------------

def _elements(tf: Any) -> tuple:
    x = tf.placeholder(tf.float32, [4, 3], name="x")
    return x, {x: np.arange(12, dtype=np.float32).reshape(4, 3) / 7.0 - 0.5}


def _with_gradients(tf: Any, x: Any, feed: dict, results: Any) -> dict:
    flat = _flatten(results)
    loss = tf.add_n([tf.reduce_sum(tf.sin(t) * (i + 1.0)) for i, t in enumerate(flat)])
    return {"fetch": {"results": results, "grad": tf.gradients(loss, x)[0]}, "feed": feed}


def _map_fn(tf: Any) -> dict:
    x, feed = _elements(tf)
    return _with_gradients(tf, x, feed, tf.map_fn(lambda row: row * row + tf.reduce_sum(row), x))


def _map_fn_nested(tf: Any) -> dict:
    x, feed = _elements(tf)
    result = tf.map_fn(lambda pair: (pair[0] * pair[1][0], tf.reduce_max(pair[1][1])),
                       (x, (x * 2.0, x - 1.0)), dtype=(tf.float32, tf.float32))
    return _with_gradients(tf, x, feed, result)


def _map_fn_int_output(tf: Any) -> dict:
    x, feed = _elements(tf)
    return {"fetch": tf.map_fn(lambda row: tf.argmax(row, output_type=tf.int32), x,
                               dtype=tf.int32), "feed": feed}


def _scan(tf: Any) -> dict:
    x, feed = _elements(tf)
    return _with_gradients(tf, x, feed, tf.scan(lambda a, row: a * 0.5 + row * row, x))


def _scan_initializer_reverse(tf: Any) -> dict:
    x, feed = _elements(tf)
    result = tf.scan(lambda a, row: (a[0] + row, a[1] * row), x, reverse=True,
                     initializer=(tf.zeros([3]), tf.ones([3])))
    return _with_gradients(tf, x, feed, result)


def _foldl(tf: Any) -> dict:
    x, feed = _elements(tf)
    return _with_gradients(tf, x, feed, tf.foldl(lambda a, row: a * row + 1.0, x))


def _foldr_initializer(tf: Any) -> dict:
    x, feed = _elements(tf)
    return _with_gradients(tf, x, feed,
                           tf.foldr(lambda a, row: a * 0.5 + tf.tanh(row), x,
                                    initializer=tf.ones([3])))


# --- TensorArray -------------------------------------------------------------------------------

def _ta_loop(tf: Any) -> dict:
    x, feed = _elements(tf)
    source = tf.TensorArray(tf.float32, size=4).unstack(x)

    def body(i: Any, acc: Any, out: Any) -> tuple:
        acc = acc * 0.9 + source.read(i)
        return i + 1, acc, out.write(i, acc * acc)
    _, _, out = tf.while_loop(lambda i, *_: i < 4, body,
                              (0, tf.zeros([3]), tf.TensorArray(tf.float32, size=4)))
    return _with_gradients(tf, x, feed, out.stack())


def _ta_dynamic_size(tf: Any) -> dict:
    x, feed = _elements(tf)

    def body(i: Any, out: Any) -> tuple:
        return i + 1, out.write(i, x[i % 4] * tf.cast(i, tf.float32))
    _, out = tf.while_loop(lambda i, _: i < 6, body,
                           (0, tf.TensorArray(tf.float32, size=0, dynamic_size=True)))
    spec = _with_gradients(tf, x, feed, out.stack())
    spec["fetch"]["size"] = out.size()
    return spec


def _ta_gather_scatter(tf: Any) -> dict:
    x, feed = _elements(tf)
    ta = tf.TensorArray(tf.float32, size=5).scatter([4, 0, 2], x[:3] * 2.0)
    ta = ta.write(1, x[3])
    gathered = ta.gather([2, 1, 4])
    return _with_gradients(tf, x, feed, [gathered, ta.stack(), ta.read(3)])


def _ta_split_concat(tf: Any) -> dict:
    x, feed = _elements(tf)
    ta = tf.TensorArray(tf.float32, size=3, infer_shape=False).split(x, [1, 0, 3])
    return _with_gradients(tf, x, feed, [ta.concat(), ta.read(2), ta.read(0)])


def _ta_in_cond(tf: Any) -> dict:
    x, feed = _elements(tf)
    p = tf.placeholder(tf.bool, [], name="p")
    ta = tf.TensorArray(tf.float32, size=4).unstack(x)
    chosen = tf.cond(p, lambda: ta.write(0, x[1] * 3.0), lambda: ta.write(3, tf.zeros([3])))
    spec = _with_gradients(tf, x, feed, chosen.stack())
    spec["feeds"] = [{**feed, p: True}, {**feed, p: False}]
    del spec["feed"]
    return spec


def _ta_properties(tf: Any) -> dict:
    ta = tf.TensorArray(tf.int32, size=3, element_shape=[2])
    ta = ta.write(0, [1, 2]).write(2, [5, 6])
    return {"fetch": {"stack": ta.stack(), "size": ta.size(), "read": ta.read(1)},
            "python": {"dtype": ta.dtype.name, "element_shape": ta.element_shape.as_list()}}


def _ta_op_names(tf: Any) -> dict:
    x, feed = _elements(tf)
    ta = tf.TensorArray(tf.float32, size=4).unstack(x)
    ta = ta.write(0, ta.read(1))
    split = tf.TensorArray(tf.float32, size=2, infer_shape=False).split(x, [1, 3])
    scattered = tf.TensorArray(tf.float32, size=2).scatter([0, 1], x[:2])
    doubled = tf.map_fn(lambda row: row * 2.0, x)
    return {"fetch": [ta.stack(), ta.gather([0, 1]), ta.size(), split.read(1),
                      scattered.stack(), doubled], "feed": feed, "ops": True}


def programs() -> list[Program]:
    return [
        Program("dynamic_rnn BasicLSTMCell", _basic_lstm, rtol=1e-4, atol=1e-5),
        Program("dynamic_rnn BasicLSTMCell concatenated state", _basic_lstm_concatenated_state,
                rtol=1e-4, atol=1e-5),
        Program("dynamic_rnn LSTMCell peepholes projection clip sequence_length",
                _lstm_peepholes_projection, rtol=1e-4, atol=1e-5),
        Program("dynamic_rnn GRUCell time_major initial_state", _gru_time_major, rtol=1e-4,
                atol=1e-5),
        Program("dynamic_rnn MultiRNNCell fed sequence_length", _multi_rnn_sequence_length,
                rtol=1e-4, atol=1e-5),
        Program("static_rnn BasicRNNCell sequence_length", _basic_rnn_static, rtol=1e-4,
                atol=1e-5),
        Program("dynamic_rnn ResidualWrapper GRUCell", _residual_gru, rtol=1e-4, atol=1e-5),
        Program("dynamic_rnn DropoutWrapper keep all", _dropout_keep_all, rtol=1e-4, atol=1e-5),
        Program("bidirectional_dynamic_rnn sequence_length", _bidirectional, rtol=1e-4,
                atol=1e-5),
        Program("static_bidirectional_rnn sequence_length", _static_bidirectional, rtol=1e-4,
                atol=1e-5),
        Program("dynamic_rnn custom cell with get_variable", _custom_cell, rtol=1e-4,
                atol=1e-5),
        Program("get_variable in a cond branch", _get_variable_in_cond),
        Program("variable names of cells", _names_of_cells),
        Program("new cell in a used scope", _new_cell_in_a_used_scope),
        Program("cell made with reuse", _cell_made_with_reuse, rtol=1e-4, atol=1e-5),
        Program("map_fn", _map_fn),
        Program("map_fn nested with dtype", _map_fn_nested),
        Program("map_fn int output", _map_fn_int_output),
        Program("scan", _scan),
        Program("scan initializer reverse nested", _scan_initializer_reverse),
        Program("foldl", _foldl),
        Program("foldr initializer", _foldr_initializer),
        Program("TensorArray in while_loop", _ta_loop),
        Program("TensorArray dynamic_size", _ta_dynamic_size),
        Program("TensorArray gather scatter write read", _ta_gather_scatter),
        Program("TensorArray split concat", _ta_split_concat),
        Program("TensorArray in cond", _ta_in_cond),
        Program("TensorArray properties", _ta_properties),
        Program("TensorArray op names", _ta_op_names),
    ]
