"""Turning one document into the features the story engine compares.

Everything here is pure and deterministic across processes (no use of the salted ``hash`` of
``str``), so several workers sharing a Redis store derive identical features from identical input.
"""

from __future__ import annotations

import functools
import importlib.util
import math
import operator
import re
import sys
import unicodedata
from collections import _count_elements  # type: ignore[attr-defined]  # C, since 3.2
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import compress, filterfalse, islice
from operator import not_
from urllib.parse import unquote

import xxhash

from storywire.stories.tablecache import TableCache
from storywire.urls import split_url


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Function words and news boilerplate: removed before weighting so that the first documents of a
# stream, seen while document frequencies are still flat, are not compared on "the" and "said";
# and datelines' page chrome ("Last updated at 14:39 GMT", "Posted 11/27/2005"), which made
# reports of unrelated events alike where a headline is only a dateline.
STOPWORDS = _wordset(
    """
    a about above after again against ago all almost along also although always am among an and
    another any anyone anything are around as at away back be became because become been before
    being below between both but by came can cannot could did do does doing done down during each
    either else enough even ever every few first for from further get gets getting got had has
    have having he her here hers herself him himself his how however i if in into is it its itself
    just last least less like made make many may me might more most much must my myself near need
    never new next no nor not now of off often on once one only or other others our ours ourselves
    out over own per perhaps put quite rather really said same say says see seem seemed several
    shall she should since so some still such take than that the their theirs them themselves then
    there these they thing things this those though through thus to too toward towards under until
    up upon us very via was way we well were what whatever when where whether which while who whom
    whose why will with within without would yet you your yours yourself also told according
    reported report reports reporting news told tell time times year years day days week weeks
    month months today yesterday tomorrow tonight including include includes went going go goes
    come comes coming says saying people man woman men women two three four five six seven eight
    nine ten per cent percent mr mrs ms dr st just s t re ve ll d m don didn doesn isn wasn aren
    weren won wouldn couldn shouldn hasn haven hadn
    updated posted published gmt utc bst edt pst pdt cet ist
    reuters ap afp dpa upi xinhua ansa efe kyodo yonhap bernama ians anadolu
    """
)

MONTHS = _wordset(
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec"
)
WEEKDAYS = _wordset("monday tuesday wednesday thursday friday saturday sunday")

# Words whose capitalisation says nothing about being a name: sentence openers and headline caps.
_NOT_NAMES = (
    STOPWORDS
    | WEEKDAYS
    | MONTHS
    | _wordset(
        "the a an this that these those it its he she they we i you his her their our there here "
        "after before when while as at in on of for by with from to and but or if so yet update "
        "breaking exclusive video photos watch live analysis opinion editorial posted updated"
    )
)

# Splitting on whitespace after mapping punctuation to spaces is 4x faster than a regex
# tokenizer; the characters kept (. , ' and the typographic apostrophe) are stripped from
# token ends later, so "4.4" survives while "story," loses its comma. Arabic-Indic and Persian
# digits (and the Arabic decimal and thousands separators) become ASCII ones, so an Arabic or
# Persian report's figures and years meet everyone else's ("#2024").
_DIGITS = {0x0660 + i: str(i) for i in range(10)} | {0x06F0 + i: str(i) for i in range(10)}
_PUNCT = str.maketrans(
    dict.fromkeys(
        '!"#$%&()*+/:;<=>?@[\\]^_`{|}~-\u201c\u201d\u2018\u2014\u2013\u2026\u00ab\u00bb', " "
    )
    | dict.fromkeys("\u05be\u05c0\u05c3", " ")  # Hebrew maqaf, paseq, sof pasuq
    | dict.fromkeys("\u0964\u0965", " ")  # danda, double danda: Hindi's (and Bengali's) full stop
    | _DIGITS
    | {0x066B: ".", 0x066C: ","}
)
# Hebrew writes acronyms with gershayim, most often typed as ASCII '"' ("צה\"ל", "נת\"ע"), which
# would split them in two: between two Hebrew letters it is read as the gershayim it stands for.
_HE_QUOTE = re.compile('(?<=[\u05d0-\u05ea])"(?=[\u05d0-\u05ea])')
_EDGE = ".,'\u2019"
DATE_WORDS = MONTHS | WEEKDAYS

# Per distinct raw token: (feature or "", lowercased stripped form, capitalised?, xxh3 hash of the
# lowercased form). Zipf's law makes this cache hit for nearly every token.
_Entry = tuple[str, str, bool, int]
_CACHE: dict[str, _Entry] = {}
_CACHE_MAX = 500_000
# wordfreq is optional (the prior and the spelling fold are off without it).
_HAVE_WORDFREQ = importlib.util.find_spec("wordfreq") is not None
_FEATURE_OF = operator.itemgetter(0)
_LOW_OF = operator.itemgetter(1)
_IS_CAP = operator.itemgetter(2)
_HASH_OF = operator.itemgetter(3)
_SKETCH_TOKENS = 120  # near-duplicates share their lead: shingle the first 120 tokens only
_COPY_MIN_BODY = 12  # body tokens from which the copy sketch leaves the headline out
_TF = [0.0] + [1.0 + math.log(c) for c in range(1, 256)]


