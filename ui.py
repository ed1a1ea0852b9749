"""What the pages share: the rubric library, the current rubric, and the person's answers and notes.

State flows one way: rubric -> answers (session state, by rubric id) -> scores -> charts/advice.
Answers live in a plain dict in st.session_state, not in widget keys, because Streamlit drops a
widget's state when the widget is not on screen (another step or page).
"""

from __future__ import annotations

import re
import threading

import pandas as pd
import streamlit as st

from joiningforces.library import DEFAULT_ID, Library, load_library
from joiningforces.models import Rubric
from joiningforces.storage import NotFound, Reviews, Store

DONT_KNOW = "dk"  # the radio option for "don't know"; stored as None in the answers


# Streamlit hides the real radio inputs and draws its own circles, which show no focus ring:
# give keyboard users a clear one (WCAG 2.4.7). Static CSS only; no user text goes through here.
FOCUS_STYLE = """<style>
[data-testid="stRadioOption"]:has(input:focus-visible),
[data-testid="stCheckbox"] label:has(input:focus-visible) {
  outline: 3px solid #0b6b6b; outline-offset: 2px; border-radius: 4px;
}
</style>"""


_this_run = threading.local()  # Streamlit runs each session's script in its own thread


# Board review pages carry their own private links; a self-check's ?a= does not belong there.
_OWN_LINKS = ("review", "facilitate")


def every_run(url_path: str = "") -> None:
    """What app.py does on every run before the page: styles, resume link, notices."""
    _this_run.via_app = True
    st.html(FOCUS_STYLE)
    warm_up_reports()
    if url_path not in _OWN_LINKS:
        sync_resume_link()
    notices()


def run_through_app(url_path: str = "") -> None:
    """Called at the top of each page: make sure `every_run` happened, even on a fresh server.

    Until app.py has called st.navigation once, Streamlit treats pages/ as a legacy multipage
    folder and runs a directly requested page (say /check?a=...) on its own, skipping app.py.
    Then the page does app.py's per-run work itself and leaves legacy mode for the next runs.
    """
    if getattr(_this_run, "via_app", False):
        _this_run.via_app = False
        return
    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.uses_pages_directory = False
    every_run(url_path)
    _this_run.via_app = False


@st.cache_resource(show_spinner=False)
def library() -> Library:
    """Rubrics are immutable, so one loaded copy serves every session."""
    return load_library()


def rubrics() -> dict[str, Rubric]:
    """The library's rubrics, then any this session added (e.g. uploaded in the rubric studio)."""
    return library().rubrics | st.session_state.get("session_rubrics", {})


def add_session_rubric(rubric: Rubric, text: str | None = None) -> None:
    """Make a rubric available to this browser session only (the library folder is not touched).

    With its TOML `text`, answers to it are saved in the notebook like any other.
    """
    st.session_state.setdefault("session_rubrics", {})[rubric.id] = rubric
    if text is not None:
        st.session_state.setdefault("session_rubric_texts", {})[rubric.id] = text


@st.cache_resource(show_spinner=False)
def warm_up_reports() -> threading.Thread:
    """Start the PDF/PNG engine in the background once per process, so the first report is quick."""

    def warm() -> None:
        from joiningforces import report

        report.warm_up()

    thread = threading.Thread(target=warm, name="warm-up-reports", daemon=True)
    thread.start()
    return thread


def current_rubric() -> Rubric:
    available = rubrics()
    chosen = st.session_state.get("rubric_id")
    if chosen not in available:
        chosen = DEFAULT_ID if DEFAULT_ID in available else next(iter(available))
        st.session_state["rubric_id"] = chosen
    return available[chosen]


def choose_rubric(rubric_id: str) -> None:
    if rubric_id in rubrics():
        st.session_state["rubric_id"] = rubric_id


def answers(rubric: Rubric) -> dict[str, int | None]:
    return st.session_state.setdefault("answers", {}).setdefault(rubric.id, {})


def notes(rubric: Rubric) -> dict[str, str]:
    return st.session_state.setdefault("notes", {}).setdefault(rubric.id, {})


def record_answer(rubric: Rubric, statement_id: str, widget_key: str) -> None:
    value = st.session_state.get(widget_key)
    answers(rubric)[statement_id] = None if value == DONT_KNOW else value
    save(rubric, lambda store, token: store.set_answer(token, statement_id, answers(rubric)[statement_id]))


def record_note(rubric: Rubric, principle_id: str, widget_key: str) -> None:
    text = (st.session_state.get(widget_key) or "").strip()
    if text:
        notes(rubric)[principle_id] = text
    else:
        notes(rubric).pop(principle_id, None)
    save(rubric, lambda store, token: store.set_note(token, principle_id, text))


