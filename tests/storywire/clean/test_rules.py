"""Each default boilerplate rule on a real-looking case, and operators' rules from TOML."""

from __future__ import annotations

import tomllib

import pytest

from storywire.clean import DEFAULT_RULES, Rule, html_to_text, lead, parse_rules, sanitize_html

ARTICLE = "<p>The bridge reopened on Monday after repairs.</p>"
KEPT = "The bridge reopened on Monday after repairs."

# (what it is, boilerplate that follows a real paragraph, text that must not survive)
CASES = [
    (
        "appeared first on",
        '<p>The post <a href="https://example.org/bridge/">Bridge reopens</a> appeared first on '
        '<a href="https://example.org">Valley News</a>.</p>',
        "appeared first",
    ),
    (
        "continue reading link",
        '<p><a href="https://www.theguardian.com/uk/2024/bridge">Continue reading...</a></p>',
        "Continue",
    ),
    (
        "read more link inline",
        '<p><a class="more-link" href="/bridge">Read more '
        '<span class="screen-reader-text">Bridge reopens</span> &raquo;</a></p>',
        "Read more",
    ),
    ("read more line", "<p>Read more: Why the bridge closed</p>", "Read more"),
    (
        "Ars Technica's remaining-paragraphs footer",
        '<p><a href="https://arstechnica.com/x/#p3">Read 3 remaining paragraphs</a> | '
        '<a href="https://arstechnica.com/x/?comments=1">Comments</a></p>',
        "remaining",
    ),
    (
        "Ars Technica's footer since 2024",
        '<p><a href="https://arstechnica.com/x/">Read full article</a></p>\n'
        '<p><a href="https://arstechnica.com/x/#comments">Comments</a></p>',
        "Read",
    ),
    (
        "Slashdot's read-more line",
        '<p><a href="https://linux.slashdot.org/story/26/04/13/1857240/x?utm_source=rss1.0moreanon'
        '&amp;utm_medium=feed">Read more of this story</a> at Slashdot.</p>',
        "Slashdot",
    ),
    (
        "Megaphone's ad-choices footer",
        "<p> </p><p>Learn more about your ad choices. Visit "
        '<a href="https://megaphone.fm/adchoices">megaphone.fm/adchoices</a></p>',
        "ad choices",
    ),
    (
        "Acast's footer",
        "<br /><hr><p style='color:grey; font-size:0.75em;'> Hosted on Acast. See <a style='col"
        "or:grey;' target='_blank' rel='noopener noreferrer' href='https://acast.com/privacy'>"
        "acast.com/privacy</a> for more information.</p>",
        "Acast",
    ),
    (
        "Omny's footer",
        '<p>See <a href="https://omnystudio.com/listener">omnystudio.com/listener</a> for privacy'
        " information.</p>",
        "omnystudio",
    ),
    ("click here", "<p>Click here to sign up for traffic alerts.</p>", "Click here"),
    (
        "share links by URL",
        '<p><a href="https://www.facebook.com/sharer/sharer.php?u=x">Facebook</a> '
        '<a href="https://twitter.com/intent/tweet?url=x">Twitter</a> '
        '<a href="https://x.com/intent/post?url=x">Post</a></p>',
        "Facebook",
    ),
    ("share links by text", '<p><a href="/s">Share on X</a> <a href="/t">Tweet this</a></p>', "X"),
    ("share bar as text", "<p>Share on Facebook Share on Twitter Share via Email</p>", "Share"),
    ("follow us link", '<p><a href="https://example.org/social">Follow us</a></p>', "Follow"),
    ("follow us line", "<p>Follow us on Instagram and TikTok</p>", "Follow"),
    (
        "share widget",
        '<div class="sharedaddy sd-sharing-enabled"><h3 class="sd-title">Share this:</h3>'
        '<ul><li><a href="?share=twitter">Twitter</a></li></ul></div>',
        "Share",
    ),
    (
        "tracking pixel 1x1",
        '<img src="https://track.example.net/open.gif?id=42" width="1" height="1" alt="pixel">',
        "pixel",
    ),
    (
        "feedburner pixel and flare",
        '<div class="feedflare"><a href="http://feeds.feedburner.com/~ff/Valley?a=x">'
        '<img src="http://feeds.feedburner.com/~ff/Valley?d=x" alt="flare"></a></div>'
        '<img src="http://feeds.feedburner.com/~r/Valley/~4/abc" alt="feedburner">',
        "flare",
    ),
    (
        "feedsportal",
        '<a href="http://da.feedsportal.com/r/1/u/49/f/2/c/3/s/4/a2.htm">'
        '<img src="http://da.feedsportal.com/r/1/a2.img" alt="ad"></a>'
        '<div class="mf-viral"><a href="http://share.feedsportal.com/viral">Email this</a></div>',
        "Email",
    ),
    ("ad slot", '<div class="ad"><p>Advertisement</p></div>', "Advert"),
    ("advert slot", '<div class="advert banner"><p>Sponsored links</p></div>', "links"),
    ("sponsored slot", '<div class="sponsored"><p>Brought to you by Acme</p></div>', "Acme"),
    ("gpt ad slot", '<div id="div-gpt-ad-1234-0"><span>Ad</span></div>', "Ad"),
    (
        "originally appeared",
        '<p><em>This article originally appeared on <a href="https://x.org">Grist</a>.</em></p>',
        "originally",
    ),
    ("originally published", "<p>Originally published at example.com on May 2.</p>", "Orig"),
    (
        "newsletter sign-up",
        "<p>Sign up to First Edition, our free daily newsletter – every weekday at 7am</p>",
        "newsletter",
    ),
    (
        "newsletter pitch",
        "<p>Get our Morning Briefing newsletter delivered to your inbox.</p>",
        "newsletter",
    ),
    ("subscribe button", '<p><a href="/subscribe">Subscribe now</a></p>', "Subscribe"),
    ("paywall prompt", "<p>Subscribe to keep reading</p>", "keep reading"),
    (
        "paywall offer",
        "<p>Get unlimited access to our journalism for $1 a week. Cancel anytime.</p>",
        "unlimited",
    ),
    (
        "paywall offer of digital access",
        "<p>Get unlimited digital access for just $1 a week. Cancel anytime.</p>",
        "unlimited",
    ),
    ("paywall login", '<p>Already a subscriber? <a href="/login">Log in</a></p>', "subscriber"),
    (
        "paywall notice",
        "<p>This article is for paying subscribers only. Subscribe for full access.</p>",
        "paying",
    ),
    ("paywall continue", "<p>To continue reading, please log in or subscribe.</p>", "continue"),
    (
        "wire credit line",
        "<p>Reporting by Lucia Mutikani in Washington; Additional reporting by Ann Saphir; "
        "Editing by Chizu Nomiyama</p>",
        "Nomiyama",
    ),
    ("wire editing line", "<p>(Editing by Mark Heinrich)</p>", "Heinrich"),
    (
        "AP contributor line",
        "<p>Associated Press writers Jill Lawless in London and Sam Petrequin in Brussels "
        "contributed to this report.</p>",
        "Lawless",
    ),
    (
        "contributor lines of other outlets",
        "<p><i>Fox News' Chad Pergram contributed to this report.</i></p>"
        "<p>CNN’s Anna Chernova and Victoria Butenko contributed to this story.</p>"
        "<p>Ivan Nechepurenko contributed reporting from Tbilisi, Georgia.</p>",
        "contributed",
    ),
    (
        "a related headline set in capitals as a link of its own (Fox News)",
        '<p><a href="https://www.foxnews.com/politics/house-gop-plan" target="_blank"><strong>'
        "HOUSE GOP UNVEILS STOPGAP PLAN AS SHUTDOWN LOOMS</strong></a></p>"
        '<p><a href="https://www.foxnews.com/media/x"><strong>LIKE WHAT YOU’RE READING? CLICK '
        "HERE FOR MORE</strong></a></p>",
        "GOP",
    ),
    (
        "Ghost's call-to-action card",
        '<div class="kg-card kg-cta-card kg-cta-bg-grey"><div class="kg-cta-content"><div '
        'class="kg-cta-text"><p><span>Get new posts by email.</span></p></div><a href="https://'
        'x.blog/#/portal/signup" class="kg-cta-button">Subscribe</a></div></div>',
        "posts",
    ),
    (
        "a list of links to other stories set among paragraphs (the Guardian's descriptions)",
        '<ul><li><p><a href="https://www.theguardian.com/world/live/2026/nov/27/ukraine-war-live">'
        'Ukraine war – latest updates</a></p></li><li><a href="/world/russia-drones">Russia '
        "launches largest drone attack in weeks</a></li></ul>",
        "latest",
    ),
    (
        "image credits and a photographer's credit with the agency",
        "<p>Image Credits: Getty Images</p><p>(Photo by Jane Doe/Getty Images)</p>"
        "<p>Photo by Anatolii Stepanov / AFP</p>",
        "Getty",
    ),
    (
        "copyright footers of syndicated copy",
        "<p>Copyright 2026 The Associated Press. All rights reserved. This material may not be "
        "published, broadcast, rewritten or redistributed without permission.</p>"
        "<p>© 2026 Reuters</p><p>(c) Copyright Thomson Reuters 2026</p>",
        "Reuters",
    ),
    (
        "channel promotions (Indian outlets' WhatsApp and Google News lines)",
        '<p><a href="https://whatsapp.com/channel/x">Join our WhatsApp channel</a></p>'
        "<p>Subscribe to our YouTube channel</p><p>Follow us on Google News</p>",
        "channel",
    ),
    (
        "share and listen buttons as text",
        "<p>Listen to this article</p><p>Share this article</p>",
        "article",
    ),
    (
        "publication time stamps set in the text (The Hindu, Arc XP)",
        "<p>Published - November 27, 2026 08:45 pm IST</p>"
        "<p>Updated: November 27, 2026 10:15 AM</p><p>Last updated on 27 Nov 2026, 14:05</p>",
        "2026",
    ),
    (
        "a link to another story, bulleted by hand (the Guardian's descriptions)",
        '<p>• <a href="https://www.theguardian.com/money/2025/mar/01/poor-door">‘There is no '
        "way I can pay’: residents despair of steep costs and ‘poor door’</a></p>",
        "despair",
    ),
    (
        "a run of them",
        '<p>•\u00a0<a href="https://www.theguardian.com/football/ng-interactive/2022/jan/11/'
        'transfer-window-deals-men">Men’s transfer interactive: all the latest moves</a></p>'
        '<p>• <strong><a href="/football/2022/jan/11/wsl-transfers">WSL transfers – '
        "club by club</a></strong></p>"
        '<p>•<a href="/football/live">Transfer deadline day – live</a> </p>',
        "transfer",
    ),
    ("navigation", '<nav><a href="/">Home</a> <a href="/world">World</a></nav>', "World"),
    ("ad label", "<p>Advertisement</p>", "Advertisement"),
    ("ad label, Arc XP", "<p>Story continues below advertisement</p>", "continues"),
    ("ad label, article", "<p>Article continues after this advertisement</p>", "continues"),
    (
        "ad labels in other languages",
        "<p>Anzeige</p><p>Werbung</p><p>Publicidad</p><p>Publicité</p><p>Publicidade</p>"
        "<p>Pubblicità</p><p>Advertentie</p>",
        "Anzeige",
    ),
    (
        "related link",
        '<p><strong>Related:</strong> <a href="/house">House passes its own version</a></p>',
        "House",
    ),
    (
        "related links in other languages",
        '<p><strong>Lire aussi :</strong> <a href="/n">Le nucléaire au cœur du débat</a></p>'
        "<p>Lire aussi | Article réservé à nos abonnés Les prix vont augmenter</p>"
        '<p>Lesen Sie auch: <a href="/a">Atomkraft – ja oder nein?</a></p><p>Mehr zum Thema</p>'
        '<p><b>Te puede interesar:</b> <a href="/d">El debate nuclear</a></p>'
        "<p>Lee también: La luz subirá en julio</p>"
        '<p><strong>Leia também:</strong> <a href="/o">O debate nuclear</a></p>'
        "<p>Leia mais: Conta de luz vai subir</p><p>Leggi anche: Il dibattito</p>",
        "nucl",
    ),
    (
        "newsletter box",
        '<div class="newsletter-signup"><h3>Get the Politics newsletter</h3><p>Free, in your '
        "inbox every weekday.</p></div>",
        "Politics",
    ),
    (
        "newsletter line naming the inbox, not the newsletter",
        "<p>Sign up with your email address to receive news and updates.</p>"
        "<p>Sign up to receive the latest political news in your inbox.</p>",
        "Sign up",
    ),
    (
        "originally appeared, other languages",
        "<p>Dieser Artikel erschien zuerst auf tagesschau.de.</p>"
        "<p>Cet article a été publié initialement sur The Conversation.</p>"
        "<p>Este artículo fue publicado originalmente en The Conversation.</p>"
        "<p>Este artigo foi publicado originalmente no The Conversation.</p>",
        "Conversation",
    ),
    (
        "republished from",
        '<p>This article is republished from <a href="https://theconversation.com">The '
        "Conversation</a> under a Creative Commons license. Read the "
        '<a href="https://theconversation.com/x">original article</a>.</p>',
        "republished",
    ),
    (
        "photo credit lines",
        "<p>Photo: AP</p><p>(AP Photo/Evan Vucci)</p><p>Foto: dpa</p><p>Photo credit: Jane Doe "
        "for The Valley News</p>",
        "Photo",
    ),
    (
        "tags",
        '<p class="post-tags">Tags: <a href="/t/f">Frogs</a>, <a href="/t/a">Andes</a></p>',
        "Frogs",
    ),
    (
        "Drupal tags field",
        '<section class="field field--name-field-tags field--type-entity-reference"><h2 '
        'class="field__label">Tags</h2><div class="field__items"><div class="field__item">'
        '<a href="/tags/frogs">Frogs</a></div></div></section>',
        "Frogs",
    ),
    (
        "Substack buttons",
        '<p class="button-wrapper" data-attrs="{}" data-component-name="ButtonCreateButton">'
        '<a class="button primary" href="https://x.substack.com/p/bridge/comments"><span>Leave a '
        'comment</span></a></p><p class="button-wrapper"><a class="button primary" href="https:'
        '//x.substack.com/p/bridge?utm_source=substack&amp;action=share"><span>Share Valley '
        "Notes</span></a></p>",
        "comment",
    ),
    (
        "Substack subscribe widget with the publication's own words",
        '<div class="subscription-widget-wrap-editor" data-attrs="{&quot;url&quot;:&quot;https://'
        'x.substack.com/subscribe?&quot;}" data-component-name="SubscribeWidgetToDOM"><div class='
        '"subscription-widget show-subscribe"><div class="preamble"><p class="cta-caption">Valley '
        "Notes is a reader-supported publication. To receive new posts and support my work, "
        'consider becoming a free or paid subscriber.</p></div><form class="subscription-widget-'
        'subscribe"><input type="email" class="email-input" name="email"><input type="submit" '
        'class="button primary" value="Subscribe"></form></div></div>',
        "reader-supported",
    ),
    (
        "Reddit submission footer",
        '&#32; submitted by &#32; <a href="https://www.reddit.com/user/newsbot42"> /u/newsbot42 '
        '</a> <br/> <span><a href="https://www.reuters.com/world/x/">[link]</a></span> &#32; '
        '<span><a href="https://www.reddit.com/r/worldnews/comments/1h0abcd/x/">[comments]</a>'
        "</span>",
        "submitted",
    ),
    (
        "Yoast's older French footer",
        '<p>Cet article <a rel="nofollow" href="https://example.fr/pont/">Le pont rouvre</a> est '
        'apparu en premier sur <a rel="nofollow" href="https://example.fr">Vallée Infos</a>.</p>',
        "apparu",
    ),
    (
        "Substack's share button with its caption",
        '<div class="captioned-button-wrap" data-attrs="{}" data-component-name="CaptionedButton'
        'ToDOM"><div class="preamble"><p class="cta-caption">Thanks for reading Valley Notes! '
        'This post is public so feel free to share it.</p></div><p class="button-wrapper"><a '
        'class="button primary" href="https://x.substack.com/p/bridge?action=share"><span>Share'
        "</span></a></p></div>",
        "public",
    ),
    (
        "Substack's share caption without its classes",
        "<p>Thank you for reading Valley Notes. This post is public so feel free to share it.</p>",
        "public",
    ),
    (
        "hnrss's article address",
        '<p>Article URL: <a href="https://example.org/bridge">https://example.org/bridge</a></p>',
        "Article URL",
    ),
]


