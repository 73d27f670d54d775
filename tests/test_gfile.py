"""tf.gfile: TF's file API over local files; missing files raise TF's NotFoundError."""
from __future__ import annotations

import os

import pytest

from session_magic import errors, gfile


def test_gfile_writes_and_reads_text_and_bytes(tmp_path):
    path = str(tmp_path / "notes.txt")
    with gfile.GFile(path, "w") as file:
        file.write("one\ntwo\n")
    with gfile.Open(path) as file:
        assert file.readlines() == ["one\n", "two\n"]
    with gfile.FastGFile(path, "rb") as file:
        assert file.read() == b"one\ntwo\n" and file.size() == 8


def test_reading_a_missing_file_raises_not_found(tmp_path):
    with pytest.raises(errors.NotFoundError, match="missing"):
        gfile.GFile(str(tmp_path / "missing")).read()


def test_directories_are_made_listed_and_deleted(tmp_path):
    nested = str(tmp_path / "a" / "b")
    gfile.MakeDirs(nested)
    gfile.MakeDirs(nested)
    assert gfile.IsDirectory(nested) and gfile.Exists(nested)
    gfile.MkDir(os.path.join(nested, "c"))
    with pytest.raises(errors.AlreadyExistsError):
        gfile.MkDir(os.path.join(nested, "c"))
    assert gfile.ListDirectory(str(tmp_path / "a")) == ["b"]
    assert sorted(entry[0] for entry in gfile.Walk(str(tmp_path / "a"))) == [
        str(tmp_path / "a"), nested, os.path.join(nested, "c")]
    gfile.DeleteRecursively(str(tmp_path / "a"))
    assert not gfile.Exists(str(tmp_path / "a"))
    with pytest.raises(errors.NotFoundError):
        gfile.ListDirectory(str(tmp_path / "a"))


def test_copy_rename_remove_glob_and_stat(tmp_path):
    source = str(tmp_path / "x.pb")
    with gfile.GFile(source, "wb") as file:
        file.write(b"abc")
    gfile.Copy(source, str(tmp_path / "y.pb"))
    with pytest.raises(errors.AlreadyExistsError):
        gfile.Copy(source, str(tmp_path / "y.pb"))
    gfile.Rename(str(tmp_path / "y.pb"), str(tmp_path / "z.pb"))
    assert gfile.Glob(str(tmp_path / "*.pb")) == [source, str(tmp_path / "z.pb")]
    assert gfile.Stat(source).length == 3 and not gfile.Stat(source).is_directory
    gfile.Remove(source)
    with pytest.raises(errors.NotFoundError):
        gfile.Remove(source)
    assert gfile.exists is gfile.Exists and gfile.listdir is gfile.ListDirectory
    assert gfile.join(str(tmp_path), "x.pb") == source


def test_a_bad_mode_is_refused():
    with pytest.raises(errors.InvalidArgumentError, match="mode"):
        gfile.GFile("anything", "x")


def test_gfile_writes_str_or_bytes_in_either_mode_as_utf8(tmp_path):
    path = str(tmp_path / "notes.txt")
    with gfile.GFile(path, "wb") as stream:
        stream.write("héllo\n")
        stream.write(b"bytes\r\n")
    with gfile.GFile(path, "w+") as stream:
        stream.write(b"caf\xc3\xa9\r\n")
    assert open(path, "rb").read() == "café\r\n".encode()
