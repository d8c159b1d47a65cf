"""Retries of a transient failure back off exponentially with jitter, as tasks.options says,
rather than Celery's fixed three minutes for a bare ``self.retry``."""

from __future__ import annotations

from typing import Any

import pytest
import redis
from celery.exceptions import Retry, SoftTimeLimitExceeded

import tasks.publish
from storywire.settings import Settings
from tasks.options import FETCH, PUBLISH


class _Down:
    """A runtime whose sink cannot reach Redis."""

    class sink:  # noqa: N801 - stands in for the runtime's attribute
        target = "stream"

        @staticmethod
        def drain_all(now: float) -> int:
            raise redis.ConnectionError("Redis restarting")

        @staticmethod
        def take_parked() -> list[object]:
            return []


class _CutShort:
    """A runtime whose drain the soft time limit stopped (AMQP: while waiting for a confirm)."""

    class sink:  # noqa: N801 - stands in for the runtime's attribute
        target = "amqp exchange storywire.events"

        @staticmethod
        def drain_all(now: float) -> int:
            raise SoftTimeLimitExceeded()

        @staticmethod
        def take_parked() -> list[object]:
            return []


def _countdowns(
    monkeypatch: pytest.MonkeyPatch, retries: int, runtime: type = _Down
) -> list[float]:
    monkeypatch.setattr(tasks.publish, "runtime", lambda: runtime)
    task: Any = tasks.publish.publish
    seen: list[float] = []

    def retry(*, exc: BaseException, countdown: float | None = None, **_: Any) -> Retry:
        seen.append(task.default_retry_delay if countdown is None else countdown)
        return Retry(exc=exc)

    monkeypatch.setattr(task, "retry", retry)
    task.push_request(retries=retries)
    try:
        with pytest.raises(Retry):
            task.run()
    finally:
        task.pop_request()
    return seen


@pytest.mark.parametrize("retries", range(PUBLISH.max_retries))
def test_a_transient_failure_backs_off_exponentially_with_jitter(
    monkeypatch: pytest.MonkeyPatch, retries: int
) -> None:
    ceiling = min(PUBLISH.retry_backoff * 2**retries, PUBLISH.retry_backoff_max)
    delays = [_countdowns(monkeypatch, retries)[0] for _ in range(20)]
    assert all(0 <= d <= ceiling for d in delays), delays
    assert len(set(delays)) > 1  # jittered: tasks that failed together do not return together


def test_a_fetchs_retries_wait_less_than_its_sources_lease_leaves() -> None:
    """Every retry wait of a fetch together, plus one whole run, stays inside the default
    lease: a retry still waiting when the lease lapsed would poll beside the next dispatch."""
    waits = sum(
        min(FETCH.retry_backoff * 2**retries, FETCH.retry_backoff_max)
        for retries in range(FETCH.max_retries)
    )
    assert waits + FETCH.time_limit < Settings().lease_seconds


def test_a_drain_cut_short_by_the_soft_time_limit_is_retried(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The interrupted events are still in the outbox: the task retries rather than fails."""
    assert len(_countdowns(monkeypatch, 0, _CutShort)) == 1
