"""One poll against a local misbehaving server: validators, backoff, limits, SSRF guard."""

from __future__ import annotations

import gzip
import random
import zlib
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from storywire.adapters.http import FetchError, FetchPolicy, FetchResult, HttpFetcher
from storywire.fetching import DISABLE_MIN_FAILURES, PollConfig, PollResult, poll
from storywire.models import Source
from storywire.sources import SourceState
from tests.support.httpserver import Reply, http_server

FEED = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
<item><guid>1</guid><title>One</title><link>https://x.com/1</link></item></channel></rss>"""
POLICY = FetchPolicy(user_agent="storywire-test", read_timeout=2.0, deadline=5.0)


@pytest.fixture
def fetcher() -> Iterator[HttpFetcher]:
    """A fetcher whose pooled sockets are closed when the test ends."""
    with HttpFetcher() as client:
        yield client


def _source(url: str, *, allow_private: bool = True) -> Source:
    return Source(id="t", url=url, outlet="T", domain="t", allow_private=allow_private)


def _polls(
    fetcher: HttpFetcher, url: str, times: list[float], config: PollConfig
) -> list[PollResult]:
    """Poll ``url`` once at each of ``times``, each poll starting from the state the last left."""
    state = SourceState()
    results: list[PollResult] = []
    for now in times:
        results.append(poll(_source(url), state, fetcher, POLICY, now=now, config=config))
        state = results[-1].state
    return results


def _etag_route(handler: BaseHTTPRequestHandler) -> Reply:
    if handler.headers.get("If-None-Match") == '"v1"':
        return Reply(304)
    return Reply(200, FEED, {"ETag": '"v1"', "Content-Type": "application/rss+xml"})


def test_conditional_get_turns_into_304_without_parsing(fetcher: HttpFetcher) -> None:
    """The ETag of one poll is sent with the next; a 304 yields no entries and no error."""
    with http_server({"/feed": _etag_route}) as base:
        first = poll(_source(base + "/feed"), SourceState(), fetcher, POLICY, now=1000.0)
        second = poll(_source(base + "/feed"), first.state, fetcher, POLICY, now=2000.0)
    assert first.outcome == "ok"
    assert len(first.entries) == 1
    assert first.state.etag == '"v1"'
    assert second.outcome == "not_modified"
    assert second.entries == ()
    assert second.state.last_success == 2000.0


def test_429_backs_off_at_least_retry_after(fetcher: HttpFetcher) -> None:
    """A 429 with Retry-After is a failure whose next poll waits at least that long."""
    route = {"/feed": lambda h: Reply(429, b"", {"Retry-After": "3600"})}
    with http_server(route) as base:
        result = poll(_source(base + "/feed"), SourceState(), fetcher, POLICY, now=0.0)
    assert result.outcome == "http_429"
    assert result.next_poll is not None
    assert result.next_poll >= 3600 * 0.9
    assert result.state.consecutive_failures == 1


def test_failures_never_disable_a_source_quickly(fetcher: HttpFetcher) -> None:
    """Many errors within hours keep the source scheduled; days of errors disable it."""
    src = _source("http://127.0.0.1:9/feed")
    state = SourceState()
    rng = random.Random(1)
    for i in range(DISABLE_MIN_FAILURES + 5):
        result = poll(src, state, fetcher, POLICY, now=1000.0 + i * 60, rng=rng)
        state = result.state
    assert result.next_poll is not None
    assert state.disabled_reason is None
    late = poll(src, state, fetcher, POLICY, now=1000.0 + 4 * 24 * 3600, rng=rng)
    assert late.next_poll is None
    assert late.state.disabled_reason
    assert [e.type for e in late.events] == ["storywire.source.failed.v1"]


