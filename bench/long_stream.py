"""A labelled long dated news stream: 45 days, nine outlets, gold event labels.

    .venv/bin/python bench/long_stream.py            # rewrites the committed fixture
    .venv/bin/python bench/long_stream.py --out x.jsonl --seed 3

Written for the chaining the ECB+ development set cannot show (it has no dates): over weeks an
online clusterer meets the same kind of event again and again (strikes on the same cities, a
puzzle column every morning) and can grow one story across all of them. Every article is
invented from templates (nothing is copied from a real outlet; the officials, defendants,
candidates, storm and airline are fictional), worded in each outlet's house style: headline
conventions, numbers spelled or not, datelines, time zones, URL shapes (slugs are read by the
engine). Each line: ``{"id","title","text","date","outlet","url","story"}``; ``story`` is
``<category>/<event>`` with category one of conflict, multiday, series, digest, samekind:

- conflict: Russian strikes on Ukrainian cities, one or two a day, each reported by 2-5 outlets
  within ~1.5 days (a later report updates the toll); a city is hit again days later by another
  event, named by the same governor: each strike is its own story;
- multiday: a fraud trial (11 days), a hurricane (6), an election count (4), a missing-plane
  search (9): each is ONE story however its facts move on;
- series: Wordle and Connections hints, Powerball draws, the Wall Street close, London's
  weather: each day (draw, session) is its own story; two outlets on the same day share it;
- digest: a weekday morning briefing naming 4-6 of the previous day's stories: its own story;
- samekind: two earthquakes three days apart, two prisoner swaps six days apart, two train
  derailments four days apart: six stories.

Fixed seed: the same file every run (``tests/storywire/stories/test_long_stream.py`` checks
the committed fixture is this script's output).
"""

from __future__ import annotations

import argparse
import json
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "storywire" / "stories" / "fixtures" / "long_stream.jsonl"
START = date(2026, 9, 7)  # a Monday; the whole stream is in summer time in the UK, US, Ukraine
DAYS = 45
SEED = 20261128
T = TypeVar("T")


def _tz(hours: int) -> timezone:
    return timezone(timedelta(hours=hours))


# Outlet -> the UTC offset its feed writes dates in (summer time: the stream ends 21 October).
OUTLETS: dict[str, timezone] = {
    "reuters.com": _tz(0),
    "apnews.com": _tz(-4),
    "bbc.com": _tz(1),
    "theguardian.com": _tz(1),
    "aljazeera.com": _tz(3),
    "kyivindependent.com": _tz(3),
    "mashable.com": _tz(-4),
    "usatoday.com": _tz(-4),
    "standard.co.uk": _tz(1),
}
WIRE_DESKS = ("reuters.com", "apnews.com", "bbc.com", "theguardian.com", "aljazeera.com")
WAR_DESKS = (*WIRE_DESKS, "kyivindependent.com")

_NUMBER_WORDS = "zero one two three four five six seven eight nine ten".split()
_MONTH_AP = ["Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.", "Sept.", "Oct."]


def spelled(n: int) -> str:
    """AP, BBC and Guardian style: one to nine in words, 10 and up in figures."""
    return _NUMBER_WORDS[n] if 0 <= n < 10 else str(n)


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def weekday(d: datetime) -> str:
    return d.strftime("%A")


def long_date(d: date) -> str:
    return f"{d.strftime('%B')} {d.day}"


def ap_date(d: date) -> str:
    return f"{_MONTH_AP[d.month - 1]} {d.day}"


def slugify(text: str, words: int = 12) -> str:
    parts = re.findall(r"[a-z0-9]+", text.lower().replace("'", ""))
    return "-".join(parts[:words])


@dataclass
class Report:
    story: str
    outlet: str
    when: datetime  # aware, UTC
    title: str
    sentences: list[str]
    slug: str = ""  # defaults to the headline's
    section: str = "world"
    gist: str = ""  # how a morning briefing would name the story


@dataclass
class Stream:
    rng: random.Random
    reports: list[Report] = field(default_factory=list)

    def day(self, n: int, hour: float) -> datetime:
        return datetime(START.year, START.month, START.day, tzinfo=UTC) + timedelta(
            days=n, hours=hour
        )

    def add(self, report: Report) -> None:
        self.reports.append(report)

    def pick(self, options: Sequence[T]) -> T:
        return self.rng.choice(options)

    def body(self, lead: str, rest: list[str], keep: tuple[int, int] = (1, 5)) -> list[str]:
        """The lead, then some of the other sentences in an order of the outlet's own."""
        chosen = self.rng.sample(rest, min(len(rest), self.rng.randint(*keep)))
        return [lead, *chosen]


# -- conflict ----------------------------------------------------------------------------------

# City -> (region, governor (fictional), districts, how far from the front or border)
CITIES: dict[str, tuple[str, str, list[str], str]] = {
    "Kharkiv": (
        "Kharkiv",
        "Oleksandr Hnatenko",
        ["Saltivskyi", "Kyivskyi", "Shevchenkivskyi", "Industrialnyi", "Nemyshlianskyi"],
        "about 30 km from the Russian border",
    ),
    "Odesa": (
        "Odesa",
        "Viktor Palamarchuk",
        ["Prymorskyi", "Kyivskyi", "Khadzhybeiskyi", "Peresypskyi"],
        "Ukraine's largest port",
    ),
    "Dnipro": (
        "Dnipropetrovsk",
        "Serhii Lutsenko",
        ["Shevchenkivskyi", "Sobornyi", "Chechelivskyi", "Amur-Nyzhnodniprovskyi"],
        "a major industrial hub in the east",
    ),
    "Zaporizhzhia": (
        "Zaporizhzhia",
        "Ivan Kovalenko",
        ["Oleksandrivskyi", "Komunarskyi", "Khortytskyi", "Dniprovskyi"],
        "about 35 km from the front line",
    ),
    "Kyiv": (
        "Kyiv",
        "Taras Melnyk",
        ["Sviatoshynskyi", "Darnytskyi", "Solomianskyi", "Obolonskyi", "Holosiivskyi"],
        "the capital",
    ),
    "Sumy": (
        "Sumy",
        "Andrii Kravets",
        ["Kovpakivskyi", "Zarichnyi"],
        "about 30 km from the Russian border",
    ),
    "Kherson": (
        "Kherson",
        "Roman Tkachuk",
        ["Korabelnyi", "Dniprovskyi", "Tsentralnyi"],
        "shelled almost daily from across the Dnipro River",
    ),
    "Lviv": (
        "Lviv",
        "Maksym Hrytsenko",
        ["Zaliznychnyi", "Sykhivskyi", "Frankivskyi"],
        "near the Polish border in the far west",
    ),
    "Poltava": ("Poltava", "Volodymyr Bondar", ["Kyivskyi", "Podilskyi"], "in central Ukraine"),
    "Kryvyi Rih": (
        "Dnipropetrovsk",
        "Serhii Lutsenko",
        ["Metalurhiinyi", "Saksahanskyi", "Pokrovskyi"],
        "the president's home town",
    ),
    "Mykolaiv": (
        "Mykolaiv",
        "Vitalii Kim-Lee",
        ["Zavodskyi", "Inhulskyi", "Tsentralnyi"],
        "a southern shipbuilding city",
    ),
    "Chernihiv": (
        "Chernihiv",
        "Dmytro Savchuk",
        ["Novozavodskyi", "Desnianskyi"],
        "about 60 km from the Belarusian border",
    ),
    "Izmail": (
        "Odesa",
        "Viktor Palamarchuk",
        ["port"],
        "a Danube river port on the Romanian border",
    ),
    "Pavlohrad": ("Dnipropetrovsk", "Serhii Lutsenko", ["central"], "a rail junction in the east"),
}
CITY_WEIGHTS = {
    "Kharkiv": 6,
    "Odesa": 5,
    "Dnipro": 4,
    "Zaporizhzhia": 5,
    "Kyiv": 3,
    "Sumy": 3,
    "Kherson": 3,
    "Lviv": 1,
    "Poltava": 1,
    "Kryvyi Rih": 2,
    "Mykolaiv": 2,
    "Chernihiv": 1,
    "Izmail": 1,
    "Pavlohrad": 1,
}
# (weapon as a noun, its plural)
WEAPONS = [
    ("missile", "missiles"),
    ("drone", "drones"),
    ("ballistic missile", "ballistic missiles"),
    ("glide bomb", "glide bombs"),
    ("Shahed drone", "Shahed drones"),
]
# (target, a phrase for it, what it hit)
TARGETS = [
    ("apartment block", "a nine-storey apartment block", "residential"),
    ("energy facility", "an energy facility", "energy"),
    ("port infrastructure", "port infrastructure and a grain warehouse", "port"),
    ("railway station", "the railway station and nearby tracks", "rail"),
    ("hospital", "a hospital and two residential buildings", "residential"),
    ("shopping centre", "a shopping centre in the city centre", "residential"),
    ("industrial site", "an industrial enterprise", "industry"),
    ("school", "a school and a kindergarten", "residential"),
    ("substation", "an electricity substation, cutting power to thousands", "energy"),
    ("bus station", "a bus station during the morning rush", "residential"),
]
MOSCOW_SAYS = {
    "energy": "energy facilities supplying Ukraine's military-industrial complex",
    "port": "port infrastructure used to ship Western weapons",
    "rail": "railway infrastructure used to move troops",
    "industry": "defence industry enterprises",
    "residential": "military targets",
}


