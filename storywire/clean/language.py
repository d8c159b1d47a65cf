"""Offline language detection with py3langid (its naive Bayes model ships inside the package).

py3langid was picked over langdetect and lingua (docs/cleaning.md): ~0.2 ms per article
and right on every language of our check set, where langdetect is ~14x slower and random by
default, and lingua loads ~1 GB and 3 s per process for the same answers.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Sequence
from itertools import islice
from typing import Final, Protocol

import numpy as np

# py3langid has no type information; _Identifier below says what we use of it.
from py3langid.langid import MODEL_FILE, LanguageIdentifier  # type: ignore[import-untyped]

# Enough letters for a stable guess: below this the detector flips on a name or a loan word.
MIN_LETTERS: Final = 20
# A character of these scripts counts as this many letters: a Chinese or Japanese character or
# a Korean syllable is about a word ("国务院召开常务会议" is a whole headline in 9), and Hebrew,
# Greek, Thai, Georgian and Armenian are each written by one language of the model, so a
# short headline in them is no loan word away from another language.
_DENSE_WEIGHT: Final = 3
_DENSE: Final = re.compile(
    "[\u0370-\u03ff\u0530-\u058f\u0590-\u05ff\u0e00-\u0e7f\u10a0-\u10ff\u1100-\u11ff"
    "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f]"
)
# Calibrated probability (py3langid scales scores by the text's length) below which we abstain.
MIN_CONFIDENCE: Final = 0.8
# The start of an article says its language; scoring the rest only costs time.
_SAMPLE_CHARS: Final = 2000


_Scores = np.ndarray[tuple[int], np.dtype[np.float32]]


class _Identifier(Protocol):
    nb_ptc: np.ndarray[tuple[int, int], np.dtype[np.floating]]
    tk_nextmove: Sequence[int]
    tk_output: Sequence[int]
    _rowbase: Sequence[int]

    @property
    def labels(self) -> list[str]: ...

    def classify(self, text: str) -> tuple[str, float]: ...

    def set_languages(self, langs: list[str] | None = None) -> None: ...


# How many bytes py3langid's automaton remembers: it finds the model's byte n-grams (of at
# most this length) as an Aho-Corasick automaton does, so its state after a byte is the same
# whatever state it was in this many bytes before (test_language.py proves it of the model
# shipped, state by state).
_DFA_MEMORY: Final = 6


class _Walk:
    """py3langid's feature count of a text (``visit_counts``: the n-grams its automaton finds,
    in order), with numpy. The library walks its automaton a byte at a time in Python, ~60% of
    a detection; each byte's state is also the state reached from the start over the
    ``_DFA_MEMORY`` bytes ending at it, which numpy finds for every byte at once."""

    def __init__(self, identifier: _Identifier) -> None:
        self.nextmove = identifier.tk_nextmove
        self.rowbase = identifier._rowbase
        self.output = identifier.tk_output
        self.nextmove_np = np.asarray(identifier.tk_nextmove)  # the library's memory, no copy
        self.rowbase_np = np.asarray(identifier._rowbase, dtype=np.int64)
        self.output_np = np.asarray(identifier.tk_output, dtype=np.int64)

    def visits(self, text: bytes) -> Counter[int] | None:
        """What ``visit_counts`` gives: each feature's count, in the order first found."""
        head, state = [], 0
        for byte in text[: _DFA_MEMORY - 1]:  # the bytes with fewer than that before them
            state = self.nextmove[self.rowbase[state] + byte]
            head.append(state)
        states = np.asarray(head, dtype=np.int64)
        windows = len(text) - _DFA_MEMORY + 1
        if windows > 0:
            data = np.frombuffer(text, dtype=np.uint8).astype(np.int64)
            ends = np.zeros(windows, dtype=np.int64)
            for offset in range(_DFA_MEMORY):
                ends = self.nextmove_np[self.rowbase_np[ends] + data[offset : offset + windows]]
            states = np.concatenate((states, ends))
        found = self.output_np[states]
        features = found[found >= 0].tolist()
        return Counter(features) if features else None


class _FastIdentifier(LanguageIdentifier):  # type: ignore[misc]  # py3langid is untyped
    """py3langid's identifier, its features counted by ``_Walk``: the same scores, to the bit."""

    __slots__ = ("_walk",)
    _walk: _Walk

    def _raw_score(self, text: bytes) -> _Scores:
        visits = self._walk.visits(text)
        if visits is None:  # no feature at all: the library's floor, as rare as it is cheap
            scores: _Scores = super()._raw_score(text)
            return scores
        return self._sparse_score(visits, self.nb_ptc)  # type: ignore[no-any-return]


@functools.cache
def _identifier() -> _Identifier:
    # Loaded on first use, not at import: the model takes ~1 s to unpack.
    identifier: _FastIdentifier = _FastIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    # Only ISO 639-1 languages: regional varieties (wuu, yue beside zh) split the probability
    # of the language they belong to and made us abstain on plain Chinese.
    identifier.set_languages([label for label in identifier.labels if len(label) == 2])
    # The model keeps its table as float16 columns of the whole model: scoring an article
    # gathered ~450 strided rows and widened them to float32 (~185 of ~400 us a detection).
    # One contiguous float32 copy of our languages' columns (46 MB, in place of the 23 MB
    # float16 one) brings gather and product to ~10 us. The product was computed in float32
    # before too, so the scores are the same to the bit.
    identifier.nb_ptc = np.ascontiguousarray(identifier.nb_ptc, dtype=np.float32)
    identifier._walk = _Walk(identifier)
    return identifier


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of ``text``'s language, or None when the text is too short to be sure."""
    sample = text[:_SAMPLE_CHARS]
    # Stops at the MIN_LETTERS-th letter: counting all 2,000 characters cost a fifth of a
    # detection.
    letters = len(list(islice(filter(str.isalpha, sample), MIN_LETTERS)))
    if letters < MIN_LETTERS and (
        letters + (_DENSE_WEIGHT - 1) * len(_DENSE.findall(sample)) < MIN_LETTERS
    ):
        return None
    code, confidence = _identifier().classify(sample)
    if confidence < MIN_CONFIDENCE:
        return None
    return code
