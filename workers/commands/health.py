"""``storywire health beat``: the beat's liveness check, for an orchestrator's probe."""

from __future__ import annotations

import argparse
import sys
import time

from storywire.adapters.redis_metrics import last_beat_send
from storywire.metrics import BEAT_MAX_AGE, beat_stale
from storywire.settings import Settings, positive
from workers.commands import checked_number, service_redis


def cmd_beat(args: argparse.Namespace, settings: Settings) -> int:
    # Bounded: a probe that hangs on a Redis that stopped answering outlives its timeout.
    client = service_redis(settings, "health", socket_timeout=2, socket_connect_timeout=2)
    with client:
        why = beat_stale(last_beat_send(client), now=time.time(), max_age=args.max_age)
    if why:
        sys.stderr.write(f"storywire health beat: {why}\n")
        return 1
    sys.stdout.write("beat ok\n")
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    health = sub.add_parser("health", help="liveness checks for an orchestrator's probes")
    kinds = health.add_subparsers(dest="kind", required=True)
    beat = kinds.add_parser("beat", help="exit 0 while the beat sends its tasks, else 1")
    beat.add_argument(
        "--max-age",
        type=checked_number(float, positive),
        default=BEAT_MAX_AGE,
        help=f"seconds since the beat's last send before it counts as stopped "
        f"(default {BEAT_MAX_AGE:g})",
    )
    beat.set_defaults(func=cmd_beat)
