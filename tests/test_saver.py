"""`tf.train.Saver` and checkpoint files: round trips, the `checkpoint` state file, TF's error
texts, damaged or foreign files, and a process killed in the middle of a save."""
import json
import os
import pickle
import shutil
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import session_magic as tf


def _model():
    w = tf.Variable([[1.0, 2.0], [3.0, 4.0]], name="w")
    b = tf.Variable([0.5], name="b")
    return w, b


def _saved(tmp_path, **save_options):
    """A checkpoint of _model() at tmp_path/model; returns its prefix."""
    w, b = _model()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return tf.train.Saver().save(sess, str(tmp_path / "model"), **save_options)


def test_round_trip_restores_the_saved_values(tmp_path):
    w, b = _model()
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        prefix = saver.save(sess, str(tmp_path / "model"))
        sess.run([w.assign(tf.zeros([2, 2])), b.assign([9.0])])
        saver.restore(sess, prefix)
        w_value, b_value = sess.run([w, b])
    assert prefix == str(tmp_path / "model")
    np.testing.assert_array_equal(w_value, [[1, 2], [3, 4]])
    np.testing.assert_array_equal(b_value, [0.5])


def test_restore_into_a_fresh_session_needs_no_initializer(tmp_path):
    prefix = _saved(tmp_path)
    w, b = tf.get_collection(tf.GraphKeys.GLOBAL_VARIABLES)
    with tf.Session() as sess:
        tf.train.Saver().restore(sess, prefix)
        assert sess.run(tf.report_uninitialized_variables()).size == 0
        np.testing.assert_array_equal(sess.run(w), [[1, 2], [3, 4]])


def test_restore_into_a_new_graph(tmp_path):
    prefix = _saved(tmp_path)
    with tf.Graph().as_default():
        w = tf.Variable(tf.zeros([2, 2]), name="w")
        b = tf.Variable(tf.zeros([1]), name="b")
        with tf.Session() as sess:
            tf.train.Saver().restore(sess, prefix)
            np.testing.assert_array_equal(sess.run(w), [[1, 2], [3, 4]])
            np.testing.assert_array_equal(sess.run(b), [0.5])


def test_save_writes_the_values_of_that_session(tmp_path):
    w, _ = _model()
    saver = tf.train.Saver([w])
    first, second = tf.Session(), tf.Session()
    for sess, value in ((first, 1.0), (second, 2.0)):
        sess.run(tf.global_variables_initializer())
        sess.run(w.assign(tf.fill([2, 2], value)))
    saver.save(second, str(tmp_path / "model"))
    first.close()
    second.close()
    np.testing.assert_array_equal(tf.train.load_variable(str(tmp_path / "model"), "w"),
                                  np.full((2, 2), 2.0))


def test_restore_adds_no_ops(tmp_path):
    prefix = _saved(tmp_path)
    graph = tf.get_default_graph()
    saver = tf.train.Saver()
    with tf.Session() as sess:
        saver.restore(sess, prefix)
        count = len(graph.get_operations())
        saver.restore(sess, prefix)
        saver.restore(sess, prefix)
    assert len(graph.get_operations()) == count


def test_files_on_disk_are_plain_numpy_and_json(tmp_path):
    prefix = _saved(tmp_path)
    with np.load(prefix + ".npz", allow_pickle=False) as data:
        np.testing.assert_array_equal(data["w"], [[1, 2], [3, 4]])
    with open(prefix + ".index") as stream:
        index = json.load(stream)
    assert index["variables"]["b"] == {"dtype": "float32", "shape": [1]}
    assert sorted(os.listdir(tmp_path)) == ["checkpoint", "model.index", "model.meta",
                                            "model.npz"]


