"""Shared fixtures: the small example rubric (tests/data/small.toml) as text and loaded, and
helpers to edit its text and find lines in it."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from joiningforces.loader import load_rubric
from joiningforces.models import Rubric

# The app saves to $JOININGFORCES_DATA_DIR (default ./data): keep test runs out of the checkout.
os.environ.setdefault("JOININGFORCES_DATA_DIR", tempfile.mkdtemp(prefix="joiningforces-test-data-"))

DATA = Path(__file__).parent / "data"
SMALL_PATH = DATA / "small.toml"


@pytest.fixture(scope="session")
def small_rubric_path() -> Path:
    return SMALL_PATH


@pytest.fixture(scope="session")
def small_rubric_text() -> str:
    return SMALL_PATH.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def small_rubric(small_rubric_text: str) -> Rubric:
    return load_rubric(small_rubric_text)


def replace_once(text: str, old: str, new: str, occurrence: int = 1) -> str:
    """`text` with the `occurrence`-th (1-based) `old` replaced by `new`; fails loudly if absent."""
    start = -1
    for _ in range(occurrence):
        start = text.find(old, start + 1)
        assert start >= 0, f"{old!r} (occurrence {occurrence}) is not in the text"
    return text[:start] + new + text[start + len(old):]


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based number of the line holding the `occurrence`-th `needle`."""
    start = -1
    for _ in range(occurrence):
        start = text.find(needle, start + 1)
        assert start >= 0, f"{needle!r} (occurrence {occurrence}) is not in the text"
    return text.count("\n", 0, start) + 1


FAIRNESS = '''
[[principles]]
id = "fairness"
title = "Fair shares"
element = "relationships"
description = "Costs and credit are shared fairly."
source = "jf-imbalances"

  [[principles.statements]]
  id = "fair-1"
  text = "Costs fall fairly on each partner."

  [[principles.statements]]
  id = "fair-2"
  text = "The larger partners take the credit."
  reverse = true

[[practices]]
id = "open-books"
name = "Open books"
what = "Partners show each other what the work costs them."
why = "Hidden costs breed resentment."
first_steps = ["List what each partner puts in.", "Review the list together every six months."]
helps = ["fairness", "trust"]
source = "jf-imbalances"
'''


@pytest.fixture(scope="session")
def three_rubric(small_rubric_text: str) -> Rubric:
    """The small rubric plus a third principle, 'fairness' (element relationships, fair-2 reversed),
    and a fourth practice 'open-books' that helps fairness and trust."""
    return load_rubric(small_rubric_text + FAIRNESS)
