"""The yardstick for the browser benchmarks: a bare Streamlit app with one slider.

Served exactly like the real app (same `streamlit run` flags, same folder and config) so that
the ratio of the two cancels out the machine, the browser and Streamlit's own costs.
Two more yardsticks, chosen by the URL:
- `?widget=radio`: one horizontal radio group instead (the widget the questionnaire uses);
- `?widget=chart`: the slider and one small Altair chart (what any page with a chart pays:
  Streamlit's Vega chunk, loaded on first use, and Vega drawing the chart);
- `?widget=page`: the radio group on a page the size of a questionnaire step (four more radio
  groups, a text area, buttons, an expander), none of which the rerun changes: what a page's size
  alone costs the browser on every rerun.
"""

import streamlit as st

st.title("Bare app")
widget = st.query_params.get("widget")
if widget in ("radio", "page"):
    choice = st.radio("Choice", [1, 2, 3, 4, 5, 6], horizontal=True)
    st.write(f"The choice is {choice}.")
    if widget == "page":
        labels = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree", "Don't know"]
        for i in range(4):
            st.radio(f"Statement {i + 2} of this step, as long as a real one, more or less", labels, index=None,
                     horizontal=True, key=f"other-{i}")
        st.text_area("A note")
        left, middle, right = st.columns(3)
        left.button("Back")
        middle.button("First unanswered", type="tertiary")
        right.button("Next", type="primary")
        with st.expander("Save and come back later"):
            st.caption("A caption.")
else:
    value = st.slider("Value", 0, 1000, 0)
    st.write(f"The value is {value}.")
    if widget == "chart":
        import altair as alt
        import pandas as pd

        data = pd.DataFrame({"x": [0, 1, 2, 3], "y": [value, 2, 1, 3], "label": [f"score: {v}" for v in range(4)]})
        st.altair_chart(alt.Chart(data).mark_point().encode(x="x:Q", y="y:Q", description="label:N"),
                        width="content")
