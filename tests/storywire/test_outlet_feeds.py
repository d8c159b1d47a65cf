"""Feeds as real outlets publish them: recorded under tests/storywire/feeds/, read end to end.

Each fixture is one outlet's format (from its public feeds), trimmed to a few items; the checks
are on what consumers get: title, text, published, url, author, language.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from storywire.feeds import parse_feed
from storywire.models import Article, Source
from storywire.processing import build_article

FEEDS = Path(__file__).resolve().parent / "feeds"
NOW = datetime(2026, 11, 28, tzinfo=UTC)


def _articles(name: str, *, url: str = "https://feeds.example.org/feed") -> list[Article]:
    body = (FEEDS / name).read_bytes()
    feed = parse_feed(body, now=NOW, url=url)
    source = Source(id="t", url=url, outlet=feed.title or "T", domain="example.org")
    return [
        build_article(source, f"k{i}", entry, fetched_at=NOW)
        for i, entry in enumerate(feed.entries)
    ]


def test_xml_base_on_the_feed_and_the_entry_resolves_content_links() -> None:
    """Relative links in Atom content are relative to xml:base (feed, entry, content), not to
    the entry's link, which may be on another host (an AMP or CDN copy)."""
    first, second = _articles("atom_xml_base.xml")
    assert first.url == "https://example.org/articles/entry-one"
    assert first.html is not None
    assert 'href="https://www.example.org/news/photos/a.html"' in first.html
    assert 'src="https://www.example.org/news/2026/11/25/img/chart.png"' in first.html
    assert second.html is not None
    assert 'href="https://www.example.org/world/more.html"' in second.html
    assert "Geneva" in second.text
