"""The PDF report: the text a board needs is there and extractable; any Latin text renders."""

from __future__ import annotations

import io
import re
from datetime import datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from joiningforces import charts
from joiningforces.loader import load_rubric
from joiningforces.report import pdf_report, plain, radar_png, radar_svg
from joiningforces.scoring import score

SMALL = Path(__file__).parent / "data" / "small.toml"
WELSH = "Llanfair ŵ ŷ ł “quotes” — dash"
CREATED = datetime(2025, 11, 22, 10, 0)


@pytest.fixture(scope="module")
def rubric():
    return load_rubric(SMALL)


@pytest.fixture(scope="module")
def weak(rubric):
    # Trust 1.5 (concern: trust-2 is reverse-scored, so "Strongly agree" counts as 1), shared purpose 3.0.
    return score(rubric, {"trust-1": 2, "trust-2": 5, "purpose-1": 3, "purpose-2": 2, "purpose-3": 4})


def text_of(pdf: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return len(reader.pages), re.sub(r"\s+", " ", text)


@pytest.fixture(scope="module")
def report_text(weak):
    pdf = pdf_report(weak, {"trust": WELSH, "shared-purpose": "Talk at the {nb} meeting about **this**"},
                     created=CREATED, subject="Llanfair Food Partnership",
                     actions=["Agree a standing item", {"action": "Share one plan early", "who": "Ann", "by": "March"}])
    assert pdf.startswith(b"%PDF-")
    return text_of(pdf)


def test_report_names_weak_spots_worst_first_with_practices_and_notes(report_text):
    pages, text = report_text
    assert 1 <= pages <= 2
    assert "Small example" in text and "Llanfair Food Partnership" in text
    assert "22 November 2025" in text and "Rubric 'small-example', version 1.0" in text
    weak_part = text[text.index("Weak spots, worst first"):]
    assert weak_part.index("Trust and no surprises: 1.5 (Concern)") < weak_part.index("Shared purpose: 3.0 (Borderline)")
    assert "Pulled down by: “Partners sometimes learn of each other's plans only after they are settled.” " \
           "(Strongly agree)" in text
    assert "Practices to try first" in text
    assert "1. Appreciative inquiry" in text  # helps both weak principles, so it comes first
    assert "Ask each partner to tell a story of the partnership at its best." in text  # a first step
    assert "Share plans early" in text
    assert WELSH in text
    assert "Talk at the {nb} meeting about **this**" in text  # drawn as text, never substituted or styled
    assert "Share one plan early (Ann, March)" in text
    assert "No principle is in the 'Strength' band yet." in text


def test_report_table_uses_band_labels_and_coverage(report_text):
    _, text = report_text
    assert "Principle Score Band Coverage" in text
    assert "Trust and no surprises 1.5 Concern 2 of 2 answered" in text
    assert "Shared purpose 3.0 Borderline 3 of 3 answered" in text
    assert "Elements Putting relationships first: 1.5 (Concern), from 1 principle" in text  # below the chart


def test_emoji_and_odd_characters_do_not_crash(rubric):
    result = score(rubric, {"trust-1": 4, "trust-2": 2, "purpose-1": None})
    odd = "Great 🎉👍🏽 work; 中文; Ελληνικά; Кириллица; \x00\x07 bell; \u202eRTL\u202c; a\u200db; tab\there; ｆｕｌｌ"
    pdf = pdf_report(result, {"trust": odd}, created=CREATED, subject="🚀 Ŵyl " + odd, actions=[odd, 42, None])
    _, text = text_of(pdf)
    assert "Ελληνικά" in text and "Кириллица" in text and "tab here" in text
    assert "\x00" not in text


def test_plain_drops_what_the_font_cannot_draw():
    assert plain(WELSH) == WELSH
    assert plain("ok\x00\x1b 👍🏽🎉\u200b 中文") == "ok  "  # emoji, controls, CJK: dropped
    assert plain("😀") == "😀"  # DejaVu happens to have the basic emoticons
    assert plain("Ａ\tb\r\nc") == "A b\nc"  # full-width letters fall back to their plain form


def test_radar_png_and_svg(weak):
    chart = charts.result_radar(weak)
    png = radar_png(chart, scale=1)
    assert png.startswith(b"\x89PNG")
    svg = radar_svg(chart)
    assert svg.startswith("<svg") and "principle: Trust and no surprises; score: 1.5" in svg
