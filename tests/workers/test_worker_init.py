"""What a worker does before its pool starts."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
import redis
from celery import signals
from structlog.testing import capture_logs

from storywire.adapters.embedded_redis import redis_server_binary
from storywire.proxies import Proxies
from storywire.stories import background
from workers import app as app_module


def _sender(*queues: str) -> SimpleNamespace:
    consume_from = {q: object() for q in queues}
    return SimpleNamespace(
        app=SimpleNamespace(amqp=SimpleNamespace(queues=SimpleNamespace(consume_from=consume_from)))
    )


@pytest.mark.parametrize(
    ("queues", "preloads"),
    [
        (("process",), True),
        (("process", "publish"), True),
        (("fetch",), False),
        (("publish",), False),
    ],
)
def test_only_a_process_worker_builds_the_story_prior_before_forking(
    monkeypatch: pytest.MonkeyPatch, queues: tuple[str, ...], preloads: bool
) -> None:
    calls: list[str] = []
    monkeypatch.setattr(background, "preload", lambda: calls.append("preload"))
    monkeypatch.setattr(app_module.gc, "freeze", lambda: calls.append("freeze"))
    app_module._preload_story_prior(sender=_sender(*queues))
    assert calls == (["preload", "freeze"] if preloads else [])


def test_the_handler_is_connected_and_the_real_preload_builds_the_prior() -> None:
    assert any(r() is app_module._preload_story_prior for _, r in signals.worker_init.receivers)
    background.preload()
    assert background._load.cache_info().currsize == 1


def test_a_worker_with_a_bad_setting_exits_2_with_one_line() -> None:
    """``celery -A workers.app`` (compose, k8s, systemd) stops as every ``storywire`` command
    does: status 2 and one line naming the variable, which supervisors and operators can tell
    from a crash."""
    env = {**os.environ, "STORYWIRE_LEASE_SECONDS": "60"}
    done = subprocess.run(
        [sys.executable, "-m", "celery", "-A", "workers.app", "worker"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("storywire: STORYWIRE_LEASE_SECONDS=60.0: ")
    assert done.stderr.count("\n") == 1


def test_a_worker_given_a_proxy_it_cannot_use_exits_2_without_the_password() -> None:
    """HTTPS_PROXY=socks5://… (curl's, not ours) stops the worker at start, naming the
    variable: ignored, every poll would go direct past the operator's egress proxy."""
    env = {**os.environ, "HTTPS_PROXY": "socks5://svc:hunter2@proxy.corp:1080"}
    done = subprocess.run(
        [sys.executable, "-m", "celery", "-A", "workers.app", "worker"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("storywire: HTTPS_PROXY='socks5://svc:***@proxy.corp:1080': ")
    assert "SOCKS" in done.stderr
    assert "hunter2" not in done.stderr


def test_a_fetch_worker_says_which_proxies_its_fetches_use(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One line at start, credentials hidden; nothing without proxies or on other queues."""
    proxies = Proxies.from_env(
        {"HTTPS_PROXY": "http://svc:hunter2@proxy:3128", "NO_PROXY": ".corp"}
    )
    monkeypatch.setattr(app_module, "proxies", Proxies())
    with capture_logs() as logs:
        app_module._say_proxies(sender=_sender("fetch"))
        monkeypatch.setattr(app_module, "proxies", proxies)
        app_module._say_proxies(sender=_sender("process"))
        app_module._say_proxies(sender=_sender("fetch"))
    assert logs == [
        {"event": "fetch.proxies", "log_level": "info", "https": "http://svc:***@proxy:3128",
         "no_proxy": "corp"}
    ]  # fmt: skip


def test_a_worker_reconnects_to_its_broker_for_as_long_as_it_takes() -> None:
    """With Celery's default (100 attempts, the waits growing to 30 s) a Redis away for about
    46 minutes ended every worker ("Unrecoverable error: OperationalError", seen with the
    limit at 2 on a real worker whose Redis was killed), and `storywire run` with them."""
    assert app_module.app.conf.broker_connection_max_retries is None
    assert app_module.app.conf.broker_connection_retry


def test_a_redis_url_on_a_unix_socket_is_the_brokers_too(tmp_path: Path) -> None:
    """``STORYWIRE_REDIS_URL=unix:///path?db=N`` passes the settings check and redis-py reads
    it, but kombu has no ``unix`` transport: every worker stopped on a KeyError traceback. A
    task is now sent into that database of that Redis, where the workers read."""
    sock = tmp_path / "redis.sock"
    command = [redis_server_binary(), "--port", "0", "--unixsocket", str(sock), "--save", ""]
    server = subprocess.Popen([*command, "--dir", str(tmp_path)], stdout=subprocess.DEVNULL)
    try:
        client = redis.Redis(unix_socket_path=str(sock), db=3)
        deadline = time.monotonic() + 10
        while not sock.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        env = {**os.environ, "STORYWIRE_REDIS_URL": f"unix://{sock}?db=3"}
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                "from workers.app import app; app.send_task('storywire.publish')",
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert client.llen("publish") == 1
    finally:
        server.terminate()
        server.wait()
