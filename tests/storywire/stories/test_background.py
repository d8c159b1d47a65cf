"""The word-frequency prior: common words are frequent, names and rare numbers are not."""

from __future__ import annotations

import math

from storywire.stories.background import doc_rate, have_background, word_rates
from storywire.stories.features import words


def test_common_words_outrank_names_and_numbers() -> None:
    """A common word has a higher background rate than a name or a four-digit number."""
    assert have_background()
    quake, name, number = word_rates(words("earthquake Zelenskyy 1200"))
    assert quake > number > 0
    assert quake > name > 0


def test_doc_rate_is_a_probability_rising_with_length() -> None:
    """The share of documents holding a word grows with document length and stays below 1."""
    short, long = doc_rate(1e-3, 10), doc_rate(1e-3, 1000)
    assert 0 < short < long < 1
    assert math.isclose(doc_rate(0.0, 100), 0.0)


def test_ukrainian_and_bulgarian_everyday_words_are_common() -> None:
    """Their lists are in the prior: "що" (that), "також" (also), "това" (this) and "които"
    (which) weigh like the function words they are, not like unknown names (1e-8)."""
    for rate in word_rates(words("що також було після това които година")):
        assert rate >= 1e-4