@dataclass
class Strike:
    label: str
    city: str
    day: int
    hour: float  # UTC hour of the attack
    weapon: tuple[str, str]
    target: tuple[str, str, str]
    district: str
    killed: int
    injured: int
    killed_later: int
    fired: int
    downed: int
    buildings: int


def _strike(s: Stream, n: int, day: int) -> Strike:
    city = s.rng.choices(list(CITY_WEIGHTS), weights=list(CITY_WEIGHTS.values()))[0]
    killed = s.rng.choice([0, 1, 1, 2, 2, 3, 4, 5, 6, 7, 9, 11, 14, 18])
    injured = killed * s.rng.randint(1, 4) + s.rng.randint(2, 30)
    weapon = s.pick(WEAPONS)
    fired = s.rng.randint(20, 130) if "drone" in weapon[0] else s.rng.randint(4, 40)
    return Strike(
        label=f"conflict/strike-{n:02d}-{slugify(city)}",
        city=city,
        day=day,
        hour=s.pick([0.5, 1.5, 2.5, 3.0, 4.0, 6.5, 9.0, 13.0, 16.5, 19.0, 21.5]),
        weapon=weapon,
        target=s.pick(TARGETS),
        district=s.pick(CITIES[city][2]),
        killed=killed,
        injured=injured,
        killed_later=killed + s.rng.choice([0, 1, 2, 3]),
        fired=fired,
        downed=int(fired * s.rng.uniform(0.55, 0.92)),
        buildings=s.rng.randint(2, 25),
    )


def _strike_headline(s: Stream, e: Strike, outlet: str, k: int, update: bool) -> str:
    w, ws = e.weapon
    t = e.target[0]
    city, inj = e.city, e.injured
    if k == 0:
        return s.pick(
            {
                "reuters.com": [
                    f"Russian attack on Ukraine's {city} damages {t}, officials say",
                    f"Russian {w} attack hits {city} {t}, injures {inj}",
                ],
                "apnews.com": [
                    f"Russian {ws} hit Ukraine's {city}, wounding {spelled(inj)}",
                    f"Russian strike damages {t} in Ukraine's {city}",
                ],
                "bbc.com": [f"Ukraine war: {cap(spelled(inj))} hurt in Russian strike on {city}"],
                "theguardian.com": [f"Russian {ws} hit {city} {t} as Ukraine braces for winter"],
                "aljazeera.com": [f"Russian {w} attack on Ukraine's {city} injures {spelled(inj)}"],
                "kyivindependent.com": [f"Russian {w} attack on {city} injures {inj}"],
            }[outlet]
        )
    kw, kk = spelled(k), str(k)
    if update:
        return s.pick(
            {
                "reuters.com": [
                    f"Death toll from Russian strike on Ukraine's {city} rises to {kk}"
                ],
                "apnews.com": [f"Death toll in Russian strike on Ukraine's {city} climbs to {kw}"],
                "bbc.com": [f"{city} strike: Death toll rises to {kw} as rescuers search rubble"],
                "theguardian.com": [
                    f"{city} attack death toll rises to {kw} as rescue effort ends"
                ],
                "aljazeera.com": [
                    f"Death toll from Russian attack on Ukraine's {city} rises to {kw}"
                ],
                "kyivindependent.com": [
                    f"Update: Death toll in Russian attack on {city} rises to {kk}"
                ],
            }[outlet]
        )
    return s.pick(
        {
            "reuters.com": [
                f"Russian {w} strike on Ukraine's {city} kills {kk}, governor says",
                f"Russian attack on {city} kills {kk}, injures {inj}, officials say",
                f"Ukraine says Russian {ws} hit {t} in {city}, killing {kk}",
            ],
            "apnews.com": [
                f"Russian {ws} slam into Ukraine's {city}, killing at least {kw} people",
                f"A Russian strike on {e.target[1].split(',')[0]} in Ukraine's {city} kills {kw}",
            ],
            "bbc.com": [
                f"Ukraine war: {cap(kw)} killed in Russian strike on {city}",
                f"{city}: Deadly Russian {w} attack hits {t}",
            ],
            "theguardian.com": [
                f"Russia-Ukraine war: at least {kw} killed as Russian {ws} hit {city}",
                f"Russian strike on {city} {t} kills {kw}, say Ukrainian officials",
            ],
            "aljazeera.com": [
                f"Russian attack on Ukraine's {city} kills {kw}, wounds {spelled(inj)}",
                f"Russia-Ukraine war: {cap(kw)} dead in {w} attack on {city}",
            ],
            "kyivindependent.com": [
                f"Russian {w} attack on {city} kills {kk}, injures {inj}",
                f"Russia strikes {city} with {ws}, killing {kk}",
            ],
        }[outlet]
    )


def _strike_text(
    s: Stream, e: Strike, outlet: str, when: datetime, *, k: int, update: bool
) -> list[str]:
    region, governor, _, where = CITIES[e.city]
    w, ws = e.weapon
    local = when.astimezone(OUTLETS[outlet])
    attack = s.day(e.day, e.hour) + timedelta(hours=3)  # Kyiv time
    part = (
        "overnight"
        if attack.hour < 6
        else "on " + weekday(attack) + " morning"
        if attack.hour < 12
        else "on " + weekday(attack) + " afternoon"
        if attack.hour < 18
        else "on " + weekday(attack) + " evening"
    )
    title = s.pick(
        ["regional governor", "the head of the regional military administration", "governor"]
    )
    toll = (
        f"killing {spelled(k)} people and injuring {spelled(e.injured)}"
        if k
        else f"injuring {spelled(e.injured)} people"
    )
    if outlet == "kyivindependent.com":
        toll = f"killing {k} people and injuring {e.injured}" if k else f"injuring {e.injured}"
    if update:
        lead = s.pick(
            [
                f"The death toll from Russia's {w} attack on {e.city} {part} has risen to "
                f"{spelled(k)}, {governor}, the {region} regional governor, said on "
                f"{weekday(local)}.",
                f"Rescuers in {e.city} pulled more bodies from the rubble of the {e.target[0]} hit "
                f"{part}, bringing the death toll to {spelled(k)}, officials said.",
            ]
        )
    else:
        lead = s.pick(
            [
                f"Russia attacked the Ukrainian city of {e.city} with {ws} {part}, {toll}, "
                f"{title} {governor} said.",
                f"A Russian {w} strike on {e.city} {part} hit {e.target[1]}, {toll}, "
                f"according to {governor}, the {region} governor.",
                f"{cap(part)} Russian {ws} struck {e.city}, {where}, {toll}, local officials "
                "reported.",
            ]
        )
    rest = [
        f"The attack hit {e.target[1]} in the {e.district} district, {governor} wrote on Telegram.",
        s.pick(
            [
                "Emergency crews put out fires and searched the debris for survivors.",
                "Rescue workers were still combing the rubble hours later.",
                "Photos released by the emergency service showed firefighters battling a blaze "
                "at the site.",
            ]
        ),
        f"Ukraine's air force said Russia launched {e.fired} {ws} overnight, of which "
        f"{e.downed} were shot down or jammed.",
        f"At least {e.buildings} residential buildings were damaged, the city council said.",
        s.pick(
            [
                f"Russia's defence ministry said it had struck {MOSCOW_SAYS[e.target[2]]}.",
                "There was no immediate comment from Moscow, which denies targeting civilians.",
                "Moscow did not comment on the strike.",
            ]
        ),
        f"{e.city}, {where}, has come under repeated attack since Russia's full-scale invasion "
        "in February 2022.",
        s.pick(
            [
                "President Volodymyr Zelensky renewed his appeal to Western allies for more air "
                "defence systems.",
                "Ukraine's foreign ministry urged partners to speed up deliveries of "
                "interceptor missiles.",
            ]
        ),
    ]
    if outlet == "kyivindependent.com":
        rest.append(f"The Kyiv Independent could not immediately verify the number of {ws} used.")
    return s.body(lead, rest, (1, 5))


