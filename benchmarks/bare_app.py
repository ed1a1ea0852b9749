"""The yardstick for the browser benchmarks: a bare Streamlit app with one slider.

Served exactly like the real app (same `streamlit run` flags) so that the ratio of the two
cancels out the machine, the browser and Streamlit's own per-rerun cost. `?widget=radio` shows
one horizontal radio group instead (the widget the questionnaire uses), as a second yardstick.
"""

import streamlit as st

st.title("Bare app")
if st.query_params.get("widget") == "radio":
    choice = st.radio("Choice", [1, 2, 3, 4, 5, 6], horizontal=True)
    st.write(f"The choice is {choice}.")
else:
    value = st.slider("Value", 0, 1000, 0)
    st.write(f"The value is {value}.")
