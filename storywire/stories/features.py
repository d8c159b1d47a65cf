"""Turning one document into the features the story engine compares.

Everything here is pure and deterministic across processes (no use of the salted ``hash`` of
``str``), so several workers sharing a Redis store derive identical features from identical input.
"""

from __future__ import annotations

import math
import re
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
# A capitalised word, possibly joined to the next ones by connectors, as in "Gulf of Aden".
_NAME = re.compile(
    r"(?<![\w'\u2019])(?:[A-Z][\w'\u2019\-]*[A-Za-z]|[A-Z])"
    r"(?:\s+(?:(?:of|de|la|van|von|al|bin|del|the)\s+)?"
    r"(?:[A-Z][\w'\u2019\-]*[A-Za-z]|[A-Z]\.?))*"
)

_STEM_CACHE: dict[str, str] = {}
_STEM_CACHE_MAX = 200_000


def stem(word: str) -> str:
    """A deliberately tiny suffix stripper: plural and possessive forms meet their singular."""
    cached = _STEM_CACHE.get(word)
    if cached is not None:
        return cached
    out = word
    if out.endswith(("'s", "\u2019s")):
        out = out[:-2]
    n = len(out)
    if n > 4 and out.endswith("ies"):
        out = out[:-3] + "y"
    elif n > 3 and out.endswith("s") and not out.endswith(("ss", "us", "is")):
        out = out[:-1]
    if len(_STEM_CACHE) >= _STEM_CACHE_MAX:
        _STEM_CACHE.clear()
    _STEM_CACHE[word] = out
    return out


def _number_feature(token: str) -> str | None:
    """Numbers identify events (tolls, magnitudes, ages); single digits and clock parts do not."""
    digits = token.replace(",", "")
    if "." not in digits and (len(digits) < 2 or digits[0] == "0"):
        # Single digits and zero-padded clock/date parts ("08") match everything.
        return None
    return "#" + digits


def words(text: str) -> list[str]:
    """Content words of ``text``: lowercased, stemmed, stopwords and one-letter tokens dropped."""
    out: list[str] = []
    append = out.append
    for tok in _TOKEN.findall(text.lower()):
        c = tok[0]
        if c.isdigit():
            feat = _number_feature(tok)
            if feat is not None:
                append(feat)
        elif len(tok) > 1 and tok not in STOPWORDS:
            append(stem(tok))
    return out


def names(text: str) -> set[str]:
    """Capitalised sequences (people, places, organisations) as lowercased stems.

    A heuristic, not a model: a capitalised word counts when it is not a known function word and
    does not also appear in lowercase in the same text (which marks a sentence opener or a
    Title Case headline word). Each multi-word name yields the full phrase and its last word,
    so "Mark Teixeira" and a later bare "Teixeira" meet.
    """
    lower_words = set(_TOKEN.findall(text)) if len(text) > 200 else set()
    found: set[str] = set()
    for match in _NAME.finditer(text):
        parts = [p for p in match.group().split() if p.lower() not in _NOT_NAMES]
        parts = [p for p in parts if p.lower() not in lower_words or p.isupper()]
        if not parts:
            continue
        low = [stem(p.lower().rstrip(".")) for p in parts]
        low = [p for p in low if len(p) > 1]
        if not low:
            continue
        found.add(low[-1])
        if len(low) > 1:
            found.add(" ".join(low))
    return found


def dates(text: str) -> set[str]:
    """Weekday and month words: cheap temporal anchors that separate two events of one kind."""
    toks = _TOKEN.findall(text.lower())
    return {t for t in toks if t in WEEKDAYS or t in MONTHS}


@dataclass(frozen=True, slots=True)
class DocFeatures:
    """What the engine needs of a document, computed outside any lock."""

    terms: dict[str, float]  # feature -> sublinear tf weight (title words boosted), before IDF
    entities: frozenset[str]  # names, numbers, date words: the event-specific part
    sketch: tuple[int, ...]  # bottom-k MinHash sketch of word shingles, ascending
    length: int  # number of content words (title + body)


def _shingle_hashes(tokens: list[str], size: int) -> set[int]:
    if len(tokens) < size:
        return {xxhash.xxh3_64_intdigest(" ".join(tokens).encode())} if tokens else set()
    joined = [" ".join(tokens[i : i + size]) for i in range(len(tokens) - size + 1)]
    h = xxhash.xxh3_64_intdigest
    return {h(s.encode()) for s in joined}


def sketch_of(tokens: list[str], *, shingle: int, k: int) -> tuple[int, ...]:
    """Bottom-k MinHash sketch (Broder): the k smallest shingle hashes under one hash function."""
    hashes = _shingle_hashes(tokens, shingle)
    return tuple(sorted(hashes)[:k])


def sketch_similarity(a: tuple[int, ...], b: tuple[int, ...], k: int) -> float:
    """Unbiased Jaccard estimate of two bottom-k sketches: shared share of the union's bottom k."""
    if not a or not b:
        return 0.0
    union = sorted(set(a) | set(b))[:k]
    sa, sb = set(a), set(b)
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
    title_words = words(title)
    body = words(text)[:body_words] if body_words > 0 else words(text)
    counts: Counter[str] = Counter(body)
    tf: dict[str, float] = {t: 1.0 + math.log(c) for t, c in counts.items()}
    for t, c in Counter(title_words).items():
        tf[t] = tf.get(t, 0.0) + title_weight * (1.0 + math.log(c))
    ents = names(title + "\n" + text) | dates(title + " " + text)
    ents |= {t for t in tf if t[0] == "#"}
    raw = (title + "\n" + text).lower()
    sk = sketch_of(_TOKEN.findall(raw), shingle=shingle, k=sketch_k)
    return DocFeatures(
        terms=tf, entities=frozenset(ents), sketch=sk, length=len(title_words) + len(body)
    )
