"""No city constant lives in code: every one comes from a city profile (config/cities/*.toml).

What counts as a city constant, for every profile in config/cities: the city's names in
any language and their stem (the name less its case ending: "вознесен" finds "у
Вознесенську" and a street or school named after the city), any Area/City time zone, any
EPSG code but WGS84's (4326), a number within the city's box (latitude or longitude) or
derived from its latitude (its cosine, the aspect 1/cos, metres per degree of longitude),
its tracking prefix, and its list of case endings.

Where it looks: every tracked Python file and the non-profile TOML files (the message
catalogue, config/rules.toml). Exempt, and why:
* tests/: tests pin the demo city's answers on purpose.
* bench/: benchmarks run on fixed, named data sets (the demo city, a real Chicago
  extract); their zones and boxes describe those data sets, not the deployment.
* data/city_profile.py: the profile model itself; its doctests show other cities' values.
* data/demo/ and geo/demo/: the demo generators make the demo city's data (they read the
  demo profile where they need its values; the names of its real streets, schools and
  council are that city's data, like an OSM extract is).
* comments and docstrings: prose and doctest examples, never read by the program. A
  doctest's values are fixed example input (the doctest must not change with the
  profile), so a docstring may show some zone or EPSG code, and numbers are not checked
  there; but the city's own names, its zone and its metric CRS are flagged in docstrings too.
"""

from __future__ import annotations

import ast
import io
import math
import re
import subprocess
import tokenize
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

from data.city_profile import CITIES_DIR, read_profile
from tests.conftest import ROOT

EXEMPT = ("tests/", "bench/", "data/demo/", "geo/demo/", "data/city_profile.py")
AREAS = "Africa|America|Antarctica|Arctic|Asia|Atlantic|Australia|Europe|Indian|Pacific"
ZONE = re.compile(rf"\b(?:{AREAS})/[A-Z][A-Za-z_-]+")
EPSG = re.compile(r"\bEPSG:(\d+)\b")
UNIVERSAL_EPSG = {"4326"}  # WGS84: the same everywhere
METRES_PER_DEGREE = 111_320.0


@dataclass(frozen=True)
class CityMarks:
    """What one profile's constants look like in code."""

    slug: str
    words: tuple[str, ...]  # lower-case names and name stems
    lat_range: tuple[float, float]
    lon_range: tuple[float, float]
    derived: tuple[float, ...]  # cos(lat), 1/cos(lat), metres per degree of longitude
    prefix: str
    endings: frozenset[str]
    zone: str
    crs_code: str  # digits of the metric CRS's EPSG code


def _stem(name: str, endings: frozenset[str]) -> str:
    """The name less its longest case ending, at least five letters (else the name)."""
    low = name.lower()
    for end in sorted(endings, key=len, reverse=True):
        if low.endswith(end) and len(low) - len(end) >= 5:
            return low[: -len(end)]
    return low


def _marks(path: Path) -> CityMarks:
    p = read_profile(path)
    endings = frozenset(e.lower() for e in p.names.case_endings)
    names = [p.names.uk, p.names.en, *p.names.other.values()]
    words = sorted({w for n in names for w in (n.lower(), _stem(n, endings))})
    lat, lon = p.centre
    if p.bbox is not None:
        lat_range, lon_range = (p.bbox[1] - 0.05, p.bbox[3] + 0.05), (p.bbox[0] - 0.05, p.bbox[2] + 0.05)
    else:
        lat_range, lon_range = (lat - 0.1, lat + 0.1), (lon - 0.1, lon + 0.1)
    cos = math.cos(math.radians(lat))
    return CityMarks(
        path.stem,
        tuple(words),
        lat_range,
        lon_range,
        (cos, 1 / cos, METRES_PER_DEGREE * cos),
        p.intake.tracking_prefix,
        endings,
        p.time_zone,
        p.metric_crs.split(":")[-1],
    )


PROFILES = sorted(CITIES_DIR.glob("*.toml"))
MARKS = [_marks(p) for p in PROFILES]


def _tracked(*patterns: str) -> list[Path]:
    out = subprocess.run(["git", "ls-files", "--", *patterns], cwd=ROOT, capture_output=True, text=True, check=True)
    return [
        ROOT / line
        for line in out.stdout.splitlines()
        if line and not line.startswith(EXEMPT) and (ROOT / line).is_file()
    ]


def _docstring_lines(tree: ast.AST) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if (
                body
                and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)
            ):
                lines.update(range(body[0].lineno, (body[0].end_lineno or body[0].lineno) + 1))
    # attribute docstrings: a bare string right after an assignment
    for parent in ast.walk(tree):
        for field in ("body", "orelse"):
            stmts = getattr(parent, field, None)
            if not isinstance(stmts, list):
                continue
            for prev, stmt in zip(stmts, stmts[1:]):
                if (
                    isinstance(prev, (ast.Assign, ast.AnnAssign))
                    and isinstance(stmt, ast.Expr)
                    and isinstance(stmt.value, ast.Constant)
                    and isinstance(stmt.value.value, str)
                ):
                    lines.update(range(stmt.lineno, (stmt.end_lineno or stmt.lineno) + 1))
    return lines


