"""HTML pages where a feed was expected, and the feeds such a page advertises.

An operator often has a site's page, not its feed: feed readers (Miniflux, FreshRSS, NewsBlur)
find the feed through the page's ``<link rel="alternate" type="application/rss+xml" href>``
(RSS Advisory Board's autodiscovery, the HTML Standard's ``rel=alternate``). This module is
pure: bytes in, titles and URLs out.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Final

import lxml.etree
import lxml.html
from bs4.dammit import EncodingDetector

from storywire.feedcharsets import browser_name, charset_param
from storywire.urls import feed_identity, split_url, web_url

# What the head of a page is looked at to tell it is one, and for its title.
_SNIFF_BYTES: Final = 64 * 1024
# The tags that make a body HTML when nothing else says so (WHATWG MIME Sniffing, "rules for
# identifying an unknown MIME type"), followed by a space or ">".
_HTML_TAG: Final = re.compile(
    rb"<(?:!doctype html|html|head|script|iframe|h1|div|font|table|a|style|title|b|body|br|p)"
    rb"[\s>]"
)
_HTML_TYPES: Final = frozenset({"text/html", "application/xhtml+xml"})
_FIRST_TAG: Final = re.compile(rb"<([a-z][^\s/>]*)")
# A feed's root element: a page served as text/html opening with one is a feed served wrongly.
_FEED_ROOTS: Final = frozenset({b"rss", b"feed", b"rdf"})

# The types feed readers follow (application/json: JSON Feed 1.0 named it, before 1.1's
# application/feed+json); parameters such as "; charset=utf-8" are ignored.
FEED_TYPES: Final = frozenset(
    {
        "application/rss+xml",
        "application/x-rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/feed+json",
        "application/json",
        "application/xml",
        "text/xml",
    }
)
# WordPress links every page's REST API record as an application/json alternate: no feed.
_REST_API: Final = "/wp-json/"
# A comments feed (WordPress's "Comments Feed", Blogger's /feeds/…/comments/default): a site's
# discussion, not its articles.
_COMMENTS_TITLE: Final = re.compile(r"\bcomments\b", re.IGNORECASE)
_COMMENTS_QUERY: Final = re.compile(r"(?:^|&)feed=comments-", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class HtmlPage:
    title: str  # "" when it has none
    feeds: tuple[str, ...]  # what it advertises, as ``advertised_feeds`` finds them


def html_page(body: bytes, url: str, *, content_type: str = "") -> HtmlPage | None:
    """The HTML page ``body`` is, with the feeds it advertises; None when it is no HTML page."""
    title = html_page_title(body, content_type)
    if title is None:
        return None
    return HtmlPage(title, advertised_feeds(body, url, content_type=content_type))


def html_page_title(body: bytes, content_type: str = "") -> str | None:
    """The title of a body that is an HTML page (``""`` when it has none), else None.

    A page opens (after a BOM, whitespace, comments and an XHTML page's declaration) with a
    doctype or a tag that only HTML opens with; one served as HTML may open with any tag that
    is no feed's root (``<meta charset>``, ``<link>``: the html and head tags are optional).
    Searched with ``find``, not a regex: a hostile page of unclosed comments or ``<title``
    tags would cost a backtracking pattern quadratic time in the bytes looked at."""
    head = body[:_SNIFF_BYTES].lower()
    at = len(head) - len(head.removeprefix(b"\xef\xbb\xbf").lstrip())
    while head.startswith((b"<!--", b"<?"), at):
        close = b"-->" if head.startswith(b"<!--", at) else b"?>"
        end = head.find(close, at)
        if end < 0:
            return None
        at = len(head) - len(head[end + len(close) :].lstrip())
    if not (_HTML_TAG.match(head, at) or _served_as_html(head, at, content_type)):
        return None
    start = head.find(b"<title")
    start = head.find(b">", start) + 1 if start >= 0 else 0
    end = head.find(b"</title", start) if start else -1
    title = _decoded(body[start:end], content_type, body[:_SNIFF_BYTES]) if end >= 0 else ""
    return " ".join(html.unescape(title).split())[:120]


def _served_as_html(head: bytes, at: int, content_type: str) -> bool:
    if content_type.partition(";")[0].strip().lower() not in _HTML_TYPES:
        return False
    tag = _FIRST_TAG.match(head, at)
    return tag is not None and tag[1].rpartition(b":")[2] not in _FEED_ROOTS


def advertised_feeds(page: bytes, url: str, *, content_type: str = "") -> tuple[str, ...]:
    """The feeds an HTML page advertises, in page order, as absolute http(s) URLs.

    ``<link>`` elements (in the head or, as browsers accept them, in the body) whose ``rel``
    holds ``alternate`` and whose ``type`` is a feed's, resolved against the page's first
    ``<base href>`` and ``url`` (where the page was fetched from, after redirects). One feed
    spelt twice is listed once; comments feeds go when the page advertises any other feed.
    """
    try:
        tree = lxml.html.document_fromstring(
            _decoded(page, content_type).encode(), parser=_UTF8_PARSER
        )
    except (lxml.etree.ParserError, ValueError):  # nothing but whitespace or comments
        return ()
    base_href = next((b.get("href") for b in tree.iter("base") if b.get("href") is not None), None)
    base = web_url(base_href, url) or url
    found: dict[str, tuple[str, bool]] = {}  # identity: (URL, a comments feed)
    for link in tree.iter("link"):
        if "alternate" not in (link.get("rel") or "").lower().split():
            continue
        kind = (link.get("type") or "").partition(";")[0].strip().lower()
        href = web_url(_without_feed_scheme(link.get("href")), base)
        if kind not in FEED_TYPES or href is None:
            continue
        if kind == "application/json" and _REST_API in href:
            continue
        found.setdefault(feed_identity(href), (href, _comments(href, link.get("title") or "")))
    feeds = list(found.values())
    if not all(comments for _, comments in feeds):
        feeds = [feed for feed in feeds if not feed[1]]
    return tuple(href for href, _ in feeds)


def _without_feed_scheme(href: str | None) -> str | None:
    """``feed://host/rss`` and ``feed:https://host/rss``, readers' pseudo-schemes that old
    sites advertise their feeds with, as the http(s) URLs they stand for."""
    if href is None or href.strip()[:5].lower() != "feed:":
        return href
    rest = href.strip()[5:]
    return (
        rest if rest[:7].lower() == "http://" or rest[:8].lower() == "https://" else "http:" + rest
    )


def listing(feeds: tuple[str, ...], *, most: int = 3) -> str:
    """``feeds`` for one line of a report: the first ``most``, then how many more."""
    shown = ", ".join(feeds[:most])
    return shown + (f" and {len(feeds) - most} more" if len(feeds) > most else "")


def _comments(href: str, title: str) -> bool:
    parts = split_url(href)
    if parts is None:
        return False
    segments = parts.path.lower().split("/")
    return (
        "comments" in segments
        or _COMMENTS_QUERY.search(parts.query) is not None
        or _COMMENTS_TITLE.search(title) is not None
    )


# Handed UTF-8 always (``_decoded`` chose the encoding): libxml2 would otherwise read a page
# without a <meta charset> as Latin-1, UTF-8 links and titles as mojibake.
_UTF8_PARSER: Final = lxml.html.HTMLParser(encoding="utf-8")


def _decoded(data: bytes, content_type: str, page: bytes | None = None) -> str:
    """``data`` as text, read in the encoding a browser would pick for ``page`` (by default
    ``data`` itself): its BOM, the HTTP charset, its ``<meta charset>``, then UTF-8 when
    the bytes are UTF-8, else windows-1252; an encoding name as browsers read it."""
    charset = charset_param(content_type)
    detector = EncodingDetector(
        page if page is not None else data,
        known_definite_encodings=[charset] if charset else None,
        is_html=True,
    )
    if page is None:
        data = detector.markup  # without its BOM
    for label in detector.encodings:
        try:
            return data.decode(browser_name(label) or label)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("windows-1252", "replace")
