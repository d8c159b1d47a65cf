"""``storywire cluster``: the story engine over a JSON-lines file, for backfills and evaluation."""

from __future__ import annotations

import argparse
import os
import signal
import stat
import sys
from pathlib import Path
from types import FrameType

import redis

from storywire.settings import Settings, not_negative, positive
from storywire.stories import MemoryStoryStore, Params, StoryEngine, StoryStore, cluster_file
from storywire.stories.redis_store import RedisStoryStore
from workers.commands import checked_number
from workers.commands.service import redis_url_for


def cmd_cluster(args: argparse.Namespace, settings: Settings) -> int:
    if _output_is_input(args.input, args.output):
        # The output is put in place of the input, which would be lost.
        sys.stderr.write(f"storywire cluster: --output is the --input file: {args.output}\n")
        return 2
    window, decay = args.window_hours, args.decay_hours
    params = Params(
        window_hours=settings.story_window_hours if window is None else window,
        decay_hours=settings.story_decay_hours if decay is None else decay,
    )
    try:
        if args.store == "memory":
            # The in-memory store passes the same contract tests as the Redis one, and is fastest.
            return _run(args, MemoryStoryStore(posting_cap=params.posting_cap), params)
        # A file's stories are its own: an embedded Redis is thrown away with the run, never
        # kept in the data directory, where the service's Redis keeps its data.
        with redis_url_for(settings, keep=False) as url:
            client = redis.Redis.from_url(url)
            store = RedisStoryStore.for_params(client, params, prefix=args.prefix)
            # Stories kept in a Redis of the user's stay there when the run is stopped.
            return _run(args, store, params, kept=bool(settings.redis_url))
    except ValueError as exc:
        sys.stderr.write(f"storywire cluster: {exc}\n")
        return 1


def _output_is_input(source: str, target: str) -> bool:
    """Whether ``target`` is the file read, by any path, or on standard input (``--input -
    < docs.jsonl``). A file named "-" is neither (``--input - --output -`` was refused where
    one was), nor is a terminal that both name (``/dev/stdin``, ``/dev/stdout``)."""
    if target == "-":
        return False
    try:
        written = os.stat(target)
        read = os.fstat(sys.stdin.fileno()) if source == "-" else os.stat(source)
    except (OSError, ValueError, AttributeError):  # none, or no descriptor (a test's stdin)
        return False
    same = (read.st_dev, read.st_ino) == (written.st_dev, written.st_ino)
    return same and stat.S_ISREG(written.st_mode)


def _run(args: argparse.Namespace, store: StoryStore, params: Params, *, kept: bool = False) -> int:
    # SIGTERM (a `timeout`, an orchestrator) ends the run as Ctrl-C does, through its cleanup:
    # by the default action it left the output's draft behind (``cluster_file`` puts the
    # output in place only at the end).
    previous = signal.signal(signal.SIGTERM, _terminated)
    try:
        return _clustered(args, store, params)
    except KeyboardInterrupt:
        return _stopped(args, "Ctrl-C", 128 + signal.SIGINT, kept=kept)
    except _Terminated as stop:
        return _stopped(args, "SIGTERM", stop.code, kept=kept)
    finally:
        signal.signal(signal.SIGTERM, previous)


class _Terminated(SystemExit):
    """SIGTERM, raised where the run is, so that its cleanup runs as for Ctrl-C."""

    code: int  # 128 + the signal's number


def _terminated(signum: int, frame: FrameType | None) -> None:
    raise _Terminated(128 + signum)


def _stopped(args: argparse.Namespace, by: str, status: int, *, kept: bool) -> int:
    """Said once the run's cleanup is done: the exit status alone left the user to guess
    whether the output was there, half there, or the earlier one."""
    if args.output == "-":
        where = "nothing was written to standard output"  # a stream gets it at the end
    elif not _is_file(args.output):  # a FIFO, /dev/null: written at the end, as a stream
        where = f"nothing was written to {args.output}"
    elif os.path.lexists(args.output):
        where = f"{args.output} was not written (the earlier file is left as it was)"
    else:
        where = f"{args.output} was not written"
    if kept:
        # A second run on that prefix reads the lines it meets again as repeats.
        where += (
            f"; the stories of the lines read so far stay in Redis under {args.prefix} (a "
            "new --prefix starts afresh)"
        )
    # A progress line redrawn on a terminal has no newline of its own.
    end = "\n" if not args.quiet and sys.stderr.isatty() else ""
    sys.stderr.write(f"{end}storywire cluster: stopped by {by}: {where}\n")
    return status


