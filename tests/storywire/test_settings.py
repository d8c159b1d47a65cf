"""Settings from the environment: shapes and the limits between knobs."""

from __future__ import annotations

import pytest
import redis

from storywire.settings import Settings, SettingsError
from tasks.options import FETCH


def test_retention_defaults_to_thirty_days_and_zero_keeps_for_good() -> None:
    assert Settings().retention == 30 * 86400
    assert Settings.from_env({"STORYWIRE_RETENTION_DAYS": "0"}).retention is None


@pytest.mark.parametrize("days", ["5", "-1"])
def test_a_retention_shorter_than_two_story_windows_is_refused(days: str) -> None:
    """A story record that lapsed while its story still takes articles would come back as a
    new story holding only the newest article."""
    env = {"STORYWIRE_RETENTION_DAYS": days, "STORYWIRE_STORY_WINDOW_HOURS": "72"}
    with pytest.raises(SettingsError, match="STORYWIRE_RETENTION_DAYS"):
        Settings.from_env(env)


@pytest.mark.parametrize("raw", [str(2**63), "-" + str(2**63), "1" + "0" * 30])
def test_an_integer_past_64_bits_is_refused_in_one_line(raw: str) -> None:
    """It passed every check, then failed at Redis (a stream's MAXLEN) in every worker."""
    with pytest.raises(SettingsError, match=r"^STORYWIRE_STREAM_MAXLEN=.*out of range") as caught:
        Settings.from_env({"STORYWIRE_STREAM_MAXLEN": raw})
    assert "\n" not in str(caught.value)
    assert Settings.from_env({"STORYWIRE_STREAM_MAXLEN": str(2**63 - 1)}).stream_maxlen == 2**63 - 1


def test_story_hold_seconds_reads_from_the_environment_and_refuses_negatives() -> None:
    assert Settings().story_hold_seconds == 60.0
    assert Settings.from_env({"STORYWIRE_STORY_HOLD_SECONDS": "0"}).story_hold_seconds == 0.0
    for bad in ("-1", "nan"):
        with pytest.raises(SettingsError, match="STORYWIRE_STORY_HOLD_SECONDS"):
            Settings.from_env({"STORYWIRE_STORY_HOLD_SECONDS": bad})


