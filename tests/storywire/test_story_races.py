"""Four worker processes on one story, through the real process stage, story store and ledger
on one real Redis: no update to its outlets, its count or its credit is lost to a race.

Each process is an outlet filing reports of one earthquake, one batch at a time, dated out of
arrival order, some redelivered and one edited later (dated later, as feeds that date an item
by its last change do); joins are held and released by whichever process's arrivals make them
due. A consumer rebuilt from the events alone must then agree with every article sent."""

from __future__ import annotations

import math
import multiprocessing
import random
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
import redis

from storywire.adapters.redis_ledger import RedisLedger
from storywire.holding import sweep_held
from storywire.identity import article_id, content_hash
from storywire.models import Entry, Source
from storywire.processing import process_entries
from storywire.stories import Params, RedisStoryStore, StoryEngine
from tests.storywire.story_consumer import ConsumerView

T0 = datetime(2026, 11, 20, 6, tzinfo=UTC)
OUTLETS = ("Reuters", "AP", "DW", "BBC")
PER_WORKER = 6
PARAMS = Params(defer_arrivals=3)
BODY = (
    "A magnitude 7.1 earthquake struck off the coast of northern Chile on Monday near the port "
    "city of Iquique, the US Geological Survey said. Chilean authorities ordered the "
    "evacuation of the coastline and reported 4 deaths in Iquique and Arica. {extra}"
)
EXTRA = (
    "Rescuers searched the rubble.",
    "Schools were closed in Arica.",
    "The navy lifted the tsunami alert.",
    "Copper mines halted work.",
    "Aftershocks rattled the region.",
    "The president flew to Iquique.",
)


def _source(outlet: str) -> Source:
    name = outlet.lower()
    return Source(id=name, url=f"https://{name}.example/feed.xml", outlet=outlet,
                  domain=f"{name}.example")  # fmt: skip


def _entry(worker: int, k: int, rng: random.Random) -> tuple[str, Entry]:
    source = _source(OUTLETS[worker])
    guid = f"{source.id}-{k}"
    entry = Entry(
        guid=guid, link=f"https://{source.domain}/{guid}",
        title=f"Chile quake near Iquique: {EXTRA[k]}", summary_html="",
        content_html=f"<p>{BODY.format(extra=EXTRA[(k + worker) % len(EXTRA)])}</p>",
        published=T0 + timedelta(minutes=rng.randrange(0, 180)),
    )  # fmt: skip
    return f"g:{guid}", entry


def _fetched(worker: int, step: int) -> datetime:
    return T0 + timedelta(hours=4, seconds=step, microseconds=worker + 1)


def _worker(url: str, worker: int) -> None:
    client = redis.Redis.from_url(url)
    engine = StoryEngine(RedisStoryStore.for_params(client, PARAMS), PARAMS)
    ledger = RedisLedger(client)
    source = _source(OUTLETS[worker])
    rng = random.Random(worker)
    items = [_entry(worker, k, rng) for k in range(PER_WORKER)]
    step = 0
    for k, item in enumerate(items):
        for _ in range(1 + k % 2):  # every other batch redelivered
            step += 1
            process_entries(source, [item], engine=engine, ledger=ledger,
                            fetched_at=_fetched(worker, step))  # fmt: skip
    key, first = items[0]
    assert first.published is not None
    later = first.published + timedelta(hours=2)
    edited = replace(first, title=first.title + " (updated)", published=later)
    process_entries(source, [(key, edited)], engine=engine, ledger=ledger,
                    fetched_at=_fetched(worker, step + 1))  # fmt: skip
    client.close()


def _sent() -> dict[str, tuple[str, str, datetime]]:
    """Every article the workers sent: (outlet, its latest content hash, its first date)."""
    out = {}
    for worker, outlet in enumerate(OUTLETS):
        rng = random.Random(worker)
        for k in range(PER_WORKER):
            key, entry = _entry(worker, k, rng)
            title = entry.title + (" (updated)" if k == 0 else "")
            text = BODY.format(extra=EXTRA[(k + worker) % len(EXTRA)])
            assert entry.published is not None
            out[article_id(outlet.lower(), key)] = (
                outlet, content_hash(title, text), entry.published
            )  # fmt: skip
    return out


@pytest.mark.timeout(120)
def test_four_processes_on_one_story_lose_no_update(redis_client: redis.Redis) -> None:
    url = "redis://{host}:{port}/{db}".format(**redis_client.connection_pool.connection_kwargs)
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_worker, args=(url, w)) for w in range(len(OUTLETS))]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(timeout=90)
        assert proc.exitcode == 0
    engine = StoryEngine(RedisStoryStore.for_params(redis_client, PARAMS), PARAMS)
    ledger = RedisLedger(redis_client)
    sweep_held(engine, ledger, older_than=0.0, heal_after=1e9, now=time.time())
    assert ledger.pending(0.0, math.inf) == []

    view = ConsumerView()
    view.catch_up(redis_client, ledger.outbox_key)
    assert view.check() == []
    sent = _sent()
    assert {a: (d["outlet"], d["content_hash"]) for a, d in view.articles.items()} == {
        a: (outlet, digest) for a, (outlet, digest, _) in sent.items()
    }
    (story,) = view.stories.values()
    assert story["article_count"] == len(sent) == len(OUTLETS) * PER_WORKER
    assert sorted(o["outlet"] for o in story["outlets"]) == sorted(OUTLETS)
    first = min(sent, key=lambda a: (sent[a][2], a))  # ties go to the lowest article id
    assert story["credited_outlet"]["outlet"] == sent[first][0]
    assert datetime.fromisoformat(story["first_seen"]) == sent[first][2]