def conflict(s: Stream) -> None:
    n = 0
    for day in range(DAYS):
        for _ in range(s.rng.choice([1, 1, 1, 2, 2])):
            e = _strike(s, n, day)
            n += 1
            outlets = s.rng.sample(WAR_DESKS, s.rng.randint(2, 5))
            attack = s.day(e.day, e.hour)
            for i, outlet in enumerate(outlets):
                update = i > 0 and e.killed_later > e.killed and s.rng.random() < 0.4
                gap = s.rng.uniform(20, 36) if update else s.rng.uniform(0.4, 10)
                when = attack + timedelta(hours=gap)
                # The first reports of an attack at night often know only the injured.
                k = e.killed if not (gap < 1.5 and s.rng.random() < 0.5) else 0
                k = e.killed_later if update else k
                title = _strike_headline(s, e, outlet, k, update)
                sents = _strike_text(s, e, outlet, when, k=k, update=update)
                s.add(
                    Report(
                        e.label,
                        outlet,
                        when,
                        title,
                        sents,
                        gist=f"Russian strike on {e.city} kills {spelled(e.killed)}"
                        if e.killed
                        else f"Russian strike hits {e.city}",
                    )
                )


# -- multi-day stories -------------------------------------------------------------------------


def _multiday(
    s: Stream,
    label: str,
    start: int,
    phases: list[tuple[float, list[tuple[str, str]], list[str], str]],
    outlets: Sequence[str],
    *,
    topic: str,
    background: list[str],
) -> None:
    """Each phase: (day offset, [(headline, lead)] variants, the phase's other sentences,
    gist); 2-4 outlets cover each phase, each with a variant of its own while they last, and
    each body recaps the story so far with a background sentence or two, as follow-ups do."""
    for offset, variants, rest, gist in phases:
        chosen = s.rng.sample(list(outlets), s.rng.randint(2, 4))
        order = s.rng.sample(variants, len(variants))
        base = s.day(start, 0) + timedelta(days=offset)
        for i, outlet in enumerate(chosen):
            headline, lead = order[i % len(order)]
            if i >= len(order):
                # A second desk on the same angle: a headline of its own, in headlinese.
                plain = re.sub(r"^the ", "", gist).replace(" is ", " ").replace(" are ", " ")
                headline = cap(plain)
            if outlet == "bbc.com" and ":" not in headline and not headline.startswith(topic):
                headline = f"{topic}: {headline}"
            when = base + timedelta(hours=s.rng.uniform(6, 22))
            recap = s.rng.sample(background, s.rng.randint(1, 2))
            body = s.body(lead, rest, (1, 3))
            s.add(Report(label, outlet, when, headline, [*body[:2], *recap, *body[2:]], gist=gist))


def trial(s: Stream) -> None:
    d = "Arkwright"
    who = "Simon Arkwright, 58, the former chief executive of Northbridge Bank"
    court = "Southwark Crown Court"
    fixed = [
        f"{d} denies seven counts of fraud and false accounting.",
        "Northbridge Bank collapsed in 2023, wiping out the savings of about 4,000 investors.",
        f"The trial at {court} is expected to last two weeks.",
    ]
    phases: list[tuple[float, list[tuple[str, str]], list[str], str]] = [
        (
            0,
            [
                (
                    f"Former Northbridge Bank boss Simon {d} goes on trial over £240m fraud",
                    f"{who}, went on trial in London on Monday accused of defrauding investors of "
                    "£240m.",
                ),
                (
                    f"Ex-Northbridge CEO {d} 'lied to investors', fraud trial told",
                    f"Prosecutors told a jury at {court} that {who}, lied to investors for years "
                    "before the lender collapsed.",
                ),
                (
                    f"Banker {d} hid losses from investors, court hears as trial opens",
                    f"Opening the prosecution case, Sarah Whitlock KC said {d} hid losses of £240m "
                    "from investors and the regulator.",
                ),
            ],
            fixed,
            "the fraud trial of former Northbridge boss Simon Arkwright opens",
        ),
        (
            1,
            [
                (
                    f"Northbridge finance chief says {d} ordered her to alter accounts",
                    "Northbridge Bank's former finance director Helen Marsh told the fraud trial "
                    "of "
                    f"Simon {d} that he ordered her to move losses off the balance sheet.",
                ),
                (
                    f"{d} trial: ex-CFO Helen Marsh testifies she was told to 'make it disappear'",
                    f"Helen Marsh, Northbridge's former chief financial officer, told {court} that "
                    f"{d} told her to 'make the hole disappear'.",
                ),
            ],
            [
                *fixed[:2],
                "Marsh, who has pleaded guilty to false accounting, is giving evidence for "
                "the prosecution.",
            ],
            "a former finance chief testifies against Arkwright",
        ),
        (
            2,
            [
                (
                    f"Auditor tells {d} fraud trial he was shown forged bank statements",
                    "An auditor from the firm Pell & Rowe told the fraud trial of former "
                    "Northbridge "
                    f"Bank boss Simon {d} he was shown forged statements.",
                )
            ],
            fixed,
            "an auditor tells the Arkwright trial he saw forged statements",
        ),
        (
            3,
            [
                (
                    f"Simon {d} takes the stand, says he trusted his finance team",
                    f"Former Northbridge Bank chief executive Simon {d} told jurors at {court} he "
                    "had "
                    "trusted his finance team and knew nothing of the losses.",
                ),
                (
                    f"'I was lied to,' {d} tells jury in Northbridge fraud trial",
                    f"Simon {d}, giving evidence in his own defence, said he was lied to by "
                    "Northbridge's former finance director.",
                ),
            ],
            fixed,
            "Arkwright gives evidence in his own defence",
        ),
        (
            4,
            [
                (
                    f"{d} grilled over yacht bought weeks before Northbridge collapse",
                    f"Under cross-examination, Simon {d} was questioned about a £4m yacht he "
                    "bought "
                    "weeks before Northbridge Bank collapsed.",
                )
            ],
            fixed,
            "Arkwright is cross-examined about a £4m yacht",
        ),
        (
            7,
            [
                (
                    "Northbridge fraud trial: jury retires after closing speeches",
                    f"The jury in the fraud trial of former Northbridge Bank boss Simon {d} "
                    "retired "
                    "to consider its verdicts after closing speeches.",
                ),
                (
                    f"{d} was 'architect of the deception', prosecutor says in closing",
                    f"Prosecutor Sarah Whitlock KC told jurors that Simon {d} was the architect "
                    "of a "
                    "deception that cost Northbridge investors £240m.",
                ),
            ],
            fixed,
            "the jury retires in the Arkwright trial",
        ),
        (
            8,
            [
                (
                    f"Ex-Northbridge Bank boss Simon {d} found guilty of fraud",
                    f"{who}, was found guilty on Tuesday of five counts of fraud over the lender's "
                    "£240m collapse.",
                ),
                (
                    f"{d} convicted over Northbridge collapse that cost investors £240m",
                    f"A jury at {court} convicted Simon {d} of fraud and false accounting after "
                    "deliberating for 11 hours.",
                ),
                (
                    "Northbridge founder guilty of fraud; investors cheer outside court",
                    f"Investors who lost their savings cheered outside {court} as Simon {d} was "
                    "found "
                    "guilty of fraud.",
                ),
            ],
            [
                "He was cleared of two counts of false accounting.",
                "The judge, Mrs Justice Hale, remanded him in custody ahead of sentencing.",
                "Northbridge Bank collapsed in 2023, wiping out the savings of about 4,000 "
                "investors.",
            ],
            "Arkwright is found guilty of fraud",
        ),
        (
            10,
            [
                (
                    f"Simon {d} jailed for nine years over Northbridge Bank fraud",
                    f"Former Northbridge Bank chief executive Simon {d} was sentenced to nine "
                    "years "
                    "in prison on Thursday for a fraud that cost investors £240m.",
                ),
                (
                    f"Ex-Northbridge boss {d} gets nine-year sentence for £240m fraud",
                    f"Simon {d}, 58, was jailed for nine years at {court} two days after being "
                    "convicted of fraud.",
                ),
            ],
            [
                "Mrs Justice Hale said he had shown no remorse.",
                "He was also disqualified from acting as a company director for 15 years.",
                "About 4,000 investors lost their savings when the bank collapsed in 2023.",
            ],
            "Arkwright is jailed for nine years",
        ),
    ]
    _multiday(
        s,
        "multiday/trial-arkwright",
        7,
        phases,
        ("bbc.com", "theguardian.com", "reuters.com", "apnews.com", "standard.co.uk"),
        topic="Northbridge trial",
        background=[
            "Northbridge Bank, based in Leeds, collapsed in March 2023 owing investors £240m.",
            f"{d} was charged in 2024 after a Serious Fraud Office investigation.",
            f"{d} founded Northbridge in 2009 and was its chief executive until it failed.",
        ],
    )


