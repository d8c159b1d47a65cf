"""The logging every ``storywire`` command and worker sets up."""

from __future__ import annotations

import io
import logging
import sys

import pytest
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
