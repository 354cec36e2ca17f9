"""Geocoder bench: accuracy on tests/data/geocode_eval.csv, speed and load time.

Run: python3 bench/geocode.py [--gazetteer PATH]   (default: the demo gazetteer)
     python3 bench/geocode.py --rate [--mb 16]      (only the rate on the intake texts, issue 25)

Prints, for this geocoder and for a baseline (plain rapidfuzz best match of the whole
text over every street alias): street-level accuracy, address accuracy within 50 m, false
places on texts without a place, accuracy of answers scored >= 0.8, texts per second (one
core, after loading) and the gazetteer + index load time. Eval rows that name places the
gazetteer does not have are skipped and counted. If the demo data generator wrote a ground
truth (data/demo/ground_truth*.csv), it is scored too, with the share of reports placed at
the level their text allows (or finer) with the true point inside the claimed uncertainty.

Also: answers more than 300 m off that claim under 100 m (must be 0); the speed over every
distinct text (eval sets and demo reports, each once, word caches emptied first); and the
set written about the real Helsinki extract (tests/data/geocode_eval_helsinki.csv, ODbL) on
the gazetteer the builder makes from tests/data/helsinki/Helsinki.osm.pbf.

Not part of pytest: tests/test_geocoder.py asserts the same targets on the demo gazetteer,
tests/test_geocoder_realosm.py those on Helsinki.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import math
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rapidfuzz import fuzz, process  # noqa: E402
from shapely.geometry import Point  # noqa: E402

from geo.gazetteer import Gazetteer  # noqa: E402
from geo.geocoding import Match, build_index, geocode, get_index, name_key  # noqa: E402
from geo.geocoding.weights import MAX_INTERSECTION_GAP_M  # noqa: E402
from geo.normalize import normalize_text  # noqa: E402
from geo.projection import to_metres  # noqa: E402

EVAL_CSV = ROOT / "tests" / "data" / "geocode_eval.csv"
HELSINKI_CSV = ROOT / "tests" / "data" / "geocode_eval_helsinki.csv"
HELSINKI_OSM = ROOT / "tests" / "data" / "helsinki" / "Helsinki.osm.pbf"  # ODbL, see SOURCE.md there
FAR_M, CONFIDENT_M = 300.0, 100.0  # "0 answers more than 300 m off that claim under 100 m"
LEVEL_RANK = {"none": 0, "district": 1, "street": 2, "landmark": 3, "intersection": 4, "address": 5}
TARGETS = {
    "street": 0.95,
    "address50": 0.90,
    "false_places": 0.02,
    "above08": 0.97,
    "texts_per_s": 2000.0,
    "load_s": 1.0,
}
SCHOOL_KINDS = {"school", "lyceum", "gymnasium"}


@dataclass
class Scores:
    street: float
    street_n: int
    address50: float
    address_n: int
    false_places: float
    none_n: int
    above08: float
    above08_n: int
    skipped: int


def load_eval(path: Path = EVAL_CSV) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _field(obj: Any, key: str) -> Any:
    return obj.get(key) if isinstance(obj, dict) else getattr(obj, key)


class Truth:
    """What the gazetteer knows, in comparable form (names via geo.geocoding.name_key)."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.street_names = {name_key(_field(s, "name")) for s in _field(gazetteer, "streets")}
        self.street_ids = {_field(s, "id"): name_key(_field(s, "name")) for s in _field(gazetteer, "streets")}
        self.districts = {name_key(_field(d, "name")) for d in _field(gazetteer, "districts")}
        self.landmarks = [
            (_field(m, "kind"), _field(m, "number"), _field(m, "name")) for m in _field(gazetteer, "landmarks")
        ]
        self.crs = get_index(gazetteer).crs  # the geocoder's metres: the street geometry below
        self.landmark_points = [
            tuple(float(v) for v in to_metres(_field(m, "lat"), _field(m, "lon"), self.crs))
            for m in _field(gazetteer, "landmarks")
        ]
        geoms = {}
        for st in get_index(gazetteer).streets:
            geoms.setdefault(name_key(st.name), []).append(st.geom)
        self.geoms = geoms
        self.address: dict[tuple[str, str], tuple[float, float]] = {}
        for a in _field(gazetteer, "addresses"):
            street = self.street_ids.get(_field(a, "street_id"))
            x, y = to_metres(_field(a, "lat"), _field(a, "lon"), self.crs)
            self.address[(street, _house(_field(a, "house")))] = (float(x), float(y))

    def meet(self, a: str, b: str) -> bool:
        """The two named streets cross (or end within the geocoder's gap) here."""
        return any(
            ga.distance(gb) <= MAX_INTERSECTION_GAP_M
            for ga in self.geoms.get(name_key(a), [])
            for gb in self.geoms.get(name_key(b), [])
        )

    def applicable(self, row: dict[str, str]) -> bool:
        """Every place the row expects exists in this gazetteer."""
        for key in ("street", "street2"):
            if row[key] and name_key(row[key]) not in self.street_names:
                return False
        if row["level"] == "district" and name_key(row["district"]) not in self.districts:
            return False
        if row["landmark_kind"]:
            return any(
                _kind_ok(row["landmark_kind"], kind)
                and (not row["landmark_number"] or number == row["landmark_number"])
                and (not row["landmark_name"] or row["landmark_name"].lower() in name.lower())
                for kind, number, name in self.landmarks
            )
        return True

    def distance(self, row: dict[str, str], m: Match) -> float | None:
        """Metres from the answer to the row's true place in the gazetteer: the address
        point, the landmark, the crossing of the two streets, or the nearest point of the
        street; None when the answer has no point or the row no place."""
        if m.lat is None or row["level"] == "none":
            return None
        x, y = (float(v) for v in to_metres(m.lat, m.lon, self.crs))
        here = Point(x, y)
        if row["house"] and row["street"]:
            point = self.address.get((name_key(row["street"]), _house(row["house"])))
            if point is not None:
                return math.hypot(x - point[0], y - point[1])
        if row["landmark_kind"] and row["landmark_name"]:
            dists = [
                math.hypot(x - px, y - py)
                for (kind, _n, name), (px, py) in zip(self.landmarks, self.landmark_points)
                if _kind_ok(row["landmark_kind"], kind) and row["landmark_name"].lower() in name.lower()
            ]
            if dists:
                return min(dists)
        lines = self.geoms.get(name_key(row["street"]), []) if row["street"] else []
        if row["street2"] and lines:
            others = self.geoms.get(name_key(row["street2"]), [])
            crossings = [ga.intersection(gb) for ga in lines for gb in others]
            crossings = [c for c in crossings if not c.is_empty]
            if crossings:
                return min(c.distance(here) for c in crossings)
        return min((g.distance(here) for g in lines), default=None)


