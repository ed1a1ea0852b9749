"""The shipped rubrics (2.0): balanced across the beachball, guarded against agreeable answering,
the quick check a true subset of the full one, and written in the project's own words."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from pathlib import Path

import pytest

from joiningforces import lint
from joiningforces.library import DEFAULT_ID, QUICK_ID, default_rubric, rubric_dir
from joiningforces.models import Rubric

FULL = default_rubric(DEFAULT_ID)
QUICK = default_rubric(QUICK_ID)
SEEDS = Path(__file__).parent / "data" / "seeds"


@pytest.mark.parametrize("rubric", [FULL, QUICK], ids=["full", "quick"])
def test_shipped_rubrics_are_version_2_with_no_warnings(rubric: Rubric):
    assert rubric.version == "2.0"
    assert lint.rubric_warnings(rubric) == []


@pytest.mark.parametrize("rubric", [FULL, QUICK], ids=["full", "quick"])
def test_every_element_rests_on_at_least_three_principles(rubric: Rubric):
    per_element = Counter(p.element for p in rubric.principles)
    assert {e.id for e in rubric.elements} == set(per_element)
    assert min(per_element.values()) >= 3, per_element
    # No element dominates the overall score (it was 8 of 12 principles under Joining forces in 1.0).
    assert max(per_element.values()) <= 5, per_element


@pytest.mark.parametrize("rubric", [FULL, QUICK], ids=["full", "quick"])
def test_every_principle_has_a_reverse_scored_and_a_plain_statement(rubric: Rubric):
    for p in rubric.principles:
        assert any(s.reverse for s in p.statements), p.id
        assert any(not s.reverse for s in p.statements), p.id


def test_full_check_has_four_or_five_statements_per_principle():
    assert {len(p.statements) for p in FULL.principles} <= {4, 5}


def test_quick_check_is_the_full_checks_most_telling_statements_word_for_word():
    full = {s.id: s for s in FULL.statements}
    assert [p.id for p in QUICK.principles] == [p.id for p in FULL.principles]
    for p in QUICK.principles:
        assert 2 <= len(p.statements) <= 3, p.id
        for s in p.statements:
            assert s == full[s.id], s.id  # same id, wording, direction and source
            assert FULL.principle_of[s.id].id == p.id
    assert FULL.model_dump(include={"scale", "bands", "sources", "elements", "roles", "practices"}) == \
        QUICK.model_dump(include={"scale", "bands", "sources", "elements", "roles", "practices"})
    assert [(p.title, p.element, p.description, p.prompt, p.source) for p in QUICK.principles] == \
        [(p.title, p.element, p.description, p.prompt, p.source) for p in FULL.principles]


def test_quick_check_says_how_it_relates_to_the_full_check():
    assert "same principles as the full check" in QUICK.description
    assert "two answers" in QUICK.description and "take the full check" in QUICK.description


def test_the_themes_the_notes_raise_have_principles_and_practices():
    principles = {p.id for p in FULL.principles}
    assert {"inclusion", "smaller-partners-lead", "leadership-commitment", "reason-and-fit", "letting-go",
            "long-term"} <= principles
    practices = {p.id: p for p in FULL.practices}
    assert "VEST" in practices["human-learning-systems"].what
    assert "strengths" in practices["asset-based"].what
    assert all(FULL.practices_for(p.id) for p in FULL.principles)


def test_statements_ask_what_happens_now_not_what_people_intend():
    intentions = re.compile(r"\b(would|are ready to|is ready to|intend|plan to|want to)\b", re.IGNORECASE)
    for s in FULL.statements:
        assert not intentions.search(s.text), s.id
        # A plain statement phrased in the negative is a double negative to disagree with.
        if not s.reverse:
            assert not re.search(r"\b(do|does|did) not\b", s.text), s.id


def test_every_cited_note_is_listed_in_docs_sources():
    listed = (Path(__file__).parents[1] / "docs" / "sources.md").read_text(encoding="utf-8")
    cited = ({p.source for p in FULL.principles} | {s.source for s in FULL.statements if s.source}
             | {p.source for p in FULL.practices})
    assert cited <= {s.id for s in FULL.sources}
    for source in cited:
        assert f"`{source}`" in listed, source


def _words(text: str) -> list[str]:
    # The same normalisation as tests/data/seeds/make_fingerprints.py, which made the fingerprints.
    return re.findall(r"[a-z0-9]+", re.sub(r"['’‘]", "", text.lower()))


def _own_texts(rubric: Rubric) -> list[tuple[str, str]]:
    texts = [("description", rubric.description)] + [(e.id, e.description) for e in rubric.elements]
    for p in rubric.principles:
        texts += [(p.id, p.title), (p.id, p.description), (p.id, p.prompt or "")]
        texts += [(s.id, s.text) for s in p.statements]
    for pr in rubric.practices:
        texts += [(pr.id, text) for text in (pr.name, pr.what, pr.why, *pr.first_steps)]
    return texts


@pytest.mark.parametrize("path", sorted(rubric_dir().glob("*.toml")), ids=lambda p: p.name)
def test_no_run_of_eight_words_is_copied_from_the_source_notes(path):
    """No 8-word run of any description, title, prompt, statement or practice appears in the notes.

    The notes live outside the project (shared/seeds/) and must not be needed at test time, so
    tests/data/seeds/seed-shingles.txt holds a one-way fingerprint of them instead: the first 10
    hex digits of the SHA-256 of every run of 8 normalised words (lower case, letters and digits,
    apostrophes dropped). tests/data/seeds/make_fingerprints.py made it from the notes and says how
    to remake it. Source titles are citations, so they are not checked.
    """
    fingerprints = set((SEEDS / "seed-shingles.txt").read_text(encoding="ascii").split())
    assert len(fingerprints) > 5000  # the fingerprint file is really there and full
    from joiningforces.loader import load_rubric
    copied = []
    for where, text in _own_texts(load_rubric(path)):
        words = _words(text)
        for i in range(len(words) - 7):
            run = " ".join(words[i:i + 8])
            if hashlib.sha256(run.encode("utf-8")).hexdigest()[:10] in fingerprints:
                copied.append(f"{where}: {run}")
    assert copied == []


def test_the_copy_check_catches_a_copied_sentence():
    """The check above can fail: words copied from a note (the one on learning from campaigns) are
    found in the fingerprints."""
    fingerprints = set((SEEDS / "seed-shingles.txt").read_text(encoding="ascii").split())
    sentence = "it is a good idea to periodically ask the question"
    run = " ".join(_words(sentence)[:8])
    assert hashlib.sha256(run.encode("utf-8")).hexdigest()[:10] in fingerprints
