"""Feeds outside the Latin script and the English web: legacy encodings, localized dates and
language tags as outlets write them, read alike by both parse paths."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from storywire.feeds import parse_feed

NOW = datetime(2026, 11, 28, tzinfo=UTC)
# feedparser's path: a Content-Type the fast path leaves to it.
PATHS = [{}, {"Content-Type": "text/html"}]


def _rss(title: str, *, encoding: str | None, codec: str, extra: str = "") -> bytes:
    declaration = f' encoding="{encoding}"' if encoding else ""
    return (
        f'<?xml version="1.0"{declaration}?><rss version="2.0"><channel><title>T</title>{extra}'
        f"<item><title>{title}</title><link>https://x.org/a</link></item></channel></rss>"
    ).encode(codec)


# Each: a label outlets send (in the declaration or the Content-Type charset), the codec its
# bytes are really in (what browsers read under that label: WHATWG Encoding Standard), a title.
LABELS = [
    ("Shift_JIS", "cp932", "①髙橋 ㈱ 〜"),  # QuiteRSS#383; WHATWG: Shift_JIS is windows-31j
    ("windows-31j", "cp932", "①髙橋"),
    ("x-sjis", "cp932", "東京"),
    ("EUC-KR", "cp949", "김똠이"),  # WHATWG: EUC-KR is Unified Hangul Code
    ("ks_c_5601-1987", "cp949", "김똠이"),  # Outlook's and old IIS's name for it
    ("Big5", "big5hkscs", "市民話啱嘅"),  # WHATWG: Big5 is Big5-HKSCS
    ("x-gbk", "gbk", "朱镕基"),
    ("ISO-8859-8-I", "iso8859-8", "חדשות"),
    ("iso-8859-6-i", "iso8859-6", "عاجل"),
    ("windows-874", "cp874", "ข่าว “ไทย”"),
    ("x-cp1251", "cp1251", "Новости"),
    ("cp-1251", "cp1251", "Новости"),  # SimplePie#354
    ("win-1251", "cp1251", "Новости"),
    ("x-mac-cyrillic", "mac-cyrillic", "Новости"),
    ("koi8-ru", "koi8-u", "Новини ґ"),
]


@pytest.mark.parametrize(("label", "codec", "title"), LABELS, ids=[x[0] for x in LABELS])
@pytest.mark.parametrize("where", ["declaration", "content-type"])
def test_legacy_encoding_names_are_read_as_browsers_read_them(
    label: str, codec: str, title: str, where: str
) -> None:
    """Python's codec of the name failed (or it had none), and feedparser fell back to
    windows-1252: the feed was read, as mojibake."""
    in_declaration = where == "declaration"
    body = _rss(title, encoding=label if in_declaration else None, codec=codec)
    headers = {} if in_declaration else {"Content-Type": f"application/rss+xml; charset={label}"}
    feed = parse_feed(body, now=NOW, headers=headers)
    assert feed.entries[0].title == title
    assert feed.warning is None


def test_an_extension_character_elsewhere_does_not_change_how_an_item_reads() -> None:
    """Shift_JIS is read by Python's codec wherever it can be, cp932 only where it fails: the
    wave dash stays U+301C (cp932 reads it as a fullwidth tilde) whether or not another item
    carries a character only cp932 has, so no item is re-announced as edited while it does."""
    plain = "10時〜12時"
    alone = _rss(plain, encoding="Shift_JIS", codec="shift_jis")
    beside = alone.replace(b"</channel>", "<item><title>①</title></item></channel>".encode("cp932"))
    assert parse_feed(alone, now=NOW).entries[0].title == plain
    assert parse_feed(beside, now=NOW).entries[0].title == plain


def test_bytes_no_codec_of_the_name_reads_still_fall_back_as_before() -> None:
    """A feed labelled Shift_JIS that is windows-1252 is read as feedparser read it."""
    body = _rss("Caf\xe9 \u201cquoted\u201d", encoding="Shift_JIS", codec="cp1252")
    feed = parse_feed(body, now=NOW)
    assert feed.entries[0].title == "Café “quoted”"
    assert feed.warning


def _dated(date: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>'
        f"<item><title>A</title><link>https://x.org/a</link><pubDate>{date}</pubDate></item>"
        "</channel></rss>"
    ).encode()


def _published(date: str, timezone: str | None = None) -> set[datetime]:
    """The date read from one item dated ``date``, on both parse paths."""
    zone = ZoneInfo(timezone) if timezone else None
    return {
        parse_feed(_dated(date), now=NOW, headers=headers, timezone=zone).entries[0].published
        for headers in PATHS
    }


T = datetime(2026, 11, 27, 12, 4, tzinfo=UTC)  # 15:04 at +03:00

LOCALIZED = [
    # .NET's and PHP's date formatting in a Russian locale (RssSyndication#2: "Вс, 12 фев 2017
    # 00:00:00 +0700"), 1C-Bitrix and DLE templates that print the month's genitive
    ("Пт, 27 ноя 2026 15:04:00 +0300", T),
    ("пт, 27 нояб. 2026 15:04:00 +0300", T),
    ("27 ноября 2026 15:04 +0300", T),
    ("27 ноября 2026 г., 15:04 +0300", T),
    ("Пятница, 27 ноября 2026 в 15:04 +0300", T),
    ("27 листопада 2026 15:04 +0300", T),  # Ukrainian
    ("Пт, 27 лис 2026 15:04:00 +0300", T),
    ("27 ноември 2026 15:04 +0300", T),  # Bulgarian
    # Turkish: the day name after the year, dotless ı, capitals
    ("Cum, 27 Kas 2026 15:04:00 +0300", T),
    ("27 Kasım 2026 Cuma 15:04 +0300", T),
    ("27 KASIM 2026 15:04 +0300", T),
    ("27 Ağustos 2026 15:04 +0300", datetime(2026, 8, 27, 12, 4, tzinfo=UTC)),
    # Polish, Czech, Slovak: genitives, "r." after the year, a dot after the day
    ("pią, 27 lis 2026 15:04:00 +0300", T),
    ("27 listopada 2026 r. 15:04 +0300", T),
    ("27. listopadu 2026 15:04 +0300", T),
    ("27. novembra 2026 15:04 +0300", T),
    ("27 października 2026 15:04 +0300", datetime(2026, 10, 27, 12, 4, tzinfo=UTC)),
    # Dutch, Indonesian, Romanian, Swedish, Greek, Finnish (feedjira#186: "Ke, 30 Lok 2013")
    ("vr, 27 augustus 2026 15:04 +0300", datetime(2026, 8, 27, 12, 4, tzinfo=UTC)),
    ("Jum, 27 Nopember 2026 15:04 +0300", T),
    ("27 Desember 2025 15:04 +0300", datetime(2025, 12, 27, 12, 4, tzinfo=UTC)),
    ("27 noiembrie 2026 15:04 +0300", T),
    ("27 augusti 2026 15:04 +0300", datetime(2026, 8, 27, 12, 4, tzinfo=UTC)),
    ("27 Νοεμβρίου 2026 15:04 +0300", T),
    ("Ke, 27 Lok 2026 15:04:00 +0300", datetime(2026, 10, 27, 12, 4, tzinfo=UTC)),
    # month first in Cyrillic (feedpls#16: "Лютий 19, 2023, 12:19")
    ("Лютий 19, 2026, 15:04 +0300", datetime(2026, 2, 19, 12, 4, tzinfo=UTC)),
    # Chinese and Japanese CMSs (dateparser#142; boj.or.jp writes spaces inside)
    ("2026年11月27日 15:04 +0300", T),
    ("2026年11月27日 15時04分 +0300", T),
    ("2026 年 11 月 27 日 15:04:00 +0300", T),
    # Korean CMSs: a dot and a space after each part
    ("2026. 11. 27. 15:04 +0300", T),
    # Persian, Arabic, Devanagari digits
    ("۲۰۲۶/۱۱/۲۷ ۱۵:۰۴ +0300", T),
    ("٢٠٢٦-١١-٢٧ ١٥:٠٤:٠٠ +0300", T),
    ("२७ Nov २०२६ १५:०४ +0300", T),
]


@pytest.mark.parametrize(("date", "expected"), LOCALIZED, ids=[d for d, _ in LOCALIZED])
def test_dates_in_the_languages_cmss_write_them(date: str, expected: datetime) -> None:
    """Each was unreadable (the fetch time instead) or read wrong: feedparser read the
    Japanese, Korean and Persian forms as the 1st of the month at midnight."""
    assert _published(date) == {expected}


ZONE_LESS = [
    "27 ноября 2026 15:04",
    "27 Kasım 2026 Cuma 15:04",
    "27. listopadu 2026 15:04",
    "2026年11月27日 15時04分",
    "2026. 11. 27. 15:04",
    "۲۰۲۶/۱۱/۲۷ ۱۵:۰۴",
]


@pytest.mark.parametrize("date", ZONE_LESS)
def test_a_zone_less_localized_date_is_the_sources_local_time(date: str) -> None:
    """As Xinhua's numeric dates: the outlet's wall clock, placed by the source's timezone."""
    assert _published(date, "Europe/Moscow") == {T}
    assert _published(date) == {datetime(2026, 11, 27, 15, 4, tzinfo=UTC)}


