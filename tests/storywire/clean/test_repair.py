"""``repair`` takes a shortcut for ASCII text without "&"; it must say what the full steps say."""

from __future__ import annotations

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storywire.clean import clean_title, html_to_text
from storywire.clean.repair import decode_leftover_entities, fix_mojibake, nfc, repair, tidy


def every_step(text: str) -> str:
    return nfc(tidy(fix_mojibake(tidy(decode_leftover_entities(text), keep_c1=True))))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "plain words",
        "line\r\nbreaks\rand\x0bvertical\x0ctabs",
        "controls\x00\x07\x1b\x7f gone, \t tab kept",
        "AT&T and ?a=1&copy=2",
        "&amp;amp; &amp;#8217;",
        "caf\u00c3\u00a9",  # mojibake, not ASCII
        "\u202egnp.exe",
    ],
)
def test_repair_is_every_step(text: str) -> None:
    assert repair(text) == every_step(text)


@settings(max_examples=500, deadline=None)
@given(st.text(st.sampled_from(string.printable + "\x00\x01\x0b\x0c\x0e\x1f\x7f&;#"), max_size=40))
def test_ascii_text_repaired_as_every_step_repairs_it(text: str) -> None:
    assert repair(text) == every_step(text)


@pytest.mark.parametrize(
    "word",
    [
        "\u0d05\u0d35\u0d28\u0d4d\u200d",  # Malayalam അവന്‍ "he", its chillu ന്‍ (ൻ) before ZWJ-less fonts
        "\u0d21\u0d32\u0d4d\u200d\u0d39\u0d3f",  # ഡല്‍ഹി, the chillu inside the word
        "\u0d15\u0d47\u0d30\u0d33\u0d24\u0d4d\u0d24\u0d3f\u0d32\u0d4d\u200d",  # …ത്തില്‍
        "\u0915\u094d\u200d",  # Devanagari क्‍, a half form written alone
    ],
)
def test_a_joiner_after_a_virama_is_kept_at_a_words_end(word: str) -> None:
    """A ZWJ after a virama asks for the letter's joined form (Malayalam's chillu: "അവന്‍"
    "he") whatever follows it: removed before a space or a comma, "അവന്‍" read "അവന്" "to
    him", another word, in Manorama's and Mathrubhumi's text and titles."""
    for after in ("", " \u0d35\u0d28\u0d4d\u0d28\u0d41", ", ", ".", "\n"):
        assert repair(word + after) == word + after
    assert html_to_text(f"<p>{word} \u0d35\u0d28\u0d4d\u0d28\u0d41.</p>").startswith(word + " ")
    assert (
        clean_title(f"{word} \u0d35\u0d28\u0d4d\u0d28\u0d41")
        == f"{word} \u0d35\u0d28\u0d4d\u0d28\u0d41"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("word\u200d next", "word next"),  # after ASCII: no shaping to ask for
        ("\u0d05\u0d35\u0d28\u200d next", "\u0d05\u0d35\u0d28 next"),  # a letter, then a space
        ("\U0001f468\u200d done", "\U0001f468 done"),  # half an emoji sequence
        ("\u200d\u0d05", "\u0d05"),
    ],
)
def test_a_stray_joiner_still_goes(text: str, expected: str) -> None:
    """A joiner with nothing to join on one side and no virama before it is noise."""
    assert repair(text) == expected