@pytest.mark.parametrize(("name", "boilerplate", "gone"), CASES, ids=[c[0] for c in CASES])
def test_default_rule_removes_boilerplate(name: str, boilerplate: str, gone: str) -> None:
    """The boilerplate goes and the article paragraph stays, whichever side it is on."""
    for html in (ARTICLE + boilerplate, boilerplate + ARTICLE):
        text = html_to_text(html)
        assert text == KEPT, name
    assert gone not in html_to_text(ARTICLE + boilerplate)


def test_google_news_outlet_names_leave_the_headlines() -> None:
    """A Google News description lists headlines, each followed by its outlet in grey: the
    names were glued to the headlines ("Storm batters coast The New York Times")."""
    html = (
        '<ol><li><a href="https://news.google.com/rss/articles/CBMiA?oc=5">Fed holds rates</a>'
        '&nbsp;&nbsp;<font color="#6f6f6f">Reuters</font></li><li><a href="https://news.google'
        '.com/rss/articles/CBMiB?oc=5">Powell: fight not over</a>&nbsp;&nbsp;<font color="#6f6f6f">'
        "CNBC</font></li></ol>"
    )
    assert html_to_text(html) == "Fed holds rates\nPowell: fight not over"
    single = (
        '<a href="https://news.google.com/rss/articles/CBMiQ?oc=5">Storm batters coast</a>'
        '&nbsp;&nbsp;<font color="#6f6f6f">The New York Times</font>'
    )
    assert html_to_text(single) == "Storm batters coast"
    # A story's cluster ends with a link to the story's page on Google News.
    cluster = html.replace(
        "</ol>",
        '<li><strong><a href="https://news.google.com/stories/CAAqZZ?oc=5" target="_blank">View'
        " Full Coverage on Google News</a></strong></li></ol>",
    )
    assert html_to_text(cluster) == "Fed holds rates\nPowell: fight not over"
    assert "Full Coverage" not in sanitize_html(cluster)
    assert html_to_text("<p>We did not see full coverage on Google News.</p>") == (
        "We did not see full coverage on Google News."
    )