@pytest.mark.parametrize(
    "date",
    [
        "Fri, 27 Nov 2026 15:04:00 +0300",  # as before
        "27 Nov 2026 15:04 GMT+3",
        "Mar, 27 Nov 2026 15:04:00 +0300",  # Spanish Tuesday (martes) as a day name
    ],
)
def test_dates_read_before_read_the_same(date: str) -> None:
    assert _published(date) == {T}


@pytest.mark.parametrize(
    ("tag", "code"),
    [
        ("ru-RU", "ru"),
        ("zh-Hans", "zh"),
        ("zh_CN", "zh"),
        ("pt-BR", "pt"),
        ("sr-Latn-RS", "sr"),
        # ISO 639's codes retired in 1989 that Java's Locale gave until JDK 17 and Android still
        # gives (umpirsky/language-list#13, google/cld3#52): feeds from Java CMSs carry them
        ("iw", "he"),
        ("iw-IL", "he"),
        ("in-ID", "id"),
        ("ji", "yi"),
        ("jw", "jv"),
        ("mo", "ro"),
    ],
)
def test_the_language_a_feed_declares_is_its_iso_639_1_code(tag: str, code: str) -> None:
    rss = _rss("A", encoding="utf-8", codec="utf-8", extra=f"<language>{tag}</language>")
    atom = (
        f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"'
        f' xml:lang="{tag}"><title>A</title><entry><id>urn:e</id><title>E</title></entry></feed>'
    ).encode()
    for body in (rss, atom):
        assert {parse_feed(body, now=NOW, headers=h).entries[0].language for h in PATHS} == {code}


