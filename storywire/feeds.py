"""Feed parsing: raw bytes in, typed entries out, never an exception for bad input but FeedError.

RSS 0.9x/1.0/2.0 and Atom go to feedparser on the raw bytes (it sniffs the encoding from the
bytes and headers better than we could by decoding first), with its HTML sanitiser and relative
URI rewriting switched off: we clean HTML ourselves, and those two passes cost ~65% of its time.
Well-formed UTF-8 RSS 2.0/1.0 and Atom 1.0 take a lxml fast path first (``storywire.feedfast``)
that gives exactly feedparser's output, ~10x faster; anything it does not mirror goes to
feedparser. JSON Feed 1.0/1.1, which feedparser does not read, is parsed here.
"""

from __future__ import annotations

import calendar
import contextlib
import io
import re
import sys
import threading
import xml.sax
import xml.sax.xmlreader
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, tzinfo
from typing import Any, Final
from urllib.parse import SplitResult, urljoin

import feedparser
import feedparser.api
import feedparser.datetimes
import feedparser.encodings
from feedparser.mixin import _FeedParserMixin
from feedparser.namespaces import mediarss
from feedparser.parsers.strict import _StrictFeedParser

from storywire import jsontext
from storywire.clean import absolute_links
from storywire.feedcharsets import (
    BYTES_AS_WINDOWS_1252,
    as_utf8,
    latin1_as_windows_1252,
    utf8_bom_belied,
    utf8_despite_label,
    utf16_by_bom,
    with_browser_names,
)
from storywire.feedcharsets import ENCODING_NAME as _ENCODING_NAME
from storywire.feeddates import localized_rfc822, numeric_date, zoneless
from storywire.feedfast import FastEntry, names_a_page, parse_fast
from storywire.models import Entry, utc
from storywire.sources import syndication_period
from storywire.urls import split_url, web_url

_BENIGN = (feedparser.NonXMLContentType,)


def _start_media_description(parser: Any, attrs_d: dict[str, str]) -> None:
    del attrs_d
    parser.push("media_description", 1)


def _end_media_description(parser: Any) -> None:
    parser.pop("media_description")  # stored by pop as entry["media_description"]


# feedparser reads media:description (a photo's caption at NYT, Le Monde, the Guardian…) as a
# second <description>, which it makes the entry's content, so the caption replaced the
# article's text (feedparser#53, open since 2016). It gets a key of its own instead, read only
# when the entry has no other text (YouTube). The fast path reads it the same way.
mediarss.Namespace._start_media_description = _start_media_description
mediarss.Namespace._end_media_description = _end_media_description
# Tried before feedparser's own parsers, by both paths (the fast path calls its _parse_date).
feedparser.registerDateHandler(localized_rfc822)
feedparser.registerDateHandler(numeric_date)

_feedparser_charref = _FeedParserMixin.handle_charref


def _handle_charref(parser: Any, ref: str) -> None:
    # feedparser's loose parser encodes chr() of the reference, which raises for a surrogate
    # (&#xD800;) or past U+10FFFF, so one such item made the whole feed unreadable. An HTML
    # parser reads them as U+FFFD; so do we.
    _feedparser_charref(parser, ref if _is_character(ref) else "xfffd")


def _is_character(ref: str) -> bool:
    try:
        code = int(ref[1:], 16) if ref[:1] in ("x", "X") else int(ref)
    except ValueError:  # past int()'s 4,300 decimal digits: no character either
        return False
    return code <= sys.maxunicode and not 0xD800 <= code <= 0xDFFF


_FeedParserMixin.handle_charref = _handle_charref

# A byline is a name or a few: none runs to a thousand characters.
BYLINE_CHARS = 1_000
_feedparser_sync_author_detail = _FeedParserMixin._sync_author_detail


def _sync_author_detail(parser: Any, key: str = "author") -> None:
    # feedparser looks for an e-mail address in the byline with a regex quadratic in its length
    # (an author of 200,000 characters held a fetch thread for minutes): it sees what we keep.
    context = parser._get_context()
    value = context.get(key)
    if isinstance(value, str) and len(value) > BYLINE_CHARS:
        context[key] = value[:BYLINE_CHARS]
    _feedparser_sync_author_detail(parser, key)


_FeedParserMixin._sync_author_detail = _sync_author_detail


def _names_in_pairs(handler: Callable[..., None]) -> Callable[..., None]:
    def checked(parser: Any, name: tuple[str, ...], *args: Any) -> None:
        # expat's SAX reader splits "namespace-uri local-name" on any whitespace, U+00A0 too, so
        # such a URI gave three parts and feedparser raised ValueError. A SAXException makes it
        # fall back to its loose parser, as for any other malformed document.
        if len(name) != 2:
            raise xml.sax.SAXException("a namespace URI with whitespace in it")
        handler(parser, name, *args)

    return checked


_feedparser_end_guid = _FeedParserMixin._end_guid


def _end_guid(parser: Any) -> None:
    # A permalink guid that is no URL ("b1a2c3") is no link: feedparser joined it to the feed's
    # URL. Its id stays as feedparser makes it, so entries seen before keep their keys.
    top = parser.elementstack[-1] if parser.elementstack else None
    guid = "".join(top[2]) if top and top[0] == "id" else None
    context = parser._get_context()
    had_link = "link" in context
    _feedparser_end_guid(parser)
    if guid is not None and not had_link and not names_a_page(guid):
        context.pop("link", None)


_FeedParserMixin._end_guid = _end_guid
_feedparser_start_link = _FeedParserMixin._start_link