# Chinese, Japanese and Korean. Han, Hiragana, Katakana and Hangul runs become
# overlapping character bigrams, as Lucene's CJKAnalyzer makes them (a one-character run stays a
# unigram): Chinese and Japanese have no spaces, and Korean attaches particles to its words.
# Their punctuation (the CJK block, full-width and vertical forms) turns into separators, and
# full-width digits and letters into ASCII ones ("６．８" is "6.8"). Text without any of these
# characters is tokenized as before, at the cost of one ``isascii()`` (ASCII text) or one
# regex search (other text).
_CJK_CHARS = (
    "\u1100-\u11ff\u3005-\u3007\u3021-\u3029\u3031-\u3035\u303b\u3041-\u3096"
    "\u309d-\u309f\u30a1-\u30fa\u30fc-\u30ff\u3131-\u318e\u31f0-\u31ff\u3400-\u4dbf"
    "\u4e00-\u9fff\ua960-\ua97f\uac00-\ud7af\ud7b0-\ud7ff\uf900-\ufaff\uff66-\uff9f"
    "\U00020000-\U0003ffff"
)
_WIDE = re.compile(f"[{_CJK_CHARS}\u3000-\u303f\u30fb\ufe10-\ufe1f\ufe30-\ufe4f\uff00-\uffef]")
_CJK_RUN = re.compile(f"([{_CJK_CHARS}]+)")


def _wide_table() -> dict[int, str | None]:
    table: dict[int, str | None] = dict(_PUNCT)
    separators = "\u3000\u3001\u3002\u3003\u30fb\uff0c\uff61\uff62\uff63\uff64\uff65"
    separators += "".join(map(chr, range(0x3008, 0x3021))) + "\u3030\u303d\u303e\u303f"
    separators += "".join(map(chr, range(0xFE10, 0xFE20))) + "".join(
        map(chr, range(0xFE30, 0xFE50))
    )
    separators += (
        "\uffe0\uffe1\uffe2\uffe3\uffe4\uffe5\uffe6\uffe8\uffe9\uffea\uffeb\uffec\uffed\uffee"
    )
    for code in range(0xFF01, 0xFF5F):  # full-width ASCII: the ASCII character, mapped again
        ascii_char = chr(code - 0xFEE0)
        table[code] = _PUNCT.get(ord(ascii_char), ascii_char)
    table.update(dict.fromkeys(map(ord, separators), " "))
    return table


_PUNCT_WIDE = str.maketrans(_wide_table())


def tokens(text: str) -> list[str]:
    """Whitespace tokens of ``text`` with most punctuation turned into separators; runs of
    Chinese, Japanese and Korean characters become character bigrams."""
    if text.isascii():
        return text.translate(_PUNCT).split()
    if '"' in text:
        text = _HE_QUOTE.sub("\u05f4", text)
    if _WIDE.search(text) is None:
        return text.translate(_PUNCT).split()
    out: list[str] = []
    for tok in text.translate(_PUNCT_WIDE).split():
        # split() with a group: text between runs at even indices, the runs at odd ones.
        for i, part in enumerate(_CJK_RUN.split(tok)):
            if i % 2 == 0 or len(part) == 1:  # text around the runs, or a one-character run
                if part:
                    out.append(part)
            else:
                out.extend(map(operator.add, part[:-1], part[1:]))
    return out


def stem(word: str) -> str:
    """A deliberately tiny suffix stripper: plural and possessive forms meet their singular."""
    out = word
    if out.endswith(("'s", "\u2019s")):
        out = out[:-2]
    n = len(out)
    if n > 4 and out.endswith("ies"):
        out = out[:-3] + "y"
    elif n > 3 and out.endswith("s") and not out.endswith(("ss", "us", "is")):
        out = out[:-1]
    return out


# British and American spellings of one word meet: SCMP's "jewellery heist" and CBS's "jewelry
# heist", "defence"/"defense", "organised"/"organized". A rule proposes the American form of a
# British-looking word; the pair is kept only when wordfreq's English list knows both, the
# American form at least a fifth as often (so "four" is no "for" and "filled" no "filed": those
# rules want a longer stem), and the word is not 10x more common in one of ``LATIN_LANGS``
# ("entre", "sobre" are no "enter", "sober"). ~400 pairs, built at the first English word
# (~0.1 s over the English list, which the prior reads anyway).
_SPELLING_RULES = tuple(
    (re.compile(pattern), repl)
    for pattern, repl in (
        (r"([a-z]{2,}[^aeiou])our(s|ed|ing|ful|ite|ites|able|er|ers|less)?", r"\1or\2"),
        (r"([a-z]{3,})is(e|es|ed|ing|ation|ations|er|ers)", r"\1iz\2"),
        (r"([a-z]{2,})ys(e|es|ed|ing)", r"\1yz\2"),
        (r"([a-z]{2,}[bt])re(s)?", r"\1er\2"),
        (r"([a-z]{2,})ence(s)?", r"\1ense\2"),
        (r"([a-z]{4,}[aeiou])ll(ed|ing|er|ers)", r"\1l\2"),
        (r"([a-z]{2,})ellery", r"\1elry"),
        (r"([a-z]{3,})ogue(s)?", r"\1og\2"),
        (r"([a-z]{3,})mme(s)?", r"\1m\2"),
    )
)
# What a word must end with for any rule to match: the cheap test before the regexes.
_SPELLING_ENDS = tuple(
    "our ours oured ouring ourful ourite ourites ourable ourer ourers ourless ise ises ised ising "
    "isation isations iser isers yse yses ysed ysing tre tres bre bres ence ences lled lling ller "
    "llers ellery ogue ogues mme mmes".split()
)
_SPELLING_SHARE = 0.2
_SPELLING_RARE = 1e-7  # Zipf 2: the list is sorted by rate, the loop stops there
_FOREIGN_SHARE = 10.0
# The Latin-script languages of most European outlets besides English: the prior gives their
# common words their rates (``background._raise_to``), and no British spelling is one of them.
LATIN_LANGS = ("de", "fr", "es", "it", "pt", "nl")


