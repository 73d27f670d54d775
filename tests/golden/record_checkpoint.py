"""Record TF tensor-bundle checkpoints for tests/test_tf_checkpoints.py (run with TF's venv):

    /work/tfenv/bin/python tests/golden/record_checkpoint.py

`tf.compat.v1.train.Saver` in graph mode saves a small MLP trained two Adam steps (with scoped
names, Adam's slots and beta powers, and variables of every common dtype) into
tests/golden/interop/checkpoint/, with checkpoint.json holding TF's values, TF's
list_variables and the model's output for a fixed input. A second, sharded checkpoint is
saved over two CPU devices (two .data files).
"""
import json
import os
import shutil

import numpy as np
import tensorflow as tf

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "interop", "checkpoint")
DAMAGED = os.path.join(os.path.dirname(HERE), "damaged")
INPUT = [[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]]

v1 = tf.compat.v1


def mlp(x):
    """Two dense layers by hand, so session_magic can build the very same variable names."""
    with v1.variable_scope("layer1"):
        w1 = v1.get_variable("W", initializer=np.linspace(-1, 1, 12, dtype=np.float32)
                             .reshape(3, 4))
        b1 = v1.get_variable("b", initializer=np.full(4, 0.1, np.float32))
    with v1.variable_scope("layer2"):
        w2 = v1.get_variable("W", initializer=np.linspace(1, -1, 8, dtype=np.float32)
                             .reshape(4, 2))
        b2 = v1.get_variable("b", initializer=np.zeros(2, np.float32))
    return tf.matmul(tf.nn.relu(tf.matmul(x, w1) + b1), w2) + b2


def extras():
    """Variables of other dtypes, not trained."""
    return [v1.get_variable("counts", initializer=np.array([3, -7, 2**40], np.int64)),
            v1.get_variable("flags", initializer=np.array([True, False, True])),
            v1.get_variable("steps_done", initializer=np.int32(42)),
            v1.get_variable("scale", initializer=np.float64(2.5)),
            v1.get_variable("words", initializer=np.array([b"hello", b"", b"x" * 200]),
                            dtype=tf.string)]


def record_main(values: dict) -> None:
    graph = tf.Graph()
    with graph.as_default():
        x = v1.placeholder(tf.float32, [None, 3], name="x")
        y = mlp(x)
        extras()
        global_step = v1.train.get_or_create_global_step()
        loss = tf.reduce_sum(tf.square(y - 1.0))
        train = v1.train.AdamOptimizer(0.1).minimize(loss, global_step=global_step)
        saver = v1.train.Saver(max_to_keep=2, save_relative_paths=True)
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            for _ in range(2):
                sess.run(train, {x: INPUT})
                saver.save(sess, os.path.join(HERE, "model"), global_step=global_step,
                           write_meta_graph=False)
            values["output"] = sess.run(y, {x: INPUT}).tolist()
            values["variables"] = {v.op.name: _jsonable(sess.run(v))
                                   for v in v1.global_variables()}
    values["list_variables"] = [[name, list(shape)] for name, shape
                                in tf.train.list_variables(os.path.join(HERE, "model-2"))]
    reader = tf.train.load_checkpoint(os.path.join(HERE, "model-2"))
    values["dtypes"] = {k: v.name for k, v in reader.get_variable_to_dtype_map().items()}
    values["debug_string"] = reader.debug_string().decode()


def record_errors(values: dict) -> None:
    """TF's error class and message when a restore or a read fails."""
    prefix = os.path.join(HERE, "model-2")
    cases = {
        "missing_key": lambda: tf.train.load_checkpoint(prefix).get_tensor("nope"),
        "restore_missing": lambda: _restore(prefix, "absent", [2]),
        "restore_shape": lambda: _restore(prefix, "layer1/b", [5]),
        "restore_dtype": lambda: _restore(prefix, "layer1/b", [4], tf.int32),
    }
    for name, damage in DAMAGES.items():
        cases[name] = lambda damage=damage: _read_damaged(damage)
    values["errors"] = {}
    for name, case in cases.items():
        try:
            case()
            values["errors"][name] = None
        except tf.errors.OpError as error:
            values["errors"][name] = {"class": type(error).__name__, "lines": _gist(error)}


