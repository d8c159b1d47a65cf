"""``storywire sources``: every action against a real Redis, and the OPML round trip."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import orjson
import pytest
import redis

from storywire.adapters.embedded_redis import EmbeddedRedis, free_port
from storywire.adapters.http import FetchPolicy, HttpFetcher
from storywire.adapters.redis_sources import RedisSourceStore
from storywire.discovery import HtmlPage
from storywire.fetching import Discovery, discover
from storywire.models import Source
from storywire.sources import SourceState
from tests.support.httpserver import Reply, http_server
from tests.support.site import site_routes
from workers.cli import main
from workers.commands.sources import (
    do_add,
    do_disable,
    do_enable,
    do_export_opml,
    do_import_opml,
    do_list,
    do_load,
    do_remove,
    do_show,
)


@pytest.fixture
def store(redis_client: redis.Redis) -> RedisSourceStore:
    """A source store on the private test Redis."""
    return RedisSourceStore(redis_client)


def test_adding_the_url_a_source_moved_from_keeps_it_moved_and_says_so(
    store: RedisSourceStore,
) -> None:
    """The store keeps a source at the URL a confirmed permanent redirect moved it to when it
    is given the old one again; `add` printed the old URL as the change all the same."""
    old, new = "https://x.example/rss", "https://x.example/feed"
    assert do_add(store, {"id": "x", "url": old}, io.StringIO(), now=1000.0) == 0
    store.set_url("x", new)
    store.finish("x", SourceState(moved_from=old), next_poll=2000.0)
    out = io.StringIO()
    assert do_add(store, {"id": "x", "url": old}, out, now=1500.0) == 0
    assert out.getvalue() == f"updated x {new} (no change)\n"
    stored = store.get("x")
    assert stored is not None
    assert stored.url == new


def test_add_list_show_remove(store: RedisSourceStore) -> None:
    """A source added is listed and shown with its health record, then removed for good."""
    out = io.StringIO()
    raw = {"id": "bbc", "url": "https://feeds.bbci.co.uk/news/rss.xml", "outlet": "BBC"}
    assert do_add(store, raw, out, now=1000.0) == 0
    store.finish("bbc", SourceState(consecutive_failures=2, last_outcome="http_503",
                                    last_error="http_503: HTTP 503"), next_poll=1600.0,
                 counts=("http_503",))  # fmt: skip
    assert do_list(store, out, now=1000.0) == 0
    assert "bbc" in out.getvalue()
    assert "failing" in out.getvalue()
    shown = io.StringIO()
    assert do_show(store, "bbc", shown, now=1000.0) == 0
    record = orjson.loads(shown.getvalue())
    assert record["source"]["domain"] == "bbci.co.uk"
    assert record["health"]["last_error"] == "http_503: HTTP 503"
    assert record["outcomes"] == {"http_503": 1}
    assert record["next_poll_in_seconds"] == 600.0
    assert do_remove(store, "bbc", out) == 0
    assert store.get("bbc") is None
    assert do_show(store, "bbc", io.StringIO()) == 1


def test_a_source_being_polled_is_listed_and_shown_as_such_not_due_at_its_lease_end(
    store: RedisSourceStore,
) -> None:
    """Claimed by a dispatch, its fetch sent for its due time, a source's place on the schedule
    is its lease's end: `list` said "next 5m" (the lease) for a source polled within the
    dispatch interval, and every 5 seconds for a min_interval of 5."""
    out = io.StringIO()
    assert do_add(store, {"id": "x", "url": "https://x.com/feed", "min_interval": 5},
                  out, now=1000.0) == 0  # fmt: skip
    assert do_add(store, {"id": "y", "url": "https://y.com/feed"}, out, now=1000.0) == 0
    store.finish("y", SourceState(last_outcome="ok"), next_poll=1600.0)
    assert store.claim_due(now=1000.0, lease=300.0, cap=10, ahead=30.0).claimed == ["x"]
    listed = io.StringIO()
    assert do_list(store, listed, now=1001.0) == 0
    rows = {line.split()[0]: line.split() for line in listed.getvalue().splitlines()[1:]}
    assert rows["x"][2] == "polling"
    assert rows["y"][2] == "10m"
    shown = io.StringIO()
    assert do_show(store, "x", shown, now=1001.0) == 0
    assert orjson.loads(shown.getvalue())["polling"] is True
    shown = io.StringIO()
    assert do_show(store, "y", shown, now=1001.0) == 0
    assert orjson.loads(shown.getvalue())["polling"] is False


def test_add_rejects_bad_input(store: RedisSourceStore, capsys: pytest.CaptureFixture[str]) -> None:
    """A bad id or a non-http URL is refused with the reason on stderr, nothing stored: a
    malformed option, exit 2, as a malformed sources file is for `sources load`."""
    out = io.StringIO()
    assert do_add(store, {"id": "Bad Id!", "url": "https://x.com/f"}, out) == 2
    assert do_add(store, {"id": "ok", "url": "file:///etc/passwd"}, out) == 2
    assert capsys.readouterr().err.count("error: ") == 2
    assert out.getvalue() == ""
    assert store.all() == []


def test_disable_then_enable(store: RedisSourceStore) -> None:
    """Disabling unschedules with a reason shown by ``show``; enabling makes it due again."""
    out = io.StringIO()
    do_add(store, {"id": "x", "url": "https://x.com/feed"}, out, now=1.0)
    assert do_disable(store, "x", "feed retired", out) == 0
    assert store.next_poll("x") is None
    shown = io.StringIO()
    do_show(store, "x", shown)
    assert orjson.loads(shown.getvalue())["health"]["disabled_reason"] == "feed retired"
    assert do_enable(store, "x", out) == 0
    assert store.state("x").disabled_reason is None
    assert store.next_poll("x") is not None
    assert do_enable(store, "missing", out) == 1
    assert do_disable(store, "missing", "r", out) == 1


def test_opml_export_import_round_trip(store: RedisSourceStore, redis_client: redis.Redis) -> None:
    """Exported OPML 2.0 imports into an empty Redis as the same sources."""
    out = io.StringIO()
    do_add(store, {"id": "a", "url": "https://a.com/rss", "outlet": "A", "min_interval": 60}, out)
    do_add(store, {"id": "b", "url": "https://b.org/atom", "outlet": "B & Sons"}, out)
    document = do_export_opml(store)
    assert b'version="2.0"' in document
    before = store.all()
    redis_client.flushdb()
    assert do_import_opml(store, document, out) == 0
    assert store.all() == before
    assert do_import_opml(store, b"<html/>", out) == 1


def test_cli_entry_point(
    redis_server: EmbeddedRedis,
    redis_client: redis.Redis,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``storywire sources add`` and ``show`` work end to end through the console script."""
    monkeypatch.setenv("STORYWIRE_REDIS_URL", redis_server.url)
    assert (
        main(
            [
                "sources",
                "add",
                "n1",
                "https://n1.com/feed",
                "--min-interval",
                "120",
                "--no-discover",
            ]
        )
        == 0
    )
    assert main(["sources", "show", "n1"]) == 0
    shown = capsys.readouterr().out
    record = orjson.loads(shown[shown.index("{") :])
    assert record["source"]["min_interval"] == 120.0
    assert record["domain_blocked_for_seconds"] == 0.0
    assert main(["sources", "export-opml"]) == 0
    assert "n1.com/feed" in capsys.readouterr().out


