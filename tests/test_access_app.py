"""The access rules through the app (AppTest): what each mode says on Home and in the Notebook,
and that in shared mode one browser session sees nothing of another's, the backup page neither."""

from __future__ import annotations

import uuid

import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest import new_app
from tests.helpers import QUICK

from joiningforces.access import MODE_TEXT, Mode



def said(at: AppTest) -> list[str]:
    return [i.value for i in at.info]


def everything_shown(at: AppTest) -> str:
    parts = [e.value for kind in ("markdown", "caption", "info", "warning", "error", "success", "title", "code")
             for e in getattr(at, kind)]
    parts += [str(w.value) for w in at.text_input] + [str(o) for s in at.selectbox for o in s.options]
    return "\n".join(map(str, parts))


def test_local_mode_says_so_and_offers_the_backup_page():
    at = new_app()
    assert MODE_TEXT[Mode.LOCAL] in said(at)
    at.switch_page("pages/notebook.py").run()
    assert MODE_TEXT[Mode.LOCAL] in said(at)
    at.switch_page("pages/backup.py").run()
    assert [b.label for b in at.get("download_button")] == ["Download the backup (JSON)"]


def test_shared_mode_each_session_has_its_own_notebook(monkeypatch):
    monkeypatch.setenv("JOININGFORCES_MODE", "shared")
    name = f"Quayside partners {uuid.uuid4().hex[:6]}"
    first = new_app()
    assert MODE_TEXT[Mode.SHARED] in said(first)
    first.button(key="start-quick").click().run()
    first.radio(key=f"answer-quick-check-{QUICK.principles[0].statements[0].id}").set_value(2).run()
    first.text_input(key="details-partnership").input(name).run()
    key = first.query_params["n"]
    first.switch_page("pages/notebook.py").run()
    assert name in everything_shown(first) and key in everything_shown(first)  # their own link, to bookmark

    second = new_app()
    assert second.query_params["n"] != key
    for page in ("pages/notebook.py", "pages/check.py", "pages/results.py", "pages/facilitate.py"):
        second.switch_page(page).run()
        shown = everything_shown(second)
        assert name not in shown and key not in shown, page
    second.switch_page("pages/backup.py").run()
    assert not second.get("download_button") and "not available here" in everything_shown(second)

    back = new_app(n=key)  # the notebook link, in a fresh session: the same notebook
    back.switch_page("pages/notebook.py").run()
    assert name in everything_shown(back)


@pytest.mark.parametrize("wrong", ["x" * 32, "short", "../../etc"])
def test_a_wrong_notebook_key_is_one_plain_not_found(monkeypatch, wrong):
    monkeypatch.setenv("JOININGFORCES_MODE", "shared")
    at = new_app(n=wrong)
    assert [w.value for w in at.warning] == [
        "That notebook link was not found: it may be mistyped or replaced by a newer one. "
        "You are in a new, empty notebook."]
    assert at.query_params["n"] != wrong


def test_signin_mode_without_sign_in_asks_for_it_and_shows_nothing(monkeypatch):
    monkeypatch.setenv("JOININGFORCES_MODE", "signin")
    at = new_app()
    assert MODE_TEXT[Mode.SIGNIN] in said(at)
    for page in ("pages/notebook.py", "pages/check.py", "pages/facilitate.py", "pages/results.py"):
        at.switch_page(page).run()
        assert [t.value for t in at.title] == ["Please sign in"], page


def test_shared_mode_never_puts_a_notebook_key_on_the_presentation_screen(monkeypatch):
    monkeypatch.setenv("JOININGFORCES_MODE", "shared")
    at = new_app("pages/present.py", v="x" * 32)  # straight to a (wrong) presentation link, as a projector
    assert "n" not in at.query_params  # the projected address bar shows no notebook key
    facilitator = new_app()
    facilitator.switch_page("pages/facilitate.py").run()
    assert "n" in facilitator.query_params  # elsewhere the key is kept in the URL