def _gist(error):
    """The error's first line and the kernel's own message (the line after "Node: ...")."""
    lines = str(error).replace(DAMAGED, "<dir>").splitlines()
    kernel = [lines[i + 1] for i, line in enumerate(lines[:-1]) if line.startswith("Node: ")]
    return [lines[0]] + kernel[:1]


def _read_damaged(damage):
    shutil.rmtree(DAMAGED, ignore_errors=True)
    shutil.copytree(HERE, DAMAGED)
    try:
        damage(os.path.join(DAMAGED, "model-2"))
        _read_all(os.path.join(DAMAGED, "model-2"))
    finally:
        shutil.rmtree(DAMAGED, ignore_errors=True)


def _restore(prefix, name, shape, dtype=tf.float32):
    v1.disable_resource_variables()  # NOTE: TF1's variables, whose Assign checks the shape
    with tf.Graph().as_default():
        variable = v1.get_variable(name, shape, dtype)
        with v1.Session() as sess:
            v1.train.Saver([variable]).restore(sess, prefix)


def _read_all(prefix):
    reader = tf.train.load_checkpoint(prefix)
    for name in reader.get_variable_to_shape_map():
        reader.get_tensor(name)


def _rewrite(path, change):
    with open(path, "rb") as stream:
        data = bytearray(stream.read())
    with open(path, "wb") as stream:
        stream.write(change(data))


def _flip(data, at):
    data[at] ^= 0x01
    return data


DAMAGES = {
    "truncated_index": lambda p: _rewrite(p + ".index", lambda data: data[:len(data) // 2]),
    "bad_magic": lambda p: _rewrite(p + ".index", lambda data: _flip(data, len(data) - 1)),
    "flipped_data_byte": lambda p: _rewrite(p + ".data-00000-of-00001",
                                            lambda data: _flip(data, 10)),
    "flipped_index_byte": lambda p: _rewrite(p + ".index", lambda data: _flip(data, 20)),
}


def record_sharded(values: dict) -> None:
    graph = tf.Graph()
    with graph.as_default():
        with tf.device("/cpu:0"):
            a = v1.get_variable("a", initializer=np.arange(6, dtype=np.float32).reshape(2, 3))
        with tf.device("/cpu:1"):
            b = v1.get_variable("b", initializer=np.array([7, 8, 9], np.int64))
        saver = v1.train.Saver(sharded=True)
        config = v1.ConfigProto(device_count={"CPU": 2})
        with v1.Session(config=config) as sess:
            sess.run(v1.global_variables_initializer())
            saver.save(sess, os.path.join(HERE, "sharded"), write_meta_graph=False,
                       write_state=False)
            values["sharded"] = {"a": sess.run(a).tolist(), "b": sess.run(b).tolist()}


def _jsonable(value):
    value = np.asarray(value)
    if value.dtype == object:
        return [item.decode("latin-1") for item in value.reshape(-1)]
    return value.tolist()


def main() -> None:
    v1.disable_eager_execution()
    shutil.rmtree(HERE, ignore_errors=True)
    os.makedirs(HERE)
    values = {"tensorflow": tf.__version__, "input": INPUT}
    record_main(values)
    record_sharded(values)
    record_errors(values)
    with open(os.path.join(HERE, "checkpoint.json"), "w") as stream:
        json.dump(values, stream, indent=1, sort_keys=True)
    for name in sorted(os.listdir(HERE)):
        print(f"{name}: {os.path.getsize(os.path.join(HERE, name))} bytes")


if __name__ == "__main__":
    main()
