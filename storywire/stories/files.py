"""``cluster_file``: the story engine over a JSON-lines file, for backfills and evaluation."""

from __future__ import annotations

import email.utils
import gc
import gzip
import io
import json
import multiprocessing
import os
import queue
import shutil
import signal
import stat
import sys
import tempfile
import threading
import time
import zlib
from array import array
from collections import deque
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import partial
from multiprocessing.connection import Connection
from pathlib import Path
from typing import IO, Any, BinaryIO, TypeAlias, cast

import orjson

from storywire import jsontext
from storywire.models import parse_iso, utc
from storywire.stories.engine import StoryEngine, features_of
from storywire.stories.features import DocFeatures
from storywire.stories.model import Assignment, Doc, Params

_BATCH = 256
_ERRORS_KEPT = 20


@dataclass(frozen=True, slots=True)
class Rejected:
    """An input line that is not a usable document: it gets an output line with its reason."""

    id: str | None  # the line's id where it had a usable one
    reason: str  # "line N: ..."


@dataclass(frozen=True, slots=True)
class FileReport:
    """What ``cluster_file`` did with its input's lines."""

    clustered: int  # documents assigned to a story
    rejected: int  # lines written out with ``"story": null`` and an ``"error"``
    first_errors: tuple[str, ...]  # the first rejected lines' reasons
    held: int = 0  # documents held (``Params.defer_below``) and decided later in the file
    repeated: int = 0  # lines whose id an earlier line had: they got that line's story
    empty: int = 0  # documents with neither title nor text (see ``_is_empty``)
    # documents dated more than a window before the stream's clock when they came (a file out
    # of time order): compared only with the stories of their time still kept
    late: int = 0
    mended: int = 0  # lines whose text was not all UTF-8: read with U+FFFD (``read_docs``)
    # lines dated more than a day after the run began (a mistyped year, a month and day
    # swapped): clustered, keeping their dates; and the first of their line numbers
    future: int = 0
    first_future: tuple[int, ...] = ()


class _Integer(str):
    """An id the input gave as a JSON integer: clustered as its digits, and written back as
    the integer it was. A scorer that joins the output with its own labels by id found no
    line of an integer-id corpus when ``17`` came back as ``"17"``."""

    __slots__ = ()


def _usable_id(raw: Any) -> str | None:
    """The line's id as a string: a non-empty string or an integer (not a boolean)."""
    doc_id = raw.get("id") if isinstance(raw, dict) else None
    if isinstance(doc_id, int) and not isinstance(doc_id, bool):
        return _Integer(doc_id)
    if not isinstance(doc_id, str) or doc_id == "":
        return None
    return doc_id


def _row(doc_id: str | None, story: str | None, error: str | None = None) -> bytes:
    """An output line: the id as the input wrote it (an integer past 64 bits too, which orjson
    cannot write), the story, and the error of a line that is no document."""
    shown = doc_id.encode() if isinstance(doc_id, _Integer) else orjson.dumps(doc_id)
    rest = {"story": story} if error is None else {"story": story, "error": error}
    return b'{"id":' + shown + b"," + orjson.dumps(rest)[1:] + b"\n"


def _optional_str(raw: dict[str, Any], key: str, line_no: int) -> str | None:
    """Every field but the id: absent or null is None, a string itself, anything else wrong."""
    value = raw.get(key)
    if value is None or isinstance(value, str):
        return value
    raise ValueError(
        f"line {line_no}: {key!r} must be a string or null, got {type(value).__name__}"
    )


