"""Read the notebooks as a reader does: JupyterLab in headless Chromium, one notebook after another.

The test starts JupyterLab on a free 127.0.0.1 port (a random token, settings, workspaces and
runtime files in a temporary folder, autosave off, no news or update checks, no language server),
starts headless Chromium with a fresh profile, and drives it through the Chrome DevTools protocol
(the `websocket-client` package that jupyter_server already depends on). The lab page is loaded
once; each notebook is then opened with JupyterLab's own `docmanager:open` command, and once it has
rendered the test asserts, inside the notebook's panel:

- every cell is there and every Markdown cell is rendered, with at least one heading per heading
  line in the source;
- every $...$ / $$...$$ expression of the Markdown was typeset by JupyterLab's MathJax (one
  `mjx-container` per expression, no `$` left in the rendered text) and there is no MathJax error
  element (`mjx-merror`, `[data-mjx-error]`, `.MathJax_Error`);
- no output is an error or stderr output, every stored output is shown, every image has loaded;

and it saves a screenshot per notebook into build/browser_screenshots/ (git-ignored; override with
LSTM_SCREENSHOT_DIR). No kernel is started (a reader's view needs none; should a JupyterLab version
start one anyway, it is shut down when the tab closes). JupyterLab never saves anything (autosave is
off, checkpoints go to the temporary folder), so the repository is left as it was.

Skipped, with the reason, where no Chromium executable exists (install Debian's `chromium`); with
LSTM_REQUIRE_BROWSER=1 in the environment a missing Chromium is an error instead.

Run it alone with `python -m pytest tests/test_browser.py -s` to see the time per notebook.
"""
from __future__ import annotations

import base64
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
SCREENSHOT_DIR = Path(os.environ.get("LSTM_SCREENSHOT_DIR", REPO / "build" / "browser_screenshots"))
CHROMIUM = next((shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome")
                 if shutil.which(name)), None)
VIEWPORT = (1280, 1600)

# Set LSTM_REQUIRE_BROWSER=1 (in CI) to make a missing browser a failure instead of a skip.
REQUIRED = os.environ.get("LSTM_REQUIRE_BROWSER", "") not in ("", "0")
NO_CHROMIUM = ("no Chromium found: install Debian's `chromium` package "
               "(apt-get install -y --no-install-recommends chromium fonts-liberation) to run the browser test")
if REQUIRED and CHROMIUM is None:
    pytest.fail(NO_CHROMIUM, pytrace=False)
websocket = pytest.importorskip("websocket", reason="needs the websocket-client package (a jupyter_server "
                                                    "dependency) to talk to Chromium")
pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason=NO_CHROMIUM),
    pytest.mark.skipif(not NOTEBOOKS, reason="no notebooks in notebooks/ yet"),
]


# ---------------------------------------------------------------- what the notebook's source says to expect

_FENCE = re.compile(r"```.*?```", re.S)
_CODE_SPAN = re.compile(r"`[^`\n]*`")
_DISPLAY = re.compile(r"\$\$(.+?)\$\$", re.S)
_INLINE = re.compile(r"(?<![\\$])\$(?!\$)(.+?)(?<![\\$])\$", re.S)


def expected_in_markdown(nb) -> dict:
    """Count math expressions and heading lines in the Markdown cells (code spans and fences excluded)."""
    math = headings = 0
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        text = _CODE_SPAN.sub("", _FENCE.sub("", cell.source))
        n_display = len(_DISPLAY.findall(text))
        text = _DISPLAY.sub(" ", text)
        math += n_display + len(_INLINE.findall(text))
        headings += sum(1 for line in text.split("\n") if re.match(r"#{1,6} \S", line))
    outputs = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        previous = None
        for out in cell.outputs:   # JupyterLab shows consecutive stream outputs of one name as one
            key = ("stream", out.get("name")) if out.output_type == "stream" else None
            outputs += key is None or key != previous
            previous = key
    images = sum(1 for c in nb.cells if c.cell_type == "code" for o in c.outputs
                 if o.output_type in ("display_data", "execute_result") and "image/png" in o.get("data", {}))
    return {"math": math, "headings": headings, "cells": len(nb.cells),
            "markdown": sum(c.cell_type == "markdown" for c in nb.cells), "outputs": outputs,
            "images": images}


# ---------------------------------------------------------------- a minimal DevTools client

class DevTools:
    """A blocking Chrome DevTools protocol client on one websocket (flattened target sessions)."""

    def __init__(self, url: str):
        self.ws = websocket.create_connection(url, timeout=60, suppress_origin=True)
        self.next_id = 0

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self.ws.send(json.dumps(message))
        while True:
            reply = json.loads(self.ws.recv())
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method} failed: {reply['error']}")
                return reply.get("result", {})

    def close(self):
        self.ws.close()


