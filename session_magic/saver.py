"""Checkpoints (TF 1's `tf.train.Saver`): variables' values saved from a session and restored.

A checkpoint is `<prefix>.npz` (the values, read without pickle) and `<prefix>.index` (JSON),
each written to a temporary file and renamed into place, index last, so a crash mid-save never
damages an earlier checkpoint; the `checkpoint` state file names the newest ones.
"""
from __future__ import annotations

import codecs
import contextlib
import errno
import json
import numbers
import os
import time
import uuid
import warnings
import zipfile
from typing import Any, BinaryIO, Callable, Iterator, NamedTuple, Optional, Sequence

import numpy as np

from . import dtypes as d
from . import errors
from .session import BaseSession
from .tensor_shape import dims_compatible
from .graph import GraphKeys, get_collection
from .variables import Variable, global_variables

__all__ = ["Saver", "CheckpointState", "get_checkpoint_state", "latest_checkpoint",
           "checkpoint_exists", "list_variables", "load_variable", "load_checkpoint",
           "NewCheckpointReader"]


# --- checkpoint files ----------------------------------------------------------------------------

_FORMAT = "session_magic checkpoint"
_VERSION = 1
_STATE_FILENAME = "checkpoint"


def _write_atomically(path: str, write: Callable[[BinaryIO], None]) -> None:
    """Write `path` through a temporary file in its directory, synced, then renamed over it:
    readers see the old file or the complete new one, never a part."""
    directory = os.path.dirname(path) or "."
    temporary = os.path.join(directory, f".{os.path.basename(path)}.{uuid.uuid4().hex}.tmp")
    try:
        with open(temporary, "xb") as stream:
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _sync_directory(directory)


def _sync_directory(directory: str) -> None:
    """Make the rename itself durable (POSIX; Windows cannot open a directory)."""
    if os.name != "posix":
        return
    handle = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def _encoded(value: Any, dtype: d.DType) -> tuple[np.ndarray, dict]:
    """The array stored for one value and its index entry (strings as bytes + lengths)."""
    array = np.asarray(value)
    entry = {"dtype": dtype.name, "shape": list(array.shape)}
    if dtype is d.string:
        items = [x if isinstance(x, bytes) else str(x).encode() for x in array.reshape(-1)]
        entry["lengths"] = [len(x) for x in items]
        array = np.frombuffer(b"".join(items), dtype=np.uint8)
    return array, entry


def _decoded(array: np.ndarray, entry: dict) -> np.ndarray:
    if "lengths" not in entry:
        return array
    data, items, start = array.tobytes(), [], 0
    for length in entry["lengths"]:
        items.append(data[start:start + length])
        start += length
    return np.array(items + [None], dtype=object)[:-1].reshape(entry["shape"])


def _write_checkpoint(prefix: str, arrays: dict, entries: dict) -> None:
    """`<prefix>.npz` first, then `<prefix>.index`: an index on disk means complete data."""
    _write_atomically(prefix + ".npz", lambda stream: np.savez(stream, **arrays))
    index = {"format": _FORMAT, "version": _VERSION,
             "data_bytes": os.path.getsize(prefix + ".npz"), "variables": entries}
    _write_atomically(prefix + ".index", lambda stream: stream.write(
        json.dumps(index, indent=1).encode()))


def _write_meta_graph(path: str, graph: Any) -> None:
    """The graph beside its checkpoint; a graph that cannot be written costs a warning, never
    the checkpoint already written."""
    # NOTE: lazy: the protobuf codec loads only for a meta graph
    from .interop.meta_graph import export_meta_graph
    try:
        export_meta_graph(path, graph=graph)
    except (ValueError, TypeError) as problem:
        warnings.warn(f"Saver.save wrote the checkpoint but not its meta graph {path}: "
                      f"{problem}", stacklevel=3)


def _delete_checkpoint(prefix: str, meta_graph_suffix: str = "meta") -> None:
    for suffix in ("index", "npz", meta_graph_suffix):  # NOTE: the index first: see above.
        with contextlib.suppress(FileNotFoundError):
            os.remove(f"{prefix}.{suffix}")


