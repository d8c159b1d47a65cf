"""Story events add up: a consumer that rebuilds every story from the events alone agrees with
itself after every step of realistic streams through the real process stage.

Seeded random streams (the same ones every run) drive ``process_entries`` with the real ledger
and the real story store on a private Redis: outlets reporting a few events, articles arriving
out of published order, edits (a text that fits another story, a title alone, a title dated
later, an edit back), one article through two feeds of one outlet, wire copies, merges, held
articles released later, batches redelivered, and articles days later, when the first stories
have left the window.
After each step ``ConsumerView`` applies the new events and checks its invariants.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest
import redis

from storywire.adapters.consumer import Consumer
from storywire.adapters.redis_ledger import RedisLedger
from storywire.adapters.streams import RedisStreamSink
from storywire.holding import sweep_held
from storywire.models import Article, Entry, Source
from storywire.processing import build_article, process_entries
from storywire.stories import Params, RedisStoryStore, StoryEngine
from tests.storywire.stories.conftest import ARTICLES, MERGE_PARAMS, bridged_docs
from tests.storywire.story_consumer import ConsumerView
from tests.support.read_model import (
    ReadModel,
    consumer_model,
    decode,
    differences,
    ledger_model,
)

T0 = datetime(2026, 11, 20, 6, tzinfo=UTC)
FETCHED = datetime(2026, 11, 20, 6, tzinfo=UTC)


def _source(source_id: str, outlet: str, domain: str) -> Source:
    return Source(
        id=source_id, url=f"https://{domain}/{source_id}.xml", outlet=outlet, domain=domain
    )


SOURCES = [
    _source("reuters", "Reuters", "reuters.example"),
    _source("ap", "AP", "ap.example"),
    _source("dw", "DW", "dw.example"),
    _source("bbc", "BBC", "bbc.example"),
    _source("bbc-world", "BBC", "bbc.example"),  # the same outlet's second feed
]
# (title, body) of every report the outlets can file: four events of two kinds, and a volcano
# and the flights it cancelled, bridged by later reports (merges).
REPORTS = [(title, body) for _, title, body in ARTICLES] + [
    (d.title, d.text) for d in bridged_docs()
]
# The default engine, and one that merges readily and holds nearly every join; both decide
# what they hold three arrivals later.
PARAMS = {
    "default": Params(defer_arrivals=3),
    "merging": replace(MERGE_PARAMS, defer_below=0.9, defer_arrivals=3),
}


def _html(body: str) -> str:
    return f"<p>{body}</p>"


@dataclass
class Stream:
    """The harness's own record of what the feeds said, to check nothing was lost."""

    rng: random.Random
    engine: StoryEngine
    ledger: RedisLedger
    latest: dict[tuple[str, str], Entry] = field(default_factory=dict)  # (source, key) -> text
    first: dict[tuple[str, str], Entry] = field(default_factory=dict)
    sent: dict[tuple[str, str], int] = field(default_factory=dict)  # when each was sent last
    base: datetime = T0
    clock: datetime = FETCHED
    serial: int = 0
    sends: int = 0
    held: int = 0
    last: tuple[Source, list[tuple[str, Entry]], datetime] | None = None

    def send(self, source: Source, items: list[tuple[str, Entry]]) -> None:
        self.clock += timedelta(minutes=1)
        self.deliver(source, items, self.clock)

    def deliver(self, source: Source, items: list[tuple[str, Entry]], at: datetime) -> None:
        report = process_entries(
            source, items, engine=self.engine, ledger=self.ledger, fetched_at=at
        )
        self.held += report.held
        for key, entry in items:
            self.sends += 1
            self.sent[(source.id, key)] = self.sends
            self.latest[(source.id, key)] = entry
            self.first.setdefault((source.id, key), entry)
        self.last = (source, items, at)

    def new_entry(
        self, source: Source, report: int, *, title: str | None = None
    ) -> tuple[str, Entry]:
        self.serial += 1
        guid = f"n{self.serial}"
        published = self.base + timedelta(minutes=self.rng.randrange(0, 6 * 60))
        headline, body = REPORTS[report]
        entry = Entry(
            guid=guid, link=f"https://{source.domain}/{guid}", title=title or headline,
            summary_html="", content_html=_html(body), published=published,
        )  # fmt: skip
        return f"g:{guid}", entry


BY_ID = {s.id: s for s in SOURCES}


def _publish(stream: Stream, rng: random.Random) -> None:
    source = rng.choice(SOURCES)
    reports = [rng.randrange(len(REPORTS)) for _ in range(rng.randint(1, 3))]
    stream.send(source, [stream.new_entry(source, r) for r in reports])