def test_string_integer_and_bool_variables_round_trip(tmp_path):
    words = tf.Variable(np.array([b"ab", b"", b"c\x00"], dtype=object), name="words")
    count = tf.Variable(np.int64(7), name="count")
    flags = tf.Variable([True, False], name="flags")
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        prefix = saver.save(sess, str(tmp_path / "model"))
    with tf.Session() as sess:
        saver.restore(sess, prefix)
        restored_words, restored_count, restored_flags = sess.run([words, count, flags])
    assert list(restored_words) == [b"ab", b"", b"c\x00"]
    assert restored_count == 7 and restored_flags.tolist() == [True, False]


# --- var_list ------------------------------------------------------------------------------------

def test_var_list_dict_names_the_checkpoint_keys(tmp_path):
    w, b = _model()
    saver = tf.train.Saver({"layer/kernel": w})
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        prefix = saver.save(sess, str(tmp_path / "model"))
    assert tf.train.list_variables(prefix) == [("layer/kernel", [2, 2])]


def test_saver_keeps_the_variables_that_existed_when_it_was_made(tmp_path):
    w, b = _model()
    saver = tf.train.Saver()
    tf.Variable(3.0, name="later")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        prefix = saver.save(sess, str(tmp_path / "model"))
    assert [name for name, _ in tf.train.list_variables(prefix)] == ["b", "w"]


def test_no_variables_to_save():
    with pytest.raises(ValueError, match=r"^No variables to save$"):
        tf.train.Saver()


def test_two_variables_with_one_name():
    w, _ = _model()
    with pytest.raises(ValueError, match="At least two variables have the same name: w"):
        tf.train.Saver([w, w])


def test_only_variables_can_be_saved():
    with pytest.raises(TypeError, match="Variable to save is not a Variable"):
        tf.train.Saver({"x": tf.constant(1.0)})


# --- prefixes, state file, max_to_keep -----------------------------------------------------------

def test_global_step_suffix_from_an_int_or_a_variable(tmp_path):
    w, _ = _model()
    step = tf.train.get_or_create_global_step()
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(step.assign(12))
        from_variable = saver.save(sess, str(tmp_path / "model"), global_step=step)
        from_int = saver.save(sess, str(tmp_path / "model"), global_step=3)
    assert from_variable == str(tmp_path / "model-12")
    assert from_int == str(tmp_path / "model-3")


def test_pad_step_number(tmp_path):
    w, _ = _model()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        prefix = tf.train.Saver(pad_step_number=True).save(sess, str(tmp_path / "m"), 42)
    assert prefix == str(tmp_path / "m-00000042")


def test_latest_checkpoint_names_the_newest(tmp_path):
    w, _ = _model()
    saver = tf.train.Saver()
    assert tf.train.latest_checkpoint(str(tmp_path)) is None
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for step in (1, 2, 3):
            saver.save(sess, str(tmp_path / "model"), global_step=step)
    assert tf.train.latest_checkpoint(str(tmp_path)) == str(tmp_path / "model-3")
    state = tf.train.get_checkpoint_state(str(tmp_path))
    assert state.all_model_checkpoint_paths == [str(tmp_path / f"model-{s}") for s in (1, 2, 3)]


def test_state_file_is_tf_text_format_with_relative_paths(tmp_path):
    w, _ = _model()
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        saver.save(sess, str(tmp_path / "model"), global_step=1)
        saver.save(sess, str(tmp_path / "model"), global_step=2)
    assert (tmp_path / "checkpoint").read_text() == (
        'model_checkpoint_path: "model-2"\n'
        'all_model_checkpoint_paths: "model-1"\n'
        'all_model_checkpoint_paths: "model-2"\n')


def test_max_to_keep_deletes_the_oldest_files(tmp_path):
    w, _ = _model()
    saver = tf.train.Saver(max_to_keep=2)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for step in range(1, 5):
            saver.save(sess, str(tmp_path / "model"), global_step=step)
    assert saver.last_checkpoints == [str(tmp_path / "model-3"), str(tmp_path / "model-4")]
    assert sorted(os.listdir(tmp_path)) == [
        "checkpoint", "model-3.index", "model-3.meta", "model-3.npz", "model-4.index",
        "model-4.meta", "model-4.npz"]
    state = tf.train.get_checkpoint_state(str(tmp_path))
    assert state.all_model_checkpoint_paths == saver.last_checkpoints


