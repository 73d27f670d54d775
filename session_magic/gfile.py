"""`tf.gfile` and `tf.io.gfile`: TF's file API over plain local files (no cloud file systems).

TF1's CamelCase names (`GFile`, `Exists`, `MakeDirs`...) and tf.io.gfile's snake_case ones
(`exists`, `makedirs`, `listdir`...) name the same functions. Errors are TF's: a missing file
raises `errors.NotFoundError`.
"""
from __future__ import annotations

import glob as _glob
import os
import shutil
from typing import Any, Iterator

from . import errors

__all__ = ["GFile", "FastGFile", "Open", "Exists", "MakeDirs", "MkDir", "ListDirectory",
           "Glob", "Remove", "Rename", "Copy", "IsDirectory", "DeleteRecursively", "Stat",
           "Walk", "exists", "makedirs", "mkdir", "listdir", "glob", "remove", "rename",
           "copy", "isdir", "rmtree", "stat", "walk", "join", "get_registered_schemes"]


def _not_found(path: str, error: OSError) -> errors.NotFoundError:
    return errors.NotFoundError(None, None, f"{path}; {error.strerror or error}")


class GFile:
    """`tf.gfile.GFile(name, mode='r')`: a file object whose text mode reads and writes str and
    binary mode ('rb', 'wb') bytes; opened on first use, as TF's."""

    def __init__(self, name: str, mode: str = "r") -> None:
        if mode.replace("+", "").replace("b", "") not in ("r", "w", "a"):
            raise errors.InvalidArgumentError(None, None, f"mode is not 'r' or 'w' or 'a': {mode}")
        self.name, self.mode = os.fspath(name), mode
        self._file: Any = None

    def _opened(self) -> Any:
        if self._file is None:
            try:
                # NOTE: as TF, text is UTF-8 and newlines are written as given
                text = {} if "b" in self.mode else {"encoding": "utf-8", "newline": ""}
                self._file = open(self.name, self.mode, **text)  # noqa: SIM115 - close()
            except FileNotFoundError as error:
                raise _not_found(self.name, error) from None
        return self._file

    def read(self, n: int = -1) -> Any:
        return self._opened().read(n)

    def readline(self) -> Any:
        return self._opened().readline()

    def readlines(self) -> list:
        return self._opened().readlines()

    def write(self, data: Any) -> None:
        """As TF's GFile: str or bytes in any mode (text is written as UTF-8)."""
        stream = self._opened()
        if "b" in self.mode:
            stream.write(data.encode("utf-8") if isinstance(data, str) else bytes(data))
        else:
            stream.write(data.decode("utf-8") if isinstance(data, (bytes, bytearray)) else data)

    def seek(self, offset: int, whence: int = 0) -> None:
        self._opened().seek(offset, whence)

    def tell(self) -> int:
        return self._opened().tell()

    def size(self) -> int:
        return os.path.getsize(self.name)

    def flush(self) -> None:
        if self._file is not None:
            self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def __iter__(self) -> Iterator:
        return iter(self._opened())

    def __next__(self) -> Any:
        return next(self._opened())

    def __enter__(self) -> GFile:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


FastGFile = Open = GFile


def Exists(filename: str) -> bool:  # noqa: N802 - TF1's name
    return os.path.exists(filename)


def IsDirectory(dirname: str) -> bool:  # noqa: N802 - TF1's name
    return os.path.isdir(dirname)


def MakeDirs(dirname: str) -> None:  # noqa: N802 - TF1's name
    """Create `dirname` and its missing parents; an existing directory is fine."""
    os.makedirs(dirname, exist_ok=True)


def MkDir(dirname: str) -> None:  # noqa: N802 - TF1's name
    """Create one directory; AlreadyExistsError when it exists, as TF's."""
    try:
        os.mkdir(dirname)
    except FileExistsError:
        raise errors.AlreadyExistsError(None, None, f"{dirname}; File exists") from None
    except FileNotFoundError as error:
        raise _not_found(dirname, error) from None


def ListDirectory(dirname: str) -> list:  # noqa: N802 - TF1's name
    """The names of the entries of `dirname` (not paths), in no particular order."""
    if not os.path.isdir(dirname):
        raise errors.NotFoundError(None, None, f"Could not find directory {dirname}")
    return os.listdir(dirname)


def Glob(filename: str) -> list:  # noqa: N802 - TF1's name
    """The paths matching the pattern `filename` (or each of a list of patterns)."""
    patterns = [filename] if isinstance(filename, (str, bytes, os.PathLike)) else filename
    return [path for pattern in patterns for path in sorted(_glob.glob(os.fspath(pattern)))]


def Remove(filename: str) -> None:  # noqa: N802 - TF1's name
    try:
        os.remove(filename)
    except FileNotFoundError as error:
        raise _not_found(filename, error) from None


def Rename(oldname: str, newname: str, overwrite: bool = False) -> None:  # noqa: N802
    """Move `oldname` to `newname`; AlreadyExistsError if it exists and not `overwrite`."""
    if not overwrite and os.path.exists(newname):
        raise errors.AlreadyExistsError(None, None, f"{newname}; File already exists")
    try:
        os.replace(oldname, newname)
    except FileNotFoundError as error:
        raise _not_found(oldname, error) from None


def Copy(oldpath: str, newpath: str, overwrite: bool = False) -> None:  # noqa: N802
    """Copy a file; AlreadyExistsError if `newpath` exists and not `overwrite`."""
    if not overwrite and os.path.exists(newpath):
        raise errors.AlreadyExistsError(None, None, f"{newpath}; File already exists")
    try:
        shutil.copyfile(oldpath, newpath)
    except FileNotFoundError as error:
        raise _not_found(oldpath, error) from None


def DeleteRecursively(dirname: str) -> None:  # noqa: N802 - TF1's name
    if not os.path.exists(dirname):
        raise errors.NotFoundError(None, None, f"{dirname}; No such file or directory")
    if os.path.isdir(dirname):
        shutil.rmtree(dirname)
    else:
        os.remove(dirname)


class FileStatistics:
    """What `Stat` returns: `length` in bytes, `mtime_nsec`, `is_directory`."""

    def __init__(self, length: int, mtime_nsec: int, is_directory: bool) -> None:
        self.length, self.mtime_nsec, self.is_directory = length, mtime_nsec, is_directory


def Stat(filename: str) -> FileStatistics:  # noqa: N802 - TF1's name
    try:
        found = os.stat(filename)
    except FileNotFoundError as error:
        raise _not_found(filename, error) from None
    return FileStatistics(found.st_size, found.st_mtime_ns, os.path.isdir(filename))


def Walk(top: str, in_order: bool = True) -> Iterator:  # noqa: N802 - TF1's name
    """(dirname, subdirectory names, file names) for `top` and each directory below it."""
    for dirname, subdirs, files in os.walk(top, topdown=in_order):
        yield dirname, subdirs, files


exists, isdir, makedirs, mkdir, listdir, glob = (Exists, IsDirectory, MakeDirs, MkDir,
                                                 ListDirectory, Glob)
remove, rename, copy, rmtree, stat, walk = Remove, Rename, Copy, DeleteRecursively, Stat, Walk


def join(path: str, *paths: str) -> str:
    """`tf.io.gfile.join`: os.path.join for local paths."""
    return os.path.join(path, *paths)


def get_registered_schemes() -> list:
    """The file systems offered: local files only (no `gs://`, `hdfs://`)."""
    return ["", "file"]
