"""TFRecord files: ours equal TF's byte for byte for the same payloads, TF's (plain, GZIP, ZLIB;
tests/golden/interop/parsing/, written by tests/golden/record_parsing.py) read back here, and
corruption is reported as DataLossError naming the file and the record's offset."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from session_magic import errors, python_io

GOLDEN_DIR = Path(__file__).parent / "golden" / "interop" / "parsing"
RECORDS = json.loads((GOLDEN_DIR / "parsing.json").read_text())["records"]
PAYLOADS = [bytes.fromhex(p) for p in RECORDS["payloads_hex"]]


def _write(path: Path, payloads: list, options=None) -> None:
    with python_io.TFRecordWriter(str(path), options) as writer:
        for payload in payloads:
            writer.write(payload)


def test_written_file_equals_tfs_byte_for_byte(tmp_path):
    _write(tmp_path / "ours.tfrecord", PAYLOADS)
    assert (tmp_path / "ours.tfrecord").read_bytes() == \
        (GOLDEN_DIR / "tf_written.tfrecord").read_bytes()


@pytest.mark.parametrize("file_name", sorted(RECORDS["files"]))
def test_reads_files_tf_wrote(file_name):
    options = python_io.TFRecordOptions(RECORDS["files"][file_name])
    assert list(python_io.tf_record_iterator(str(GOLDEN_DIR / file_name), options)) == PAYLOADS


@pytest.mark.parametrize("compression", ["", "GZIP", "ZLIB",
                                         python_io.TFRecordCompressionType.GZIP])
def test_compressed_files_round_trip(tmp_path, compression):
    path = tmp_path / "records"
    options = python_io.TFRecordOptions(compression)
    _write(path, PAYLOADS, options)
    assert list(python_io.tf_record_iterator(str(path), options)) == PAYLOADS


def test_flush_makes_records_readable_before_close(tmp_path):
    path = tmp_path / "records"
    writer = python_io.TFRecordWriter(str(path))
    writer.write(b"first")
    writer.flush()
    assert list(python_io.tf_record_iterator(str(path))) == [b"first"]
    writer.close()
    with pytest.raises(errors.FailedPreconditionError, match="closed"):
        writer.write(b"late")


def test_corrupt_payload_names_file_and_offset(tmp_path):
    path = tmp_path / "records"
    _write(path, [b"abc", b"defgh"])
    data = bytearray(path.read_bytes())
    data[19 + 12] ^= 0x01  # NOTE: the second record starts at 16 + 3 = 19; its payload at +12
    path.write_bytes(bytes(data))
    records = python_io.tf_record_iterator(str(path))
    assert next(records) == b"abc"
    with pytest.raises(errors.DataLossError, match=f"{path}.*data.*offset 19"):
        next(records)


def test_corrupt_length_and_truncation_are_data_loss(tmp_path):
    path = tmp_path / "records"
    _write(path, [b"abc"])
    data = path.read_bytes()
    path.write_bytes(b"\x09" + data[1:])
    with pytest.raises(errors.DataLossError, match="length.*offset 0"):
        list(python_io.tf_record_iterator(str(path)))
    path.write_bytes(data[:-2])
    with pytest.raises(errors.DataLossError, match="truncated record at offset 0"):
        list(python_io.tf_record_iterator(str(path)))


def test_missing_file_is_not_found(tmp_path):
    with pytest.raises(errors.NotFoundError, match="nowhere"):
        list(python_io.tf_record_iterator(str(tmp_path / "nowhere")))


def test_unknown_compression_is_refused(tmp_path):
    with pytest.raises(ValueError, match="compression_type"):
        python_io.TFRecordWriter(str(tmp_path / "r"), python_io.TFRecordOptions("LZ4"))
