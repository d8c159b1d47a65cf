"""Display entities: the names an article is about, as readers spell them ("Rustem Umerov").

A light heuristic, no model: runs of capitalised words (in any cased script, Latin, Greek or
Cyrillic; caseless ones, Chinese or Arabic, have no such runs and no names here), where a
single word that opens a sentence counts only if the text also capitalises it elsewhere. Story
events carry the most frequent of these as ``top_entities``. (Clustering uses its own
normalised features.)
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Final

from storywire.capitals import CAPITALS

# A capital of any cased script: "Édouard Philippe", "Özgür Özel", "Владимир Путин".
_CAP = rf"(?:[{CAPITALS}][\w'’.-]*[\w]|[{CAPITALS}]{{2,}})"
_CONNECTOR = r"(?:of|de|la|al|bin|van|von|del|der|da|the|and)"
# Words apart by spaces, never by a line break: a heading or a byline has no full stop to end
# its name before the next line's ("Talks in Geneva" / "White House officials…").
_SPACE = r"[^\S\n]+"
_RUN = re.compile(rf"(?<![\w'’]){_CAP}(?:{_SPACE}(?:{_CONNECTOR}{_SPACE})?{_CAP})*")
_SENTENCE_PUNCTUATION = frozenset('.!?…:;"“”')
# Capitalised words that are never names on their own.
_NOT_NAMES = frozenset(
    """a an the this that these those it its he she they we i you his her their our there here
    after before when while as at in on of for by with from to and but or if so yet not no
    mr mrs ms dr monday tuesday wednesday thursday friday saturday sunday january february march
    april may june july august september october november december breaking update live watch
    analysis opinion read more photos video said says according also however meanwhile""".split()
)
# Titles before a name: "President Volodymyr Zelenskyy" is reported as "Volodymyr Zelenskyy".
_HONORIFICS = frozenset(
    """president prime minister secretary chancellor king queen prince princess pope sen senator
    rep gov governor gen general judge mayor chief foreign defence defense""".split()
)


def _clean_run(run: str) -> str:
    words = run.split()
    while words and words[0].lower() in _NOT_NAMES:
        words.pop(0)
    while len(words) > 2 and words[0].lower() in _HONORIFICS:
        words.pop(0)
    while words and words[-1].lower() in _NOT_NAMES:
        words.pop()
    return " ".join(words).strip(".'’-")


def _opens_sentence(chunk: str, start: int) -> bool:
    """Whether ``chunk[start:]`` opens a sentence: only the whitespace run before it and the
    character before that are looked at, so each name costs O(1), not a scan of the prefix."""
    i = start
    while i and chunk[i - 1].isspace():
        i -= 1
    if "\n" in chunk[i:start]:
        return True
    if not i:
        return not start
    return i < start and chunk[i - 1] in _SENTENCE_PUNCTUATION


def _is_word(char: str) -> bool:
    """A character of a word as re's ``\\b`` sees one (Unicode: alphanumeric or "_")."""
    return char.isalnum() or char == "_"


# Candidates tried before the regex takes over: a short name ("Al") in a long text.
_MAX_CANDIDATES: Final = 32


def _holds_word(text: str, word: str) -> bool:
    """``re.search(rf"\\b{re.escape(word)}\\b", text) is not None``, without compiling a
    regex per name (more than half of the time an article's entities took: a distinct name
    is a distinct pattern, past re's cache): ``word`` found, then its two
    boundaries checked as ``\\b`` does."""
    opens, closes = _is_word(word[0]), _is_word(word[-1])
    start, tried = text.find(word), 0
    while start >= 0 and tried < _MAX_CANDIDATES:
        end = start + len(word)
        before = start > 0 and _is_word(text[start - 1])
        after = end < len(text) and _is_word(text[end])
        if before != opens and after != closes:
            return True
        start, tried = text.find(word, start + 1), tried + 1
    return start >= 0 and re.search(rf"\b{re.escape(word)}\b", text) is not None


def extract_entities(title: str, text: str, limit: int = 10) -> tuple[str, ...]:
    """The ``limit`` most frequent names of an article, title mentions counted double."""
    counts: Counter[str] = Counter()
    everything = f"{title}\n{text}"
    # Per name, not per mention: a scan of the whole text per mention made a 200 KB article
    # take ~20 s.
    lowercase_seen: dict[str, bool] = {}
    for weight, chunk in ((2, title), (1, text)):
        for match in _RUN.finditer(chunk):
            name = _clean_run(match.group(0))
            if len(name) < 2 or name.lower() in _NOT_NAMES or name.lower() in _HONORIFICS:
                continue
            if " " not in name and _opens_sentence(chunk, match.start()):
                if name not in lowercase_seen:
                    lowercase_seen[name] = _holds_word(everything, name.lower())
                if lowercase_seen[name]:
                    continue  # "Officials said..." — a common word that happens to open a sentence
            counts[name] += weight
    return tuple(name for name, _ in counts.most_common(limit))
