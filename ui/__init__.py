"""The Streamlit side: the pages (pages/) and their helpers (sign-in, session state, guards,
caches); they hold no logic of their own and call services, auth and i18n."""
