"""Boilerplate lines of outlets in other languages than English: "read also" lines, photo
credits and editor/agency lines go as their English forms do; sentences that use the same words
stay. Each case is an article as its feed gives it: the kept paragraphs, with the boilerplate
lines set between them."""

from __future__ import annotations

import re

import pytest

from storywire.clean import DEFAULT_RULES, html_to_text
from storywire.clean.rules import compiled, drops_line

TABLE = compiled(None)

# (language, paragraphs kept, boilerplate lines dropped)
CASES: list[tuple[str, list[str], list[str]]] = [
    (
        "de",
        [
            "Die Bundesregierung hat am Mittwoch einen Gesetzentwurf vorgelegt.",
            "Wer den Entwurf lesen will, findet ihn auch im Netz, sagte ein Sprecher.",
            "Lesen Sie auch den Kommentar unseres Korrespondenten, der die Lage anders sieht.",
        ],
        [
            "Lesen Sie auch: Atomkraft – ja oder nein?",
            "LESEN SIE AUCH",
            "Lesen Sie mehr zum Thema",
            "Siehe auch: Die Energiewende in Zahlen",
            "Das könnte Sie auch interessieren",
            "Foto: dpa",
            "Bild: Reuters",
            "Foto: picture alliance / dpa / Kay Nietfeld",
            "(dpa/AFP)",
            "Redaktion: Anna Schmidt",
        ],
    ),
    (
        "fr",
        [
            "Le gouvernement a présenté mercredi un projet de loi sur l'énergie.",
            "Les députés devront lire aussi le rapport de la Cour des comptes.",
            "Lire aussi le rapport complet permettrait de comprendre l'enjeu.",
        ],
        [
            "Lire aussi : Le nucléaire au cœur du débat",
            "À LIRE AUSSI",
            "Lisez aussi : Les prix vont augmenter",
            "Voir aussi | La carte des centrales",
            "Photo : AFP",
            "Crédit photo : Ludovic Marin / AFP",
            "(AFP)",
            "Rédaction : Jeanne Martin",
        ],
    ),
    (
        "es",
        [
            "El Gobierno aprobó el martes la reforma de la ley de vivienda.",
            "Los expertos recomiendan que se lea también la letra pequeña del contrato.",
        ],
        [
            "Lee también: La luz subirá en julio",
            "Lea también",
            "LEE TAMBIÉN: El debate nuclear",
            "Te puede interesar: Las claves de la reforma",
            "Noticias relacionadas",
            "Foto: EFE",
            "Fotografía: Juan Pérez / EFE",
            "Edición: María López",
            "Redacción: Carlos Ruiz",
            "(EFE)",
        ],
    ),
    (
        "pt",
        [
            "O governo anunciou nesta terça-feira um novo pacote de medidas.",
            "O ministro pediu que a população leia também as recomendações oficiais.",
        ],
        [
            "Leia também: Conta de luz vai subir",
            "LEIA TAMBÉM",
            "Veja também: O que muda com a reforma",
            "Confira também: As novas regras",
            "Foto: Agência Brasil",
            "Imagem: Reuters",
            "Edição: João Silva",
            "(Lusa)",
        ],
    ),
    (
        "it",
        [
            "Il governo ha approvato ieri il decreto sull'energia.",
            "Il ministro ha detto di leggere anche le note tecniche allegate.",
        ],
        [
            "Leggi anche: Il dibattito sul nucleare",
            "LEGGI ANCHE",
            "Potrebbe interessarti: Bollette, cosa cambia",
            "Articoli correlati",
            "Foto: ANSA",
            "Immagine: Reuters",
            "Redazione: Marco Bianchi",
            "A cura di Giulia Verdi",
            "(ANSA)",
        ],
    ),
    (
        "nl",
        [
            "Het kabinet heeft dinsdag een nieuw klimaatplan gepresenteerd.",
            "Wie het plan lees ook maar half begrijpt, ziet de gevolgen, zei de minister.",
        ],
        [
            "Lees ook: Klimaatplan kost miljarden",
            "LEES OOK",
            "Zie ook: De gevolgen voor de energierekening",
            "Foto: ANP",
            "Beeld: Reuters",
            "(ANP)",
            "Redactie: Pieter de Vries",
        ],
    ),
    (
        "pl",
        [
            "Rząd przyjął we wtorek projekt ustawy o energetyce.",
            "Minister zachęcał, by czytać także uzasadnienie projektu.",
        ],
        [
            "Czytaj także: Ceny prądu wzrosną od lipca",
            "CZYTAJ TEŻ",
            "Zobacz także: Co zmieni nowa ustawa",
            "Przeczytaj również: Opozycja krytykuje projekt",
            "Fot. PAP/Leszek Szymański",
            "Zdjęcie: Reuters",
            "(PAP)",
            "Redakcja: Anna Kowalska",
        ],
    ),
    (
        "ru",
        [
            "Правительство во вторник одобрило законопроект об энергетике.",
            "Эксперты советуют читайте также примечания к документу, заявил министр.",
        ],
        [
            "Читайте также: Цены на электричество вырастут",
            "ЧИТАЙТЕ ТАКЖЕ",
            "Смотрите также: Что изменит новый закон",
            "Фото: ТАСС",
            "Фото: Сергей Иванов / РИА Новости",
            "(ТАСС)",
            "Редактор: Анна Петрова",
        ],
    ),
    (
        "uk",
        [
            "Уряд у вівторок схвалив законопроєкт про енергетику.",
            "Міністр порадив читати також пояснювальну записку.",
        ],
        [
            "Читайте також: Ціни на електроенергію зростуть",
            "ЧИТАЙТЕ ТАКОЖ",
            "Дивіться також: Що змінить новий закон",
            "Фото: Укрінформ",
            "Редакція: Олена Коваль",
        ],
    ),
    (
        "sv",
        [
            "Regeringen presenterade på tisdagen ett nytt klimatpaket.",
            "Ministern bad alla att läs också bilagan, enligt TT.",
        ],
        [
            "Läs också: Elpriset stiger i sommar",
            "LÄS ÄVEN",
            "Läs mer: Så påverkas hushållen",
            "Foto: TT",
            "Bild: Reuters",
            "(TT)",
        ],
    ),
    (
        "no",
        [
            "Regjeringen la tirsdag fram en ny klimaplan.",
            "Statsministeren ba folk om å lese også vedleggene.",
        ],
        [
            "Les også: Strømprisen øker i sommer",
            "LES OGSÅ",
            "Se også: Slik rammes husholdningene",
            "Foto: NTB",
            "Bilde: Reuters",
            "(NTB)",
        ],
    ),
    (
        "da",
        [
            "Regeringen fremlagde tirsdag en ny klimaplan.",
            "Ministeren bad borgerne om at læse også bilagene.",
        ],
        [
            "Læs også: Elprisen stiger i sommer",
            "LÆS OGSÅ",
            "Læs mere: Sådan rammes husholdningerne",
            "Foto: Ritzau Scanpix",
            "Billede: Reuters",
            "(Ritzau)",
        ],
    ),
    (
        "fi",
        [
            "Hallitus esitteli tiistaina uuden ilmastopaketin.",
            "Ministeri kehotti kansalaisia lukemaan lue myös -liitteet huolella.",
        ],
        [
            "Lue myös: Sähkön hinta nousee kesällä",
            "LUE MYÖS",
            "Katso myös: Näin kotitaloudet kärsivät",
            "Kuva: Lehtikuva",
            "(STT)",
            "Toimittaja: Matti Virtanen",
        ],
    ),
    (
        "tr",
        [
            "Hükümet salı günü yeni enerji paketini açıkladı.",
            "Bakan, vatandaşların ayrıca okuyun uyarısını dikkate almasını istedi.",
        ],
        [
            "Ayrıca okuyun: Elektrik fiyatları artıyor",
            "AYRICA OKUYUN",
            "İlgili Haberler",
            "İLGİLİ HABER: Enerji zammı Meclis'te",
            "Fotoğraf: AA",
            "(AA)",
            "Editör: Ayşe Yılmaz",
        ],
    ),
    (
        "id",
        [
            "Pemerintah mengumumkan paket kebijakan energi baru pada Selasa.",
            "Menteri meminta warga baca juga aturan pelaksanaannya.",
        ],
        [
            "Baca juga: Harga listrik naik mulai Juli",
            "BACA JUGA",
            "Baca Juga : Dampak kebijakan bagi rumah tangga",
            "Simak juga: Kata ekonom soal paket energi",
            "Berita Terkait",
            "Foto: Antara",
            "(Antara)",
            "Editor: Budi Santoso",
            "Penyunting: Siti Rahma",
        ],
    ),
    (
        "ar",
        [
            "أعلنت الحكومة يوم الثلاثاء عن حزمة جديدة لدعم الطاقة.",
            "وقال الوزير إن على المواطنين أن يقرأوا أيضا التفاصيل الكاملة.",
        ],
        [
            "اقرأ أيضا: أسعار الكهرباء ترتفع في يوليو",
            "اقرأ أيضًا",
            "إقرأ أيضاً: تفاصيل الخطة الجديدة",
            "مواضيع ذات صلة",
            "صورة: رويترز",
            "(رويترز)",
            "تحرير: أحمد علي",
        ],
    ),
    (
        "ko",
        [
            "정부는 화요일 새로운 에너지 지원 대책을 발표했다.",
            "관련기사를 보면 전기요금이 7월부터 오른다.",
        ],
        [
            "관련기사",
            "▶ 관련기사: 전기요금 7월부터 인상",
            "[관련 기사] 에너지 대책의 핵심은",
            "또 읽기: 가계 부담 얼마나 늘어나나",
            "사진=연합뉴스",
            "사진: 로이터",
            "(연합뉴스)",
            "편집: 김민준",
        ],
    ),
    (
        "ja",
        [
            "政府は火曜日、新たなエネルギー支援策を発表した。",
            "関連記事によると、電気料金は7月から上がる。",
        ],
        [
            "関連記事",
            "【関連記事】電気料金、7月から値上げ",
            "あわせて読みたい：家計への影響は",
            "写真：共同",
            "（写真＝ロイター）",
            "（共同）",
            "編集：佐藤花子",
        ],
    ),
    (
        "zh",
        [
            "政府周二宣布了新的能源支持措施。",
            "相关阅读材料显示，电价将从七月起上调。",
        ],
        [
            "相关阅读：电价七月起上调",
            "延伸阅读",
            "延伸閱讀：能源政策的重點",
            "相關新聞",
            "图片来源：新华社",
            "（新华社）",
            "责任编辑：王芳",
            "責任編輯：陳怡",
        ],
    ),
]


