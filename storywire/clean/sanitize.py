"""Sanitised HTML for re-publishing (an optional field of the article event).

lxml applies the rules and makes links absolute; nh3 (the Rust ammonia sanitiser) enforces the
allow-list, so the security boundary is a maintained sanitiser, not our code. Before nh3, tags
outside the list are mapped to their nearest allowed form (b -> strong, a heading -> a paragraph
in bold, a leaf div or table cell -> a paragraph) so text from separate blocks is not glued
together when nh3 unwraps them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from html import escape, unescape
from typing import Final
from urllib.parse import quote, urljoin

import nh3
from lxml import etree
from lxml.html import HtmlElement

from storywire.clean.repair import repair
from storywire.clean.rules import (
    MAX_RULE_LINE,
    CompiledRules,
    Rule,
    apply_element_rules,
    compiled,
    cuts_at,
    drop_empty_elements,
    drops_line,
)
from storywire.clean.text import (
    QUOTE_MARKS,
    TooDeepError,
    emoji_text,
    holds_markup,
    html_to_text,
    list_number,
    parse_html,
    script_text,
    without_shortcodes,
)
from storywire.urls import split_url

ALLOWED_TAGS: Final = frozenset({"p", "a", "em", "strong", "ul", "ol", "li", "blockquote", "img"})
# An ordered list's numbering: a list that goes on after a paragraph (start), counts down
# (reversed) or skips (value) showed other numbers than the article's, which its text may cite.
ALLOWED_ATTRIBUTES: Final = {
    "a": {"href"},
    "img": {"src", "alt"},
    "ol": {"start", "reversed"},
    "li": {"value"},
}
URL_SCHEMES: Final = frozenset({"http", "https", "mailto"})

_RENAME: Final = {"b": "strong", "i": "em", "cite": "em", "dfn": "em", "var": "em"}
_HEADINGS: Final = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_LEAF_BLOCKS: Final = frozenset(
    [
        "div",
        "section",
        "article",
        "header",
        "footer",
        "main",
        "aside",
        "figure",
        "figcaption",
        "address",
        "center",
        "pre",
        "dd",
        "dt",
        "td",
        "th",
        "caption",
        "details",
        "summary",
    ]
)
_CELLS: Final = frozenset({"td", "th"})
# A table's parts that are still there after the reshape (a row with a paragraph in a cell).
# nh3's parser (html5ever) moves whatever is not a table part out of a table and before it
# ("foster parenting"), so a cell made a paragraph came out ahead of its row and of the rows
# before it: they are made neutral wrappers, which nh3 unwraps where they stand.
_TABLE_PARTS: Final = frozenset(
    {"table", "thead", "tbody", "tfoot", "tr", "td", "th", "caption", "colgroup", "col"}
)
_BLOCKS: Final = _LEAF_BLOCKS | _HEADINGS | {"p", "ul", "ol", "li", "blockquote", "table", "dl"}
_BLANK_RUN: Final = re.compile(r"\n\s*\n\s*")
# Lazy loaders keep the real image here and a placeholder (a 1x1 GIF, a data: URI) in src.
_LAZY_SRC: Final = ("data-src", "data-lazy-src", "data-original")
_LAZY_SRCSET: Final = ("data-srcset", "data-lazy-srcset")
# A srcset candidate: a URL (it may hold commas, never whitespace; trailing commas end it), then
# its descriptors up to the next comma. The URL is optional so that a run of separators with no
# URL after it is one match: a search failing at each of its positions would be quadratic.
_CANDIDATE: Final = re.compile(r"[\s,]*+(?:([^\s,](?:\S*[^\s,])?)(?:\s+([^,]*))?)?")
# Tried only where a number starts, and without backtracking: a long run of digits is one try.
_DESCRIPTOR: Final = re.compile(r"(?<![\d.])(\d++(?:\.\d++)?)[wx]\b")
# nh3 drops a src its URL parser refuses (a port past 65535, "http://%zz/"), leaving an image
# that shows nothing (and that a second pass would drop). Only src and alt are allowed, and nh3
# writes them in that order with quotes escaped, so this matches exactly such images.
_NO_SRC_IMAGE: Final = re.compile(r'<img(?: alt="[^"]*")?>')
# A link without its href (an anchor target, a "javascript:" or other URL nh3 refused) links
# nowhere but is still styled as a link by a reader's stylesheet: its text stays, the tag goes.
# nh3 writes it bare, and links never nest in what html5ever builds.
_LINK_WITHOUT_HREF: Final = re.compile(r"<a>(.*?)</a>", re.DOTALL)


# What lxml refuses to set in an attribute (control characters, U+FFFE and U+FFFF), though its
# parser reads it from a reference ("&#1;"): setting one raised ValueError, and the whole article
# was rejected.
_NOT_XML: Final = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_URL_BREAKS: Final = re.compile("[\t\n\r]")
_C0_OR_SPACE: Final = "".join(map(chr, range(0x21)))


def _as_browsers_read(url: str) -> str:
    """``url`` as browsers read a URL attribute: C0 controls and spaces at its ends stripped,
    tabs and line breaks inside removed, any other control character (or non-character)
    percent-encoded."""
    url = _URL_BREAKS.sub("", url.strip(_C0_OR_SPACE))
    return _NOT_XML.sub(lambda found: quote(found[0], safe="", errors="replace"), url)


def _as_text(control: re.Match[str]) -> str:
    """A control character in text: a space where it is one (a vertical tab, a form feed)."""
    return " " if control[0].isspace() else ""


def _is_image_url(url: str) -> bool:
    parts = split_url(url)
    return parts is not None and parts.scheme.lower() in {"", "http", "https"} and bool(url.strip())


def _widest(srcset: str) -> str:
    """The srcset candidate for the widest screen ("" if none): what a re-published image
    should show wherever it is read."""
    best, best_size = "", -1.0
    for match in _CANDIDATE.finditer(srcset):
        if match.group(1) is None:
            continue  # separators only
        size = _DESCRIPTOR.search(match.group(2) or "")
        width = float(size.group(1)) if size else 1.0  # no descriptor means 1x
        if width > best_size and _is_image_url(match.group(1)):
            best, best_size = match.group(1), width
    return best


def _real_image_url(img: HtmlElement) -> str:
    """The image a reader would see: a lazy loader's URL before src, srcset when src is none."""
    for name in _LAZY_SRC:
        url = (img.get(name) or "").strip()
        if url and _is_image_url(url):
            return url
    for name in _LAZY_SRCSET:
        url = _widest(img.get(name) or "")
        if url:
            return url
    src = (img.get("src") or "").strip()
    if _is_image_url(src):
        return src
    url = _widest(img.get("srcset") or "")
    # A <picture> whose <img> only names its alt: its sources are the image. (libxml2 does not
    # know <source> is empty and nests what follows it inside.)
    picture = next(img.iterancestors("picture"), None)
    if url or picture is None:
        return url
    for source in picture.iter("source"):
        for name in (*_LAZY_SRCSET, "srcset"):
            url = _widest(source.get(name) or "")
            if url:
                return url
    return ""


