"""``storywire parse FILE_OR_URL``: what storywire extracts from one feed, as JSON lines.

One object per entry (id, url, title, text, published, author), built by the same
``build_article`` the process stage uses, so what this prints is what would be published; then a
summary line. Exit 0 when the feed parsed, 1 with a one-line reason on stderr when it did not,
2 for an unknown ``--timezone``.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

import orjson

from storywire.adapters.http import FetchError, FetchPolicy, HttpFetcher
from storywire.discovery import HtmlPage, html_page
from storywire.feeds import FeedError, parse_feed
from storywire.fetching import OK_STATUSES
from storywire.identity import entry_keys, unique_items
from storywire.models import Source, iso, zone_info
from storywire.processing import EmptyEntryError, build_article
from storywire.proxies import Proxies
from storywire.settings import Settings
from storywire.urls import redacted_text, redacted_url, registrable_domain


def load(target: str, policy: FetchPolicy) -> tuple[bytes, dict[str, str], str]:
    """The feed's bytes, response headers and URL, from a file or one fetch under the limits."""
    if target.startswith(("http://", "https://")):
        with HttpFetcher(proxies=Proxies.from_env()) as fetcher:
            response = fetcher.fetch(target, policy)
        # A poll's own definition of a feed's answer: 203 (through a proxy) polls fine.
        if response.status not in OK_STATUSES:
            raise FetchError(
                f"http_{response.status}", f"HTTP {response.status} from {redacted_url(target)}"
            )
        return response.body, dict(response.headers), response.url
    path = Path(target)
    if not path.is_file():
        raise FetchError("no_file", f"{target}: no such file", transient=False)
    return path.read_bytes(), {}, path.resolve().as_uri()


def do_parse(
    target: str,
    policy: FetchPolicy,
    out: TextIO,
    err: TextIO,
    *,
    now: datetime | None = None,
    timezone: str | None = None,
) -> int:
    now = now or datetime.now(UTC)
    try:
        zone = zone_info(timezone) if timezone is not None else None
    except ValueError as exc:  # a malformed option, as everywhere: 2, not a feed unread (1)
        err.write(f"storywire parse: {exc}\n")
        return 2
    try:
        body, headers, url = load(target, policy)
    except FetchError as exc:
        detail = redacted_text(" ".join(exc.detail.split()))[:300]
        err.write(f"storywire parse: {exc.reason}: {detail}\n")
        return 1
    try:
        feed = parse_feed(body, now=now, headers=headers, url=url, timezone=zone)
    except FeedError as exc:
        page = html_page(body, url, content_type=headers.get("content-type", ""))
        err.write(f"storywire parse: {_not_a_feed(page) if page else f'parse: {exc}'}\n")
        return 1
    domain = registrable_domain(url) if url.startswith("http") else "local"
    source = Source(id="parse", url=url, outlet=feed.title or "feed", domain=domain or "local")
    printed = empty = 0
    for key, entry in unique_items(entry_keys(feed.entries), feed.entries):
        try:
            article = build_article(source, key, entry, fetched_at=now)
        except EmptyEntryError:
            empty += 1
            continue
        line: dict[str, Any] = {
            "id": article.id,
            "url": article.url,
            "title": article.title,
            "text": article.text,
            "published": iso(article.published),
            "author": article.author,
        }
        out.write(orjson.dumps(line).decode() + "\n")
        printed += 1
    summary = {
        "summary": {
            "source": redacted_url(target),
            "format": feed.version,
            "title": feed.title,
            "entries": printed,
            "empty": empty,
            "ttl_seconds": feed.ttl_seconds,
            "warning": feed.warning,
        }
    }
    out.write(orjson.dumps(summary).decode() + "\n")
    return 0


def _not_a_feed(page: HtmlPage) -> str:
    """Where to look instead, for a page given in place of its site's feed."""
    what = f"not a feed: an HTML page ({page.title!r})"
    if not page.feeds:
        return f"{what} and advertises no feed"
    return f"{what}; it advertises feeds: {', '.join(page.feeds)}"


def cmd_parse(args: argparse.Namespace, settings: Settings) -> int:
    policy = FetchPolicy.from_settings(settings)
    if args.allow_private:
        policy = replace(policy, allow_private=True)
    return do_parse(args.target, policy, sys.stdout, sys.stderr, timezone=args.timezone)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parse = sub.add_parser("parse", help="print what storywire extracts from one feed")
    parse.add_argument("target", metavar="FILE_OR_URL")
    parse.add_argument(
        "--allow-private", action="store_true", help="let a URL reach a private/loopback address"
    )
    parse.add_argument(
        "--timezone",
        metavar="ZONE",
        help="IANA zone in which dates without a zone are read, as a source's `timezone`",
    )
    parse.set_defaults(func=cmd_parse)
