"""HTTP-level quirks of real feed servers, reported against other feed readers, each reproduced
on loopback: what one poll (or two) makes of it, and what the health record keeps.

Sources name the report the quirk was taken from; the feed reader's handling is not copied.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler

import pytest

from storywire.adapters.http import FetchPolicy, HttpFetcher
from storywire.fetching import PollResult, poll
from storywire.models import Source
from storywire.sources import SourceState
from tests.support.httpserver import Reply, http_server

FEED = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
<item><guid>1</guid><title>One</title><link>https://x.com/1</link></item></channel></rss>"""
CYRILLIC = (
    '<?xml version="1.0" encoding="windows-1251"?><rss version="2.0"><channel><title>T</title>'
    "<item><guid>1</guid><title>Привет</title><link>https://x.com/1</link></item></channel></rss>"
).encode("cp1251")
CHALLENGE = (
    b"<!DOCTYPE html><html lang='en-US'><head><title>Just a moment...</title></head>"
    b"<body><noscript>Enable JavaScript and cookies to continue</noscript></body></html>"
)
POLICY = FetchPolicy(user_agent="storywire-test", read_timeout=2.0, deadline=5.0)
NOW = 1_000_000.0
SERVER_NOW, RETRY_AT = "Mon, 12 Jan 1970 13:46:40 GMT", "Mon, 12 Jan 1970 15:46:40 GMT"


@pytest.fixture
def fetcher() -> Iterator[HttpFetcher]:
    with HttpFetcher() as client:
        yield client


@dataclass
class Server:
    """One scripted feed path; ``seen`` records the request headers of every hit."""

    answer: Callable[[BaseHTTPRequestHandler, int], Reply]
    seen: list[dict[str, str]] = field(default_factory=list)

    def route(self, handler: BaseHTTPRequestHandler) -> Reply:
        self.seen.append({k.lower(): v for k, v in handler.headers.items()})
        return self.answer(handler, len(self.seen))


def _run(
    fetcher: HttpFetcher, server: Server, polls: int = 1, path: str = "/feed"
) -> list[PollResult]:
    """Poll ``path`` ``polls`` times, an hour apart, each from the state the last one left."""
    state, results = SourceState(), []
    with http_server({"/feed": server.route, "/other": server.route}) as base:
        source = Source(id="q", url=base + path, outlet="Q", domain="q", allow_private=True)
        for i in range(polls):
            results.append(poll(source, state, fetcher, POLICY, now=NOW + 3600 * i))
            state = results[-1].state
    return results


def _always(reply: Reply) -> Callable[[BaseHTTPRequestHandler, int], Reply]:
    return lambda handler, hit: reply


# --- quirks storywire already handled: each reproduced, with what it does about it ---------


def _weak_etag(handler: BaseHTTPRequestHandler, hit: int) -> Reply:
    if handler.headers.get("If-None-Match") == 'W/"v1"':
        return Reply(304)
    return Reply(200, FEED, {"ETag": 'W/"v1"'})


def _check_weak_etag(results: list[PollResult], server: Server) -> None:
    # miniflux/v2#4139: a weak validator is sent back exactly as it came, W/ prefix included.
    assert [r.outcome for r in results] == ["ok", "not_modified"]
    assert server.seen[1]["if-none-match"] == 'W/"v1"'
    assert results[1].state.etag == 'W/"v1"'


def _etag_per_request(handler: BaseHTTPRequestHandler, hit: int) -> Reply:
    stamp = "Mon, 02 Nov 2026 10:00:00 GMT"
    return Reply(200, FEED, {"ETag": f'"{hit}"', "Last-Modified": stamp})


def _check_etag_per_request(results: list[PollResult], server: Server) -> None:
    # CommaFeed#1746 (rachelbythebay's feed reader score): Last-Modified unchanged, ETag new;
    # the newest ETag is stored and sent, not the first one forever.
    assert [r.outcome for r in results] == ["ok", "ok", "ok"]
    assert [s.get("if-none-match") for s in server.seen] == [None, '"1"', '"2"']
    assert results[-1].state.etag == '"3"'
    assert all(len(r.entries) == 1 for r in results)


def _odd_last_modified(value: str) -> Callable[[BaseHTTPRequestHandler, int], Reply]:
    return _always(Reply(200, FEED, {"Last-Modified": value}))


def _check_odd_last_modified(results: list[PollResult], server: Server) -> None:
    # RssBandit#433 (2099), miniflux/v2#51 (2041), CommaFeed#859 (1970): the value is an opaque
    # validator, echoed as it came; a server ignoring it answers 200 and entries are read.
    assert [r.outcome for r in results] == ["ok", "ok"]
    sent = server.seen[1]["if-modified-since"]
    assert sent == results[0].state.last_modified
    assert results[1].entries


def _check_retry_after_date(results: list[PollResult], server: Server) -> None:
    # FreshRSS#7571 (Tumblr), django-feed-reader#60: Retry-After as an HTTP date.
    (result,) = results
    assert result.outcome == "http_429"
    assert result.domain_retry_after == pytest.approx(7200.0, abs=2)
    assert result.next_poll is not None
    assert result.next_poll >= NOW + 7200
    assert result.state.consecutive_failures == 1
    assert result.state.disabled_reason is None


