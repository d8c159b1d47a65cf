"""The sweep of held articles: due ones released, and a ledger and engine that drifted apart
(a worker died between the engine's release and the ledger's, a flushed story store) healed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import pytest
import redis

from storywire import events
from storywire.adapters.redis_ledger import RedisLedger
from storywire.events import CloudEvent
from storywire.holding import Heal, heal_action, sweep_held
from storywire.models import Article
from storywire.processing import Announced
from storywire.stories import Assignment, Doc

T0 = datetime(2026, 11, 1, tzinfo=UTC)
JOINED = Assignment(story_id="st_x", created=False, copy_of=None, merged=(), score=0.3)
FRESH = Assignment(story_id="st_new", created=True, copy_of=None, merged=(), score=0.0)


def _article(article_id: str) -> Article:
    return Article(
        id=article_id, source_id="wire", outlet="Wire", url=f"https://wire.example/{article_id}",
        title="Storm hits the coast", text="Body.", published=T0, content_hash=article_id,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("decided", "holding", "action"),
    [
        (JOINED, False, Heal.RECORD),  # released by the engine, the ledger write was lost
        (JOINED, True, Heal.RECORD),  # the store's decision wins over a stale hold
        (None, True, Heal.WAIT),  # still held: its own release is on the way
        (None, False, Heal.REASSIGN),  # the engine lost it: store flushed or expired
    ],
)
def test_heal_action(decided: Assignment | None, holding: bool, action: Heal) -> None:
    assert heal_action(decided, holding) is action


class FakeEngine:
    """What a story engine's store says about documents, set by the test."""

    def __init__(self) -> None:
        self.due: list[tuple[str, Assignment]] = []
        self.decisions: dict[str, Assignment] = {}
        self.held: set[str] = set()
        self.assigned: list[str] = []
        self.asked: list[str] = []

    def release_held(self, older_than: float) -> list[tuple[str, Assignment]]:
        due, self.due = self.due, []
        return due

    def decided(self, doc_id: str) -> Assignment | None:
        self.asked.append(f"decided:{doc_id}")
        return self.decisions.get(doc_id)

    def holding(self, doc_id: str) -> bool:
        self.asked.append(f"holding:{doc_id}")
        return doc_id in self.held

    def assign_many(self, docs: Sequence[Doc]) -> list[Assignment]:
        self.assigned += [d.id for d in docs]
        return [FRESH for _ in docs]


def _ingested(client: redis.Redis, ledger: RedisLedger) -> dict[str, str]:
    """article id -> story id of every article.ingested in the outbox."""
    out = {}
    for item in client.lrange(ledger.outbox_key, 0, -1):
        _, kind, body = item.split(b"|", 2)
        if kind.decode() == events.ARTICLE_INGESTED:
            event = CloudEvent.from_json(body)
            out[str(event.data["article_id"])] = str(event.data["story_id"])
    return out


def test_due_articles_are_released_and_each_drift_is_healed(redis_client: redis.Redis) -> None:
    """One sweep: the engine's due release is recorded; of the articles pending past the
    healing age, the one the engine decided is recorded with that decision, the one it still
    holds waits, the one it lost is assigned afresh; a young pending article is not touched."""
    ledger = RedisLedger(redis_client)
    engine = FakeEngine()
    for article_id, held_at in (
        ("due", 95),
        ("crashed", 0),
        ("slow", 0),
        ("lost", 0),
        ("young", 95),
    ):
        ledger.hold(_article(article_id), now=held_at)
    engine.due = [("due", JOINED)]
    engine.decisions["crashed"] = JOINED
    engine.held |= {"slow", "young"}

    report = sweep_held(engine, ledger, older_than=60.0, heal_after=20.0, now=100.0)

    assert (report.released, report.healed, report.reassigned, report.waiting) == (1, 1, 1, 1)
    # "lost" started a story (story.created): counted as created, not only as reassigned.
    assert report.announced == Announced(created=1, copies=0, merged=0)
    assert engine.assigned == ["lost"]  # never re-decides what the engine decided or holds
    assert _ingested(redis_client, ledger) == {
        "due": "st_x", "crashed": "st_x", "lost": "st_new",
    }  # fmt: skip
    assert sorted(ledger.pending(0.0, 100.0)) == ["slow", "young"]
    # Held asked before decided: a release in between reads as decided, never as lost.
    assert engine.asked.index("holding:lost") < engine.asked.index("decided:lost")


def test_a_second_sweep_records_nothing_again(redis_client: redis.Redis) -> None:
    """Sweeps overlap (the beat's next one, a slow worker): each article is recorded once."""
    ledger = RedisLedger(redis_client)
    engine = FakeEngine()
    ledger.hold(_article("crashed"), now=0)
    engine.decisions["crashed"] = JOINED
    first = sweep_held(engine, ledger, older_than=60.0, heal_after=20.0, now=100.0)
    second = sweep_held(engine, ledger, older_than=60.0, heal_after=20.0, now=100.0)
    assert (first.recorded, second.recorded) == (1, 0)
    assert second.announced == Announced()
    assert len(_ingested(redis_client, ledger)) == 1


def test_a_pending_article_whose_text_lapsed_leaves_the_index(redis_client: redis.Redis) -> None:
    """The held text lapsed (the ledger's retention, or maxmemory evicted it) while its id
    stayed in the pending index, and the engine has no trace of it: the sweep found nothing to
    assign and skipped it, so the id stayed for good, read again by every sweep."""
    ledger = RedisLedger(redis_client)
    engine = FakeEngine()
    ledger.hold(_article("lapsed"), now=0)
    ledger.hold(_article("kept"), now=0)
    redis_client.delete("sw:pending:lapsed")
    report = sweep_held(engine, ledger, older_than=60.0, heal_after=20.0, now=100.0)
    assert (report.reassigned, engine.assigned) == (1, ["kept"])
    assert ledger.pending_count() == 0
    assert not redis_client.exists("sw:pending")


def test_a_hold_written_after_its_article_was_recorded_leaves_it_recorded(
    redis_client: redis.Redis,
) -> None:
    """Two workers held one article (its batch redelivered, or its outlet's other feed), a
    third released it into st_x, and the second worker's hold reached the ledger only then.
    It made the recorded article pending again, and once the story store had lost it (flushed,
    or past its window) the sweep assigned it afresh: one article in two stories, counted in
    both. A hold of an article already recorded is now stale and changes nothing."""
    ledger = RedisLedger(redis_client)
    engine = FakeEngine()
    ledger.hold(_article("a"), now=0)
    assert ledger.release("a", JOINED) is not None
    ledger.hold(_article("a"), now=1)  # the second worker's, late
    assert ledger.pending(0.0, 100.0) == []
    assert ledger.known_stories(["a"]) == {"a": "st_x"}

    report = sweep_held(engine, ledger, older_than=60.0, heal_after=20.0, now=100.0)

    assert report.recorded == 0
    assert engine.assigned == []
    assert _ingested(redis_client, ledger) == {"a": "st_x"}
    assert ledger.get("st_new") is None
