"""The rubric studio's core: check an uploaded rubric, preview it, compare it, save it.

Trainers upload or paste a rubric's TOML. `check_rubric` answers with the rubric or with its
problems, each with the offending lines of the file (`excerpt`); `compare` lists what differs from
another rubric (principles, statements, practices and the settings around them); `sample_answers`
gives made-up answers (the same every time) so the preview can draw a radar; `save_to_library`
writes a checked rubric into the library folder as `<id>.toml`, never replacing a rubric that is
already there. The starter template and the JSON Schema are here too, for the studio's downloads
and the command line.

Nothing here imports Streamlit: the page only lays out what these functions return.
"""

from __future__ import annotations

import json
import os
import random
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .library import load_library, rubric_dir
from .lint import warnings_in
from .loader import MAX_BYTES, Problem, RubricError, parse_rubric, readable_text
from .models import Id, Principle, Rubric

ENV_WRITE = "JOININGFORCES_ALLOW_LIBRARY_WRITE"
MAX_SHOWN_PROBLEMS = 30  # a file that is not a rubric at all can have hundreds; the first few say enough
# The model's own id pattern: the one rule that keeps `<id>.toml` inside the library folder.
ID_PATTERN = re.compile(next(m.pattern for m in Id.__metadata__ if getattr(m, "pattern", None)))


# ---------------------------------------------------------------------------------------------
# Checking an upload
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ShownProblem:
    """A problem with the lines of the file around it, ready to show."""

    problem: Problem
    excerpt: str | None  # numbered lines, the offending one marked with "→"; None without a line


@dataclass(frozen=True)
class Checked:
    """What a trainer's file turned out to be: a rubric, or the problems that stop it."""

    name: str
    raw: bytes
    rubric: Rubric | None
    problems: tuple[ShownProblem, ...] = ()
    more_problems: int = 0  # problems found beyond the ones shown
    warnings: tuple[ShownProblem, ...] = ()  # a usable rubric whose scores may mislead (see lint.py)

    @property
    def ok(self) -> bool:
        return self.rubric is not None


def check_rubric(raw: bytes, name: str = "<rubric>") -> Checked:
    """Validate a rubric file's bytes; never raises for anything a user can upload or paste."""
    try:
        rubric = parse_rubric(raw, name)
    except RubricError as exc:
        text = readable_text(raw)
        shown = tuple(ShownProblem(p, excerpt(text, p.line)) for p in exc.problems[:MAX_SHOWN_PROBLEMS])
        return Checked(name, raw, None, shown, max(0, len(exc.problems) - MAX_SHOWN_PROBLEMS))
    text = raw.decode("utf-8-sig")  # it parsed, so it is UTF-8
    warnings = tuple(ShownProblem(w, excerpt(text, w.line)) for w in warnings_in(rubric, text, name))
    return Checked(name, raw, rubric, warnings=warnings)


def excerpt(text: str, line: int | None, *, context: int = 1, width: int = 160) -> str | None:
    """The line `line` (1-based) of `text` with `context` lines either side, numbered, the line
    itself marked with "→"; long lines cut to `width` characters. None when there is no such line."""
    if not line:
        return None
    lines = text.split("\n")  # as TOML counts lines
    if line > len(lines):
        return None
    first, last = max(1, line - context), min(len(lines), line + context)
    digits = len(str(last))
    out = []
    for number in range(first, last + 1):
        body = lines[number - 1].rstrip("\r").expandtabs(4)
        if len(body) > width:
            body = body[: width - 1] + "…"
        marker = "→" if number == line else " "
        out.append(f"{marker} {number:>{digits}} | {body}".rstrip())
    return "\n".join(out)


def library_write_allowed() -> bool:
    """Whether this deployment lets trainers save into the library ($JOININGFORCES_ALLOW_LIBRARY_WRITE=1)."""
    return os.environ.get(ENV_WRITE, "").strip().lower() in ("1", "true", "yes")


# ---------------------------------------------------------------------------------------------
# Preview helpers
# ---------------------------------------------------------------------------------------------

def sample_answers(rubric: Rubric, seed: str | int | None = None) -> dict[str, int]:
    """Made-up answers to every statement, to draw a sample radar: random, but the same every
    time for the same rubric id (or `seed`), so the preview does not jump about between reruns."""
    rng = random.Random(f"sample:{rubric.id}" if seed is None else seed)
    values = [p.value for p in rubric.scale.points]
    return {s.id: rng.choice(values) for s in rubric.statements}


