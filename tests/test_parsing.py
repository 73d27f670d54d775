"""tf.train.Example bytes, parse_example/parse_single_example and decode_csv against what real TF
did with the same inputs (tests/golden/interop/parsing/parsing.json, recorded by
tests/golden/record_parsing.py), plus the errors session_magic adds for what it lacks."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import session_magic as tf
from session_magic import errors
from session_magic.ops import parsing_ops
from session_magic.proto import BytesList, Example, Feature, Features, FloatList, Int64List

GOLDEN = json.loads((Path(__file__).parent / "golden" / "interop" / "parsing" /
                     "parsing.json").read_text())


def _example(spec: dict) -> Example:
    features = {}
    for key, (kind, values) in sorted(spec.items()):
        if kind == "bytes":
            features[key] = Feature(bytes_list=BytesList(value=[v.encode() for v in values]))
        elif kind == "float":
            features[key] = Feature(float_list=FloatList(value=values))
        else:
            features[key] = Feature(int64_list=Int64List(value=values))
    return Example(features=Features(feature=features))


def _serialized(name: str) -> bytes:
    if name == "garbage":
        return bytes.fromhex(GOLDEN["garbage_hex"])
    return _example(GOLDEN["examples"][name]["spec"]).SerializeToString()


def _assert_matches(value: np.ndarray, golden: dict) -> None:
    value = np.asarray(value)
    assert list(value.shape) == golden["shape"]
    if golden["dtype"] == "string":
        assert [bytes(v).hex() for v in value.reshape(-1)] == golden["hex"]
    else:
        assert value.dtype == np.dtype(golden["dtype"])
        np.testing.assert_array_equal(value.reshape(-1), np.array(golden["values"],
                                                                  golden["dtype"]))


@pytest.mark.parametrize("name", sorted(GOLDEN["examples"]))
def test_example_serializes_as_tf_does(name):
    entry = GOLDEN["examples"][name]
    serialized = _example(entry["spec"]).SerializeToString()
    assert serialized.hex() == entry["hex"]
    assert Example.FromString(serialized) == _example(entry["spec"])


def _parse_case_id(case: dict) -> str:
    return case["label"]


@pytest.mark.parametrize("case", GOLDEN["parse"], ids=_parse_case_id)
def test_parse_example_matches_tf(case):
    specs = {key: tf.io.FixedLenFeature(shape, dtype, default)
             for key, (shape, dtype, default) in case["features"].items()}
    serialized = [_serialized(name) for name in case["examples"]]
    with tf.Graph().as_default():
        fed = tf.placeholder(tf.string, [] if case["single"] else [None])
        parse = tf.io.parse_single_example if case["single"] else tf.io.parse_example
        if "build_error" in case:
            with pytest.raises({"ValueError": ValueError, "TypeError": TypeError}[
                    case["build_error"]]):
                parse(fed, specs)
            return
        parsed = parse(fed, specs)
        with tf.Session() as session:
            feed = {fed: serialized[0] if case["single"] else serialized}
            if "error" in case:
                with pytest.raises(getattr(errors, case["error"])) as caught:
                    session.run(parsed, feed)
                assert caught.value.message.startswith(case["message"])
                return
            values = session.run(parsed, feed)
    assert sorted(values) == sorted(case["values"])
    for key, golden in case["values"].items():
        _assert_matches(values[key], golden)


def _csv_defaults(case: dict) -> list:
    dtypes = case["kwargs"].get("dtypes")
    if dtypes:
        return [tf.constant(v, dtypes[i]) for i, v in enumerate(case["defaults"])]
    return [v if v else tf.constant([], tf.int32) for v in case["defaults"]]


@pytest.mark.parametrize("case", GOLDEN["csv"], ids=_parse_case_id)
def test_decode_csv_matches_tf(case):
    options = {k: v for k, v in case["kwargs"].items() if k != "dtypes"}
    with tf.Graph().as_default():
        columns = tf.io.decode_csv(case["records"], _csv_defaults(case), **options)
        with tf.Session() as session:
            if "error" in case:
                with pytest.raises(getattr(errors, case["error"])) as caught:
                    session.run(columns)
                assert caught.value.message.startswith(case["message"])
                return
            values = session.run(columns)
    assert len(values) == len(case["values"])
    for value, golden in zip(values, case["values"], strict=True):
        _assert_matches(value, golden)


@pytest.mark.parametrize("case", GOLDEN["to_number"], ids=lambda c: f"{c['text']!r}:{c['dtype']}")
def test_to_number_matches_tf(case):
    with tf.Graph().as_default(), tf.Session() as session:
        converted = tf.strings.to_number([case["text"]], case["dtype"])
        if "error" in case:
            with pytest.raises(getattr(errors, case["error"])) as caught:
                session.run(converted)
            assert caught.value.message.startswith(case["message"])
            return
        _assert_matches(session.run(converted), case["values"])


def test_parse_names_ops_as_tf():
    with tf.Graph().as_default():
        fed = tf.placeholder(tf.string, [])
        parsed = tf.io.parse_single_example(fed, {"a": tf.io.FixedLenFeature([2], tf.float32)})
        batch = tf.io.parse_example([b""], {"a": tf.io.FixedLenFeature([], tf.int64, 0)})
    assert parsed["a"].name == "ParseSingleExample/ParseExample/ParseExampleV2:0"
    assert parsed["a"].shape.as_list() == [2]
    assert batch["a"].name == "ParseExample/ParseExampleV2:0"
    assert batch["a"].shape.as_list() == [1]


def test_var_len_feature_names_itself():
    with tf.Graph().as_default():
        with pytest.raises(NotImplementedError, match="VarLenFeature.*'ids'.*SparseTensor"):
            tf.io.parse_example([b""], {"ids": tf.io.VarLenFeature(tf.int64)})


def test_parse_single_example_refuses_a_batch():
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="scalar"):
            tf.io.parse_single_example([b"", b""], {"a": tf.io.FixedLenFeature([], tf.int64)})


def test_decode_raw_reads_little_and_big_endian():
    data = np.array([np.arange(3, dtype="<i4").tobytes(), np.array([7, 8, 9], "<i4").tobytes()],
                    object)
    with tf.Graph().as_default(), tf.Session() as session:
        little = session.run(tf.io.decode_raw(data, tf.int32))
        big = session.run(tf.io.decode_raw(data, tf.int32, little_endian=False))
        with pytest.raises(errors.InvalidArgumentError, match="same size"):
            session.run(tf.io.decode_raw(np.array([b"ab", b"abc"], object), tf.uint8))
    np.testing.assert_array_equal(little, [[0, 1, 2], [7, 8, 9]])
    np.testing.assert_array_equal(big, np.array([[0, 1, 2], [7, 8, 9]], "<i4").byteswap())


def test_to_number_reads_numbers_and_names_bad_text():
    with tf.Graph().as_default(), tf.Session() as session:
        values = session.run(tf.strings.to_number(["1.5", "-2", "1e3"]))
        ints = session.run(tf.strings.to_number(["7", "-3"], tf.int64))
        with pytest.raises(errors.InvalidArgumentError, match="convert string: abc"):
            session.run(tf.strings.to_number(["abc"]))
    np.testing.assert_array_equal(values, np.array([1.5, -2.0, 1000.0], np.float32))
    assert ints.dtype == np.int64 and ints.tolist() == [7, -3]


def test_parsing_ops_has_its_public_names():
    assert set(parsing_ops.__all__) <= set(dir(parsing_ops))
