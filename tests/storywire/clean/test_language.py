"""Offline language detection: ISO 639-1 codes, None when unsure."""

from __future__ import annotations

import pytest

from storywire.clean import detect_language


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("The government announced on Tuesday that it would raise interest rates.", "en"),
        ("Le gouvernement a annoncé mardi qu'il allait relever les taux d'intérêt.", "fr"),
        ("Die Regierung kündigte am Dienstag an, die Zinsen zu erhöhen.", "de"),
        ("El gobierno anunció el martes que subiría los tipos de interés.", "es"),
        ("Il governo ha annunciato martedì che alzerà i tassi di interesse.", "it"),
        ("Правительство объявило во вторник, что повысит процентные ставки.", "ru"),
        ("政府周二宣布将提高利率以遏制通货膨胀，通胀已达到十年来的最高水平。", "zh"),
        ("政府は火曜日、インフレを抑制するため、金利を引き上げると発表した。", "ja"),
        ("أعلنت الحكومة يوم الثلاثاء أنها سترفع أسعار الفائدة للحد من التضخم.", "ar"),
    ],
)
def test_detects_news_languages(text: str, code: str) -> None:
    """A sentence of news copy is enough for the common news languages."""
    assert detect_language(text) == code


@pytest.mark.parametrize("text", ["", "Hello", "12,345 - 67", "Apple Google Nvidia", "!!! ???"])
def test_unsure_is_none(text: str) -> None:
    """Too little text (or only names and numbers) gives None rather than a guess."""
    assert detect_language(text) is None


def test_the_letter_floor_counts_letters_only_at_the_start() -> None:
    """20 letters are enough to be judged, 19 are not (though the model would be sure of these:
    0.94 and 0.91); digits and spaces do not count, and a letter past the first 2,000
    characters is not read."""
    assert detect_language("Überschwemmung in Köln") == "de"  # 20 letters
    assert detect_language("Überschwemmung in Köl") is None
    assert detect_language("1 2 3 Die Überschwemmungen 4 5") is None
    assert detect_language(" " * 2000 + "Überschwemmung in Köln") is None
