"""A board review, for a participant: join with the shared link, answer privately, see the group.

Links: ?p=<participant link> is the link the facilitator shares; once someone joins, their own
private link ?t=<token> replaces it in the address bar, so a reload or another device brings their
answers back. Every wrong, replaced or expired link shows the same message and nothing else.
Answers are saved as they are given (the questionnaire is a fragment: a rating reruns only it).
"""

from datetime import UTC

import pandas as pd
import streamlit as st

import ui
from ui import lang as ui_lang
from joiningforces import charts
from joiningforces import review_views as views
from joiningforces.aggregate import Suppressed
from joiningforces.storage import LINK_NOT_FOUND, JoinRefused, NotFound, ReviewClosed, StoreUnavailable
from joiningforces.board import WAITING_FOR_CLOSING
from joiningforces.storage.reviews import BY_INVITATION, SIGN_IN_TO_JOIN
from joiningforces.scoring import one_decimal

ui.run_through_app()

reviews = ui.reviews()
LINK, OWN, INVITE = "p", "t", "i"  # the shared link, one's own link, a single-use invitation
ANSWER, RESULTS = "Your answers", "Results"
OWN_KEY = "review-own"  # this tab's own participant token
RADAR = 340  # px: fits a phone's screen (participants often answer on one)


def not_found() -> None:
    """The one message for any link that does not work; nothing about the review is shown."""
    st.session_state.pop(OWN_KEY, None)
    for key in (LINK, OWN, INVITE):
        if key in st.query_params:
            del st.query_params[key]
    st.title("Board review")
    st.error(LINK_NOT_FOUND, icon=":material/link_off:")
    st.stop()


def same_review(a, b) -> bool:
    return (a.title, a.created, a.rubric_hash) == (b.title, b.created, b.rubric_hash)


# --- Which link? -----------------------------------------------------------------------------

browser = ui.browser_id()  # a personal link made here works only here (unless its person signs in)

link = st.query_params.get(LINK) or None
invite = st.query_params.get(INVITE) or None
own = st.query_params.get(OWN) or None
if own is None:
    remembered = st.session_state.get(OWN_KEY)
    if remembered and link is None and invite is None:
        own = remembered
    elif remembered and link is not None:
        # The shared link again in a tab that has joined this review already: go back to one's own.
        try:
            if same_review(reviews.review_for_link(link),
                           reviews.participant(remembered, ui.review_identity(), browser).review):
                own = remembered
        except (NotFound, JoinRefused):
            pass

if own is None and link is None and invite is None:
    st.title("Board review")
    if st.session_state.pop("review-left", False):
        st.success("You have left the review and your answers were deleted.", icon=":material/check:")
    st.info("Open the link your facilitator shared with you to take part in a board review. "
            "If you have taken part already, use your own private link to come back to your answers.",
            icon=":material/link:")
    st.page_link("pages/facilitate.py", label="Facilitators: start a board review", icon=":material/groups:")
    st.stop()


# --- Joining ---------------------------------------------------------------------------------

def join(link: str | None, code: str | None, roles: tuple[str, ...]) -> None:
    role = st.session_state.get("join-role") if roles else None
    if roles and role is None:
        ui.tell("join", "Choose your role first.")
        return
    try:
        me = (reviews.join_with_invitation(code, role, browser=browser) if code
              else reviews.join(link, role, identity=ui.review_identity(), browser=browser))
    except (ReviewClosed, JoinRefused) as closed:
        ui.tell("join", closed.message)
        return
    except NotFound:
        ui.tell("join", LINK_NOT_FOUND)
        return
    except ValueError as problem:
        ui.tell("join", str(problem))
        return
    except StoreUnavailable as busy:
        ui.tell("join", busy.message)
        return
    st.session_state[OWN_KEY] = me.token
    for key in (LINK, INVITE):
        if key in st.query_params:
            del st.query_params[key]
    st.query_params[OWN] = me.token


