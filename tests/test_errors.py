"""The OpError family and client-side errors: TF 1's classes and texts, runtime errors that
name the failing op and the user's file and line, fetch errors that name the bad position."""
import os
import pickle
import sys

import numpy as np
import pytest

import session_magic as tf

HERE = os.path.relpath(__file__)


def _line() -> int:
    """The caller's current line number: where the op on that line was defined."""
    return sys._getframe(1).f_lineno


# --- the classes ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name, constant, code", [
    ("CancelledError", "CANCELLED", 1), ("UnknownError", "UNKNOWN", 2),
    ("InvalidArgumentError", "INVALID_ARGUMENT", 3),
    ("DeadlineExceededError", "DEADLINE_EXCEEDED", 4), ("NotFoundError", "NOT_FOUND", 5),
    ("AlreadyExistsError", "ALREADY_EXISTS", 6),
    ("PermissionDeniedError", "PERMISSION_DENIED", 7),
    ("ResourceExhaustedError", "RESOURCE_EXHAUSTED", 8),
    ("FailedPreconditionError", "FAILED_PRECONDITION", 9), ("AbortedError", "ABORTED", 10),
    ("OutOfRangeError", "OUT_OF_RANGE", 11), ("UnimplementedError", "UNIMPLEMENTED", 12),
    ("InternalError", "INTERNAL", 13), ("UnavailableError", "UNAVAILABLE", 14),
    ("DataLossError", "DATA_LOSS", 15), ("UnauthenticatedError", "UNAUTHENTICATED", 16),
])
def test_op_error_subclasses_carry_tf_error_codes(name, constant, code):
    error_class = getattr(tf.errors, name)
    error = error_class(None, None, "went wrong")
    assert issubclass(error_class, tf.errors.OpError) and error_class.__name__ == name
    assert (error.error_code, error.message, str(error)) == (code, "went wrong", "went wrong")
    assert getattr(tf.errors, constant) == code


def test_op_error_exposes_op_node_def_and_message():
    op = tf.constant(1, name="c").op
    error = tf.errors.OpError("node def", op, "message", tf.errors.INTERNAL)
    assert (error.op, error.node_def, error.message, error.error_code) == (
        op, "node def", "message", 13)


def test_op_errors_pickle_with_their_class_and_message():
    error = tf.errors.NotFoundError(None, None, "no such thing")
    restored = pickle.loads(pickle.dumps(error))
    assert type(restored) is tf.errors.NotFoundError and restored.message == "no such thing"


# --- runtime errors ------------------------------------------------------------------------------

def test_unfed_placeholder_names_itself():
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    y = x * 2.0
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match=r"You must feed a value for placeholder tensor 'x' with dtype "
                                 r"float and shape \[\?,3\]") as caught:
            sess.run(y)
    assert caught.value.op is x.op and caught.value.error_code == tf.errors.INVALID_ARGUMENT


def test_unfed_placeholder_of_unknown_or_scalar_shape_omits_the_shape():
    unknown = tf.placeholder(tf.int32, name="unknown")
    scalar = tf.placeholder(tf.float64, [], name="scalar")
    with tf.Session() as sess:
        for p, text in ((unknown, "dtype int32"), (scalar, "dtype double")):
            with pytest.raises(tf.errors.InvalidArgumentError) as caught:
                sess.run(p + p)
            assert caught.value.message.splitlines()[0].endswith(f"'{p.op.name}' with {text}")


def test_runtime_error_names_the_op_and_where_it_was_defined():
    x = tf.placeholder(tf.float32, name="x"); line = _line()  # noqa: E702
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError) as caught:
            sess.run(x + 1.0)
    assert f"\n\t [[node x (defined at {HERE}:{line}) ]]" in caught.value.message
    assert HERE.endswith(os.path.join("tests", "test_errors.py"))


def test_kernel_failure_is_an_op_error_naming_the_failing_op():
    v = tf.Variable([1.0, 2.0], name="v")
    p = tf.placeholder(tf.float32, name="p")
    store = tf.assign(v, p, name="store"); line = _line()  # noqa: E702
    with tf.Session() as sess:
        sess.run(v.initializer)
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"lhs shape= \[2\] rhs shape= "
                                                                 r"\[3\]") as caught:
            sess.run(store, {p: [1.0, 2.0, 3.0]})
    assert caught.value.op is store.op
    assert f"[[node store (defined at {HERE}:{line}) ]]" in caught.value.message


