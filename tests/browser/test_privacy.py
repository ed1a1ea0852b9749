"""Two people on one shared server without sign-in (started with --server.address 0.0.0.0 and no
other setting): the second sees nothing of the first's notebook on any page, and none of the
first's keys reaches the second's page; a resume link opens its one assessment only."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from benchmarks.common import LiveServer

from .helpers import QUICK, screenshot, wait_idle, wait_saved

SECRET_NOTE = "Our funder overrides every decision zq81"
SECRET_PARTNERSHIP = "Harbourside Alliance qx42"


@pytest.fixture(scope="module")
def shared(tmp_path_factory, chromium):
    folder = tmp_path_factory.mktemp("shared")
    live = LiveServer(data_dir=folder / "data", log=folder / "streamlit.log", address="0.0.0.0")
    yield live
    live.stop()


def new_page(chromium):
    context = chromium.new_context(viewport={"width": 1280, "height": 1600})
    page = context.new_page()
    page.set_default_timeout(20_000)
    return context, page


def params(page) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}


def test_a_second_person_on_a_shared_server_sees_nothing_of_the_first(chromium, shared):
    first_context, first = new_page(chromium)
    first.goto(shared.url)
    wait_idle(first)
    first.get_by_text("On a shared server, without sign-in").wait_for()
    first.get_by_role("button", name="Take the quick check").click()
    principle = QUICK.principles[0]
    statement = principle.statements[0]
    first.get_by_role("radiogroup", name=statement.text, exact=True).get_by_text(
        QUICK.scale.points[1].label, exact=True).click()
    wait_saved(first, statement)
    first.get_by_label("Your note on this principle").fill(SECRET_NOTE)
    first.get_by_label("Your note on this principle").press("Tab")
    wait_idle(first)
    first.get_by_text("Save and come back later").click()
    first.get_by_role("textbox", name="Partnership").fill(SECRET_PARTNERSHIP)
    first.get_by_role("textbox", name="Partnership").press("Tab")
    wait_idle(first)
    keys = params(first)
    notebook_key, resume = keys["n"], keys["a"]
    first.get_by_role("link", name="Notebook").click()
    first.get_by_text(SECRET_PARTNERSHIP).wait_for()  # the first person sees their own
    first.get_by_role("tab", name="Action plan").click()
    first.get_by_label("Action", exact=True).fill("Ask the funder to step back zq81")
    first.get_by_role("button", name="Add action").click()
    first.get_by_text("Ask the funder to step back zq81").wait_for()
    assert params(first)["n"] == notebook_key  # the notebook key stays in the URL from page to page

    second_context, second = new_page(chromium)
    secrets = (notebook_key, resume, SECRET_NOTE, SECRET_PARTNERSHIP, "zq81")
    for path in ("", "check", "results", "notebook", "facilitate", "studio", "backup"):
        second.goto(f"{shared.url}/{path}")
        wait_idle(second)
        if path == "notebook":
            second.get_by_text("No saved assessments yet").wait_for()
            for tab in ("Compare", "Trend", "Action plan", "Board reviews"):
                second.get_by_role("tab", name=tab).click()
                wait_idle(second)
                html = second.content()
                assert not [s for s in secrets if s in html], tab
            screenshot(second, "privacy-second-notebook")
        html = second.content()
        assert not [s for s in secrets if s in html], path
        assert second.get_by_role("link", name="Backup").count() == 0  # only for the local person or admins
    # /backup typed by hand: not a page here (Streamlit says so and shows Home)
    assert "Download the backup" not in second.content() and "Restore from a backup" not in second.content()

    # The resume link opens that one assessment, and nothing else of the first notebook.
    second.goto(f"{shared.url}/check?a={resume}")
    wait_idle(second)
    group = second.get_by_role("radiogroup", name=statement.text, exact=True)
    assert group.get_by_role("radio", name=QUICK.scale.points[1].label, exact=True).is_checked()
    assert params(second)["n"] != notebook_key
    second.get_by_role("link", name="Notebook").click()
    second.get_by_text("No saved assessments yet").wait_for()
    second.get_by_role("tab", name="Action plan").click()
    wait_idle(second)
    assert "zq81" not in second.content() and notebook_key not in second.content()

    # A wrong notebook key: one plain "not found", and nothing of anyone's.
    second.goto(f"{shared.url}/notebook?n={'x' * 32}")
    second.get_by_text("That notebook link was not found").wait_for()
    assert "zq81" not in second.content()
    # The first person comes back with their notebook link in a fresh browser.
    third_context, third = new_page(chromium)
    third.goto(f"{shared.url}/notebook?n={notebook_key}")
    third.get_by_text(SECRET_PARTNERSHIP).wait_for()
    for context in (first_context, second_context, third_context):
        context.close()
