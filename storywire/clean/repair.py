"""Text repair: double-escaped entities, mojibake, invisible characters, NFC.

Every step is cheap on clean text (a regex scan that finds nothing), because most feed text is
clean: ftfy is the right tool for mojibake but costs ~0.5 ms per KB of non-ASCII text, so it only
runs where a quick scan sees the fingerprint of UTF-8 read as Windows-1252 or Latin-1.
"""

from __future__ import annotations

import html
import re
import unicodedata
from typing import Final

import ftfy

# An entity that survived one decoding pass, so the text was escaped twice (``&amp;amp;``).
# Only the strict form with a semicolon: "AT&T" or "?a=1&copy=2" in prose stay as they are.
_ENTITY: Final = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")

# UTF-8 lead byte read as cp1252/latin-1 (Â..ô) followed by a continuation byte read the same
# way, a stray C1 control (cp1252 bytes read as latin-1), or cp1251's "вЂ": ftfy decides.
# Three searches, because one alternation of them scans ~10x slower than each alone.
_MOJIBAKE_PAIR: Final = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6"
    "\u02dc\u2013\u2014\u2018-\u201a\u201c-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a"
    "\u20ac\u2122]"
)
_C1: Final = re.compile("[\u0080-\u009f]")


def _looks_like_mojibake(text: str) -> bool:
    return bool(_MOJIBAKE_PAIR.search(text) or _C1.search(text) or "\u0432\u0402" in text)


_FTFY: Final = ftfy.TextFixerConfig(
    unescape_html=False,  # entities are ours to decode, exactly where we mean to
    uncurl_quotes=False,  # typographic quotes are kept
    explain=False,
)

# Invisible or meaningless characters: C0/C1 controls (not \t \n), DEL, soft hyphen, zero-width
# space, word joiner, BOM, Mongolian vowel separator, private-use (icon-font glyphs; also the
# markers the HTML walker uses), lone surrogates (they cannot be encoded as UTF-8).
_INVISIBLE: Final = re.compile(
    "[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\u00ad\u180e\u200b\u2060\ufeff\ue000-\uf8ff\ud800-\udfff\ufffe\uffff]+"
)
# The same less the C1 controls, which ftfy reads as cp1252 bytes ("\x92" is U+2019).
_INVISIBLE_BUT_C1: Final = re.compile(
    "[\x00-\x08\x0b\x0e-\x1f\x7f\u00ad\u180e\u200b\u2060\ufeff\ue000-\uf8ff\ud800-\udfff\ufffe\uffff]+"
)
# ZWJ/ZWNJ shape Persian, Indic scripts and emoji: kept between two such characters, and after
# a virama whatever follows (a word's last letter in its joined form: Malayalam's chillu).
_JOINERS: Final = re.compile("[\u200c\u200d]+")
_VIRAMA: Final = 9  # the canonical combining class of the Indic viramas
_TIDY_HINT: Final = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u180e\u200b-\u200d\u2028\u2029\u202a-\u202e\u2060"
    "\u2066-\u2069\ufeff\ue000-\uf8ff\ud800-\udfff\ufffe\uffff]"
)
# Bidi controls. Overrides (LRO, RLO) show the letters of a word in another order than they
# are read ("gnp.exe" shown as "exe.png"): removed, with the PDF that closes them. Embeddings
# (LRE, RLE ... PDF) and isolates (LRI, RLI, FSI ... PDI) are how plain text shows a Latin name
# inside Arabic or Hebrew (or the reverse) in the right place: kept when closed on their line,
# removed when left open (they would run on into whatever text follows them downstream) or
# when they close nothing. The marks (LRM, RLM, ALM) are kept: they reorder nothing.
_BIDI: Final = re.compile("[\u202a-\u202e\u2066-\u2069]")
_OVERRIDES: Final = "\u202d\u202e"
_ISOLATES: Final = "\u2066\u2067\u2068"
_PDF: Final = "\u202c"
_PDI: Final = "\u2069"
_LINE_BREAKS: Final = re.compile("\r\n?|[\u2028\u0085\x0b\x0c]")


