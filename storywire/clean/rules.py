"""Boilerplate rules: a small table operators can extend per source (Miniflux-style).

A rule is data, so the defaults below read as a table and operators' rules come from TOML:

``drop_element``
    ``selector`` (CSS) - remove every matching element with its content.
``drop_element_matching``
    ``selector`` (CSS) and ``pattern`` (regex) - remove a matching element when its text matches
    the pattern (``re.search``), e.g. ``<a>Continue reading…</a>``.
``drop_from_text``
    ``selector`` (CSS) - leave matching elements out of the text only; sanitised HTML keeps them
    (a caption stays under its image, an embedded post stays a quote). When they are all the
    text an entry has (a photo post), they are its text.
``drop_empty``
    ``selector`` (CSS) - remove matching elements left with no text and no image (only visible in
    sanitised HTML; empty wrappers never produce text anyway).
``drop_paragraph_matching``
    ``pattern`` (regex) - drop each line of the cleaned text that matches (a paragraph of one
    line is a line), e.g. "The post … appeared first on …".
``cut_after``
    ``pattern`` (regex) - drop the first matching line and everything after it (a footer that
    starts with a known line).

Patterns are case-insensitive, and line patterns are anchored by their authors (``^…$``): a
line rule that matched anywhere in a line would delete real paragraphs that quote the phrase.
Line rules only look at lines of at most ``MAX_RULE_LINE`` characters, for the same reason.

A line rule may name a ``keyword``: lower-case ASCII text that every line it matches holds
(ignoring case, as the pattern does). A line without it skips the regex: line rules run on every
line of every entry, and a regex that must look far into a line to fail (``^.{0,250}\bcontributed``)
costs more than finding a word in it.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Literal, get_args

from lxml import etree
from lxml.html import HtmlElement

from storywire.capitals import CAPITALS
from storywire.clean.select import Matcher, compile_selectors, parse_selector

RuleKind = Literal[
    "drop_element",
    "drop_element_matching",
    "drop_from_text",
    "drop_empty",
    "drop_paragraph_matching",
    "cut_after",
]
KINDS: Final = frozenset(get_args(RuleKind))
_NEEDS_SELECTOR: Final = frozenset(
    {"drop_element", "drop_element_matching", "drop_from_text", "drop_empty"}
)
_NEEDS_PATTERN: Final = frozenset({"drop_element_matching", "drop_paragraph_matching", "cut_after"})

MAX_RULE_LINE: Final = 1000


@dataclass(frozen=True, slots=True)
class Rule:
    """One boilerplate rule; see the module docstring for what each kind does.

    Invalid rules (unknown kind, missing or malformed selector or pattern) raise ``ValueError``
    when built, so a bad operator rule fails at load time, not inside a worker.
    """

    kind: RuleKind
    selector: str = ""
    pattern: str = ""
    note: str = ""
    keyword: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown rule kind {self.kind!r}; expected one of {sorted(KINDS)}")
        if self.kind in _NEEDS_SELECTOR:
            if not self.selector.strip():
                raise ValueError(f"rule {self.kind!r} needs a CSS selector")
            parse_selector(self.selector)
        elif self.selector:
            raise ValueError(f"rule {self.kind!r} takes no selector")
        if self.kind in _NEEDS_PATTERN:
            if not self.pattern:
                raise ValueError(f"rule {self.kind!r} needs a regex pattern")
            _regex(self.pattern)
        elif self.pattern:
            raise ValueError(f"rule {self.kind!r} takes no pattern")
        if self.keyword:
            _check_keyword(self.kind, self.pattern, self.keyword)


_LINE_KINDS: Final = frozenset({"drop_paragraph_matching", "cut_after"})


def _check_keyword(kind: str, pattern: str, keyword: str) -> None:
    """Reject a keyword the pre-check could not stand for. That every match of the pattern holds
    it is the rule author's claim (tests/storywire/clean/test_line_keywords.py checks the
    defaults'); written in the pattern as it is, at least, it must be."""
    if kind not in _LINE_KINDS:
        raise ValueError(f"rule {kind!r} takes no keyword")
    if not keyword.isascii():
        # Only ASCII letters are safe to look for in str.lower()'s line (see _FOLDS).
        raise ValueError(f"keyword {keyword!r} must be ASCII")
    if keyword != keyword.lower():
        raise ValueError(f"keyword {keyword!r} must be lower case")
    if keyword not in pattern.lower():
        raise ValueError(f"keyword {keyword!r} is not written in the pattern {pattern!r}")


