"""Subcommands of ``storywire``: each module has ``register(subparsers)``; cli.py lists them."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any, TypeVar

import redis

from storywire.settings import Settings


def service_redis(settings: Settings, command: str, **options: Any) -> redis.Redis:
    """A client of the running service's Redis, for the operator commands that act on it; with
    none configured, the command stops with one line (an embedded Redis would be empty)."""
    if not settings.redis_url:
        raise SystemExit(f"storywire {command}: set STORYWIRE_REDIS_URL (the service's Redis)")
    return redis.Redis.from_url(settings.redis_url, **options)


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
