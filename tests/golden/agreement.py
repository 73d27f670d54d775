"""The large differential run, by hand: thousands of generated programs (tests/golden/generated.py)
under real TensorFlow in its side environment and under session_magic, compared, and every
disagreement sorted into a class, written to tests/golden/AGREEMENT.md.

    .venv/bin/python tests/golden/agreement.py                        # 10,000 fresh seeds
    .venv/bin/python tests/golden/agreement.py --count 20000 --start 7000000
    .venv/bin/python tests/golden/agreement.py --show 7000123         # one program, both records

Each side runs in worker processes (`--worker tf|sm`, a batch of seeds each, `--jobs` at once).
A program that hangs past `--timeout` seconds or kills its worker is recorded as such and the
worker restarts after it. TF's records are cached by program source (`--cache`), so a re-run
after a change to session_magic only runs session_magic again. TensorFlow's Python is
/work/tfenv/bin/python, or $SESSION_MAGIC_TF_PYTHON.
"""
from __future__ import annotations

import argparse
import collections
import concurrent.futures
import contextlib
import datetime
import hashlib
import json
import os
import queue
import re
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path
from typing import Any, Iterator, Optional

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.golden import generated  # noqa: E402

# the side environment holding TensorFlow (never a dependency of session_magic)
TF_PYTHON = os.environ.get("SESSION_MAGIC_TF_PYTHON", "/work/tfenv/bin/python")
SM_PYTHON = str(ROOT / ".venv" / "bin" / "python")
REPORT = ROOT / "tests" / "golden" / "AGREEMENT.md"
CACHE = Path("/tmp/session_magic_agreement")
MARK = "@@"  # the protocol's lines on a worker's stdout start with it; anything else is noise

# The error classes TF's API raises; any other class escaping session_magic is an internal error.
TF_CLASSES = {"TypeError", "ValueError", "RuntimeError", "NotImplementedError", "OpError",
              "InvalidArgumentError", "FailedPreconditionError", "UnimplementedError",
              "InternalError", "OutOfRangeError", "NotFoundError", "ResourceExhaustedError",
              "AbortedError", "UnknownError", "CancelledError", "DeadlineExceededError",
              "AlreadyExistsError", "PermissionDeniedError", "UnauthenticatedError",
              "UnavailableError", "DataLossError", "ShapeError", "LookupError"}



# --- workers: run programs, print one protocol line before and one after each -----------------

def work(side: str) -> None:
    """Run the seeds listed on stdin (one JSON list) under `side`."""
    tf = _tensorflow() if side == "tf" else _session_magic()
    for seed in json.loads(sys.stdin.read()):
        print(f"{MARK}start {seed}", flush=True)
        case = generated.generate(seed)
        with _quiet(side), warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            record = generated.run_case(tf, case)
        if side == "sm" and caught:
            record["warnings"] = sorted({f"{w.category.__name__}: {w.message} (at "
                                         f"{generated._short_path(w.filename)}:{w.lineno})"
                                         for w in caught})
        line = json.dumps({"seed": seed, "hash": _hash(case), "record": record})
        print(f"{MARK}done {line}", flush=True)


def _tensorflow() -> Any:
    from tests.golden import record
    return record._tensorflow()


def _session_magic() -> Any:
    import session_magic
    return session_magic


@contextlib.contextmanager
def _quiet(side: str) -> Iterator[None]:
    """TF's kernels (Print, logging) write to file descriptor 2; the worker's stderr is dropped
    anyway, but a program's output should not interleave with the protocol on stdout."""
    if side != "tf":
        yield
        return
    from tests.golden import harness
    with harness.quiet_stderr(), contextlib.redirect_stdout(sys.stderr):
        yield


def _hash(case: generated.Case) -> str:
    return hashlib.sha1(case.source.encode()).hexdigest()[:16]


# --- the parent: batches of seeds through restartable workers -------------------------------