def fitting_answers(rubric: Rubric, answers: Mapping[str, int | None]) -> dict[str, int | None]:
    """The answers that still fit `rubric` (known statement, value on its scale or don't know):
    what a person keeps when a rubric they were answering is replaced by an edited version."""
    known = {s.id for s in rubric.statements}
    allowed = {p.value for p in rubric.scale.points}
    return {sid: value for sid, value in answers.items()
            if sid in known and (value is None or (not isinstance(value, bool) and value in allowed))}


def fitting_notes(rubric: Rubric, notes: Mapping[str, str]) -> dict[str, str]:
    """The notes that still belong to a principle of `rubric`."""
    known = {p.id for p in rubric.principles}
    return {pid: text for pid, text in notes.items() if pid in known}


def practices_table(rubric: Rubric) -> pd.DataFrame:
    """One row per practice: what it is called and the principles it serves (by title)."""
    titles = {p.id: p.title for p in rubric.principles}
    return pd.DataFrame(
        [{"Practice": pr.name, "Helps": "; ".join(titles[h] for h in pr.helps)} for pr in rubric.practices],
        columns=["Practice", "Helps"],
    )


def summary(rubric: Rubric) -> str:
    """One sentence saying what the rubric holds."""
    def count(n: int, noun: str) -> str:
        return f"{n} {noun}{'' if n == 1 else 's'}"

    return (f"{count(len(rubric.elements), 'element')}, {count(len(rubric.principles), 'principle')}, "
            f"{count(len(rubric.statements), 'statement')} and {count(len(rubric.practices), 'practice')}; "
            f"answers from {rubric.scale.points[0].label} ({rubric.scale.low}) to "
            f"{rubric.scale.points[-1].label} ({rubric.scale.high}).")


# ---------------------------------------------------------------------------------------------
# Comparing two rubrics
# ---------------------------------------------------------------------------------------------

ADDED, REMOVED, CHANGED = "added", "removed", "changed"


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: object
    new: object

    def describe(self, width: int = 80) -> str:
        old, new = self.old, self.new
        if isinstance(old, str) and isinstance(new, str):
            old, new = _around_change(" ".join(old.split()), " ".join(new.split()), width)
        return f"{self.field}: {_show(old, width)} → {_show(new, width)}"


def _around_change(old: str, new: str, width: int) -> tuple[str, str]:
    """Two long texts cut to where they start to differ, so the change itself is what shows."""
    if max(len(old), len(new)) <= width:
        return old, new
    same = len(os.path.commonprefix([old, new]))
    start = max(0, same - 20)
    if start == 0:
        return old, new
    start = old.rfind(" ", 0, start) + 1 or start  # cut at a word
    return "…" + old[start:], "…" + new[start:]


@dataclass(frozen=True)
class ItemChange:
    """One principle, statement or practice that was added, removed or changed."""

    kind: str  # "principle", "statement" or "practice"
    id: str
    status: str  # ADDED, REMOVED or CHANGED
    label: str  # its title, text or name (the new one; the old one when removed)
    principle: str | None = None  # for a statement: the title of its principle
    fields: tuple[FieldChange, ...] = ()

    def describe(self) -> str:
        return "; ".join(change.describe() for change in self.fields)


@dataclass(frozen=True)
class RubricDiff:
    """What `new` changes relative to `base`, item by item (rubric order: base's, then new ones)."""

    base: Rubric
    new: Rubric
    settings: tuple[FieldChange, ...] = ()  # title, version, language, description, scale, bands, elements
    principles: tuple[ItemChange, ...] = ()
    statements: tuple[ItemChange, ...] = ()
    practices: tuple[ItemChange, ...] = ()
    notes: tuple[str, ...] = field(default=())  # advice such as "change the version"

    @property
    def same(self) -> bool:
        return not (self.settings or self.principles or self.statements or self.practices)

    def counts(self, kind: str) -> dict[str, int]:
        items = {"principle": self.principles, "statement": self.statements, "practice": self.practices}[kind]
        return {status: sum(1 for c in items if c.status == status) for status in (ADDED, REMOVED, CHANGED)}

    def sentence(self, kind: str) -> str:
        """"Principles: 3 added, 1 removed, 2 changed." (or "...: none added, removed or changed.")."""
        counts = self.counts(kind)
        parts = [f"{n} {status}" for status, n in counts.items() if n]
        return f"{kind.capitalize()}s: " + (", ".join(parts) if parts else "none added, removed or changed") + "."


