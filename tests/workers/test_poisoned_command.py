"""``storywire poisoned``: what the delivery guard set aside, seen, sent again or dropped."""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import Any

import orjson
import pytest
import redis

from storywire.adapters.deliveries import poisoned, set_aside
from storywire.adapters.embedded_redis import EmbeddedRedis, embedded_redis
from workers.app import app
from workers.cli import main
from workers.commands.poisoned import do_drop, do_list, do_requeue

ENTRY = {"guid": "1", "link": "https://wire.example/1", "title": "Storm", "content_html": "<p/>"}
PROCESS = {"id": "t-1", "task": "storywire.process", "args": ["wire", "2026-11-25T12:00:00+00:00",
           [["g:1", ENTRY], ["g:2", ENTRY]]], "kwargs": {}, "retries": 0, "deliveries": 6,
           "at": "2026-11-25T12:00:00Z"}  # fmt: skip
FETCH = {"id": "t-2", "task": "storywire.fetch", "args": ["wire"], "kwargs": {}, "retries": 1,
         "deliveries": 6, "at": "2026-11-25T12:01:00Z"}  # fmt: skip


@pytest.fixture
def client(redis_client: redis.Redis) -> redis.Redis:
    set_aside(redis_client, PROCESS)
    set_aside(redis_client, FETCH)
    return redis_client


def _queued(client: redis.Redis, queue: str) -> list[tuple[str, list[Any]]]:
    """(task name, args) of each message waiting in a Celery queue on Redis."""
    out = []
    for raw in client.lrange(queue, 0, -1):
        message = orjson.loads(raw)
        args, _, _ = orjson.loads(base64.b64decode(message["body"]))
        out.append((message["headers"]["task"], args))
    return out


def test_list_shows_each_message_a_line_its_entries_by_key(client: redis.Redis) -> None:
    out = io.StringIO()
    assert do_list(client, out) == 0
    first, second = (orjson.loads(line) for line in out.getvalue().splitlines())
    assert first["id"] == "t-1"
    assert first["args"] == ["wire", "2026-11-25T12:00:00+00:00", ["g:1", "g:2"]]
    assert second == FETCH
    full = io.StringIO()
    do_list(client, full, full=True)
    assert orjson.loads(full.getvalue().splitlines()[0]) == PROCESS


def test_requeue_sends_the_message_again_under_a_new_id(
    client: redis.Redis, redis_server: EmbeddedRedis, capsys: pytest.CaptureFixture[str]
) -> None:
    """Sent to its task's queue with its arguments, under a new id (so a fresh delivery count),
    then taken off the list; an unknown id is an error."""
    out = io.StringIO()
    with app.connection_for_write(redis_server.url) as conn:

        def send(record: dict[str, Any]) -> str:
            sent = app.send_task(record["task"], args=record["args"], kwargs=record["kwargs"],
                                 connection=conn)  # fmt: skip
            return str(sent.id)

        assert do_requeue(client, ["t-1"], out, send) == 0
        assert do_requeue(client, ["nope"], out, send) == 1
    (requeued,) = out.getvalue().splitlines()
    assert requeued.startswith("requeued storywire.process t-1 as ")
    assert requeued.split()[-1] != "t-1"
    assert capsys.readouterr().err == "error: no poisoned message 'nope'\n"
    assert _queued(client, "process") == [("storywire.process", PROCESS["args"])]
    assert [r["id"] for r in poisoned(client)] == ["t-2"]


def test_drop_forgets_them(client: redis.Redis) -> None:
    out = io.StringIO()
    assert do_drop(client, None, out) == 0
    assert out.getvalue() == "dropped storywire.process t-1\ndropped storywire.fetch t-2\n"
    assert poisoned(client) == []


def test_cli_lists_through_the_console_script(
    client: redis.Redis,
    redis_server: EmbeddedRedis,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("STORYWIRE_REDIS_URL", redis_server.url)
    assert main(["poisoned", "list"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 2
    for neither_or_both in (["poisoned", "requeue"], ["poisoned", "drop", "t-1", "--all"]):
        with pytest.raises(SystemExit) as usage:
            main(neither_or_both)
        assert usage.value.code == 2
        assert "give task ids or --all" in capsys.readouterr().err
    assert len(poisoned(client)) == 2


def test_cli_requeues_into_the_redis_of_the_run_it_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """With no URL set, `poisoned` acts on the embedded Redis a `storywire run` serves; its
    requeue sent the message to the Celery app's default broker (127.0.0.1:6379/0) instead,
    where no worker of that run listens, and took it off the list: lost."""
    monkeypatch.delenv("STORYWIRE_REDIS_URL", raising=False)
    monkeypatch.delenv("STORYWIRE_BROKER_URL", raising=False)
    monkeypatch.setenv("STORYWIRE_DATA_DIR", str(tmp_path))
    # The app's default broker, here where nothing listens (and no Redis outside is touched).
    monkeypatch.setitem(app.conf, "broker_url", "redis://127.0.0.1:1/0")
    monkeypatch.setattr(app, "_pool", None)
    with embedded_redis(directory=tmp_path / "redis", persist=True) as served:
        client = redis.Redis.from_url(served.url)
        set_aside(client, FETCH)
        assert main(["poisoned", "requeue", "t-2"]) == 0
        assert _queued(client, "fetch") == [("storywire.fetch", FETCH["args"])]
        assert poisoned(client) == []
        client.close()
    assert capsys.readouterr().out.startswith("requeued storywire.fetch t-2 as ")


def test_cli_requeue_to_a_broker_that_does_not_answer_is_one_line_and_keeps_the_message(
    client: redis.Redis,
    redis_server: EmbeddedRedis,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("STORYWIRE_REDIS_URL", redis_server.url)
    monkeypatch.setenv("STORYWIRE_BROKER_URL", "redis://127.0.0.1:1/0")
    assert main(["poisoned", "requeue", "t-2"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("storywire poisoned: broker: ")
    assert err.count("\n") == 1
    assert [r["id"] for r in poisoned(client)] == ["t-1", "t-2"]
