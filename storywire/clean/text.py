"""HTML to plain text, titles and leads.

lxml's HTML parser is used directly, not through BeautifulSoup: the walk below needs only the
tree, and BeautifulSoup's tree building alone costs more than all of our cleaning
(bench/clean_bench.py).

Output shape: paragraphs separated by a blank line, line breaks / list items / table rows as
single lines, inline whitespace collapsed to one space, no leading or trailing whitespace.
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from collections.abc import Callable, Iterator, Sequence, Set
from html import unescape
from typing import Any, Final

from lxml import etree
from lxml.html import (
    HtmlComment,
    HtmlElement,
    HtmlEntity,
    HTMLParser,
    HtmlProcessingInstruction,
    document_fromstring,
)

from storywire.clean.repair import decode_leftover_entities, fix_mojibake, nfc, tidy
from storywire.clean.rules import (
    CompiledRules,
    Rule,
    compiled,
    cuts_at,
    in_a_sentence,
    is_embedded_post,
    leaves_the_text,
    rule_text,
)
from storywire.clean.rules import drops_line as _drops_line

# Content of these never reads as article text. A MathML formula's text does (E=mc2); its
# annotations repeat it in TeX. A ruby's reading (furigana) is set above its word, and its
# brackets (rp) show only where ruby is not supported: in the line they split the word
# ("漢(かん)字(じ)").
_STRIP: Final = (
    "script", "style", "iframe", "frame", "frameset", "form", "noscript", "template", "svg",
    "annotation", "annotation-xml", "object", "embed", "applet", "canvas", "audio", "video",
    "select", "button", "textarea", "input", "head", "title", "rt", "rp",
)  # fmt: skip
_PARAGRAPH_TAGS: Final = frozenset(
    "p div section article header footer main aside blockquote pre figure figcaption address"
    " h1 h2 h3 h4 h5 h6 ul ol dl table hr details summary center fieldset body html".split()
)
_LINE_TAGS: Final = frozenset({"li", "dt", "dd", "tr", "caption", "option", "legend"})
_CELL_TAGS: Final = frozenset({"td", "th"})

# Private-use markers between the walk and the layout; parse_html() removes them from the input.
_PARA: Final = "\ue001"
_LINE: Final = "\ue000"
_BR: Final = "\ue002"
# Around an ordered list item's number, which the layout moves past the breaks after it to
# where the item's text begins (an item may open with a paragraph).
_ITEM_OPEN: Final = "\ue003"
_ITEM_CLOSE: Final = "\ue004"
_CLOSES: Final = dict.fromkeys(_PARAGRAPH_TAGS, _PARA) | dict.fromkeys(_LINE_TAGS, _LINE)
_OPENS: Final = _CLOSES | dict.fromkeys(_CELL_TAGS, " ") | {"br": _BR}
# Whitespace is normalised with str.replace and regexes that start with one literal or one
# character class: Python's re scans those fast, and alternations ~10x slower (bench/).
_MULTI_SPACE: Final = re.compile("  +")
_BREAKS: Final = re.compile("[\ue000-\ue002]+")
_ODD_SPACE: Final = re.compile(r"[^\S \n]")
_BLANK_LINES: Final = re.compile("\n\n\n+")
# Han, kana, CJK punctuation and full-width forms; not Hangul (Korean is written with spaces).
_CJK: Final = (
    "\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff9f\U00020000-\U0003134f"
)
# Starts with the newline so the regex engine scans for a literal (~20x faster than for the
# class); the lookbehind then checks the character before it.
_WRAPPED_CJK: Final = re.compile(f"\n(?<=[{_CJK}]\n)[ \t\r\n]*(?=[{_CJK}])")

_C1: Final = re.compile("[\x80-\x9f]")
# What may follow a "<" that begins markup: a tag closed by ">" (quoted values may hold "<" and
# ">"), a tag cut off after an attribute's "=" (a truncated summary), a comment, a declaration
# or a processing instruction. Any other "<" ("a < b", "x<3", "if a<b then") is text.
# Possessive quantifiers: a "<" without its ">" must fail without backtracking.
_AFTER_LT: Final = (
    r"""/?[A-Za-z][^\s/<>]*+(?:(?:[^"'<>]++|"[^"]*+"|'[^']*+'|["'])*+>|[^<>=]*+=)"""
    r"|!(?:--|[A-Za-z\[])|\?[A-Za-z]"
)
_MARKUP_START: Final = re.compile("<(?:" + _AFTER_LT + ")")
_TEXT_LT: Final = re.compile("<(?!" + _AFTER_LT + ")")
# A tag named in running text ("Why <div> tags matter"): bare, with a space and a word before
# it (or an opening quote after a space) and a space and a word, or punctuation, after it.
_MENTION: Final = re.compile(
    r"(?:(?<=\S )|(?<=\s[\"'\u201c\u2018(`]))<(/?)([A-Za-z][^\s/<>]*+) ?/?>"
    r"(?=[,.;:!?\"'\u201d\u2019)`]*+(?: \S|\Z))"
)
_TAG_NAME: Final = re.compile(r"<(/?)([A-Za-z][^\s/<>]*+)")


def _tag_positions(text: str) -> tuple[dict[str, int], dict[str, int]]:
    """Where each tag name first starts and last ends: one scan, however many names."""
    first_start: dict[str, int] = {}
    last_end: dict[str, int] = {}
    for match in _TAG_NAME.finditer(text):
        name = match.group(2).lower()
        if match.group(1):
            last_end[name] = match.start()
        else:
            first_start.setdefault(name, match.start())
    return first_start, last_end


def holds_markup(text: str) -> bool:
    """Whether ``text`` is markup: it has a tag other than lone tags named in its sentences.

    Feed text unescaped once too often ("Why <div> tags matter", a title as feedparser gives it)
    is told from markup escaped twice by the publisher ("&lt;p&gt;Hello&lt;/p&gt;") by this:
    markup encloses text, carries attributes, or stands where a tag named in prose does not.
    """
    positions = None
    for markup in _MARKUP_START.finditer(text):
        mention = _MENTION.match(text, markup.start())
        if mention is None:
            return True
        if positions is None:
            positions = _tag_positions(text)  # only text without real markup gets this far
        first_start, last_end = positions
        name = mention.group(2).lower()
        if mention.group(1):
            lone = first_start.get(name, len(text)) > mention.start()
        else:
            lone = last_end.get(name, -1) < mention.start()
        if not lone:  # its partner is there: the pair encloses text
            return True
    return False


def _lt_as_text(html: str) -> str:
    """``html`` with each "<" that is text escaped, so the parser keeps it as text."""
    if not holds_markup(html):
        return html.replace("<", "&lt;")
    return _TEXT_LT.sub("&lt;", html)


# Removed before parsing: CDATA wrappers left in content by a feed generator (lxml would drop
# the text inside), what lxml refuses in text it is given later (controls, non-characters),
# and our markers. One-class regex and str.replace: an alternation scans ~10x slower.
_UNSAFE_CLASS: Final = "[\x00-\x08\x0e-\x1f\ue000-\ue004\ufffe\uffff]"
_UNSAFE: Final = re.compile(_UNSAFE_CLASS + "+")
# Whether there is any: sre scans for a bare class ~3x as fast as for the class with "+"
# (35 against 95 us on the clean bench's 14 KB entries), and nearly every entry has none.
_ANY_UNSAFE: Final = re.compile(_UNSAFE_CLASS)


def _without_cdata(text: str) -> str:
    if "<![CDATA[" in text:
        text = text.replace("<![CDATA[", "")
    return text.replace("]]>", "") if "]]>" in text else text


# A character reference to one of those, or to VT or FF, which the parser decodes into the
# character itself (in text and attribute values alike, with or without its ";"): "&#16;" in a
# feed's text failed every later step that sets text, and "&#xE001;" (an icon font's glyph)
# was one of our markers. Only such values match, so the callback runs for none of the usual
# references ("&#8217;").
_UNSAFE_REF: Final = re.compile(
    r"&#(?:0*+(?:[0-8]|1[124-9]|2[0-9]|3[01]|5734[4-8]|6553[45])(?![0-9])"
    r"|[xX]0*+(?:[0-8bcefBCEF]|1[0-9a-fA-F]|[eE]00[0-4]|[fF]{3}[eEfF])(?![0-9a-fA-F]));?"
)


def _unsafe_ref(match: re.Match[str]) -> str:
    code = match[0].rstrip(";")[2:]
    value = int(code[1:], 16) if code[:1] in "xX" else int(code)
    return " " if value in (0x0B, 0x0C) else ""


def _safe(html: str) -> str:
    if _ANY_UNSAFE.search(html):
        html = _UNSAFE.sub("", html)
    if "&#" in html:
        html = _UNSAFE_REF.sub(_unsafe_ref, html)
    for char in "\x0b\x0c":
        if char in html:
            html = html.replace(char, " ")
    return _without_cdata(html)


# WordPress shortcodes a feed left unrendered: a page builder's "[vc_row][vc_column
# width="1/2"]" around the text when its plugin is off, a caption or an embed in a feed built
# from the raw post. A shortcode is "[name attr=value …]", or a bare "[name]" that a "[/name]"
# closes: "[sic]", "[1]", "[a=b]" and "[Applause]" in prose are no shortcode.
_SHORTCODE_NAME: Final = r"[A-Za-z][\w-]{0,63}+"
_SHORTCODE_ATTR: Final = (
    r"""\s++[\w-]{1,64}+\s*+=\s*+(?:"[^"\[\]<>]*+"|'[^'\[\]<>]*+'|[^\s"'\[\]<>=]++)"""
)
_SHORTCODE: Final = re.compile(
    rf"\[(?:/({_SHORTCODE_NAME})|({_SHORTCODE_NAME})((?:{_SHORTCODE_ATTR})*+)\s*+/?)\]"
)
# WordPress renders a caption as the image, then the text up to "[/caption]" as its caption:
# a figure, whose caption the text leaves out and the sanitised HTML keeps under its image.
_CAPTION_SHORTCODE: Final = re.compile(
    r"\[(?:wp_)?caption\b[^\[\]]{0,1000}+\]\s*+"
    r"((?:<a\b[^<>]*+>\s*+)?<img\b[^<>]*+>(?:\s*+</a\s*+>)?)([^\[]{0,5000}+)\[/(?:wp_)?caption\]",
    re.IGNORECASE,
)
# An embed's content is the address of a player (a video, a post), which is left out as
# iframes are.
_EMBED_SHORTCODE: Final = re.compile(
    r"\[(embed|video|audio|playlist)\b[^\[\]]{0,1000}+\][^\[<]{0,2000}+\[/\1\]", re.IGNORECASE
)
# Code, where a shortcode is what a tutorial shows: its text.
_CODE_TAG: Final = re.compile(r"<(/?)(pre|code|kbd|samp|xmp)\b[^<>]*+>", re.IGNORECASE)


