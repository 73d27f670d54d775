"""Look at session_magic's drawings in a real JupyterLab, light and dark theme, and check them.

Run by hand, never in CI (it needs PyPI and Debian's Chromium at /usr/bin/chromium):

    .venv/bin/python benchmarks/jupyterlab_check.py                   # throwaway venv: ~60 s
    .venv/bin/python benchmarks/jupyterlab_check.py --venv /tmp/jlab  # reused venv: ~40 s

JupyterLab, Playwright and Pillow go into a venv of their own with session_magic (editable), so
the project's dependencies stay as they are. A small notebook (the M2 model and `%graph`, a tensor,
a hand-made sanitizer probe) is executed, saved trusted and untrusted, and opened in JupyterLab
Light and Dark; screenshots and REPORT.md go to docs/screenshots/. Exit status: 0 when every
check passes, 1 when one fails.
"""
from __future__ import annotations

import argparse
import base64
import contextlib
import datetime
import functools
import io
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any, Iterator, Optional

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / "docs" / "screenshots"
PACKAGES = ("jupyterlab", "playwright", "pillow")
CHROMIUM = "/usr/bin/chromium"
# NOTE: without the background-networking flags Chromium hangs on a closed network. Playwright
# adds --headless, --no-sandbox and a fresh --user-data-dir itself.
CHROMIUM_ARGS = ["--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
VIEWPORT = {"width": 1400, "height": 900}
THEMES = {"light": "JupyterLab Light", "dark": "JupyterLab Dark"}
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
TEXT_CONTRAST = 4.5        # WCAG AA for normal text
BACKGROUND_MATCH = 1.5     # a drawing whose background differs more from the page's stands out

# The reference model of the drawing comparison (M2): a 2-layer MLP in name scopes with Adam.
MODEL = """\
OPTIMIZER = tf.train.AdamOptimizer(0.01)
x = tf.placeholder(tf.float32, [None, 4], name="x")
y = tf.placeholder(tf.float32, [None, 3], name="y")
with tf.name_scope("layer1"):
    W1 = tf.Variable(tf.random_normal([4, 16], stddev=0.1), name="W")
    b1 = tf.Variable(tf.zeros([16]), name="b")
    h1 = tf.nn.relu(tf.matmul(x, W1) + b1)
with tf.name_scope("layer2"):
    W2 = tf.Variable(tf.random_normal([16, 3], stddev=0.1), name="W")
    b2 = tf.Variable(tf.zeros([3]), name="b")
    logits = tf.matmul(h1, W2) + b2
with tf.name_scope("loss"):
    loss = tf.reduce_mean(tf.square(logits - y))
train_op = OPTIMIZER.minimize(loss)
init = tf.global_variables_initializer()
with tf.name_scope("accuracy"):
    correct = tf.equal(tf.argmax(logits, 1), tf.argmax(y, 1))
    accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))"""

CELLS = {
    "load": "%load_ext session_magic",
    "import": "import session_magic as tf",
    "model": MODEL,
    "graph": "%graph",
    "tensor": "z = tf.constant(1) + tf.constant(2)\nz",
    "probe": "# Sanitizer probe: its output is written by benchmarks/jupyterlab_check.py, not run.",
}

# The probe is shaped like the planned text/html form of a drawing: an inline <svg> with a
# <title>, colours from a <style> element keyed on JupyterLab's theme and from a CSS variable.
# Red is what each text shows when its rule was stripped. It also tries one way to degrade in an
# untrusted notebook: the <svg> sits in a `hidden` <div> that only the <style> shows, and a data:
# <img> that the <style> hides stands in for it.
PROBE_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" class="smprobe-svg" id="smprobe-svg" width="360" '
    'height="70" viewBox="0 0 360 70" font-family="sans-serif" font-size="14">'
    '<g class="node" id="smprobe-node"><title>probe tooltip</title>'
    '<rect x="1" y="1" width="358" height="68" fill="none" stroke="gray"/>'
    '<rect class="smprobe-swatch" x="300" y="10" width="50" height="50" fill="rgb(200, 200, 200)"/>'
    '<text class="smprobe-sheet" x="10" y="28" fill="rgb(255, 0, 0)">'
    'coloured by a style element</text>'
    '<text x="10" y="56" fill="rgb(255, 0, 0)" style="fill: var(--jp-ui-font-color1, '
    'rgb(4, 5, 6))">coloured by a style attribute</text></g></svg>')
PROBE_STYLE = (
    '<style>.smprobe .smprobe-inline[hidden] { display: block !important; }\n'
    '.smprobe .smprobe-fallback { display: none; }\n'
    '.smprobe-svg .smprobe-sheet { fill: rgb(1, 2, 3); }\n'
    'body[data-jp-theme-light="false"] .smprobe-svg .smprobe-sheet { fill: rgb(250, 251, 252); }'
    '</style>')
PROBE_IMAGE = base64.b64encode(
    b'<svg xmlns="http://www.w3.org/2000/svg" width="200" height="24" font-family="sans-serif">'
    b'<rect width="200" height="24" fill="rgb(0, 110, 0)"/><text x="8" y="17" fill="white" '
    b'font-size="14">data: img fallback</text></svg>').decode()
