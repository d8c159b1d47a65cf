"""OPML 2.0 import and export of sources, so operators can move feed lists in and out.

Plain OPML readers see ``text``, ``title``, ``type="rss"``, ``xmlUrl`` and ``htmlUrl``. Every
other field of a source (id, domain, intervals, rules, ...) travels in attributes of our own
namespace, as OPML 2.0 allows, so an export imports back to the same sources.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import fields
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any
from urllib.parse import urlsplit

import orjson
from lxml import etree

from storywire.models import Source
from storywire.sources import SourceConfigError, parse_sources

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


def from_opml(data: bytes) -> list[Source]:
    """Every feed outline of an OPML 1.0/2.0 document (nested categories included)."""
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise OpmlError(f"not XML: {exc}") from exc
    if root.tag != "opml":
        raise OpmlError(f"root element is <{root.tag}>, not <opml>")
    raw_sources: list[dict[str, Any]] = []
    taken: set[str] = set()
    known = {f.name for f in fields(Source)}
    for outline in root.iter("outline"):
        url = outline.get("xmlUrl") or outline.get("xmlurl")
        if not url:
            continue  # a category, or a link outline
        name = outline.get("title") or outline.get("text") or urlsplit(url).hostname or url
        raw: dict[str, Any] = {"url": url.strip(), "outlet": name.strip()}
        for key, value in outline.attrib.items():
            local = etree.QName(key)
            if local.namespace == NS and local.localname in known:
                raw[local.localname] = _attribute_value(local.localname, str(value))
        raw["id"] = _unique_id(str(raw.get("id") or _slug(name)), taken)
        raw_sources.append(raw)
    if not raw_sources:
        raise OpmlError("no outline with an xmlUrl")
    try:
        return parse_sources(raw_sources, origin="opml")
    except SourceConfigError as exc:
        raise OpmlError(str(exc)) from exc


def _attribute_value(name: str, value: str) -> Any:
    # Strings are written bare, everything else as JSON (numbers, booleans, rule lists).
    if name == "id" or not value or value[0] not in '[{"-0123456789tfn':
        return value
    try:
        return orjson.loads(value)
    except orjson.JSONDecodeError:
        return value


def _slug(name: str) -> str:
    slug = _SLUG.sub("-", name.lower()).strip("-")[:48]
    return slug or "feed"


def _unique_id(candidate: str, taken: set[str]) -> str:
    unique, n = candidate, 2
    while unique in taken:
        unique = f"{candidate}-{n}"
        n += 1
    taken.add(unique)
    return unique
