"""Titles as one clean line, and leads made of whole sentences."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storywire.clean import clean_title, lead


@pytest.mark.parametrize(
    ("title", "outlet", "expected"),
    [
        (
            "Flash floods hit northern Italy - BBC News",
            "BBC News",
            "Flash floods hit northern Italy",
        ),
        ("Flash floods hit northern Italy - BBC News", "BBC", "Flash floods hit northern Italy"),
        ("Fed holds rates steady | Reuters", "Reuters", "Fed holds rates steady"),
        ("Sunak calls election – The Guardian", "The Guardian", "Sunak calls election"),
        ("Sunak calls election | Guardian", "The Guardian", "Sunak calls election"),
        ("Fed holds rates steady | Reuters", None, "Fed holds rates steady | Reuters"),
        ("Reuters", "Reuters", "Reuters"),
        ("Tom &amp; Jerry return &#8211; in 4K", None, "Tom & Jerry return – in 4K"),
        ("AT&amp;amp;T earnings beat estimates", None, "AT&T earnings beat estimates"),
        ("<b>Live:</b> <em>Election</em> results", None, "Live: Election results"),
        ("Macronâ€™s gamble: CafÃ© owners react", None, "Macron’s gamble: Café owners react"),
        # UTF-8's no-break space read as cp1252: "Â" and the no-break space ftfy needs.
        ("Fares rise 10Â\u00a0per cent", None, "Fares rise 10 per cent"),
        ("Rendez-vous Ã\u00a0 10h", None, "Rendez-vous à 10h"),
        ("  Spaces\u00a0and\nnewlines\u200b everywhere ", None, "Spaces and newlines everywhere"),
        ("<![CDATA[Storm Ciarán batters coast]]>", None, "Storm Ciarán batters coast"),
        ('"Quoted" and “curly” quotes', None, '"Quoted" and “curly” quotes'),
        ("Markets rally - BBC News - BBC News", "BBC News", "Markets rally"),
        ("Linux 7.0 released :: Slashdot", "Slashdot", "Linux 7.0 released"),
        ("Linux 7.0 released -- LWN", "LWN", "Linux 7.0 released"),
        # Chinese and Japanese outlets set the separator without spaces.
        ("国务院召开常务会议：人民网", "人民网", "国务院召开常务会议"),
        ("国务院召开常务会议-人民网", "人民网", "国务院召开常务会议"),
        ("习近平会见美国总统_新华网", "新华网", "习近平会见美国总统"),
        ("习近平会见美国总统——新华网", "新华网", "习近平会见美国总统"),
        ("日銀、利上げを決定｜日本経済新聞", "日本経済新聞", "日銀、利上げを決定"),
        ("日銀、利上げを決定 | NHKニュース", "NHKニュース", "日銀、利上げを決定"),
        ("Stocks fall：新华网", "新华网", "Stocks fall"),
        # Glued to a Latin word, a hyphen is the word's: "Coca-Cola" is no "Coca" of "Cola".
        ("Shares of Coca-Cola", "Cola", "Shares of Coca-Cola"),
        ("访问人民网", "人民网", "访问人民网"),
        ("人民网", "人民网", "人民网"),
        # RTL sites set direction marks around separator and name: spacing, not words.
        ("الرئيس يتحدث عن الحكومة | الجزيرة نت\u200f", "الجزيرة نت", "الرئيس يتحدث عن الحكومة"),
        ("ראש הממשלה נאם \u200e- ynet\u200e", "ynet", "ראש הממשלה נאם"),
        ("\u200fשלום\u200f", "ynet", "\u200fשלום\u200f"),
        # A plain-text title hard-wrapped between CJK characters joins as HTML's does.
        ("国务院召开\n常务会议", None, "国务院召开常务会议"),
        ("東京都は\n    感染者を確認", None, "東京都は感染者を確認"),
        ("中国\nApple 发布", None, "中国 Apple 发布"),
        # Wire housekeeping tags (Reuters' agency feed), whoever carries the item.
        ("UPDATE 2-Oil prices rise on supply fears", None, "Oil prices rise on supply fears"),
        ("REFILE-UPDATE 1-Fed holds rates", "Reuters", "Fed holds rates"),
        ("CORRECTED-Chile quake toll rises", None, "Chile quake toll rises"),
        ("RPT-WRAPUP 3-Talks resume in Doha", None, "Talks resume in Doha"),
        # Yonhap's: which version of the story this is ("(URGENT)", then "(LEAD)", "(2nd LD)").
        (
            "(LEAD) S. Korea, U.S. to hold defense talks",
            "Yonhap News Agency",
            "S. Korea, U.S. to hold defense talks",
        ),
        ("(2nd LEAD) N. Korea fires missile", None, "N. Korea fires missile"),
        ("(URGENT) N. Korea fires missile", None, "N. Korea fires missile"),
        ("(3rd LD) Talks end", None, "Talks end"),
        ("(LEAD) (URGENT) Quake hits", None, "Quake hits"),
        ("(News Focus) Seoul weighs options", None, "(News Focus) Seoul weighs options"),
        ("(Lead) actor wins award", None, "(Lead) actor wins award"),
        ("(LEAD)", None, "(LEAD)"),
        # Genre tags say what the piece is: kept. So is a title that is only a tag.
        ("EXCLUSIVE-Bank weighs sale", None, "EXCLUSIVE-Bank weighs sale"),
        ("UPDATE 2-", None, "UPDATE 2-"),
        ("Update 2-year-old rescued", None, "Update 2-year-old rescued"),
        ("UPDATE - storm nears coast", None, "UPDATE - storm nears coast"),
    ],
)
def test_clean_title(title: str, outlet: str | None, expected: str) -> None:
    """Markup, entities, mojibake and (when the outlet is known) the site name go."""
    assert clean_title(title, outlet=outlet) == expected


def test_site_name_only_stripped_at_the_end() -> None:
    """An outlet name inside the headline is part of the story, not a suffix."""
    assert clean_title("Reuters - Reuters journalist freed", outlet="Reuters") == (
        "Reuters - Reuters journalist freed"
    )


TEXT = (
    "Mr. Smith met the U.S. ambassador on Tuesday. Talks lasted three hours! "
    "Both sides called them “productive.” A further meeting is planned for June."
)


def test_lead_takes_whole_sentences() -> None:
    """The lead stops at the last sentence that fits and never splits one."""
    assert (
        lead(TEXT, 80) == "Mr. Smith met the U.S. ambassador on Tuesday. Talks lasted three hours!"
    )
    assert lead(TEXT, 300) == TEXT


def test_lead_cuts_a_long_first_sentence_at_a_word() -> None:
    """A first sentence longer than the budget is cut at a word and marked with an ellipsis."""
    out = lead("The committee, which met for the first time since the spring, agreed.", 30)
    assert out == "The committee, which met for…"
    assert len(out) <= 30


def test_lead_treats_lines_as_boundaries_and_handles_cjk() -> None:
    """A heading line is its own sentence; CJK full stops end sentences without spaces."""
    assert lead("Key points\nPrices rose. Wages fell.", 20) == "Key points"
    assert lead("政府周二宣布提高利率。通胀已达十年高点。", 12) == "政府周二宣布提高利率。"


def test_lead_of_nothing_is_empty_and_budget_must_be_positive() -> None:
    """Empty text has an empty lead; a zero budget is a programming error."""
    assert lead("") == ""
    with pytest.raises(ValueError, match="max_chars"):
        lead("text", 0)


def test_lead_does_not_end_a_sentence_before_a_lowercase_word() -> None:
    """'“Is it over?” she asked.' is one sentence, whatever its end mark."""
    assert lead("“Is it over?” she asked. Police stayed.", 20) == "“Is it over?” she…"
    assert lead("Stop! he shouted. Nobody did.", 20) == "Stop! he shouted."


def test_lead_keeps_cjk_sentences_unspaced() -> None:
    """CJK sentences follow each other without a space: the lead adds none (nor counts one)."""
    text = "日本語の文章です。これは二番目の文です。"
    assert lead(text, 300) == text
    assert lead("一二。三四。", 6) == "一二。三四。"
    assert lead("中文句子。English follows. 再来。", 300) == "中文句子。English follows. 再来。"


def test_lead_joins_cjk_paragraphs_unspaced() -> None:
    """Paragraphs of Chinese or Japanese follow each other in the lead as their sentences do
    within one: the lead read "…常务会议。 会议指出…", a space the text never had. A line that
    ends on no full stop (a dateline, a heading) keeps its space, and so does Latin text."""
    text = "国务院总理李强主持召开常务会议。\n\n会议指出，要加快推进改革。\n\nApple 发布新品。"
    assert (
        lead(text) == "国务院总理李强主持召开常务会议。会议指出，要加快推进改革。 Apple 发布新品。"
    )
    assert (
        lead("東京都は発表した。\n「調査中だ」と述べた。")
        == "東京都は発表した。「調査中だ」と述べた。"
    )
    assert lead("新华社北京1月3日电\n\n会议召开。") == "新华社北京1月3日电 会议召开。"
    assert lead("中文句子。\n\nEnglish follows.") == "中文句子。 English follows."


def test_lead_cut_keeps_a_word_that_ends_at_the_budget() -> None:
    """A word that fits whole before the ellipsis is kept."""
    assert lead("Markets rallied strongly on Friday after the data", 16) == "Markets rallied…"


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("He scored 3. Then the crowd went wild.", "He scored 3."),
        ("The vote was 7-2. Critics said it was rushed.", "The vote was 7-2."),
        ("Growth was 3.5 percent. Then it slowed.", "Growth was 3.5 percent."),
        ("She is the No. 3 seed. She won in straight sets.", "She is the No. 3 seed."),
        ("It ran in Vol. 2 of the report. Few read it.", "It ran in Vol. 2 of the report."),
        ("The answer was no. Then he left.", "The answer was no."),
        ("Yields on U.S. 10-year notes rose. Stocks fell.", "Yields on U.S. 10-year notes rose."),
        ("J. K. Rowling spoke. Fans cheered.", "J. K. Rowling spoke."),
        ("He was 3. he said later.", "He was 3. he said later."),
        # German day ordinals before a month name: "am 3. Oktober" goes on
        ("Am 3. Oktober wurde gewählt. Die SPD siegte.", "Am 3. Oktober wurde gewählt."),
        (
            "Seit dem 15. März gilt das Gesetz. Kritiker klagen.",
            "Seit dem 15. März gilt das Gesetz.",
        ),
    ],
)
def test_lead_sentence_ends_after_a_number(text: str, first: str) -> None:
    """A full stop after a number ends a sentence before a capitalised word; decimals,
    "No. 3", abbreviations before numbers and initials do not end one."""
    assert lead(text, len(first) + 5) == first
    assert lead(text, len(first) - 1).endswith("\u2026")  # no shorter sentence in it


def test_a_line_without_a_full_stop_does_not_run_into_the_next_sentence() -> None:
    """The Guardian's standfirst, a bullet or a heading ends without a full stop: the lead read
    "…officials on both sides say Ukraine and Russia have agreed…", one sentence of two."""
    text = (
        "Negotiators to meet in Istanbul next week, officials on both sides say\n\n"
        "Ukraine and Russia have agreed to resume talks."
    )
    assert lead(text) == (
        "Negotiators to meet in Istanbul next week, officials on both sides say. "
        "Ukraine and Russia have agreed to resume talks."
    )
    assert lead("Key points\nPrices rose. Wages fell.") == "Key points. Prices rose. Wages fell."
    assert lead("He said:\nPrices rose.") == "He said: Prices rose."
    assert lead("A standfirst alone") == "A standfirst alone"
    assert (
        lead("政府周二宣布提高利率\n通胀已达十年高点。")
        == "政府周二宣布提高利率 通胀已达十年高点。"
    )


# User-perceived characters (grapheme clusters) of several code points each: a ZWJ family, a
# flag, a skin tone, a keycap, a Devanagari conjunct with its vowel sign, a base with a mark.
CLUSTERS = [
    "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466",
    "\U0001f1fa\U0001f1f8",
    "\U0001f1e9\U0001f1ea",
    "\U0001f44d\U0001f3fd",
    "1\ufe0f\u20e3",
    "\u0915\u094d\u0937\u093f",
    "\u0938\u094d\u0924\u0947",
    "\u0e01\u0e34",
    "q\u0301",
    "a",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(CLUSTERS), min_size=1, max_size=60), st.integers(2, 40))
def test_a_lead_cut_inside_a_word_never_splits_a_character(clusters: list[str], n: int) -> None:
    """A first "sentence" longer than the budget and without spaces (an emoji run, a long Thai
    or Devanagari word) was cut at a code point: half a ZWJ family ("👨‍" then "…"), one letter
    of a flag, a consonant without its vowel sign. It is cut between user-perceived
    characters."""
    out = lead("".join(clusters), n)
    assert len(out) <= n
    kept = out.removesuffix("\u2026")
    assert kept in itertools.accumulate(clusters, initial="")


def test_a_lead_cut_keeps_whole_emoji_and_conjuncts() -> None:
    """The cases the property found first, as a reader sees them."""
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"
    assert lead(family * 5, 10) == family + "\u2026"
    assert lead("\U0001f1fa\U0001f1f8\U0001f1e9\U0001f1ea\U0001f1eb\U0001f1f7", 4) == (
        "\U0001f1fa\U0001f1f8\u2026"
    )
    assert lead("क्षत्रियक्षत्रिय", 6) == "क्ष\u2026"


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("Er sagte: „Es ist vorbei.“ Dann ging er nach Hause.", "Er sagte: „Es ist vorbei.“"),
        ("Er sagte: »Es ist vorbei.« Dann ging er nach Hause.", "Er sagte: »Es ist vorbei.«"),
        ("Il a dit : « C’est fini. » Puis il est parti.", "Il a dit : « C’est fini. »"),
        ("Он сказал: «Всё кончено.» Потом он ушёл.", "Он сказал: «Всё кончено.»"),
        ("Han sa: »Det er over.» Så gikk han.", "Han sa: »Det er over.»"),
        ("He said: “It is over.” Then he left.", "He said: “It is over.”"),
        # An opening quote is the next sentence's: no space follows it.
        ("Er ging. »Nein«, sagte sie dann leise.", "Er ging."),
        ("Il est parti. « Non », dit-elle ensuite.", "Il est parti."),
    ],
)
def test_lead_sentence_ends_after_closing_quotes_of_every_language(text: str, first: str) -> None:
    """A quote's closing mark goes with its sentence as each language sets it: German's “ and «,
    French's » after a space. The lead ended 'Il a dit : « C’est fini.', the quote left open,
    and never ended a sentence inside German quotes."""
    assert lead(text, len(first) + 5) == first


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("هل انتهى الأمر؟ نعم انتهى تماما. ثم غادر القاعة.", "هل انتهى الأمر؟"),
        ("کیا یہ ختم ہو گیا ہے۔ ہاں، ختم ہو گیا۔", "کیا یہ ختم ہو گیا ہے۔"),
        ("यह एक महत्वपूर्ण कदम है। दूसरा वाक्य यहाँ है।", "यह एक महत्वपूर्ण कदम है।"),
        ("Ի՞նչ է սա։ Սա մեր նոր տունն է։", "Ի՞նչ է սա։"),
        ("ይህ ቤት ነው። ያ ደግሞ አዲስ መኪና ነው።", "ይህ ቤት ነው።"),
    ],
)
def test_lead_sentence_ends_at_the_full_stops_of_other_scripts(text: str, first: str) -> None:
    """Arabic's question mark, Urdu's full stop, the Devanagari danda and Armenian and Ethiopic
    full stops end sentences: the lead of an Arabic or Hindi article was its first sentences
    run together and cut mid-sentence with "…"."""
    assert lead(text, len(first) + 5) == first


@pytest.mark.parametrize(
    "note",
    [
        "Editor’s note: This story has been updated to include comment from the mayor’s office.",
        "EDITOR’S NOTE — This story is part of an occasional series on rural hospitals.",
        "Editors' Note: An earlier version of this article misidentified the councilman.",
        "Correction: An earlier version of this article misstated the vote count.",
        "Clarification: This article has been updated to say the plan was approved in May.",
        "Anmerkung der Redaktion: Dieser Text wurde am Dienstag aktualisiert.",
        "Note de la rédaction : cet article a été mis à jour mardi.",
        "Nota del editor: Este artículo fue actualizado el martes.",
    ],
)
def test_a_lead_skips_an_editors_note_before_the_story(note: str) -> None:
    """An editor's note or a correction set above the story (AP's "EDITOR’S NOTE —", a
    CMS's "Correction:") was the whole lead: a note about the article, not what it reports.
    The lead starts with the story; the note stays in the text, and is the lead when it is
    all there is."""
    story = "The council voted 7-2 to approve the plan. Work starts in May."
    assert lead(f"{note}\n\n{story}") == story
    assert lead(note).startswith(note.split(maxsplit=1)[0])
    # A note that is not first, or a sentence about a correction, is the text's.
    assert lead(f"{story}\n\n{note}", 60) == "The council voted 7-2 to approve the plan."
    said = "Correction officers said the prison was understaffed."
    assert lead(f"{said}\n\n{story}", 60) == said


@pytest.mark.parametrize(
    ("text", "first"),
    [
        # Xinhua, People's Daily: mainland Chinese quotes with “…”, the full stop inside.
        (
            "毛宁说：“对话谈判是解决危机的唯一出路。”她表示，中方愿发挥建设性作用。",
            "毛宁说：“对话谈判是解决危机的唯一出路。”",
        ),
        ("他问：“会议何时恢复？”发言人未作回应。", "他问：“会议何时恢复？”"),
        ("他说：“我们欢迎！”（完）", "他说：“我们欢迎！”"),
        # Single quotes inside double ones, and a bracket closed after the stop.
        ("他说：“我们的口号是‘和平发展。’”随后离开。", "他说：“我们的口号是‘和平发展。’”"),
        ("（新华社发。）会议召开。", "（新华社发。）"),
    ],
)
def test_lead_keeps_a_chinese_quote_closed_with_its_sentence(text: str, first: str) -> None:
    """A closing quote or bracket after a CJK full stop ends that sentence, as 」 did: the
    lead of a Xinhua article quoting an official ended inside the quote, “…出路。 left open,
    and its next sentence opened with the closing ”."""
    assert lead(text, len(first) + 2) == first
    assert lead(text, 300) == text


@pytest.mark.parametrize(
    ("text", "first"),
    [
        # Spanish: EFE's and El País's "EE. UU." (the United States), "la Sra. García"
        (
            "El presidente de EE. UU. Donald Trump anunció aranceles. China respondió.",
            "El presidente de EE. UU. Donald Trump anunció aranceles.",
        ),
        ("La Sra. García habló ayer. Luego se fue.", "La Sra. García habló ayer."),
        # German: amounts before their (capitalised) unit, "ca." and "Nr." before a number
        ("Das Projekt kostet 5 Mrd. Euro. Der Bund zahlt.", "Das Projekt kostet 5 Mrd. Euro."),
        ("Der Bau kostet 20 Mio. Euro. Er dauert.", "Der Bau kostet 20 Mio. Euro."),
        ("Es kamen ca. 300 Menschen. Die Polizei war da.", "Es kamen ca. 300 Menschen."),
        ("Sie ist die Nr. 1 der Welt. Sie gewann.", "Sie ist die Nr. 1 der Welt."),
        # French: "av. J.-C."; Russian: "им." (named after), "ул." (street)
        (
            "Rome fut fondée en 753 av. J.-C. selon la légende. Fin.",
            "Rome fut fondée en 753 av. J.-C. selon la légende.",
        ),
        ("Он учился в МГУ им. Ломоносова. Потом уехал.", "Он учился в МГУ им. Ломоносова."),
        ("Пожар на ул. Тверской потушен. Никто не пострадал.", "Пожар на ул. Тверской потушен."),
        # Italian: "il Sig. Rossi", "il Dott. Bianchi"
        ("Il Sig. Rossi è arrivato. Poi è partito.", "Il Sig. Rossi è arrivato."),
        ("Il Dott. Bianchi ha parlato. Fine.", "Il Dott. Bianchi ha parlato."),
    ],
)
def test_lead_does_not_end_a_sentence_after_other_languages_abbreviations(
    text: str, first: str
) -> None:
    """Only English abbreviations were known: the lead of a Spanish article could end "El
    presidente de EE.", a German one "Das Projekt kostet 5 Mrd." (Euro left for the next
    sentence), a Russian one "Он учился в МГУ им."; a shorter budget now cuts the first
    sentence with "…" rather than take its start for a sentence."""
    assert lead(text, len(first) + 3) == first
    assert lead(text, len(first) - 1).endswith("\u2026")
