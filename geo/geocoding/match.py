"""The geocoder's answer."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass
class Match:
    """The geocoder's answer (docs/CONTRACTS.md); level "none" means no place was found."""

    lat: float | None = None
    lon: float | None = None
    level: str = "none"
    score: float = 0.0
    uncertainty_m: float | None = None
    street: str | None = None
    street2: str | None = None
    house: str | None = None
    landmark: dict[str, Any] | None = None
    district: str | None = None
    span: tuple[int, int] | None = None
    candidates: list[dict[str, Any]] | None = None
    """When the text fits places far apart (two streets of one name, chain branches), each
    of them ({"street"/"landmark", "lat", "lon", "uncertainty_m"}); the answer is then at a
    coarser level around all of them, never a confident pick of one."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (span as a list)."""
        out = asdict(self)
        out["span"] = list(self.span) if self.span is not None else None
        return out