def _show(value: object, width: int = 80) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(_show(v, width) for v in value) + "]"
    text = " ".join(str(value).split())
    if len(text) > width:
        text = text[: width - 1].rstrip() + "…"
    return f"“{text}”" if isinstance(value, str) else text


def _field_changes(old: object, new: object, fields: tuple[str, ...]) -> tuple[FieldChange, ...]:
    return tuple(FieldChange(f, getattr(old, f), getattr(new, f))
                 for f in fields if getattr(old, f) != getattr(new, f))


def _diff_items(kind: str, old: Mapping[str, object], new: Mapping[str, object], fields: tuple[str, ...],
                label: str, extra=None, principle_of=None) -> tuple[ItemChange, ...]:
    """Changes between two id -> item mappings; `extra(old, new)` adds computed field changes."""
    out = []
    for item_id, item in old.items():
        if item_id not in new:
            out.append(ItemChange(kind, item_id, REMOVED, getattr(item, label),
                                  principle_of[0](item_id) if principle_of else None))
    for item_id, item in new.items():
        parent = principle_of[1](item_id) if principle_of else None
        if item_id not in old:
            out.append(ItemChange(kind, item_id, ADDED, getattr(item, label), parent))
            continue
        changes = _field_changes(old[item_id], item, fields) + (extra(old[item_id], item) if extra else ())
        if changes:
            out.append(ItemChange(kind, item_id, CHANGED, getattr(item, label), parent, changes))
    order = {ADDED: 0, CHANGED: 1, REMOVED: 2}
    positions = {item_id: i for i, item_id in enumerate(list(new) + [k for k in old if k not in new])}
    return tuple(sorted(out, key=lambda c: (order[c.status], positions[c.id])))


def _list_change(name: str, old: tuple, new: tuple, short, detail) -> tuple[FieldChange, ...]:
    """A list setting (bands, elements, roles) as one change: in short form when that differs,
    else in detail (e.g. only a band's meaning changed), else nothing."""
    if old == new:
        return ()
    before, after = [short(x) for x in old], [short(x) for x in new]
    if before == after:
        before, after = [detail(x) for x in old], [detail(x) for x in new]
    return (FieldChange(name, before, after),) if before != after else ()


def compare(base: Rubric, new: Rubric) -> RubricDiff:
    """What `new` adds, removes and changes relative to `base`: principles, statements and
    practices matched by id, plus the settings around them (scale, bands, elements...)."""
    settings = _field_changes(base, new, ("id", "title", "version", "language", "description"))
    if base.scale.points != new.scale.points:
        settings += (FieldChange("scale", [f"{p.value} {p.label}" for p in base.scale.points],
                                 [f"{p.value} {p.label}" for p in new.scale.points]),)
    settings += tuple(FieldChange(f"scale.{c.field}", c.old, c.new)
                      for c in _field_changes(base.scale, new.scale, ("dont_know", "min_answered")))
    settings += _list_change(
        "bands", base.bands, new.bands,
        lambda b: f"{b.label} from {b.min:g}" + ("" if b.act else " (no practices)"),
        lambda b: f"{b.label}: {b.meaning or ''}")
    settings += _list_change("elements", base.elements, new.elements,
                             lambda e: f"{e.id}: {e.title}", lambda e: f"{e.title}: {e.description}")
    settings += _list_change("roles", base.roles, new.roles, lambda r: f"{r.id}: {r.label}", lambda r: r.label)

    def principle_statements(old: Principle, now: Principle) -> tuple[FieldChange, ...]:
        before, after = [s.id for s in old.statements], [s.id for s in now.statements]
        return (FieldChange("statements", before, after),) if before != after else ()

    principles = _diff_items(
        "principle", {p.id: p for p in base.principles}, {p.id: p for p in new.principles},
        ("title", "element", "description", "prompt", "source"), "title", extra=principle_statements)

    base_statements = {s.id: s for s in base.statements}
    new_statements = {s.id: s for s in new.statements}

    def moved(old, now) -> tuple[FieldChange, ...]:
        was, is_ = base.principle_of[old.id], new.principle_of[now.id]
        return (FieldChange("principle", was.id, is_.id),) if was.id != is_.id else ()

    statements = _diff_items(
        "statement", base_statements, new_statements, ("text", "reverse", "source"), "text", extra=moved,
        principle_of=(lambda sid: base.principle_of[sid].title, lambda sid: new.principle_of[sid].title))
    practices = _diff_items(
        "practice", {p.id: p for p in base.practices}, {p.id: p for p in new.practices},
        ("name", "what", "why", "first_steps", "helps", "source"), "name")

    notes = []
    if base.id == new.id and base.version == new.version and (principles or statements or base.scale != new.scale):
        notes.append(f"The statements or scale differ but both say version '{new.version}': change `version` "
                     "so that results from the two can be told apart.")
    return RubricDiff(base, new, settings, principles, statements, practices, tuple(notes))


