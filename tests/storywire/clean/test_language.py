"""Offline language detection: ISO 639-1 codes, None when unsure."""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import pytest
from py3langid.langid import (  # type: ignore[import-untyped]
    MODEL_FILE,
    LanguageIdentifier,
    visit_counts,
)

from storywire.clean import detect_language
from storywire.clean.language import _DFA_MEMORY, _identifier

NEWS = [
    ("The government announced on Tuesday that it would raise interest rates.", "en"),
    ("Le gouvernement a annoncé mardi qu'il allait relever les taux d'intérêt.", "fr"),
    ("Die Regierung kündigte am Dienstag an, die Zinsen zu erhöhen.", "de"),
    ("El gobierno anunció el martes que subiría los tipos de interés.", "es"),
    ("Il governo ha annunciato martedì che alzerà i tassi di interesse.", "it"),
    ("Правительство объявило во вторник, что повысит процентные ставки.", "ru"),
    ("政府周二宣布将提高利率以遏制通货膨胀，通胀已达到十年来的最高水平。", "zh"),
    ("政府は火曜日、インフレを抑制するため、金利を引き上げると発表した。", "ja"),
    ("أعلنت الحكومة يوم الثلاثاء أنها سترفع أسعار الفائدة للحد من التضخم.", "ar"),
]


@pytest.mark.parametrize(("text", "code"), NEWS)
def test_detects_news_languages(text: str, code: str) -> None:
    """A sentence of news copy is enough for the common news languages."""
    assert detect_language(text) == code


@pytest.mark.parametrize("text", ["", "Hello", "12,345 - 67", "Apple Google Nvidia", "!!! ???"])
def test_unsure_is_none(text: str) -> None:
    """Too little text (or only names and numbers) gives None rather than a guess."""
    assert detect_language(text) is None


@pytest.mark.parametrize(
    ("headline", "code"),
    [
        ("国务院召开常务会议", "zh"),
        ("東京都、感染者を確認", "ja"),
        ("서울 아파트 가격 상승", "ko"),
        ("ראש הממשלה אמר היום", "he"),
        ("Ο πρωθυπουργός δήλωσε", "el"),
        ("นายกรัฐมนตรีแถลง", "th"),
    ],
)
def test_a_headline_alone_in_a_dense_script_is_enough(headline: str, code: str) -> None:
    """A title-only item in Chinese, Japanese or Korean has a headline of 9 characters, each
    about a word; one in Hebrew or Greek is in a script one language writes: the 20-letter floor
    made every such article languageless (unless its feed declared one). Their characters count
    three letters each."""
    assert detect_language(headline) == code


@pytest.mark.parametrize("text", ["北京", "日本銀行総裁", "Merkel trifft Macron", "iPhone 16 発売"])
def test_a_few_dense_characters_are_still_too_few(text: str) -> None:
    """Two or six characters (a place name, a Japanese headline the model splits between zh
    and ja), or Latin names, are still too little to go by."""
    assert detect_language(text) is None


def test_the_letter_floor_counts_letters_only_at_the_start() -> None:
    """20 letters are enough to be judged, 19 are not (though the model would be sure of these:
    0.94 and 0.91); digits and spaces do not count, and a letter past the first 2,000
    characters is not read."""
    assert detect_language("Überschwemmung in Köln") == "de"  # 20 letters
    assert detect_language("Überschwemmung in Köl") is None
    assert detect_language("1 2 3 Die Überschwemmungen 4 5") is None
    assert detect_language(" " * 2000 + "Überschwemmung in Köln") is None


def test_the_widened_table_scores_exactly_as_the_library_does() -> None:
    """``_identifier`` replaces the model's float16 table with a float32 copy, for speed only:
    every language's probability must be the library's own, to the bit, on long and short
    texts of several scripts (a py3langid release that scored otherwise would fail here)."""
    library = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    library.set_languages([label for label in library.labels if len(label) == 2])
    ours: Any = _identifier()  # rank() is not part of what the product uses
    assert ours.nb_ptc.dtype.name == "float32"
    texts = [text for text, _ in NEWS]
    texts += [" ".join(texts) * 3, "Überschwemmung in Köln", "Apple Google Nvidia"]
    for text in texts:
        assert ours.classify(text) == library.classify(text), text
        assert ours.rank(text) == library.rank(text), text


def test_the_automaton_forgets_its_start_within_its_memory() -> None:
    """``_Walk`` takes each byte's state to be the one reached from the start state over the
    ``_DFA_MEMORY`` bytes ending at it. Proved of the model shipped for every state and every
    string of that many bytes at once: the pairs (state from anywhere, state from the start)
    after reading the same bytes all meet by then (a model of longer n-grams fails here)."""
    ours: Any = _identifier()
    nextmove = np.asarray(ours.tk_nextmove).astype(np.int64)
    rowbase = np.asarray(ours._rowbase, dtype=np.int64)
    states = len(rowbase)
    pairs = np.stack([np.arange(states), np.zeros(states, dtype=np.int64)])
    for _ in range(_DFA_MEMORY):
        apart = []
        for byte in range(256):
            anywhere, start = nextmove[rowbase[pairs] + byte]
            differ = anywhere != start
            apart.append(np.unique(anywhere[differ] * states + start[differ]))
        keys = np.unique(np.concatenate(apart))
        pairs = np.stack([keys // states, keys % states])
    assert pairs.shape[1] == 0


@pytest.mark.parametrize("seed", range(4))
def test_the_walk_counts_the_features_the_library_does(seed: int) -> None:
    """The same features in the same order (the scores' sums follow it) as py3langid's own
    walk, on texts of every length up to past the automaton's memory and on raw bytes."""
    rng = random.Random(seed)
    ours: Any = _identifier()
    letters = (
        "abcdefghijklmnopqrstuvwxyzéüßçñ абвгджзийклмнопрстуфхц 国务院召开常务会議東京서울アパ .,\n"
    )
    texts = [
        "".join(rng.choice(letters) for _ in range(size)).encode()
        for size in [*range(12), *(rng.randrange(12, 3000) for _ in range(40))]
    ]
    texts += [rng.randbytes(rng.randrange(200)) for _ in range(40)]
    for text in texts:
        expected = visit_counts(ours.tk_nextmove, ours._rowbase, ours.tk_output, text)
        found = ours._walk.visits(text)
        assert found == expected
        assert list(found or ()) == list(expected or ())