def test_a_failed_run_commits_no_variable_write():
    v = tf.Variable(0, name="v")
    p = tf.placeholder(tf.int32, name="p")
    increment = v.assign_add(1)
    with tf.Session() as sess:
        sess.run(v.initializer)
        with pytest.raises(tf.errors.InvalidArgumentError):
            sess.run([increment, p * 2])
        assert sess.run(v) == 0


def test_uninitialized_variable_error_names_the_read():
    v = tf.Variable(np.ones(2), name="weights")
    with tf.Session() as sess:
        with pytest.raises(tf.errors.FailedPreconditionError,
                           match="Attempting to use uninitialized value weights\n\t "
                                 r"\[\[node weights/read \(defined at ") as caught:
            sess.run(v * 2.0)
    assert caught.value.op.name == "weights/read"


def test_a_session_is_usable_after_a_runtime_error():
    p = tf.placeholder(tf.float32)
    doubled = p * 2.0
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError):
            sess.run(doubled)
        assert sess.run(doubled, {p: 2.0}) == 4.0


# --- client-side fetch errors --------------------------------------------------------------------

def test_fetching_none_raises_type_error():
    tf.constant(1)
    with tf.Session() as sess:
        with pytest.raises(TypeError, match="Fetch argument None has invalid type "
                                            "<class 'NoneType'>"):
            sess.run(None)


def test_nested_none_fetch_names_its_position():
    c = tf.constant(1)
    with tf.Session() as sess:
        with pytest.raises(TypeError, match=r"Fetch argument None has invalid type <class "
                                            r"'NoneType'> \(at fetches\['grads'\]\[1\]\)"):
            sess.run({"loss": c, "grads": [c, None]})


def test_fetching_a_non_graph_object_raises_type_error():
    tf.constant(1)
    with tf.Session() as sess:
        with pytest.raises(TypeError, match=r"Fetch argument 1.0 has invalid type <class "
                                            r"'float'>, must be a string or Tensor. \(Can not "
                                            r"convert a float into a Tensor or Operation.\)"):
            sess.run(1.0)


def test_fetching_from_another_graph_raises_value_error():
    with tf.Graph().as_default():
        foreign = tf.constant(1, name="foreign")
    tf.constant(2)
    with tf.Session() as sess:
        with pytest.raises(ValueError, match=r"Fetch argument <tf.Tensor 'foreign:0' shape=\(\) "
                                             r"dtype=int32> cannot be interpreted as a Tensor. "
                                             r"\(Tensor Tensor\(\"foreign:0\", shape=\(\), "
                                             r"dtype=int32\) is not an element of this graph.\)"):
            sess.run(foreign)


def test_fetching_an_unknown_name_raises_value_error():
    tf.constant(1, name="c")
    with tf.Session() as sess:
        with pytest.raises(ValueError, match="Fetch argument 'nope:0' cannot be interpreted as a "
                                             "Tensor. \\(The name 'nope:0' refers to a Tensor "
                                             "which does not exist."):
            sess.run("nope:0")


# --- user code inside the graph and definition sites ---------------------------------------------

@pytest.mark.parametrize("raised, expected", [
    (ValueError, tf.errors.InvalidArgumentError), (TypeError, tf.errors.InvalidArgumentError),
    (StopIteration, tf.errors.OutOfRangeError), (NotImplementedError, tf.errors.UnimplementedError),
    (MemoryError, tf.errors.ResourceExhaustedError), (RuntimeError, tf.errors.UnknownError),
    (IndexError, tf.errors.UnknownError), (KeyError, tf.errors.UnknownError),
    (ZeroDivisionError, tf.errors.UnknownError),
])
def test_py_func_exceptions_map_to_tf_error_classes(raised, expected):
    def fail(x):
        raise raised("inside py_func")
    result = tf.py_func(fail, [tf.constant(1.0)], tf.float32, name="user_code")
    with tf.Session() as sess:
        with pytest.raises(expected, match="inside py_func") as caught:
            sess.run(result)
    assert caught.value.op is result.op and isinstance(caught.value.__cause__, raised)


def _build_unfed_input():
    return tf.placeholder(tf.float32, name="deep")


def test_runtime_error_shows_the_user_stack_of_the_failing_op():
    deep = _build_unfed_input()
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError) as caught:
            sess.run(deep * 2.0)
    message = caught.value.message
    assert "\n\nOriginal stack trace for 'deep':\n" in message
    assert f"{HERE}:" in message and "in _build_unfed_input" in message
    assert "site-packages" not in message and "_pytest" not in message
