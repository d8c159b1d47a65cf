"""The fetch task's work on a real Redis and a loopback server: politeness, moves, updates."""

from __future__ import annotations

import base64
import random
import time
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from types import SimpleNamespace
from typing import Any, cast

import orjson
import pytest
import redis
import xxhash
from structlog.testing import capture_logs

import storywire.adapters.http as http_adapter
import tasks.fetch
from storywire.adapters.embedded_redis import EmbeddedRedis
from storywire.adapters.http import HttpFetcher
from storywire.adapters.politeness import Budget, DomainPoliteness, Grant
from storywire.adapters.redis_metrics import snapshot
from storywire.adapters.redis_sources import Claim
from storywire.metrics import Sample
from storywire.models import Source
from storywire.settings import Settings
from storywire.urls import canonical_url
from tasks.fetch import fetch_source, politeness
from tasks.runtime import Runtime
from tests.support.httpserver import Reply, http_server
from tests.support.proxyserver import proxy_server

FEED = """<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
<item><guid>a</guid><title>{a}</title><link>https://x.com/a</link></item>
<item><guid>b</guid><title>Second</title><link>https://x.com/b</link></item></channel></rss>"""


class Outbox:
    """Stands in for the two Celery messages fetch sends, recording them."""

    def __init__(self) -> None:
        self.batches: list[list[list[Any]]] = []
        self.wakes = 0

    def send(self, source_id: str, fetched_at: str, batch: list[list[Any]]) -> None:
        self.batches.append(batch)

    def wake(self) -> None:
        self.wakes += 1


def _runtime(url: str, **knobs: Any) -> Runtime:
    return Runtime(Settings(redis_url=url, **knobs))


@pytest.fixture
def rt_factory(redis_server: EmbeddedRedis, redis_client: redis.Redis) -> Iterator[Any]:
    """Runtimes on the private Redis (flushed per test), their fetchers closed afterwards."""
    made: list[Runtime] = []

    def make(**knobs: Any) -> Runtime:
        rt = _runtime(redis_server.url, **knobs)
        made.append(rt)
        return rt

    yield make
    for rt in made:
        rt.fetcher.close()
        rt.redis.close()


def _add(rt: Runtime, source_id: str, url: str, domain: str = "same.test") -> None:
    source = Source(id=source_id, url=url, outlet=source_id, domain=domain, allow_private=True)
    rt.sources.upsert([source], now=0.0)


def _run(rt: Runtime, source_id: str, outbox: Outbox, now: float = 1000.0) -> Any:
    return fetch_source(rt, source_id, now=now, send_entries=outbox.send,
                        wake_publisher=outbox.wake, rng=random.Random(1))  # fmt: skip


def test_over_budget_fetch_is_deferred_not_failed(rt_factory: Any) -> None:
    """With a burst of one per domain, a second source of that domain waits its turn."""
    rt = rt_factory(domain_burst=1, domain_requests_per_minute=1.0)
    hits: list[str] = []

    def route(handler: BaseHTTPRequestHandler) -> Reply:
        hits.append(handler.path)
        return Reply(200, FEED.format(a="First").encode())

    outbox = Outbox()
    with http_server({"/one": route, "/two": route}) as base:
        _add(rt, "one", base + "/one")
        _add(rt, "two", base + "/two")
        first = _run(rt, "one", outbox)
        second = _run(rt, "two", outbox)
    assert first.outcome == "ok"
    assert second.outcome == "deferred"
    assert hits == ["/one"]
    assert rt.sources.state("two").consecutive_failures == 0
    assert rt.sources.outcomes("two") == {"deferred": 1}
    counters = rt.redis.hgetall("sw:metrics")
    assert (counters[b"fetch:ok"], counters[b"fetch:deferred"]) == (b"1", b"1")
    due = rt.sources.next_poll("two")
    assert due is not None
    assert 1000.0 + 55 <= due <= 1000.0 + 61  # its reserved slot: one token's time later
    # Back at its slot, it is prepaid: it polls though the bucket is still empty.
    with http_server({"/two": route}) as again:
        rt.sources.set_url("two", again + "/two")
        third = _run(rt, "two", outbox, now=due)
    assert third.outcome == "ok"


class _Clocked(DomainPoliteness):
    """The domain budget on the test's clock (``now``), where fetch_source reads Redis's."""

    now = 0.0

    def acquire(self, domain: str, **given: Any) -> Grant:
        return super().acquire(domain, **{**given, "now": self.now})


def _polled_in_turn(
    rt: Runtime, ids: list[str], outbox: Outbox, *, start: float, late: float, runs: int = 60
) -> tuple[dict[str, float], int]:
    """Runs each source's fetch at ``start``, then each deferral ``late`` s after the time it
    was given (a fetch backlog, or a dispatch running behind, delivers it then), until every
    one polled or ``runs`` ran out. Returns when each polled and how many runs it took."""
    clocked = cast(_Clocked, tasks.fetch.politeness(rt))
    pending = [(start, source_id) for source_id in ids]
    polled: dict[str, float] = {}
    done = 0
    while pending and done < runs:
        pending.sort()
        at, source_id = pending.pop(0)
        clocked.now = at
        done += 1
        if _run(rt, source_id, outbox, now=at).outcome == "deferred":
            pending.append((cast(float, rt.sources.next_poll(source_id)) + late, source_id))
        else:
            polled[source_id] = at
    return polled, done


@pytest.fixture
def clocked(monkeypatch: pytest.MonkeyPatch) -> None:
    """fetch_source's politeness on the runs' own clock."""
    made: dict[int, _Clocked] = {}

    def politeness(rt: Runtime) -> _Clocked:
        budget = Budget(rt.settings.domain_requests_per_minute, rt.settings.domain_burst)
        return made.setdefault(id(rt), _Clocked(rt.redis, budget))

    monkeypatch.setattr(tasks.fetch, "politeness", politeness)


@pytest.mark.usefixtures("clocked")
def test_prepaid_runs_that_come_late_keep_their_slots(rt_factory: Any) -> None:
    """A schedule running behind (a backlog of fetches, a dispatch past its claim cap)
    delivered every prepaid run a few seconds after its slot: each paid again at the back of
    the queue, missed that slot too, and the domain was polled no more (simulated: 3,000 feeds
    of one domain beside 3,000 others, 433 polls in the first 20 minutes, none in the next 40).
    A late run keeps its slot."""
    rt = rt_factory(domain_burst=1, domain_requests_per_minute=60.0)
    outbox = Outbox()
    ids = [f"s{n}" for n in range(5)]
    with http_server({"/f": lambda h: Reply(200, FEED.format(a="A").encode())}) as base:
        for source_id in ids:
            _add(rt, source_id, f"{base}/f?{source_id}")
        polled, runs = _polled_in_turn(rt, ids, outbox, start=1000.0, late=3.0)
    assert sorted(polled) == ids
    assert runs == 9  # each deferred once, to its slot
    times = sorted(polled.values())
    assert times == [1000.0, 1004.0, 1005.0, 1006.0, 1007.0]


@pytest.mark.usefixtures("clocked")
def test_prepaid_runs_that_come_together_go_at_the_domains_pace(rt_factory: Any) -> None:
    """Prepaid runs held up behind a backlog of fetches came together and each went through
    on its own slot: 16 requests to one domain in a second where its burst is 5. They go at
    the domain's pace: its burst, then one a slot, each still prepaid."""
    rt = rt_factory(domain_burst=2, domain_requests_per_minute=60.0)
    outbox = Outbox()
    ids = [f"s{n}" for n in range(6)]
    with http_server({"/f": lambda h: Reply(200, FEED.format(a="A").encode())}) as base:
        for source_id in ids:
            _add(rt, source_id, f"{base}/f?{source_id}")
        clocked = cast(_Clocked, tasks.fetch.politeness(rt))
        clocked.now = 1000.0
        first = [_run(rt, source_id, outbox, now=1000.0).outcome for source_id in ids]
        assert first == ["ok", "ok", "deferred", "deferred", "deferred", "deferred"]
        # All four back together 20 s late, then each at the time its pace gave it.
        polled, runs = _polled_in_turn(rt, ids[2:], outbox, start=1020.0, late=0.0)
    assert sorted(polled.values()) == [1020.0, 1020.0, 1021.0, 1022.0]
    assert runs == 6
    assert rt.redis.hlen("sw:paced") == rt.redis.hlen("sw:reserved") == 0