def _bridge(stream: Stream, rng: random.Random) -> None:
    """The volcano and the flights it grounded, two stories, until reports join them."""
    for report in range(len(ARTICLES), len(REPORTS)):
        source = rng.choice(SOURCES)
        stream.send(source, [stream.new_entry(source, report)])


def _wire(stream: Stream, rng: random.Random) -> None:
    """Another outlet carries one article's text word for word under its own headline."""
    source_id, key = rng.choice(sorted(stream.latest))
    original = stream.latest[(source_id, key)]
    source = rng.choice([s for s in SOURCES if s.outlet != BY_ID[source_id].outlet])
    wire_key, entry = stream.new_entry(source, 0)
    entry = replace(entry, title=f"Wire: {original.title}", content_html=original.content_html)
    stream.send(source, [(wire_key, entry)])


def _two_feeds(stream: Stream, rng: random.Random) -> None:
    key, entry = stream.new_entry(BY_ID["bbc"], rng.randrange(len(REPORTS)))
    for source in rng.sample([BY_ID["bbc"], BY_ID["bbc-world"]], 2):
        stream.send(source, [(key, entry)])


def _edit(kind: str) -> Callable[[Stream, random.Random], None]:
    def edit(stream: Stream, rng: random.Random) -> None:
        source_id, key = rng.choice(sorted(stream.latest))
        entry = stream.latest[(source_id, key)]
        if kind == "text":  # often another event's text: it fits another story better
            entry = replace(entry, content_html=_html(REPORTS[rng.randrange(len(REPORTS))][1]))
        elif kind == "title":
            entry = replace(entry, title=entry.title + " (updated)")
        elif kind == "date":  # a feed dated by each entry's last change dates an edit later
            later = entry.published + timedelta(hours=rng.randint(1, 5))  # type: ignore[operator]
            entry = replace(entry, title=entry.title + " (updated)", published=later)
        else:  # back to the first text
            entry = stream.first[(source_id, key)]
        stream.send(BY_ID[source_id], [(key, entry)])

    return edit


def _redeliver(stream: Stream, rng: random.Random) -> None:
    if stream.last is not None:
        stream.deliver(*stream.last)


def _sweep(stream: Stream, rng: random.Random) -> None:
    sweep_held(stream.engine, stream.ledger, older_than=0.0, heal_after=1e9, now=time.time())


def _later(stream: Stream, rng: random.Random) -> None:
    stream.base += timedelta(days=5)  # past the window: earlier stories take no more


STEPS: dict[str, Callable[[Stream, random.Random], None]] = {
    "publish": _publish,
    "bridge": _bridge,
    "wire": _wire,
    "two_feeds": _two_feeds,
    "edit_text": _edit("text"),
    "edit_title": _edit("title"),
    "edit_date": _edit("date"),
    "edit_back": _edit("back"),
    "redeliver": _redeliver,
    "sweep": _sweep,
    "later": _later,
}


def _step(stream: Stream, rng: random.Random) -> str:
    kind = rng.choice(["publish"] * 4 + sorted(STEPS))
    if not stream.latest:
        kind = "publish"
    STEPS[kind](stream, rng)
    return kind


def _run(client: redis.Redis, params: Params, seed: int, steps: int) -> list[str]:
    """Run one seeded stream; the first step whose events do not add up, with its problems."""
    rng = random.Random(seed)
    ledger = RedisLedger(client)
    engine = StoryEngine(RedisStoryStore.for_params(client, params), params)
    stream = Stream(rng=rng, engine=engine, ledger=ledger)
    view = ConsumerView()
    done: list[str] = []
    for _ in range(steps):
        held = set(ledger.pending(0.0, math.inf))
        kind = _step(stream, rng)
        done.append(kind)
        fresh = view.catch_up(client, ledger.outbox_key)
        problems = view.check()
        if kind == "redeliver" and stream.last is not None:
            # New events may come (the call releases held articles that fell due, its own
            # among them), but none of the recorded articles': theirs went out before.
            source, items, at = stream.last
            again = {build_article(source, k, e, fetched_at=at).id for k, e in items} - held
            repeated = [i for i in fresh if view.events[i]["subject"] in again]
            if repeated:
                problems.append(f"the redelivered batch brought new ids {repeated}")
        if problems:
            return [f"seed {seed} after {done}", *problems]
    sweep_held(engine, ledger, older_than=0.0, heal_after=1e9, now=time.time())
    view.catch_up(client, ledger.outbox_key)
    problems = view.check()
    # The outlet's two feeds bring one article: its text is the one sent last by either.
    latest: dict[str, tuple[int, str, str]] = {}
    for (source_id, key), entry in stream.latest.items():
        article = build_article(BY_ID[source_id], key, entry, fetched_at=FETCHED)
        first = ledger.same_articles([article]).get(article.id, (article.id, source_id))[0]
        sent = (stream.sent[(source_id, key)], article.content_hash, f"{source_id} {key}")
        latest[first] = max(latest.get(first, sent), sent)
    for article_id, (_, content_hash, entry) in sorted(latest.items()):
        seen = view.articles.get(article_id)
        if seen is None or seen["content_hash"] != content_hash:
            problems.append(f"{article_id} ({entry}): latest text never announced")
    return [f"seed {seed} at the end of {done}", *problems] if problems else []


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("params", sorted(PARAMS))
def test_story_events_add_up(redis_client: redis.Redis, params: str, seed: int) -> None:
    problems = _run(redis_client, PARAMS[params], seed, steps=30)
    assert not problems, "\n".join(problems)