def run_batch(side: str, seeds: list[int], timeout: float) -> dict[int, dict]:
    """The records of `seeds` under `side`, a hang or crash recorded in place."""
    python = TF_PYTHON if side == "tf" else SM_PYTHON
    results: dict[int, dict] = {}
    while seeds:
        seeds = _one_worker(python, side, seeds, timeout, results)
    return results


def _one_worker(python: str, side: str, seeds: list[int], timeout: float,
                results: dict) -> list[int]:
    """Run one worker over `seeds`; the seeds left to run when it hung or died."""
    command = [python, str(Path(__file__)), "--worker", side]
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "TF_CPP_MIN_LOG_LEVEL": "3"}
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True, cwd=ROOT, env=env)
    process.stdin.write(json.dumps(seeds))
    process.stdin.close()
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=_pump, args=(process.stdout, lines), daemon=True).start()
    current: Optional[int] = None
    while True:
        try:
            line = lines.get(timeout=timeout + (60 if current is None else 0))
        except queue.Empty:
            process.kill()
            process.wait()
            if current is None:
                raise RuntimeError(f"the {side} worker did not start: "
                                   f"{' '.join(command)}") from None
            results[current] = {"failed": f"hung (over {timeout:.0f} s)"}
            return seeds[seeds.index(current) + 1:]
        if line is None:
            code = process.wait()
            if current is not None:
                results[current] = {"failed": f"worker died (exit code {code})"}
                return seeds[seeds.index(current) + 1:]
            if code != 0:
                raise RuntimeError(f"the {side} worker failed (exit code {code}): "
                                   f"{' '.join(command)}")
            return []
        if line.startswith(f"{MARK}start "):
            current = int(line.split()[1])
        elif line.startswith(f"{MARK}done "):
            data = json.loads(line[len(MARK) + 5:])
            results[data["seed"]] = {"hash": data["hash"], **data["record"]}
            current = None


def _pump(stream: Any, lines: queue.Queue) -> None:
    for line in stream:
        if line.startswith(MARK):
            lines.put(line.rstrip("\n"))
    lines.put(None)


def run_all(seeds: range, jobs: int, batch: int, timeout: float,
            cache_dir: Path) -> tuple[dict, dict, int]:
    """Both sides' records of `seeds`; TF's come from the cache where the source is unchanged."""
    cache = _read_cache(cache_dir)
    hashes = {seed: _hash(generated.generate(seed)) for seed in seeds}
    tf_records = {s: cache[s] for s in seeds if s in cache and cache[s].get("hash") == hashes[s]}
    missing = [s for s in seeds if s not in tf_records]
    tasks = [("tf", missing[i:i + batch]) for i in range(0, len(missing), batch)] + \
            [("sm", list(seeds)[i:i + batch * 4]) for i in range(0, len(seeds), batch * 4)]
    sm_records: dict[int, dict] = {}
    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        futures = {pool.submit(run_batch, side, chunk, timeout): (side, chunk)
                   for side, chunk in tasks}
        for done, future in enumerate(concurrent.futures.as_completed(futures), 1):
            side, chunk = futures[future]
            records = future.result()
            (tf_records if side == "tf" else sm_records).update(records)
            if side == "tf":
                _append_cache(cache_dir, records)
            print(f"  {done}/{len(tasks)} batches ({side}, {len(chunk)} programs)", flush=True)
    return tf_records, sm_records, len(seeds) - len(missing)


def _read_cache(cache_dir: Path) -> dict[int, dict]:
    cached: dict[int, dict] = {}
    path = cache_dir / "tf.jsonl"
    if path.exists():
        for line in path.read_text().splitlines():
            with contextlib.suppress(json.JSONDecodeError):
                item = json.loads(line)
                cached[item["seed"]] = item["record"]
    return cached


_CACHE_LOCK = threading.Lock()


def _append_cache(cache_dir: Path, records: dict) -> None:
    cache_dir.mkdir(parents=True, exist_ok=True)
    with _CACHE_LOCK, open(cache_dir / "tf.jsonl", "a") as out:
        for seed, record in records.items():
            if "failed" not in record:
                out.write(json.dumps({"seed": seed, "record": record}) + "\n")


# --- classification -----------------------------------------------------------------------------

