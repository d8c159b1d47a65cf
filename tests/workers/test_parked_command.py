"""``storywire parked``: events the sink's broker refused for good, seen, replayed or dropped."""

from __future__ import annotations

import io

import orjson
import pytest
import redis

from storywire.adapters.embedded_redis import EmbeddedRedis
from storywire.adapters.parked import PARK, parked
from storywire.adapters.redis_ledger import RedisLedger
from storywire.adapters.redis_metrics import COUNTERS_KEY
from workers.cli import main
from workers.commands.parked import do_drop, do_list, do_replay

ITEMS = [
    b'ev_1|storywire.story.updated.v1|{"id":"ev_1"}',
    b'ev_2|storywire.article.ingested.v2|{"id":"ev_2","data":{"text":"x|y"}}',
]


def _park(client: redis.Redis, outbox: str, item: bytes, reason: str) -> None:
    """As the AMQP sink parks the outbox's head (the same script)."""
    client.eval(
        PARK, 4, outbox, outbox + ":parked", COUNTERS_KEY, outbox + ":amqp-lease",
        b"|".join(item.split(b"|", 2)[:2]) + b"|", reason, "too_large",
        "amqp exchange storywire.events", "2026-11-29T19:00:00Z", "token", 15000, len(item),
    )  # fmt: skip


@pytest.fixture
def client(redis_client: redis.Redis) -> redis.Redis:
    outbox = RedisLedger(redis_client).outbox_key
    redis_client.rpush(outbox, *ITEMS)
    for item in ITEMS:
        _park(redis_client, outbox, item, "(406) PRECONDITION_FAILED - message size 9 is larger")
    redis_client.rpush(outbox, b"ev_3|storywire.story.created.v1|{}")
    return redis_client


def _outbox(client: redis.Redis) -> list[bytes]:
    return list(client.lrange(RedisLedger(client).outbox_key, 0, -1))


def test_list_shows_each_parked_event_a_line_without_its_body(client: redis.Redis) -> None:
    out = io.StringIO()
    assert do_list(client, out) == 0
    first, second = (orjson.loads(line) for line in out.getvalue().splitlines())
    assert first["id"] == "ev_1"
    assert first["type"] == "storywire.story.updated.v1"
    assert first["bytes"] == len(b'{"id":"ev_1"}')
    assert "message size" in first["reason"]
    assert first["target"] == "amqp exchange storywire.events"
    assert first["parked_at"] == "2026-11-29T19:00:00Z"
    assert second["id"] == "ev_2"
    assert "event" not in second
    assert client.hget(COUNTERS_KEY, "parked:too_large") == b"2"


def test_replay_puts_the_event_back_at_the_outbox_tail_byte_for_byte(
    client: redis.Redis,
) -> None:
    """After what waits there (the order the next drain sends in), and off the parked stream
    in the same step: in one of the two, never both nor neither."""
    out = io.StringIO()
    assert do_replay(client, ["ev_2"], out) == 0
    assert out.getvalue() == "replayed storywire.article.ingested.v2 ev_2\n"
    assert _outbox(client) == [b"ev_3|storywire.story.created.v1|{}", ITEMS[1]]
    assert [e.event_id for e in parked(client, RedisLedger(client).outbox_key)] == ["ev_1"]
    assert do_replay(client, None, io.StringIO()) == 0
    assert _outbox(client)[-1] == ITEMS[0]
    assert parked(client, RedisLedger(client).outbox_key) == []


def test_drop_forgets_and_an_unknown_id_is_an_error(
    client: redis.Redis, capsys: pytest.CaptureFixture[str]
) -> None:
    out = io.StringIO()
    assert do_drop(client, ["ev_1", "ev_9"], out) == 1
    assert out.getvalue() == "dropped storywire.story.updated.v1 ev_1\n"
    assert "no parked event 'ev_9'" in capsys.readouterr().err
    assert [e.event_id for e in parked(client, RedisLedger(client).outbox_key)] == ["ev_2"]
    assert _outbox(client) == [b"ev_3|storywire.story.created.v1|{}"]


def test_the_command_line_needs_ids_or_all(
    client: redis.Redis,
    redis_server: EmbeddedRedis,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("STORYWIRE_REDIS_URL", redis_server.url)
    with pytest.raises(SystemExit) as usage:
        main(["parked", "replay"])
    assert usage.value.code == 2
    assert main(["parked", "list"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 2
    assert main(["parked", "drop", "--all"]) == 0
    assert capsys.readouterr().out.count("dropped") == 2