def _check_bare_429(results: list[PollResult], server: Server) -> None:
    # liferea#763, gofeed#91 (Reddit: 429 with an empty body, no Retry-After).
    (result,) = results
    assert result.outcome == "http_429"
    assert result.domain_retry_after == 60.0
    assert result.entries == ()
    assert result.state.last_error == "http_429: HTTP 429"


def _check_bare_503(results: list[PollResult], server: Server) -> None:
    # feedparser#152 (a Cloudflare 503 page): this source backs off, the domain is not blocked.
    (result,) = results
    assert result.outcome == "http_503"
    assert result.domain_retry_after is None
    assert result.next_poll is not None
    assert result.next_poll > NOW


def _check_feed_read(results: list[PollResult], server: Server) -> None:
    # CommaFeed#859 (a feed served as text/html), octet-stream: the bytes decide, not the type.
    assert [r.outcome for r in results] == ["ok"]
    assert [e.title for e in results[0].entries] == ["One"]


def _check_charset_conflict(results: list[PollResult], server: Server) -> None:
    # newsboat#2230 (windows-1251 feed), spaRSS#207 (gbk header, utf-8 declaration): the
    # bytes are the declaration's; the text comes out right and the mismatch is a warning.
    (result,) = results
    assert result.outcome == "ok"
    assert [e.title for e in result.entries] == ["Привет"]
    assert result.warning
    assert result.state.last_warning == result.warning


def _relative_308(handler: BaseHTTPRequestHandler, hit: int) -> Reply:
    if handler.path == "/feed":
        return Reply(308, b"", {"Location": "other?format=rss"})
    return Reply(200, FEED)


def _check_relative_308(results: list[PollResult], server: Server) -> None:
    # feedparser PR #326, NewsBlur PR #1038, liferea PR #581 (308 is permanent); JDim PR #1426
    # (a relative Location). Followed, and counted toward moving the source.
    (result,) = results
    assert result.outcome == "ok"
    assert result.entries
    assert result.fetched_from is not None
    assert result.fetched_from.endswith("/other?format=rss")
    assert result.state.redirect_url == result.fetched_from
    assert result.state.redirect_count == 1


def _same_url_with_query(handler: BaseHTTPRequestHandler, hit: int) -> Reply:
    if "?" not in handler.path:
        return Reply(301, b"", {"Location": "/feed?type=rss2"})
    return Reply(200, FEED)


def _check_same_url_with_query(results: list[PollResult], server: Server) -> None:
    # The same path with a query added is another URL, not a loop.
    (result,) = results
    assert result.outcome == "ok"
    assert result.entries
    assert result.fetched_from is not None
    assert result.fetched_from.endswith("/feed?type=rss2")


def _browser_only(handler: BaseHTTPRequestHandler, hit: int) -> Reply:
    if "Mozilla" not in handler.headers.get("User-Agent", ""):
        return Reply(403, CHALLENGE, {"Content-Type": "text/html"})
    return Reply(200, FEED)


def _check_browser_only(results: list[PollResult], server: Server) -> None:
    # nextcloud/news#1761, lemon24/reader#181: a 403 to a non-browser User-Agent. We name
    # ourselves honestly (STORYWIRE_USER_AGENT): a counted http_403 with backoff, no disguise.
    (result,) = results
    assert result.outcome == "http_403"
    assert server.seen[0]["user-agent"] == "storywire-test"
    assert result.next_poll is not None


def _check_get_only(results: list[PollResult], server: Server) -> None:
    # A server without HEAD (the loopback one answers it 501): we never send one.
    assert [r.outcome for r in results] == ["ok"]
    assert len(server.seen) == 1


def _check_zstd(results: list[PollResult], server: Server) -> None:
    # feeds.fun PR #397: zstd, which we do not ask for (no decoder here): a clear failure.
    (result,) = results
    assert result.outcome == "bad_encoding"
    assert "zstd" in (result.state.last_error or "")
    assert "zstd" not in server.seen[0]["accept-encoding"]


