"""A tiny synthetic labelled news set: same-kind events that must stay apart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storywire.stories import Doc, Params

T0 = datetime(2024, 3, 4, 8, 0, tzinfo=UTC)

# (event label, title, body): two earthquakes, two rehab stays, two transfers, worded differently.
ARTICLES: list[tuple[str, str, str]] = [
    (
        "quake-chile",
        "Magnitude 7.1 earthquake strikes northern Chile near Iquique",
        "A magnitude 7.1 earthquake struck off the coast of northern Chile on Monday near the port "
        "city of Iquique, the US Geological Survey said. Chilean authorities ordered the "
        "evacuation of the coastline and reported 4 deaths in Iquique and Arica.",
    ),
    (
        "quake-nepal",
        "Earthquake of magnitude 6.4 hits western Nepal, 37 killed",
        "An earthquake of magnitude 6.4 hit the Jajarkot district of western Nepal late on "
        "Friday, killing 37 people, officials in Kathmandu said. Rescuers reached remote "
        "villages in Jajarkot and Rukum where houses collapsed.",
    ),
    (
        "rehab-lane",
        "Actor Tom Lane checks into rehab in Malibu",
        "Hollywood actor Tom Lane has entered a rehabilitation clinic in Malibu for alcohol "
        "treatment, his publicist Sara Kemp confirmed on Tuesday. Lane, 45, thanked fans.",
    ),
    (
        "quake-chile",
        "Chile: strong quake rocks Iquique, tsunami warning lifted",
        "Chile lifted a tsunami warning after the magnitude 7.1 quake that shook Iquique and "
        "Arica on Monday night. The Geological Survey put the epicentre 95 km off Iquique; "
        "Chilean officials confirmed 4 deaths.",
    ),
    (
        "rehab-ray",
        "Singer Mia Ray enters rehab in Arizona",
        "Pop singer Mia Ray has checked into a treatment facility in Wickenburg, Arizona, for "
        "exhaustion, her manager Joel Brandt said on Thursday. Ray, 29, cancelled her tour.",
    ),
    (
        "quake-nepal",
        "Nepal quake: death toll rises to 37 in Jajarkot",
        "The death toll from Friday's magnitude 6.4 earthquake in western Nepal rose to 37, "
        "with most victims in Jajarkot and Rukum, Nepal's home ministry said in Kathmandu.",
    ),
    (
        "rehab-lane",
        "Tom Lane in Malibu rehab for alcohol, publicist says",
        "Tom Lane, 45, is being treated for alcohol abuse at a Malibu rehabilitation clinic, "
        "publicist Sara Kemp said on Tuesday. The actor's new film opens next month.",
    ),
    (
        "rehab-ray",
        "Mia Ray cancels tour, checks into Arizona treatment centre",
        "Mia Ray, 29, cancelled the rest of her tour and entered a treatment centre in "
        "Wickenburg, Arizona, manager Joel Brandt confirmed on Thursday, citing exhaustion.",
    ),
]


def labelled_docs(*, titles_only: bool = False) -> list[tuple[str, Doc]]:
    """The synthetic set as (label, Doc), an hour apart in this order."""
    return [
        (
            label,
            Doc(
                id=f"d{i}",
                title=title,
                text="" if titles_only else body,
                published=T0 + timedelta(hours=i),
                outlet=f"outlet{i % 3}.example",
                url=f"https://outlet{i % 3}.example/{i}",
            ),
        )
        for i, (label, title, body) in enumerate(ARTICLES)
    ]


# Two stories that start apart (a volcano; cancelled flights) and are bridged by later reports.
MERGE_PARAMS = Params(
    threshold=0.3, small_margin=0.0, merge_threshold=0.0, conflict_penalty=0.0, number_penalty=0.0
)


def bridged_docs() -> list[Doc]:
    """Documents whose third and fourth reports join the first two events' vocabularies."""
    return [
        Doc(
            "a",
            "Katla volcano erupts under glacier",
            "Katla volcano erupted under the Myrdalsjokull glacier, scientists said, with lava "
            "and meltwater floods near Vik.",
            T0,
        ),
        Doc(
            "b",
            "Airlines cancel flights over ash",
            "Airlines cancelled flights across Europe as ash drifted, airports in Reykjavik and "
            "Oslo closed, passengers stranded.",
            T0 + timedelta(hours=1),
        ),
        Doc(
            "c",
            "Katla eruption: ash cancels flights",
            "Katla volcano eruption under the glacier sent ash over Europe; airlines cancelled "
            "flights, Reykjavik airport closed, passengers stranded near Vik.",
            T0 + timedelta(hours=2),
        ),
        Doc(
            "d",
            "Katla ash: airlines cancel more flights",
            "Ash from the Katla volcano eruption under the glacier: airlines cancelled flights, "
            "Reykjavik and Oslo airports closed, passengers stranded.",
            T0 + timedelta(hours=3),
        ),
    ]
