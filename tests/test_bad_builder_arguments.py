"""Bad Python arguments to op builders and variables: each is TF's TypeError or ValueError at
build time, naming the argument and its value, instead of a silently wrong graph or a raw
Python error from deep inside (IndexError, AttributeError, OverflowError, ZeroDivisionError).
A failed build adds no op. Inputs of unknown rank fed a bad rank fail when run, with TF's text
for the rank problem, as InvalidArgumentError naming the op and the line that built it."""
import re

import numpy as np
import pytest

import session_magic as tf

IA = tf.errors.InvalidArgumentError
HINT = r".*reset_default_graph\(\)"  # the part of a foreign-graph error that says how to fix it


def node(name):
    """The line TF adds to a runtime error: the failing op and where in this file it was made."""
    return rf".*\n\t \[\[node {re.escape(name)} \(defined at \S*test_bad_builder_arguments\.py:\d+"


def _foreign(name="foreign"):
    """A tensor of another graph, like one made before `reset_default_graph()`."""
    with tf.Graph().as_default():
        return tf.constant(1.0, name=name)


class _Given:
    """What the bad calls are given, built before each call so that the graph can be compared
    before and after it."""

    def __init__(self):
        self.x = tf.constant([[1.0, 2.0], [3.0, 4.0]], name="x")
        self.doubled = tf.multiply(self.x, 2.0, name="doubled")
        self.c = tf.constant(1.0, name="c")
        self.logits = tf.constant([[1.0, 2.0]], name="logits")
        self.mask = tf.constant([True, False], name="mask")
        self.minus_one = tf.constant(-1, name="minus_one")
        self.v = tf.Variable(1.0, name="v")
        self.foreign = _foreign()


def _enter(context):
    with context:
        pass


def _p(dtype=tf.float32, name="p"):
    """A placeholder of unknown shape: any rank can be fed to it."""
    return tf.placeholder(dtype, name=name)


def _run(fetch, feeds):
    with tf.Session() as sess:
        return sess.run(fetch, feeds)


# --- bad arguments caught while building: (id, bad call, TF's error class, culprit pattern) -----