def _outside_code(html: str) -> list[tuple[bool, str]]:
    """``html`` in pieces, each with whether it is outside code (one scan of its code tags):
    code runs from an opening tag until each code element opened is closed again."""
    if "<" not in html:
        return [(True, html)]
    pieces: list[tuple[bool, str]] = []
    start = 0
    open_tags: dict[str, int] = {}
    for tag in _CODE_TAG.finditer(html):
        name = tag.group(2).lower()
        if not tag.group(1):
            if not open_tags:
                pieces.append((True, html[start : tag.start()]))
                start = tag.start()
            open_tags[name] = open_tags.get(name, 0) + 1
        elif name in open_tags:
            open_tags[name] -= 1
            if not open_tags[name]:
                del open_tags[name]
                if not open_tags:
                    pieces.append((False, html[start : tag.end()]))
                    start = tag.end()
    pieces.append((not open_tags, html[start:]))
    return pieces


def without_shortcodes(html: str) -> str:
    """``html`` without the WordPress shortcodes it holds outside code: captions become figures,
    embeds go, the other shortcodes' brackets go and what they enclose stays."""
    if "[" not in html or _SHORTCODE.search(html) is None:
        return html
    pieces = [
        (
            (_EMBED_SHORTCODE.sub("", _CAPTION_SHORTCODE.sub(_caption_figure, piece)), True)
            if outside
            else (piece, False)
        )
        for outside, piece in _outside_code(html)
    ]
    opened: set[str] = set()
    closed: set[str] = set()
    for piece, outside in pieces:
        if outside:
            for found in _SHORTCODE.finditer(piece):
                if found.group(1):
                    closed.add(found.group(1))
                else:
                    opened.add(found.group(2))

    def drop(found: re.Match[str]) -> str:
        closing, name, attributes = found.groups()
        if closing:
            return "" if closing in opened else found.group()
        return "" if attributes or name in closed else found.group()

    return "".join(_SHORTCODE.sub(drop, piece) if outside else piece for piece, outside in pieces)