def _parent_tag(el: HtmlElement) -> object:
    parent = el.getparent()
    return None if parent is None else parent.tag


def _has_block_inside(el: HtmlElement) -> bool:
    return any(child.tag in _BLOCKS for child in el.iterdescendants())


def _paragraph(owner: HtmlElement, text: str | None) -> HtmlElement:
    p: HtmlElement = owner.makeelement("p", {})  # an HtmlElement, as the repair loop expects
    p.text = text
    return p


def _split_at_breaks(el: HtmlElement, *, bold: bool = False) -> None:
    """Make each run of ``el``'s inline content between line breaks a paragraph (its text in
    ``strong`` when ``bold``: a heading's lines).

    br is outside the allow-list and a newline shows as a space, so paragraphs written as
    "one<br><br>two" (Blogger, feeds without <p>) would be re-published glued together.

    Only the runs move, into their paragraphs, each put where it stands; the blocks among them
    stay. lxml walks all below an element it moves (nested quotes with a break each cost depth
    times size) and finds an index by walking the siblings before it (a paragraph's pieces put
    at its index cost quadratic time in the paragraphs: minutes for 1 MiB).
    """

    def run(text: str | None) -> tuple[HtmlElement, HtmlElement]:
        """A paragraph, and what its run goes in: itself, or its ``strong``."""
        paragraph = _paragraph(el, None if bold else text)
        if not bold:
            return paragraph, paragraph
        strong: HtmlElement = paragraph.makeelement("strong", {})
        strong.text = text
        paragraph.append(strong)
        return paragraph, strong

    current, holder = run(el.text)
    el.text = None

    def close(before: HtmlElement | None, text: str | None) -> tuple[HtmlElement, HtmlElement]:
        if (holder.text and holder.text.strip()) or len(holder):
            if before is None:
                el.append(current)
            else:
                before.addprevious(current)
        return run(text)

    for child in list(el):
        if child.tag == "br":
            current, holder = close(child, child.tail)
            el.remove(child)  # its tail goes with it
        elif child.tag in _BLOCKS:
            current, holder = close(child, child.tail)
            child.tail = None
        else:
            holder.append(child)  # its tail with it
    close(None, None)
    if el.tag == "p":
        # A paragraph cannot hold paragraphs: it is a wrapper of its pieces, which nh3 unwraps,
        # or goes when it has none (breaks only, "<p><br></p>").
        if len(el):
            el.tag = "div"
        elif el.getparent() is not None:
            el.drop_tree()


