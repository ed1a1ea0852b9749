"""Rubric 2.0 in Chromium: a trainer sees the studio's warnings; a 1.0 assessment opens on 1.0 from its
link; the notebook compares it with a 2.0 one and says where the rubric changed."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

from playwright.sync_api import expect

from joiningforces.library import default_rubric
from joiningforces.storage import Store
from tests.helpers import QUICK_TEXT, SMALL_PATH, quick_2_0_answers, save_1_0

from .helpers import click_and_wait, open_studio, screenshot, upload, wait_idle


def store_of(server) -> Store:
    """The live server's own notebook (the app opens it in its data folder, made on first use)."""
    server.data_dir.mkdir(parents=True, exist_ok=True)
    return Store(f"sqlite:///{server.data_dir / 'joiningforces.sqlite3'}")


def test_studio_shows_warnings_beside_a_usable_rubric(page, server):
    open_studio(page, server)
    upload(page, SMALL_PATH.read_text(encoding="utf-8"), name="two-principles.toml")
    page.get_by_text("two-principles.toml is a valid rubric").wait_for()
    page.get_by_text(re.compile(r"Warning, line \d+: the rubric has 2 principles; a radar chart needs at least 3"))\
        .wait_for()
    page.get_by_text(re.compile(r"principle 'shared-purpose' has no reverse-scored statement")).wait_for()
    wait_idle(page)
    screenshot(page, "rubric-2-studio-warnings")


def choose_assessment(page, widget: str, partnership: str) -> None:
    """Pick the assessment of `partnership` in the Before or After box, typing to filter the list."""
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text=widget).first
    wait_idle(page)
    box.locator("input").first.click()
    page.keyboard.type(partnership)
    click_and_wait(page.get_by_role("option", name=re.compile(re.escape(partnership))).first)
    expect(box.get_by_role("combobox")).to_have_value(re.compile(re.escape(partnership)))


def test_a_1_0_assessment_opens_on_1_0_and_compares_with_2_0(page, server):
    store = store_of(server)
    tag = uuid.uuid4().hex[:6]
    old_name, new_name = f"Old Harbour {tag}", f"New Harbour {tag}"
    old = save_1_0(store, "quick-check", old_name)
    text = QUICK_TEXT
    new = store.create_assessment(rubric_hash=store.snapshot_rubric(text), partnership=new_name,
                                  created=datetime(2025, 6, 1, tzinfo=UTC))
    store.set_answers(new.id, quick_2_0_answers(4))
    # A newer assessment of another partnership, so that neither box shows ours unless chosen.
    other = store.create_assessment(rubric_hash=store.snapshot_rubric(text), partnership=f"Elsewhere {tag}")
    store.set_answers(other.id, quick_2_0_answers(2))

    # The resume link brings back the 1.0 questions and results, with the old principle.
    page.goto(f"{server.url}/results?a={store.replace_link(old)}")  # its private resume link
    page.get_by_role("heading", name="Your results").wait_for()
    page.get_by_text(re.compile(r"version 1\.0 · 21 of 24 statements answered")).wait_for()
    page.get_by_text("Putting relationships first: 3.5 (Borderline), from 1 principle").wait_for()
    page.get_by_role("cell", name="Shared leadership at every level").first.wait_for()
    wait_idle(page)
    screenshot(page, "rubric-2-old-results")

    page.goto(f"{server.url}/notebook")
    wait_idle(page)
    page.get_by_role("tab", name="Compare").click()
    choose_assessment(page, "Before", old_name)
    choose_assessment(page, "After", new_name)
    page.get_by_text(re.compile(r"The rubric changed between these two: 'Joining forces — quick check' version "
                                r"1\.0, then 'Joining forces — quick check' version 2\.0")).wait_for()
    page.get_by_role("columnheader", name="Rubric changed").wait_for()
    trust = default_rubric("quick-check").principle("trust").title
    row = page.get_by_role("row").filter(has_text=trust).first
    # Waited for, not read at once: the rerun for the After box may still be drawing the table.
    expect(row).to_have_text(re.compile(r"3\.5\s*4\.0\s*\+0\.5\s*other statements"), timeout=20_000)
    screenshot(page, "rubric-2-compare")
