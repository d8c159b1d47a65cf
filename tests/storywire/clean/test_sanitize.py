"""Sanitised HTML for re-publishing: allow-list, absolute links, no dangerous URLs."""

from __future__ import annotations

from storywire.clean import Rule, absolute_links, first_image, html_to_text, sanitize_html

BASE = "https://www.example.com/news/2024/story.html"


def test_allow_list_and_absolute_links() -> None:
    """Only the allowed tags and attributes survive; links are made absolute."""
    html = (
        '<div class="entry" style="color:red"><h2 id="t">Title</h2>'
        '<p onclick="steal()">Read the <a href="../report.pdf" target="_blank" rel="x">report</a>'
        " and <b>this</b> <i>note</i>.<br>New line</p>"
        '<ul><li><a href="//cdn.example.net/x">cdn</a></li></ul>'
        '<blockquote><p>"Quote"</p></blockquote>'
        '<img src="/img/photo.jpg" alt="Flooded street" width="600" class="wide">'
        "<table><tr><td>Cell one</td><td>Cell two</td></tr></table></div>"
    )
    assert sanitize_html(html, base_url=BASE) == (
        "<p><strong>Title</strong></p>"
        '<p>Read the <a href="https://www.example.com/news/report.pdf">report</a> and '
        "<strong>this</strong> <em>note</em>.</p><p>New line</p>"
        '<ul><li><a href="https://cdn.example.net/x">cdn</a></li></ul>'
        '<blockquote><p>"Quote"</p></blockquote>'
        '<img src="https://www.example.com/img/photo.jpg" alt="Flooded street">'
        "<p>Cell one Cell two</p>"
    )


def test_no_javascript_or_data_urls() -> None:
    """javascript: and data: URLs are removed from links and images."""
    html = (
        '<p><a href="javascript:alert(1)">x</a> <a href=" JaVaScRiPt:alert(1)">y</a>'
        '<img src="data:image/png;base64,AAAA" alt="d"><img src="javascript:x" alt="j"></p>'
        "<script>alert(1)</script><iframe src='https://evil.example'></iframe>"
    )
    out = sanitize_html(html, base_url=BASE)
    assert "javascript" not in out.lower()
    assert "data:" not in out
    assert "<img" not in out
    assert "alert" not in out
    assert out == "<p>x y</p>"


def test_a_link_that_leads_nowhere_is_its_text() -> None:
    """An anchor target (<a name>, <a id>) or a link whose javascript: or data: URL nh3
    refused was re-published as a bare <a>: styled as a link by readers' stylesheets, clicking
    it did nothing. Its text (and markup) stays, the tag goes."""
    html = (
        '<p><a name="top"></a>The <a id="s1">council</a> met. <a href="javascript:void(0)">'
        'Show <b>more</b></a> or <a href="/minutes">the minutes</a>.</p>'
        '<ul><li><a>one</a></li><li><a href="vbscript:x"><img src="/i.jpg" alt="i"></a></li></ul>'
    )
    assert sanitize_html(html, base_url=BASE) == (
        "<p>The council met. Show <strong>more</strong> or "
        '<a href="https://www.example.com/minutes">the minutes</a>.</p>'
        '<ul><li>one</li><li><img src="https://www.example.com/i.jpg" alt="i"></li></ul>'
    )


def test_rules_run_first() -> None:
    """Tracking pixels, share links, ads and 'appeared first on' lines are gone."""
    html = (
        "<p>The council approved the plan.</p>"
        '<img src="http://feeds.feedburner.com/~r/Council/~4/abc" width="1" height="1">'
        '<p><a href="https://twitter.com/intent/tweet?url=x">Tweet</a></p>'
        '<div class="advertisement"><p>Buy now</p></div>'
    )
    assert sanitize_html(html, base_url=BASE) == "<p>The council approved the plan.</p>"


