"""structlog set up once per process: JSON in production, readable lines in a terminal."""

from __future__ import annotations

import contextlib
import io
import logging
import os
import sys
from typing import TextIO, cast

import structlog
from celery.app.trace import LOG_RECEIVED, LOG_SUCCESS


class _CurrentStderr(io.TextIOBase):
    """Writes to ``sys.stderr`` as it is at each line, not as it was at set-up: a stream
    replaced and closed since (pytest's capture of an earlier test, a daemon's redirect) would
    turn every later log line into "I/O operation on closed file" inside the task logging it."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


class _OneLineBeatErrors(logging.Filter):
    """Celery's beat logs a send that failed (``Message Error: ...``) with the whole call stack
    and the traceback, every tick of a broker outage: one line with the error says it all."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and record.msg.startswith("Message Error") and record.args:
            error = record.args[0] if isinstance(record.args, tuple) else record.args
            record.msg, record.args = "beat.send_failed: %s", (error,)
            record.exc_info, record.exc_text, record.stack_info = None, None, None
        return True


class _RoutineTaskLinesAtDebug(logging.Filter):
    """Celery logs each task's receipt and success at INFO. Every task logs its own summary
    (``fetch``, ``process``, ``publish``), so a unit of work made three INFO lines, two of them
    saying nothing an operator reads. They are DEBUG lines now: shown at that level only."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.INFO and record.msg in (LOG_RECEIVED, LOG_SUCCESS):
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
            return logging.getLogger().isEnabledFor(logging.DEBUG)
        return True


_TIMESTAMP = structlog.processors.TimeStamper(fmt="iso", utc=True)


def renders_json(log_format: str) -> bool:
    """Whether ``STORYWIRE_LOG_FORMAT`` means JSON lines here: ``auto`` does unless stderr is a
    terminal (processes started by this one share its stderr, and decide alike)."""
    return log_format == "json" or (log_format == "auto" and not sys.stderr.isatty())


def say_as_json(msg: str, f: TextIO | None = None) -> None:
    """Celery's ``safe_say`` (its shutdown notices, written from a signal handler straight to
    the file descriptor) as one JSON line: a plain text line breaks a JSON log shipper. No
    logger here: its lock may be held by the code the signal interrupted."""
    line = structlog.processors.JSONRenderer()(
        None, "info", _TIMESTAMP(None, "info", {"event": msg.strip(), "level": "info"})
    )
    with contextlib.suppress(AttributeError, OSError, ValueError):  # no stream, or closed
        os.write((f or sys.__stderr__).fileno(), f"{line!s}\n".encode())  # type: ignore[union-attr]


def configure_logging(log_format: str = "auto", level: str = "INFO") -> None:
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer()
        if renders_json(log_format)
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    stream = _CurrentStderr()
    shared: list[structlog.typing.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        _TIMESTAMP,
    ]
    structlog.configure(
        processors=[*shared, structlog.processors.format_exc_info, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        # One write a line, its newline included: PrintLogger's print() wrote the line and its
        # newline apart, so with PYTHONUNBUFFERED (the image sets it) the run's processes,
        # sharing one stderr, wrote one line into another's ("{...}{...}\n\n"), which log
        # shippers reject. Only typeshed's TextIO is nominal: write and flush are all it needs.
        logger_factory=structlog.WriteLoggerFactory(cast(TextIO, stream)),
        cache_logger_on_first_use=True,
    )
    # Celery's and libraries' stdlib logging goes through the same renderer, their exc_info
    # as a traceback in text (JSON would show the traceback object's repr).
    handler = logging.StreamHandler(stream)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            renderer,
        ], foreign_pre_chain=shared)
    )  # fmt: skip
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # A Python warning (Celery's SecurityWarning when run as root, a library's deprecation)
    # was printed as it is, several plain lines amid the JSON: now it is a log line too.
    logging.captureWarnings(True)
    # pika narrates every connection attempt of the AMQP sink (about twenty lines, errors with a
    # traceback among them, per attempt): a broker outage buried the log. The sink raises
    # SinkUnavailableError with pika's reason, and the publish task's retry line says it once.
    logging.getLogger("pika").setLevel(logging.CRITICAL)
    for name in ("celery.worker.strategy", "celery.app.trace"):
        tasks = logging.getLogger(name)
        if not any(isinstance(f, _RoutineTaskLinesAtDebug) for f in tasks.filters):
            tasks.addFilter(_RoutineTaskLinesAtDebug())
    beat = logging.getLogger("celery.beat")
    if not any(isinstance(f, _OneLineBeatErrors) for f in beat.filters):
        beat.addFilter(_OneLineBeatErrors())
