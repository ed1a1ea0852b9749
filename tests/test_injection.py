"""Hostile text is shown as text everywhere: review titles, partnership and respondent names, role
names (the rubric's and the groups a facilitator names), action text and owners, and notes, on
every page that shows them (AppTest) and in every export (PDF, CSV, JSON).

"Shown as text" means: wherever Streamlit renders Markdown (body text, headings, captions, alerts,
widget labels, radio options, expander labels, table cells) the value went through `ui.plain`, so
Markdown shows it exactly as typed and never as a link, emphasis, a heading or HTML; wherever
Streamlit shows plain text (select box options, text inputs, code) it is the value itself, with no
stray backslashes. The PDFs draw the value literally; CSV cells that start with = + - @ (or a tab
or carriage return) get a leading apostrophe. Over-long values are refused with a clear message.
The browser test (tests/browser/test_injection.py) proves that no script runs.
"""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
from types import SimpleNamespace

import pytest
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

from ui.links import key_for
from joiningforces.access import LOCAL_OWNER
from joiningforces import exports
from joiningforces.scoring import score
from joiningforces.board import Reviews
from joiningforces.records import MAX_ACTION_TEXT, MAX_NAME, MAX_NOTE
from joiningforces.storage import ImportProblem, Store
from tests.apptest import new_app, studio_app, upload
from tests.helpers import QUICK, QUICK_TEXT
from tests.payloads import (AT, FORMULA, GROUP, IMG, JS_LINK, LONG, MARKDOWN, MINUS, OWNER, PAYLOADS, PLUS, PROMPT, ROLES,
                            SCRIPT, TITLE, XSS_SCRIPT, hostile_rubric_text, xss_rubric)
from ui import FOCUS_STYLE, PRESENT_STYLE, plain
from tests.shown import tables

RISKY_START = ("=", "+", "-", "@", "\t", "\r")
LONG_ACTION = (("Act <i>now</i> " * 200)[:MAX_ACTION_TEXT]).strip()  # the longest action the store takes

# Where Markdown would act if a value were not escaped: live HTML, a javascript: link, emphasis.
LIVE_MARKUP = [re.compile(r"(?<!\\)<(?:script|img|b|i)\b"), re.compile(r"(?<!\\)\]\(javascript:"),
               re.compile(r"(?<!\\)\*\*bold"), re.compile(r"(?<![\\\w])_x(?<!\\)_"),
               re.compile(r"(?m)^\s*#+\s+(?:heading|\\<)")]


def unique() -> str:
    return uuid.uuid4().hex[:8]


# ---------------------------------------------------------------------------------------------
# Reading what a page shows
# ---------------------------------------------------------------------------------------------

MARKDOWN_ELEMENTS = ("title", "header", "subheader", "markdown", "caption", "error", "warning", "info", "success")
LABELLED = ("button", "download_button", "radio", "selectbox", "multiselect", "text_input", "text_area", "toggle",
            "checkbox", "date_input", "number_input", "file_uploader", "metric", "expander", "tab")


def rendered(at: AppTest) -> list[str]:
    """Every string on the page that Streamlit renders as Markdown."""
    out = [e.value for kind in MARKDOWN_ELEMENTS for e in getattr(at, kind)]
    out += [node.label for kind in LABELLED for node in at.get(kind)]
    out += [option for radio in at.radio for option in radio.options]
    for frame in tables(at):
        out += [str(v) for v in frame.to_numpy().ravel()]
        out += [str(i) for i in frame.index] + [str(c) for c in frame.columns]
    return out


def plain_text(at: AppTest) -> list[str]:
    """Every string Streamlit shows as plain text: select box options, text box values, code."""
    out = [option for kind in ("selectbox", "multiselect") for w in at.get(kind) for option in w.options]
    out += [w.value or "" for kind in ("text_input", "text_area") for w in at.get(kind)]
    return out + [c.value for c in at.code]


def live_markup(text: str) -> list[str]:
    return [pattern.pattern for pattern in LIVE_MARKUP if pattern.search(text)]


def no_live_markup(at: AppTest) -> None:
    assert not at.exception, at.exception
    for text in rendered(at):
        assert not live_markup(text), f"unescaped markup {live_markup(text)} in {text[:300]!r}"
    assert not any(e.proto.allow_html for kind in ("markdown", "caption") for e in getattr(at, kind))
    assert {h.proto.body for h in at.get("html")} <= {FOCUS_STYLE, PRESENT_STYLE}  # no user text as HTML


