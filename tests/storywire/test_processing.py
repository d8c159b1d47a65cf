"""The process stage: entries become clean articles, placed in stories, announced once."""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from html import escape
from typing import Any

import orjson
import pytest
import redis

from storywire import processing
from storywire.adapters.redis_ledger import Outcome, RedisLedger
from storywire.clean import clean_title
from storywire.events import ARTICLE_COPIED, ARTICLE_INGESTED, article_ingested_events, event_id
from storywire.feeds import parse_feed
from storywire.holding import sweep_held
from storywire.models import Article, Entry, Source
from storywire.processing import (
    Announced,
    ProcessReport,
    announced,
    article_doc,
    build_article,
    process_entries,
)
from storywire.sources import SourceConfigError, parse_sources
from storywire.stories import Assignment, Doc, MemoryStoryStore, Params, StoryEngine
from storywire.stories_ledger import Hold, Release, Step
from tests.support.round_trips import counting_client, round_trips

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
SOURCE = Source(id="wire", url="https://wire.example/feed", outlet="Wire", domain="wire.example")
ECHO = Source(id="echo", url="https://echo.example/feed", outlet="Echo", domain="echo.example")


def _entry(guid: str, title: str, html: str) -> Entry:
    return Entry(
        guid=guid, link=f"https://wire.example/{guid}?utm_source=rss", title=title,
        summary_html="", content_html=html, published=datetime(2026, 11, 25, 9, tzinfo=UTC),
    )  # fmt: skip


# A wire story, word for word in every outlet that carries it.
WIRE = (
    "<p>A magnitude 6.1 earthquake struck off the coast of Sumatra on Tuesday, the US "
    "Geological Survey said. Indonesia's meteorology agency issued no tsunami warning, and "
    "there were no immediate reports of damage or casualties in the coastal towns.</p>"
)


def _outbox_events(client: redis.Redis, ledger: RedisLedger) -> list[dict[str, Any]]:
    """The events waiting in the outbox, in order (items are ``id|type|json``)."""
    return [
        orjson.loads(item.split(b"|", 2)[2]) for item in client.lrange(ledger.outbox_key, 0, -1)
    ]


def test_build_article_cleans_and_canonicalises() -> None:
    """Markup, boilerplate and tracking are gone; the id is deterministic."""
    entry = _entry(
        "1",
        "Storm &amp;amp; floods - Wire",
        "<p>Rain fell.</p><p>The post Storm appeared first on Wire.</p>",
    )
    article = build_article(SOURCE, "g:1", entry, fetched_at=NOW)
    assert article.url == "https://wire.example/1"
    assert article.title == "Storm & floods"
    assert article.text == "Rain fell."
    assert article.id == build_article(SOURCE, "g:1", entry, fetched_at=NOW).id


def test_an_article_too_short_to_detect_is_in_its_feeds_declared_language() -> None:
    """Detection abstains on a headline alone (null before); the feed's language stands in
    then, and only then: a feed that says "fr" for English text does not make it French."""
    short = replace(_entry("1", "Séisme au Japon", ""), language="fr")
    assert build_article(SOURCE, "g:1", short, fetched_at=NOW).language == "fr"
    assert (
        build_article(SOURCE, "g:1", replace(short, language=None), fetched_at=NOW).language is None
    )
    text = "<p>Rescuers searched collapsed buildings through the night after the earthquake.</p>"
    english = replace(_entry("2", "Quake hits Japan", text), language="fr")
    assert build_article(SOURCE, "g:2", english, fetched_at=NOW).language == "en"


def test_a_title_repeated_as_the_first_paragraph_leaves_the_text() -> None:
    """Medium and many themes start the content with the title as a heading: the text said it
    twice and the lead began "Why we rewrote our build system Last year our CI took...". Only
    an exact repeat (case and spaces aside) goes, and never the only paragraph."""
    html = "<h3>Why we rewrote  our build system</h3><p>Last year our CI took 45 minutes.</p>"
    article = build_article(SOURCE, "g:1", _entry("1", "Why We Rewrote Our Build System", html),
                            fetched_at=NOW)  # fmt: skip
    assert article.text == "Last year our CI took 45 minutes."
    assert article.lead == "Last year our CI took 45 minutes."
    other = build_article(SOURCE, "g:1", _entry("1", "Our build system", html), fetched_at=NOW)
    assert other.text.startswith("Why we rewrote our build system\n\n")
    alone = build_article(SOURCE, "g:1", _entry("1", "Storm", "<p>Storm</p>"), fetched_at=NOW)
    assert alone.text == "Storm"


def test_an_aggregated_items_own_outlet_leaves_its_title() -> None:
    """Google News titles end with the item's outlet (" - Reuters"), named by its <source>;
    the feed's own outlet ("Google News") never matched it."""
    aggregator = replace(SOURCE, outlet="Google News")
    entry = replace(_entry("1", "Fed holds rates steady - Reuters", "<p>x</p>"), outlet="Reuters")
    assert build_article(aggregator, "g:1", entry, fetched_at=NOW).title == "Fed holds rates steady"
    alone = replace(entry, title="Reuters")
    assert build_article(aggregator, "g:1", alone, fetched_at=NOW).title == "Reuters"


def test_content_without_text_leaves_the_text_to_the_description() -> None:
    """A content:encoded that is the featured image alone (or only boilerplate) beside a
    description that says what happened: the text was empty, the description unread."""
    summary = "Primary schools in Delhi will stay shut until Monday as the air quality worsens."
    entry = replace(
        _entry(
            "1",
            "Delhi schools shut",
            '<figure><img src="https://wire.example/smog.jpg" alt=""></figure>',
        ),
        summary_html=summary,
    )
    article = build_article(SOURCE, "g:1", entry, fetched_at=NOW)
    assert article.text == summary
    assert article.html == summary  # the description, not the picture
    # content with text is the text, however short its description
    full = replace(entry, content_html="<p>Rain fell.</p>")
    assert build_article(SOURCE, "g:1", full, fetched_at=NOW).text == "Rain fell."


def test_source_rules_extend_cleaning() -> None:
    """An operator's per-source rule removes that outlet's own boilerplate line."""
    source = parse_sources(
        [
            {
                "id": "wire",
                "url": SOURCE.url,
                "rules": [{"kind": "drop_paragraph_matching", "pattern": "^Subscribe to Wire"}],
            }
        ]
    )[0]
    entry = _entry("1", "T", "<p>News.</p><p>Subscribe to Wire Daily for more.</p>")
    assert build_article(source, "g:1", entry, fetched_at=NOW).text == "News."
    assert build_article(SOURCE, "g:1", entry, fetched_at=NOW).text.endswith("Wire Daily for more.")