def _bold_runs(root: HtmlElement) -> None:
    """A heading that holds a block (a heading inside it, its lines once split at breaks):
    each run of its own text a paragraph in bold, where it stands; its blocks stay as they
    are. One ``strong`` around all of it was broken up around the blocks by nh3's parser
    (empty ``<p><strong></strong></p>`` published), and moved all below it, for each heading
    nested in another (lxml walks all below an element it moves: 2,000 nested took 16 s)."""
    for heading in list(root.iter(*_HEADINGS)):
        if _has_block_inside(heading):
            _split_at_breaks(heading, bold=True)


def _unwrap_one_block_cells(root: HtmlElement) -> None:
    """A cell whose content is one block (``<td><p>Team A</p></td>``) holds that block's
    content, so its row is a paragraph of cells, as in the text ("Team A 3")."""
    for cell in root.iter("td", "th"):
        if len(cell) != 1 or (cell.text and cell.text.strip()):
            continue
        block = cell[0]
        if (block.tail and block.tail.strip()) or _has_block_inside(block):
            continue
        if block.tag in _HEADINGS:
            block.tag = "strong"  # a heading's weight, inline
        elif block.tag == "p" or (block.tag in _LEAF_BLOCKS and block.tag != "pre"):
            block.drop_tag()  # a code block keeps its lines


def _reshape(el: HtmlElement, quote_levels: Mapping[HtmlElement, int]) -> None:
    tag = el.tag
    if tag in _RENAME:
        el.tag = _RENAME[tag]
    elif tag in _HEADINGS and _has_block_inside(el):
        el.tag = "div"  # the wrapper of its lines and blocks (_bold_runs)
    elif tag in _HEADINGS:
        strong = etree.Element("strong")
        strong.text, el.text = el.text, None
        strong.extend(list(el))
        el.append(strong)
        el.tag = "p"
    elif tag == "tr" and not any(
        d.tag in _BLOCKS and d.tag not in _CELLS for d in el.iterdescendants()
    ):
        # A row is a paragraph, its cells apart by a space (as in the text): a cell each
        # would part a number from the name it belongs to.
        el.tag = "p"
    elif tag in _CELLS and _parent_tag(el) == "p":
        el.tag = "span"
        if el.getnext() is not None:
            el.tail = " " + (el.tail or "")
    elif tag in _LEAF_BLOCKS and not _has_block_inside(el):
        el.tag = "p"
    elif tag in _TABLE_PARTS:
        el.tag = "div"
    elif tag == "br":
        # One inside an inline element (the blocks' own were made paragraphs): a newline
        # keeps the words on both sides apart.
        el.tail = "\n" + (el.tail or "")
    elif tag in _AS_CHARACTERS:
        _reshape_characters(el)
    elif tag == "q":
        _quote_marks(el, quote_levels.get(el, 0))
    elif tag in _NUMBERED:
        _list_numbers(el, _NUMBERED[tag])


