"""A live Streamlit server and Debian's Chromium, driven by Playwright.

Modelled on datasette's live-server fixture: one server per test session on a free port, polled
until healthy; one browser; a fresh context (cookies, storage, downloads) per test. Every test
here is marked `browser` (tests/conftest.py). Helpers (waiting for runs, screenshots) are in
helpers.py."""

from __future__ import annotations

import os

import pytest

from benchmarks.common import LiveServer  # one live-server for the browser tests and the benchmarks

from .helpers import ARTIFACTS, watch_runs

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def chromium():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("JOININGFORCES_REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package")
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium to run the browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        new_context = browser.new_context

        def watched_context(*args, **kwargs):
            """A context whose every page counts its script runs (helpers.click_and_wait)."""
            context = new_context(*args, **kwargs)
            context.on("page", watch_runs)
            return context

        browser.new_context = watched_context
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
