"""Feeds as real outlets publish them: recorded under tests/storywire/feeds/, read end to end.

Each fixture is one outlet's format (from its public feeds), trimmed to a few items; the checks
are on what consumers get: title, text, published, url, author, language.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from storywire.feeds import parse_feed
from storywire.models import Article, Source, iso
from storywire.processing import build_article

FEEDS = Path(__file__).resolve().parent / "feeds"
NOW = datetime(2026, 11, 28, tzinfo=UTC)


def _articles(
    name: str, *, url: str = "https://feeds.example.org/feed", timezone: str | None = None
) -> list[Article]:
    body = (FEEDS / name).read_bytes()
    feed = parse_feed(body, now=NOW, url=url, timezone=ZoneInfo(timezone) if timezone else None)
    source = Source(id="t", url=url, outlet=feed.title or "T", domain="example.org")
    return [
        build_article(source, f"k{i}", entry, fetched_at=NOW)
        for i, entry in enumerate(feed.entries)
    ]


def test_xml_base_on_the_feed_and_the_entry_resolves_content_links() -> None:
    """Relative links in Atom content are relative to xml:base (feed, entry, content), not to
    the entry's link, which may be on another host (an AMP or CDN copy)."""
    first, second = _articles("atom_xml_base.xml")
    assert first.url == "https://www.example.org/articles/entry-one"
    assert first.html is not None
    assert 'href="https://www.example.org/news/photos/a.html"' in first.html
    assert 'src="https://www.example.org/news/2026/11/25/img/chart.png"' in first.html
    assert second.html is not None
    assert 'href="https://www.example.org/world/more.html"' in second.html
    assert "Geneva" in second.text


