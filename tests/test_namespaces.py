"""The namespaces TF 1 code imports: compat.v1, nn, math, train, errors, dtypes, and TF 1's
aliases and no-ops, checked against the top-level API they mirror."""
import importlib

import numpy as np
import pytest

import session_magic as sm
import session_magic.compat.v1 as v1

TF1_NAMES = [
    "Graph", "Session", "InteractiveSession", "Tensor", "Operation", "Variable", "TensorShape",
    "Dimension", "DType", "GraphKeys", "ConfigProto", "GPUOptions", "RunOptions", "RunMetadata",
    "constant", "placeholder", "placeholder_with_default", "identity", "get_variable",
    "variable_scope", "get_variable_scope", "AUTO_REUSE", "name_scope", "control_dependencies",
    "get_default_graph", "reset_default_graph", "get_default_session", "add_to_collection",
    "get_collection", "get_collection_ref", "global_variables_initializer",
    "initialize_all_variables", "variables_initializer", "global_variables",
    "trainable_variables", "report_uninitialized_variables", "is_variable_initialized",
    "assign", "assign_add", "assign_sub", "group", "no_op", "convert_to_tensor", "as_dtype",
    "is_tensor", "cond", "while_loop",
]


def test_compat_v1_runs_the_seed_program(capsys):
    tf = importlib.import_module("session_magic.compat.v1")
    x = tf.constant(1)
    y = tf.constant(2)
    z = x + y
    with tf.Session() as sess:
        print(sess.run(x))
        print(sess.run(y))
        print(sess.run(z))
    assert capsys.readouterr().out == "1\n2\n3\n"


@pytest.mark.parametrize("name", TF1_NAMES)
def test_tf1_names_exist_and_compat_v1_has_the_same_objects(name):
    assert getattr(v1, name) is getattr(sm, name)


def test_compat_v1_mirrors_every_public_name_including_late_ones():
    public = [n for n in dir(sm) if not n.startswith("_")]
    assert [n for n in public if getattr(v1, n) is not getattr(sm, n)] == []
    assert v1.disable_eager_execution is sm.disable_eager_execution and v1.newaxis is None
    with pytest.raises(AttributeError, match="has no attribute 'no_such_name'"):
        _ = v1.no_such_name


def test_compat_v2_is_provided_for_code_that_asks():
    assert sm.compat.v1 is v1 and sm.compat.v2.Session is sm.Session


def test_classic_v2_to_v1_preamble_is_harmless(capsys):
    tf = v1
    tf.disable_eager_execution()
    tf.disable_v2_behavior()
    assert tf.executing_eagerly() is False
    with tf.Session() as sess:
        print(sess.run(tf.constant(2) * 3))
    assert capsys.readouterr().out == "6\n"


def test_eager_execution_cannot_be_enabled():
    with pytest.raises(NotImplementedError, match="graph mode only"):
        sm.enable_eager_execution()


def test_submodules_exist():
    for name in ("nn", "math", "train", "errors", "dtypes", "compat"):
        module = getattr(sm, name)
        assert module is importlib.import_module(f"session_magic.{name}")


def test_errors_namespace_has_tf_classes():
    assert issubclass(sm.errors.InvalidArgumentError, sm.errors.OpError)
    assert issubclass(sm.errors.FailedPreconditionError, sm.errors.OpError)
    assert sm.errors.OpError.__mro__[1] is Exception


@pytest.mark.parametrize("name, numpy_type", [
    ("float16", np.float16), ("float32", np.float32), ("float64", np.float64),
    ("int8", np.int8), ("int16", np.int16), ("int32", np.int32), ("int64", np.int64),
    ("uint8", np.uint8), ("bool", np.bool_), ("complex64", np.complex64),
    ("complex128", np.complex128),
])
def test_dtype_names_at_top_level_and_in_dtypes(name, numpy_type):
    dtype = getattr(sm, name)
    assert dtype is getattr(sm.dtypes, name) and dtype.as_numpy_dtype is numpy_type
    assert dtype.name == name and sm.as_dtype(name) is dtype and sm.as_dtype(numpy_type) is dtype


def test_dtype_aliases_and_printing():
    assert sm.half is sm.float16 and sm.double is sm.float64 and sm.string.name == "string"
    assert str(sm.float32) == "<dtype: 'float32'>" and repr(sm.float32) == "tf.float32"
    assert sm.float32 == "float32" and sm.float32 == np.float32 and sm.float32 != sm.float64


def test_newaxis_is_none():
    assert sm.newaxis is None


def test_initialize_all_variables_is_the_global_initializer():
    v = sm.Variable(4)
    init = sm.initialize_all_variables()
    with sm.Session() as sess:
        sess.run(init)
        assert sess.run(v) == 4 and init.name == "init"


def test_tf_logging_verbosity():
    previous = sm.logging.get_verbosity()
    sm.logging.set_verbosity(sm.logging.ERROR)
    try:
        assert sm.logging.get_verbosity() == sm.logging.ERROR == 40
        sm.logging.info("quiet %s", 1)
    finally:
        sm.logging.set_verbosity(previous)


@pytest.mark.parametrize("alias, dtype, op_name", [
    ("to_float", sm.float32, "ToFloat"), ("to_double", sm.float64, "ToDouble"),
    ("to_int32", sm.int32, "ToInt32"), ("to_int64", sm.int64, "ToInt64"),
])
def test_tf1_cast_aliases(alias, dtype, op_name):
    result = getattr(sm, alias)(sm.constant([1.7, -2.0], sm.float16))
    assert result.dtype is dtype and result.op.name == op_name and result.op.type == "Cast"
    with sm.Session() as sess:
        assert sess.run(result).tolist() == pytest.approx([1.7, -2.0] if dtype.is_floating
                                                          else [1, -2], rel=1e-3)


def test_tf_math_and_top_level_share_builders():
    assert sm.math.add is sm.add and sm.math.reduce_sum is sm.reduce_sum
