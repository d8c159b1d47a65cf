"""What a worker or beat checks of the Redis it joins, at start: one it cannot work on, and one
that may drop its keys without an error."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import redis

# XAUTOCLAIM (the consumer's reclaim), XADD's MINID (STORYWIRE_STREAM_RETENTION=minid) and
# ZRANGE … BYSCORE (kombu's restore of unacknowledged tasks) came in Redis 6.2.
MIN_VERSION = (6, 2)


@dataclass(frozen=True, slots=True)
class ServerCheck:
    refusal: str | None = None  # why no worker can run on this Redis
    eviction_policy: str | None = None  # a maxmemory-policy that evicts, None for noeviction
    maxmemory: int = 0


def checked(info: Mapping[str, Any]) -> ServerCheck:
    """The verdict on a Redis from its INFO (the default sections)."""
    version = str(info.get("redis_version", ""))
    numbers = tuple(int(part) for part in version.split(".")[:2] if part.isdigit())
    if len(numbers) == 2 and numbers < MIN_VERSION:
        return ServerCheck(
            refusal=f"Redis {version} is older than {'.'.join(map(str, MIN_VERSION))}, the "
            "oldest storywire runs on (XAUTOCLAIM, XADD MINID, ZRANGE BYSCORE)"
        )
    if info.get("role") in ("slave", "replica"):
        primary = f"{info.get('master_host')}:{info.get('master_port')}"
        return ServerCheck(
            refusal=f"it is a read-only replica (of {primary}): point it at the primary"
        )
    policy = str(info.get("maxmemory_policy", "noeviction"))
    evicting = None if policy == "noeviction" else policy
    return ServerCheck(eviction_policy=evicting, maxmemory=int(info.get("maxmemory", 0)))


def check_server(client: redis.Redis) -> ServerCheck | None:
    """The verdict on the Redis ``client`` joins, or None when it will not tell (an ACL user
    without INFO, a Redis away: the worker's own reconnecting takes that)."""
    try:
        info = client.info()
    except redis.RedisError:
        return None
    return checked(info)