# --- The notebook: every answer is saved as it is given, under a private resume id in the URL ---

RESUME_PARAM = "a"


@st.cache_resource(show_spinner=False)
def store() -> Store:
    """One store (engine and connection pool) per process, shared by every session's threads."""
    return Store()


def rubric_text(rubric: Rubric) -> str | None:
    return st.session_state.get("session_rubric_texts", {}).get(rubric.id) or library().texts.get(rubric.id)


def details() -> dict[str, str]:
    """Partnership and respondent names used for new assessments in this session."""
    return st.session_state.setdefault("details", {"partnership": "My partnership", "respondent": ""})


def token_for(rubric: Rubric) -> str | None:
    return st.session_state.setdefault("tokens", {}).get(rubric.id)


def _start_assessment(rubric: Rubric) -> str | None:
    text = rubric_text(rubric)
    if text is None:
        return None
    s = store()
    digest = s.snapshot_rubric(text)
    assessment = s.create_assessment(rubric_hash=digest, partnership=details()["partnership"],
                                     respondent=details()["respondent"])
    st.session_state["tokens"][rubric.id] = assessment.id
    st.query_params[RESUME_PARAM] = assessment.id  # a reload from now on brings it back
    # Whatever was answered before the first save (e.g. restored from a file) goes in too.
    s.set_answers(assessment.id, answers(rubric))
    for principle_id, note in notes(rubric).items():
        s.set_note(assessment.id, principle_id, note)
    return assessment.id


def save(rubric: Rubric, write) -> None:
    """Run `write(store, token)` for the rubric's assessment, starting one if needed.

    A failed save keeps the answer in the session and says so; the next save writes everything
    again, so a brief database fault loses nothing.
    """
    try:
        token = token_for(rubric) or _start_assessment(rubric)
        if token is None:
            return
        if st.session_state.pop("unsaved", False):
            store().set_answers(token, answers(rubric))
        write(store(), token)
    except Exception as exc:  # noqa: BLE001 - any database fault is reported the same way, answers kept
        st.session_state["unsaved"] = True
        st.session_state["save-problem"] = f"Your last change could not be saved just now ({type(exc).__name__}). " \
                                           "It is kept in this tab and will be saved with your next answer."
    else:
        st.session_state.pop("save-problem", None)


def save_all(rubric: Rubric) -> None:
    """Write the whole set of answers and notes (after loading them back from a file)."""
    def write(s: Store, token: str) -> None:
        s.set_answers(token, answers(rubric))
        for principle_id in [p.id for p in rubric.principles]:
            s.set_note(token, principle_id, notes(rubric).get(principle_id, ""))
    save(rubric, write)


def open_assessment(token: str) -> bool:
    """Load a saved assessment into this session (from a resume link or the notebook)."""
    try:
        assessment = store().get_assessment(token)
        snapshot = store().rubric(assessment.rubric_hash)
    except NotFound:
        return False
    current = library().rubrics.get(snapshot.id)
    if current is None or current != snapshot:
        add_session_rubric(snapshot, store().rubric_text(assessment.rubric_hash))
    st.session_state.setdefault("tokens", {})[snapshot.id] = assessment.id
    st.session_state.setdefault("answers", {})[snapshot.id] = dict(assessment.answers)
    st.session_state.setdefault("notes", {})[snapshot.id] = dict(assessment.notes)
    st.session_state["details"] = {"partnership": assessment.partnership, "respondent": assessment.respondent}
    st.session_state["rubric_id"] = snapshot.id
    for key in [k for k in st.session_state if str(k).startswith(("note-", "answer-", "step-"))]:
        del st.session_state[key]
    return True


def sync_resume_link() -> None:
    """Called on every run: open the assessment named in the URL, and keep the URL naming the current one."""
    wanted = st.query_params.get(RESUME_PARAM)
    loaded = set(st.session_state.get("tokens", {}).values())
    if wanted and wanted not in loaded:
        if not open_assessment(wanted):
            del st.query_params[RESUME_PARAM]
            st.session_state["resume-problem"] = True
    token = token_for(current_rubric())
    if token and st.query_params.get(RESUME_PARAM) != token:
        st.query_params[RESUME_PARAM] = token


def resume_link(token: str) -> str:
    return app_link("check", **{RESUME_PARAM: token})


def notices() -> None:
    """Problems to tell the person about on whichever page they are on."""
    if st.session_state.pop("resume-problem", False):
        st.warning("That saved assessment was not found. Check the link, or start a new check.",
                   icon=":material/search_off:")
    if st.session_state.get("save-problem"):
        st.warning(st.session_state["save-problem"], icon=":material/cloud_off:")