if own is None:
    try:
        info = reviews.review_for_invitation(invite) if invite else reviews.review_for_link(link)
        rubric = ui.store().rubric(info.rubric_hash)
    except NotFound:
        not_found()
    except JoinRefused as used:  # an invitation used already: say so, and nothing about the review
        st.title("Board review")
        st.warning(used.message, icon=":material/person_off:")
        st.stop()
    st.title(ui.plain(info.title))
    st.caption(f"{ui.plain(info.partnership)} · {views.review_status(info)}")
    if info.is_closed:
        st.warning(ReviewClosed(info.closed_at).message + " Ask the facilitator if you expected it to be open.",
                   icon=":material/lock:")
        st.stop()
    if not invite and info.join_by == "invitation":
        st.info(BY_INVITATION, icon=":material/mail:")
        st.stop()
    st.markdown(
        f"You are invited to say how you see this partnership, using the {len(rubric.statements)} statements of "
        f"*{ui.plain(rubric.title)}*. It takes about {max(5, len(rubric.statements) // 2)} minutes.\n\n"
        f"- **Your answers are private.** Nobody else, the facilitator included, ever sees them: only the "
        f"group's results, and only for groups of at least {info.min_size} people.\n"
        "- **No names.** You get your own private link to come back and change your answers until the "
        "review closes.")
    st.caption("If you have joined already, come back with your own private link rather than this one, "
               "so that your answers are not counted twice.")
    roles = info.roles
    labels = views.role_labels(rubric)
    if roles:
        st.radio("Your role in the partnership", roles, index=None, format_func=lambda r: ui.plain(labels[r]),
                 key="join-role", help="Results are also shown by role group, once a group has "
                                       f"at least {info.min_size} people.")
    if ui.show("join") == SIGN_IN_TO_JOIN and ui.mode() == "signin":
        st.button("Sign in", key="join-sign-in", on_click=st.login, icon=":material/login:")
    st.button("Start", key="join", type="primary", icon=":material/arrow_forward:", on_click=join,
              args=(link, invite, roles))
    st.stop()


# --- A participant ---------------------------------------------------------------------------

try:
    me = reviews.participant(own, ui.review_identity(), browser)  # theirs alone: their sign-in or browser
    rubric = ui.store().rubric(me.review.rubric_hash)
except NotFound:
    not_found()
except JoinRefused as refused:  # someone else's personal link (bound to their sign-in or browser)
    if browser is None:  # this browser has not said who it is yet: it will, and the page runs again
        st.caption("Checking this browser…")
        st.stop()
    st.title("Board review")
    st.warning(refused.message, icon=":material/person_off:")
    st.stop()
st.session_state[OWN_KEY] = own
if LINK in st.query_params:
    del st.query_params[LINK]
if st.query_params.get(OWN) != own:
    st.query_params[OWN] = own

info = me.review
closed = info.is_closed
saved = dict(me.answers)  # the truth
# Answers given in this tab that could not be saved yet (the database busy or unreachable): kept here,
# shown as given, and written with the next answer. They live as long as this tab's session.
pending = st.session_state.setdefault("review-pending", {}).setdefault(own, {})
answers = st.session_state.setdefault("review-answers", {})[own] = saved | pending
labels = views.role_labels(rubric)
prefix = f"rv-{ui.key_for(own)}"  # never the link itself: keys reach the page
step_key = f"{prefix}-step"

st.title(ui.plain(info.title))
role_text = f" · your role: {ui.plain(labels.get(me.role, me.role))}" if me.role else ""
st.caption(f"{ui.plain(info.partnership)} · {views.review_status(info)}{role_text}")
# Said plainly, so that someone handed a personal link that another person joined with notices.
joined = me.created.astimezone(UTC)
st.caption(f"This is a personal link: it joined the review on {views.day(joined)} at {joined:%H:%M} UTC. If that "
           "was not you, do not answer here: ask the facilitator for your own invitation.")
if closed:
    st.info(ReviewClosed(info.closed_at).message + " You can still see your answers and the results.",
            icon=":material/lock:")
ui.show("review")


def record(statement_id: str, key: str) -> ui.Saved:
    value = st.session_state[key]
    pending[statement_id] = None if value == ui.DONT_KNOW else value
    return save_pending(statement_id)


