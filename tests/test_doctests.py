"""The docstring examples of every product module are run, so they stay true.

Pages (ui/pages: Streamlit scripts that draw when imported) and migrations (they run inside
Alembic's context) are left out; every other module of the layered packages is imported.
"""

import doctest
import importlib
import pkgutil

import pytest

PACKAGES = ("encoders", "i18n", "data", "geo", "clustering", "auth", "layers", "services", "ui")
SKIP = ("ui.pages", "data.store.migrations")


def _modules(package: str) -> list[str]:
    root = importlib.import_module(package)
    names = [package] + [m.name for m in pkgutil.walk_packages(root.__path__, package + ".")]
    return sorted(n for n in names if not n.startswith(SKIP))


MODULES = [name for package in PACKAGES for name in _modules(package)]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_the_examples_are_found() -> None:
    """A walk that finds no module, or no example, would pass while checking nothing."""
    found = sum(len(doctest.DocTestFinder().find(importlib.import_module(name))) for name in MODULES)
    assert {"data.categories", "geo.places", "clustering.gistar", "encoders"} <= set(MODULES)
    assert found > 50


def test_every_clustering_module_declares_all() -> None:
    for name in MODULES:
        if name.startswith("clustering."):
            assert hasattr(importlib.import_module(name), "__all__"), name