def literal(markdown: str) -> str:
    """What CommonMark shows for text whose only Markdown is backslash escapes."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown)


def reads(text: str, value: str) -> bool:
    """Markdown `text` shows `value` exactly as typed: in it once escapes are read, with no live markup."""
    return value in literal(text) and not live_markup(text)


def shown_as_text(at: AppTest, *values: str) -> None:
    """Each value is on the page in Markdown, escaped so that it reads exactly as typed."""
    page = rendered(at)
    for value in values:
        assert any(reads(text, value) for text in page), f"{value[:80]!r} is not shown as typed on the page"


def offered_as_typed(at: AppTest, *values: str) -> None:
    """Each value is an option or text box value exactly as typed (plain text: no escaping)."""
    page = plain_text(at)
    for value in values:
        assert value in page, f"{value[:80]!r} is not offered as typed"
        if plain(value) != value:
            assert not any(plain(value) in text for text in page), f"{value[:80]!r} shows backslashes"


def pdf_text(pdf: bytes) -> str:
    """The PDF's text without its page footers (so text running over a page break reads on)."""
    lines = [line for page in PdfReader(io.BytesIO(pdf)).pages for line in page.extract_text().splitlines()
             if not re.search(r" · page \d+\s*$", line)]
    return re.sub(r"\s+", " ", "\n".join(lines))


def csv_cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def assert_spreadsheet_safe(text: str) -> None:
    for cell in csv_cells(text):
        assert not cell.startswith(RISKY_START), f"a spreadsheet would run {cell[:60]!r}"


def download(files: dict, suffix: str):
    [name] = [n for n in files if n and n.endswith(suffix)]
    data = files[name]
    return data() if callable(data) else data


# ---------------------------------------------------------------------------------------------
# ui.plain itself
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("payload", [*PAYLOADS.values(), LONG, "1. one\n2) two\n> quote\n- item\n=== \n$x$ ~s~ `c`"],
                         ids=[*PAYLOADS, "long", "blocks"])
def test_plain_escapes_every_payload_so_markdown_shows_it_as_typed(payload):
    for text in (payload, f"Before {payload} after", f"{payload}\n{payload}"):
        escaped = plain(text)
        assert literal(escaped) == text
        for pattern in LIVE_MARKUP:
            assert not pattern.search(escaped)
        for line in escaped.splitlines():  # no line starts a heading, list, quote or setext underline
            assert not re.match(r"\s*(?:[#>+\-=]|\d+[.)])", line)


# ---------------------------------------------------------------------------------------------
# A board review full of hostile text
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def review(module_data):
    """A review with hostile title, partnership, role labels, a merged group, a prompt and actions;
    three people in each of two role groups (so the groups are compared) and nobody in a third (one
    person there would be the remainder beside the two groups: the release rule would withhold one)."""
    store = Store()
    reviews = Reviews(store)
    partnership = f"{FORMULA} {SCRIPT} {unique()}"
    made = reviews.create_review(title=TITLE, partnership=partnership, rubric_hash=store.snapshot_rubric(
        hostile_rubric_text()), roles=list(ROLES))
    ft = made.facilitator_token
    reviews.set_role_groups(ft, {"r-at": GROUP, "r-markdown": GROUP})
    people = {}
    for role, value, n in [("r-formula", 5, 3), ("r-script", 1, 3), ("r-js-link", 3, 0)]:
        for _ in range(n):
            me = reviews.join(made.participant_token, role)
            reviews.set_answers(me.token, {"trust-1": value, "trust-2": 6 - value, "purpose-1": value,
                                           "purpose-2": 3, "purpose-3": value})
            people.setdefault(role, []).append(me.token)
    for n, payload in enumerate(PAYLOADS.values()):
        reviews.add_action(ft, "trust" if n % 2 else "shared-purpose", payload, owner=OWNER)
    reviews.add_action(ft, "trust", LONG_ACTION, owner=MARKDOWN)
    return SimpleNamespace(ft=ft, link=made.participant_token, partnership=partnership, people=people,
                           reviews=reviews, store=store)


def test_the_join_page_shows_title_partnership_and_roles_as_text(review):
    at = new_app("pages/review.py", p=review.link)
    no_live_markup(at)
    assert at.title[0].value == plain(TITLE)
    shown_as_text(at, review.partnership)
    assert at.radio(key="join-role").options == [plain(label) for label in ROLES.values()]


