"""What the pages share: the rubric library, the current rubric, and the person's answers and notes.

State flows one way: rubric -> answers (session state, by rubric id) -> scores -> charts/advice.
Answers live in a plain dict in st.session_state, not in widget keys, because Streamlit drops a
widget's state when the widget is not on screen (another step or page).
"""

from __future__ import annotations

import errno
import functools
import html as html_lib
import logging
import re
import threading

import streamlit as st

from joiningforces.library import DEFAULT_ID, Library, load_library
from joiningforces.models import Rubric
from joiningforces.storage import NotFound, Reviews, Store, StoreError, StoreUnavailable

DONT_KNOW = "dk"  # the radio option for "don't know"; stored as None in the answers


# Streamlit hides the real radio inputs and draws its own circles, which show no focus ring:
# give keyboard users a clear one (WCAG 2.4.7). Static CSS only; no user text goes through here.
FOCUS_STYLE = """<style>
[data-testid="stRadioOption"]:has(input:focus-visible),
[data-testid="stCheckbox"] label:has(input:focus-visible) {
  outline: 3px solid #0b6b6b; outline-offset: 2px; border-radius: 4px;
}
</style>"""
# The presentation screen (pages/present.py): type readable from the back of a room, no header bar.
PRESENT_STYLE = """<style>
[data-testid="stMainBlockContainer"] { padding-top: 1.5rem; max-width: 100%; }
[data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li { font-size: 1.6rem; }
h1 { font-size: 3rem !important; } h2 { font-size: 2.3rem !important; }
[data-testid="stHeader"], [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"] { display: none; }
</style>"""


_this_run = threading.local()  # Streamlit runs each session's script in its own thread


# Board review pages carry their own private links; a self-check's ?a= does not belong there.
_OWN_LINKS = ("review", "facilitate", "present")


def every_run(url_path: str = "") -> None:
    """What app.py does on every run before the page: styles, resume link, notices."""
    _this_run.via_app = True
    st.session_state.pop(RERUN_PAGE, None)  # a whole run shows every change anyway
    st.session_state.pop(RATED_UNDRAWN, None)
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


def record_answer(rubric: Rubric, statement_id: str, widget_key: str) -> bool:
    value = st.session_state.get(widget_key)
    answers(rubric)[statement_id] = None if value == DONT_KNOW else value
    return save(rubric, lambda store, token: store.set_answer(token, statement_id, answers(rubric)[statement_id]))


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
    st.session_state[RERUN_PAGE] = True  # the page now shows the resume link
    st.query_params[RESUME_PARAM] = assessment.id  # a reload from now on brings it back
    # Whatever was answered before the first save (e.g. restored from a file) goes in too.
    s.set_answers(assessment.id, answers(rubric))
    for principle_id, note in notes(rubric).items():
        s.set_note(assessment.id, principle_id, note)
    return assessment.id


def save(rubric: Rubric, write) -> bool:
    """Run `write(store, token)` for the rubric's assessment, starting one if needed; True if written.

    A failed save keeps the answer in the session and says so; the next save writes everything
    again, so a brief database fault loses nothing.
    """
    try:
        token = token_for(rubric) or _start_assessment(rubric)
        if token is None:
            return False
        if st.session_state.pop("unsaved", False):
            write_everything(rubric)(store(), token)  # whatever failed before goes in first
        write(store(), token)
    except Exception as exc:  # noqa: BLE001 - any database fault is reported the same way, answers kept
        st.session_state["unsaved"] = True
        st.session_state[RERUN_PAGE] = True  # to show the warning
        st.session_state["save-problem"] = save_problem(exc)
        return False
    if st.session_state.pop("save-problem", None):
        st.session_state[RERUN_PAGE] = True  # to take the warning away
    return True


def guarded(problem_key: str, as_value=lambda message: message):
    """Decorate a widget callback that uses the database: if it stays busy or unreachable, the
    plain message goes to `st.session_state[problem_key]` (as `as_value(message)`), for the page to
    show beside the widgets, instead of a traceback. Nothing was written, and what was typed stays
    in its fields, since a callback clears them only after a write went through."""
    def wrap(callback):
        @functools.wraps(callback)
        def guarded_callback(*args, **kwargs) -> None:
            try:
                callback(*args, **kwargs)
            except StoreUnavailable as busy:
                st.session_state[problem_key] = as_value(busy.message)
        return guarded_callback
    return wrap


def save_action_status(action_id: int, key: str, saved: str) -> None:
    """An action's status select box changed: store it. If the database is busy, the box goes back
    to the stored status (so choosing again tries again) and StoreUnavailable goes on to `guarded`."""
    try:
        store().update_action(action_id, status=st.session_state[key])
    except StoreUnavailable:
        st.session_state[key] = saved
        raise