class _CheckpointReader:
    """Reads one checkpoint: its index, then arrays from the .npz on demand (never unpickled)."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.entries = self._read_index(prefix + ".index")
        self._data_path = prefix + ".npz"

    @staticmethod
    def _read_index(path: str) -> dict:
        try:
            with open(path, "rb") as stream:
                index = json.loads(stream.read().decode())
        except FileNotFoundError:
            raise errors.NotFoundError(
                None, None, "Unsuccessful TensorSliceReader constructor: Failed to find any "
                f"matching files for {path[:-len('.index')]}") from None
        except (ValueError, UnicodeDecodeError) as error:
            raise errors.DataLossError(
                None, None, f"Unable to read checkpoint index {path}: it is truncated, corrupted "
                f"or not a session_magic checkpoint ({error}).") from None
        if not isinstance(index, dict) or index.get("format") != _FORMAT:
            raise errors.DataLossError(None, None, f"{path} is not a session_magic checkpoint "
                                                   "index.")
        if index.get("version") != _VERSION:
            raise errors.DataLossError(None, None, f"{path} has checkpoint format version "
                                                   f"{index.get('version')}, expected {_VERSION}.")
        index["variables"] = dict(index["variables"])
        return index

    def value(self, name: str) -> np.ndarray:
        """The saved array of `name` (NotFoundError when the checkpoint has no such key)."""
        entry = self.entries["variables"].get(name)
        if entry is None:
            raise errors.NotFoundError(None, None, f"Key {name} not found in checkpoint")
        with self._open() as data:
            return self._member(data, name, entry)

    def values(self, names: Sequence[str]) -> dict:
        entries = self.entries["variables"]
        for name in names:
            if name not in entries:
                raise errors.NotFoundError(None, None, f"Key {name} not found in checkpoint")
        with self._open() as data:
            return {name: self._member(data, name, entries[name]) for name in names}

    @contextlib.contextmanager
    def _open(self) -> Iterator[Any]:
        path, expected = self._data_path, self.entries.get("data_bytes")
        size = os.path.getsize(path) if os.path.exists(path) else None
        if size != expected:
            self._lost(f"it is {size} bytes but the index records {expected} (missing, truncated "
                       "or from another save)")
        with open(path, "rb") as stream:
            if stream.read(4) != _ZIP_MAGIC:  # NOTE: np.load would try such a file as a pickle.
                self._lost("it is not an .npz (zip) file: foreign or corrupted")
        try:
            with np.load(path, allow_pickle=False) as data:
                yield data
        except _UNREADABLE as error:
            self._lost(_reason(error))

    def _member(self, data: Any, name: str, entry: dict) -> np.ndarray:
        try:
            array = data[name]
        except KeyError:
            self._lost(f"it has no array {name!r} although the index lists it")
        except _UNREADABLE as error:
            self._lost(_reason(error))
        array = _decoded(array, entry)
        if list(array.shape) != entry["shape"] or _dtype_name(array) != entry["dtype"]:
            self._lost(f"array {name!r} is {array.dtype}{list(array.shape)} but the index "
                       f"records {entry['dtype']}{entry['shape']}")
        return array

    def _lost(self, reason: str) -> None:
        raise errors.DataLossError(None, None, f"Unable to read checkpoint data file "
                                               f"{self._data_path}: {reason}.")


_ZIP_MAGIC = b"PK\x03\x04"
_UNREADABLE = (ValueError, OSError, EOFError, zipfile.BadZipFile, zipfile.LargeZipFile)


def _reason(error: Exception) -> str:
    if "pickle" in str(error):
        return ("it holds pickled objects, which are never loaded (allow_pickle=False): it was "
                "not written by a Saver")
    return f"it is truncated, corrupted or not an .npz file ({type(error).__name__}: {error})"


def _dtype_name(array: np.ndarray) -> str:
    return "string" if array.dtype == object else d.as_dtype(array.dtype).name


# --- the checkpoint state file -------------------------------------------------------------------

class CheckpointState(NamedTuple):
    """The `checkpoint` file of a directory: the newest prefix and all kept prefixes."""

    model_checkpoint_path: str
    all_model_checkpoint_paths: list


def _state_text(newest: str, kept: list) -> str:
    """TF's text format, with paths relative to the directory (it may be moved)."""
    if not kept or kept[-1] != newest:
        kept = list(kept) + [newest]
    lines = [f"model_checkpoint_path: {_c_quote(os.path.basename(newest))}"]
    lines += [f"all_model_checkpoint_paths: {_c_quote(os.path.basename(p))}" for p in kept]
    return "\n".join(lines) + "\n"


