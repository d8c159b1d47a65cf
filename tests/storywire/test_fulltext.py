"""Full-text sources: teaser entries get their page's main text, under the fetch limits."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from html import escape
from http.server import BaseHTTPRequestHandler

import pytest

from storywire.adapters.http import FetchPolicy, HttpFetcher
from storywire.fulltext import (
    Page,
    as_paragraphs,
    enrich,
    page_domain,
    page_keys,
    read_page,
)
from storywire.models import Entry, Source
from tests.support.httpserver import Reply, http_server

PAGE = (
    b"<html><head><title>Quake</title></head><body><nav>Home | World | Sport</nav>"
    b"<article><h1>Quake strikes Sumatra</h1>"
    + b"<p>A magnitude 6.1 earthquake struck off Sumatra on Tuesday, the agency said.</p>"
    * 6
    + b"<p>Rescue teams reached the coast by evening.</p></article>"
    b"<footer>Share on Facebook. Copyright 2026.</footer></body></html>"
)
POLICY = FetchPolicy(user_agent="storywire-test", deadline=5.0)


@pytest.fixture
def fetcher() -> Iterator[HttpFetcher]:
    """A fetcher whose sockets close with the test."""
    with HttpFetcher() as client:
        yield client


def _entry(link: str, summary: str = "<p>Quake strikes.</p>") -> Entry:
    when = datetime(2026, 11, 25, tzinfo=UTC)
    return Entry(
        guid=link, link=link, title="Quake", summary_html=summary, content_html="", published=when
    )


def test_teaser_gets_main_text_and_failures_keep_the_feed_text(fetcher: HttpFetcher) -> None:
    """The page's article text replaces a teaser; nav and footer stay out; a 404 changes nothing."""
    with http_server({"/a": lambda h: Reply(200, PAGE, {"Content-Type": "text/html"})}) as base:
        source = Source(
            id="s", url=base, outlet="S", domain="s", allow_private=True, full_text=True
        )
        result = enrich(source, [_entry(base + "/a"), _entry(base + "/missing")], fetcher, POLICY)
    rich, missing = result.entries
    assert "Rescue teams reached the coast" in rich.content_html
    assert "Home | World" not in rich.content_html
    assert "Copyright" not in rich.content_html
    assert missing == _entry(base + "/missing")
    assert result.fetched == 1
    assert result.failed == ((base + "/missing", "http_404"),)


def test_pages_obey_the_ssrf_guard_and_the_switch(fetcher: HttpFetcher) -> None:
    """Without allow_private a loopback page is refused; without full_text nothing is fetched."""
    with http_server({"/a": lambda h: Reply(200, PAGE)}) as base:
        guarded = Source(id="s", url=base, outlet="S", domain="s", full_text=True)
        refused = enrich(guarded, [_entry(base + "/a")], fetcher, POLICY)
        off = enrich(replace(guarded, full_text=False), [_entry(base + "/a")], fetcher, POLICY)
    assert refused.failed == ((base + "/a", "ssrf_blocked"),)
    assert off.fetched == 0
    assert off.failed == ()


def test_allow_private_reaches_the_sources_own_site_not_every_page_its_items_link() -> None:
    """A source allowed on a private address (a feed bridge on the compose network) vouches for
    its own site, not for where its items link: a link to another host that answers with a
    private address (cloud metadata, an intranet page) is refused, where its text was
    published as the article's. A page of the source's own site is still fetched."""
    secret = (
        b"<html><body><article><h1>Quake</h1>"
        + b"<p>Quake strikes: AccessKeyId AKIA-INTERNAL and its SecretAccessKey below.</p>" * 6
        + b"</article></body></html>"
    )
    routes = {
        "/secret": lambda h: Reply(200, secret, {"Content-Type": "text/html"}),
        "/a": lambda h: Reply(200, PAGE, {"Content-Type": "text/html"}),
    }
    # Every name answers loopback: metadata.invalid stands for a name resolving to a private
    # address, the literal 127.0.0.1 for the bridge the operator allowed.
    with (
        HttpFetcher(resolver=lambda host, port: ["127.0.0.1"]) as client,
        http_server(routes) as base,
    ):
        port = base.rsplit(":", 1)[1]
        source = _full_text_source(base + "/feed")
        linked = _entry(f"http://metadata.invalid:{port}/secret")
        own = _entry(base + "/a")
        result = enrich(source, [linked, own], client, POLICY)
    assert result.entries[0] == linked
    assert result.failed == ((linked.link, "ssrf_blocked"),)
    assert "Rescue teams reached the coast" in result.entries[1].content_html


def test_a_page_of_countless_elements_is_read_to_a_bound() -> None:
    """A page of 45,000 paragraphs (1.9 MB, under the 5 MB cap) cost trafilatura 8 s of CPU, 5 MB
    of them minutes, and 10,000 links in one paragraph (190 KB) 15 s: past the whole poll's
    time limit, for any page an item links. Only the page's top is read, where the article
    is: its first 20,000 elements, 5,000 of them inside paragraphs."""
    paragraphs = (
        b"<html><body><article><h1>Quake</h1>"
        + b"".join(b"<p>Paragraph %d of the report on the quake.</p>" % i for i in range(45_000))
        + b"</article></body></html>"
    )
    found = read_page(paragraphs, "https://e.com/a")
    assert found is not None
    lines = found.text.splitlines()
    assert lines[:2] == ["Quake", "Paragraph 0 of the report on the quake."]
    assert 15_000 < len(lines) <= 20_000
    links = b"<html><body><article><p>" + b'<a href="/x">quake</a> ' * 10_000 + b"</p>"
    found = read_page(links + b"</article></body></html>", "https://e.com/a")
    assert found is not None
    assert 4_000 < found.text.count("quake") <= 5_000


WALL = (
    b"<html><body><article><h1>Your privacy</h1>"
    + b"<p>We and our partners store and access information on your device, such as cookies, "
    b"and process personal data for personalised advertising, content and measurement.</p>"
    * 4
    + b"<p>Click accept to consent or manage your choices at any time.</p></article></body></html>"
)


