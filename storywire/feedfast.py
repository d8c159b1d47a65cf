"""A fast path for well-formed RSS 2.0, RSS 1.0 and Atom 1.0: lxml instead of feedparser.

feedparser costs ~1 ms per item even with its sanitiser off; lxml reads the same feed in a
tenth of that. The fast path must give exactly what feedparser's strict (SAX) parser gives, so it
applies the same fix-ups in the same order (strip, relative-URI join, the latin-1/UTF-8 repair,
the windows-1252 control-character map, the same date parser) and it declines, returning None,
whenever a document strays from what it knows to reproduce: a DOCTYPE, ``xml:base``, a
non-UTF-8 encoding, a Content-Type feedparser would treat differently, markup inside a text
element, an element inside an entry that feedparser might map onto a field we read, duplicates
whose precedence is subtle. ``tests/storywire/test_feedfast.py`` proves equality on the recorded
feeds and on generated variants; anything declined goes to feedparser as before.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from feedparser.datetimes import _parse_date
from feedparser.html import _cp1252
from feedparser.urls import _urljoin, make_safe_absolute_uri
from lxml import etree

ATOM = "http://www.w3.org/2005/Atom"
RSS10 = "http://purl.org/rss/1.0/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
DC = "http://purl.org/dc/elements/1.1/"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
SY = "http://purl.org/rss/1.0/modules/syndication/"
MEDIA = "http://search.yahoo.com/mrss/"
SLASH = "http://purl.org/rss/1.0/modules/slash/"
WFW = "http://wellformedweb.org/CommentAPI/"
FEEDBURNER = "http://rssnamespace.org/feedburner/ext/1.0"
XML = "http://www.w3.org/XML/1998/namespace"

# Elements inside an entry that feedparser stores under keys we never read, or (media and
# enclosures, _media) only their attributes, wherever they are nested. Not the categories:
# feedparser folds those into tags (_category) and media:category and media:keywords too,
# whose rules are not mirrored: an entry with one goes to feedparser.
_IGNORED = frozenset(
    {
        ("", "comments"), ("", "enclosure"),
        (DC, "rights"), (DC, "publisher"), (DC, "format"),
        (DC, "type"), (DC, "identifier"), (DC, "coverage"), (DC, "relation"),
        (MEDIA, "content"), (MEDIA, "thumbnail"), (MEDIA, "credit"),
        (MEDIA, "rating"), (MEDIA, "group"), (MEDIA, "player"),
        (SLASH, "comments"), (SLASH, "section"), (SLASH, "department"),
        (WFW, "commentRss"), (WFW, "comment"),
        (ATOM, "rights"),
    }
)  # fmt: skip
_XML_TYPES = ("application/xml", "text/xml")
_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")
_XML11 = re.compile(rb"^\s*<\?xml[^>]*?version\s*=\s*[\"']1\.1")
_LINK_REF = re.compile("&([A-Za-z0-9_]+);")
_TEXT_TYPES = frozenset({"text", "html", "text/plain", "text/html"})
_local = threading.local()


class _DeclinedError(Exception):
    """The document needs feedparser: something here is outside what the fast path mirrors."""


@dataclass
class FastEntry:
    """The feedparser-equivalent values of one entry (feedparser's keys, feedparser's rules)."""

    values: dict[str, Any] = field(default_factory=dict)
    # As feedparser's "content": {"value": …}, with the xml:lang in effect ("language") in Atom.
    contents: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class FastFeed:
    version: str
    meta: dict[str, Any]
    entries: list[FastEntry]
    left_out: int = 0  # entries past the limit, not read


def _parser() -> etree.XMLParser:
    # lxml parsers must not be shared between threads; fetch workers are threads.
    parser: etree.XMLParser | None = getattr(_local, "parser", None)
    if parser is None:
        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
            recover=False,
        )
        _local.parser = parser
    return parser


def parse_fast(  # noqa: PLR0911 - one exit per reason to decline
    body: bytes, headers: Mapping[str, str], *, limit: int | None = None
) -> FastFeed | None:
    """The feed as feedparser would give it, or None when feedparser must decide; with
    ``limit``, its first ``limit`` entries as feedparser gives them, the rest counted only."""
    if not _encoding_is_plain(body, headers):
        return None
    head = body[:4096]
    if b"<!DOCTYPE" in head or b"<!doctype" in head or b"xml:base" in body:
        return None
    if _XML11.match(head):
        return None  # feedparser rewrites the declaration to 1.0; libxml2 would not
    try:
        root = etree.fromstring(body, _parser())
    except (etree.XMLSyntaxError, ValueError):
        return None
    base = make_safe_absolute_uri(
        "", headers.get("content-location", "")
    ) or make_safe_absolute_uri(headers.get("content-location", ""))
    try:
        if root.tag == "rss" and root.get("version") == "2.0":
            feed = _rss(root, "", "rss20", base, limit)
        elif root.tag == f"{{{RDF}}}RDF" and root.find(f"{{{RSS10}}}channel") is not None:
            feed = _rss(root, RSS10, "rss10", base, limit)
        elif root.tag == f"{{{ATOM}}}feed":
            feed = _atom(root, base, headers.get("content-language") or None, limit)
        else:
            return None
    except _DeclinedError:
        return None
    if "language" not in feed.meta and headers.get("content-language"):
        feed.meta["language"] = headers["content-language"]  # feedparser's starting language
    return feed


def _encoding_is_plain(body: bytes, headers: Mapping[str, str]) -> bool:  # noqa: PLR0911 - RFC 3023 cases
    """True when feedparser would read these bytes as UTF-8 (or they are ASCII anyway)."""
    if body[:2] in (b"\xff\xfe", b"\xfe\xff") or body[:3] == b"\xef\xbb\xbf":
        return False
    match = _DECLARATION.match(body[:512])
    declared = match.group(1).decode().lower() if match else ""
    content_type = headers.get("content-type", "")
    media, _, params = content_type.partition(";")
    media = media.strip().lower()
    charset = ""
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip("\"'").lower()
    if content_type and not (
        media in _XML_TYPES
        or (media.startswith(("application/", "text/")) and media.endswith("+xml"))
    ):
        return False
    if body.isascii():
        return declared in ("", "utf-8", "utf8", "us-ascii", "ascii") and charset in (
            "", "utf-8", "utf8", "us-ascii",
        )  # fmt: skip
    if declared not in ("", "utf-8", "utf8") or charset not in ("", "utf-8", "utf8"):
        return False
    if media.startswith("text/"):
        return bool(charset)  # RFC 3023: text/* without a charset is us-ascii to feedparser
    if content_type:
        return True  # application/*xml: the charset, else the declaration, else UTF-8
    # Without a Content-Type but with other headers, feedparser falls back to iso-8859-1
    # unless the document declares its encoding.
    return bool(declared) or not headers


# The characters _cp1252 maps (C1 controls, as windows-1252 text read as latin-1 has them).
# translate() looks every character of a text up in that dict, ~0.1 us each: any description
# with a curly quote or an accent paid it over its whole length, a tenth of the parse. A regex
# tells the rare text that holds one at a tenth of the cost.
_C1: Final = re.compile("[\x80-\x9f]")


def _fix(text: str) -> str:
    """feedparser's ``pop`` fix-ups, in its order, for text that needs no URI handling."""
    text = text.strip()
    if not text.isascii():
        with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
            text = text.encode("iso-8859-1").decode("utf-8")
        if _C1.search(text):
            text = text.translate(_cp1252)
    return text