@functools.cache
def us_spellings() -> dict[str, str]:
    """``stem()`` of a British spelling -> ``stem()`` of the American one; empty without
    wordfreq. From the cache file when it is there (building it takes ~0.4 s)."""
    return _SPELLINGS.get(_us_spellings) if _HAVE_WORDFREQ else {}


def _us_spellings() -> dict[str, str]:
    from wordfreq import get_frequency_dict  # noqa: PLC0415  # optional: _HAVE_WORDFREQ

    en = get_frequency_dict("en", "best")
    foreign = [get_frequency_dict(lang, "small") for lang in LATIN_LANGS]
    pairs: dict[str, str] = {}
    for word, rate in en.items():
        if rate < _SPELLING_RARE:
            break
        if not word.endswith(_SPELLING_ENDS) or not word.isascii():
            continue
        for rx, repl in _SPELLING_RULES:
            if (match := rx.fullmatch(word)) is not None:
                us = match.expand(repl)
                if en.get(us, 0.0) >= _SPELLING_SHARE * rate and all(
                    lang.get(word, 0.0) < _FOREIGN_SHARE * rate for lang in foreign
                ):
                    pairs[stem(word)] = stem(us)
                break
    return {k: v for k, v in pairs.items() if k != v}


# Reuters writes "Zelenskiy", AP "Zelenskyy", the BBC "Zelensky": one name, romanised three
# ways. A word ending in -skiy, -skyy, -skyi, -skii or -skij (a Slavic surname or place; no
# English word ends so) ends in -sky.
_SKY = ("skiy", "skyy", "skyi", "skii", "skij")


def english(word: str) -> str:
    """The feature of a lowercase ASCII word (``_morph``) or of a word of the Latin lists
    (``background`` keys the prior by it): ``stem()``, one -sky ending for romanised Slavic
    names, the American spelling."""
    word = stem(word)
    if word.endswith(_SKY):
        word = word[:-4] + "sky"
    return us_spellings().get(word, word)


# Russian, Polish and Arabic change the word itself: names and nouns take case endings
# ("Орск", "в Орске", "Орска"; "Wrocław", "we Wrocławiu") and Arabic attaches conjunctions,
# prepositions and the article ("الحريق", "والحريق", "بالمصنع"), so reports of one event share
# few exact words. ``_morph`` trims those forms where a token becomes a feature (once per distinct
# token: the cache makes it free afterwards). ASCII words and Latin words without Polish-only
# letters keep ``stem()`` (ASCII ones ``english()``): the background prior looks English,
# German, French, Spanish, Italian, Portuguese and Dutch features up by that form
# (``background._load``; no word of those lists of Zipf >= 2 changes under the trims). The
# prior's Russian and Arabic entries are keyed by the trimmed form.
_Endings = tuple[tuple[int, frozenset[str]], ...]


def _by_length(endings: str) -> _Endings:
    """Endings grouped by length, longest first: ``_trim`` makes one set lookup per length."""
    ends = endings.split()
    lengths = sorted({len(e) for e in ends}, reverse=True)
    return tuple((n, frozenset(e for e in ends if len(e) == n)) for n in lengths)


# Case endings of nouns and adjectives (a light stemmer, not a lemmatiser: "москва", "москве",
# "москвы" all become "москв"; Bulgarian words, and Ukrainian ones without і ї є ґ, get the
# same treatment).
_RU_ENDINGS = _by_length(
    "ями ами ого его ому ему ыми ими ией ием иям иях ах ях ам ям ом ем ой ей ов ев ый ий "
    "ая яя ое ее ые ие ую юю ых их ым им ию ия ии ью ья ье ьи а я о е у ю ы и ь й"
)
# Ukrainian: a Cyrillic word with a letter Russian and Bulgarian never write (і ї є ґ) loses a
# Ukrainian ending instead ("Дніпро", "у Дніпрі", "Дніпра" -> "дніпр"). "-ові"/"-еві" keep their
# "ов"/"ев" ("у Львові" meets "Львова" as "львов"): in wordfreq's uk list "-овий"/"-евий"
# adjective plurals outweigh those datives. "-ів" goes, since 94% of its words by frequency are
# genitive plurals ("рятувальників"), so the nominative "Львів" stays apart. Roman numerals
# typed in Cyrillic ("ХVІІІ") are no words.
_UK_LETTERS = re.compile("[іїєґ]")
_UK_ENDINGS = _by_length(
    "ями ами ого ому ими іми ією ього ьому ьої ьою ом ем єм ою ею єю ам ям ах ях ів їв ей "
    "ий ій ої ім им их ії ія ію а я о е є у ю и і ї ь й"
)
_ROMAN = re.compile("[ixvіх]+")
_PL_LETTERS = re.compile("[ąęłńśźżć]")  # not "ó": Spanish and Portuguese use it
_PL_ENDINGS = _by_length(
    "owie ami ach ego emu ych ymi imi ich iej iem iom iów om ów ej em ie iu ia ii ą ę a e i o u y"
)
# Arabic: fold the spelling variants of alef, ya and ta marbuta, drop diacritics and tatweel,
# and strip one leading conjunction/article clitic when three letters remain, with the prefixes
# of Larkey, Ballesteros and Connell's "light10" stemmer ("والحريق", "بالمصنع", "للمصنع" meet
# "الحريق" and "مصنع" as "حريق" and "مصنع"). Single-letter prepositions (ب ل ك ف) are left
# alone: too many names and roots begin with those letters.
# No suffixes are stripped: on tests/storywire/stories/morphology.py light10's suffixes (ها ان
# ات ون ين يه ه ي) raised the similarity of two different factory fires (highest cross-event
# score 0.24 -> 0.29; mixed stories in 32 arrival orders 3 -> 7) and barely that within one.
_AR_FOLD = str.maketrans(
    {"\u0623": "\u0627", "\u0625": "\u0627", "\u0622": "\u0627"}  # أ إ آ -> ا
    | {"\u0649": "\u064a", "\u0629": "\u0647", "\u0640": None}  # ى -> ي, ة -> ه, no tatweel
    | dict.fromkeys(range(0x064B, 0x0653))  # diacritics
    | {"\u06cc": "\u064a", "\u06a9": "\u0643", "\u06c0": "\u0647"}  # Persian ی ک ۀ (below)
)
_AR_PREFIXES = tuple("وال بال كال فال لل ال و".split())  # longest first
_AR_PUNCT = "\u060c\u061b\u061f\u06d4"  # Arabic comma, semicolon, question mark, full stop

