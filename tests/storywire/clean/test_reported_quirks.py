"""Content quirks reported against feed readers and article extractors, each as reported.

Every case is written here after the public report named beside it (not copied from it) and
checked through the cleaners the process stage calls (``html_to_text``, ``sanitize_html``).
``HELD`` are quirks storywire already read right when they were collected; ``FIXED`` are the
ones it read wrong then (each failed on the code before its fix). ``KEPT`` is ordinary prose
next to each fix's pattern, which must stay word for word.
"""

from __future__ import annotations

import pytest

from storywire.clean import html_to_text, sanitize_html

BODY = "<p>The council approved the budget on Monday.</p>"
BODY_TEXT = "The council approved the budget on Monday."

# (quirk, report, html, text)
HELD = [
    (
        "block ends glue sentences (end.</p><p>Start)",
        "https://github.com/mozilla/readability/issues/939",
        "<h3>Foo</h3><p>Bar ended.</p><p>Start again.</p>",
        "Foo\n\nBar ended.\n\nStart again.",
    ),
    (
        "list items glued in minified HTML",
        "https://github.com/mozilla/readability/issues/779",
        "<ol><li><span>Get your assets ready</span></li><li><span>Pitch the story</span></li></ol>",
        "1. Get your assets ready\n2. Pitch the story",
    ),
    (
        "text after a block squished into the next heading",
        "https://github.com/adbar/trafilatura/issues/661",
        "<section><p>First</p>This gets Squished<div><h4>There should be a space</h4>"
        "<p>Another sentence</p>This also gets Squished</div></section>",
        "First\n\nThis gets Squished\n\nThere should be a space\n\nAnother sentence\n\n"
        "This also gets Squished",
    ),
    (
        "inline element inside a word split it",
        "https://github.com/TeamHG-Memex/html-text/issues/16",
        "<p><span>N</span>o one is responsible for <strong>fo</strong>o.</p>",
        "No one is responsible for foo.",
    ),
    (
        "<wbr> inside a word",
        "https://github.com/browsermt/bergamot-translator/issues/339",
        "<p>The supercali<wbr>fragilistic rule at https://example.org/a/<wbr>b/<wbr>c.</p>",
        "The supercalifragilistic rule at https://example.org/a/b/c.",
    ),
    (
        "soft hyphens inside words",
        "https://github.com/akrennmair/newsbeuter/issues/28",
        "<p>Das Donau&shy;dampf&shy;schiff fährt.</p>",
        "Das Donaudampfschiff fährt.",
    ),
    (
        "soft hyphens break search on the word",
        "https://github.com/contao/core/issues/8389",
        "<p>Ein Ge\u00adsamt\u00adkon\u00adzept mit zero\u200bwidth und non&nbsp;breaking.</p>",
        "Ein Gesamtkonzept mit zerowidth und non breaking.",
    ),
    (
        "<br>-only layout (Blogger, LiveJournal)",
        "https://github.com/mozilla/readability/pull/310",
        "Dare to predict.<br />Reiterate time to time.<br /><br />Let me know.<br />",
        "Dare to predict.\nReiterate time to time.\n\nLet me know.",
    ),
    (
        "<br>-only layout is still text",
        "https://github.com/mozilla/readability/issues/247",
        "<div>One line<br>Two lines<br><br>A paragraph</div>",
        "One line\nTwo lines\n\nA paragraph",
    ),
    (
        "table cells glued",
        "https://github.com/adbar/trafilatura/pull/563",
        "<table><tr><th>Party</th><th>Seats</th></tr><tr><td>Greens</td><td>12</td></tr></table>",
        "Party Seats\nGreens 12",
    ),
    (
        "noscript copy of a lazy image doubles it",
        "https://github.com/FreshRSS/FreshRSS/issues/3688",
        '<p><img src="data:image/gif;base64,R0lGOD" data-src="https://e.org/a.jpg" alt="Haiti">'
        '<noscript><img src="https://e.org/a.jpg" alt="Haiti"></noscript></p>' + BODY,
        BODY_TEXT,
    ),
    (
        "noscript fallback image in WordPress lazy load",
        "https://github.com/feediron/ttrss_plugin-feediron/issues/43",
        '<img class="lazyloaded" src="https://e.org/p.png" data-lazy-src="https://e.org/p.png"'
        ' alt="apple-ipad"><noscript><img src="https://e.org/p.png" alt="apple-ipad"></noscript>'
        + BODY,
        BODY_TEXT,
    ),
    (
        "embedded tweet's fallback (pic.twitter.com, — Name (@handle) date)",
        "https://github.com/php-embed/Embed/issues/364",
        BODY + '<blockquote class="twitter-tweet"><p lang="en" dir="ltr">Drupal 1.0.0 was'
        ' released today! <a href="https://t.co/B5">pic.twitter.com/B5L4CrZyDL</a></p>&mdash;'
        ' Drupal Association (@drupalassoc) <a href="https://twitter.com/drupalassoc/status/'
        '1217450156523692038">January 15, 2020</a></blockquote> <script async'
        ' src="https://platform.twitter.com/widgets.js"></script>',
        BODY_TEXT,
    ),
    (
        'Instagram embed\'s "View this post on Instagram"',
        "https://github.com/MichaelDeBoey/gatsby-remark-embedder/issues/90",
        BODY + '<blockquote class="instagram-media" data-instgrm-captioned'
        ' data-instgrm-permalink="https://www.instagram.com/p/B8IUkSklI_3/"><div><a'
        ' href="https://www.instagram.com/p/B8IUkSklI_3/"><div>View this post on Instagram'
        '</div></a><p><a href="https://www.instagram.com/p/B8IUkSklI_3/">A post shared by Brad'
        " (@bradgarropy)</a></p></div></blockquote>",
        BODY_TEXT,
    ),
    (
        'Yoast\'s "The post X appeared first on Y" footer',
        "https://github.com/NextINpact/Next/issues/167",
        BODY + '<p>The post <a href="https://next.ink/x">Microsoft publie Orca 2</a> appeared'
        ' first on <a href="https://next.ink/">Next</a>.</p>',
        BODY_TEXT,
    ),
    (
        "tracking pixel",
        "https://github.com/friendica/friendica/pull/9230",
        BODY + '<img src="https://track.example.net/o.gif?u=1" width="1" height="1" alt="">',
        BODY_TEXT,
    ),
    (
        "WordPress stats pixel",
        "https://github.com/inyokaproject/inyoka/issues/1199",
        BODY + '<img src="https://pixel.wp.com/b.gif?host=e.org&blog=1&post=2" alt=" ">',
        BODY_TEXT,
    ),
    (
        "footnote marker glued to its word (linked)",
        "https://github.com/ForumMagnum/ForumMagnum/issues/4461",
        '<p>Prices rose<sup class="footnote-ref"><a href="#fn1" id="fnref1">1</a></sup>'
        " sharply.</p>",
        "Prices rose sharply.",
    ),
    (
        "paragraph newlines lost between sentences",
        "https://github.com/AndyTheFactory/newspaper4k/issues/506",
        "<p>First sentence</p><p>second sentence follows.</p>",
        "First sentence\n\nsecond sentence follows.",
    ),
    (
        "sentences joined without a space",
        "https://github.com/grangier/python-goose/pull/152",
        "<p>Zuckerberg will attend the summit.</p><p>Zuckerberg said more.</p>",
        "Zuckerberg will attend the summit.\n\nZuckerberg said more.",
    ),
]