def _fix_uri(text: str, base: str) -> str:
    text = text.strip()
    if text:
        text = _urljoin(base or "", text)
    return _fix(text)


def _leaf_text(element: etree._Element) -> str:
    if len(element):
        raise _DeclinedError("markup inside a text element")
    if element.get("mode") is not None:
        raise _DeclinedError("Atom 0.3 content mode")
    return element.text or ""


def _key(element: etree._Element) -> tuple[str, str]:
    tag = element.tag
    if not isinstance(tag, str):
        raise _DeclinedError("entity or unexpected node")
    if tag[0] == "{":
        ns, _, local = tag[1:].partition("}")
        return ns, local
    return "", tag


def _channel_meta(children: Iterable[etree._Element], ns: str) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    for child in children:
        key = _key(child)
        if key == (ns, "title") and not meta.get("title"):
            meta["title"] = _fix(_leaf_text(child))
        elif key == ("", "ttl"):
            meta["ttl"] = _fix(_leaf_text(child))
        elif key == (SY, "updatePeriod"):
            meta["sy_updateperiod"] = _fix(_leaf_text(child))
        elif key == (SY, "updateFrequency"):
            meta["sy_updatefrequency"] = _fix(_leaf_text(child))
        elif key in (("", "language"), (DC, "language")):
            meta["language"] = _fix(_leaf_text(child))  # the last one, as feedparser keeps
    return meta