@pytest.mark.parametrize("lease", [FETCH.time_limit / 2, float(FETCH.time_limit)])
def test_a_lease_no_longer_than_the_fetch_tasks_hard_limit_is_refused(lease: float) -> None:
    """A fetch still running when its source's lease lapses finds its source due again, and the
    next dispatch polls it a second time at once."""
    env = {"STORYWIRE_LEASE_SECONDS": str(lease)}
    with pytest.raises(SettingsError, match=f"^STORYWIRE_LEASE_SECONDS={lease!r}: ") as caught:
        Settings.from_env(env)
    assert f"hard time limit ({FETCH.time_limit} s)" in str(caught.value)
    assert "\n" not in str(caught.value)
    longer = {"STORYWIRE_LEASE_SECONDS": str(FETCH.time_limit + 1)}
    assert Settings.from_env(longer).lease_seconds == FETCH.time_limit + 1


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("STORYWIRE_REDIS_URL", "localhost:6379"),
        ("STORYWIRE_REDIS_URL", "http://localhost:6379/0"),
        ("STORYWIRE_BROKER_URL", "127.0.0.1:6379"),
        ("STORYWIRE_AMQP_URL", "guest:guest@127.0.0.1:5672"),
        ("STORYWIRE_STREAM", "   "),
        ("STORYWIRE_STREAM_MAXLEN", "0"),
        ("STORYWIRE_DISPATCH_INTERVAL", "0"),
        ("STORYWIRE_DISPATCH_INTERVAL", "nan"),
        ("STORYWIRE_MAX_IN_FLIGHT", "-5"),
        ("STORYWIRE_LEASE_SECONDS", "-1"),
        ("STORYWIRE_CONNECT_TIMEOUT", "0"),
        ("STORYWIRE_READ_TIMEOUT", "inf"),
        ("STORYWIRE_FETCH_DEADLINE", "-3"),
        ("STORYWIRE_MAX_BODY_BYTES", "0"),
        ("STORYWIRE_MAX_REDIRECTS", "-1"),
        ("STORYWIRE_STORY_WINDOW_HOURS", "0"),
        ("STORYWIRE_STORY_DECAY_HOURS", "-1"),
        ("STORYWIRE_LEAD_CHARS", "-1"),
        ("STORYWIRE_LOG_FORMAT", "xml"),
        ("STORYWIRE_LOG_LEVEL", "LOUD"),
        ("STORYWIRE_FETCH_CONCURRENCY", "0"),
        ("STORYWIRE_PROCESS_CONCURRENCY", "-2"),
        ("STORYWIRE_DISABLE_MIN_FAILURES", "0"),
        ("STORYWIRE_UNCONDITIONAL_EVERY", "0"),
        ("STORYWIRE_REDIRECT_CONFIRMATIONS", "0"),
        ("STORYWIRE_REVERT_CONFIRMATIONS", "0"),
        ("STORYWIRE_REVERT_CONFIRMATIONS", "-3"),
        ("STORYWIRE_REVERT_CONFIRMATIONS", "2.5"),
        ("STORYWIRE_DOMAIN_REQUESTS_PER_MINUTE", "0"),
        ("STORYWIRE_DOMAIN_BURST", "0"),
        ("STORYWIRE_METRICS_PORT", "99999"),
        ("STORYWIRE_METRICS_PORT", "-1"),
        ("STORYWIRE_SINK", "kafka"),
        ("STORYWIRE_STREAM_RETENTION", "forever"),
        ("STORYWIRE_STREAM_MAX_AGE_HOURS", "0"),
        ("STORYWIRE_CONSUMER_CLAIM_IDLE_MS", "0"),
        ("STORYWIRE_CONSUMER_MAX_DELIVERIES", "0"),
        ("STORYWIRE_TASK_MAX_DELIVERIES", "0"),
        ("STORYWIRE_TASK_MAX_DELIVERIES", "-1"),
        ("STORYWIRE_AMQP_LEASE_SECONDS", "0"),
        ("STORYWIRE_MAX_IN_FLIGHT", "lots"),
        ("STORYWIRE_LEASE_SECONDS", "5m"),
        # Accepted, these stopped the workers: every process, publish and release task raised
        # (int(nan), int(inf) as a key's expiry), the beat could not schedule its sweep, and
        # the workers' and beat's --loglevel refused the name.
        ("STORYWIRE_RETENTION_DAYS", "nan"),
        ("STORYWIRE_RETENTION_DAYS", "inf"),
        ("STORYWIRE_STORY_HOLD_SECONDS", "inf"),
        ("STORYWIRE_LOG_LEVEL", "NOTSET"),
        ("STORYWIRE_LOG_LEVEL", "warn"),
        # A port out of range was a traceback in every command; a database that is no number
        # was read as database 0.
        ("STORYWIRE_REDIS_URL", "redis://127.0.0.1:99999/0"),
        ("STORYWIRE_REDIS_URL", "redis://127.0.0.1:6379/abc"),
        # redis-py reads the query as connection options: one of the wrong type, or one it
        # does not know, was a ValueError or TypeError traceback in every command.
        ("STORYWIRE_REDIS_URL", "redis://127.0.0.1:6379/0?socket_timeout=abc"),
        ("STORYWIRE_REDIS_URL", "unix:///run/redis.sock?db=abc"),
        ("STORYWIRE_REDIS_URL", "redis://127.0.0.1:6379/0?sokcet_timeout=5"),
        # Celery's spelling of the option (its docs' rediss:// URLs): redis-py raised a
        # RedisError traceback in every command and at `import workers.app`.
        ("STORYWIRE_REDIS_URL", "rediss://127.0.0.1:6380/0?ssl_cert_reqs=CERT_REQUIRED"),
        ("STORYWIRE_BROKER_URL", "redis://127.0.0.1:70000/0"),
        ("STORYWIRE_AMQP_URL", "amqp://guest:guest@127.0.0.1:99999/%2F"),
        # Accepted, every worker stopped on kombu's "'master_name' transport option must be
        # specified", which no setting gives.
        ("STORYWIRE_BROKER_URL", "sentinel://127.0.0.1:26379/0"),
        # Accepted, every fetch raised in http.client (a traceback in `storywire parse`).
        ("STORYWIRE_USER_AGENT", "storywire/0.1\r"),
        ("STORYWIRE_USER_AGENT", "storywire/0.1\r\nX-Injected: 1"),
        ("STORYWIRE_USER_AGENT", "storywire/0.1 \u2014 news desk"),
    ],
)
def test_a_bad_value_is_refused_naming_its_variable(name: str, value: str) -> None:
    """Refused when read, in one line naming the variable, rather than as a traceback deep in
    a worker (or not at all: a zero interval or budget spins, a port out of range never binds)."""
    with pytest.raises(SettingsError, match=name) as caught:
        Settings.from_env({name: value})
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        # A generated password with a character a URL reserves, not percent-encoded: refused,
        # and the refusal printed the whole URL on stderr (a worker's log), and Python's reason
        # quoted the password's start again ("Port could not be cast ... as 's3cr'").
        ("STORYWIRE_AMQP_URL", "amqp://storywire:s3cr#tpw@127.0.0.1:5672/%2F"),
        ("STORYWIRE_AMQP_URL", "amqp://storywire:s3cr/tpw@127.0.0.1:5672/%2F"),
        ("STORYWIRE_AMQP_URL", "amqp://storywire:s3cr?tpw@127.0.0.1:5672/%2F"),
        ("STORYWIRE_AMQP_URL", "amqp://storywire:s3cr[tpw@127.0.0.1:5672/%2F"),
        ("STORYWIRE_BROKER_URL", "amqp://storywire:s3cr#tpw@127.0.0.1:5672//"),
        ("STORYWIRE_REDIS_URL", "redis://:s3cr#tpw@127.0.0.1:6379/0"),
        # Read as host "storywire", port 1234 (the password's start), the rest as the vhost.
        ("STORYWIRE_AMQP_URL", "amqp://storywire:1234#tpw@127.0.0.1:5672/%2F"),
        ("STORYWIRE_AMQP_URL", "amqp://storywire:1234/tpw@127.0.0.1:5672/%2F"),
        ("STORYWIRE_REDIS_URL", "redis://:1234?tpw@127.0.0.1:6379/0"),
        # Valid otherwise, refused for another reason: the password stays out of that too.
        ("STORYWIRE_AMQP_URL", "amqp://storywire:s3cr%23tpw@127.0.0.1:99999/%2F"),
        ("STORYWIRE_REDIS_URL", "redis://:s3cr%23tpw@127.0.0.1:6379/abc"),
    ],
)
def test_a_refused_url_never_shows_its_password(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=f"^{name}=") as caught:
        Settings.from_env({name: value})
    message = str(caught.value)
    assert "s3cr" not in message
    assert "1234" not in message
    assert "tpw" not in message
    assert "127.0.0.1" in message  # which URL it was is still plain