def test_a_page_that_is_not_about_its_entry_keeps_the_teaser(fetcher: HttpFetcher) -> None:
    """A consent wall where the article should be shares no word with the entry's headline or
    teaser: the teaser stays, and the refusal is reported. Its article's page is taken."""
    routes = {
        "/wall": lambda h: Reply(200, WALL, {"Content-Type": "text/html"}),
        "/a": lambda h: Reply(200, PAGE, {"Content-Type": "text/html"}),
    }
    with http_server(routes) as base:
        source = Source(
            id="s", url=base, outlet="S", domain="s", allow_private=True, full_text=True
        )
        walled = _entry(base + "/wall")
        result = enrich(source, [walled, _entry(base + "/a")], fetcher, POLICY)
    assert result.entries[0] == walled
    assert "Rescue teams" in result.entries[1].content_html
    assert result.failed == ((base + "/wall", "unrelated_text"),)
    assert result.fetched == 1


NOT_FOUND = (
    b"<!DOCTYPE html><html><head><title>404 Not Found</title></head><body>"
    b"<h1>Page not found</h1><p>Sorry, the page you requested could not be found on this "
    b"server. It may have been moved or deleted. Return to the homepage.</p></body></html>"
)


def test_a_wall_or_error_page_sharing_only_its_own_words_keeps_the_teaser(
    fetcher: HttpFetcher,
) -> None:
    """A "page not found" answered with 200 (an article not yet on the CDN, one taken down)
    says "found"; a consent wall says "personal data". An entry about a hiker found alive, or
    about personal data, shares those words: the page was published as its article. Words such
    pages are made of say nothing of the article, whose own words its page shares."""
    routes = {
        "/gone": lambda h: Reply(200, NOT_FOUND, {"Content-Type": "text/html"}),
        "/wall": lambda h: Reply(200, WALL, {"Content-Type": "text/html"}),
        "/a": lambda h: Reply(200, PAGE, {"Content-Type": "text/html"}),
    }
    with http_server(routes) as base:
        hiker = replace(
            _entry(base + "/gone", "<p>Rescuers reached the 34-year-old on Wednesday.</p>"),
            title="Missing hiker found alive after five days in the Alps",
        )
        fined = replace(
            _entry(base + "/wall", "<p>The company moved users' personal data abroad.</p>"),
            title="EU fines Meta over personal data transfers",
        )
        # The article itself shares such a word with its entry, and its own besides.
        article = replace(_entry(base + "/a"), title="Quake data: 14 found dead on Sumatra")
        result = enrich(_full_text_source(base), [hiker, fined, article], fetcher, POLICY)
    assert result.entries[:2] == (hiker, fined)
    assert result.failed == (
        (base + "/gone", "unrelated_text"),
        (base + "/wall", "unrelated_text"),
    )
    assert "Rescue teams reached the coast" in result.entries[2].content_html


STUB = (
    b"<html><body><article><h1>Quake strikes Sumatra</h1>"
    b"<p>Subscribe to continue reading. Already a subscriber? Log in.</p></article></body></html>"
)


def test_a_paywall_stub_about_the_headline_keeps_the_teaser(fetcher: HttpFetcher) -> None:
    """A 200 "subscribe to continue" page repeats the headline above its wall: the headline
    alone does not make the page about its entry, and the teaser stays."""
    routes = {"/stub": lambda h: Reply(200, STUB, {"Content-Type": "text/html"})}
    with http_server(routes) as base:
        source = Source(
            id="s", url=base, outlet="S", domain="s", allow_private=True, full_text=True
        )
        stubbed = replace(_entry(base + "/stub"), title="Quake strikes Sumatra")
        result = enrich(source, [stubbed], fetcher, POLICY)
    assert result.entries == (stubbed,)
    assert result.failed == ((base + "/stub", "unrelated_text"),)
    assert result.fetched == 0


def test_one_article_linked_twice_is_fetched_once(fetcher: HttpFetcher) -> None:
    """Two entries linking the same article (one with tracking parameters) cost one request of
    the domain's budget, and both get its text."""
    hits: list[str] = []

    def page(h: object) -> Reply:
        hits.append("a")
        return Reply(200, PAGE, {"Content-Type": "text/html"})

    with http_server({"/a": page}) as base:
        source = Source(
            id="s", url=base, outlet="S", domain="s", allow_private=True, full_text=True
        )
        entries = [_entry(base + "/a?utm_source=rss&utm_medium=feed"), _entry(base + "/a")]
        result = enrich(source, entries, fetcher, POLICY)
    assert len(hits) == 1
    assert all("Rescue teams" in entry.content_html for entry in result.entries)
    assert result.fetched == 2
    assert result.failed == ()


def test_slow_pages_share_one_time_budget(fetcher: HttpFetcher) -> None:
    """Each page has the fetch deadline, but a batch of slow pages must not outlast the fetch
    task's time limit (which would lose the whole batch): past the budget, teasers stay."""
    slow = lambda h: Reply(200, PAGE, {"Content-Type": "text/html"}, trickle=0.4, chunk=200)  # noqa: E731
    with http_server({"/a": slow, "/b": slow, "/c": slow}) as base:
        source = Source(
            id="s", url=base, outlet="S", domain="s", allow_private=True, full_text=True
        )
        entries = [_entry(base + path) for path in ("/a", "/b", "/c")]
        started = time.monotonic()
        result = enrich(source, entries, fetcher, POLICY, seconds=2.0)
        elapsed = time.monotonic() - started
    # Timing-robust on a loaded machine: the budget bounds the whole call, the last page is
    # never started, and every entry is accounted for (nominally: /a fetched, /b cut off).
    assert elapsed < 3.0
    assert result.failed[-1] == (base + "/c", "over_time")
    assert result.fetched + len(result.failed) == 3


def _full_text_source(base: str) -> Source:
    return Source(id="s", url=base, outlet="S", domain="s", allow_private=True, full_text=True)


