"""Saved assessments in the browser: reload, resume on another device, server restart, actions."""

import signal



from benchmarks.common import LiveServer

from .helpers import QUICK, click_and_wait, screenshot, wait_idle, wait_saved

FIRST, SECOND = QUICK.principles[0].statements


def start_quick_check(page, url: str) -> None:
    page.goto(url)
    wait_idle(page)
    page.get_by_role("button", name="Take the quick check").click()
    page.get_by_role("heading", name=QUICK.principles[0].title).wait_for()


def choose(page, statement, label: str) -> None:
    page.get_by_role("radiogroup", name=statement.text, exact=True).get_by_text(label, exact=True).click()


def checked_label(page, statement) -> str | None:
    group = page.get_by_role("radiogroup", name=statement.text, exact=True)
    group.wait_for()
    checked = group.locator("input[type=radio]:checked")
    if not checked.count():
        return None
    return checked.locator("xpath=ancestor::label").inner_text().strip()


def answer_two(page) -> str:
    choose(page, FIRST, "Agree")
    wait_saved(page, FIRST)
    choose(page, SECOND, "Strongly disagree")
    wait_saved(page, SECOND)
    wait_idle(page)
    page.wait_for_url("**a=*")
    return page.url


def test_reload_and_resume_link_on_another_device(page, server, chromium):
    start_quick_check(page, server.url)
    link = answer_two(page)
    page.reload()
    wait_idle(page)
    page.get_by_role("heading", name=QUICK.principles[0].title).wait_for()
    assert checked_label(page, FIRST) == "Agree"
    assert checked_label(page, SECOND) == "Strongly disagree"

    other = chromium.new_context(viewport={"width": 390, "height": 1600})  # a phone, no shared state
    try:
        phone = other.new_page()
        phone.goto(link)
        wait_idle(phone)
        assert checked_label(phone, FIRST) == "Agree"
        screenshot(phone, "notebook-resumed-on-phone")
    finally:
        other.close()


def test_nothing_answered_is_lost_when_the_server_is_killed(chromium, tmp_path):
    server = LiveServer(data_dir=tmp_path / "data", log=tmp_path / "first.log")
    context = chromium.new_context(viewport={"width": 1400, "height": 1800})
    try:
        page = context.new_page()
        page.set_default_timeout(20_000)
        start_quick_check(page, server.url)
        link = answer_two(page)
        server.process.send_signal(signal.SIGKILL)
        server.process.wait(10)
        restarted = LiveServer(data_dir=tmp_path / "data", log=tmp_path / "second.log")
        try:
            page.goto(link.replace(server.url, restarted.url))
            wait_idle(page)
            assert checked_label(page, FIRST) == "Agree"
            assert checked_label(page, SECOND) == "Strongly disagree"
        finally:
            restarted.stop()
    finally:
        context.close()
        if server.process.poll() is None:
            server.stop()


def test_compare_and_complete_an_action(page, server):
    for label in ("Strongly disagree", "Strongly agree"):
        start_quick_check(page, server.url)
        choose(page, FIRST, label)
        wait_saved(page, FIRST)
        page.get_by_text("Save and come back later").click()
        page.get_by_role("textbox", name="Partnership").fill("Browser Bay Partnership")
        page.get_by_role("textbox", name="Partnership").press("Enter")
        wait_idle(page)
        page.context.clear_cookies()
        page.goto("about:blank")

    page.goto(f"{server.url}/notebook")
    wait_idle(page)
    page.get_by_role("tab", name="Compare").click()
    page.locator('[data-testid="stVegaLiteChart"] svg [aria-label*="series: Before"]').first.wait_for()
    page.locator('[data-testid="stVegaLiteChart"] svg [aria-label*="series: After"]').first.wait_for()
    screenshot(page, "notebook-compare")

    page.get_by_role("tab", name="Action plan").click()
    page.get_by_role("textbox", name="Action", exact=True).fill("Agree a no-surprises rule at the next board")
    page.get_by_role("textbox", name="Owner").fill("Chair")
    page.get_by_role("button", name="Add action").click()
    page.get_by_text("Agree a no-surprises rule at the next board").wait_for()
    wait_idle(page)
    status = page.locator('[data-testid="stSelectbox"]').filter(has_text="Status").last
    status.click()
    click_and_wait(page.get_by_role("option", name="done"))  # saved by its run, before the reload
    page.reload()
    wait_idle(page)
    page.get_by_role("tab", name="Action plan").click()
    page.get_by_text("Agree a no-surprises rule at the next board").wait_for()
    status = page.locator('[data-testid="stSelectbox"]').filter(has_text="Status").last
    assert "done" in (status.inner_text() + " " + status.locator("input").first.input_value())