def test_every_default_and_the_documented_extremes_are_accepted() -> None:
    assert Settings.from_env({}) == Settings()
    edges = {"STORYWIRE_METRICS_PORT": "0", "STORYWIRE_STORY_DECAY_HOURS": "0",
             "STORYWIRE_MAX_REDIRECTS": "0", "STORYWIRE_LOG_LEVEL": "debug",
             "STORYWIRE_REDIS_URL": "unix:///run/redis.sock", "STORYWIRE_SINK": "amqp",
             "STORYWIRE_BROKER_URL": "amqp://guest:guest@rabbit:5672//",
             "STORYWIRE_STREAM_RETENTION": "minid", "STORYWIRE_LOG_FORMAT": "console",
             "STORYWIRE_REVERT_CONFIRMATIONS": "1", "STORYWIRE_RETENTION_DAYS": "0",
             "STORYWIRE_STORY_HOLD_SECONDS": "0"}  # fmt: skip
    settings = Settings.from_env(edges)
    assert Settings.from_env(settings.env()) == settings
    options = "rediss://h:6380/1?socket_timeout=2.5&health_check_interval=30&ssl_cert_reqs=none"
    assert Settings.from_env({"STORYWIRE_REDIS_URL": options}).redis_url == options


def test_article_event_versions_default_to_both_during_the_migration() -> None:
    assert Settings().article_versions == ("v1", "v2")
    for raw, versions in (
        ("v2", ("v2",)),
        (" v1 , v2 ", ("v1", "v2")),
        ("v2,v1", ("v2", "v1")),
        ("v1,v2,v3", ("v1", "v2", "v3")),
    ):
        assert Settings.from_env({"STORYWIRE_ARTICLE_EVENT_VERSIONS": raw}).article_versions == (
            versions
        )


