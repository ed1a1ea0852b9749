"""Plain words for TOML syntax errors: what went wrong on the line, the likely cause and the fix.

tomli's messages ("Invalid value", "Illegal character '\\n'") name the parser's view of the
problem. Trainers write rubrics in text editors and word processors, and the same handful of
mistakes accounts for most errors: curly quotes, a missing closing quote, a quote inside text,
a decimal comma, yes/no for true/false, a key written twice, text without quotes. `explain`
looks at the offending line to say which one it is.
"""

from __future__ import annotations

import re

CURLY = "“”„‟‘’‚‛«»"
_KEY_LINE = re.compile(r"""^\s*([A-Za-z0-9_.\-"' ]+?)\s*=\s*(.*)$""")
_HEADER = re.compile(r"^\s*\[")
_LISTS = {"bands", "sources", "elements", "roles", "principles", "practices", "scale.points",
          "principles.statements"}
_YES_NO = {"yes": "true", "no": "false", "y": "true", "n": "false", "on": "true", "off": "false",
           "true": "true", "false": "false"}


def explain(text: str, line: int | None, column: int | None, message: str) -> str:
    """A sentence or two for a TOML error at `line` (1-based) with tomli's `message`."""
    lines = text.split("\n")
    here = lines[line - 1] if line and line <= len(lines) else ""
    key, value = _key_value(here)
    low = message.lower()

    if any(q in here for q in CURLY) and _curly_outside_strings(here):
        return ("this line has curly quotes (“ ” or ‘ ’), as a word processor types them; TOML needs "
                'straight quotes. Retype them as " (or turn off "smart quotes" in your editor): '
                f'{key or "title"} = "like this".')
    if "cannot overwrite" in low or "twice" in low:
        return _twice(lines, line, key, message)
    if "unterminated string" in low or ("illegal character" in low and "\\n" in message):
        return _unclosed_quote(lines, line, here)
    if "unescaped '\\'" in low:
        return ("a backslash (\\) inside double quotes starts a special character. Write it twice (\\\\), "
                "or put the text in single quotes instead: 'C:\\folder'.")
    if "expected newline or end of document" in low and value is not None:
        return _more_after_value(key, value)
    if "invalid value" in low and value is not None:
        return _bad_value(key, value)
    if "unclosed array" in low:
        start = _line_of_open_bracket(lines, line)
        where = f" that starts on line {start}" if start and start != line else ""
        return (f"the list [ … ]{where} is not closed properly: put a comma between items and a ] after "
                'the last one, e.g. ["first", "second"].')
    if "end of a table declaration" in low or "end of an array declaration" in low:
        return ("a [table] line is missing its closing bracket: write [[principles]] or "
                "[[principles.statements]], with both brackets on each side.")
    if "expected '=' after a key" in low:
        return 'each line is key = value: the "=" is missing, or text runs over onto a new line without quotes.'
    if "invalid initial character for a key" in low or "invalid statement" in low:
        return ("this line is neither key = value nor a [table] line. If it continues the text above, "
                'put that text in triple quotes ("""…""") so that it can run over several lines; '
                "if it is a note, start it with #.")
    plain = message[:1].lower() + message[1:]
    return f"{plain}. Check the quotes, brackets and = on this line."


def _key_value(line: str) -> tuple[str | None, str | None]:
    match = _KEY_LINE.match(line)
    if not match or _HEADER.match(line):
        return None, None
    return match.group(1).strip().strip("\"'"), match.group(2).strip()


def _curly_outside_strings(line: str) -> bool:
    """Whether a curly quote stands where a straight one is needed (not inside straight quotes)."""
    quote = None
    for ch in line:
        if quote:
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch == "#":
            return False
        elif ch in CURLY:
            return True
    return False