# Persian is written in the Arabic block but has no article and writes "و" (and) apart, so
# light10's prefixes merged words ("وزیر", minister, became "زیر", under). A word with a letter
# Arabic lacks (پ چ ژ گ ک ی ۀ) or a zero-width non-joiner is read as Persian: it keeps its first
# letters, and its ی ک ۀ fold to ي ك ه, so outlets typing Arabic ي ك ("ايران") meet the others
# ("ایران"). wordfreq's fa list writes the joiner inside words ("می‌شود", "خانه‌ها"), but
# writers also use a space or nothing there: parts after a joiner that are plural, ezafe,
# comparative or pronoun suffixes go, as does the verb prefix "می"/"نمی", and the rest is
# joined ("زمین‌لرزه‌ها" -> "زمینلرزه", "می‌کنند" -> "کنند"). A plural ها/های/هایی written
# attached is cut too (97-100% of such words in the fa list's top 20k leave a word of the list:
# "روستاهای" -> "روستا"); "-ان" (60%: "ایران", "تهران") and "-ی" (77%: "بازی", "برای") are not.
_FA_LETTERS = re.compile("[\u067e\u0686\u0698\u06af\u06a9\u06cc\u06c0\u200c]")
_FA_SUFFIXES = frozenset(
    "ها های هایی ای ی یی تر ترین اش ام ات مان تان شان اند ایم اید".translate(_AR_FOLD).split()
)
_FA_VERB = frozenset("می نمی".translate(_AR_FOLD).split())
_FA_PLURAL = _by_length("ها های هایی".translate(_AR_FOLD))

# Hebrew attaches "and", "that", "when", "in", "to", "the" and "from the" to the next word
# ("בחיפה", "לתל", "והמשטרה", "שהשריפה"). One cluster of them (ו, then ש or כש, then ב ל ה or
# מה) goes only when what is left has 3 letters and is a word of wordfreq's he list at least
# _HE_REST times as common as the whole word: names and stems begin with those letters too
# (cutting again took "השביתה" to "ביתה"), and cutting blindly made
# "הודעה" "ודעה" while "ההודעה" became "הודעה"; the list keeps "לבנון", "הרצליה" whole and
# takes "בלבנון" to "לבנון". Bare מ (from) and כ (as) stay: a third of their words in the list's
# top 20k are stems that leave another word ("מספר", number -> "ספר", book; "כגון" -> "גון").
# Points and cantillation go (wordfreq drops them), geresh and gershayim are written as ASCII
# ' and " as the list does ("צה״ל", "צה\"ל"). Final letter forms stay: a prefix never moves them.
_HE_REST = 0.3
_HE_FOLD = str.maketrans(dict.fromkeys(range(0x0591, 0x05C8)) | {0x05F3: "'", 0x05F4: '"'})
_HE_PREFIXES = tuple(
    sorted(
        {c + s + p for c in ("", "ו") for s in ("", "ש", "כש") for p in ("", "ב", "ל", "ה", "מה")}
        - {""},
        key=len,
        reverse=True,
    )
)


# Greek: accents and diaeresis go (capitalised headlines drop them: "ΑΘΗΝΑ" is "Αθήνα"), final
# ς is σ (wordfreq's casefolded list writes σ), then the longest noun/adjective ending goes
# ("Αθήνα", "της Αθήνας" -> "αθην"; "Πειραιάς", "του Πειραιά" -> "πειρα"). The "ι" endings
# make "-ιά" nouns and "-ιο"/"-ι" neuters meet their other cases ("πυρκαγιά", "πυρκαγιάς",
# "πυρκαγιές"; "σπίτι", "σπίτια", "σπιτιού"). Polytonic words fold the same way through NFD.
_EL_ENDINGS = _by_length(
    "ατοσ ατων ιου ιων ιοσ ιοι ιασ ιεσ ουσ εισ εων ατα οσ ου οι ων ασ εσ ησ ια ιο α ε η ι ο"
)
_EL_MARKS = dict.fromkeys(range(0x0300, 0x0370)) | {0x03C2: "\u03c3"}  # accents; ς -> σ
_EL_FOLD = str.maketrans(_EL_MARKS)
_EL_PUNCT = "\u00b7;"  # ano teleia and question mark, as NFD writes them


