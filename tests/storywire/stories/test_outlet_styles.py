"""What differs between outlets' house styles is one feature, in documents and in the prior:
British and American spellings, romanised Slavic names, dotted acronyms, abbreviated months
and titles, ordinals, amounts with a scale letter, European number formats; and a dateline's
chrome is none."""

from __future__ import annotations

import itertools

import pytest
from wordfreq import word_frequency

from storywire.stories import Doc, background, features
from storywire.stories.background import have_background
from storywire.stories.features import us_spellings, words

from .patching import features_patched
from .test_multilingual import _partition

pytestmark = pytest.mark.skipif(not have_background(), reason="wordfreq not installed")


def test_british_spellings_are_american_features() -> None:
    assert words("jewellery defence centres theatre programme organised colour neighbours") == [
        "jewelry", "defense", "center", "theater", "program", "organized", "color", "neighbor",
    ]  # fmt: skip
    assert words("travelled cancelling analysed licence catalogue kilometres") == [
        "traveled", "canceling", "analyzed", "license", "catalog", "kilometer",
    ]  # fmt: skip


def test_words_that_only_look_british_keep_their_form() -> None:
    # Short stems ("four"/"for", "filled"/"filed"), words English has and the American form
    # does not ("advise", "exercise", "surprise"), and Spanish/French words ("entre", "sobre").
    kept = "four hour tour filled killed advise exercise surprise entre sobre libre fence"
    assert [us_spellings().get(word, word) for word in kept.split()] == kept.split()
    assert all(k.isascii() and v.isascii() for k, v in us_spellings().items())


def test_romanised_slavic_names_are_one_feature() -> None:
    # Reuters, AP and the BBC; a possessive; "-skyi" (Syrskyi); English words keep theirs.
    assert words("Zelenskiy Zelenskyy Zelensky Zelenskyy's Syrskyi Syrsky whisky risky") == [
        "zelensky", "zelensky", "zelensky", "zelensky", "syrsky", "syrsky", "whisky", "risky",
    ]  # fmt: skip


def test_dotted_and_plain_acronyms_are_one_feature() -> None:
    # AP's "U.K." and the BBC's "UK"; "U.S." is "US", a stopword as "us" is, in both styles.
    assert words("U.K. UK U.N. UN U.S. US") == ["uk", "uk", "un", "un"]
    assert features.names("talks at the U.N. and at UN headquarters") == {"un"}


def test_ap_abbreviations_are_the_words() -> None:
    assert words("Sgt. Ruiz and Lt. Gov. Newsom") == [
        "sergeant", "ruiz", "lieutenant", "governor", "newsom",
    ]  # fmt: skip


def test_abbreviated_months_are_the_months() -> None:
    # AP's "Nov. 12" and the BBC's "12 November"; "Jan", "Mar", "Jun" are names or a verb.
    assert words("Nov. 12 November Sept. 3 Sep Dec. Feb Aug. Jan. Mar Jun") == [
        "november", "#12", "november", "september", "september", "december", "february",
        "august", "jan", "mar", "jun",
    ]  # fmt: skip
    assert {"november", "#12"} <= features.extract(
        "Talks resume Nov. 12", "", title_weight=2.0, body_words=200, shingle=4, sketch_k=32
    ).entities


def test_ordinals_are_their_numbers() -> None:
    # "12th November" and "November 12"; single digits carry nothing either way.
    assert words("12th November, November 12, 21st century, 1st 3rd") == [
        "#12", "november", "november", "#12", "#21", "century",
    ]  # fmt: skip


def test_amounts_with_a_scale_letter_are_their_numbers() -> None:
    # "$2.6m" and "$2.6 million"; "300k"; pounds and euros stay out (see docs/stories.md).
    assert words("$2.6m $2.6 million $4.1bn 300k 10km £1.7m") == [
        "#2.6", "#2.6", "million", "#4.1", "#300",
    ]  # fmt: skip