def save_pending(just: str | None = None) -> ui.Saved:
    """Save every answer given here and not saved yet (`just` is the one given now), in one
    transaction. While the database is busy or unreachable they stay pending; a
    closed review or a link that no longer works refuses them, and the page goes back to what is saved."""
    earlier = bool(set(pending) - {just})  # a warning about them is on screen
    answers.update(pending)
    try:
        reviews.set_answers(own, dict(pending))
    except StoreUnavailable as busy:
        st.session_state["review-unsaved-why"] = busy.message
        return ui.Saved(False, page_changed=True)  # the warning shows
    except (ReviewClosed, NotFound) as refused:
        ui.tell("review", refused.message)
        for sid in pending:
            if sid in saved:
                answers[sid] = saved[sid]
            else:
                answers.pop(sid, None)
            st.session_state.pop(f"{prefix}-answer-{sid}", None)  # the widget goes back to what is saved
        pending.clear()
        return ui.Saved(False, page_changed=True)  # the message shows
    saved.update(pending)
    pending.clear()
    return ui.Saved(True, page_changed=earlier)  # the warning about earlier answers goes


def go_to(step: int) -> None:
    st.session_state[step_key] = max(0, min(step, len(rubric.principles) - 1))


def show(view: str) -> None:
    st.session_state[f"{prefix}-view"] = view


@st.fragment
def questionnaire() -> None:
    step = st.session_state.setdefault(step_key, 0)
    ui.show("review")
    if pending:
        n = len(pending)
        st.warning(f"{st.session_state.get('review-unsaved-why', StoreUnavailable.BUSY)} "
                   f"{n} of your answers {'is' if n == 1 else 'are'} not saved yet: kept on this page as you gave "
                   f"{'it' if n == 1 else 'them'}, to be saved with your next answer. Keep this page open.",
                   icon=":material/cloud_off:")
        st.button("Try saving again", key=f"{prefix}-save-pending", on_click=save_pending,
                  icon=":material/refresh:")
    with ui_lang.in_language(rubric, f"{prefix}-questionnaire"):
        ui.questionnaire_step(rubric, step, answers, f"{prefix}-answer-", record, disabled=closed)

    # As in the self-check, only buttons move between steps (a stale "go to" value could move it back).
    back, middle, forward = st.columns([1, 2, 1], vertical_alignment="center")
    back.button("Back", key=f"{prefix}-back", disabled=step == 0, on_click=go_to, args=(step - 1,),
                icon=":material/arrow_back:", width="stretch")
    later = [i for i, p in enumerate(rubric.principles)
             if i != step and any(s.id not in answers for s in p.statements)]
    if later and not closed:
        middle.button(f"First unanswered: {later[0] + 1}. {ui.plain(rubric.principles[later[0]].title)}",
                      key=f"{prefix}-first-unanswered", on_click=go_to, args=(later[0],), type="tertiary",
                      width="stretch")
    if step < len(rubric.principles) - 1:
        forward.button("Next", key=f"{prefix}-next", type="primary", on_click=go_to, args=(step + 1,),
                       icon=":material/arrow_forward:", width="stretch")
    elif forward.button("See results", key=f"{prefix}-finish", type="primary", icon=":material/radar:",
                        width="stretch", on_click=show, args=(RESULTS,)):
        st.rerun(scope="app")


