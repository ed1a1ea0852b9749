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
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import altair as alt
import pandas as pd

from .models import Rubric
from .scoring import Result, one_decimal
from .scoring import shown as rounded  # `shown` is a common local name here

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


def _fmt(score: float | None) -> str:
    return DASH if score is None else one_decimal(score)


# ---------------------------------------------------------------------------------------------
# Text measured as it is drawn (DejaVu Sans, the font the images are rendered with)
# ---------------------------------------------------------------------------------------------

FONT = "DejaVu Sans"
_FONT_FILE = Path(__file__).resolve().parent / "fonts" / "DejaVuSans.ttf"


@lru_cache(maxsize=1)
def _advances() -> dict[int, float]:
    from fontTools.ttLib import TTFont  # fpdf2 depends on fontTools

    font = TTFont(str(_FONT_FILE), lazy=True)
    em = font["head"].unitsPerEm
    metrics = font["hmtx"].metrics
    advances = {code: metrics[name][0] / em for code, name in font.getBestCmap().items()}
    font.close()
    return advances


def text_width(text: str, size: float) -> float:
    """Width in px of one line of `text` at font size `size` in DejaVu Sans."""
    advances = _advances()
    return sum(advances.get(ord(ch), 0.62) for ch in text) * size


def wrap(text: str, width: float, size: float) -> list[str]:
    """`text` in lines of at most `width` px, broken only between words (a longer word keeps its
    own line: a title is never cut or split inside a word)."""
    lines: list[str] = []
    for word in text.split():
        if lines and text_width(f"{lines[-1]} {word}", size) <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines or [""]


# ---------------------------------------------------------------------------------------------
# Labels around a circle, placed so that none overlaps another or the circle
# ---------------------------------------------------------------------------------------------

Box = tuple[float, float, float, float]  # x0, x1, y0, y1 in px, y up, centre of the circle at 0, 0


@dataclass(frozen=True)
class _Placed:
    lines: tuple[str, ...]
    x: float  # where the text is anchored: x of its aligned edge (or centre) ...
    y_top: float  # ... and y of its first line's top
    align: str
    box: Box


def _block(lines: list[str], size: float, line_height: float) -> tuple[float, float]:
    return max(text_width(line, size) for line in lines), size * 1.15 + (len(lines) - 1) * line_height


def _place(text: str, theta: float, ring: float, gap: float, width: float, size: float,
           line_height: float) -> _Placed:
    """`text` wrapped to `width` px beside the point at `theta` just outside the circle: aligned
    away from the centre, above it at the top, below it at the bottom, centred on it at the sides."""
    sin, cos = math.sin(theta), math.cos(theta)
    lines = wrap(text, width, size)
    w, h = _block(lines, size, line_height)
    ax, ay = (ring + gap) * sin, (ring + gap) * cos
    align = "left" if sin > 0.17 else "right" if sin < -0.17 else "center"
    x0 = ax if align == "left" else ax - w if align == "right" else ax - w / 2
    if cos > 0.35:
        y0 = ay
    elif cos < -0.35:
        y0 = ay - h
    else:
        y0 = ay - h / 2 + (h / 2) * cos / 0.35 * 0.5  # ease between the side and the top/bottom
    box = (x0, x0 + w, y0, y0 + h)
    return _Placed(tuple(lines), ax, y0 + h, align, box)


def _overlaps(a: Box, b: Box, pad: float = 3) -> bool:
    return a[0] < b[1] + pad and b[0] < a[1] + pad and a[2] < b[3] + pad and b[2] < a[3] + pad


def _clear_of_circle(box: Box, ring: float) -> bool:
    nearest_x = min(max(0.0, box[0]), box[1])
    nearest_y = min(max(0.0, box[2]), box[3])
    return math.hypot(nearest_x, nearest_y) > ring + 1


def layout_around(texts: list[str], angles: list[float], *, half_width: float, ring: float, gap: float,
                  size: float, max_lines: int = 4) -> list[_Placed] | None:
    """Labels for points around a circle of radius `ring`: each as wide as it can be (up to a
    shared cap), wrapped between words, inside ±`half_width`, overlapping neither each other nor
    the circle. None when they do not fit."""
    line_height = round(size * 1.22, 1)
    for cap in (240, 200, 170, 140, 115, 95, 80, 66):
        placed: list[_Placed] = []
        for text, theta in zip(texts, angles):
            for width in (cap, cap * 0.8, cap * 0.65, cap * 0.5):
                label = _place(text, theta, ring, gap, width, size, line_height)
                box = label.box
                if (len(label.lines) <= max_lines and -half_width <= box[0] and box[1] <= half_width
                        and _clear_of_circle(box, ring) and not any(_overlaps(box, p.box) for p in placed)):
                    placed.append(label)
                    break
            else:
                break
        if len(placed) == len(texts):
            return placed
    return None


