"""Background document frequencies: an IDF prior from general word frequencies.

Early in a stream, and in any stream with few documents, online document frequencies are noise:
after ten documents every word is either in one of them or in none, and a headline word such as
"earthquake" weighs as much as a name. A prior from background word frequencies (the
``wordfreq`` package, whose data ships inside it: nothing is downloaded) fixes that. ``m``
pseudo-documents in which each feature occurs at its background rate are added to the online
counts (``Params.idf_prior_docs``), so IDF starts from "how rare is this word in English" and
moves to the stream's own statistics as real documents arrive.

Feeds are not all English, and no language is detected per document (too slow for the
engine's budget). A word's rate is its English rate raised to its rate in the lists of
``_LANGS`` (German, French, Spanish, Italian, Portuguese, Dutch; words of at least Zipf 3.5
there), so "der", "und", "les", "del", "che" and "het" weigh as little as "the" would,
instead of like rare names. Collisions are the cost: a word English uses keeps its English
rate unless it is a function word elsewhere ("die", "war", "son" are) or 100 times more
common there (a loan such as "monde"); place names such as "Paris" or "Berlin" keep theirs.
Elided forms ("l'enquête", "dell'anno") take the rate of the word after the apostrophe.
Russian, Ukrainian, Bulgarian, Greek, Arabic, Hebrew, Persian and Hindi words, which no
Latin-script feature can collide with, add their lists' rates under the trimmed feature
``features.feature`` makes of them ("москве" as "москв", "Αθήνας" as "αθην").

Without ``wordfreq`` installed the prior is off (``have_background()`` is False).
"""

from __future__ import annotations

import functools
import itertools
import math
import re
import sys
from collections.abc import Callable
from typing import cast

from storywire.stories import features
from storywire.stories.features import (
    LATIN_LANGS,
    STOPWORDS,
    _he_rates,
    english,
    feature,
    listed,
    us_spellings,
)
from storywire.stories.tablecache import TableCache

_UNKNOWN = 1e-8  # per-word rate of a word the list does not know (names, rare words)
_KEEP = 1e-7  # Zipf 2: rarer words count as unknown
_NUMBERS: dict[str, float] = {}  # number feature -> rate (cache)
_NUMBERS_SHAPES: dict[str, float] = {}  # wordfreq's numeric entries ("0000", "4.5", ...)
_NUMERIC = re.compile(r"[0-9][0-9.,]*")
_CONTRACTION = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)+")  # don't, aujourd'hui
# Other languages' common words must not weigh like names (see the module docstring): the
# Latin-script languages of most European outlets. Each adds ~10k features (~1.5 MB).
_LANGS = LATIN_LANGS
# Russian, Ukrainian, Bulgarian, Arabic, Greek, Hebrew, Persian and Hindi: their words never
# collide with a Latin-script feature, so their lists only add entries (keyed as
# ``features.feature`` trims them); without them "на", "что", "що", "това", "في", "של", "در"
# and "में" weigh like names, and unrelated reports of one language match on them. A feature the
# Cyrillic lists share takes its highest rate: the Russian fixture's names kept theirs.
# Ukrainian and Bulgarian add 19k features (~6 MB), Greek 11k, Hebrew and Persian 29k.
_SCRIPT_LANGS = ("ru", "uk", "bg", "ar", "el", "he", "fa", "hi")
_FLOOR = 3e-6  # Zipf 3.5: a rarer word's prior differs from an unknown word's by < 1.4 IDF
_EN_KNOWN = 1e-6  # a word English uses this often keeps its English rate, unless in another
_FUNCTION = 1e-3  # language it is a function word (der, les, die, war: Zipf >= 6)
_LOAN = 100.0  # or is 100 times more common there (monde, frau, ley: English quotes them)

try:
    from wordfreq import get_frequency_dict, get_frequency_list  # data ships in the wheel
    from wordfreq.numbers import digit_freq, smash_numbers

    _HAVE = True
except ImportError:  # pragma: no cover - optional at import, required for the tuned figures
    _HAVE = False


def have_background() -> bool:
    return _HAVE


def preload() -> None:
    """Load or build the prior now, not at the first document: a process worker does it before
    it forks, so its children share the table instead of each loading or building their own
    (~0.3 s from the cache files or ~3 s, ~60 MB)."""
    _load()


@functools.cache
def _load() -> dict[str, float]:
    """Per-word rate of every feature, from the cache file (``tablecache``) when it is there
    and whole, else built (``_build``) and written for the next process."""
    if not _HAVE:
        return {}
    # Building the table filled ``features``' own wordfreq tables (British spellings, Hebrew
    # rates, each cached alike); read from the file it does not, so they are filled here:
    # before a worker forks, and first, with wordfreq's lists (~50 MB) freed before the
    # table is read (a peak of 132 MB instead of 145).
    us_spellings()
    _he_rates()
    get_frequency_dict.cache_clear()
    get_frequency_list.cache_clear()
    table, shapes = _CACHE.get(_build)
    _NUMBERS_SHAPES.update(shapes)
    if not all(sys.intern(k) is k for k in itertools.islice(table, 64)):  # pragma: no cover
        # marshal interns them on load (they were interned when written); a Python that stops
        # doing so still gets identity-fast lookups.
        table = {sys.intern(k): v for k, v in table.items()}
    return cast(dict[str, float], table)