# NOTE: hidden="hidden": a bare `hidden` did not survive the sanitizer (JupyterLab 4.6).
PROBE_HTML = (f'<div class="smprobe">{PROBE_STYLE}<div class="smprobe-inline" hidden="hidden">'
              f'{PROBE_SVG}</div><div class="smprobe-fallback"><img alt="data-img" '
              f'src="data:image/svg+xml;base64,{PROBE_IMAGE}"></div></div>')
PROBE_STYLE_FILLS = {"light": "rgb(1, 2, 3)", "dark": "rgb(250, 251, 252)"}
PROBE_RED = "rgb(255, 0, 0)"

CELL_SELECTOR = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell"
READY = """([selector, count, wanted]) => {
  const cells = document.querySelectorAll(selector);
  return cells.length === count && wanted.every(index => {
    const out = cells[index].querySelector('.jp-OutputArea-output');
    return out && [...out.querySelectorAll('img')].every(image => image.complete);
  });
}"""
# Measures in the page. An <img> drawing is analysed through a copy of its SVG laid exactly over
# it in a shadow root (no page CSS, as inside an <img>), invisible and never hit by the mouse.
PAGE_SCRIPT = r"""(selector) => { window.jlcheck = (() => {
  const SHAPES = 'polygon, path, ellipse, rect, circle, polyline';
  const XLINK = 'http://www.w3.org/1999/xlink';
  const cells = () => document.querySelectorAll(selector);
  const output = index => cells()[index].querySelector('.jp-OutputArea-output');
  const over = (top, below) => [0, 1, 2].map(i => top[i] * top[3] + below[i] * (1 - top[3]))
    .concat(1);

  function colour(value) {
    const match = /^rgba?\(([^)]*)\)$/.exec((value || '').trim());
    if (!match) return null;
    const parts = match[1].split(/[\s,\/]+/).filter(Boolean).map(parseFloat);
    return [parts[0], parts[1], parts[2], parts.length > 3 ? parts[3] : 1];
  }

  function pageBackground(element) {
    const layers = [];
    for (let node = element; node; node = node.parentElement) {
      const fill = colour(getComputedStyle(node).backgroundColor);
      if (fill && fill[3] > 0) layers.push(fill);
      if (fill && fill[3] >= 1) break;
    }
    return layers.reverse().reduce((below, layer) => over(layer, below), [255, 255, 255, 1]);
  }

  // What is painted at client point (x, y) by the shapes drawn before `before` (all if null).
  function paintAt(svg, x, y, before, base) {
    let painted = base;
    for (const shape of svg.querySelectorAll(SHAPES)) {
      if (before && !(shape.compareDocumentPosition(before) & Node.DOCUMENT_POSITION_FOLLOWING))
        break;
      const style = getComputedStyle(shape);
      const fill = colour(style.fill);
      if (!fill || style.display === 'none' || style.visibility === 'hidden') continue;
      const alpha = fill[3] * parseFloat(style.fillOpacity) * parseFloat(style.opacity);
      const matrix = shape.getScreenCTM();
      if (alpha <= 0 || !matrix) continue;
      const point = new DOMPoint(x, y).matrixTransform(matrix.inverse());
      if (shape.isPointInFill(point)) painted = over([fill[0], fill[1], fill[2], alpha], painted);
    }
    return painted;
  }

  function texts(svg, base) {
    return [...svg.querySelectorAll('text')].filter(text => text.textContent.trim())
      .map(text => {
        const box = text.getBoundingClientRect(), style = getComputedStyle(text);
        const fill = colour(style.fill), matrix = text.getScreenCTM();
        return {text: text.textContent.trim().slice(0, 40),
                fill: fill && fill.slice(0, 3).concat(fill[3] * parseFloat(style.fillOpacity)),
                background: paintAt(svg, box.x + box.width / 2, box.y + box.height / 2, text,
                                    base),
                px: parseFloat(style.fontSize) * (matrix ? Math.hypot(matrix.a, matrix.b) : 1)};
      });
  }

  function visibleRect(element) {
    const own = element.getBoundingClientRect();
    let box = [own.left, own.top, own.right, own.bottom];
    // NOTE: body's overflow applies to the viewport (clipped below), not to body's own box.
    for (let node = element.parentElement; node && node !== document.body;
         node = node.parentElement) {
      const style = getComputedStyle(node);
      if (style.overflowX === 'visible' && style.overflowY === 'visible') continue;
      const outer = node.getBoundingClientRect();
      const left = outer.left + node.clientLeft, top = outer.top + node.clientTop;
      box = [Math.max(box[0], left), Math.max(box[1], top),
             Math.min(box[2], left + node.clientWidth), Math.min(box[3], top + node.clientHeight)];
    }
    return [Math.max(box[0], 0), Math.max(box[1], 0),
            Math.min(box[2], innerWidth), Math.min(box[3], innerHeight)];
  }

  function scroller(element, stop) {
    for (let node = element.parentElement; node && node !== stop.parentElement;
         node = node.parentElement) {
      if (/auto|scroll/.test(getComputedStyle(node).overflowX) &&
          node.scrollWidth > node.clientWidth + 1) return node.className;
    }
    return null;
  }

  function hoverTarget(svg, clip) {
    const nodes = [...svg.querySelectorAll('g.node')];
    const groups = nodes.length ? nodes : [...svg.querySelectorAll('g')]
      .filter(group => group.querySelector(':scope > title') && !group.matches('.graph, .edge'));
    for (const group of groups) {
      const box = (group.querySelector(SHAPES) || group).getBoundingClientRect();
      const x = box.left + box.width / 2, y = box.top + box.height / 2;
      if (x > clip[0] + 2 && x < clip[2] - 2 && y > clip[1] + 2 && y < clip[3] - 2) {
        const title = group.querySelector(':scope > title');
        const label = [...group.querySelectorAll('text')].map(text => text.textContent.trim());
        svg.querySelectorAll('[data-jlcheck-target]')
          .forEach(marked => marked.removeAttribute('data-jlcheck-target'));
        group.setAttribute('data-jlcheck-target', '');
        return {x, y, name: title ? title.textContent.trim() : '', label: label.join(' ')};
      }
    }
    return null;
  }

  function textTarget(text, name) {
    const box = text ? text.getBoundingClientRect() : null;
    if (!box || !box.width) return null;
    text.parentElement.setAttribute('data-jlcheck-target', '');
    return {x: box.left + box.width / 2, y: box.top + box.height / 2, name, label: name};
  }

  function underMouse(x, y) {
    const hit = document.elementFromPoint(x, y);
    const tag = hit ? hit.tagName.toLowerCase() : null;
    for (let node = hit; node && node !== document.body; node = node.parentElement) {
      const child = node instanceof SVGElement ? node.querySelector(':scope > title') : null;
      const title = child ? child.textContent : node.getAttribute('title') ||
        node.getAttributeNS(XLINK, 'title');
      const own = Boolean(node.closest('[data-jlcheck-target]'));
      if (title) return {tag, title: title.trim(), own};
    }
    return {tag, title: null, own: false};
  }

  async function copyOf(image) {
    const source = await (await fetch(image.src)).text();
    const svg = new DOMParser().parseFromString(source, 'image/svg+xml').documentElement;
    if (svg.nodeName !== 'svg') return null;
    const box = image.getBoundingClientRect();
    const host = document.createElement('div');
    host.id = 'jlcheck-copy';
    host.style.cssText = `all: initial; position: fixed; left: ${box.left}px; ` +
      `top: ${box.top}px; opacity: 0; pointer-events: none;`;
    document.body.append(host);
    const copy = document.importNode(svg, true);
    copy.setAttribute('width', box.width);
    copy.setAttribute('height', box.height);
    copy.style.display = 'block';
    host.attachShadow({mode: 'open'}).append(copy);
    return copy;
  }

  function length(svgLength) {
    const value = svgLength.baseVal;
    return value.unitType === SVGLength.SVG_LENGTHTYPE_PERCENTAGE ? null : value.value;
  }

  async function describe(index) {
    const out = output(index);
    if (!out) return {kind: 'none'};
    const facts = {mime: out.dataset.mimeType || '', outputWidth: out.clientWidth,
                   text: out.innerText.replace(/\s+/g, ' ').trim().slice(0, 160)};
    const svg = out.querySelector('svg'), image = out.querySelector('img');
    const shown = svg || image;
    if (!shown) return {...facts, kind: facts.mime === 'text/html' ? 'html' : 'text'};
    const drawing = svg || await copyOf(image);
    const box = shown.getBoundingClientRect(), base = pageBackground(shown);
    const row = out.closest('.jp-OutputArea-child') || out;
    return {...facts, kind: svg ? 'inline-svg' : 'img', width: box.width, height: box.height,
      naturalWidth: svg ? length(svg.width) : image.naturalWidth,
      naturalHeight: svg ? length(svg.height) : image.naturalHeight,
      scroller: scroller(shown, row),
      inlineTitles: svg ? svg.querySelectorAll('title').length : 0,
      sourceTitles: drawing ? drawing.querySelectorAll('title').length : null,
      target: drawing && hoverTarget(drawing, visibleRect(shown)),
      texts: drawing ? texts(drawing, base) : [],
      drawingBackground: drawing ? paintAt(drawing, box.left + 2, box.top + 2, null, base) : null,
      pageBackground: base, visible: visibleRect(shown), row: visibleRect(row)};
  }

  function computed(property, value) {
    const element = document.createElement('div');
    element.style[property] = value;
    document.body.append(element);
    const result = getComputedStyle(element)[property];
    element.remove();
    return result;
  }

  function probe(index) {
    const out = output(index);
    if (!out) return {mime: null};
    const svg = out.querySelector('svg'), image = out.querySelector('img');
    const shown = element => Boolean(element && element.getBoundingClientRect().width);
    const wrapper = out.querySelector('.smprobe-inline');
    const text = words => [...out.querySelectorAll('text')]
      .find(element => element.textContent.includes(words));
    const fill = element => element ? getComputedStyle(element).fill : null;
    return {mime: out.dataset.mimeType || '', svg: Boolean(svg), svgShown: shown(svg),
      hiddenKept: Boolean(wrapper && wrapper.hasAttribute('hidden')),
      svgClass: svg ? svg.getAttribute('class') : null, svgId: svg ? svg.id : null,
      titles: [...out.querySelectorAll('title')].map(title => title.textContent),
      styles: out.querySelectorAll('style').length,
      sheetFill: fill(text('style element')), attributeFill: fill(text('style attribute')),
      swatchFill: fill(out.querySelector('rect.smprobe-swatch')),
      themeText: computed('color', 'var(--jp-ui-font-color1)'),
      image: image ? {src: (image.getAttribute('src') || '').slice(0, 24), shown: shown(image),
                      loaded: image.complete && image.naturalWidth > 0} : null,
      target: svg && textTarget(text('style element'), 'probe tooltip'),
      text: out.innerText.replace(/\s+/g, ' ').trim().slice(0, 120)};
  }

  return {
    describe, probe, underMouse,
    scrollTo: index => cells()[index].scrollIntoView({block: 'start'}),
    dropCopy: () => document.querySelectorAll('#jlcheck-copy').forEach(host => host.remove()),
  };
})(); }"""


