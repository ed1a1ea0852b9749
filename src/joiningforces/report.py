"""A board-ready PDF of one result (fpdf2), and PNG/SVG renderings of charts (vl-convert).

Everything a user or a rubric author wrote is drawn as plain text: never markdown, never HTML,
and the page-count alias is switched off so no text is ever substituted. Text in any Latin script
renders with the bundled DejaVu Sans; characters the font lacks (emoji, most non-Latin symbols)
are dropped rather than drawn as boxes or raising.
"""

from __future__ import annotations

import io
import re
import struct
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import altair as alt
import vl_convert as vlc
from fpdf import FPDF
from fpdf.fonts import FontFace

from . import charts
from .exports import element_lines, principles_table
from .recommend import strengths, suggest, weak_spots
from .scoring import Result, one_decimal

FONT_DIR = Path(__file__).resolve().parent / "fonts"
REGULAR = FONT_DIR / "DejaVuSans.ttf"
BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"
FAMILY = "DejaVu"

LANGUAGE_SHAPE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")  # the rubric format's, checked again here
RADAR_PX = 720  # the radar's width in px, as on the results page: 13 px labels, about 9 pt across A4
INK = (34, 34, 34)
MUTED = (100, 100, 100)
RULE = (200, 200, 200)
HEAD_FILL = (235, 235, 235)


# ---------------------------------------------------------------------------------------------
# Chart rendering
# ---------------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _register_fonts() -> None:
    # So renders look the same on a machine without system fonts (a slim container).
    try:
        vlc.register_font_directory(str(FONT_DIR))
    except Exception:  # a missing font is cosmetic; never fail a download for it
        pass


def _spec(chart: alt.TopLevelMixin | Mapping | str) -> str | dict:
    if isinstance(chart, (str, dict)):
        return chart
    if isinstance(chart, Mapping):
        return dict(chart)
    return chart.to_json()


def warm_up() -> None:
    """Start vl-convert's JavaScript engine and load the font's character map now (about 0.4 s
    the first time in a process), so the first PDF or PNG a user asks for is not the slow one.
    Safe to call from a background thread at app start; never raises."""
    try:
        _register_fonts()
        _drawable()
        vlc.vegalite_to_svg({"mark": "point", "data": {"values": [{}]}}, allowed_base_urls=[])
    except Exception:
        pass


def radar_png(chart: alt.TopLevelMixin | Mapping | str, *, scale: float = 2) -> bytes:
    """A chart (any Altair chart, despite the name) as PNG bytes, `scale` times its pixel size."""
    _register_fonts()
    return vlc.vegalite_to_png(_spec(chart), scale=scale, allowed_base_urls=[])


def radar_svg(chart: alt.TopLevelMixin | Mapping | str, language: str | None = None) -> str:
    """A chart as standalone SVG text (points keep their aria-labels). `language`, a rubric's
    language code, is set as the image's `lang` so its titles are read in that language."""
    _register_fonts()
    return in_language(vlc.vegalite_to_svg(_spec(chart), allowed_base_urls=[]), language)


def in_language(svg: str, language: str | None) -> str:
    """The SVG with `language` (a rubric's language code) as its `lang`, if it is a language code."""
    if language and LANGUAGE_SHAPE.fullmatch(language):
        return svg.replace("<svg ", f'<svg lang="{language}" xml:lang="{language}" ', 1)
    return svg


# ---------------------------------------------------------------------------------------------
# Text the font can draw
# ---------------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _drawable() -> frozenset[int]:
    from fontTools.ttLib import TTFont  # fpdf2 depends on fontTools

    sets = []
    for path in (REGULAR, BOLD):
        font = TTFont(str(path), lazy=True)
        sets.append(set(font.getBestCmap()))
        font.close()
    return frozenset(sets[0] & sets[1])


_REPLACEMENTS = {
    "\t": " ", "\r": "", "\u00a0": " ", "\u2011": "-", "\u2028": "\n", "\u2029": "\n",
}


def plain(text: Any) -> str:
    """`text` reduced to what the bundled font can draw: unknown glyphs dropped (or, when a
    decomposed form is drawable, replaced by it), control and format characters removed."""
    text = unicodedata.normalize("NFC", str(text))
    drawable = _drawable()
    out = []
    for ch in text:
        if ch == "\n":
            out.append(ch)
            continue
        if ch in _REPLACEMENTS:
            out.append(_REPLACEMENTS[ch])
            continue
        code = ord(ch)
        if code in drawable and unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn"):
            out.append(ch)
            continue
        decomposed = unicodedata.normalize("NFKD", ch)
        if decomposed != ch and all(ord(c) in drawable for c in decomposed):
            out.append(decomposed)
    return "".join(out)


