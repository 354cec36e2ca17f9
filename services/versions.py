"""The store's version for the pages' caches (see data/store/version.py)."""

from data.store.version import store_version

__all__ = ["store_version"]