def parse(argv: list) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venv", type=Path, help="create or reuse this venv (default: a "
                        "throwaway one in a temporary directory)")
    parser.add_argument("--output", type=Path, default=SCREENSHOTS,
                        help="where screenshots and REPORT.md go (default docs/screenshots)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the temporary directory (notebooks, server logs, "
                        "results.json)")
    parser.add_argument("--in-venv", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list) -> int:
    args = parse(argv)
    args.output = args.output.resolve()
    return check(args) if args.in_venv else run_in_venv(args)


# --- outside: the throwaway venv --------------------------------------------------------------

def run_in_venv(args: argparse.Namespace) -> int:
    """Prepare the venv, then run this script again inside it."""
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="jlcheck-venv-") as scratch:
        python = prepare_venv(args.venv or Path(scratch) / "venv")
        print(f"venv ready after {time.monotonic() - started:.0f} s", flush=True)
        command = [str(python), str(Path(__file__).resolve()), "--in-venv",
                   "--output", str(args.output)] + (["--keep"] if args.keep else [])
        status = run_child(command)
    print(f"finished in {time.monotonic() - started:.0f} s")
    return status


def prepare_venv(venv: Path) -> Path:
    python = venv / "bin" / "python"
    if not python.exists():
        print(f"creating a venv in {venv}", flush=True)
        quiet([sys.executable, "-m", "venv", str(venv)])
    if not venv_ready(python):
        print(f"installing {', '.join(PACKAGES)} and session_magic (editable) into {venv}",
              flush=True)
        quiet([str(python), "-m", "pip", "install", "--quiet", *PACKAGES])
        quiet([str(python), "-m", "pip", "install", "--quiet", "-e", str(ROOT)])
    return python


