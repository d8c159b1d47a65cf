"""Turning one document into the features the story engine compares.

Everything here is pure and deterministic across processes (no use of the salted ``hash`` of
``str``), so several workers sharing a Redis store derive identical features from identical input.
"""

from __future__ import annotations

import math
import re
import sys
from collections import Counter
from dataclasses import dataclass

import xxhash


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Function words and news boilerplate: removed before weighting so that the first documents of a
# stream, seen while document frequencies are still flat, are not compared on "the" and "said".
STOPWORDS = _wordset(
    """
    a about above after again against ago all almost along also although always am among an and
    another any anyone anything are around as at away back be became because become been before
    being below between both but by came can cannot could did do does doing done down during each
    either else enough even ever every few first for from further get gets getting got had has
    have having he her here hers herself him himself his how however i if in into is it its itself
    just last least less like made make many may me might more most much must my myself near need
    never new next no nor not now of off often on once one only or other others our ours ourselves
    out over own per perhaps put quite rather really said same say says see seem seemed several
    shall she should since so some still such take than that the their theirs them themselves then
    there these they thing things this those though through thus to too toward towards under until
    up upon us very via was way we well were what whatever when where whether which while who whom
    whose why will with within without would yet you your yours yourself also told according
    reported report reports reporting news told tell time times year years day days week weeks
    month months today yesterday tomorrow tonight including include includes went going go goes
    come comes coming says saying people man woman men women two three four five six seven eight
    nine ten per cent percent mr mrs ms dr st just s t re ve ll d m don didn doesn isn wasn aren
    weren won wouldn couldn shouldn hasn haven hadn
    """
)

MONTHS = _wordset(
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec"
)
WEEKDAYS = _wordset("monday tuesday wednesday thursday friday saturday sunday")

# Words whose capitalisation says nothing about being a name: sentence openers and headline caps.
_NOT_NAMES = (
    STOPWORDS
    | WEEKDAYS
    | MONTHS
    | _wordset(
        "the a an this that these those it its he she they we i you his her their our there here "
        "after before when while as at in on of for by with from to and but or if so yet update "
        "breaking exclusive video photos watch live analysis opinion editorial posted updated"
    )
)

_TOKEN = re.compile("[^\\W\\d_]+(?:['\u2019][^\\W\\d_]+)*|\\d+(?:[.,]\\d+)*")
# Splitting on whitespace after mapping punctuation to spaces is 4x faster than a regex
# tokenizer; the characters kept (. , ' and the typographic apostrophe) are stripped from
# token ends later, so "4.4" survives while "story," loses its comma.
_PUNCT = str.maketrans(
    dict.fromkeys(
        '!"#$%&()*+/:;<=>?@[\\]^_`{|}~-\u201c\u201d\u2018\u2014\u2013\u2026\u00ab\u00bb', " "
    )
)
_EDGE = ".,'\u2019"
_DATE_WORDS = MONTHS | WEEKDAYS

_FEATURE_CACHE: dict[str, str] = {}
_HASH_CACHE: dict[str, int] = {}
_CACHE_MAX = 300_000
_MASK64 = (1 << 64) - 1


def tokens(text: str) -> list[str]:
    """Whitespace tokens of ``text`` with most punctuation turned into separators."""
    return text.translate(_PUNCT).split()


def stem(word: str) -> str:
    """A deliberately tiny suffix stripper: plural and possessive forms meet their singular."""
    out = word
    if out.endswith(("'s", "\u2019s")):
        out = out[:-2]
    n = len(out)
    if n > 4 and out.endswith("ies"):
        out = out[:-3] + "y"
    elif n > 3 and out.endswith("s") and not out.endswith(("ss", "us", "is")):
        out = out[:-1]
    return out


def _feature(token: str) -> str:
    """The feature a lowercased token stands for, or "" when it carries nothing."""
    tok = token.strip(_EDGE)
    if not tok:
        return ""
    if tok[0].isdigit():
        digits = tok.replace(",", "")
        if not digits.replace(".", "", 1).isdigit():
            return ""
        if "." not in digits and (len(digits) < 2 or digits[0] == "0"):
            # Single digits and zero-padded clock/date parts ("08") match everything.
            return ""
        return sys.intern("#" + digits)
    if len(tok) < 2 or tok in STOPWORDS or not tok[0].isalpha():
        return ""
    return sys.intern(stem(tok))


