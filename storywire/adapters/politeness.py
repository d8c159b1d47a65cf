"""Per-domain politeness shared by every fetch worker: a token bucket and a backoff, in Redis.

One Lua script decides atomically, on the Redis server's clock (workers' clocks may disagree),
whether a request to a domain may go now. Over budget, the caller learns how long to wait and
defers the poll: a deferral is not a failure. A 429/503 with Retry-After blocks the domain for
every source on it, not only the one that was told.

Keys (prefix ``sw:``): ``domain:<d>`` hash tokens/ts; ``domain_block:<d>`` the time (server
clock, seconds) before which nobody fetches from the domain.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import redis

PREFIX = "sw:"

_ACQUIRE = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
if now == nil then
  local t = redis.call('TIME')
  now = tonumber(t[1]) + tonumber(t[2]) / 1e6
end
local blocked = tonumber(redis.call('GET', KEYS[2]) or '0')
if blocked > now then return tostring(blocked - now) end
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1]) or burst
local ts = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = (1 - tokens) / rate end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(burst / rate) + 60)
return tostring(wait)
"""

_BLOCK = """
local seconds = tonumber(ARGV[1])
local now = tonumber(ARGV[2])
if now == nil then
  local t = redis.call('TIME')
  now = tonumber(t[1]) + tonumber(t[2]) / 1e6
end
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local untill = now + seconds
if untill > current then
  redis.call('SET', KEYS[1], tostring(untill), 'EX', math.ceil(seconds) + 1)
  return tostring(untill)
end
return tostring(current)
"""


@dataclass(frozen=True, slots=True)
class Budget:
    requests_per_minute: float = 30.0
    burst: int = 5

    @property
    def rate(self) -> float:
        return max(self.requests_per_minute, 1e-3) / 60.0


class DomainPoliteness:
    """``acquire`` before each fetch; ``block`` when a domain says it is overloaded."""

    def __init__(self, client: redis.Redis, budget: Budget, prefix: str = PREFIX) -> None:
        self._r = client
        self._budget = budget
        self._p = prefix
        self._acquire = client.register_script(_ACQUIRE)
        self._block = client.register_script(_BLOCK)

    def acquire(self, domain: str, *, now: float | None = None) -> float:
        """Take one request from ``domain``'s budget: 0.0 when granted, else seconds to wait."""
        keys = [f"{self._p}domain:{domain}", f"{self._p}domain_block:{domain}"]
        args = [self._budget.rate, self._budget.burst, "" if now is None else now]
        return float(cast(bytes, self._acquire(keys=keys, args=args)))

    def block(self, domain: str, seconds: float, *, now: float | None = None) -> float:
        """Nobody fetches from ``domain`` for ``seconds`` (a longer block already set wins)."""
        keys = [f"{self._p}domain_block:{domain}"]
        return float(
            cast(bytes, self._block(keys=keys, args=[seconds, "" if now is None else now]))
        )

    def blocked_for(self, domain: str, *, now: float) -> float:
        raw = self._r.get(f"{self._p}domain_block:{domain}")
        return max(0.0, float(cast(bytes, raw)) - now) if raw else 0.0
