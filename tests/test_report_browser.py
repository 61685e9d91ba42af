"""The report in a real browser: headless Chromium driven over the DevTools protocol.

Opens ``report.html`` from a file URL and checks that every image loaded, that the
page logged no error and fetched nothing but itself and its ``data:`` images, and
that the key numbers of summary.csv are in its text.  A full-page screenshot is
kept as ``test-artifacts/report.png`` (git-ignored) for a person to look at.

Skipped, with the reason, where no Chromium is installed (CI installs Debian's
``chromium`` with ``.ci/install-chromium.sh``) or websocket-client is missing.
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pandas as pd
import pytest
from conftest import MODELS, REPO
from test_report import write_extras

from riskcalc import load_model, simulate
from riskcalc.format import money, percent
from riskcalc.report import write_report

websocket = pytest.importorskip(
    "websocket", reason="websocket-client is not installed (pip install -e '.[test]')")

#: Seconds to wait for the browser to start, answer or load; a safety net, not a measure.
PATIENCE = 120
ARTIFACTS = REPO / "test-artifacts"


def _chromium() -> str | None:
    override = os.environ.get("RISKCALC_CHROMIUM")
    if override:
        return override
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


class DevTools:
    """A minimal Chrome DevTools Protocol client over one page's websocket."""

    def __init__(self, url: str):
        self.ws = websocket.create_connection(url, timeout=PATIENCE, suppress_origin=True)
        self.ids = itertools.count(1)
        self.events: list[dict] = []

    def send(self, method: str, **params) -> dict:
        """Call a method and return its result; events that arrive meanwhile are kept."""
        call = next(self.ids)
        self.ws.send(json.dumps({"id": call, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == call:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.events.append(message)

    def wait_for(self, method: str) -> dict:
        """Wait for an event (already received or still to come)."""
        for event in self.events:
            if event.get("method") == method:
                return event
        while True:
            message = json.loads(self.ws.recv())
            self.events.append(message)
            if message.get("method") == method:
                return message

    def evaluate(self, expression: str):
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def close(self) -> None:
        self.ws.close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """A headless Chromium with remote debugging on a free port; yields the port."""
    binary = _chromium()
    if binary is None:
        pytest.skip("no Chromium on PATH: run .ci/install-chromium.sh (Debian's chromium)")
    profile = tmp_path_factory.mktemp("chromium-profile")
    process = subprocess.Popen(
        [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--no-default-browser-check", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-extensions",
         "--remote-allow-origins=*", "--remote-debugging-port=0",
         f"--user-data-dir={profile}", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        port_file = profile / "DevToolsActivePort"
        for _ in range(PATIENCE * 10):
            if port_file.is_file() and port_file.read_text().strip():
                break
            if process.poll() is not None:
                pytest.fail(f"{binary} exited with code {process.returncode} at start")
            time.sleep(0.1)
        else:
            pytest.fail(f"{binary} did not open a DevTools port")
        yield int(port_file.read_text().split()[0])
    finally:
        process.terminate()
        try:
            process.wait(timeout=PATIENCE)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    """A labour-market run with every optional table, reported."""
    out = tmp_path_factory.mktemp("browser-run")
    simulate(load_model(MODELS / "labour_market.toml"), 2_000, seed=5).write(out)
    write_extras(out)
    return write_report(out, model=MODELS / "labour_market.toml")


@pytest.fixture(scope="module")
def page(browser, report):
    """The report loaded in the browser, with what the browser saw while loading it."""
    with urllib.request.urlopen(f"http://127.0.0.1:{browser}/json/list",
                                timeout=PATIENCE) as answer:
        targets = [t for t in json.load(answer) if t.get("type") == "page"]
    tools = DevTools(targets[0]["webSocketDebuggerUrl"])
    for domain in ("Page", "Runtime", "Log", "Network"):
        tools.send(f"{domain}.enable")
    tools.send("Page.navigate", url=report.resolve().as_uri())
    tools.wait_for("Page.loadEventFired")
    yield tools
    tools.close()


def test_every_image_of_the_report_loads(page):
    images = page.evaluate(
        "[...document.images].map(i => ({complete: i.complete, width: i.naturalWidth}))")
    assert len(images) >= 7
    assert all(i["complete"] and i["width"] > 0 for i in images), images


def test_every_figure_is_shown_at_nearly_the_size_it_was_drawn_and_checked(page):
    # tests/test_report_figures.py checks the figures for overlaps at their drawn size;
    # at a usual window (1280 px) the page may shrink them a little, never by a fifth.
    page.send("Emulation.setDeviceMetricsOverride", width=1280, height=900,
              deviceScaleFactor=1, mobile=False)
    sizes = page.evaluate(
        "[...document.images].map(i => ({id: i.closest('figure').id, shown: i.width, "
        "natural: i.naturalWidth}))")
    small = [s for s in sizes if s["shown"] < 0.8 * s["natural"]]
    assert not small, small
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_report_logs_no_error(page):
    errors = [e for e in page.events
              if e.get("method") == "Runtime.exceptionThrown"
              or (e.get("method") == "Runtime.consoleAPICalled"
                  and e["params"].get("type") in ("error", "assert"))
              or (e.get("method") == "Log.entryAdded"
                  and e["params"]["entry"].get("level") == "error")]
    assert errors == []


def test_the_report_fetches_nothing_beyond_itself(page, report):
    urls = [e["params"]["request"]["url"] for e in page.events
            if e.get("method") == "Network.requestWillBeSent"]
    assert report.resolve().as_uri() in urls
    assert all(u.startswith(("file:", "data:")) for u in urls), urls


def test_key_numbers_of_summary_csv_are_in_the_page_text(page, report):
    text = page.evaluate("document.body.innerText")
    summary = pd.read_csv(report.parent / "summary.csv").set_index("output")
    assert money(summary.at["npv_society", "mean"]) in text
    assert money(summary.at["npv_society", "p95"]) in text
    assert percent(summary.at["npv_labour_office", "prob_negative"]) in text
    assert money(34_017_064) in text  # table 4.2: society's net in year 1, base case


def test_full_page_screenshot_is_kept_as_an_artifact(page):
    height = page.evaluate("document.documentElement.scrollHeight")
    page.send("Emulation.setDeviceMetricsOverride", width=1280, height=int(height),
              deviceScaleFactor=1, mobile=False)
    shot = page.send("Page.captureScreenshot", format="png", captureBeyondViewport=True)
    png = base64.b64decode(shot["data"])
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "report.png").write_bytes(png)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and height > 3000
