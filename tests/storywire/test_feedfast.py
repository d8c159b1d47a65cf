"""The lxml fast path gives exactly what the feedparser path gives, or declines."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from storywire.feedfast import parse_fast
from storywire.feeds import ParsedFeed, _parse_with_feedparser, parse_feed

RECORDED = Path(__file__).resolve().parents[2] / "seeds" / "recorded"
NOW = datetime(2026, 11, 26, tzinfo=UTC)
XML_FILES = sorted(RECORDED.glob("*/*.xml"))


def _both(body: bytes, headers: dict[str, str]) -> tuple[ParsedFeed | None, ParsedFeed]:
    lowered = {k.lower(): v for k, v in headers.items()}
    fast = parse_fast(body, lowered)
    slow = _parse_with_feedparser(body, dict(lowered), NOW, None)
    if fast is None:
        return None, slow
    return replace(parse_feed(body, now=NOW, headers=headers), warning=None), slow


@pytest.mark.parametrize("path", XML_FILES, ids=[f"{p.parent.name}/{p.name}" for p in XML_FILES])
def test_recorded_feeds_take_the_fast_path_with_equal_output(path: Path) -> None:
    """Every recorded RSS/Atom poll is read by lxml, entry for entry as feedparser reads it."""
    headers = {
        "Content-Type": "application/xml",
        "Content-Location": f"https://{path.parent.name}.example/feed",
    }
    fast, slow = _both(path.read_bytes(), headers)
    assert fast is not None
    assert fast == replace(slow, warning=None)
    assert slow.warning is None


OUTLET_FILES = sorted((Path(__file__).resolve().parent / "feeds").glob("*.xml"))


@pytest.mark.parametrize("path", OUTLET_FILES, ids=[p.name for p in OUTLET_FILES])
def test_outlets_feeds_read_alike_by_both_paths(path: Path) -> None:
    """Each outlet's format (tests/storywire/feeds): when the fast path answers, feedparser
    agrees; when it declines, feedparser reads it alone."""
    headers = {"Content-Location": "https://feeds.example.org/feed"}
    fast, slow = _both(path.read_bytes(), headers)
    assert slow.entries
    if fast is not None:
        assert fast == replace(slow, warning=None)


@pytest.mark.parametrize(
    "root",
    [
        '<rss version="2.0" xml:lang="fr-CA">',  # feedparser's feed language, as <language> is
        '<rss version="2.0" xml:lang="">',
        '<rss version="2.0" lang="fr">',  # feedparser reads a bare lang too
        '<rdf:RDF xml:lang="fr" xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
        ' xmlns="http://purl.org/rss/1.0/">',  # feedparser ignores it (it looks for "rdf:RDF")
    ],
)
@pytest.mark.parametrize("language", ["", "<language>de</language>"])
@pytest.mark.parametrize("headers", [{}, {"Content-Language": "it"}])
def test_a_roots_xml_lang_is_read_alike(root: str, language: str, headers: dict[str, str]) -> None:
    close = "</rss>" if root.startswith("<rss") else "</rdf:RDF>"
    item = "<item><title>x</title><link>https://x.example/a</link></item>"
    if close == "</rss>":
        channel = f"<channel><title>T</title>{language}{item}</channel>"
    else:
        about = item.replace("<item>", '<item rdf:about="https://x.example/a">')
        channel = '<channel rdf:about="https://x.example/"><title>T</title></channel>' + about
    fast, slow = _both(f"{root}{channel}{close}".encode(), headers)
    assert slow.entries
    if fast is not None:
        assert fast == replace(slow, warning=None)
    assert fast is not None or "xml:lang" not in root  # answered, not declined, where it can


def _text(rng: random.Random, words: list[str]) -> str:
    pieces = [rng.choice(words) for _ in range(rng.randint(0, 4))]
    pad = rng.choice(["", " ", "\n  ", "\t"])
    return pad + " ".join(pieces) + pad


WORDS = ["Café", "news", "&amp;", "&lt;b&gt;bold&lt;/b&gt;", "“quoted”", "CafÃ©", "&#147;x&#148;",
         "Zürich", "a&amp;amp;b", "<![CDATA[<p>cdata & co</p>]]>", "東京", "—", "x"]  # fmt: skip
DATES = ["Tue, 24 Nov 2026 10:00:00 GMT", "2026-11-24T10:00:00Z", "24 Nov 2026 10:00 +0100",
         "yesterday", "", "Tue, 24 Nov 2026 10:00:00 PST", "2026-11-24"]  # fmt: skip
# What a channel or feed declares its language with (the fast path must read it as feedparser).
LANGUAGES = ["", "<language>en-us</language>", "<language> fr </language>",
             "<dc:language>de</dc:language>", "<language>english</language>",
             "<language>pt</language><dc:language>es-MX</dc:language>"]  # fmt: skip
# xml:lang on <rss> or <rdf:RDF>, which feedparser reads as the feed's language.
ROOT_LANGUAGES = ["", "", ' xml:lang="fr-CA"', ' xml:lang=""']
LINKS = ["https://x.com/a?b=1&amp;c=2", "/relative/path", "x.html", "", "https://y.org/1#frag",
         "http:///triple.example/z", " https://pad.example/ "]  # fmt: skip


def _rss_item(rng: random.Random, i: int) -> str:  # noqa: PLR0912 - one branch per element
    parts = []
    for _ in range(rng.randint(0, 2)):
        parts.append(f"<title>{_text(rng, WORDS)}</title>")
    if rng.random() < 0.8:
        parts.append(f"<link>{rng.choice(LINKS)}</link>")
    if rng.random() < 0.3:
        parts.append(f"<link>{rng.choice(LINKS)}</link>")
    if rng.random() < 0.8:
        attr = rng.choice(
            ["", ' isPermaLink="false"', ' isPermaLink="true"', ' isPermaLink="True"']
        )
        parts.append(f"<guid{attr}>{rng.choice([*LINKS, f'id-{i}', f'urn:x:{i}'])}</guid>")
    if rng.random() < 0.7:
        parts.append(f"<description>{_text(rng, WORDS)}</description>")
    if rng.random() < 0.5:
        parts.append(f"<content:encoded>{_text(rng, WORDS)}</content:encoded>")
    for _ in range(rng.randint(0, 2)):
        parts.append(f"<pubDate>{rng.choice(DATES)}</pubDate>")
    if rng.random() < 0.4:
        parts.append(f"<dc:date>{rng.choice(DATES)}</dc:date>")
    if rng.random() < 0.4:
        parts.append(
            f"<author>{rng.choice(['jo@x.com (Jo)', 'Jo', ' Ann ', 'Ren&#233;'])}</author>"
        )
    if rng.random() < 0.4:
        parts.append(f"<dc:creator>{rng.choice(['Ann', '', 'Bo Ç'])}</dc:creator>")
    for _ in range(rng.choice([0, 0, 0, 1, 2])):  # an item's own language, the last one kept
        parts.append(rng.choice(["<dc:language>fr</dc:language>", "<language> de-CH </language>",
                                 "<dc:language></dc:language>", "<dc:language>x</dc:language>"]))  # fmt: skip
    if rng.random() < 0.3:  # the address of an item without a link
        enclosure = rng.choice(['url="https://x.com/a.mp3"', 'url="/a.mp3"', 'uri=" https://x.com/u "',
                                'url="" href="https://x.com/h"', "", 'url="https://x.com/b c"'])  # fmt: skip
        parts.append(f'<category>c</category><enclosure {enclosure} type="audio/mpeg"/>')
    if rng.random() < 0.2:
        parts.append('<media:content url="https://x.com/i.jpg"/>')
    if rng.random() < 0.2:
        inner = rng.choice(["", "<media:title>Photo</media:title>", '<media:player url="u"/>'])
        parts.append(
            '<media:group><media:content url="https://x.com/v.mp4"/>'
            f'<media:thumbnail url="https://x.com/t.jpg"/>{inner}</media:group>'
        )
    for _ in range(rng.choice([0, 0, 1, 2, 3])):  # the lead image's sources, in any order
        parts.append(rng.choice(IMAGES))
    for _ in range(rng.choice([0, 0, 1, 2, 3])):
        parts.append(rng.choice(RSS_CATEGORIES))
    rng.shuffle(parts)
    return "<item>" + "".join(parts) + "</item>"


IMAGE_URLS = ["https://x.com/a.jpg", "/rel/b.png", "c.webp", "data:image/gif;base64,R0lG",
              "javascript:alert(1)", " https://x.com/pad.jpg ", "", "https://0.gravatar.com/a"]  # fmt: skip
IMAGES = [
    *(f'<media:content url="{u}" medium="image" width="{w}"/>'
      for u, w in zip(IMAGE_URLS, ["100", "800", "x", "", "1200", "50", "9", "2000"], strict=True)),
    '<media:content url="https://x.com/m.jpg" type="IMAGE/JPEG"/>',
    '<media:content url="https://x.com/v.mp4" type="video/mp4" width="4000"/>',
    '<media:content url="https://x.com/plain.JPG?w=1"/>',
    *(f'<media:thumbnail url="{u}"/>' for u in IMAGE_URLS),
    '<media:thumbnail url="https://x.com/w.jpg" width="640" height="360"/>',
    '<media:group><media:content url="https://x.com/g.jpg" medium="image" width="300"/>'
    '<media:thumbnail url="https://x.com/gt.jpg"/></media:group>',
    '<enclosure url="https://x.com/e.jpg" type="image/jpeg" length="0"/>',
    '<enclosure url="/e.png" type="Image/PNG"/>',
    '<enclosure url="https://x.com/e.mp3" type="audio/mpeg"/>',
]  # fmt: skip
RSS_CATEGORIES = ["<category>World</category>", "<category>  world  </category>",
                  '<category domain="https://x.com/t">Europe</category>', "<category/>",
                  '<category domain="d"></category>', "<category>A\n  B</category>",
                  "<dc:subject>Politics</dc:subject>", '<category term="t" label="L"/>',
                  "<category>Caf\u00c3\u00a9</category>"]  # fmt: skip
ATOM_EXTRAS = ['<category term="world" label="World"/>', '<category term="world"/>',
               '<category term="x" scheme="s"/>', '<category label="Only label"/>',
               "<category>text</category>", "<dc:subject>Subject</dc:subject>",
               '<link rel="enclosure" type="image/PNG" href="/i.png"/>',
               '<link rel="enclosure" type="audio/mpeg" href="https://x.com/a.mp3"/>',
               '<media:thumbnail url="t.jpg" width="10"/>',
               '<media:content url="https://x.com/ac.jpg" medium="image"/>']  # fmt: skip


# xml:lang on an entry or its text constructs (the one in effect there is the entry's language);
# a bare lang="…" feedparser reads too, and the fast path declines.
ENTRY_LANGUAGES = ["", "", "", ' xml:lang="fr"', ' xml:lang=""', ' xml:lang="pt_BR"',
                   ' xml:lang="de-CH"', ' lang="es"']  # fmt: skip


def _atom_entry(rng: random.Random, i: int) -> str:
    parts = []
    for _ in range(rng.randint(0, 2)):
        kind = rng.choice(["", ' type="text"', ' type="html"']) + rng.choice(ENTRY_LANGUAGES)
        parts.append(f"<title{kind}>{_text(rng, WORDS)}</title>")
    for _ in range(rng.randint(0, 3)):
        rel = rng.choice(
            ["", ' rel="alternate"', ' rel="self"', ' rel="enclosure"', ' rel="Alternate"']
        )
        kind = rng.choice(["", ' type="text/html"', ' type="application/pdf"', ' type="HTML"'])
        parts.append(f'<link{rel}{kind} href="{rng.choice(LINKS)}"/>')
    if rng.random() < 0.9:
        parts.append(f"<id>{rng.choice([*LINKS, f'urn:uuid:{i}', f'tag:x.com,2026:{i}'])}</id>")
    if rng.random() < 0.6:
        kind = rng.choice(["", ' type="text"', ' type="html"']) + rng.choice(ENTRY_LANGUAGES)
        parts.append(f"<summary{kind}>{_text(rng, WORDS)}</summary>")
    for _ in range(rng.choice([0, 1, 1, 2])):
        kind = rng.choice(["", ' type="text"', ' type="html"']) + rng.choice(ENTRY_LANGUAGES)
        parts.append(f"<content{kind}>{_text(rng, WORDS)}</content>")
    for tag in ("published", "updated"):
        if rng.random() < 0.6:
            parts.append(f"<{tag}>{rng.choice(DATES)}</{tag}>")
    for _ in range(rng.randint(0, 2)):
        person = rng.choice(["<name>Ann</name>", "<name> Bo </name><email>b@x.com</email>",
                             "<email>c@x.com</email>", "<uri>https://x.com/</uri>", ""])  # fmt: skip
        parts.append(f"<author>{person}</author>")
    if rng.random() < 0.3:
        parts.append('<category term="t"/>')
    for _ in range(rng.choice([0, 0, 1, 2, 3])):
        parts.append(rng.choice(ATOM_EXTRAS))
    if rng.random() < 0.2:  # feedparser keeps it as the entry's "language"; we read xml:lang
        parts.append("<dc:language>fr</dc:language>")
    rng.shuffle(parts)
    return f"<entry{rng.choice(ENTRY_LANGUAGES)}>" + "".join(parts) + "</entry>"


def _document(rng: random.Random) -> bytes:
    kind = rng.choice(["rss20", "rss10", "atom"])
    n = rng.randint(0, 5)
    declaration = rng.choice(
        ['<?xml version="1.0" encoding="utf-8"?>', '<?xml version="1.0"?>', ""]
    )
    if kind == "rss20":
        items = "".join(_rss_item(rng, i) for i in range(n))
        ttl = rng.choice(["", "<ttl>30</ttl>", "<ttl> x </ttl>"]) + rng.choice(LANGUAGES)
        return (
            f'{declaration}<rss version="2.0"{rng.choice(ROOT_LANGUAGES)} xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            'xmlns:media="http://search.yahoo.com/mrss/">'
            f"<channel><title>{_text(rng, WORDS)}</title>{ttl}{items}</channel></rss>"
        ).encode()
    if kind == "rss10":
        items = "".join(
            f'<item rdf:about="{escape(rng.choice(LINKS))}"><title>{_text(rng, WORDS)}</title>'
            f"<link>{rng.choice(LINKS)}</link><description>{_text(rng, WORDS)}</description>"
            f"<dc:date>{rng.choice(DATES)}</dc:date></item>"
            for _ in range(n)
        )
        return (
            f'{declaration}<rdf:RDF{rng.choice(ROOT_LANGUAGES)} xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:sy="http://purl.org/rss/1.0/modules/syndication/">'
            f'<channel rdf:about="https://x.com/"><title>{_text(rng, WORDS)}</title>'
            f"<sy:updatePeriod>hourly</sy:updatePeriod>{rng.choice(['', '<dc:language>de</dc:language>'])}"
            "</channel>"
            f"{items}</rdf:RDF>"
        ).encode()
    entries = "".join(_atom_entry(rng, i) for i in range(n))
    lang = rng.choice(["", ' xml:lang="en-GB"', ' xml:lang="ja"', ' xml:lang=""'])
    author = rng.choice(["", "<author><name>Desk</name></author>", "<author><name> D </name>"
                         "<email>d@x.com</email></author>", "<author><uri>https://x</uri></author>"])  # fmt: skip
    return (
        f'{declaration}<feed xmlns="http://www.w3.org/2005/Atom"{lang} '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/">'
        f"<title>{_text(rng, WORDS)}</title>{author}"
        f"{entries}</feed>"
    ).encode()


HEADERS = [
    {"Content-Type": "application/rss+xml", "Content-Location": "https://base.example/f/feed.xml"},
    {"Content-Type": "application/xml; charset=utf-8"},
    {"Content-Type": "text/xml; charset=UTF-8", "Content-Location": "https://b.example/"},
    {"Content-Type": "text/xml"},
    {"Content-Type": "application/xml", "Content-Language": "it-IT"},
    {"Content-Location": "https://nocontenttype.example/x"},
    {},
    {"Content-Type": "text/html; charset=utf-8"},
]


def test_generated_variants_are_equal_or_declined() -> None:
    """Hundreds of generated feeds: whenever the fast path answers, feedparser agrees."""
    rng = random.Random(20261126)
    answered = imaged = categorised = 0
    for _ in range(700):
        body = _document(rng)
        headers = rng.choice(HEADERS)
        fast, slow = _both(body, headers)
        if fast is None:
            continue
        answered += 1
        assert fast == replace(slow, warning=None), (body, headers)
        imaged += sum(1 for e in fast.entries if e.image)
        categorised += sum(1 for e in fast.entries if e.categories)
    assert answered > 250
    assert imaged > 100
    assert categorised > 100


def test_the_recorded_and_outlet_feeds_compare_images_and_categories() -> None:
    """The equality above covers the lead image and the categories: the feeds the fast path
    answers for name both, in most of their forms."""
    images, categories = set(), 0
    for path in [*XML_FILES, *OUTLET_FILES]:
        fast = parse_fast(path.read_bytes(), {"content-location": "https://x.example/feed"})
        if fast is None:
            continue
        feed = parse_feed(path.read_bytes(), now=NOW, url="https://x.example/feed")
        images |= {path.name for e in feed.entries if e.image}
        categories += sum(1 for e in feed.entries if e.categories)
    assert len(images) >= 15
    assert categories >= 40


def test_rss10_items_inside_the_channel_are_read() -> None:
    """RSS 1.0 puts its items beside the channel; a feed written RSS 2.0's way, with them in
    the channel, gave no entry on the fast path, while feedparser reads them."""
    body = (
        b'<?xml version="1.0" encoding="utf-8"?>'
        b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        b'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        b'<channel rdf:about="https://x.example/"><title>T</title><link>https://x.example/</link>'
        b"<description>d</description>"
        b'<item rdf:about="https://x.example/1"><title>One</title><link>https://x.example/1</link>'
        b"<description>Body one</description><dc:date>2026-11-20T10:00:00+09:00</dc:date></item>"
        b"</channel>"
        b'<item rdf:about="https://x.example/2"><title>Two</title><link>https://x.example/2</link>'
        b"<description>Body two</description></item></rdf:RDF>"
    )
    headers = {"Content-Location": "https://x.example/index.rdf"}
    fast, slow = _both(body, headers)
    assert [e.title for e in slow.entries] == ["One", "Two"]
    assert fast is None or fast == replace(slow, warning=None)
    feed = parse_feed(body, now=NOW, headers=headers)
    assert [e.link for e in feed.entries] == ["https://x.example/1", "https://x.example/2"]
