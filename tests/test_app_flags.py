"""TF1's `tf.app.run` and `tf.flags`: absl's parsing rules (absl itself is the oracle where it
is installed), clear errors naming the flag, help, and real programs run as subprocesses."""
from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import textwrap

import pytest

from session_magic import app, flags

REPOSITORY = pathlib.Path(__file__).resolve().parents[1]


def _define_all(module, values) -> None:
    """The same flags in `values`, a FlagValues of `module` (ours or absl's)."""
    module.DEFINE_string("name", "model", "Run name.", flag_values=values)
    module.DEFINE_integer("steps", 10, "Steps.", flag_values=values, lower_bound=0)
    module.DEFINE_float("learning_rate", 0.1, "Learning rate.", flag_values=values)
    module.DEFINE_boolean("use_bias", True, "Add a bias.", flag_values=values)
    module.DEFINE_bool("verbose", False, "Talk.", flag_values=values)
    module.DEFINE_enum("mode", "train", ["train", "eval"], "Mode.", flag_values=values)
    module.DEFINE_list("layers", "8,4", "Layer sizes.", flag_values=values)
    module.DEFINE_multi_string("tag", [], "Tags.", flag_values=values)
    module.DEFINE_multi_integer("seed", [1], "Seeds.", flag_values=values)


def _ours() -> flags.FlagValues:
    values = flags.FlagValues()
    _define_all(flags, values)
    return values


ARGVS = [
    ["p", "--learning_rate=0.5", "--steps", "3", "--nouse_bias", "extra"],
    ["p", "extra", "--steps=0x10", "--verbose", "more"],
    ["p", "-steps=4", "--use_bias=false", "--verbose=1", "--mode", "eval"],
    ["p", "--use_bias=0", "--verbose=true", "--", "--steps=5", "x"],
    ["p", "--layers=1, 2,3", "--tag", "a", "--tag=b", "--seed=3", "--seed", "4"],
    ["p", "--name=", "--name", "second", "-", "last"],
    ["p", "--bogus", "--steps=2", "x", "--", "--steps=5"],
    ["p", "--steps=abc"], ["p", "--steps=-1"], ["p", "--mode=test"], ["p", "--use_bias=maybe"],
    ["p", "--steps"], ["p", "--seed=1", "--seed=x"],
]


@pytest.mark.parametrize("known_only", [False, True])
@pytest.mark.parametrize("argv", ARGVS, ids=lambda argv: " ".join(argv[1:]))
def test_parsing_matches_absl(argv: list, known_only: bool) -> None:
    absl_flags = pytest.importorskip("absl.flags")
    theirs = absl_flags.FlagValues()
    _define_all(absl_flags, theirs)
    assert _outcome(_ours(), argv, known_only) == _outcome(theirs, argv, known_only)


def _outcome(values, argv: list, known_only: bool):
    """(arguments left over, every flag's value), or the class name of the error raised."""
    try:
        rest = values(argv, known_only=known_only)
    except Exception as error:
        return type(error).__name__
    return rest, {name: values[name].value for name in values}


def test_parsed_values_have_their_flag_types() -> None:
    values = _ours()
    rest = values(["p", "--learning_rate=0.5", "--steps", "3", "--nouse_bias", "extra"])
    assert rest == ["p", "extra"]
    assert (values.learning_rate, values.steps, values.use_bias) == (0.5, 3, False)
    assert type(values.steps) is int and type(values.learning_rate) is float
    assert (values.name, values.layers, values.tag, values.seed) == ("model", ["8", "4"], [], [1])


def test_known_only_passes_unknown_flags_on_and_keeps_the_double_dash() -> None:
    values = _ours()
    rest = values(["p", "--bogus=1", "--steps=2", "x", "--", "--steps=5"], known_only=True)
    assert rest == ["p", "--bogus=1", "x", "--", "--steps=5"]
    assert values.steps == 2