def _rss(root: etree._Element, ns: str, version: str, base: str, limit: int | None) -> FastFeed:
    channel = root.find("channel" if not ns else f"{{{ns}}}channel")
    if channel is None:
        raise _DeclinedError("no channel")
    meta = _channel_meta(channel, ns)
    if not ns and "language" not in meta and (lang := _lang(root, None)):
        # feedparser's feed language: <language>, else <rss xml:lang> (not <rdf:RDF>'s: it
        # looks for the tag as "rdf:RDF", which it has lower-cased)
        meta["language"] = lang
    item_tag = "item" if not ns else f"{{{ns}}}item"
    # RSS 1.0 lists its items beside the channel, RSS 2.0 inside it; feedparser reads an item
    # wherever it is (an RSS 1.0 feed written RSS 2.0's way has them all in the channel).
    items = list((root if ns else channel).iterchildren(item_tag))
    if len(items) != sum(1 for _ in root.iter(item_tag)):
        raise _DeclinedError("items where the format does not put them")
    kept = items[:limit]
    return FastFeed(
        version, meta, [_rss_item(item, ns, base) for item in kept], len(items) - len(kept)
    )


def _rss_item(item: etree._Element, ns: str, base: str) -> FastEntry:  # noqa: PLR0912 - one branch per element
    entry = FastEntry()
    values = entry.values
    about = item.get(f"{{{RDF}}}about")
    if about:
        values["id"] = about
    title_set = seen_summary = False
    for child in item:
        key = _key(child)
        if key == (ns, "title"):
            # The first non-empty title wins (feedparser's title_depth rule).
            text = _fix(_leaf_text(child))
            if not title_set:
                values["title"] = text
                title_set = bool(text)
        elif key == (ns, "link"):
            text = _fix_uri(_leaf_text(child), base).replace("&amp;", "&")
            values["link"] = _LINK_REF.sub(r"&\g<1>", text)
        elif key == ("", "guid") and not ns:
            _guid(child, values, base)
        elif key == (ns, "description"):
            if seen_summary:
                raise _DeclinedError("two descriptions")
            seen_summary = True
            values["summary"] = _fix(_leaf_text(child))
        elif key == (CONTENT, "encoded"):
            entry.contents.append({"value": _fix(_leaf_text(child))})
        elif key == (FEEDBURNER, "origLink"):
            values["feedburner_origlink"] = _fix(_leaf_text(child))
        elif key == (MEDIA, "description"):
            # feedparser as storywire.feeds configures it; nested in media:content, declined.
            values["media_description"] = _fix(_leaf_text(child))
        elif key == ("", "pubDate") and not ns:
            _date(values, "published", _fix(_leaf_text(child)))
        elif key == (DC, "date"):
            _date(values, "updated", _fix(_leaf_text(child)))
        elif key == (DC, "language") or (key == ("", "language") and not ns):
            values["language"] = _fix(_leaf_text(child))  # the last one, as feedparser keeps
        elif key == (DC, "creator") or (key == ("", "author") and not ns):
            if "author" in values:
                raise _DeclinedError("several authors: feedparser lists them in 'authors'")
            values["author"] = _fix(_leaf_text(child))
        elif key == (DC, "subject") or (key == ("", "category") and not ns):
            _category(child, values)
        elif key in _IGNORED:
            _check_ignored(child)
            _media(child, values)
        else:
            raise _DeclinedError(f"unmapped element {key}")
    if "summary" not in values and entry.contents:
        # feedparser copies content to a missing summary
        values["summary"] = entry.contents[0]["value"]
    return entry


def _date(values: dict[str, Any], key: str, text: str) -> None:
    # The text too, as feedparser keeps it: a source's time zone applies to a zone-less one.
    values[key] = text
    values[f"{key}_parsed"] = _parse_date(text)


_ABSOLUTE = re.compile(r"\s*(?:https?:)?//", re.IGNORECASE)


def names_a_page(guid: str) -> bool:
    """Whether a permalink guid is a URL of its own: "b1a2c3" joined to the feed's URL would be
    a page nobody published (storywire.feeds applies the same rule to feedparser's guids)."""
    return _ABSOLUTE.match(guid) is not None