# ---------------------------------------------------------------------------------------------
# Radar
# ---------------------------------------------------------------------------------------------

def radar_chart(
    rubric: Rubric,
    series: Mapping[str, Mapping[str, float | None]],
    *,
    spread: Mapping[str, tuple[float, float]] | None = None,
    size: int = 720,
    font: int | None = None,
    key_below: bool = True,
) -> alt.LayerChart:
    """A radar of principle scores: one spoke per principle (rubric order), one polygon per series.

    `series` maps a series name ("You", "Group", "Last year") to {principle id: score or None};
    a principle missing or None is left out of that polygon (its spoke and label stay). `spread`
    maps principle ids to (low, high), drawn as a faint band (e.g. the range of a group). `size`
    is the image's width in px; its height follows from the labels. `font` sets the labels' size
    in px (default: about 13 px, for a screen at arm's length; a projector wants 20 or more).
    With `key_below=False` a numbered wheel comes without its key, for a page that lists the titles
    beside it (`numbered_spokes` tells whether it is numbered).

    Whole principle titles are written round the wheel, wrapped between words; when they cannot
    all fit without overlapping, the spokes are numbered and the titles listed in a key below.
    With one or two principles a radar would be a line or a dot: they get a bar chart instead.
    """
    principles = rubric.principles
    n = len(principles)
    if n <= 2:
        return _bar_chart(rubric, series, spread=spread, size=size)
    low, high = rubric.scale.low, rubric.scale.high
    outer = radius(rubric, high)
    levels = [p.value for p in rubric.scale.points]
    target = rubric.bands[0].min
    half = size / 2
    font = font or _label_font(size, n)
    angles = [angle(i, n) for i in range(n)]
    titles = [" ".join(p.title.split()) for p in principles]

    # The largest wheel round which the whole titles fit; else numbered spokes and a key.
    placed, numbered, ring = None, False, half * 0.6
    for share in (0.62, 0.58, 0.54, 0.5, 0.46, 0.42, 0.38):
        ring = half * share
        placed = layout_around(titles, angles, half_width=half - 2, ring=ring, gap=6, size=font)
        if placed:
            break
    if placed is None:
        numbered, ring = True, half * 0.78
        placed = layout_around([str(i + 1) for i in range(n)], angles, half_width=half - 2, ring=ring,
                               gap=5, size=font, max_lines=1)
        every = 2
        while placed is None and every <= 10:  # no room for every number (a phone): number every few spokes
            shown = [i for i in range(n) if i % every == 0 or i == n - 1 and (n - 1) % every >= every / 2]
            found = layout_around([str(i + 1) for i in shown], [angles[i] for i in shown], half_width=half - 2,
                                  ring=ring, gap=5, size=font - 1, max_lines=1)
            if found:
                placed = [None] * n
                for i, label in zip(shown, found):
                    placed[i] = label
            every = {2: 5, 5: 10}.get(every, 11)
        placed = placed or []
    ppu = ring / outer  # px per scale unit

    key_rows, key_bottom = (_key_rows(titles, size, font, top=-(ring + 6 + font * 2.2), ppu=ppu)
                            if numbered and key_below else ([], 0.0))
    ring_ys = [ring * math.cos(theta) for theta in angles]
    top = max(ring_ys + [p.box[3] for p in placed if p]) + 4
    bottom = min(ring_ys + [p.box[2] for p in placed if p] + ([key_bottom] if key_rows else [])) - 4
    height = top - bottom
    x_scale = alt.Scale(domain=[-half / ppu, half / ppu], nice=False, zero=False)
    y_scale = alt.Scale(domain=[bottom / ppu, top / ppu], nice=False, zero=False)

    def xy(x: str = "x", y: str = "y") -> dict:
        return {"x": alt.X(f"{x}:Q", axis=None, scale=x_scale), "y": alt.Y(f"{y}:Q", axis=None, scale=y_scale)}

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

    # Spokes and their labels (one row per principle).
    spoke_rows = []
    for i, p in enumerate(principles):
        theta = angles[i]
        label = placed[i] if i < len(placed) else None
        scored = any(_value(values, p.id) is not None for values in series.values())
        spoke_rows.append({
            "x0": 0.0, "y0": 0.0,
            "x": _clean(outer * math.sin(theta)), "y": _clean(outer * math.cos(theta)),
            "lx": (label.x if label else 0.0) / ppu, "ly": (label.y_top if label else 0.0) / ppu,
            "label": "\n".join(label.lines) if label else "",
            "align": label.align if label else "center",
            "ink": INK if scored else "#6f6f6f",
        })
    spokes_df = pd.DataFrame(spoke_rows)
    spokes = alt.Chart(spokes_df).mark_rule(stroke=FAINT, strokeWidth=1, aria=False).encode(
        **xy("x0", "y0"), x2="x:Q", y2="y:Q",
    )
    labels = alt.Chart(spokes_df).mark_text(
        align=alt.ExprRef("datum.align"), baseline="top", lineBreak="\n", fontSize=font,
        lineHeight=round(font * 1.22, 1), font=FONT, aria=False,
    ).encode(**xy("lx", "ly"), text="label:N", color=alt.Color("ink:N", scale=None))

    layers: list[alt.Chart] = [rings, spokes, target_ring]

    # The spread band: outer edge clockwise, inner edge back anticlockwise (a ring with a hole).
    if spread:
        keyed = [(i, p, spread.get(p.id)) for i, p in enumerate(principles)]
        keyed = [(i, p, tuple(sorted(map(float, b)))) for i, p, b in keyed if b is not None]
        if keyed:
            rows, k = [], 0
            for i, _, (_, hi) in keyed + keyed[:1]:
                x, y = position(rubric, i, n, min(max(hi, low), high))
                rows.append({"x": x, "y": y, "order": k})
                k += 1
            for i, _, (lo, _) in [keyed[0]] + keyed[::-1]:
                x, y = position(rubric, i, n, min(max(lo, low), high))
                rows.append({"x": x, "y": y, "order": k})
                k += 1
            # Drawn clearly (a filled ring with an edge): a wide band is the split the board should see.
            layers.append(alt.Chart(pd.DataFrame(rows)).mark_line(
                interpolate="linear-closed", fill="#7f7f7f", fillOpacity=0.3, stroke="#5f5f5f", strokeWidth=0.8,
                aria=False,
            ).encode(**xy(), order="order:Q"))

    # Series: a filled polygon per series through its scored principles, plus points that speak.
    names = list(series)
    point_rows = []
    for name in names:
        values = series[name]
        for i, p in enumerate(principles):
            value = _value(values, p.id)
            if value is None:
                continue
            shown = rounded(value)
            x, y = position(rubric, i, n, min(max(value, low), high))  # off-scale values stay on the wheel
            band_label = rubric.band_for(value).label
            row = {"series": name, "order": i, "x": x, "y": y, "principle": p.title, "score": shown,
                   "band": band_label}
            desc = f"series: {name}; principle: {p.title}; score: {one_decimal(shown)}; band: {band_label}"
            if spread and spread.get(p.id) is not None:
                lo, hi = sorted(map(float, spread[p.id]))
                row["range"] = f"{one_decimal(lo)} to {one_decimal(hi)}"
                desc += f"; range: {row['range']}"
            row["desc"] = desc
            point_rows.append(row)

    if point_rows:
        few = len(names) <= len(PALETTE)
        colour_scale = alt.Scale(domain=names, range=list(PALETTE[: len(names)]) if few else alt.Undefined)
        # Series differ by dash and point shape as well as colour (two hues alone were hard to tell apart).
        dash_scale = alt.Scale(domain=names, range=[list(d) for d in DASHES[: len(names)]]) if few else alt.Undefined
        shape_scale = alt.Scale(domain=names, range=list(SHAPES[: len(names)])) if few else alt.Undefined
        legend = alt.Legend(title=None, orient="bottom", labelFontSize=font, labelFont=FONT, symbolStrokeWidth=2.5,
                            labelLimit=0) if len(names) > 1 else None
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
        points = base.mark_point(filled=True, size=max(45, font * 4), opacity=1).encode(
            color=alt.Color("series:N", scale=colour_scale, legend=legend),
            shape=alt.Shape("series:N", scale=shape_scale, legend=legend),
            description="desc:N",
            tooltip=tooltip,
        )
        layers += [polygons, points]

    # Ring numbers last, on a white halo, along the gap between two spokes where no data is.
    ring_df = pd.DataFrame(_ring_label_rows(rubric, levels, point_rows, ppu, font))
    ring_text = {"align": "center", "baseline": "middle", "fontSize": font - 1, "font": FONT, "aria": False}
    layers.append(alt.Chart(ring_df).mark_text(**ring_text, stroke="white", strokeWidth=3, strokeJoin="round")
                  .encode(**xy(), text="text:N"))
    layers.append(alt.Chart(ring_df).mark_text(**ring_text, color="#595959").encode(**xy(), text="text:N"))
    layers.append(labels)
    if key_rows:
        layers.append(alt.Chart(pd.DataFrame([{**r, "x": r["x"] / ppu, "y": r["y"] / ppu} for r in key_rows]))
                      .mark_text(align="left", baseline="top", lineBreak="\n", fontSize=font,
                                 lineHeight=round(font * 1.22, 1), font=FONT, color=INK, aria=False)
                      .encode(**xy(), text="text:N"))

    return alt.layer(*layers).properties(
        width=size, height=round(height),
        autosize=alt.AutoSizeParams(type="pad"),
        usermeta={"numbered_spokes": numbered},
        description=_radar_description(rubric, series, target),
    ).configure_view(stroke=None).configure_legend(  # the theme's small grey legend is lost on a projector
        labelFontSize=font, labelColor=INK, symbolSize=round(font * 8.5), symbolStrokeWidth=2.5)


