"""The process stage's core: entries → clean articles → stories → events in the outbox."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Protocol

from storywire.clean import (
    Rule,
    clean_title,
    detect_language,
    first_image,
    html_to_text,
    lead,
    parse_rules,
    sanitize_html,
)
from storywire.clean.repair import tidy
from storywire.entities import extract_entities
from storywire.feeds import entry_categories
from storywire.identity import article_id, content_hash
from storywire.models import Article, Entry, Source
from storywire.stories import Assignment, Doc, StoryEngine
from storywire.stories_ledger import EDIT, NEW, Hold, Record, Release, Step
from storywire.urls import clean_link, redacted_url, split_url, web_url, without_userinfo_of

LEAD_CHARS = 300
# The most HTML of one entry's content (and of its description) that is cleaned: 1 MiB. Cleaning
# costs 1-5 s per MB (dense markup the most), and an article's text and HTML go into two events
# each: one entry of 7 MB of prose took 8 s and 400 MB of memory and put 28 MB in the outbox,
# past a broker's max_message_size. The longest articles are a tenth of this; a live blog past
# it is cut, its newest posts (at the top) kept.
MAX_ENTRY_HTML = 1024 * 1024
# The longest title an article carries, cut as a lead is: a title is a line, where a feed that
# puts a whole post (or megabytes) there made every event of the article and of its story
# carry it. The longest real headlines are a few hundred characters.
MAX_TITLE_CHARS = 1000
_HALF_ENTITY = re.compile(r"&#?\w*\Z")


class Written(Protocol):
    """What the ledger did with a step (``Outcome`` in production)."""

    @property
    def change(self) -> str:
        """NEW, EDIT, REPEAT or STALE (``storywire.stories_ledger``)."""
        ...


class Ledger(Protocol):
    """Where story records and their events are written (``RedisLedger`` in production)."""

    def claim_same(
        self, linked: Sequence[Article], articles: Sequence[Article] = ()
    ) -> tuple[dict[str, tuple[str, str]], dict[str, str]]:
        """The ``linked`` articles another source of their outlet brought first (their ids and
        sources); the others are claimed as the ones their outlet and link stand for,
        atomically. And the stories of ``articles`` already ingested, by the ids they then
        have."""
        ...

    def write(self, steps: Sequence[Step]) -> Sequence[Written | None]:
        """Apply the holds, records and releases in order: what each did (None for a
        release when nothing was pending)."""
        ...


@dataclass(frozen=True, slots=True)
class Announced:
    """What recorded assignments tell consumers, as the ledger's events do: stories started
    (story.created), articles recorded as copies (article.copied), found on arrival or later
    (an earlier arrival that turned out to be the copy of a document placed now), and stories
    merged into another."""

    created: int = 0
    copies: int = 0
    merged: int = 0


def announced(assignments: Iterable[Assignment]) -> Announced:
    """The totals of ``assignments`` (each one recorded: placed now, or a held one released)."""
    created = copies = merged = 0
    for a in assignments:
        created += a.created
        copies += (a.copy_of is not None) + len(a.copied)
        merged += len(a.merged)
    return Announced(created=created, copies=copies, merged=merged)


@dataclass(frozen=True, slots=True)
class ProcessReport:
    articles: int = 0
    new: int = 0  # placed by the engine: assigned now or held
    updated: int = 0  # another text of an article recorded or held already
    # nothing new to record: the text recorded already (a batch handed out again, an outlet's
    # item in a second feed) or one fetched before it
    repeated: int = 0
    copies: int = 0
    stories_created: int = 0
    held: int = 0  # new articles the engine deferred: pending, no event yet
    released: int = 0  # earlier held articles (of any source) recorded by this call
    # new articles dated more than a story window before the stream (a backfill): the stories
    # of their own time may be gone, so they start their own
    late: int = 0
    rejected: tuple[tuple[str, str], ...] = field(default=())  # (entry key, reason)
    # (entry key, "html" or "title", characters before the cut): entries whose HTML was cut at
    # MAX_ENTRY_HTML or title at MAX_TITLE_CHARS, still articles
    truncated: tuple[tuple[str, str, int], ...] = field(default=())
    # Everything this call recorded, releases included (``copies`` and ``stories_created``
    # are the new articles' own decisions, which a release or a later original changes).
    announced: Announced = field(default_factory=Announced)

    @property
    def joined(self) -> int:
        """New articles assigned to an existing story (not copies, not held)."""
        return self.new - self.held - self.stories_created - self.copies


class EmptyEntryError(ValueError):
    """An entry with neither a usable title nor text: nothing to publish."""


class CleaningStopped(Exception):  # noqa: N818 - a stop asked for, not an error of the entry
    """One of ``process_entries``' ``stop`` errors (the task's time limit) came while the entry
    ``key`` was being cleaned: nothing of the batch was written."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