def test_hnrss_footer_goes_and_a_self_posts_text_stays() -> None:
    """hnrss ends every item with "Comments URL: <the discussion>", "Points: N" and
    "# Comments: N" (a link post is nothing else, after "Article URL: <address>"): the lines
    were the whole text of a link post and the end of an Ask HN's. A points line alone is a
    box score."""
    footer = (
        '<p>Comments URL: <a href="https://news.ycombinator.com/item?id=4242">'
        "https://news.ycombinator.com/item?id=4242</a></p><p>Points: 58</p><p># Comments: 17</p>"
    )
    link_post = (
        '<p>Article URL: <a href="https://example.org/bridge">https://example.org/bridge</a></p>'
        + footer
    )
    assert html_to_text(link_post) == ""
    assert html_to_text(ARTICLE + "<hr>" + footer) == KEPT
    assert sanitize_html(ARTICLE + "<hr>" + footer) == f"<p>{KEPT}</p>"
    box_score = "<p>Jones led the scoring.</p><p>Points: 23</p><p>Rebounds: 11</p>"
    assert html_to_text(box_score) == "Jones led the scoring.\n\nPoints: 23\n\nRebounds: 11"
    quoted = "<p>The Comments URL: field of the form was left blank.</p>"
    assert html_to_text(quoted) == "The Comments URL: field of the form was left blank."


def test_a_thank_you_for_reading_in_prose_stays() -> None:
    """Substack's captions go; a writer's own thanks that asks nothing of the reader stays."""
    prose = "<p>Thanks for reading. We will return to the subject of rates next week.</p>"
    assert html_to_text(prose) == (
        "Thanks for reading. We will return to the subject of rates next week."
    )


def test_rules_keep_real_sentences_that_mention_the_phrases() -> None:
    """Line rules are anchored: a sentence quoting a phrase is not boilerplate."""
    text = (
        "<p>He told readers to click here to donate, a tactic regulators later banned.</p>"
        "<p>Users can share on Facebook, the company said, but not on its new app.</p>"
        "<p>Reporting by the Associated Press contributed to the inquiry, which found the "
        "editing by hand slow.</p>"
        "<p>Advertisement spending fell 5% in the quarter.</p>"
        "<p>Related: the strike and the shortage, officials said, though not everyone agreed "
        "that one caused the other.</p>"
        "<p>Photo: the agency released one image of the suspect. It was blurred.</p>"
        "<p>Subscribers to keep reading lists grew, the library said.</p>"
        "<p>Already a subscriber, she cancelled after the price rose.</p>"
        "<p>To continue reading the report, officials had to travel to the capital.</p>"
    )
    assert html_to_text(text) == (
        "He told readers to click here to donate, a tactic regulators later banned.\n\n"
        "Users can share on Facebook, the company said, but not on its new app.\n\n"
        "Reporting by the Associated Press contributed to the inquiry, which found the "
        "editing by hand slow.\n\n"
        "Advertisement spending fell 5% in the quarter.\n\n"
        "Related: the strike and the shortage, officials said, though not everyone agreed "
        "that one caused the other.\n\n"
        "Photo: the agency released one image of the suspect. It was blurred.\n\n"
        "Subscribers to keep reading lists grew, the library said.\n\n"
        "Already a subscriber, she cancelled after the price rose.\n\n"
        "To continue reading the report, officials had to travel to the capital."
    )


# Links whose words begin as the link rules' do, inside sentences: the sentence's words.
LINKS_IN_SENTENCES = (
    '<p>The agency published its findings, and you can <a href="/r">read more about the'
    " methodology here</a> before Friday.</p>"
    '<p>Officials said they would <a href="/d">continue reading the documents</a>.</p>'
    '<p>Users can <a href="/h">share on Facebook</a> and other apps.</p>'
    '<p>Readers who <a href="/f">follow us on Twitter</a> saw it first, he said.</p>'
    '<p>Le rapport, que vous pouvez <a href="/l">lire la suite ici</a>, est long.</p>'
)


def test_links_inside_sentences_stay() -> None:
    """A link that reads "read more …", "continue reading …", "share on …" inside a sentence
    is part of it: it went, and left "you can before Friday." The same link standing alone
    (after a sentence's end, between separators, at a paragraph's end) still goes."""
    expected = (
        "The agency published its findings, and you can read more about the methodology here"
        " before Friday.\n\n"
        "Officials said they would continue reading the documents.\n\n"
        "Users can share on Facebook and other apps.\n\n"
        "Readers who follow us on Twitter saw it first, he said.\n\n"
        "Le rapport, que vous pouvez lire la suite ici, est long."
    )
    assert html_to_text(LINKS_IN_SENTENCES) == expected
    assert html_to_text(sanitize_html(LINKS_IN_SENTENCES)) == expected
    alone = (
        '<p>The museum reopens on Friday. <a href="/m">Read more &raquo;</a></p>'
        '<p>Tickets are free<br><a href="/t">Continue reading</a><br>Doors open at ten.</p>'
        '<p><a href="/s">Share on Facebook</a> | <a href="/x">Share on X</a></p>'
        '<p>Prices rose&#8230; <a href="/p">Read More</a></p>'
        '<p>The council said so <a href="/c">Read more</a></p>'
    )
    kept = (
        "The museum reopens on Friday.\n\nTickets are free\n\nDoors open at ten.\n\n"
        "Prices rose…\n\nThe council said so"
    )
    assert html_to_text(alone) == kept
    assert html_to_text(sanitize_html(alone)) == kept


