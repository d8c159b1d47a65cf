"""The logging every ``storywire`` command and worker sets up."""

from __future__ import annotations

import contextlib
import io
import logging
import sys
import threading
from pathlib import Path

import orjson
import pytest
import redis
import structlog

from workers.logging import configure_logging


def test_lines_go_to_the_stderr_of_the_moment_not_the_one_at_set_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A stream replaced and closed after set-up (pytest's capture of an earlier test, a
    redirect) is never written to: both structlog and stdlib lines reach the current one."""
    monkeypatch.setattr(logging.getLogger(), "handlers", [])
    at_setup = io.StringIO()
    monkeypatch.setattr(sys, "stderr", at_setup)
    configure_logging("json", "INFO")
    now = io.StringIO()
    monkeypatch.setattr(sys, "stderr", now)
    at_setup.close()
    structlog.get_logger("storywire").info("structlog.line")
    logging.getLogger("celery.test").warning("stdlib line")
    assert "structlog.line" in now.getvalue()
    assert "stdlib line" in now.getvalue()


class _Writes(io.StringIO):
    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str] = []

    def write(self, text: str) -> int:
        self.calls.append(text)
        return super().write(text)


def test_each_line_is_one_write_with_its_newline(monkeypatch: pytest.MonkeyPatch) -> None:
    """With PYTHONUNBUFFERED each write is a system call of its own, and the run's processes
    share one stderr: a line written apart from its newline let another process's line in
    between, and two JSON objects shared a line."""
    monkeypatch.setattr(logging.getLogger(), "handlers", [])
    out = _Writes()
    monkeypatch.setattr(sys, "stderr", out)
    configure_logging("json", "INFO")
    structlog.get_logger("storywire").info("structlog.line", n=1)
    logging.getLogger("celery.test").warning("stdlib line")
    assert len(out.calls) == 2
    assert all(call.endswith("\n") and call.count("\n") == 1 for call in out.calls)
    assert orjson.loads(out.calls[0])["event"] == "structlog.line"


@pytest.mark.timeout(60)
def test_a_beat_that_cannot_send_says_so_in_one_short_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Celery's beat logs each send that failed with the whole call stack and the traceback
    (2.8 kB in JSON, the traceback as unreadable reprs), every tick of a broker outage. One
    short line names the entry and the error."""
    from celery import Celery  # noqa: PLC0415 - only this test needs a Celery app
    from celery.beat import ScheduleEntry, Scheduler  # noqa: PLC0415

    from storywire.adapters.embedded_redis import embedded_redis  # noqa: PLC0415

    with embedded_redis() as gone:
        dead = gone.url
    monkeypatch.setattr(logging.getLogger(), "handlers", [])
    out = io.StringIO()
    monkeypatch.setattr(sys, "stderr", out)
    configure_logging("json", "INFO")
    app = Celery("beat-test", broker=dead)
    app.conf.broker_connection_timeout = 1
    scheduler = Scheduler(app, lazy=True)
    entry = ScheduleEntry(name="dispatch-due-sources", task="storywire.dispatch", app=app)
    scheduler.apply_entry(entry)
    app.close()
    (line,) = [row for row in out.getvalue().splitlines() if "dispatch-due-sources" in row and
               "Sending" not in row]  # fmt: skip
    assert "Connection refused" in line
    assert "File " not in line
    assert "traceback" not in line
    assert len(line) < 400


