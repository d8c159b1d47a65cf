"""``storywire parked list|replay|drop``: events the sink's broker refused for good.

An event the broker will never take (larger than its max message size) is moved from the
outbox to the stream ``sw:outbox:parked`` instead of holding every later event back
(storywire.adapters.parked). Operators read it here, put it back at the outbox's tail once the
cause is fixed (the next drain sends it), or drop it. Each ``do_*`` function takes the client
and an output stream, so tests drive them against a real Redis.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TextIO

import orjson
import redis

from storywire.adapters.parked import ParkedEvent, parked, take
from storywire.adapters.redis_ledger import RedisLedger
from storywire.settings import Settings
from workers.commands import chosen_ids, service_redis


def do_list(client: redis.Redis, out: TextIO) -> int:
    """One JSON line per parked event (without its body), oldest first."""
    for event in parked(client, RedisLedger(client).outbox_key):
        shown = {
            "id": event.event_id,
            "type": event.type,
            "bytes": event.size,
            "reason": event.reason,
            "target": event.target,
            "parked_at": event.parked_at,
            "stream_id": event.stream_id,
        }
        out.write(orjson.dumps(shown).decode() + "\n")
    return 0


def do_replay(client: redis.Redis, event_ids: Sequence[str] | None, out: TextIO) -> int:
    """Back to the outbox's tail (after what waits there now), off the parked stream in the
    same step; 1 if an id was not parked."""
    return _take(client, event_ids, out, replay=True)


def do_drop(client: redis.Redis, event_ids: Sequence[str] | None, out: TextIO) -> int:
    return _take(client, event_ids, out, replay=False)


def _take(
    client: redis.Redis, event_ids: Sequence[str] | None, out: TextIO, *, replay: bool
) -> int:
    outbox = RedisLedger(client).outbox_key
    events = parked(client, outbox)
    chosen = events if event_ids is None else [e for e in events if e.event_id in event_ids]
    done: list[ParkedEvent] = take(client, outbox, chosen, replay=replay)
    verb = "replayed" if replay else "dropped"
    for event in done:
        out.write(f"{verb} {event.type} {event.event_id}\n")
    missing = [i for i in event_ids or () if i not in {e.event_id for e in done}]
    for event_id in missing:
        sys.stderr.write(f"error: no parked event {event_id!r}\n")
    return 1 if missing else 0


def cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    return do_list(service_redis(settings, "parked"), sys.stdout)


def cmd_replay(args: argparse.Namespace, settings: Settings) -> int:
    return do_replay(service_redis(settings, "parked"), chosen_ids(args, "event"), sys.stdout)


def cmd_drop(args: argparse.Namespace, settings: Settings) -> int:
    return do_drop(service_redis(settings, "parked"), chosen_ids(args, "event"), sys.stdout)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = sub.add_parser("parked", help="events the sink's broker refused for good")
    actions = command.add_subparsers(dest="action", required=True)
    shown = actions.add_parser("list", help="one JSON line per event, oldest first")
    shown.set_defaults(func=cmd_list)
    for name, text, func in (
        ("replay", "back to the outbox's tail, for the next drain", cmd_replay),
        ("drop", "take off the parked stream for good", cmd_drop),
    ):
        action = actions.add_parser(name, help=text)
        action.add_argument("ids", nargs="*", metavar="ID", help="event ids from `list`")
        action.add_argument("--all", action="store_true", help="every parked event")
        action.set_defaults(func=func, parser=action)