def test_a_body_naming_a_local_file_is_read_as_itself(fetcher: HttpFetcher, tmp_path: Path) -> None:
    """A feed whose body is a path on the worker is that text, not the file: feedparser opens
    bytes that name a file, so the worker published its own file (or read /dev/zero without
    end)."""
    local = tmp_path / "local.xml"
    local.write_bytes(FEED.replace(b"One", b"from the worker's disk"))
    route = {"/feed": lambda h: Reply(200, str(local).encode(), {"Content-Type": "text/xml"})}
    with http_server(route) as base:
        result = poll(_source(base + "/feed"), SourceState(), fetcher, POLICY, now=0.0)
    assert result.outcome == "parse"
    assert result.entries == ()


def test_loopback_is_refused_unless_allowed(fetcher: HttpFetcher) -> None:
    """The SSRF guard blocks a loopback feed by default."""
    with http_server({"/feed": _etag_route}) as base:
        result = poll(
            _source(base + "/feed", allow_private=False),
            SourceState(),
            fetcher,
            POLICY,
            now=0.0,
        )
    assert result.outcome == "ssrf_blocked"


@pytest.mark.parametrize(
    "host", ["2130706433", "0177.0.0.1", "[::ffff:127.0.0.1]", "169.254.169.254", "10.0.0.1"]
)
def test_ip_literals_in_any_notation_are_refused(host: str, fetcher: HttpFetcher) -> None:
    """Decimal, octal, IPv6-mapped, link-local and private literals never get a request."""
    with pytest.raises(FetchError) as info:
        fetcher.fetch(f"http://{host}/feed", POLICY)
    assert info.value.reason == "ssrf_blocked"


def _redirect_to(location: str) -> Callable[[BaseHTTPRequestHandler], Reply]:
    return lambda handler: Reply(301, b"", {"Location": location})


def test_redirect_loop_and_hop_limit(fetcher: HttpFetcher) -> None:
    """A redirect loop is detected; a long chain stops at the hop limit."""
    routes = {
        "/a": lambda h: Reply(302, b"", {"Location": "/b"}),
        "/b": lambda h: Reply(302, b"", {"Location": "/a"}),
        **{f"/c{i}": _redirect_to(f"/c{i + 1}") for i in range(10)},
    }
    with http_server(routes) as base:
        with pytest.raises(FetchError) as loop:
            fetcher.fetch(base + "/a", _private())
        with pytest.raises(FetchError) as chain:
            fetcher.fetch(base + "/c0", _private())
    assert loop.value.reason == "redirect_loop"
    assert chain.value.reason == "redirect_limit"


def _private(max_body_bytes: int = POLICY.max_body_bytes) -> FetchPolicy:
    return replace(POLICY, allow_private=True, max_body_bytes=max_body_bytes)


def test_body_cap_and_gzip_bomb(fetcher: HttpFetcher) -> None:
    """Bodies over the cap are cut off, compressed or not."""
    bomb = gzip.compress(b"\0" * (20 * 1024 * 1024))
    routes = {
        "/big": lambda h: Reply(200, b"x" * 300_000),
        "/bomb": lambda h: Reply(200, bomb, {"Content-Encoding": "gzip"}),
    }
    with http_server(routes) as base:
        for path in ("/big", "/bomb"):
            with pytest.raises(FetchError) as info:
                fetcher.fetch(base + path, _private(max_body_bytes=200_000))
            assert info.value.reason == "too_large"


def test_unconditional_fetch_every_nth_poll_catches_broken_validators(
    fetcher: HttpFetcher,
) -> None:
    """Validators are sent on ordinary polls and left off every Nth one and after 24 h."""
    sent: list[str | None] = []

    def route(handler: BaseHTTPRequestHandler) -> Reply:
        sent.append(handler.headers.get("If-None-Match"))
        return _etag_route(handler)

    config = PollConfig(unconditional_every=3, unconditional_after=24 * 3600.0)
    with http_server({"/feed": route}) as base:
        results = _polls(fetcher, base + "/feed", [1000.0 + i for i in range(4)], config)
        outcomes = [r.outcome for r in results]
        state = results[-1].state
        late = poll(
            _source(base + "/feed"), state, fetcher, POLICY, now=1000.0 + 25 * 3600, config=config
        )
    assert sent == [None, '"v1"', None, '"v1"', None]
    assert outcomes == ["ok", "not_modified", "ok", "not_modified"]
    assert late.unconditional
    assert late.state.last_unconditional == 1000.0 + 25 * 3600


