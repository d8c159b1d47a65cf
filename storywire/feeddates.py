"""RFC 822 feed dates that feedparser misreads: localised names and common zone abbreviations.

feedparser's RFC 822 parser knows English day and month names and the US zone names only.
German, French, Spanish, Italian, Dutch and Portuguese CMSs write ``Do, 26 Nov 2026``,
``ven., 27 nov. 2026`` or ``27 Okt 2026``, which it rejects (the entry then gets the fetch
time), and a zone such as CET, MEZ, BST or JST it silently reads as UTC, hours off, often into
the future (then clamped to the fetch time as well). An offset glued to GMT or UTC with hours
only (Xinhua's ``GMT+8``) it rejects, and ``UTC+8`` it reads as UTC; a 12-hour clock
(``9:30 PM EST``) it reads as 09:30 UTC, the AM/PM taken for the zone. ``localized_rfc822``
is registered as a feedparser date handler by ``storywire.feeds``, so both parse paths use
it; it answers only for dates that need it and returns None for everything else, which
feedparser reads as before. ``numeric_date`` does the same for numeric dates (year first,
day first with dots, Unix time) and month-first US ones, and
``zoneless`` tells a time written with no zone, which a source's ``timezone`` then places.
"""

from __future__ import annotations

import re
import time
import unicodedata
from datetime import datetime, timedelta
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
    "mez": 60, "mesz": 120, "art": -180, "brt": -180, "idt": 180,
}  # fmt: skip
# GMT+8, UTC+05:30, UTC-3, +8: an offset feedparser cannot read, or reads as UTC.
_GLUED_OFFSET: Final = re.compile(r"(?:gmt|utc|ut)?([+-])(\d{1,2})(?::?(\d{2}))?")


def _plain(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.lower().strip(".,"))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _offset(zone: str) -> int | None:
    """Minutes east of UTC for a zone feedparser misreads; None for one it reads right."""
    if zone in rfc822.timezone_names:
        return None
    if zone in _ZONES:
        return _ZONES[zone]
    glued = _GLUED_OFFSET.fullmatch(zone)
    if glued is None:
        return None
    sign, hours, minutes = glued.groups()
    if int(hours) > 14 or int(minutes or 0) > 59:
        return None
    offset = int(hours) * 60 + int(minutes or 0)
    return -offset if sign == "-" else offset


def _twenty_four_hour(clock: str, meridiem: str) -> str | None:
    hour, colon, rest = clock.partition(":")
    if not hour.isdigit() or not colon or not 1 <= int(hour) <= 12:
        return None
    return f"{int(hour) % 12 + (12 if meridiem == 'pm' else 0):02d}:{rest}"


def localized_rfc822(date: str) -> time.struct_time | None:
    """``date`` in UTC when it is RFC 822 with names feedparser does not know; else None."""
    words = date.split()
    glued = bool(words) and "," in words[0].rstrip(",")
    if glued:  # "Fri,27 Nov 2026": feedparser takes "fri,27" for one word
        words = words[0].replace(",", ", ").split() + words[1:]
    foreign_day = day_name = False
    if words and not words[0][:1].isdigit():
        day_name = True
        # A day name, in whatever language: the date says the same without it.
        foreign_day = words[0][:3].lower() not in rfc822.day_names
        words = words[1:]
    if len(words) < 3 or not words[0].isdigit():
        return None
    month = _MONTHS.get(_plain(words[1]))
    if month is None:
        return None
    english = _ENGLISH_MONTHS[month - 1]
    clock = words[3:4]
    twelve_hour = len(words) > 4 and _plain(words[4]) in ("am", "pm")
    if twelve_hour:
        twenty_four = _twenty_four_hour(words[3], _plain(words[4]))
        if twenty_four is None:
            return None
        clock = [twenty_four]
        words = words[:4] + words[5:]
    zone = _plain(words[4]) if len(words) > 4 else ""
    offset = _offset(zone)
    # feedparser drops the day name after counting the words, so a clock without a zone after
    # one left it four words short: it rejected ``Fri, 27 Nov 2026 15:00:00``.
    no_zone_after_day = day_name and len(words) == 4
    reads_right = not (foreign_day or twelve_hour or no_zone_after_day or glued) and offset is None
    if reads_right and words[1][:3].lower() == english:
        return None
    fields = [words[0], english, words[2], *clock]
    if offset is not None:
        sign = "-" if offset < 0 else "+"
        fields.append(f"{sign}{abs(offset) // 60:02d}{abs(offset) % 60:02d}")
    else:
        fields += words[4:5]
    parsed: time.struct_time | None = rfc822._parse_date_rfc822(" ".join(fields))
    return parsed


# A numeric date, year first: ISO 8601 with a space or a T, or with slashes or dots (Chinese and
# Korean CMSs), then an optional zone: Z, an offset, GMT+8 or a name.
_NUMERIC: Final = re.compile(
    r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})"
    r"(?:(?:T|\s+)(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?"
    r"\s*([A-Za-z][A-Za-z/_]*(?:[+-]\d{1,2}(?::?\d{2})?)?|Z|[+-]\d{1,2}(?::?\d{2})?)?",
    re.ASCII,
)