def _is_greek(first: str) -> bool:
    return "\u0370" <= first <= "\u03ff" or "\u1f00" <= first <= "\u1fff"


def _el_fold(word: str) -> str:
    return unicodedata.normalize("NFD", word).translate(_EL_FOLD).strip(_EL_PUNCT)


def _trim(word: str, endings: _Endings, keep: int) -> str:
    """``word`` without its longest ending of ``endings`` that leaves ``keep`` letters."""
    for n, ends in endings:
        if len(word) - n >= keep and word[-n:] in ends:
            return word[:-n]
    return word


def _arabic(word: str) -> str:
    word = word.strip(_AR_PUNCT).translate(_AR_FOLD)  # the tokenizer keeps Arabic punctuation
    for pre in _AR_PREFIXES:
        if word.startswith(pre) and len(word) - len(pre) >= 3:
            return word[len(pre) :]
    return word


def _persian(word: str) -> str:
    word = word.strip(_AR_PUNCT).translate(_AR_FOLD)
    if "\u200c" in word:
        parts = [part for part in word.split("\u200c") if part]
        while len(parts) > 1 and parts[-1] in _FA_SUFFIXES:
            parts.pop()
        if len(parts) > 1 and parts[0] in _FA_VERB:
            del parts[0]
        word = "".join(parts)
    return _trim(word, _FA_PLURAL, 3)


def listed(lang: str, floor: float = 0.0) -> Iterator[tuple[str, float]]:
    """(word, frequency) of each word of wordfreq's "small" list for ``lang`` as frequent as
    ``floor`` or more, most frequent first; nothing without wordfreq."""
    try:
        from wordfreq import get_frequency_list  # noqa: PLC0415  # optional, as in background
    except ImportError:  # pragma: no cover - optional, as in background
        return
    # The "small" lists hold the words of >= 1 per million, in buckets of one centibel, most
    # frequent first: bucket i holds the words of frequency 10^(-i/100).
    for index, bucket in enumerate(get_frequency_list(lang, "small")):
        freq = 10.0 ** (-index / 100.0)
        if freq < floor:
            return
        for word in bucket:
            yield word, freq


@functools.cache
def _he_rates() -> dict[str, float]:
    """Frequency of each word of wordfreq's he list (>= 1 per million), folded as ``_hebrew``
    folds; empty without wordfreq. Loaded at the first Hebrew word, or by the prior's
    ``preload`` (~10 MB); from the cache file when it is there."""
    return _HE_RATES.get(_he_rates_built) if _HAVE_WORDFREQ else {}


def _he_rates_built() -> dict[str, float]:
    rates: dict[str, float] = {}
    for word, freq in listed("he"):
        rates.setdefault(word.translate(_HE_FOLD), freq)
    return rates


def _hebrew(word: str) -> str:
    word = word.translate(_HE_FOLD)
    rates = _he_rates()
    least = _HE_REST * rates.get(word, 0.0)
    for pre in _HE_PREFIXES:
        if word.startswith(pre) and len(word) - len(pre) >= 3:
            rate = rates.get(word[len(pre) :])
            if rate is not None and rate >= least:
                return word[len(pre) :]
    return word


def _abjad(tok: str) -> str:
    """The light stem of a Hebrew, Persian or Arabic word."""
    if tok[0] < "\u0600":
        return _hebrew(tok)
    return _persian(tok) if _FA_LETTERS.search(tok) is not None else _arabic(tok)


def _morph(tok: str) -> str:
    """``english(tok)`` for an ASCII word, or for a Cyrillic, Arabic, Persian, Hebrew, Greek
    or Polish word its light stem."""
    if tok.isascii():
        return english(tok)
    first = tok[0]
    if "\u0400" <= first <= "\u04ff":
        if _UK_LETTERS.search(tok) is not None and _ROMAN.fullmatch(tok) is None:
            return _trim(tok, _UK_ENDINGS, 3)
        return _trim(tok.replace("\u0451", "\u0435"), _RU_ENDINGS, 3)  # ё is written е too
    if "\u0590" <= first <= "\u06ff":
        return _abjad(tok)
    if _is_greek(first):
        return _trim(_el_fold(tok), _EL_ENDINGS, 3)
    polish = _PL_LETTERS.search(tok) is not None
    return _trim(tok, _PL_ENDINGS, 3) if polish else stem(tok)


_DOTTED = re.compile(r"[a-z](?:\.[a-z])+")
_ORDINAL = ("st", "nd", "rd", "th")
# Most of Europe writes "1.200" for 1,200 and "2,6" for 2.6; English never writes either.
_DECIMAL_COMMA = re.compile(r"[0-9]+,[0-9]{1,2}")
_THOUSANDS_DOT = re.compile(r"[0-9]{1,3}(?:\.[0-9]{3})+")
_AMOUNT = re.compile(r"([0-9]+(?:\.[0-9]+)?)(?:m|mn|bn|b|k|tn)")
# AP writes "Nov. 12" and "Sgt. Ruiz", the BBC "12 November" and "Sergeant Ruiz": one word.
# Not "jan", "mar", "jun", "gen", "rep", "col": names (Jan, Jun), a verb, other words.
_ABBREVIATIONS = dict(
    pair.split(":")
    for pair in (
        "feb:february apr:april jul:july aug:august sep:september sept:september oct:october "
        "nov:november dec:december lt:lieutenant sgt:sergeant capt:captain cpl:corporal "
        "gov:governor sen:senator atty:attorney supt:superintendent dept:department"
    ).split()
)


