"""A link's slug is a second headline: its words that the title and text lack are features."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from storywire.stories import Doc, MemoryStoryStore, StoryEngine
from storywire.stories.features import slug_words

T0 = datetime(2013, 7, 22, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("url", "slug"),
    [
        # dates and ids are digits and go; the section names have fewer than three words
        (
            "https://www.itv.com/news/westcountry/story/2013-07-21/wellington-supermarket-fire/",
            "wellington supermarket fire",
        ),
        (
            "https://www.dw.com/en/russian-drone-attack-on-kharkiv-kills-2-injures-dozens/"
            "a-74929561?maca=en-rss",
            "russian drone attack on kharkiv kills injures dozens",
        ),
        ("http://edition.cnn.com/2011/CRIME/08/09/texas.polygamist.jeffs/index.html", "texas polygamist jeffs"),
        ("http://wiki.answers.com/Q/Is_Vincent_'The_Chin'_Gigante_still_in_prison", "is vincent the chin gigante still in prison"),
        ("https://www.npr.org/2026/11/25/nx-s1-5651207/ukraine-kharkiv-russian-drone-attack", "ukraine kharkiv russian drone attack"),
        ("https://www.example.com/pl/%C5%BC%C3%B3%C5%82ta-%C5%82%C3%B3d%C5%BA-na-rzece", "żółta łódź na rzece"),
        ("https://www.bbc.co.uk/news/world-europe", ""),
        # an encoded id whose pieces happen to be letters
        ("https://news.google.com/rss/articles/CBMi-abcDEF_xyzQW-Hello-Wrld?oc=5", ""),
        ("https://apnews.com/article/3f5e0c9d2b7a4e1f9c8d7b6a5e4f3c2d", ""),
        ("https://www.reuters.com/", ""),
        # urllib cannot split it: no slug, and no error that would fail the document's batch
        ("http://[::1/wellington-supermarket-fire", ""),
    ],
)  # fmt: skip
def test_slug_words(url: str, slug: str) -> None:
    assert slug_words(url) == slug


def _terms(doc: Doc) -> dict[str, float]:
    return StoryEngine(MemoryStoryStore()).features(doc).terms


def test_slug_words_the_title_lacks_are_headline_features() -> None:
    url = "https://www.example.com/news/2013/07/21/wellington-supermarket-fire/"
    plain = _terms(Doc("a", "9: 53 AM, MON 22 JUL 2013", "", T0))
    linked = _terms(Doc("a", "9: 53 AM, MON 22 JUL 2013", "", T0, None, url))
    assert set(linked) - set(plain) == {"wellington", "supermarket", "fire"}


def test_a_slug_leaves_the_titles_names_and_weights_as_they_were() -> None:
    title = "Fire destroys Wellington supermarket"
    url = "https://www.example.com/news/wellington-supermarket-fire-arson-suspected"
    engine = StoryEngine(MemoryStoryStore())
    plain = engine.features(Doc("a", title, "", T0))
    linked = engine.features(Doc("a", title, "", T0, None, url))
    assert "wellington" in plain.entities
    assert "wellington" in linked.entities
    assert {t: w for t, w in linked.terms.items() if t in plain.terms} == plain.terms
    assert set(linked.terms) - set(plain.terms) == {"arson", "suspected"}
    assert linked.sketch == plain.sketch  # the copy level reads the text alone


def test_a_headline_with_other_words_joins_its_story_by_its_link() -> None:
    """The slug names the shop and the place the headline leaves out. Without the link the
    two reports share one word, and their main names differ ("Supermarket", the capitalised
    opener, is taken for one): a name conflict. With it the story's main name, Waitrose, is
    in the document, if only in lowercase, so there is no conflict."""
    first = Doc("a", "Major fire at Waitrose supermarket in Wellington", "", T0, "itv.com")
    link = "https://www.bbc.co.uk/news/2013/07/22/wellington-waitrose-supermarket-fire-somerset"
    for url, joins in ((link, True), (None, False)):
        engine = StoryEngine(MemoryStoryStore())
        story = engine.assign(first).story_id
        second = engine.assign(
            Doc("b", "Supermarket blaze: arson arrest", "", T0, "bbc.co.uk", url)
        )
        assert (second.story_id == story) is joins