def _caption_figure(found: re.Match[str]) -> str:
    return f"<figure>{found.group(1)}<figcaption>{found.group(2).strip()}</figcaption></figure>"


_MAX_PASSES: Final = 4

_local = threading.local()


def _parser() -> HTMLParser:
    # lxml parsers keep per-parse state: one per thread (fetch may run cleaning in threads).
    parser: HTMLParser | None = getattr(_local, "parser", None)
    if parser is None:
        parser = HTMLParser(
            encoding="utf-8",
            remove_comments=True,
            remove_pis=True,
            huge_tree=True,  # deep nesting and big text nodes are bad input, not a crash
            no_network=True,
        )
        # lxml.html's lookup is a Python method called for every element proxy made (~250,000
        # times for the bench's 300 entries, 5% of sanitize_html); the classes it adds for
        # form, input, select, textarea and label are unused here (all but label are stripped).
        parser.set_element_class_lookup(_CLASSES)
        _local.parser = parser
    return parser


_CLASSES: Final = etree.ElementDefaultClassLookup(
    element=HtmlElement, comment=HtmlComment, pi=HtmlProcessingInstruction, entity=HtmlEntity
)


class TooDeepError(ValueError):
    """libxml2 stopped at its nesting limit (2,048) and would lose the rest of the document."""


_STRIP_BUT_NOSCRIPT: Final = tuple(tag for tag in _STRIP if tag != "noscript")


def parse_html(html: str, *, keep_noscript: bool = False) -> HtmlElement | None:
    """Parse markup into an lxml tree; None when there is nothing to parse.

    ``keep_noscript`` leaves ``<noscript>`` elements in the tree (their images are a lazy
    loader's real ones) for the caller to resolve.
    Raises ``TooDeepError`` for documents nested deeper than libxml2 allows (never real
    articles; ``strip_tags`` is the fallback).
    """
    # Encoding ourselves sidesteps lxml's refusal of str input with an XML encoding declaration;
    # "ignore" drops lone surrogates, which have no UTF-8 form.
    data = _lt_as_text(_safe(html)).encode("utf-8", "ignore")
    if not data.strip():
        return None
    parser = _parser()
    try:
        root = document_fromstring(data, parser=parser)
    except (etree.ParserError, ValueError):
        return None
    if any(error.type_name == "ERR_RESOURCE_LIMIT" for error in parser.error_log):
        raise TooDeepError("document nested deeper than the HTML parser allows")
    etree.strip_elements(root, *(_STRIP_BUT_NOSCRIPT if keep_noscript else _STRIP), with_tail=False)
    return root


_FALLBACK_DROP: Final = re.compile(
    r"<!--.*?-->|<(script|style|noscript|iframe|template|svg|textarea)\b[^>]*>.*?</\1\s*>",
    re.IGNORECASE | re.DOTALL,
)
_FALLBACK_PARAGRAPH: Final = re.compile(
    r"</?(?:p|div|h[1-6]|ul|ol|table|blockquote|section|article)\b[^>]*>", re.IGNORECASE
)
_FALLBACK_LINE: Final = re.compile(r"</?(?:br|li|tr|dt|dd)\b[^>]*>", re.IGNORECASE)
_FALLBACK_TAG: Final = re.compile(r"<[^>]*>")


def strip_tags(html: str) -> str:
    """Text of markup lxml cannot parse whole, by regex: cruder, but linear and total."""
    text = _FALLBACK_DROP.sub(" ", _safe(html))
    text = _FALLBACK_LINE.sub("\n", _FALLBACK_PARAGRAPH.sub("\n\n", text))
    return unescape(_FALLBACK_TAG.sub(" ", text).replace("<", " "))


# An image that stands for a character: WordPress's emoji and smileys (class "wp-smiley"),
# twemoji ("emoji"), or any image whose alt text is emoji alone. Readers see the character in
# the line, so it is text; other images' alt text describes a picture, which is not.
_EMOJI_ALT: Final = re.compile(
    "[\u00a9\u00ae\u203c\u2049\u2122\u2139\u2190-\u21ff\u231a-\u23ff\u24c2\u25a0-\u27bf"
    "\u2934\u2935\u2b00-\u2bff\u3030\u303d\u3297\u3299\u200d\u20e3\ufe0e\ufe0f"
    "\U0001f000-\U0001faff\U000e0020-\U000e007f#*0-9]{1,16}"
)
_MAX_EMOJI_ALT: Final = 32
# WordPress (its feeds' static emoji and smileys), twemoji and Discourse, Mastodon, EmojiOne.
_EMOJI_CLASSES: Final = frozenset({"wp-smiley", "emoji", "twemoji", "custom-emoji", "emojione"})


def emoji_text(img: HtmlElement) -> str | None:
    """The character an emoji image stands for (its alt text), None for any other image."""
    alt = (img.get("alt") or "").strip()
    if not alt or len(alt) > _MAX_EMOJI_ALT or "\n" in alt:
        return None
    if _EMOJI_CLASSES.intersection((img.get("class") or "").split()):
        return alt
    # Digits, "#" and "*" are emoji only as keycaps (with U+20E3): an alt of "1" is no emoji.
    if _EMOJI_ALT.fullmatch(alt) and alt.strip("#*0123456789\u200d\ufe0e\ufe0f"):
        return alt
    return None