# ---------------------------------------------------------------------------------------------
# The PDF
# ---------------------------------------------------------------------------------------------

class Report(FPDF):
    """An A4 page set up for our reports, with the few ways of writing text they all use."""

    footer_text = ""

    def __init__(self, *, title: str, language: str, created: datetime, footer: str):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.alias_nb_pages(None)  # no "{nb}" substitution inside anyone's text
        self.set_margins(15, 14, 15)
        self.set_auto_page_break(True, margin=16)
        self.add_font(FAMILY, "", str(REGULAR))
        self.add_font(FAMILY, "B", str(BOLD))
        self.set_title(title)
        self.set_creator("joiningforces")
        self.set_lang(language)
        self.set_creation_date(created)
        self.footer_text = footer
        self.add_page()

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, "", 8)
        self.set_text_color(*MUTED)
        self.cell(0, 5, f"{self.footer_text} · page {self.page_no()}", align="C")

    def para(self, text: str, size: float = 10, style: str = "", colour=INK, height: float | None = None,
             indent: float = 0, after: float = 0.8) -> None:
        """A paragraph across the page, drawn as plain text (never Markdown)."""
        self.set_font(FAMILY, style, size)
        self.set_text_color(*colour)
        self.set_x(self.l_margin + indent)
        self.multi_cell(self.epw - indent, height or size * 0.47, plain(text), markdown=False, align="L",
                        new_x="LMARGIN", new_y="NEXT")
        self.ln(after)

    def height_of(self, text: str, size: float = 10, style: str = "", indent: float = 0) -> float:
        """The height in mm that `para` would give `text` (a dry run: nothing is drawn)."""
        self.set_font(FAMILY, style, size)
        return self.multi_cell(self.epw - indent, size * 0.47, plain(text), markdown=False, dry_run=True,
                               output="HEIGHT") + 0.8

    def keep(self, mm: float) -> None:
        """Start a new page unless `mm` millimetres are left (keeps a title with its text)."""
        if self.get_y() + mm > self.page_break_trigger:
            self.add_page()

    def image_beside(self, png: bytes, image_w: float) -> float:
        """Put a PNG at the left of the page from here, ready for `side` text to its right.

        Returns the image's bottom (its height comes from the PNG header: fpdf2 does not move
        the cursor past an image placed at a given y). Call `end_beside` with it afterwards.
        """
        top = self.get_y()
        px_w, px_h = struct.unpack(">II", png[16:24])
        image_h = image_w * px_h / px_w
        self.image(io.BytesIO(png), x=self.l_margin - 3, y=top, w=image_w, h=image_h)
        self._side_x = self.l_margin + image_w + 2
        self._side_w = self.epw - image_w - 2
        self.set_xy(self._side_x, top + 6)
        return top + image_h

    def image_across(self, png: bytes, max_h: float | None = None) -> None:
        """A PNG across the page's width, from here (a new page first if less than half of it
        fits), shrunk to fit `max_h` and the page; the text continues below it."""
        px_w, px_h = struct.unpack(">II", png[16:24])
        width = self.epw
        height = width * px_h / px_w
        room = self.page_break_trigger - self.get_y()
        if room < min(height, max_h or height) * 0.5:
            self.add_page()
            room = self.page_break_trigger - self.get_y()
        limit = min(room, max_h or room)
        if height > limit:
            width, height = width * limit / height, limit
        self.image(io.BytesIO(png), x=self.l_margin + (self.epw - width) / 2, y=self.get_y(), w=width, h=height)
        self.set_y(self.get_y() + height + 2)

    def side(self, text: str, size: float = 9, style: str = "", colour=INK, after: float = 0.6) -> None:
        """A paragraph in the column beside the image placed by `image_beside`."""
        self.set_font(FAMILY, style, size)
        self.set_text_color(*colour)
        self.set_x(self._side_x)
        self.multi_cell(self._side_w, size * 0.47, plain(text), markdown=False, align="L",
                        new_x="LMARGIN", new_y="NEXT")
        self.ln(after)

    def end_beside(self, image_bottom: float) -> None:
        """Continue below both the image and the text beside it."""
        self.set_y(max(image_bottom, self.get_y()) + 2)

    def heading(self, text: str, keep_mm: float = 24) -> None:
        self.keep(keep_mm)
        self.ln(2)
        self.para(text, 13, "B", after=1.5)


