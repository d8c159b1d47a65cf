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
