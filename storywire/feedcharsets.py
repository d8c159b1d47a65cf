"""Encoding names as browsers read them, for the legacy encodings feeds still declare.

feedparser decodes a feed with the codec Python has under the declared name, and when that
fails it tries UTF-8 and then windows-1252, which never fails: the feed is read, as mojibake.
Browsers read the same names as the WHATWG Encoding Standard says
(https://encoding.spec.whatwg.org/#names-and-labels), which differs from Python where outlets
depend on it:

* ``Shift_JIS`` is Microsoft's windows-31j (cp932) there: NEC and IBM extensions such as
  ①, ㈱ and 髙 are in Japanese feeds labelled Shift_JIS (QuiteRSS#383, a Shift_JIS feed
  unreadable; golang/go#13727, "ShiftJIS doesn't handle cp932");
* ``EUC-KR`` is Unified Hangul Code (cp949): syllables outside KS X 1001's 2,350, 똠 or 햏,
  in names;
* ``Big5`` is Big5-HKSCS: the Cantonese characters of Hong Kong's outlets (啱, 嘅);
* names Python does not know at all: ``ISO-8859-8-I`` (Hebrew, logical order),
  ``windows-874``, ``x-cp1251``, ``x-mac-cyrillic``, ``x-sjis``, ``x-gbk``…, and
  ``cp-1251`` / ``win-1251`` (SimplePie#354).

Shift_JIS and Big5 are read character by character: as Python's codec where it reads one, as
the wider codec only where it fails. A feed that decoded before decodes to the same text (cp932
would read Shift_JIS's wave dash 〜 as a fullwidth tilde, and Big5's kana as HKSCS's circled
digits), so no item changes, and one extension character in an item cannot change how the
rest of the feed reads while that item is listed. EUC-KR's bytes read the same in cp949;
GB2312 is gb18030 to feedparser already.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from typing_extensions import Buffer  # collections.abc has it from Python 3.12

# The encoding name of the processing instruction that opens a document (its first one there),
# in time linear in the instruction's length. feedparser's pattern backtracked over every
# `encoding="` of the first line, a minified feed's whole text: cubic, 2,000 of them (26 kB)
# took 20 s. feedparser reads the name with this one too (storywire.feeds), so both see it.
ENCODING_NAME: Final = re.compile(
    rb"^(?:\xef\xbb\xbf)?(?><\?[^>]*?encoding=)['\"]([^'\">]*+)['\"][^>]*+(?<=\?)>"
)

# Codecs that read a legacy encoding as Python does, and where Python fails, as browsers do.
_WIDER: Final = {"shift_jis": "cp932", "big5": "big5hkscs"}
_CODEC_PREFIX: Final = "storywire_browser_"
_ERRORS: Final = "storywire_browser_superset"


def _superset(error: UnicodeError, *, replace: bool = False) -> tuple[str, int]:
    """The character Python's codec could not read, read by its browser superset; what that
    cannot read either is an error (or, decoding with errors="replace", U+FFFD)."""
    if not isinstance(error, UnicodeDecodeError) or error.encoding not in _WIDER:
        raise error
    data = error.object[error.start : error.start + 2]
    for size in (2, 1):
        try:
            text = data[:size].decode(_WIDER[error.encoding])
        except UnicodeDecodeError:
            continue
        if len(text) == 1:
            return text, error.start + size
    if replace:
        return "\ufffd", error.start + 1
    raise error


def _superset_or_replacement(error: UnicodeError) -> tuple[str, int]:
    return _superset(error, replace=True)


def _browser_codec(name: str) -> codecs.CodecInfo | None:
    legacy = name.removeprefix(_CODEC_PREFIX)
    if legacy == name or legacy not in _WIDER:
        return None
    wider = codecs.lookup(_WIDER[legacy])

    def decode(data: Buffer, errors: str = "strict", /) -> tuple[str, int]:
        raw = bytes(data)
        handler = {"strict": _ERRORS, "replace": _ERRORS + "_or_replacement"}.get(errors, errors)
        return raw.decode(legacy, handler), len(raw)

    return codecs.CodecInfo(wider.encode, decode, name=name)


codecs.register_error(_ERRORS, _superset)
codecs.register_error(_ERRORS + "_or_replacement", _superset_or_replacement)
codecs.register(_browser_codec)


def _labels(codec: str, names: str) -> dict[str, str]:
    return dict.fromkeys(names.split(), codec)


# WHATWG labels Python does not know or reads with a narrower table, lower-cased.
_BROWSER_NAMES: Final[Mapping[str, str]] = {
    **_labels(
        _CODEC_PREFIX + "shift_jis",
        "shift_jis shift-jis sjis x-sjis csshiftjis ms_kanji ms932 windows-31j",
    ),
    **_labels(_CODEC_PREFIX + "big5", "big5 big5-hkscs cn-big5 csbig5 x-x-big5"),
    **_labels(
        "cp949",
        "euc-kr euc_kr cseuckr csksc56011987 iso-ir-149 korean ks_c_5601-1987"
        " ks_c_5601-1989 ksc5601 ksc_5601 windows-949",
    ),
    **_labels("gb18030", "gbk x-gbk csgb2312 gb_2312 gb_2312-80"),
    **_labels("euc_jp", "x-euc-jp cseucpkdfmtjapanese"),
    **_labels("iso8859-8", "iso-8859-8-i csiso88598i logical iso-8859-8-e csiso88598e visual"),
    **_labels("iso8859-6", "iso-8859-6-i csiso88596i iso-8859-6-e csiso88596e"),
    **_labels("cp874", "windows-874 dos-874 iso885911"),
    **_labels("koi8-u", "koi8-ru"),
    **_labels("koi8-r", "koi koi8"),
    **_labels("mac-cyrillic", "x-mac-cyrillic x-mac-ukrainian"),
    **_labels("mac-roman", "mac x-mac-roman csmacintosh"),
    **_labels("iso8859-7", "sun_eu_greek"),
    **_labels("utf-8", "unicode-1-1-utf-8 unicode11utf8 unicode20utf8 x-unicode20utf8"),
    **{f"iso8859{n}": f"iso8859-{n}" for n in (2, 3, 4, 5, 6, 7, 8, 10, 13, 14, 15)},
}
# x-cp1251 (WHATWG), cp-1251 (SimplePie#354), win-1251: the windows code pages.
_WINDOWS_PAGE: Final = re.compile(r"(?:x-cp|cp-|win-|windows_)(125[0-8])")


def browser_name(label: str) -> str | None:
    """The Python codec that reads ``label`` as a browser would, where it is not Python's own
    codec for that name (None then)."""
    plain = label.strip().lower()
    if (page := _WINDOWS_PAGE.fullmatch(plain)) is not None:
        return f"cp{page[1]}"
    return _BROWSER_NAMES.get(plain)


def with_browser_names(body: bytes, headers: Mapping[str, str]) -> tuple[bytes, dict[str, str]]:
    """``body`` and lower-cased ``headers`` with the encoding names in the XML declaration and
    the Content-Type charset replaced by the codecs that read them as browsers do."""
    fixed = dict(headers)
    content_type = fixed.get("content-type", "")
    media, _, params = content_type.partition(";")
    if params:
        renamed = [_renamed_param(param) for param in params.split(";")]
        fixed["content-type"] = ";".join([media, *renamed])
    match = ENCODING_NAME.match(body)
    if match is not None and (codec := browser_name(match.group(1).decode("ascii", "replace"))):
        body = body[: match.start(1)] + codec.encode() + body[match.end(1) :]
    return body, fixed


def _renamed_param(param: str) -> str:
    name, equals, value = param.partition("=")
    if name.strip().lower() != "charset" or not equals:
        return param
    codec = browser_name(value.strip().strip("\"'"))
    return f"{name}={codec}" if codec else param


# What a document that says it is UTF-8 (or says nothing) but is not is read as.
_UTF8_NAMES: Final = frozenset({"", "utf-8", "utf8", "us-ascii", "ascii"})
# A codec error handler: each byte that does not decode is its windows-1252 character.
BYTES_AS_WINDOWS_1252: Final = "storywire_bytes_as_windows_1252"


def _byte_as_windows_1252(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeDecodeError):
        raise error
    stray = error.object[error.start : error.end]
    # The five bytes windows-1252 leaves undefined are their Latin-1 characters, as in WHATWG.
    return "".join(bytes([b]).decode("cp1252", "ignore") or chr(b) for b in stray), error.end


codecs.register_error(BYTES_AS_WINDOWS_1252, _byte_as_windows_1252)

# The HTML Standard's suggested default encoding for a locale's language (§13.2.3.3): what a
# browser reads a page in that declares no encoding. Feeds that declare none carry their
# language; every other language's default is windows-1252, as feedparser's.
_LEGACY_DEFAULTS: Final = {
    **dict.fromkeys("ar fa".split(), "windows-1256"),
    **dict.fromkeys("az ku tr".split(), "windows-1254"),
    **dict.fromkeys("ba be bg kk ky mk ru sah sr tg tt uk".split(), "windows-1251"),
    **dict.fromkeys("cs hr sk".split(), "windows-1250"),
    **dict.fromkeys("hu pl sl".split(), "iso-8859-2"),
    **dict.fromkeys("et lt lv".split(), "windows-1257"),
    "el": "iso-8859-7",
    "he": "windows-1255",
    "ja": "Shift_JIS",
    "ko": "EUC-KR",
    "th": "windows-874",
    "vi": "windows-1258",
    "zh": "gb18030",  # zh-CN; zh-TW (and Hong Kong's, Macau's, Hant) is Big5
}
_TRADITIONAL: Final = frozenset({"tw", "hk", "mo", "hant"})
_LANGUAGE: Final = re.compile(
    rb"<(?:[\w.-]+:)?language>\s*([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*)\s*<"
    rb"|\bxml:lang\s*=\s*[\"']([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*)[\"']"
)


def _legacy_default(body: bytes) -> str | None:
    """The encoding a browser would read a page in the feed's declared language in."""
    match = _LANGUAGE.search(body, 0, 16 * 1024)
    if match is None:
        return None
    subtags = (match[1] or match[2]).decode().lower().replace("_", "-").split("-")
    if subtags[0] == "zh" and _TRADITIONAL.intersection(subtags[1:]):
        return "Big5"
    return _LEGACY_DEFAULTS.get(subtags[0])


