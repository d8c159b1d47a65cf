"""Russian, Polish, Arabic, Ukrainian, Greek, Hebrew, Persian: inflected names and attached
clitics meet plain forms."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator

import pytest

from storywire.stories import background, features
from storywire.stories.background import have_background
from storywire.stories.features import words

from .morphology import ARTICLES, hindi_docs, morphology_docs
from .patching import features_patched
from .test_multilingual import _partition

pytestmark = pytest.mark.skipif(not have_background(), reason="wordfreq not installed")


def test_inflected_forms_share_a_feature() -> None:
    assert len(set(words("Москва, в Москве, из Москвы, Москву"))) == 2  # "из" stays
    assert words("Орск Орска Орске") == ["орск"] * 3
    assert words("Wrocław, we Wrocławiu, Wrocławia; Kłodzko, w Kłodzku") == [
        "wrocław", "wrocław", "wrocław", "kłodzk", "kłodzk",
    ]  # fmt: skip
    # The article, a conjunction with it, a preposition with it, and the hamza on the alef.
    assert len(set(words("الحريق والحريق بالحريق للحريق حريق"))) == 1
    assert len(set(words("الإسكندرية بالإسكندرية، والاسكندرية"))) == 1
    # Arabic-Indic and Persian digits are the same numbers as ASCII ones.
    assert words("٢٠٢٤ ۲۰۲۴ 2024 ١٢٫٥ 12.5 ١٬٢٠٠") == ["#2024"] * 3 + ["#12.5"] * 2 + ["#1200"]
    # Ukrainian endings for words with і ї є ґ; "Львова" (no such letter) takes the Russian
    # ones, and "Львові" keeps the "ов" it shares with it.
    assert words("у Львові, Львова, Львовом, Львову") == ["львов"] * 4
    assert words("Дніпро, у Дніпрі, Дніпра, Дніпром") == ["дніпр"] * 4
    assert words("рятувальники рятувальників Карпатмеблі Карпатмеблям") == [
        "рятувальник", "рятувальник", "карпатмебл", "карпатмебл",
    ]  # fmt: skip
    assert words("військові військовий") == ["військов"] * 2
    # Russian and Bulgarian never write those letters; Roman numerals in Cyrillic stay apart.
    assert words("ХVІІІ ХVІІ ХХІ ХХІІ") == ["хvііі", "хvіі", "ххі", "ххіі"]
    # Greek: no accents, final sigma as sigma, one case ending; the capitalised headline form
    # (no accents) is the same word, and so is a polytonic one.
    assert words("Αθήνα, στην Αθήνα, της Αθήνας, ΑΘΗΝΑ, ΑΘΗΝΑΣ, Ἀθηνᾶς") == [
        "αθην", "στην", "αθην", "τησ", "αθην", "αθην", "αθην", "αθην",
    ]  # fmt: skip
    assert words("Πειραιάς, του Πειραιά, ΠΕΙΡΑΙΑ") == ["πειρα", "του", "πειρα", "πειρα"]
    assert words("πυρκαγιά πυρκαγιάς πυρκαγιές ΠΥΡΚΑΓΙΑ") == ["πυρκαγ"] * 4
    assert words("Κάρυστος, την Κάρυστο, της Καρύστου") == [
        "καρυστ", "την", "καρυστ", "τησ", "καρυστ",
    ]  # fmt: skip
    assert words("σπίτι σπίτια σπιτιών εκκένωση εκκένωσης εκκενώσεις") == [
        "σπιτ", "σπιτ", "σπιτ", "εκκενωσ", "εκκενωσ", "εκκενωσ",
    ]  # fmt: skip
    # Hebrew: a prefix cluster goes when a word of the he list is left; acronyms in either
    # gershayim; "מ" (from) stays; "לבנון" keeps its "ל", "בלבנון" loses its "ב".
    assert words('בחיפה לחיפה חיפה והמשטרה המשטרה צה"ל צה״ל בצה"ל לבנון בלבנון מחיפה') == [
        "חיפה", "חיפה", "חיפה", "משטרה", "משטרה", 'צה"ל', 'צה"ל', 'צה"ל', "לבנון", "לבנון",
        "מחיפה",
    ]  # fmt: skip
    assert words("חֵיפָה בְּחֵיפָה השריפה שהשריפה") == ["חיפה"] * 2 + ["שריפה"] * 2  # no points
    # Persian: ی ک as ي ك, the joiner's suffixes and "می" go, attached plurals too; "وزیر" keeps
    # its "و" (Arabic "وزير" still loses it).
    assert words("ایران ايران خوی خوي روستاهای روستا روستاها") == [
        "ايران", "ايران", "خوي", "خوي", "روستا", "روستا", "روستاها",
    ]  # fmt: skip  # the last has no Persian letter: read as Arabic, its ها stays
    assert words("زمین\u200cلرزه\u200cای زمین\u200cلرزه می\u200cکنند کنند") == [
        "زمينلرزه", "زمينلرزه", "كنند", "كنند",
    ]  # fmt: skip
    assert words("وزیر وزير") == ["وزير", "زير"]
    # Latin words without Polish-only letters keep the old features (the prior knows them).
    assert words("Berichte próxima élève Straße companies") == [
        "berichte", "próxima", "élève", "straße", "company",
    ]  # fmt: skip


def test_greek_function_words_have_a_prior_and_headline_caps_are_no_names() -> None:
    assert min(background.word_rates(words("και το της στην για του"))) > 1e-3
    greek = _extract("ΦΩΤΙΑ ΣΤΗΝ ΠΕΝΤΕΛΗ", "Η φωτιά στην Πεντέλη καίει από το μεσημέρι.")
    assert "πεντελ" in greek.entities
    assert "φωτ" not in greek.entities  # "φωτιά" in the text: a word, not a name


ORDERS = 32  # arrival order and 31 shuffles


def _exact_orders(prefix: str) -> int:
    """In how many of ``ORDERS`` arrival orders the engine's stories are exactly the events."""
    exact = 0
    for seed in range(ORDERS):
        pairs = morphology_docs(prefix)
        if seed:
            random.Random(seed).shuffle(pairs)
        got, gold = _partition(pairs)
        exact += got == gold
    return exact


