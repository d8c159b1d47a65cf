"""What `make demo` prints of each story, and how it knows the pipeline is done."""

from __future__ import annotations

import base64
import io
from datetime import UTC, datetime, timedelta

import orjson
import redis

from storywire.adapters.embedded_redis import EmbeddedRedis
from storywire.adapters.redis_ledger import RedisLedger
from storywire.models import Article
from storywire.settings import Settings
from storywire.stories_ledger import StoryRecord, with_article
from tasks import options
from workers.app import app, release_interval
from workers.demo import pipeline_idle, print_stories, release_when_stalled

T0 = datetime(2026, 11, 25, 5, 40, tzinfo=UTC)


def _article(i: int, outlet: str) -> Article:
    return Article(
        id=f"a{i}", source_id=outlet.lower(), outlet=outlet, url=f"https://{outlet.lower()}.com/{i}",
        title=f"headline {i}", text="Body.", published=T0 + timedelta(minutes=i),
        content_hash=f"h{i}",
    )  # fmt: skip


def test_stories_print_most_outlets_first_with_counts_in_words() -> None:
    single, _ = with_article(StoryRecord(id="st_one"), _article(3, "CBS"))
    double = StoryRecord(id="st_two")
    for i, outlet in ((1, "NPR"), (2, "Reuters")):
        double, _ = with_article(double, _article(i, outlet))
    out = io.StringIO()
    print_stories([single, double], out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "2 stories"
    assert "  story st_two: 2 articles, 2 outlets; credited to NPR" in lines
    assert "  story st_one: 1 article, 1 outlet; credited to CBS" in lines
    assert lines.index("headline 1") < lines.index("headline 3")


def test_held_articles_keep_the_pipeline_busy_until_a_stalled_demo_releases_them(
    redis_server: EmbeddedRedis, redis_client: redis.Redis
) -> None:
    """Pending articles are work not done; with nothing else left the demo sends one release
    of all of them to the process queue, and not a second one while that is queued."""
    ledger = RedisLedger(redis_client)
    assert pipeline_idle(redis_client)
    ledger.hold(_article(1, "CBS"))
    assert not pipeline_idle(redis_client)
    assert pipeline_idle(redis_client, pending=False)
    assert release_when_stalled(redis_client, redis_server.url)
    assert not release_when_stalled(redis_client, redis_server.url)  # the release is queued
    (message,) = redis_client.lrange("process", 0, -1)
    body = orjson.loads(message)
    assert body["headers"]["task"] == options.RELEASE.name
    args, kwargs, _ = orjson.loads(base64.b64decode(body["body"]))
    assert (args, kwargs) == ([], {"older_than": 0.0})


def test_the_release_sweep_runs_every_quarter_hold_at_least_every_second() -> None:
    assert release_interval(Settings(story_hold_seconds=60)) == 15.0
    assert release_interval(Settings(story_hold_seconds=2)) == 1.0
    assert release_interval(Settings(story_hold_seconds=0)) == 60.0  # leftovers only
    schedule = app.conf.beat_schedule["release-held"]
    assert schedule["task"] == options.RELEASE.name
    assert schedule["options"]["expires"] == schedule["schedule"]  # no pile-up behind a backlog
    assert app.conf.task_routes[options.RELEASE.name]["queue"] == "process"