def changes_table(changes: tuple[ItemChange, ...]) -> pd.DataFrame:
    """The changes of one kind as a display table (Change, Id, [Principle,] Title or text, What changed)."""
    with_principle = any(c.principle for c in changes)
    rows = []
    for c in changes:
        row = {"Change": c.status, "Id": c.id}
        if with_principle:
            row["Principle"] = c.principle or ""
        row["Title or text"] = c.label
        row["What changed"] = c.describe()
        rows.append(row)
    columns = ["Change", "Id"] + (["Principle"] if with_principle else []) + ["Title or text", "What changed"]
    return pd.DataFrame(rows, columns=columns)


def settings_table(changes: tuple[FieldChange, ...]) -> pd.DataFrame:
    return pd.DataFrame([{"Setting": c.field, "Library rubric": _show(c.old, 200), "Uploaded": _show(c.new, 200)}
                         for c in changes], columns=["Setting", "Library rubric", "Uploaded"])


# ---------------------------------------------------------------------------------------------
# Saving into the library
# ---------------------------------------------------------------------------------------------

class SaveRefused(Exception):
    """The rubric was not saved; `message` says why in plain words, `suggested_id` a free id if any."""

    def __init__(self, message: str, suggested_id: str | None = None):
        super().__init__(message)
        self.message = message
        self.suggested_id = suggested_id


def free_id(rubric_id: str, taken: set[str]) -> str:
    """`rubric_id` with the first "-2", "-3"... that is not taken (and still a valid id)."""
    stem = re.sub(r"-\d+$", "", rubric_id)
    for n in range(2, 1000):
        candidate = f"{stem[: 63 - len(str(n))]}-{n}"
        if candidate not in taken and ID_PATTERN.fullmatch(candidate):
            return candidate
    return f"{stem[:50]}-{random.randrange(10**6, 10**7)}"


def save_to_library(raw: bytes, folder: Path | None = None, *, name: str = "<rubric>",
                    allowed: bool | None = None) -> Path:
    """Write a rubric file into the library folder as `<its id>.toml`, and return that path.

    The bytes are checked again here (never trust that a caller did), the file name comes only
    from the rubric's id after it matches the id pattern (an uploaded file's name is never used),
    and an existing library rubric is never replaced: a clash is refused with a free id to use
    instead. The file appears whole or not at all. Raises `SaveRefused`; writes nothing then.
    """
    if not (library_write_allowed() if allowed is None else allowed):
        raise SaveRefused("saving to the library is switched off on this server. Download the file "
                          "and ask whoever runs the app to add it.")
    try:
        rubric = parse_rubric(raw, name)
    except RubricError as exc:
        count = len(exc.problems)
        raise SaveRefused(f"the rubric has {count} problem{'s' if count != 1 else ''}; fix "
                          f"{'them' if count != 1 else 'it'} first.") from None
    if not ID_PATTERN.fullmatch(rubric.id):  # the model checks this too; a file name must never depend on it alone
        raise SaveRefused(f"'{rubric.id}' is not a valid id: use lowercase letters, digits and hyphens.")
    folder = Path(folder or rubric_dir())
    target = folder / f"{rubric.id}.toml"
    if target.resolve().parent != folder.resolve():
        raise SaveRefused(f"'{rubric.id}' is not a valid id for a file name.")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        library = load_library(folder)
        taken = set(library.rubrics) | {p.stem for p in folder.glob("*.toml")}
    except OSError as exc:
        raise SaveRefused(f"the library folder cannot be read: {exc.strerror or exc}.") from None
    if rubric.id in taken:
        other = library.rubrics.get(rubric.id)
        what = f"'{other.title}' (version {other.version})" if other else f"a file called {target.name}"
        suggestion = free_id(rubric.id, taken)
        raise SaveRefused(f"the library already has {what} with the id '{rubric.id}', and saving never replaces "
                          f"a library rubric. Change the `id` line of your file, for example to "
                          f"'{suggestion}', and save again.", suggested_id=suggestion)
    _write_new(target, raw)
    return target


