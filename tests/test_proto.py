"""session_magic.proto encodes and decodes as TF's own protobuf classes do: the bytes TF wrote
for a set of messages (tests/golden/record_proto.py) are the bytes we write for the same text,
and read back to the same message."""
import json
import math
from pathlib import Path

import pytest

from session_magic import proto
from session_magic.proto import DecodeError, parse_text, text_format

RECORDS = json.loads((Path(__file__).parent / "golden" / "interop" / "proto" /
                      "messages.json").read_text())


@pytest.mark.parametrize("record", RECORDS, ids=[f"{r['type']}-{i}" for i, r in
                                                 enumerate(RECORDS)])
def test_the_same_text_encodes_to_tfs_bytes(record):
    message = parse_text(record["text"], getattr(proto, record["type"])())
    assert message.SerializeToString().hex() == record["bytes"]


@pytest.mark.parametrize("record", RECORDS, ids=[f"{r['type']}-{i}" for i, r in
                                                 enumerate(RECORDS)])
def test_tfs_bytes_read_back_and_reencode_unchanged(record):
    data = bytes.fromhex(record["bytes"])
    message = getattr(proto, record["type"]).FromString(data)
    assert message.SerializeToString() == data
    assert parse_text(text_format(message), type(message)()).SerializeToString() == data
    assert parse_text(record["tf_text"], type(message)()).SerializeToString() == data


def test_oneof_members_are_present_even_at_their_default():
    value = proto.AttrValue(b=False)
    assert value.HasField("b") and value.WhichOneof("value") == "b"
    assert proto.AttrValue.FromString(value.SerializeToString()).WhichOneof("value") == "b"
    value.i = 0
    assert value.WhichOneof("value") == "i" and not value.HasField("b")


def test_reading_a_sub_message_does_not_set_it():
    event = proto.Event(step=1)
    assert event.summary.value == [] and not event.HasField("summary")
    assert event.SerializeToString() == proto.Event(step=1).SerializeToString()
    event.summary.value.add(tag="loss", simple_value=1.0)
    assert event.WhichOneof("what") == "summary"


def test_maps_negative_ints_and_special_floats_survive_a_round_trip():
    node = proto.NodeDef(name="n", op="Const")
    node.attr["k"].CopyFrom(proto.AttrValue(i=-(2**63)))  # NOTE: as protobuf, map[key] adds
    node.attr["f"] = proto.AttrValue(f=float("-inf"))
    node.attr["z"] = proto.AttrValue(f=-0.0)
    back = proto.NodeDef.FromString(node.SerializeToString())
    assert back.attr["k"].i == -(2**63) and back.attr["f"].f == float("-inf")
    assert math.copysign(1.0, back.attr["z"].f) < 0
    assert list(back.attr) == ["f", "k", "z"]


def test_unknown_fields_are_skipped_and_bad_bytes_fail_clearly():
    unknown = bytes([0xA8, 0x1F, 0x01])  # field 501, varint 1: no such field in Event
    assert proto.Event.FromString(unknown + proto.Event(step=5).SerializeToString()).step == 5
    with pytest.raises(DecodeError, match="Truncated"):
        proto.GraphDef.FromString(bytes([0x0A, 0x05, 0x0A]))
    with pytest.raises(ValueError, match="has no 'nme' field"):
        proto.NodeDef(nme="x")


def test_importing_session_magic_loads_no_protocol_buffers():
    import subprocess
    import sys
    code = "import session_magic, sys; print('session_magic.proto' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