@functools.lru_cache(maxsize=1024)
def _regex(pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise ValueError(f"bad regex {pattern!r}: {exc}") from exc


def parse_rules(spec: Sequence[Mapping[str, str]]) -> tuple[Rule, ...]:
    """Build rules from operator configuration (a TOML array of tables).

    Each mapping has ``kind`` and, depending on it, ``selector`` and/or ``pattern``; ``note`` is
    optional. Raises ``ValueError`` naming the offending entry on any mistake.
    """
    rules: list[Rule] = []
    for index, entry in enumerate(spec):
        if not isinstance(entry, Mapping):
            raise ValueError(f"rule #{index}: expected a table, got {type(entry).__name__}")
        unknown = set(entry) - {"kind", "selector", "pattern", "note"}
        if unknown:
            raise ValueError(f"rule #{index}: unknown keys {sorted(unknown)}")
        values = {key: entry.get(key, "") for key in ("kind", "selector", "pattern", "note")}
        for key, value in values.items():
            if not isinstance(value, str):
                raise ValueError(f"rule #{index}: {key} must be a string")
        try:
            rules.append(
                Rule(
                    kind=values["kind"],  # type: ignore[arg-type]  # checked by Rule itself
                    selector=values["selector"],
                    pattern=values["pattern"],
                    note=values["note"],
                )
            )
        except ValueError as exc:
            raise ValueError(f"rule #{index}: {exc}") from exc
    return tuple(rules)


def _sel(selector: str, note: str) -> Rule:
    return Rule("drop_element", selector=selector, note=note)


def _text_only(selector: str, note: str) -> Rule:
    return Rule("drop_from_text", selector=selector, note=note)


def _line(pattern: str, note: str, keyword: str = "") -> Rule:
    return Rule("drop_paragraph_matching", pattern=pattern, note=note, keyword=keyword)


def _alternatives(phrases: Sequence[str]) -> str:
    """An alternation of phrases grouped by their first letter (``lesen|lire|czytaj`` is
    ``l(?:esen|ire)|czytaj``): the engine tries the alternatives one by one, and a line that
    starts with none of them then costs one try per first letter, not one per phrase (the line
    rules' "read also" phrases of 19 languages: 540 -> 240 ns a line)."""
    groups: dict[str, list[str]] = {}
    for phrase in phrases:
        first, rest = phrase[:1], phrase[1:]
        if not first.isalpha() or first != first.lower() or rest[:1] in ("?", "*", "+", "{"):
            raise ValueError(f"phrase {phrase!r} must start with a lower-case letter of its own")
        groups.setdefault(first, []).append(rest)
    joined = (f"{first}(?:{'|'.join(rests)})" for first, rests in groups.items())
    return "(?:" + "|".join(joined) + ")"


# News agencies as credit lines name them; "agencies" and "news agencies" too (Al Jazeera's
# "Al Jazeera and news agencies"). Only whole lines of them are credit lines: a sentence naming
# one is text.
_AGENCY = _alternatives(
    (
        *("afp", "ap", "associated press", "reuters", "dpa", "efe", "ansa", "xinhua", "yonhap"),
        *("kyodo( news)?", "jiji( press)?", "pti", "ians", "ani", "uni", "app", "tass"),
        *("ria novosti", "interfax", "europa press", "kna", "epd", "sda", "keystone-sda"),
        *("agence france[- ]presse", "anadolu( agency)?", "belga", "lusa", "aap", "bernama"),
        *("canadian press", "the canadian press", "antara", "bloomberg", "al jazeera"),
        *("agency", "agencies", "wires?", "services", "agencias", "agences", "agenturen"),
        "news (agency|agencies|wires?|services)",
        "wire (agency|agencies|wires?|services)",
        "the (news|wire) (agency|agencies|wires?|services)",
        "nachrichtenagenturen",
        # The national agencies of the other languages the line rules know (see _READ_ALSO).
        *("anp", "pap", "tt", "ntb", "ritzau", "stt", "apa", "aa", "ukrinform", "unian"),
        *("тасс", "риа новости", "интерфакс", "укрінформ", "уніан", "연합뉴스", "뉴시스", "뉴스1"),
        *("共同(通信)?", "時事(通信)?", "新华社", "新華社", "中新社", "رويترز", "أ ف ب", "وكالات"),
        # Al Jazeera's Arabic site credits itself and the wires ("الجزيرة + وكالات"): Al
        # Jazeera, Anadolu, AFP (as "France Presse" and "the French"), AP, dpa; "and agencies"
        # written as one word.
        *("الجزيرة", "الأناضول", "فرانس برس", "الفرنسية", "أسوشيتد برس", "د ب أ", "ووكالات"),
    )
)
_AGENCIES = (
    rf"(the )?(nachrichtenagenturen |agences |agencias )?{_AGENCY}"
    rf"(\s*(,|/|&|\+|、|،|\band\b|\bet\b|\bund\b|\by\b|\be\b|(?<=\s)و)\s*{_AGENCY})*"
)
_SHARE_SITES = r"(?:facebook|twitter|x|linkedin|whatsapp|reddit|pinterest|email|telegram|bluesky)"
# "Continue reading" as excerpt feeds write it in other languages (liferea#1032: a German
# feed's "Weiterlesen").
_READ_ON_PHRASES = (
    "lire la suite",
    "weiter ?lesen",
    "mehr lesen",
    "seguir leyendo",
    "sigue leyendo",
    "leer m[aá]s",
    "continuar (lendo|leyendo|a ler)",
    "ler mais",
    "leia mais",
    "continua(re)? a leggere",
    "leggi (tutto|di pi[uù])",
    "lees (verder|meer)",
    "czytaj dalej",
    "читать (далее|дальше)",
    "читати далі",
    "devamını oku",
    "baca selengkapnya",
    "اقرأ المزيد",
    "더 ?보기",
    "続きを読む",
    "阅读全文",
    "閱讀全文",
)
_READ_ON = _alternatives(_READ_ON_PHRASES)

# "Read also" labels of outlets in other languages than English, by language, lower case (the
# rules ignore case): alone on a line, or before the linked headline ("Lesen Sie auch
# Atomkraft – ja oder nein?" is a label and a link whose markup is gone).
_READ_ALSO: Final[Mapping[str, tuple[str, ...]]] = {
    "de": (
        "lesen sie (auch|mehr|hier|dazu|ebenfalls)",
        "siehe auch",
        "mehr zum thema",
        "auch interessant",
        "das könnte sie (auch )?interessieren",
    ),
    "fr": (
        "à lire (aussi|également|encore)",
        "a lire (aussi|également|encore)",
        "lire (aussi|également)",
        "lisez (aussi|également)",
        "voir aussi",
        "à voir (aussi|également)",
        "sur le même sujet",
    ),
    "es": (
        "le[ea] (también|además)",
        "te (puede|podría) interesar",
        "le (puede|podría) interesar",
        "también te puede interesar",
        "ver también",
    ),
    "pt": ("leia (também|mais|ainda)", "veja (também|mais)", "ler também", "saiba mais"),
    "it": ("leggi (anche|pure)", "vedi anche", "potrebbe interessarti", "ti potrebbe interessare"),
    "nl": ("lees (ook|meer)", "bekijk ook", "zie ook"),
    "pl": (
        "czytaj (także|też|również|więcej)",
        "zobacz (także|też|również)",
        "przeczytaj (także|też|również)",
    ),
    "ru": ("читайте (также|тоже|ещё|еще)", "читать также", "смотрите также", "см\\. также"),
    "uk": ("читайте (також|ще)", "дивіться також", "також читайте"),
    "sv": ("läs (också|även|mer)", "se (också|även)"),
    "no": ("les (også|mer)", "se også"),
    "da": ("læs (også|mere)",),
    "fi": ("lue (myös|lisää)", "katso myös"),
    "tr": ("ayrıca (okuyun|oku|bakınız|bakın)", "bunu da okuyun"),
    "id": ("baca (juga|lagi)", "simak (juga|selengkapnya)", "lihat juga"),
    # With or without hamza, tanwin written before or after the alif (both are in use).
    "ar": ("اقر[أا] ([أا]يض(ً?اً?)|كذلك)", "إقر[أا] ([أا]يض(ً?اً?)|كذلك)", "طالع أيضا"),
    "ko": ("관련 ?(기사|뉴스|글)", "또 읽기", "함께 (읽으면|보면) 좋은 (기사|뉴스)", "추천 ?기사"),
    "ja": (
        "関連(記事|ニュース|リンク|情報|投稿)?",
        "あわせて読みたい",
        "合わせて読みたい",
        "こちらもおすすめ",
    ),
    "zh": (
        "相[关關](阅读|閱讀|新[闻聞]|[报報][道导導]|文章)",
        "延伸(阅读|閱讀)",
        "推[荐薦](阅读|閱讀)",
        "更多(阅读|閱讀)",
        "阅读更多",
        "閱讀更多",
    ),
}
# "Related" headings that also begin subheadings ("Zum Thema Energie äußerte sich niemand",
# "Подробнее о реформе"): alone on a line, or before a separator and the headline.
# Blog plugins' related-posts headings too (Jetpack's and YARPP's translations of "Related
# posts": "Ähnliche Beiträge", "Articles similaires", "Entradas relacionadas").
_RELATED_HEADINGS: Final[Mapping[str, tuple[str, ...]]] = {
    "de": ("zum thema", "passend zum thema", "ähnliche (beiträge|artikel)", "verwandte artikel"),
    "fr": ("pour aller plus loin", "en savoir plus", "articles (similaires|liés|connexes)"),
    "es": (
        "noticias relacionadas",
        "más información",
        "relacionad[oa]s?",
        "artículos relacionados",
        "entradas relacionadas",
        "publicaciones relacionadas",
    ),
    "pt": (
        "notícias relacionadas",
        "confira (também|mais)",
        "artigos relacionados",
        "posts relacionados",
    ),
    "it": ("articoli correlati", "per approfondire", "correlati", "articoli simili"),
    "nl": ("ook interessant", "gerelateerd"),
    "pl": ("polecamy", "podobne (wpisy|artykuły)", "powiązane (wpisy|artykuły)"),
    "ru": ("по теме", "ещё по теме", "еще по теме", "подробнее", "похожие (записи|статьи)"),
    "uk": ("по темі", "детальніше"),
    "sv": ("relaterat",),
    "no": ("relatert",),
    "da": ("relateret",),
    "tr": ("ilginizi çekebilir", "ilgili (haberler|haber)", "benzer (yazılar|haberler)"),
    "id": ("berita terkait", "artikel (terkait|berkaitan)"),
    "ar": ("مواضيع ذات صلة", "أخبار ذات صلة"),
}

# Where podcasts are listened to, as show notes name them.
_PODCAST_APPS = (
    "(apple podcasts|spotify|amazon music|google podcasts|youtube( music)?|overcast"
    "|pocket casts|castbox|stitcher|iheart(radio)?|audible|deezer|pandora|podcast addict|tunein"
    "|(your )?(favou?rite )?podcast (app|player)|wherever you (get|listen to|find)( your)?"
    " podcasts|wherever you listen)"
)
# A name in a byline: capitalised words, and the particles names hold ("Jean de La Fontaine").
# A capital of any cased script: "Par Élise Vincent", "Por Álvaro Sánchez".
_NAME = (
    rf"(?-i:[{CAPITALS}])[\w'’.-]*( ((?-i:[{CAPITALS}])[\w'’.-]*|de|da|del|della|di|van|von"
    r"|der|den|la|le|du|bin|ibn|al|el)){0,4}"
)
# The platforms a channel promotion names, in Latin letters and in Arabic.
_PLATFORMS = (
    "(whatsapp|telegram|youtube|instagram|facebook|twitter|x|tiktok|threads|linkedin"
    "|google news|bluesky|mastodon|snapchat|واتساب|تلغرام|تيليغرام|فيسبوك|تويتر|يوتيوب"
    "|إنستغرام|انستغرام|تيك توك)"
)
# "Follow us"/"follow <outlet>" in Spanish, French, German, Italian, Portuguese, Dutch, Arabic.
_FOLLOW_US = (
    *("síguenos", "sígannos", "sigue a", "suivez[- ]nous", "suivez", "folgen sie", "folge uns"),
    *("seguici", "segui", "siga[- ]nos", "sigam[- ]nos", "siga", "volg ons", "volg"),
    *("تابعونا", "تابعوا"),
)
# "Subscribe"/"sign up" in the same languages, as a newsletter box's button or line says it.
_SIGN_UP = (
    *("suscr[ií]b[ae]te", "suscr[ií]base", "apúntate", "abonnez-vous", "inscrivez-vous"),
    *("abonne-toi", "abonnieren sie", "abonniere", "melden sie sich", "iscriviti", "abbonati"),
    *("assine", "inscreva-se", "cadastre-se", "schrijf je in", "meld je aan", "abonneer je"),
    "اشترك(وا)?",
)

# Labels of a photo credit or of the editor's name, in the same languages.
_CJK_CREDIT_LABELS = (
    "사진( ?제공)?",
    "편집",
    "写真",
    "画像",
    "撮影",
    "編集",
    "图片?(来源)?",
    "圖片?(來源)?",
    "摄影",
    "攝影",
    "编辑",
    "編輯",
    "责任编辑",
    "責任編輯",
    # The outlet a syndicated article comes from, and its headline there: a Chinese article's
    # footer ("来源：新华网", "原标题：…").
    "来源",
    "來源",
    "本文来源",
    "原标题",
    "原標題",
)
_CREDIT_LABELS = (
    # photos
    "fotos?",
    "fotografi[ae]",
    "fotografía",
    "fotoğraf",
    "bildquelle",
    "bilde",
    "billede",
    "beeld",
    "afbeelding",
    "imagem",
    "immagine",
    "illustrations?",
    "ilustración",
    "ilustração",
    "illustrazione",
    "ilustrasi",
    "kuva",
    "zdjęcie",
    "görsel",
    "gambar",
    "crédits? photos?",
    "crédito( de foto)?",
    "фото(графия)?",
    "снимок",
    "иллюстрация",
    "ілюстрація",
    "صورة",
    "الصورة",
    "تصوير",
    # editors
    "redaktion",
    "redakteur(in)?",
    "redaktor",
    "rédaction",
    "redacción",
    "edición",
    "redação",
    "edição",
    "redazione",
    "redactie",
    "redakcja",
    "redaktør",
    "redaktör",
    "toimittaja",
    "editör",
    "editor",
    "penyunting",
    "редакция",
    "редактор",
    "редакція",
    "تحرير",
    *_CJK_CREDIT_LABELS,
)

DEFAULT_RULES: Final[tuple[Rule, ...]] = (
    _sel("nav", "site navigation is never article text"),
    _sel(
        'img[width="1"], img[height="1"], img[width="0"], img[height="0"],'
        'img[src*="feeds.feedburner.com/~r/"], img[src*="feedburner.com/~ff/"],'
        'img[src*="feedsportal.com"], img[src*="pixel.wp.com"], img[src*="stats.wordpress.com"],'
        'img[src*="medium.com/_/stat"]',
        "tracking pixels (1x1 images, feedburner/feedsportal/WordPress/Medium beacons)",
    ),
    _sel(
        '.feedflare, .mf-viral, a[href*="feeds.feedburner.com/~ff/"], a[href*="feedsportal.com"]',
        "feedburner flare and feedsportal share/ad blocks",
    ),
    _sel(
        'a[href*="facebook.com/sharer"], a[href*="facebook.com/share.php"],'
        'a[href*="twitter.com/intent/"], a[href*="twitter.com/share"], a[href*="x.com/intent/"],'
        'a[href*="linkedin.com/shareArticle"], a[href*="pinterest.com/pin/create"],'
        'a[href*="reddit.com/submit"], a[href*="api.whatsapp.com/send"],'
        'a[href*="t.me/share"], a[href^="mailto:?"]',
        "share links, recognised by their share-endpoint URLs",
    ),
    _sel(
        ".sharedaddy, .share-buttons, .social-share, .sharing, .addtoany_share_save_container,"
        ".a2a_kit, .jp-relatedposts",
        "share bars and related-post widgets of common blog plugins",
    ),
    _sel(
        ".ad, .ads, .advert, .advertisement, .ad-slot, .ad-container, .ad-wrapper, .adsbygoogle,"
        '.sponsored, .sponsored-content, [id^="div-gpt-ad"], [data-ad-slot]',
        "ad slots",
    ),
    _sel(
        "p.button-wrapper, .captioned-button-wrap",
        "Substack's call-to-action buttons (Subscribe, Share, Leave a comment, Upgrade to paid),"
        ' and a button with its caption ("Thanks for reading X! This post is public so feel free'
        ' to share it.", whatever words the author gave it)',
    ),
    _sel('font[color="#6f6f6f"]', "Google News: the outlet named after each headline"),
    _sel(
        # Classes without their tag: the matcher looks a class up, but tests each tag.class
        # on every element of that tag (every link). href*= not ^=: a "^" in the links' one
        # joined regex stops its fast scan, which cost every link (~3% of the bench).
        ".footnote-ref, .footnote-backref, .footnote-back, .footnote-anchor, .footnote-number,"
        'a[href*="#fn"], a[href*="#footnote"], a[role="doc-noteref"], a[role="doc-backlink"],'
        "sup[data-fn]",
        "footnote markers and back-links (Markdown, Pandoc, WordPress, Substack): a marker's"
        ' number glued to the word before it once <sup> is gone ("rose1", "4%2")',
    ),
    _sel(
        ".newsletter-signup, .newsletter-block, .newsletter-widget, .inline-newsletter,"
        ".sqs-block-newsletter, .subscription-widget-wrap, .subscription-widget-wrap-editor,"
        '.kg-signup-card, .kg-cta-card, [data-component-name="SubscribeWidgetToDOM"]',
        "newsletter sign-up boxes set mid-article (generic, Squarespace, Substack whatever words"
        " the publication gave it, Ghost's sign-up and call-to-action cards)",
    ),
    _sel(
        ".field--name-field-tags, .field-name-field-tags, .tags-links, .cat-links, .post-tags,"
        ".entry-tags",
        "tag and category lists (Drupal's tags field, WordPress themes)",
    ),
    _text_only(
        "figcaption, .wp-caption-text, .wp-element-caption, .tr-caption, .image-caption,"
        ".caption, .photo-credit, .image-credit, .media-credit",
        "captions and photo credits (WordPress, Blogger, Squarespace, Ghost, Medium): they"
        " describe the image, and the lead picked them as the article's first sentence",
    ),
    _text_only(
        ".twitter-tweet, .twitter-video, .instagram-media, .tiktok-embed, .text-post-media,"
        ".bluesky-embed, .mastodon-embed, .reddit-embed-bq, .reddit-card, .fb-post,"
        ".fb-xfbml-parse-ignore, .wp-embedded-content, .kg-bookmark-card",
        "embedded posts (the script-less fallback of an embed): another author's words with a"
        ' "— Name (@handle) date" line, often in another language than the article (Facebook\'s'
        ' quote in every embed of a post, video or page: "Posted by <page> on <date>"), and link'
        " cards (WordPress post embeds, Ghost bookmarks): another page's title and description",
    ),
    _text_only(
        ".wp-block-pullquote, .pullquote, .pull-quote",
        "pull quotes repeat a sentence of the article in large type",
    ),
    Rule(
        "drop_element_matching",
        selector="a",
        pattern=r"^\W*"
        + _alternatives(
            (
                "continue reading",
                "read more",
                # "Read full article" without "the": Ars Technica's feed, on every item
                "read (the )?(full|rest of the) (story|article|post)",
                "keep reading",
                *_READ_ON_PHRASES,
            )
        )
        + r"\b.{0,80}$",
        note='"Continue reading…" / "Read more" links, and "Lire la suite", "Weiterlesen"…',
    ),
    Rule(
        "drop_element_matching",
        selector="a",
        pattern=rf"^\W*((share|tweet|post|pin)( this| it)?( on| to| via)? {_SHARE_SITES}"
        r"|(share|tweet)( this| it)?|follow us\b.{0,60})\W*$",
        note="share/follow links recognised by their text",
    ),
    Rule(
        "drop_element_matching",
        selector="a",
        pattern="^[\u21a9\u21aa\u2191\u2934\ufe0e\ufe0f\\s]+$",
        note="back-links to a footnote's marker drawn as an arrow (WordPress's footnotes block)",
    ),
    Rule(
        "drop_empty",
        selector="p, div, span, section, figure, blockquote, li, ul, ol, a, strong, em, b, i,"
        "font, center, td, tr, table, tbody",
        note="wrappers left empty once the rules above ran",
    ),
    _line(r"^the post .+ appeared first on .+$", 'WordPress "The post X appeared first on Y."'),
    _line(
        # Yoast's translations of it. The site's name ends the line, without a comma: "Der
        # Beitrag des Autors erschien zuerst auf Englisch, dann auf Deutsch." is prose.
        # "Cet article": Yoast's older French, still in feeds (wpfr.net, 2016).
        r"^(l[’']article|cet article|der beitrag|la entrada|o post|l[’']articolo|het bericht)"
        r" .{1,200}?"
        r" (est apparu en premier sur|erschien zuerst auf|se publicó primero en"
        r"|apareceu primeiro em|proviene da|sembra essere il primo su|verscheen eerst op)"
        r" [^,;:!?]{1,80}$",
        'Yoast\'s "The post X appeared first on Y" in French, German, Spanish, Portuguese,'
        " Italian and Dutch",
    ),
    _line(
        # A line that is the phrase alone: "Lire la suite de l'enquête a pris trois mois" is
        # a sentence (a link that starts with it is a link, above).
        rf"^\W*{_READ_ON}\W*$",
        '"Lire la suite", "Weiterlesen", "Leer más" lines',
    ),
    _line(
        # "No comment." is a quote ("No comments" is a count).
        r"^\W*(\d+ (comments?|responses?|replies)|no (comments|responses|replies)"
        r"|one (comment|response|reply)|(comments?|kommentare?"
        r"|commentaires?|comentarios?|coment[aá]rios?|commenti)(\s*\(\d+\)|\s*:\s*\d+)?"
        r"|(leave|add|post|write) a (comment|reply))\W*$",
        'comment links and counts ("Comments", the whole of a Hacker News item; "3 Comments",'
        ' "Comments (12)"): the page\'s comments, not the article',
    ),
    _line(
        # A handle of Twitter, Bluesky ("@jane.bsky.social") or the fediverse ("@jane@host");
        # Bluesky's date ends with its time ("November 20, 2024 at 3:01 PM").
        r"^([—–-]\s*[^()\n]{1,80}\s\(@[\w.]{1,30}(@[\w-]+(\.[\w-]+)+)?\)"
        r"(\s+.{0,40}\b\d{4}(,? at \d{1,2}:\d{2}( ?[ap]\.?m\.?)?)?)?"
        r"|view (this post )?on (instagram|mastodon|threads|bluesky)"
        r"|post by @[\w.]{1,30}@[\w-]+(\.[\w-]+)+"
        r"|a post shared by .{1,80}\(@[\w.]{1,30}\)( on .{1,60})?)$",
        'what an embedded post leaves where its markup was flattened: the "— Name (@handle)'
        ' date" line of a tweet, a Bluesky or a Mastodon post, Instagram\'s "View this post on'
        ' Instagram" and "A post shared by Name (@handle)", Mastodon\'s "Post by @user@host"',
    ),
    _line(
        r"^\W*((share|like) this\s*:|like loading)\W*$",
        'Jetpack\'s sharing and like blocks left as text ("Share this:", "Like this:", "Like'
        ' Loading...")',
    ),
    _line(
        r"^\W*(continue reading|read more|read (the )?(full|rest of the) (story|article|post)"
        r"|keep reading|read \d+ (more|remaining) paragraphs?)\b.{0,120}$",
        '"Continue reading…" / "Read more" / "Read 3 remaining paragraphs | Comments" lines',
    ),
    _line(
        # One clause: a comma, semicolon, colon, dash or a second sentence is content after
        # the pointer ("…, which includes three local schools.") and keeps the line.
        r"^\W*(please )?click here\b[^,;:.!?\u2013\u2014]{0,150}[.!?]*\W*$",
        '"Click here to …" calls to action: the pointer and its purpose, one clause',
    ),
    _line(
        r"^(read more of this story )?at (slashdot|soylentnews)\.?$",
        "Slashdot's (and SoylentNews') \"Read more of this story at Slashdot.\": the link goes"
        ' by the rule above, and "at Slashdot." was left as a paragraph of every item',
    ),
    _line(
        r"^\W*(learn more about your ad choices\. visit (megaphone\.fm|podcastchoices\.com)"
        r"/adchoices"
        r"|hosted on acast\. see acast\.com/privacy for more information"
        r"|see omnystudio\.com/listener for privacy information"
        r"|see privacy policy at https://art19\.com/privacy and california privacy notice at"
        r" https://art19\.com/privacy#do-not-sell-my-info"
        r"|become a member at https://plus\.acast\.com/s/\S+?"
        r"|(send in a voice message|support this podcast): https://(podcasters\.spotify\.com"
        r"|anchor\.fm)/\S+?)\.?$",
        "podcast hosts' footers on every episode's show notes (Megaphone's ad-choices line,"
        " Acast's \"Hosted on Acast\" and membership link, Omny's and ART19's privacy lines,"
        ' Spotify for Podcasters\' "Send in a voice message" and "Support this podcast")',
    ),
    _line(
        # Platforms only after the verb, apart by separators: "Listen to the full interview
        # on Apple Podcasts, where the minister explains…" goes on, and is prose.
        rf"^\W*(subscribe|listen|follow)( [^,.;:!?|]{{1,60}}?)? (on|in|at|via|with)"
        rf" {_PODCAST_APPS}(\s*([,|/&·•]\s*)?((and|or) )?{_PODCAST_APPS})*\W*$",
        "the platforms a podcast's show notes send listeners to (\"Subscribe on Apple Podcasts,"
        ' Spotify or wherever you get your podcasts")',
    ),
    _line(
        rf"^((share|tweet|post|pin)( this( article| story| post)?)?( on| to| via)? "
        rf"{_SHARE_SITES}\W*)+$",
        "share bars left as plain text",
    ),
    _line(r"^\W*follow us (on|at)\b.{0,120}$", '"Follow us on …" lines'),
    _line(
        r"^(this|the) (article|story|post|piece) (was )?(originally |first )?"
        r"(appeared|published|ran|posted) (on|in|at|by)\b.{0,200}$",
        '"This article originally appeared on …"',
    ),
    _line(r"^originally published (on|in|at)\b.{0,200}$", '"Originally published at …"'),
    _line(
        r"^(this|the) (article|story|piece) (is|was|has been) republished from\b.{0,250}$",
        '"This article is republished from The Conversation under a Creative Commons license"',
    ),
    _line(
        r"^((dieser|der) (artikel|beitrag|text) (erschien|ist) (zuerst|ursprünglich|erstmals)"
        r"|cet article (a (d'abord )?été |est )?(publié|paru)( initialement| d'abord| à"
        r" l'origine)?|este (artículo|artigo) (fue|foi|se) (publicado|publicó)"
        r"( originalmente| inicialmente| primeiro| primero)?)"
        r" (auf|in|bei|sur|dans|en|no|na|em)\b.{0,200}$",
        '"This article originally appeared on …" in German, French, Spanish and Portuguese',
    ),
    _line(
        # Not anchored: a literal start lets the regex engine skip to it (see _union_regex).
        r"\bwas originally published in .{1,200} on medium, where people are continuing"
        r" the conversation",
        "Medium's feed footer",
        "continuing the conversation",
    ),
    _line(
        r"^\W*(sign up|subscribe|register)\b.{0,120}\bnewsletters?\b.{0,200}$",
        "newsletter sign-up lines",
    ),
    _line(
        r"^\W*(sign up|subscribe|register)\b.{0,120}\b(inbox|e-?mail( address)?)\b.{0,200}$",
        'sign-up lines that name the inbox or email rather than a "newsletter"',
    ),
    _line(
        r"^\W*(subscribe|sign up|join)( now| today| for free| here)?\W*$",
        'bare "Subscribe now" buttons',
    ),
    _line(
        r"^\W*((subscribe|register|sign up|sign in|log in)( now| today)? (to|and) (keep|continue"
        r"|read|unlock)\b.{0,160}"
        r"|already (a subscriber|a member|have an account|registered)\?.{0,100}"
        r"|(this|the) (article|story|content) is (only )?(for|available to|exclusive to|reserved"
        r" for) (paying |paid |premium |digital )?(subscribers|members)\b.{0,160}"
        r"|(get|enjoy) (unlimited|full|digital|unrestricted)( digital| online)? access\b"
        r".{0,200}?\bcancel any ?time\W*"
        r"|to continue reading\b.{0,80}?\b(subscribe|subscription|log ?in|sign ?in|register"
        r"|account)\b.{0,120}"
        r"|start your free trial( today| now)?\W*)$",
        'paywall prompts left on a page\'s teaser ("Subscribe to keep reading", "Already a'
        ' subscriber? Log in", "Get unlimited access … Cancel anytime")',
    ),
    _line(
        r"^thank(s| you) for reading\b.{1,120}?(\bsubscribe\b.{0,200}"
        r"|\bthis post is public so feel free to share it\W*)$",
        "Substack's subscribe and share boxes, as text (\"Thank you for reading X. This post is"
        ' public so feel free to share it.")',
    ),
    _line(
        r"^\W*(advertisement|advertising|sponsored|ad|anzeige|werbung|publicidad|publicit[ée]"
        r"|publicidade|pubblicit[àa]|advertentie|reklama|annons"
        r"|(story|article|text|content) continues (below|after)( this| the)?"
        r" (advertisement|ad|ads))\W*$",
        'ad labels left where an ad slot was ("Advertisement", "Story continues below'
        ' advertisement", "Anzeige", "Publicidad", "Publicité")',
    ),
    _line(
        r"^\W*(related( articles?| stories| story| coverage| content| reading| posts?| links?"
        r"| news)?|see also|also read|read also|more on this( story| topic)?|recommended"
        r"( reading)?|you (may|might) also like|don'?t miss|must read)\s*[:|]\s*.{0,200}"
        r"(?<![.])$",
        '"Related: <headline>" lines linking to other stories (a sentence ending in a full stop'
        " is prose, kept)",
    ),
    _line(
        r"^\W*(related (articles|stories|coverage|content|posts|links|news)|more on this"
        r" (story|topic)|you (may|might) also like)\b(\W.{0,200})?(?<![.])$",
        '"Related" headings linking to other stories',
    ),
    _line(
        # Only at the start of a line, and only before a word's end (not "相关阅读材料显示…",
        # "관련기사를 보면…"): "Lesen Sie auch, was …" and "関連記事は…。" end as sentences.
        # Each phrase with what may follow it, so that the alternation is still grouped by
        # first letter. No "\s*" before the headline: ".{0,200}" takes spaces too.
        r"^\W*"
        + _alternatives(
            [p + r"(?!\w)(\W.{0,200})?" for phrases in _READ_ALSO.values() for p in phrases]
            + [
                p + r"\s*([:|»›>→–—-].{0,200})?"
                for phrases in _RELATED_HEADINGS.values()
                for p in phrases
            ]
        )
        + r"(?<![.。])$",
        '"Read also" labels and lines in 19 languages ("Lire aussi : …", "Lesen Sie auch",'
        ' "Czytaj także", "Читайте также", "Baca juga", "اقرأ أيضا", "관련기사", "関連記事",'
        ' "相关阅读"), alone or before the linked headline',
    ),
    _line(
        # The colon is the keyword: most lines have none, and those skip the labels' regex.
        # No space after it in the regex: "\s*" before a class that takes spaces too would let
        # the engine try every split of a run of spaces.
        rf"^\W*{_alternatives(_CREDIT_LABELS)}(?!\w)\s*:[^!?！？\n]{{1,80}}(?<![.。])$",
        'photo credit and editor lines in other languages ("Bild: Reuters", "Фото: ТАСС",'
        ' "Redaktion: Anna Schmidt", "Edición: …", "사진: 로이터"): a label, a colon, a short'
        " line that ends as no sentence does",
        ":",
    ),
    _line(
        rf"^\W*(fot\.|{_alternatives(_CJK_CREDIT_LABELS)}\s*[：=＝])[^!?！？\n]{{1,80}}"
        r"(?<![.。])$",
        'the same with a full-width colon or an equals sign ("写真：共同", "사진=연합뉴스",'
        ' "责任编辑：王芳"), and Polish "Fot. PAP"',
    ),
    _line(
        # Names apart by commas, or one name and a full stop: "Edited by hand, the film took a
        # year." is prose. A name holds no comma, so the split into names is unique (linear).
        r"^\W*(edited by|editad[oa] por|édité par|a cura di|redigert av|redigerad av"
        r"|redigeret af) ([^,.;:!?()]{1,60}\.?|[^,.;:!?()]{1,60}(,[^,.;:!?()]{1,60}){1,3})$",
        '"Edited by …" lines ("Editado por", "A cura di"): an editor\'s names',
    ),
    _line(
        r"^\(?((photos?|photograph|images?|pictures?|fotos?|bild|bilder|imagen|cr[ée]dit photo"
        r"|credits?)( credits?)?\s*:\s*[^!?\n]{1,80}(?<![.])"
        r"|(ap|afp|reuters|epa|getty|getty images|dpa|xinhua|bloomberg)( photos?| foto)?\s*/"
        r"\s*[^)]{1,80}"
        r"|(photos?|images?|pictures?) by [^/()\n]{1,60}/\s*[^()\n]{1,60})\)?$",
        'photo credit lines ("Photo: AP", "(AP Photo/Evan Vucci)", "Foto: dpa", "Image Credits:'
        ' Getty Images", "(Photo by Jane Doe/Getty Images)")',
    ),
    _line(
        r"^\W*(copyright|©|\(c\))(\s*(copyright|©|\(c\)))?\s*(\d{4}([-–]\d{4})?\b.{0,200}"
        r"|.{0,100}\b\d{4}\W*)$",
        'copyright footers of syndicated copy ("Copyright 2026 The Associated Press. All rights'
        ' reserved…", "© 2026 Reuters"): a year makes it one, "Copyright law…" is prose',
    ),
    _line(
        r"^\W*(join|subscribe to|follow) (us|our)( official)? .{0,40}?\b(whatsapp|telegram"
        r"|youtube|instagram|facebook|twitter|x|tiktok|threads|linkedin|google news|bluesky)\b"
        r"( (channel|page|account|handle)s?)?( (for|to get)\b.{0,100})?\W*$",
        'channel promotions ("Join our WhatsApp channel", "Subscribe to our YouTube channel")',
    ),
    _line(
        # A platform named after the verb: "Folgen Sie uns auf dem Weg durch die Altstadt." is
        # prose. What follows the platform holds no full stop or question.
        r"^\W*" + _alternatives(_FOLLOW_US) + rf"\b.{{0,60}}?\b{_PLATFORMS}\b[^.?]{{0,60}}$",
        'channel promotions in other languages ("Síguenos en Twitter", "Suivez-nous sur'
        ' WhatsApp", "Folgen Sie uns auf Instagram", "تابعونا على تويتر")',
    ),
    _line(
        r"^\W*"
        + _alternatives(_SIGN_UP)
        + r"\b.{0,120}?\b(newsletters?|bolet[ií]n(es)?|lettre d'information|infolettre"
        r"|نشرتنا|النشرة)\b.{0,200}$",
        'newsletter sign-up lines in other languages ("Suscríbete a nuestra newsletter",'
        ' "Abonnez-vous à notre newsletter", "Abonnieren Sie unseren Newsletter")',
    ),
    _line(
        r"^\W*(share|listen to|print|save|email|bookmark) this (article|story|post|page)\W*$",
        '"Listen to this article" / "Share this article" buttons left as text',
    ),
    _line(
        r"^\W*(published|updated|posted|last updated|last modified)( on| at)?\s*[-:–—|]?\s*"
        r"((mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?(\d{1,2}(st|nd|rd|th)?\s+[a-z]+\.?,?"
        r"\s+\d{4}|[a-z]+\.?\s+\d{1,2}(st|nd|rd|th)?,?\s+\d{4}|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}"
        r"|\d{1,2}[/.]\d{1,2}[/.]\d{2,4})(\s*(,|at|@|-|\|)?\s*\d{1,2}[:.]\d{2}"
        r"(\s*[ap]\.?\s?m\.?)?(\s*[a-z]{2,5})?)?\W*$",
        'time stamps set in the text ("Published - November 27, 2026 08:45 pm IST", "Updated:'
        " Nov. 27, 2026 10:15 AM\"): the article's date is its published field",
    ),
    _line(
        r"^(tags|tagged( with| as)?|filed under|categories|category|topics|schlagw(ö|o)rte?r?"
        r"|étiquettes|mots-clés|etiquetas)\s*:.{0,300}$",
        '"Tags: …" / "Filed under: …" lines',
    ),
    _line(
        r"^[(（\[【<〈]\s*(end|完|끝)\s*[)）\]】>〉]$",
        'a wire\'s mark of an article\'s end: Yonhap\'s "(END)" and "(끝)", Xinhua\'s "（完）"',
    ),
    _line(
        r"^[\W_]+$",
        "lines with no letter or digit, such as the separators left between removed share links",
    ),
    _line(
        r"^\W*(get|want) (our|the|more)\b.{0,80}\bnewsletters?\b.{0,200}$",
        "newsletter sign-up lines",
    ),
    _line(
        r"^\W*((additional )?(reporting|writing|compiled|research) by\b[^;]{0,200};\s*)*"
        r"editing by\b.{0,150}$",
        'wire credit lines ("Reporting by ...; Editing by ..."): their staff names would be'
        " names shared by unrelated stories",
    ),
    _line(
        r"^(submitted by /?u/[\w-]+( to /?r/\w+)?|\[link\] \[comments\])$",
        "Reddit's feed footer on every post (its author and [link] [comments])",
    ),
    _line(
        r"^article url: https?://\S+$",
        "hnrss's \"Article URL: <the linked page's address>\" line (Hacker News feeds): an"
        " address, said again by the item's link",
        "url: ",
    ),
    Rule(
        "cut_after",
        pattern=r"^comments url: https?://news\.ycombinator\.com/item\?id=\d+$",
        note='hnrss\'s footer on every item: "Comments URL: <the discussion>", then "Points:'
        ' 336" and "# Comments: 206" (a "Points: 23" line alone is a box score, kept)',
        keyword="url: ",
    ),
    _line(
        r"^(view|see) full coverage on google news$",
        "Google News's link to its story page, the last item of each cluster of headlines",
        "full coverage",
    ),
    _line(
        # An address ends it: "See full coverage of the trial in Sunday's paper." is prose.
        r"^\W*((follow|find|see|read|get)( more( of)?)? [^.:]{1,60}?(['’]s?)? (full |latest"
        r" |complete |more |ongoing )?coverage (of|on) .{1,150}?|more [^.:]{1,60}? coverage"
        r"( of .{1,150}?)?)\s*(at|:|here:?)\s*https?://\S+?\W*$",
        "pointers to an outlet's hub on the topic, with its address (\"Follow AP's coverage of"
        ' the election at https://apnews.com/hub/…", "More AP coverage of the Middle East: …")',
        "coverage",
    ),
    _line(
        r"^.{0,400}\b(receives?|received) (financial )?support from\b.{0,400}\bsolely"
        r" responsible for all content\.(\s.{0,300})?$",
        "a funder's disclosure (\"The Associated Press receives support from … AP is solely"
        ' responsible for all content."), on every story of the coverage it funds',
        "solely responsible for all content",
    ),
    _line(
        r"^\W*((estimated )?reading time\s*:?\s*(about |approx\.? )?\d{1,3}(\s*[-–]\s*\d{1,3})?"
        r"\s*(minutes?|mins?\.?)|(about )?\d{1,3}[- ]?(minutes?|mins?\.?) read)\W*$",
        'reading-time estimates ("Reading Time: 4 minutes" of the Reading Time WP plugin, Yoast\'s'
        ' "Estimated reading time: 3 minutes", a theme\'s "5 min read")',
        "read",
    ),
    _line(
        # Names are capitalised ((?-i:…) in a table read without case): "By the numbers", "By
        # car and by train" and "Von Anfang an war klar" are no bylines.
        rf"^\W*((written|story|words|text|reporting) )?(by|von|par|por|door)\s+"
        rf"(?!(the|a|an|this|that|der|die|das|le|la|les|el|los|las|het|de)\b)"
        rf"{_NAME}(\s*(,|&|\||\b(and|et|und|y|e|en)\b)\s*{_NAME}){{0,5}}\W*$",
        'bylines set as a line ("By Jane Doe and John Smith, Reuters", "Von Anna Schmidt"): the'
        " lead began with them, and their staff names are shared by unrelated stories",
    ),
    _line(
        r"^\W*(the )?associated press\b.{0,150}\bcontributed( to this (report|story))?\W*$",
        '"Associated Press writer ... contributed to this report."',
    ),
    _line(
        r"^.{0,250}\bcontributed (to this (report|story|article)|(reporting|research)"
        r"( to this (report|story|article))?( from .{1,150})?)\W*$",
        'other contributor lines ("Fox News\' Chad Pergram contributed to this report.", "CNN\'s'
        ' … contributed to this story.", NYT\'s "… contributed reporting from Tbilisi."): staff'
        " names, shared by unrelated stories",
        # 2 us a line without it: the regex tries each of the first 250 characters.
        "contributed",
    ),
    _line(
        rf"^\W*((with|avec|mit|con|com)( (inputs?|material|informa[cç](ión|ões)) (from|von|der"
        rf"|de|da|das))?|(additional )?(reporting|inputs?) (by|from)|source|sources|quelle"
        rf"|fuente|fonte|المصدر|出典)\s*[:：]?\s*{_AGENCIES}\W*$",
        'agency credit lines ("With AFP", "Mit Material von dpa", "Con información de EFE",'
        ' "With inputs from PTI", "Source: Al Jazeera and news agencies")',
    ),
    _line(
        rf"^\W*{_AGENCIES}( contributed( to this (report|story))?)?\W*$",
        'a credit line that is agencies alone ("(Reuters)", "— AP", "Reuters/AP"), or their'
        " contribution",
    ),
    _line(
        rf"^[^\W\d_]+([ '’-][^\W\d_]+){{0,3}} avec {_AGENCIES}\W*$",
        'a French outlet\'s credit line ("Le Monde avec AFP", "Le Figaro avec AFP et Reuters")',
        " avec ",
    ),
    _line(
        r"^\W*(©\s*)?dpa-infocom\s*,?\s*dpa:\d{6}-\d{1,4}-\d{1,12}/\d{1,4}$",
        "dpa-infocom's copyright and story id on every text (\"© dpa-infocom,"
        ' dpa:261127-930-123456/1")',
        "dpa-infocom",
    ),
    _line(
        rf"^([a-zäöü]{{2,4}}/)+{_AGENCIES}$",
        'a German outlet\'s closing initials and agencies ("mes/dpa/Reuters", "jok/AFP")',
    ),
)


@dataclass(frozen=True, slots=True)
class CompiledRules:
    """A rule table turned into what the cleaners run: selector matchers and regexes."""

    drop: Matcher | None
    # drop and drop_from_text together (what the text walk skips), and drop_from_text alone.
    text_drop: Matcher | None
    drop_text: Matcher | None
    drop_matching: tuple[tuple[Matcher, re.Pattern[str]], ...]
    drop_empty: Matcher | None
    lines: LineRules
    cut_after: LineRules


# The non-ASCII letters re.IGNORECASE takes for ASCII ones (ı and İ for i, ſ for s, the Kelvin
# sign for k) although str.lower() does not make them those: a line holding one may match a
# pattern without its lower() holding the keyword. Found by trying every code point against
# the regex engine (test_line_keywords.py does it again).
_FOLDS: Final = "\u0130\u0131\u017f\u212a"


@dataclass(frozen=True, slots=True)
class LineRules:
    """Line rules as they run: regexes every line goes through, and regexes behind a keyword
    that a line must hold (in ``str.lower()``) to be worth trying them."""

    always: tuple[Callable[[str], object], ...] = ()
    keyed: tuple[tuple[str, Callable[[str], object]], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.always or self.keyed)

    def hit(self, line: str) -> bool:
        if len(line) > MAX_RULE_LINE:
            return False
        for found in self.always:
            if found(line) is not None:
                return True
        if not self.keyed:
            return False
        lower = line.lower()
        # isascii() is O(1) in CPython; the scan for the letters lower() misses runs only on
        # lines that are not ASCII.
        folds = not line.isascii() and any(char in line for char in _FOLDS)
        return any(
            (folds or keyword in lower) and found(line) is not None for keyword, found in self.keyed
        )


def _line_rules(rules: Sequence[Rule]) -> LineRules:
    by_keyword: dict[str, list[str]] = {}
    for rule in rules:
        by_keyword.setdefault(rule.keyword, []).append(rule.pattern)
    always = by_keyword.pop("", [])
    return LineRules(
        always=tuple(_finder(p) for p in _union_regex(always)) if always else (),
        keyed=tuple(
            (keyword, _finder(p))
            for keyword, group in by_keyword.items()
            for p in _union_regex(group)
        ),
    )


def _finder(pattern: re.Pattern[str]) -> Callable[[str], object]:
    # A pattern anchored at ^ (and not MULTILINE) can only match at 0: match() says the same
    # as search() without trying every other position first.
    return pattern.match if _anchored(pattern.pattern) else pattern.search


def _syntax(pattern: str) -> Iterator[tuple[int, str]]:
    """Each character of ``pattern`` outside a character class and not escaped, with its index."""
    index = 0
    in_class = False
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            # A "]" first in a class (after an optional "^") is a literal, not its end.
            index += 1
            if pattern.startswith("^", index):
                index += 1
            if pattern.startswith("]", index):
                index += 1
            continue
        else:
            yield index, char
        index += 1


@functools.lru_cache(maxsize=1024)
def _anchored(pattern: str) -> bool:
    """Whether a pattern can only match at the start: a leading ``^`` and no top-level ``|``.

    In ``^a|b`` the caret anchors only ``a``; ``b`` is searched for anywhere.
    """
    if not pattern.startswith("^"):
        return False
    depth = 0
    for _, char in _syntax(pattern):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            return False
    return True


# A comment group or verbose mode can hold a "[" that opens no class, which _syntax would take
# for one: such patterns keep their groups.
_OPAQUE: Final = re.compile(r"\(\?#|\(\?[aiLmsux-]*x")


def _without_captures(pattern: str) -> str:
    """``pattern`` with its plain groups made non-capturing: the union is only asked whether it
    matches, and the engine saves the position of each capturing group it tries (the default
    line rules' union took 4.7 us a line with them, 2.7 without)."""
    if _OPAQUE.search(pattern):
        return pattern
    pieces: list[str] = []
    last = 0
    for index, char in _syntax(pattern):
        if char == "(" and not pattern.startswith("?", index + 1):
            pieces.append(pattern[last : index + 1] + "?:")
            last = index + 1
    return "".join(pieces) + pattern[last:]


def _refers_to_groups(pattern: str) -> bool:
    return re.search(r"\\[1-9]|\(\?P=", pattern) is not None or any(
        char == "(" and pattern.startswith("?(", index + 1) for index, char in _syntax(pattern)
    )


def _union_regex(patterns: Sequence[str]) -> tuple[re.Pattern[str], ...]:
    """Few regexes for many: one for those anchored at the start, one for the rest.

    Line rules run on every line of every entry. Anchored patterns are joined without their
    ``^`` and used with ``match``, which tries one position instead of every one; backreferences
    (whose numbers would shift when joined) and patterns that will not join stay separate.
    """
    # Group references (backreferences, conditionals) would point elsewhere once joined.
    if len(patterns) < 2 or any(_refers_to_groups(p) for p in patterns):
        return tuple(_regex(p) for p in patterns)
    at_start = [_without_captures(p[1:]) for p in patterns if _anchored(p)]
    floating = [_without_captures(p) for p in patterns if not _anchored(p)]
    joined: list[re.Pattern[str]] = []
    try:
        if at_start:
            joined.append(re.compile("^(?:" + "|".join(f"(?:{p})" for p in at_start) + ")", re.I))
        if floating:
            joined.append(re.compile("|".join(f"(?:{p})" for p in floating), re.I))
    except re.error:  # e.g. a global inline flag in one pattern
        return tuple(_regex(p) for p in patterns)
    return tuple(joined)


@functools.lru_cache(maxsize=256)
def compile_rules(extra: tuple[Rule, ...] = ()) -> CompiledRules:
    """Compile the default rules plus a source's extra rules (cached: tables repeat per source)."""
    table = DEFAULT_RULES + extra
    matching: dict[str, list[str]] = {}
    for rule in table:
        if rule.kind == "drop_element_matching":
            matching.setdefault(rule.selector, []).append(rule.pattern)
    drop_matching: list[tuple[Matcher, re.Pattern[str]]] = []
    for selector, patterns in matching.items():
        path = compile_selectors([selector])
        if path is not None:
            drop_matching.extend((path, regex) for regex in _union_regex(patterns))
    text_only = [r.selector for r in table if r.kind == "drop_from_text"]
    drops = [r.selector for r in table if r.kind == "drop_element"]
    return CompiledRules(
        drop=compile_selectors(drops),
        text_drop=compile_selectors(drops + text_only),
        drop_text=compile_selectors(text_only),
        drop_matching=tuple(drop_matching),
        drop_empty=compile_selectors([r.selector for r in table if r.kind == "drop_empty"]),
        lines=_line_rules([r for r in table if r.kind == "drop_paragraph_matching"]),
        cut_after=_line_rules([r for r in table if r.kind == "cut_after"]),
    )


def compiled(rules: Sequence[Rule] | None) -> CompiledRules:
    """The compiled table for the public API's ``rules`` argument (extra rules or None)."""
    return compile_rules(tuple(rules) if rules else ())


def drops_line(line: str, table: CompiledRules) -> bool:
    """Whether a line-level rule removes this line of cleaned text."""
    return table.lines.hit(line)


def cuts_at(line: str, table: CompiledRules) -> bool:
    """Whether a ``cut_after`` rule ends the text at this line."""
    return table.cut_after.hit(line)


# An element's text is read for a rule up to this many characters, whitespace included (it
# collapses, so more than a rule line): nested elements that each read all the text below them
# cost the depth times the text, 2,000 levels of a 2 MB text minutes.
MAX_ELEMENT_TEXT: Final = 20 * MAX_RULE_LINE


def element_text(el: HtmlElement, limit: int = MAX_ELEMENT_TEXT) -> str | None:
    """``el.text_content()``, or None when it is longer than ``limit``: read no further."""
    pieces: list[str] = []
    size = 0
    for piece in el.itertext():
        size += len(piece)
        if size > limit:
            return None
        pieces.append(piece)
    return "".join(pieces)


def rule_text(el: HtmlElement) -> str | None:
    """``el``'s text as an element rule's pattern sees it (whitespace collapsed), None when it
    is longer than a rule line."""
    text = element_text(el)
    if text is None:
        return None
    text = " ".join(text.split())
    return text if len(text) <= MAX_RULE_LINE else None


# A headline runs to a few words; a link of one or two is a name (a tool, a document).
_HEADLINE_WORDS: Final = 3
# Marks typed before a paragraph to make it a list item.
_BULLETS: Final = "\u2022\u2023\u25e6\u25aa\u25b8\u25ba\u25b6\u00b7"
_BOX_TAGS: Final = frozenset({"ul", "ol", "p"})
_HEADINGS: Final = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_BULLET: Final = re.compile(f"\\s*[{_BULLETS}]+\\s*")
# What link_lists may find: the boxes, and the headings over them (a label may be a div).
_LISTED_TAGS: Final = _BOX_TAGS | _HEADINGS | {"div"}


def _only_a_headline_link(el: HtmlElement) -> bool:
    """Whether ``el`` holds one link of a headline's length and nothing else but a bullet."""
    links = el.findall(".//a")
    if len(links) != 1 or not links[0].get("href"):
        return False
    words = links[0].text_content().split()
    return (
        len(words) >= _HEADLINE_WORDS
        and el.text_content().strip().lstrip(_BULLETS).split() == words
    )


# A headline in capitals: Latin ones only (Python's re has no class for lower case in every
# script, and a listed alphabet cannot miss one), two in a row at least. The class first, as a
# lookahead over the whole text: it fails at the first lower-case letter.
_CAPITALS: Final = re.compile(
    r"(?=[A-Z0-9\u00c0-\u00d6\u00d8-\u00de\s'’‘\"“”,.:;!?&%$#@()/|…\-–—]+$)(?=.*[A-Z]{2})"
)
# 4 to 20 words: a headline's length; some wire and agency feeds set whole items in capitals.
_CAPITAL_WORDS: Final = range(4, 21)


def _a_link_in_capitals(el: HtmlElement) -> bool:
    """Whether ``el`` holds one link and nothing else, its text a headline in capitals: Fox
    News's links to other stories ("HOUSE GOP UNVEILS STOPGAP PLAN…") and promotions ("LIKE WHAT
    YOU'RE READING? CLICK HERE…"). Capitals that are no link are the article's own: AP's
    datelines and subheadings, headings, a headline quoted."""
    links = el.findall(".//a")
    if len(links) != 1 or not links[0].get("href"):
        return False
    words = links[0].text_content().split()
    return (
        len(words) in _CAPITAL_WORDS
        and _CAPITALS.match(" ".join(words)) is not None
        and el.text_content().split() == words
    )


def _links_only(el: HtmlElement) -> bool:
    """A list whose every item is one headline link, or a paragraph that is a bullet and one
    headline link, or that is one link in capitals: a box of other stories, if it is set beside
    prose."""
    tag = el.tag
    if tag == "p":
        # Asked of every paragraph: the text before its first child says no to prose at its
        # first letter.
        text = el.text
        if text is None or text.isspace():
            return len(el) > 0 and _a_link_in_capitals(el)
        return _BULLET.fullmatch(text) is not None and _only_a_headline_link(el)
    if tag not in ("ul", "ol") or not len(el):
        return False
    return all(item.tag == "li" and _only_a_headline_link(item) for item in el)


def _prose(el: HtmlElement | None) -> bool:
    return el is not None and el.tag == "p" and bool(el.text_content().strip())


def link_lists(root: HtmlElement) -> set[HtmlElement]:
    """The lists of other stories in ``root``: lists whose every item is one link of a
    headline's length and nothing else, or such links in paragraphs of their own after a
    bullet ("• <a>…</a>"), set (with others of their kind) beside a paragraph of prose.

    The Guardian's descriptions put one between the standfirst and the body ("Ukraine war –
    latest updates"), as a list or as bulleted paragraphs, news CMSs their "related" boxes in
    content:encoded; their headlines read as the article's sentences. A list that is all there
    is (Google News's cluster of headlines) is the text, a list that says more than its links
    is prose, and so is a paragraph that holds a link in a sentence, or only a link without a
    bullet (a pointer to a document, a sentence linked whole).

    A box under its own heading ("Related Articles", "Mehr zum Thema", a short paragraph,
    bold or plain, such as "Read next") is beside the prose before that heading, and the
    heading goes with it.

    One pass over each parent's children: asked of each element, the run of such boxes around
    it was walked for every one of them, and 2,000 bulleted links in a row (90 KB) took 36 s.
    """
    found: set[HtmlElement] = set()
    parents = {box.getparent() for box in root.iter(*_BOX_TAGS)}
    for parent in parents:
        if parent is None:
            continue
        run: list[HtmlElement] = []
        # The sibling before the run and the one before that: a box's own heading ("Related
        # Articles", "Mehr zum Thema", a "Read next") stands between it and the prose.
        before = earlier = None
        for child in parent:
            if _links_only(child):
                run.append(child)
                continue
            if run:
                _found_box(found, run, before, earlier, child)
            run, before, earlier = [], child, before
        if run:
            _found_box(found, run, before, earlier, None)
    return found


def _found_box(
    found: set[HtmlElement],
    run: list[HtmlElement],
    before: HtmlElement | None,
    earlier: HtmlElement | None,
    after: HtmlElement | None,
) -> None:
    """Add ``run`` to ``found`` if it is set beside prose, and the heading over it with it."""
    heading = before is not None and _box_heading(before)
    if _prose(after) or (_prose(earlier) if heading else _prose(before)):
        found.update(run)
        if heading:
            found.add(before)


# A paragraph longer than this, or ending as a sentence, is prose (a standfirst, the article's
# last line), not a label.
_LABEL_WORDS: Final = 6


def _box_heading(el: HtmlElement) -> bool:
    """A heading, or a paragraph (or a div of no blocks) of a few words that ends as no
    sentence does: a heading as editors set one, bold ("Read next") or plain ("More from The
    Local Times:", "Most read")."""
    if el.tag in _HEADINGS:
        return True
    if el.tag not in ("p", "div") or any(d.tag in _BOUNDARIES for d in el.iterdescendants()):
        return False
    words = el.text_content().split()
    return 0 < len(words) <= _LABEL_WORDS and words[-1][-1] not in ".!?"


# An embedded post whose markup lost its classes (a feed's sanitiser, a CMS): a quote that
# links to a tweet or an Instagram post and credits a handle. What it says is another author's
# words, left out of the text like the embeds the rules know by class.
_SOCIAL_POST: Final = re.compile(
    r"https?://(?:www\.|mobile\.)?(?:twitter|x)\.com/\w+/status(?:es)?/\d"
    r"|https?://(?:www\.)?instagram\.com/(?:p|reel|tv)/"
    # A Mastodon (or other fediverse) post on any server: /@user/<id> or /@user@host/<id>.
    r"|https?://[\w.-]+/@[\w.]+(?:@[\w.-]+)?/\d+(?![\w/])"
    r"|https?://bsky\.app/profile/[^/\s]+/post/"
    r"|https?://(?:www\.)?threads\.(?:net|com)/@[\w.]+/post/"
)
# "(@handle)", a fediverse "(@user@host)", Instagram's "A post shared by", Mastodon's "Post by
# @user@host" (its embed code since 4.3, the post's words left to its script).
_HANDLE_CREDIT: Final = re.compile(
    r"\(@[\w.]{1,30}(?:@[\w-]+(?:\.[\w-]+)+)?\)|\ba post shared by\b|^\s*post by @[\w.]+@",
    re.I,
)


def is_embedded_post(el: HtmlElement) -> bool:
    """Whether ``el`` is a blockquote that is an embedded tweet or Instagram post (a post and
    its credit: at most ``MAX_ELEMENT_TEXT`` characters)."""
    return (
        el.tag == "blockquote"
        and _credits_a_handle(el)
        and any(_SOCIAL_POST.match(a.get("href") or "") for a in el.iter("a"))
    )


def _credits_a_handle(el: HtmlElement) -> bool:
    text = element_text(el)
    return text is not None and _HANDLE_CREDIT.search(text) is not None


def _quoting_posts(root: HtmlElement) -> set[HtmlElement]:
    """The blockquotes of ``root`` that hold a link to a tweet or an Instagram post, in one
    walk: each blockquote looking through its own links read nested ones again and again."""
    found: set[HtmlElement] = set()
    quotes: list[HtmlElement] = []  # the blockquotes open where the walk is
    for event, el in etree.iterwalk(root, events=("start", "end"), tag=("blockquote", "a")):
        if el.tag == "blockquote":
            if event == "start":
                quotes.append(el)
            else:
                quotes.pop()
        elif event == "start" and quotes and _SOCIAL_POST.match(el.get("href") or ""):
            # Inner first: once one is found, the ones around it were found with it.
            for quote in reversed(quotes):
                if quote in found:
                    break
                found.add(quote)
    return found


# The classes that hide an element from sight but not from screen readers: WordPress's
# (core and themes), Bootstrap's, HTML5 Boilerplate's, Drupal's, Foundation's, and the same
# behind a prefix ("govuk-visually-hidden", the BBC's "ssrcss-1f39n02-VisuallyHidden").
# Tailwind's "not-sr-only" undoes "sr-only".
_HIDDEN_CLASS: Final = re.compile(
    r"(?!not-)(?:[\w-]*-)?(?:screen-reader-(?:text|only)|sr-only|visually-?hidden|a11y-hidden"
    r"|element-invisible|assistive-text|show-for-sr)",
    re.IGNORECASE,
)
# What each of those classes holds, for libxml2 to find the few elements worth a look in C.
# "[@class]" first: most elements have none, and the seven tests cost 6x the walk on them.
_HIDDEN_CANDIDATES: Final = etree.XPath(
    "descendant::*[@class][contains(@class, 'sr-only') or contains(@class, 'screen-reader')"
    " or contains(@class, 'isually') or contains(@class, 'a11y-hidden')"
    " or contains(@class, 'element-invisible') or contains(@class, 'assistive-text')"
    " or contains(@class, 'show-for-sr')]"
)


def screen_reader_labels(root: HtmlElement) -> set[HtmlElement]:
    """The elements of ``root`` hidden from sight for screen readers that are labels: inline
    ones, or any inside a link. They say what a sighted reader gets from the page around them
    ("(opens in a new tab)", "External link:", "Share on Facebook" on an icon, "Senator" after
    a visible "Sen.", BBC's "Image source, "): in the text they are words the reader never saw,
    and the sanitised HTML, without the class, would show them. A hidden heading or paragraph
    is content the page chose to name (a list's "Key points", a chart's summary), and stays.
    """
    found: set[HtmlElement] = set()
    candidates = _HIDDEN_CANDIDATES(root)
    if not isinstance(candidates, list):
        return found
    for el in candidates:
        if not isinstance(el, HtmlElement):
            continue
        if not any(_HIDDEN_CLASS.fullmatch(token) for token in (el.get("class") or "").split()):
            continue
        if el.tag not in _BOUNDARIES or next(el.iterancestors("a"), None) is not None:
            found.add(el)
    return found


def leaves_the_text(root: HtmlElement) -> Callable[[HtmlElement], bool]:
    """Whether the text walk leaves an element of ``root`` out without a rule naming it: a
    list of other stories (``link_lists``), an embedded post (``is_embedded_post``) or a label
    for screen readers (``screen_reader_labels``)."""
    lists = link_lists(root)
    quoting = _quoting_posts(root) if root.find(".//blockquote") is not None else set()
    hidden = screen_reader_labels(root)

    def leaves(el: HtmlElement) -> bool:
        # Asked of every element by the text walk: most leave at the tag.
        tag = el.tag
        if tag == "blockquote":
            return el in quoting and _credits_a_handle(el)
        if tag in _LISTED_TAGS and el in lists:
            return True
        return bool(hidden) and el in hidden

    return leaves


# Where the text around an inline element ends: blocks, line breaks, and what the walk leaves
# out with its text.
_BOUNDARIES: Final = frozenset(
    "p div section article header footer main aside blockquote pre figure figcaption address"
    " h1 h2 h3 h4 h5 h6 ul ol dl li dt dd table caption tr td th hr br details summary center"
    " fieldset body html script style".split()
)
# How many elements the look for a neighbouring character walks past (blank ones) at most.
_NEIGHBOUR_STEPS: Final = 32
# After these the sentence goes on (or ends with the element: "…would continue reading it.").
_SENTENCE_GOES_ON: Final = ".,;:!?"


def in_a_sentence(el: HtmlElement) -> bool:
    """Whether inline ``el`` is part of a sentence around it, for the ``drop_element_matching``
    rules: a link that reads "read more about the methodology" or "share on Facebook" inside
    "you can … before Friday" is words of that sentence, and went with the rule's match.

    It is when a word or the sentence's punctuation follows it, and a word (or a comma) comes
    before it, or what follows goes on in lower case ("<a>Read the full report</a>, which
    runs…"). Standing after a sentence's end, between separators ("|"), at the end of its
    paragraph or line, it is the furniture the rules are for.
    """
    if el.tag in _BOUNDARIES:
        return False
    after = _next_char(el)
    if not after or not (after.isalnum() or after in _SENTENCE_GOES_ON):
        return False
    before = _previous_char(el)
    return (before.isalnum() or before == ",") or after.islower() or after in ",;:"


def _first_char(text: str | None) -> str:
    stripped = (text or "").lstrip()
    return stripped[:1]


def _last_char(text: str | None) -> str:
    stripped = (text or "").rstrip()
    return stripped[-1:]


def _next_char(el: HtmlElement) -> str:
    """The first character that is no space after ``el`` in its block and line ("" if none)."""
    node: HtmlElement | None = el
    steps = 0
    while node is not None and steps < _NEIGHBOUR_STEPS:
        if char := _first_char(node.tail):
            return char
        sibling = node.getnext()
        while sibling is not None and steps < _NEIGHBOUR_STEPS:
            steps += 1
            if not isinstance(sibling.tag, str) or sibling.tag in _BOUNDARIES:
                return ""
            for piece in sibling.itertext():
                if char := _first_char(piece):
                    return char
            if char := _first_char(sibling.tail):
                return char
            sibling = sibling.getnext()
        node = node.getparent()
        if node is None or node.tag in _BOUNDARIES:
            return ""
        steps += 1
    return ""


def _previous_char(el: HtmlElement) -> str:
    """The last character that is no space before ``el`` in its block and line ("" if none)."""
    node = el
    steps = 0
    while steps < _NEIGHBOUR_STEPS:
        char, stop, steps = _previous_among_siblings(node, steps)
        if char or stop:
            return char
        parent = node.getparent()
        if parent is None:
            return ""
        char = _last_char(parent.text)
        if char or parent.tag in _BOUNDARIES:
            return char
        node = parent
        steps += 1
    return ""


def _previous_among_siblings(node: HtmlElement, steps: int) -> tuple[str, bool, int]:
    """The last character before ``node`` among its siblings, whether a boundary stopped the
    look there, and the steps taken so far."""
    sibling = node.getprevious()
    while sibling is not None and steps < _NEIGHBOUR_STEPS:
        steps += 1
        if char := _last_char(sibling.tail):
            return char, True, steps
        if not isinstance(sibling.tag, str) or sibling.tag in _BOUNDARIES:
            return "", True, steps
        for piece in reversed(list(sibling.itertext())):
            if char := _last_char(piece):
                return char, True, steps
        sibling = sibling.getprevious()
    return "", steps >= _NEIGHBOUR_STEPS, steps


def apply_element_rules(root: HtmlElement, table: CompiledRules, *, drop_empty: bool) -> None:
    """Remove the elements the rules select, in place (text after an element is kept)."""
    # First, on the tree as the text walk sees it (storywire.clean.text tests each element
    # before anything is removed), so both outputs drop the same lists.
    lists = link_lists(root)
    for el in [el for el in root.iter(*_LISTED_TAGS) if el in lists]:
        _drop(el)
    for el in screen_reader_labels(root):
        _drop(el)
    if table.drop is not None:
        for el in table.drop.select(root):
            _drop(el)
    for path, pattern in table.drop_matching:
        for el in path.select(root):
            text = rule_text(el)
            if text is not None and pattern.search(text) and not in_a_sentence(el):
                _drop(el)
    if drop_empty:
        drop_empty_elements(root, table)


def drop_from_page(root: HtmlElement, rules: Sequence[Rule] | None = None) -> None:
    """Remove from a web page's tree, in place, what the rules leave out of an entry's text
    (``drop_element``, ``drop_element_matching`` and ``drop_from_text``, lists of other
    stories, screen-reader labels), before a main-text extractor reads it (storywire.fulltext).

    The extractor keeps some of them as the article's: a pull quote in a ``<blockquote>``
    (the article said its sentence twice), an embedded post (another author's words), and
    whatever an operator's rules name for the source. The page's own frame (``html``,
    ``body``) stays even when a class of the rules names it (``<body class="sponsored">``)."""
    table = compiled(rules)
    lists = link_lists(root)
    doomed = [el for el in root.iter(*_LISTED_TAGS) if el in lists]
    doomed.extend(screen_reader_labels(root))
    if table.text_drop is not None:
        doomed.extend(table.text_drop.select(root))
    for path, pattern in table.drop_matching:
        for el in path.select(root):
            text = rule_text(el)
            if text is not None and pattern.search(text) and not in_a_sentence(el):
                doomed.append(el)
    for el in doomed:
        if el.tag not in _PAGE_FRAME:
            _drop(el)


_PAGE_FRAME: Final = frozenset({"html", "body"})


def drop_empty_elements(root: HtmlElement, table: CompiledRules) -> None:
    """Remove the ``drop_empty`` rules' elements that hold no text and no image."""
    if table.drop_empty is not None:
        # Children come after their parents in document order: reversed, inner wrappers go
        # first, so a wrapper holding only empty wrappers goes too.
        kept: set[HtmlElement] = set()
        for el in reversed(table.drop_empty.select(root)):
            if el in kept:
                continue  # a wrapper inside it holds a word or an image
            spaced = _blank(el)
            if spaced is None or el.find(".//img") is not None:
                # Removals never take a word or an image away: the wrappers around it hold it
                # too, and need not read all that is below them again (2,000 nested ones would).
                for holder in itertools.chain((el,), el.iterancestors()):
                    if holder in kept:
                        break
                    kept.add(holder)
                continue
            if spaced and el.tag in _INLINE:
                # "The<span> </span>council": the wrapper held the word space.
                el.tail = " " + (el.tail or "")
            _drop(el)


def _blank(el: HtmlElement) -> bool | None:
    """None when ``el`` holds a word (read up to it, no further), else whether it holds any
    whitespace."""
    spaced = False
    for piece in el.itertext():
        if piece and not piece.isspace():
            return None
        spaced = spaced or bool(piece)
    return spaced


_INLINE: Final = frozenset({"span", "a", "strong", "em", "b", "i", "font"})


def _drop(el: HtmlElement) -> None:
    if el.getparent() is not None:
        el.drop_tree()
