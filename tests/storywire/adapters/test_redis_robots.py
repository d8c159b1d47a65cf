"""robots.txt records kept in Redis for every fetch worker (``RedisRobotsStore``)."""

from __future__ import annotations

import redis

from storywire.adapters.redis_pages import RedisRobotsStore
from storywire.robots import KEPT, Robots, from_failure, from_response


def test_records_come_back_as_kept_for_30_days(redis_client: redis.Redis) -> None:
    store = RedisRobotsStore(redis_client)
    rules = from_response(200, "User-agent: *\nDisallow: /é/\n".encode(), now=5.0, previous=None)
    down = from_failure("dns", now=6.0, previous=None)
    store.keep({"https://a.test": rules, "http://b.test:8080": down})
    assert store.recall(["https://a.test", "http://b.test:8080", "https://c.test"]) == {
        "https://a.test": rules,
        "http://b.test:8080": down,
    }
    assert KEPT * 1000 - 5000 < redis_client.pttl("sw:robots:https://a.test") <= KEPT * 1000


def test_an_unreadable_record_is_asked_for_again(redis_client: redis.Redis) -> None:
    store = RedisRobotsStore(redis_client)
    redis_client.set("sw:robots:https://a.test", b"not zlib")
    store.keep({"https://b.test": Robots("allow_all", 1.0, 2.0)})
    assert list(store.recall(["https://a.test", "https://b.test"])) == ["https://b.test"]
    assert store.recall([]) == {}
