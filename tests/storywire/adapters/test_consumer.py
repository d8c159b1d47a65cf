"""The consumer API on a real Redis: groups, explicit acks, reclaim, dead letters, replay."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from storywire import events
from storywire.adapters.consumer import Consumer, start_id
from storywire.adapters.embedded_redis import EmbeddedRedis, embedded_redis
from storywire.adapters.redis_ledger import RedisLedger, outbox_item
from storywire.adapters.streams import RedisStreamSink
from storywire.events import CloudEvent
from storywire.models import Article
from storywire.stories_ledger import StoryRecord, with_article

STREAM = "storywire.events"

Entries = list[tuple[bytes, dict[bytes, bytes]]]
_ARTICLE = Article(
    id="a1", source_id="reuters", outlet="Reuters", url="https://reuters.com/a1",
    title="Talks resume", text="Negotiators met.", published=datetime(2026, 11, 24, tzinfo=UTC),
    content_hash="h1",
)  # fmt: skip


def _xrange(client: redis.Redis, stream: str = STREAM) -> Entries:
    return cast(Entries, client.xrange(stream))


def _publish(client: redis.Redis, n: int, etype: str = "storywire.story.created.v1") -> list[str]:
    ids = []
    for i in range(n):
        event = CloudEvent(
            id=f"ev_{etype[-12:]}{i}", type=etype, subject=f"st_{i}",
            time=datetime(2026, 11, 24, tzinfo=UTC), data={"n": i},
        )  # fmt: skip
        client.rpush("sw:outbox", outbox_item(event))
        ids.append(event.id)
    RedisStreamSink(client, outbox_key="sw:outbox").drain_all(now=time.time())
    return ids


def _consumer(client: redis.Redis, **kwargs: object) -> Consumer:
    options: dict[str, object] = {"group": "g", "name": "c1", "block_ms": 10}
    options.update(kwargs)
    return Consumer(client, stop_when_idle=True, **options)  # type: ignore[arg-type]


def test_group_sees_every_event_and_acks_empty_the_pending_list(
    redis_client: redis.Redis,
) -> None:
    """A new group from 0 receives all events in order; acked ones are no longer pending."""
    ids = _publish(redis_client, 5)
    consumer = _consumer(redis_client, start="0")
    seen = []
    for msg in consumer:
        seen.append(msg.event.id)
        msg.ack()
    assert seen == ids
    assert redis_client.xpending(STREAM, "g")["pending"] == 0


def test_new_group_starts_at_the_end_by_default(redis_client: redis.Redis) -> None:
    """Without --from a new group only gets events published after it was created."""
    _publish(redis_client, 3)
    consumer = _consumer(redis_client)
    assert list(consumer) == []
    later = _publish(redis_client, 2, "storywire.article.ingested.v1")
    assert [m.event.id for m in consumer] == later


def test_unacked_entries_are_reclaimed_by_another_consumer(redis_client: redis.Redis) -> None:
    """A consumer that dies holding entries loses them to a peer after the idle time."""
    ids = _publish(redis_client, 3)
    dead = _consumer(redis_client, start="0", name="dies")
    assert len(list(dead)) == 3  # delivered, never acked
    peer = _consumer(redis_client, name="peer", claim_idle_ms=50)
    time.sleep(0.1)
    got = list(peer)
    assert [m.event.id for m in got] == ids
    assert all(m.deliveries == 2 for m in got)
    for m in got:
        m.ack()
    peer.flush()
    assert redis_client.xpending(STREAM, "g")["pending"] == 0


def test_worn_out_entries_go_to_the_dead_letter_stream(redis_client: redis.Redis) -> None:
    """An entry delivered max_deliveries times without an ack is moved aside and acked; its
    dead letter counts the deliveries that happened (the claim that moves it delivers none)."""
    ids = _publish(redis_client, 1)
    delivered = [m.deliveries for m in _consumer(redis_client, start="0")]
    consumer = _consumer(redis_client, claim_idle_ms=20, max_deliveries=2)
    time.sleep(0.05)
    delivered += [m.deliveries for m in consumer]
    assert delivered == [1, 2]  # second delivery, still allowed
    time.sleep(0.05)
    assert list(consumer) == []
    assert consumer.dead_lettered == 1
    (_, fields), *_ = _xrange(redis_client, STREAM + ".dead")
    assert fields[b"id"].decode() == ids[0]
    assert fields[b"group"] == b"g"
    assert fields[b"deliveries"] == str(len(delivered)).encode()
    assert redis_client.xpending(STREAM, "g")["pending"] == 0


def test_type_filter_hands_out_matching_events_and_acks_the_rest(
    redis_client: redis.Redis,
) -> None:
    """--type globs select events; the others are acknowledged, not left pending."""
    _publish(redis_client, 2, "storywire.article.ingested.v1")
    stories = _publish(redis_client, 2, "storywire.story.updated.v1")
    consumer = _consumer(redis_client, start="0", types=["storywire.story.*"])
    got = list(consumer)
    assert [m.event.id for m in got] == stories
    for m in got:
        m.ack()
    consumer.flush()
    assert redis_client.xpending(STREAM, "g")["pending"] == 0


def test_a_type_glob_that_names_no_event_is_refused(redis_client: redis.Redis) -> None:
    """``types=["storywire.story.#"]`` (AMQP's wildcard) matched no type, so the member
    acknowledged every event unread; such a glob is refused when the consumer is made."""
    with pytest.raises(ValueError, match=re.escape("matches no event type: 'storywire.story.#'")):
        _consumer(redis_client, types=["storywire.story.*", "storywire.story.#"])
    assert not redis_client.exists(STREAM)


def test_replay_moves_an_existing_group_back(redis_client: redis.Redis) -> None:
    """An explicit start id rewinds a group that has already read everything."""
    ids = _publish(redis_client, 4)
    for m in _consumer(redis_client, start="0"):
        m.ack()
    entries = _xrange(redis_client)
    second = entries[1][0].decode()
    replay = _consumer(redis_client, start=second)
    assert [m.event.id for m in replay] == ids[2:]


def test_replay_from_a_time_includes_entries_added_since(redis_client: redis.Redis) -> None:
    """A time replays every entry added at or after it."""
    _publish(redis_client, 2)
    time.sleep(0.01)
    since = datetime.now(UTC)
    later = _publish(redis_client, 2, "storywire.source.failed.v1")
    replay = _consumer(redis_client, start=since.isoformat())
    assert [m.event.id for m in replay] == later


def test_start_id_accepts_ids_times_and_rejects_nonsense() -> None:
    """--from values: $, 0, ms ids, full ids and ISO times; anything else is an error."""
    assert start_id("$") == "$"
    assert start_id("0") == "0-0"
    assert start_id("1700000000000-3") == "1700000000000-3"
    assert start_id("2026-11-24T00:00:00Z") == f"{1795478400000 - 1}-{2**64 - 1}"
    with pytest.raises(ValueError, match="ISO time"):
        start_id("yesterday")


def test_a_naive_start_time_is_utc_whatever_the_hosts_zone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A time without a zone is UTC, as every storywire time is and as a naive ISO string
    already was: a naive ``datetime`` was read in the host's zone, so a replay on a host
    set to New York started five hours after the time asked for."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        since = f"{1795478400000 - 1}-{2**64 - 1}"
        assert start_id("2026-11-24T00:00:00") == since
        assert start_id(datetime(2026, 11, 24)) == since  # naive
        assert start_id(datetime(2026, 11, 24, tzinfo=UTC)) == since
    finally:
        monkeypatch.undo()
        time.tzset()


def test_the_documented_example_runs(tmp_path: Path) -> None:
    """The consumer example in docs/events.md runs as printed and reads a story event."""
    text = (Path(__file__).resolve().parents[3] / "docs" / "events.md").read_text()
    code = text.split("```python\n", 1)[1].split("```\n", 1)[0]
    script = tmp_path / "example.py"
    script.write_text(code)
    env = {k: v for k, v in os.environ.items() if k != "STORYWIRE_REDIS_URL"}
    done = subprocess.run(
        [sys.executable, str(script)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "storywire.story.created.v1 Talks resume credited to Reuters" in done.stdout


def test_pending_entries_trimmed_away_are_dropped_not_reclaimed_forever(
    redis_client: redis.Redis,
) -> None:
    """An entry trimmed (or deleted) while pending is cleared from the group on reclaim."""
    ids = _publish(redis_client, 2)
    list(_consumer(redis_client, start="0", name="dies"))
    first = _xrange(redis_client)[0][0]
    redis_client.xdel(STREAM, first)
    peer = _consumer(redis_client, name="peer", claim_idle_ms=20)
    time.sleep(0.05)
    got = list(peer)
    assert [m.event.id for m in got] == ids[1:]
    got[0].ack()
    peer.flush()
    time.sleep(0.05)
    assert list(peer) == []
    assert redis_client.xpending(STREAM, "g")["pending"] == 0


def test_a_client_decoding_responses_works_too(redis_server: EmbeddedRedis) -> None:
    """A service whose Redis client uses decode_responses=True gets the same messages."""
    client = redis.Redis.from_url(redis_server.url, decode_responses=True)
    client.flushdb()
    publisher = redis.Redis.from_url(redis_server.url)
    ids = _publish(publisher, 2)
    publisher.close()
    got = list(Consumer(client, group="g", start="0", block_ms=10, stop_when_idle=True))
    assert [(m.type, m.event.id) for m in got] == [("storywire.story.created.v1", i) for i in ids]
    client.close()


def test_a_stream_cannot_be_its_own_dead_letter_stream(redis_client: redis.Redis) -> None:
    """Worn-out entries appended to the stream they came from would come back for ever."""
    with pytest.raises(ValueError, match="dead-letter"):
        Consumer(redis_client, group="g", stream="s.dead", dead_letter_stream="s.dead")


def test_the_documented_examples_handle_every_story_event_type() -> None:
    """types=['storywire.story.*'] selects story.merged too, whose data nests the story: the
    handlers in docs/events.md and README print its headline instead of failing on it."""
    root = Path(__file__).resolve().parents[3]
    one, _ = with_article(StoryRecord(id="st_1"), _ARTICLE)
    merged_event = events.story_merged(one, ["st_2"])
    docs = (root / "docs" / "events.md").read_text().split("```python\n", 1)[1]
    namespace: dict[str, Any] = {"__name__": "docs_example"}
    exec(docs.split("```\n", 1)[0], namespace)  # noqa: S102 - our own documentation
    for event in (events.story_changed(one, created=True), merged_event):
        namespace["handle"](event, set())
    readme = (root / "README.md").read_text().split("```python\n", 1)[1].split("```\n", 1)[0]
    loop = readme.split("    for msg in c:", 1)[1]
    body = "\n".join(line.removeprefix("        ") for line in loop.splitlines()[1:])
    exec(body, {"msg": _FakeMessage(merged_event)})  # noqa: S102 - our own documentation


def test_the_readme_example_reads_what_the_running_service_published(
    redis_client: redis.Redis,
    redis_server: EmbeddedRedis,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The README's consumer, run as written once STORYWIRE_REDIS_URL is exported as the README
    says (`make run`'s embedded Redis is on a free port, not 6379), prints the headline."""
    story, _ = with_article(StoryRecord(id="st_1"), _ARTICLE)
    redis_client.rpush("sw:outbox", outbox_item(events.story_changed(story, created=True)))
    RedisStreamSink(redis_client, outbox_key="sw:outbox").drain_all(now=time.time())
    monkeypatch.setenv("STORYWIRE_REDIS_URL", redis_server.url)
    from_url = redis.Redis.from_url

    def service_redis_only(url: str, **options: Any) -> redis.Redis:
        # Checked before connecting: any other address may be someone else's Redis.
        assert url == redis_server.url, f"the example connects to {url}"
        return from_url(url, **options)

    def replaying(client: redis.Redis, **options: Any) -> Consumer:
        # The example waits for new events for ever; here it replays and stops when idle.
        return Consumer(client, **options, start="0", block_ms=10, stop_when_idle=True)

    monkeypatch.setattr(redis.Redis, "from_url", service_redis_only)
    monkeypatch.setattr("storywire.adapters.consumer.Consumer", replaying)
    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text()
    exec(readme.split("```python\n", 1)[1].split("```\n", 1)[0], {})  # noqa: S102 - our docs
    assert capsys.readouterr().out == "Talks resume credited to Reuters\n"


class _FakeMessage:
    def __init__(self, event: CloudEvent) -> None:
        self.event = event

    def ack(self) -> None:
        pass


def test_pending_entries_lost_to_retention_are_counted(redis_client: redis.Redis) -> None:
    """Entries delivered, never acknowledged and then trimmed are lost to the group: the
    consumer that finds them gone says how many, instead of dropping them silently."""
    _publish(redis_client, 3)
    assert len(list(_consumer(redis_client, start="0", name="dies"))) == 3
    # Retention shorter than the group's backlog:
    redis_client.xtrim(STREAM, maxlen=1, approximate=False)
    peer = _consumer(redis_client, name="peer", claim_idle_ms=20)
    time.sleep(0.05)
    assert len(list(peer)) == 1
    assert peer.trimmed == 2
    assert redis_client.xpending(STREAM, "g")["pending"] == 1


def test_a_stream_lost_under_a_running_consumer_is_read_from_its_new_start(
    redis_client: redis.Redis,
) -> None:
    """Redis lost the stream (DEL, FLUSHALL, a restart without its data): the group is made
    again at the start of what the stream holds now, all of it written since, instead of the
    consumer dying on NOGROUP (and a restart without --from skipping what came meanwhile)."""
    _publish(redis_client, 2)
    consumer = _consumer(redis_client, start="0")
    for msg in consumer:
        msg.ack()
    redis_client.delete(STREAM)
    later = _publish(redis_client, 2, "storywire.article.ingested.v1")
    assert [m.event.id for m in consumer] == later
    assert consumer.regrouped == 1


def test_a_wait_longer_than_the_clients_read_timeout_is_a_quiet_read(
    redis_server: EmbeddedRedis,
) -> None:
    """redis-py 8 gives up any read after 5 s by default, the consumer's default wait: a quiet
    stream is an empty read, not a TimeoutError."""
    client = redis.Redis.from_url(redis_server.url, socket_timeout=2.0)
    consumer = Consumer(client, group="g", name="c1", block_ms=5000)
    assert consumer.poll() == []  # a 1.6 s wait: 0.4 s to spare on a busy host
    client.close()


def test_a_client_from_a_url_waits_within_its_default_read_timeout(
    redis_server: EmbeddedRedis,
) -> None:
    """A client made as the docs make it (``from_url``, no timeout given) still has redis-py's
    5 s read timeout, though its pool's settings do not name it: the default 5 s wait is
    shortened too, a quiet stream an empty read."""
    client = redis.Redis.from_url(redis_server.url)
    consumer = Consumer(client, group="g", name="c1")
    assert consumer.poll() == []
    client.close()


def test_acks_that_meet_a_dropped_connection_are_sent_once_redis_answers(tmp_path: Path) -> None:
    """The buffered acknowledgements were taken out of the buffer before XACK: when it raised
    (Redis restarting), a consumer that went on reading never sent them, and every entry it had
    handled was delivered again after the reclaim idle time."""
    with embedded_redis(directory=tmp_path / "redis", persist=True) as server:
        client = redis.Redis.from_url(server.url, retry=Retry(NoBackoff(), 0))
        client.config_set("appendfsync", "always")
        _publish(client, 2)
        consumer = _consumer(client, start="0")
        handled = consumer.poll()
        for msg in handled:
            msg.ack()
        server.process.kill()
        server.process.wait()
        with pytest.raises(redis.ConnectionError):
            consumer.flush()
        server.restart()
        consumer.flush()
        assert client.xpending(STREAM, "g")["pending"] == 0
        assert len(handled) == 2
        client.close()


def test_entries_trimmed_before_the_group_read_them_are_counted(
    redis_client: redis.Redis,
) -> None:
    """A group behind the trim point loses what retention removed before any member read it:
    the member whose read passes the gap says how many (``trimmed``), once, instead of
    silently going on with the oldest entry left. Replays from before what the stream keeps
    and groups made at its start lose nothing of theirs and report nothing. Redis 6.2 keeps no
    group lag to count by: it reads the same, and reports nothing."""
    major = int(str(redis_client.info("server")["redis_version"]).split(".")[0])
    _publish(redis_client, 3)
    behind = _consumer(redis_client, start="0", count=1)
    (first,) = behind.poll()
    first.ack()
    behind.flush()
    later = [_publish(redis_client, 1, f"storywire.story.updated.v{i}")[0] for i in range(20)]
    redis_client.xtrim(STREAM, maxlen=5, approximate=False)
    peer = _consumer(redis_client, name="peer")
    got = [m.event.id for m in peer]
    assert got == later[-5:]
    # 2 of the first three and 15 of the twenty, never delivered
    assert peer.trimmed == (17 if major >= 7 else 0)
    assert behind.poll() == []
    assert behind.trimmed == 0  # reported once, by one member
    replay = _consumer(redis_client, group="replay", start="0")
    assert len(list(replay)) == 5
    assert replay.trimmed == 0


def _stream_order(stream_id: str) -> tuple[int, int]:
    ms, seq = stream_id.split("-")
    return int(ms), int(seq)


def test_an_articles_older_text_reclaimed_late_is_told_apart_by_its_stream_id(
    redis_client: redis.Redis,
) -> None:
    """An edited article: the member holding its first text dies, a peer applies the edit and
    then reclaims the first text. Nothing in the event orders the two (no version; an edit
    keeps ``published``), so applied by arrival the old text won. The stream id does, as
    docs/events.md tells consumers: the newest text stays."""
    ledger = RedisLedger(redis_client, article_versions=("v2",))
    sink = RedisStreamSink(redis_client, outbox_key=ledger.outbox_key)
    edit = replace(_ARTICLE, title="UPDATE 1-Talks resume", content_hash="h2")
    for article in (_ARTICLE, edit):
        ledger.record(article, "st_1")
        sink.drain_all(now=time.time())
    types = ["storywire.article.*"]
    dies = _consumer(redis_client, start="0", name="dies", types=types, count=1)
    assert next(iter(dies)).event.data["title"] == "Talks resume"  # never acknowledged
    # The peer reads twice: first with a claim idle no pause can reach, so that read takes
    # the edit (with 200 ms, a host pausing this test that long between the two members'
    # reads had the peer reclaim the first text first); then, the dead member's entry idle
    # for longer than 200 ms, it reclaims that text.
    reads = [_consumer(redis_client, name="peer", types=types, claim_idle_ms=claim)
             for claim in (600_000, 200)]  # fmt: skip
    table: dict[str, tuple[tuple[int, int], str]] = {}
    arrived = []
    for wait, peer in zip((0.0, 0.25), reads, strict=True):
        time.sleep(wait)
        for msg in peer.poll():
            data, at = msg.event.data, _stream_order(msg.stream_id)
            arrived.append((data["title"], msg.event.time))
            if data["article_id"] not in table or at > table[data["article_id"]][0]:
                table[data["article_id"]] = (at, data["title"])
            msg.ack()
        peer.flush()
    assert [title for title, _ in arrived] == ["UPDATE 1-Talks resume", "Talks resume"]
    assert arrived[0][1] == arrived[1][1]
    assert table["a1"][1] == "UPDATE 1-Talks resume"


def _members(client: redis.Redis) -> dict[str, int]:
    return {c["name"].decode(): c["pending"] for c in client.xinfo_consumers(STREAM, "g")}


def test_members_gone_leave_the_group_list_unless_entries_are_pending_for_them(
    redis_client: redis.Redis,
) -> None:
    """Every process named by default (host and pid) stayed listed in the group for good, one
    more per restart. A member that closes with nothing pending leaves the list; one killed
    is forgotten by a peer once it has been idle a day (here: at once) and its entries were
    reclaimed; one with entries pending stays until they are."""
    _publish(redis_client, 2)
    with _consumer(redis_client, start="0", name="done") as done:
        for m in done:
            m.ack()
    assert _members(redis_client) == {}
    _publish(redis_client, 1, "storywire.story.updated.v1")  # ids of their own
    holder = _consumer(redis_client, name="holder")
    assert len(list(holder)) == 1  # delivered, never acked
    holder.close()
    assert _members(redis_client) == {"holder": 1}
    redis_client.xreadgroup("g", "killed", {STREAM: ">"})  # a member that read nothing, then died
    peer = _consumer(redis_client, name="peer", claim_idle_ms=10_000, forget_idle_ms=0)
    time.sleep(0.01)
    assert list(peer) == []  # its sweep of the pending list forgets the idle empty members
    members = _members(redis_client)
    assert "killed" not in members
    assert members["holder"] == 1
