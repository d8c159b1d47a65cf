"""``storywire consume``: read the event stream as a consumer group, print JSON lines, ack."""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from storywire.adapters.consumer import Consumer, start_id, type_glob
from storywire.settings import Settings, not_negative
from workers.commands import at_least_one, checked_number, service_redis


def consume(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """Print each event (its CloudEvent JSON, one line) and acknowledge it once printed."""
    # A read waits up to --block ms for events; redis-py 8 gives up any read after 5 s by
    # default, which would end a quiet wait of 5 s or more in a TimeoutError.
    client = service_redis(settings, "consume", socket_timeout=args.block / 1000 + 5)
    stream = args.stream or settings.stream
    consumer = Consumer(
        client,
        group=args.group,
        name=args.name,
        stream=stream,
        start=args.start,
        types=args.types or (),
        count=min(args.count or 100, 100),
        block_ms=args.block,
        claim_idle_ms=settings.consumer_claim_idle_ms,
        max_deliveries=settings.consumer_max_deliveries,
        # The configured dead-letter stream is the events stream's: any other stream (the dead
        # letters themselves, when triaged) gets its own, or a failure would feed it back in.
        dead_letter_stream=settings.dead_letter_stream if stream == settings.stream else None,
        stop_when_idle=args.exit_when_idle,
    )
    printed = 0
    try:
        for msg in consumer:
            line = msg.raw.decode()
            if args.with_stream_id:
                # Reclaimed entries come after later ones: an article's events are applied by
                # stream id (docs/events.md), which the event itself does not carry.
                line = f'{{"stream_id": "{msg.stream_id}", "event": {line}}}'
            out.write(line + "\n")
            out.flush()  # printed before acknowledged: a crash here means a redelivery, not a loss
            msg.ack()
            printed += 1
            if args.count and printed >= args.count:
                break
            if args.count:
                # Read no more than is left to print: entries read past the last one printed
                # would stay pending on this exiting consumer until the reclaim idle time.
                consumer.count = min(consumer.count, args.count - printed)
    except KeyboardInterrupt:
        pass
    finally:
        consumer.close()
        client.close()
        if consumer.trimmed:
            sys.stderr.write(
                f"storywire consume: {consumer.trimmed} entries were trimmed by retention before "
                f"group {args.group} read or acknowledged them (lost to the group)\n"
            )
        if consumer.regrouped:
            sys.stderr.write(
                f"storywire consume: the stream or group {args.group} vanished "
                f"{consumer.regrouped} time(s) (DEL, FLUSHALL, Redis lost its data); read again "
                "from the start of what the stream held since\n"
            )
    return 0


def _start(text: str) -> str:
    """``--from``, checked before any group is made or moved."""
    try:
        start_id(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc
    return text


def _type(text: str) -> str:
    """``--type``, checked before any group is made or moved: one that matches no event type
    would acknowledge every event unprinted."""
    try:
        return type_glob(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def cmd_consume(args: argparse.Namespace, settings: Settings) -> int:
    return consume(args, settings, sys.stdout)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "consume",
        help="read events as a consumer group member, print JSON lines, acknowledge them",
    )
    parser.add_argument("--group", required=True, help="consumer group (one per service)")
    parser.add_argument("--name", help="consumer name within the group (default: host-based)")
    parser.add_argument(
        "--from",
        dest="start",
        type=_start,
        help="replay: '$' (new only), '0' (all kept), a stream id (after it) or an ISO time "
        "(since it); moves an existing group. Default: a new group starts at '$'",
    )
    parser.add_argument(
        "--type",
        dest="types",
        action="append",
        type=_type,
        help="glob on the event type, e.g. 'storywire.story.*' (repeatable); events of "
        "other types are acknowledged unprinted: the group is done with them",
    )
    parser.add_argument(
        "--count",
        type=checked_number(int, at_least_one),  # Redis refuses a COUNT below 1
        help="stop after printing this many events",
    )
    parser.add_argument(
        "--block",
        # Below 0 a socket timeout out of range (a traceback), or a read that does not wait.
        type=checked_number(int, not_negative),
        default=5000,
        help="ms to wait for new events per read (default 5000; 0: do not wait)",
    )
    parser.add_argument(
        "--exit-when-idle", action="store_true", help="stop when a read returns nothing"
    )
    parser.add_argument("--stream", help="stream to read (default: $STORYWIRE_STREAM)")
    parser.add_argument(
        "--with-stream-id",
        action="store_true",
        help='print {"stream_id": ID, "event": EVENT} lines: the position to apply an '
        "article's events by and to resume --from",
    )
    parser.set_defaults(func=cmd_consume)