def _feature(tok: str) -> str:
    """The feature a lowercased, stripped token stands for, or "" when it carries nothing."""
    if not tok:
        return ""
    if tok[0].isdigit():
        if "," in tok and _DECIMAL_COMMA.fullmatch(tok) is not None:
            digits = tok.replace(",", ".")  # "2,6 Millionen" is 2.6 million
        elif "." in tok and _THOUSANDS_DOT.fullmatch(tok) is not None:
            digits = tok.replace(".", "")  # "1.200 Gefangene" are 1,200 prisoners
        else:
            digits = tok.replace(",", "")
        if not digits.replace(".", "", 1).isdigit():
            # "12th November" (UK) is "November 12" (US): an ordinal is its number; and
            # "$2.6m" is "$2.6 million", whose "million" is a word of its own.
            if digits.endswith(_ORDINAL) and digits[:-2].isdigit():
                digits = digits[:-2]
            elif (amount := _AMOUNT.fullmatch(digits)) is not None:
                digits = amount[1]
            else:
                return ""
        if "." not in digits and (len(digits) < 2 or digits[0] == "0"):
            # Single digits and zero-padded clock/date parts ("08") match everything.
            return ""
        return sys.intern("#" + digits)
    if "." in tok and _DOTTED.fullmatch(tok) is not None:
        tok = tok.replace(".", "")  # "U.K." is "UK", "U.S." is "US" (a stopword, as "us" is)
    if len(tok) < 2 or tok in STOPWORDS or not tok[0].isalpha():
        return ""
    return sys.intern(_ABBREVIATIONS.get(tok) or _morph(tok))


# Cleaning writes a superscript or subscript number as the characters readers see ("CO₂",
# "100²", a footnote's "said¹²"); an outlet whose feed has no markup writes "CO2". Features
# read them as digits, so both spell one feature.
_SCRIPT_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹₀₁₂₃₄₅₆₇₈₉", "01234567890123456789")


def _low(raw: str) -> str:
    """A raw token as its features read it: edges stripped, lowercase, Greek accents and
    superscript or subscript digits folded."""
    low = raw.strip(_EDGE).lower()
    if not low.isascii():
        low = low.translate(_SCRIPT_DIGITS)
        if _is_greek(low[0]):
            # Compared with the text's lowercase words: "ΦΩΤΙΑ" in a headline is "φωτιά", no
            # name.
            low = _el_fold(low)
    return low


def _entry(raw: str) -> _Entry:
    low = _low(raw)
    cap = raw[0].isupper() and len(low) > 1 and low not in _NOT_NAMES
    return _feature(low), low, cap, xxhash.xxh3_64_intdigest(low.encode("utf-8"))


def _entries(toks: list[str]) -> list[_Entry]:
    """The cache entry of each token, made for the misses. One lookup per token serves the
    features, the name guess and the sketch: the cache is large, so each lookup is a likely
    miss in the CPU's caches, and a second pass over it cost as much as the first."""
    cache = _CACHE
    entries = list(map(cache.get, toks))
    if not all(entries):  # a miss is None, an entry a 4-tuple: a truth test, not comparisons
        if len(cache) > _CACHE_MAX:
            cache.clear()
        for raw in set(compress(toks, map(not_, entries))):  # the misses, picked out in C
            cache[raw] = _entry(raw)
        entries = list(map(cache.__getitem__, toks))
    return entries  # type: ignore[return-value]  # every miss filled


def _collect(
    entries: list[_Entry], out: dict[str, int], caps: list[_Entry], lows: set[str]
) -> None:
    """Add the feature counts of the tokens' ``entries`` to ``out``; note capitalised and
    lowercase forms for name finding. All in C: no Python step per token."""
    # Counting every token's feature sums the forms that share one ("Police", "police") in
    # the order the features first occur.
    _count_elements(out, map(_FEATURE_OF, entries))
    out.pop("", None)  # stopwords, single letters: no feature
    caps.extend(filter(_IS_CAP, entries))
    lows.update(map(_LOW_OF, filterfalse(_IS_CAP, entries)))


def _names(caps: list[_Entry], lows: set[str]) -> set[str]:
    # A capitalised word is a name when the text never uses it in lowercase: that rules out
    # sentence openers and Title Case headline words without a model.
    return {feat for feat, low, _, _ in caps if feat and low not in lows}


def feature(word: str) -> str:
    """The feature a lowercase word stands for, or "" (for ``background``'s tables)."""
    return _feature(word)


def words(text: str) -> list[str]:
    """Content features of ``text`` in order (for tests and tools; not the hot path)."""
    return [f for f in map(_feature, map(_low, tokens(text))) if f]


def names(text: str) -> set[str]:
    """Capitalised words of ``text`` that look like names, as features."""
    caps: list[_Entry] = []
    lows: set[str] = set()
    _collect(_entries(tokens(text)), {}, caps, lows)
    return _names(caps, lows)


@dataclass(frozen=True, slots=True)
class DocFeatures:
    """What the engine needs of a document, computed outside any lock."""

    terms: dict[str, float]  # feature -> sublinear tf weight (title words boosted), before IDF
    entities: frozenset[str]  # names, numbers, date words: the event-specific part
    sketch: tuple[int, ...]  # bottom-k MinHash sketch of the body's word shingles, ascending
    length: int  # number of content words (title + body)
    ordered_entities: tuple[str, ...] = ()  # the entities in ``terms`` order (deterministic)
    title_shape: int = 0  # ``_title_shape``: a dated headline less its numbers and dates
    title_key: int = 0  # and those numbers and dates (both 0: the headline names no date)
    link_shape: int = 0  # ``_link_shape``: the same of the link's slug (0, 0: it names none)
    link_key: int = 0


