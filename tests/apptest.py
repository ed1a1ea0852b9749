"""The AppTest factory the app tests share, and helpers that drive the app's pages through it.

Each test has its own data folder (the autouse `data_folder` fixture in conftest.py), so the app
a test opens here starts with an empty notebook unless the test (or its module's `module_data`
fixture) put something there."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.helpers import QUICK, ROOT

__all__ = ["ROOT", "QUICK", "new_app", "follow_the_app", "studio_app", "upload", "start_quick",
           "answer_quick_check"]


def new_app(page: str | None = None, /, *, session_state: dict | None = None, **query) -> AppTest:
    """The whole app (app.py) with these query parameters, run once: on the home page, or with
    `page` (say "pages/facilitate.py") straight on that page, as a link to it opens it. Before the
    first run AppTest finds a page by file name, which matches its url_path. `session_state` is
    what the session holds before its first run."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    for key, value in (session_state or {}).items():
        at.session_state[key] = value
    return at.switch_page(page).run() if page else at.run()


def follow_the_app(at: AppTest) -> AppTest:
    """From now on rerun whichever page the app last went to (st.switch_page), as a browser does.

    AppTest.switch_page pins every later run to that page; its empty request means "stay on the
    page the last run finished on", which is what a person clicking through the app gets."""
    at._page_hash = ""
    return at


def studio_app() -> AppTest:
    """The rubric studio, reached from the home page."""
    at = new_app()
    at.switch_page("pages/studio.py").run()
    assert not at.exception
    return follow_the_app(at)


def upload(at: AppTest, content: str | bytes, name: str = "workshop.toml") -> AppTest:
    """Upload a rubric file into the page's (first) file uploader."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    at.get("file_uploader")[0].upload(name, data, "application/toml").run()
    assert not at.exception
    return at


def start_quick(at: AppTest) -> AppTest:
    at.button(key="start-quick").click().run()
    return at


def answer_quick_check(at: AppTest, value_for) -> AppTest:
    """Answer every statement of the quick check step by step, through the Next buttons."""
    for step, principle in enumerate(QUICK.principles):
        for statement in principle.statements:
            at.radio(key=f"answer-quick-check-{statement.id}").set_value(value_for(statement)).run()
        if step < len(QUICK.principles) - 1:
            at.button(key="next").click().run()
    return at
