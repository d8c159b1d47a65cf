"""Each entry's lead image and the feed's own categories, from every form feeds give them in.

Fixtures under tests/storywire/feeds/media/ hold one entry per source form. Each is read end
to end (parse, then the process stage's ``build_article``, which falls back on the content's
first real image), and the lxml fast path must answer where it can and agree with feedparser.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storywire.feedfast import parse_fast
from storywire.feeds import (
    CATEGORY_CHARS,
    MAX_CATEGORIES,
    _parse_with_feedparser,
    entry_categories,
    parse_feed,
)
from storywire.models import Article, Entry, Source
from storywire.processing import build_article

MEDIA = Path(__file__).resolve().parent / "feeds" / "media"
NOW = datetime(2026, 11, 28, tzinfo=UTC)
URL = "https://feeds.example.org/feed"


def _articles(name: str) -> list[Article]:
    feed = parse_feed((MEDIA / name).read_bytes(), now=NOW, url=URL)
    source = Source(id="t", url=URL, outlet="T", domain="example.org")
    return [build_article(source, f"k{i}", e, fetched_at=NOW) for i, e in enumerate(feed.entries)]


# (fixture, entry index) -> the entry's image as the feed names it, the article's image,
# the categories
EXPECTED: dict[tuple[str, int], tuple[str | None, str | None, tuple[str, ...]]] = {
    # media:content: the widest of several sizes, whatever their order
    ("rss_images.xml", 0): (
        "https://i.example.com/img/sizes.jpg?width=1200&s=3",
        "https://i.example.com/img/sizes.jpg?width=1200&s=3",
        ("Ukraine", "Russia"),  # trimmed; "ukraine" repeats the first spelling
    ),
    # media:content of another medium (a video) is no image, however wide
    ("rss_images.xml", 1): (
        "https://i.example.com/still.png",
        "https://i.example.com/still.png",
        ("World News", "Europe", "Prisoner exchange"),  # dc:subject too; empty ones dropped
    ),
    # media:thumbnail nested in media:group, relative to the entry's link
    ("rss_images.xml", 2): (
        "https://news.example.com/images/group-thumb.jpg",
        "https://news.example.com/images/group-thumb.jpg",
        (),
    ),
    # an enclosure of an image type (any case), not the audio one before it
    ("rss_images.xml", 3): (
        "https://i.example.com/enclosure.JPG",
        "https://i.example.com/enclosure.JPG",
        (),
    ),
    # data: and javascript: URLs are no image: the thumbnail after them is
    ("rss_images.xml", 4): (
        "https://i.example.com/schemes-thumb.jpg",
        "https://i.example.com/schemes-thumb.jpg",
        (),
    ),
    # none in the feed: the content's first image that is no tracking pixel nor emoji,
    # resolved against the entry's link
    ("rss_images.xml", 5): (
        None,
        "https://news.example.com/world/2026/11/photos/content.jpg",
        (),
    ),
    # WordPress.com lists the author's Gravatar among an item's media:content
    ("rss_images.xml", 6): (
        "https://news.example.com/uploads/2026/11/library.jpg",
        "https://news.example.com/uploads/2026/11/library.jpg",
        (),
    ),
    ("rss_images.xml", 7): (None, None, ()),
    # itunes:image of the episode (the channel's is the show's, not the entry's)
    ("rss_itunes.xml", 0): (
        "https://pod.example.com/episodes/12/art.jpg",
        "https://pod.example.com/episodes/12/art.jpg",
        ("News",),
    ),
    # Atom link rel="enclosure" of an image type; category label, else term
    ("atom_images.xml", 0): (
        "https://blog.example.org/media/enclosure.webp",
        "https://blog.example.org/media/enclosure.webp",
        ("World", "europe"),
    ),
    ("atom_images.xml", 1): (
        "https://blog.example.org/2026/11/thumbs/two.jpg",
        "https://blog.example.org/2026/11/thumbs/two.jpg",
        (),
    ),
    # JSON Feed: image before banner_image; tags (strings only)
    ("jsonfeed_images.json", 0): (
        "https://json.example.net/img/one.jpg",
        "https://json.example.net/img/one.jpg",
        ("Politics", "Elections 2026"),
    ),
    ("jsonfeed_images.json", 1): (
        "https://json.example.net/img/two-banner.jpg",
        "https://json.example.net/img/two-banner.jpg",
        (),
    ),
    ("jsonfeed_images.json", 2): (None, "https://json.example.net/img/three-inline.jpg", ()),
}


@pytest.mark.parametrize(("fixture", "index"), list(EXPECTED), ids=str)
def test_image_and_categories_of_each_source_form(fixture: str, index: int) -> None:
    feed = parse_feed((MEDIA / fixture).read_bytes(), now=NOW, url=URL)
    entry = feed.entries[index]
    article = _articles(fixture)[index]
    assert (entry.image, article.image, article.categories) == EXPECTED[fixture, index]
    assert entry.categories == article.categories


def test_every_entry_of_every_media_fixture_is_expected() -> None:
    counted = {
        name: len(parse_feed((MEDIA / name).read_bytes(), now=NOW, url=URL).entries)
        for name in {n for n, _ in EXPECTED}
    }
    assert sorted(EXPECTED) == sorted((n, i) for n, c in counted.items() for i in range(c))
    assert {p.name for p in MEDIA.iterdir()} == set(counted)


XML_MEDIA = sorted(MEDIA.glob("*.xml"))
# The fast path mirrors feedparser for every form here but iTunes' namespace, left to it.
FAST = {"rss_images.xml", "atom_images.xml"}


@pytest.mark.parametrize("path", XML_MEDIA, ids=[p.name for p in XML_MEDIA])
def test_both_parse_paths_give_the_same_images_and_categories(path: Path) -> None:
    body = path.read_bytes()
    headers = {"content-location": URL}
    slow = _parse_with_feedparser(body, dict(headers), NOW, None)
    fast = parse_fast(body, headers)
    assert (fast is not None) == (path.name in FAST)
    if fast is not None:
        assert replace(parse_feed(body, now=NOW, url=URL), warning=None) == replace(
            slow, warning=None
        )


def test_categories_are_bounded_in_count_and_length() -> None:
    many = [f"tag {i}" for i in range(MAX_CATEGORIES + 10)]
    assert entry_categories(many) == tuple(many[:MAX_CATEGORIES])
    (long,) = entry_categories(["word " * 100])
    assert len(long) <= CATEGORY_CHARS
    assert long == long.strip()
    assert entry_categories(["a\u00a0\tb", "A B", None, 3, "  "]) == ("a b",)


def test_records_written_before_images_and_categories_still_load() -> None:
    """Ledger, pending and task-message dicts of the last release have neither key."""
    article = Article(
        id="ar_1", source_id="s", outlet="O", url="https://o.example/a", title="T", text="x",
        published=NOW, content_hash="h", image="https://o.example/a.jpg", categories=("A",),
    )  # fmt: skip
    assert Article.from_dict(article.to_dict()) == article
    old = article.to_dict()
    del old["image"], old["categories"]
    assert Article.from_dict(old) == replace(article, image=None, categories=())
    entry = Entry(
        guid="g", link="https://o.example/a", title="T", summary_html="", content_html="<p>x</p>",
        published=NOW, image="https://o.example/a.jpg", categories=("A", "B"),
    )  # fmt: skip
    assert Entry.from_dict(entry.to_dict()) == entry
    old = entry.to_dict()
    del old["image"], old["categories"]
    assert Entry.from_dict(old) == replace(entry, image=None, categories=())


def test_an_image_or_category_change_alone_is_no_change_of_the_article() -> None:
    """Neither the fetch stage's change detector nor the content hash reads them: a deploy
    that starts reading them re-announces nothing, and an entry whose image or categories
    alone change is not announced again until its text does (docs/events.md)."""
    from tasks.fetch import _raw_hash  # noqa: PLC0415 - the fetch task's detector

    source = Source(id="t", url=URL, outlet="T", domain="example.org")
    before = Entry(
        guid="g", link="https://o.example/a", title="Talks resume", summary_html="",
        content_html="<p>Negotiators meet next week.</p>", published=NOW,
    )  # fmt: skip
    after = replace(before, image="https://o.example/a.jpg", categories=("World",))
    assert _raw_hash(before) == _raw_hash(after)
    old, new = (build_article(source, "k", e, fetched_at=NOW) for e in (before, after))
    assert old.content_hash == new.content_hash
    assert (new.image, new.categories) == ("https://o.example/a.jpg", ("World",))


def test_a_relative_image_joined_to_a_link_holding_a_control_is_no_image() -> None:
    """An image's own URL was checked for controls, not the entry link it was made absolute
    against: a link whose host held NUL bytes (a UTF-16 feed read as UTF-8) gave the article
    an image URL with them, into its events. No address can be made of such a link."""
    body = (
        b'<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>T'
        b"</title><item><title>Quake</title><link>https://news.exa\x01\x00mple.com/quake</link>"
        b'<description>A quake.</description><media:content medium="image"'
        b' url="/images/quake.jpg"/></item></channel></rss>'
    )
    (entry,) = parse_feed(body, now=NOW, url=URL).entries
    assert entry.image is None
    source = Source(id="t", url=URL, outlet="T", domain="example.org")
    assert build_article(source, "k", entry, fetched_at=NOW).image is None
