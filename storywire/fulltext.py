"""Full articles for title-only feeds: fetch the entry's page and keep its main text.

Optional per source (``full_text = true``). The page goes through the same fetcher as feeds, so
the same SSRF guard, timeouts, deadline and size caps apply; trafilatura, a maintained main-text
extractor, drops navigation, comments and boilerplate. Any failure keeps the feed's own text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from html import escape

import trafilatura

from storywire.adapters.http import FetchError, FetchPolicy
from storywire.clean import html_to_text
from storywire.fetching import Fetcher
from storywire.models import Entry, Source

# A feed item with less text than this is a teaser: worth fetching its page.
TEASER_CHARS = 400
PAGE_MAX_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Enrichment:
    entries: tuple[Entry, ...]
    fetched: int = 0
    failed: tuple[tuple[str, str], ...] = ()  # (link, reason)


def main_text_html(page: bytes, url: str) -> str | None:
    """The page's main text as simple paragraphs, or None when no article text is found."""
    text = trafilatura.extract(
        page, url=url, include_comments=False, include_tables=False, favor_precision=True
    )
    if not text:
        return None
    return "".join(f"<p>{escape(line.strip())}</p>" for line in text.splitlines() if line.strip())


def _visible_length(entry: Entry) -> int:
    return len(html_to_text(entry.content_html or entry.summary_html))


def enrich(
    source: Source,
    entries: Sequence[Entry],
    fetcher: Fetcher,
    policy: FetchPolicy,
    *,
    may_fetch: Callable[[], bool] = lambda: True,
) -> Enrichment:
    """Replace teaser entries' content with their page's main text where it can be had.

    ``may_fetch`` is asked before each page (the domain's politeness budget): once it says no,
    the remaining teasers keep the feed's text rather than hammer the outlet.
    """
    if not source.full_text:
        return Enrichment(entries=tuple(entries))
    page_policy = replace(
        policy,
        allow_private=source.allow_private or policy.allow_private,
        max_body_bytes=min(policy.max_body_bytes, PAGE_MAX_BYTES),
    )
    out: list[Entry] = []
    fetched = 0
    failed: list[tuple[str, str]] = []
    for entry in entries:
        if not entry.link or _visible_length(entry) >= TEASER_CHARS:
            out.append(entry)
            continue
        if not may_fetch():
            failed.append((entry.link, "over_budget"))
            out.append(entry)
            continue
        try:
            response = fetcher.fetch(entry.link, page_policy)
        except FetchError as exc:
            failed.append((entry.link, exc.reason))
            out.append(entry)
            continue
        html = main_text_html(response.body, response.url) if response.status == 200 else None
        if html is None:
            failed.append(
                (entry.link, f"http_{response.status}" if response.status != 200 else "no_text")
            )
            out.append(entry)
            continue
        fetched += 1
        out.append(replace(entry, content_html=html))
    return Enrichment(entries=tuple(out), fetched=fetched, failed=tuple(failed))