# An old-style agency item set wholly in capitals, longer than any headline: its text.
SHOUTED = (
    "THE NATIONAL WEATHER SERVICE HAS ISSUED A WINTER STORM WARNING FOR THE COUNTY UNTIL 6 PM "
    "FRIDAY. HEAVY SNOW IS EXPECTED, WITH TOTALS OF 8 TO 12 INCHES."
)


def test_capitals_and_contributions_in_prose_stay() -> None:
    """A link in capitals inside a sentence, or of a word or two, is text; so is a
    contribution that is not to the report, and lower case in any script is no headline in
    capitals."""
    html = (
        '<p>The <a href="/nato">NATO</a> summit ended; <a href="/x">THE UNITED NATIONS GENERAL '
        "ASSEMBLY</a> meets next.</p>"
        '<p><a href="/u">UN SAYS</a></p>'
        '<p><a href="/r">NATO ЗАЯВИЛО О ПЕРЕГОВОРАХ В СТАМБУЛЕ</a></p>'
        '<p><a href="/r">NATO заявило о переговорах в Стамбуле</a></p>'
        "<p>Farmers contributed to this year’s record harvest.</p>"
        "<p>Each member contributed to this report’s findings, the panel said.</p>"
        f"<p>{SHOUTED}</p>"
    )
    assert html_to_text(html) == (
        "The NATO summit ended; THE UNITED NATIONS GENERAL ASSEMBLY meets next.\n\n"
        "UN SAYS\n\n"
        "NATO ЗАЯВИЛО О ПЕРЕГОВОРАХ В СТАМБУЛЕ\n\n"
        "NATO заявило о переговорах в Стамбуле\n\n"
        "Farmers contributed to this year’s record harvest.\n\n"
        "Each member contributed to this report’s findings, the panel said.\n\n"
        f"{SHOUTED}"
    )


# Content set in capitals: AP's dateline as a paragraph of its own, its subheadings (as <h2>,
# as a paragraph, as a bold paragraph), a headline of acronyms quoted as a heading.
CAPITALS_CONTENT = (
    "<p>NEW YORK (AP) —</p>"
    "<p>Stocks fell on Wall Street after the report.</p>"
    "<h2>WHAT HAPPENS NEXT FOR INVESTORS</h2>"
    "<p>The Fed meets next week.</p>"
    "<p>WHAT THE REPORT SAID ABOUT JOBS</p>"
    "<p>Employers added 150,000 jobs.</p>"
    "<p><strong>WHY IT MATTERS TO YOU</strong></p>"
    "<p>Mortgage rates follow the Fed.</p>"
    "<h3>NATO, EU AGREE ON NEW SANCTIONS</h3>"
    "<p>The sanctions take effect Monday.</p>"
)


def test_capitals_that_are_content_stay() -> None:
    """Datelines, subheadings and headings in capitals are the article's: only a paragraph
    that is a link in capitals (a promotion of another page) goes, and ad labels as before."""
    promo = (
        '<p><a href="https://www.foxnews.com/politics/x"><strong>HOUSE GOP UNVEILS STOPGAP PLAN'
        " AS SHUTDOWN LOOMS</strong></a></p><p>ADVERTISEMENT</p>"
        "<p>STORY CONTINUES BELOW ADVERTISEMENT</p>"
    )
    expected = (
        "NEW YORK (AP) —\n\nStocks fell on Wall Street after the report.\n\n"
        "WHAT HAPPENS NEXT FOR INVESTORS\n\nThe Fed meets next week.\n\n"
        "WHAT THE REPORT SAID ABOUT JOBS\n\nEmployers added 150,000 jobs.\n\n"
        "WHY IT MATTERS TO YOU\n\nMortgage rates follow the Fed.\n\n"
        "NATO, EU AGREE ON NEW SANCTIONS\n\nThe sanctions take effect Monday."
    )
    assert html_to_text(CAPITALS_CONTENT + promo) == expected
    html = sanitize_html(CAPITALS_CONTENT + promo)
    for kept in ("NEW YORK (AP)", "WHAT HAPPENS NEXT", "WHAT THE REPORT", "WHY IT MATTERS", "NATO"):
        assert kept in html
    for gone in ("GOP", "ADVERTISEMENT"):
        assert gone not in html


def test_lists_that_are_text_stay() -> None:
    """Only a list of nothing but links of a headline's length, among paragraphs, is a box of
    other stories: a list of tools, items that say more than their link, and a list that is
    all there is (Google News's cluster of headlines) are text."""
    prose = "<p>We tried three tools.</p>"
    tools = '<ul><li><a href="/rg">ripgrep</a></li><li><a href="/fd">fd</a></li></ul>'
    said = (
        '<ul><li><a href="/a">The first report</a> found no fault.</li>'
        '<li><a href="/b">A second inquiry</a> blamed the operator.</li></ul>'
    )
    alone = '<ul><li><a href="/a">Fed holds rates steady</a></li></ul>'
    assert html_to_text(prose + tools) == "We tried three tools.\n\nripgrep\nfd"
    assert html_to_text(prose + said) == (
        "We tried three tools.\n\nThe first report found no fault.\n"
        "A second inquiry blamed the operator."
    )
    assert html_to_text(alone) == "Fed holds rates steady"
    assert "Fed holds" in sanitize_html(alone)


def test_a_box_of_other_stories_under_its_heading_goes_with_it() -> None:
    """A box of links to other stories set under its own heading after the article ("Related
    Articles", "Mehr zum Thema", a bold "Read next") read as the article's last paragraphs: the
    heading stood between the box and the prose. Box and heading go; a heading with a list
    that is all there is, or followed by prose, stays."""
    box = (
        '<ul><li><a href="/a">Pension reform vote set for March</a></li>'
        '<li><a href="/b">Unions call a third day of strikes</a></li></ul>'
    )
    prose = "<p>The Senate approved the bill on Tuesday.</p>"
    for heading in (
        "<h3>Related Articles</h3>",
        "<h2>Mehr zum Thema</h2>",
        "<h3>Related</h3>",
        "<p><strong>Read next</strong></p>",
    ):
        assert html_to_text(prose + heading + box) == "The Senate approved the bill on Tuesday."
        assert sanitize_html(prose + heading + box) == (
            "<p>The Senate approved the bill on Tuesday.</p>"
        )
    assert html_to_text("<h3>Top stories</h3>" + box) == (
        "Top stories\n\nPension reform vote set for March\nUnions call a third day of strikes"
    )
    standfirst = "<p><strong>The Senate approved the bill on Tuesday.</strong></p>"
    assert html_to_text(standfirst + box) == "The Senate approved the bill on Tuesday."
    assert html_to_text(prose + "<h2>What comes next</h2><p>A vote in March.</p>") == (
        "The Senate approved the bill on Tuesday.\n\nWhat comes next\n\nA vote in March."
    )