@pytest.mark.parametrize("max_to_keep", [None, 0])
def test_max_to_keep_none_or_zero_keeps_every_file(tmp_path, max_to_keep):
    w, _ = _model()
    saver = tf.train.Saver(max_to_keep=max_to_keep)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for step in range(1, 8):
            saver.save(sess, str(tmp_path / "model"), global_step=step)
    assert all(tf.train.checkpoint_exists(str(tmp_path / f"model-{s}")) for s in range(1, 8))
    assert saver.last_checkpoints == []
    assert tf.train.latest_checkpoint(str(tmp_path)) == str(tmp_path / "model-7")


def test_saving_one_prefix_twice_keeps_one_entry(tmp_path):
    w, _ = _model()
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        saver.save(sess, str(tmp_path / "model"))
        saver.save(sess, str(tmp_path / "model"))
    assert saver.last_checkpoints == [str(tmp_path / "model")]


def test_write_state_false_leaves_no_state_file(tmp_path):
    _saved(tmp_path, write_state=False)
    assert not (tmp_path / "checkpoint").exists()
    assert tf.train.latest_checkpoint(str(tmp_path)) is None


def test_latest_filename_option(tmp_path):
    _saved(tmp_path, latest_filename="latest")
    assert tf.train.latest_checkpoint(str(tmp_path), "latest") == str(tmp_path / "model")
    assert tf.train.latest_checkpoint(str(tmp_path)) is None


def test_load_variable_and_list_variables_accept_a_directory(tmp_path):
    _saved(tmp_path)
    assert tf.train.list_variables(str(tmp_path)) == [("b", [1]), ("w", [2, 2])]
    np.testing.assert_array_equal(tf.train.load_variable(str(tmp_path), "b:0"), [0.5])


# --- errors --------------------------------------------------------------------------------------

def test_missing_parent_directory(tmp_path):
    w, _ = _model()
    path = str(tmp_path / "nowhere" / "model")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        with pytest.raises(ValueError) as caught:
            tf.train.Saver().save(sess, path)
    assert str(caught.value) == f"Parent directory of {path} doesn't exist, can't save."


def test_save_needs_a_session(tmp_path):
    _model()
    with pytest.raises(TypeError, match="'sess' must be a Session; 3"):
        tf.train.Saver().save(3, str(tmp_path / "model"))


def test_restore_from_none():
    _model()
    with tf.Session() as sess:
        with pytest.raises(ValueError, match=r"^Can't load save_path when it is None\.$"):
            tf.train.Saver().restore(sess, None)


def test_restore_from_a_path_that_is_not_a_checkpoint(tmp_path):
    _model()
    path = str(tmp_path / "missing")
    with tf.Session() as sess:
        with pytest.raises(ValueError) as caught:
            tf.train.Saver().restore(sess, path)
    assert str(caught.value) == "The passed save_path is not a valid checkpoint: " + path


def test_variable_missing_from_the_checkpoint_is_named(tmp_path):
    prefix = _saved(tmp_path)
    tf.Variable(1.0, name="extra")
    with tf.Session() as sess:
        with pytest.raises(tf.errors.NotFoundError) as caught:
            tf.train.Saver().restore(sess, prefix)
    assert "Key extra not found in checkpoint" in caught.value.message
    assert caught.value.message.startswith("Restoring from checkpoint failed.")


def test_shape_mismatch_names_the_variable_and_both_shapes(tmp_path):
    prefix = _saved(tmp_path)
    with tf.Graph().as_default():
        tf.Variable(tf.zeros([3, 2]), name="w")
        with tf.Session() as sess:
            with pytest.raises(tf.errors.InvalidArgumentError) as caught:
                tf.train.Saver().restore(sess, prefix)
    message = caught.value.message
    assert "variable w" in message and "[3, 2]" in message and "[2, 2]" in message