def store_unavailable(busy: StoreUnavailable) -> None:
    """Instead of a traceback, when a page could not reach the database (app.py catches it)."""
    st.error(f"{busy.message} Answers you have given in this tab are kept.", icon=":material/cloud_off:")
    st.button("Try again", key="store-unavailable-retry", icon=":material/refresh:")


def save_problem(exc: Exception) -> str:
    """The warning for a change that could not be saved (it stays in the session meanwhile)."""
    kept = "Your last change is kept in this tab and will be saved with your next answer."
    if isinstance(exc, StoreUnavailable):  # the database busy or unreachable: say so plainly
        return f"{exc.message} {kept}"
    logging.getLogger(__name__).warning("A save failed; the change is kept in the session", exc_info=exc)
    return f"Your last change could not be saved just now ({type(exc).__name__}). {kept}"


def write_everything(rubric: Rubric):
    """A `save` write of the whole set of answers and notes."""
    def write(s: Store, token: str) -> None:
        s.set_answers(token, answers(rubric))
        for principle_id in [p.id for p in rubric.principles]:
            s.set_note(token, principle_id, notes(rubric).get(principle_id, ""))
    return write


def save_all(rubric: Rubric) -> None:
    """Write the whole set of answers and notes (after loading them back from a file)."""
    save(rubric, write_everything(rubric))


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
    `on_change(statement_id, widget_key)`, which returns True once the answer is saved. Only the
    answers differ between the two pages.

    Each statement's radio group is a fragment of its own, so a rating reruns that group alone
    (showing "Saved" under it), not the step: redrawing the step's five radio groups, note and
    buttons on every rating tripled its latency (benchmarks/README.md). So nothing outside the
    group may depend on the ratings of this step: the progress bar counts principles, not answers.
    """
    total = len(rubric.principles)
    principle = rubric.principles[step]
    element = rubric.element(principle.element)
    st.progress((step + 1) / total, text=f"Principle {step + 1} of {total} · {plain(element.title)}")
    st.subheader(plain(principle.title))
    st.markdown(plain(principle.description))
    for statement in principle.statements:
        _rating(rubric, statement, given, f"{key_prefix}{statement.id}", on_change, disabled)
    return principle


RERUN_PAGE = "rerun-page"  # set by a callback whose change shows beyond its radio group (a message, a link)


RATED_UNDRAWN = "rated-undrawn"  # widget keys whose callback ran but whose group has not redrawn since


@st.fragment
def _rating(rubric: Rubric, statement, given, key: str, on_change, disabled: bool) -> None:
    # Streamlit's browser side holds back changes made while a run is going on, then sends them
    # together as a rerun of the first one's fragment alone: every callback runs, but the other
    # groups would not redraw (a fast keyboard user saw no "Saved" under a saved answer). A group
    # that finds another's change undrawn reruns the page, which draws them all.
    undrawn = st.session_state.setdefault(RATED_UNDRAWN, set())
    undrawn.discard(key)
    if st.session_state.pop(RERUN_PAGE, False) or undrawn:
        st.rerun()
    choices = options(rubric)
    value = given.get(statement.id, _UNANSWERED)
    index = None if value is _UNANSWERED else choices.index(DONT_KNOW if value is None else value)
    st.radio(plain(statement.text), choices, index=index, format_func=option_label(rubric), horizontal=True,
             key=key, disabled=disabled, on_change=_rated, args=(on_change, statement.id, key))
    if key in st.session_state.get(SAVED_MARKS, ()):
        st.container(key=f"saved-{statement.id}").caption(":material/check: Saved")


SAVED_MARKS = "saved-marks"  # widget keys whose last change in this session was stored


def _rated(on_change, statement_id: str, key: str) -> None:
    # The mark stays while it is true, whatever reruns come after (a rerun may redraw this group
    # without its callback running), and goes as soon as a save of this statement fails.
    marks = st.session_state.setdefault(SAVED_MARKS, set())
    st.session_state.setdefault(RATED_UNDRAWN, set()).add(key)
    if on_change(statement_id, key):
        marks.add(key)
    else:
        marks.discard(key)


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


@st.cache_data(show_spinner=False, max_entries=256, hash_funcs={Rubric: lambda r: (r.id, r.version, hash(r))})
def _cached_spec(builder: str, rubric: Rubric, answers: dict) -> dict:
    # Building and validating the Altair charts was a fifth of a results-page run (benchmarks/README.md).
    from joiningforces import charts
    from joiningforces.scoring import score

    return getattr(charts, builder)(score(rubric, answers)).to_dict(validate=False)


def static_chart(build, result) -> None:
    """A result's chart drawn on the server as an SVG image (by vl-convert, as in the PDF).

    The browser shows it at once: no Vega (a 775 KB script, then drawing) on the page's first
    render (benchmarks/README.md). Its alt text is the chart's description followed by every
    mark's label ("series: You; principle: …; score: 3.2; band: …"), so a screen reader gets all
    the figures; there are no hover tooltips (the table below has the same figures).
    """
    svg, alt = _cached_svg(build.__name__, result.rubric, result.answers)
    st.image(svg, alt=alt, width="content")


@st.cache_data(show_spinner=False, max_entries=256, hash_funcs={Rubric: lambda r: (r.id, r.version, hash(r))})
def _cached_svg(builder: str, rubric: Rubric, answers: dict) -> tuple[str, str]:
    from joiningforces import report

    spec = _cached_spec(builder, rubric, answers)
    svg = report.radar_svg(spec)
    marks = [html_lib.unescape(label) for label in re.findall(r'aria-label="([^"]*: [^"]*)"', svg)]
    return svg, " ".join([spec.get("description", "")] + [f"{label}." for label in marks])


def table(frame, hide_index: bool = False) -> None:
    """A table with every cell and index label shown as typed, the index as bold row headers.

    Drawn as a Markdown table, not st.table: st.table sends Arrow data, and the browser then
    loads a 743 KB Arrow script before showing the page (a fifth of /results' first render,
    benchmarks/README.md).
    """
    st.markdown(markdown_table(frame, hide_index))


def markdown_table(frame, hide_index: bool = False) -> str:
    def cell(value) -> str:
        return plain(" ".join(str(value).split())).replace("|", "\\|") or " "

    header = [cell(c) for c in frame.columns]
    rows = [[cell(v) for v in row] for row in frame.itertuples(index=False)]
    if not hide_index:
        header = [cell(frame.index.name or "")] + header
        rows = [[f"**{cell(i)}**"] + row for i, row in zip(frame.index, rows)]
    lines = [header, ["---"] * len(header)] + rows
    return "\n".join("| " + " | ".join(line) + " |" for line in lines)


def rubric_problems() -> None:
    """Say which rubric files in the library could not be loaded, and why, without stopping the app."""
    for name, error in library().errors.items():
        with st.expander(f"The rubric file {name} has problems and is not offered", icon=":material/warning:"):
            st.text("\n".join(str(p) for p in error.problems))




# --- Board reviews (pages/review.py and pages/facilitate.py) ---

PAGE_PATHS = ("check", "results", "notebook", "studio", "review", "facilitate", "present")


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


# --- Downloads made when the button is pressed -------------------------------------------------

EXPORT_WAIT = 10.0  # seconds the rerun after a download click waits to learn whether the file was made


class _Making:
    """A download button's file being made (one button in one script run), and what went wrong."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.problem: str | None = None


