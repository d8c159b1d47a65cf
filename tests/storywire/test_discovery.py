"""Feed autodiscovery: which bodies are HTML pages, and the feeds a page advertises.

The pages under tests/storywire/pages/ are written in the shape each platform's head has
(WordPress 6, Ghost 5, Substack, a news site's section page), trimmed to what matters.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storywire.discovery import advertised_feeds, html_page, html_page_title

PAGES = Path(__file__).resolve().parent / "pages"


def _page(name: str) -> bytes:
    return (PAGES / name).read_bytes()


def test_wordpress_front_page_gives_its_feed_not_comments_nor_its_rest_api() -> None:
    """The site's feed; its comments feed goes, and the application/json alternate WordPress
    links on every page (its REST API record of the page) is no feed."""
    assert advertised_feeds(_page("wordpress.html"), "https://tidegauge.example.org/") == (
        "https://tidegauge.example.org/feed/",
    )


def test_wordpress_post_page_drops_the_site_and_post_comments_feeds() -> None:
    """A post page adds the post's own comments feed ("… Comments Feed", at /slug/feed/)."""
    url = "https://tidegauge.example.org/2026/11/king-tides/"
    assert advertised_feeds(_page("wordpress_post.html"), url) == (
        "https://tidegauge.example.org/feed/",
    )


def test_a_comments_feed_is_known_by_its_url_in_any_language() -> None:
    """German WordPress titles it "Kommentar-Feed": /comments/feed/ names it all the same, as
    Blogger's /feeds/…/comments/default and ?feed=comments-rss2 (no pretty permalinks) do."""
    page = b"""<html><head>
    <link rel="alternate" type="application/rss+xml" title="Pegel &raquo; Feed" href="/feed/">
    <link rel="alternate" type="application/rss+xml" title="Pegel &raquo; Kommentar-Feed"
          href="/comments/feed/">
    <link rel="alternate" type="application/atom+xml" title="Pegel - Atom"
          href="/feeds/123/comments/default">
    <link rel="alternate" type="application/rss+xml" title="Pegel" href="/?feed=comments-rss2">
    </head></html>"""
    assert advertised_feeds(page, "https://pegel.example.de/") == (
        "https://pegel.example.de/feed/",
    )


def test_a_page_that_advertises_only_a_comments_feed_gives_it() -> None:
    """Comments feeds are dropped in favour of a main feed, never for nothing."""
    page = b"""<link rel="alternate" type="application/rss+xml" title="X &raquo; Comments Feed"
    href="https://x.example/comments/feed/">"""
    assert advertised_feeds(page, "https://x.example/") == ("https://x.example/comments/feed/",)


def test_ghost_and_substack() -> None:
    assert advertised_feeds(_page("ghost.html"), "https://harbourledger.example.com/") == (
        "https://harbourledger.example.com/rss/",
    )
    assert advertised_feeds(_page("substack.html"), "https://easternfront.substack.com/") == (
        "https://easternfront.substack.com/feed",
    )


def test_a_news_section_lists_its_category_feeds_in_page_order_once_each() -> None:
    """Relative hrefs are resolved against the page's URL; the http, www-less, utm-marked
    spelling of the section's feed is the same feed, listed once; a link in the body counts
    (browsers accept one there); an <a type=…> and an hreflang alternate without type do not."""
    url = "https://www.dailymeridian.example.com/world"
    assert advertised_feeds(_page("newssite.html"), url) == (
        "https://www.dailymeridian.example.com/world/rss",
        "https://www.dailymeridian.example.com/world/europe/rss",
        "https://www.dailymeridian.example.com/world/asia/rss",
        "https://www.dailymeridian.example.com/world/africa/rss",
        "https://www.dailymeridian.example.com/world/atom.xml",
        "https://www.dailymeridian.example.com/world/middleeast/rss",
    )


