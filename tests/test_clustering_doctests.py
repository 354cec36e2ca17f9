"""The docstring examples of every clustering module are run, so they stay true."""

import doctest
import importlib
import pkgutil

import pytest

import clustering

MODULES = sorted(m.name for m in pkgutil.walk_packages(clustering.__path__, "clustering."))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_every_public_module_declares_all():
    for name in MODULES:
        assert hasattr(importlib.import_module(name), "__all__"), name
