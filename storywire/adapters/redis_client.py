"""The workers' Redis client: redis-py's, with a script's errors raised as their own kind."""

from __future__ import annotations

import re
from typing import Any

import redis
from redis.connection import DefaultParser

# Redis 6.2 reports an error a script's redis.call met as the script's own ERR, the code inside
# ("Error running script (call to f_…): @user_script:9: @user_script: 9: -OOM command not
# allowed…"); 7.0 keeps the code ("OOM command not allowed… script: …").
_WRAPPED = re.compile(r"@user_script: ?\d+: -([A-Z]+ .*)", re.DOTALL)


class ScriptErrorParser(DefaultParser):  # type: ignore[misc,valid-type]  # a variable in redis-py
    """Raises a script's refused write as Redis 7 does (OutOfMemoryError, ReadOnlyError…):
    on 6.2 a batch that met a full Redis inside a script failed as a plain ResponseError, which
    no task retries, and was dropped."""

    @classmethod
    def parse_error(cls, response: str) -> Any:
        error = super().parse_error(response)
        wrapped = _WRAPPED.search(response) if type(error) is redis.ResponseError else None
        return super().parse_error(wrapped.group(1)) if wrapped else error


def connect(url: str, **options: Any) -> redis.Redis:
    """A client of the Redis at ``url`` (``options`` as redis-py's ``from_url`` takes them)."""
    return redis.Redis.from_url(url, parser_class=ScriptErrorParser, **options)
