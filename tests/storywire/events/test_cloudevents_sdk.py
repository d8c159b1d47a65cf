"""Every event type read back by the official CloudEvents SDK, and held to the 1.0 spec's rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import orjson
import pytest

from storywire import events
from storywire.models import Article
from storywire.stories_ledger import StoryRecord, merged, with_article
from tests.support.cloudevents_spec import sdk_read, spec_problems

# Not UTC, with microseconds: what a feed's date can be; events must still carry RFC 3339 UTC.
T0 = datetime(2026, 11, 24, 9, 30, 1, 250_000, tzinfo=timezone(timedelta(hours=1)))


def _article(aid: str, outlet: str, minutes: int, author: str | None = None) -> Article:
    return Article(
        id=aid, source_id=outlet.lower(), outlet=outlet, url=f"https://{outlet}.com/{aid}",
        title=f"{outlet} headline", text="Body.", published=T0 + timedelta(minutes=minutes),
        content_hash=f"h{aid}", author=author, language=None,
    )  # fmt: skip


def _every_type() -> list[events.CloudEvent]:
    one, _ = with_article(StoryRecord(id="st_1"), _article("a1", "Reuters", 5, "Ann"))
    two, _ = with_article(one, _article("a2", "CBS", 0))
    other, _ = with_article(StoryRecord(id="st_2"), _article("a3", "SCMP", 9))
    since = datetime(2026, 11, 21, 7, 59, 59, 999_999, tzinfo=UTC)
    return [
        events.article_ingested(_article("a1", "Reuters", 5, "Ann"), "st_1"),
        events.article_copied(_article("a4", "AP", 7), "st_1", "a1", two),
        events.story_changed(one, created=True),
        events.story_changed(two, created=False),
        events.story_merged(merged(two, other), ["st_2"]),
        events.source_failed("bbc", "https://bbc/rss", "timeout", failures=9, since=since, now=T0),
    ]


def test_the_samples_cover_every_event_type() -> None:
    assert sorted(e.type for e in _every_type()) == sorted(
        set(events.EVENT_TYPES) | {events.STORY_UPDATED}
    )


@pytest.mark.parametrize("event", _every_type(), ids=lambda e: e.type)
def test_every_event_type_is_read_by_the_sdk_as_published(event: events.CloudEvent) -> None:
    """Structured JSON mode: the SDK's attributes and data are exactly what we wrote."""
    raw = event.to_json()
    doc = orjson.loads(raw)
    assert spec_problems(doc) == []
    read = sdk_read(raw)
    assert read.pop("time") == event.time
    assert read == {k: v for k, v in doc.items() if k != "time"}
    assert doc["time"].endswith("Z")


def test_ids_are_unique_per_decision_across_types() -> None:
    """source + id names one event: no two of the samples (different decisions) share one."""
    built = _every_type()
    assert len({(orjson.loads(e.to_json())["source"], e.id) for e in built}) == len(built)


def test_the_rules_catch_what_the_spec_forbids() -> None:
    """The checker itself: each rule fires on a document breaking it."""
    good = orjson.loads(_every_type()[0].to_json())
    assert spec_problems(good) == []
    for broken in (
        {**good, "specversion": "0.3"},
        {k: v for k, v in good.items() if k != "source"},
        {**good, "id": ""},
        {**good, "time": "2026-11-24 08:00:00"},
        {**good, "dataschema": "storywire.article.ingested.v1"},
        {**good, "source": "urn:story wire"},
        {**good, "datacontenttype": "json"},
        {**good, "partitionKey": "x"},
        {**good, "averyveryverylongextension": "x"},
        {**good, "data_base64": "AA=="},
    ):
        assert spec_problems(broken), broken
