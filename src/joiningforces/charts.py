"""Altair charts of a result: the radar (one spoke per principle) and the element "beachball".

Vega-Lite has no polar line mark, so the radar is drawn in Cartesian space: for principle i of n
the angle is θ = 2πi/n, clockwise from the top, and a score s sits at x = r·sin θ, y = r·cos θ
where r = radius(s). On the default 1–5 scale radius(s) == s (the centre is one step below the
bottom of the scale, so a lowest answer is still a visible shape, not a dot); in general
radius(s) = s − low + (high − low) / 4.

Every point carries a `description` encoding ("series: You; principle: Trust; score: 3.2;
band: Borderline"), which Vega renders as the point's SVG aria-label: screen readers and browser
tests read the chart from it. Decorations (rings, spokes, labels) are hidden from assistive tech.

Specs stay small: one small data frame per layer, no inline data beyond what is drawn.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping

import altair as alt
import pandas as pd

from .models import Rubric
from .scoring import Result

# Okabe–Ito, reordered so the first series is the high-contrast blue and yellow comes last.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000", "#F0E442")
# Series differ in more than hue (colour-blind viewers, a washed-out projector): each has its own
# line pattern and point shape too.
DASHES = ((1, 0), (8, 4), (2, 3), (10, 3, 2, 3), (4, 4), (12, 6), (1, 4), (6, 2, 2, 2))
SHAPES = ("circle", "square", "triangle-up", "diamond", "cross", "triangle-down", "wedge", "stroke")
# ColorBrewer RdBu mid-tones (colour-blind safe), light enough for black text on top.
SCORE_RANGE = ("#d6604d", "#f4a582", "#f7f7f7", "#92c5de", "#4393c3")
MISSING_COLOUR = "#bdbdbd"
INK = "#333333"
FAINT = "#d9d9d9"
TARGET_COLOUR = "#009E73"
NOT_ENOUGH = "not enough answers"
NOT_COVERED = "not covered"
DASH = "—"

_LABEL_GAP = 1.07  # spoke labels sit this far out, relative to the outer ring


# ---------------------------------------------------------------------------------------------
# Geometry
# ---------------------------------------------------------------------------------------------

def radius(rubric: Rubric, score: float) -> float:
    """Distance of a score from the centre, in scale units (== the score on a 1–5 scale)."""
    low, high = rubric.scale.low, rubric.scale.high
    return score - low + (high - low) / 4


def angle(i: int, n: int) -> float:
    """Angle of spoke i of n in radians, clockwise from the top."""
    return 2 * math.pi * i / n


def position(rubric: Rubric, i: int, n: int, score: float) -> tuple[float, float]:
    """(x, y) of a score on spoke i of n."""
    r, theta = radius(rubric, score), angle(i, n)
    return _clean(r * math.sin(theta)), _clean(r * math.cos(theta))


def _clean(v: float) -> float:
    # 1e-16 instead of 0 makes specs and tests noisy; 12 decimals is far below a pixel.
    return round(v, 12) + 0.0


def shorten(title: str, width: int = 16, max_lines: int = 3) -> str:
    """A title wrapped to lines of about `width` characters, at most `max_lines`, "…" if cut."""
    lines = textwrap.wrap(" ".join(title.split()), width=width, break_long_words=True) or [""]
    if len(lines) > max_lines:
        kept = lines[:max_lines]
        last = kept[-1]
        if len(last) > width - 1:
            last = last[: width - 1].rstrip()
        kept[-1] = last.rstrip(" ,;:-–—") + "…"
        lines = kept
    return "\n".join(lines)


def _fmt(score: float | None) -> str:
    return DASH if score is None else f"{score:.1f}"


# ---------------------------------------------------------------------------------------------
# Radar
# ---------------------------------------------------------------------------------------------

def radar_chart(
    rubric: Rubric,
    series: Mapping[str, Mapping[str, float | None]],
    *,
    spread: Mapping[str, tuple[float, float]] | None = None,
    size: int = 420,
) -> alt.LayerChart:
    """A radar of principle scores: one spoke per principle (rubric order), one polygon per series.

    `series` maps a series name ("You", "Group", "Last year") to {principle id: score or None};
    a principle missing or None is left out of that polygon (its spoke and label stay). `spread`
    maps principle ids to (low, high), drawn as a faint band (e.g. the range of a group).
    """
    principles = rubric.principles
    n = len(principles)
    low, high = rubric.scale.low, rubric.scale.high
    outer = radius(rubric, high)
    levels = [p.value for p in rubric.scale.points]
    target = rubric.bands[0].min

    # Label room: up to 14 principles get horizontal labels wrapped to a few lines; more get one
    # line each, turned along the spoke, so neighbours never overlap.
    radial = n > 14
    font, wrap, lines = _label_style(n)
    grow = max(1.0, size / 420)  # a big radar (a projected slide) gets labels readable from the back
    font = round(font * grow)
    line_height = font + 2
    wrapped = [shorten(p.title, wrap, lines) for p in principles]
    widest = max(len(line) for label in wrapped for line in label.split("\n"))
    label_px = widest * font * 0.55
    half = size / 2
    px_per_unit = max(half - label_px - 8, half * 0.4) / (outer * _LABEL_GAP)
    extent = half / px_per_unit  # the symmetric domain of x and y

    scale = alt.Scale(domain=[-extent, extent], nice=False, zero=False)

    def xy(x: str = "x", y: str = "y") -> dict:
        return {"x": alt.X(f"{x}:Q", axis=None, scale=scale), "y": alt.Y(f"{y}:Q", axis=None, scale=scale)}

    # Rings (one closed polygon per scale value) and the dashed target ring.
    ring_rows = []
    for level in levels:
        for i in range(n):
            x, y = position(rubric, i, n, level)
            ring_rows.append({"level": level, "order": i, "x": x, "y": y})
    rings = alt.Chart(pd.DataFrame(ring_rows)).mark_line(
        interpolate="linear-closed", stroke=FAINT, strokeWidth=1, aria=False,
    ).encode(**xy(), detail="level:N", order="order:Q")

    target_rows = [dict(zip(("x", "y"), position(rubric, i, n, target)), order=i) for i in range(n)]
    target_ring = alt.Chart(pd.DataFrame(target_rows)).mark_line(
        interpolate="linear-closed", stroke=TARGET_COLOUR, strokeWidth=1.5, strokeDash=[4, 3],
        strokeOpacity=0.7, aria=False,
    ).encode(**xy(), order="order:Q")

    ring_label_rows = [{"x": 0.0, "y": radius(rubric, level), "text": f"{level:g}"} for level in levels]
    ring_labels = alt.Chart(pd.DataFrame(ring_label_rows)).mark_text(
        align="left", baseline="middle", dx=3, dy=-5, fontSize=round(9 * grow), color="#767676", aria=False,
    ).encode(**xy(), text="text:N")

    # Spokes and their labels (one row per principle).
    spoke_rows = []
    for i, p in enumerate(principles):
        theta = angle(i, n)
        sin, cos = math.sin(theta), math.cos(theta)
        scored = any(_value(values, p.id) is not None for values in series.values())
        spoke_rows.append({
            "x0": 0.0, "y0": 0.0,
            "x": _clean(outer * sin), "y": _clean(outer * cos),
            "lx": _clean(outer * _LABEL_GAP * sin), "ly": _clean(outer * _LABEL_GAP * cos),
            "label": wrapped[i],
            **(_radial_label(theta) if radial else _flat_label(sin, cos, n, wrapped[i].count("\n"), line_height)),
            "ink": INK if scored else "#8a8a8a",
        })
    spokes_df = pd.DataFrame(spoke_rows)
    spokes = alt.Chart(spokes_df).mark_rule(stroke=FAINT, strokeWidth=1, aria=False).encode(
        **xy("x0", "y0"), x2="x:Q", y2="y:Q",
    )
    labels = alt.Chart(spokes_df).mark_text(
        align=alt.ExprRef("datum.align"), baseline=alt.ExprRef("datum.baseline"), dy=alt.ExprRef("datum.dy"),
        angle=alt.ExprRef("datum.angle"),
        lineBreak="\n", fontSize=font, lineHeight=line_height, aria=False,
    ).encode(**xy("lx", "ly"), text="label:N", color=alt.Color("ink:N", scale=None))

    layers: list[alt.Chart] = [rings, spokes, target_ring, ring_labels, labels]

    # The spread band: outer edge clockwise, inner edge back anticlockwise (a ring with a hole).
    if spread:
        keyed = [(i, p, spread.get(p.id)) for i, p in enumerate(principles)]
        keyed = [(i, p, tuple(sorted(map(float, b)))) for i, p, b in keyed if b is not None]
        if keyed:
            rows, k = [], 0
            for i, _, (_, hi) in keyed + keyed[:1]:
                x, y = position(rubric, i, n, hi)
                rows.append({"x": x, "y": y, "order": k})
                k += 1
            for i, _, (lo, _) in [keyed[0]] + keyed[::-1]:
                x, y = position(rubric, i, n, lo)
                rows.append({"x": x, "y": y, "order": k})
                k += 1
            # Drawn clearly (a filled ring with an edge): a wide band is the split the board should see.
            band_layer = alt.Chart(pd.DataFrame(rows)).mark_line(
                interpolate="linear-closed", fill="#7f7f7f", fillOpacity=0.3, stroke="#5f5f5f", strokeWidth=0.8,
                aria=False,
            ).encode(**xy(), order="order:Q")
            layers.insert(3, band_layer)

    # Series: a filled polygon per series through its scored principles, plus points that speak.
    names = list(series)
    point_rows = []
    for name in names:
        values = series[name]
        for i, p in enumerate(principles):
            value = _value(values, p.id)
            if value is None:
                continue
            shown = round(value, 1)
            x, y = position(rubric, i, n, min(max(value, low), high))  # off-scale values stay on the wheel
            band_label = rubric.band_for(value).label
            row = {"series": name, "order": i, "x": x, "y": y, "principle": p.title, "score": shown,
                   "band": band_label}
            desc = f"series: {name}; principle: {p.title}; score: {shown:.1f}; band: {band_label}"
            if spread and spread.get(p.id) is not None:
                lo, hi = sorted(map(float, spread[p.id]))
                row["range"] = f"{lo:.1f} to {hi:.1f}"
                desc += f"; range: {row['range']}"
            row["desc"] = desc
            point_rows.append(row)

    if point_rows:
        few = len(names) <= len(PALETTE)
        colour_scale = alt.Scale(domain=names, range=list(PALETTE[: len(names)]) if few else alt.Undefined)
        dash_scale = alt.Scale(domain=names, range=[list(d) for d in DASHES[: len(names)]]) if few else alt.Undefined
        shape_scale = alt.Scale(domain=names, range=list(SHAPES[: len(names)])) if few else alt.Undefined
        legend = alt.Legend(title=None, orient="bottom", labelFontSize=round(11 * grow), symbolSize=round(120 * grow),
                            symbolStrokeWidth=2.5, labelLimit=0) if len(names) > 1 else None
        data = pd.DataFrame(point_rows)
        base = alt.Chart(data).encode(**xy())
        polygons = base.mark_line(interpolate="linear-closed", strokeWidth=2.5, fillOpacity=0.12, aria=False).encode(
            color=alt.Color("series:N", scale=colour_scale, legend=legend),
            fill=alt.Fill("series:N", scale=colour_scale, legend=None),
            strokeDash=alt.StrokeDash("series:N", scale=dash_scale, legend=legend),
            detail="series:N", order="order:Q",
        )
        tooltip = [alt.Tooltip("series:N", title="Series"), alt.Tooltip("principle:N", title="Principle"),
                   alt.Tooltip("score:Q", title="Score", format=".1f"), alt.Tooltip("band:N", title="Band")]
        if "range" in data:
            tooltip.append(alt.Tooltip("range:N", title="Range"))
        points = base.mark_point(filled=True, size=60, opacity=1).encode(
            color=alt.Color("series:N", scale=colour_scale, legend=legend),
            shape=alt.Shape("series:N", scale=shape_scale, legend=legend),
            description="desc:N",
            tooltip=tooltip,
        )
        layers += [polygons, points]

    return alt.layer(*layers).properties(
        width=size, height=size,
        autosize=alt.AutoSizeParams(type="pad"),
        description=_radar_description(rubric, series, target),
    ).configure_view(stroke=None).configure_legend(  # the theme's small grey legend is lost on a projector
        labelFontSize=round(12 * grow), labelColor=INK, symbolSize=round(110 * grow), symbolStrokeWidth=2.5)


def _label_style(n: int) -> tuple[int, int, int]:
    """Font size, wrap width (characters) and most lines of the spoke labels for n principles."""
    if n <= 8:
        return 11, 16, 3
    if n <= 14:
        return 11, 14, 3
    return (10 if n <= 24 else 9), 22, 1


def _flat_label(sin: float, cos: float, n: int, extra_lines: int, line_height: float) -> dict:
    """Horizontal label: aligned away from the centre. Vega puts the first line of a multi-line
    text at the anchor, so labels above the centre are lifted to end at the ring and side labels
    are centred on their spoke."""
    near = min(0.2, math.sin(math.pi / n) / 2)
    align = "left" if sin > near else "right" if sin < -near else "center"
    if cos > 0.2:
        return {"align": align, "baseline": "bottom", "dy": -extra_lines * line_height - 2, "angle": 0}
    if cos < -0.2:
        return {"align": align, "baseline": "top", "dy": 2, "angle": 0}
    return {"align": align, "baseline": "middle", "dy": -extra_lines * line_height / 2, "angle": 0}


def _radial_label(theta: float) -> dict:
    """One-line label turned along its spoke, reading outwards (upright on both halves)."""
    degrees = math.degrees(theta)
    if degrees <= 180:
        return {"align": "left", "baseline": "middle", "dy": 0, "angle": degrees - 90}
    return {"align": "right", "baseline": "middle", "dy": 0, "angle": degrees - 270}


def _radar_description(rubric: Rubric, series: Mapping[str, Mapping[str, float | None]], target: float) -> str:
    low, high = rubric.scale.low, rubric.scale.high
    n = len(rubric.principles)
    parts = [f"Radar chart of {n} principles, scored from {low} to {high}; "
             f"a dashed ring marks {target:.1f}, where '{rubric.bands[0].label}' begins."]
    for name, values in series.items():
        scored = [(p.title, v) for p in rubric.principles if (v := _value(values, p.id)) is not None]
        parts.append(f"{name}: {_extremes(scored, n)}")
    return " ".join(parts)


def _value(values: Mapping[str, float | None], principle_id: str) -> float | None:
    """The score of a principle in a series as a float, or None when missing, None or NaN."""
    value = values.get(principle_id)
    if value is None:
        return None
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(value) else value


def result_radar(result: Result, *, name: str = "You", size: int = 420) -> alt.LayerChart:
    """The radar of one result, as one series called `name`."""
    return radar_chart(result.rubric, {name: {p.id: p.score for p in result.principles}}, size=size)


# ---------------------------------------------------------------------------------------------
# Beachball
# ---------------------------------------------------------------------------------------------

def beachball_chart(result: Result, *, size: int = 320) -> alt.LayerChart:
    """The elements as equal segments of a ball, each coloured by its score (grey: no score)."""
    rubric = result.rubric
    low, high = rubric.scale.low, rubric.scale.high
    n = len(result.elements)
    with_principles = {p.element for p in rubric.principles}
    rows = []
    for i, e in enumerate(result.elements):
        shown = None if e.score is None else round(e.score, 1)
        if e.score is not None:
            band = e.band.label
        else:
            band = NOT_ENOUGH if e.id in with_principles else NOT_COVERED
        rows.append({
            "order": i, "value": 1, "element": e.title, "score": shown, "band": band,
            "label": shorten(e.title, 14 if n <= 4 else 10, 3) + "\n" + _fmt(shown),
            "desc": f"element: {e.title}; score: {_fmt(shown)}; band: {band}",
        })
    data = pd.DataFrame(rows)
    outer = size / 2 - 4
    base = alt.Chart(data).encode(
        theta=alt.Theta("value:Q", stack=True),
        order=alt.Order("order:Q"),
    )
    colour = alt.Color(
        "score:Q",
        scale=alt.Scale(domain=[low + (high - low) * k / 4 for k in range(5)], range=list(SCORE_RANGE), clamp=True),
        legend=alt.Legend(title="Score", orient="bottom", gradientLength=min(200, size - 40),
                          values=[p.value for p in rubric.scale.points]),
    )
    arcs = base.mark_arc(outerRadius=outer, stroke="white", strokeWidth=2, invalid=None).encode(
        color=alt.when("datum.score === null").then(alt.value(MISSING_COLOUR)).otherwise(colour),
        description="desc:N",
        tooltip=[alt.Tooltip("element:N", title="Element"), alt.Tooltip("score:Q", title="Score", format=".1f"),
                 alt.Tooltip("band:N", title="Band")],
    )
    labels = base.mark_text(radius=outer * (0.58 if n > 1 else 0), lineBreak="\n",
                            fontSize=12 if n <= 4 else 10, color="#111111", aria=False).encode(text="label:N")
    scored = [(e.title, e.score) for e in result.elements if e.score is not None]
    description = (f"Beachball of {n} elements, each coloured by its score from {low} to {high}; "
                   f"grey means no score. {_extremes(scored, n, noun='elements')}")
    return alt.layer(arcs, labels).properties(
        width=size, height=size, autosize=alt.AutoSizeParams(type="pad"), description=description,
    ).configure_view(stroke=None)


# ---------------------------------------------------------------------------------------------
# Text alternative
# ---------------------------------------------------------------------------------------------

def _names(titles: list[str], limit: int = 3) -> str:
    if len(titles) > limit:
        rest = len(titles) - limit
        return ", ".join(titles[:limit]) + f" and {rest} more"
    if len(titles) == 1:
        return titles[0]
    return ", ".join(titles[:-1]) + " and " + titles[-1]


def _extremes(scored: list[tuple[str, float]], total: int, noun: str = "principles") -> str:
    singular = noun[:-1]
    if not scored:
        return f"No {singular} has enough answers yet to be scored."
    shown = [(title, round(value, 1)) for title, value in scored]
    top, bottom = max(v for _, v in shown), min(v for _, v in shown)
    if len(shown) == 1:
        text = f"Only one {singular} has a score: {shown[0][0]} ({top:.1f})."
    elif top == bottom:
        text = f"All {len(shown)} scored {noun} are at {top:.1f}."
    else:
        best = [t for t, v in shown if v == top]
        worst = [t for t, v in shown if v == bottom]
        text = f"Strongest: {_names(best)} ({top:.1f}). Weakest: {_names(worst)} ({bottom:.1f})."
    missing = total - len(shown)
    if missing:
        verb = "does" if missing == 1 else "do"
        text += f" {missing} of {total} {noun} {verb} not have enough answers."
    return text


def summary_sentence(result: Result) -> str:
    """A plain-language text alternative to the radar: strongest, weakest, how many lack answers.

    Ties are judged on the score as shown (one decimal) and named together.
    """
    scored = [(p.title, p.score) for p in result.principles if p.score is not None]
    return _extremes(scored, len(result.principles))
