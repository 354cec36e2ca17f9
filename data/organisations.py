"""Organisations of the dialogue platform as records with ids.

Users and actions reference an organisation's id. Names coming from files (a partner
named in meeting minutes) are resolved to an existing record by a normalised name, or
become a new record, so an imported name is never dropped and never compared as a string
again afterwards.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from data.store.schema import OrganisationRow

KINDS = ("police", "council", "community", "business")
_QUOTES = re.compile(r"[«»“”„\"'’`]")


@dataclass(frozen=True)
class Organisation:
    id: str
    name_uk: str
    name_en: str | None
    kind: str

    def name(self, lang: str = "uk") -> str:
        return (self.name_en or self.name_uk) if lang == "en" else self.name_uk


def normalise(name: str) -> str:
    """The form two spellings of one name share: no quotes, one space, case-folded.

    >>> normalise(' Зоозахисна  організація «Друг» ') == normalise('зоозахисна організація "Друг"')
    True
    """
    return " ".join(_QUOTES.sub(" ", name).split()).casefold()


def new_id(name: str) -> str:
    """A stable id for a name first seen in a file (the same name gives the same id)."""
    return "org-" + hashlib.sha1(normalise(name).encode("utf-8")).hexdigest()[:10]


def resolve(session: Session, name: str, kind: str) -> str:
    """The id of the organisation called `name` (Ukrainian or English name), created if new."""
    if kind not in KINDS:
        raise ValueError(f"organisation kind must be one of {', '.join(KINDS)}")
    wanted = normalise(name)
    if not wanted:
        raise ValueError("an organisation needs a name")
    for row in session.scalars(select(OrganisationRow)):
        if wanted in (normalise(row.name_uk), normalise(row.name_en or "")):
            return row.id
    row = OrganisationRow(id=new_id(name), name_uk=" ".join(name.split()), name_en=None, kind=kind)
    session.add(row)
    session.flush()
    return row.id


def find_or_create(engine: Engine, id_or_name: str, kind: str) -> str:
    """An organisation id from an id or a name as a person typed it (the command line)."""
    with Session(engine) as session, session.begin():
        if session.get(OrganisationRow, id_or_name.strip()) is not None:
            return id_or_name.strip()
        return resolve(session, id_or_name, kind)


#: the kind of organisation a user of a role belongs to, when a name is first seen
ROLE_KIND = {
    "police": "police",
    "council": "council",
    "moderator": "council",
    "admin": "council",
    "partner": "community",
}


def save(session: Session, org: Organisation) -> None:
    """Create or update one organisation record (demo data, the admin page)."""
    if org.kind not in KINDS:
        raise ValueError(f"organisation kind must be one of {', '.join(KINDS)}")
    row = session.get(OrganisationRow, org.id) or OrganisationRow(id=org.id)
    row.name_uk, row.name_en, row.kind = org.name_uk, org.name_en, org.kind
    session.add(row)


def organisations(engine: Engine) -> dict[str, Organisation]:
    """Every organisation by id, in name order."""
    with Session(engine) as session:
        rows = session.scalars(select(OrganisationRow).order_by(OrganisationRow.name_uk))
        return {r.id: Organisation(r.id, r.name_uk, r.name_en, r.kind) for r in rows}