def sketch_of(toks: list[str], *, shingle: int, k: int) -> tuple[int, ...]:
    """Bottom-k MinHash sketch (Broder): the k smallest shingle hashes under one hash function.

    Each distinct token is hashed once (xxh3 of its lowercased form, cached); a shingle's hash
    is CPython's hash of the tuple of its token hashes, deterministic for integers (no
    per-process salt), so every worker computes the same sketch.
    """
    return _sketch(_entries(toks[:_SKETCH_TOKENS]), shingle, k)


def _sketch(entries: list[_Entry], shingle: int, k: int) -> tuple[int, ...]:
    """``sketch_of`` from the tokens' cache entries."""
    ids = list(map(_HASH_OF, entries[:_SKETCH_TOKENS]))
    if len(ids) < shingle:
        return (hash(tuple(ids)),)[:k] if ids else ()
    # Sorting CPython's signed hashes orders them as well as unsigned ones would, unmasked.
    grams = sorted(map(hash, zip(*(ids[i:] for i in range(shingle)), strict=False)))
    first = grams[:k]
    # The k smallest distinct hashes. A repeated shingle is rare: sorting all of them and
    # checking the first k for neighbours that are equal is cheaper than a set of them all.
    if any(map(operator.eq, first, islice(first, 1, None))):
        return tuple(sorted(set(grams))[:k])
    return tuple(first)


def sketch_similarity(a: tuple[int, ...], b: tuple[int, ...], k: int) -> float:
    """Unbiased Jaccard estimate of two bottom-k sketches: shared share of the union's bottom k."""
    if not a or not b:
        return 0.0
    sa, sb = set(a), set(b)
    union = sorted(sa | sb)[:k]
    shared = sum(1 for x in union if x in sa and x in sb)
    return shared / len(union)


# A date in figures: 9/7/26, 9/7, 2026-09-07, 07.09.2026 (not a score "2-1" nor "3.5").
_NUMERIC_DATE = re.compile(
    r"\b(?:\d{1,2}/\d{1,2}(?:/\d{2,4})?|\d{4}-\d\d-\d\d|\d\d?\.\d\d?\.\d{4})\b"
)


def _title_shape(title: str, entries: list[_Entry]) -> tuple[int, int]:
    """Two 32-bit hashes of a headline that names a date (a weekday, a month, a date in
    figures): of its content words less its numbers and date words, and of those numbers and
    date words; (0, 0) for any other headline. An outlet's dated series (a daily puzzle, a
    lottery draw, a horoscope) keeps the first from one edition to the next and changes the
    second; a re-posted article keeps both; "Keller trial, day 3" names no date."""
    words: set[str] = set()
    when: list[int] = []
    dated = False
    for feature, _, _, hashed in entries:
        if feature in DATE_WORDS:
            dated = True
            when.append(hashed)
        elif not feature:
            continue
        elif feature < "$":  # a number ("#" + digits)
            when.append(hashed)
        else:
            words.add(feature)  # "hints" and "hint" alike
    if not (dated or _NUMERIC_DATE.search(title)):
        return 0, 0
    return _hash32("\0".join(sorted(words))), hash(tuple(when)) & 0xFFFFFFFF


def _counts(toks: list[str]) -> dict[str, int]:
    """``Counter(toks)`` as a plain dict, without ``Counter.__init__``'s Python-level checks."""
    counts: dict[str, int] = {}
    _count_elements(counts, toks)
    return counts


# Arabic news writes small counts in digits ("إصابة 5 عمال": five workers injured) where English
# style spells one to nine out, so there a single digit is often the report's main figure, not
# a clock or list part. Arabic has no capitals, hence no names: figures are its only entities,
# and a report whose one figure was a single digit was scored on its text alone, which two
# factory fires share ("حريق", "مصنع"). (A name guess from words the prior finds rare fails:
# Arabic place names are as common as event words.) Decided per document by its headline, one
# ``isascii()`` for an ASCII one: no Latin-script document's features change.
_ARABIC_SCRIPT = re.compile("[\u0600-\u06ff]")
_SINGLE_DIGITS = frozenset("123456789")
_DIGIT_EDGE = _EDGE + _AR_PUNCT


def _arabic_headline(title: str, text: str) -> bool:
    head = title or text[:80]
    return not head.isascii() and _ARABIC_SCRIPT.search(head) is not None


def _add_single_digits(counts: dict[str, int], out: dict[str, int]) -> None:
    """Add the single-digit figures among the raw tokens ``counts`` to ``out`` ("#5")."""
    for raw, c in counts.items():
        if raw[0] in _SINGLE_DIGITS and len(raw) < 3:
            digit = raw.strip(_DIGIT_EDGE)
            if digit in _SINGLE_DIGITS:
                feat = sys.intern("#" + digit)
                out[feat] = out.get(feat, 0) + c


