"""The code's layout rules, checked on every run: data flows one way up the layers, no
product module outgrows what a reader holds in mind, and ruff's rule set holds.

The layers, lowest first (a package may import only packages on a lower rank, or itself):

0. ``encoders``: how untrusted text is written out; a leaf every layer may use.
1. ``data``: records, categories, the city profile, the store, the parsers (``data/intake``)
   and text understanding (``data/text``).
2. ``geo``: the gazetteer and the geocoder (it reads ``data``'s records and vocabulary);
   ``i18n``: the interface's words (they name the city from ``data``'s profile).
3. ``clustering``: the statistics over points and cells.
4. ``auth``: users, roles, sessions (stored in ``data``'s store).
5. ``layers``: maps and exports per audience, privacy applied (they check roles: ``auth``).
6. ``services``: the use cases the pages and the command line call.
7. ``ui``: the Streamlit pages and their helpers.
8. ``app.py``, ``cli.py``: the entry points.

``tests/`` and ``bench/`` stand outside the layers and may import anything.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import require

ROOT = Path(__file__).resolve().parents[1]
RANK = {
    "encoders": 0,
    "data": 1,
    "geo": 2,
    "i18n": 2,
    "clustering": 3,
    "auth": 4,
    "layers": 5,
    "services": 6,
    "ui": 7,
    "app": 8,
    "cli": 8,
}
MAX_LINES = 800
# Generated-data scripts and migrations are long by nature, not by mixing jobs.
SIZE_EXEMPT = ("data/demo/", "geo/demo/", "data/store/migrations/")


def product_files() -> list[Path]:
    """Every Python file of the product: the layered packages and the entry points."""
    files = [ROOT / f"{name}.py" for name, rank in RANK.items() if (ROOT / f"{name}.py").is_file()]
    for name in RANK:
        if (ROOT / name).is_dir():
            files += sorted((ROOT / name).rglob("*.py"))
    return files


def package_of(path: Path) -> str:
    return path.relative_to(ROOT).parts[0].removesuffix(".py")


def imported_packages(path: Path) -> set[str]:
    """The top-level product packages ``path`` imports anywhere (module level, inside
    functions, under TYPE_CHECKING: a dependency is a dependency)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return {name.split(".")[0] for name in names} & RANK.keys()


def upward_imports() -> list[tuple[str, str]]:
    """(file, package) for each import of a package on the same or a higher rank."""
    found = []
    for path in product_files():
        own = package_of(path)
        for target in sorted(imported_packages(path) - {own}):
            if RANK[target] >= RANK[own]:
                found.append((path.relative_to(ROOT).as_posix(), target))
    return found


def test_imports_only_go_down_the_layers() -> None:
    assert upward_imports() == [], "upward imports (file, package)"


def test_the_import_walk_sees_lazy_and_upward_imports(tmp_path: Path) -> None:
    """The walker itself: an import inside a function counts, a lower package does not."""
    module = tmp_path / "sample.py"
    module.write_text("import data.records\n\ndef f():\n    from services.clock import now\n", encoding="utf-8")
    assert imported_packages(module) == {"data", "services"}


def test_every_layered_package_is_ranked() -> None:
    """A new top-level package must take its place in RANK (else its imports go unchecked)."""
    packages = {p.name for p in ROOT.iterdir() if (p / "__init__.py").is_file()}
    assert packages - {"tests", "bench"} <= RANK.keys(), sorted(packages - RANK.keys())


def test_no_product_module_is_over_800_lines() -> None:
    sizes = {
        path.relative_to(ROOT).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
        for path in product_files()
    }
    too_long = {name: n for name, n in sizes.items() if n > MAX_LINES and not name.startswith(SIZE_EXEMPT)}
    assert too_long == {}, f"split these by job: {too_long}"


def _ruff() -> list[str] | None:
    try:
        import ruff  # noqa: F401  (pinned in requirements-dev.txt)
    except ImportError:
        exe = shutil.which("ruff")
        return [exe] if exe else None
    return [sys.executable, "-m", "ruff"]


def test_ruff_check_passes() -> None:
    """The rule set in pyproject.toml ([tool.ruff.lint]) holds on the whole tree."""
    ruff = _ruff()
    require(ruff is not None, "ruff is not installed (pip install -r requirements-dev.txt)")
    run = subprocess.run(
        [*ruff, "check", "--no-cache", "--output-format", "concise", "."],  # type: ignore[misc]
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_ruff_format_check_passes() -> None:
    """The tree is as `ruff format .` writes it (run it before committing)."""
    ruff = _ruff()
    require(ruff is not None, "ruff is not installed (pip install -r requirements-dev.txt)")
    run = subprocess.run(
        [*ruff, "format", "--check", "--no-cache", "."],  # type: ignore[misc]
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