def test_text_is_repaired_and_escaped_once() -> None:
    """Mojibake and double escapes are repaired; text comes out escaped exactly once."""
    html = "<p>CafÃ© owners &amp;amp; â€œlocalsâ€\x9d say 3 &lt; 4</p>"
    assert sanitize_html(html) == "<p>Café owners &amp; “locals” say 3 &lt; 4</p>"


def test_relative_links_stay_relative_without_a_base() -> None:
    """Without a base URL nothing is invented; links stay as the feed gave them."""
    assert sanitize_html('<p><a href="/a">a</a></p>') == '<p><a href="/a">a</a></p>'


def test_empty_input() -> None:
    """Nothing in, nothing out."""
    assert sanitize_html("") == ""
    assert sanitize_html("<script>x</script>") == ""


def test_lazy_loaded_images_get_their_real_url() -> None:
    """A lazy loader's real URL (data-src, data-lazy-src, data-original, the widest candidate
    of data-srcset or of srcset when src is no image) replaces the placeholder, made absolute."""
    placeholder = "data:image/gif;base64,R0lGODlhAQABAAAAACw="
    html = (
        '<p><img data-src="/img/a.jpg" src="placeholder.gif" alt="A">'
        f'<img data-lazy-src="b.jpg" src="{placeholder}" alt="B">'
        '<img data-original="https://cdn.example.net/c.jpg" class="lazy" alt="C">'
        f'<img src="{placeholder}" data-srcset="d-300.jpg 300w, d-1024.jpg 1024w,'
        ' d-640.jpg 640w" alt="D">'
        '<img srcset="e.jpg, e@2x.jpg 2x" alt="E">'
        '<img data-srcset="https://res.example.net/w_300,h_200/g.jpg 300w,'
        'https://res.example.net/w_900,h_600/g.jpg 900w" alt="G"></p>'
    )
    base = "https://www.example.com/news/2024/"
    assert sanitize_html(html, base_url=BASE) == (
        '<p><img src="https://www.example.com/img/a.jpg" alt="A">'
        f'<img src="{base}b.jpg" alt="B">'
        '<img src="https://cdn.example.net/c.jpg" alt="C">'
        f'<img src="{base}d-1024.jpg" alt="D">'
        f'<img src="{base}e@2x.jpg" alt="E">'
        '<img src="https://res.example.net/w_900,h_600/g.jpg" alt="G"></p>'
    )


def test_an_image_shown_only_with_scripts_is_its_noscript_fallback() -> None:
    """A lazy loader whose placeholder names no real URL keeps the real image in <noscript>
    only: the article was re-published without its photo, and without a lead image. The
    fallback's image takes the placeholder's place; where the image beside it has its real
    URL, the fallback is a duplicate and goes, as does a noscript's text and tracking pixel."""
    placeholder = "data:image/gif;base64,R0lGODlhAQABAAAAACw="
    html = (
        f'<p>Floods hit the city.</p><figure><img class="lazyload" src="{placeholder}"'
        ' alt="A flooded street"><noscript><img src="/img/flood.jpg" alt="A flooded street">'
        "</noscript><figcaption>Water rose overnight.</figcaption></figure>"
        '<div class="js-image" data-id="7"></div><noscript><img src="/img/map.png"'
        ' alt="Map"></noscript>'
        f'<img data-src="/img/a.jpg" src="{placeholder}" alt="A"><noscript>'
        '<img src="/img/a.jpg" alt="A"></noscript>'
        "<noscript><p>Enable JavaScript to see comments.</p><img"
        ' src="https://www.facebook.com/tr?id=1&amp;ev=PageView" height="1" width="1"></noscript>'
    )
    out = sanitize_html(html, base_url=BASE)
    assert out == (
        "<p>Floods hit the city.</p>"
        '<img src="https://www.example.com/img/flood.jpg" alt="A flooded street">'
        "<p>Water rose overnight.</p>"
        '<img src="https://www.example.com/img/map.png" alt="Map">'
        '<img src="https://www.example.com/img/a.jpg" alt="A">'
    )
    assert first_image(out) == "https://www.example.com/img/flood.jpg"
    assert html_to_text(html) == "Floods hit the city."


