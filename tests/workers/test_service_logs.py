"""What `storywire run` says about the service it starts: never a password it was given."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import structlog
from structlog.testing import capture_logs

from storywire.adapters.embedded_redis import EmbeddedRedis
from storywire.models import Source
from storywire.settings import Settings
from workers.commands import service


class _NoChildren:
    def tend(self) -> None:
        return None


@contextlib.contextmanager
def _no_processes(*_: Any, **__: Any) -> Iterator[_NoChildren]:
    yield _NoChildren()


def test_the_run_line_names_the_redis_without_its_password(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, redis_server: EmbeddedRedis
) -> None:
    """The first line of a run names the Redis it serves, which an operator's
    STORYWIRE_REDIS_URL gives with its password: the line goes to every log shipper."""
    # The default user takes any password when none is set: a URL with one works as it is.
    url = redis_server.url.replace("redis://", "redis://default:s3cret-pw@")
    # A fresh logger: the module's own was cached by whichever test configured logging first
    # (cache_logger_on_first_use), out of capture_logs' reach.
    monkeypatch.setattr(service, "log", structlog.get_logger())
    monkeypatch.setattr(service, "service_processes", _no_processes)
    monkeypatch.setattr(service, "_stop_on_signals", lambda: contextlib.nullcontext(lambda: True))
    settings = replace(Settings(), redis_url=url, data_dir=tmp_path, metrics_port=0)
    source = Source(id="local", url="http://127.0.0.1:9/feed.xml", outlet="Local",
                    domain="local.test", allow_private=True)  # fmt: skip
    with capture_logs() as logs:
        assert service._run(settings, [source], tmp_path / "sources.toml") == 0
    (run,) = [line for line in logs if line["event"] == "run"]
    assert "s3cret-pw" not in str(logs)
    assert run["redis"] == url.replace("s3cret-pw", "***")


def test_a_run_gives_back_the_signal_handlers_it_found() -> None:
    """`run` stops on SIGINT, SIGTERM and SIGHUP by a flag of its own, and left its handlers
    installed when it returned: a caller in the same process (a test runner) no longer
    stopped on Ctrl-C or SIGTERM."""
    signums = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    before = [signal.getsignal(signum) for signum in signums]
    with service._stop_on_signals() as stop:
        assert not stop()
        signal.raise_signal(signal.SIGHUP)
        assert stop()
    assert [signal.getsignal(signum) for signum in signums] == before
