"""Stand-ins the task tests patch in for Celery calls they only count, and the one-entry
process batch the delivery tests send."""

from __future__ import annotations

from storywire.models import Source

SOURCE = Source(id="wire", url="https://wire.example/feed", outlet="Wire", domain="wire.example")
ITEMS = [["g:1", {"guid": "1", "link": "https://wire.example/1", "title": "Storm floods Chile",
                  "summary_html": "", "content_html": "<p>Storm floods Chile.</p>",
                  "published": "2026-11-25T12:00:00Z", "author": None, "outlet": None}]]  # fmt: skip
ARGS = [SOURCE.id, "2026-11-25T12:00:00+00:00", ITEMS]


class CountingPublish:
    """``publish`` as the tasks use it: ``.delay()`` queues a drain; here it is only counted."""

    def __init__(self) -> None:
        self.calls = 0

    def delay(self) -> None:
        self.calls += 1
