"""Results: radar and beachball, the table of principles, weak spots with practices, notes, exports."""

from datetime import datetime

import streamlit as st

import ui
from ui import lang as ui_lang
from joiningforces import charts, exports, report
from joiningforces.recommend import strengths, weak_spots
from joiningforces.scoring import one_decimal, score

ui.run_through_app()

rubric = ui.current_rubric()


def _action_line(action) -> dict:
    principle = next((p.title for p in rubric.principles if p.id == action.principle_id), action.principle_id)
    return {"text": f"{principle}: {action.text} ({action.status})", "owner": action.owner, "due": action.due}


given = ui.answers(rubric)
notes = ui.notes(rubric)
result = score(rubric, given)

st.title("Your results")
st.caption(f"{ui.plain(rubric.title)} · version {ui.plain(rubric.version)} · "
           f"{result.answered} of {len(rubric.statements)} statements answered")

if not given:
    st.info("You have not answered any statements yet. Take the check, or load answers you exported before.")
    st.page_link("pages/check.py", label="Take the check", icon=":material/checklist:")
else:
    st.markdown(ui.plain(charts.summary_sentence(result)))
    # The radar is the page's main picture, across the page; the beachball below it.
    with ui_lang.in_language(rubric, "charts"):  # their alt text is the rubric's titles
        ui.static_chart(charts.result_radar, result)
        ball_col, beside_ball = st.columns([2, 1], vertical_alignment="center")
        with ball_col:
            ui.static_chart(charts.beachball_chart, result)
        # Beside the ball, how many principles each element's score rests on.
        beside_ball.markdown("\n".join(f"- {ui.plain(line)}" for line in exports.element_lines(result)))

    st.subheader("Principles")
    with ui_lang.in_language(rubric, "principles"):
        ui.table(exports.principles_table(result).set_index("Principle"))

    spots = weak_spots(result)
    st.header("Weak spots and what to try")
    if not spots:
        st.success("No principle is in a band that calls for action. Keep doing what makes it work.")
    # One Markdown element per block, not one per paragraph: every element is a message to the
    # browser and a node to draw, and this section was most of the page's (benchmarks/README.md).
    label_of = ui.option_label(rubric)
    for spot in spots:
        p = spot.principle
        with ui_lang.in_language(rubric, f"spot-{p.id}", border=True):
            st.subheader(f"{ui.plain(p.title)}: {one_decimal(p.score)} ({ui.plain(p.band.label)})")
            parts = [f":gray[{ui.plain(p.band.meaning)}]"] if p.band.meaning else []
            if spot.pulled_down:
                parts.append("**What pulled it down**\n\n" + "\n".join(
                    f"- {ui.plain(s.text)} — you answered *{ui.plain(label_of(value))}*" for s, value in spot.pulled_down))
            parts.append("**Practices to try**")
            st.markdown("\n\n".join(parts))
            for rank, suggestion in enumerate(spot.practices, start=1):
                practice = suggestion.practice
                with st.expander(f"{rank}. {ui.plain(practice.name)}", expanded=rank == 1):
                    st.markdown(f"**What it is.** {ui.plain(practice.what)}\n\n"
                                f"**Why here.** {ui.plain(practice.why)} {ui.plain(suggestion.reason)}\n\n"
                                "**First steps**\n\n" + "\n".join(
                                    f"{i}. {ui.plain(step)}" for i, step in enumerate(practice.first_steps, start=1)))

    strong = strengths(result)
    if strong:
        st.header("Strengths")
        st.markdown("\n".join(f"- {ui.plain(p.title)}: {one_decimal(p.score)}" for p in strong))
    unscored = [p for p in result.principles if not p.scored]
    if unscored:
        st.caption("Not enough answers to score: " + ", ".join(ui.plain(p.title) for p in unscored) + ".")

    @st.fragment
    def notes_section() -> None:
        """Editing a note reruns only this section, not the charts above it."""
        st.header("Notes")
        st.caption("A note per principle: evidence, examples, reflections. Notes go into the PDF and the exports.")
        for principle in rubric.principles:
            key = f"note-results-{rubric.id}-{principle.id}"
            st.text_area(ui.plain(principle.title), value=notes.get(principle.id, ""), key=key,
                         max_chars=exports.MAX_NOTE,
                         on_change=ui.record_note, args=(rubric, principle.id, key), height=68)

    notes_section()

    st.header("Export")
    stamp = datetime.now().strftime("%Y-%m-%d")
    base = f"joining-forces-{rubric.id}-{stamp}"
    pdf_col, csv_col, json_col = st.columns(3)
    # Read from the session now: Streamlit makes the file later, outside this session's script run.
    subject, saved, notebook = ui.details()["partnership"], ui.token_for(rubric) is not None, ui.notebook()

    def pdf() -> bytes:
        plan = notebook.actions_for(subject, include_done=False) if saved else []
        return report.pdf_report(result, notes, created=datetime.now(), subject=subject,
                                 actions=[_action_line(a) for a in plan])

    ui.download_button(pdf_col,
        "PDF report", data=pdf,
        file_name=f"{base}.pdf", mime="application/pdf", icon=":material/picture_as_pdf:",
        key="download-pdf", width="stretch")
    # Small files are made with the page (a click then needs nothing from the server); the PDF
    # and PNG are made only when asked for, as they take vl-convert a while.
    ui.download_button(csv_col,
        "Answers and scores (CSV)", data=exports.to_csv(result, notes).encode("utf-8-sig"), file_name=f"{base}.csv",
        mime="text/csv", icon=":material/table:", key="download-csv", width="stretch")
    ui.download_button(json_col,
        "Answers (JSON, to load back)", data=exports.to_json(result, notes), file_name=f"{base}.json",
        mime="application/json", icon=":material/data_object:", key="download-json",
        width="stretch")
    png_col, svg_col, _ = st.columns(3)
    ui.download_button(png_col,
        "Radar (PNG)", data=lambda: report.radar_png(charts.result_radar(result)), file_name=f"{base}-radar.png",
        mime="image/png", icon=":material/image:", key="download-png", width="stretch")
    ui.download_button(svg_col,
        "Radar (SVG)", data=report.in_language(ui.chart_svg(charts.result_radar, result), rubric.language),
        file_name=f"{base}-radar.svg", mime="image/svg+xml", icon=":material/image:", key="download-svg",
        width="stretch")