def _guid(child: etree._Element, values: dict[str, Any], base: str) -> None:
    permalink = "true"
    for name, value in child.attrib.items():
        if str(name).lower() == "ispermalink":
            permalink = str(value)
    is_link = permalink == "true"
    text = _leaf_text(child)
    values.setdefault("guidislink", is_link and "link" not in values)  # feedparser's _save
    values["id"] = _fix_uri(text, base) if is_link else _fix(text)
    if is_link and names_a_page(text):
        values.setdefault("link", values["id"])


def _attributes(element: etree._Element) -> dict[str, str]:
    """The attributes as feedparser's strict parser hands them to its handlers: names and the
    values of rel and type lower-cased. A namespaced one it would name otherwise: declined."""
    out = {}
    for name, value in element.attrib.items():
        key = str(name).lower()
        if key.startswith("{"):
            raise _DeclinedError("a namespaced attribute")
        out[key] = str(value).lower() if key in ("rel", "type") else str(value)
    return out


def _media(element: etree._Element, values: dict[str, Any]) -> None:
    """What feedparser keeps of an ignored element and those nested in it (media:group holds
    media:content and media:thumbnail, which it lists as the entry's): their attributes."""
    for inner in element.iter():
        key = _key(inner)
        if key == (MEDIA, "content"):
            values.setdefault("media_content", []).append(_attributes(inner))
        elif key == (MEDIA, "thumbnail"):
            if (inner.text or "").strip():
                raise _DeclinedError("a thumbnail's URL as its text")
            values.setdefault("media_thumbnail", []).append(_attributes(inner))
        elif key == ("", "enclosure"):
            _enclosure(inner, values)


def _enclosure(element: etree._Element, values: dict[str, Any]) -> None:
    """An RSS enclosure among the entry's links, as feedparser adds it: its url (else uri,
    else href) attribute as is, not joined to the base."""
    attributes = _attributes(element)
    href = attributes.get("url", attributes.get("uri", attributes.get("href")))
    link = {"rel": "enclosure", "href": href or attributes.get("href")}
    if "type" in attributes:
        link["type"] = attributes["type"]
    values.setdefault("links", []).append(link)


def _category(element: etree._Element, values: dict[str, Any]) -> None:
    """A category (RSS, Atom) or dc:subject among the entry's tags, by feedparser's rules: its
    attributes make a tag, and its text is that tag's term when it has none, else a tag of
    its own; a tag already listed is not listed again."""
    attributes = _attributes(element)
    tags: list[dict[str, str | None]] = values.setdefault("tags", [])
    scheme = attributes.get("scheme", attributes.get("domain"))
    _add_tag(tags, attributes.get("term"), scheme, attributes.get("label"))
    text = _fix(_leaf_text(element))
    if text and tags and not tags[-1]["term"]:
        tags[-1]["term"] = text
    elif text:
        _add_tag(tags, text, None, None)


def _add_tag(
    tags: list[dict[str, str | None]], term: str | None, scheme: str | None, label: str | None
) -> None:
    if term or scheme or label:
        tag = {"term": term, "scheme": scheme, "label": label}
        if tag not in tags:
            tags.append(tag)


def _check_ignored(element: etree._Element) -> None:
    for inner in element.iterdescendants():
        if _key(inner) not in _IGNORED:
            raise _DeclinedError("unmapped element nested in an ignored one")


def _atom(root: etree._Element, base: str, language: str | None, limit: int | None) -> FastFeed:
    meta: dict[str, Any] = {}
    authors: list[dict[str, str]] = []
    lang = _lang(root, language)
    if lang:
        meta["language"] = lang
    entries: list[FastEntry] = []
    left_out = 0
    for child in root:
        key = _key(child)
        if key == (ATOM, "title") and not meta.get("title"):
            _text_construct(child)
            meta["title"] = _fix(_leaf_text(child))
        elif key == (ATOM, "entry"):
            if limit is None or len(entries) < limit:
                entries.append(_atom_entry(child, base, lang))
            else:
                left_out += 1
        elif key == (ATOM, "author"):
            authors.append(_atom_person(child))
    _set_author(meta, authors)
    return FastFeed("atom10", meta, entries, left_out)


_XML_LANG = f"{{{XML}}}lang"