# The attribute each tag's number is in (nh3 would keep whatever it held).
_NUMBERED: Final = {"ol": "start", "li": "value"}


def _list_numbers(el: HtmlElement, name: str) -> None:
    """The numbering attributes as numbers (as the text reads them), or gone."""
    number = list_number(el.get(name))
    if number is not None:
        el.set(name, str(number))
    elif name in el.attrib:
        del el.attrib[name]
    if el.get("reversed") is not None:
        el.set("reversed", "")


def _quote_levels(root: HtmlElement) -> dict[HtmlElement, int]:
    """How many ``q`` hold each ``q``, in one walk: each counting its own ancestors took
    depth times count (13 s for 1 MiB of nested quotes)."""
    levels: dict[HtmlElement, int] = {}
    depth = 0
    for event, el in etree.iterwalk(root, events=("start", "end"), tag="q"):
        if event == "start":
            levels[el] = depth
            depth += 1
        else:
            depth -= 1
    return levels


def _quote_marks(q: HtmlElement, level: int) -> None:
    """A ``q``'s quotation marks, as the text has them: nh3 unwraps ``q``, and browsers draw
    the marks only around the element (the inner ones for a ``q`` inside ``level`` others)."""
    opening, closing = QUOTE_MARKS[level % 2]
    q.text = opening + (q.text or "")
    if len(q):
        q[-1].tail = (q[-1].tail or "") + closing
    else:
        q.text += closing


_AS_CHARACTERS: Final = frozenset({"img", "sup", "sub"})


def _reshape_characters(el: HtmlElement) -> None:
    """An emoji image as its character, a superscript number as superscript digits (as the
    text has them: nh3 would unwrap ``sup`` and run "100<sup>2</sup>" into "1002"); an image
    without a usable URL goes."""
    if el.tag != "img":
        number = script_text(el)
        if number is not None:
            el.attrib.clear()
            el.tag, el.text = "span", number
        return
    character = emoji_text(el)
    if character is not None:
        # A 72px picture of the character wherever the reader's stylesheet does not shrink it.
        el.tail = character + (el.tail or "")
        el.drop_tree()
    elif not _is_image_url(el.get("src") or ""):
        el.drop_tree()


def cut_from(el: HtmlElement, container: HtmlElement) -> None:
    """Remove ``el`` and everything after it in document order, up to ``container``'s end."""
    node = el
    while node is not container:
        parent = node.getparent()
        if parent is None:
            break
        for sibling in list(node.itersiblings()):
            parent.remove(sibling)
        node.tail = None
        node = parent
    parent = el.getparent()
    if parent is not None:
        parent.remove(el)


def _apply_line_rules(container: HtmlElement, table: CompiledRules) -> None:
    """The text's line rules on the blocks that become its lines, so what the text drops
    ("The post X appeared first on Y", a cut_after footer) is not re-published either."""
    for el in list(container.iter("p", "li", "blockquote")):
        if el.getparent() is None or _has_block_inside(el) or el.get(_CODE) is not None:
            continue  # removed with an earlier cut, its lines are its inner blocks, or code
        line = " ".join(el.text_content().split())
        if not line or len(line) > MAX_RULE_LINE:
            continue
        if cuts_at(line, table):
            cut_from(el, container)
            return
        if drops_line(line, table):
            el.drop_tree()  # its tail is its parent's text, kept


