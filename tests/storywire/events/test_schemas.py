"""The committed JSON Schemas: generated from the models, frozen once published, and true."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest

from storywire import events
from storywire.events import schemas
from storywire.models import Article
from storywire.stories_ledger import StoryRecord, merged, with_article

ROOT = Path(__file__).resolve().parents[3]
COMMITTED = ROOT / "schemas"
T0 = datetime(2026, 11, 24, 8, tzinfo=UTC)


def _article(aid: str, outlet: str, minutes: int, author: str | None = None) -> Article:
    return Article(
        id=aid, source_id=outlet.lower(), outlet=outlet, url=f"https://{outlet}.com/{aid}",
        title=f"{outlet} headline", text="Body.", published=T0 + timedelta(minutes=minutes),
        content_hash=f"h{aid}", author=author, language="en",
    )  # fmt: skip


def _validator(event_type: str) -> Any:
    doc = json.loads((COMMITTED / f"{event_type}.json").read_text())
    cls = jsonschema.validators.validator_for(doc)
    cls.check_schema(doc)
    return cls(doc, format_checker=cls.FORMAT_CHECKER)


def _sample_events() -> list[events.CloudEvent]:
    one, _ = with_article(StoryRecord(id="st_1"), _article("a1", "Reuters", 5, "Ann"))
    two, _ = with_article(one, _article("a2", "CBS", 0))
    other, _ = with_article(StoryRecord(id="st_2"), _article("a3", "SCMP", 9))
    both = merged(two, other)
    return [
        events.article_ingested(_article("a1", "Reuters", 5, "Ann"), "st_1"),
        events.story_changed(one, created=True),
        events.story_changed(two, created=False),
        events.story_merged(both, ["st_2"]),
        events.source_failed("bbc", "https://bbc/rss", "timeout", failures=9, since=T0, now=T0),
        events.article_copied(_article("a4", "AP", 7), "st_1", "a1", two),
        events.article_ingested_v2(_pictured("a1"), "st_1", 2),
        events.article_ingested_v3(_pictured("a1"), "st_1", 2),
    ]


def _pictured(aid: str) -> Article:
    return replace(
        _article(aid, "Reuters", 5, "Ann"),
        image="https://Reuters.com/a1.jpg",
        categories=("World", "Europe"),
    )


def test_committed_schemas_match_the_models() -> None:
    """Changing a model without regenerating (or editing a frozen file) fails here."""
    assert schemas.drift(COMMITTED) == []


def test_every_event_type_has_a_frozen_schema() -> None:
    """Each event type in the code has a committed schema whose hash is in FROZEN."""
    frozen = schemas.read_frozen(COMMITTED)
    assert {f"{t}.json" for t in events.EVENT_TYPES} <= set(frozen)
    assert f"{schemas.ENVELOPE}.json" in frozen


def test_generator_refuses_to_rewrite_a_published_version(tmp_path: Path) -> None:
    """A frozen v1 that the models would now generate differently is never overwritten."""
    target = tmp_path / "schemas"
    shutil.copytree(COMMITTED, target)
    path = target / "storywire.story.created.v1.json"
    doc = json.loads(path.read_text())
    doc["properties"]["headline"]["type"] = "integer"  # as if v1 had been published like this
    edited = schemas.render(doc)
    path.write_text(edited)
    frozen = (target / "FROZEN").read_text()
    (target / "FROZEN").write_text(
        frozen.replace(schemas.sha256(schemas.render(schemas.data_schema(events.STORY_CREATED))),
                       schemas.sha256(edited))
    )  # fmt: skip
    with pytest.raises(schemas.SchemaError, match="v2"):
        schemas.write(target)
    assert path.read_text() == edited
    assert schemas.main(["--dir", str(target)]) == 1


def test_generator_writes_new_versions_and_freezes_them(tmp_path: Path) -> None:
    """A fresh directory gets every schema and a FROZEN list; a second run changes nothing."""
    written = schemas.write(tmp_path)
    assert len(written) == len(events.DATA_MODELS) + 1
    assert schemas.drift(tmp_path) == []
    assert schemas.write(tmp_path) == []


@pytest.mark.parametrize("index", range(8))
def test_events_validate_against_their_schema(index: int) -> None:
    """Every builder's event validates: envelope schema, then its type's data schema."""
    event = _sample_events()[index]
    doc: dict[str, Any] = json.loads(event.to_json())
    _validator(schemas.ENVELOPE).validate(doc)
    assert doc["dataschema"] == schemas.schema_uri(event.type)
    _validator(event.type).validate(doc["data"])


def test_schema_rejects_missing_and_extra_fields() -> None:
    """The schemas are strict: a dropped field or an unknown one is a violation."""
    data = json.loads(_sample_events()[1].to_json())["data"]
    validator = _validator(events.STORY_CREATED)
    assert validator.is_valid(data)
    assert not validator.is_valid({k: v for k, v in data.items() if k != "credited_outlet"})
    assert not validator.is_valid({**data, "surprise": 1})
    assert not validator.is_valid({**data, "first_seen": "yesterday"})


def test_times_are_checked_as_dates_not_by_shape_alone() -> None:
    """The format checker knows date-time (rfc3339-validator, a dev dependency): the pattern
    alone lets month 13 through, so these tests would pass an impossible time."""
    doc = json.loads(_sample_events()[0].to_json())
    assert _validator(schemas.ENVELOPE).is_valid(doc)
    assert not _validator(schemas.ENVELOPE).is_valid({**doc, "time": "2026-13-45T25:61:00Z"})
    data = _validator(events.ARTICLE_INGESTED)
    assert not data.is_valid({**doc["data"], "published": "2026-02-30T08:00:00Z"})


def test_story_event_carries_the_contract_fields() -> None:
    """Story events name headline, summary, language, times, credited and every outlet, counts."""
    data = json.loads(_sample_events()[2].to_json())["data"]
    assert data["credited_outlet"]["outlet"] == "CBS"
    assert [(o["outlet"], o["url"]) for o in data["outlets"]] == [
        ("CBS", "https://CBS.com/a2"), ("Reuters", "https://Reuters.com/a1"),
    ]  # fmt: skip
    assert data["article_count"] == 2
    assert data["first_seen"] == "2026-11-24T08:00:00Z"
    assert data["last_updated"] == "2026-11-24T08:05:00Z"
    assert data["language"] == "en"
    assert set(data) >= {"headline", "summary", "top_entities", "story_id"}


def test_article_ingested_v2_is_v1_with_the_image_and_categories() -> None:
    """v2's data is v1's, field for field, plus image and categories; its own id (the type is
    hashed in), and a schema of its own that requires both new fields."""
    article = _pictured("a1")
    v1, v2 = (
        json.loads(build(article, "st_1", 1).to_json())
        for build in (events.article_ingested, events.article_ingested_v2)
    )
    assert v2["type"] == events.ARTICLE_INGESTED_V2 == "storywire.article.ingested.v2"
    assert v2["data"] == {
        **v1["data"],
        "image": "https://Reuters.com/a1.jpg",
        "categories": ["World", "Europe"],
    }
    assert v2["id"] != v1["id"]
    assert v2["id"] == events.event_id(events.ARTICLE_INGESTED_V2, "a1", "ha1", "1")
    assert {k: v for k, v in v2.items() if k not in ("id", "type", "dataschema", "data")} == {
        k: v for k, v in v1.items() if k not in ("id", "type", "dataschema", "data")
    }
    validator = _validator(events.ARTICLE_INGESTED_V2)
    assert validator.is_valid({**v2["data"], "image": None, "categories": []})
    assert not validator.is_valid(v1["data"])
    assert not _validator(events.ARTICLE_INGESTED).is_valid(v2["data"])  # v1 stays closed


def test_article_ingested_v3_is_v2_with_the_revision() -> None:
    article = _pictured("a1")
    v2, v3 = (
        json.loads(build(article, "st_1", 3).to_json())
        for build in (events.article_ingested_v2, events.article_ingested_v3)
    )
    assert v3["type"] == events.ARTICLE_INGESTED_V3 == "storywire.article.ingested.v3"
    assert v3["data"] == {**v2["data"], "revision": 3}
    assert v3["id"] == events.event_id(events.ARTICLE_INGESTED_V3, "a1", "ha1", "3") != v2["id"]
    assert not _validator(events.ARTICLE_INGESTED_V3).is_valid(v2["data"])
    assert not _validator(events.ARTICLE_INGESTED_V2).is_valid(v3["data"])  # v2 stays closed
    first = json.loads(events.article_ingested_v3(article, "st_1").to_json())
    assert first["data"]["revision"] == 0


def test_article_events_of_the_versions_asked_for() -> None:
    article = _pictured("a1")
    both = events.article_ingested_events(article, "st_1", 0, ("v1", "v2"))
    assert [e.type for e in both] == [events.ARTICLE_INGESTED, events.ARTICLE_INGESTED_V2]
    (only,) = events.article_ingested_events(article, "st_1", 0, ("v2",))
    assert only == both[1]


def test_v2_schema_states_the_bounds_the_parser_keeps() -> None:
    from storywire.feeds import CATEGORY_CHARS, MAX_CATEGORIES  # noqa: PLC0415 - this test only

    categories = schemas.data_schema(events.ARTICLE_INGESTED_V2)["properties"]["categories"]
    assert (
        f"at most {MAX_CATEGORIES} of at most {CATEGORY_CHARS} characters"
        in categories["description"]
    )
