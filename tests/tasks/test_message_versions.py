"""Task messages of another version, as a rolling deploy mixes them on one broker: for
minutes, workers of the old and the new release take each other's messages. A message of a
newer release with an argument this one does not know (a rolling deploy of a release that added
``lease_until`` to fetch failed every fetch its dispatch sent to the old fetch workers:
``TypeError: fetch() takes 2 positional arguments but 3 were given``, the message acknowledged,
the poll lost and its source leased for STORYWIRE_LEASE_SECONDS) runs without what it does not
know; a message of an older release, without an argument added since, runs with its default.
Deliveries go through the tracer a worker runs each message with (as in test_poison)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

import pytest
import redis
import structlog
from celery.app.trace import build_tracer

import tasks.poison
import tasks.process
import tasks.publish
import tasks.release
from storywire.adapters.embedded_redis import EmbeddedRedis
from storywire.settings import Settings
from tasks.runtime import Runtime
from tests.tasks.fakes import ARGS, SOURCE, CountingPublish


@pytest.fixture
def rt(
    redis_server: EmbeddedRedis, redis_client: redis.Redis, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Runtime]:
    runtime = Runtime(Settings(redis_url=redis_server.url, story_hold_seconds=0))
    runtime.sources.upsert([SOURCE], now=0.0)
    for module in (tasks.poison, tasks.process, tasks.publish, tasks.release):
        monkeypatch.setattr(module, "runtime", lambda: runtime)
    monkeypatch.setattr(tasks.process, "publish", CountingPublish())
    yield runtime
    runtime.redis.close()


def _deliver(task: Any, task_id: str, args: list[Any], kwargs: dict[str, Any] | None = None) -> Any:
    """One delivery of one message, run as a worker runs it."""
    request = {"id": task_id, "retries": 0, "delivery_info": {"routing_key": "process"}}
    return build_tracer(task.name, task, eager=False, app=task.app)(
        task_id, args, kwargs or {}, request
    )


def _outbox_types(rt: Runtime) -> list[str]:
    items = cast(list[bytes], rt.redis.lrange(rt.ledger.outbox_key, 0, -1))
    return [item.split(b"|", 2)[1].decode() for item in items]


def test_a_newer_releases_message_with_arguments_unknown_here_runs_without_them(
    rt: Runtime,
) -> None:
    """A process batch with one more positional argument and a keyword this release has no
    parameter for is processed (its article queued for publishing), not failed and
    acknowledged away: its fetch had marked the entry seen, so a lost batch never came again.
    The worker says what it left out."""
    with structlog.testing.capture_logs() as logs:
        done = _deliver(tasks.process.process, "new-1", [*ARGS, 7], {"priority": "high"})
    assert done.info is None or done.info.state == "SUCCESS", done
    assert "storywire.article.ingested.v1" in _outbox_types(rt)
    (ignored,) = [line for line in logs if line["event"] == "task.arguments_ignored"]
    assert ignored["task"] == "storywire.process"
    assert ignored["extra_args"] == 1
    assert ignored["unknown_kwargs"] == ["priority"]


def test_a_message_without_an_argument_added_since_runs_with_its_default(rt: Runtime) -> None:
    """An older release's sweep (``release`` without ``older_than``) and publish run as ever,
    and a message whose arguments all fit says nothing."""
    with structlog.testing.capture_logs() as logs:
        assert _deliver(tasks.release.release, "old-1", []).info is None
        assert _deliver(tasks.publish.publish, "old-2", []).info is None
    assert not [line for line in logs if line["event"] == "task.arguments_ignored"]


def test_a_direct_call_with_a_wrong_argument_still_fails() -> None:
    """A call in this process (``apply``, tests, the CLI) is this release's own code: a wrong
    argument there is a bug, and is not passed over."""
    with pytest.raises(TypeError):
        tasks.publish.publish.apply(args=[1], throw=True)
