"""Checkpoints written by real TensorFlow load here (no TF needed): the reader's values, TF's
variable list and debug string, `Saver.restore` into the same model, TF's errors, damaged files.

The oracle is tests/golden/interop/checkpoint/ (written by tests/golden/record_checkpoint.py
with tf.compat.v1.train.Saver, TF 2.21) and TF's values and outputs in its checkpoint.json.
"""
from __future__ import annotations

import ast
import json
import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import session_magic as tf
from session_magic import errors
from session_magic.interop import checkpoint, sstable

HERE = Path(__file__).parent / "golden" / "interop" / "checkpoint"
GOLDEN = json.loads((HERE / "checkpoint.json").read_text())
PREFIX = str(HERE / "model-2")


def _golden_value(name: str) -> np.ndarray:
    value = GOLDEN["variables"][name]
    if name == "words":
        return np.array([item.encode("latin-1") for item in value], dtype=object)
    return np.array(value)


@pytest.mark.parametrize("name", sorted(GOLDEN["variables"]))
def test_reader_gives_the_values_tf_saved(name):
    value = tf.train.load_checkpoint(PREFIX).get_tensor(name)
    expected = _golden_value(name)
    assert value.shape == expected.shape
    assert value.tolist() == expected.tolist()


def test_reader_dtypes_and_shapes_are_tfs():
    reader = tf.train.NewCheckpointReader(PREFIX)
    dtypes = {name: dtype.name for name, dtype in reader.get_variable_to_dtype_map().items()}
    assert dtypes == {name: "string" if tf_name == "string" else tf_name
                      for name, tf_name in GOLDEN["dtypes"].items()}
    assert sorted(reader.get_variable_to_shape_map().items()) == \
        [(name, shape) for name, shape in GOLDEN["list_variables"]]
    assert reader.get_tensor("counts").dtype == np.int64
    assert reader.get_tensor("flags").dtype == np.bool_


def test_debug_string_is_tfs():
    assert tf.train.load_checkpoint(PREFIX).debug_string().decode() == GOLDEN["debug_string"]


def test_list_variables_equals_tfs_list():
    assert tf.train.list_variables(PREFIX) == [tuple(item) for item in GOLDEN["list_variables"]]


def test_a_directory_means_its_newest_checkpoint_as_tfs_state_file_says():
    assert tf.train.latest_checkpoint(str(HERE)) == PREFIX
    state = tf.train.get_checkpoint_state(str(HERE))
    assert state.all_model_checkpoint_paths == [str(HERE / "model-1"), PREFIX]
    assert tf.train.checkpoint_exists(PREFIX)
    assert tf.train.list_variables(str(HERE)) == tf.train.list_variables(PREFIX)
    assert tf.train.load_variable(str(HERE), "layer1/W:0").tolist() == \
        GOLDEN["variables"]["layer1/W"]


def test_has_tensor_and_a_missing_key_is_not_found_as_in_tf():
    reader = tf.train.load_checkpoint(PREFIX)
    assert reader.has_tensor("layer1/W") and not reader.has_tensor("nope")
    golden = GOLDEN["errors"]["missing_key"]
    with pytest.raises(errors.NotFoundError) as raised:
        reader.get_tensor("nope")
    assert type(raised.value).__name__ == golden["class"]
    assert raised.value.message == golden["lines"][0]


def test_sharded_checkpoint_reads_each_data_file():
    reader = tf.train.NewCheckpointReader(str(HERE / "sharded"))
    assert reader.header.num_shards == 2
    for name, expected in GOLDEN["sharded"].items():
        assert reader.get_tensor(name).tolist() == expected


def _mlp(x):
    """The recorder's model, with the same variable names."""
    with tf.variable_scope("layer1"):
        w1 = tf.get_variable("W", [3, 4])
        b1 = tf.get_variable("b", [4])
    with tf.variable_scope("layer2"):
        w2 = tf.get_variable("W", [4, 2])
        b2 = tf.get_variable("b", [2])
    return tf.matmul(tf.nn.relu(tf.matmul(x, w1) + b1), w2) + b2


def _extras():
    return [tf.get_variable("counts", [3], tf.int64), tf.get_variable("flags", [3], tf.bool),
            tf.get_variable("steps_done", [], tf.int32),
            tf.get_variable("scale", [], tf.float64),
            tf.get_variable("words", [3], tf.string)]


