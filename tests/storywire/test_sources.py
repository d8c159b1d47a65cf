"""Adaptive polling: the feed's own rate within min/max, server hints as floors, jitter."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from storywire.models import Source
from storywire.sources import (
    PollOutcome,
    PrivateHostError,
    SourceConfigError,
    load_sources,
    next_interval,
    parse_sources,
    relocated,
    syndication_period,
    update_rate,
)

SRC = Source(id="s", url="https://x.com/f", outlet="X", domain="x.com",
             min_interval=60.0, max_interval=6 * 3600.0)  # fmt: skip


def _interval(outcome: PollOutcome, previous: float | None = None, seed: int = 1) -> float:
    return next_interval(SRC, outcome, previous, random.Random(seed))


def test_busy_feed_is_polled_about_twice_per_entry_within_bounds() -> None:
    """An entry every 20 min gives ~10 min; every 10 s is held at the minimum."""
    assert 540 <= _interval(PollOutcome(ok=True, new_entries=3, rate_gap=1200.0)) <= 660
    assert _interval(PollOutcome(ok=True, new_entries=3, rate_gap=10.0)) >= 54


def test_quiet_polls_stretch_gently_up_to_the_maximum() -> None:
    """Nothing new grows the interval by a quarter each time, never past max_interval."""
    interval = 600.0
    for _ in range(40):
        interval = _interval(PollOutcome(ok=True, not_modified=True), interval)
    assert interval <= SRC.max_interval * 1.1
    assert interval >= SRC.max_interval * 0.9


def test_failures_back_off_exponentially_but_stay_capped() -> None:
    """Backoff doubles per failure and is capped, so a broken feed is still retried."""
    first = _interval(PollOutcome(ok=False, consecutive_failures=1))
    third = _interval(PollOutcome(ok=False, consecutive_failures=3))
    many = _interval(PollOutcome(ok=False, consecutive_failures=50))
    assert third > first
    assert many <= SRC.max_interval * 1.1


def test_server_hints_are_floors_even_after_jitter() -> None:
    """Retry-After, ttl and max-age are never undercut, whatever the jitter draws."""
    for seed in range(50):
        assert _interval(PollOutcome(ok=False, retry_after=900.0), seed=seed) >= 900.0
        assert _interval(PollOutcome(ok=True, feed_ttl=3600.0, rate_gap=60.0), seed=seed) >= 3600
        assert _interval(PollOutcome(ok=True, cache_for=1800.0, rate_gap=60.0), seed=seed) >= 1800


def test_hints_beyond_max_interval_are_capped_except_retry_after() -> None:
    """A ttl of a week is held to max_interval; Retry-After may exceed it up to a day."""
    week = 7 * 86400.0
    assert _interval(PollOutcome(ok=True, feed_ttl=week)) <= SRC.max_interval * 1.1
    assert 86400.0 <= _interval(PollOutcome(ok=False, retry_after=week)) <= 86400 * 1.1


def test_jitter_spreads_identical_sources() -> None:
    """Two sources with the same history do not poll at the same second."""
    draws = {round(_interval(PollOutcome(ok=True, rate_gap=1200.0), seed=s)) for s in range(20)}
    assert len(draws) > 10


def test_sources_held_at_one_server_hint_are_spread_above_it() -> None:
    """A floor that wins is jittered above itself: every WordPress feed says sy:updatePeriod
    hourly, a CDN gives one max-age to all its feeds, an outlet's 503 one Retry-After to all
    of its feeds. At exactly the floor, sources first polled together (a start, an outage's
    end) were polled in the same second, hint after hint, for ever."""
    hints = (PollOutcome(ok=True, new_entries=2, feed_ttl=3600.0, rate_gap=600.0),
             PollOutcome(ok=True, not_modified=True, cache_for=1800.0),
             PollOutcome(ok=False, retry_after=900.0, consecutive_failures=1))  # fmt: skip
    for outcome in hints:
        floor = max(h or 0.0 for h in (outcome.feed_ttl, outcome.cache_for, outcome.retry_after))
        draws = [_interval(outcome, 600.0, seed=s) for s in range(40)]
        assert all(floor <= d <= floor * 1.1 for d in draws), draws
        assert len({round(d) for d in draws}) > 20, draws


def test_rate_estimate_follows_entry_spacing_and_silence() -> None:
    """Entries 10 min apart observe 600 s; a long silence raises the estimate; EWMA smooths."""
    now = 100_000.0
    times = [now - 60 - 600 * i for i in range(10)]
    gap, newest = update_rate(None, times, None, now)
    assert gap == 600.0
    assert newest == now - 60
    quiet, _ = update_rate(gap, times, newest, now + 7200)
    assert quiet is not None
    assert quiet > gap
    smoothed, _ = update_rate(600.0, [now - 10, now - 3010], None, now)
    assert smoothed == 0.3 * 3000 + 0.7 * 600


def test_dates_that_fell_back_to_now_carry_no_rate() -> None:
    """Undated entries (all at the fetch time) leave the estimate unchanged."""
    assert update_rate(900.0, [1000.0, 1000.0, 1000.0], None, 1000.0) == (900.0, None)


def test_syndication_period() -> None:
    """sy:updatePeriod hourly with frequency 2 means every 30 minutes; junk means nothing."""
    assert syndication_period("hourly", "2") == 1800.0
    assert syndication_period("daily", None) == 86400.0
    assert syndication_period("fortnightly", "1") is None
    assert syndication_period("weekly", "x") == 604800.0


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("source = [1, 2]\n", "source #1: must be a table"),
        ('[[source]]\nid = "a"\nurl = "https://a.com/f"\nrules = "x"\n', "rules"),
        ("not toml [[", "sources.toml: not TOML"),
        # A misspelt key was dropped in silence: the source polled without its full text.
        (
            '[[source]]\nid = "a"\nurl = "https://a.com/f"\nfulltext = true\n',
            r"source #1 \(a\): unknown key 'fulltext'",
        ),
        # Rules as a table beside the sources (`[[sources.a.rules]]`) applied to none of them.
        (
            '[[source]]\nid = "a"\nurl = "https://a.com/f"\n[[sources.a.rules]]\nkind = "drop_empty"\n',
            r"unknown table 'sources': sources are \[\[source\]\] tables",
        ),
    ],
)
def test_a_malformed_sources_file_is_one_error_naming_the_file(
    tmp_path: Path, text: str, reason: str
) -> None:
    """`storywire run` turns SourceConfigError into one line; nothing else may escape."""
    path = tmp_path / "sources.toml"
    path.write_text(text)
    with pytest.raises(SourceConfigError, match=reason) as caught:
        load_sources(path)
    assert str(path) in str(caught.value)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/feed",
        "http://localhost:8080/rss",
        "https://LOCALHOST./rss",
        "http://feeds.localhost/rss",
        "http://10.1.2.3/feed",
        "http://192.168.0.10/feed",
        "http://172.16.0.1/",
        "http://169.254.169.254/latest/meta-data",
        "http://0.0.0.0/feed",
        "http://[::1]/feed",
        "http://[fe80::1%25eth0]/feed",
        "http://[fc00::1]/feed",
        "http://[::ffff:127.0.0.1]/feed",
        "http://2130706433/feed",
        "http://0177.0.0.1/feed",
        "http://0x7f.1/feed",
    ],
)
def test_a_literal_private_or_loopback_host_needs_allow_private(url: str) -> None:
    """Without allow_private the fetch stage's guard refuses every poll of such a source, so it
    is refused when added, naming the host; every spelling the resolver would dial counts."""
    with pytest.raises(PrivateHostError, match="allow_private") as caught:
        parse_sources([{"id": "a", "url": url}])
    assert "\n" not in str(caught.value)
    (source,) = parse_sources([{"id": "a", "url": url, "allow_private": True}])
    assert source.url == url


@pytest.mark.parametrize(
    "url",
    [
        "https://8.8.8.8/feed",
        "http://[2606:4700:4700::1111]/feed",
        "https://intranet.invalid/feed",
        "https://localhost.example.com/rss",
        "https://127.0.0.1.nip.io/feed",
        "https://1e100.net/feed",
    ],
)
def test_names_are_never_resolved_and_public_literals_pass(url: str) -> None:
    """Only the host's spelling is judged: a name may be unresolvable from the operator's box,
    or resolve elsewhere from the workers'; the fetch stage checks what it resolves to."""
    (source,) = parse_sources([{"id": "a", "url": url}])
    assert not source.allow_private


