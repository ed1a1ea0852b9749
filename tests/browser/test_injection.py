"""Hostile text in a real browser: a board review and a saved assessment whose names, roles,
actions and notes hold HTML, script, javascript: links and Markdown are shown as typed, and no
script runs (no window.__pwned, no dialog, no injected <script> or <img>, no javascript: link).
The same pages, present mode and the exports are checked element by element in tests/test_injection.py."""

from __future__ import annotations

import uuid

from playwright.sync_api import expect
from sqlalchemy.engine import URL

from joiningforces.board import Reviews
from joiningforces.storage import Store
from joiningforces.storage.store import SQLITE_FILE
from tests.helpers import QUICK, QUICK_TEXT
from tests.payloads import (FORMULA, GROUP, IMG, JS_LINK, LONG, MARKDOWN, OWNER, PROMPT, ROLES, SCRIPT, TITLE,
                            hostile_rubric_text)

from .helpers import wait_idle


# Anything the payloads could have planted in the page, and whether one of them ran.
PLANTED = """() => ({
  pwned: window.__pwned,
  scripts: [...document.querySelectorAll('[data-testid="stApp"] script')].length
           + [...document.scripts].filter(s => s.textContent.includes('__pwned')).length,
  images: document.querySelectorAll('img[src="x"], [onerror], [onclick], [onload]').length,
  jsLinks: [...document.querySelectorAll('[href], [src], [action], [formaction]')].filter(e =>
      ['href', 'src', 'action', 'formaction'].some(a =>
          (e.getAttribute(a) || '').replace(/\\s/g, '').toLowerCase().startsWith('javascript:'))).length,
})"""


def server_store(server) -> Store:
    """The live server's own database (its SQLite file), to set up what the pages will show."""
    server.data_dir.mkdir(parents=True, exist_ok=True)  # made by the server's first page otherwise
    return Store(URL.create("sqlite", database=str(server.data_dir / SQLITE_FILE)))