def _two_items(first: str, second: bytes, *, language: str, encoding: str | None) -> bytes:
    declaration = f' encoding="{encoding}"' if encoding else ""
    return (
        (
            f'<?xml version="1.0"{declaration}?><rss version="2.0"><channel><title>T</title>'
            f"<language>{language}</language><item><title>{first}</title>"
            "<link>https://x.org/a</link></item><item><title>SECOND</title>"
            "<link>https://x.org/b</link></item></channel></rss>"
        )
        .encode()
        .replace(b"SECOND", second)
    )


@pytest.mark.parametrize("encoding", [None, "utf-8"])
@pytest.mark.parametrize(
    ("language", "title"),
    [("ru", "Путин провёл встречу"), ("ja", "東京で会議"), ("ar", "عاجل: اجتماع"), ("fr", "Café")],
)
def test_one_stray_windows_1252_byte_leaves_the_rest_of_a_utf8_feed_alone(
    language: str, title: str, encoding: str | None
) -> None:
    """A smart quote pasted from a word processor into one item: feedparser read the whole
    feed as windows-1252 (iso-8859-2 for some bytes), and only Latin text came back from it;
    every Cyrillic, Japanese, Arabic item was mojibake until that item left the feed."""
    body = _two_items(title, b"\x93Quoted\x94 \x81", language=language, encoding=encoding)
    for headers in PATHS:
        feed = parse_feed(body, now=NOW, headers=headers)
        assert [e.title for e in feed.entries] == [title, "“Quoted” \x81"]
        assert feed.warning