def test_permanent_redirect_is_stored_only_after_k_repeats(fetcher: HttpFetcher) -> None:
    """A 301 becomes the source's URL on the Kth poll in a row; a 302 never does."""
    routes = {
        "/old": _redirect_to("/new"),
        "/temp": lambda h: Reply(302, b"", {"Location": "/new"}),
        "/new": lambda h: Reply(200, FEED),
    }
    config = PollConfig(redirect_confirmations=3)
    with http_server(routes) as base:
        results = _polls(fetcher, base + "/old", [0.0, 1.0, 2.0], config)
        temps = _polls(fetcher, base + "/temp", [0.0, 1.0, 2.0, 3.0, 4.0], config)
    moved = [r.moved_to for r in results]
    result, state, temp_state = results[-1], results[-1].state, temps[-1].state
    assert [t.moved_to for t in temps] == [None] * 5
    assert moved == [None, None, base + "/new"]
    assert state.redirect_count == 0
    assert "moved" in result.counts
    assert temp_state.redirect_count == 0


def test_interrupted_permanent_redirects_start_counting_again(fetcher: HttpFetcher) -> None:
    """A poll without the 301 resets its count, so a flapping redirect is never stored."""
    hits = {"n": 0}

    def flapping(handler: BaseHTTPRequestHandler) -> Reply:
        hits["n"] += 1
        return Reply(200, FEED) if hits["n"] == 2 else Reply(301, b"", {"Location": "/new"})

    routes = {"/old": flapping, "/new": lambda h: Reply(200, FEED)}
    config = PollConfig(redirect_confirmations=2)
    with http_server(routes) as base:
        results = _polls(fetcher, base + "/old", [0.0, 1.0, 2.0], config)
    assert [r.moved_to for r in results] == [None, None, None]
    assert results[-1].state.redirect_count == 1


def test_503_with_http_date_retry_after_backs_off_source_and_domain(fetcher: HttpFetcher) -> None:
    """Retry-After as an HTTP date is honoured, and the domain is told to wait as well."""
    when = "Thu, 01 Jan 1970 02:00:00 GMT"  # 7200 s after now=0, on the server's clock too
    headers = {"Retry-After": when, "Date": "Thu, 01 Jan 1970 00:00:00 GMT"}
    with http_server({"/feed": lambda h: Reply(503, b"", headers)}) as base:
        result = poll(_source(base + "/feed"), SourceState(), fetcher, POLICY, now=0.0)
    assert result.outcome == "http_503"
    assert result.domain_retry_after == 7200.0
    assert result.next_poll is not None
    assert result.next_poll >= 7200.0


@pytest.mark.parametrize(
    ("retry_after", "server_clock"),
    [
        (3 * 3600, 3600),  # the server's clock an hour ahead of ours
        (5400, -1800),  # half an hour behind
        ("7200, 7200", 0),  # two Retry-After headers a proxy folded into one
        ((7200, 7200), 0),  # two dates so folded
    ],
)
def test_a_retry_after_date_is_read_on_the_servers_clock(
    fetcher: HttpFetcher, retry_after: str | int | tuple[int, ...], server_clock: int
) -> None:
    """Retry-After as an HTTP date was measured against our clock, so a server whose clock is
    off (an hour ahead: a wait of 3 h, not 2; behind: 1.5 h) shifted the back-off; it is
    taken from the server's Date, as Expires is. One folded from duplicated headers ("7200,
    7200") was not read at all: the source and the domain were polled again at once."""
    now = 1_000_000.0
    if isinstance(retry_after, int):
        retry_after = (retry_after,)
    if isinstance(retry_after, tuple):
        retry_after = ", ".join(formatdate(now + s, usegmt=True) for s in retry_after)
    # sent after the server's own Date (the real time), which it overrides
    headers = {"Retry-After": retry_after, "Date": formatdate(now + server_clock, usegmt=True)}
    with http_server({"/feed": lambda h: Reply(503, b"", headers)}) as base:
        result = poll(_source(base + "/feed"), SourceState(), fetcher, POLICY, now=now)
    assert result.outcome == "http_503"
    assert result.domain_retry_after == 7200.0
    assert result.next_poll is not None
    assert result.next_poll >= now + 7200.0


