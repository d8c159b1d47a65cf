"""`storywire run`'s keeper on a real redis-server: killed, it is started again with its data;
back without its data, the sources file is loaded into it again."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from structlog.testing import capture_logs

from storywire.adapters.embedded_redis import (
    EmbeddedRedis,
    EmbeddedRedisError,
    embedded_redis,
    redis_server_binary,
)
from storywire.adapters.redis_sources import RedisSourceStore
from storywire.models import Source
from workers.keeper import RedisKeeper

SOURCES = [
    Source(id=i, url=f"https://{i}.example/feed", outlet=i, domain=f"{i}.example")
    for i in ("wire", "post")
]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[EmbeddedRedis]:
    with embedded_redis(directory=tmp_path / "redis", persist=True) as running:
        yield running


def _events(logs: list[dict[str, object]]) -> list[object]:
    return [e["event"] for e in logs]


def test_a_killed_embedded_redis_is_started_again_with_its_data(server: EmbeddedRedis) -> None:
    """Before, `storywire run` watched its workers only: with its redis-server killed they
    waited on it for ever, and nothing was polled again."""
    client = redis.Redis.from_url(server.url)
    client.config_set("appendfsync", "always")  # the kill must not race the once-a-second fsync
    RedisSourceStore(client).upsert(SOURCES, now=0.0)
    keeper = RedisKeeper(server.url, SOURCES, server=server)
    first = server.process
    first.kill()
    first.wait()
    with capture_logs() as logs:
        keeper.tend(now=0.0)
    assert _events(logs) == ["redis.exited", "redis.restarted"]
    assert logs[0]["signal"] == "SIGKILL"
    assert server.process is not first
    assert server.process.poll() is None
    assert RedisSourceStore(client).next_poll("wire") == 0.0  # its schedule came back with it
    keeper.close()
    client.close()


def test_a_redis_back_without_its_data_gets_the_sources_file_again(
    server: EmbeddedRedis,
) -> None:
    client = redis.Redis.from_url(server.url)
    RedisSourceStore(client).upsert(SOURCES, now=0.0)  # as `storywire run` loaded them
    keeper = RedisKeeper(server.url, SOURCES, check_every=5.0)
    with capture_logs() as logs:
        keeper.tend(now=0.0)  # nothing to do
        client.flushall()
        keeper.tend(now=3.0)  # not yet due for a check
        assert not client.exists("sw:sources")
        keeper.tend(now=5.0)
    assert _events(logs) == ["run.sources_reloaded"]
    store = RedisSourceStore(client)
    assert [s.id for s in store.all()] == ["post", "wire"]
    assert store.next_poll("wire") is not None  # on the schedule: polled at the next dispatch
    keeper.close()
    client.close()


def test_an_unreachable_redis_is_one_line_per_outage(tmp_path: Path) -> None:
    with embedded_redis(directory=tmp_path / "gone") as gone:
        url = gone.url
    keeper = RedisKeeper(url, SOURCES, check_every=1.0)
    with capture_logs() as logs:
        for now in range(5):
            keeper.tend(now=float(now))
    assert _events(logs) == ["run.redis_unreachable"]
    keeper.close()


def _wrapper(tmp_path: Path, *, good_starts: int) -> tuple[Path, Path]:
    """A server binary whose first ``good_starts`` starts run the real redis-server and every
    later one exits 1 at once, as a bad config, a full disk or a stolen port make it do. Each
    start is counted in a file."""
    real = shutil.which("redis-server") or redis_server_binary()
    starts = tmp_path / "starts"
    script = tmp_path / "redis-server"
    script.write_text(
        "#!/bin/sh\n"
        f'echo start >> "{starts}"\n'
        f'if [ "$(wc -l < "{starts}")" -le {good_starts} ]; then exec "{real}" "$@"; fi\n'
        'echo "# Fatal: Can\'t open the append-only file: No space left on device" >&2\n'
        "exit 1\n"
    )
    script.chmod(0o755)
    return script, starts


def _starts(starts: Path) -> int:
    return len(starts.read_text().splitlines())


def test_a_server_that_dies_at_every_start_is_retried_with_backoff_then_given_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The keeper started a dead server again every half second for ever (or, when the start
    itself failed, ended the service at the first try). Now: at once, then after 1, 2, 4 s,
    one line each with the reason, and after 5 failures in a row a clear error."""
    script, starts = _wrapper(tmp_path, good_starts=1)
    monkeypatch.setenv("STORYWIRE_REDIS_SERVER", str(script))
    with embedded_redis(directory=tmp_path / "redis") as server:
        keeper = RedisKeeper(server.url, SOURCES, server=server)
        server.process.kill()
        server.process.wait()
        with capture_logs() as logs:
            keeper.tend(now=100.0)  # seen dead: started again at once, which fails
            assert _starts(starts) == 2
            for now, expected in ((100.5, 2), (100.9, 2), (101.0, 3), (102.9, 3), (103.0, 4),
                                  (106.9, 4), (107.0, 5)):  # fmt: skip
                keeper.tend(now=now)
                assert _starts(starts) == expected, now
            with pytest.raises(EmbeddedRedisError) as caught:
                keeper.tend(now=115.0)
        keeper.close()
    assert _starts(starts) == 6
    assert _events(logs) == ["redis.exited", *["redis.restart_failed"] * 4, "redis.gave_up"]
    failed = [e for e in logs if e["event"] == "redis.restart_failed"]
    assert [e["restart_in"] for e in failed] == [1.0, 2.0, 4.0, 8.0]
    assert all("No space left on device" in str(e["reason"]) for e in failed)
    message = str(caught.value)
    assert message == (
        f"redis-server {script}: gave up after 5 failed starts in a row (15 s), the last: "
        "exited with 1 at once: # Fatal: Can't open the append-only file: No space left on device"
    )


def test_a_server_that_stays_up_resets_the_backoff(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server that dies soon after each start waits longer each time; one that stayed up a
    minute is started again at once, as a server killed once in a while should be."""
    script, starts = _wrapper(tmp_path, good_starts=100)
    monkeypatch.setenv("STORYWIRE_REDIS_SERVER", str(script))
    with embedded_redis(directory=tmp_path / "redis") as server:
        keeper = RedisKeeper(server.url, SOURCES, server=server)
        with capture_logs() as logs:
            for now in (0.0, 10.0, 20.0, 100.0):
                server.process.kill()
                server.process.wait()
                keeper.tend(now=now)
                keeper.tend(now=now + 0.5)
                keeper.tend(now=now + 2.0)
        assert server.process.poll() is None
        keeper.close()
    exited = [e for e in logs if e["event"] == "redis.exited"]
    # The first death is a first; 10 s and 20 s after a start are failures; after 80 s up, not.
    assert [e["restart_in"] for e in exited] == [0.0, 1.0, 2.0, 0.0]
    assert _starts(starts) == 1 + 4