@functools.lru_cache(maxsize=256)
def source_rules(spec: tuple[tuple[tuple[str, str], ...], ...]) -> tuple[Rule, ...]:
    """A source's extra cleaning rules, parsed once per process."""
    return parse_rules([dict(rule) for rule in spec])


def without_repeated_title(text: str, title: str) -> str:
    """``text`` without a first paragraph that only repeats the title.

    Medium and many themes start the content with the title as a heading: the text would say
    it twice and the lead would begin with it, run into the first sentence.
    """
    first, _, rest = text.partition("\n\n")
    if rest and title and " ".join(first.split()).casefold() == " ".join(title.split()).casefold():
        return rest
    return text


def capped_html(html: str) -> str:
    """``html`` cut at ``MAX_ENTRY_HTML`` characters: before the last tag there (a tag cut in
    half would be read as text, "<a href=\"ht", and a paragraph cut in half ends mid-word),
    unless that is more than half back (one long text node); never inside an entity ("&am")."""
    if len(html) <= MAX_ENTRY_HTML:
        return html
    cut = html[:MAX_ENTRY_HTML]
    tag = cut.rfind("<")
    if tag > MAX_ENTRY_HTML // 2:
        cut = cut[:tag]
    return _HALF_ENTITY.sub("", cut)


def oversized(entry: Entry) -> int:
    """The length of the entry's largest HTML when ``build_article`` cuts it, else 0."""
    largest = max(len(entry.content_html), len(entry.summary_html))
    return largest if largest > MAX_ENTRY_HTML else 0


def article_title(source: Source, entry: Entry) -> str:
    """The entry's title as its article carries it: clean, without its outlet's name, at most
    ``MAX_TITLE_CHARS``."""
    return _article_title(source, entry)[0]


def _article_title(source: Source, entry: Entry) -> tuple[str, bool]:
    """``article_title``, and whether it was cut."""
    title = clean_title(capped_html(entry.title), outlet=source.outlet)
    if entry.outlet and entry.outlet != source.outlet:
        # An aggregator's item ends with its own outlet ("… - Reuters" in Google News).
        title = clean_title(title, outlet=entry.outlet)
    if len(title) <= MAX_TITLE_CHARS:
        return title, False
    return lead(title, MAX_TITLE_CHARS), True