@pytest.mark.parametrize(
    ("language", "codec", "title"),
    [
        ("ru", "cp1251", "Путин провёл встречу — «итоги»"),
        ("uk-UA", "cp1251", "Зеленський провів зустріч"),
        ("ja", "cp932", "①東京で会議"),
        ("zh-CN", "gb18030", "朱镕基会见代表"),
        ("zh-TW", "big5hkscs", "臺灣新聞 啱"),
        ("ko", "cp949", "서울 회의 김똠이"),
        ("fa", "cp1256", "مي\u200cخواهد"),  # windows-1256 has Arabic yeh, not Persian
        ("pl", "iso8859-2", "Zażółć gęślą jaźń"),
        ("tr", "cp1254", "Türkiye'de ğüşıöç"),
        ("fr", "cp1252", "Café “quoted”"),
    ],
)
def test_a_legacy_feed_that_names_no_encoding_is_read_in_its_languages_default(
    language: str, codec: str, title: str
) -> None:
    """No charset, no encoding in the declaration (XML says UTF-8 then), bytes in a legacy
    encoding: read as browsers read such a page, in the default of its declared language
    (HTML Standard), not as windows-1252 whatever the language."""
    body = _two_items(title, b"Second", language=language, encoding=None)
    body = body.replace(title.encode(), title.encode(codec))
    for headers in [{"Content-Type": "application/rss+xml"}, {"Content-Type": "text/html"}]:
        feed = parse_feed(body, now=NOW, headers=headers)
        assert feed.entries[0].title == title
        assert feed.warning


def test_a_header_saying_utf8_does_not_hide_a_declared_legacy_encoding() -> None:
    """nginx's `charset utf-8` on a windows-1251 feed that declares itself: feedparser falls
    back to the declaration, and still does."""
    body = _rss("Путин провёл", encoding="windows-1251", codec="cp1251")
    feed = parse_feed(body, now=NOW, headers={"Content-Type": "text/xml; charset=utf-8"})
    assert feed.entries[0].title == "Путин провёл"


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        ("27 नवंबर 2026 15:04 +0300", T),  # Hindi outlets' pages and some of their feeds
        ("27 नवम्बर 2026 15:04 +0300", T),
        ("الجمعة، 27 نوفمبر 2026 15:04 +0300", T),  # Egyptian and Gulf CMSs
        ("27 آب 2026 15:04 +0300", datetime(2026, 8, 27, 12, 4, tzinfo=UTC)),  # Levantine
        ("27 نوامبر 2026 15:04 +0300", T),  # Persian, Gregorian months
        ("27 בנובמבר 2026 15:04 +0300", T),  # Hebrew: "in November"
        ("27 נובמבר 2026 15:04 +0300", T),
    ],
)
def test_month_names_in_other_scripts(date: str, expected: datetime) -> None:
    assert _published(date) == {expected}


@pytest.mark.parametrize(
    "title",
    [
        "رئیس\u200cجمهور",  # Persian ZWNJ: part of the word's spelling
        "क्\u200dष",  # Devanagari ZWJ
        "\u200fعاجل\u200f: اجتماع",  # RLM around a word (balanced bidi is cleaning's call)
        "عـــاجل",  # tatweel: typography the stories stage folds, not the feed's to drop
    ],
)
def test_the_parse_stage_keeps_joiners_and_bidi_marks(title: str) -> None:
    body = _rss(title, encoding="utf-8", codec="utf-8")
    assert {parse_feed(body, now=NOW, headers=h).entries[0].title for h in PATHS} == {title}


