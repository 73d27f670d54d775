"""The bad input matrix: every public entry point given wrong types, shapes and dtypes, NaN/Inf,
empty and huge values, unknown names, closed sessions and foreign graphs. Each row names TF's
error class and a pattern that names the culprit: the fetch, the feed, the op and the line of
this file that built it, the variable, the argument or the file. A runtime failure must also
leave its session intact: no variable write committed, and the session still runs."""
import linecache
import re

import numpy as np
import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from traitlets.config import Config

import session_magic as tf

E = tf.errors
IA = E.InvalidArgumentError
HINT = r".*reset_default_graph\(\)"  # the part of a foreign-graph error that says how to fix it


def node(name):
    """The line TF adds to a runtime error: the failing op and where in this file it was made."""
    return rf".*\n\t \[\[node {re.escape(name)} \(defined at \S*test_bad_inputs\.py:\d+\) \]\]"


# --- builders the rows share ---------------------------------------------------------------------

def _p(dtype=tf.float32, shape=None, name="p"):
    return tf.placeholder(dtype, shape, name=name)


def _foreign(name="foreign"):
    """A tensor of another graph, like one made before `reset_default_graph()`."""
    with tf.Graph().as_default():
        return tf.placeholder(tf.float32, name=name)


def _run(fetches, feeds=None, nonempty=False):
    if nonempty:
        tf.no_op(name="anything")
    with tf.Session() as sess:
        return sess.run(fetches, feeds)


def _run_with_update(build, feeds=None):
    """Run build()'s fetch in one run with a variable update. When the run fails, check that the
    update was not committed and that the session still runs, then let the error through."""
    counter = tf.Variable(0, name="counter")
    bump = counter.assign_add(1)
    fetch = build()
    with tf.Session() as sess:
        sess.run(counter.initializer)
        try:
            return sess.run([bump, fetch], feeds)
        except E.OpError:
            assert sess.run(counter) == 0, "a failed run committed a variable write"
            assert sess.run(bump) == 1, "the session does not run after a failed run"
            raise


def _session(use, closed=False, initialized=True, other_graph=False):
    """use(sess, v): v a variable of the default graph; sess a session of it (or of another
    graph), maybe closed, with v maybe initialized."""
    v = tf.Variable([1.0, 2.0], name="v")
    graph = tf.Graph() if other_graph else None
    if other_graph:
        with graph.as_default():
            tf.constant(0)
    with tf.Session(graph=graph) as sess:
        if initialized and not other_graph:
            sess.run(v.initializer)
        if closed:
            sess.close()
        return use(sess, v)


def _eval_by_default(sess, tensor):
    with sess.as_default():
        return tensor.eval()


def _call_after_close():
    sess = tf.Session()
    call = sess.make_callable(tf.constant(1.0))
    sess.close()
    return call()


def _callable(fetch_and_feeds, *values):
    """make_callable(fetch, feed_list), called with `values`."""
    with tf.Session() as sess:
        return sess.make_callable(*fetch_and_feeds)(*values)


def _get_twice(first_shape, second_shape, dtype=None, reuse=True):
    with tf.variable_scope("s"):
        if first_shape is not None:
            tf.get_variable("w", first_shape)
    with tf.variable_scope("s", reuse=reuse):
        return tf.get_variable("w", second_shape, dtype=dtype)


def _saved():
    """Save a float variable `v` to ./model, then start a new default graph; returns the prefix."""
    v = tf.Variable(0.0, name="v")
    with tf.Session() as sess:
        sess.run(v.initializer)
        prefix = tf.train.Saver().save(sess, "model")
    tf.reset_default_graph()
    return prefix


def _restore(prefix, variable, closed=False):
    with tf.Session() as sess:
        if closed:
            sess.close()
        tf.train.Saver([variable]).restore(sess, prefix)


def _nested(depth):
    value = [1.0]
    for _ in range(depth):
        value = [value]
    return value


def _loop(body, **options):
    return tf.while_loop(lambda i: i < 3, body, [0], **options)


def _control_dependency_on(op):
    with tf.control_dependencies([op]):
        return tf.constant(1.0)


def _cond_on_fed(branch):
    """cond(b, branch(q), zeros) with placeholders b and q made outside the branch."""
    q = _p(name="q")
    return tf.cond(_p(tf.bool, name="b"), lambda: branch(q), lambda: tf.zeros([2]))


def _magic(kind, line):
    """`%graph line`, or `%%session line` over a one-line cell, in a shell with the extension."""
    config = Config()
    config.HistoryAccessor.enabled = False
    shell = InteractiveShell.instance(config=config)
    shell.run_line_magic("load_ext", "session_magic")
    try:
        shell.run_cell("import session_magic as tf\na = tf.constant(1, name='a')")
        if kind == "graph":
            return shell.run_line_magic("graph", line)
        return shell.run_cell_magic("session", line, "x = tf.constant(1)")
    finally:
        shell.run_line_magic("unload_ext", "session_magic")
        InteractiveShell.clear_instance()


XENT = tf.nn.softmax_cross_entropy_with_logits_v2
SPARSE_XENT = tf.nn.sparse_softmax_cross_entropy_with_logits

# --- the matrix: (id, bad call, TF's error class, pattern naming the culprit[, known bug]) -------