@pytest.mark.usefixtures("clocked")
def test_sources_of_a_domain_past_its_budget_are_each_deferred_once(rt_factory: Any) -> None:
    """Past 100 reserved slots a source waited without one and came back when those were
    spent, to find 100 more reserved: a domain with more feeds due than that was polled after
    several deferrals each, each a fetch task and a claim of the dispatch's cap (simulated:
    3,000 feeds of one domain took 3/4 of it at the default cap, and 3,000 feeds of other
    domains fell 4 minutes behind). Every source of the domain now gets a slot, a day ahead
    at most: one deferral each, its poll at its slot."""
    rt = rt_factory(domain_burst=1, domain_requests_per_minute=60.0)
    outbox = Outbox()
    ids = [f"s{n:03}" for n in range(150)]
    with http_server({"/f": lambda h: Reply(200, FEED.format(a="A").encode())}) as base:
        for source_id in ids:
            _add(rt, source_id, f"{base}/f?{source_id}")
        polled, runs = _polled_in_turn(rt, ids, outbox, start=1000.0, late=0.0, runs=1000)
    assert len(polled) == len(ids)
    assert runs == 2 * len(ids) - 1
    assert max(polled.values()) == 1000.0 + len(ids) - 1  # one a second, the domain's rate


@pytest.mark.parametrize(("per_minute", "sent_again"), [(60.0, True), (1.0, False)])
def test_a_deferral_due_before_the_next_dispatch_keeps_its_claim_and_is_sent_for_its_slot(
    rt_factory: Any, per_minute: float, sent_again: bool
) -> None:
    """Put back on the schedule, deferrals to slots 2 s apart were all past due at the next
    dispatch (every 30 s) and fetched together, far above the domain's budget. One due
    before the next dispatch now stays claimed, under a lease from its slot, and its fetch is
    sent for the slot; a later one goes back on the schedule, for a dispatch to send."""
    rt = rt_factory(domain_burst=1, domain_requests_per_minute=per_minute, dispatch_interval=30.0)
    later: list[tuple[float, float]] = []
    outbox = Outbox()
    with http_server({"/one": lambda h: Reply(200, FEED.format(a="A").encode())}) as base:
        _add(rt, "one", base + "/one")
        _add(rt, "two", base + "/two")
        claim = rt.sources.claim_due(now=1000.0, lease=300.0, cap=10)
        assert claim.claimed == ["one", "two"]
        assert _run(rt, "one", outbox).outcome == "ok"
        second = fetch_source(rt, "two", now=1000.0, send_entries=outbox.send,
                              wake_publisher=outbox.wake, rng=random.Random(1),
                              lease_until=1300.0,
                              send_later=lambda wait, lease: later.append((wait, lease)))  # fmt: skip
    assert second.outcome == "deferred"
    if not sent_again:
        assert later == []
        assert rt.redis.zscore("sw:inflight", "two") is None
        assert rt.sources.next_poll("two") == pytest.approx(1000.0 + second.wait)
        return
    assert later == [(second.wait, 1000.0 + second.wait + 300.0)]
    assert 0.5 <= second.wait <= 1.5
    assert rt.redis.zscore("sw:inflight", "two") == 1000.0 + second.wait + 300.0
    # Claimed: no dispatch sends it too; the fetch sent for its slot is no stale claim.
    assert rt.sources.claim_due(now=1000.0 + second.wait, lease=300.0, cap=10).claimed == []
    assert not rt.sources.claimed_since("two", 1000.0 + second.wait + 300.0)
    assert rt.sources.take_reservation("two", now=1000.0 + second.wait)


def test_429_retry_after_blocks_the_whole_domain(rt_factory: Any) -> None:
    """One source told to wait two minutes makes every source of its domain wait too."""
    rt = rt_factory(domain_burst=100)
    hits: list[str] = []

    def route(handler: BaseHTTPRequestHandler) -> Reply:
        hits.append(handler.path)
        return Reply(429, b"", {"Retry-After": "120"})

    outbox = Outbox()
    with http_server({"/one": route, "/two": route}) as base:
        _add(rt, "one", base + "/one")
        _add(rt, "two", base + "/two")
        _add(rt, "elsewhere", base + "/two", domain="other.test")
        first = _run(rt, "one", outbox)
        second = _run(rt, "two", outbox)
        other = _run(rt, "elsewhere", outbox)
    assert first.outcome == "http_429"
    assert second.outcome == "deferred"
    assert second.wait >= 110
    assert other.outcome == "http_429"
    assert hits == ["/one", "/two"]


@pytest.mark.parametrize("retry_after", ["31536000", "9" * 400])
def test_a_huge_retry_after_blocks_the_domain_for_a_day_at_most(
    rt_factory: Any, retry_after: str
) -> None:
    """A 429 asking for a year (or an overflowing number) holds back the domain's other sources
    for a day, as it does the source itself; it is recorded, not a crashed task."""
    rt = rt_factory(domain_burst=100)
    route = {"/one": lambda h: Reply(429, b"", {"Retry-After": retry_after})}
    outbox = Outbox()
    with http_server(route) as base:
        _add(rt, "one", base + "/one")
        _add(rt, "two", base + "/two")
        first = _run(rt, "one", outbox)
        second = _run(rt, "two", outbox)
    assert first.outcome == "http_429"
    assert rt.sources.state("one").last_outcome == "http_429"
    assert second.outcome == "deferred"
    assert 86400 <= second.wait <= 86400 + 30


def test_confirmed_permanent_redirect_moves_the_source(rt_factory: Any) -> None:
    """After the configured number of polls through the same 301, the new URL is stored."""
    rt = rt_factory(domain_burst=100, redirect_confirmations=2)
    routes = {
        "/old": lambda h: Reply(301, b"", {"Location": "/new"}),
        "/new": lambda h: Reply(200, FEED.format(a="First").encode()),
    }
    outbox = Outbox()
    with http_server(routes) as base:
        _add(rt, "s", base + "/old")
        _run(rt, "s", outbox)
        source = rt.sources.get("s")
        assert source is not None
        assert source.url == base + "/old"
        _run(rt, "s", outbox, now=2000.0)
        moved = rt.sources.get("s")
    assert moved is not None
    assert moved.url == base + "/new"
    assert rt.sources.outcomes("s") == {"moved": 1, "ok": 2}


def test_a_confirmed_move_outlives_a_reload_of_the_file_that_names_the_old_url(
    rt_factory: Any,
) -> None:
    """`storywire run` loads the sources file, which still names the URL the source moved
    from: the load undid the move, so after every restart the source polled the old URL,
    counted the redirects again and lost its validators and failure run. A URL the operator
    changes in the file still counts as new."""
    rt = rt_factory(domain_burst=100, redirect_confirmations=2)
    routes = {
        "/old": lambda h: Reply(301, b"", {"Location": "/new"}),
        "/new": lambda h: Reply(200, FEED.format(a="First").encode(), {"ETag": '"v1"'}),
    }
    with http_server(routes) as base:
        _add(rt, "s", base + "/old")
        _run(rt, "s", Outbox())
        _run(rt, "s", Outbox(), now=2000.0)
        assert rt.sources.state("s").moved_from == base + "/old"
        _add(rt, "s", base + "/old")  # the file, loaded again at a restart
        kept = rt.sources.get("s")
        assert kept is not None
        assert kept.url == base + "/new"
        assert rt.sources.state("s").etag == '"v1"'
        _add(rt, "s", base + "/elsewhere")  # the operator's own change
        changed = rt.sources.get("s")
        assert changed is not None
        assert changed.url == base + "/elsewhere"
        assert rt.sources.state("s").moved_from is None


def test_edited_entry_is_sent_again_unchanged_ones_are_not(rt_factory: Any) -> None:
    """A known entry whose title changed goes to process again; the untouched one does not."""
    rt = rt_factory(domain_burst=100)
    titles = iter(["First", "First, updated", "First, updated"])
    route = {"/f": lambda h: Reply(200, FEED.format(a=next(titles)).encode())}
    outbox = Outbox()
    with http_server(route) as base:
        _add(rt, "s", base + "/f")
        sent = [_run(rt, "s", outbox, now=1000.0 + i).sent for i in range(3)]
    assert sent == [2, 1, 0]
    (again,) = outbox.batches[1]
    assert again[0] == f"g:{base}/a"  # feedparser resolves a permalink GUID against the feed URL
    assert again[1]["title"] == "First, updated"


TWICE = """<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
<item><guid>a</guid><title>First</title><link>https://x.com/a</link></item>
<item><guid>b</guid><title>Second</title><link>https://x.com/b</link></item>
<item><guid>a</guid><title>First</title><link>https://x.com/a</link></item></channel></rss>"""