def _c_quote(text: str) -> str:
    """A text-proto string as TF writes it: UTF-8 bytes, non-printable ones as octal escapes."""
    return '"' + "".join(chr(byte) if 0x20 <= byte < 0x7F and byte not in (0x22, 0x5C)
                         else f"\\{byte:03o}" for byte in text.encode("utf-8")) + '"'


def _c_unquote(quoted: str) -> str:
    """Read `_c_quote`'s form, TF's, and the JSON form earlier versions of this Saver wrote."""
    if "\\u" in quoted:
        return json.loads(quoted)
    inner = quoted[1:-1].encode("utf-8")
    return codecs.escape_decode(inner)[0].decode("utf-8")


def _parse_state(text: str, directory: str) -> Optional[CheckpointState]:
    newest, kept = None, []
    for line in text.splitlines():
        key, _, quoted = line.partition(":")
        value = _c_unquote(quoted.strip())
        path = value if os.path.isabs(value) else os.path.join(directory, value)
        if key.strip() == "model_checkpoint_path":
            newest = path
        elif key.strip() == "all_model_checkpoint_paths":
            kept.append(path)
    return CheckpointState(newest, kept) if newest else None


def get_checkpoint_state(checkpoint_dir: Any, latest_filename: Optional[str] = None
                         ) -> Optional[CheckpointState]:
    """What the directory's `checkpoint` file says, or None when there is none (or it is
    unreadable)."""
    checkpoint_dir = _path_argument(checkpoint_dir, "checkpoint_dir")
    path = os.path.join(checkpoint_dir, _state_filename(latest_filename))
    try:
        with open(path, encoding="utf-8") as stream:
            return _parse_state(stream.read(), checkpoint_dir)
    except (OSError, ValueError):
        return None


def checkpoint_exists(checkpoint_prefix: Any) -> bool:
    """Is there a complete checkpoint at this prefix? (Its index is written last.)"""
    return os.path.isfile(_path_argument(checkpoint_prefix, "checkpoint_prefix") + ".index")


def latest_checkpoint(checkpoint_dir: Any, latest_filename: Optional[str] = None
                      ) -> Optional[str]:
    """The prefix of the newest checkpoint saved in `checkpoint_dir`, or None."""
    state = get_checkpoint_state(checkpoint_dir, latest_filename)
    if state is not None and checkpoint_exists(state.model_checkpoint_path):
        return state.model_checkpoint_path
    return None


def _state_filename(latest_filename: Any) -> str:
    if latest_filename is None:
        return _STATE_FILENAME
    if not isinstance(latest_filename, str) or not latest_filename:
        raise TypeError(f"latest_filename must be a file name, got {latest_filename!r}")
    if os.path.split(latest_filename)[0]:
        raise ValueError("'latest_filename' must not contain path components")
    return latest_filename


def _checkpoint_prefix(ckpt_dir_or_file: Any) -> str:
    path = _path_argument(ckpt_dir_or_file, "ckpt_dir_or_file")
    if os.path.isdir(path):
        found = latest_checkpoint(path)
        if found is None:
            raise ValueError(f"Couldn't find 'checkpoint' file or checkpoints in given "
                             f"directory {path}")
        return found
    return path


def list_variables(ckpt_dir_or_file: Any) -> list:
    """[(name, shape)] of the variables saved in a checkpoint (or a directory's newest)."""
    reader = _reader_for(_checkpoint_prefix(ckpt_dir_or_file))
    return sorted((name, entry["shape"]) for name, entry in reader.entries["variables"].items())


def load_variable(ckpt_dir_or_file: Any, name: str) -> np.ndarray:
    """The saved value of variable `name` (a trailing ':0' is ignored)."""
    name = name[:-2] if name.endswith(":0") else name
    return _reader_for(_checkpoint_prefix(ckpt_dir_or_file)).value(name)


def load_checkpoint(ckpt_dir_or_file: Any) -> Any:
    """A reader (`get_tensor`, `get_variable_to_shape_map`, ...) of a checkpoint, or of a
    directory's newest; TF's tensor bundles and this project's checkpoints alike."""
    return NewCheckpointReader(_checkpoint_prefix(ckpt_dir_or_file))


def NewCheckpointReader(filepattern: Any) -> Any:  # noqa: N802 - TF's name
    """A reader of the checkpoint at prefix `filepattern` (see load_checkpoint)."""
    from .interop import checkpoint  # NOTE: loaded on first use: it brings the protobuf codec
    return checkpoint.NewCheckpointReader(_path_argument(filepattern, "filepattern"))


