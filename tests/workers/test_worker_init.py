"""What a worker does before its pool starts."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from celery import signals

from storywire.stories import background
from workers import app as app_module


def _sender(*queues: str) -> SimpleNamespace:
    consume_from = {q: object() for q in queues}
    return SimpleNamespace(
        app=SimpleNamespace(amqp=SimpleNamespace(queues=SimpleNamespace(consume_from=consume_from)))
    )


@pytest.mark.parametrize(
    ("queues", "preloads"),
    [
        (("process",), True),
        (("process", "publish"), True),
        (("fetch",), False),
        (("publish",), False),
    ],
)
def test_only_a_process_worker_builds_the_story_prior_before_forking(
    monkeypatch: pytest.MonkeyPatch, queues: tuple[str, ...], preloads: bool
) -> None:
    calls: list[str] = []
    monkeypatch.setattr(background, "preload", lambda: calls.append("preload"))
    monkeypatch.setattr(app_module.gc, "freeze", lambda: calls.append("freeze"))
    app_module._preload_story_prior(sender=_sender(*queues))
    assert calls == (["preload", "freeze"] if preloads else [])


def test_the_handler_is_connected_and_the_real_preload_builds_the_prior() -> None:
    assert any(r() is app_module._preload_story_prior for _, r in signals.worker_init.receivers)
    background.preload()
    assert background._load.cache_info().currsize == 1
