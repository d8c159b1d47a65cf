"""What a worker says of the Redis it joins at start (docs/operations.md, Running on your own
Redis): a policy that evicts keys is warned about, a replica or a Redis too old refused."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis

from storywire.adapters.embedded_redis import embedded_redis
from storywire.adapters.redis_server import checked
from tests.support.processes import reap

ROOT = Path(__file__).resolve().parents[2]


def test_the_verdict_on_a_redis_from_its_info() -> None:
    """Only a policy that evicts is named; a replica and a Redis older than 6.2 are refused."""
    assert checked({"redis_version": "7.0.15", "role": "master"}).refusal is None
    assert checked({"maxmemory_policy": "noeviction"}).eviction_policy is None
    lru = checked({"maxmemory_policy": "volatile-lru", "maxmemory": 1 << 30})
    assert (lru.eviction_policy, lru.maxmemory) == ("volatile-lru", 1 << 30)
    old = checked({"redis_version": "6.0.16", "maxmemory_policy": "allkeys-lru"}).refusal
    assert old is not None
    assert old.startswith("Redis 6.0.16 is older than 6.2")
    assert checked({"redis_version": "6.2.14"}).refusal is None
    replica = checked({"role": "slave", "master_host": "10.0.0.5", "master_port": 6379})
    assert (
        replica.refusal == "it is a read-only replica (of 10.0.0.5:6379): point it at the primary"
    )


def _worker_log(url: str, within: float, until: str) -> tuple[int | None, str]:
    """Start a worker on the Redis at ``url``; its exit status (None: still running) and its
    output once ``until`` shows in it or ``within`` seconds passed."""
    env = {**os.environ, "STORYWIRE_REDIS_URL": url, "STORYWIRE_LOG_FORMAT": "json",
           "PYTHONPATH": str(ROOT)}  # fmt: skip
    command = [sys.executable, "-m", "celery", "--quiet", "-A", "workers.app", "worker",
               "--queues", "publish", "--pool", "solo", "--without-gossip", "--without-mingle"]  # fmt: skip
    worker = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)  # fmt: skip
    deadline = time.monotonic() + within
    lines: list[str] = []
    assert worker.stdout is not None
    try:
        while time.monotonic() < deadline:
            line = worker.stdout.readline()
            if not line:  # it exited
                return worker.wait(10), "".join(lines)
            lines.append(line)
            if until in line:
                break
        return worker.poll(), "".join(lines)
    finally:
        reap(worker)


@pytest.mark.timeout(60)
def test_a_worker_on_a_redis_that_evicts_keys_says_so_at_start() -> None:
    """allkeys-lru (and volatile-*, which takes leases, locks and dated records) let Redis
    drop storywire's keys without an error once it is full: a worker ran on one without a
    word."""
    with embedded_redis() as server:
        client = redis.Redis.from_url(server.url)
        client.config_set("maxmemory-policy", "allkeys-lru")
        client.config_set("maxmemory", 512 << 20)
        _, output = _worker_log(server.url, 30, "ready")
        client.close()
    warned = [line for line in output.splitlines() if "redis.eviction_policy" in line]
    assert len(warned) == 1, output
    assert '"policy": "allkeys-lru"' in warned[0]
    assert '"maxmemory": 536870912' in warned[0]


@pytest.mark.timeout(60)
def test_a_worker_on_a_redis_that_evicts_nothing_says_nothing_of_it() -> None:
    with embedded_redis() as server:
        _, output = _worker_log(server.url, 30, "ready")
    assert "ready" in output
    assert "redis.eviction_policy" not in output
    assert "redis.refused" not in output


@pytest.mark.timeout(60)
def test_a_worker_on_a_read_only_replica_stops_with_one_line() -> None:
    """It ended with "Unrecoverable error: server:ReadOnlyError" and a traceback."""
    with embedded_redis() as primary, embedded_redis() as replica:
        client = redis.Redis.from_url(replica.url)
        client.replicaof("127.0.0.1", primary.port)
        status, output = _worker_log(replica.url, 30, "no such line: until it exits")
        client.close()
    refused = [line for line in output.splitlines() if "redis.refused" in line]
    assert len(refused) == 1, output
    assert f"read-only replica (of 127.0.0.1:{primary.port})" in refused[0]
    assert "Unrecoverable error" not in output
    assert status == 1