def doc_from_json(raw: Any, line_no: int) -> Doc:
    """A ``Doc`` from one decoded input line; ValueError naming the line when it is unusable."""
    if not isinstance(raw, dict):
        raise ValueError(f"line {line_no}: expected a JSON object, got {type(raw).__name__}")
    doc_id = _usable_id(raw)
    if doc_id is None:
        raise ValueError(f"line {line_no}: {_id_fault(raw)}")
    title, text, date, outlet, url = (
        _optional_str(raw, key, line_no) for key in ("title", "text", "date", "outlet", "url")
    )
    published = None
    if date is not None:
        try:
            published = parse_iso(date)
        # OverflowError: a date at the edge of datetime's range whose zone takes it past
        # (year 1 at +01:00, year 9999 at -01:00) is a bad line, not the end of the run.
        except (ValueError, OverflowError) as exc:
            published = _rfc2822(date)
            if published is None:
                raise ValueError(f"line {line_no}: bad 'date' {date!r}: {exc}") from exc
    return Doc(
        id=doc_id, title=title or "", text=text or "", published=published, outlet=outlet, url=url
    )


def _id_fault(raw: dict[str, Any]) -> str:
    """What is wrong with an unusable id: "missing or invalid" named neither."""
    if "id" not in raw:
        return "missing 'id'"
    value = raw["id"]
    if value is None or value == "":
        return "'id' is null" if value is None else "'id' is an empty string"
    # A number's value says why it is refused (1.0 is no integer: its digits name no id).
    shown = f" {orjson.dumps(value).decode()}" if isinstance(value, bool | float) else ""
    return f"'id' must be a non-empty string or an integer, got {type(value).__name__}{shown}"


def _rfc2822(date: str) -> datetime | None:
    """An RSS item's own date, kept as the feed wrote it ("Sun, 01 Nov 2026 10:00:00 GMT"):
    not ISO 8601, but as unambiguous. A time with no zone ("-0000") is UTC."""
    try:
        return utc(email.utils.parsedate_to_datetime(date))
    except (TypeError, ValueError, OverflowError):
        return None


def _is_empty(doc: Doc) -> bool:
    """No title and no text: only a link's words, if any, can place the document in a story;
    without a link it starts one of its own. Worth counting: misnamed fields look like this."""
    return (not doc.title or doc.title.isspace()) and (not doc.text or doc.text.isspace())


def read_docs(
    handle: Iterable[bytes],
    mended: Callable[[], object] = lambda: None,
    *,
    future: tuple[datetime, Callable[[int], object]] | None = None,
) -> Iterator[Doc | Rejected]:
    """Documents of a JSON-lines stream in order, or why a line is not one; blank lines are
    skipped. A line's text that is not UTF-8 (stray bytes of another encoding, half an emoji)
    is read as U+FFFD, as browsers do, and ``mended`` is called: one bad byte in a body would
    otherwise lose the document. ``future`` (a time, a call): called with the line number of
    each document dated after that time."""
    line_no, lines = 0, iter(handle)
    while True:
        line_no += 1
        try:
            line = next(lines)
        except StopIteration:
            return
        except (EOFError, OSError, zlib.error) as exc:  # a truncated or corrupt gzip stream
            yield Rejected(None, f"line {line_no}: the input breaks off here: {exc}")
            return
        if not line.strip():
            continue
        try:
            raw, repaired = jsontext.loads(line, bad_bytes="replace")
        except ValueError as exc:
            yield Rejected(None, f"line {line_no}: not valid JSON: {exc}")
            continue
        if repaired:
            mended()
        if isinstance(raw, dict) and isinstance(raw.get("id"), float):
            raw["id"] = _exact_id(line, raw["id"])
        try:
            doc = doc_from_json(raw, line_no)
        except ValueError as exc:
            yield Rejected(_usable_id(raw), str(exc))
            continue
        if future is not None and doc.published is not None and doc.published > future[0]:
            future[1](line_no)
        yield doc


def _exact_id(line: bytes, read: float) -> Any:
    """The id as written: orjson reads an integer past 64 bits as a float, so such an id (a
    128-bit hash written as a number) was refused, and two a unit apart were one float. The
    standard library's decoder keeps integers whole; a line orjson read is valid UTF-8, so it
    reads it too."""
    try:
        return json.loads(line).get("id", read)
    except (ValueError, RecursionError):
        return read


