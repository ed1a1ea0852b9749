"""Chart builders: geometry checked by hand, the spec's layers, and the aria-labels in the SVG."""

from __future__ import annotations

import copy
import math
import re
from pathlib import Path

import pytest

from joiningforces import charts
from joiningforces.loader import load_rubric
from joiningforces.models import Rubric
from joiningforces.report import radar_svg
from joiningforces.scoring import score

SMALL = Path(__file__).parent / "data" / "small.toml"


def four_rubric() -> Rubric:
    """small.toml grown to four principles on four elements (one element has no principle).

    Spokes of four principles point up, right, down and left, so positions are easy to check.
    """
    data = load_rubric(SMALL).model_dump()
    data["elements"] = [
        data["elements"][0],
        {"id": "power", "title": "Sharing power", "description": "Power is shared."},
        {"id": "listening", "title": "Listening to each other", "description": "We listen."},
        data["elements"][1],
    ]
    data["principles"] = list(data["principles"]) + [
        {"id": "voice", "title": "Voices heard", "element": "listening", "description": "Everyone is heard.",
         "source": "jf-imbalances", "statements": [{"id": "voice-1", "text": "People we serve are heard."},
                                                   {"id": "voice-2", "text": "Front-line staff are heard."}]},
        {"id": "learning", "title": "Learning rather than control", "element": "joining-forces",
         "description": "We learn together.", "source": "jf-imbalances",
         "statements": [{"id": "learn-1", "text": "We try new things."},
                        {"id": "learn-2", "text": "We learn from what fails."}]},
    ]
    data["practices"] = list(data["practices"]) + [
        {"id": "learning-review", "name": "Learning reviews", "what": "Look back together without blame.",
         "why": "It makes it safe to learn.", "first_steps": ["Pick one project.", "Ask what we learned."],
         "helps": ["learning", "voice"], "source": "jf-imbalances"},
    ]
    return Rubric.model_validate(data)


# trust 2.0 (trust-2 is reverse-scored: 4 counts as 2), shared purpose 4.5, voices: none, learning 3.5
KNOWN = {"trust-1": 2, "trust-2": 4, "purpose-1": 5, "purpose-2": 4, "purpose-3": None,
         "voice-1": None, "learn-1": 3, "learn-2": 4}


@pytest.fixture(scope="module")
def rubric() -> Rubric:
    return four_rubric()


@pytest.fixture(scope="module")
def result(rubric):
    return score(rubric, KNOWN)


def rows_of(spec: dict, layer: dict) -> list[dict]:
    return spec["datasets"][(layer.get("data") or spec["data"])["name"]]


def find_layer(spec: dict, mark: str, predicate=lambda layer: True) -> dict:
    found = [layer for layer in spec["layer"] if _mark(layer) == mark and predicate(layer)]
    assert len(found) == 1, f"expected one {mark} layer, found {len(found)}"
    return found[0]


def _mark(layer: dict) -> str:
    return layer["mark"] if isinstance(layer["mark"], str) else layer["mark"]["type"]


def test_radius_is_the_score_on_a_one_to_five_scale(rubric):
    assert [charts.radius(rubric, s) for s in (1, 2.5, 4, 5)] == [1, 2.5, 4, 5]


def test_points_sit_at_r_sin_theta_r_cos_theta(result):
    spec = charts.result_radar(result).to_dict()
    points = rows_of(spec, find_layer(spec, "point"))
    by_principle = {row["principle"]: row for row in points}
    # Voices heard has no score: no point. The other three at 0°, 90° and 270°.
    assert set(by_principle) == {"Trust and no surprises", "Shared purpose", "Learning rather than control"}
    trust, purpose, learning = (by_principle[t] for t in
                                ("Trust and no surprises", "Shared purpose", "Learning rather than control"))
    assert (trust["x"], trust["y"]) == pytest.approx((0.0, 2.0))
    assert (purpose["x"], purpose["y"]) == pytest.approx((4.5, 0.0), abs=1e-9)
    assert (learning["x"], learning["y"]) == pytest.approx((-3.5, 0.0), abs=1e-9)
    assert [trust["score"], purpose["score"], learning["score"]] == [2.0, 4.5, 3.5]
    assert all(row["series"] == "You" for row in points)
    assert trust["desc"] == "series: You; principle: Trust and no surprises; score: 2.0; band: Concern"