def numbered_spokes(chart: alt.TopLevelMixin) -> bool:
    """Whether a `radar_chart` numbers its spokes (the titles did not fit round the wheel)."""
    meta = getattr(chart, "usermeta", None)
    return isinstance(meta, dict) and bool(meta.get("numbered_spokes"))


def _label_font(size: int, n: int) -> int:
    """The labels' font size in px: about 13 px on a 720 px wide image, smaller only for phones."""
    base = 13 if size >= 600 else 12 if size >= 420 else 11
    return base - (1 if n > 30 else 0)


def _key_rows(titles: list[str], size: int, font: int, *, top: float, ppu: float) -> tuple[list[dict], float]:
    """The key of numbered spokes: "7  Whole title" in one or two columns below the wheel."""
    columns = 2 if size >= 560 else 1
    margin = 8
    column_w = (size - 2 * margin) / columns - 10
    line_height = round(font * 1.22, 1)
    items = []
    for i, title in enumerate(titles):
        lines = wrap(f"{i + 1}  {title}", column_w, font)
        items.append((lines, font * 1.15 + (len(lines) - 1) * line_height + 4))
    per_column = math.ceil(len(items) / columns)
    rows, bottom = [], top
    for c in range(columns):
        y = top
        for lines, h in items[c * per_column:(c + 1) * per_column]:
            rows.append({"x": -size / 2 + margin + c * (column_w + 10), "y": y, "text": "\n".join(lines)})
            y -= h
        bottom = min(bottom, y)
    return rows, bottom


