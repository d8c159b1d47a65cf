"""``cluster_file``: the story engine over a JSON-lines file, for backfills and evaluation."""

from __future__ import annotations

import gc
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import orjson

from storywire.models import parse_iso
from storywire.stories.engine import StoryEngine
from storywire.stories.model import Assignment, Doc

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


def _usable_id(raw: Any) -> str | None:
    """The line's id as a string: a non-empty string or an integer (not a boolean)."""
    doc_id = raw.get("id") if isinstance(raw, dict) else None
    if not isinstance(doc_id, str | int) or isinstance(doc_id, bool) or str(doc_id) == "":
        return None
    return str(doc_id)


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
        raise ValueError(f"line {line_no}: missing or invalid 'id'")
    title, text, date, outlet, url = (
        _optional_str(raw, key, line_no) for key in ("title", "text", "date", "outlet", "url")
    )
    published = None
    if date is not None:
        try:
            published = parse_iso(date)
        except ValueError as exc:
            raise ValueError(f"line {line_no}: bad 'date' {date!r}: {exc}") from exc
    return Doc(
        id=doc_id, title=title or "", text=text or "", published=published, outlet=outlet, url=url
    )


def _is_empty(doc: Doc) -> bool:
    """No title and no text: only a link's words, if any, can place the document in a story;
    without a link it starts one of its own. Worth counting: misnamed fields look like this."""
    return (not doc.title or doc.title.isspace()) and (not doc.text or doc.text.isspace())


def read_docs(handle: IO[bytes]) -> Iterator[Doc | Rejected]:
    """Documents of a JSON-lines stream in order, or why a line is not one; blank lines are
    skipped."""
    for line_no, line in enumerate(handle, start=1):
        if not line.strip():
            continue
        try:
            raw = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            yield Rejected(None, f"line {line_no}: not valid JSON: {exc}")
            continue
        try:
            yield doc_from_json(raw, line_no)
        except ValueError as exc:
            yield Rejected(_usable_id(raw), str(exc))


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
        self.total = max(total_bytes, 1)
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
        pct = min(100.0, 100.0 * done_bytes / self.total)
        line = f"clustering {pct:5.1f}% {docs:,} docs {rate:,.0f} docs/s"
        if self.redraw:
            sys.stderr.write(f"\r{line}" + ("\n" if final else ""))
        else:
            sys.stderr.write(line + "\n")
        sys.stderr.flush()


def cluster_file(
    input_path: Path, output_path: Path, engine: StoryEngine, *, progress: bool = True
) -> FileReport:
    """Assign every document of ``input_path`` (JSON lines, arrival order) to a story and write
    ``{"id", "story"}`` lines to ``output_path`` in the same order.

    A line that is not a usable document stops nothing: its output line is ``{"id", "story":
    null, "error": "line N: ..."}`` (id null when it had none), so the output still has one
    line per input line and a backfill loses no other document to one bad line."""
    count = rejected = held = empty = 0
    repeats, late = engine.repeats, engine.late
    errors: list[str] = []
    bar = _Progress(input_path.stat().st_size, progress)
    merged_into: dict[str, str] = {}
    decided: dict[str, str] = {}  # held documents' stories, once decided

    def note(assignment: Assignment) -> str:
        for gone in assignment.merged:
            merged_into[gone] = assignment.story_id
        return assignment.story_id

    with input_path.open("rb") as src, output_path.open("wb") as dst:
        batch: list[Doc | Rejected] = []

        def flush() -> None:
            nonlocal held
            placed = engine.place_many([item for item in batch if isinstance(item, Doc)])
            held += placed.assigned.count(None)
            assigned = iter(placed.assigned)
            for item in batch:
                if isinstance(item, Rejected):
                    row = {"id": item.id, "story": None, "error": item.reason}
                    dst.write(orjson.dumps(row) + b"\n")
                    continue
                # A held document's line is written now, its story filled in at the end.
                assignment = next(assigned)
                story = note(assignment) if assignment is not None else None
                dst.write(orjson.dumps({"id": item.id, "story": story}) + b"\n")
            for doc_id, assignment in placed.released:
                decided[doc_id] = note(assignment)
            batch.clear()

        try:
            for item in _dated_by_neighbour(read_docs(src)):
                batch.append(item)
                if isinstance(item, Rejected):
                    rejected += 1
                    if len(errors) < _ERRORS_KEPT:
                        errors.append(item.reason)
                elif _is_empty(item):
                    empty += 1
                if len(batch) >= _BATCH:
                    count += len(batch)
                    flush()
                    bar.update(count, src.tell())
                    # Story state is acyclic and long-lived: moving it out of the cyclic
                    # collector's view saves the repeated full scans of a growing heap
                    # (~15% of the run). Refcounting still frees it when evicted.
                    gc.freeze()
            count += len(batch)
            flush()
            # The file is the whole stream: what is still held is decided now.
            for doc_id, assignment in engine.release_held(0):
                decided[doc_id] = note(assignment)
            bar.update(count, src.tell(), final=True)
        finally:
            gc.unfreeze()
    if merged_into or decided:
        _complete(output_path, merged_into, decided)
    repeated = engine.repeats - repeats
    return FileReport(
        count - rejected, rejected, tuple(errors), held, repeated, empty, engine.late - late
    )


def _complete(path: Path, merged_into: dict[str, str], decided: dict[str, str]) -> None:
    """Rewrite ``path`` so that held documents carry the story they were given later, and
    documents of stories merged later the surviving story."""

    def final(story: str) -> str:
        while story in merged_into:
            story = merged_into[story]
        return story

    tmp = path.with_name(path.name + ".tmp")
    with path.open("rb") as src, tmp.open("wb") as dst:
        for line in src:
            row = orjson.loads(line)
            if "error" not in row:
                row["story"] = final(row["story"] or decided[row["id"]])
            dst.write(orjson.dumps(row) + b"\n")
    tmp.replace(path)