def hurricane(s: Stream) -> None:
    name = "Marisol"
    phases: list[tuple[float, list[tuple[str, str]], list[str], str]] = [
        (
            0,
            [
                (
                    f"Tropical Storm {name} forms in Caribbean, could threaten Gulf Coast",
                    f"Tropical Storm {name} formed in the western Caribbean on Sunday and could "
                    "reach "
                    "the Gulf of Mexico as a hurricane later this week, the National Hurricane "
                    "Center "
                    "said.",
                ),
                (
                    f"{name} becomes 13th named storm of Atlantic season",
                    f"{name} became the 13th named storm of the Atlantic hurricane season, with "
                    "maximum sustained winds of 45 mph.",
                ),
            ],
            [
                "Forecasters said warm Gulf waters could fuel rapid strengthening.",
                "Residents of Florida's Gulf Coast were urged to prepare.",
            ],
            f"Tropical Storm {name} forms in the Caribbean",
        ),
        (
            1,
            [
                (
                    f"{name} strengthens into hurricane, Florida issues warnings",
                    f"{name} strengthened into a hurricane on Monday as it moved into the Gulf of "
                    "Mexico, and Florida issued hurricane warnings for its west coast.",
                ),
                (
                    f"Hurricane {name} heads for Florida; governor declares emergency",
                    "Florida's governor declared a state of emergency for 34 counties as "
                    "Hurricane "
                    f"{name} churned north through the Gulf.",
                ),
            ],
            [
                "The National Hurricane Center said the storm could reach Category 4 strength.",
                "Tampa and St Petersburg could see a storm surge of up to 12 feet.",
            ],
            f"{name} becomes a hurricane and heads for Florida",
        ),
        (
            2,
            [
                (
                    f"Hurricane {name} grows to Category 4 as Floridians flee Gulf Coast",
                    f"Hurricane {name} grew into a Category 4 storm with 140 mph winds as hundreds "
                    "of thousands of people fled Florida's Gulf Coast.",
                ),
                (
                    f"Mandatory evacuations ordered in Tampa Bay ahead of Hurricane {name}",
                    "Officials ordered the evacuation of coastal areas around Tampa Bay as "
                    "Hurricane "
                    f"{name} approached with 140 mph winds.",
                ),
            ],
            [
                "Highways out of the Tampa area were jammed.",
                "The storm was expected to make landfall on Wednesday.",
            ],
            f"Florida evacuates ahead of Hurricane {name}",
        ),
        (
            3,
            [
                (
                    f"Hurricane {name} makes landfall in Florida's Big Bend as Category 3",
                    f"Hurricane {name} made landfall near Cedar Key, Florida, on Wednesday as a "
                    "Category 3 storm with 120 mph winds.",
                ),
                (
                    f"{name} slams Florida with storm surge, 2 million without power",
                    f"Hurricane {name} came ashore in Florida's Big Bend region, pushing a storm "
                    "surge into coastal towns and knocking out power to 2 million customers.",
                ),
            ],
            [
                "Storm surge flooded streets in Cedar Key and Steinhatchee.",
                "The storm weakened as it moved inland toward Georgia.",
            ],
            f"Hurricane {name} makes landfall in Florida",
        ),
        (
            4,
            [
                (
                    f"Hurricane {name} death toll rises to 6 as Florida surveys damage",
                    f"At least six people were killed by Hurricane {name}, officials said on "
                    "Thursday, as residents of Florida's Big Bend returned to wrecked homes.",
                ),
                (
                    f"After {name}, Cedar Key residents find homes swept away",
                    f"Residents of Cedar Key returned on Thursday to find homes swept off their "
                    f"foundations by Hurricane {name}'s storm surge.",
                ),
            ],
            [
                "About 1.4 million homes and businesses were still without power.",
                "FEMA said it had sent search and rescue teams to the area.",
            ],
            f"Florida counts the damage from {name}",
        ),
        (
            5,
            [
                (
                    f"{name} death toll climbs to 11; damage estimated at $18bn",
                    f"The death toll from Hurricane {name} rose to 11 across Florida and Georgia, "
                    "and "
                    "insurers estimated the damage at up to $18bn.",
                ),
                (
                    f"Florida's Big Bend faces long recovery after Hurricane {name}",
                    f"Local officials in Florida's Big Bend said recovery would take years after "
                    f"Hurricane {name}, which killed 11 people.",
                ),
            ],
            [
                "Power had been restored to most customers in the Tampa area.",
                "The storm's remnants brought flooding rain to the Carolinas.",
            ],
            f"{name}'s death toll rises to 11",
        ),
    ]
    _multiday(
        s,
        "multiday/hurricane-marisol",
        20,
        phases,
        ("apnews.com", "reuters.com", "usatoday.com", "bbc.com", "theguardian.com"),
        topic=f"Hurricane {name}",
        background=[
            f"{name} formed in the western Caribbean on Sunday and strengthened rapidly "
            "over the warm waters of the Gulf of Mexico.",
            f"{name} is the 13th named storm and sixth hurricane of the Atlantic season.",
            "The National Hurricane Center in Miami has tracked the storm since it formed.",
        ],
    )


