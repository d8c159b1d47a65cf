"""The exporter serves Prometheus text derived from Redis, and health endpoints."""

from __future__ import annotations

import socket
import time
import urllib.error
import urllib.request

import pytest
import redis
from prometheus_client.parser import text_string_to_metric_families

from storywire.adapters.deliveries import set_aside
from storywire.adapters.embedded_redis import EmbeddedRedis, free_port
from storywire.adapters.redis_ledger import RedisLedger
from storywire.adapters.redis_metrics import beat_sent, count
from storywire.metrics import OutboxWatch, Sample, beat_stale, render
from workers.cli import main
from workers.health import exporter


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_metrics_reflect_counters_and_queues(
    redis_server: EmbeddedRedis, redis_client: redis.Redis
) -> None:
    """Counters incremented by stages and queue depths appear with their labels."""
    count(redis_client, {"fetch:ok": 3, "fetch:timeout": 1, "articles:new": 7})
    redis_client.rpush("fetch", "t1", "t2")
    with exporter(redis_server.url, stream="storywire.events", host="127.0.0.1", port=0) as port:
        status, body = _get(f"http://127.0.0.1:{port}/metrics")
        ready, _ = _get(f"http://127.0.0.1:{port}/readyz")
        alive, _ = _get(f"http://127.0.0.1:{port}/healthz")
    assert (status, ready, alive) == (200, 200, 200)
    assert 'storywire_fetch_total{outcome="ok"} 3' in body
    assert 'storywire_fetch_total{outcome="timeout"} 1' in body
    assert 'storywire_articles_total{kind="new"} 7' in body
    assert 'storywire_queue_depth{queue="fetch"} 2' in body
    assert "# TYPE storywire_fetch_total counter" in body


def test_queue_depths_are_read_where_the_broker_keeps_them(
    redis_server: EmbeddedRedis, redis_client: redis.Redis
) -> None:
    """With STORYWIRE_BROKER_URL on another Redis (here another database) the queues were
    read in the service's Redis, always 0; an AMQP broker's depth is left out, not 0."""
    broker_url = redis_server.url.rsplit("/", 1)[0] + "/1"
    broker = redis.Redis.from_url(broker_url)
    broker.flushdb()
    broker.rpush("fetch", "t1", "t2", "t3")
    redis_client.rpush("fetch", "stray")
    try:
        with exporter(
            redis_server.url, stream="s", host="127.0.0.1", port=0, broker_url=broker_url
        ) as port:
            body = _get(f"http://127.0.0.1:{port}/metrics")[1]
        amqp = "amqp://guest:guest@127.0.0.1:5672/%2F"
        with exporter(
            redis_server.url, stream="s", host="127.0.0.1", port=0, broker_url=amqp
        ) as port:
            over_amqp = _get(f"http://127.0.0.1:{port}/metrics")[1]
    finally:
        broker.flushdb()
        broker.close()
    assert 'storywire_queue_depth{queue="fetch"} 3' in body
    assert "storywire_queue_depth" not in over_amqp
    assert "storywire_up 1" in over_amqp


def test_a_broker_redis_that_does_not_answer_leaves_out_only_the_queue_depths(
    redis_server: EmbeddedRedis, redis_client: redis.Redis
) -> None:
    """With STORYWIRE_BROKER_URL on a Redis that does not answer, every scrape said
    storywire_up 0 (the exporter did not reach Redis) and dropped every other metric, while
    /readyz said ready: the service's Redis answered all along. The queue depths, which
    only the broker knows, are left out, as with an AMQP broker; the rest is reported."""
    count(redis_client, {"fetch:ok": 1})
    dead = f"redis://127.0.0.1:{free_port()}/0"
    with exporter(redis_server.url, stream="s", host="127.0.0.1", port=0, broker_url=dead) as port:
        body = _get(f"http://127.0.0.1:{port}/metrics")[1]
        ready = _get(f"http://127.0.0.1:{port}/readyz")[0]
    assert ready == 200
    assert "storywire_up 1" in body
    assert 'storywire_fetch_total{outcome="ok"} 1' in body
    assert "storywire_queue_depth" not in body


def test_readiness_fails_without_redis() -> None:
    """With Redis unreachable the process is alive but not ready, and metrics say down."""
    dead = f"redis://127.0.0.1:{free_port()}/0"
    with exporter(dead, stream="s", host="127.0.0.1", port=0) as port:
        assert _get(f"http://127.0.0.1:{port}/readyz")[0] == 503
        assert _get(f"http://127.0.0.1:{port}/healthz")[0] == 200
        assert "storywire_up 0" in _get(f"http://127.0.0.1:{port}/metrics")[1]


