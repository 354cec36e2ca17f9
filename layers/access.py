"""Who may build which restricted layer or export, checked inside every such function.

The one role matrix of the product is auth/roles.py (the lead's); this module only names
which entry of it each layer function needs, so the pages, the navigation and the layers
can never disagree:

| layers function                      | auth right       | roles (auth/roles.py today) |
|--------------------------------------|------------------|-----------------------------|
| public map, public CSV/GeoJSON/Open311| none             | everyone, residents included|
| police map (points, Gi*, KDE, ...)   | page "police"    | police, admin               |
| police CSV export                    | "export_police"  | police, admin               |
| council map (districts, surveys, ...)| page "council"   | council, partner, admin     |
| council CSV export                   | "export_council" | council, partner, admin     |
"""

from __future__ import annotations

from auth.roles import require as _require

RIGHTS: dict[str, str] = {
    "police_map": "police",
    "police_export": "export_police",
    "council_map": "council",
    "council_export": "export_council",
}


def require(role: str | None, right: str) -> None:
    """Raise PermissionError unless `role` holds the layers right `right`."""
    _require(role, RIGHTS[right])
