"""Subcommands of ``storywire``: each module has ``register(subparsers)``; cli.py lists them."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import redis

from storywire.adapters.embedded_redis import running_url
from storywire.settings import Settings


def service_redis(
    settings: Settings, command: str, *, find_running: bool = False, **options: Any
) -> redis.Redis:
    """A client of the running service's Redis, for the operator commands that act on it; with
    none configured, the command stops with one line (an embedded Redis would be empty).
    ``find_running``: a command that only reads takes, in that case, the embedded Redis that
    a `storywire run` serves from the data directory, and names it on stderr."""
    url = settings.redis_url
    if not url and find_running:
        url = running_url(settings.data_dir / "redis")
        if url:
            sys.stderr.write(
                f"storywire {command}: reading {url}, the embedded Redis of the `storywire run` "
                f"on {settings.data_dir / 'redis'} (STORYWIRE_REDIS_URL is not set)\n"
            )
    if not url:
        running = f"; no `storywire run` serves {settings.data_dir / 'redis'}"
        raise SystemExit(
            f"storywire {command}: set STORYWIRE_REDIS_URL (the service's Redis)"
            + (running if find_running else "")
        )
    return redis.Redis.from_url(url, **options)


N = TypeVar("N", int, float)


def checked_number(
    kind: Callable[[str], N], check: Callable[[N], str | None]
) -> Callable[[str], N]:
    """An option's number (argparse ``type=``) of ``kind``, checked as the setting of the same
    meaning is."""

    def convert(text: str) -> N:
        value = kind(text)  # ValueError: argparse's "invalid value"
        reason = check(value)
        if reason:
            raise argparse.ArgumentTypeError(f"{text}: {reason}")
        return value

    return convert