def _dated_by_neighbour(items: Iterator[Doc | Rejected]) -> Iterator[Doc | Rejected]:
    """Documents in file order, each undated one placed at the previous dated line's time.

    A file is a stream replayed: an undated line arrived between its neighbours. The store's
    latest time (the engine's clock in ``storywire cluster``) is that only while dates go
    forwards; in a file listed newest first it is days from the line's neighbours. Before the
    first dated line the engine's clock stands in (0, or the latest time a Redis store kept)."""
    previous: datetime | None = None
    for item in items:
        if isinstance(item, Doc):
            if item.published is not None:
                previous = item.published
            elif previous is not None:
                yield replace(item, published=previous, dated=False)
                continue
        yield item


_LOG_EVERY = 10.0  # seconds between progress lines when stderr is no terminal


class _Progress:
    """Progress on stderr: one line redrawn at most twice a second on a terminal; elsewhere (a
    log file, a CI job, a pipe) a whole line every ``_LOG_EVERY`` seconds, where redrawing with
    carriage returns would leave one ever-growing line."""

    def __init__(self, total_bytes: int, enabled: bool) -> None:
        self.total = total_bytes  # 0: unknown (standard input)
        self.enabled = enabled
        self.redraw = enabled and sys.stderr.isatty()
        self.every = 0.5 if self.redraw else _LOG_EVERY
        self.start = time.monotonic()
        self.last = self.start

    def update(self, docs: int, done_bytes: int, *, final: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not final and now - self.last < self.every:
            return
        self.last = now
        rate = docs / max(now - self.start, 1e-9)
        share = ""  # no share of an input whose size is unknown
        if self.total:
            pct = 100.0 if final else min(100.0, 100.0 * done_bytes / self.total)
            share = f"{pct:5.1f}% "
        line = f"clustering {share}{docs:,} docs {rate:,.0f} docs/s"
        if self.redraw:
            sys.stderr.write(f"\r{line}" + ("\n" if final else ""))
        else:
            sys.stderr.write(line + "\n")
        sys.stderr.flush()


# The input's lines as UTF-8, how many of its bytes were read so far, and how many there are.
_Input: TypeAlias = "tuple[Iterable[bytes], Callable[[], int], int]"


@contextmanager
def _reading(source: Path | BinaryIO) -> Iterator[_Input]:
    """The input's lines as UTF-8, decompressed if they are gzip's (told by their first two
    bytes, not by a name: standard input has none) and transcoded if they are UTF-16 or
    UTF-32, with how many of its bytes were read so far and how many there are (0: unknown,
    as a pipe's)."""
    raw = source.open("rb") if isinstance(source, Path) else source
    # Standard input is buffered, as a file opened "rb" is: its first bytes can be seen
    # without consuming them (anything else is buffered here, and left open).
    wrapped = None if isinstance(raw, io.BufferedReader) else io.BufferedReader(cast(Any, raw))
    buffered = wrapped or cast(io.BufferedReader, raw)
    try:
        try:
            info = os.fstat(raw.fileno())
            size = info.st_size if stat.S_ISREG(info.st_mode) else 0
        except (OSError, ValueError):  # no descriptor (io.UnsupportedOperation)
            size = 0
        read = raw.tell if size else lambda: 0
        bytes_in: io.BufferedReader | gzip.GzipFile = buffered
        if buffered.peek(2)[:2] == b"\x1f\x8b":
            bytes_in = gzip.GzipFile(fileobj=buffered)
        # JSON's own rule (RFC 4627): where the zeros of the first four bytes fall tells
        # UTF-16 and UTF-32 from UTF-8. Windows PowerShell's ">" writes UTF-16: read as UTF-8,
        # every line was "not valid JSON", and one more line came of the last newline.
        encoding = json.detect_encoding(bytes_in.peek(4)[:4])
        if encoding.startswith(("utf-16", "utf-32")):
            text = io.TextIOWrapper(
                cast(IO[bytes], bytes_in), encoding=encoding, errors="replace", newline="\n"
            )
            try:
                yield (line.encode("utf-8", "surrogatepass") for line in text), read, size
            finally:
                text.detach()  # closed, it would close the caller's stream
        else:
            yield bytes_in, read, size
    finally:
        if wrapped is not None:
            wrapped.detach()  # closing it, as collecting it would, closes the caller's stream
        if isinstance(source, Path):
            raw.close()


def cluster_file(
    input_path: Path | BinaryIO,
    output_path: Path | BinaryIO,
    engine: StoryEngine,
    *,
    progress: bool = True,
    jobs: int = 1,
) -> FileReport:
    """Assign every document of ``input_path`` (JSON lines, arrival order; a file or a stream
    such as standard input, gzip-compressed or not) to a story and write ``{"id", "story"}``
    lines to ``output_path`` (a file, or a stream such as standard output, written once the
    run is done) in the same order.

    A line that is not a usable document stops nothing: its output line is ``{"id", "story":
    null, "error": "line N: ..."}`` (id null when it had none), so the output still has one
    line per input line and a backfill loses no other document to one bad line.

    ``jobs`` > 1: ``jobs - 1`` more processes extract the documents' features (a third of the
    work, pure), a few batches ahead, while this one assigns them in file order; the output is
    the same. They are spawned, so a script that calls this needs the usual ``if __name__ ==
    "__main__":`` guard."""
    count = rejected = held = empty = mended = 0
    future = _Noted()  # lines dated after the run
    repeats, late = engine.repeats, engine.late
    errors: list[str] = []
    merged_into: dict[str, str] = {}
    decided: dict[str, str] = {}  # held documents' stories, once decided

    def note(assignment: Assignment) -> str:
        for gone in assignment.merged:
            merged_into[gone] = assignment.story_id
        return assignment.story_id

    # Written into a draft, put in place once the run is done (``_Output``).
    with (
        _reading(input_path) as (src, read, size),
        _Output(output_path) as out,
        out.draft.open("wb") as dst,
    ):
        bar = _Progress(size, progress)

        def flush(batch: list[Doc | Rejected], feats: list[DocFeatures] | None) -> None:
            nonlocal held
            placed = engine.place_many([item for item in batch if isinstance(item, Doc)], feats)
            held += placed.assigned.count(None)
            assigned = iter(placed.assigned)
            for item in batch:
                if isinstance(item, Rejected):
                    dst.write(_row(item.id, None, item.reason))
                    continue
                # A held document's line is written now, its story filled in at the end.
                assignment = next(assigned)
                story = note(assignment) if assignment is not None else None
                dst.write(_row(item.id, story))
            for doc_id, assignment in placed.released:
                decided[doc_id] = note(assignment)

        def noted(items: Iterator[Doc | Rejected]) -> Iterator[Doc | Rejected]:
            nonlocal rejected, empty
            for item in items:
                if isinstance(item, Rejected):
                    rejected += 1
                    if len(errors) < _ERRORS_KEPT:
                        errors.append(item.reason)
                elif _is_empty(item):
                    empty += 1
                yield item

        def mend() -> None:
            nonlocal mended
            mended += 1

        # A day: a date read as UTC without a zone of its own may be up to 14 hours ahead.
        ahead = (datetime.now(UTC) + timedelta(days=1), future.add)
        batches = _batches(noted(_dated_by_neighbour(read_docs(src, mend, future=ahead))))
        try:
            for batch, feats in _featured(batches, engine.params, jobs):
                count += len(batch)
                flush(batch, feats)
                bar.update(count, read())
                # Story state is acyclic and long-lived: moving it out of the cyclic
                # collector's view saves the repeated full scans of a growing heap (~15% of
                # the run). Refcounting still frees it when evicted.
                gc.freeze()
            # The file is the whole stream: what is still held is decided now.
            for doc_id, assignment in engine.release_held(0):
                decided[doc_id] = note(assignment)
            bar.update(count, read(), final=True)
        finally:
            gc.unfreeze()
        # Put in place as the ``with`` ends, once the draft is closed.
        out.finish(
            partial(_complete, merged_into=merged_into, decided=decided)
            if merged_into or decided
            else None
        )
    repeated = engine.repeats - repeats
    return FileReport(
        count - rejected,
        rejected,
        tuple(errors),
        held,
        repeated,
        empty,
        engine.late - late,
        mended,
        future.count,
        tuple(future.first),
    )


@dataclass(slots=True)
class _Noted:
    """Lines of one kind: how many, and the first ``_ERRORS_KEPT`` line numbers."""

    count: int = 0
    first: list[int] = field(default_factory=list)

    def add(self, line_no: int) -> None:
        self.count += 1
        if len(self.first) < _ERRORS_KEPT:
            self.first.append(line_no)


def _batches(items: Iterator[Doc | Rejected]) -> Iterator[list[Doc | Rejected]]:
    batch: list[Doc | Rejected] = []
    for item in items:
        batch.append(item)
        if len(batch) >= _BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _featured(
    batches: Iterator[list[Doc | Rejected]], params: Params, jobs: int
) -> Iterator[tuple[list[Doc | Rejected], list[DocFeatures] | None]]:
    """Each batch with its documents' features, made by ``jobs - 1`` other processes (None
    with one job: the engine makes them)."""
    if jobs <= 1:
        for batch in batches:
            yield batch, None
        return
    # spawn: a forked child would share the parent's Redis connection and locks.
    context = multiprocessing.get_context("spawn")
    links = []
    for _ in range(jobs - 1):
        mine, theirs = context.Pipe()
        worker = context.Process(
            target=_feature_process, args=(theirs, params, _VOCABULARY), daemon=True
        )
        with _born_ignoring_ctrl_c():
            worker.start()
        theirs.close()
        links.append((mine, worker, _Vocabulary()))
    # No thread here sends or receives: this process's one thread keeps the interpreter lock
    # for the assignments (a pool's feeder and result threads took it from them, and the
    # wall time did not fall). Batches go round the workers, a few each ahead.
    ahead: deque[tuple[list[Doc | Rejected], Connection, _Vocabulary]] = deque()
    try:
        for n, batch in enumerate(batches):
            conn, _, vocabulary = links[n % len(links)]
            conn.send([item for item in batch if isinstance(item, Doc)])
            ahead.append((batch, conn, vocabulary))
            if len(ahead) > 2 * len(links):
                done, conn, vocabulary = ahead.popleft()
                yield done, _received(conn, vocabulary)
        while ahead:
            done, conn, vocabulary = ahead.popleft()
            yield done, _received(conn, vocabulary)
    finally:
        for conn, worker, _ in links:
            conn.close()  # the worker's next read ends it
            worker.join(timeout=10)
            if worker.is_alive():
                worker.kill()


# Features travel as numbers: each feature process numbers the strings it sends, in the order
# it first sends them, and sends each string once, with the first batch that uses it; the
# receiver keeps them in that order, so a number is an index. Sent as strings and interned on
# receipt, every feature of every document cost the receiver a lookup in the table of
# interned strings (a likely cache miss each, on top of making the string): 12% of its time,
# now 4%. The receiver's list keeps the strings alive, so a process starts numbering afresh
# past ``_VOCABULARY`` strings (as many as the token cache keeps): neither side grows for ever.
_VOCABULARY = 500_000
_Vocabulary: TypeAlias = list[str]  # the receiver's: one process's strings, by number
# terms' numbers and weights, ordered entities' numbers, the other entities' numbers, and
# every other field in a ``DocFeatures`` of its own (a field added to it needs nothing here)
_Packed: TypeAlias = "tuple[array[int], array[float], array[int], array[int], DocFeatures]"
# (start afresh, the new strings "\n"-joined and their count, the batch): or what was raised
_Batch: TypeAlias = "tuple[bool, str, int, list[_Packed]] | Exception"


@contextmanager
def _born_ignoring_ctrl_c() -> Iterator[None]:
    """Processes started inside are born ignoring SIGINT, which an interpreter keeps ignored
    (it installs its KeyboardInterrupt handler only over the default action). Set in the
    child's own code it came too late: a Ctrl-C while the child was still importing (seconds,
    on a loaded host) printed its traceback under the command's exit."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may set handlers; the child's own setting still holds
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _feature_process(conn: Connection, params: Params, most: int) -> None:
    """``_serve`` as a process of its own. Ctrl-C is the parent's to act on (it closes the
    pipe, which ends this process): here it printed a traceback of this process as well."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _serve(conn, params, most)


