"""First start in demo mode: import the bundled synthetic sources through the real pipeline."""

from __future__ import annotations

import csv
import tomllib
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from auth.accounts import create_user
from data import organisations
from data.store.schema import ActionRow, ImportBatch, UserRow
from services.forecast import evaluate_and_store
from services.importer import Progress, import_file
from services.releases import publish

DEMO_DIR = Path(__file__).resolve().parents[1] / "data" / "demo"
SOURCE_SUFFIXES = {".json", ".csv", ".xlsx", ".docx"}


def demo_sources() -> list[Path]:
    """Every bundled source file, in a fixed order (social media first, minutes last)."""
    root = DEMO_DIR / "sources"
    return sorted(p for p in root.rglob("*") if p.suffix.lower() in SOURCE_SUFFIXES)


def is_loaded(engine: Engine) -> bool:
    with Session(engine) as session:
        return bool(session.scalar(select(func.count()).select_from(ImportBatch)))


def _load_organisations(engine: Engine) -> int:
    path = DEMO_DIR / "organisations.csv"
    with path.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    with Session(engine) as session, session.begin():
        for r in rows:
            organisations.save(
                session, organisations.Organisation(r["id"], r["name_uk"], r["name_en"] or None, r["kind"])
            )
    return len(rows)


def _load_actions(engine: Engine) -> int:
    path = DEMO_DIR / "actions.csv"
    if not path.exists():
        return 0
    with path.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    records = [
        {
            "cell": r.get("cell") or None,
            "district": r.get("district") or None,
            "owner": r["owner"],
            "owner_org_id": r.get("owner_org_id") or None,
            "partners": r.get("partners") or None,
            "description": r["description"],
            "due_date": date.fromisoformat(r["due_date"]) if r.get("due_date") else None,
            "status": r.get("status") or "open",
            "public_note": r.get("public_note") or None,
            "meeting_id": r.get("meeting_id") or None,
            # a finished action is complete unless the file says how far it got
            "progress": int(r["progress"]) if r.get("progress") else (100 if r.get("status") == "done" else 0),
        }
        for r in rows
    ]
    with Session(engine) as session, session.begin():
        known = set(session.scalars(select(ActionRow.description)))
        fresh = [r for r in records if r["description"] not in known]
        session.add_all(ActionRow(**r) for r in fresh)
    return len(fresh)


def _load_users(engine: Engine) -> int:
    path = DEMO_DIR / "users.toml"
    if not path.exists():
        return 0
    users = tomllib.loads(path.read_text(encoding="utf-8")).get("users", [])
    with Session(engine) as session:
        known = set(session.scalars(select(UserRow.username)))
    for u in users:
        if u["username"] not in known:
            create_user(
                engine,
                u["username"],
                u["password"],
                u["role"],
                organisation_id=u.get("organisation_id"),
                demo=True,
                actor="demo",
            )
    return len(users)


def load_demo(engine: Engine, progress: Progress | None = None) -> dict[str, Any]:
    """Import every demo source (idempotent), the action plan, the demo users, then back-test
    the forecasts and publish the public release of every demo month whose lag has ended."""
    files = demo_sources()
    n_organisations = _load_organisations(engine)  # before the minutes, whose partners resolve to them
    batches = []
    for number, path in enumerate(files, start=1):
        summary = import_file(path, engine, actor="demo")
        batches.append(summary.as_dict())
        if progress:
            progress(number, len(files))
    return {
        "batches": batches,
        "organisations": n_organisations,
        "actions": _load_actions(engine),
        "users": _load_users(engine),
        "forecast": evaluate_and_store(engine),
        "releases": [r.release for r in publish(engine, actor="demo")],
    }


def ensure_demo(engine: Engine, progress: Progress | None = None) -> dict[str, Any] | None:
    """Load the demo once: on the first start of an empty store."""
    if is_loaded(engine):
        return None
    return load_demo(engine, progress)