def test_a_failed_restore_changes_no_variable(tmp_path):
    prefix = _saved(tmp_path)
    with tf.Graph().as_default():
        b = tf.Variable([9.0], name="b")
        w = tf.Variable(tf.zeros([3, 2]), name="w")  # saved as [2, 2]: refused
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            with pytest.raises(tf.errors.InvalidArgumentError, match="variable w"):
                tf.train.Saver([b, w]).restore(sess, prefix)
            assert sess.run(b) == [9.0]  # restored neither before nor after the refusal
            np.testing.assert_array_equal(sess.run(w), np.zeros((3, 2)))


def test_variables_sharing_an_initial_value_and_a_reshaped_one_are_restored(tmp_path):
    start = tf.zeros([2], name="start")
    a = tf.Variable(start, name="a")
    grown = tf.Variable(start, validate_shape=False, name="grown")
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run([a.assign([7.0, 7.0]), tf.assign(grown, [1.0, 2.0, 3.0], validate_shape=False)])
        prefix = saver.save(sess, str(tmp_path / "model"))
    with tf.Session() as sess:  # as TF: restoring initializes, whatever grown's shape became
        saver.restore(sess, prefix)
        assert [v.tolist() for v in sess.run([a, grown])] == [[7.0, 7.0], [1.0, 2.0, 3.0]]
        sess.run(grown.assign_add([1.0, 1.0, 1.0]))  # the restored value is the session's own
        assert sess.run(grown).tolist() == [2.0, 3.0, 4.0]


def test_dtype_mismatch_is_an_invalid_argument(tmp_path):
    prefix = _saved(tmp_path)
    with tf.Graph().as_default():
        tf.Variable(tf.zeros([1], tf.float64), name="b")
        with tf.Session() as sess:
            with pytest.raises(tf.errors.InvalidArgumentError,
                               match="tensor_name = b; expected dtype float64 does not equal "
                                     "original dtype float32"):
                tf.train.Saver().restore(sess, prefix)


def _restore_error(prefix):
    with tf.Session() as sess:
        with pytest.raises(tf.errors.DataLossError) as caught:
            tf.train.Saver().restore(sess, prefix)
    return caught.value.message