def election(s: Stream) -> None:
    phases: list[tuple[float, list[tuple[str, str]], list[str], str]] = [
        (
            0,
            [
                (
                    "Ecuador votes in tight presidential runoff between Andrade and Viteri",
                    "Ecuadorians voted on Sunday in a presidential runoff between leftist Lucía "
                    "Andrade and conservative businessman Mateo Viteri.",
                ),
                (
                    "Polls close in Ecuador runoff; exit polls split",
                    "Polls closed in Ecuador's presidential runoff with two exit polls giving "
                    "different winners.",
                ),
            ],
            [
                "About 13 million people were eligible to vote.",
                "Violent crime and power cuts dominated the campaign.",
            ],
            "Ecuador holds its presidential runoff",
        ),
        (
            1,
            [
                (
                    "Viteri leads Ecuador count with 80% of votes tallied",
                    "Mateo Viteri led Lucía Andrade by less than one percentage point with 80% of "
                    "votes counted in Ecuador's runoff, the National Electoral Council (CNE) said.",
                ),
                (
                    "Ecuador runoff too close to call as count drags on",
                    "Ecuador's presidential runoff remained too close to call on Monday, with "
                    "Viteri "
                    "ahead of Andrade by 0.8 points.",
                ),
            ],
            [
                "Both candidates claimed victory on Sunday night.",
                "The CNE asked for patience while tally sheets were checked.",
            ],
            "Ecuador's runoff count is too close to call",
        ),
        (
            2,
            [
                (
                    "Andrade alleges fraud in Ecuador count, demands recount",
                    "Lucía Andrade said on Tuesday there were irregularities in thousands of tally "
                    "sheets and demanded a recount of Ecuador's presidential runoff.",
                ),
                (
                    "Ecuador's Andrade refuses to concede, cites 'irregular' tally sheets",
                    "Ecuadorian presidential candidate Lucía Andrade refused to concede to Mateo "
                    "Viteri, citing irregular tally sheets.",
                ),
            ],
            [
                "Observers from the Organization of American States said they saw no evidence of "
                "fraud.",
                "Viteri's lead stood at about 70,000 votes.",
            ],
            "Andrade demands a recount in Ecuador",
        ),
        (
            3,
            [
                (
                    "Ecuador electoral council declares Viteri president-elect",
                    "Ecuador's National Electoral Council declared Mateo Viteri the winner of the "
                    "presidential runoff with 50.6% of the vote.",
                ),
                (
                    "Businessman Mateo Viteri wins Ecuador presidency by narrow margin",
                    "Conservative businessman Mateo Viteri won Ecuador's presidency, the CNE said, "
                    "beating Lucía Andrade by 1.2 points.",
                ),
            ],
            [
                "Andrade said she would challenge the result in the electoral court.",
                "Viteri is due to take office in November.",
            ],
            "Viteri is declared the winner in Ecuador",
        ),
    ]
    _multiday(
        s,
        "multiday/election-ecuador",
        27,
        phases,
        ("reuters.com", "apnews.com", "aljazeera.com", "bbc.com", "theguardian.com"),
        topic="Ecuador election",
        background=[
            "Andrade, a former mayor of Quito, promised to expand social programmes.",
            "Viteri, a banana exporter, campaigned on a crackdown on drug gangs.",
            "Neither candidate won outright in the first round in August.",
        ],
    )


def plane(s: Stream) -> None:
    fl = "Nusa Air flight 361"
    phases: list[tuple[float, list[tuple[str, str]], list[str], str]] = [
        (
            0,
            [
                (
                    "Indonesian plane with 54 aboard loses contact over Maluku",
                    "An Indonesian passenger plane carrying 54 people lost contact with air "
                    "traffic "
                    "control shortly after taking off from Ambon on Tuesday, officials said.",
                ),
                (
                    f"{fl} missing after take-off from Ambon, search launched",
                    f"Indonesia launched a search for {fl}, an ATR 72 turboprop that vanished from "
                    "radar 12 minutes after taking off from Ambon.",
                ),
            ],
            [
                "The plane was flying to Tual in the Kei Islands.",
                "Bad weather was reported in the area.",
            ],
            f"{fl} goes missing",
        ),
        (
            1,
            [
                (
                    "Search for missing Nusa Air plane resumes at dawn",
                    f"Ships and aircraft resumed the search for {fl} on Wednesday in the Banda "
                    "Sea.",
                ),
                (
                    "Families wait for news of missing Indonesian plane",
                    f"Relatives of the 54 people aboard {fl} gathered at Ambon airport as the "
                    "search "
                    "went into a second day.",
                ),
            ],
            [
                "The national search and rescue agency Basarnas deployed six ships.",
                "The ATR 72 was 19 years old.",
            ],
            f"the search for {fl} resumes",
        ),
        (
            2,
            [
                (
                    "Fishermen report debris in Banda Sea where Nusa Air plane vanished",
                    f"Fishermen reported seeing debris and an oil slick near where {fl} "
                    "disappeared, "
                    "search officials said.",
                )
            ],
            ["Basarnas said the debris had not yet been confirmed as coming from the plane."],
            "debris is spotted where Nusa Air flight 361 vanished",
        ),
        (
            3,
            [
                (
                    "Debris confirmed from missing Nusa Air plane, no survivors found",
                    f"Indonesian officials confirmed that debris found in the Banda Sea came from "
                    f"{fl}, and divers recovered the first bodies.",
                ),
                (
                    "Indonesia finds wreckage of plane that vanished with 54 on board",
                    "Search teams found wreckage of the ATR 72 that disappeared on Tuesday with 54 "
                    "people on board.",
                ),
            ],
            [
                "The wreckage lies at a depth of about 30 metres.",
                "Nusa Air said it was cooperating with investigators.",
            ],
            f"wreckage of {fl} is found",
        ),
        (
            5,
            [
                (
                    "Black box of crashed Nusa Air plane located",
                    f"Divers located the flight data recorder of {fl}, the head of Indonesia's "
                    "transport safety committee said.",
                )
            ],
            ["The cockpit voice recorder has not yet been found."],
            f"the black box of {fl} is found",
        ),
        (
            6,
            [
                (
                    "Nusa Air flight recorder recovered; families demand answers",
                    f"Investigators recovered the flight data recorder of {fl} on Monday and said "
                    "it would be read in Jakarta.",
                ),
                (
                    "Indonesia recovers black box from crashed ATR 72",
                    "Indonesia recovered a black box from the ATR 72 that crashed into the Banda "
                    "Sea "
                    "last week with 54 people aboard.",
                ),
            ],
            [
                "Relatives demanded an independent inquiry into Nusa Air's maintenance.",
                "A preliminary report is due within 30 days.",
            ],
            "the Nusa Air flight recorder is recovered",
        ),
        (
            8,
            [
                (
                    "Indonesia ends search for victims of Nusa Air crash",
                    f"Indonesia ended the search for victims of {fl} after recovering 41 bodies, "
                    "Basarnas said.",
                ),
                (
                    "Search called off for remaining victims of Nusa Air flight 361",
                    "The search for the remaining 13 victims of the Banda Sea crash was called off "
                    "after nine days.",
                ),
            ],
            [
                "The cockpit voice recorder was still missing.",
                "Nusa Air has grounded its two other ATR 72s.",
            ],
            f"the search for {fl} ends",
        ),
    ]
    _multiday(
        s,
        "multiday/plane-nusa-air",
        36,
        phases,
        ("reuters.com", "apnews.com", "bbc.com", "aljazeera.com", "theguardian.com"),
        topic="Nusa Air crash",
        background=[
            "The ATR 72 turboprop took off from Ambon for Tual with 48 passengers and six crew.",
            "Nusa Air is a regional carrier based in Makassar.",
            "Indonesia has one of Asia's worst air safety records.",
        ],
    )


# -- daily series ------------------------------------------------------------------------------