# Superscript and subscript numbers as the characters they show: "100<sup>2</sup>" read
# "1002", a footnote's "<sup>12</sup>" glued to its word ("otherwise12"). Only what Unicode
# has forms for; "1<sup>er</sup>" or "[3]" read as written.
_SCRIPT_CHARS: Final = "0123456789+-\u2212=()"
_SUPERSCRIPT: Final = str.maketrans(_SCRIPT_CHARS, "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾")
_SUBSCRIPT: Final = str.maketrans(_SCRIPT_CHARS, "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎")
_SCRIPT_NUMBER: Final = re.compile("[-+\u2212=(]*[0-9][-+\u2212=()0-9]{0,11}")
_SCRIPT_TAGS: Final = frozenset({"sup", "sub"})


def script_text(el: HtmlElement) -> str | None:
    """A ``sup``/``sub`` holding a number alone, in superscript or subscript characters.

    One with an element inside (a footnote's link) is left to the rules.
    """
    if len(el) or not el.text:
        return None
    number: str = el.text.strip()
    if not _SCRIPT_NUMBER.fullmatch(number):
        return None
    return number.translate(_SUPERSCRIPT if el.tag == "sup" else _SUBSCRIPT)


# An integer attribute as browsers read one (start, value): its leading digits, after a sign.
_LIST_NUMBER: Final = re.compile(r"\s*+([-+]?\d{1,9})")


def list_number(value: str | None) -> int | None:
    """An ``<ol start>`` or ``<li value>`` as a number, None when it holds none."""
    found = _LIST_NUMBER.match(value) if value else None
    return int(found.group(1)) if found else None


def _opens_with_a_link(el: HtmlElement) -> bool:
    """Whether a link is the first thing in ``el`` (in bold or not)."""
    for _ in range(_LINK_DEPTH):
        if (el.text or "").strip() or not len(el):
            return False
        el = el[0]
        if el.tag == "a":
            return True
    return False


# How deep a link opening an item may be (<li><strong><a>): a few wrappers.
_LINK_DEPTH: Final = 4


def _numbering(ol: HtmlElement) -> list[int] | None:
    """How an ordered list counts, as [next number, step, current number]; None for a list
    whose every item opens with a link: pointers (Google News's cluster of headlines, a "most
    read" box), whose numbers say nothing of what they point at."""
    items = [child for child in ol if child.tag == "li"]
    if all(_opens_with_a_link(item) for item in items):
        return None
    step = -1 if ol.get("reversed") is not None else 1
    start = list_number(ol.get("start"))
    if start is None:
        start = len(items) if step < 0 else 1
    return [start, step, start]


def _dropper(root: HtmlElement, table: CompiledRules | None) -> Callable[[Any], bool] | None:
    """The element rules as one test, applied during the walk (no second pass over the tree)."""
    if table is None:
        return None
    tests: list[Callable[[Any], bool]] = [leaves_the_text(root)]
    if table.text_drop is not None:
        tests.append(table.text_drop.predicate(root))
    for matcher, pattern in table.drop_matching:
        tests.append(functools.partial(_text_matches, matcher.predicate(root), pattern))
    return functools.reduce(_either, tests) if tests else None


def _either(first: Callable[[Any], bool], second: Callable[[Any], bool]) -> Callable[[Any], bool]:
    return lambda el: first(el) or second(el)


def _text_matches(test: Callable[[Any], bool], pattern: re.Pattern[str], el: HtmlElement) -> bool:
    if not test(el):
        return False
    text = rule_text(el)
    return text is not None and bool(pattern.search(text)) and not in_a_sentence(el)


# One flat loop on purpose: it runs per element, and helper calls would cost ~20% of it.
def _walk(  # noqa: PLR0912, PLR0915
    root: HtmlElement, table: CompiledRules | None, code: set[str]
) -> tuple[str, list[str], list[str]]:
    """The text of a tree with break markers, the texts left out of it (captions, embedded
    posts) and the alt texts of its images; the lines of its code blocks go into ``code``."""
    parts: list[str] = []
    alts: list[str] = []
    asides: list[str] = []
    append = parts.append
    drops = _dropper(root, table)
    # Asked only of dropped elements, so the walk pays for one matcher per element.
    text_only: Callable[[Any], bool] | None = None
    if table is not None:
        text_only = is_embedded_post
        if table.drop_text is not None:
            text_only = _either(table.drop_text.predicate(root), is_embedded_post)
    dropped = None
    items = 0  # open list items: inside one, blocks (a nested list, a <p>) are lines
    # Each open list's numbering (None: not numbered), and where each open item's number is.
    lists: list[list[int] | None] = []
    numbers: list[int] = []
    quotes = 0  # open <q> elements
    cells: list[int] = []  # where each open table cell's parts begin
    walker = etree.iterwalk(root, events=("start", "end"))
    for event, el in walker:
        tag = el.tag
        if event == "start":
            if drops is not None and drops(el):
                # Its end event still comes, next: only its tail is kept.
                walker.skip_subtree()
                dropped = el
                if text_only is not None and text_only(el):
                    asides.append(el.text_content())
                continue
            if tag == "pre":
                # Its newlines are its lines (HTML collapses them everywhere else).
                walker.skip_subtree()
                dropped = el
                lines = el.text_content().strip("\n").split("\n")
                code.update(_code_line(line) for line in lines)
                append(_PARA + _BR.join(lines) + _PARA)
                continue
            marker = _OPENS.get(tag)
            if marker:
                append(_LINE if items and marker == _PARA else marker)
                if tag == "li":
                    items += 1
                    numbers.append(_item_number(parts, lists, el))
                elif tag in _LISTS:
                    lists.append(_numbering(el) if tag == "ol" else None)
                elif tag in _CELL_TAGS:
                    cells.append(len(parts))
            elif tag == "img":
                alt = el.get("alt")
                if alt and alt.strip():
                    character = emoji_text(el)
                    if character is None:
                        alts.append(alt)
                    else:
                        append(character)
            elif tag in _SCRIPT_TAGS:
                number = script_text(el)
                if number is not None:
                    append(number)
                    continue  # no child, and its tail comes with its end event
            elif tag == "q":
                append(QUOTE_MARKS[quotes % 2][0])
                quotes += 1
            if el.text:
                append(el.text)
        else:
            if el is dropped:
                dropped = None
            else:
                marker = _CLOSES.get(tag)
                if marker:
                    if tag == "li":
                        items -= 1
                        _unnumber_if_empty(parts, numbers.pop())
                    elif tag in _LISTS:
                        lists.pop()
                    append(_LINE if items and marker == _PARA else marker)
                elif tag in _CELL_TAGS and cells:
                    _one_block_cell(parts, cells.pop())
                elif tag == "q":
                    quotes -= 1
                    append(QUOTE_MARKS[quotes % 2][1])
            if el.tail:
                append(el.tail)
    return "".join(parts), asides, alts


