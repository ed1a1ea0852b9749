"""Rubric studio: a trainer uploads or pastes a rubric and sees its problems, line by line, or a
preview (statements, practices, a sample radar, a comparison with a library rubric); then uses it
for a self-check in this session or, where the deployment allows, saves it to the library."""

import re
from datetime import datetime

import streamlit as st

import ui
from ui import lang as ui_lang
from joiningforces import charts, report, studio
from joiningforces.library import DEFAULT_ID, default_rubric
from joiningforces.loader import MAX_BYTES, RubricError
from joiningforces.models import Rubric
from joiningforces.scoring import score

ui.run_through_app()

UPLOAD, PASTE = "Upload a file", "Paste the text"


def fill_template() -> None:
    st.session_state["studio-paste"] = studio.starter_template()


def use_for_check(rubric: Rubric, text: str) -> None:
    """Offer `rubric` in this session (in place of a library rubric with the same id) and make it current.

    Answers and notes already given under this id are kept where they still fit; the questionnaire
    starts again at the first principle, since the principles may have changed. A changed rubric
    starts a new saved assessment: the one saved so far belongs to the rubric it replaces."""
    previous = ui.rubrics().get(rubric.id)
    if previous is not None and previous != rubric:
        token = st.session_state.get("tokens", {}).pop(rubric.id, None)
        if token and st.query_params.get(ui.RESUME_PARAM) == token:
            del st.query_params[ui.RESUME_PARAM]  # else the resume link would bring the old rubric back
    ui.add_session_rubric(rubric, text)
    answers, notes = ui.answers(rubric), ui.notes(rubric)
    kept_answers, kept_notes = studio.fitting_answers(rubric, answers), studio.fitting_notes(rubric, notes)
    answers.clear()
    answers.update(kept_answers)
    notes.clear()
    notes.update(kept_notes)
    # The questionnaire's own state for this id (its step, and radios/notes that may show old values).
    stale = ({f"step-{rubric.id}"} | {f"answer-{rubric.id}-{s.id}" for s in rubric.statements}
             | {f"note-{where}-{rubric.id}-{p.id}" for where in ("check", "results") for p in rubric.principles})
    jump = re.compile(rf"jump-{re.escape(rubric.id)}-\d+")
    for key in [k for k in st.session_state if k in stale or jump.fullmatch(str(k))]:
        del st.session_state[key]
    ui.choose_rubric(rubric.id)


def show_problems(checked: studio.Checked) -> None:
    total = len(checked.problems) + checked.more_problems
    fix = "Fix them" if total != 1 else "Fix it"
    st.error(ui.plain(f"{checked.name} cannot be used yet: {total} problem{'s' if total != 1 else ''}. "
                      f"{fix} in your file and check it again. Nothing has been saved or changed."),
             icon=":material/error:")
    for shown in checked.problems:
        problem = shown.problem
        with st.container(border=True):
            if problem.line:
                where = f"Line {problem.line}" + (f", column {problem.column}" if problem.column else "")
            else:
                where = "The whole file"
            field = f" · field {ui.plain(problem.field)}" if problem.field else ""
            st.markdown(f"**{where}**{field}")
            st.markdown(ui.plain(problem.message[:1].upper() + problem.message[1:]))
            if shown.excerpt:
                st.code(shown.excerpt, language=None, wrap_lines=True)
    if checked.more_problems:
        st.caption(f"… and {checked.more_problems} more. Fix these first: later problems often follow from them.")


def show_statements(rubric: Rubric) -> None:
    answers = [p.label for p in rubric.scale.points] + [rubric.scale.dont_know]
    st.markdown("Each statement is answered on this scale: " + " · ".join(ui.plain(a) for a in answers) + ".")
    if any(s.reverse for s in rubric.statements):
        st.caption("Statements marked *reverse-scored* count the other way round: agreeing is a bad sign. "
                   "Participants are not told.")
    number = 0
    for element in rubric.elements:
        members = [p for p in rubric.principles if p.element == element.id]
        st.subheader(ui.plain(element.title))
        st.caption(ui.plain(element.description))
        if not members:
            st.caption("No principle belongs to this element yet.")
        for principle in members:
            number += 1
            with st.container(border=True):
                st.markdown(f"**{number}. {ui.plain(principle.title)}**")
                st.markdown(ui.plain(principle.description))
                st.markdown("\n".join(
                    f"- {ui.plain(' '.join(s.text.split()))}" + (" *(reverse-scored)*" if s.reverse else "")
                    for s in principle.statements))
                if principle.prompt:
                    st.caption(f"Question for a group whose views differ: {ui.plain(principle.prompt)}")


