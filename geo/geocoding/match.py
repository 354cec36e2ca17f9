"""The geocoder's answer: a Place (data.records, shared with Report) and where in the text it was read."""

from __future__ import annotations

from typing import Any

from data.records import Place


class Match(Place):
    """The geocoder's answer (docs/CONTRACTS.md); level "none" means no place was found."""

    span: tuple[int, int] | None = None
    candidates: list[dict[str, Any]] | None = None
    """When the text fits places far apart (two streets of one name, chain branches), each
    of them ({"street"/"landmark", "lat", "lon", "uncertainty_m"}); the answer is then at a
    coarser level around all of them, never a confident pick of one."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (span as a list)."""
        out = self.model_dump()
        out["span"] = list(self.span) if self.span is not None else None
        return out