def _view(client: redis.Redis, ledger: RedisLedger) -> ConsumerView:
    view = ConsumerView()
    view.catch_up(client, ledger.outbox_key)
    return view


def test_one_article_through_two_feeds_of_its_outlet_is_one_article(
    redis_client: redis.Redis,
) -> None:
    """BBC's item in its top-stories and its world feed (same link, same headline) is one
    article: announced once, counted once. Before, each feed made an article of its own, so
    the story counted two and consumers got the same URL under two article ids."""
    ledger = RedisLedger(redis_client)
    engine = StoryEngine(RedisStoryStore.for_params(redis_client, Params()))
    stream = Stream(rng=random.Random(0), engine=engine, ledger=ledger)
    bbc, world = SOURCES[3], SOURCES[4]
    item = stream.new_entry(bbc, 0)
    stream.send(bbc, [item])
    stream.send(world, [item])
    view = _view(redis_client, ledger)
    assert view.check() == []
    (story,) = view.stories.values()
    assert story["article_count"] == len(view.articles) == 1
    assert story["outlets"][0]["source_id"] == "bbc"


def test_an_item_whose_link_urllib_cannot_split_is_still_processed(
    redis_client: redis.Redis,
) -> None:
    """Feeds carry links urllib refuses ("http://[::1/x"): the outlet-and-link match leaves
    such an item alone instead of failing its whole batch."""
    ledger = RedisLedger(redis_client)
    engine = StoryEngine(RedisStoryStore.for_params(redis_client, Params()))
    stream = Stream(rng=random.Random(0), engine=engine, ledger=ledger)
    bbc = SOURCES[3]
    key, item = stream.new_entry(bbc, 0)
    stream.send(bbc, [(key, replace(item, link="http://[::1/odd"))])
    view = _view(redis_client, ledger)
    assert view.check() == []
    assert len(view.articles) == 1


def test_a_copy_groups_original_is_where_copy_of_ends_however_long_the_chain(
    redis_client: redis.Redis,
) -> None:
    """Four outlets carry one text, each polled before the one that published it an hour
    earlier, then a fifth copies it later. Each late original is announced as the original of
    the one before it, so the first arrival's ``copy_of`` is the start of a chain three long.
    Followed until it names an article announced as no copy, every copy of the group reaches
    the original the fifth copy names; docs/events.md said to follow it once more, which left
    the first arrival's original one short, an article itself a copy."""
    ledger = RedisLedger(redis_client)
    engine = StoryEngine(RedisStoryStore.for_params(redis_client, Params()))
    _, title, body = ARTICLES[0]
    outlets = {}
    for i, (outlet, hours) in enumerate([("A", 0), ("B", -1), ("C", -2), ("D", -3), ("E", 1)]):
        source = _source(outlet.lower(), outlet, f"{outlet.lower()}.example")
        entry = Entry(
            guid=f"g{outlet}", link=f"https://{source.domain}/quake", title=f"{outlet}: {title}",
            summary_html="", content_html=_html(body), published=T0 + timedelta(hours=hours),
        )  # fmt: skip
        process_entries(
            source, [(f"g:{outlet}", entry)], engine=engine, ledger=ledger,
            fetched_at=T0 + timedelta(hours=2, minutes=i),
        )  # fmt: skip
        outlets[build_article(source, f"g:{outlet}", entry, fetched_at=FETCHED).id] = outlet
    view = ReadModel()
    for item in cast(list[bytes], redis_client.lrange(ledger.outbox_key, 0, -1)):
        view.apply(decode(item.split(b"|", 2)[2]))
    copy_of = {outlets[a]: outlets[o] for a, o in view.copies.items()}
    assert copy_of == {"A": "B", "B": "C", "C": "D", "E": "D"}
    once_more = view.copies[view.copies[_id(outlets, "A")]]
    assert outlets[once_more] == "C"  # a copy itself: one hop more is not the original
    assert {outlets[a]: outlets[view.original(a)] for a in view.copies} == dict.fromkeys(
        "ABCE", "D"
    )