def test_a_participant_sees_hostile_names_as_text_on_the_questions_and_the_results(review):
    own = review.people["r-formula"][0]
    at = new_app("pages/review.py", t=own)
    no_live_markup(at)
    assert at.title[0].value == plain(TITLE)
    shown_as_text(at, review.partnership, FORMULA)  # the caption says "your role: <label>"
    offered_as_typed(at, *ROLES.values())  # the select box to change one's role is plain text
    for view in ("Your answers", "Results"):
        at.segmented_control(key=f"rv-{key_for(own)}-view").set_value(view).run()
        no_live_markup(at)
        assert at.title[0].value == plain(TITLE)
    # The two role groups are compared: "gap 4.0: highest =HYPERLINK(...) (5.0), lowest <script>... (1.0)".
    gaps = [m.value for m in at.markdown if "gap " in m.value]
    assert gaps and all(reads(g, f"highest {FORMULA} (") and reads(g, f"lowest {SCRIPT} (") for g in gaps)
    shown_as_text(at, PROMPT)  # where views differ, with the rubric's prompt


def test_the_facilitator_dashboard_shows_every_hostile_name_and_action_as_text(review):
    at = new_app("pages/facilitate.py", f=review.ft)
    no_live_markup(at)
    assert at.title[0].value == plain(TITLE)
    shown_as_text(at, review.partnership, GROUP, PROMPT, OWNER, *PAYLOADS.values())
    roles_table = tables(at)[0]
    assert [plain(label) for label in ROLES.values()] == list(roles_table.index)[:len(ROLES)]
    hidden = [m.value for m in at.markdown if "fewer than 3 answers" in m.value]
    assert f"- **{plain(GROUP)}**: fewer than 3 answers" in hidden
    assert f"- **{plain(JS_LINK)}**: fewer than 3 answers" in hidden
    assert any(reads(m.value, f"highest {FORMULA} (") and reads(m.value, f"lowest {SCRIPT} (") for m in at.markdown)
    actions = [m.value for m in at.markdown if m.value.startswith(("Trust", "Shared purpose"))]
    for payload in PAYLOADS.values():
        assert any(reads(a, f": {payload} (owner {OWNER}, open)") for a in actions), payload
    assert any(reads(a, f": {LONG_ACTION} (owner {MARKDOWN}, open)") for a in actions)
    offered_as_typed(at, *ROLES.values())  # roles to merge, and the facilitator's own role

    # What the facilitator types: a merged group's name and an action, shown as typed.
    typed_group, typed_owner = f"{MINUS} typed {JS_LINK}", f"{AT} {SCRIPT}"
    typed_action = f"{PLUS} typed {IMG} {MARKDOWN}"
    at.multiselect(key="merge-roles").set_value(["r-plus", "r-minus"])
    at.text_input(key="merge-name").input(typed_group)
    at.button(key="merge").click().run()
    at.selectbox(key="action-principle").set_value("trust")
    at.text_input(key="action-text").input(typed_action)
    at.text_input(key="action-owner").input(typed_owner)
    at.button(key="FormSubmitter:new-action-Add action").click().run()
    assert not at.error
    no_live_markup(at)
    assert f"- **{plain(typed_group)}**: fewer than 3 answers" in [m.value for m in at.markdown]
    shown_as_text(at, typed_action, typed_owner)
    assert any(a.text == typed_action and a.owner == typed_owner for a in review.store.actions_for(review.partnership, belongs_to=LOCAL_OWNER))
    # The group's name lands in the CSV too, neutralised.
    assert "'" + typed_group in csv_cells(review.reviews.csv(review.ft))

    review.reviews.set_role_groups(review.ft, {"r-at": GROUP, "r-markdown": GROUP})  # as the fixture made it

    # The presentation screen: the title, then a slide per principle, with its prompt.
    shown = new_app("pages/present.py", v=review.reviews.presentation_token(review.ft))
    no_live_markup(shown)
    assert any(reads(m.value, TITLE) for m in shown.markdown)
    said = []
    while not shown.button(key="slide-next").disabled:
        shown.button(key="slide-next").click().run()
        no_live_markup(shown)
        said += [m.value for m in shown.markdown]
    assert any(reads(m, PROMPT) for m in said)


def test_the_review_exports_draw_hostile_text_literally_and_neutralise_formulas(review, downloads):
    new_app("pages/facilitate.py", f=review.ft)
    table = download(downloads, ".csv").decode("utf-8-sig")
    assert_spreadsheet_safe(table)
    cells = csv_cells(table)
    for label in (FORMULA, PLUS, MINUS, GROUP):  # role groups, each as the first cell of its rows
        assert "'" + label in cells and label not in cells
    for label in (SCRIPT, IMG, JS_LINK):
        assert label in cells

    text = pdf_text(download(downloads, ".pdf"))
    assert TITLE in text and review.partnership in text
    for name in (*ROLES.values(), GROUP, PROMPT):
        assert name in text, name
    for payload in PAYLOADS.values():
        assert f"{payload} (owner {OWNER}, open)" in text, payload
    assert text.count("<i>now</i>") == LONG_ACTION.count("<i>now</i>")  # the longest action, whole


