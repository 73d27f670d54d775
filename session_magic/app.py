"""TF1's `tf.app`: `run(main, argv)`, the entry point of a program with flags, and `flags`.
As TF1's (absl's `app.run` with TF's tolerant parser): flags are parsed from argv, flags no
DEFINE_* defined are passed on to `main` with the positional arguments, and the process exits
with `sys.exit(main(argv))`."""
from __future__ import annotations

import sys
from typing import Any, Callable, NoReturn, Optional, Sequence

from . import flags

__all__ = ["flags", "run"]

_HELP = {"help": False, "?": False, "helpshort": False, "helpfull": True}
# NOTE: absl exits with status 1 after printing help, and TF1 programs inherit it
_HELP_EXIT_CODE = 1


def run(main: Optional[Callable[[list], Any]] = None,
        argv: Optional[Sequence[str]] = None) -> NoReturn:
    """Parse the flags in `argv` (sys.argv by default), then `sys.exit(main(remaining))`, where
    `remaining` is argv[0] plus the arguments that were not flags of ours; `main` defaults to
    the `main` of the `__main__` module."""
    main = main or sys.modules["__main__"].main
    argv = list(sys.argv if argv is None else argv)
    full = _help_requested(argv)
    if full is not None:
        print(_usage(argv[0], full))
        sys.exit(_HELP_EXIT_CODE)
    try:
        remaining = flags.FLAGS(argv, known_only=True)
    except flags.Error as error:
        print(f"FATAL Flags parsing error: {error}\n"
              "Pass --helpshort or --helpfull to see help on flags.", file=sys.stderr)
        sys.exit(1)
    sys.exit(main(remaining))


def _help_requested(argv: list) -> Optional[bool]:
    """None when argv asks for no help, else whether it asks for all flags (`--helpfull`)."""
    for arg in argv[1:]:
        if arg == "--":
            return None
        name, _, value = arg.lstrip("-").partition("=")
        if arg.startswith("-") and name in _HELP and value.lower() not in ("false", "0"):
            return _HELP[name]
    return None


def _usage(program: str, full: bool) -> str:
    """The main module's docstring and its flags (every flag with `full`), as absl prints."""
    doc = (getattr(sys.modules.get("__main__"), "__doc__", None)
           or f"\nUSAGE: {program} [flags]")
    if full:
        table = flags.FLAGS.get_help() + "\n\n" + _HELP_FLAGS
        return f"{doc.rstrip()}\nflags:\n\n{table}"
    table = flags.FLAGS.get_help(modules=["__main__"])
    return f"{doc.rstrip()}\nflags:\n\n{table}\n\nTry --helpfull to get a list of all flags."


_HELP_FLAGS = """session_magic.app:
  -?,--[no]help: show this help
    (default: 'false')
  --[no]helpfull: show full help
    (default: 'false')
  --[no]helpshort: show this help
    (default: 'false')"""
