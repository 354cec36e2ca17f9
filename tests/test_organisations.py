"""Organisations are records with ids: the migration turns stored names into records, and
names from files resolve to one record however they are spelled."""

from __future__ import annotations

import os

import pytest
from alembic import command
from sqlalchemy import text

from data.store.db import alembic_config, make_engine


def _migrate(url: str) -> dict:
    engine = make_engine(url)
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0003")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO users (username, password_hash, role, organisation, active, demo, "
                "failed_logins, created_at) VALUES ('ngo', 'x', 'partner', 'ГО «Чисте місто»', true, "
                "false, 0, CURRENT_TIMESTAMP)"
            )
        )
        for owner, org in (("community", "ГО «Чисте місто»"), ("police", "Поліція"), ("council", None)):
            conn.execute(
                text(
                    "INSERT INTO actions (cell, district, owner, owner_org, description, status, "
                    "created_at, updated_at) VALUES (NULL, 'Центр', :o, :g, 'x', 'open', "
                    "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                ),
                {"o": owner, "g": org},
            )
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    with engine.connect() as conn:
        out = {
            "orgs": conn.execute(text("SELECT name_uk, kind FROM organisations ORDER BY name_uk")).all(),
            "user": conn.execute(text("SELECT organisation_id FROM users")).scalar_one(),
            "actions": conn.execute(text("SELECT owner_org_id, partners FROM actions ORDER BY id")).all(),
        }
    engine.dispose()
    return out


def _check(out: dict) -> None:
    assert out["orgs"] == [("ГО «Чисте місто»", "community"), ("Поліція", "police")]
    ngo = out["actions"][0][0]
    assert ngo.startswith("org-") and out["user"] == ngo
    assert out["actions"][0][1] == "ГО «Чисте місто»"  # the name as written stays with the action
    assert out["actions"][2] == (None, None)


def test_migration_turns_names_into_records_sqlite(tmp_path) -> None:
    _check(_migrate(f"sqlite:///{tmp_path / 'm.db'}"))


@pytest.mark.postgres
def test_migration_turns_names_into_records_postgres() -> None:
    from tests.store_backends import scratch_database

    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip("TEST_DATABASE_URL is not set (see .ci/postgres.sh)")
    with scratch_database(url) as fresh:
        _check(_migrate(fresh))