def test_polygon_skips_unscored_principles_but_spokes_and_labels_stay(result):
    spec = charts.result_radar(result).to_dict()
    polygon = find_layer(spec, "line", lambda layer: layer["encoding"].get("color", {}).get("field") == "series")
    assert polygon["mark"]["interpolate"] == "linear-closed"
    assert polygon["encoding"]["order"]["field"] == "order"
    vertices = rows_of(spec, polygon)
    assert [row["order"] for row in vertices] == [0, 1, 3]  # spoke 2 (Voices heard) is left out
    labels = rows_of(spec, find_layer(spec, "text", lambda layer: layer["encoding"]["text"]["field"] == "label"))
    # Whole titles, never cut (wrapped between words where they need more than one line).
    assert [" ".join(row["label"].split()) for row in labels] == ["Trust and no surprises", "Shared purpose",
                                                                  "Voices heard", "Learning rather than control"]
    assert labels[2]["ink"] != labels[0]["ink"]  # the unscored principle's label is greyed
    assert [row["align"] for row in labels] == ["center", "left", "center", "right"]
    spokes = rows_of(spec, find_layer(spec, "rule"))
    assert len(spokes) == 4
    assert (spokes[2]["x"], spokes[2]["y"]) == pytest.approx((0.0, -5.0), abs=1e-9)


def test_rings_target_and_one_unit_per_axis(rubric, result):
    spec = charts.result_radar(result, size=400).to_dict()
    assert spec["width"] == 400 and spec["height"] > 0
    assert spec["autosize"] == {"type": "pad"}
    rings = rows_of(spec, find_layer(spec, "line", lambda layer: "detail" in layer["encoding"]
                                     and layer["encoding"]["detail"]["field"] == "level"))
    assert sorted({row["level"] for row in rings}) == [1, 2, 3, 4, 5]
    assert len(rings) == 5 * 4
    target = find_layer(spec, "line", lambda layer: "strokeDash" in layer["mark"])
    radii = {round(math.hypot(row["x"], row["y"]), 9) for row in rows_of(spec, target)}
    assert radii == {4.0}
    # No axes; x centred on the wheel; a unit is as many pixels across as up (a round wheel).
    x = spec["layer"][0]["encoding"]["x"]
    y = spec["layer"][0]["encoding"]["y"]
    assert x["axis"] is None and y["axis"] is None
    assert x["scale"]["domain"][0] == -x["scale"]["domain"][1]
    x_px = spec["width"] / (x["scale"]["domain"][1] - x["scale"]["domain"][0])
    y_px = spec["height"] / (y["scale"]["domain"][1] - y["scale"]["domain"][0])
    assert x_px == pytest.approx(y_px, rel=0.01)
    assert "Radar chart of 4 principles" in spec["description"]
    assert "Weakest: Trust and no surprises (2.0)" in spec["description"]


def test_several_series_get_distinct_colour_blind_safe_colours_and_a_spread_band(rubric):
    chart = charts.radar_chart(rubric, {"You": {"trust": 2, "shared-purpose": 4},
                                        "Group": {"trust": 3.26, "shared-purpose": 4, "learning": 1}},
                               spread={"trust": (4.5, 1.5)})
    spec = chart.to_dict()
    points = find_layer(spec, "point")
    assert points["encoding"]["color"]["scale"] == {"domain": ["You", "Group"], "range": list(charts.PALETTE[:2])}
    rows = rows_of(spec, points)
    assert len(rows) == 5
    group_trust = next(r for r in rows if r["series"] == "Group" and r["principle"] == "Trust and no surprises")
    assert group_trust["score"] == 3.3  # shown to one decimal
    assert group_trust["range"] == "1.5 to 4.5"
    band = find_layer(spec, "line", lambda layer: layer["mark"].get("fill") == "#7f7f7f")
    band_rows = rows_of(spec, band)
    # Outer edge at 4.5 and inner edge at 1.5 on the trust spoke (straight up).
    assert {round(r["y"], 9) for r in band_rows} == {4.5, 1.5}


