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
from storywire.stories.features import STOPWORDS, tokens

# A feed item with less text than this is a teaser: worth fetching its page.
TEASER_CHARS = 400
PAGE_MAX_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Enrichment:
    entries: tuple[Entry, ...]
    fetched: int = 0
    failed: tuple[tuple[str, str], ...] = ()  # (link, reason)


def main_text(page: bytes, url: str) -> str | None:
    """The page's main text, or None when no article text is found."""
    text = trafilatura.extract(
        page, url=url, include_comments=False, include_tables=False, favor_precision=True
    )
    return text or None


def as_paragraphs(text: str) -> str:
    return "".join(f"<p>{escape(line.strip())}</p>" for line in text.splitlines() if line.strip())


def _teaser(entry: Entry) -> str:
    return html_to_text(entry.content_html or entry.summary_html)


def about_the_entry(entry: Entry, text: str) -> bool:
    """Whether a page's text shares a word, name or figure with its entry's headline or teaser
    (or they have none). A consent wall, a paywall stub or a "please enable JavaScript" page
    shares none, and the same wall behind several outlets would make their unrelated articles
    one story: the story level cannot tell a shared wall from a shared wire text."""
    own = _words(entry.title) | _words(_teaser(entry))
    return not own or not own.isdisjoint(_words(text))


def _words(text: str) -> set[str]:
    # The story engine's tokens, not its features: those would load its word lists into every
    # fetch worker for a yes-or-no question.
    lowered = (token.strip(".,'’").lower() for token in tokens(text))
    return {word for word in lowered if len(word) > 2 and word not in STOPWORDS}


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
        if not entry.link or len(_teaser(entry)) >= TEASER_CHARS:
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
        text = main_text(response.body, response.url) if response.status == 200 else None
        if response.status != 200:
            reason = f"http_{response.status}"
        elif text is None:
            reason = "no_text"
        elif not about_the_entry(entry, text):
            reason = "unrelated_text"
        else:
            fetched += 1
            out.append(replace(entry, content_html=as_paragraphs(text)))
            continue
        failed.append((entry.link, reason))
        out.append(entry)
    return Enrichment(entries=tuple(out), fetched=fetched, failed=tuple(failed))