class Disagreement:
    """One program's difference, sorted: kind (value, dtype, shape, error class, ...), the TF
    function it is charged to, and a short detail; programs with equal keys form a class."""

    def __init__(self, kind: str, op: str, detail: str, difference: str):
        self.kind, self.op, self.detail, self.difference = kind, op, detail, difference

    @property
    def key(self) -> tuple:
        return self.kind, self.op, self.detail


def classify(case: generated.Case, actual: dict, expected: dict) -> Optional[Disagreement]:
    """None when session_magic's record agrees with TF's, else the disagreement's class."""
    for side, record in (("session_magic", actual), ("TF", expected)):
        if "failed" in record:
            return Disagreement("harness", "-", f"{side} {record['failed']}", record["failed"])
    found = generated.compare(case, actual, expected)
    if not found:
        if actual.get("warnings"):
            warning = actual["warnings"][0]
            return Disagreement("warning leaked", "-", warning, warning)
        return None
    reason = generated.deliberate(case, actual, expected)
    if reason:
        op = _error_op(case, _first_error(expected), expected, _first_error(actual))
        return Disagreement("documented", op, reason, found[0])
    return _sort(case, actual, expected, found[0])


def _sort(case: generated.Case, actual: dict, expected: dict, difference: str) -> Disagreement:
    aspect = difference.split(":", 1)[0]
    mine, theirs = _first_error(actual), _first_error(expected)
    if aspect == "build" or (aspect.startswith("run") and (mine or theirs) and
                             _error_kind_differs(difference)):
        return _sort_errors(case, actual, expected, difference)
    key = generated.first_key(difference)
    op = case.ops.get(key, _main_op(case)) if key else _main_op(case)
    if aspect == "static":
        return Disagreement("static " + _static_detail(actual, expected, key), op,
                            _static_example(actual, expected, key), difference)
    if aspect == "names":
        return Disagreement("names", op, _names_detail(actual, expected, key), difference)
    if aspect == "python":
        return Disagreement("gradient is None", case.ops.get(f"{key}_", op), "", difference)
    if " dtype " in difference:
        return Disagreement("dtype", op, _between(difference, "dtype"), difference)
    if " shape " in difference:
        return Disagreement("shape", op, "", difference)
    facts = ["special inputs" if "special" in case.tags else "",
             "the sign of a zero" if "(the sign of zero)" in difference else ""]
    return Disagreement("value", op, ", ".join(f for f in facts if f), difference)


def _error_kind_differs(difference: str) -> bool:
    return "error" in difference or "raised" in difference


def _sort_errors(case: generated.Case, actual: dict, expected: dict,
                 difference: str) -> Disagreement:
    mine, theirs = _first_error(actual), _first_error(expected)
    op = _error_op(case, mine, expected, theirs)
    if mine and mine["class"] == "AttributeError" and _is_public_name(mine["message"]):
        return Disagreement("missing name", _missing_name(mine["message"]), "", difference)
    if mine and (mine["class"] not in TF_CLASSES or generated.RAW_MESSAGES.search(mine["message"])):
        return Disagreement("internal error", op, f"{mine['class']} at {mine.get('where', '?')}",
                            difference)
    detail = f"session_magic: {_stage(actual, mine)}; TF: {_stage(expected, theirs)}"
    return Disagreement("error class", op, detail, difference)


def _stage(record: dict, error: Optional[dict]) -> str:
    if not error:
        return "no error"
    return f"{error['class']} at {'build' if 'build' in record else 'run'}"


def _first_error(record: dict) -> Optional[dict]:
    if "build" in record:
        return record["build"]
    return next((r for r in record.get("runs", []) if r.get("kind") == "error"), None)


def _is_public_name(message: str) -> bool:
    """An AttributeError for a public TF1 name (a module's function, a method of a public class),
    not an internal one (`'IndexedSlices' object has no attribute '_dtype'`)."""
    match = re.search(r"'([\w.]+)' (?:object )?has no attribute '(\w+)'", message)
    return bool(match) and not match.group(2).startswith("_")


