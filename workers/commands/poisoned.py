"""``storywire poisoned list|requeue|drop``: the task messages the delivery guard set aside.

A message delivered more than STORYWIRE_TASK_MAX_DELIVERIES times (each run killed its worker
process) is kept in Redis with its task and arguments instead of being run again
(tasks/poison.py). Operators read it here, then send it again once the cause is fixed, or drop
it. Each ``do_*`` function takes the client and an output stream, so tests drive them against a
real Redis.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any, TextIO

import orjson
import redis

from storywire.adapters.deliveries import brief, poisoned, remove
from storywire.settings import Settings
from workers.commands import chosen_ids, service_redis, service_url

Send = Callable[[dict[str, Any]], str]  # sends a record's task again; the new task id


def do_list(client: redis.Redis, out: TextIO, *, full: bool = False) -> int:
    """One JSON line per message set aside, oldest first; a batch's entries by their keys."""
    for record in poisoned(client):
        shown = record if full else {**record, "args": brief(record["args"])}
        out.write(orjson.dumps(shown).decode() + "\n")
    return 0


def do_requeue(client: redis.Redis, task_ids: Sequence[str] | None, out: TextIO, send: Send) -> int:
    """Send each chosen message again, under a new id so its delivery count starts afresh,
    and only then take it off the list: a send that fails leaves it there."""

    def requeue(record: dict[str, Any]) -> str:
        return f"requeued {record['task']} {record['id']} as {send(record)}"

    return _each(client, task_ids, out, requeue)


def do_drop(client: redis.Redis, task_ids: Sequence[str] | None, out: TextIO) -> int:
    return _each(client, task_ids, out, lambda r: f"dropped {r['task']} {r['id']}")


def _each(
    client: redis.Redis,
    task_ids: Sequence[str] | None,
    out: TextIO,
    act: Callable[[dict[str, Any]], str],
) -> int:
    """``act`` on the chosen records (None: all), each then removed; 1 if an id was unknown."""
    records = poisoned(client)
    chosen = records if task_ids is None else [r for r in records if r["id"] in task_ids]
    for record in chosen:
        line = act(record)
        remove(client, record["id"])
        out.write(line + "\n")
    missing = [i for i in task_ids or () if i not in {r["id"] for r in chosen}]
    for task_id in missing:
        sys.stderr.write(f"error: no poisoned message {task_id!r}\n")
    return 1 if missing else 0


def cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    return do_list(service_redis(settings, "poisoned"), sys.stdout, full=args.full)


def cmd_requeue(args: argparse.Namespace, settings: Settings) -> int:
    # The Celery app only here: the other commands never need it, nor its import time.
    import kombu.exceptions  # noqa: PLC0415

    from workers.app import app, broker_url  # noqa: PLC0415

    chosen = chosen_ids(args, "task")
    url = service_url(settings, "poisoned")
    # The broker the service's workers read: the app's own default (127.0.0.1:6379/0) is not
    # it when the URL was found from a `storywire run`, and a message sent there is lost.
    broker = broker_url(settings.broker_url or url)
    with redis.Redis.from_url(url) as client, app.connection_for_write(broker) as conn:

        def send(record: dict[str, Any]) -> str:
            sent = app.send_task(
                record["task"], args=record["args"], kwargs=record["kwargs"], connection=conn
            )
            return str(sent.id)

        # Not answering is OperationalError; refusing the login (a wrong AMQP password) is
        # the transport's own error, unwrapped (AccessRefused, a channel error): a traceback.
        broker_errors: tuple[type[BaseException], ...] = (
            kombu.exceptions.OperationalError,
            *conn.connection_errors,
            *conn.channel_errors,
        )
        try:
            return do_requeue(client, chosen, sys.stdout, send)
        except broker_errors as exc:
            sys.stderr.write(f"storywire poisoned: broker: {' '.join(str(exc).split())}\n")
            return 1


def cmd_drop(args: argparse.Namespace, settings: Settings) -> int:
    return do_drop(service_redis(settings, "poisoned"), chosen_ids(args, "task"), sys.stdout)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = sub.add_parser("poisoned", help="task messages set aside after too many deliveries")
    actions = command.add_subparsers(dest="action", required=True)
    shown = actions.add_parser("list", help="one JSON line per message, oldest first")
    shown.add_argument("--full", action="store_true", help="every argument, entries included")
    shown.set_defaults(func=cmd_list)
    for name, text, func in (
        ("requeue", "send again under a new id, then take off the list", cmd_requeue),
        ("drop", "take off the list for good", cmd_drop),
    ):
        action = actions.add_parser(name, help=text)
        action.add_argument("ids", nargs="*", metavar="ID", help="task ids from `list`")
        action.add_argument("--all", action="store_true", help="every message set aside")
        action.set_defaults(func=func, parser=action)