def features_of(counts: dict[str, int]) -> dict[str, int]:
    """Features with counts from lowercased token counts (cached per distinct token)."""
    cache = _FEATURE_CACHE
    if len(cache) > _CACHE_MAX:
        cache.clear()
    out: dict[str, int] = {}
    get = out.get
    for tok, c in counts.items():
        feat = cache.get(tok)
        if feat is None:
            feat = cache[tok] = _feature(tok)
        if feat:
            out[feat] = get(feat, 0) + c
    return out


def words(text: str) -> list[str]:
    """Content features of ``text`` in order (used by tests and tools, not the hot path)."""
    return [f for f in (_feature(t) for t in tokens(text.lower())) if f]


def names(text: str) -> set[str]:
    """Capitalised words that are names (people, places, organisations), as stemmed features.

    A heuristic, not a model: a capitalised word counts when it is not a function word and does
    not also occur in lowercase in the same text (which marks a sentence opener or a Title Case
    headline word rather than a name).
    """
    distinct = set(tokens(text))
    lowercase = {t.strip(_EDGE) for t in distinct if t.islower()}
    found: set[str] = set()
    for raw in distinct:
        if not raw[0].isupper():
            continue
        tok = raw.strip(_EDGE)
        lowered = tok.lower()
        if len(tok) < 2 or lowered in _NOT_NAMES or lowered in lowercase:
            continue
        feat = _FEATURE_CACHE.get(lowered)
        if feat is None:
            feat = _feature(lowered)
        if feat:
            found.add(feat)
    return found


@dataclass(frozen=True, slots=True)
class DocFeatures:
    """What the engine needs of a document, computed outside any lock."""

    terms: dict[str, float]  # feature -> sublinear tf weight (title words boosted), before IDF
    entities: frozenset[str]  # names, numbers, date words: the event-specific part
    sketch: tuple[int, ...]  # bottom-k MinHash sketch of word shingles, ascending
    length: int  # number of content words (title + body)


def sketch_of(toks: list[str], *, shingle: int, k: int) -> tuple[int, ...]:
    """Bottom-k MinHash sketch (Broder): the k smallest shingle hashes under one hash function.

    Each distinct token is hashed once with xxh3; a shingle's hash is CPython's hash of the
    tuple of its token hashes, which is deterministic for integers (no per-process salt).
    """
    cache = _HASH_CACHE
    if len(cache) > _CACHE_MAX:
        cache.clear()
    h = xxhash.xxh3_64_intdigest
    for t in set(toks).difference(cache):
        cache[t] = h(t.encode("utf-8"))
    ids = list(map(cache.__getitem__, toks))
    if len(ids) < shingle:
        grams: set[int] = {hash(tuple(ids))} if ids else set()
    else:
        grams = set(map(hash, zip(*(ids[i:] for i in range(shingle)), strict=False)))
    return tuple(sorted(map(_MASK64.__and__, grams))[:k])


def sketch_similarity(a: tuple[int, ...], b: tuple[int, ...], k: int) -> float:
    """Unbiased Jaccard estimate of two bottom-k sketches: shared share of the union's bottom k."""
    if not a or not b:
        return 0.0
    sa, sb = set(a), set(b)
    union = sorted(sa | sb)[:k]
    shared = sum(1 for x in union if x in sa and x in sb)
    return shared / len(union)


def extract(
    title: str,
    text: str,
    *,
    title_weight: float,
    body_words: int,
    shingle: int,
    sketch_k: int,
) -> DocFeatures:
    """Features of one document: weighted terms, entities and a near-duplicate sketch."""
    log = math.log
    title_toks = tokens(title.lower())
    body_toks = tokens(text.lower())
    if body_words > 0:
        body_toks = body_toks[:body_words]
    body = features_of(Counter(body_toks))
    head = features_of(Counter(title_toks))
    tf: dict[str, float] = {t: 1.0 + log(c) for t, c in body.items()}
    for t, c in head.items():
        tf[t] = tf.get(t, 0.0) + title_weight * (1.0 + log(c))
    ents = names(title + "\n" + text)
    ents.update(t for t in tf if t[0] == "#" or t in _DATE_WORDS)
    sk = sketch_of(title_toks + body_toks, shingle=shingle, k=sketch_k)
    length = sum(head.values()) + sum(body.values())
    return DocFeatures(terms=tf, entities=frozenset(ents), sketch=sk, length=length)