def _ring_label_rows(rubric: Rubric, levels: list[int], point_rows: list[dict], ppu: float, font: int) -> list[dict]:
    """Ring numbers along the half-way line between two spokes, where they cover no point and no
    edge of a polygon (the first such gap clockwise from the top; the least covered if none)."""
    n = len(rubric.principles)
    spacing = ((radius(rubric, levels[-1]) - radius(rubric, levels[0])) / max(1, len(levels) - 1) * ppu
               * math.cos(math.pi / n))
    step = 1 if spacing >= font * 1.4 else 2  # 0–10 on a small wheel: every other ring
    shown_levels = [lv for k, lv in enumerate(levels) if k % step == 0 or lv == levels[-1]]
    by_series: dict[str, list[tuple[float, float]]] = {}
    for row in sorted(point_rows, key=lambda r: (r["series"], r["order"])):
        by_series.setdefault(row["series"], []).append((row["x"] * ppu, row["y"] * ppu))
    segments = [(pts[k], pts[(k + 1) % len(pts)]) for pts in by_series.values() for k in range(len(pts))
                if len(pts) > 1]
    points = [p for pts in by_series.values() for p in pts]

    along = math.cos(math.pi / n)  # a polygon ring crosses the half-way line this far out

    def boxes(phi: float) -> list[Box]:
        out = []
        for level in shown_levels:
            r = radius(rubric, level) * ppu * along
            w, h = text_width(f"{level:g}", font - 1) + 4, font + 2
            cx, cy = r * math.sin(phi), r * math.cos(phi)
            out.append((cx - w / 2, cx + w / 2, cy - h / 2, cy + h / 2))
        return out

    def covers_point(box: Box) -> bool:
        return any(_overlaps(box, (px, px, py, py), pad=6) for px, py in points)

    def hits(phi: float) -> tuple[int, int]:
        found = boxes(phi)
        return (sum(1 for box in found if covers_point(box)),
                sum(1 for box in found for a, b in segments if _segment_hits_box(a, b, box)))

    candidates = [2 * math.pi * (k + 0.5) / n for k in range(n)]
    best = min(candidates, key=lambda phi: (hits(phi), candidates.index(phi)))
    # Where even the best gap has a point under a number (many spokes, a small wheel), that number
    # is left out: the rings are still there, and the others name them.
    return [{"x": _clean(radius(rubric, lv) * along * math.sin(best)),
             "y": _clean(radius(rubric, lv) * along * math.cos(best)), "text": f"{lv:g}"}
            for lv, box in zip(shown_levels, boxes(best)) if not covers_point(box)]


