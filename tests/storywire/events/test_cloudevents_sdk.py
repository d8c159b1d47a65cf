"""Every event type read back by the official CloudEvents SDK, and held to the 1.0 spec's rules."""

from __future__ import annotations

import orjson
import pytest

from storywire import events
from tests.support.cloudevents_spec import every_event_type, sdk_read, spec_problems


def test_the_samples_cover_every_event_type() -> None:
    assert sorted(e.type for e in every_event_type()) == sorted(
        set(events.EVENT_TYPES) | {events.STORY_UPDATED}
    )


@pytest.mark.parametrize("event", every_event_type(), ids=lambda e: e.type)
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
    built = every_event_type()
    assert len({(orjson.loads(e.to_json())["source"], e.id) for e in built}) == len(built)


def test_the_rules_catch_what_the_spec_forbids() -> None:
    """The checker itself: each rule fires on a document breaking it."""
    good = orjson.loads(every_event_type()[0].to_json())
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
