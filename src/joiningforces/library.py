"""Where rubrics live: a folder of TOML files, chosen by rubric id (never by a path from a user)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .loader import Problem, RubricError, load_rubric
from .models import Rubric

ENV_DIR = "JOININGFORCES_RUBRIC_DIR"
DEFAULT_ID = "joining-forces"
QUICK_ID = "quick-check"
_CHECKOUT_DIR = Path(__file__).resolve().parents[2] / "rubric"
_PACKAGED_DIR = Path(__file__).resolve().parent / "rubrics"


def rubric_dir() -> Path:
    """The library folder: $JOININGFORCES_RUBRIC_DIR, else the checkout's rubric/, else the packaged copy."""
    if os.environ.get(ENV_DIR):
        return Path(os.environ[ENV_DIR])
    return _CHECKOUT_DIR if _CHECKOUT_DIR.is_dir() else _PACKAGED_DIR


@dataclass(frozen=True)
class Library:
    rubrics: dict[str, Rubric]
    errors: dict[str, RubricError]  # file name -> why it could not be loaded
    texts: dict[str, str]  # rubric id -> the TOML it was loaded from (saved with each assessment)

    def get(self, rubric_id: str) -> Rubric:
        return self.rubrics[rubric_id]


def load_library(folder: Path | None = None) -> Library:
    folder = folder or rubric_dir()
    rubrics: dict[str, Rubric] = {}
    errors: dict[str, RubricError] = {}
    texts: dict[str, str] = {}
    owners: dict[str, str] = {}
    for path in sorted(folder.glob("*.toml")):
        try:
            rubric = load_rubric(path, name=path.name)
        except RubricError as exc:
            errors[path.name] = exc
            continue
        if rubric.id in rubrics:
            errors[path.name] = RubricError([Problem(path.name, None, None, "id",
                                                     f"the rubric id '{rubric.id}' is already used by "
                                                     f"{owners[rubric.id]}; give this rubric its own id.")])
            continue
        rubrics[rubric.id] = rubric
        owners[rubric.id] = path.name
        texts[rubric.id] = path.read_text(encoding="utf-8-sig")
    # The default first, the quick check second, the rest by title: the order a chooser shows.
    order = {DEFAULT_ID: 0, QUICK_ID: 1}
    ranked = sorted(rubrics.values(), key=lambda r: (order.get(r.id, 2), r.title.lower()))
    return Library({r.id: r for r in ranked}, errors, texts)


@lru_cache(maxsize=4)
def default_rubric(rubric_id: str = DEFAULT_ID) -> Rubric:
    """One of the shipped rubrics, loaded once per process."""
    return load_rubric(rubric_dir() / f"{rubric_id}.toml")