@pytest.mark.parametrize("n", [3, 12, 22, 30])
def test_any_number_of_principles_gets_one_spoke_and_label_each(n):
    data = four_rubric().model_dump()
    template = data["principles"][0]
    principles = []
    for i in range(n):
        p = copy.deepcopy(template)
        p["id"] = f"p{i}"
        p["title"] = f"Principle number {i} with a rather long title that stays whole"
        p["element"] = "relationships"
        p["statements"] = [{"id": f"s{i}-{j}", "text": "A statement."} for j in range(2)]
        principles.append(p)
    data["principles"] = principles
    data["practices"] = [dict(data["practices"][0], helps=[p["id"] for p in principles])]
    big = Rubric.model_validate(data)
    result = score(big, {f"s{i}-0": 1 + i % 5 for i in range(n)})
    spec = charts.result_radar(result).to_dict()
    assert len(rows_of(spec, find_layer(spec, "rule"))) == n
    labels = rows_of(spec, find_layer(spec, "text", lambda layer: layer["encoding"]["text"]["field"] == "label"))
    assert len(labels) == n
    shown = " ".join(row["label"] for row in labels) + " " + " ".join(
        row.get("text", "") for layer in spec["layer"] for row in rows_of(spec, layer) if isinstance(row.get("text"), str))
    assert "…" not in shown
    for i in range(n):  # every title whole: beside its spoke, or in the key of numbered spokes
        assert f"Principle number {i} with a rather long title that stays whole" in " ".join(shown.split())
    assert len(rows_of(spec, find_layer(spec, "point"))) == n
    for row in rows_of(spec, find_layer(spec, "point")):
        i = int(row["principle"].split()[2])
        theta = 2 * math.pi * i / n
        assert row["x"] == pytest.approx(row["score"] * math.sin(theta), abs=1e-9)
        assert row["y"] == pytest.approx(row["score"] * math.cos(theta), abs=1e-9)


def test_svg_points_carry_principle_and_score_in_their_aria_labels(result):
    svg = radar_svg(charts.result_radar(result))
    labels = re.findall(r'aria-label="([^"]*)"', svg)
    assert "series: You; principle: Trust and no surprises; score: 2.0; band: Concern" in labels
    assert "series: You; principle: Shared purpose; score: 4.5; band: Strength" in labels
    assert not any("Voices heard" in label for label in labels)  # no score, no point
    assert not any(label.startswith("x:") for label in labels)  # decorations are hidden


def test_beachball_has_one_arc_per_element_and_grey_for_no_score(result):
    chart = charts.beachball_chart(result)
    spec = chart.to_dict()
    assert spec["autosize"] == {"type": "pad"}
    arcs = find_layer(spec, "arc")
    rows = rows_of(spec, arcs)
    assert [(r["element"], r["score"], r["band"]) for r in rows] == [
        ("Putting relationships first", 2.0, "Concern"),
        ("Sharing power", None, "not covered"),
        ("Listening to each other", None, "not enough answers"),
        ("Joining forces", 4.0, "Strength"),
    ]
    assert arcs["encoding"]["color"]["condition"] == {"test": "datum.score === null", "value": charts.MISSING_COLOUR}
    assert arcs["encoding"]["color"]["scale"]["domain"] == [1, 2, 3, 4, 5]
    svg = radar_svg(chart)
    paths = re.findall(r"<path [^>]*aria-label=\"element: [^>]*>", svg)
    assert len(paths) == 4
    grey = [p for p in paths if f'fill="{charts.MISSING_COLOUR}"' in p]
    assert len(grey) == 2
    assert all("score: —" in p for p in grey)
    assert any("Joining forces; score: 4.0; band: Strength" in p for p in paths)