# Marks a paragraph that is a line of a code block until the line rules are done (nh3 drops it).
_CODE: Final = "data-storywire-code"


def _outermost(root: HtmlElement, tag: str) -> list[HtmlElement]:
    """The ``tag`` elements of ``root`` that no other one holds: one made flat takes those
    inside it along, and each flattened again read its text again (and made its lines again:
    a hundred nested ``<pre>`` held each line a hundred times, 1 MB took gigabytes)."""
    found: list[HtmlElement] = []
    walker = etree.iterwalk(root, events=("start",), tag=tag)
    for _, el in walker:
        found.append(el)
        walker.skip_subtree()
    return found


def _formula_text(math: HtmlElement) -> None:
    """A MathML formula as its text: nh3 removes MathML with its text, even unwrapped."""
    text = math.text_content()
    for child in list(math):
        math.remove(child)
    math.attrib.clear()
    math.tag, math.text = "span", text


def _code_lines(pre: HtmlElement) -> None:
    """A code block as one paragraph per line: pre is outside the allow-list, and a paragraph
    of its text would show its lines run together."""
    lines = pre.text_content().strip("\n").split("\n")
    for child in list(pre):
        pre.remove(child)
    pre.text = None
    pre.attrib.clear()
    pre.tag = "div"
    for line in lines:
        if line.strip():
            paragraph = _paragraph(pre, line)
            paragraph.set(_CODE, "")
            pre.append(paragraph)


# The attributes nh3 keeps that hold a URL. lxml's make_links_absolute resolves every link
# attribute and CSS url() of every element in Python (18% of sanitize_html on the bench), for
# attributes nh3 then drops; <style> and <object> are gone with the parse.
_LINKED: Final = etree.XPath("descendant-or-self::*[@href or @src]")


def _absolute_links(root: HtmlElement, base_url: str) -> None:
    """Make href and src absolute as ``make_links_absolute(handle_failures="discard")`` does:
    on every tag (html5ever, nh3's parser, reads ``<image>`` as ``<img>``), a URL urljoin
    refuses removed. A base URL holding a control (an xml:base or an entry's link with the NUL
    bytes of a UTF-16 feed read as UTF-8) leaves it in every link joined to it: read as
    browsers read it, lxml takes it."""
    found = _LINKED(root)
    if not isinstance(found, list):
        return
    for el in found:
        if not isinstance(el, etree._Element):
            continue
        for name in ("href", "src"):
            link = el.get(name)
            if link is None:
                continue
            try:
                resolved = _as_browsers_read(urljoin(base_url, link.strip()))
            except ValueError:
                del el.attrib[name]
                continue
            if resolved != link:
                el.set(name, resolved)


def _noscript_images(root: HtmlElement) -> None:
    """Each ``<noscript>`` replaced by its images where they stand for one the page shows only
    with scripts (a lazy loader's placeholder with no real URL beside it, or none at all), and
    removed everywhere else: it is a fallback for readers without scripts, which a re-published
    article is read as."""
    for noscript in list(root.iter("noscript")):
        if noscript.getparent() is None:
            continue  # inside a noscript removed before it
        images = list(noscript.iter("img"))
        before = noscript.getprevious()
        if before is not None and before.tag != "img":
            found = list(before.iter("img"))  # a <picture>, a lazy loader's wrapper
            before = found[-1] if found else None
        # The placeholder itself goes with the other images that have no usable URL.
        if images and (before is None or not _real_image_url(before)):
            for image in images:
                image.tail = None
                noscript.addprevious(image)
        noscript.drop_tree()


