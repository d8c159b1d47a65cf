"""One demo run shared by the integration tests that read what it published."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis

from storywire.adapters.embedded_redis import embedded_redis
from storywire.settings import Settings
from workers.demo import run_demo

RECORDED = Path(__file__).resolve().parents[2] / "seeds" / "recorded"


@dataclass(frozen=True)
class DemoRun:
    code: int
    printed: str
    client: redis.Redis


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoRun]:
    """The demo, run once on a Redis of its own (other tests flush theirs), real workers."""
    with embedded_redis() as server:
        client = redis.Redis.from_url(server.url)
        settings = Settings(data_dir=tmp_path_factory.mktemp("demo"), log_format="json")
        out = io.StringIO()
        code = run_demo(settings, RECORDED, server.url, out, timeout=150.0)
        yield DemoRun(code=code, printed=out.getvalue(), client=client)
        client.close()