def _serve(conn: Connection, params: Params, most: int) -> None:
    """A feature process: batches of documents in, their packed features out, in order. A
    thread reads ahead, so that the parent's sends never wait for this process's sends."""
    inbox: queue.SimpleQueue[list[Doc] | None] = queue.SimpleQueue()

    def read() -> None:
        try:
            while True:
                inbox.put(conn.recv())
        except (EOFError, OSError):
            inbox.put(None)

    threading.Thread(target=read, daemon=True).start()
    numbers: dict[str, int] = {}
    while (docs := inbox.get()) is not None:
        afresh = len(numbers) > most
        if afresh:
            numbers.clear()
        new: list[str] = []
        try:
            packed = [_pack(features_of(d, params), numbers, new) for d in docs]
            batch: _Batch = (afresh, "\n".join(new), len(new), packed)
        except Exception as exc:  # noqa: BLE001 - raised again in the parent, as one process would
            batch = exc  # (which ends the run: the numbering need not stay in step after it)
        try:
            conn.send(batch)
        except OSError:  # the parent is gone
            return


def _received(conn: Connection, vocabulary: _Vocabulary) -> list[DocFeatures]:
    try:
        batch: _Batch = conn.recv()
    except EOFError:
        raise RuntimeError("a feature process ended before its batch was done") from None
    if isinstance(batch, Exception):
        raise batch
    afresh, new, count, packed = batch
    if afresh:
        vocabulary.clear()
    if count:
        # Interned once, as this process's own features are: stories keep them, and one
        # string per feature keeps their memory and lookups as they were.
        vocabulary.extend(map(sys.intern, new.split("\n")))
    string = vocabulary.__getitem__
    return [_unpacked(p, string) for p in packed]


