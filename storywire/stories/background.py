"""Background document frequencies: an IDF prior from general English word frequencies.

Early in a stream, and in any stream with few documents, online document frequencies are noise:
after ten documents every word is either in one of them or in none, and a headline word such as
"earthquake" weighs as much as a name. A prior from background word frequencies (the
``wordfreq`` package, whose data ships inside it: nothing is downloaded) fixes that. ``m``
pseudo-documents in which each feature occurs at its background rate are added to the online
counts (``Params.idf_prior_docs``), so IDF starts from "how rare is this word in English" and
moves to the stream's own statistics as real documents arrive.

Without ``wordfreq`` installed the prior is off (``have_background()`` is False).
"""

from __future__ import annotations

import functools
import math
import re
import sys

from storywire.stories.features import STOPWORDS, stem

_UNKNOWN = 1e-8  # per-word rate of a word the list does not know (names, rare words)
_KEEP = 1e-7  # Zipf 2: rarer words count as unknown
_NUMBERS: dict[str, float] = {}  # number feature -> rate (cache)
_NUMBERS_SHAPES: dict[str, float] = {}  # wordfreq's numeric entries ("0000", "4.5", ...)
_NUMERIC = re.compile(r"[0-9][0-9.,]*")

try:
    from wordfreq import get_frequency_dict, get_frequency_list  # data ships in the wheel
    from wordfreq.numbers import digit_freq, smash_numbers

    _HAVE = True
except ImportError:  # pragma: no cover - optional at import, required for the tuned figures
    _HAVE = False


def have_background() -> bool:
    return _HAVE


@functools.cache
def _load() -> dict[str, float]:
    """Per-word rate of every feature, summed over the words that map to it (plural, case)."""
    table: dict[str, float] = {}
    if _HAVE:
        freqs = get_frequency_dict("en", "best")
        get = table.get
        for word, freq in freqs.items():
            if word.isalpha():
                # _feature(word) for an alphabetic word, without its per-call checks (this
                # loop runs ~300k times at start-up): no digits, no apostrophe, and only a
                # word ending in "s" can change under stem(); keys are interned below.
                if len(word) < 2 or word in STOPWORDS:
                    continue
                feat = stem(word) if word[-1] == "s" else word
                table[feat] = get(feat, 0.0) + freq
            elif freq >= _KEEP and _NUMERIC.fullmatch(word):
                _NUMBERS_SHAPES[word] = freq
        # wordfreq caches its whole list (~50 MB); keep only the ~80k entries used here.
        get_frequency_dict.cache_clear()
        get_frequency_list.cache_clear()
    # Rarer words than _KEEP get _UNKNOWN: their prior pseudo-counts differ by a few
    # hundredths of a document, and dropping them keeps the table at ~80k entries.
    return {sys.intern(k): v for k, v in table.items() if v >= _KEEP}


def _number_rate(feat: str) -> float:
    """wordfreq's estimate for a number: the frequency of its shape (digit runs smashed to
    zeros) times the share of that shape its digits get (Benford's law, a year curve)."""
    rate = _NUMBERS.get(feat)
    if rate is None:
        digits = feat[1:]
        shape = smash_numbers(digits)
        rate = _NUMBERS_SHAPES.get(shape, 0.0)
        if shape != digits:
            rate *= digit_freq(digits)
        rate = max(rate, _UNKNOWN)
        if len(_NUMBERS) < 100_000:
            _NUMBERS[feat] = rate
    return rate


def word_rates(features: list[str]) -> list[float]:
    """Background per-word frequency (0..1) of each feature; numbers are "#" features."""
    get = _load().get
    return [
        (_number_rate(f) if _HAVE else _UNKNOWN) if f[0] == "#" else get(f, _UNKNOWN)
        for f in features
    ]


def doc_rate(word_rate: float, doc_len: float) -> float:
    """Share of background documents of ``doc_len`` words that contain a word of this rate."""
    return -math.expm1(-word_rate * doc_len)