def test_base_href_relative_and_protocol_relative_hrefs() -> None:
    """The first <base href> (itself relative to the page) is what hrefs resolve against, even
    those before it; a protocol-relative href takes the base's scheme."""
    page = b"""<html><head>
    <link rel="alternate" type="application/rss+xml" href="rss.xml">
    <base href="/en/news/">
    <base href="https://elsewhere.example/ignored/">
    <link rel="alternate" type="application/atom+xml" href="../atom.xml">
    <link rel="alternate" type="application/rss+xml" href="//feeds.example.net/site">
    </head></html>"""
    assert advertised_feeds(page, "http://site.example/en/index.html") == (
        "http://site.example/en/news/rss.xml",
        "http://site.example/en/atom.xml",
        "http://feeds.example.net/site",
    )


def test_a_feed_pseudo_scheme_href_is_the_http_feed_it_names() -> None:
    """feed:// and feed:https:// are readers' pseudo-schemes for an http(s) feed, which old
    sites put in their autodiscovery links (and OPML's xmlUrl, which import-opml reads so):
    the page advertised no feed, and sources add refused it."""
    page = b"""<html><head>
    <link rel="alternate" type="application/rss+xml" href="feed://site.example/rss">
    <link rel="alternate" type="application/atom+xml" href="FEED:https://site.example/atom">
    </head></html>"""
    assert advertised_feeds(page, "https://site.example/") == (
        "http://site.example/rss",
        "https://site.example/atom",
    )


def test_rel_and_type_in_any_case_among_other_tokens_with_parameters() -> None:
    """rel is a token list (rel="alternate feed"), REL/TYPE any case, a type's parameters
    ignored; a JSON Feed by application/feed+json and by JSON Feed 1.0's application/json."""
    page = b"""<HTML><HEAD>
    <LINK REL="Alternate Feed" TYPE="APPLICATION/RSS+XML; charset=UTF-8" HREF="/a.rss">
    <link rel="alternate" type="application/feed+json" href="/feed.json">
    <link rel="alternate" type="application/json" title="JSON Feed" href="/feed-v1.json">
    <link rel="alternate" type="text/xml" href="/b.xml">
    <link rel="alternate" type="application/rdf+xml" href="/c.rdf">
    <link rel="alternate stylesheet" type="text/css" href="/dark.css">
    <link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
    <link rel="alternate" type="application/rss+xml" href="">
    <link rel="alternate" type="application/rss+xml">
    <link rel="feed" type="application/rss+xml" href="/not-alternate.rss">
    </HEAD></HTML>"""
    assert advertised_feeds(page, "https://x.example/") == (
        "https://x.example/a.rss",
        "https://x.example/feed.json",
        "https://x.example/feed-v1.json",
        "https://x.example/b.xml",
        "https://x.example/c.rdf",
    )


@pytest.mark.parametrize(
    ("opening", "encoding", "content_type"),
    [
        ("<meta charset='shift_jis'>", "shift_jis", ""),
        ("", "shift_jis", "text/html; charset=Shift_JIS"),
        ("", "utf-8", ""),  # declared nowhere
        ("\ufeff", "utf-16-le", ""),  # its BOM says so
        ("<?xml version='1.0' encoding='EUC-JP'?><html>", "euc-jp", ""),
    ],
    ids=["meta", "http", "undeclared-utf8", "utf16-bom", "xml-declaration"],
)
def test_any_encoding_is_read_as_a_browser_reads_it(
    opening: str, encoding: str, content_type: str
) -> None:
    """Links and titles in non-ASCII: the page's BOM, HTTP charset, XML declaration or <meta
    charset> say how to read it, else UTF-8 when it is UTF-8 (libxml2 alone read Latin-1)."""
    text = opening + '<title>ニュース</title><link rel="alternate" type="application/rss+xml"'
    body = (text + ' href="/ニュース.xml">').encode(encoding)
    assert advertised_feeds(body, "https://jp.example/", content_type=content_type) == (
        "https://jp.example/ニュース.xml",
    )
    if encoding != "utf-16-le":  # the opening is sniffed in bytes: UTF-16 is never an HTML page
        assert html_page_title(b"<html>" + body, content_type) == "ニュース"


def test_a_windows_1251_page_without_a_declaration_read_as_a_browser_would() -> None:
    """Bytes that are not UTF-8 and declare nothing: windows-1252 (never an exception); the
    x-cp1251 label Python does not know is read as browsers read it."""
    body = "<title>Новости</title><link rel=alternate type=application/rss+xml href=/новости>"
    cp1251 = body.encode("cp1251")
    assert advertised_feeds(
        cp1251, "https://ru.example/", content_type="text/html; charset=x-cp1251"
    ) == ("https://ru.example/новости",)
    assert len(advertised_feeds(cp1251, "https://ru.example/")) == 1


