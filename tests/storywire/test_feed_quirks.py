"""Feed quirks that other readers and parsers were reported to break on, read end to end.

Each fixture under tests/storywire/feeds/quirks/ is written after one or more public reports
(the sources below): a minimal feed in the shape the report shows, checked on what consumers
get (title, text, published, url, author, language), and read alike by both parse paths.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storywire.feedfast import parse_fast
from storywire.feeds import _parse_with_feedparser, parse_feed
from storywire.models import Source, iso
from storywire.processing import build_article

QUIRKS = Path(__file__).resolve().parent / "feeds" / "quirks"
NOW = datetime(2026, 11, 28, tzinfo=UTC)
URL = "https://feeds.example.org/feed"

# Where each quirk was reported.
SOURCES = {
    "double_escaped_title.xml": (
        "https://github.com/miniflux/v2/pull/1020",
        "https://github.com/owncloud-archive/news/issues/286",
    ),
    "double_escaped_description.xml": (
        "https://github.com/lemon24/reader/issues/406",
        "https://github.com/Ranchero-Software/NetNewsWire/issues/4527",
    ),
    "escaped_cdata_description.xml": ("https://github.com/kurtmckee/feedparser/issues/440",),
    "enclosure_only_link.xml": (
        "https://github.com/kurtmckee/feedparser/issues/384",
        "https://github.com/miniflux/v2/pull/3557",
    ),
    "atom_several_links.xml": (
        "https://github.com/feedbin/support/issues/571",
        "https://github.com/arminreiter/FeedReader/issues/47",
        "https://github.com/feedbin/feedbin/issues/747",
        "https://github.com/kurtmckee/feedparser/issues/367",
    ),
    "guid_permalink_only.xml": (
        "https://github.com/huggingface/hub-docs/issues/1676",
        "https://github.com/brendanlong/lion-reader/issues/584",
        "https://github.com/sarisia/actions-readme-feed/issues/257",
    ),
    "bom_utf8.xml": (
        "https://github.com/FreshRSS/FreshRSS/issues/1336",
        "https://github.com/nextcloud/news/issues/521",
    ),
    "declared_latin1_is_utf8.xml": (
        "https://github.com/FreshRSS/FreshRSS/issues/1130",
        "https://github.com/FreshRSS/FreshRSS/issues/7510",
    ),
    "relative_links.xml": (
        "https://github.com/danmactough/node-feedparser/issues/171",
        "https://github.com/miniflux/v2/issues/227",
    ),
    "atom_relative_id.xml": (
        "https://github.com/prof18/feed-flow/issues/347",
        "https://github.com/miniflux/v2/issues/899",
    ),
    "html_in_title.xml": (
        "https://github.com/gbif/portal16/issues/153",
        "https://github.com/feedbin/feedbin/issues/232",
    ),
    "atom_html_titles.xml": (
        "https://github.com/miniflux/v2/issues/2953",
        "https://github.com/matklad/matklad.github.io/issues/108",
        "https://github.com/fossar/selfoss/issues/613",
    ),
    "atom_text_constructs.xml": ("https://github.com/okfde/okfn.de/issues/114",),
    "undeclared_prefix.xml": (
        "https://github.com/jpmonette/feed/issues/32",
        "https://github.com/mmcdole/gofeed/issues/303",
    ),
    "dates_odd.xml": (
        "https://github.com/kurtmckee/feedparser/issues/114",
        "https://github.com/nextcloud/news-android/issues/1461",
        "https://github.com/Ranchero-Software/NetNewsWire/issues/2109",
        "https://github.com/rometools/rome/issues/166",
        "https://github.com/NixOS/nixos-homepage/issues/842",
        "https://github.com/fabarea/rss_display/pull/43",
        "https://github.com/scrapinghub/dateparser/issues/395",
    ),
    "jsonfeed_11_authors.json": (
        "https://github.com/Ranchero-Software/NetNewsWire/issues/2758",
        "https://github.com/nmdias/FeedKit/issues/223",
        "https://github.com/mmcdole/gofeed/issues/270",
    ),
    "rdf_prefixed.xml": ("https://github.com/macieklamberski/feedsmith/issues/262",),
    "atom_prefixed.xml": ("https://github.com/macieklamberski/feedsmith/issues/77",),
    "duplicate_guids.xml": ("https://github.com/cocopuff2u/MOFA/issues/24",),
    "rss092_untitled.xml": (
        "https://github.com/RssBandit/RssBandit/issues/579",
        "https://github.com/Etuldan/spaRSS/issues/221",
    ),
    # no report: an RSS item's own <dc:language> beside its channel's <language>
    "item_dc_language.xml": (),
    # content quirks (tests/storywire/clean/test_reported_quirks.py has each alone)
    "wordpress_de_embeds.xml": (
        "https://github.com/Ranchero-Software/NetNewsWire/issues/2868",
        "https://github.com/php-embed/Embed/issues/364",
        "https://developer.yoast.com/features/alternate-formats/rss-feeds/",
        "https://github.com/lwindolf/liferea/issues/1032",
    ),
    "hackernews_comments.xml": (
        "https://github.com/kickscondor/fraidycat/issues/93",
        "https://github.com/lobsters/lobsters/issues/33",
    ),
    "ruby_furigana.xml": ("https://github.com/yanus171/Handy-News-Reader/issues/655",),
}

# (fixture, entry index) -> title, text, published, url, author, language
EXPECTED = {
    ("double_escaped_title.xml", 0): (
        "SEC Alleges 'Bitcoin Savings & Trust' Is a Ponzi Scheme",
        "The regulator said the operator promised weekly returns of 7 percent.",
        "2013-07-24T17:40:00Z",
        "https://news.example.org/story/13/07/24/sec-bitcoin",
        None,
        "en",
    ),
    ("double_escaped_title.xml", 1): (
        "'Text' and \"quotes\" in a headline",
        "The CMS escaped the headline twice before writing the feed.",
        "2013-07-24T16:00:00Z",
        "https://news.example.org/story/2",
        None,
        "en",
    ),
    ("double_escaped_description.xml", 0): (
        "Now",
        "A now page says what I am working on.\n\nThis one is updated monthly.",
        "2026-05-12T00:00:00Z",
        "https://notes.example.net/now/",
        None,
        "en",
    ),
    # feedparser gives an empty description; the escaped CDATA section is the text
    ("escaped_cdata_description.xml", 0): (
        "Brokers expect a rate cut next month",
        "Three of the four largest brokers now expect the central bank to cut rates next month.",
        "2024-04-27T08:26:02Z",
        "https://forum.example.cn/1630191122/288006046",
        "name",
        "en",
    ),
    # a podcast episode: its audio file is the only address it has, not the feed's URL
    ("enclosure_only_link.xml", 0): (
        "With Nick from Love + Radio #17",
        "We talk to Nick about making radio stories that take a year to finish.",
        "2020-03-10T06:00:00Z",
        "https://www.podhost.example/99850/2968933-with-nick.mp3",
        None,
        "en",
    ),
    # Blogger: replies, edit and self links before the alternate one
    ("atom_several_links.xml", 0): (
        "Driving for drama benefit car show",
        "The car show raises money for the high school's drama club every summer.",
        "2022-07-14T13:30:00Z",
        "https://www.spyblog.example/2022/07/driving-for-drama-benefit-car-show.html",
        "Spy Desk",
        "en",
    ),
    # a link without rel is the alternate one: not an alternate of another type, nor the URL
    # an enclosure link carries as its text
    ("atom_several_links.xml", 1): (
        "Linking to Nostr versions of Web content",
        "A modest proposal for Web publishers and Nostr developers",
        "2025-04-20T14:56:51Z",
        "https://nostr.kosmos.example/naddr1qvzqqqr4gupzq8meqkx80g3yuklzymy0",
        None,
        "en",
    ),
    ("guid_permalink_only.xml", 0): (
        "Welcome to the new inference endpoints",
        "Inference endpoints now scale to zero when nobody calls them.",
        "2025-04-07T00:00:00Z",
        "https://huggingface.example/blog/inference-endpoints",
        None,
        "en",
    ),
    # no link, a guid that is not a permalink but is a URL: a page, not the feed's URL
    ("guid_permalink_only.xml", 1): (
        "The event moved to Thursday",
        "The meetup moved to Thursday because the room was booked.",
        "2023-01-11T10:30:09Z",
        "https://meetup.example/events/290867786/",
        None,
        "en",
    ),
    ("bom_utf8.xml", 0): (
        "Lawinengefahr in Tirol steigt nach Neuschnee deutlich",
        "Nach starken Schneefällen warnt der Lawinenwarndienst vor großer Gefahr oberhalb von"
        " 2000 Metern.",
        "2019-07-02T11:52:39Z",
        "https://www.derstandard.example/story/3000000123456/lawinengefahr-in-tirol",
        None,
        "de",
    ),
    ("declared_latin1_is_utf8.xml", 0): (
        "Cherbourg : la rénovation du théâtre commencera en mai",
        "Les travaux du théâtre à l’italienne dureront dix-huit mois, a annoncé la mairie jeudi.",
        "2016-04-21T08:15:00Z",
        "https://www.lamanchelibre.example/actualite-123456-cherbourg-renovation-theatre",
        None,
        "fr",
    ),
    ("relative_links.xml", 0): (
        "The Arc Weekly: new dungeon opens",
        "A new dungeon opens on Tuesday. Read the patch notes.",
        "2016-05-16T19:39:07Z",
        "https://feeds.example.org/en/games/neverwinter/news/detail/11139153-the-arc-weekly",
        None,
        "en",
    ),
    ("atom_relative_id.xml", 0): (
        "Trust But Verify Dependencies",
        "Gradle can verify the checksums of every dependency it downloads.",
        "2024-12-12T00:00:00Z",
        "https://feeds.example.org/2024/12/12/Trust-But-Verify-Dependencies",
        "Aurimas",
        "en",
    ),
    ("atom_relative_id.xml", 1): (
        "Escaped markup in a title",
        "A post linked by a path alone.",
        "2020-12-01T00:00:00Z",
        "https://feeds.example.org/blog/foo",
        None,
        "en",
    ),
    ("html_in_title.xml", 0): (
        "New guide released to support freshwater data publishing",
        "The guide explains how to publish freshwater survey data.",
        "2025-02-11T10:00:00Z",
        "https://www.gbif.example/news/1234/new-guide-freshwater",
        None,
        "en",
    ),
    ("html_in_title.xml", 1): (
        "A free guide to <head> elements",
        "Everything that can go in a document's head.",
        "2017-11-18T15:00:00Z",
        "https://5apps.example/news/stories/head-elements",
        None,
        "en",
    ),
    ("atom_html_titles.xml", 0): (
        "How should <selectedoption> work?",
        "The customisable select element needs a way to show the chosen option.",
        "2024-11-20T01:00:00Z",
        "https://jakearchibald.example/2024/how-should-selectedoption-work/",
        None,
        "en",
    ),
    ("atom_html_titles.xml", 1): (
        "<3 Deno",
        "Deno is a better scripting runtime than I expected.",
        "2023-02-12T00:00:00Z",
        "https://matklad.example/2023/02/12/a-love-letter-to-deno.html",
        None,
        "en",
    ),
    ("atom_html_titles.xml", 2): (
        "LibreOffice Android View (Beta)",
        "The Android viewer is out in beta.",
        "2015-01-21T00:00:00Z",
        "https://planet.documentfoundation.example/libreoffice-android-view",
        None,
        "en",
    ),
    # HTML in a summary of the default type ("text"): read as HTML, as its author meant
    ("atom_text_constructs.xml", 0): (
        "Offene Daten für alle Kommunen",
        "Kommunen sollen ihre Daten offenlegen. Das fordert ein Bündnis aus zwanzig"
        " Organisationen.",
        "2024-10-25T06:00:00Z",
        "https://okfn.example/blog/2024/10/offene-daten-kommunen/",
        None,
        "de",
    ),
    ("undeclared_prefix.xml", 0): (
        "Intro to the new content feed",
        "The full text of the introduction, with the details the summary leaves out.",
        "2015-08-12T11:18:19Z",
        "http://somenet.example/posts/intro",
        None,
        "en",
    ),
    ("dates_odd.xml", 0): (
        "Two-digit year",
        "Posted with a two-digit year.",
        "2024-08-19T15:42:08Z",
        "https://dates.example/1",
        None,
        "en",
    ),
    ("dates_odd.xml", 1): (
        "Month before day",
        "Posted with the month before the day.",
        "2020-05-25T04:45:26Z",
        "https://dates.example/2",
        None,
        "en",
    ),
    ("dates_odd.xml", 2): (
        "Capitals, no space, no zone",
        "Posted in capitals without a zone.",
        "2012-05-23T02:23:01Z",
        "https://dates.example/3",
        None,
        "en",
    ),
    ("dates_odd.xml", 3): (
        "UTC as a zone name",
        "Posted with UTC spelled out.",
        "2022-04-21T18:00:00Z",
        "https://dates.example/4",
        None,
        "en",
    ),
    ("dates_odd.xml", 4): (
        "German month",
        "Posted with a German month.",
        "2026-03-05T08:30:00Z",
        "https://dates.example/5",
        None,
        "en",
    ),
    ("dates_odd.xml", 5): (
        "German month, Mrz",
        "Posted with DIN's abbreviation.",
        "2026-03-06T08:30:00Z",
        "https://dates.example/6",
        None,
        "en",
    ),
    # 1.1's feed "authors" for an item without; content_text only; a numeric id
    ("jsonfeed_11_authors.json", 0): (
        "Cats are neat.",
        "Cats are neat.\n\nhttps://microblog.example/cats",
        "2016-02-09T21:22:00Z",
        "https://microblog.example/2347259",
        "Brent Simmons",
        "en",
    ),
    # the item's "authors" win over its deprecated "author"
    ("jsonfeed_11_authors.json", 1): (
        "Dogs",
        "Dogs are neat too.",
        "2016-02-10T16:00:00Z",
        "https://microblog.example/2347260",
        "Guest Writer",
        "en",
    ),
    ("rdf_prefixed.xml", 0): (
        "Prefixed item",
        "An item whose elements all carry the rss: prefix.",
        "2026-03-14T10:00:00Z",
        "http://prefixed.example/1",
        None,
        "en",
    ),
    ("atom_prefixed.xml", 0): (
        "Example entry",
        "An entry whose elements carry the a: prefix.",
        "2025-06-30T12:00:00Z",
        "https://example.com/entry",
        None,
        "en",
    ),
    ("duplicate_guids.xml", 0): (
        "Word 16.91 released",
        "Word 16.91 fixes a crash on opening large documents.",
        "2026-07-10T10:00:00Z",
        "https://mofa.example/word/16.91",
        None,
        "en",
    ),
    ("duplicate_guids.xml", 1): (
        "Excel 16.91 released",
        "Excel 16.91 speeds up pivot tables.",
        "2026-07-10T09:00:00Z",
        "https://mofa.example/excel/16.91",
        None,
        "en",
    ),
    # RSS 0.92: no title, no link, no date; the text's first line is the title
    ("rss092_untitled.xml", 0): (
        "It's been a week since the last update; the server moved to a new data centre in the"
        " meantime.",
        "It's been a week since the last update; the server moved to a new data centre in the"
        " meantime.",
        "2026-11-28T00:00:00Z",
        "https://feeds.example.org/feed",
        None,
        "en",
    ),
    # too little text to detect: the item's own language, not its channel's
    ("item_dc_language.xml", 0): (
        "Gotthard",
        "Ok.",
        "2026-11-27T09:00:00Z",
        "https://www.swissinfo.example/ita/gotthard/1",
        None,
        "it",
    ),
    ("item_dc_language.xml", 1): (
        "Lawinen",
        "Ja.",
        "2026-11-27T08:00:00Z",
        "https://www.swissinfo.example/ger/lawinen/2",
        None,
        "de",
    ),
    # the emoji image is its character; the embedded tweet (classes stripped) and Yoast's
    # German footer are not the article
    ("wordpress_de_embeds.xml", 0): (
        "Neue Radwege in der Innenstadt",
        "Der Stadtrat hat am Donnerstag drei neue Radwege beschlossen 🚲. Die Strecken sollen"
        " bis 2028 fertig sein.\n\nDie Kosten liegen bei 12 Millionen Euro, davon trägt das"
        " Land 40 Prozent.",
        "2026-11-27T08:30:00Z",
        "https://stadtblog.example.de/2026/11/radwege/",
        "Anna Beispiel",
        "de",
    ),
    # an excerpt: "[…]" is its ellipsis, "Weiterlesen" its link
    ("wordpress_de_embeds.xml", 1): (
        "Haushalt 2027 verabschiedet",
        "Der Stadtrat hat den Haushalt für 2027 mit großer Mehrheit verabschiedet. …",
        "2026-11-26T17:00:00Z",
        "https://stadtblog.example.de/2026/11/haushalt/",
        "Anna Beispiel",
        "de",
    ),
    # the description is a link to the comments, and nothing of the article
    ("hackernews_comments.xml", 0): (
        "A Peek into the Physics of a Server Chip",
        "",
        "2026-03-10T15:56:40Z",
        "https://www.chips.example/show/15578/a-peek-into-the-physics",
        None,
        "en",
    ),
    # furigana (ruby readings) are set above their words, not in the sentence
    ("ruby_furigana.xml", 0): (
        "東京で桜が咲いた",
        "東京で桜が咲きました。去年より早いです。",
        "2026-03-28T00:00:00Z",
        "https://www3.nhk.example/news/easy/k10012745171000/k10012745171000.html",
        None,
        "ja",
    ),
}


def _article(name: str, index: int) -> tuple[object, ...]:
    feed = parse_feed((QUIRKS / name).read_bytes(), now=NOW, url=URL)
    source = Source(id="t", url=URL, outlet=feed.title or "T", domain="example.org")
    article = build_article(source, f"k{index}", feed.entries[index], fetched_at=NOW)
    return (article.title, article.text, iso(article.published), article.url, article.author,
            article.language)  # fmt: skip


@pytest.mark.parametrize(("fixture", "index"), list(EXPECTED), ids=str)
def test_what_consumers_get_from_each_quirk(fixture: str, index: int) -> None:
    assert _article(fixture, index) == EXPECTED[fixture, index]


XML_QUIRKS = sorted(QUIRKS.glob("*.xml"))


@pytest.mark.parametrize("path", XML_QUIRKS, ids=[p.name for p in XML_QUIRKS])
def test_quirks_read_alike_by_both_parse_paths(path: Path) -> None:
    body = path.read_bytes()
    headers = {"content-location": URL}
    slow = _parse_with_feedparser(body, dict(headers), NOW, None)
    assert slow.entries
    if parse_fast(body, headers) is not None:
        assert replace(parse_feed(body, now=NOW, url=URL), warning=None) == replace(
            slow, warning=None
        )


def test_every_quirk_has_a_fixture_a_source_and_expectations() -> None:
    names = {path.name for path in QUIRKS.iterdir()}
    assert names == set(SOURCES) == {name for name, _ in EXPECTED}
