"""Public: how this map is made (cell size, k, months, lag, approximate places)."""

import streamlit as st

from layers.public import method_markdown
from ui import state

st.markdown(method_markdown(lang=state.lang()))