def test_a_library_error_logged_with_its_exception_carries_a_readable_traceback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Celery logs a task that raised ("Task ... raised unexpected") through stdlib logging
    with exc_info: the JSON line must hold the traceback as text, or the operator reading it
    cannot tell where the task failed."""
    monkeypatch.setattr(logging.getLogger(), "handlers", [])
    out = io.StringIO()
    monkeypatch.setattr(sys, "stderr", out)
    configure_logging("json", "INFO")
    try:
        raise ValueError("bad entry 42")
    except ValueError:
        logging.getLogger("celery.app.trace").error("Task raised unexpected", exc_info=True)
    (row,) = [orjson.loads(line) for line in out.getvalue().splitlines()]
    assert row["event"] == "Task raised unexpected"
    assert "Traceback (most recent call last)" in row["exception"]
    assert "ValueError: bad entry 42" in row["exception"]
    assert "exc_info" not in row


@pytest.mark.timeout(60)
def test_an_amqp_sink_that_cannot_connect_logs_no_pika_chatter(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """pika logs each failed connection attempt in some twenty lines, errors with a traceback
    among them: every publish of a broker outage did. The sink's error names the reason once."""
    import socket  # noqa: PLC0415 - only this test needs a listener

    from storywire.adapters.amqp import AmqpSink  # noqa: PLC0415
    from storywire.adapters.embedded_redis import embedded_redis  # noqa: PLC0415
    from storywire.adapters.streams import SinkUnavailableError  # noqa: PLC0415

    monkeypatch.setattr(logging.getLogger(), "handlers", [])
    out = io.StringIO()
    monkeypatch.setattr(sys, "stderr", out)
    configure_logging("json", "INFO")
    # A broker that accepts the connection and hangs up at once, as one cut off by a proxy.
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def hang_up() -> None:
        with contextlib.suppress(OSError):
            while True:
                conn, _ = listener.accept()
                conn.close()

    threading.Thread(target=hang_up, daemon=True).start()
    with embedded_redis() as server:
        client = redis.Redis.from_url(server.url)
        client.rpush("sw:outbox", b"e1|storywire.test|{}")
        sink = AmqpSink(
            client, outbox_key="sw:outbox", url=f"amqp://guest:guest@127.0.0.1:{port}/%2F"
        )
        with pytest.raises(SinkUnavailableError):
            sink.drain_all(now=0.0)
        client.close()
    listener.close()
    assert out.getvalue() == "", out.getvalue()[:2000]


def test_a_python_warning_is_one_json_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """A warning (Celery's SecurityWarning when run as root, a library's deprecation) was
    printed as several plain lines amid the JSON ones."""
    import warnings  # noqa: PLC0415 - only this test warns

    monkeypatch.setattr(logging.getLogger(), "handlers", [])
    monkeypatch.setattr(warnings, "showwarning", warnings.showwarning)
    logging.captureWarnings(False)  # an earlier test's set-up captured pytest's recorder
    out = io.StringIO()
    monkeypatch.setattr(sys, "stderr", out)
    configure_logging("json", "INFO")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            warnings.warn("running as root:\nnot recommended", UserWarning, stacklevel=1)
    finally:
        logging.captureWarnings(False)
    (line,) = out.getvalue().splitlines()
    row = orjson.loads(line)
    assert "UserWarning: running as root:\nnot recommended" in row["event"]
    assert row["level"] == "warning"


def test_celerys_shutdown_notice_is_one_json_line(tmp_path: Path) -> None:
    """Celery writes "worker: Warm shutdown (MainProcess)" from its signal handler straight to
    the descriptor, between empty lines: said as JSON, it is one JSON line."""
    from workers.logging import say_as_json  # noqa: PLC0415

    path = tmp_path / "out"
    with path.open("w") as stream:
        say_as_json("worker: Warm shutdown (MainProcess)", stream)
    (line,) = path.read_text().splitlines()
    row = orjson.loads(line)
    assert row["event"] == "worker: Warm shutdown (MainProcess)"
    assert row["level"] == "info"
    assert row["timestamp"].endswith("Z")


@pytest.mark.parametrize(("level", "shown"), [("INFO", False), ("DEBUG", True)])
def test_celerys_received_and_succeeded_lines_show_at_debug_only(
    monkeypatch: pytest.MonkeyPatch, level: str, shown: bool
) -> None:
    """Each task logs its own summary line; Celery's receipt and success lines doubled and
    tripled the log at INFO. A retry or a failure still shows at INFO."""
    from celery.app import trace  # noqa: PLC0415 - only this test needs Celery's logger
    from celery.worker import strategy  # noqa: PLC0415

    monkeypatch.setattr(logging.getLogger(), "handlers", [])
    out = io.StringIO()
    monkeypatch.setattr(sys, "stderr", out)
    configure_logging("json", level)
    context = {"name": "storywire.fetch", "id": "t-1", "runtime": 0.01, "return_value": None}
    strategy.logger.info(trace.LOG_RECEIVED, context)
    trace.info(trace.LOG_SUCCESS, context)
    trace.info(trace.LOG_RETRY, {**context, "exc": "ConnectionError"})
    lines = [orjson.loads(row) for row in out.getvalue().splitlines()]
    routine = [
        line for line in lines if "received" in line["event"] or "succeeded" in line["event"]
    ]
    assert [line["level"] for line in routine] == (["debug", "debug"] if shown else [])
    (retry,) = [line for line in lines if "retry" in line["event"]]
    assert retry["level"] == "info"
