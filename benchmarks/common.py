"""Shared pieces of the benchmarks: live Streamlit servers, Chromium, in-page timers, machine facts.

The server pattern is tests/browser/conftest.py's (after datasette's live-server fixture): a
`streamlit run` on a free port with a temporary JOININGFORCES_DATA_DIR, polled until
/_stcore/health answers `ok`, failing fast if the process exits.
"""

from __future__ import annotations

import contextlib
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
BARE_APP = BENCH / "bare_app.py"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """`streamlit run SCRIPT` on a free port, with its own temporary data folder."""

    def __init__(self, script: Path | str = "app.py", *, data_dir: Path | None = None, log: Path | None = None,
                 module: str = "streamlit", env: dict[str, str] | None = None, flags: list[str] = (),
                 address: str = "127.0.0.1", port: int | None = None):
        self._tmp = tempfile.TemporaryDirectory(prefix="jf-bench-")
        tmp = Path(self._tmp.name)
        self.data_dir = data_dir or tmp / "data"
        self.log = log or tmp / "streamlit.log"
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        inherited = {k: v for k, v in os.environ.items() if k != "JOININGFORCES_DATABASE_URL"}
        # the temporary SQLite file, unless the caller names a database (replicas share one)
        env = inherited | {"JOININGFORCES_DATA_DIR": str(self.data_dir)} | (env or {})
        self.process = subprocess.Popen(
            [sys.executable, "-m", module, "run", str(script), "--server.headless", "true",
             "--server.port", str(self.port), "--server.address", address,
             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none", *flags],
            cwd=ROOT, env=env, stdout=self.log.open("wb"), stderr=subprocess.STDOUT)
        self.started = time.perf_counter()
        self.wait_healthy()
        self.healthy_after = time.perf_counter() - self.started

    def wait_healthy(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited with {self.process.returncode}:\n{self.log.read_text()}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as response:
                    if response.read() == b"ok":
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"streamlit did not become healthy in {timeout}s:\n{self.log.read_text()}")

    def rss_kib(self) -> int:
        """Resident memory of the streamlit process (VmRSS, KiB)."""
        return proc_status(self.process.pid)["VmRSS"]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._tmp.cleanup()

    def __enter__(self) -> LiveServer:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


# How the app's server is started: as it is, or with a change to try out without editing the app.
def saved(page, statement_id: str):
    """The "Saved" mark a questionnaire shows under a statement once its new rating is stored."""
    return page.locator(f".st-key-saved-{statement_id}").get_by_text("Saved")


FIRST_STEP = "Principle 1 of "  # the questionnaire's progress text on its first step


VARIANTS = {
    "as-is": {},
    # Streamlit's gc.collect() after every script run switched off (.streamlit/config.toml:
    # [runner] postScriptGC = false).
    "no-post-gc": {"flags": ["--runner.postScriptGC", "false"]},
    # The modules the pages use imported and gc.freeze()-d before serving (profiled_streamlit.py).
    "gc-freeze": {"module": "benchmarks.profiled_streamlit", "env": {"JF_GC_FREEZE": "1"}},
}


def parse_variants(parser, text: str) -> list[str]:
    variants = [v.strip() for v in text.split(",") if v.strip()]
    unknown = [v for v in variants if v not in VARIANTS]
    if unknown or not variants:
        parser.error(f"unknown variant(s): {', '.join(unknown) or '(none given)'}; choose from {', '.join(VARIANTS)}")
    return variants


def variant_label(label: str, variant: str) -> str:
    return label if variant == "as-is" else f"{label} [{variant}]"


def proc_status(pid: int) -> dict[str, int]:
    """The kB figures of /proc/<pid>/status (VmRSS, VmHWM, ...)."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        parts = value.split()
        if len(parts) == 2 and parts[1] == "kB":
            out[key] = int(parts[0])
    return out


@contextlib.contextmanager
def chromium():
    """Debian's Chromium through Playwright (never Playwright's own browser download)."""
    if not os.path.exists(CHROMIUM):
        raise SystemExit(f"{CHROMIUM} is missing: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def new_page(browser, timeout_ms: int = 30_000):
    context = browser.new_context(viewport={"width": 1400, "height": 1800})
    page = context.new_page()
    page.set_default_timeout(timeout_ms)
    return context, page


def wait_idle(page) -> None:
    page.wait_for_selector(IDLE, state="attached")


# --- Figures ---------------------------------------------------------------------------------

def median(values) -> float:
    return statistics.median(values)


def spread(values) -> str:
    """'median (p95, min–max, n=N)' in ms."""
    values = list(values)
    return (f"{median(values):7.1f} ms (p95 {p95(values):.1f}, min {min(values):.1f}, max {max(values):.1f}, "
            f"n={len(values)})")


def p95(values) -> float:
    """The 95th percentile, linear between ranks (numpy's default)."""
    return float(np.percentile(list(values), 95))


def loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def machine() -> str:
    model = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    mem = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    return (f"{datetime.now():%Y-%m-%d %H:%M} · {os.cpu_count()} CPUs ({model}) · {mem} RAM · "
            f"Python {platform.python_version()} · load average {loadavg()}")


def header(title: str) -> None:
    print(f"== {title}")
    print(f"   {machine()}")


def cpu_yardstick(repeats: int = 5) -> float:
    """A fixed CPU workload (ms, best of `repeats`): sort 1M floats with numpy and run a 300k-step
    Python loop. Printed next to in-process figures so runs on a busy or different machine can be
    compared: divide a figure by it."""
    import numpy as np

    data = np.random.default_rng(0).random(1_000_000)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        np.sort(data)
        total = 0
        for i in range(300_000):
            total += i % 7
        best = min(best, (time.perf_counter() - start) * 1000)
    return best


# --- In-page timers --------------------------------------------------------------------------
# Installed before any page script runs (context.add_init_script). Times are performance.now()
# in the page: from the keydown event (and from the first WebSocket message the page sends after
# it, i.e. the rerun request) to the first DOM mutation after which the expected text is shown
# AND the app is idle. Nothing on the Python side is counted.

TIMER_JS = """
(() => {
  const IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]';
  window.__bench = {key: null, sent: null};
  document.addEventListener('keydown', () => {
    window.__bench.key = performance.now();
    window.__bench.sent = null;
  }, true);
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    if (window.__bench.key !== null && window.__bench.sent === null) window.__bench.sent = performance.now();
    return send.call(this, data);
  };
  const shown = (selector, text) =>
    Array.from(document.querySelectorAll(selector)).some(e => e.textContent.includes(text));
  window.__benchReady = (selector, text) => !!document.querySelector(IDLE) && shown(selector, text);
  // Arm before the key press; then `await window.__benchDone` gives {key, sent, done}.
  window.__benchArm = (selector, text, timeoutMs) => {
    window.__bench = {key: null, sent: null};
    window.__benchDone = new Promise((resolve, reject) => {
      const observer = new MutationObserver(() => {
        if (window.__bench.key !== null && window.__benchReady(selector, text)) {
          const done = performance.now();
          observer.disconnect();
          clearTimeout(timer);
          resolve({key: window.__bench.key, sent: window.__bench.sent, done});
        }
      });
      observer.observe(document, {subtree: true, childList: true, characterData: true,
                                                  attributes: true, attributeFilter: ['data-test-script-state']});
      const timer = setTimeout(() => { observer.disconnect(); reject(new Error('timed out waiting for ' + text)); },
                               timeoutMs);
    });
  };
})();
"""


def timed_key(page, key: str, selector: str, text: str, timeout_ms: int = 30_000) -> dict:
    """Press `key` in the focused element and time it in the page (see TIMER_JS): returns
    {'key': ms from keydown to done, 'sent': ms from the rerun request to done}."""
    page.evaluate("([s, t, ms]) => window.__benchArm(s, t, ms)", [selector, text, timeout_ms])
    page.keyboard.press(key)
    times = page.evaluate("() => window.__benchDone")
    return {"key": times["done"] - times["key"],
            "sent": times["done"] - times["sent"] if times["sent"] is not None else float("nan")}


def first_render_script(*conditions: tuple[str, str, int]) -> str:
    """An init script recording in window.__firstRender the page time (ms since navigation
    start) at which the app is first idle with every condition met: (selector, text, count) is
    at least `count` elements matching `selector` whose text includes `text` ("" for any)."""
    import json

    return """
(() => {
  const IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]';
  const conditions = %s;
  const ready = () => !!document.querySelector(IDLE) && conditions.every(([selector, text, count]) =>
    Array.from(document.querySelectorAll(selector)).filter(e => e.textContent.includes(text)).length >= count);
  window.__firstRender = null;
  const observer = new MutationObserver(() => {
    if (window.__firstRender === null && ready()) { window.__firstRender = performance.now(); observer.disconnect(); }
  });
  observer.observe(document, {subtree: true, childList: true, characterData: true, attributes: true,
                              attributeFilter: ['data-test-script-state']});
})();
""" % json.dumps([list(c) for c in conditions])