def questionnaire_step(rubric: Rubric, step: int, given, key_prefix: str, on_change, disabled: bool = False):
    """Draw one step of a questionnaire (self-check or board review) and return its principle.

    `given` maps statement ids to answers (None: don't know); each radio calls
    `on_change(statement_id, widget_key)`. Only the answers differ between the two pages.
    """
    total = len(rubric.statements)
    answered = sum(1 for s in rubric.statements if s.id in given)
    st.progress(answered / total, text=f"{answered} of {total} statements answered")
    principle = rubric.principles[step]
    element = rubric.element(principle.element)
    st.caption(f"Principle {step + 1} of {len(rubric.principles)} · {plain(element.title)}")
    st.subheader(plain(principle.title))
    st.markdown(plain(principle.description))
    choices, label_of = options(rubric), option_label(rubric)
    for statement in principle.statements:
        key = f"{key_prefix}{statement.id}"
        value = given.get(statement.id, _UNANSWERED)
        index = None if value is _UNANSWERED else choices.index(DONT_KNOW if value is None else value)
        st.radio(plain(statement.text), choices, index=index, format_func=label_of, horizontal=True, key=key,
                 disabled=disabled, on_change=on_change, args=(statement.id, key))
    return principle


_UNANSWERED = object()


def options(rubric: Rubric) -> list:
    return [p.value for p in rubric.scale.points] + [DONT_KNOW]


def option_label(rubric: Rubric):
    labels = {p.value: p.label for p in rubric.scale.points} | {DONT_KNOW: rubric.scale.dont_know}
    return lambda value: labels[value]


_INLINE = re.compile(r"([\\`*_~\[\]$])")
_BLOCK = re.compile(r"^(\s*)([#>+\-=])", re.MULTILINE)
_NUMBERED = re.compile(r"^(\s*\d+)([.)])", re.MULTILINE)
# Markdown passes an HTML tag or entity through as raw text (Streamlit shows it, never runs it), but
# then undoes no escapes inside it ("<b>a\\_b</b>" shows the backslash) and decodes "&amp;" to "&".
_HTMLISH = re.compile(r"(<(?=[A-Za-z/!?])|&(?=#?[A-Za-z0-9]+;))")


def plain(text: str) -> str:
    """Rubric and user text for st.markdown and widget labels: shown as typed, never as markup.

    Only what Markdown would act on is escaped (emphasis, links, code, maths, and list or heading
    marks at the start of a line), because widget labels also become screen readers' aria-labels.
    Streamlit never renders raw HTML here, so HTML needs no escaping to be safe; a "<" that starts a
    tag and a "&" that starts an entity are escaped only so that they show exactly as typed.
    """
    text = _HTMLISH.sub(r"\\\1", _INLINE.sub(r"\\\1", text))
    return _NUMBERED.sub(r"\1\\\2", _BLOCK.sub(r"\1\\\2", text))


def chart_spec(build, result) -> dict:
    """A result's chart as a Vega-Lite spec, built once per set of scores (see `_cached_spec`)."""
    return _cached_spec(build.__name__, result.rubric, result.answers)


@st.cache_data(show_spinner=False, max_entries=256, hash_funcs={Rubric: lambda r: (r.id, r.version, hash(r))})
def _cached_spec(builder: str, rubric: Rubric, answers: dict) -> dict:
    # Building and validating the Altair charts was a fifth of a results-page run (benchmarks/README.md).
    from joiningforces import charts
    from joiningforces.scoring import score

    return getattr(charts, builder)(score(rubric, answers)).to_dict(validate=False)


def table(frame, **kwargs) -> None:
    """st.table with every cell and index label shown as typed (st.table renders Markdown in cells)."""
    shown = frame.map(lambda v: plain(str(v)))
    shown.index = pd.Index([plain(str(i)) for i in frame.index], name=frame.index.name)
    st.table(shown, **kwargs)


def rubric_problems() -> None:
    """Say which rubric files in the library could not be loaded, and why, without stopping the app."""
    for name, error in library().errors.items():
        with st.expander(f"The rubric file {name} has problems and is not offered", icon=":material/warning:"):
            st.text("\n".join(str(p) for p in error.problems))




# --- Board reviews (pages/review.py and pages/facilitate.py) ---

PAGE_PATHS = ("check", "results", "notebook", "studio", "review", "facilitate")


@st.cache_resource(show_spinner=False)
def reviews() -> Reviews:
    """Board reviews in the same database as the notebook; one per process, like `store`."""
    return Reviews(store())


def app_link(url_path: str, **params: str) -> str:
    """A full link to a page of this app as the browser reached it, e.g. app_link("review", p=token)."""
    base = (st.context.url or "").split("?")[0].rstrip("/")
    for page in PAGE_PATHS:
        base = base.removesuffix(f"/{page}")
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return f"{base}/{url_path}" + (f"?{query}" if query else "")