def download_button(where, label: str, data, *, key: str, **kwargs) -> None:
    """`where.download_button(label, data, ...)` that says clearly when its file could not be made.

    With `data` a callable, the file is made only when the button is pressed. Streamlit (1.67)
    calls it on another thread and, if it raises, the browser shows just "Failed to generate file
    for download" under the button for five seconds: the reason never reaches the page. So the
    callable's outcome goes to the button's on_click callback, which runs first in the rerun the
    click starts and waits (at most EXPORT_WAIT) for the file; a failure then shows as a warning
    under the button saying why (a full disk, the database unavailable...). Data given as bytes or
    text is passed on as it is.
    """
    if not callable(data):
        where.download_button(label, data=data, key=key, on_click="ignore", **kwargs)
        return
    making = _Making()

    def make():
        try:
            return data()
        except Exception as exc:
            making.problem = export_problem(label, exc)
            raise  # Streamlit sends no file and logs the traceback
        finally:
            making.done.set()

    where.download_button(label, data=make, key=key, on_click=_download_clicked, args=(key, making), **kwargs)
    if problem := st.session_state.pop(f"{key}-problem", None):
        where.warning(problem, icon=":material/error:")


def _download_clicked(key: str, making: _Making) -> None:
    making.done.wait(EXPORT_WAIT)
    if making.problem:
        st.session_state[f"{key}-problem"] = making.problem


def export_problem(label: str, exc: BaseException) -> str:
    """What to tell someone whose download could not be made."""
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        why = "The server has run out of disk space. Please try again later."
    elif isinstance(exc, OSError):
        why = f"The server could not write it ({exc.strerror or type(exc).__name__}). Please try again in a moment."
    elif isinstance(exc, StoreError):  # StoreUnavailable: the database busy or unreachable, and so on
        why = getattr(exc, "message", None) or str(exc)
    else:
        why = "Something went wrong on the server (it has been logged). Please try again in a moment."
    return (f"The file “{plain(label)}” could not be made. {why} Nothing was downloaded; if this keeps "
            "happening, tell whoever runs this app.")