def _segment_hits_box(a: tuple[float, float], b: tuple[float, float], box: Box) -> bool:
    """Whether the segment a–b passes through `box` (sampled finely: boxes are a few px)."""
    steps = max(2, int(math.hypot(b[0] - a[0], b[1] - a[1]) / 2))
    for k in range(steps + 1):
        t = k / steps
        x, y = a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t
        if box[0] <= x <= box[1] and box[2] <= y <= box[3]:
            return True
    return False


def _bar_chart(rubric: Rubric, series: Mapping[str, Mapping[str, float | None]], *,
               spread: Mapping[str, tuple[float, float]] | None, size: int) -> alt.LayerChart:
    """One or two principles: a bar per principle and series on the scale, whole titles above."""
    low, high = rubric.scale.low, rubric.scale.high
    target = rubric.bands[0].min
    font = _label_font(size, 1)
    names = list(series)
    floor = low - (high - low) / 20  # bars start a little below the scale: a lowest score is still a bar
    bar_h, gap = 22, 6
    rows, titles, y = [], [], 0.0
    for p in rubric.principles:
        lines = wrap(" ".join(p.title.split()), size - 20, font + 1)
        titles.append({"y": y, "text": "\n".join(lines)})
        y += (font + 1) * 1.3 * len(lines) + 4
        for name in names:
            value = _value(series[name], p.id)
            shown = None if value is None else rounded(value)
            band_label = "" if value is None else rubric.band_for(value).label
            desc = (f"series: {name}; principle: {p.title}; score: {one_decimal(shown)}"
                    + (f"; band: {band_label}" if value is not None else "; not enough answers"))
            if spread and spread.get(p.id) is not None and value is not None:
                lo, hi = sorted(map(float, spread[p.id]))
                desc += f"; range: {one_decimal(lo)} to {one_decimal(hi)}"
            rows.append({"series": name, "principle": p.title, "score": shown, "band": band_label,
                         "x0": floor, "x": floor if value is None else min(max(value, low), high),
                         "y0": y, "y1": y + bar_h, "ty": y + bar_h / 2, "desc": desc,
                         "text": one_decimal(shown) if value is not None else "not enough answers"})
            y += bar_h + 3
        y += gap + 10
    height = y + 4
    x = alt.Scale(domain=[floor, high], nice=False, zero=False)
    yscale = alt.Scale(domain=[0, height], reverse=True, nice=False, zero=False)
    colour_scale = alt.Scale(domain=names, range=list(PALETTE[: len(names)]) if len(names) <= len(PALETTE)
                             else alt.Undefined)
    legend = alt.Legend(title=None, orient="bottom", labelFontSize=font, labelFont=FONT) if len(names) > 1 else None
    data = pd.DataFrame(rows)
    axis = alt.Axis(values=[p.value for p in rubric.scale.points], title=None, grid=True, labelFontSize=font,
                    labelFont=FONT, tickCount=len(rubric.scale.points), format="d")
    bars = alt.Chart(data).mark_bar(opacity=0.85).encode(
        x=alt.X("x0:Q", scale=x, axis=axis), x2="x:Q",
        y=alt.Y("y0:Q", scale=yscale, axis=None), y2="y1:Q",
        color=alt.Color("series:N", scale=colour_scale, legend=legend), description="desc:N",
        tooltip=[alt.Tooltip("series:N", title="Series"), alt.Tooltip("principle:N", title="Principle"),
                 alt.Tooltip("score:Q", title="Score", format=".1f"), alt.Tooltip("band:N", title="Band")],
    )
    values = alt.Chart(data).mark_text(align="left", baseline="middle", dx=4, fontSize=font, font=FONT,
                                       color=INK, aria=False).encode(
        x=alt.X("x:Q", scale=x), y=alt.Y("ty:Q", scale=yscale), text="text:N")
    title_layer = alt.Chart(pd.DataFrame(titles)).mark_text(
        align="left", baseline="top", lineBreak="\n", fontSize=font + 1, fontWeight="bold", font=FONT, color=INK,
        lineHeight=round((font + 1) * 1.3, 1), aria=False,
    ).encode(x=alt.value(0), y=alt.Y("y:Q", scale=yscale), text="text:N")  # titles from the left edge
    target_rule = alt.Chart(pd.DataFrame([{"t": target}])).mark_rule(
        stroke=TARGET_COLOUR, strokeDash=[4, 3], strokeWidth=1.5, aria=False).encode(x=alt.X("t:Q", scale=x))
    description = (f"Bar chart of {len(rubric.principles)} principle{'s' if len(rubric.principles) != 1 else ''}, "
                   f"scored from {low} to {high}; a dashed line marks {one_decimal(target)}, where "
                   f"'{rubric.bands[0].label}' begins. "
                   + " ".join(f"{name}: {_extremes([(p.title, v) for p in rubric.principles if (v := _value(series[name], p.id)) is not None], len(rubric.principles))}"
                              for name in names))
    return alt.layer(target_rule, bars, values, title_layer).properties(
        width=size - 60, height=round(height), autosize=alt.AutoSizeParams(type="pad"), description=description,
    ).configure_view(stroke=None)