def _start_link(parser: Any, attrs_d: dict[str, str]) -> None:
    # feedparser took the text of any <link> without href for the entry's link, so an Atom
    # <link rel="enclosure">https://…/photo.jpg</link> replaced the page (feedparser#367).
    # Such a link stays among "links"; only an alternate one's text is the entry's link.
    carries_text = not (attrs_d.get("url") or attrs_d.get("uri") or attrs_d.get("href"))
    _feedparser_start_link(parser, attrs_d)
    if carries_text and attrs_d.get("rel", "alternate") != "alternate" and parser.elementstack:
        parser.elementstack[-1][1] = 0  # not expecting text: pop stores nothing


class _QNameIndexedAttributes(xml.sax.xmlreader.AttributesNSImpl):
    """SAX attributes found by qualified name through a dict. The stdlib's scan them all for
    each name and feedparser's strict parser asks for every one, so an element of 200,000
    attributes (a 2.3 MB feed) took six minutes of CPU."""

    def __init__(self, attrs: dict[Any, str], qnames: dict[Any, str]) -> None:
        super().__init__(attrs, qnames)
        self._by_qname: dict[str, str] = {}
        for name, qname in qnames.items():
            self._by_qname.setdefault(qname, attrs[name])  # the first, as the stdlib's scan

    def getValueByQName(self, name: str) -> str:  # noqa: N802 - the SAX interface's name
        return self._by_qname[name]


def _indexed(start: Callable[..., None]) -> Callable[..., None]:
    def indexed(parser: Any, name: tuple[str, ...], qname: Any, attrs: Any) -> None:
        if type(attrs) is xml.sax.xmlreader.AttributesNSImpl:
            fields: dict[str, Any] = vars(attrs)  # the stdlib's own: {(uri, name): …}
            attrs = _QNameIndexedAttributes(fields["_attrs"], fields["_qnames"])
        start(parser, name, qname, attrs)

    return indexed


_FeedParserMixin._start_link = _start_link
_StrictFeedParser.startElementNS = _names_in_pairs(_indexed(_StrictFeedParser.startElementNS))
_StrictFeedParser.endElementNS = _names_in_pairs(_StrictFeedParser.endElementNS)


def _left_out_if_unreadable(end: Callable[[Any], None]) -> Callable[[Any], None]:
    def tolerant(parser: Any) -> None:
        # feedparser's end handlers assume their element was opened and read: a stray end tag
        # (a "</width>" typed twice) gave int(None) or a KeyError, and a GML position with an
        # srsName in the OGC's URL form int("//www.opengis.net/…"). Raised out of the parse,
        # any of these lost every entry of the feed; the element is left out, as feedparser
        # leaves one its handler fails on with AttributeError.
        with contextlib.suppress(ArithmeticError, LookupError, TypeError, ValueError):
            end(parser)

    return tolerant


for _end in [name for name in dir(_FeedParserMixin) if name.startswith("_end_")]:
    setattr(_FeedParserMixin, _end, _left_out_if_unreadable(getattr(_FeedParserMixin, _end)))


class FeedError(ValueError):
    """The bytes are not a feed we can read; the message is one line an operator understands."""


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    title: str | None
    version: str
    entries: tuple[Entry, ...]
    ttl_seconds: int | None = None
    warning: str | None = None


# More entries than any feed lists (the largest news and podcast feeds list a few thousand):
# a hostile 10 MB feed of empty items was 1.4 million entries, 47 s and 750 MB to parse, each
# then hashed, looked up and handed to the pipeline on every poll. The first ones are kept:
# feeds list their newest first.
MAX_ENTRIES: Final = 5_000


def _left_out(total: int) -> str | None:
    """The warning for a feed of ``total`` entries: None when none was left out."""
    extra = total - MAX_ENTRIES
    return f"{extra} entries after the first {MAX_ENTRIES:,} left out" if extra > 0 else None


def _warnings(*warnings: str | None) -> str | None:
    return "; ".join(w for w in warnings if w) or None


def parse_feed(
    body: bytes,
    *,
    now: datetime,
    headers: Mapping[str, str] | None = None,
    url: str | None = None,
    timezone: tzinfo | None = None,
) -> ParsedFeed:
    """Parse one feed document; dates in the future or unparseable fall back to ``now``.

    ``timezone`` is the outlet's local time, in which a date with no zone at all is read
    (Xinhua's ``2026-11-27 15:00:00`` is Beijing time); without one such dates are UTC.
    """
    headers = _rfc7303({k.lower(): v for k, v in (headers or {}).items()})
    if _looks_like_json(body, headers.get("content-type", "")):
        return _parse_json_feed(body, now, timezone, url)
    if url:
        # The base of relative links is the URL the feed came from. A server's Content-Location
        # is not (RFC 7231 appendix B): Apache's MultiViews sends a relative one ("feed.atom"),
        # a proxy its backend's, and feedparser resolved links against it.
        headers["content-location"] = url
    body, headers, bom_warning = utf16_by_bom(body, headers)
    body = _tight_encoding(_declaration_first(body))
    body, headers, belied_warning = utf8_bom_belied(body, headers)
    body, headers, mislabel_warning = utf8_despite_label(
        _drop_unreadable_encoding_name(body), headers
    )
    mislabel_warning = bom_warning or belied_warning or mislabel_warning
    body, headers = with_browser_names(body, headers)
    body, headers, charset_warning = as_utf8(body, headers)
    charset_warning = charset_warning or mislabel_warning
    body, headers = latin1_as_windows_1252(body, headers)
    body, dtd_warning = drop_entity_declarations(_doctype_on_its_own_line(body))
    fast = None if dtd_warning else parse_fast(body, headers, limit=MAX_ENTRIES)
    if fast is not None:
        atom = fast.version.startswith("atom")
        return ParsedFeed(
            title=fast.meta.get("title"),
            version=fast.version,
            entries=_inherited(
                (
                    _entry_from_feedparser(_as_feedparser(e), now, timezone, atom=atom)
                    for e in fast.entries
                ),
                fast.meta.get("language"),
                _feed_byline(fast.meta, fast.version),
            ),
            ttl_seconds=_ttl_seconds(fast.meta),
            warning=_warnings(charset_warning, _left_out(len(fast.entries) + fast.left_out)),
        )
    return _parse_with_feedparser(body, headers, now, dtd_warning or charset_warning, timezone)


