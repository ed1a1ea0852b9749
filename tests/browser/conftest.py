"""A live Streamlit server and Debian's Chromium, driven by Playwright.

Modelled on datasette's live-server fixture: one server per test session on a free port, polled
until healthy; one browser; a fresh context (cookies, storage, downloads) per test.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from benchmarks.common import LiveServer  # one live-server for the browser tests and the benchmarks

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def pytest_collection_modifyitems(items):
    for item in items:
        if "browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("JOININGFORCES_REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package")
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium to run the browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def server(tmp_path_factory, chromium):
    folder = tmp_path_factory.mktemp("server")
    live = LiveServer(data_dir=folder / "data", log=folder / "streamlit.log")
    yield live
    live.stop()


@pytest.fixture
def page(chromium, server, request):
    context = chromium.new_context(viewport={"width": 1400, "height": 1800}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    if request.node.rep_call.failed if hasattr(request.node, "rep_call") else False:
        page.screenshot(path=ARTIFACTS / f"{request.node.name}-failed.png")
    context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def wait_idle(page) -> None:
    """Wait until Streamlit has finished its script run."""
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', state="attached")


def wait_saved(page, statement) -> None:
    """Wait for the "Saved" mark a questionnaire shows under a statement once its rating is stored."""
    page.locator(f".st-key-saved-{statement.id}").get_by_text("Saved").wait_for()
    wait_idle(page)


def results_radar(page) -> dict[str, float]:
    """Principle title -> score, read from the alt text of the results page's radar (an SVG image
    drawn on the server; the alt text carries every point's label)."""
    image = page.locator('[data-testid="stImage"] img[alt^="Radar chart"]').first
    image.wait_for()
    wait_idle(page)
    return {title: float(value) for title, value in
            re.findall(r"principle: (.+?); score: ([\d.]+);", image.get_attribute("alt"))}


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)


def serious_accessibility_problems(page) -> list[str]:
    """axe-core's serious and critical findings on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes'][:3]]}"
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