HANDLED = {
    "weak etag": (_weak_etag, 2, "/feed", _check_weak_etag),
    "etag new on every request": (_etag_per_request, 3, "/feed", _check_etag_per_request),
    "last-modified in 2099": (
        _odd_last_modified("Thu, 01 Jan 2099 00:00:00 GMT"),
        2,
        "/feed",
        _check_odd_last_modified,
    ),
    "last-modified unparsable": (
        _odd_last_modified("yesterday-ish"),
        2,
        "/feed",
        _check_odd_last_modified,
    ),
    "last-modified 1970": (
        _odd_last_modified("Thu, 01 Jan 1970 00:00:00 GMT"),
        2,
        "/feed",
        _check_odd_last_modified,
    ),
    "429 retry-after http date": (
        # the server's clock is the poll's (NOW), as a Retry-After date is read on it
        _always(Reply(429, b"", {"Retry-After": RETRY_AT, "Date": SERVER_NOW})),
        1,
        "/feed",
        _check_retry_after_date,
    ),
    "429 without retry-after": (_always(Reply(429)), 1, "/feed", _check_bare_429),
    "503 without retry-after": (
        _always(Reply(503, CHALLENGE, {"Content-Type": "text/html"})),
        1,
        "/feed",
        _check_bare_503,
    ),
    "feed as text/html": (
        _always(Reply(200, FEED, {"Content-Type": "text/html; charset=UTF-8"})),
        1,
        "/feed",
        _check_feed_read,
    ),
    "feed as octet-stream": (
        _always(Reply(200, FEED, {"Content-Type": "application/octet-stream"})),
        1,
        "/feed",
        _check_feed_read,
    ),
    "charset header contradicts declaration": (
        _always(Reply(200, CYRILLIC, {"Content-Type": "text/xml; charset=utf-8"})),
        1,
        "/feed",
        _check_charset_conflict,
    ),
    "relative 308": (_relative_308, 1, "/feed", _check_relative_308),
    "redirect to itself with a query": (
        _same_url_with_query,
        1,
        "/feed",
        _check_same_url_with_query,
    ),
    "browser user-agent required": (_browser_only, 1, "/feed", _check_browser_only),
    "no HEAD": (_always(Reply(200, FEED)), 1, "/feed", _check_get_only),
    "zstd unasked": (
        _always(Reply(200, b"(\xb5/\xfd" + FEED, {"Content-Encoding": "zstd"})),
        1,
        "/feed",
        _check_zstd,
    ),
}


@pytest.mark.parametrize("quirk", list(HANDLED))
def test_quirks_already_handled(quirk: str, fetcher: HttpFetcher) -> None:
    answer, polls, path, check = HANDLED[quirk]
    server = Server(answer)
    check(_run(fetcher, server, polls, path), server)


# --- quirks that lost the feed or hid why: fixed -----------------------------------------


@pytest.mark.parametrize(
    ("body", "encoding"),
    [
        # node-feedparser#277: Content-Encoding gzip on a body sent as it is.
        (FEED, "gzip"),
        (FEED, "br"),
        (FEED, "deflate"),
        # tedder/aws-release-notes-rss PR #6: a charset put in Content-Encoding.
        (FEED, "UTF-8"),
        # yesod#534, cpp-httplib#993: gzip applied twice, said twice or once.
        (gzip.compress(gzip.compress(FEED)), "gzip, gzip"),
        (gzip.compress(gzip.compress(FEED)), "gzip"),
        # FreshRSS#3543: a gzip body with no Content-Encoding at all.
        (gzip.compress(FEED), ""),
        # A gzip body said to be deflate (the two confused, as by old IIS and mod_deflate
        # setups): zlib's header was expected, then raw deflate, and it was bad_encoding.
        (gzip.compress(FEED), "deflate"),
        (gzip.compress(gzip.compress(FEED)), "deflate"),
    ],
    ids=[
        "gzip-absent",
        "br-absent",
        "deflate-absent",
        "charset-as-coding",
        "gzip-gzip",
        "gzip-twice-said-once",
        "gzip-unsaid",
        "gzip-said-deflate",
        "gzip-gzip-said-deflate",
    ],
)
def test_a_content_encoding_that_lies_still_yields_the_feed(
    body: bytes, encoding: str, fetcher: HttpFetcher
) -> None:
    headers = {"Content-Encoding": encoding} if encoding else {}
    (result,) = _run(fetcher, Server(_always(Reply(200, body, headers))))
    assert result.outcome == "ok"
    assert [e.title for e in result.entries] == ["One"]


def test_a_corrupt_body_declared_gzip_is_still_bad_encoding(fetcher: HttpFetcher) -> None:
    """Only a body that is already a document is read as one; garbage stays a failure."""
    reply = Reply(200, b"\x00\x01garbage" + FEED, {"Content-Encoding": "gzip"})
    (result,) = _run(fetcher, Server(_always(reply)))
    assert result.outcome == "bad_encoding"