def test_european_number_formats_are_the_english_numbers() -> None:
    # A German report's "1.200" and "2,6" are an English one's "1,200" and "2.6"; English
    # decimals and "10.30" (a time) keep their point, "3,500" is still 3500.
    assert words("1.200 Gefangene, 2,6 Millionen; 1,200 prisoners, 2.6 million") == [
        "#1200", "gefangene", "#2.6", "millionen", "#1200", "prisoner", "#2.6", "million",
    ]  # fmt: skip
    assert words("10.30 1.5 3,500 12.000.000") == ["#10.30", "#1.5", "#3500", "#12000000"]


def test_superscript_and_subscript_digits_are_digits() -> None:
    """Cleaning writes <sub>/<sup> numbers as the characters readers see ("CO₂"); an outlet
    whose feed has no markup writes "CO2": one feature, and one copy sketch."""
    marked = features.extract(
        "CO₂ levels hit record", "Emissions of CO₂ rose by 10³ tonnes, officials said¹.",
        title_weight=2.0, body_words=200, shingle=4, sketch_k=32,
    )  # fmt: skip
    plain = features.extract(
        "CO2 levels hit record", "Emissions of CO2 rose by 103 tonnes, officials said1.",
        title_weight=2.0, body_words=200, shingle=4, sketch_k=32,
    )  # fmt: skip
    assert "co2" in marked.terms
    assert marked.terms == plain.terms
    assert marked.sketch == plain.sketch


def test_dateline_chrome_is_no_feature() -> None:
    # Two outlets' datelines for unrelated events used to share "updated" and "gmt".
    assert words("9 September 2013 Last updated at 14:39 GMT") == [
        "september", "#2013", "#14", "#39",
    ]  # fmt: skip
    assert words("Posted 11/27/2005 7:21 AM, published 28 November 2005 02:24 UTC") == [
        "#11", "#27", "#2005", "#21", "#28", "november", "#2005", "#24",
    ]  # fmt: skip


def test_news_agency_credits_are_no_feature() -> None:
    # Every item of a wire's feed credits it: as a name, "Reuters" made unrelated items alike.
    lead = "BAKU, Nov 25 (Reuters) - Azerbaijan released eight Armenian detainees"
    assert "reuter" not in words(lead)
    assert "reuter" not in features.names(lead)
    assert words("(AP) \u2014 Rescuers reached the village, AFP and dpa reported") == [
        "rescuer", "reached", "village",
    ]  # fmt: skip


def test_the_prior_counts_both_spellings_as_one_feature() -> None:
    prior = background._load()
    assert "centre" not in prior
    assert "jewellery" not in prior
    assert prior["center"] >= word_frequency("center", "en") + word_frequency("centre", "en")


def _heists() -> list[tuple[str, Doc]]:
    """A US and a UK outlet's reports of one Paris heist, and another city's heist: the two
    Paris reports share few words but the ones spelt two ways."""

    def doc(n: int, title: str, text: str) -> Doc:
        return Doc(id=f"d{n}", title=title, text=text, published=None, outlet=f"o{n}", url=None)

    return [
        ("paris", doc(1, "Robbers hit jewelry store at Paris shopping center",
                      "Armed robbers hit a jewelry store at a shopping center in Paris on Tuesday "
                      "and fled with jewelry worth $1 million. The organized gang escaped on "
                      "motorcycles, police said.")),
        ("lyon", doc(2, "Scooter gang robs Lyon jeweler",
                     "Three men on scooters robbed a jeweler in Lyon's Part-Dieu district on "
                     "Friday, smashing display cases with hammers.")),
        ("paris", doc(3, "Organised gang raids jewellery shop in centre",
                      "An organised gang raided a jewellery shop in a shopping centre and "
                      "escaped on motorbikes with jewellery worth £800,000.")),
    ]  # fmt: skip


def test_a_british_report_joins_the_american_story() -> None:
    for order in itertools.permutations(_heists()):
        got, gold = _partition(list(order))
        assert got == gold


def test_without_the_fold_the_british_report_stood_apart() -> None:
    def nothing() -> dict[str, str]:
        return {}

    with features_patched((features, "us_spellings", nothing)):  # the prior reads it too
        got, gold = _partition(_heists())
    assert got != gold