def _decode_entity(match: re.Match[str]) -> str:
    return html.unescape(match.group())


def decode_leftover_entities(text: str) -> str:
    """Decode entities left in already-decoded text, however often they were escaped."""
    while "&" in text:
        decoded = _ENTITY.sub(_decode_entity, text)
        if decoded == text:
            break
        text = decoded
    return text


def _joiner(match: re.Match[str]) -> str:
    text, start, end = match.string, match.start(), match.end()
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    if unicodedata.combining(before) == _VIRAMA:
        # "അവന്‍" ("he") ends in a chillu, asked for by the ZWJ before the space; without it
        # the word shows its virama and reads "അവന്" ("to him").
        return match.group()
    if before.isascii() or before.isspace() or after.isascii() or after.isspace():
        return ""
    return match.group()


def _bidi_line(line: str) -> str:
    """``line`` with its overrides and unbalanced bidi controls removed.

    Pairs are matched as the Unicode Bidirectional Algorithm (UAX #9, X1-X8) matches them: a
    PDF closes the innermost embedding or override unless an isolate is open inside it; a PDI
    closes the innermost isolate and whatever is still open inside it.
    """
    kept: set[int] = set()
    open_: list[int] = []  # positions of open initiators, innermost last
    for match in _BIDI.finditer(line):
        char, at = match.group(), match.start()
        if char == _PDF:
            if open_ and line[open_[-1]] not in _ISOLATES:
                start = open_.pop()
                if line[start] not in _OVERRIDES:  # an override goes, and its PDF with it
                    kept.update((start, at))
        elif char == _PDI:
            isolates = [i for i, start in enumerate(open_) if line[start] in _ISOLATES]
            if isolates:
                closed = open_[isolates[-1] :]
                del open_[isolates[-1] :]
                kept.update(start for start in closed if line[start] not in _OVERRIDES)
                kept.add(at)
        else:
            open_.append(at)
    return _BIDI.sub(lambda m: m.group() if m.start() in kept else "", line)


def _balanced_bidi(text: str) -> str:
    return "\n".join(_bidi_line(line) if _BIDI.search(line) else line for line in text.split("\n"))


def tidy(text: str, *, keep_c1: bool = False) -> str:
    """Line breaks of every kind as ``\\n`` (U+2029 as a blank line), invisible characters gone,
    bidi overrides and unbalanced bidi controls gone.

    ``keep_c1`` keeps C1 controls for a later ``fix_mojibake``.
    """
    if not _TIDY_HINT.search(text):
        return text
    text = _LINE_BREAKS.sub("\n", text).replace("\u2029", "\n\n")
    text = (_INVISIBLE_BUT_C1 if keep_c1 else _INVISIBLE).sub("", text)
    if "\u200c" in text or "\u200d" in text:
        text = _JOINERS.sub(_joiner, text)
    return _balanced_bidi(text) if _BIDI.search(text) else text


def fix_mojibake(text: str) -> str:
    """ftfy's repair where the text shows a fingerprint of mojibake; ``text`` itself otherwise."""
    if not _looks_like_mojibake(text):
        return text
    # Line by line, so ftfy's cost (~0.5 ms/KB) is paid only where the fingerprint is.
    return "\n".join(
        ftfy.fix_text(line, _FTFY) if _looks_like_mojibake(line) else line
        for line in text.split("\n")
    )


def nfc(text: str) -> str:
    """Unicode NFC, skipping the copy when the text already is."""
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def repair(text: str) -> str:
    """Decode leftover entities, fix mojibake, drop invisible characters, normalise to NFC."""
    if text.isascii() and "&" not in text:
        # Most text nodes (sanitize_html repairs each): no entity to decode, no mojibake (its
        # fingerprints are not ASCII), NFC already, and one tidy leaves nothing for a second.
        return tidy(text)
    return nfc(tidy(fix_mojibake(tidy(decode_leftover_entities(text), keep_c1=True))))
