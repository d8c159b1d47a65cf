"""The whole service on recorded feeds: real Redis, real Celery workers, real beat."""

from __future__ import annotations

import tomllib
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import orjson
import pytest
import redis

from storywire.adapters.redis_metrics import snapshot
from storywire.urls import clean_link
from tests.integration.conftest import DemoRun

ROOT = Path(__file__).resolve().parents[2]
RECORDED = ROOT / "seeds" / "recorded"
KEY_STORY = "ua-ru-prisoner-talks"

pytestmark = pytest.mark.integration


def _final_partition(client: redis.Redis) -> tuple[dict[str, str], dict[str, dict[str, Any]]]:
    """Article URL → story id and story id → last story data, replayed from the event stream."""
    alias: dict[str, str] = {}
    story_of_url: dict[str, str] = {}
    stories: dict[str, dict[str, Any]] = {}
    for _, fields in client.xrange("storywire.events"):
        event = orjson.loads(fields[b"event"])
        data = event["data"]
        if event["type"] == "storywire.article.ingested.v1":
            story_of_url[data["url"]] = data["story_id"]
        elif event["type"] == "storywire.story.merged.v1":
            for gone in data["merged_story_ids"]:
                alias[gone] = data["story_id"]
                stories.pop(gone, None)
            stories[data["story_id"]] = data["story"]
        elif event["type"] in ("storywire.story.created.v1", "storywire.story.updated.v1"):
            stories[data["story_id"]] = data

    def resolve(story_id: str) -> str:
        while story_id in alias:
            story_id = alias[story_id]
        return story_id

    return {url: resolve(s) for url, s in story_of_url.items()}, stories


@pytest.mark.timeout(240)
def test_demo_groups_outlets_into_the_expected_stories(
    demo_run: DemoRun,
) -> None:
    """Every recorded article lands in exactly the story expected.toml says, no more, no less."""
    assert demo_run.code == 0
    client = demo_run.client
    expected = tomllib.loads((RECORDED / "expected.toml").read_text())
    story_of_url, _ = _final_partition(client)
    groups: dict[str, set[str]] = defaultdict(set)
    for story in expected["story"]:
        for link in story["articles"]:
            groups[story["key"]].add(story_of_url[clean_link(link)])
    assert all(len(ids) == 1 for ids in groups.values()), dict(groups)
    story_ids = [next(iter(ids)) for ids in groups.values()]
    assert len(set(story_ids)) == len(story_ids), "two expected stories share one story id"
    for copy in expected.get("copy", []):
        assert len({story_of_url[clean_link(link)] for link in copy["links"]}) == 1


@pytest.mark.timeout(240)
def test_key_story_has_four_outlets_credited_to_the_first(
    demo_run: DemoRun,
) -> None:
    """The prisoner-talks story names its four outlets and credits the first to publish."""
    assert demo_run.code == 0
    client, printed = demo_run.client, demo_run.printed
    expected = {
        s["key"]: s for s in tomllib.loads((RECORDED / "expected.toml").read_text())["story"]
    }
    story_of_url, stories = _final_partition(client)
    key = expected[KEY_STORY]
    story = stories[story_of_url[clean_link(key["articles"][0])]]
    assert story["credited_outlet"]["source_id"] == key["credited"]
    assert {o["source_id"] for o in story["outlets"]} == {"aljazeera", "reuters", "cbsnews", "scmp"}
    assert {o["url"] for o in story["outlets"]} <= {clean_link(a) for a in key["articles"]}
    assert story["headline"] in printed


@pytest.mark.timeout(240)
def test_each_event_id_is_published_once(demo_run: DemoRun) -> None:
    """Redelivered work never produces a second copy of an event id in the stream."""
    client = demo_run.client
    ids = [fields[b"id"] for _, fields in client.xrange("storywire.events")]
    assert ids
    assert len(ids) == len(set(ids))


@pytest.mark.timeout(240)
def test_the_exported_counts_match_what_was_published(demo_run: DemoRun) -> None:
    """The exporter's counters tell the run the stream records: an ingested event per new or
    updated article, a created event per story created, a copied event per copy (one found
    when its original came later too: the feeds are polled in any order); each entry sent on
    is an article processed; and once idle nothing waits to be published."""
    client = demo_run.client
    types = Counter(fields[b"type"].decode() for _, fields in client.xrange("storywire.events"))
    values: dict[tuple[str, str], float] = {}
    for sample in snapshot(client, stream="storywire.events"):
        values[(sample.name, next(iter(sample.labels.values()), ""))] = sample.value
    articles = {k: v for (n, k), v in values.items() if n == "storywire_articles_total"}
    stories = {k: v for (n, k), v in values.items() if n == "storywire_stories_total"}
    entries = {k: v for (n, k), v in values.items() if n == "storywire_entries_total"}
    assert articles["new"] + articles.get("updated", 0) == types["storywire.article.ingested.v1"]
    assert stories["created"] == types["storywire.story.created.v1"]
    assert stories.get("copy", 0) == types["storywire.article.copied.v1"]
    settled = ("released", "healed", "reassigned")
    assert stories.get("held", 0) == sum(stories.get(k, 0) for k in settled)
    assert entries["sent"] == sum(articles.values())
    assert entries["unchanged"] > 0  # re-polled feeds list entries already sent
    assert values[("storywire_fetch_total", "ok")] > 0
    assert values[("storywire_outbox_events", "")] == 0
    assert values[("storywire_publish_lag_seconds", "")] == 0


@pytest.mark.timeout(120)
def test_a_demo_that_runs_out_of_time_says_so_in_one_line(
    capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The line read "demo: pipeline not idle after 0 s" for `--timeout 0.5`: it names the
    command as every other error line does, and the time given."""
    from workers.cli import main  # noqa: PLC0415

    monkeypatch.delenv("STORYWIRE_REDIS_URL", raising=False)
    monkeypatch.setenv("STORYWIRE_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("STORYWIRE_METRICS_PORT", "0")
    assert main(["demo", "--recorded", str(RECORDED), "--timeout", "0.5"]) == 1
    captured = capfd.readouterr()
    assert "storywire demo" not in captured.out  # its workers' banners go to stderr
    assert captured.err.splitlines()[-1] == "storywire demo: pipeline not idle after 0.5 s"
