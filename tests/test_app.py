"""The Streamlit app through AppTest: no browser, real script runs, widgets set by key."""

import io
import re

import pyarrow.ipc
import pytest
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

from tests.apptest import answer_quick_check, new_app, start_quick
from tests.helpers import QUICK
from tests.shown import chart_images, tables
from ui import plain


def chart_data(chart) -> list:
    """Every row of every dataset of an st.altair_chart element, as dicts."""
    rows = []
    for dataset in chart.proto.datasets:
        table = pyarrow.ipc.open_stream(dataset.data.data).read_all()
        rows += table.to_pylist()
    return rows


def test_home_offers_quick_and_full_check():
    at = new_app()
    assert not at.exception
    assert at.title[0].value == "How well are we joining forces?"
    labels = [b.label for b in at.button]
    assert "Take the quick check" in labels and "Take the full check" in labels
    # How long each takes follows the rubric's length (about 30 seconds a statement).
    said = [m.value for m in at.markdown]
    assert f"About 15 minutes: {len(QUICK.statements)} statements, two for each principle." in said
    assert any(m.startswith("About 35 minutes: 71 statements across 17 principles") for m in said)


def test_quick_check_flow_keeps_answers_between_steps():
    at = start_quick(new_app())
    assert not at.exception
    assert at.title[0].value == plain(QUICK.title)
    first = QUICK.principles[0].statements[0]
    at.radio(key=f"answer-quick-check-{first.id}").set_value(4).run()
    assert at.get("progress")[0].proto.text.startswith(f"Principle 1 of {len(QUICK.principles)}")
    assert [c.value for c in at.caption if "Saved" in c.value] == [":material/check: Saved"]  # under it, once stored
    at.button(key="next").click().run()
    assert at.subheader[0].value == plain(QUICK.principles[1].title)
    at.button(key="back").click().run()
    assert at.radio(key=f"answer-quick-check-{first.id}").value == 4


def test_dont_know_is_kept_and_not_scored():
    at = start_quick(new_app())
    first, second = QUICK.principles[0].statements
    at.radio(key=f"answer-quick-check-{first.id}").set_value("dk").run()
    at.radio(key=f"answer-quick-check-{second.id}").set_value(2).run()
    assert at.session_state["answers"]["quick-check"] == {first.id: None, second.id: 2}


def weak_trust_answers(statement):
    """Everything strong except trust, which is a concern: 1 on plain statements, 5 on reversed ones."""
    if statement.id.startswith("trust-"):
        return 5 if statement.reverse else 1
    return 1 if statement.reverse else 5


def test_results_show_radar_bands_and_practices_for_a_known_answer_set():
    at = answer_quick_check(start_quick(new_app()), weak_trust_answers)
    at.button(key="finish").click().run()
    assert not at.exception
    assert at.title[0].value == "Your results"

    (radar, alt), (ball, ball_alt) = chart_images(at)
    width, height = re.search(r'<svg[^>]* width="(\d+)" height="(\d+)"', radar).groups()
    assert int(width) >= 720 and int(height) > 400  # the page's main picture, labels at 13 px
    assert alt.startswith(f"Radar chart of {len(QUICK.principles)} principles") and ball_alt.startswith("Beachball of 4 elements")
    # Every point's label is in the alt text (a screen reader's whole chart) and in the SVG itself.
    points = re.findall(r"principle: ([^;]+); score: ([\d.]+);", alt)
    assert sorted(points) == sorted(re.findall(r'aria-label="series: You; principle: ([^;]+); score: ([\d.]+);', radar))
    by_title = {title: float(value) for title, value in points}
    trust_title = QUICK.principle("trust").title
    assert by_title[trust_title] == 1.0
    assert by_title[QUICK.principle("shared-purpose").title] == 5.0

    table = tables(at)[0]
    bands = dict(zip(table.index, table["Band"]))
    assert bands[plain(trust_title)] == "Concern"
    assert {band for title, band in bands.items() if title != plain(trust_title)} == {"Strength"}

    headings = [s.value for s in at.subheader]
    assert f"{plain(trust_title)}: 1.0 (Concern)" in headings
    practices = {e.label for e in at.expander}
    trust_practices = [p.name for p in QUICK.practices_for("trust")]
    assert any(plain(name) in label for label in practices for name in trust_practices)


