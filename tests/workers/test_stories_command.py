"""``storywire stories show|article|recent``: the story state the process stage wrote into a real
Redis, read back in human and ``--json`` form, without a single write."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
import redis
import xxhash

from storywire.adapters.embedded_redis import EmbeddedRedis, embedded_redis
from storywire.adapters.redis_ledger import RedisLedger
from storywire.adapters.redis_sources import RedisSourceStore
from storywire.models import Article, Entry, Source
from storywire.processing import build_article, process_entries
from storywire.stories import Params, RedisStoryStore, StoryEngine
from tests.storywire.stories.conftest import ARTICLES, MERGE_PARAMS, bridged_docs
from workers.cli import main

T0 = datetime(2026, 11, 20, 6, tzinfo=UTC)


def _source(source_id: str, outlet: str) -> Source:
    domain = f"{source_id}.example"
    return Source(id=source_id, url=f"https://{domain}/feed.xml", outlet=outlet, domain=domain)


REUTERS, AP, DW, BBC = (
    _source("reuters", "Reuters"),
    _source("ap", "AP"),
    _source("dw", "DW"),
    _source("bbc", "BBC"),
)
CHILE = [(title, body) for label, title, body in ARTICLES if label == "quake-chile"]
NEPAL = [(title, body) for label, title, body in ARTICLES if label == "quake-nepal"]
Report = tuple[tuple[str, str], int]  # (headline, body), hours after T0 it was published


@dataclass
class World:
    """What the process stage was given: each article's URL by (source, guid)."""

    client: redis.Redis
    ledger: RedisLedger
    urls: dict[str, str]
    ids: dict[str, str]  # guid -> article id, as the ledger knows it

    def story_of(self, guid: str) -> str:
        return self.ledger.known_stories([self.ids[guid]])[self.ids[guid]]


def _entry(source: Source, guid: str, text: tuple[str, str], at: datetime) -> Entry:
    title, body = text
    link = f"https://{source.domain}/news/{guid}?utm_source=rss"
    return Entry(
        guid=guid,
        link=link,
        title=title,
        summary_html="",
        content_html=f"<p>{body}</p>",
        published=at,
    )


def _article(source: Source, guid: str, text: tuple[str, str], at: datetime) -> Article:
    return build_article(source, f"g:{guid}", _entry(source, guid, text, at), fetched_at=at)


def _send(world: World, engine: StoryEngine, source: Source, guid: str, report: Report) -> None:
    text, hour = report
    at = T0 + timedelta(hours=hour)
    entry = _entry(source, guid, text, at)
    process_entries(
        source, [(f"g:{guid}", entry)], engine=engine, ledger=world.ledger, fetched_at=at
    )
    article = _article(source, guid, text, at)
    world.urls[guid], world.ids[guid] = article.url, article.id


@pytest.fixture
def world(redis_client: redis.Redis) -> World:
    """Two earthquakes reported by four outlets, and a volcano and its grounded flights that
    start as two stories and are merged by later reports, all through the real process stage
    into the real ledger and story store; the sources are in Redis as the service keeps them."""
    RedisSourceStore(redis_client).upsert([REUTERS, AP, DW, BBC], now=T0.timestamp())
    world = World(redis_client, RedisLedger(redis_client), {}, {})
    plain = Params(defer_below=0.0)
    engine = StoryEngine(RedisStoryStore.for_params(redis_client, plain), plain)
    _send(world, engine, REUTERS, "chile-1", (CHILE[0], 0))
    _send(world, engine, AP, "chile-2", (CHILE[1], 1))
    _send(world, engine, DW, "nepal-1", (NEPAL[0], 2))
    _send(world, engine, BBC, "nepal-2", (NEPAL[1], 3))
    merging = replace(MERGE_PARAMS, defer_below=0.0)
    engine = StoryEngine(RedisStoryStore.for_params(redis_client, merging), merging)
    for n, (doc, source) in enumerate(zip(bridged_docs(), [DW, AP, REUTERS, BBC], strict=True)):
        _send(world, engine, source, f"katla-{n}", ((doc.title, doc.text), 4 + n))
    return world


def _digest(client: redis.Redis) -> tuple[int, str]:
    """DBSIZE and a hash of every key with its serialised value: any write changes it."""
    digest = xxhash.xxh3_128()
    for key in sorted(client.scan_iter(count=1000)):
        digest.update(key)
        digest.update(client.dump(key) or b"")
    return int(client.dbsize()), digest.hexdigest()


