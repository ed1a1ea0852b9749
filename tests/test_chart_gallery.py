"""The chart gallery: radar and beachball for rubrics of 1 to 60 principles, three scales and 4,
6 or 12 groupings, measured on the SVG that vl-convert draws (as in the app, the PDF and the
exports): no title cut with "…", every title whole and split only between words, no text outside
the image, no two texts overlapping, no text on a data point. The PNGs are kept in
tests/artifacts/gallery/ for a person to look at."""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from joiningforces import charts
from joiningforces.report import radar_png, radar_svg
from joiningforces.scoring import score
from tests.gallery import gallery_rubric, varied_answers

ARTIFACTS = Path(__file__).parent / "artifacts" / "gallery"
SVG = "{http://www.w3.org/2000/svg}"
PRINCIPLES = [1, 2, 3, 12, 22, 60]
SCALES = ["1-5", "1-7", "0-10"]
GROUPINGS = itertools.cycle([4, 6, 12])
CASES = [(n, scale, next(GROUPINGS)) for n in PRINCIPLES for scale in SCALES]
SIZES = {"page": 720, "phone": 340}  # the results page, PNG and PDF; a participant's phone


def _translate(transform: str | None) -> tuple[float, float]:
    assert not transform or "rotate" not in transform and "scale" not in transform, transform
    x = y = 0.0
    for dx, dy in re.findall(r"translate\(([-\d.e]+),\s*([-\d.e]+)\)", transform or ""):
        x, y = x + float(dx), y + float(dy)
    return x, y


def measure(svg: str) -> tuple[float, float, list[dict], list[tuple[float, float]]]:
    """The image's size, every text (its lines and box) and every data point's centre, in px."""
    root = ET.fromstring(svg)
    width, height = float(root.get("width")), float(root.get("height"))
    texts, points = [], []

    def walk(node, ox: float, oy: float, in_symbols: bool) -> None:
        dx, dy = _translate(node.get("transform"))
        x, y = ox + dx, oy + dy
        symbols = in_symbols or "mark-symbol" in (node.get("class") or "")
        if node.tag == f"{SVG}text":
            size = float(node.get("font-size", "11px").rstrip("px"))
            spans = node.findall(f"{SVG}tspan")
            lines = [(t.text or "", float(t.get("dy", 0))) for t in spans] if spans else [(node.text or "", 0.0)]
            baselines, base = [], y
            for _, step in lines:
                base += step
                baselines.append(base)
            widest = max(charts.text_width(text, size) for text, _ in lines)
            anchor = node.get("text-anchor", "start")
            x0 = x if anchor == "start" else x - widest if anchor == "end" else x - widest / 2
            texts.append({"lines": [t for t, _ in lines], "box": (x0, x0 + widest, baselines[0] - 0.76 * size,
                                                                   baselines[-1] + 0.24 * size),
                          "at": (round(x, 1), round(y, 1))})
            return
        if symbols and node.tag == f"{SVG}path" and (node.get("aria-label") or "").startswith("series:"):
            points.append((x, y))
        for child in node:
            walk(child, x, y, symbols)

    walk(root, 0.0, 0.0, False)
    # A halo is the same text drawn twice at the same place: measure it once.
    unique = {(tuple(t["lines"]), t["at"]): t for t in texts}
    return width, height, list(unique.values()), points


def overlaps(a, b, pad: float = 0.5) -> bool:
    return a[0] < b[1] - pad and b[0] < a[1] - pad and a[2] < b[3] - pad and b[2] < a[3] - pad


def check_picture(svg: str, titles: list[str], name: str) -> None:
    width, height, texts, points = measure(svg)
    joined = [" ".join(" ".join(t["lines"]).split()) for t in texts]
    assert not any("…" in text for text in joined), name
    for title in titles:  # whole, and wrapped only between words (a split word would not match)
        assert any(text == title or text.endswith(f" {title}") for text in joined), f"{name}: {title!r} not whole"
    for t in texts:
        x0, x1, y0, y1 = t["box"]
        assert x0 >= -1 and y0 >= -1 and x1 <= width + 1 and y1 <= height + 1, f"{name}: {t['lines']} outside"
    for a, b in itertools.combinations(texts, 2):
        assert not overlaps(a["box"], b["box"]), f"{name}: {a['lines']} overlaps {b['lines']}"
    for t in texts:
        for px, py in points:
            assert not overlaps(t["box"], (px - 3.5, px + 3.5, py - 3.5, py + 3.5)), \
                f"{name}: {t['lines']} covers a data point at {px:.0f},{py:.0f}"


@pytest.fixture(scope="module")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.mark.parametrize("principles, scale, groupings", CASES,
                         ids=[f"{n}p-{s}-{g}g" for n, s, g in CASES])
def test_radar_and_beachball_are_legible(principles, scale, groupings, artifacts):
    rubric = gallery_rubric(principles, scale, groupings)
    result = score(rubric, varied_answers(rubric))
    assert len(rubric.principles) == principles and len(rubric.elements) == groupings
    titles = [p.title for p in rubric.principles]
    for where, size in SIZES.items():
        if where == "phone" and scale != "1-5":
            continue  # the phone size once per rubric size is enough to keep the test quick
        name = f"{principles}p-{scale}-{groupings}g-{where}"
        radar = charts.result_radar(result, size=size).to_dict(validate=False)
        check_picture(radar_svg(radar), titles, f"radar {name}")
        ball = charts.beachball_chart(result, size=min(size, 480)).to_dict(validate=False)
        check_picture(radar_svg(ball), [e.title for e in rubric.elements], f"beachball {name}")
        (artifacts / f"radar-{name}.png").write_bytes(radar_png(radar, scale=1))
        (artifacts / f"beachball-{name}.png").write_bytes(radar_png(ball, scale=1))