def test_a_page_is_asked_for_as_html_not_as_a_feed(fetcher: HttpFetcher) -> None:
    """An outlet that negotiates content answers its article URL with RSS when the request
    prefers feeds (as the feed fetcher's Accept does); a page request asks for HTML."""
    accepts: list[str] = []
    feed = b'<?xml version="1.0"?><rss version="2.0"><channel><title>S</title></channel></rss>'

    def negotiating(handler: BaseHTTPRequestHandler) -> Reply:
        accept = handler.headers.get("Accept", "")
        accepts.append(accept)
        if accept.split(",")[0].split(";")[0].strip() in ("text/html", "application/xhtml+xml"):
            return Reply(200, PAGE, {"Content-Type": "text/html"})
        return Reply(200, feed, {"Content-Type": "application/rss+xml"})

    with http_server({"/a": negotiating}) as base:
        result = enrich(_full_text_source(base), [_entry(base + "/a")], fetcher, POLICY)
    assert "Rescue teams reached the coast" in result.entries[0].content_html
    assert result.failed == ()
    (accept,) = accepts
    assert "text/html" in accept
    assert "application/xhtml+xml" in accept
    assert "rss" not in accept


BODY = "The quake, of magnitude 6.1, struck off Sumatra on Tuesday, the agency said."
ARTICLE = {"@type": "NewsArticle", "headline": "Quake strikes Sumatra", "articleBody": BODY}


def _app_shell(*scripts: object) -> bytes:
    """A page rendered by JavaScript: no article text in its HTML, only its JSON-LD."""
    blocks = "".join(
        f'<script type="application/ld+json">{json.dumps(s)}</script>' for s in scripts
    )
    return (
        f"<html><head><title>Quake</title>{blocks}</head><body><div id='root'></div>"
        "<noscript>Please enable JavaScript.</noscript></body></html>"
    ).encode()


@pytest.mark.parametrize(
    "json_ld",
    [
        ARTICLE,
        [{"@type": "Organization", "name": "S"}, {**ARTICLE, "@type": "ReportageNewsArticle"}],
        {"@context": "https://schema.org",
         "@graph": [{"@type": "WebPage", "name": "Quake"}, {**ARTICLE, "@type": "BlogPosting"}]},
        {**ARTICLE, "@type": ["Article"], "articleBody": f"<p>{BODY}</p><p>Rescue &amp; aid.</p>"},
    ],
    ids=["object", "list", "graph", "type-list-with-markup"],
)  # fmt: skip
def test_json_ld_article_body_stands_in_when_the_extractor_finds_nothing(
    json_ld: object, fetcher: HttpFetcher
) -> None:
    """A page whose text is only in its schema.org JSON-LD (an app shell) still gives the
    entry its article: the ``articleBody`` of its article object, wherever the object sits."""
    page = _app_shell({"@type": "WebSite", "name": "S"}, json_ld)
    with http_server({"/a": lambda h: Reply(200, page, {"Content-Type": "text/html"})}) as base:
        result = enrich(_full_text_source(base), [_entry(base + "/a")], fetcher, POLICY)
    assert result.failed == ()
    assert result.entries[0].content_html.startswith(f"<p>{BODY}</p>")


LONG_BODY = " ".join(
    f"After the quake, rescue teams reached village {n} on the coast by evening, officials said."
    for n in range(12)
)
APP_SHELL_TEXT = {
    "cookie-notice": "<div class='consent'><p>We use cookies and similar technologies to"
    " personalise content and ads and to analyse our traffic. By continuing to browse this"
    " site you agree to our use of cookies, as our cookie policy explains.</p></div>",
    "enable-javascript": "<p>Please enable JavaScript in your browser settings to read this"
    " article and to use all the features of this website.</p>",
    "standfirst-only": "<article><h1>Quake strikes Sumatra</h1><p>A quake of magnitude 6.1"
    " struck off Sumatra on Tuesday, and rescue teams were sent to the coast.</p>"
    "<div id='article-body'></div></article>",
}


@pytest.mark.parametrize("shell", APP_SHELL_TEXT.values(), ids=APP_SHELL_TEXT.keys())
def test_a_long_json_ld_body_wins_over_the_little_text_an_app_shell_has(
    shell: str, fetcher: HttpFetcher
) -> None:
    """A page rendered by JavaScript is seldom empty: a consent notice, a "please enable
    JavaScript" line or the standfirst alone is in its HTML, and the extractor returns that.
    Its JSON-LD article, more than twice as long, is the article."""
    ld = json.dumps({**ARTICLE, "articleBody": LONG_BODY})
    page = (
        f'<html><head><title>Quake</title><script type="application/ld+json">{ld}</script>'
        f"</head><body><div id='root'></div>{shell}</body></html>"
    ).encode()
    with http_server({"/a": lambda h: Reply(200, page, {"Content-Type": "text/html"})}) as base:
        result = enrich(_full_text_source(base), [_entry(base + "/a")], fetcher, POLICY)
    assert result.failed == ()
    assert result.entries[0].content_html == f"<p>{LONG_BODY}</p>"


def test_a_json_ld_summary_leaves_the_pages_own_text(fetcher: HttpFetcher) -> None:
    """Some outlets' JSON-LD articleBody is the summary alone (BBC's): the page's text, longer
    and in paragraphs, stays."""
    summary = {**ARTICLE, "articleBody": "A quake struck off Sumatra."}
    ld = json.dumps(summary).encode()
    page = PAGE.replace(
        b"</head>", b'<script type="application/ld+json">' + ld + b"</script></head>"
    )
    with http_server({"/a": lambda h: Reply(200, page, {"Content-Type": "text/html"})}) as base:
        result = enrich(_full_text_source(base), [_entry(base + "/a")], fetcher, POLICY)
    assert "Rescue teams reached the coast by evening." in result.entries[0].content_html
    assert "A quake struck off Sumatra." not in result.entries[0].content_html