def _rfc7303(headers: dict[str, str]) -> dict[str, str]:
    """text/xml (or text/*+xml) without a charset as application/xml: RFC 3023 read it as
    US-ASCII, which feedparser still does (a warning on every poll of a UTF-8 feed, and no
    fast path); RFC 7303 lets the document's BOM or declaration decide, as application/xml.
    feedparser applies US-ASCII to every other text/* too (a feed served as text/plain or
    text/html), whose label says nothing of the feed's encoding: the document decides there
    as well."""
    media, _, params = headers.get("content-type", "").partition(";")
    if not media.strip().lower().startswith("text/"):
        return headers
    if any(p.partition("=")[0].strip().lower() == "charset" for p in params.split(";")):
        return headers
    return {**headers, "content-type": "application/xml"}


_LANGUAGE_TAG = re.compile(r"([A-Za-z]{2})(?:[-_][A-Za-z0-9]{1,8})*")
# Codes ISO 639 retired in 1989, and their Preferred-Value in the IANA language subtag
# registry: Java's Locale gave iw, in and ji until JDK 17 and Android still does
# (umpirsky/language-list#13), so feeds from Java CMSs declare them.
_RETIRED: Final = {"iw": "he", "in": "id", "ji": "yi", "jw": "jv", "mo": "ro"}


def language_code(tag: Any) -> str | None:
    """The ISO 639-1 code of a declared language tag ("en-US", "zh_CN", "fr", "iw" as "he"),
    or None (a three-letter code has no two-letter one to give, and junk is no language)."""
    if not isinstance(tag, str) or (match := _LANGUAGE_TAG.fullmatch(tag.strip())) is None:
        return None
    code = match[1].lower()
    return _RETIRED.get(code, code)


def _inherited(entries: Iterable[Entry], language: Any, author: str | None) -> tuple[Entry, ...]:
    """``entries``, each in the language its feed declares and by the feed's author where the
    entry names none."""
    code = language_code(language)
    return tuple(
        replace(entry, language=entry.language or code, author=entry.author or author)
        if (code and not entry.language) or (author and not entry.author)
        else entry
        for entry in entries
    )


def _feed_byline(meta: Mapping[str, Any], version: str) -> str | None:
    """An Atom feed's authors, which its entries without one have (RFC 4287 4.2.1; feedparser
    does not pass them on). An RSS channel's managingEditor is an address, not a byline."""
    return _byline(dict(meta)) if version.startswith("atom") else None


def _as_feedparser(entry: FastEntry) -> dict[str, Any]:
    return {**entry.values, "content": entry.contents}