@pytest.mark.parametrize("status", [200, 203])
def test_an_html_page_instead_of_the_feed_says_so(status: int, fetcher: HttpFetcher) -> None:
    """nextcloud/news#3037, jangernert/FeedReader#871 (a Cloudflare challenge), login walls,
    parked domains: a 200 HTML page is its own outcome, named with the page's title, not a
    parse error an operator cannot tell from a broken feed. Stored validators stay."""
    server = Server(_always(Reply(status, CHALLENGE, {"Content-Type": "text/html", "ETag": '"x"'})))
    with http_server({"/feed": server.route}) as base:
        source = Source(id="q", url=base + "/feed", outlet="Q", domain="q", allow_private=True)
        state = SourceState(etag='"old"', last_unconditional=NOW, polls=1)
        result = poll(source, state, fetcher, POLICY, now=NOW)
    assert result.outcome == "html_page"
    assert result.state.last_error == "html_page: an HTML page, not a feed: 'Just a moment...'"
    assert result.state.etag == '"old"'
    assert result.entries == ()
    assert result.next_poll is not None
    assert result.counts == ("html_page",)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"<head><title>Sign in</title></head><body><form></form></body>", ""),
        (b'<meta charset="utf-8">\n<title>Domain for sale</title><p>Buy it', "text/html"),
        ("<title>Вход</title>".encode("cp1251"), "text/html; charset=windows-1251"),
    ],
    ids=["head-first", "meta-first-served-as-html", "cp1251-title"],
)
def test_an_html_page_without_html_or_doctype_tags_is_still_an_html_page(
    body: bytes, content_type: str, fetcher: HttpFetcher
) -> None:
    """The html and head tags are optional: a login wall opening with <head>, or a parked
    page served as text/html opening with <meta charset>, is ``html_page`` (it was ``parse``,
    "mismatched tag"), its title read in the page's encoding."""
    headers = {"Content-Type": content_type} if content_type else {}
    (result,) = _run(fetcher, Server(_always(Reply(200, body, headers))))
    title = body.decode("cp1251") if "1251" in content_type else body.decode()
    title = title[title.index("<title>") + 7 : title.index("</title>")]
    assert result.outcome == "html_page"
    assert result.state.last_error == f"html_page: an HTML page, not a feed: {title!r}"


def test_an_error_page_names_its_title(fetcher: HttpFetcher) -> None:
    """A 403 challenge page (nextcloud/news#1761) says which page it was in the record."""
    reply = Reply(403, CHALLENGE, {"Content-Type": "text/html; charset=UTF-8"})
    (result,) = _run(fetcher, Server(_always(reply)))
    assert result.outcome == "http_403"
    assert result.state.last_error == "http_403: HTTP 403, an HTML page: 'Just a moment...'"


def _html_accept_only(handler: BaseHTTPRequestHandler, hit: int) -> Reply:
    if "text/html" not in handler.headers.get("Accept", ""):
        return Reply(406, b"Not Acceptable")
    return Reply(200, FEED, {"Content-Type": "application/rss+xml"})


def test_a_server_that_wants_text_html_in_accept_gets_it_least_preferred(
    fetcher: HttpFetcher,
) -> None:
    """miniflux/v2#2248, newsboat#2985, CommaFeed#1130 (406 unless Accept names text/html):
    text/html is named, below every feed type, so negotiating servers still prefer feeds."""
    server = Server(_html_accept_only)
    (result,) = _run(fetcher, server)
    assert result.outcome == "ok"
    accept = server.seen[0]["accept"]
    assert accept.startswith("application/rss+xml, application/atom+xml")
    assert "text/html;q=0.1" in accept


def _cookie_gate(handler: BaseHTTPRequestHandler, hit: int) -> Reply:
    if "gate=passed" not in handler.headers.get("Cookie", ""):
        # Only the name=value pair goes back, not its attributes.
        headers = {"Location": handler.path, "Set-Cookie": "gate=passed; Path=/; HttpOnly"}
        return Reply(302, b"", headers)
    return Reply(200, FEED)


def test_a_redirect_to_the_same_url_with_a_cookie_is_followed_once(
    fetcher: HttpFetcher,
) -> None:
    """httpx#821, miniflux/v2#1512, CommaFeed#2198: a 302 to the very same URL that sets a
    cookie, expecting it back. Cookies live for one fetch only, on the host that set them;
    the same URL asked again with a new cookie is not a loop, with the same one it is."""
    server = Server(_cookie_gate)
    (result,) = _run(fetcher, server)
    assert result.outcome == "ok"
    assert [e.title for e in result.entries] == ["One"]
    assert [s.get("cookie") for s in server.seen] == [None, "gate=passed"]
    # The next poll starts without it: nothing about a reader is kept between polls.
    (again,) = _run(fetcher, server)
    assert again.outcome == "ok"
    assert server.seen[2].get("cookie") is None


def test_a_cookie_redirect_that_never_lets_in_is_still_a_loop(fetcher: HttpFetcher) -> None:
    reply = Reply(302, b"", {"Location": "/feed", "Set-Cookie": "gate=again"})
    (result,) = _run(fetcher, Server(_always(reply)))
    assert result.outcome == "redirect_loop"


def test_cookies_go_back_only_to_the_host_that_set_them(fetcher: HttpFetcher) -> None:
    seen: list[str | None] = []

    def other_host(handler: BaseHTTPRequestHandler) -> Reply:
        seen.append(handler.headers.get("Cookie"))
        return Reply(200, FEED)

    with http_server({"/other": other_host}) as base:
        port = base.rsplit(":", 1)[1]
        away = Reply(302, b"", {"Location": f"http://localhost:{port}/other", "Set-Cookie": "a=b"})
        (result,) = _run(fetcher, Server(_always(away)))
    assert result.outcome == "ok"
    assert seen == [None]