def test_notes_are_kept_with_the_answers_and_exported():
    at = start_quick(new_app())
    key = f"note-check-quick-check-{QUICK.principles[0].id}"
    at.text_area(key=key).input("Board minutes show we agreed the aim in 2024.").run()
    assert at.session_state["notes"]["quick-check"] == {QUICK.principles[0].id: "Board minutes show we agreed the aim in 2024."}
    at.radio(key=f"answer-quick-check-{QUICK.principles[0].statements[0].id}").set_value(3).run()
    at.switch_page("pages/results.py").run()
    results_key = f"note-results-quick-check-{QUICK.principles[0].id}"
    assert at.text_area(key=results_key).value == "Board minutes show we agreed the aim in 2024."


def finished_weak_trust_check() -> AppTest:
    at = answer_quick_check(start_quick(new_app()), weak_trust_answers)
    at.text_area(key=f"note-check-quick-check-{QUICK.principles[-1].id}").input("Said “no” to the funder — together.").run()
    at.button(key="finish").click().run()
    return at


def by_suffix(downloads: dict, suffix: str) -> bytes:
    """What a click on the download whose file name ends with `suffix` gets: a file made with the
    page as it is, one made on the click by running its callable."""
    data = next(d for name, d in downloads.items() if name.endswith(suffix))
    data = data() if callable(data) else data
    return data.encode("utf-8") if isinstance(data, str) else data


def test_pdf_export_names_the_weak_spots(downloads):
    finished_weak_trust_check()
    pdf = by_suffix(downloads, ".pdf")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert QUICK.principle("trust").title in text
    assert "Concern" in text
    assert "Said “no” to the funder — together." in text


def test_json_export_round_trips_through_the_uploader(downloads):
    at = finished_weak_trust_check()
    exported = by_suffix(downloads, ".json")
    expected = dict(at.session_state["answers"]["quick-check"])
    # A new session: nothing answered, then the exported file is loaded back.
    fresh = new_app()
    fresh.switch_page("pages/results.py").run()
    fresh.get("file_uploader")[0].upload("mine.json", exported, "application/json").run()
    assert not fresh.exception
    assert fresh.session_state["answers"]["quick-check"] == expected
    assert fresh.session_state["notes"]["quick-check"][QUICK.principles[-1].id] == "Said “no” to the funder — together."
    assert chart_images(fresh), "the results are shown again"


def test_csv_and_radar_exports(downloads):
    finished_weak_trust_check()
    csv_text = by_suffix(downloads, ".csv").decode("utf-8-sig")
    assert "trust" in csv_text and "Concern" in csv_text
    assert by_suffix(downloads, "-radar.png")[:8] == b"\x89PNG\r\n\x1a\n"
    svg = by_suffix(downloads, "-radar.svg").decode("utf-8")
    assert svg.startswith("<svg") and 'lang="en"' in svg and "Trust" in svg


@pytest.mark.parametrize("content, message", [
    (b"not json at all", "not"),
    (b'{"format": "something-else"}', "not"),
    (b'{"format": "joiningforces-assessment", "format_version": 1, "rubric": {"id": "quick-check"', "not"),
])
def test_bad_json_upload_says_why_and_keeps_the_answers(content, message):
    at = start_quick(new_app())
    first = QUICK.principles[0].statements[0]
    at.radio(key=f"answer-quick-check-{first.id}").set_value(5).run()
    at.switch_page("pages/results.py").run()
    at.get("file_uploader")[0].upload("bad.json", content, "application/json").run()
    assert not at.exception
    assert at.error and "Your current answers are unchanged" in at.error[0].value
    assert at.session_state["answers"]["quick-check"] == {first.id: 5}
