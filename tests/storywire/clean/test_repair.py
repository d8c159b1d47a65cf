"""``repair`` takes a shortcut for ASCII text without "&"; it must say what the full steps say."""

from __future__ import annotations

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