def _pack(f: DocFeatures, numbers: dict[str, int], new: list[str]) -> _Packed:
    def numbered(strings: Collection[str]) -> array[int]:
        found = list(map(numbers.get, strings))
        if None in found:  # (a number may be 0: not a truth test)
            for i, string in enumerate(strings):  # each string once: a dict's, a set's keys
                if found[i] is None:
                    found[i] = numbers[string] = len(numbers)
                    new.append(string)
        return array("I", found)  # type: ignore[arg-type]  # every None replaced

    return (
        numbered(f.terms),
        array("d", f.terms.values()),
        numbered(f.ordered_entities),
        numbered(f.entities.difference(f.ordered_entities)),
        replace(f, terms={}, entities=frozenset(), ordered_entities=()),
    )


def _unpacked(packed: _Packed, string: Callable[[int], str]) -> DocFeatures:
    terms, weights, ordered, other, rest = packed
    ordered_entities = tuple(map(string, ordered))
    return replace(
        rest,
        terms=dict(zip(map(string, terms), weights, strict=True)),
        entities=frozenset(ordered_entities).union(map(string, other)),
        ordered_entities=ordered_entities,
    )


def _complete(
    draft: Path, dst: IO[bytes], *, merged_into: dict[str, str], decided: dict[str, str]
) -> None:
    """Copy ``draft`` into ``dst`` with held documents carrying the story they were given
    later, and documents of stories merged later the surviving story."""

    def final(story: str) -> str:
        while story in merged_into:
            story = merged_into[story]
        return story

    with draft.open("rb") as src:
        for line in src:
            row = orjson.loads(line)
            if "error" in row:
                dst.write(line)
                continue
            doc_id = row["id"]
            if not isinstance(doc_id, str):  # an integer, read as a float past 64 bits
                doc_id = _Integer(json.loads(line)["id"])
            dst.write(_row(doc_id, final(row["story"] or decided[doc_id])))


