"""The publish task's report of what its drain did."""

from __future__ import annotations

from typing import Any

import pytest
from structlog.testing import capture_logs

import tasks.publish
from storywire.adapters.parked import ParkedEvent
from storywire.adapters.streams import SinkUnavailableError

PARKED = ParkedEvent(
    event_id="ev_big",
    type="storywire.article.ingested.v2",
    reason="(406) PRECONDITION_FAILED - message size 134217994 is larger than configured max size",
    target="amqp exchange storywire.events",
    parked_at="2026-11-29T19:00:00Z",
    size=134217994,
)


class _Parking:
    """A sink that parked one event, then (``fail``) met a broker outage on a later one."""

    fail = False

    def __init__(self) -> None:
        self.parked = [PARKED]
        self.target = "amqp exchange storywire.events"

    def drain_all(self, now: float) -> int:
        if self.fail:
            raise SinkUnavailableError("AMQP broker unreachable")
        return 3

    def take_parked(self) -> list[ParkedEvent]:
        taken, self.parked = self.parked, []
        return taken


@pytest.mark.parametrize("fail", [False, True], ids=["drained", "cut-short"])
def test_a_parked_event_is_logged_with_the_brokers_reason(
    monkeypatch: pytest.MonkeyPatch, fail: bool
) -> None:
    """An operator sees which event was set aside, why, and how to send it again; also when
    the drain that parked it failed later (its retry would not park it again)."""
    sink = _Parking()
    sink.fail = fail

    class _Runtime:
        pass

    runtime: Any = _Runtime()
    runtime.sink = sink
    monkeypatch.setattr(tasks.publish, "runtime", lambda: runtime)
    task: Any = tasks.publish.publish
    monkeypatch.setattr(task, "retry", lambda **kw: RuntimeError("retried"))
    with capture_logs() as logs:
        if fail:
            with pytest.raises(RuntimeError, match="retried"):
                task.run()
        else:
            assert task.run() == 3
    parked = [entry for entry in logs if entry["event"] == "publish.parked"]
    assert len(parked) == 1
    assert parked[0]["log_level"] == "error"
    assert parked[0]["event_id"] == "ev_big"
    assert "message size" in parked[0]["reason"]
    assert parked[0]["replay"] == "storywire parked replay ev_big"
    assert sink.parked == []