def test_an_item_listed_twice_is_the_item_already_sent(rt_factory: Any) -> None:
    """An item a feed lists twice, identical (an article in two of the sections a feed merges),
    is the same item: counted twice, its GUID and link looked broken and it took another key,
    so it went out again as a new article (twice, in one batch) when the copy came, and once
    more when it went. It is sent once, when first seen, under its GUID."""
    rt = rt_factory(domain_burst=100)
    bodies = iter([FEED.format(a="First"), TWICE, FEED.format(a="First"), TWICE])
    route = {"/f": lambda h: Reply(200, next(bodies).encode())}
    outbox = Outbox()
    with http_server(route) as base:
        _add(rt, "s", base + "/f")
        sent = [_run(rt, "s", outbox, now=1000.0 + i).sent for i in range(4)]
    assert sent == [2, 0, 0, 0]
    assert [key for key, _ in outbox.batches[0]] == [f"g:{base}/a", f"g:{base}/b"]


def test_an_item_listed_twice_from_the_start_is_sent_once(rt_factory: Any) -> None:
    rt = rt_factory(domain_burst=100)
    bodies = iter([TWICE, FEED.format(a="First")])
    route = {"/f": lambda h: Reply(200, next(bodies).encode())}
    outbox = Outbox()
    with http_server(route) as base:
        _add(rt, "s", base + "/f")
        sent = [_run(rt, "s", outbox, now=1000.0 + i).sent for i in range(2)]
    assert sent == [2, 0]


ONE = """<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
<item><guid>b</guid><title>Second</title><link>https://x.com/b</link></item></channel></rss>"""


def test_an_entry_gone_from_its_feed_for_the_retention_is_forgotten(rt_factory: Any) -> None:
    """The fetch stage forgets the key of an entry its feed stopped listing a retention ago
    (so it comes back as new if the feed ever lists it again), and keeps the one still listed."""
    rt = rt_factory(domain_burst=100, retention_days=7)
    bodies = iter([FEED.format(a="First"), ONE, ONE, FEED.format(a="First")])
    route = {"/f": lambda h: Reply(200, next(bodies).encode())}
    outbox = Outbox()
    day = 86400.0
    with http_server(route) as base:
        _add(rt, "s", base + "/f")
        sent = [_run(rt, "s", outbox, now=1000.0 + t).sent for t in (0, day, 8 * day, 9 * day)]
    assert sent == [2, 0, 0, 1]  # "a" left after the first poll; back, it is new again
    assert outbox.batches[-1][0][0] == f"g:{base}/a"


def test_disabling_emits_source_failed_and_then_skips(
    rt_factory: Any, redis_client: redis.Redis
) -> None:
    """A source past the failure threshold is disabled with an event; later runs skip it."""
    rt = rt_factory(domain_burst=100, disable_after_hours=0.0, disable_min_failures=1)
    outbox = Outbox()
    _add(rt, "dead", "http://127.0.0.1:9/feed")
    result = _run(rt, "dead", outbox)
    assert result.result.next_poll is None
    assert outbox.wakes == 1
    (raw,) = redis_client.lrange(rt.ledger.outbox_key, 0, -1)
    assert b"storywire.source.failed.v1" in raw
    assert rt.sources.next_poll("dead") is None
    assert _run(rt, "dead", outbox).outcome == "disabled"
    assert orjson.loads(redis_client.hget("sw:state:dead", "disabled_reason") or b"null")


def test_redirect_and_move_keep_relative_guids_seen(rt_factory: Any) -> None:
    """GUIDs that resolve against the feed URL keep their keys through a redirect and a move."""
    rt = rt_factory(domain_burst=100, redirect_confirmations=2)
    body = FEED.format(a="First").encode()
    moved = {"yes": False}

    def old(handler: BaseHTTPRequestHandler) -> Reply:
        if moved["yes"]:
            return Reply(301, b"", {"Location": "/new/feed.xml"})
        return Reply(200, body)

    routes = {"/old/feed.xml": old, "/new/feed.xml": lambda h: Reply(200, body)}
    outbox = Outbox()
    with http_server(routes) as base:
        _add(rt, "s", base + "/old/feed.xml")
        sent = [_run(rt, "s", outbox).sent]
        moved["yes"] = True  # the publisher moves the feed: the old URL now redirects
        results = [_run(rt, "s", outbox, now=2000.0 + i) for i in range(3)]
        source = rt.sources.get("s")
    sent += [r.sent for r in results]
    assert sent == [2, 0, 0, 0]
    assert [r.result.moved_to for r in results] == [None, base + "/new/feed.xml", None]
    assert source is not None
    assert source.url == base + "/new/feed.xml"


def test_full_text_source_sends_page_text_within_the_domain_budget(rt_factory: Any) -> None:
    """Teasers of a full_text source reach process with their page's text; over budget, not."""
    page = (
        b"<html><body><nav>Home | World</nav><article><h1>First</h1>"
        + b"<p>The council approved the new bridge budget after a long debate on Tuesday.</p>" * 5
        + b"</article></body></html>"
    )
    feed = (
        FEED.format(a="First")
        .replace("https://x.com/a", "{base}/a")
        .replace("https://x.com/b", "{base}/b")
    )
    routes: dict[str, Any] = {"/a": lambda h: Reply(200, page), "/b": lambda h: Reply(200, page)}
    rt = rt_factory(domain_burst=3, domain_requests_per_minute=1)
    outbox = Outbox()
    with http_server(routes) as base:
        routes["/f"] = lambda h: Reply(200, feed.replace("{base}", base).encode())
        source = Source(
            id="s",
            url=base + "/f",
            outlet="S",
            domain="same.test",
            allow_private=True,
            full_text=True,
        )
        rt.sources.upsert([source], now=0.0)
        _run(rt, "s", outbox)
    (batch,) = outbox.batches
    contents = [item[1]["content_html"] for item in batch]
    # One page in budget after the feed and the site's robots.txt (a 404 here: no rules).
    assert sum("bridge budget" in c for c in contents) == 1
    assert rt.redis.hget("sw:metrics", "fulltext:failed") == b"1"


def _poll_aggregator(
    rt: Any, routes: dict[str, Any], hosts: tuple[str, str], outbox: Outbox
) -> Any:
    """Poll a full-text source whose two entries link /a and /b on ``hosts`` (all served by
    ``routes`` on loopback, as if each host were an outlet of its own)."""
    rt.fetcher = HttpFetcher(resolver=lambda host, port: ["127.0.0.1"])
    # The outlets' loopback stands in for public addresses: the source's allow_private
    # covers its own site only.
    with pytest.MonkeyPatch.context() as patch, http_server(routes) as base:
        patch.setattr(http_adapter, "is_public", lambda address: True)
        port = base.rsplit(":", 1)[1]
        feed = (
            FEED.format(a="First")
            .replace("https://x.com/a", f"http://{hosts[0]}:{port}/a")
            .replace("https://x.com/b", f"http://{hosts[1]}:{port}/b")
        )
        routes["/f"] = lambda h: Reply(200, feed.encode())
        source = Source(id="agg", url=base + "/f", outlet="Agg", domain="aggregator.test",
                        allow_private=True, full_text=True)  # fmt: skip
        rt.sources.upsert([source], now=0.0)
        return _run(rt, "agg", outbox)


def test_a_page_refused_for_budget_takes_no_slot_from_its_domain(rt_factory: Any) -> None:
    """A page over its domain's budget is simply not fetched: unlike a deferred poll, it never
    comes back to use a reserved slot, so it must not take one (every refused teaser took a
    token, pushing the domain's own feeds back a request interval each)."""
    page = (
        b"<html><body><article><h1>First</h1>"
        + b"<p>The council approved the new bridge budget after a long debate on Tuesday.</p>" * 5
        + b"</article></body></html>"
    )
    routes: dict[str, Any] = {"/a": lambda h: Reply(200, page), "/b": lambda h: Reply(200, page)}
    rt = rt_factory(domain_burst=3, domain_requests_per_minute=1)
    with http_server(routes) as base:
        feed = FEED.format(a="First").replace("https://x.com", base)
        routes["/f"] = lambda h: Reply(200, feed.encode())
        source = Source(id="s", url=base + "/f", outlet="S", domain="same.test",
                        allow_private=True, full_text=True)  # fmt: skip
        rt.sources.upsert([source], now=0.0)
        _run(rt, "s", Outbox())
    assert rt.redis.hget("sw:metrics", "fulltext:failed") == b"1"  # /b: over budget
    # The feed, robots.txt and /a spent the burst of 3; a reserved slot would leave about -1.
    assert float(rt.redis.hget("sw:domain:same.test", "tokens") or 0) > -0.5