def _twice(lines: list[str], line: int | None, key: str | None, message: str) -> str:
    table = re.search(r"Cannot declare \(([^)]*)\) twice", message)
    if table:
        name = ".".join(part.strip(" '\"") for part in table.group(1).split(",") if part.strip(" '\""))
        first = _first_header(lines, line, name)
        where = f" (first on line {first})" if first else ""
        advice = (f" Each entry of a list starts with double brackets: [[{name}]]." if name in _LISTS else "")
        return (f"the table [{name}] is started twice{where}: keep one [{name}] line and put all its keys "
                f"under it.{advice}")
    if key:
        first = _earlier_key(lines, line, key)
        where = f" already on line {first}" if first else " already"
        return (f"'{key}' is given twice in the same block: it is set{where}. Keep one of them, "
                "or start a new block (for example another [[principles]]) if this belongs to a new entry.")
    return "this key or table is given twice; keep one of them."


def _earlier_key(lines: list[str], line: int | None, key: str) -> int | None:
    """The line of the same key earlier in the same table, searching upwards to the table's header."""
    if not line:
        return None
    for number in range(line - 1, 0, -1):
        text = lines[number - 1]
        if _HEADER.match(text):
            return None
        found, _ = _key_value(text)
        if found == key:
            return number
    return None


def _first_header(lines: list[str], line: int | None, name: str) -> int | None:
    pattern = re.compile(rf"^\s*\[\s*{re.escape(name)}\s*\]")
    for number, text in enumerate(lines[: (line or 1) - 1], start=1):
        if pattern.match(text):
            return number
    return None


def _unclosed_quote(lines: list[str], line: int | None, here: str) -> str:
    opened = _open_triple_quote(lines, line)
    if opened:
        return (f'the text that starts with """ on line {opened} is never closed: end it with """ '
                "where the text ends.")
    return ('this text has no closing quote: add " at the end of the text on this line. Text on one line '
            'starts and ends with "; text over several lines goes in triple quotes ("""…""").')


def _open_triple_quote(lines: list[str], line: int | None) -> int | None:
    """The line of a triple quote still open at `line`, counting them from the top of the file."""
    opened = None
    for number, text in enumerate(lines[: line or 0], start=1):
        for _ in range(text.count('"""') + text.count("\'\'\'")):
            opened = None if opened else number
    return opened


def _more_after_value(key: str | None, value: str) -> str:
    name = key or "key"
    if re.match(r"^[+-]?\d+,\d+\s*(#.*)?$", value):
        fixed = value.split("#")[0].strip().replace(",", ".")
        return f"numbers use a decimal point, not a comma: write {name} = {fixed}."
    if value.startswith('"') and value.count('"') > 2:
        return ('the text stops at the second " because there is a quote inside it. Write the inner quotes '
                "as \\\" (backslash, quote), or put the whole text in single quotes: "
                f"{name} = 'We say \"yes\" often'.")
    if value.startswith("'") and value.count("'") > 2:
        return ("the text stops at the second ' because there is an apostrophe inside it. Put the whole "
                f'text in double quotes instead: {name} = "Partners\' plans".')
    if re.match(r"^[\d.]+\s*$", value):
        return f'put this in quotes, as text: {name} = "{value}".'
    return (f'there is more on this line after the value of {name}. Put text in quotes ({name} = "…"), '
            "and each key = value on a line of its own.")


def _bad_value(key: str | None, value: str) -> str:
    name = key or "key"
    bare = value.split("#")[0].strip()
    if not bare:
        return f'the value after {name} = is missing: write it, e.g. {name} = "some text".'
    if bare.lower() in _YES_NO:
        return f"write true or false in lowercase and without quotes: {name} = {_YES_NO[bare.lower()]}."
    if re.match(r"^[+-]?\d+,\d+$", bare):
        return f"numbers use a decimal point, not a comma: write {name} = {bare.replace(',', '.')}."
    return f'text must be in double quotes: {name} = "{bare}".'


def _line_of_open_bracket(lines: list[str], line: int | None) -> int | None:
    for number in range(min(line or 0, len(lines)), 0, -1):
        key, value = _key_value(lines[number - 1])
        if value is not None and value.startswith("["):
            return number
    return None