@pytest.mark.parametrize("language", ["ru", "pl", "ar", "uk", "el", "he", "fa"])
def test_each_language_clusters_by_event_in_every_order(language: str) -> None:
    """Three events per language, two of one kind, three reports each (Ukrainian: two events,
    four and five reports): every report joins its own event's story and no other, whatever
    the arrival order."""
    assert _exact_orders(language) == ORDERS


def test_all_languages_in_one_stream_cluster_by_event() -> None:
    """All 63 reports in one stream: every order is exact (45 reports before Hebrew and
    Persian: 0 with exact words; 29 while the single digits of Arabic reports were dropped,
    see the next test; 0 without the Ukrainian endings and 5 with Greek as other words; with
    Hebrew as exact words 13 of 32, see the last tests)."""
    assert _exact_orders("") == ORDERS


def _extract(title: str, text: str) -> features.DocFeatures:
    return features.extract(title, text, title_weight=2.0, body_words=200, shingle=4, sketch_k=32)


def test_single_digits_are_figures_in_arabic_reports_only() -> None:
    """Arabic news writes "5 workers" in digits, English style spells it out. Without the
    digit, the Alexandria fire's investigation report (no names: no capitals) joined the Zarqa
    fire in 3 of 32 orders on "fire" and "factory" alone."""
    arabic = _extract("إصابة 5 عمال في حريق مصنع", "أصيب 5 عمال، ونقل ٣ منهم إلى المستشفى.")
    assert {"#5", "#3"} <= arabic.entities
    english = _extract("5 workers hurt in factory fire", "At 7 am, 5 workers were hurt.")
    assert not {e for e in english.entities if e.startswith("#")}


def _never(first: str) -> bool:
    return False


@pytest.fixture
def exact_words() -> Iterator[None]:
    """Features as they were: ``stem()`` for every script, no prior for other scripts."""
    with features_patched(
        (features, "_morph", features.stem),
        (features, "_is_greek", _never),
        (background, "_SCRIPT_LANGS", ()),
    ):
        yield


@pytest.mark.usefixtures("exact_words")
def test_exact_words_left_reports_apart() -> None:
    """The control: with exact words, reports in arrival order start stories of their own
    (the three Orsk flood reports share too few word forms: 21 stories for 14 events)."""
    got, gold = _partition(morphology_docs())
    assert len(got) > len(gold)


@pytest.fixture
def russian_endings_only() -> Iterator[None]:
    """Ukrainian words trimmed by the Russian endings, as before the Ukrainian rule."""
    with features_patched((features, "_UK_LETTERS", re.compile("(?!)"))):  # matches nothing
        yield


@pytest.mark.usefixtures("russian_endings_only")
def test_russian_endings_left_the_later_lviv_reports_apart() -> None:
    """The control: "у Львові" stays "львові" and "Карпатмеблям" meets neither "Карпатмеблі"
    nor "Карпатмеблів", so the two Lviv reports that name the city as "Львова" and "Львовом"
    start a story of their own (they did in all 32 orders)."""
    got, gold = _partition(morphology_docs("uk"))
    assert len(got) > len(gold)


@pytest.fixture
def greek_as_other_words() -> Iterator[None]:
    """Greek words through ``stem()`` with their accents, and no Greek prior, as before."""
    langs = tuple(lang for lang in background._SCRIPT_LANGS if lang != "el")
    with features_patched((features, "_is_greek", _never), (background, "_SCRIPT_LANGS", langs)):
        yield