def _spot_height(pdf: Report, spot, rubric, notes: Mapping[str, str]) -> float:
    """What `pdf_report` writes for one weak spot, in mm, so that it is kept on one page."""
    height = pdf.height_of(spot.principle.title, 10.5, "B") + 4
    if spot.pulled_down:
        height += pdf.height_of("Pulled down by: " + "; ".join(
            f"“{st.text}” ({rubric.scale.label_for(answer)})" for st, answer in spot.pulled_down[:2]), 9)
    if spot.practices:
        height += pdf.height_of("Practices that help: " + "; ".join(s.practice.name for s in spot.practices), 9)
    note = (notes.get(spot.principle.id) or "").strip()
    return height + (pdf.height_of(f"Your note: {note}", 9) if note else 0)


def _date(created: datetime) -> str:
    return f"{created.day} {created.strftime('%B %Y')}"


def _action_text(item: Any) -> str:
    """An agreed action as one line, from a string, a mapping or an object with similar fields."""
    if isinstance(item, str):
        return item
    get = item.get if isinstance(item, Mapping) else (lambda k, d=None: getattr(item, k, d))
    text = next((get(k) for k in ("action", "text", "title", "what") if get(k)), None)
    if text is None:
        return str(item)
    extra = [str(v) for v in (get("who") or get("owner"), get("when") or get("by") or get("due")) if v]
    return str(text) + (f" ({', '.join(extra)})" if extra else "")