@pytest.fixture
def run(
    world: World,
    redis_server: EmbeddedRedis,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Any:
    """``storywire stories ...`` through ``main()`` on the world's Redis: (status, stdout,
    stderr), checking that the command left every key as it was."""
    monkeypatch.setenv("STORYWIRE_REDIS_URL", redis_server.url)
    capsys.readouterr()

    def call(*argv: str) -> tuple[int, str, str]:
        before = _digest(world.client)
        status = main(["stories", *argv])
        out, err = capsys.readouterr()
        assert _digest(world.client) == before, f"stories {argv} wrote to Redis"
        return status, out, err

    return call


def test_show_prints_the_story_its_outlets_and_its_engine_state(world: World, run: Any) -> None:
    """A story of two outlets: credited to the first to publish, each outlet's URL and time,
    the count, the top entities and the engine's top terms."""
    story = world.story_of("chile-1")
    assert world.story_of("chile-2") == story
    status, out, err = run("show", story, "--json")
    assert (status, err) == (0, "")
    shown = orjson.loads(out)
    assert shown["id"] == story
    assert shown["merged_into"] == []
    record = shown["story"]
    assert record["id"] == story
    assert record["article_count"] == 2
    assert record["first_seen"] == "2026-11-20T06:00:00Z"
    assert record["last_updated"] == "2026-11-20T07:00:00Z"
    assert record["credited_outlet"]["outlet"] == "Reuters"
    assert record["credited_outlet"]["url"] == world.urls["chile-1"]
    assert [(o["outlet"], o["url"], o["published"]) for o in record["outlets"]] == [
        ("Reuters", world.urls["chile-1"], "2026-11-20T06:00:00Z"),
        ("AP", world.urls["chile-2"], "2026-11-20T07:00:00Z"),
    ]
    articles = [a["article_id"] for a in record["articles"]]
    assert articles == [world.ids["chile-1"], world.ids["chile-2"]]
    assert "Iquique" in record["top_entities"]
    engine = record["engine"]
    assert engine["live"] is True
    assert engine["size"] == 2
    assert "iquique" in [t["term"] for t in engine["top_terms"]]
    assert set(shown) == {"id", "merged_into", "story"}


def test_show_in_human_form(world: World, run: Any) -> None:
    """The same story as a few labelled lines and a table of its articles."""
    story = world.story_of("chile-1")
    status, out, _ = run("show", story)
    assert status == 0
    assert out.startswith(f"story     {story}\n")
    assert "credited  Reuters" in out
    assert world.urls["chile-1"] in out
    assert world.urls["chile-2"] in out
    assert "articles  2 (2 kept)" in out
    assert "Iquique" in out


def test_a_merged_story_shows_where_it_went(world: World, run: Any) -> None:
    """The volcano and the flights were merged by the process stage: the absorbed id leads to
    the story that lives on, with every outlet of both."""
    survivor = world.story_of("katla-3")
    absorbed = {world.ledger.known_stories([i])[i] for i in world.ids.values()}
    aliases = [
        key.decode().removeprefix("sw:alias:") for key in world.client.scan_iter("sw:alias:*")
    ]
    assert len(aliases) == 1, "the bridged reports did not merge two stories"
    assert survivor not in aliases
    assert aliases[0] not in absorbed
    status, out, _ = run("show", aliases[0], "--json")
    assert status == 0
    shown = orjson.loads(out)
    assert shown["id"] == aliases[0]
    assert shown["merged_into"] == [survivor]
    assert shown["story"]["id"] == survivor
    assert shown["story"]["article_count"] == 4
    assert {o["outlet"] for o in shown["story"]["outlets"]} == {"DW", "AP", "Reuters", "BBC"}
    status, out, _ = run("show", aliases[0])
    assert f"merged into {survivor}" in out


def test_a_chain_of_merges_is_followed_to_its_end(world: World, run: Any) -> None:
    """A story merged into one that was itself merged later: every hop is named."""
    first = next(k.decode()[9:] for k in world.client.scan_iter("sw:alias:*"))
    middle = world.story_of("katla-3")
    late = _article(REUTERS, "late", ("Late", "Later news."), T0 + timedelta(days=1))
    world.ledger.record(late, "st_last", absorbed=[middle])
    status, out, _ = run("show", first, "--json")
    assert status == 0
    shown = orjson.loads(out)
    assert shown["merged_into"] == [middle, "st_last"]
    assert shown["story"]["id"] == "st_last"
    assert shown["story"]["article_count"] == 5
    status, out, _ = run("show", first)
    assert f"{first} was merged into {middle} then st_last" in out


def test_article_by_id_and_by_url(world: World, run: Any) -> None:
    """An article found by its id or by its link as the feed gave it (tracking and all): its
    story, with the story's summary."""
    story = world.story_of("nepal-2")
    link = "https://bbc.example/news/nepal-2?utm_source=rss"
    for query in (world.ids["nepal-2"], link, world.urls["nepal-2"]):
        status, out, err = run("article", query, "--json")
        assert (status, err) == (0, ""), query
        found = orjson.loads(out)
        assert found["article"]["id"] == world.ids["nepal-2"]
        assert found["article"]["outlet"] == "BBC"
        assert found["article"]["url"] == world.urls["nepal-2"]
        assert found["state"] == "recorded"
        assert found["story_id"] == story
        assert found["merged_into"] == []
        assert found["story"]["id"] == story
        assert found["story"]["credited_outlet"]["outlet"] == "DW"
        assert found["story"]["article_count"] == 2
        assert "articles" not in found["story"]
    status, out, _ = run("article", world.ids["nepal-2"])
    assert status == 0
    assert f"story     {story}" in out
    assert "outlet    BBC" in out
    assert "credited  DW" in out


def test_recent_newest_first_with_limit_and_outlet(world: World, run: Any) -> None:
    """The stories most recently updated first; --limit keeps the first N, --outlet only those
    an outlet reported in (by name or source id, any case)."""
    katla, nepal, chile = (world.story_of(g) for g in ("katla-3", "nepal-1", "chile-1"))
    status, out, _ = run("recent", "--json")
    assert status == 0
    listed = orjson.loads(out)
    assert [s["id"] for s in listed] == [katla, nepal, chile]
    assert listed[0]["article_count"] == 4
    status, out, _ = run("recent", "--limit", "2", "--json")
    assert [s["id"] for s in orjson.loads(out)] == [katla, nepal]
    status, out, _ = run("recent", "--outlet", "ap", "--json")
    assert [s["id"] for s in orjson.loads(out)] == [katla, chile]
    status, out, _ = run("recent", "--outlet", "Reuters", "--limit", "1", "--json")
    assert [s["id"] for s in orjson.loads(out)] == [katla]
    status, out, _ = run("recent", "--outlet", "nobody", "--json")
    assert (status, orjson.loads(out)) == (0, [])
    status, out, _ = run("recent")
    lines = out.splitlines()
    assert lines[0].split()[:2] == ["updated", "story"]
    assert [line.split()[1] for line in lines[1:]] == [katla, nepal, chile]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["show", "st_nosuch"], "no story 'st_nosuch'"),
        (["article", "ar_nosuch"], "no article 'ar_nosuch'"),
        (["article", "https://reuters.example/news/nosuch"], "no article with URL"),
    ],
)
def test_unknown_ids_are_not_found(world: World, run: Any, argv: list[str], message: str) -> None:
    """An unknown id or URL: one line on stderr, nothing on stdout, exit 1 (as `sources show`)."""
    for json in ([], ["--json"]):
        status, out, err = run(*argv, *json)
        assert (status, out) == (1, "")
        assert err.startswith(f"storywire stories: {message}")
        assert err.count("\n") == 1


