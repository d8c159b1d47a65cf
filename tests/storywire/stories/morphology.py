"""Short Russian, Polish, Arabic and Ukrainian news articles (written for these tests), by event.

Three events per language, two of one kind (two floods in Russian and in Polish, two factory
fires in Arabic; Ukrainian has just two warehouse fires, Lviv and Dnipro), three differently
worded reports per event. These languages change the words themselves: Russian, Ukrainian and
Polish inflect names and nouns ("Орск", "в Орске", "Орска"; "Львова", "у Львові"; "Kłodzko",
"w Kłodzku"; "pożar", "pożaru"), Arabic attaches conjunctions, prepositions and the article to
the word ("الحريق", "والحريق", "بالمصنع", "للمصنع"), so reports of one event share fewer exact
words than the German, French or Spanish ones of ``multilingual.py`` do. Three later Ukrainian
reports name their city without the locative "і" every earlier one uses ("Львова", "над
Львовом"; "Дніпро", "Дніпра"), and the Lviv firm and street in new forms ("«Карпатмеблям»",
"біля Городоцької"): without the Ukrainian endings the two Lviv ones start a story of their
own in every arrival order.
"""

from __future__ import annotations

from datetime import UTC, datetime

from storywire.stories import Doc

from .multilingual import interleaved

T0 = datetime(2024, 4, 9, 5, 0, tzinfo=UTC)