def _prepare_images(root: HtmlElement) -> None:
    """Each image with its real URL in src (none when it has no usable one)."""
    for amp in list(root.iter("amp-img", "amp-anim")):
        # AMP's image element: its attributes are an img's, its children fallbacks.
        for child in list(amp):
            amp.remove(child)
        amp.text = None
        amp.tag = "img"
    for img in root.iter("img"):
        # Before the rules (a tracking pixel is known by its real URL) and before links are
        # made absolute (src is one of them).
        url = _as_browsers_read(_real_image_url(img))
        alt = img.attrib.pop("alt", None)
        img.attrib.pop("src", None)
        if url:  # else the image is dropped below, once no rule needs it
            img.set("src", url)
        if alt is not None:  # src first, wherever the loader had it
            img.set("alt", _NOT_XML.sub(_as_text, alt))


# libxml2 reads these as browsers do, as raw text: their content stays one text node, the markup
# as written. nh3's parser reads them so too, from lxml's output, where that markup is escaped:
# readers saw it escaped twice ("if (a &amp;lt; b)"), and after a <plaintext> the rest of the
# article (its paragraphs and links) as markup. The text reads that content as markup.
_RAW_TEXT: Final = ("xmp", "plaintext", "noembed", "noframes")
# Content parsed may hold such an element again ("<xmp><plaintext>…"), each time shorter.
_RAW_TEXT_PASSES: Final = 4


def _raw_text_as_markup(root: HtmlElement) -> None:
    """Each raw-text element made a block of its content, parsed when it holds markup (its
    entities are left to the text's repair, as elsewhere). A block, as they are; not unwrapped
    here: lxml's drop_tag finds an element's index among its siblings, each time."""
    for _ in range(_RAW_TEXT_PASSES):
        found = list(root.iter(*_RAW_TEXT))
        if not found:
            return
        for el in found:
            el.tag = "div"
            if not el.text or not holds_markup(el.text):
                continue
            try:
                fragment = parse_html(el.text, keep_noscript=True)
            except TooDeepError:
                continue  # its content as text
            el.text = None
            if fragment is not None:
                content = _content(fragment)
                el.text = content.text
                el.extend(list(content))
    for el in root.iter(*_RAW_TEXT):
        el.tag = "div"


def _reshaped(root: HtmlElement, table: CompiledRules, base_url: str | None) -> None:
    """The tree as the allow-list will read it: raw text read as markup, images found, element
    rules applied, code, formulas and line breaks laid out, links absolute, text repaired, tags
    reshaped."""
    _raw_text_as_markup(root)
    _noscript_images(root)
    _prepare_images(root)
    apply_element_rules(root, table, drop_empty=True)
    _unwrap_one_block_cells(root)
    for pre in _outermost(root, "pre"):
        _code_lines(pre)
    for math in _outermost(root, "math"):
        _formula_text(math)
    for el in {br.getparent() for br in root.iter("br")}:
        if el is not None and (el.tag in _BLOCKS or el.tag == "body"):
            _split_at_breaks(el, bold=el.tag in _HEADINGS)
    _bold_runs(root)
    if base_url:
        _absolute_links(root, base_url)
    quote_levels = _quote_levels(root)
    for el in list(root.iter()):
        if not isinstance(el, HtmlElement):
            continue
        # Repair first: lxml refuses to set text with the control characters repair removes.
        if el.text:
            el.text = repair(el.text)
        if el.tail:
            el.tail = repair(el.tail)
        _reshape(el, quote_levels)


