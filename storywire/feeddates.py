"""RFC 822 feed dates that feedparser misreads: localised names and common zone abbreviations.

feedparser's RFC 822 parser knows English day and month names and the US zone names only.
CMSs in other languages write ``Do, 26 Nov 2026``, ``ven., 27 nov. 2026``, ``Пт, 27 ноя
2026``, ``27 ноября 2026 г., 15:04``, ``27 Kasım 2026 Cuma``, ``27. listopadu 2026``,
``2026年11月27日 15時04分``, ``2026. 11. 27.`` or Persian digits, which it rejects (the entry
then gets the fetch time) or reads as the 1st of the month at midnight; a zone such as CET,
MEZ, BST or JST it silently reads as UTC, hours off, often into
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
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from feedparser.datetimes import rfc822

_ENGLISH_MONTHS: Final = "jan feb mar apr may jun jul aug sep oct nov dec".split()
# Abbreviations and full names (with their genitives where a language writes dates with them),
# as _plain writes them: lower-cased, without accents or trailing dots. Croatian is missing
# (its "listopad" is October, Czech and Polish November), as is Finnish "mar" (marraskuu, its
# November), which stays March.
_MONTH_NAMES: Final = (
    # German, French, Spanish, Italian, Dutch, Portuguese, Catalan
    "jan january januar janv janvier ene enero gen gennaio janeiro januari gener",
    "feb february februar fevr fevrier febrero febbraio fev fevereiro februari febrer",
    "mar march marz mrz mars marzo mrt maart marco marc",
    "apr april avr avril abr abril aprile",
    "may mai mayo mag maggio mei maio maig",
    "jun june juni juin junio giu giugno junho juny",
    "jul july juli juil juillet julio lug luglio julho juliol",
    "aug august aout ago agosto augustus agost",
    "sep sept september septembre septiembre set settembre setembro setembre",
    "oct october okt oktober octobre octubre ott ottobre out outubro",
    "nov november novembre noviembre novembro",
    "dec december dez dezember decembre dic diciembre dicembre dezembro desembre",
)
_MORE_MONTH_NAMES: Final = (
    # Russian, Ukrainian, Bulgarian, Serbian; Polish, Czech, Slovak, Slovene/Serbian Latin;
    # Turkish; Greek; Indonesian/Malay; Romanian; Scandinavian; Finnish
    "январь января янв січень січня січ януари јануар"
    " styczen stycznia sty leden ledna led januara"
    " ocak oca ιανουαριος ιανουαριου ιαν ianuarie ian tammikuu tammikuuta tam",
    "февраль февраля фев февр лютий лютого лют февруари фебруар"
    " luty lutego lut unor unora uno februara"
    " subat sub φεβρουαριος φεβρουαριου φεβ februarie helmikuu helmikuuta hel",
    "март марта мар березень березня бер"
    " marzec marca brezen brezna bre marec mart"
    " μαρτιος μαρτιου μαρ maret mac martie maaliskuu maaliskuuta maa",
    "апрель апреля апр квітень квітня кві квіт април"
    " kwiecien kwietnia kwi duben dubna dub aprila"
    " nisan nis απριλιος απριλιου απρ aprilie huhtikuu huhtikuuta huh",
    "май мая травень травня тра трав мај"
    " maj maja kveten kvetna kve"
    " mayıs μαιος μαιου μαι toukokuu toukokuuta tou",
    "июнь июня июн червень червня чер черв юни јун"
    " czerwiec czerwca cze cerven cervna cvn juna"
    " haziran haz ιουνιος ιουνιου ιουν iunie iun kesakuu kesakuuta kes",
    "июль июля июл липень липня лип юли јул"
    " lipiec lipca lip cervenec cervence cvc jula"
    " temmuz tem ιουλιος ιουλιου ιουλ iulie iul heinakuu heinakuuta hei",
    "август августа авг серпень серпня сер серп"
    " sierpien sierpnia sie srpen srpna srp augusta avgust"
    " agustos agu αυγουστος αυγουστου αυγ agt augusti elokuu elokuuta elo",
    "сентябрь сентября сен сент вересень вересня вер септември септембар"
    " wrzesien wrzesnia wrz zari zar septembra septembar"
    " eylul eyl σεπτεμβριος σεπτεμβριου σεπ septembrie syyskuu syyskuuta syy",
    "октябрь октября окт жовтень жовтня жов жовт октомври октобар"
    " pazdziernik pazdziernika paz rijen rijna rij oktobra oktobar"
    " ekim eki οκτωβριος οκτωβριου οκτ octombrie lokakuu lokakuuta lok",
    "ноябрь ноября ноя нояб листопад листопада лис лист ноември новембар"
    " listopad listopada listopadu lis novembra novembar"
    " kasım kas νοεμβριος νοεμβριου νοε nopember nop noiembrie noi marraskuu marraskuuta",
    "декабрь декабря дек грудень грудня гру груд декември децембар"
    " grudzien grudnia gru prosinec prosince pro decembra decembar"
    " aralık ara δεκεμβριος δεκεμβριου δεκ desember des decembrie joulukuu joulukuuta jou",
)
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
# US zones named without their season ("3:00 PM ET"): their region's clock, summer time
# included, which feedparser reads as standard time all year, an hour off for eight months.
_REGIONS: Final = {
    "et": "America/New_York", "ct": "America/Chicago", "mt": "America/Denver",
    "pt": "America/Los_Angeles",
}  # fmt: skip
# GMT+8, UTC+05:30, UTC-3, +8: an offset feedparser cannot read, or reads as UTC.
_GLUED_OFFSET: Final = re.compile(r"(?:gmt|utc|ut)?([+-])(\d{1,2})(?::?(\d{2}))?")


def _plain(word: str) -> str:
    # Turkish dotless ı (KASIM lower-cases to kasim), Greek final sigma: one spelling each.
    decomposed = unicodedata.normalize("NFKD", word.lower().strip(".,"))
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return plain.replace("ı", "i").replace("ς", "σ")


# Hindi; Arabic (Egyptian and Gulf, then the Levantine names that are one word); Persian
# (Gregorian months: Solar Hijri dates are another calendar); Hebrew, with "in" (בנובמבר).
_SCRIPT_MONTH_NAMES: Final = (
    "जनवरी يناير ژانویه ינואר בינואר",
    "फ़रवरी फरवरी فبراير شباط فوریه פברואר בפברואר",
    "मार्च مارس آذار מרץ במרץ",
    "अप्रैल أبريل ابريل نيسان آوریل אפריל באפריל",
    "मई مايو أيار مه מאי במאי",
    "जून يونيو يونية حزيران ژوئن יוני ביוני",
    "जुलाई يوليو يوليه تموز ژوئیه יולי ביולי",
    "अगस्त أغسطس آب اوت אוגוסט באוגוסט",
    "सितंबर सितम्बर سبتمبر أيلول سپتامبر ספטמבר בספטמבר",
    "अक्टूबर अक्तूबर أكتوبر اكتوبر اکتبر אוקטובר באוקטובר",
    "नवंबर नवम्बर نوفمبر نوامبر נובמבר בנובמבר",
    "दिसंबर दिसम्बर ديسمبر دسامبر דצמבר בדצמבר",
)
_MONTHS: Final = {
    _plain(name): number
    for table in (_MONTH_NAMES, _MORE_MONTH_NAMES, _SCRIPT_MONTH_NAMES)
    for number, names in enumerate(table, start=1)
    for name in names.split()
}


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


# Morning or evening after the clock, as _plain writes them: English, and Arabic's ص (صباحًا)
# and م (مساءً), which feedparser took for a zone it did not know, read as UTC.
_MERIDIEMS: Final = {
    "am": "am", "pm": "pm", "ص": "am", "صباحا": "am", "م": "pm", "مساء": "pm", "مساءا": "pm",
}  # fmt: skip


def _meridiem(word: str) -> str | None:
    """Whether a word says "am" or "pm" of a 12-hour clock, and which; None if neither."""
    return _MERIDIEMS.get(_plain(word))


def _twenty_four_hour(clock: str, meridiem: str) -> str | None:
    hour, colon, rest = clock.partition(":")
    if not hour.isdigit() or not colon or not 1 <= int(hour) <= 12:
        return None
    return f"{int(hour) % 12 + (12 if meridiem == 'pm' else 0):02d}:{rest}"


def _ascii_digits(text: str) -> str:
    """``text`` with Persian, Arabic-Indic, Devanagari… digits as ASCII ones (Iranian, Arab and
    Indian CMSs write dates in them)."""
    if text.isascii():
        return text
    return _DIGIT.sub(lambda digit: str(unicodedata.decimal(digit[0])), text)


_DIGIT: Final = re.compile(r"\d")  # any Unicode decimal digit


@dataclass(frozen=True, slots=True)
class _Words:
    """An RFC 822-like date as words, from the day of the month on."""

    words: list[str]
    day_name: bool  # a day name came first
    foreign_day: bool  # in a language feedparser does not know
    rewritten: bool  # spelled so that feedparser cannot read it as it stands


def _rfc822_words(date: str) -> _Words | None:
    words = _ascii_digits(date).split()
    rewritten = date != " ".join(words)
    if words and "," in words[0].rstrip(","):  # "Fri,27 Nov 2026": feedparser reads "fri,27"
        words = words[0].replace(",", ", ").split() + words[1:]
        rewritten = True
    foreign_day = day_name = False
    if words and not words[0][:1].isdigit():
        day_name = True
        # A day name, in whatever language: the date says the same without it.
        foreign_day = words[0][:3].lower() not in rfc822.day_names
        words = words[1:]
    if len(words) < 3:
        return None
    # "27. listopadu 2026" (Czech, Slovak, German), "2026, 15:04" (Russian CMSs)
    plain = [words[0].removesuffix("."), *(word.removesuffix(",") for word in words[1:])]
    # Between the year and the clock: a year word ("2026 г.", "2026 r."), a day name after the
    # date (Turkish "27 Kasım 2026 Cuma"), "at" ("в 15:04").
    while len(plain) > 3 and not plain[3][:1].isdigit() and not _is_zone_word(plain[3]):
        del plain[3]
    rewritten = rewritten or plain != words
    if not plain[0].isdigit():
        return None
    return _Words(plain, day_name, foreign_day, rewritten)


def _is_zone_word(word: str) -> bool:
    plain = _plain(word)
    return (
        plain in _MERIDIEMS
        or plain in rfc822.timezone_names
        or _offset(plain) is not None
        or plain[:1] in ("+", "-", "(")
    )


def localized_rfc822(date: str) -> time.struct_time | None:
    """``date`` in UTC when it is RFC 822 with names feedparser does not know; else None."""
    read = _rfc822_words(date)
    if read is None:
        return None
    words = read.words
    month = _MONTHS.get(_plain(words[1]))
    if month is None:
        return None
    english = _ENGLISH_MONTHS[month - 1]
    clock = words[3:4]
    meridiem = _meridiem(words[4]) if len(words) > 4 else None
    twelve_hour = meridiem is not None
    if meridiem is not None:
        twenty_four = _twenty_four_hour(words[3], meridiem)
        if twenty_four is None:
            return None
        clock = [twenty_four]
        words = words[:4] + words[5:]
    zone = _plain(words[4]) if len(words) > 4 else ""
    offset = None if zone in _REGIONS else _offset(zone)
    # feedparser drops the day name after counting the words, so a clock without a zone after
    # one left it four words short: it rejected ``Fri, 27 Nov 2026 15:00:00``.
    no_zone_after_day = read.day_name and len(words) == 4
    misread = read.foreign_day or read.rewritten or twelve_hour or no_zone_after_day
    reads_right = not misread and offset is None and zone not in _REGIONS
    if reads_right and words[1][:3].lower() == english:
        return None
    fields = [words[0], english, words[2], *clock]
    if offset is not None:
        sign = "-" if offset < 0 else "+"
        fields.append(f"{sign}{abs(offset) // 60:02d}{abs(offset) % 60:02d}")
    elif zone in _REGIONS:
        fields.append("+0000")  # the local time, placed in its region below
    else:
        fields += words[4:5]
    parsed: time.struct_time | None = rfc822._parse_date_rfc822(" ".join(fields))
    if parsed is not None and zone in _REGIONS:
        return _in_region(datetime(*parsed[:6]), zone)
    return parsed


def _in_region(local: datetime, zone: str) -> time.struct_time:
    """A local time of one of ``_REGIONS``, in UTC."""
    return local.replace(tzinfo=ZoneInfo(_REGIONS[zone])).utctimetuple()


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
    r"(?:[^\W\d_]+,?\s+)?([^\W\d_]+)\.?\s+(\d{1,2}),?\s+(\d{4})"
    r"(?:\s*(?:-|at|,)?\s*(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([AaPp]\.?[Mm]\.?))?)?"
    r"\s*([A-Za-z][A-Za-z/_]*(?:[+-]\d{1,2}(?::?\d{2})?)?|Z|[+-]\d{1,2}(?::?\d{2})?)?",
)  # not ASCII: Лютий 19, 2026 (feedpls#16); the digits are ASCII by then (_numeric_text)
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
    text = _numeric_text(date)
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
    iso = separator == "-" and text == date.strip()  # not respelled by _numeric_text
    if iso and (zone is None or zone == "Z" or _iso_offset_read_right(zone)):
        return None
    return _utc((year, month, day, hour, minute, second), zone)


# Chinese and Japanese CMSs: 2026年11月27日(金) 15時04分 (dateparser#142: with spaces inside at
# boj.or.jp); Korean ones: 2026. 11. 27. 15:04. feedparser read both as the 1st at midnight.
_HAN_DATE: Final = re.compile(
    r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日(?:\s*[(（][^)）]{1,3}[)）])?\s*"
)
_HAN_CLOCK: Final = re.compile(r"(\d{1,2})\s*[時时]\s*(\d{1,2})\s*分(?:\s*(\d{1,2})\s*秒)?")
_SPACED_DOTS: Final = re.compile(r"(\d{4})\.\s+(\d{1,2})\.\s+(\d{1,2})\.?(?=\s|$)")


# Morning or afternoon before the clock: Chinese 上午/下午, Japanese 午前/午後, Korean 오전/오후.
_MERIDIEM: Final = re.compile(r"(上午|下午|午前|午後|오전|오후)\s*(\d{1,2})(?=\s*[:時时])")
_AFTERNOON: Final = frozenset({"下午", "午後", "오후"})


def _twenty_four(match: re.Match[str]) -> str:
    hour = int(match[2])
    if not 1 <= hour <= 12:
        return match[0]
    return str(hour % 12 + (12 if match[1] in _AFTERNOON else 0))


def _numeric_text(date: str) -> str:
    """``date`` with ASCII digits, and a Han or Korean spelling as its numeric form."""
    text = _ascii_digits(date.strip())
    if not text.isascii():
        text = _HAN_DATE.sub(r"\1-\2-\3 ", text)
        text = _MERIDIEM.sub(_twenty_four, text)
        text = _HAN_CLOCK.sub(lambda m: ":".join(f"{int(p):02d}" for p in m.groups() if p), text)
    return _SPACED_DOTS.sub(r"\1.\2.\3", text).strip()


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
    region = zone.lower() if zone and zone.lower() in _REGIONS else None
    offset = 0 if region or not zone else _numeric_offset(zone)
    if offset is None:
        return None
    try:
        year, month, day, hour, minute, second = (int(field or 0) for field in fields)
        stamp = datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None
    if region:
        return _in_region(stamp, region)
    return (stamp - timedelta(minutes=offset)).utctimetuple()


def zoneless(date: str) -> bool:
    """Whether ``date`` is a time with no zone at all, which feedparser reads as UTC.

    Such a time is the outlet's local time: a source's configured ``timezone`` applies to it,
    and only to it. A date with a zone, even one we cannot read, is not zone-less.
    """
    text = _numeric_text(date)
    for pattern in (_NUMERIC, _DOTTED, _MONTH_FIRST):
        match = pattern.fullmatch(text)
        if match is not None:
            return match.group(pattern.groups) is None
    read = _rfc822_words(date)
    if read is None:
        return False
    words = read.words
    if len(words) > 4 and _meridiem(words[4]) is not None:
        words = words[:4] + words[5:]
    if not 3 <= len(words) <= 4 or not words[0].isdigit() or _plain(words[1]) not in _MONTHS:
        return False
    return len(words) == 3 or re.fullmatch(r"\d{1,2}:\d{2}(?::\d{2})?", words[3]) is not None
