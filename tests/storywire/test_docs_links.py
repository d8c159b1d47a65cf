"""Every relative link in README.md and docs/ reaches a file, and its #anchor a heading there:
the README sends readers to docs/ for the detail, so a heading renamed or a section moved must
not leave them at a dead end."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    anchors, in_code = set(), False
    for line in path.read_text().splitlines():
        if line.startswith("```"):
            in_code = not in_code
        elif not in_code and line.startswith("#"):
            anchors.add(_slug(line.lstrip("#")))
    return anchors


def _dead_links(doc: Path) -> list[str]:
    dead = []
    for target in LINK.findall(doc.read_text()):
        if re.match(r"[a-z]+:", target):
            continue  # http(s), mailto: not ours to check offline
        path, _, anchor = target.partition("#")
        dest = doc.parent / path if path else doc
        if not dest.exists() or (anchor and dest.suffix == ".md" and anchor not in _anchors(dest)):
            dead.append(target)
    return dead


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_relative_link_and_anchor_resolves(doc: Path) -> None:
    assert _dead_links(doc) == []


def test_a_moved_heading_is_a_dead_link(tmp_path: Path) -> None:
    (tmp_path / "ops.md").write_text("# Ops\n\n## The lock\n\n```\n# not a heading\n```\n")
    doc = tmp_path / "README.md"
    doc.write_text(
        "[a](ops.md#the-lock) [b](ops.md#not-a-heading) [c](gone.md#x) [d](#here)\n## Here\n"
    )
    assert _dead_links(doc) == ["ops.md#not-a-heading", "gone.md#x"]


def test_the_readme_links_its_detail_files() -> None:
    """The README stays short by pointing at these; each must be linked from it."""
    readme = ROOT / "README.md"
    linked = {t.partition("#")[0] for t in LINK.findall(readme.read_text())}
    for name in ("operations", "pipeline", "events", "stories", "fetching", "cleaning"):
        assert f"docs/{name}.md" in linked, name