# (fixture, source timezone, entry index) -> title, text, published, url, author, language
OUTLETS = {
    ("bbc.xml", None, 0): (
        "Ukraine and Russia agree to resume prisoner talks",
        "Negotiators will meet in Istanbul next week, officials on both sides say.",
        "2026-11-27T15:48:21Z",
        "https://www.bbc.com/news/articles/c9d4x1y2z3o",
        None,
        "en",
    ),
    ("lemonde.xml", None, 1): (
        "« C'est une question de survie » : à Mayotte, l’eau manque encore",
        "Un an après le cyclone, les habitants attendent toujours.",
        "2026-11-27T13:00:00Z",
        "https://www.lemonde.fr/planete/article/2026/11/27/mayotte_6543211_3244.html",
        None,
        "fr",
    ),
    # Beijing time with no zone, read in the source's configured zone
    ("xinhua.xml", "Asia/Shanghai", 1): (
        "Typhoon Krovanh makes landfall in Philippines",
        "MANILA, Nov. 27 (Xinhua) -- Typhoon Krovanh made landfall in the northern Philippines"
        " on Friday morning, the weather bureau said.",
        "2026-11-27T01:12:45Z",
        "https://english.news.cn/20261127/b2c3d4e5f6a1/c.html",
        None,
        "en",
    ),
    # "(LEAD)" and "?input=rss" are Yonhap's housekeeping
    ("yonhap.xml", None, 0): (
        "S. Korea, U.S. to hold defense talks next week",
        "SEOUL, Nov. 27 (Yonhap) -- South Korea and the United States will hold defense talks"
        " in Seoul next week, the defense ministry said Friday.",
        "2026-11-27T08:05:11Z",
        "https://en.yna.co.kr/view/AEN20261127003151315",
        None,
        "en",
    ),
    # "mes/dpa/Reuters" closes Spiegel's text
    ("spiegel.xml", None, 0): (
        "Ukraine-Krieg: Kiew und Moskau wollen Gespräche über Gefangenenaustausch fortsetzen",
        "Unterhändler beider Seiten sollen sich kommende Woche in Istanbul treffen.\n\n"
        "Das teilten Vertreter aus Kiew und Moskau mit.",
        "2026-11-27T15:20:00Z",
        "https://www.spiegel.de/ausland/ukraine-krieg-kiew-und-moskau-a-12345678-90ab-cdef-1234-567890abcdef",
        None,
        "de",
    ),
    # "Con información de EFE." closes El País's
    ("elpais.xml", None, 0): (
        "Ucrania y Rusia acuerdan reanudar las negociaciones sobre prisioneros",
        "Los negociadores de Kiev y Moscú se reunirán la próxima semana en Estambul para"
        " discutir un nuevo canje de prisioneros, según responsables de ambos bandos.",
        "2026-11-27T15:10:22Z",
        "https://elpais.com/internacional/2026-11-27/ucrania-y-rusia-acuerdan.html",
        "María R. Sahuquillo",
        "es",
    ),
    # HTML entities XML does not define (&rsquo;), "— APP" closing the text
    ("dawn.xml", None, 0): (
        "PM’s ‘austerity’ drive — what’s next?",
        "ISLAMABAD: The prime minister’s austerity drive will continue, the finance ministry"
        " said on Friday.",
        "2026-11-27T05:15:32Z",
        "https://www.dawn.com/news/1912345/pms-austerity-drive",
        "Dawn.com",
        "en",
    ),
    ("dawn.xml", None, 1): (  # a CDATA title with tags in it
        "LIVE: Karachi protests & clashes",
        "Protesters gathered & marched on Friday.",
        "2026-11-27T04:00:00Z",
        "https://www.dawn.com/live/1912346",
        None,
        None,
    ),
    # an empty description beside a photo: its caption is not the text; a headline alone is
    # too short to detect, and the channel's <language>en-us</language> says what it is in
    ("nyt.xml", None, 1): (
        "Briefing: Your Friday Briefing",
        "",
        "2026-11-27T05:00:04Z",
        "https://www.nytimes.com/2026/11/27/briefing/friday-briefing.html",
        "Justin Porter",
        "en",
    ),
    ("aljazeera.xml", None, 0): (
        "Ukraine, Russia to resume prisoner exchange talks in Istanbul",
        "Negotiators from Kyiv and Moscow will meet in Istanbul next week to discuss a new"
        " prisoner exchange, officials on both sides say.\n\nThe talks would be the first in months.",
        "2026-11-27T15:30:11Z",
        "https://www.aljazeera.com/news/2026/11/27/ukraine-russia-to-resume-prisoner-exchange-talks",
        "Al Jazeera Staff",
        "en",
    ),
    ("tass.xml", None, 0): (  # "/TASS/." inside the first sentence: text, kept
        "Kremlin says prisoner talks with Kiev to resume next week",
        "MOSCOW, November 27. /TASS/. Russian and Ukrainian negotiators will meet in Istanbul"
        " next week to discuss a new prisoner exchange, Kremlin Spokesman Dmitry Peskov said.",
        "2026-11-27T14:20:00Z",
        "https://tass.com/politics/1987654",
        None,
        "en",
    ),
    ("toi.xml", None, 0): (  # an ISO date with +05:30 in pubDate, an image link before the text
        "Delhi schools shut as smog worsens; AQI crosses 450",
        "Primary schools in Delhi will stay shut until Monday as the air quality index crossed"
        " 450 in several areas, officials said.",
        "2026-11-27T15:15:10Z",
        "https://timesofindia.indiatimes.com/city/delhi/delhi-schools-shut/articleshow/125678901.cms",
        "TOI City Desk",
        "en",
    ),
    ("toi.xml", None, 1): (  # escaped, double-escaped entities; "IST" is India's
        "India's GDP grows 7.1% in Q2",
        "India's economy grew 7.1% in the July-September quarter, data showed on Friday.",
        "2026-11-27T13:00:00Z",
        "https://timesofindia.indiatimes.com/business/india-business/gdp/articleshow/125678902.cms",
        None,
        "en",
    ),
    ("nhk.xml", None, 0): (
        "ウクライナとロシア 捕虜交換めぐる協議再開へ",
        "ウクライナとロシアの代表団は、来週トルコのイスタンブールで捕虜交換をめぐる協議を再開することで合意しました。",
        "2026-11-27T14:45:00Z",
        "http://www3.nhk.or.jp/news/html/20261127/k10014612345000.html",
        None,
        "ja",
    ),
    ("ansa_rdf.xml", None, 0): (  # RSS 1.0, dc:date only; "(ANSA)." ends a sentence: kept
        "Ucraina e Russia riprendono i colloqui sui prigionieri",
        "I negoziatori si incontreranno la prossima settimana a Istanbul, hanno detto fonti di"
        " entrambe le parti. (ANSA).",
        "2026-11-27T16:40:00Z",
        "https://www.ansa.it/sito/notizie/mondo/2026/11/27/ucraina-russia_abc.html",
        "Redazione ANSA",
        "it",
    ),
    ("atom_xhtml.xml", None, 0): (  # type="xhtml" title and content
        "Rust & WebAssembly in 2026",
        "Rust compiles to WebAssembly with wasm32-unknown-unknown.\n\n"
        "The toolchain has matured — see the older post.",
        "2026-11-27T09:00:00Z",
        "https://example.org/posts/rust-wasm",
        "Ana Ruiz",
        "en",
    ),
    ("youtube.xml", None, 0): (  # media:group: the video's description is its text
        "Ukraine and Russia to resume prisoner talks",
        "Negotiators from Kyiv and Moscow will meet in Istanbul next week.\n\n"
        "Subscribe: https://www.youtube.com/user/deutschewelleenglish?sub_confirmation=1\n"
        "#Ukraine #Russia",
        "2026-11-27T14:00:11Z",
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        "DW News",
        "en",
    ),
    ("cnn.xml", None, 0): (
        "Ukraine and Russia agree to resume prisoner exchange talks next week",
        "Negotiators from Kyiv and Moscow will meet in Istanbul next week to discuss a new prisoner swap, officials from both countries said Friday.",
        "2026-11-27T15:41:33Z",
        "https://www.cnn.com/2026/11/27/europe/ukraine-russia-prisoner-talks-intl/index.html",
        None,
        "en",
    ),
    # the FeedBurner years: feedproxy links, origLink with ?eref=, flare and pixel, EST
    ("cnn_feedburner.xml", None, 0): (
        "Senate passes stopgap bill hours before shutdown deadline",
        "The Senate passed a short-term spending bill late Thursday.",
        "2026-11-27T20:30:11Z",
        "http://www.cnn.com/2026/11/27/politics/senate-stopgap-bill/index.html",
        None,
        "en",
    ),
    # an empty CDATA description; eref=rss_<feed> is CNN's feed marker
    ("cnn.xml", None, 1): (
        "Video: See the moment a rescued orca rejoins its pod",
        "",
        "2026-11-27T14:12:09Z",
        "https://www.cnn.com/2026/11/27/world/video/orca-rescue-pod-digvid",
        None,
        "en",
    ),
    # content:encoded: a related headline in capitals, the app promo, the contributor line
    ("foxnews.xml", None, 0): (
        "Senate passes stopgap spending bill hours before shutdown deadline",
        'The Senate passed a short-term spending bill late Thursday, sending it to the president\'s desk hours before a government shutdown deadline.\n\nThe measure passed 71-27 after leaders struck a deal on amendments.\n\n"We did our job," the majority leader told reporters.',
        "2026-11-27T15:15:02Z",
        "https://www.foxnews.com/politics/senate-passes-stopgap-spending-bill",
        None,
        "en",
    ),
    # Arc XP: two dc:creator, a photo's media:title and media:description inside media:content
    ("washingtonpost.xml", None, 0): (
        "Ukraine and Russia to resume prisoner swap talks in Istanbul",
        "KYIV — Negotiators from Ukraine and Russia will meet in Istanbul next week to discuss a new prisoner exchange, officials on both sides said Friday.\n\nThe talks would be the first in months.",
        "2026-11-27T15:20:33Z",
        "https://www.washingtonpost.com/world/2026/11/27/ukraine-russia-prisoner-swap-talks/",
        "Robyn Dixon, Siobhán O’Grady",
        "en",
    ),
    # the description's list of links to other stories, its "Continue reading..."
    ("guardian.xml", None, 0): (
        "Ukraine and Russia agree to resume prisoner exchange talks",
        "Negotiators to meet in Istanbul next week in first such talks for months, officials on both sides say\n\nUkraine and Russia have agreed to resume talks on exchanging prisoners of war, with negotiators due to meet in Istanbul next week.\n\nThe announcement came after weeks of strikes on both countries’ energy infrastructure.",
        "2026-11-27T15:41:07Z",
        "https://www.theguardian.com/world/2026/nov/27/ukraine-russia-prisoner-exchange-talks-istanbul",
        "Pjotr Sauer and Shaun Walker",
        "en",
    ),
    # a live blog's: two links to other stories between standfirst and text
    ("guardian.xml", None, 1): (
        "Ukraine war live: Zelenskyy says talks ‘must bring everyone home’",
        "Latest updates: Ukrainian president says prisoner talks must not stall\n\nVolodymyr Zelenskyy said the talks must “bring everyone home”.",
        "2026-11-27T14:02:55Z",
        "https://www.theguardian.com/world/live/2026/nov/27/ukraine-war-live-latest",
        "Tom Ambrose (now) and Jakub Krupa (earlier)",
        "en",
    ),
    # a link to another story as a paragraph with a bullet typed before it
    ("guardian.xml", None, 2): (
        "Residents trapped with service charges of up to £8,000 a year to take legal action",
        "Owners of homes marketed by housing associations as ‘affordable’ are planning a"
        " challenge as service costs spiral\n\nResidents trapped in properties marketed as"
        " “affordable” are planning legal action against the government after being hit with"
        " service charges of up to £8,000 a year.",
        "2026-11-27T11:43:41Z",
        "https://www.theguardian.com/society/2026/nov/27/shared-ownership-service-charges-legal-action",
        "Rupert Jones",
        "en",
    ),
    # the standfirst alone, a link in it (kept), then the bulleted link and "Continue reading..."
    ("guardian.xml", None, 3): (
        "Women’s transfer window – all deals from Europe’s top five leagues",
        "Latest deals and club-by-club guides for the WSL and leagues in Italy, France, Germany"
        " and Spain",
        "2026-11-27T11:13:02Z",
        "https://www.theguardian.com/football/ng-interactive/2026/nov/27/transfer-window-deals-women-europe",
        "Guardian sport",
        "en",
    ),
    # links inside the prose, one opening a paragraph: text
    ("guardian.xml", None, 4): (
        "‘A bigger victory for Putin than any battle’: Moscow gleeful after Oval Office clash",
        "Putin stays silent but Russian politicians and media outlets crow with delight after"
        " the ambush of Ukraine’s leader\n\nRussian officials and Moscow’s media outlets reacted"
        " with predictable glee to the dramatic clash between Volodymyr Zelenskyy and Donald"
        " Trump at the White House on Friday.\n\nDmitry Medvedev, Putin’s deputy on the"
        " security council, called the exchange “a brutal dressing-down”.",
        "2026-11-27T10:48:23Z",
        "https://www.theguardian.com/world/2026/nov/27/russia-reaction-oval-office-clash",
        "Pjotr Sauer",
        "en",
    ),
    # media:title type="html" inside media:content is a photo's, not the entry's title
    ("independent.xml", None, 0): (
        "Ukraine and Russia to resume prisoner swap talks in Istanbul",
        "Negotiators will meet next week, officials say",
        "2026-11-27T15:33:21Z",
        "https://www.independent.co.uk/news/world/europe/ukraine-russia-prisoner-swap-istanbul-b2871234.html",
        "Tom Watling",
        "en",
    ),
    # http links; a photo's media:description beside the text
    ("skynews.xml", None, 0): (
        "Ukraine and Russia to resume prisoner exchange talks",
        "Negotiators from Kyiv and Moscow will meet in Istanbul next week, officials on both sides say.",
        "2026-11-27T15:12:00Z",
        "http://news.sky.com/story/ukraine-and-russia-to-resume-prisoner-exchange-talks-13245678",
        None,
        "en",
    ),
    ("france24.xml", None, 0): (
        "Ukraine, Russia to resume prisoner exchange talks in Istanbul",
        "Ukraine and Russia will resume talks on a prisoner exchange next week in Istanbul, officials from both sides said on Friday.",
        "2026-11-27T15:02:41Z",
        "https://www.france24.com/en/europe/20261127-ukraine-russia-to-resume-prisoner-exchange-talks-in-istanbul",
        "FRANCE 24",
        "en",
    ),
    # RSS 1.0, ?maca= on every link, elements of DW's own namespace
    ("dw_rdf.xml", None, 0): (
        "Ukraine, Russia to resume prisoner talks",
        "Negotiators from Kyiv and Moscow are set to meet in Istanbul next week. It would be the first such talks in months.",
        "2026-11-27T15:04:00Z",
        "https://www.dw.com/en/ukraine-russia-to-resume-prisoner-talks/a-70912345",
        None,
        "en",
    ),
    ("rfi.xml", None, 0): (
        "Guerre en Ukraine: Kiev et Moscou vont reprendre les négociations sur les prisonniers",
        "Les négociateurs ukrainiens et russes se retrouveront la semaine prochaine à Istanbul pour discuter d’un nouvel échange de prisonniers, ont annoncé vendredi les deux camps.",
        "2026-11-27T15:00:26Z",
        "https://www.rfi.fr/fr/europe/20261127-guerre-en-ukraine-kiev-et-moscou-vont-reprendre-les-n%C3%A9gociations-sur-les-prisonniers",
        "RFI",
        "fr",
    ),
    ("euronews.xml", None, 0): (
        "Ukraine and Russia to resume prisoner exchange talks",
        "Negotiators from Kyiv and Moscow will meet in Istanbul next week, officials on both sides said on Friday.",
        "2026-11-27T15:10:22Z",
        "https://www.euronews.com/2026/11/27/ukraine-and-russia-to-resume-prisoner-exchange-talks",
        "Euronews with AP",
        "en",
    ),
    ("scmp.xml", None, 0): (
        "China’s exports beat forecasts as Southeast Asia orders surge",
        "Shipments rose 6.1 per cent from a year earlier in October, customs data showed, beating economists’ expectations.",
        "2026-11-27T15:00:12Z",
        "https://www.scmp.com/economy/china-economy/article/3334567/chinas-exports-beat-forecasts-southeast-asia-orders-surge",
        "Ji Siqi",
        "en",
    ),
    # Drupal: xml:base on <rss>, a guid that is no URL ("8012345 at https://…")
    ("straitstimes.xml", None, 0): (
        "Ukraine, Russia agree to resume prisoner exchange talks in Istanbul",
        "Negotiators will meet in Istanbul next week, officials on both sides said.",
        "2026-11-27T15:14:09Z",
        "https://www.straitstimes.com/world/europe/ukraine-russia-agree-to-resume-prisoner-exchange-talks-in-istanbul",
        "Olivia Ho",
        "en",
    ),
    # media:group with a caption, the day after in Sydney
    ("abc_au.xml", None, 0): (
        "Bushfire emergency warning issued for Blue Mountains towns",
        "Residents of several Blue Mountains towns are told it is too late to leave as a fast-moving bushfire burns towards homes.",
        "2026-11-27T23:15:02Z",
        "https://www.abc.net.au/news/2026-11-28/nsw-blue-mountains-bushfire-emergency-warning/106012345",
        "Jane Smith and Tom Lowrey",
        "en",
    ),
    # an image before the text in a CDATA description, EST, ?cmp=rss
    ("cbc.xml", None, 0): (
        "Ukraine, Russia to resume prisoner swap talks next week",
        "Negotiators from Kyiv and Moscow will meet in Istanbul next week to discuss a new prisoner exchange, officials on both sides said Friday.",
        "2026-11-27T15:15:00Z",
        "https://www.cbc.ca/news/world/ukraine-russia-prisoner-talks-1.7412345",
        "The Associated Press",
        "en",
    ),
    # RSS 0.91 in ISO-8859-1, a pubDate without its weekday
    ("folha.xml", None, 0): (
        "Rússia e Ucrânia vão retomar negociações sobre troca de prisioneiros",
        "Negociadores de Kiev e Moscou vão se reunir em Istambul na próxima semana para discutir uma nova troca de prisioneiros, segundo autoridades dos dois países.",
        "2026-11-27T15:15:00Z",
        "https://www1.folha.uol.com.br/mundo/2026/11/russia-e-ucrania-vao-retomar-negociacoes-sobre-troca-de-prisioneiros.shtml",
        None,
        "pt",
    ),
    ("clarin.xml", None, 0): (
        "Rusia y Ucrania reanudarán las negociaciones para el intercambio de prisioneros",
        "Los negociadores de Kiev y Moscú se reunirán la semana próxima en Estambul para discutir un nuevo intercambio de prisioneros, según informaron este viernes fuentes de ambos gobiernos.\n\nLas conversaciones serían las primeras en meses.",
        "2026-11-27T15:30:00Z",
        "https://www.clarin.com/mundo/rusia-ucrania-reanudaran-negociaciones-intercambio-prisioneros_0_aBcDeFgH1.html",
        "Redacción Clarín",
        "es",
    ),
    # RSS 1.0, headline only, ?ref=rss, a full-width space in the title
    ("asahi_rdf.xml", None, 0): (
        "ウクライナとロシア、捕虜交換協議を再開へ 来週イスタンブールで",
        "",
        "2026-11-27T14:45:12Z",
        "http://www.asahi.com/articles/ASTCW1ABCTCWUTFK00AM.html",
        None,
        "ja",
    ),
    # link, guid and pubDate in CDATA
    ("thehindu.xml", None, 0): (
        "Ukraine, Russia to resume prisoner exchange talks in Istanbul next week",
        "Negotiators from Kyiv and Moscow will meet in Istanbul next week, officials said on Friday",
        "2026-11-27T15:15:12Z",
        "https://www.thehindu.com/news/international/ukraine-russia-to-resume-prisoner-exchange-talks-in-istanbul-next-week/article70312345.ece",
        "Reuters",
        "en",
    ),
    ("hindustantimes.xml", None, 0): (
        "Ukraine, Russia to resume prisoner swap talks next week in Istanbul",
        "Negotiators from Kyiv and Moscow will meet in Istanbul next week, officials said.",
        "2026-11-27T15:32:11Z",
        "https://www.hindustantimes.com/world-news/ukraine-russia-to-resume-prisoner-swap-talks-next-week-in-istanbul-101764254321234.html",
        None,
        "en",
    ),
    # Drupal's field wrappers, escaped, around the body
    ("arabnews.xml", None, 0): (
        "Saudi Arabia hosts Gulf summit on regional security",
        "Leaders discuss maritime security and Gaza reconstruction\n\nRIYADH: Gulf leaders met in Riyadh on Friday to discuss regional security, the Saudi Press Agency reported.",
        "2026-11-27T15:06:10Z",
        "https://www.arabnews.com/node/2612345/middle-east",
        "Arab News",
        "en",
    ),
    ("arabnews_ar.xml", None, 0): (
        "السعودية تستضيف قمة خليجية حول الأمن الإقليمي",
        "الرياض: اجتمع قادة دول الخليج في الرياض يوم الجمعة لبحث الأمن الإقليمي، وفقا لوكالة الأنباء السعودية.",
        "2026-11-27T15:10:00Z",
        "https://www.arabnews.com/ar/node/612345",
        "عرب نيوز",
        "ar",
    ),
    ("haaretz.xml", None, 0): (
        "Netanyahu's coalition faces crunch vote on draft bill",
        "The Knesset is set to vote on the contested military draft bill next week, as ultra-Orthodox parties threaten to quit the government",
        "2026-11-27T15:22:04Z",
        "https://www.haaretz.com/israel-news/2026-11-27/ty-article/.premium/0000019a-1234-d5e6-a7f8-9b0c1d2e3f45",
        "Jonathan Lis",
        "en",
    ),
    # WordPress: &#160; and &#8230; in CDATA, a guid with &#038;, a photo's media:title
    ("timesofisrael.xml", None, 0): (
        "IDF says it struck Hezbollah weapons depot in southern Lebanon",
        "The Israel Defense Forces says it struck a Hezbollah weapons depot in southern Lebanon overnight. The military says the depot was used to store rockets…",
        "2026-11-27T17:35:12Z",
        "https://www.timesofisrael.com/liveblog_entry/idf-says-it-struck-hezbollah-weapons-depot-in-southern-lebanon/",
        "Emanuel Fabian",
        "en",
    ),
    # no-break spaces after short words, as Meduza sets Russian
    ("meduza.xml", None, 0): (
        "Россия и Украина возобновят переговоры об обмене пленными. Встреча пройдет в Стамбуле",
        "Переговорщики России и Украины встретятся на следующей неделе в Стамбуле, чтобы обсудить новый обмен пленными. Об этом сообщили представители обеих сторон.",
        "2026-11-27T15:05:02Z",
        "https://meduza.io/news/2026/11/27/rossiya-i-ukraina-vozobnovyat-peregovory-ob-obmene-plennymi",
        None,
        "ru",
    ),
    # Ghost's RSS: image, bookmark and sign-up cards in content:encoded
    ("kyivindependent.xml", None, 0): (
        "Ukraine, Russia to resume prisoner exchange talks in Istanbul, Zelensky says",
        'Ukraine and Russia will resume talks on a prisoner exchange in Istanbul next week, President Volodymyr Zelensky said on Nov. 27.\n\n"Our goal is to bring everyone home," Zelensky said.',
        "2026-11-27T14:47:11Z",
        "https://kyivindependent.com/ukraine-russia-to-resume-prisoner-exchange-talks/",
        "Kateryna Denisova",
        "en",
    ),
    # WordPress.com: share and like widgets, "The post … appeared first on …", a gravatar
    ("wordpresscom.xml", None, 0): (
        "City council approves $4.2M budget for new library",
        "The Riverside City Council voted 5-2 on Thursday to approve a $4.2 million budget for a new public library on Main Street.\n\nConstruction is expected to begin in spring, Mayor Tom Harris said.",
        "2026-11-27T14:20:31Z",
        "https://riversidegazette.com/2026/11/27/city-council-approves-budget-for-new-library/",
        "Maria Gonzalez",
        "en",
    ),
    # Substack's image container, subscribe widget and share button
    ("substack.xml", None, 0): (
        "What the prisoner talks tell us",
        "Prisoner exchanges have been the one channel between Kyiv and Moscow that kept working.\n\nThe next round is set for Istanbul.\n\nBoth sides need the exchanges more than they admit.",
        "2026-11-27T12:01:33Z",
        "https://easternfront.substack.com/p/what-the-prisoner-talks-tell-us",
        "Anna Kowalska",
        "en",
    ),
    # a code card (kept) and a call-to-action card (not)
    ("ghost_atom.xml", None, 0): (
        "Migrating from Postgres 14 to 17 without downtime",
        "We moved our main database from Postgres 14 to 17 last week with logical replication.\n\nCREATE PUBLICATION upgrade FOR ALL TABLES;\n\nSequences are not replicated, so we copied them at the switch.",
        "2026-11-27T09:30:00Z",
        "https://fieldnotes.blog/postgres-upgrade/",
        "Jonas Berg",
        "en",
    ),
    # the title again as a heading, Medium's beacon and footer, ?source=rss-…
    ("medium.xml", None, 0): (
        "Why our Kafka consumers fell behind every Monday",
        "Every Monday at 9am our consumer lag climbed for two hours.\n\nThe cause was a weekly compaction job competing for disk.",
        "2026-11-27T10:31:11Z",
        "https://medium.com/@priyanatarajan/why-our-kafka-consumers-fell-behind-every-monday-4c3b2a1f0e9d",
        "Priya Natarajan",
        "en",
    ),
    # Google's redirect id carries the outlet's URL; " - Reuters" is the <source>
    ("googlenews.xml", None, 0): (
        "Ukraine and Russia agree to resume prisoner exchange talks",
        "Ukraine and Russia agree to resume prisoner exchange talks",
        "2026-11-27T15:20:00Z",
        "https://www.reuters.com/world/europe/ukraine-russia-resume-prisoner-talks-2026-11-27/",
        None,
        "en",
    ),
    # a cluster: its headlines are the text (an opaque id among them)
    ("googlenews.xml", None, 1): (
        "Kyiv, Moscow to meet in Istanbul on prisoner swap",
        "Kyiv, Moscow to meet in Istanbul on prisoner swap\nUkraine and Russia agree to resume prisoner exchange talks\nPrisoner talks to resume, Zelensky says",
        "2026-11-27T14:55:00Z",
        "https://apnews.com/article/ukraine-russia-prisoner-exchange-istanbul-abc123",
        None,
        "en",
    ),
    # Google Alerts (Atom): google.com/url?…&url= links, <b> around the matched words
    ("googlealerts.xml", None, 0): (
        "Ukraine and Russia agree to resume prisoner exchange talks",
        "Ukraine and Russia have agreed to resume talks on exchanging prisoners of war, with"
        " negotiators due to meet in Istanbul next ...",
        "2026-11-27T15:31:12Z",
        "https://www.reuters.com/world/europe/ukraine-russia-resume-prisoner-talks-2026-11-27/",
        None,
        "en",
    ),
    # jekyll-feed: a post's own language (its front matter's lang) as xml:lang on its entry;
    # a photo under a short headline, too little text to detect, is in the entry's language
    ("jekyll_multilingual.xml", None, 0): (
        "Lyon sous la neige",
        "",
        "2026-11-27T17:05:00Z",
        "https://carnets.example/2026/11/27/lyon-sous-la-neige.html",
        "Claire Martin",
        "fr",
    ),
    ("jekyll_multilingual.xml", None, 1): (
        "Snow in Lyon",
        "The first snow of the winter fell on Lyon this afternoon, closing the funicular to"
        " Fourvière for an hour.",
        "2026-11-27T16:40:00Z",
        "https://carnets.example/2026/11/27/snow-in-lyon.html",
        "Claire Martin",
        "en",
    ),
    # an English post its front matter says is French: what detection reads wins
    ("jekyll_multilingual.xml", None, 2): (
        "Notes on the Fourvière funicular",
        "The funicular climbs the hill in under three minutes, and the trains are older than"
        " most of the passengers.",
        "2026-11-26T08:15:00Z",
        "https://carnets.example/2026/11/26/funicular.html",
        "Claire Martin",
        "en",
    ),
    # Hugo's JSON Feed template: a page without a date in its front matter is dated Go's zero
    # time; git's date of its last change is date_modified, as RSS's updated is beside pubDate
    ("hugo_json.json", None, 0): (
        "How we test our backups",
        "Every Friday a job restores last night's backup into a scratch database and runs the"
        " test suite against it.",
        "2026-11-26T17:04:12Z",
        "https://fieldnotes.example/notes/backups/",
        "Jonas Berg",
        "en",
    ),
    # Bing's click counter carries the outlet's URL in ?url=
    ("bingnews.xml", None, 0): (
        "Ukraine and Russia agree to resume prisoner exchange talks",
        "Ukraine and Russia have agreed to resume talks on exchanging prisoners of war, with negotiators due to meet in Istanbul next week, officials on both sides said on Friday.",
        "2026-11-27T15:20:00Z",
        "https://www.reuters.com/world/europe/ukraine-russia-resume-prisoner-talks-2026-11-27/",
        None,
        "en",
    ),
    # Legacy encodings read as browsers read their names (WHATWG Encoding Standard), not as
    # Python's codec of that name: Shift_JIS with cp932's NEC/IBM characters (①, ㈱, 髙, Ⅱ;
    # QuiteRSS#383, rss.rssad.jp's Vector feed), the wave dash 〜 still Shift_JIS's
    ("vector_sjis.xml", None, 0): (
        "①髙橋氏の新作 ㈱ベクター〜年末特集",
        "髙橋氏による新作ソフトを紹介します。Ⅱ期の連載は１０時〜１２時に更新。",
        "2026-11-27T06:04:00Z",
        "https://www.vector.co.jp/magazine/softnews/261127/n2611271.html",
        None,
        "ja",
    ),
    # Big5 with Hong Kong's HKSCS characters (啱, 嘅), as Hong Kong's outlets write Cantonese
    ("oncc_big5.xml", None, 0): (
        "政府宣布巴士冇加價 市民話啱晒",
        "運輸署今日宣布，巴士明年冇加價，有市民話係啱嘅決定。",
        "2026-11-27T07:04:00Z",
        "https://hk.on.cc/hk/bkn/cnt/news/20261127/bkn-20261127150400123-1127_00822_001.html",
        None,
        "zh",
    ),
    # EUC-KR with a syllable only Unified Hangul Code (cp949) has, in a name
    ("kr_euckr.xml", None, 0): (
        "배우 김똠이 씨, 올해의 신인상 수상",
        "배우 김똠이 씨가 27일 서울에서 열린 시상식에서 신인상을 받았다.",
        "2026-11-27T06:04:00Z",
        "https://www.example-ilbo.co.kr/news/articleView.html?idxno=301127",
        None,
        "ko",
    ),
    # ISO-8859-8-I: HTML's name for logical-order Hebrew, which Python does not know
    ("he_iso88598i.xml", None, 0): (
        "הכנסת אישרה את התקציב בקריאה ראשונה",
        "הכנסת אישרה הלילה את תקציב המדינה בקריאה ראשונה, ברוב של 61 חברי כנסת.",
        "2026-11-27T13:04:00Z",
        "https://www.example.co.il/news/article/301127",
        None,
        "he",
    ),
}


@pytest.mark.parametrize(("fixture", "timezone", "index"), list(OUTLETS), ids=str)
def test_what_consumers_get_from_each_outlets_feed(
    fixture: str, timezone: str | None, index: int
) -> None:
    article = _articles(fixture, timezone=timezone)[index]
    got = (article.title, article.text, iso(article.published), article.url, article.author,
           article.language)  # fmt: skip
    assert got == OUTLETS[fixture, timezone, index]


def test_every_fixture_is_checked() -> None:
    """A fixture added without expectations would only prove that it parses."""
    assert {name for name, _, _ in OUTLETS} | {"atom_xml_base.xml"} == {
        path.name for path in FEEDS.iterdir() if path.suffix in (".xml", ".json")
    }