def test_plain_500_does_not_back_off_the_domain(fetcher: HttpFetcher) -> None:
    """Only 429/503 speak for the whole domain; a 500 is this source's problem."""
    with http_server({"/feed": lambda h: Reply(500)}) as base:
        result = poll(_source(base + "/feed"), SourceState(), fetcher, POLICY, now=0.0)
    assert result.outcome == "http_500"
    assert result.domain_retry_after is None


def test_cache_control_max_age_is_a_floor_for_the_next_poll(fetcher: HttpFetcher) -> None:
    """A feed fresh for two hours is not polled again within two hours."""
    headers = {"Cache-Control": "public, max-age=7200"}
    with http_server({"/feed": lambda h: Reply(200, FEED, headers)}) as base:
        result = poll(_source(base + "/feed"), SourceState(), fetcher, POLICY, now=0.0)
    assert result.next_poll is not None
    assert result.next_poll >= 7200.0


def test_disable_threshold_is_configurable(fetcher: HttpFetcher) -> None:
    """With a one-hour setting, a source failing for an hour and enough polls is disabled."""
    config = PollConfig(disable_after=3600.0, disable_min_failures=3)
    src = _source("http://127.0.0.1:9/feed")
    state = SourceState()
    results = []
    for now in (0.0, 1800.0, 3700.0):
        result = poll(src, state, fetcher, POLICY, now=now, config=config)
        results.append(result)
        state = result.state
    assert [r.next_poll is None for r in results] == [False, False, True]
    assert results[-1].state.disabled_at == 3700.0
    assert "disabled" in results[-1].counts


def test_trickling_feed_is_a_deadline_failure_not_a_hang(fetcher: HttpFetcher) -> None:
    """A poll of a server that trickles its body ends with outcome ``deadline``."""
    policy = replace(POLICY, deadline=0.5)
    route = {"/feed": lambda h: Reply(200, FEED, trickle=0.05)}
    with http_server(route) as base:
        result = poll(_source(base + "/feed"), SourceState(), fetcher, policy, now=0.0)
    assert result.outcome == "deadline"
    assert result.state.consecutive_failures == 1


def test_bozo_feed_with_entries_is_accepted_and_counted(fetcher: HttpFetcher) -> None:
    """A malformed feed that still yields entries is ok, with a warning on the record."""
    broken = FEED.replace(b"</channel>", b"<item><title>unclosed</item></channel>")
    with http_server({"/feed": lambda h: Reply(200, broken)}) as base:
        result = poll(_source(base + "/feed"), SourceState(), fetcher, POLICY, now=0.0)
    assert result.outcome == "ok"
    assert result.entries
    assert result.warning
    assert result.state.last_warning == result.warning
    assert result.counts == ("ok", "warning")


def test_garbage_body_is_a_parse_failure(fetcher: HttpFetcher) -> None:
    """Bytes that are no feed are a counted ``parse`` failure, not an exception (an HTML page
    is ``html_page``: tests/storywire/test_http_quirks.py)."""
    page = b"Moved to our new site <a href=/new>here</a>"
    with http_server({"/feed": lambda h: Reply(200, page)}) as base:
        result = poll(_source(base + "/feed"), SourceState(), fetcher, POLICY, now=0.0)
    assert result.outcome == "parse"
    assert result.state.last_error
    assert result.state.last_error.startswith("parse: not a feed")