def test_a_picture_whose_img_names_no_url_is_its_sources() -> None:
    """A <picture> whose <img> has only its alt (or a placeholder) shows one of its <source>s:
    the image was dropped for want of a URL, and the article had no lead image."""
    html = (
        '<picture><source srcset="/img/p-800.webp 800w, /img/p-1600.webp 1600w"'
        ' type="image/webp"><img alt="Harbour at dawn"></picture>'
        '<picture><source media="(min-width: 800px)" data-srcset="/img/wide.jpg">'
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="Lazy"></picture>'
        '<picture><source srcset="/img/q.webp"><img src="/img/q.jpg" alt="Own src"></picture>'
        '<picture><source srcset="javascript:alert(1)"><img alt="No URL"></picture>'
    )
    out = sanitize_html(html, base_url=BASE)
    assert out == (
        '<img src="https://www.example.com/img/p-1600.webp" alt="Harbour at dawn">'
        '<img src="https://www.example.com/img/wide.jpg" alt="Lazy">'
        '<img src="https://www.example.com/img/q.jpg" alt="Own src">'
    )
    assert first_image(out) == "https://www.example.com/img/p-1600.webp"


def test_an_image_with_a_real_src_keeps_it() -> None:
    """srcset only stands in for a src that is no image: the publisher's src is kept, and a
    lazy URL that is no web address is passed over."""
    html = (
        '<p><img src="f.jpg" srcset="f-300.jpg 300w, f-900.jpg 900w" alt="F">'
        '<img data-src="javascript:alert(1)" src="h.jpg" alt="H"></p>'
    )
    assert sanitize_html(html, base_url=BASE) == (
        '<p><img src="https://www.example.com/news/2024/f.jpg" alt="F">'
        '<img src="https://www.example.com/news/2024/h.jpg" alt="H"></p>'
    )


def test_an_image_url_urllib_cannot_split_is_dropped_not_raised() -> None:
    """``http://[::1/x`` in an img's src or srcset raised ValueError, which rejected the whole
    entry in the process stage and crashed ``storywire parse``; the image goes, the text stays."""
    html = (
        '<p>Rain fell.</p><img src="http://[::1/x"><img srcset="http://]x[/ 2x">'
        '<img data-src="https://[bad/i.jpg" src="https://example.com/i.jpg">'
    )
    assert sanitize_html(html, base_url=BASE) == (
        '<p>Rain fell.</p><img src="https://example.com/i.jpg">'
    )


def test_an_image_whose_url_nh3_refuses_is_dropped_whole() -> None:
    """nh3 drops a src its URL parser refuses (a port past 65535, a bad percent escape), which
    left an image showing nothing, and an output that a second pass changed."""
    for src in ("http://a.com:99999/i.jpg", "http://%zz/i.jpg"):
        html = f'<p>x</p><img src="{src}" alt="A photo"><img src="{src}"><p>y</p>'
        out = sanitize_html(html, base_url=BASE)
        assert out == "<p>x</p><p>y</p>"
        assert sanitize_html(out, base_url=BASE) == out


