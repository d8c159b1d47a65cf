"""What `make demo` prints of each story."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from storywire.models import Article
from storywire.stories_ledger import StoryRecord, with_article
from workers.demo import print_stories

T0 = datetime(2026, 11, 25, 5, 40, tzinfo=UTC)


def _article(i: int, outlet: str) -> Article:
    return Article(
        id=f"a{i}", source_id=outlet.lower(), outlet=outlet, url=f"https://{outlet.lower()}.com/{i}",
        title=f"headline {i}", text="Body.", published=T0 + timedelta(minutes=i),
        content_hash=f"h{i}",
    )  # fmt: skip


def test_stories_print_most_outlets_first_with_counts_in_words() -> None:
    single, _ = with_article(StoryRecord(id="st_one"), _article(3, "CBS"))
    double = StoryRecord(id="st_two")
    for i, outlet in ((1, "NPR"), (2, "Reuters")):
        double, _ = with_article(double, _article(i, outlet))
    out = io.StringIO()
    print_stories([single, double], out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "2 stories"
    assert "  story st_two: 2 articles, 2 outlets; credited to NPR" in lines
    assert "  story st_one: 1 article, 1 outlet; credited to CBS" in lines
    assert lines.index("headline 1") < lines.index("headline 3")