def test_summary_sentence(rubric, result):
    assert charts.summary_sentence(result) == (
        "Strongest: Shared purpose (4.5). Weakest: Trust and no surprises (2.0). "
        "1 of 4 principles does not have enough answers.")
    tie = score(rubric, {**KNOWN, "learn-1": 5, "learn-2": 4})
    assert charts.summary_sentence(tie) == (
        "Strongest: Shared purpose and Learning rather than control (4.5). Weakest: Trust and no surprises (2.0). "
        "1 of 4 principles does not have enough answers.")
    assert charts.summary_sentence(score(rubric, {})) == "No principle has enough answers yet to be scored."
    one = score(rubric, {"trust-1": 3, "trust-2": 3})
    assert charts.summary_sentence(one) == (
        "Only one principle has a score: Trust and no surprises (3.0). 3 of 4 principles do not have enough answers.")
    same = score(rubric, {"trust-1": 3, "trust-2": 3, "learn-1": 3, "learn-2": 3, "voice-1": 3, "voice-2": 3,
                          "purpose-1": 3, "purpose-2": 3, "purpose-3": 3})
    assert charts.summary_sentence(same) == "All 4 scored principles are at 3.0."


def test_wrap_breaks_between_words_only():
    assert charts.wrap("Trust and no surprises", 90, 13) == ["Trust and no", "surprises"]
    assert charts.wrap("Environmental sustainability", 40, 13) == ["Environmental", "sustainability"]
    assert charts.wrap("Short", 300, 13) == ["Short"]


@pytest.mark.parametrize("n", [1, 2])
def test_one_or_two_principles_get_a_bar_chart(n):
    data = four_rubric().model_dump()
    data["principles"] = data["principles"][:n]
    data["practices"] = [dict(data["practices"][0], helps=[p["id"] for p in data["principles"]])]
    small = Rubric.model_validate(data)
    answers = {"trust-1": 2, "trust-2": 4, "purpose-1": 5, "purpose-2": 4}
    spec = charts.result_radar(score(small, {k: v for k, v in answers.items() if n > 1 or k.startswith("trust")})).to_dict()
    bars = find_layer(spec, "bar")
    rows = rows_of(spec, bars)
    assert [r["principle"] for r in rows] == [p["title"] for p in data["principles"]]
    assert rows[0]["desc"] == "series: You; principle: Trust and no surprises; score: 2.0; band: Concern"
    assert spec["description"].startswith(f"Bar chart of {n} principle")


def test_missing_nan_and_off_scale_values(rubric):
    spec = charts.radar_chart(rubric, {"Group": {"trust": float("nan"), "shared-purpose": None,
                                                 "voice": 9, "learning": "n/a"}}).to_dict()
    rows = rows_of(spec, find_layer(spec, "point"))
    assert [(r["principle"], r["score"]) for r in rows] == [("Voices heard", 9.0)]
    assert (rows[0]["x"], rows[0]["y"]) == pytest.approx((0.0, -5.0), abs=1e-9)  # drawn at the edge


def test_a_lowest_score_is_still_a_visible_bar():
    data = four_rubric().model_dump()
    data["principles"] = data["principles"][:1]
    data["practices"] = [dict(data["practices"][0], helps=["trust"])]
    one = Rubric.model_validate(data)
    spec = charts.result_radar(score(one, {"trust-1": 1, "trust-2": 5})).to_dict()  # trust-2 is reversed: 1
    [row] = rows_of(spec, find_layer(spec, "bar"))
    assert row["score"] == 1.0 and row["x"] > row["x0"]