WORDLE = (
    "CRANE PLUMB GHOST TIDAL SWIRL FROTH BLAND QUIRK OCEAN MIRTH SPOKE VIVID GRUEL "
    "TORCH FLINT SHAKY BRINE CLASP DOUGH EXILE KNAVE LUNAR MANGO NOBLE OPERA PRISM "
    "QUOTA RIVET SCARF THYME UNCUT VAPOR WALTZ YEAST ZESTY AMBER BROOK CHANT DWARF "
    "EMBER FABLE GRAVY HATCH IVORY JOUST"
).split()
_CLUES = {
    "CRANE": "a bird, or a machine on a building site",
    "PLUMB": "perfectly vertical",
    "GHOST": "a spirit said to haunt houses",
    "TIDAL": "to do with the sea's rise and fall",
    "SWIRL": "to spin in a spiral",
    "FROTH": "bubbles on top of a drink",
    "BLAND": "lacking flavour",
    "QUIRK": "a peculiar habit",
    "OCEAN": "a very large sea",
    "MIRTH": "laughter and amusement",
    "SPOKE": "part of a wheel",
    "VIVID": "very bright in colour",
    "GRUEL": "thin porridge",
    "TORCH": "a portable light",
    "FLINT": "a hard grey stone",
    "SHAKY": "unsteady",
    "BRINE": "salty water",
    "CLASP": "to hold tightly",
    "DOUGH": "what bread is made from",
    "EXILE": "banishment",
    "KNAVE": "a dishonest man",
    "LUNAR": "relating to the moon",
    "MANGO": "a tropical fruit",
    "NOBLE": "of high rank",
    "OPERA": "a sung drama",
    "PRISM": "it splits light",
    "QUOTA": "a fixed share",
    "RIVET": "a metal pin",
    "SCARF": "worn around the neck",
    "THYME": "a herb",
    "UNCUT": "not trimmed",
    "VAPOR": "steam or mist",
    "WALTZ": "a dance in three-four time",
    "YEAST": "it makes bread rise",
    "ZESTY": "full of flavour",
    "AMBER": "fossilised resin",
    "BROOK": "a small stream",
    "CHANT": "a repeated rhythmic phrase",
    "DWARF": "very small",
    "EMBER": "a glowing coal",
    "FABLE": "a story with a moral",
    "GRAVY": "a meat sauce",
    "HATCH": "to emerge from an egg",
    "IVORY": "an off-white colour",
    "JOUST": "a knights' duel",
}
CONNECTIONS = [
    ("Things with keys", "Shades of blue", "Poker terms", "___ball"),
    ("Kitchen tools", "Famous Georges", "Anagrams of animals", "Things that are striped"),
    ("Units of time", "Card games", "Words before 'light'", "Greek letters"),
    ("Breakfast foods", "Chess pieces", "Planets minus a letter", "Hidden body parts"),
    ("Musical instruments", "Tree types", "Synonyms for 'nonsense'", "Board games"),
    ("Types of cheese", "Famous bridges", "Words after 'fire'", "Dog breeds"),
]


def wordle(s: Stream) -> None:
    for day in range(DAYS):
        d = START + timedelta(days=day)
        num = (d - date(2021, 6, 19)).days
        word = WORDLE[day]
        vowels = sum(ch in "AEIOU" for ch in word)
        label = f"series/wordle-{num}"
        wk = d.strftime("%A")
        hints = [
            f"Today's word contains {spelled(vowels)} vowel{'s' if vowels != 1 else ''}.",
            f"It starts with the letter {word[0]}.",
            f"Clue: {_CLUES[word]}.",
            (
                "There are no repeated letters."
                if len(set(word)) == 5
                else "One letter appears twice."
            ),
            f"It ends with {word[-1]}.",
        ]
        s.add(
            Report(
                label,
                "mashable.com",
                s.day(day, 4 + s.rng.uniform(0, 1)),
                s.pick(
                    [
                        f"Wordle today: Answer, hints for {long_date(d)}, {d.year}",
                        f"Wordle today: Hint and answer #{num} for {wk}, {long_date(d)}",
                    ]
                ),
                # Mashable's stock opening, the same every day (a long series shares its chrome).
                [
                    "Looking for the most recent Wordle answer? Click here for today's Wordle "
                    "hints, "
                    "as well as our daily answers and hints for The New York Times Mini Crossword, "
                    "Connections and Strands puzzles.",
                    *s.body(
                        f"Today's Wordle is #{num}. If you just want the answer, scroll to the "
                        "bottom; first, some hints.",
                        hints,
                        (2, 3),
                    ),
                    f"The answer to Wordle #{num} is {word}.",
                ],
                slug=f"wordle-today-answer-{d.strftime('%B').lower()}-{d.day}-{d.year}",
                gist=f"Wordle #{num}",
            )
        )
        if s.rng.random() < 0.7:
            s.add(
                Report(
                    label,
                    "usatoday.com",
                    s.day(day, 3.5 + s.rng.uniform(0, 2)),
                    f"Today's Wordle #{num} hints and answer for {wk}, {ap_date(d)}",
                    [
                        *s.body(
                            f"Stuck on Wordle #{num}? Here are some hints to help you solve "
                            f"{wk}'s puzzle.",
                            hints,
                            (1, 3),
                        ),
                        "Wordle is a daily word game from The New York Times in which players have "
                        "six tries to guess a five-letter word.",
                        f"Today's Wordle answer is {word.lower()}, {_CLUES[word]}.",
                    ],
                    slug=f"todays-wordle-hints-answer-{num}",
                    section="tech",
                    gist=f"Wordle #{num}",
                )
            )


def connections(s: Stream) -> None:
    for day in range(DAYS):
        d = START + timedelta(days=day)
        num = (d - date(2023, 6, 12)).days + 1
        groups = list(CONNECTIONS[day % len(CONNECTIONS)])
        s.rng.shuffle(groups)
        colours = ["yellow", "green", "blue", "purple"]
        s.add(
            Report(
                f"series/connections-{num}",
                "mashable.com",
                s.day(day, 4.2 + s.rng.uniform(0, 1)),
                f"NYT Connections hints and answers for {long_date(d)}: Tips to solve "
                f"'Connections' #{num}",
                [
                    "Connections is the New York Times word game that asks players to sort 16 "
                    "words "
                    "into four groups of four.",
                    *s.body(
                        f"Connections #{num} is here, and it's a tricky one for "
                        f"{d.strftime('%A')}.",
                        [
                            f"The {c} group's theme is {g.lower()}."
                            for c, g in zip(colours, groups, strict=True)
                        ]
                        + [
                            "Need a nudge? One category is about wordplay.",
                            "Remember that each puzzle has exactly one solution.",
                        ],
                        (2, 4),
                    ),
                ],
                slug=f"nyt-connections-hint-answer-today-{d.strftime('%B').lower()}-{d.day}-{d.year}",
                gist=f"Connections #{num}",
            )
        )


def powerball(s: Stream) -> None:
    jackpot = 41
    for day in range(DAYS):
        d = START + timedelta(days=day)
        if d.weekday() not in (0, 2, 5):  # drawings Monday, Wednesday, Saturday
            continue
        balls = sorted(s.rng.sample(range(1, 70), 5))
        pb = s.rng.randint(1, 26)
        won = s.rng.random() < 0.08
        wk = d.strftime("%A")
        nums = ", ".join(map(str, balls))
        rest = [
            f"The Power Play multiplier was {s.pick(['2X', '3X', '4X', '10X'])}.",
            (
                "A ticket sold in "
                + s.pick(["Ohio", "Texas", "California", "Michigan"])
                + " matched all six numbers."
                if won
                else f"No ticket matched all six numbers, so the jackpot rises to "
                f"${jackpot + 15} million for the next drawing."
            ),
            "Drawings are held at 10:59 p.m. ET on Mondays, Wednesdays and Saturdays.",
            "The odds of winning the jackpot are 1 in 292.2 million.",
        ]
        s.add(
            Report(
                f"series/powerball-{d.isoformat()}",
                "usatoday.com",
                s.day(day + 1, 3.2),
                s.pick(
                    [
                        f"Powerball winning numbers for {wk}, {ap_date(d)}, {d.year}, drawing",
                        f"Powerball numbers {d.month}/{d.day}/{d.year % 100}: winning numbers for "
                        f"${jackpot} million jackpot",
                    ]
                ),
                s.body(
                    f"The winning numbers for {wk} night's drawing were {nums} and Powerball {pb}.",
                    rest,
                    (2, 3),
                ),
                slug=f"powerball-winning-numbers-{wk.lower()}-{d.month}-{d.day}-{d.year}",
                section="money/lottery",
                gist=f"the {wk} Powerball draw",
            )
        )
        jackpot = 20 if won else jackpot + s.rng.randint(10, 25)