def test_bullets_and_links_that_are_text_stay() -> None:
    """A link inside a sentence, or opening one, is prose; bullet points that are sentences
    are text, with a link in them or not; and bulleted links that are all there is are the
    text (as a list of links alone is)."""
    prose = (
        "<p>Russian officials reacted with glee to the "
        '<a href="/world/live/2025/mar/01/zelenskyy-trump">dramatic clash between Volodymyr '
        "Zelenskyy and Donald Trump</a> at the White House on Friday.</p>"
        '<p><a href="/us-news/jd-vance">JD Vance</a> was supposed to be the inconsequential'
        " vice-president.</p>"
        '<p><a href="/world/2025/mar/01/statement">Read the ministry’s statement</a>, which'
        " runs to four pages.</p>"
    )
    bullets = (
        "<p>• Prices rose 3% in October.</p>"
        '<p>• The <a href="/a">first report</a> found no fault.</p>'
        '<p>• <a href="/b">A second inquiry</a> blamed the operator.</p>'
        "<ul><li>Wages rose 2%.</li><li>The bank held rates at 4%.</li></ul>"
    )
    expected = (
        "Russian officials reacted with glee to the dramatic clash between Volodymyr Zelenskyy"
        " and Donald Trump at the White House on Friday.\n\n"
        "JD Vance was supposed to be the inconsequential vice-president.\n\n"
        "Read the ministry’s statement, which runs to four pages.\n\n"
        "• Prices rose 3% in October.\n\n"
        "• The first report found no fault.\n\n"
        "• A second inquiry blamed the operator.\n\n"
        "Wages rose 2%.\nThe bank held rates at 4%."
    )
    assert html_to_text(prose + bullets) == expected
    html = sanitize_html(prose + bullets)
    assert html_to_text(html) == expected
    assert html.count("<a ") == 5
    alone = (
        '<p>• <a href="/a">Fed holds rates steady</a></p>'
        '<p>• <a href="/b">Powell: fight not over</a></p>'
    )
    assert html_to_text(alone) == "• Fed holds rates steady\n\n• Powell: fight not over"
    assert "Powell" in sanitize_html(alone)


def test_prose_about_credits_copyright_channels_and_publishing_stays() -> None:
    """The new line rules are for whole furniture lines: sentences using the words stay."""
    html = (
        "<p>Copyright law protects the photographs, the court ruled.</p>"
        "<p>Photo by photo, the archive was rebuilt.</p>"
        "<p>Join our reporters in Kyiv as they follow the talks.</p>"
        "<p>Published on Monday, the report found that prices rose.</p>"
        "<p>Share this article with a colleague who follows energy prices.</p>"
    )
    assert html_to_text(html) == (
        "Copyright law protects the photographs, the court ruled.\n\n"
        "Photo by photo, the archive was rebuilt.\n\n"
        "Join our reporters in Kyiv as they follow the talks.\n\n"
        "Published on Monday, the report found that prices rose.\n\n"
        "Share this article with a colleague who follows energy prices."
    )


def test_empty_wrappers_leave_no_blank_lines() -> None:
    """Wrappers emptied by the rules leave neither text nor blank lines behind."""
    html = '<div><div><span></span></div><p>One.</p><div class="ad"><p>x</p></div><p>Two.</p></div>'
    assert html_to_text(html) == "One.\n\nTwo."
    assert sanitize_html(html) == "<p>One.</p><p>Two.</p>"


OPERATOR_TOML = """
[[sources.reuters.rules]]
kind = "cut_after"
pattern = "^Our Standards:"
note = "Reuters' trust-principles footer and anything after it"

[[sources.reuters.rules]]
kind = "drop_element"
selector = "div.related-coverage"

[[sources.reuters.rules]]
kind = "drop_paragraph_matching"
pattern = "^Reporting by .{1,200}$"

[[sources.reuters.rules]]
kind = "drop_element_matching"
selector = "p"
pattern = "^Advertisement · Scroll to continue$"
"""


def test_operator_rules_from_toml() -> None:
    """Rules parsed from an operator's TOML apply on top of the defaults."""
    spec = tomllib.loads(OPERATOR_TOML)["sources"]["reuters"]["rules"]
    rules = parse_rules(spec)
    assert rules[0] == Rule(
        "cut_after",
        pattern="^Our Standards:",
        note="Reuters' trust-principles footer and anything after it",
    )
    html = (
        "<p>U.S. job openings fell in April.</p><p>Advertisement · Scroll to continue</p>"
        '<div class="related-coverage"><a href="/x">Related: jobs report</a></div>'
        "<p>Reporting by Lucia Mutikani</p><p>Our Standards: The Thomson Reuters Trust "
        "Principles.</p><p>Other footer</p>"
        '<p><a href="https://example.com">Read more</a></p>'
    )
    assert html_to_text(html, rules=rules) == "U.S. job openings fell in April."
    assert "Our Standards" in html_to_text(html)


@pytest.mark.parametrize(
    "rule",
    [
        Rule("drop_paragraph_matching", pattern=r"^Sponsored$|brought to you by"),
        Rule("cut_after", pattern=r"^Our Standards:|brought to you by"),
    ],
)
def test_line_rule_branches_without_a_caret_match_anywhere(rule: Rule) -> None:
    """Line patterns are searched: in ``^a|b`` the caret anchors only ``a``, ``b`` may be anywhere
    in the line (the union of anchored defaults must not anchor it)."""
    html = "<p>Storm hits the coast.</p><p>This story is brought to you by Acme.</p>"
    assert html_to_text(html, rules=[rule]) == "Storm hits the coast."


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ([{"kind": "drop_everything", "selector": "p"}], "unknown rule kind"),
        ([{"kind": "drop_element"}], "needs a CSS selector"),
        ([{"kind": "drop_element", "selector": "p[["}], "bad CSS selector"),
        ([{"kind": "cut_after", "pattern": "(unclosed"}], "bad regex"),
        ([{"kind": "cut_after"}], "needs a regex pattern"),
        ([{"kind": "drop_element", "selector": "p", "pattern": "x"}], "takes no pattern"),
        ([{"kind": "cut_after", "pattern": "x", "selector": "p"}], "takes no selector"),
        ([{"kind": "cut_after", "pattern": "x", "regex": "y"}], "unknown keys"),
        ([{"kind": "cut_after", "pattern": 3}], "must be a string"),
        (["cut_after"], "expected a table"),
    ],
)
def test_parse_rules_rejects_bad_rules(spec: list[object], message: str) -> None:
    """A bad operator rule is a ValueError naming the rule, at load time."""
    with pytest.raises(ValueError, match=message) as info:
        parse_rules(spec)  # type: ignore[arg-type]  # deliberately malformed input
    assert "rule #0" in str(info.value)


def test_default_rules_are_documented() -> None:
    """Every default rule says why it exists."""
    assert all(rule.note for rule in DEFAULT_RULES)


@pytest.mark.parametrize(("name", "boilerplate", "gone"), CASES, ids=[c[0] for c in CASES])
def test_default_rule_removes_boilerplate_from_sanitised_html(
    name: str, boilerplate: str, gone: str
) -> None:
    """The sanitised HTML loses what the text loses: line rules ("The post X appeared first
    on Y", "Originally published at") were applied to the text only, so re-published HTML
    still showed them."""
    for html in (ARTICLE + boilerplate, boilerplate + ARTICLE):
        assert sanitize_html(html) == f"<p>{KEPT}</p>", name


def test_cut_after_drops_the_rest_of_the_sanitised_html() -> None:
    """An operator's cut_after rule ends the sanitised HTML where it ends the text, however
    deep the line that starts the footer is."""
    rules = parse_rules([{"kind": "cut_after", "pattern": "^Our Standards:"}])
    html = (
        "<div><p>Rates held.</p><div><p>Our Standards: <a href='/t'>Trust</a></p>"
        "<p>Footer one</p></div>tail<p>Footer two</p></div><p>Footer three</p>"
    )
    assert html_to_text(html, rules=rules) == "Rates held."
    assert sanitize_html(html, rules=rules) == "<p>Rates held.</p>"