def _build() -> tuple[dict[str, float], dict[str, float]]:
    """The table: the English rate (summed over the words that map to the feature: plural,
    case), raised to the feature's rate in any of ``_LANGS``, plus ``_SCRIPT_LANGS``' words;
    and wordfreq's numeric shapes (``_NUMBERS_SHAPES``)."""
    table: dict[str, float] = {}
    shapes: dict[str, float] = {}
    freqs = get_frequency_dict("en", "best")
    get = table.get
    for word, freq in freqs.items():
        if word.isalpha() or _CONTRACTION.fullmatch(word):
            # _feature(word) for an alphabetic word or a contraction (don't), without its
            # per-call checks (this loop runs ~300k times at start-up): no digits, and
            # ``english`` as for an ASCII token ("centre" counts as "center", as the
            # features read it); keys are interned below.
            if len(word) < 2 or word in STOPWORDS:
                continue
            feat = english(word)
            table[feat] = get(feat, 0.0) + freq
        elif freq >= _KEEP and _NUMERIC.fullmatch(word):
            shapes[word] = freq
    del freqs
    # wordfreq caches its whole list (~50 MB); keep only the ~80k entries used here.
    get_frequency_dict.cache_clear()
    get_frequency_list.cache_clear()
    # Rarer words than _KEEP get _UNKNOWN: their prior pseudo-counts differ by a few
    # hundredths of a document, and dropping them keeps the table small.
    table = {k: v for k, v in table.items() if v >= _KEEP}
    # One list at a time: holding all of them raised the start-up peak by 8 MB.
    for lang in _LANGS:
        _raise_to(table, lang)
        get_frequency_list.cache_clear()
    for lang in _SCRIPT_LANGS:
        _add_script(table, lang)
        get_frequency_list.cache_clear()
    return {sys.intern(k): v for k, v in table.items()}, shapes


def _raise_to(table: dict[str, float], lang: str) -> None:
    """Raise each feature's rate to its rate in ``lang``'s list (words >= ``_FLOOR`` only)."""
    rates: dict[str, float] = {}
    get = rates.get
    for word, freq in listed(lang, _FLOOR):
        if (
            (word.isalpha() or _CONTRACTION.fullmatch(word))
            and len(word) > 1
            and word not in STOPWORDS
        ):
            feat = english(word)
            rates[feat] = get(feat, 0.0) + freq
    old = table.get
    for feat, rate in rates.items():
        en = old(feat, 0.0)
        if rate > en and (en < _EN_KNOWN or rate >= _FUNCTION or rate >= _LOAN * en):
            table[feat] = rate


def _add_script(table: dict[str, float], lang: str) -> None:
    """Add the rates of ``lang``'s Greek to Devanagari words (>= ``_FLOOR``) by feature:
    the trimmed forms of one word ("москва", "москве") share a feature and add up."""
    rates: dict[str, float] = {}
    get = rates.get
    for word, freq in listed(lang, _FLOOR):
        if "\u0370" <= word[0] <= "\u097f" and (feat := feature(word)):
            rates[feat] = get(feat, 0.0) + freq
    for feat, rate in rates.items():
        table[feat] = max(rate, table.get(feat, 0.0))


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


def _word_rate(feat: str, get: Callable[[str], float | None]) -> float:
    """Rate of a word feature the table lacks: an elided article or preposition
    ("l'enquête", "d'une", "dell'anno") takes the rate of the word after the apostrophe
    (wordfreq's lists split elisions); German "ß" is listed as "ss" (wordfreq casefolds)."""
    if "'" in feat or "\u2019" in feat:
        plain = feat.replace("\u2019", "'")
        rest = plain.rpartition("'")[2]
        rate = get(plain) if plain != feat else None
        if rate is None and len(rest) > 1:
            rate = get(rest)
        if rate is not None:
            return rate
    if "\u00df" in feat:
        rate = get(feat.replace("\u00df", "ss"))
        if rate is not None:
            return rate
    return _UNKNOWN


def word_rates(features: list[str]) -> list[float]:
    """Background per-word frequency (0..1) of each feature; numbers are "#" features."""
    get = _load().get
    out = []
    for f in features:
        if f[0] == "#":
            out.append(_number_rate(f) if _HAVE else _UNKNOWN)
        else:
            rate = get(f)
            out.append(rate if rate is not None else _word_rate(f, get))
    return out


def doc_rate(word_rate: float, doc_len: float) -> float:
    """Share of background documents of ``doc_len`` words that contain a word of this rate."""
    return -math.expm1(-word_rate * doc_len)


# Last, so that it remembers this module's and ``features``' globals as imported (see
# ``TableCache``): ``english``, ``feature``, ``STOPWORDS`` and the spelling rules shape the table.
_CACHE = TableCache("prior", (features, sys.modules[__name__]), ("wordfreq",))
