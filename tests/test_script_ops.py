"""py_func, tf.Print, tf.print, check_numerics and Assert: what runs, what prints (in TF's
formats), and which errors come out of `Session.run`."""
from __future__ import annotations

import io
import sys

import numpy as np
import pytest

import session_magic as tf
from session_magic.ops.script_ops import summarize_v1, summarize_v2


def _run(fetches, feed_dict=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed_dict)


# --- py_func -------------------------------------------------------------------------------------

def test_py_func_with_one_dtype_returns_a_tensor_of_unknown_shape():
    out = tf.py_func(lambda a: a * 2, [tf.constant([1.0, 2.0])], tf.float32)
    assert isinstance(out, tf.Tensor) and out.op.type == "PyFunc" and out.op.name == "PyFunc"
    assert out.shape.ndims is None and out.dtype == tf.float32
    np.testing.assert_array_equal(_run(out), [2.0, 4.0])


def test_py_func_with_a_list_of_dtypes_returns_a_list():
    outs = tf.py_func(lambda a: [a + 1], [tf.constant(1)], [tf.int32])
    assert isinstance(outs, list) and len(outs) == 1
    assert _run(outs) == [2]


def test_py_func_results_must_have_the_declared_dtype_as_in_tf():
    assert _run(tf.py_func(lambda: np.float32(0.5), [], tf.float32)).dtype == np.float32
    # NOTE: TF 2.21's message: a Python float is a double
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="0-th value returned by pyfunc_1 is double, but expects float"):
        _run(tf.py_func(lambda: 0.5, [], tf.float32))


def test_py_func_receives_scalars_as_numpy_scalars_and_strings_as_bytes():
    seen = []
    out = tf.py_func(lambda n, s: seen.append((n, s)) or n, [tf.constant(3), tf.constant("a")],
                     tf.int32)
    _run(out)
    assert seen == [(3, b"a")] and isinstance(seen[0][0], np.int32)


def test_py_func_results_are_copied_so_a_function_may_refill_the_array_it_returned():
    buffer = np.zeros(3)

    def fill(k):
        buffer[:] = k
        return buffer
    k = tf.placeholder(tf.float64, [], name="k")
    out = tf.py_func(fill, [k], tf.float64)
    v = tf.Variable(np.zeros(3), name="v")
    store = v.assign(out)
    with tf.Session() as sess:
        sess.run(v.initializer)
        first = sess.run(out, {k: 1.0})
        sess.run(store, {k: 2.0})
        sess.run(store, {k: 3.0})  # the function writes into its array again
        np.testing.assert_array_equal(first, [1.0] * 3)  # as TF: each result is its own
        np.testing.assert_array_equal(sess.run(v), [3.0] * 3)
        buffer[:] = 9.0
        np.testing.assert_array_equal(sess.run(v), [3.0] * 3)  # the store holds no view of it


def test_py_func_without_outputs_returns_its_operation_and_runs_each_time():
    calls = []
    op = tf.py_func(lambda x: calls.append(int(x)), [tf.constant(5)], [])
    assert isinstance(op, tf.Operation)
    with tf.Session() as sess:
        sess.run(op)
        sess.run(op)
    assert calls == [5, 5]


def test_py_func_returning_the_wrong_number_of_values_is_invalid_argument():
    out = tf.py_func(lambda: (1.0, 2.0), [], tf.float32)
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="pyfunc_0 returns 2 values, but expects to see 1 values."):
        _run(out)


def test_py_func_user_exception_becomes_an_op_error_caused_by_it():
    def fails(x):
        raise ValueError("the user's message")

    out = tf.py_func(fails, [tf.constant(1.0)], tf.float32, name="user_code")
    with pytest.raises(tf.errors.InvalidArgumentError, match="the user's message") as caught:
        _run(out)
    assert isinstance(caught.value.__cause__, ValueError)
    assert str(caught.value.__cause__) == "the user's message"
    assert caught.value.op is out.op