def _write_new(target: Path, raw: bytes) -> None:
    """Create `target` with `raw`, atomically and only if it does not exist yet."""
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.stem}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(raw)
            file.flush()
            os.fsync(file.fileno())
        try:
            os.link(temp, target)  # fails if the name was taken meanwhile: never overwrites
        except FileExistsError:
            raise SaveRefused(f"a file called {target.name} appeared in the library meanwhile; "
                              "nothing was overwritten. Change the id and save again.") from None
        except OSError:  # a filesystem without hard links: exclusive create instead
            with open(target, "xb") as file:
                file.write(raw)
    except FileExistsError:
        raise SaveRefused(f"a file called {target.name} appeared in the library meanwhile; "
                          "nothing was overwritten. Change the id and save again.") from None
    except OSError as exc:
        raise SaveRefused(f"the file could not be written: {exc.strerror or exc}.") from None
    finally:
        try:
            os.unlink(temp)
        except OSError:
            pass


# ---------------------------------------------------------------------------------------------
# Downloads: the JSON Schema and the starter template
# ---------------------------------------------------------------------------------------------

def json_schema() -> dict:
    """The JSON Schema of the rubric format (for editors' autocompletion and checks)."""
    schema = Rubric.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "joiningforces rubric"
    return schema


def json_schema_text() -> str:
    return json.dumps(json_schema(), indent=2)


def starter_template() -> str:
    """A small, valid rubric with comments explaining each part: a trainer's starting point."""
    return STARTER_TEMPLATE