# A link's slug is a second headline, often the first one the desk wrote, and the only one
# when the feed's title is a dateline ("9: 53 AM, MON 22 JUL 2013" at
# ".../2013-07-21/wellington-supermarket-fire/"). It is the path segment with the most words:
# section names ("world", "us-news") have fewer than three; ids and dates are digits and go,
# and a segment with a word in mixed case ("CBMiK2h0") is an encoded id, not a slug.
_SLUG_SPLIT = re.compile(r"[-_.+,~:;!]+")
_SLUG_END = re.compile(r"\.(?:s?html?|php\d?|aspx?|jspx?|cms|cfm|stm)$", re.IGNORECASE)
_SLUG_WORDS = 3


def slug_words(url: str) -> str:
    """The words of a link's slug, lowercased, space-separated ("" when it has none)."""
    best: list[str] = []
    parts = split_url(url)
    for segment in unquote(parts.path if parts else "").split("/"):
        bare = _SLUG_END.sub("", segment).replace("'", "").replace("\u2019", "")
        found = [w for w in _SLUG_SPLIT.split(bare) if w.isalpha()]
        if any(not (w.islower() or w.isupper() or w.istitle()) for w in found):
            continue
        if len(found) >= max(len(best), _SLUG_WORDS):
            best = found  # ties: the later segment, where slugs sit
    return " ".join(best).lower()


def _add_slug(slug: str, head: dict[str, int], caps: list[_Entry], lows: set[str]) -> None:
    """Add the slug's words that the title and text lack, as headline words. Words the text
    has are left out: they count already, and a lowercase slug word must not undo the name
    its capitalised form in the text is."""
    seen = lows.union([low for _, low, _, _ in caps])
    toks = [t for t in tokens(slug) if t not in seen]
    if toks:
        _collect(_entries(toks), head, caps, lows)


def _link_shape(slug: str) -> tuple[int, int]:
    """``_title_shape`` of a link's slug words: the words less the date words, and the date
    words; (0, 0) unless it names a date and has two other words. A desk words the headline of
    a daily column anew each day ("London weather: sunny spells and 22C on Thursday",
    "Met Office forecast for London Friday: ...") while the CMS keeps the link's template
    (".../london-weather-forecast-thursday-met-office-10-b1256598.html")."""
    words = slug.split()
    when = [w for w in words if w in DATE_WORDS]
    rest = [w for w in words if w not in DATE_WORDS]
    if not when or len(rest) < 2:
        return 0, 0
    return _hash32(" ".join(rest)), _hash32(" ".join(when))


def _hash32(text: str) -> int:
    return xxhash.xxh3_64_intdigest(text.encode()) & 0xFFFFFFFF


def _tf(c: int) -> float:
    return _TF[c] if c < 256 else 1.0 + math.log(c)


def extract(
    title: str,
    text: str,
    *,
    title_weight: float,
    body_words: int,
    shingle: int,
    sketch_k: int,
    headline_in_sketch: bool = False,
    url: str | None = None,
) -> DocFeatures:
    """Features of one document: weighted terms, entities and a near-duplicate sketch.

    Outlets rewrite the headline of a wire story they carry, so the copy sketch is of the body
    alone once it is longer than a stock line (a headline-only item is its headline), unless
    ``headline_in_sketch``: where outlets are unknown, one feed's stock line under every item
    would make all its items copies of each other. ``url``: the link, whose slug words the
    title and text lack count as headline words (not in the sketch)."""
    title_toks = tokens(title)
    if body_words > 0:
        # Tokenize only what can be used: news words average well under 8 characters.
        body_toks = tokens(text[: body_words * 8])
        if len(body_toks) < body_words and len(text) > body_words * 8:
            body_toks = tokens(text)
        body_toks = body_toks[:body_words]
    else:
        body_toks = tokens(text)
    caps: list[_Entry] = []
    lows: set[str] = set()
    body: dict[str, int] = {}
    head: dict[str, int] = {}
    body_entries = _entries(body_toks)
    head_entries = _entries(title_toks)
    _collect(body_entries, body, caps, lows)
    _collect(head_entries, head, caps, lows)
    slug = slug_words(url) if url else ""
    if slug:
        _add_slug(slug, head, caps, lows)
    if _arabic_headline(title, text):
        _add_single_digits(_counts(body_toks), body)
        _add_single_digits(_counts(title_toks), head)
    tf = {t: _TF[c] if c < 256 else _tf(c) for t, c in body.items()}
    for t, c in head.items():
        tf[t] = tf.get(t, 0.0) + title_weight * _tf(c)
    ents = _names(caps, lows)
    # Numbers and date words. Features are "#" + digits or start with a letter, so the
    # numbers are exactly the features that sort before "$" (one comparison, no t[0]).
    ents.update([t for t in tf if t < "$"])
    ents.update(DATE_WORDS.intersection(tf))
    if headline_in_sketch or len(body_toks) < _COPY_MIN_BODY:
        sk = _sketch(head_entries + body_entries, shingle, sketch_k)
    else:
        sk = _sketch(body_entries, shingle, sketch_k)
    length = sum(head.values()) + sum(body.values())
    shape, key = _title_shape(title, head_entries)
    link_shape, link_key = _link_shape(slug)
    return DocFeatures(
        terms=tf,
        entities=frozenset(ents),
        sketch=sk,
        length=length,
        ordered_entities=tuple(filter(ents.__contains__, tf)),
        title_shape=shape,
        title_key=key,
        link_shape=link_shape,
        link_key=link_key,
    )


# Last, so that they remember this module's globals as imported (see ``TableCache``).
_SPELLINGS = TableCache("spellings", (sys.modules[__name__],), ("wordfreq",))
_HE_RATES = TableCache("he-rates", (sys.modules[__name__],), ("wordfreq",))