def _missing_name(message: str) -> str:
    match = re.search(r"'([\w.]+)' (?:object )?has no attribute '(\w+)'", message)
    if not match:
        return message[:80]
    owner = match.group(1).replace("session_magic", "tf")
    return f"{owner}.{match.group(2)}"


def _error_op(case: generated.Case, error: Optional[dict], expected: Optional[dict] = None,
              other: Optional[dict] = None) -> str:
    """The TF function a failure is charged to: the one on the source line that raised, or the
    one whose node TF's message names, or the program's last."""
    lines = case.source.splitlines()
    for failure in (error, other):
        if failure and failure.get("line") and failure["line"] <= len(lines):
            assigned = re.match(r"\s*(\w+)\s*=", lines[failure["line"] - 1])
            name = assigned.group(1) if assigned else ""
            for key in (name, f"{name}_", f"d{name[1:]}_"):
                if key in case.ops:
                    return case.ops[key]
    names = (expected or {}).get("names") or {}
    for failure in (error, other):
        node = re.search(r"\(node ([^)]+)\)", (failure or {}).get("message", ""))
        for key, name in names.items():
            if node and name.split(":")[0] == node.group(1):
                return case.ops.get(key, _main_op(case))
    return _main_op(case)


def _main_op(case: generated.Case) -> str:
    return list(case.ops.values())[-1] if case.ops else case.family


def _normalize(text: str) -> str:
    return re.sub(r"\d+", "N", text)[:120]


def _between(difference: str, word: str) -> str:
    match = re.search(rf"{word} (\S+), TF gave (\S+)", difference)
    return f"session_magic {match.group(1)}, TF {match.group(2)}" if match else ""


def _dtype_at(record: dict, key: Optional[str]) -> str:
    runs = record.get("runs") or [{}]
    value = runs[0]
    if value.get("kind") == "dict" and key in value.get("items", {}):
        value = value["items"][key]
    if value.get("kind") == "list" and value["items"]:
        value = value["items"][0]
    return value.get("dtype", value.get("kind", "?"))


def _static_of(record: dict, key: Optional[str], other: Optional[dict] = None) -> Any:
    """The static dtype and shape of `key` (its first item differing from `other`'s, for a
    list of gradients)."""
    static = record.get("static") or {}
    paths = [p for p in static if p.startswith(f"[{key!r}]")]
    if other is not None:
        paths = [p for p in paths if static[p] != (other.get("static") or {}).get(p)] or paths
    return static[paths[0]] if paths else None


def _static_detail(actual: dict, expected: dict, key: Optional[str]) -> str:
    mine, theirs = _static_of(actual, key, expected), _static_of(expected, key, actual)
    if not isinstance(mine, dict) or not isinstance(theirs, dict):
        return "kind"
    if mine["dtype"] != theirs["dtype"]:
        return "dtype"
    a, b = mine["shape"], theirs["shape"]
    if a is None or (b is not None and len(a) == len(b) and all(
            x is None or x == y for x, y in zip(a, b, strict=True))):
        return "shape less precise than TF's"
    if b is None or (len(a) == len(b) and all(y is None or x == y
                                               for x, y in zip(a, b, strict=True))):
        return "shape more precise than TF's"
    return "shape contradicts TF's"


def _static_example(actual: dict, expected: dict, key: Optional[str]) -> str:
    mine, theirs = _static_of(actual, key, expected), _static_of(expected, key, actual)
    if isinstance(mine, dict) and isinstance(theirs, dict) and mine["dtype"] != theirs["dtype"]:
        return f"session_magic {mine['dtype']}, TF {theirs['dtype']}"
    return ""


def _names_detail(actual: dict, expected: dict, key: Optional[str]) -> str:
    mine = (actual.get("names") or {}).get(key, "?")
    theirs = (expected.get("names") or {}).get(key, "?")
    return f"session_magic {_normalize_name(mine)}, TF {_normalize_name(theirs)}"


def _normalize_name(name: str) -> str:
    return re.sub(r"_\d+", "_N", re.sub(r"\b[xt]\d+\b", "x", name))