@pytest.mark.parametrize(
    "nested",
    ["[" * 100_000 + "]" * 100_000, "[" * 700 + "]" * 700],
    ids=["too-deep-to-decode", "too-deep-to-walk"],
)
def test_json_ld_nested_past_the_recursion_limit_is_skipped(
    nested: str, fetcher: HttpFetcher
) -> None:
    """A hostile page's JSON-LD nested past the recursion limit is passed over like invalid JSON-LD: a
    RecursionError out of the page would fail the whole poll, every poll, while it is listed."""
    page = _app_shell(ARTICLE).replace(
        b"<script", f'<script type="application/ld+json">{nested}</script><script'.encode(), 1
    )
    with http_server({"/a": lambda h: Reply(200, page, {"Content-Type": "text/html"})}) as base:
        result = enrich(_full_text_source(base), [_entry(base + "/a")], fetcher, POLICY)
    assert result.failed == ()
    assert result.entries[0].content_html.startswith(f"<p>{BODY}</p>")


def test_a_json_ld_body_faces_the_same_relatedness_check(fetcher: HttpFetcher) -> None:
    """A JSON-LD articleBody about something else (an app's promotion where the article was)
    is refused like any page's text. (A paywall's own prompts are boilerplate: no_text.)"""
    wall = {**ARTICLE, "articleBody": "Our crossword is now in the app, new every Sunday morning."}
    page = _app_shell(wall)
    with http_server({"/a": lambda h: Reply(200, page, {"Content-Type": "text/html"})}) as base:
        result = enrich(_full_text_source(base), [_entry(base + "/a")], fetcher, POLICY)
    assert result.failed == ((base + "/a", "unrelated_text"),)
    assert result.fetched == 0


def test_a_page_is_charged_to_its_own_site_or_to_its_source() -> None:
    """A page on the source's own site pays from the source's configured domain budget (the
    one its feed polls use); a page elsewhere from that site's registrable domain."""
    source = Source(id="s", url="https://feeds.example.co.uk/rss", outlet="S", domain="ex-key")
    assert page_domain(source, "https://www.example.co.uk/world/1") == "ex-key"
    assert page_domain(source, "https://news.other.com/a?x=1") == "other.com"


def _google_news_link(url: str) -> str:
    """A Google News redirect whose id carries ``url`` (base64url protobuf, field 4)."""
    data = b"\x08\x13\x22" + bytes([len(url)]) + url.encode()
    article_id = base64.urlsafe_b64encode(data).decode().rstrip("=")
    return "https://news.google.com/rss/articles/" + article_id


def test_a_google_news_items_page_is_asked_of_its_outlet(fetcher: HttpFetcher) -> None:
    """A Google News item's link is Google's redirect: its page was asked of news.google.com
    (a consent wall, or JavaScript that redirects) and charged to google.com. The outlet's
    page that its id names is fetched instead, from the outlet's budget."""
    charged: list[str] = []

    def may_fetch(domain: str) -> bool:
        charged.append(domain)
        return True

    with http_server({"/a": lambda h: Reply(200, PAGE, {"Content-Type": "text/html"})}) as base:
        source = Source(
            id="gn", url="https://news.google.com/rss", outlet="Google News", domain="google.com",
            full_text=True,
        )  # fmt: skip
        link = _google_news_link(base + "/a?utm_source=google")
        # The outlet is on loopback: the policy, not the source, lets the fetch reach it.
        outlet = replace(POLICY, allow_private=True)
        result = enrich(source, [_entry(link)], fetcher, outlet, may_fetch=may_fetch)
    (rich,) = result.entries
    assert "Rescue teams reached the coast" in rich.content_html
    assert rich.link == link  # the feed's own link stays what the feed said
    assert charged == ["127.0.0.1", "127.0.0.1"]  # the outlet's robots.txt, then its page
    assert result.failed == ()


def test_a_page_through_a_transforming_proxy_is_read(fetcher: HttpFetcher) -> None:
    """A 203 from a CDN or proxy is the page, as it is the feed for a poll."""
    with http_server({"/a": lambda h: Reply(203, PAGE, {"Content-Type": "text/html"})}) as base:
        result = enrich(_full_text_source(base), [_entry(base + "/a")], fetcher, POLICY)
    assert "Rescue teams reached the coast" in result.entries[0].content_html
    assert result.failed == ()


def test_a_page_answered_429_or_503_stops_that_sites_pages_and_blocks_it(
    fetcher: HttpFetcher,
) -> None:
    """An outlet that says it is overloaded gets no more pages from this poll, and its domain
    is handed back blocked for its Retry-After (a minute without one, for 429), as feeds are."""
    asked: list[str] = []

    def busy(h: BaseHTTPRequestHandler) -> Reply:
        asked.append(h.path)
        return Reply(429, b"slow down", {"Retry-After": "120"})

    routes = {"/a": busy, "/b": busy, "/c": lambda h: Reply(503, b"down")}
    with http_server(routes) as base:
        source = Source(
            id="s", url=base, outlet="S", domain="s", allow_private=True, full_text=True
        )
        result = enrich(source, [_entry(base + "/a"), _entry(base + "/b")], fetcher, POLICY)
        unavailable = enrich(source, [_entry(base + "/c")], fetcher, POLICY)
    assert asked == ["/a"]
    assert result.failed == ((base + "/a", "http_429"), (base + "/b", "domain_busy"))
    assert result.blocked == (("s", 120.0),)
    assert unavailable.failed == ((base + "/c", "http_503"),)
    assert unavailable.blocked == ()  # a 503 without Retry-After blocks nothing, as for feeds


def test_a_page_with_less_text_than_the_teaser_keeps_the_teaser(fetcher: HttpFetcher) -> None:
    """A paywall that shows one short paragraph, about the story, is less than the feed's
    own description: the description stays, and the page is reported."""
    teaser = (
        "<p>A magnitude 6.1 earthquake struck off Sumatra on Tuesday, killing at least 14 "
        "people and injuring more than 200, the national disaster agency said. Rescue teams "
        "reached the coast by evening and searched collapsed buildings in Padang.</p>"
    )
    wall = (
        b"<html><body><article><h1>Quake</h1><p>An earthquake struck off Sumatra.</p>"
        b"<div class='paywall'><p>This article is for subscribers only.</p></div>"
        b"</article></body></html>"
    )
    routes = {"/a": lambda h: Reply(200, wall, {"Content-Type": "text/html"})}
    with http_server(routes) as base:
        entry = _entry(base + "/a", teaser)
        result = enrich(_full_text_source(base), [entry], fetcher, POLICY)
    assert result.entries == (entry,)
    assert result.failed == ((base + "/a", "less_text"),)
    assert result.fetched == 0