@pytest.mark.parametrize("location", ["http://[::1", "javascript:alert(1)", "http://x.com:99999/"])
def test_hostile_location_headers_are_clean_failures(location: str, fetcher: HttpFetcher) -> None:
    """A redirect to an unparseable or non-http Location is a counted failure, not a crash."""
    with http_server({"/feed": lambda h: Reply(301, b"", {"Location": location})}) as base:
        result = poll(_source(base + "/feed"), SourceState(), fetcher, POLICY, now=0.0)
    assert result.outcome in ("bad_url", "bad_redirect")
    assert result.next_poll is not None


class _ExplodingFetcher:
    def fetch(self, url: str, policy: FetchPolicy, **validators: str | None) -> FetchResult:
        raise RuntimeError("library bug on odd input")


def test_unexpected_exceptions_become_outcomes() -> None:
    """Even a bug deep in a library becomes an outcome on the record, never a dead worker."""
    result = poll(_source("http://x.invalid/feed"), SourceState(), _ExplodingFetcher(), POLICY,
                  now=0.0)  # fmt: skip
    assert result.outcome == "fetch_bug"
    assert result.state.last_error == "fetch_bug: RuntimeError: library bug on odd input"


@pytest.mark.parametrize(
    ("status", "header"),
    [(503, {"Retry-After": "\u00b2"}), (200, {"Cache-Control": "max-age=60", "Age": "\u00b3"}),
     (200, {"Content-Length": "\u00b9"})],
)  # fmt: skip
def test_non_ascii_digits_in_numeric_headers_are_ignored(
    status: int, header: dict[str, str], fetcher: HttpFetcher
) -> None:
    """A latin-1 superscript digit passes str.isdigit() but not int(): the header is garbage,
    the poll still ends with its outcome on the record instead of raising."""
    with http_server({"/feed": lambda h: Reply(status, FEED, header)}) as base:
        result = poll(_source(base + "/feed"), SourceState(), fetcher, POLICY, now=0.0)
    assert result.outcome == ("ok" if status == 200 else f"http_{status}")
    assert result.next_poll is not None


@pytest.mark.parametrize("encoding", ["br", "gzip", "deflate"])
def test_304_that_names_a_content_encoding_is_not_modified(
    encoding: str, fetcher: HttpFetcher
) -> None:
    """CDNs repeat the 200's Content-Encoding on a 304; an empty body has nothing to decode."""

    def route(handler: BaseHTTPRequestHandler) -> Reply:
        headers = {"ETag": '"v1"', "Content-Encoding": encoding}
        if handler.headers.get("If-None-Match") == '"v1"':
            return Reply(304, b"", headers)
        return Reply(200, FEED, {"ETag": '"v1"'})

    with http_server({"/feed": route}) as base:
        first = poll(_source(base + "/feed"), SourceState(), fetcher, POLICY, now=1000.0)
        second = poll(_source(base + "/feed"), first.state, fetcher, POLICY, now=2000.0)
    assert second.outcome == "not_modified"
    assert second.state.consecutive_failures == 0


TWO = FEED.replace(b"</channel>", b"<item><guid>2</guid><title>Two</title></item></channel>")


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_truncated_compressed_body_is_bad_encoding_not_a_partial_feed(
    encoding: str, fetcher: HttpFetcher
) -> None:
    """A close-delimited gzip/deflate body cut short (a proxy dying mid-response) is detectable
    by its missing end; it must not become a bozo feed of its first entries."""
    wbits = 31 if encoding == "gzip" else zlib.MAX_WBITS
    packer = zlib.compressobj(9, zlib.DEFLATED, wbits)
    packed = packer.compress(TWO) + packer.flush()
    cut = packed[: len(packed) - 40]
    route = {"/feed": lambda h: Reply(200, cut, {"Content-Encoding": encoding})}
    with http_server(route) as base:
        result = poll(_source(base + "/feed"), SourceState(), fetcher, POLICY, now=0.0)
    assert result.outcome == "bad_encoding"
    assert result.entries == ()