def show_practices(rubric: Rubric) -> None:
    st.markdown("Suggested to people whose scores fall in a band that calls for action, for the principles "
                "each practice helps.")
    ui.table(studio.practices_table(rubric), hide_index=True)
    titles = {p.id: p.title for p in rubric.principles}
    for practice in rubric.practices:
        with st.expander(ui.plain(practice.name)):
            st.markdown(f"**What it is.** {ui.plain(practice.what)}")
            st.markdown(f"**Why it helps.** {ui.plain(practice.why)}")
            st.markdown("**First steps**")
            st.markdown("\n".join(f"{i}. {ui.plain(' '.join(step.split()))}"
                                  for i, step in enumerate(practice.first_steps, start=1)))
            st.markdown("**Helps:** " + "; ".join(ui.plain(titles[h]) for h in practice.helps))


def show_sample(rubric: Rubric) -> None:
    result = score(rubric, studio.sample_answers(rubric))
    st.caption(f"Made-up answers (the same every time) showing how the radar looks with "
               f"{len(rubric.principles)} principles. Real answers will give another shape.")
    st.altair_chart(charts.result_radar(result, name="Sample"), width="content")
    ui.download_button(
        st, "Sample report (PDF)", data=lambda: report.pdf_report(result, {}, created=datetime.now(),
                                                                 subject="Sample answers (made up)"),
        file_name=f"sample-{rubric.id}.pdf", mime="application/pdf", icon=":material/picture_as_pdf:",
        key="studio-sample-pdf")


def show_comparison(rubric: Rubric) -> None:
    library = ui.library().rubrics
    if not library:
        try:
            library = {DEFAULT_ID: default_rubric()}
        except RubricError:
            st.info("There is no library rubric to compare with.")
            return
    ids = list(library)
    base_id = st.selectbox("Compare with", ids, index=ids.index(DEFAULT_ID) if DEFAULT_ID in ids else 0,
                           format_func=lambda rid: f"{library[rid].title} ({rid}, version {library[rid].version})",
                           key="studio-compare-with")
    diff = studio.compare(library[base_id], rubric)
    if diff.same:
        st.success("Your rubric asks and suggests exactly what this library rubric does.")
        return
    for note in diff.notes:
        st.warning(ui.plain(note), icon=":material/info:")
    st.markdown("\n".join(f"- {diff.sentence(kind)}" for kind in ("principle", "statement", "practice")))
    sections = [("Settings", diff.settings, None), ("Principles", diff.principles, "principle"),
                ("Statements", diff.statements, "statement"), ("Practices", diff.practices, "practice")]
    for heading, changes, kind in sections:
        if not changes:
            continue
        st.subheader(heading)
        table = studio.settings_table(changes) if kind is None else studio.changes_table(changes)
        ui.table(table, hide_index=True)