def test_names_and_actions_that_are_too_long_are_refused_clearly(review):
    too_long = f"too long (at most {MAX_NAME} characters)"
    hash_ = review.store.snapshot_rubric(hostile_rubric_text())
    with pytest.raises(ValueError, match=re.escape(f"the title is {too_long}")):
        review.reviews.create_review(title=LONG, partnership="P", rubric_hash=hash_)
    with pytest.raises(ValueError, match=re.escape(f"the partnership is {too_long}")):
        review.reviews.create_review(title="T", partnership=LONG, rubric_hash=hash_)
    with pytest.raises(ValueError, match=re.escape(f"a group's name is {too_long}")):
        review.reviews.set_role_groups(review.ft, {"r-plus": LONG})
    with pytest.raises(ValueError, match=re.escape(f"at most {MAX_ACTION_TEXT} characters")):
        review.reviews.add_action(review.ft, "trust", LONG + LONG)
    with pytest.raises(ValueError, match=re.escape(f"the owner is {too_long}")):
        review.reviews.add_action(review.ft, "trust", "Fine", owner=LONG)
    with pytest.raises(ValueError, match=re.escape(f"the respondent is {too_long}")):
        review.store.create_assessment(rubric_hash=hash_, partnership="P", respondent=LONG)
    # The forms cannot send more than the store takes: the browser stops typing at the limit.
    limits = {"new-review-title": MAX_NAME, "new-review-partnership": MAX_NAME, "merge-name": MAX_NAME,
              "action-text": MAX_ACTION_TEXT, "action-owner": MAX_NAME}
    for at in (new_app("pages/facilitate.py"), new_app("pages/facilitate.py", f=review.ft)):
        for box in at.text_input:
            assert 0 < box.proto.max_chars <= limits.pop(box.key)
    assert not limits


# ---------------------------------------------------------------------------------------------
# A saved assessment (the notebook) full of hostile text
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def assessment(module_data):
    """A quick check of a hostile partnership by a hostile respondent, a note per payload, one long
    note, and an action per payload in the partnership's plan."""
    store = Store()
    partnership = f"{FORMULA} {IMG} {JS_LINK} {unique()}"
    respondent = f"{MARKDOWN} {SCRIPT}"
    made = store.create_assessment(rubric_hash=store.snapshot_rubric(QUICK_TEXT), partnership=partnership,
                                   respondent=respondent)
    principles = QUICK.principles
    store.set_answers(made.id, {s.id: (5 if s.reverse else 1) for p in principles[:4] for s in p.statements}
                      | {s.id: 4 for p in principles[4:] for s in p.statements})
    notes = {p.id: payload for p, payload in zip(principles, PAYLOADS.values())} | {principles[len(PAYLOADS)].id: LONG}
    for pid, note in notes.items():
        store.set_note(made.id, pid, note)
    for p, payload in zip(principles, PAYLOADS.values()):
        store.add_action(partnership, p.id, payload, owner=OWNER, assessment_id=made.id)
    return SimpleNamespace(token=made.link, id=made.id, partnership=partnership, respondent=respondent, notes=notes, store=store)


def test_the_notebook_lists_and_plans_hostile_names_and_actions_as_text(assessment):
    at = new_app("pages/notebook.py")
    at.text_input(key="notebook-search").input(assessment.partnership).run()
    no_live_markup(at)
    [row] = [m.value for m in at.markdown if plain(assessment.partnership) in m.value]
    assert f"**{plain(assessment.partnership)}** · {plain(assessment.respondent)}" in row
    offered_as_typed(at, assessment.partnership)  # the partnership filter, the trend and plan choosers
    at.selectbox(key="actions-partnership").set_value(assessment.partnership).run()
    no_live_markup(at)
    plan = [m.value for m in at.markdown if plain(OWNER) in m.value]
    assert len(plan) == len(PAYLOADS)
    for payload in PAYLOADS.values():
        assert any(m.startswith(plain(payload) + "  \n") for m in plan), payload
    at.selectbox(key="trend-partnership").set_value(assessment.partnership).run()
    no_live_markup(at)


