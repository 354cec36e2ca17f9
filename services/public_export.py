"""``cli.py public export``: every release's public files, byte for byte what the pages serve.

Layout of the output folder (so that anyone can audit the releases)::

    index.json                          releases, and per period the release that serves it now
    release-0001/release.json           number, month, published_at, months and revisions,
                                        method parameters, content sha256
    release-0001/ptable-<name>.csv      the perturbation tables
    release-0001/<period>/<group>.csv | .geojson | .requests.json

A release folder holds every period the release touched (its month, revised months and
the quarters they complete), for every group ("all" and each fixed group), as the
public pages and downloads served them while that release was the newest.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from data.store.repo import release_months_frame, releases_frame
from layers import privacy
from services import public


def _touched_periods(months: list[str], released: list[str]) -> list[str]:
    """The months and the full quarters (among ``released``) that contain them."""
    quarters = {
        p
        for p in public.periods_of(released)
        if "Q" in p and any(m.label in months for m in privacy.parse_period(p).months)
    }
    return sorted(quarters) + sorted(months)


def export_releases(engine: Engine, out: Path) -> dict[str, Any]:
    """Write every release's files under ``out``; returns the index (also written)."""
    out.mkdir(parents=True, exist_ok=True)
    releases = releases_frame(engine)
    months = release_months_frame(engine)
    index: dict[str, Any] = {"releases": [], "current": {}}
    for rel in releases.itertuples(index=False):
        folder = out / f"release-{rel.id:04d}"
        folder.mkdir(exist_ok=True)
        own = months.loc[months["release_id"] == rel.id]
        released = sorted(months.loc[months["release_id"] <= rel.id, "month"].unique())
        meta = {
            "release": int(rel.id),
            "month": rel.month,
            "published_at": rel.published_at.isoformat(),
            "months": [{"month": m, "revision": int(r)} for m, r in zip(own["month"], own["revision"], strict=True)],
            "method": rel.method,
            "content_sha256": rel.content_sha256,
        }
        (folder / "release.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
        for table in privacy.PTABLES.values():
            table.frame().to_csv(folder / f"ptable-{table.spec.name}.csv", index=False)
        for period in _touched_periods(own["month"].tolist(), released):
            (folder / period).mkdir(exist_ok=True)
            for group in public.all_groups():
                files = public.downloads_of(public.public_table(engine, period, group, as_of=int(rel.id)))
                name = group or "all"
                (folder / period / f"{name}.csv").write_text(files["csv"], encoding="utf-8")
                (folder / period / f"{name}.geojson").write_text(files["geojson"], encoding="utf-8")
                (folder / period / f"{name}.requests.json").write_text(files["requests.json"], encoding="utf-8")
                index["current"][period] = folder.name
        index["releases"].append({"release": int(rel.id), "month": rel.month, "folder": folder.name})
    (out / "index.json").write_text(json.dumps(index, ensure_ascii=False, indent=1), encoding="utf-8")
    return index