def test_add_takes_every_field_a_sources_file_can_set_but_rules(
    redis_server: EmbeddedRedis,
    store: RedisSourceStore,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`sources add` sets a source's zone, full-text fetching and folder as a sources file
    does; an unknown zone is a malformed option (exit 2, nothing stored)."""
    monkeypatch.setenv("STORYWIRE_REDIS_URL", redis_server.url)
    argv = ["sources", "add", "xinhua", "https://xinhua.example/feed.xml", "--no-discover"]
    extra = ["--timezone", "Asia/Shanghai", "--full-text", "--folder", "News/World"]
    assert main([*argv, *extra]) == 0
    source = store.get("xinhua")
    assert source is not None
    assert (source.timezone, source.full_text, source.folder) == (
        "Asia/Shanghai",
        True,
        "News/World",
    )
    assert (
        main(
            [
                "sources",
                "add",
                "other",
                "https://other.example/rss",
                "--timezone",
                "Mars/Base",
                "--no-discover",
            ]
        )
        == 2
    )
    assert "Mars/Base" in capsys.readouterr().err
    assert store.get("other") is None


def test_add_of_a_known_id_changes_only_what_it_is_given_and_says_what_changed(
    redis_server: EmbeddedRedis,
    store: RedisSourceStore,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`sources add ID URL` of a known id (what the html_page hint says to run) stored only
    what that command line gave: its outlet, folder, zone, intervals, full-text fetching and
    rules were reset. Now every setting not given is kept, --no-full-text and
    --no-allow-private turn a flag off, an empty --folder or --timezone removes it, the
    domain follows the URL unless it was set, and stdout names each change."""
    monkeypatch.setenv("STORYWIRE_REDIS_URL", redis_server.url)
    add = ["sources", "add", "xinhua"]
    assert main([*add, "https://xinhua.example/feed.xml", "--no-discover", "--outlet", "Xinhua",
                 "--timezone", "Asia/Shanghai", "--full-text", "--folder", "News/World",
                 "--min-interval", "120"]) == 0  # fmt: skip
    rules = [{"kind": "drop_element", "selector": "div.ad"}]
    before = store.get("xinhua")
    assert before is not None
    store.upsert([Source.from_dict({**before.to_dict(), "rules": rules})], now=0.0)  # a file's
    capsys.readouterr()
    assert main([*add, "https://english.news.cn/rss/world.xml", "--no-discover"]) == 0
    assert capsys.readouterr().out == (
        "updated xinhua https://english.news.cn/rss/world.xml\n"
        '  url: "https://xinhua.example/feed.xml" -> "https://english.news.cn/rss/world.xml"'
        " (due now, with a fresh failure run)\n"
        '  domain: "xinhua.example" -> "news.cn"\n'
    )
    source = store.get("xinhua")
    assert source is not None
    assert (source.outlet, source.timezone, source.full_text, source.folder,
            source.min_interval, [dict(r) for r in source.rules]) == (
        "Xinhua", "Asia/Shanghai", True, "News/World", 120.0, rules)  # fmt: skip
    assert main([*add, source.url, "--no-discover", "--no-full-text", "--folder", "",
                 "--timezone", "", "--domain", "xinhuanet.com"]) == 0  # fmt: skip
    assert capsys.readouterr().out == (
        "updated xinhua https://english.news.cn/rss/world.xml\n"
        '  domain: "news.cn" -> "xinhuanet.com"\n'
        "  full_text: true -> false\n"
        '  timezone: "Asia/Shanghai" -> null\n'
        '  folder: "News/World" -> null\n'
    )
    # a domain the operator set stays with the source when its URL changes
    assert main([*add, "https://english.news.cn/rss/china.xml", "--no-discover"]) == 0
    source = store.get("xinhua")
    assert source is not None
    assert (source.domain, source.full_text, source.folder) == ("xinhuanet.com", False, None)
    assert main([*add, source.url, "--no-discover"]) == 0
    assert capsys.readouterr().out.endswith(
        "updated xinhua https://english.news.cn/rss/china.xml (no change)\n"
    )
    assert main(["sources", "add", "lan", "http://10.0.0.5/feed", "--allow-private",
                 "--no-discover"]) == 0  # fmt: skip
    assert main(["sources", "add", "lan", "http://10.0.0.5/rss", "--no-discover"]) == 0
    assert main(["sources", "add", "lan", "http://10.0.0.5/rss", "--no-allow-private",
                 "--no-discover"]) == 2  # fmt: skip
    assert store.get("lan") == Source(id="lan", url="http://10.0.0.5/rss", outlet="lan",
                                      domain="10.0.0.5", allow_private=True)  # fmt: skip


def test_a_bad_environment_variable_is_one_line_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every command reads the settings first: a bad value exits 2 naming the variable."""
    monkeypatch.setenv("STORYWIRE_MAX_IN_FLIGHT", "lots")
    assert main(["sources", "list"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("storywire: STORYWIRE_MAX_IN_FLIGHT")
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    "raw",
    [
        {"id": "a", "url": "https://"},
        {"id": "a", "url": "https://exa mple.com/feed"},
        {"id": "a", "url": "http://[::1/feed"},
        {"id": "a", "url": "https://a.com/f", "min_interval": -5},
        {"id": "a", "url": "https://a.com/f", "min_interval": 0},
        {"id": "a", "url": "https://a.com/f", "min_interval": "nan"},
        {"id": "a", "url": "https://a.com/f", "max_interval": "inf"},
        {"id": "a", "url": "https://a.com/f", "min_interval": 600, "max_interval": 60},
    ],
)
def test_add_refuses_a_url_without_a_host_and_intervals_out_of_range(
    store: RedisSourceStore, raw: dict[str, object], capsys: pytest.CaptureFixture[str]
) -> None:
    """Refused with one ``error:`` line, nothing stored: a zero or negative interval would poll
    the feed on every dispatch, a NaN one is no schedule at all."""
    out = io.StringIO()
    assert do_add(store, raw, out) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ")
    assert err.count("\n") == 1
    assert out.getvalue() == ""
    assert store.all() == []


def test_add_refuses_a_url_another_source_already_polls(
    store: RedisSourceStore, capsys: pytest.CaptureFixture[str]
) -> None:
    """A second id for the same feed would poll it twice and spend its domain's budget twice;
    the same id updates as before."""
    out = io.StringIO()
    assert do_add(store, {"id": "bbc", "url": "https://feeds.bbci.co.uk/news/rss.xml"}, out) == 0
    assert do_add(store, {"id": "bbc2", "url": "https://feeds.bbci.co.uk/news/rss.xml"}, out) == 1
    assert "already polled by 'bbc'" in capsys.readouterr().err
    # however its URL is spelt
    for spelling in ("http://FEEDS.bbci.co.uk/news/rss.xml#top",
                     "https://feeds.bbci.co.uk/news/rss.xml?utm_source=x"):  # fmt: skip
        assert do_add(store, {"id": "bbc3", "url": spelling}, out) == 1
    assert [s.id for s in store.all()] == ["bbc"]
    update = {"id": "bbc", "url": "https://feeds.bbci.co.uk/news/rss.xml", "outlet": "BBC"}
    assert do_add(store, update, out) == 0
    assert out.getvalue().endswith(
        'updated bbc https://feeds.bbci.co.uk/news/rss.xml\n  outlet: "bbc" -> "BBC"\n'
    )


def test_feeds_a_query_parameter_picks_are_other_feeds(
    store: RedisSourceStore, capsys: pytest.CaptureFixture[str]
) -> None:
    """Feeds told apart by a query parameter are two feeds: Sina's and XOOPS's rss.php?cid=N
    lists one channel per cid. The article list of tracking names (cid, rss, src, ref, …)
    made them one, so `add` refused the second as "already polled"."""
    out = io.StringIO()
    for n, url in enumerate(("https://finance.sina.com.cn/roll/rss.php?cid=1",
                             "https://finance.sina.com.cn/roll/rss.php?cid=2",
                             "https://forum.example.org/blog.html/?rss=1",
                             "https://forum.example.org/blog.html/?rss=2")):  # fmt: skip
        assert do_add(store, {"id": f"f{n}", "url": url}, out) == 0, capsys.readouterr().err
    assert len(store.all()) == 4
    spelt = "http://finance.sina.com.cn/roll/rss.php?utm_medium=x&cid=2&fbclid=y"
    assert do_add(store, {"id": "again", "url": spelt}, out) == 1
    assert "already polled by 'f1'" in capsys.readouterr().err


def test_remove_of_an_unknown_id_is_an_error(
    store: RedisSourceStore, capsys: pytest.CaptureFixture[str]
) -> None:
    out = io.StringIO()
    assert do_remove(store, "nope", out) == 1
    assert out.getvalue() == ""
    assert capsys.readouterr().err == "error: no source 'nope'\n"


FEEDLY = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0"><head><title>Feedly</title></head><body>
<outline text="World" title="World">
  <outline type="rss" text="Reuters" title="Reuters" xmlUrl="https://www.reutersagency.com/feed/"/>
  <outline type="rss" text="BBC News" title="BBC News" xmlUrl="https://feeds.bbci.co.uk/news/rss.xml"/>
  <outline type="rss" text="Le Monde - Actualit\xc3\xa9s" xmlUrl="https://www.lemonde.fr/rss/une.xml"/>
</outline>
<outline text="Tech"><outline text="Nested">
  <outline type="rss" text="BBC News" title="BBC News" xmlUrl="http://feeds.bbci.co.uk/news/rss.xml"/>
  <outline text="Ars" xmlUrl="https://feeds.arstechnica.com/arstechnica/index"/>
  <outline type="rss" text="Guardian" url="https://www.theguardian.com/world/rss"/>
  <outline type="rss" text="\xe6\x96\xb0\xe9\x97\xbb" xmlUrl="feed://www.zaobao.com.sg/rss/realtime/china"/>
  <outline type="rss" text="Broken" xmlUrl="https://"/>
</outline></outline>
<outline text="Just a note"/>
</body></opml>"""


def test_import_of_a_readers_export_counts_every_outline(
    store: RedisSourceStore, capsys: pytest.CaptureFixture[str]
) -> None:
    """A feed in two folders is one source; a feed already polled (under another id) is left
    as it is, and an existing id is never taken over by another feed; one bad outline is
    skipped with its reason while the rest imports; an outline that is no feed is named as
    ignored; and the whole import is counted."""
    out = io.StringIO()
    do_add(store, {"id": "bbc", "url": "https://feeds.bbci.co.uk/news/rss.xml", "outlet": "BBC",
                   "min_interval": 60}, out)  # fmt: skip
    do_add(store, {"id": "reuters", "url": "https://www.reuters.com/rss"}, out)
    before = {s.id: s for s in store.all()}
    out = io.StringIO()
    assert do_import_opml(store, FEEDLY, out) == 1  # one outline could not be imported
    assert out.getvalue() == (
        "imported 5 sources (5 added, 0 updated); "
        "1 already polled, 1 duplicate outline, 1 skipped, 0 private, 1 ignored\n"
    )
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("skipped: outline #11 (broken): url has no valid host")
    assert err[1:] == [
        "ignored: outline #12 (Just a note): no xmlUrl and nothing inside: "
        "a note, separator or empty folder"
    ]
    sources = {s.id: s for s in store.all()}
    assert sources["bbc"] == before["bbc"]
    assert sources["reuters"] == before["reuters"]
    assert sources["le-monde-actualites"].folder == "World"
    assert sources["ars"].folder == "Tech/Nested"
    urls = sorted(s.url for s in sources.values())
    assert len(urls) == len(set(urls)) == 7
    assert "https://www.theguardian.com/world/rss" in urls
    assert "http://www.zaobao.com.sg/rss/realtime/china" in urls
    assert {"le-monde-actualites", "www-zaobao-com-sg", "reuters-2"} <= set(sources)


def test_reimport_of_an_export_updates_in_place(store: RedisSourceStore) -> None:
    """Our own export carries ids: importing it again updates those sources, adds nothing."""
    out = io.StringIO()
    do_add(store, {"id": "a", "url": "https://a.com/rss", "min_interval": 60}, out)
    document = do_export_opml(store)
    out = io.StringIO()
    assert do_import_opml(store, document, out) == 0
    assert out.getvalue() == (
        "imported 1 sources (0 added, 1 updated); "
        "0 already polled, 0 duplicate outlines, 0 skipped, 0 private, 0 ignored\n"
    )
    assert len(store.all()) == 1


@pytest.mark.parametrize("value", ["false", "False", "no", 0])
def test_allow_private_must_be_a_real_boolean(
    store: RedisSourceStore, value: object, capsys: pytest.CaptureFixture[str]
) -> None:
    """bool("false") is True: a string would quietly let the source reach private addresses."""
    out = io.StringIO()
    raw = {"id": "a", "url": "http://10.0.0.5/feed", "allow_private": value}
    assert do_add(store, raw, out) == 2
    assert "allow_private must be true or false" in capsys.readouterr().err
    document = (
        b'<opml version="2.0" xmlns:storywire="https://github.com/storywire/storywire/opml">'
        b'<body><outline text="a" xmlUrl="http://10.0.0.5/feed" storywire:allow_private="False"/>'
        b"</body></opml>"
    )
    assert do_import_opml(store, document, out) == 1
    assert store.all() == []


def test_add_refuses_a_private_or_loopback_host_unless_allowed(
    store: RedisSourceStore,
    redis_server: EmbeddedRedis,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Every poll of such a source would be refused by the SSRF guard: one line, exit 2,
    nothing stored, unless the operator says it is meant (--allow-private)."""
    out = io.StringIO()
    assert do_add(store, {"id": "lan", "url": "http://192.168.1.20/rss"}, out) == 2
    assert out.getvalue() == ""
    err = capsys.readouterr().err
    assert err.startswith("error: ")
    assert err.count("\n") == 1
    assert "192.168.1.20" in err
    assert "--allow-private" in err
    assert store.all() == []
    monkeypatch.setenv("STORYWIRE_REDIS_URL", redis_server.url)
    assert main(["sources", "add", "dev", "http://localhost:8080/rss", "--no-discover"]) == 2
    assert (
        main(
            [
                "sources",
                "add",
                "dev",
                "http://localhost:8080/rss",
                "--allow-private",
                "--no-discover",
            ]
        )
        == 0
    )
    assert capsys.readouterr().out.endswith("added dev http://localhost:8080/rss\n")
    assert [(s.id, s.allow_private) for s in store.all()] == [("dev", True)]


PRIVATE = b"""<opml version="2.0" xmlns:storywire="https://github.com/storywire/storywire/opml">
<body>
  <outline text="Public" xmlUrl="https://public.example.com/rss"/>
  <outline text="Router" xmlUrl="http://192.168.1.1/rss"/>
  <outline text="Dev" xmlUrl="http://localhost:8080/rss"/>
  <outline text="Intranet" xmlUrl="http://10.0.0.5/feed" storywire:allow_private="true"/>
</body></opml>"""


def test_import_counts_and_reports_private_outlines_and_imports_the_rest(
    store: RedisSourceStore, capsys: pytest.CaptureFixture[str]
) -> None:
    """An outline on a private or loopback host is left out, counted (stdout) and named
    (stderr), the rest imports; one that carries allow_private (our own export) imports as
    it is."""
    out = io.StringIO()
    assert do_import_opml(store, PRIVATE, out) == 0
    report = out.getvalue()
    assert report.startswith("imported 2 sources (2 added, 0 updated); ")
    assert report.endswith(", 2 private, 0 ignored\n")
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("private: outline #2 (router): url host 192.168.1.1 ")
    assert err[1].startswith("private: outline #3 (dev): url host localhost ")
    assert len(err) == 2
    assert sorted(s.id for s in store.all()) == ["intranet", "public"]


def test_an_import_of_only_private_outlines_reports_them_rather_than_failing(
    store: RedisSourceStore, capsys: pytest.CaptureFixture[str]
) -> None:
    out = io.StringIO()
    document = (
        b'<opml version="2.0"><body><outline text="Dev" xmlUrl="http://[::1]/rss"/></body></opml>'
    )
    assert do_import_opml(store, document, out) == 0
    assert out.getvalue().startswith("imported 0 sources (0 added, 0 updated); ")
    assert capsys.readouterr().err.startswith("private: outline #1 (dev): url host ::1 ")
    assert store.all() == []


def test_load_adds_or_updates_the_sources_of_a_sources_file(
    redis_server: EmbeddedRedis,
    redis_client: redis.Redis,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    """The deploy files start workers and a beat, never `storywire run`, which alone read the
    sources file: `sources load` puts it into their Redis ($STORYWIRE_SOURCES_FILE unless
    named), and loading it again updates in place."""
    monkeypatch.setenv("STORYWIRE_REDIS_URL", redis_server.url)
    path = tmp_path / "sources.toml"
    path.write_text(
        '[[source]]\nid = "a"\nurl = "https://a.com/feed"\n\n'
        '[[source]]\nid = "b"\nurl = "https://b.com/rss"\nmin_interval = 120\n'
    )
    monkeypatch.setenv("STORYWIRE_SOURCES_FILE", str(path))
    assert main(["sources", "load"]) == 0
    assert capsys.readouterr().out == f"loaded 2 sources from {path} (2 added, 0 updated)\n"
    store = RedisSourceStore(redis_client)
    assert sorted(s.id for s in store.all()) == ["a", "b"]
    assert main(["sources", "load", str(path)]) == 0
    assert "(0 added, 2 updated)" in capsys.readouterr().out
    path.write_text('[[source]]\nid = "c"\nurl = "ftp://c.com/feed"\n')
    assert main(["sources", "load", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("error: ")
    assert sorted(s.id for s in store.all()) == ["a", "b"]


def test_load_of_a_file_that_gives_a_source_a_new_url_names_it_and_polls_it_afresh(
    store: RedisSourceStore, tmp_path: Path
) -> None:
    """A sources file edited to give a source a new URL (loaded by `sources load` or the next
    `storywire run`) kept the old URL's ETag, failure run and backoff: the new URL was polled
    hours later, conditionally on validators it never sent. Now it is due now, afresh, and
    named under the summary line."""
    path = tmp_path / "sources.toml"
    path.write_text('[[source]]\nid = "a"\nurl = "https://a.com/feed"\n\n'
                    '[[source]]\nid = "b"\nurl = "https://b.com/rss"\n')  # fmt: skip
    assert do_load(store, path, io.StringIO()) == 0
    for source_id in ("a", "b"):
        store.finish(source_id, SourceState(etag='"e"', consecutive_failures=9,
                                            failing_since=1.0), next_poll=9000.0)  # fmt: skip
    path.write_text(path.read_text().replace("https://a.com/feed", "https://a.com/rss.xml"))
    out = io.StringIO()
    assert do_load(store, path, out, now=500.0) == 0
    assert out.getvalue() == (
        f"loaded 2 sources from {path} (0 added, 2 updated)\n"
        '  a url: "https://a.com/feed" -> "https://a.com/rss.xml" (due now, with a fresh failure'
        " run)\n"
    )
    assert (store.next_poll("a"), store.next_poll("b")) == (500.0, 9000.0)
    assert (store.state("a").etag, store.state("a").consecutive_failures) == (None, 0)
    assert (store.state("b").etag, store.state("b").consecutive_failures) == ('"e"', 9)


@pytest.mark.parametrize(
    "argv",
    [
        ["show", "nope"],
        ["disable", "nope"],
        ["enable", "nope"],
        ["remove", "nope"],
        ["add", "bad id!", "https://a.com/feed"],
        ["add", "lan", "http://10.1.2.3/feed"],
        ["import-opml", "OPML"],
    ],
)
def test_errors_go_to_stderr_and_nothing_else_to_stdout(
    argv: list[str],
    redis_server: EmbeddedRedis,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    """A script reading a command's stdout gets its output only: a refusal is one ``error:``
    line on stderr, with an empty stdout."""
    monkeypatch.setenv("STORYWIRE_REDIS_URL", redis_server.url)
    (tmp_path / "bad.opml").write_bytes(b"<html/>")
    argv = [str(tmp_path / "bad.opml") if a == "OPML" else a for a in argv]
    assert main(["sources", *argv]) in (1, 2)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("error: ")
    assert captured.err.count("\n") == 1


def test_list_prints_nothing_to_stdout_when_the_listing_cannot_be_read(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A header alone on stdout would read as "no sources" to a script: a Redis that does not
    answer leaves stdout empty and says so on stderr."""
    monkeypatch.setenv("STORYWIRE_REDIS_URL", f"redis://127.0.0.1:{free_port()}/0")
    assert main(["sources", "list"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("storywire sources: Redis: ")


def _round_trips(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the requests this process writes to Redis (a pipeline is one)."""
    sent = [0]
    send = redis.connection.Connection.send_packed_command

    def counted(self: redis.connection.Connection, *args: Any, **kwargs: Any) -> None:
        sent[0] += 1
        send(self, *args, **kwargs)

    monkeypatch.setattr(redis.connection.Connection, "send_packed_command", counted)
    return sent


def test_list_and_load_of_thousands_of_sources_take_a_few_round_trips(
    store: RedisSourceStore, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`sources list` read each source's record and due time one request at a time: two round
    trips per source, 20,000 (2.8 s on loopback, more across a network) at 10k sources. Both
    now go in pipelines of a thousand sources, whatever the count; what it prints is the same."""
    n = 2500
    path = tmp_path / "sources.toml"
    path.write_text("".join(f'[[source]]\nid = "s{i:04}"\nurl = "https://x{i}.com/feed"\n\n'
                            for i in range(n)))  # fmt: skip
    sent = _round_trips(monkeypatch)
    assert do_load(store, path, io.StringIO()) == 0
    assert sent[0] <= 4
    store.finish("s0007", SourceState(consecutive_failures=3, last_outcome="http_503"),
                 next_poll=1600.0)  # fmt: skip
    store.disable("s0009", "gone", now=0.0)
    sent[0] = 0
    out = io.StringIO()
    assert do_list(store, out, now=1000.0) == 0
    assert sent[0] <= 6
    lines = out.getvalue().splitlines()
    assert len(lines) == n + 1
    assert lines[8].split() == ["s0007", "failing", "10m", "3", "http_503", "https://x7.com/feed"]
    assert lines[10].split()[:3] == ["s0009", "disabled", "-"]
    assert lines[1].split()[:2] == ["s0000", "ok"]


def test_adding_or_loading_one_source_reads_no_other_source(
    store: RedisSourceStore, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`sources add` read and parsed every source to find one polling the same feed (0.46 s
    at 20k sources, 0.84 s at 40k: adding feeds one by one to a large fleet took the square of
    its size), and `sources load` read every source to count those it added. Both now cost the
    same round trips whatever the number of sources; a twin is still found however its URL is
    spelt, after a move too, and not once its source is gone."""
    path = tmp_path / "one.toml"
    path.write_text('[[source]]\nid = "filed"\nurl = "https://filed.example/rss"\n')
    sent = _round_trips(monkeypatch)
    trips = []
    for n in (10, 3000):
        store._r.flushdb()
        store.upsert([Source(id=f"s{i:04}", url=f"https://x{i}.example/feed", outlet="x",
                             domain=f"x{i}.example") for i in range(n)], now=0.0)  # fmt: skip
        sent[0] = 0
        assert do_add(store, {"id": "new", "url": "https://new.example/rss"}, io.StringIO()) == 0
        assert do_load(store, path, io.StringIO()) == 0
        trips.append(sent[0])
    assert trips[0] == trips[1]
    # The twin is found through the index, as before by reading every source.
    assert do_add(store, {"id": "again", "url": "http://www.x17.example/feed#top"},
                  io.StringIO()) == 1  # fmt: skip
    store.set_url("s0017", "https://moved.example/feed")
    assert do_add(store, {"id": "again", "url": "https://x17.example/feed"}, io.StringIO()) == 0
    assert do_add(store, {"id": "again2", "url": "https://moved.example/feed"},
                  io.StringIO()) == 1  # fmt: skip
    assert store.remove("s0017")
    assert do_add(store, {"id": "again2", "url": "https://moved.example/feed"},
                  io.StringIO()) == 0  # fmt: skip


def test_a_twin_is_found_where_the_index_of_feeds_is_behind_the_sources(
    store: RedisSourceStore, redis_client: redis.Redis
) -> None:
    """Sources stored by an earlier release have no entry in the index of feeds: the first
    look-up reads them all and writes the index, as every one after it uses."""
    store.upsert([Source(id="old", url="https://old.example/feed", outlet="o",
                         domain="old.example")], now=0.0)  # fmt: skip
    redis_client.delete("sw:feeds")
    assert do_add(store, {"id": "twin", "url": "https://old.example/feed"}, io.StringIO()) == 1
    assert redis_client.hgetall("sw:feeds") == {b"https://old.example/feed": b"old"}


def test_a_readers_folders_survive_redis_and_our_export(
    store: RedisSourceStore, redis_client: redis.Redis, capsys: pytest.CaptureFixture[str]
) -> None:
    """Folders read from a reader's export are kept in Redis, written back as nested
    outlines by export-opml, and read back from them into an empty Redis."""
    opml = Path(__file__).resolve().parents[1] / "storywire" / "opml" / "newsblur.opml"
    assert do_import_opml(store, opml.read_bytes(), io.StringIO()) == 0
    before = store.all()
    assert {s.folder for s in before} == {None, "Blogs", "Blogs/Economics"}
    document = do_export_opml(store)
    redis_client.flushdb()
    out = io.StringIO()
    assert do_import_opml(store, document, out) == 0
    assert out.getvalue().endswith(", 0 ignored\n")
    assert store.all() == before
    assert capsys.readouterr().err == ""


@pytest.fixture
def discovering() -> Iterator[Callable[..., Callable[[str, bool], Discovery]]]:
    """What `sources add` without --no-discover hands do_add: one fetch under a poll's policy
    with the source's allow_private (loopback allowed unless ``allow_private=False``), on a
    fetcher closed when the test ends."""
    with HttpFetcher() as fetcher:

        def make(*, allow_private: bool = True) -> Callable[[str, bool], Discovery]:
            def found(url: str, allowed: bool = allow_private) -> Discovery:
                policy = FetchPolicy(user_agent="storywire-test", read_timeout=2.0, deadline=5.0,
                                     allow_private=allowed)  # fmt: skip
                return discover(url, fetcher=fetcher, policy=policy, now=1000.0)

            return found

        yield make


def test_add_of_a_sites_page_stores_the_first_feed_it_advertises(
    store: RedisSourceStore, capsys: pytest.CaptureFixture[str], discovering: Any
) -> None:
    """A page in place of a feed: its first advertised feed is stored (its domain follows it),
    the choice and the other feeds named on stderr; stdout says what was stored."""
    with http_server(site_routes()) as base:
        out = io.StringIO()
        raw = {"id": "site", "url": base + "/", "allow_private": True}
        assert do_add(store, raw, out, discover=discovering()) == 0
    assert out.getvalue() == f"added site {base}/rss.xml\n"
    assert capsys.readouterr().err == (
        f"discovered: {base}/ is an HTML page ('Site news'); adding the first feed it "
        f"advertises: {base}/rss.xml\n"
        f"discovered: it also advertises {base}/atom.xml\n"
    )
    source = store.get("site")
    assert source is not None
    assert (source.url, source.domain) == (base + "/rss.xml", "127.0.0.1")


def test_add_of_a_feed_or_an_unreachable_url_stores_it_as_given(
    store: RedisSourceStore, capsys: pytest.CaptureFixture[str], discovering: Any
) -> None:
    """A feed is stored as it is, quietly; a URL that cannot be fetched (no network, a
    refused connection, an error status) is stored as given with one warning line."""
    with http_server(site_routes()) as base:
        for source_id, url in (("rss", "/rss.xml"), ("gone", "/gone")):
            raw = {"id": source_id, "url": base + url, "allow_private": True}
            assert do_add(store, raw, io.StringIO(), discover=discovering()) == 0
        assert capsys.readouterr().err == (
            f"warning: could not check {base}/gone for feeds (http_404); kept as given\n"
        )
    # The SSRF guard of a poll: loopback is refused without allow_private, before any request.
    guarded = discovering(allow_private=False)(base + "/")
    assert guarded.problem is not None
    assert guarded.problem.startswith("ssrf_blocked: ")
    raw = {"id": "down", "url": "http://127.0.0.1:9/feed", "allow_private": True}
    assert do_add(store, raw, io.StringIO(), discover=discovering()) == 0
    err = capsys.readouterr().err
    assert err.startswith("warning: could not check http://127.0.0.1:9/feed for feeds (")
    assert err.endswith("); kept as given\n")
    assert err.count("\n") == 1
    assert sorted((s.id, s.url) for s in store.all()) == [
        ("down", "http://127.0.0.1:9/feed"),
        ("gone", base + "/gone"),
        ("rss", base + "/rss.xml"),
    ]


def test_add_of_a_page_that_advertises_no_feed_is_refused(
    store: RedisSourceStore, capsys: pytest.CaptureFixture[str], discovering: Any
) -> None:
    """Every poll of a login wall or a page without feeds would fail: exit 1, nothing stored,
    one line naming the page and the way to add it anyway."""
    with http_server(site_routes()) as base:
        raw = {"id": "wall", "url": base + "/wall", "allow_private": True}
        out = io.StringIO()
        assert do_add(store, raw, out, discover=discovering()) == 1
    assert out.getvalue() == ""
    assert capsys.readouterr().err == (
        f"error: {base}/wall is an HTML page ('Sign in') and advertises no feed; nothing added "
        "(--no-discover adds it as given)\n"
    )
    assert store.all() == []


def test_a_discovered_feed_is_checked_as_a_given_url_is(
    store: RedisSourceStore, capsys: pytest.CaptureFixture[str], discovering: Any
) -> None:
    """The feed a page advertises passes the same checks as a URL the operator types: on a
    private host it needs --allow-private; one another source polls is not added twice."""
    page = HtmlPage("News", ("http://10.0.0.5/feed",))
    raw = {"id": "lan", "url": "https://public.example/"}
    found = Discovery(page=page)
    assert do_add(store, raw, io.StringIO(), discover=lambda url, allowed: found) == 2
    assert "10.0.0.5" in capsys.readouterr().err.splitlines()[-1]
    with http_server(site_routes()) as base:
        first = {"id": "first", "url": base + "/rss.xml", "allow_private": True}
        assert do_add(store, first, io.StringIO()) == 0
        again = {"id": "again", "url": base + "/", "allow_private": True}
        assert do_add(store, again, io.StringIO(), discover=discovering()) == 1
    assert capsys.readouterr().err.endswith("is already polled by 'first'\n")
    assert [s.id for s in store.all()] == ["first"]


def test_cli_add_discovers_under_the_fetch_settings_and_can_skip_it(
    redis_server: EmbeddedRedis,
    store: RedisSourceStore,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`sources add` fetches with the service's User-Agent and --allow-private (a loopback URL
    without it is refused before any request); --no-discover stores the URL as given without
    a request."""
    monkeypatch.setenv("STORYWIRE_REDIS_URL", redis_server.url)
    monkeypatch.setenv("STORYWIRE_USER_AGENT", "storywire-discovery-test (+https://x.example)")
    agents: list[str | None] = []
    routes = site_routes()
    front = routes["/"]

    def recorded(handler: BaseHTTPRequestHandler) -> Reply:
        agents.append(handler.headers.get("User-Agent"))
        return front(handler)

    routes["/"] = recorded
    with http_server(routes) as base:
        assert main(["sources", "add", "site", base + "/", "--allow-private"]) == 0
        assert main(["sources", "add", "raw", base + "/", "--allow-private", "--no-discover"]) == 0
        assert main(["sources", "add", "blocked", base + "/"]) == 2
        # an update fetches under the source's own --allow-private, kept from its addition
        assert main(["sources", "add", "site", base + "/"]) == 0
    assert agents == ["storywire-discovery-test (+https://x.example)"] * 2
    assert capsys.readouterr().out == (
        f"added site {base}/rss.xml\nadded raw {base}/\nupdated site {base}/rss.xml (no change)\n"
    )
    assert sorted((s.id, s.url) for s in store.all()) == [
        ("raw", base + "/"),
        ("site", base + "/rss.xml"),
    ]


def test_a_paid_feeds_credentials_are_never_printed(
    redis_server: EmbeddedRedis,
    store: RedisSourceStore,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A paid newsletter's feed URL carries its password or token (user:pass@, ?token=,
    ?api_key=): add, list, show and a refusal printed it, where a pasted listing or a CI log
    keeps it. They show it masked; the export, which a reader polls from, keeps it whole."""
    monkeypatch.setenv("STORYWIRE_REDIS_URL", redis_server.url)
    url = "https://reader:s3cret-pw@paid.example/feed?token=s3cret-tk&page=1&api_key=s3cret-ak"
    assert main(["sources", "add", "paid", url, "--no-discover"]) == 0
    store.finish("paid", SourceState(consecutive_failures=1, last_outcome="redirect_loop",
                                     last_error=f"redirect_loop: {url} visited twice",
                                     redirect_url=url, redirect_count=1),
                 next_poll=1600.0)  # fmt: skip
    assert main(["sources", "list"]) == 0
    assert main(["sources", "show", "paid"]) == 0
    moved = url.replace("page=1", "page=2")
    assert main(["sources", "add", "paid", moved, "--no-discover"]) == 0
    assert main(["sources", "add", "twin", moved, "--no-discover"]) == 1
    printed = capsys.readouterr()
    assert "s3cret" not in printed.out + printed.err
    assert "https://reader:***@paid.example/feed?token=***&page=1&api_key=***" in printed.out
    assert "already polled by 'paid'" in printed.err
    assert b"s3cret-tk" in do_export_opml(store)