class Page:
    def __init__(self, tools: DevTools, session: str):
        self.tools, self.session = tools, session

    def js(self, expression: str, timeout_s: float = 60):
        """Evaluate `expression` (awaiting a promise) in the page; return its JSON value."""
        result = self.tools.send("Runtime.evaluate", {
            "expression": expression, "awaitPromise": True, "returnByValue": True,
            "timeout": int(timeout_s * 1000)}, self.session)
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text")
            raise RuntimeError(f"JavaScript error: {text}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout_s: float, what: str):
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            value = self.js(expression)
            if value:
                return value
            time.sleep(0.25)
        raise AssertionError(f"timed out after {timeout_s:.0f} s waiting for {what}")

    def screenshot(self, path: Path) -> None:
        data = self.tools.send("Page.captureScreenshot", {"format": "png"}, self.session)["data"]
        path.write_bytes(base64.b64decode(data))


# ---------------------------------------------------------------- JupyterLab and Chromium

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _write_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server on a free localhost port; yields (base URL, token)."""
    home = tmp_path_factory.mktemp("jupyterlab")
    settings = home / "settings" / "@jupyterlab"
    _write_json(settings / "notebook-extension" / "tracker.jupyterlab-settings",
                {"windowingMode": "none", "kernelShutdown": True})
    _write_json(settings / "docmanager-extension" / "plugin.jupyterlab-settings", {"autosave": False})
    _write_json(settings / "apputils-extension" / "notification.jupyterlab-settings",
                {"fetchNews": "false", "checkForUpdates": False, "doNotDisturbMode": True})
    port, token = _free_port(), base64.b32encode(os.urandom(20)).decode().lower()
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(home / "config"), JUPYTER_RUNTIME_DIR=str(home / "runtime"),
               IPYTHONDIR=str(home / "ipython"))
    log = open(home / "server.log", "wb")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         "--port-retries=0", "--allow-root", f"--IdentityProvider.token={token}",
         f"--ServerApp.root_dir={REPO}",
         f"--LabApp.user_settings_dir={home / 'settings'}", f"--LabApp.workspaces_dir={home / 'workspaces'}",
         "--LabApp.expose_app_in_browser=True", "--LabApp.news_url=", "--LabApp.extension_manager=readonly",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
         "--ServerApp.jpserver_extensions=jupyter_lsp=False",
         # JupyterLab saves a checkpoint of every notebook it opens: keep those out of the repository
         f"--FileCheckpoints.checkpoint_dir={home / 'checkpoints'}"],
        cwd=home, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if server.poll() is not None:
                tail = (home / "server.log").read_text()[-3000:]
                raise RuntimeError(f"JupyterLab exited early; its log ends with:\n{tail}")
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5) as reply:
                    if reply.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("JupyterLab did not answer within 90 s")
            time.sleep(0.5)
        yield base, token
    finally:
        _stop(server)
        log.close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """Headless Chromium with a fresh profile; yields a DevTools client on the browser target."""
    profile = tmp_path_factory.mktemp("chromium_profile")
    process = subprocess.Popen(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--remote-debugging-port=0", "--remote-debugging-address=127.0.0.1",
         "--remote-allow-origins=*", f"--user-data-dir={profile}",
         f"--window-size={VIEWPORT[0]},{VIEWPORT[1]}",
         "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        active = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (active.exists() and len(active.read_text().split("\n")) >= 2):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("Chromium did not start (no DevToolsActivePort file)")
            time.sleep(0.1)
        port, path = active.read_text().split("\n")[:2]
        tools = DevTools(f"ws://127.0.0.1:{port.strip()}{path.strip()}")
        yield tools
        tools.close()
    finally:
        _stop(process)


@pytest.fixture(scope="module")
def lab_page(lab, browser):
    """The JupyterLab page, loaded and restored, with `window.jupyterapp` exposed."""
    base, token = lab
    target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    page = Page(browser, session)
    browser.send("Page.enable", {}, session)
    browser.send("Emulation.setDeviceMetricsOverride", {
        "width": VIEWPORT[0], "height": VIEWPORT[1], "deviceScaleFactor": 1, "mobile": False}, session)
    browser.send("Page.navigate", {"url": f"{base}/lab?reset&token={token}"}, session)
    page.wait_for("!!(window.jupyterapp && window.jupyterapp.shell)", 90, "JupyterLab to load")
    page.js("window.jupyterapp.restored.then(() => { window.jupyterapp.shell.collapseLeft(); return true; })",
            timeout_s=90)
    # A reader's view needs no kernel: tell the notebook factory not to start one (saves a Python
    # process per notebook). If a JupyterLab version renames these fields, kernels simply start and
    # are shut down when the tab closes.
    page.js("""(() => { const f = window.jupyterapp.docRegistry.getWidgetFactory('Notebook');
                        f._preferKernel = false; f._canStartKernel = false; return true; })()""")
    return page


MEASURE = r"""
(() => {
  const node = window.__panel.node;
  const md = [...node.querySelectorAll('.jp-MarkdownCell .jp-RenderedMarkdown')];
  const leftover = md.some(el => {
    const copy = el.cloneNode(true);
    copy.querySelectorAll('mjx-container, code, pre').forEach(e => e.remove());
    return copy.textContent.includes('$');
  });
  return {
    cells: node.querySelectorAll('.jp-Notebook .jp-Cell').length,
    markdown_rendered: node.querySelectorAll('.jp-MarkdownCell.jp-mod-rendered').length,
    headings: node.querySelectorAll('.jp-MarkdownCell .jp-RenderedMarkdown :is(h1,h2,h3,h4,h5,h6)').length,
    math: node.querySelectorAll('.jp-MarkdownCell mjx-container').length,
    math_errors: document.querySelectorAll('mjx-merror, [data-mjx-error], .MathJax_Error').length,
    leftover_dollar: leftover,
    outputs: node.querySelectorAll('.jp-OutputArea-output').length,
    error_outputs: node.querySelectorAll(
      '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]').length,
    images: node.querySelectorAll('.jp-OutputArea-output img').length,
    images_loaded: [...node.querySelectorAll('.jp-OutputArea-output img')]
      .filter(i => i.complete && i.naturalWidth > 0).length,
  };
})()
"""


def _open_and_measure(page: Page, rel_path: str, expected: dict, timeout_s: float = 45) -> dict:
    page.js(f"""(async () => {{
        const app = window.jupyterapp;
        const panel = await app.commands.execute('docmanager:open', {{path: {json.dumps(rel_path)},
                                                                      factory: 'Notebook'}});
        await panel.context.ready;
        await panel.revealed;
        window.__panel = panel;
        return true;
    }})()""", timeout_s=timeout_s)
    deadline = time.monotonic() + timeout_s
    previous = None
    while True:
        measured = page.js(MEASURE)
        settled = (measured["cells"] >= expected["cells"] and measured["math"] >= expected["math"]
                   and measured["images_loaded"] >= expected["images"])
        if settled and measured == previous:
            return measured
        if time.monotonic() > deadline:
            return measured
        previous = measured
        time.sleep(0.4)


def _close(page: Page) -> None:
    page.js("""(async () => {
        const panel = window.__panel;
        window.__panel = null;
        try { await panel.sessionContext.shutdown(); } catch (e) { /* no kernel yet */ }
        panel.dispose();
        return true;
    })()""")


def _check_notebook(page: Page, path: Path, screenshot: Path | None) -> list[str]:
    """Open one notebook, measure it, save its screenshot; return the names of the failed checks."""
    expected = expected_in_markdown(nbformat.read(path, as_version=4))
    measured = _open_and_measure(page, path.relative_to(REPO).as_posix(), expected)
    if screenshot is not None:
        page.screenshot(screenshot)
    _close(page)
    checks = {
        "all cells shown": measured["cells"] == expected["cells"],
        "every Markdown cell rendered": measured["markdown_rendered"] == expected["markdown"],
        "headings rendered": measured["headings"] >= max(1, expected["headings"]),
        "every $...$ typeset by MathJax": measured["math"] == expected["math"],
        "no raw $ left in rendered Markdown": not measured["leftover_dollar"],
        "no MathJax error elements": measured["math_errors"] == 0,
        "no error or stderr outputs": measured["error_outputs"] == 0,
        "every stored output shown": measured["outputs"] == expected["outputs"],
        "every image loaded": measured["images_loaded"] == measured["images"] >= expected["images"],
    }
    failed = [name for name, ok in checks.items() if not ok]
    return [f"{', '.join(failed)} (measured {measured}, expected {expected})"] if failed else []


def test_notebooks_render_in_jupyterlab(lab, lab_page):
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    problems = []
    for path in NOTEBOOKS:
        started = time.monotonic()
        failed = _check_notebook(lab_page, path, SCREENSHOT_DIR / f"{path.stem}.png")
        print(f"{path.name}: {'ok' if not failed else 'FAILED'} in {time.monotonic() - started:.1f} s")
        problems += [f"{path.name}: {p}" for p in failed]
    base, token = lab
    with urllib.request.urlopen(f"{base}/api/kernels?token={token}", timeout=10) as reply:
        print(f"kernels running after the notebooks were closed: {len(json.load(reply))}")
    assert not problems, "\n".join(problems)


def test_the_browser_check_catches_broken_notebooks(lab_page):
    """The same checks fail on a notebook with bad TeX, an error output and a stderr output."""
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

    nb = new_notebook(cells=[
        new_markdown_cell("# Broken\n\nGood $C_t$, bad $\\frac{1}$ here."),
        new_code_cell("1 / 0", execution_count=1, outputs=[new_output(
            "error", ename="ZeroDivisionError", evalue="division by zero", traceback=["ZeroDivisionError"])]),
        new_code_cell("import warnings", execution_count=2, outputs=[new_output(
            "stream", name="stderr", text="UserWarning: something\n")]),
    ])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                 "language": "python"}
    folder = REPO / "build" / "browser_selftest"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "broken.ipynb"
    nbformat.write(nb, path)
    try:
        problems = _check_notebook(lab_page, path, None)
    finally:
        path.unlink()
    assert problems, "the browser checks passed a broken notebook"
    assert "no MathJax error elements" in problems[0] and "no error or stderr outputs" in problems[0]