def _article(kept: list[str], dropped: list[str]) -> str:
    """The kept paragraphs with the boilerplate lines between and after them, each a paragraph
    of its own, some as a link after a bold label as CMSs write them."""
    paragraphs = []
    for index, text in enumerate(kept):
        paragraphs.append(f"<p>{text}</p>")
        paragraphs.extend(f"<p>{line}</p>" for line in dropped[index :: len(kept)])
    return "".join(paragraphs)


@pytest.mark.parametrize(("language", "kept", "dropped"), CASES, ids=[c[0] for c in CASES])
def test_boilerplate_lines_go_and_sentences_stay(
    language: str, kept: list[str], dropped: list[str]
) -> None:
    assert html_to_text(_article(kept, dropped)) == "\n\n".join(kept)


@pytest.mark.parametrize(("language", "kept", "dropped"), CASES, ids=[c[0] for c in CASES])
def test_each_line_alone(language: str, kept: list[str], dropped: list[str]) -> None:
    for line in dropped:
        assert drops_line(line, TABLE), line
    for line in kept:
        assert not drops_line(line, TABLE), line


@pytest.mark.parametrize(
    "html",
    [
        '<p><strong>Lesen Sie auch:</strong> <a href="https://www.spiegel.de/a">Atomkraft – ja'
        " oder nein?</a></p>",
        '<p><b>Czytaj także</b> <a href="https://wyborcza.pl/a">Ceny prądu wzrosną</a></p>',
        '<p>Читайте также: <a href="https://ria.ru/a">Цены на электричество вырастут</a></p>',
        '<p><strong>Baca juga:</strong> <a href="https://kompas.com/a">Harga listrik naik</a></p>',
        '<p>【関連記事】<a href="https://nikkei.com/a">電気料金、7月から値上げ</a></p>',
        '<p>▶ <a href="https://yna.co.kr/a">관련기사</a></p>',
        '<p><strong>اقرأ أيضا:</strong> <a href="https://aljazeera.net/a">أسعار الكهرباء</a></p>',
    ],
)
def test_a_label_and_its_linked_headline_go(html: str) -> None:
    assert html_to_text("<p>Der Bundestag stimmt im Juni ab.</p>" + html) == (
        "Der Bundestag stimmt im Juni ab."
    )