def test_saver_restores_a_tf_checkpoint_and_the_model_gives_tfs_output():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 3], name="x")
        y = _mlp(x)
        _extras()
        global_step = tf.train.get_or_create_global_step()
        loss = tf.reduce_sum(tf.square(y - 1.0))
        tf.train.AdamOptimizer(0.1).minimize(loss, global_step=global_step)
        saver = tf.train.Saver()  # NOTE: every global variable, Adam's slots included
        with tf.Session() as sess:
            saver.restore(sess, tf.train.latest_checkpoint(str(HERE)))
            output = sess.run(y, {x: GOLDEN["input"]})
            restored = {v.op.name: sess.run(v) for v in tf.global_variables()}
    np.testing.assert_allclose(output, GOLDEN["output"], rtol=1e-6, atol=1e-6)
    assert sorted(restored) == sorted(GOLDEN["variables"])
    for name, value in restored.items():
        assert np.asarray(value).tolist() == _golden_value(name).tolist(), name


def _restore_one(name, shape, dtype=tf.float32):
    with tf.Graph().as_default():
        variable = tf.get_variable(name, shape, dtype)
        with tf.Session() as sess:
            tf.train.Saver([variable]).restore(sess, PREFIX)
            return sess.run(variable)


def test_saver_restores_a_subset_by_var_list():
    assert _restore_one("layer1/b", [4]).tolist() == GOLDEN["variables"]["layer1/b"]


@pytest.mark.parametrize("case, restore", [
    ("restore_missing", lambda: _restore_one("absent", [2])),
    ("restore_shape", lambda: _restore_one("layer1/b", [5])),
    ("restore_dtype", lambda: _restore_one("layer1/b", [4], tf.int32)),
])
def test_restore_errors_are_tfs(case, restore):
    golden = GOLDEN["errors"][case]
    with pytest.raises(errors.OpError) as raised:
        restore()
    assert type(raised.value).__name__ == golden["class"]
    first, kernel = golden["lines"]
    assert raised.value.message.startswith(first)
    # NOTE: TF names a dtype by its C++ name ("float"); this project by its Python one
    assert kernel.replace("original dtype float", "original dtype float32") \
        in raised.value.message


def _flip(data: bytearray, at: int) -> bytearray:
    data[at] ^= 0x01
    return data