BUILD_ROWS = [
    # flags: a string or an array is not a bool (truthiness read "False" as True)
    ("reduce_sum/keepdims-string", lambda g: tf.reduce_sum(g.x, 0, keepdims="False"),
     TypeError, r"^Expected bool for argument 'keepdims' not 'False'\.$"),
    ("reduce_sum/keepdims-empty-array", lambda g: tf.reduce_sum(g.x, 0, keepdims=np.array([])),
     TypeError, r"Expected bool for argument 'keepdims' not array\(\[\]"),
    ("reduce_mean/keep-dims-string", lambda g: tf.reduce_mean(g.x, keep_dims="yes"),
     TypeError, r"Expected bool for argument 'keep_dims' not 'yes'"),
    ("matmul/transpose-a-string", lambda g: tf.matmul(g.x, g.x, transpose_a="no"),
     TypeError, r"Expected bool for argument 'transpose_a' not 'no'"),
    ("matmul/adjoint-b-int", lambda g: tf.matmul(g.x, g.x, adjoint_b=1),
     TypeError, r"Expected bool for argument 'adjoint_b' not 1"),
    ("cumsum/exclusive-and-reverse-strings", lambda g: tf.cumsum(g.x, exclusive="x", reverse="x"),
     TypeError, r"Expected bool for argument 'exclusive' not 'x'"),
    ("cumprod/reverse-string", lambda g: tf.cumprod(g.x, reverse="x"),
     TypeError, r"Expected bool for argument 'reverse' not 'x'"),
    ("transpose/conjugate-string", lambda g: tf.transpose(g.x, conjugate="no"),
     TypeError, r"Expected bool for argument 'conjugate' not 'no'"),
    ("nn.moments/keep-dims-string", lambda g: tf.nn.moments(g.x, [0], keep_dims="no"),
     TypeError, r"Expected bool for argument 'keep_dims' not 'no'"),
    # values: an int in a string array is not one zero byte
    ("constant/object-array-with-an-int", lambda g: tf.constant(np.array([1, "a"], dtype=object)),
     TypeError, r"Expected binary or unicode string, got 1"),
    # shapes: strings, sets, generators and fractions are not dims
    ("zeros/bytes-shape", lambda g: tf.zeros(b"ab"),
     TypeError, r"Cannot convert b'ab' to a TensorShape\. A string has ambiguous TensorShape, "
                r"please wrap in a list or convert to an int\."),
    ("placeholder/bytes-shape", lambda g: tf.placeholder(tf.float32, b"ab"),
     TypeError, r"Cannot convert b'ab' to a TensorShape\. A string has ambiguous TensorShape"),
    ("zeros/set-shape", lambda g: tf.zeros({2, 3}),
     TypeError, r"Cannot convert \{2, 3\} to a TensorShape: a set has no fixed order"),
    ("placeholder/generator-shape", lambda g: tf.placeholder(tf.float32, (n for n in [2, 3])),
     TypeError, r"Cannot convert <generator .*> to a TensorShape: a generator .*read only once"),
    ("constant/fractional-shape", lambda g: tf.constant(1, shape=[2.5]),
     ValueError, r"Ambiguous dimension: 2.5"),
    ("reduce_sum/axis-of-rank-2", lambda g: tf.reduce_sum(g.x, axis=[[0]]),
     ValueError, r"Shape must be at most rank 1 but is rank 2 for axis \[\[0\]\]"),
    # counts: too small, not integers
    ("split/zero-parts", lambda g: tf.split(g.x, 0),
     ValueError, r"^Attr 'num_split' of 'Split' Op passed 0 less than minimum 1\.$"),
    ("unstack/inf-num", lambda g: tf.unstack(g.x, num=float("inf")),
     TypeError, r"Expected int for argument 'num' not inf\."),
    ("assert_equal/inf-summarize", lambda g: tf.assert_equal(g.x, g.x, summarize=float("inf")),
     TypeError, r"Expected int for argument 'summarize' not inf\."),
    ("multinomial/negative-num-samples", lambda g: tf.multinomial(g.logits, -1),
     ValueError, r"num_samples should be nonnegative, got -1"),
    ("multinomial/negative-constant-num-samples", lambda g: tf.multinomial(g.logits, g.minus_one),
     ValueError, r"num_samples should be nonnegative, got -1"),
    ("random.categorical/negative-num-samples", lambda g: tf.random.categorical(g.logits, -1),
     ValueError, r"num_samples should be nonnegative, got -1"),
    ("range/inf-limit", lambda g: tf.range(float("inf")),
     ValueError, r"Requires start, limit and delta to be finite, got limit = inf"),
    ("range/nan-limit", lambda g: tf.range(0.0, float("nan")),
     ValueError, r"Requires start, limit and delta to be finite, got limit = nan"),
    # seeds: an int or None, checked in one place
    ("random_normal/inf-seed", lambda g: tf.random_normal([2], seed=float("inf")),
     TypeError, r"^Expected int for argument 'seed' not inf\.$"),
    ("random_uniform/inf-seed", lambda g: tf.random_uniform([2], seed=float("inf")),
     TypeError, r"Expected int for argument 'seed' not inf\."),
    ("truncated_normal/nan-seed", lambda g: tf.truncated_normal([2], seed=float("nan")),
     TypeError, r"Expected int for argument 'seed' not nan\."),
    ("random_shuffle/string-seed", lambda g: tf.random_shuffle(g.x, seed="abc"),
     TypeError, r"Expected int for argument 'seed' not 'abc'\."),
    ("multinomial/fractional-seed", lambda g: tf.multinomial(g.logits, 2, seed=1.5),
     TypeError, r"Expected int for argument 'seed' not 1.5\."),
    ("set_random_seed/inf", lambda g: tf.set_random_seed(float("inf")),
     TypeError, r"Expected int for argument 'seed' not inf\."),
    ("get_seed/nan", lambda g: tf.get_seed(float("nan")),
     TypeError, r"Expected int for argument 'seed' not nan\."),
    # axes: one check for every single-axis argument
    ("stack/fractional-axis", lambda g: tf.stack([g.x, g.x], axis=1.5),
     TypeError, r"axis must be integers, got 1.5"),
    ("stack/dict-axis", lambda g: tf.stack([g.x, g.x], axis={}),
     TypeError, r"axis must be integers, got \{\}"),
    ("nn.softmax/empty-axis", lambda g: tf.nn.softmax(g.x, axis=[]),
     TypeError, r"axis must be a single integer, got \[\]"),
    ("nn.softmax/empty-dim", lambda g: tf.nn.softmax(g.x, dim=[]),
     TypeError, r"dim must be a single integer, got \[\]"),
    ("nn.log_softmax/empty-axis", lambda g: tf.nn.log_softmax(g.x, axis=[]),
     TypeError, r"axis must be a single integer, got \[\]"),
    ("boolean_mask/empty-axis", lambda g: tf.boolean_mask(g.x, g.mask, axis=[]),
     TypeError, r"axis must be a single integer, got \[\]"),
    # other arguments of the wrong kind
    ("stack/datetime-as-values", lambda g: tf.stack(np.datetime64("2020-01-01")),
     TypeError, r"Expected list for 'values' argument to 'Pack' Op, not .*datetime64"),
    ("pad/none-mode", lambda g: tf.pad(g.x, [[1, 1], [1, 1]], mode=None),
     TypeError, r"mode must be a string \(CONSTANT, REFLECT or SYMMETRIC\), got None"),
    ("nn.bias_add/int-data-format", lambda g: tf.nn.bias_add(g.x, [1.0, 2.0], data_format=3),
     TypeError, r"data_format must be a string of the form `N...C` or `NC...`, got 3"),
    ("variable_scope/int-name", lambda g: _enter(tf.variable_scope(3)),
     TypeError, r"VariableScope: name_or_scope must be a string or VariableScope\. Got 3"),
    ("get_variable/glorot-for-an-int", lambda g: tf.get_variable(
        "w", [2], dtype=tf.int32, initializer=tf.glorot_uniform_initializer()),
     ValueError, r"Expected floating point type, got <dtype: 'int32'>"),
    # variables: refs, lists of variables, collections, sessions, graphs
    ("Variable/string-collections", lambda g: tf.Variable(1.0, collections="abc"),
     ValueError, r"^collections argument to Variable constructor must be a list, tuple, or set\. "
                 r"Got abc of type <class 'str'>$"),
    ("is_variable_initialized/tensor", lambda g: tf.is_variable_initialized(g.c),
     TypeError, r"IsVariableInitialized needs a variable as its first argument, got "
                r"<tf.Tensor 'c:0'"),
    ("assign/none-ref", lambda g: tf.assign(None, 1.0),
     TypeError, r"Assign needs a variable as its first argument, got None"),
    ("assign/list-ref", lambda g: tf.assign([g.v], 1.0),
     TypeError, r"Assign needs a variable as its first argument, got \[<tf.Variable 'v:0'"),
    ("assign/int-ref", lambda g: tf.assign(3, 1.0),
     TypeError, r"Assign needs a variable as its first argument, got 3"),
    ("assign_add/none-ref", lambda g: tf.assign_add(None, 1.0),
     TypeError, r"AssignAdd needs a variable as its first argument, got None"),
    ("assign_sub/list-ref", lambda g: tf.assign_sub([1], 1.0),
     TypeError, r"AssignSub needs a variable as its first argument, got \[1\]"),
    ("variables_initializer/string-in-list", lambda g: tf.variables_initializer(["a"]),
     TypeError, r"variables_initializer needs a list of Variables as var_list, but it holds 'a' "
                r"of type str"),
    ("initialize_variables/string-in-list", lambda g: tf.initialize_variables(["a"]),
     TypeError, r"needs a list of Variables as var_list, but it holds 'a' of type str"),
    ("report_uninitialized_variables/tensor-in-list", lambda g: (
        tf.report_uninitialized_variables([g.c])),
     TypeError, r"report_uninitialized_variables needs a list of Variables as var_list, but it "
                r"holds <tf.Tensor 'c:0'.* of type Tensor"),
    ("Tensor.eval/string-session", lambda g: g.x.eval(session="abc"),
     TypeError, r"The session passed to `eval\(session=...\)` must be a tf.Session, got 'abc' "
                r"of type str"),
    ("Operation.run/string-session", lambda g: g.v.initializer.run(session="abc"),
     TypeError, r"The session passed to `run\(session=...\)` must be a tf.Session, got 'abc'"),
    ("gradients/x-of-another-graph", lambda g: tf.gradients(g.doubled, g.foreign),
     ValueError, r"Tensor\(\"foreign:0\".*must be from the same graph as Tensor\(\"doubled:0\""
                 + HINT),
    ("gradients/stop-gradient-of-another-graph", lambda g: tf.gradients(
        g.doubled, g.x, stop_gradients=[g.foreign]),
     ValueError, r"Tensor\(\"foreign:0\".*must be from the same graph" + HINT),
]