def results() -> None:
    outcome = reviews.results(own)
    mine = {p.id: p.score for p in outcome.own.principles}
    group = outcome.group
    if group is None:
        if outcome.waiting_for == WAITING_FOR_CLOSING:
            st.info("The facilitator will share the group's results once the review closes. "
                    "Here are your own for now.", icon=":material/schedule:")
        else:
            st.info("Answer at least one statement to see your results and the group's.", icon=":material/edit:")
            return
    elif not group.shown:
        st.info(f"The group's results appear once at least {group.min_size} people have answered, and move on "
                f"only when {group.min_size} more have answered or changed answers, so that nobody's own answers "
                "show. Here are your own for now.", icon=":material/group:")
    if group is None or not group.shown:
        st.altair_chart(charts.result_radar(outcome.own, name="You", size=RADAR), width="content")
        st.markdown(ui.plain(charts.summary_sentence(outcome.own)))
        return

    st.markdown(f"**{group.respondents} people have answered.** The line is the group's median and the grey "
                "band the middle half of the group; your own answers are shown beside it, for you only.")
    st.altair_chart(views.group_radar(group, own=mine, own_name="You", size=RADAR), width="content")
    hidden = [p.title for p in rubric.principles if not group.everyone.principles[p.id]]
    if hidden:
        st.caption(f"Not shown for the group ({Suppressed(group.min_size)}): "
                   + ", ".join(ui.plain(t) for t in hidden) + ".")
    ui.table(pd.DataFrame(views.own_and_group_rows(group, mine)).set_index("Principle"))

    if group.disagreements:
        st.header("Where views differ most")
        for d in group.disagreements[:3]:
            with st.container(border=True):
                st.markdown(f"**{ui.plain(d.principle.title)}** · {views.stat_text(d.stats)}")
                if d.prompt:
                    st.markdown(f"*To talk about:* {ui.plain(d.prompt)}")
    shown_groups = [g for g in group.imbalance.groups if g.shown]
    if group.imbalance.gaps:
        st.header("How the role groups see it")
        st.markdown("\n".join(f"- {ui.plain(rubric.principle(g.principle_id).title)}: "
                              f"{ui.plain(views.gap_text(group, g))}" for g in group.imbalance.gaps[:3]))
    elif group.imbalance.groups and len(shown_groups) < 2:
        st.caption(f"Role groups are compared once at least two of them have {group.min_size} or more answers.")
    spots = group.weak_spots()
    if spots:
        st.header("The group's weak spots and what to try")
        for spot in spots[:4]:
            p = spot.principle
            low = group.least_served(p.id)  # the least well-served group counts (the imbalance lens)
            why = f"{ui.plain(low[0])} {one_decimal(low[1])}" if low else f"{one_decimal(p.score)}"
            with st.expander(f"{ui.plain(p.title)}: {why} ({ui.plain(p.band.label)})"):
                for suggestion in spot.practices:
                    st.markdown(f"**{ui.plain(suggestion.practice.name)}.** {ui.plain(suggestion.practice.what)}")


def leave() -> None:
    try:
        reviews.withdraw(own)
    except (ReviewClosed, NotFound, StoreUnavailable) as refused:
        ui.tell("review", refused.message)
        return
    st.session_state.pop(OWN_KEY, None)
    st.session_state.get("review-answers", {}).pop(own, None)
    st.session_state.get("review-pending", {}).pop(own, None)
    if OWN in st.query_params:
        del st.query_params[OWN]
    st.session_state["review-left"] = True


def set_role() -> None:
    try:
        reviews.set_role(own, st.session_state[f"{prefix}-role"])
    except (ReviewClosed, NotFound, StoreUnavailable) as refused:
        ui.tell("review", refused.message)
    except ValueError as problem:
        ui.tell("review", str(problem))


view_key = f"{prefix}-view"
if view_key not in st.session_state:
    st.session_state[view_key] = RESULTS if closed or len(answers) == len(rubric.statements) else ANSWER
view = st.segmented_control("Show", [ANSWER, RESULTS], required=True, key=view_key, label_visibility="collapsed")
if view == RESULTS:
    results()
else:
    questionnaire()

with st.expander("Your private link, your role, leaving", icon=":material/key:"):
    st.caption("This link brings your answers back on any device. Keep it to yourself: anyone with it can see "
               "and change your answers.")
    st.code(ui.app_link("review", t=own), language=None)
    if info.roles:
        st.selectbox("Your role", info.roles, index=info.roles.index(me.role) if me.role in info.roles else 0,
                     format_func=lambda r: labels[r], key=f"{prefix}-role", on_change=set_role,  # plain text
                     disabled=closed)
    if not closed:
        with st.popover("Leave this review", icon=":material/logout:"):
            st.write("Delete your answers and leave the review? Your private link stops working.")
            st.button("Yes, leave and delete my answers", key=f"{prefix}-leave", type="primary", on_click=leave)
