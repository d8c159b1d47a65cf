"""What `make demo` prints of each story, and how it knows the pipeline is done."""

from __future__ import annotations

import base64
import io
import os
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import orjson
import pytest
import redis

from storywire.adapters.embedded_redis import EmbeddedRedis, embedded_redis
from storywire.adapters.redis_ledger import RedisLedger
from storywire.models import Article
from storywire.settings import Settings
from storywire.stories_ledger import StoryRecord, with_article
from tasks import options
from workers import demo, processes
from workers.app import app, release_interval
from workers.cli import main
from workers.demo import pipeline_idle, print_stories, release_when_stalled

ROOT = Path(__file__).resolve().parents[2]
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
    # No pile-up behind a backlog.
    assert schedule["options"]["expires"] == schedule["schedule"].seconds
    assert app.conf.task_routes[options.RELEASE.name]["queue"] == "process"


def _recorded(tmp_path: Path, sources: str, polls: dict[str, list[str]]) -> Path:
    (tmp_path / "sources.toml").write_text(sources)
    for name, files in polls.items():
        (tmp_path / name).mkdir()
        for file in files:
            (tmp_path / name / file).write_text("<rss/>")
    return tmp_path


def _no_service(*args: object, **kwargs: object) -> None:
    raise AssertionError("the demo started the service")


@pytest.mark.parametrize(
    ("recorded", "named"),
    [
        ("seeds", "bbc-world"),  # real URLs, no recorded poll at all
        ("RECORDED", "b"),  # one source on a real URL beside a recorded one
        ("EMPTY", "a"),  # a path whose directory holds no numbered poll
    ],
)
def test_demo_refuses_a_directory_without_recorded_polls_for_every_source(
    recorded: str,
    named: str,
    *,
    tmp_path: Path,
    redis_server: EmbeddedRedis,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Offline means offline: a source the directory has no poll for would be polled on the
    internet (or answered 404), and the demo printed "0 stories" with exit 0. One line,
    exit 2, naming the sources and what the directory should hold; nothing is started."""
    monkeypatch.setattr("workers.demo.service_processes", _no_service)
    if recorded == "RECORDED":
        sources = (
            '[[source]]\nid = "a"\npath = "a"\n\n[[source]]\nid = "b"\nurl = "https://b.com/rss"\n'
        )
        recorded = str(_recorded(tmp_path, sources, {"a": ["1.xml"]}))
    elif recorded == "EMPTY":
        recorded = str(_recorded(tmp_path, '[[source]]\nid = "a"\npath = "a/"\n', {"a": ["a.xml"]}))
    else:
        recorded = str(ROOT / recorded)
    assert main(["demo", "--recorded", recorded, "--redis-url", redis_server.url]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"storywire demo: {recorded} has no recorded polls for ")
    assert captured.err.count("\n") == 1
    assert named in captured.err
    assert "1.xml" in captured.err


def test_demo_accepts_its_own_recordings_and_a_path_written_with_slashes(tmp_path: Path) -> None:
    """The feed server strips a path's slashes; so does the check."""
    from workers.demo import unrecorded_sources  # noqa: PLC0415 - the function under test

    recorded = _recorded(tmp_path, '[[source]]\nid = "a"\npath = "/a/"\n', {"a": ["1.xml"]})
    assert unrecorded_sources(recorded) == []
    assert unrecorded_sources(ROOT / "seeds" / "recorded") == []


class _StartedError(Exception):
    """Raised in place of starting the demo's workers, with the environment they would get."""


def test_the_demos_workers_never_take_the_configured_broker(
    monkeypatch: pytest.MonkeyPatch, redis_server: EmbeddedRedis, redis_client: redis.Redis
) -> None:
    """With STORYWIRE_BROKER_URL set (a production broker), the demo's workers joined it:
    they took its tasks into a throwaway Redis, and the demo, watching its own queues, timed
    out. Its children now get its own Redis as their broker."""
    production = "redis://127.0.0.1:1/0"
    monkeypatch.setenv("STORYWIRE_BROKER_URL", production)

    @contextmanager
    def start(settings: Settings, env: dict[str, str], **_: object) -> Iterator[None]:
        children = {**os.environ, **env}  # what service_processes gives each child
        raise _StartedError(Settings.from_env(children).effective_broker_url)
        yield

    monkeypatch.setattr(demo, "service_processes", start)
    with pytest.raises(_StartedError) as started:
        demo.run_demo(
            Settings.from_env(),
            ROOT / "seeds" / "recorded",
            redis_server.url,
            io.StringIO(),
            timeout=1,
        )
    assert started.value.args == (redis_server.url,)


def test_the_demo_ends_with_the_reason_when_a_worker_keeps_dying(
    monkeypatch: pytest.MonkeyPatch,
    redis_server: EmbeddedRedis,
    capfd: pytest.CaptureFixture[str],
) -> None:
    """A worker that died at each start left the demo waiting out its whole timeout, then
    'pipeline not idle' and no reason. It now tends its children as `storywire run` does."""
    real = processes.worker_command

    def command(queues: Sequence[str], settings: Settings, name: str | None = None) -> list[str]:
        if "fetch" in queues:  # this worker cannot start
            return [sys.executable, "-c", "raise SystemExit(3)"]
        return real(queues, settings, name)

    monkeypatch.setattr(processes, "worker_command", command)
    monkeypatch.setattr(processes, "Children", partial(processes.Children, give_up=2))
    started = time.monotonic()
    code = demo.run_demo(
        Settings.from_env(), ROOT / "seeds" / "recorded", redis_server.url, io.StringIO(),
        timeout=60,
    )  # fmt: skip
    assert code == 1
    assert time.monotonic() - started < 30
    assert "storywire demo: worker fetch exited 3 soon after each start" in capfd.readouterr().err


_RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>{name}</title>
<link>https://{name}.example/</link><item><title>{name} reports a harbour fire</title>
<link>https://{name}.example/fire</link><guid>https://{name}.example/fire</guid>
<pubDate>Wed, 25 Nov 2026 09:58:00 GMT</pubDate>
<description>Fire crews in {name} fought a blaze at the harbour on Wednesday.</description>
</item></channel></rss>"""


@pytest.mark.integration
@pytest.mark.timeout(120)
def test_the_demo_ends_once_every_recorded_poll_is_processed(tmp_path: Path) -> None:
    """The demo ended only when, by chance, two seconds passed with no poll of any source in
    flight; but its sources are polled every 1-3 s for good (each poll after the last
    recorded one a 304), so with its seven sources `make demo` mostly ran out of its 180 s
    and exited 1 instead of printing the stories. Once every recorded poll is served nothing
    more is polled, and the demo ends when those polls are processed."""
    names = [f"outlet{i}" for i in range(6)]
    sources = "".join(f'[[source]]\nid = "{n}"\npath = "{n}"\n\n' for n in names)
    recorded = tmp_path / "recorded"
    recorded.mkdir()
    _recorded(recorded, sources, {})
    for name in names:
        (recorded / name).mkdir()
        (recorded / name / "1.xml").write_text(_RSS.format(name=name))
    settings = Settings(data_dir=tmp_path / "var", log_format="json", metrics_port=0)
    out = io.StringIO()
    with embedded_redis() as server:
        code = demo.run_demo(settings, recorded, server.url, out, timeout=60)
    assert code == 0
    assert all(f"https://{name}.example/fire" in out.getvalue() for name in names)