def test_a_held_article_has_no_story_yet(redis_client: redis.Redis, run: Any) -> None:
    """An article the engine holds for a later decision is pending: found, with no story."""
    article = _article(REUTERS, "held", ("Held", "Undecided."), T0)
    RedisLedger(redis_client).hold(article, now=T0.timestamp())
    status, out, _ = run("article", article.id, "--json")
    assert status == 0
    found = orjson.loads(out)
    assert (found["state"], found["story_id"], found["story"]) == ("held", None, None)
    assert found["article"]["title"] == "Held"


def test_limit_must_be_positive(run: Any, capsys: pytest.CaptureFixture[str]) -> None:
    """A --limit below 1 is a usage error, exit 2."""
    with pytest.raises(SystemExit) as caught:
        main(["stories", "recent", "--limit", "0"])
    assert caught.value.code == 2


def _cli(env: dict[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "STORYWIRE_REDIS_URL"}
    return subprocess.run(
        [sys.executable, "-m", "workers.cli", "stories", *argv],
        env={**environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_without_redis_it_starts_none(tmp_path: Path) -> None:
    """No STORYWIRE_REDIS_URL and no `storywire run` serving the data directory: one line
    saying so, exit 1, and no embedded server started (an empty one would say "no story")."""
    done = _cli({"STORYWIRE_DATA_DIR": str(tmp_path)}, "recent")
    assert done.returncode == 1
    assert done.stdout == ""
    assert "STORYWIRE_REDIS_URL" in done.stderr
    assert str(tmp_path / "redis") in done.stderr
    assert done.stderr.count("\n") == 1
    assert not (tmp_path / "redis").exists()


def test_it_reads_the_embedded_redis_a_run_serves(tmp_path: Path, world: World) -> None:
    """With no URL set, the embedded Redis that `storywire run` keeps in the data directory
    (found by its lock and process title) is the one read, and named on stderr."""
    with embedded_redis(directory=tmp_path / "redis", persist=True) as served:
        client = redis.Redis.from_url(served.url)
        for key in world.client.scan_iter(count=1000):
            client.restore(key, 0, world.client.dump(key) or b"")
        story = world.story_of("chile-1")
        done = _cli({"STORYWIRE_DATA_DIR": str(tmp_path)}, "show", story, "--json")
        client.close()
    assert done.returncode == 0, done.stderr
    assert orjson.loads(done.stdout)["story"]["id"] == story
    assert served.url in done.stderr