def test_py_func_other_exceptions_are_unknown_errors_as_in_tf():
    out = tf.numpy_function(lambda: {}["missing"], [], tf.float32)
    with pytest.raises(tf.errors.UnknownError) as caught:
        _run(out)
    assert isinstance(caught.value.__cause__, KeyError)


def test_py_func_result_that_cannot_be_converted_fails_at_run_time():
    out = tf.py_func(lambda: "not a number", [], tf.float32)
    with pytest.raises(tf.errors.InvalidArgumentError):
        _run(out)


# --- tf.Print ------------------------------------------------------------------------------------

def test_Print_passes_input_through_and_writes_message_and_data_to_stderr(capsys):
    x = tf.constant([1, 2, 3, 4, 5])
    out = tf.Print(x, [x, tf.constant(2.5)], message="x: ")
    assert out.op.type == "Print" and out.op.name == "Print" and out.shape.as_list() == [5]
    np.testing.assert_array_equal(_run(out), [1, 2, 3, 4, 5])
    captured = capsys.readouterr()
    assert captured.err == "x: [1 2 3...][2.5]\n" and captured.out == ""


def test_Print_honours_first_n_and_summarize(capsys):
    x = tf.constant([1.5, 2.5, 3.5])
    out = tf.Print(x, [x], "v", first_n=2, summarize=1)
    with tf.Session() as sess:
        for _ in range(4):
            sess.run(out)
    assert capsys.readouterr().err == "v[1.5...]\nv[1.5...]\n"


@pytest.mark.parametrize("value, summarize, text", [
    (np.arange(1, 6), 3, "1 2 3..."),
    (np.array([[1, 2, 3], [4, 5, 6]]), 3, "[1 2 3]..."),
    (np.array([[1, 2], [3, 4]]), 3, "[1 2][3...]..."),
    (np.array([[1, 2], [3, 4]]), -1, "[1 2][3 4]"),
    (np.int32(7), 3, "7"),
    (np.array([0.1, 1.0, 1e-7], np.float32), 3, "0.1 1 1e-07"),
    (np.array([True, False]), 3, "1 0"),
    (np.array([b"a\nb", b"c"], dtype=object), 3, "a\\nb c"),
])
def test_Print_formats_values_as_TF_SummarizeValue(value, summarize, text):
    assert summarize_v1(value, summarize) == text


# --- tf.print ------------------------------------------------------------------------------------

def test_print_returns_an_operation_that_prints_when_run(capsys):
    op = tf.print("values:", tf.constant([1, 2, 3]))
    assert isinstance(op, tf.Operation) and op.type == "PrintV2" and op.name == "PrintV2"
    assert capsys.readouterr().err == ""
    assert _run(op) is None
    assert capsys.readouterr().err == "values: [1 2 3]\n"


def test_print_to_stdout_with_sep_and_end(capsys):
    op = tf.print("a", tf.constant(1.5), {"k": tf.constant(2)}, output_stream=sys.stdout,
                  sep="|", end="!\n")
    _run(op)
    assert capsys.readouterr().out == "a|1.5|{'k': 2}!\n"


def test_print_looks_up_sys_stdout_when_it_runs(monkeypatch):
    op = tf.print(tf.constant([1, 2]), output_stream=sys.stdout)
    captured = io.StringIO()
    monkeypatch.setattr(sys, "stdout", captured)
    _run(op)
    assert captured.getvalue() == "[1 2]\n"


def test_print_writes_to_a_given_file_object():
    stream = io.StringIO()
    _run(tf.print("n =", tf.constant(3), output_stream=stream))
    assert stream.getvalue() == "n = 3\n"


def test_print_summarizes_both_ends_and_quotes_strings_inside_templates():
    stream = io.StringIO()
    _run(tf.print(tf.constant(np.arange(10)), tf.constant("s"), output_stream=stream))
    assert stream.getvalue() == '[0 1 2 ... 7 8 9] "s"\n'