def _reader_for(prefix: str) -> Any:
    """The reader of this project's format, or of TF's when `prefix.index` is a TF bundle."""
    from .interop import checkpoint  # NOTE: loaded on first use: it brings the protobuf codec
    if checkpoint.is_tensor_bundle(prefix):
        return checkpoint.BundleReader(prefix)
    return _CheckpointReader(prefix)


# --- Saver ---------------------------------------------------------------------------------------

def _is_saveable(item: Any) -> bool:
    """A saveable object other than a variable (an iterator's, from
    `tf.data.experimental.make_saveable_from_iterator`): it saves one string under `key`."""
    return all(hasattr(item, attribute) for attribute in ("key", "state", "restored", "graph"))


def _named_variables(var_list: Any) -> tuple[dict, dict]:
    """({checkpoint name: Variable}, {checkpoint key: saveable}) from None (all global
    variables and the SAVEABLE_OBJECTS collection), a list or a dict."""
    if var_list is None:
        var_list = global_variables() + get_collection(GraphKeys.SAVEABLE_OBJECTS)
    if not isinstance(var_list, (dict, list, tuple, set)):
        raise TypeError(f"Variables to save should be passed in a dict or a list: {var_list}")
    items = var_list.items() if isinstance(var_list, dict) else [(None, v) for v in var_list]
    named: dict = {}
    saveables: dict = {}
    for name, variable in items:
        if _is_saveable(variable):
            if variable.key in saveables:
                raise ValueError(f"The same saveable will be restored with two names: "
                                 f"{variable.key}")
            saveables[variable.key] = variable
            continue
        if not isinstance(variable, Variable):
            raise TypeError(f"Variable to save is not a Variable: {variable}")
        name = variable.op.name if name is None else name
        if not isinstance(name, str) or not name:
            raise TypeError(f"The names of variables to save (the keys of var_list) must be "
                            f"non-empty strings, got {name!r} for {variable}")
        if name in named:
            raise ValueError(f"At least two variables have the same name: {name}")
        named[name] = variable
    clash = set(named) & set(saveables)
    if clash:
        raise ValueError(f"At least two variables have the same name: {sorted(clash)[0]}")
    return named, saveables


def _restore_failed(error: errors.OpError, cause: str) -> errors.OpError:
    """TF's wrapping of restore errors, keeping the error class."""
    return type(error)(None, None, "Restoring from checkpoint failed. This is most likely due to "
                       f"{cause} from the checkpoint. Please ensure that you have not altered "
                       "the graph expected based on the checkpoint. Original error:\n\n"
                       f"{error.message}")


def _max_to_keep(max_to_keep: Any) -> int:
    """How many checkpoints to keep; 0 (or None) keeps all."""
    if max_to_keep is None:
        return 0
    if isinstance(max_to_keep, bool) or not isinstance(max_to_keep, numbers.Integral):
        raise TypeError(f"max_to_keep must be an integer or None, got {max_to_keep!r}")
    if max_to_keep < 0:
        raise ValueError(f"max_to_keep must be 0 or more (0 or None keeps every checkpoint), "
                         f"got {max_to_keep}")
    return int(max_to_keep)


