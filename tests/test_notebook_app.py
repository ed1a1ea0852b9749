"""The notebook in the app (AppTest): autosave, resume links, listing, compare, trend, actions, backup."""

import json
import uuid

from streamlit.testing.v1 import AppTest

from tests.apptest import new_app
from tests.helpers import QUICK, QUICK_TEXT

from joiningforces.access import LOCAL_OWNER
from joiningforces.storage import Store
from ui import plain
from tests.shown import tables



def quick_check_for(partnership: str, first_answer=None) -> AppTest:
    """A quick check whose first statement is answered with `first_answer` (if given), which saves it,
    then named `partnership` (the name can be given once there is something saved to name)."""
    at = new_app()
    at.button(key="start-quick").click().run()
    if first_answer is not None:
        answer(at, QUICK.principles[0].statements[0].id, first_answer)
        at.text_input(key="details-partnership").input(partnership).run()
    return at


def answer(at: AppTest, statement_id: str, value) -> None:
    at.radio(key=f"answer-quick-check-{statement_id}").set_value(value).run()


def unique(name: str) -> str:
    return f"{name} {uuid.uuid4().hex[:6]}"


def saved(token: str):
    return Store().get_assessment(token)


def test_answers_are_saved_as_given_and_the_link_brings_them_back():
    name = unique("Riverside Alliance")
    at = quick_check_for(name, 4)
    first, second = QUICK.principles[0].statements
    answer(at, second.id, "dk")
    at.text_area(key=f"note-check-quick-check-{QUICK.principles[0].id}").input("Minutes of 3 May").run()
    token = at.session_state["tokens"]["quick-check"]
    link = at.query_params["a"]  # the private resume link, apart from the assessment's id
    assert link != token and Store().assessment_for_link(link).id == token
    stored = saved(token)
    assert stored.partnership == name
    assert stored.answers == {first.id: 4, second.id: None}
    assert stored.notes == {QUICK.principles[0].id: "Minutes of 3 May"}

    # Another device (a fresh session) opens the resume link.
    again = new_app(a=link)
    assert not again.exception
    again.switch_page("pages/check.py").run()
    assert again.radio(key=f"answer-quick-check-{first.id}").value == 4
    assert again.radio(key=f"answer-quick-check-{second.id}").value == "dk"


def test_unknown_or_malformed_resume_link_says_not_found_and_nothing_else():
    for token in ["x" * 32, "../../etc/passwd", "'; drop table answers; --"]:
        at = new_app(a=token)
        assert not at.exception
        assert [w.value for w in at.warning] == [
            "That saved assessment was not found. Check the link, or start a new check."]
        assert "a" not in at.query_params


def test_notebook_lists_opens_and_deletes_with_confirmation():
    name = unique("Harbour Trust")
    quick_check_for(name, 5)

    notebook = new_app()
    notebook.switch_page("pages/notebook.py").run()
    notebook.text_input(key="notebook-search").input(name).run()
    rows = [m.value for m in notebook.markdown if name in m.value]
    assert len(rows) == 1 and f"1 of {len(QUICK.statements)} answered" in rows[0]
    notebook.button(key="open-0").click().run()  # numbered, not named by the assessment
    assert notebook.session_state["answers"]["quick-check"] == {QUICK.principles[0].statements[0].id: 5}

    notebook.switch_page("pages/notebook.py").run()
    notebook.text_input(key="notebook-search").input(name).run()
    notebook.button(key="delete-0").click().run()
    assert "The assessment was deleted." in [s.value for s in notebook.success]
    assert not [m.value for m in notebook.markdown if name in m.value]
    assert "quick-check" not in notebook.session_state["tokens"]


def test_compare_two_assessments_shows_both_polygons_and_what_moved():
    name = unique("Compare Co")
    tokens = []
    for value in (2, 4):
        at = quick_check_for(name, value)  # the first statement is not reverse-scored
        for statement in QUICK.principles[0].statements:
            answer(at, statement.id, value if not statement.reverse else 6 - value)
        tokens.append(at.session_state["tokens"]["quick-check"])
    at = new_app()
    at.switch_page("pages/notebook.py").run()
    at.selectbox(key="compare-before").set_value(tokens[0]).run()
    at.selectbox(key="compare-after").set_value(tokens[1]).run()
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    assert "Before" in json.dumps(spec) and "After" in json.dumps(spec)
    table = tables(at)[0]
    row = table.loc[plain(QUICK.principles[0].title)]
    assert (row["Before"], row["After"], row["Change"]) == (plain("2.0"), plain("4.0"), plain("+2.0"))