def test_bad_source_rule_fails_at_load() -> None:
    """A malformed rule is a configuration error naming the source, not a worker crash later."""
    with pytest.raises(SourceConfigError, match="wire"):
        parse_sources([{"id": "wire", "url": SOURCE.url, "rules": [{"kind": "explode"}]}])


def test_an_entry_that_breaks_the_cleaner_is_rejected_alone(
    redis_client: redis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An error other than ValueError in one entry's cleaning (a bug, a time limit raised
    there) failed the whole batch, whose entries the fetch had marked seen: lost, all of them.
    It is now that entry's rejection, with its reason; the others land."""
    real = processing.build_article

    def build(source: Source, key: str, entry: Entry, **kwargs: Any) -> Article:
        if key == "g:2":
            raise RecursionError("maximum recursion depth exceeded")
        return real(source, key, entry, **kwargs)

    monkeypatch.setattr(processing, "build_article", build)
    report = process_entries(
        SOURCE,
        [("g:1", _entry("1", "Volcano erupts in Iceland", "<p>Lava flows.</p>")),
         ("g:2", _entry("2", "Storm hits coast", "<p>Winds.</p>"))],
        engine=StoryEngine(MemoryStoryStore()),
        ledger=RedisLedger(redis_client),
        fetched_at=NOW,
    )  # fmt: skip
    assert (report.new, report.rejected) == (
        1,
        (("g:2", "RecursionError: maximum recursion depth exceeded"),),
    )


