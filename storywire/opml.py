"""OPML 2.0 import and export of sources, so operators can move feed lists in and out.

Plain OPML readers see ``text``, ``title``, ``type="rss"``, ``xmlUrl`` and ``htmlUrl``. Every
other field of a source (id, domain, intervals, rules, ...) travels in attributes of our own
namespace, as OPML 2.0 allows, so an export imports back to the same sources.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any
from urllib.parse import urlsplit

import orjson
from lxml import etree

from storywire.models import Source
from storywire.sources import PrivateHostError, SourceConfigError, parse_sources

NS = "https://github.com/storywire/storywire/opml"
_ATTR = "{%s}%s"
_BASIC = ("id", "url", "outlet")
_SLUG = re.compile(r"[^a-z0-9]+")


class OpmlError(ValueError):
    """The document is not OPML we can read; the message is one line."""


def to_opml(sources: Sequence[Source], *, title: str = "storywire sources") -> bytes:
    """An OPML 2.0 document with one ``outline type="rss"`` per source."""
    root = etree.Element("opml", version="2.0", nsmap={"storywire": NS})
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = title
    etree.SubElement(head, "dateCreated").text = format_datetime(datetime.now(UTC), usegmt=True)
    body = etree.SubElement(root, "body")
    for source in sources:
        outline = etree.SubElement(body, "outline")
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
    polled = set(known.values())
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise OpmlError(f"not XML: {exc}") from exc
    if root.tag != "opml":
        raise OpmlError(f"root element is <{root.tag}>, not <opml>")
    sources: list[Source] = []
    updates: set[str] = set()
    skipped: list[str] = []
    private: list[str] = []
    seen: set[str] = set()
    taken = set(known)
    already = duplicates = 0
    field_names = {f.name for f in fields(Source)}
    for number, outline in enumerate(root.iter("outline"), start=1):
        url = _feed_url(outline)
        if not url:
            continue  # a category, or a link outline
        name = (outline.get("title") or outline.get("text") or "").strip()
        name = name or urlsplit(url).hostname or url
        raw: dict[str, Any] = {"url": url, "outlet": name}
        for key, value in outline.attrib.items():
            local = etree.QName(key)
            if local.namespace == NS and local.localname in field_names:
                raw[local.localname] = _attribute_value(local.localname, str(value))
        if url in seen:
            duplicates += 1
            continue
        seen.add(url)
        own_id = str(raw.get("id") or "")
        if own_id in known:
            updates.add(own_id)
        elif url in polled:
            already += 1
            continue
        else:
            raw["id"] = _unique_id(own_id or _slug(name, url), taken)
        try:
            (source,) = parse_sources([raw], origin=f"outline #{number}")
        except SourceConfigError as exc:
            left_out = private if isinstance(exc, PrivateHostError) else skipped
            left_out.append(str(exc).replace(": source #1", "", 1))
            updates.discard(own_id)
            continue
        taken.add(source.id)
        sources.append(source)
    if not sources and not already and not duplicates and not private:
        raise OpmlError("; ".join(skipped) if skipped else "no outline with an xmlUrl")
    return OpmlRead(
        sources, frozenset(updates), already, duplicates, tuple(skipped), tuple(private)
    )


def _feed_url(outline: Any) -> str:
    url = str(outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
    if not url and str(outline.get("type", "")).lower() in ("rss", "atom"):
        url = str(outline.get("url") or "").strip()  # a feed outline some readers write
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


def _slug(name: str, url: str) -> str:
    # Accents fold to ASCII ("Actualités": "actualites"); a title with no Latin letters at
    # all names the feed by its host rather than "feed", "feed-2", ...
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    for text in (folded, urlsplit(url).hostname or ""):
        slug = _SLUG.sub("-", text.lower()).strip("-")[:48].strip("-")
        if slug:
            return slug
    return "feed"


def _unique_id(candidate: str, taken: set[str]) -> str:
    unique, n = candidate, 2
    while unique in taken:
        unique = f"{candidate}-{n}"
        n += 1
    return unique
