"""The meeting-room screen: a board review's published results, big, one slide at a time.

Opened with the review's presentation link (?v=<token>), which can only show results: it carries
no facilitator or participant link, has no controls that change anything, and shows nothing but
what the release rule publishes to everyone (`Reviews.presentation`). Made for a 1920×1080
projector: wide layout, no sidebar (app.py hides the navigation for this link), large type,
statistics in plain words.
"""

import streamlit as st

import ui
from joiningforces import charts
from joiningforces import review_views as views
from joiningforces.aggregate import count_text
from joiningforces.storage import LINK_NOT_FOUND, NotFound

ui.run_through_app()

VIEW = "v"
REFRESH = "10s"
BIG = 26  # px: chart labels readable from the back of a room
PROJECTED = 20  # px: the radars' labels and key (a 17-principle wheel has numbered spokes and a key)

st.html(ui.PRESENT_STYLE)

token = st.query_params.get(VIEW) or ""


def plain_stat(stat) -> str:
    """Median and spread in plain words for a room."""
    if not stat:
        return str(stat)
    return (f"Half the people scored it above {stat.median:.1f} and half below. The middle half of the "
            f"scores lie between {stat.q1:.1f} and {stat.q3:.1f}; all of them between {stat.low:.1f} "
            f"and {stat.high:.1f} ({stat.n} people).")


def wheel_columns():
    """The radar, its key and the words, side by side: a key below the wheel would fall off a
    1080-line screen."""
    return st.columns([7, 5, 5], vertical_alignment="center", gap="medium")


def radar_with_key(radar, rubric, chart, key) -> None:
    chart.altair_chart(radar, width="content", theme=None)
    if charts.numbered_spokes(radar):  # the titles did not fit round the wheel: list them beside it
        key.markdown("\n".join(f"{i}. {ui.plain(p.title)}" for i, p in enumerate(rubric.principles, start=1)))


@st.fragment(run_every=REFRESH)
def slides() -> None:
    try:
        shown = ui.reviews().presentation(token)
    except NotFound:
        st.title("Board review")
        st.error(LINK_NOT_FOUND, icon=":material/link_off:")
        return
    info, agg = shown.review, shown.group
    rubric = agg.rubric
    titles = {p.id: p.title for p in rubric.principles}
    deck = ["picture"] + (["roles"] if agg.shown and agg.imbalance.groups else []) + \
        [d.principle.id for d in agg.disagreements]
    at = min(st.session_state.get("slide", 0), len(deck) - 1)

    def go(to: int) -> None:
        st.session_state["slide"] = max(0, min(to, len(deck) - 1))

    head, back, where, forward = st.columns([6, 1, 1, 1], vertical_alignment="center")
    head.markdown(f"**{ui.plain(info.title)}** · {ui.plain(info.partnership)} · {views.review_status(info)}")
    back.button("Previous", key="slide-back", on_click=go, args=(at - 1,), disabled=at == 0,
                icon=":material/arrow_back:", width="stretch")
    where.markdown(f"{at + 1} / {len(deck)}")
    forward.button("Next", key="slide-next", on_click=go, args=(at + 1,), disabled=at >= len(deck) - 1,
                   icon=":material/arrow_forward:", width="stretch")
    slide = deck[at]

    if slide == "picture":
        st.title("How we see the partnership")
        if not agg.shown:
            st.header(f"Results appear once {agg.min_size} people have answered.")
            st.markdown("Nobody's own answers are ever shown: only groups of at least "
                        f"{agg.min_size} people, updated once at least {agg.min_size} more have answered.")
            return
        chart, key, words = wheel_columns()
        radar_with_key(views.group_radar(agg, size=760, font=PROJECTED, key_below=False), rubric, chart, key)
        words.markdown(f"**{agg.respondents} people's answers.**\n\n"
                       "The line is the middle score (the median) for each principle. **The grey band shows "
                       "how far views differ**: half the people's scores fall inside it. A wide band means "
                       "the board does not see that principle the same way.")
        worst = agg.disagreements[:3]
        if worst:
            words.markdown("**Views differ most on:**\n" + "\n".join(f"- {ui.plain(d.principle.title)}" for d in worst))
        left = views.left_out(agg, [agg.everyone])
        if left:
            words.caption("Not shown: " + "; ".join(ui.plain(x) for x in left))
        return

    if slide == "roles":
        st.title("How the role groups see it")
        counts = ", ".join(f"{ui.plain(g.label)}: {count_text(g.respondents, agg.min_size)}"
                           for g in agg.imbalance.groups)
        radar = views.roles_radar(agg, size=700, font=PROJECTED, key_below=False)
        chart, key, words = wheel_columns()
        words.markdown(f"People in each group: {counts}. Groups with fewer than {agg.min_size} are not shown.")
        if radar is not None:
            radar_with_key(radar, rubric, chart, key)
        else:
            chart.header(f"No two role groups have {agg.min_size} or more people yet.")
        if agg.imbalance.gaps:
            words.markdown("**Where the groups differ most**\n" + "\n".join(
                f"- **{ui.plain(titles[g.principle_id])}**: {ui.plain(g.highest)} {g.medians[g.highest]:.1f}, "
                f"{ui.plain(g.lowest)} {g.medians[g.lowest]:.1f}" for g in agg.imbalance.gaps[:4]))
        left = views.left_out(agg, agg.imbalance.groups)
        if left:
            words.caption("Not shown: " + "; ".join(ui.plain(x) for x in left))
        return

    d = next(d for d in agg.disagreements if d.principle.id == slide)
    st.markdown(f"Where views differ: {at - deck.index(agg.disagreements[0].principle.id) + 1} of "
                f"{len(agg.disagreements)}, the widest first")
    st.title(ui.plain(d.principle.title))
    chart, words = st.columns([3, 2])
    chart.altair_chart(views.pooled_chart(rubric, d.counts, font=BIG, step=70), width="stretch")
    words.markdown(plain_stat(d.stats))
    low = agg.least_served(d.principle.id)
    if low:
        words.markdown(f"**{ui.plain(low[0])}** rate it lowest: {low[1]:.1f}.")
    if d.prompt:
        words.markdown(f"**To talk about:** {ui.plain(d.prompt)}")


if not token:
    st.title("Board review")
    st.error(LINK_NOT_FOUND, icon=":material/link_off:")
    st.stop()
slides()
