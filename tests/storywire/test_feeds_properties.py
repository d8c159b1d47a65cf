"""Properties of parse_feed: whatever the bytes, a ParsedFeed or a FeedError, nothing else."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from storywire.feeds import FeedError, ParsedFeed, parse_feed

NOW = datetime(2026, 11, 26, tzinfo=UTC)
RECORDED = sorted((Path(__file__).resolve().parents[2] / "seeds" / "recorded").glob("*/*.*"))
SAMPLES = [p.read_bytes() for p in RECORDED if p.suffix in (".xml", ".json")]


def _parse_or_feed_error(body: bytes, headers: dict[str, str] | None = None) -> ParsedFeed | None:
    try:
        feed = parse_feed(body, now=NOW, headers=headers, url="https://x.example/feed")
    except FeedError:
        return None
    assert feed.title is None or isinstance(feed.title, str)
    for entry in feed.entries:
        assert isinstance(entry.title, str)
        for text in (entry.link, entry.guid, entry.author):
            assert text is None or isinstance(text, str)
        assert entry.published is not None
        assert entry.published <= NOW
    return feed


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000))
def test_arbitrary_bytes(body: bytes) -> None:
    """Random bytes never raise anything but FeedError."""
    _parse_or_feed_error(body)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    sample=st.sampled_from(SAMPLES),
    cuts=st.lists(
        st.tuples(st.floats(0, 1), st.integers(0, 40), st.binary(max_size=8)), max_size=6
    ),
    content_type=st.sampled_from(["", "application/xml", "text/xml", "text/html; charset=latin-1"]),
)
@example(  # once found here: feedparser returned a dict for a mangled <syn:updatePeriod>
    sample=(RECORDED[0].parents[1] / "dw" / "3.xml").read_bytes(),
    cuts=[(0.5, 18, b""), (0.12890625, 1, b"\t")],
    content_type="",
)
def test_mangled_recorded_feeds(
    sample: bytes, cuts: list[tuple[float, int, bytes]], content_type: str
) -> None:
    """Recorded feeds with bytes cut out and junk spliced in parse or fail cleanly."""
    body = bytearray(sample)
    for where, length, junk in cuts:
        at = int(where * len(body))
        body[at : at + length] = junk
    _parse_or_feed_error(bytes(body), {"Content-Type": content_type} if content_type else None)


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)
ITEM_KEYS = ["id", "url", "external_url", "title", "content_html", "content_text", "summary",
             "date_published", "date_modified", "author", "authors"]  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(st.lists(st.dictionaries(st.sampled_from(ITEM_KEYS), JSON_VALUES, max_size=8), max_size=5))
def test_json_feed_items_of_any_shape(items: list[dict[str, Any]]) -> None:
    """JSON Feed items with fields of the wrong types give entries with sane types."""
    body = orjson.dumps({"version": "https://jsonfeed.org/version/1.1", "title": 5, "items": items})
    feed = _parse_or_feed_error(body)
    assert feed is not None
    assert len(feed.entries) == len(items)


def test_deeply_nested_json_is_a_feed_error() -> None:
    """A JSON nesting bomb is refused cleanly, not a RecursionError."""
    body = b'{"version": "https://jsonfeed.org/version/1.1", "items": ' + b"[" * 100_000
    assert _parse_or_feed_error(body) is None
