"""The texts full-text sources took from article pages, kept a while for later polls.

Key (prefix ``sw:``): ``page:<xxh3-128 of the page key>`` → zlib of JSON ``[fetched at, text]``,
expiring ``PAGE_KEPT`` after it was fetched (``storywire.fulltext``). Compressed: article text
shrinks about threefold, and every full-text article of a day is kept.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence
from typing import cast

import orjson
import redis
import xxhash

from storywire.adapters.redis_sources import PREFIX


class RedisPageStore:
    def __init__(self, client: redis.Redis, prefix: str = PREFIX) -> None:
        self._r = client
        self._p = prefix

    def _key(self, page: str) -> str:
        return f"{self._p}page:{xxhash.xxh3_128_hexdigest(page.encode('utf-8', 'surrogatepass'))}"

    def recall(self, pages: Sequence[str]) -> dict[str, tuple[str, float]]:
        """The kept text of each of these pages and when it was fetched; one round trip."""
        if not pages:
            return {}
        stored = cast(list[bytes | None], self._r.mget([self._key(page) for page in pages]))
        known: dict[str, tuple[str, float]] = {}
        for page, raw in zip(pages, stored, strict=True):
            if raw is None:
                continue
            try:
                at, text = orjson.loads(zlib.decompress(raw))
            except (zlib.error, orjson.JSONDecodeError, ValueError, TypeError):
                continue  # not ours to read: the page is simply fetched again
            known[page] = (str(text), float(at))
        return known

    def keep(self, texts: Mapping[str, str], *, now: float, seconds: float) -> None:
        """Keep each page's text, fetched at ``now``, for ``seconds``."""
        if not texts:
            return
        pipe = self._r.pipeline(transaction=False)
        for page, text in texts.items():
            value = zlib.compress(orjson.dumps([now, text]))
            pipe.set(self._key(page), value, px=max(1, int(seconds * 1000)))
        pipe.execute()