def _lang(element: etree._Element, parent: str | None) -> str | None:
    """The language in effect on ``element`` as feedparser tracks it: its xml:lang ("" is
    none), else its parent's."""
    for name in element.keys():  # noqa: SIM118 - lxml's attrib would be built for nothing
        # feedparser also reads a bare lang="…", and one of any namespace it does not know.
        if name != _XML_LANG and str(name).rpartition("}")[2].lower() == "lang":
            raise _DeclinedError("a lang attribute other than xml:lang")
    own = element.get(_XML_LANG)
    if own is None:
        return parent
    return str(own) or None


def _text_construct(element: etree._Element) -> None:
    if element.get("type", "text") not in _TEXT_TYPES or element.get("src") is not None:
        raise _DeclinedError("non-text Atom construct")


def _atom_entry(entry_el: etree._Element, base: str, feed_lang: str | None) -> FastEntry:  # noqa: PLR0912 - one branch per element
    entry = FastEntry()
    values = entry.values
    lang = _lang(entry_el, feed_lang)
    title_set = False
    seen_summary = False
    authors: list[dict[str, str]] = []
    for child in entry_el:
        key = _key(child)
        if key == (ATOM, "title"):
            _text_construct(child)
            text = _fix(_leaf_text(child))
            if not title_set:
                values["title"] = text
                values["title_detail"] = {"language": _lang(child, lang)}
                title_set = bool(text)
        elif key == (ATOM, "link"):
            _atom_link(child, values, base)
        elif key == (ATOM, "id"):
            values["id"] = _fix_uri(_leaf_text(child), base)
            values.setdefault("link", values["id"])
        elif key == (ATOM, "summary"):
            if seen_summary:
                raise _DeclinedError("two summaries")
            seen_summary = True
            _text_construct(child)
            values["summary"] = _fix(_leaf_text(child))
            values["summary_detail"] = {"language": _lang(child, lang)}
        elif key == (ATOM, "content"):
            _text_construct(child)
            text = _fix(_leaf_text(child))
            entry.contents.append({"value": text, "language": _lang(child, lang)})
        elif key == (ATOM, "published"):
            _date(values, "published", _fix(_leaf_text(child)))
        elif key == (ATOM, "updated"):
            _date(values, "updated", _fix(_leaf_text(child)))
        elif key == (ATOM, "author"):
            authors.append(_atom_person(child))
        elif key == (DC, "language"):
            values["language"] = _fix(_leaf_text(child))
        elif key in ((ATOM, "category"), (DC, "subject")):
            _category(child, values)
        elif key in _IGNORED:
            _check_ignored(child)
            _media(child, values)
        else:
            raise _DeclinedError(f"unmapped element {key}")
    if "summary" not in values and entry.contents:
        values["summary"] = entry.contents[0]["value"]
    _set_author(values, authors)
    return entry


def _set_author(values: dict[str, Any], authors: list[dict[str, str]]) -> None:
    """feedparser's "author" of an Atom entry or feed with these person constructs."""
    if len(authors) > 1:
        raise _DeclinedError("several authors: feedparser merges their details")
    if authors:
        last = authors[-1]
        name, email = last.get("name"), last.get("email")
        values["author"] = f"{name} ({email})" if name and email else (name or email or "")


def _atom_link(child: etree._Element, values: dict[str, Any], base: str) -> None:
    if len(child) or (child.text or "").strip():
        raise _DeclinedError("link with content")
    href = child.get("href")
    if href is None:
        raise _DeclinedError("link without href")
    # feedparser lower-cases rel and type ("Alternate" is alternate)
    rel = child.get("rel", "alternate").lower()
    kind = child.get("type", "application/atom+xml" if rel == "self" else "text/html")
    if rel == "alternate" and kind.lower() in (
        "text/html",
        "html",
        "application/xhtml+xml",
        "xhtml",
    ):
        values["link"] = _urljoin(base or "", href)
    elif rel == "enclosure":
        link = {"rel": rel, "href": _urljoin(base or "", href)}
        if child.get("type") is not None:  # lower-cased, as feedparser's strict parser does
            link["type"] = child.get("type", "").lower()
        values.setdefault("links", []).append(link)


def _atom_person(person: etree._Element) -> dict[str, str]:
    out: dict[str, str] = {}
    if (person.text or "").strip():
        raise _DeclinedError("text directly in a person construct")
    for part in person:
        key = _key(part)
        if key in ((ATOM, "name"), (ATOM, "email")):
            # feedparser pushes these as non-text elements: stripped, no other fix-up.
            out[key[1]] = _leaf_text(part).strip()
        elif key != (ATOM, "uri"):
            raise _DeclinedError(f"unmapped person element {key}")
    return out
