"""Which entries of a poll go to processing: new ones, edited ones, and reverts that held.

A feed behind a CDN or load balancer with a stale replica serves one poll the entry's new
version and the next its old one, on and on. Comparing each poll's content hash with the last
one stored announced every alternation as an update. So each entry keeps a short history of
the hashes it had: a hash never seen is an edit, forwarded at once (real edits are never
delayed); a hash the entry had before is a revert, held until the same revert has been seen on
``confirmations`` polls in a row, so an alternation, which never repeats a version for long,
is never forwarded again. Pure: the fetch task reads and writes the records, encoded
(``RedisSourceStore.seen_records`` / ``mark_seen``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

# Earlier hashes kept per entry besides its current one: enough for a feed cycling through a
# few versions, and a record stays under 80 bytes. An older hash falls out and counts as new.
HISTORY = 3


class SeenRecord(NamedTuple):
    """What is remembered of one entry. A NamedTuple: cheap to make and unpack, and one is
    decoded for every entry a poll finds changed."""

    current: str  # the hash last forwarded (what consumers have)
    earlier: tuple[str, ...] = ()  # hashes it had before, newest first, at most HISTORY
    pending: str | None = None  # an earlier hash this entry went back to, not yet forwarded
    streak: int = 0  # polls in a row that revert has been seen


class Seen(StrEnum):
    """What one poll's hash is to its entry."""

    NEW = "new"
    SAME = "same"
    EDIT = "edit"  # a hash it never had: forwarded at once
    REVERT = "revert"  # back to an earlier hash, seen on enough polls in a row: forwarded
    HELD = "held"  # back to an earlier hash, not yet confirmed: counted, not forwarded

    @property
    def forward(self) -> bool:
        return self in _FORWARD


_FORWARD = frozenset({Seen.NEW, Seen.EDIT, Seen.REVERT})


class Decision(NamedTuple):
    kind: Seen
    record: SeenRecord | None  # what to store now; None: nothing changed


def decide(record: SeenRecord | None, digest: str, *, confirmations: int) -> Decision:
    """The rule for one entry listed by a poll with content hash ``digest``."""
    if confirmations < 1:
        raise ValueError(f"confirmations must be 1 or more, not {confirmations}")
    if record is None:
        return Decision(Seen.NEW, SeenRecord(digest))
    current, earlier, pending, streak = record
    if digest == current:
        # The version consumers have is back: a pending revert was one more alternation.
        return Decision(Seen.SAME, SeenRecord(current, earlier) if pending else None)
    if digest not in earlier:
        return Decision(Seen.EDIT, SeenRecord(digest, (current, *earlier)[:HISTORY]))
    streak = streak + 1 if pending == digest else 1
    if streak < confirmations:
        return Decision(Seen.HELD, SeenRecord(current, earlier, digest, streak))
    rest = tuple(h for h in earlier if h != digest)
    return Decision(Seen.REVERT, SeenRecord(digest, (current, *rest)[:HISTORY]))


@dataclass(frozen=True, slots=True)
class Sifted:
    """One poll's entries sorted by the rule."""

    forward: set[str]  # keys to send to processing
    writes: dict[str, str]  # encoded records to store (new, changed, or a revert's count)
    held: int  # reverts held this poll (flapping entries)


def sift(stored: Mapping[str, str], hashes: Mapping[str, str], *, confirmations: int) -> Sifted:
    """Decide every entry of a poll (``hashes``: key -> content hash) against the records
    stored for them, encoded (``stored``; an entry without one is new)."""
    if confirmations < 1:
        raise ValueError(f"confirmations must be 1 or more, not {confirmations}")
    forward: set[str] = set()
    writes: dict[str, str] = {}
    held = 0
    for key, digest in hashes.items():
        text = stored.get(key)
        if text is not None and _unchanged(text, digest):
            continue
        known = None if text is None else decode(text)
        kind, record = decide(known, digest, confirmations=confirmations)
        if kind.forward:
            forward.add(key)
        held += kind is Seen.HELD
        if record is not None:
            writes[key] = encode(record)
    return Sifted(forward, writes, held)


def _unchanged(text: str, digest: str) -> bool:
    # Nearly every entry of nearly every poll: settled on the stored text, no record decoded
    # (bench/seen_bench.py). The current hash first, no pending count: nothing to do.
    return text == digest or (text.startswith(digest + ",") and ";" not in text)


# Stored as one string per entry in the source's seen hash: "current[,earlier...][;i:n]", the
# pending revert as its index in the earlier hashes and its count (the hashes are hex digests,
# so neither separator occurs in one). A record without history is
# its hash alone, as every version before damping stored it, so those values read as a history
# of one and an entry that never changes is stored exactly as it was.
def encode(record: SeenRecord) -> str:
    current, earlier, pending, streak = record
    text = ",".join((current, *earlier)) if earlier else current
    if pending is not None:
        text += f";{earlier.index(pending)}:{streak}"
    return text


def decode(text: str) -> SeenRecord:
    if "," not in text and ";" not in text:
        return SeenRecord(text)
    hashes, _, count = text.partition(";")
    current, *earlier = hashes.split(",")
    index, _, streak = count.partition(":")
    if index.isdigit() and streak.isdigit() and int(index) < len(earlier) and int(streak) > 0:
        return SeenRecord(current, tuple(earlier), earlier[int(index)], int(streak))
    # A count no version wrote (cut short, edited by hand) is dropped; the history stays.
    return SeenRecord(current, tuple(earlier))