def far_off(rows: list[dict[str, str]], answers: list[Match], truth: Truth) -> tuple[int, int]:
    """(answers more than FAR_M from the truth that claim under CONFIDENT_M, answers with a
    measurable distance): a claimed uncertainty must cover the truth."""
    bad = n = 0
    for row, m in zip(rows, answers):
        d = truth.distance(row, m)
        if d is None:
            continue
        n += 1
        bad += d > FAR_M and (m.uncertainty_m or 0.0) < CONFIDENT_M
    return bad, n


def _house(house: str | None) -> str:
    return "".join(ch for ch in (house or "").lower() if ch not in " .,-").replace("корп", "к").replace("корпус", "к")


def _kind_ok(expected: str, got: str) -> bool:
    return expected == got or (expected in SCHOOL_KINDS and got in SCHOOL_KINDS)


def place_correct(row: dict[str, str], m: Match, truth: Truth | None = None) -> bool:
    """The answer names the expected place (street(s), landmark, district), at any level.

    An intersection of two streets that do not meet in this gazetteer (the demo city puts
    real names on an invented grid) is answered right by the first street at street level.
    """
    if row["level"] == "none":
        return m.level == "none"
    if m.level == "none":
        return False
    if row["street2"] and truth is not None and not truth.meet(row["street"], row["street2"]):
        return m.level == "street" and name_key(m.street or "") == name_key(row["street"])
    if row["street"] and row["street2"]:
        got = {name_key(m.street or ""), name_key(m.street2 or "")}
        want = {name_key(row["street"]), name_key(row["street2"])}
        if got != want:
            return False
    elif row["street"] and name_key(m.street or "") != name_key(row["street"]):
        return False
    if row["landmark_kind"]:
        lm = m.landmark or {}
        if not _kind_ok(row["landmark_kind"], lm.get("kind", "")):
            return False
        if row["landmark_number"] and str(lm.get("number")) != row["landmark_number"]:
            return False
        if row["landmark_name"] and row["landmark_name"].lower() not in (lm.get("name") or "").lower():
            return False
    if row["level"] == "district" and name_key(m.district or "") != name_key(row["district"]):
        return False
    return True


