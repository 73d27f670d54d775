"""How much of TF1's API a TF1 program finds here: every name of benchmarks/api_corpus.txt (what
classic TF1 programs use) and of session_magic/tf1_names.txt (TF1's whole public API) looked up
on `session_magic` as a program would (`tf.nn.conv2d`), written to benchmarks/API_COVERAGE.md.

    python benchmarks/api_coverage.py
"""
from __future__ import annotations

import datetime
import platform
import subprocess
import sys
from collections import Counter
from pathlib import Path

import session_magic as tf
from session_magic.unsupported import NotSupportedYet

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "benchmarks" / "api_corpus.txt"
TF1_NAMES = ROOT / "session_magic" / "tf1_names.txt"
REPORT = ROOT / "benchmarks" / "API_COVERAGE.md"


def names_in(path: Path) -> list:
    return [line.strip() for line in path.read_text().splitlines()
            if line.strip() and not line.startswith("#")]


def lookup(dotted: str) -> str:
    """`tf.<dotted>` as a program looks it up: "present", "not supported" (NotSupportedYet,
    the clear error) or "bare" (a plain AttributeError: a defect)."""
    value = tf
    for part in dotted.removesuffix(".*").split("."):
        try:
            value = getattr(value, part)
        except NotSupportedYet:
            return "not supported"
        except AttributeError:
            return "bare"
    return "present"


def found(dotted: str) -> bool:
    return lookup(dotted) == "present"


def namespace(dotted: str) -> str:
    return dotted.rpartition(".")[0] if "." in dotted.removesuffix(".*") else "(top level)"


def table(names: list) -> list:
    missing = [name for name in names if not found(name)]
    by_space, missing_by_space = Counter(map(namespace, names)), Counter(map(namespace, missing))
    lines = ["| namespace | names | present | missing |", "|---|---:|---:|---:|"]
    for space, count in sorted(by_space.items(), key=lambda item: -item[1]):
        lines.append(f"| {space} | {count} | {count - missing_by_space[space]} | "
                     f"{missing_by_space[space]} |")
    return lines, missing


def main() -> int:
    corpus, everything = names_in(CORPUS), [n for n in names_in(TF1_NAMES) if not n.endswith("*")]
    corpus_table, corpus_missing = table(corpus)
    bare = [name for name in corpus + everything if lookup(name) == "bare"]
    _, api_missing = table(everything)
    commit = subprocess.run(["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
                            capture_output=True, text=True).stdout.strip()
    lines = [
        "# TF1 API coverage", "",
        f"Written by `benchmarks/api_coverage.py` on {datetime.date.today()} "
        f"(session_magic at {commit}, Python {platform.python_version()}).", "",
        f"- **Corpus of names classic TF1 programs use** (`benchmarks/api_corpus.txt`): "
        f"{len(corpus) - len(corpus_missing)} of {len(corpus)} present, "
        f"{len(corpus_missing)} missing.",
        f"- **TF1's whole public API** (`session_magic/tf1_names.txt`, excluding namespaces "
        f"listed by name only): {len(everything) - len(api_missing)} of {len(everything)} "
        f"present.",
        "- A missing TF1 name raises `NotSupportedYet` (an `AttributeError`) saying "
        "`tf.<name> is part of TF1 but not supported by session_magic yet`; "
        f"{len(bare)} missing names raise a bare AttributeError instead"
        + (f": {', '.join(f'`{n}`' for n in bare[:20])}." if bare else "."), "",
        "## Corpus by namespace", "", *corpus_table, "",
        "## Corpus names still missing", "", ", ".join(f"`{n}`" for n in corpus_missing) or "none",
        "",
    ]
    REPORT.write_text("\n".join(lines))
    print(f"corpus: {len(corpus) - len(corpus_missing)}/{len(corpus)} present; "
          f"TF1 API: {len(everything) - len(api_missing)}/{len(everything)}; wrote {REPORT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
