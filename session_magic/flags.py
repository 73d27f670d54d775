"""TF1's `tf.flags` (also `tf.app.flags`): absl-compatible command-line flags, in one small
parser. Flags are defined once (`DEFINE_*`), parsed from an argv by `FLAGS(argv)`, or from
`sys.argv` on the first read of a flag (TF1's `_FlagValuesWrapper`), and read as `FLAGS.name`.
State: the flags defined in each `FlagValues` (one global `FLAGS`) and whether it was parsed."""
from __future__ import annotations

import difflib
import sys
from typing import Any, Callable, Iterator, Optional, Sequence

__all__ = [
    "DEFINE_bool", "DEFINE_boolean", "DEFINE_enum", "DEFINE_float", "DEFINE_integer",
    "DEFINE_list", "DEFINE_multi_integer", "DEFINE_multi_string", "DEFINE_string",
    "DuplicateFlagError", "Error", "FLAGS", "Flag", "FlagHolder", "FlagValues",
    "IllegalFlagValueError", "UnrecognizedFlagError", "mark_flag_as_required",
    "mark_flags_as_required",
]


class Error(Exception):
    """The base of every flags error (absl's `flags.Error`)."""


class DuplicateFlagError(Error):
    """A flag name defined twice."""


class IllegalFlagValueError(Error):
    """A flag given a value its type refuses, or a required flag left unset."""


class UnrecognizedFlagError(Error):
    """A flag on the command line that no DEFINE_* defined."""

    def __init__(self, flagname: str, flagvalue: str = "", suggestions: Sequence[str] = ()):
        self.flagname, self.flagvalue = flagname, flagvalue
        tip = f". Did you mean: {', '.join(suggestions)} ?" if suggestions else ""
        super().__init__(f"Unknown command line flag '{flagname}'{tip}")


# --- converters: text (or an already typed value) -> value; ValueError says what is wrong ---

def _to_string(value: Any) -> str:
    return str(value)


def _to_boolean(value: Any) -> bool:
    if isinstance(value, bool) or value in (0, 1):
        return bool(value)
    text = str(value).lower()
    if text in ("true", "t", "1"):
        return True
    if text in ("false", "f", "0"):
        return False
    raise ValueError(f"expected a boolean (true/false/1/0), got {value!r}")


