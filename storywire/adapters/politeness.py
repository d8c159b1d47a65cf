"""Per-domain politeness shared by every fetch worker: a token bucket and a backoff, in Redis.

One Lua script decides atomically, on the Redis server's clock (workers' clocks may disagree),
whether a request to a domain may go now. Over budget, the caller gets a *reserved* slot: the
token is taken now (the bucket goes negative), and the wait says when the slot comes. The
caller defers the poll to then (a deferral is not a failure) and comes back *prepaid*, so
thirty sources of one domain due at once are spread at the domain's rate instead of all
retrying together. Slots are reserved up to a day ahead (``Budget.queue`` bounds them
otherwise); beyond that the caller waits without a reservation. A 429/503 with Retry-After
blocks the domain for every source on it, prepaid or not.

Prepaid runs keep their slot however late they come (a fetch backlog, a dispatch running
behind), and go at the domain's pace: at most ``burst`` at once, then one per ``spacing``; one
that comes too soon is *paced*, deferred to a time of its own and still prepaid (``Grant.paced``),
and goes then without asking again. A run late by more than a slot paid again before, at the
back of the queue, and under a schedule that ran behind every run was late: the domain's
polls stopped altogether.

Keys (prefix ``sw:``): ``domain:<d>`` hash tokens/ts; ``domain_block:<d>`` the time (server
clock, seconds) before which nobody fetches from the domain, and ``domain_block_for:<d>`` the
block's length (a key of its own: a worker of an earlier release reads the time as a number,
and has no length; one such a worker wrote has none either); ``domain_pace:<d>`` when the
domain's next prepaid run may go past its burst (a GCRA's theoretical arrival time);
``crawl_delay:<origin>`` set while an origin's robots.txt Crawl-delay since its last article
page runs (``spaced``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import cast

import redis

PREFIX = "sw:"
# How far ahead a domain's slots may be reserved: a source of a domain with more feeds than a
# day of its budget waits without one, and asks again then.
RESERVE_AHEAD = 86400.0

# A domain's block (KEYS[2] and KEYS[4] of ACQUIRE, KEYS[1] and KEYS[2] of BLOCK: its end and
# its length) at ``now``: the time it ends. A time on the server's clock: stepped back (NTP
# correcting a clock that ran ahead, a VM moved), a 60 s block held every feed of the outlet
# an hour longer for an hour's step. One that ends further from now than its length ends its
# length from now, written back so. 0: none. Each script that reads a block opens with it.
_BLOCKED = """
local function blocked_until(key, length_key, now)
  local untill = tonumber(redis.call('GET', key) or '0')
  local length = tonumber(redis.call('GET', length_key) or '')
  if length and untill - now > length then
    untill = now + length
    local ttl = math.ceil(length) + 1
    redis.call('SET', key, tostring(untill), 'EX', ttl)
    redis.call('SET', length_key, tostring(length), 'EX', ttl)
  end
  return untill
end
"""

_ACQUIRE = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local queue = tonumber(ARGV[3])
local prepaid = ARGV[4] == '1'
local now = tonumber(ARGV[5])
if now == nil then
  local t = redis.call('TIME')
  now = tonumber(t[1]) + tonumber(t[2]) / 1e6
end
local blocked = blocked_until(KEYS[2], KEYS[4], now)
if ARGV[6] == '1' and blocked <= now then return {'0', '0'} end
if prepaid then
  local spacing = 1 / rate
  local start = math.max(now, blocked)
  local tat = math.max(tonumber(redis.call('GET', KEYS[3]) or '0'), start)
  local at = math.max(start, tat - (burst - 1) * spacing)
  redis.call('SET', KEYS[3], tostring(tat + spacing), 'EX', math.ceil(tat + spacing - now) + 60)
  if at <= now then return {'0', '0'} end
  return {tostring(at - now), '2'}
end
if blocked > now then return {tostring(blocked - now), '0'} end
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1]) or burst
local ts = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate)
local wait, reserved = 0, '0'
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = (1 - tokens) / rate
  if tokens - 1 >= -queue then
    tokens = tokens - 1
    reserved = '1'
  end
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil((burst - tokens) / rate) + 60)
return {tostring(wait), reserved}
"""

