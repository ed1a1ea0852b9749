"""Write seed-shingles.txt: a fingerprint of every 8-word run in the source notes.

The rubric must put the notes in its own words (tests/test_rubric_content.py checks that no run of
8 or more words is copied). The tests cannot read the notes themselves (they live outside the
project, in shared/seeds/, and are not there at test time), so this script keeps only a one-way
fingerprint of them: the first 10 hex digits of the SHA-256 of each normalised 8-word shingle.

Run it again when a note is added:  python tests/data/seeds/make_fingerprints.py ../shared/seeds
"""

from __future__ import annotations

import hashlib
import re
import sys
from pathlib import Path

SHINGLE = 8
DIGITS = 10  # 40 bits: with ~10,000 shingles a false match on a rubric run has odds of about 1 in 10^8
OUT = Path(__file__).with_name("seed-shingles.txt")


def words(text: str) -> list[str]:
    """Lower-case words of letters and digits; apostrophes dropped so that don't, don’t and dont agree."""
    return re.findall(r"[a-z0-9]+", re.sub(r"['’‘]", "", text.lower()))


def shingles(text: str, size: int = SHINGLE) -> set[tuple[str, ...]]:
    w = words(text)
    return {tuple(w[i:i + size]) for i in range(len(w) - size + 1)}


def fingerprint(shingle: tuple[str, ...]) -> str:
    return hashlib.sha256(" ".join(shingle).encode("utf-8")).hexdigest()[:DIGITS]


def main(folder: str) -> None:
    prints = {fingerprint(s) for path in sorted(Path(folder).glob("*.txt"))
              for s in shingles(path.read_text(encoding="utf-8"))}
    OUT.write_text("\n".join(sorted(prints)) + "\n", encoding="ascii")
    print(f"{len(prints)} fingerprints written to {OUT}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/seeds")