@pytest.mark.parametrize(
    "line",
    [
        # A sentence that starts with the words and ends as a sentence does.
        "Lesen Sie auch, was die Opposition dazu sagt.",
        "Czytaj także uzasadnienie, które rząd opublikował w poniedziałku.",
        "Читайте также комментарий министра, опубликованный вчера.",
        "関連記事は、政府の発表を詳しく伝えた。",
        # A subheading that starts with a heading's words: those go only alone or before a
        # separator ("Zum Thema: …", "Подробнее | …").
        "Zum Thema Energie äußerte sich niemand",
        "Подробнее о реформе",
        "Per approfondire il tema serve tempo",
        "Más información llegará el lunes",
        "Polecamy wszystkim cierpliwość",
        # A photo label that is a sentence.
        "Foto: Die Polizei hat ein Bild des Verdächtigen veröffentlicht. Es ist unscharf.",
        "Фото: что видно на снимке, не ясно?",
        # An editor label in an interview, asking.
        "Redaktion: Wie geht es weiter?",
        # "Edited by" in prose.
        "Edited by hand, the film took a year to finish.",
        # Agencies named in a sentence.
        "Die dpa und AFP berichteten übereinstimmend darüber.",
    ],
)
def test_lines_that_are_prose_stay(line: str) -> None:
    assert not drops_line(line, TABLE)
    assert html_to_text(f"<p>{line}</p>") == line