def charset_param(content_type: str) -> str:
    for param in content_type.partition(";")[2].split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip("\"'").lower()
    return ""


def as_utf8(body: bytes, headers: Mapping[str, str]) -> tuple[bytes, dict[str, str], str | None]:
    """``body`` as UTF-8 when it declares UTF-8 or nothing but is not, with a warning.

    feedparser decoded such a document as windows-1252 (iso-8859-2 when a byte is undefined
    there) and repaired each text that was UTF-8 read as Latin-1. That undid a stray smart
    quote in a French feed, not in a Russian or Japanese one: one pasted windows-1252 byte in
    one item made every item of the feed mojibake (until that item left it, when they all
    changed back). A document mostly in UTF-8 is read as UTF-8, the bytes that are not as
    windows-1252; one barely in UTF-8 is in a legacy encoding it does not name, read (as a
    browser would) in the default for the language it declares, else in windows-1252.
    """
    fixed = dict(headers)
    if b"\x00" in body[:4] or body[:2] in (b"\xff\xfe", b"\xfe\xff") or body.isascii():
        return body, fixed, None  # UTF-16 or UTF-32 (feedparser sniffs them), or ASCII
    match = ENCODING_NAME.match(body)
    declared = match.group(1).decode("ascii", "replace").strip().lower() if match else ""
    if (
        declared not in _UTF8_NAMES
        or charset_param(fixed.get("content-type", "")) not in _UTF8_NAMES
    ):
        return body, fixed, None
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return body, fixed, None
    loose = body.decode("utf-8", "replace")
    stray = loose.count("\ufffd")
    utf8 = len(loose) - len(loose.encode("ascii", "ignore")) - stray
    legacy = None if utf8 > stray else _legacy_default(body)
    if legacy is None:
        text = body.decode("utf-8", BYTES_AS_WINDOWS_1252)
        warning = f"document declared as utf-8, but {stray} bytes are not: read as windows-1252"
    else:
        codec = browser_name(legacy) or legacy
        text = body.decode(codec, "replace")
        warning = f"document is not utf-8: read as {legacy}, the default for its language"
    out = text.encode("utf-8")
    if declared and (named := ENCODING_NAME.match(out)) is not None:
        out = out[: named.start(1)] + b"utf-8" + out[named.end(1) :]
    if charset_param(fixed.get("content-type", "")):
        fixed["content-type"] = fixed["content-type"].partition(";")[0] + "; charset=utf-8"
    return out, fixed, warning


