"""Record the elements real TF's tf.data pipelines yield, for tests/test_data.py.

    /work/tfenv/bin/python tests/golden/record_data.py

Writes tests/golden/interop/data/pipelines.json: for each pipeline of PIPELINES (deterministic
ones only: no unseeded or seeded shuffle, whose order TF does not promise), its static output
types and shapes and every element a one-shot iterator yields until OutOfRangeError.
Each pipeline is `build(tf, data)`, run here with TF's compat.v1 and in the test with
session_magic.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

OUT = Path(__file__).resolve().parent / "interop" / "data" / "pipelines.json"


def _even(tf: Any) -> Any:
    return lambda x: tf.equal(tf.math.floormod(x, 2), 0)


PIPELINES = {
    "range": lambda tf, data: data.Dataset.range(2, 11, 3),
    "slices_tuple_map": lambda tf, data: data.Dataset.from_tensor_slices(
        (np.arange(6, dtype=np.float32).reshape(3, 2), np.array([1, 2, 3], np.int32))).map(
        lambda x, y: (tf.reduce_sum(x) * 2.0, y + 1)),
    "slices_dict_batch": lambda tf, data: data.Dataset.from_tensor_slices(
        {"a": np.arange(5, dtype=np.int64), "b": np.arange(10.0).reshape(5, 2)}).batch(2),
    "batch_drop_remainder": lambda tf, data: data.Dataset.range(7).batch(3, drop_remainder=True),
    "filter_map": lambda tf, data: data.Dataset.range(10).filter(_even(tf)).map(
        lambda x: x * x),
    "repeat_take_skip": lambda tf, data: data.Dataset.range(4).repeat(3).skip(2).take(7),
    "from_tensors_repeat": lambda tf, data: data.Dataset.from_tensors(
        np.array([1.5, 2.5], np.float32)).repeat(2),
    "zip": lambda tf, data: data.Dataset.zip((data.Dataset.range(5),
                                              data.Dataset.range(10, 13))),
    "flat_map": lambda tf, data: data.Dataset.range(1, 4).flat_map(
        lambda x: data.Dataset.from_tensors(x).repeat(x)),
    "interleave": lambda tf, data: data.Dataset.range(1, 5).interleave(
        lambda x: data.Dataset.from_tensors(x).repeat(x), cycle_length=2, block_length=2),
    "padded_batch": lambda tf, data: data.Dataset.range(1, 5).map(
        lambda x: tf.fill([x], x)).padded_batch(2, padded_shapes=[None]),
    "padded_batch_fixed": lambda tf, data: data.Dataset.range(1, 4).map(
        lambda x: tf.fill([x], tf.cast(x, tf.float32))).padded_batch(
        2, padded_shapes=[5], padding_values=-1.0),
    "unbatch": lambda tf, data: data.Dataset.from_tensor_slices(
        np.arange(12).reshape(3, 2, 2)).unbatch(),
    "cache_repeat": lambda tf, data: data.Dataset.range(3).map(lambda x: x + 1).cache().repeat(2),
    "generator": lambda tf, data: data.Dataset.from_generator(
        lambda: iter([(1, [2.0, 3.0]), (4, [5.0, 6.0])]), (tf.int32, tf.float32),
        (tf.TensorShape([]), tf.TensorShape([2]))),
    "apply_prefetch": lambda tf, data: data.Dataset.range(5).apply(
        lambda ds: ds.map(lambda x: -x)).prefetch(2),
}


def encode(value: Any) -> Any:
    """An element as JSON: arrays as {dtype, shape, values}, bytes as text, structures kept."""
    if isinstance(value, dict):
        return {k: encode(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return [encode(v) for v in value]
    array = np.asarray(value)
    values = array.tolist() if array.dtype != object else \
        np.vectorize(lambda b: b.decode(), otypes=[object])(array).tolist()
    return {"dtype": str(array.dtype) if array.dtype != object else "string",
            "shape": list(array.shape), "values": values}


def structure_text(structure: Any, leaf: Any) -> Any:
    if isinstance(structure, dict):
        return {k: structure_text(v, leaf) for k, v in structure.items()}
    if isinstance(structure, (tuple, list)):
        return [structure_text(v, leaf) for v in structure]
    return leaf(structure)


def dims_text(shape: Any) -> Any:
    return None if shape.ndims is None else [d if isinstance(d, int) or d is None else d.value
                                             for d in shape.as_list()]


def run_pipeline(tf: Any, data: Any, build: Any) -> dict:
    """The static types, shapes and elements of the pipeline `build` makes, in a fresh graph."""
    graph = tf.Graph()
    with graph.as_default():
        dataset = build(tf, data)
        iterator = data.make_one_shot_iterator(dataset)
        element = iterator.get_next()
        types = structure_text(data.get_output_types(dataset), lambda t: t.name)
        shapes = structure_text(data.get_output_shapes(dataset), dims_text)
        elements = []
        with tf.Session(graph=graph) as sess:
            while True:
                try:
                    elements.append(encode(sess.run(element)))
                except tf.errors.OutOfRangeError:
                    break
    return {"types": types, "shapes": shapes, "elements": elements}


def main() -> None:
    import tensorflow as real_tf  # NOTE: only the recorder needs TF
    tf = real_tf.compat.v1
    tf.disable_eager_execution()
    record = {name: run_pipeline(tf, tf.data, build) for name, build in PIPELINES.items()}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")
    print(f"wrote {len(record)} pipelines to {OUT}")


if __name__ == "__main__":
    main()
