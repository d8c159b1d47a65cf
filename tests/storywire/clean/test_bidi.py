"""Bidi controls: overrides (which can spoof text) go; balanced embeddings and isolates, which
RTL text needs to show mixed-direction runs, stay; unbalanced ones go."""

from __future__ import annotations

import pytest

from storywire.clean import clean_title, html_to_text, sanitize_html

LRE, RLE, PDF, LRO, RLO = "\u202a", "\u202b", "\u202c", "\u202d", "\u202e"
LRI, RLI, FSI, PDI = "\u2066", "\u2067", "\u2068", "\u2069"
RLM, ALM = "\u200f", "\u061c"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (f"Invoice {RLO}gnp.exe", "Invoice gnp.exe"),  # shown as "Invoice exe.png"
        (f"Invoice {RLO}gnp{PDF}.exe", "Invoice gnp.exe"),
        (f"{LRO}שלום{PDF} עולם", "שלום עולם"),
        (f"{RLE}{RLO}abc{PDF} def{PDF}", f"{RLE}abc def{PDF}"),
    ],
)
def test_overrides_are_removed(source: str, expected: str) -> None:
    """LRO/RLO reorder the letters of a word; they (and the PDF that closed them) go."""
    assert html_to_text(f"<p>{source}</p>") == expected
    assert clean_title(source) == expected


@pytest.mark.parametrize(
    "text",
    [
        f"הודעה מאת {FSI}Reuters{PDI} היום",
        f"{RLE}مرحبا iPhone 15{PDF} قال",
        f"The minister, {RLI}בנימין נתניהו{PDI}, said",
        f"{RLI}{LRI}Bob{PDI} {LRI}Alice{PDI}{PDI}",
        f"שלום{RLM} 2024 مرحبا{ALM} 3",
        "نص عربي خالص بدون أي رموز تحكم",
    ],
)
def test_rtl_text_and_balanced_controls_stay(text: str) -> None:
    """Arabic and Hebrew are untouched; an embedding or isolate closed on its line, and the
    marks (RLM, ALM), are kept."""
    assert html_to_text(f"<p>{text}</p>") == text
    assert clean_title(text) == text


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (f"{RLE}مرحبا", "مرحبا"),
        (f"שלום{PDF}", "שלום"),
        (f"{FSI}Reuters{PDI}{PDI} x", f"{FSI}Reuters{PDI} x"),
        (f"{RLI}a {LRE}b{PDI} c{PDF}", f"{RLI}a {LRE}b{PDI} c"),
        (f"{LRI}one\ntwo{PDI}", "one\ntwo"),
        (f"{LRE}a {RLI}b {PDF}c", "a b c"),
    ],
)
def test_unbalanced_controls_are_removed(source: str, expected: str) -> None:
    """An embedding or isolate left open at the end of its line would leak into whatever text
    follows downstream; a closer that closes nothing is noise. Both go."""
    assert html_to_text(source) == expected
    assert html_to_text(expected) == expected


def test_sanitize_removes_overrides() -> None:
    """The sanitised HTML's text is repaired the same way."""
    assert sanitize_html(f"<p>Invoice {RLO}gnp.exe</p>") == "<p>Invoice gnp.exe</p>"
