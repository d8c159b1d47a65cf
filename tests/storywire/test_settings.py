"""Settings from the environment: shapes and the limits between knobs."""

from __future__ import annotations

import pytest

from storywire.settings import Settings, SettingsError


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


def test_story_hold_seconds_reads_from_the_environment_and_refuses_negatives() -> None:
    assert Settings().story_hold_seconds == 60.0
    assert Settings.from_env({"STORYWIRE_STORY_HOLD_SECONDS": "0"}).story_hold_seconds == 0.0
    for bad in ("-1", "nan"):
        with pytest.raises(SettingsError, match="STORYWIRE_STORY_HOLD_SECONDS"):
            Settings.from_env({"STORYWIRE_STORY_HOLD_SECONDS": bad})
