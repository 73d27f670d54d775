"""Names and implicit ops: the op list ("name:type", in creation order) and result names of
reductions (`Sum/reduction_indices`), arg-reductions (`ArgMax/dimension`), operators with Python
scalars (`add/y`), cond (`cond/Identity:0`), while_loop (`while/Identity_2:0`), the Const
numbering after them, name scopes and graph lookups. Variables keep TF1's op layout here
(VariableV2/Assign/read where TF2 makes VarHandleOp/ReadVariableOp), so programs with variables
compare names only, never the op list."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..harness import Program


def _x(tf: Any) -> Any:
    return tf.placeholder(tf.float32, [2, 3], name="x")


_FEED = np.arange(6, dtype=np.float32).reshape(2, 3)


def _listed(build_result: Any, *extra: Any) -> Any:
    """A build that returns its ops, the names of its results and their values."""
    def build(tf: Any) -> dict:
        x = _x(tf)
        results = build_result(tf, x)
        results = results if isinstance(results, (list, tuple)) else [results]
        for make in extra:
            results = list(results) + [make(tf)]
        fetch = [r for r in results if isinstance(r, tf.Tensor) and r.op.type != "Placeholder"]
        return {"ops": True, "names": {str(i): r for i, r in enumerate(results)},
                "fetch": fetch, "feed": {x: _FEED}}
    return build


def _const(tf: Any) -> Any:
    return tf.constant(1.0)


_REDUCTIONS = {
    "reduce_sum axis 0": lambda tf, x: tf.reduce_sum(x, 0),
    "reduce_sum all": lambda tf, x: tf.reduce_sum(x),
    "reduce_sum axis list keepdims": lambda tf, x: tf.reduce_sum(x, [0, 1], keepdims=True),
    "reduce_sum twice": lambda tf, x: [tf.reduce_sum(x, 1), tf.reduce_sum(x, 0)],
    "reduce_mean axis 1": lambda tf, x: tf.reduce_mean(x, 1),
    "reduce_max axis -1": lambda tf, x: tf.reduce_max(x, -1),
    "reduce_min reduction_indices": lambda tf, x: tf.reduce_min(x, reduction_indices=[1]),
    "reduce_prod all": lambda tf, x: tf.reduce_prod(x),
    "reduce_all of a comparison": lambda tf, x: tf.reduce_all(x > 0.0, 0),
    "reduce_sum named": lambda tf, x: tf.reduce_sum(x, 0, name="total"),
    "reduce_logsumexp": lambda tf, x: tf.reduce_logsumexp(x, 1),
    "count_nonzero": lambda tf, x: tf.count_nonzero(x, 1),
    "argmax axis 1": lambda tf, x: tf.argmax(x, 1),
    "argmax default axis": lambda tf, x: tf.argmax(x),
    "argmin axis 0": lambda tf, x: tf.argmin(x, 0),
    "argmax twice": lambda tf, x: [tf.argmax(x, 1), tf.argmax(x, 0)],
    "argmax output_type int32": lambda tf, x: tf.argmax(x, 1, output_type=tf.int32),
    "arg_max dimension": lambda tf, x: tf.arg_max(x, 1),
}

_OPERATORS = {
    "x + 1": lambda tf, x: x + 1.0,
    "1 + x": lambda tf, x: 1.0 + x,
    "x - y, x * y, x / y": lambda tf, x: [x - x, x * x, x / x],
    "x // 2, x % 2, x ** 2": lambda tf, x: [x // 2.0, x % 2.0, x ** 2],
    "-x, abs(x)": lambda tf, x: [-x, abs(x)],
    "x > 0, x <= 1": lambda tf, x: [x > 0.0, x <= 1.0],
    "x[0], x[:, 1:]": lambda tf, x: [x[0], x[:, 1:]],
    "x @ w": lambda tf, x: x @ tf.ones([3, 2]),
    "bool operators": lambda tf, x: [~(x > 0.0), (x > 0.0) & (x < 1.0), (x > 0.0) | (x < 1.0),
                                     (x > 0.0) ^ (x < 1.0)],
    "tf.add, tf.multiply, tf.subtract": lambda tf, x: [tf.add(x, 1.0), tf.multiply(x, 2.0),
                                                       tf.subtract(x, 3.0)],
    "tf.identity twice": lambda tf, x: [tf.identity(x), tf.identity(x)],
    "zeros, ones, fill": lambda tf, x: [tf.zeros([2]), tf.ones([2, 2]), tf.fill([2], 3.0)],
    "zeros_like, ones_like": lambda tf, x: [tf.zeros_like(x), tf.ones_like(x)],
    "concat, stack, unstack": lambda tf, x: [tf.concat([x, x], 0), tf.stack([x, x])] +
                                            tf.unstack(x),
    "reshape, transpose, expand_dims, squeeze": lambda tf, x: [
        tf.reshape(x, [-1]), tf.transpose(x), tf.expand_dims(x, 0),
        tf.squeeze(tf.expand_dims(x, 0))],
    "shape, size, rank": lambda tf, x: [tf.shape(x), tf.size(x), tf.rank(x)],
    "cast, to_float": lambda tf, x: [tf.cast(x, tf.int32), tf.to_float(tf.cast(x, tf.int32))],
    "matmul, add_n": lambda tf, x: [tf.matmul(x, x, transpose_b=True), tf.add_n([x, x])],
    "split, slice, gather": lambda tf, x: tf.split(x, 3, 1) + [tf.slice(x, [0, 0], [1, 2]),
                                                                tf.gather(x, [1, 0])],
    "where, clip_by_value": lambda tf, x: [tf.where(x > 1.0), tf.clip_by_value(x, 0.5, 2.5)],
    "nn.relu, softmax, sigmoid, tanh": lambda tf, x: [tf.nn.relu(x), tf.nn.softmax(x),
                                                      tf.sigmoid(x), tf.tanh(x)],
    "one_hot, range, linspace": lambda tf, x: [tf.one_hot([0, 1], 2), tf.range(3),
                                               tf.lin_space(0.0, 1.0, 3)],
    "tile, pad": lambda tf, x: [tf.tile(x, [1, 2]), tf.pad(x, [[1, 0], [0, 1]])],
    "square, sqrt, exp, log": lambda tf, x: [tf.square(x), tf.sqrt(x), tf.exp(x),
                                             tf.log(x + 1.0)],
    "equal, maximum, minimum": lambda tf, x: [tf.equal(x, 1.0), tf.maximum(x, 1.0),
                                              tf.minimum(x, 1.0)],
    "cumsum, cumprod": lambda tf, x: [tf.cumsum(x, 1), tf.cumprod(x, 1)],
    "boolean_mask": lambda tf, x: tf.boolean_mask(x, [True, False]),
    "nn.l2_loss, bias_add": lambda tf, x: [tf.nn.l2_loss(x), tf.nn.bias_add(x, [1.0, 2.0, 3.0])],
    "sparse softmax xent": lambda tf, x: tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=[0, 2], logits=x),
    "softmax xent v2": lambda tf, x: tf.nn.softmax_cross_entropy_with_logits_v2(
        labels=tf.ones([2, 3]) / 3.0, logits=x),
    "sigmoid xent": lambda tf, x: tf.nn.sigmoid_cross_entropy_with_logits(
        labels=tf.ones([2, 3]), logits=x),
    "stop_gradient, check_numerics": lambda tf, x: [tf.stop_gradient(x),
                                                    tf.check_numerics(x, "x")],
    "placeholder_with_default": lambda tf, x: tf.placeholder_with_default(x, [2, 3]),
    "convert_to_tensor of a list": lambda tf, x: [tf.convert_to_tensor([1.0, 2.0]),
                                                  tf.convert_to_tensor(3)],
    "constant names": lambda tf, x: [tf.constant(1), tf.constant(2, name="c"),
                                     tf.constant(3, name="c"), tf.constant(4, name="c_1")],
    "placeholders": lambda tf, x: [tf.placeholder(tf.int32), tf.placeholder(tf.int32),
                                   tf.placeholder(tf.int32, name="x")],
    "names ending in _1": lambda tf, x: [tf.identity(x, name="a_1"), tf.identity(x, name="a"),
                                         tf.identity(x, name="a")],
}


def _cond(tf: Any, x: Any) -> list:
    p = tf.placeholder_with_default(True, [], name="p")
    first = tf.cond(p, lambda: x + 1.0, lambda: x - 1.0)
    second = tf.cond(p, lambda: (x * 2.0, tf.constant(1)), lambda: (x, tf.constant(2)))
    return [first, *second, tf.constant(0.5)]


def _cond_named(tf: Any, x: Any) -> list:
    p = tf.placeholder_with_default(False, [], name="p")
    return [tf.cond(p, lambda: x, lambda: -x, name="choose"), tf.constant(0.5)]


def _while(tf: Any, x: Any) -> list:
    i = tf.constant(0)
    results = tf.while_loop(lambda i, a, b: i < 3, lambda i, a, b: (i + 1, a * 2.0, b + a),
                            [i, x, tf.zeros([2, 3])])
    return list(results) + [tf.constant(0.5)]


def _while_twice(tf: Any, x: Any) -> list:
    first = tf.while_loop(lambda i: i < 3, lambda i: i + 1, [tf.constant(0)])
    second = tf.while_loop(lambda i: i < 5, lambda i: i + 2, [tf.constant(0)], name="loop")
    return [first, second, tf.constant(7)]


def _scopes(tf: Any, x: Any) -> list:
    results = []
    with tf.name_scope("a"):
        results.append(tf.add(x, 1.0))
        with tf.name_scope("b"):
            results.append(tf.reduce_sum(x, 0))
    with tf.name_scope("a"):
        results.append(tf.identity(x))
    with tf.name_scope("a/"):
        results.append(tf.identity(x, name="reused"))
    with tf.name_scope("a"):
        with tf.name_scope(None):
            results.append(tf.identity(x, name="top"))
    with tf.name_scope("") as scope:
        results.append(tf.constant(scope == "", name="empty_scope_is_root"))
    with tf.name_scope("c") as scope:
        results.append(tf.identity(x, name=scope))
    return results


def _scope_strings(tf: Any) -> dict:
    found = {}
    with tf.name_scope("s") as s1:
        found["s"] = s1
        with tf.name_scope("t") as s2:
            found["s/t"] = s2
    with tf.name_scope("s") as s3:
        found["s again"] = s3
    with tf.variable_scope("vs") as vs:
        found["variable_scope"] = vs.name
        with tf.name_scope("n") as n:
            found["name_scope in variable_scope"] = n
    with tf.variable_scope("vs", reuse=True) as vs2:
        found["variable_scope again"] = vs2.name
        found["its name scope"] = vs2.original_name_scope
    return {"python": found}


def _variable_names(tf: Any) -> dict:
    with tf.name_scope("scope"):
        v = tf.Variable(1.0, name="v")
        w = tf.Variable(2.0)
    with tf.variable_scope("vs"):
        g = tf.get_variable("g", [2], initializer=tf.zeros_initializer())
        h = tf.Variable(3.0, name="h")
    v2 = tf.Variable(4.0, name="v")
    total = v + w
    return {"names": {"v": v, "w": w, "g": g, "h": h, "v2": v2, "total": total,
                      "initializer": v.initializer, "g initializer": g.initializer,
                      "global_variables_initializer": tf.global_variables_initializer()},
            "python": {"global_variables": [u.name for u in tf.global_variables()],
                       "trainable": [u.name for u in tf.trainable_variables()]},
            "fetch": total}


def _lookups(tf: Any) -> dict:
    x = tf.placeholder(tf.float32, [2], name="x")
    y = tf.add(x, 1.0, name="y")
    graph = tf.get_default_graph()
    z = graph.get_tensor_by_name("y:0") * 2.0
    return {"names": {"tensor": graph.get_tensor_by_name("y:0"),
                      "operation": graph.get_operation_by_name("y"),
                      "z": z, "y/y": graph.get_tensor_by_name("y/y:0")},
            "python": {"same tensor": graph.get_tensor_by_name("y:0") is y,
                       "same op": graph.get_operation_by_name("y") is y.op,
                       "inputs": [t.name for t in y.op.inputs],
                       "consumers": [op.name for op in y.consumers()],
                       "unique_name": graph.unique_name("y"),
                       "unique_name unmarked": graph.unique_name("fresh", mark_as_used=False),
                       "as_graph_element": graph.as_graph_element("y:0").name,
                       "op outputs": [t.name for t in y.op.outputs],
                       "value_index": y.value_index},
            "fetch": z, "feed": {"x:0": [1.0, 2.0]}}


def _gradient_names(tf: Any) -> dict:
    x = tf.placeholder(tf.float32, [3], name="x")
    loss = tf.reduce_sum(tf.square(x) * 2.0)
    grads = tf.gradients(loss, [x])
    again = tf.gradients(loss, x, name="again")
    return {"names": {"grad": grads[0], "again": again[0]},
            "fetch": [grads[0], again[0]], "feed": {x: [1.0, 2.0, 3.0]}}


_ONE_OP = (("ops", "names"), "session_magic's registry has one op where TF 2 composes several "
                              "(deliberate: the fused op is one registry block and one node drawn)")
DELIBERATE = {
    "operator boolean_mask": _ONE_OP,   # TF has no BooleanMask op
    "operator softmax xent v2": _ONE_OP,  # TF 2 flattens and reshapes around the op
    "operator one_hot, range, linspace": (("ops", "names"), "TF 2's compat.v1.lin_space is "
                                          "linspace_nd, many ops; TF 1's was one LinSpace op, as "
                                          "session_magic's"),
}


def _program(name: str, build: Any) -> Program:
    ignore, note = DELIBERATE.get(name, ((), ""))
    return Program(name, build, ignore=ignore, note=note)


def programs() -> list[Program]:
    table = [_program(f"reduction {name}", _listed(build)) for name, build in _REDUCTIONS.items()]
    table += [_program(f"reduction then Const: {name}", _listed(build, _const))
              for name, build in list(_REDUCTIONS.items())[:4]]
    table += [_program(f"operator {name}", _listed(build)) for name, build in _OPERATORS.items()]
    table += [
        Program("cond", _listed(_cond)),
        Program("cond named", _listed(_cond_named)),
        Program("while_loop", _listed(_while)),
        Program("while_loop twice", _listed(_while_twice)),
        Program("name scopes", _listed(_scopes)),
        Program("name scope strings", _scope_strings),
        Program("variable names", _variable_names),
        Program("graph lookups", _lookups),
        Program("gradient names", _gradient_names, ignore=("ops",)),
    ]
    return table