def venv_ready(python: Path) -> bool:
    """Whether the venv has every package, and session_magic from this checkout."""
    probe = ("import jupyterlab, nbclient, playwright, PIL, session_magic; "
             "print(session_magic.__file__)")
    found = subprocess.run([str(python), "-c", probe], capture_output=True, text=True)
    return found.returncode == 0 and found.stdout.strip().startswith(str(ROOT))


def quiet(command: list) -> None:
    """Run `command`; show its output only when it fails."""
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode:
        sys.stderr.write(done.stdout[-4000:] + done.stderr[-4000:])
        raise SystemExit(f"failed: {' '.join(command)}")


def run_child(command: list) -> int:
    """Run the inside half and wait for it, passing a SIGTERM on."""
    child = subprocess.Popen(command)
    # NOTE: Ctrl-C reaches the child too; it stops its server and browser itself, so this
    # process waits for it instead of killing it half-way through its cleanup.
    previous = {signal.SIGINT: signal.signal(signal.SIGINT, signal.SIG_IGN),
                signal.SIGTERM: signal.signal(signal.SIGTERM,
                                              lambda *_: child.send_signal(signal.SIGTERM))}
    try:
        return child.wait()
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


# --- inside: notebooks, servers, browser ------------------------------------------------------

def check(args: argparse.Namespace) -> int:
    scratch = Path(tempfile.mkdtemp(prefix="jlcheck-"))
    running: list = []  # what stops each process started and not yet stopped
    interrupted = functools.partial(abandon, running, scratch, args.keep)
    try:
        isolate(scratch)
        on_interrupt(interrupted)
        notebooks = write_notebooks(scratch, running)
        args.output.mkdir(parents=True, exist_ok=True)
        results, chromium = look_at_all(notebooks, scratch, args.output, running)
        report = write_report(results, chromium, args.output)
        print(f"\nwrote {report} and {len(results) * 4} screenshots beside it")
        return 0 if all(passed(result) for result in results) else 1
    finally:
        if args.keep:
            print(f"kept {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)


def on_interrupt(handler: Any) -> None:
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, handler)


def abandon(running: list, scratch: Path, keep: bool, *_: Any) -> None:
    """On Ctrl-C or SIGTERM: stop the servers up now, and leave.

    An exception raised here would surface inside Playwright's event loop, not where this
    script waits, so its `finally` blocks would not run. Chromium goes with Playwright's driver,
    which ends when this process does."""
    for stop in list(running):
        stop()
    if not keep:
        shutil.rmtree(scratch, ignore_errors=True)
    os._exit(130)


def isolate(scratch: Path) -> None:
    """Jupyter's config, data (the notary's trust database), runtime and IPython dirs in here."""
    for variable, folder in (("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"),
                             ("JUPYTER_RUNTIME_DIR", "runtime"), ("IPYTHONDIR", "ipython")):
        os.environ[variable] = str(scratch / folder)


def cell_index(key: str) -> int:
    return list(CELLS).index(key)