def score(rows: list[dict[str, str]], answers: list[Match], truth: Truth) -> Scores:
    place_ok = place_n = addr_ok = addr_n = false_n = none_n = hi_ok = hi_n = 0
    skipped = 0
    for row, m in zip(rows, answers):
        if not truth.applicable(row):
            skipped += 1
            continue
        ok = place_correct(row, m, truth)
        if row["level"] == "none":
            none_n += 1
            false_n += m.level != "none"
        else:
            place_n += 1
            place_ok += ok
        if m.level != "none" and m.score >= 0.8:
            hi_n += 1
            hi_ok += ok
        if row["house"] and row["street"] and not row["street2"]:
            point = truth.address.get((name_key(row["street"]), _house(row["house"])))
            if point is not None:
                addr_n += 1
                if m.lat is not None and ok:
                    x, y = to_metres(m.lat, m.lon, truth.crs)
                    addr_ok += math.hypot(float(x) - point[0], float(y) - point[1]) <= 50.0
    return Scores(
        place_ok / max(place_n, 1),
        place_n,
        addr_ok / max(addr_n, 1),
        addr_n,
        false_n / max(none_n, 1),
        none_n,
        hi_ok / max(hi_n, 1),
        hi_n,
        skipped,
    )


def baseline(gazetteer: Gazetteer) -> Callable[[str], Match]:
    """Plain rapidfuzz: the best alias over the whole text (partial_ratio >= 85), at the
    street's middle point; no context, no house numbers, no landmarks."""
    index = build_index(gazetteer)
    names: list[str] = []
    owners: list[int] = []
    for i, s in enumerate(_field(gazetteer, "streets")):
        for alias in {_field(s, "name"), *(_field(s, "names") or {}).values()}:
            names.append(normalize_text(alias))
            owners.append(i)
    by_id = {st.id: st for st in index.streets}
    streets = list(_field(gazetteer, "streets"))

    def run(text: str) -> Match:
        hit = process.extractOne(normalize_text(text), names, scorer=fuzz.partial_ratio, score_cutoff=85)
        if hit is None:
            return Match()
        street = streets[owners[hit[2]]]
        st = by_id.get(_field(street, "id"))
        m = Match(level="street", score=hit[1] / 100, street=_field(street, "name"))
        if st is not None:
            from geo.projection import to_wgs84

            p = st.main.interpolate(0.5, normalized=True)
            lat, lon = to_wgs84(p.x, p.y, index.crs)
            m.lat, m.lon = float(lat), float(lon)
        return m

    return run