def test_captions_and_embedded_posts_leave_the_text_but_not_the_html() -> None:
    """A caption, a photo credit or an embedded tweet read as the article's own words: the
    lead began with them ("Council members vote... (Photo: Jane Doe)"). The text leaves them
    out; the sanitised HTML keeps them with their image or as a quote."""
    html = (
        '<figure class="wp-block-image"><img src="https://example.org/v.jpg" alt="Vote">'
        "<figcaption>Council members vote. (Photo: Jane Doe/Valley News)</figcaption></figure>"
        '<blockquote class="twitter-tweet"><p lang="en">Budget passed.</p>&mdash; Reporter '
        '(@rep) <a href="https://twitter.com/rep/status/1">May 14, 2024</a></blockquote>' + ARTICLE
    )
    assert html_to_text(html) == KEPT
    assert lead(html_to_text(html)) == KEPT
    out = sanitize_html(html)
    assert "<p>Council members vote. (Photo: Jane Doe/Valley News)</p>" in out
    assert "<blockquote>" in out
    assert "Budget passed.</p>— Reporter (@rep)" in out


def test_facebook_embeds_leave_the_text_but_not_the_html() -> None:
    """Facebook's embed code for a video or a page holds, until its script runs, a quote of
    the post ("fb-xfbml-parse-ignore") with "Posted by <page> on <date>": only its posts
    (".fb-post") were known, and a video's title, description and credit read as the
    article's paragraphs."""
    video = (
        '<div class="fb-video" data-href="https://www.facebook.com/team/videos/123/"'
        ' data-width="500"><blockquote cite="https://www.facebook.com/team/videos/123/"'
        ' class="fb-xfbml-parse-ignore"><a href="https://www.facebook.com/team/videos/123/">'
        'Match highlights</a><p>What a goal!</p>Posted by <a href="https://www.facebook.com/'
        'team">FC Team</a> on Saturday, March 2, 2024</blockquote></div>'
    )
    page = (
        '<div class="fb-page" data-href="https://www.facebook.com/team"><blockquote'
        ' cite="https://www.facebook.com/team" class="fb-xfbml-parse-ignore"><a'
        ' href="https://www.facebook.com/team">FC Team</a></blockquote></div>'
    )
    for embed in (video, page):
        assert html_to_text(ARTICLE + embed) == KEPT
        assert "<blockquote>" in sanitize_html(ARTICLE + embed)


def test_a_photo_post_is_its_caption() -> None:
    """When captions are all the text there is, they are the text (before the alt text)."""
    html = (
        '<figure><img src="https://example.org/f.jpg" alt="Fireworks"><figcaption>New Year '
        "fireworks over the harbour.</figcaption></figure>"
    )
    assert html_to_text(html) == "New Year fireworks over the harbour."


def test_operators_add_text_only_drops() -> None:
    """drop_from_text is in the operators' table too: their CMS's caption class."""
    rules = parse_rules([{"kind": "drop_from_text", "selector": "div.field--name-field-caption"}])
    html = (
        '<p>A new frog was found.</p><div class="field--name-field-caption">The frog. Photo: '
        "University</div>"
    )
    assert html_to_text(html, rules=rules) == "A new frog was found."
    assert "The frog." in sanitize_html(html, rules=rules)
    with pytest.raises(ValueError, match="needs a CSS selector"):
        parse_rules([{"kind": "drop_from_text"}])


CODE_POST = (
    "<p>Close the block:</p>"
    '<pre><code class="language-rust">fn main() {\n    if ready {\n        go();\n    }\n}\n</code></pre>'
    "<p>That is all.</p>"
)


def test_code_blocks_keep_every_line_in_the_text() -> None:
    """A line of a code block is code, however it looks: `}` is no separator to drop, and the
    block's lines are its lines, not one run of words."""
    text = html_to_text(CODE_POST)
    assert text == "Close the block:\n\nfn main() {\nif ready {\ngo();\n}\n}\n\nThat is all."


def test_code_blocks_keep_every_line_in_the_republished_html() -> None:
    html = sanitize_html(CODE_POST)
    assert html == (
        "<p>Close the block:</p><p>fn main() {</p><p>    if ready {</p><p>        go();</p>"
        "<p>    }</p><p>}</p><p>That is all.</p>"
    )


def test_outside_code_a_line_of_punctuation_still_goes() -> None:
    assert html_to_text("<p>One.</p><p>}</p><p>***</p><p>Two.</p>") == "One.\n\nTwo."


@pytest.mark.parametrize(
    "credit",
    [
        "Le Monde avec AFP",
        "Le Figaro avec AFP et Reuters",
        "franceinfo avec AFP",
        "With AFP",
        "with Reuters and AP",
        "(Reuters)",
        "(AFP)",
        "— AP",
        "- AFP",
        "– Reuters",
        "—AFP",
        "AFP",
        "Reuters/AP",
        "(dpa/AFP)",
        "mes/dpa/Reuters",
        "jok/AFP",
        "Mit Material von dpa",
        "Mit Material der Nachrichtenagenturen dpa und AFP",
        "Con información de EFE",
        "Con información de agencias",
        "With inputs from agencies",
        "With inputs from PTI",
        "Additional input from APP",
        "Source: Al Jazeera and news agencies",
        "Al Jazeera and news agencies",
        "Source: Xinhua",
        "(ANSA).",
        "Fonte: ANSA",
        "(Yonhap)",
        "Agence France-Presse",
        "Additional reporting by Reuters",
        "Reuters contributed to this report.",
    ],
)
def test_agency_credit_lines_go(credit: str) -> None:
    """A credit line by itself, first or last: who supplied the copy, not the article's text;
    identical in unrelated stories from one agency, so it would also make them look alike."""
    for html in (
        f"<p>{credit}</p><p>Talks resumed in Geneva on Tuesday.</p>",
        f"<p>Talks resumed in Geneva on Tuesday.</p><p>{credit}</p>",
        f"<p>Talks resumed in Geneva on Tuesday.<br>{credit}</p>",
    ):
        assert html_to_text(html) == "Talks resumed in Geneva on Tuesday.", html


@pytest.mark.parametrize(
    "sentence",
    [
        "AFP reported that the talks had failed.",
        "The minister told Reuters on Tuesday that talks would resume.",
        "Speaking with AFP, the minister said talks would resume.",
        "Talks with AP reporters were cancelled",
        "Le ministre a parlé avec l'AFP mardi.",
        "Reuters and AFP both reported the strike.",
    ],
)
def test_agency_names_inside_sentences_stay(sentence: str) -> None:
    html = f"<p>Talks resumed in Geneva on Tuesday.</p><p>{sentence}</p>"
    assert html_to_text(html) == f"Talks resumed in Geneva on Tuesday.\n\n{sentence}"


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<p>The council voted to approve a budget for a new library on Main [&hellip;]</p>",
         "The council voted to approve a budget for a new library on Main …"),
        ("The council voted on Thursday. [&#8230;]", "The council voted on Thursday. …"),
        ("<p>The council voted [...]</p><p>The post X appeared first on Y.</p>",
         "The council voted …"),
        # an omission inside a quotation is the quotation's
        ("<p>“We will […] rebuild,” she said.</p>", "“We will […] rebuild,” she said."),
    ],
)  # fmt: skip
def test_an_excerpts_truncation_marker_is_an_ellipsis(html: str, expected: str) -> None:
    """WordPress cuts an excerpt feed's items with " [&hellip;]": the brackets are its
    furniture (the lead ended "[…]"), the ellipsis says the text goes on."""
    assert html_to_text(html) == expected
    assert html_to_text(expected) == expected


def test_code_ending_in_brackets_is_code() -> None:
    assert html_to_text("<p>Use a list.</p><pre>items = [...]</pre>") == (
        "Use a list.\n\nitems = [...]"
    )


