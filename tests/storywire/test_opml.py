"""OPML 2.0: our export imports back to the same sources; other readers' OPML imports too."""

from __future__ import annotations

from pathlib import Path

import pytest

from storywire.models import Source
from storywire.opml import OpmlError, from_opml, to_opml
from storywire.sources import load_sources

SEEDS = Path(__file__).resolve().parents[2] / "seeds" / "sources.toml"


def test_round_trip_of_the_default_sources() -> None:
    """Every field of every seeded source survives export and import."""
    sources = load_sources(SEEDS)
    assert from_opml(to_opml(sources)) == sources


def test_round_trip_keeps_non_default_fields() -> None:
    """Intervals, allow_private and a non-derived domain come back as they were."""
    source = Source(id="odd", url="http://10.0.0.5/feed.xml", outlet="Intranet & Co",
                    domain="intranet", allow_private=True, min_interval=60.0,
                    max_interval=600.0)  # fmt: skip
    assert from_opml(to_opml([source])) == [source]


def test_plain_opml_from_another_reader() -> None:
    """Nested categories, text-only titles and clashing names become unique, valid ids."""
    document = b"""<?xml version="1.0" encoding="utf-8"?>
<opml version="1.0"><head><title>My feeds</title></head><body>
<outline text="News"><outline text="BBC World" type="rss" xmlUrl="https://feeds.bbci.co.uk/news/world/rss.xml"/>
<outline title="BBC World" text="x" type="rss" xmlUrl="https://feeds.bbci.co.uk/news/uk/rss.xml"/></outline>
<outline text="Just a link" type="link" url="https://example.org/"/>
</body></opml>"""
    first, second = from_opml(document)
    assert (first.id, first.outlet, first.domain) == ("bbc-world", "BBC World", "bbci.co.uk")
    assert second.id == "bbc-world-2"


@pytest.mark.parametrize(
    "document",
    [b"not xml", b"<rss/>", b"<opml version='2.0'><body/></opml>",
     b"<opml><body><outline xmlUrl='ftp://x/y'/></body></opml>"],
)  # fmt: skip
def test_bad_documents_raise_opml_error(document: bytes) -> None:
    """Garbage, a wrong root, no feeds, or a non-http feed URL give one clear error."""
    with pytest.raises(OpmlError):
        from_opml(document)


def test_entities_in_opml_are_not_expanded() -> None:
    """An OPML file with an external entity is refused, never read from the local disk."""
    document = b"""<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY x SYSTEM "file:///etc/hostname">]>
<opml version="2.0"><body><outline text="&x;" xmlUrl="https://x.com/feed"/></body></opml>"""
    with pytest.raises(OpmlError, match="external entity"):
        from_opml(document)
