"""A TF1 name session_magic lacks says so, naming itself; any other missing name is Python's
usual AttributeError; and the corpus of names classic TF1 programs use never meets a bare one."""
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

import session_magic as tf
from session_magic.unsupported import NotSupportedYet, is_tf1_name

ROOT = Path(__file__).resolve().parent.parent


def coverage_script():
    spec = importlib.util.spec_from_file_location("api_coverage",
                                                  ROOT / "benchmarks" / "api_coverage.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("lookup, named", [
    (lambda: tf.estimator, "tf.estimator"),
    (lambda: tf.nn.ctc_loss, "tf.nn.ctc_loss"),
    (lambda: tf.compat.v1.estimator, "tf.estimator"),
    (lambda: tf.keras, "tf.keras"),
])
def test_a_missing_tf1_name_says_it_is_not_supported_yet(lookup, named):
    with pytest.raises(NotSupportedYet) as raised:
        lookup()
    assert str(raised.value) == f"{named} is part of TF1 but not supported by session_magic yet"
    assert isinstance(raised.value, AttributeError)


def test_hasattr_and_getattr_defaults_still_work():
    assert not hasattr(tf, "estimator")
    assert getattr(tf.nn, "ctc_loss", "fallback") == "fallback"
    assert hasattr(tf, "Session") and hasattr(tf.nn, "relu")


@pytest.mark.parametrize("lookup, module, name", [
    (lambda: tf.no_such_thing, "session_magic", "no_such_thing"),
    (lambda: tf.nn.no_such_thing, "session_magic.nn", "no_such_thing"),
    (lambda: tf.train.AdamOptimiser, "session_magic.train", "AdamOptimiser"),
])
def test_a_name_tf1_never_had_is_a_plain_attribute_error(lookup, module, name):
    with pytest.raises(AttributeError) as raised:
        lookup()
    assert type(raised.value) is AttributeError
    assert str(raised.value) == f"module {module!r} has no attribute {name!r}"
    assert raised.value.name == name  # Python's "Did you mean" suggestion uses it


def test_private_and_dunder_names_are_never_tf1_names():
    with pytest.raises(AttributeError) as raised:
        _ = tf.__wrapped__
    assert type(raised.value) is AttributeError
    assert not is_tf1_name("__path__")


def test_every_corpus_name_is_tf1s_and_never_meets_a_bare_attribute_error():
    script = coverage_script()
    corpus = script.names_in(script.CORPUS)
    assert len(corpus) > 400
    assert [name for name in corpus if not is_tf1_name(name)] == []
    assert [name for name in corpus if script.lookup(name) == "bare"] == []


def test_tf_logging_has_tf1s_functions():
    script = coverage_script()
    logging_names = [n for n in script.names_in(script.TF1_NAMES) if n.startswith("logging.")]
    assert len(logging_names) > 15
    assert [n for n in logging_names if script.lookup(n) != "present"] == []


def test_importing_reads_no_name_list():
    code = ("import session_magic, session_magic.unsupported as u; "
            "print(u._tf1_names.cache_info().currsize)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0"