def test_screen_reader_labels_leave_both_outputs_and_hidden_blocks_stay() -> None:
    """Text hidden from sight for screen readers (WordPress's "screen-reader-text", Bootstrap's
    "sr-only" and "visually-hidden", HTML5 Boilerplate's "visuallyhidden", "a11y-hidden") read
    as words a reader never saw: "the report (opens in a new tab)", "Data External link:here",
    an abbreviation twice. An inline one (a label of a link, a button, an icon, or a second
    reading of what is shown) goes, from the text and from the HTML, where the class that hid it
    is gone; a hidden heading or paragraph is content a page chose to name, and stays."""
    cases = [
        (
            '<p>Read <a href="https://ex.com/r">the report<span class="screen-reader-text">'
            " (opens in a new tab)</span></a> before Friday.</p>",
            "Read the report before Friday.",
        ),
        (
            '<p>Data <a href="https://ex.com/d"><span class="sr-only">External link:</span>'
            "here</a> shows it.</p>",
            "Data here shows it.",
        ),
        (
            '<p><span aria-hidden="true">Sen.</span><span class="visually-hidden">Senator'
            "</span> Jane Doe voted no.</p>",
            "Sen. Jane Doe voted no.",
        ),
        (
            '<p>Prices rose<a href="https://ex.com/n"><sup>1</sup><span class="visuallyhidden">'
            " Footnote</span></a> again.</p>",
            "Prices rose¹ again.",
        ),
        (
            '<p><span class="ssrcss-1f39n02-VisuallyHidden">Image source, '
            "</span>Getty Images</p><p>The storm hit at dawn.</p>",
            "Getty Images\n\nThe storm hit at dawn.",
        ),
        (
            '<p><a href="https://twitter.com/x"><i class="icon-x"></i><span class="a11y-hidden">'
            "Follow the author</span></a></p><p>The storm hit at dawn.</p>",
            "The storm hit at dawn.",
        ),
    ]
    for html, expected in cases:
        assert html_to_text(html) == expected, html
        assert html_to_text(sanitize_html(html)) == expected, html
    kept = (
        '<h2 class="screen-reader-text">Key points</h2><ul><li>Rates held at 4%.</li>'
        '<li>A cut is expected in March.</li></ul><p class="sr-only">The chart shows rates'
        " since 2020.</p>"
    )
    expected = "Key points\n\nRates held at 4%.\nA cut is expected in March.\n\n" + (
        "The chart shows rates since 2020."
    )
    assert html_to_text(kept) == expected
    assert html_to_text(sanitize_html(kept)) == expected
    # A class that only contains the words is no such class.
    assert html_to_text('<p>One <span class="not-sr-only-x">two</span> three.</p>') == (
        "One two three."
    )


def test_click_here_calls_to_action_go_and_sentences_with_content_stay() -> None:
    """Every line starting "Click here" went, so a sentence that says something after its
    pointer ("…, which includes three local schools.") was lost with the pointer. A call to
    action is "click here" and its one purpose, a single clause (one sentence, no comma,
    semicolon, colon or dash): that goes. A line that goes on past it is content, and stays."""
    calls = [
        "Click here to book tickets.",
        "Click here to see the full list of winners.",
        "Click here for more.",
        "Click here",
        "CLICK HERE TO GET THE FOX NEWS APP",
        "» Click here to sign up for traffic alerts",
        "Please click here to subscribe!",
    ]
    for line in calls:
        assert html_to_text(ARTICLE + f"<p>{line}</p>") == KEPT, line
    content = [
        "Click here to see the full list of winners, which includes three local schools.",
        "Click here for the results; Smith won the district by 212 votes.",
        "Click here to donate — the fund has raised $40,000 so far.",
        "Click here to read the report. It found 14 violations at the plant.",
    ]
    for line in content:
        assert html_to_text(ARTICLE + f"<p>{line}</p>") == f"{KEPT}\n\n{line}", line
        assert line in html_to_text(sanitize_html(ARTICLE + f"<p>{line}</p>")), line


def test_a_plain_label_over_a_box_of_other_stories_goes_with_it() -> None:
    """A box of other stories after the article went, but a label over it written as a plain
    line ("Read next", "More from The Local Times:", not bold, no heading) stayed as the
    article's last line, naming what was no longer there. A short line that ends as no
    sentence does, between the prose and the box, is the box's label and goes with it; the
    prose's last sentence, and a label over a list that is all there is, stay."""
    box = (
        '<ul><li><a href="/a">Mayor faces questions over spending plan</a></li>'
        '<li><a href="/b">New bridge to open in spring next year</a></li></ul>'
    )
    prose = "<p>The council approved the budget on Monday night.</p>"
    for label in (
        "<p>Read next</p>",
        "<p>More from The Local Times:</p>",
        "<div>You might also be interested in</div>",
        "<p>Most read</p>",
        "<p><em>Trending now</em></p>",
    ):
        assert html_to_text(prose + label + box) == (
            "The council approved the budget on Monday night."
        ), label
        assert sanitize_html(prose + label + box) == (
            "<p>The council approved the budget on Monday night.</p>"
        ), label
    last = "<p>He declined to comment.</p>"
    assert html_to_text(prose + last + box) == (
        "The council approved the budget on Monday night.\n\nHe declined to comment."
    )
    assert html_to_text("<p>Read next</p>" + box) == (
        "Read next\n\nMayor faces questions over spending plan\nNew bridge to open in spring next"
        " year"
    )


def test_mastodon_bluesky_and_threads_embeds_leave_the_text_without_their_classes() -> None:
    """An embedded post whose classes a feed's sanitiser took was known only when it quoted a
    tweet or an Instagram post: a Mastodon or Bluesky post kept its words and its "— Name
    (@user@host) date" credit as the article's paragraphs, and so did the credit line of a
    flattened one (a fediverse handle, Bluesky's "… at 3:01 PM"), Mastodon's "Post by
    @user@host" and "View on Mastodon". Quotes and handles in prose stay."""
    posts = [
        "<blockquote><p>We will not back down.</p>&mdash; Jane Doe (@jane@mastodon.social) <a"
        ' href="https://mastodon.social/@jane/113012345678">January 15, 2026</a></blockquote>',
        '<blockquote><p lang="en">We will not back down.</p>&mdash; Jane Doe (<a href="https://'
        'bsky.app/profile/did:plc:abc?ref_src=embed">@jane.bsky.social</a>) <a href="https://bsky'
        '.app/profile/did:plc:abc/post/3lbx?ref_src=embed">November 20, 2024 at 3:01 PM</a>'
        "</blockquote>",
        '<blockquote data-embed-url="https://mastodon.social/@jane/113/embed"><a href="https://'
        'mastodon.social/@jane/113" target="_blank"><div>Post by @jane@mastodon.social</div><div>'
        "View on Mastodon</div></a></blockquote>",
        '<blockquote><p>We will not back down.</p>&mdash; Jane Doe (@janedoe) <a href="https://'
        'www.threads.net/@janedoe/post/C8xYz">Jun 3, 2024</a></blockquote>',
    ]
    for post in posts:
        assert html_to_text(ARTICLE + post) == KEPT, post
        # Mastodon's own embed code holds none of the post's words, only its two lines.
        assert ("<blockquote>" in sanitize_html(ARTICLE + post)) == ("Post by" not in post)
    flattened = [
        "<p>&mdash; Jane Doe (@jane@mastodon.social) January 15, 2026</p>",
        "<p>— Jane Doe (@jane.bsky.social) November 20, 2024 at 3:01 PM</p>",
        "<p>Post by @jane@mastodon.social</p><p>View on Mastodon</p>",
    ]
    for lines in flattened:
        assert html_to_text(ARTICLE + lines) == KEPT, lines
    prose = (
        "<blockquote><p>We will rebuild.</p>&mdash; Mayor Jane Doe, in a statement</blockquote>"
        '<p>Follow her at @jane@mastodon.social or <a href="https://mastodon.social/@jane">on'
        " Mastodon</a>.</p><p>— A post by @jane@mastodon.social drew 4,000 replies, the city said.</p>"
    )
    assert html_to_text(prose) == (
        "We will rebuild.\n\n— Mayor Jane Doe, in a statement\n\nFollow her at"
        " @jane@mastodon.social or on Mastodon.\n\n— A post by @jane@mastodon.social drew 4,000"
        " replies, the city said."
    )