# (quirk, report, html, sanitised html): lazy loaders, as re-published
HELD_HTML = [
    (
        "lazy image with data-srcset only (katapult-magazin)",
        "https://github.com/FreshRSS/FreshRSS/issues/3823",
        '<p><img src="data:image/gif;base64,R0lGOD" data-srcset="https://e.org/a-300.jpg 300w,'
        ' https://e.org/a-1200.jpg 1200w" alt="Karte"></p>',
        '<p><img src="https://e.org/a-1200.jpg" alt="Karte"></p>',
    ),
    (
        "lazy image with data-src and a placeholder src",
        "https://github.com/mozilla/readability/issues/748",
        '<p><img src="/images/lazyload.gif" data-src="https://e.org/photo.jpg" alt="Lynn"></p>',
        '<p><img src="https://e.org/photo.jpg" alt="Lynn"></p>',
    ),
    (
        "noscript copy of a lazy image shown twice",
        "https://github.com/FreshRSS/FreshRSS/issues/3688",
        '<p><img src="data:image/gif;base64,R0lGOD" data-src="https://e.org/a.jpg" alt="Haiti">'
        '<noscript><img src="https://e.org/a.jpg" alt="Haiti"></noscript></p>',
        '<p><img src="https://e.org/a.jpg" alt="Haiti"></p>',
    ),
    (
        "srcset only, no src (Hexo and Jetpack lazy loaders)",
        "https://github.com/hexojs/hexo-generator-feed/pull/273",
        '<p><img srcset="https://e.org/b-640.jpg 640w, https://e.org/b-1280.jpg 1280w"'
        ' alt="Bridge"></p>',
        '<p><img src="https://e.org/b-1280.jpg" alt="Bridge"></p>',
    ),
]