def _is_file(path: str) -> bool:
    """A regular file, or none yet (``cluster_file`` puts a draft in its place at the end)."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return True


def _clustered(args: argparse.Namespace, store: StoryStore, params: Params) -> int:
    # A file is a stream replayed, not news arriving now: an undated line takes the time of the
    # previous dated line (``cluster_file``), never the wall clock, so that the window and the
    # decay treat it as arriving in file order between its dated neighbours. Before the first
    # dated line: the latest time the store has (0 when empty).
    engine = StoryEngine(store, params, clock=store.latest)
    source = sys.stdin.buffer if args.input == "-" else Path(args.input)
    # Lines of held documents and of stories merged later are rewritten at the end, so
    # standard output gets a whole file once the run is done.
    target = sys.stdout.buffer if args.output == "-" else Path(args.output)
    report = cluster_file(source, target, engine, progress=not args.quiet, jobs=args.jobs)
    for reason in report.first_errors:
        sys.stderr.write(f"storywire cluster: {reason}\n")
    into = "standard output" if args.output == "-" else args.output
    sys.stderr.write(
        f"{report.clustered} documents clustered into {into} ({report.held} of them "
        "held for a later decision in the file)\n"
    )
    if report.repeated:
        # An id names one document: a repeat is read as a redelivery of it, not as a new text.
        sys.stderr.write(
            f"storywire cluster: {report.repeated} lines repeated an earlier line's id and got "
            "its story (their own title and text were not read)\n"
        )
    if report.empty:
        # Not an error, but a file whose fields are misnamed ("headline") looks just like this.
        sys.stderr.write(
            f"storywire cluster: {report.empty} lines had neither title nor text (each placed "
            "by its url's words at most, else a story of its own)\n"
        )
    if report.mended:
        # Clustered all the same: a stray byte of another encoding loses no document.
        sys.stderr.write(
            f"storywire cluster: {report.mended} lines had text that was not UTF-8 (bytes of "
            "another encoding, or half a surrogate pair): read with U+FFFD in its place\n"
        )
    if report.late:
        # Not an error either: a file listed newest first replays as a stream of late lines,
        # and the store keeps a window of stories, not the archive (docs/stories.md).
        sys.stderr.write(
            f"storywire cluster: {report.late} lines were dated more than a window "
            f"({params.window_hours:g} h) before the stream's clock when they came (is the "
            "file in time order?): each was compared only with the stories of its own time "
            "still kept\n"
        )
    if report.future:
        # Kept as dated: a wrong date cannot be told from a right one; but no news is from
        # after the run, and such a line's story stays live until the stream gets there.
        shown = ", ".join(map(str, report.first_future))
        more = ", ..." if report.future > len(report.first_future) else ""
        sys.stderr.write(
            f"storywire cluster: {report.future} lines were dated more than a day after this "
            f"run began (lines {shown}{more}): a mistyped year, a month and day swapped? Each "
            "kept its date, and its story stays live until the stream gets there\n"
        )
    if report.rejected:
        # Every other line was clustered; the exit status says the input needs a look.
        sys.stderr.write(
            f'storywire cluster: {report.rejected} lines rejected ("story": null and an '
            '"error" in their output lines)\n'
        )
        return 1
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    cluster = sub.add_parser(
        "cluster", help="assign documents of a JSON-lines file to stories (same engine as workers)"
    )
    cluster.add_argument(
        "--input",
        required=True,
        help='JSON lines: {"id","title"?,"text"?,"date"?,"outlet"?,"url"?}; id a non-empty '
        "string or an integer, the others strings (date ISO 8601, or RFC 2822 as RSS writes "
        "it) or null (absent); another type rejects the line. Gzip-compressed or not; - reads "
        "standard input",
    )
    cluster.add_argument(
        "--output",
        required=True,
        help='JSON lines: {"id","story"}, one per input line (blank lines skipped), same '
        'order; a rejected line gets story null and its "error"; - writes standard output '
        "(at the end)",
    )
    cluster.add_argument(
        "--store",
        choices=("memory", "redis"),
        default="memory",
        help="story state in memory (default) or in Redis: $STORYWIRE_REDIS_URL, else a "
        "throwaway embedded one",
    )
    cluster.add_argument(
        "--prefix",
        default="storywire:cluster",
        help="Redis key prefix for --store redis (default storywire:cluster)",
    )
    cluster.add_argument(
        "--window-hours",
        type=checked_number(float, positive),
        help="story time window (default $STORYWIRE_STORY_WINDOW_HOURS, 72)",
    )
    cluster.add_argument(
        "--decay-hours",
        type=checked_number(float, not_negative),
        help="similarity half-life in hours (default $STORYWIRE_STORY_DECAY_HOURS, 96; 0: off)",
    )
    cluster.add_argument(
        "--jobs",
        type=checked_number(int, positive),
        default=1,
        help="processes: this one assigns documents in file order, the others (jobs - 1) "
        "extract their features ahead of it; the output is the same (default 1)",
    )
    cluster.add_argument("--quiet", action="store_true", help="no progress bar")
    cluster.set_defaults(func=cmd_cluster)