def test_truncated_data_file_is_data_loss(tmp_path):
    prefix = _saved(tmp_path)
    data = (tmp_path / "model.npz").read_bytes()
    (tmp_path / "model.npz").write_bytes(data[: len(data) // 2])
    assert prefix + ".npz" in _restore_error(prefix)


def test_truncated_data_file_whose_size_matches_is_still_data_loss(tmp_path):
    prefix = _saved(tmp_path)
    data = bytearray((tmp_path / "model.npz").read_bytes())
    data[len(data) // 3: len(data) // 3 + 8] = b"\xff" * 8  # damage inside the first member
    (tmp_path / "model.npz").write_bytes(bytes(data))
    assert prefix + ".npz" in _restore_error(prefix)


def test_foreign_data_file_is_data_loss(tmp_path):
    prefix = _saved(tmp_path)
    size = (tmp_path / "model.npz").stat().st_size
    (tmp_path / "model.npz").write_bytes(b"x" * size)
    message = _restore_error(prefix)
    assert prefix + ".npz" in message and "not an .npz (zip) file" in message


def test_foreign_index_file_is_data_loss(tmp_path):
    prefix = _saved(tmp_path)
    (tmp_path / "model.index").write_bytes(b"\x00\x01binary TensorFlow index\xff")
    assert prefix + ".index" in _restore_error(prefix)


def test_missing_data_file_is_data_loss(tmp_path):
    prefix = _saved(tmp_path)
    (tmp_path / "model.npz").unlink()
    assert "missing" in _restore_error(prefix)


class _Trap:
    """Unpickling this creates a marker directory: proof that a loader ran pickle."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.makedirs, (self.marker,))


def test_pickled_data_is_never_unpickled(tmp_path):
    prefix = _saved(tmp_path)
    marker = str(tmp_path / "unpickled")
    trap = np.empty(2, dtype=object)
    trap[:] = [_Trap(marker), _Trap(marker)]
    np.savez(prefix + ".npz", w=trap, b=np.zeros(1, np.float32))
    index = json.loads((tmp_path / "model.index").read_text())
    index["data_bytes"] = (tmp_path / "model.npz").stat().st_size
    (tmp_path / "model.index").write_text(json.dumps(index))
    assert "pickled" in _restore_error(prefix)
    assert not os.path.exists(marker)


def test_a_plain_pickle_as_data_file_is_not_loaded(tmp_path):
    prefix = _saved(tmp_path)
    (tmp_path / "model.npz").write_bytes(pickle.dumps(_Trap(str(tmp_path / "unpickled"))))
    index = json.loads((tmp_path / "model.index").read_text())
    index["data_bytes"] = (tmp_path / "model.npz").stat().st_size
    (tmp_path / "model.index").write_text(json.dumps(index))
    assert "not an .npz (zip) file" in _restore_error(prefix)
    assert not (tmp_path / "unpickled").exists()


# --- a process killed mid-save -------------------------------------------------------------------

_CHILD = r"""
import os, sys, time
import session_magic as tf
directory, stall_on, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
small = tf.Variable([1.0, 2.0, 3.0], name="small")
big = tf.Variable(tf.zeros([size]), name="big")
saver = tf.train.Saver()
sess = tf.Session()
sess.run(tf.global_variables_initializer())
saver.save(sess, os.path.join(directory, "model"), global_step=1)
sess.run(small.assign([4.0, 5.0, 6.0]))
real_replace = os.replace
def stalled_replace(source, target):
    if target.endswith(stall_on):
        print("stalled", flush=True)
        time.sleep(600)
    real_replace(source, target)
os.replace = stalled_replace
print("saving", flush=True)
saver.save(sess, os.path.join(directory, "model"), global_step=2)
print("saved", flush=True)
"""


def _child(directory, stall_on, size):
    return subprocess.Popen([sys.executable, "-c", _CHILD, str(directory), stall_on, str(size)],
                            stdout=subprocess.PIPE, text=True)


def _wait_for_line(child, wanted):
    for line in child.stdout:
        if line.strip() == wanted:
            return
    raise AssertionError(f"the child exited before printing {wanted!r}")


def _kill(child):
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=60)
    child.stdout.close()
    assert child.returncode == -signal.SIGKILL


def _assert_first_checkpoint_intact(directory, size):
    first = str(directory / "model-1")
    assert tf.train.latest_checkpoint(str(directory)) == first
    assert not tf.train.checkpoint_exists(str(directory / "model-2"))
    with tf.Graph().as_default():
        small = tf.Variable(tf.zeros([3]), name="small")
        big = tf.Variable(tf.ones([size]), name="big")
        with tf.Session() as sess:
            with pytest.raises(ValueError, match="not a valid checkpoint"):
                tf.train.Saver().restore(sess, str(directory / "model-2"))
            tf.train.Saver().restore(sess, first)
            small_value, big_value = sess.run([small, big])
    np.testing.assert_array_equal(small_value, [1.0, 2.0, 3.0])
    assert big_value.shape == (size,) and not big_value.any()


@pytest.mark.parametrize("stall_on", ["model-2.npz", "model-2.index", "checkpoint"])
def test_killed_before_a_rename_leaves_the_previous_checkpoint_intact(tmp_path, stall_on):
    child = _child(tmp_path, stall_on, 1000)
    try:
        _wait_for_line(child, "stalled")
    finally:
        _kill(child)
    if stall_on == "checkpoint":  # the new files are complete; only the state file lags
        assert tf.train.latest_checkpoint(str(tmp_path)) == str(tmp_path / "model-1")
        assert tf.train.checkpoint_exists(str(tmp_path / "model-2"))
        return
    assert any(name.endswith(".tmp") for name in os.listdir(tmp_path))
    _assert_first_checkpoint_intact(tmp_path, 1000)


@pytest.mark.slow
def test_killed_while_writing_a_huge_variable_leaves_the_previous_checkpoint_intact(tmp_path):
    size = 50_000_000  # 200 MB of float32: the write takes long enough to be interrupted
    child = _child(tmp_path, "never", size)
    try:
        _wait_for_line(child, "saving")
        deadline = time.monotonic() + 120
        while not _partial_data_file(tmp_path, at_least=32 << 20):
            assert time.monotonic() < deadline and child.poll() is None
            time.sleep(0.001)
    finally:
        _kill(child)
    try:
        _assert_first_checkpoint_intact(tmp_path, size)
    finally:
        shutil.rmtree(tmp_path)  # NOTE: pytest keeps old tmp dirs; these hold 200+ MB.


def _partial_data_file(directory, at_least):
    for name in os.listdir(directory):
        if name.startswith(".model-2.npz.") and name.endswith(".tmp"):
            try:
                return os.path.getsize(directory / name) >= at_least
            except FileNotFoundError:
                return False
    return False


def test_saving_again_after_a_crash_works(tmp_path):
    child = _child(tmp_path, "model-2.npz", 10)
    try:
        _wait_for_line(child, "stalled")
    finally:
        _kill(child)
    tf.Variable([7.0, 8.0, 9.0], name="small")
    tf.Variable(tf.zeros([10]), name="big")
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        prefix = saver.save(sess, str(tmp_path / "model"), global_step=2)
    assert tf.train.latest_checkpoint(str(tmp_path)) == prefix
    np.testing.assert_array_equal(tf.train.load_variable(prefix, "small"), [7.0, 8.0, 9.0])


@pytest.mark.parametrize("options", [{"latest_filename": "a/b"}, {"latest_filename": 3}])
def test_a_refused_save_writes_no_file(tmp_path, options):
    v = tf.Variable(1.0, name="v")
    with tf.Session() as sess:
        sess.run(v.initializer)
        with pytest.raises((ValueError, TypeError), match="latest_filename"):
            tf.train.Saver().save(sess, str(tmp_path / "model"), **options)
    assert list(tmp_path.iterdir()) == []


def test_the_checkpoint_file_quotes_paths_as_tf_does_and_reads_every_form(tmp_path):
    from session_magic.saver import _parse_state
    state = _parse_state('model_checkpoint_path: "h\\303\\251llo-3"\n'
                         'all_model_checkpoint_paths: "mod\\u00e8le-2"\n'
                         'all_model_checkpoint_paths: "h\\303\\251llo-3"\n', str(tmp_path))
    assert state.model_checkpoint_path == str(tmp_path / "héllo-3")
    assert state.all_model_checkpoint_paths == [str(tmp_path / "modèle-2"),
                                                str(tmp_path / "héllo-3")]


def test_save_writes_a_meta_graph_that_import_meta_graph_reads_back(tmp_path):
    with tf.Graph().as_default():
        w = tf.Variable([[1.0, 2.0]], name="w")
        tf.identity(w * 3.0, name="tripled")
        saver = tf.train.Saver(max_to_keep=1)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            first = saver.save(sess, str(tmp_path / "model"), global_step=1)
            prefix = saver.save(sess, str(tmp_path / "model"), global_step=2)
    assert os.path.isfile(prefix + ".meta") and not os.path.exists(first + ".meta")
    with tf.Graph().as_default() as graph:
        restorer = tf.train.import_meta_graph(prefix + ".meta")
        with tf.Session() as sess:
            restorer.restore(sess, prefix)
            np.testing.assert_array_equal(sess.run(graph.get_tensor_by_name("tripled:0")),
                                          [[3.0, 6.0]])


@pytest.mark.parametrize("argument", [{"reshape": True}, {"saver_def": object()}])
def test_saver_refuses_options_that_would_change_what_it_restores(argument):
    with tf.Graph().as_default():
        tf.Variable(1.0, name="w")
        with pytest.raises(NotImplementedError, match="is not supported by session_magic yet"):
            tf.train.Saver(**argument)