def build_article(
    source: Source,
    entry_key: str,
    entry: Entry,
    *,
    fetched_at: datetime,
    lead_chars: int = LEAD_CHARS,
) -> Article:
    """Clean one entry into the article downstream services receive, its HTML cut at
    ``MAX_ENTRY_HTML`` characters and its title at ``MAX_TITLE_CHARS`` (``cut_parts``)."""
    if oversized(entry):
        entry = replace(
            entry,
            content_html=capped_html(entry.content_html),
            summary_html=capped_html(entry.summary_html),
        )
    # An entry without a link stands at its feed's URL, which a paid feed's token or password
    # must not follow into events (and links made absolute against it). A relative link was
    # made absolute against that URL by the parser, password and all; one to an anchor of the
    # feed itself (``#item2``) is the feed's URL, token and all, so it stands there too.
    link = without_userinfo_of(entry.link, source.url) if entry.link else None
    if link and link.partition("#")[0] == without_userinfo_of(source.url, source.url):
        link = None
    if link and not _web_page(link):  # javascript:void(0), a tag: id: no page, nothing to link
        link = None
    base = link or redacted_url(source.url)
    feed_image = without_userinfo_of(entry.image, source.url) if entry.image else None
    if feed_image and feed_image.partition("#")[0] == without_userinfo_of(source.url, source.url):
        # An enclosure with an empty href, resolved against the feed's URL: the feed, token
        # and all, is no image.
        feed_image = None
    title = article_title(source, entry)
    body_html = entry.content_html or entry.summary_html
    rules = source_rules(source.rules)
    text = html_to_text(body_html, base_url=base, rules=rules) if body_html else ""
    if not text and entry.content_html and entry.summary_html != entry.content_html:
        # A content that is the featured image alone, or boilerplate alone: the description
        # beside it is what the item says.
        summary_text = html_to_text(entry.summary_html, base_url=base, rules=rules)
        if summary_text:
            body_html, text = entry.summary_html, summary_text
    text = without_repeated_title(text, title)
    if not title and not text:
        raise EmptyEntryError("entry has no title and no text")
    url = clean_link(link) if link else base
    html = sanitize_html(body_html, base_url=base, rules=rules) if body_html else None
    if html is not None:  # links the parser made absolute against an xml:base it resolved
        html = without_userinfo_of(html, source.url)
    return Article(
        id=article_id(source.id, entry_key),
        source_id=source.id,
        outlet=source.outlet,
        url=url,
        # Cut as a lead is (whole sentences, else at a word, with "…"), not at a code point
        # mid-word; then cleaned as any title is.
        title=title or clean_title(lead(text.split("\n", 1)[0], 200), outlet=source.outlet),
        text=text,
        published=entry.published or fetched_at,
        content_hash=content_hash(title, text),
        author=_plain(entry.author) or None,
        # Detection abstains on a headline alone; the declared language (entry's, else feed's)
        # then stands.
        language=detect_language(f"{title}\n{text}") or entry.language,
        entities=extract_entities(title, text),
        lead=lead(text, lead_chars),
        html=html,
        # The feed's own, else the first of the content: the sanitised HTML has dropped
        # tracking pixels and emoji images and made links absolute against the entry's link.
        image=feed_image or (web_url(first_image(html), base) if html else None),
        categories=entry_categories(map(_plain, entry.categories)),
        fetched_at=fetched_at,
    )


def cut_parts(source: Source, entry: Entry) -> list[tuple[str, int]]:
    """What ``build_article`` cuts of ``entry``: ("html" or "title", its length before)."""
    cut = [("html", size)] if (size := oversized(entry)) else []
    # Cleaning drops markup and decodes entities: a title within the cap stays within it.
    if len(entry.title) > MAX_TITLE_CHARS and _article_title(source, entry)[1]:
        cut.append(("title", len(entry.title)))
    return cut


def process_entries(
    source: Source,
    items: Sequence[tuple[str, Entry]],
    *,
    engine: StoryEngine,
    ledger: Ledger,
    fetched_at: datetime,
    lead_chars: int = LEAD_CHARS,
    stop: tuple[type[BaseException], ...] = (),
) -> ProcessReport:
    """Clean, identify and place a batch of one source's new or changed entries.

    A bad entry is reported in ``rejected`` and never stops the others. An entry key that
    comes twice is one article, its last text: the engine would answer its second document
    with the first one's assignment, and both would be counted and announced.

    A ``stop`` error ends the batch, not the entry: raised while an entry is cleaned, it comes
    out as ``CleaningStopped`` naming that entry (the caller decides what becomes of each).
    """
    articles: list[Article] = []
    rejected: list[tuple[str, str]] = []
    truncated: list[tuple[str, str, int]] = []
    for key, entry in dict(items).items():
        try:
            articles.append(
                build_article(source, key, entry, fetched_at=fetched_at, lead_chars=lead_chars)
            )
            truncated += [(key, part, size) for part, size in cut_parts(source, entry)]
        except stop as exc:
            raise CleaningStopped(key) from exc
        except ValueError as exc:  # EmptyEntryError, or a cleaner refusing the input
            rejected.append((key, str(exc)[:200]))
        except Exception as exc:  # noqa: BLE001 - one entry's bug is its own
            # Any other error of one entry's cleaning failed the whole batch, whose entries the
            # fetch had marked seen: all lost for one.
            rejected.append((key, f"{type(exc).__name__}: {exc}"[:200]))
    articles, known = _as_first_brought(articles, source, ledger)
    fresh = [a for a in articles if a.id not in known]
    late_before = engine.late
    placement = engine.place_many([article_doc(a) for a in fresh])
    placed = list(zip(fresh, placement.assigned, strict=True))
    held = [article for article, a in placed if a is None]
    # Holds go first: a document held and released within this one call must find its
    # pending article when its release is recorded below.
    steps: list[Step] = [Hold(article) for article in held]
    steps += [Record(a, known[a.id]) for a in articles if a.id in known]
    # Then every decision in the engine's order, each release before the document it was
    # decided before: the ledger announces a story with the document that started it.
    decided: list[tuple[int, int, Step]] = [
        (before, 0, Release(doc_id, late))
        for before, (doc_id, late) in zip(
            placement.released_before, placement.released, strict=True
        )
    ]
    decided += [
        (i, 1, Record(art, a.story_id, a.merged, a.copy_of, a.copied))
        for i, (art, a) in enumerate(placed)
        if a is not None
    ]
    decided.sort(key=lambda d: d[:2])  # stable: releases keep their order
    steps += [step for _, _, step in decided]
    outcomes = ledger.write(steps)
    releases = [
        step.assignment
        for step, outcome in zip(steps, outcomes, strict=True)
        if isinstance(step, Release) and outcome is not None
    ]
    # Counted by what the ledger wrote, not by what the engine answered: a batch handed out
    # again (even while its first run went on) is placed again with the same answers, and was
    # counted twice, its repeats as updates.
    changes = {
        step.article.id: outcome.change
        for step, outcome in zip(steps, outcomes, strict=True)
        if isinstance(step, Record | Hold) and outcome is not None
    }
    assigned = [a for art, a in placed if a is not None and changes.get(art.id) == NEW]
    first_held = [art for art in held if changes.get(art.id) == NEW]
    return ProcessReport(
        articles=len(articles),
        new=len(assigned) + len(first_held),
        updated=sum(1 for change in changes.values() if change == EDIT),
        repeated=sum(1 for change in changes.values() if change not in (NEW, EDIT)),
        copies=sum(1 for a in assigned if a.copy_of),
        stories_created=sum(1 for a in assigned if a.created),
        held=len(first_held),
        released=len(releases),
        late=engine.late - late_before,
        rejected=tuple(rejected),
        truncated=tuple(truncated),
        announced=announced([*assigned, *releases]),
    )