# (quirk, report, html, text); each failed before its fix
FIXED = [
    (
        "WordPress emoji as <img alt> (wp-smiley)",
        "https://github.com/Ranchero-Software/NetNewsWire/issues/2868",
        '<p>We shipped it <img src="https://s.w.org/images/core/emoji/13.0.1/72x72/1f4f0.png"'
        ' alt="📰" class="wp-smiley" style="height: 1em; max-height: 1em;" /> today.</p>',
        "We shipped it 📰 today.",
    ),
    (
        "emoji images between words (twemoji)",
        "https://github.com/FreshRSS/FreshRSS/issues/4104",
        '<p>Hi<img class="emoji" draggable="false" alt="👋🏽"'
        ' src="https://twemoji.example/72x72/1f44b.png">there, go <img alt="🇫🇷"'
        ' src="https://e.org/fr.png">!</p>',
        "Hi👋🏽there, go 🇫🇷!",
    ),
    (
        "WordPress smiley as <img alt>",
        "https://github.com/Ranchero-Software/NetNewsWire/issues/2868",
        '<p>Nice one <img src="https://e.org/wp-includes/images/smilies/icon_smile.gif"'
        ' alt=":)" class="wp-smiley"> indeed.</p>',
        "Nice one :) indeed.",
    ),
    (
        "exponent run into its base (100<sup>2</sup> = 10000 read 1002)",
        "https://github.com/adbar/trafilatura/issues/889",
        "<p>The deepest layer has 100<sup>2</sup>=10000 nodes over 25 m<sup>2</sup>,"
        " 10<sup>-6</sup> of the CO<sub>2</sub>.</p>",
        "The deepest layer has 100²=10000 nodes over 25 m², 10⁻⁶ of the CO₂.",
    ),
    (
        "footnote number without a link glued to its word",
        "https://github.com/datalab-to/marker/issues/274",
        "<p>The study found otherwise<sup>12</sup>.</p>",
        "The study found otherwise¹².",
    ),
    (
        "furigana (ruby) read into the sentence",
        "https://github.com/yanus171/Handy-News-Reader/issues/655",
        "<p><ruby>漢<rp>(</rp><rt>かん</rt><rp>)</rp>字<rp>(</rp><rt>じ</rt><rp>)</rp></ruby>"
        "を<ruby>読<rt>よ</rt></ruby>む</p>",
        "漢字を読む",
    ),
    (
        "furigana splitting words (表ひよう示じ)",
        "https://github.com/kevinboone/epub2txt2/pull/32",
        "<p>その言葉が<ruby>表示<rt>ひょうじ</rt></ruby>された</p>",
        "その言葉が表示された",
    ),
    (
        '"Weiterlesen" link after a German excerpt',
        "https://github.com/lwindolf/liferea/issues/1032",
        BODY + '<p><br><br><a href="https://e.org/freie-software">Weiterlesen</a></p>',
        BODY_TEXT,
    ),
    (
        '"Read more" in French, Spanish, Portuguese, Italian, Dutch, German',
        "https://github.com/lwindolf/liferea/issues/1032",
        BODY + '<p><a href="/a">Lire la suite</a></p><p>Seguir leyendo</p><p>Leer más »</p>'
        '<p><a href="/b">Continuar lendo</a></p><p>Continua a leggere</p><p>Leggi tutto</p>'
        '<p><a href="/c">Lees verder</a></p><p>Mehr lesen</p><p>Lire la suite →</p>',
        BODY_TEXT,
    ),
    (
        "Yoast's footer in French, German, Spanish, Portuguese, Italian, Dutch",
        "https://developer.yoast.com/features/alternate-formats/rss-feeds/",
        BODY + '<p>L’article <a href="/x">Orca 2</a> est apparu en premier sur <a href="/">Next'
        "</a>.</p><p>Der Beitrag <a>Titel</a> erschien zuerst auf <a>Seite</a>.</p>"
        "<p>La entrada <a>Título</a> se publicó primero en <a>Sitio</a>.</p>"
        "<p>O post <a>Título</a> apareceu primeiro em <a>Site</a>.</p>"
        "<p>L'articolo <a>Titolo</a> proviene da <a>Sito</a>.</p>"
        "<p>L'articolo <a>Titolo</a> sembra essere il primo su <a>Sito</a>.</p>"
        "<p>Het bericht <a>Titel</a> verscheen eerst op <a>Site</a>.</p>",
        BODY_TEXT,
    ),
    (
        'Hacker News\'s description is a "Comments" link',
        "https://github.com/kickscondor/fraidycat/issues/93",
        BODY + '<a href="https://news.ycombinator.com/item?id=22536539">Comments</a>',
        BODY_TEXT,
    ),
    (
        "comment counts left as lines",
        "https://github.com/lobsters/lobsters/issues/33",
        BODY + "<p>3 Comments</p><p>No comments</p><p>Comments (12)</p><p>1 comment</p>",
        BODY_TEXT,
    ),
    (
        "embedded tweet with its classes stripped",
        "https://github.com/php-embed/Embed/issues/364",
        BODY + '<blockquote><p lang="en" dir="ltr">Drupal 1.0.0 was released today! <a'
        ' href="https://t.co/B5">pic.twitter.com/B5L4CrZyDL</a></p>&mdash; Drupal Association'
        ' (@drupalassoc) <a href="https://twitter.com/drupalassoc/status/1217450156523692038">'
        "January 15, 2020</a></blockquote>",
        BODY_TEXT,
    ),
    (
        "embedded post flattened into paragraphs",
        "https://github.com/MichaelDeBoey/gatsby-remark-embedder/issues/90",
        BODY + "<p>View this post on Instagram</p><p>A post shared by Brad Garropy"
        " (@bradgarropy) on Feb 3, 2020 at 9:14am PST</p>"
        "<p>— Drupal Association (@drupalassoc) January 15, 2020</p>",
        BODY_TEXT,
    ),
    (
        'Jetpack\'s "Share this:" / "Like this:" left as text',
        "https://github.com/Automattic/jetpack/pull/484",
        BODY + "<h3>Share this:</h3><h3>Like this:</h3><p>Like Loading...</p>",
        BODY_TEXT,
    ),
]