@pytest.mark.usefixtures("greek_as_other_words")
def test_greek_exact_words_left_reports_apart() -> None:
    """The control: "Πεντέλη" and "Πεντέλης", "πυρκαγιά" and "πυρκαγιάς", "ΦΩΤΙΑ" and "φωτιά"
    stay apart and "και", "της", "για" weigh like names: an event's reports started more than
    one story in 30 of 32 orders (mostly the wildfires), and no story mixed events."""
    assert _exact_orders("el") < ORDERS


@pytest.fixture
def hebrew_as_other_words() -> Iterator[None]:
    """Hebrew words through ``stem()`` with their prefixes, and no he prior, as before."""
    langs = tuple(lang for lang in background._SCRIPT_LANGS if lang != "he")
    with features_patched(
        (features, "_hebrew", features.stem), (background, "_SCRIPT_LANGS", langs)
    ):
        yield


@pytest.mark.usefixtures("hebrew_as_other_words")
def test_hebrew_exact_words_left_reports_apart() -> None:
    """The control: "בחיפה" and "חיפה", "השריפה" and "שריפה", "ביער" and "יער" stay apart and
    "של", "את", "על" weigh like names: an event's reports started more than one story in 21
    of 32 orders, and no story mixed events."""
    assert _exact_orders("he") < ORDERS


_OLD_AR_FOLD = {k: v for k, v in features._AR_FOLD.items() if k not in (0x06CC, 0x06A9, 0x06C0)}


@pytest.fixture
def persian_as_arabic() -> Iterator[None]:
    """Persian words through the Arabic rule without the Persian fold, and no fa prior."""
    langs = tuple(lang for lang in background._SCRIPT_LANGS if lang != "fa")
    with features_patched(
        (features, "_FA_LETTERS", re.compile("(?!)")),
        (features, "_AR_FOLD", str.maketrans(_OLD_AR_FOLD)),
        (background, "_SCRIPT_LANGS", langs),
    ):
        yield


def _shared(a: str, b: str) -> float:
    wa, wb = set(words(a)), set(words(b))
    return len(wa & wb) / len(wa | wb)


def _khoy_reports() -> tuple[str, str]:
    """The Khoy earthquake's first report and its third, typed with Arabic ي and ك."""
    texts = [t + " " + b for label, t, b in ARTICLES if label == "fa-quake-khoy"]
    return texts[0], texts[2]


def test_persian_spellings_share_their_words() -> None:
    persian, arabic_letters = _khoy_reports()
    assert _shared(persian, arabic_letters) > 0.2  # 0.20; 0.15 without the rule


@pytest.mark.usefixtures("persian_as_arabic")
def test_persian_as_arabic_kept_spellings_apart() -> None:
    """The control: without the Persian rule the two keyboards' "خوی" and "خوي", "زمین‌لرزه"
    and "زمين‌لرزه" are different words: the reports share 0.15 of their words, not 0.20. (On the
    fixture's clustering the rule changes nothing: the reports share enough figures.)"""
    persian, arabic_letters = _khoy_reports()
    assert _shared(persian, arabic_letters) < 0.16


def test_hindi_words_end_at_the_danda_and_function_words_have_a_prior() -> None:
    assert words("घायल हुए हैं। रेलवे ने जांच के आदेश दिए हैं॥") == [
        "घायल", "हुए", "हैं", "रेलवे", "ने", "जांच", "के", "आदेश", "दिए", "हैं",
    ]  # fmt: skip
    assert min(background.word_rates(words("के में की से है"))) > 1e-3


def _hindi_stories() -> set[frozenset[int]]:
    """The stories of ``HINDI`` in every one of ``ORDERS`` orders, as sets of article indexes
    (one partition when every order gives the same)."""
    found: set[frozenset[int]] = set()
    for seed in range(ORDERS):
        pairs = hindi_docs()
        if seed:
            random.Random(seed).shuffle(pairs)
        got, _ = _partition(pairs)
        found |= {frozenset(int(doc.removeprefix("morph-hi")) for doc in story) for story in got}
    return found


def test_hindi_reports_cluster_by_event_but_one() -> None:
    """In every order: no story mixes events; the Balasore crash and the Lucknow metro are one
    story each, and so are the first and third Buxar reports. The Buxar rescue report (1) starts
    its own (see ``HINDI``)."""
    assert _hindi_stories() == {
        frozenset({0, 2}), frozenset({1}), frozenset({3, 4, 5}), frozenset({6, 7, 8}),
    }  # fmt: skip


def test_without_the_hindi_prior_the_first_buxar_reports_fell_apart() -> None:
    """The control: "के", "में", "की" weighed like names, and the first and third Buxar reports
    were two stories in 15 of 32 orders."""
    langs = tuple(lang for lang in background._SCRIPT_LANGS if lang != "hi")
    with features_patched((background, "_SCRIPT_LANGS", langs)):
        assert frozenset({0}) in _hindi_stories()
