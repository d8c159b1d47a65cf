"""The ``storywire`` command: the service's entry points and its operator tools."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

import redis

from storywire.adapters.embedded_redis import EmbeddedRedisError
from storywire.settings import Settings, SettingsError
from workers.commands import (
    cluster,
    consume,
    health,
    parked,
    parse,
    poisoned,
    service,
    sources,
    stories,
)
from workers.logging import configure_logging

# Each module adds its subcommands; add a module here to add a command.
COMMANDS = (service, cluster, consume, sources, stories, parse, poisoned, parked, health)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="storywire", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for module in COMMANDS:
        module.register(sub)
    _describe(sub)
    return parser


def _describe(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Each command's help line also heads its own ``--help``, which otherwise opens on usage
    alone; written once, in ``add_parser(help=...)``."""
    for listed in sub._choices_actions:
        command = sub.choices[listed.dest]
        command.description = command.description or listed.help
        for action in command._actions:
            if isinstance(action, argparse._SubParsersAction):
                _describe(action)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        sys.stderr.write(f"storywire: {exc}\n")
        return 2
    configure_logging(settings.log_format, settings.log_level)
    return run_command(args, settings)


def run_command(args: argparse.Namespace, settings: Settings) -> int:
    """The command's exit status. What fails outside the program (a Redis that does not answer,
    a path that does not exist, a reader that stopped reading) is one line, not a traceback."""
    name = f"storywire {args.command}"
    try:
        return int(args.func(args, settings))
    except SettingsError as exc:  # a value given as an option, checked as its variable is
        return _fail(name, str(exc), 2)
    except BrokenPipeError:
        # Output piped into ``head`` that stops reading is the reader's choice. Python's
        # documented recipe: point stdout at devnull so the exit flush is quiet.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except redis.RedisError as exc:
        # Not listening, timed out, or refusing what the URL asks (a database past its
        # `databases`): outside the command all the same.
        return _fail(name, f"Redis: {exc}", 1)
    except (OSError, EmbeddedRedisError) as exc:
        return _fail(name, str(exc), 1)
    except KeyboardInterrupt:
        return 130


def _fail(name: str, reason: str, status: int) -> int:
    sys.stderr.write(f"{name}: {' '.join(reason.split())}\n")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
