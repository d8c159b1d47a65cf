"""The README's settings table and the docs' settings tables say what Settings reads: every
variable documented is read, every one read is documented, each with its real default."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import pytest

from storywire.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
ROW = re.compile(r"^\| (`STORYWIRE_[^|]*) \| ([^|]*) \|", re.MULTILINE)
# Read where they are used, not by Settings: the embedded redis-server's binary, the story
# prior's cache directory.
OUTSIDE_SETTINGS = {
    "STORYWIRE_REDIS_SERVER": ROOT / "storywire/adapters/embedded_redis.py",
    "STORYWIRE_CACHE_DIR": ROOT / "storywire/stories/tablecache.py",
}
# Defaults the table gives in words.
WORDS = {
    "unset: embedded": None,
    "the Redis above": None,
    "local guest": "amqp://guest:guest@127.0.0.1:5672/%2F",
    "10 MiB": 10 * 1024 * 1024,
}


def _rows(path: Path) -> dict[str, str]:
    """Variable -> its documented default, `STORYWIRE_A` / `_B` | 1 / 2 rows split in two."""
    text = path.read_text()
    if path.name == "README.md":
        text = text.split("## Settings (environment variables)", 1)[1].split("\n## ", 1)[0]
    out: dict[str, str] = {}
    for names, defaults in ROW.findall(text):
        first, *rest = [n.strip(" `") for n in names.split(" / ")]
        names_ = [first, *(_expand(first, short) for short in rest)]
        values = [d.strip() for d in defaults.split(" / ")]
        if len(values) != len(names_):
            values = [defaults.strip()] * len(names_)  # one default for all: "see above"
        out.update(zip(names_, values, strict=True))
    return out


def _expand(first: str, short: str) -> str:
    """`STORYWIRE_AMQP_URL` / `_EXCHANGE`: the suffix replaces the longest tail of the first name
    that leaves a variable a reader would find (STORYWIRE_AMQP_EXCHANGE)."""
    if short.startswith("STORYWIRE_"):
        return short
    known = set(_defaults()) | set(OUTSIDE_SETTINGS)
    parts = first.split("_")
    for cut in range(len(parts) - 1, 0, -1):
        name = "_".join(parts[:cut]) + short
        if name in known:
            return name
    raise AssertionError(f"{first} / {short}: no such variable")


def _value(documented: str) -> object:
    if documented in WORDS:
        return WORDS[documented]
    if documented.startswith("`") and documented.endswith("`"):
        return documented.strip("`")
    try:
        return float(documented.replace(",", ""))
    except ValueError:
        return documented  # a plain word: 127.0.0.1


def _defaults() -> dict[str, object]:
    return {f"STORYWIRE_{f.name.upper()}": getattr(Settings(), f.name) for f in fields(Settings)}


def test_the_readme_table_lists_every_setting_and_only_what_is_read() -> None:
    documented = _rows(ROOT / "README.md")
    read = set(_defaults()) | set(OUTSIDE_SETTINGS)
    assert read - set(documented) == set(), "read but not in the README table"
    for name in set(documented) - set(_defaults()):
        assert name in OUTSIDE_SETTINGS, f"{name} is in the README table but nothing reads it"
        assert name in OUTSIDE_SETTINGS[name].read_text()


@pytest.mark.parametrize("doc", ["README.md", "docs/events.md", "docs/fetching.md"])
def test_each_documented_default_is_the_real_one(doc: str) -> None:
    defaults = _defaults()
    for name, documented in _rows(ROOT / doc).items():
        if name in OUTSIDE_SETTINGS or documented == "see above":
            continue
        assert name in defaults, f"{doc}: {name} is not a setting"
        real = defaults[name]
        value = _value(documented)
        if isinstance(real, (int, float)) and not isinstance(real, bool):
            assert value == pytest.approx(real), f"{doc}: {name} documented {documented}"
        else:
            assert value == (None if real is None else str(real)), f"{doc}: {name} {documented}"
