"""Subcommands of ``storywire``: each module has ``register(subparsers)``; cli.py lists them."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import redis

from storywire.adapters.embedded_redis import running_url
from storywire.settings import Settings


def service_url(settings: Settings, command: str, *, find_running: bool = True) -> str:
    """The running service's Redis, for a command that joins it: ``STORYWIRE_REDIS_URL``, else
    (``find_running``) the embedded Redis a `storywire run` serves from the data directory,
    named on stderr. With neither, the command stops with one line: an embedded Redis of its
    own would be empty and serve nobody. A worker or beat never takes the embedded one: `run`
    has its own, and a second beat would schedule every poll twice."""
    url = settings.redis_url
    where = settings.data_dir / "redis"
    if not url and find_running:
        url = running_url(where)
        if url:
            sys.stderr.write(
                f"storywire {command}: using {url}, the embedded Redis of the `storywire run` "
                f"on {where} (STORYWIRE_REDIS_URL is not set)\n"
            )
    if not url:
        running = f"; no `storywire run` serves {where}" if find_running else ""
        raise SystemExit(
            f"storywire {command}: set STORYWIRE_REDIS_URL (the service's Redis){running}"
        )
    return url


def service_redis(settings: Settings, command: str, **options: Any) -> redis.Redis:
    """A client of the running service's Redis (``service_url``) for an operator command."""
    return redis.Redis.from_url(service_url(settings, command), **options)


def chosen_ids(args: argparse.Namespace, kind: str) -> Sequence[str] | None:
    """The ids an action was given, or None for ``--all``; one or the other (usage error, exit
    2). ``kind`` names them ("task", "event")."""
    if bool(args.ids) == args.all:
        args.parser.error(f"give {kind} ids or --all")
    return None if args.all else list(args.ids)


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

    # argparse names the converter in "invalid <name> value": "float", not "convert".
    convert.__name__ = kind.__name__
    return convert


def at_least_one(count: int) -> str | None:
    """The check of a count option (``checked_number(int, at_least_one)``)."""
    return None if count >= 1 else "must be at least 1"
