"""``storywire sources add|list|show|disable|enable|remove|load|import-opml|export-opml``.

Operators manage the sources in the Redis at ``STORYWIRE_REDIS_URL`` while the service runs:
the beat picks changes up on its next dispatch. Each ``do_*`` function takes the store and an
output stream, so tests drive them against a real Redis without a subprocess. Errors and
warnings go to stderr, so a script reading the output never mistakes one for a source.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

import orjson

from storywire.adapters.http import FetchPolicy, HttpFetcher
from storywire.adapters.politeness import Budget, DomainPoliteness
from storywire.adapters.redis_sources import RedisSourceStore
from storywire.fetching import Discovery, discover
from storywire.models import SOURCE_DEFAULTS, Source
from storywire.opml import OpmlError, read_opml, to_opml
from storywire.proxies import Proxies
from storywire.settings import Settings
from storywire.sources import (
    PrivateHostError,
    SourceConfigError,
    SourceState,
    load_sources,
    parse_sources,
    relocated,
)
from storywire.urls import redacted_text, redacted_url
from workers.commands import service_redis


def do_add(
    store: RedisSourceStore,
    raw: dict[str, Any],
    out: TextIO,
    *,
    now: float | None = None,
    discover: Callable[[str, bool], Discovery] | None = None,
) -> int:
    """Add a source, or update a known one: an update changes only the settings ``raw`` gives
    (None: back to the default) and keeps every other one, rules included. With ``discover``
    (URL, allow_private), its URL is fetched first: a site's page in place of a feed stands for
    the first feed it advertises, and a page advertising none is refused; a URL that cannot be
    checked (no network) is added as given, with a warning."""
    stored = store.get(str(raw.get("id", "")))
    given = _settings(raw if stored is None else _updated(stored, raw))
    source = _one_source(given)
    if isinstance(source, int):
        return source
    if discover is not None:
        url = _feed_url(source.url, discover(source.url, source.allow_private))
        if url is None:
            return 1
        if url != source.url:
            source = _one_source({**given, "url": url})
            if isinstance(source, int):
                return source
    # Two ids for one feed would poll it twice, spending its domain's budget twice: one feed
    # however its URL is spelt ("http://www.", a fragment, a click marker such as utm_source).
    twin = store.polled_by(source.url)
    if twin is not None and twin != source.id:
        _error(f"{redacted_url(source.url)} is already polled by {twin!r}")
        return 1
    store.upsert([source], now=time.time() if now is None else now)
    if stored is None:
        out.write(f"added {source.id} {redacted_url(source.url)}\n")
        return 0
    # As stored: the URL a confirmed permanent redirect moved the source from stays moved.
    source = store.get(source.id) or source
    changes = _changes(stored, source)
    out.write(
        f"updated {source.id} {redacted_url(source.url)}{'' if changes else ' (no change)'}\n"
    )
    out.writelines(changes)
    return 0


def _updated(stored: Source, raw: dict[str, Any]) -> dict[str, Any]:
    """The settings of ``stored`` with those ``raw`` gives. A domain that is its URL's own
    (the default) follows a new URL; one the operator set stays (``relocated``)."""
    return {**relocated(stored, str(raw["url"])).to_dict(), **raw}


def _settings(raw: dict[str, Any]) -> dict[str, Any]:
    # None puts a setting back to its default: parse_sources fills in what is not given.
    return {name: value for name, value in raw.items() if value is not None}


def _changes(before: Source, after: Source) -> list[str]:
    """One line per setting that differs, values as JSON (a string quoted, none as null)."""
    old, new = before.to_dict(), after.to_dict()
    return [f"  {_change(name, old[name], new[name])}" for name in new if old[name] != new[name]]


def _change(name: str, old: Any, new: Any) -> str:
    if name == "url":
        old, new = redacted_url(old), redacted_url(new)
    line = f"{name}: {orjson.dumps(old).decode()} -> {orjson.dumps(new).decode()}"
    # What upsert does to a source given a new URL (storywire.sources.URL_BOUND).
    return f"{line} (due now, with a fresh failure run)\n" if name == "url" else f"{line}\n"


def _one_source(raw: dict[str, Any]) -> Source | int:
    """The source ``raw`` describes, or the exit status of its refusal (said on stderr)."""
    try:
        (source,) = parse_sources([raw], origin="sources add")
    except PrivateHostError as exc:
        # The flag is what is missing.
        _error(f"{exc} (--allow-private)")
        return 2
    except SourceConfigError as exc:
        # A malformed option: 2, as for a malformed sources file.
        _error(str(exc))
        return 2
    return source


def _feed_url(url: str, found: Discovery) -> str | None:
    """The URL to store for ``url``, given what it serves; None when nothing is to be added."""
    if found.problem is not None:
        sys.stderr.write(f"warning: could not check {redacted_url(url)} for feeds "
                         f"({found.problem}); "
                         "kept as given\n")  # fmt: skip
        return url
    if found.page is None:
        return url
    page = f"{redacted_url(url)} is an HTML page ({found.page.title!r})"
    if not found.page.feeds:
        _error(f"{page} and advertises no feed; nothing added (--no-discover adds it as given)")
        return None
    first, *others = found.page.feeds
    sys.stderr.write(
        f"discovered: {page}; adding the first feed it advertises: {redacted_url(first)}\n"
    )
    sys.stderr.writelines(
        f"discovered: it also advertises {redacted_url(other)}\n" for other in others
    )
    return first


def do_list(store: RedisSourceStore, out: TextIO, *, now: float | None = None) -> int:
    now = time.time() if now is None else now
    # Read everything first: a header alone, or half a table, would read as fewer sources.
    sources = store.all()
    records = store.overview([s.id for s in sources])
    rows = [_list_row(s, *record, now) for s, record in zip(sources, records, strict=True)]
    out.write(f"{'id':<24} {'status':<9} {'next':>8} {'fails':>5} {'last':<14} url\n")
    out.writelines(rows)
    return 0


def _list_row(
    source: Source, state: SourceState, due: float | None, polling: bool, now: float
) -> str:
    status = (
        "disabled" if state.disabled_reason else ("failing" if state.consecutive_failures else "ok")
    )
    # A claimed source's due time is its lease's end, minutes off: it is polled now.
    when = (
        "polling" if polling else "-" if due is None else "due" if due <= now else _ago(due - now)
    )
    last = state.last_outcome or "never"
    return (
        f"{source.id:<24} {status:<9} {when:>8} {state.consecutive_failures:>5} "
        f"{last:<14} {redacted_url(source.url)}\n"
    )


def do_show(
    store: RedisSourceStore,
    source_id: str,
    out: TextIO,
    *,
    politeness: DomainPoliteness | None = None,
    now: float | None = None,
) -> int:
    """The source, its health record, its outcome counters and why it may be waiting."""
    source = store.get(source_id)
    if source is None:
        _error(f"no source {source_id!r}")
        return 1
    now = time.time() if now is None else now
    state = store.state(source_id)
    due = store.next_poll(source_id)
    # The URLs and the error as any log line shows them: a paid feed's token stays out of a
    # pasted `sources show` (`sources export-opml` gives the URLs as they are polled).
    health = asdict(state)
    for name in ("redirect_url", "moved_from"):
        health[name] = health[name] and redacted_url(health[name])
    health["last_error"] = health["last_error"] and redacted_text(health["last_error"])
    record: dict[str, Any] = {
        "source": {**source.to_dict(), "url": redacted_url(source.url)},
        "next_poll": _iso(due),
        "next_poll_in_seconds": None if due is None else round(due - now, 1),
        "polling": store.polling(source_id),
        "health": {k: _iso(v) if k in _TIMES else v for k, v in health.items()},
        "outcomes": store.outcomes(source_id),
    }
    if politeness is not None:
        record["domain_blocked_for_seconds"] = round(
            politeness.blocked_for(source.domain, now=now), 1
        )
    out.write(orjson.dumps(record, option=orjson.OPT_INDENT_2).decode() + "\n")
    return 0


def do_disable(store: RedisSourceStore, source_id: str, reason: str, out: TextIO) -> int:
    if not store.disable(source_id, reason, now=time.time()):
        _error(f"no source {source_id!r}")
        return 1
    out.write(f"disabled {source_id}: {reason}\n")
    return 0


def do_enable(store: RedisSourceStore, source_id: str, out: TextIO) -> int:
    if not store.enable(source_id, now=time.time()):
        _error(f"no source {source_id!r}")
        return 1
    out.write(f"enabled {source_id}: due now\n")
    return 0


def do_remove(store: RedisSourceStore, source_id: str, out: TextIO) -> int:
    if not store.remove(source_id):
        _error(f"no source {source_id!r}")
        return 1
    out.write(f"removed {source_id}\n")
    return 0


def do_load(store: RedisSourceStore, path: Path, out: TextIO, *, now: float | None = None) -> int:
    """Add or update every source of a sources file, as `storywire run` does when it starts;
    sources the file does not name are left as they are. Those given a new URL are named."""
    try:
        sources = load_sources(path)
    except SourceConfigError as exc:
        # A configuration error, 2, as `storywire run` and `demo` say of the same file.
        _error(str(exc))
        return 2
    known = store.known([s.id for s in sources])
    moved = store.upsert(sources, now=time.time() if now is None else now)
    updated = sum(s.id in known for s in sources)
    out.write(
        f"loaded {len(sources)} sources from {path} "
        f"({len(sources) - updated} added, {updated} updated)\n"
    )
    out.writelines(f"  {s.id} {_change('url', moved[s.id], s.url)}" for s in sources
                   if s.id in moved)  # fmt: skip
    return 0


def do_import_opml(store: RedisSourceStore, data: bytes, out: TextIO) -> int:
    """Import what can be imported; exit 1 when an outline had to be skipped as invalid.
    Outlines on a private or loopback host are left out and named, which is not a failure;
    nor are outlines that are no feed (notes, links, empty folders), named as ignored."""
    try:
        read = read_opml(data, known={s.id: s.url for s in store.all()})
    except OpmlError as exc:
        _error(str(exc))
        return 1
    store.upsert(read.sources, now=time.time())
    updated = len(read.updates)
    # Always every count, in one order, so a script reads the line with one pattern.
    out.write(
        f"imported {len(read.sources)} sources "
        f"({len(read.sources) - updated} added, {updated} updated); "
        f"{read.already_polled} already polled, {read.duplicates} duplicate outline"
        f"{'s' if read.duplicates != 1 else ''}, {len(read.skipped)} skipped, "
        f"{len(read.private)} private, {len(read.ignored)} ignored\n"
    )
    for reason in read.skipped:
        sys.stderr.write(f"skipped: {redacted_text(reason)}\n")
    # Not a failure: the operator decides, one by one, with `sources add --allow-private`.
    for reason in read.private:
        sys.stderr.write(f"private: {redacted_text(reason)}\n")
    for reason in read.ignored:
        sys.stderr.write(f"ignored: {redacted_text(reason)}\n")
    return 1 if read.skipped else 0


def do_export_opml(store: RedisSourceStore) -> bytes:
    return to_opml(store.all())


def _error(reason: str) -> None:
    sys.stderr.write(f"error: {redacted_text(reason)}\n")


_TIMES = frozenset({"failing_since", "last_success", "last_attempt", "newest_entry",
                    "last_unconditional", "disabled_at"})  # fmt: skip


def _iso(value: Any) -> Any:
    if value is None:
        return None
    return datetime.fromtimestamp(float(value), tz=UTC).isoformat().replace("+00:00", "Z")


def _ago(seconds: float) -> str:
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    if seconds < 120:
        return f"{sign}{seconds:.0f}s"
    if seconds < 7200:
        return f"{sign}{seconds / 60:.0f}m"
    return f"{sign}{seconds / 3600:.1f}h"


def _store(settings: Settings) -> RedisSourceStore:
    return RedisSourceStore(service_redis(settings, "sources"))


def cmd_add(args: argparse.Namespace, settings: Settings) -> int:
    raw: dict[str, Any] = {"id": args.id, "url": args.url}
    # Only what the command line gives: an update keeps the rest.
    for name in ("outlet", "domain", "min_interval", "max_interval", "timezone", "folder",
                 "allow_private", "full_text"):  # fmt: skip
        value = getattr(args, name)
        if value is not None:
            raw[name] = None if value == "" else value  # "": back to the default
    store = _store(settings)  # no Redis, no fetch
    if args.no_discover:
        return do_add(store, raw, sys.stdout)
    # The limits, SSRF guard and User-Agent of a poll, under the source's allow_private.
    policy = FetchPolicy.from_settings(settings)
    now = time.time()
    with HttpFetcher(proxies=Proxies.from_env()) as fetcher:

        def found(url: str, allow_private: bool) -> Discovery:
            allowed = replace(policy, allow_private=allow_private)
            return discover(url, fetcher=fetcher, policy=allowed, now=now)

        return do_add(store, raw, sys.stdout, discover=found)


def cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    return do_list(_store(settings), sys.stdout)


def cmd_show(args: argparse.Namespace, settings: Settings) -> int:
    client = service_redis(settings, "sources")
    budget = Budget(settings.domain_requests_per_minute, settings.domain_burst)
    polite = DomainPoliteness(client, budget)
    return do_show(RedisSourceStore(client), args.id, sys.stdout, politeness=polite)


def cmd_disable(args: argparse.Namespace, settings: Settings) -> int:
    return do_disable(_store(settings), args.id, args.reason, sys.stdout)


def cmd_enable(args: argparse.Namespace, settings: Settings) -> int:
    return do_enable(_store(settings), args.id, sys.stdout)


def cmd_remove(args: argparse.Namespace, settings: Settings) -> int:
    return do_remove(_store(settings), args.id, sys.stdout)


def cmd_load(args: argparse.Namespace, settings: Settings) -> int:
    return do_load(_store(settings), Path(args.file or settings.sources_file), sys.stdout)


def cmd_import_opml(args: argparse.Namespace, settings: Settings) -> int:
    data = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
    return do_import_opml(_store(settings), data, sys.stdout)


def cmd_export_opml(args: argparse.Namespace, settings: Settings) -> int:
    document = do_export_opml(_store(settings))
    if args.file == "-":
        sys.stdout.buffer.write(document)
    else:
        Path(args.file).write_bytes(document)
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sources = sub.add_parser("sources", help="manage the polled sources in Redis")
    actions = sources.add_subparsers(dest="action", required=True)
    add = actions.add_parser(
        "add",
        help="add one source, or update it: only the settings given change",
        description="Add a source, or update a known id: an update changes only the URL and "
        "the options given and keeps every other setting (its rules too); an empty value "
        "(--folder '') puts an option back to its default, and --no-full-text and "
        "--no-allow-private turn those off. A new URL is due now, without the old one's "
        "validators, redirect count, failure run, backoff or disabling.",
    )
    add.add_argument("id")
    add.add_argument("url")
    add.add_argument("--outlet", help="the name events credit (default: the id)")
    add.add_argument("--domain", help="politeness budget key (default: registrable domain)")
    add.add_argument(
        "--min-interval",
        type=float,
        dest="min_interval",
        help=f"seconds (default {SOURCE_DEFAULTS['min_interval']:g})",
    )
    add.add_argument(
        "--max-interval",
        type=float,
        dest="max_interval",
        help=f"seconds (default {SOURCE_DEFAULTS['max_interval']:g})",
    )
    add.add_argument(
        "--allow-private",
        action=argparse.BooleanOptionalAction,
        help="may reach private addresses (default: no)",
    )
    add.add_argument(
        "--full-text",
        action=argparse.BooleanOptionalAction,
        help="fetch each teaser entry's page for its text (default: no)",
    )
    add.add_argument(
        "--timezone",
        metavar="ZONE",
        help="IANA zone of the outlet's zone-less feed dates (default: UTC)",
    )
    add.add_argument("--folder", help='the operator\'s folder, "News/World" (default: none)')
    add.add_argument(
        "--no-discover",
        action="store_true",
        dest="no_discover",
        help="store URL as given, without fetching it to find the feed a site's page advertises",
    )
    add.set_defaults(func=cmd_add)
    actions.add_parser(
        "list", help="one line per source: status, next poll, failures"
    ).set_defaults(func=cmd_list)
    for name, text, func in (
        ("show", "the health record and outcome counters", cmd_show),
        ("enable", "poll again now, with a clean failure run", cmd_enable),
        ("remove", "forget the source and its record", cmd_remove),
    ):
        action = actions.add_parser(name, help=text)
        action.add_argument("id")
        action.set_defaults(func=func)
    disable = actions.add_parser("disable", help="stop polling, keep the record")
    disable.add_argument("id")
    disable.add_argument(
        "--reason",
        default="disabled by operator",
        help="kept in its record, shown by `sources show` (default: disabled by operator)",
    )
    disable.set_defaults(func=cmd_disable)
    load = actions.add_parser("load", help="add or update the sources of a sources TOML file")
    load.add_argument("file", nargs="?", help="sources file (default: $STORYWIRE_SOURCES_FILE)")
    load.set_defaults(func=cmd_load)
    imp = actions.add_parser("import-opml", help="add the feeds of an OPML file")
    imp.add_argument("file", help="OPML file, or - for stdin")
    imp.set_defaults(func=cmd_import_opml)
    exp = actions.add_parser("export-opml", help="write every source as OPML 2.0")
    exp.add_argument("file", nargs="?", default="-", help="output file (default: stdout)")
    exp.set_defaults(func=cmd_export_opml)