def test_render_escapes_and_refuses_undeclared() -> None:
    """Label values are escaped; an undeclared metric name is a programming error."""
    text = render([Sample("storywire_fetch_total", 1, {"outcome": 'a"b'})])
    assert 'outcome="a\\"b"' in text
    with pytest.raises(ValueError, match="undeclared"):
        render([Sample("nope", 1)])


def test_metrics_parse_strictly_and_keep_every_digit(
    redis_server: EmbeddedRedis, redis_client: redis.Redis
) -> None:
    """A busy service's counters pass a strict parser with their exact value: six significant
    digits would freeze a counter past a million, and rate() would read zero."""
    count(redis_client, {"fetch:ok": 1_234_567, "articles:new": 10_000_001})
    redis_client.rpush("fetch", *range(1_000_003))
    with exporter(redis_server.url, stream="storywire.events", host="127.0.0.1", port=0) as port:
        _, body = _get(f"http://127.0.0.1:{port}/metrics")
    values: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
    helped = [line.split()[2] for line in body.splitlines() if line.startswith("# HELP")]
    assert len(helped) == len(set(helped))
    for family in text_string_to_metric_families(body):
        for sample in family.samples:
            series = (sample.name, tuple(sorted(sample.labels.items())))
            assert series not in values, f"duplicate series {series}"
            values[series] = sample.value
    assert values[("storywire_fetch_total", (("outcome", "ok"),))] == 1_234_567
    assert values[("storywire_articles_total", (("kind", "new"),))] == 10_000_001
    assert values[("storywire_queue_depth", (("queue", "fetch"),))] == 1_000_003