def utf16_by_bom(
    body: bytes, headers: Mapping[str, str]
) -> tuple[bytes, dict[str, str], str | None]:
    """A UTF-16 ``body`` that opens with its byte order mark as UTF-8, labelled so, with a
    warning when its Content-Type charset or declaration named another encoding.

    The mark decides (XML 1.0 appendix F, RFC 7303 3.3, WHATWG's decode): feedparser let a
    charset or a declaration override it, so a UTF-16 feed under a host's default ISO-8859-1,
    or without a Content-Type, was read a NUL after every letter and lost whole; one without
    a declaration (UTF-16 needs none) served as application/xml warned it was not UTF-8.
    """
    fixed = dict(headers)
    if body[:2] not in (b"\xff\xfe", b"\xfe\xff") or body[:4] == b"\xff\xfe\x00\x00":
        return body, fixed, None  # no mark, or UTF-32's (little-endian), feedparser's to read
    order = "utf-16-le" if body[:2] == b"\xff\xfe" else "utf-16-be"
    try:
        out = body[2:].decode(order).encode("utf-8")
    except UnicodeError:  # a lone surrogate: not UTF-16 after all
        return body, fixed, None
    charset = charset_param(fixed.get("content-type", ""))
    match = ENCODING_NAME.match(out)
    declared = match.group(1).decode("ascii", "replace").strip().lower() if match else ""
    wrong = next((label for label in (charset, declared) if label and not _utf16(label)), None)
    if match is not None and declared:
        out = out[: match.start(1)] + b"utf-8" + out[match.end(1) :]
    if charset:
        fixed["content-type"] = fixed["content-type"].partition(";")[0] + "; charset=utf-8"
    else:
        # Without a charset, feedparser reads an undeclared document without a Content-Type
        # as ISO-8859-1 and a text/* one as US-ASCII: the label says what it now is.
        media = fixed.get("content-type", "").partition(";")[0].strip() or "application/xml"
        fixed["content-type"] = f"{media}; charset=utf-8"
    if wrong is None:
        return out, fixed, None
    return out, fixed, f"document declared as {wrong}, but its byte order mark says {order}"