# --- the report ---------------------------------------------------------------------------------

def report(seeds: range, tf_records: dict, sm_records: dict, seconds: float,
           tf_version: str, cached: int = 0) -> str:
    classes: dict[tuple, list] = collections.defaultdict(list)
    by_family: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    warnings_seen = 0
    for seed in seeds:
        case = generated.generate(seed)
        actual, expected = sm_records.get(seed, {"failed": "no record"}), \
            tf_records.get(seed, {"failed": "no record"})
        warnings_seen += bool(actual.get("warnings"))
        found = classify(case, actual, expected)
        outcome = "agree" if found is None else \
            "documented" if found.kind == "documented" else "differ"
        by_family[case.family][outcome] += 1
        if found:
            classes[found.key].append((case, found, actual, expected))
    return _render(seeds, classes, by_family, warnings_seen, seconds, tf_version, cached)


def _render(seeds: range, classes: dict, by_family: dict, warnings_seen: int, seconds: float,
            tf_version: str, cached: int) -> str:
    total = sum(sum(c.values()) for c in by_family.values())
    agree = sum(c["agree"] for c in by_family.values())
    documented = sum(c["documented"] for c in by_family.values())
    differ = total - agree - documented
    bugs = {k: v for k, v in classes.items() if k[0] not in ("documented",)}
    out = [
        "# session_magic against TensorFlow: the generated differential run",
        "",
        f"Written by `tests/golden/agreement.py` on {datetime.date.today().isoformat()} "
        f"(session_magic at `{_commit()}`, TensorFlow {tf_version} `tf.compat.v1`, graph mode), "
        f"over {total:,} programs of `tests/golden/generated.py`, seeds {seeds.start:,} .. "
        f"{seeds.stop - 1:,}; {seconds / 60:.1f} minutes"
        f"{f' ({cached:,} of TF records from the cache)' if cached else ''}. Re-run it with "
        f"`.venv/bin/python tests/golden/agreement.py --start {seeds.start} "
        f"--count {len(seeds)}`.",
        "",
        f"**Agreement: {agree:,} of {total:,} programs ({100 * agree / total:.1f}%)**; "
        f"{documented:,} more differ only as documented ({100 * (agree + documented) / total:.1f}%"
        f" counting them); {differ:,} disagree, in {len(bugs)} classes below. "
        f"{warnings_seen:,} programs let a Python warning escape session_magic.",
        "",
        "| family | programs | agree | documented | disagree |",
        "|---|---:|---:|---:|---:|",
    ]
    for family, counts in sorted(by_family.items()):
        out.append(f"| {family} | {sum(counts.values())} | {counts['agree']} | "
                   f"{counts['documented']} | {counts['differ']} |")
    out += ["", _SORTING_NOTE, ""]
    out += _class_table(classes)
    out += _class_sections(classes)
    return "\n".join(out) + "\n"


_SORTING_NOTE = """\
A program agrees when its build fails with TF's error class (or a subclass), every fetched value
has TF's dtype and shape and is within the program's tolerance, the static dtypes and shapes
match, the names of the fetched tensors match (programs without variables or gradients), and the
gradients TF leaves None are None. Every intermediate tensor is fetched, so a value, dtype or
shape difference is charged to the op that made the first differing tensor; an error to the op
on the source line that raised (or the node TF's message names). Kinds: `value`, `dtype`,
`shape` (of a fetched value), `static ...` (inferred while building), `names`, `error class`
(which error, or none, at build or run time), `missing name` (an AttributeError: a public TF1
name session_magic lacks), `internal error` (a Python error TF never raises escaping
session_magic), `warning leaked` (a Python warning where TF is silent), `documented`
(differences docs/differences.md keeps on purpose), `harness` (a hang or a crashed worker).
How the generator keeps float noise, denormals and undefined behaviour out is in
generated.py's docstring."""


