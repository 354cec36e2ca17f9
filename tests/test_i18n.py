"""The one message catalogue: every text in both languages, with the same placeholders."""

from __future__ import annotations

import re
import subprocess

import pytest

from i18n import LANGS, catalogue, t
from tests.conftest import ROOT

PLACEHOLDER = re.compile(r"\{(\w+)\}")


def test_every_key_has_ukrainian_and_english_with_the_same_placeholders() -> None:
    for key, entry in catalogue().items():
        assert entry.get("uk") and entry.get("en"), key
        assert set(PLACEHOLDER.findall(entry["uk"])) == set(PLACEHOLDER.findall(entry["en"])), key


def test_unknown_keys_fail_loudly_and_english_is_a_switch() -> None:
    assert t("nav.public_map") == "Публічна мапа" and t("nav.public_map", "en") == "Public map"
    with pytest.raises(KeyError):
        t("no.such.key")


def test_every_key_the_code_asks_for_exists() -> None:
    """Literal keys in tr(...)/t(...) calls of the code are all in the catalogue."""
    out = subprocess.run(
        ["git", "grep", "-ohE", r"\btr?\(\"[a-z_]+\.[a-z_0-9.-]+\"[,)]", "--", "*.py", ":!tests/"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    keys = {m.split('"')[1] for m in out.split()}
    assert keys, "the scan found no keys"
    assert sorted(k for k in keys if k not in catalogue()) == []


def test_each_language_is_written_in_its_own_words() -> None:
    """No Cyrillic in an English text, no English word in a Ukrainian one (tests/language.py
    lists the names and tokens both languages share)."""
    from tests.language import foreign_words

    found = {
        (key, lang): words
        for key, entry in catalogue().items()
        for lang in LANGS
        if (words := foreign_words(PLACEHOLDER.sub(" ", entry[lang]), lang))
    }
    assert found == {}


def test_every_code_a_page_or_export_shows_has_a_name() -> None:
    """Codes stay in the store and are named at the edge: every value of every code list a
    page or an export shows has its catalogue key (an unnamed code would show raw)."""
    from typing import get_args

    from auth.roles import ROLES
    from clustering.forecast import METHODS
    from clustering.profiles import WEEKDAYS
    from data.records import Level, Source
    from layers.exports import POLICE_COLUMNS
    from services.actions import OWNERS, STATUSES
    from services.council import REPORT_COLUMNS
    from services.effect import header
    from services.moderation import REASON_KINDS

    audited = subprocess.run(
        ["git", "grep", "-ohE", r"action=\"[a-z_]+\"", "--", "auth", "data", "services"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    codes = {
        "role": ROLES,
        "level": get_args(Level),
        "forecast_method": list(METHODS),
        "owner": OWNERS,
        "action_status": STATUSES,
        "weekday": WEEKDAYS,
        "export": POLICE_COLUMNS,
        "mod": [f"reason_{k}" for k in [*REASON_KINDS, "other"]],
        "audit_action": {line.split('"')[1] for line in audited.split()} | {"login", "login_failed", "login_throttled"},
        "source": get_args(Source),
    }
    missing = [
        f"{prefix}.{code}"
        for prefix, values in codes.items()
        for code in values
        if f"{prefix}.{code}" not in catalogue()
    ]
    assert missing == []
    for columns in REPORT_COLUMNS.values():  # the programme report's headers
        for column in columns:
            assert header(column, "en") and header(column, "uk")