def test_a_paywall_prompt_does_not_make_a_page_longer_than_the_teaser(
    fetcher: HttpFetcher,
) -> None:
    """A paywall shows the story's first paragraph and a subscription pitch, which the clean
    stage drops from the article: measured with its pitch, the page outweighed a feed
    description that says more, and the article lost the description's second sentence."""
    first = (
        "A magnitude 6.1 earthquake struck off Sumatra on Tuesday, killing at least 14 people "
        "and injuring more than 200, the national disaster agency said."
    )
    teaser = f"<p>{first} Rescue teams reached the coast by evening.</p>"
    wall = (
        f"<html><body><article><h1>Quake</h1><p>{first}</p>"
        "<div class='gate'><p>Get unlimited access to all our journalism for just $1 a week. "
        "Cancel anytime.</p></div></article></body></html>"
    ).encode()
    routes = {"/a": lambda h: Reply(200, wall, {"Content-Type": "text/html"})}
    with http_server(routes) as base:
        entry = _entry(base + "/a", teaser)
        result = enrich(_full_text_source(base), [entry], fetcher, POLICY)
    assert result.entries == (entry,)
    assert result.failed == ((base + "/a", "less_text"),)


def test_a_stub_repeating_an_aggregator_items_headline_keeps_the_teaser(
    fetcher: HttpFetcher,
) -> None:
    """A Google News title ends with its outlet ("- Daily Globe"), the outlet's own h1 not:
    the headline is still the headline, and a stub that repeats it is not the article."""
    routes = {"/stub": lambda h: Reply(200, STUB, {"Content-Type": "text/html"})}
    with http_server(routes) as base:
        stubbed = replace(
            _entry(base + "/stub"),
            title="Quake strikes Sumatra - Daily Globe",
            outlet="Daily Globe",
        )
        result = enrich(_full_text_source(base), [stubbed], fetcher, POLICY)
    assert result.entries == (stubbed,)
    assert result.failed == ((base + "/stub", "unrelated_text"),)


def test_the_headline_is_not_run_into_the_text_of_an_article_in_sections(
    fetcher: HttpFetcher,
) -> None:
    """An article split into sections between ad slots: the extractor puts the page's h1
    after the first paragraph. The article carries it as its title, not inside its text."""
    title = "Quake kills 14 in Sumatra as rescuers search rubble"
    paragraphs = [
        "Rescue workers pulled survivors from collapsed buildings on Tuesday after a "
        "magnitude 6.1 earthquake struck off the coast, the disaster agency said.",
        "The quake hit at 04:12 local time at a depth of 10 kilometres, about 80 kilometres "
        "south-west of Padang, according to the geophysics agency.",
        "At least 14 people were killed and more than 200 injured, a spokesman said, adding "
        "that the toll was likely to rise as teams reached remote villages.",
    ]
    sections = "".join(
        f"<section class='body-part'><p>{p}</p></section><div class='ad'>Advertisement</div>"
        for p in paragraphs
    )
    page = (
        f"<html><body><nav>Home | World</nav><main><h1>{title}</h1>{sections}</main></body></html>"
    )
    routes = {"/a": lambda h: Reply(200, page.encode(), {"Content-Type": "text/html"})}
    with http_server(routes) as base:
        entry = replace(_entry(base + "/a"), title=title)
        result = enrich(_full_text_source(base), [entry], fetcher, POLICY)
    content = result.entries[0].content_html
    assert title not in content
    assert content == "".join(f"<p>{p}</p>" for p in paragraphs)


def test_a_page_fetched_lately_is_not_asked_again_and_stands_in_when_it_fails(
    fetcher: HttpFetcher,
) -> None:
    """An entry edited since its page was fetched: within the hour the page's kept text
    serves without a request; later a page that fails, or is a consent wall now, is
    reported and its kept text serves, not the teaser. A page fetched now is handed back."""
    asked: list[str] = []
    pages = {"/gone": Reply(404), "/wall": Reply(200, WALL), "/new": Reply(200, PAGE)}

    def answer(h: BaseHTTPRequestHandler) -> Reply:
        asked.append(h.path)
        return pages[h.path]

    kept = Page("The quake, of magnitude 6.1, struck off Sumatra.\nRescue teams reached the coast.")
    paths = ("/a", "/gone", "/wall", "/new")
    with http_server(dict.fromkeys(paths, answer)) as base:
        entries = [_entry(base + path) for path in paths]
        a, gone, wall, new = page_keys(entries)
        earlier = {a: (kept, 9000.0), gone: (kept, 1000.0), wall: (kept, 1000.0)}
        result = enrich(
            _full_text_source(base), entries, fetcher, POLICY, earlier=earlier, now=10000.0
        )
    assert asked == ["/gone", "/wall", "/new"]
    contents = [entry.content_html for entry in result.entries]
    assert contents[:3] == [as_paragraphs(kept.text)] * 3
    assert "Rescue teams reached the coast by evening" in contents[3]
    assert (result.fetched, result.reused) == (1, 3)
    assert result.failed == ((base + "/gone", "http_404"), (base + "/wall", "unrelated_text"))
    assert [key for key, _ in result.pages] == [new]


def test_the_pages_lead_image_is_the_articles_when_the_feed_names_none(
    fetcher: HttpFetcher,
) -> None:
    """A title-only feed names no image: the page's og:image (made absolute) is the lead
    image, as it is on a page rendered by JavaScript whose text is its JSON-LD. An image the
    feed names stays."""
    head = b"<head><meta property='og:image' content='/img/quake.jpg'></head>"
    page = PAGE.replace(b"<head>", head[:-7], 1)
    shell = _app_shell(ARTICLE).replace(b"<head>", head[:-7], 1)
    routes = {
        "/a": lambda h: Reply(200, page, {"Content-Type": "text/html"}),
        "/shell": lambda h: Reply(200, shell, {"Content-Type": "text/html"}),
    }
    with http_server(routes) as base:
        own = replace(_entry(base + "/a?own"), image="https://cdn.example/feed.jpg")
        entries = [_entry(base + "/a"), _entry(base + "/shell"), own]
        result = enrich(_full_text_source(base), entries, fetcher, POLICY)
    assert result.fetched == 3
    images = [entry.image for entry in result.entries]
    assert images == [base + "/img/quake.jpg"] * 2 + ["https://cdn.example/feed.jpg"]


