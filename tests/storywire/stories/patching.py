"""Controls that change how words become features: the caches built from them are emptied."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from storywire.stories import background, features


@contextmanager
def features_patched(*patches: tuple[object, str, object]) -> Iterator[None]:
    """Set each (module, name, value) for the block. The token cache and the prior are
    emptied on the way in and out, so no other test meets a feature made under the patch."""
    saved = [(module, name, getattr(module, name)) for module, name, _ in patches]
    for module, name, value in patches:
        setattr(module, name, value)
    _rebuild()
    try:
        yield
    finally:
        for module, name, value in saved:
            setattr(module, name, value)
        _rebuild()


def _rebuild() -> None:
    features._CACHE.clear()
    background._load.cache_clear()