def test_metrics_command_that_cannot_listen_says_so_in_one_line(
    redis_server: EmbeddedRedis,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A port out of range or already taken is the operator's to fix: one line, exit 2."""
    monkeypatch.setenv("STORYWIRE_REDIS_URL", redis_server.url)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = str(taken.getsockname()[1])
        for port in ("99999", busy):
            assert main(["metrics", "--port", port]) == 2
            err = capsys.readouterr().err
            assert err.startswith(f"storywire metrics: cannot listen on 127.0.0.1:{port}: ")
            assert err.count("\n") == 1


def test_run_s_exporter_on_a_port_taken_is_left_out_and_the_run_goes_on(
    redis_server: EmbeddedRedis,
) -> None:
    """`storywire run` (docs/operations.md, `storywire metrics`) serves no metrics then, with
    a `metrics.unavailable` warning, where the `metrics` command exits 2."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = int(taken.getsockname()[1])
        with exporter(redis_server.url, stream="s", host="127.0.0.1", port=busy) as port:
            assert port is None


def test_metrics_command_listens_where_the_settings_say(
    redis_server: EmbeddedRedis,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`storywire metrics` reads STORYWIRE_METRICS_HOST/_PORT as `storywire run` does (a
    deployment sets them once); its options override them."""
    monkeypatch.setenv("STORYWIRE_REDIS_URL", redis_server.url)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = str(taken.getsockname()[1])
        monkeypatch.setenv("STORYWIRE_METRICS_HOST", "127.0.0.1")
        monkeypatch.setenv("STORYWIRE_METRICS_PORT", busy)
        assert main(["metrics"]) == 2
        assert f"cannot listen on 127.0.0.1:{busy}: " in capsys.readouterr().err
        assert main(["metrics", "--port", "99999"]) == 2
        assert "cannot listen on 127.0.0.1:99999: " in capsys.readouterr().err


def test_poisoned_task_messages_are_counted_and_those_set_aside_shown(
    redis_server: EmbeddedRedis, redis_client: redis.Redis
) -> None:
    """An alert can fire on messages set aside and waiting for an operator's decision."""
    count(redis_client, {"poisoned:storywire.process": 2})
    set_aside(redis_client, {"id": "t-1", "task": "storywire.process", "args": [], "kwargs": {}})
    with exporter(redis_server.url, stream="storywire.events", host="127.0.0.1", port=0) as port:
        _, body = _get(f"http://127.0.0.1:{port}/metrics")
    assert 'storywire_tasks_poisoned_total{task="storywire.process"} 2' in body
    assert "storywire_poisoned_tasks 1" in body


def test_parked_events_are_counted_and_those_waiting_shown(
    redis_server: EmbeddedRedis, redis_client: redis.Redis
) -> None:
    """An alert can fire on events the sink's broker refused for good and set aside."""
    count(redis_client, {"parked:too_large": 2})
    redis_client.xadd("sw:outbox:parked", {"id": "ev_1", "type": "t", "event": "{}"})
    with exporter(redis_server.url, stream="storywire.events", host="127.0.0.1", port=0) as port:
        _, body = _get(f"http://127.0.0.1:{port}/metrics")
    assert 'storywire_events_parked_total{reason="too_large"} 2' in body
    assert "storywire_parked_events 1" in body


def _head(url: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, method="HEAD")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def test_head_answers_as_get_does_without_a_body(
    redis_server: EmbeddedRedis, redis_client: redis.Redis
) -> None:
    """HTTP requires HEAD wherever GET is served (RFC 9110, 9.1); uptime checks and load
    balancers probe with it. It was 501 on every path."""
    count(redis_client, {"fetch:ok": 1})
    with exporter(redis_server.url, stream="storywire.events", host="127.0.0.1", port=0) as port:
        for path, status in (("/metrics", 200), ("/healthz", 200), ("/readyz", 200),
                             ("/nope", 404)):  # fmt: skip
            got, headers, body = _head(f"http://127.0.0.1:{port}{path}")
            _, text = _get(f"http://127.0.0.1:{port}{path}")
            assert (got, body) == (status, b"")
            assert headers["Content-Type"].startswith("text/plain")
            if path != "/metrics":  # the metrics' values may move between the two requests
                assert int(headers["Content-Length"]) == len(text.encode())
    dead = f"redis://127.0.0.1:{free_port()}/0"
    with exporter(dead, stream="s", host="127.0.0.1", port=0) as port:
        assert _head(f"http://127.0.0.1:{port}/readyz")[0] == 503


def _ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _ipv6_loopback(), reason="no IPv6 loopback here")
def test_exporter_listens_on_an_ipv6_address(
    redis_server: EmbeddedRedis,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """An IPv6 address (a dual-stack pod's "::") is an address to listen on: the exporter
    was IPv4 only, `run` served no metrics and `metrics` exited 2 ("Address family for
    hostname not supported")."""
    with exporter(redis_server.url, stream="storywire.events", host="::1", port=0) as port:
        assert port is not None
        assert _get(f"http://[::1]:{port}/healthz") == (200, "ok\n")
        assert "storywire_up 1" in _get(f"http://[::1]:{port}/metrics")[1]
    monkeypatch.setenv("STORYWIRE_REDIS_URL", redis_server.url)
    with socket.socket(socket.AF_INET6) as taken:
        taken.bind(("::1", 0))
        taken.listen()
        busy = str(taken.getsockname()[1])
        assert main(["metrics", "--host", "::1", "--port", busy]) == 2
        assert f"cannot listen on ::1:{busy}: " in capsys.readouterr().err


def test_beat_stale_says_why_a_beat_looks_stopped() -> None:
    """A beat that never sent, or last sent longer ago than allowed, is stale; a recent send
    is not (the boundary itself still counts as alive)."""
    assert beat_stale(None, now=1000.0) == "the beat has sent nothing yet"
    assert beat_stale(990.0, now=1000.0) is None
    assert beat_stale(940.0, now=1000.0, max_age=60.0) is None
    assert beat_stale(939.0, now=1000.0, max_age=60.0) == (
        "the beat last sent a task 61 s ago (more than 60 s)"
    )


def test_a_beat_send_from_before_a_clock_step_back_is_not_a_sign_of_life() -> None:
    """A send written before the host clock stepped back is in the future: a beat that
    stopped then passed `storywire health beat` until the clock caught up. A live beat
    overwrites it within seconds; one still in the future past the allowed age is stale."""
    assert beat_stale(1030.0, now=1000.0, max_age=60.0) is None  # workers' clocks differ a bit
    assert beat_stale(4600.0, now=1000.0, max_age=60.0) == (
        "the beat's last send is 3600 s in the future (the clock stepped back) and it has "
        "sent nothing since"
    )


def test_exporter_shows_when_the_beat_last_sent(
    redis_server: EmbeddedRedis, redis_client: redis.Redis
) -> None:
    """The beat's last send is a metric too, so an alert can watch it (time() minus it)."""
    with exporter(redis_server.url, stream="s", host="127.0.0.1", port=0) as port:
        assert "storywire_beat_last_send" not in _get(f"http://127.0.0.1:{port}/metrics")[1]
        beat_sent(redis_client, 1_795_000_000.25)
        body = _get(f"http://127.0.0.1:{port}/metrics")[1]
    (family,) = [
        f
        for f in text_string_to_metric_families(body)
        if f.name == "storywire_beat_last_send_timestamp_seconds"
    ]
    assert family.type == "gauge"
    assert [s.value for s in family.samples] == [1_795_000_000.25]


def test_sources_past_their_due_time_are_exported(
    redis_server: EmbeddedRedis, redis_client: redis.Redis
) -> None:
    """A schedule falling behind (the in-flight cap, too few fetch workers, a stopped beat)
    shows as sources overdue and how long the first has waited; on time, both are 0."""
    from storywire.adapters.redis_sources import RedisSourceStore  # noqa: PLC0415
    from storywire.models import Source  # noqa: PLC0415

    def gauges(port: int | None) -> tuple[float, float]:
        body = _get(f"http://127.0.0.1:{port}/metrics")[1]
        families = {f.name: f for f in text_string_to_metric_families(body)}
        return tuple(  # type: ignore[return-value]
            families[name].samples[0].value
            for name in ("storywire_sources_overdue", "storywire_poll_delay_seconds")
        )

    store = RedisSourceStore(redis_client)
    now = time.time()
    store.upsert([Source(id=f"s{i}", url=f"https://s{i}.example/feed", outlet="S",
                         domain="s.example") for i in range(3)], now=now + 600)  # fmt: skip
    with exporter(redis_server.url, stream="s", host="127.0.0.1", port=0) as port:
        assert gauges(port) == (0.0, 0.0)
        store.defer("s0", now - 120, reason="test")
        store.defer("s1", now - 30, reason="test")
        overdue, delay = gauges(port)
        assert overdue == 2
        assert 120 <= delay < 180


def test_outbox_watch_times_the_head_across_scrapes() -> None:
    """The lag grows while the same event stays first (a stalled publisher), and is 0 once the
    head moves or the outbox empties."""
    watch = OutboxWatch()
    assert watch.lag(None, now=100.0) == 0.0
    assert watch.lag(b"e1|t|{}", now=100.0) == 0.0
    assert watch.lag(b"e1|t|{}", now=130.0) == 30.0
    assert watch.lag(b"e2|t|{}", now=131.0) == 0.0  # the publisher moved it
    assert watch.lag(b"e2|t|{}", now=140.0) == 9.0
    assert watch.lag(None, now=141.0) == 0.0
    assert watch.lag(b"e2|t|{}", now=150.0) == 0.0  # the same bytes again: a new wait


def test_publish_lag_rises_while_the_outbox_does_not_move(
    redis_server: EmbeddedRedis, redis_client: redis.Redis
) -> None:
    """DESIGN's publish lag: with no publisher the oldest event waits and the gauge says how
    long; drained, it is 0 again."""
    outbox = RedisLedger(redis_client).outbox_key

    def lag(port: int | None) -> float:
        body = _get(f"http://127.0.0.1:{port}/metrics")[1]
        families = {f.name: f for f in text_string_to_metric_families(body)}
        family = families["storywire_publish_lag_seconds"]
        assert family.type == "gauge"
        return float(family.samples[0].value)

    with exporter(redis_server.url, stream="s", host="127.0.0.1", port=0) as port:
        assert lag(port) == 0.0
        redis_client.rpush(outbox, b"e1|t|{}", b"e2|t|{}")
        assert lag(port) == 0.0
        time.sleep(1.2)
        redis_client.rpush(outbox, b"e3|t|{}")
        assert 1.0 <= lag(port) < 5.0
        redis_client.ltrim(outbox, 2, -1)  # e1 and e2 published, e3 waits
        assert lag(port) == 0.0
        redis_client.delete(outbox)
        assert lag(port) == 0.0


def test_full_text_page_counts_are_exported(
    redis_server: EmbeddedRedis, redis_client: redis.Redis
) -> None:
    """The fetch stage counts full-text pages (fulltext:fetched / fulltext:failed) in
    sw:metrics; the exporter dropped them, so a source whose pages all failed showed nowhere."""
    count(redis_client, {"fulltext:fetched": 4, "fulltext:failed": 2})
    with exporter(redis_server.url, stream="s", host="127.0.0.1", port=0) as port:
        body = _get(f"http://127.0.0.1:{port}/metrics")[1]
    families = {f.name: f for f in text_string_to_metric_families(body)}
    family = families["storywire_fulltext_pages"]  # the parser drops a counter's _total
    assert family.type == "counter"
    assert {s.labels["outcome"]: s.value for s in family.samples} == {"fetched": 4, "failed": 2}
