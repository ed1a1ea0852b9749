"""Hostile text the injection tests (AppTest, and the browser in tests/browser) put everywhere:
HTML and script, javascript: links, spreadsheet formulas and Markdown."""

from __future__ import annotations

import json

from tests.helpers import SMALL, replace_once

XSS_SCRIPT = "<script>window.__pwned=1</script>"
XSS_IMG = '<img src=x onerror="window.__pwned=1">'
SCRIPT, IMG = XSS_SCRIPT, XSS_IMG
JS_LINK = "[click](javascript:window.__pwned=1)"
FORMULA = '=HYPERLINK("http://evil")'
PLUS, MINUS, AT = "+1", "-1", "@SUM(A1)"
MARKDOWN = "**bold** _x_ # heading"
PAYLOADS = {"script": SCRIPT, "img": IMG, "js-link": JS_LINK, "formula": FORMULA, "plus": PLUS, "minus": MINUS,
            "at": AT, "markdown": MARKDOWN}
# Long text, itself hostile: 5,600 characters, well over any one-line field, under a note's 10,000.
LONG_PIECE = "Long <b>note</b> [x](javascript:window.__pwned=1) "
LONG = (LONG_PIECE * 112).strip()

# A board review full of hostile text.
ROLES = {f"r-{key}": label for key, label in PAYLOADS.items()}
TITLE = f"# {SCRIPT} {IMG} {JS_LINK} {MARKDOWN}"
GROUP = f"{AT} and {MARKDOWN}"  # a merged role group, named by the facilitator
OWNER = f"{JS_LINK} {SCRIPT}"
PROMPT = f"Talk about it {JS_LINK} {IMG}"


def hostile_rubric_text() -> str:
    """The small example rubric with one role per payload (its label) and a hostile prompt."""
    text = SMALL.replace('id = "small-example"', 'id = "hostile-roles"', 1)
    text = replace_once(text, '"What would it take for you to hear bad news early?"', json.dumps(PROMPT))
    return text + "".join(f"\n[[roles]]\nid = \"{rid}\"\nlabel = {json.dumps(label)}\n" for rid, label in ROLES.items())


def xss_rubric() -> str:
    """The small example rubric (id xss-check) with script and image tags in its title, a statement
    and a practice."""
    text = SMALL.replace('id = "small-example"', 'id = "xss-check"', 1)
    text = replace_once(text, 'title = "Small example"', f'title = "Check {XSS_SCRIPT}"')
    text = replace_once(text, '"We start by assuming the best of each other."', f"'We trust {XSS_IMG} each other.'")
    text = replace_once(text, 'name = "Appreciative inquiry"', f'name = "Inquiry {XSS_SCRIPT}"')
    return text