def test_a_plain_body_cut_short_is_a_failure_that_leaves_every_entry_unseen(
    fetcher: HttpFetcher,
) -> None:
    """A feed without Content-Length (HTTP/1.0, or Connection: close) whose server died
    mid-body ends where the connection closed: it looks whole. feedparser read it as a bozo
    feed of the items before the cut plus the one cut in half (a title and no text, or no
    title), all ok, the broken item sent on and its hash stored. The document's root never
    closed: it is a parse failure now, no entry taken, and the next poll reads it whole."""
    items = b"".join(
        b"<item><guid>a%d</guid><title>T%d</title><description>%s</description></item>"
        % (n, n, b"word " * 50)
        for n in range(4)
    )
    whole = FEED.replace(b"</channel>", items + b"</channel>")
    cut = whole[: whole.index(b"<description>", whole.index(b"<guid>a2</guid>")) + 20]
    routes = {
        "/cut": lambda h: Reply(200, cut, length=False),
        "/whole": lambda h: Reply(200, whole, length=False),
    }
    with http_server(routes) as base:
        result = poll(_source(base + "/cut"), SourceState(), fetcher, POLICY, now=0.0)
        again = poll(_source(base + "/whole"), result.state, fetcher, POLICY, now=600.0)
    assert result.outcome == "parse"
    assert "cut short" in (result.state.last_error or "")
    assert result.entries == ()
    assert result.state.consecutive_failures == 1
    assert again.outcome == "ok"
    assert [e.title for e in again.entries] == ["One", "T0", "T1", "T2", "T3"]


def test_corrupt_deflate_body_is_bad_encoding(fetcher: HttpFetcher) -> None:
    """Neither zlib-wrapped nor raw deflate: a counted bad_encoding, like a corrupt gzip body."""
    route = {"/feed": lambda h: Reply(200, b"garbage!", {"Content-Encoding": "deflate"})}
    with http_server(route) as base:
        result = poll(_source(base + "/feed"), SourceState(), fetcher, POLICY, now=0.0)
    assert result.outcome == "bad_encoding"


def test_203_from_a_transforming_proxy_is_a_feed_like_200(fetcher: HttpFetcher) -> None:
    """A CDN or proxy answering 203 Non-Authoritative Information still hands over the feed:
    its entries are read, its validators kept, and the poll is healthy."""
    route = {"/feed": lambda h: Reply(203, FEED, {"ETag": '"p1"'})}
    with http_server(route) as base:
        result = poll(_source(base + "/feed"), SourceState(), fetcher, POLICY, now=1000.0)
    assert result.outcome == "ok"
    assert [e.title for e in result.entries] == ["One"]
    assert result.state.etag == '"p1"'
    assert result.state.consecutive_failures == 0
    assert result.state.last_unconditional == 1000.0


def test_226_without_a_delta_request_stays_a_failure(fetcher: HttpFetcher) -> None:
    """226 IM Used answers an RFC 3229 A-IM request, which we never send: its body is a delta,
    not the feed, so it is a counted failure rather than a feed read from half a document."""
    with http_server({"/feed": lambda h: Reply(226, FEED, {"IM": "feed"})}) as base:
        result = poll(_source(base + "/feed"), SourceState(), fetcher, POLICY, now=0.0)
    assert result.outcome == "http_226"
    assert result.entries == ()


