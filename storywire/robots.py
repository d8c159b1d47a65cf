"""robots.txt for article pages: what an origin's file says, and whether a page may be asked for.

Only full-text page fetches (``storywire.fulltext``) ask. Feed polling does not: a feed is
published to be polled, and feed readers do not read robots.txt for it either.

Pure: the record an origin's answer makes (``from_response``, ``from_failure``) and the verdict
(``allows``, ``crawl_delay``). The fetch goes through the ``Fetcher`` port and the records are
kept in Redis (``adapters/redis_pages.py``). Rules are read by Protego (Scrapy's parser), as
RFC 9309 and Google read them: the longest matching rule wins (``Allow: /news/`` after
``Disallow: /``), ``*`` and ``$`` are patterns (``Disallow: /*?print``), groups naming one agent
are merged, and a Crawl-delay may be fractional. The standard library's ``urllib.robotparser``
does none of these.

What an answer means (RFC 9309 section 2.3.1, as Google reads it too):

- 2xx: its rules (the first ``MAX_BYTES``);
- 4xx other than 429 (401 and 403 included), or a redirect chain that cannot be followed:
  no robots.txt, every page may be asked for;
- 5xx, 429, a network failure, a timeout, any other error: every page is disallowed, and
  robots.txt asked for again after ``RETRY``, unless an earlier copy of its rules, had within
  ``KEPT``, stands in meanwhile (RFC 9309 section 2.4 allows a cached copy then).

A record is fresh for ``FRESH``, then asked for again.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from protego import Protego

RULES = "rules"
ALLOW_ALL = "allow_all"
UNREACHABLE = "unreachable"

FRESH = 86400.0  # RFC 9309: a cached robots.txt SHOULD NOT be used for more than 24 hours
# Google waits 12 hours: a news page's text matters most in its first hours, and one request
# an hour to a failing robots.txt is no load.
RETRY = 3600.0
KEPT = 30 * 86400.0  # an earlier copy stands in for an unreachable robots.txt this long
MAX_BYTES = 500 * 1024  # RFC 9309: parse at least 500 KiB; Google ignores what follows
# The most Crawl-delay honoured: past a day it would outlive the record that says it.
MAX_DELAY = FRESH
# A redirect chain robots.txt cannot be read through is no robots.txt (RFC 9309 2.3.1.2).
_NO_FILE_ERRORS = frozenset({"redirect_limit", "redirect_loop", "bad_redirect"})


@dataclass(frozen=True, slots=True)
class Robots:
    """What an origin's robots.txt said: ``kind`` (``RULES``, ``ALLOW_ALL``, ``UNREACHABLE``),
    its ``text`` for ``RULES``, when it was read (``checked``, epoch s) and until when it
    stands (``until``); ``error``: why the last request for it failed, if it did."""

    kind: str
    checked: float
    until: float
    text: str = ""
    error: str = ""  # with RULES: an earlier copy standing in while robots.txt cannot be had


def origin(url: str) -> str | None:
    """``scheme://host[:port]`` of ``url``, lower-cased, without credentials or a default
    port: whose robots.txt governs it. None for a URL that is not http(s) or has no host."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = parts.hostname
    if scheme not in ("http", "https") or not host:
        return None
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != (443 if scheme == "https" else 80):
        netloc += f":{port}"
    return f"{scheme}://{netloc}"


def robots_url(site: str) -> str:
    return site + "/robots.txt"


def product_token(user_agent: str) -> str:
    """The name robots.txt groups are matched against: the User-Agent's first product
    (``storywire`` in ``storywire/0.1 (+https://…)``)."""
    words = user_agent.split()
    return words[0].split("/", 1)[0] if words else ""


def is_due(known: Robots | None, now: float) -> bool:
    return known is None or now >= known.until


def from_response(status: int, body: bytes, *, now: float, previous: Robots | None) -> Robots:
    """The record robots.txt's answer makes (after redirects)."""
    if 200 <= status < 300:
        text = body[:MAX_BYTES].decode("utf-8", "replace").removeprefix("\ufeff")
        return Robots(RULES, checked=now, until=now + FRESH, text=text)
    if 400 <= status < 500 and status != 429:
        return Robots(ALLOW_ALL, checked=now, until=now + FRESH)
    return from_failure(f"http_{status}", now=now, previous=previous)


def from_failure(error: str, *, now: float, previous: Robots | None) -> Robots:
    """The record when robots.txt could not be had (a fetch error's reason, or ``http_5xx``)."""
    if error in _NO_FILE_ERRORS:
        return Robots(ALLOW_ALL, checked=now, until=now + FRESH, error=error)
    if previous is not None and previous.kind != UNREACHABLE and now - previous.checked < KEPT:
        return replace(previous, until=now + RETRY, error=error)
    return Robots(UNREACHABLE, checked=now, until=now + RETRY, error=error)


def allows(robots: Robots, url: str, agent: str) -> bool:
    """Whether ``agent`` (a product token) may fetch ``url`` by ``robots``."""
    if robots.kind == ALLOW_ALL:
        return True
    if robots.kind != RULES:
        return False
    return bool(_parsed(robots.text).can_fetch(url, agent))


def crawl_delay(robots: Robots, agent: str) -> float | None:
    """The seconds ``robots`` asks ``agent`` to leave between two requests, if it asks."""
    if robots.kind != RULES:
        return None
    delay = _parsed(robots.text).crawl_delay(agent)
    return min(float(delay), MAX_DELAY) if delay else None


# Parsed files kept per process, least recently used out first, bounded by count and by the
# text they were parsed from: a parsed file takes 7-25 times its text (a 500 KiB one, as
# much as the RFC has sites serve, 4-12 MB), so 256 of them held gigabytes in a fetch worker.
PARSED_FILES = 256
PARSED_CHARS = 4 * 1024 * 1024


class _ParsedCache:
    """Read only once parsed, so one parser serves every page of an origin; shared by the
    fetch threads."""

    def __init__(self, files: int, chars: int) -> None:
        self.files, self.chars = files, chars
        self._kept: OrderedDict[str, Protego] = OrderedDict()
        self._lock = threading.Lock()
        self.held = 0  # characters of the texts kept

    def __call__(self, text: str) -> Protego:
        with self._lock:
            parsed = self._kept.get(text)
            if parsed is not None:
                self._kept.move_to_end(text)
                return parsed
        parsed = Protego.parse(text)  # outside the lock: other threads' hits go on meanwhile
        with self._lock:
            if text not in self._kept:
                self._kept[text] = parsed
                self.held += len(text)
            while len(self._kept) > self.files or (self.held > self.chars and len(self._kept) > 1):
                self.held -= len(self._kept.popitem(last=False)[0])
        return parsed


_parsed = _ParsedCache(PARSED_FILES, PARSED_CHARS)
