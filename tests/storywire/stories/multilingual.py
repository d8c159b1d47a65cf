"""Short non-English news articles (written for these tests), labelled by event.

German, French and Spanish, four events each and two of one kind per language (two fires, two
floods, two earthquakes), three differently worded reports per event. Unrelated articles of one
language share most of their function words ("der", "und", "les", "del"), which is what the
multilingual background prior must not mistake for content.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storywire.stories import Doc

T0 = datetime(2024, 5, 14, 6, 0, tzinfo=UTC)

# (event label, title, body)
ARTICLES: list[tuple[str, str, str]] = [
    # -- German ------------------------------------------------------------------------------
    (
        "de-fire-ludwigshafen",
        "Brand in Chemiewerk in Ludwigshafen: Anwohner sollen Fenster schließen",
        "Im Werk der Rheinchem in Ludwigshafen ist am Dienstagmorgen ein Feuer in einer "
        "Lagerhalle für Lösungsmittel ausgebrochen. Zwei Mitarbeiter wurden leicht verletzt. "
        "Die Stadt warnte die Anwohner in Oppau und Friesenheim vor der dunklen Rauchwolke und "
        "bat sie, Fenster und Türen geschlossen zu halten.",
    ),
    (
        "de-fire-ludwigshafen",
        "Rauchwolke über Ludwigshafen nach Feuer bei Rheinchem",
        "Nach dem Feuer bei der Rheinchem ist über dem Norden von Ludwigshafen eine große "
        "Rauchwolke zu sehen gewesen. Nach Angaben der Werkfeuerwehr brannten Fässer mit "
        "Lösungsmitteln. Zwei Beschäftigte erlitten Rauchgasvergiftungen. Messungen in Oppau "
        "ergaben bislang keine erhöhten Schadstoffwerte.",
    ),
    (
        "de-fire-ludwigshafen",
        "Rheinchem: Feuer in Lösungsmittellager gelöscht",
        "Die Werkfeuerwehr der Rheinchem hat den Brand in Ludwigshafen am Mittag unter Kontrolle "
        "gebracht. Die Warnung für Oppau und Friesenheim wurde aufgehoben. Ein Sprecher des "
        "Unternehmens sagte, die Ursache des Feuers sei noch unklar, zwei leicht verletzte "
        "Mitarbeiter seien bereits wieder zu Hause.",
    ),
    (
        "de-fire-dortmund",
        "Großbrand in Dortmund: Lagerhalle von Kessler Logistik zerstört",
        "In Dortmund-Hörde ist in der Nacht eine Lagerhalle des Versandhändlers Kessler Logistik "
        "vollständig abgebrannt. Rund 150 Feuerwehrleute waren im Einsatz. Verletzt wurde "
        "niemand. Der Schaden wird auf mehrere Millionen Euro geschätzt, die Polizei ermittelt "
        "zur Brandursache.",
    ),
    (
        "de-fire-dortmund",
        "Feuer zerstört Halle in Hörde, 150 Einsatzkräfte vor Ort",
        "Ein Feuer hat in Hörde eine Halle von Kessler Logistik zerstört. Die Dortmunder "
        "Feuerwehr rückte mit 150 Kräften an und konnte ein Übergreifen auf benachbarte Gebäude "
        "verhindern. Menschen kamen nicht zu Schaden. Die Kriminalpolizei hat die Ermittlungen "
        "aufgenommen.",
    ),
    (
        "de-fire-dortmund",
        "Kessler Logistik nach Brand: Betrieb in Dortmund ruht",
        "Nach dem nächtlichen Brand in Dortmund-Hörde ruht der Betrieb bei Kessler Logistik. "
        "Die Halle sei ein Totalschaden, sagte eine Sprecherin. Die Feuerwehr war mit 150 "
        "Einsatzkräften bis zum Morgen mit Nachlöscharbeiten beschäftigt. Zur Ursache macht die "
        "Polizei noch keine Angaben.",
    ),
    (
        "de-train-landshut",
        "Regionalzug stößt bei Landshut mit Traktor zusammen, elf Verletzte",
        "Bei Landshut ist ein Regionalzug an einem unbeschrankten Bahnübergang mit einem Traktor "
        "zusammengestoßen. Elf Fahrgäste wurden verletzt, der Traktorfahrer schwer. Die Strecke "
        "zwischen Landshut und Plattling bleibt nach Angaben der Deutschen Bahn bis zum Abend "
        "gesperrt.",
    ),
    (
        "de-train-landshut",
        "Zugunglück in Niederbayern: Strecke Landshut–Plattling gesperrt",
        "Nach dem Zusammenstoß eines Zuges mit einem Traktor an einem Bahnübergang bei Landshut "
        "ist die Strecke nach Plattling gesperrt. Elf Reisende kamen ins Krankenhaus. Der "
        "Landwirt wurde mit dem Rettungshubschrauber nach Regensburg geflogen.",
    ),
    (
        "de-train-landshut",
        "Bahnübergang bei Landshut: Ermittlungen nach Unfall mit elf Verletzten",
        "Die Bundespolizei untersucht, warum ein Traktor auf dem Bahnübergang bei Landshut stand, "
        "als der Regionalzug kam. Elf Fahrgäste wurden verletzt. Die Deutsche Bahn richtete "
        "zwischen Landshut und Plattling einen Ersatzverkehr mit Bussen ein.",
    ),
    (
        "de-strike-pilots",
        "Pilotenstreik bei Lufthansa: 800 Flüge fallen aus",
        "Wegen eines Streiks der Vereinigung Cockpit hat die Lufthansa für Mittwoch rund 800 "
        "Flüge gestrichen. Betroffen sind vor allem Frankfurt und München. Die Gewerkschaft "
        "fordert höhere Gehälter und bessere Betriebsrenten für die Piloten.",
    ),
    (
        "de-strike-pilots",
        "Vereinigung Cockpit ruft Piloten zum Ausstand auf",
        "Die Vereinigung Cockpit hat die Piloten der Lufthansa zu einem ganztägigen Streik "
        "aufgerufen. Die Fluggesellschaft strich daraufhin 800 Verbindungen ab Frankfurt und "
        "München. Ein Konzernsprecher nannte den Ausstand unverhältnismäßig.",
    ),
    (
        "de-strike-pilots",
        "Lufthansa-Streik: Was Passagiere jetzt wissen müssen",
        "Fluggäste der Lufthansa müssen sich am Mittwoch auf Ausfälle einstellen: Wegen des "
        "Pilotenstreiks fallen etwa 800 Flüge aus, vor allem in Frankfurt und München. Die "
        "Vereinigung Cockpit und der Konzern streiten über Gehälter und Renten.",
    ),
    # -- French ------------------------------------------------------------------------------
    (
        "fr-flood-var",
        "Inondations dans le Var : deux morts à Draguignan",
        "De violents orages ont provoqué des inondations dans le Var dans la nuit de lundi à "
        "mardi. Deux personnes ont été retrouvées mortes à Draguignan, emportées par la crue de "
        "la Nartuby. Les pompiers ont effectué plus de 300 interventions et le préfet a ouvert "
        "une cellule de crise.",
    ),
    (
        "fr-flood-var",
        "Crue de la Nartuby : Draguignan sous les eaux",
        "Le centre de Draguignan a été envahi par les eaux après la crue de la Nartuby. Selon la "
        "préfecture du Var, deux personnes ont perdu la vie et des dizaines d'habitants ont été "
        "hélitreuillés. Les écoles de la ville resteront fermées mercredi.",
    ),
    (
        "fr-flood-var",
        "Var : le bilan des intempéries s'établit à deux morts",
        "Le préfet du Var a confirmé la mort de deux personnes à Draguignan lors des intempéries. "
        "Les secours ont mené plus de 300 interventions dans la nuit. La Nartuby a atteint un "
        "niveau inédit depuis 2010, selon Météo-France.",
    ),
    (
        "fr-flood-gard",
        "Le Gard en vigilance rouge, Alès évacue ses quais",
        "Météo-France a placé le Gard en vigilance rouge pluie-inondation. À Alès, la mairie a "
        "fait évacuer 400 riverains des quais du Gardon, dont le niveau monte rapidement. Aucune "
        "victime n'est à déplorer pour l'instant.",
    ),
    (
        "fr-flood-gard",
        "Crue du Gardon : 400 habitants évacués à Alès",
        "La montée du Gardon a contraint les autorités à évacuer 400 habitants à Alès. Le "
        "département du Gard est en vigilance rouge jusqu'à jeudi. Des gymnases ont été ouverts "
        "pour accueillir les sinistrés, sans victime signalée.",
    ),
    (
        "fr-flood-gard",
        "Pluies cévenoles : le Gardon déborde à Alès",
        "Les pluies cévenoles ont fait déborder le Gardon à Alès, où 400 personnes ont dû quitter "
        "leur logement. La préfecture du Gard maintient la vigilance rouge et demande aux "
        "habitants de ne pas prendre la route.",
    ),
    (
        "fr-strike-sncf",
        "Grève à la SNCF : un TGV sur deux circulera jeudi",
        "À l'appel de SUD-Rail et de la CGT-Cheminots, la SNCF prévoit un TGV sur deux et un TER "
        "sur trois jeudi. Les syndicats protestent contre la réforme des retraites des "
        "cheminots. La direction recommande aux voyageurs de reporter leurs déplacements.",
    ),
    (
        "fr-strike-sncf",
        "Cheminots en grève : trafic très perturbé jeudi",
        "Le trafic ferroviaire sera très perturbé jeudi en raison de la grève des cheminots. "
        "SUD-Rail et la CGT-Cheminots dénoncent la réforme de leur régime de retraite. La SNCF "
        "annonce un TGV sur deux et des TER supprimés dans toutes les régions.",
    ),
    (
        "fr-strike-sncf",
        "SNCF : la CGT-Cheminots et SUD-Rail maintiennent leur préavis",
        "Les deux syndicats ont maintenu leur préavis de grève pour jeudi après l'échec d'une "
        "réunion avec la direction de la SNCF. Seul un TGV sur deux roulera. Le ministre des "
        "Transports a appelé les cheminots au dialogue sur les retraites.",
    ),
    (
        "fr-theft-lyon",
        "Vol au musée des Beaux-Arts de Lyon : trois tableaux dérobés",
        "Trois tableaux, dont une toile de Fantin-Latour, ont été volés dans la nuit au musée des "
        "Beaux-Arts de Lyon. Les voleurs sont entrés par une fenêtre du premier étage. La police "
        "judiciaire a été saisie de l'enquête.",
    ),
    (
        "fr-theft-lyon",
        "Lyon : une toile de Fantin-Latour parmi les œuvres volées",
        "Le musée des Beaux-Arts de Lyon a été cambriolé : trois œuvres ont disparu, dont un "
        "bouquet de fleurs peint par Fantin-Latour. Le musée restera fermé au public pendant "
        "l'enquête de la police judiciaire.",
    ),
    (
        "fr-theft-lyon",
        "Cambriolage au musée de Lyon : les enquêteurs examinent les caméras",
        "Les enquêteurs de la police judiciaire de Lyon examinent les images des caméras du musée "
        "des Beaux-Arts, où trois tableaux ont été dérobés. Le préjudice de la toile de "
        "Fantin-Latour serait de plusieurs centaines de milliers d'euros.",
    ),
    # -- Spanish -----------------------------------------------------------------------------
    (
        "es-quake-peru",
        "Sismo de magnitud 6,3 sacude Arequipa, en el sur del Perú",
        "Un sismo de magnitud 6,3 sacudió la región de Arequipa en la madrugada del martes, "
        "según el Instituto Geofísico del Perú. El epicentro se ubicó cerca de Chala. Las "
        "autoridades reportaron viviendas de adobe dañadas y 14 heridos en la provincia de "
        "Caravelí.",
    ),
    (
        "es-quake-peru",
        "Arequipa: 14 heridos tras fuerte temblor en Caravelí",
        "El fuerte temblor que se sintió en Arequipa dejó 14 heridos y decenas de casas de adobe "
        "afectadas en Caravelí. El Instituto Geofísico del Perú registró una magnitud de 6,3 con "
        "epicentro frente a Chala. No se emitió alerta de tsunami.",
    ),
    (
        "es-quake-peru",
        "Perú: Defensa Civil evalúa daños del sismo en Chala",
        "Equipos de Defensa Civil recorren Chala y otros distritos de Caravelí tras el sismo de "
        "6,3 que afectó Arequipa. Hasta el momento hay 14 heridos. Las clases escolares fueron "
        "suspendidas en la provincia.",
    ),
    (
        "es-quake-mexico",
        "Terremoto de magnitud 7,0 sacude Oaxaca y se siente en la Ciudad de México",
        "Un terremoto de magnitud 7,0 con epicentro en Pinotepa Nacional, Oaxaca, sacudió el sur "
        "de México este martes. La alerta sísmica sonó en la capital, donde miles de personas "
        "salieron a la calle. El Servicio Sismológico Nacional registró más de 200 réplicas.",
    ),
    (
        "es-quake-mexico",
        "Pinotepa Nacional: daños en iglesias y hospitales tras el terremoto",
        "El terremoto de 7,0 que golpeó Oaxaca causó daños en iglesias y en el hospital de "
        "Pinotepa Nacional, informó el gobierno estatal. El Servicio Sismológico Nacional "
        "contabiliza más de 200 réplicas. En la Ciudad de México no hubo daños graves.",
    ),
    (
        "es-quake-mexico",
        "Oaxaca: más de 200 réplicas tras el terremoto de 7,0",
        "Los habitantes de Pinotepa Nacional pasaron la noche en la calle por miedo a las más de "
        "200 réplicas del terremoto de magnitud 7,0. Protección Civil de Oaxaca instaló "
        "albergues y revisa los daños en viviendas y hospitales.",
    ),
    (
        "es-fire-castellon",
        "Incendio forestal en Castellón obliga a desalojar Bejís",
        "Un incendio forestal declarado en la Sierra de Espadán obligó a desalojar el municipio "
        "de Bejís, en Castellón. Más de 300 bomberos y 12 medios aéreos trabajan en la zona. Las "
        "llamas han quemado unas 1.200 hectáreas, según la Generalitat.",
    ),
    (
        "es-fire-castellon",
        "El fuego de la Sierra de Espadán arrasa 1.200 hectáreas",
        "El incendio de la Sierra de Espadán ya ha calcinado 1.200 hectáreas entre Bejís y "
        "Teresa. La Generalitat mantiene desalojados a los vecinos de Bejís y ha pedido "
        "refuerzos a la UME. El viento dificulta las tareas de extinción.",
    ),
    (
        "es-fire-castellon",
        "Los vecinos de Bejís pasan la noche fuera de casa por el incendio",
        "Cerca de 500 vecinos de Bejís durmieron en un pabellón de Segorbe tras el desalojo por "
        "el incendio de la Sierra de Espadán. Los bomberos de la Generalitat confían en "
        "estabilizar el fuego, que afecta a 1.200 hectáreas.",
    ),
    (
        "es-transfer-betis",
        "El Betis ficha al delantero Marco Ibáñez por 12 millones",
        "El Real Betis ha cerrado el fichaje del delantero Marco Ibáñez, procedente del "
        "Valladolid, por 12 millones de euros. El jugador, de 24 años, firmará un contrato hasta "
        "2029 y será presentado el jueves en el Benito Villamarín.",
    ),
    (
        "es-transfer-betis",
        "Marco Ibáñez, nuevo jugador del Real Betis",
        "Marco Ibáñez jugará en el Real Betis las próximas cinco temporadas. El club verdiblanco "
        "pagará 12 millones al Valladolid por el delantero, que marcó 15 goles la pasada "
        "temporada. Ibáñez firmará hasta 2029.",
    ),
    (
        "es-transfer-betis",
        "Ibáñez llega al Benito Villamarín: el Betis paga 12 millones al Valladolid",
        "El Valladolid confirmó el traspaso de Marco Ibáñez al Real Betis a cambio de 12 "
        "millones de euros. El atacante se incorporará a la pretemporada y vestirá la camiseta "
        "verdiblanca hasta 2029.",
    ),
]


def interleaved(
    articles: list[tuple[str, str, str]], id_prefix: str, t0: datetime
) -> list[tuple[str, Doc]]:
    """(label, Doc) of (label, title, body) articles listed three reports per event, in an
    interleaved arrival order (the first report of every event, then the second ones, then the
    third), one document every ten minutes from ``t0``."""
    order = sorted(range(len(articles)), key=lambda i: (i % 3, i))
    return [
        (
            articles[i][0],
            Doc(
                id=f"{id_prefix}{i}",
                title=articles[i][1],
                text=articles[i][2],
                published=t0 + timedelta(minutes=10 * n),
            ),
        )
        for n, i in enumerate(order)
    ]


def multilingual_docs() -> list[tuple[str, Doc]]:
    """(label, Doc) in an interleaved arrival order, one document every ten minutes."""
    return interleaved(ARTICLES, "ml-", T0)
