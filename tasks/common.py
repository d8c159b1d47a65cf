"""What every task module shares: the logger and the errors worth a retry."""

from __future__ import annotations

import redis
import structlog

log = structlog.get_logger("storywire")
# Redis hiccups are worth a retry with backoff; anything else is a bug or bad input, logged.
TRANSIENT = (redis.ConnectionError, redis.TimeoutError)
