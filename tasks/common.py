"""What every task module shares: the logger and the errors worth a retry."""

from __future__ import annotations

import redis
import structlog

from storywire.stories import LockLost

log = structlog.get_logger("storywire")
# Redis hiccups are worth a retry with backoff; anything else is a bug or bad input, logged.
# So is the story lock: not acquired within its wait (LockError), or lost to a stall more often
# than the engine retries by itself (LockLost): nothing half-written, the batch runs again.
TRANSIENT = (redis.ConnectionError, redis.TimeoutError, redis.exceptions.LockError, LockLost)
