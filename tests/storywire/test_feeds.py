"""Feed parsing: RSS, Atom and JSON Feed in; typed entries out; bad input a FeedError."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from storywire.feeds import FeedError, parse_feed

NOW = datetime(2026, 11, 26, tzinfo=UTC)

RSS = b"""<?xml version="1.0" encoding="windows-1252"?>
<rss version="2.0"><channel><title>T</title><ttl>30</ttl>
<item><guid>g1</guid><link>https://x.com/a</link><title>Caf\xe9 opens</title>
<description>&lt;p&gt;Hello&lt;/p&gt;</description><pubDate>Mon, 24 Nov 2026 10:00:00 +0800</pubDate></item>
<item><title>Future</title><link>https://x.com/b</link><pubDate>Mon, 24 Nov 2031 10:00:00 GMT</pubDate></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><id>urn:a</id><updated>2026-11-24T00:00:00Z</updated>
<entry><id>urn:e1</id><title>E</title><link href="https://y.com/e"/><updated>2026-11-24T01:00:00Z</updated>
<content type="html">&lt;p&gt;Body&lt;/p&gt;</content><author><name>Ann</name></author></entry></feed>"""

JSON_FEED = b"""{"version": "https://jsonfeed.org/version/1.1", "title": "J",
"items": [{"id": "1", "url": "https://z.com/1", "title": "J1", "content_text": "para one\\n\\npara two",
"date_published": "2026-11-24T10:00:00Z", "authors": [{"name": "Bo"}]}]}"""


def test_rss_with_declared_encoding_and_timezones() -> None:
    """windows-1252 bytes decode right, dates become UTC, future dates fall back to now."""
    feed = parse_feed(RSS, now=NOW)
    first, future = feed.entries
    assert first.title == "Café opens"
    assert first.published == datetime(2026, 11, 24, 2, tzinfo=UTC)
    assert first.summary_html == "<p>Hello</p>"
    assert future.published == NOW
    assert feed.ttl_seconds == 1800


def test_atom_entry() -> None:
    """Atom content, link, id and author map onto the entry."""
    (entry,) = parse_feed(ATOM, now=NOW).entries
    assert (entry.guid, entry.link, entry.author) == ("urn:e1", "https://y.com/e", "Ann")
    assert entry.content_html == "<p>Body</p>"


def test_json_feed() -> None:
    """JSON Feed 1.1 items parse, plain text becomes paragraphs."""
    feed = parse_feed(JSON_FEED, now=NOW)
    (entry,) = feed.entries
    assert feed.version == "json11"
    assert entry.content_html == "<p>para one</p><p>para two</p>"
    assert entry.author == "Bo"


@pytest.mark.parametrize(
    "body", [b"", b"<html><body>not a feed</body></html>", b'{"a": 1}', b"{bad"]
)
def test_garbage_is_a_feed_error(body: bytes) -> None:
    """Bytes that are no feed raise FeedError with a reason, never anything else."""
    with pytest.raises(FeedError):
        parse_feed(body, now=NOW)
