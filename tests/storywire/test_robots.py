"""robots.txt for full-text pages: the records an answer makes, the verdicts, and ``enrich``
asking robots.txt of each page's origin (loopback server) before the page."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from storywire import robots
from storywire.adapters.http import FetchPolicy, HttpFetcher
from storywire.fulltext import enrich, robots_origins
from storywire.models import Entry, Source
from storywire.robots import (
    ALLOW_ALL,
    FRESH,
    KEPT,
    RETRY,
    RULES,
    UNREACHABLE,
    Robots,
    allows,
    crawl_delay,
    from_failure,
    from_response,
    is_due,
    origin,
    product_token,
)
from tests.support.httpserver import Reply, http_server

UA = "storywire/0.1 (+https://github.com/storywire/storywire)"
AGENT = product_token(UA)
NOW = 1_000_000.0


def _rules(text: str) -> Robots:
    return from_response(200, text.encode(), now=NOW, previous=None)


def test_the_product_token_is_the_user_agents_first_product() -> None:
    assert AGENT == "storywire"
    assert product_token("NewsBot/2 (compatible)") == "NewsBot"
    assert product_token("") == ""


@pytest.mark.parametrize(
    ("url", "site"),
    [
        ("https://Example.COM/a/b?c=1#d", "https://example.com"),
        ("http://example.com:80/a", "http://example.com"),
        ("https://user:pw@example.com:8443/a", "https://example.com:8443"),
        ("http://[::1]:8080/a", "http://[::1]:8080"),
        ("ftp://example.com/a", None),
        ("https:///a", None),
        ("http://example.com:99999/a", None),
    ],
)
def test_a_pages_origin_names_the_robots_txt_that_governs_it(url: str, site: str | None) -> None:
    assert origin(url) == site


def test_the_group_naming_our_product_token_wins_over_the_star_group() -> None:
    robots = _rules(
        "User-agent: *\nDisallow: /\n\n"
        "# ours\nUser-agent: StoryWire\nDisallow: /private/\nCrawl-delay: 7\n"
    )
    assert allows(robots, "https://x.test/news/1", AGENT)
    assert not allows(robots, "https://x.test/private/1", AGENT)
    assert not allows(robots, "https://x.test/news/1", "otherbot")
    assert crawl_delay(robots, AGENT) == 7.0
    assert crawl_delay(robots, "otherbot") is None


def test_blank_lines_inside_a_group_do_not_end_it() -> None:
    """RFC 9309 groups lines by User-agent lines; the standard library alone ended a group at
    a blank line and dropped the rules after it, and an agent line followed by a blank line."""
    robots = _rules(
        "User-agent: storywire\n\nDisallow: /a/\n\nDisallow: /b/\n\n"
        "User-agent: other\nDisallow: /\n"
    )
    assert not allows(robots, "https://x.test/a/1", AGENT)
    assert not allows(robots, "https://x.test/b/1", AGENT)
    assert allows(robots, "https://x.test/c/1", AGENT)


def test_rules_are_read_as_rfc_9309_reads_them() -> None:
    """The longest matching rule wins, ``*`` and ``$`` are patterns, groups for one agent are
    merged, and a Crawl-delay may be fractional. The standard library's parser took the first
    matching line (``Disallow: /`` hid ``Allow: /news/``), matched ``/*?print`` literally
    (nothing), and counted only the first of our groups."""
    robots = _rules(
        "User-agent: storywire\nDisallow: /\nAllow: /news/\nDisallow: /*?print\n"
        "Disallow: /*.pdf$\nCrawl-delay: 0.5\n\n"
        "User-agent: other\nDisallow: /x/\n\n"
        "User-agent: storywire\nDisallow: /news/live/\n"
    )
    assert allows(robots, "https://x.test/news/1", AGENT)
    assert not allows(robots, "https://x.test/about", AGENT)
    assert not allows(robots, "https://x.test/news/1?print=1", AGENT)
    assert not allows(robots, "https://x.test/news/a.pdf", AGENT)
    assert allows(robots, "https://x.test/news/a.pdf.html", AGENT)
    assert not allows(robots, "https://x.test/news/live/1", AGENT)
    assert crawl_delay(robots, AGENT) == 0.5


def test_a_byte_order_mark_does_not_hide_the_first_line() -> None:
    robots = from_response(200, b"\xef\xbb\xbfUser-agent: *\nDisallow: /", now=NOW, previous=None)
    assert not allows(robots, "https://x.test/a", AGENT)


def test_a_page_that_is_not_robots_txt_allows_everything() -> None:
    """A soft 404, an HTML page at /robots.txt, holds no rule."""
    robots = _rules("<html><body>Not found</body></html>")
    assert robots.kind == RULES
    assert allows(robots, "https://x.test/a", AGENT)


@pytest.mark.parametrize("status", [401, 403, 404, 410])
def test_a_4xx_robots_txt_allows_everything_for_a_day(status: int) -> None:
    robots = from_response(status, b"Disallow: /", now=NOW, previous=None)
    assert robots.kind == ALLOW_ALL
    assert allows(robots, "https://x.test/a", AGENT)
    assert robots.until == NOW + FRESH
    assert not is_due(robots, NOW + FRESH - 1)
    assert is_due(robots, NOW + FRESH)


@pytest.mark.parametrize("status", [500, 503, 429])
def test_a_server_error_disallows_everything_and_is_asked_again_in_an_hour(status: int) -> None:
    robots = from_response(status, b"", now=NOW, previous=None)
    assert robots.kind == UNREACHABLE
    assert robots.error == f"http_{status}"
    assert not allows(robots, "https://x.test/a", AGENT)
    assert robots.until == NOW + RETRY


def test_an_unreachable_robots_txt_disallows_everything() -> None:
    robots = from_failure("dns", now=NOW, previous=None)
    assert (robots.kind, robots.error) == (UNREACHABLE, "dns")
    assert not allows(robots, "https://x.test/a", AGENT)


def test_an_earlier_copy_stands_in_while_robots_txt_is_unreachable_for_30_days() -> None:
    earlier = _rules("User-agent: *\nDisallow: /private/")
    later = NOW + FRESH + 5
    stand_in = from_failure("connect", now=later, previous=earlier)
    assert stand_in.kind == RULES
    assert stand_in.error == "connect"
    assert stand_in.until == later + RETRY
    assert allows(stand_in, "https://x.test/news", AGENT)
    assert not allows(stand_in, "https://x.test/private/1", AGENT)
    # Asked for again an hour later, and failing again: still the copy read at NOW.
    again = from_response(503, b"", now=stand_in.until, previous=stand_in)
    assert (again.kind, again.checked, again.error) == (RULES, NOW, "http_503")
    too_old = from_failure("connect", now=NOW + KEPT, previous=earlier)
    assert too_old.kind == UNREACHABLE


@pytest.mark.parametrize("error", ["redirect_limit", "redirect_loop", "bad_redirect"])
def test_a_robots_txt_behind_unfollowable_redirects_is_no_robots_txt(error: str) -> None:
    robots = from_failure(error, now=NOW, previous=None)
    assert robots.kind == ALLOW_ALL
    assert allows(robots, "https://x.test/a", AGENT)


# --- enrich on loopback -------------------------------------------------------------------

PAGE = (
    b"<html><body><article><h1>Quake strikes Sumatra</h1>"
    + b"<p>A magnitude 6.1 earthquake struck off Sumatra on Tuesday, the agency said.</p>" * 6
    + b"</article></body></html>"
)
POLICY = FetchPolicy(user_agent=UA, deadline=5.0)


@pytest.fixture
def fetcher() -> Iterator[HttpFetcher]:
    with HttpFetcher() as client:
        yield client


def _entry(link: str) -> Entry:
    when = datetime(2026, 11, 25, tzinfo=UTC)
    return Entry(guid=link, link=link, title="Quake", summary_html="<p>Quake strikes.</p>",
                 content_html="", published=when)  # fmt: skip


def _source(base: str) -> Source:
    return Source(id="s", url=base + "/feed", outlet="S", domain="s", allow_private=True,
                  full_text=True)  # fmt: skip


class Site:
    """Routes that record each request's path and User-Agent."""

    def __init__(self, routes: dict[str, Reply]) -> None:
        self.asked: list[tuple[str, str]] = []
        self.routes: dict[str, Any] = {path: self._serve(reply) for path, reply in routes.items()}

    def _serve(self, reply: Reply) -> Any:
        def route(h: BaseHTTPRequestHandler) -> Reply:
            self.asked.append((h.path, h.headers.get("User-Agent", "")))
            return reply

        return route


def test_robots_txt_is_asked_once_with_our_user_agent_and_its_rules_kept(
    fetcher: HttpFetcher,
) -> None:
    """Feed polling never reads robots.txt (a feed is published to be polled); pages do."""
    site = Site({
        "/robots.txt": Reply(200, b"User-agent: storywire\nDisallow: /private/\n"),
        "/a": Reply(200, PAGE),
        "/private/b": Reply(200, PAGE),
        "/private/c": Reply(200, PAGE),
    })  # fmt: skip
    with http_server(site.routes) as base:
        links = [base + "/a", base + "/private/b", base + "/private/c"]
        result = enrich(_source(base), [_entry(link) for link in links], fetcher, POLICY, now=NOW)
    assert site.asked == [("/robots.txt", UA), ("/a", UA)]
    assert result.fetched == 1
    assert result.failed == ((links[1], "robots"), (links[2], "robots"))
    assert result.entries[1] == _entry(links[1])  # the feed's own text
    ((site_origin, record),) = result.robots
    assert site_origin == base
    assert (record.kind, record.until) == (RULES, NOW + FRESH)
    assert result.disallowed == ((base, 2, "disallowed by robots.txt"),)
    assert robots_origins([_entry(link) for link in links]) == [base]


def test_a_fresh_record_is_used_and_a_stale_one_asked_again(fetcher: HttpFetcher) -> None:
    site = Site({"/robots.txt": Reply(404), "/a": Reply(200, PAGE)})
    with http_server(site.routes) as base:
        kept = {base: _rules("User-agent: *\nDisallow: /")}
        fresh = enrich(_source(base), [_entry(base + "/a")], fetcher, POLICY, now=NOW,
                       robots=kept)  # fmt: skip
        stale = enrich(_source(base), [_entry(base + "/a")], fetcher, POLICY, now=NOW + FRESH,
                       robots=kept)  # fmt: skip
    assert fresh.failed == ((base + "/a", "robots"),)
    assert fresh.robots == ()
    assert [path for path, _ in site.asked] == ["/robots.txt", "/a"]
    assert stale.fetched == 1
    assert [record.kind for _, record in stale.robots] == [ALLOW_ALL]


def test_a_failing_robots_txt_disallows_the_sites_pages(fetcher: HttpFetcher) -> None:
    site = Site({"/robots.txt": Reply(500, b"oops"), "/a": Reply(200, PAGE)})
    with http_server(site.routes) as base:
        result = enrich(_source(base), [_entry(base + "/a")], fetcher, POLICY, now=NOW)
    assert [path for path, _ in site.asked] == ["/robots.txt"]
    assert result.failed == ((base + "/a", "robots"),)
    assert [(r.kind, r.until) for _, r in result.robots] == [(UNREACHABLE, NOW + RETRY)]
    assert result.disallowed == ((base, 1, "robots.txt unreachable (http_500)"),)


def test_robots_txt_is_paid_from_the_pages_domain_budget(fetcher: HttpFetcher) -> None:
    """Over budget, neither robots.txt nor the page is asked for, and nothing is recorded."""
    site = Site({"/robots.txt": Reply(404), "/a": Reply(200, PAGE)})
    with http_server(site.routes) as base:
        result = enrich(_source(base), [_entry(base + "/a")], fetcher, POLICY, now=NOW,
                        may_fetch=lambda domain: False)  # fmt: skip
    assert site.asked == []
    assert result.failed == ((base + "/a", "over_budget"),)
    assert result.robots == ()


def test_a_crawl_delay_spaces_the_sites_pages(fetcher: HttpFetcher) -> None:
    site = Site({
        "/robots.txt": Reply(200, b"User-agent: *\nCrawl-delay: 30\n"),
        "/a": Reply(200, PAGE),
        "/b": Reply(200, PAGE),
    })  # fmt: skip
    last: dict[str, float] = {}

    def may_crawl(site_origin: str, seconds: float) -> bool:
        if site_origin in last:
            return False
        last[site_origin] = seconds
        return True

    with http_server(site.routes) as base:
        entries = [_entry(base + "/a"), _entry(base + "/b")]
        result = enrich(_source(base), entries, fetcher, POLICY, now=NOW, may_crawl=may_crawl)
    assert last == {base: 30.0}
    assert [path for path, _ in site.asked] == ["/robots.txt", "/a"]
    assert result.failed == ((base + "/b", "crawl_delay"),)


def test_a_page_redirected_to_another_origin_is_asked_for_there_only_if_its_robots_txt_allows(
    fetcher: HttpFetcher,
) -> None:
    """robots.txt is per origin: a link that redirects to another site (a click tracker, a
    feed proxy, a moved section) has that site's robots.txt read before the page is asked
    for there, once, and a page it disallows is the failure ``robots``, as a link to it
    would be. A redirect within the origin reads nothing more."""
    target = Site({
        "/robots.txt": Reply(200, b"User-agent: storywire\nDisallow: /private/\n"),
        "/private/x": Reply(200, PAGE),
        "/ok": Reply(200, PAGE),
    })  # fmt: skip
    with http_server(target.routes) as there:
        tracker = Site({
            "/robots.txt": Reply(404),
            "/a": Reply(302, b"", {"Location": there + "/private/x"}),
            "/b": Reply(301, b"", {"Location": there + "/ok"}),
            "/c": Reply(302, b"", {"Location": "/d"}),
            "/d": Reply(200, PAGE),
        })  # fmt: skip
        with http_server(tracker.routes) as base:
            links = [base + "/a", base + "/b", base + "/c"]
            entries = [_entry(link) for link in links]
            result = enrich(_source(base), entries, fetcher, POLICY, now=NOW)
    assert [path for path, _ in tracker.asked] == ["/robots.txt", "/a", "/b", "/c", "/d"]
    assert [path for path, _ in target.asked] == ["/robots.txt", "/ok"]
    assert result.failed == ((links[0], "robots"),)
    assert result.fetched == 2
    assert [site for site, _ in result.robots] == [base, there]
    assert result.disallowed == ((there, 1, "disallowed by robots.txt"),)


def test_a_redirect_to_another_domain_is_paid_from_its_budget_and_within_one_is_not() -> None:
    """A click tracker's link redirects to the outlet: the outlet's robots.txt and its page are
    paid from the outlet's budget. A redirect to another origin of the same domain (http to
    https, a bare domain to www.) pays for its robots.txt alone, as a redirect within an
    origin pays for nothing."""
    charged: list[str] = []

    def may_fetch(domain: str) -> bool:
        charged.append(domain)
        return True

    routes: dict[str, Any] = {
        "/robots.txt": lambda h: Reply(404),
        "/ok": lambda h: Reply(200, PAGE),
    }
    source = Source(id="s", url="https://aggregator.test/feed", outlet="S", domain="agg.test",
                    full_text=True)  # fmt: skip
    # Every name answers loopback; the policy, not the source, lets the fetch reach it.
    policy = replace(POLICY, allow_private=True)
    with (
        HttpFetcher(resolver=lambda host, port: ["127.0.0.1"]) as client,
        http_server(routes) as base,
    ):
        port = base.rsplit(":", 1)[1]
        for path, target in (("/a", "news.outlet.test"), ("/c", "www.tracker.test")):
            reply = Reply(302, b"", {"Location": f"http://{target}:{port}/ok"})
            routes[path] = lambda h, reply=reply: reply
        links = [f"http://tracker.test:{port}/a", f"http://tracker.test:{port}/c"]
        result = enrich(source, [_entry(link) for link in links], client, policy, now=NOW,
                        may_fetch=may_fetch)  # fmt: skip
    assert result.fetched == 2
    assert charged == ["tracker.test"] * 2 + ["outlet.test"] * 2 + ["tracker.test"] * 2


def test_parsed_files_are_kept_within_a_bound_on_their_text() -> None:
    """Parsed files were kept 256 at a time whatever their size: a parsed file takes 7-25
    times its text, so 256 origins serving robots.txt of the 500 KiB the RFC allows held
    gigabytes in a fetch worker. The cache is bounded by the text it holds as well."""
    cache = robots._ParsedCache(files=256, chars=64 * 1024)
    big = [f"User-agent: *\nDisallow: /{n}/\n" + "#" * 20_000 for n in range(10)]
    for n, text in enumerate(big):
        assert cache(text).can_fetch(f"https://x.example/{n}/a", "storywire") is False
    assert cache.held <= 64 * 1024
    assert cache(big[-1]) is cache(big[-1])  # the most recent stays parsed
    huge = "User-agent: *\nDisallow: /\n" + "#" * 100_000  # alone over the bound: still parsed
    assert cache(huge).can_fetch("https://x.example/a", "storywire") is False
    assert cache.held == len(huge)
