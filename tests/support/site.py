"""A small web site for feed autodiscovery tests: pages that link feeds, and the feeds."""

from __future__ import annotations

from tests.support.httpserver import Reply, Route

RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Site</title>
<item><guid>1</guid><title>One</title><link>https://site.example/1</link></item></channel></rss>"""
ATOM = b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Site</title>
<id>urn:site</id><updated>2026-11-26T00:00:00Z</updated><entry><id>urn:1</id><title>One</title>
<updated>2026-11-26T00:00:00Z</updated><link href="https://site.example/1"/></entry></feed>"""
# The front page links its feeds relative to itself, after its comments feed's place in a
# WordPress head would be; the wall (a login page) links none.
FRONT = b"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Site news</title>
<link rel="alternate" type="application/rss+xml" title="Site &raquo; Feed" href="/rss.xml">
<link rel="alternate" type="application/rss+xml" title="Site &raquo; Comments Feed"
      href="/comments/feed/">
<link rel="alternate" type="application/atom+xml" title="Site (Atom)" href="atom.xml">
</head><body><h1>Site news</h1></body></html>"""
WALL = b"<!DOCTYPE html><html><head><title>Sign in</title></head><body><form></form></body></html>"
HTML = {"Content-Type": "text/html; charset=utf-8"}


def site_routes() -> dict[str, Route]:
    """``/`` (a page advertising ``/rss.xml`` and ``/atom.xml``), ``/wall`` (a page advertising
    nothing) and the two feeds."""
    return {
        "/": lambda handler: Reply(200, FRONT, HTML),
        "/wall": lambda handler: Reply(200, WALL, HTML),
        "/rss.xml": lambda handler: Reply(200, RSS, {"Content-Type": "application/rss+xml"}),
        "/atom.xml": lambda handler: Reply(200, ATOM, {"Content-Type": "application/atom+xml"}),
    }