class Saver:
    """Saves and restores variables' values in a session: `save(sess, path)`, `restore(sess,
    path)`. The variables are those that exist when the Saver is made."""

    def __init__(self, var_list: Any = None, reshape: bool = False, sharded: bool = False,
                 max_to_keep: Optional[int] = 5, keep_checkpoint_every_n_hours: float = 10000.0,
                 name: Optional[str] = None, restore_sequentially: bool = False,
                 saver_def: Any = None, builder: Any = None, defer_build: bool = False,
                 allow_empty: bool = False, write_version: Any = None,
                 pad_step_number: bool = False, save_relative_paths: bool = False,
                 filename: Optional[str] = None) -> None:
        # NOTE: `sharded`, `restore_sequentially`, `builder`, `defer_build` and `write_version`
        # change how TF lays out or schedules the same values; these two would change results
        if reshape or saver_def is not None:
            raise NotImplementedError(f"Saver({'reshape=True' if reshape else 'saver_def=...'}) "
                                      "is not supported by session_magic yet")
        self._variables, self._saveables = _named_variables(var_list)
        if not self._variables and not self._saveables and not allow_empty:
            raise ValueError("No variables to save")
        self._max_to_keep = _max_to_keep(max_to_keep)
        self._keep_every_seconds = keep_checkpoint_every_n_hours * 3600
        self._next_keep_time = time.time() + self._keep_every_seconds
        self._pad_step_number = pad_step_number
        self._last: list[tuple[str, float]] = []

    @property
    def last_checkpoints(self) -> list:
        """The prefixes of the checkpoints not yet deleted, oldest first."""
        return [prefix for prefix, _ in self._last]

    def set_last_checkpoints(self, last_checkpoints: list) -> None:
        self._last = [(prefix, time.time()) for prefix in last_checkpoints]

    def recover_last_checkpoints(self, checkpoint_paths: list) -> None:
        """Adopt existing checkpoints (e.g. after a restart) so max_to_keep counts them."""
        self._last = [(p, os.path.getmtime(p + ".index")) for p in checkpoint_paths
                      if checkpoint_exists(p)]

    def save(self, sess: Any, save_path: Any, global_step: Any = None,
             latest_filename: Optional[str] = None, meta_graph_suffix: str = "meta",
             write_meta_graph: bool = True, write_state: bool = True,
             strip_default_attrs: bool = False, save_debug_info: bool = False) -> Optional[str]:
        """Write the variables' values in `sess`; returns the prefix (`save_path-<step>`).
        With `write_meta_graph`, also `prefix.meta`: the graph as a MetaGraphDef, which
        `tf.train.import_meta_graph` reads back."""
        _check_session(sess, self._variables, self._saveables, TypeError)
        save_path = _path_argument(save_path)
        if not os.path.basename(save_path):
            raise ValueError(f"save_path {save_path!r} names no file: give a prefix such as "
                             "'checkpoints/model'")
        latest_filename = _state_filename(latest_filename)
        prefix = self._prefix(sess, save_path, global_step, latest_filename)
        directory = os.path.dirname(save_path)
        if not os.path.isdir(directory or "."):
            raise ValueError(f"Parent directory of {save_path} doesn't exist, can't save.")
        if not self._variables and not self._saveables:
            return None
        try:
            self._write(sess, prefix)
            if write_meta_graph:
                _write_meta_graph(f"{prefix}.{meta_graph_suffix}", sess.graph)
            if write_state:
                self._write_state(prefix, directory, latest_filename, meta_graph_suffix)
        except OSError as error:
            raise _write_failed(prefix, error) from None
        return prefix

    def _write_state(self, prefix: str, directory: str, latest_filename: str,
                     meta_graph_suffix: str) -> None:
        doomed = self._record(prefix)
        state = _state_text(prefix, self.last_checkpoints)
        _write_atomically(os.path.join(directory, latest_filename),
                          lambda stream: stream.write(state.encode()))
        for old in doomed:
            _delete_checkpoint(old, meta_graph_suffix)

    def _prefix(self, sess: Any, save_path: str, global_step: Any, latest_filename: str) -> str:
        if global_step is None:
            if os.path.basename(save_path) == latest_filename:
                raise ValueError(f"'latest_filename' collides with 'save_path': "
                                 f"'{latest_filename}' and '{save_path}'")
            return save_path
        if not isinstance(global_step, numbers.Integral):
            global_step = int(sess.run(global_step))
        step = f"{global_step:08d}" if self._pad_step_number else f"{global_step:d}"
        return f"{save_path}-{step}"

    def _write(self, sess: Any, prefix: str) -> None:
        values = sess.run(list(self._variables.values()))
        arrays, entries = {}, {}
        for (name, variable), value in zip(self._variables.items(), values, strict=True):
            arrays[name], entries[name] = _encoded(value, variable.dtype)
        for key, saveable in self._saveables.items():
            arrays[key], entries[key] = _encoded(np.array(saveable.state(sess), dtype=object),
                                                 d.string)
        _write_checkpoint(prefix, arrays, entries)

    def _record(self, prefix: str) -> list:
        """Note `prefix` as the newest checkpoint; return the ones to delete now."""
        if not self._max_to_keep:
            return []
        self._last = [(p, t) for p, t in self._last if p != prefix] + [(prefix, time.time())]
        doomed = []
        while len(self._last) > self._max_to_keep:
            old, saved_at = self._last.pop(0)
            if saved_at > self._next_keep_time:
                self._next_keep_time += self._keep_every_seconds  # NOTE: kept for good.
            else:
                doomed.append(old)
        return doomed

    def restore(self, sess: Any, save_path: Any) -> None:
        """Assign the values saved at `save_path` to the variables (no initializer needed)."""
        if save_path is None:
            raise ValueError("Can't load save_path when it is None.")
        _check_session(sess, self._variables, self._saveables, ValueError)
        save_path = _path_argument(save_path)
        if not checkpoint_exists(save_path):
            raise ValueError("The passed save_path is not a valid checkpoint: " + save_path)
        reader = _reader_for(save_path)  # NOTE: TF's own checkpoints restore too
        try:
            values = reader.values([*self._variables, *self._saveables])
        except errors.NotFoundError as error:
            raise _restore_failed(error, "a Variable name or other graph key that is missing") \
                from None
        for name, variable in self._variables.items():
            _check_restorable(name, variable, values[name], reader.entries["variables"][name])
        states = dict(saveable.restored(bytes(np.asarray(values[key]).item()))
                      for key, saveable in self._saveables.items())
        _assign_all(sess, self._variables, values, states)


