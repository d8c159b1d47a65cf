"""Which bodies are HTML pages, where a feed was expected."""

from __future__ import annotations

import pytest

from storywire.discovery import html_page_title


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
