"""``storywire consume``: JSON lines on stdout, filtered by type, acknowledged, replayable."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import orjson
import pytest
import redis

from storywire.adapters.consumer import Consumer
from storywire.adapters.embedded_redis import EmbeddedRedis
from storywire.adapters.redis_ledger import outbox_item
from storywire.adapters.streams import RedisStreamSink
from storywire.events import CloudEvent
from tests.support.read_model import ReadModel
from workers.cli import main


def _publish(client: redis.Redis) -> None:
    for i, etype in enumerate(["storywire.article.ingested.v1", "storywire.story.created.v1"] * 3):
        event = CloudEvent(
            id=f"ev_{i}", type=etype, subject=f"s{i}",
            time=datetime(2026, 11, 24, tzinfo=UTC), data={"i": i},
        )  # fmt: skip
        client.rpush("sw:outbox", outbox_item(event))
    RedisStreamSink(client, outbox_key="sw:outbox").drain_all(now=time.time())


@pytest.fixture(autouse=True)
def _service(redis_server: EmbeddedRedis, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every command here reads the service's Redis, the test's private one."""
    monkeypatch.setenv("STORYWIRE_REDIS_URL", redis_server.url)


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, object]]:
    assert main(["consume", "--group", "cli", "--block", "10", *args]) == 0
    return [orjson.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_consume_prints_selected_types_and_acks(
    redis_client: redis.Redis,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """--from 0 --type story.* prints the three story events as JSON lines; none stay pending."""
    _publish(redis_client)
    lines = _run(capsys, "--from", "0", "--type", "storywire.story.*", "--exit-when-idle")
    assert [e["id"] for e in lines] == ["ev_1", "ev_3", "ev_5"]
    assert all(e["specversion"] == "1.0" for e in lines)
    assert redis_client.xpending("storywire.events", "cli")["pending"] == 0
    assert _run(capsys, "--exit-when-idle") == []  # the group has read everything


def test_consume_count_stops_early_and_replay_starts_over(
    redis_client: redis.Redis,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """--count N prints N then exits; --from 0 on the same group replays from the start."""
    _publish(redis_client)
    assert [e["id"] for e in _run(capsys, "--from", "0", "--count", "2")] == ["ev_0", "ev_1"]
    rest = _run(capsys, "--exit-when-idle")
    assert [e["id"] for e in rest] == ["ev_2", "ev_3", "ev_4", "ev_5"]
    again = _run(capsys, "--from", "0", "--count", "1")
    assert [e["id"] for e in again] == ["ev_0"]


def test_triaging_dead_letters_never_feeds_them_back_into_the_dead_stream(
    redis_client: redis.Redis,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """--stream storywire.events.dead: a dead letter that wears out again goes to .dead.dead."""
    monkeypatch.setenv("STORYWIRE_CONSUMER_CLAIM_IDLE_MS", "1")
    monkeypatch.setenv("STORYWIRE_CONSUMER_MAX_DELIVERIES", "1")
    dead = "storywire.events.dead"
    event = b'{"id": "ev_0"}'
    redis_client.xadd(dead, {"id": "ev_0", "type": "storywire.story.created.v1", "event": event})
    taken = Consumer(redis_client, group="cli", name="dies", stream=dead, start="0", block_ms=10)
    assert len(taken.poll()) == 1  # a triage member took it and died without acknowledging
    time.sleep(0.01)
    assert _run(capsys, "--stream", dead, "--exit-when-idle") == []
    assert redis_client.xlen(dead) == 1
    assert redis_client.xlen(dead + ".dead") == 1


def test_count_with_a_type_filter_leaves_nothing_read_but_unprinted(
    redis_client: redis.Redis,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """--count N never reads past the Nth event: the next run continues right after it,
    instead of the rest of a read waiting, pending, for the reclaim idle time."""
    kinds = ["story", "article", "story", "story", "story"]
    for i, kind in enumerate(kinds):
        event = CloudEvent(
            id=f"ev_{i}", type=f"storywire.{kind}.created.v1", subject=f"s{i}",
            time=datetime(2026, 11, 24, tzinfo=UTC), data={},
        )  # fmt: skip
        redis_client.rpush("sw:outbox", outbox_item(event))
    RedisStreamSink(redis_client, outbox_key="sw:outbox").drain_all(now=time.time())
    story = ("--type", "storywire.story.*")
    assert [e["id"] for e in _run(capsys, "--from", "0", *story, "--count", "2")] == [
        "ev_0",
        "ev_2",
    ]
    assert [e["id"] for e in _run(capsys, *story, "--exit-when-idle")] == ["ev_3", "ev_4"]
    assert redis_client.xpending("storywire.events", "cli")["pending"] == 0


def test_a_wait_longer_than_the_clients_default_read_timeout_is_not_an_error(
    redis_client: redis.Redis,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """redis-py 8 gives up a read after 5 s by default: a blocking read of --block 5 s or more
    (the default) on a quiet stream ended in a TimeoutError traceback, not in a wait."""
    assert main(["consume", "--group", "cli", "--block", "5500", "--exit-when-idle"]) == 0
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize(
    ("option", "value"),
    [("--from", "bogus"), ("--from", "2026-13-01"), ("--count", "0"), ("--count", "-1")],
)
def test_a_malformed_option_is_a_usage_error_not_a_traceback(
    option: str, value: str, redis_client: redis.Redis, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--from bogus` ended in a ValueError traceback and `--count -1` in Redis's "COUNT must
    be > 0" one: both are refused as usage errors, exit 2, before any group is made."""
    _publish(redis_client)
    with pytest.raises(SystemExit) as caught:
        main(["consume", "--group", "bad", "--exit-when-idle", option, value])
    assert caught.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"argument {option}: " in captured.err
    assert value in captured.err
    assert "Traceback" not in captured.err
    assert not redis_client.xinfo_groups("storywire.events")


@pytest.mark.parametrize(
    "glob", ["storywire.story.#", "storywire.story.created", "story.*", "Storywire.Story.*"]
)
def test_a_type_that_names_no_event_is_refused_before_anything_is_acknowledged(
    glob: str, redis_client: redis.Redis, capsys: pytest.CaptureFixture[str]
) -> None:
    """AMQP's ``#``, a type without its version, one without ``storywire.`` or in capitals
    matched nothing: the run printed nothing, exited 0, and acknowledged every event for the
    group (lost to it). Refused now, exit 2, before any group is made."""
    _publish(redis_client)
    with pytest.raises(SystemExit) as caught:
        main(["consume", "--group", "typo", "--from", "0", "--exit-when-idle", "--type", glob])
    assert caught.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"argument --type: matches no event type: '{glob}'" in captured.err
    assert not redis_client.xinfo_groups("storywire.events")


def test_a_type_named_before_its_first_event_is_taken(
    redis_client: redis.Redis, capsys: pytest.CaptureFixture[str]
) -> None:
    """A whole, well-formed type no release publishes yet (a consumer deployed ahead of its
    producer) is a filter, not a typo."""
    _publish(redis_client)
    assert (
        _run(capsys, "--from", "0", "--type", "storywire.story.updated.v2", "--exit-when-idle")
        == []
    )


def test_consume_selects_article_ingested_v2_with_image_and_categories(
    redis_client: redis.Redis,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A consumer that moved to v2 asks for it by type: it gets v2 alone (not v1 nor the story
    events written with it), with the lead image and the feed's categories."""
    from storywire.adapters.redis_ledger import RedisLedger  # noqa: PLC0415 - this test only
    from storywire.models import Article  # noqa: PLC0415

    ledger = RedisLedger(redis_client)
    for i in range(2):
        ledger.record(
            Article(
                id=f"ar_{i}", source_id="wire", outlet="Wire", url=f"https://wire.example/{i}",
                title=f"Headline {i}", text="Body.", content_hash=f"h{i}",
                published=datetime(2026, 11, 24, i, tzinfo=UTC),
                image=f"https://wire.example/{i}.jpg" if i else None, categories=("World",),
            ),
            f"st_{i}",
        )  # fmt: skip
    RedisStreamSink(redis_client, outbox_key="sw:outbox").drain_all(now=time.time())
    assert redis_client.xlen("storywire.events") == 6  # story.created, article v1 and v2, twice
    lines = _run(
        capsys, "--from", "0", "--type", "storywire.article.ingested.v2", "--exit-when-idle"
    )
    assert [(e["type"], e["subject"]) for e in lines] == [
        ("storywire.article.ingested.v2", "ar_0"), ("storywire.article.ingested.v2", "ar_1"),
    ]  # fmt: skip
    assert [(e["data"]["image"], e["data"]["categories"]) for e in lines] == [  # type: ignore[index]
        (None, ["World"]), ("https://wire.example/1.jpg", ["World"]),
    ]  # fmt: skip
    assert redis_client.xpending("storywire.events", "cli")["pending"] == 0


def test_a_group_passed_by_retention_is_told_how_many_entries_it_lost(
    redis_client: redis.Redis,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A group that lagged behind the trim point gets what is left, and a line on stderr
    counting the entries retention removed before it read them (it said nothing)."""
    if int(str(redis_client.info("server")["redis_version"]).split(".")[0]) < 7:
        pytest.skip("Redis 6.2 keeps no group lag to count lost entries by")
    _publish(redis_client)
    assert len(_run(capsys, "--from", "0", "--count", "1")) == 1
    redis_client.xtrim("storywire.events", maxlen=2, approximate=False)
    assert main(["consume", "--group", "cli", "--block", "10", "--exit-when-idle"]) == 0
    out, err = capsys.readouterr()
    assert [orjson.loads(line)["id"] for line in out.splitlines()] == ["ev_4", "ev_5"]
    assert "3 entries were trimmed by retention before group cli read" in err


def test_with_stream_id_lets_a_reader_keep_an_articles_latest_text_after_a_reclaim(
    redis_client: redis.Redis,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A member of the group died holding an article's first text; the command printed the
    edit, then reclaimed and printed the first text after it. docs/events.md has consumers
    apply an article's events by stream id, which the lines did not carry: a reader of them
    kept the older text. --with-stream-id prints each event with its entry's id."""
    monkeypatch.setenv("STORYWIRE_CONSUMER_CLAIM_IDLE_MS", "1500")
    for i, text in enumerate(["first text", "edited text"]):
        event = CloudEvent(
            id=f"ev_{i}", type="storywire.article.ingested.v2", subject="ar_1",
            time=datetime(2026, 11, 24, tzinfo=UTC),
            data={"article_id": "ar_1", "story_id": "st_1", "text": text},
        )  # fmt: skip
        redis_client.rpush("sw:outbox", outbox_item(event))
    RedisStreamSink(redis_client, outbox_key="sw:outbox").drain_all(now=time.time())
    dies = Consumer(redis_client, group="cli", name="dies", start="0", count=1, block_ms=10)
    assert [m.event.id for m in dies.poll()] == ["ev_0"]  # taken, never acknowledged
    assert main(["consume", "--group", "cli", "--block", "500", "--count", "2",
                 "--with-stream-id"]) == 0  # fmt: skip
    lines = [orjson.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["event"]["id"] for line in lines] == ["ev_1", "ev_0"]  # the reclaim came last
    view = ReadModel()
    for line in lines:
        view.apply(line["event"], line["stream_id"])
    assert view.articles["ar_1"]["text"] == "edited text"
