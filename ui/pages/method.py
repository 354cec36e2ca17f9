"""Public: how this map is made (cell size, k, months, lag, approximate places)."""

import streamlit as st

from services.method import method_text
from ui import state

st.markdown(method_text(state.lang()))