def show_rubric(checked: studio.Checked) -> None:
    rubric = checked.rubric
    st.success(ui.plain(f"{checked.name} is a valid rubric. This is how participants will see it."),
               icon=":material/check_circle:")
    for shown in checked.warnings:  # usable, but its scores may mislead (joiningforces.lint)
        warning = shown.problem
        where = f"Line {warning.line}" if warning.line else "The whole file"
        st.warning(ui.plain(f"Warning, {where.lower()}: {warning.message}"), icon=":material/warning:")
    st.header(ui.plain(rubric.title))
    st.caption(ui.plain(f"Id {rubric.id} · version {rubric.version} · language {rubric.language}"))
    st.markdown(ui.plain(rubric.description))
    st.markdown(ui.plain(studio.summary(rubric)))

    library = ui.library().rubrics
    clash = library.get(rubric.id)
    if clash == rubric:
        st.info(ui.plain(f"This rubric is in the library already, exactly as it is here ('{rubric.id}')."),
                icon=":material/library_books:")
    elif clash is not None:
        taken = set(library) | set(ui.rubrics())
        st.warning(ui.plain(
            f"The library already has a rubric with the id '{rubric.id}': {clash.title} (version "
            f"{clash.version}). If you use yours for a self-check, it takes that rubric's place for you only, "
            "in this browser tab; everyone else still gets the library's. To save yours to the library, give "
            f"it a new id first, for example '{studio.free_id(rubric.id, taken)}'."), icon=":material/warning:")

    use_col, save_col = st.columns(2, vertical_alignment="top")
    with use_col:
        if st.button("Use it for a self-check", type="primary", key="studio-use", icon=":material/checklist:"):
            use_for_check(rubric, checked.raw.decode("utf-8-sig"))
            st.switch_page("pages/check.py")
        st.caption("In this browser tab only, until you close it.")
    with save_col:
        if ui.may_save_to_library():  # the local person where the setting allows it, or an administrator
            if st.button("Save to the library", key="studio-save", icon=":material/library_add:"):
                try:
                    path = studio.save_to_library(checked.raw, name=checked.name, allowed=ui.may_save_to_library())
                except studio.SaveRefused as refused:
                    st.error(ui.plain(f"Not saved: {refused.message}"), icon=":material/block:")
                else:
                    ui.library.clear()
                    st.success(ui.plain(f"Saved to the library as {path.name}. Everyone using this app "
                                        "can now choose it."), icon=":material/check_circle:")
            st.caption("Everyone using this app will be able to choose it. A library rubric is never replaced.")
        else:
            st.caption("Saving to the shared library is switched off on this server. Download your file and "
                       "send it to whoever runs the app.")

    statements_tab, practices_tab, radar_tab, compare_tab = st.tabs(
        ["Principles and statements", "Practices", "Sample radar", "Compare with the library"])
    with statements_tab, ui_lang.in_language(rubric, "studio-statements"):
        show_statements(rubric)
    with practices_tab, ui_lang.in_language(rubric, "studio-practices"):
        show_practices(rubric)
    with radar_tab:
        show_sample(rubric)
    with compare_tab:
        show_comparison(rubric)


st.title("Rubric studio")
st.markdown(
    "Check a rubric before your workshop. Upload or paste its TOML text: you see at once what is wrong "
    "with it, line by line, or the check as participants will see it. Then try it yourself, compare it "
    "with a library rubric, or save it to the library."
)
with st.container(horizontal=True):
    st.download_button("Starter template (TOML)", data=studio.starter_template().encode("utf-8"),
                       file_name="my-workshop.toml", mime="application/toml", on_click="ignore",
                       icon=":material/description:", key="studio-template")
    ui.download_button(st, "JSON Schema, for editors", data=studio.json_schema_text(), file_name="rubric.schema.json",
                       mime="application/schema+json", icon=":material/data_object:", key="studio-schema")
st.caption("The template is a small, valid rubric with comments on every part: a good place to start. "
           "Editors such as VS Code use the schema to suggest keys as you type.")

mode = st.radio("Your rubric", [UPLOAD, PASTE], horizontal=True, key="studio-mode")
if mode == UPLOAD:
    upload = st.file_uploader("Rubric file (.toml)", type=["toml", "txt"], key="studio-upload", max_upload_size=1,
                              help=f"A UTF-8 text file of at most {MAX_BYTES:,} bytes.")
    st.caption(f"A rubric file is UTF-8 text of at most {MAX_BYTES:,} bytes. It is checked here and kept only "
               "in this browser tab unless you save it to the library.")
    source = (upload.getvalue(), upload.name) if upload is not None else None
else:
    st.button("Start from the starter template", key="studio-fill", on_click=fill_template,
              icon=":material/description:")
    text = st.text_area("Rubric TOML", key="studio-paste", height=320,
                        placeholder='id = "my-workshop"\ntitle = "..."')
    source = (text.encode("utf-8", "surrogatepass"), "The pasted rubric") if text.strip() else None

if source is None:
    st.info("Upload a rubric file or paste its text to check it. No rubric yet? Start from the template.",
            icon=":material/upload_file:")
else:
    checked = studio.check_rubric(*source)
    if checked.ok:
        show_rubric(checked)
    else:
        show_problems(checked)
