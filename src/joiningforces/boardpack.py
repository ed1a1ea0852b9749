"""The board pack of a board review: one PDF a facilitator can hand to a board, all of it aggregate.

What is in it, in order: the title, partnership, date and status; how many joined and answered,
by role; the group radar (median per principle, the middle half of answers as a band) with a
table of the statistics; where views differ most, each with the spread of answers and the
rubric's discussion prompt; the imbalance lens (role groups side by side and the principles where
they differ most); the group's weak spots with practices to try; the actions agreed.

Privacy: everything comes from `aggregate.ReviewAggregate`, in which every group smaller than the
review's minimum size is already `Suppressed`; here each of those reads "fewer than N answers".
Nobody's own answers are in it (not even the facilitator's, which the dashboard shows only to
them). Everything a user or rubric author wrote is drawn as plain text (`report.plain`).

The words, tables and charts it shares with the review pages are in `review_views`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from fpdf.fonts import FontFace

from .aggregate import Suppressed
from .exports import element_lines
from .report import FAMILY, HEAD_FILL, INK, MUTED, RULE, Report, plain, radar_png
from .board import Dashboard
from .review_views import (action_text, day, distribution_text, gap_text, group_radar, principle_rows, review_status,
                           role_count_rows, role_labels, stat_text)
from .scoring import one_decimal

DISAGREEMENTS_SHOWN = 5
GAPS_SHOWN = 5


# ---------------------------------------------------------------------------------------------
# The PDF
# ---------------------------------------------------------------------------------------------


def board_pack(dashboard: Dashboard, *, created: datetime, spread: str = "quartiles") -> bytes:
    """The board pack of `dashboard` (`Reviews.dashboard`) as PDF bytes; see the module docstring."""
    review, agg = dashboard.review, dashboard.group
    rubric = agg.rubric
    hidden = Suppressed(agg.min_size)
    pdf = Report(title=plain(f"{review.title}: {review.partnership}"), language=rubric.language, created=created,
                  footer=plain(f"{review.title} · board pack · {rubric.title} {rubric.version}"))
    para, keep = pdf.para, pdf.keep

    def heading(text: str) -> None:
        pdf.heading(text, keep_mm=28)

    def table(header: Sequence[str], rows: Sequence[Sequence[str | tuple[str, int]]], widths: Sequence[float],
              align: Sequence[str] | None = None) -> None:
        pdf.set_font(FAMILY, "", 8.5)
        pdf.set_text_color(*INK)
        pdf.set_draw_color(*RULE)
        with pdf.table(col_widths=tuple(widths), text_align=tuple(align or ["LEFT"] * len(header)),
                       headings_style=FontFace(emphasis="BOLD", fill_color=HEAD_FILL), line_height=4,
                       padding=(0.8, 1.5), markdown=False, first_row_as_headings=True,
                       borders_layout="HORIZONTAL_LINES") as t:
            for values in [header, *rows]:
                row = t.row()
                for value in values:
                    text, span = value if isinstance(value, tuple) else (value, 1)
                    row.cell(plain(text), colspan=span)
        pdf.ln(1)

    labels = role_labels(rubric)

    # Title block.
    para(review.title, 18, "B", after=0.5)
    para(review.partnership, 13, "B", after=0.5)
    para(f"Board pack, {day(created)} · {rubric.title}, version {rubric.version} · {review_status(review)}",
         9, colour=MUTED, after=1.5)
    para(f"{dashboard.joined} joined and {dashboard.answered} answered; the results are those of {agg.respondents}. "
         f"To keep answers anonymous, results are shown only for groups of at least {agg.min_size} people "
         f"(smaller groups read \u201c{hidden}\u201d), and are updated only once at least {agg.min_size} people "
         "have answered or changed answers since the last update. Nobody's individual answers are in this pack.",
         10, after=2)

    # Who answered.
    heading("Who answered")
    if review.roles:
        rows = [list(row.values()) for row in
                role_count_rows(review.roles, labels, dashboard.joined_by_role, dashboard.joined, agg)]
        table(["Role", "Joined", "In the results"], rows, (110, 35, 35), ["LEFT", "RIGHT", "RIGHT"])
    else:
        para(f"No role was asked. {dashboard.joined} joined, {dashboard.answered} answered.", 10)

    # The group picture.
    heading("The group's picture")
    if not agg.shown:
        para(f"Not shown: {hidden} so far ({dashboard.answered} answered).", 10, "B")
    else:
        pdf.keep(98)
        chart = group_radar(agg, spread=spread)
        image_bottom = pdf.image_beside(radar_png(chart.to_dict(validate=False), scale=2), 98)
        side = pdf.side
        band = "the range from the lowest to the highest" if spread == "range" else "the middle half of the group"

        side("How to read it", 10, "B")
        side(f"Each spoke is a principle, from {rubric.scale.low} (centre) to {rubric.scale.high} (edge). The line "
             f"is the group's median; the grey band is {band}. The dashed ring marks {one_decimal(rubric.bands[0].min)}, "
             f"where '{rubric.bands[0].label}' begins.", colour=MUTED, after=1.5)
        if agg.result is not None and agg.result.overall is not None:
            side(f"Mean of the medians: {one_decimal(agg.result.overall)} ({rubric.band_for(agg.result.overall).label})",
                 9.5, "B")
        missing = [p.title for p in rubric.principles if not agg.everyone.principles[p.id]]
        if missing:
            side(f"Left out ({hidden}): " + "; ".join(missing) + ".", 8.5, colour=MUTED)
        if agg.result is not None:
            pdf.ln(1.5)
            side("Elements (mean of their principles' medians)", 10, "B")
            for line in element_lines(agg.result):  # with how many principles each rests on
                side(line, 8.5, after=0.4)
        pdf.end_beside(image_bottom)

        rows = [list(row.values()) if row["Answers"] else [row["Principle"], (row["Median"], 5)]
                for row in principle_rows(agg)]
        table(["Principle", "Median", "Middle half", "Range", "Answers", "Band"], rows,
              (68, 16, 24, 24, 18, 30), ["LEFT", "RIGHT", "LEFT", "LEFT", "RIGHT", "LEFT"])

    # Where views differ.
    if agg.shown:
        heading("Where views differ most")
        if not agg.disagreements:
            para(f"No principle has enough answers to compare ({hidden} each).", 10)
        for d in agg.disagreements[:DISAGREEMENTS_SHOWN]:
            keep(22)
            para(d.principle.title, 10.5, "B", after=0.3)
            para(stat_text(d.stats), 9, colour=MUTED, after=0.3)
            if any(d.counts.values()):
                para("Answers as scores (reversed statements turned round): " + distribution_text(rubric, d.counts), 9,
                     after=0.3)
            if d.prompt:
                para(f"To discuss: {d.prompt}", 9, indent=4, after=0.3)
            pdf.ln(1)
        rest = agg.disagreements[DISAGREEMENTS_SHOWN:]
        if rest:
            para("Then: " + "; ".join(f"{d.principle.title} (middle half {one_decimal(d.stats.q1)}–{one_decimal(d.stats.q3)})"
                                      for d in rest) + ".", 8.5, colour=MUTED)

    # The imbalance lens.
    if agg.imbalance.groups:
        heading("How the role groups see it")
        rows = []
        for g in agg.imbalance.groups:
            members = ", ".join(labels.get(r, r) for r in g.roles)
            rows.append([g.label, members if members != g.label else "", str(g.respondents),
                         "shown" if g.shown else str(g.suppressed)])
        table(["Group", "Roles", "Answered", "Results"], rows, (55, 65, 20, 40), ["LEFT", "LEFT", "RIGHT", "LEFT"])
        if agg.imbalance.gaps:
            para("Where the groups differ most", 10.5, "B", after=0.5)
            for gap in agg.imbalance.gaps[:GAPS_SHOWN]:
                para(f"• {rubric.principle(gap.principle_id).title}: {gap_text(agg, gap)}", 9, indent=2, after=0.3)
        else:
            para(f"Groups can be compared once at least two of them have {agg.min_size} or more answers.", 9,
                 colour=MUTED)

    # Weak spots and practices.
    if agg.shown:
        spots = agg.weak_spots()
        heading("Weak spots and what to try")
        if not spots:
            para("None: every principle shown is in the top band." if agg.result and agg.result.overall is not None
                 else "None yet: no principle has enough answers.", 10)
        for spot in spots[:4]:
            p = spot.principle
            keep(14)
            para(f"{p.title}: median {one_decimal(p.score)} ({p.band.label})", 10.5, "B", after=0.3)
            if spot.practices:
                para("Practices that help: " + "; ".join(s.practice.name for s in spot.practices) + ".", 9,
                     after=0.3)
            pdf.ln(0.8)
        if len(spots) > 4:
            para("Also below the top band: " + ", ".join(f"{s.principle.title} ({one_decimal(s.principle.score)})"
                                                        for s in spots[4:]) + ".", 9)
        for n, suggestion in enumerate(agg.suggestions()[:3], start=1):
            practice = suggestion.practice
            keep(20)
            para(f"{n}. {practice.name}", 10.5, "B", after=0.3)
            para(practice.what, 9, indent=4, after=0.3)
            for step in practice.first_steps:
                para(f"• {step}", 9, indent=8, after=0.2)
            pdf.ln(1)

    # Agreed actions.
    heading("Agreed actions")
    if dashboard.actions:
        for action in dashboard.actions:
            para(f"• {action_text(rubric, action)}", 9.5, indent=2, after=0.4)
    else:
        para("None recorded yet.", 10, colour=MUTED)

    return bytes(pdf.output())


__all__ = ["DISAGREEMENTS_SHOWN", "GAPS_SHOWN", "board_pack"]
