"""Public page: for each category the rule, the sanction and who acts (printable)."""

import streamlit as st

from data.categories import CATEGORIES, rules
from encoders import markdown_text
from ui import state

lang = state.lang()
st.title(state.tr("rules.title"))
st.caption(state.tr("rules.to_be_confirmed"))
for slug, rule in rules().items():
    category = CATEGORIES[slug]
    with st.container(border=True):
        st.subheader(markdown_text(category.en if lang == "en" else category.uk))
        st.markdown(f"**{state.tr('rules.rule')}:** {markdown_text(rule.rule_en if lang == 'en' else rule.rule_uk)}  \n"
                    f"**{state.tr('rules.article')}:** {markdown_text(rule.article)}  \n"
                    f"**{state.tr('rules.authority')}:** {state.tr('owner.' + rule.authority)}  \n"
                    f"**{state.tr('rules.contact')}:** "
                    f"{markdown_text(rule.contact_en if lang == 'en' else rule.contact_uk)}")