def pdf_report(
    result: Result,
    notes: Mapping[str, str],
    *,
    created: datetime,
    subject: str | None = None,
    actions: Sequence | None = None,
    spots: int = 4,
    practices: int = 3,
) -> bytes:
    """A one-to-two page A4 report of `result` for a board, as PDF bytes.

    `notes` maps principle ids to the user's notes; `subject` names the partnership; `actions`
    (strings, or mappings/objects with action/text, who/owner and when/by/due) are listed as
    agreed actions. At most `spots` weak spots and `practices` suggested practices are shown.
    """
    rubric = result.rubric
    title = plain(rubric.title) + (f": {plain(subject)}" if subject and plain(subject).strip() else "")
    pdf = Report(title=title, language=rubric.language, created=created,
                  footer=plain(f"{rubric.title} {rubric.version}"))
    para, keep, heading = pdf.para, pdf.keep, pdf.heading

    # Title block.
    para(rubric.title, 18, "B", after=0.5)
    if subject and plain(subject).strip():
        para(subject, 13, "B", after=0.5)
    answered = sum(1 for s in rubric.statements if result.answers.get(s.id) is not None)
    para(f"{_date(created)} · Rubric '{rubric.id}', version {rubric.version} · "
         f"{answered} of {len(rubric.statements)} statements answered", 9, colour=MUTED, after=2)
    if result.overall is not None:
        band = rubric.band_for(result.overall)
        para(f"Overall score: {one_decimal(result.overall)} out of {rubric.scale.high} ({band.label})", 11, "B", after=0.5)
    para(charts.summary_sentence(result), 10, after=2)

    # The radar across the page (its labels stay legible), then how to read it, bands and elements.
    png = radar_png(charts.result_radar(result, size=RADAR_PX).to_dict(validate=False), scale=2)
    pdf.image_across(png, max_h=200)
    low, high = rubric.scale.low, rubric.scale.high
    para("How to read it", 10, "B", after=0.3)
    shape = ("Each bar is a principle, on the scale" if len(rubric.principles) <= 2 else
             "Each spoke is a principle; its score is marked on the rings")
    para(f"{shape} from {low} (the innermost ring) to {high} (the outer ring). The dashed "
         f"{'line' if len(rubric.principles) <= 2 else 'ring'} marks {one_decimal(rubric.bands[0].min)}, where "
         f"'{rubric.bands[0].label}' begins.", 9, colour=MUTED, after=1)
    para("Bands: " + "; ".join(f"{b.label}, {one_decimal(b.min)} and above" + (f" ({b.meaning.rstrip('.')})"
                                                                             if b.meaning else "")
                               for b in rubric.bands) + ".", 9, after=1)
    para("Elements", 9, "B", after=0.3)
    for line in element_lines(result):  # one line each, with how many principles the score rests on
        para(line, 9, after=0.3)
    pdf.ln(0.7)

    # The table of principles (band labels in words, never colour alone).
    heading("Principles")
    table = principles_table(result).drop(columns=["Element"])  # elements are listed beside the radar
    pdf.set_font(FAMILY, "", 8.5)
    pdf.set_text_color(*INK)
    pdf.set_draw_color(*RULE)
    with pdf.table(
        col_widths=(98, 14, 32, 36),
        text_align=("LEFT", "RIGHT", "LEFT", "LEFT"),
        headings_style=FontFace(emphasis="BOLD", fill_color=HEAD_FILL),
        line_height=4, padding=(0.8, 1.5), markdown=False, first_row_as_headings=True,
        borders_layout="HORIZONTAL_LINES",
    ) as t:
        row = t.row()
        for col in table.columns:
            row.cell(plain(col))
        for values in table.itertuples(index=False):
            row = t.row()
            for value in values:
                row.cell(plain(value))

    # Strengths, short, before the longer sections (at the end it could be a page of its own).
    strong = strengths(result)
    heading("Strengths")
    if strong:
        para("; ".join(f"{p.title} ({one_decimal(p.score)})" for p in strong) + ".", 10)
    else:
        para(f"No principle is in the '{rubric.bands[0].label}' band yet.", 10)

    # Weak spots, worst first.
    spots_list = weak_spots(result)
    heading("Weak spots, worst first")
    if not spots_list:
        para("None: every scored principle is in the top band." if any(p.scored for p in result.principles)
             else "None yet: no principle has enough answers to be scored.", 10)
    for spot in spots_list[:spots]:
        p = spot.principle
        keep(_spot_height(pdf, spot, rubric, notes))  # a weak spot is never split across two pages
        para(f"{p.title}: {one_decimal(p.score)} ({p.band.label})", 10.5, "B", after=0.5)
        if spot.pulled_down:
            quoted = "; ".join(f"“{statement.text}” ({rubric.scale.label_for(answer)})"
                               for statement, answer in spot.pulled_down[:2])
            para(f"Pulled down by: {quoted}.", 9, after=0.3)
        if spot.practices:
            names = "; ".join(s.practice.name for s in spot.practices)
            para(f"Practices that help: {names}.", 9, after=0.3)
        note = (notes.get(p.id) or "").strip()
        if note:
            para(f"Your note: {note}", 9, colour=MUTED, after=0.3)
        pdf.ln(1)
    if len(spots_list) > spots:
        rest = spots_list[spots:]
        para("Also below the top band: " + ", ".join(f"{p.principle.title} ({one_decimal(p.principle.score)})" for p in rest)
             + ".", 9, after=1)

    # Suggested practices with first steps.
    ranked = suggest(result)[:practices]
    if ranked:
        heading("Practices to try first")
        for n, suggestion in enumerate(ranked, start=1):
            practice = suggestion.practice
            keep(pdf.height_of(practice.name, 10.5, "B") + pdf.height_of(practice.what, 9, indent=4)
                 + 6 + sum(pdf.height_of(f"• {step}", 9, indent=8) + 0.2 for step in practice.first_steps))
            para(f"{n}. {practice.name}", 10.5, "B", after=0.3)
            para(practice.what, 9, indent=4, after=0.3)
            para("First steps:", 9, colour=MUTED, indent=4, after=0.2)
            for step in practice.first_steps:
                para(f"• {step}", 9, indent=8, after=0.2)
            pdf.ln(1.3)

    # Agreed actions.
    listed = [a for a in (actions or []) if a is not None and _action_text(a).strip()]
    if listed:
        heading("Agreed actions")
        for item in listed:
            para(f"• {_action_text(item)}", 9.5, indent=2, after=0.4)

    # The other notes, in rubric order (those of the weak spots shown were printed with them).
    shown = {spot.principle.id for spot in spots_list[:spots]}
    noted = [(p, (notes.get(p.id) or "").strip()) for p in rubric.principles if p.id not in shown]
    noted = [(p, n) for p, n in noted if n]
    if noted:
        heading("Notes" if not shown else "Other notes")
        for p, note in noted:
            keep(10)
            para(p.title, 9.5, "B", after=0.2)
            para(note, 9, after=1)

    return bytes(pdf.output())
