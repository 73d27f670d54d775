"""String ops TF1 programs print with (as_string, string_join, strings.format) and py_function:
their texts against C's printf (Python's % formatting) and TF's documented results, and their
errors."""
import numpy as np
import pytest

import session_magic as tf
from session_magic import errors


def _run(fetches, feed_dict=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed_dict)


def test_as_string_writes_floats_as_printf():
    x = np.array([1.5, -0.125, 1e10], np.float32)
    assert _run(tf.as_string(x)).tolist() == [b"1.500000", b"-0.125000", b"10000000000.000000"]
    assert _run(tf.as_string(x, precision=1, scientific=True)).tolist() == [
        b"1.5e+00", b"-1.2e-01", b"1.0e+10"]
    assert _run(tf.as_string(x, shortest=True)).tolist() == [b"1.5", b"-0.125", b"1e+10"]


def test_as_string_pads_with_width_and_fill():
    assert _run(tf.as_string([7, -3], width=4)).tolist() == [b"   7", b"  -3"]
    assert _run(tf.as_string([7, -3], width=4, fill="0")).tolist() == [b"0007", b"-003"]
    assert _run(tf.as_string([True], width=6)).tolist() == [b"  true"]


def test_as_string_writes_a_negative_nan_as_c_does():
    assert _run(tf.as_string(np.array([-np.nan, np.nan], np.float32))).tolist() == [b"-nan",
                                                                                    b"nan"]


def test_as_string_refuses_bad_options_when_run_as_tf():
    with pytest.raises(errors.InvalidArgumentError, match="Fill argument not supported"):
        _run(tf.as_string([1.0], fill="x"))
    with pytest.raises(errors.InvalidArgumentError, match="precision"):
        _run(tf.as_string([1], precision=2))
    with pytest.raises(errors.InvalidArgumentError, match="both scientific and shortest"):
        _run(tf.as_string([1.0], scientific=True, shortest=True))


def test_as_string_refuses_strings():
    with pytest.raises(TypeError, match="'input'"):
        tf.as_string(tf.constant(["a"]))


def test_string_join_repeats_scalars_and_uses_the_separator():
    words = tf.constant(["a", "bc"])
    joined = tf.string_join([words, "!", tf.as_string([1, 2])], separator="_")
    assert joined.shape.as_list() == [2]
    assert _run(joined).tolist() == [b"a_!_1", b"bc_!_2"]
    assert _run(tf.strings.join(["x", "y"])) == b"xy"


def test_string_join_refuses_numbers_and_mismatched_shapes():
    with pytest.raises(TypeError, match="string"):
        tf.string_join([tf.constant([1, 2])])
    with pytest.raises(ValueError, match="shape"):
        tf.string_join([tf.constant(["a", "b"]), tf.constant(["a", "b", "c"])])


def test_strings_format_writes_tensors_as_tf_print():
    x = tf.constant(np.arange(10))
    text = tf.strings.format("x = {} and {}", [x, tf.constant("s")], summarize=2)
    assert _run(text) == b'x = [0 1 ... 8 9] and "s"'


def test_strings_format_counts_placeholders():
    with pytest.raises(ValueError, match="num placeholders"):
        tf.strings.format("{} {}", [tf.constant(1)])


def test_py_function_passes_arrays_that_answer_numpy():
    x = tf.constant([1.0, 2.0])
    doubled = tf.py_function(lambda a: a.numpy() * 2, [x], tf.float32)
    both = tf.py_function(lambda a, b: [a + b, 4], [x, x], [tf.float32, tf.int32])
    assert isinstance(both, list)
    got = _run([doubled, both])
    np.testing.assert_array_equal(got[0], [2.0, 4.0])
    assert got[1][1] == 4 and got[1][1].dtype == np.int32  # converted to Tout, as TF