def test_boilerplate_lines_leave_the_html_as_they_leave_the_text() -> None:
    """Line rules ran on the text only: the sanitised HTML kept WordPress's "The post …
    appeared first on", the Guardian's "Continue reading...", the wires' credit lines and
    Reddit's footer, which republishers then showed under the article."""
    article = "<p>The bridge reopened on Monday after repairs.</p>"
    boilerplate = [
        '<p>The post <a rel="nofollow" href="https://v.example/bridge/">Bridge reopens</a> '
        'appeared first on <a rel="nofollow" href="https://v.example">Valley News</a>.</p>\n',
        "<p>Continue reading...</p>",
        "<p>___</p><p>Associated Press writer Haruka Nuga contributed to this report.</p>",
        "<div><p>(Reporting by Alex Lawler; Editing by Jan Harvey)</p></div>",
        '<table><tr><td> &#32; submitted by &#32; <a href="https://www.reddit.com/user/nb"> /u/nb'
        ' </a> <br/> <span><a href="https://www.reuters.com/x/">[link]</a></span> &#32; <span>'
        '<a href="https://www.reddit.com/r/worldnews/comments/1h0/x/">[comments]</a></span> '
        "</td></tr></table>",
    ]
    for extra in boilerplate:
        for html in (article + extra, extra + article):
            assert sanitize_html(html) == article, extra


def test_a_block_is_kept_unless_every_line_of_it_is_boilerplate() -> None:
    html = "<p>Roads reopened.<br>Read more: why they closed</p><p>Read more: Bridge</p>"
    # Each line between breaks is a paragraph of its own, judged alone, as in the text.
    assert sanitize_html(html) == "<p>Roads reopened.</p>"
    assert html_to_text(html) == "Roads reopened."


def test_a_cut_after_rule_ends_the_html_where_it_ends_the_text() -> None:
    footer = Rule("cut_after", pattern="^Our Standards:")
    html = (
        "<div><p>Oil prices slipped.</p><p>Our Standards: The Thomson Reuters Trust "
        "Principles.</p><p>Related: <a href='/x'>more</a></p></div><ul><li>Markets</li></ul>"
    )
    assert sanitize_html(html, rules=[footer]) == "<p>Oil prices slipped.</p>"
    assert html_to_text(html, rules=[footer]) == "Oil prices slipped."


def test_line_breaks_become_paragraphs() -> None:
    """br is outside the allow-list: Blogger's <br><br>-separated paragraphs came out as one
    paragraph with newlines in it, which HTML shows as spaces ("...this year. Organisers...").
    Each run of text between breaks is now a paragraph of its own, links and emphasis kept."""
    html = (
        '<div dir="ltr">The festival drew record crowds.<br /><br />Organisers counted '
        '<b>12,000</b> visitors.<br /><br /><div class="separator"><a href="/big.jpg">'
        '<img src="/small.jpg" /></a></div><br />The pumpkin contest was won by a '
        '<a href="/p">500-kilogram entry</a>.<div><br /></div><div>Tickets go on sale in '
        "March.</div></div><p>Line one<br>line two</p><ul><li>Item<br>second line</li></ul>"
    )
    assert sanitize_html(html) == (
        "<p>The festival drew record crowds.</p><p>Organisers counted <strong>12,000</strong> "
        'visitors.</p><p><a href="/big.jpg"><img src="/small.jpg"></a></p><p>The pumpkin '
        'contest was won by a <a href="/p">500-kilogram entry</a>.</p><p>Tickets go on sale '
        "in March.</p><p>Line one</p><p>line two</p><ul><li><p>Item</p><p>second line</p>"
        "</li></ul>"
    )


def test_amp_images_are_images() -> None:
    """AMP pages write images as <amp-img>, outside the allow-list: the image was lost."""
    html = (
        '<p>Before.</p><amp-img src="https://cdn.example.com/a.jpg" width="600" height="400" '
        'layout="responsive" alt="The harbour"><noscript><img src="https://cdn.example.com/'
        'a.jpg" alt="The harbour"></noscript></amp-img><p>After.</p>'
    )
    assert sanitize_html(html) == (
        '<p>Before.</p><img src="https://cdn.example.com/a.jpg" alt="The harbour"><p>After.</p>'
    )
    assert html_to_text(html) == "Before.\n\nAfter."