def test_check_and_results_pages_show_hostile_names_and_notes_as_typed(assessment, downloads):
    at = new_app("pages/check.py", a=assessment.token)
    no_live_markup(at)
    assert at.text_input(key="details-partnership").value == assessment.partnership
    assert at.text_input(key="details-respondent").value == assessment.respondent
    first = QUICK.principles[0].id
    assert at.text_area(key=f"note-check-quick-check-{first}").value == assessment.notes[first]
    assert at.text_area(key=f"note-check-quick-check-{first}").proto.max_chars >= MAX_NOTE  # holds any note

    at.switch_page("pages/results.py").run()
    no_live_markup(at)
    for pid, note in assessment.notes.items():  # every note whole, the long one too
        assert at.text_area(key=f"note-results-quick-check-{pid}").value == note, pid
    assert all(w.proto.max_chars >= MAX_NOTE for w in at.text_area)  # any note the notebook holds fits

    table = download(downloads, ".csv").decode("utf-8-sig")
    assert_spreadsheet_safe(table)
    cells = csv_cells(table)
    for payload in PAYLOADS.values():
        assert ("'" + payload if payload.startswith(RISKY_START) else payload) in cells, payload
    assert LONG in cells

    text = pdf_text(download(downloads, ".pdf"))
    assert assessment.partnership in text
    for payload in PAYLOADS.values():
        assert f"{payload} (open) ({OWNER})" in text, payload  # the action plan
        assert payload in text
    assert text.count("<b>note</b>") == LONG.count("<b>note</b>")

    restored = exports.from_json(download(downloads, ".json"), QUICK)
    assert restored[1] == assessment.notes


def test_the_notebook_backup_brings_hostile_text_back_exactly(assessment, tmp_path):
    backup = assessment.store.export_notebook()
    fresh = Store(f"sqlite:///{tmp_path / 'restored.sqlite3'}")
    fresh.import_notebook(backup)
    again = fresh.get_assessment(assessment.id)
    assert (again.partnership, again.respondent, again.notes) == (
        assessment.partnership, assessment.respondent, assessment.notes)
    assert sorted((a.text, a.owner) for a in fresh.actions_for(assessment.partnership, belongs_to=LOCAL_OWNER)) == sorted(
        (payload, OWNER) for payload in PAYLOADS.values())


# ---------------------------------------------------------------------------------------------
# Files a person chooses: their names and contents in messages
# ---------------------------------------------------------------------------------------------

def test_loaded_file_names_and_import_problems_are_shown_as_text():
    name = f"{JS_LINK} {MARKDOWN}.json"
    document = exports.to_json(score(QUICK, {"shared-purpose-5": 2}), {"shared-purpose": JS_LINK})
    at = new_app("pages/results.py")
    at.get("file_uploader")[0].upload(name, document.encode(), "application/json").run()
    no_live_markup(at)
    assert at.success and plain(name) in at.success[0].value

    foreign = json.loads(document) | {"rubric": {"id": JS_LINK, "version": "1", "title": f"{SCRIPT} {MARKDOWN}"}}
    at.get("file_uploader")[0].upload("other.json", json.dumps(foreign).encode(), "application/json").run()
    no_live_markup(at)
    assert at.error and plain(JS_LINK) in at.error[0].value and plain(SCRIPT) in at.error[0].value

    # A note longer than the notebook holds is refused, saying why, rather than failing to save later.
    assert exports.MAX_NOTE == MAX_NOTE
    too_long = exports.to_json(score(QUICK, {"shared-purpose-5": 2}), {"shared-purpose": "n" * (MAX_NOTE + 1)})
    with pytest.raises(exports.ImportProblem, match=f"at most {MAX_NOTE:,} characters"):
        exports.from_json(too_long, QUICK)
    at.get("file_uploader")[0].upload("long.json", too_long.encode(), "application/json").run()
    assert at.error and f"at most {MAX_NOTE:,} characters" in at.error[0].value

    notebook = new_app("pages/backup.py")
    store = Store()  # this test's own notebook, with one assessment in it
    store.create_assessment(rubric_hash=store.snapshot_rubric(QUICK_TEXT), partnership=f"Backup {unique()}")
    backup = json.loads(store.export_notebook())
    entry = backup["assessments"][0]
    entry["notes"] = {JS_LINK: "a note on no principle"}
    with pytest.raises(ImportProblem):
        Store().import_notebook(json.dumps(backup))
    notebook.get("file_uploader")[0].upload("backup.json", json.dumps(backup).encode(), "application/json").run()
    no_live_markup(notebook)
    assert notebook.error and plain(JS_LINK) in notebook.error[0].value


def test_a_hostile_rubric_title_is_shown_as_text_on_the_home_page():
    at = upload(studio_app(), xss_rubric())
    at.button(key="studio-use").click().run()
    at.switch_page("pages/home.py").run()
    no_live_markup(at)
    assert at.button(key="start-xss-check").label == plain(f"Check {XSS_SCRIPT}")