def load_time(path: str | None) -> tuple[float, float]:
    """(CPU, wall) seconds of imports + gazetteer load + index build in a fresh interpreter.

    CPU time of the process is what one core needs; wall time also counts waiting for a
    busy machine (several engineers share this one), so the targets use CPU time.
    """
    code = (
        f"import time,sys; sys.path.insert(0, {str(ROOT)!r}); t=time.perf_counter(); c=time.process_time();"
        "from geo.gazetteer import load_gazetteer; from geo.geocoding import get_index;"
        f"g=load_gazetteer({path!r}); get_index(g); print(time.process_time()-c, time.perf_counter()-t)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    cpu, wall = (float(v) for v in out.stdout.split())
    return cpu, wall


def throughput(fn: Callable[[str], Any], texts: list[str], seconds: float = 2.0) -> float:
    """Texts per CPU second on one core (process time, robust to a busy machine)."""
    done = 0
    start = time.process_time()
    while time.process_time() - start < seconds:
        for text in texts:
            fn(text)
        done += len(texts)
    return done / (time.process_time() - start)


def cold_throughput(texts: list[str], gazetteer: Gazetteer) -> float:
    """One pass with the per-word caches emptied: the rate for text never seen before."""
    _clear_caches(gazetteer)
    start = time.process_time()
    for text in texts:
        geocode(text, gazetteer=gazetteer)
    return len(texts) / (time.process_time() - start)


def _clear_caches(gazetteer: Gazetteer) -> None:
    """Empty the geocoder's per-word and per-span memos."""
    from geo import normalize
    from geo.geocoding import words

    for fn in (
        normalize.word_keys,
        normalize.lemmas,
        normalize.stem,
        normalize.is_dictionary_word,
        normalize.latin_to_cyrillic,
        normalize.deaccent,
        words._agree,
    ):
        fn.cache_clear()
    get_index(gazetteer).inflected.clear()
    get_index(gazetteer).fuzzy_memo.clear()


def _line(name: str, s: Scores, tps: float) -> str:
    return (
        f"{name:<10} street-level {s.street:6.1%} (n={s.street_n})  address<=50m {s.address50:6.1%} "
        f"(n={s.address_n})  false places {s.false_places:5.1%} (n={s.none_n})  "
        f"correct@score>=0.8 {s.above08:6.1%} (n={s.above08_n})  {tps:8.0f} texts/s"
    )


def demo_messages() -> dict[tuple[str, str], tuple[str, tuple[float, float] | None]]:
    """(source, source_ref) -> (text as the importer geocodes it, shared location), read from
    data/demo/sources with the intake parsers, so refs match ground_truth.csv."""
    from data.intake import parse_file
    from data.records import RawMessage

    out: dict[tuple[str, str], tuple[str, tuple[float, float] | None]] = {}
    sources = ROOT / "data" / "demo" / "sources"
    files = [p for p in sorted(sources.rglob("*")) if p.is_file() and "surveys" not in p.parts]
    for path in files:
        for item in parse_file(path).items:
            if isinstance(item, RawMessage):
                text = item.text if not item.venue_text else f"{item.text}\n{item.venue_text}"
                out[(item.source, item.source_ref)] = (text, item.location)
    return out


def ground_truth(gazetteer: Gazetteer, truth: Truth) -> None:
    """Score the geocoder on the demo data generator's reports (data/demo/ground_truth*.csv):
    expected names per report, the true point, and whether a location was shared."""
    files = sorted((ROOT / "data" / "demo").glob("ground_truth*.csv"))
    if not files:
        print("ground truth: no data/demo/ground_truth*.csv yet, skipped")
        return
    messages = demo_messages()
    for path in files:
        with open(path, encoding="utf-8", newline="") as fh:
            rows = [r for r in csv.DictReader(fh) if r.get("is_report") == "1"]
        eval_rows, answers, errors = [], [], []
        missing = placed = placeable = 0
        for r in rows:
            msg = messages.get((r["source"], r["source_ref"]))
            if msg is None:
                missing += 1
                continue
            m = geocode(msg[0], location=msg[1], gazetteer=gazetteer)
            level = r["expected_level"] or "none"
            if msg[1] is not None:  # a shared location is the answer, whatever the text says
                level = "address" if level == "none" else level
            eval_rows.append(
                {
                    "text": msg[0],
                    "level": level,
                    "street": r["expected_street"],
                    "street2": r["expected_street2"],
                    "house": r["expected_house"],
                    "landmark_kind": "",
                    "landmark_number": "",
                    "landmark_name": r["expected_landmark_name"],
                    "district": r["district"] if level == "district" else "",
                }
            )
            answers.append(m)
            error = None
            if m.lat is not None and r["lat"]:
                x1, y1 = to_metres(m.lat, m.lon)
                x2, y2 = to_metres(float(r["lat"]), float(r["lon"]))
                error = math.hypot(float(x1) - float(x2), float(y1) - float(y2))
                errors.append(error)
            if level != "none" and r["lat"]:
                placeable += 1
                placed += (
                    LEVEL_RANK[m.level] >= LEVEL_RANK[level] and error is not None and error <= (m.uncertainty_m or 0.0)
                )
        s = score(eval_rows, answers, truth)
        errors.sort()
        median = errors[len(errors) // 2] if errors else float("nan")
        print(f"ground truth {path.name}: {len(eval_rows)} reports ({missing} not found in the sources)")
        print(_line("  geocoder", s, float("nan")).replace("     nan texts/s", ""))
        print(f"  distance to the true event point: median {median:.0f} m over {len(errors)} located")
        print(
            f"  placed at the level the text allows or finer, true point within the claimed "
            f"uncertainty: {placed / max(placeable, 1):6.1%} of {placeable} placeable reports (target 95%)"
        )


def helsinki() -> None:
    """The set written about the real Helsinki extract (ODbL), on the gazetteer the builder
    makes from it: accuracy and answers far off while claiming to be close."""
    from geo.gazetteer import Gazetteer
    from geo.osm import build_gazetteer

    gaz = Gazetteer.from_dict(build_gazetteer(HELSINKI_OSM))
    rows = load_eval(HELSINKI_CSV)
    truth = Truth(gaz)
    answers = [geocode(r["text"], gazetteer=gaz) for r in rows]
    s = score(rows, answers, truth)
    bad, measured = far_off(rows, answers, truth)
    print(f"helsinki: {len(rows)} rows, {s.skipped} skipped")
    print(_line("geocoder", s, float("nan")).replace("     nan texts/s", ""))
    print(f"  answers > {FAR_M:.0f} m off claiming < {CONFIDENT_M:.0f} m: {bad} of {measured} (target 0)")


def distinct_throughput(gazetteer: Gazetteer) -> None:
    """Texts per CPU second over distinct texts, each geocoded once, word caches emptied
    first: the eval sets and every demo report (no repeats feed the caches)."""
    texts = list(
        dict.fromkeys(
            [r["text"] for r in load_eval()]
            + [r["text"] for r in load_eval(HELSINKI_CSV)]
            + [text for text, _loc in demo_messages().values()]
        )
    )
    rate = cold_throughput(texts, gazetteer)
    print(
        f"speed on {len(texts)} distinct texts, each once, empty word caches: {rate:.0f} texts/s "
        f"per CPU second of one core (target 2000)"
    )


def intake_rate(mb: float) -> None:
    """Records per CPU second on the texts bench/intake.py's export makes the importer
    geocode (bench/geocode_texts.py): every text distinct, each geocoded once. The first
    half warms the word caches as the start of a big import does; the second half, texts
    never seen before, is timed (the steady state of a long import); a first pass with
    empty word caches is printed too."""
    from geo.gazetteer import load_gazetteer

    spec = importlib.util.spec_from_file_location("_bench_geocode_texts", ROOT / "bench" / "geocode_texts.py")
    assert spec is not None and spec.loader is not None
    texts = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(texts)  # loaded from its file: bench/ stays off sys.path
    intake_texts = texts.intake_texts

    gaz = load_gazetteer()
    get_index(gaz)
    items = intake_texts(mb)
    half = len(items) // 2
    warm, timed = items[:half], items[half:]
    _clear_caches(gaz)
    start = time.process_time()
    for text, location in warm:
        geocode(text, location=location, gazetteer=gaz)
    cold = time.process_time() - start
    start = time.process_time()
    for text, location in timed:
        geocode(text, location=location, gazetteer=gaz)
    steady = time.process_time() - start
    print(
        f"geocoder on {len(items)} distinct intake texts ({mb:g} MB export): "
        f"steady {len(timed) / steady:.0f} records/CPU-s ({steady / len(timed) * 1000:.3f} ms/record) "
        f"over the second half; first half from empty word caches {len(warm) / cold:.0f} records/CPU-s "
        f"({cold / len(warm) * 1000:.3f} ms/record)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gazetteer", default=None, help="gazetteer JSON (default: the demo one)")
    parser.add_argument("--rate", action="store_true", help="only the rate on the intake texts (issue 25)")
    parser.add_argument("--mb", type=float, default=16.0, help="size of the export behind --rate")
    args = parser.parse_args()
    if args.rate:
        intake_rate(args.mb)
        return
    from geo.gazetteer import load_gazetteer

    t0 = time.perf_counter()
    gaz = load_gazetteer(Path(args.gazetteer) if args.gazetteer else None)
    get_index(gaz)
    in_process = time.perf_counter() - t0
    rows = load_eval()
    texts = [r["text"] for r in rows]
    truth = Truth(gaz)

    mine = [geocode(t, gazetteer=gaz) for t in texts]
    base_fn = baseline(gaz)
    base = [base_fn(t) for t in texts]
    s_mine, s_base = score(rows, mine, truth), score(rows, base, truth)
    tps_mine = throughput(lambda t: geocode(t, gazetteer=gaz), texts)
    tps_base = throughput(base_fn, texts)
    tps_cold = cold_throughput(texts, gaz)
    print(f"eval: {len(rows)} rows, {s_mine.skipped} skipped (places missing from this gazetteer)")
    print(_line("geocoder", s_mine, tps_mine))
    print(_line("baseline", s_base, tps_base))
    held = [i for i, r in enumerate(rows) if r["note"].startswith("holdout")]
    if held:
        s_held = score([rows[i] for i in held], [mine[i] for i in held], truth)
        print(
            _line("  holdout", s_held, float("nan")).replace("     nan texts/s", "")
            + f" ({len(held)} rows written after tuning on the others)"
        )
    print(
        f"geocoder first pass with empty word caches: {tps_cold:.0f} texts/s (texts/s are per CPU second of one core)"
    )
    fresh, fresh_wall = load_time(args.gazetteer)
    print(
        f"gazetteer + index load in a fresh interpreter, incl. imports: {fresh:.2f} s CPU "
        f"({fresh_wall:.2f} s wall); in this process {in_process:.2f} s wall"
    )
    checks = {
        "street": s_mine.street >= TARGETS["street"],
        "address50": s_mine.address50 >= TARGETS["address50"],
        "false_places": s_mine.false_places <= TARGETS["false_places"],
        "above08": s_mine.above08 >= TARGETS["above08"],
        "texts_per_s": tps_mine >= TARGETS["texts_per_s"],
        "load_s": fresh < TARGETS["load_s"],
    }
    print("targets: " + ", ".join(f"{k} {'ok' if v else 'MISSED'}" for k, v in checks.items()))
    from geo.gazetteer import DEFAULT_GAZETTEER

    bad, measured = far_off(rows, mine, truth)
    print(f"  answers > {FAR_M:.0f} m off claiming < {CONFIDENT_M:.0f} m: {bad} of {measured} (target 0)")
    if args.gazetteer is None or Path(args.gazetteer).resolve() == DEFAULT_GAZETTEER.resolve():
        ground_truth(gaz, truth)
        distinct_throughput(gaz)
    else:
        print("ground truth: written for the demo city, skipped for another gazetteer")
    helsinki()


if __name__ == "__main__":
    main()