@pytest.mark.parametrize(
    "page",
    [b"", b"   ", b"<!-- only a comment -->", b"\x00\xff\xfe", b"<html><head>", b"<link",
     b'<link rel="alternate" type="application/rss+xml" href="http://[::1/x">'],
)  # fmt: skip
def test_broken_html_gives_no_feed_and_never_raises(page: bytes) -> None:
    assert advertised_feeds(page, "https://x.example/") == ()


@given(st.binary(max_size=300), st.text(max_size=40))
def test_never_raises(page: bytes, content_type: str) -> None:
    """Any bytes and any Content-Type: a tuple of http(s) URLs, or nothing."""
    for url in advertised_feeds(page, "https://x.example/p", content_type=content_type):
        assert url.startswith(("http://", "https://"))
    html_page(page, "https://x.example/p", content_type=content_type)


def test_a_saved_page_resolves_absolute_links_only() -> None:
    """A file's relative hrefs name no fetchable feed; its absolute ones do."""
    page = b"""<link rel="alternate" type="application/rss+xml" href="/rss">
    <link rel="alternate" type="application/rss+xml" href="https://x.example/rss">"""
    assert advertised_feeds(page, "file:///tmp/page.html") == ("https://x.example/rss",)


@pytest.mark.parametrize(
    ("body", "content_type", "title"),
    [
        (b"<!DOCTYPE html><html><head><title>Just a moment...</title>", "", "Just a moment..."),
        (b"\xef\xbb\xbf\n<!-- cached -->\n<HTML>\n<TITLE>Parked</TITLE>", "", "Parked"),
        (b"<?xml version='1.0'?><!DOCTYPE html PUBLIC '-//W3C//DTD XHTML 1.0 Strict//EN'><html>",
         "", ""),
        (b"<head><title>Sign in</title></head><body>", "", "Sign in"),
        (b"<script>location='/login'</script>", "", ""),
        (b"<p>Moved", "", ""),
        (b'<meta charset="utf-8"><title>Domain for sale</title>', "text/html", "Domain for sale"),
        (b"<link rel=stylesheet href=/a.css><title>A &amp; B</title>",
         "application/xhtml+xml; charset=utf-8", "A & B"),
    ],
    ids=["doctype", "bom-comment-upper", "xhtml", "head", "script", "p", "meta-served-as-html",
         "link-served-as-xhtml"],
)  # fmt: skip
def test_an_html_page_is_known_by_its_opening_or_its_content_type(
    body: bytes, content_type: str, title: str
) -> None:
    """The tags only HTML opens with (WHATWG MIME Sniffing), after a BOM, comments and an XML
    declaration; any opening tag of a body the server calls text/html or XHTML."""
    assert html_page_title(body, content_type) == title


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>', "text/html"),
        (b"<feed xmlns='http://www.w3.org/2005/Atom'><title>T</title>", "text/html"),
        (b"<rdf:RDF xmlns:rdf='x'><channel><title>T</title>", "text/html"),
        (b"<atom:feed xmlns:atom='http://www.w3.org/2005/Atom'><title>T", "text/html"),
        (b"<meta charset=utf-8><title>T</title>", "application/rss+xml"),
        (b'{"version": "https://jsonfeed.org/version/1.1", "title": "<title>"}', "text/html"),
        (b"Moved to our new site <a href=/new>here</a>", "text/html"),
        (b"<!-- unclosed comment <html><title>T</title>", ""),
    ],
    ids=["rss-as-html", "atom-as-html", "rdf-as-html", "prefixed-atom", "meta-as-rss", "json",
         "text", "unclosed-comment"],
)  # fmt: skip
def test_a_feed_served_as_html_or_text_is_no_html_page(body: bytes, content_type: str) -> None:
    """A (broken) feed the server calls text/html is a feed's problem, not a page's."""
    assert html_page_title(body, content_type) is None