@pytest.mark.parametrize(
    ("date", "second"),
    [
        ("2026-11-27 오후 3:04:05", 5),  # Korean CMSs: 오후 (PM) before the clock
        ("2026.11.27 오후 3:04", 0),
        ("2026年11月27日 下午3:04", 0),  # Chinese: 下午 (afternoon)
        ("2026/11/27 午後3:04", 0),  # Japanese: 午後
        ("2026/11/27 午後3時4分", 0),
    ],
)
def test_an_east_asian_afternoon_before_the_clock(date: str, second: int) -> None:
    """feedparser read these as midnight or the 1st of the month at midnight."""
    expected = datetime(2026, 11, 27, 6, 4, second, tzinfo=UTC)  # 15:04 in Seoul
    assert _published(date, "Asia/Seoul") == {expected}


def test_an_east_asian_morning_before_the_clock() -> None:
    assert _published("2026.11.27 오전 12:30") == {datetime(2026, 11, 27, 0, 30, tzinfo=UTC)}
    assert _published("2026年11月27日 上午9:05") == {datetime(2026, 11, 27, 9, 5, tzinfo=UTC)}


def test_an_iso_8859_1_feed_is_windows_1252_to_the_edges_of_its_texts() -> None:
    """ISO-8859-1 is windows-1252 to browsers (WHATWG). feedparser read it as Latin-1 and mapped
    0x80-0x9F to windows-1252 after stripping each text, and 0x85, "…", is U+0085 there: a
    whitespace character, so an excerpt cut with "…" lost it, in its title and its text."""
    body = (
        '<?xml version="1.0" encoding="ISO-8859-1"?><rss version="2.0"><channel><title>J</title>'
        "<item><title>Le gouvernement pr\xe9pare une r\xe9forme\x85</title>"
        "<link>https://www.example.fr/a.html</link><description>Il l\x92a annonc\xe9 "
        "\x93mardi\x94, selon l\x92\xe9t\xe9\x85</description></item></channel></rss>"
    ).encode("latin-1")
    for headers in ({}, {"Content-Type": "application/rss+xml; charset=ISO-8859-1"}):
        (entry,) = parse_feed(body, now=NOW, headers=headers).entries
        assert entry.title == "Le gouvernement prépare une réforme…"
        assert entry.summary_html == "Il l’a annoncé “mardi”, selon l’été…"


def test_an_iso_8859_1_label_on_utf8_bytes_is_still_repaired() -> None:
    body = (
        '<?xml version="1.0" encoding="ISO-8859-1"?><rss version="2.0"><channel><title>J</title>'
        "<item><title>L’été…</title><link>https://www.example.fr/a.html</link></item>"
        "</channel></rss>"
    ).encode()
    (entry,) = parse_feed(body, now=NOW).entries
    assert entry.title == "L’été…"


@pytest.mark.parametrize(
    ("date", "hour"),
    [
        # The Arabic 12-hour clock: ص (صباحًا, morning) and م (مساءً, evening) after it, as an
        # Arabic locale's "g:i a" prints it (WordPress's time format, Arab CMSs' templates).
        ("الجمعة، ٢٧ نوفمبر ٢٠٢٦ ٠٣:٠٤ م", 15),
        ("الجمعة، 27 نوفمبر 2026 03:04 م", 15),
        ("27 نوفمبر 2026 3:04 مساءً", 15),
        ("27 نوفمبر 2026 12:04 م", 12),
        ("٢٧ نوفمبر ٢٠٢٦ ٠٣:٠٤ ص", 3),
        ("27 نوفمبر 2026 12:04 ص", 0),
        ("27 نوفمبر 2026 03:04 صباحًا", 3),
    ],
)
def test_an_arabic_morning_or_evening_after_the_clock(date: str, hour: int) -> None:
    """feedparser took the marker for a zone it did not know: "03:04 م" (3:04 PM) was 03:04
    UTC, twelve hours off, and the source's timezone never applied to it."""
    local = datetime(2026, 11, 27, hour, 4)
    assert _published(date) == {local.replace(tzinfo=UTC)}
    assert _published(date, "Africa/Cairo") == {
        local.replace(tzinfo=ZoneInfo("Africa/Cairo")).astimezone(UTC)
    }