@pytest.mark.parametrize(
    ("header", "request_header", "value"),
    [("ETag", "If-None-Match", '"v1"'),
     ("Last-Modified", "If-Modified-Since", "Wed, 25 Nov 2026 08:00:00 GMT")],
)  # fmt: skip
def test_a_200_without_a_validator_drops_the_stored_one(
    header: str, request_header: str, value: str, fetcher: HttpFetcher
) -> None:
    """The validators stored after a 200 are exactly that response's: a server that stopped
    sending one no longer vouches for it, so the next poll must not send it back."""
    sent: list[str | None] = []
    replies = iter([Reply(200, FEED, {header: value}), Reply(200, FEED), Reply(200, FEED)])

    def route(handler: BaseHTTPRequestHandler) -> Reply:
        sent.append(handler.headers.get(request_header))
        return next(replies)

    config = PollConfig(unconditional_every=0)
    with http_server({"/feed": route}) as base:
        results = _polls(fetcher, base + "/feed", [1000.0, 1001.0, 1002.0], config)
    assert sent == [None, value, None]
    assert (results[-1].state.etag, results[-1].state.last_modified) == (None, None)


def test_a_304_keeps_the_validators_it_does_not_repeat(fetcher: HttpFetcher) -> None:
    """A 304 need not repeat Last-Modified: the stored one is still what the server vouches for."""
    stamp = "Wed, 25 Nov 2026 08:00:00 GMT"
    sent: list[str | None] = []

    def route(handler: BaseHTTPRequestHandler) -> Reply:
        sent.append(handler.headers.get("If-Modified-Since"))
        if handler.headers.get("If-Modified-Since") == stamp:
            return Reply(304)
        return Reply(200, FEED, {"Last-Modified": stamp})

    config = PollConfig(unconditional_every=0)
    with http_server({"/feed": route}) as base:
        results = _polls(fetcher, base + "/feed", [1000.0, 1001.0, 1002.0], config)
    assert [r.outcome for r in results] == ["ok", "not_modified", "not_modified"]
    assert sent == [None, stamp, stamp]


def test_a_304_to_a_request_without_validators_is_a_failure(fetcher: HttpFetcher) -> None:
    """Nothing was asked to be compared, so "not modified" is a server or cache bug: a counted
    failure of its own (operators see it), the stored validators and schedule intact."""
    sent: list[str | None] = []

    def route(handler: BaseHTTPRequestHandler) -> Reply:
        sent.append(handler.headers.get("If-None-Match"))
        return Reply(304) if len(sent) > 1 else Reply(200, FEED, {"ETag": '"v1"'})

    config = PollConfig(unconditional_every=2)  # the second poll goes without validators
    with http_server({"/feed": route}) as base:
        first, second = _polls(fetcher, base + "/feed", [1000.0, 1001.0], config)
        third = poll(_source(base + "/feed"), second.state, fetcher, POLICY, now=1002.0,
                     config=config)  # fmt: skip
    assert sent == [None, None, '"v1"']
    assert second.outcome == "http_304"
    assert second.counts == ("http_304",)
    assert second.state.consecutive_failures == 1
    assert second.state.last_status == 304
    assert second.state.etag == '"v1"'
    assert second.state.last_unconditional == first.state.last_unconditional
    assert second.next_poll is not None
    assert third.outcome == "not_modified"
    assert third.state.consecutive_failures == 0


def _gzip_members(*parts: bytes) -> bytes:
    return b"".join(gzip.compress(part) for part in parts)


def test_a_gzip_body_of_several_members_is_decoded_whole(fetcher: HttpFetcher) -> None:
    """RFC 1952 allows a gzip body made of concatenated members (servers that stream the feed
    compress it piecewise): every member is decoded, none of its entries lost."""
    cut = TWO.index(b"<item><guid>2")
    body = _gzip_members(TWO[:cut], TWO[cut:])
    route = {"/feed": lambda h: Reply(200, body, {"Content-Encoding": "gzip"})}
    with http_server(route) as base:
        result = poll(_source(base + "/feed"), SourceState(), fetcher, POLICY, now=0.0)
    assert result.outcome == "ok"
    assert [e.title for e in result.entries] == ["One", "Two"]


def test_a_truncated_later_gzip_member_is_bad_encoding(fetcher: HttpFetcher) -> None:
    """A cut anywhere, in the last member too, is still a truncated body, not a short feed."""
    cut = TWO.index(b"<item><guid>2")
    body = _gzip_members(TWO[:cut], TWO[cut:])[:-12]
    route = {"/feed": lambda h: Reply(200, body, {"Content-Encoding": "gzip"})}
    with http_server(route) as base:
        result = poll(_source(base + "/feed"), SourceState(), fetcher, POLICY, now=0.0)
    assert result.outcome == "bad_encoding"