def _check_session(sess: Any, variables: dict, saveables: dict, foreign: type) -> None:
    """`sess` must be a session of the variables' graph; `foreign` is TF's class for one of
    another graph (TypeError from save, ValueError from restore, as TF 2.21 raises them)."""
    if not isinstance(sess, BaseSession):
        raise TypeError(f"'sess' must be a Session; {sess}")
    for name, variable in [*variables.items(), *saveables.items()]:
        if variable.graph is not sess.graph:
            raise foreign(f"The session runs a different graph from the Saver's variable "
                             f"{name!r}. Pass a session of the graph the variables were built "
                             "in (a Saver made before `reset_default_graph()` or in another "
                             "graph's `with graph.as_default():` block must be made again).")


def _path_argument(path: Any, name: str = "save_path") -> str:
    """`path` as a str (bytes decoded as the file system does), or a TypeError naming `name`."""
    try:
        text = os.fsdecode(os.fspath(path))
    except TypeError:
        raise TypeError(f"{name} must be a string or path-like, got {path!r} of type "
                        f"{type(path).__name__}") from None
    if "\0" in text:
        raise ValueError(f"{name} {text!r} contains a NUL character")
    return text


def _write_failed(prefix: str, error: OSError) -> errors.OpError:
    """A file system error while saving, as TF's C++ file system reports it."""
    kind = (errors.NotFoundError if isinstance(error, FileNotFoundError) else
            errors.PermissionDeniedError if isinstance(error, PermissionError) else
            errors.ResourceExhaustedError if error.errno == errno.ENOSPC else
            errors.UnknownError)
    return kind(None, None, f"Failed to save checkpoint {prefix}: "
                            f"{error.strerror or error} ({error.filename or prefix})")


def _check_restorable(name: str, variable: Variable, value: np.ndarray, entry: dict) -> None:
    if entry["dtype"] != variable.dtype.name:
        error = errors.InvalidArgumentError(
            None, None, f"tensor_name = {name}; expected dtype {variable.dtype.name} does not "
            f"equal original dtype {entry['dtype']}")
        raise _restore_failed(error, "a mismatch between the current graph and the graph")
    dims = variable._variable._dims
    if not dims_compatible(dims, value.shape):
        wanted = "?" if dims is None else ["?" if n is None else n for n in dims]
        error = errors.InvalidArgumentError(
            None, None, f"Shape mismatch for variable {name}: the graph has shape {wanted} but "
            f"the checkpoint holds shape {list(value.shape)} (Assign requires shapes of both "
            f"tensors to match. lhs shape= {wanted} rhs shape= {list(value.shape)})")
        raise _restore_failed(error, "a mismatch between the current graph and the graph")


def _assign_all(sess: Any, variables: dict, values: dict, states: dict) -> None:
    """Put the values (and the saveables' `states`, by op) into the session in one step, adding
    no ops: every variable is restored or, on an error, none. Like TF's restore, a
    `validate_shape=False` variable takes the saved value whatever its shape."""
    arrays = dict(states)
    for name, variable in variables.items():
        array = np.array(values[name], dtype=variable.dtype.as_numpy_dtype)
        array.flags.writeable = False  # NOTE: the store's arrays are never written into
        arrays[variable.op] = array
    sess._set_variable_values(arrays)