@pytest.mark.parametrize("raw", ["v4", "v1,v4", ",", "v1,,v2", "v1,v1", "V2", "1,2"])
def test_unknown_article_event_versions_are_refused_at_start(raw: str) -> None:
    with pytest.raises(SettingsError, match=r"^STORYWIRE_ARTICLE_EVENT_VERSIONS=") as caught:
        Settings.from_env({"STORYWIRE_ARTICLE_EVENT_VERSIONS": raw})
    assert "of v1, v2 and v3" in str(caught.value)


def test_the_runtime_ledger_queues_the_versions_set(redis_client: redis.Redis) -> None:
    from datetime import UTC, datetime  # noqa: PLC0415 - this test only

    from storywire.models import Article  # noqa: PLC0415
    from tasks.runtime import Runtime  # noqa: PLC0415

    rt = Runtime(Settings.from_env({"STORYWIRE_ARTICLE_EVENT_VERSIONS": "v2"}))
    rt.__dict__["redis"] = redis_client  # the cached client: the test's Redis
    article = Article(
        id="a1", source_id="s", outlet="O", url="https://o.example/a1", title="T", text="x",
        published=datetime(2026, 11, 24, tzinfo=UTC), content_hash="h",
    )  # fmt: skip
    outcome = rt.ledger.record(article, "st_1")
    assert [e.type for e in outcome.events] == [
        "storywire.story.created.v1", "storywire.article.ingested.v2",
    ]  # fmt: skip


def test_revert_confirmations_default_to_three_and_say_what_one_means() -> None:
    """Damping of flapping entries is on by default; 0 is refused with what to set instead."""
    assert Settings().revert_confirmations == 3
    with pytest.raises(SettingsError, match=r"1 or more \(1: no damping\)"):
        Settings.from_env({"STORYWIRE_REVERT_CONFIRMATIONS": "0"})


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("STORYWIRE_REDIS_URL", "redis://:s3cret-pw@127.0.0.1:6379/abc"),
        ("STORYWIRE_REDIS_URL", "redis://app:s3cret-pw@127.0.0.1:99999/0"),
        ("STORYWIRE_BROKER_URL", "amqp://app:s3cret-pw@rabbit:bad/"),
        ("STORYWIRE_AMQP_URL", "http://app:s3cret-pw@rabbit/"),
    ],
)
def test_a_refused_url_is_named_without_its_password(name: str, value: str) -> None:
    """The refusal is printed on stderr by every command and every worker: it names the
    variable and the URL, never the password the URL carries."""
    with pytest.raises(SettingsError, match=name) as caught:
        Settings.from_env({name: value})
    assert "s3cret-pw" not in str(caught.value)
    assert "@" in str(caught.value)  # still the URL the operator set, its password masked