STARTER_TEMPLATE = '''\
# A starter rubric for your workshop.
#
# How to use this file:
#  1. Change `id` below to a short name of your own (lowercase letters, digits and hyphens),
#     and the title and description to what participants should read.
#  2. Edit, add or remove principles, statements and practices. Keep the structure: each block
#     that starts with [[...]] is one entry of a list.
#  3. Upload the file to the Rubric studio (or run `joiningforces validate my-file.toml`): it
#     lists any problem with its line number, or shows the check as participants will see it.
#     Warnings (the file still works) point at scores that may mislead: give each element at
#     least two principles, and each principle a statement about things going wrong.
#
# Lines starting with # are comments: participants never see them. Text goes in "double quotes"
# (straight ones: a word processor's curly “ ” quotes are refused), decimals take a point (3.5),
# and yes/no is written true or false. The full format is described in docs/rubric-format.md.

id = "my-workshop"
title = "How well are we joining forces?"
version = "1.0"          # change this whenever you change a statement
language = "en"          # the language of the text (en, cy, pl, fr, de-CH ...): screen readers use it
description = """
A short check for our partnership workshop. Rate each statement for how the partnership works
today, not how it should work. There are no right answers, and "Don't know" is always fine.
"""

# The answer scale. Values must go up; "dont_know" answers are left out of scores.
[scale]
dont_know = "Don't know / not applicable"
min_answered = 0.5       # share of a principle's statements that must be answered to score it

[[scale.points]]
value = 1
label = "Strongly disagree"
[[scale.points]]
value = 2
label = "Disagree"
[[scale.points]]
value = 3
label = "Neither agree nor disagree"
[[scale.points]]
value = 4
label = "Agree"
[[scale.points]]
value = 5
label = "Strongly agree"

# The answer scale may be any whole numbers going up, 2 to 11 of them: 1 to 7 or 0 to 10 work too.
# Score bands, from the best down. Principles in a band with act = true get suggested practices.
# Leave [[bands]] out and they come from your scale: Strength from three quarters of the way up
# (4.0 on 1-5, 5.5 on 1-7, 7.5 on 0-10), Borderline from half way (3.0, 4.0, 5.0), Concern below.
[[bands]]
id = "strength"
label = "Strength"
min = 4.0
meaning = "Working well: keep doing what makes it work."
act = false
[[bands]]
id = "borderline"
label = "Borderline"
min = 3.0
meaning = "Worth a conversation: views may differ, or it is slipping."
[[bands]]
id = "concern"
label = "Concern"
min = 1.0                # the lowest band starts at the bottom of the scale
meaning = "Needs attention: it may hold the partnership back."

# Where the content comes from. Principles and practices name a source by its id.
[[sources]]
id = "workshop-notes"
title = "Notes from our partnership workshop"
organisation = "Your organisation"

# The elements are your own groupings of the principles: name as many as suit your model, from 1
# to 12 (these two are only an example). Each is one segment of the "beachball" chart, coloured by
# the mean score of its principles and labelled with its title; one with no principle shows grey.
[[elements]]
id = "relationships"
title = "Putting relationships first"
description = "We invest in how we treat each other."
[[elements]]
id = "joining-forces"
title = "Joining forces"
description = "We combine our strengths for a shared aim."

# Who can answer in a group review (optional).
[[roles]]
id = "partner"
label = "Partner organisation"
[[roles]]
id = "funder"
label = "Funder or commissioner"

# The principles. A principle's own keys come first; then each [[principles.statements]] block
# is one statement (at least two per principle). Statement ids are unique in the whole file.
[[principles]]
id = "trust"
title = "Trust and no surprises"
element = "relationships"
description = "Partners assume good intent and tell each other early about changes."
prompt = "What would it take for you to hear bad news early?"   # a question for a group whose views differ
source = "workshop-notes"

  [[principles.statements]]
  id = "trust-1"
  text = "We start by assuming the best of each other."

  [[principles.statements]]
  id = "trust-2"
  text = "Partners sometimes learn of each other's plans only after they are settled."
  reverse = true         # agreeing with this is a bad sign, so the answer is turned round

[[principles]]
id = "shared-purpose"
title = "Shared purpose"
element = "joining-forces"
description = "Everyone can say what we are for, and it is bigger than any one partner."
source = "workshop-notes"

  [[principles.statements]]
  id = "purpose-1"
  text = "We agree on what we are trying to change together."

  [[principles.statements]]
  id = "purpose-2"
  text = "People we serve helped shape our aims."

  [[principles.statements]]
  id = "purpose-3"
  text = "Each partner mostly works to its own aims."
  reverse = true

[[principles]]
id = "pooling"
title = "Pooling our strengths"
element = "joining-forces"
description = "Partners share skills, know-how and contacts, not only tasks."
source = "workshop-notes"

  [[principles.statements]]
  id = "pooling-1"
  text = "We share skills and know-how with each other."

  [[principles.statements]]
  id = "pooling-2"
  text = "Each partner keeps its best people and contacts to itself."
  reverse = true

[[principles]]
id = "fair-shares"
title = "Fair shares"
element = "relationships"
description = "Costs, risks and credit are shared in a way every partner thinks fair."
source = "workshop-notes"

  [[principles.statements]]
  id = "fair-1"
  text = "The costs of working together fall fairly on each partner."

  [[principles.statements]]
  id = "fair-2"
  text = "The largest partner takes most of the credit."
  reverse = true

# Practices suggested for weak principles: two to four first steps each, and the principles
# they help (every principle needs at least one practice).
[[practices]]
id = "appreciative-inquiry"
name = "Appreciative inquiry"
what = "A way of reviewing work that starts from what goes well, and builds on it."
why = "It lowers defences, so partners talk about trust and purpose openly."
first_steps = [
  "Ask each partner to tell a story of the partnership at its best.",
  "Name together the conditions that made that possible.",
]
helps = ["trust", "shared-purpose"]
source = "workshop-notes"

[[practices]]
id = "plans-early"
name = "Share plans early"
what = "Partners show each other their plans while they can still change."
why = "No one is surprised, and overlaps become chances to work together."
first_steps = [
  "Agree a standing item where each partner shares what it is planning.",
  "Share one plan this quarter before it is final.",
]
helps = ["trust"]
source = "workshop-notes"

[[practices]]
id = "open-books"
name = "Open books"
what = "Partners show each other what the work costs them, in money and in time."
why = "Hidden costs breed resentment; seen costs can be shared."
first_steps = [
  "List what each partner puts in, including staff time.",
  "Review the list together every six months.",
]
helps = ["fair-shares", "pooling"]
source = "workshop-notes"
'''
