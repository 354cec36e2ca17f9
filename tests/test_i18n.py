"""The one message catalogue: every text in both languages, with the same placeholders."""

from __future__ import annotations

import re
import subprocess

import pytest

from i18n import catalogue, t
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
    out = subprocess.run(["git", "grep", "-ohE", r"\btr?\(\"[a-z_]+\.[a-z_0-9.-]+\"[,)]", "--", "*.py", ":!tests/"], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    keys = {m.split('"')[1] for m in out.split()}
    assert keys, "the scan found no keys"
    assert sorted(k for k in keys if k not in catalogue()) == []