_BLOCK = """
local seconds = tonumber(ARGV[1])
local now = tonumber(ARGV[2])
if now == nil then
  local t = redis.call('TIME')
  now = tonumber(t[1]) + tonumber(t[2]) / 1e6
end
local current = blocked_until(KEYS[1], KEYS[2], now)
local untill = now + seconds
if untill > current then
  redis.call('SET', KEYS[1], tostring(untill), 'EX', math.ceil(seconds) + 1)
  redis.call('SET', KEYS[2], tostring(seconds), 'EX', math.ceil(seconds) + 1)
  return tostring(untill)
end
return tostring(current)
"""


@dataclass(frozen=True, slots=True)
class Budget:
    requests_per_minute: float = 30.0
    burst: int = 5
    # Slots a domain may reserve ahead of time; None: as many as its budget gives in a day.
    # 100 before: a domain with more feeds due than that sent each one back every ~200 s, to
    # find 100 more slots reserved, several deferrals a poll (a fetch task and a claim each).
    queue: int | None = None

    @property
    def rate(self) -> float:
        return max(self.requests_per_minute, 1e-3) / 60.0

    @property
    def slots_ahead(self) -> int:
        return self.queue if self.queue is not None else math.ceil(RESERVE_AHEAD * self.rate)

    @property
    def spacing(self) -> float:
        """Seconds between two requests at the budget's rate."""
        return 1.0 / self.rate


@dataclass(frozen=True, slots=True)
class Grant:
    """``wait`` 0: go now. Otherwise wait that long; ``reserved``: come back prepaid;
    ``paced``: a prepaid run given a time of its own at the domain's pace (or after its
    block), which goes then without asking again."""

    wait: float
    reserved: bool = False
    paced: bool = False


class DomainPoliteness:
    """``acquire`` before each fetch; ``block`` when a domain says it is overloaded."""

    def __init__(self, client: redis.Redis, budget: Budget, prefix: str = PREFIX) -> None:
        self._r = client
        self.budget = budget
        self._p = prefix
        self._acquire = client.register_script(_BLOCKED + _ACQUIRE)
        self._block = client.register_script(_BLOCKED + _BLOCK)

    def acquire(
        self,
        domain: str,
        *,
        prepaid: bool = False,
        paced: bool = False,
        reserve: bool = True,
        now: float | None = None,
    ) -> Grant:
        """Take a request from ``domain``'s budget (or use a reserved one when ``prepaid``, at
        the domain's pace; ``paced``: a prepaid run back at the time its pace gave it).

        ``reserve=False`` for a caller that will not come back (a full-text page): over budget
        it takes nothing, where a reserved slot would only delay the domain's next request."""
        block, block_for = self._block_keys(domain)
        keys = [f"{self._p}domain:{domain}", block, f"{self._p}domain_pace:{domain}", block_for]
        b = self.budget
        queue = b.slots_ahead if reserve else 0
        args = [b.rate, b.burst, queue, "1" if prepaid or paced else "0",
                "" if now is None else now, "1" if paced else "0"]  # fmt: skip
        wait, kind = cast(list[bytes], self._acquire(keys=keys, args=args))
        return Grant(float(wait), kind in (b"1", b"2"), kind == b"2")

    def block(self, domain: str, seconds: float, *, now: float | None = None) -> float:
        """Nobody fetches from ``domain`` for ``seconds`` (a longer block already set wins)."""
        keys = self._block_keys(domain)
        args = [seconds, "" if now is None else now]
        return float(cast(bytes, self._block(keys=keys, args=args)))

    def spaced(self, site: str, seconds: float) -> bool:
        """Whether ``site``'s last request through here was ``seconds`` ago or more; if so this
        one counts as its last. A robots.txt Crawl-delay is per origin, not per domain budget,
        and a gate of its own leaves the shared bucket's rate alone."""
        key = f"{self._p}crawl_delay:{site}"
        return bool(self._r.set(key, b"1", nx=True, px=max(1, int(seconds * 1000))))

    def blocked_for(self, domain: str, *, now: float) -> float:
        until, length = cast(list[bytes | None], self._r.mget(self._block_keys(domain)))
        if not until:
            return 0.0
        left = float(until) - now
        # As the scripts read it: a clock stepped back leaves it its length at most.
        return max(0.0, min(left, float(length)) if length else left)

    def _block_keys(self, domain: str) -> list[str]:
        return [f"{self._p}domain_block:{domain}", f"{self._p}domain_block_for:{domain}"]