_LISTS: Final = frozenset({"ol", "ul"})


def _item_number(parts: list[str], lists: list[list[int] | None], li: HtmlElement) -> int:
    """Append a list item's number when its list is numbered (after the numbers of the items
    of ordered lists around it, "2.1.": the indent that tells a nested list apart is lost in a
    line); where it is in ``parts``, -1 for none."""
    numbering = lists[-1] if lists else None
    if numbering is None:
        return -1
    value = list_number(li.get("value"))
    number = numbering[0] if value is None else value
    numbering[0], numbering[2] = number + numbering[1], number
    label = ".".join(str(outer[2]) for outer in lists if outer is not None)
    parts.append(f"{_ITEM_OPEN}{label}.{_ITEM_CLOSE}")
    return len(parts) - 1


def _unnumber_if_empty(parts: list[str], at: int) -> None:
    """Remove the number of an item that holds no text (an image alone, or what the rules
    took): it would stand before the next item's."""
    if at < 0:
        return
    # By index: islice would skip every part before the item's, once for each item.
    for index in range(at + 1, len(parts)):
        if parts[index].strip(" \t\n\r\f\v\ue000\ue001\ue002"):
            return
    parts[at] = ""


# The quotation marks browsers draw around <q> (HTML's default stylesheet), and around a <q>
# inside one: the markup has none, and the words would no longer read as quoted.
QUOTE_MARKS: Final = (("\u201c", "\u201d"), ("\u2018", "\u2019"))


def _one_block_cell(parts: list[str], start: int) -> None:
    """A table cell whose content is one block (``<td><p>Team A</p></td>``, as word processors
    and many CMSs write every cell) is a cell of its row, not a paragraph: the block's breaks
    at the cell's edges go, so the row reads "Team A 3", not "Team A", "3". A cell of several
    blocks (a layout table's column) keeps its paragraphs."""
    edges: list[int] = []
    seen_text = broken = False  # broken: a break came after the cell's first text
    for at in range(start, len(parts)):
        part = parts[at]
        if part in (_PARA, _LINE):
            broken = seen_text
            edges.append(at)
        elif part.strip():
            if broken or _PARA in part or _LINE in part:
                return  # a break between two texts (a second block), or a code block
            seen_text = True
    for at in edges:
        parts[at] = ""


def _break(match: re.Match[str]) -> str:
    run = match.group()
    if _PARA in run or run.count(_BR) > 1:
        return "\n\n"
    return "\n"


def _collapse_spaces(text: str, whitespace: str) -> str:
    for char in whitespace:
        if char in text:
            text = text.replace(char, " ")
    return _MULTI_SPACE.sub(" ", text) if "  " in text else text


# An item's number and the breaks after it: the number goes to the text after them.
_ITEM: Final = re.compile(f"{_ITEM_OPEN}([^{_ITEM_CLOSE}]*){_ITEM_CLOSE}([\ue000-\ue002\\s]*)")


def _html_layout(text: str) -> str:
    if _ITEM_OPEN in text:
        text = _ITEM.sub(r"\2\1 ", text)
    # A source line break between two CJK characters is no word space (CSS Text 3, as Firefox
    # renders it): Chinese and Japanese are written without spaces and hard-wrapped anywhere.
    text = _WRAPPED_CJK.sub("", text)
    # HTML whitespace is collapsed first, so only the markers say where lines end.
    text = _collapse_spaces(text, "\n\t\r\f\v")
    for marker in (_PARA, _LINE, _BR):
        text = text.replace(" " + marker, marker).replace(marker + " ", marker)
    return _BREAKS.sub(_break, text)


def _layout(text: str, *, inline: bool = False) -> str:
    """Text in our shape: lines stripped, spaces collapsed, paragraphs one blank line apart.

    ``inline`` makes it a single line (titles).
    """
    if inline:
        # A title hard-wrapped between two CJK characters, as HTML's are (_html_layout).
        return " ".join((_WRAPPED_CJK.sub("", text) if "\n" in text else text).split())
    if _ODD_SPACE.search(text):
        text = _ODD_SPACE.sub(" ", text)
    text = _collapse_spaces(text, "").replace(" \n", "\n").replace("\n ", "\n")
    return _BLANK_LINES.sub("\n\n", text).strip(" \n")


def _code_line(line: str) -> str:
    """A line of a code block as it comes out of ``_finish``, near enough to be known there."""
    return nfc(" ".join(tidy(line).split()))


# The number an ordered list's item opens with (_item_number), to try the rules without it.
_ITEM_NUMBER: Final = re.compile(r"-?\d+(?:\.-?\d+)*\. ")