def test_a_poll_reads_zone_less_dates_in_the_sources_time_zone(fetcher: HttpFetcher) -> None:
    """Xinhua's `2026-11-27 15:00:00` is Beijing time: 07:00 UTC, not 15:00."""
    feed = FEED.replace(b"</link>", b"</link><pubDate>2026-11-27 15:00:00</pubDate>")
    route = Reply(200, feed, {"Content-Type": "application/rss+xml"})
    source = replace(_source("http://127.0.0.1/"), timezone="Asia/Shanghai")
    with http_server({"/feed": lambda _: route}) as base:
        result = poll(replace(source, url=base + "/feed"), SourceState(), fetcher, POLICY,
                      now=datetime(2026, 11, 28, tzinfo=UTC).timestamp())  # fmt: skip
    (entry,) = result.entries
    assert entry.published == datetime(2026, 11, 27, 7, tzinfo=UTC)


class _SameBody:
    """A server without validators that answers every poll with the same document."""

    def __init__(self, body: bytes) -> None:
        self.body = body

    def fetch(self, url: str, policy: FetchPolicy, **validators: str | None) -> FetchResult:
        return FetchResult(200, url, self.body, {"content-type": "application/rss+xml"})


def _items(*guids: str, dated: bool) -> bytes:
    date = "<pubDate>Mon, 01 Jan 2024 00:00:00 GMT</pubDate>" if dated else ""
    items = "".join(f"<item><guid>{g}</guid><title>{g}</title>{date}</item>" for g in guids)
    return f'<rss version="2.0"><channel><title>T</title>{items}</channel></rss>'.encode()


def _intervals(bodies: list[bytes]) -> list[float]:
    """The interval each poll of ``bodies`` (one per poll) sets, each from the last's state."""
    source = replace(_source("https://x.com/feed"), min_interval=300.0, max_interval=21600.0)
    state, now, out = SourceState(), 1.8e9, []
    for body in bodies:
        result = poll(source, state, _SameBody(body), POLICY, now=now, rng=random.Random(7))
        assert result.next_poll is not None, result.outcome
        out.append(result.next_poll - now)
        state, now = result.state, result.next_poll
    return out


@pytest.mark.parametrize("dated", [True, False])
def test_a_feed_that_never_changes_drifts_to_its_max_interval_with_or_without_dates(
    dated: bool,
) -> None:
    """An entry without a date carries the fetch time, so it looked new at every poll: a feed
    of undated items that never changed (and sent no validators) was polled every
    min_interval for ever, where quiet polls stretch the interval up to max_interval."""
    intervals = _intervals([_items("a", "b", dated=dated)] * 40)
    assert intervals[-1] >= 0.9 * 21600.0


def test_an_undated_feed_that_adds_items_keeps_its_pace() -> None:
    """Undated items new since the last poll are news: the interval does not stretch."""
    bodies = [_items(f"i{n}", f"i{n + 1}", dated=False) for n in range(40)]
    assert max(_intervals(bodies)) <= 1.1 * 300.0


def test_the_source_failed_event_names_the_feed_without_its_credentials(
    fetcher: HttpFetcher,
) -> None:
    """Consumers are told which feed was disabled; a paid feed's password and token went
    with it, to every consumer of the stream."""
    src = _source("http://reader:s3cret-pw@127.0.0.1:9/feed?token=s3cret-tk&edition=eu")
    config = PollConfig(disable_after=0.0, disable_min_failures=1)
    result = poll(src, SourceState(), fetcher, POLICY, now=1000.0, config=config)
    (event,) = result.events
    assert event.data["url"] == "http://reader:***@127.0.0.1:9/feed?token=***&edition=eu"
