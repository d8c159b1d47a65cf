"""The texts full-text sources took from article pages, kept a while for later polls, and the
robots.txt records of their sites (``RedisRobotsStore``).

Key (prefix ``sw:``): ``page:<xxh3-128 of the page key>`` → zlib of JSON ``[fetched at, text,
lead image, byline]`` (one kept before bylines were has no last), expiring ``PAGE_KEPT`` after
it was fetched (``storywire.fulltext``). Compressed: article text shrinks about threefold, and
every full-text article of a day is kept.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence
from typing import cast

import orjson
import redis
import xxhash

from storywire.adapters.redis_sources import PREFIX
from storywire.fulltext import Page
from storywire.robots import KEPT, Robots


class RedisPageStore:
    def __init__(self, client: redis.Redis, prefix: str = PREFIX) -> None:
        self._r = client
        self._p = prefix

    def _key(self, page: str) -> str:
        return f"{self._p}page:{xxhash.xxh3_128_hexdigest(page.encode('utf-8', 'surrogatepass'))}"

    def recall(self, pages: Sequence[str]) -> dict[str, tuple[Page, float]]:
        """What each of these pages gave and when it was fetched; one round trip."""
        if not pages:
            return {}
        stored = cast(list[bytes | None], self._r.mget([self._key(page) for page in pages]))
        known: dict[str, tuple[Page, float]] = {}
        for page, raw in zip(pages, stored, strict=True):
            if raw is None:
                continue
            try:
                at, text, image, *rest = orjson.loads(zlib.decompress(raw))
                author = rest[0] if rest else None  # kept before bylines were, it has none
                known[page] = (
                    Page(str(text), str(image) if image else None, str(author) if author else None),
                    float(at),
                )
            except (zlib.error, orjson.JSONDecodeError, ValueError, TypeError):
                continue  # not ours to read: the page is simply fetched again
        return known

    def keep(self, pages: Mapping[str, Page], *, now: float, seconds: float) -> None:
        """Keep what each page gave, fetched at ``now``, for ``seconds``."""
        if not pages:
            return
        pipe = self._r.pipeline(transaction=False)
        for page, (text, image, author) in pages.items():
            value = zlib.compress(orjson.dumps([now, text, image, author]))
            pipe.set(self._key(page), value, px=max(1, int(seconds * 1000)))
        pipe.execute()


class RedisRobotsStore:
    """Origins' robots.txt records (``storywire.robots``), shared by every fetch worker.

    Key (prefix ``sw:``): ``robots:<origin>`` → zlib of JSON ``[kind, checked, until, text,
    error]``, expiring ``robots.KEPT`` after it was written: a record is asked for again once
    past its ``until``, and kept that long for an unreachable robots.txt to fall back on.
    """

    def __init__(self, client: redis.Redis, prefix: str = PREFIX) -> None:
        self._r = client
        self._p = prefix

    def _key(self, site: str) -> str:
        return f"{self._p}robots:{site}"

    def recall(self, sites: Sequence[str]) -> dict[str, Robots]:
        """The records of these origins; one round trip."""
        if not sites:
            return {}
        stored = cast(list[bytes | None], self._r.mget([self._key(site) for site in sites]))
        known: dict[str, Robots] = {}
        for site, raw in zip(sites, stored, strict=True):
            if raw is None:
                continue
            try:
                kind, checked, until, text, error = orjson.loads(zlib.decompress(raw))
                known[site] = Robots(str(kind), float(checked), float(until), str(text), str(error))
            except (zlib.error, orjson.JSONDecodeError, ValueError, TypeError):
                continue  # not ours to read: robots.txt is simply asked for again
        return known

    def keep(self, records: Mapping[str, Robots]) -> None:
        if not records:
            return
        pipe = self._r.pipeline(transaction=False)
        for site, r in records.items():
            value = zlib.compress(orjson.dumps([r.kind, r.checked, r.until, r.text, r.error]))
            pipe.set(self._key(site), value, px=int(KEPT * 1000))
        pipe.execute()