def utf8_bom_belied(
    body: bytes, headers: Mapping[str, str]
) -> tuple[bytes, dict[str, str], str | None]:
    """``body`` without its UTF-8 byte order mark, with a warning, when what follows is not
    UTF-8 and its Content-Type charset (or, without one, its declaration) names a legacy
    encoding.

    A template saved as UTF-8 with a mark, in front of a feed its CMS writes in windows-1251:
    the mark decided (as it should for a document that is UTF-8), the bytes were not, and
    every item was mojibake. Text in a legacy encoding is practically never valid UTF-8, so
    the mark is belied and the label, which the document agrees with, decides.
    """
    fixed = dict(headers)
    if not body.startswith(_UTF8_BOM):
        return body, fixed, None
    charset = charset_param(fixed.get("content-type", ""))
    match = ENCODING_NAME.match(body)
    label = charset or (match.group(1).decode("ascii", "replace").strip().lower() if match else "")
    if not _legacy(label):
        return body, fixed, None
    try:
        body[len(_UTF8_BOM) :].decode("utf-8")
    except UnicodeDecodeError:
        warning = f"document opens with a utf-8 byte order mark, but it is not: read as {label}"
        return body[len(_UTF8_BOM) :], fixed, warning
    return body, fixed, None  # UTF-8 under a legacy label: utf8_despite_label's


