"""OPML 2.0: our export imports back to the same sources; other readers' OPML imports too."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from storywire import opml
from storywire.models import Source
from storywire.opml import OpmlError, from_opml, read_opml, to_opml
from storywire.sources import SourceConfigError, load_sources, parse_sources

SEEDS = Path(__file__).resolve().parents[2] / "seeds" / "sources.toml"
READERS = Path(__file__).resolve().parent / "opml"

# Per reader's export: feeds imported, outlines repeating a feed of another folder, outlines
# reported as ignored (not feeds), and folders (outlines holding outlines).
EXPECTED = {
    "feedly": (5, 1, 0, 2),
    "inoreader": (4, 0, 1, 2),
    "newsblur": (5, 0, 0, 2),
    "theoldreader": (4, 0, 0, 1),
    "miniflux": (3, 0, 0, 2),
    "freshrss": (3, 0, 1, 2),
    "ttrss": (3, 0, 4, 4),
    "netnewswire": (5, 0, 0, 1),
    "feedbin": (4, 1, 0, 2),
    "reeder": (3, 0, 1, 1),
    "thunderbird": (3, 0, 1, 1),
    "vienna": (3, 0, 2, 1),
    "quiterss": (4, 0, 0, 2),
    "liferea": (2, 0, 3, 2),
    "nextcloud-news": (3, 0, 1, 1),
    "newsboat": (3, 0, 1, 0),
    "google-reader": (3, 1, 1, 2),
}


def test_every_readers_export_has_a_fixture() -> None:
    assert sorted(p.stem for p in READERS.glob("*.opml")) == sorted(EXPECTED)


@pytest.mark.parametrize("reader", sorted(EXPECTED))
def test_a_readers_export_imports_with_every_outline_accounted_for(reader: str) -> None:
    """Each outline is a feed imported, a repeat of one, a folder, or reported as ignored
    with its reason: none is dropped in silence, and none is refused as invalid."""
    data = (READERS / f"{reader}.opml").read_bytes()
    read = read_opml(data)
    feeds, repeats, ignored, folders = EXPECTED[reader]
    assert (len(read.sources), read.duplicates, len(read.ignored)) == (feeds, repeats, ignored)
    assert read.skipped == read.private == ()
    outlines = sum(1 for e in etree.fromstring(data).iter("{*}outline"))
    assert outlines == feeds + repeats + ignored + folders
    assert len({s.url for s in read.sources}) == len({s.id for s in read.sources}) == feeds
    assert all(s.outlet.strip() and s.url.startswith(("http://", "https://")) for s in read.sources)
    assert all(": " in reason and reason.startswith("outline #") for reason in read.ignored)


@pytest.mark.parametrize(
    ("reader", "url", "outlet", "folder"),
    [
        ("newsblur", "https://marginalrevolution.com/feed", "Marginal REVOLUTION",
         "Blogs/Economics"),
        ("newsblur", "https://feeds.kottke.org/main", "Kottke & friends", "Blogs"),
        ("newsblur", "https://daringfireball.net/feeds/main", "Daring Fireball", None),
        ("feedly", "https://feeds.bbci.co.uk/news/world/rss.xml", "BBC News - World", "World"),
        ("miniflux", "https://www3.nhk.or.jp/rss/news/cat0.xml", "NHKニュース", "日本"),
        ("quiterss", "https://tass.ru/rss/v2.xml", "ТАСС", "Новости"),
        ("reeder", "https://apnews.com/index.rss", "Associated Press", "News"),
        ("reeder", "http://sixcolors.com/feed/", "Six Colors", None),
        ("vienna", "https://www.swift.org/atom.xml", "Swift.org", "Developer"),
        ("vienna", "https://webkit.org/feed/", "WebKit", "Developer"),
        ("liferea", "https://planet.gnome.org/atom.xml", "GNOME Planet", "Example Feeds"),
        ("netnewswire", "https://example.net/feed.xml", 'Brent’s "quotes" & more', None),
        ("newsboat", "https://www.reddit.com/r/commandline/.rss", "www.reddit.com", None),
        ("ttrss", "https://lwn.net/headlines/newrss", "LWN.net", "Linux"),
    ],
)  # fmt: skip
def test_a_feed_keeps_its_name_and_folder(
    reader: str, url: str, outlet: str, folder: str | None
) -> None:
    """Titles decode entities and non-ASCII text; the enclosing folders, nested ones joined
    with "/", become the source's folder (the first folder of a feed listed in two)."""
    sources = {s.url: s for s in from_opml((READERS / f"{reader}.opml").read_bytes())}
    assert (sources[url].outlet, sources[url].folder) == (outlet, folder)