def write_notebooks(scratch: Path, running: list) -> dict:
    """Execute the notebook; save it trusted and as an untrusted copy. Returns trust -> path."""
    import nbformat
    from nbclient import NotebookClient

    started = time.monotonic()
    notebook = nbformat.v4.new_notebook(metadata={"kernelspec": KERNELSPEC})
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in CELLS.values()]
    client = NotebookClient(notebook, timeout=120, startup_timeout=60, kernel_name="python3",
                            resources={"metadata": {"path": str(scratch)}})
    stop = functools.partial(kill_kernel, client)
    running.append(stop)
    handlers = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}
    client.execute()  # NOTE: shuts its kernel down when done, failed or not
    running.remove(stop)
    for number, handler in handlers.items():  # NOTE: nbclient leaves both at their defaults
        signal.signal(number, handler)
    # NOTE: the probe's output is hand-made: executing a cell would replace it.
    bundle = {"text/html": PROBE_HTML, "image/svg+xml": PROBE_SVG, "text/plain": "<probe>"}
    notebook.cells[cell_index("probe")].outputs = [
        nbformat.v4.new_output("display_data", data=bundle)]
    folder = scratch / "notebooks"
    folder.mkdir()
    paths = {"trusted": folder / "trusted.ipynb", "untrusted": folder / "untrusted.ipynb"}
    nbformat.write(notebook, paths["trusted"])
    # NOTE: the notary trusts by content, so an identical copy would be trusted as well.
    notebook.metadata["jupyterlab_check"] = "the untrusted copy"
    nbformat.write(notebook, paths["untrusted"])
    quiet([str(Path(sys.prefix) / "bin" / "jupyter"), "trust", str(paths["trusted"])])
    print(f"notebook executed and saved in {time.monotonic() - started:.0f} s", flush=True)
    return paths


def kill_kernel(client: Any) -> None:
    """Kill the kernel of an interrupted nbclient run (it has a process group of its own)."""
    pid = getattr(getattr(client.km, "provisioner", None), "pid", None)
    if pid:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)


def look_at_all(notebooks: dict, scratch: Path, output: Path, running: list) -> tuple:
    """Open each notebook in each theme; returns the results and Chromium's version."""
    from playwright.sync_api import sync_playwright

    results = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for theme in THEMES:
                with jupyter_lab(scratch, theme, running) as (base, token):
                    for trust, path in notebooks.items():
                        url = f"{base}/lab/tree/{path.name}?reset&token={token}"
                        results.append(look_at(browser, url, theme, trust, output))
                        (scratch / "results.json").write_text(json.dumps(results, indent=1))
                        print(section(results[-1]), flush=True)
            return results, browser.version
        finally:
            browser.close()