_UTF8_BOM: Final = b"\xef\xbb\xbf"


def _utf16(label: str) -> bool:
    try:
        return codecs.lookup(browser_name(label) or label).name.startswith("utf-16")
    except LookupError:
        return False


def utf8_despite_label(
    body: bytes, headers: Mapping[str, str]
) -> tuple[bytes, dict[str, str], str | None]:
    """``body`` labelled UTF-8, with a warning, when it is UTF-8 but its Content-Type charset
    (or, without one, its declaration) names a legacy encoding.

    A host's default charset (Apache's AddDefaultCharset; windows-1251 at Russian hosts) on a
    feed its CMS writes in UTF-8, or a template still declaring ISO-8859-15: every item was
    read in the named encoding, mojibake, with no warning (feedparser repairs a Latin-1
    reading text by text, no other). Text in a legacy encoding is practically never valid
    UTF-8 as a whole, so a document that is, is UTF-8 (miniflux reads it so too).
    """
    fixed = dict(headers)
    if b"\x00" in body[:4] or body[:2] in (b"\xff\xfe", b"\xfe\xff") or body.isascii():
        return body, fixed, None
    charset = charset_param(fixed.get("content-type", ""))
    match = ENCODING_NAME.match(body)
    declared = match.group(1).decode("ascii", "replace").strip().lower() if match else ""
    label = charset or declared
    if not _legacy(label):
        return body, fixed, None
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return body, fixed, None
    if match is not None and declared:
        body = body[: match.start(1)] + b"utf-8" + body[match.end(1) :]
    if charset:
        fixed["content-type"] = fixed["content-type"].partition(";")[0] + "; charset=utf-8"
    return body, fixed, f"document declared as {label}, but it is utf-8: read as utf-8"


def _legacy(label: str) -> bool:
    """Whether ``label`` names an encoding that is not Unicode (an unknown name is not judged)."""
    if not label:
        return False
    try:
        name = codecs.lookup(browser_name(label) or label).name
    except LookupError:
        return False
    return not name.startswith("utf")


# WHATWG reads these labels as windows-1252; Python's latin-1 codec reads its 0x80-0x9F as C1
# controls, which feedparser maps to windows-1252 only after stripping each text, and U+0085
# (0x85, windows-1252's "…") is whitespace to str.strip(): an excerpt cut with "…" lost it.
_LATIN1_NAMES: Final = frozenset(
    "iso-8859-1 iso8859-1 iso_8859-1 iso_8859-1:1987 iso-ir-100 latin1 latin-1 l1 cp819 ibm819"
    " csisolatin1 iso88591".split()
)
# Where windows-1252 and Latin-1 differ: C1 controls in Latin-1, "…", "€", curly quotes in 1252.
_C1_BYTES: Final = re.compile(rb"[\x80-\x9f]")
_UTF8_SEQUENCE: Final = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


def latin1_as_windows_1252(body: bytes, headers: Mapping[str, str]) -> tuple[bytes, dict[str, str]]:
    """``body`` as UTF-8 when it is read as ISO-8859-1 and holds windows-1252's characters
    (0x80-0x9F), as a browser reads it. Not when any of its bytes read as UTF-8: feedparser
    repairs a text in UTF-8 read as Latin-1 (an ISO-8859-1 label on a UTF-8 feed), and does so
    from the Latin-1 reading only."""
    fixed = dict(headers)
    charset = charset_param(fixed.get("content-type", ""))
    match = ENCODING_NAME.match(body)
    declared = match.group(1).decode("ascii", "replace").strip().lower() if match else ""
    if (charset or declared) not in _LATIN1_NAMES:
        return body, fixed
    if not _C1_BYTES.search(body) or _UTF8_SEQUENCE.search(body):
        return body, fixed
    out = body.decode("cp1252", BYTES_AS_WINDOWS_1252).encode("utf-8")
    if declared and (named := ENCODING_NAME.match(out)) is not None:
        out = out[: named.start(1)] + b"utf-8" + out[named.end(1) :]
    if charset:
        fixed["content-type"] = fixed["content-type"].partition(";")[0] + "; charset=utf-8"
    return out, fixed