def test_full_text_pages_are_charged_to_their_own_outlets(rt_factory: Any) -> None:
    """An aggregator's links point at many outlets: each page is paid from its own host's
    budget, so the aggregator's spent budget does not starve them (nor they it)."""
    page = (
        b"<html><body><article><h1>Council</h1>"
        + b"<p>The council approved the new bridge budget at its first and second reading.</p>" * 5
        + b"</article></body></html>"
    )
    # Each outlet's burst pays for its robots.txt and its page.
    rt = rt_factory(domain_burst=2, domain_requests_per_minute=1)
    routes: dict[str, Any] = {"/a": lambda h: Reply(200, page), "/b": lambda h: Reply(200, page)}
    outbox = Outbox()
    done = _poll_aggregator(rt, routes, ("news.outlet-a.test", "www.outlet-b.test"), outbox)
    (batch,) = outbox.batches
    assert done.outcome == "ok"
    assert all("bridge budget" in item[1]["content_html"] for item in batch)
    assert rt.redis.hget("sw:metrics", "fulltext:failed") is None
    for outlet in ("outlet-a.test", "outlet-b.test"):  # spent, up to a second's refill
        assert float(rt.redis.hget(f"sw:domain:{outlet}", "tokens") or 1) < 0.02


def test_a_page_site_that_answers_429_is_blocked_for_every_worker(rt_factory: Any) -> None:
    """The block a page's 429 asks for reaches the shared politeness store, as a feed's does."""
    rt = rt_factory()
    busy = Reply(429, b"", {"Retry-After": "600"})
    routes: dict[str, Any] = {"/a": lambda h: busy, "/b": lambda h: busy}
    done = _poll_aggregator(rt, routes, ("news.outlet-a.test", "news.outlet-a.test"), Outbox())
    assert done.outcome == "ok"
    assert politeness(rt).blocked_for("outlet-a.test", now=time.time()) > 500
    assert politeness(rt).blocked_for("aggregator.test", now=time.time()) == 0


def test_failed_pages_are_counted_exported_and_logged_with_their_reason(
    rt_factory: Any,
) -> None:
    """A full-text source whose pages fail keeps its teasers; why they failed (a 404, a
    consent wall) reaches the metrics and the log, per reason and per page."""
    wall = (
        b"<html><body><article><h1>Your privacy</h1><p>We and our partners use cookies to "
        b"store and access information on your device for personalised advertising.</p>"
        b"</article></body></html>"
    )
    rt = rt_factory(domain_burst=10)
    routes: dict[str, Any] = {"/a": lambda h: Reply(200, wall)}  # /b: 404
    with http_server(routes) as base, capture_logs() as logs:
        feed = FEED.format(a="Council approves bridge").replace("https://x.com", base)
        routes["/f"] = lambda h: Reply(200, feed.encode())
        source = Source(id="s", url=base + "/f", outlet="S", domain="same.test",
                        allow_private=True, full_text=True)  # fmt: skip
        rt.sources.upsert([source], now=0.0)
        done = _run(rt, "s", Outbox())
    assert done.sent == 2
    samples = snapshot(rt.redis, stream=rt.settings.stream)
    for reason in ("unrelated_text", "http_404"):
        assert Sample("storywire_fulltext_failures_total", 1.0, {"reason": reason}) in samples
    assert Sample("storywire_fulltext_pages_total", 2.0, {"outcome": "failed"}) in samples
    (line,) = [log for log in logs if log["event"] == "fetch.full_text"]
    assert line["source_id"] == "s"
    assert line["failed"] == {"unrelated_text": 1, "http_404": 1}
    assert line["pages"] == [f"unrelated_text {base}/a", f"http_404 {base}/b"]


def test_an_entry_edited_every_poll_neither_refetches_its_page_nor_loses_its_text(
    rt_factory: Any,
) -> None:
    """An aggregator rewrites its items on every poll (hnrss's "Points: 41", then 57, ...):
    each poll the entry is an edit. Its page, fetched on the first, is not asked for again
    within the hour; later, a failing page keeps the text it had, not the one-line teaser
    (which consumers would get as a new revision of the article, and the page's text back
    as another)."""
    page = (
        b"<html><head><meta property='og:image' content='https://x.test/bridge.jpg'></head>"
        b"<body><nav>Home | World</nav><article><h1>Council approves bridge</h1>"
        + b"<p>The council approved the new bridge budget after a long debate on Tuesday.</p>" * 5
        + b"</article></body></html>"
    )
    item = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item><guid>a</guid>'
        "<title>Council approves bridge</title><link>{base}/a</link>"
        "<description>Points: {points}</description></item></channel></rss>"
    )
    asked: list[str] = []
    answers = iter([Reply(200, page), Reply(200, page), Reply(500, b"oops")])

    def article(h: BaseHTTPRequestHandler) -> Reply:
        asked.append(h.path)
        return next(answers)

    points = iter(range(40, 50))
    rt = rt_factory(domain_burst=100)
    outbox = Outbox()
    routes: dict[str, Any] = {"/a": article}
    with http_server(routes) as base:
        routes["/f"] = lambda h: Reply(200, item.format(base=base, points=next(points)).encode())
        source = Source(id="s", url=base + "/f", outlet="S", domain="same.test",
                        allow_private=True, full_text=True)  # fmt: skip
        rt.sources.upsert([source], now=0.0)
        done = [_run(rt, "s", outbox, now=1000.0 + 600 * i) for i in range(3)]
        done.append(_run(rt, "s", outbox, now=1000.0 + 3 * 3600))  # the hour is over: asked
        done.append(_run(rt, "s", outbox, now=1000.0 + 4 * 3600))  # and it fails
    assert [d.sent for d in done] == [1] * 5
    assert asked == ["/a", "/a", "/a"]
    contents = [batch[0][1]["content_html"] for batch in outbox.batches]
    assert all("bridge budget" in content for content in contents)
    assert {batch[0][1]["image"] for batch in outbox.batches} == {"https://x.test/bridge.jpg"}
    assert rt.redis.hget("sw:metrics", "fulltext_failed:http_500") == b"1"