@contextlib.contextmanager
def jupyter_lab(scratch: Path, theme: str, running: list) -> Iterator[tuple]:
    """A JupyterLab server with fresh settings in `theme`; stopped, with its kernels, after.
    While it is up, `running` holds what stops it."""
    settings = scratch / f"settings-{theme}"
    write_settings(settings, THEMES[theme])
    port, token = free_port(), secrets.token_hex(16)
    environment = dict(os.environ, JUPYTERLAB_SETTINGS_DIR=str(settings),
                       JUPYTERLAB_WORKSPACES_DIR=str(scratch / f"workspaces-{theme}"))
    command = [str(Path(sys.prefix) / "bin" / "jupyter"), "lab", "--no-browser",
               "--ip=127.0.0.1", f"--port={port}", "--ServerApp.port_retries=0",
               f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={scratch / 'notebooks'}"]
    if os.geteuid() == 0:
        command.append("--allow-root")  # NOTE: these machines run everything as root
    log_path = scratch / f"jupyterlab-{theme}.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen(command, env=environment, stdout=log,
                                  stderr=subprocess.STDOUT, start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        stop = functools.partial(stop_server, server, base, token)
        running.append(stop)
        try:
            wait_for_server(server, base, token, log_path)
            yield base, token
        finally:
            stop()
            running.remove(stop)


def write_settings(settings: Path, theme_name: str) -> None:
    """The theme, and no news or update toasts over the notebook."""
    files = {"apputils-extension/themes": {"theme": theme_name},
             "apputils-extension/notification": {"fetchNews": "false",
                                                 "checkForUpdates": False}}
    for name, values in files.items():
        path = settings / "@jupyterlab" / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def api(base: str, token: str, path: str, method: str = "GET") -> Any:
    request = urllib.request.Request(base + path, method=method,
                                     headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        body = response.read()
    return json.loads(body) if body else None


def wait_for_server(server: subprocess.Popen, base: str, token: str, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"jupyter lab exited early:\n{log.read_text()[-3000:]}")
        with contextlib.suppress(OSError):
            api(base, token, "/api/status")
            return
        time.sleep(0.5)
    raise RuntimeError(f"jupyter lab did not answer within 60 s:\n{log.read_text()[-3000:]}")


def stop_server(server: subprocess.Popen, base: str, token: str) -> None:
    """Shut down the kernels the pages started (they run in sessions of their own), then the
    server's process group."""
    if server.poll() is None:
        with contextlib.suppress(OSError, ValueError):
            for kernel in api(base, token, "/api/kernels"):
                api(base, token, f"/api/kernels/{kernel['id']}", method="DELETE")
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)
        server.wait()


# --- one page ---------------------------------------------------------------------------------

def look_at(browser: Any, url: str, theme: str, trust: str, output: Path) -> dict:
    """Open one notebook, measure its drawings, take its screenshots."""
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        page.goto(url)
        wanted = [cell_index(key) for key in ("graph", "tensor", "probe")]
        page.wait_for_function(READY, arg=[CELL_SELECTOR, len(CELLS), wanted], timeout=90_000)
        page.evaluate(PAGE_SCRIPT, CELL_SELECTOR)
        page.wait_for_timeout(1500)  # NOTE: images decoded, fonts in, the kernel status settled
        name = f"jupyterlab_{theme}_{trust}"
        result = {"theme": theme, "trust": trust, "name": name,
                  "graph": measure(page, "graph", output / f"{name}.png"),
                  "tensor": measure(page, "tensor"), "probe": measure_probe(page)}
        for key in ("graph", "tensor", "probe"):
            shoot_output(page, key, output / f"{name}_{key}.png")
        return result
    finally:
        context.close()


def measure(page: Any, key: str, window: Optional[Path] = None) -> dict:
    """What the output of cell `key` shows, with screen colours and what the mouse finds."""
    index = cell_index(key)
    page.evaluate("index => jlcheck.scrollTo(index)", index)
    page.wait_for_timeout(400)
    seen = page.evaluate("index => jlcheck.describe(index)", index)
    page.evaluate("() => jlcheck.dropCopy()")
    shot = page.screenshot(path=window)
    if seen["kind"] in ("img", "inline-svg"):
        seen["screen"] = screen_backgrounds(shot, seen["visible"], seen["row"])
    seen["hover"] = hover(page, seen.get("target"))
    return seen


def measure_probe(page: Any) -> dict:
    index = cell_index("probe")
    page.evaluate("index => jlcheck.scrollTo(index)", index)
    page.wait_for_timeout(400)
    seen = page.evaluate("index => jlcheck.probe(index)", index)
    seen["hover"] = hover(page, seen.get("target"))
    return seen


def hover(page: Any, target: Optional[dict]) -> Optional[dict]:
    """Move the mouse onto `target` and say what is under it and which title it would show."""
    if not target:
        return None
    page.mouse.move(target["x"], target["y"])
    page.wait_for_timeout(300)
    found = page.evaluate("([x, y]) => jlcheck.underMouse(x, y)", [target["x"], target["y"]])
    page.mouse.move(1, 1)
    return found


def shoot_output(page: Any, key: str, path: Path) -> None:
    """A screenshot of one cell's output area, the window made tall enough to hold it."""
    area = page.locator(CELL_SELECTOR).nth(cell_index(key)).locator(".jp-OutputArea")
    area.scroll_into_view_if_needed()
    height = area.bounding_box()["height"]
    page.set_viewport_size({"width": VIEWPORT["width"],
                            "height": min(max(VIEWPORT["height"], int(height) + 300), 6000)})
    page.wait_for_timeout(500)
    page.evaluate("index => jlcheck.scrollTo(index)", cell_index(key))
    area.screenshot(path=path)
    page.set_viewport_size(VIEWPORT)


def screen_backgrounds(png: bytes, drawing: list, row: list) -> Optional[dict]:
    """The commonest screen colour inside the drawing, and around it in its output row."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    inside_box, row_box = pixel_box(drawing), pixel_box(row)
    if not inside_box or not row_box:
        return None
    inside, around = colour_counts(image, inside_box), colour_counts(image, row_box)
    around.subtract(inside)
    around = +around  # NOTE: unary plus drops the colours that were all inside the drawing
    if not around:
        return None
    return {"drawing": inside.most_common(1)[0][0], "page": around.most_common(1)[0][0]}


def colour_counts(image: Any, box: tuple) -> Counter:
    region = image.crop(box)
    return Counter({colour: count for count, colour in
                    region.getcolors(maxcolors=region.width * region.height)})


def pixel_box(box: list) -> Optional[tuple]:
    left, top, right, bottom = (int(box[0]) + 1, int(box[1]) + 1, int(box[2]), int(box[3]))
    return (left, top, right, bottom) if right - left > 4 and bottom - top > 4 else None


# --- checks -----------------------------------------------------------------------------------

def luminance(rgb: Any) -> float:
    def linear(channel: float) -> float:
        channel /= 255
        return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4
    red, green, blue = (linear(channel) for channel in rgb[:3])
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first: Any, second: Any) -> float:
    """WCAG's contrast ratio of two colours, 1 to 21."""
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def blend(rgba: list, below: list) -> list:
    return [rgba[i] * rgba[3] + below[i] * (1 - rgba[3]) for i in range(3)]


def hex_colour(rgb: Any) -> str:
    return "#" + "".join(f"{round(channel):02x}" for channel in rgb[:3])


def drawing_checks(seen: dict) -> dict:
    """name -> (passed, what was seen) for one output that should be a drawing."""
    if seen["kind"] not in ("img", "inline-svg"):
        return {"shown": (False, f"not drawn: shows {seen.get('mime') or 'nothing'} "
                                 f"'{seen.get('text', '')[:80]}'")}
    return {"shown": (True, shown_as(seen)), "tooltip": tooltip_check(seen),
            "background": background_check(seen), "text": text_check(seen["texts"])}


def shown_as(seen: dict) -> str:
    form = "`<img>` of image/svg+xml" if seen["kind"] == "img" else \
        f"inline `<svg>` in {seen['mime']}"
    size = f"{seen['width']:.0f}×{seen['height']:.0f} px"
    natural = seen.get("naturalWidth")
    scale = f" (scale {seen['width'] / natural:.2f})" if natural else ""
    wider = seen["width"] > seen["outputWidth"] + 1
    fit = (f"wider than the {seen['outputWidth']} px output area, scrolls sideways"
           if wider or seen["scroller"] else f"fits the {seen['outputWidth']} px output area")
    return f"{form}, {size}{scale}; {fit}"


def tooltip_check(seen: dict) -> tuple:
    """Does the mouse on a node find a title of that node, as a browser tooltip would show?"""
    hovered, target = seen.get("hover"), seen.get("target")
    titles = f"{seen['inlineTitles']} `<title>` in the page"
    if seen["kind"] == "img":
        titles += f", {seen['sourceTitles']} inside the image"
    if not target or not hovered:
        return False, f"{titles}; no node found to hover"
    title = hovered["title"]
    found = f"title '{one_line(title)}'" if title else "no title"
    if title and not hovered["own"]:
        found += " (not the node's: an enclosing element's)"
    return (bool(title and hovered["own"]),
            f"{titles}; mouse on node '{one_line(target['label'])}' finds "
            f"`<{hovered['tag']}>`, {found}")


def one_line(text: str, width: int = 40) -> str:
    flat = " / ".join(line.strip() for line in text.splitlines() if line.strip())
    return flat if len(flat) <= width else flat[:width - 1] + "…"


def background_check(seen: dict) -> tuple:
    screen = seen.get("screen")
    drawing, page = ((screen["drawing"], screen["page"]) if screen else
                     (seen["drawingBackground"], seen["pageBackground"]))
    ratio = contrast(drawing, page)
    where = "on screen" if screen else "from the DOM"
    return (ratio < BACKGROUND_MATCH,
            f"drawing {hex_colour(drawing)} on page {hex_colour(page)} {where} ({ratio:.2f}:1)")


def text_check(texts: list) -> tuple:
    rated = sorted(((contrast(blend(text["fill"], text["background"]), text["background"]), text)
                    for text in texts if text["fill"]), key=lambda entry: entry[0])
    if not rated:
        return True, "no text"
    low = [entry for entry in rated if entry[0] < TEXT_CONTRAST]
    ratio, worst = rated[0]
    sizes = sorted(text["px"] for text in texts)
    return (not low, f"{len(rated)} labels, {len(low)} below {TEXT_CONTRAST}:1; lowest "
                     f"{ratio:.1f}:1 ('{worst['text']}' {hex_colour(worst['fill'])} on "
                     f"{hex_colour(worst['background'])}); {sizes[0]:.1f}–{sizes[-1]:.1f} px")


def probe_facts(theme: str, probe: dict) -> dict:
    """What survived of the hand-made text/html output, and what of it is visible."""
    hovered = probe.get("hover") or {}
    sheet, attribute, image = probe.get("sheetFill"), probe.get("attributeFill"), probe.get("image")
    return {
        "shown as": probe.get("mime") or "nothing",
        "`<svg>`": ("removed" if not probe.get("svg") else
                    "kept, visible" if probe["svgShown"] else "kept, hidden"),
        "class / id": (f"{probe['svgClass']} / {probe['svgId'] or '-'}"
                       if probe.get("svg") else "-"),
        "`<title>`": f"{len(probe.get('titles', []))} (hover: {hovered.get('title') or 'none'})",
        "`<style>`": "kept" if probe.get("styles") else "removed",
        "theme rule": ("-" if sheet is None else "applied" if sheet == PROBE_STYLE_FILLS[theme]
                       else f"not applied ({sheet})"),
        "`style=\"fill: var()\"`": ("-" if attribute is None else
                                     "stripped" if attribute == PROBE_RED else
                                     "= --jp-ui-font-color1" if attribute == probe["themeText"]
                                     else attribute),
        "`fill` attribute": probe.get("swatchFill") or "-",
        "`hidden` wrapper": "kept" if probe.get("hiddenKept") else "removed",
        "`data:` `<img>`": ("removed" if not image else "broken" if not image["loaded"] else
                            "visible" if image["shown"] else "hidden"),
        "text visible": f"'{probe.get('text', '')[:60]}'",
    }


# NOTE: an untrusted notebook's HTML is sanitized: no inline <svg>, no <style>. What is left is the
# `data:` image, which no page can give tooltips or theme colours; those checks are limits of
# untrusted output, reported as such, not failures of the drawing.
SANITIZED_LIMITS = ("tooltip", "background")


def verdict(result: dict, key: str, check_name: str, ok: bool) -> str:
    if ok:
        return "PASS"
    sanitized = result["trust"] == "untrusted" and result[key]["kind"] == "img"
    return "LIMIT" if sanitized and check_name in SANITIZED_LIMITS else "FAIL"


def passed(result: dict) -> bool:
    return all(verdict(result, key, name, ok) != "FAIL" for key in ("graph", "tensor")
               for name, (ok, _) in drawing_checks(result[key]).items())


# --- report -----------------------------------------------------------------------------------

def section(result: dict) -> str:
    """The report of one (theme, notebook)."""
    lines = [f"### {THEMES[result['theme']]}, {result['trust']} notebook", ""]
    for key, label in (("graph", "`%graph`"), ("tensor", "tensor `z`")):
        for check_name, (ok, seen) in drawing_checks(result[key]).items():
            lines.append(f"- {label} {check_name}: **{verdict(result, key, check_name, ok)}** "
                         f"— {seen}")
    name = result["name"]
    lines += ["", f"Screenshots: [window]({name}.png), [`%graph` output]({name}_graph.png), "
                  f"[`z` output]({name}_tensor.png), [probe]({name}_probe.png)", ""]
    return "\n".join(lines)


def summary(results: list) -> list:
    lines = ["| theme | notebook | `%graph` shown as | size | tooltip | background | text "
             "contrast | `z` shown as |", "|---" * 8 + "|"]
    for result in results:
        graph, checks = result["graph"], drawing_checks(result["graph"])
        size = (f"{graph['width']:.0f}×{graph['height']:.0f} in {graph['outputWidth']}"
                if "width" in graph else "-")
        marks = " | ".join(mark(result, name, checks.get(name))
                           for name in ("tooltip", "background", "text"))
        lines.append(f"| {result['theme']} | {result['trust']} | {form(graph)} | {size} | "
                     f"{marks} | {form(result['tensor'])} |")
    return lines


def form(seen: dict) -> str:
    names = {"img": "`<img>`", "inline-svg": "inline `<svg>`", "text": "text only",
             "html": "HTML without `<svg>`", "none": "nothing"}
    return f"{names[seen['kind']]} ({seen.get('mime') or '-'})"


def mark(result: dict, check_name: str, check: Optional[tuple]) -> str:
    return "-" if check is None else verdict(result, "graph", check_name, check[0])


def probe_table(results: list) -> list:
    rows = [(result["theme"], result["trust"], probe_facts(result["theme"], result["probe"]))
            for result in results]
    heads = list(rows[0][2])
    lines = ["| theme | notebook | " + " | ".join(heads) + " |",
             "|---" * (len(heads) + 2) + "|"]
    for theme, trust, facts in rows:
        lines.append(f"| {theme} | {trust} | " + " | ".join(facts.values()) + " |")
    return lines


def form_seen(results: list) -> str:
    kinds = {result["graph"]["kind"] for result in results if result["trust"] == "trusted"}
    if kinds == {"img"}:
        return "image/svg+xml only: JupyterLab shows the drawing as an `<img>`"
    if kinds == {"inline-svg"}:
        return "text/html with the SVG inline"
    return f"mixed or none ({', '.join(sorted(kinds))})"


def notes(results: list) -> list:
    """What the results mean, for the cases JupyterLab treats specially."""
    lines = []
    untrusted = [result for result in results if result["trust"] == "untrusted"]
    if any(result["graph"]["kind"] == "text" for result in untrusted):
        lines.append("- Untrusted, the drawing is not shown at all: JupyterLab renders "
                     "image/svg+xml only in trusted outputs (its SVG renderer is not 'safe') and "
                     "falls back to the next safe type, text/plain.")
    stripped = [result["graph"] for result in untrusted if result["graph"]["kind"] == "html"]
    if stripped:
        lines.append("- Untrusted, JupyterLab picks text/html (it ranks before image/svg+xml) and "
                     "sanitizes it: the `<svg>` is removed and its words stay as loose text: "
                     f"'{stripped[0]['text'][:80]}'.")
    probes = [probe_facts(result["theme"], result["probe"]) for result in untrusted]
    if probes and all(facts["`data:` `<img>`"] == "visible" and facts["text visible"] == "''"
                      for facts in probes):
        lines.append("- The probe's fallback degrades cleanly: untrusted, the sanitizer drops the "
                     "`<svg>` (inside a `hidden=\"hidden\"` `<div>`, so none of its text shows) "
                     "and the `<style>`, and the `data:` `<img>` that the `<style>` hid appears.")
    return lines + [""] if lines else []


def versions(chromium: str) -> str:
    import importlib.metadata

    import jupyterlab

    commit = subprocess.run(["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
                            capture_output=True, text=True).stdout.strip() or "unknown"
    return (f"JupyterLab {jupyterlab.__version__}, Chromium {chromium}, Playwright "
            f"{importlib.metadata.version('playwright')}, Python {platform.python_version()}, "
            f"session_magic at {commit}")


def write_report(results: list, chromium: str, output: Path) -> Path:
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = ["# session_magic's drawings in JupyterLab", "",
             f"Written by `benchmarks/jupyterlab_check.py` on {now}: {versions(chromium)}. "
             f"Window {VIEWPORT['width']}×{VIEWPORT['height']}, JupyterLab's default layout.", "",
             f"**Display form seen:** {form_seen(results)}.", "",
             f"Checks: the drawing is shown; hovering a node finds its `<title>`; the drawing's "
             f"background is within {BACKGROUND_MATCH}:1 of the page's; every SVG text has "
             f"contrast ≥ {TEXT_CONTRAST}:1 with what is painted behind it. LIMIT: an untrusted "
             f"notebook's HTML is sanitized, so only the `data:` image remains, which can have "
             f"neither tooltips nor the theme's colours.", "",
             *summary(results), "", *notes(results), *(section(result) for result in results),
             "## Sanitizer probe", "",
             "A hand-made output bundled like the planned drawing (text/html with an inline "
             "`<svg>`, a `<title>`, a `<style>` keyed on `body[data-jp-theme-light=\"false\"]`, "
             "a `style=\"fill: var(--jp-ui-font-color1)\"` and a `data:` `<img>`; plus "
             "image/svg+xml and text/plain).", "", *probe_table(results), ""]
    report = output / "REPORT.md"
    report.write_text("\n".join(lines))
    return report


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