def _radar_description(rubric: Rubric, series: Mapping[str, Mapping[str, float | None]], target: float) -> str:
    low, high = rubric.scale.low, rubric.scale.high
    n = len(rubric.principles)
    parts = [f"Radar chart of {n} principles, scored from {low} to {high}; "
             f"a dashed ring marks {one_decimal(target)}, where '{rubric.bands[0].label}' begins."]
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


def result_radar(result: Result, *, name: str = "You", size: int = 720) -> alt.LayerChart:
    """The radar of one result, as one series called `name`."""
    return radar_chart(result.rubric, {name: {p.id: p.score for p in result.principles}}, size=size)


# ---------------------------------------------------------------------------------------------
# Beachball
# ---------------------------------------------------------------------------------------------

def beachball_chart(result: Result, *, size: int = 480) -> alt.LayerChart:
    """The elements (the rubric's groupings, 1 to 12) as equal segments of a ball, each coloured by
    its score (grey: no score). Each segment's score is written inside it; its whole title outside,
    wrapped between words, placed so that no two titles overlap. `size` is the image's width in px."""
    rubric = result.rubric
    low, high = rubric.scale.low, rubric.scale.high
    n = len(result.elements)
    with_principles = {p.element for p in rubric.principles}
    half = size / 2
    font = _label_font(size, n)
    mids = [2 * math.pi * (i + 0.5) / n for i in range(n)] if n > 1 else [0.0]
    titles = [" ".join(e.title.split()) for e in result.elements]
    placed, ball = None, half * 0.5
    for share in (0.5, 0.46, 0.42, 0.38, 0.34, 0.3):
        ball = half * share
        placed = layout_around(titles, mids, half_width=half - 2, ring=ball, gap=8, size=font)
        if placed:
            break
    if placed is None:  # titles too long for any layout: narrower lines, even if taller
        ball = half * 0.3
        placed = layout_around(titles, mids, half_width=half - 2, ring=ball, gap=8, size=font - 1, max_lines=8) or []
    top = max([ball] + [p.box[3] for p in placed]) + 4
    bottom = min([-ball] + [p.box[2] for p in placed]) - 4
    x_scale = alt.Scale(domain=[-half, half], nice=False, zero=False)
    y_scale = alt.Scale(domain=[bottom, top], nice=False, zero=False)
    centre = {"x": alt.value(half), "y": alt.value(top)}  # pixels from the top left
    gradient = min(240, size - 60)  # the colour legend, centred under the ball

    rows = []
    for i, e in enumerate(result.elements):
        shown = None if e.score is None else rounded(e.score)
        if e.score is not None:
            band = e.band.label
        else:
            band = NOT_ENOUGH if e.id in with_principles else NOT_COVERED
        inner = ball * 0.62 if n > 1 else 0.0
        rows.append({
            "order": i, "t0": 2 * math.pi * i / n, "t1": 2 * math.pi * (i + 1) / n,
            "element": e.title, "score": shown, "band": band, "text": _fmt(shown),
            "sx": _clean(inner * math.sin(mids[i])), "sy": _clean(inner * math.cos(mids[i])),
            "desc": f"element: {e.title}; score: {_fmt(shown)}; band: {band}",
        })
    data = pd.DataFrame(rows)
    colour = alt.Color(
        "score:Q",
        scale=alt.Scale(domain=[low + (high - low) * k / 4 for k in range(5)], range=list(SCORE_RANGE), clamp=True),
        legend=alt.Legend(title="Score", orient="none", direction="horizontal", gradientLength=gradient,
                          legendX=half - gradient / 2, legendY=top - bottom + 10, titleAnchor="middle",
                          values=[p.value for p in rubric.scale.points], labelFontSize=font - 1, labelFont=FONT,
                          titleFontSize=font - 1, titleFont=FONT),
    )
    arcs = alt.Chart(data).mark_arc(outerRadius=ball, stroke="white", strokeWidth=2, invalid=None).encode(
        theta=alt.Theta("t0:Q", scale=None), theta2="t1:Q", **centre,
        color=alt.when("datum.score === null").then(alt.value(MISSING_COLOUR)).otherwise(colour),
        description="desc:N",
        tooltip=[alt.Tooltip("element:N", title="Element"), alt.Tooltip("score:Q", title="Score", format=".1f"),
                 alt.Tooltip("band:N", title="Band")],
    )
    scores = alt.Chart(data).mark_text(fontSize=font + 1, fontWeight="bold", font=FONT, color="#111111",
                                       baseline="middle", aria=False).encode(
        x=alt.X("sx:Q", scale=x_scale, axis=None), y=alt.Y("sy:Q", scale=y_scale, axis=None), text="text:N")
    label_rows = [{"x": p.x, "y": p.y_top, "align": p.align, "label": "\n".join(p.lines)} for p in placed]
    labels = alt.Chart(pd.DataFrame(label_rows)).mark_text(
        align=alt.ExprRef("datum.align"), baseline="top", lineBreak="\n", fontSize=font,
        lineHeight=round(font * 1.22, 1), font=FONT, color=INK, aria=False,
    ).encode(x=alt.X("x:Q", scale=x_scale, axis=None), y=alt.Y("y:Q", scale=y_scale, axis=None), text="label:N")
    scored = [(e.title, e.score) for e in result.elements if e.score is not None]
    description = (f"Beachball of {n} element{'s' if n != 1 else ''}, each coloured by its score from {low} to "
                   f"{high}; grey means no score. {_extremes(scored, n, noun='elements')}")
    return alt.layer(arcs, scores, labels).properties(
        width=size, height=round(top - bottom), autosize=alt.AutoSizeParams(type="pad"), description=description,
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
    shown = [(title, rounded(value)) for title, value in scored]
    top, bottom = max(v for _, v in shown), min(v for _, v in shown)
    if len(shown) == 1:
        text = f"Only one {singular} has a score: {shown[0][0]} ({one_decimal(top)})."
    elif top == bottom:
        text = f"All {len(shown)} scored {noun} are at {one_decimal(top)}."
    else:
        best = [t for t, v in shown if v == top]
        worst = [t for t, v in shown if v == bottom]
        text = f"Strongest: {_names(best)} ({one_decimal(top)}). Weakest: {_names(worst)} ({one_decimal(bottom)})."
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