def load_back() -> None:
    """Restore exported answers; a file made with another rubric in the library switches to it."""
    upload = st.session_state.get("restore-upload")
    if upload is None:
        return
    data, target = upload.getvalue(), rubric
    try:
        try:
            restored_answers, restored_notes, _meta = exports.from_json(data, target)
        except exports.ImportProblem as problem:
            target = ui.rubrics().get(problem.rubric_id or "")
            if target is None:
                raise
            restored_answers, restored_notes, _meta = exports.from_json(data, target)
    except exports.ImportProblem as problem:
        ui.tell("restore", f"That file was not loaded: {ui.plain(str(problem))} Your current answers are unchanged.")
        return
    ui.choose_rubric(target.id)
    ui.answers(target).clear()
    ui.answers(target).update(restored_answers)
    ui.notes(target).clear()
    ui.notes(target).update(restored_notes)
    # Widgets keep their own state while on screen: drop it so they show the loaded values.
    for key in [k for k in st.session_state if str(k).startswith(("note-", "answer-"))]:
        del st.session_state[key]
    if ui.token_for(target):  # an assessment is open: it becomes what was loaded (a reload keeps it)
        ui.save_all(target)
    ui.tell("restore", f"Loaded {len(restored_answers)} answers and {len(restored_notes)} notes "
                       f"for {ui.plain(target.title)} from {ui.plain(upload.name)}.", "success")


with st.expander("Load answers you exported before (JSON)", expanded=not given):
    st.file_uploader("Exported JSON file", type=["json"], key="restore-upload", on_change=load_back,
                     max_upload_size=2)
    ui.show("restore")