def _id(outlets: dict[str, str], outlet: str) -> str:
    return next(a for a, o in outlets.items() if o == outlet)


def _read(client: redis.Redis, view: ReadModel, group: str, start: str, **kw: Any) -> int:
    """Apply what ``group`` has for this member; how many entries came again (reclaimed)."""
    again = 0
    with Consumer(client, group=group, start=start, block_ms=10, stop_when_idle=True, **kw) as c:
        for msg in c:
            view.apply(decode(msg.raw), msg.stream_id)
            msg.ack()
            again += msg.deliveries > 1
    return again


@pytest.mark.parametrize("seed", range(3))
def test_a_read_model_from_the_stream_alone_is_the_ledgers(
    redis_client: redis.Redis, seed: int
) -> None:
    """A service that builds its stories from the event stream as docs/events.md says (repeats
    dropped by id, story events by version, merged ids ended, an article's events by stream
    id) ends with the ledger's stories, outlets, credits, counts and article placements:
    reading along while a member of its group dies holding a batch (reclaimed after later
    entries), starting late from the stream's beginning, or resuming from its saved position."""
    rng = random.Random(seed)
    params = PARAMS["merging"]
    ledger = RedisLedger(redis_client)
    engine = StoryEngine(RedisStoryStore.for_params(redis_client, params), params)
    stream = Stream(rng=rng, engine=engine, ledger=ledger)
    sink = RedisStreamSink(redis_client, outbox_key=ledger.outbox_key)
    live = ReadModel()
    dies = Consumer(redis_client, group="live", name="dies", start="0", count=7, block_ms=10)
    reclaimed = 0
    for step in range(40):
        _step(stream, rng)
        sink.drain_all(now=time.time())
        if step % 10 == 9:
            if step == 19:
                # Taken and never acknowledged: the live member reads past them now and gets
                # them, reclaimed, on a later read, after newer entries.
                dies.poll()
            position = live.position or "0"  # saved; each read resumes from it
            reclaimed += _read(redis_client, live, "live", position, claim_idle_ms=200)
    sweep_held(engine, ledger, older_than=0.0, heal_after=1e9, now=time.time())
    sink.drain_all(now=time.time())
    time.sleep(0.25)
    reclaimed += _read(redis_client, live, "live", live.position or "0", claim_idle_ms=200)
    assert reclaimed
    late = ReadModel()
    _read(redis_client, late, "late", "0")
    want = ledger_model(redis_client)
    assert differences(consumer_model(live), want) == []
    assert differences(consumer_model(late), want) == []
    assert len(want.story_of) > 10


def test_a_merge_chain_ends_every_absorbed_id_and_a_late_earlier_article_takes_the_credit(
    redis_client: redis.Redis,
) -> None:
    """A absorbs B, then C absorbs A; an article of B is edited after, and a late article
    published before every other is placed in B by an engine that has not seen the merges:
    the read model holds one story, C, with every article, credited to the late one."""
    ledger = RedisLedger(redis_client)

    def art(n: int, outlet: str, minutes: int, text: str = "", fetched: int = 0) -> Article:
        return Article(
            id=f"a{n}", source_id=outlet.lower(), outlet=outlet, url=f"https://{outlet}.x/{n}",
            title=f"T{n}{text}", text=f"text {n}{text}", published=T0 + timedelta(minutes=minutes),
            content_hash=f"h{n}{text}", fetched_at=FETCHED + timedelta(minutes=fetched),
        )  # fmt: skip

    ledger.record(art(1, "A", 0), "A")
    ledger.record(art(2, "B", 10), "B")
    ledger.record(art(3, "C", -5), "C")
    ledger.record(art(4, "A", 30), "A", absorbed=["B"])
    ledger.record(art(5, "C", 40), "C", absorbed=["A"])
    ledger.record(art(2, "B", 10, " edited", fetched=1), "B")
    ledger.record(art(6, "D", -60), "B")
    RedisStreamSink(redis_client, outbox_key=ledger.outbox_key).drain_all(now=time.time())
    view = ReadModel()
    _read(redis_client, view, "g", "0")
    assert differences(consumer_model(view), ledger_model(redis_client)) == []
    (story,) = view.stories.values()
    assert story["story_id"] == "C"
    assert story["credited_outlet"]["outlet"] == "D"
    assert set(view.story_of().values()) == {"C"}
    assert story["article_count"] == len(view.articles) == 6