def test_action_plan_add_and_complete():
    name = unique("Action Partners")
    at = quick_check_for(name, 3)
    at.switch_page("pages/notebook.py").run()
    at.selectbox(key="actions-partnership").set_value(name).run()
    # A form sends its fields together on submit, so no run between them.
    at.selectbox(key="new-action-principle").set_value("trust")
    at.text_input(key="new-action-text").input("Share next year's plans in draft")
    at.text_input(key="new-action-owner").input("Chair")
    at.button(key="FormSubmitter:new-action-Add action").click().run()
    plan = Store().actions_for(name, belongs_to=LOCAL_OWNER)
    assert [(a.principle_id, a.text, a.owner, a.status) for a in plan] == [
        ("trust", "Share next year's plans in draft", "Chair", "open")]
    at.selectbox(key=f"status-{plan[0].id}").set_value("done").run()
    assert Store().actions_for(name, belongs_to=LOCAL_OWNER)[0].status == "done"
    # The action carries forward: a new assessment of the same partnership sees it.
    later = quick_check_for(name)  # nothing answered yet
    later.switch_page("pages/notebook.py").run()
    later.selectbox(key="actions-partnership").set_value(name).run()
    assert any("Share next year" in m.value for m in later.markdown)


def test_notebook_import_refuses_a_foreign_file_and_writes_nothing():
    at = new_app()
    at.switch_page("pages/backup.py").run()
    before = len(Store().list_assessments(belongs_to=LOCAL_OWNER))
    at.get("file_uploader")[0].upload("other.json", b'{"format": "not-ours"}', "application/json").run()
    assert not at.exception
    assert at.error and at.error[0].value.startswith("Nothing was imported")
    assert len(Store().list_assessments(belongs_to=LOCAL_OWNER)) == before


def test_answers_loaded_from_a_file_into_an_open_assessment_are_saved_and_survive_a_reload():
    from joiningforces import exports
    from joiningforces.scoring import score

    at = quick_check_for(unique("Restore Ltd"), 2)
    link = at.query_params["a"]
    first, second = QUICK.principles[0].statements
    third = QUICK.principles[1].statements[0]
    exported = exports.to_json(score(QUICK, {second.id: 5, third.id: None}), {QUICK.principles[1].id: "From the file"})
    at.switch_page("pages/results.py").run()
    at.get("file_uploader")[0].upload("answers.json", exported.encode(), "application/json").run()
    assert not at.exception and at.success
    again = Store().assessment_for_link(link)  # what a reload, or another device, brings back
    assert again.answers == {second.id: 5, third.id: None}  # the file's answers; the earlier one taken back
    assert again.notes == {QUICK.principles[1].id: "From the file"}
    reloaded = new_app(a=link)
    reloaded.switch_page("pages/check.py").run()
    assert reloaded.radio(key=f"answer-quick-check-{first.id}").value is None
    assert reloaded.radio(key=f"answer-quick-check-{second.id}").value == 5


def test_a_large_notebook_is_listed_a_page_at_a_time_newest_first():
    from datetime import date, timedelta

    name = unique("Paging Partners")
    store = Store()
    digest = store.snapshot_rubric(QUICK_TEXT)
    first = QUICK.principles[0].statements
    for k in range(45):
        made = store.create_assessment(rubric_hash=digest, partnership=name, respondent=f"Person {k}",
                                       created=date(2020, 1, 1) + timedelta(days=k))
        store.set_answers(made.id, {s.id: 1 + k % 5 for s in first})
    at = new_app()
    at.switch_page("pages/notebook.py").run()
    at.selectbox(key="notebook-filter").set_value(name).run()

    def shown() -> list[str]:
        return [m.value.split(" · ")[1].split("  ")[0] for m in at.markdown if name in m.value]

    assert "Showing 1–20 of 45, newest first." in [c.value for c in at.caption]
    assert shown() == [f"Person {k}" for k in range(44, 24, -1)]
    assert at.button(key="notebook-newer").disabled
    at.button(key="notebook-older").click().run()
    at.button(key="notebook-older").click().run()
    assert "Showing 41–45 of 45, newest first." in [c.value for c in at.caption]
    assert shown() == [f"Person {k}" for k in range(4, -1, -1)]
    assert at.button(key="notebook-older").disabled
    at.text_input(key="notebook-search").input("Person 1").run()  # a search starts again at page 1
    assert shown() == [f"Person {k}" for k in range(19, 9, -1)] + ["Person 1"]
    assert not [c.value for c in at.caption if c.value.startswith("Showing")]  # one page: no pager
    # The trend of those 45 (over two months) is summarised: a median per month, its range behind it.
    # with several partnerships nothing is loaded until one is chosen; a notebook of one shows it at once
    alone = store.partnerships(belongs_to=LOCAL_OWNER) == [name]
    assert at.selectbox(key="trend-partnership").value == (name if alone else None)
    at.selectbox(key="trend-partnership").set_value(name).run()
    caption = [c.value for c in at.caption if c.value.startswith("45 assessments")]
    assert caption and "median of that month's assessments" in caption[0], [c.value for c in at.caption]
    spec = json.loads(at.get("vega_lite_chart")[-1].proto.spec)
    assert [layer["mark"]["type"] for layer in spec["spec"]["layer"]] == ["rule", "area", "line"]