def _class_table(classes: dict) -> list[str]:
    rows = ["## Classes", "", "| # | kind | op | detail | dtypes | programs |",
            "|---:|---|---|---|---|---:|"]
    for number, (key, items) in enumerate(_ordered(classes), 1):
        kind, op, detail = key
        rows.append(f"| {number} | {kind} | `{op}` | {_cell(detail)} | {_dtypes(items)} | "
                    f"{len(items)} |")
    return rows + [""]


def _dtypes(items: list) -> str:
    """The dtypes of the first differing value across a class's programs (value, shape)."""
    found = sorted({_dtype_at(expected, generated.first_key(d.difference))
                    for _, d, _, expected in items if d.kind in ("value", "shape", "dtype")})
    return ", ".join(d for d in found if d not in ("?", "error"))


def _ordered(classes: dict) -> list:
    return sorted(classes.items(), key=lambda kv: (kv[0][0] == "documented", -len(kv[1]), kv[0]))


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _class_sections(classes: dict) -> list[str]:
    out = []
    for number, (key, items) in enumerate(_ordered(classes), 1):
        case, found, actual, expected = min(items, key=lambda item: len(item[0].source))
        kind, op, detail = key
        seeds = ", ".join(str(item[0].seed) for item in items[:8])
        out += [f"### {number}. {kind}: `{op}`" + (f" — {detail}" if detail else ""),
                "", f"{len(items)} programs (seeds {seeds}{', ...' if len(items) > 8 else ''}). "
                f"Smallest: seed {case.seed}.", "", "```python", case.source.rstrip(), "```",
                "", "```", found.difference.strip()]
        for side, record in (("session_magic", actual), ("TF", expected)):
            error = _first_error(record)
            if error and error.get("message"):
                out.append(f"{side} raised {error['class']}: {error['message'][:300]}")
        if actual.get("warnings"):
            out.append(f"session_magic warned: {actual['warnings'][0][:200]}")
        out += ["```", ""]
    return out


def _commit() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, text=True,
                              capture_output=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "session_magic"], cwd=ROOT,
                               text=True, capture_output=True).stdout.strip()
        return head + ("+changes" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "?"


def _tf_version() -> str:
    result = subprocess.run([TF_PYTHON, "-c", "import tensorflow as tf; print(tf.__version__)"],
                            capture_output=True, text=True, env={**os.environ,
                                                                 "TF_CPP_MIN_LOG_LEVEL": "3"})
    return result.stdout.strip().splitlines()[-1] if result.stdout.strip() else "?"


# --- the command --------------------------------------------------------------------------------

def show(seed: int, timeout: float) -> None:
    """One program: its source, both records, and how it is classified."""
    case = generated.generate(seed)
    print(case.source)
    tf_record = run_batch("tf", [seed], timeout)[seed]
    sm_record = run_batch("sm", [seed], timeout)[seed]
    print("TF:            ", json.dumps(tf_record)[:2000])
    print("session_magic: ", json.dumps(sm_record)[:2000])
    found = classify(case, sm_record, tf_record)
    print("agrees" if found is None else f"{found.key}\n{found.difference}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--start", type=int, help="the first seed (default: fresh)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--batch", type=int, default=500, help="seeds per TF worker")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per program")
    parser.add_argument("--cache", type=Path, default=CACHE, help="TF's records, by source")
    parser.add_argument("--out", type=Path, default=REPORT)
    parser.add_argument("--show", type=int, metavar="SEED")
    parser.add_argument("--worker", choices=["tf", "sm"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        work(args.worker)
        return 0
    if args.show is not None:
        show(args.show, args.timeout)
        return 0
    start = args.start if args.start is not None else \
        int.from_bytes(os.urandom(3), "big") * 100 + 2_000_000
    seeds = range(start, start + args.count)
    began = time.perf_counter()
    print(f"running seeds {seeds.start}..{seeds.stop - 1} ({args.jobs} jobs)", flush=True)
    tf_records, sm_records, cached = run_all(seeds, args.jobs, args.batch, args.timeout,
                                             args.cache)
    text = report(seeds, tf_records, sm_records, time.perf_counter() - began, _tf_version(),
                  cached)
    args.out.write_text(text)
    print(text.split("## Classes")[0].strip())
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