def test_footnote_markers_and_formulas() -> None:
    """A footnote marker outside <sup> glued its number to the word before it ("rose1",
    "4%2"); a MathML formula was removed with its text ("Einstein wrote  in 1905")."""
    html = (
        '<p>Prices rose<sup id="fnref:1"><a href="#fn:1" class="footnote-ref">1</a></sup> by '
        "4%.</p><p>Einstein wrote <math><mi>E</mi><mo>=</mo><mi>m</mi><msup><mi>c</mi><mn>2</mn>"
        '</msup><annotation encoding="application/x-tex">E=mc^2</annotation></math> in 1905.</p>'
    )
    assert sanitize_html(html) == "<p>Prices rose by 4%.</p><p>Einstein wrote E=mc2 in 1905.</p>"


def test_only_the_listed_attributes_survive() -> None:
    """nh3 allows lang and title on every tag unless told otherwise: an embedded tweet's
    <p lang="en"> and a link's title came through, which the allow-list does not name."""
    html = '<p lang="en" title="t">Hi <a href="https://x.org/" title="tip" lang="de">x</a></p>'
    assert sanitize_html(html) == '<p>Hi <a href="https://x.org/">x</a></p>'


def test_a_space_in_an_empty_inline_wrapper_stays_a_space() -> None:
    """Editors leave word spaces in wrappers of their own ("The<span> </span><a>council</a>");
    the empty-wrapper rule removed them with their space, gluing the words ("Thecouncil"),
    while the text kept it."""
    html = '<p>The<span> </span><a href="/c">council</a> met<strong> </strong>today.</p>'
    assert html_to_text(html) == "The council met today."
    assert sanitize_html(html) == '<p>The <a href="/c">council</a> met today.</p>'


def test_a_table_row_is_a_paragraph() -> None:
    """Each cell was a paragraph of its own: a league table came out as "Team", "Points",
    "Ajax", "80", "PSV", "78", one under the other, no longer saying which number is whose.
    A row is a paragraph, its cells apart by a space, as in the text."""
    html = (
        "<table><thead><tr><th>Team</th><th>Points</th></tr></thead><tbody><tr><td>Ajax</td>"
        "<td><b>80</b></td></tr><tr><td>PSV</td><td>78</td></tr></tbody></table>"
    )
    assert html_to_text(html) == "Team Points\nAjax 80\nPSV 78"
    assert sanitize_html(html) == ("<p>Team Points</p><p>Ajax <strong>80</strong></p><p>PSV 78</p>")


def test_a_table_keeps_its_place_and_its_order() -> None:
    """A row whose cell holds paragraphs stays a table row; nh3's parser moved every cell made
    a paragraph out of the table, ahead of it: "3" came before "Team A", and a league table's
    footnote before the table."""
    html = (
        "<p>Standings:</p><table><tr><td><p>Team A</p><p>Coach X</p></td><td>3</td></tr>"
        "<tr><td><p>Team B</p><p>Coach Y</p></td><td>1</td></tr></table><p>End.</p>"
    )
    assert sanitize_html(html) == (
        "<p>Standings:</p><p>Team A</p><p>Coach X</p><p>3</p>"
        "<p>Team B</p><p>Coach Y</p><p>1</p><p>End.</p>"
    )
    nested = (
        '<table width="100%"><tr><td><table><tr><th>Team</th><th>Pts</th></tr>'
        "<tr><td>Arsenal</td><td>89</td></tr></table></td></tr>"
        "<tr><td>Table correct at 22:00 BST.</td></tr></table>"
    )
    assert sanitize_html(nested) == (
        "<p>Team Pts</p><p>Arsenal 89</p><p>Table correct at 22:00 BST.</p>"
    )


