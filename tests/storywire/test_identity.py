"""Entry identity follows GUID, then canonical URL, then a hash when GUIDs are broken."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from storywire.identity import (
    article_id,
    content_hash,
    entry_keys,
    rebase_key,
    stable_keys,
    unique_items,
)
from storywire.models import Entry

WHEN = datetime(2026, 11, 24, 12, tzinfo=UTC)


def _entry(guid: str | None, link: str | None, title: str = "t") -> Entry:
    return Entry(
        guid=guid, link=link, title=title, summary_html="", content_html="", published=WHEN
    )


def test_guid_wins_when_unique() -> None:
    """A unique GUID is the key, whatever the link says."""
    assert entry_keys([_entry("abc", "https://x.com/1")]) == ["g:abc"]


def test_repeated_guid_falls_back_to_canonical_link() -> None:
    """A feed that repeats one GUID for every item is keyed by canonical link instead."""
    keys = entry_keys(
        [_entry("same", "https://x.com/1?utm_source=a", "A"), _entry("same", "https://x.com/2")]
    )
    assert keys == ["u:https://x.com/1", "u:https://x.com/2"]


def test_no_guid_no_link_hashes_link_and_title() -> None:
    """Without GUID or link, distinct titles give distinct, stable keys."""
    first = entry_keys([_entry(None, None, "a"), _entry(None, None, "b")])
    assert first == entry_keys([_entry(None, None, "a"), _entry(None, None, "b")])
    assert first[0] != first[1]
    assert all(k.startswith("h:") for k in first)


def _bare(title: str, text: str, published: datetime = WHEN, link: str | None = None) -> Entry:
    return Entry(
        guid=None, link=link, title=title, summary_html=text, content_html="", published=published
    )


def test_undated_entries_without_guid_or_link_keep_their_key_across_polls() -> None:
    """An entry without a date gets the fetch time (feeds.parse_feed): a key built on it was new
    at every poll, so the same item was published again and again."""
    first_poll = entry_keys([_bare("Road closed", "The A1 is closed.", WHEN)])
    next_poll = entry_keys([_bare("Road closed", "The A1 is closed.", datetime(2026, 11, 25))])
    assert first_poll == next_poll


def test_an_edited_entry_without_guid_or_link_keeps_its_key() -> None:
    """Its key is its title: a new text under it is an update of the article, not a new one."""
    first_poll = entry_keys([_bare("Road closed", "The A1 is closed.")])
    next_poll = entry_keys([_bare("Road closed", "The A1 is closed until Friday.")])
    assert first_poll == next_poll


def test_keys_are_unique_within_a_snapshot() -> None:
    """Two items with one title and date but different text, or two items linking to the same
    page (a CMS that links every item to its home page), are two entries, not one."""
    same_title = entry_keys([_bare("Update", "Bridge reopens."), _bare("Update", "Rain due.")])
    assert same_title[0] != same_title[1]
    home = "https://agency.example/news"
    same_link = entry_keys([_bare("A", "x", link=home), _bare("B", "y", link=home + "?utm_x=1")])
    assert same_link[0] != same_link[1]
    assert entry_keys([_bare("A", "x", link=home)]) == [f"u:{home}"]


def test_article_id_and_content_hash_are_deterministic() -> None:
    """The same input always yields the same ids; a text change changes the content hash."""
    assert article_id("s", "g:1") == article_id("s", "g:1") != article_id("t", "g:1")
    assert content_hash("t", "x") != content_hash("t", "y")


def test_edited_entry_keeps_its_identity_but_changes_its_content_hash() -> None:
    """A known entry whose title or body changed is the same article (an update), not a new one."""
    before = _entry("g-1", "https://x.com/a?utm_source=rss", title="Quake hits city")
    after = _entry("g-1", "https://x.com/a", title="Quake hits city, 12 dead")
    (key_before,) = entry_keys([before])
    (key_after,) = entry_keys([after])
    assert key_before == key_after
    assert article_id("s", key_before) == article_id("s", key_after)
    assert content_hash(before.title, "body") != content_hash(after.title, "body")


def test_tracking_parameters_do_not_make_a_new_entry() -> None:
    """Without GUIDs, the same link with different tracking parameters is one entry."""
    (first,) = entry_keys([_entry(None, "http://www.x.com/a?utm_medium=feed&id=7#top")])
    (second,) = entry_keys([_entry(None, "https://x.com/a?id=7&fbclid=abc")])
    assert first == second == "u:https://x.com/a?id=7"


def test_rebase_key_follows_the_feed_directory_and_host() -> None:
    """A GUID resolved under the fetched feed's directory or host reads under the source's."""
    old, new = "https://a.com/feeds/rss.xml", "https://b.org/rss/all.xml"
    assert rebase_key("g:https://a.com/feeds/123", old, new) == "g:https://b.org/rss/123"
    assert rebase_key("g:https://a.com/news/9", old, new) == "g:https://b.org/news/9"
    assert rebase_key("g:urn:uuid:1", old, new) == "g:urn:uuid:1"
    assert rebase_key("u:https://a.com/feeds/123", old, new) == "u:https://a.com/feeds/123"


def test_stable_keys_do_not_merge_distinct_entries() -> None:
    """When rebasing would make two entries one, the keys are left as they were."""
    entries = [_entry("https://a.com/x", None), _entry("https://b.org/x", None)]
    keys = stable_keys(entries, "https://b.org/feed", "https://a.com/feed")
    assert len(set(keys)) == 2


def test_a_malformed_link_without_guid_still_gets_a_key() -> None:
    keys = entry_keys([_entry(None, "http://[::1/x"), _entry(None, "https://x.com/2")])
    assert keys[1] == "u:https://x.com/2"
    assert keys[0] not in ("", keys[1])


def test_a_blank_guid_is_no_guid() -> None:
    """A JSON Feed id of spaces was the key "g:": a later, different item with a blank id
    would have been taken for an edit of this one. The link keys it instead."""
    assert entry_keys([_entry(" ", "https://x.com/1")]) == ["u:https://x.com/1"]


def test_guids_that_differ_only_in_spaces_are_one_repeated_guid() -> None:
    """Counted as written but keyed stripped, "1" and " 1" were one key for two entries."""
    keys = entry_keys([_entry("1", "https://x.com/1", "A"), _entry(" 1", "https://x.com/2")])
    assert keys == ["u:https://x.com/1", "u:https://x.com/2"]


def test_identical_copies_of_an_item_share_the_key_it_has_alone() -> None:
    """Identical copies are one item: the GUID is not a broken one. Entries under one GUID
    that differ in link and text are several items: the GUID is unusable for all of them."""
    a = Entry(guid="g1", link="https://x.com/a", title="A", summary_html="s", content_html="",
              published=None)  # fmt: skip
    b = Entry(guid="g2", link="https://x.com/b", title="B", summary_html="", content_html="",
              published=None)  # fmt: skip
    alone = entry_keys([a, b])
    assert entry_keys([a, b, a]) == [*alone, alone[0]]
    assert unique_items(entry_keys([a, b, a]), [a, b, a]) == list(zip(alone, [a, b], strict=True))
    other = Entry(guid="g1", link="https://x.com/c", title="A, other", summary_html="s",
                  content_html="", published=None)  # fmt: skip
    keys = entry_keys([a, other])
    assert not any(key.startswith("g:") for key in keys)
    assert len(set(keys)) == 2


def test_copies_and_versions_of_an_item_under_one_guid_are_one_item() -> None:
    """Under one GUID, copies that differ only by link (an item in two sections) and versions
    of one article page (old text kept beside the new) are one item, keyed by the GUID as
    when listed alone, the first listed standing for it. A GUID on items that share nothing,
    or whose one link is a home page, is a CMS's broken one."""
    a = Entry(guid="g1", link="https://x.com/world/a", title="A", summary_html="s",
              content_html="", published=None)  # fmt: skip
    section = replace(a, link="https://x.com/europe/a?utm_source=rss")
    edited = replace(a, title="A, edited", summary_html="s2")
    assert entry_keys([a, section]) == entry_keys([a]) * 2 == ["g:g1", "g:g1"]
    assert entry_keys([edited, a]) == ["g:g1", "g:g1"]
    assert unique_items(entry_keys([edited, a]), [edited, a]) == [("g:g1", edited)]
    home = [replace(a, link="https://x.com/"), replace(edited, link="https://x.com/")]
    assert not any(key.startswith("g:") for key in entry_keys(home))
    blank = [replace(a, title="", summary_html=""), replace(section, title="", summary_html="")]
    assert not any(key.startswith("g:") for key in entry_keys(blank))
