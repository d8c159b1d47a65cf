"""Offline language detection with py3langid (its naive Bayes model ships inside the package).

py3langid was picked over langdetect and lingua (docs/cleaning.md): ~0.2 ms per article
and right on every language of our check set, where langdetect is ~14x slower and random by
default, and lingua loads ~1 GB and 3 s per process for the same answers.
"""

from __future__ import annotations

import functools
import re
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


class _Identifier(Protocol):
    nb_ptc: np.ndarray[tuple[int, int], np.dtype[np.floating]]

    @property
    def labels(self) -> list[str]: ...

    def classify(self, text: str) -> tuple[str, float]: ...

    def set_languages(self, langs: list[str] | None = None) -> None: ...


@functools.cache
def _identifier() -> _Identifier:
    # Loaded on first use, not at import: the model takes ~1 s to unpack.
    identifier: _Identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    # Only ISO 639-1 languages: regional varieties (wuu, yue beside zh) split the probability
    # of the language they belong to and made us abstain on plain Chinese.
    identifier.set_languages([label for label in identifier.labels if len(label) == 2])
    # The model keeps its table as float16 columns of the whole model: scoring an article
    # gathered ~450 strided rows and widened them to float32 (~185 of ~400 us a detection).
    # One contiguous float32 copy of our languages' columns (46 MB, in place of the 23 MB
    # float16 one) brings gather and product to ~10 us. The product was computed in float32
    # before too, so the scores are the same to the bit.
    identifier.nb_ptc = np.ascontiguousarray(identifier.nb_ptc, dtype=np.float32)
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
