"""The ``storywire`` command: the service's entry points and its operator tools."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from storywire.settings import Settings, SettingsError
from workers.commands import cluster, consume, parse, poisoned, service, sources
from workers.logging import configure_logging

# Each module adds its subcommands; add a module here to add a command.
COMMANDS = (service, cluster, consume, sources, parse, poisoned)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="storywire", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for module in COMMANDS:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        sys.stderr.write(f"storywire: {exc}\n")
        return 2
    configure_logging(settings.log_format, settings.log_level)
    return int(args.func(args, settings))


if __name__ == "__main__":
    raise SystemExit(main())