def _parse_with_feedparser(
    body: bytes,
    headers: dict[str, str],
    now: datetime,
    dtd_warning: str | None,
    timezone: tzinfo | None = None,
) -> ParsedFeed:
    # A stream, never the bytes: feedparser opens bytes that name a file as that file, so a
    # feed whose body is "/etc/app/feed.xml" published the worker's file and "/dev/zero"
    # read until memory ran out.
    _dropped.warning = None
    parsed = feedparser.parse(
        io.BytesIO(body),
        response_headers=headers,
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    dtd_warning = dtd_warning or _dropped.warning
    bozo = parsed.get("bozo_exception") if parsed.get("bozo") else None
    # A missing or text/plain Content-Type says nothing about the feed: not worth a warning.
    reason = None if bozo is None or isinstance(bozo, _BENIGN) else _one_line(bozo)
    reason = dtd_warning or reason
    if not parsed.entries and not parsed.get("version"):
        raise FeedError(f"not a feed: {reason or 'no RSS, Atom or JSON Feed root element'}")
    # A document whose root never closes was cut short (a close-delimited body whose server
    # died, a script timed out mid-feed): its last entry may be half there, and it is no
    # feed to take. Only a malformed document is looked at: a well-formed one closed its root.
    unclosed = _unclosed_root(body) if parsed.get("bozo") else None
    if unclosed is not None:
        raise FeedError(
            f"cut short: the document ends before its <{unclosed}> is closed"
            + (f" ({reason})" if reason else "")
        )
    # A bozo feed that still yields entries is accepted: the warning goes to the health record.
    warning = _warnings(reason, _left_out(len(parsed.entries)))
    document = headers.get("content-location", "")
    feed_meta: Mapping[str, Any] = parsed.get("feed", {})
    version = str(parsed.get("version") or "unknown")
    atom = version.startswith("atom")
    entries = _inherited(
        (
            _entry_from_feedparser(_with_xml_base(raw, document), now, timezone, atom=atom)
            for raw in parsed.entries[:MAX_ENTRIES]
        ),
        feed_meta.get("language"),
        _feed_byline(feed_meta, version),
    )
    return ParsedFeed(
        title=_text(feed_meta.get("title")),
        version=version,
        entries=entries,
        ttl_seconds=_ttl_seconds(feed_meta),
        warning=warning,
    )


# What may stand before the root element: a declaration or processing instruction, a comment,
# a DOCTYPE (its internal subset, if any, in brackets).
_PROLOG_PART = re.compile(
    rb"\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^\[>]*(?:\[.*?\])?\s*>)", re.S | re.I
)
_ROOT_TAG = re.compile(rb"\s*<([A-Za-z_][-\w.:]*)[^>]*?(/?)>")


def _unclosed_root(body: bytes) -> str | None:
    """The name of ``body``'s root element when the document never closes it, else None
    (closed, self-closing, or no root this byte scan can name: a UTF-16 document)."""
    position = 3 if body.startswith(b"\xef\xbb\xbf") else 0
    while part := _PROLOG_PART.match(body, position):
        position = part.end()
    root = _ROOT_TAG.match(body, position)
    if root is None or root.group(2):
        return None
    name = root.group(1)
    # Any case: a feed closing <rss> with </RSS> is malformed, but was read, and not cut short.
    if re.compile(rb"</" + re.escape(name) + rb"\s*>", re.I).search(body, root.end()):
        return None
    return name.decode("ascii")


# Whitespace before the XML declaration (a PHP include's blank line): malformed, and it hid the
# declaration, whose encoding was then not read (feedparser#508, feedjira#196).
_SPACE_BEFORE_DECLARATION = re.compile(rb"(\xef\xbb\xbf)?[ \t\r\n]+(?=<\?xml[ \t\r\n])")


def _declaration_first(body: bytes) -> bytes:
    """``body`` without the whitespace before its XML declaration (after a UTF-8 BOM)."""
    match = _SPACE_BEFORE_DECLARATION.match(body)
    return body if match is None else (match.group(1) or b"") + body[match.end() :]


# XML allows whitespace around the "=" of the declaration's encoding (Eq ::= S? '=' S?), which
# the encoding name's pattern (feedparser's, and ours after it) does not: the name was missed.
_SPACED_ENCODING = re.compile(
    rb"(\xef\xbb\xbf)?(<\?xml[ \t\r\n][^>]*?encoding)(?:[ \t\r\n]+=[ \t\r\n]*|=[ \t\r\n]+)(?=['\"])"
)


def _tight_encoding(body: bytes) -> bytes:
    """``body`` with its declaration's ``encoding = "…"`` written ``encoding="…"``."""
    match = _SPACED_ENCODING.match(body)
    return body if match is None else match.expand(rb"\1\2=") + body[match.end() :]


_DOCTYPE: Final = b"<!DOCTYPE"
_FIRST_ELEMENT: Final = re.compile(rb"<[A-Za-z]")


def _doctype_on_its_own_line(body: bytes) -> bytes:
    """``body`` with a DOCTYPE that shares its line with something else moved to a line of
    its own. feedparser removes a DOCTYPE only at a line's start (its pattern is ``^\\s*``);
    one kept names an external DTD (RSS 0.91's Netscape one defines HTML's entities), and
    expat then skips every entity reference the DTD would define: 'Caf&eacute;' read 'Caf'."""
    at = body.find(_DOCTYPE, 0, 4096)
    root = _FIRST_ELEMENT.search(body, 0, 4096)
    if at <= 0 or (root is not None and root.start() < at):  # in the prolog only
        return body
    end = body.find(b">", at)
    if b"[" in body[at : end if end >= 0 else None]:
        return body  # an internal subset, which feedparser's pattern would cut at its first ">"
    line_start = max(body.rfind(b"\n", 0, at), body.rfind(b"\r", 0, at)) + 1
    if not body[line_start:at].strip():
        return body
    return body[:at] + b"\n" + body[at:]


# What may stand before a DOCTYPE (XML 1.0 [22]): a BOM, the XML declaration, comments,
# processing instructions, whitespace, however long. Possessive: each is read once.
_PROLOG = re.compile(rb"(?:\xef\xbb\xbf)?(?:\s++|<\?.*?\?>|<!--.*?-->)*+", re.DOTALL)
# A DOCTYPE with an internal subset, to its real end: a quoted id or entity value may hold ">"
# or "]>", a comment or processing instruction a quote (XML 1.0 [28], [28b]). One left open
# ends the match there, so a run of them is not each read to the end (quadratic).
_DOCTYPE_SUBSET = re.compile(
    rb"<!DOCTYPE(?:[^\[>\"']|\"[^\"]*\"|'[^']*')*+"
    rb"\[((?:<!--.*?-->|<\?.*?\?>|\"[^\"]*\"|'[^']*'|<(?!!--|\?)|[^\]\"'<])*+)\]\s*>",
    re.DOTALL | re.IGNORECASE,
)
DROPPED_ENTITIES = "DOCTYPE entity declarations ignored"


def drop_entity_declarations(body: bytes) -> tuple[bytes, str | None]:
    """Remove a DOCTYPE internal subset that declares entities, before any parser sees it.

    Entity declarations in a feed exist in practice only to attack the reader (billion laughs,
    quadratic blow-up, external entities reading local files). expat and feedparser defend
    partly, depending on their versions (expat lets entities grow a document a hundredfold);
    removing the subset makes every reference an undefined entity, which the parsers keep as
    text: bounded, whatever the library versions. Found wherever the prolog ends, as a parser
    finds it; in an encoding other than UTF-8 or ASCII only after feedparser's conversion
    (``_replace_doctype``), where the same bytes are read.
    """
    prolog = _PROLOG.match(body)
    match = _DOCTYPE_SUBSET.match(body, prolog.end() if prolog else 0)
    if match is None or b"<!ENTITY" not in match.group(1).upper():
        return body, None
    return body[: match.start()] + body[match.end() :], DROPPED_ENTITIES


_feedparser_replace_doctype = feedparser.api.replace_doctype
_dropped = threading.local()


def _replace_doctype(data: bytes) -> tuple[str | None, bytes, dict[str, str]]:
    # feedparser hands both its parsers what this returns, in UTF-8 whatever the feed's
    # encoding was: a UTF-16, UTF-32 or UTF-7 feed's DOCTYPE is only readable here.
    data, warning = drop_entity_declarations(data)
    if warning is not None:
        _dropped.warning = warning
    return _feedparser_replace_doctype(data)  # type: ignore[no-any-return]


feedparser.api.replace_doctype = _replace_doctype


# feedparser finds the encoding name with our linear pattern, so both see the same name.
feedparser.encodings.RE_XML_PI_ENCODING = _ENCODING_NAME
_PRINTABLE_ASCII = re.compile(rb"[\x20-\x7e]*")


def _drop_unreadable_encoding_name(body: bytes) -> bytes:
    """The XML declaration without its encoding name when that name is not printable ASCII.

    feedparser decodes the name as UTF-8 and raises on a stray byte in it, and the codec lookup
    raises ValueError on a NUL; no encoding has such a name, so the bytes are read as if none
    were declared.
    """
    match = _ENCODING_NAME.match(body)
    if match is None or _PRINTABLE_ASCII.fullmatch(match.group(1)):
        return body
    name_start, name_end = match.span(1)
    return body[: name_start - len(b'encoding="')] + body[name_end + 1 :]


def _one_line(exc: object) -> str:
    return " ".join(str(exc).split())[:300] or type(exc).__name__


def _looks_like_json(body: bytes, content_type: str) -> bool:
    # What the body opens with first: servers that label everything application/json serve
    # RSS under it too, as others serve a JSON Feed as application/xml.
    opening = body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if opening in (b"{", b"<"):
        return opening == b"{"
    return "json" in content_type


# No feed dates from before the web: an earlier date is a placeholder (Go's zero time in Hugo's
# feeds, a null Unix timestamp), which would make its item the earliest of every story it joins.
EARLIEST = datetime(1995, 1, 1, tzinfo=UTC)


def _real(dated: datetime | None) -> datetime | None:
    """``dated``, unless it is a placeholder: then the entry's other date (updated for
    published, date_modified for date_published) may be real."""
    return dated if dated is None or dated >= EARLIEST else None


def _clamp(dt: datetime | None, now: datetime) -> datetime:
    # A feed that dates items in the future would pin them to the top of every consumer's view,
    # and be credited first for stories it had not published yet.
    return now if dt is None or dt > now or dt < EARLIEST else dt


def _text(value: Any) -> str | None:
    """A string from feedparser, else None: for mangled markup it can hand back whatever was
    nested in the element (a dict, a list)."""
    return value if isinstance(value, str) else None


def _struct_to_datetime(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def _with_xml_base(raw: dict[str, Any], document: str) -> dict[str, Any]:
    """``raw`` with links in its content and summary made absolute against the ``xml:base`` in
    effect there, where one is: the cleaning stage resolves the rest against the entry's link.
    feedparser tracks the base of each element but resolves nothing (it is switched off: its
    pass costs more than the rest of its parse)."""
    contents = raw.get("content") or []
    detail = dict.get(raw, "summary_detail")
    bases = [c.get("base") for c in contents if isinstance(c, Mapping)]
    bases.append(detail.get("base") if isinstance(detail, Mapping) else None)
    if all(not base or base == document for base in bases):
        return raw
    fixed = dict(raw)
    fixed["content"] = [
        {**c, "value": _resolved(str(c.get("value", "")), c.get("base"), document)}
        for c in contents
        if isinstance(c, Mapping)
    ]
    if isinstance(detail, Mapping) and isinstance(raw.get("summary"), str):
        fixed["summary"] = _resolved(raw["summary"], detail.get("base"), document)
    return fixed


def _resolved(html: str, base: Any, document: str) -> str:
    if not isinstance(base, str) or base == document or not base.startswith(("http:", "https:")):
        return html
    return absolute_links(html, base)


def _in_zone(dt: datetime | None, text: Any, timezone: tzinfo | None) -> datetime | None:
    """``dt``, read as UTC from ``text``, as the wall clock of ``timezone`` if ``text`` had no
    zone of its own."""
    if dt is None or timezone is None or not isinstance(text, str) or not zoneless(text):
        return dt
    try:
        return dt.replace(tzinfo=timezone).astimezone(UTC)
    except OverflowError:  # year 1 east of UTC, 9999 west of it: a placeholder, no date
        return None


def _feed_date(raw: dict[str, Any], key: str, timezone: tzinfo | None) -> datetime | None:
    # dict.get: feedparser's own lookup aliases updated/published with a DeprecationWarning.
    parsed = _struct_to_datetime(dict.get(raw, f"{key}_parsed"))
    return _real(_in_zone(parsed, dict.get(raw, key), timezone))


def _entry_from_feedparser(
    raw: dict[str, Any], now: datetime, timezone: tzinfo | None = None, *, atom: bool = False
) -> Entry:
    published = _feed_date(raw, "published", timezone) or _feed_date(raw, "updated", timezone)
    contents = [c for c in raw.get("content") or [] if isinstance(c, Mapping)]
    body = max(contents, key=lambda c: len(str(c.get("value", ""))), default=None)
    content_html = str(body.get("value", "")) if body is not None else ""
    summary = str(raw.get("summary", ""))
    if not summary and not content_html and not _has_image(raw):
        summary = _text(dict.get(raw, "media_description")) or ""
    link = (
        _original_link(raw)
        or (_atom_link(raw) if atom else _text(raw.get("link")))
        or (None if atom else _page_guid(raw))
        or _enclosure(raw)
    )
    return Entry(
        guid=_text(raw.get("id")) or None,
        link=link,
        title=str(raw.get("title", "")),
        summary_html=summary,
        content_html=content_html,
        published=_clamp(published, now),
        author=_byline(raw),
        outlet=_source_title(dict.get(raw, "source")),
        # RSS: the item's own <language> or <dc:language>, else (_inherited) its channel's
        language=_declared_language(raw, body)
        if atom
        else language_code(dict.get(raw, "language")),
        image=_feed_image(raw, link),
        # RSS <category> and dc:subject, Atom <category> (its label, else its term), and the
        # Media RSS and iTunes keywords feedparser adds to the same list.
        categories=entry_categories(
            t.get("label") or t.get("term")
            for t in dict.get(raw, "tags") or []
            if isinstance(t, Mapping)
        ),
    )


def _declared_language(raw: dict[str, Any], body: Mapping[str, Any] | None) -> str | None:
    """The language an Atom entry declares for its text: the xml:lang in effect on its content,
    else on its summary, else on its title (the element's own, else the entry's, else the
    feed's, as feedparser tracks it for each). Not for RSS: there feedparser tracks only
    xml:lang and Content-Language, which would override the channel's <language>; an RSS
    item's own language is its <dc:language>."""
    for detail in (body, dict.get(raw, "summary_detail"), dict.get(raw, "title_detail")):
        if isinstance(detail, Mapping) and (code := language_code(detail.get("language"))):
            return code
    return None


def _web_address(value: Any) -> str | None:
    address = (_text(value) or "").strip()
    return address if address.startswith(("https://", "http://")) and " " not in address else None


def _original_link(raw: dict[str, Any]) -> str | None:
    # FeedBurner's item links all go through feedproxy.google.com; origLink is the outlet's.
    return _web_address(dict.get(raw, "feedburner_origlink"))


_HTTP = re.compile(r"\s*https?://", re.IGNORECASE)


def _atom_link(raw: dict[str, Any]) -> str | None:
    """An Atom entry's link. feedparser gives an entry without an HTML alternate link its
    ``<id>`` as its link; an id is a page only when it is an http(s) URL (a path, resolved
    against the feed's URL, is one). ``tag:`` and ``urn:uuid:`` ids name no page: the entry
    then has none, as an RSS item whose guid is no URL has none."""
    link = _text(raw.get("link"))
    if link and link == _text(raw.get("id")) and not _HTTP.match(link):
        return None
    return link


def _page_guid(raw: dict[str, Any]) -> str | None:
    """An RSS item without a link: its guid when that is a web address, though marked as no
    permalink (isPermaLink="false"; a permalink one is the link already, or was joined to the
    feed's URL, "b1a2c3" as https://feed.example/b1a2c3, and is none). It names the item's
    page far more often than not, and is a better address for it than the feed's own URL."""
    return _web_address(raw.get("id")) if dict.get(raw, "guidislink") is False else None


def _enclosure(raw: dict[str, Any]) -> str | None:
    """An item with no page of its own: its first enclosure's address (a podcast episode's
    audio, feedparser#384), rather than the feed's URL that every such item would share."""
    links = dict.get(raw, "links") or []
    return next(
        (
            address
            for link in links
            if isinstance(link, Mapping)
            and link.get("rel") == "enclosure"
            and (address := _web_address(link.get("href")))
        ),
        None,
    )


# Bounds of an entry's categories: a news item rarely has more than a dozen, none of them a
# sentence; a feed that stuffs hundreds of SEO keywords into each item must not bloat every
# event. Longer ones are cut, later ones dropped.
MAX_CATEGORIES = 20
CATEGORY_CHARS = 100


def entry_categories(names: Iterable[object]) -> tuple[str, ...]:
    """The feed's categories as events carry them: whitespace collapsed, empty ones dropped,
    each spelling once (case-insensitively, the first kept), in the feed's order, at most
    ``MAX_CATEGORIES`` of at most ``CATEGORY_CHARS`` characters."""
    kept: dict[str, str] = {}
    for name in names:
        if not isinstance(name, str):
            continue
        # Cut before collapsing: a megabyte of junk costs nothing more than a word.
        text = " ".join(name[: 4 * CATEGORY_CHARS].split())[:CATEGORY_CHARS].rstrip()
        if text:
            kept.setdefault(text.casefold(), text)
            if len(kept) == MAX_CATEGORIES:
                break
    return tuple(kept.values())


_IMAGE_FILE = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif")


def _feed_image(raw: dict[str, Any], link: str | None) -> str | None:
    """The lead image a feedparser entry (or the fast path's twin of one) names, absolute
    against the entry's link; None when it names no http(s) one.

    In order of what the feed says of it: a Media RSS image (the widest, when sizes are
    given), a Media RSS thumbnail (a smaller rendition, chosen by the outlet), an enclosure of
    an image type (an attachment: some CMSs' featured image), then the episode's itunes:image
    (podcast art, often the show's cover). Each is tried in turn, so a data: or javascript:
    URL gives way to the next. An author's avatar is no picture of the entry: GitHub gives
    every entry of its Atom feeds (releases, commits, discussions) the author's as its
    media:thumbnail."""
    media = [m for m in dict.get(raw, "media_content") or [] if _media_image(m)]
    thumbnails = [
        t
        for t in dict.get(raw, "media_thumbnail") or []
        if isinstance(t, Mapping) and not _is_avatar(split_url(str(t.get("url") or "")))
    ]
    enclosures = [
        entry.get("href")
        for entry in dict.get(raw, "links") or []
        if isinstance(entry, Mapping)
        and entry.get("rel") == "enclosure"
        and str(entry.get("type") or "").startswith("image/")
    ]
    itunes = dict.get(raw, "image")
    candidates = [
        *(m.get("url") for m in sorted(media, key=_width, reverse=True)),  # stable: ties keep order
        *(t.get("url") for t in sorted(thumbnails, key=_width, reverse=True)),
        *enclosures,
        itunes.get("href") if isinstance(itunes, Mapping) else None,
    ]
    return next(filter(None, (web_url(url, link) for url in candidates)), None)


def _media_image(media: object) -> bool:
    """A media:content that is a picture of the entry: medium="image" or an image type; with
    neither (Media RSS makes both optional: the Guardian, Le Monde), an image file's name.
    Not a Gravatar: WordPress.com lists the author's among each item's media."""
    if not isinstance(media, Mapping):
        return False
    medium, kind = media.get("medium"), str(media.get("type") or "")
    parts = split_url(str(media.get("url") or ""))
    if parts is None or _is_avatar(parts):
        return False
    if medium or kind:
        return medium == "image" or kind.startswith("image/")
    return parts.path.lower().endswith(_IMAGE_FILE)


# Hosts that serve people's avatars only: Gravatar (WordPress.com's media:content), GitHub's
# (the media:thumbnail of each entry of its Atom feeds).
_AVATAR_HOSTS = ("gravatar.com", "avatars.githubusercontent.com")


def _is_avatar(parts: SplitResult | None) -> bool:
    host = ((parts.hostname if parts is not None else None) or "").lower()
    return any(host == h or host.endswith("." + h) for h in _AVATAR_HOSTS)


def _width(media: Mapping[str, Any]) -> int:
    try:
        return int(str(media.get("width")).strip())
    except ValueError:
        return -1


def _has_image(raw: dict[str, Any]) -> bool:
    """Whether the entry carries a photo (media:content), whose caption media:description then
    is (NYT): a video's description is what the video says (YouTube), a photo's is not."""
    media = dict.get(raw, "media_content") or []
    return any(
        isinstance(m, Mapping)
        and (m.get("medium") == "image" or str(m.get("type", "")).startswith("image/"))
        for m in media
    )


def _byline(raw: dict[str, Any]) -> str | None:
    # feedparser's "author" is the last author only; "authors" has them all (several
    # dc:creator at the Washington Post, several Atom authors at Ars Technica).
    people = dict.get(raw, "authors") or []
    names = [p.get("name") for p in people if isinstance(p, Mapping)]
    distinct = _distinct_names(names)
    if len(distinct) > 1 or (distinct and len(names) > 1):  # some of several were addresses
        return ", ".join(distinct)[:BYLINE_CHARS]
    byline = _text(raw.get("author"))
    byline = _name_only(byline[:BYLINE_CHARS]) if byline else None
    return byline or None


def names_byline(names: Iterable[object]) -> str | None:
    """A byline of these names as an entry's is made (each without an address or a leading
    "By", each once, joined by ", "), or None when none is a name: for bylines from elsewhere
    than a feed (an article page's)."""
    return ", ".join(_distinct_names(names))[:BYLINE_CHARS] or None


def _distinct_names(names: Iterable[object]) -> list[str]:
    """The authors' names, each once, in order, without an address; what is no name (empty,
    an address alone, not a string) is left out."""
    named = (_name_only(n[:BYLINE_CHARS]) for n in names if isinstance(n, str))
    return list(dict.fromkeys(n for n in named if n))


_ADDRESS = re.compile(r"(?:mailto:)?[^\s@()<>]+@[^\s@()<>]+\.[^\s@()<>]+", re.IGNORECASE)
_BY = re.compile(r"by:?\s+", re.IGNORECASE)  # "By Jane Doe", "By: Jane Doe"
_AROUND_ADDRESS = "<>()[],;|"
_BETWEEN_NAMES = " ,;|/-–—·:"


def _name_only(byline: str) -> str:
    """The names of a byline, without an e-mail address: RSS 2.0's "address (Name)"
    (Blogger's "noreply@blogger.com (Name)"), feedparser's "Name (address)" for an Atom author
    with one, "Name <address>"; an address alone names nobody. Nor a leading "By", as some
    CMSs print the byline. No regex over the whole: linear in the byline's length."""
    byline = byline.strip()
    if (by := _BY.match(byline)) and _ADDRESS.fullmatch(byline[by.end() :].strip("<>")):
        return ""  # "By jane@x.com"
    if _ADDRESS.fullmatch(byline.strip("<>")):
        return ""
    close = byline[-1:]
    if close in (")", ">"):
        opening = byline.rfind("(" if close == ")" else "<")
        inner, outer = byline[opening + 1 : -1].strip(), byline[:opening].strip()
        if opening >= 0 and _ADDRESS.fullmatch(inner):
            byline = outer
        elif opening >= 0 and close == ")" and _ADDRESS.fullmatch(outer.strip("<>")):
            byline = inner
    if (by := _BY.match(byline)) and byline[by.end() :][:1].isupper():
        byline = byline[by.end() :]
    if "@" in byline:
        # An address beside the name ("Jane Doe, jane@x.com", "Jane | jane@x.com"), or the
        # Atom <name> an address is, which feedparser gives its <email> beside.
        words = byline.split()
        kept = [w for w in words if not _ADDRESS.fullmatch(w.strip(_AROUND_ADDRESS))]
        if len(kept) < len(words):
            byline = " ".join(kept).strip(_BETWEEN_NAMES)
    return byline


def _source_title(source: Any) -> str | None:
    title = source.get("title") if isinstance(source, Mapping) else None
    if not isinstance(title, str):
        return None
    return " ".join(title.split()) or None


def _ttl_seconds(feed_meta: Mapping[str, Any]) -> int | None:
    """RSS ``<ttl>`` (minutes), else ``<sy:updatePeriod>``/``<sy:updateFrequency>``, in seconds."""
    ttl = feed_meta.get("ttl")
    try:
        if ttl is not None and int(ttl) > 0:
            return int(ttl) * 60
    except (TypeError, ValueError):
        pass
    seconds = syndication_period(
        _text(feed_meta.get("sy_updateperiod")), _text(feed_meta.get("sy_updatefrequency"))
    )
    return int(seconds) if seconds else None


def _parse_json_feed(
    body: bytes, now: datetime, timezone: tzinfo | None, url: str | None = None
) -> ParsedFeed:
    try:
        # A nesting limit, so "[[[[…" cannot exhaust the stack. A stray byte that is not UTF-8
        # (a pasted Latin-1 "é") is its windows-1252 character, as in an XML feed: refused, it
        # cost the whole feed.
        doc, mended = jsontext.loads(body, bad_bytes=BYTES_AS_WINDOWS_1252)
    except ValueError as exc:
        raise FeedError(f"invalid JSON feed: {_one_line(exc)}") from exc
    if not isinstance(doc, dict) or "jsonfeed.org/version/" not in str(doc.get("version", "")):
        raise FeedError("JSON document is not a JSON Feed (no jsonfeed.org version)")
    items = doc.get("items")
    if not isinstance(items, list):
        raise FeedError("JSON Feed has no items list")
    number = str(doc["version"]).rsplit("/", 1)[-1]
    version = "json" + (number if "." in number else number + ".0").replace(".", "")
    objects = [item for item in items if isinstance(item, dict)]
    entries = _inherited(
        (_entry_from_json(item, now, timezone, url) for item in objects[:MAX_ENTRIES]),
        doc.get("language"),
        _json_byline(doc),  # the spec's: an item without authors has the feed's
    )
    warning = _warnings(
        "JSON feed is not all UTF-8: mended as a browser reads it" if mended else None,
        _left_out(len(objects)),
    )
    return ParsedFeed(
        title=_str_or_none(doc.get("title")), version=version, entries=entries, warning=warning
    )


def _str_or_none(value: Any) -> str | None:
    # JSON Feed fields are strings by the spec; a number or object where a URL belongs is junk.
    return value if isinstance(value, str) and value else None


def _json_date(value: Any, timezone: tzinfo | None) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed: datetime | None = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        parsed = None
    try:
        if parsed is None:
            # Not RFC 3339, as the spec asks, but what a hand-made feed's language printed
            # (PHP's date('r'), a locale's format, Unix time): read as in an RSS feed.
            read = _struct_to_datetime(feedparser.datetimes._parse_date(value[:200]))
            return _real(_in_zone(read, value, timezone))
        if parsed.tzinfo is None and timezone is not None:
            return _real(parsed.replace(tzinfo=timezone).astimezone(UTC))
        return _real(utc(parsed))
    except OverflowError:  # year 1 east of UTC is before year 1 in UTC
        return None


def _json_byline(owner: Mapping[str, Any]) -> str | None:
    """The named authors of a JSON Feed item or feed, joined as an RSS or Atom entry's are: 1.1
    has "authors", 1.0 had a single "author" object. (Only the first was kept.)"""
    legacy = owner.get("author")
    authors = owner.get("authors") or ([legacy] if isinstance(legacy, dict) else [])
    if not isinstance(authors, list):
        return None
    names = [a.get("name") for a in authors if isinstance(a, dict)]
    # the names alone, as an RSS or Atom entry's: no address, no leading "By"
    return ", ".join(_distinct_names(names))[:BYLINE_CHARS] or None


def _entry_from_json(
    item: Mapping[str, Any], now: datetime, timezone: tzinfo | None, base: str | None = None
) -> Entry:
    author = _json_byline(item)
    published = _json_date(item.get("date_published"), timezone) or _json_date(
        item.get("date_modified"), timezone
    )
    content_html = str(item.get("content_html") or "")
    if not content_html and item.get("content_text"):
        content_html = _text_as_html(str(item["content_text"]))
    link = _relative_to(
        base, _str_or_none(item.get("url")) or _str_or_none(item.get("external_url"))
    ) or _json_page(item)
    tags = item.get("tags")
    return Entry(
        guid=str(item["id"]) if item.get("id") is not None else None,
        link=link,
        title=str(item.get("title") or ""),
        summary_html=str(item.get("summary") or ""),
        content_html=content_html,
        published=_clamp(published, now),
        author=author,
        language=language_code(item.get("language")),  # JSON Feed 1.1: an item's own
        image=web_url(item.get("image"), link) or web_url(item.get("banner_image"), link),
        categories=entry_categories(tags if isinstance(tags, list) else ()),
    )


def _json_page(item: Mapping[str, Any]) -> str | None:
    """A JSON Feed item without url or external_url: its id when that is a web address (the
    spec's ideal id), else its first attachment's (a podcast episode), as an RSS item without
    a link has its guid or enclosure, rather than its feed's URL, which all such items share."""
    attachments = item.get("attachments")
    return _web_address(item.get("id")) or next(
        (
            address
            for attachment in (attachments if isinstance(attachments, list) else ())
            if isinstance(attachment, dict) and (address := _web_address(attachment.get("url")))
        ),
        None,
    )


def _relative_to(base: str | None, link: str | None) -> str | None:
    """``link`` made absolute against the feed's URL when it is a path (a static site's
    "/posts/x/"), as an RSS or Atom link is: a path stayed the article's URL. An absolute one
    is left as written."""
    parts = split_url(link) if link else None
    if not base or not link or parts is None or parts.scheme:
        return link
    try:
        return urljoin(base, link)
    except ValueError:  # a base urllib cannot split
        return link


def _text_as_html(text: str) -> str:
    from html import escape  # noqa: PLC0415 - only plain-text JSON items need it

    paragraphs = (p.strip() for p in text.replace("\r\n", "\n").split("\n\n"))
    # Single line breaks are lines (an address, a list): <br>, or HTML would join them.
    return "".join(
        "<p>" + "<br>".join(escape(line.strip()) for line in p.split("\n")) + "</p>"
        for p in paragraphs
        if p
    )