def test_the_fetch_log_line_of_a_failed_poll_says_why(
    rt_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An outcome code alone (``http_503``, ``dns``) leaves an operator reading logs guessing:
    a failed poll's line carries the health record's last error, a good poll's line none
    (the record keeps the old error until the next failure)."""
    rt = rt_factory()
    replies = iter([Reply(503, b"overloaded"), Reply(200, FEED.format(a="First").encode())])
    outbox = Outbox()
    monkeypatch.setattr(tasks.fetch, "runtime", lambda: rt)
    monkeypatch.setattr(tasks.fetch, "process", SimpleNamespace(delay=outbox.send))
    monkeypatch.setattr(tasks.fetch, "publish", SimpleNamespace(delay=outbox.wake))
    with http_server({"/feed": lambda handler: next(replies)}) as base, capture_logs() as logs:
        _add(rt, "flaky", base + "/feed")
        assert tasks.fetch.fetch.apply(args=("flaky",)).successful()
        failed_error = rt.sources.state("flaky").last_error
        assert tasks.fetch.fetch.apply(args=("flaky",)).successful()
    failed, ok = (line for line in logs if line["event"] == "fetch")
    assert failed["outcome"] == "http_503"
    assert failed_error is not None
    assert failed_error.startswith("http_503")
    assert failed["error"] == failed_error
    assert failed["failures"] == 1
    assert ok["outcome"] == "ok"
    assert ok["error"] is None
    assert rt.sources.state("flaky").last_error == failed_error


def test_a_fetch_whose_source_was_claimed_again_since_does_not_poll(rt_factory: Any) -> None:
    """A fetch that waited in its queue past its lease finds its source claimed again by a
    later dispatch: it leaves the poll to that claim's fetch, rather than poll the outlet twice."""
    rt = rt_factory()
    asked: list[str] = []

    def feed(h: BaseHTTPRequestHandler) -> Reply:
        asked.append(h.path)
        return Reply(200, FEED.format(a="First").encode())

    with http_server({"/f": feed}) as base:
        _add(rt, "s", base + "/f")
        assert rt.sources.claim_due(now=1000.0, lease=300.0, cap=10).claimed == ["s"]
        assert rt.sources.claim_due(now=1301.0, lease=300.0, cap=10).claimed == ["s"]  # lapsed
        outbox = Outbox()
        stale = fetch_source(rt, "s", now=1302.0, send_entries=outbox.send,
                             wake_publisher=outbox.wake, lease_until=1300.0)  # fmt: skip
        assert stale.outcome == "stale_claim"
        assert asked == []
        done = fetch_source(rt, "s", now=1302.0, send_entries=outbox.send,
                            wake_publisher=outbox.wake, lease_until=1601.0)  # fmt: skip
    assert done.outcome == "ok"
    assert asked == ["/f"]
    assert rt.redis.hget("sw:metrics", "fetch:stale_claim") == b"1"


def test_a_fetch_that_outlived_its_lease_leaves_the_later_claim_alone(rt_factory: Any) -> None:
    """A fetch whose lease runs out while it polls (a trickling server) finishes while a later
    claim's fetch polls the source: it records what it learned, but the lease and the schedule
    are the later claim's, so the next dispatch does not hand the source out a third time while
    that fetch still runs."""
    rt = rt_factory()
    reclaimed: list[list[str]] = []

    def slow_feed(h: BaseHTTPRequestHandler) -> Reply:
        # The lease runs out mid-poll and the beat claims the source again.
        reclaimed.append(rt.sources.claim_due(now=1301.0, lease=300.0, cap=10).claimed)
        return Reply(200, FEED.format(a="First").encode())

    with http_server({"/f": slow_feed}) as base:
        _add(rt, "s", base + "/f")
        assert rt.sources.claim_due(now=1000.0, lease=300.0, cap=10).claimed == ["s"]
        outbox = Outbox()
        late = fetch_source(rt, "s", now=1001.0, send_entries=outbox.send,
                            wake_publisher=outbox.wake, lease_until=1300.0)  # fmt: skip
    assert reclaimed == [["s"]]
    assert late.outcome == "ok"
    assert outbox.batches  # its entries go on: the later fetch finds them seen
    assert rt.sources.state("s").last_status == 200
    assert rt.sources.claimed_since("s", 1300.0)  # the later claim's lease stands
    assert rt.sources.next_poll("s") == 1601.0
    assert rt.sources.claim_due(now=1400.0, lease=300.0, cap=10).claimed == []
    assert rt.redis.hget("sw:metrics", "fetch:late_finish") == b"1"


def test_a_skipped_disabled_source_leaves_no_lease_to_lapse(rt_factory: Any) -> None:
    """Loading the sources file again (a restart, `sources load`) makes a disabled source due;
    the fetch that skips it lets go of it, so it is not handed out every lease after and
    counted as a fetch that died."""
    rt = rt_factory()
    _add(rt, "off", "http://127.0.0.1:9/feed")
    rt.sources.disable("off", "by operator", now=0.0)
    _add(rt, "off", "http://127.0.0.1:9/feed")
    assert rt.sources.claim_due(now=1000.0, lease=300.0, cap=10).claimed == ["off"]
    assert _run(rt, "off", Outbox()).outcome == "disabled"
    assert rt.sources.claim_due(now=1301.0, lease=300.0, cap=10) == Claim([], [])
    assert rt.sources.next_poll("off") is None
    assert "lease_lapsed" not in rt.sources.outcomes("off")


def test_a_source_removed_while_its_poll_runs_leaves_no_key_behind(
    rt_factory: Any, redis_client: redis.Redis
) -> None:
    """`sources remove` while the source's fetch is under way: the poll then wrote its seen
    entries, health record and outcome counts back, and put it on the schedule again; the
    next fetch found it unknown and let go of the schedule only, so those keys stayed for
    good (and a source added again under that id inherited its ETag and seen entries)."""
    rt = rt_factory(domain_burst=100)

    def route(handler: BaseHTTPRequestHandler) -> Reply:
        rt.sources.remove("s")  # the operator, while the poll runs
        return Reply(200, FEED.format(a="First").encode())

    with http_server({"/f": route}) as base:
        _add(rt, "s", base + "/f")
        rt.sources.claim_due(now=1000.0, lease=300.0, cap=10)
        assert _run(rt, "s", Outbox()).outcome == "ok"
    left = {k.decode() for k in redis_client.scan_iter()}
    assert {k for k in left if k.endswith(":s")} == set()
    assert rt.sources.next_poll("s") is None
    assert redis_client.zscore("sw:inflight", "s") is None


def test_a_source_disabled_while_its_poll_runs_stays_disabled(rt_factory: Any) -> None:
    """`sources disable` while the source's fetch is under way: the poll then wrote back the
    health record it had read before, without the disable, and put the source on the schedule
    again, so it went on being polled. An enable after it still polls it again."""
    rt = rt_factory(domain_burst=100)

    def route(handler: BaseHTTPRequestHandler) -> Reply:
        rt.sources.disable("s", "operator: feed moved", now=1000.5)  # while the poll runs
        return Reply(200, FEED.format(a="First").encode())

    with http_server({"/f": route}) as base:
        _add(rt, "s", base + "/f")
        rt.sources.claim_due(now=1000.0, lease=300.0, cap=10)
        assert _run(rt, "s", Outbox()).outcome == "ok"
    state = rt.sources.state("s")
    assert (state.disabled_reason, state.disabled_at) == ("operator: feed moved", 1000.5)
    assert state.last_status == 200  # the poll's own outcome is kept
    assert rt.sources.next_poll("s") is None
    assert rt.sources.enable("s", now=2000.0)
    assert rt.sources.state("s").disabled_reason is None
    assert rt.sources.next_poll("s") == 2000.0


def test_a_pages_byline_reaches_the_article_and_is_kept_with_its_text(rt_factory: Any) -> None:
    """A title-only feed names no author: the page's byline is the entry's, and is kept with
    the page's text, so an edit within the hour (not asked for again) still carries it. A
    page kept before bylines were (its record without one) is read, not fetched again."""
    page = (
        b"<html><head><meta name='author' content='By Jane Doe'></head><body><article>"
        b"<h1>Council approves bridge</h1>"
        + b"<p>The council approved the new bridge budget after a long debate on Tuesday.</p>" * 5
        + b"</article></body></html>"
    )
    item = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
        "<item><guid>a</guid><title>Council approves bridge</title><link>{base}/a</link>"
        "<description>Points: {points}</description></item>"
        "<item><guid>b</guid><title>Council approves bridge</title><link>{base}/b</link>"
        "<description>Points: {points}</description></item></channel></rss>"
    )
    asked: list[str] = []

    def article(h: BaseHTTPRequestHandler) -> Reply:
        asked.append(h.path)
        return Reply(200, page)

    points = iter(range(40, 50))
    rt = rt_factory(domain_burst=100)
    outbox = Outbox()
    routes: dict[str, Any] = {"/a": article, "/b": article}
    with http_server(routes) as base:
        routes["/f"] = lambda h: Reply(200, item.format(base=base, points=next(points)).encode())
        # /b was kept by an earlier version: [fetched at, text, image], no byline.
        text = "The council approved the new bridge budget after a long debate on Tuesday.\n" * 3
        old = zlib.compress(orjson.dumps([900.0, text, None]))
        rt.redis.set(
            "sw:page:" + xxhash.xxh3_128_hexdigest(canonical_url(base + "/b").encode()), old
        )
        source = Source(id="s", url=base + "/f", outlet="S", domain="same.test",
                        allow_private=True, full_text=True)  # fmt: skip
        rt.sources.upsert([source], now=0.0)
        done = [_run(rt, "s", outbox, now=1000.0 + 600 * i) for i in range(2)]
    assert [d.sent for d in done] == [2, 2]
    assert asked == ["/a"]
    for batch in outbox.batches:
        a, b = (item[1] for item in batch)
        assert "bridge budget" in a["content_html"]
        assert "bridge budget" in b["content_html"]
        assert (a["author"], b["author"]) == ("Jane Doe", None)


def test_an_html_page_for_the_feed_is_counted_and_logged_and_sends_nothing(
    rt_factory: Any,
) -> None:
    """A challenge page answering 200 (nextcloud/news#3037) is its own counted outcome with the
    page's title in the record (which the log line carries); the seen-set and the outbox stay
    untouched, and the feed's entries all go out once the server answers with the feed again."""
    rt = rt_factory()
    page = b"<!DOCTYPE html><html><head><title>Just a moment...</title></head></html>"
    replies = iter([Reply(200, page), Reply(200, FEED.format(a="First").encode())])
    outbox = Outbox()
    with http_server({"/feed": lambda handler: next(replies)}) as base:
        _add(rt, "walled", base + "/feed")
        first = _run(rt, "walled", outbox)
        error = rt.sources.state("walled").last_error
        _run(rt, "walled", outbox, now=5000.0)
    assert first.outcome == "html_page"
    assert first.sent == 0
    assert error == "html_page: an HTML page, not a feed: 'Just a moment...'"
    assert rt.sources.outcomes("walled") == {"html_page": 1, "ok": 1}
    assert [len(batch) for batch in outbox.batches] == [2]


