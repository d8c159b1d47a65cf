"""Chinese, Japanese and Korean: character bigrams instead of one token per clause."""

from __future__ import annotations

import pytest

from storywire.stories import Doc, features
from storywire.stories.background import have_background
from storywire.stories.features import tokens, words

from .cjk import cjk_docs
from .test_multilingual import _partition


def _old_tokens(text: str) -> list[str]:
    """The tokenizer before lab-cjk: Western punctuation to spaces, split on whitespace."""
    return text.translate(features._PUNCT).split()


def test_mixed_chinese_and_latin() -> None:
    assert tokens("苹果公司发布iPhone 15，售价799美元。") == [
        "苹果", "果公", "公司", "司发", "发布", "iPhone", "15", "售价", "799", "美元",
    ]  # fmt: skip
    assert words("苹果公司发布iPhone 15，售价799美元。") == [
        "苹果", "果公", "公司", "司发", "发布", "iphone", "#15", "售价", "#799", "美元",
    ]  # fmt: skip


def test_full_width_forms_and_punctuation() -> None:
    # Full-width digits and letters become ASCII, a full-width point stays a decimal point.
    assert tokens("マグニチュード６．８、ＪＲ東海") == [
        "マグ",
        "グニ",
        "ニチ",
        "チュ",
        "ュー",
        "ード",
        "6.8",
        "JR",
        "東海",
    ]
    assert tokens("「日本」『中』《书》【报】") == [
        "日本",
        "中",
        "书",
        "报",
    ]  # one character: unigram
    assert tokens("서울에서 규모 5.8 지진") == ["서울", "울에", "에서", "규모", "5.8", "지진"]
    # Latin text is untouched, typographic quotes and all.
    text = "“It’s 4.4,” said Zoë — café’s owner…"
    assert tokens(text) == _old_tokens(text)


@pytest.mark.skipif(not have_background(), reason="wordfreq not installed")
def test_chinese_articles_cluster_by_event() -> None:
    """Three Chinese events, two of them earthquakes: every report joins its own event."""
    got, gold = _partition(cjk_docs("zh"))
    assert got == gold


@pytest.mark.skipif(not have_background(), reason="wordfreq not installed")
def test_korean_articles_cluster_by_event() -> None:
    """Hangul has no capitals, so no names: scored on text alone, every report finds its event."""
    got, gold = _partition(cjk_docs("ko"))
    assert got == gold


@pytest.mark.skipif(not have_background(), reason="wordfreq not installed")
@pytest.mark.parametrize("prefix", ["ja"])
def test_japanese_articles_group_without_mixing(prefix: str) -> None:
    """Japanese reports group (fewer stories than documents) and no story mixes two
    events; not every report finds its event yet (see docs/stories.md)."""
    got, gold = _partition(cjk_docs(prefix))
    assert len(got) < len(gold) * 3
    for story in got:
        assert any(story <= event for event in gold)


def test_old_tokenizer_did_not_cluster(monkeypatch: pytest.MonkeyPatch) -> None:
    """The control: with whitespace tokens (one per clause) most reports started their own
    story (22 stories for 9 events)."""
    monkeypatch.setattr(features, "tokens", _old_tokens)
    pairs: list[tuple[str, Doc]] = cjk_docs()
    got, gold = _partition(pairs)
    assert len(got) > 2 * len(gold)