@pytest.mark.parametrize("content_type", ["text/xml", "text/rss+xml", "text/xml; format=rss"])
def test_text_xml_without_a_charset_is_not_us_ascii(
    content_type: str, fetcher: HttpFetcher
) -> None:
    """thunderbird-website#668 (rss2email: "document declared as us-ascii, but parsed as
    utf-8"), w3c/feedvalidator#91: RFC 3023 made text/xml without a charset US-ASCII, RFC 7303
    (2014) made the document's own declaration or BOM decide. A UTF-8 feed so served is read
    without a warning on every poll; a charset given in the header still counts."""
    feed = FEED.replace(b"<title>One", "<title>Café".encode())
    (result,) = _run(fetcher, Server(_always(Reply(200, feed, {"Content-Type": content_type}))))
    assert result.outcome == "ok"
    assert [e.title for e in result.entries] == ["Café"]
    assert result.warning is None
    assert result.counts == ("ok",)


CUT_GZIP = gzip.compress(b"<html><title>Too Many</title>" + b"x" * 5000)[:40]


@pytest.mark.parametrize(
    ("status", "body", "headers"),
    [
        # A plain-text error page labelled gzip.
        (503, b"Service Unavailable", {"Content-Encoding": "gzip"}),
        # An overloaded server's compressed error page, cut short.
        (429, CUT_GZIP, {"Content-Encoding": "gzip"}),
        # Content-Length promises more than the server sends before it closes.
        (429, b"slow down", {"Content-Length": "1000"}),
    ],
    ids=["503-plain-as-gzip", "429-gzip-cut", "429-short-body"],
)
def test_an_unreadable_error_page_still_says_its_status_and_retry_after(
    status: int, body: bytes, headers: dict[str, str], fetcher: HttpFetcher
) -> None:
    """The status and Retry-After came whole: an error page that cannot be read (mislabelled,
    cut short) must not turn a 429/503 into bad_encoding or connection, which dropped the
    Retry-After and the domain's block, and polled the overloaded server again minutes later."""
    reply = Reply(status, body, {"Retry-After": "7200", **headers})
    (result,) = _run(fetcher, Server(_always(reply)))
    assert result.outcome == f"http_{status}"
    assert result.domain_retry_after == 7200.0
    assert result.next_poll is not None
    assert result.next_poll >= NOW + 7200


@pytest.mark.parametrize(
    ("location", "path"),
    [
        ("/nachrichten/über.rss", "/nachrichten/%C3%BCber.rss"),
        ("/新闻/rss", "/%E6%96%B0%E9%97%BB/rss"),
        ("/caf%C3%A9.rss", "/caf%C3%A9.rss"),
    ],
    ids=["german", "chinese", "already-encoded"],
)
def test_a_location_with_raw_utf8_reaches_the_page_it_names(
    location: str, path: str, fetcher: HttpFetcher
) -> None:
    """A Location header carrying raw UTF-8 (a CMS that writes its IRI as it is) is read as
    UTF-8, as browsers, curl and requests read it: http.client hands it over decoded as
    latin-1, and ``ü`` went out as ``%C3%83%C2%BC``, a page that does not exist (404)."""
    asked: list[str] = []

    def target(handler: BaseHTTPRequestHandler) -> Reply:
        asked.append(handler.path)
        return Reply(200, FEED)

    # The test server writes header values as latin-1: these are the UTF-8 bytes on the wire.
    raw = location.encode("utf-8").decode("latin-1")
    routes = {"/feed": lambda h: Reply(301, b"", {"Location": raw}), path: target}
    with http_server(routes) as base:
        source = Source(id="q", url=base + "/feed", outlet="Q", domain="q", allow_private=True)
        result = poll(source, SourceState(), fetcher, POLICY, now=NOW)
    assert result.outcome == "ok"
    assert asked == [path]
    assert [e.title for e in result.entries] == ["One"]


@pytest.mark.parametrize("content_type", ["text/plain", "text/html", "text/html; foo=bar"])
def test_a_feed_served_as_other_text_without_a_charset_is_not_us_ascii(
    content_type: str, fetcher: HttpFetcher
) -> None:
    """A feed served as text/plain (a static host that does not know .rss) or text/html (a
    CMS's default) without a charset: feedparser still applies RFC 3023's US-ASCII to every
    text/* type, so each poll of a UTF-8 feed warned 'document declared as us-ascii, but
    parsed as utf-8', where a non-XML Content-Type alone is no warning. The document's own
    declaration decides, as for text/xml."""
    feed = FEED.replace(b"<title>One", "<title>Café".encode())
    (result,) = _run(fetcher, Server(_always(Reply(200, feed, {"Content-Type": content_type}))))
    assert result.outcome == "ok"
    assert [e.title for e in result.entries] == ["Café"]
    assert result.warning is None
    assert result.counts == ("ok",)


def test_a_legacy_feed_served_as_text_plain_keeps_its_declared_encoding(
    fetcher: HttpFetcher,
) -> None:
    (result,) = _run(fetcher, Server(_always(Reply(200, CYRILLIC, {"Content-Type": "text/plain"}))))
    assert [e.title for e in result.entries] == ["Привет"]
    assert result.warning is None