def test_a_sites_page_for_the_feed_names_the_feeds_it_advertises_and_keeps_its_url(
    rt_factory: Any,
) -> None:
    """A source set to a site's page (not its feed) fails as ``html_page`` with the feeds the
    page advertises in the record ``sources show`` prints, and what to run; the stored URL is
    never switched behind the operator's back, poll after poll."""
    rt = rt_factory()
    page = (
        b"<!DOCTYPE html><html><head><title>World news</title>"
        b'<link rel="alternate" type="application/rss+xml" href="/world/rss">'
        b'<link rel="alternate" type="application/atom+xml" href="/world/atom.xml">'
        b"</head><body></body></html>"
    )
    with http_server({"/world": lambda handler: Reply(200, page)}) as base:
        _add(rt, "guardian", base + "/world")
        first = _run(rt, "guardian", Outbox())
        _run(rt, "guardian", Outbox(), now=5000.0)
        error = rt.sources.state("guardian").last_error
    assert first.outcome == "html_page"
    assert error == (
        f"html_page: an HTML page, not a feed: 'World news'; it advertises {base}/world/rss, "
        f"{base}/world/atom.xml (storywire sources add guardian URL)"
    )
    assert rt.sources.get("guardian").url == base + "/world"
    assert rt.sources.outcomes("guardian") == {"html_page": 2}


def _flapping_feed(titles: list[str]) -> dict[str, Any]:
    """A feed whose first entry's title is, poll after poll, the next of ``titles`` (a CDN
    with a stale replica: one poll the new version, the next the old)."""
    versions = iter(titles)
    return {"/f": lambda h: Reply(200, FEED.format(a=next(versions)).encode())}


def test_an_entry_alternating_between_two_versions_is_sent_once_each(rt_factory: Any) -> None:
    """A/B/A/B...: the first sighting of each version goes to process, then nothing, however
    long it alternates; every held revert is counted on the poll, the source and the metric."""
    rt = rt_factory(domain_burst=100)
    outbox = Outbox()
    with http_server(_flapping_feed(["First", "First, updated"] * 6)) as base:
        _add(rt, "s", base + "/f")
        done = [_run(rt, "s", outbox, now=1000.0 + 60 * i) for i in range(12)]
    assert [d.sent for d in done] == [2, 1] + [0] * 10
    assert [d.flapping for d in done] == [0, 0] + [1, 0] * 5
    assert rt.redis.hget("sw:metrics", "fetch:damped") == b"5"
    assert rt.sources.outcomes("s") == {"ok": 12, "damped": 5}
    samples = snapshot(rt.redis, stream=rt.settings.stream)
    assert Sample("storywire_fetch_total", 5.0, {"outcome": "damped"}) in samples
    # 12 polls of 2 entries: 3 versions sent, 5 reverts held, the other 16 seen unchanged.
    decisions = {s.labels["decision"]: s.value for s in samples
                 if s.name == "storywire_entries_total"}  # fmt: skip
    assert decisions == {"sent": 3, "unchanged": 16, "damped": 5}


@pytest.mark.parametrize(
    ("confirmations", "sent"), [(3, [2, 1, 0, 0, 1, 0]), (1, [2, 1, 1, 0, 0, 0])]
)
def test_a_revert_served_on_enough_polls_in_a_row_is_sent(
    rt_factory: Any, confirmations: int, sent: list[int]
) -> None:
    """Damping delays a revert, never loses it: back to its first version for good, the entry
    is sent again on the STORYWIRE_REVERT_CONFIRMATIONS-th poll in a row (1: at once)."""
    rt = rt_factory(domain_burst=100, revert_confirmations=confirmations)
    outbox = Outbox()
    with http_server(_flapping_feed(["First", "Edited", *["First"] * 4])) as base:
        _add(rt, "s", base + "/f")
        assert [_run(rt, "s", outbox, now=1000.0 + 60 * i).sent for i in range(6)] == sent
    assert outbox.batches[-1][0][1]["title"] == "First"


def test_distinct_edits_are_each_sent_at_once(rt_factory: Any) -> None:
    """Real edits are never delayed by damping: every version never seen before goes through."""
    rt = rt_factory(domain_burst=100)
    outbox = Outbox()
    titles = ["First", *(f"First, edit {n}" for n in range(1, 7))]
    with http_server(_flapping_feed(titles)) as base:
        _add(rt, "s", base + "/f")
        assert [_run(rt, "s", outbox, now=1000.0 + 60 * i).sent for i in range(7)] == [2] + [1] * 6
    assert [b[0][1]["title"] for b in outbox.batches[1:]] == titles[1:]


def _hash_as_stored_before_damping(title: str) -> str:
    # What the fetch task stored per entry before histories: the raw content hash alone.
    return xxhash.xxh3_64_hexdigest(f"{title}\x1f\x1f".encode())


def test_hashes_stored_before_damping_keep_their_entries_seen(rt_factory: Any) -> None:
    """After a deploy, the hash an older version stored is the entry's current version:
    nothing is announced again, and a flapping entry is sent once more at most, then damped."""
    rt = rt_factory(domain_burst=100)
    outbox = Outbox()
    with http_server(_flapping_feed(["First", "First", "Flip", "First", "Flip"])) as base:
        _add(rt, "s", base + "/f")
        rt.redis.hset("sw:seen:s", mapping={
            f"g:{base}/a": _hash_as_stored_before_damping("First"),
            f"g:{base}/b": _hash_as_stored_before_damping("Second"),
        })  # fmt: skip
        done = [_run(rt, "s", outbox, now=1000.0 + 60 * i) for i in range(5)]
    assert [d.sent for d in done] == [0, 0, 1, 0, 0]
    assert [d.flapping for d in done] == [0, 0, 0, 1, 0]