# (what moved markets, a clause for it, a stock it moved, AP's headline clause)
DRIVERS = [
    ("tech rally", "technology shares rallied", "Nvidia", "tech rallies"),
    ("jobs report", "a stronger-than-expected jobs report", "JPMorgan", "hiring beats forecasts"),
    (
        "Fed comments",
        "Federal Reserve officials signalled patience on rates",
        "Goldman Sachs",
        "Fed signals patience",
    ),
    ("oil slump", "oil prices fell", "Exxon Mobil", "oil slides"),
    (
        "bank earnings",
        "big banks reported quarterly results",
        "Wells Fargo",
        "banks report earnings",
    ),
    ("bond yields", "Treasury yields climbed", "Apple", "Treasury yields climb"),
    ("inflation data", "consumer prices rose more than forecast", "Walmart", "inflation runs hot"),
    ("chip selloff", "chipmakers slid", "Broadcom", "chipmakers slide"),
    ("retail sales", "retail sales beat forecasts", "Amazon", "shoppers keep spending"),
]


def markets(s: Stream) -> None:
    dow = 46_200.0
    for day in range(DAYS):
        d = START + timedelta(days=day)
        if d.weekday() >= 5:
            continue
        what, why, stock, ap_why = s.pick(DRIVERS)
        pts = round(s.rng.gauss(40, 260))
        dow += pts
        sp = round(pts / 46_200 * 100 * s.rng.uniform(0.8, 1.4), 2)
        nq = round(sp * s.rng.uniform(1.1, 1.6), 2)
        move = s.rng.uniform(1.5, 6.5)
        updown = "rises" if pts >= 0 else "falls"
        label = f"series/market-close-{d.isoformat()}"
        close = s.day(day, 20.2)
        sign = "gained" if pts >= 0 else "lost"
        rest = [
            f"The S&P 500 {'rose' if sp >= 0 else 'fell'} {abs(sp):.2f}% and the Nasdaq "
            f"composite {'added' if nq >= 0 else 'shed'} {abs(nq):.2f}%.",
            f"{stock} shares {'jumped' if pts >= 0 else 'dropped'} {move:.1f}%.",
            f"The Dow Jones Industrial Average {sign} {abs(pts)} points to {dow:,.0f}.",
            s.pick(
                [
                    "Trading volume was light.",
                    "Small-company stocks outperformed.",
                    "The 10-year Treasury yield was little changed at 4.1%.",
                ]
            ),
        ]
        s.add(
            Report(
                label,
                "reuters.com",
                close + timedelta(minutes=s.rng.randint(5, 40)),
                s.pick(
                    [
                        f"Wall St ends {'higher' if pts >= 0 else 'lower'} after {what}",
                        f"Stocks {'rise' if pts >= 0 else 'fall'} after {why}",
                    ]
                ),
                s.body(
                    f"U.S. stocks closed {'higher' if pts >= 0 else 'lower'} on "
                    f"{d.strftime('%A')} after {why}.",
                    rest,
                    (2, 3),
                ),
                slug=f"wall-st-ends-{what.replace(' ', '-')}",
                section="markets/us",
                gist=f"Wall Street {'rises' if pts >= 0 else 'falls'}",
            )
        )
        if s.rng.random() < 0.85:
            s.add(
                Report(
                    label,
                    "apnews.com",
                    close + timedelta(minutes=s.rng.randint(0, 30)),
                    f"Stock market today: Dow {updown} {abs(pts)} points as {ap_why}",
                    s.body(
                        f"Wall Street {'climbed' if pts >= 0 else 'slipped'} {d.strftime('%A')} "
                        f"after {why}.",
                        rest,
                        (2, 3),
                    ),
                    slug=f"stock-market-today-{what.replace(' ', '-')}-dow",
                    gist=f"Wall Street {'rises' if pts >= 0 else 'falls'}",
                )
            )


def weather(s: Stream) -> None:
    for day in range(DAYS):
        d = START + timedelta(days=day)
        high = round(22 - day * 0.2 + s.rng.gauss(0, 2.5))
        low = high - s.rng.randint(6, 10)
        sky = s.pick(
            [
                "sunny spells",
                "heavy showers",
                "thunderstorms",
                "grey skies and drizzle",
                "blustery winds and rain",
                "clear skies",
                "fog clearing to sunshine",
            ]
        )
        wk = d.strftime("%A")
        s.add(
            Report(
                f"series/weather-london-{d.isoformat()}",
                "standard.co.uk",
                s.day(day, 5.5),
                s.pick(
                    [
                        f"London weather: {cap(sky)} and highs of {high}C on {wk}",
                        f"London weather forecast: {cap(sky)} expected as temperatures reach "
                        f"{high}C",
                        f"Met Office forecast for London {wk}: {sky} with highs of {high}C",
                    ]
                ),
                s.body(
                    f"Londoners can expect {sky} on {wk}, with temperatures peaking at {high}C, "
                    "according to the Met Office.",
                    [
                        f"Overnight lows will fall to {low}C.",
                        s.pick(
                            [
                                "A yellow weather warning for rain is in place.",
                                "No weather warnings are in force.",
                                "Winds will gust up to 40mph on higher ground.",
                            ]
                        ),
                        f"The outlook for {(d + timedelta(days=1)).strftime('%A')} is "
                        f"{s.pick(['drier', 'more unsettled', 'similar', 'warmer'])}.",
                    ],
                    (1, 3),
                ),
                slug=f"london-weather-forecast-{wk.lower()}-met-office-{d.day}",
                gist="London's weather",
            )
        )


# -- same-kind pairs ---------------------------------------------------------------------------