def test_a_json_feed_items_relative_url_is_resolved_as_an_rss_items_link_is(
    fetcher: HttpFetcher,
) -> None:
    """An RSS or Atom item's relative link is resolved against the feed's URL; a JSON Feed
    item's url (or external_url) was kept as written, so its article's url was '/posts/1',
    which names no page. It is resolved alike, and its image against it."""
    feed = (
        b'{"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": ['
        b'{"id": "1", "url": "/posts/1", "title": "One", "image": "img/1.jpg",'
        b' "content_html": "<p>x</p>"},'
        b'{"id": "2", "external_url": "other/2", "title": "Two", "content_text": "y"},'
        b'{"id": "3", "url": "https://elsewhere.example/3", "title": "Three", "content_text": "z"}]}'
    )
    rss = FEED.replace(b"https://x.com/1", b"/posts/1")
    reply = Reply(200, feed, {"Content-Type": "application/feed+json"})
    (result,) = _run(fetcher, Server(_always(reply)), path="/other")
    (xml,) = _run(fetcher, Server(_always(Reply(200, rss))), path="/other")
    assert xml.fetched_from
    assert xml.entries[0].link == xml.fetched_from.removesuffix("/other") + "/posts/1"
    assert result.fetched_from
    base = result.fetched_from.removesuffix("/other")
    assert [e.link for e in result.entries] == [
        base + "/posts/1",
        base + "/other/2",
        "https://elsewhere.example/3",
    ]
    assert result.entries[0].image == base + "/posts/img/1.jpg"


@pytest.mark.parametrize("content_type", ["application/json", "application/feed+json"])
def test_an_xml_feed_served_as_json_is_read_as_the_xml_it_is(
    content_type: str, fetcher: HttpFetcher
) -> None:
    """A JSON Content-Type alone sent the body to the JSON Feed parser, so an RSS feed from a
    server that labels everything application/json (an API gateway, a framework's default)
    failed every poll as 'invalid JSON feed'. A body that opens with markup is XML, as a
    JSON Feed served as application/xml is read as the JSON it is."""
    reply = Reply(200, b"\xef\xbb\xbf\n" + FEED, {"Content-Type": content_type})
    (result,) = _run(fetcher, Server(_always(reply)))
    assert result.outcome == "ok"
    assert [e.title for e in result.entries] == ["One"]


def _labelled(declared: str, title: str) -> bytes:
    declaration = f' encoding="{declared}"' if declared else ""
    return (
        f'<?xml version="1.0"{declaration}?><rss version="2.0"><channel><title>T</title>'
        f"<item><guid>1</guid><title>{title}</title><link>https://x.com/1</link></item>"
        "</channel></rss>"
    ).encode()


@pytest.mark.parametrize(
    ("declared", "content_type", "title"),
    [
        ("utf-8", "text/html; charset=windows-1251", "Привет «мир» — тест"),
        ("", "application/rss+xml; charset=windows-1251", "Привет «мир» — тест"),
        ("utf-8", "application/xml; charset=koi8-r", "Привет «мир» — тест"),
        ("iso-8859-15", "application/rss+xml", "Café “très” — été €"),
        ("windows-1250", "text/xml; charset=windows-1250", "Zażółć gęślą jaźń"),
        ("", "application/rss+xml; charset=Shift_JIS", "こんにちは世界"),
    ],
    ids=["html-1251", "rss-1251", "koi8-r", "declared-8859-15", "1250", "shift_jis"],
)
def test_a_utf8_feed_under_another_encodings_name_is_read_as_utf8(
    declared: str, content_type: str, title: str, fetcher: HttpFetcher
) -> None:
    """A host's default charset (Apache's AddDefaultCharset, windows-1251 at Russian hosts) on
    a feed its CMS writes in UTF-8, or a template that still declares ISO-8859-15: the bytes
    were read in the named encoding, every item mojibake ('РџСЂРёРІРµС‚'), with no warning. A
    document that is valid UTF-8 is UTF-8 whatever it is labelled (miniflux's
    reader/encoding: 'feeds with wrong encoding defined and already in UTF-8'); the wrong
    label is the warning. Only Latin-1 and windows-1252 labels came out right before."""
    reply = Reply(200, _labelled(declared, title), {"Content-Type": content_type})
    (result,) = _run(fetcher, Server(_always(reply)))
    assert result.outcome == "ok"
    assert [e.title for e in result.entries] == [title]
    assert result.warning is not None
    assert "read as utf-8" in result.warning


def test_a_legacy_feed_that_is_not_utf8_keeps_its_declared_encoding(fetcher: HttpFetcher) -> None:
    reply = Reply(200, CYRILLIC, {"Content-Type": "application/rss+xml; charset=windows-1251"})
    (result,) = _run(fetcher, Server(_always(reply)))
    assert [e.title for e in result.entries] == ["Привет"]
    assert result.warning is None