def _as_first_brought(
    articles: list[Article], source: Source, ledger: Ledger
) -> tuple[list[Article], dict[str, str]]:
    """Each article under the id it first came with from any feed of its outlet, and the
    stories of those already ingested (one round trip).

    An outlet's item in two of its feeds (top stories and world) has an id per feed: both
    were announced and counted, so a story of one article said two, under one URL. Matched by
    link, so an edit that reaches one feed first still finds it; but not an item without a
    link (its URL is the feed's, which all such items share) nor one linked to a home page
    (some feeds link every item there). Claimed before the engine sees the batch, match and
    claim in one step: two workers given the two feeds' copies at once make one article.
    """
    feed_url = redacted_url(source.url)  # build_article's URL of an entry without a link
    linked = [a for a in articles if a.url != feed_url and _links_a_page(a.url)]
    same, known = ledger.claim_same(linked, articles)
    if not same:
        return articles, known
    mapped = {}
    for article in articles:
        first = same.get(article.id)
        kept = article if first is None else replace(article, id=first[0], source_id=first[1])
        mapped[kept.id] = kept  # two items of this batch may be one article: the last counts
    return list(mapped.values()), known


def _web_page(link: str) -> bool:
    parts = split_url(link.strip())
    return (
        parts is not None
        and parts.scheme.lower() in ("http", "https")
        and bool(parts.netloc)
        # A control or space in the host (NUL bytes of a UTF-16 feed read as UTF-8) is no
        # host: canonical_url kept it, NUL and all, as the article's url.
        and not _NOT_IN_A_HOST.search(parts.netloc)
    )


_NOT_IN_A_HOST = re.compile(r"[\x00-\x20\x7f-\x9f]")


def _plain(value: str | None) -> str:
    """A byline or a category as events carry it: the feed's words, without the controls (NUL
    included), invisible characters and bidi overrides a title is cleaned of, spaces collapsed.
    """
    return " ".join(tidy(value).split()) if value else ""


def _links_a_page(url: str) -> bool:
    parts = split_url(url)
    return parts is not None and parts.path not in ("", "/")


def article_doc(article: Article) -> Doc:
    """What the story engine sees of an article."""
    return Doc(
        id=article.id,
        title=article.title,
        text=article.text,
        published=article.published,
        outlet=article.outlet,
        url=article.url,
        # An item without a date (or dated in the future) is published when fetched: the
        # feed parser and ``build_article`` put the same instant in both.
        dated=article.published != article.fetched_at,
    )