# --- inputs of unknown rank fed a bad rank: the kernel's rank check, as TF words it ------------

RUN_ROWS = [
    ("gather_nd/scalar-indices", lambda g: _run(
        tf.gather_nd(_p(), _p(tf.int32, "i"), name="gnd"), {"p:0": [1.0, 2.0], "i:0": 0}),
     IA, r"GatherNd failed: ValueError: indices must be at least 1-dim, received shape: \[\]"
         + node("gnd")),
    ("gather_nd/scalar-params", lambda g: _run(
        tf.gather_nd(_p(), _p(tf.int32, "i"), name="gnd"), {"p:0": 1.0, "i:0": [0]}),
     IA, r"GatherNd failed: ValueError: params must be at least 1-dim, received shape: \[\]"
         + node("gnd")),
    ("matrix_diag/scalar", lambda g: _run(tf.matrix_diag(_p(), name="diag"), {"p:0": 1.0}),
     IA, r"MatrixDiag failed: ValueError: input must be at least 1-dim, received shape: \[\]"
         + node("diag")),
    ("matrix_set_diag/vector", lambda g: _run(
        tf.matrix_set_diag(_p(), _p(name="d"), name="set"), {"p:0": [1.0, 2.0], "d:0": [1.0, 2.0]}),
     IA, r"MatrixSetDiag failed: ValueError: input must be at least 2-dim, received shape: \[2\]"
         + node("set")),
    ("multinomial/scalar-logits", lambda g: _run(
        tf.multinomial(_p(), 2, name="draw"), {"p:0": 1.0}),
     IA, r"Multinomial failed: ValueError: logits should be a matrix, got shape \[\]"
         + node("draw/Multinomial")),
    ("scatter_nd/scalar-shape", lambda g: _run(
        tf.scatter_nd(_p(tf.int32, "i"), _p(name="u"), _p(tf.int32, "s"), name="scatter"),
        {"i:0": 0, "u:0": 1.0, "s:0": 3}),
     IA, r"ScatterNd failed: ValueError: Shape must be a 1-D tensor\. Got: \[\]"
         + node("scatter")),
    ("scatter_nd/scalar-indices", lambda g: _run(
        tf.scatter_nd(_p(tf.int32, "i"), _p(name="u"), _p(tf.int32, "s"), name="scatter"),
        {"i:0": 0, "u:0": 1.0, "s:0": [3]}),
     IA, r"ScatterNd failed: ValueError: indices must be at least 1-dim, received shape: \[\]"
         + node("scatter")),
    ("one_hot/vector-depth", lambda g: _run(
        tf.one_hot([0, 1], _p(tf.int32), name="hot"), {"p:0": [3]}),
     IA, r"OneHot failed: ValueError: depth must be a scalar, not shape \[1\]" + node("hot")),
    ("unsorted_segment_sum/vector-num-segments", lambda g: _run(
        tf.unsorted_segment_sum(g.logits[0], [0, 1], _p(tf.int32), name="seg"), {"p:0": [2]}),
     IA, r"UnsortedSegmentSum failed: ValueError: num_segments must be a scalar, not shape \[1\]"
         + node("seg")),
    # NOTE: TF's kernel takes a vector of one entry, as a scalar; two entries are refused
    ("range/vector-limit", lambda g: _run(tf.range(_p(tf.int32), name="r"), {"p:0": [3, 4]}),
     IA, r"Range failed: ValueError: limit must be a scalar, not shape \[2\]" + node("r")),
]