@pytest.mark.parametrize(
    ("encoding", "title", "content_type"),
    [
        ("windows-1251", "Привет", "application/rss+xml"),
        ("windows-1251", "Привет", ""),
        ("koi8-r", "Привет", "text/xml"),
        ("iso-8859-1", "Café Zürich", "application/rss+xml"),
        ("shift_jis", "こんにちは", "application/rss+xml"),
        ("windows-1251", "Привет", "application/rss+xml; charset=windows-1251"),
    ],
)
def test_a_utf8_byte_order_mark_on_a_legacy_feed_is_not_its_encoding(
    encoding: str, title: str, content_type: str, fetcher: HttpFetcher
) -> None:
    """A template saved as UTF-8 with a byte order mark in front of a feed its CMS writes in
    windows-1251 (and declares so): the mark was taken for the encoding, the bytes after it
    were not UTF-8, and every item was mojibake ('Ïðèâåò') under a warning that it was
    'declared as utf-8'. A mark that the document after it belies is no encoding; its label
    is, and the mark is the warning."""
    body = b"\xef\xbb\xbf" + _labelled(encoding, title).decode().encode(encoding)
    headers = {"Content-Type": content_type} if content_type else {}
    (result,) = _run(fetcher, Server(_always(Reply(200, body, headers))))
    assert result.outcome == "ok"
    assert [e.title for e in result.entries] == [title]
    if "charset" not in content_type:
        assert result.warning is not None
        assert "byte order mark" in result.warning


def _utf16(declared: str, order: str) -> bytes:
    text = _labelled(declared, "Café “très” Привет").decode()
    return ("\ufeff" + text).encode(order)


@pytest.mark.parametrize(
    ("declared", "order", "content_type", "mislabelled"),
    [
        ("", "utf-16-le", "application/rss+xml; charset=ISO-8859-1", True),
        ("utf-16", "utf-16-be", "text/xml; charset=iso-8859-1", True),
        ("", "utf-16-le", "", False),
        ("", "utf-16-le", "application/xml", False),
        ("utf-16", "utf-16-be", "application/xml; charset=utf-16", False),
        ("windows-1251", "utf-16-le", "application/rss+xml", True),
    ],
    ids=["le-latin1", "be-text-latin1", "le-none", "le-xml", "be-utf16", "le-declared-1251"],
)
def test_a_utf16_feed_is_read_by_its_byte_order_mark(
    declared: str, order: str, content_type: str, mislabelled: bool, fetcher: HttpFetcher
) -> None:
    """A UTF-16 feed opens with a byte order mark, which decides its encoding (XML 1.0
    appendix F, RFC 7303 3.3, WHATWG's decode). Served under a host's default charset
    (ISO-8859-1) or declaring another encoding, it was read in that one, NUL after every
    letter: 'not well-formed', the whole feed lost at every poll; one served as
    application/xml, or with no Content-Type, without a declaration (which UTF-16 needs
    none of) warned 'declared as utf-8, but parsed as utf-16le', or was lost. A wrong label
    is now the warning only."""
    headers = {"Content-Type": content_type} if content_type else {}
    (result,) = _run(fetcher, Server(_always(Reply(200, _utf16(declared, order), headers))))
    assert result.outcome == "ok"
    assert [e.title for e in result.entries] == ["Café “très” Привет"]
    if mislabelled:
        assert result.warning is not None
        assert "byte order mark" in result.warning
    else:
        assert result.warning is None


@pytest.mark.parametrize("order", ["utf-16-le", "utf-16-be"])
def test_a_utf16_feed_sent_as_it_is_under_a_content_encoding_is_read(
    order: str, fetcher: HttpFetcher
) -> None:
    """A coding that fails on a body that already opens as a document, after its byte order
    mark, was not applied: a UTF-8 one was read so, a UTF-16 one (its '<' behind a NUL) was
    bad_encoding."""
    reply = Reply(200, _utf16("", order), {"Content-Encoding": "gzip"})
    (result,) = _run(fetcher, Server(_always(reply)))
    assert result.outcome == "ok"
    assert [e.title for e in result.entries] == ["Café “très” Привет"]


def test_a_json_feed_item_without_a_url_is_at_its_id_or_attachment_as_an_rss_item_is(
    fetcher: HttpFetcher,
) -> None:
    """An RSS item with no link is at its guid when that is a web address, else at its first
    enclosure (feedparser#384); a JSON Feed item without url or external_url was at its feed's
    URL, every such item at the same address, though the spec calls an id that is the item's
    URL ideal and a podcast's episode is its attachment."""
    feed = (
        b'{"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": ['
        b'{"id": "https://blog.example/2026/one", "title": "One", "content_text": "x"},'
        b'{"id": "ep2", "title": "Two", "content_text": "y", "attachments": ['
        b'{"url": "data:audio/mpeg;base64,AA==", "mime_type": "audio/mpeg"},'
        b'{"url": "https://cdn.example/ep2.mp3", "mime_type": "audio/mpeg"}]},'
        b'{"id": "tag:blog.example,2026:3", "title": "Three", "content_text": "z"}]}'
    )
    reply = Reply(200, feed, {"Content-Type": "application/feed+json"})
    (result,) = _run(fetcher, Server(_always(reply)))
    assert [e.link for e in result.entries] == [
        "https://blog.example/2026/one",
        "https://cdn.example/ep2.mp3",
        None,
    ]


