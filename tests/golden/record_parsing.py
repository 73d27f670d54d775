"""Record what real TF does with tf.train.Example bytes, parse_example, decode_csv and TFRecord
files, for tests/test_parsing.py and tests/test_tfrecord.py.

    /work/tfenv/bin/python tests/golden/record_parsing.py

Writes tests/golden/interop/parsing/: `parsing.json` (each case's inputs beside TF's answer:
serialized bytes as hex, parsed, decoded and converted values, or the error's class and
message) and TFRecord files
written by TF (plain, GZIP, ZLIB) of the payloads listed in the JSON.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "interop" / "parsing"

# an Example as {key: [kind, values]}; bytes values are written as text
EXAMPLES = {
    "mixed": {"label": ["int64", [3]], "pixels": ["float", [0.5, -1.0, 2.0]],
              "name": ["bytes", ["a", "bc"]]},
    "empty": {},
    "big_ints": {"ids": ["int64", [-1, 0, 2 ** 40, -(2 ** 63), 2 ** 63 - 1]]},
    "matrix": {"m": ["float", [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]], "tag": ["bytes", ["x"]]},
    "empty_list": {"e": ["float", []]},
}

# parse cases: examples (names above; "garbage" is bytes that are no Example), features as
# {key: [shape, dtype, default]}, single or batch
PARSE_CASES = [
    ("single, all kinds", ["mixed"], {"label": [[], "int64", None],
                                      "pixels": [[3], "float32", None],
                                      "name": [[2], "string", None]}, True),
    ("single, defaults", ["empty"], {"a": [[2], "float32", [1.5, 2.5]],
                                     "b": [[], "int64", 7], "c": [[], "string", "z"]}, True),
    ("single, scalar default broadcast", ["empty"], {"a": [[3], "float32", 0.0]}, True),
    ("single, shape 2x3", ["matrix"], {"m": [[2, 3], "float32", None]}, True),
    ("single, missing required", ["empty"], {"a": [[2], "float32", None]}, True),
    ("single, missing required int64", ["mixed"], {"zz": [[], "int64", None]}, True),
    ("single, wrong length", ["mixed"], {"pixels": [[2], "float32", None]}, True),
    ("single, wrong type", ["mixed"], {"label": [[], "float32", None]}, True),
    ("single, wrong type bytes", ["mixed"], {"name": [[2], "int64", None]}, True),
    ("single, garbage", ["garbage"], {"a": [[], "float32", 1.0]}, True),
    ("single, empty list uses default", ["empty_list"], {"e": [[1], "float32", 9.0]}, True),
    ("batch", ["mixed", "empty", "mixed"], {"label": [[], "int64", -1],
                                           "pixels": [[3], "float32", [0.0, 0.0, 0.0]]}, False),
    ("batch, big ints", ["big_ints", "big_ints"], {"ids": [[5], "int64", None]}, False),
    ("batch, missing in second", ["mixed", "empty"], {"label": [[], "int64", None]}, False),
    ("batch, wrong length", ["mixed", "mixed"], {"pixels": [[2], "float32", None]}, False),
    ("batch, wrong length 2x3", ["empty", "matrix"], {"m": [[2, 2], "float32", [0.0] * 4]},
     False),
    ("batch, wrong length scalar", ["mixed"], {"name": [[], "string", None]}, False),
    ("batch, wrong type", ["mixed"], {"name": [[2], "float32", None]}, False),
    ("batch, garbage", ["mixed", "garbage"], {"label": [[], "int64", 0]}, False),
    ("batch, scalar default broadcast", ["empty"], {"a": [[3], "float32", 0.0]}, False),
    ("batch, wrong length in second", ["matrix", "mixed"], {"tag": [[], "string", "q"],
                                                            "m": [[6], "float32", None]},
     False),
]
GARBAGE = b"\n\x05ab"  # NOTE: a truncated field; printable, as TF echoes it in the error

# decode_csv cases: records, record_defaults ([] for required; dtype from the value), kwargs
CSV_CASES = [
    ("plain", ["1,2,x", "3,,y", "4,5,"], [[1.0], [0], ["d"]], {}),
    ("quoted", ['"1",2,"a,b"', '5,6,"say ""hi"""', '7,8,""'], [[0.0], [0], [""]], {}),
    ("int64 and float64", ["9000000000,1e-300", "-5,2.5"], [[0], [0.0]], {"dtypes": ["int64",
                                                                             "float64"]}),
    ("tab delim", ["1\t2", "\t4"], [[-1], [0]], {"field_delim": "\t"}),
    ("na_value", ["NA,1", "2,NA"], [[7], [8]], {"na_value": "NA"}),
    ("select_cols", ["1,2,3,4", "5,6,7,8"], [[0], [0]], {"select_cols": [1, 3]}),
    ("no quote delim", ['a"b,c'], [[""], [""]], {"use_quote_delim": False}),
    ("required missing", ["1,2", ",3"], [[], [0]], {}),
    ("too few fields", ["1,2", "3"], [[0], [0]], {}),
    ("too many fields", ["1,2,3"], [[0], [0]], {}),
    ("bad float", ["1.5,abc"], [[0.0], [0.0]], {}),
    ("bad int", ["1,2.5"], [[0], [0]], {}),
    ("int32 overflow", ["3000000000"], [[0]], {}),
    ("unescaped quote", ['"a"b,c'], [[""], [""]], {}),
    ("quote in unquoted field", ['a"b,c'], [[""], [""]], {}),
    ("unterminated quote", ['"abc'], [[""]], {}),
    ("scalar record", "1,2", [[0], [0.0]], {}),
    ("spaces", [" 1 , 2.5 "], [[0], [0.0]], {}),
]