def test_ignored_outlines_are_named_with_their_reason() -> None:
    """Notes, separators, empty folders, links, includes, scraped pages, search folders'
    rules and local commands are not feeds: each is reported with why."""
    ignored = [
        reason
        for reader in ("liferea", "vienna", "freshrss", "reeder", "google-reader", "newsboat")
        for reason in read_opml((READERS / f"{reader}.opml").read_bytes()).ignored
    ]
    assert ignored == [
        "outline #4 (Weather): a local command, not a feed URL",
        "outline #6 (Read status): type 'rule', not a feed",
        "outline #7 (Saved): type 'newsbin', not a feed",
        "outline #4 (———): no xmlUrl and nothing inside: a note, separator or empty folder",
        "outline #5 (Remember to prune this list every spring.): no xmlUrl and nothing "
        "inside: a note, separator or empty folder",
        "outline #3 (Wikipedia: Portal:Current events): type 'HTML+XPath', a web page "
        "scraped by its reader, not a feed",
        "outline #4 (More subscriptions): type 'include', not a feed",
        "outline #7 (Shared items): type 'link', not a feed",
        "outline #4 (Mail digest): a local command, not a feed URL",
    ]


def test_wordpress_blogroll_links_with_a_feed_are_feeds() -> None:
    """WordPress's blogroll (wp-links-opml.php) writes each link as ``type="link"`` with the
    link's feed in ``xmlUrl``, inside ``type="category"`` outlines; readers subscribe to those
    feeds. They were ignored as "not a feed", and a blogroll of them failed whole with "no
    outline with an xmlUrl". A link with no feed stays ignored."""
    document = b"""<?xml version="1.0"?>
<!-- generator="WordPress/6.4.2" -->
<opml version="1.0"><head><title>Links for Example Blog</title></head><body>
<outline type="category" title="Blogroll">
<outline text="WordPress Planet" type="link" xmlUrl="https://planet.wordpress.org/feed/"
 htmlUrl="https://planet.wordpress.org/" updated="" />
<outline text="Documentation" type="link" xmlUrl="" htmlUrl="https://codex.wordpress.org/"
 updated="" />
</outline></body></opml>"""
    read = read_opml(document)
    assert [(s.url, s.outlet, s.folder) for s in read.sources] == [
        ("https://planet.wordpress.org/feed/", "WordPress Planet", "Blogroll")
    ]
    assert read.ignored == ("outline #3 (Documentation): type 'link', not a feed",)


def test_feeds_a_query_parameter_picks_are_not_duplicates() -> None:
    """rss.php?cid=1 and rss.php?cid=2 (Sina's channels, XOOPS's categories) are two feeds;
    with the article list of tracking names (cid, rss, …) the second was counted as a
    duplicate outline and left out. A click marker (utm_…, fbclid) still makes no other
    feed, nor does a known source's feed."""
    document = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>Finance</title></head><body>