# Prose beside each fix's pattern: it must stay exactly as it is.
KEPT = [
    "<p>Der Beitrag des Autors erschien zuerst auf Englisch, dann auf Deutsch.</p>",
    "<p>L’article du journal est apparu en premier sur les réseaux, puis à la radio.</p>",
    "<p>Lire la suite de l'enquête a pris trois mois aux journalistes.</p>",
    "<p>Comments from readers poured in after the vote.</p>",
    "<p>No comments were made by the minister on Tuesday.</p>",
    "<p>No comment.</p>",
    "<p>Share this with your neighbours: the road closes at noon.</p>",
    "<p>Like this, the plan would cost twice as much.</p>",
    "<p>The mayor (@mayor) said on Twitter that the road would reopen.</p>",
    "<p>A post shared by thousands of users claimed the vote was rigged.</p>",
    "<p>The 1<sup>er</sup> mai holiday and the XIX<sup>e</sup> siècle stay as written.</p>",
    "<p>See note<sup>[3]</sup> and the star<sup>*</sup>.</p>",
    '<p>Press <img src="https://e.org/k.png" alt="Ctrl"> to copy.</p>',
    '<p>Our guide<img class="emoji-guide-hero" src="https://e.org/h.png" alt="Emoji guide">.</p>',
    "<blockquote><p>We will rebuild the bridge.</p>— Mayor Jane Doe, in a statement</blockquote>",
]