def sanitize_html(
    html: str, *, base_url: str | None = None, rules: Sequence[Rule] | None = None
) -> str:
    """Allow-listed HTML: p, a[href], em, strong, ul, ol[start, reversed], li[value],
    blockquote, img[src, alt].

    Rules run first (tracking pixels, share links, ads, empty wrappers go), links become
    absolute against ``base_url``, and only http(s)/mailto URLs survive. Text is repaired like
    ``html_to_text``'s (entities, mojibake, invisible characters).
    """
    html = _escaped_markup(html)
    try:
        # As html_to_text: text without markup is not searched for shortcodes.
        root = parse_html(
            without_shortcodes(html) if holds_markup(html) else html, keep_noscript=True
        )
    except TooDeepError:
        text = html_to_text(html, rules=rules)
        return "".join(f"<p>{escape(p, quote=False)}</p>" for p in text.split("\n\n") if p)
    if root is None:
        return ""
    table = compiled(rules)
    _reshaped(root, table, base_url)
    container = _content(root)
    if table.lines or table.cut_after:
        _apply_line_rules(container, table)
        drop_empty_elements(container, table)
    markup = _markup(container)
    cleaned = nh3.clean(
        markup,
        tags=set(ALLOWED_TAGS),
        # "*": none on every tag; nh3 would otherwise allow lang and title everywhere.
        attributes={"*": set()} | {tag: set(n) for tag, n in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=None,
        strip_comments=True,
    )
    if "<a>" in cleaned:
        cleaned = _LINK_WITHOUT_HREF.sub(r"\1", cleaned)
    return _BLANK_RUN.sub("\n", _NO_SRC_IMAGE.sub("", cleaned)).strip()


# As html_to_text's: a publisher escapes markup twice at most a few times.
_MAX_UNESCAPES: Final = 4


def _escaped_markup(html: str) -> str:
    """The markup ``html`` stands for when it is markup escaped once too often (an RSS
    description's ``&amp;lt;p&amp;gt;``, CDATA holding ``&lt;p&gt;``), else ``html``.

    html_to_text cleans such text again as the markup it decodes to; here it was kept as text,
    and readers saw "<p><img src=…>" as words. Text that decodes to no markup ("3 &lt; 4", a
    tag named in prose) is left to the parser, as before.
    """
    for _ in range(_MAX_UNESCAPES):
        if "&" not in html or holds_markup(html):
            break
        decoded = unescape(html)  # what the parser would make of it: its text
        if not holds_markup(decoded):
            break
        html = decoded
    return html


# What nh3 writes for an image it kept: src first, quoted, with & and " escaped.
_KEPT_IMAGE: Final = re.compile(r'<img src="([^"]*)"')


def first_image(sanitized: str) -> str | None:
    """The src of the first image in ``sanitize_html``'s output, None without one. That output
    has no tracking pixel (a rule drops them), no emoji image (each is its character), the
    lazy loader's real URL, links made absolute and only http(s) ones: no second parse."""
    found = _KEPT_IMAGE.search(sanitized)
    return unescape(found.group(1)) if found else None


def absolute_links(html: str, base_url: str) -> str:
    """``html`` with its relative links made absolute against ``base_url``; the very string
    when it has none.

    For a feed's own base (Atom's ``xml:base``): later stages resolve what is still relative
    against the entry's link, which is not the base of its content when an ``xml:base`` says
    otherwise (another directory, or a link to an AMP or CDN copy on another host).
    """
    try:
        root = parse_html(html)
    except TooDeepError:
        return html
    if root is None:
        return html
    changed = False

    def join(link: str) -> str:
        nonlocal changed
        parts = split_url(link.strip())
        if parts is None or parts.scheme or parts.netloc or not link.strip():
            return link
        changed = True
        return _as_browsers_read(urljoin(base_url, link.strip()))

    try:
        root.rewrite_links(join, resolve_base_href=False)
        for el in root.iter("img"):
            for name in _LAZY_SRC:
                value = el.get(name)
                if value:
                    el.set(name, join(value))
    except ValueError:
        # lxml refuses to set a value holding a control character (an absolute link or a
        # style rewritten around one): the links stay as written, resolved later against the
        # entry's link, rather than the whole feed failing.
        return html
    return _markup(_content(root)) if changed else html


def _content(root: HtmlElement) -> HtmlElement:
    """What a parsed fragment's markup sits in: its body, or the root without one."""
    body = root.find("body")
    return body if body is not None else root


def _markup(container: HtmlElement) -> str:
    """The HTML inside ``container``; its own text is text, escaped as lxml escapes the rest."""
    return escape(container.text or "", quote=False) + "".join(
        etree.tostring(child, encoding="unicode", with_tail=True) for child in container
    )
