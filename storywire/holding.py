"""Held articles after their batch: the time-bound release, and healing engine/ledger drift.

The story engine holds a document whose story is uncertain and the ledger keeps its article
pending (``RedisLedger.hold``); both are written by the process stage, one after the other. A
release decided by the engine is recorded by the ledger in a second step, so a worker that dies
in between leaves the engine's decision unrecorded, and a flushed or expired story store loses
held documents the ledger still waits for. The sweep here releases what the time bound made due
and settles every article pending well past it, whichever side failed.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from storywire.models import Article
from storywire.processing import Announced, announced, article_doc
from storywire.stories import Assignment, Doc
from storywire.stories_ledger import Release, Step


class HoldingEngine(Protocol):
    """The story engine's part in holding (``StoryEngine``)."""

    def release_held(self, older_than: float) -> list[tuple[str, Assignment]]: ...

    def decided(self, doc_id: str) -> Assignment | None: ...

    def holding(self, doc_id: str) -> bool: ...

    def assign_many(self, docs: Sequence[Doc]) -> list[Assignment]: ...


class HoldingLedger(Protocol):
    """The ledger's part in holding (``RedisLedger``)."""

    def write(self, steps: Sequence[Step]) -> Sequence[object | None]: ...

    def pending(self, older_than: float, now: float) -> list[str]: ...

    def pending_article(self, article_id: str) -> Article | None: ...


class Heal(enum.Enum):
    RECORD = "record"  # the engine decided it, the ledger never heard: record that decision
    WAIT = "wait"  # the engine still holds it (a slow release): its own release will come
    REASSIGN = "reassign"  # the engine has no trace of it: decide it afresh


def heal_action(decided: Assignment | None, holding: bool) -> Heal:
    """What to do with an article pending in the ledger long past the hold bound, given what
    the engine's store says of its document."""
    if decided is not None:
        return Heal.RECORD
    if holding:
        return Heal.WAIT
    return Heal.REASSIGN


@dataclass(frozen=True, slots=True)
class SweepReport:
    released: int = 0  # due held articles recorded in their story
    healed: int = 0  # pending articles whose engine decision had been lost to a crash
    reassigned: int = 0  # pending articles the engine had lost, decided afresh
    waiting: int = 0  # pending past the healing age but still held by the engine
    announced: Announced = field(default_factory=Announced)  # what the recorded ones told

    @property
    def recorded(self) -> int:
        return self.released + self.healed + self.reassigned


def sweep_held(
    engine: HoldingEngine,
    ledger: HoldingLedger,
    *,
    older_than: float,
    heal_after: float,
    now: float,
) -> SweepReport:
    """Release documents held at least ``older_than`` seconds (0: all) into the ledger, then
    settle every article pending at least ``heal_after`` seconds (see ``heal_action``)."""
    due = [Release(doc_id, assignment) for doc_id, assignment in engine.release_held(older_than)]
    recorded = [s.assignment for s, o in zip(due, ledger.write(due), strict=True) if o is not None]
    released = len(recorded)
    healed = reassigned = waiting = 0
    for article_id in ledger.pending(heal_after, now):
        # Held is asked before decided: a release landing between the two questions then
        # reads as decided. The other order would see neither and decide it a second time.
        holding = engine.holding(article_id)
        decided = engine.decided(article_id)
        action = heal_action(decided, holding)
        if action is Heal.WAIT:
            waiting += 1
            continue
        if decided is None:  # Heal.REASSIGN
            article = ledger.pending_article(article_id)
            if article is None:  # released by a process call meanwhile
                continue
            (decided,) = engine.assign_many([article_doc(article)])  # never holds
        if ledger.write([Release(article_id, decided)])[0] is not None:
            recorded.append(decided)
            if action is Heal.RECORD:
                healed += 1
            else:
                reassigned += 1
    return SweepReport(released=released, healed=healed, reassigned=reassigned, waiting=waiting,
                       announced=announced(recorded))  # fmt: skip