def test_a_cell_of_one_paragraph_is_a_cell_of_its_row() -> None:
    """Word processors and many CMSs put every cell's text in a <p>: each cell was then a
    paragraph, in the text and the HTML ("Social Democrats", "112"), parting the number from
    its name. A cell of one block is a cell; a layout table's column of paragraphs keeps them."""
    html = (
        '<table><tr><td><p class="MsoNormal"><b>Party</b></p></td><td><p>Seats</p></td></tr>'
        "<tr><td><p>Social Democrats</p></td><td><div>112</div></td></tr>"
        "<tr><td><h4>Greens</h4></td><td><p>34</p></td></tr></table>"
        "<table><tr><td><p>First paragraph.</p><p>Second paragraph.</p></td>"
        "<td><p>Sidebar</p></td></tr></table>"
    )
    assert html_to_text(html) == (
        "Party Seats\nSocial Democrats 112\nGreens 34\n\n"
        "First paragraph.\n\nSecond paragraph.\n\nSidebar"
    )
    assert sanitize_html(html) == (
        "<p><strong>Party</strong> Seats</p><p>Social Democrats 112</p>"
        "<p><strong>Greens</strong> 34</p>"
        "<p>First paragraph.</p><p>Second paragraph.</p><p>Sidebar</p>"
    )


def test_empty_wrappers_are_known_by_all_their_text() -> None:
    """Whitespace of any kind is no text, a word or an image anywhere inside is, and a wrapper
    that held the word space leaves it (drop_empty reads an element's own text first)."""
    html = (
        "<p>Kept</p><p>\u00a0</p><div> <span>\n</span> </div><p>The<span> </span>council</p>"
        '<p> \u2003 <em> </em>x</p><div>\t<p> </p><img src="https://e.com/a.jpg"></div>'
    )
    assert sanitize_html(html) == (
        '<p>Kept</p><p>The council</p><p> \u2003  x</p><p>\t<img src="https://e.com/a.jpg"></p>'
    )


def test_markup_escaped_twice_is_markup_in_the_html_too() -> None:
    """An RSS description escaped once too often (``&amp;lt;p&amp;gt;`` in the XML, or
    ``&lt;p&gt;`` inside CDATA) arrives as ``&lt;p&gt;…``: the text was cleaned as markup, but
    the HTML showed readers "<p><img src=…>" as words and had no image for the article."""
    escaped = (
        '&lt;p&gt;&lt;img src="https://example.com/lead.jpg" alt="Chamber"&gt;The council met'
        " &amp;amp; voted.&lt;/p&gt;&lt;p&gt;It was &lt;em&gt;close&lt;/em&gt;.&lt;/p&gt;"
    )
    html = sanitize_html(escaped, base_url=BASE)
    assert html == (
        '<p><img src="https://example.com/lead.jpg" alt="Chamber">The council met &amp; voted.'
        "</p><p>It was <em>close</em>.</p>"
    )
    assert first_image(html) == "https://example.com/lead.jpg"
    assert html_to_text(escaped) == "The council met & voted.\n\nIt was close."
    # Text that names a tag, escaped as it should be, is text as before.
    assert sanitize_html("Why &lt;div&gt; tags matter &amp; 3 &lt; 4") == (
        "Why &lt;div&gt; tags matter &amp; 3 &lt; 4"
    )


def test_raw_text_elements_are_read_as_their_markup_as_in_the_text() -> None:
    """libxml2 and nh3's parser both read the content of ``<xmp>``, ``<plaintext>``,
    ``<noembed>`` and ``<noframes>`` as raw text, so their markup, written out escaped by lxml,
    reached readers escaped twice ("if (a &amp;lt; b)"), and everything after a
    ``<plaintext>`` (the rest of the article, its links) was shown as markup soup. Their
    content is read as the markup it is, as the text reads it, in a block of its own."""
    html = (
        "<p>Intro.</p><plaintext>x</plaintext><p>Councillors voted "
        '<a href="https://hostile.example/vote">to approve</a> the plan.</p><p>End.</p>'
    )
    assert sanitize_html(html) == (
        '<p>Intro.</p>x<p>Councillors voted <a href="https://hostile.example/vote">to approve'
        "</a> the plan.</p><p>End.</p>"
    )
    assert html_to_text(html) == "Intro. x\n\nCouncillors voted to approve the plan.\n\nEnd."
    assert sanitize_html("<p>Notes:</p><xmp>if (a < b && c > d) { run(); }</xmp>") == (
        "<p>Notes:</p><p>if (a &lt; b &amp;&amp; c &gt; d) { run(); }</p>"
    )
    for tag in ("xmp", "plaintext", "noembed", "noframes"):
        html = f"<p>One.</p><{tag}><em>Two</em> &amp; <img src=x onerror=alert(1)></{tag}>"
        out = sanitize_html(html, base_url=BASE)
        assert out == (
            '<p>One.</p><p><em>Two</em> &amp; <img src="https://www.example.com/news/2024/x"></p>'
        ), tag
        assert sanitize_html(out, base_url=BASE) == out