@pytest.mark.parametrize(
    "line",
    [
        "Zum Thema: Was die Regierung plant",
        "Mehr zum Thema",
        "Подробнее: Что изменит новый закон",
        "ПО ТЕМЕ",
        "Per approfondire | Le bollette",
        "Más información » Las claves de la reforma",
        "Relacionado – El debate nuclear",
        "Polecamy:",
    ],
)
def test_headings_go_alone_or_before_a_separator(line: str) -> None:
    assert drops_line(line, TABLE)


def test_edited_by_lines_go() -> None:
    for line in ("Edited by Jane Doe", "Edited by Jane Doe and Mark Roe", "Edited by Jane Doe."):
        assert drops_line(line, TABLE), line


LINE_RULES = [r for r in DEFAULT_RULES if r.kind == "drop_paragraph_matching"]

# (line, whether some rule's regex matches it): 100,000 characters built to make a backtracking
# regex try every split of a long run (repeated phrases, separators and names without an end).
_LONG = [
    ("Lesen Sie auch " * 7000, False),
    ("Foto: " + "dpa/" * 25000, False),
    ("Редакция: " + "а " * 50000, False),
    ("관련기사 " * 20000, False),
    ("相关阅读：" + "阅" * 100000, False),
    ("사진=" + "연합뉴스 " * 20000, False),
    ("Edited by " + "Jane Doe, " * 10000, False),
    ("Edited by " + "Jane Doe " * 10000 + ".", False),
    ("x" * 100000 + " (dpa)", False),
    # Agencies alone, and no letter at all: a rule matches (drops_line looks at no line this
    # long, so the text keeps it).
    ("(" + "dpa/AFP/" * 12500, True),
    ("（" + "共同、" * 30000, True),
    (":" * 100000, True),
]