def test_the_pages_byline_is_the_articles_when_the_feed_names_none(
    fetcher: HttpFetcher,
) -> None:
    """A title-only feed (Google News, Hacker News) names no author: the byline the page names
    (meta name=author, article:author, JSON-LD author.name, a rel=author link) is the
    entry's, cleaned as a feed's is (no e-mail address, no leading "By"; several names joined
    as a feed's are), on an app shell's page too. An author the feed names stays; a page
    naming none leaves none."""
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Quake"}
    heads = {
        "/meta": "<meta name='author' content='By Jane Doe (jane@x.com)'>",
        "/og": "<meta property='article:author' content='Jane Doe'>",
        "/ld": _ld_script(ld | {"author": [{"@type": "Person", "name": "Jane Doe"},
                                           {"@type": "Person", "name": "John Roe"}]}),
        "/none": "",
    }  # fmt: skip
    routes = {path: _html(PAGE.replace(b"<head>", b"<head>" + head.encode(), 1))
              for path, head in heads.items()}  # fmt: skip
    routes["/rel"] = _html(
        PAGE.replace(b"<h1>", b"<a rel='author' href='/staff/jane'>Jane Doe</a><h1>", 1)
    )
    routes["/shell"] = _html(
        _app_shell(ld | {"articleBody": BODY, "author": {"@type": "Person", "name": "Jo Bo"}})
    )
    with http_server(routes) as base:
        own = replace(_entry(base + "/meta?own"), author="Feed Writer")
        paths = ("/meta", "/og", "/ld", "/rel", "/shell", "/none")
        entries = [_entry(base + path) for path in paths] + [own]
        result = enrich(_full_text_source(base), entries, fetcher, POLICY)
    assert result.fetched == 7
    authors = [entry.author for entry in result.entries]
    assert authors == [
        "Jane Doe", "Jane Doe", "Jane Doe, John Roe", "Jane Doe", "Jo Bo", None, "Feed Writer"
    ]  # fmt: skip
    assert dict(result.pages)[page_keys(entries)[0]].author == "Jane Doe"


def _html(page: bytes) -> Callable[[BaseHTTPRequestHandler], Reply]:
    return lambda h: Reply(200, page, {"Content-Type": "text/html"})


def _ld_script(node: object) -> str:
    return _ld_script_raw(json.dumps(node))


def _ld_script_raw(ld: str) -> str:
    return f'<script type="application/ld+json">{ld}</script>'


def test_a_pages_json_ld_image_is_the_lead_image_when_it_names_no_og_image(
    fetcher: HttpFetcher,
) -> None:
    """An AMP page names its lead image only in its JSON-LD article's ``image`` (a URL, an
    ImageObject, a list of either, in an @graph too): it is the lead image when the page
    names no og:image, made absolute as that is; an og:image wins, and a JSON-LD image that
    is no http(s) URL gives none."""
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Quake"}
    images: dict[str, object] = {
        "/url": "/img/amp.jpg",
        "/object": {"@type": "ImageObject", "url": "https://cdn.example/obj.jpg", "width": 1200},
        "/list": [{"@type": "ImageObject", "url": "https://cdn.example/l1.jpg"}, "/l2.jpg"],
        "/data": "data:image/png;base64,AAAA",
    }
    routes = {
        path: _html(PAGE.replace(b"<head>", b"<head>" + _ld_script(ld | {"image": i}).encode()))
        for path, i in images.items()
    }
    graph = {"@context": "https://schema.org", "@graph": [{"@type": "WebSite"}, ld | {
        "image": ["https://cdn.example/g.jpg"]}]}  # fmt: skip
    routes["/graph"] = _html(PAGE.replace(b"<head>", b"<head>" + _ld_script(graph).encode()))
    og = "<meta property='og:image' content='https://cdn.example/og.jpg'>"
    routes["/og"] = _html(
        PAGE.replace(b"<head>", f"<head>{og}{_ld_script(ld | {'image': '/x.jpg'})}".encode())
    )
    routes["/shell"] = _html(_app_shell(ARTICLE | {"image": "https://cdn.example/shell.jpg"}))
    with http_server(routes) as base:
        paths = ("/url", "/object", "/list", "/data", "/graph", "/og", "/shell")
        result = enrich(
            _full_text_source(base), [_entry(base + path) for path in paths], fetcher, POLICY
        )
    assert result.fetched == 7
    assert [entry.image for entry in result.entries] == [
        base + "/img/amp.jpg",
        "https://cdn.example/obj.jpg",
        "https://cdn.example/l1.jpg",
        None,
        "https://cdn.example/g.jpg",
        "https://cdn.example/og.jpg",
        "https://cdn.example/shell.jpg",
    ]


CURLY = (
    "The mayor said on Tuesday that the city’s budget would grow by 4% next year…",
    "“We will keep every promise,” she told reporters at City Hall — before leaving for Albany.",
    "Council members are expected to vote on the plan in January, officials said.",
)


def _legacy_page(meta: str) -> bytes:
    """An English outlet's page in windows-1252, its head as long as real heads are."""
    scripts = "<script>window.dataLayer=window.dataLayer||[];</script>" * 20
    body = "".join(f"<p>{p}</p>" for p in CURLY)
    return (
        f"<!DOCTYPE html><html lang='en'><head>{meta}<title>City budget</title>{scripts}</head>"
        "<body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav><article>"
        f"<h1>City budget to grow</h1>{body}</article><footer>The Gazette</footer></body></html>"
    ).encode("cp1252")