@pytest.mark.parametrize("argv, error, words", [
    (["p", "--stps=3"], flags.UnrecognizedFlagError, ["'stps'", "Did you mean: steps"]),
    (["p", "--steps=abc"], flags.IllegalFlagValueError, ["--steps=abc", "not an integer"]),
    (["p", "--steps=1.5"], flags.IllegalFlagValueError, ["--steps=1.5", "not an integer"]),
    (["p", "--steps=-1"], flags.IllegalFlagValueError, ["--steps=-1", "an integer >= 0"]),
    (["p", "--learning_rate=fast"], flags.IllegalFlagValueError, ["--learning_rate", "fast"]),
    (["p", "--use_bias=maybe"], flags.IllegalFlagValueError, ["--use_bias=maybe", "boolean"]),
    (["p", "--nouse_bias=1"], flags.IllegalFlagValueError, ["--nouse_bias=1", "take a value"]),
    (["p", "--mode=test"], flags.IllegalFlagValueError, ["--mode=test", "<train|eval>"]),
    (["p", "--steps"], flags.Error, ["Missing value", "--steps"]),
])
def test_bad_command_lines_name_the_flag_and_value(argv: list, error: type, words: list) -> None:
    with pytest.raises(error) as raised:
        _ours()(argv)
    assert all(word in str(raised.value) for word in words), str(raised.value)
    assert isinstance(raised.value, flags.Error)


def test_argv_must_be_a_list_with_the_program_first() -> None:
    with pytest.raises(TypeError, match="list of strings"):
        _ours()("--steps=3")
    with pytest.raises(ValueError, match="program"):
        _ours()([])


def test_redefining_a_flag_names_it() -> None:
    values = _ours()
    with pytest.raises(flags.DuplicateFlagError, match="'steps' is defined twice"):
        flags.DEFINE_integer("steps", 1, "Again.", flag_values=values)


def test_a_bad_default_is_refused_at_definition() -> None:
    with pytest.raises(flags.IllegalFlagValueError, match="--steps=many"):
        flags.DEFINE_integer("steps", "many", "Steps.", flag_values=flags.FlagValues())


def test_string_defaults_are_converted_and_tf1_keyword_names_still_work() -> None:
    values = flags.FlagValues()
    flags.DEFINE_integer(flag_name="batch", default_value="32", docstring="Batch.",
                         flag_values=values)
    flags.DEFINE_boolean("fast", "false", "Fast.", flag_values=values)
    values(["p"])
    assert (values.batch, values.fast) == (32, False)
    assert values["batch"].help == "Batch."


def test_required_flag_must_end_with_a_value() -> None:
    values = flags.FlagValues()
    flags.DEFINE_string("data_dir", None, "Data.", flag_values=values)
    flags.mark_flag_as_required("data_dir", flag_values=values)
    with pytest.raises(flags.IllegalFlagValueError, match="Flag --data_dir must have a value"):
        values(["p"])
    assert values(["p", "--data_dir=/tmp"]) == ["p"] and values.data_dir == "/tmp"
    with pytest.raises(KeyError, match="--nothing"):
        flags.mark_flag_as_required("nothing", flag_values=values)


def test_assignment_converts_and_unknown_names_are_refused() -> None:
    values = _ours()
    values.steps = "7"
    assert values.steps == 7
    with pytest.raises(flags.IllegalFlagValueError, match="--steps=x"):
        values.steps = "x"
    with pytest.raises(flags.UnrecognizedFlagError, match="'stepz'"):
        values.stepz = 3
    with pytest.raises(AttributeError):
        _ = values.stepz


def test_holders_short_names_and_the_flags_dict() -> None:
    values = flags.FlagValues()
    holder = flags.DEFINE_integer("epochs", 1, "Epochs.", flag_values=values, short_name="e")
    values(["p", "-e", "5"])
    assert (holder.value, holder.default, holder.present) == (5, 1, True)
    assert values.__flags["epochs"].value == 5  # NOTE: TF1 programs read `FLAGS.__flags`
    assert "epochs" in values and list(values) == ["epochs"] and len(values) == 1
    assert values.get_flag_value("epochs", None) == 5
    assert values.get_flag_value("missing", "d") == "d"
    values.unparse_flags()
    assert not values.is_parsed() and values["epochs"].value == 1