# Day first with dots (German, Russian CMSs): 27.11.2026 15:00.
_DOTTED: Final = re.compile(
    r"(\d{1,2})\.(\d{1,2})\.(\d{4})"
    r"(?:,?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?"
    r"\s*([A-Za-z][A-Za-z/_]*(?:[+-]\d{1,2}(?::?\d{2})?)?|Z|[+-]\d{1,2}(?::?\d{2})?)?",
    re.ASCII,
)
# Month first, as US CMSs write it: "November 27, 2026 15:00", "Friday, November 27, 2026 -
# 15:00", "Nov. 27, 2026 at 3:00 PM EST".
_MONTH_FIRST: Final = re.compile(
    r"(?:[A-Za-z]+,?\s+)?([A-Za-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})"
    r"(?:\s*(?:-|at|,)?\s*(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([AaPp]\.?[Mm]\.?))?)?"
    r"\s*([A-Za-z][A-Za-z/_]*(?:[+-]\d{1,2}(?::?\d{2})?)?|Z|[+-]\d{1,2}(?::?\d{2})?)?",
    re.ASCII,
)
# Unix time in seconds or milliseconds (JavaScript CMSs), within this century.
_EPOCH: Final = re.compile(r"(\d{10})(\d{3})?")


def _numeric_offset(zone: str) -> int | None:
    """Minutes east of UTC of a zone after a numeric date, None for one we do not know."""
    plain = zone.lower()
    if plain in ("z", "gmt", "utc", "ut"):
        return 0
    if plain in rfc822.timezone_names:
        return int(rfc822.timezone_names[plain]) * 60
    return _offset(plain)


def numeric_date(date: str) -> time.struct_time | None:
    """``date`` in UTC when it is in a numeric or month-first form feedparser misreads or
    rejects; else None.

    feedparser reads ``2026/11/27 15:00`` and ``2026.11.27`` as the 1st of the month at
    midnight, ``2026-11-27 15:00:00 GMT`` as midnight and ``…T15:00:00 GMT+8`` as 15:00 UTC.
    ISO 8601 with a numeric zone or none it reads right, and is left to it, except an
    offset of hours and minutes without its colon (``+0530``), whose minutes it drops.
    """
    text = date.strip()
    if (epoch := _EPOCH.fullmatch(text)) is not None:
        return time.gmtime(int(epoch.group(1)))
    if (dotted := _DOTTED.fullmatch(text)) is not None:
        day, month, year, hour, minute, second, zone = dotted.groups()
        return _utc((year, month, day, hour, minute, second), zone)
    if (named := _MONTH_FIRST.fullmatch(text)) is not None:
        return _month_first(named)
    match = _NUMERIC.fullmatch(text)
    if match is None:
        return None
    year, separator, month, day, hour, minute, second, zone = match.groups()
    if separator == "-" and (zone is None or zone == "Z" or _iso_offset_read_right(zone)):
        return None
    return _utc((year, month, day, hour, minute, second), zone)


def _iso_offset_read_right(zone: str) -> bool:
    """Whether feedparser reads this numeric offset of an ISO 8601 date right: it does with a
    colon (+05:30) or whole hours, but takes +0530 for +05:00 (Indian CMSs write it so)."""
    return zone[0] in "+-" and (":" in zone or len(zone) != 5 or zone.endswith("00"))


def _month_first(match: re.Match[str]) -> time.struct_time | None:
    name, day, year, hour, minute, second, meridiem, zone = match.groups()
    month = _MONTHS.get(_plain(name))
    if month is None or (meridiem and not 1 <= int(hour or 0) <= 12):
        return None
    if meridiem:
        hour = str(int(hour) % 12 + (12 if meridiem[0] in "pP" else 0))
    return _utc((year, str(month), day, hour, minute, second), zone)


def _utc(fields: tuple[str | None, ...], zone: str | None) -> time.struct_time | None:
    """Year, month, day, hour, minute and second (the last three may be missing) at ``zone``,
    in UTC."""
    offset = _numeric_offset(zone) if zone else 0
    if offset is None:
        return None
    try:
        year, month, day, hour, minute, second = (int(field or 0) for field in fields)
        stamp = datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None
    return (stamp - timedelta(minutes=offset)).utctimetuple()


def zoneless(date: str) -> bool:
    """Whether ``date`` is a time with no zone at all, which feedparser reads as UTC.

    Such a time is the outlet's local time: a source's configured ``timezone`` applies to it,
    and only to it. A date with a zone, even one we cannot read, is not zone-less.
    """
    text = date.strip()
    for pattern in (_NUMERIC, _DOTTED, _MONTH_FIRST):
        match = pattern.fullmatch(text)
        if match is not None:
            return match.group(pattern.groups) is None
    words = text.split()
    if words and not words[0][:1].isdigit():
        words = words[1:]  # a day name
    if len(words) > 4 and _plain(words[4]) in ("am", "pm"):
        words = words[:4] + words[5:]
    if not 3 <= len(words) <= 4 or not words[0].isdigit() or _plain(words[1]) not in _MONTHS:
        return False
    return len(words) == 3 or re.fullmatch(r"\d{1,2}:\d{2}(?::\d{2})?", words[3]) is not None
