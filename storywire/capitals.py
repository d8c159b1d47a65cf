"""Capital letters of every cased script as a regex class: Python's re has no ``\\p{Lu}``, and
``[A-Z]`` reads "Édouard Philippe" as "Philippe" and a Cyrillic or Greek name as no name."""

from __future__ import annotations

import re
import unicodedata
from typing import Final


def _capital_ranges() -> str:
    """The body of a character class holding every upper- and title-case letter of the Basic
    Multilingual Plane (Unicode categories Lu and Lt: Latin, Greek, Cyrillic, Armenian,
    Georgian, Cherokee, Glagolitic, full-width A-Z…) as some 600 ranges, built once per process
    (10-30 ms). The other planes' cased scripts (Deseret, Osage, Adlam) are left out: reading
    every plane took half a second."""
    ranges: list[list[int]] = []
    for code in range(0x10000):
        if unicodedata.category(chr(code)) in ("Lu", "Lt"):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])
    return "".join(
        re.escape(chr(first)) + ("" if first == last else "-" + re.escape(chr(last)))
        for first, last in ranges
    )


CAPITALS: Final = _capital_ranges()