def test_print_of_a_single_string_scalar_prints_it_raw():
    stream = io.StringIO()
    _run(tf.print(tf.constant("just this"), output_stream=stream))
    assert stream.getvalue() == "just this\n"


def test_print_rejects_an_unknown_output_stream():
    with pytest.raises(ValueError, match="Unsupported output stream or logging level 5"):
        tf.print("x", output_stream=5)


@pytest.mark.parametrize("value, summarize, text", [
    (np.array([[1, 2], [3, 4]]), 3, "[[1 2]\n [3 4]]"),
    (np.arange(8).reshape(2, 2, 2), 3, "[[[0 1]\n  [2 3]]\n\n [[4 5]\n  [6 7]]]"),
    (np.arange(10), 2, "[0 1 ... 8 9]"),
    (np.arange(10), -1, "[0 1 2 3 4 5 6 7 8 9]"),
    (np.float32(0.5), 3, "0.5"),
])
def test_print_formats_values_as_TF_print_v2(value, summarize, text):
    assert summarize_v2(value, summarize) == text


# --- check_numerics, verify_tensor_all_finite ----------------------------------------------------

@pytest.mark.parametrize("values, found", [
    ([1.0, np.nan], "NaN"), ([np.inf, 1.0], "Inf"), ([np.nan, -np.inf], "Inf and NaN"),
])
def test_check_numerics_names_what_it_found(values, found):
    x = tf.placeholder(tf.float32)
    checked = tf.check_numerics(x, "bad values")
    assert checked.op.name == "CheckNumerics"
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=f"bad values : Tensor had {found} values"):
        _run(checked, {x: values})


def test_check_numerics_passes_finite_values_through():
    np.testing.assert_array_equal(_run(tf.check_numerics([1.0, 2.0], "ok")), [1.0, 2.0])


def test_check_numerics_accepts_only_floats():
    with pytest.raises(TypeError, match="parameter 'tensor' has DataType int32"):
        tf.check_numerics(tf.constant([1]), "ints")


def test_verify_tensor_all_finite_gates_the_value_on_the_check():
    x = tf.placeholder(tf.float64)
    out = tf.verify_tensor_all_finite(x, "not finite")
    assert out.op.name == "VerifyFinite/control_dependency"
    assert _run(out, {x: 2.0}) == 2.0
    with pytest.raises(tf.errors.InvalidArgumentError, match="not finite : Tensor had Inf"):
        _run(out, {x: np.inf})


# --- Assert and assert_equal ---------------------------------------------------------------------

def test_Assert_fails_with_its_data_when_the_condition_is_false():
    flag = tf.placeholder(tf.bool, [])
    op = tf.Assert(flag, ["x must be positive", tf.constant([-1, 2, 3, 4])])
    assert isinstance(op, tf.Operation) and op.name == "Assert/Assert"
    assert _run(op, {flag: True}) is None
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"assertion failed: \[x must be positive\] \[-1 2 3\.\.\.\]"):
        _run(op, {flag: False})


def test_Assert_condition_must_be_a_scalar_bool():
    with pytest.raises(ValueError, match="Shape must be rank 0 but is rank 1"):
        tf.Assert(tf.constant([True]), ["x"])
    with pytest.raises(TypeError, match="parameter 'condition' has DataType int32"):
        tf.Assert(tf.constant(1), ["x"])


def test_assert_equal_on_constants_fails_while_building():
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="Condition x == y did not hold element-wise:"):
        tf.assert_equal(tf.constant([1, 2]), tf.constant([1, 3]))


def test_assert_equal_checks_fed_values_at_run_time():
    x = tf.placeholder(tf.int32, [2])
    op = tf.assert_equal(x, [1, 2], message="mismatch")
    assert _run(op, {x: [1, 2]}) is None
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"assertion failed: \[mismatch\] \[Condition x == y did not hold"):
        _run(op, {x: [1, 5]})