def test_a_pages_charset_is_read_as_browsers_read_it(fetcher: HttpFetcher) -> None:
    """trafilatura guesses a page's encoding from its bytes alone: an English page in
    windows-1252 with a few curly quotes was guessed Latin-1, whose 0x80-0x9F are controls,
    so the article read "the citys budget" and "We will keep every promise, she told", whether
    the Content-Type said windows-1252 or its head said ISO-8859-1 (windows-1252 to browsers).
    A JSON-LD article in windows-1251 named by the Content-Type alone was mojibake
    ("Ïðàâèòåëüñòâî"). The page is read in the charset it names, as browsers read it."""
    ru = "Правительство в среду утвердило бюджет на следующий год, сообщил министр финансов."
    ld = json.dumps(ARTICLE | {"headline": "Бюджет", "articleBody": ru}, ensure_ascii=False)
    shell = _app_shell().replace(b"</head>", f"{_ld_script_raw(ld)}</head>".encode())
    latin1 = "text/html; charset=iso-8859-1"
    routes = {
        "/header": lambda h: Reply(
            200, _legacy_page(""), {"Content-Type": "text/html; charset=windows-1252"}
        ),
        "/meta": _html(_legacy_page(f"<meta http-equiv='Content-Type' content='{latin1}'>")),
        "/ru": lambda h: Reply(
            200,
            shell.decode().encode("cp1251"),
            {"Content-Type": "text/html; charset=windows-1251"},
        ),
    }
    with http_server(routes) as base:
        budget = replace(_entry(base + "/header"), title="City budget to grow")
        entries = [budget, replace(budget, link=base + "/meta", guid="m"),
                   replace(_entry(base + "/ru", "<p>Бюджет.</p>"), title="Бюджет утвержден")]  # fmt: skip
        result = enrich(_full_text_source(base), entries, fetcher, POLICY)
    assert result.failed == ()
    expected = "".join(f"<p>{escape(p, quote=False)}</p>" for p in CURLY)
    assert [entry.content_html for entry in result.entries] == [expected, expected, f"<p>{ru}</p>"]


COUNCIL = (
    "The city council on Tuesday approved a $2.4 billion transit budget that adds 120 electric"
    " buses and extends night service on six routes, ending months of debate.",
    "The measure passed 9-4 after a five-hour session in which dozens of residents spoke.",
    "“This vote is a turning point for the people who depend on our buses every day,” Mayor"
    " Linda Ortiz said after the session.",
    "The first new buses are expected on the road next autumn, transit officials said.",
)


def test_a_pages_pull_quotes_embeds_and_the_sources_own_boilerplate_stay_out(
    fetcher: HttpFetcher,
) -> None:
    """The clean stage leaves pull quotes, embedded posts and what a source's rules name out
    of an entry's text, but a page's text came from the extractor, which keeps a pull quote
    in a <blockquote> (the article said the mayor's words twice), an embedded post's text
    (another author's words), and the box the operator's drop_element rule named: the clean
    stage then saw paragraphs, no classes. Those elements leave the page before its text is
    extracted."""
    pull = "“This vote is a turning point for the people who depend on our buses every day”"
    inserts = (
        f"<blockquote class='pull-quote'><p>{pull}</p></blockquote>"
        "<blockquote class='twitter-tweet'><p lang='en'>Huge win for riders today in the"
        " council chamber! Thank you all who came out.</p>— Riders Union (@riders) <a"
        " href='https://twitter.com/riders/status/1'>November 25, 2026</a></blockquote>",
        f"<div class='pullquote'><p>{pull}</p></div>",
        "<div class='promo-box'><p>Our transit reporters ride every route each year. Support"
        " local journalism for $1 a week.</p></div>",
    )
    body = "".join(f"<p>{p}</p>{insert}" for p, insert in zip(COUNCIL, (*inserts, ""), strict=True))
    page = (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Budget</title></head>"
        "<body class='single sponsored'><nav><a href='/'>Home</a></nav><main><article>"
        f"<h1>Council approves transit budget</h1>{body}</article></main></body></html>"
    ).encode()
    source = replace(
        _full_text_source("http://127.0.0.1"),
        rules=((("kind", "drop_element"), ("selector", ".promo-box")),),
    )
    with http_server({"/a": _html(page)}) as base:
        source = replace(source, url=base)
        entry = replace(_entry(base + "/a"), title="Council approves transit budget")
        result = enrich(source, [entry], fetcher, POLICY)
    assert result.failed == ()
    assert result.entries[0].content_html == "".join(
        f"<p>{escape(p, quote=False)}</p>" for p in COUNCIL
    )


def _council_page(head: str = "", body: str = "") -> bytes:
    paragraphs = "".join(f"<p>{p}</p>" for p in COUNCIL)
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>{head}<title>Budget</title>"
        f"</head><body>{body}<article><h1>Council approves transit budget</h1>{paragraphs}"
        "</article></body></html>"
    ).encode()


def _interstitial(refresh: str) -> bytes:
    return (
        "<!DOCTYPE html><html><head><title>Redirecting…</title>"
        f"<meta http-equiv='Refresh' content=\"{refresh}\"></head><body><p>If you are not"
        " redirected automatically, <a href='/news/budget'>follow this link</a>.</p></body></html>"
    ).encode()


