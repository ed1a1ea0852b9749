"""Find the line of a field in TOML text, so that a validation error can point at it.

tomli returns plain dicts without positions, and pydantic reports a path such as
("principles", 3, "statements", 1, "text"). This module scans the text once, following table
headers (`[a.b]`, `[[a.b]]`) and `key =` lines, and records the line of every table and key it
sees. A path that is not written out (a missing key) falls back to its closest written parent,
which is where the trainer has to add it.
"""

from __future__ import annotations

import re

Path = tuple[str | int, ...]

# A (dotted) TOML key, spelt so that no two parts of the pattern can match the same characters:
# the patterns run in linear time even on a 1 MB line of spaces (a lazy `[... ]+?\s*` did not).
_SIMPLE_KEY = r"""(?:[A-Za-z0-9_-]+|"(?:[^"\\\n]|\\.)*"|'[^'\n]*')"""
_DOTTED_KEY = rf"{_SIMPLE_KEY}(?:[ \t]*\.[ \t]*{_SIMPLE_KEY})*"
_HEADER = re.compile(rf"^\s*(\[\[?)[ \t]*({_DOTTED_KEY})[ \t]*\]\]?\s*(#.*)?$")
_KEY = re.compile(rf"^\s*({_DOTTED_KEY})[ \t]*=")
_ITEM = re.compile(r"""^\s*("|'|\{|-?\d|true|false|\[)""")


def _split_key(raw: str) -> list[str]:
    parts = re.findall(r'"([^"]*)"|\'([^\']*)\'|([^.\s]+)', raw)
    return [a or b or c for a, b, c in parts]


class LineIndex:
    """Lines (1-based) of the tables, keys and one-per-line array items in a TOML document."""

    def __init__(self, text: str):
        self.lines: dict[Path, int] = {}
        self._scan(text)

    def _scan(self, text: str) -> None:
        counts: dict[Path, int] = {}  # array-of-tables path -> number of entries so far
        table: Path = ()
        open_array: Path | None = None
        array_item = 0
        in_multiline: str | None = None
        # TOML ends lines at "\n" only; str.splitlines() would also split at U+2028, U+0085, form
        # feeds and the like, which may sit inside a string and would shift every later line.
        for number, line in enumerate(text.split("\n"), start=1):
            if in_multiline:
                if line.count(in_multiline) % 2 == 1:
                    in_multiline = None
                continue
            if open_array is not None:
                stripped = line.strip()
                if stripped.startswith("]"):
                    open_array = None
                elif _ITEM.match(line):
                    self.lines.setdefault(open_array + (array_item,), number)
                    array_item += 1
                continue
            header = _HEADER.match(line)
            if header:
                keys = _split_key(header.group(2))
                path = self._resolve(keys, counts)
                for end in range(1, len(path)):  # `[[principle.statements]]` is where 'principle' is written
                    self.lines.setdefault(path[:end], number)
                if header.group(1) == "[[":
                    self.lines.setdefault(path, number)  # the array itself: its first entry
                    index = counts.get(path, 0)
                    counts[path] = index + 1
                    path = path + (index,)
                table = path
                self.lines.setdefault(table, number)
                continue
            key = _KEY.match(line)
            if key:
                path = table + tuple(_split_key(key.group(1)))
                self.lines.setdefault(path, number)
                rest = line[key.end():].strip()
                for quote in ('"""', "'''"):
                    if rest.startswith(quote) and rest.count(quote) == 1:
                        in_multiline = quote
                if rest.startswith("[") and not rest.startswith("[[") and "]" not in rest:
                    open_array, array_item = path, 0
                    if _ITEM.match(rest[1:]):
                        self.lines.setdefault(path + (0,), number)
                        array_item = 1

    def _resolve(self, keys: list[str], counts: dict[Path, int]) -> Path:
        """Turn `principles.statements` into ("principles", 3, "statements") using the counts so far."""
        path: Path = ()
        for i, key in enumerate(keys):
            path = path + (key,)
            if path in counts and i < len(keys) - 1:
                path = path + (counts[path] - 1,)
        return path

    def line_of(self, loc: Path) -> int | None:
        """The line of `loc`, or of its closest parent that is written in the text."""
        loc = tuple(loc)
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return None
