"""Feeds outside the Latin script and the English web: legacy encodings, localized dates and
language tags as outlets write them, read alike by both parse paths."""

from __future__ import annotations

from datetime import UTC, datetime

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
