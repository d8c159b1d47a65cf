"""HTML pages where a feed was expected: a challenge, a login wall, a parked domain.

This module is pure: bytes in, titles out.
"""

from __future__ import annotations

import html
import re
from typing import Final

from bs4.dammit import EncodingDetector

from storywire.feedcharsets import browser_name, charset_param

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
