"""What a CloudEvents 1.0 consumer may assume of an event, checked as the spec words it, and
the event read back by the official Python SDK (``cloudevents`` on PyPI), as a consumer does.

Spec: https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/spec.md and its JSON format.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent as SdkEvent
from cloudevents.v1.http import from_json as legacy_from_json
from rfc3339_validator import validate_rfc3339  # type: ignore[import-untyped]

from storywire import events
from storywire.models import Article
from storywire.stories_ledger import StoryRecord, merged, with_article

CONTEXT = (
    "specversion",
    "id",
    "source",
    "type",
    "datacontenttype",
    "dataschema",
    "subject",
    "time",
)
# The JSON format's members that carry data, not attributes.
DATA_MEMBERS = ("data", "data_base64")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
# RFC 3986: no whitespace, controls, or characters outside the URI set in a URI (reference).
_URI_CHARS = re.compile(r"^[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+$")
# RFC 2046 type/subtype, with parameters.
_MEDIA_TYPE = re.compile(r"^[a-z0-9!#$&^_.+-]+/[a-z0-9!#$&^_.+-]+(\s*;\s*\S+=\S+)*$", re.IGNORECASE)


def spec_problems(doc: dict[str, Any]) -> list[str]:
    """What in ``doc`` (a structured-mode JSON event) breaks a CloudEvents 1.0 rule."""
    problems = []
    if doc.get("specversion") != "1.0":
        problems.append(f"specversion {doc.get('specversion')!r} is not '1.0'")
    for name in ("id", "source", "type"):
        if not isinstance(doc.get(name), str) or not doc[name]:
            problems.append(f"required {name} missing or not a non-empty string")
    for name in ("subject", "datacontenttype", "dataschema", "time"):
        if name in doc and (not isinstance(doc[name], str) or not doc[name]):
            problems.append(f"{name}, when present, must be a non-empty string")
    source = doc.get("source")
    if isinstance(source, str) and not _URI_CHARS.match(source):
        problems.append(f"source {source!r} is not a URI-reference")
    schema = doc.get("dataschema")
    if isinstance(schema, str) and not (_SCHEME.match(schema) and _URI_CHARS.match(schema)):
        problems.append(f"dataschema {schema!r} is not an absolute URI")
    time = doc.get("time")
    if isinstance(time, str) and not validate_rfc3339(time):
        problems.append(f"time {time!r} is not RFC 3339")
    media = doc.get("datacontenttype")
    if isinstance(media, str) and not _MEDIA_TYPE.match(media):
        problems.append(f"datacontenttype {media!r} is not an RFC 2046 media type")
    if "data" in doc and "data_base64" in doc:
        problems.append("both data and data_base64")
    return problems + _extension_problems(doc)


def _extension_problems(doc: dict[str, Any]) -> list[str]:
    # Extension attributes: lower-case ASCII letters and digits, at most 20 of them.
    return [
        f"extension attribute name {name!r} breaks the naming rule"
        for name in doc
        if name not in DATA_MEMBERS
        and name not in CONTEXT
        and not re.fullmatch(r"[a-z0-9]{1,20}", name)
    ]


def sdk_read(raw: bytes | str) -> dict[str, Any]:
    """``raw`` read by both of the SDK's JSON readers (its v2 core and its v1 API, which
    validate required attributes and names), as one comparable document."""
    event = JSONFormat().read(SdkEvent, raw)
    legacy = legacy_from_json(raw)
    attributes = dict(event.get_attributes())
    time = attributes.get("time")
    assert isinstance(time, datetime)
    assert time.tzinfo is not None
    assert legacy.get_attributes()["id"] == attributes["id"]
    assert legacy.get_data() == event.get_data()
    return {**attributes, "data": event.get_data()}


# Not UTC, with microseconds: what a feed's date can be; events must still carry RFC 3339 UTC.
T0 = datetime(2026, 11, 24, 9, 30, 1, 250_000, tzinfo=timezone(timedelta(hours=1)))


def _article(aid: str, outlet: str, minutes: int, author: str | None = None) -> Article:
    return Article(
        id=aid, source_id=outlet.lower(), outlet=outlet, url=f"https://{outlet}.com/{aid}",
        title=f"{outlet} headline", text="Body.", published=T0 + timedelta(minutes=minutes),
        content_hash=f"h{aid}", author=author, language=None,
    )  # fmt: skip


def every_event_type() -> list[events.CloudEvent]:
    """One event of every type (story.updated too), from the builders the ledger uses."""
    one, _ = with_article(StoryRecord(id="st_1"), _article("a1", "Reuters", 5, "Ann"))
    two, _ = with_article(one, _article("a2", "CBS", 0))
    other, _ = with_article(StoryRecord(id="st_2"), _article("a3", "SCMP", 9))
    since = datetime(2026, 11, 21, 7, 59, 59, 999_999, tzinfo=UTC)
    return [
        events.article_ingested(_article("a1", "Reuters", 5, "Ann"), "st_1"),
        events.article_ingested_v2(
            replace(
                _article("a1", "Reuters", 5, "Ann"),
                image="https://Reuters.com/a1.jpg?w=1200&h=675",
                categories=("World", "Europe"),
            ),
            "st_1",
        ),
        events.article_ingested_v3(_article("a1", "Reuters", 5, "Ann"), "st_1", 1),
        events.article_copied(_article("a4", "AP", 7), "st_1", "a1", two),
        events.story_changed(one, created=True),
        events.story_changed(two, created=False),
        events.story_merged(merged(two, other), ["st_2"]),
        events.source_failed("bbc", "https://bbc/rss", "timeout", failures=9, since=since, now=T0),
    ]


def sdk_read_amqp(content_type: str | None, headers: dict[str, Any] | None, body: bytes) -> Any:
    """An AMQP 0-9-1 message read by the SDK as its RabbitMQ binding and its AMQP binding (the
    application properties being the 0-9-1 headers) would: both pick the mode from the content
    type. Returns the event both agree on."""
    from cloudevents.core.bindings import amqp, rabbitmq  # noqa: PLC0415 - used here only

    by_rabbitmq = rabbitmq.from_rabbitmq_event(
        rabbitmq.RabbitMQMessage(headers=headers or {}, content_type=content_type, body=body)
    )
    by_amqp = amqp.from_amqp_event(
        amqp.AMQPMessage(
            properties={"content-type": content_type},
            application_properties=headers or {},
            application_data=body,
        )
    )
    assert by_amqp.get_attributes() == by_rabbitmq.get_attributes()
    assert by_amqp.get_data() == by_rabbitmq.get_data()
    return by_rabbitmq
