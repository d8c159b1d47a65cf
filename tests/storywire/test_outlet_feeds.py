"""Feeds as real outlets publish them: recorded under tests/storywire/feeds/, read end to end.

Each fixture is one outlet's format (from its public feeds), trimmed to a few items; the checks
are on what consumers get: title, text, published, url, author, language.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from storywire.feeds import parse_feed
from storywire.models import Article, Source, iso
from storywire.processing import build_article

FEEDS = Path(__file__).resolve().parent / "feeds"
NOW = datetime(2026, 11, 28, tzinfo=UTC)


def _articles(
    name: str, *, url: str = "https://feeds.example.org/feed", timezone: str | None = None
) -> list[Article]:
    body = (FEEDS / name).read_bytes()
    feed = parse_feed(body, now=NOW, url=url, timezone=ZoneInfo(timezone) if timezone else None)
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


# (fixture, source timezone, entry index) -> title, text, published, url, author, language
OUTLETS = {
    ("bbc.xml", None, 0): (
        "Ukraine and Russia agree to resume prisoner talks",
        "Negotiators will meet in Istanbul next week, officials on both sides say.",
        "2026-11-27T15:48:21Z",
        "https://bbc.com/news/articles/c9d4x1y2z3o",
        None,
        "en",
    ),
    ("lemonde.xml", None, 1): (
        "« C'est une question de survie » : à Mayotte, l’eau manque encore",
        "Un an après le cyclone, les habitants attendent toujours.",
        "2026-11-27T13:00:00Z",
        "https://lemonde.fr/planete/article/2026/11/27/mayotte_6543211_3244.html",
        None,
        "fr",
    ),
    # Beijing time with no zone, read in the source's configured zone
    ("xinhua.xml", "Asia/Shanghai", 1): (
        "Typhoon Krovanh makes landfall in Philippines",
        "MANILA, Nov. 27 (Xinhua) -- Typhoon Krovanh made landfall in the northern Philippines"
        " on Friday morning, the weather bureau said.",
        "2026-11-27T01:12:45Z",
        "https://english.news.cn/20261127/b2c3d4e5f6a1/c.html",
        None,
        "en",
    ),
    # "(LEAD)" and "?input=rss" are Yonhap's housekeeping
    ("yonhap.xml", None, 0): (
        "S. Korea, U.S. to hold defense talks next week",
        "SEOUL, Nov. 27 (Yonhap) -- South Korea and the United States will hold defense talks"
        " in Seoul next week, the defense ministry said Friday.",
        "2026-11-27T08:05:11Z",
        "https://en.yna.co.kr/view/AEN20261127003151315",
        None,
        "en",
    ),
    # "mes/dpa/Reuters" closes Spiegel's text
    ("spiegel.xml", None, 0): (
        "Ukraine-Krieg: Kiew und Moskau wollen Gespräche über Gefangenenaustausch fortsetzen",
        "Unterhändler beider Seiten sollen sich kommende Woche in Istanbul treffen.\n\n"
        "Das teilten Vertreter aus Kiew und Moskau mit.",
        "2026-11-27T15:20:00Z",
        "https://spiegel.de/ausland/ukraine-krieg-kiew-und-moskau-a-12345678-90ab-cdef-1234-567890abcdef",
        None,
        "de",
    ),
    # "Con información de EFE." closes El País's
    ("elpais.xml", None, 0): (
        "Ucrania y Rusia acuerdan reanudar las negociaciones sobre prisioneros",
        "Los negociadores de Kiev y Moscú se reunirán la próxima semana en Estambul para"
        " discutir un nuevo canje de prisioneros, según responsables de ambos bandos.",
        "2026-11-27T15:10:22Z",
        "https://elpais.com/internacional/2026-11-27/ucrania-y-rusia-acuerdan.html",
        "María R. Sahuquillo",
        "es",
    ),
    # HTML entities XML does not define (&rsquo;), "— APP" closing the text
    ("dawn.xml", None, 0): (
        "PM’s ‘austerity’ drive — what’s next?",
        "ISLAMABAD: The prime minister’s austerity drive will continue, the finance ministry"
        " said on Friday.",
        "2026-11-27T05:15:32Z",
        "https://dawn.com/news/1912345/pms-austerity-drive",
        "Dawn.com",
        "en",
    ),
    ("dawn.xml", None, 1): (  # a CDATA title with tags in it
        "LIVE: Karachi protests & clashes",
        "Protesters gathered & marched on Friday.",
        "2026-11-27T04:00:00Z",
        "https://dawn.com/live/1912346",
        None,
        None,
    ),
    # an empty description beside a photo: its caption is not the text; a headline alone is
    # too short to detect, and the channel's <language>en-us</language> says what it is in
    ("nyt.xml", None, 1): (
        "Briefing: Your Friday Briefing",
        "",
        "2026-11-27T05:00:04Z",
        "https://nytimes.com/2026/11/27/briefing/friday-briefing.html",
        "Justin Porter",
        "en",
    ),
    ("aljazeera.xml", None, 0): (
        "Ukraine, Russia to resume prisoner exchange talks in Istanbul",
        "Negotiators from Kyiv and Moscow will meet in Istanbul next week to discuss a new"
        " prisoner exchange, officials on both sides say.\n\nThe talks would be the first in months.",
        "2026-11-27T15:30:11Z",
        "https://aljazeera.com/news/2026/11/27/ukraine-russia-to-resume-prisoner-exchange-talks",
        "Al Jazeera Staff",
        "en",
    ),
    ("tass.xml", None, 0): (  # "/TASS/." inside the first sentence: text, kept
        "Kremlin says prisoner talks with Kiev to resume next week",
        "MOSCOW, November 27. /TASS/. Russian and Ukrainian negotiators will meet in Istanbul"
        " next week to discuss a new prisoner exchange, Kremlin Spokesman Dmitry Peskov said.",
        "2026-11-27T14:20:00Z",
        "https://tass.com/politics/1987654",
        None,
        "en",
    ),
    ("toi.xml", None, 0): (  # an ISO date with +05:30 in pubDate, an image link before the text
        "Delhi schools shut as smog worsens; AQI crosses 450",
        "Primary schools in Delhi will stay shut until Monday as the air quality index crossed"
        " 450 in several areas, officials said.",
        "2026-11-27T15:15:10Z",
        "https://timesofindia.indiatimes.com/city/delhi/delhi-schools-shut/articleshow/125678901.cms",
        "TOI City Desk",
        "en",
    ),
    ("toi.xml", None, 1): (  # escaped, double-escaped entities; "IST" is India's
        "India's GDP grows 7.1% in Q2",
        "India's economy grew 7.1% in the July-September quarter, data showed on Friday.",
        "2026-11-27T13:00:00Z",
        "https://timesofindia.indiatimes.com/business/india-business/gdp/articleshow/125678902.cms",
        None,
        "en",
    ),
    ("nhk.xml", None, 0): (
        "ウクライナとロシア 捕虜交換めぐる協議再開へ",
        "ウクライナとロシアの代表団は、来週トルコのイスタンブールで捕虜交換をめぐる協議を再開することで合意しました。",
        "2026-11-27T14:45:00Z",
        "https://www3.nhk.or.jp/news/html/20261127/k10014612345000.html",
        None,
        "ja",
    ),
    ("ansa_rdf.xml", None, 0): (  # RSS 1.0, dc:date only; "(ANSA)." ends a sentence: kept
        "Ucraina e Russia riprendono i colloqui sui prigionieri",
        "I negoziatori si incontreranno la prossima settimana a Istanbul, hanno detto fonti di"
        " entrambe le parti. (ANSA).",
        "2026-11-27T16:40:00Z",
        "https://ansa.it/sito/notizie/mondo/2026/11/27/ucraina-russia_abc.html",
        "Redazione ANSA",
        "it",
    ),
    ("atom_xhtml.xml", None, 0): (  # type="xhtml" title and content
        "Rust & WebAssembly in 2026",
        "Rust compiles to WebAssembly with wasm32-unknown-unknown.\n\n"
        "The toolchain has matured — see the older post.",
        "2026-11-27T09:00:00Z",
        "https://example.org/posts/rust-wasm",
        "Ana Ruiz",
        "en",
    ),
    ("youtube.xml", None, 0): (  # media:group: the video's description is its text
        "Ukraine and Russia to resume prisoner talks",
        "Negotiators from Kyiv and Moscow will meet in Istanbul next week.\n\n"
        "Subscribe: https://www.youtube.com/user/deutschewelleenglish?sub_confirmation=1\n"
        "#Ukraine #Russia",
        "2026-11-27T14:00:11Z",
        "https://youtube.com/watch?v=dQw4w9WgXcQ",
        "DW News",
        "en",
    ),
}


@pytest.mark.parametrize(("fixture", "timezone", "index"), list(OUTLETS), ids=str)
def test_what_consumers_get_from_each_outlets_feed(
    fixture: str, timezone: str | None, index: int
) -> None:
    article = _articles(fixture, timezone=timezone)[index]
    got = (article.title, article.text, iso(article.published), article.url, article.author,
           article.language)  # fmt: skip
    assert got == OUTLETS[fixture, timezone, index]


def test_every_fixture_is_checked() -> None:
    """A fixture added without expectations would only prove that it parses."""
    assert {name for name, _, _ in OUTLETS} | {"atom_xml_base.xml"} == {
        path.name for path in FEEDS.glob("*.xml")
    }