@pytest.mark.parametrize(("quirk", "report", "html", "text"), HELD, ids=[c[0] for c in HELD])
def test_quirks_that_already_read_right(quirk: str, report: str, html: str, text: str) -> None:
    assert html_to_text(html) == text


@pytest.mark.parametrize(
    ("quirk", "report", "html", "expected"), HELD_HTML, ids=[c[0] for c in HELD_HTML]
)
def test_lazy_images_that_already_republish_right(
    quirk: str, report: str, html: str, expected: str
) -> None:
    assert sanitize_html(html, base_url="https://e.org/") == expected


@pytest.mark.parametrize(("quirk", "report", "html", "text"), FIXED, ids=[c[0] for c in FIXED])
def test_reported_quirks_read_as_readers_see_them(
    quirk: str, report: str, html: str, text: str
) -> None:
    assert html_to_text(html) == text
    assert html_to_text(text) == text  # still a fixed point


def _plain(html: str) -> str:
    return html_to_text(html.replace("<sup>", "").replace("</sup>", ""))


@pytest.mark.parametrize("html", KEPT)
def test_prose_beside_the_fixes_stays(html: str) -> None:
    expected = {
        KEPT[10]: "The 1er mai holiday and the XIXe siècle stay as written.",
        KEPT[11]: "See note[3] and the star*.",
        KEPT[12]: "Press to copy.",
        KEPT[13]: "Our guide.",
        KEPT[14]: "We will rebuild the bridge.\n\n— Mayor Jane Doe, in a statement",
    }
    text = html_to_text(BODY + html)
    assert text == BODY_TEXT + "\n\n" + expected.get(html, _plain(html))


def test_emoji_images_are_their_characters_in_the_republished_html() -> None:
    html = sanitize_html(FIXED[0][2])
    assert html == "<p>We shipped it 📰 today.</p>"


def test_a_plain_image_keeps_its_alt_as_an_image() -> None:
    html = sanitize_html('<p>Press <img src="https://e.org/k.png" alt="Ctrl"> to copy.</p>')
    assert html == '<p>Press <img src="https://e.org/k.png" alt="Ctrl"> to copy.</p>'


def test_superscripts_and_furigana_in_the_republished_html() -> None:
    assert sanitize_html(FIXED[3][2]) == f"<p>{FIXED[3][3]}</p>"
    assert sanitize_html(FIXED[5][2]) == "<p>漢字を読む</p>"


def test_a_footnote_link_in_a_superscript_still_goes() -> None:
    html = '<p>Rose<sup><a href="#fn:2" class="footnote-ref">2</a></sup> fast.</p>'
    assert html_to_text(html) == "Rose fast."
    assert sanitize_html(html) == "<p>Rose fast.</p>"


def test_a_classless_embedded_tweet_stays_a_quote_in_the_html() -> None:
    html = sanitize_html(FIXED[12][2])
    assert "<blockquote>" in html
    assert "Drupal 1.0.0 was released today!" in html