def _to_integer(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(value)
    # NOTE: absl reads 0x.. as hexadecimal and 0o.. as octal
    base = {"0x": 16, "0o": 8}.get(text[:2].lower(), 10) if len(text) > 2 else 10
    try:
        return int(text, base)
    except ValueError:
        raise ValueError(f"{value!r} is not an integer") from None


def _to_float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{value!r} is not a number") from None


def _to_list(value: Any) -> list:
    if isinstance(value, (list, tuple)):
        return [str(item) for item in value]
    return [item.strip() for item in str(value).split(",") if item.strip()]


def _bounded(convert: Callable, lower: Any, upper: Any, syntax: str) -> Callable:
    if lower is None and upper is None:
        return convert

    def check(value: Any) -> Any:
        number = convert(value)
        if (lower is not None and number < lower) or (upper is not None and number > upper):
            raise ValueError(f"{number} is not {syntax}")
        return number
    return check


def _one_of(choices: Sequence[str]) -> Callable:
    def check(value: Any) -> str:
        if value not in choices:
            raise ValueError(f"value should be one of <{'|'.join(choices)}>")
        return value
    return check


class Flag:
    """One defined flag: its name, help, default and current value (absl's `Flag`)."""

    def __init__(self, name: str, default: Any, help: str, convert: Callable, syntax: str = "",
                 boolean: bool = False, multi: bool = False, short_name: Optional[str] = None,
                 module: str = "__main__"):
        self.name, self.help, self.short_name, self.module = name, help, short_name, module
        self.boolean, self.multi, self.syntax = boolean, multi, syntax
        self._convert = convert
        self.default = None if default is None else self._typed(default)
        self.value = self.default
        self.present = 0
        self.using_default_value = True

    def _typed(self, value: Any) -> Any:
        if not self.multi:
            return self._convert(value)
        items = value if isinstance(value, (list, tuple)) else [value]
        return [self._convert(item) for item in items]

    def parse(self, text: Any) -> None:
        """One occurrence on the command line (a multi flag collects them all)."""
        try:
            value = self._convert(text)
        except ValueError as error:
            raise IllegalFlagValueError(f"flag --{self.name}={text}: {error}") from None
        if self.multi:
            self.value = (self.value if self.present else []) + [value]
        else:
            self.value = value
        self.present += 1
        self.using_default_value = False

    def reset(self) -> None:
        self.value, self.present, self.using_default_value = self.default, 0, True

    def serialized_default(self) -> Optional[str]:
        """The default as absl's help shows it (`'0.1'`, `'true'`, `'a,b'`)."""
        if self.default is None:
            return None
        if self.multi:
            return repr(str(self.default))
        if self.boolean:
            return repr(str(self.default).lower())
        if isinstance(self.default, list):
            return repr(",".join(self.default))
        return repr(str(self.default))


class FlagHolder:
    """What DEFINE_* returns: `holder.value` reads the flag through its FlagValues."""

    def __init__(self, flag_values: "FlagValues", flag: Flag):
        self._flag_values, self.name = flag_values, flag.name

    @property
    def value(self) -> Any:
        return getattr(self._flag_values, self.name)

    @property
    def default(self) -> Any:
        return self._flag_values[self.name].default

    @property
    def present(self) -> bool:
        return bool(self._flag_values[self.name].present)


class FlagValues:
    """A registry of flags and their values; `FLAGS` is the global one.

    NOTE: state lives in `__dict__` under absl's keys, so `FLAGS.__flags` (read outside a class
    body, where Python does not mangle it) is the name -> Flag dict that TF1 programs use."""

    def __init__(self):
        self.__dict__.update({"__flags": {}, "__parsed": False, "__required": []})

    def _flags(self) -> dict:
        return self.__dict__["__flags"]

    # --- defining ---
    def _register(self, flag: Flag) -> None:
        flags = self._flags()
        if flag.name in flags:
            first = flags[flag.name]
            raise DuplicateFlagError(
                f"The flag '{flag.name}' is defined twice. First from {first.module}, second "
                f"from {flag.module}. Description from first occurrence: {first.help}")
        flags[flag.name] = flag

    def mark_as_required(self, name: str) -> None:
        if name not in self._flags():
            raise KeyError(f"cannot mark undefined flag --{name} as required")
        self.__dict__["__required"].append(name)

    # --- parsing ---
    def __call__(self, argv: Sequence[str], known_only: bool = False) -> list:
        """Parse `argv` (argv[0] is the program); return argv[0] plus the arguments left over.
        With `known_only`, unknown flags are left over too instead of raising."""
        if isinstance(argv, (str, bytes)) or not isinstance(argv, (list, tuple)):
            raise TypeError("argv should be a tuple/list of strings, not bytes or string.")
        if not argv:
            raise ValueError("argv cannot be an empty list: its first element is the program.")
        unknown, rest = self._parse_args(list(argv[1:]), known_only)
        if unknown:
            name, _ = unknown[0]
            raise UnrecognizedFlagError(name, "", difflib.get_close_matches(name, self._flags()))
        self.mark_as_parsed()
        self._check_required()
        return [argv[0]] + rest

    def _parse_args(self, args: list, known_only: bool) -> tuple:
        """(unknown flags as (name, arg), the arguments left over), as absl's GNU mode: flags may
        follow positional arguments; `--` ends the flags."""
        unknown, rest = [], []
        remaining = iter(args)
        for arg in remaining:
            if arg == "--":
                rest += ["--"] if known_only else []
                break
            body = arg[2:] if arg.startswith("--") else arg[1:]
            name, equals, value = body.partition("=")
            if not arg.startswith("-") or not name:
                rest.append(arg)
                continue
            flag, value = self._find(name, value if equals else None, arg)
            if flag is None and known_only:
                rest.append(arg)
            elif flag is None:
                unknown.append((name, arg))
            if flag is None:
                continue
            if value is None:
                value = next(remaining, None)
                if value is None:
                    raise Error(f"Missing value for flag {arg}")
            flag.parse(value)
        return unknown, rest + list(remaining)

    def _find(self, name: str, value: Optional[str], arg: str) -> tuple:
        """The flag `name` names (`--noflag` for a boolean) and its value, None if implied."""
        flags = self._flags()
        flag = flags.get(name) or next(
            (f for f in flags.values() if f.short_name and f.short_name == name), None)
        if flag is not None:
            return flag, "true" if flag.boolean and value is None else value
        negated = flags.get(name[2:]) if name.startswith("no") else None
        if negated is not None and negated.boolean:
            if value is not None:
                raise IllegalFlagValueError(f"{arg}: --no{negated.name} does not take a value")
            return negated, "false"
        return None, value

    def _check_required(self) -> None:
        for name in self.__dict__["__required"]:
            if self._flags()[name].value is None:
                raise IllegalFlagValueError(
                    f"flag --{name}=None: Flag --{name} must have a value other than None.")

    def is_parsed(self) -> bool:
        return self.__dict__["__parsed"]

    def mark_as_parsed(self) -> None:
        self.__dict__["__parsed"] = True

    def unparse_flags(self) -> None:
        """Every flag back to its default; the next read parses sys.argv again."""
        for flag in self._flags().values():
            flag.reset()
        self.__dict__["__parsed"] = False

    # --- reading ---
    def __getattr__(self, name: str) -> Any:
        flags = self._flags()
        if name not in flags:
            raise AttributeError(name)
        if not self.is_parsed():
            # NOTE: TF1 parses sys.argv on the first read; known_only because a notebook
            # kernel's own `-f kernel.json` would otherwise make every read fail
            self(sys.argv or [""], known_only=True)
        return flags[name].value

    def __setattr__(self, name: str, value: Any) -> None:
        flags = self._flags()
        if name not in flags:
            raise UnrecognizedFlagError(name, value)
        try:
            flags[name].value = None if value is None else flags[name]._typed(value)
        except ValueError as error:
            raise IllegalFlagValueError(f"flag --{name}={value}: {error}") from None
        flags[name].using_default_value = False

    def __getitem__(self, name: str) -> Flag:
        return self._flags()[name]

    def __contains__(self, name: str) -> bool:
        return name in self._flags()

    def __iter__(self) -> Iterator[str]:
        return iter(self._flags())

    def __len__(self) -> int:
        return len(self._flags())

    def __dir__(self) -> list:
        return sorted(self._flags())

    def get_flag_value(self, name: str, default: Any) -> Any:
        return getattr(self, name) if name in self else default

    def flag_values_dict(self) -> dict:
        """{name: value} of every flag."""
        return {name: getattr(self, name) for name in self._flags()}

    def get_help(self, modules: Optional[Sequence[str]] = None) -> str:
        """absl's help text: flags grouped by the module defining them (all, or `modules`)."""
        grouped: dict = {}
        for flag in sorted(self._flags().values(), key=lambda f: f.name):
            if modules is None or flag.module in modules:
                grouped.setdefault(flag.module, []).append(flag)
        blocks = []
        for module, flags in sorted(grouped.items()):
            label = sys.argv[0] if module == "__main__" and sys.argv[0] else module
            blocks.append(f"{label}:\n" + "\n".join(_describe(flag) for flag in flags))
        return "\n\n".join(blocks)


def _describe(flag: Flag) -> str:
    """`  --[no]name: help` and its default and syntax lines, as absl writes them."""
    names = f"-{flag.short_name},--" if flag.short_name else "--"
    names += ("[no]" if flag.boolean else "") + flag.name
    text = flag.help + (";\n    repeat this option to specify a list of values"
                        if flag.multi else "")
    choices = f"{flag.syntax}: " if flag.syntax.startswith("<") else ""
    lines = [f"  {names}: {choices}{text}"]
    if flag.serialized_default() is not None:
        lines.append(f"    (default: {flag.serialized_default()})")
    if flag.syntax and not choices:
        lines.append(f"    ({flag.syntax})")
    return "\n".join(lines)


FLAGS = FlagValues()


def _calling_module() -> str:
    """`__name__` of the module that called DEFINE_* (the group its flag shows under in help)."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_globals.get("__name__") == __name__:
        frame = frame.f_back
    return frame.f_globals.get("__name__", "__main__") if frame is not None else "__main__"


def _tf1_keywords(define: Callable) -> Callable:
    """TF1's wrapper: `flag_name=`, `default_value=`, `docstring=` still name the arguments."""
    renamed = {"flag_name": "name", "default_value": "default", "docstring": "help"}

    def wrapper(*args: Any, **kwargs: Any) -> FlagHolder:
        return define(*args, **{renamed.get(key, key): value for key, value in kwargs.items()})
    wrapper.__name__, wrapper.__doc__ = define.__name__, define.__doc__
    return wrapper


def _define(flag_values: FlagValues, required: bool, name: str, default: Any, help: str,
            convert: Callable, **traits: Any) -> FlagHolder:
    try:
        flag = Flag(name, default, help, convert, module=_calling_module(), **traits)
    except ValueError as error:
        raise IllegalFlagValueError(f"flag --{name}={default}: {error}") from None
    flag_values._register(flag)
    if required:
        flag_values.mark_as_required(name)
    return FlagHolder(flag_values, flag)


@_tf1_keywords
def DEFINE_string(name: str, default: Optional[str], help: str, flag_values: FlagValues = FLAGS,
                  required: bool = False, short_name: Optional[str] = None) -> FlagHolder:
    """A flag whose value is a string."""
    return _define(flag_values, required, name, default, help, _to_string,
                   short_name=short_name)


@_tf1_keywords
def DEFINE_boolean(name: str, default: Any, help: str, flag_values: FlagValues = FLAGS,
                   required: bool = False, short_name: Optional[str] = None) -> FlagHolder:
    """A boolean flag: `--name`, `--noname`, `--name=true|false|1|0`."""
    return _define(flag_values, required, name, default, help, _to_boolean, boolean=True,
                   short_name=short_name)


DEFINE_bool = DEFINE_boolean


def _numeric_syntax(kind: str, lower: Any, upper: Any) -> str:
    if lower is not None and upper is not None:
        return f"{kind} in the range [{lower}, {upper}]"
    if lower is not None:
        return f"{kind} >= {lower}"
    return f"{kind} <= {upper}" if upper is not None else kind


@_tf1_keywords
def DEFINE_integer(name: str, default: Any, help: str, lower_bound: Optional[int] = None,
                   upper_bound: Optional[int] = None, flag_values: FlagValues = FLAGS,
                   required: bool = False, short_name: Optional[str] = None) -> FlagHolder:
    """An integer flag, optionally bounded."""
    syntax = _numeric_syntax("an integer", lower_bound, upper_bound)
    return _define(flag_values, required, name, default, help,
                   _bounded(_to_integer, lower_bound, upper_bound, syntax), syntax=syntax,
                   short_name=short_name)


@_tf1_keywords
def DEFINE_float(name: str, default: Any, help: str, lower_bound: Optional[float] = None,
                 upper_bound: Optional[float] = None, flag_values: FlagValues = FLAGS,
                 required: bool = False, short_name: Optional[str] = None) -> FlagHolder:
    """A floating-point flag, optionally bounded."""
    syntax = _numeric_syntax("a number", lower_bound, upper_bound)
    return _define(flag_values, required, name, default, help,
                   _bounded(_to_float, lower_bound, upper_bound, syntax), syntax=syntax,
                   short_name=short_name)


def DEFINE_enum(name: str, default: Optional[str], enum_values: Sequence[str], help: str,
                flag_values: FlagValues = FLAGS, required: bool = False,
                short_name: Optional[str] = None) -> FlagHolder:
    """A string flag restricted to `enum_values`."""
    if not enum_values:
        raise ValueError(f"DEFINE_enum {name!r}: enum_values must not be empty")
    return _define(flag_values, required, name, default, help, _one_of(list(enum_values)),
                   syntax=f"<{'|'.join(enum_values)}>", short_name=short_name)


def DEFINE_list(name: str, default: Any, help: str, flag_values: FlagValues = FLAGS,
                required: bool = False, short_name: Optional[str] = None) -> FlagHolder:
    """A comma-separated list of strings (`--names=a,b,c`)."""
    return _define(flag_values, required, name, default, help, _to_list,
                   syntax="a comma separated list", short_name=short_name)


def DEFINE_multi_string(name: str, default: Any, help: str, flag_values: FlagValues = FLAGS,
                        required: bool = False, short_name: Optional[str] = None) -> FlagHolder:
    """A string flag that may repeat; its value is the list of every occurrence."""
    return _define(flag_values, required, name, default, help, _to_string, multi=True,
                   short_name=short_name)


def DEFINE_multi_integer(name: str, default: Any, help: str, lower_bound: Optional[int] = None,
                         upper_bound: Optional[int] = None, flag_values: FlagValues = FLAGS,
                         required: bool = False,
                         short_name: Optional[str] = None) -> FlagHolder:
    """An integer flag that may repeat; its value is the list of every occurrence."""
    return _define(flag_values, required, name, default, help,
                   _bounded(_to_integer, lower_bound, upper_bound,
                            _numeric_syntax("an integer", lower_bound, upper_bound)), multi=True,
                   short_name=short_name)


def mark_flag_as_required(flag_name: str, flag_values: FlagValues = FLAGS) -> None:
    """Parsing fails unless flag `flag_name` ends with a value other than None."""
    flag_values.mark_as_required(flag_name)


def mark_flags_as_required(flag_names: Sequence[str], flag_values: FlagValues = FLAGS) -> None:
    for flag_name in flag_names:
        flag_values.mark_as_required(flag_name)