DAMAGES = {
    "truncated_index": ("index", lambda data: data[:len(data) // 2]),
    "bad_magic": ("index", lambda data: _flip(data, len(data) - 1)),
    "flipped_index_byte": ("index", lambda data: _flip(data, 20)),
    "flipped_data_byte": ("data-00000-of-00001", lambda data: _flip(data, 10)),
}


def _damaged_copy(tmp_path: Path, suffix: str, change) -> str:
    for path in HERE.glob("model-2.*"):
        shutil.copy(path, tmp_path / path.name)
    target = tmp_path / f"model-2.{suffix}"
    target.write_bytes(bytes(change(bytearray(target.read_bytes()))))
    return str(tmp_path / "model-2")


@pytest.mark.parametrize("case", sorted(DAMAGES))
def test_a_damaged_checkpoint_is_data_loss_naming_the_file(tmp_path, case):
    suffix, change = DAMAGES[case]
    prefix = _damaged_copy(tmp_path, suffix, change)
    with pytest.raises(errors.DataLossError) as raised:
        reader = tf.train.NewCheckpointReader(prefix)
        for name in reader.get_variable_to_shape_map():
            reader.get_tensor(name)
    assert f"{prefix}.{suffix}" in raised.value.message
    assert isinstance(raised.value, getattr(errors, GOLDEN["errors"][case]["class"]))


def test_a_damaged_checkpoint_fails_restore_too(tmp_path):
    prefix = _damaged_copy(tmp_path, "data-00000-of-00001", lambda data: _flip(data, 10))
    with tf.Graph().as_default():
        variable = tf.get_variable("counts", [3], tf.int64)  # NOTE: bytes 8-31 of the data
        with tf.Session() as sess, pytest.raises(errors.DataLossError, match="Checksum"):
            tf.train.Saver([variable]).restore(sess, prefix)


def test_a_snappy_block_fails_clearly():
    data = bytearray((HERE / "model-2.index").read_bytes())
    (offset, size), _ = sstable._block_handle(data, _first_data_handle(data))
    data[offset + size] = 1  # NOTE: the compression byte; its checksum made right again
    crc = sstable.masked_crc32c(bytes(data[offset:offset + size + 1]))
    data[offset + size + 1:offset + size + 5] = struct.pack("<I", crc)
    with pytest.raises(sstable.TableError, match="Snappy"):
        sstable.read_table(bytes(data))


def _first_data_handle(data: bytes) -> int:
    """Where, in the index block, the first data block's handle starts."""
    footer = len(data) - 48
    _, position = sstable._block_handle(data, footer)
    (index_offset, _), _ = sstable._block_handle(data, position)
    _, after_shared = sstable._varint(data, index_offset)
    unshared, after_unshared = sstable._varint(data, after_shared)
    _, value_start = sstable._varint(data, after_unshared)
    return value_start + unshared


def _varint(number: int) -> bytes:
    out = bytearray()
    while number >= 0x80:
        out.append(number & 0x7F | 0x80)
        number >>= 7
    return bytes(out + bytes([number]))


def _append_block(out: bytearray, entries: list) -> bytes:
    """A block as LevelDB writes one (a restart every 2 entries); returns its handle."""
    body, restarts, previous = bytearray(), [], b""
    for i, (key, value) in enumerate(entries):
        shared = 0 if i % 2 == 0 else len(os.path.commonprefix([previous, key]))
        if i % 2 == 0:
            restarts.append(len(body))
        body += _varint(shared) + _varint(len(key) - shared) + _varint(len(value))
        body += key[shared:] + value
        previous = key
    body += struct.pack(f"<{len(restarts) + 1}I", *restarts, len(restarts))
    handle = _varint(len(out)) + _varint(len(body))
    out += body + b"\0" + struct.pack("<I", sstable.masked_crc32c(bytes(body) + b"\0"))
    return handle


def _table(blocks: list) -> bytes:
    """A LevelDB table of these data blocks."""
    out = bytearray()
    index = [(entries[-1][0], _append_block(out, entries)) for entries in blocks]
    index_handle = _append_block(out, index)
    footer = (_append_block(out, []) + index_handle).ljust(40, b"\0")
    return bytes(out + footer + struct.pack("<Q", 0xdb4775248b80fb57))


def test_an_index_of_several_blocks_reads_whole(tmp_path):
    """TF starts a new block every 256 KB of index: a big model's index has several."""
    entries = sstable.read_table((HERE / "model-2.index").read_bytes())
    blocks = [entries[:1], entries[1:8], entries[8:]]
    assert sstable.read_table(_table(blocks)) == entries
    prefix = _damaged_copy(tmp_path, "index", lambda _: _table(blocks))
    reader = tf.train.NewCheckpointReader(prefix)
    assert reader.get_tensor("layer2/W").tolist() == GOLDEN["variables"]["layer2/W"]
    assert len(reader.get_variable_to_shape_map()) == len(GOLDEN["variables"])


def test_a_missing_checkpoint_is_not_found(tmp_path):
    with pytest.raises(errors.NotFoundError, match="Failed to find any matching files"):
        tf.train.NewCheckpointReader(str(tmp_path / "nothing"))


def test_the_reader_reads_this_projects_checkpoints_too(tmp_path):
    with tf.Graph().as_default():
        variable = tf.Variable([[1.5, 2.0]], name="v")
        with tf.Session() as sess:
            sess.run(variable.initializer)
            prefix = tf.train.Saver().save(sess, str(tmp_path / "mine"))
    assert not checkpoint.is_tensor_bundle(prefix)
    reader = tf.train.load_checkpoint(str(tmp_path))
    assert reader.get_variable_to_shape_map() == {"v": [1, 2]}
    assert reader.get_variable_to_dtype_map() == {"v": tf.float32}
    assert reader.get_tensor("v").tolist() == [[1.5, 2.0]]


@pytest.mark.parametrize("size", [0, 9, 4095, 4096, 5000, 65537, 1 << 20])
def test_crc32c_agrees_with_the_bytewise_definition(size):
    data = np.random.default_rng(size).integers(0, 256, size, dtype=np.uint8).tobytes()
    crc = 0xFFFFFFFF
    for byte in data:
        crc = (crc >> 8) ^ sstable._TABLE_LIST[(crc ^ byte) & 0xFF]
    assert sstable.crc32c(data) == crc ^ 0xFFFFFFFF


def test_crc32c_of_the_standard_check_string():
    assert sstable.crc32c(b"123456789") == 0xE3069283
    assert sstable.unmask_crc32c(sstable.masked_crc32c(b"abc")) == sstable.crc32c(b"abc")


def test_import_session_magic_loads_no_checkpoint_reader():
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, session_magic as tf; tf.train.Saver; "
         "print(sorted(m for m in sys.modules if 'interop' in m or 'proto' in m))"],
        capture_output=True, text=True, check=True, cwd=os.path.dirname(__file__))
    modules = ast.literal_eval(loaded.stdout)
    assert "session_magic.interop.checkpoint" not in modules
    assert "session_magic.proto" not in modules