# to_number cases: text, dtype
TO_NUMBER_CASES = [("1.5", "float32"), ("1e40", "float32"), ("1e400", "float64"),
                   (" 2 ", "float32"), ("0x10", "float32"), ("-inf", "float32"),
                   ("+5", "int32"), ("3000000000", "int32"), ("3000000000", "int64"),
                   ("1.5", "int32"), ("", "float32"), ("abc", "float64"), ("1_0", "int64")]

RECORD_PAYLOADS = ["", "a", "x" * 300, "\x00\xff", "example:mixed"]


def main() -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow.compat.v1 as tf  # NOTE: only the recorder needs TF

    tf.disable_eager_execution()
    OUT.mkdir(parents=True, exist_ok=True)
    examples = {name: _example(tf, spec).SerializeToString(deterministic=True).hex()
                for name, spec in EXAMPLES.items()}
    content = {"examples": {name: {"spec": spec, "hex": examples[name]}
                            for name, spec in EXAMPLES.items()},
               "garbage_hex": GARBAGE.hex(),
               "parse": [_parse_case(tf, examples, *case) for case in PARSE_CASES],
               "csv": [_csv_case(tf, *case) for case in CSV_CASES],
               "to_number": [_to_number_case(tf, *case) for case in TO_NUMBER_CASES],
               "records": _record_files(tf, examples)}
    (OUT / "parsing.json").write_text(json.dumps(content, indent=1, sort_keys=True) + "\n")
    print(f"wrote {OUT / 'parsing.json'}")


def _example(tf: Any, spec: dict) -> Any:
    features = {}
    for key, (kind, values) in sorted(spec.items()):
        if kind == "bytes":
            features[key] = tf.train.Feature(bytes_list=tf.train.BytesList(
                value=[v.encode() for v in values]))
        elif kind == "float":
            features[key] = tf.train.Feature(float_list=tf.train.FloatList(value=values))
        else:
            features[key] = tf.train.Feature(int64_list=tf.train.Int64List(value=values))
    return tf.train.Example(features=tf.train.Features(feature=features))