class _Output:
    """Where ``cluster_file`` writes: a draft, put in place of the output when the ``with``
    ends after ``finish``, and removed if the run ends otherwise. Written into as the run
    went, the output of a run stopped by Ctrl-C or an error was a file of whole lines, cut
    anywhere, held lines still null and merged stories not yet followed, that looked like a
    result, in place of the one that was there; and the rewrite at the end went through
    ``<output>.tmp``, whatever file that was (the input, say), renamed over the output.

    The draft of a file is a hidden one beside it, renamed over it. A stream (the caller's,
    such as standard output) and an output that is no file (``/dev/null``, a FIFO,
    ``/dev/stdout`` on a pipe, a shell's ``>(gzip > f)``, opened at once, as before) are
    written at the end from a draft in the temporary directory: renamed over, ``/dev/null``
    became a file (as root), and elsewhere the run failed at its end."""

    def __init__(self, target: Path | BinaryIO) -> None:
        self.stream: IO[bytes] | None = None
        self.owned = False  # the stream is ours to close (a caller's is the caller's)
        self.drafts: list[Path] = []
        self.rewrite: Callable[[Path, IO[bytes]], None] | None = None
        self.finished = False
        # A stream's draft is a private one in the temporary directory.
        self.folder, self.mode = Path(tempfile.gettempdir()), 0o600
        if not isinstance(target, Path):
            self.stream, self.target = target, Path(getattr(target, "name", "<stream>"))
        else:
            self.target = target
            try:
                info: os.stat_result | None = os.stat(target)
            except FileNotFoundError:
                info = None
            if info is not None and not stat.S_ISREG(info.st_mode):
                self.stream, self.owned = target.open("wb"), True
            else:
                # Beside the file a symbolic link names: the rename stays within one file
                # system and leaves the link a link.
                self.target = Path(os.path.realpath(target))
                self.folder = self.target.parent
                mask = os.umask(0o22)
                os.umask(mask)
                self.mode = stat.S_IMODE(info.st_mode) if info is not None else 0o666 & ~mask
        self.draft = self._new_draft()

    def _new_draft(self) -> Path:
        try:
            fd, name = tempfile.mkstemp(
                prefix=f".{self.target.name}.", suffix=".tmp", dir=self.folder
            )
        except OSError as exc:  # named by the output, not by a draft the user never named
            if isinstance(exc, FileNotFoundError) and not self.folder.is_dir():
                # "No such file or directory: 'out.jsonl'" read as if the input were missing.
                reason, where = "No such directory to write the output in", self.folder
                raise OSError(exc.errno, reason, str(where)) from None
            raise OSError(exc.errno, exc.strerror, str(self.target)) from None
        self.drafts.append(Path(name))
        try:
            os.fchmod(fd, self.mode)
        finally:
            os.close(fd)
        return Path(name)

    def finish(self, rewrite: Callable[[Path, IO[bytes]], None] | None) -> None:
        """The run is done: put the draft in place, through ``rewrite`` (draft, destination)
        when given."""
        self.finished, self.rewrite = True, rewrite

    def _publish(self) -> None:
        if self.stream is not None:
            if self.rewrite is not None:
                self.rewrite(self.draft, self.stream)
            else:
                with self.draft.open("rb") as done:
                    shutil.copyfileobj(done, self.stream)
            self.stream.flush()
            return
        if self.rewrite is not None:
            draft, self.draft = self.draft, self._new_draft()
            with self.draft.open("wb") as dst:
                self.rewrite(draft, dst)
        self.draft.replace(self.target)
        self.drafts.remove(self.draft)

    def __enter__(self) -> _Output:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        try:
            if kind is None and self.finished:
                self._publish()
        finally:
            try:
                if self.owned and self.stream is not None:
                    self.stream.close()
            finally:
                for draft in self.drafts:
                    draft.unlink(missing_ok=True)