def test_the_fetch_log_line_counts_held_reverts(
    rt_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Operators find a flapping feed in the logs: the poll's line says how many it held."""
    rt = rt_factory(domain_burst=100)
    outbox = Outbox()
    monkeypatch.setattr(tasks.fetch, "runtime", lambda: rt)
    monkeypatch.setattr(tasks.fetch, "process", SimpleNamespace(delay=outbox.send))
    monkeypatch.setattr(tasks.fetch, "publish", SimpleNamespace(delay=outbox.wake))
    routes = _flapping_feed(["First", "Flip", "First"])
    with http_server(routes) as base, capture_logs() as logs:
        _add(rt, "s", base + "/f")
        for _ in range(3):
            assert tasks.fetch.fetch.apply(args=("s",)).successful()
    lines = [line for line in logs if line["event"] == "fetch"]
    assert [(line["new_or_changed"], line["flapping"]) for line in lines] == [
        (2, 0),
        (1, 0),
        (0, 1),
    ]


def test_a_paid_feeds_credentials_stay_out_of_the_log_and_the_health_record(
    rt_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A paid feed's URL carries its token: a move (moved_to) and an error naming the URL (a
    redirect loop) put it in the fetch line and, through the health record's last error, in
    `sources show`. Both show it masked; the source keeps polling the URL with its token."""
    rt = rt_factory(domain_burst=100, redirect_confirmations=1)
    outbox = Outbox()
    monkeypatch.setattr(tasks.fetch, "runtime", lambda: rt)
    monkeypatch.setattr(tasks.fetch, "process", SimpleNamespace(delay=outbox.send))
    monkeypatch.setattr(tasks.fetch, "publish", SimpleNamespace(delay=outbox.wake))
    routes = {
        "/old": lambda h: Reply(301, b"", {"Location": "/new?token=s3cret-tk"}),
        "/new": lambda h: Reply(200, FEED.format(a="First").encode()),
        "/loop": lambda h: Reply(302, b"", {"Location": h.path}),
    }
    with http_server(routes) as base, capture_logs() as logs:
        paid = base.replace("http://", "http://reader:s3cret-pw@")
        _add(rt, "moving", paid + "/old?token=s3cret-tk")
        _add(rt, "looping", paid + "/loop?api_key=s3cret-ak", domain="other.test")
        for source_id in ("moving", "looping"):
            assert tasks.fetch.fetch.apply(args=(source_id,)).successful()
    moving, looping = (line for line in logs if line["event"] == "fetch")
    assert moving["moved_to"] == paid.replace("s3cret-pw", "***") + "/new?token=***"
    assert looping["outcome"] == "redirect_loop"
    error = rt.sources.state("looping").last_error
    assert error is not None
    assert "/loop?api_key=***" in error
    assert "s3cret" not in str(logs) + error
    moved = rt.sources.get("moving")
    assert moved is not None
    assert moved.url == paid + "/new?token=s3cret-tk"


ARTICLE = (
    b"<html><body><article><h1>First</h1>"
    + b"<p>The council approved the new bridge budget after a long debate on Tuesday.</p>" * 5
    + b"</article></body></html>"
)


def test_pages_robots_txt_disallows_are_not_fetched_and_robots_txt_is_asked_once(
    rt_factory: Any,
) -> None:
    """A site's robots.txt that disallows storywire's product token keeps its pages unasked
    (their entries keep the feed's text, counted and logged once as ``robots``); robots.txt
    itself is asked once per origin, then read from Redis on the next poll; the feed itself
    is polled whatever robots.txt says."""
    robots = b"User-agent: *\nAllow: /\n\nUser-agent: storywire\nDisallow: /private/\n"
    asked: list[str] = []

    def served(reply: Reply) -> Any:
        def route(h: BaseHTTPRequestHandler) -> Reply:
            asked.append(h.path)
            return reply

        return route

    routes: dict[str, Any] = {
        "/robots.txt": served(Reply(200, robots, {"Content-Type": "text/plain"})),
        "/private/a": served(Reply(200, ARTICLE)),
        "/b": served(Reply(200, ARTICLE)),
    }
    rt = rt_factory(domain_burst=10)
    outbox = Outbox()
    item = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
        "<item><guid>a{n}</guid><title>First</title><link>{base}/private/a</link></item>"
        "<item><guid>b{n}</guid><title>First</title><link>{base}/b</link></item>"
        "</channel></rss>"
    )
    polls = iter(range(2))
    with http_server(routes) as base, capture_logs() as logs:
        routes["/f"] = lambda h: Reply(200, item.format(base=base, n=next(polls)).encode())
        source = Source(id="s", url=base + "/f", outlet="S", domain="same.test",
                        allow_private=True, full_text=True)  # fmt: skip
        rt.sources.upsert([source], now=0.0)
        done = [_run(rt, "s", outbox, now=1000.0), _run(rt, "s", outbox, now=5000.0)]
    assert [d.sent for d in done] == [2, 2]
    assert asked == ["/robots.txt", "/b", "/b"]  # the page at /b is new on the second poll
    for batch in outbox.batches:
        private, public = (item[1]["content_html"] for item in batch)
        assert "bridge budget" not in private
        assert "bridge budget" in public
    assert rt.redis.hget("sw:metrics", "fulltext_failed:robots") == b"2"
    lines = [log for log in logs if log["event"] == "fetch.full_text"]
    assert len(lines) == 2
    assert lines[0]["failed"] == {"robots": 1}
    assert lines[0]["robots"] == {base: "1 page disallowed by robots.txt"}
    assert lines[0]["pages"] == []


def test_a_site_whose_robots_txt_disallows_all_still_has_its_feed_polled(
    rt_factory: Any,
) -> None:
    """robots.txt governs article pages only: a feed is published to be polled."""
    asked: list[str] = []

    def served(reply: Reply) -> Any:
        def route(h: BaseHTTPRequestHandler) -> Reply:
            asked.append(h.path)
            return reply

        return route

    routes: dict[str, Any] = {
        "/robots.txt": served(Reply(200, b"User-agent: *\nDisallow: /\n")),
        "/a": served(Reply(200, ARTICLE)),
        "/b": served(Reply(200, ARTICLE)),
    }
    rt = rt_factory(domain_burst=10)
    with http_server(routes) as base, capture_logs() as logs:
        feed = FEED.format(a="First").replace("https://x.com", base)
        routes["/f"] = served(Reply(200, feed.encode()))
        source = Source(id="s", url=base + "/f", outlet="S", domain="same.test",
                        allow_private=True, full_text=True)  # fmt: skip
        rt.sources.upsert([source], now=0.0)
        done = _run(rt, "s", Outbox())
    assert (done.outcome, done.sent) == ("ok", 2)
    assert asked == ["/f", "/robots.txt"]
    assert rt.redis.hget("sw:metrics", "fulltext_failed:robots") == b"2"
    (line,) = [log for log in logs if log["event"] == "fetch.full_text"]
    assert line["robots"] == {base: "2 pages disallowed by robots.txt"}


def test_a_crawl_delay_spaces_a_sites_pages_for_every_worker(rt_factory: Any) -> None:
    routes: dict[str, Any] = {
        "/robots.txt": lambda h: Reply(200, b"User-agent: *\nCrawl-delay: 60\n"),
        "/a": lambda h: Reply(200, ARTICLE),
        "/b": lambda h: Reply(200, ARTICLE),
    }
    rt = rt_factory(domain_burst=10)
    outbox = Outbox()
    with http_server(routes) as base:
        feed = FEED.format(a="First").replace("https://x.com", base).replace("Second", "First")
        routes["/f"] = lambda h: Reply(200, feed.encode())
        source = Source(id="s", url=base + "/f", outlet="S", domain="same.test",
                        allow_private=True, full_text=True)  # fmt: skip
        rt.sources.upsert([source], now=0.0)
        _run(rt, "s", outbox)
    (batch,) = outbox.batches
    assert ["bridge budget" in item[1]["content_html"] for item in batch] == [True, False]
    assert rt.redis.hget("sw:metrics", "fulltext_failed:crawl_delay") == b"1"
    assert 59_000 < rt.redis.pttl(f"sw:crawl_delay:{base}") <= 60_000


SESSIONED = """<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
<item><guid>https://x.com/news/1;jsessionid={s}</guid><title>First</title>
<link>https://x.com/news/1;jsessionid={s}</link></item>
<item><title>Second</title><link>https://x.com/news/2;jsessionid={s}</link></item>
</channel></rss>"""


def test_a_servlets_session_in_its_guids_makes_no_new_entries(rt_factory: Any) -> None:
    """A Java CMS asked without a cookie (as every poll is) writes a fresh ;jsessionid= into
    every URL, its permalink GUIDs too: a link's was dropped from its key, a GUID's was not,
    so every item went out again as a new article at every poll. A GUID is keyed without it,
    as a link is."""
    rt = rt_factory(domain_burst=100)
    sessions = iter(["A1B2C3", "D4E5F6", "0789AB"])
    route = {"/f": lambda h: Reply(200, SESSIONED.format(s=next(sessions)).encode())}
    outbox = Outbox()
    with http_server(route) as base:
        _add(rt, "s", base + "/f")
        sent = [_run(rt, "s", outbox, now=1000.0 + i).sent for i in range(3)]
    assert sent == [2, 0, 0]
    assert [key for key, _ in outbox.batches[0]] == [
        "g:https://x.com/news/1",
        "u:https://x.com/news/2",
    ]


OTHER_SESSIONS = """<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
<item><guid>https://x.com/news.php?id=1&amp;PHPSESSID={s}</guid><title>PHP guid</title></item>
<item><title>PHP link</title><link>https://x.com/news.php?PHPSESSID={s}&amp;id=2</link></item>
<item><guid>https://x.com/(S({s}))/news/3.aspx</guid><title>ASP.NET guid</title></item>
<item><title>ASP.NET link</title><link>https://x.com/(S({s}))/news/4.aspx</link></item>
<item><title>Forms link</title><link>https://x.com/(X(1)S({s}))/news/5.aspx</link></item>
<item><guid>https://x.com/news/6;sessionid={s}</guid><title>Sessionid guid</title></item>
<item><title>Sessionid link</title><link>https://x.com/news/7;sessionid={s}</link></item>
<item><title>phpBB link</title><link>https://x.com/viewtopic.php?t=8&amp;sid={s}{s}</link></item>
<item><title>Nuke link</title><link>https://x.com/modules.php?name=News&amp;sid=9</link></item>
</channel></rss>"""


def test_other_session_ids_in_links_and_guids_make_no_new_entries(rt_factory: Any) -> None:
    """Besides a servlet's ;jsessionid=, a PHP site asked without a cookie writes a fresh
    PHPSESSID= (phpBB its 32-hex sid=) into its URLs, ASP.NET's cookieless sessions a
    /(S(…))/ path segment, other servers ;sessionid=: every such item went out again as a new
    article at every poll, by its link or by its GUID. A sid= that is no session (PHP-Nuke's
    article number) still tells the items apart."""
    rt = rt_factory(domain_burst=100)
    sessions = iter(["a1b2c3d4e5f6a7b8", "0f1e2d3c4b5a6978", "99887766554433aa"])
    route = {"/f": lambda h: Reply(200, OTHER_SESSIONS.format(s=next(sessions)).encode())}
    outbox = Outbox()
    with http_server(route) as base:
        _add(rt, "s", base + "/f")
        sent = [_run(rt, "s", outbox, now=1000.0 + i).sent for i in range(3)]
    assert sent == [9, 0, 0]
    assert [key for key, _ in outbox.batches[0]] == [
        "g:https://x.com/news.php?id=1",
        "u:https://x.com/news.php?id=2",
        "g:https://x.com/news/3.aspx",
        "u:https://x.com/news/4.aspx",
        "u:https://x.com/news/5.aspx",
        "g:https://x.com/news/6",
        "u:https://x.com/news/7",
        "u:https://x.com/viewtopic.php?t=8",
        "u:https://x.com/modules.php?name=News&sid=9",
    ]


def _rss(*items: tuple[str, str, str, str]) -> bytes:
    body = "".join(
        f"<item><guid isPermaLink='false'>{guid}</guid><title>{title}</title><link>{link}</link>"
        f"<description>{text}</description></item>"
        for guid, link, title, text in items
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{body}</channel></rss>'.encode()


def _sent_keys(rt: Any, polls: list[bytes]) -> tuple[list[int], list[list[str]]]:
    bodies = iter(polls)
    outbox = Outbox()
    with http_server({"/f": lambda h: Reply(200, next(bodies))}) as base:
        _add(rt, "s", base + "/f")
        sent = [_run(rt, "s", outbox, now=1000.0 + i).sent for i in range(len(polls))]
    return sent, [[key for key, _ in batch] for batch in outbox.batches]


def test_two_versions_of_an_item_listed_at_once_are_one_edited_article(rt_factory: Any) -> None:
    """A feed that briefly keeps an item's old version beside its new one (same GUID, same
    page, another text): the GUID looked broken, each version was keyed by its text, and both
    went out as new articles with the same URL, in one story; the old one's key was back when
    the copy left. Versions of one page under one GUID are one item: the new version is an
    edit of the article, sent once, and nothing more when the old one leaves."""
    rt = rt_factory(domain_burst=100)
    old = ("s-1", "https://x.com/news/1", "Mayor resigns", "She said so on Monday.")
    new = ("s-1", "https://x.com/news/1", "Mayor resigns, party says", "Her party confirmed.")
    other = ("s-2", "https://x.com/news/2", "Bridge opens", "Traffic flows.")
    sent, keys = _sent_keys(rt, [_rss(old, other), _rss(new, old, other), _rss(new, other)])
    assert sent == [2, 1, 0]
    assert keys == [["g:s-1", "g:s-2"], ["g:s-1"]]


def test_an_item_listed_under_two_links_is_one_article_as_a_copy_comes_and_goes(
    rt_factory: Any,
) -> None:
    """One item in two sections of a feed under each section's link (same GUID, title and
    text): its GUID looked broken, so both copies were keyed by link and went out as two
    articles, and when a copy left, the GUID's key came back and it went out again. Copies
    that differ only by link are one item, under its GUID."""
    rt = rt_factory(domain_burst=100)
    world = ("s-1", "https://x.com/world/1", "Mayor resigns", "She said so on Monday.")
    europe = ("s-1", "https://x.com/europe/1", "Mayor resigns", "She said so on Monday.")
    other = ("s-2", "https://x.com/news/2", "Bridge opens", "Traffic flows.")
    polls = [_rss(world, other), _rss(world, europe, other), _rss(world, other)]
    sent, keys = _sent_keys(rt, [*polls, _rss(europe, world, other)])
    assert sent == [2, 0, 0, 0]
    assert keys == [["g:s-1", "g:s-2"]]


def test_a_link_respelt_between_polls_is_not_a_new_entry(rt_factory: Any) -> None:
    """An item without a GUID is keyed by its canonical link: a feed that links it another
    way at the next poll (http or https, www., a trailing slash, a tracking parameter, a
    fragment; its AMP page's spelling, /amp/, ?outputType=amp, ?amp=1, as a CMS's AMP plugin
    or a CDN's variant writes it) sent it again as a new article."""
    rt = rt_factory(domain_burst=100)
    spellings = [
        "https://x.com/news/1-mayor-resigns",
        "http://www.x.com/news/1-mayor-resigns/",
        "https://x.com/news/1-mayor-resigns?utm_source=rss&amp;utm_medium=feed#comments",
        "https://x.com/news/1-mayor-resigns/amp/",
        "https://x.com/news/1-mayor-resigns/amp",
        "https://x.com/news/1-mayor-resigns?outputType=amp",
        "https://x.com/news/1-mayor-resigns?amp=1",
        "https://x.com/news/1-mayor-resigns?amp",
    ]
    polls = [
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item><title>Mayor'
        f" resigns</title><link>{link}</link><description>She did.</description></item>"
        "</channel></rss>"
        for link in spellings
    ]
    sent, keys = _sent_keys(rt, [poll.encode() for poll in polls])
    assert sent == [1] + [0] * (len(spellings) - 1)
    assert keys == [["u:https://x.com/news/1-mayor-resigns"]]


def test_a_feed_cut_short_on_the_wire_sends_nothing_and_marks_nothing_seen(
    rt_factory: Any, redis_client: redis.Redis
) -> None:
    """A feed without Content-Length whose server dies mid-body looks whole on the wire. Its
    half-sent item went to process with a title and no text and its hash was stored, so the
    whole feed at the next poll sent it again as an edit. The cut poll now sends nothing and
    stores no key; the next poll sends each item once, whole."""
    rt = rt_factory(domain_burst=100)
    whole = (
        FEED.format(a="First")
        .replace(
            "<title>Second</title>",
            "<title>Second</title><description>" + "word " * 80 + "</description>",
        )
        .encode()
    )
    cut = whole[: whole.index(b"word word") + 40]
    bodies = iter([cut, whole])
    route = {"/f": lambda h: Reply(200, next(bodies), length=False)}
    outbox = Outbox()
    with http_server(route) as base:
        _add(rt, "s", base + "/f")
        first = _run(rt, "s", outbox, now=1000.0)
        seen_after_cut = redis_client.hlen("sw:seen:s")
        second = _run(rt, "s", outbox, now=2000.0)
    assert (first.sent, seen_after_cut, second.sent) == (0, 0, 2)
    assert [entry["title"] for _, entry in outbox.batches[0]] == ["First", "Second"]
    assert "word word" in outbox.batches[0][1][1]["summary_html"]


def _redis_text(client: redis.Redis) -> str:
    """Every key and value in the database, as one text to search for a secret."""
    parts: list[object] = []
    for key in client.scan_iter():
        kind = client.type(key)
        read = {b"string": client.get, b"hash": client.hgetall, b"list": lambda k: client.lrange(k, 0, -1),
                b"set": client.smembers, b"zset": lambda k: client.zrange(k, 0, -1),
                b"stream": client.xrange}[kind]  # fmt: skip
        parts += [key, read(key)]
    return repr(parts)


def test_a_poll_goes_through_the_egress_proxy_and_its_credentials_stay_out_of_every_record(
    rt_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker whose HTTP_PROXY names its egress proxy polls through it (it failed every
    source: HTTP_PROXY was not read); a proxy refusing its credentials is the outcome
    proxy_407, and the password is in no health record, log line, metric or Redis key."""

    def unresolvable(host: str, port: int) -> list[str]:
        raise OSError(f"{host}: Name or service not known")  # only the proxy resolves names

    outbox = Outbox()
    feed = FEED.format(a="First").encode()
    with (
        http_server({"/f": lambda h: Reply(200, feed)}) as base,
        proxy_server(credentials=("svc", "hunter2")) as proxy,
    ):
        url = f"http://feed.invalid:{base.rsplit(':', 1)[1]}/f"
        monkeypatch.setenv("HTTP_PROXY", proxy.url.replace("://", "://svc:hunter2@"))
        rt = rt_factory()
        # No DNS query leaves the machine: the worker's lookups fail, as where only the proxy
        # resolves names.
        rt.fetcher._resolver = unresolvable
        _add(rt, "through", url)
        assert _run(rt, "through", outbox).outcome == "ok"
        assert proxy.log.forwarded == [url]

        monkeypatch.setenv("HTTP_PROXY", proxy.url.replace("://", "://svc:wrong-pass@"))
        refused = rt_factory()
        refused.fetcher._resolver = unresolvable
        _add(refused, "refused", url)
        with capture_logs() as logs:
            failed = _run(refused, "refused", outbox)
    assert failed.outcome == "proxy_407"
    error = refused.sources.state("refused").last_error
    assert error is not None
    assert error.startswith("proxy_407: http://svc:***@127.0.0.1:")
    assert refused.redis.hget("sw:metrics", "fetch:proxy_407") == b"1"
    headers = [base64.b64encode(pair).decode() for pair in (b"svc:wrong-pass", b"svc:hunter2")]
    for secret in ("wrong-pass", "hunter2", *headers):
        assert secret not in repr(logs)
        assert secret not in _redis_text(refused.redis)