def watch(page) -> list[str]:
    """Record (and dismiss) any alert, confirm or prompt: a payload that ran would likely open one."""
    dialogs: list[str] = []

    def seen(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", seen)
    return dialogs


def nothing_ran(page, dialogs: list[str]) -> None:
    wait_idle(page)
    assert page.evaluate(PLANTED) == {"pwned": None, "scripts": 0, "images": 0, "jsLinks": 0}
    assert dialogs == []


def test_a_hostile_board_review_is_shown_as_text_and_runs_nothing(page, server):
    store = server_store(server)
    reviews = Reviews(store)
    partnership = f"{FORMULA} {SCRIPT} {uuid.uuid4().hex[:8]}"
    made = reviews.create_review(title=TITLE, partnership=partnership, roles=list(ROLES),
                                 rubric_hash=store.snapshot_rubric(hostile_rubric_text()))
    ft = made.facilitator_token
    reviews.set_role_groups(ft, {"r-at": GROUP, "r-markdown": GROUP})
    own = None
    for role, value in [("r-formula", 5)] * 3 + [("r-script", 1)] * 3:
        me = reviews.join(made.participant_token, role)
        reviews.set_answers(me.token, {"trust-1": value, "trust-2": 6 - value, "purpose-1": value})
        own = own or me.token
    for payload in (SCRIPT, IMG, JS_LINK, MARKDOWN):
        reviews.add_action(ft, "trust", payload, owner=OWNER)
    dialogs = watch(page)

    # The shared link: title, partnership and every role as typed.
    page.goto(f"{server.url}/review?p={made.participant_token}")
    page.get_by_role("heading", name=TITLE).wait_for()
    page.get_by_text(partnership).wait_for()
    roles = page.get_by_role("radiogroup", name="Your role in the partnership")
    for label in ROLES.values():
        roles.get_by_text(label, exact=True).wait_for()
    nothing_ran(page, dialogs)

    # A participant's own page and the group's results: the role groups compared by name.
    page.goto(f"{server.url}/review?t={own}")
    page.get_by_role("heading", name=TITLE).wait_for()
    page.get_by_text(f"your role: {FORMULA}").wait_for()
    page.get_by_role("radio", name="Results").click()
    page.get_by_text(f"lowest {SCRIPT} (").first.wait_for()
    page.get_by_text(PROMPT).first.wait_for()
    nothing_ran(page, dialogs)
    page.get_by_text("Your private link, your role, leaving").click()
    expect(page.get_by_role("combobox", name="Your role")).to_have_value(FORMULA)  # as typed, no backslashes

    # The facilitator's dashboard: hidden groups, actions, and a chart tooltip naming a role group.
    page.goto(f"{server.url}/facilitate?f={ft}")
    page.get_by_role("heading", name=TITLE).wait_for()
    page.get_by_text(f"{GROUP}: fewer than 3 answers", exact=True).wait_for()
    for payload in (SCRIPT, IMG, JS_LINK, MARKDOWN):
        page.get_by_text(f"Trust and no surprises: {payload} (owner {OWNER}, open)", exact=True).wait_for()
    point = page.locator(f'[data-testid="stVegaLiteChart"] svg [aria-label^="series: {SCRIPT}; "]').first
    point.hover()
    tooltip = page.locator("#vg-tooltip-element")
    tooltip.get_by_text(SCRIPT, exact=True).wait_for()
    assert tooltip.locator("script, img").count() == 0
    nothing_ran(page, dialogs)

    # What the facilitator types is shown as typed too.
    typed = f"{IMG} typed {JS_LINK}"
    page.get_by_role("textbox", name="What will be done").fill(typed)
    page.get_by_role("textbox", name="Owner").fill(MARKDOWN)
    page.get_by_role("button", name="Add action").click()
    page.get_by_text(f": {typed} (owner {MARKDOWN}, open)").wait_for()
    nothing_ran(page, dialogs)


def test_a_hostile_saved_assessment_is_shown_as_text_and_runs_nothing(page, server):
    store = server_store(server)
    partnership = f"{MARKDOWN} {IMG} {uuid.uuid4().hex[:8]}"
    respondent = f"{JS_LINK} {SCRIPT}"
    made = store.create_assessment(rubric_hash=store.snapshot_rubric(QUICK_TEXT), partnership=partnership,
                                   respondent=respondent)
    first, second = QUICK.principles[:2]
    store.set_answers(made.id, {s.id: (5 if s.reverse else 1) for s in first.statements + second.statements})
    store.set_note(made.id, first.id, f"{SCRIPT} {JS_LINK}")
    store.set_note(made.id, second.id, LONG)
    for payload in (IMG, JS_LINK, MARKDOWN, FORMULA):
        store.add_action(partnership, first.id, payload, owner=SCRIPT, assessment_id=made.id)
    dialogs = watch(page)

    # The results, opened with the resume link: the notes in their boxes, whole.
    page.goto(f"{server.url}/results?a={made.link}")
    page.get_by_role("heading", name="Notes").wait_for()
    expect(page.get_by_role("textbox", name=first.title)).to_have_value(f"{SCRIPT} {JS_LINK}")
    expect(page.get_by_role("textbox", name=second.title)).to_have_value(LONG)
    nothing_ran(page, dialogs)

    # The notebook, in the same session: the listing and the partnership's action plan.
    page.get_by_role("link", name="Notebook").click()
    page.get_by_role("heading", name="Notebook").wait_for()
    page.get_by_role("textbox", name="Search").fill(partnership)
    page.get_by_role("textbox", name="Search").press("Enter")
    row = page.locator('[data-testid="stMarkdownContainer"]', has_text=partnership).first
    row.wait_for()
    assert f"{partnership} · {respondent}\n" in row.inner_text()  # as typed: no markup, no backslashes
    page.get_by_role("tab", name="Action plan").click()
    plan = page.get_by_role("tabpanel", name="Action plan")
    plan.get_by_text(f"{first.title} · {SCRIPT}").first.wait_for()
    wait_idle(page)
    shown = plan.locator('[data-testid="stMarkdownContainer"]').all_inner_texts()
    for payload in (IMG, JS_LINK, MARKDOWN, FORMULA):
        assert f"{payload}\n{first.title} · {SCRIPT}" in shown, payload
    nothing_ran(page, dialogs)