def test_a_heading_of_several_lines_or_blocks_is_a_bold_paragraph_each() -> None:
    """A heading holding a line break or a block was put whole into one ``<strong>`` inside a
    paragraph, which nh3's parser broke up around the blocks: empty ``<p><strong></strong></p>``
    and ``<p></p>`` were published (and went on a second pass), and each heading nested in
    another moved all below it again (lxml walks what it moves): 2,000 nested, 16 s. Each run
    of its own text is a paragraph in bold where it stands; its blocks stay as they are."""
    assert sanitize_html("<h2>One<br>Two</h2><p>Body</p>") == (
        "<p><strong>One</strong></p><p><strong>Two</strong></p><p>Body</p>"
    )
    assert sanitize_html("<h2>Title <h3>Sub</h3> more</h2>") == (
        "<p><strong>Title </strong></p><p><strong>Sub</strong></p><p><strong> more</strong></p>"
    )
    assert sanitize_html("<h2><div>Title</div></h2><p>Body</p>") == "<p>Title</p><p>Body</p>"
    assert sanitize_html("<h2>Big <span>title</span></h2>") == "<p><strong>Big title</strong></p>"
    assert sanitize_html("<h1><h2><h3>Deep</h3></h2></h1>") == "<p><strong>Deep</strong></p>"


def test_a_control_character_in_a_link_or_an_image_is_no_error() -> None:
    """A control character written as a reference in an image's URL or alt text, or in a
    relative link (``&#1;``, ``&#11;``: a CMS's paste), raised ValueError (lxml refuses to set
    such a value, which its parser had read), and the whole article was rejected. Such a
    reference goes before parsing, as the character itself does (a space where it is one)."""
    html = (
        '<p><a href="&#14;javascript:alert(1)">x</a> <a href="a&#1;b">y</a> '
        '<img src="&#1;https://e.com/a&#27;.jpg" alt="Ferry&#11;at the quay&#1;"></p>'
    )
    out = sanitize_html(html, base_url=BASE)
    assert out == (
        '<p>x <a href="https://www.example.com/news/2024/ab">y</a> '
        '<img src="https://e.com/a.jpg" alt="Ferry at the quay"></p>'
    )
    assert sanitize_html(out, base_url=BASE) == out
    assert sanitize_html('<img data-src="https://e.com/a&#1;.jpg" alt="&#1;">') == (
        '<img src="https://e.com/a.jpg" alt="">'
    )
    # U+FFFF is no XML character either.
    assert sanitize_html('<img src="https://e.com/&#65535;.jpg" alt="a&#65535;b">') == (
        '<img src="https://e.com/.jpg" alt="ab">'
    )
    # A feed's xml:base (absolute_links): the reference goes as above, in a style too.
    assert absolute_links('<a href="a&#1;b">y</a>', BASE) == (
        '<a href="https://www.example.com/news/2024/ab">y</a>'
    )
    styled = '<p style="background:url(x) &#1;"><a href="/a">y</a></p>'
    assert '<a href="https://www.example.com/a">' in absolute_links(styled, BASE)