<outline type="rss" text="Sina 1" xmlUrl="https://finance.sina.com.cn/roll/rss.php?cid=1"/>
<outline type="rss" text="Sina 2" xmlUrl="https://finance.sina.com.cn/roll/rss.php?cid=2"/>
<outline type="rss" text="Sina 2 again" xmlUrl="https://finance.sina.com.cn/roll/rss.php?cid=2&amp;utm_source=x"/>
<outline type="rss" text="Forum 1" xmlUrl="https://forum.example.org/blog.html/?rss=1"/>
<outline type="rss" text="Forum 2" xmlUrl="https://forum.example.org/blog.html/?rss=2"/>
</body></opml>"""
    read = read_opml(document, known={"f": "http://forum.example.org/blog.html/?rss=2&fbclid=z"})
    assert [s.url for s in read.sources] == [
        "https://finance.sina.com.cn/roll/rss.php?cid=1",
        "https://finance.sina.com.cn/roll/rss.php?cid=2",
        "https://forum.example.org/blog.html/?rss=1",
    ]
    assert (read.duplicates, read.already_polled) == (1, 1)


@pytest.mark.parametrize("name", ['text="Forum"', ""])
def test_an_outline_whose_url_urllib_cannot_split_is_skipped_alone(name: str) -> None:
    """An xmlUrl with an unbalanced "[" in its host (a typo) made urllib raise ValueError
    while its id was made from it: the import ended with a traceback and none of the other
    outlines was imported. It is skipped with its reason, as any invalid outline is."""
    document = (
        '<?xml version="1.0" encoding="UTF-8"?><opml version="2.0"><body>'
        '<outline type="rss" text="Sina" xmlUrl="https://finance.sina.com.cn/roll/rss.php?cid=1"/>'
        f'<outline type="rss" {name} xmlUrl="https://forum.exampl[.org/blog.html/?rss=1"/>'
        '<outline type="rss" text="Forum 2" xmlUrl="https://forum.example.org/?rss=2"/>'
        "</body></opml>"
    ).encode()
    read = read_opml(document)
    assert [s.url for s in read.sources] == [
        "https://finance.sina.com.cn/roll/rss.php?cid=1",
        "https://forum.example.org/?rss=2",
    ]
    (skipped,) = read.skipped
    assert skipped.startswith("outline #2")


@pytest.mark.parametrize("field", ["outlet", "domain", "folder"])
def test_a_name_opml_cannot_carry_is_refused_where_it_is_given(field: str) -> None:
    """XML cannot hold a control character (but tab, newline and return): a source whose name
    held one was accepted, and `export-opml` then failed with a traceback, exporting none of
    the sources. Tab and newline still export and come back."""
    raw = {"id": "a", "url": "https://example.com/feed", field: "News\x01Desk"}
    with pytest.raises(SourceConfigError, match="control character"):
        parse_sources([raw], origin="test")
    raw[field] = "News\tDesk\nEvening"
    if field == "folder":
        raw[field] = "News\tDesk"
    sources = parse_sources([raw], origin="test")
    assert from_opml(to_opml(sources)) == sources


def test_reader_export_round_trips_through_our_export() -> None:
    """A reader's feeds, names and folders survive our export and import back as they were,
    and the export nests them in folder outlines a reader reads."""
    sources = from_opml((READERS / "newsblur.opml").read_bytes())
    document = to_opml(sources)
    assert from_opml(document) == sources
    root = etree.fromstring(document)
    (blogs,) = root.findall("body/outline[@text='Blogs']")
    (economics,) = blogs.findall("outline[@text='Economics']")
    feed = economics.find("outline[@xmlUrl='https://marginalrevolution.com/feed']")
    assert feed is not None
    assert {"type", "text", "title", "xmlUrl", "htmlUrl"} <= set(feed.attrib)
    assert feed.get("type") == "rss"
    assert blogs.get("title") == "Blogs"


def test_folder_in_a_sources_file(tmp_path: Path) -> None:
    """``folder`` is an optional key of a [[source]] table: names joined with "/"."""
    path = tmp_path / "sources.toml"
    path.write_text(
        '[[source]]\nid = "a"\nurl = "https://a.com/rss"\nfolder = "News/World"\n'
        '[[source]]\nid = "b"\nurl = "https://b.com/rss"\n'
    )
    a, b = load_sources(path)
    assert (a.folder, b.folder) == ("News/World", None)
    assert Source.from_dict(a.to_dict()) == a


@pytest.mark.parametrize("folder", [3, "", "News//World", "/News", "News/ "])
def test_a_malformed_folder_is_refused(folder: object) -> None:
    with pytest.raises(SourceConfigError, match="folder"):
        parse_sources([{"id": "a", "url": "https://a.com/rss", "folder": folder}])


def test_a_default_namespace_bom_and_attribute_casing_are_read() -> None:
    document = (
        b'\xef\xbb\xbf<?xml version="1.0"?><opml xmlns="http://opml.org/spec2" version="2.0">'
        b'<body><outline TEXT="x" text="Folder"><outline text="A" XMLURL="https://a.com/rss"/>'
        b"</outline></body></opml>"
    )
    (source,) = from_opml(document)
    assert (source.url, source.outlet, source.folder) == ("https://a.com/rss", "A", "Folder")


def test_a_malformed_document_names_its_line() -> None:
    document = (
        b'<?xml version="1.0"?>\n<opml version="2.0">\n<body>\n<outline text="a">\n</body>\n</opml>'
    )
    with pytest.raises(
        OpmlError, match=r"^not XML: line 5, column 8: Opening and ending tag mismatch"
    ):
        from_opml(document)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_entity_declarations_are_refused(encoding: str) -> None:
    """A billion laughs is refused before it expands; one in UTF-16, which the byte scan
    cannot read, by its DTD (libxml2's own limit bounds it until then)."""
    levels = "".join(f'<!ENTITY e{i} "{f"&e{i - 1};" * 10 if i else "lol"}">' for i in range(9))
    document = (
        f"<?xml version='1.0' encoding='{encoding}'?><!DOCTYPE opml [{levels}]>\n<opml><body>"
        '<outline text="&e2;" xmlUrl="https://a.com/rss"/></body></opml>'
    ).encode(encoding)
    with pytest.raises(OpmlError, match="DOCTYPE declares entities"):
        from_opml(document)


def test_derived_ids_are_found_in_linear_time() -> None:
    """10k outlines of one title take ids a, a-2, ... a-10000 without trying each taken one
    again (it was quadratic: 6.1 s for 10k outlines)."""

    class Counted(set[str]):
        probes = 0

        def __contains__(self, item: object) -> bool:
            Counted.probes += 1
            return super().__contains__(item)

    ids = opml.Ids(Counted({"news-3"}))
    taken = [ids.unique("news") for _ in range(10_000)]
    assert taken[:4] == ["news", "news-2", "news-4", "news-5"]
    assert len(set(taken)) == 10_000
    assert Counted.probes < 3 * 10_000


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
    with pytest.raises(OpmlError, match="entities"):
        from_opml(document)