ROWS = [
    # op builders: wrong types
    ("add/type-string-for-a-float", lambda: tf.add(tf.constant(1.0), "abc"),
     TypeError, r"Expected float32, got 'abc' of type 'str' instead"),
    ("add/type-operation-as-a-tensor", lambda: tf.add(tf.no_op(name="step"), 1.0),
     TypeError, r"can't convert Operation 'step' to Tensor"),
    ("add/type-dict-as-a-tensor", lambda: tf.add({"a": 1}, 1.0),
     TypeError, r"Can't convert dict \{'a': 1\} to a Tensor"),
    ("add/type-int-as-name", lambda: tf.add(1, 2, name=3),
     TypeError, r"An op's name must be a string, got 3 of type int"),
    ("sqrt/dtype-int-not-allowed", lambda: tf.sqrt(tf.constant(4)),
     TypeError, r"parameter 'x' has DataType int32 not in list of allowed values: float16"),
    ("reduce_sum/type-string-axis", lambda: tf.reduce_sum(tf.zeros([2, 3]), axis="a"),
     TypeError, r"axis must be integers, got 'a'"),
    ("matmul/type-strings", lambda: tf.matmul("a", "b"),
     TypeError, r"parameter 'a' has DataType string not in list of allowed values"),
    ("reshape/type-string-shape", lambda: tf.reshape(tf.zeros([2, 3]), "abc"),
     TypeError, r"parameter 'shape' has DataType string not in list of allowed values: int32"),
    ("gather/dtype-float-indices", lambda: tf.gather(tf.zeros([3]), tf.constant([0.5])),
     TypeError, r"parameter 'indices' has DataType float32 not in list of allowed values"),
    ("getitem/type-string-index", lambda: tf.zeros([3])["a"],
     TypeError, r"are valid indices, got 'a'"),
    ("one_hot/type-string-depth", lambda: tf.one_hot([0, 1], "3"),
     TypeError, r"Expected int32, got '3' of type 'str' instead"),
    ("cast/type-misspelt-dtype", lambda: tf.cast(tf.zeros([2]), "flaot32"),
     TypeError, r"Cannot convert value 'flaot32' to a TensorFlow DType"),
    ("cast/dtype-string-to-float", lambda: tf.cast(tf.constant("a"), tf.float32),
     TypeError, r"Cast string to float32 is not supported"),
    ("cast/type-none-dtype", lambda: tf.cast(tf.zeros([2]), None),
     TypeError, r"Cannot convert value None to a TensorFlow DType"),
    ("placeholder/type-string-shape", lambda: tf.placeholder(tf.float32, shape="abc"),
     TypeError, r"Cannot convert 'abc' to a TensorShape"),
    ("placeholder/type-operation-dtype", lambda: tf.placeholder(tf.no_op(name="step")),
     TypeError, r"Cannot convert value <tf.Operation 'step' type=NoOp> to a TensorFlow DType"),
    ("placeholder/invalid-name", lambda: tf.placeholder(tf.float32, name="bad name!"),
     ValueError, r"'bad name!' is not a valid node name"),
    ("constant/type-object", lambda: tf.constant(object()),
     TypeError, r"Can't convert object <object object at \w+> to a Tensor"),
    ("constant/type-tensor", lambda: tf.constant(tf.zeros([1], name="z")),
     TypeError, r"got the symbolic <tf.Tensor 'z:0'"),
    ("zeros/type-int-as-name", lambda: tf.zeros([2], name=3),
     TypeError, r"An op's name must be a string, got 3 of type int"),
    ("random_uniform/int-without-maxval", lambda: tf.random_uniform([2], dtype=tf.int32),
     ValueError, r"Must specify maxval for integer dtype tf.int32"),
    ("random_normal/dtype-int-mean", lambda: tf.random_normal([2], dtype=tf.int32),
     TypeError, r"Expected int32, got 0.0 of type 'float' instead"),
    ("cond/type-float-pred", lambda: tf.cond(tf.constant(1.0, name="f"), tf.no_op, tf.no_op),
     ValueError, r"pred must be a scalar bool tensor, got <tf.Tensor 'f:0'"),
    ("cond/type-branch-not-callable", lambda: tf.cond(tf.constant(True), 1.0, lambda: 2.0),
     TypeError, r"true_fn must be callable"),
    ("cond/dtype-branches-differ", lambda: tf.cond(tf.constant(True), lambda: 1.0, lambda: 1),
     TypeError, r"Outputs of true_fn and false_fn must have the same type: float32, int32"),
    ("while_loop/type-cond-not-callable", lambda: tf.while_loop(1, lambda i: i, [0]),
     TypeError, r"cond must be callable"),
    ("while_loop/dtype-body-changes", lambda: _loop(lambda i: tf.cast(i, tf.float32)),
     TypeError, r"enters the loop with dtype int32, but body returns dtype float32"),
    ("while_loop/type-string-maximum-iterations", lambda: _loop(abs, maximum_iterations="x"),
     TypeError, r"maximum_iterations must be an integer scalar .*got 'x'"),
    ("py_func/type-func-not-callable", lambda: tf.py_func(1, [tf.constant(1.0)], tf.float32),
     ValueError, r"Expected func to be callable, got func of type <class 'int'>"),
    ("py_func/type-tensor-as-inp", lambda: tf.py_func(abs, tf.constant(1.0, name="c"), tf.int8),
     TypeError, r"inp must be a list of tensors .*got <tf.Tensor 'c:0'"),
    ("nn.softmax/dtype-int", lambda: tf.nn.softmax(tf.constant([1, 2])),
     TypeError, r"parameter 'logits' has DataType int32"),
    ("nn.sparse_xent/dtype-float-labels", lambda: SPARSE_XENT(labels=[0.0], logits=[[1.0]]),
     TypeError, r"parameter 'labels' has DataType float32 not in list of allowed values"),
    ("nn.sigmoid_xent/positional-arguments", lambda: tf.nn.sigmoid_cross_entropy_with_logits(
        tf.zeros([2]), tf.zeros([2])),
     ValueError, r"Only call `sigmoid_cross_entropy_with_logits` with named arguments"),
    ("nn.dropout/keep-prob-out-of-range", lambda: tf.nn.dropout(tf.zeros([2]), keep_prob=2.0),
     ValueError, r"keep_prob must be a scalar tensor or a float in the range \(0, 1\], got 2"),
    ("check_numerics/dtype-int", lambda: tf.check_numerics(tf.constant(1), "int"),
     TypeError, r"parameter 'tensor' has DataType int32"),
    # op builders: static shapes (TF's "Dimensions must be equal" texts naming op and shapes)
    ("add/shape-static", lambda: tf.add(tf.zeros([2, 3]), tf.zeros([4, 3]), name="bad_add"),
     ValueError, r"Dimensions must be equal, but are 2 and 4 for 'bad_add' .*: \[2,3\], \[4,3\]"),
    ("matmul/shape-inner-dimensions", lambda: tf.matmul(tf.zeros([2, 3]), tf.zeros([4, 5])),
     ValueError, r"Dimensions must be equal, but are 3 and 4 for 'MatMul' \(op: 'MatMul'\)"),
    ("matmul/shape-rank-1", lambda: tf.matmul(tf.zeros([3]), tf.zeros([3, 5])),
     ValueError, r"Shape must be rank 2 but is rank 1 for 'MatMul'"),
    ("reshape/shape-element-count", lambda: tf.reshape(tf.zeros([2, 3]), [4, 2]),
     ValueError, r"Cannot reshape a tensor with 6 elements to shape \[4,2\] \(8 elements\)"),
    ("reshape/shape-two-unknowns", lambda: tf.reshape(tf.zeros([2, 3]), [-1, -1]),
     ValueError, r"Only one input size may be -1, not both 0 and 1 for 'Reshape'"),
    ("concat/shape-static", lambda: tf.concat([tf.zeros([2, 3]), tf.zeros([2, 4])], 0),
     ValueError, r"Dimension 1 in both shapes must be equal, but are 3 and 4.* for 'concat'"),
    ("concat/axis-out-of-range", lambda: tf.concat([tf.zeros([2]), tf.zeros([2])], 5),
     ValueError, r"Expected concatenating dimensions in the range \[-1, 1\), but got 5"),
    ("reduce_sum/axis-out-of-range", lambda: tf.reduce_sum(tf.zeros([2, 3]), axis=5),
     ValueError, r"Invalid reduction dimension 5 for input with 2 dimensions.* for 'Sum'"),
    ("getitem/index-out-of-range", lambda: tf.zeros([3])[5],
     ValueError, r"slice index 5 of dimension 0 out of bounds.* for 'strided_slice'"),
    ("getitem/step-zero", lambda: tf.zeros([3])[::0],
     ValueError, r"strides\[0\] must be non-zero for 'strided_slice'"),
    ("one_hot/negative-depth", lambda: tf.one_hot([0, 1], -1),
     ValueError, r"depth must be non-negative, got: -1 for 'one_hot'"),
    ("nn.softmax/shape-rank-0", lambda: tf.nn.softmax(tf.constant(1.0)),
     ValueError, r"Shape must be at least rank 1 but is rank 0 for 'Softmax'"),
    ("nn.softmax_xent/shape-static", lambda: XENT(labels=tf.zeros([2, 3]), logits=tf.zeros([2, 4])),
     ValueError, r"logits and labels must be same size: logits_size=\[2,4\] labels_size=\[2,3\]"),
    ("cond/structure-differs", lambda: tf.cond(tf.constant(True), lambda: (1.0, 2.0), tf.no_op),
     ValueError, r"Incompatible return values of true_fn and false_fn"),
    ("while_loop/shape-grows", lambda: tf.while_loop(
        lambda x: tf.size(x) < 3, lambda x: tf.concat([x, x], 0), [tf.zeros([1], name="z")]),
     ValueError, r"Input tensor 'z:0' enters the loop with shape \(1,\), but has shape \(2,\)"),
    ("random_normal/negative-dimension", lambda: tf.random_normal([2, -1]),
     ValueError, r"Shape \[2, -1\] has negative dimensions for 'random_normal/"),
    ("zeros/negative-dimension", lambda: tf.zeros([-3]),
     ValueError, r"Dimension -3 must be >= 0"),
    # op builders: dtypes, empty and huge values, foreign graphs, unknown names
    ("add/dtype-int32-plus-float32", lambda: tf.constant(1) + tf.constant(1.0),
     TypeError, r"Input 'y' of 'AddV2' Op has type float32 that does not match type int32"),
    ("concat/dtype-mixed", lambda: tf.concat([tf.zeros([2]), tf.zeros([2], tf.int32)], 0),
     TypeError, r"passed to 'values' of 'ConcatV2' Op have types \[float32, int32\] that"),
    ("concat/empty-list", lambda: tf.concat([], 0),
     ValueError, r"List argument 'values' to 'ConcatV2' Op with length 0 shorter than minimum"),
    ("constant/ragged-list", lambda: tf.constant([[1, 2], [3]]),
     ValueError, r"Can't convert non-rectangular Python sequence to Tensor"),
    ("constant/int-too-big-for-int64", lambda: tf.constant(2**70),
     TypeError, r"got 1180591620717411303424 of type 'int' instead: it does not fit in int64"),
    ("constant/int-too-big-for-int32", lambda: tf.constant(2**40, tf.int32),
     TypeError, r"Expected int32, got 1099511627776 .*it does not fit in int32"),
    ("add/foreign-graphs", lambda: tf.constant(1.0, name="mine") + _foreign(),
     ValueError, r"Tensor\(\"foreign:0\".*must be from the same graph as Tensor\(\"mine:0\""
                 + HINT),
    ("cond/foreign-branch-value", lambda: tf.cond(_p(tf.bool), _foreign, lambda: 2.0),
     ValueError, r"Tensor\(\"foreign:0\".*must be from the same graph" + HINT),
    ("control_dependencies/foreign-op", lambda: _control_dependency_on(_foreign().op),
     ValueError, r"Control input <tf.Operation 'foreign' .*must be from the same.*as_default"),
    ("graph/unknown-operation-name", lambda: tf.get_default_graph().get_operation_by_name("nope"),
     KeyError, r"The name 'nope' refers to an Operation not in the graph"),
    ("graph/unknown-tensor-name", lambda: tf.get_default_graph().get_tensor_by_name("nope:0"),
     KeyError, r"The name 'nope:0' refers to a Tensor which does not exist"),
    # Session(...)
    ("Session/type-string-graph", lambda: tf.Session(graph="g"),
     TypeError, r"graph must be a tf.Graph, but got <class 'str'>"),
    ("Session/config-as-target", lambda: tf.Session(tf.ConfigProto()),
     TypeError, r"Did you do \"Session\(config\)\" instead of \"Session\(config=config\)\"\?"),
    ("Session/type-dict-config", lambda: tf.Session(config={"a": 1}),
     TypeError, r"config must be a tf.ConfigProto, but got <class 'dict'>"),
    ("Session/unknown-target", lambda: tf.Session("carrier-pigeon://nowhere:1"),
     E.NotFoundError, r'target: "carrier-pigeon://nowhere:1"'),
    # run: fetches
    ("run/empty-graph", lambda: _run([]),
     RuntimeError, r"The Session graph is empty"),
    ("run/type-set-leaf", lambda: _run([tf.constant(1), {"a": {1, 2}}]),
     TypeError, r"Fetch argument \{1, 2\} has invalid type <class 'set'>.*at fetches\[1\]\['a'\]"),
    ("run/unknown-tensor-name", lambda: _run("nope:0", nonempty=True),
     ValueError, r"Fetch argument 'nope:0' cannot be interpreted as a Tensor.*does not exist"),
    ("run/unknown-op-name-nested", lambda: _run({"k": ["nope"]}, nonempty=True),
     ValueError, r"'nope' .*refers to an Operation not in the graph.*\(at fetches\['k'\]\[0\]\)"),
    ("run/unknown-output-index", lambda: _run("anything:1", nonempty=True),
     ValueError, r"'anything:1' refers to a Tensor which does not exist.*exists but only has 0 "),
    ("run/foreign-graph-fetch", lambda: _run({"k": [_foreign()]}, nonempty=True),
     ValueError, r"Fetch argument <tf.Tensor 'foreign:0'.* is not an element of this graph"
                 + HINT + r".*\(at fetches\['k'\]\[0\]\)"),
    ("run/closed-session", lambda: _session(lambda sess, v: sess.run(v), closed=True),
     RuntimeError, r"Attempted to use a closed Session"),
    # run: feeds
    ("feed/type-list-for-feed-dict", lambda: _run(_p(), [("p:0", 1.0)]),
     TypeError, r"feed_dict must be a dict, got list"),
    ("feed/unknown-tensor-name", lambda: _run(_p(), {"nope:0": 1.0}),
     TypeError, r"Cannot interpret feed_dict key as Tensor: The name 'nope:0' refers to a"),
    ("feed/op-name-as-key", lambda: _run(_p(), {"p": 1.0}),
     TypeError, r"The name 'p' refers to an Operation, not a Tensor. Tensor names must be of"),
    ("feed/operation-as-key", lambda: _run(_p(), {tf.no_op(name="step"): 1.0}),
     TypeError, r"Cannot interpret feed_dict key as Tensor: .*'step'"),
    ("feed/numbers-for-a-string", lambda: _run(_p(tf.string), {"p:0": np.array([1, 2])}),
     TypeError, r"Cannot convert the value fed for Tensor 'p:0' \(array\(\[1, 2\]\)\) to string: "
                r"Expected binary or unicode string, got 1"),
    ("feed/deeply-nested-list", lambda: _run(_p(), {"p:0": _nested(100_000)}),
     ValueError, r"Cannot convert the value fed for Tensor 'p:0' \(\[\[\[\[\.\.\.\]\]\]\]\)"),
    ("feed/foreign-graph-key", lambda: _run(_p(), {_foreign(): 1.0}),
     TypeError, r"feed_dict key as Tensor: Tensor Tensor\(\"foreign:0\".* is not an" + HINT),
    ("feed/dtype-string-to-float", lambda: _run(_p(), {"p:0": "abc"}),
     ValueError, r"Cannot convert the value fed for Tensor 'p:0' \('abc'\) to float32"),
    ("feed/dtype-dict-value", lambda: _run(_p(), {"p:0": {"a": 1}}),
     TypeError, r"Cannot convert the value fed for Tensor 'p:0' \(\{'a': 1\}\) to float32"),
    ("feed/tensor-as-value", lambda: _run(_p(), {"p:0": tf.constant(1.0, name="c")}),
     TypeError, r"feed cannot be a tf.Tensor.*Tensor\(\"c:0\".*feed with key Tensor\(\"p:0\""),
    ("feed/ragged-value", lambda: _run(_p(), {"p:0": [[1.0], [2.0, 3.0]]}),
     ValueError, r"Cannot convert the value fed for Tensor 'p:0' \(\[\[1.0\], \[2.0, 3.0\]\]\)"),
    ("feed/int-overflow-scalar", lambda: _run(_p(tf.int32), {"p:0": 2**40}),
     TypeError, r"Type of feed value 1099511627776 .*'p:0'"),
    ("feed/int-overflow-in-list", lambda: _run(_p(tf.int32), {"p:0": [1, 2**40]}),
     TypeError, r"'p:0' .*1099511627776"),
    ("feed/nan-for-an-int", lambda: _run(_p(tf.int32), {"p:0": float("nan")}),
     ValueError, r"Cannot convert the value fed for Tensor 'p:0' \(nan\) to int32"),
    ("feed/nan-array-for-an-int", lambda: _run(_p(tf.int32), {"p:0": np.array([1.0, np.nan])}),
     ValueError, r"'p:0'.*nan"),
    ("feed/shape-wrong-rank", lambda: _run(_p(shape=[None, 3]), {"p:0": [1.0, 2.0, 3.0]}),
     ValueError, r"Cannot feed value of shape \(3,\) for Tensor 'p:0', which has shape '\(\?, 3"),
    ("feed/empty-list-for-a-matrix", lambda: _run(_p(shape=[None, 3]), {"p:0": []}),
     ValueError, r"Cannot feed value of shape \(0,\) for Tensor 'p:0'"),
    ("feed/tuple-key-with-a-scalar", lambda: _run(_p(), {(_p(name="a"), _p(name="b")): 1.0}),
     ValueError, r"The feed_dict key \(<tf.Tensor 'a:0'.*'b:0'.*is a tuple of tensors, so its"),
    # make_callable
    ("make_callable/too-many-values", lambda: _callable((_p() * 2.0, ["p:0"]), 1.0, 2.0),
     TypeError, r"This callable takes 1 feed value\(s\) .*but 2 were given"),
    ("make_callable/shape-of-a-value", lambda: _callable((_p(shape=[2]), ["p:0"]), [1, 2, 3]),
     ValueError, r"Cannot feed value of shape \(3,\) for Tensor 'p:0', which has shape '\(2,\)'"),
    ("make_callable/unknown-feed-name", lambda: _callable((_p(), ["nope:0"])),
     TypeError, r"Cannot interpret feed_dict key as Tensor: The name 'nope:0'"),
    ("make_callable/type-tensor-feed-list", lambda: _callable((_p(), _p(name="q"))),
     TypeError, r"`feed_list` must be a list or tuple"),
    ("make_callable/repeated-feed", lambda: _callable((_p() * 2.0, ["p:0", "p:0"]), 1.0, 2.0),
     ValueError, r"feed_list names Tensor 'p:0' more than once"),
    ("make_callable/none-fetch", lambda: _callable(([_p(), None], ["p:0"]), 1.0),
     TypeError, r"Fetch argument None has invalid type <class 'NoneType'> \(at fetches\[1\]\)"),
    ("make_callable/foreign-fetch", lambda: _callable((_foreign(), [_p()])),
     ValueError, r"Fetch argument <tf.Tensor 'foreign:0'.* is not an element" + HINT),
    ("make_callable/closed-session", lambda: _session(lambda s, v: s.make_callable(v), closed=True),
     RuntimeError, r"Attempted to use a closed Session"),
    ("make_callable/call-after-close", _call_after_close,
     tf.errors.CancelledError, r"Session has been closed"),
    # Variable, get_variable, assign, eval, load
    ("Variable/none-initial-value", lambda: tf.Variable(None),
     ValueError, r"initial_value must be specified"),
    ("Variable/type-int-name", lambda: tf.Variable(1.0, name=3),
     TypeError, r"A Variable's name must be a string, got 3 of type int"),
    ("Variable/invalid-name", lambda: tf.Variable(1.0, name="bad name!"),
     ValueError, r"'bad name!' is not a valid scope name"),
    ("Variable/unknown-shape", lambda: tf.Variable(_p()),
     ValueError, r"initial_value must have a shape specified: Tensor\(\"p:0\""),
    ("Variable/shape-argument-mismatch", lambda: tf.Variable([1.0, 2.0], shape=[3], name="v"),
     ValueError, r"Shapes \(3,\) and \(2,\) are incompatible \(assigning to variable 'v'\)"),
    ("Variable/callable-without-dtype", lambda: tf.Variable(lambda: 1.0),
     ValueError, r"dtype must also be specified when initial_value is callable"),
    ("get_variable/no-shape", lambda: tf.get_variable("w"),
     ValueError, r"Shape of a new variable \(w\) must be fully defined, but instead was <unk"),
    ("get_variable/exists", lambda: _get_twice([2], [2], reuse=False),
     ValueError, r"Variable s/w already exists, disallowed"),
    ("get_variable/reuse-missing", lambda: _get_twice(None, [2]),
     ValueError, r"Variable s/w does not exist, or was not created with tf.get_variable\(\)"),
    ("get_variable/reuse-other-shape", lambda: _get_twice([2], [3]),
     ValueError, r"Trying to share variable s/w, but specified shape \(3,\) and found shape \("),
    ("get_variable/type-string-initializer", lambda: tf.get_variable("w", initializer="0",
                                                                     dtype=tf.float32),
     ValueError, r"Initializer type '<dtype: 'string'>' and explicit dtype '<dtype: 'float32'>' "
     r"don't match \(get_variable 'w'\)"),
    ("get_variable/initializer-shape", lambda: tf.get_variable(
        "w", [2], initializer=tf.constant([1.0, 2.0, 3.0])),
     ValueError, r"If initializer is a constant, do not specify shape \(the initializer of "
     r"get_variable 'w' is a value\)"),
    ("assign/shape-static", lambda: tf.Variable([1.0, 2.0], name="v").assign([1.0, 2.0, 3.0]),
     ValueError, r"Shapes \(2,\) and \(3,\) are incompatible \(assigning to variable 'v'\)"),
    ("assign_add/shape-static", lambda: tf.Variable([1.0, 2.0], name="v").assign_add([1.0]),
     ValueError, r"Shapes \(2,\) and \(1,\) are incompatible \(updating variable 'v'\)"),
    ("assign/dtype-int-tensor", lambda: tf.Variable([1.0], name="v").assign(tf.constant([1])),
     TypeError, r"Input 'value' of 'Assign' Op has type int32 that does not match type float"),
    ("assign/not-a-variable", lambda: tf.assign(tf.constant(1.0, name="c"), 2.0),
     TypeError, r"Assign needs a variable as its first argument, got <tf.Tensor 'c:0'"),
    ("Variable/foreign-graphs", lambda: tf.Variable(1.0, name="v") + _foreign(),
     ValueError, r"Tensor\(\"foreign:0\".*must be from the same graph as Tensor\(\"v/read:0\""
                 + HINT),
    ("Variable.eval/closed-session", lambda: _session(lambda s, v: v.eval(s), closed=True),
     RuntimeError, r"Attempted to use a closed Session"),
    ("Variable.eval/no-default-session", lambda: tf.Variable(1.0).eval(),
     ValueError, r"Cannot evaluate tensor using `eval\(\)`: No default session is registered"),
    ("Variable.eval/session-of-another-graph", lambda: _session(
        lambda sess, v: v.eval(session=sess), other_graph=True),
     ValueError, r"Cannot use the given session to evaluate tensor: the tensor's graph" + HINT),
    ("Variable.eval/default-session-of-another-graph", lambda: _session(
        _eval_by_default, other_graph=True),
     ValueError, r"Cannot use the default session.*explicit session to `eval\(session=" + HINT),
    ("Variable.load/no-session", lambda: tf.Variable([1.0]).load([2.0]),
     ValueError, r"Either session argument should be provided or default session should be"),
    ("Variable.load/shape", lambda: _session(lambda sess, v: v.load([1.0, 2.0, 3.0], sess)),
     ValueError, r"Cannot feed value of shape \(3,\) for Tensor 'v/initial_value:0', which"),
    # Saver
    ("Saver/no-variables", lambda: tf.train.Saver(),
     ValueError, r"No variables to save"),
    ("Saver/type-tensor-in-var-list", lambda: tf.train.Saver([tf.constant(1.0, name="c")]),
     TypeError, r"Variable to save is not a Variable: Tensor\(\"c:0\""),
    ("Saver/type-variable-as-var-list", lambda: tf.train.Saver(tf.Variable(1.0, name="v")),
     TypeError, r"Variables to save should be passed in a dict or a list: <tf.Variable 'v:0'"),
    ("Saver.save/closed", lambda: _session(lambda s, v: tf.train.Saver().save(s, "m"), closed=True),
     RuntimeError, r"Attempted to use a closed Session"),
    ("Saver.save/type-string-session", lambda: tf.train.Saver([tf.Variable(1.0)]).save("s", "m"),
     TypeError, r"'sess' must be a Session; s"),
    ("Saver.save/type-int-path", lambda: _session(lambda sess, v: tf.train.Saver().save(sess, 12)),
     TypeError, r"save_path must be a string or path-like, got 12 of type int"),
    ("Saver.save/missing-directory", lambda: _session(
        lambda sess, v: tf.train.Saver().save(sess, "no/such/dir/model")),
     ValueError, r"Parent directory of no/such/dir/model doesn't exist, can't save"),
    ("Saver.save/uninitialized-variable", lambda: _session(
        lambda sess, v: tf.train.Saver().save(sess, "model"), initialized=False),
     E.FailedPreconditionError, r"Attempting to use uninitialized value v" + node("v")),
    ("Saver.save/session-of-another-graph", lambda: _session(
        lambda sess, v: tf.train.Saver([v]).save(sess, "model"), other_graph=True),
     TypeError, r"session runs a different graph from the Saver's variable 'v'" + HINT),
    ("Saver.restore/session-of-another-graph", lambda: _session(
        lambda sess, v: tf.train.Saver([v]).restore(sess, "model"), other_graph=True),
     ValueError, r"session runs a different graph from the Saver's variable 'v'" + HINT),
    ("Saver.restore/none-path", lambda: _restore(None, tf.Variable(1.0, name="v")),
     ValueError, r"Can't load save_path when it is None"),
    ("Saver.restore/not-a-checkpoint", lambda: _restore("nothere", tf.Variable(1.0, name="v")),
     ValueError, r"The passed save_path is not a valid checkpoint: nothere"),
    ("Saver.restore/unknown-variable-name", lambda: _restore(_saved(), tf.Variable(1.0, name="w")),
     E.NotFoundError, r"Restoring from checkpoint failed.*\n\nKey w not found in checkpoint"),
    ("Saver.restore/shape-mismatch", lambda: _restore(_saved(), tf.Variable([1.0], name="v")),
     IA, r"Shape mismatch for variable v: the graph has shape \[1\] but the checkpoint holds"),
    ("Saver.restore/dtype-mismatch", lambda: _restore(_saved(), tf.Variable(1, name="v")),
     IA, r"tensor_name = v; expected dtype int32 does not equal original dtype float32"),
    ("Saver.restore/closed", lambda: _restore(_saved(), tf.Variable(1.0, name="v"), closed=True),
     RuntimeError, r"Attempted to use a closed Session"),
    ("Saver/negative-max-to-keep", lambda: tf.train.Saver([tf.Variable(1.0)], max_to_keep=-1),
     ValueError, r"max_to_keep must be 0 or more \(0 or None keeps every checkpoint\), got -1"),
    ("Saver/type-string-max-to-keep", lambda: tf.train.Saver([tf.Variable(1.0)], max_to_keep="x"),
     TypeError, r"max_to_keep must be an integer or None, got 'x'"),
    ("Saver/type-int-name", lambda: tf.train.Saver({3: tf.Variable(1.0, name="v")}),
     TypeError, r"keys of var_list\) must be non-empty strings, got 3 for <tf.Variable 'v:0'"),
    ("Saver.save/latest-filename-with-a-directory", lambda: _session(
        lambda sess, v: tf.train.Saver().save(sess, "model", latest_filename="a/b")),
     ValueError, r"^'latest_filename' must not contain path components$"),
    ("Saver.save/empty-path", lambda: _session(lambda sess, v: tf.train.Saver().save(sess, "")),
     ValueError, r"save_path '' names no file: give a prefix such as 'checkpoints/model'"),
    ("Saver.save/nul-in-path", lambda: _session(
        lambda sess, v: tf.train.Saver().save(sess, "mo\0del")),
     ValueError, r"save_path 'mo\\x00del' contains a NUL character"),
    ("Saver.save/unwritable-directory", lambda: _session(
        lambda sess, v: tf.train.Saver().save(sess, "/proc/model")),
     (E.NotFoundError, E.PermissionDeniedError), r"^Failed to save checkpoint /proc/model: "),
    ("list_variables/missing-checkpoint", lambda: tf.train.list_variables("nothere"),
     E.NotFoundError, r"Failed to find any matching files for nothere$"),
    ("latest_checkpoint/type-int-directory", lambda: tf.train.latest_checkpoint(5),
     TypeError, r"checkpoint_dir must be a string or path-like, got 5 of type int"),
    # session options
    ("run/type-string-options", lambda: _session(lambda sess, v: sess.run(v, options="abc")),
     TypeError, r"options must be a tf.RunOptions, got 'abc' of type str"),
    ("run/type-dict-run-metadata", lambda: _session(
        lambda sess, v: sess.run(v, options=tf.RunOptions(), run_metadata={})),
     TypeError, r"run_metadata must be a tf.RunMetadata, got \{\} of type dict"),
    ("RunOptions/unknown-trace-level", lambda: tf.RunOptions(trace_level="FULL"),
     ValueError, r"Enum RunOptions.TraceLevel has no value defined for name 'FULL'"),
    ("ConfigProto/type-string-threads", lambda: tf.ConfigProto(inter_op_parallelism_threads="x"),
     TypeError, r"'x' has type str, but expected one of: int \(for field inter_op_parallelism"),
    # runtime failures: the op's name and line; _run_with_update checks the session is intact
    ("runtime/placeholder-unfed", lambda: _run_with_update(
        lambda: tf.placeholder(tf.float32, [None, 3], name="x") * 2.0, {}),
     IA, r"feed a value for placeholder tensor 'x' with dtype float and shape \[\?,3" + node("x")),
    ("runtime/variable-uninitialized", lambda: _run_with_update(
        lambda: tf.Variable([1.0], name="weights") * 2.0),
     E.FailedPreconditionError, r"use uninitialized value weights" + node("weights/read")),
    ("runtime/add-shapes", lambda: _run_with_update(
        lambda: tf.add(_p(shape=[None]), _p(shape=[None], name="q"), name="sum_pq"),
        {"p:0": [1, 2], "q:0": [1, 2, 3]}),
     IA, r"AddV2 failed: .*shapes \(2,\) \(3,\)" + node("sum_pq")),
    ("runtime/reshape-elements", lambda: _run_with_update(
        lambda: tf.reshape(_p(), [2, 2], name="rs"), {"p:0": [1.0, 2.0, 3.0]}),
     IA, r"Input to reshape is a tensor with 3 values, but the requested shape has 4" + node("rs")),
    ("runtime/gather-index", lambda: _run_with_update(
        lambda: tf.gather(tf.zeros([3]), _p(tf.int32), name="g"), {"p:0": [5]}),
     IA, r"indices\[0\] = 5 is not in \[0, 3\)" + node("g")),
    ("runtime/concat-shapes", lambda: _run_with_update(
        lambda: tf.concat([_p(), tf.zeros([2, 2])], 0, name="cc"), {"p:0": np.zeros((2, 3))}),
     IA, r"ConcatV2 failed: .*dimension 1" + node("cc")),
    ("runtime/int-division-by-zero", lambda: _run_with_update(
        lambda: tf.floordiv(_p(tf.int32), 0, name="fd"), {"p:0": 3}),
     IA, r"Integer division by zero" + node("fd")),
    ("runtime/check-numerics-nan", lambda: _run_with_update(
        lambda: tf.check_numerics(tf.log(_p()), "log of p", name="cn"), {"p:0": -1.0}),
     IA, r"log of p : Tensor had NaN values" + node("cn")),
    ("runtime/check-numerics-inf", lambda: _run_with_update(
        lambda: tf.check_numerics(_p(), "fed", name="cn"), {"p:0": [1.0, np.inf]}),
     IA, r"fed : Tensor had Inf values" + node("cn")),
    ("runtime/argmax-of-empty", lambda: _run_with_update(
        lambda: tf.argmax(_p(shape=[None]), 0, name="am"), {"p:0": []}),
     IA, r"ArgMax failed: .*empty" + node("am")),
    ("runtime/assign-shape", lambda: _run_with_update(
        lambda: tf.assign(tf.Variable([1.0, 2.0], name="v"), _p(), name="store"),
        {"p:0": [1.0, 2.0, 3.0]}),
     IA, r"Assign requires shapes of both tensors to match. lhs shape= \[2\] rhs shape= \[3\]"
         + node("store")),
    ("runtime/assign-add-shape", lambda: _run_with_update(
        lambda: tf.assign_add(tf.global_variables()[0], _p(tf.int32), name="bump"),
        {"p:0": [1, 2]}),
     IA, r"Parameters and update must be the same size: variable 'counter' has shape \[\] but "
         r"the update has shape \[2\]" + node("bump")),
    ("runtime/py-func-raises", lambda: _run_with_update(
        lambda: tf.py_func(lambda x: int(x) // 0, [tf.constant(1)], tf.int64, name="user_fn")),
     E.UnknownError, r"PyFunc failed: ZeroDivisionError: integer division or modulo"
                     + node("user_fn")),
    ("runtime/py-func-result-count", lambda: _run_with_update(
        lambda: tf.py_func(lambda x: (x, x), [tf.constant(1.0)], [tf.float32], name="pair")),
     IA, r"returns 2 values, but expects to see 1 values" + node("pair")),
    ("runtime/assert-fails", lambda: _run_with_update(
        lambda: tf.Assert(tf.constant(False), ["bad thing"], name="guard")),
     IA, r"assertion failed: \[bad thing\]" + node("guard/Assert")),
    ("runtime/random-uniform-empty-range", lambda: _run_with_update(
        lambda: tf.random_uniform([2], 5, 1, dtype=tf.int32, name="draw")),
     IA, r"Need minval < maxval: 5 >= 1" + node("draw")),
    ("runtime/sparse-xent-label-range", lambda: _run_with_update(
        lambda: SPARSE_XENT(name="xent", labels=_p(tf.int32), logits=tf.zeros([2, 4])),
        {"p:0": [5, 0]}),
     IA, r"label value of 5 which is outside the valid range of \[0, 4\)" + node("xent/xent")),
    ("runtime/softmax-xent-shapes", lambda: _run_with_update(
        lambda: XENT(name="xent", labels=_p(shape=[None, None]), logits=tf.zeros([2, 3])),
        {"p:0": np.zeros((2, 4))}),
     IA, r"must be same size: logits_size=\[2,3\] labels_size=\[2,4\]" + node("xent")),
    ("runtime/cond-branch-fails", lambda: _run_with_update(
        lambda: _cond_on_fed(lambda q: tf.reshape(q, [2], name="inner")),
        {"b:0": True, "q:0": [1.0, 2.0, 3.0]}),
     IA, r"Input to reshape is a tensor with 3 values" + node("true/inner")),
    ("runtime/while-body-fails", lambda: _run_with_update(
        lambda: _loop(lambda i: i + tf.gather([1, 2], i * 5, name="step"))),
     IA, r"indices = 5 is not in \[0, 2\)" + node("body/step")),
    ("runtime/zeros-huge", lambda: _run_with_update(lambda: tf.zeros([2**40, 2**40], name="big")),
     E.ResourceExhaustedError, r"Fill failed: .*too big" + node("big")),
    ("runtime/ones-huge", lambda: _run_with_update(
        lambda: tf.ones([2**31, 2**31], tf.int8, name="big")),
     E.ResourceExhaustedError, r"Fill failed: MemoryError: .*\(2147483648, 2147" + node("big")),
    ("runtime/broadcast-too-big-to-fetch", lambda: _run_with_update(
        lambda: tf.broadcast_to(tf.constant(1.0), [2**20, 2**20], name="wide")),
     E.ResourceExhaustedError, r"BroadcastTo failed: MemoryError: .*\(1048576, 1048576\)"
                               + node("wide")),
    ("runtime/fed-view-too-big-to-fetch", lambda: _run_with_update(
        lambda: tf.identity(_p(), name="same"), {"p:0": np.broadcast_to(np.float32(0), (2**40,))}),
     E.ResourceExhaustedError, r"Identity failed: MemoryError: .*\(1099511627776,\)"
                               + node("same")),
    ("runtime/gather-from-a-scalar", lambda: _run_with_update(
        lambda: tf.gather(_p(), [0], name="g"), {"p:0": 1.0}),
     IA, r"GatherV2 failed: ValueError: params must be at least 1 dimensional" + node("g")),
    # the magics' arguments: one-line UsageErrors naming the magic and the argument
    ("%graph/unknown-flag", lambda: _magic("graph", "--bogus"),
     UsageError, r"^%graph: unrecognized arguments: --bogus$"),
    ("%graph/not-an-int", lambda: _magic("graph", "--depth abc"),
     UsageError, r"^%graph: argument --depth: invalid int value: 'abc'$"),
    ("%graph/missing-value", lambda: _magic("graph", "-o"),
     UsageError, r"^%graph: argument -o/--output: expected one argument$"),
    ("%graph/not-drawable", lambda: _magic("graph", "[a, 3]"),
     UsageError, r"^%graph: Cannot draw int 3: expected a Graph, Tensor, Operation or Variable"),
    ("%graph/syntax-error", lambda: _magic("graph", "1 +"),
     UsageError, r"^%graph: cannot evaluate '1 \+': SyntaxError"),
    ("%graph/unwritable-output", lambda: _magic("graph", "--format dot -o no/such/dir/g.dot"),
     UsageError, r"^%graph: .*No such file or directory: 'no/such/dir/g.dot'$"),
    ("%%session/unknown-flag", lambda: _magic("session", "--bogus"),
     UsageError, r"^%%session: unrecognized arguments: --bogus$"),
    ("%%session/keyword-as-name", lambda: _magic("session", "-n class"),
     UsageError, r"^%%session: -n needs a Python name, got 'class'$"),
    ("%%session/value-for-a-switch", lambda: _magic("session", "--trace=3"),
     UsageError, r"^%%session: argument --trace: ignored explicit argument '3'$"),
]


def _params(rows):
    for name, call, error, pattern, *bug in rows:
        marks = [pytest.mark.xfail(strict=True, reason=bug[0])] if bug else []
        yield pytest.param(call, error, pattern, id=name, marks=marks)


@pytest.mark.parametrize("call, error, pattern", list(_params(ROWS)))
def test_bad_input_raises_tfs_class_with_a_message_naming_the_culprit(call, error, pattern,
                                                                      tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(error, match=pattern) as caught:
        call()
    message = str(caught.value)
    if isinstance(caught.value, UsageError):
        assert "\n" not in message
    site = re.search(r"defined at \S*test_bad_inputs\.py:(\d+)\)", message)
    if site:  # NOTE: the line named is the one that built the failing op, under its own name
        line = linecache.getline(__file__, int(site[1]))
        assert any(f'"{part}"' in line for part in caught.value.op.name.split("/")), line


def test_the_matrix_covers_every_entry_point():
    entries = {name.split("/")[0].split(".")[0] for name, *_ in ROWS}
    assert {"Session", "run", "feed", "make_callable", "Variable", "get_variable", "assign",
            "Saver", "runtime", "%graph", "%%session", "cond", "while_loop", "py_func",
            "nn"} <= entries


# --- inputs TF accepts: NaN, Inf and empty values give TF's results, not errors ----------------

TOLERATED = [
    ("log-of-negative-is-nan", lambda: _run(tf.log(_p()), {"p:0": -1.0}), np.float32(np.nan)),
    ("float-division-by-zero-is-inf", lambda: _run(_p() / 0.0, {"p:0": 1.0}), np.float32(np.inf)),
    ("nan-fed-to-a-float-flows-through", lambda: _run(_p() + 1.0, {"p:0": np.nan}),
     np.float32(np.nan)),
    ("sum-of-empty-is-zero", lambda: _run(tf.reduce_sum(_p(shape=[None, 3])),
                                          {"p:0": np.zeros((0, 3))}), np.float32(0.0)),
    ("max-of-empty-is-minus-inf", lambda: _run(tf.reduce_max(_p(shape=[None])), {"p:0": []}),
     np.float32(-np.inf)),
    ("mean-of-empty-is-nan", lambda: _run(tf.reduce_mean(_p(shape=[None])), {"p:0": []}),
     np.float32(np.nan)),
    ("empty-matrix-feed", lambda: _run(_p(shape=[None, 3]), {"p:0": np.zeros((0, 3))}),
     np.zeros((0, 3), np.float32)),
    ("empty-fetch-list", lambda: _run([], nonempty=True), []),
    ("empty-fetch-dict", lambda: _run({}, nonempty=True), {}),
    ("empty-feed-dict", lambda: _run(tf.constant(2.0), {}), np.float32(2.0)),
]


@pytest.mark.parametrize("call, expected", [pytest.param(*row[1:], id=row[0])
                                            for row in TOLERATED])
def test_inputs_tf_accepts_give_tf_results_not_errors(call, expected):
    result = call()
    if isinstance(expected, (list, dict)):
        assert result == expected and type(result) is type(expected)
    else:
        assert np.asarray(result).dtype == np.asarray(expected).dtype
        np.testing.assert_array_equal(result, expected)
