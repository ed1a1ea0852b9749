"""What a page shows that AppTest does not read back directly: server-drawn charts, Markdown tables."""

from __future__ import annotations

import base64
import re

import pandas as pd


def chart_images(at) -> list[tuple[str, str]]:
    """(SVG text, alt text) of every chart drawn as an image, in page order."""
    found = []

    def walk(node):
        for child in getattr(node, "children", {}).values():
            if getattr(child, "type", None) == "image":
                for img in child.proto.imgs:
                    found.append((base64.b64decode(img.url.split(",", 1)[1]).decode(), img.alt))
            walk(child)

    walk(at._tree)
    return found


def radar_scores(alt: str) -> dict[str, float]:
    """Principle title -> score, from a radar image's alt text (every point's label is in it)."""
    return {title: float(value) for title, value in re.findall(r"principle: (.+?); score: ([\d.]+);", alt)}


_CELL_SPLIT = re.compile(r"(?<!\\)\|")


def tables(at) -> list[pd.DataFrame]:
    """Every table drawn by `ui.table` (Markdown), as strings exactly as written in the Markdown
    (cells keep `ui.plain`'s escapes, bar `\\|`); bold first-column cells are the index."""
    found = []
    for element in at.markdown:
        lines = element.value.splitlines()
        if len(lines) < 2 or not lines[0].startswith("|") or not re.fullmatch(r"\|( ?:?-+:? ?\|)+", lines[1]):
            continue
        def cells(line):
            return [c.strip().replace("\\|", "|") for c in _CELL_SPLIT.split(line)[1:-1]]
        header, rows = cells(lines[0]), [cells(line) for line in lines[2:]]
        bold = [r[0] for r in rows]
        if rows and all(c.startswith("**") and c.endswith("**") and len(c) >= 4 for c in bold):
            frame = pd.DataFrame([r[1:] for r in rows], columns=header[1:],
                                 index=pd.Index([c[2:-2] for c in bold], name=header[0] or None))
        else:
            frame = pd.DataFrame(rows, columns=header)
        found.append(frame)
    return found