@pytest.mark.parametrize(
    ("prefix", "declared", "codec", "title"),
    [
        (b"\n", "windows-1251", "cp1251", "Привет мир"),
        (b"\r\n\r\n", "Shift_JIS", "shift_jis", "こんにちは"),
        (b"\t\n\n", "koi8-r", "koi8-r", "Привет мир"),
        (b"  \n", "utf-8", "utf-8", "Café “très”"),
    ],
    ids=["1251-newline", "sjis-crlf", "koi8-tab", "utf8-spaces"],
)
def test_a_blank_line_before_the_xml_declaration_keeps_its_encoding(
    prefix: bytes, declared: str, codec: str, title: str, fetcher: HttpFetcher
) -> None:
    """feedparser#508, feedjira#196, feedbin/support#129: a PHP include's blank line before
    '<?xml': the declaration was not at the document's start, so its encoding was not read,
    every item of a windows-1251 or Shift_JIS feed mojibake ('Ïðèâåò'), under a warning that
    it was declared UTF-8; a UTF-8 one warned 'declaration not at start of entity' at every
    poll. Whitespace before the declaration is no part of the feed."""
    body = prefix + _labelled(declared, title).decode().encode(codec)
    reply = Reply(200, body, {"Content-Type": "application/rss+xml"})
    (result,) = _run(fetcher, Server(_always(reply)))
    assert result.outcome == "ok"
    assert [e.title for e in result.entries] == [title]
    assert result.warning is None


@pytest.mark.parametrize(
    "declaration",
    [
        '<?xml version="1.0" encoding = "windows-1251"?>',
        "<?xml version='1.0' encoding\t='windows-1251' ?>",
        '<?xml version="1.0" encoding=\n"windows-1251"?>',
    ],
)
def test_an_encoding_declared_with_spaces_around_its_equals_sign_is_read(
    declaration: str, fetcher: HttpFetcher
) -> None:
    """XML allows whitespace around the '=' of a declaration's encoding (Eq ::= S? '=' S?);
    feedparser's pattern, and ours after it, wanted none, so such a windows-1251 feed was read
    as UTF-8 that was not, every item mojibake."""
    body = _labelled("windows-1251", "Привет мир").decode()
    body = declaration + body[body.index("?>") + 2 :]
    reply = Reply(200, body.encode("cp1251"), {"Content-Type": "application/rss+xml"})
    (result,) = _run(fetcher, Server(_always(reply)))
    assert [e.title for e in result.entries] == ["Привет мир"]
    assert result.warning is None


ATOM_RELATIVE = b"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">
<title>T</title><id>x</id><entry><id>tag:x,1</id><title>A</title><link href="posts/1"/>
<updated>2026-11-27T10:00:00Z</updated></entry></feed>"""


@pytest.mark.parametrize(
    "content_location",
    ["feed.atom", "/feeds/feed.atom.en", "http://10.0.0.5:8080/internal/feed.atom"],
    ids=["multiviews-relative", "path", "backend"],
)
def test_a_content_location_header_is_not_the_base_of_the_feeds_links(
    content_location: str, fetcher: HttpFetcher
) -> None:
    """Apache's content negotiation (MultiViews) answers /feed with 'Content-Location:
    feed.atom', and a proxy may pass on its backend's: feedparser took it for the base of
    relative links, so an entry's link stayed 'posts/1' (no page) or named the backend host.
    RFC 7231 (appendix B) took Content-Location out of base URIs; the URL the feed came from
    is the base."""
    reply = Reply(200, ATOM_RELATIVE, {"Content-Location": content_location})
    (result,) = _run(fetcher, Server(_always(reply)))
    assert result.fetched_from
    assert [e.link for e in result.entries] == [
        result.fetched_from.removesuffix("feed") + "posts/1"
    ]


NETSCAPE = (
    b'<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"'
    b' "http://my.netscape.com/publish/formats/rss-0.91.dtd">'
)


@pytest.mark.parametrize(
    "before", [b"", b" ", b"<!-- generated -->"], ids=["none", "space", "comment"]
)
def test_html_entities_of_an_rss_091_feed_whose_doctype_shares_a_line_are_kept(
    before: bytes, fetcher: HttpFetcher
) -> None:
    """RSS 0.91's Netscape DOCTYPE names the DTD that defines HTML's entities (&eacute;,
    &nbsp;, &mdash;), which such feeds use. feedparser removes a DOCTYPE only at the start of
    a line; one after the XML declaration on its line (a minified feed) or after a comment
    stayed, and expat skipped every entity the DTD defines without a word: 'Café' came out
    'Caf', with no warning. Such a DOCTYPE is read as one on its own line is."""
    body = (
        b'<?xml version="1.0" encoding="ISO-8859-1"?>' + before + NETSCAPE
        + b'<rss version="0.91"><channel><title>T</title><link>https://x.com/</link>'
        + b"<item><title>Caf&eacute; &amp; bar&nbsp;&mdash;x</title>"
        + b"<link>https://x.com/1</link></item></channel></rss>"
    )  # fmt: skip
    (result,) = _run(fetcher, Server(_always(Reply(200, body))))
    assert result.outcome == "ok"
    assert [e.title for e in result.entries] == ["Café & bar\xa0—x"]