# (event label, title, body)
ARTICLES: list[tuple[str, str, str]] = [
    # -- Russian -----------------------------------------------------------------------------
    (
        "ru-flood-orsk",
        "В Орске прорвало дамбу на реке Урал",
        "В Орске Оренбургской области в пятницу вечером прорвало земляную дамбу на реке Урал. "
        "Вода затопила Старый город и поселок Никель. Власти Орска объявили режим чрезвычайной "
        "ситуации и начали эвакуацию жителей. По данным мэрии, из подтопленных домов вывезли "
        "более 2700 человек, среди них 640 детей.",
    ),
    (
        "ru-flood-orsk",
        "Эвакуация в Орске: вода из Урала затопила тысячи домов",
        "Уровень воды в Урале у Орска продолжает расти после прорыва дамбы. Спасатели МЧС на "
        "лодках вывозят жителей Старого города и Никеля. Губернатор Оренбургской области "
        "заявил, что в Орске подтоплены почти 4000 жилых домов, эвакуированы 2700 человек. "
        "Для пострадавших открыты пункты временного размещения в школах.",
    ),
    (
        "ru-flood-orsk",
        "Прокуратура проверит строительство дамбы в Орске",
        "Прокуратура Оренбургской области начала проверку после прорыва дамбы в Орске. Дамбу "
        "на Урале построили в 2014 году, и она должна была выдерживать паводок. Между тем вода "
        "в Старом городе и Никеле держится на уровне второго этажа, спасатели МЧС продолжают "
        "вывозить людей из затопленных домов.",
    ),
    (
        "ru-flood-tomsk",
        "Паводок в Томске: Томь вышла из берегов",
        "В Томске из-за резкого подъема уровня Томи затопило несколько прибрежных улиц и "
        "дачные поселки. Городские власти ввели режим повышенной готовности. Вода подошла к "
        "жилым домам в районе Черемошников, где на лодках эвакуировали 160 жителей. По "
        "прогнозу гидрологов, уровень реки будет расти еще двое суток.",
    ),
    (
        "ru-flood-tomsk",
        "Томь затопила Черемошники, из домов эвакуированы 160 человек",
        "Подъем воды в Томи у Томска превысил опасную отметку. В Черемошниках подтоплены "
        "десятки домов и огородов, спасатели эвакуировали 160 человек. Мэрия Томска открыла "
        "пункт временного размещения в школе и попросила жителей прибрежных улиц держать "
        "документы наготове.",
    ),
    (
        "ru-flood-tomsk",
        "Уровень Томи у Томска продолжает расти",
        "Гидрологи ожидают, что уровень Томи у Томска поднимется еще на полметра. Режим "
        "повышенной готовности в городе продлен. В Черемошниках вода стоит во дворах, 160 "
        "эвакуированных жителей пока не могут вернуться домой. Спасатели дежурят на лодках "
        "у затопленных улиц.",
    ),
    (
        "ru-metro-kazan",
        "В Казани открыли новую станцию метро",
        "В Казани в субботу открылась станция метро «Сафиуллина» на второй линии. По словам "
        "мэра Казани, станция обошлась бюджету в 9,8 миллиарда рублей. Поезда будут ходить с "
        "интервалом семь минут. Жители района Азино ждали открытия станции более десяти лет.",
    ),
    (
        "ru-metro-kazan",
        "Казанское метро выросло на одну станцию: «Сафиуллина» приняла первых пассажиров",
        "Первые пассажиры проехали через новую станцию «Сафиуллина» казанского метрополитена. "
        "Строительство второй линии метро в Казани стоило 9,8 миллиарда рублей. Станция "
        "соединит район Азино с центром города, интервал движения поездов составит семь минут.",
    ),
    (
        "ru-metro-kazan",
        "Мэр Казани: вторую линию метро продлят до Азино-2",
        "После открытия станции «Сафиуллина» мэрия Казани объявила о продлении второй линии "
        "метро. Следующие станции построят к 2028 году. На первую станцию линии потратили 9,8 "
        "миллиарда рублей, в день через нее будут проходить до двенадцати тысяч пассажиров.",
    ),
    # -- Polish ------------------------------------------------------------------------------
    (
        "pl-flood-klodzko",
        "Nysa Kłodzka zalała Kłodzko, trwa ewakuacja mieszkańców",
        "W Kłodzku Nysa Kłodzka przerwała w nocy wał przeciwpowodziowy i zalała centrum "
        "miasta. Woda wdarła się do domów na ulicy Łukasiewicza i Wyspie Piasek. Burmistrz "
        "Kłodzka ogłosił alarm powodziowy. Strażacy ewakuowali ponad 400 osób, a w szkołach "
        "przygotowano miejsca noclegowe dla poszkodowanych.",
    ),
    (
        "pl-flood-klodzko",
        "Powódź w Kłodzku: 400 osób ewakuowanych, woda w centrum miasta",
        "Po przerwaniu wału przez Nysę Kłodzką woda zalała centrum Kłodzka. Strażacy i "
        "żołnierze ewakuowali ponad 400 mieszkańców, część z nich łodziami. Na ulicy "
        "Łukasiewicza woda sięga pierwszego piętra. Władze Kłodzka apelują, by nie wracać do "
        "zalanych domów, dopóki poziom rzeki nie spadnie.",
    ),
    (
        "pl-flood-klodzko",
        "Kłodzko po powodzi: poziom Nysy Kłodzkiej spada",
        "Poziom Nysy Kłodzkiej w Kłodzku zaczął powoli spadać. Na Wyspie Piasek i ulicy "
        "Łukasiewicza strażacy wypompowują wodę z piwnic. Ewakuowani mieszkańcy, ponad 400 "
        "osób, wciąż przebywają w szkołach. Burmistrz szacuje straty po powodzi na dziesiątki "
        "milionów złotych.",
    ),
    (
        "pl-flood-raciborz",
        "Odra wystąpiła z brzegów w Raciborzu",
        "W Raciborzu Odra przekroczyła stan alarmowy o ponad metr i zalała dzielnicę Płonia. "
        "Prezydent Raciborza zarządził ewakuację mieszkańców ulic położonych najbliżej rzeki. "
        "Z zagrożonych domów wyprowadzono 230 osób. Strażacy budują zaporę z worków z piaskiem "
        "przy moście na Odrze.",
    ),
    (
        "pl-flood-raciborz",
        "Racibórz walczy z wielką wodą, Płonia pod wodą",
        "Odra zalała Płonię, dzielnicę Raciborza położoną tuż przy rzece. Ewakuowano 230 "
        "mieszkańców. Strażacy i wojsko układają worki z piaskiem przy moście na Odrze, a "
        "władze Raciborza zamknęły dla ruchu drogę wojewódzką do Krzanowic. Stan alarmowy "
        "przekroczony jest o ponad metr.",
    ),
    (
        "pl-flood-raciborz",
        "Zbiornik Racibórz przejmuje falę na Odrze",
        "Zbiornik przeciwpowodziowy Racibórz Dolny przyjmuje wodę z Odry, co zmniejsza falę "
        "na dalszym odcinku rzeki. W samym Raciborzu Płonia pozostaje zalana, a 230 "
        "ewakuowanych mieszkańców nocuje u rodzin i w szkole. Prezydent miasta zapowiedział "
        "pomoc dla poszkodowanych.",
    ),
    (
        "pl-fire-wroclaw",
        "Pożar hali magazynowej we Wrocławiu, nad miastem kłęby dymu",
        "We Wrocławiu na Psim Polu płonie hala magazynowa firmy Meblotex. Z ogniem walczy 25 "
        "zastępów straży pożarnej. Nad północną częścią Wrocławia unosi się czarny dym, "
        "mieszkańcy dostali alert, by zamknąć okna. Według strażaków w hali składowano meble "
        "i lakiery, nikt nie został ranny.",
    ),
    (
        "pl-fire-wroclaw",
        "Meblotex: pożar na Psim Polu opanowany",
        "Strażacy opanowali pożar magazynu Meblotexu na wrocławskim Psim Polu. W akcji brało "
        "udział 25 zastępów. Spłonęła hala z meblami i lakierami, straty firma szacuje na kilka "
        "milionów złotych. Policja ustala przyczynę pożaru, nikt nie odniósł obrażeń.",
    ),
    (
        "pl-fire-wroclaw",
        "Czarny dym nad Wrocławiem. Spłonął magazyn mebli",
        "Nad Wrocławiem przez kilka godzin unosił się czarny dym z płonącego magazynu "
        "Meblotexu na Psim Polu. Alert dla mieszkańców został odwołany po południu. Do gaszenia "
        "pożaru skierowano 25 zastępów straży, rannych nie ma. Prokuratura wszczęła "
        "postępowanie w sprawie przyczyn pożaru.",
    ),
    # -- Arabic ------------------------------------------------------------------------------
    (
        "ar-fire-alexandria",
        "حريق هائل في مصنع للبلاستيك بالإسكندرية",
        "اندلع حريق هائل فجر اليوم في مصنع للبلاستيك بمنطقة برج العرب في الإسكندرية، ودفعت "
        "الحماية المدنية بـ 18 سيارة إطفاء للسيطرة على النيران. وأفاد مصدر أمني بإصابة 5 عمال "
        "باختناق نقلوا إلى المستشفى، فيما تحقق النيابة العامة في أسباب الحريق.",
    ),
    (
        "ar-fire-alexandria",
        "السيطرة على حريق مصنع برج العرب وإصابة 5 عمال",
        "تمكنت قوات الحماية المدنية بالإسكندرية من السيطرة على الحريق الذي شب في مصنع "
        "البلاستيك ببرج العرب بعد ساعات من العمل. وقال محافظ الإسكندرية إن 5 عمال أصيبوا "
        "باختناق وحالتهم مستقرة، وإن 18 سيارة إطفاء شاركت في إخماد النيران.",
    ),
    (
        "ar-fire-alexandria",
        "النيابة تعاين موقع حريق مصنع البلاستيك في برج العرب",
        "عاينت النيابة العامة موقع الحريق في مصنع البلاستيك بمنطقة برج العرب غرب "
        "الإسكندرية، وأمرت بانتداب خبراء الأدلة الجنائية لتحديد أسبابه. وكان الحريق قد أسفر "
        "عن إصابة 5 عمال بالاختناق، واستمرت عمليات التبريد حتى صباح اليوم.",
    ),
    (
        "ar-fire-zarqa",
        "حريق في مصنع للدهانات بالزرقاء ولا إصابات",
        "شب حريق مساء أمس في مصنع للدهانات في المنطقة الصناعية بالزرقاء، وتعاملت فرق الدفاع "
        "المدني مع النيران ومنعت امتدادها إلى المصانع المجاورة. وقال الناطق الإعلامي "
        "للمديرية إن الحريق لم يسفر عن إصابات، وإن 12 آلية إطفاء شاركت في إخماده.",
    ),
    (
        "ar-fire-zarqa",
        "الدفاع المدني يخمد حريق مصنع الدهانات في الزرقاء",
        "أخمدت فرق الدفاع المدني حريقا كبيرا اندلع في مصنع للدهانات والمذيبات بالمنطقة "
        "الصناعية في الزرقاء. وشاركت 12 آلية إطفاء في العملية التي استمرت أربع ساعات، "
        "ولم تسجل أي إصابات بين العاملين، فيما قدرت الخسائر المادية بعشرات آلاف الدنانير.",
    ),
    (
        "ar-fire-zarqa",
        "تحقيق في أسباب حريق المنطقة الصناعية بالزرقاء",
        "فتحت الأجهزة المختصة تحقيقا في أسباب الحريق الذي التهم مستودع مصنع الدهانات "
        "بالمنطقة الصناعية في محافظة الزرقاء. وأكد الدفاع المدني أن 12 آلية شاركت في إخماد "
        "النيران وأنه لم تقع إصابات، مرجحا أن يكون تماس كهربائي وراء الحريق.",
    ),
    (
        "ar-metro-riyadh",
        "افتتاح الخط الأزرق لقطار الرياض أمام الركاب",
        "بدأ الخط الأزرق لقطار الرياض استقبال الركاب صباح اليوم، بعد سنوات من الأعمال "
        "الإنشائية في العاصمة. ويمتد الخط على طول شارع العليا بطول 38 كيلومترا ويضم 22 "
        "محطة. وقالت الهيئة الملكية لمدينة الرياض إن القطارات ستعمل من السادسة صباحا حتى "
        "منتصف الليل.",
    ),
    (
        "ar-metro-riyadh",
        "الركاب يجربون الخط الأزرق في مترو الرياض",
        "توافد مئات الركاب على محطات الخط الأزرق بمترو الرياض في يومه الأول، ويربط الخط "
        "شمال العاصمة بجنوبها عبر شارع العليا. ويبلغ طول الخط 38 كيلومترا وعدد محطاته 22 "
        "محطة، وتعمل القطارات دون سائق، بحسب الهيئة الملكية لمدينة الرياض.",
    ),
    (
        "ar-metro-riyadh",
        "الهيئة الملكية: الخط الأزرق يخفف الزحام في شارع العليا",
        "أكدت الهيئة الملكية لمدينة الرياض أن تشغيل الخط الأزرق للمترو سيخفف الزحام "
        "المروري في شارع العليا والطرق المحيطة به. ويتكون الخط من 22 محطة على مسافة 38 "
        "كيلومترا، على أن تفتتح بقية خطوط قطار الرياض تباعا خلال الأشهر المقبلة.",
    ),
    # -- Ukrainian ---------------------------------------------------------------------------
    (
        "uk-fire-lviv",
        "У Львові горить склад меблевої фабрики",
        "У Львові на вулиці Городоцькій у неділю ввечері спалахнула пожежа на складі меблевої "
        "фабрики «Карпатмеблі». Вогонь охопив площу 1200 квадратних метрів. На місці працюють 46 "
        "рятувальників ДСНС та 12 одиниць техніки. Мешканців сусідніх будинків попросили "
        "зачинити вікна, постраждалих немає.",
    ),
    (
        "uk-fire-lviv",
        "Пожежу на складі «Карпатмеблів» у Львові ліквідовано",
        "Рятувальники ДСНС ліквідували пожежу на складі фабрики «Карпатмеблі» на Городоцькій у "
        "Львові. Гасіння тривало понад п'ять годин, вогонь знищив 1200 квадратних метрів складу "
        "з меблями й лаком. За словами міського голови Львова, загрози для мешканців немає. "
        "Причини пожежі встановлює поліція.",
    ),
    (
        "uk-fire-lviv",
        "Поліція відкрила справу через пожежу на складі у Львові",
        "Поліція Львівської області відкрила кримінальне провадження через пожежу на складі "
        "«Карпатмеблів» на вулиці Городоцькій. Слідчі перевіряють версію про коротке замикання. "
        "Пожежу на площі 1200 квадратних метрів гасили 46 рятувальників, ніхто не постраждав.",
    ),
    (
        "uk-fire-dnipro",
        "Пожежа на складі у Дніпрі: горять 800 квадратних метрів",
        "У Дніпрі на Слобожанському проспекті горить склад будівельних матеріалів. Площа пожежі "
        "сягає 800 квадратних метрів, на місці працюють 30 вогнеборців. Над лівим берегом "
        "Дніпра піднявся стовп чорного диму. За попередніми даними, постраждалих немає.",
    ),
    (
        "uk-fire-dnipro",
        "У Дніпрі загасили пожежу на складі будматеріалів",
        "Рятувальники загасили пожежу на складі будівельних матеріалів на Слобожанському "
        "проспекті в Дніпрі. У гасінні брали участь 30 рятувальників, вогонь пошкодив 800 "
        "квадратних метрів складських приміщень. Міський голова Дніпра повідомив, що люди не "
        "постраждали.",
    ),
    (
        "uk-fire-dnipro",
        "Склад на Слобожанському проспекті: слідчі з'ясовують причини пожежі",
        "Слідчі поліції Дніпропетровської області з'ясовують причини пожежі на складі "
        "будівельних матеріалів у Дніпрі. Вогонь знищив 800 квадратних метрів приміщень, у "
        "гасінні брали участь 30 рятувальників. Власник складу оцінює збитки в мільйони гривень.",
    ),
    (
        "uk-fire-lviv",
        "Мер Львова пообіцяв допомогу працівникам «Карпатмеблям»",
        "Міський голова Львова зустрівся з працівниками меблевої фабрики, склад якої біля "
        "Городоцької згорів у неділю. Місто виплатить допомогу родинам, які залишилися без "
        "роботи, а власник обіцяє відновити виробництво до кінця року. Над Львовом після "
        "пожежі ще два дні стояв запах гару.",
    ),
    (
        "uk-fire-dnipro",
        "Дніпро: власник згорілого складу будматеріалів оцінив збитки",
        "Власник складу будівельних матеріалів зі Слобожанського проспекту, який згорів у "
        "неділю, оцінив збитки в кілька мільйонів гривень. У міській раді Дніпра обіцяють "
        "перевірити інші склади міста на дотримання правил пожежної безпеки. Рятувальники "
        "називають причиною пожежі коротке замикання.",
    ),
    (
        "uk-fire-lviv",
        "Над Львовом стовп диму: горить склад меблевої фабрики",
        "Пожежа на складі меблевої фабрики біля Городоцької: дим над західною частиною Львова "
        "видно з усього міста. Рятувальники просять мешканців зачинити вікна і не наближатися "
        "до місця пожежі. Інформації про постраждалих немає.",
    ),
]


def morphology_docs(prefix: str = "") -> list[tuple[str, Doc]]:
    """(label, Doc) in an interleaved arrival order, one document every ten minutes; only the
    events whose label starts with ``prefix`` ("ru", "pl", "ar", "uk"; "" for all)."""
    return interleaved([a for a in ARTICLES if a[0].startswith(prefix)], f"morph-{prefix}", T0)
