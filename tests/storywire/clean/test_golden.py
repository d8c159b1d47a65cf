"""Golden cases: real-looking feed snippets beside the text we publish for them."""

from __future__ import annotations

from pathlib import Path

import pytest

from storywire.clean import html_to_text

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(GOLDEN.glob("*.html"))


def test_there_are_enough_cases() -> None:
    """The golden set covers at least the fifteen kinds of input the issue names."""
    assert len(CASES) >= 15


@pytest.mark.parametrize("source", CASES, ids=[case.stem for case in CASES])
def test_golden(source: Path) -> None:
    """html_to_text turns each snippet into exactly the expected text (file ends with one \\n)."""
    expected = source.with_suffix(".txt").read_text(encoding="utf-8").removesuffix("\n")
    assert html_to_text(source.read_text(encoding="utf-8")) == expected