def test_help_groups_flags_with_their_types_and_defaults() -> None:
    text = _ours().get_help()
    assert "  --steps: Steps.\n    (default: '10')\n    (an integer >= 0)" in text
    assert "  --[no]use_bias: Add a bias.\n    (default: 'true')" in text
    assert "  --mode: <train|eval>: Mode.\n    (default: 'train')" in text
    assert "  --layers: Layer sizes.\n    (default: '8,4')\n    (a comma separated list)" in text


def test_tf_app_flags_is_tf_flags() -> None:
    assert app.flags is flags
    assert flags.DEFINE_bool is flags.DEFINE_boolean


PROGRAM = '''\
"""Fits a line (a TF1 program with flags)."""
import sys

from session_magic import app
from session_magic.app import flags

flags.DEFINE_float("learning_rate", 0.1, "Learning rate.")
flags.DEFINE_integer("steps", 10, "Training steps.")
flags.DEFINE_boolean("use_bias", True, "Add a bias.")
flags.DEFINE_integer("exit_code", None, "What main returns.")
FLAGS = flags.FLAGS


def main(argv):
    print("learning_rate", FLAGS.learning_rate, "steps", FLAGS.steps,
          "use_bias", FLAGS.use_bias, "argv", argv[1:])
    return FLAGS.exit_code


if __name__ == "__main__":
    app.run()
'''


def _run_program(tmp_path: pathlib.Path, *args: str, source: str = PROGRAM):
    script = tmp_path / "script.py"
    script.write_text(textwrap.dedent(source))
    return subprocess.run([sys.executable, "script.py", *args], cwd=tmp_path, text=True,
                          capture_output=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(REPOSITORY)})


def test_a_program_runs_main_with_its_parsed_flags(tmp_path: pathlib.Path) -> None:
    result = _run_program(tmp_path, "--learning_rate=0.5", "--steps", "3", "--nouse_bias",
                          "extra")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "learning_rate 0.5 steps 3 use_bias False argv ['extra']\n"


@pytest.mark.parametrize("returned, code", [("0", 0), ("2", 2), (None, 0)])
def test_the_exit_status_is_what_main_returns(tmp_path, returned, code) -> None:
    args = [f"--exit_code={returned}"] if returned is not None else []
    assert _run_program(tmp_path, *args).returncode == code


def test_a_flag_no_one_defined_is_passed_on_to_main_as_tf1_does(tmp_path) -> None:
    result = _run_program(tmp_path, "--bogus=1", "x", "--steps=2")
    assert result.returncode == 0, result.stderr
    assert result.stdout.endswith("steps 2 use_bias True argv ['--bogus=1', 'x']\n")


def test_a_bad_flag_value_exits_1_naming_it(tmp_path) -> None:
    result = _run_program(tmp_path, "--steps=three")
    assert result.returncode == 1 and result.stdout == ""
    assert "FATAL Flags parsing error: flag --steps=three: 'three' is not an integer" \
        in result.stderr


@pytest.mark.parametrize("option", ["--help", "--helpfull", "-?"])
def test_help_prints_the_docstring_and_flags_and_exits_1_as_absl(tmp_path, option) -> None:
    result = _run_program(tmp_path, option)
    assert result.returncode == 1
    assert result.stdout.startswith("Fits a line (a TF1 program with flags).\nflags:\n\n")
    assert "script.py:\n  --exit_code: What main returns.\n" in result.stdout
    assert "  --learning_rate: Learning rate.\n    (default: '0.1')\n    (a number)" \
        in result.stdout
    assert ("--[no]helpfull" in result.stdout) == (option == "--helpfull")


def test_reading_a_flag_before_run_parses_sys_argv_as_tf1(tmp_path) -> None:
    source = '''\
        from session_magic import flags
        flags.DEFINE_integer("steps", 10, "Steps.")
        print(flags.FLAGS.steps, flags.FLAGS.is_parsed())
        '''
    result = _run_program(tmp_path, "--steps=4", "-f", "kernel.json", source=source)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "4 True\n"


def test_main_defaults_to_the_main_modules_main(tmp_path) -> None:
    source = '''\
        import sys
        from session_magic import app
        def main(argv):
            print("called with", argv[1:])
        app.run(argv=["prog", "a", "b"])
        '''
    result = _run_program(tmp_path, source=source)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "called with ['a', 'b']\n"
