"""OPML 2.0 import and export of sources, so operators can move feed lists in and out.

Plain OPML readers see ``text``, ``title``, ``type="rss"``, ``xmlUrl`` and ``htmlUrl``. Every
other field of a source (id, domain, intervals, rules, ...) travels in attributes of our own
namespace, as OPML 2.0 allows, so an export imports back to the same sources.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any
from urllib.parse import urlsplit

import orjson
from lxml import etree

from storywire.feeds import drop_entity_declarations
from storywire.models import Source
from storywire.sources import PrivateHostError, SourceConfigError, parse_sources
from storywire.urls import feed_identity, split_url

NS = "https://github.com/storywire/storywire/opml"
_ATTR = "{%s}%s"
_BASIC = ("id", "url", "outlet", "folder")  # folder: the nesting of the outlines
# OPML 2.0's own type for another outline (its `url`), never a feed whatever it carries. A
# `link` is a page, but one with an xmlUrl is a feed: WordPress's blogroll (wp-links-opml.php)
# writes every link that way, the link's feed in xmlUrl, and listparser reads it as a feed.
_NOT_FEEDS = frozenset({"include"})
# FreshRSS's sources that scrape a web page (HTML+XPath, XML+XPath, JSON+DotNotation).
_SCRAPED = re.compile(r"xpath|dotnotation", re.IGNORECASE)
# Sources a reader runs itself: Liferea's "|command", Newsboat's exec:, filter: and query:.
_LOCAL = re.compile(r"^\s*(?:\||exec:|filter:|query:)", re.IGNORECASE)
_ENTITIES_REFUSED = "the DOCTYPE declares entities, which OPML never needs: refused"
_POSITION = re.compile(r", line \d+, column \d+$")
_SLUG = re.compile(r"[^a-z0-9]+")


class OpmlError(ValueError):
    """The document is not OPML we can read; the message is one line."""


def to_opml(sources: Sequence[Source], *, title: str = "storywire sources") -> bytes:
    """An OPML 2.0 document with one ``outline type="rss"`` per source, inside nested folder
    outlines for its ``folder``."""
    root = etree.Element("opml", version="2.0", nsmap={"storywire": NS})
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = title
    etree.SubElement(head, "dateCreated").text = format_datetime(datetime.now(UTC), usegmt=True)
    body = etree.SubElement(root, "body")
    folders: dict[str, Any] = {}
    for source in sources:
        outline = etree.SubElement(_folder_outline(body, source.folder, folders), "outline")
        outline.set("type", "rss")
        outline.set("text", source.outlet)
        outline.set("title", source.outlet)
        outline.set("xmlUrl", source.url)
        parts = urlsplit(source.url)
        outline.set("htmlUrl", f"{parts.scheme}://{parts.netloc}/")
        outline.set(_ATTR % (NS, "id"), source.id)
        for name, value in source.to_dict().items():
            if name not in _BASIC:
                text = value if isinstance(value, str) else orjson.dumps(value).decode()
                outline.set(_ATTR % (NS, name), text)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _folder_outline(body: Any, folder: str | None, made: dict[str, Any]) -> Any:
    parent, path = body, ""
    for name in folder.split("/") if folder else ():
        path = f"{path}/{name}"
        if path not in made:
            made[path] = etree.SubElement(parent, "outline", text=name, title=name)
        parent = made[path]
    return parent


@dataclass(frozen=True, slots=True)
class OpmlRead:
    """What an import would do: the sources to store and every outline it leaves out."""

    sources: list[Source]
    updates: frozenset[str] = frozenset()  # ids of known sources these sources replace
    already_polled: int = 0  # feeds a known source polls already, under its own settings
    duplicates: int = 0  # outlines repeating a feed of an earlier one (another folder)
    skipped: tuple[str, ...] = ()  # "outline #N (title): reason", one per invalid outline
    # "outline #N (title): reason", one per outline on a private or loopback host without
    # allow_private: every poll would be refused, and only the operator knows if it is meant
    private: tuple[str, ...] = ()
    ignored: tuple[str, ...] = ()  # "outline #N (name): why", one per outline not a feed


def from_opml(data: bytes) -> list[Source]:
    """Every feed outline of an OPML 1.0/2.0 document (nested categories included)."""
    return read_opml(data).sources


def read_opml(data: bytes, *, known: Mapping[str, str] | None = None) -> OpmlRead:
    """Every feed outline of an OPML 1.0/2.0 document, against ``known`` sources (id → url).

    An outline carrying our id (our own export) updates that source. Any other outline whose
    feed is known is left alone, so a reader's export never resets a source's intervals or
    rules, and its id, made from its title, never takes over a known source's id. One invalid
    outline is skipped with its reason; the rest imports.
    """
    known = known or {}
    # One feed however its URL is spelt ("http://www.", a fragment, a click marker such as
    # utm_source): a second source for it would poll it twice.
    polled = set(map(feed_identity, known.values()))
    root = _parse(data)
    sources: list[Source] = []
    updates: set[str] = set()
    skipped: list[str] = []
    private: list[str] = []
    ignored: list[str] = []
    seen: set[str] = set()
    ids = Ids(set(known))
    already = duplicates = 0
    field_names = {f.name for f in fields(Source)}
    for number, (outline, attributes, folders) in enumerate(_outlines(root), start=1):
        url = _feed_url(attributes)
        kind = attributes.get("type", "").strip()
        why = _not_a_feed(kind, url)
        if why is not None:
            if url or not _holds_outlines(outline):  # else a folder, read through _outlines
                ignored.append(f"outline #{number} ({_label(attributes)}): {why}")
            continue
        name = _name(attributes) or _host(url) or url
        raw: dict[str, Any] = {"url": url, "outlet": name}
        for key, value in outline.attrib.items():
            local = etree.QName(key)
            if local.namespace == NS and local.localname in field_names:
                raw[local.localname] = _attribute_value(local.localname, str(value))
        if folders:
            raw["folder"] = "/".join(folders)
        feed = feed_identity(url)
        if feed in seen:
            duplicates += 1
            continue
        seen.add(feed)
        own_id = str(raw.get("id") or "")
        if own_id in known:
            updates.add(own_id)
        elif feed in polled:
            already += 1
            continue
        else:
            raw["id"] = ids.unique(own_id or _slug(name, url))
        try:
            (source,) = parse_sources([raw], origin=f"outline #{number}")
        except SourceConfigError as exc:
            left_out = private if isinstance(exc, PrivateHostError) else skipped
            left_out.append(str(exc).replace(": source #1", "", 1))
            updates.discard(own_id)
            continue
        sources.append(source)
    if not sources and not already and not duplicates and not private:
        raise OpmlError(
            "; ".join(skipped)
            if skipped
            else f"no outline with an xmlUrl ({len(ignored)} outlines that are not feeds)"
        )
    return OpmlRead(
        sources,
        frozenset(updates),
        already,
        duplicates,
        tuple(skipped),
        tuple(private),
        tuple(ignored),
    )


class Ids:
    """New sources' ids made from their names: "news", "news-2", "news-3", ...

    Each name's counter only moves on, so n outlines of one title cost about n look-ups
    rather than n²/2 (10k outlines: 6.1 s before, with every suffix tried again each time).
    """

    def __init__(self, taken: set[str]) -> None:
        self.taken = taken
        self._next: dict[str, int] = {}

    def unique(self, candidate: str) -> str:
        n = self._next.get(candidate, 1)
        unique = candidate if n == 1 else f"{candidate}-{n}"
        while unique in self.taken:
            n += 1
            unique = f"{candidate}-{n}"
        self._next[candidate] = n + 1
        self.taken.add(unique)
        return unique


def _parse(data: bytes) -> Any:
    # An OPML file never needs entities: declaring them is an attack (billion laughs,
    # external entities), refused before the parser expands anything. The DTD check after the
    # parse catches what the byte scan cannot see (a UTF-16 file), which libxml2's own
    # amplification limit keeps bounded until then.
    if drop_entity_declarations(data)[1] is not None:
        raise OpmlError(_ENTITIES_REFUSED)
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line, column = exc.position
        where = f"line {line}, column {column}: " if line else ""
        raise OpmlError(f"not XML: {where}{_POSITION.sub('', str(exc.msg))}") from exc
    dtd: Any = root.getroottree().docinfo.internalDTD  # the stubs lack DTD.entities
    if dtd is not None and dtd.entities():
        raise OpmlError(_ENTITIES_REFUSED)
    if _local(root) != "opml":
        raise OpmlError(f"root element is <{_local(root)}>, not <opml>")
    return root


def _outlines(root: Any) -> Iterator[tuple[Any, dict[str, str], tuple[str, ...]]]:
    """Every outline in document order, with its ``_plain_attributes`` and the names of the
    folders it is in, outermost first (a folder named "a/b" is two, as a sources file's
    folder writes it)."""
    stack: list[tuple[Any, tuple[str, ...]]] = [
        (child, ()) for child in reversed(root) if _local(child) not in ("", "head")
    ]
    while stack:
        element, folders = stack.pop()
        if _local(element) == "outline":
            attributes = _plain_attributes(element)
            yield element, attributes, folders
            name = _name(attributes)
            folders = (*folders, *(p.strip() for p in name.split("/") if p.strip()))
        stack.extend((child, folders) for child in reversed(element) if _local(child))


def _local(element: Any) -> str:
    # Comments and processing instructions have no name; a default namespace is ignored.
    tag = element.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _holds_outlines(element: Any) -> bool:
    return any(_local(child) == "outline" for child in element)


def _plain_attributes(outline: Any) -> dict[str, str]:
    # Readers spell them xmlUrl, xmlurl or xmlURL: read un-namespaced names in lower case.
    return {
        str(key).lower(): str(value)
        for key, value in outline.attrib.items()
        if not str(key).startswith("{")
    }


def _name(attributes: Mapping[str, str]) -> str:
    return (attributes.get("title") or attributes.get("text") or "").strip()


def _label(attributes: Mapping[str, str]) -> str:
    # An outline without a name (Tiny Tiny RSS's settings) is shown by its first attribute.
    first = next(iter(attributes.items()), None)
    return _name(attributes) or (f"{first[0]}={first[1]}" if first else "empty")


def _not_a_feed(kind: str, url: str) -> str | None:
    """Why an outline is not a feed we can poll, or None for a feed."""
    if url and _LOCAL.match(url):
        return "a local command, not a feed URL"
    if _SCRAPED.search(kind):
        return f"type {kind!r}, a web page scraped by its reader, not a feed"
    if kind.lower() in _NOT_FEEDS or (
        not url and kind.lower() not in ("", "folder", "rss", "atom")
    ):
        return f"type {kind!r}, not a feed"
    if not url and kind:
        return f"type {kind!r} without an xmlUrl"
    if not url:
        return "no xmlUrl and nothing inside: a note, separator or empty folder"
    return None


def _feed_url(attributes: Mapping[str, str]) -> str:
    url = attributes.get("xmlurl", "").strip()
    if not url and attributes.get("type", "").lower() in ("rss", "atom"):
        url = attributes.get("url", "").strip()  # a feed outline some readers write
    # feed:// and feed:https:// are readers' pseudo-schemes for an http(s) feed.
    if url.lower().startswith("feed:"):
        rest = url[5:]
        url = rest if rest.lower().startswith(("http://", "https://")) else "http:" + rest
    return url


def _attribute_value(name: str, value: str) -> Any:
    # Strings are written bare, everything else as JSON (numbers, booleans, rule lists).
    if name == "id" or not value or value[0] not in '[{"-0123456789tfn':
        return value
    try:
        return orjson.loads(value)
    except orjson.JSONDecodeError:
        return value


def _host(url: str) -> str:
    # split_url: an unbalanced "[" in an outline's URL made urllib raise, which ended the
    # whole import; parse_sources refuses that outline with its reason instead.
    parts = split_url(url)
    return (parts.hostname if parts else None) or ""


def _slug(name: str, url: str) -> str:
    # Accents fold to ASCII ("Actualités": "actualites"); a title with no Latin letters at
    # all names the feed by its host rather than "feed", "feed-2", ...
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    for text in (folded, _host(url)):
        slug = _SLUG.sub("-", text.lower()).strip("-")[:48].strip("-")
        if slug:
            return slug
    return "feed"