def _parse_case(tf: Any, examples: dict, label: str, names: list, features: dict,
                single: bool) -> dict:
    serialized = [GARBAGE if n == "garbage" else bytes.fromhex(examples[n]) for n in names]
    specs = {key: tf.io.FixedLenFeature(shape, tf.as_dtype(dtype), default)
             for key, (shape, dtype, default) in features.items()}
    with tf.Graph().as_default():
        fed = tf.placeholder(tf.string, [] if single else [None])
        try:
            parsed = (tf.io.parse_single_example if single else tf.io.parse_example)(fed, specs)
        except (ValueError, TypeError) as error:
            return {"label": label, "examples": names, "features": features, "single": single,
                    "build_error": type(error).__name__}
        value = serialized[0] if single else serialized
        outcome = _run(tf, parsed, {fed: value})
    return {"label": label, "examples": names, "features": features, "single": single, **outcome}


def _csv_case(tf: Any, label: str, records: Any, defaults: list, kwargs: dict) -> dict:
    dtypes = kwargs.get("dtypes")
    options = {k: v for k, v in kwargs.items() if k != "dtypes"}
    with tf.Graph().as_default():
        record_defaults = [tf.constant(v, tf.as_dtype(dtypes[i])) if dtypes else
                           (v if v else tf.constant([], tf.float32))
                           for i, v in enumerate(defaults)]
        if dtypes is None:
            record_defaults = [v if v else tf.constant([], tf.int32) for v in defaults]
        try:
            columns = tf.io.decode_csv(records, record_defaults, **options)
        except (ValueError, TypeError) as error:
            return {"label": label, "records": records, "defaults": defaults, "kwargs": kwargs,
                    "build_error": type(error).__name__}
        outcome = _run(tf, columns, None)
    return {"label": label, "records": records, "defaults": defaults, "kwargs": kwargs,
            **outcome}


def _to_number_case(tf: Any, text: str, dtype: str) -> dict:
    with tf.Graph().as_default():
        outcome = _run(tf, tf.strings.to_number([text], tf.as_dtype(dtype)), None)
    return {"text": text, "dtype": dtype, **outcome}


def _run(tf: Any, fetches: Any, feed: Any) -> dict:
    with tf.Session() as session:
        try:
            return {"values": _jsonable(session.run(fetches, feed))}
        except tf.errors.OpError as error:
            return {"error": type(error).__name__, "message": _message(error.message)}


def _message(text: str) -> str:
    """The kernel's own words: between TF's `Node: '...'` line and its `[[{{node ...}}]]`."""
    lines = text.splitlines()
    trailer = next(i for i, line in enumerate(lines) if line.strip().startswith("[["))
    start = max(i for i, line in enumerate(lines[:trailer]) if line.startswith("Node: ")) + 1
    return "\n".join(lines[start:trailer])


def _jsonable(value: Any) -> Any:
    import numpy as np  # NOTE: NumPy comes with TF; imported where TF's results are read

    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    array = np.asarray(value)
    if array.dtype == object or array.dtype.kind == "S":
        return {"dtype": "string", "shape": list(array.shape),
                "hex": [bytes(v).hex() for v in array.reshape(-1)]}
    return {"dtype": array.dtype.name, "shape": list(array.shape),
            "values": array.reshape(-1).tolist()}


def _record_files(tf: Any, examples: dict) -> dict:
    payloads = [bytes.fromhex(examples["mixed"]) if p == "example:mixed" else p.encode("latin-1")
                for p in RECORD_PAYLOADS]
    files = {}
    for compression, file_name in (("", "tf_written.tfrecord"), ("GZIP", "tf_written.gz"),
                                   ("ZLIB", "tf_written.zlib")):
        options = tf.io.TFRecordOptions(compression_type=compression)
        with tf.io.TFRecordWriter(str(OUT / file_name), options) as writer:
            for payload in payloads:
                writer.write(payload)
        read = list(tf.io.tf_record_iterator(str(OUT / file_name), options))
        assert read == payloads, file_name
        files[file_name] = compression
    return {"payloads_hex": [p.hex() for p in payloads], "files": files}


if __name__ == "__main__":
    main()