def _apply_line_rules(
    text: str, table: CompiledRules, code: Set[str] = frozenset(), *, numbered: bool = False
) -> str:
    paragraphs: list[str] = []
    for block in text.split("\n\n"):
        lines: list[str] = []
        for line in block.split("\n"):
            if line in code:
                # A line of a code block is code, whatever it looks like: a lone "}" is no
                # separator to drop.
                lines.append(line)
                continue
            # A list item is what it says, whatever its number ("3. Advertisement").
            item = _ITEM_NUMBER.match(line) if numbered else None
            bare = line[item.end() :] if item else line
            if cuts_at(line, table) or (item and cuts_at(bare, table)):
                if lines:
                    paragraphs.append("\n".join(lines))
                return "\n\n".join(paragraphs)
            if not _drops_line(line, table) and not (item and _drops_line(bare, table)):
                lines.append(line)
        if lines:
            paragraphs.append("\n".join(lines))
    return "\n\n".join(paragraphs)


# A UTF-8 lead byte of a two-byte character read as cp1252 (Â..ß), then the byte A0 read as a
# no-break space: only ever mojibake ("Â\xa0" is U+00A0, "Ã\xa0" "à", "Ð\xa0" "Р"). Not the
# letters of three-byte leads (à..ï), which French sets before its no-break spaces.
_NBSP_MOJIBAKE: Final = re.compile("[\u00c2-\u00df]\u00a0")


def _finish(
    text: str,
    table: CompiledRules | None,
    *,
    inline: bool = False,
    code: Set[str] = frozenset(),
    numbered: bool = False,
) -> str:
    text = tidy(decode_leftover_entities(text), keep_c1=True)
    if "\u00a0" in text and _NBSP_MOJIBAKE.search(text):
        # UTF-8's no-break space read as cp1252 is "Â\xa0", its "à" "Ã\xa0": ftfy needs that
        # no-break space, which the layout makes a space ("The costÂ was high."). The output
        # has none, so cleaning it again never comes here.
        text = fix_mojibake(text)
    text = _layout(text, inline=inline)
    # ftfy runs on laid-out text, so it sees the same context when our output is cleaned
    # again: its verdict depends on neighbouring characters, spaces included.
    # Dropping the controls ftfy left can give it new context, hence the (short) loop.
    for _ in range(_MAX_PASSES):
        fixed = fix_mojibake(text)
        if fixed == text and not _C1.search(text):
            break
        text = _layout(tidy(fixed), inline=inline)
    text = nfc(text)
    if table is not None and text:
        text = _apply_line_rules(text, table, code, numbered=numbered)
    return _without_excerpt_marks(text, code) if "]" in text else text


# An excerpt feed's cut (WordPress's " [&hellip;]"), at the end of a line: the brackets are
# furniture; the ellipsis says the text goes on. "[…]" inside a line is a quotation's omission.
_EXCERPT_MORE: Final = re.compile(r"[ \t]*\[(?:…|\.\.\.)\]$")


def _without_excerpt_marks(text: str, code: Set[str]) -> str:
    return "\n".join(
        line if line in code else _EXCERPT_MORE.sub(" …", line) for line in text.split("\n")
    )


def _convert(source: str, table: CompiledRules | None, *, inline: bool) -> str:
    if not holds_markup(source):
        return _finish(_without_cdata(source), table, inline=inline)
    try:
        root = parse_html(without_shortcodes(source))
    except TooDeepError:
        return _finish(strip_tags(source), table, inline=inline)
    if root is None:
        return ""
    code: set[str] = set()
    raw, asides, alts = _walk(root, table, code)
    numbered = _ITEM_OPEN in raw
    text = _finish(_html_layout(raw), table, inline=inline, code=code, numbered=numbered)
    if not text and asides:
        # A photo post: its caption is all the text there is.
        text = _finish("\n\n".join(asides), table, inline=inline)
    if not text and alts:
        # A photo post without a caption: the alt text is the only description there is.
        text = _finish("\n\n".join(alts), table, inline=inline)
    return text


def _to_fixed_point(source: str, table: CompiledRules | None, *, inline: bool = False) -> str:
    text = _convert(source, table, inline=inline)
    # Text decoded from escaped markup ("&lt;p&gt;", "]]&gt;") is markup again: clean until it
    # is text, so the output is also a fixed point (cleaning it again changes nothing).
    for _ in range(_MAX_PASSES):
        if not holds_markup(text) and "]]>" not in text:
            break
        again = _convert(text, table, inline=inline)
        if again == text:
            break
        text = again
    return text


def html_to_text(
    html: str, *, base_url: str | None = None, rules: Sequence[Rule] | None = None
) -> str:
    """Plain text of an entry's HTML (or of plain text), ready for downstream use as it is.

    ``rules`` are a source's extra rules, applied with ``DEFAULT_RULES``. ``base_url`` is
    accepted for symmetry with ``sanitize_html``; plain text carries no links.
    Input without markup is treated as text: its line and paragraph breaks are kept.
    """
    del base_url
    return _to_fixed_point(html, compiled(rules))


def _outlet_names(outlet: str) -> list[str]:
    name = " ".join(outlet.split())
    names = {name}
    for prefix in ("The ",):
        if name.startswith(prefix):
            names.add(name[len(prefix) :])
    for suffix in (" News", " Online"):
        if name.endswith(suffix):
            names.add(name[: -len(suffix)])
        else:
            names.add(name + suffix)
    return sorted(names, key=len, reverse=True)


@functools.lru_cache(maxsize=1024)
def _outlet_suffix(outlet: str) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in _outlet_names(outlet))
    # Doubled separators too: Slashdot's " :: ", plain-text " -- ". Chinese and Japanese
    # titles set theirs without spaces ("…会议：人民网", "…_新华网", "…——新华网", "…｜日経"):
    # full-width ones anywhere, the others after a CJK character (never inside "Coca-Cola").
    # Direction marks (LRM, RLM, ALM) around separator and name, as RTL sites set them, are
    # spacing, not words.
    return re.compile(
        rf"(?:\s{_SPACING}*{_TITLE_SEPARATOR}|{_SPACING}*[\uff1a\uff5c\uff0d\uff3f\u30fb]"
        rf"|(?<=[{_CJK}]){_TITLE_SEPARATOR})"
        rf"{_SPACING}*(?:the\s+)?(?:{alternatives}){_SPACING}*$",
        re.I,
    )


_SPACING: Final = "[\\s\u200e\u200f\u061c]"
_TITLE_SEPARATOR: Final = "[-_\u2013\u2014|:\u00b7\u2022]{1,2}"


