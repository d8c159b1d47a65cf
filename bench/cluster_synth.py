"""Synthetic news for the story speed benchmark: Zipfian words, heavy-tailed story sizes.

A 50k-word vocabulary with Zipf(1.05) frequencies for background text; each story has its own
topic words (drawn from the mid-frequency band), two to four names and a number; articles of a
story are spread over up to 36 hours after the story starts; story starts advance steadily so
stories expire out of the 72 h window as the stream goes on. Function words ("the", "of",
"said") make up ``FUNCTION_SHARE`` of a body's words at their English frequencies, as in real
news: without them a body's first 200 words held 1.6x the distinct features of an ECB+ article's
(134 against 86), so every step that runs per feature was measured on a heavier document than
the service meets.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import random
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from wordfreq import top_n_list, word_frequency

from storywire.stories.features import STOPWORDS

_SYLLABLES = [c + v for c in "bcdfghklmnprstvwz" for v in "aeiou"] + ["an", "er", "in", "or"]
T0 = datetime(2025, 1, 1, tzinfo=UTC)
# Stopwords among the first 200 words of the ECB+ development articles' bodies: 47%.
FUNCTION_SHARE = 0.47


@functools.cache
def _function_words() -> tuple[list[str], list[float]]:
    """The stopwords among English's 2,000 most common words, with cumulative frequencies."""
    words = [w for w in top_n_list("en", 2000) if w in STOPWORDS]
    return words, list(itertools.accumulate(word_frequency(w, "en") for w in words))


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4)))


@dataclass(frozen=True, slots=True)
class Vocabulary:
    words: list[str]
    cum: list[float]
    names: list[str]

    def sample(self, rng: random.Random, k: int) -> list[str]:
        return rng.choices(self.words, cum_weights=self.cum, k=k)


def vocabulary(size: int = 50_000, names: int = 20_000, seed: int = 1) -> Vocabulary:
    rng = random.Random(seed)
    words: list[str] = []
    seen: set[str] = set()
    while len(words) < size:
        w = _word(rng)
        if w not in seen:
            seen.add(w)
            words.append(w)
    weights = [1.0 / (r**1.05) for r in range(1, size + 1)]
    cum = list(itertools.accumulate(weights))
    caps = [_word(rng).capitalize() for _ in range(names)]
    return Vocabulary(words, cum, caps)


def story_size(rng: random.Random, cap: int = 50) -> int:
    """Discrete power law on 1..cap (exponent 2): most stories have 1-3 articles, a few 50."""
    u = rng.random()
    return min(cap, int(1.0 / (1.0 - u * (1.0 - 1.0 / (cap + 1))) ** 1.0))


@dataclass(frozen=True, slots=True)
class SynthDoc:
    id: str
    story: int
    title: str
    text: str
    time: datetime

    def to_json(self) -> dict[str, str]:
        return {
            "id": self.id,
            "title": self.title,
            "text": self.text,
            "date": self.time.isoformat().replace("+00:00", "Z"),
            "outlet": f"outlet{zlib.crc32(self.id.encode()) % 50}.example",  # same in every run
        }


def stories_stream(
    n_docs: int,
    *,
    seed: int = 2,
    stories_per_hour: float = 120.0,
    vocab: Vocabulary | None = None,
    function_share: float = FUNCTION_SHARE,
) -> Iterator[SynthDoc]:
    """``n_docs`` synthetic articles in publication order (``function_share`` 0: bodies of
    content words only, the stream of the benchmarks before session 15)."""
    function_words, function_cum = _function_words()
    rng = random.Random(seed)
    v = vocab or vocabulary()
    band = len(v.words) // 20  # topic words come from ranks band..20*band: specific, not rare
    pending: list[tuple[float, int, SynthDoc]] = []
    made = 0
    story = 0
    clock = 0.0
    while made < n_docs or pending:
        if made < n_docs:
            story += 1
            clock += rng.expovariate(stories_per_hour)
            topic = rng.sample(v.words[band:], 25)
            who = rng.sample(v.names, rng.randint(2, 4))
            number = str(rng.randint(10, 5000))
            for k in range(min(story_size(rng), n_docs - made)):
                at = clock + (0.0 if k == 0 else rng.uniform(0.0, 36.0))
                n_body = rng.randint(150, 600)
                n_content = round(n_body * (1.0 - function_share))
                body = v.sample(rng, n_content)
                for i in rng.sample(range(n_content), n_content // 6):
                    body[i] = rng.choice(topic)
                for i in rng.sample(range(n_content), 6):
                    body[i] = rng.choice(who) + " " + rng.choice(who)
                body[rng.randrange(n_content)] = number
                if n_content < n_body:
                    body += rng.choices(function_words, function_cum, k=n_body - n_content)
                    rng.shuffle(body)
                title = [*rng.sample(topic, 5), who[0], *v.sample(rng, 3)]
                rng.shuffle(title)
                sentences = [" ".join(body[i : i + 20]) + "." for i in range(0, n_body, 20)]
                text = "\n".join(s[0].upper() + s[1:] for s in sentences)
                doc = SynthDoc(
                    id=f"doc{made:08d}",
                    story=story,
                    title=" ".join(title).capitalize(),
                    text=text,
                    time=T0 + timedelta(hours=at),
                )
                bisect.insort(pending, (at, made, doc))
                made += 1
        # Release everything published before the newest story started: arrival order = time.
        while pending and (made >= n_docs or pending[0][0] <= clock):
            yield pending.pop(0)[2]