@pytest.mark.parametrize(("line", "matches"), _LONG, ids=[f"long{i}" for i in range(len(_LONG))])
def test_rule_regexes_on_a_long_line(line: str, matches: bool) -> None:
    """Every default line rule's regex, searched on its own on a 100,000-character line (past
    the length at which drops_line stops looking, so the regexes themselves are what runs),
    gives its answer; a regex that backtracked would not return. bench/clean_bench.py times
    the same lines."""
    assert any(re.search(rule.pattern, line, re.I) for rule in LINE_RULES) is matches
    assert drops_line(line, TABLE) is False
    assert html_to_text(f"<p>{line}</p>") == " ".join(line.split())


# (line, whether it goes): outlets' "follow us on <platform>" and newsletter sign-ups in other
# languages went only in English ("Join our WhatsApp channel", "Sign up for our newsletter").
PROMOTIONS = [
    ("Sigue a El País en Google News", True),
    ("Síguenos en Twitter y Facebook", True),
    ("Suivez-nous sur WhatsApp", True),
    ("Suivez Le Monde sur Instagram", True),
    ("Folgen Sie uns auf Instagram", True),
    ("Folge uns auf WhatsApp!", True),
    ("Seguici su Telegram", True),
    ("Siga-nos no Instagram", True),
    ("Volg ons op Facebook", True),
    ("تابعونا على تويتر", True),
    ("Suscríbete aquí a la newsletter de El País", True),
    ("Suscríbete a nuestro boletín", True),
    ("Abonnez-vous à notre newsletter", True),
    ("Inscrivez-vous à la newsletter Politique", True),
    ("Abonnieren Sie unseren Newsletter", True),
    ("Melden Sie sich hier für den Newsletter an", True),
    ("Iscriviti alla newsletter", True),
    ("Assine a newsletter do Público", True),
    ("اشترك في نشرتنا البريدية", True),
    # Sentences about following, and a sign-up told of in a sentence, stay.
    ("Folgen Sie uns auf dem Weg durch die Altstadt.", False),
    ("Síguenos en esta cobertura minuto a minuto.", False),
    ("Suivez-nous sur le terrain, avec nos reporters.", False),
    ("La ministra pidió a los votantes suscribirse al boletín oficial del Estado.", False),
    ("Abonnez-vous, disait la publicité, et le succès fut immédiat.", False),
]


@pytest.mark.parametrize(("line", "goes"), PROMOTIONS, ids=[p[0] for p in PROMOTIONS])
def test_follow_us_and_newsletter_lines_in_other_languages(line: str, goes: bool) -> None:
    assert drops_line(line, TABLE) is goes
    article = "<p>Der Bundestag stimmt im Juni ab.</p>"
    expected = "Der Bundestag stimmt im Juni ab." + ("" if goes else f"\n\n{line}")
    assert html_to_text(f"{article}<p>{line}</p>") == expected