def test_a_source_may_name_its_time_zone(tmp_path: Path) -> None:
    """The zone zone-less feed dates are read in (docs/seeds.md); it survives Celery's JSON."""
    path = tmp_path / "sources.toml"
    path.write_text(
        '[[source]]\nid = "xinhua"\nurl = "https://x.cn/f"\ntimezone = "Asia/Shanghai"\n'
    )
    (source,) = load_sources(path)
    assert source.timezone == "Asia/Shanghai"
    assert Source.from_dict(source.to_dict()) == source


@pytest.mark.parametrize(
    "zone", ["Asia/Beijing", "CST+8", "../../etc/passwd", "", "Asia/Shanghai "]
)
def test_an_unknown_time_zone_is_refused_at_load(tmp_path: Path, zone: str) -> None:
    """A misspelt zone would read every zone-less date as UTC again, hours off, in silence."""
    path = tmp_path / "sources.toml"
    path.write_text(f'[[source]]\nid = "x"\nurl = "https://x.cn/f"\ntimezone = "{zone}"\n')
    with pytest.raises(SourceConfigError, match=r"source #1 \(x\): timezone .* IANA"):
        load_sources(path)


def test_a_time_zone_must_be_a_string(tmp_path: Path) -> None:
    path = tmp_path / "sources.toml"
    path.write_text('[[source]]\nid = "x"\nurl = "https://x.cn/f"\ntimezone = 8\n')
    with pytest.raises(SourceConfigError, match=r"timezone .* IANA"):
        load_sources(path)


def test_a_stored_source_without_optional_keys_takes_the_class_defaults() -> None:
    """A source stored by an older release lacks later keys: it reads as one just configured."""
    bare = {"id": "a", "url": "https://a.example/feed", "outlet": "A", "domain": "a.example"}
    assert Source.from_dict(bare) == Source(**bare)


def test_a_moved_source_takes_its_new_sites_domain_unless_an_operator_set_one() -> None:
    """A feed moved by a confirmed permanent redirect to another site kept the old site's
    politeness domain: polled under a budget it no longer touches."""
    own = Source(id="s", url="https://old.example.com/rss", outlet="S", domain="example.com")
    assert relocated(own, "https://feeds.example.org/s").domain == "example.org"
    assert relocated(own, "https://www.example.com/feed").domain == "example.com"
    chosen = Source(id="s", url="https://old.example.com/rss", outlet="S", domain="shared-cdn")
    there = relocated(chosen, "https://feeds.example.org/s")
    assert (there.url, there.domain) == ("https://feeds.example.org/s", "shared-cdn")
