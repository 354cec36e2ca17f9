"""Public page: for each category the rule, the sanction and who acts (printable)."""

import streamlit as st

from encoders import markdown_text
from services.labels import rules_in
from ui import state

lang = state.lang()
st.title(state.tr("rules.title"))
st.caption(state.tr("rules.to_be_confirmed"))
for rule in rules_in(lang):
    with st.container(border=True):
        st.subheader(markdown_text(rule.category))
        st.markdown(
            f"**{state.tr('rules.rule')}:** {markdown_text(rule.rule)}  \n"
            f"**{state.tr('rules.article')}:** {markdown_text(rule.article)}  \n"
            f"**{state.tr('rules.authority')}:** {state.tr('owner.' + rule.authority)}  \n"
            f"**{state.tr('rules.contact')}:** {markdown_text(rule.contact)}"
        )
