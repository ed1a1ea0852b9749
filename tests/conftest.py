"""Fixtures every test module may use: a data folder per test, the small example rubric, fresh
databases on SQLite and PostgreSQL, the data behind download buttons. Plain helpers and constants
are in helpers.py, the AppTest factory in apptest.py, hostile text in payloads.py.

Markers: `browser` (tests/browser and the benchmarks that drive Chromium: set here) and `bench`
(the benchmark smoke runs). The fast lane for local work is `pytest -m "not browser and not bench"`
(tests/README.md)."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pytest

from joiningforces.loader import load_rubric
from joiningforces.models import Rubric
from joiningforces.board import Reviews
from joiningforces.storage import Store
from joiningforces.storage.store import DATA_DIR_ENV
from tests.helpers import BACKENDS, FAIRNESS, SMALL, SMALL_PATH, Databases

# Outside any test (collection, say) the app would save to ./data: keep that out of the checkout too.
os.environ.setdefault(DATA_DIR_ENV, tempfile.mkdtemp(prefix="joiningforces-test-data-"))

BROWSER_TESTS = Path(__file__).parent / "browser"


def pytest_collection_modifyitems(items):
    for item in items:
        if item.path.is_relative_to(BROWSER_TESTS):
            item.add_marker(pytest.mark.browser)


# --- the app's data folder: one per test -----------------------------------------------------


def forget_the_app_store() -> None:
    """Drop the app's per-process store (st.cache_resource in ui/resources.py), so that the next
    app run opens the database of the data folder set now. AppTest runs the app in this process."""
    resources = sys.modules.get("ui.resources")
    if resources is not None:
        resources.store.clear()
        resources.reviews.clear()


@pytest.fixture(scope="module")
def module_data(tmp_path_factory):
    """One data folder for a whole module: for module-scoped fixtures that save what several of the
    module's tests read (a review with answers, say). A test that uses them runs in this folder."""
    folder = tmp_path_factory.mktemp("module-data")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(DATA_DIR_ENV, str(folder))
        forget_the_app_store()
        yield folder
    forget_the_app_store()


@pytest.fixture(autouse=True)
def data_folder(request, tmp_path_factory, monkeypatch) -> Path:
    """Every test saves into a data folder of its own ($JOININGFORCES_DATA_DIR), with the app's
    store opened afresh: no test sees what another saved. Tests using `module_data` share their
    module's folder instead."""
    if "module_data" in request.fixturenames:
        folder = request.getfixturevalue("module_data")
    else:
        folder = tmp_path_factory.mktemp("data")
        monkeypatch.setenv(DATA_DIR_ENV, str(folder))
    forget_the_app_store()
    yield folder
    forget_the_app_store()


# --- rubrics ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def small_rubric_path() -> Path:
    return SMALL_PATH


@pytest.fixture(scope="session")
def small_rubric_text() -> str:
    return SMALL


@pytest.fixture(scope="session")
def small_rubric(small_rubric_text: str) -> Rubric:
    return load_rubric(small_rubric_text)


@pytest.fixture(scope="session")
def three_rubric(small_rubric_text: str) -> Rubric:
    """The small rubric plus a third principle, 'fairness' (element relationships, fair-2 reversed),
    and a fourth practice 'open-books' that helps fairness and trust."""
    return load_rubric(small_rubric_text + FAIRNESS)


# --- databases -------------------------------------------------------------------------------


@pytest.fixture(params=BACKENDS)
def dbs(request, tmp_path):
    """Fresh databases on SQLite, and on PostgreSQL ($JOININGFORCES_TEST_PG_URL; skipped with a
    reason when unset), each PostgreSQL one in its own schema, dropped after the test."""
    databases = Databases(request.param, tmp_path)
    yield databases
    databases.cleanup()


@pytest.fixture
def url(dbs) -> str:
    return dbs.new()


@pytest.fixture
def store(url):
    with Store(url) as s:
        yield s


@pytest.fixture
def small(store) -> str:
    """The small example rubric's snapshot (hash) in `store`."""
    return store.snapshot_rubric(SMALL)


@pytest.fixture
def reviews(store) -> Reviews:
    return Reviews(store)


# --- the app's downloads ---------------------------------------------------------------------


@pytest.fixture
def downloads(monkeypatch):
    """The data behind the app's download buttons, by file name: bytes, or the callable a click
    on a deferred download would run."""
    from streamlit.runtime.media_file_manager import MediaFileManager

    captured = {}
    add, add_deferred = MediaFileManager.add, MediaFileManager.add_deferred

    def capture(self, data, mimetype, coordinates, file_name=None, **kwargs):
        if file_name:
            captured[file_name] = data
        return add(self, data, mimetype, coordinates, file_name, **kwargs)

    def capture_deferred(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        if file_name:
            captured[file_name] = data_callable
        return add_deferred(self, data_callable, mimetype, coordinates, file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add", capture)
    monkeypatch.setattr(MediaFileManager, "add_deferred", capture_deferred)
    return captured