def test_a_page_that_refreshes_at_once_to_the_article_gives_the_articles_text(
    fetcher: HttpFetcher,
) -> None:
    """An interstitial (a consent or region redirect, a link tracker's page) sends a browser on
    with a <meta http-equiv="refresh"> or a Refresh header: its own text ("If you are not
    redirected…") was all the entry got, refused as unrelated, and the article was lost. It is
    followed as a redirect is, within the hop limit; a later refresh (a page reloading itself,
    or sending an idle reader home after half an hour) and one in <noscript> (the page's
    "please enable JavaScript" for browsers without it) leave the page's own text."""
    article = _html(_council_page())
    routes = {
        "/news/budget": article,
        "/meta": _html(_interstitial("0; url=/news/budget")),
        "/quoted": _html(_interstitial("0;URL='/news/budget?src=rss'")),
        "/header": lambda h: Reply(
            200, b"<html><body></body></html>", {"Refresh": "1; url=/news/budget"}
        ),
        "/twice": _html(_interstitial("0; url=/meta")),
        "/loop": _html(_interstitial("0; url=/loop2")),
        "/loop2": _html(_interstitial("0; url=/loop")),
        # Pages whose refresh is not a redirect: their own text is the article.
        "/home-later": _html(_council_page("<meta http-equiv='refresh' content='1800; url=/'>")),
        "/reload": _html(_council_page("<meta http-equiv='refresh' content='300'>")),
        "/noscript": _html(
            _council_page(
                body="<noscript><meta http-equiv='refresh' content='0; url=/'></noscript>"
            )
        ),
        "/": _html(b"<html><body><h1>Home</h1><p>Welcome to the Gazette.</p></body></html>"),
    }
    # More hops than the fetcher's limit (5), each a refresh.
    routes |= {f"/c{n}": _html(_interstitial(f"0; url=/c{n + 1}")) for n in range(6)}
    routes["/c6"] = article
    paths = ["/meta", "/quoted", "/header", "/twice", "/loop", "/c0"]
    paths += ["/home-later", "/reload", "/noscript"]
    with http_server(routes) as base:
        entries = [
            replace(_entry(base + path), title="Council approves transit budget") for path in paths
        ]
        result = enrich(_full_text_source(base), entries, fetcher, POLICY)
    assert result.failed == ((base + "/loop", "redirect_loop"), (base + "/c0", "redirect_limit"))
    article_html = "".join(f"<p>{escape(p, quote=False)}</p>" for p in COUNCIL)
    contents = [entry.content_html for entry in result.entries]
    assert contents == [article_html] * 4 + ["", ""] + [article_html] * 3


def test_an_articles_table_is_read_a_row_a_line_and_a_layout_table_is_not(
    fetcher: HttpFetcher,
) -> None:
    """trafilatura reads a page's tables or none of them: asked for none, an article's table
    (results, a budget's lines) was lost, its text pointing at figures no longer there. A data
    table is read as the clean stage reads one, a row a line, cells spaced; a layout table (an
    old site's article in a cell beside its menu), which read with tables gave menu and article
    as one line, stays out as before: the teaser is kept."""
    table = (
        "<table><caption>Budget by line</caption><thead><tr><th>Item</th><th>2025</th>"
        "<th>2026</th></tr></thead><tbody><tr><td>Electric buses</td><td>$310m</td>"
        "<td><b>$480m</b></td></tr><tr><td>Night service</td><td>$42m</td><td>$66m</td></tr>"
        "</tbody></table>"
    )
    title = "Council approves transit budget"
    paragraphs = [f"<p>{escape(p, quote=False)}</p>" for p in COUNCIL]
    article = "".join(paragraphs[:2]) + table + "".join(paragraphs[2:])
    layout = (
        "<table width='100%'><tr><td colspan='2'>The County Courier</td></tr><tr><td><a href='/'>"
        "Home</a><br><a href='/news'>News</a></td><td><b>Council approves transit budget</b><br>"
        + "".join(paragraphs)
        + "</td></tr></table>"
    )
    routes = {
        "/a": _html(
            f"<html><body><article><h1>{title}</h1>{article}</article></body></html>".encode()
        ),
        "/old": _html(f"<html><body>{layout}</body></html>".encode()),
    }
    with http_server(routes) as base:
        entries = [replace(_entry(base + path), title=title) for path in ("/a", "/old")]
        result = enrich(_full_text_source(base), entries, fetcher, POLICY)
    rows = "<p>Budget by line</p><p>Item 2025 2026</p><p>Electric buses $310m $480m</p>"
    rows += "<p>Night service $42m $66m</p>"
    assert result.entries[0].content_html == "".join(paragraphs[:2]) + rows + "".join(
        paragraphs[2:]
    )
    assert result.entries[1] == entries[1]
    assert result.failed == ((base + "/old", "no_text"),)


def _cards(*paths: str) -> str:
    return "".join(
        f"<article class='card'><h3><a href='{path}'>Storm closes the ferry to the islands"
        "</a></h3><p>Crossings are suspended until Friday, the operator said.</p></article>"
        for path in paths
    )


@pytest.mark.parametrize(
    "layout",
    [
        "<header><div class='breaking'>{cards}</div></header><main><article>{story}</article>"
        "</main>",
        "<main><div class='story-body'>{story}</div><section class='more'>{cards}</section></main>",
    ],
    ids=["breaking-banner-before-the-story", "story-in-a-div-beside-a-rail"],
)
def test_another_storys_teaser_card_is_not_the_articles_text(
    layout: str, fetcher: HttpFetcher
) -> None:
    """trafilatura takes a page's first <article> for the article: a "breaking news" banner
    marked up as one before the story, or a rail of related stories marked up as articles
    beside a story in a <div>, put another story's headline and teaser into the text, first,
    so the article's lead was the other story's. A card (a short <article> under a heading
    linking another page) is not read; a live blog's posts, linking their own permalinks under
    the page's path, are."""
    story = "<h1>Council approves transit budget</h1>" + "".join(
        f"<p>{escape(p, quote=False)}</p>" for p in COUNCIL
    )
    posts = "".join(
        f"<article><h2><a href='/live/budget/post-{n}'>{n}:00</a></h2><p>Update {n}: the council"
        " is still debating the transit budget, with a vote expected tonight.</p></article>"
        for n in (21, 20)
    )
    page = layout.format(cards=_cards("/news/ferry", "https://other.example/ferry"), story=story)
    live = f"<main><h1>Live: transit budget</h1>{posts}</main>"
    routes = {
        "/a": _html(f"<html><head><title>Budget</title></head><body>{page}</body></html>".encode()),
        "/live/budget": _html(f"<html><body>{live}</body></html>".encode()),
    }
    with http_server(routes) as base:
        entries = [
            replace(_entry(base + "/a"), title="Council approves transit budget"),
            replace(_entry(base + "/live/budget"), title="Live: transit budget"),
        ]
        result = enrich(_full_text_source(base), entries, fetcher, POLICY)
    assert result.failed == ()
    assert result.entries[0].content_html == "".join(
        f"<p>{escape(p, quote=False)}</p>" for p in COUNCIL
    )
    assert "Update 21: the council" in result.entries[1].content_html
    assert "Update 20: the council" in result.entries[1].content_html