def same_kind(s: Stream) -> None:
    events: list[tuple[str, int, list[tuple[str, str]], list[str], str]] = [
        (
            "samekind/quake-peru",
            14,
            [
                (
                    "Magnitude 6.8 earthquake strikes southern Peru, killing 9",
                    "A magnitude 6.8 earthquake struck southern Peru on Monday, killing nine "
                    "people "
                    "and damaging hundreds of homes in the Arequipa region, officials said.",
                ),
                (
                    "Strong quake hits Peru's Arequipa region; 9 dead",
                    "At least nine people died when a strong earthquake hit Peru's Arequipa "
                    "region, "
                    "the country's civil defence institute said.",
                ),
                (
                    "Peru earthquake: death toll rises as rescuers reach Andean villages",
                    "Rescuers reached remote Andean villages in the Caylloma province after a "
                    "magnitude 6.8 earthquake in southern Peru.",
                ),
            ],
            [
                "The US Geological Survey said the quake was centred 40 km north of Chivay at a "
                "depth of 12 km.",
                "Landslides blocked roads in the Colca Canyon.",
                "Peru sits on the Pacific Ring of Fire.",
            ],
            "an earthquake kills nine in Peru",
        ),
        (
            "samekind/quake-turkey",
            17,
            [
                (
                    "Magnitude 6.1 earthquake hits eastern Turkey, 14 killed",
                    "A magnitude 6.1 earthquake hit Turkey's eastern Malatya province on Thursday, "
                    "killing 14 people, the disaster agency AFAD said.",
                ),
                (
                    "Turkey quake: buildings collapse in Malatya, 14 dead",
                    "Several buildings collapsed in Malatya after a 6.1-magnitude earthquake, "
                    "killing "
                    "14 people and injuring more than 200.",
                ),
                (
                    "Earthquake in Turkey's Malatya revives memories of 2023 disaster",
                    "The earthquake that killed 14 people in Malatya struck a region still "
                    "rebuilding "
                    "after the 2023 quakes.",
                ),
            ],
            [
                "AFAD said the quake was centred in the Yesilyurt district at a depth of 8 km.",
                "Dozens of aftershocks followed.",
                "Turkey sits on major fault lines.",
            ],
            "an earthquake kills 14 in Turkey",
        ),
        (
            "samekind/swap-uae-103",
            25,
            [
                (
                    "Russia and Ukraine swap 103 prisoners each in UAE-mediated exchange",
                    "Russia and Ukraine each released 103 prisoners of war on Friday in an "
                    "exchange "
                    "brokered by the United Arab Emirates.",
                ),
                (
                    "Ukraine brings home 103 soldiers in prisoner exchange with Russia",
                    "Ukraine brought home 103 soldiers, including defenders of Mariupol, in the "
                    "latest "
                    "prisoner exchange with Russia.",
                ),
            ],
            [
                "The UAE said it was the 14th exchange it had mediated.",
                "The freed men were taken to hospitals in the Chernihiv region.",
            ],
            "Russia and Ukraine swap 103 prisoners each",
        ),
        (
            "samekind/swap-turkey-84",
            31,
            [
                (
                    "Russia, Ukraine exchange 84 prisoners of war in Turkish-brokered deal",
                    "Russia and Ukraine exchanged 84 prisoners of war each on Thursday after "
                    "mediation "
                    "by Turkey.",
                ),
                (
                    "84 Ukrainian POWs return home, some held since 2022",
                    "Eighty-four Ukrainian prisoners of war returned home on Thursday, some of "
                    "them "
                    "held in Russia since 2022, Ukraine's coordination headquarters said.",
                ),
            ],
            [
                "Turkey's foreign ministry said talks on a further exchange were under way.",
                "Among those freed were two seriously wounded soldiers.",
            ],
            "Russia and Ukraine exchange 84 prisoners",
        ),
        (
            "samekind/derailment-india",
            37,
            [
                (
                    "Passenger train derails in India's Odisha, killing 23",
                    "A passenger train derailed in the eastern Indian state of Odisha on "
                    "Wednesday, "
                    "killing 23 people and injuring more than 100, railway officials said.",
                ),
                (
                    "India train accident: 23 dead as coaches overturn near Cuttack",
                    "Eleven coaches of the Howrah-Chennai express overturned near Cuttack, "
                    "killing 23.",
                ),
            ],
            [
                "Indian Railways ordered an inquiry into the cause.",
                "Rescue teams cut through the wreckage through the night.",
            ],
            "a train derailment kills 23 in India",
        ),
        (
            "samekind/derailment-egypt",
            41,
            [
                (
                    "Train derails in Egypt's Sohag, killing 11",
                    "A passenger train derailed in Egypt's southern Sohag province on Sunday, "
                    "killing "
                    "11 people and injuring 48, the health ministry said.",
                ),
                (
                    "Egypt train crash: 11 dead as carriages leave tracks in Upper Egypt",
                    "Four carriages of a train travelling from Aswan to Cairo left the tracks near "
                    "Tahta in Sohag province, killing 11.",
                ),
            ],
            [
                "Egypt's railway authority said the cause was being investigated.",
                "Egypt's rail network has a history of deadly accidents.",
            ],
            "a train derailment kills 11 in Egypt",
        ),
    ]
    for label, day, variants, rest, gist in events:
        outlets = s.rng.sample(WIRE_DESKS, s.rng.randint(3, 5))
        for outlet in outlets:
            headline, lead = s.pick(variants)
            s.add(
                Report(
                    label,
                    outlet,
                    s.day(day, 6 + s.rng.uniform(0, 26)),
                    headline,
                    s.body(lead, rest, (1, 3)),
                    gist=gist,
                )
            )


# -- digests -----------------------------------------------------------------------------------


def digests(s: Stream) -> None:
    """The Guardian's weekday morning briefing: the top of the previous day's news, each story
    in a line of its own (never the whole article), written before 07:00 London time."""
    for day in range(DAYS):
        d = START + timedelta(days=day)
        if d.weekday() >= 5:
            continue
        at = s.day(day, 5.2)
        recent: dict[str, str] = {}
        for r in sorted(s.reports, key=lambda r: r.when):
            if (
                at - timedelta(hours=30) <= r.when < at
                and r.gist
                and not r.story.startswith(
                    ("series/wordle", "series/connections", "series/weather", "series/powerball")
                )
            ):
                recent.setdefault(r.story, r.gist)
        stories = list(recent)
        s.rng.shuffle(stories)
        # Big continuing stories lead the briefing when there is one.
        stories.sort(key=lambda st: not st.startswith(("multiday/", "samekind/")))
        chosen = stories[: s.rng.randint(4, 6)]
        if len(chosen) < 4:
            continue
        top = recent[chosen[0]]
        wk = d.strftime("%A")
        lines = [f"Good morning. {cap(top)}, and we have all the details."]
        lines += [f"In other news, {recent[st]}." for st in chosen[1:]]
        s.add(
            Report(
                f"digest/guardian-briefing-{d.isoformat()}",
                "theguardian.com",
                at,
                f"{wk} briefing: {cap(top)}",
                lines,
                slug=f"{wk.lower()}-briefing-{slugify(top, 6)}",
            )
        )


# -- output ------------------------------------------------------------------------------------

_URL: dict[str, Callable[[Report, str, datetime, str], str]] = {
    "reuters.com": lambda r, slug, t, h: (
        f"https://www.reuters.com/{r.section}/{slug}-{t:%Y-%m-%d}/"
    ),
    "apnews.com": lambda r, slug, t, h: f"https://apnews.com/article/{slug}-{h}",
    "bbc.com": lambda r, slug, t, h: f"https://www.bbc.com/news/articles/c{h[:10]}o",
    "theguardian.com": lambda r, slug, t, h: (
        f"https://www.theguardian.com/{r.section}/{t:%Y/%b/%d}/{slug}".lower()
    ),
    "aljazeera.com": lambda r, slug, t, h: (
        f"https://www.aljazeera.com/news/{t.year}/{t.month}/{t.day}/{slug}"
    ),
    "kyivindependent.com": lambda r, slug, t, h: f"https://kyivindependent.com/{slug}/",
    "mashable.com": lambda r, slug, t, h: f"https://mashable.com/article/{slug}",
    "usatoday.com": lambda r, slug, t, h: (
        f"https://www.usatoday.com/story/{r.section.replace('world', 'news')}/{t:%Y/%m/%d}/"
        f"{slug}/{int(h[:8], 16) % 10**8}007/"
    ),
    "standard.co.uk": lambda r, slug, t, h: (
        f"https://www.standard.co.uk/news/weather/{slug}-b{int(h[:8], 16) % 10**7}.html"
    ),
}


def build(seed: int = SEED) -> list[dict[str, str]]:
    s = Stream(random.Random(seed))
    for part in (
        conflict,
        trial,
        hurricane,
        election,
        plane,
        wordle,
        connections,
        powerball,
        markets,
        weather,
        same_kind,
        digests,
    ):
        part(s)
    reports = sorted(s.reports, key=lambda r: (r.when, r.outlet, r.title))
    rows = []
    for n, r in enumerate(reports, start=1):
        local = r.when.astimezone(OUTLETS[r.outlet]).replace(microsecond=0)
        local = local.replace(second=0)  # feeds give times to the minute
        h = f"{s.rng.getrandbits(128):032x}"
        url = _URL[r.outlet](r, r.slug or slugify(r.title), local, h)
        rows.append(
            {
                "id": f"ls{n:04d}",
                "title": r.title,
                "text": " ".join(r.sentences),
                "date": local.isoformat(),
                "outlet": r.outlet,
                "url": url,
                "story": r.story,
            }
        )
    return rows


def write(rows: list[dict[str, str]], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=FIXTURE)
    ap.add_argument("--seed", type=int, default=SEED)
    args = ap.parse_args(argv)
    rows = build(args.seed)
    write(rows, args.out)
    stories = {r["story"] for r in rows}
    print(
        f"{len(rows)} documents, {len(stories)} stories, "
        f"{len({r['outlet'] for r in rows})} outlets -> {args.out}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