# (line, whether it goes): the source and original-title lines Arabic, Chinese and Japanese
# outlets end a syndicated article with stayed ("المصدر: الجزيرة + وكالات" on every article of
# Al Jazeera's Arabic site, "来源：新华网", "原标题：…"), where "Source: Al Jazeera and news
# agencies" went.
SOURCES = [
    ("المصدر: الجزيرة", True),
    ("المصدر : الجزيرة + وكالات", True),
    ("المصدر: الجزيرة ووكالات", True),
    ("المصدر: وكالات", True),
    ("المصدر: رويترز", True),
    ("المصدر: الفرنسية + الأناضول", True),
    ("来源：新华社", True),
    ("来源: 新华网", True),
    ("（来源：人民日报）", True),
    ("本文来源：央视新闻", True),
    ("原标题：国会通过法律", True),
    ("來源：中央社", True),
    ("出典：共同通信", True),
    # A data source is a chart's, as "Source: The Census Bureau" is; sentences stay.
    ("المصدر: وزارة الصحة الفلسطينية", False),
    ("出典：総務省", False),
    ("来源：据新华社报道，会议于周一召开。", False),
    ("المصدر الذي تحدث للجزيرة رفض الكشف عن اسمه.", False),
]


@pytest.mark.parametrize(("line", "goes"), SOURCES, ids=[s[0] for s in SOURCES])
def test_source_and_original_title_lines(line: str, goes: bool) -> None:
    assert drops_line(line, TABLE) is goes
    article = "<p>Der Bundestag stimmt im Juni ab.</p>"
    expected = "Der Bundestag stimmt im Juni ab." + ("" if goes else f"\n\n{line}")
    assert html_to_text(f"{article}<p>{line}</p>") == expected


@pytest.mark.parametrize(
    "mark", ["(END)", "（完）", "(完)", "【完】", "(끝)", "&lt;끝&gt;", "[END]"]
)
def test_an_end_of_article_mark_goes(mark: str) -> None:
    """Wires end every article with a mark of its end: Yonhap's "(END)" and "(끝)", Xinhua's
    and China News Service's "（完）". It was the article's last paragraph, and a Korean or
    Chinese article's last sentence in a lead short enough."""
    assert (
        html_to_text(f"<p>국회는 법안을 통과시켰다.</p><p>{mark}</p>")
        == "국회는 법안을 통과시켰다."
    )
    for line in ("The End", "END OF SEASON", "完成了", "(End of the line, she said.)"):
        assert not drops_line(line, TABLE), line


def test_dpa_infocoms_id_line_goes() -> None:
    """dpa-infocom's feed, which regional German sites publish as it is, ends every text with
    its copyright and the story's id ("© dpa-infocom, dpa:261127-930-123456/1"): with no year
    written as one, the copyright rule did not know it."""
    for line in ("© dpa-infocom, dpa:261127-930-123456/1", "dpa-infocom, dpa:240315-99-345678/2"):
        assert html_to_text(f"<p>Der Bundestag stimmt im Juni ab.</p><p>{line}</p>") == (
            "Der Bundestag stimmt im Juni ab."
        )
    assert not drops_line("dpa-infocom liefert Texte an 200 Redaktionen.", TABLE)


# The related-posts headings of blog plugins in other languages (Jetpack's and YARPP's
# translations of "Related posts"), left as a line when their box's classes were stripped.
RELATED_POSTS = [
    "Ähnliche Beiträge",
    "Verwandte Artikel",
    "Articles similaires",
    "Articles liés :",
    "Artículos relacionados",
    "Entradas relacionadas",
    "Artigos relacionados",
    "Correlati",
    "Podobne wpisy",
    "Похожие записи",
    "Benzer yazılar",
    "関連リンク",
    "関連情報",
    "관련 글",
]


@pytest.mark.parametrize("line", RELATED_POSTS)
def test_related_posts_headings_in_other_languages_go(line: str) -> None:
    assert drops_line(line, TABLE), line


@pytest.mark.parametrize(
    "line",
    [
        "Ähnliche Beiträge hat die Zeitung nie veröffentlicht",
        "Artículos relacionados con la reforma aparecieron después",
        "関連リンクをクリックすると、詳細が表示されます。",
        "Correlati ai dati del governo, i numeri non tornano",
    ],
)
def test_sentences_starting_with_related_posts_words_stay(line: str) -> None:
    assert not drops_line(line, TABLE), line