# Reuters' agency feed opens titles with housekeeping tags ("UPDATE 2-", "REFILE-", "RPT-"),
# uppercase and glued to the headline; Yonhap's with bracketed ones. They say which
# transmission this is, nothing of the story, and would make "update" a headline word that
# unrelated stories share. Genre tags
# ("EXCLUSIVE-", "ANALYSIS-") say what the piece is and stay.
_WIRE_TAGS: Final = re.compile(
    r"(?:(?:REFILE|REPEAT|RPT|CORRECTED|CORRECTION|(?:UPDATE|WRAPUP)(?: \d{1,2})?)-)+(?=\S)"
    # Yonhap's, in brackets and before a space: "(URGENT)", then "(LEAD)", "(2nd LEAD)",
    # "(3rd LD)", "(AMEND)" as the story is rewritten. "(News Focus)" and the like are genre.
    r"|(?:\((?:URGENT|AMEND|CORRECTED|(?:\d{1,2}(?:ST|ND|RD|TH|st|nd|rd|th) )?(?:LEAD|LD))\) )+"
    r"(?=\S)"
)


def clean_title(title: str, *, outlet: str | None = None) -> str:
    """A title as one clean line: no markup, no entities, no mojibake, no wire housekeeping
    tags, no trailing site name.

    The trailing site name (" - BBC News", " | Reuters") is removed only when ``outlet`` is
    known, and never when it is all the title there is.
    """
    text = _to_fixed_point(title, None, inline=True)
    if (tags := _WIRE_TAGS.match(text)) is not None:
        text = text[tags.end() :]
    if outlet and outlet.strip():
        suffix = _outlet_suffix(outlet)
        while True:
            shorter = suffix.sub("", text)
            if shorter == text or not shorter.strip():
                break
            text = shorter
    return text


# A sentence ends at . ! ? … (with closing quotes or brackets) before whitespace, or at CJK
# full stops anywhere, with the closing quotes and brackets after them: Japanese 」』, Chinese
# ” ’ ） 》 】 (Xinhua quotes “…。”: the quote's end is its sentence's). Other scripts' own
# marks, also before whitespace: Arabic's ؟ (and Urdu's full stop ۔), Devanagari's danda । ॥,
# Armenian's ։, Ethiopic's ። and Burmese's ။.
# Closing quotes as the languages set them: German „…“ and »…«, Swiss and Russian «…», French
# « … » with its space before the closing one (an opening quote is never followed by a space,
# so none of these is taken for the next sentence's).
_CJK_CLOSERS: Final = "\u300d\u300f\u201d\u2019\uff09\u300b\u3009\u3011\u3015\u3017\uff3d"
_SENTENCE_END: Final = re.compile(
    "[.!?\u2026\u061f\u06d4\u0964\u0965\u0589\u1362\u104b]+"
    "[\"'\u201c\u201d\u2019\u00ab\u00bb\u2039\u203a)\\]]*(?: \u00bb)?(?=\\s|$)"
    f"|[\u3002\uff01\uff1f]+[{_CJK_CLOSERS}]*"
)
_CJK_STOPS: Final = "\u3002\uff01\uff1f"
_ABBREVIATIONS: Final = frozenset(
    "mr mrs ms dr prof sen rep gov gen col lt sgt capt st jr sr inc ltd co corp vs etc e.g i.e"
    " fig approx dept jan feb mar apr jun jul aug sep sept oct nov dec u.s u.k u.n"
    " e.u a.m p.m".split()
    # Other languages' abbreviations that stand before a capitalised word or a number: Spanish
    # "EE. UU." (the United States), "Sra.", "Dra."; German "5 Mrd. Euro", "20 Mio. Euro",
    # "ca. 300", "Nr. 1", "Tsd.", "bzw."; French "av. J.-C."; Italian "Sig.", "Dott.", "Avv.";
    # Russian "им." (named after), "ул." (street), "гг." (years). Words that often end a
    # sentence stay out (French "Me" for Maître is "me"); Italian "mio" ("my") is in, for
    # German's "Mio.", far more common before a capital in news than Italian "… mio. Poi".
    + "ee uu sra srta dra dña ca nr mio mrd tsd bzw av sig dott avv им ул гг".split()
)
# Abbreviations only before a number ("the No. 3 seed", "Vol. 2"): "The answer was no." ends.
_BEFORE_NUMBERS: Final = frozenset("no nos vol vols pp pg art ch sec para op".split())
# Month names written after a day's ordinal with a full stop (German and Austrian usage;
# Scandinavian months are lowercase and continue a sentence anyway).
_MONTHS: Final = frozenset(
    "Januar Jänner Februar Feber März April Mai Juni Juli August September Oktober November"
    " Dezember Jan. Feb. Mär. Apr. Jun. Jul. Aug. Sep. Sept. Okt. Nov. Dez.".split()
)


def _abbreviated(word: str, following: str) -> bool:
    """Whether the full stop between ``word`` and the ``following`` word ends an abbreviation
    or initial.

    A number is no initial: "He scored 3. Then…" ends a sentence ("3.5" has no space after it,
    so it never looked like an end).
    """
    token = word.lower().lstrip("(\"'\u201c\u2018")
    if token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha()):
        return True
    if token.isdigit() and len(token) <= 2:
        # A day's ordinal before a month's name ("am 3. Oktober", German): not a sentence end.
        return bool(following) and following.rstrip(",;:") in _MONTHS
    return token in _BEFORE_NUMBERS and following[:1].isdigit()


_NEXT_WORD: Final = re.compile(r"\s*+(\S*+)")


def _word_after(line: str, start: int) -> str:
    """The first word of ``line[start:]``, "" if none."""
    found = _NEXT_WORD.match(line, start)
    return found[1] if found else ""


def _word_before(line: str, start: int, stop: int) -> str:
    """The last word of ``line[start:stop]`` (as ``rsplit(None, 1)`` has it), read from its
    end: only the words around each full stop are looked at, never the sentence so far."""
    end = stop
    while end > start and line[end - 1].isspace():
        end -= 1
    begin = end
    while begin > start and not line[begin - 1].isspace():
        begin -= 1
    return line[begin:end]