def test_podcast_show_notes_lose_their_hosts_and_platforms_footers() -> None:
    """Show notes end, on every episode, with their host's lines (ART19's privacy notice,
    Acast's membership link, Spotify for Podcasters' "Send in a voice message" and "Support
    this podcast") and the platforms to subscribe on: only Megaphone's, Acast's and Omny's
    went. The episode's own lines, and a sentence about a platform, stay."""
    notes = "<p>This week: the budget vote, and what comes next.</p><p>Guests: Jane Doe</p>"
    footers = [
        "See Privacy Policy at https://art19.com/privacy and California Privacy Notice at"
        " https://art19.com/privacy#do-not-sell-my-info.",
        "Become a member at https://plus.acast.com/s/the-briefing.",
        "--- Send in a voice message: https://podcasters.spotify.com/pod/show/briefing/message",
        "Support this podcast: https://podcasters.spotify.com/pod/show/briefing/support",
        "Subscribe on Apple Podcasts, Spotify or wherever you get your podcasts.",
        "Listen to The Briefing on Apple Podcasts, Spotify, or wherever you listen.",
        "Follow the show on Spotify | Apple Podcasts | Amazon Music",
    ]
    expected = "This week: the budget vote, and what comes next.\n\nGuests: Jane Doe"
    for footer in footers:
        assert html_to_text(notes + f"<p>{footer}</p>") == expected, footer
        assert html_to_text(sanitize_html(notes + f"<p>{footer}</p>")) == expected, footer
    kept = (
        "Spotify said on Tuesday it would raise prices in five markets.",
        "Listen to the full interview on Apple Podcasts, where the minister explains her plan"
        " in detail.",
        "The company paid $100 million to support this podcast network's expansion.",
    )
    for line in kept:
        assert html_to_text(notes + f"<p>{line}</p>") == f"{expected}\n\n{line}", line


def test_agency_trailers_pointing_to_coverage_and_funders_go() -> None:
    """AP ends its stories with a pointer to its hub on the topic ("Follow AP’s coverage of
    the election at https://apnews.com/hub/…", "More AP coverage of the Middle East: …") and
    with its philanthropy disclosure ("… receives financial support from … AP is solely
    responsible for all content."): they read as the article's last paragraphs on every
    syndicating site. A sentence about coverage without an address stays."""
    story = "<p>WASHINGTON (AP) — The Senate passed the bill on Thursday.</p>"
    text = "WASHINGTON (AP) — The Senate passed the bill on Thursday."
    trailers = [
        "Follow AP’s coverage of the election at https://apnews.com/hub/election-2026.",
        "Find more AP coverage of Asia-Pacific at https://apnews.com/hub/asia-pacific",
        "More AP coverage of the Middle East: https://apnews.com/hub/middle-east",
        "See more of our coverage of the trial here: https://example.com/hub/trial",
        "The Associated Press’ climate and environmental coverage receives financial support"
        " from multiple private foundations. AP is solely responsible for all content. Find"
        " AP’s standards for working with philanthropies, a list of supporters and funded"
        " coverage areas at AP.org.",
        "The Associated Press receives support from the Walton Family Foundation for coverage"
        " of water and environmental policy. The AP is solely responsible for all content.",
    ]
    for trailer in trailers:
        assert html_to_text(story + f"<p>{trailer}</p>") == text, trailer
        assert html_to_text(sanitize_html(story + f"<p>{trailer}</p>")) == text, trailer
    kept = [
        "See full coverage of the trial in Sunday’s paper.",
        "Follow the money, the senator told AP’s reporters at the Capitol.",
        "The museum receives support from the city, and its director said the board is solely"
        " responsible for all content decisions, a claim the mayor disputed on Monday night"
        " when asked by reporters about the exhibition that critics called offensive",
    ]
    for line in kept:
        assert html_to_text(story + f"<p>{line}</p>") == f"{text}\n\n{line}", line


def test_byline_lines_go_and_sentences_starting_with_by_stay() -> None:
    """A byline set as the content's first paragraph ("By Jane Doe and John Smith, Reuters",
    "Von Anna Schmidt") was the lead's first sentence ("By Jane Doe. LONDON (Reuters) - …"),
    and its staff names words that unrelated stories of one outlet share, as the contributor
    lines that go already are. A line that is "by" and names alone goes; "By the numbers",
    "By Monday, the council…" and other sentences stay."""
    story = "<p>LONDON (Reuters) - Britain's economy grew 0.1% in the third quarter.</p>"
    text = "LONDON (Reuters) - Britain's economy grew 0.1% in the third quarter."
    bylines = [
        "By Jane Doe",
        "By Jane Doe and John Smith, Reuters",
        "By JANE DOE Associated Press",
        "BY JANE DOE",
        "By Jane Doe | CNN",
        "By Mary-Kate O’Neil, Jean de La Fontaine & J. R. Smith.",
        "Written by Jane Doe",
        "Reporting by Lucia Mutikani",
        "Von Anna Schmidt",
        "Par Jeanne Martin et Paul Durand",
        "Por María García",
    ]
    for byline in bylines:
        assert html_to_text(f"<p>{byline}</p>{story}") == text, byline
        assert lead(html_to_text(f"<p>{byline}</p>{story}")) == text, byline
        assert html_to_text(sanitize_html(f"<p>{byline}</p>{story}")) == text, byline
    kept = [
        "By the numbers",
        "By The Numbers",
        "By Monday, the council had voted.",
        "By 2030, the city wants to plant 10,000 trees.",
        "Von Anfang an war klar, dass es schwierig wird",
        "Por fin llegó el acuerdo",
        "By car and by train",
    ]
    for line in kept:
        assert html_to_text(f"<p>{line}</p>{story}") == f"{line}\n\n{text}", line


def test_bylines_of_names_with_a_capital_outside_a_to_z_go() -> None:
    """A name's capital was A-Z alone: "Par Jean Dupont" went and Le Monde's "Par Élise
    Vincent", El País's "Por Álvaro Sánchez", "Von Özlem Türeci" stayed, the lead's first
    sentence. The sentences beside them still stay."""
    story = "<p>Le président a parlé vendredi.</p>"
    text = "Le président a parlé vendredi."
    bylines = [
        "Par Élise Vincent",
        "Par Éric Dupont et Ève Martin",
        "Por Álvaro Sánchez",
        "Por Óscar López y Ángela Rodríguez",
        "Von Özlem Türeci",
        "By Łukasz Nowak",
        "Door Ömer Şahin",
    ]
    for byline in bylines:
        assert html_to_text(f"<p>{byline}</p>{story}") == text, byline
        assert html_to_text(sanitize_html(f"<p>{byline}</p>{story}")) == text, byline
    kept = ["Par Élise, tout a changé.", "Por Ávila pasa el río", "Von Österreich aus"]
    for line in kept:
        assert html_to_text(f"<p>{line}</p>{story}") == f"{line}\n\n{text}", line


def test_reading_time_lines_go() -> None:
    """Reading-time plugins write their estimate into the content feeds carry (Reading Time
    WP's span, Yoast's "Estimated reading time"), and themes a "5 min read": it read as the
    article's first line and began the lead. A sentence about minutes of reading stays."""
    story = "<p>The council approved the budget on Monday.</p>"
    text = "The council approved the budget on Monday."
    lines = [
        '<span class="span-reading-time rt-reading-time" style="display: block;"><span'
        ' class="rt-label rt-prefix">Reading Time: </span> <span class="rt-time">4</span> <span'
        ' class="rt-label rt-postfix">minutes</span></span>',
        "<p>Estimated reading time: 3 minutes</p>",
        "<p>5 min read</p>",
        "<p>Reading time: 4-6 minutes</p>",
        "<p>⏱ 2 minute read</p>",
    ]
    for line in lines:
        assert html_to_text(line + story) == text, line
        assert lead(html_to_text(line + story)) == text, line
        assert html_to_text(sanitize_html(line + story)) == text, line
    kept = "The report takes 5 minutes to read, and its conclusions are stark."
    assert html_to_text(f"<p>{kept}</p>{story}") == f"{kept}\n\n{text}"