ROWS = BUILD_ROWS + RUN_ROWS


def _params(rows):
    return [pytest.param(call, error, pattern, id=name) for name, call, error, pattern in rows]


@pytest.mark.parametrize("call, error, pattern", _params(ROWS))
def test_bad_argument_raises_tfs_class_naming_it(call, error, pattern):
    given = _Given()
    with pytest.raises(error, match=pattern):
        call(given)


@pytest.mark.parametrize("call, error, pattern", _params(BUILD_ROWS))
def test_failed_build_adds_no_op(call, error, pattern):
    given = _Given()
    graph = tf.get_default_graph()
    before = graph.get_operations()
    with pytest.raises(error):
        call(given)
    assert graph.get_operations() == before


# --- good arguments still work: NumPy bools and ints, and Dimensions, are accepted ------------

def test_numpy_bools_and_ints_are_accepted_as_flags_and_counts():
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    kept = tf.reduce_sum(x, np.int64(0), keepdims=np.bool_(True))
    parts = tf.split(x, np.int32(2))
    rows = tf.unstack(x, num=x.shape[0])
    with tf.Session() as sess:
        assert sess.run(kept).tolist() == [[4.0, 6.0]]
        assert [p.tolist() for p in sess.run(parts)] == [[[1.0, 2.0]], [[3.0, 4.0]]]
        assert [r.tolist() for r in sess.run(rows)] == [[1.0, 2.0], [3.0, 4.0]]