def _text_findings(text: str, marks: CityMarks, where: str, *, doc: bool = False) -> list[str]:
    """Names, stems, zones, EPSG codes and the tracking prefix in ``text``; in a docstring
    (``doc``) only the city's own zone and CRS count."""
    found = []
    low = text.lower()
    found += [f"{where}: name {w!r}" for w in marks.words if w in low]
    found += [f"{where}: time zone {z}" for z in ZONE.findall(text) if not doc or z == marks.zone]
    found += [
        f"{where}: EPSG:{code}"
        for code in EPSG.findall(text)
        if code not in UNIVERSAL_EPSG and (not doc or code == marks.crs_code)
    ]
    if re.search(rf"""["']{re.escape(marks.prefix)}-""", text):
        found.append(f"{where}: tracking prefix {marks.prefix}-")
    return found


def _number_findings(value: float, marks: CityMarks, where: str) -> list[str]:
    in_lat = marks.lat_range[0] <= value <= marks.lat_range[1]
    in_lon = marks.lon_range[0] <= value <= marks.lon_range[1]
    derived = any(math.isclose(value, d, rel_tol=0.01) for d in marks.derived)
    return [f"{where}: number {value} of {marks.slug}"] if in_lat or in_lon or derived else []


def findings_in_python(path: Path, marks: CityMarks) -> list[str]:
    """City constants in the code of one Python file (comments and docstrings: see module)."""
    source = path.read_text(encoding="utf-8")
    rel = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else path.name
    doc_lines = _docstring_lines(ast.parse(source))
    found: list[str] = []
    endings_seen: set[str] = set()
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        where = f"{rel}:{tok.start[0]}"
        if tok.type == tokenize.STRING or tok.type == getattr(tokenize, "FSTRING_MIDDLE", -1):
            in_doc = tok.start[0] in doc_lines
            found += _text_findings(tok.string, marks, where, doc=in_doc)
            if not in_doc:
                try:
                    value = ast.literal_eval(tok.string) if tok.type == tokenize.STRING else tok.string
                except (ValueError, SyntaxError):
                    value = tok.string
                if isinstance(value, str) and value.lower() in marks.endings:
                    endings_seen.add(value.lower())
        elif tok.type == tokenize.NUMBER and tok.start[0] not in doc_lines and "." in tok.string:
            found += _number_findings(float(tok.string.replace("_", "")), marks, where)
    if len(endings_seen) >= 4:  # a list of the city's case endings (a few are just grammar)
        found.append(f"{rel}: the city's case endings {sorted(endings_seen)}")
    return found


def findings_in_toml(path: Path, marks: CityMarks) -> list[str]:
    """City constants in the values of a TOML file (its comments are prose)."""
    rel = path.relative_to(ROOT).as_posix()
    found: list[str] = []

    def walk(node: object, key: str) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, f"{key}.{k}" if key else k)
        elif isinstance(node, list):
            for v in node:
                walk(v, key)
        elif isinstance(node, str):
            found.extend(_text_findings(node, marks, f"{rel} [{key}]"))
        elif isinstance(node, float):
            found.extend(_number_findings(node, marks, f"{rel} [{key}]"))

    walk(tomllib.loads(path.read_text(encoding="utf-8")), "")
    return found


def test_there_are_profiles_to_check() -> None:
    assert MARKS and any("вознесен" in m.words for m in MARKS)


@pytest.mark.parametrize("marks", MARKS, ids=lambda m: m.slug)
def test_no_city_constant_in_code(marks: CityMarks) -> None:
    found: list[str] = []
    for path in _tracked("*.py"):
        found += findings_in_python(path, marks)
    for path in _tracked("*.toml"):
        if path.parent.resolve() != CITIES_DIR and path.name != "pyproject.toml":
            found += findings_in_toml(path, marks)
    assert not found, "city constants outside the profiles:\n" + "\n".join(found)


def test_the_scanner_finds_each_kind(tmp_path: Path) -> None:
    """The check can fail: a file with one constant of each kind gives one finding each."""
    marks = next(m for m in MARKS if "вознесен" in m.words)
    bad = tmp_path / "probe.py"
    bad.write_text(
        'TITLE = "Мапа безпеки Вознесенська"\n'
        'ZONE = "Europe/Kyiv"\n'
        'CRS = "EPSG:32636"\n'
        "CENTRE = (47.566, 31.33)\n"
        "ASPECT = 1.482\n"
        'PREFIX = "VZ-"\n'
        'ENDINGS = ("ськ", "ська", "ську", "ськом")\n'
        'OK = ("EPSG:4326", "UTC", 3.0, "Etc/GMT-3")\n',
        encoding="utf-8",
    )
    found = findings_in_python(bad, marks)
    kinds = [
        "name",
        "time zone",
        "EPSG:32636",
        "number 47.566",
        "number 31.33",
        "number 1.482",
        "tracking prefix",
        "case endings",
    ]
    for kind in kinds:
        assert any(kind in f for f in found), (kind, found)
    lines = {int(f.split(":")[1]) for f in found if f.startswith("probe.py:") and f.split(":")[1].isdigit()}
    assert lines == set(range(1, 7)), found  # line 7 (the endings) is reported per file; line 8 is clean
