"""Entry identity: which feed items are the same item, and which changed.

The order follows what FreshRSS and Miniflux learned the hard way: a feed's GUID when it is
present and unique within the feed, else the canonical link when it is unique too, else a hash
of link, title and content.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from urllib.parse import urljoin

import xxhash

from storywire.models import Entry
from storywire.urls import canonical_url, split_url, without_amp, without_session


def _digest(*parts: str) -> str:
    return xxhash.xxh3_128_hexdigest("\x1f".join(parts).encode("utf-8"))


def entry_keys(entries: Sequence[Entry]) -> list[str]:
    """One stable key per entry, unique within this feed snapshot to each distinct item (the
    identical copies of an item listed twice share theirs).

    GUIDs that repeat inside one feed are broken (some CMSs emit the same GUID for every item),
    so a repeated GUID is ignored for every entry carrying it, unless its entries are copies of
    one item under several links or versions of one page (``_one_item``), which it keys as
    one; so is a repeated link (some link
    every item to their home page). What is left is keyed by a hash of link and title, not of
    the date: a missing date is the fetch time (``parse_feed``), which would make a new key at
    every poll. So an edit of the text stays an update; only entries whose link and title
    repeat within the snapshot add their text to the hash, to stay apart.
    """
    # Stripped before counting: two GUIDs that differ only in spaces would be one key. A
    # servlet's session goes as from a link: a new one at every poll made every item new.
    guids = [without_session((e.guid or "").strip()) for e in entries]
    # An AMP spelling is the item's too: a feed may link either at either poll.
    links = [without_amp(canonical_url(e.link)) if e.link else "" for e in entries]
    named = [_digest(link, e.title) for e, link in zip(entries, links, strict=True)]
    # An item listed twice, identical (an article in two of the sections a feed merges), is
    # one item, counted once: counted twice, its GUID and link looked broken and it took
    # another key than when listed once, so it was announced again as a new article each time
    # the second copy came or went. Such copies share their key (``unique_items``).
    distinct = {
        (guid, link, name, e.summary_html, e.content_html): None
        for e, guid, link, name in zip(entries, guids, links, named, strict=True)
    }
    link_counts = Counter(link for _, link, _, _, _ in distinct if link)
    named_counts = Counter(name for _, _, name, _, _ in distinct)
    listed = Counter(guid for guid in guids if guid)
    usable = {guid for guid, n in listed.items() if n == 1}
    if len(usable) < len(listed):  # a GUID listed more than once: what are its entries?
        copies: dict[str, set[tuple[str, str, str, str]]] = {}
        for e, guid, link in zip(entries, guids, links, strict=True):
            if guid and guid not in usable:
                copies.setdefault(guid, set()).add((link, e.title, e.summary_html, e.content_html))
        usable.update(guid for guid, named in copies.items() if len(named) == 1 or _one_item(named))
    keys = []
    for entry, guid, link, name in zip(entries, guids, links, named, strict=True):
        if guid in usable:
            keys.append("g:" + guid)
        elif link and link_counts[link] == 1:
            keys.append("u:" + link)
        elif named_counts[name] == 1:
            keys.append("h:" + name)
        else:
            keys.append("h:" + _digest(link, entry.title, entry.summary_html, entry.content_html))
    return keys


def _one_item(named: set[tuple[str, str, str, str]]) -> bool:
    """Whether the entries a GUID names (link, title, summary, content) are one item: copies
    differing only by link (an item in two sections of the feed, under each one's address),
    or versions of one article page (a feed keeping the old text beside the new for a while).
    Anything else is a GUID some CMS gives several items; a home page is every item's link."""
    links = {link for link, *_ in named}
    texts = {(title, summary, content) for _, title, summary, content in named}
    if len(texts) == 1:
        return any(next(iter(texts)))
    if len(links) > 1:
        return False
    parts = split_url(next(iter(links)))
    return parts is not None and bool(parts.netloc) and parts.path not in ("", "/")


def article_id(source_id: str, entry_key: str) -> str:
    """The article's id: deterministic, so a redelivered task rebuilds the same article."""
    return "ar_" + _digest(source_id, entry_key)[:20]


def content_hash(title: str, text: str) -> str:
    """Hash of what a reader sees; a change to a known entry's hash makes it an update."""
    return _digest(title, text)


def rebase_key(key: str, from_url: str, to_url: str) -> str:
    """``key`` as it reads when the feed is fetched from ``to_url`` instead of ``from_url``.

    feedparser resolves a permalink GUID that is not a URL (``<guid>123</guid>``) against the
    URL the feed came from, so a feed served through a redirect, or moved, would present every
    entry under a new key. Keys are kept relative to the source's configured URL instead: a GUID
    under the fetched feed's directory (or host root) is re-expressed under the other's.
    """
    if not key.startswith("g:"):
        return key
    for old, new in (
        (urljoin(from_url, "./"), urljoin(to_url, "./")),
        (urljoin(from_url, "/"), urljoin(to_url, "/")),
    ):
        if old != new and key.startswith("g:" + old):
            return "g:" + new + key[2 + len(old) :]
    return key


def stable_keys(entries: Sequence[Entry], fetched_from: str | None, source_url: str) -> list[str]:
    """``entry_keys`` expressed against the source's URL, whatever URL the feed came from."""
    keys = entry_keys(entries)
    if not fetched_from or fetched_from == source_url:
        return keys
    rebased = [rebase_key(key, fetched_from, source_url) for key in keys]
    # Two GUIDs that only differ by host would collide once rebased: keep them apart then.
    return rebased if len(set(rebased)) == len(set(keys)) else keys


def unique_items(keys: Sequence[str], entries: Sequence[Entry]) -> list[tuple[str, Entry]]:
    """Each key with its first entry: the copies of an item listed twice share one key."""
    items: dict[str, Entry] = {}
    for key, entry in zip(keys, entries, strict=True):
        items.setdefault(key, entry)
    return list(items.items())