def _sentences(text: str) -> Iterator[tuple[str, str]]:
    """Each sentence with what goes before it in a lead: "" where the text had no space.

    Lazy, and linear in the text read: a lead takes a few sentences of what may be megabytes
    (slicing the rest of the line at each full stop made a 1 MB line cost 1.4 s, "A. " * 10**6
    minutes).
    """
    previous = ""
    for raw in text.split("\n"):
        line = raw.strip()
        start = 0
        for match in _SENTENCE_END.finditer(line):
            end = match.end()
            mark = match.group()[0]
            if mark not in _CJK_STOPS:
                # '“Is it over?” she asked.' goes on: a lowercase word continues the sentence
                # after any of these marks (CJK stops end one whatever follows).
                following = _word_after(line, end)
                if following[:1].islower():
                    continue
                if mark == "." and _abbreviated(
                    _word_before(line, start, match.start()), following
                ):
                    continue
            sentence = line[start:end].strip()
            if sentence:
                yield _separator(line, start, previous, sentence), sentence
                previous = sentence
            start = end
        if sentence := line[start:].strip():
            yield _separator(line, start, previous, sentence), sentence
            previous = sentence


_CJK_STOP_END: Final = re.compile(f"[\u3002\uff01\uff1f][{_CJK_CLOSERS}]*$")
_CJK_START: Final = re.compile(f"[{_CJK}]")


def _separator(line: str, start: int, previous: str, sentence: str) -> str:
    """What goes before ``sentence`` (at ``line[start:]``, after ``previous``) in a lead: a
    space, or none where the text has none. CJK sentences follow each other unspaced, within a
    line as it has them and from one paragraph to the next: a space would be a character the
    text never had."""
    if start > 0:
        return "" if not line[start].isspace() else " "
    if _CJK_STOP_END.search(previous) and _CJK_START.match(sentence):
        return ""
    return " "


# What continues the character before it (UAX #29's extend, spacing marks and ZWJ sequences):
# combining marks, ZWJ, variation selectors, emoji skin tones, emoji tag characters.
_CONTINUES: Final = re.compile(
    "[\u200d\ufe00-\ufe0f\U0001f3fb-\U0001f3ff\U000e0020-\U000e007f\U000e0100-\U000e01ef]"
)
_REGIONAL_INDICATOR: Final = re.compile("[\U0001f1e6-\U0001f1ff]")


def _continues(char: str) -> bool:
    return unicodedata.category(char) in ("Mn", "Mc", "Me") or bool(_CONTINUES.match(char))


def _character_start(text: str, at: int) -> int:
    """The start of the user-perceived character (grapheme cluster) ``text[at]`` belongs to, so
    a cut there leaves no base without its marks, no half of a ZWJ emoji, no lone flag letter.

    An approximation of UAX #29 for what a cut meets in NFC text: Indic conjuncts (a virama
    joins the next consonant), marks, joiners and regional-indicator pairs.
    """
    at = min(at, len(text))
    while 0 < at < len(text) and (
        _continues(text[at])
        or text[at - 1] == "\u200d"
        or unicodedata.combining(text[at - 1]) == 9  # a virama: the conjunct goes on
    ):
        at -= 1
    if 0 < at < len(text) and _REGIONAL_INDICATOR.match(text[at]):
        pairs = at
        while pairs > 0 and _REGIONAL_INDICATOR.match(text[pairs - 1]):
            pairs -= 1
        at -= (at - pairs) % 2  # flags are pairs: an odd count would split one
    return at


# A note about the article set above it (AP's "EDITOR'S NOTE —", a CMS's "Correction:"): its
# label, then a colon or a dash.
_EDITORS_NOTE: Final = re.compile(
    r"\W*(?:editor(?:['’]s|s['’]?)? note|note from the editor|corrections?|clarifications?"
    r"|anmerkung der redaktion|hinweis der redaktion|note de la rédaction"
    r"|nota (?:del editor|de la redacción|da redação|della redazione))\s*[:\u2013\u2014-]",
    re.IGNORECASE,
)
# How many such notes a lead looks past.
_MAX_NOTES: Final = 3


def _story(text: str) -> str:
    """``text`` from its first paragraph that is no editor's note about the article, or all of
    it when that is all there is: a lead is what the article reports."""
    rest = text
    for _ in range(_MAX_NOTES):
        paragraph = rest.lstrip()
        if not _EDITORS_NOTE.match(paragraph):
            break
        _, _, after = paragraph.partition("\n\n")
        if not after.strip():
            break
        rest = after
    return rest


def lead(text: str, max_chars: int = 300) -> str:
    """The first whole sentences of ``text`` that fit in ``max_chars`` characters, from the
    first paragraph that is no editor's note or correction set above the story.

    When even the first sentence is longer, it is cut at a word boundary and ends with "…".
    """
    if max_chars < 1:
        raise ValueError("max_chars must be at least 1")
    text = _story(text)
    picked: list[str] = []
    size = 0
    for separator, sentence in _sentences(text):
        # A line that ends on a word (a standfirst, a bullet, a heading) would run into the
        # next sentence, as one: a full stop ends it. CJK lines have no such stop to borrow.
        stop = "." if picked and picked[-1][-1].isalnum() and picked[-1][-1] < "\u2e80" else ""
        piece = separator + sentence if picked else sentence
        if size + len(stop) + len(piece) > max_chars:
            break
        if stop:
            picked[-1] += stop
        picked.append(piece)
        size += len(stop) + len(piece)
    if picked or not text.strip():
        return "".join(picked)
    flat = " ".join(text.split())
    first = flat[: _character_start(flat, max_chars - 1)]
    if flat[len(first) : len(first) + 1] == " ":
        cut = first  # its last word ends right at the budget: whole, so kept
    else:
        cut = first.rsplit(" ", 1)[0] if " " in first else first
    return cut.rstrip(" ,;:-\u2013\u2014") + "\u2026"