def test_a_stop_error_in_an_entrys_cleaning_ends_the_batch_naming_the_entry(
    redis_client: redis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A ``stop`` error (the task's soft time limit) is no fault of the entry being cleaned:
    nothing is written, and the caller learns which entry it came in."""

    class OutOfTimeError(Exception):
        pass

    def build(source: Source, key: str, entry: Entry, **kwargs: Any) -> Article:
        raise OutOfTimeError

    monkeypatch.setattr(processing, "build_article", build)
    ledger = RedisLedger(redis_client)
    with pytest.raises(processing.CleaningStopped) as stopped:
        process_entries(
            SOURCE, [("g:1", _entry("1", "Storm hits coast", "<p>Winds.</p>"))],
            engine=StoryEngine(MemoryStoryStore()), ledger=ledger, fetched_at=NOW,
            stop=(OutOfTimeError,),
        )  # fmt: skip
    assert stopped.value.key == "g:1"
    assert ledger.all() == []


def test_update_keeps_its_story_and_empty_entries_are_rejected(redis_client: redis.Redis) -> None:
    """A changed entry stays in its story; an empty one is reported, the rest still land."""
    ledger = RedisLedger(redis_client)
    engine = StoryEngine(MemoryStoryStore())
    first = _entry("1", "Volcano erupts in Iceland", "<p>Lava flows near Grindavik.</p>")
    report = process_entries(
        SOURCE,
        [("g:1", first), ("g:2", _entry("2", "", ""))],
        engine=engine,
        ledger=ledger,
        fetched_at=NOW,
    )
    assert (report.new, report.stories_created, len(report.rejected)) == (1, 1, 1)
    changed = replace(first, content_html="<p>Lava flows near Grindavik; town evacuated.</p>")
    again = process_entries(
        SOURCE, [("g:1", changed)], engine=engine, ledger=ledger, fetched_at=NOW
    )
    assert (again.new, again.updated) == (0, 1)
    (record,) = ledger.all()
    assert len(record.members) == 1
    assert "evacuated" in record.members[0].summary


def test_an_undated_articles_edit_keeps_the_time_it_was_first_seen(
    redis_client: redis.Redis,
) -> None:
    """An item with no date is published when first fetched; its edit, fetched later, is the
    same article: it keeps that time, so its outlet keeps the credit and the story its
    first_seen (the edit's fetch time took both to a later outlet)."""
    ledger = RedisLedger(redis_client)
    engine = StoryEngine(MemoryStoryStore(), clock=NOW.timestamp)
    undated = replace(_entry("1", "Quake off Sumatra", WIRE), published=None)
    process_entries(SOURCE, [("g:1", undated)], engine=engine, ledger=ledger, fetched_at=NOW)
    later = NOW + timedelta(minutes=30)
    dated = replace(
        _entry("9", "Strong quake strikes off Sumatra", WIRE.replace("A magnitude", "The")),
        link="https://echo.example/9",
        published=later,
    )
    process_entries(ECHO, [("g:9", dated)], engine=engine, ledger=ledger, fetched_at=later)
    edited = replace(undated, content_html=WIRE.replace("no immediate", "no"))
    process_entries(
        SOURCE, [("g:1", edited)], engine=engine, ledger=ledger, fetched_at=NOW + timedelta(hours=2)
    )
    events = _outbox_events(redis_client, ledger)
    stories = [e["data"] for e in events if e["type"].startswith("storywire.story.")]
    story = stories[-1]
    assert [s["version"] - stories[0]["version"] for s in stories] == [0, 1, 2]
    assert story["credited_outlet"]["outlet"] == "Wire"
    assert story["first_seen"] == story["credited_outlet"]["published"] == "2026-11-25T12:00:00Z"
    edit = [e for e in events if e["type"] == ARTICLE_INGESTED][-1]
    assert edit["data"]["published"] == edit["time"] == "2026-11-25T12:00:00Z"


def test_an_edit_dated_later_keeps_the_time_the_article_was_published(
    redis_client: redis.Redis,
) -> None:
    """A CMS that dates an item by its last change (an Atom entry with only <updated>) gives
    its edit a later date: the edit is the same article, published when first recorded, so its
    outlet keeps the credit and the story its first_seen (the edit took both to an outlet
    that published after it, and the copy of its text was credited over it)."""
    ledger = RedisLedger(redis_client)
    engine = StoryEngine(MemoryStoryStore(), clock=NOW.timestamp)
    first = _entry("1", "Quake off Sumatra", WIRE)  # 09:00
    process_entries(SOURCE, [("g:1", first)], engine=engine, ledger=ledger, fetched_at=NOW)
    echo = replace(
        _entry("9", "Strong quake strikes off Sumatra", WIRE.replace("A magnitude", "The")),
        link="https://echo.example/9",
        published=NOW - timedelta(hours=2),
    )
    process_entries(ECHO, [("g:9", echo)], engine=engine, ledger=ledger, fetched_at=NOW)
    later = NOW + timedelta(hours=1)
    edited = replace(first, content_html=WIRE.replace("no immediate", "no"), published=later)
    polled = later + timedelta(minutes=5)
    process_entries(SOURCE, [("g:1", edited)], engine=engine, ledger=ledger, fetched_at=polled)
    events = _outbox_events(redis_client, ledger)
    stories = [e["data"] for e in events if e["type"].startswith("storywire.story.")]
    story = stories[-1]
    assert [s["version"] - stories[0]["version"] for s in stories] == [0, 1, 2]
    assert story["article_count"] == 2
    assert story["credited_outlet"]["outlet"] == "Wire"
    assert story["first_seen"] == story["credited_outlet"]["published"] == "2026-11-25T09:00:00Z"
    assert story["headline"] == "Quake off Sumatra"
    edit = [e for e in events if e["type"] == ARTICLE_INGESTED][-1]
    assert "no reports" in edit["data"]["text"]
    assert edit["data"]["published"] == edit["time"] == "2026-11-25T09:00:00Z"


def test_an_edit_of_a_held_article_dated_later_keeps_its_first_date(
    redis_client: redis.Redis,
) -> None:
    """The same for an article edited while held: its release records the edited text at the
    date the article was first held with."""
    edited = replace(
        _entry("2", STORM_TOO[0], "<p>Valparaiso flooded; two dead.</p>"),
        published=NOW + timedelta(hours=1),
    )
    ledger, _, summary = _edit_while_held(redis_client, edited, NOW + timedelta(hours=1, minutes=5))
    assert "two dead" in summary
    held_id = build_article(SOURCE, "g:2", edited, fetched_at=NOW).id
    released = [
        e["data"]["published"]
        for e in _outbox_events(redis_client, ledger)
        if e["type"] == ARTICLE_INGESTED and e["subject"] == held_id
    ]
    assert released == ["2026-11-25T09:00:00Z"]


def test_a_backfill_older_than_the_window_is_counted_late(redis_client: redis.Redis) -> None:
    """A new source's week-old items, after today's news: placed (their own stories), and
    counted, so an operator sees why they did not join today's stories."""
    ledger = RedisLedger(redis_client)
    engine = StoryEngine(MemoryStoryStore())
    today = _entry("1", "Volcano erupts in Iceland", "<p>Lava flows near Grindavik.</p>")
    assert process_entries(SOURCE, [("g:1", today)], engine=engine, ledger=ledger,
                           fetched_at=NOW).late == 0  # fmt: skip
    old = replace(_entry("2", "Storm floods Valencia", "<p>Rain fell for days.</p>"),
                  published=NOW - timedelta(days=7))  # fmt: skip
    report = process_entries(SOURCE, [("g:2", old)], engine=engine, ledger=ledger,
                             fetched_at=NOW)  # fmt: skip
    assert (report.new, report.stories_created, report.late) == (1, 1, 1)


def test_wire_copy_is_announced_as_a_copy_of_the_first_article(redis_client: redis.Redis) -> None:
    """A second outlet's word-for-word wire story joins the story and gets article.copied,
    naming the original article and its outlet; the first outlet's article gets none."""
    ledger = RedisLedger(redis_client)
    engine = StoryEngine(MemoryStoryStore())
    first = process_entries(
        SOURCE, [("g:1", _entry("1", "Quake off Sumatra", WIRE))],
        engine=engine, ledger=ledger, fetched_at=NOW,
    )  # fmt: skip
    copy = process_entries(
        ECHO, [("g:9", _entry("9", "Strong quake strikes off Sumatra (AP)", WIRE))],
        engine=engine, ledger=ledger, fetched_at=NOW,
    )  # fmt: skip
    assert (first.copies, copy.copies) == (0, 1)
    events = _outbox_events(redis_client, ledger)
    copied = [e for e in events if e["type"] == ARTICLE_COPIED]
    ingested = [e["data"] for e in events if e["type"] == ARTICLE_INGESTED]
    assert len(copied) == 1
    data = copied[0]["data"]
    assert data["article_id"] == ingested[1]["article_id"] == copied[0]["subject"]
    assert data["copy_of"] == ingested[0]["article_id"]
    assert data["story_id"] == ingested[0]["story_id"] == ingested[1]["story_id"]
    assert (data["outlet"], data["original_outlet"]) == ("Echo", "Wire")
    assert data["original_url"] == ingested[0]["url"]


def test_a_wire_article_polled_after_its_republication_is_announced_as_the_original(
    redis_client: redis.Redis,
) -> None:
    """The site that republished the wire's story was polled first: the wire's article,
    published earlier, is the original. It goes out as an ordinary article, and right after
    its article.ingested, in the same write, the site's article is announced as its copy."""
    ledger = RedisLedger(redis_client)
    engine = StoryEngine(MemoryStoryStore())
    republished = replace(
        _entry("9", "Strong quake strikes off Sumatra (AP)", WIRE),
        published=datetime(2026, 11, 25, 9, 40, tzinfo=UTC),
    )
    site = process_entries(
        ECHO, [("g:9", republished)], engine=engine, ledger=ledger, fetched_at=NOW
    )
    before = ledger.outbox_length()
    first = process_entries(
        SOURCE, [("g:1", _entry("1", "Quake off Sumatra", WIRE))],
        engine=engine, ledger=ledger, fetched_at=NOW,
    )  # fmt: skip
    assert (site.copies, first.copies) == (0, 0)
    # Announced now, so counted now (storywire_stories_total{kind="copy"}): it was counted
    # nowhere, the copy known to consumers and missing from the metric.
    assert (site.announced.copies, first.announced.copies) == (0, 1)
    events = _outbox_events(redis_client, ledger)
    assert [e["type"] for e in events[before:]] == [
        "storywire.story.updated.v1",
        ARTICLE_INGESTED,
        "storywire.article.ingested.v2",
        ARTICLE_COPIED,
    ]
    site_ingested, wire_ingested = (e["data"] for e in events if e["type"] == ARTICLE_INGESTED)
    (copied,) = (e for e in events if e["type"] == ARTICLE_COPIED)
    data = copied["data"]
    assert copied["subject"] == data["article_id"] == site_ingested["article_id"]
    assert data["copy_of"] == wire_ingested["article_id"]
    assert data["story_id"] == site_ingested["story_id"] == wire_ingested["story_id"]
    assert (data["outlet"], data["url"]) == ("Echo", site_ingested["url"])
    assert data["published"] == site_ingested["published"] == "2026-11-25T09:40:00Z"
    assert (data["original_outlet"], data["original_url"]) == ("Wire", wire_ingested["url"])
    # The id a copy found in arrival order would have had: a redelivery repeats it.
    assert copied["id"] == event_id(ARTICLE_COPIED, data["article_id"], data["copy_of"])


def test_an_undated_republication_that_arrived_first_stays_the_original(
    redis_client: redis.Redis,
) -> None:
    """A feed without dates: its item's ``published`` is the fetch time, which orders nothing
    (the item may be hours old). Arrival order stands: the wire's article is the copy."""
    ledger = RedisLedger(redis_client)
    engine = StoryEngine(MemoryStoryStore())
    undated = replace(_entry("9", "Strong quake strikes off Sumatra (AP)", WIRE), published=None)
    site = process_entries(ECHO, [("g:9", undated)], engine=engine, ledger=ledger, fetched_at=NOW)
    first = process_entries(
        SOURCE, [("g:1", _entry("1", "Quake off Sumatra", WIRE))],
        engine=engine, ledger=ledger, fetched_at=NOW,
    )  # fmt: skip
    assert (site.copies, first.copies) == (0, 1)
    events = _outbox_events(redis_client, ledger)
    (copied,) = (e["data"] for e in events if e["type"] == ARTICLE_COPIED)
    assert (copied["outlet"], copied["original_outlet"]) == ("Wire", "Echo")


def test_the_engine_is_told_which_items_came_without_a_date() -> None:
    """Through the fetch task's path (the parser's clock and the batch's fetch time are one
    instant; the entry crosses the broker as JSON), an undated or future-dated item reaches
    the engine undated, a dated one dated."""
    now = datetime.fromtimestamp(1764072000.123456, tz=UTC)
    body = (
        b"<rss version='2.0'><channel><title>W</title><link>https://wire.example/</link>"
        b"<item><title>Dated</title><link>https://wire.example/a</link><description>One."
        b"</description><pubDate>Tue, 25 Nov 2025 09:00:00 GMT</pubDate></item>"
        b"<item><title>Undated</title><link>https://wire.example/b</link><description>Two."
        b"</description></item>"
        b"<item><title>Ahead</title><link>https://wire.example/c</link><description>Three."
        b"</description><pubDate>Tue, 25 Nov 2031 09:00:00 GMT</pubDate></item>"
        b"</channel></rss>"
    )
    fetched_at = datetime.fromisoformat(now.isoformat())  # as tasks/fetch.py sends it
    dated = []
    for i, entry in enumerate(parse_feed(body, now=now).entries):
        sent = Entry.from_dict(orjson.loads(orjson.dumps(entry.to_dict())))
        article = build_article(SOURCE, f"g:{i}", sent, fetched_at=fetched_at)
        dated.append(article_doc(article).dated)
    assert dated == [True, False, False]


def test_a_retry_after_a_crash_before_the_ledger_still_announces_the_copy(
    redis_client: redis.Redis,
) -> None:
    """The story store committed the copy's assignment, then the worker died before the ledger
    write: the retried batch still gets article.copied (the store remembers the assignment)."""
    ledger = RedisLedger(redis_client)
    engine = StoryEngine(MemoryStoryStore())
    wire = (
        "<p>Flood waters rose across the Po valley on Sunday, the civil protection agency "
        "said, and several thousand residents of Piacenza and Cremona left their homes as the "
        "river broke its banks in three places. Rescue crews used boats to reach farms cut off "
        "by the water, and schools in the province stayed closed.</p>"
    )
    process_entries(
        SOURCE, [("g:1", _entry("1", "Po valley floods", wire))],
        engine=engine, ledger=ledger, fetched_at=NOW,
    )  # fmt: skip
    copy_entry = ("g:9", _entry("9", "Floods force thousands from homes in Italy", wire))
    article = build_article(ECHO, copy_entry[0], copy_entry[1], fetched_at=NOW)
    (crashed,) = engine.assign_many([Doc(article.id, article.title, article.text, NOW)])
    assert crashed.copy_of is not None  # committed in the store, never written to the ledger
    retry = process_entries(ECHO, [copy_entry], engine=engine, ledger=ledger, fetched_at=NOW)
    assert retry.copies == 1
    outbox = redis_client.lrange(ledger.outbox_key, 0, -1)
    types = [item.split(b"|", 2)[1].decode() for item in outbox]
    assert types.count(ARTICLE_COPIED) == 1


def test_article_carries_lead_and_sanitised_html() -> None:
    """The lead is the first sentences; the HTML keeps allowed tags with absolute, safe links."""
    html = (
        '<p>Rain fell all night. Rivers rose fast.</p><p><a href="/map" onclick="x()">Map</a>'
        '<a href="javascript:alert(1)">bad</a><script>steal()</script></p>'
    )
    article = build_article(SOURCE, "g:1", _entry("1", "Floods", html), fetched_at=NOW)
    assert article.lead.startswith("Rain fell all night. Rivers rose fast.")
    assert article.html is not None
    assert '<a href="https://wire.example/map"' in article.html
    assert "javascript:" not in article.html
    assert "onclick" not in article.html
    assert "steal" not in article.html


@pytest.mark.parametrize("title", ["", "\x00", "<br>"])
def test_a_title_taken_from_the_text_is_a_clean_title(title: str) -> None:
    """An entry whose title cleans to nothing is titled by its text's first line, cut at 200
    characters: a cut after a space left the title ending in one, which cleaning removes."""
    html = "<p>" + "word " * 60 + "</p>"
    article = build_article(SOURCE, "g:1", _entry("1", title, html), fetched_at=NOW)
    assert article.title == clean_title(article.title, outlet=SOURCE.outlet)
    assert article.title == ("word " * 40).strip() + "\u2026"


def test_a_title_taken_from_the_text_is_cut_at_a_word_or_a_sentence() -> None:
    """A post without a title (Mastodon, microblogs) was titled by its first 200 characters,
    cut mid-word ("… in the eastern dist"); it is cut as a lead is: its whole sentences that
    fit, else at a word, marked with "…"."""
    first = (
        "Just finished reading the new report on municipal water infrastructure and honestly"
        " the findings about lead pipes in older neighbourhoods are worse than anyone expected,"
        " especially in the eastern districts where replacement programmes stalled years ago."
    )
    entry = _entry("1", "", f"<p>{first} Thread below.</p><p>More.</p>")
    article = build_article(SOURCE, "g:1", entry, fetched_at=NOW)
    assert article.title == (
        "Just finished reading the new report on municipal water infrastructure and honestly"
        " the findings about lead pipes in older neighbourhoods are worse than anyone expected,"
        " especially in the eastern\u2026"
    )
    entry = _entry("1", "", "<p>Good morning! The council meets at ten today.</p><p>More.</p>")
    article = build_article(SOURCE, "g:1", entry, fetched_at=NOW)
    assert article.title == "Good morning! The council meets at ten today."


def test_lead_length_is_configurable() -> None:
    """A shorter lead limit keeps whole sentences within it."""
    html = "<p>Rain fell all night. Rivers rose fast. Roads closed at dawn.</p>"
    article = build_article(
        SOURCE, "g:1", _entry("1", "Floods", html), fetched_at=NOW, lead_chars=45
    )
    assert article.lead == "Rain fell all night. Rivers rose fast."


def _outbox_ingested(client: redis.Redis, ledger: RedisLedger) -> dict[str, str]:
    """article id -> story id of every article.ingested queued so far."""
    out = {}
    for item in client.lrange(ledger.outbox_key, 0, -1):
        event = orjson.loads(item.split(b"|", 2)[2])
        if event["type"] == ARTICLE_INGESTED:
            out[event["data"]["article_id"]] = event["data"]["story_id"]
    return out


STORM = ("Storm floods the coast of Chile", "<p>Heavy rain flooded Valparaiso on Monday.</p>")
STORM_TOO = ("Chile storm floods coast", "<p>Valparaiso flooded after heavy rain on Monday.</p>")
OTHER = [
    ("Central bank raises rates in Japan", "<p>The Bank of Japan lifted its policy rate.</p>"),
    ("Marathon record falls in Berlin", "<p>A Kenyan runner set a new world record.</p>"),
]


def _storm_pair() -> list[tuple[str, Entry]]:
    """A storm report and a second one of it, which joins (or is held for) its story."""
    return [("g:1", _entry("1", *STORM)), ("g:2", _entry("2", *STORM_TOO))]


def _others() -> list[tuple[str, Entry]]:
    """OTHER's two reports, from ECHO: arrivals that make held documents due."""
    return [(f"g:{i}", _entry(str(10 + i), *t)) for i, t in enumerate(OTHER)]


def _holding_engine() -> StoryEngine:
    # Every joining document scores below 1.0, so each is held, and 2 arrivals release it.
    return StoryEngine(MemoryStoryStore(), Params(defer_below=1.0, defer_arrivals=2))


def test_a_held_article_waits_without_events_and_a_later_call_releases_it(
    redis_client: redis.Redis,
) -> None:
    """The joining article is pending (no event, no story mapping); two arrivals from another
    source release it: its events come with that later call, into the first article's story."""
    ledger = RedisLedger(redis_client)
    engine = _holding_engine()
    first = process_entries(SOURCE, _storm_pair(), engine=engine, ledger=ledger, fetched_at=NOW)
    created, held = (build_article(SOURCE, f"g:{i}", _entry(str(i), *t), fetched_at=NOW).id
                     for i, t in ((1, STORM), (2, STORM_TOO)))  # fmt: skip
    assert (first.new, first.stories_created, first.held, first.released) == (2, 1, 1, 0)
    assert first.joined == 0
    assert ledger.pending_count() == 1
    assert ledger.known_stories([held]) == {}
    assert set(_outbox_ingested(redis_client, ledger)) == {created}

    later = process_entries(ECHO, _others(), engine=engine, ledger=ledger, fetched_at=NOW)

    assert (later.new, later.stories_created, later.held, later.released) == (2, 2, 0, 1)
    assert later.announced == Announced(created=2, copies=0, merged=0)
    ingested = _outbox_ingested(redis_client, ledger)
    assert ingested[held] == ingested[created]
    assert ledger.pending_count() == 0
    assert ledger.known_stories([held]) == {held: ingested[created]}
    (record,) = [r for r in ledger.all() if r.id == ingested[created]]
    assert record.article_count == 2


def test_an_article_held_and_released_in_one_call_is_recorded(redis_client: redis.Redis) -> None:
    """Held, then made due by the batch's own later arrivals: its hold reaches the ledger
    before its release does, so the release finds it and records it."""
    ledger = RedisLedger(redis_client)
    items = _storm_pair()
    items += [(f"g:{i + 3}", _entry(str(i + 3), *t)) for i, t in enumerate(OTHER)]
    report = process_entries(SOURCE, items, engine=_holding_engine(), ledger=ledger, fetched_at=NOW)
    assert (report.new, report.held, report.released) == (4, 1, 1)
    assert ledger.pending_count() == 0
    assert len(_outbox_ingested(redis_client, ledger)) == 4


def _edit_while_held(
    redis_client: redis.Redis, edited: Entry, edited_at: datetime = NOW
) -> tuple[RedisLedger, ProcessReport, str]:
    """The second storm report is held; ``edited`` (its edit, fetched at ``edited_at``) arrives
    while it is, and is checked pending; later arrivals release it. Returns the ledger, the
    edit's report and the released member's summary."""
    ledger = RedisLedger(redis_client)
    engine = _holding_engine()
    process_entries(SOURCE, _storm_pair(), engine=engine, ledger=ledger, fetched_at=NOW)
    again = process_entries(
        SOURCE, [("g:2", edited)], engine=engine, ledger=ledger, fetched_at=edited_at
    )
    assert ledger.pending_count() == 1
    process_entries(ECHO, _others(), engine=engine, ledger=ledger, fetched_at=NOW)
    held_id = build_article(SOURCE, "g:2", edited, fetched_at=NOW).id
    (record,) = [r for r in ledger.all() if any(m.article_id == held_id for m in r.members)]
    (member,) = [m for m in record.members if m.article_id == held_id]
    return ledger, again, member.summary


def test_an_edit_of_a_held_article_stays_held_and_is_released_edited(
    redis_client: redis.Redis,
) -> None:
    """The edit is not a known article (no story yet): the engine sees it again and still
    holds it, an update of the article held (counted new and held once, when it came first);
    the release announces the edited text."""
    edited = _entry("2", STORM_TOO[0], "<p>Valparaiso flooded; two dead.</p>")
    _, again, summary = _edit_while_held(redis_client, edited)
    assert (again.new, again.updated, again.held) == (0, 1, 0)
    assert "two dead" in summary


def test_an_edit_of_a_held_article_unlike_its_story_is_not_undone_by_its_release(
    redis_client: redis.Redis,
) -> None:
    """An edit of a held article that no longer resembles the story it was held for stays held
    (the first hold stands); recorded at once instead, the later release of the first hold
    rewrote the article with its old text, in the story the edit had started."""
    edited = _entry("2", "Norway parliament passes budget", "<p>Oslo lawmakers approved it.</p>")
    ledger, again, summary = _edit_while_held(redis_client, edited)
    assert (again.updated, again.held, again.stories_created) == (1, 0, 0)
    assert "Oslo lawmakers" in summary
    assert len(ledger.all()) == 3  # the storm story and OTHER's two: no story of the edit's


def test_an_edit_recorded_after_a_lost_release_is_not_undone_by_the_healing(
    redis_client: redis.Redis,
) -> None:
    """A worker died between the engine's release of a held article and the ledger's: an
    edit then arrives, the engine gives its stored decision and the ledger records the edit.
    That decides the article, so it is pending no more: the sweep must not heal it later
    with the held (older) text."""
    ledger = RedisLedger(redis_client)
    engine = _holding_engine()
    process_entries(SOURCE, _storm_pair(), engine=engine, ledger=ledger, fetched_at=NOW)
    (released,) = engine.release_held(0)  # the ledger never hears of it: the worker died
    edited = _entry("2", STORM_TOO[0], "<p>Valparaiso flooded; two dead.</p>")
    again = process_entries(SOURCE, [("g:2", edited)], engine=engine, ledger=ledger, fetched_at=NOW)
    assert (again.new, again.held) == (1, 0)
    assert ledger.pending_count() == 0
    report = sweep_held(engine, ledger, older_than=0.0, heal_after=0.0, now=time.time() + 1)
    assert report.recorded == 0
    held_id = build_article(SOURCE, "g:2", edited, fetched_at=NOW).id
    assert released[0] == held_id
    (record,) = [r for r in ledger.all() if any(m.article_id == held_id for m in r.members)]
    (member,) = [m for m in record.members if m.article_id == held_id]
    assert "two dead" in member.summary
    assert record.article_count == 2


class _Calls:
    """A ledger that only notes what it was asked, in order (the order is what is tested)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def claim_same(
        self, linked: Sequence[Article], articles: Sequence[Article] = ()
    ) -> tuple[dict[str, tuple[str, str]], dict[str, str]]:
        return {}, {}

    def write(self, steps: Sequence[Step]) -> list[Outcome | None]:
        out: list[Outcome | None] = []
        for step in steps:
            if isinstance(step, Hold):
                self.calls.append(("hold", step.article.id))
            elif isinstance(step, Release):
                self.calls.append(("release", step.article_id))
            else:
                self.calls.append(("record", step.article.id))
            out.append(Outcome(story_id="", events=()))
        return out


def test_releases_reach_the_ledger_in_the_engines_order() -> None:
    """A document released before a later arrival is recorded before it: the ledger's first
    record of a story is the document the engine started it with."""
    items = _storm_pair()
    items += [(f"g:{i + 3}", _entry(str(i + 3), *t)) for i, t in enumerate(OTHER)]
    ids = [build_article(SOURCE, k, e, fetched_at=NOW).id for k, e in items]
    ledger = _Calls()
    engine = StoryEngine(MemoryStoryStore(), Params(defer_below=1.0, defer_arrivals=1))
    process_entries(SOURCE, items, engine=engine, ledger=ledger, fetched_at=NOW)
    # The second storm report is held as arrival 1, due by arrival 2: decided before OTHER[0].
    assert ledger.calls == [
        ("hold", ids[1]),
        ("record", ids[0]),
        ("release", ids[1]),
        ("record", ids[2]),
        ("record", ids[3]),
    ]


def _outbox_ids(client: redis.Redis, ledger: RedisLedger) -> list[str]:
    return [item.split(b"|", 2)[0].decode() for item in client.lrange(ledger.outbox_key, 0, -1)]


def test_an_entry_repeated_in_a_batch_is_one_article_announced_once(
    redis_client: redis.Redis,
) -> None:
    """The same entry key twice in one batch (its second text an edit) is one article with the
    last text: counted once, one story created, one event of each kind in the outbox. Before,
    it counted two new articles and two created stories, and queued both texts."""
    ledger = RedisLedger(redis_client)
    first = _entry("1", "Volcano erupts in Iceland", "<p>Lava flows near Grindavik.</p>")
    edited = replace(first, content_html="<p>Lava flows near Grindavik; town evacuated.</p>")
    report = process_entries(
        SOURCE,
        [("g:1", first), ("g:2", _entry("2", *OTHER[0])), ("g:1", edited)],
        engine=StoryEngine(MemoryStoryStore()),
        ledger=ledger,
        fetched_at=NOW,
    )
    assert (report.articles, report.new, report.stories_created) == (2, 2, 2)
    ids = _outbox_ids(redis_client, ledger)
    assert len(ids) == len(set(ids)) == 6  # story.created, article.ingested v1 and v2, twice
    (record,) = [r for r in ledger.all() if r.headline == first.title]
    assert "evacuated" in record.members[0].summary


def test_a_stale_batch_retried_after_an_edit_does_not_undo_it(redis_client: redis.Redis) -> None:
    """A batch retried late (a Redis hiccup, a worker killed) after the next poll's edit of one
    of its entries was recorded: the fetch stage has marked the edit seen and will not send it
    again, so recording the older text as a newer revision left it for good."""
    ledger = RedisLedger(redis_client)
    engine = StoryEngine(MemoryStoryStore())
    first = _entry("1", "Volcano erupts in Iceland", "<p>Lava flows near Grindavik.</p>")
    edited = replace(first, content_html="<p>Lava flows near Grindavik; town evacuated.</p>")
    later = NOW.replace(hour=13)
    process_entries(SOURCE, [("g:1", first)], engine=engine, ledger=ledger, fetched_at=NOW)
    process_entries(SOURCE, [("g:1", edited)], engine=engine, ledger=ledger, fetched_at=later)
    queued = _outbox_ids(redis_client, ledger)
    process_entries(SOURCE, [("g:1", first)], engine=engine, ledger=ledger, fetched_at=NOW)
    assert _outbox_ids(redis_client, ledger) == queued
    (record,) = ledger.all()
    assert "evacuated" in record.members[0].summary
    # The same batch redelivered is still announced again under its ids (at-least-once).
    process_entries(SOURCE, [("g:1", edited)], engine=engine, ledger=ledger, fetched_at=later)
    assert _outbox_ids(redis_client, ledger)[len(queued) :] == queued[-2:]  # v1 and v2


def test_a_stale_batch_retried_while_its_article_is_held_does_not_undo_the_edit(
    redis_client: redis.Redis,
) -> None:
    """The same for a held article: the older text must not replace the pending edit, which
    its release then announces."""
    ledger = RedisLedger(redis_client)
    engine = _holding_engine()
    process_entries(SOURCE, _storm_pair(), engine=engine, ledger=ledger, fetched_at=NOW)
    edited = _entry("2", STORM_TOO[0], "<p>Valparaiso flooded; two dead.</p>")
    later = NOW.replace(hour=13)
    process_entries(SOURCE, [("g:2", edited)], engine=engine, ledger=ledger, fetched_at=later)
    stale = [("g:2", _entry("2", *STORM_TOO))]
    process_entries(SOURCE, stale, engine=engine, ledger=ledger, fetched_at=NOW)
    assert ledger.pending_count() == 1
    process_entries(ECHO, _others(), engine=engine, ledger=ledger, fetched_at=later)
    held_id = build_article(SOURCE, "g:2", edited, fetched_at=NOW).id
    (record,) = [r for r in ledger.all() if any(m.article_id == held_id for m in r.members)]
    (member,) = [m for m in record.members if m.article_id == held_id]
    assert "two dead" in member.summary


def test_a_batch_reaches_the_ledger_in_three_round_trips(redis_client: redis.Redis) -> None:
    """Claiming the links and finding the articles already ingested, then the decisions and
    their events: three requests to Redis for a whole batch (it was 5-6 an article), however
    many articles, new or updated."""
    items = [(f"g:{i}", _entry(str(i), *t)) for i, t in enumerate(OTHER)]
    engine = StoryEngine(MemoryStoryStore())
    ledger = RedisLedger(counting_client(redis_client))
    process_entries(SOURCE, items[:1], engine=engine, ledger=ledger, fetched_at=NOW)  # scripts
    before = round_trips()
    edited = [(items[0][0], replace(items[0][1], title="Edited: " + items[0][1].title))]
    report = process_entries(
        SOURCE, edited + items[1:], engine=engine, ledger=ledger, fetched_at=NOW
    )
    assert (report.new, report.updated, report.held) == (len(items) - 1, 1, 0)
    assert round_trips() - before == 3


def test_an_entry_without_a_link_carries_no_credentials_of_its_feed() -> None:
    """An entry without a link stands at its feed's URL, and its relative links are made
    absolute against it: a paid feed's password and token went into the events with both."""
    paid = replace(SOURCE, url="https://reader:s3cret-pw@wire.example/feed?token=s3cret-tk")
    entry = replace(_entry("a", "Quake off Sumatra", '<p>See <a href="/map">the map</a>.</p>'),
                    link="")  # fmt: skip
    article = build_article(paid, "k", entry, fetched_at=datetime(2026, 11, 25, tzinfo=UTC))
    assert article.url == "https://reader:***@wire.example/feed?token=***"
    assert article.html is not None
    assert "s3cret" not in orjson.dumps(article.to_dict()).decode()


PAID_ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Wire</title><id>urn:wire</id>
<updated>2026-11-25T09:00:00Z</updated>
<entry><id>urn:wire:1</id><title>Quake off Sumatra</title><link href="news/quake"/>
<link rel="enclosure" type="image/jpeg" href="img/lead.jpg"/>
<updated>2026-11-25T09:00:00Z</updated>
<content type="html">&lt;p&gt;A quake struck. See &lt;a href="/map"&gt;the map&lt;/a&gt;.&lt;/p&gt;
&lt;p&gt;&lt;img src="img/q.jpg" width="800" height="600"&gt;&lt;/p&gt;</content></entry>
<entry><id>urn:wire:2</id><title>Aftershocks felt in Padang</title><link href="#item2"/>
<updated>2026-11-25T09:30:00Z</updated>
<content type="html">&lt;p&gt;Aftershocks were felt in Padang.&lt;/p&gt;</content></entry>
</feed>"""


def test_links_made_absolute_against_a_paid_feed_carry_none_of_its_credentials() -> None:
    """A feed's relative links are made absolute against the URL it was fetched from: a paid
    feed's password went into every article.ingested (v1 and v2) with its links, images and
    lead image, and its token with a link to an anchor of the feed itself. The events now
    carry the links without them."""
    url = "https://reader:s3cret-pw@wire.example/private/feed?token=s3cret-tk"
    paid = replace(SOURCE, url=url)
    feed = parse_feed(PAID_ATOM, now=NOW, url=url)
    articles = [
        build_article(paid, f"k{i}", entry, fetched_at=NOW) for i, entry in enumerate(feed.entries)
    ]
    quake, aftershocks = articles
    assert quake.url == "https://wire.example/private/news/quake"
    assert quake.image == "https://wire.example/private/img/lead.jpg"
    assert quake.html is not None
    assert 'href="https://wire.example/map"' in quake.html
    assert 'src="https://wire.example/private/news/img/q.jpg"' in quake.html
    assert aftershocks.url == "https://reader:***@wire.example/private/feed?token=***"
    for article in articles:
        for event in article_ingested_events(article, "st_1", 0, ("v1", "v2")):
            assert "s3cret" not in event.to_json().decode()


@pytest.mark.parametrize(
    "link",
    ["javascript:void(0)", "data:text/html,<p>hi</p>", "mailto:desk@wire.example",
     "tag:wire.example,2026:quake", "urn:uuid:5b1c0e1e-0c1f-4d2b-9a3c-1f2e3d4c5b6a"],
)  # fmt: skip
def test_an_entry_linked_to_no_web_page_stands_at_its_feeds_url(link: str) -> None:
    """An item whose link is no http(s) URL (a CMS's ``javascript:void(0)``, a ``tag:`` or
    ``urn:`` id) names no page: its article.ingested ``url``, a link consumers put in front
    of readers, was that string (``javascript:`` and all). It is now the feed's URL, as for an
    item with no link; the content's relative links are resolved against that, too."""
    rss = f"""<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>
<item><title>Quake off Sumatra</title><link>{escape(link)}</link>
<description>&lt;p&gt;A quake struck. See &lt;a href="/map"&gt;the map&lt;/a&gt;.&lt;/p&gt;</description>
</item></channel></rss>""".encode()
    (entry,) = parse_feed(rss, now=NOW, url=SOURCE.url).entries
    article = build_article(SOURCE, "k", entry, fetched_at=NOW)
    assert article.url == SOURCE.url
    assert article.html is not None
    assert 'href="https://wire.example/map"' in article.html


_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202e]")


@pytest.mark.parametrize(
    "body",
    [
        # A JSON Feed's strings may hold any escaped control, NUL too.
        b'{"version": "https://jsonfeed.org/version/1.1", "title": "Wire", "items": [{"id": "1",'
        b' "url": "https://wire\\u0000.example/quake", "title": "Quake off Sumatra",'
        b' "content_text": "A quake struck.", "authors": [{"name": "Ann\\u0000 Lee\\u0007"}],'
        b' "tags": ["World\\u0000", "Asia\\u001f\\u202e"]}]}',
        # NUL bytes in an RSS item (a UTF-16 feed read as UTF-8): read by the loose parser.
        b'<rss version="2.0"><channel><title>Wire</title><item><title>Quake off Sumatra</title>'
        b"<link>https://wire\x00.example/quake</link><description>A quake struck.</description>"
        b"<author>Ann\x00 Lee\x07</author><category>World\x00</category>"
        b"<category>Asia\x1f\xe2\x80\xae</category></item></channel></rss>",
    ],
    ids=["json", "rss"],
)
def test_controls_in_an_entrys_byline_categories_or_link_never_reach_events(body: bytes) -> None:
    """The title and text are cleaned, but the byline and categories went to events as the
    feed wrote them, NUL and other controls included (which a consumer's PostgreSQL text
    column refuses, and a bidi override reorders on screen), and a link whose host held one
    was the article's url. They are tidied as a title is; such a link names no page."""
    (entry,) = parse_feed(body, now=NOW, url=SOURCE.url).entries
    article = build_article(SOURCE, "k", entry, fetched_at=NOW)
    assert article.author == "Ann Lee"
    assert article.categories == ("World", "Asia")
    assert article.url == SOURCE.url
    for event in article_ingested_events(article, "st_1", 0, ("v1", "v2")):
        assert not [s for s in _strings(orjson.loads(event.to_json())) if _CONTROLS.search(s)]


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    return [s for v in value for s in _strings(v)] if isinstance(value, list) else []


def test_an_entry_linked_with_a_control_in_its_path_keeps_its_links() -> None:
    """The content's links are made absolute against the entry's link: one with a control in
    its path (NUL bytes of a UTF-16 feed read as UTF-8) gave an anchor or a query joined to it
    a value lxml refuses, and the entry was rejected (ValueError). It is percent-encoded, as
    in the article's url."""
    entry = Entry(
        guid="g", link="https://wire.example/quake\x00/", title="Quake off Sumatra",
        summary_html="", content_html='<p>A quake struck. <a href="#map">Map</a>, <a href="?p=2">'
        "next</a>.</p>", published=NOW,
    )  # fmt: skip
    article = build_article(SOURCE, "k", entry, fetched_at=NOW)
    assert article.url == "https://wire.example/quake%00/"
    assert article.html == (
        '<p>A quake struck. <a href="https://wire.example/quake%00/#map">Map</a>, '
        '<a href="https://wire.example/quake%00/?p=2">next</a>.</p>'
    )


def test_an_empty_image_enclosure_is_not_the_paid_feeds_url() -> None:
    """An Atom image enclosure with an empty href (a CMS's missing featured image) was
    resolved against the URL the feed came from: the article's image, in its events, was the
    feed's URL, its token and all. It names no image."""
    source = replace(SOURCE, url="https://wire.example/feed?token=s3cret")
    body = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>Wire</title><id>urn:x</id><entry>'
        b'<id>urn:e</id><title>Quake off Sumatra</title><link href="https://wire.example/q"/>'
        b'<link rel="enclosure" type="image/png" href=""/><summary>A quake struck.</summary>'
        b"</entry></feed>"
    )
    for headers in ({}, {"Content-Type": "text/html"}):  # fast path or feedparser
        (entry,) = parse_feed(body, now=NOW, url=source.url, headers=headers).entries
        article = build_article(source, "k", entry, fetched_at=NOW)
        assert article.image is None


def test_announced_counts_what_the_ledger_tells_of_each_recorded_assignment() -> None:
    """A story started by a released document is a story created; a copy found on arrival
    and each earlier arrival found to be a copy are copies; absorbed stories are merges."""
    recorded = [
        Assignment("s1", created=True, copy_of=None, merged=(), score=0.0),
        Assignment("s1", created=False, copy_of="a1", merged=(), score=1.0),
        Assignment("s2", created=False, copy_of=None, merged=("s3", "s4"), score=0.5,
                   copied=("a7", "a8")),
    ]  # fmt: skip
    assert announced(recorded) == Announced(created=1, copies=3, merged=2)
    assert announced([]) == Announced()


def test_an_oversized_entry_is_cut_at_the_cap_and_the_batch_goes_on(
    redis_client: redis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An entry of 7 MB of HTML (a live blog that never ends, an inline data: image, a feed
    served to hurt) was cleaned whole: 8 s and 400 MB of memory, and its text and HTML went
    into two events each, 28 MB of outbox, past a broker's max_message_size. Its HTML is now
    cut at MAX_ENTRY_HTML characters (made small here to keep the test fast), before the tag
    the cut falls after; the article keeps what came before, the batch goes on, and the
    report names the entry."""
    cap = 50_000
    monkeypatch.setattr(processing, "MAX_ENTRY_HTML", cap)
    paragraph = "<p>The harbour council met again on Tuesday to debate the budget.</p>\n"
    huge = paragraph * (3 * cap // len(paragraph))
    entries = [
        ("g:1", _entry("1", "Harbour budget debate goes on", huge)),
        ("g:2", _entry("2", "Volcano erupts in Iceland", "<p>Lava flows near Grindavik.</p>")),
    ]
    ledger = RedisLedger(redis_client)
    report = process_entries(
        SOURCE, entries, engine=StoryEngine(MemoryStoryStore()), ledger=ledger, fetched_at=NOW
    )
    assert (report.new, report.rejected) == (2, ())
    assert report.truncated == (("g:1", "html", len(huge)),)
    (article,) = [
        e["data"]
        for e in _outbox_events(redis_client, ledger)
        if e["type"] == ARTICLE_INGESTED and e["data"]["title"].startswith("Harbour")
    ]
    # Whole paragraphs up to the cut: no half tag or half paragraph made into text.
    assert set(article["text"].split("\n\n")) == {paragraph[3:-5]}
    assert len(article["text"]) < cap
    assert len(article["html"]) <= cap


def test_an_oversized_description_is_cut_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """The cap is per HTML field: a description beside an empty content is cut as well, and
    one long text node is cut at the cap, not back to its start."""
    monkeypatch.setattr(processing, "MAX_ENTRY_HTML", 30_000)
    entry = replace(_entry("1", "Storm", ""), summary_html="<p>" + "storm " * 10_000 + "</p>")
    article = build_article(SOURCE, "g:1", entry, fetched_at=NOW)
    assert 29_000 < len(article.text) <= 30_000


def test_an_oversized_title_is_cut_as_a_lead_is(redis_client: redis.Redis) -> None:
    """A title of 1.2 MB (the whole post in the title, a feed served to hurt) went whole into
    the article's events and its story's headline, repeated by every event of that story: 2.8 s
    and 3.5 MB of outbox for one entry. It is now cut at MAX_TITLE_CHARS as a lead is (whole
    sentences, else at a word with "…"), after its outlet's name has left it, and reported."""
    sentence = "Harbour council approves the budget after a long debate. "
    title = sentence * 20_000 + "- Wire"
    ledger = RedisLedger(redis_client)
    report = process_entries(
        SOURCE, [("g:1", _entry("1", title, "<p>The harbour budget passed.</p>"))],
        engine=StoryEngine(MemoryStoryStore()), ledger=ledger, fetched_at=NOW,
    )  # fmt: skip
    assert report.new == 1
    assert report.truncated == (("g:1", "title", len(title)),)
    events = _outbox_events(redis_client, ledger)
    (article,) = [e["data"] for e in events if e["type"] == ARTICLE_INGESTED]
    assert len(article["title"]) <= processing.MAX_TITLE_CHARS
    assert article["title"].startswith(sentence.strip())
    assert article["title"].endswith("debate.")  # whole sentences
    assert max(len(orjson.dumps(e)) for e in events) < 20_000
