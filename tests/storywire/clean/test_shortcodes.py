"""WordPress shortcodes a feed left unrendered: markup of the site's editor, not its text."""

from __future__ import annotations

from storywire.clean import html_to_text, lead, sanitize_html

# WordPress's caption as content:encoded carries it when the shortcode was not run (a feed
# built from the raw post, an importer): the image, then its caption, inside the shortcode.
CAPTION = (
    "<p>The council met on Monday.</p>\n"
    '[caption id="attachment_123" align="aligncenter" width="640"]<a href="https://ex.com/a.jpg">'
    '<img class="size-large wp-image-123" src="https://ex.com/a.jpg" alt="Council" width="640"'
    ' height="480" /></a> The council chamber on Monday.[/caption]\n'
    "<p>Members voted 5-2 to approve the budget.</p>\n"
    "[embed]https://www.youtube.com/watch?v=abc[/embed]\n"
    '<p>[gallery ids="1,2,3" columns="3"]</p>'
)
# A page builder's rows and columns (WPBakery, Divi) around the text, the plugin switched off.
BUILDER = (
    '[vc_row][vc_column width="1/1"][vc_column_text]<p>The festival opens Friday.</p>'
    "[/vc_column_text][/vc_column][/vc_row]"
    '[et_pb_section fb_built="1" _builder_version="4.16"][et_pb_row][et_pb_text]'
    "<p>Tickets cost $20.</p>[/et_pb_text][/et_pb_row][/et_pb_section]"
)


def test_shortcodes_are_not_text() -> None:
    """The shortcodes' brackets and attributes read as the article's sentences (the lead took
    '[caption id="attachment_123" …] The council chamber' for its second one); a caption is
    a caption, left out of the text and kept under its image in the HTML; an embed's address
    is a player, left out as iframes are."""
    text = html_to_text(CAPTION)
    assert text == "The council met on Monday.\n\nMembers voted 5-2 to approve the budget."
    assert lead(text) == "The council met on Monday. Members voted 5-2 to approve the budget."
    html = sanitize_html(CAPTION)
    assert "[" not in html
    assert '<img src="https://ex.com/a.jpg" alt="Council">' in html
    assert "<p>The council chamber on Monday.</p>" in html
    assert html_to_text(BUILDER) == "The festival opens Friday.\n\nTickets cost $20."
    assert sanitize_html(BUILDER) == "<p>The festival opens Friday.</p><p>Tickets cost $20.</p>"


def test_brackets_that_are_text_stay() -> None:
    """Brackets in prose are no shortcode: no attributes and no closing tag of the same name.
    Shortcodes written in code (a WordPress tutorial's) are the text."""
    prose = (
        '<p>He wrote "their [sic] going" and [laughs] then [Applause]. See [1], [a=b] and'
        " [Editor's note: updated].</p>"
    )
    assert html_to_text(prose) == (
        'He wrote "their [sic] going" and [laughs] then [Applause]. See [1], [a=b] and'
        " [Editor's note: updated]."
    )
    code = (
        '<p>Add <code>[gallery ids="1,2"]</code> to a post.</p>'
        '<pre>[contact-form-7 id="5" title="Contact"]\n[/contact-form-7]</pre>'
    )
    assert html_to_text(code) == (
        'Add [gallery ids="1,2"] to a post.\n\n'
        '[contact-form-7 id="5" title="Contact"]\n[/contact-form-7]'
    )
    assert '[gallery ids="1,2"]' in sanitize_html(code)
