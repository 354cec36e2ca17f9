"""Seeded generator of the bundled DEMO DATA — synthetic reports for the demo city.

Why: the app must show a believable city on a fresh checkout, and every analysis step
(geocoding, classification, redaction, de-duplication, hotspot detection, trends) needs
data whose truth is known. This script draws ~10,000 reports over 2024-2025 with known
points, categories and planted hotspots, writes them in the real export formats of each
source (Telegram Desktop, Facebook "Download your information", the council hotline CSV,
meeting minutes XLSX/DOCX, surveys) and writes the answer key next to them
(ground_truth.csv, hotspots.csv). Same seed and same gazetteer give byte-identical files.

Run: ``python -m geo.demo.make_reports [--out DIR] [--gazetteer PATH]``.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from shapely.geometry import Point

from geo.demo import texts as tx
from geo.demo import writers as w
from geo.demo.city import GAZETTEER_JSON, City
from geo.demo.constants import END, KYIV, SEED, START
from geo.demo.texts import Rendered, pick
from geo.demo.writers import MEETINGS, PROBLEM_PHRASES, PROBLEMS_PER_MEETING

OUT_DIR = Path(__file__).resolve().parents[2] / "data" / "demo"  # the demo data files keep their home

TOTAL_REPORTS = 10_000
DUPLICATE_SHARE = 0.08
VAGUE_SHARE = 0.065  # a few vague texts get placed by an attached Telegram location
PII_SHARE = 0.19  # of resident-written texts; ~15 % of all texts once hotline retellings count
# Where original (non-duplicate) online reports arrive.
SOURCE_P: dict[str, float] = {"tg_city": 0.42, "tg_police": 0.12, "facebook": 0.22, "hotline": 0.24}

# ----------------------------------------------------------------------------- profiles
# Hour-of-day weights (local time) per category, a weekday multiplier (Mon..Sun) and a
# month multiplier (Jan..Dec). They encode what residents and the police told the
# initiative: noise and drinking at night and on weekends, litter after weekends and in
# summer, lighting on winter evenings, parking on weekday mornings, animals in spring and
# autumn.


def _hours(spec: dict[tuple[int, int], float], base: float = 0.1) -> np.ndarray:
    """24 hour weights from {(from_hour, to_hour_exclusive): weight} ranges."""
    w = np.full(24, base)
    for (a, b), v in spec.items():
        w[a:b] = v
    return w


@dataclass(frozen=True)
class Profile:
    hours: np.ndarray
    weekday: tuple[float, ...]
    month: tuple[float, ...]


PROFILES: dict[str, Profile] = {
    "noise": Profile(
        np.array(
            [8, 7, 5, 3, 2, 1, 0.3, 0.2, 0.2, 0.2, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.4, 0.5, 0.7, 1, 1.5, 2.5, 4, 6.0]
        ),
        (0.8, 0.8, 0.9, 0.9, 1.3, 2.0, 1.7),
        (0.6, 0.6, 0.7, 0.9, 1.2, 1.5, 1.7, 1.7, 1.2, 0.9, 0.7, 0.7),
    ),
    "drinking": Profile(
        _hours({(0, 2): 2.0, (2, 4): 0.6, (10, 16): 0.6, (16, 18): 1.5, (18, 22): 3.5, (22, 24): 2.8}),
        (0.7, 0.7, 0.8, 0.9, 1.4, 1.9, 1.5),
        (0.5, 0.5, 0.7, 1.0, 1.4, 1.6, 1.8, 1.7, 1.2, 0.9, 0.6, 0.6),
    ),
    "litter": Profile(
        _hours({(7, 8): 1.2, (8, 12): 2.0, (12, 18): 1.3, (18, 21): 0.9, (21, 23): 0.4}, 0.05),
        (1.8, 1.1, 0.9, 0.9, 0.9, 1.0, 1.5),
        (0.7, 0.7, 0.9, 1.1, 1.3, 1.5, 1.6, 1.6, 1.2, 1.0, 0.8, 0.7),
    ),
    "lighting": Profile(
        _hours({(6, 8): 1.2, (8, 16): 0.2, (16, 17): 0.8, (17, 22): 2.5, (22, 24): 1.2}, 0.15),
        (1, 1, 1, 1, 1, 1, 1),
        (3.0, 2.2, 1.0, 0.6, 0.4, 0.3, 0.3, 0.4, 0.8, 2.0, 3.0, 3.2),
    ),
    "parking": Profile(
        _hours({(7, 10): 3.0, (10, 16): 0.9, (16, 19): 1.6, (19, 22): 0.5}, 0.05),
        (1.2, 1.2, 1.2, 1.2, 1.1, 0.5, 0.3),
        (1, 1, 1, 1, 1, 1, 0.9, 0.8, 1.1, 1, 1, 1),
    ),
    "animals": Profile(
        _hours({(6, 9): 2.0, (9, 17): 0.8, (17, 21): 1.8, (21, 23): 0.6}, 0.1),
        (1, 1, 1, 1, 1, 1.1, 1.1),
        (0.7, 0.8, 1.5, 1.8, 1.5, 0.9, 0.8, 0.9, 1.4, 1.7, 1.4, 0.8),
    ),
    "greenery": Profile(
        _hours({(8, 18): 1.5, (18, 21): 0.5}, 0.05),
        (1, 1, 1, 1, 1, 0.7, 0.6),
        (0.3, 0.4, 1.2, 1.8, 1.6, 1.2, 1.0, 1.0, 1.0, 1.2, 1.0, 0.4),
    ),
    "graffiti": Profile(
        _hours({(7, 10): 1.5, (10, 20): 1.0}, 0.1),
        (1.2, 1, 1, 1, 1, 1, 1.1),
        (0.7, 0.7, 1.0, 1.1, 1.2, 1.3, 1.3, 1.3, 1.1, 1.0, 0.8, 0.7),
    ),
    "vandalism": Profile(
        _hours({(7, 12): 1.6, (12, 21): 1.0}, 0.15),
        (1.4, 1, 1, 1, 1, 1.3, 1.4),
        (0.7, 0.7, 0.9, 1.0, 1.2, 1.4, 1.5, 1.4, 1.1, 0.9, 0.8, 0.7),
    ),
    "unsafe_yard": Profile(
        _hours({(16, 18): 1.0, (18, 23): 2.2, (23, 24): 1.0, (8, 16): 0.5}, 0.2),
        (1, 1, 1, 1, 1.2, 1.3, 1.1),
        (1.3, 1.2, 1.0, 0.8, 0.8, 0.8, 0.8, 0.9, 1.0, 1.2, 1.4, 1.4),
    ),
    "other": Profile(_hours({(8, 20): 1.0}, 0.2), (1, 1, 1, 1, 1, 1, 1), (1,) * 12),
}

FORMAL_ABBR = {"вулиця": "вул.", "провулок": "пров.", "проспект": "просп.", "площа": "пл.", "бульвар": "бульв."}

BACKGROUND_MIX: dict[str, float] = {
    "litter": 0.23,
    "parking": 0.14,
    "lighting": 0.12,
    "noise": 0.11,
    "drinking": 0.07,
    "animals": 0.08,
    "greenery": 0.06,
    "graffiti": 0.06,
    "vandalism": 0.06,
    "unsafe_yard": 0.05,
    "other": 0.02,
}


# ----------------------------------------------------------------------------- hotspots
def _flat(month_index: int) -> float:
    return 1.0


def _engagement(month_index: int) -> float:
    """Reporting grows as the dialogue becomes known: the last months bring about a fifth
    more reports than the first (applied to every category, hotspot and background)."""
    return 0.9 + 0.2 * month_index / 23


def _emerging(month_index: int) -> float:
    """A late-night shop that opened in autumn 2023 and is becoming the night-time
    meeting place of its street: present from the start, about twice as busy by the end
    (with the engagement growth, ~25 reports a month in early 2024, ~45 in late 2025)."""
    return 1.0 + 0.04 * month_index


def _fading(month_index: int) -> float:
    """A dumping site behind garages, busiest in early 2024; the council clears it step by
    step (skips, warnings, a camera), so reports fall month by month to under half."""
    return 1.0 + 0.05 * (23 - month_index)


@dataclass(frozen=True)
class HotspotSpec:
    """A planted hotspot: what it is, where to look for it in the gazetteer, what happens there."""

    id: str
    kind: str  # persistent | emerging | fading
    what: str  # human description (uk) used in names and minutes
    landmark_kinds: tuple[str, ...]  # anchor candidates, in order of preference
    district_pref: tuple[str, ...]  # preferred districts when the anchor is an address
    mix: dict[str, float]
    events: int
    spread_m: float
    trend: Callable[[int], float] = _flat
    name_hint: str = ""  # preferred landmark name part ("Шевченка", "24")


# Event counts and spreads are set so that each planted spot holds about the same share
# of its res-9 neighbourhood every month (persistent spots near busy landmarks get fewer
# events of their own, as the background already gathers there): Gi* z-scores are
# relative, so one much stronger spot would mask the others month by month.
HOTSPOTS: tuple[HotspotSpec, ...] = (
    HotspotSpec(
        "hs-market",
        "persistent",
        "Центральний ринок",
        ("market",),
        ("Центр",),
        {"litter": 0.45, "parking": 0.25, "drinking": 0.15, "animals": 0.15},
        672,
        170,
    ),
    HotspotSpec(
        "hs-bus",
        "persistent",
        "Автостанція",
        ("bus_station",),
        ("Центр", "Привокзальний"),
        {"litter": 0.35, "drinking": 0.3, "animals": 0.15, "vandalism": 0.1, "parking": 0.1},
        540,
        170,
    ),
    HotspotSpec(
        "hs-park",
        "persistent",
        "Парк",
        ("park",),
        ("Центр",),
        {"drinking": 0.3, "noise": 0.2, "vandalism": 0.15, "lighting": 0.15, "graffiti": 0.1, "greenery": 0.1},
        744,
        204,
        name_hint="Шевченка",
    ),
    HotspotSpec(
        "hs-school",
        "persistent",
        "Територія біля школи",
        ("school", "lyceum"),
        ("Молодіжний",),
        {"parking": 0.4, "graffiti": 0.15, "drinking": 0.15, "unsafe_yard": 0.15, "animals": 0.15},
        516,
        170,
        name_hint="№ 5",
    ),
    HotspotSpec(
        "hs-flats",
        "persistent",
        "Двір багатоповерхівок",
        (),
        ("Молодіжний", "Центр"),
        {"unsafe_yard": 0.3, "litter": 0.25, "parking": 0.25, "noise": 0.2},
        672,
        170,
    ),
    HotspotSpec(
        "hs-bars",
        "persistent",
        "Вулиця з барами",
        ("bar", "cafe"),
        ("Центр",),
        {"noise": 0.45, "drinking": 0.35, "litter": 0.1, "vandalism": 0.1},
        672,
        170,
    ),
    HotspotSpec(
        "hs-rail",
        "persistent",
        "Залізничний вокзал",
        ("railway_station",),
        ("Привокзальний",),
        {"animals": 0.35, "litter": 0.3, "lighting": 0.2, "drinking": 0.15},
        672,
        170,
    ),
    HotspotSpec(
        "hs-emerging",
        "emerging",
        "Новий цілодобовий магазин",
        ("shop", "supermarket"),
        ("Заріччя", "Східний"),
        {"drinking": 0.35, "noise": 0.25, "litter": 0.4},
        850,
        170,
        _emerging,
        "24",
    ),
    HotspotSpec(
        "hs-fading",
        "fading",
        "Стихійне звалище за гаражами",
        (),
        ("Південний", "Болгарка"),
        {"litter": 0.7, "animals": 0.2, "unsafe_yard": 0.1},
        750,
        170,
        _fading,
    ),
)


def _before_end(start: datetime, received: datetime) -> datetime:
    """The period closes at END ("now" is the day after the last report): a report that
    would arrive later, on the last night, is squeezed in halfway between start and END."""
    if received < END:
        return received
    return start + timedelta(seconds=int((END - start).total_seconds()) // 2)


Candidate = tuple[float, float, int | None, int | None, str]  # x, y, landmark, address, name


@dataclass
class Hotspot:
    spec: HotspotSpec
    x: float
    y: float
    name: str
    district: str
    landmark: int | None  # index into City.landmarks
    address: int | None  # index into City.addresses


# ----------------------------------------------------------------------------- records
@dataclass
class Event:
    """Something that happened at one true point and time (reported one or more times)."""

    eid: int
    occurred: datetime  # Kyiv time
    category: str
    x: float
    y: float
    district: str
    hotspot: str
    address: int | None  # the address the point was drawn from (background)
    vague: bool


@dataclass
class Report:
    """One message about an event, in one source, as the writers will emit it."""

    rid: int
    event: Event
    source: str  # tg_city | tg_police | facebook | hotline | meeting
    received: datetime  # Kyiv time
    lang: str
    rendered: Rendered
    level: str
    author: int
    duplicate_of: int | None = None
    forward_of: int | None = None
    location: tuple[float, float] | None = None
    venue: tuple[str, str] | None = None
    photo: bool = False
    time_phrase: str = ""
    pii: list[tuple[str, str]] = field(default_factory=list)
    source_ref: str = ""
    meeting_id: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


# ----------------------------------------------------------------------------- generator
class Generator:
    """Draws events, renders reports and hands them to the writers; all randomness is
    taken from one seeded numpy Generator in a fixed order."""

    def __init__(self, city: City, seed: int = SEED) -> None:
        self.city = city
        self.seed = seed
        self.rng = np.random.default_rng(seed)
        self.slots = pd.date_range(START, END, freq="h", inclusive="left").tz_convert("UTC")
        local = self.slots.tz_convert(KYIV)
        self.slot_hour = local.hour.to_numpy()
        self.slot_dow = local.day_of_week.to_numpy()
        self.slot_month = local.month.to_numpy() - 1
        self.slot_mi = ((local.year - START.year) * 12 + local.month - 1).to_numpy()
        self.hotspots: list[Hotspot] = []
        self.events: list[Event] = []
        self.reports: list[Report] = []

    # -------------------------------------------------------------- time
    def draw_times(
        self, category: str, n: int, trend: Callable[[int], float] = _flat, *, seasonal: bool = True
    ) -> list[datetime]:
        """n local times following the category profile (and a hotspot's trend).

        ``seasonal=False`` keeps the hour and weekday rhythm but drops the month profile:
        a chronic place stays a problem all year (the market's litter does not wait for
        summer); the seasons show in the background.
        """
        if n <= 0:
            return []
        p = PROFILES[category]
        month = np.asarray(p.month) if seasonal else np.ones(12)
        w = (
            p.hours[self.slot_hour]
            * np.asarray(p.weekday)[self.slot_dow]
            * month[self.slot_month]
            * np.array([trend(int(m)) * _engagement(int(m)) for m in range(24)])[self.slot_mi]
        )
        idx = np.sort(self.rng.choice(len(self.slots), size=n, p=w / w.sum()))
        secs = self.rng.integers(0, 3600, size=n)
        return [
            (self.slots[i] + pd.Timedelta(seconds=int(s))).to_pydatetime().astimezone(KYIV)
            for i, s in zip(idx, secs, strict=True)
        ]

    # -------------------------------------------------------------- hotspots
    def place_hotspots(self) -> None:
        """Anchor each planted hotspot on a gazetteer feature, at least 500 m apart."""
        c = self.city
        dnames = [d.name for d in c.districts]
        for spec in HOTSPOTS:
            cand: list[Candidate] = []
            for kind in spec.landmark_kinds:
                for i, lm in enumerate(c.landmarks):
                    if lm["kind"] == kind:
                        x, y = c.lm_xy[i]
                        cand.append((float(x), float(y), i, None, lm["name"]))
                if cand:
                    break
            cand.sort(key=lambda t: self._preference(spec, t[2], t[0], t[1]))
            if not cand:
                cand = self._address_candidates(spec, dnames)
            for x, y, lm, addr, name in cand:
                if not c.on_land(x, y):
                    continue
                if all(np.hypot(h.x - x, h.y - y) >= 500 for h in self.hotspots):
                    di = int(c.district_of(np.array([x]), np.array([y]))[0])
                    self.hotspots.append(
                        Hotspot(
                            spec,
                            x,
                            y,
                            self._hotspot_name(spec, lm, addr, name),
                            c.districts[di].name if di >= 0 else "",
                            lm,
                            addr,
                        )
                    )
                    break
            else:
                raise RuntimeError(f"no place for hotspot {spec.id} in the gazetteer")

    def _preference(self, spec: HotspotSpec, lm: int | None, x: float, y: float) -> tuple[bool, bool]:
        """Landmarks named like the hint first, then those in the preferred districts."""
        c = self.city
        di = int(c.district_of(np.array([x]), np.array([y]))[0])
        in_pref = di >= 0 and c.districts[di].name in spec.district_pref
        named = lm is not None and bool(spec.name_hint) and spec.name_hint in c.landmarks[lm]["name"]
        return (not named, not in_pref)

    def _address_candidates(self, spec: HotspotSpec, dnames: list[str]) -> list[Candidate]:
        """Addresses in the preferred districts: block of flats near the district's heart,
        the dumping site near its edge."""
        c = self.city
        out = []
        for dname in spec.district_pref:
            if dname not in dnames:
                continue
            di = dnames.index(dname)
            idx = np.flatnonzero(c.addr_ok & (c.addr_district == di))
            if not len(idx):
                continue
            centre = c.districts[di].polygon.centroid
            d = np.hypot(c.addr_xy[idx, 0] - centre.x, c.addr_xy[idx, 1] - centre.y)
            order = idx[np.argsort(d, kind="stable")]
            if spec.kind == "fading":
                order = order[::-1]
            for a in order[:200]:
                out.append((float(c.addr_xy[a, 0]), float(c.addr_xy[a, 1]), None, int(a), ""))
        return out

    def _hotspot_name(self, spec: HotspotSpec, lm: int | None, addr: int | None, name: str) -> str:
        c = self.city
        if addr is not None:
            a = c.addresses[addr]
            forms = c.forms[a["street_id"]]
            return f"{spec.what}: {FORMAL_ABBR.get(forms.type, 'вул.')} {forms.uk}, {a['house']}"
        if spec.id == "hs-bars" and lm is not None:
            sid, _ = c.nearest_street(*c.lm_xy[lm])
            return f"{spec.what}: вул. {c.forms[sid].uk} ({name})"
        if spec.id in ("hs-school", "hs-emerging") and lm is not None:
            short = (c.landmarks[lm].get("names") or {}).get("short_name") or name
            return f"{spec.what}: {short}"
        return name

    # -------------------------------------------------------------- events
    def draw_events(self, n_events: int) -> None:
        """Hotspot events first (their counts are fixed), then background to fill n_events."""
        c = self.city
        for h in self.hotspots:
            cats = list(h.spec.mix)
            weights = np.array(list(h.spec.mix.values()))
            counts = self.rng.multinomial(h.spec.events, weights / weights.sum())
            for cat, k in zip(cats, counts, strict=True):
                for t in self.draw_times(cat, int(k), h.spec.trend, seasonal=False):
                    x, y = self._scatter(h)
                    self._add_event(t, cat, x, y, h.spec.id, None)
        n_bg = n_events - len(self.events)
        pops = np.array([d.population for d in c.districts], dtype=float)
        d_counts = self.rng.multinomial(n_bg, pops / pops.sum())
        bg: list[int] = []  # address index of each background event
        pull = self._gathering_pull()
        for di, k in enumerate(d_counts):
            idx = np.flatnonzero(c.addr_ok & (c.addr_district == di))
            bg += [int(a) for a in self.rng.choice(idx, size=int(k), p=pull[idx] / pull[idx].sum())]
        cats = list(BACKGROUND_MIX)
        weights = np.array(list(BACKGROUND_MIX.values()))
        cat_idx = self.rng.choice(len(cats), size=len(bg), p=weights / weights.sum())
        by_cat: dict[str, list[int]] = {}
        for j, ci in enumerate(cat_idx):
            by_cat.setdefault(cats[int(ci)], []).append(j)
        for cat in cats:
            members = by_cat.get(cat, [])
            times = self.draw_times(cat, len(members))  # sorted: shuffle, or place would follow time
            order = self.rng.permutation(len(times))
            for j, t in zip(members, [times[i] for i in order], strict=True):
                a = bg[j]
                x, y = c.addr_xy[a]
                jx, jy = self.rng.normal(0, 10, size=2)
                if c.on_land(x + jx, y + jy):
                    x, y = x + jx, y + jy
                self._add_event(t, cat, float(x), float(y), "", a)
        self.events.sort(key=lambda e: (e.occurred, e.eid))

    def _gathering_pull(self) -> np.ndarray:
        """Weight of each address for background reports. Public-space offences happen
        where people gather: near shops, bars, schools, playgrounds and stops, and more in
        the town centre than in quiet private-house streets. So an address weighs more
        near landmarks (within ~150 m) and near the city council (within ~1 km)."""
        c = self.city
        townhall = next(i for i, m in enumerate(c.landmarks) if m["kind"] == "townhall")
        centre = np.hypot(*(c.addr_xy - c.lm_xy[townhall]).T)
        near = np.zeros(len(c.addr_xy))
        for lx, ly in c.lm_xy:
            near += np.exp(-np.hypot(c.addr_xy[:, 0] - lx, c.addr_xy[:, 1] - ly) / 150.0)
        return 0.3 + 3.0 * np.exp(-centre / 900.0) + 4.0 * near

    def _district_name(self, x: float, y: float) -> str:
        di = int(self.city.district_of(np.array([x]), np.array([y]))[0])
        return self.city.districts[di].name if di >= 0 else ""

    def _scatter(self, h: Hotspot) -> tuple[float, float]:
        """A point ~50-120 m around the hotspot centre, on land inside the city."""
        for _ in range(100):
            r = abs(self.rng.normal(0, h.spec.spread_m * 0.8))
            a = self.rng.uniform(0, 2 * np.pi)
            x, y = h.x + r * np.cos(a), h.y + r * np.sin(a)
            if self.city.on_land(x, y):
                return float(x), float(y)
        return h.x, h.y

    def _add_event(
        self, t: datetime, cat: str, x: float, y: float, hotspot: str, address: int | None, vague: bool | None = None
    ) -> Event:
        ev = Event(
            len(self.events),
            t,
            cat,
            x,
            y,
            self._district_name(x, y),
            hotspot,
            address,
            bool(self.rng.random() < VAGUE_SHARE) if vague is None else vague,
        )
        self.events.append(ev)
        return ev

    # -------------------------------------------------------------- rendering
    def render(self, ev: Event, lang: str, *, vague: bool, operator: bool = False) -> tuple[Rendered, str]:
        """Text for one report of an event, and the geocoder level a perfect reader reaches."""
        rng, c = self.rng, self.city
        variants: list[str] = []
        if vague:
            place = pick(rng, tx.VAGUE_PLACES[lang])
            return Rendered(
                text=tx.compose(rng, ev.category, lang, place, operator=operator),
                place_text=place,
                district=ev.district,
                variants=["vague"],
            ), "none"
        hs = next((h for h in self.hotspots if h.spec.id == ev.hotspot), None)
        addr = ev.address
        if addr is None:
            a, dist = c.nearest_address(ev.x, ev.y)
            addr = a if dist <= 60 else None
        cross, cdist = c.nearest_crossing(ev.x, ev.y)
        lms = c.landmarks_near(ev.x, ev.y, 200)
        lm = hs.landmark if hs is not None and hs.landmark is not None else (lms[0] if lms else None)
        on_landmark = hs is not None and hs.landmark is not None
        options = {
            "address": 0.40 if addr is not None else 0,
            "street": 0.22,
            "intersection": 0.12 if cdist <= 200 else 0,
            "landmark": (0.50 if on_landmark else 0.10) if lm is not None else 0,
            "district": 0.10 if ev.district else 0,
        }
        modes, w = list(options), np.array(list(options.values()))
        mode = modes[int(rng.choice(len(modes), p=w / w.sum()))]
        r = Rendered(text="", district=ev.district)
        if mode == "address":
            assert addr is not None
            a = c.addresses[addr]
            place = tx.address_phrase(rng, c.forms[a["street_id"]], a["house"], lang, variants)
            r.street, r.house = c.forms[a["street_id"]].uk, a["house"]
        elif mode == "street":
            sid = c.addresses[addr]["street_id"] if addr is not None else c.nearest_street(ev.x, ev.y)[0]
            place = tx.street_phrase(rng, c.forms[sid], lang, variants)
            r.street = c.forms[sid].uk
        elif mode == "intersection":
            cr = c.crossings[cross]
            a_id, b_id = (cr.a, cr.b) if rng.random() < 0.5 else (cr.b, cr.a)
            place = tx.intersection_phrase(rng, c.forms[a_id], c.forms[b_id], lang, variants)
            r.street, r.street2 = c.forms[a_id].uk, c.forms[b_id].uk
        elif mode == "landmark":
            assert lm is not None
            place = tx.landmark_phrase(rng, c.landmarks[lm], lang, variants)
            r.landmark_id = c.landmarks[lm]["id"]
            if c.lm_ambiguous[lm]:
                a, _ = c.nearest_address(*c.lm_xy[lm])
                sid = c.addresses[a]["street_id"]
                place = f"{place} {tx.street_phrase(rng, c.forms[sid], lang, variants)}"
                r.street = c.forms[sid].uk
        else:
            d = next(d for d in c.districts if d.name == ev.district)
            place = tx.district_phrase(rng, d.name, d.name_ru, lang, variants)
        r.place_text = place
        r.variants = variants
        # An operator often leaves the place to the address column of the register.
        shown = "за вказаною адресою" if operator and rng.random() < 0.5 else place
        r.text = tx.compose(rng, ev.category, lang, shown, operator=operator)
        return r, mode

    # -------------------------------------------------------------- reports
    def build_reports(self) -> None:
        """Originals from the events, then ~8 % duplicates in another source or by another person."""
        rng = self.rng
        srcs, sp = list(SOURCE_P), np.array(list(SOURCE_P.values()))
        for ev in self.events:
            source = srcs[int(rng.choice(len(srcs), p=sp / sp.sum()))]
            received = _before_end(ev.occurred, ev.occurred + self._delay(source))
            self.reports.append(self._report(ev, source, received, vague=ev.vague))
        n_dups = round(TOTAL_REPORTS * DUPLICATE_SHARE)
        originals = [r for r in self.reports if r.source != "meeting"]
        picks = np.sort(rng.choice(len(originals), size=n_dups, replace=False))
        for i in picks:
            orig = originals[int(i)]
            same = rng.random() < 0.3
            others = [s for s in srcs if s != orig.source]
            source = orig.source if same else pick(rng, others)
            received = _before_end(orig.received, orig.received + timedelta(minutes=int(rng.integers(10, 360))))
            forward = orig.source.startswith("tg_") and source.startswith("tg_") and not same and rng.random() < 0.5
            if forward:
                dup = Report(
                    len(self.reports),
                    orig.event,
                    source,
                    received,
                    orig.lang,
                    orig.rendered,
                    orig.level,
                    self._author(source),
                    duplicate_of=orig.rid,
                    forward_of=orig.rid,
                    location=orig.location,
                    venue=orig.venue,
                    time_phrase=orig.time_phrase,
                    pii=list(orig.pii),
                )
                self.reports.append(dup)
            else:
                vague = orig.event.vague and rng.random() < 0.5
                dup = self._report(orig.event, source, received, vague=vague, retold=False)
                dup.duplicate_of = orig.rid
                self.reports.append(dup)

    def _delay(self, source: str) -> timedelta:
        """Residents post within minutes; the hotline logs a call a little later."""
        lo, hi = {"tg_city": (1, 40), "tg_police": (2, 90), "facebook": (5, 180), "hotline": (5, 120)}[source]
        return timedelta(minutes=int(self.rng.integers(lo, hi)), seconds=int(self.rng.integers(60)))

    def _author(self, source: str) -> int:
        """Zipf-like activity: a few residents write a lot, most write once or twice."""
        pool = {"tg_city": 1400, "tg_police": 600, "facebook": 800, "hotline": 100_000}[source]
        if source == "hotline":
            return int(self.rng.integers(pool))
        return int(min(pool - 1, self.rng.zipf(1.6) - 1 + self.rng.integers(0, 3) * (pool // 3)))

    def _report(self, ev: Event, source: str, received: datetime, *, vague: bool, retold: bool = True) -> Report:
        """One report of an event. ``retold``: the writer may post the next morning about
        last evening or night (a duplicate keeps the time its original fixed)."""
        rng = self.rng
        lang = "uk" if source == "hotline" else tx.LANGS[int(rng.choice(3, p=tx.LANG_P))]
        time_phrase = ""
        if source != "hotline" and retold:
            nxt = ev.occurred.replace(hour=8, minute=0, second=0) + timedelta(days=1)
            if 18 <= ev.occurred.hour <= 23 and rng.random() < 0.12 and nxt + timedelta(hours=3) < END:
                time_phrase = pick(rng, tx.TIME_PHRASES["yesterday_evening"][lang])
                received = nxt + timedelta(minutes=int(rng.integers(0, 180)))
            elif ev.occurred.hour <= 4 and rng.random() < 0.15:
                time_phrase = pick(rng, tx.TIME_PHRASES["last_night"][lang])
                received = ev.occurred.replace(hour=7, minute=0) + timedelta(minutes=int(rng.integers(0, 180)))
        rendered, level = self.render(ev, lang, vague=vague, operator=source == "hotline")
        if time_phrase:
            rendered.text = tx.compose(rng, ev.category, lang, rendered.place_text, time_phrase)
        rep = Report(
            len(self.reports),
            ev,
            source,
            received,
            lang,
            rendered,
            level,
            self._author(source),
            time_phrase=time_phrase,
        )
        # Hotline callers give their name and phone in separate columns, not in the text.
        if source != "hotline" and rng.random() < PII_SHARE:
            n = 1 if rng.random() < 0.85 else 2
            for _ in range(n):
                sentence, kind, value = tx.pii_sentence(rng, lang, ev.category)
                rep.pii.append((kind, value))
                if rng.random() < 0.8:
                    glue = " " if rendered.text.endswith((".", "!", "?", "😡")) else ". "
                    rendered.text = f"{rendered.text}{glue}{sentence}"
                else:
                    rendered.text = f"{sentence}. {rendered.text}"
        if source.startswith("tg_"):
            if rng.random() < 0.05:
                rendered.text += " " + pick(rng, ["#Вознесенськ", "#благоустрій", "#Вознесенск", "#поліція"])
            rep.photo = bool(rng.random() < 0.12)
            if rng.random() < (0.3 if vague else 0.035):
                lat, lon = self.city.lonlat(ev.x + rng.normal(0, 6), ev.y + rng.normal(0, 6))
                rep.location = (lat, lon)
                near = self.city.landmarks_near(ev.x, ev.y, 80)
                if near and rng.random() < 0.5:
                    lm = self.city.landmarks[near[0]]
                    a, _ = self.city.nearest_address(*self.city.lm_xy[near[0]])
                    addr = self.city.addresses[a]
                    rep.venue = (lm["name"], f"{self.city.forms[addr['street_id']].uk}, {addr['house']}")
        return rep

    # -------------------------------------------------------------- places in office words
    def formal_address(self, r: Report) -> str:
        """How a hotline operator or a minute-taker writes the place: official, current names."""
        rd, c = r.rendered, self.city
        if r.level == "none":
            return ""
        if r.level in ("address", "street", "intersection"):
            sid = self._street_id(rd.street, r)
            first = f"{FORMAL_ABBR.get(c.forms[sid].type, 'вул.')} {rd.street}"
            if r.level == "address":
                return f"{first}, {rd.house}"
            if r.level == "street":
                return first
            sid2 = self._street_id(rd.street2, r)
            return f"{first} / {FORMAL_ABBR.get(c.forms[sid2].type, 'вул.')} {rd.street2}"
        if r.level == "landmark":
            return next(m for m in c.landmarks if m["id"] == rd.landmark_id)["name"]
        return f"мкр. {rd.district}"

    def _street_id(self, name: str, r: Report) -> str:
        """The street of that name nearest to the report (names are unique in practice)."""
        c = self.city
        ids = [sid for sid in c.street_ids if c.forms[sid].uk == name]
        return min(ids, key=lambda sid: c.street_geoms[c.street_ids.index(sid)].distance(Point(r.event.x, r.event.y)))

    # -------------------------------------------------------------- meetings
    def build_meetings(self) -> None:
        """Problems raised at the 10 meetings: mostly the hotspots active in or near the
        meeting's district at the time, plus local background problems."""
        rng, c = self.rng, self.city
        for m in MEETINGS:
            when = datetime(m.day.year, m.day.month, m.day.day, 12, tzinfo=KYIV)
            mi = (m.day.year - START.year) * 12 + m.day.month - 1
            local = [
                h
                for h in self.hotspots
                if h.spec.trend(mi) > 0.2 and (h.district == m.district or h.spec.id in ("hs-market", "hs-bus"))
            ]
            di = next(i for i, d in enumerate(c.districts) if d.name == m.district)
            addrs = np.flatnonzero(c.addr_ok & (c.addr_district == di))
            seen: set[str] = set()
            while len(seen) < PROBLEMS_PER_MEETING:
                k = len(seen)
                if local and k < 2 * len(local):
                    h = local[k % len(local)]
                    cats, w = list(h.spec.mix), np.array(list(h.spec.mix.values()))
                    cat = cats[int(rng.choice(len(cats), p=w / w.sum()))]
                    x, y = self._scatter(h)
                    hotspot, addr = h.spec.id, None
                else:
                    cats, w = list(BACKGROUND_MIX), np.array(list(BACKGROUND_MIX.values()))
                    cat = cats[int(rng.choice(len(cats), p=w / w.sum()))]
                    addr = int(rng.choice(addrs))
                    x, y, hotspot = float(c.addr_xy[addr, 0]), float(c.addr_xy[addr, 1]), ""
                ev = Event(-1, when, cat, x, y, self._district_name(x, y), hotspot, addr, False)
                rendered, level = self.render(ev, "uk", vague=False)
                opener = pick(rng, MINUTE_OPENERS)
                text = f"{opener}{PROBLEM_PHRASES[cat]} {rendered.place_text}".strip()
                if text in seen:  # minutes list each problem once
                    continue
                seen.add(text)
                rendered.text = text[0].upper() + text[1:]
                ev = self._add_event(when, cat, x, y, hotspot, addr, vague=False)
                self.reports.append(
                    Report(len(self.reports), ev, "meeting", when, "uk", rendered, level, -1, meeting_id=m.id)
                )


MINUTE_OPENERS = ("Мешканці скаржаться: ", "Учасники зустрічі підняли питання: ", "Проблема: ", "")


def generate_all(city: City, out: Path, seed: int = SEED) -> dict[str, Any]:
    """Draw everything and write every file under ``out``; returns the summary counts."""
    gen = Generator(city, seed)
    gen.place_hotspots()
    n_meeting = len(MEETINGS) * PROBLEMS_PER_MEETING
    n_dups = round(TOTAL_REPORTS * DUPLICATE_SHARE)
    gen.draw_events(TOTAL_REPORTS - n_dups - n_meeting)
    gen.build_reports()
    gen.build_meetings()
    src = out / "sources"
    extra_rows = w.write_telegram(gen, src / "telegram" / "result.json")
    w.write_facebook(gen, src / "facebook" / "your_facebook_activity" / "groups")
    w.write_hotline(gen, src / "hotline" / "hotline_2024-2025.csv")
    w.write_minutes(gen, src / "minutes")
    actions = w.actions_for(gen)
    w.write_surveys(gen, src / "surveys" / "survey_waves_1-2.csv", actions)
    w.assign_tabular_refs(gen, src)
    return w.write_tables(gen, out, actions, extra_rows)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT_DIR)
    parser.add_argument("--gazetteer", type=Path, default=GAZETTEER_JSON)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    summary = generate_all(City.load(args.gazetteer), args.out, seed=args.seed)
    print(json.dumps(summary, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
