"""RFC 822 feed dates that feedparser misreads: localised names and common zone abbreviations.

feedparser's RFC 822 parser knows English day and month names and the US zone names only.
German, French, Spanish, Italian, Dutch and Portuguese CMSs write ``Do, 26 Nov 2026``,
``ven., 27 nov. 2026`` or ``27 Okt 2026``, which it rejects (the entry then gets the fetch
time), and a zone such as CET, BST or JST it silently reads as UTC, hours off, often into the
future (then clamped to the fetch time as well). ``localized_rfc822`` is registered as a
feedparser date handler by ``storywire.feeds``, so both parse paths use it; it answers only
for dates that need it and returns None for everything else, which feedparser reads as before.
"""

from __future__ import annotations

import time
import unicodedata
from typing import Final

from feedparser.datetimes import rfc822

_ENGLISH_MONTHS: Final = "jan feb mar apr may jun jul aug sep oct nov dec".split()
# Abbreviations and full names, lower-cased, accents and trailing dots removed.
_MONTHS: Final = {
    name: number
    for number, names in enumerate(
        (
            "jan january januar janv janvier ene enero gen gennaio janeiro",
            "feb february februar fevr fevrier febrero febbraio fev fevereiro",
            "mar march marz mrz mars marzo mrt maart marco",
            "apr april avr avril abr abril aprile",
            "may mai mayo mag maggio mei maio",
            "jun june juni juin junio giu giugno junho",
            "jul july juli juil juillet julio lug luglio julho",
            "aug august aout ago agosto",
            "sep sept september septembre septiembre set settembre setembro",
            "oct october okt oktober octobre octubre ott ottobre out outubro",
            "nov november novembre noviembre novembro",
            "dec december dez dezember decembre dic diciembre dicembre dezembro",
        ),
        start=1,
    )
    for name in names.split()
}
# Offsets in minutes. IST is read as India's (its news sites use it; Ireland's and Israel's
# feeds write numeric offsets in practice).
_ZONES: Final = {
    "cet": 60, "cest": 120, "wet": 0, "west": 60, "eet": 120, "eest": 180, "bst": 60,
    "ist": 330, "msk": 180, "sast": 120, "cat": 120, "eat": 180, "wat": 60, "pkt": 300,
    "wib": 420, "ict": 420, "hkt": 480, "sgt": 480, "pht": 480, "awst": 480, "jst": 540,
    "kst": 540, "acst": 570, "acdt": 630, "aest": 600, "aedt": 660, "nzst": 720,
    "nzdt": 780, "akst": -540, "akdt": -480, "hst": -600, "nst": -210, "ndt": -150,
}  # fmt: skip


def _plain(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.lower().strip(".,"))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def localized_rfc822(date: str) -> time.struct_time | None:
    """``date`` in UTC when it is RFC 822 with names feedparser does not know; else None."""
    words = date.split()
    foreign_day = False
    if words and not words[0][:1].isdigit():
        # A day name, in whatever language: the date says the same without it.
        foreign_day = words[0][:3].lower() not in rfc822.day_names
        words = words[1:]
    if len(words) < 3 or not words[0].isdigit():
        return None
    month = _MONTHS.get(_plain(words[1]))
    if month is None:
        return None
    english = _ENGLISH_MONTHS[month - 1]
    zone = _plain(words[4]) if len(words) > 4 else ""
    offset = None if zone in rfc822.timezone_names else _ZONES.get(zone)
    if not foreign_day and offset is None and words[1][:3].lower() == english:
        return None  # feedparser reads it right
    fields = [words[0], english, *words[2:4]]
    if offset is not None:
        sign = "-" if offset < 0 else "+"
        fields.append(f"{sign}{abs(offset) // 60:02d}{abs(offset) % 60:02d}")
    else:
        fields += words[4:5]
    parsed: time.struct_time | None = rfc822._parse_date_rfc822(" ".join(fields))
    return parsed
