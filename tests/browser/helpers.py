"""What the browser tests share: waiting for Streamlit's script runs, screenshots, accessibility
checks, and the steps several tests take (a board review created and joined; the rubric studio).
Fixtures (the server, Chromium, a page per test) are in conftest.py.

Waiting for a run. Streamlit publishes its state on the root element: `data-test-script-state`
is "running" while the script runs and "notRunning" once it is done. `wait_idle` waits for
"notRunning", which is right after `page.goto` but not after a click: the click's run may not
have started yet, and then the old page passes. Streamlit's own e2e suite (e2e_playwright,
`wait_for_app_run`) pauses a little first for that reason; the attribute alone cannot tell runs
apart either (a short run can start and end between two renders, never showing "running"). So
`watch_runs` counts the runs that finish from Streamlit's own messages on the page's websocket
(a ForwardMsg `script_finished`), and `click_and_wait` waits until a run has finished after the
click. A click that starts no run fails there, loudly, instead of passing.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from joiningforces.library import default_rubric
from tests.helpers import THREE_TEXT, replace_once

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
QUICK = default_rubric("quick-check")

_RUN_DONE = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR,
             ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}  # not FINISHED_EARLY_FOR_RERUN: another run follows
_AFTER_PENDING_TASKS = "() => new Promise(done => requestAnimationFrame(() => setTimeout(done, 0)))"


def watch_runs(page) -> None:
    """Count the script runs that finish in `page` (from its first navigation on): every page of
    the `chromium` fixture's contexts is watched."""
    page.finished_runs = 0

    def frame(payload) -> None:
        if isinstance(payload, bytes):
            try:
                message = ForwardMsg.FromString(payload)
            except Exception:  # not a message of Streamlit's
                return
            if message.WhichOneof("type") == "script_finished" and message.script_finished in _RUN_DONE:
                page.finished_runs += 1

    page.on("websocket", lambda socket: socket.on("framereceived", frame))


def wait_idle(page) -> None:
    """Wait until no script run is going on (after `page.goto`, say). After a click that starts a
    run, use `click_and_wait`: this may pass before that run starts."""
    page.wait_for_selector(IDLE, state="attached")


def click_and_wait(locator, timeout: float = 30.0) -> None:
    """Click, then wait for the script run the click started to finish and be drawn."""
    page = locator.page
    assert hasattr(page, "finished_runs"), "click_and_wait needs a page of the chromium fixture (watch_runs)"
    wait_idle(page)  # a run still going on from before would otherwise count as this click's
    before = page.finished_runs
    locator.click()
    deadline = time.monotonic() + timeout
    while page.finished_runs <= before:
        assert time.monotonic() < deadline, f"no script run finished within {timeout} s of the click"
        page.wait_for_timeout(25)  # Playwright delivers the websocket's messages meanwhile
    page.evaluate(_AFTER_PENDING_TASKS)  # the page has handled the messages that came with it
    wait_idle(page)


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


# --- choosing in select boxes ------------------------------------------------------------------


def pick(page, widget_label: str, option, *, reruns: bool = True) -> None:
    """Choose an option (its label, or a pattern) of the selectbox or multiselect labelled
    `widget_label`. Choosing reruns the script unless the widget is in a form (`reruns=False`)."""
    wait_idle(page)
    page.locator('[data-testid="stSelectbox"], [data-testid="stMultiSelect"]').filter(has_text=widget_label) \
        .first.locator("input").first.click()
    choice = page.get_by_role("option", name=option, exact=isinstance(option, str)).first
    if reruns:
        click_and_wait(choice)
    else:
        choice.click()


# --- a board review ----------------------------------------------------------------------------

PURPOSE = QUICK.principles[0]
FIRST = PURPOSE.statements[0]  # one of its two statements is enough to score the principle
LAPTOP = {"width": 1400, "height": 1800}
PHONE = {"width": 390, "height": 2200}


def choose(page, statement, label: str) -> None:
    page.get_by_role("radiogroup", name=statement.text, exact=True).get_by_text(label, exact=True).click()


def create_review(page, url: str) -> tuple[str, str]:
    """The facilitator creates "Harbour board review" of the quick check (two roles, one link for
    everyone); returns the participant link and the facilitator link."""
    page.goto(f"{url}/facilitate")
    wait_idle(page)
    page.get_by_role("heading", name="Start a board review").wait_for()
    pick(page, "Rubric", f"{QUICK.title} ({len(QUICK.statements)} statements)")
    page.get_by_text(f"{len(QUICK.statements)} statements in {len(QUICK.principles)} principles").wait_for()
    page.get_by_role("textbox", name="Title").fill("Harbour board review")
    page.get_by_role("textbox", name="Partnership").fill("Harbour Trust")
    pick(page, "Roles people can choose from", "Funder or commissioner", reruns=False)  # in a form
    pick(page, "Roles people can choose from", "Smaller or community partner", reruns=False)
    page.keyboard.press("Escape")  # closes the list of roles
    page.get_by_role("option", name="Board member or trustee").wait_for(state="detached")
    page.get_by_text("One link shared with everyone").click()
    screenshot(page, "review-00-create")
    click_and_wait(page.get_by_role("button", name="Create review"))
    page.get_by_role("heading", name="Harbour board review").wait_for()
    page.wait_for_url("**/facilitate?f=*")
    page.get_by_text("Links and invitations").click()  # closed unless opened
    codes = page.locator('[data-testid="stCode"]')
    codes.first.wait_for()
    texts = [c.inner_text() for c in codes.all()]
    participant = next(m.group(0) for t in texts if (m := re.search(r"\S+/review\?p=\S+", t)))
    facilitator = next(m.group(0) for t in texts if (m := re.search(r"\S+/facilitate\?f=\S+", t)))
    assert facilitator == page.url
    return participant, facilitator


def take_part(context, link: str, role: str, label: str, name: str | None = None) -> str:
    """A participant joins with `link` in their own browser context and rates the first statement."""
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(link)
    wait_idle(page)
    page.get_by_text("Your answers are private.").wait_for()
    if name:
        screenshot(page, f"{name}-join")
    page.get_by_role("radiogroup", name="Your role in the partnership").get_by_text(role, exact=True).click()
    page.get_by_role("button", name="Start").click()
    page.get_by_role("heading", name=PURPOSE.title).wait_for()
    page.wait_for_url("**/review?t=*")
    choose(page, FIRST, label)
    wait_saved(page, FIRST)
    if name:
        wait_idle(page)
        screenshot(page, name)
    return page.url


def sees_only_not_found(page, link: str) -> None:
    from joiningforces.storage import LINK_NOT_FOUND

    page.goto(link)
    wait_idle(page)
    page.get_by_text(LINK_NOT_FOUND).wait_for()
    main = page.locator('[data-testid="stMain"]')
    assert "Harbour" not in main.inner_text()
    assert page.get_by_role("radiogroup").count() == 0 and page.get_by_role("button", name="Start").count() == 0


# --- the rubric studio -------------------------------------------------------------------------

WORKSHOP = replace_once(THREE_TEXT, 'title = "Small example"', 'title = "Autumn workshop check"')  # three principles


def open_studio(page, server) -> None:
    page.goto(f"{server.url}/studio")
    page.get_by_role("heading", name="Rubric studio").wait_for()
    wait_idle(page)


def upload(page, text: str, name: str = "workshop.toml") -> None:
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        files=[{"name": name, "mimeType": "application/toml", "buffer": text.encode("utf-8")}])
